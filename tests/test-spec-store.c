/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-spec-problem.h"
#include "lean-spec-store.h"
#include "lean-spec-writer.h"
#include "test-util.h"

typedef struct
{
  char *tmp;
  LeanProject *project;
  LeanSpecStore *store;
  guint n_reloaded;
  guint n_changes;
  guint last_pos, last_removed, last_added;
} Fixture;

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
reloaded_cb (LeanSpecStore *store,
             Fixture       *f)
{
  f->n_reloaded++;
}

static void
items_changed_cb (GListModel *model,
                  guint       pos,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->n_changes++;
  f->last_pos = pos;
  f->last_removed = removed;
  f->last_added = added;
}

#define SPEC(status, title) "---\nstatus: " status "\npriority: high\n---\n\n# " title "\n"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  test_util_write_file (f->tmp, "specs/001-one/README.md", SPEC ("planned", "One"));
  test_util_write_file (f->tmp, "specs/002-two/README.md", SPEC ("in-progress", "Two"));
  test_util_write_file (f->tmp, "specs/archived/003-three/README.md", SPEC ("complete", "Three"));
  test_util_write_file (f->tmp, "specs/009-broken/README.md", "---\nstatus: [planned\n---\n");
  f->project = lean_project_open (f->tmp, &error);
  g_assert_no_error (error);
  f->store = lean_spec_store_new (f->project);
  g_signal_connect (f->store, "reloaded", G_CALLBACK (reloaded_cb), f);
  g_signal_connect (f->store, "items-changed", G_CALLBACK (items_changed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A load_async in flight holds the store until it lands; let it land,
   * then the store must really go away. The worker thread drops its GTask
   * (and so its store reference) a moment after the result is delivered. */
  if (f->store != NULL)
    {
      gpointer weak = f->store;
      gint64 deadline;

      lean_spec_store_set_watching (f->store, FALSE);
      while (lean_spec_store_get_loading (f->store))
        g_main_context_iteration (NULL, TRUE);

      deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      g_object_add_weak_pointer (G_OBJECT (f->store), &weak);
      g_clear_object (&f->store);
      while (weak != NULL && g_get_monotonic_time () < deadline)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
      g_assert_null (weak);
    }

  g_clear_object (&f->project);
  test_util_rm_rf (f->tmp);
  g_free (f->tmp);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} LoadWait;

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadWait *w = user_data;

  w->ok = lean_spec_store_load_finish (LEAN_SPEC_STORE (object), result, &w->error);
  w->done = TRUE;
}

static void
load_and_wait (Fixture *f)
{
  LoadWait w = { 0, };

  lean_spec_store_load_async (f->store, NULL, load_cb, &w);
  g_assert_true (lean_spec_store_get_loading (f->store));
  test_util_wait_for_flag (&w.done, 10, "the store");
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_false (lean_spec_store_get_loading (f->store));
}

static LeanSpec *
item (Fixture *f,
      guint    pos)
{
  LeanSpec *spec = g_list_model_get_item (G_LIST_MODEL (f->store), pos);
  g_object_unref (spec); /* the store keeps it alive */
  return spec;
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  GListModel *problems = lean_spec_store_get_problems (f->store);
  g_autoptr(LeanSpecProblem) problem = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->store)) == LEAN_TYPE_SPEC);

  load_and_wait (f);
  g_assert_cmpuint (f->n_reloaded, ==, 1);
  g_assert_cmpuint (f->n_changes, ==, 1);
  g_assert_cmpuint (f->last_added, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 3);
  g_assert_cmpstr (lean_spec_get_id (item (f, 0)), ==, "001-one");
  g_assert_cmpstr (lean_spec_get_id (item (f, 2)), ==, "003-three");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->store), 3));
  g_assert_true (lean_spec_store_lookup (f->store, "002-two") == item (f, 1));
  g_assert_null (lean_spec_store_lookup (f->store, "nope"));

  g_assert_cmpuint (g_list_model_get_n_items (problems), ==, 1);
  problem = g_list_model_get_item (problems, 0);
  g_assert_cmpstr (lean_spec_problem_get_rel_path (problem), ==, "specs/009-broken/README.md");

  specs = lean_spec_store_dup_specs (f->store);
  g_assert_cmpuint (specs->len, ==, 3);

  /* Reloading unchanged files keeps every object and says nothing changed. */
  {
    LeanSpec *first = item (f, 0);
    guint changes = f->n_changes;

    load_and_wait (f);
    g_assert_true (item (f, 0) == first);
    g_assert_cmpuint (f->n_changes, ==, changes);
    g_assert_cmpuint (f->n_reloaded, ==, 2);
  }
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LoadWait w = { 0, };

  g_cancellable_cancel (cancellable);
  lean_spec_store_load_async (f->store, cancellable, load_cb, &w);
  test_util_wait_for_flag (&w.done, 10, "the store");
  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpuint (f->n_reloaded, ==, 0);
  g_assert_false (lean_spec_store_get_loading (f->store));
}

