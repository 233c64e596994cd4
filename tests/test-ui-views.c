/* SPDX-License-Identifier: MIT */
/* The window's views beside the spec list (Board, Dependencies, Stats) on
 * a temp copy of the LeanSpec corpus under Xvfb, driven by real pointer
 * and key events through XTest: switching by shortcut and by the switcher,
 * dragging a board card to another column and undoing it, clicking a box
 * of the dependency graph, and screenshots at two widths in both styles.
 * Expected bytes come from the copied files, not from the core. */
#include "config.h"

#include <string.h>

#include "lean-application.h"
#include "lean-board-view.h"
#include "lean-completion-summary.h"
#include "lean-dependency-view.h"
#include "lean-spec-lint.h"
#include "lean-spec-view.h"
#include "lean-stats-view.h"
#include "lean-window-private.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

typedef struct
{
  char       *project;
  LeanWindow *window;
} Fixture;

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
  Fixture *f = data;
  LeanSpecStore *store = lean_window_get_store (f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

/* A project of @n specs made by gen-corpus.py in a new temp dir (the
 * size issue #13 sets the board's speed target on), or NULL without
 * the script. */
static char *
generate_corpus (guint n)
{
  g_autofree char *script = ui_test_source_path ("..", "shared", "tools", "gen-corpus.py", NULL);
  g_autofree char *tmp = NULL;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autoptr(GError) error = NULL;
  char *project;
  int status = 0;

  if (!g_file_test (script, G_FILE_TEST_EXISTS))
    return NULL;
  tmp = test_util_make_tmp_dir ();
  project = g_build_filename (tmp, "gen", NULL);
  {
    const char *argv[] = { "python3", script, project, count, "--seed", "13", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                                 G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }
  return project;
}

/* @data: the number of specs to generate, or NULL for a copy of the
 * LeanSpec corpus. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  if (data != NULL)
    {
      f->project = generate_corpus (GPOINTER_TO_UINT (data));
      if (f->project == NULL)
        {
          g_test_skip ("no ../shared/tools/gen-corpus.py beside the source tree");
          return;
        }
    }
  else if (!g_file_test (corpus_path (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no LeanSpec corpus (set LEANSPEC_CORPUS)");
      return;
    }
  else
    /* Written to below: always a copy. */
    f->project = ui_test_copy_tree (corpus_path ());
  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 30000));
  ui_test_settle (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_remove_tree (f->project);
  if (data != NULL)
    {
      /* The temp dir generate_corpus() made around the project. */
      g_autofree char *tmp = g_path_get_dirname (f->project);

      test_util_rm_rf (tmp);
    }
  g_free (f->project);
}

typedef struct
{
  Fixture    *f;
  const char *view;
} ViewWait;

static gboolean
view_ready (gpointer data)
{
  ViewWait *w = data;
  LeanWindow *window = w->f->window;

  if (g_strcmp0 (_lean_window_get_view (window), w->view) != 0)
    return FALSE;
  if (g_str_equal (w->view, "board"))
    return _lean_board_view_get_column (window->board_view, LEAN_SPEC_STATUS_COMPLETE) != NULL &&
           gtk_widget_get_mapped (_lean_board_view_get_column (window->board_view,
                                                               LEAN_SPEC_STATUS_COMPLETE));
  if (g_str_equal (w->view, "dependencies"))
    return _lean_dependency_view_is_ready (window->dependency_view);
  if (g_str_equal (w->view, "stats"))
    return _lean_stats_view_is_ready (window->stats_view);
  return gtk_widget_get_mapped (GTK_WIDGET (_lean_window_get_spec_list (window)));
}

