/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-app-sessions.h"
#include "lean-session-pane.h"
#include "lean-session-ui-private.h"
#include "lean-window-sessions.h"

#define CONFIRMED_KEY "lean-app-sessions-confirmed"
/* Agents normally end within a moment of SIGTERM; one that does not is
 * killed by the controller's kill delay, or at shutdown at the latest. */
#define DEFAULT_STOP_TIMEOUT_MS 3000
#define REOPEN_TIMEOUT_MS 15000

static GtkApplication *the_app;        /* weak */
static gboolean holding;
static guint stop_timeout_ms = DEFAULT_STOP_TIMEOUT_MS;
/* Sessions that were running when the last window closed. */
static GPtrArray *background;
static LeanController *watched;        /* weak */

static void watch_controller (LeanController *controller);

static GList *
main_windows (GtkApplication *app)
{
  GList *result = NULL;

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
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
live_controller (void)
{
  LeanController *controller = _lean_session_ui_peek_controller ();

  if (controller == NULL || lean_controller_get_n_live (controller) == 0)
    return NULL;
  return controller;
}

static void
release_hold (void)
{
  if (!holding)
    return;
  holding = FALSE;
  if (the_app != NULL)
    g_application_release (G_APPLICATION (the_app));
}

static const char *
agent_name (LeanSession *session)
{
  LeanAgent *agent = lean_agent_registry_lookup (_lean_session_ui_get_registry (),
                                                 lean_session_get_agent_id (session));

  return agent != NULL ? lean_agent_get_name (agent) : lean_session_get_agent_id (session);
}

static void
notify_ended (LeanSession *session)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  LeanSessionState state = lean_session_get_state (session);
  const char *title;

  if (the_app == NULL || !g_application_get_is_registered (G_APPLICATION (the_app)))
    return;

  if (state == LEAN_SESSION_STATE_COMPLETED)
    title = _("Session Completed");
  else if (state == LEAN_SESSION_STATE_FAILED)
    title = _("Session Failed");
  else if (state == LEAN_SESSION_STATE_CANCELLED)
    title = _("Session Cancelled");
  else
    title = _("Session Interrupted");

  /* The same id as the session pane's notifications, so one session never
   * shows twice. */
  id = g_strdup_printf ("session-%s", lean_session_get_id (session));
  /* Translators: "Claude Code on 012-habit-api" */
  body = g_strdup_printf (_("%s on %s"), agent_name (session), lean_session_get_spec_id (session));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (state == LEAN_SESSION_STATE_FAILED)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-session", "s",
                                                lean_session_get_id (session));
  g_application_send_notification (G_APPLICATION (the_app), id, notification);
}

static void
on_session_ended (LeanController *controller,
                  LeanSession    *session)
{
  g_autoptr(GList) windows = NULL;

  if (the_app == NULL)
    return;

  /* With a window open, its session pane tells the person. */
  windows = main_windows (the_app);
  if (windows == NULL && background != NULL)
    for (guint i = 0; i < background->len; i++)
      if (g_ptr_array_index (background, i) == session)
        notify_ended (session);

  if (count_running (controller) == 0)
    release_hold ();
}

static void
watch_controller (LeanController *controller)
{
  if (watched == controller)
    return;
  if (watched != NULL)
    {
      g_signal_handlers_disconnect_by_func (watched, on_session_ended, NULL);
      g_object_remove_weak_pointer (G_OBJECT (watched), (gpointer *) &watched);
    }
  watched = controller;
  g_object_add_weak_pointer (G_OBJECT (watched), (gpointer *) &watched);
  g_signal_connect (watched, "session-ended", G_CALLBACK (on_session_ended), NULL);
}

/* ---- Stop ---- */

typedef struct
{
  LeanController *controller;
  GPtrArray      *windows;  /* LeanWindow refs to close */
  gboolean        quitting;
  gulong          ended_id;
  guint           timeout_id;
} Stopping;

static void
finish_stopping (Stopping *s)
{
  g_clear_handle_id (&s->timeout_id, g_source_remove);
  g_clear_signal_handler (&s->ended_id, s->controller);

  if (s->quitting)
    release_hold ();

  for (guint i = 0; i < s->windows->len; i++)
    {
      GtkWindow *window = g_ptr_array_index (s->windows, i);

      g_object_set_data (G_OBJECT (window), CONFIRMED_KEY, GINT_TO_POINTER (TRUE));
      gtk_widget_set_sensitive (GTK_WIDGET (window), TRUE);
      gtk_window_close (window);
    }
  /* Agents that ignored SIGTERM are killed at shutdown (the controller's
   * dispose). */
  if (s->quitting && the_app != NULL)
    g_application_quit (G_APPLICATION (the_app));

  g_ptr_array_unref (s->windows);
  g_object_unref (s->controller);
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
stop_and_close (LeanController *controller,
                GList          *windows,
                gboolean        quitting)
{
  Stopping *s = g_new0 (Stopping, 1);

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
  s->timeout_id = g_timeout_add (stop_timeout_ms, on_stopping_timeout, s);
}

/* ---- Keep running ---- */

static void
keep_in_background (LeanController *controller,
                    LeanWindow     *window)
{
  GListModel *sessions = lean_controller_get_sessions (controller);

  if (background == NULL)
    background = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      if (!lean_session_state_is_final (lean_session_get_state (session)) &&
          !g_ptr_array_find (background, session, NULL))
        g_ptr_array_add (background, g_object_ref (session));
    }

  watch_controller (controller);
  if (!holding && the_app != NULL)
    {
      g_application_hold (G_APPLICATION (the_app));
      holding = TRUE;
    }
  g_object_set_data (G_OBJECT (window), CONFIRMED_KEY, GINT_TO_POINTER (TRUE));
  gtk_window_close (GTK_WINDOW (window));
}

