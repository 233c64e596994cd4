/* SPDX-License-Identifier: MIT */
/* Validate and the Ralph loop in the main window, for real, under Xvfb with
 * real clicks: a temp project whose .lean-spec/checks.json runs real
 * commands (`true`, a failing `sh -c`, a small script), the trust dialog
 * naming them before anything runs, the Checks tab's rows, the spec row's
 * mark, the last result read back by a new window; and a Ralph loop started
 * from the Implement dialog with the test agent, which fixes the project
 * only when its prompt holds the failure: passed after two iterations. */
#include "config.h"

#include <string.h>

#include "lean-application-private.h"
#include "lean-application.h"
#include "lean-chain-view.h"
#include "lean-check-config.h"
#include "lean-implement-dialog.h"
#include "lean-session-indicator.h"
#include "lean-spec-row.h"
#include "lean-spec-task-status.h"
#include "lean-spec-view.h"
#include "lean-terminal-view.h"
#include "lean-trust-dialog.h"
#include "lean-validation-store.h"
#include "lean-validation-view.h"
#include "lean-window-private.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

#define FAILURE_LINE "FAIL: test_widget expected 3 widgets, got 2"

static LeanApplication *app;

typedef struct
{
  char           *project;
  char           *db_path;
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
         g_list_model_get_n_items (G_LIST_MODEL (store)) >= 2;
}

static void
open_window (Fixture *f,
             int      width,
             int      height)
{
  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));
  ui_test_settle (200);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *agent = test_agent_path ();
  g_autofree char *runners = NULL;
  g_autofree char *dir = g_dir_make_tmp ("leanspec-ui-validate-XXXXXX", &error);

  g_assert_no_error (error);
  f->project = g_build_filename (dir, "project", NULL);
  test_util_write_file (f->project, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (f->project, "specs/001-widgets/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n\n"
                        "# Widgets\n\n## Plan\n\n- [x] Count the widgets\n"
                        "- [ ] Show the count\n");
  test_util_write_file (f->project, "specs/002-fixer/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-02'\n---\n\n"
                        "# Fixer\n\nMake the widget test pass.\n\n## Plan\n\n"
                        "- [x] Write the widget test\n");
  test_util_write_file (f->project, "check.sh",
                        "#!/bin/sh\n"
                        "test -f fixed.txt && { echo '==== 3 passed in 0.04s ===='; exit 0; }\n"
                        "echo '" FAILURE_LINE "'\n"
                        "echo '==== 1 failed, 2 passed in 0.05s ===='\n"
                        "exit 1\n");

  /* The agent fixes the project only when told what failed. */
  runners = g_strdup_printf ("{\"default\": \"fixer\", \"runners\": {\"fixer\": {"
                             "\"name\": \"Fixer\", \"command\": \"%s\", \"output\": \"text\","
                             "\"args\": [\"--text\", \"--fix-if-prompt-contains\", \"%s\","
                             " \"--fix-file\", \"fixed.txt\"]}}}\n",
                             agent, FAILURE_LINE);
  test_util_write_file (f->project, ".lean-spec/runners.json", runners);
  test_trust_runners (f->project);

  f->db_path = g_build_filename (dir, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);
  _lean_application_set_controller (app, f->controller);
}

static void
close_window (Fixture *f)
{
  GtkWindow *trust = ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG);

  if (trust != NULL)
    gtk_window_destroy (trust);
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  ui_test_settle (100);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->project);

  ui_test_stop_sessions (f->controller, 5000);
  close_window (f);
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  test_util_rm_rf (dir);
  g_free (f->project);
  g_free (f->db_path);
}

static void
write_checks (Fixture    *f,
              const char *json)
{
  test_util_write_file (f->project, ".lean-spec/checks.json", json);
}

static GtkWidget *
validate_button (Fixture *f)
{
  /* The split button's main part, not its arrow. */
  GtkWidget *button = ui_test_find_widget (f->window->validate_button, GTK_TYPE_BUTTON);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  return button;
}

static gboolean
trust_dialog_shown (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG) != NULL;
}

static gboolean
trust_dialog_gone (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG) == NULL;
}

static LeanValidation *
shown_validation (Fixture *f)
{
  GtkWidget *view = _lean_window_get_validation_view (f->window);

  return view != NULL ? lean_validation_view_get_validation (LEAN_VALIDATION_VIEW (view)) : NULL;
}

static gboolean
validation_finished (gpointer data)
{
  LeanValidation *validation = shown_validation (data);

  return validation != NULL && lean_validation_is_finished (validation);
}

