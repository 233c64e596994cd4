/* SPDX-License-Identifier: MIT */
/* The Dashboard, the completion summary and the Session History's
 * archive toggle, export and replay, in real windows under Xvfb over a
 * real SQLite file with a few hundred generated sessions; controls are
 * clicked with real pointer events; screenshots light and dark. */
#include "config.h"

#include <sqlite3.h>

#include "lean-completion-summary.h"
#include "lean-dashboard-chart.h"
#include "lean-dashboard-window.h"
#include "lean-session-replay.h"
#include "lean-sessions-view.h"
#include "lean-terminal-view.h"
#include "metrics-fixture.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

typedef struct
{
  char          *dir;
  char          *root;
  char          *db_path;
  LeanSessionDb *db;
  LeanSpecStore *store;
} Fixture;

static void
on_loaded (GObject *store, GAsyncResult *result, gpointer data)
{
  g_assert_true (lean_spec_store_load_finish (LEAN_SPEC_STORE (store), result, NULL));
  *(gboolean *) data = TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  gboolean loaded = FALSE;

  f->dir = test_util_make_tmp_dir ();
  f->root = g_build_filename (f->dir, "project", NULL);
  test_util_write_file (f->root, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (f->root, "specs/001-alpha/README.md",
                        "---\nstatus: complete\ncreated: '2026-11-01'\n---\n\n# Alpha & <b>Omega\n");
  test_util_write_file (f->root, "specs/002-beta/README.md",
                        "---\nstatus: planned\ncreated: '2026-11-01'\ndepends_on:\n  - 001-alpha\n"
                        "---\n\n# Beta\n");
  f->db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  project = lean_project_open (f->root, &error);
  g_assert_no_error (error);
  f->store = lean_spec_store_new (project);
  lean_spec_store_load_async (f->store, NULL, on_loaded, &loaded);
  test_util_wait_for_flag (&loaded, 10, "the spec store to load");

  /* 300 sessions over 30 days in two other projects, 120 in this one. */
  lean_session_db_flush (f->db);
  g_assert_true (metrics_fixture_fill (f->db_path, 300, 30, 2, NULL));
  g_assert_true (metrics_fixture_fill (f->db_path, 120, 30, 1,
                                       lean_project_get_root (project)));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  g_clear_object (&f->store);
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->root);
  g_free (f->db_path);
}

static gboolean
not_loading (gpointer data)
{
  return !lean_dashboard_window_get_loading (data);
}

static void
wait_dashboard (LeanDashboardWindow *w)
{
  g_assert_true (test_util_wait_until (not_loading, w, 10000));
  ui_test_settle (200);
}

/* Opens @dropdown's popup with a real click and clicks the row @text. */
static void
pick (GtkWidget  *dropdown,
      const char *text)
{
  GtkWidget *popover;
  GtkWidget *label = NULL;

  ui_input_click (dropdown);
  ui_test_settle (300);
  popover = ui_test_find_widget (dropdown, GTK_TYPE_POPOVER);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_mapped (popover));
  label = ui_test_find_label (popover, text);
  g_assert_nonnull (label);
  ui_input_click (label);
  ui_test_settle (300);
}

static guint
summary_sessions (LeanDashboardWindow *w)
{
  g_autofree char *text = lean_dashboard_window_dup_summary (w);
  return (guint) g_ascii_strtoull (text, NULL, 10);
}

