/* SPDX-License-Identifier: MIT */
/* The main window, for real, under Xvfb: it opens a temp copy of the demo
 * project and is driven the way a person would drive it. Expected values
 * come from reading the copied files here, not from the core. */
#include "config.h"

#include <glib/gstdio.h>

#include "lean-application.h"
#include "lean-new-spec-dialog.h"
#include "lean-spec-list-private.h"
#include "lean-spec-row.h"
#include "lean-spec-view-private.h"
#include "lean-window-private.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

/* What the test itself reads from a README.md (an oracle independent of
 * the core's parser: plain line matching is enough for the demo files). */
typedef struct
{
  char *id;
  char *status;
  char *priority;
  char *updated;
  char *title;
  char *searchable;  /* casefolded id, title and body */
} DemoSpec;

static void
demo_spec_free (gpointer data)
{
  DemoSpec *spec = data;

  g_free (spec->id);
  g_free (spec->status);
  g_free (spec->priority);
  g_free (spec->updated);
  g_free (spec->title);
  g_free (spec->searchable);
  g_free (spec);
}

static void
scan_specs (const char *dir,
            GPtrArray  *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *readme = g_build_filename (path, "README.md", NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GString) body = NULL;
      DemoSpec *spec;
      int fences = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (readme, &contents, NULL, NULL))
        {
          scan_specs (path, out);
          continue;
        }

      spec = g_new0 (DemoSpec, 1);
      spec->id = g_strdup (name);
      body = g_string_new (name);
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (fences < 2 && g_str_equal (lines[i], "---"))
            {
              fences++;
              continue;
            }
          if (fences == 1 && g_str_has_prefix (lines[i], "status: "))
            spec->status = g_strdup (lines[i] + strlen ("status: "));
          else if (fences == 1 && g_str_has_prefix (lines[i], "priority: "))
            spec->priority = g_strdup (lines[i] + strlen ("priority: "));
          else if (fences == 1 && g_str_has_prefix (lines[i], "updated_at: "))
            {
              g_free (spec->updated);
              spec->updated = g_strdup (lines[i] + strlen ("updated_at: "));
            }
          /* Without updated_at the list sorts by the creation date. */
          else if (fences == 1 && g_str_has_prefix (lines[i], "created: ") &&
                   spec->updated == NULL)
            spec->updated = g_strdup (lines[i] + strlen ("created: "));
          else if (fences == 2)
            {
              if (spec->title == NULL && g_str_has_prefix (lines[i], "# "))
                spec->title = g_strdup (lines[i] + 2);
              g_string_append_printf (body, "\n%s", lines[i]);
            }
        }
      spec->searchable = g_utf8_casefold (body->str, -1);
      /* YAML quoting is not part of the value. */
      if (spec->updated != NULL)
        g_strstrip (g_strdelimit (spec->updated, "'\"", ' '));
      g_assert_nonnull (spec->status);
      g_assert_nonnull (spec->title);
      g_ptr_array_add (out, spec);
    }
}

typedef struct
{
  char            *project;
  GPtrArray       *demo;      /* DemoSpec */
  LeanWindow      *window;
  LeanSpecList    *list;
} Fixture;

/* One application per process: GApplication exports itself on the session
 * bus once. Each test gets its own window. */
static LeanApplication *app;

static gboolean
store_loaded (gpointer data)
{
  Fixture *f = data;
  LeanSpecStore *store = lean_window_get_store (f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *specs = NULL;

  f->project = ui_test_copy_tree (demo);
  specs = g_build_filename (f->project, "specs", NULL);
  f->demo = g_ptr_array_new_with_free_func (demo_spec_free);
  scan_specs (specs, f->demo);
  g_assert_cmpuint (f->demo->len, >=, 5);

  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  f->list = _lean_window_get_spec_list (f->window);

  if (data == NULL)
    {
      lean_window_open_project (f->window, f->project);
      g_assert_true (test_util_wait_until (store_loaded, f, 10000));
      ui_test_settle (100);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_remove_tree (f->project);
  g_free (f->project);
  g_ptr_array_unref (f->demo);
}

static int
compare_id_ptrs (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The ids the list shows, sorted, as one space-separated string. */
static char *
shown_ids (Fixture *f)
{
  GListModel *model = lean_spec_list_get_model (f->list);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      g_ptr_array_add (ids, (gpointer) lean_spec_get_id (spec));
    }
  g_ptr_array_sort (ids, compare_id_ptrs);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (" ", (char **) ids->pdata);
}

/* The ids of the demo specs @keep accepts, sorted, space-separated. */
static char *
expected_ids (Fixture   *f,
              gboolean (*keep) (DemoSpec *spec, gpointer data),
              gpointer   data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < f->demo->len; i++)
    {
      DemoSpec *spec = g_ptr_array_index (f->demo, i);

      if (keep == NULL || keep (spec, data))
        g_ptr_array_add (ids, spec->id);
    }
  g_ptr_array_sort (ids, compare_id_ptrs);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (" ", (char **) ids->pdata);
}

static DemoSpec *
find_demo (Fixture    *f,
           const char *status)
{
  for (guint i = 0; i < f->demo->len; i++)
    {
      DemoSpec *spec = g_ptr_array_index (f->demo, i);

      if (g_str_equal (spec->status, status))
        return spec;
    }
  g_assert_not_reached ();
}

/* A mapped, drawn row showing the spec with @title. */
static gboolean
row_shown (GtkWidget  *root,
           const char *title)
{
  if (!gtk_widget_get_mapped (root))
    return FALSE;
  if (LEAN_IS_SPEC_ROW (root) && lean_spec_row_get_spec (LEAN_SPEC_ROW (root)) != NULL &&
      g_strcmp0 (lean_spec_get_title (lean_spec_row_get_spec (LEAN_SPEC_ROW (root))), title) == 0)
    return gtk_widget_get_height (root) > 0;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (row_shown (child, title))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */

static void
test_lists_every_spec (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *shown = shown_ids (f);
  g_autofree char *expected = expected_ids (f, NULL, NULL);
  g_autofree char *shot = NULL;
  guint planned = 0;

  g_assert_cmpstr (_lean_window_get_page (f->window), ==, "project");
  g_assert_cmpstr (shown, ==, expected);

  for (guint i = 0; i < f->demo->len; i++)
    if (g_str_equal (((DemoSpec *) g_ptr_array_index (f->demo, i))->status, "planned"))
      planned++;
  g_assert_cmpuint (lean_spec_list_get_status_count (f->list, LEAN_SPEC_STATUS_PLANNED),
                    ==, planned);

  /* Rows are real widgets on screen, one per spec. */
  ui_test_settle (200);
  for (guint i = 0; i < f->demo->len; i++)
    {
      DemoSpec *spec = g_ptr_array_index (f->demo, i);

      g_assert_true (row_shown (GTK_WIDGET (f->list), spec->title));
    }
  g_assert_null (_lean_window_get_problems_text (f->window));

  shot = ui_test_screenshot (GTK_WIDGET (f->window), "01-project-open");
}

static gboolean
view_shows_title (gpointer data)
{
  Fixture *f = data;
  GtkWidget *view = _lean_window_get_spec_view (f->window);
  DemoSpec *spec = g_object_get_data (G_OBJECT (f->window), "wanted");

  return view != NULL && ui_test_find_text (view, spec->title);
}

static void
test_select_shows_spec (Fixture       *f,
                        gconstpointer  data)
{
  DemoSpec *spec = find_demo (f, "in-progress");
  g_autofree char *shot = NULL;
  LeanSpec *selected;
  GtkWidget *view;
  LeanMarkdownView *body;
  g_autofree char *text = NULL;
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  g_assert_true (lean_window_select_spec (f->window, spec->id));
  selected = lean_spec_list_get_selected_spec (f->list);
  g_assert_nonnull (selected);
  g_assert_cmpstr (lean_spec_get_id (selected), ==, spec->id);

  g_object_set_data (G_OBJECT (f->window), "wanted", spec);
  g_assert_true (test_util_wait_until (view_shows_title, f, 5000));

  /* The body is rendered: its first paragraph is in the text view. */
  view = _lean_window_get_spec_view (f->window);
  body = _lean_spec_view_get_readme_view (LEAN_SPEC_VIEW (view));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (body));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_nonnull (strstr (text, "Overview"));

  /* Keyboard: Down moves the selection to the next row. */
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "02-spec-selected");

  /* Unknown ids are refused, the selection stays. */
  g_assert_false (lean_window_select_spec (f->window, "999-nope"));
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==, spec->id);
}