/* The expander row of the check titled @name in @root. */
static AdwExpanderRow *
find_check_row (GtkWidget  *root,
                const char *name)
{
  if (ADW_IS_EXPANDER_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), name) == 0)
    return ADW_EXPANDER_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwExpanderRow *row = find_check_row (child, name);

      if (row != NULL)
        return row;
    }
  return NULL;
}

static LeanSessionIndicator *
row_mark (Fixture    *f,
          const char *spec)
{
  GtkWidget *row = ui_test_find_spec_row (GTK_WIDGET (_lean_window_get_spec_list (f->window)),
                                          spec);

  if (row == NULL)
    return NULL;
  return LEAN_SESSION_INDICATOR (ui_test_find_widget (row, LEAN_TYPE_SESSION_INDICATOR));
}

typedef struct
{
  Fixture    *f;
  const char *spec;
  int         mark;
} MarkWait;

static gboolean
row_mark_is (gpointer data)
{
  MarkWait *w = data;
  LeanSessionIndicator *mark = row_mark (w->f, w->spec);

  return mark != NULL && gtk_widget_get_visible (GTK_WIDGET (mark)) &&
         lean_session_indicator_get_validation (mark) == w->mark;
}

typedef struct
{
  GtkWidget  *terminal;
  const char *text;
} ScreenWait;

static gboolean
screen_shows (gpointer data)
{
  ScreenWait *w = data;
  g_autofree char *text = lean_terminal_view_dup_screen_text (LEAN_TERMINAL_VIEW (w->terminal));

  return text != NULL && strstr (text, w->text) != NULL;
}

