/* SPDX-License-Identifier: MIT */
/* LeanApplication's session parts: what closing the last window or
 * quitting means while sessions of this process run, sessions kept in the
 * background, the notifications sent for them, and what a session starting
 * does to its spec.
 *
 * Closing the last main window asks (lean-close-dialog.c): stop the
 * sessions (cancel, wait a little for them to end, close), keep them
 * running in the background (the window closes, the application holds
 * itself until the last one ends and sends a notification as each ends;
 * activating the application again opens a window on them), or cancel.
 * Quitting asks too, and always stops them. Whatever is still alive at
 * shutdown is killed by disposing the controller, so an agent is never
 * orphaned.
 *
 * What a session does to its spec (in-progress when its agent starts, back
 * when the agent could not begin) is the LeanSpecStatusFollower the
 * application connects to its controller. */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-application-private.h"
#include "lean-close-dialog.h"
#include "lean-session-pane.h"
#include "lean-session-ui-private.h"
#include "lean-spec-status-follower.h"
#include "lean-window-private.h"

/* Agents normally end within a moment of SIGTERM; one that does not is
 * killed by the controller's kill delay, or at shutdown at the latest. */
#define DEFAULT_STOP_TIMEOUT_MS 3000

static GList *
main_windows (LeanApplication *self)
{
  GList *result = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (LEAN_IS_WINDOW (l->data))
      result = g_list_prepend (result, l->data);
  return result;
}

/* Not lean_controller_get_n_live(): within "session-ended" the ending
 * session is still counted there. */
static guint
count_running (LeanController *controller)
{
  GListModel *sessions = lean_controller_get_sessions (controller);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      if (!lean_session_state_is_final (lean_session_get_state (session)))
        n++;
    }
  return n;
}

static LeanController *
live_controller (LeanApplication *self)
{
  if (self->controller == NULL || lean_controller_get_n_live (self->controller) == 0)
    return NULL;
  return self->controller;
}

static void
release_hold (LeanApplication *self)
{
  if (!self->holding)
    return;
  self->holding = FALSE;
  g_application_release (G_APPLICATION (self));
}

static void
notify_ended (LeanApplication *self,
              LeanSession     *session)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  if (!g_application_get_is_registered (G_APPLICATION (self)))
    return;
  notification = _lean_session_ui_new_notification (session, self->registry, FALSE, &id, NULL);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* ---- In progress when work starts ---- */

/* The follower edits specs of open projects through their store, so the
 * views update at once; others it reads and writes itself. */
static LeanSpecStore *
lookup_store (const char *project_path,
              gpointer    user_data)
{
  LeanApplication *self = user_data;

  return self->stores ? g_hash_table_lookup (self->stores, project_path) : NULL;
}

static void
follow_spec_status (LeanApplication *self,
                    LeanController  *controller)
{
  g_clear_object (&self->spec_status);
  self->spec_status = lean_spec_status_follower_new (controller);
  lean_spec_status_follower_set_store_func (self->spec_status, lookup_store, self, NULL);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "set-in-progress-on-start", self->spec_status,
                     "always-set-in-progress", G_SETTINGS_BIND_GET);
}

/* ---- Following the controller ---- */

static void
track (LeanApplication *self,
       LeanSession     *session)
{
  const char *project = lean_session_get_project_path (session);

  if (project != NULL)
    lean_spec_activity_track (lean_application_get_activity (self, project), session);
}

static void
on_session_added (LeanApplication *self,
                  LeanSession     *session,
                  LeanController  *controller)
{
  track (self, session);
}

static void
on_session_ended (LeanApplication *self,
                  LeanSession     *session,
                  LeanController  *controller)
{
  g_autoptr(GList) windows = main_windows (self);

  /* With a window open, its session pane tells the person. */
  if (windows == NULL && self->background != NULL &&
      g_ptr_array_find (self->background, session, NULL))
    notify_ended (self, session);

  if (count_running (controller) == 0)
    release_hold (self);
}

void
_lean_application_sessions_watch (LeanApplication *self,
                                  LeanController  *controller)
{
  GListModel *sessions = lean_controller_get_sessions (controller);

  follow_spec_status (self, controller);
  g_signal_connect_object (controller, "session-added", G_CALLBACK (on_session_added), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "session-ended", G_CALLBACK (on_session_ended), self,
                           G_CONNECT_SWAPPED);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      track (self, session);
    }
}

/* ---- Stop ---- */

