/* SPDX-License-Identifier: MIT */
/* LeanWindow's session parts: the session pane beside the spec, "Implement
 * with AI" and the Sessions toggle in the spec's header bar, the Session
 * History window, showing sessions again, and how the three panes share
 * the window's width:
 *
 *   wide    list | spec | sessions, the split remembered;
 *   medium  the list steps aside while Sessions shows, so the spec keeps
 *           a readable width;
 *   narrow  Sessions is a page of its own, with a back button first in its
 *           header bar; the terminal gets the whole width.
 *
 * AdwLeaflet folds the list away on its own below its children's widths;
 * the rest is decided here from the window's allocated width. */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-application.h"
#include "lean-implement-dialog.h"
#include "lean-session-pane.h"
#include "lean-sessions-view.h"
#include "lean-spec-view.h"
#include "lean-session-review.h"
#include "lean-window-private.h"
#include "lean-worktrees-page.h"

/* Below this the list steps aside while Sessions shows; below the narrow
 * width Sessions takes the whole window. Chosen so the spec never gets
 * less than SPEC_MIN_WIDTH and the terminal no less than PANE_MIN_WIDTH. */
#define WIDE_WIDTH 1400
#define NARROW_WIDTH 900
#define SPEC_MIN_WIDTH 400
#define PANE_MIN_WIDTH 420

static LeanController *
get_controller (LeanWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  const GError *error = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (self->controller != NULL)
    return self->controller;
  if (LEAN_IS_APPLICATION (app))
    error = lean_application_get_sessions_error (LEAN_APPLICATION (app));
  /* A toast's title is markup: the error's words are escaped. */
  text = g_markup_printf_escaped (_("The sessions database could not be opened: %s"),
                                  error != NULL ? error->message : _("no application"));
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 8);
  lean_window_add_toast (self, toast);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */

static LeanWindowLayout
layout_for_width (int width)
{
  if (width >= WIDE_WIDTH)
    return LEAN_WINDOW_LAYOUT_WIDE;
  if (width >= NARROW_WIDTH)
    return LEAN_WINDOW_LAYOUT_MEDIUM;
  return LEAN_WINDOW_LAYOUT_NARROW;
}

static void
place_split (LeanWindow *self,
             int         room)
{
  int saved = g_settings_get_int (self->settings, "session-pane-width");
  int pane_width;

  if (room <= 0)
    return;
  /* About half the room, enough for an 80-column terminal when there is
   * space, unless the person dragged the split: then their width, as far
   * as the spec keeps a readable width. */
  pane_width = saved > 0 ? saved : CLAMP (room / 2, 460, 800);
  pane_width = CLAMP (pane_width, PANE_MIN_WIDTH, MAX (PANE_MIN_WIDTH, room - SPEC_MIN_WIDTH));
  self->setting_split = TRUE;
  gtk_paned_set_position (GTK_PANED (self->paned), MAX (room - pane_width, SPEC_MIN_WIDTH));
  self->setting_split = FALSE;
}

static void
apply_layout (LeanWindow *self,
              int         width)
{
  gboolean shown;
  gboolean list_aside;
  gboolean own_page;
  int room;

  self->layout = layout_for_width (width);
  self->layout_width = width;
  if (self->pane == NULL)
    return;

  shown = gtk_widget_get_visible (GTK_WIDGET (self->pane));
  list_aside = shown && self->layout != LEAN_WINDOW_LAYOUT_WIDE;
  own_page = shown && self->layout == LEAN_WINDOW_LAYOUT_NARROW;

  gtk_widget_set_visible (self->sidebar, !list_aside);
  gtk_widget_set_visible (self->sidebar_separator, !list_aside);
  gtk_widget_set_visible (self->spec_view, !own_page);
  lean_session_pane_set_show_back (self->pane, own_page);
  if (list_aside)
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));

  if (!shown || own_page)
    return;
  room = width;
  if (!list_aside && !adw_leaflet_get_folded (self->leaflet))
    room -= MAX (gtk_widget_get_width (self->sidebar), 380) + 1;
  place_split (self, room);
}

void
_lean_window_update_layout (LeanWindow *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self->toast_overlay));
  int height;

  if (width <= 0)
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  apply_layout (self, width);
}

/* A size asked for (a resize to a width the current panes do not fit)
 * takes the narrower layout first: laid out for the old width, the panes'
 * minimum would hold the window wider than asked. */
static void
on_default_width (LeanWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (self->pane == NULL || width <= 0 || gtk_window_is_maximized (GTK_WINDOW (self)) ||
      gtk_window_is_fullscreen (GTK_WINDOW (self)))
    return;
  if (layout_for_width (width) != self->layout)
    apply_layout (self, width);
}

