/* SPDX-License-Identifier: MIT */
/* The spec detail view in a real window (run under Xvfb): markdown
 * rendering, task toggling, status changes, Mark Complete with its dialog
 * and Undo, and the New Spec dialog, each checked against the files on
 * disk. Screenshots go to the build dir. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "lean-markdown-view.h"
#include "lean-new-spec-dialog-private.h"
#include "lean-spec-store.h"
#include "lean-spec-view-private.h"
#include "test-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static gboolean have_display;

static const char alpha_readme[] =
  "---\n"
  "status: planned\n"
  "created: '2026-11-02'\n"
  "priority: high\n"
  "tags:\n"
  "  - ui\n"
  "  - markdown\n"
  "assignee: alice\n"
  "# a comment that must survive every write\n"
  "---\n"
  "\n"
  "# Render specs beautifully\n"
  "\n"
  "> **Status**: Planned · **Priority**: High\n"
  "\n"
  "## Overview\n"
  "\n"
  "Specs are *markdown* with **front matter**; the view renders `inline code`,\n"
  "~~old ideas~~ and [links](https://example.org/docs).\n"
  "\n"
  "## Plan\n"
  "\n"
  "- [ ] Parse the body with cmark-gfm\n"
  "- [x] Map task items to file lines\n"
  "- [ ] Render tables\n"
  "\n"
  "1. First step\n"
  "2. Second step\n"
  "   - nested bullet\n"
  "\n"
  "```c\n"
  "int\n"
  "main (void)\n"
  "{\n"
  "  int exit_code = 0;\n"
  "  return exit_code;\n"
  "}\n"
  "```\n"
  "\n"
  "| Column | Value |\n"
  "|--------|------:|\n"
  "| width  | 42 |\n"
  "| height | 7 |\n"
  "\n"
  "See DESIGN.md for the details.\n"
  "\n"
  "> **Status**: a later quote is the author's own and stays. ✅ 📅\n";

static const char alpha_design[] =
  "# Design\n"
  "\n"
  "- [ ] Decide the colours\n";

static const char beta_readme[] =
  "---\n"
  "status: in-progress\n"
  "created: '2026-11-03'\n"
  "parent: 001-render-specs\n"
  "depends_on:\n"
  "  - 003-gamma\n"
  "---\n"
  "\n"
  "# Beta child\n"
  "\n"
  "Work under alpha.\n";

static const char gamma_readme[] =
  "---\n"
  "status: complete\n"
  "created: '2026-11-01'\n"
  "---\n"
  "\n"
  "# Gamma\n"
  "\n"
  "- [x] Done already\n";

typedef struct
{
  char          *root;
  LeanProject   *project;
  LeanSpecStore *store;
  GtkWindow     *window;
  LeanSpecView  *view;
  char          *opened_id;   /* last win.open-spec / open-spec */
} Fixture;

/* Helpers */

static gboolean
timeout_cb (gpointer data)
{
  g_error ("timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @cond is true, failing after 10 s. */
#define WAIT_FOR(cond) \
  G_STMT_START { \
    guint _t = g_timeout_add_seconds (10, timeout_cb, (gpointer) #cond); \
    while (!(cond)) \
      g_main_context_iteration (NULL, TRUE); \
    g_source_remove (_t); \
  } G_STMT_END

static void
iterate_a_while (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static char *
read_file (const char *root,
           const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

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
on_open_spec_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  Fixture *fx = user_data;

  g_free (fx->opened_id);
  fx->opened_id = g_variant_dup_string (parameter, NULL);
}

static void
on_view_open_spec (LeanSpecView *view,
                   const char   *id,
                   Fixture      *fx)
{
  g_free (fx->opened_id);
  fx->opened_id = g_strdup (id);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSimpleActionGroup) group = NULL;
  g_autoptr(GSimpleAction) open_spec = NULL;
  gboolean done = FALSE;
  GtkWidget *overlay;

  if (!have_display)
    return;

  fx->root = g_dir_make_tmp ("leanspec-view-XXXXXX", &error);
  g_assert_no_error (error);
  test_util_write_file (fx->root, ".lean-spec/config.json", "{ \"specsDir\": \"specs\" }\n");
  test_util_write_file (fx->root, "specs/001-render-specs/README.md", alpha_readme);
  test_util_write_file (fx->root, "specs/001-render-specs/DESIGN.md", alpha_design);
  test_util_write_file (fx->root, "specs/002-beta/README.md", beta_readme);
  test_util_write_file (fx->root, "specs/003-gamma/README.md", gamma_readme);

  fx->project = lean_project_open (fx->root, &error);
  g_assert_no_error (error);
  fx->store = lean_spec_store_new (fx->project);
  lean_spec_store_load_async (fx->store, NULL, load_done, &done);
  WAIT_FOR (done);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->store)), ==, 3);

  fx->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fx->window, 900, 1000);
  overlay = adw_toast_overlay_new ();
  fx->view = LEAN_SPEC_VIEW (lean_spec_view_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (fx->view));
  adw_window_set_content (ADW_WINDOW (fx->window), overlay);
  g_signal_connect (fx->view, "open-spec", G_CALLBACK (on_view_open_spec), fx);

  /* The window's win.open-spec, as LeanWindow installs it. */
  group = g_simple_action_group_new ();
  open_spec = g_simple_action_new ("open-spec", G_VARIANT_TYPE_STRING);
  g_signal_connect (open_spec, "activate", G_CALLBACK (on_open_spec_action), fx);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (open_spec));
  gtk_widget_insert_action_group (GTK_WIDGET (fx->window), "win", G_ACTION_GROUP (group));

  gtk_window_present (fx->window);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (!have_display)
    return;

  gtk_window_destroy (fx->window);
  iterate_a_while (50);
  g_clear_object (&fx->store);
  g_clear_object (&fx->project);
  g_clear_pointer (&fx->opened_id, g_free);

  /* Remove the temp project. */
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->root);
    int status = system (cmd);

    g_assert_cmpint (status, ==, 0);
  }
  g_free (fx->root);
}

static LeanSpec *
lookup (Fixture    *fx,
        const char *id)
{
  LeanSpec *spec = lean_spec_store_lookup (fx->store, id);

  g_assert_nonnull (spec);
  return spec;
}

/* Enter, pressed on the keyboard, into @entry once it has the focus that
 * showing it gave it. */
static void
press_enter_in (gpointer entry)
{
  WAIT_FOR (gtk_widget_is_focus (GTK_WIDGET (entry)) ||
            gtk_widget_has_focus (GTK_WIDGET (entry)) ||
            gtk_widget_get_focus_child (GTK_WIDGET (entry)) != NULL);
  ui_input_key (GDK_KEY_Return, 0);
}

static void
show (Fixture    *fx,
      const char *id)
{
  lean_spec_view_set_spec (fx->view, fx->store, lookup (fx, id));
  iterate_a_while (100);
}

static void
wait_writes (Fixture *fx)
{
  WAIT_FOR (_lean_spec_view_get_pending_writes (fx->view) == 0);
  iterate_a_while (30);
}

/* Lines of @a and @b that differ, as "line N" strings; both must have the
 * same number of lines. */
static GPtrArray *
changed_lines (const char *a,
               const char *b)
{
  g_auto(GStrv) la = g_strsplit (a, "\n", -1);
  g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
  GPtrArray *changed = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (g_strv_length (la), ==, g_strv_length (lb));
  for (guint i = 0; la[i] != NULL; i++)
    if (g_strcmp0 (la[i], lb[i]) != 0)
      g_ptr_array_add (changed, g_strdup_printf ("%u", i + 1));
  return changed;
}

static GtkWidget *
find_by_css_class (GtkWidget  *widget,
                   const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_css_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
range_has_tag (GtkTextBuffer *buffer,
               const char    *needle,
               const char    *tag_name)
{
  GtkTextIter start, match_start, match_end;
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &start);
  if (!gtk_text_iter_forward_search (&start, needle, GTK_TEXT_SEARCH_TEXT_ONLY, &match_start,
                                     &match_end, NULL))
    return FALSE;

  for (GtkTextIter it = match_start; gtk_text_iter_compare (&it, &match_end) < 0;
       gtk_text_iter_forward_char (&it))
    if (!gtk_text_iter_has_tag (&it, tag))
      return FALSE;
  return TRUE;
}

