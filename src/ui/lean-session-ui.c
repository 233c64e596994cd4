/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-session-indicator.h"
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

static LeanController *default_controller;
static LeanAgentRegistry *default_registry;

static void
on_session_state (LeanSession *session)
{
  _lean_session_indicator_changed ();
}

static void
on_session_added (LeanController *controller,
                  LeanSession    *session)
{
  g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), NULL);
  _lean_session_indicator_changed ();
}

/* Spec rows show what the sessions of this process do. */
static void
watch_controller (LeanController *controller)
{
  GListModel *sessions = lean_controller_get_sessions (controller);

  g_signal_connect (controller, "session-added", G_CALLBACK (on_session_added), NULL);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);
      g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), NULL);
    }
  _lean_session_indicator_changed ();
}

static void
on_app_shutdown (GApplication *app)
{
  if (default_controller != NULL)
    lean_controller_cancel_all (default_controller, _("The application quit"));
}

LeanController *
_lean_session_ui_get_controller (GError **error)
{
  g_autoptr(LeanSessionDb) db = NULL;
  GApplication *app;

  if (default_controller != NULL)
    return default_controller;

  /* Opening is the one blocking database call, done once. */
  db = lean_session_db_open (NULL, error);
  if (db == NULL)
    return NULL;
  /* Sessions a crashed instance left running become interrupted, and their
   * orphaned agents are stopped, off the main loop. */
  lean_session_db_recover_async (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS, NULL, NULL, NULL);

  default_controller = lean_controller_new (db);
  watch_controller (default_controller);
  app = g_application_get_default ();
  if (app != NULL)
    g_signal_connect (app, "shutdown", G_CALLBACK (on_app_shutdown), NULL);

  return default_controller;
}

LeanAgentRegistry *
_lean_session_ui_get_registry (void)
{
  if (default_registry == NULL)
    {
      default_registry = lean_agent_registry_new ();
      /* A broken user runners.json is reported by the implement dialog,
       * which loads the project's files too; names are all we need here. */
      lean_agent_registry_load (default_registry, NULL, NULL);
    }
  return default_registry;
}

LeanController *
_lean_session_ui_peek_controller (void)
{
  return default_controller;
}

void
_lean_session_ui_set_controller (LeanController *controller)
{
  if (default_controller != NULL)
    g_signal_handlers_disconnect_by_func (default_controller, on_session_added, NULL);
  if (g_set_object (&default_controller, controller) && controller != NULL)
    watch_controller (controller);
}
