/* SPDX-License-Identifier: MIT */
/* The session pane and its pages, on the real controller, the real local
 * runner and the test agent in a PTY, in a real window (run under Xvfb). */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lean-session-pane-private.h"
#include "lean-sessions-view.h"
#include "lean-session-page-private.h"
#include "lean-terminal-view-private.h"
#include "test-session-util.h"
#include "ui-test-util.h"

typedef struct
{
  char            *dir;
  char            *project;
  LeanSessionDb   *db;
  LeanController  *controller;
  GtkWidget       *window;
  LeanSessionPane *pane;
} Fixture;

static void
write_runners (const char *project)
{
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "json", agent, "claude-stream-json", "--stream-json", NULL);
  test_add_agent (b, "text", agent, "text", "--text", "--lines", "40", NULL);
  test_add_agent (b, "flood2", agent, "text", "--sleep", "0.3", "--flood", "2", NULL);
  test_add_agent (b, "sleepy", agent, "text", "--ready", "--text", "--sleep", "30", NULL);
  test_add_agent (b, "late", agent, "text", "--sleep", "1", "--lines", "5", NULL);
  test_add_agent (b, "fail3", agent, "text", "--text", "--exit", "3", NULL);
  test_add_agent (b, "ask", agent, "text", "--ask", "Name?", NULL);
  test_add_agent (b, "winsize", agent, "text", "--winsize", "--sleep", "30", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (project, ".lean-spec/runners.json", json);
  test_trust_runners (project);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;

  f->dir = g_dir_make_tmp ("leanspec-pane-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_make_project (f->dir);
  write_runners (f->project);
  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 560);
  f->pane = LEAN_SESSION_PANE (lean_session_pane_new ());
  lean_session_pane_set_controller (f->pane, f->controller);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->pane));
  gtk_window_present (GTK_WINDOW (f->window));
  ui_test_settle (200);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ui_test_stop_sessions (f->controller, 5000);
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_close_sessions (&f->controller, &f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static LeanSession *
start_on (Fixture         *f,
          const char      *spec,
          const char      *agent,
          LeanSessionMode  mode)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup (spec);
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement the spec");
  request->mode = mode;
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

static LeanSession *
start (Fixture         *f,
       const char      *agent,
       LeanSessionMode  mode)
{
  return start_on (f, "001-first", agent, mode);
}

typedef struct
{
  LeanSession      *session;
  LeanTerminalView *view;
  const char       *text;
  LeanSessionState  state;
} Wait;

static gboolean
session_is_final (gpointer data)
{
  Wait *w = data;
  return lean_session_state_is_final (lean_session_get_state (w->session));
}

static gboolean
session_in_state (gpointer data)
{
  Wait *w = data;
  return lean_session_get_state (w->session) == w->state;
}

static gboolean
screen_shows (gpointer data)
{
  Wait *w = data;
  g_autofree char *text = lean_terminal_view_dup_screen_text (w->view);
  return text != NULL && strstr (text, w->text) != NULL;
}

static char *
dup_all_text (LeanTerminalView *view)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  char nul = '\0';

  g_assert_true (vte_terminal_write_contents_sync (lean_terminal_view_get_terminal (view),
                                                   out, VTE_WRITE_DEFAULT, NULL, NULL));
  g_output_stream_write (out, &nul, 1, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static LeanSessionPage *
selected_page (Fixture *f)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (lean_session_pane_get_tab_view (f->pane));

  g_assert_nonnull (page);
  return LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
}

static void
test_stream_into_page (Fixture       *f,
                       gconstpointer  data)
{
  LeanSession *session = start (f, "json", LEAN_SESSION_MODE_AUTONOMOUS);
  LeanSessionPage *page;
  Wait w = { session, NULL, "Done: the spec is implemented", 0 };
  g_autofree char *shot = NULL;

  /* The controller's new session got a tab by itself. */
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 1);
  page = lean_session_pane_show_session (f->pane, session);
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 1);
  g_assert_true (page == selected_page (f));
  w.view = lean_session_page_get_terminal_view (page);

  g_assert_true (test_util_wait_until (session_is_final, &w, 10000));
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  /* The banner reads the session: state, tokens, cost. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (page), lean_session_state_get_label (
                                      LEAN_SESSION_STATE_COMPLETED)));
  g_assert_true (ui_test_find_text (GTK_WIDGET (page), "json · autonomous"));
  /* Autonomous sessions are not typed into. */
  g_assert_false (lean_terminal_view_get_input_enabled (w.view));

  ui_test_settle (300);
  shot = ui_test_screenshot (f->window, "session-pane-completed");
  g_test_message ("screenshot: %s", shot);

  /* The terminal follows the dark style, like Console. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_settle (300);
  g_clear_pointer (&shot, g_free);
  shot = ui_test_screenshot (f->window, "session-pane-dark");
  g_test_message ("screenshot: %s", shot);
  {
    GdkRGBA bg;
    vte_terminal_get_color_background_for_draw (lean_terminal_view_get_terminal (w.view), &bg);
    g_assert_cmpfloat (bg.red, <, 0.2);
  }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  ui_test_settle (100);
}

typedef struct
{
  GString *captured;
} Capture;

static void
capture_hook (LeanTerminalView *view,
              const char       *data,
              gsize             len,
              gpointer          user_data)
{
  Capture *c = user_data;
  g_string_append_len (c->captured, data, len);
}

static gboolean
emitted_some (gpointer data)
{
  LeanSessionLog *log = g_object_get_data (data, "test-log");

  return lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY) > 256 * 1024;
}

static gboolean
page_settled (gpointer data)
{
  LeanSessionPage *page = data;
  LeanSession *session = lean_session_page_get_session (page);

  return lean_session_state_is_final (lean_session_get_state (session)) &&
         !lean_session_page_get_replaying (page) &&
         lean_terminal_view_is_idle (lean_session_page_get_terminal_view (page));
}

static void
test_attach_late_without_gaps (Fixture       *f,
                               gconstpointer  data)
{
  LeanSession *session;
  AdwTabView *tabs = lean_session_pane_get_tab_view (f->pane);
  LeanSessionPage *page;
  LeanTerminalView *view;
  Capture capture = { g_string_new (NULL) };
  g_autoptr(GBytes) expected = test_flood_expected (2);

  /* Start it with no pane listening, let it print, then attach mid-flood. */
  lean_session_pane_set_controller (f->pane, NULL);
  session = start (f, "flood2", LEAN_SESSION_MODE_AUTONOMOUS);
  g_assert_true (test_util_wait_until (emitted_some, session, 10000));
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 0);

  page = LEAN_SESSION_PAGE (lean_session_page_new (f->controller, session));
  view = lean_session_page_get_terminal_view (page);
  /* Nothing may be elided here: every byte must reach VTE exactly once. */
  lean_terminal_view_set_flood_limits (view, (gsize) 2 << 30, (gsize) 512 << 20, 7000);
  _lean_terminal_view_set_feed_hook (view, capture_hook, &capture);
  g_assert_true (lean_session_page_get_replaying (page));
  adw_tab_view_append (tabs, GTK_WIDGET (page));

  g_assert_true (test_util_wait_until (page_settled, page, 30000));
  g_test_message ("attached after %" G_GUINT64_FORMAT " bytes; %zu bytes reached VTE",
                  (guint64) 256 * 1024, capture.captured->len);
  /* Every byte once, in order, then the page hides the cursor of the
   * ended session. */
  g_assert_cmpuint (capture.captured->len, ==, g_bytes_get_size (expected) + 6);
  g_assert_true (memcmp (capture.captured->str, g_bytes_get_data (expected, NULL),
                         g_bytes_get_size (expected)) == 0);
  g_assert_cmpstr (capture.captured->str + g_bytes_get_size (expected), ==, "\033[?25l");
  g_string_free (capture.captured, TRUE);
}