static char *
buffer_text (LeanMarkdownView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  /* get_slice: anchors (task check boxes) show as U+FFFC. */
  return gtk_text_buffer_get_slice (buffer, &start, &end, TRUE);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *build = g_getenv ("LEANSPEC_BUILD_ROOT");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);

  /* The paintable is empty while a relayout is pending (slow machines,
   * sanitizer builds): give the frame clock a few more ticks. */
  for (guint tries = 0; ; tries++)
    {
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_to_node (snapshot);
      if (node != NULL || tries == 50)
        break;
      g_clear_object (&snapshot);
      snapshot = gtk_snapshot_new ();
      iterate_a_while (20);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  dir = g_build_filename (build ? build : ".", "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Tests */

/* The label under @root that shows exactly @text. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_widgets (GtkWidget *root,
               GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (root, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child, type);
  return n;
}

static void
test_markdown_render (void)
{
  LeanMarkdownView *view;
  GtkTextBuffer *buffer;
  GtkLabel *code;
  GtkGrid *grid;
  g_autofree char *text = NULL;
  const char *md =
    "# Title\n"
    "\n"
    "Some *em* and **strong** and `code` and ~~gone~~ and [a link](https://gnome.org).\n"
    "\n"
    "- one\n"
    "- two\n"
    "\n"
    "3. three\n"
    "4. four\n"
    "\n"
    "- [ ] open task\n"
    "- [x] done task\n"
    "\n"
    "```\n"
    "code block\n"
    "```\n"
    "\n"
    "> quoted\n"
    "\n"
    "![diagram](img/flow.png)\n"
    "\n"
    "| a | bb |\n"
    "|---|---:|\n"
    "| long cell | 1 |\n"
    "\n"
    "<!-- a comment -->\n";

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  view = LEAN_MARKDOWN_VIEW (g_object_ref_sink (lean_markdown_view_new ()));
  lean_markdown_view_set_markdown (view, md);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  text = buffer_text (view);

  g_assert_true (g_str_has_prefix (text, "Title\n"));
  g_assert_true (range_has_tag (buffer, "Title", "h1"));
  g_assert_true (range_has_tag (buffer, "em", "em"));
  g_assert_true (range_has_tag (buffer, "strong", "strong"));
  g_assert_true (range_has_tag (buffer, "code", "code"));
  g_assert_true (range_has_tag (buffer, "gone", "strike"));
  g_assert_true (range_has_tag (buffer, "a link", "link"));
  g_assert_false (range_has_tag (buffer, "Some", "link"));
  /* Code: a label that never wraps, in a box that scrolls sideways. */
  code = find_label (GTK_WIDGET (view), "code block");
  g_assert_nonnull (code);
  g_assert_false (gtk_label_get_wrap (code));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (code), "lean-md-code-text"));
  g_assert_nonnull (gtk_widget_get_ancestor (GTK_WIDGET (code), GTK_TYPE_SCROLLED_WINDOW));
  g_assert_null (strstr (text, "code block"));
  g_assert_true (range_has_tag (buffer, "quoted", "quote"));

  /* Bullets and numbers (ordered lists keep their start). */
  g_assert_nonnull (strstr (text, "•\tone\n•\ttwo"));
  g_assert_nonnull (strstr (text, "3.\tthree\n4.\tfour"));
  g_assert_true (range_has_tag (buffer, "•\tone", "list"));

  /* Task items: a check box (an anchor) before the text; lines counted in
   * the markdown given. */
  g_assert_cmpuint (lean_markdown_view_get_n_tasks (view), ==, 2);
  g_assert_cmpuint (lean_markdown_view_get_task_line (view, 0), ==, 11);
  g_assert_cmpuint (lean_markdown_view_get_task_line (view, 1), ==, 12);
  g_assert_false (lean_markdown_view_get_task_checked (view, 0));
  g_assert_true (lean_markdown_view_get_task_checked (view, 1));
  g_assert_nonnull (strstr (text, "\xef\xbf\xbc open task"));
  g_assert_true (range_has_tag (buffer, "done task", "task-checked"));
  g_assert_false (range_has_tag (buffer, "open task", "task-checked"));

  /* The table: a grid of cells, the header styled, the column the
   * alignment row says is right aligned aligned right. */
  grid = GTK_GRID (ui_test_find_widget (GTK_WIDGET (view), GTK_TYPE_GRID));
  g_assert_nonnull (grid);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 0))), ==, "a");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 1, 0))), ==, "bb");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 1))), ==, "long cell");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 1, 1))), ==, "1");
  g_assert_null (gtk_grid_get_child_at (grid, 0, 2));
  g_assert_true (gtk_widget_has_css_class (gtk_grid_get_child_at (grid, 1, 0), "lean-md-th"));
  g_assert_false (gtk_widget_has_css_class (gtk_grid_get_child_at (grid, 1, 1), "lean-md-th"));
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 1))), ==, 0.0);
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (gtk_grid_get_child_at (grid, 1, 1))), ==, 1.0);
  g_assert_null (strstr (text, "long cell"));

  /* Images: their description, as a link to the file. */
  g_assert_nonnull (strstr (text, "Image: diagram"));
  g_assert_true (range_has_tag (buffer, "Image: diagram", "link"));

  /* HTML comments are not shown. */
  g_assert_null (strstr (text, "comment"));

  /* Cells keep their inline formatting and links; a short row gets empty
   * cells; rendering again replaces the old grid. */
  lean_markdown_view_set_markdown (view, "| 名前 | v | w |\n|:-:|---|---|\n"
                                         "| `abcd` | [x](spec.md) | 3 |\n| ab | 2 |\n");
  g_assert_cmpuint (count_widgets (GTK_WIDGET (view), GTK_TYPE_GRID), ==, 1);
  grid = GTK_GRID (ui_test_find_widget (GTK_WIDGET (view), GTK_TYPE_GRID));
  g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 1))), ==, 0.5);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 1))), ==,
                   "<tt>abcd</tt>");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_grid_get_child_at (grid, 1, 1))), ==,
                   "<a href=\"spec.md\">x</a>");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 2, 2))), ==, "");

  /* Rendering again replaces everything, tasks included. */
  lean_markdown_view_set_markdown (view, "plain");
  g_clear_pointer (&text, g_free);
  text = buffer_text (view);
  g_assert_cmpstr (text, ==, "plain");
  g_assert_cmpuint (lean_markdown_view_get_n_tasks (view), ==, 0);
  g_assert_cmpuint (count_widgets (GTK_WIDGET (view), GTK_TYPE_GRID), ==, 0);
  g_assert_cmpuint (count_widgets (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW), ==, 0);

  g_object_unref (view);
}

static void
test_show_spec (Fixture       *fx,
                gconstpointer  data)
{
  LeanMarkdownView *readme;
  g_autofree char *text = NULL;
  const char *relations;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  g_assert_true (lean_spec_view_get_spec (fx->view) == lookup (fx, "001-render-specs"));
  readme = _lean_spec_view_get_readme_view (fx->view);
  text = buffer_text (readme);
  /* The title is shown above the body, not twice. */
  g_assert_null (strstr (text, "Render specs beautifully"));
  g_assert_nonnull (strstr (text, "Overview\n"));
  g_assert_null (strstr (text, "status: planned")); /* no front matter */
  /* The stale metadata quote under the title is hidden; a later one is not. */
  g_assert_null (strstr (text, "Planned · "));
  g_assert_nonnull (strstr (text, "Status: a later quote is the author's own and stays."));
  g_assert_cmpuint (g_strstr_len (text, -1, "Status:") - text, ==,
                    strstr (text, "Status: a later quote") - text);
  g_assert_cmpuint (lean_markdown_view_get_n_tasks (readme), ==, 3);

  /* Task lines map to the file's "- [ ]" lines, in order. */
  {
    LeanSpec *spec = lookup (fx, "001-render-specs");
    guint body_line = lean_spec_get_body_line (spec);
    g_auto(GStrv) lines = g_strsplit (alpha_readme, "\n", -1);
    guint n = 0;

    for (guint l = 0; lines[l] != NULL; l++)
      {
        gboolean open = g_str_has_prefix (lines[l], "- [ ] ");
        gboolean done = g_str_has_prefix (lines[l], "- [x] ");

        if (!open && !done)
          continue;
        g_assert_cmpuint (lean_markdown_view_get_task_line (readme, n) + body_line - 1, ==, l + 1);
        g_assert_cmpint (lean_markdown_view_get_task_checked (readme, n), ==, done);
        g_assert_cmpstr (lean_markdown_view_get_task_text (readme, n), ==, lines[l] + 6);
        n++;
      }
    g_assert_cmpuint (n, ==, 3);
    g_assert_cmpuint (lean_spec_get_n_checked (spec), ==, 1);
    g_assert_cmpuint (lean_spec_get_n_unchecked (spec), ==, 2);
  }

  /* Status and priority as the action state. */
  {
    g_autofree char *status = NULL;
    g_autofree char *priority = NULL;

    g_object_get (fx->view, "status", &status, "priority", &priority, NULL);
    g_assert_cmpstr (status, ==, "planned");
    g_assert_cmpstr (priority, ==, "high");
  }

  /* The child links back to its parent and dependency. */
  relations = _lean_spec_view_get_relations_markup (fx->view);
  g_assert_nonnull (strstr (relations, "spec:002-beta")); /* child */
  {
    GtkWidget *label = find_by_css_class (GTK_WIDGET (fx->view), "spec-page-relations");

    /* A real click on the link, as a person makes it. */
    g_assert_true (GTK_IS_LABEL (label));
    ui_input_click_label_text (GTK_LABEL (label), "002 Beta child");
    WAIT_FOR (fx->opened_id != NULL);
    g_assert_cmpstr (fx->opened_id, ==, "002-beta");
  }
  show (fx, "002-beta");
  relations = _lean_spec_view_get_relations_markup (fx->view);
  g_assert_nonnull (strstr (relations, "spec:001-render-specs"));
  g_assert_nonnull (strstr (relations, "spec:003-gamma"));

  /* Sub-spec files get a page each. */
  show (fx, "001-render-specs");
  WAIT_FOR (gtk_stack_get_child_by_name (GTK_STACK (_lean_spec_view_get_files_stack (fx->view)),
                                         "DESIGN.md") != NULL);
  {
    GtkWidget *design = gtk_stack_get_child_by_name (GTK_STACK (_lean_spec_view_get_files_stack (fx->view)),
                                                     "DESIGN.md");

    WAIT_FOR (lean_markdown_view_get_n_tasks (LEAN_MARKDOWN_VIEW (design)) == 1);
  }

  /* Relative links in the body: a sub-spec file opens its page, another
   * spec's folder asks the window to open that spec (test-ui-clicks
   * clicks such links with the pointer). */
  {
    GtkStack *files = GTK_STACK (_lean_spec_view_get_files_stack (fx->view));
    gboolean handled = FALSE;

    g_assert_cmpstr (gtk_stack_get_visible_child_name (files), ==, "README.md");
    g_signal_emit_by_name (readme, "activate-link", "DESIGN.md", &handled);
    g_assert_true (handled);
    /* Shown once the click that activated the link has finished. */
    WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (files), "DESIGN.md") == 0);

    handled = FALSE;
    g_signal_emit_by_name (readme, "activate-link", "../003-gamma/README.md", &handled);
    g_assert_true (handled);
    WAIT_FOR (g_strcmp0 (fx->opened_id, "003-gamma") == 0);
  }

  /* Many tags, a long title and a long path still fit a phone: the page
   * never asks for more than 360 px. */
  test_util_write_file (fx->root, "specs/002-beta/README.md",
              "---\nstatus: planned\ntags: [frontend, backend, database, security, performance, "
              "accessibility, documentation, internationalisation]\n---\n\n"
              "# A very long title that goes on and on to test how the page wraps it\n\n"
              "| a very long header cell | another quite long header cell |\n|---|---|\n| x | y |\n\n"
              "```\nsome_code_line_that_is_much_longer_than_a_phone_screen_is_wide(argument, argument)\n```\n");
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_build_filename (fx->root, "specs/002-beta", NULL);
    g_autoptr(LeanSpec) fresh = lean_spec_new_from_dir (fx->root, dir, &error);
    int min = 0;

    g_assert_no_error (error);
    lean_spec_store_replace (fx->store, fresh);
    show (fx, "002-beta");
    gtk_widget_measure (GTK_WIDGET (fx->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
    g_test_message ("spec view minimum width: %d px", min);
    g_assert_cmpint (min, <=, 360);

    gtk_window_set_default_size (fx->window, 360, 760);
    iterate_a_while (400);
    save_screenshot (GTK_WIDGET (fx->window), "spec-view-narrow.png");
    gtk_window_set_default_size (fx->window, 900, 1000);
  }

  /* Empty state. */
  lean_spec_view_set_spec (fx->view, fx->store, NULL);
  g_assert_null (lean_spec_view_get_spec (fx->view));
}

