/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-session-pane-private.h"
#include "lean-session-ui-private.h"

struct _LeanSessionPane
{
  GtkWidget          parent_instance;

  GtkWidget         *header_bar;
  GtkWidget         *hide_button;
  AdwWindowTitle    *window_title;
  AdwTabBar         *tab_bar;
  GtkStack          *stack;
  AdwTabView        *tab_view;

  LeanController    *controller;
  LeanAgentRegistry *registry;

  guint              n_notifications;
  char              *last_notification;
};

/* What fits a tab beside its icon and close button in a pane of three
 * tabs at its narrowest. */
#define MAX_TAB_TITLE_CHARS 16

G_DEFINE_FINAL_TYPE (LeanSessionPane, lean_session_pane, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SESSION_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
agent_name (LeanSessionPane *self,
            LeanSession     *session)
{
  LeanAgent *agent = NULL;

  if (self->registry != NULL)
    agent = lean_agent_registry_lookup (self->registry, lean_session_get_agent_id (session));
  return agent != NULL ? lean_agent_get_name (agent) : lean_session_get_agent_id (session);
}

static AdwTabPage *
find_page (LeanSessionPane *self,
           const char      *session_id,
           gboolean         live_only)
{
  guint n = adw_tab_view_get_n_pages (self->tab_view);

  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      LeanSessionPage *child;
      LeanSession *session;

      if (!LEAN_IS_SESSION_PAGE (adw_tab_page_get_child (page)))
        continue;
      child = LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
      session = lean_session_page_get_session (child);
      if (g_strcmp0 (lean_session_get_id (session), session_id) == 0 &&
          (!live_only || lean_session_page_get_live (child)))
        return page;
    }
  return NULL;
}

static void
update_title (LeanSessionPane *self)
{
  guint n = adw_tab_view_get_n_pages (self->tab_view);
  guint running = 0;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      LeanSessionPage *child;
      LeanSession *session;

      /* Validation and Ralph tabs say how they do themselves. */
      if (!LEAN_IS_SESSION_PAGE (adw_tab_page_get_child (page)))
        continue;
      child = LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
      session = lean_session_page_get_session (child);
      /* A paused agent is not running: it waits for the person. */
      if (lean_session_page_get_live (child) &&
          !lean_session_state_is_final (lean_session_get_state (session)) &&
          lean_session_get_state (session) != LEAN_SESSION_STATE_PAUSED)
        running++;
    }

  if (running > 0)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u running", "%u running",
                                             running), running);
  adw_window_title_set_subtitle (self->window_title, subtitle ?: "");
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "tabs" : "empty");
}

static gboolean
window_is_focused (LeanSessionPane *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) && gtk_window_is_active (GTK_WINDOW (root)) &&
         gtk_widget_get_mapped (GTK_WIDGET (self));
}

static void
notify_session (LeanSessionPane *self,
                LeanSession     *session,
                gboolean         needs_input)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  if (window_is_focused (self))
    return;

  self->n_notifications++;
  g_free (self->last_notification);
  notification = _lean_session_ui_new_notification (session, self->registry, needs_input, &id,
                                                    &self->last_notification);
  if (app == NULL || !g_application_get_is_registered (app))
    return;
  g_application_send_notification (app, id, notification);
}

static void
update_tab (LeanSessionPane *self,
            AdwTabPage      *page)
{
  LeanSessionPage *child = LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
  LeanSession *session = lean_session_page_get_session (child);
  LeanSessionState state = lean_session_get_state (session);
  g_autofree char *tooltip = NULL;
  g_autoptr(GIcon) icon = NULL;

  /* A static icon, not adw_tab_page_set_loading(): a spinner keeps the
   * frame clock busy, and where frames take longer than the refresh
   * interval (software rendering, a loaded machine) GTK's back-to-back
   * frames starve VTE's idle-priority parsing, and no terminal updates. */
  if (state == LEAN_SESSION_STATE_FAILED || state == LEAN_SESSION_STATE_INTERRUPTED)
    icon = g_themed_icon_new ("dialog-error-symbolic");
  else if (state == LEAN_SESSION_STATE_PAUSED)
    icon = g_themed_icon_new ("media-playback-pause-symbolic");
  else if (state == LEAN_SESSION_STATE_COMPLETED)
    icon = g_themed_icon_new ("object-select-symbolic");
  else if (state == LEAN_SESSION_STATE_CANCELLED)
    icon = g_themed_icon_new ("media-playback-stop-symbolic");
  else if (!lean_session_page_get_live (child))
    icon = g_themed_icon_new ("document-open-recent-symbolic");
  else if (state == LEAN_SESSION_STATE_RUNNING || state == LEAN_SESSION_STATE_PENDING ||
           state == LEAN_SESSION_STATE_VALIDATING)
    icon = g_themed_icon_new ("media-playback-start-symbolic");
  adw_tab_page_set_icon (page, icon);

  /* Translators: tab tooltip, "Claude Code on 012-habit-api: Running" */
  tooltip = g_strdup_printf (_("%s on %s: %s"), agent_name (self, session),
                             lean_session_get_spec_id (session),
                             lean_session_state_get_label (state));
  adw_tab_page_set_tooltip (page, tooltip);
}