typedef struct
{
  LeanApplication *app;
  LeanController  *controller;
  GPtrArray       *windows;  /* LeanWindow refs to close */
  gboolean         quitting;
  gulong           ended_id;
  guint            timeout_id;
} Stopping;

static void
finish_stopping (Stopping *s)
{
  g_clear_handle_id (&s->timeout_id, g_source_remove);
  g_clear_signal_handler (&s->ended_id, s->controller);

  if (s->quitting)
    release_hold (s->app);

  for (guint i = 0; i < s->windows->len; i++)
    {
      LeanWindow *window = g_ptr_array_index (s->windows, i);

      window->close_confirmed = TRUE;
      gtk_widget_set_sensitive (GTK_WIDGET (window), TRUE);
      gtk_window_close (GTK_WINDOW (window));
    }
  /* Agents that ignored SIGTERM are killed at shutdown (the controller's
   * dispose). */
  if (s->quitting)
    g_application_quit (G_APPLICATION (s->app));

  g_ptr_array_unref (s->windows);
  g_object_unref (s->controller);
  g_object_unref (s->app);
  g_free (s);
}

static void
on_stopping_ended (LeanController *controller,
                   LeanSession    *session,
                   Stopping       *s)
{
  if (count_running (controller) == 0)
    finish_stopping (s);
}

static gboolean
on_stopping_timeout (gpointer data)
{
  Stopping *s = data;

  s->timeout_id = 0;
  finish_stopping (s);
  return G_SOURCE_REMOVE;
}

static void
stop_and_close (LeanApplication *self,
                LeanController  *controller,
                GList           *windows,
                gboolean         quitting)
{
  Stopping *s = g_new0 (Stopping, 1);

  s->app = g_object_ref (self);
  s->controller = g_object_ref (controller);
  s->quitting = quitting;
  s->windows = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = windows; l != NULL; l = l->next)
    {
      g_ptr_array_add (s->windows, g_object_ref (l->data));
      /* Nothing more to click while the agents stop; say why. */
      gtk_widget_set_sensitive (GTK_WIDGET (l->data), FALSE);
      lean_window_add_toast (l->data, adw_toast_new (_("Stopping sessions…")));
    }

  lean_controller_cancel_all (controller, quitting ? _("Stopped because the application quit.")
                                                   : _("Stopped when the window was closed."));
  if (lean_controller_get_n_live (controller) == 0)
    {
      finish_stopping (s);
      return;
    }
  s->ended_id = g_signal_connect (controller, "session-ended",
                                  G_CALLBACK (on_stopping_ended), s);
  s->timeout_id = g_timeout_add (self->stop_timeout_ms, on_stopping_timeout, s);
}

/* ---- Keep running ---- */

static void
keep_in_background (LeanApplication *self,
                    LeanController  *controller,
                    LeanWindow      *window)
{
  GListModel *sessions = lean_controller_get_sessions (controller);

  if (self->background == NULL)
    self->background = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      if (!lean_session_state_is_final (lean_session_get_state (session)) &&
          !g_ptr_array_find (self->background, session, NULL))
        g_ptr_array_add (self->background, g_object_ref (session));
    }

  if (!self->holding)
    {
      g_application_hold (G_APPLICATION (self));
      self->holding = TRUE;
    }
  window->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (window));
}

/* ---- The question ---- */

typedef struct
{
  LeanApplication *app;
  LeanWindow      *window;
  gboolean         quitting;
} Asking;

static void
asking_free (Asking *a)
{
  g_object_unref (a->window);
  g_object_unref (a->app);
  g_free (a);
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Asking *a = user_data;
  LeanApplication *self = a->app;
  LeanCloseResponse answer = _lean_close_dialog_finish (result, NULL);
  LeanController *controller = live_controller (self);
  g_autoptr(GList) windows = NULL;

  g_clear_object (&self->asking);

  /* The sessions may have ended while the question was open. */
  if (answer == LEAN_CLOSE_KEEP)
    {
      if (controller != NULL)
        keep_in_background (self, controller, a->window);
      else
        {
          a->window->close_confirmed = TRUE;
          gtk_window_close (GTK_WINDOW (a->window));
        }
    }
  else if (answer == LEAN_CLOSE_STOP)
    {
      if (a->quitting)
        windows = main_windows (self);
      else
        windows = g_list_prepend (NULL, a->window);
      if (self->controller != NULL)
        stop_and_close (self, self->controller, windows, a->quitting);
    }
  asking_free (a);
}