static void
wait_reload (Fixture *f,
             guint    count)
{
  while (f->n_reloaded < count)
    {
      guint before = f->n_reloaded;
      gboolean timed_out = FALSE;
      guint id = g_timeout_add_seconds (10, timeout_cb, &timed_out);

      while (f->n_reloaded == before && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      if (!timed_out)
        g_source_remove (id);
      g_assert_false (timed_out);
    }
}

/* Iterates the main context until @cond holds; fails after 10 s. Waiting on
 * the state rather than on a count of reloads keeps this right when one
 * burst of file events happens to cause two reloads. */
#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint id_ = g_timeout_add_seconds (10, timeout_cb, &timed_out_); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (!timed_out_) \
      g_source_remove (id_); \
    g_assert_true (cond); \
  } G_STMT_END

/* Folder monitors are added a few at a time from idle callbacks; run them
 * all before touching files so no event can be missed. */
static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static int
test_compare_names (gconstpointer a,
                    gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

/* Every entry under @dir with its kind, size and modification and change
 * times, sorted: equal descriptions mean nothing was written there. */
static void
describe_tree (const char *dir,
               GString    *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) test_compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      g_string_append_printf (out, "%s %o %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%ld %"
                              G_GINT64_FORMAT ".%ld\n", path, (guint) st.st_mode,
                              (gint64) st.st_size, (gint64) st.st_mtim.tv_sec,
                              st.st_mtim.tv_nsec, (gint64) st.st_ctim.tv_sec,
                              st.st_ctim.tv_nsec);
      if (S_ISDIR (st.st_mode))
        describe_tree (path, out);
    }
}

