/* SPDX-License-Identifier: MIT */
/* The validation view in a real window under Xvfb: real checks run in a
 * temp project, rows follow them, a click on a failed check opens its
 * output, a click on "Send Failures to Agent" asks for the next iteration. */
#include "config.h"

#include <string.h>

#include "lean-terminal-view.h"
#include "lean-validation-view.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

#define FAILURE_LINE "FAIL: test_feature: fixed.txt is missing"

typedef struct
{
  char               *dir;
  GtkWidget          *window;
  LeanValidationView *view;
  LeanValidation     *validation;
  LeanProject        *project;
  GPtrArray          *specs;
} Fixture;

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanCheckConfig) config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  g_autoptr(LeanCheck) tests = NULL;
  g_autoptr(LeanCheck) lint = NULL;
  g_autoptr(GError) error = NULL;
  const char *tests_argv[] = { "make", "test", NULL };
  const char *lint_argv[] = { "sh", "-c", "echo 'lint: 0 problems'", NULL };
  const char *verdict = "{\"verdict\": \"fail\", \"requirements\": ["
                        "{\"item\": \"Checks run in their own process group\", \"met\": true,"
                        " \"evidence\": \"src/core/validate/lean-check-run.c: setsid\"},"
                        "{\"item\": \"A <b>fixed.txt</b> exists\", \"met\": false,"
                        " \"evidence\": \"make test fails\"}],"
                        " \"gaps\": [\"fixed.txt is never written\"],"
                        " \"summary\": \"One requirement is not met yet.\"}";
  g_autoptr(LeanCriticVerdict) critic = lean_critic_verdict_parse (verdict, strlen (verdict));
  LeanSpec *spec;

  f->dir = test_util_make_tmp_dir ();
  test_util_write_file (f->dir, "specs/001-feature/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n# Feature\n\n"
                        "- [x] build it\n- [ ] document the <b>flags</b>\n");
  test_util_write_file (f->dir, "Makefile",
                        "test:\n"
                        "\t@echo 'collected 5 items'\n"
                        "\t@test -f fixed.txt || (echo '" FAILURE_LINE "' && "
                        "echo '==== 1 failed, 4 passed in 0.02s ====' && false)\n");
  tests = lean_check_new ("tests", "Tests", LEAN_CHECK_KIND_TEST, tests_argv, 60, NULL);
  lint = lean_check_new ("lint", "Lint", LEAN_CHECK_KIND_LINT, lint_argv, 60, NULL);
  lean_check_config_add_check (config, tests);
  lean_check_config_add_check (config, lint);

  f->project = lean_project_open (f->dir, &error);
  g_assert_no_error (error);
  f->specs = lean_project_load_specs (f->project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (f->project, f->specs, "1", &error);
  g_assert_no_error (error);

  f->validation = lean_validation_new ("001-feature", config, f->dir);
  lean_validation_set_completion (f->validation, f->project, f->specs, spec);
  lean_validation_set_critic (f->validation, critic);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 820);
  f->view = LEAN_VALIDATION_VIEW (lean_validation_view_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  gtk_window_present (GTK_WINDOW (f->window));
  lean_validation_view_set_validation (f->view, f->validation);
  ui_test_settle (200);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  g_clear_object (&f->validation);
  g_clear_pointer (&f->specs, g_ptr_array_unref);
  g_clear_object (&f->project);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
screen_shows (LeanTerminalView *view,
              const char       *needle)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = lean_terminal_view_dup_screen_text (view);

      if (text != NULL && strstr (text, needle) != NULL)
        return TRUE;
      ui_test_settle (20);
    }
  return FALSE;
}

static void
on_send (LeanValidationView *view,
         gboolean           *sent)
{
  *sent = TRUE;
}

/* The mapped AdwExpanderRow titled @title. */
static GtkWidget *
find_expander (GtkWidget  *root,
               const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_EXPANDER_ROW (child) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;
      if ((found = find_expander (child, title)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button (child, label)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_run_open_send (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *row;
  GtkWidget *header;
  LeanTerminalView *terminal;
  GtkWidget *send;
  const char *subtitle;
  gboolean sent = FALSE;
  g_autofree char *shot1 = NULL;
  g_autofree char *shot2 = NULL;
  g_autofree char *shot3 = NULL;

  g_signal_connect (f->view, "send-failures", G_CALLBACK (on_send), &sent);
  lean_validation_run (f->validation);
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->view), "Running check 1 of 2…"));
  g_assert_true (test_util_wait_until (validation_done, f->validation, 30000));
  ui_test_settle (200);

  g_assert_true (ui_test_find_text (GTK_WIDGET (f->view), "1 of 2 checks passed"));
  row = find_expander (GTK_WIDGET (f->view), "Tests");
  g_assert_nonnull (row);
  subtitle = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));
  g_assert_true (g_str_has_prefix (subtitle, "Failed · "));
  g_assert_true (g_str_has_suffix (subtitle, " s · 4 passed, 1 failed, 0 skipped · exit status 2"));
  g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (
                   ADW_EXPANDER_ROW (find_expander (GTK_WIDGET (f->view), "Lint"))), "Passed · "));
  /* Outside text is shown as typed, never as markup. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->view), "line 8: document the <b>flags</b>"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->view), "A <b>fixed.txt</b> exists"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->view), "One requirement is not met yet."));

  /* A real click on the failed check opens its output. */
  g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  header = ui_test_find_widget (row, GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (header);
  ui_input_click (header);
  ui_test_settle (300);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  terminal = LEAN_TERMINAL_VIEW (ui_test_find_widget (row, LEAN_TYPE_TERMINAL_VIEW));
  g_assert_true (screen_shows (terminal, FAILURE_LINE));
  g_assert_true (screen_shows (terminal, "collected 5 items"));
  shot1 = ui_test_screenshot (f->window, "validation-view-wide-light");

  send = find_button (GTK_WIDGET (f->view), "Send _Failures to Agent");
  g_assert_nonnull (send);
  g_assert_true (gtk_widget_get_mapped (send));
  ui_input_click (send);
  ui_test_settle (200);
  g_assert_true (sent);

  /* Narrow and dark. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 420, 820);
  ui_test_settle (400);
  shot2 = ui_test_screenshot (f->window, "validation-view-narrow-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 820);
  ui_test_settle (300);
  shot3 = ui_test_screenshot (f->window, "validation-view-wide-light-after");
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
      g_printerr ("test-validation-view needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

  g_test_add ("/validation-view/run-open-send", Fixture, NULL, fixture_setup,
              test_run_open_send, fixture_teardown);
  return g_test_run ();
}