static gboolean
has_status (DemoSpec *spec,
            gpointer  data)
{
  const char * const *statuses = data;

  return g_strv_contains (statuses, spec->status);
}

static void
test_filter_by_status (Fixture       *f,
                       gconstpointer  data)
{
  const char *in_progress[] = { "in-progress", NULL };
  const char *two[] = { "in-progress", "complete", NULL };
  g_autofree char *all = expected_ids (f, NULL, NULL);
  g_autofree char *shot = NULL;
  char *shown, *expected;

  lean_spec_list_toggle_status (f->list, LEAN_SPEC_STATUS_IN_PROGRESS);
  shown = shown_ids (f);
  expected = expected_ids (f, has_status, in_progress);
  g_assert_cmpstr (shown, ==, expected);
  g_assert_cmpstr (shown, !=, all);
  g_free (shown);
  g_free (expected);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "03-filter-in-progress");

  /* Alt+4 (through the window action) adds "complete". */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.filter-status", "i",
                              (int) LEAN_SPEC_STATUS_COMPLETE);
  shown = shown_ids (f);
  expected = expected_ids (f, has_status, two);
  g_assert_cmpstr (shown, ==, expected);
  g_free (shown);
  g_free (expected);

  lean_spec_list_clear_filters (f->list);
  shown = shown_ids (f);
  g_assert_cmpstr (shown, ==, all);
  g_free (shown);
}

static gboolean
matches_words (DemoSpec *spec,
               gpointer  data)
{
  const char * const *words = data;

  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (spec->searchable, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static guint
count_matches (Fixture            *f,
               const char * const *words)
{
  guint n = 0;

  for (guint i = 0; i < f->demo->len; i++)
    if (matches_words (g_ptr_array_index (f->demo, i), (gpointer) words))
      n++;
  return n;
}

/* Words of the demo's text (letters only, 5+ long), casefolded. */
static GPtrArray *
candidate_words (Fixture *f)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < f->demo->len; i++)
    {
      DemoSpec *spec = g_ptr_array_index (f->demo, i);
      g_auto(GStrv) tokens = g_regex_split_simple ("[^a-z]+", spec->searchable, 0, 0);

      for (guint j = 0; tokens[j] != NULL; j++)
        if (strlen (tokens[j]) >= 5 && !g_hash_table_contains (seen, tokens[j]))
          {
            char *word = g_strdup (tokens[j]);

            g_hash_table_add (seen, word);
            g_ptr_array_add (words, word);
          }
    }
  return words;
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) words = candidate_words (f);
  g_autofree char *all = expected_ids (f, NULL, NULL);
  g_autofree char *shot = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *pair_text = NULL;
  const char *one[2] = { NULL, NULL };
  const char *two[3] = { NULL, NULL, NULL };
  char *shown, *expected;

  /* The words come from the demo files, so the test holds whatever the
   * demo says: one word found in exactly one spec ... */
  for (guint i = 0; i < words->len && one[0] == NULL; i++)
    {
      const char *w[] = { g_ptr_array_index (words, i), NULL };

      if (count_matches (f, w) == 1)
        one[0] = w[0];
    }
  g_assert_nonnull (one[0]);

  /* ... and two words that each match several specs but together fewer. */
  for (guint i = 0; i < words->len && two[0] == NULL; i++)
    for (guint j = i + 1; j < words->len && two[0] == NULL; j++)
      {
        const char *a[] = { g_ptr_array_index (words, i), NULL };
        const char *b[] = { g_ptr_array_index (words, j), NULL };
        const char *ab[] = { a[0], b[0], NULL };
        guint n_ab = count_matches (f, ab);

        if (n_ab > 0 && n_ab < count_matches (f, a) && n_ab < count_matches (f, b))
          {
            two[0] = a[0];
            two[1] = b[0];
          }
      }
  g_assert_nonnull (two[0]);

  /* Case does not matter. */
  upper = g_ascii_strup (one[0], -1);
  lean_spec_list_set_search_text (f->list, upper);
  shown = shown_ids (f);
  expected = expected_ids (f, matches_words, one);
  g_test_message ("search '%s' -> %s", upper, shown);
  g_assert_cmpstr (shown, ==, expected);
  g_assert_cmpstr (shown, !=, all);
  g_free (shown);
  g_free (expected);

  /* Several words narrow the list: all must match. */
  pair_text = g_strdup_printf ("  %s   %s ", two[0], two[1]);
  lean_spec_list_set_search_text (f->list, pair_text);
  shown = shown_ids (f);
  expected = expected_ids (f, matches_words, two);
  g_test_message ("search '%s' -> %s", pair_text, shown);
  g_assert_cmpstr (shown, ==, expected);
  g_free (shown);
  g_free (expected);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "04-search");

  /* Typing goes through the debounced entry signal too. */
  lean_spec_list_set_search_text (f->list, "");
  lean_spec_list_focus_search (f->list);
  gtk_editable_set_text (GTK_EDITABLE (gtk_window_get_focus (GTK_WINDOW (f->window))),
                         "zzzz-no-such-spec");
  ui_test_settle (400);
  shown = shown_ids (f);
  g_assert_cmpstr (shown, ==, "");
  g_free (shown);
  g_free (shot);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "05-no-match");

  lean_spec_list_clear_filters (f->list);
  shown = shown_ids (f);
  g_assert_cmpstr (shown, ==, all);
  g_free (shown);
}