/* Waits for @view to show and returns the milliseconds from @start. */
static double
wait_view (Fixture    *f,
           const char *view,
           gint64      start)
{
  ViewWait w = { f, view };
  GdkFrameClock *clock;
  gint64 frame;

  g_assert_true (test_util_wait_until (view_ready, &w, 10000));
  /* Until the next frame is painted: the figure a person sees. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  frame = gdk_frame_clock_get_frame_counter (clock);
  gtk_widget_queue_draw (GTK_WIDGET (f->window));
  while (gdk_frame_clock_get_frame_counter (clock) == frame)
    g_main_context_iteration (NULL, TRUE);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* The longest stretch the main loop went without running a 2 ms timeout:
 * how long it was blocked (a frame drawn on the software renderer counts
 * too). */
typedef struct
{
  gint64 last;
  gint64 max_gap;
} Stall;

static gboolean
stall_tick (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    stall->max_gap = MAX (stall->max_gap, now - stall->last);
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */

static void
test_switch_by_shortcut (Fixture       *f,
                         gconstpointer  data)
{
  const struct { guint key; const char *view; } steps[] = {
    { GDK_KEY_2, "board" },
    { GDK_KEY_3, "dependencies" },
    { GDK_KEY_4, "stats" },
    { GDK_KEY_1, "list" },
  };
  GtkWidget *button;

  if (f->window == NULL)
    return;
  g_assert_cmpstr (_lean_window_get_view (f->window), ==, "list");
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      gint64 start = g_get_monotonic_time ();
      Stall stall = { 0 };
      guint tick = g_timeout_add (2, stall_tick, &stall);
      double ms;

      ui_input_key (steps[i].key, GDK_CONTROL_MASK);
      ms = wait_view (f, steps[i].view, start);
      g_source_remove (tick);
      /* The input helper's own pauses are in the figure: an upper bound. */
      g_test_message ("first switch to %s with %u specs: %.0f ms to the first frame shown, "
                      "main loop blocked at most %.0f ms", steps[i].view,
                      g_list_model_get_n_items (G_LIST_MODEL (lean_window_get_store (f->window))),
                      ms, stall.max_gap / 1000.0);
      g_assert_cmpstr (_lean_window_get_view (f->window), ==, steps[i].view);
    }

  /* The switcher in the list's header is a real button too. */
  button = ui_test_find_tooltip (GTK_WIDGET (f->window), "Stats (Ctrl+4)");
  g_assert_nonnull (button);
  ui_input_click (button);
  wait_view (f, "stats", g_get_monotonic_time ());

  /* And back again, from the stats page's own switcher, now cached. */
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      gint64 start = g_get_monotonic_time ();
      Stall stall = { 0 };
      guint tick = g_timeout_add (2, stall_tick, &stall);
      double ms;

      ui_input_key (steps[i].key, GDK_CONTROL_MASK);
      ms = wait_view (f, steps[i].view, start);
      g_source_remove (tick);
      g_test_message ("second switch to %s: %.0f ms, main loop blocked at most %.0f ms",
                      steps[i].view, ms, stall.max_gap / 1000.0);
    }
}

/* The body of a README after its front matter, and the front matter. */
static void
split_front_matter (const char  *text,
                    char       **front,
                    const char **body)
{
  const char *end;

  g_assert_true (g_str_has_prefix (text, "---\n"));
  end = strstr (text + 4, "\n---\n");
  g_assert_nonnull (end);
  *front = g_strndup (text + 4, end - (text + 4) + 1);
  *body = end + 5;
}

typedef struct
{
  const char *path;
  const char *before;
} Changed;

static gboolean
file_differs (gpointer data)
{
  Changed *c = data;
  g_autofree char *now = NULL;

  if (!g_file_get_contents (c->path, &now, NULL, NULL))
    return FALSE;
  return g_strcmp0 (now, c->before) != 0;
}

static gboolean
file_equals (gpointer data)
{
  Changed *c = data;
  g_autofree char *now = NULL;

  if (!g_file_get_contents (c->path, &now, NULL, NULL))
    return FALSE;
  return g_strcmp0 (now, c->before) == 0;
}

static gboolean
board_idle (gpointer data)
{
  return _lean_board_view_get_pending (data) == 0;
}

/* A complete spec whose README says exactly "status: complete" (the
 * corpus is mostly complete and archived specs). */
static LeanSpec *
find_complete (Fixture *f)
{
  GListModel *store = G_LIST_MODEL (lean_window_get_store (f->window));

  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (store, i);
      g_autofree char *text = NULL;

      if (lean_spec_get_status (spec) != LEAN_SPEC_STATUS_COMPLETE)
        continue;
      text = read_file (lean_spec_get_readme_path (spec));
      if (strstr (text, "\nstatus: complete\n") != NULL)
        return g_steal_pointer (&spec);
    }
  return NULL;
}

