/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-agent-registry.h"
#include "lean-session-ui-private.h"

void
_lean_session_ui_ensure_style (void)
{
  static GdkDisplay *done_for;
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || display == done_for)
    return;

  /* Our own provider rather than lines in the application's style.css, so
   * the widgets look right in tests and other hosts too. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/dev/leanspec/Desktop/lean-session-ui.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  done_for = display;
}

char *
_lean_session_ui_format_tokens (guint64 tokens)
{
  if (tokens < 1000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, tokens);
  if (tokens < 10000)
    return g_strdup_printf ("%.1fk", tokens / 1000.0);
  if (tokens < 1000000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "k", (tokens + 500) / 1000);
  return g_strdup_printf ("%.1fM", tokens / 1000000.0);
}

char *
_lean_session_ui_format_duration (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 3600)
    return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                          (int) ((seconds / 60) % 60), (int) (seconds % 60));
}

char *
_lean_session_ui_format_cost (double cost_usd)
{
  if (cost_usd < 0)
    return NULL;
  if (cost_usd < 0.01 && cost_usd > 0)
    return g_strdup ("< $0.01");
  return g_strdup_printf ("$%.2f", cost_usd);
}

void
_lean_session_ui_set_state_class (GtkWidget        *widget,
                                  LeanSessionState  state)
{
  static const LeanSessionState all[] = {
    LEAN_SESSION_STATE_PENDING, LEAN_SESSION_STATE_RUNNING, LEAN_SESSION_STATE_PAUSED,
    LEAN_SESSION_STATE_VALIDATING, LEAN_SESSION_STATE_COMPLETED, LEAN_SESSION_STATE_FAILED,
    LEAN_SESSION_STATE_CANCELLED, LEAN_SESSION_STATE_INTERRUPTED,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gtk_widget_remove_css_class (widget, lean_session_state_to_string (all[i]));
  gtk_widget_add_css_class (widget, lean_session_state_to_string (state));
}

GNotification *
_lean_session_ui_new_notification (LeanSession        *session,
                                   LeanAgentRegistry  *registry,
                                   gboolean            needs_input,
                                   char              **id,
                                   char              **text)
{
  GNotification *notification;
  g_autofree char *body = NULL;
  LeanSessionState state = lean_session_get_state (session);
  LeanAgent *agent = NULL;
  const char *title;

  if (needs_input)
    title = _("Agent Waiting for Input");
  else if (state == LEAN_SESSION_STATE_COMPLETED)
    title = _("Session Completed");
  else if (state == LEAN_SESSION_STATE_FAILED)
    title = _("Session Failed");
  else if (state == LEAN_SESSION_STATE_CANCELLED)
    title = _("Session Cancelled");
  else
    title = _("Session Interrupted");

  if (registry != NULL)
    agent = lean_agent_registry_lookup (registry, lean_session_get_agent_id (session));
  /* Translators: "Claude Code on 012-habit-api" */
  body = g_strdup_printf (_("%s on %s"),
                          agent != NULL ? lean_agent_get_name (agent)
                                        : lean_session_get_agent_id (session),
                          lean_session_get_spec_id (session));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  /* Clicking it shows the session (app.show-session). */
  g_notification_set_default_action_and_target (notification, "app.show-session", "s",
                                                lean_session_get_id (session));
  if (!needs_input && state == LEAN_SESSION_STATE_FAILED)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  /* One id per session, so a session never shows twice. */
  if (id != NULL)
    *id = g_strdup_printf ("session-%s", lean_session_get_id (session));
  if (text != NULL)
    *text = g_strdup_printf ("%s: %s", title, body);
  return notification;
}