/* The check buttons of @view in task order. */
static GPtrArray *
task_buttons (LeanMarkdownView *view)
{
  GPtrArray *buttons = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_CHECK_BUTTON (child))
      g_ptr_array_add (buttons, child);
  g_assert_cmpuint (buttons->len, ==, lean_markdown_view_get_n_tasks (view));
  return buttons;
}

static void
test_toggle_task (Fixture       *fx,
                  gconstpointer  data)
{
  LeanMarkdownView *readme;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  guint line;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  readme = _lean_spec_view_get_readme_view (fx->view);
  before = read_file (fx->root, "specs/001-render-specs/README.md");

  /* The third task ("Render tables") is open; tick it, from the keyboard. */
  g_assert_false (lean_markdown_view_get_task_checked (readme, 2));
  {
    g_autoptr(GPtrArray) buttons = task_buttons (readme);

    g_assert_true (gtk_widget_grab_focus (g_ptr_array_index (buttons, 2)));
  }
  line = lean_markdown_view_get_task_line (readme, 2) +
         lean_spec_get_body_line (lookup (fx, "001-render-specs")) - 1;
  ui_input_key (GDK_KEY_space, 0);
  WAIT_FOR (_lean_spec_view_get_pending_writes (fx->view) == 0 &&
            lean_markdown_view_get_task_checked (_lean_spec_view_get_readme_view (fx->view), 2));
  wait_writes (fx);

  after = read_file (fx->root, "specs/001-render-specs/README.md");
  changed = changed_lines (before, after);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpuint (atoi (g_ptr_array_index (changed, 0)), ==, line);
  {
    g_auto(GStrv) lines = g_strsplit (after, "\n", -1);

    g_assert_cmpstr (lines[line - 1], ==, "- [x] Render tables");
  }
  /* Everything else byte for byte: the same text with that one flip. */
  {
    g_autoptr(GString) expected = g_string_new (before);

    g_string_replace (expected, "- [ ] Render tables", "- [x] Render tables", 1);
    g_assert_cmpstr (expected->str, ==, after);
  }

  /* The store and the view follow; focus stays on the item. */
  g_assert_cmpuint (lean_spec_get_n_checked (lookup (fx, "001-render-specs")), ==, 2);
  readme = _lean_spec_view_get_readme_view (fx->view);
  g_assert_true (lean_markdown_view_get_task_checked (readme, 2));
  g_assert_false (lean_markdown_view_get_task_checked (readme, 0));
  {
    g_autoptr(GPtrArray) buttons = task_buttons (readme);

    g_assert_true (gtk_widget_has_focus (g_ptr_array_index (buttons, 2)));
  }

  /* And back, with the key again: focus stayed on the item. */
  ui_input_key (GDK_KEY_space, 0);
  WAIT_FOR (_lean_spec_view_get_pending_writes (fx->view) == 0 &&
            !lean_markdown_view_get_task_checked (_lean_spec_view_get_readme_view (fx->view), 2));
  wait_writes (fx);
  g_clear_pointer (&after, g_free);
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_cmpstr (after, ==, before);

  /* Clicks quicker than a write, each building on the one before, are
   * tested with the real window in test-ui-clicks. */
}


static void
test_crlf_spec (Fixture       *fx,
                gconstpointer  data)
{
  const char *crlf = "---\r\nstatus: planned\r\n---\r\n\r\n# Windows spec\r\n\r\n"
                     "- [ ] first\r\n- [ ] second\r\n";
  g_autofree char *after = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;
  LeanMarkdownView *readme;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* A file with CRLF line ends keeps them through a tick and a rename. */
  test_util_write_file (fx->root, "specs/003-gamma/README.md", crlf);
  dir = g_build_filename (fx->root, "specs/003-gamma", NULL);
  fresh = lean_spec_new_from_dir (fx->root, dir, &error);
  g_assert_no_error (error);
  lean_spec_store_replace (fx->store, fresh);
  show (fx, "003-gamma");

  readme = _lean_spec_view_get_readme_view (fx->view);
  g_assert_cmpuint (lean_markdown_view_get_n_tasks (readme), ==, 2);
  g_assert_cmpstr (lean_markdown_view_get_task_text (readme, 1), ==, "second");
  lean_markdown_view_activate_task (readme, 1);
  wait_writes (fx);
  after = read_file (fx->root, "specs/003-gamma/README.md");
  g_assert_cmpstr (after, ==, "---\r\nstatus: planned\r\n---\r\n\r\n# Windows spec\r\n\r\n"
                              "- [ ] first\r\n- [x] second\r\n");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.rename", NULL));
  gtk_editable_set_text (GTK_EDITABLE (_lean_spec_view_get_title_entry (fx->view)), "Still Windows");
  press_enter_in (_lean_spec_view_get_title_entry (fx->view));
  wait_writes (fx);
  g_clear_pointer (&after, g_free);
  after = read_file (fx->root, "specs/003-gamma/README.md");
  g_assert_cmpstr (after, ==, "---\r\nstatus: planned\r\n---\r\n\r\n# Still Windows\r\n\r\n"
                              "- [ ] first\r\n- [x] second\r\n");
}