static void
check_status_change (const char *before,
                     const char *after,
                     const char *new_status)
{
  g_autofree char *front_before = NULL;
  g_autofree char *front_after = NULL;
  const char *body_before, *body_after;
  g_auto(GStrv) old_lines = NULL;
  g_autofree char *wanted = g_strdup_printf ("status: %s", new_status);
  const char *cursor;

  split_front_matter (before, &front_before, &body_before);
  split_front_matter (after, &front_after, &body_after);
  /* Byte for byte, everything after the front matter is untouched. */
  g_assert_cmpstr (body_before, ==, body_after);

  /* In the front matter: the status line says the new status, and every
   * other line is still there in its order (the writer only adds the
   * transition and the updated_at stamp). */
  g_assert_nonnull (strstr (front_after, wanted));
  old_lines = g_strsplit (front_before, "\n", -1);
  cursor = front_after;
  for (guint i = 0; old_lines[i] != NULL; i++)
    {
      const char *found;

      if (old_lines[i][0] == '\0' || g_str_has_prefix (old_lines[i], "status:") ||
          g_str_has_prefix (old_lines[i], "updated_at:") || g_str_has_prefix (old_lines[i], "updated:"))
        continue;
      found = strstr (cursor, old_lines[i]);
      if (found == NULL)
        g_error ("front matter line lost or moved: %s", old_lines[i]);
      cursor = found + strlen (old_lines[i]);
    }
}

static void
show_board (Fixture *f)
{
  ui_input_key (GDK_KEY_2, GDK_CONTROL_MASK);
  wait_view (f, "board", g_get_monotonic_time ());
  ui_test_settle (200);
}

/* Drags the card of @id with the pointer onto the middle of the column of
 * @status. */
static void
drag_card_to (Fixture        *f,
              const char     *id,
              LeanSpecStatus  status)
{
  GtkWidget *card = _lean_board_view_find_card (f->window->board_view, id);
  GtkWidget *target = _lean_board_view_get_column (f->window->board_view, status);
  graphene_point_t from, to;

  g_assert_nonnull (card);
  g_assert_nonnull (target);
  g_assert_true (gtk_widget_compute_point (card, GTK_WIDGET (f->window),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (card) / 2.0,
                                                                 gtk_widget_get_height (card) / 2.0),
                                           &from));
  g_assert_true (gtk_widget_compute_point (target, GTK_WIDGET (f->window),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (target) / 2.0,
                                                                 gtk_widget_get_height (target) / 2.0),
                                           &to));
  ui_input_drag (card, -1, -1, (int) (to.x - from.x), (int) (to.y - from.y));
}

/* Ctrl+Shift+Left on the card of @spec, and waits until its README is no
 * longer @before and the board has nothing left to write. */
static void
move_left_by_keyboard (Fixture    *f,
                       LeanSpec   *spec,
                       const char *before)
{
  GtkWidget *card = _lean_board_view_find_card (f->window->board_view, lean_spec_get_id (spec));
  Changed changed = { lean_spec_get_readme_path (spec), before };

  g_assert_nonnull (card);
  /* Where Tab and the arrows would have put it: the card's row. */
  g_assert_true (gtk_widget_grab_focus (gtk_widget_get_parent (card)));
  ui_input_key (GDK_KEY_Left, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (test_util_wait_until (file_differs, &changed, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));
}

static void
test_board_drag (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *id = NULL;
  GtkWidget *undo;
  Changed changed;

  if (f->window == NULL)
    return;
  spec = find_complete (f);
  g_assert_nonnull (spec);
  id = g_strdup (lean_spec_get_id (spec));
  before = read_file (lean_spec_get_readme_path (spec));

  show_board (f);
  drag_card_to (f, id, LEAN_SPEC_STATUS_IN_PROGRESS);

  changed = (Changed) { lean_spec_get_readme_path (spec), before };
  g_assert_true (test_util_wait_until (file_differs, &changed, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));
  after = read_file (lean_spec_get_readme_path (spec));
  check_status_change (before, after, "in-progress");
  /* The store has the new snapshot: the card is in the other column. */
  g_assert_cmpint (lean_spec_get_status (lean_spec_store_lookup (lean_window_get_store (f->window), id)),
                   ==, LEAN_SPEC_STATUS_IN_PROGRESS);
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "views-board-after-drag"));

  /* Undo, clicked in the toast, puts the exact bytes back. */
  undo = ui_test_find_button (GTK_WIDGET (f->window), "_Undo");
  g_assert_nonnull (undo);
  ui_input_click (undo);
  changed.before = before;
  g_assert_true (test_util_wait_until (file_equals, &changed, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));
  g_assert_cmpint (lean_spec_get_status (lean_spec_store_lookup (lean_window_get_store (f->window), id)),
                   ==, LEAN_SPEC_STATUS_COMPLETE);
}