static void
test_pause_resume_cancel (Fixture       *f,
                          gconstpointer  data)
{
  LeanSession *session = start (f, "sleepy", LEAN_SESSION_MODE_AUTONOMOUS);
  LeanSessionPage *page = lean_session_pane_show_session (f->pane, session);
  Wait w = { session, lean_session_page_get_terminal_view (page), "READY pid=", 0 };
  guint notified = _lean_session_pane_get_n_notifications (f->pane);
  g_autofree char *shot = NULL;

  w.state = LEAN_SESSION_STATE_RUNNING;
  g_assert_true (test_util_wait_until (session_in_state, &w, 10000));
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));

  /* The controller changes a running session's message (no network, history
   * not saved); the banner shows it while the agent keeps running. */
  lean_session_set_message (session, "Codex cannot reach the network (retrying).");
  ui_test_settle (300);
  g_assert_true (ui_test_find_text (GTK_WIDGET (page),
                                    "Codex cannot reach the network (retrying)."));
  g_clear_pointer (&shot, g_free);
  shot = ui_test_screenshot (f->window, "session-pane-running-message");
  g_test_message ("screenshot: %s", shot);
  lean_session_set_message (session, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.pause", NULL));
  w.state = LEAN_SESSION_STATE_PAUSED;
  g_assert_true (test_util_wait_until (session_in_state, &w, 5000));
  g_assert_true (ui_test_find_text (GTK_WIDGET (page),
                                    lean_session_state_get_label (LEAN_SESSION_STATE_PAUSED)));
  ui_test_settle (200);
  shot = ui_test_screenshot (f->window, "session-pane-paused");
  g_test_message ("screenshot: %s", shot);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.resume", NULL));
  w.state = LEAN_SESSION_STATE_RUNNING;
  g_assert_true (test_util_wait_until (session_in_state, &w, 5000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.cancel", NULL));
  w.state = LEAN_SESSION_STATE_CANCELLED;
  g_assert_true (test_util_wait_until (session_in_state, &w, 5000));
  ui_test_settle (100);

  /* Ended: the controls are gone and the pane said so if unfocused. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (page), "session.cancel", NULL) &&
                  lean_session_get_state (session) != LEAN_SESSION_STATE_CANCELLED);
  if (!gtk_window_is_active (GTK_WINDOW (f->window)))
    {
      g_assert_cmpuint (_lean_session_pane_get_n_notifications (f->pane), ==, notified + 1);
      g_assert_nonnull (strstr (_lean_session_pane_get_last_notification (f->pane),
                                "001-first"));
    }
}

static void
test_replay_finished_session (Fixture       *f,
                              gconstpointer  data)
{
  LeanSession *session = start (f, "text", LEAN_SESSION_MODE_AUTONOMOUS);
  LeanSessionPage *live = lean_session_pane_show_session (f->pane, session);
  LeanSessionPage *replay;
  Wait w = { session, lean_session_page_get_terminal_view (live), "line 000039", 0 };
  g_autoptr(LeanSession) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *live_text = NULL;
  g_autofree char *replay_text = NULL;
  g_autofree char *shot = NULL;

  g_assert_true (test_util_wait_until (page_settled, live, 10000));
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));
  lean_session_db_flush (f->db);
  live_text = dup_all_text (lean_session_page_get_terminal_view (live));

  /* While its tab is open, reopening it shows that tab. */
  stored = lean_session_db_lookup (f->db, lean_session_get_id (session), &error);
  g_assert_no_error (error);
  g_assert_true (lean_session_pane_open_log (f->pane, f->db, stored) == live);

  /* Closed, it is reopened from the database, as the history view does. */
  adw_tab_view_close_page (lean_session_pane_get_tab_view (f->pane),
                           adw_tab_view_get_page (lean_session_pane_get_tab_view (f->pane),
                                                  GTK_WIDGET (live)));
  ui_test_settle (50);
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 0);
  replay = lean_session_pane_open_log (f->pane, f->db, stored);
  g_assert_false (lean_session_page_get_live (replay));
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 1);
  g_assert_true (test_util_wait_until (page_settled, replay, 10000));
  w.view = lean_session_page_get_terminal_view (replay);
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));
  g_assert_false (lean_terminal_view_get_input_enabled (w.view));

  replay_text = dup_all_text (lean_session_page_get_terminal_view (replay));
  g_assert_nonnull (strstr (live_text, "reading the spec"));
  g_assert_cmpstr (live_text, ==, replay_text);

  ui_test_settle (200);
  shot = ui_test_screenshot (f->window, "session-pane-replay");
  g_test_message ("screenshot: %s", shot);
}

