/* SPDX-License-Identifier: MIT */
/* The whole lifecycle as a person does it, in the real main window under
 * Xvfb, on a temp copy of the demo project whose runners.json has a custom
 * agent (the test agent speaking Claude stream-json): select a spec,
 * "Implement with AI", choose the agent, start; the session tab streams
 * beside the spec, the spec becomes in-progress on disk, the row shows the
 * dot, the session completes with tokens and cost in its banner, the
 * history lists it, Mark Complete (Complete Anyway) writes the file; then
 * the database is opened afresh, as the next start of the app would, and
 * the session is replayed from it in a fresh window.
 * Screenshots of every step: <build>/screenshots/e2e-*.png. */
#include "config.h"

#include <string.h>

#include "lean-application.h"
#include "lean-completion-summary.h"
#include "lean-implement-dialog.h"
#include "lean-session-indicator.h"
#include "lean-session-pane.h"
#include "lean-session-ui-private.h"
#include "lean-sessions-view.h"
#include "lean-spec-list.h"
#include "lean-spec-view-private.h"
#include "lean-spec-view.h"
#include "lean-window-private.h"
#include "lean-application-private.h"
#include "test-session-util.h"
#include "ui-test-util.h"

#define SPEC_ID "005-reminders"
#define FINAL_LINE "Done: the spec is implemented"

static LeanApplication *app;