static void
ask (LeanApplication *self,
     LeanWindow      *window,
     guint            n_live,
     gboolean         quitting)
{
  Asking *a;

  /* One question at a time: Ctrl+Q twice must not stack dialogs. */
  if (self->asking != NULL)
    return;

  a = g_new0 (Asking, 1);
  a->app = g_object_ref (self);
  a->window = g_object_ref (window);
  a->quitting = quitting;
  self->asking = g_cancellable_new ();
  _lean_close_dialog_run_async (GTK_WINDOW (window), n_live, quitting, self->asking,
                                on_answer, a);
}

gboolean
_lean_application_close_request (LeanApplication *self,
                                 LeanWindow      *window)
{
  LeanController *controller;
  g_autoptr(GList) windows = NULL;

  g_return_val_if_fail (LEAN_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (LEAN_IS_WINDOW (window), FALSE);

  if (window->close_confirmed)
    return FALSE;
  if ((controller = live_controller (self)) == NULL)
    return FALSE;

  /* Another main window still shows the sessions. */
  windows = main_windows (self);
  if (g_list_length (windows) > 1)
    return FALSE;

  ask (self, window, lean_controller_get_n_live (controller), FALSE);
  return TRUE;
}

void
_lean_application_quit (LeanApplication *self)
{
  LeanController *controller = live_controller (self);
  g_autoptr(GList) windows = main_windows (self);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (controller != NULL && windows != NULL)
    {
      ask (self, LEAN_IS_WINDOW (active) ? LEAN_WINDOW (active) : windows->data,
           lean_controller_get_n_live (controller), TRUE);
      return;
    }
  if (controller != NULL)
    {
      /* No window to ask in: quitting stops them. */
      stop_and_close (self, controller, NULL, TRUE);
      return;
    }

  /* Close windows the normal way so each saves its size and state. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  release_hold (self);
}

/* ---- Showing sessions again ---- */

static void
show_sessions (LeanApplication *self,
               GPtrArray       *sessions,
               const char      *selected_id)
{
  g_autoptr(GList) windows = main_windows (self);
  LeanWindow *window = NULL;
  LeanSession *first = g_ptr_array_index (sessions, 0);
  const char *project = lean_session_get_project_path (first);

  for (GList *l = windows; l != NULL; l = l->next)
    if (g_strcmp0 (lean_window_get_project_root (l->data), project) == 0)
      window = l->data;
  if (window == NULL)
    {
      window = lean_window_new (ADW_APPLICATION (self));
      if (project != NULL)
        lean_window_open_project (window, project);
    }
  gtk_window_present (GTK_WINDOW (window));
  /* At once when the window has the project loaded (a notification
   * clicked while it is open), else as soon as it has. */
  _lean_window_show_sessions (window, sessions, selected_id);
}

gboolean
_lean_application_reopen (LeanApplication *self)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_val_if_fail (LEAN_IS_APPLICATION (self), FALSE);

  if (self->background == NULL || self->background->len == 0)
    return FALSE;
  /* Shown in a window again: from here on its pane tells what happens. */
  sessions = g_steal_pointer (&self->background);
  show_sessions (self, sessions, NULL);
  return TRUE;
}

static void
show_session_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  LeanApplication *self = user_data;
  const char *id = g_variant_get_string (param, NULL);
  g_autoptr(GPtrArray) sessions = NULL;
  LeanSession *session;

  if (self->background != NULL && self->background->len > 0)
    {
      sessions = g_steal_pointer (&self->background);
      show_sessions (self, sessions, id);
      return;
    }
  if (self->controller == NULL ||
      (session = lean_controller_lookup (self->controller, id)) == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      return;
    }
  sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (sessions, g_object_ref (session));
  show_sessions (self, sessions, id);
}

void
_lean_application_sessions_shutdown (LeanApplication *self)
{
  g_cancellable_cancel (self->asking);
  /* The last resort: the controller's dispose kills what still runs (its
   * process group) and records it as cancelled. */
  if (live_controller (self) != NULL)
    {
      lean_controller_cancel_all (self->controller, _("The application quit"));
      g_object_run_dispose (G_OBJECT (self->controller));
    }
  g_clear_pointer (&self->background, g_ptr_array_unref);
}

void
_lean_application_sessions_init (LeanApplication *self)
{
  static const GActionEntry actions[] = {
    { "show-session", show_session_action, "s" },
  };

  self->stop_timeout_ms = DEFAULT_STOP_TIMEOUT_MS;
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

gboolean
_lean_application_get_holding (LeanApplication *self)
{
  return self->holding;
}

void
_lean_application_set_stop_timeout (LeanApplication *self,
                                    guint            msec)
{
  self->stop_timeout_ms = msec;
}
