/* SPDX-License-Identifier: MIT */
/* The spec view's token chip and checks in a real window (under Xvfb):
 * the chip is clicked, the popover's figures must be the core's count of
 * the file on disk, the problems listed must be the core's checks, and a
 * problem about a section scrolls the README to it. Screenshots go to the
 * build dir, light and dark, wide and narrow. */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "lean-spec-lint.h"
#include "lean-spec-store.h"
#include "lean-spec-view-private.h"
#include "lean-tokens.h"
#include "test-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static gboolean have_display;

/* A long spec (the empty section is far below the first screen), a code
 * block, a checklist, a created date of the wrong form (an error), a tag
 * with a space and a dependency that does not exist (warnings) and a
 * sub-spec file. */
static char *
alpha_readme (void)
{
  GString *s = g_string_new ("---\n"
                             "status: in-progress\n"
                             "created: '2026-11-2'\n"
                             "priority: high\n"
                             "tags:\n"
                             "  - ui work\n"
                             "depends_on:\n"
                             "  - 099-missing\n"
                             "---\n"
                             "\n"
                             "# Count the tokens\n"
                             "\n"
                             "## Overview\n"
                             "\n");

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (s, "Paragraph %u says why the count of tokens matters to an agent "
                               "that reads the spec, and how long is too long.\n\n", i);
  g_string_append (s, "## Plan\n"
                      "\n"
                      "- [ ] Count with cl100k_base\n"
                      "- [x] Show the breakdown\n"
                      "\n"
                      "```c\n"
                      "int tokens = count (text);\n"
                      "```\n"
                      "\n"
                      "## Notes\n"
                      "\n");
  return g_string_free (s, FALSE);
}

static const char alpha_design[] =
  "# Design\n"
  "\n"
  "The popover shows each part of the count.\n";

static const char beta_readme[] =
  "---\n"
  "status: planned\n"
  "created: '2026-11-03'\n"
  "priority: low\n"
  "---\n"
  "\n"
  "# Beta\n"
  "\n"
  "## Overview\n"
  "\n"
  "Nothing wrong here.\n";

typedef struct
{
  char          *root;
  LeanProject   *project;
  LeanSpecStore *store;
  GtkWindow     *window;
  LeanSpecView  *view;
} Fixture;

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

#define WAIT_FOR(cond) \
  G_STMT_START { \
    guint _t = g_timeout_add_seconds (20, timeout_cb, (gpointer) #cond); \
    while (!(cond)) \
      g_main_context_iteration (NULL, TRUE); \
    g_source_remove (_t); \
  } G_STMT_END

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  lean_spec_store_load_finish (LEAN_SPEC_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *alpha = alpha_readme ();
  gboolean done = FALSE;
  GtkWidget *overlay;

  if (!have_display)
    return;

  fx->root = g_dir_make_tmp ("leanspec-checks-XXXXXX", &error);
  g_assert_no_error (error);
  test_util_write_file (fx->root, ".lean-spec/config.json", "{ \"specsDir\": \"specs\" }\n");
  test_util_write_file (fx->root, "specs/001-count-tokens/README.md", alpha);
  test_util_write_file (fx->root, "specs/001-count-tokens/DESIGN.md", alpha_design);
  test_util_write_file (fx->root, "specs/002-beta/README.md", beta_readme);

  fx->project = lean_project_open (fx->root, &error);
  g_assert_no_error (error);
  fx->store = lean_spec_store_new (fx->project);
  lean_spec_store_load_async (fx->store, NULL, load_done, &done);
  WAIT_FOR (done);

  fx->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fx->window, 900, 800);
  overlay = adw_toast_overlay_new ();
  fx->view = LEAN_SPEC_VIEW (lean_spec_view_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (fx->view));
  adw_window_set_content (ADW_WINDOW (fx->window), overlay);
  gtk_window_present (fx->window);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (!have_display)
    return;

  gtk_window_destroy (fx->window);
  ui_test_settle (50);
  g_clear_object (&fx->store);
  g_clear_object (&fx->project);
  test_util_rm_rf (fx->root);
  g_free (fx->root);
}

