/* SPDX-License-Identifier: MIT */
/* The checks' figures the window shows (Stats: Pass, Warn, Fail) against
 * LeanSpec's own HTTP server on the same temp copy of the corpus: its web
 * UI lists the specs that are not archived and checks each through
 * /validation, and a person comparing the two must see the same numbers.
 * The stats are reached with a real Ctrl+4 through XTest and read from the
 * labels on screen. */
#include "config.h"

#include "http-reference.h"
#include "lean-application.h"
#include "lean-stats-view.h"
#include "lean-window-private.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static LeanApplication *app;

static const char *
corpus_path (void)
{
  const char *env = g_getenv ("LEANSPEC_CORPUS");

  return env != NULL ? env : "/work/shared/corpus/lean-spec";
}

static gboolean
store_loaded (gpointer data)
{
  LeanSpecStore *store = lean_window_get_store (data);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static gboolean
stats_shown (gpointer data)
{
  LeanWindow *window = data;

  return g_strcmp0 (_lean_window_get_view (window), "stats") == 0 &&
         _lean_stats_view_is_ready (window->stats_view) &&
         gtk_widget_get_mapped (GTK_WIDGET (window->stats_view));
}

/* The number on screen beside the bar called @name. */
static guint
shown_count (LeanWindow *window,
             const char *name)
{
  GtkWidget *label = ui_test_find_named (GTK_WIDGET (window->stats_view), name);
  guint64 value = 0;

  g_assert_nonnull (label);
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_true (g_ascii_string_to_unsigned (gtk_label_get_label (GTK_LABEL (label)), 10, 0,
                                             G_MAXUINT, &value, NULL));
  return value;
}

static void
compare_counts (const char *project)
{
  HttpReference server = { 0, };
  g_autoptr(GError) error = NULL;
  LeanWindow *window;
  guint theirs[3];
  guint ours[3];

  if (!http_reference_start (&server, project))
    {
      http_reference_stop (&server);
      return;
    }
  g_assert_true (http_reference_tally_checks (&server, theirs, &error));
  g_assert_no_error (error);
  http_reference_stop (&server);
  g_test_message ("leanspec-http: %u pass, %u warn, %u fail", theirs[0], theirs[1], theirs[2]);

  window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  gtk_window_present (GTK_WINDOW (window));
  lean_window_open_project (window, project);
  g_assert_true (test_util_wait_until (store_loaded, window, 30000));
  ui_test_settle (300);

  ui_input_key (GDK_KEY_4, GDK_CONTROL_MASK);
  g_assert_true (test_util_wait_until (stats_shown, window, 30000));
  ui_test_settle (100);

  ours[0] = shown_count (window, "Pass");
  ours[1] = shown_count (window, "Warn");
  ours[2] = shown_count (window, "Fail");
  g_test_message ("window: %u pass, %u warn, %u fail", ours[0], ours[1], ours[2]);
  g_assert_cmpuint (ours[0], ==, theirs[0]);
  g_assert_cmpuint (ours[1], ==, theirs[1]);
  g_assert_cmpuint (ours[2], ==, theirs[2]);
  /* The tile says the same as the bar. */
  g_assert_cmpuint (_lean_stats_view_get_n_failing (window->stats_view), ==, theirs[2]);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_settle (50);
}

static void
test_corpus (void)
{
  g_autofree char *project = NULL;

  if (!g_file_test (corpus_path (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no LeanSpec corpus (set LEANSPEC_CORPUS)");
      return;
    }
  /* The server writes nothing into a project, but a copy is all it gets. */
  project = ui_test_copy_tree (corpus_path ());
  compare_counts (project);
  ui_test_remove_tree (project);
}

/* A generated project has drafts, archived specs and specs with errors of
 * every kind, in specs/archived/ too. */
static void
test_generated (void)
{
  g_autofree char *script = ui_test_source_path ("..", "shared", "tools", "gen-corpus.py", NULL);
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_file_test (script, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no gen-corpus.py");
      return;
    }
  tmp = test_util_make_tmp_dir ();
  project = g_build_filename (tmp, "gen", NULL);
  {
    const char *argv[] = { "python3", script, project, "150", "--seed", "13", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                                 G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }
  compare_counts (project);
  test_util_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  if (!ui_input_available ())
    {
      g_printerr ("test-ui-interop-counts needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

  app = lean_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/ui/interop-counts/corpus", test_corpus);
  g_test_add_func ("/ui/interop-counts/generated", test_generated);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