static guint
count_status (Fixture        *f,
              LeanSpecStatus  status)
{
  GListModel *store = G_LIST_MODEL (lean_window_get_store (f->window));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (store, i);

      n += lean_spec_get_status (spec) == status;
    }
  return n;
}

static guint
column_cards (Fixture        *f,
              LeanSpecStatus  status)
{
  GtkWidget *list = _lean_board_view_get_column (f->window->board_view, status);

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list))));
}

typedef struct
{
  Fixture        *f;
  LeanSpecStatus  status;
  guint           n;
} ColumnWait;

static gboolean
column_full (gpointer data)
{
  ColumnWait *w = data;

  return column_cards (w->f, w->status) == w->n;
}

/* Of the first @n items of a column's @model, the first spec whose README
 * says exactly "status: complete". */
static LeanSpec *
first_complete_card (GListModel *model,
                     guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *text = NULL;

      g_assert_true (LEAN_IS_SPEC (item));
      text = read_file (lean_spec_get_readme_path (LEAN_SPEC (item)));
      if (strstr (text, "\nstatus: complete\n") != NULL)
        return g_object_ref (LEAN_SPEC (item));
    }
  return NULL;
}

/* The board's first frame shows the top of each column, the rest comes
 * in over the next frames; the header counts every spec from the start,
 * and a card dragged, undone and moved by keyboard meanwhile changes
 * exactly the status bytes each time. */
static void
test_board_fills_in_slices (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *count = NULL;
  ColumnWait wait;
  Changed changed;
  guint complete, first;
  GtkWidget *list, *column, *label, *undo;

  if (f->window == NULL)
    return;
  complete = count_status (f, LEAN_SPEC_STATUS_COMPLETE);
  g_assert_cmpuint (complete, >, 1000);

  ui_input_key (GDK_KEY_2, GDK_CONTROL_MASK);
  wait_view (f, "board", g_get_monotonic_time ());
  first = column_cards (f, LEAN_SPEC_STATUS_COMPLETE);
  g_test_message ("first frame: %u of %u complete specs in the column", first, complete);
  g_assert_cmpuint (first, >, 0);
  g_assert_cmpuint (first, <, complete);
  list = _lean_board_view_get_column (f->window->board_view, LEAN_SPEC_STATUS_COMPLETE);
  /* A card of the first frame, so it is on screen to be dragged. */
  spec = first_complete_card (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list))), first);
  g_assert_nonnull (spec);
  before = read_file (lean_spec_get_readme_path (spec));
  /* The column: its header above the list's scrolled window. */
  column = gtk_widget_get_parent (gtk_widget_get_parent (list));
  count = g_strdup_printf ("%u", complete);
  label = ui_test_find_label (column, count);
  g_assert_nonnull (label);

  /* Dragged while the column fills: the file changes, nothing else. */
  g_test_message ("drag starts while filling: %d",
                  _lean_board_view_is_filling (f->window->board_view));
  drag_card_to (f, lean_spec_get_id (spec), LEAN_SPEC_STATUS_IN_PROGRESS);
  changed = (Changed) { lean_spec_get_readme_path (spec), before };
  g_assert_true (test_util_wait_until (file_differs, &changed, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));
  after = read_file (lean_spec_get_readme_path (spec));
  check_status_change (before, after, "in-progress");

  /* Undo from the toast puts the exact bytes back, and the card goes
   * back to a column that may still be filling. */
  g_test_message ("undo while filling: %d", _lean_board_view_is_filling (f->window->board_view));
  undo = ui_test_find_button (GTK_WIDGET (f->window), "_Undo");
  g_assert_nonnull (undo);
  ui_input_click (undo);
  g_assert_true (test_util_wait_until (file_equals, &changed, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));

  /* The keyboard move works on the card put back there. */
  g_test_message ("keyboard move while filling: %d",
                  _lean_board_view_is_filling (f->window->board_view));
  move_left_by_keyboard (f, spec, before);
  g_free (after);
  after = read_file (lean_spec_get_readme_path (spec));
  check_status_change (before, after, "in-progress");

  wait = (ColumnWait) { f, LEAN_SPEC_STATUS_COMPLETE, complete - 1 };
  g_assert_true (test_util_wait_until (column_full, &wait, 10000));
  for (guint s = LEAN_SPEC_STATUS_PLANNED; s <= LEAN_SPEC_STATUS_COMPLETE; s++)
    {
      wait = (ColumnWait) { f, s, count_status (f, s) };
      g_assert_true (test_util_wait_until (column_full, &wait, 10000));
    }
}