static void
count_needs_input (LeanSessionPage *page,
                   guint           *count)
{
  (*count)++;
}

static gboolean
count_nonzero (gpointer data)
{
  return *(guint *) data > 0;
}

/* A guided agent that asked something and went quiet waits for the person:
 * the page says so, and the pane notifies when the window is not focused. */
static void
test_waiting_for_input (Fixture       *f,
                        gconstpointer  data)
{
  LeanSession *session = start (f, "ask", LEAN_SESSION_MODE_GUIDED);
  LeanSessionPage *page = lean_session_pane_show_session (f->pane, session);
  Wait w = { session, lean_session_page_get_terminal_view (page), "Name?", 0 };
  guint needs = 0;
  guint notified = _lean_session_pane_get_n_notifications (f->pane);

  _lean_session_page_set_quiet_seconds (page, 1);
  g_signal_connect (page, "needs-input", G_CALLBACK (count_needs_input), &needs);
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
  g_assert_true (test_util_wait_until (count_nonzero, &needs, 5000));
  g_assert_cmpuint (needs, ==, 1);
  if (!gtk_window_is_active (GTK_WINDOW (f->window)))
    {
      g_assert_cmpuint (_lean_session_pane_get_n_notifications (f->pane), ==, notified + 1);
      g_assert_nonnull (strstr (_lean_session_pane_get_last_notification (f->pane),
                                "Waiting for Input"));
    }
  /* Said once per quiet spell, not every second. */
  ui_test_settle (1500);
  g_assert_cmpuint (needs, ==, 1);
  g_signal_handlers_disconnect_by_func (page, count_needs_input, &needs);
}