static void
test_live_reload (Fixture       *f,
                  gconstpointer  data)
{
  GListModel *problems = lean_spec_store_get_problems (f->store);
  LeanSpec *one;
  LeanSpec *two;
  LeanSpec *three;
  g_autofree char *staging = NULL;
  g_autofree char *target = NULL;

  load_and_wait (f);
  lean_spec_store_set_watching (f->store, TRUE);
  settle ();
  one = item (f, 0);
  two = item (f, 1);
  three = item (f, 2);

  /* Someone else edits 002 on disk. */
  f->n_changes = 0;
  test_util_write_file (f->tmp, "specs/002-two/README.md", SPEC ("complete", "Two"));
  WAIT_UNTIL (lean_spec_get_status (item (f, 1)) == LEAN_SPEC_STATUS_COMPLETE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 3);
  g_assert_true (item (f, 0) == one);
  g_assert_true (item (f, 2) == three);
  g_assert_true (item (f, 1) != two);
  g_assert_cmpint (lean_spec_get_status (item (f, 1)), ==, LEAN_SPEC_STATUS_COMPLETE);
  g_assert_cmpuint (f->n_changes, ==, 1);
  g_assert_cmpuint (f->last_pos, ==, 1);
  g_assert_cmpuint (f->last_removed, ==, 1);
  g_assert_cmpuint (f->last_added, ==, 1);

  /* A new spec folder appears (moved in whole, as git checkout would). */
  staging = g_build_filename (f->tmp, "staging", NULL);
  test_util_write_file (f->tmp, "staging/README.md", SPEC ("draft", "Four"));
  target = g_build_filename (f->tmp, "specs", "004-four", NULL);
  g_assert_cmpint (g_rename (staging, target), ==, 0);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (f->store)) == 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 4);
  g_assert_cmpstr (lean_spec_get_id (item (f, 3)), ==, "004-four");
  settle ();

  /* ...and the new folder is watched too. */
  test_util_write_file (f->tmp, "specs/004-four/README.md", SPEC ("planned", "Four again"));
  WAIT_UNTIL (g_str_equal (lean_spec_get_title (item (f, 3)), "Four again"));
  g_assert_cmpstr (lean_spec_get_title (item (f, 3)), ==, "Four again");

  /* Fixing the broken spec moves it from problems to specs. */
  test_util_write_file (f->tmp, "specs/009-broken/README.md", SPEC ("planned", "Fixed"));
  WAIT_UNTIL (g_list_model_get_n_items (problems) == 0);
  g_assert_cmpuint (g_list_model_get_n_items (problems), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 5);

  /* Deleting a spec removes exactly that item. */
  {
    g_autofree char *readme = g_build_filename (f->tmp, "specs", "001-one", "README.md", NULL);
    g_autofree char *dir = g_path_get_dirname (readme);
    f->n_changes = 0;
    g_unlink (readme);
    g_rmdir (dir);
    WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (f->store)) == 4);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 4);
    g_assert_cmpuint (f->n_changes, ==, 1);
    g_assert_cmpuint (f->last_pos, ==, 0);
    g_assert_cmpuint (f->last_removed, ==, 1);
    g_assert_cmpuint (f->last_added, ==, 0);
  }

  /* Reading the files does not itself count as a change: a load leaves
   * every entry of the watched tree as it was (no cache file, no temp file,
   * no touched time), so the monitors have nothing to report and a load
   * cannot set off the next one; and the unchanged specs keep their
   * objects, without an items-changed. */
  {
    g_autofree char *specs_dir = g_build_filename (f->tmp, "specs", NULL);
    g_autoptr(GString) before = g_string_new (NULL);
    g_autoptr(GString) after = g_string_new (NULL);
    LeanSpec *kept = item (f, 0);

    describe_tree (specs_dir, before);
    f->n_changes = 0;
    load_and_wait (f);
    describe_tree (specs_dir, after);
    g_assert_cmpstr (after->str, ==, before->str);
    g_assert_cmpuint (f->n_changes, ==, 0);
    g_assert_true (item (f, 0) == kept);
  }

  lean_spec_store_set_watching (f->store, FALSE);
}

static void
test_replace (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSpec) written = NULL;
  g_autoptr(LeanSpec) created = NULL;
  LeanSpec *two;

  load_and_wait (f);
  lean_spec_store_set_watching (f->store, TRUE);
  settle ();
  two = item (f, 1);
  written = lean_spec_writer_set_status (two, LEAN_SPEC_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  f->n_changes = 0;
  lean_spec_store_replace (f->store, written);
  g_assert_true (item (f, 1) == written);
  g_assert_true (lean_spec_store_lookup (f->store, "002-two") == written);
  g_assert_cmpuint (f->n_changes, ==, 1);
  g_assert_cmpuint (f->last_pos, ==, 1);

  /* The watcher's reload then finds the same bytes: same object stays. */
  wait_reload (f, f->n_reloaded + 1);
  g_assert_true (item (f, 1) == written);

  /* A created spec goes in order at once. */
  created = lean_project_create_spec (f->project, "new-one", NULL, LEAN_SPEC_PRIORITY_LOW, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_spec_get_id (created), ==, "010-new-one");
  lean_spec_store_replace (f->store, created);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 4);
  g_assert_true (item (f, 3) == created);
  wait_reload (f, f->n_reloaded + 1);
  g_assert_true (item (f, 3) == created);
  lean_spec_store_set_watching (f->store, FALSE);
}