static gboolean
update_layout_idle (gpointer data)
{
  LeanWindow *self = data;

  self->layout_idle = 0;
  _lean_window_update_layout (self);
  return G_SOURCE_REMOVE;
}

void
_lean_window_layout_allocated (LeanWindow *self,
                               int         width)
{
  /* Widgets are not shown or hidden during an allocation: next thing. */
  if (self->pane != NULL && layout_for_width (width) != self->layout && self->layout_idle == 0)
    self->layout_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_layout_idle, self, NULL);
}

static void
on_position (LeanWindow *self)
{
  int width = gtk_widget_get_width (self->paned);

  /* Only a drag is remembered, not the split placed here or moved by a
   * resize (which keeps the pane's width anyway). */
  if (self->setting_split || width <= 0 || !gtk_widget_get_visible (GTK_WIDGET (self->pane)) ||
      !gtk_widget_get_visible (self->spec_view) || self->layout_idle != 0 ||
      width != gtk_widget_get_width (self->paned))
    return;
  if (gtk_widget_get_width (GTK_WIDGET (self->pane)) <= 0)
    return;
  g_settings_set_int (self->settings, "session-pane-width",
                      width - gtk_paned_get_position (GTK_PANED (self->paned)));
}

/* ------------------------------------------------------------------ */
/* The pane                                                            */

gboolean
_lean_window_get_sessions_shown (LeanWindow *self)
{
  return self->pane != NULL && gtk_widget_get_visible (GTK_WIDGET (self->pane));
}

void
_lean_window_set_sessions_shown (LeanWindow *self,
                                 gboolean    shown)
{
  if (self->pane == NULL || shown == _lean_window_get_sessions_shown (self))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->pane), shown);
}

static void
on_pane_visible (LeanWindow *self)
{
  _lean_window_update_layout (self);
  g_object_notify (G_OBJECT (self), "sessions-shown");
  if (!gtk_widget_get_visible (GTK_WIDGET (self->pane)) && self->spec_view != NULL)
    gtk_widget_grab_focus (self->spec_view);
}

static void
on_session_started (LeanWindow          *self,
                    LeanSession         *session,
                    LeanImplementDialog *dialog)
{
  lean_session_pane_show_session (self->pane, session);
}

static void
on_ralph_requested (LeanWindow          *self,
                    LeanImplementDialog *dialog)
{
  g_autoptr(LeanSessionRequest) request = lean_implement_dialog_dup_request (dialog);
  LeanRalphSettings settings;
  gboolean critic;

  lean_implement_dialog_get_ralph (dialog, &settings, &critic);
  if (request != NULL)
    _lean_window_start_ralph (self, request, &settings, critic);
}