static LeanSpecChecks *
show (Fixture    *fx,
      const char *id)
{
  LeanSpecChecks *checks = LEAN_SPEC_CHECKS (ui_test_find_widget (GTK_WIDGET (fx->view),
                                                                  LEAN_TYPE_SPEC_CHECKS));

  g_assert_nonnull (checks);
  lean_spec_view_set_spec (fx->view, fx->store, lean_spec_store_lookup (fx->store, id));
  WAIT_FOR (!_lean_spec_checks_is_busy (checks));
  ui_test_settle (150);
  return checks;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The number a value label of the popover shows (digit grouping ignored). */
static gsize
popover_value (GtkWidget  *popover,
               const char *name)
{
  GtkWidget *label = find_named (popover, name);
  const char *text;
  gsize n = 0;

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  text = gtk_label_get_text (GTK_LABEL (label));
  g_assert_true (g_ascii_isdigit (text[0]));
  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      n = n * 10 + (*p - '0');
  return n;
}

static char *
read_file (Fixture    *fx,
           const char *rel,
           gsize      *len)
{
  g_autofree char *path = g_build_filename (fx->root, rel, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_tokens_popover (Fixture       *fx,
                     gconstpointer  data)
{
  LeanSpecChecks *checks;
  GtkWidget *button, *popover;
  g_autofree char *readme = NULL;
  g_autofree char *design = NULL;
  g_autoptr(LeanTokenCount) count = NULL;
  gsize len, design_len;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  checks = show (fx, "001-count-tokens");
  button = _lean_spec_checks_get_tokens_button (checks);
  popover = _lean_spec_checks_get_tokens_popover (checks);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_false (gtk_widget_get_visible (popover));
  g_free (ui_test_screenshot (GTK_WIDGET (fx->window), "spec-checks-wide"));

  /* The core's count of the bytes on disk, computed here on its own. */
  readme = read_file (fx, "specs/001-count-tokens/README.md", &len);
  design = read_file (fx, "specs/001-count-tokens/DESIGN.md", &design_len);
  count = lean_tokens_count_spec (readme, len);
  g_assert_cmpuint (count->total, >, 500);
  g_assert_cmpuint (count->total, ==, lean_spec_get_tokens (lean_spec_store_lookup (fx->store, "001-count-tokens")));

  ui_input_click (button);
  WAIT_FOR (gtk_widget_get_mapped (popover));
  ui_test_settle (200);
  g_free (ui_test_screenshot (popover, "spec-checks-tokens-popover"));

  g_assert_cmpuint (popover_value (popover, "tokens-total"), ==, count->total);
  g_assert_cmpuint (popover_value (popover, "tokens-frontmatter"), ==, count->frontmatter);
  g_assert_cmpuint (popover_value (popover, "tokens-content"), ==, count->content);
  g_assert_cmpuint (popover_value (popover, "tokens-title"), ==, count->title);
  g_assert_cmpuint (popover_value (popover, "tokens-code"), ==, count->code_blocks);
  g_assert_cmpuint (popover_value (popover, "tokens-checklists"), ==, count->checklists);
  g_assert_cmpuint (popover_value (popover, "tokens-prose"), ==, count->prose);
  g_assert_cmpuint (count->sections->len, ==, 3);
  for (guint i = 0; i < count->sections->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("tokens-section-%u", i);

      g_assert_cmpuint (popover_value (popover, name), ==,
                        g_array_index (count->sections, LeanTokenSection, i).tokens);
    }
  g_assert_null (find_named (popover, "tokens-section-3"));
  g_assert_cmpuint (popover_value (popover, "tokens-subspec-0"), ==,
                    lean_tokens_count (design, design_len));

  /* Escape closes it, as any popover. */
  ui_input_key (GDK_KEY_Escape, 0);
  WAIT_FOR (!gtk_widget_get_mapped (popover));

  /* Another spec: its own figures, none of the first one's. */
  {
    g_autofree char *beta = NULL;
    g_autoptr(LeanTokenCount) beta_count = NULL;

    checks = show (fx, "002-beta");
    beta = read_file (fx, "specs/002-beta/README.md", &len);
    beta_count = lean_tokens_count_spec (beta, len);
    ui_input_click (button);
    WAIT_FOR (gtk_widget_get_mapped (popover));
    g_assert_cmpuint (popover_value (popover, "tokens-total"), ==, beta_count->total);
    g_assert_null (find_named (popover, "tokens-subspec-0"));
    ui_input_key (GDK_KEY_Escape, 0);
    WAIT_FOR (!gtk_widget_get_mapped (popover));
  }
}

static void
test_issues (Fixture       *fx,
             gconstpointer  data)
{
  LeanSpecChecks *checks;
  GtkListBox *list;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(LeanLintIndex) index = NULL;
  g_autoptr(LeanSpecLint) lint = NULL;
  GtkAdjustment *adj;
  GtkListBoxRow *notes_row = NULL;
  guint n_rows = 0;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  checks = show (fx, "001-count-tokens");
  list = _lean_spec_checks_get_issues_list (checks);

  specs = lean_spec_store_dup_specs (fx->store);
  index = lean_lint_index_new (specs);
  lint = lean_spec_lint (lean_spec_store_lookup (fx->store, "001-count-tokens"), index);
  g_assert_cmpint (lint->status, ==, LEAN_LINT_FAIL);
  g_assert_cmpuint (lint->issues->len, ==, 4);

  /* One row per problem, in the core's order, with its message. */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const LeanLintIssue *issue;

      if (!GTK_IS_LIST_BOX_ROW (row))
        continue;
      g_assert_cmpuint (n_rows, <, lint->issues->len);
      issue = &g_array_index (lint->issues, LeanLintIssue, n_rows);
      /* What the row shows (its title is markup: the message escaped). */
      g_assert_true (ui_test_find_text (row, issue->message));
      g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                       issue->severity == LEAN_LINT_SEVERITY_ERROR ? "Error · " :
                                       issue->severity == LEAN_LINT_SEVERITY_WARNING ? "Warning · " :
                                       "Info · "));
      if (g_str_equal (issue->message, "Empty section: ## Notes"))
        notes_row = GTK_LIST_BOX_ROW (row);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, lint->issues->len);
  g_assert_true (ui_test_find_text (GTK_WIDGET (checks), "Checks: 1 failed, 3 warned"));
  g_assert_nonnull (notes_row);

  /* A click on the empty section's problem brings that heading into view. */
  adj = gtk_scrolled_window_get_vadjustment (fx->view->scroller);
  gtk_adjustment_set_value (adj, 0);
  ui_test_settle (100);
  g_free (ui_test_screenshot (GTK_WIDGET (fx->window), "spec-checks-issues"));
  ui_input_click (GTK_WIDGET (notes_row));
  WAIT_FOR (gtk_adjustment_get_value (adj) > 0);
  ui_test_settle (150);
  {
    LeanMarkdownView *readme = _lean_spec_view_get_readme_view (fx->view);
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (readme));
    GtkTextIter start, at, end;
    GdkRectangle rect;
    double x, y;

    gtk_text_buffer_get_start_iter (buffer, &start);
    g_assert_true (gtk_text_iter_forward_search (&start, "Notes", GTK_TEXT_SEARCH_TEXT_ONLY,
                                                 &at, &end, NULL));
    gtk_text_view_get_iter_location (GTK_TEXT_VIEW (readme), &at, &rect);
    /* Where the heading is now, in the visible part of the scroller. */
    gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (readme), GTK_TEXT_WINDOW_WIDGET,
                                           rect.x, rect.y, &rect.x, &rect.y);
    g_assert_true (gtk_widget_translate_coordinates (GTK_WIDGET (readme), GTK_WIDGET (fx->view->scroller),
                                                     rect.x, rect.y, &x, &y));
    g_assert_cmpfloat (y, >=, 0);
    g_assert_cmpfloat (y, <, gtk_adjustment_get_page_size (adj));
  }
  g_free (ui_test_screenshot (GTK_WIDGET (fx->window), "spec-checks-went-to-section"));

  /* The clean spec: passes, no list. */
  checks = show (fx, "002-beta");
  g_assert_true (ui_test_find_text (GTK_WIDGET (checks), "Checks pass"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));
}

