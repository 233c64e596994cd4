/* SPDX-License-Identifier: MIT */
/* The main window at the widths people use (600, 1,200 and 1,600 px), light
 * and dark, on the demo and on two rich specs of the LeanSpec corpus (193:
 * wide tables; 043: thirteen files and long code blocks). Screenshots land
 * in <build>/screenshots/ to be looked at; the test itself checks what can
 * be measured: tables are grids whose columns stay side by side, no cell
 * breaks inside a word, code never wraps, and no block is wider than the
 * text it sits in. The corpus is copied to a temp dir first (LEANSPEC_CORPUS,
 * else ../shared/corpus/lean-spec next to the source tree). */
#include "config.h"

#include <string.h>

#include "lean-application.h"
#include "lean-spec-list-private.h"
#include "lean-spec-view-private.h"
#include "lean-window-private.h"
#include "ui-test-util.h"

static LeanApplication *app;

typedef struct
{
  const char *name;     /* screenshot prefix */
  const char *project;  /* "demo" or "corpus" */
  const char *id;       /* the spec shown */
} Case;

static const Case cases[] = {
  { "demo-004", "demo", "004-web-dashboard" },
  { "corpus-193", "corpus", "193-frontend-ui-parity" },
  { "corpus-043", "corpus", "043-official-launch-02" },
};

static const int widths[] = { 600, 1200, 1600 };

static char *
corpus_source (void)
{
  const char *env = g_getenv ("LEANSPEC_CORPUS");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return ui_test_source_path ("..", "shared", "corpus", "lean-spec", NULL);
}

static gboolean
store_loaded (gpointer data)
{
  LeanSpecStore *store = lean_window_get_store (data);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static gboolean
shows_spec (gpointer data)
{
  LeanWindow *window = data;
  const char *id = g_object_get_data (G_OBJECT (window), "wanted-id");
  GtkWidget *view = _lean_window_get_spec_view (window);
  LeanSpec *spec = view != NULL ? lean_spec_view_get_spec (LEAN_SPEC_VIEW (view)) : NULL;

  return spec != NULL && g_str_equal (lean_spec_get_id (spec), id);
}

static void
collect (GtkWidget *root,
         GType      type,
         GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

/* Every line of @label but the last ends between words: a table cell
 * never breaks inside a word, so never hyphenates. */
static void
assert_breaks_between_words (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  int n_lines = pango_layout_get_line_count (layout);

  for (int i = 0; i + 1 < n_lines; i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (layout, i);
      const char *end = text + line->start_index + line->length;
      const char *last = g_utf8_find_prev_char (text, end);

      if (last == NULL || *end == '\0')
        continue;
      if (!g_unichar_isspace (g_utf8_get_char (last)) && !g_unichar_isspace (g_utf8_get_char (end)) &&
          *last != '\n' && *last != '-' && *last != '/')
        g_error ("table cell \"%s\" breaks inside a word after line %d", text, i + 1);
    }
}

/* Tables are grids, code boxes never wrap, and neither is wider than the
 * text view it is anchored in. */
static void
check_blocks (LeanMarkdownView *view,
              guint            *n_tables,
              guint            *n_code)
{
  g_autoptr(GPtrArray) scrollers = g_ptr_array_new ();
  int view_width = gtk_widget_get_width (GTK_WIDGET (view));

  collect (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW, scrollers);
  for (guint i = 0; i < scrollers->len; i++)
    {
      GtkWidget *scroller = g_ptr_array_index (scrollers, i);
      g_autoptr(GPtrArray) grids = g_ptr_array_new ();
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();

      if (!gtk_widget_get_mapped (scroller))
        continue;
      g_assert_cmpint (gtk_widget_get_width (scroller), <=, view_width);
      collect (scroller, GTK_TYPE_GRID, grids);
      collect (scroller, GTK_TYPE_LABEL, labels);

      if (grids->len > 0)
        {
          GtkGrid *grid = g_ptr_array_index (grids, 0);

          (*n_tables)++;
          /* Each row's cells side by side, left to right. */
          for (int row = 0; gtk_grid_get_child_at (grid, 0, row) != NULL; row++)
            {
              int last_x = -1;

              for (int col = 0; ; col++)
                {
                  GtkWidget *cell = gtk_grid_get_child_at (grid, col, row);
                  graphene_point_t p;

                  if (cell == NULL)
                    break;
                  g_assert_true (gtk_widget_compute_point (cell, GTK_WIDGET (grid),
                                                           &GRAPHENE_POINT_INIT (0, 0), &p));
                  g_assert_cmpint ((int) p.x, >, last_x);
                  last_x = (int) p.x;
                  assert_breaks_between_words (GTK_LABEL (cell));
                }
            }
        }
      else if (labels->len == 1)
        {
          GtkLabel *code = g_ptr_array_index (labels, 0);
          const char *text = gtk_label_get_text (code);
          int lines = 1;

          (*n_code)++;
          for (const char *p = text; *p != '\0'; p++)
            lines += *p == '\n';
          g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (code)), ==, lines);
        }
    }
}