static void
test_replace_during_load (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSpec) created = NULL;
  LoadWait w = { 0, };

  load_and_wait (f);

  /* The scan may or may not see the new folder; either way the spec put
   * in with replace() must survive the load and keep its object. */
  lean_spec_store_load_async (f->store, NULL, load_cb, &w);
  created = lean_project_create_spec (f->project, "racing", NULL, LEAN_SPEC_PRIORITY_LOW, NULL,
                                      &error);
  g_assert_no_error (error);
  lean_spec_store_replace (f->store, created);
  g_assert_true (item (f, 3) == created);
  test_util_wait_for_flag (&w.done, 10, "the store");
  g_assert_no_error (w.error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 4);
  g_assert_true (item (f, 3) == created);
  g_assert_true (lean_spec_store_lookup (f->store, "010-racing") == created);
}

static void
loading_cb (GObject    *object,
            GParamSpec *pspec,
            gboolean   *seen)
{
  if (lean_spec_store_get_loading (LEAN_SPEC_STORE (object)))
    *seen = TRUE;
}

static void
test_drop_during_reload (Fixture       *f,
                         gconstpointer  data)
{
  gboolean loading = FALSE;
  gpointer weak;

  load_and_wait (f);
  lean_spec_store_set_watching (f->store, TRUE);
  settle ();
  g_signal_connect (f->store, "notify::loading", G_CALLBACK (loading_cb), &loading);

  /* A file changes; the store starts a reload of its own... */
  test_util_write_file (f->tmp, "specs/001-one/README.md", SPEC ("draft", "One"));
  WAIT_UNTIL (loading);

  /* ...and dropping the store then frees it at once, cancelling the scan. */
  weak = f->store;
  g_object_add_weak_pointer (G_OBJECT (f->store), &weak);
  g_clear_object (&f->store);
  g_assert_null (weak);

  /* The cancelled scan still reports back; nothing may touch the store. */
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
}


/* Two folders with one name (one of them archived) give two specs with one
 * id; removing the one lookup() answered with leaves the other findable. */
static void
test_twin_ids (Fixture       *f,
               gconstpointer  data)
{
  LeanSpec *found;
  g_autofree char *dir = NULL;

  test_util_write_file (f->tmp, "specs/archived/001-one/README.md", SPEC ("archived", "One, archived"));
  load_and_wait (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 4);
  found = lean_spec_store_lookup (f->store, "001-one");
  g_assert_nonnull (found);

  dir = g_strdup (lean_spec_get_dir (found));
  test_util_rm_rf (dir);
  load_and_wait (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 3);
  found = lean_spec_store_lookup (f->store, "001-one");
  g_assert_nonnull (found);
  g_assert_true (found == item (f, 0));
  g_assert_cmpstr (lean_spec_get_dir (found), !=, dir);
}

static LeanSpec *
item_of (LeanSpecStore *store,
         guint          pos)
{
  LeanSpec *spec = g_list_model_get_item (G_LIST_MODEL (store), pos);
  g_object_unref (spec); /* the store keeps it alive */
  return spec;
}

/* ---- progressive first load of a large project ------------------------ */

typedef struct
{
  GPtrArray *mirror;       /* the model as its items-changed describe it */
  guint n_changes;
  guint n_reloaded;
  gboolean first_while_loading;
  guint first_n_items;
  GHashTable *shown;       /* ids in the model after the last change */
  gboolean lost_any;       /* a change dropped a spec that was shown */
} Progressive;