static gboolean
store_loaded (gpointer data)
{
  LeanSpecStore *store = lean_window_get_store (data);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static LeanWindow *
open_window (const char *project)
{
  LeanWindow *window = lean_window_new (ADW_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  gtk_window_present (GTK_WINDOW (window));
  lean_window_open_project (window, project);
  g_assert_true (test_util_wait_until (store_loaded, window, 10000));
  ui_test_settle (300);
  return window;
}

static gboolean
dialog_ready (gpointer data)
{
  LeanImplementDialog *dialog =
      LEAN_IMPLEMENT_DIALOG (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  return dialog != NULL && lean_implement_dialog_get_ready (dialog);
}

static LeanSessionIndicator *
find_indicator (GtkWidget *root)
{
  if (LEAN_IS_SESSION_INDICATOR (root) && gtk_widget_get_visible (root))
    return LEAN_SESSION_INDICATOR (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      LeanSessionIndicator *found = find_indicator (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* All the text of mapped labels under @root, one per line. */
static void
collect_text (GtkWidget *root,
              GString   *out)
{
  if (!gtk_widget_get_mapped (root))
    return;
  if (GTK_IS_LABEL (root))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (root)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
dup_text (GtkWidget *root)
{
  GString *out = g_string_new (NULL);

  collect_text (root, out);
  return g_string_free (out, FALSE);
}

typedef struct
{
  LeanSession      *session;
  LeanSessionState  state;
  LeanSessionPage  *page;
  const char       *text;
  const char       *path;
} Wait;

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

static gboolean
file_has (gpointer data)
{
  Wait *w = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (w->path, &contents, NULL, NULL) &&
         strstr (contents, w->text) != NULL;
}

static gboolean
completion_summary_shown (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_COMPLETION_SUMMARY) != NULL;
}

static gboolean
history_has (gpointer data)
{
  Wait *w = data;
  LeanSessionsView *view = LEAN_SESSIONS_VIEW (w->page);
  GListModel *model = lean_sessions_view_get_model (view);

  if (lean_sessions_view_get_loading (view))
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (model, i);
      if (g_strcmp0 (lean_session_get_id (s), lean_session_get_id (w->session)) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
no_pending_writes (gpointer data)
{
  return _lean_spec_view_get_pending_writes (data) == 0;
}

static gboolean
body_laid_out (gpointer data)
{
  /* More than the first line of the body. */
  return gtk_widget_get_height (GTK_WIDGET (_lean_spec_view_get_readme_view (data))) > 100;
}

static gboolean
complete_dialog_shown (gpointer data)
{
  AdwMessageDialog *dialog = _lean_spec_view_get_complete_dialog (data);
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static LeanSessionPage *
selected_page (LeanWindow *window)
{
  LeanSessionPane *pane = _lean_window_get_session_pane (window);
  AdwTabPage *page;

  if (pane == NULL)
    return NULL;
  page = adw_tab_view_get_selected_page (lean_session_pane_get_tab_view (pane));
  return page != NULL ? LEAN_SESSION_PAGE (adw_tab_page_get_child (page)) : NULL;
}

static GtkWidget *
implement_button (LeanSpecView *view)
{
  GtkWidget *actions = lean_spec_view_get_header_actions (view);

  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && !GTK_IS_TOGGLE_BUTTON (child) &&
        gtk_widget_has_css_class (child, "suggested-action"))
      return child;
  return NULL;
}

static void
test_e2e (void)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autofree char *project = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *banner = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  LeanWindow *window;
  LeanSpecView *view;
  GtkWidget *button;
  LeanImplementDialog *dialog;
  LeanController *controller;
  LeanSession *session;
  LeanSessionIndicator *dot;
  AdwMessageDialog *complete;
  GtkWindow *history;
  LeanSessionsView *sessions_view;
  Wait w = { 0 };

  /* A person's project with their own agent in .lean-spec/runners.json. */
  project = ui_test_copy_tree (demo);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "test-agent", agent, "claude-stream-json", "--stream-json", "--sleep",
                  "2", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (project, ".lean-spec/runners.json", json);
  test_trust_runners (project);
  readme = g_build_filename (project, "specs", SPEC_ID, "README.md", NULL);
  /* The app's own database, where a fresh start would look for it. */
  db_path = g_build_filename (g_get_user_data_dir (), "leanspec-desktop", "sessions.db", NULL);

  /* 1. The project, a spec selected. */
  window = open_window (project);
  g_assert_true (lean_window_select_spec (window, SPEC_ID));
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (window));
  /* The body is laid out in idle chunks: wait for it, as a person's eye
   * would (it takes a few hundred ms under Xvfb). */
  g_assert_true (test_util_wait_until (body_laid_out, view, 5000));
  ui_test_settle (200);
  g_assert_cmpint (lean_spec_get_status (lean_spec_view_get_spec (view)), ==,
                   LEAN_SPEC_STATUS_PLANNED);
  shot = ui_test_screenshot (GTK_WIDGET (window), "e2e-01-spec");
  g_clear_pointer (&shot, g_free);

  /* 2. "Implement with AI", the person's agent chosen. */
  button = implement_button (view);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  dialog = LEAN_IMPLEMENT_DIALOG (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  g_assert_true (ui_test_select_agent (dialog, "test-agent"));
  ui_test_settle (200);
  shot = ui_test_screenshot (GTK_WIDGET (dialog), "e2e-02-implement-dialog");
  g_clear_pointer (&shot, g_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "implement.start", NULL));
  ui_test_settle (100);
  g_assert_null (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));

  /* 3. The session's tab beside the spec, streaming. */
  controller = lean_application_get_controller (app);
  g_assert_nonnull (controller);
  g_assert_cmpstr (lean_session_db_get_path (lean_controller_get_db (controller)), ==, db_path);
  w.page = selected_page (window);
  g_assert_nonnull (w.page);
  session = w.session = lean_session_page_get_session (w.page);
  session_id = g_strdup (lean_session_get_id (session));
  g_assert_cmpstr (lean_session_get_spec_id (session), ==, SPEC_ID);
  g_assert_cmpstr (lean_session_get_agent_id (session), ==, "test-agent");
  w.state = LEAN_SESSION_STATE_RUNNING;
  g_assert_true (test_util_wait_until (in_state, &w, 10000));
  /* While it runs (the agent ends two seconds after its first words), its
   * row has the running dot. */
  ui_test_settle (100);
  dot = find_indicator (GTK_WIDGET (_lean_window_get_spec_list (window)));
  g_assert_nonnull (dot);
  g_assert_cmpint (lean_session_indicator_get_state (dot), ==, LEAN_SESSION_STATE_RUNNING);
  w.text = "I will implement";
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));

  /* The spec is in progress on disk (the application moved it). */
  w.path = readme;
  w.text = "status: in-progress";
  g_assert_true (test_util_wait_until (file_has, &w, 5000));
  ui_test_settle (200);
  shot = ui_test_screenshot (GTK_WIDGET (window), "e2e-03-streaming");
  g_clear_pointer (&shot, g_free);

  /* 4. It completes; the banner has the tokens and the cost. */
  w.state = LEAN_SESSION_STATE_COMPLETED;
  g_assert_true (test_util_wait_until (in_state, &w, 20000));
  w.text = FINAL_LINE;
  g_assert_true (test_util_wait_until (screen_shows, &w, 5000));
  g_assert_cmpuint (lean_session_get_input_tokens (session), >, 0);
  g_assert_cmpfloat (lean_session_get_cost_usd (session), >, 0);
  ui_test_settle (300);
  banner = dup_text (GTK_WIDGET (w.page));
  g_test_message ("banner: %s", banner);
  g_assert_nonnull (strstr (banner, "Completed"));
  g_assert_nonnull (strstr (banner, "$0.04"));
  shot = ui_test_screenshot (GTK_WIDGET (window), "e2e-04-completed");
  g_clear_pointer (&shot, g_free);

  /* 5. The history lists it. */
  lean_session_db_flush (lean_controller_get_db (controller));
  history = _lean_window_show_history (window);
  g_assert_nonnull (history);
  sessions_view =
      LEAN_SESSIONS_VIEW (ui_test_find_widget (GTK_WIDGET (history), LEAN_TYPE_SESSIONS_VIEW));
  g_assert_nonnull (sessions_view);
  w.page = (LeanSessionPage *) sessions_view;
  g_assert_true (test_util_wait_until (history_has, &w, 5000));
  shot = ui_test_screenshot (GTK_WIDGET (history), "e2e-05-history");
  g_clear_pointer (&shot, g_free);
  gtk_window_destroy (history);
  ui_test_settle (100);

  /* 6. Mark Complete: the checklist is still open, Complete Anyway. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "spec.mark-complete", NULL));
  g_assert_true (test_util_wait_until (complete_dialog_shown, view, 5000));
  complete = _lean_spec_view_get_complete_dialog (view);
  shot = ui_test_screenshot (GTK_WIDGET (complete), "e2e-06-complete-dialog");
  g_clear_pointer (&shot, g_free);
  adw_message_dialog_response (complete, "force");
  if (gtk_widget_get_visible (GTK_WIDGET (complete)))
    gtk_window_close (GTK_WINDOW (complete));
  g_assert_true (test_util_wait_until (no_pending_writes, view, 5000));
  w.text = "status: complete";
  g_assert_true (test_util_wait_until (file_has, &w, 5000));
  w.text = "completed_at:";
  g_assert_true (file_has (&w));
  /* The completion summary: the session's work; its sessions archived. */
  g_assert_true (test_util_wait_until (completion_summary_shown, NULL, 5000));
  ui_test_settle (300);
  shot = ui_test_screenshot (GTK_WIDGET (ui_test_find_toplevel (LEAN_TYPE_COMPLETION_SUMMARY)),
                             "e2e-07-completion-summary");
  g_clear_pointer (&shot, g_free);
  gtk_window_destroy (ui_test_find_toplevel (LEAN_TYPE_COMPLETION_SUMMARY));
  ui_test_settle (300);
  shot = ui_test_screenshot (GTK_WIDGET (window), "e2e-07-spec-complete");
  g_clear_pointer (&shot, g_free);

  /* 7. The app goes away: window, controller, database. */
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_settle (100);
  _lean_application_set_controller (app, NULL);
  ui_test_settle (100);

  /* 8. The next start: the database has the session and its output. */
  {
    g_autoptr(LeanSessionDb) db = lean_session_db_open (db_path, &error);
    g_autoptr(LeanController) again = NULL;
    g_autoptr(LeanSession) stored = NULL;
    g_autoptr(GBytes) display = NULL;
    g_autoptr(GBytes) raw = NULL;
    g_autofree char *text = NULL;
    LeanSessionPage *replay;

    g_assert_no_error (error);
    stored = lean_session_db_lookup (db, session_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_COMPLETED);
    g_assert_cmpstr (lean_session_get_spec_id (stored), ==, SPEC_ID);
    /* Its spec was completed: archived, kept. */
    g_assert_true (lean_session_get_archived (stored));
    g_assert_cmpuint (lean_session_get_input_tokens (stored), >, 0);
    g_assert_cmpfloat (lean_session_get_cost_usd (stored), >, 0);
    raw = lean_session_db_read_output_range (db, session_id, LEAN_OUTPUT_CHANNEL_RAW, -1, NULL,
                                             &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (g_bytes_get_data (raw, NULL), "\"total_cost_usd\""));
    display = lean_session_db_read_output_range (db, session_id, LEAN_OUTPUT_CHANNEL_DISPLAY,
                                                 -1, NULL, &error);
    g_assert_no_error (error);
    text = g_strndup (g_bytes_get_data (display, NULL), g_bytes_get_size (display));
    g_assert_nonnull (strstr (text, FINAL_LINE));

    /* A fresh window on it: the history, and the log replayed from it. */
    again = lean_controller_new (db);
    _lean_application_set_controller (app, again);
    window = open_window (project);
    g_assert_cmpint (lean_spec_get_status (lean_spec_store_lookup (lean_window_get_store (window),
                                                                   SPEC_ID)),
                     ==, LEAN_SPEC_STATUS_COMPLETE);
    history = _lean_window_show_history (window);
    sessions_view =
        LEAN_SESSIONS_VIEW (ui_test_find_widget (GTK_WIDGET (history), LEAN_TYPE_SESSIONS_VIEW));
    w.page = (LeanSessionPage *) sessions_view;
    /* Archived sessions are listed on request. */
    lean_sessions_view_set_show_archived (sessions_view, TRUE);
    g_assert_true (test_util_wait_until (history_has, &w, 5000));
    /* What activating its row does. */
    g_signal_emit_by_name (sessions_view, "open-session", stored);
    gtk_window_destroy (history);
    replay = selected_page (window);
    g_assert_nonnull (replay);
    g_assert_false (lean_session_page_get_live (replay));
    w.page = replay;
    w.text = FINAL_LINE;
    g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
    ui_test_settle (300);
    shot = ui_test_screenshot (GTK_WIDGET (window), "e2e-08-replayed");
    g_clear_pointer (&shot, g_free);

    gtk_window_destroy (GTK_WINDOW (window));
    ui_test_settle (100);
    _lean_application_set_controller (app, NULL);
    lean_session_db_close (db);
  }

  ui_test_remove_tree (project);
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
  /* The unfocused window (no window manager) tells the desktop when the
   * session ends. */
  ui_test_start_notification_server ();

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

  g_test_add_func ("/e2e/implement-complete-replay", test_e2e);

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