static void
test_toggle_subspec_task (Fixture       *fx,
                          gconstpointer  data)
{
  GtkStack *files;
  LeanMarkdownView *design;
  g_autofree char *after = NULL;
  g_autofree char *readme_before = NULL;
  g_autofree char *readme_after = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  files = GTK_STACK (_lean_spec_view_get_files_stack (fx->view));
  WAIT_FOR (gtk_stack_get_child_by_name (files, "DESIGN.md") != NULL);
  design = LEAN_MARKDOWN_VIEW (gtk_stack_get_child_by_name (files, "DESIGN.md"));
  WAIT_FOR (lean_markdown_view_get_n_tasks (design) == 1);
  g_assert_cmpuint (lean_markdown_view_get_task_line (design, 0), ==, 3);
  readme_before = read_file (fx->root, "specs/001-render-specs/README.md");

  lean_markdown_view_activate_task (design, 0);
  wait_writes (fx);

  /* Only DESIGN.md changed, only that line. */
  after = read_file (fx->root, "specs/001-render-specs/DESIGN.md");
  g_assert_cmpstr (after, ==, "# Design\n\n- [x] Decide the colours\n");
  readme_after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_cmpstr (readme_after, ==, readme_before);

  /* The page shows it ticked after the reload of the file. */
  design = LEAN_MARKDOWN_VIEW (gtk_stack_get_child_by_name (files, "DESIGN.md"));
  WAIT_FOR (lean_markdown_view_get_n_tasks (design) == 1 &&
            lean_markdown_view_get_task_checked (design, 0));

  /* An editor changes DESIGN.md: the page follows (the store only watches
   * README.md snapshots, the view watches the folder). */
  test_util_write_file (fx->root, "specs/001-render-specs/DESIGN.md",
              "# Design\n\n- [x] Decide the colours\n- [ ] Pick the fonts\n");
  WAIT_FOR (lean_markdown_view_get_n_tasks (design) == 2);
  g_assert_cmpstr (lean_markdown_view_get_task_text (design, 1), ==, "Pick the fonts");
}

static gboolean
page_has_text (LeanMarkdownView *view,
               const char       *needle)
{
  g_autofree char *text = buffer_text (view);

  return strstr (text, needle) != NULL;
}

static void
test_subspec_cut (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GString) big = g_string_new ("# Notes\n\n");
  g_autofree char *dir = g_build_filename (fx->root, "specs", "001-render-specs", NULL);
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;
  GtkStack *files;
  LeanMarkdownView *notes;
  g_autofree char *text = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* A sub-spec of 4 MiB in one paragraph, of three-byte characters, so a
   * cut by bytes falls inside one. */
  while (big->len < 4 * 1024 * 1024)
    {
      for (int i = 0; i < 30; i++)
        g_string_append (big, "日");
      g_string_append_c (big, '\n');
    }
  g_string_append (big, "Past the cut\n");
  test_util_write_file (fx->root, "specs/001-render-specs/NOTES.md", big->str);
  fresh = lean_spec_new_from_dir (fx->root, dir, &error);
  g_assert_no_error (error);
  lean_spec_store_replace (fx->store, fresh);

  show (fx, "001-render-specs");
  files = GTK_STACK (_lean_spec_view_get_files_stack (fx->view));
  WAIT_FOR (gtk_stack_get_child_by_name (files, "NOTES.md") != NULL);
  notes = LEAN_MARKDOWN_VIEW (gtk_stack_get_child_by_name (files, "NOTES.md"));
  WAIT_FOR (page_has_text (notes, "日日日"));

  /* The page says it is cut, shows whole lines up to the cut, and neither
   * calls the file invalid nor shows what lies past the cut. */
  text = buffer_text (notes);
  g_assert_nonnull (strstr (text, "only its beginning is shown"));
  g_assert_null (strstr (text, "not valid UTF-8"));
  g_assert_null (strstr (text, "Past the cut"));
  g_assert_cmpuint (strlen (text), <=, LEAN_MARKDOWN_VIEW_MAX_SHOWN + 1024);
  g_assert_nonnull (strstr (text, "日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日 "));
}

static void
make_long (Fixture    *fx,
           const char *id,
           const char *base)
{
  g_autoptr(GString) body = g_string_new (base);
  g_autofree char *rel = g_strdup_printf ("specs/%s/README.md", id);
  g_autofree char *dir = g_build_filename (fx->root, "specs", id, NULL);
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 80; i++)
    g_string_append_printf (body, "\nParagraph %u of a long spec that needs scrolling.\n", i);
  g_string_append (body, "\n- [ ] The last task\n");
  test_util_write_file (fx->root, rel, body->str);

  fresh = lean_spec_new_from_dir (fx->root, dir, &error);
  g_assert_no_error (error);
  lean_spec_store_replace (fx->store, fresh);
}

static void
test_keep_scroll (Fixture       *fx,
                  gconstpointer  data)
{
  GtkScrolledWindow *scroller;
  GtkAdjustment *adj;
  LeanMarkdownView *readme;
  guint last;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* Specs long enough to scroll, with a task near the end. */
  make_long (fx, "001-render-specs", alpha_readme);
  make_long (fx, "002-beta", beta_readme);
  show (fx, "001-render-specs");
  iterate_a_while (300);

  scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (_lean_spec_view_get_readme_view (fx->view)),
                                                           GTK_TYPE_SCROLLED_WINDOW));
  adj = gtk_scrolled_window_get_vadjustment (scroller);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj) + 1000);
  gtk_adjustment_set_value (adj, 900);
  iterate_a_while (100);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adj), 900, 1);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-scrolled.png");

  /* Ticking the last task rewrites the file and re-renders: the reader
   * stays where they were. */
  readme = _lean_spec_view_get_readme_view (fx->view);
  last = lean_markdown_view_get_n_tasks (readme) - 1;
  lean_markdown_view_activate_task (readme, last);
  wait_writes (fx);
  iterate_a_while (300);
  g_assert_true (lean_markdown_view_get_task_checked (_lean_spec_view_get_readme_view (fx->view), last));
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adj), 900, 1);

  /* Another spec (as long) starts at the top. */
  show (fx, "002-beta");
  iterate_a_while (300);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj) + 1000);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), <, 1);
}

static void
test_change_status (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *body_before, *body_after;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, "specs/001-render-specs/README.md");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.status", "s", "in-progress"));
  wait_writes (fx);

  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_nonnull (strstr (after, "status: in-progress\n"));
  g_assert_null (strstr (after, "status: planned\n"));
  /* Minimal: the body, the comment and the other keys as they were. */
  body_before = strstr (before, "\n---\n");
  body_after = strstr (after, "\n---\n");
  g_assert_cmpstr (body_before, ==, body_after);
  g_assert_nonnull (strstr (after, "# a comment that must survive every write\n"));
  g_assert_nonnull (strstr (after, "created: '2026-11-02'\npriority: high\ntags:\n  - ui\n  - markdown\n"));
  g_assert_true (g_str_has_prefix (after, "---\nstatus: in-progress\ncreated: '2026-11-02'\n"));

  g_assert_cmpint (lean_spec_get_status (lookup (fx, "001-render-specs")), ==,
                   LEAN_SPEC_STATUS_IN_PROGRESS);
  g_assert_true (lean_spec_view_get_spec (fx->view) == lookup (fx, "001-render-specs"));

  /* Priority the same way. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.priority", "s", "low"));
  wait_writes (fx);
  g_clear_pointer (&after, g_free);
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_nonnull (strstr (after, "priority: low\n"));
  g_assert_cmpint (lean_spec_get_priority (lookup (fx, "001-render-specs")), ==,
                   LEAN_SPEC_PRIORITY_LOW);
}

static void
test_rename (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *entry;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, "specs/001-render-specs/README.md");
  entry = _lean_spec_view_get_title_entry (fx->view);

  /* F2 / the pencil shows the entry with the current title. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.rename", NULL));
  g_assert_true (gtk_widget_get_child_visible (entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Render specs beautifully");

  gtk_editable_set_text (GTK_EDITABLE (entry), "  Render specs like a book  ");
  press_enter_in (entry);
  wait_writes (fx);

  /* Exactly the heading line changed. */
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  {
    g_autoptr(GString) expected = g_string_new (before);

    g_string_replace (expected, "\n# Render specs beautifully\n", "\n# Render specs like a book\n", 1);
    g_assert_cmpstr (after, ==, expected->str);
  }
  g_assert_cmpstr (lean_spec_get_title (lookup (fx, "001-render-specs")), ==, "Render specs like a book");
  g_assert_cmpstr (adw_toast_get_title (_lean_spec_view_get_last_toast (fx->view)), ==, "Spec renamed");

  /* A spec whose title is not a "# " line (here: none) is not rewritten. */
  show (fx, "003-gamma");
  test_util_write_file (fx->root, "specs/003-gamma/README.md", "---\nstatus: complete\n---\n\nNo heading here.\n");
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_build_filename (fx->root, "specs/003-gamma", NULL);
    g_autoptr(LeanSpec) fresh = lean_spec_new_from_dir (fx->root, dir, &error);

    g_assert_no_error (error);
    lean_spec_store_replace (fx->store, fresh);
    iterate_a_while (50);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.rename", NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Gamma renamed");
  press_enter_in (entry);
  wait_writes (fx);
  g_clear_pointer (&after, g_free);
  after = read_file (fx->root, "specs/003-gamma/README.md");
  g_assert_cmpstr (after, ==, "---\nstatus: complete\n---\n\nNo heading here.\n");
  g_assert_nonnull (_lean_spec_view_get_last_toast (fx->view));
  g_test_message ("refused: %s", adw_toast_get_title (_lean_spec_view_get_last_toast (fx->view)));
}

