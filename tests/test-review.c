/* SPDX-License-Identifier: MIT */
/* Reviewing and landing sessions' work on real repositories in temp
 * folders: sessions run by the controller with the test agent, their
 * "work" written into their worktree, then diffed, landed, discarded and
 * pruned through the sessions wing, and checked with the git CLI. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-controller.h"
#include "lean-error.h"
#include "lean-git-change.h"
#include "lean-session-db.h"
#include "lean-session-followup.h"
#include "lean-session-review.h"
#include "lean-trust-store.h"
#include "lean-worktree-setup.h"

#include "test-review-util.h"

static const LeanGitFileChange *
find_file (LeanGitChange *change,
           const char    *path)
{
  for (guint i = 0; i < change->files->len; i++)
    {
      LeanGitFileChange *file = g_ptr_array_index (change->files, i);

      if (g_str_equal (file->path, path))
        return file;
    }
  return NULL;
}

static void
on_review (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

static void
test_review_counts (ReviewFixture *f,
                    gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autoptr(LeanGitChange) change = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *base = test_git (f->project, "rev-parse", "HEAD", NULL);
  g_autofree char *big = g_malloc (2 * 1024 * 1024);
  const guint8 png[] = { 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 1, 0 };
  gboolean binary = FALSE, too_large = FALSE;
  const LeanGitFileChange *file;

  g_assert_nonnull (wt);
  /* A committed edit, an uncommitted edit, an untracked new file, a
   * deletion, a binary file and one over the size limit. */
  test_write_at (wt, "c.txt", "committed\nby the agent\n");
  g_free (test_git (wt, "add", "c.txt", NULL));
  g_free (test_git (wt, "commit", "-q", "-m", "agent commit", NULL));
  test_write_at (wt, "a.txt", "one\nTWO\nthree\nfour\nfive\n");
  test_write_at (wt, "src/new.c", "int\nmain (void)\n{\n  return 0;\n}\n");
  g_assert_cmpint (g_unlink (g_build_filename (wt, "b.txt", NULL)), ==, 0);
  g_assert_true (g_file_set_contents (g_build_filename (wt, "logo.png", NULL), (char *)png,
                                      sizeof png, NULL));
  memset (big, 'x', 2 * 1024 * 1024);
  for (gsize i = 80; i < 2 * 1024 * 1024; i += 81)
    big[i] = '\n';
  g_assert_true (g_file_set_contents (g_build_filename (wt, "big.txt", NULL), big,
                                      2 * 1024 * 1024, NULL));

  /* The main working tree is not the session's: nothing shows from it. */
  test_write_at (f->project, "mine.txt", "the person's own file\n");

  lean_session_review_async (f->db, session, NULL, on_review, &result);
  test_wait_until (result_arrived, &result, 30);
  change = lean_session_review_finish (result, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (change->base, ==, base);
  g_assert_cmpuint (change->files->len, ==, 6);
  g_assert_null (find_file (change, "mine.txt"));
  file = find_file (change, "a.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (file->status, ==, LEAN_GIT_FILE_MODIFIED);
  g_assert_cmpuint (file->added, ==, 3);
  g_assert_cmpuint (file->removed, ==, 1);
  file = find_file (change, "b.txt");
  g_assert_cmpint (file->status, ==, LEAN_GIT_FILE_DELETED);
  g_assert_cmpuint (file->added, ==, 0);
  g_assert_cmpuint (file->removed, ==, 5);
  file = find_file (change, "c.txt");
  g_assert_cmpint (file->status, ==, LEAN_GIT_FILE_ADDED);
  g_assert_cmpuint (file->added, ==, 2);
  file = find_file (change, "src/new.c");
  g_assert_cmpint (file->status, ==, LEAN_GIT_FILE_ADDED);
  g_assert_cmpuint (file->added, ==, 5);
  file = find_file (change, "logo.png");
  g_assert_true (file->binary);
  g_assert_false (file->too_large);
  g_assert_cmpuint (file->added + file->removed, ==, 0);
  file = find_file (change, "big.txt");
  g_assert_true (file->too_large);
  g_assert_cmpuint (change->added, ==, 3 + 2 + 5);
  g_assert_cmpuint (change->removed, ==, 1 + 5);

  patch = lean_session_file_patch (f->db, session, "a.txt", &binary, &too_large, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (patch, "-two\n+TWO\n"));
  g_assert_nonnull (strstr (patch, "+five\n"));
  g_clear_pointer (&patch, g_free);
  patch = lean_session_file_patch (f->db, session, "logo.png", &binary, &too_large, &error);
  g_assert_no_error (error);
  g_assert_null (patch);
  g_assert_true (binary);
  patch = lean_session_file_patch (f->db, session, "big.txt", &binary, &too_large, &error);
  g_assert_null (patch);
  g_assert_true (too_large);
  g_assert_false (binary);
}

static void
test_review_in_place (ReviewFixture *f,
                      gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", FALSE);
  g_autoptr(LeanGitChange) change = NULL;
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *status = NULL;

  g_assert_null (lean_session_get_worktree_path (session));
  test_write_at (f->project, "a.txt", "one\ntwo\nthree\nfour\n");
  change = lean_session_review (f->db, session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (change->files->len, ==, 1);
  g_assert_cmpuint (change->added, ==, 1);

  result = lean_session_land (f->db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_COMMITTED);
  subject = test_git (f->project, "log", "-1", "--format=%s%n%an <%ae>", NULL);
  g_assert_cmpstr (subject, ==, "001: First\nReview Tester <review@example.invalid>");
  status = test_git (f->project, "status", "--porcelain", NULL);
  g_assert_cmpstr (status, ==, "");
}

static void
test_land_fast_forward (ReviewFixture *f,
                        gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  g_autofree char *wt = g_strdup (lean_session_get_worktree_path (session));
  g_autofree char *before = test_git (f->project, "rev-parse", "main", NULL);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *branches = NULL;

  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\n");
  test_write_at (wt, "new.txt", "new\n");
  result = lean_session_land (f->db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_FAST_FORWARD);
  g_assert_nonnull (result->commit);
  g_assert_cmpstr (result->landed, ==, result->commit);

  /* main moved one commit ahead, and the main working tree followed. */
  parent = test_git (f->project, "rev-parse", "main~1", NULL);
  g_assert_cmpstr (parent, ==, before);
  subject = test_git (f->project, "log", "-1", "--format=%s", "main", NULL);
  g_assert_cmpstr (subject, ==, "001: First");
  text = test_read_at (f->project, "new.txt");
  g_assert_cmpstr (text, ==, "new\n");
  g_free (text);
  text = test_git (f->project, "status", "--porcelain", NULL);
  g_assert_cmpstr (text, ==, "");
  /* Landed: worktree and branch are gone. */
  g_assert_false (g_file_test (wt, G_FILE_TEST_EXISTS));
  branches = test_git (f->project, "branch", "--list", "leanspec/*", NULL);
  g_assert_cmpstr (branches, ==, "");
}

static void
test_land_merge_commit (ReviewFixture *f,
                        gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parents = NULL;
  g_autofree char *a = NULL;
  g_autofree char *other = NULL;
  g_auto(GStrv) ids = NULL;

  /* The base moved on while the agent worked, in another file. */
  test_write_at (f->project, "other.txt", "on main\n");
  g_free (test_git (f->project, "add", "other.txt", NULL));
  g_free (test_git (f->project, "commit", "-q", "-m", "meanwhile on main", NULL));
  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\n");

  result = lean_session_land (f->db, session, "042: my message", 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_MERGED);
  parents = test_git (f->project, "rev-list", "--parents", "-n", "1", "main", NULL);
  ids = g_strsplit (parents, " ", -1);
  g_assert_cmpuint (g_strv_length (ids), ==, 3);
  a = test_read_at (f->project, "a.txt");
  g_assert_cmpstr (a, ==, "one\ntwo\nthree\nfour\n");
  other = test_read_at (f->project, "other.txt");
  g_assert_cmpstr (other, ==, "on main\n");
  g_free (parents);
  parents = test_git (f->project, "log", "-1", "--format=%B", result->commit, NULL);
  g_assert_cmpstr (parents, ==, "042: my message");
  /* --keep-worktree */
  g_assert_true (g_file_test (wt, G_FILE_TEST_IS_DIR));
}

static void
test_land_squash (ReviewFixture *f,
                  gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autofree char *before = test_git (f->project, "rev-parse", "main", NULL);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parents = NULL;
  g_autofree char *count = NULL;
  g_autofree char *body = NULL;
  g_autofree char *c = NULL;

  test_write_at (wt, "c.txt", "first\n");
  g_free (test_git (wt, "add", "-A", NULL));
  g_free (test_git (wt, "commit", "-q", "-m", "wip 1", NULL));
  test_write_at (wt, "c.txt", "first\nsecond\n");
  g_free (test_git (wt, "commit", "-q", "-am", "wip 2", NULL));
  test_write_at (wt, "d.txt", "uncommitted\n");

  result = lean_session_land (f->db, session, "001: squashed", LEAN_GIT_LAND_SQUASH, FALSE,
                              &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_SQUASHED);
  parents = test_git (f->project, "rev-list", "--parents", "-n", "1", "main", NULL);
  g_assert_cmpstr (strchr (parents, ' ') + 1, ==, before);
  count = test_git (f->project, "rev-list", "--count", "main", NULL);
  g_assert_cmpstr (count, ==, "2");
  body = test_git (f->project, "log", "-1", "--format=%B", "main", NULL);
  g_assert_cmpstr (body, ==, "001: squashed");
  c = test_read_at (f->project, "c.txt");
  g_assert_cmpstr (c, ==, "first\nsecond\n");
  g_free (c);
  c = test_read_at (f->project, "d.txt");
  g_assert_cmpstr (c, ==, "uncommitted\n");
}

/* Every file of the main working tree and its .git/index and refs, by
 * path: what must not change when a landing fails. */
static void
snapshot_dir (GHashTable *out,
              const char *root,
              const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      char *bytes = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_hash_table_insert (out, g_strdup (rel), g_bytes_new_take (bytes, len));
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = *rel != '\0' ? g_build_filename (rel, name, NULL) : g_strdup (name);

      /* objects/ may gain unreferenced objects; logs are git's own; the
       * session's branch holds its work, committed before the merge. */
      if (g_str_equal (child, ".git/objects") || g_str_equal (child, ".git/logs") ||
          g_str_equal (child, ".git/worktrees") || g_str_equal (child, ".git/refs/heads/leanspec"))
        continue;
      snapshot_dir (out, root, child);
    }
}

static GHashTable *
snapshot (const char *root)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_bytes_unref);

  snapshot_dir (out, root, "");
  return out;
}