static void
on_page_state (LeanSessionPane *self,
               GParamSpec      *pspec,
               LeanSession     *session)
{
  AdwTabPage *page = find_page (self, lean_session_get_id (session), FALSE);
  LeanSessionPage *child;

  if (page == NULL)
    return;
  child = LEAN_SESSION_PAGE (adw_tab_page_get_child (page));

  update_tab (self, page);
  update_title (self);

  if (lean_session_page_get_live (child) &&
      lean_session_state_is_final (lean_session_get_state (session)))
    {
      adw_tab_page_set_needs_attention (page, FALSE);
      notify_session (self, session, FALSE);
    }
}

static void
on_needs_input (LeanSessionPane *self,
                LeanSessionPage *child)
{
  AdwTabPage *page = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (child));

  if (page != adw_tab_view_get_selected_page (self->tab_view) || !window_is_focused (self))
    adw_tab_page_set_needs_attention (page, TRUE);
  notify_session (self, lean_session_page_get_session (child), TRUE);
}

static AdwTabPage *
add_page (LeanSessionPane *self,
          LeanSessionPage *child)
{
  LeanSession *session = lean_session_page_get_session (child);
  AdwTabPage *page;

  const char *spec_id = lean_session_get_spec_id (session);
  const char *dash = spec_id != NULL ? strchr (spec_id, '-') : NULL;
  g_autofree char *title = NULL;

  lean_session_page_set_agent_name (child, agent_name (self, session));
  page = adw_tab_view_append (self->tab_view, GTK_WIDGET (child));
  /* "003 · Claude Code": several sessions of one spec stay apart. */
  title = g_strdup_printf ("%.*s · %s", dash != NULL ? (int) (dash - spec_id) : (int) strlen (spec_id ?: ""),
                           spec_id ?: "", agent_name (self, session));
  /* A tab fades a long title out under its close button: shortened here
   * with an ellipsis instead; the tooltip has it all. */
  if (g_utf8_strlen (title, -1) > MAX_TAB_TITLE_CHARS)
    {
      char *cut = g_utf8_offset_to_pointer (title, MAX_TAB_TITLE_CHARS - 1);

      *cut = '\0';
      cut = g_strconcat (title, "…", NULL);
      g_free (title);
      title = cut;
    }
  adw_tab_page_set_title (page, title);

  g_signal_connect_object (session, "notify::state", G_CALLBACK (on_page_state),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (child, "needs-input", G_CALLBACK (on_needs_input),
                           self, G_CONNECT_SWAPPED);
  update_tab (self, page);
  update_title (self);
  return page;
}

static void
reveal (LeanSessionPane *self,
        AdwTabPage      *page)
{
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  adw_tab_view_set_selected_page (self->tab_view, page);
  adw_tab_page_set_needs_attention (page, FALSE);
}

LeanSessionPage *
lean_session_pane_show_session (LeanSessionPane *self,
                                LeanSession     *session)
{
  AdwTabPage *page;

  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);
  g_return_val_if_fail (self->controller != NULL, NULL);

  page = find_page (self, lean_session_get_id (session), TRUE);
  if (page == NULL)
    page = add_page (self, LEAN_SESSION_PAGE (lean_session_page_new (self->controller, session)));
  reveal (self, page);
  return LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
}

LeanSessionPage *
lean_session_pane_open_log (LeanSessionPane *self,
                            LeanSessionDb   *db,
                            LeanSession     *session)
{
  AdwTabPage *page;
  LeanSession *live = NULL;

  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  /* A session this process runs is shown live, not from the log. */
  if (self->controller != NULL)
    live = lean_controller_lookup (self->controller, lean_session_get_id (session));
  if (live != NULL && !lean_session_state_is_final (lean_session_get_state (live)))
    return lean_session_pane_show_session (self, live);

  page = find_page (self, lean_session_get_id (session), FALSE);
  if (page == NULL)
    page = add_page (self, LEAN_SESSION_PAGE (lean_session_page_new_for_log (db, session)));
  reveal (self, page);
  return LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
}

AdwTabPage *
lean_session_pane_show_widget (LeanSessionPane *self,
                               GtkWidget       *child,
                               const char      *title,
                               const char      *icon_name)
{
  AdwTabPage *page;
  g_autoptr(GIcon) icon = NULL;

  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (child), NULL);

  page = gtk_widget_get_parent (child) != NULL ? adw_tab_view_get_page (self->tab_view, child)
                                               : adw_tab_view_append (self->tab_view, child);
  adw_tab_page_set_title (page, title);
  adw_tab_page_set_tooltip (page, title);
  if (icon_name != NULL)
    icon = g_themed_icon_new (icon_name);
  adw_tab_page_set_icon (page, icon);
  update_title (self);
  reveal (self, page);
  return page;
}