static void
screenshots (Fixture    *f,
             const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  const struct { int width; gboolean dark; const char *suffix; } shots[] = {
    { 1500, FALSE, "wide-light" },
    { 1500, TRUE, "wide-dark" },
    { 820, FALSE, "narrow-light" },
    { 820, TRUE, "narrow-dark" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    {
      g_autofree char *shot_name = g_strdup_printf ("%s-%s", name, shots[i].suffix);
      g_autofree char *shot = NULL;

      adw_style_manager_set_color_scheme (style, shots[i].dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                               : ADW_COLOR_SCHEME_FORCE_LIGHT);
      gtk_window_set_default_size (GTK_WINDOW (f->window), shots[i].width, 860);
      ui_test_settle (600);
      _lean_window_update_layout (f->window);
      ui_test_settle (400);
      shot = ui_test_screenshot (GTK_WIDGET (f->window), shot_name);
      g_test_message ("screenshot: %s", shot);
    }
  /* The spec's header with Implement and Validate, narrow, pane hidden. */
  _lean_window_set_sessions_shown (f->window, FALSE);
  ui_test_settle (600);
  {
    g_autofree char *shot_name = g_strdup_printf ("%s-narrow-spec", name);
    g_autofree char *shot = ui_test_screenshot (GTK_WIDGET (f->window), shot_name);

    g_test_message ("screenshot: %s", shot);
  }
  _lean_window_set_sessions_shown (f->window, TRUE);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1500, 860);
  ui_test_settle (400);
}

static gboolean
chain_ended (gpointer data)
{
  GtkWidget *view = _lean_window_get_chain_view (data);

  return view != NULL &&
         lean_ralph_loop_is_ended (lean_chain_view_get_loop (LEAN_CHAIN_VIEW (view)));
}

static void
test_validate_clicked (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *trust, *button, *view, *label;
  LeanValidation *validation;
  AdwExpanderRow *row;
  ScreenWait sw = { 0 };
  MarkWait mw = { f, "001-widgets", LEAN_SPEC_VALIDATION_FAILED };
  const char *subtitle;

  write_checks (f, "{\"checks\": [\n"
                   " {\"id\": \"ok\", \"name\": \"Passes\", \"kind\": \"test\",\n"
                   "  \"run\": [\"true\"]},\n"
                   " {\"id\": \"lint\", \"name\": \"Lint\", \"kind\": \"lint\",\n"
                   "  \"run\": [\"sh\", \"-c\", \"echo 'lint: 2 problems'; exit 2\"]},\n"
                   " {\"id\": \"script\", \"name\": \"Widget Tests\", \"kind\": \"test\",\n"
                   "  \"run\": [\"sh\", \"check.sh\"]}]}\n");
  open_window (f, 1500, 860);
  g_assert_true (lean_window_select_spec (f->window, "001-widgets"));
  ui_test_settle (300);
  /* Nothing validated yet: no mark on the row. */
  g_assert_true (row_mark (f, "001-widgets") == NULL ||
                 lean_session_indicator_get_validation (row_mark (f, "001-widgets")) ==
                 LEAN_SPEC_VALIDATION_NONE);

  ui_input_click (validate_button (f));

  /* The project's commands are named before anything runs. */
  g_assert_true (test_util_wait_until (trust_dialog_shown, NULL, 10000));
  trust = GTK_WIDGET (ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG));
  ui_test_settle (300);
  {
    g_autofree char *shot = ui_test_screenshot (trust, "validate-trust-dialog");
    g_test_message ("screenshot: %s", shot);
  }
  /* Each argument exactly, quoted. */
  g_assert_true (ui_test_find_text (trust, "\"check.sh\""));
  g_assert_true (ui_test_find_text (trust, "\"echo 'lint: 2 problems'; exit 2\""));
  g_assert_null (shown_validation (f));
  button = ui_test_find_button (trust, "_Trust and Continue");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (trust_dialog_gone, NULL, 5000));

  /* The checks run in the Checks tab of the pane. */
  g_assert_true (test_util_wait_until (validation_finished, f, 30000));
  ui_test_settle (300);
  view = _lean_window_get_validation_view (f->window);
  g_assert_true (gtk_widget_get_mapped (view));
  validation = shown_validation (f);
  g_assert_cmpuint (lean_validation_get_n_runs (validation), ==, 3);
  g_assert_false (lean_validation_get_passed (validation));

  row = find_check_row (view, "Passes");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (row), "Passed"));
  row = find_check_row (view, "Lint");
  g_assert_nonnull (row);
  subtitle = adw_expander_row_get_subtitle (row);
  g_assert_true (g_str_has_prefix (subtitle, "Failed"));
  g_assert_nonnull (strstr (subtitle, "exit status 2"));
  row = find_check_row (view, "Widget Tests");
  g_assert_nonnull (row);
  subtitle = adw_expander_row_get_subtitle (row);
  g_assert_true (g_str_has_prefix (subtitle, "Failed"));
  g_assert_nonnull (strstr (subtitle, "2 passed, 1 failed, 0 skipped"));

  /* The spec's open item is listed; the summary counts. */
  g_assert_true (ui_test_find_text (view, "1 of 3 checks passed"));
  label = ui_test_find_label (view, "Still Open in the Spec");
  g_assert_nonnull (label);
  g_assert_true (ui_test_find_text (view, "line 11: Show the count") ||
                 ui_test_find_text (view, "Show the count"));

  /* The failing row opens onto its output. */
  row = find_check_row (view, "Lint");
  ui_input_click (GTK_WIDGET (row));
  ui_test_settle (300);
  g_assert_true (adw_expander_row_get_expanded (row));
  sw.terminal = ui_test_find_widget (GTK_WIDGET (row), LEAN_TYPE_TERMINAL_VIEW);
  sw.text = "lint: 2 problems";
  g_assert_true (test_util_wait_until (screen_shows, &sw, 5000));

  /* The spec's row says it failed. */
  g_assert_true (test_util_wait_until (row_mark_is, &mw, 5000));
  g_assert_true (ui_test_find_button (view, "Send _Failures to Agent") != NULL);
  screenshots (f, "validate-failed");

  /* A new window (a restart) shows the stored result again. */
  close_window (f);
  open_window (f, 1500, 860);
  g_assert_true (test_util_wait_until (row_mark_is, &mw, 10000));
  g_assert_true (lean_window_select_spec (f->window, "001-widgets"));
  ui_test_settle (300);
  g_assert_null (shown_validation (f));
  /* "Show Last Validation" in the Validate button's menu. */
  button = ui_test_find_widget (f->window->validate_button, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (button);
  ui_input_click (button);
  ui_test_settle (400);
  {
    GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
    GtkWidget *item;

    g_assert_nonnull (popover);
    item = ui_test_find_label (GTK_WIDGET (popover), "Show Last Validation");
    g_assert_nonnull (item);
    ui_input_click (item);
  }
  g_assert_true (test_util_wait_until (validation_finished, f, 10000));
  ui_test_settle (300);
  validation = shown_validation (f);
  g_assert_cmpuint (lean_validation_get_n_runs (validation), ==, 3);
  g_assert_cmpint (lean_check_run_get_status (lean_validation_get_run (validation, 1)), ==,
                   LEAN_CHECK_STATUS_FAILED);
  view = _lean_window_get_validation_view (f->window);
  g_assert_true (gtk_widget_get_mapped (view));
  row = find_check_row (view, "Lint");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_expander_row_get_subtitle (row), "exit status 2"));

  /* "Send Failures to Agent": one Ralph iteration whose prompt holds what
   * failed, so the agent fixes the widget test; Lint and the open item
   * still fail, and the single iteration is spent. */
  button = ui_test_find_button (view, "Send _Failures to Agent");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (chain_ended, f->window, 60000));
  ui_test_settle (300);
  {
    GtkWidget *chain_view = _lean_window_get_chain_view (f->window);
    LeanRalphChain *chain = lean_ralph_loop_get_chain (lean_chain_view_get_loop (
                              LEAN_CHAIN_VIEW (chain_view)));
    g_autofree char *fixed = g_build_filename (f->project, "fixed.txt", NULL);

    g_test_message ("stopped: %s", lean_ralph_chain_get_stop_message (chain));
    g_assert_true (gtk_widget_get_mapped (chain_view));
    g_assert_cmpint (lean_ralph_chain_get_stop (chain), ==, LEAN_RALPH_STOP_MAX_ITERATIONS);
    g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 1);
    g_assert_true (g_file_test (fixed, G_FILE_TEST_EXISTS));
    g_assert_cmpstr (lean_chain_view_get_status (LEAN_CHAIN_VIEW (chain_view)), ==,
                     lean_ralph_chain_get_stop_message (chain));
    view = lean_chain_view_get_validation_view (LEAN_CHAIN_VIEW (chain_view));
    row = find_check_row (view, "Widget Tests");
    g_assert_nonnull (row);
    g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (row), "Passed"));
    row = find_check_row (view, "Lint");
    g_assert_nonnull (row);
    g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (row), "Failed"));
  }
}