typedef struct
{
  Fixture    *f;
  const char *title;
} TitleWait;

static gboolean
list_has_title (gpointer data)
{
  TitleWait *w = data;
  GListModel *model = lean_spec_list_get_model (w->f->list);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      if (g_strcmp0 (lean_spec_get_title (spec), w->title) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
replace_once (const char *haystack,
              const char *needle,
              const char *replacement)
{
  const char *at = strstr (haystack, needle);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - haystack), haystack, replacement,
                          at + strlen (needle));
}

static void
test_external_edit (Fixture       *f,
                    gconstpointer  data)
{
  DemoSpec *selected = find_demo (f, "in-progress");
  DemoSpec *edited = find_demo (f, "draft");
  g_autofree char *readme = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *new_title = NULL;
  g_autofree char *shot = NULL;
  TitleWait wait = { f, NULL };

  g_assert_true (lean_window_select_spec (f->window, selected->id));

  /* Another program rewrites a spec: the row follows without a restart. */
  readme = g_build_filename (f->project, "specs", edited->id, "README.md", NULL);
  g_assert_true (g_file_get_contents (readme, &contents, NULL, NULL));
  new_title = g_strdup_printf ("%s, Edited Outside", edited->title);
  changed = replace_once (contents, edited->title, new_title);
  ui_test_write_file (readme, changed);

  wait.title = new_title;
  g_assert_true (test_util_wait_until (list_has_title, &wait, 5000));

  /* The selection survived the reload. */
  g_assert_nonnull (lean_spec_list_get_selected_spec (f->list));
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==,
                   selected->id);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "06-external-edit");

  /* Editing the selected spec itself gives it a new snapshot; it stays
   * selected. */
  g_clear_pointer (&readme, g_free);
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&changed, g_free);
  g_clear_pointer (&new_title, g_free);
  readme = g_build_filename (f->project, "specs", selected->id, "README.md", NULL);
  g_assert_true (g_file_get_contents (readme, &contents, NULL, NULL));
  new_title = g_strdup_printf ("%s v2", selected->title);
  changed = replace_once (contents, selected->title, new_title);
  ui_test_write_file (readme, changed);
  wait.title = new_title;
  g_assert_true (test_util_wait_until (list_has_title, &wait, 5000));
  ui_test_settle (100);
  g_assert_nonnull (lean_spec_list_get_selected_spec (f->list));
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==,
                   selected->id);
  g_assert_cmpstr (lean_spec_get_title (lean_spec_list_get_selected_spec (f->list)), ==,
                   new_title);
}

static gboolean
banner_shown (gpointer data)
{
  Fixture *f = data;

  return _lean_window_get_problems_text (f->window) != NULL;
}

static gboolean
banner_visible (gpointer data)
{
  Fixture *f = data;

  return ui_test_find_text (GTK_WIDGET (f->window), "1 spec could not be read");
}

static gboolean
two_problems (gpointer data)
{
  Fixture *f = data;

  return ui_test_find_text (GTK_WIDGET (f->window), "2 specs could not be read");
}

static void
collect_problem_labels (GtkWidget *root,
                        GPtrArray *out)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      (gtk_widget_has_css_class (root, "problem-path") || gtk_widget_has_css_class (root, "problem-reason")))
    g_ptr_array_add (out, root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    collect_problem_labels (c, out);
}