/* ---- The question ---- */

typedef struct
{
  LeanWindow *window;
  gboolean    quitting;
} Asking;

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             Asking           *a)
{
  LeanController *controller = live_controller ();
  g_autoptr(GList) windows = NULL;

  /* The sessions may have ended while the question was open. */
  if (g_str_equal (response, "cancel"))
    return;

  if (g_str_equal (response, "keep"))
    {
      if (controller != NULL)
        keep_in_background (controller, a->window);
      else
        {
          g_object_set_data (G_OBJECT (a->window), CONFIRMED_KEY, GINT_TO_POINTER (TRUE));
          gtk_window_close (GTK_WINDOW (a->window));
        }
      return;
    }

  /* "stop" */
  if (a->quitting && the_app != NULL)
    windows = main_windows (the_app);
  else
    windows = g_list_prepend (NULL, a->window);
  if (controller == NULL)
    controller = _lean_session_ui_peek_controller ();
  if (controller != NULL)
    stop_and_close (controller, windows, a->quitting);
}

static void
asking_free (gpointer data)
{
  Asking *a = data;

  g_object_unref (a->window);
  g_free (a);
}

static AdwMessageDialog *
ask (LeanWindow *window,
     guint       n_live,
     gboolean    quitting)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  Asking *a;

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Session Is Still Running",
                                          "%u Sessions Are Still Running", n_live), n_live);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window), heading, NULL));
  if (quitting)
    {
      adw_message_dialog_set_body (dialog,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Quitting stops its agent.",
                                                "Quitting stops their agents.", n_live));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "stop", _("_Stop and Quit"),
                                        NULL);
    }
  else
    {
      adw_message_dialog_set_body (dialog,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Keep it running in the background to get a "
                                                "notification when it ends, or stop its agent now.",
                                                "Keep them running in the background to get a "
                                                "notification as each ends, or stop their "
                                                "agents now.",
                                                n_live));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "stop", g_dngettext (GETTEXT_PACKAGE, "_Stop Session",
                                                             "_Stop Sessions", n_live),
                                        "keep", _("_Keep Running in Background"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "keep", ADW_RESPONSE_SUGGESTED);
    }
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  a = g_new0 (Asking, 1);
  a->window = g_object_ref (window);
  a->quitting = quitting;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response), a,
                         (GClosureNotify) (void (*) (void)) asking_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

gboolean
lean_app_sessions_close_request (LeanWindow *window)
{
  LeanController *controller;
  GtkApplication *app;
  g_autoptr(GList) windows = NULL;

  g_return_val_if_fail (LEAN_IS_WINDOW (window), FALSE);

  if (g_object_get_data (G_OBJECT (window), CONFIRMED_KEY) != NULL)
    return FALSE;
  if ((controller = live_controller ()) == NULL)
    return FALSE;

  /* Another main window still shows the sessions. */
  app = gtk_window_get_application (GTK_WINDOW (window));
  if (app != NULL)
    {
      windows = main_windows (app);
      if (g_list_length (windows) > 1)
        return FALSE;
    }

  ask (window, lean_controller_get_n_live (controller), FALSE);
  return TRUE;
}