static void
test_changed_on_disk (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *after = NULL;
  AdwToast *toast;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "002-beta");
  /* Someone edits the file behind the view's back. */
  test_util_write_file (fx->root, "specs/002-beta/README.md", "---\nstatus: draft\n---\n\n# Beta edited\n");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.status", "s", "complete"));
  wait_writes (fx);

  /* Nothing written; the person is told, with a way to reload. */
  after = read_file (fx->root, "specs/002-beta/README.md");
  g_assert_cmpstr (after, ==, "---\nstatus: draft\n---\n\n# Beta edited\n");
  toast = _lean_spec_view_get_last_toast (fx->view);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Reload");

  g_signal_emit_by_name (toast, "button-clicked");
  wait_writes (fx);
  g_assert_cmpint (lean_spec_get_status (lean_spec_view_get_spec (fx->view)), ==, LEAN_SPEC_STATUS_DRAFT);
  g_assert_cmpstr (lean_spec_get_title (lean_spec_view_get_spec (fx->view)), ==, "Beta edited");
}

static void
test_mark_complete (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undone = NULL;
  AdwMessageDialog *dialog;
  AdwToast *toast;
  const char *body;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, "specs/001-render-specs/README.md");

  /* Open items and an open child: the dialog lists them. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.mark-complete", NULL));
  wait_writes (fx);
  dialog = _lean_spec_view_get_complete_dialog (fx->view);
  g_assert_nonnull (dialog);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("dialog body: %s", body);
  g_assert_cmpstr (body, ==, "2 checklist items are open and 1 child spec is not complete.");
  {
    GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
    const char *list;

    g_assert_true (GTK_IS_LABEL (extra));
    list = gtk_label_get_text (GTK_LABEL (extra));
    g_test_message ("open items: %s", list);
    g_assert_nonnull (strstr (list, "Parse the body with cmark-gfm"));
    g_assert_nonnull (strstr (list, "Render tables"));
    g_assert_null (strstr (list, "Map task items")); /* done */
    g_assert_nonnull (strstr (list, "002  Beta child"));
  }
  save_screenshot (GTK_WIDGET (dialog), "spec-view-complete-dialog.png");

  /* Nothing written yet. */
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  adw_message_dialog_response (dialog, "force");
  iterate_a_while (20);
  wait_writes (fx);

  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_nonnull (strstr (after, "status: complete\n"));
  g_assert_nonnull (strstr (after, "completed_at:"));
  g_assert_nonnull (strstr (after, "transitions:"));
  g_assert_nonnull (strstr (after, "# a comment that must survive every write\n"));
  g_assert_cmpstr (strstr (after, "\n---\n"), ==, strstr (before, "\n---\n"));
  g_assert_cmpint (lean_spec_get_status (lookup (fx, "001-render-specs")), ==, LEAN_SPEC_STATUS_COMPLETE);

  /* Undo puts back the exact bytes. */
  toast = _lean_spec_view_get_last_toast (fx->view);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Spec marked complete");
  g_signal_emit_by_name (toast, "button-clicked");
  wait_writes (fx);

  undone = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_cmpstr (undone, ==, before);
  g_assert_cmpint (lean_spec_get_status (lookup (fx, "001-render-specs")), ==, LEAN_SPEC_STATUS_PLANNED);
}

static void
test_complete_from_status_menu (Fixture       *fx,
                                gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *status = NULL;
  AdwMessageDialog *dialog;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* Choosing Complete in the status menu applies the same rules. */
  show (fx, "001-render-specs");
  before = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.status", "s", "complete"));
  wait_writes (fx);
  dialog = _lean_spec_view_get_complete_dialog (fx->view);
  g_assert_nonnull (dialog);

  /* Cancel: nothing written, the menu shows the file's status again. */
  adw_message_dialog_response (dialog, "cancel");
  iterate_a_while (50);
  g_assert_null (_lean_spec_view_get_complete_dialog (fx->view));
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_cmpstr (after, ==, before);
  g_object_get (fx->view, "status", &status, NULL);
  g_assert_cmpstr (status, ==, "planned");
}

static void
test_complete_without_open_items (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autofree char *after = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* 002 has no tasks and no children: completes at once, no dialog. */
  show (fx, "002-beta");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "spec.mark-complete", NULL));
  wait_writes (fx);
  g_assert_null (_lean_spec_view_get_complete_dialog (fx->view));
  after = read_file (fx->root, "specs/002-beta/README.md");
  g_assert_nonnull (strstr (after, "status: complete\n"));
}

static void
test_new_spec (Fixture       *fx,
               gconstpointer  data)
{
  LeanNewSpecDialog *dialog;
  GtkWidget *create;
  g_autofree char *contents = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  dialog = lean_new_spec_dialog_new (fx->window, fx->store);
  g_object_ref (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  create = _lean_new_spec_dialog_get_create_button (dialog);

  WAIT_FOR (_lean_new_spec_dialog_get_number (dialog) != 0);
  g_assert_cmpuint (_lean_new_spec_dialog_get_number (dialog), ==, 4);
  g_assert_false (gtk_widget_get_sensitive (create));

  /* The name follows the title until edited. */
  gtk_editable_set_text (_lean_new_spec_dialog_get_title_entry (dialog), "Add Dark Mode!");
  g_assert_cmpstr (gtk_editable_get_text (_lean_new_spec_dialog_get_name_entry (dialog)), ==,
                   "add-dark-mode");
  g_assert_true (gtk_widget_get_sensitive (create));

  /* Bad names are refused with a reason. */
  gtk_editable_set_text (_lean_new_spec_dialog_get_name_entry (dialog), "Add Dark");
  g_assert_false (gtk_widget_get_sensitive (create));
  g_assert_nonnull (strstr (_lean_new_spec_dialog_get_message (dialog), "lowercase"));
  gtk_editable_set_text (_lean_new_spec_dialog_get_name_entry (dialog), "dark-mode");
  g_assert_true (gtk_widget_get_sensitive (create));
  gtk_editable_set_text (_lean_new_spec_dialog_get_tags_entry (dialog), "ui, theme");
  _lean_new_spec_dialog_set_priority (dialog, LEAN_SPEC_PRIORITY_HIGH);
  iterate_a_while (100);
  save_screenshot (GTK_WIDGET (dialog), "new-spec-dialog.png");

  g_signal_emit_by_name (create, "clicked");
  WAIT_FOR (fx->opened_id != NULL);
  g_assert_cmpstr (fx->opened_id, ==, "004-dark-mode");
  g_assert_nonnull (lean_spec_store_lookup (fx->store, "004-dark-mode"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);

  contents = read_file (fx->root, "specs/004-dark-mode/README.md");
  g_assert_nonnull (strstr (contents, "Add Dark Mode!"));
  g_assert_nonnull (strstr (contents, "priority: high"));
  g_assert_nonnull (strstr (contents, "ui"));
  g_assert_nonnull (strstr (contents, "theme"));
  g_assert_nonnull (strstr (contents, "status: planned"));
}

/* @text without its "updated_at:" line and its "tags:" block (or
 * "assignee:" line when @key is "assignee"): what an edit of @key must
 * leave byte for byte. */
static char *
without_key (const char *text,
             const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ":", NULL);
  GString *out = g_string_new (NULL);
  gboolean in_block = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (in_block && (g_str_has_prefix (lines[i], "  - ") || g_str_has_prefix (lines[i], "- ")))
        continue;
      in_block = FALSE;
      if (g_str_has_prefix (lines[i], "updated_at:"))
        continue;
      if (g_str_has_prefix (lines[i], prefix))
        {
          in_block = TRUE;
          continue;
        }
      g_string_append (out, lines[i]);
      if (lines[i + 1] != NULL)
        g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static GtkWidget *
find_tag_chip (Fixture    *fx,
               const char *tag)
{
  GtkWidget *chips = gtk_widget_get_parent (GTK_WIDGET (_lean_spec_view_get_tag_add_button (fx->view)));

  for (GtkWidget *child = gtk_widget_get_first_child (chips); child; child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "lean-tag"), tag) == 0)
      return child;
  return NULL;
}

static GPtrArray *
suggested_tags (Fixture *fx)
{
  GtkWidget *box = GTK_WIDGET (_lean_spec_view_get_tag_suggestions (fx->view));
  GPtrArray *tags = g_ptr_array_new ();

  if (gtk_widget_get_visible (box))
    for (GtkWidget *child = gtk_widget_get_first_child (box); child; child = gtk_widget_get_next_sibling (child))
      g_ptr_array_add (tags, g_object_get_data (G_OBJECT (child), "lean-tag"));
  return tags;
}