static void
test_dashboard (Fixture       *f,
                gconstpointer  data)
{
  LeanDashboardWindow *w = lean_dashboard_window_new (NULL, f->db_path, f->store);
  GtkWidget *sessions;
  g_autofree char *hover = NULL;
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;
  guint month_project, month_all, week_all;

  gtk_window_present (GTK_WINDOW (w));
  wait_dashboard (w);

  /* This project, the last 30 days: its 120 sessions, within the edge. */
  month_project = summary_sessions (w);
  g_assert_cmpuint (month_project, >=, 110);
  g_assert_cmpuint (month_project, <=, 120);

  pick (lean_dashboard_window_get_part (w, "project"), "All Projects");
  wait_dashboard (w);
  month_all = summary_sessions (w);
  g_assert_cmpuint (month_all, >, month_project);
  g_assert_cmpuint (month_all, <=, 420);

  pick (lean_dashboard_window_get_part (w, "range"), "Last 7 Days");
  wait_dashboard (w);
  week_all = summary_sessions (w);
  g_assert_cmpuint (week_all, <, month_all);
  g_assert_cmpuint (week_all, >, 0);

  pick (lean_dashboard_window_get_part (w, "range"), "Last 30 Days");
  wait_dashboard (w);
  g_assert_cmpuint (summary_sessions (w), ==, month_all);

  /* The pointer over the last day's bar shows that day's results. */
  sessions = lean_dashboard_window_get_part (w, "sessions");
  ui_input_move_to (sessions, gtk_widget_get_width (sessions) - 20,
                    gtk_widget_get_height (sessions) / 2.0);
  ui_test_settle (200);
  g_assert_cmpint (lean_dashboard_chart_get_hovered (LEAN_DASHBOARD_CHART (sessions)), >=, 0);
  hover = lean_dashboard_chart_describe (LEAN_DASHBOARD_CHART (sessions),
                                         lean_dashboard_chart_get_hovered (LEAN_DASHBOARD_CHART (sessions)));
  g_assert_nonnull (strstr (hover, "Completed: "));
  g_assert_nonnull (strstr (hover, "Failed: "));

  /* The commonest failure reason is listed. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (lean_dashboard_window_get_part (w, "reasons"))),
                            "Claude: usage limit reached"));

  light = ui_test_screenshot (GTK_WIDGET (w), "dashboard-light");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_settle (300);
  ui_input_move_to (sessions, gtk_widget_get_width (sessions) - 20,
                    gtk_widget_get_height (sessions) / 2.0);
  ui_test_settle (200);
  dark = ui_test_screenshot (GTK_WIDGET (w), "dashboard-dark");
  g_assert_true (g_file_test (light, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (dark, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (w));
}

/* ---- completion summary ---- */

typedef struct
{
  char *opened;
} Parent;

static void
on_open_spec (GSimpleAction *action,
              GVariant      *param,
              gpointer       data)
{
  Parent *p = data;

  g_free (p->opened);
  p->opened = g_variant_dup_string (param, NULL);
}

static void
on_ready (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
test_completion_summary (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *parent = gtk_window_new ();
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) open = g_simple_action_new ("open-spec", G_VARIANT_TYPE_STRING);
  LeanSpec *alpha = lean_spec_store_lookup (f->store, "001-alpha");
  LeanCompletionSummary *summary;
  g_autofree char *text = NULL;
  g_autofree char *shot = NULL;
  gboolean ready = FALSE;
  Parent p = { 0 };
  LeanSession *s;
  GtkWidget *button;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GDateTime) start = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) end = g_date_time_add_seconds (start, 300);

      s = lean_session_new (NULL, lean_project_get_root (lean_spec_store_get_project (f->store)),
                            "001-alpha", "claude", LEAN_SESSION_MODE_AUTONOMOUS);
      lean_session_set_runner (s, "local");
      lean_session_set_usage (s, 20000, 4000, 0);
      lean_session_set_cost_usd (s, 0.4);
      lean_session_set_iteration (s, i + 1);
      lean_session_set_started_at (s, start);
      lean_session_db_save_session_now (f->db, s);
      lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
      lean_session_set_ended_at (s, end);
      lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
      lean_session_db_save_session_now (f->db, s);
      g_object_unref (s);
    }

  g_signal_connect (open, "activate", G_CALLBACK (on_open_spec), &p);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (open));
  gtk_widget_insert_action_group (parent, "win", G_ACTION_GROUP (group));
  gtk_window_present (GTK_WINDOW (parent));

  g_assert_nonnull (alpha);
  summary = lean_completion_summary_new (GTK_WINDOW (parent), f->db, f->store, alpha);
  g_signal_connect_swapped (summary, "ready", G_CALLBACK (on_ready), &ready);
  gtk_window_present (GTK_WINDOW (summary));
  test_util_wait_for_flag (&ready, 10, "the completion summary");
  ui_test_settle (300);

  /* The title from the file is shown as written: markup would fail on it
   * (a warning, fatal here) or turn it bold. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (summary), "Alpha & <b>Omega Is Complete"));
  text = lean_completion_summary_dup_text (summary);
  g_assert_nonnull (strstr (text, "Sessions: 2\n"));
  g_assert_nonnull (strstr (text, "Iterations: 2\n"));
  g_assert_nonnull (strstr (text, "Tokens: 48.0k\n"));
  g_assert_nonnull (strstr (text, "Cost: $0.80\n"));
  g_assert_nonnull (strstr (text, "Agent time: 10 min 0 s\n"));
  shot = ui_test_screenshot (GTK_WIDGET (summary), "completion-summary");

  /* Its sessions are archived. */
  lean_session_db_flush (f->db);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GListModel) list = lean_session_db_list (f->db, "001-alpha", &error);
    guint archived = 0;

    for (guint i = 0; i < g_list_model_get_n_items (list); i++)
      {
        g_autoptr(LeanSession) item = g_list_model_get_item (list, i);
        if (g_strcmp0 (lean_session_get_project_path (item),
                       lean_project_get_root (lean_spec_store_get_project (f->store))) == 0)
          archived += lean_session_get_archived (item) ? 1 : 0;
      }
    /* The 2 above, and the fixture's ended sessions of 001 in this project. */
    g_assert_cmpuint (archived, >=, 2);
  }

  /* Beta waited on alpha: Open is a real click. */
  button = lean_completion_summary_get_button (summary, "002-beta", FALSE);
  g_assert_nonnull (button);
  g_assert_nonnull (lean_completion_summary_get_button (summary, "002-beta", TRUE));
  ui_input_click (button);
  ui_test_settle (200);
  g_assert_cmpstr (p.opened, ==, "002-beta");
  g_free (p.opened);
  gtk_window_destroy (GTK_WINDOW (parent));
}

