/* SPDX-License-Identifier: MIT */
/* Sessions in the main window, for real, under Xvfb: a temp copy of the
 * demo project whose runners.json points at the test agent; "Implement with
 * AI" in the spec view, the pane beside the spec, the dot on the spec row,
 * the history window. */
#include "config.h"

#include <string.h>

#include "lean-application.h"
#include "lean-implement-dialog.h"
#include "lean-session-indicator.h"
#include "lean-session-ui-private.h"
#include "lean-sessions-view.h"
#include "lean-spec-list.h"
#include "lean-spec-view.h"
#include "lean-window-private.h"
#include "lean-application-private.h"
#include "lean-worktrees-page.h"
#include "test-review-util.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static LeanApplication *app;

typedef struct
{
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanWindow     *window;
} Fixture;

static gboolean
store_loaded (gpointer data)
{
  Fixture *f = data;
  LeanSpecStore *store = lean_window_get_store (f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autofree char *db_path = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  f->project = ui_test_copy_tree (demo);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "test-agent", agent, "claude-stream-json", "--sleep", "1",
                  "--stream-json", NULL);
  test_add_agent (b, "slow", agent, "text", "--ready", "--text", "--sleep", "30", NULL);
  test_add_agent (b, "fail3", agent, "text", "--text", "--exit", "3", NULL);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "default");
  json_builder_add_string_value (b, "test-agent");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (f->project, ".lean-spec/runners.json", json);
  test_trust_runners (f->project);

  db_path = g_build_filename (f->project, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);
  _lean_application_set_controller (app, f->controller);

  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 860);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));
  ui_test_settle (100);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ui_test_stop_sessions (f->controller, 5000);
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  ui_test_remove_tree (f->project);
  g_free (f->project);
}

static gboolean
dialog_ready (gpointer data)
{
  LeanImplementDialog *dialog =
      LEAN_IMPLEMENT_DIALOG (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  return dialog != NULL && lean_implement_dialog_get_ready (dialog);
}

static LeanSessionIndicator *
find_indicator (GtkWidget *root,
                gboolean   visible_only)
{
  if (LEAN_IS_SESSION_INDICATOR (root) &&
      (!visible_only || gtk_widget_get_visible (root)))
    return LEAN_SESSION_INDICATOR (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      LeanSessionIndicator *found = find_indicator (child, visible_only);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  LeanSession      *session;
  LeanSessionState  state;
  LeanSessionPage  *page;
  const char       *text;
  Fixture          *f;
} Wait;

static LeanSessionPage *selected_page (Fixture *f);

static gboolean
selected_is (gpointer data)
{
  Wait *w = data;
  LeanSessionPage *page = selected_page (w->f);

  return page != NULL && lean_session_page_get_session (page) != NULL &&
         g_strcmp0 (lean_session_get_id (lean_session_page_get_session (page)),
                    lean_session_get_id (w->session)) == 0;
}

static gboolean
in_state (gpointer data)
{
  Wait *w = data;
  return lean_session_get_state (w->session) == w->state;
}

static gboolean
screen_shows (gpointer data)
{
  Wait *w = data;
  g_autofree char *text =
    lean_terminal_view_dup_screen_text (lean_session_page_get_terminal_view (w->page));
  return text != NULL && strstr (text, w->text) != NULL;
}

static LeanSession *
implement (Fixture    *f,
           const char *agent)
{
  GtkWidget *spec_view = _lean_window_get_spec_view (f->window);
  GtkWidget *actions = lean_spec_view_get_header_actions (LEAN_SPEC_VIEW (spec_view));
  GtkWidget *button = NULL;
  LeanImplementDialog *dialog;
  LeanSessionPane *pane;
  LeanSessionPage *page;

  /* "Implement with AI" is in the spec view's header actions. */
  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && !GTK_IS_TOGGLE_BUTTON (child) &&
        gtk_widget_has_css_class (child, "suggested-action"))
      button = child;
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");

  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  dialog = LEAN_IMPLEMENT_DIALOG (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  g_assert_true (ui_test_select_agent (dialog, agent));
  g_assert_true (lean_implement_dialog_get_ready (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "implement.start", NULL));
  ui_test_settle (100);
  g_assert_null (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));

  pane = _lean_window_get_session_pane (f->window);
  g_assert_nonnull (pane);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pane)));
  page = LEAN_SESSION_PAGE (adw_tab_view_get_selected_page (lean_session_pane_get_tab_view (pane)) ?
                            adw_tab_page_get_child (adw_tab_view_get_selected_page (
                              lean_session_pane_get_tab_view (pane))) : NULL);
  g_assert_nonnull (page);
  return lean_session_page_get_session (page);
}