static void
progressive_changed_cb (GListModel  *model,
                        guint        pos,
                        guint        removed,
                        guint        added,
                        Progressive *p)
{
  p->n_changes++;
  if (p->n_changes == 1)
    {
      p->first_while_loading = lean_spec_store_get_loading (LEAN_SPEC_STORE (model));
      p->first_n_items = g_list_model_get_n_items (model);
    }

  /* Every change must describe the model exactly: replaying them on a copy
   * gives the model. */
  g_assert_cmpuint (pos + removed, <=, p->mirror->len);
  g_ptr_array_remove_range (p->mirror, pos, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (p->mirror, pos + i, g_list_model_get_item (model, pos + i));
  g_assert_cmpuint (p->mirror->len, ==, g_list_model_get_n_items (model));

  /* A row never blinks away: a change may replace a span, but whatever was
   * listed before is listed after. */
  {
    GHashTable *shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter iter;
    gpointer id;

    for (guint i = 0; i < p->mirror->len; i++)
      g_hash_table_add (shown, g_strdup (lean_spec_get_id (g_ptr_array_index (p->mirror, i))));
    if (p->shown != NULL)
      {
        g_hash_table_iter_init (&iter, p->shown);
        while (g_hash_table_iter_next (&iter, &id, NULL))
          if (!g_hash_table_contains (shown, id))
            p->lost_any = TRUE;
        g_hash_table_unref (p->shown);
      }
    p->shown = shown;
  }
}

static void
progressive_reloaded_cb (LeanSpecStore *store,
                         Progressive   *p)
{
  p->n_reloaded++;
}

/* The store's items equal a one-shot load of the same tree: same ids, same
 * order; and the replayed changes give the same objects. */
static void
assert_same_as_one_shot (LeanProject   *project,
                         LeanSpecStore *store,
                         Progressive   *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) once = lean_project_load_specs (project, NULL, NULL, &error);
  GListModel *model = G_LIST_MODEL (store);

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, once->len);
  g_assert_cmpuint (p->mirror->len, ==, once->len);
  for (guint i = 0; i < once->len; i++)
    {
      g_autoptr(LeanSpec) spec = g_list_model_get_item (model, i);

      g_assert_cmpstr (lean_spec_get_id (spec), ==,
                       lean_spec_get_id (g_ptr_array_index (once, i)));
      g_assert_true (g_ptr_array_index (p->mirror, i) == spec);
    }
}

static void
store_load_wait (LeanSpecStore *store)
{
  LoadWait w = { 0, };

  lean_spec_store_load_async (store, NULL, load_cb, &w);
  g_assert_true (lean_spec_store_get_loading (store));
  test_util_wait_for_flag (&w.done, 60, "the store");
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_false (lean_spec_store_get_loading (store));
}

static void
test_progressive (void)
{
  const char *src_root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *gen = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *tmp = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanSpecStore) store = NULL;
  Progressive p = { 0, };
  LeanSpec *untouched;
  int status = 0;

  gen = g_build_filename (src_root != NULL ? src_root : ".", "..", "shared", "tools",
                          "gen-corpus.py", NULL);
  if (src_root == NULL || !g_file_test (gen, G_FILE_TEST_IS_REGULAR) || python == NULL)
    {
      g_test_skip ("needs python3 and ../shared/tools/gen-corpus.py beside the source tree");
      return;
    }

  tmp = g_dir_make_tmp ("test-store-big-XXXXXX", &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { python, gen, tmp, "2000", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                  &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, &error))
      g_error ("gen-corpus.py failed: %s\n%s", error->message, err);
  }

  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  store = lean_spec_store_new (project);
  p.mirror = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (store, "items-changed", G_CALLBACK (progressive_changed_cb), &p);
  g_signal_connect (store, "reloaded", G_CALLBACK (progressive_reloaded_cb), &p);

  /* First load: the first rows come while loading, more follow. */
  store_load_wait (store);
  g_test_message ("first load: %u items-changed, the first with %u specs", p.n_changes,
                  p.first_n_items);
  g_assert_cmpuint (p.n_changes, >, 1);
  g_assert_true (p.first_while_loading);
  g_assert_cmpuint (p.first_n_items, >, 0);
  g_assert_cmpuint (p.first_n_items, <, 2000);
  g_assert_false (p.lost_any);
  g_assert_cmpuint (p.n_reloaded, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2000);
  assert_same_as_one_shot (project, store, &p);

  /* A reload of unchanged files changes nothing, batches or not. */
  p.n_changes = 0;
  store_load_wait (store);
  g_assert_cmpuint (p.n_changes, ==, 0);
  g_assert_cmpuint (p.n_reloaded, ==, 2);

  /* One spec edited, the last one deleted: exactly those two change, the
   * others keep their objects. */
  {
    g_autoptr(LeanSpec) first = g_list_model_get_item (G_LIST_MODEL (store), 0);
    g_autoptr(LeanSpec) last = g_list_model_get_item (G_LIST_MODEL (store), 1999);
    g_autofree char *first_readme = g_build_filename (lean_spec_get_dir (first), "README.md",
                                                      NULL);
    g_autofree char *text = NULL;

    g_file_get_contents (first_readme, &text, NULL, &error);
    g_assert_no_error (error);
    {
      g_autofree char *edited = g_strconcat (text, "\nOne more line.\n", NULL);

      g_file_set_contents (first_readme, edited, -1, &error);
      g_assert_no_error (error);
    }
    test_util_rm_rf (lean_spec_get_dir (last));
    untouched = item_of (store, 1000);

    p.n_changes = 0;
    store_load_wait (store);
    g_assert_cmpuint (p.n_changes, ==, 2);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1999);
    g_assert_true (item_of (store, 1000) == untouched);
    g_assert_true (item_of (store, 0) != first);
    g_assert_cmpstr (lean_spec_get_id (item_of (store, 0)), ==, lean_spec_get_id (first));
    assert_same_as_one_shot (project, store, &p);
  }

  g_clear_object (&store);
  g_ptr_array_unref (p.mirror);
  g_clear_pointer (&p.shown, g_hash_table_unref);
  test_util_rm_rf (tmp);
}