static void
test_board_keyboard (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (f->window == NULL)
    return;
  spec = find_complete (f);
  g_assert_nonnull (spec);
  before = read_file (lean_spec_get_readme_path (spec));

  show_board (f);
  move_left_by_keyboard (f, spec, before);
  after = read_file (lean_spec_get_readme_path (spec));
  check_status_change (before, after, "in-progress");
}

static gboolean
message_dialog_open (gpointer data)
{
  return ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
spec_has_status (gpointer data)
{
  LeanSpec *spec = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (lean_spec_get_readme_path (spec), &text, NULL, NULL) &&
         strstr (text, "\nstatus: complete\n") != NULL;
}

static gboolean
completion_summary_open (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_COMPLETION_SUMMARY) != NULL;
}

/* Into Complete is Mark Complete: a spec with open checklist items asks
 * first, "Complete Anyway" completes it, and the summary follows. */
static void
test_board_drag_complete (Fixture       *f,
                          gconstpointer  data)
{
  GListModel *store;
  g_autoptr(LeanSpec) spec = NULL;
  g_autofree char *original = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *completed = NULL;
  const char *body_original, *body_completed;
  g_autofree char *front_original = NULL;
  g_autofree char *front_completed = NULL;
  GtkWidget *force;
  GtkWindow *dialog;

  if (f->window == NULL)
    return;
  /* A complete spec with open checklist items. */
  store = G_LIST_MODEL (lean_window_get_store (f->window));
  for (guint i = 0; i < g_list_model_get_n_items (store) && spec == NULL; i++)
    {
      g_autoptr(LeanSpec) candidate = g_list_model_get_item (store, i);
      g_autofree char *text = read_file (lean_spec_get_readme_path (candidate));

      if (lean_spec_get_status (candidate) == LEAN_SPEC_STATUS_COMPLETE &&
          lean_spec_get_n_unchecked (candidate) > 0 && strstr (text, "\nstatus: complete\n") != NULL)
        spec = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (spec);
  original = read_file (lean_spec_get_readme_path (spec));

  /* First to In Progress, by keyboard, then dragged back into Complete. */
  show_board (f);
  move_left_by_keyboard (f, spec, original);
  moved = read_file (lean_spec_get_readme_path (spec));
  ui_test_settle (300);
  drag_card_to (f, lean_spec_get_id (spec), LEAN_SPEC_STATUS_COMPLETE);

  g_assert_true (test_util_wait_until (message_dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (dialog), "views-board-complete-dialog"));
  /* Nothing written while it asks. */
  completed = read_file (lean_spec_get_readme_path (spec));
  g_assert_cmpstr (completed, ==, moved);
  g_clear_pointer (&completed, g_free);

  force = ui_test_find_button (GTK_WIDGET (dialog), "Complete _Anyway");
  g_assert_nonnull (force);
  ui_input_click (force);
  g_assert_true (test_util_wait_until (spec_has_status, spec, 5000));
  g_assert_true (test_util_wait_until (board_idle, f->window->board_view, 5000));

  completed = read_file (lean_spec_get_readme_path (spec));
  split_front_matter (original, &front_original, &body_original);
  split_front_matter (completed, &front_completed, &body_completed);
  g_assert_cmpstr (body_original, ==, body_completed);

  /* As after Mark Complete: the work's summary and what it unblocked. */
  g_assert_true (test_util_wait_until (completion_summary_open, NULL, 5000));
  gtk_window_destroy (ui_test_find_toplevel (LEAN_TYPE_COMPLETION_SUMMARY));
}

typedef struct
{
  Fixture    *f;
  const char *id;
} Shown;

static gboolean
spec_shown (gpointer data)
{
  Shown *s = data;
  GtkWidget *view = _lean_window_get_spec_view (s->f->window);
  LeanSpec *spec = view != NULL ? lean_spec_view_get_spec (LEAN_SPEC_VIEW (view)) : NULL;

  return spec != NULL && g_str_equal (lean_spec_get_id (spec), s->id) &&
         g_strcmp0 (_lean_window_get_view (s->f->window), "list") == 0;
}

static void
test_graph_click (Fixture       *f,
                  gconstpointer  data)
{
  GListModel *store;
  g_autofree char *id = NULL;
  double x, y;
  Shown shown;

  if (f->window == NULL)
    return;
  /* A spec that depends on another: it has a box. */
  store = G_LIST_MODEL (lean_window_get_store (f->window));
  for (guint i = 0; i < g_list_model_get_n_items (store) && id == NULL; i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (store, i);

      if (lean_spec_get_depends_on (spec)[0] != NULL)
        id = g_strdup (lean_spec_get_id (spec));
    }
  g_assert_nonnull (id);

  ui_input_key (GDK_KEY_3, GDK_CONTROL_MASK);
  wait_view (f, "dependencies", g_get_monotonic_time ());
  g_test_message ("graph: %u boxes, %u cycle edges",
                  _lean_dependency_view_get_n_nodes (f->window->dependency_view),
                  _lean_dependency_view_get_n_cycle_edges (f->window->dependency_view));
  g_assert_cmpuint (_lean_dependency_view_get_n_nodes (f->window->dependency_view), >, 10);
  _lean_dependency_view_scroll_to (f->window->dependency_view, id);
  ui_test_settle (200);
  g_assert_true (_lean_dependency_view_get_node_center (f->window->dependency_view, id, &x, &y));
  ui_input_click_at (GTK_WIDGET (f->window->dependency_view), x, y, 1);

  shown = (Shown) { f, id };
  g_assert_true (test_util_wait_until (spec_shown, &shown, 5000));
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  GListModel *store;
  guint planned = 0, complete = 0, failing = 0;
  char *first_failing = NULL;
  GtkWidget *button;
  Shown shown;

  if (f->window == NULL)
    return;
  store = G_LIST_MODEL (lean_window_get_store (f->window));
  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (store, i);

      planned += lean_spec_get_status (spec) == LEAN_SPEC_STATUS_PLANNED;
      complete += lean_spec_get_status (spec) == LEAN_SPEC_STATUS_COMPLETE;
      /* Archived specs are out of the checks' figures, as in LeanSpec. */
      if (lean_spec_lint_status (spec, NULL) == LEAN_LINT_FAIL &&
          lean_spec_get_status (spec) != LEAN_SPEC_STATUS_ARCHIVED)
        {
          failing++;
          if (first_failing == NULL)
            first_failing = g_strdup (lean_spec_get_id (spec));
        }
    }

  ui_input_key (GDK_KEY_4, GDK_CONTROL_MASK);
  wait_view (f, "stats", g_get_monotonic_time ());
  g_assert_cmpuint (_lean_stats_view_get_status_count (f->window->stats_view, LEAN_SPEC_STATUS_PLANNED), ==, planned);
  g_assert_cmpuint (_lean_stats_view_get_status_count (f->window->stats_view, LEAN_SPEC_STATUS_COMPLETE), ==, complete);
  g_assert_cmpuint (_lean_stats_view_get_n_failing (f->window->stats_view), ==, failing);
  g_test_message ("stats: %u planned, %u complete, %u failing checks", planned, complete, failing);

  /* A failing spec's row opens it. */
  if (first_failing != NULL)
    {
      /* The list of failing specs holds buttons named by spec id. */
      {
        GtkWidget *stack[256];
        guint depth = 0;

        button = NULL;
        stack[depth++] = GTK_WIDGET (f->window->stats_view);
        while (depth > 0 && button == NULL)
          {
            GtkWidget *w = stack[--depth];

            if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_name (w), first_failing) == 0)
              button = w;
            for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && depth < 255;
                 c = gtk_widget_get_next_sibling (c))
              stack[depth++] = c;
          }
      }
      g_assert_nonnull (button);
      /* Scrolled into view first: the list sits at the bottom. */
      {
        GtkWidget *scroller = gtk_widget_get_ancestor (button, GTK_TYPE_SCROLLED_WINDOW);
        graphene_point_t p;

        g_assert_true (gtk_widget_compute_point (button, gtk_widget_get_first_child (scroller),
                                                 &GRAPHENE_POINT_INIT (0, 0), &p));
        gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                                  p.y - 100);
        ui_test_settle (200);
      }
      ui_input_click (button);
      shown = (Shown) { f, first_failing };
      g_assert_true (test_util_wait_until (spec_shown, &shown, 5000));
    }
  g_free (first_failing);
}