static LeanSessionPage *
selected_page (Fixture *f)
{
  LeanSessionPane *pane = _lean_window_get_session_pane (f->window);
  AdwTabPage *page = adw_tab_view_get_selected_page (lean_session_pane_get_tab_view (pane));

  return LEAN_SESSION_PAGE (adw_tab_page_get_child (page));
}

static void
test_implement_from_spec_view (Fixture       *f,
                               gconstpointer  data)
{
  LeanSession *session;
  LeanSessionIndicator *dot;
  Wait w = { 0 };
  g_autofree char *shot = NULL;
  const char *spec_id = "003-habit-api";

  g_assert_true (lean_window_select_spec (f->window, spec_id));
  ui_test_settle (200);
  /* No session yet: no dot, no pane. */
  g_assert_null (find_indicator (GTK_WIDGET (_lean_window_get_spec_list (f->window)), TRUE));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_lean_window_get_session_pane (f->window))));

  /* A slow agent: the row shows it running, then paused. */
  session = implement (f, "slow");
  g_assert_cmpstr (lean_session_get_spec_id (session), ==, spec_id);
  w.session = session;
  w.state = LEAN_SESSION_STATE_RUNNING;
  g_assert_true (test_util_wait_until (in_state, &w, 10000));
  ui_test_settle (100);
  dot = find_indicator (GTK_WIDGET (_lean_window_get_spec_list (f->window)), TRUE);
  g_assert_nonnull (dot);
  g_assert_cmpint (lean_session_indicator_get_state (dot), ==, LEAN_SESSION_STATE_RUNNING);

  w.page = selected_page (f);
  w.text = "READY pid=";
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
  ui_test_settle (300);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "window-session-running");
  g_test_message ("screenshot: %s", shot);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w.page), "session.pause", NULL));
  w.state = LEAN_SESSION_STATE_PAUSED;
  g_assert_true (test_util_wait_until (in_state, &w, 5000));
  g_assert_cmpint (lean_session_indicator_get_state (dot), ==, LEAN_SESSION_STATE_PAUSED);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w.page), "session.cancel", NULL));
  w.state = LEAN_SESSION_STATE_CANCELLED;
  g_assert_true (test_util_wait_until (in_state, &w, 5000));
  ui_test_settle (50);
  g_assert_null (find_indicator (GTK_WIDGET (_lean_window_get_spec_list (f->window)), TRUE));

  /* A failing agent leaves a red dot. */
  session = implement (f, "fail3");
  w.session = session;
  w.state = LEAN_SESSION_STATE_FAILED;
  g_assert_true (test_util_wait_until (in_state, &w, 10000));
  ui_test_settle (50);
  dot = find_indicator (GTK_WIDGET (_lean_window_get_spec_list (f->window)), TRUE);
  g_assert_nonnull (dot);
  g_assert_cmpint (lean_session_indicator_get_state (dot), ==, LEAN_SESSION_STATE_FAILED);

  /* Unfocused (Xvfb has no window manager to focus it), the window told
   * the desktop that the session failed. */
  g_test_message ("window active: %d", gtk_window_is_active (GTK_WINDOW (f->window)));
  if (!gtk_window_is_active (GTK_WINDOW (f->window)))
    g_assert_true (test_util_wait_until (ui_test_notification_arrived,
                                       (gpointer) "Session Failed: fail3 on 003-habit-api "
                                                  "[app.show-session]",
                                       5000));

  /* Its default action brings the session's tab forward. */
  adw_tab_view_set_selected_page (lean_session_pane_get_tab_view (_lean_window_get_session_pane (f->window)),
                                  adw_tab_view_get_nth_page (lean_session_pane_get_tab_view (
                                    _lean_window_get_session_pane (f->window)), 0));
  g_assert_false (selected_page (f) != NULL &&
                  lean_session_page_get_session (selected_page (f)) == session);
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-session",
                                  g_variant_new_string (lean_session_get_id (session)));
  w.session = session;
  w.f = f;
  g_assert_true (test_util_wait_until (selected_is, &w, 5000));

  /* The structured agent streams readable lines into its tab. */
  session = implement (f, "test-agent");
  w.session = session;
  w.page = selected_page (f);
  w.text = "Done: the spec is implemented";
  g_assert_true (test_util_wait_until (screen_shows, &w, 15000));
  ui_test_settle (300);
  g_clear_pointer (&shot, g_free);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "window-session-pane");
  g_test_message ("screenshot: %s", shot);
}