static void
assert_same_snapshot (GHashTable *before,
                      GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GBytes *now = g_hash_table_lookup (after, key);

      if (now == NULL || !g_bytes_equal (now, value))
        g_error ("%s changed", (char *)key);
    }
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
}

static void
test_land_conflict_untouched (ReviewFixture *f,
                              gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;

  test_write_at (f->project, "a.txt", "ONE on main\ntwo\nthree\n");
  g_free (test_git (f->project, "commit", "-q", "-am", "main edits a", NULL));
  test_write_at (wt, "a.txt", "one by the agent\ntwo\nthree\n");
  test_write_at (wt, "b.txt", "1\n2\n3\n4\n5\n6\n");
  /* The person's own work in progress in the main tree: staged and not. */
  test_write_at (f->project, "notes.txt", "staged\n");
  g_free (test_git (f->project, "add", "notes.txt", NULL));
  test_write_at (f->project, "notes.txt", "staged\nand more\n");
  test_write_at (f->project, "untracked.txt", "mine\n");

  before = snapshot (f->project);
  result = lean_session_land (f->db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_CONFLICT);
  g_assert_false (result->local_changes);
  g_assert_cmpuint (g_strv_length (result->conflicts), ==, 1);
  g_assert_cmpstr (result->conflicts[0], ==, "a.txt");
  after = snapshot (f->project);
  assert_same_snapshot (before, after);
  /* The work stays, committed on the session's branch. */
  g_assert_true (g_file_test (wt, G_FILE_TEST_IS_DIR));
  g_assert_nonnull (result->commit);

  /* Squashing meets the same conflict. */
  lean_git_land_result_free (g_steal_pointer (&result));
  result = lean_session_land (f->db, session, NULL, LEAN_GIT_LAND_SQUASH, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_CONFLICT);
  g_hash_table_unref (after);
  after = snapshot (f->project);
  assert_same_snapshot (before, after);
}