void
lean_app_sessions_quit (GtkApplication *app)
{
  LeanController *controller = live_controller ();
  g_autoptr(GList) windows = main_windows (app);
  GtkWindow *active = gtk_application_get_active_window (app);

  if (controller != NULL && windows != NULL)
    {
      ask (LEAN_IS_WINDOW (active) ? LEAN_WINDOW (active) : windows->data,
           lean_controller_get_n_live (controller), TRUE);
      return;
    }
  if (controller != NULL)
    {
      /* No window to ask in: quitting stops them. */
      stop_and_close (controller, NULL, TRUE);
      return;
    }

  /* Close windows the normal way so each saves its size and state. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  release_hold ();
}

/* ---- Showing sessions again ---- */

typedef struct
{
  LeanWindow *window;
  GPtrArray  *sessions;
  char       *selected_id;
  gint64      deadline;
} Reopening;

static void
reopening_free (Reopening *r)
{
  g_clear_weak_pointer (&r->window);
  g_ptr_array_unref (r->sessions);
  g_free (r->selected_id);
  g_free (r);
}

static gboolean
show_when_loaded (gpointer data)
{
  Reopening *r = data;
  LeanSpecStore *store;
  LeanController *controller = _lean_session_ui_peek_controller ();
  LeanSessionPane *pane;
  LeanSession *selected = NULL;

  if (r->window == NULL || controller == NULL)
    return G_SOURCE_REMOVE;
  store = lean_window_get_store (r->window);
  if ((store == NULL || lean_spec_store_get_loading (store)) &&
      g_get_monotonic_time () < r->deadline)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < r->sessions->len; i++)
    {
      LeanSession *session = g_ptr_array_index (r->sessions, i);

      if (selected == NULL || g_strcmp0 (lean_session_get_id (session), r->selected_id) == 0)
        selected = session;
    }
  /* Selecting the spec makes the spec view and with it the pane. */
  if (selected == NULL || !lean_window_select_spec (r->window, lean_session_get_spec_id (selected)))
    return G_SOURCE_REMOVE;
  if ((pane = lean_window_sessions_get_pane (r->window)) == NULL)
    return G_SOURCE_REMOVE;
  if (lean_session_pane_get_controller (pane) == NULL)
    lean_session_pane_set_controller (pane, controller);

  for (guint i = 0; i < r->sessions->len; i++)
    if (g_ptr_array_index (r->sessions, i) != selected)
      lean_session_pane_open_log (pane, lean_controller_get_db (controller),
                                  g_ptr_array_index (r->sessions, i));
  lean_session_pane_open_log (pane, lean_controller_get_db (controller), selected);
  return G_SOURCE_REMOVE;
}

static void
show_sessions (GtkApplication *app,
               GPtrArray      *sessions,
               const char     *selected_id)
{
  g_autoptr(GList) windows = main_windows (app);
  LeanWindow *window = NULL;
  LeanSession *first = g_ptr_array_index (sessions, 0);
  const char *project = lean_session_get_project_path (first);
  Reopening *r;

  for (GList *l = windows; l != NULL; l = l->next)
    if (g_strcmp0 (lean_window_get_project_root (l->data), project) == 0)
      window = l->data;
  if (window == NULL)
    {
      window = lean_window_new (ADW_APPLICATION (app));
      if (project != NULL)
        lean_window_open_project (window, project);
    }
  gtk_window_present (GTK_WINDOW (window));

  r = g_new0 (Reopening, 1);
  g_set_weak_pointer (&r->window, window);
  r->sessions = g_ptr_array_ref (sessions);
  r->selected_id = g_strdup (selected_id);
  r->deadline = g_get_monotonic_time () + REOPEN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  /* At once when the window has the project loaded (a notification
   * clicked while it is open), else when it has. */
  if (show_when_loaded (r) == G_SOURCE_REMOVE)
    reopening_free (r);
  else
    g_timeout_add_full (G_PRIORITY_DEFAULT, 50, show_when_loaded, r,
                        (GDestroyNotify) reopening_free);
}

gboolean
lean_app_sessions_reopen (GtkApplication *app)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_val_if_fail (GTK_IS_APPLICATION (app), FALSE);

  if (background == NULL || background->len == 0)
    return FALSE;
  /* Shown in a window again: from here on its pane tells what happens. */
  sessions = g_steal_pointer (&background);
  show_sessions (app, sessions, NULL);
  return TRUE;
}

static void
show_session_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *id = g_variant_get_string (param, NULL);
  LeanController *controller = _lean_session_ui_peek_controller ();
  g_autoptr(GPtrArray) sessions = NULL;
  LeanSession *session;

  if (background != NULL && background->len > 0)
    {
      sessions = g_steal_pointer (&background);
      show_sessions (app, sessions, id);
      return;
    }
  if (controller == NULL || (session = lean_controller_lookup (controller, id)) == NULL)
    {
      g_application_activate (G_APPLICATION (app));
      return;
    }
  sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (sessions, g_object_ref (session));
  show_sessions (app, sessions, id);
}

static void
on_shutdown (GApplication *app)
{
  LeanController *controller = live_controller ();

  /* The last resort: the controller's dispose kills what still runs (its
   * process group) and records it as cancelled. */
  if (controller != NULL)
    g_object_run_dispose (G_OBJECT (controller));
  g_clear_pointer (&background, g_ptr_array_unref);
}

void
lean_app_sessions_init (GtkApplication *app)
{
  static const GActionEntry actions[] = {
    { "show-session", show_session_action, "s" },
  };

  g_return_if_fail (GTK_IS_APPLICATION (app));

  g_set_weak_pointer (&the_app, app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown), NULL);
}

gboolean
_lean_app_sessions_get_holding (void)
{
  return holding;
}

void
_lean_app_sessions_set_stop_timeout (guint msec)
{
  stop_timeout_ms = msec;
}