static void
test_edit_tags (Fixture       *fx,
                gconstpointer  data)
{
  const char *path = "specs/001-render-specs/README.md";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *rest_before = NULL;
  g_autofree char *rest_after = NULL;
  g_autoptr(GPtrArray) suggested = NULL;
  GtkMenuButton *add_button;
  GtkEntry *entry;
  GtkWidget *chip, *remove;
  const char * const *tags;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, path);
  g_assert_nonnull (find_tag_chip (fx, "ui"));
  g_assert_nonnull (find_tag_chip (fx, "markdown"));

  /* "+" opens the popover with the entry focused; Enter adds the tag. */
  add_button = _lean_spec_view_get_tag_add_button (fx->view);
  entry = _lean_spec_view_get_tag_entry (fx->view);
  gtk_menu_button_popup (add_button);
  iterate_a_while (100);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "  desktop ");
  press_enter_in (entry);
  wait_writes (fx);

  after = read_file (fx->root, path);
  g_assert_nonnull (strstr (after, "tags:\n  - ui\n  - markdown\n  - desktop\n"));
  g_assert_nonnull (strstr (after, "\nupdated_at: "));
  rest_before = without_key (before, "tags");
  rest_after = without_key (after, "tags");
  g_assert_cmpstr (rest_before, ==, rest_after);
  tags = lean_spec_get_tags (lookup (fx, "001-render-specs"));
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 3);
  g_assert_cmpstr (tags[2], ==, "desktop");
  g_assert_nonnull (find_tag_chip (fx, "desktop"));
  /* Enter also closed the popover. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (add_button))));

  /* The chip's "×" removes that tag and nothing else. */
  chip = find_tag_chip (fx, "ui");
  g_assert_nonnull (chip);
  remove = gtk_widget_get_last_child (chip);
  g_assert_true (GTK_IS_BUTTON (remove));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove), ==, "Remove tag ui");
  /* A target of at least 24 px (the HIG's least), clicked near its left
   * edge, outside the drawn "×". */
  g_assert_cmpint (gtk_widget_get_width (remove), >=, 24);
  g_assert_cmpint (gtk_widget_get_height (remove), >=, 24);
  ui_input_click_at (remove, 3, gtk_widget_get_height (remove) / 2.0, 1);
  wait_writes (fx);

  g_clear_pointer (&after, g_free);
  g_clear_pointer (&rest_after, g_free);
  after = read_file (fx->root, path);
  g_assert_nonnull (strstr (after, "tags:\n  - markdown\n  - desktop\nassignee: alice\n"));
  rest_after = without_key (after, "tags");
  g_assert_cmpstr (rest_before, ==, rest_after);
  tags = lean_spec_get_tags (lookup (fx, "001-render-specs"));
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
  g_assert_cmpstr (tags[0], ==, "markdown");
  g_assert_null (find_tag_chip (fx, "ui"));

  /* A spec without tags: the project's tags are suggested, filtered by
   * what is typed, and picking one writes a new tags block. */
  show (fx, "002-beta");
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&rest_before, g_free);
  before = read_file (fx->root, "specs/002-beta/README.md");
  gtk_menu_button_popup (add_button);
  iterate_a_while (100);
  suggested = suggested_tags (fx);
  /* "ui" went with the last spec that used it. */
  g_assert_cmpuint (suggested->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (suggested, 0), ==, "desktop");
  g_assert_cmpstr (g_ptr_array_index (suggested, 1), ==, "markdown");
  save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (add_button)), "spec-view-add-tag.png");

  gtk_editable_set_text (GTK_EDITABLE (entry), "MARK");
  g_clear_pointer (&suggested, g_ptr_array_unref);
  suggested = suggested_tags (fx);
  g_assert_cmpuint (suggested->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (suggested, 0), ==, "markdown");
  g_signal_emit_by_name (_lean_spec_view_get_tag_suggestions (fx->view), "child-activated",
                         gtk_widget_get_first_child (GTK_WIDGET (_lean_spec_view_get_tag_suggestions (fx->view))));
  wait_writes (fx);

  g_clear_pointer (&after, g_free);
  g_clear_pointer (&rest_after, g_free);
  after = read_file (fx->root, "specs/002-beta/README.md");
  /* A new block is written as `leanspec update --tags` writes it. */
  g_assert_nonnull (strstr (after, "\ntags:\n- markdown\n"));
  rest_before = without_key (before, "tags");
  rest_after = without_key (after, "tags");
  g_assert_cmpstr (rest_before, ==, rest_after);
  tags = lean_spec_get_tags (lookup (fx, "002-beta"));
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 1);
  g_assert_cmpstr (tags[0], ==, "markdown");

  /* YAML's special characters go in as typed and read back the same. */
  gtk_menu_button_popup (add_button);
  iterate_a_while (50);
  gtk_editable_set_text (GTK_EDITABLE (entry), "needs: review #2");
  press_enter_in (entry);
  wait_writes (fx);
  tags = lean_spec_get_tags (lookup (fx, "002-beta"));
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
  g_assert_cmpstr (tags[1], ==, "needs: review #2");
  g_assert_nonnull (find_tag_chip (fx, "needs: review #2"));

  save_screenshot (GTK_WIDGET (fx->window), "spec-view-tags.png");
}

static const char *
assignee_text (Fixture *fx)
{
  GtkWidget *content = gtk_menu_button_get_child (_lean_spec_view_get_assignee_button (fx->view));

  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_last_child (content)));
}

static void
test_edit_assignee (Fixture       *fx,
                    gconstpointer  data)
{
  const char *path = "specs/001-render-specs/README.md";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *rest_before = NULL;
  g_autofree char *rest_after = NULL;
  GtkMenuButton *button;
  GtkEntry *entry;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, path);
  rest_before = without_key (before, "assignee");
  button = _lean_spec_view_get_assignee_button (fx->view);
  entry = _lean_spec_view_get_assignee_entry (fx->view);
  g_assert_cmpstr (assignee_text (fx), ==, "Assigned to alice");

  /* The popover starts from the current assignee. */
  gtk_menu_button_popup (button);
  iterate_a_while (100);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "alice");
  save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (button)), "spec-view-assignee.png");
  gtk_editable_set_text (GTK_EDITABLE (entry), "bob ");
  press_enter_in (entry);
  wait_writes (fx);

  after = read_file (fx->root, path);
  g_assert_nonnull (strstr (after, "\nassignee: bob\n# a comment"));
  rest_after = without_key (after, "assignee");
  g_assert_cmpstr (rest_before, ==, rest_after);
  g_assert_cmpstr (lean_spec_get_assignee (lookup (fx, "001-render-specs")), ==, "bob");
  g_assert_cmpstr (assignee_text (fx), ==, "Assigned to bob");

  /* Empty removes it. */
  gtk_menu_button_popup (button);
  iterate_a_while (50);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  press_enter_in (entry);
  wait_writes (fx);

  g_clear_pointer (&after, g_free);
  g_clear_pointer (&rest_after, g_free);
  after = read_file (fx->root, path);
  g_assert_null (strstr (after, "assignee:"));
  rest_after = without_key (after, "assignee");
  g_assert_cmpstr (rest_before, ==, rest_after);
  g_assert_null (lean_spec_get_assignee (lookup (fx, "001-render-specs")));
  g_assert_cmpstr (assignee_text (fx), ==, "Assign…");

  /* And set again on a spec that never had one. */
  show (fx, "002-beta");
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&rest_before, g_free);
  before = read_file (fx->root, "specs/002-beta/README.md");
  gtk_menu_button_popup (button);
  iterate_a_while (50);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  gtk_editable_set_text (GTK_EDITABLE (entry), "Carol Díaz");
  press_enter_in (entry);
  wait_writes (fx);

  g_clear_pointer (&after, g_free);
  g_clear_pointer (&rest_after, g_free);
  after = read_file (fx->root, "specs/002-beta/README.md");
  g_assert_nonnull (strstr (after, "assignee: Carol Díaz\n"));
  rest_before = without_key (before, "assignee");
  rest_after = without_key (after, "assignee");
  g_assert_cmpstr (rest_before, ==, rest_after);
  g_assert_cmpstr (lean_spec_get_assignee (lookup (fx, "002-beta")), ==, "Carol Díaz");
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-assigned.png");
}

static void
test_screenshots (Fixture       *fx,
                  gconstpointer  data)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  /* Switching style right after showing a spec (the layout still being
   * validated) must still end with the whole body laid out. */
  lean_spec_view_set_spec (fx->view, fx->store, lookup (fx, "003-gamma"));
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  iterate_a_while (400);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-dark-switch.png");
  {
    GtkTextView *text = GTK_TEXT_VIEW (_lean_spec_view_get_readme_view (fx->view));
    GtkTextIter end;
    int y, height;

    gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (text), &end);
    gtk_text_view_get_line_yrange (text, &end, &y, &height);
    g_test_message ("last line ends at %d, view is %d high", y + height, gtk_widget_get_height (GTK_WIDGET (text)));
    g_assert_cmpint (y + height, <=, gtk_widget_get_height (GTK_WIDGET (text)));
  }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);

  show (fx, "001-render-specs");
  iterate_a_while (400);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-light.png");

  /* AdwApplication loads style-dark.css for the dark style; do the same. */
  {
    g_autoptr(GtkCssProvider) dark_css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (dark_css, "/dev/leanspec/Desktop/style-dark.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
    iterate_a_while (400);
    save_screenshot (GTK_WIDGET (fx->window), "spec-view-dark.png");
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
    gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css));
  }

  /* Narrow and wide, light and dark. */
  {
    static const int widths[] = { 600, 1600 };
    g_autoptr(GtkCssProvider) dark_css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (dark_css, "/dev/leanspec/Desktop/style-dark.css");
    for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
      for (guint dark = 0; dark < 2; dark++)
        {
          g_autofree char *name = g_strdup_printf ("spec-view-%d-%s.png", widths[i], dark ? "dark" : "light");

          if (dark)
            gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css),
                                                        GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
          adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_DEFAULT);
          gtk_window_set_default_size (fx->window, widths[i], 900);
          iterate_a_while (500);
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, widths[i]);
          save_screenshot (GTK_WIDGET (fx->window), name);
          if (dark)
            gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css));
        }
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
    gtk_window_set_default_size (fx->window, 900, 1000);
  }

  lean_spec_view_set_spec (fx->view, fx->store, NULL);
  iterate_a_while (300);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-empty.png");
}