/* Scrolls the page so the first table or code box of @view is at the top:
 * those are what the screenshots are about. */
static void
scroll_to_first_block (LeanMarkdownView *view)
{
  g_autoptr(GPtrArray) scrollers = g_ptr_array_new ();
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t p;

  collect (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW, scrollers);
  if (page == NULL || scrollers->len == 0)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (page));
  g_assert_true (gtk_widget_compute_point (g_ptr_array_index (scrollers, 0),
                                           gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (page)),
                                           &GRAPHENE_POINT_INIT (0, 0), &p));
  gtk_adjustment_set_value (adjustment, p.y - 60);
  ui_test_settle (200);
}

static void
shoot (const Case *c,
       const char *project,
       int         width)
{
  LeanWindow *window = lean_window_new (ADW_APPLICATION (app));
  AdwStyleManager *style = adw_style_manager_get_default ();
  LeanSpecView *view;
  LeanMarkdownView *readme;
  guint n_tables = 0, n_code = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), width, 900);
  gtk_window_present (GTK_WINDOW (window));
  lean_window_open_project (window, project);
  g_assert_true (test_util_wait_until (store_loaded, window, 30000));
  g_object_set_data (G_OBJECT (window), "wanted-id", (gpointer) c->id);
  /* Opened as a link opens it, so a narrow window shows the spec page even
   * when the spec was already selected before the window folded. */
  _lean_window_open_spec (window, c->id);
  g_assert_true (test_util_wait_until (shows_spec, window, 10000));
  ui_test_settle (500);

  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (window));
  readme = _lean_spec_view_get_readme_view (view);
  for (guint dark = 0; dark < 2; dark++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d-%s", c->name, width, dark ? "dark" : "light");

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      ui_test_settle (300);
      g_free (ui_test_screenshot (GTK_WIDGET (window), name));
    }
  scroll_to_first_block (readme);
  for (guint dark = 0; dark < 2; dark++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d-%s-blocks", c->name, width,
                                               dark ? "dark" : "light");

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      ui_test_settle (300);
      g_free (ui_test_screenshot (GTK_WIDGET (window), name));
    }

  /* Measured where the spec page has the room it gets on a desktop. */
  if (width >= 1200 && gtk_widget_get_mapped (GTK_WIDGET (readme)))
    {
      check_blocks (readme, &n_tables, &n_code);
      if (g_str_equal (c->id, "193-frontend-ui-parity"))
        g_assert_cmpuint (n_tables, >, 0);
    }
  /* The page never makes the window wider than it was asked to be. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (readme)), <=,
                   gtk_widget_get_width (GTK_WIDGET (window)));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_settle (100);
}

static void
test_screenshots (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *source = NULL;
  g_autofree char *project = NULL;

  if (g_str_equal (c->project, "demo"))
    source = ui_test_source_path ("demo", NULL);
  else
    source = corpus_source ();
  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the LeanSpec corpus is not there (set LEANSPEC_CORPUS)");
      return;
    }

  project = ui_test_copy_tree (source);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    shoot (c, project, widths[i]);
  ui_test_remove_tree (project);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  app = lean_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ui/screenshots/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_screenshots);
    }

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