/* ---- session history ---- */

static gboolean
view_loaded (gpointer data)
{
  return !lean_sessions_view_get_loading (data);
}

static void
on_exported (LeanSessionsView *view,
             const char       *path,
             const char       *error,
             gpointer          data)
{
  g_assert_null (error);
  *(gboolean *) data = TRUE;
}

static gboolean
replay_finished (gpointer data)
{
  return lean_session_replay_get_finished (data) &&
         lean_terminal_view_is_idle (LEAN_TERMINAL_VIEW (lean_session_replay_get_terminal (data)));
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  LeanSessionsView *view = LEAN_SESSIONS_VIEW (lean_sessions_view_new ());
  LeanSession *s = lean_session_new (NULL, "/proj/x", "042-replay", "claude",
                                     LEAN_SESSION_MODE_AUTONOMOUS);
  g_autofree char *out = g_build_filename (f->dir, "export.cast", NULL);
  g_autofree char *cast = NULL;
  g_autofree char *screen = NULL;
  LeanSessionReplay *replay;
  GtkWidget *toggle, *replay_button;
  guint visible, all;
  gboolean exported = FALSE;

  /* A session with output, and every session of spec 001 archived. */
  lean_session_set_runner (s, "local");
  lean_session_db_save_session_now (f->db, s);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *line = g_strdup_printf ("\033[32mstep %u\033[0m done\r\n", i);
      g_autoptr(GBytes) b = g_bytes_new (line, strlen (line));

      lean_session_db_append_output (f->db, lean_session_get_id (s), b);
      lean_session_db_flush (f->db);
      g_usleep (300 * 1000);
    }
  lean_session_db_archive_spec (f->db, "/proj/0", "001-spec");
  lean_session_db_flush (f->db);

  lean_sessions_view_set_db (view, f->db);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 600);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (test_util_wait_until (view_loaded, view, 10000));
  ui_test_settle (300);
  visible = g_list_model_get_n_items (lean_sessions_view_get_model (view));
  g_assert_cmpuint (visible, <, 421);

  toggle = ui_test_find_button (GTK_WIDGET (view), "Show _Archived");
  g_assert_nonnull (toggle);
  ui_input_click (toggle);
  ui_test_settle (300);
  all = g_list_model_get_n_items (lean_sessions_view_get_model (view));
  g_assert_cmpuint (all, ==, 421);
  g_assert_cmpuint (visible, <, all);
  ui_input_click (toggle);
  ui_test_settle (200);
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, visible);

  /* Select the replay session (the newest row) and export it. */
  lean_sessions_view_set_spec_filter (view, "042-replay");
  ui_test_settle (200);
  g_assert_cmpuint (g_list_model_get_n_items (lean_sessions_view_get_model (view)), ==, 1);
  gtk_selection_model_select_item (gtk_column_view_get_model (
                                     GTK_COLUMN_VIEW (ui_test_find_widget (GTK_WIDGET (view),
                                                                           GTK_TYPE_COLUMN_VIEW))),
                                   0, TRUE);
  ui_test_settle (100);
  {
    g_autoptr(LeanSession) selected = lean_sessions_view_dup_selected (view);
    g_autoptr(GFile) file = g_file_new_for_path (out);

    g_assert_nonnull (selected);
    g_signal_connect (view, "exported", G_CALLBACK (on_exported), &exported);
    lean_sessions_view_export (view, selected, LEAN_SESSION_EXPORT_CAST, file);
    test_util_wait_for_flag (&exported, 10, "the export");
  }
  g_assert_true (g_file_get_contents (out, &cast, NULL, NULL));
  g_assert_true (g_str_has_prefix (cast, "{\"version\":2,"));
  g_assert_nonnull (strstr (cast, "step 2"));

  /* Export… is a real click: a file chooser with the format choice and a
   * name from the spec (the dialog itself is GTK's, cancelled here). */
  {
    GtkWidget *export_button = ui_test_find_button (GTK_WIDGET (view), "_Export…");
    GtkWindow *chooser;
    g_autofree char *name = NULL;

    g_assert_nonnull (export_button);
    g_assert_true (gtk_widget_is_sensitive (export_button));
    ui_input_click (export_button);
    ui_test_settle (500);
    chooser = ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
    g_assert_nonnull (chooser);
    name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));
    g_assert_true (g_str_has_prefix (name, "042-replay-"));
    g_assert_true (g_str_has_suffix (name, ".cast"));
    g_assert_cmpstr (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "format"), ==, "cast");
    gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
    ui_test_settle (300);
  }

  /* Replay with a real click, at 8x. */
  replay_button = ui_test_find_tooltip (GTK_WIDGET (view), "Replay the selected session");
  g_assert_nonnull (replay_button);
  g_assert_true (gtk_widget_is_sensitive (replay_button));
  ui_input_click (replay_button);
  ui_test_settle (300);
  replay = LEAN_SESSION_REPLAY (ui_test_find_toplevel (LEAN_TYPE_SESSION_REPLAY));
  g_assert_nonnull (replay);
  lean_session_replay_set_speed (replay, 8);
  g_assert_true (test_util_wait_until (replay_finished, replay, 10000));
  ui_test_settle (300);
  screen = lean_terminal_view_dup_screen_text (LEAN_TERMINAL_VIEW (lean_session_replay_get_terminal (replay)));
  g_assert_nonnull (strstr (screen, "step 0 done"));
  g_assert_nonnull (strstr (screen, "step 2 done"));
  g_free (ui_test_screenshot (GTK_WIDGET (replay), "session-replay"));
  g_free (ui_test_screenshot (window, "session-history-archived"));
  gtk_window_destroy (GTK_WINDOW (replay));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (s);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  if (!ui_input_available ())
    {
      g_printerr ("test-ui-dashboard needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

#define ADD(path, fn) \
  g_test_add ("/ui/dashboard/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("charts-and-selectors", test_dashboard);
  ADD ("completion-summary", test_completion_summary);
  ADD ("history-archive-export-replay", test_history);
#undef ADD
  return g_test_run ();
}