static gboolean
history_loaded (gpointer data)
{
  LeanSessionsView *view = data;
  return !lean_sessions_view_get_loading (view) &&
         g_list_model_get_n_items (lean_sessions_view_get_model (view)) >= 1;
}

static void
test_history_window (Fixture       *f,
                     gconstpointer  data)
{
  LeanSession *session;
  GtkWindow *history;
  LeanSessionsView *view;
  Wait w = { 0 };
  g_autofree char *shot = NULL;

  g_assert_true (lean_window_select_spec (f->window, "002-habit-data-model"));
  ui_test_settle (100);
  session = implement (f, "test-agent");
  w.session = session;
  w.state = LEAN_SESSION_STATE_COMPLETED;
  g_assert_true (test_util_wait_until (in_state, &w, 15000));
  lean_session_db_flush (f->db);

  /* Session History is a window action (the main menu has it). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-session-history",
                                             NULL));
  /* The window it opened, not another. */
  history = _lean_window_show_history (f->window);
  g_assert_nonnull (history);
  view = LEAN_SESSIONS_VIEW (ui_test_find_widget (GTK_WIDGET (history), LEAN_TYPE_SESSIONS_VIEW));
  g_assert_nonnull (view);
  g_assert_true (test_util_wait_until (history_loaded, view, 5000));
  ui_test_settle (200);
  shot = ui_test_screenshot (GTK_WIDGET (history), "window-session-history");
  g_test_message ("screenshot: %s", shot);
  gtk_window_destroy (history);
}

static gboolean
offers_worktrees (gpointer data)
{
  return ui_test_find_button (data, "_Review") != NULL;
}

static gboolean
preferences_on_worktrees (gpointer data)
{
  GtkWindow *prefs = ui_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);

  return prefs != NULL && gtk_widget_get_mapped (GTK_WIDGET (prefs)) &&
         g_strcmp0 (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (prefs)),
                    "worktrees") == 0 &&
         ui_test_find_button (GTK_WIDGET (prefs), "Remove _All Ended") != NULL;
}

/* Worktrees of ended sessions do not pile up silently: past the Worktrees
 * page's threshold a window says so, and its toast opens that page. */
static void
test_worktrees_pointed_out (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("leanspec-pile-XXXXXX", &error);
  g_autofree char *repo = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  LeanWindow *second;
  GtkWindow *prefs;

  g_assert_no_error (error);
  test_review_git_identity ();
  repo = test_review_make_repo (dir);

  /* One short of the threshold: nothing is said. */
  for (guint i = 0; i + 1 < LEAN_WORKTREES_HINT_COUNT; i++)
    g_ptr_array_add (sessions, test_review_run_session (f->controller, f->db, repo, "flood2",
                                                        TRUE));
  ui_test_settle (1500);
  g_assert_false (offers_worktrees (f->window));

  g_ptr_array_add (sessions, test_review_run_session (f->controller, f->db, repo, "flood2", TRUE));
  /* A window opened now points them out. */
  second = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (second), 1000, 700);
  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (test_util_wait_until (offers_worktrees, second, 20000));
  g_assert_true (ui_test_find_label_prefix (GTK_WIDGET (second), "5 worktrees of ended sessions are left ("));
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (second), "window-worktrees-toast"));

  ui_input_click (ui_test_find_button (GTK_WIDGET (second), "_Review"));
  g_assert_true (test_util_wait_until (preferences_on_worktrees, NULL, 20000));
  prefs = ui_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (prefs), "window-worktrees-preferences"));

  gtk_window_destroy (prefs);
  gtk_window_destroy (GTK_WINDOW (second));
  ui_test_settle (100);
  g_clear_pointer (&sessions, g_ptr_array_unref);
  test_util_rm_rf (dir);
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
  ui_test_start_notification_server ();

  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return g_test_run ();
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/window-sessions/implement", Fixture, NULL,
              fixture_set_up, test_implement_from_spec_view, fixture_tear_down);
  g_test_add ("/window-sessions/history", Fixture, NULL,
              fixture_set_up, test_history_window, fixture_tear_down);
  g_test_add ("/window-sessions/worktrees-pointed-out", Fixture, NULL,
              fixture_set_up, test_worktrees_pointed_out, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