static void
test_broken_spec_banner (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->project, "specs", "099-broken-front-matter", NULL);
  g_autofree char *readme = g_build_filename (dir, "README.md", NULL);
  g_autofree char *details = NULL;
  g_autofree char *shot = NULL;

  g_assert_null (_lean_window_get_problems_text (f->window));

  /* Front matter that never closes: the spec cannot be read. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  ui_test_write_file (readme, "---\nstatus: planned\npriority: [high\n# Broken\n");

  g_assert_true (test_util_wait_until (banner_shown, f, 5000));
  g_assert_cmpstr (_lean_window_get_problems_text (f->window), ==,
                   "1 spec could not be read");
  details = _lean_window_dup_problems_details (f->window);
  g_assert_nonnull (strstr (details, "specs/099-broken-front-matter/README.md"));

  /* The others are still all there. */
  g_assert_cmpuint (g_list_model_get_n_items (lean_spec_list_get_model (f->list)), ==,
                    f->demo->len);

  /* The banner is on screen (after its slide-in), then open its details. */
  g_assert_true (test_util_wait_until (banner_visible, f, 2000));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-problems", NULL);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "07-broken-spec-banner");

  /* A second one, with a long path: both entries can be read whole. */
  {
    g_autofree char *dir2 = g_build_filename (f->project, "specs",
                                              "100-another-broken-spec-with-a-rather-long-folder-name", NULL);
    g_autofree char *readme2 = g_build_filename (dir2, "README.md", NULL);
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    g_autofree char *shot2 = NULL;
    GtkWidget *scroller = NULL;

    g_assert_cmpint (g_mkdir_with_parents (dir2, 0755), ==, 0);
    ui_test_write_file (readme2, "---\nstatus: [planned\n---\n# Also broken\n");
    g_assert_true (test_util_wait_until (two_problems, f, 5000));
    ui_test_settle (400);
    collect_problem_labels (GTK_WIDGET (f->window), labels);
    g_assert_cmpuint (labels->len, ==, 4);
    for (guint i = 0; i < labels->len; i++)
      {
        GtkWidget *label = g_ptr_array_index (labels, i);
        int min = 0;

        gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (label), &min, NULL, NULL, NULL);
        g_test_message ("%s: %d px high, needs %d", gtk_label_get_text (GTK_LABEL (label)),
                        gtk_widget_get_height (label), min);
        g_assert_cmpint (gtk_widget_get_height (label), >=, min);
        scroller = gtk_widget_get_ancestor (label, GTK_TYPE_SCROLLED_WINDOW);
      }
    /* Whatever does not fit scrolls into view. */
    {
      GtkWidget *last = g_ptr_array_index (labels, labels->len - 1);
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      graphene_point_t p;

      g_assert_true (gtk_widget_compute_point (last, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                               &GRAPHENE_POINT_INIT (0, gtk_widget_get_height (last)), &p));
      g_test_message ("content to %.0f, scrolls to %.0f", p.y, gtk_adjustment_get_upper (adj));
      g_assert_cmpfloat (p.y, <=, gtk_adjustment_get_upper (adj) + 0.5);
      /* And the details are tall enough to read, up to their cap. */
      g_test_message ("details show %.0f of %.0f px", gtk_adjustment_get_page_size (adj),
                      gtk_adjustment_get_upper (adj));
      g_assert_cmpfloat (gtk_adjustment_get_page_size (adj), >=,
                         MIN (gtk_adjustment_get_upper (adj),
                              gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller))) - 0.5);
    }
    shot2 = ui_test_screenshot (GTK_WIDGET (f->window), "07-broken-spec-banner-two");
  }
}

static void
test_welcome_and_dark (Fixture       *f,
                       gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *shot = NULL;
  g_autofree char *shot2 = NULL;
  g_autofree char *shot3 = NULL;

  /* No project yet: the welcome page. */
  g_assert_cmpstr (_lean_window_get_page (f->window), ==, "welcome");
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "00-welcome");

  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));
  g_assert_true (lean_window_select_spec (f->window, find_demo (f, "in-progress")->id));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  shot2 = ui_test_screenshot (GTK_WIDGET (f->window), "08-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* A narrow window folds the leaflet and shows one pane. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 400, 760);
  ui_test_settle (300);
  shot3 = ui_test_screenshot (GTK_WIDGET (f->window), "09-narrow");
}

static void
test_not_a_project (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = g_dir_make_tmp ("leanspec-ui-empty-XXXXXX", &error);

  g_assert_no_error (error);
  lean_window_open_project (f->window, empty);
  ui_test_settle (500);
  /* Nothing opened, nothing lost: still the welcome page, no store. */
  g_assert_cmpstr (_lean_window_get_page (f->window), ==, "welcome");
  g_assert_null (lean_window_get_store (f->window));
  g_rmdir (empty);
}


static int
priority_rank (const char *priority)
{
  const char *order[] = { "low", "medium", "high", "critical", NULL };

  for (int i = 0; order[i] != NULL; i++)
    if (g_strcmp0 (priority, order[i]) == 0)
      return i + 1;
  return 0;
}

static DemoSpec *
demo_by_id (Fixture    *f,
            const char *id)
{
  for (guint i = 0; i < f->demo->len; i++)
    {
      DemoSpec *spec = g_ptr_array_index (f->demo, i);

      if (g_str_equal (spec->id, id))
        return spec;
    }
  g_assert_not_reached ();
}

/* The mapped label under @root that shows exactly @text. */
static GtkWidget *
find_mapped_label (GtkWidget  *root,
                   const char *text)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Opens the list's sort and filter menu with a click and clicks @item. */
static void
click_sort_menu (Fixture    *f,
                 const char *item)
{
  GtkWidget *button = ui_test_find_widget (GTK_WIDGET (f->list), GTK_TYPE_MENU_BUTTON);
  GtkPopover *popover;
  GtkWidget *label;

  g_assert_nonnull (button);
  ui_input_click (button);
  ui_test_settle (200);
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  label = find_mapped_label (GTK_WIDGET (popover), item);
  g_assert_nonnull (label);
  ui_input_click (label);
  ui_test_settle (200);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (popover)));
}

/* The list's order is the one the menu says, checked against the files. */
static void
assert_sorted (Fixture    *f,
               const char *by,
               gboolean    descending)
{
  GListModel *model = lean_spec_list_get_model (f->list);
  guint n = g_list_model_get_n_items (model);

  g_assert_cmpuint (n, ==, f->demo->len);
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(LeanSpec) a = g_list_model_get_item (model, i - 1);
      g_autoptr(LeanSpec) b = g_list_model_get_item (model, i);
      DemoSpec *da = demo_by_id (f, lean_spec_get_id (a));
      DemoSpec *db = demo_by_id (f, lean_spec_get_id (b));
      int cmp;

      if (g_str_equal (by, "priority"))
        cmp = priority_rank (da->priority) < priority_rank (db->priority) ? -1 :
              priority_rank (da->priority) > priority_rank (db->priority) ? 1 : 0;
      else if (g_str_equal (by, "updated"))
        cmp = g_strcmp0 (da->updated, db->updated);
      else
        cmp = 0;
      if (cmp == 0)
        {
          /* Equal ones (and the number order itself) by number. */
          g_assert_cmpint (g_str_equal (by, "number") && descending ? -1 : 1, ==,
                           lean_spec_get_number (a) < lean_spec_get_number (b) ? 1 : -1);
          continue;
        }
      g_assert_cmpint (descending ? -cmp : cmp, <, 0);
    }
}