/* Edits */

typedef struct
{
  gboolean      done;
  LeanSpec     *written;
  LeanSpecEdit *undo;
  GError       *error;
} EditWait;

static void
edit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  EditWait *w = user_data;

  w->written = lean_spec_store_edit_finish (LEAN_SPEC_STORE (object), result, &w->undo, &w->error);
  w->done = TRUE;
}

static void
edit_wait_clear (EditWait *w)
{
  g_clear_object (&w->written);
  g_clear_pointer (&w->undo, lean_spec_edit_unref);
  g_clear_error (&w->error);
  w->done = FALSE;
}

/* Starts @edit (taken) on the spec the store holds as @id. */
static void
start_edit (Fixture      *f,
            const char   *id,
            LeanSpecEdit *edit,
            EditWait     *w)
{
  LeanSpec *spec = lean_spec_store_lookup (f->store, id);

  g_assert_nonnull (spec);
  lean_spec_store_edit_async (f->store, spec, edit, NULL, edit_cb, w);
  lean_spec_edit_unref (edit);
}

static char *
readme (Fixture    *f,
        const char *id)
{
  g_autofree char *path = g_build_filename (f->tmp, "specs", id, "README.md", NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
test_edit_serialised (Fixture       *f,
                      gconstpointer  data)
{
  EditWait a = { 0, }, b = { 0, }, c = { 0, };
  g_autofree char *after = NULL;
  LeanSpec *seen;

  load_and_wait (f);
  seen = lean_spec_store_lookup (f->store, "001-one");

  /* Three edits asked for at once, all from the snapshot on screen: each
   * runs on what the one before wrote, none trips the content check. */
  start_edit (f, "001-one", lean_spec_edit_new_priority (LEAN_SPEC_PRIORITY_LOW), &a);
  start_edit (f, "001-one", lean_spec_edit_new_add_tag ("desktop"), &b);
  lean_spec_store_edit_async (f->store, seen, lean_spec_edit_new_assignee ("zoë"), NULL, edit_cb, &c);
  test_util_wait_for_flag (&c.done, 10, "the third edit");
  g_assert_true (a.done && b.done);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_no_error (c.error);

  /* The second built on the first, the third on both. */
  g_assert_cmpint (lean_spec_get_priority (b.written), ==, LEAN_SPEC_PRIORITY_LOW);
  g_assert_cmpstr (lean_spec_get_tags (c.written)[0], ==, "desktop");
  g_assert_cmpint (lean_spec_get_priority (c.written), ==, LEAN_SPEC_PRIORITY_LOW);
  g_assert_cmpstr (lean_spec_get_assignee (c.written), ==, "zoë");
  g_assert_true (lean_spec_store_lookup (f->store, "001-one") == c.written);

  after = readme (f, "001-one");
  g_assert_nonnull (strstr (after, "priority: low\n"));
  g_assert_nonnull (strstr (after, "- desktop\n"));
  g_assert_nonnull (strstr (after, "assignee: zoë\n"));
  g_assert_cmpstr (lean_spec_get_content_hash (c.written), ==,
                   lean_spec_get_content_hash (lean_spec_store_lookup (f->store, "001-one")));

  /* Each has an Undo that restores what it found. */
  g_assert_nonnull (a.undo);
  g_assert_true (lean_spec_edit_get_expected (c.undo) == c.written);
  g_assert_true (g_bytes_equal (lean_spec_edit_get_contents (c.undo), lean_spec_get_contents (b.written)));

  /* Nothing to change: the same snapshot back, no Undo, no write. */
  edit_wait_clear (&a);
  start_edit (f, "001-one", lean_spec_edit_new_add_tag ("desktop"), &a);
  test_util_wait_for_flag (&a.done, 10, "the edit");
  g_assert_no_error (a.error);
  g_assert_true (a.written == c.written);
  g_assert_null (a.undo);

  edit_wait_clear (&a);
  edit_wait_clear (&b);
  edit_wait_clear (&c);
}

static void
test_edit_changed_on_disk (Fixture       *f,
                           gconstpointer  data)
{
  EditWait w = { 0, };
  g_autofree char *after = NULL;
  const char *external = SPEC ("draft", "One, edited elsewhere");
  LeanSpec *before;

  load_and_wait (f);
  before = lean_spec_store_lookup (f->store, "001-one");

  /* An editor saves the file; the store has not reloaded yet. */
  test_util_write_file (f->tmp, "specs/001-one/README.md", external);
  start_edit (f, "001-one", lean_spec_edit_new_status (LEAN_SPEC_STATUS_IN_PROGRESS), &w);
  test_util_wait_for_flag (&w.done, 10, "the edit");

  g_assert_error (w.error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_assert_null (w.written);
  g_assert_null (w.undo);
  after = readme (f, "001-one");
  g_assert_cmpstr (after, ==, external);
  g_assert_true (lean_spec_store_lookup (f->store, "001-one") == before);
  edit_wait_clear (&w);
}

static void
test_edit_undo (Fixture       *f,
                gconstpointer  data)
{
  EditWait w = { 0, }, undo = { 0, }, later = { 0, }, stale = { 0, };
  g_autofree char *before = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(LeanSpecEdit) undo_edit = NULL;

  load_and_wait (f);
  /* CRLF and a comment: Undo must give back exactly these bytes. */
  test_util_write_file (f->tmp, "specs/002-two/README.md",
                        "---\r\nstatus: in-progress\r\n# keep me\r\npriority: high\r\ntags: [a, b]\r\n---\r\n\r\n# Two\r\n");
  load_and_wait (f);
  before = readme (f, "002-two");

  start_edit (f, "002-two", lean_spec_edit_new_remove_tag ("a"), &w);
  test_util_wait_for_flag (&w.done, 10, "the edit");
  g_assert_no_error (w.error);
  g_assert_cmpuint (g_strv_length ((char **) lean_spec_get_tags (w.written)), ==, 1);
  g_assert_nonnull (w.undo);
  undo_edit = lean_spec_edit_ref (w.undo);

  start_edit (f, "002-two", lean_spec_edit_ref (undo_edit), &undo);
  test_util_wait_for_flag (&undo.done, 10, "the undo");
  g_assert_no_error (undo.error);
  restored = readme (f, "002-two");
  g_assert_cmpstr (restored, ==, before);
  g_assert_cmpuint (g_strv_length ((char **) lean_spec_get_tags (lean_spec_store_lookup (f->store, "002-two"))), ==, 2);

  /* An Undo of a change that a later one built on is refused: it would
   * throw the later one away. */
  start_edit (f, "002-two", lean_spec_edit_new_priority (LEAN_SPEC_PRIORITY_LOW), &later);
  test_util_wait_for_flag (&later.done, 10, "the later edit");
  g_assert_no_error (later.error);
  start_edit (f, "002-two", lean_spec_edit_ref (undo_edit), &stale);
  test_util_wait_for_flag (&stale.done, 10, "the stale undo");
  g_assert_error (stale.error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  kept = readme (f, "002-two");
  g_assert_nonnull (strstr (kept, "priority: low\r\n"));
  g_assert_nonnull (strstr (kept, "tags: [a, b]\r\n"));

  edit_wait_clear (&w);
  edit_wait_clear (&undo);
  edit_wait_clear (&later);
  edit_wait_clear (&stale);
}

static void
test_edit_title_and_complete (Fixture       *f,
                              gconstpointer  data)
{
  EditWait w = { 0, };
  g_autofree char *after = NULL;

  test_util_write_file (f->tmp, "specs/001-one/README.md",
                        "---\nstatus: planned\n---\n\n```\n# not the title\n```\n# One\n\n- [ ] open\n");
  load_and_wait (f);

  start_edit (f, "001-one", lean_spec_edit_new_title ("Uno"), &w);
  test_util_wait_for_flag (&w.done, 10, "the rename");
  g_assert_no_error (w.error);
  after = readme (f, "001-one");
  g_assert_cmpstr (after, ==, "---\nstatus: planned\n---\n\n```\n# not the title\n```\n# Uno\n\n- [ ] open\n");
  g_assert_cmpstr (lean_spec_get_title (lean_spec_store_lookup (f->store, "001-one")), ==, "Uno");
  edit_wait_clear (&w);

  /* A title must stay one line. */
  start_edit (f, "001-one", lean_spec_edit_new_title ("two\nlines"), &w);
  test_util_wait_for_flag (&w.done, 10, "the rename");
  g_assert_error (w.error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  edit_wait_clear (&w);

  /* Complete refuses with the open item, then is forced. */
  start_edit (f, "001-one", lean_spec_edit_new_complete (FALSE), &w);
  test_util_wait_for_flag (&w.done, 10, "complete");
  g_assert_error (w.error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE);
  edit_wait_clear (&w);
  start_edit (f, "001-one", lean_spec_edit_new_complete (TRUE), &w);
  test_util_wait_for_flag (&w.done, 10, "complete");
  g_assert_no_error (w.error);
  g_assert_cmpint (lean_spec_get_status (w.written), ==, LEAN_SPEC_STATUS_COMPLETE);
  edit_wait_clear (&w);

  /* A task line counts in the body, whatever the front matter grew to. */
  start_edit (f, "001-one", lean_spec_edit_new_task ("README.md", 7, TRUE), &w);
  test_util_wait_for_flag (&w.done, 10, "the task");
  g_assert_no_error (w.error);
  g_clear_pointer (&after, g_free);
  after = readme (f, "001-one");
  g_assert_true (g_str_has_suffix (after, "# Uno\n\n- [x] open\n"));
  edit_wait_clear (&w);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/spec-store/load", test_load);
  ADD ("/spec-store/cancelled", test_cancelled);
  ADD ("/spec-store/live-reload", test_live_reload);
  ADD ("/spec-store/replace", test_replace);
  ADD ("/spec-store/replace-during-load", test_replace_during_load);
  ADD ("/spec-store/drop-during-reload", test_drop_during_reload);
  ADD ("/spec-store/twin-ids", test_twin_ids);
  ADD ("/spec-store/edit/serialised", test_edit_serialised);
  ADD ("/spec-store/edit/changed-on-disk", test_edit_changed_on_disk);
  ADD ("/spec-store/edit/undo", test_edit_undo);
  ADD ("/spec-store/edit/title-complete-task", test_edit_title_and_complete);
#undef ADD
  g_test_add_func ("/spec-store/progressive", test_progressive);
  return g_test_run ();
}
