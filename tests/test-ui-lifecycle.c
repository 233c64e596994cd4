/* SPDX-License-Identifier: MIT */
/* Closing the window and quitting while sessions run, for real under Xvfb:
 * the question, Stop (the agent's process is gone, the session cancelled in
 * the database), Keep Running in Background (the window closes, the
 * application stays held, a notification says when the session ends, the
 * hold is released and activating the app shows the session again), Cancel,
 * Quit, and the last resort: disposing the controller kills an agent that
 * ignores SIGTERM. */
#include "config.h"

#include <string.h>

#include "lean-application-private.h"
#include "lean-application.h"
#include "lean-session-pane.h"
#include "lean-session-ui-private.h"
#include "lean-window-private.h"
#include "lean-application-private.h"
#include "test-session-util.h"
#include "ui-test-util.h"

static LeanApplication *app;

typedef struct
{
  char           *project;
  char           *db_path;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanWindow     *window;   /* weak: the tests close it */
} Fixture;

/* "title: body [default action]" of every notification sent. */
static GPtrArray *notifications;

static gboolean
store_loaded (gpointer data)
{
  LeanWindow *window = data;
  LeanSpecStore *store = lean_window_get_store (window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  f->project = ui_test_copy_tree (demo);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "slow", agent, "text", "--ready", "--text", "--sleep", "30", NULL);
  test_add_agent (b, "stubborn", agent, "text", "--ignore-term", "--ready", "--sleep", "30",
                  NULL);
  test_add_agent (b, "short", agent, "claude-stream-json", "--ready", "--sleep", "1.5",
                  "--stream-json", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (f->project, ".lean-spec/runners.json", json);
  test_trust_runners (f->project);

  f->db_path = g_build_filename (f->project, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 5000);
  _lean_application_set_controller (app, f->controller);
  _lean_application_set_stop_timeout (app, 3000);

  g_set_weak_pointer (&f->window, lean_window_new (ADW_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f->window, 10000));
  ui_test_settle (100);
  g_ptr_array_set_size (notifications, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GList *windows;

  ui_test_stop_sessions (f->controller, 8000);
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  ui_test_settle (50);
  g_assert_false (_lean_application_get_holding (app));
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  ui_test_remove_tree (f->project);
  g_free (f->db_path);
  g_free (f->project);
}

static LeanSession *
start (Fixture    *f,
       const char *agent,
       const char *spec)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup (spec);
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement the spec");
  request->set_in_progress = FALSE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  /* Its output as the controller logs it, for the conditions below. */
  g_object_set_data_full (G_OBJECT (session), "test-log",
                          g_object_ref (lean_controller_get_log (f->controller, session)),
                          g_object_unref);
  return session;
}

typedef struct
{
  LeanSession      *session;
  LeanSessionState  state;
} Wait;

static gboolean
in_state (gpointer data)
{
  Wait *w = data;
  return lean_session_get_state (w->session) == w->state;
}

static gboolean
has_agent_pid (gpointer data)
{
  LeanSessionLog *log = g_object_get_data (data, "test-log");

  return lean_session_get_agent_pid (data) > 0 &&
         lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY) > 0;
}

/* No process, or only a zombie about to be reaped. */
static gboolean
process_gone (gpointer data)
{
  int pid = GPOINTER_TO_INT (data);
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}

static gboolean
dialog_shown (gpointer data)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
window_gone (gpointer data)
{
  Fixture *f = data;
  return f->window == NULL;
}

static LeanSessionState
stored_state (Fixture     *f,
              LeanSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) stored = NULL;

  lean_session_db_flush (f->db);
  stored = lean_session_db_lookup (f->db, lean_session_get_id (session), &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return lean_session_get_state (stored);
}