static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  /* The sort menu, clicked: each key both ways. A newly picked key starts
   * the way people read it: most urgent, latest, lowest number first. */
  click_sort_menu (f, "Priority");
  assert_sorted (f, "priority", TRUE);
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "15-sort-priority-descending"));
  click_sort_menu (f, "Ascending");
  assert_sorted (f, "priority", FALSE);

  click_sort_menu (f, "Last Updated");
  assert_sorted (f, "updated", TRUE);
  click_sort_menu (f, "Ascending");
  assert_sorted (f, "updated", FALSE);

  click_sort_menu (f, "Number");
  assert_sorted (f, "number", FALSE);
  click_sort_menu (f, "Descending");
  assert_sorted (f, "number", TRUE);

  /* Both are settings: the next window sorts the same way. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *order = g_settings_get_string (settings, "sort-order");
    g_autofree char *direction = g_settings_get_string (settings, "sort-direction");

    g_assert_cmpstr (order, ==, "number");
    g_assert_cmpstr (direction, ==, "descending");
    g_settings_reset (settings, "sort-order");
    g_settings_reset (settings, "sort-direction");
  }
}

/* Its offset from the top of the list's view, in pixels. */
static double
row_offset (Fixture   *f,
            GtkWidget *row)
{
  graphene_point_t p;

  g_assert_true (gtk_widget_compute_point (row, GTK_WIDGET (f->list),
                                           &GRAPHENE_POINT_INIT (0, 0), &p));
  return p.y;
}

typedef struct
{
  Fixture *f;
  guint    n;
} CountWait;

static gboolean
store_has (gpointer data)
{
  CountWait *w = data;
  LeanSpecStore *store = lean_window_get_store (w->f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) == w->n;
}

/* Specs written into the open project show up (the store watches it). */
static void
wait_for_specs (Fixture *f,
                guint    n)
{
  CountWait w = { f, n };

  g_assert_true (test_util_wait_until (store_has, &w, 15000));
  ui_test_settle (300);
}

/* Changing the sort keeps the selected spec selected, shown, and where it
 * was on screen. */
static void
test_sort_keeps_selection (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *specs = g_build_filename (f->project, "specs", NULL);
  g_autofree char *selected_id = NULL;
  GtkWidget *spec_view;
  GtkWidget *row;
  double before;

  /* Enough specs that the list scrolls. */
  for (guint i = 100; i < 160; i++)
    {
      g_autofree char *name = g_strdup_printf ("%03u-generated-spec", i);
      g_autofree char *file = g_build_filename (specs, name, "README.md", NULL);
      g_autofree char *text = g_strdup_printf ("---\nstatus: planned\npriority: %s\n---\n\n"
                                               "# Generated spec %u\n\nBody.\n",
                                               i % 3 == 0 ? "high" : "low", i);

      g_autofree char *dir = g_path_get_dirname (file);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      ui_test_write_file (file, text);
    }
  wait_for_specs (f, f->demo->len + 60);

  /* A person scrolls down to a row and clicks it, in the middle of the
   * list's view. */
  {
    GtkAdjustment *adjustment = _lean_spec_list_get_vadjustment (f->list);
    double row_h = gtk_adjustment_get_upper (adjustment) /
                   g_list_model_get_n_items (lean_spec_list_get_model (f->list));

    /* 130 comes after the 8 demo specs and 100..129. */
    gtk_adjustment_set_value (adjustment, (8 + 30) * row_h - gtk_adjustment_get_page_size (adjustment) / 2);
  }
  ui_test_settle (300);
  row = ui_test_find_spec_row (GTK_WIDGET (f->list), "130-generated-spec");
  g_assert_nonnull (row);
  ui_input_click (row);
  ui_test_settle (300);
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==,
                   "130-generated-spec");
  before = row_offset (f, row);

  spec_view = _lean_window_get_spec_view (f->window);
  g_assert_nonnull (spec_view);
  click_sort_menu (f, "Priority");
  ui_test_settle (300);
  g_assert_nonnull (lean_spec_list_get_selected_spec (f->list));
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==,
                   "130-generated-spec");
  g_assert_cmpstr (lean_spec_get_id (lean_spec_view_get_spec (LEAN_SPEC_VIEW (spec_view))), ==,
                   "130-generated-spec");
  row = ui_test_find_spec_row (GTK_WIDGET (f->list), "130-generated-spec");
  g_assert_nonnull (row);
  g_assert_cmpfloat_with_epsilon (row_offset (f, row), before, 2.0);

  click_sort_menu (f, "Descending");
  ui_test_settle (300);
  selected_id = g_strdup (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)));
  g_assert_cmpstr (selected_id, ==, "130-generated-spec");
  row = ui_test_find_spec_row (GTK_WIDGET (f->list), "130-generated-spec");
  g_assert_nonnull (row);
  g_assert_cmpfloat_with_epsilon (row_offset (f, row), before, 2.0);
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "16-sort-keeps-selection"));

  click_sort_menu (f, "Number");
  click_sort_menu (f, "Ascending");
}