/* Trusts the project's checks.json as it is now, as the person would. */
static void
trust_checks (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanCheckConfig) config = lean_check_config_load (f->project, &error);

  g_assert_no_error (error);
  lean_trust_store_trust (lean_trust_store_get_default (), lean_check_config_get_path (config),
                          lean_check_config_get_sha256 (config), &error);
  g_assert_no_error (error);
}

static gboolean
dialog_ready (gpointer data)
{
  GtkWindow *dialog = ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG);

  return dialog != NULL && lean_implement_dialog_get_ready (LEAN_IMPLEMENT_DIALOG (dialog));
}

static void
test_ralph_from_dialog (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *fixed = g_build_filename (f->project, "fixed.txt", NULL);
  GtkWidget *actions, *implement = NULL, *dialog, *expander, *enable, *start, *view;
  LeanRalphChain *chain;
  MarkWait mw = { f, "002-fixer", LEAN_SPEC_VALIDATION_PASSED };

  write_checks (f, "{\"checks\": [{\"id\": \"tests\", \"name\": \"Widget Tests\", "
                   "\"kind\": \"test\", \"run\": [\"sh\", \"check.sh\"]}]}\n");
  trust_checks (f);
  open_window (f, 1500, 860);
  g_assert_true (lean_window_select_spec (f->window, "002-fixer"));
  ui_test_settle (300);

  actions = lean_spec_view_get_header_actions (
    LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window)));
  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && gtk_widget_has_css_class (child, "suggested-action"))
      implement = child;
  g_assert_nonnull (implement);
  ui_input_click (implement);
  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  dialog = GTK_WIDGET (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  g_assert_true (lean_implement_dialog_select_agent (LEAN_IMPLEMENT_DIALOG (dialog), "fixer"));
  ui_test_settle (200);

  /* The Ralph switch, then Start. */
  expander = ui_test_find_widget (dialog, ADW_TYPE_EXPANDER_ROW);
  g_assert_nonnull (expander);
  enable = ui_test_find_widget (expander, GTK_TYPE_SWITCH);
  g_assert_nonnull (enable);
  ui_input_click (enable);
  ui_test_settle (300);
  g_assert_true (lean_implement_dialog_get_ralph (LEAN_IMPLEMENT_DIALOG (dialog), NULL, NULL));
  {
    g_autofree char *shot = ui_test_screenshot (dialog, "implement-dialog-ralph");
    g_test_message ("screenshot: %s", shot);
  }
  start = ui_test_find_button (dialog, "_Start");
  g_assert_nonnull (start);
  ui_input_click (start);

  g_assert_true (test_util_wait_until (chain_ended, f->window, 60000));
  ui_test_settle (300);
  view = _lean_window_get_chain_view (f->window);
  chain = lean_ralph_loop_get_chain (lean_chain_view_get_loop (LEAN_CHAIN_VIEW (view)));
  g_assert_cmpint (lean_ralph_chain_get_stop (chain), ==, LEAN_RALPH_STOP_PASSED);
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 2);
  g_assert_false (lean_ralph_chain_get_iteration_passed (chain, 1));
  g_assert_true (lean_ralph_chain_get_iteration_passed (chain, 2));
  g_assert_true (g_file_test (fixed, G_FILE_TEST_EXISTS));

  /* The timeline: two iterations, the first failed, the second passed,
   * and the stop reason in words. */
  g_assert_true (gtk_widget_get_mapped (view));
  g_assert_cmpuint (lean_chain_view_get_n_iterations (LEAN_CHAIN_VIEW (view)), ==, 2);
  g_assert_true (ui_test_find_text (view, "Iteration 1"));
  g_assert_true (ui_test_find_text (view, "Iteration 2"));
  g_assert_true (ui_test_find_text (view, lean_chain_view_get_status (LEAN_CHAIN_VIEW (view))));
  g_assert_cmpstr (lean_chain_view_get_status (LEAN_CHAIN_VIEW (view)), ==,
                   lean_ralph_chain_get_stop_message (chain));
  g_assert_true (test_util_wait_until (row_mark_is, &mw, 5000));
  screenshots (f, "ralph-passed");

  /* Stored: both validations of the chain, and the chain itself. */
  ui_test_settle (500);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanValidationStore) store = lean_validation_store_open (f->db_path, &error);
    g_autoptr(GArray) ids = NULL;
    g_autoptr(JsonNode) stored = NULL;

    g_assert_no_error (error);
    ids = lean_validation_store_list_validations (store, NULL, lean_ralph_chain_get_id (chain),
                                                  &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 2);
    stored = lean_validation_store_get_chain (store, lean_ralph_chain_get_id (chain), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "result"), ==,
                     "passed");
  }
}