static void
on_session_added (LeanSessionPane *self,
                  LeanSession     *session)
{
  AdwTabPage *page;

  if (find_page (self, lean_session_get_id (session), TRUE) != NULL)
    return;

  page = add_page (self, LEAN_SESSION_PAGE (lean_session_page_new (self->controller, session)));
  if (adw_tab_view_get_n_pages (self->tab_view) == 1)
    adw_tab_view_set_selected_page (self->tab_view, page);
}

void
lean_session_pane_set_controller (LeanSessionPane *self,
                                  LeanController  *controller)
{
  GListModel *sessions;

  g_return_if_fail (LEAN_IS_SESSION_PANE (self));
  g_return_if_fail (controller == NULL || LEAN_IS_CONTROLLER (controller));

  if (self->controller == controller)
    return;

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_set_object (&self->controller, controller);
  if (controller == NULL)
    return;

  g_signal_connect_object (controller, "session-added", G_CALLBACK (on_session_added),
                           self, G_CONNECT_SWAPPED);

  /* Sessions that were already running get their tabs too. */
  sessions = lean_controller_get_sessions (controller);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      if (!lean_session_state_is_final (lean_session_get_state (session)))
        on_session_added (self, session);
    }
}

LeanController *
lean_session_pane_get_controller (LeanSessionPane *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), NULL);
  return self->controller;
}

void
lean_session_pane_set_registry (LeanSessionPane   *self,
                                LeanAgentRegistry *registry)
{
  g_return_if_fail (LEAN_IS_SESSION_PANE (self));
  g_set_object (&self->registry, registry);
}

void
lean_session_pane_set_show_back (LeanSessionPane *self,
                                 gboolean         show_back)
{
  g_return_if_fail (LEAN_IS_SESSION_PANE (self));

  /* The same place and action: as a page of its own the pane is left by
   * going back to the spec. */
  gtk_button_set_icon_name (GTK_BUTTON (self->hide_button),
                            show_back ? "go-previous-symbolic" : "sidebar-show-right-symbolic");
  gtk_widget_set_tooltip_text (self->hide_button,
                               show_back ? _("Back to the Spec") : _("Hide Sessions"));
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (self->header_bar), show_back);
}

guint
lean_session_pane_get_n_pages (LeanSessionPane *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), 0);
  return (guint) adw_tab_view_get_n_pages (self->tab_view);
}

AdwTabView *
lean_session_pane_get_tab_view (LeanSessionPane *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PANE (self), NULL);
  return self->tab_view;
}

guint
_lean_session_pane_get_n_notifications (LeanSessionPane *self)
{
  return self->n_notifications;
}

const char *
_lean_session_pane_get_last_notification (LeanSessionPane *self)
{
  return self->last_notification;
}

static void
on_selected_page (LeanSessionPane *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  LeanSessionPage *child;

  if (page == NULL)
    return;
  adw_tab_page_set_needs_attention (page, FALSE);
  if (!LEAN_IS_SESSION_PAGE (adw_tab_page_get_child (page)))
    return;
  child = LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
  g_signal_emit (self, signals[SIGNAL_SESSION_ACTIVATED], 0,
                 lean_session_page_get_session (child));
}

static void
on_n_pages (LeanSessionPane *self)
{
  update_title (self);
}

static void
hide_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  gtk_widget_set_visible (widget, FALSE);
}

static void
lean_session_pane_dispose (GObject *object)
{
  LeanSessionPane *self = LEAN_SESSION_PANE (object);

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SESSION_PANE);
  g_clear_object (&self->controller);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (lean_session_pane_parent_class)->dispose (object);
}

static void
lean_session_pane_finalize (GObject *object)
{
  LeanSessionPane *self = LEAN_SESSION_PANE (object);

  g_free (self->last_notification);

  G_OBJECT_CLASS (lean_session_pane_parent_class)->finalize (object);
}

static void
lean_session_pane_class_init (LeanSessionPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_session_pane_dispose;
  object_class->finalize = lean_session_pane_finalize;

  signals[SIGNAL_SESSION_ACTIVATED] =
    g_signal_new ("session-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SESSION);

  gtk_widget_class_install_action (widget_class, "pane.hide", NULL, hide_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-session-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, hide_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, window_title);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPane, tab_view);
}

static void
lean_session_pane_init (LeanSessionPane *self)
{
  _lean_session_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->tab_view, "notify::selected-page",
                           G_CALLBACK (on_selected_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "notify::n-pages",
                           G_CALLBACK (on_n_pages), self, G_CONNECT_SWAPPED);
  update_title (self);
}

GtkWidget *
lean_session_pane_new (void)
{
  return g_object_new (LEAN_TYPE_SESSION_PANE, NULL);
}