/* Narrow and dark, for the eye: nothing may widen the page. */
static void
test_screenshots (Fixture       *fx,
                  gconstpointer  data)
{
  AdwStyleManager *style;
  LeanSpecChecks *checks;
  GtkWidget *popover;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  style = adw_style_manager_get_default ();
  checks = show (fx, "001-count-tokens");
  popover = _lean_spec_checks_get_tokens_popover (checks);
  for (guint dark = 0; dark < 2; dark++)
    {
      g_autofree char *wide = g_strdup_printf ("spec-checks-wide-%s", dark ? "dark" : "light");
      g_autofree char *pop = g_strdup_printf ("spec-checks-popover-%s", dark ? "dark" : "light");

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      ui_test_settle (300);
      g_free (ui_test_screenshot (GTK_WIDGET (fx->window), wide));
      /* From elsewhere, once the new colours are laid out and drawn. */
      ui_input_move_to (GTK_WIDGET (fx->view->title_label), -1, -1);
      ui_test_settle (500);
      ui_input_click (_lean_spec_checks_get_tokens_button (checks));
      WAIT_FOR (gtk_widget_get_mapped (popover));
      ui_test_settle (200);
      g_free (ui_test_screenshot (popover, pop));
      ui_input_key (GDK_KEY_Escape, 0);
      WAIT_FOR (!gtk_widget_get_mapped (popover));
    }

  /* Narrow last: the window is not made wide again. */
  gtk_window_set_default_size (fx->window, 360, 800);
  for (guint dark = 0; dark < 2; dark++)
    {
      g_autofree char *narrow = g_strdup_printf ("spec-checks-narrow-%s", dark ? "dark" : "light");

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      ui_test_settle (300);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, 420);
      g_free (ui_test_screenshot (GTK_WIDGET (fx->window), narrow));
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check () && ui_input_available ();
  if (have_display)
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      adw_init ();
      g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
      gtk_css_provider_load_from_resource (css, "/dev/leanspec/Desktop/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

#define ADD(path, fn) g_test_add ("/ui/spec-checks/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("tokens-popover", test_tokens_popover);
  ADD ("issues", test_issues);
  ADD ("screenshots", test_screenshots);
#undef ADD

  return g_test_run ();
}