static void
test_land_local_changes_untouched (ReviewFixture *f,
                                   gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autofree char *main_before = test_git (f->project, "rev-parse", "main", NULL);
  g_autofree char *main_after = NULL;
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;

  /* A fast-forward would overwrite the person's unsaved edit of a.txt. */
  test_write_at (wt, "a.txt", "agent\n");
  test_write_at (wt, "b.txt", "agent too\n");
  test_write_at (f->project, "a.txt", "the person's unsaved edit\n");
  before = snapshot (f->project);
  result = lean_session_land (f->db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_CONFLICT);
  g_assert_true (result->local_changes);
  g_assert_cmpstr (result->conflicts[0], ==, "a.txt");
  after = snapshot (f->project);
  assert_same_snapshot (before, after);
  main_after = test_git (f->project, "rev-parse", "main", NULL);
  g_assert_cmpstr (main_after, ==, main_before);
}

static void
test_land_no_merge (ReviewFixture *f,
                    gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autofree char *main_before = test_git (f->project, "rev-parse", "main", NULL);
  g_autofree char *main_after = NULL;
  g_autofree char *tip = NULL;
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_write_at (wt, "a.txt", "agent\n");
  result = lean_session_land (f->db, session, NULL, LEAN_GIT_LAND_NO_MERGE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_COMMITTED);
  main_after = test_git (f->project, "rev-parse", "main", NULL);
  g_assert_cmpstr (main_after, ==, main_before);
  tip = test_git (f->project, "rev-parse", lean_session_get_branch (session), NULL);
  g_assert_cmpstr (tip, ==, result->commit);
  g_assert_true (g_file_test (wt, G_FILE_TEST_IS_DIR));
}