void
_lean_window_implement (LeanWindow *self)
{
  LeanSpec *spec;
  LeanController *controller;
  LeanImplementDialog *dialog;
  g_autoptr(GPtrArray) specs = NULL;

  if (self->spec_view == NULL || self->store == NULL ||
      (spec = lean_spec_view_get_spec (LEAN_SPEC_VIEW (self->spec_view))) == NULL)
    return;
  if ((controller = get_controller (self)) == NULL)
    return;

  specs = lean_spec_store_dup_specs (self->store);
  dialog = lean_implement_dialog_new (GTK_WINDOW (self), controller, NULL,
                                      lean_spec_store_get_project (self->store), spec, specs);
  g_signal_connect_object (dialog, "session-started", G_CALLBACK (on_session_started), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "ralph-requested", G_CALLBACK (on_ralph_requested), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
_lean_window_sessions_wrap (LeanWindow *self,
                            GtkWidget  *spec_view)
{
  GtkWidget *actions, *header, *content;

  g_return_val_if_fail (self->pane == NULL, NULL);

  /* The pane on the right of the spec, hidden until a session is shown. */
  self->pane = LEAN_SESSION_PANE (lean_session_pane_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->pane), FALSE);
  lean_session_pane_set_registry (self->pane, self->registry);
  if (self->controller != NULL)
    lean_session_pane_set_controller (self->pane, self->controller);

  self->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (self->paned), spec_view);
  gtk_paned_set_end_child (GTK_PANED (self->paned), GTK_WIDGET (self->pane));
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), TRUE);
  gtk_paned_set_resize_end_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (self->paned), FALSE);
  gtk_widget_set_hexpand (self->paned, TRUE);
  g_signal_connect_object (self->pane, "notify::visible", G_CALLBACK (on_pane_visible), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paned, "notify::position", G_CALLBACK (on_position), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::default-width", G_CALLBACK (on_default_width), NULL);

  /* Only the rightmost header bar shows the window's buttons. */
  header = lean_spec_view_get_header_bar (LEAN_SPEC_VIEW (spec_view));
  if (header != NULL)
    g_object_bind_property (self->pane, "visible", header, "show-end-title-buttons",
                            G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  /* "Implement with AI" is the spec's primary action. */
  self->implement_button = gtk_button_new ();
  content = _lean_window_squeezed_content ("system-run-symbolic", _("_Implement with AI"),
                                          _("_Implement"));
  gtk_button_set_child (GTK_BUTTON (self->implement_button), content);
  gtk_widget_add_css_class (self->implement_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->implement_button,
                               _("Start an AI coding agent on this spec (Ctrl+Shift+I)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->implement_button), "win.implement");

  self->sessions_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->sessions_button), "utilities-terminal-symbolic");
  gtk_widget_set_tooltip_text (self->sessions_button, _("Show Sessions (Ctrl+Shift+S)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->sessions_button), "win.show-sessions");

  actions = lean_spec_view_get_header_actions (LEAN_SPEC_VIEW (spec_view));
  if (actions != NULL)
    {
      gtk_box_append (GTK_BOX (actions), self->implement_button);
      _lean_window_validate_add_button (self, actions);
      gtk_box_append (GTK_BOX (actions), self->sessions_button);
    }

  /* Sessions already running in this process (another window started
   * them) get their tabs, and show. */
  if (self->controller != NULL && lean_controller_get_n_live (self->controller) > 0)
    gtk_widget_set_visible (GTK_WIDGET (self->pane), TRUE);

  return self->paned;
}

/* ------------------------------------------------------------------ */
/* Showing sessions again                                              */

static void reopen_check (LeanWindow *self);

static void
reopen_stop_waiting (LeanWindow *self)
{
  if (self->reopen_store != NULL)
    g_clear_signal_handler (&self->reopen_handler, self->reopen_store);
  g_clear_object (&self->reopen_store);
}

static void
reopen_show (LeanWindow *self)
{
  g_autoptr(GPtrArray) sessions = g_steal_pointer (&self->reopen);
  g_autofree char *selected_id = g_steal_pointer (&self->reopen_selected);
  LeanSession *selected = NULL;
  LeanSessionDb *db;

  if (self->controller == NULL)
    return;
  db = lean_controller_get_db (self->controller);
  for (guint i = 0; i < sessions->len; i++)
    {
      LeanSession *session = g_ptr_array_index (sessions, i);

      if (selected == NULL || g_strcmp0 (lean_session_get_id (session), selected_id) == 0)
        selected = session;
    }
  /* Selecting the spec makes the spec view and with it the pane. */
  if (selected == NULL || !lean_window_select_spec (self, lean_session_get_spec_id (selected)) ||
      self->pane == NULL)
    return;

  for (guint i = 0; i < sessions->len; i++)
    if (g_ptr_array_index (sessions, i) != selected)
      lean_session_pane_open_log (self->pane, db, g_ptr_array_index (sessions, i));
  lean_session_pane_open_log (self->pane, db, selected);
}

static void
reopen_check (LeanWindow *self)
{
  reopen_stop_waiting (self);
  if (self->reopen == NULL)
    return;
  if (self->store == NULL)
    return;  /* notify::store brings us back */
  if (lean_spec_store_get_loading (self->store))
    {
      self->reopen_store = g_object_ref (self->store);
      self->reopen_handler = g_signal_connect_object (self->store, "notify::loading",
                                                      G_CALLBACK (reopen_check), self,
                                                      G_CONNECT_SWAPPED);
      return;
    }
  g_signal_handlers_disconnect_by_func (self, reopen_check, NULL);
  reopen_show (self);
}

void
_lean_window_show_sessions (LeanWindow *self,
                            GPtrArray  *sessions,
                            const char *selected_id)
{
  g_return_if_fail (LEAN_IS_WINDOW (self));
  g_return_if_fail (sessions != NULL && sessions->len > 0);

  g_clear_pointer (&self->reopen, g_ptr_array_unref);
  g_free (self->reopen_selected);
  self->reopen = g_ptr_array_ref (sessions);
  self->reopen_selected = g_strdup (selected_id);
  g_signal_handlers_disconnect_by_func (self, reopen_check, NULL);
  /* At once when the project is loaded, else when it is: a project still
   * opening gets its store first, then loads it. */
  g_signal_connect (self, "notify::store", G_CALLBACK (reopen_check), NULL);
  reopen_check (self);
}

/* ------------------------------------------------------------------ */
/* Session History                                                     */

static void
on_history_open_session (LeanWindow       *self,
                         LeanSession      *session,
                         LeanSessionsView *view)
{
  LeanController *controller = get_controller (self);

  if (controller == NULL)
    return;
  /* Show the session's spec when it is in this project: that also makes
   * the spec view, and with it the pane, when none was open yet. */
  lean_window_select_spec (self, lean_session_get_spec_id (session));
  if (self->pane == NULL)
    {
      lean_window_add_toast (self, adw_toast_new (_("Open the session's project to see its log")));
      return;
    }
  lean_session_pane_open_log (self->pane, lean_controller_get_db (controller), session);
  gtk_window_present (GTK_WINDOW (self));
}

GtkWindow *
_lean_window_show_history (LeanWindow *self)
{
  LeanController *controller;
  GtkWidget *box, *header, *view;
  GtkEventController *shortcuts;

  g_return_val_if_fail (LEAN_IS_WINDOW (self), NULL);

  if ((controller = get_controller (self)) == NULL)
    return NULL;

  if (self->history != NULL)
    {
      gtk_window_present (self->history);
      return self->history;
    }

  self->history = GTK_WINDOW (adw_window_new ());
  g_object_add_weak_pointer (G_OBJECT (self->history), (gpointer *) &self->history);
  gtk_window_set_title (self->history, _("Session History"));
  gtk_window_set_default_size (self->history, 960, 560);
  gtk_window_set_transient_for (self->history, GTK_WINDOW (self));
  gtk_window_set_hide_on_close (self->history, FALSE);

  /* Escape closes it, as it does a dialog, wherever the focus is (the
   * search entry would take it for itself). */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (self->history), shortcuts);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  view = lean_sessions_view_new ();
  gtk_widget_set_vexpand (view, TRUE);
  lean_sessions_view_set_db (LEAN_SESSIONS_VIEW (view), lean_controller_get_db (controller));
  g_signal_connect_object (view, "open-session", G_CALLBACK (on_history_open_session), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), view);
  adw_window_set_content (ADW_WINDOW (self->history), box);

  gtk_window_present (self->history);
  return self->history;
}

/* ------------------------------------------------------------------ */
/* Worktrees of ended sessions                                         */

static void
on_worktrees_listed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LeanWindow) self = user_data;
  g_autoptr(GPtrArray) list = lean_session_worktrees_list_finish (result, NULL);
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;
  guint ended = 0;
  guint64 bytes = 0;

  self->worktrees_checking = FALSE;
  /* A listing that failed says nothing: the Worktrees page shows why. */
  if (list == NULL || self->worktrees_pointed_out ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  for (guint i = 0; i < list->len; i++)
    {
      LeanSessionWorktree *worktree = g_ptr_array_index (list, i);

      if (worktree->ended)
        {
          ended++;
          bytes += worktree->bytes;
        }
    }
  if (ended < LEAN_WORKTREES_HINT_COUNT && bytes < LEAN_WORKTREES_HINT_BYTES)
    return;

  self->worktrees_pointed_out = TRUE;
  size = g_format_size (bytes);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u worktree of ended sessions is left (%s)",
                                       "%u worktrees of ended sessions are left (%s)", ended),
                          ended, size);
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("_Review"));
  adw_toast_set_action_name (toast, "app.worktrees");
  adw_toast_set_timeout (toast, 10);
  lean_window_add_toast (self, toast);
}

void
_lean_window_check_worktrees (LeanWindow *self)
{
  g_return_if_fail (LEAN_IS_WINDOW (self));

  if (self->controller == NULL || self->worktrees_pointed_out || self->worktrees_checking)
    return;
  if (!self->worktrees_watching)
    {
      self->worktrees_watching = TRUE;
      g_signal_connect_object (self->controller, "session-ended",
                               G_CALLBACK (_lean_window_check_worktrees), self,
                               G_CONNECT_SWAPPED);
    }
  self->worktrees_checking = TRUE;
  lean_session_worktrees_list_async (lean_controller_get_db (self->controller), NULL,
                                     on_worktrees_listed, g_object_ref (self));
}

void
_lean_window_sessions_dispose (LeanWindow *self)
{
  g_clear_handle_id (&self->layout_idle, g_source_remove);
  reopen_stop_waiting (self);
  g_clear_pointer (&self->reopen, g_ptr_array_unref);
  g_clear_pointer (&self->reopen_selected, g_free);
  if (self->history != NULL)
    {
      GtkWindow *history = self->history;

      g_object_remove_weak_pointer (G_OBJECT (history), (gpointer *) &self->history);
      self->history = NULL;
      gtk_window_destroy (history);
    }
}