/* Real clicks */

/* The first mapped GtkLabel under @root showing @text. */


/* @widget or a part of it (an entry's text) has the keyboard focus of
 * its window or popover. */
static gboolean
holds_focus (GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* Opens @button's menu with a click and clicks the item showing @text. */
static void
click_menu_item (GtkMenuButton *button,
                 const char    *text)
{
  GtkWidget *popover;
  GtkWidget *item = NULL;

  /* Let the last popover finish closing: a click meanwhile only closes it. */
  iterate_a_while (200);
  ui_input_click (GTK_WIDGET (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
  WAIT_FOR (popover != NULL && gtk_widget_get_mapped (popover) &&
            (item = ui_test_find_label (popover, text)) != NULL);
  iterate_a_while (200);
  ui_input_click (item);
  WAIT_FOR (!gtk_widget_get_visible (popover));
}

/* Clicks the Undo button of the toast on screen. */
static void
click_undo (Fixture *fx)
{
  GtkWidget *button = NULL;

  WAIT_FOR ((button = ui_test_find_button (GTK_WIDGET (fx->window), "_Undo")) != NULL);
  /* The toast slides in: click where it settles. */
  iterate_a_while (400);
  ui_input_click (button);
}

static void
test_undo_every_edit (Fixture       *fx,
                      gconstpointer  data)
{
  const char *path = "specs/001-render-specs/README.md";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undone = NULL;
  GtkMenuButton *priority, *status;
  GtkWidget *chip;

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X display with XTest");
      return;
    }

  show (fx, "001-render-specs");
  before = read_file (fx->root, path);
  priority = GTK_MENU_BUTTON (gtk_widget_get_ancestor (ui_test_find_label (GTK_WIDGET (fx->view), "High Priority"),
                                                       GTK_TYPE_MENU_BUTTON));
  status = GTK_MENU_BUTTON (gtk_widget_get_ancestor (ui_test_find_label (GTK_WIDGET (fx->view), "Planned"),
                                                     GTK_TYPE_MENU_BUTTON));

  /* Priority, from its menu, with the pointer. */
  click_menu_item (priority, "Low");
  wait_writes (fx);
  after = read_file (fx->root, path);
  g_assert_nonnull (strstr (after, "priority: low\n"));
  g_assert_cmpstr (adw_toast_get_title (_lean_spec_view_get_last_toast (fx->view)), ==, "Priority changed to Low");
  click_undo (fx);
  wait_writes (fx);
  undone = read_file (fx->root, path);
  g_assert_cmpstr (undone, ==, before);
  g_assert_cmpint (lean_spec_get_priority (lookup (fx, "001-render-specs")), ==, LEAN_SPEC_PRIORITY_HIGH);
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (fx->view), "High Priority"));

  /* Removing a tag with its "×". */
  chip = find_tag_chip (fx, "ui");
  g_assert_nonnull (chip);
  g_assert_cmpint (gtk_widget_get_width (gtk_widget_get_last_child (chip)), >=, 24);
  g_assert_cmpint (gtk_widget_get_height (gtk_widget_get_last_child (chip)), >=, 24);
  ui_input_click (gtk_widget_get_last_child (chip));
  wait_writes (fx);
  g_assert_null (find_tag_chip (fx, "ui"));
  g_assert_cmpstr (adw_toast_get_title (_lean_spec_view_get_last_toast (fx->view)), ==, "Tag “ui” removed");
  click_undo (fx);
  wait_writes (fx);
  g_clear_pointer (&undone, g_free);
  undone = read_file (fx->root, path);
  g_assert_cmpstr (undone, ==, before);
  g_assert_nonnull (find_tag_chip (fx, "ui"));

  /* Archiving, from the status menu. */
  click_menu_item (status, "Archived");
  wait_writes (fx);
  g_clear_pointer (&after, g_free);
  after = read_file (fx->root, path);
  g_assert_nonnull (strstr (after, "status: archived\n"));
  g_assert_cmpstr (adw_toast_get_title (_lean_spec_view_get_last_toast (fx->view)), ==, "Spec archived");
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-undo-toast.png");
  click_undo (fx);
  wait_writes (fx);
  g_clear_pointer (&undone, g_free);
  undone = read_file (fx->root, path);
  g_assert_cmpstr (undone, ==, before);
  g_assert_cmpint (lean_spec_get_status (lookup (fx, "001-render-specs")), ==, LEAN_SPEC_STATUS_PLANNED);
}

static void
test_input_errors (Fixture       *fx,
                   gconstpointer  data)
{
  GtkMenuButton *add_button;
  GtkEntry *entry;
  GtkWidget *title_entry;
  GtkWidget *add, *error_label;
  g_autofree char *after = NULL;

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X display with XTest");
      return;
    }

  show (fx, "001-render-specs");
  add_button = _lean_spec_view_get_tag_add_button (fx->view);
  entry = _lean_spec_view_get_tag_entry (fx->view);
  ui_input_click (GTK_WIDGET (add_button));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (entry)) && holds_focus (GTK_WIDGET (entry)));
  add = ui_test_find_button (GTK_WIDGET (gtk_menu_button_get_popover (add_button)), "_Add");
  g_assert_nonnull (add);
  g_assert_false (gtk_widget_get_sensitive (add));

  /* A tag the spec has: said under the entry, Add disabled, nothing written. */
  iterate_a_while (300);
  ui_input_type ("ui");
  WAIT_FOR (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (entry)), "ui") == 0);
  WAIT_FOR (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  error_label = ui_test_find_label (GTK_WIDGET (gtk_menu_button_get_popover (add_button)), "The spec already has this tag");
  g_assert_nonnull (error_label);
  g_assert_false (gtk_widget_get_sensitive (add));
  save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (add_button)), "spec-view-tag-error.png");
  ui_input_key (GDK_KEY_Return, 0);
  iterate_a_while (200);
  g_assert_cmpuint (_lean_spec_view_get_pending_writes (fx->view), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (add_button))));

  /* A comma: leanspec would split it. */
  ui_input_type (",x");
  WAIT_FOR (ui_test_find_label (GTK_WIDGET (gtk_menu_button_get_popover (add_button)), "A tag cannot contain a comma") != NULL);
  g_assert_false (gtk_widget_get_sensitive (add));

  /* Fixed: the error goes, Add works with a click. */
  for (guint i = 0; i < 4; i++)
    ui_input_key (GDK_KEY_BackSpace, 0);
  ui_input_type ("fresh");
  WAIT_FOR (!gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "fresh");
  g_assert_true (gtk_widget_get_sensitive (add));
  ui_input_click (add);
  wait_writes (fx);
  after = read_file (fx->root, "specs/001-render-specs/README.md");
  g_assert_nonnull (strstr (after, "  - fresh\n"));

  /* An empty title is refused in the entry, which keeps the heading's size. */
  title_entry = _lean_spec_view_get_title_entry (fx->view);
  ui_input_click (ui_test_find_label (GTK_WIDGET (fx->view), "Render specs beautifully"));
  ui_input_key (GDK_KEY_F2, 0);
  WAIT_FOR (gtk_widget_get_mapped (title_entry) && holds_focus (title_entry));
  g_assert_true (gtk_widget_has_css_class (title_entry, "title-1"));
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-renaming.png");
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_key (GDK_KEY_BackSpace, 0);
  WAIT_FOR (gtk_widget_has_css_class (title_entry, "error"));
  g_assert_nonnull (ui_test_find_label (GTK_WIDGET (fx->view), "A spec needs a title"));
  ui_input_key (GDK_KEY_Return, 0);
  iterate_a_while (200);
  g_assert_true (holds_focus (title_entry));
  g_assert_cmpuint (_lean_spec_view_get_pending_writes (fx->view), ==, 0);
  ui_input_key (GDK_KEY_Escape, 0);
  WAIT_FOR (!gtk_widget_get_child_visible (title_entry) || !gtk_widget_get_mapped (title_entry));
  g_assert_cmpstr (lean_spec_get_title (lookup (fx, "001-render-specs")), ==, "Render specs beautifully");
}