/* The ids the list shows, in the list's order, space-separated. */
static char *
ordered_ids (Fixture *f)
{
  GListModel *model = lean_spec_list_get_model (f->list);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", lean_spec_get_id (spec));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
write_spec (Fixture    *f,
            const char *id,
            const char *front,
            const char *title,
            const char *body)
{
  g_autofree char *dir = g_build_filename (f->project, "specs", id, NULL);
  g_autofree char *file = g_build_filename (dir, "README.md", NULL);
  g_autofree char *text = g_strdup_printf ("---\nstatus: planned\n%s---\n\n# %s\n\n%s\n",
                                           front, title, body);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  ui_test_write_file (file, text);
}

static void
type_search (Fixture    *f,
             const char *text)
{
  GtkWidget *entry = ui_test_find_widget (GTK_WIDGET (f->list), GTK_TYPE_SEARCH_ENTRY);

  ui_input_click (entry);
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_key (GDK_KEY_BackSpace, 0);
  ui_input_type (text);
  /* The search entry waits a moment before it searches. */
  ui_test_settle (600);
}

/* A search lists the spec whose number it is first, then title matches,
 * then tag matches, then the rest; and says how many it shows. */
static void
test_search_ranking (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *ids = NULL;
  g_autofree char *count = NULL;

  write_spec (f, "190-body-match", "", "Other thing", "Mentions 193 and a needle.");
  write_spec (f, "192-tag-match", "tags:\n  - needle\n", "Another thing", "Nothing.");
  write_spec (f, "193-exact", "", "Exact number", "Plain.");
  write_spec (f, "194-title-match", "", "Needle in the title", "Plain.");
  wait_for_specs (f, f->demo->len + 4);
  count = g_strdup_printf ("%u specs", f->demo->len + 4);
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->list), count));

  type_search (f, "193");
  ids = ordered_ids (f);
  g_assert_true (g_str_has_prefix (ids, "193-exact 190-body-match"));
  g_clear_pointer (&count, g_free);
  count = g_strdup_printf ("2 of %u specs", f->demo->len + 4);
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->list), count));

  type_search (f, "needle");
  g_clear_pointer (&ids, g_free);
  ids = ordered_ids (f);
  g_assert_cmpstr (ids, ==, "194-title-match 192-tag-match 190-body-match");
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "17-search-ranked"));

  /* Without a search, the menu's order again. */
  type_search (f, "");
  g_clear_pointer (&ids, g_free);
  ids = ordered_ids (f);
  g_assert_true (g_str_has_prefix (ids, "001-"));
  g_assert_true (g_str_has_suffix (ids, "190-body-match 192-tag-match 193-exact 194-title-match"));
}

/* Tags are drawn whole, the rest as "+N", and the tooltip has them all
 * with the full title. */
static void
test_row_tags_and_tooltip (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *row;
  g_autofree char *tooltip = NULL;
  guint shown;

  write_spec (f, "150-many-tags",
              "tags:\n  - github-integration\n  - authentication\n  - performance\n"
              "  - documentation\n  - accessibility\n  - internationalization\n",
              "A spec whose title is far too long to fit into the list pane at any width",
              "Body.");
  wait_for_specs (f, f->demo->len + 1);
  g_assert_true (lean_window_select_spec (f->window, "150-many-tags"));
  ui_test_settle (500);

  row = ui_test_find_spec_row (GTK_WIDGET (f->list), "150-many-tags");
  g_assert_nonnull (row);
  shown = lean_spec_row_get_n_tags_shown (LEAN_SPEC_ROW (row));
  g_assert_cmpuint (shown, <, 6);
  tooltip = lean_spec_row_dup_tooltip (LEAN_SPEC_ROW (row));
  g_assert_true (g_str_has_prefix (tooltip,
                                   "A spec whose title is far too long to fit into the list pane at any width\n"));
  g_assert_nonnull (strstr (tooltip, "#internationalization"));
  g_assert_true (gtk_widget_get_has_tooltip (row));
  g_free (ui_test_screenshot (GTK_WIDGET (f->list), "18-row-tags"));
}

static gboolean
no_drafts (gpointer data)
{
  Fixture *f = data;

  return lean_spec_list_get_status_count (f->list, LEAN_SPEC_STATUS_DRAFT) == 0;
}

/* A status filter whose count drops to zero stays in its place, dimmed,
 * and the ones after it do not move. */
static void
test_zero_status_stays (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *draft = find_mapped_label (GTK_WIDGET (f->list), "Draft");
  GtkWidget *planned = find_mapped_label (GTK_WIDGET (f->list), "Planned");
  graphene_point_t before, after;

  /* The demo's one draft becomes planned. */
  g_assert_cmpuint (lean_spec_list_get_status_count (f->list, LEAN_SPEC_STATUS_DRAFT), ==, 1);
  ui_test_settle (200);
  g_assert_nonnull (draft);
  g_assert_nonnull (planned);
  draft = gtk_widget_get_ancestor (draft, GTK_TYPE_TOGGLE_BUTTON);
  planned = gtk_widget_get_ancestor (planned, GTK_TYPE_TOGGLE_BUTTON);
  g_assert_true (gtk_widget_get_sensitive (draft));
  g_assert_true (gtk_widget_compute_point (planned, GTK_WIDGET (f->list),
                                           &GRAPHENE_POINT_INIT (0, 0), &before));
  {
    g_autofree char *readme = g_build_filename (f->project, "specs", "007-offline-sync",
                                                "README.md", NULL);

    ui_test_write_file (readme, "---\nstatus: planned\ncreated: '2026-10-10'\n---\n\n"
                                "# Offline Check-ins\n\nPlanned now.\n");
  }
  g_assert_true (test_util_wait_until (no_drafts, f, 15000));
  ui_test_settle (300);

  g_assert_true (gtk_widget_compute_point (planned, GTK_WIDGET (f->list),
                                           &GRAPHENE_POINT_INIT (0, 0), &after));
  g_test_message ("planned before %f,%f after %f,%f", before.x, before.y, after.x, after.y);
  g_assert_true (gtk_widget_get_mapped (draft));
  g_assert_false (gtk_widget_get_sensitive (draft));
  g_assert_cmpfloat (before.x, ==, after.x);
  g_assert_cmpfloat (before.y, ==, after.y);
  g_free (ui_test_screenshot (GTK_WIDGET (f->list), "19-zero-status"));
}