/* Scrolls the nearest scrolled window above @widget so that it shows. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (scroller == NULL ||
      !gtk_widget_compute_bounds (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                  &bounds))
    return;
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                            MAX (0, bounds.origin.y - 120));
  ui_test_settle (300);
}

/* The switch of the action row titled @title under @root. */
static GtkWidget *
row_switch (GtkWidget  *root,
            const char *title)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return ui_test_find_widget (root, GTK_TYPE_SWITCH);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = row_switch (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The action row titled @title under @root. */
static GtkWidget *
titled_row (GtkWidget  *root,
            const char *title)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = titled_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static LeanRalphChain *
shown_chain (Fixture *f)
{
  GtkWidget *view = _lean_window_get_chain_view (f->window);

  return view != NULL ? lean_ralph_loop_get_chain (lean_chain_view_get_loop (LEAN_CHAIN_VIEW (view)))
                      : NULL;
}

typedef struct
{
  Fixture *f;
  guint    iteration;
} PauseWait;

static gboolean
chain_paused_at (gpointer data)
{
  PauseWait *w = data;
  LeanRalphChain *chain = shown_chain (w->f);
  GtkWidget *view = _lean_window_get_chain_view (w->f->window);
  GtkWidget *button = view != NULL ? ui_test_find_button (view, "_Continue") : NULL;

  return chain != NULL && lean_ralph_chain_get_state (chain) == LEAN_RALPH_STATE_PAUSED &&
         lean_ralph_chain_get_iteration (chain) == w->iteration &&
         button != NULL && gtk_widget_get_mapped (button);
}

static void
git (const char *dir,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *)"git");
  g_ptr_array_add (argv, (char *)"-c");
  g_ptr_array_add (argv, (char *)"user.name=Test");
  g_ptr_array_add (argv, (char *)"-c");
  g_ptr_array_add (argv, (char *)"user.email=test@example.com");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH |
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  Fixture    *f;
  const char *spec;
  const char *text;
} RowTextWait;

static gboolean
row_progress_is (gpointer data)
{
  RowTextWait *w = data;
  GtkWidget *row = ui_test_find_spec_row (GTK_WIDGET (_lean_window_get_spec_list (w->f->window)),
                                          w->spec);

  return row != NULL && g_strcmp0 (lean_spec_row_get_progress_text (LEAN_SPEC_ROW (row)),
                                   w->text) == 0;
}

static LeanSpecTaskStatus *
task_status (Fixture *f)
{
  return LEAN_SPEC_TASK_STATUS (ui_test_find_widget (_lean_window_get_spec_view (f->window),
                                                     LEAN_TYPE_SPEC_TASK_STATUS));
}

static gboolean
current_phase_is (gpointer data)
{
  PauseWait *w = data;

  return lean_spec_task_status_get_current (task_status (w->f)) == (int)w->iteration;
}

/* Guided, phase by phase, from the Implement dialog with real clicks: the
 * chain stops at each phase's checkpoint with its diff stats, checks and
 * feedback; Retry Phase runs the phase again; the feedback edited in the
 * panel reaches the next session; Continue runs phase 2, which passes. */