static gboolean
edges_drawn (gpointer data)
{
  Fixture *f = data;

  return _lean_dependency_view_get_pending_tiles (f->window->dependency_view) == 0;
}

static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  const char *views[] = { "list", "board", "dependencies", "stats" };
  const int widths[] = { 420, 1400 };

  if (f->window == NULL)
    return;
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      gtk_window_set_default_size (GTK_WINDOW (f->window), widths[w], 900);
      ui_test_settle (400);
      for (guint v = 0; v < G_N_ELEMENTS (views); v++)
        {
          ui_input_key (GDK_KEY_1 + v, GDK_CONTROL_MASK);
          wait_view (f, views[v], g_get_monotonic_time ());
          for (guint dark = 0; dark < 2; dark++)
            {
              g_autofree char *name = g_strdup_printf ("views-%s-%d-%s", views[v], widths[w],
                                                       dark ? "dark" : "light");

              adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                              : ADW_COLOR_SCHEME_FORCE_LIGHT);
              ui_test_settle (300);
              /* The graph's edges come from tiles drawn on worker threads. */
              if (g_str_equal (views[v], "dependencies"))
                {
                  g_assert_true (test_util_wait_until (edges_drawn, f, 10000));
                  ui_test_settle (100);
                }
              g_free (ui_test_screenshot (GTK_WIDGET (f->window), name));
            }
        }
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* A generated project with a dependency cycle, a parent cycle and a
 * missing target: the layout ends and shows them. */