static void
test_filter_priority_and_tag (Fixture       *f,
                              gconstpointer  data)
{
  GListModel *model = lean_spec_list_get_model (f->list);
  g_autofree char *tag = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *shot = NULL;
  guint expected = 0;

  for (guint i = 0; i < f->demo->len; i++)
    if (g_strcmp0 (((DemoSpec *) g_ptr_array_index (f->demo, i))->priority, "high") == 0)
      expected++;
  g_assert_cmpuint (expected, >, 0);

  gtk_widget_activate_action (GTK_WIDGET (f->list), "specs.priority-filter", "s", "high");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, expected);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      g_assert_cmpint (lean_spec_get_priority (spec), ==, LEAN_SPEC_PRIORITY_HIGH);
    }

  /* Priority and tag combine: a tag of the first high-priority spec. */
  {
    g_autoptr(LeanSpec) first = g_list_model_get_item (model, 0);

    g_assert_nonnull (lean_spec_get_tags (first)[0]);
    tag = g_strdup (lean_spec_get_tags (first)[0]);
  }
  gtk_widget_activate_action (GTK_WIDGET (f->list), "specs.tag-filter", "s", tag);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      g_assert_true (g_strv_contains (lean_spec_get_tags (spec), tag));
      g_assert_cmpint (lean_spec_get_priority (spec), ==, LEAN_SPEC_PRIORITY_HIGH);
    }

  /* The list says which menu filters are on. */
  summary = g_strdup_printf ("Only High priority · #%s", tag);
  ui_test_settle (100);
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->list), summary));
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "13-filter-priority-tag");

  gtk_widget_activate_action (GTK_WIDGET (f->list), "specs.clear-filters", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, f->demo->len);
  ui_test_settle (100);
  g_assert_false (ui_test_find_text (GTK_WIDGET (f->list), summary));
}

static gboolean
dialog_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (LEAN_IS_NEW_SPEC_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          *(GtkWindow **) data = window;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_new_spec_opens_dialog (Fixture       *f,
                            gconstpointer  data)
{
  GtkWindow *dialog = NULL;

  /* Ctrl+N is bound to win.new-spec; the action shows the dialog. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-spec", NULL);
  g_assert_true (test_util_wait_until (dialog_shown, &dialog, 3000));
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (f->window));
  gtk_window_destroy (dialog);
}

typedef struct
{
  const char *root;
} RootWait;

static gboolean
window_has_project (gpointer data)
{
  RootWait *w = data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (LEAN_IS_WINDOW (l->data) &&
        g_strcmp0 (lean_window_get_project_root (l->data), w->root) == 0 &&
        lean_window_get_store (l->data) != NULL &&
        !lean_spec_store_get_loading (lean_window_get_store (l->data)))
      return TRUE;
  return FALSE;
}

static void
test_app_open (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (f->project);
  g_autofree char *name = g_path_get_basename (f->project);
  RootWait wait = { f->project };
  LeanWindow *other;
  guint n_windows;

  /* What `leanspec-desktop DIR` does in the running instance: the empty
   * window is reused for the project. */
  g_application_open (G_APPLICATION (app), &folder, 1, "");
  g_assert_true (test_util_wait_until (window_has_project, &wait, 10000));
  g_assert_cmpstr (lean_window_get_project_root (f->window), ==, f->project);
  n_windows = g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* Opening it again brings that window forward, no second window. */
  g_application_open (G_APPLICATION (app), &folder, 1, "");
  ui_test_settle (200);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==,
                    n_windows);

  /* The project is now a recent one: a new window offers it. */
  other = lean_window_new (ADW_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (other));
  ui_test_settle (300);
  g_assert_cmpstr (_lean_window_get_page (other), ==, "welcome");
  g_assert_true (ui_test_find_text (GTK_WIDGET (other), name));
  gtk_window_destroy (GTK_WINDOW (other));
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} ToplevelWait;

static gboolean
toplevel_shown (gpointer data)
{
  ToplevelWait *w = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, w->type) &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          w->found = window;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_app_dialogs (Fixture       *f,
                  gconstpointer  data)
{
  struct {
    const char *action;
    const char *screenshot;
    GType       type;
  } dialogs[] = {
    { "app.shortcuts", "10-shortcuts", GTK_TYPE_SHORTCUTS_WINDOW },
    { "app.about", "11-about", ADW_TYPE_ABOUT_WINDOW },
    { "app.preferences", "12-preferences", ADW_TYPE_PREFERENCES_WINDOW },
  };

  /* Each comes from the primary menu; the test env makes any warning
   * while building them (a broken template, a missing icon) fatal. */
  for (guint i = 0; i < G_N_ELEMENTS (dialogs); i++)
    {
      ToplevelWait wait = { dialogs[i].type, NULL };
      g_autofree char *shot = NULL;

      g_action_group_activate_action (G_ACTION_GROUP (app), dialogs[i].action + 4, NULL);
      g_assert_true (test_util_wait_until (toplevel_shown, &wait, 3000));
      shot = ui_test_screenshot (GTK_WIDGET (wait.found), dialogs[i].screenshot);
      gtk_window_destroy (wait.found);
      ui_test_settle (50);
    }
}

static void
test_window_state (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("dev.leanspec.Desktop");
  RootWait wait = { f->project };
  LeanWindow *restored = NULL;

  /* Ctrl+W (window.close) saves the size. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1010, 707);
  ui_test_settle (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "window.close", NULL));
  ui_test_settle (100);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1010);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 707);
  {
    g_autofree char *last = g_settings_get_string (settings, "last-project");

    g_assert_cmpstr (last, ==, f->project);
  }

  /* A saved sort that is not a key's usual direction comes back as saved. */
  g_settings_set_string (settings, "sort-order", "priority");
  g_settings_set_string (settings, "sort-direction", "ascending");

  /* Starting again (activate with no window) reopens the last project at
   * the saved size. */
  g_application_activate (G_APPLICATION (app));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (LEAN_IS_WINDOW (l->data))
      restored = l->data;
  g_assert_nonnull (restored);
  f->window = restored;
  f->list = _lean_window_get_spec_list (restored);
  g_assert_true (test_util_wait_until (window_has_project, &wait, 10000));
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (restored), &width, &height);
    g_assert_cmpint (width, ==, 1010);
    g_assert_cmpint (height, ==, 707);
  }
  assert_sorted (f, "priority", FALSE);
  {
    g_autofree char *direction = g_settings_get_string (settings, "sort-direction");

    g_assert_cmpstr (direction, ==, "ascending");
  }
  g_settings_reset (settings, "sort-order");
  g_settings_reset (settings, "sort-direction");
}