static void
test_guided_input_and_resize (Fixture       *f,
                              gconstpointer  data)
{
  LeanSession *session = start (f, "ask", LEAN_SESSION_MODE_GUIDED);
  LeanSessionPage *page = lean_session_pane_show_session (f->pane, session);
  LeanTerminalView *view = lean_session_page_get_terminal_view (page);
  Wait w = { session, view, "Name?", 0 };
  LeanSession *sized;
  LeanSessionPage *sized_page;
  VteTerminal *terminal;
  g_autofree char *size_line = NULL;

  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
  g_assert_true (lean_terminal_view_get_input_enabled (view));

  /* What the person types reaches the agent through the PTY. */
  vte_terminal_feed_child (lean_terminal_view_get_terminal (view), "Ada\r", 4);
  w.text = "ANSWER[Ada]";
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
  g_assert_true (test_util_wait_until (session_is_final, &w, 10000));
  g_assert_false (lean_terminal_view_get_input_enabled (view));

  /* Resizing the page resizes the agent's terminal. */
  sized = start (f, "winsize", LEAN_SESSION_MODE_GUIDED);
  sized_page = lean_session_pane_show_session (f->pane, sized);
  terminal = lean_terminal_view_get_terminal (lean_session_page_get_terminal_view (sized_page));
  w.session = sized;
  w.view = lean_session_page_get_terminal_view (sized_page);
  w.text = "SIZE ";
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
  ui_test_settle (300);

  gtk_widget_set_size_request (f->window, 1100, 700);
  ui_test_settle (300);
  size_line = g_strdup_printf ("SIZE %ld %ld", vte_terminal_get_row_count (terminal),
                               vte_terminal_get_column_count (terminal));
  w.text = size_line;
  g_test_message ("waiting for %s", size_line);
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
}

static gboolean
view_loaded (gpointer data)
{
  LeanSessionsView *view = data;
  return !lean_sessions_view_get_loading (view) &&
         g_list_model_get_n_items (lean_sessions_view_get_model (view)) == 3;
}

static void
on_open_session (LeanSessionsView *view,
                 LeanSession      *session,
                 Fixture          *f)
{
  lean_session_pane_open_log (f->pane, f->db, session);
}

static gboolean
page_state_final (gpointer data)
{
  LeanSessionPage *page = data;
  return lean_session_state_is_final (lean_session_get_state (lean_session_page_get_session (page)));
}

/* A session another process runs (here: a second controller on its own
 * connection to the same database file, as leanspec-ctl would): its log
 * page keeps following the database until the stored session ends. */
static void
test_follow_other_process (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) other_db = lean_session_db_open (lean_session_db_get_path (f->db),
                                                            &error);
  g_autoptr(LeanController) other = NULL;
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(LeanSession) stored = NULL;
  LeanSession *remote;
  LeanSessionPage *page;
  Wait w = { NULL, NULL, "line 000004", 0 };

  g_assert_no_error (error);
  other = lean_controller_new (other_db);
  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("002-second");
  request->agent_id = g_strdup ("late");
  request->prompt = g_strdup ("Implement the spec");
  request->set_in_progress = FALSE;
  remote = lean_controller_start (other, request, &error);
  g_assert_no_error (error);
  lean_session_db_flush (other_db);

  stored = lean_session_db_lookup (f->db, lean_session_get_id (remote), &error);
  g_assert_no_error (error);
  g_assert_false (lean_session_state_is_final (lean_session_get_state (stored)));

  page = lean_session_pane_open_log (f->pane, f->db, stored);
  g_assert_false (lean_session_page_get_live (page));
  w.view = lean_session_page_get_terminal_view (page);
  g_assert_true (test_util_wait_until (screen_shows, &w, 15000));
  g_assert_true (test_util_wait_until (page_state_final, page, 15000));
  g_assert_cmpint (lean_session_get_state (lean_session_page_get_session (page)), ==,
                   LEAN_SESSION_STATE_COMPLETED);
  g_assert_true (ui_test_find_text (GTK_WIDGET (page),
                                    lean_session_state_get_label (LEAN_SESSION_STATE_COMPLETED)));
  lean_session_db_close (other_db);
}

