/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-implement-dialog.h"
#include "lean-session-ui-private.h"
#include "lean-sessions-view.h"
#include "lean-window-sessions.h"

#define DATA_KEY "lean-window-sessions"

typedef struct
{
  LeanWindow      *window;   /* owns us */
  LeanSpecView    *spec_view;
  LeanSessionPane *pane;
  GtkWidget       *paned;
  GtkWidget       *implement_button;
  GtkWidget       *sessions_button;
  GtkWindow       *history;  /* weak */
} WindowSessions;

static void
window_sessions_free (WindowSessions *ws)
{
  if (ws->history != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (ws->history), (gpointer *) &ws->history);
      gtk_window_destroy (ws->history);
    }
  g_free (ws);
}

static void
toast_error (WindowSessions *ws,
             const char     *format,
             const GError   *error)
{
  g_autofree char *text = g_markup_printf_escaped (format, error->message);
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  lean_window_add_toast (ws->window, toast);
}

static LeanController *
get_controller (WindowSessions *ws)
{
  g_autoptr(GError) error = NULL;
  LeanController *controller = _lean_session_ui_get_controller (&error);

  if (controller == NULL)
    {
      toast_error (ws, _("The sessions database could not be opened: %s"), error);
      return NULL;
    }
  if (ws->pane != NULL && lean_session_pane_get_controller (ws->pane) != controller)
    {
      lean_session_pane_set_registry (ws->pane, _lean_session_ui_get_registry ());
      lean_session_pane_set_controller (ws->pane, controller);
    }
  return controller;
}

static void
on_session_started (WindowSessions      *ws,
                    LeanSession         *session,
                    LeanImplementDialog *dialog)
{
  lean_session_pane_show_session (ws->pane, session);
}