static gboolean
spec_title_is (gpointer data)
{
  TitleWait *w = data;
  LeanSpecStore *store = lean_window_get_store (w->f->window);
  LeanSpec *spec = lean_spec_store_lookup (store, "150-generated-spec");

  return spec != NULL && g_strcmp0 (lean_spec_get_title (spec), w->title) == 0;
}

static gboolean
scrolled (gpointer data)
{
  return gtk_adjustment_get_value (data) > 0;
}

static void
test_scroll_survives_reload (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *specs = g_build_filename (f->project, "specs", NULL);
  g_autofree char *readme = NULL;
  GtkAdjustment *adjustment;
  TitleWait wait = { f, "Generated spec 150, edited" };
  double before;

  /* A project long enough to scroll: 200 specs written here. */
  for (guint i = 100; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("%03u-generated-spec", i);
      g_autofree char *dir = g_build_filename (specs, name, NULL);
      g_autofree char *file = g_build_filename (dir, "README.md", NULL);
      g_autofree char *text = g_strdup_printf ("---\nstatus: planned\npriority: low\n---\n\n"
                                               "# Generated spec %u\n\nBody.\n", i);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      ui_test_write_file (file, text);
    }
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));

  g_assert_true (lean_window_select_spec (f->window, "150-generated-spec"));
  adjustment = _lean_spec_list_get_vadjustment (f->list);
  g_assert_true (test_util_wait_until (scrolled, adjustment, 3000));
  ui_test_settle (200);
  before = gtk_adjustment_get_value (adjustment);
  g_test_message ("value %f upper %f page %f", before, gtk_adjustment_get_upper (adjustment), gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (before, >, 0);

  /* Someone edits the selected spec and one far above it. */
  readme = g_build_filename (specs, "150-generated-spec", "README.md", NULL);
  ui_test_write_file (readme, "---\nstatus: in-progress\npriority: low\n---\n\n"
                              "# Generated spec 150, edited\n\nBody.\n");
  g_clear_pointer (&readme, g_free);
  readme = g_build_filename (specs, "101-generated-spec", "README.md", NULL);
  ui_test_write_file (readme, "---\nstatus: complete\npriority: low\n---\n\n"
                              "# Generated spec 101, done\n\nBody.\n");

  g_assert_true (test_util_wait_until (spec_title_is, &wait, 5000));
  ui_test_settle (300);

  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (f->list)), ==,
                   "150-generated-spec");
  g_assert_cmpstr (lean_spec_get_title (lean_spec_list_get_selected_spec (f->list)), ==,
                   "Generated spec 150, edited");
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adjustment), before, 1.0);
}

static gboolean
shows_no_specs (gpointer data)
{
  Fixture *f = data;

  return ui_test_find_text (GTK_WIDGET (f->list), "No Specs Yet");
}

static void
test_empty_project (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("leanspec-ui-empty-XXXXXX", &error);
  g_autofree char *specs = g_build_filename (tmp, "specs", NULL);
  g_autofree char *shot = NULL;

  /* A project with a specs folder and nothing in it yet. */
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (specs, 0755), ==, 0);
  lean_window_open_project (f->window, tmp);
  g_assert_true (test_util_wait_until (shows_no_specs, f, 10000));
  g_assert_cmpstr (_lean_window_get_page (f->window), ==, "project");
  g_assert_cmpuint (g_list_model_get_n_items (lean_spec_list_get_model (f->list)), ==, 0);
  shot = ui_test_screenshot (GTK_WIDGET (f->window), "14-empty-project");

  g_rmdir (specs);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (!ui_input_available ())
    {
      /* The list is clicked for real: without XTest that proves nothing. */
      g_printerr ("test-ui-window needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }
  /* Screenshots must show the end state, not a crossfade half way. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = lean_application_new ();
  /* A test must not talk to a running instance of the app. */
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func, no_project) \
  g_test_add ("/ui/window/" path, Fixture, (no_project) ? "" : NULL, \
              fixture_setup, func, fixture_teardown)
  ADD ("lists-every-spec", test_lists_every_spec, FALSE);
  ADD ("select-shows-spec", test_select_shows_spec, FALSE);
  ADD ("filter-by-status", test_filter_by_status, FALSE);
  ADD ("search", test_search, FALSE);
  ADD ("external-edit", test_external_edit, FALSE);
  ADD ("broken-spec-banner", test_broken_spec_banner, FALSE);
  ADD ("welcome-dark-narrow", test_welcome_and_dark, TRUE);
  ADD ("not-a-project", test_not_a_project, TRUE);
  ADD ("sort", test_sort, FALSE);
  ADD ("sort-keeps-selection", test_sort_keeps_selection, FALSE);
  ADD ("search-ranking", test_search_ranking, FALSE);
  ADD ("row-tags-and-tooltip", test_row_tags_and_tooltip, FALSE);
  ADD ("zero-status-stays", test_zero_status_stays, FALSE);
  ADD ("filter-priority-and-tag", test_filter_priority_and_tag, FALSE);
  ADD ("new-spec-opens-dialog", test_new_spec_opens_dialog, FALSE);
  ADD ("app-open", test_app_open, TRUE);
  ADD ("app-dialogs", test_app_dialogs, FALSE);
  ADD ("window-state", test_window_state, FALSE);
  ADD ("scroll-survives-reload", test_scroll_survives_reload, TRUE);
  ADD ("empty-project", test_empty_project, TRUE);
#undef ADD

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