/* What a click on a button of the question does: the response, then the
 * dialog closes. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (GTK_WINDOW (dialog));
}

/* Closes the window, which asks; returns the question. */
static AdwMessageDialog *
close_and_ask (Fixture    *f,
               const char *shot_name,
               guint       n_live)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *shot = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "window.close", NULL));
  g_assert_true (test_util_wait_until (dialog_shown, NULL, 5000));
  /* The window stays until the person answers. */
  g_assert_nonnull (f->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  dialog = ADW_MESSAGE_DIALOG (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  heading = g_strdup_printf (n_live == 1 ? "%u Session Is Still Running"
                                         : "%u Sessions Are Still Running", n_live);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  g_assert_true (adw_message_dialog_has_response (dialog, "stop"));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  if (shot_name != NULL)
    shot = ui_test_screenshot (GTK_WIDGET (dialog), shot_name);
  return dialog;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  LeanSession *one = start (f, "slow", "003-habit-api");
  LeanSession *two = start (f, "slow", "002-habit-data-model");
  AdwMessageDialog *dialog;
  int pid_one, pid_two;

  g_assert_true (test_util_wait_until (has_agent_pid, one, 10000));
  g_assert_true (test_util_wait_until (has_agent_pid, two, 10000));
  pid_one = lean_session_get_agent_pid (one);
  pid_two = lean_session_get_agent_pid (two);
  g_assert_false (process_gone (GINT_TO_POINTER (pid_one)));

  dialog = close_and_ask (f, "lifecycle-close-dialog", 2);
  g_assert_true (adw_message_dialog_has_response (dialog, "keep"));
  respond (dialog, "stop");

  /* Both agents end on SIGTERM, well before the stop timeout. */
  g_assert_true (test_util_wait_until (window_gone, f, 3000));
  g_assert_true (test_util_wait_until (process_gone, GINT_TO_POINTER (pid_one), 3000));
  g_assert_true (test_util_wait_until (process_gone, GINT_TO_POINTER (pid_two), 3000));
  g_assert_cmpint (lean_session_get_state (one), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (stored_state (f, one), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (stored_state (f, two), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_false (_lean_application_get_holding (app));
  /* A window that closed with the person watching sends nothing. */
  g_assert_cmpuint (notifications->len, ==, 0);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  LeanSession *session = start (f, "slow", "003-habit-api");
  AdwMessageDialog *dialog;

  g_assert_true (test_util_wait_until (has_agent_pid, session, 10000));
  dialog = close_and_ask (f, NULL, 1);
  respond (dialog, "cancel");
  ui_test_settle (300);

  g_assert_nonnull (f->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (f->window)));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  g_assert_false (process_gone (GINT_TO_POINTER (lean_session_get_agent_pid (session))));
  g_assert_false (_lean_application_get_holding (app));
}

static void
test_no_sessions_closes (Fixture       *f,
                         gconstpointer  data)
{
  /* Nothing runs: the window closes without a question. */
  gtk_window_close (GTK_WINDOW (f->window));
  ui_test_settle (100);
  g_assert_null (f->window);
  g_assert_null (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static gboolean
pane_shows (gpointer data)
{
  LeanSession *session = data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    {
      LeanSessionPane *pane;
      AdwTabPage *page;

      if (!LEAN_IS_WINDOW (l->data) ||
          (pane = _lean_window_get_session_pane (l->data)) == NULL ||
          !gtk_widget_get_visible (GTK_WIDGET (pane)))
        continue;
      page = adw_tab_view_get_selected_page (lean_session_pane_get_tab_view (pane));
      if (page != NULL &&
          g_strcmp0 (lean_session_get_id (lean_session_page_get_session (
                       LEAN_SESSION_PAGE (adw_tab_page_get_child (page)))),
                     lean_session_get_id (session)) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_keep_running (Fixture       *f,
                   gconstpointer  data)
{
  LeanSession *session = start (f, "short", "003-habit-api");
  AdwMessageDialog *dialog;
  Wait w = { session, LEAN_SESSION_STATE_COMPLETED };
  GtkWindow *window;
  g_autofree char *shot = NULL;

  g_assert_true (test_util_wait_until (has_agent_pid, session, 10000));
  dialog = close_and_ask (f, NULL, 1);
  respond (dialog, "keep");

  /* The window is gone; the application holds itself for the session. */
  g_assert_true (test_util_wait_until (window_gone, f, 2000));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_true (_lean_application_get_holding (app));
  g_assert_false (lean_session_state_is_final (lean_session_get_state (session)));

  /* It runs to its end; the person is told, and the hold is released. */
  g_assert_true (test_util_wait_until (in_state, &w, 15000));
  g_assert_cmpint (stored_state (f, session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_true (test_util_wait_until (ui_test_notification_arrived,
                                     (gpointer) "Session Completed: short on 003-habit-api "
                                                "[app.show-session]", 5000));
  g_assert_false (_lean_application_get_holding (app));

  /* Launching the app again opens a window on that session. */
  g_application_activate (G_APPLICATION (app));
  g_assert_true (test_util_wait_until (pane_shows, session, 15000));
  window = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  ui_test_settle (1000);
  g_assert_cmpstr (lean_window_get_project_root (LEAN_WINDOW (window)), ==, f->project);
  shot = ui_test_screenshot (GTK_WIDGET (window), "lifecycle-reopened");
}

static void
test_notification_action (Fixture       *f,
                          gconstpointer  data)
{
  LeanSession *session = start (f, "short", "002-habit-data-model");
  Wait w = { session, LEAN_SESSION_STATE_COMPLETED };
  g_autofree char *id = g_strdup (lean_session_get_id (session));

  g_assert_true (test_util_wait_until (has_agent_pid, session, 10000));
  respond (close_and_ask (f, NULL, 1), "keep");
  g_assert_true (test_util_wait_until (window_gone, f, 2000));
  g_assert_true (test_util_wait_until (in_state, &w, 15000));

  /* Clicking the notification runs app.show-session with the session id. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-session",
                                  g_variant_new_string (id));
  g_assert_true (test_util_wait_until (pane_shows, session, 15000));
}

static void
test_stubborn_agent (Fixture       *f,
                     gconstpointer  data)
{
  LeanSession *session = start (f, "stubborn", "003-habit-api");
  int pid;

  g_assert_true (test_util_wait_until (has_agent_pid, session, 10000));
  pid = lean_session_get_agent_pid (session);
  _lean_application_set_stop_timeout (app, 400);

  /* SIGTERM is ignored: after the short wait the window closes anyway... */
  respond (close_and_ask (f, NULL, 1), "stop");
  g_assert_true (test_util_wait_until (window_gone, f, 3000));
  g_assert_false (process_gone (GINT_TO_POINTER (pid)));

  /* ...and shutdown disposes the controller, which kills it. */
  g_object_run_dispose (G_OBJECT (f->controller));
  g_assert_true (test_util_wait_until (process_gone, GINT_TO_POINTER (pid), 3000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  {
    g_autoptr(LeanSessionDb) db = NULL;
    g_autoptr(LeanSession) stored = NULL;
    g_autoptr(GError) error = NULL;

    db = lean_session_db_open (f->db_path, &error);
    g_assert_no_error (error);
    stored = lean_session_db_lookup (db, lean_session_get_id (session), &error);
    g_assert_no_error (error);
    g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_CANCELLED);
    lean_session_db_close (db);
  }
}

typedef struct
{
  gboolean asked;
  gboolean offered_keep;
} Quitting;

static gboolean
press_ctrl_q (gpointer data)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
answer_stop (gpointer data)
{
  Quitting *q = data;
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  if (dialog == NULL || !gtk_widget_get_mapped (GTK_WIDGET (dialog)))
    return G_SOURCE_CONTINUE;
  q->asked = TRUE;
  q->offered_keep = adw_message_dialog_has_response (dialog, "keep");
  respond (dialog, "stop");
  return G_SOURCE_REMOVE;
}

/* Last (the application cannot run again after it shut down): Quit in the
 * running application, with an agent that ignores SIGTERM. It asks, offers
 * no Keep Running, stops, closes the window after the short wait, quits,
 * and the shutdown guard kills the agent and records it cancelled. */
static void
test_quit (Fixture       *f,
           gconstpointer  data)
{
  LeanSession *session = start (f, "stubborn", "003-habit-api");
  Quitting q = { 0 };
  int pid;

  g_assert_true (test_util_wait_until (has_agent_pid, session, 10000));
  pid = lean_session_get_agent_pid (session);
  _lean_application_set_stop_timeout (app, 400);

  g_timeout_add (200, press_ctrl_q, NULL);
  g_timeout_add (50, answer_stop, &q);
  g_application_run (G_APPLICATION (app), 0, NULL);

  g_assert_true (q.asked);
  g_assert_false (q.offered_keep);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_true (test_util_wait_until (process_gone, GINT_TO_POINTER (pid), 3000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (stored_state (f, session), ==, LEAN_SESSION_STATE_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  test_session_env_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  notifications = ui_test_start_notification_server ();

  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return test_session_env_cleanup (g_test_run ());
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/lifecycle/no-sessions", Fixture, NULL,
              fixture_set_up, test_no_sessions_closes, fixture_tear_down);
  g_test_add ("/lifecycle/cancel", Fixture, NULL,
              fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/lifecycle/stop", Fixture, NULL,
              fixture_set_up, test_stop, fixture_tear_down);
  g_test_add ("/lifecycle/keep-running", Fixture, NULL,
              fixture_set_up, test_keep_running, fixture_tear_down);
  g_test_add ("/lifecycle/notification-action", Fixture, NULL,
              fixture_set_up, test_notification_action, fixture_tear_down);
  g_test_add ("/lifecycle/stubborn-agent", Fixture, NULL,
              fixture_set_up, test_stubborn_agent, fixture_tear_down);
  g_test_add ("/lifecycle/quit", Fixture, NULL,
              fixture_set_up, test_quit, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