static void
on_implement_clicked (WindowSessions *ws)
{
  LeanSpec *spec = lean_spec_view_get_spec (ws->spec_view);
  LeanSpecStore *store = lean_window_get_store (ws->window);
  LeanController *controller;
  LeanImplementDialog *dialog;
  g_autoptr(GPtrArray) specs = NULL;

  if (spec == NULL || store == NULL)
    return;
  if ((controller = get_controller (ws)) == NULL)
    return;

  specs = lean_spec_store_dup_specs (store);
  dialog = lean_implement_dialog_new (GTK_WINDOW (ws->window), controller, NULL,
                                      lean_spec_store_get_project (store), spec, specs);
  g_signal_connect_swapped (dialog, "session-started", G_CALLBACK (on_session_started), ws);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_pane_visible (WindowSessions *ws)
{
  int width = gtk_widget_get_width (ws->paned);
  int pane_width;

  if (!gtk_widget_get_visible (GTK_WIDGET (ws->pane)))
    return;
  /* Shown together with a new spec view (a session opened from the
   * history), the paned has no width yet: the room is its parent's (the
   * window's content stack); the pane's natural width is too narrow to
   * read. */
  if (width <= 0 && gtk_widget_get_parent (ws->paned) != NULL)
    width = gtk_widget_get_width (gtk_widget_get_parent (ws->paned));
  if (width <= 0)
    return;

  /* About 45% of the room, enough for an 80-column terminal when there is
   * space, never so much that the spec cannot be read. */
  pane_width = CLAMP (width / 2, 460, 800);
  gtk_paned_set_position (GTK_PANED (ws->paned), MAX (width - pane_width, 360));
}

static void
on_history_open_session (WindowSessions   *ws,
                         LeanSession      *session,
                         LeanSessionsView *view)
{
  LeanController *controller = get_controller (ws);

  if (controller == NULL)
    return;
  /* Show the session's spec when it is in this project: that also makes
   * the spec view, and with it the pane, when none was open yet. */
  lean_window_select_spec (ws->window, lean_session_get_spec_id (session));
  if (ws->pane == NULL)
    {
      lean_window_add_toast (ws->window,
                             adw_toast_new (_("Open the session's project to see its log")));
      return;
    }
  lean_session_pane_open_log (ws->pane, lean_controller_get_db (controller), session);
  gtk_window_present (GTK_WINDOW (ws->window));
}

GtkWindow *
lean_window_sessions_show_history (LeanWindow *window)
{
  WindowSessions *ws = g_object_get_data (G_OBJECT (window), DATA_KEY);
  LeanController *controller;
  GtkWidget *box, *header, *view;

  g_return_val_if_fail (LEAN_IS_WINDOW (window), NULL);

  if (ws == NULL || (controller = get_controller (ws)) == NULL)
    return NULL;

  if (ws->history != NULL)
    {
      gtk_window_present (ws->history);
      return ws->history;
    }

  ws->history = GTK_WINDOW (adw_window_new ());
  g_object_add_weak_pointer (G_OBJECT (ws->history), (gpointer *) &ws->history);
  gtk_window_set_title (ws->history, _("Session History"));
  gtk_window_set_default_size (ws->history, 960, 560);
  gtk_window_set_transient_for (ws->history, GTK_WINDOW (window));
  gtk_window_set_hide_on_close (ws->history, FALSE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  view = lean_sessions_view_new ();
  gtk_widget_set_vexpand (view, TRUE);
  lean_sessions_view_set_db (LEAN_SESSIONS_VIEW (view), lean_controller_get_db (controller));
  g_signal_connect_swapped (view, "open-session", G_CALLBACK (on_history_open_session), ws);
  gtk_box_append (GTK_BOX (box), view);
  adw_window_set_content (ADW_WINDOW (ws->history), box);

  gtk_window_present (ws->history);
  return ws->history;
}

static void
show_history_activated (GSimpleAction *action,
                        GVariant      *param,
                        gpointer       user_data)
{
  lean_window_sessions_show_history (LEAN_WINDOW (user_data));
}

LeanSessionPane *
lean_window_sessions_get_pane (LeanWindow *window)
{
  WindowSessions *ws;

  g_return_val_if_fail (LEAN_IS_WINDOW (window), NULL);

  ws = g_object_get_data (G_OBJECT (window), DATA_KEY);
  return ws != NULL ? ws->pane : NULL;
}

void
lean_window_sessions_init (LeanWindow *window)
{
  g_autoptr(GSimpleAction) history = NULL;
  WindowSessions *ws;

  g_return_if_fail (LEAN_IS_WINDOW (window));

  if (g_object_get_data (G_OBJECT (window), DATA_KEY) != NULL)
    return;

  ws = g_new0 (WindowSessions, 1);
  ws->window = window;
  g_object_set_data_full (G_OBJECT (window), DATA_KEY, ws,
                          (GDestroyNotify) window_sessions_free);

  history = g_simple_action_new ("show-session-history", NULL);
  g_signal_connect (history, "activate", G_CALLBACK (show_history_activated), window);
  g_action_map_add_action (G_ACTION_MAP (window), G_ACTION (history));
}

GtkWidget *
lean_window_sessions_wrap_spec_view (LeanWindow   *window,
                                     LeanSpecView *spec_view)
{
  WindowSessions *ws;
  GtkWidget *actions, *header, *content;

  g_return_val_if_fail (LEAN_IS_WINDOW (window), NULL);
  g_return_val_if_fail (LEAN_IS_SPEC_VIEW (spec_view), NULL);

  lean_window_sessions_init (window);
  ws = g_object_get_data (G_OBJECT (window), DATA_KEY);
  g_return_val_if_fail (ws->spec_view == NULL, NULL);
  ws->spec_view = spec_view;

  /* The pane on the right of the spec, hidden until a session is shown. */
  ws->pane = LEAN_SESSION_PANE (lean_session_pane_new ());
  gtk_widget_set_visible (GTK_WIDGET (ws->pane), FALSE);
  ws->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (ws->paned), GTK_WIDGET (spec_view));
  gtk_paned_set_end_child (GTK_PANED (ws->paned), GTK_WIDGET (ws->pane));
  gtk_paned_set_resize_start_child (GTK_PANED (ws->paned), TRUE);
  gtk_paned_set_resize_end_child (GTK_PANED (ws->paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (ws->paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (ws->paned), FALSE);
  gtk_widget_set_hexpand (ws->paned, TRUE);
  g_signal_connect_swapped (ws->pane, "notify::visible", G_CALLBACK (on_pane_visible), ws);

  /* Only the rightmost header bar shows the window's buttons. */
  header = lean_spec_view_get_header_bar (spec_view);
  if (header != NULL)
    g_object_bind_property (ws->pane, "visible", header, "show-end-title-buttons",
                            G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  /* "Implement with AI" is the spec's primary action. */
  actions = lean_spec_view_get_header_actions (spec_view);
  ws->implement_button = gtk_button_new ();
  content = adw_button_content_new ();
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "system-run-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Implement with AI"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (ws->implement_button), content);
  gtk_widget_add_css_class (ws->implement_button, "suggested-action");
  gtk_widget_set_tooltip_text (ws->implement_button,
                               _("Start an AI coding agent on this spec"));
  g_signal_connect_swapped (ws->implement_button, "clicked",
                            G_CALLBACK (on_implement_clicked), ws);

  ws->sessions_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (ws->sessions_button), "utilities-terminal-symbolic");
  gtk_widget_set_tooltip_text (ws->sessions_button, _("Show Sessions"));
  g_object_bind_property (ws->pane, "visible", ws->sessions_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  if (actions != NULL)
    {
      gtk_box_append (GTK_BOX (actions), ws->implement_button);
      gtk_box_append (GTK_BOX (actions), ws->sessions_button);
    }

  /* Sessions already running in this process (another window started
   * them) get their tabs. The database itself is opened on first use only,
   * so a window that never starts a session never touches it. */
  if (_lean_session_ui_peek_controller () != NULL && get_controller (ws) != NULL &&
      lean_controller_get_n_live (lean_session_pane_get_controller (ws->pane)) > 0)
    gtk_widget_set_visible (GTK_WIDGET (ws->pane), TRUE);

  return ws->paned;
}