static void
test_history_view (Fixture       *f,
                   gconstpointer  data)
{
  LeanSession *sessions[3];
  GtkWidget *window;
  LeanSessionsView *view;
  Wait w = { NULL, NULL, NULL, 0 };
  LeanSessionPage *page;
  g_autofree char *shot = NULL;

  sessions[0] = start (f, "json", LEAN_SESSION_MODE_AUTONOMOUS);
  sessions[1] = start (f, "fail3", LEAN_SESSION_MODE_AUTONOMOUS);
  sessions[2] = start_on (f, "002-second", "text", LEAN_SESSION_MODE_AUTONOMOUS);
  for (guint i = 0; i < 3; i++)
    {
      w.session = sessions[i];
      g_assert_true (test_util_wait_until (session_is_final, &w, 10000));
    }
  g_assert_cmpint (lean_session_get_state (sessions[1]), ==, LEAN_SESSION_STATE_FAILED);
  /* Close the live tabs: the history reopens logs. */
  while (lean_session_pane_get_n_pages (f->pane) > 0)
    {
      AdwTabView *tabs = lean_session_pane_get_tab_view (f->pane);
      adw_tab_view_close_page (tabs, adw_tab_view_get_nth_page (tabs, 0));
      ui_test_settle (20);
    }
  lean_session_db_flush (f->db);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 360);
  view = LEAN_SESSIONS_VIEW (lean_sessions_view_new ());
  lean_sessions_view_set_db (view, f->db);
  g_signal_connect (view, "open-session", G_CALLBACK (on_open_session), f);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (test_util_wait_until (view_loaded, view, 5000));

  /* Newest first. */
  {
    g_autoptr(LeanSession) first = g_list_model_get_item (lean_sessions_view_get_model (view), 0);
    g_autoptr(LeanSession) last = g_list_model_get_item (lean_sessions_view_get_model (view), 2);
    g_assert_true (g_date_time_compare (lean_session_get_started_at (first),
                                        lean_session_get_started_at (last)) >= 0);
  }
  ui_test_settle (300);
  shot = ui_test_screenshot (window, "sessions-view");
  g_test_message ("screenshot: %s", shot);

  lean_sessions_view_set_state_filter (view, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, 1);
  lean_sessions_view_set_state_filter (view, -1);
  lean_sessions_view_set_spec_filter (view, "002");
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, 1);
  lean_sessions_view_set_spec_filter (view, "nothing-like-this");
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, 0);
  g_assert_true (ui_test_find_text (GTK_WIDGET (view), "No Matching Sessions"));
  lean_sessions_view_set_spec_filter (view, "001");
  lean_sessions_view_set_state_filter (view, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, 1);

  /* Activating the row reopens that session's log in the pane. */
  g_signal_emit_by_name (ui_test_find_widget (GTK_WIDGET (view), GTK_TYPE_COLUMN_VIEW),
                         "activate", 0);
  ui_test_settle (50);
  g_assert_cmpuint (lean_session_pane_get_n_pages (f->pane), ==, 1);
  page = selected_page (f);
  g_assert_cmpstr (lean_session_get_id (lean_session_page_get_session (page)), ==,
                   lean_session_get_id (sessions[0]));
  w.view = lean_session_page_get_terminal_view (page);
  w.text = "Done: the spec is implemented";
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return g_test_run ();
    }

  g_test_add ("/session-pane/stream", Fixture, NULL,
              fixture_set_up, test_stream_into_page, fixture_tear_down);
  g_test_add ("/session-pane/attach-late", Fixture, NULL,
              fixture_set_up, test_attach_late_without_gaps, fixture_tear_down);
  g_test_add ("/session-pane/pause-resume-cancel", Fixture, NULL,
              fixture_set_up, test_pause_resume_cancel, fixture_tear_down);
  g_test_add ("/session-pane/replay", Fixture, NULL,
              fixture_set_up, test_replay_finished_session, fixture_tear_down);
  g_test_add ("/session-pane/guided-input-resize", Fixture, NULL,
              fixture_set_up, test_guided_input_and_resize, fixture_tear_down);

  g_test_add ("/session-pane/waiting-for-input", Fixture, NULL,
              fixture_set_up, test_waiting_for_input, fixture_tear_down);
  g_test_add ("/session-pane/follow-other-process", Fixture, NULL,
              fixture_set_up, test_follow_other_process, fixture_tear_down);
  g_test_add ("/sessions-view/list-filter-open", Fixture, NULL,
              fixture_set_up, test_history_view, fixture_tear_down);

  return g_test_run ();
}