static void
test_ralph_phases_guided (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *agent = test_agent_path ();
  g_autofree char *readme = g_build_filename (f->project, "specs", "003-phased", "README.md",
                                              NULL);
  g_autofree char *prompts_path = g_build_filename (f->project, "..", "prompts.txt", NULL);
  g_autofree char *runners = NULL;
  g_autofree char *prompts = NULL;
  g_auto(GStrv) runs = NULL;
  GtkWidget *actions, *implement = NULL, *dialog, *expander, *view, *feedback, *button;
  LeanRalphChain *chain;
  PauseWait first = { f, 1 }, retried = { f, 2 };

  test_util_write_file (f->project, "specs/003-phased/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-03'\n---\n\n# Phased\n\n"
                        "## Plan\n\n### Core\n\n- [ ] Parse the input\n- [ ] Store the result\n\n"
                        "### Desktop UI\n\n- [ ] Show the result\n");
  runners = g_strdup_printf ("{\"default\": \"phaser\", \"runners\": {\"phaser\": {"
                             "\"name\": \"Phaser\", \"command\": \"%s\", \"output\": \"text\","
                             "\"args\": [\"--text\", \"--tick-phase-items\", \"%s\","
                             " \"--record-prompt\", \"%s\"]}}}\n",
                             agent, readme, prompts_path);
  test_util_write_file (f->project, ".lean-spec/runners.json", runners);
  test_trust_runners (f->project);
  write_checks (f, "{\"checks\": [{\"id\": \"build\", \"name\": \"Build\", "
                   "\"kind\": \"build\", \"run\": [\"true\"]}]}\n");
  trust_checks (f);
  git (f->project, "init", "-q", NULL);
  git (f->project, "add", "-A", NULL);
  git (f->project, "commit", "-q", "-m", "start", NULL);

  open_window (f, 1500, 1000);
  g_assert_true (lean_window_select_spec (f->window, "003-phased"));
  ui_test_settle (300);
  /* The spec view's task status: two phases, the first current. */
  g_assert_cmpuint (lean_spec_task_status_get_n_phases (task_status (f)), ==, 2);
  g_assert_cmpint (lean_spec_task_status_get_current (task_status (f)), ==, 0);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (task_status (f))));
  g_assert_true (ui_test_find_text (GTK_WIDGET (task_status (f)), "Phase 1 of 2 is current"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (task_status (f)), "0 of 2 done"));
  actions = lean_spec_view_get_header_actions (
    LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window)));
  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && gtk_widget_has_css_class (child, "suggested-action"))
      implement = child;
  g_assert_nonnull (implement);
  ui_input_click (implement);
  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  dialog = GTK_WIDGET (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 700, 980);
  g_assert_true (lean_implement_dialog_select_agent (LEAN_IMPLEMENT_DIALOG (dialog), "phaser"));
  ui_test_settle (300);

  /* Ralph on, then Phase by Phase and Pause Between Iterations. */
  expander = ui_test_find_widget (dialog, ADW_TYPE_EXPANDER_ROW);
  scroll_to (expander);
  ui_input_click (ui_test_find_widget (expander, GTK_TYPE_SWITCH));
  ui_test_settle (400);
  button = row_switch (dialog, "_Phase by Phase");
  g_assert_nonnull (button);
  scroll_to (button);
  ui_input_click (button);
  button = row_switch (dialog, "_Pause Between Iterations");
  g_assert_nonnull (button);
  scroll_to (button);
  ui_input_click (button);
  ui_test_settle (300);
  {
    LeanRalphSettings settings;
    g_autofree char *shot = ui_test_screenshot (dialog, "implement-dialog-ralph-phases");

    g_test_message ("screenshot: %s", shot);
    g_assert_true (lean_implement_dialog_get_ralph (LEAN_IMPLEMENT_DIALOG (dialog), &settings,
                                                    NULL));
    g_assert_true (settings.phases);
    g_assert_true (settings.guided);
  }
  ui_input_click (ui_test_find_button (dialog, "_Start"));

  /* The checkpoint after phase 1: its diff stats, its checks below (the
   * build passed, phase 2's item is open), the feedback to edit. */
  g_assert_true (test_util_wait_until (chain_paused_at, &first, 60000));
  ui_test_settle (300);
  view = _lean_window_get_chain_view (f->window);
  chain = shown_chain (f);
  g_assert_cmpuint (lean_ralph_chain_get_phase (chain), ==, 1);
  g_assert_true (ui_test_find_text (view, "Phase 1 of 2 (Core) is done: continue, retry it or stop"));
  g_assert_true (ui_test_find_text (view, "1 file changed, 2 insertions(+), 2 deletions(-)"));
  g_assert_true (ui_test_find_text (view, "Iteration 1 · Phase 1 of 2: Core"));
  g_assert_true (ui_test_find_text (view, "Build"));
  /* The paused chain is continued from its panel, not by a second way of
   * starting the next iteration beside it. */
  g_assert_null (ui_test_find_button (view, "Send _Failures to Agent"));
  /* The row says which phase runs; the task status followed the agent's
   * ticks as the store reloaded the file. */
  {
    RowTextWait rw = { f, "003-phased", "Phase 1/2" };
    PauseWait second_current = { f, 1 };

    g_assert_true (test_util_wait_until (row_progress_is, &rw, 5000));
    g_assert_true (test_util_wait_until (current_phase_is, &second_current, 10000));
    g_assert_true (ui_test_find_text (GTK_WIDGET (task_status (f)), "Phase 2 of 2 is current"));
    g_assert_true (ui_test_find_text (GTK_WIDGET (task_status (f)), "2 of 2 done"));
  }
  feedback = ui_test_find_widget (view, GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (feedback);
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (feedback));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_nonnull (strstr (text, "Checklist item still open: line 17: Show the result"));
  }
  screenshots (f, "ralph-checkpoint");

  /* Retry Phase: phase 1 again, and the checkpoint again. */
  g_assert_true (test_util_wait_until (chain_paused_at, &first, 5000));
  ui_input_click (ui_test_find_button (view, "_Retry Phase"));
  g_assert_true (test_util_wait_until (chain_paused_at, &retried, 60000));
  g_assert_cmpuint (lean_ralph_chain_get_phase (chain), ==, 1);
  ui_test_settle (300);

  /* The person's words replace the feedback, then Continue. */
  ui_input_click (feedback);
  ui_test_settle (100);
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_type ("Mind the empty input.");
  ui_test_settle (200);
  ui_input_click (ui_test_find_button (view, "_Continue"));
  g_assert_true (test_util_wait_until (chain_ended, f->window, 60000));
  g_assert_cmpint (lean_ralph_chain_get_stop (chain), ==, LEAN_RALPH_STOP_PASSED);
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 3);
  {
    RowTextWait rw = { f, "003-phased", "3/3" };
    PauseWait all_done = { f, (guint)-1 };

    g_assert_true (test_util_wait_until (row_progress_is, &rw, 10000));
    g_assert_true (test_util_wait_until (current_phase_is, &all_done, 10000));
    g_assert_true (ui_test_find_text (GTK_WIDGET (task_status (f)), "Every phase is done"));
  }

  /* Three sessions: phase 1, phase 1 again (nothing open), phase 2 with
   * the person's note. */
  g_assert_true (g_file_get_contents (prompts_path, &prompts, NULL, NULL));
  runs = g_strsplit (prompts, "=== END ===\n", -1);
  g_assert_cmpuint (g_strv_length (runs), ==, 4);
  g_assert_nonnull (strstr (runs[0], "- [ ] Parse the input\n- [ ] Store the result\n\n"));
  g_assert_null (strstr (strstr (runs[0], "Open items of this phase"), "Show the result"));
  g_assert_null (strstr (strstr (runs[1], "Open items of this phase"), "- [ ] Parse the input"));
  g_assert_nonnull (strstr (runs[1], "(none left"));
  g_assert_nonnull (strstr (runs[2], "## Phase 2 of 2"));
  g_assert_nonnull (strstr (runs[2], "- [ ] Show the result\n"));
  g_assert_nonnull (strstr (runs[2], "Notes from the person at the last checkpoint:\n\n"
                                     "Mind the empty input."));
  ui_test_settle (300);
  screenshots (f, "ralph-phases-passed");
}