static void
test_discard (ReviewFixture *f,
              gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  g_autoptr(LeanSession) in_place = run_session (f, "flood2", FALSE);
  g_autofree char *wt = g_strdup (lean_session_get_worktree_path (session));
  g_autofree char *branches = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GError) error = NULL;

  test_write_at (wt, "a.txt", "agent\n");
  g_assert_true (lean_session_discard (f->db, session, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (wt, G_FILE_TEST_EXISTS));
  branches = test_git (f->project, "branch", "--list", "leanspec/*", NULL);
  g_assert_cmpstr (branches, ==, "");
  list = test_git (f->project, "worktree", "list", "--porcelain", NULL);
  g_assert_null (strstr (list, wt));

  /* In place there is no branch to drop: refused, nothing touched. */
  g_assert_false (lean_session_discard (f->db, in_place, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
}

static void
test_prune_only_ended (ReviewFixture *f,
                       gconstpointer  data)
{
  g_autoptr(LeanSession) ended = run_session (f, "flood2", TRUE);
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(LeanSession) running = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint removed;
  gboolean saw_running = FALSE, saw_ended = FALSE;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("002-second");
  request->agent_id = g_strdup ("sleepy");
  request->prompt = g_strdup ("sleep");
  request->set_in_progress = FALSE;
  request->use_worktree = TRUE;
  running = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_object_ref (running);
  test_wait_until (test_session_is_running, running, 30);
  lean_session_db_flush (f->db);

  list = lean_session_worktrees_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      LeanSessionWorktree *w = g_ptr_array_index (list, i);

      g_assert_cmpuint (w->bytes, >, 0);
      g_assert_cmpint (w->age, >=, 0);
      if (g_str_equal (w->session_id, lean_session_get_id (running)))
        saw_running = !w->ended;
      else
        saw_ended = w->ended;
    }
  g_assert_true (saw_running && saw_ended);

  /* A running session's worktree cannot be removed one by one either. */
  g_assert_false (lean_session_worktree_remove (f->db, lean_session_get_worktree_path (running),
                                                &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  removed = lean_session_worktrees_prune (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_false (g_file_test (lean_session_get_worktree_path (ended), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lean_session_get_worktree_path (running), G_FILE_TEST_IS_DIR));
  /* The ended session's branch holds its work: kept. */
  g_free (test_git (f->project, "rev-parse", "--verify", lean_session_get_branch (ended), NULL));

  lean_controller_cancel (f->controller, running);
  test_wait_until (test_session_is_final, running, 30);
}

static void
on_followup (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static LeanSession *
followup (ReviewFixture *f,
          LeanSession *session,
          const char  *message,
          GPtrArray   *comments)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LeanSession *next;

  lean_controller_followup_async (f->controller, session, message, comments, NULL, on_followup,
                                  &result);
  test_wait_until (result_arrived, &result, 30);
  next = lean_controller_followup_finish (f->controller, result, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, next, 60);
  lean_session_db_flush (f->db);
  return next;
}

static char *
raw_output (ReviewFixture *f,
            LeanSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                                             LEAN_OUTPUT_CHANNEL_RAW, -1, NULL,
                                                             &error);

  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

static void
test_followup_resumes_claude (ReviewFixture *f,
                              gconstpointer  data)
{
  g_autoptr(LeanSession) first = NULL;
  g_autoptr(LeanSession) next = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)lean_review_comment_free);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean found = FALSE;

  test_review_claude_is_test_agent ();
  first = run_session (f, "claude", TRUE);
  out = raw_output (f, first);
  g_assert_null (strstr (out, "RESUMED["));
  g_clear_pointer (&out, g_free);

  g_ptr_array_add (comments, lean_review_comment_new ("a.txt", 2, "use a constant\x1b[31m here"));
  g_ptr_array_add (comments, lean_review_comment_new ("src/x.c", 10, "and a test"));
  next = followup (f, first, "Please address the review", comments);
  g_assert_cmpint (lean_session_get_state (next), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpstr (lean_session_get_worktree_path (next), ==,
                   lean_session_get_worktree_path (first));
  g_assert_cmpstr (lean_session_get_branch (next), ==, lean_session_get_branch (first));

  out = raw_output (f, next);
  /* The id Claude's stream reported for the first conversation. */
  g_assert_nonnull (strstr (out, "RESUMED[5f0c2a4e-test-agent]"));
  g_assert_nonnull (strstr (out, "I will implement: Please address the review"));
  request = lean_controller_dup_request (f->controller, next);
  g_assert_nonnull (strstr (request->prompt, "- a.txt:2: use a constant [31m here\n"));
  g_assert_nonnull (strstr (request->prompt, "- src/x.c:10: and a test\n"));
  /* Resumed: the conversation has the spec already. */
  g_assert_null (strstr (request->prompt, "# First"));

  events = lean_session_db_read_events (f->db, lean_session_get_id (next), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->kind, "followup"))
        {
          g_assert_nonnull (strstr (event->payload, lean_session_get_id (first)));
          g_assert_nonnull (strstr (event->payload, "\"resumed\":true"));
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_followup_new_conversation (ReviewFixture *f,
                                gconstpointer  data)
{
  /* "json" is a runners.json agent: it cannot resume a conversation. */
  g_autoptr(LeanSession) first = run_session (f, "json", TRUE);
  g_autoptr(LeanSession) next = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func (
    (GDestroyNotify)lean_review_comment_free);
  g_autoptr(LeanGitChange) change = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  test_write_at (lean_session_get_worktree_path (first), "a.txt", "agent\n");
  g_ptr_array_add (comments, lean_review_comment_new ("a.txt", 1, "keep the old lines"));
  next = followup (f, first, NULL, comments);
  out = raw_output (f, next);
  g_assert_null (strstr (out, "RESUMED["));
  request = lean_controller_dup_request (f->controller, next);
  /* The spec, the earlier summary, then the comments. */
  g_assert_nonnull (strstr (request->prompt, "# First"));
  g_assert_nonnull (strstr (request->prompt, "Done: the spec is implemented."));
  g_assert_nonnull (strstr (request->prompt, "- a.txt:1: keep the old lines\n"));
  g_assert_true (strstr (request->prompt, "# First") <
                 strstr (request->prompt, "keep the old lines"));

  /* The follow-up's change is still measured from where the first began. */
  change = lean_session_review (f->db, next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (change->files->len, ==, 1);
  g_assert_cmpuint (change->removed, ==, 3);
}

static void
test_worktree_setup_trust (ReviewFixture *f,
                           gconstpointer  data)
{
  g_autoptr(LeanSession) untrusted = NULL;
  g_autoptr(LeanSession) trusted = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(LeanTrustRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *env = NULL;
  g_autofree char *ran = NULL;
  gboolean noted = FALSE;

  test_write_at (f->project, ".env", "SECRET=1\n");
  test_write_at (f->project, ".lean-spec/worktree.json",
            "{\"copy\": [\".env\", \"absent.txt\"], \"setup\": \"echo setup-ok > setup-ran\"}");

  untrusted = run_session (f, "flood2", TRUE);
  g_assert_false (g_file_test (g_build_filename (lean_session_get_worktree_path (untrusted),
                                                 ".env", NULL), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (g_build_filename (lean_session_get_worktree_path (untrusted),
                                                 "setup-ran", NULL), G_FILE_TEST_EXISTS));
  events = lean_session_db_read_events (f->db, lean_session_get_id (untrusted), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->kind, "worktree-setup"))
        noted = strstr (event->payload, "not trusted") != NULL;
    }
  g_assert_true (noted);

  request = lean_worktree_setup_get_request (f->project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (request->commands->len, ==, 1);
  lean_trust_store_trust (lean_trust_store_get_default (), request->path, request->sha256,
                          &error);
  g_assert_no_error (error);

  trusted = run_session (f, "flood2", TRUE);
  env = test_read_at (lean_session_get_worktree_path (trusted), ".env");
  g_assert_cmpstr (env, ==, "SECRET=1\n");
  ran = test_read_at (lean_session_get_worktree_path (trusted), "setup-ran");
  g_assert_cmpstr (ran, ==, "setup-ok\n");
}

static void
test_worktree_setup_refuses_outside (ReviewFixture *f,
                                     gconstpointer  data)
{
  g_autoptr(LeanTrustRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  g_autofree char *target = g_build_filename (f->dir, "target", NULL);

  test_write_at (f->dir, "secret.txt", "outside\n");
  test_write_at (f->project, ".lean-spec/worktree.json", "{\"copy\": [\"../secret.txt\"]}");
  g_assert_null (lean_worktree_setup_get_request (f->project, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* Trusted or not, a link out of the project copies nothing. */
  test_write_at (f->project, ".lean-spec/worktree.json", "{\"copy\": [\"link.txt\"]}");
  g_assert_cmpint (symlink ("../secret.txt", g_build_filename (f->project, "link.txt", NULL)),
                   ==, 0);
  request = lean_worktree_setup_get_request (f->project, &error);
  g_assert_no_error (error);
  lean_trust_store_trust (lean_trust_store_get_default (), request->path, request->sha256,
                          &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (target, 0700), ==, 0);
  g_assert_false (lean_worktree_setup_run (f->project, target, &note, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_false (g_file_test (g_build_filename (target, "link.txt", NULL), G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  test_review_git_identity ();

  if (!test_agent_path_exists ())
    {
      g_printerr ("lean-test-agent not built\n");
      return 1;
    }

#define ADD(name, func) \
  g_test_add ("/review/" name, ReviewFixture, NULL, test_review_fixture_setup, func, \
              test_review_fixture_teardown)
  ADD ("counts", test_review_counts);
  ADD ("in-place", test_review_in_place);
  ADD ("land-fast-forward", test_land_fast_forward);
  ADD ("land-merge-commit", test_land_merge_commit);
  ADD ("land-squash", test_land_squash);
  ADD ("land-conflict-untouched", test_land_conflict_untouched);
  ADD ("land-local-changes-untouched", test_land_local_changes_untouched);
  ADD ("land-no-merge", test_land_no_merge);
  ADD ("discard", test_discard);
  ADD ("prune-only-ended", test_prune_only_ended);
  ADD ("followup-resumes-claude", test_followup_resumes_claude);
  ADD ("followup-new-conversation", test_followup_new_conversation);
  ADD ("worktree-setup-trust", test_worktree_setup_trust);
  ADD ("worktree-setup-refuses-outside", test_worktree_setup_refuses_outside);
  status = g_test_run ();
  return test_session_env_cleanup (status);
}