static void
test_graph_cycle (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanSpecStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *scroller, *view;
  const char *specs[][2] = {
    { "001-a", "depends_on:\n  - 003-c\n" },
    { "002-b", "depends_on:\n  - 001-a\n" },
    { "003-c", "depends_on:\n  - 002-b\n  - 099-missing\n" },
    { "004-d", "parent: 005-e\n" },
    { "005-e", "parent: 004-d\n" },
    { "006-f", "" },
  };
  gboolean loaded = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_build_filename ("specs", specs[i][0], "README.md", NULL);
      g_autofree char *text = g_strdup_printf ("---\nstatus: planned\ncreated: '2025-01-0%u'\n%s---\n\n# Spec %s\n",
                                               i + 1, specs[i][1], specs[i][0]);

      test_util_write_file (root, path, text);
    }
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  store = lean_spec_store_new (project);
  lean_spec_store_load_async (store, NULL, NULL, NULL);
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while ((lean_spec_store_get_loading (store) || g_list_model_get_n_items (G_LIST_MODEL (store)) < 6) &&
           g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 6);

  window = gtk_window_new ();
  scroller = gtk_scrolled_window_new ();
  view = lean_dependency_view_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 500);
  lean_dependency_view_set_store (LEAN_DEPENDENCY_VIEW (view), store);
  gtk_window_present (GTK_WINDOW (window));
  loaded = test_util_wait_until ((gboolean (*) (gpointer)) _lean_dependency_view_is_ready, view, 10000);
  g_assert_true (loaded);
  /* 5 specs with relations and the missing target; 006 has none. */
  g_assert_cmpuint (_lean_dependency_view_get_n_nodes (LEAN_DEPENDENCY_VIEW (view)), ==, 6);
  /* One relation closes the a-b-c cycle and one the d-e parent cycle. */
  g_assert_cmpuint (_lean_dependency_view_get_n_cycle_edges (LEAN_DEPENDENCY_VIEW (view)), ==, 2);
  ui_test_settle (300);
  g_free (ui_test_screenshot (window, "views-graph-cycle"));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_settle (50);
  test_util_rm_rf (root);
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
      g_printerr ("test-ui-views needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

  app = lean_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

#define ADD(path, fn) \
  g_test_add ("/ui/views/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("switch-by-shortcut", test_switch_by_shortcut);
  ADD ("board-drag-undo", test_board_drag);
  ADD ("board-keyboard", test_board_keyboard);
  g_test_add ("/ui/views/board-fills-in-slices", Fixture, GUINT_TO_POINTER (5000), fixture_setup,
              test_board_fills_in_slices, fixture_teardown);
  ADD ("board-drag-complete", test_board_drag_complete);
  ADD ("graph-click", test_graph_click);
  ADD ("stats", test_stats);
  ADD ("screenshots", test_screenshots);
#undef ADD
  g_test_add_func ("/ui/views/graph-cycle", test_graph_cycle);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