/* The Token Budget typed in the Implement dialog with real keys stops the
 * chain once an iteration has used it up, before a second one starts. */
static void
test_ralph_budget_typed (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *agent = test_agent_path ();
  g_autofree char *runners = NULL;
  GtkWidget *actions, *implement = NULL, *dialog, *expander, *row, *spin, *view;
  LeanRalphChain *chain;
  LeanRalphSettings settings;

  /* A Claude-like agent that reports 1,234 + 567 tokens and fixes nothing. */
  runners = g_strdup_printf ("{\"default\": \"spender\", \"runners\": {\"spender\": {"
                             "\"name\": \"Spender\", \"command\": \"%s\", "
                             "\"output\": \"claude-stream-json\", \"args\": [\"--stream-json\"]}}}\n",
                             agent);
  test_util_write_file (f->project, ".lean-spec/runners.json", runners);
  test_trust_runners (f->project);
  write_checks (f, "{\"checks\": [{\"id\": \"tests\", \"name\": \"Widget Tests\", "
                   "\"kind\": \"test\", \"run\": [\"sh\", \"check.sh\"]}]}\n");
  trust_checks (f);
  open_window (f, 1500, 1000);
  g_assert_true (lean_window_select_spec (f->window, "002-fixer"));
  ui_test_settle (300);
  actions = lean_spec_view_get_header_actions (
    LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window)));
  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && gtk_widget_has_css_class (child, "suggested-action"))
      implement = child;
  g_assert_nonnull (implement);
  ui_input_click (implement);
  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  dialog = GTK_WIDGET (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 700, 980);
  g_assert_true (lean_implement_dialog_select_agent (LEAN_IMPLEMENT_DIALOG (dialog), "spender"));
  ui_test_settle (300);

  expander = ui_test_find_widget (dialog, ADW_TYPE_EXPANDER_ROW);
  scroll_to (expander);
  ui_input_click (ui_test_find_widget (expander, GTK_TYPE_SWITCH));
  ui_test_settle (400);
  row = titled_row (dialog, "Token _Budget");
  g_assert_nonnull (row);
  spin = ui_test_find_widget (row, GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  scroll_to (spin);
  ui_input_click (ui_test_find_widget (spin, GTK_TYPE_TEXT));
  ui_test_settle (100);
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_type ("1500");
  ui_input_key (GDK_KEY_Tab, 0);
  ui_test_settle (300);
  g_assert_true (lean_implement_dialog_get_ralph (LEAN_IMPLEMENT_DIALOG (dialog), &settings,
                                                  NULL));
  g_assert_cmpuint (settings.max_tokens, ==, 1500);
  ui_input_click (ui_test_find_button (dialog, "_Start"));

  g_assert_true (test_util_wait_until (chain_ended, f->window, 60000));
  ui_test_settle (300);
  view = _lean_window_get_chain_view (f->window);
  chain = lean_ralph_loop_get_chain (lean_chain_view_get_loop (LEAN_CHAIN_VIEW (view)));
  g_assert_cmpint (lean_ralph_chain_get_stop (chain), ==, LEAN_RALPH_STOP_BUDGET);
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 1);
  g_assert_nonnull (strstr (lean_chain_view_get_status (LEAN_CHAIN_VIEW (view)),
                            "tokens used of 1500"));
  g_assert_true (ui_test_find_text (view, lean_chain_view_get_status (LEAN_CHAIN_VIEW (view))));
  screenshots (f, "ralph-budget");
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* No checks.json: the checks detected from the Makefile run at once (they
 * are our own argv), and the toast offers to save them; saved, they are the
 * project's file and trusted as written. */