static void
test_unknown_values (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->root, "specs/003-gamma", NULL);
  g_autoptr(LeanSpec) fresh = NULL;
  GtkWidget *status_label, *priority_label;
  const char *tooltip;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  test_util_write_file (fx->root, "specs/003-gamma/README.md",
                        "---\nstatus: blocked\npriority: urgent\n---\n\n# Gamma\n");
  fresh = lean_spec_new_from_dir (fx->root, dir, &error);
  g_assert_no_error (error);
  lean_spec_store_replace (fx->store, fresh);
  show (fx, "003-gamma");

  /* The file's words, each with what LeanSpec makes of it. */
  status_label = ui_test_find_label (GTK_WIDGET (fx->view), "blocked");
  g_assert_nonnull (status_label);
  g_assert_null (ui_test_find_label (GTK_WIDGET (fx->view), "No Status"));
  tooltip = gtk_widget_get_tooltip_text (gtk_widget_get_ancestor (status_label, GTK_TYPE_MENU_BUTTON));
  g_test_message ("status tooltip: %s", tooltip);
  g_assert_nonnull (strstr (tooltip, "not a LeanSpec status"));

  priority_label = ui_test_find_label (GTK_WIDGET (fx->view), "urgent Priority");
  g_assert_nonnull (priority_label);
  tooltip = gtk_widget_get_tooltip_text (gtk_widget_get_ancestor (priority_label, GTK_TYPE_MENU_BUTTON));
  g_test_message ("priority tooltip: %s", tooltip);
  g_assert_nonnull (strstr (tooltip, "not one of LeanSpec's priorities"));
  g_assert_nonnull (strstr (tooltip, "Critical"));
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-unknown-values.png");
}

static void
test_keyboard (Fixture       *fx,
               gconstpointer  data)
{
  GtkWidget *overlay = adw_window_get_content (ADW_WINDOW (fx->window));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *outside = gtk_entry_new ();
  GtkWidget *status, *priority, *focus, *title_entry;

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X display with XTest");
      return;
    }

  /* Something outside the view to hold the focus, as the list does. */
  g_object_ref (overlay);
  adw_window_set_content (ADW_WINDOW (fx->window), box);
  gtk_box_append (GTK_BOX (box), outside);
  gtk_box_append (GTK_BOX (box), overlay);
  g_object_unref (overlay);
  show (fx, "001-render-specs");
  iterate_a_while (200);

  /* Tab goes status, priority, then the tags' remove buttons. */
  status = gtk_widget_get_ancestor (ui_test_find_label (GTK_WIDGET (fx->view), "Planned"), GTK_TYPE_MENU_BUTTON);
  priority = gtk_widget_get_ancestor (ui_test_find_label (GTK_WIDGET (fx->view), "High Priority"), GTK_TYPE_MENU_BUTTON);
  g_assert_true (gtk_widget_child_focus (status, GTK_DIR_TAB_FORWARD));
  ui_input_key (GDK_KEY_Tab, 0);
  iterate_a_while (100);
  focus = gtk_root_get_focus (GTK_ROOT (fx->window));
  g_assert_true (focus == priority || gtk_widget_is_ancestor (focus, priority));
  ui_input_key (GDK_KEY_Tab, 0);
  iterate_a_while (100);
  focus = gtk_root_get_focus (GTK_ROOT (fx->window));
  g_assert_true (gtk_widget_is_ancestor (focus, find_tag_chip (fx, "ui")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (focus), ==, "Remove tag ui");

  /* F2 from outside the view renames. */
  ui_input_click (outside);
  WAIT_FOR (holds_focus (outside));
  title_entry = _lean_spec_view_get_title_entry (fx->view);
  ui_input_key (GDK_KEY_F2, 0);
  WAIT_FOR (gtk_widget_get_mapped (title_entry) && holds_focus (title_entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (title_entry)), ==, "Render specs beautifully");
  ui_input_key (GDK_KEY_Escape, 0);
  iterate_a_while (100);
}


static void
test_many_files (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *src = g_build_filename (test_util_source_root (), "..", "shared", "corpus", "lean-spec",
                                           "specs", "043-official-launch-02", NULL);
  g_autofree char *dest = g_build_filename (fx->root, "specs", "043-official-launch-02", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSpec) spec = NULL;
  const char * const *subs;
  GtkStack *files;
  GtkWidget *menu_button;
  int min = 0, nat = 0;

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X display with XTest");
      return;
    }
  if (!g_file_test (src, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the shared corpus is not beside the source tree");
      return;
    }

  test_util_copy_tree (src, dest);
  spec = lean_spec_new_from_dir (fx->root, dest, &error);
  g_assert_no_error (error);
  subs = lean_spec_get_sub_specs (spec);
  /* README and twelve more: the 13 files of the issue. */
  g_assert_cmpuint (g_strv_length ((char **) subs), ==, 12);
  lean_spec_store_replace (fx->store, spec);

  gtk_window_set_default_size (fx->window, 1200, 900);
  show (fx, "043-official-launch-02");
  files = GTK_STACK (_lean_spec_view_get_files_stack (fx->view));
  WAIT_FOR (gtk_stack_get_child_by_name (files, subs[11]) != NULL);
  iterate_a_while (400);

  /* The strip never widens the window. */
  gtk_widget_measure (GTK_WIDGET (fx->window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("window %d px wide, asks for %d..%d", gtk_widget_get_width (GTK_WIDGET (fx->window)), min, nat);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, 1200);
  g_assert_cmpint (min, <=, 1200);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-many-files-1200.png");

  /* A visible tab is a click away. */
  ui_input_click (ui_test_find_label (GTK_WIDGET (fx->view), "DEMO-AI-ASSISTED"));
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (files), "DEMO-AI-ASSISTED.md") == 0);

  /* Every file through the menu of them all. */
  menu_button = ui_test_find_tooltip (GTK_WIDGET (fx->view), "All Files of This Spec");
  g_assert_nonnull (menu_button);
  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autofree char *title = g_strndup (subs[i], strlen (subs[i]) - 3);

      click_menu_item (GTK_MENU_BUTTON (menu_button), title);
      WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (files), subs[i]) == 0);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, 1200);
    }
  click_menu_item (GTK_MENU_BUTTON (menu_button), "README");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (files), "README.md") == 0);

  gtk_window_set_default_size (fx->window, 600, 900);
  iterate_a_while (400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, 600);
  save_screenshot (GTK_WIDGET (fx->window), "spec-view-many-files-600.png");

  /* Many long tags elsewhere in the project: their suggestions stay
   * inside the window. */
  {
    g_autofree char *dir = g_build_filename (fx->root, "specs", "004-tags", NULL);
    g_autoptr(LeanSpec) tagged = NULL;
    GtkMenuButton *add_button = _lean_spec_view_get_tag_add_button (fx->view);
    GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (add_button));

    test_util_write_file (fx->root, "specs/004-tags/README.md",
                          "---\nstatus: planned\ntags: [internationalisation-and-localisation, "
                          "accessibility-for-screen-readers, continuous-integration-pipeline, "
                          "performance-regression-budget, documentation-website-overhaul, "
                          "developer-experience-improvements, security-hardening-review]\n---\n\n# Tags\n");
    tagged = lean_spec_new_from_dir (fx->root, dir, &error);
    g_assert_no_error (error);
    lean_spec_store_replace (fx->store, tagged);
    ui_input_click (GTK_WIDGET (add_button));
    WAIT_FOR (gtk_widget_get_mapped (popover) &&
              gtk_widget_get_visible (GTK_WIDGET (_lean_spec_view_get_tag_suggestions (fx->view))));
    iterate_a_while (300);
    g_test_message ("tag popover %d px wide in a %d px window", gtk_widget_get_width (popover),
                    gtk_widget_get_width (GTK_WIDGET (fx->window)));
    g_assert_cmpint (gtk_widget_get_width (popover), <=, gtk_widget_get_width (GTK_WIDGET (fx->window)));
    save_screenshot (popover, "spec-view-tag-suggestions-600.png");
    ui_input_key (GDK_KEY_Escape, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      adw_init ();
      /* GNOME's own window buttons, not the X11 fallback's three. */
      g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
      /* What AdwApplication would load for the app: the screenshots should
       * look like the real thing. */
      gtk_css_provider_load_from_resource (css, "/dev/leanspec/Desktop/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

  g_test_add_func ("/ui/spec-view/markdown-render", test_markdown_render);
#define ADD(path, fn) g_test_add ("/ui/spec-view/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("show-spec", test_show_spec);
  ADD ("toggle-task", test_toggle_task);
  ADD ("toggle-subspec-task", test_toggle_subspec_task);
  ADD ("subspec-cut", test_subspec_cut);
  ADD ("crlf-spec", test_crlf_spec);
  ADD ("keep-scroll", test_keep_scroll);
  ADD ("change-status", test_change_status);
  ADD ("rename", test_rename);
  ADD ("changed-on-disk", test_changed_on_disk);
  ADD ("mark-complete", test_mark_complete);
  ADD ("complete-from-status-menu", test_complete_from_status_menu);
  ADD ("complete-without-open-items", test_complete_without_open_items);
  ADD ("new-spec", test_new_spec);
  ADD ("edit-tags", test_edit_tags);
  ADD ("edit-assignee", test_edit_assignee);
  ADD ("undo-every-edit", test_undo_every_edit);
  ADD ("input-errors", test_input_errors);
  ADD ("unknown-values", test_unknown_values);
  ADD ("keyboard", test_keyboard);
  ADD ("many-files", test_many_files);
  ADD ("screenshots", test_screenshots);
#undef ADD

  return g_test_run ();
}