static void
test_detected_saved (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *checks = g_build_filename (f->project, ".lean-spec", "checks.json", NULL);
  g_autoptr(LeanCheckConfig) saved = NULL;
  g_autoptr(GError) error = NULL;
  LeanValidation *validation;
  GtkWidget *button;

  test_util_write_file (f->project, "Makefile", "test:\n\t@echo detected-make-test\n");
  open_window (f, 1500, 860);
  g_assert_true (lean_window_select_spec (f->window, "002-fixer"));
  ui_test_settle (300);
  ui_input_click (validate_button (f));

  g_assert_true (test_util_wait_until (validation_finished, f, 30000));
  g_assert_null (ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG));
  validation = shown_validation (f);
  g_assert_cmpuint (lean_validation_get_n_runs (validation), ==, 1);
  g_assert_cmpstr (lean_check_run_get_check (lean_validation_get_run (validation, 0))->argv[0],
                   ==, "make");
  g_assert_true (lean_validation_get_passed (validation));

  ui_test_settle (300);
  button = ui_test_find_button (GTK_WIDGET (f->window), "_Save as checks.json");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (file_exists, checks, 5000));
  ui_test_settle (300);
  saved = lean_check_config_load (f->project, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_check_config_get_source (saved), ==, LEAN_CHECK_SOURCE_FILE);
  g_assert_cmpuint (lean_check_config_get_n_checks (saved), ==, 1);
  g_assert_true (lean_check_config_is_trusted (saved, lean_check_config_trust_store_func,
                                               lean_trust_store_get_default ()));
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

  if (!ui_input_available () || !test_agent_path_exists ())
    {
      g_test_skip ("needs an X display with XTest and the test agent");
      return g_test_run ();
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/validate-ui/validate-clicked", Fixture, NULL,
              fixture_set_up, test_validate_clicked, fixture_tear_down);
  g_test_add ("/validate-ui/detected-saved", Fixture, NULL,
              fixture_set_up, test_detected_saved, fixture_tear_down);
  g_test_add ("/validate-ui/ralph-from-dialog", Fixture, NULL,
              fixture_set_up, test_ralph_from_dialog, fixture_tear_down);
  g_test_add ("/validate-ui/ralph-phases-guided", Fixture, NULL,
              fixture_set_up, test_ralph_phases_guided, fixture_tear_down);
  g_test_add ("/validate-ui/ralph-budget-typed", Fixture, NULL,
              fixture_set_up, test_ralph_budget_typed, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
