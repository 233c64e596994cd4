/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <git2.h>
#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-git.h"
#include "test-util.h"

/* Real repositories in temp folders, made with libgit2; where the git CLI
 * is installed it is asked too, so what we make is what git sees. */

static const char *SESSION_ID = "0a323c30-7381-4520-bbf9-e21732623fb6";

static char *cache_dir;

/* A repository with one commit holding README.md, src/a.c and old.txt. */
static char *
make_repo (gboolean with_commit)
{
  char *dir = g_dir_make_tmp ("lean-git-XXXXXX", NULL);
  git_repository *repo = NULL;
  git_index *index = NULL;
  git_signature *sig = NULL;
  git_tree *tree = NULL;
  git_oid tree_id, commit_id;

  g_assert_cmpint (git_repository_init (&repo, dir, 0), ==, 0);
  if (with_commit)
    {
      test_util_write_file (dir, "README.md", "# Project\n");
      test_util_write_file (dir, "src/a.c", "int a;\nint b;\n");
      test_util_write_file (dir, "old.txt", "old\n");
      g_assert_cmpint (git_repository_index (&index, repo), ==, 0);
      g_assert_cmpint (git_index_add_bypath (index, "README.md"), ==, 0);
      g_assert_cmpint (git_index_add_bypath (index, "src/a.c"), ==, 0);
      g_assert_cmpint (git_index_add_bypath (index, "old.txt"), ==, 0);
      g_assert_cmpint (git_index_write (index), ==, 0);
      g_assert_cmpint (git_index_write_tree (&tree_id, index), ==, 0);
      g_assert_cmpint (git_tree_lookup (&tree, repo, &tree_id), ==, 0);
      g_assert_cmpint (git_signature_now (&sig, "Test", "test@example.com"), ==, 0);
      g_assert_cmpint (git_commit_create_v (&commit_id, repo, "HEAD", sig, sig, NULL,
                                            "initial", tree, 0), ==, 0);
      git_signature_free (sig);
      git_tree_free (tree);
      git_index_free (index);
    }
  git_repository_free (repo);
  return dir;
}

/* Output of the git CLI, or NULL when git is not installed. */
static char *
git_cli (const char *dir,
         const char *arg1,
         const char *arg2,
         const char *arg3)
{
  g_autofree char *git = g_find_program_in_path ("git");
  const char *argv[] = { "git", "-C", dir, arg1, arg2, arg3, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (git == NULL)
    return NULL;
  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return g_strstrip (out);
}

static void
test_names (void)
{
  g_autofree char *branch = lean_git_branch_name_for_session ("042-foo", SESSION_ID);
  g_autofree char *odd = lean_git_branch_name_for_session ("../x y~z", "ab");
  g_autofree char *path = lean_git_default_worktree_path ("/home/me/projects/app", "042-foo",
                                                          SESSION_ID);
  g_autofree char *expected_path = g_build_filename (cache_dir, "leanspec-desktop", "worktrees",
                                                     "app", "042-foo-0a323c30", NULL);

  g_assert_cmpstr (branch, ==, "leanspec/042-foo-0a323c30");
  /* Whatever the folder is called, the branch name is valid for git. */
  {
    g_autofree char *ref = g_strdup_printf ("refs/heads/%s", odd);
    int valid = 0;

    g_assert_cmpint (git_reference_name_is_valid (&valid, ref), ==, 0);
    g_assert_true (valid);
    g_assert_cmpstr (odd, ==, "leanspec/_.-x-y-z-ab");
  }
  g_assert_cmpstr (path, ==, expected_path);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  if (!lean_git_create_worktree_finish (result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "ok");
}

static void
test_worktree (void)
{
  g_autofree char *repo_dir = make_repo (TRUE);
  g_autofree char *branch = lean_git_branch_name_for_session ("042-foo", SESSION_ID);
  g_autofree char *worktree = lean_git_default_worktree_path (repo_dir, "042-foo", SESSION_ID);
  g_autofree char *readme = g_build_filename (worktree, "README.md", NULL);
  g_autofree char *sub = g_build_filename (repo_dir, "src", NULL);
  g_autofree char *root = NULL;
  g_autofree char *cli = NULL;
  g_autofree char *diff = NULL;
  g_autoptr(GError) error = NULL;
  git_repository *repo = NULL;
  git_reference *ref = NULL;
  git_reference *head = NULL;
  guint modified = 99, added = 99, deleted = 99;

  g_assert_true (g_str_has_prefix (worktree, cache_dir));
  g_assert_true (lean_git_create_worktree (repo_dir, branch, worktree, &error));
  g_assert_no_error (error);

  /* The branch exists at HEAD and the worktree has HEAD's files. */
  g_assert_true (g_file_test (readme, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (git_repository_open (&repo, repo_dir), ==, 0);
  g_assert_cmpint (git_branch_lookup (&ref, repo, branch, GIT_BRANCH_LOCAL), ==, 0);
  g_assert_cmpint (git_repository_head (&head, repo), ==, 0);
  g_assert_true (git_oid_equal (git_reference_target (ref), git_reference_target (head)));
  git_reference_free (ref);
  git_reference_free (head);
  git_repository_free (repo);

  cli = git_cli (worktree, "rev-parse", "--abbrev-ref", "HEAD");
  if (cli != NULL)
    {
      g_assert_cmpstr (cli, ==, branch);
      g_clear_pointer (&cli, g_free);
      cli = git_cli (repo_dir, "worktree", "list", "--porcelain");
      g_assert_nonnull (strstr (cli, worktree));
      g_assert_nonnull (strstr (cli, "branch refs/heads/leanspec/042-foo-0a323c30"));
    }

  /* The worktree is its own repository root; the main one is unaffected. */
  root = lean_git_find_repo_root (worktree, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (root, ==, worktree);
  g_clear_pointer (&root, g_free);
  root = lean_git_find_repo_root (sub, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (root, ==, repo_dir);

  /* An agent's work: one file changed, one added, one deleted. */
  g_assert_true (lean_git_status_summary (worktree, &modified, &added, &deleted, &error));
  g_assert_cmpuint (modified + added + deleted, ==, 0);
  diff = lean_git_diff_summary (worktree, &error);
  g_assert_cmpstr (diff, ==, "No changes");
  g_clear_pointer (&diff, g_free);

  test_util_write_file (worktree, "src/a.c", "int a;\nint c;\nint d;\n");
  test_util_write_file (worktree, "src/new.c", "int n;\n");
  {
    g_autofree char *old = g_build_filename (worktree, "old.txt", NULL);

    g_assert_cmpint (g_unlink (old), ==, 0);
  }
  g_assert_true (lean_git_status_summary (worktree, &modified, &added, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (modified, ==, 1);
  g_assert_cmpuint (added, ==, 1);
  g_assert_cmpuint (deleted, ==, 1);
  diff = lean_git_diff_summary (worktree, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (diff, ==, "3 files changed, 3 insertions(+), 2 deletions(-)");
  /* The main checkout did not change. */
  g_assert_true (lean_git_status_summary (repo_dir, &modified, &added, &deleted, &error));
  g_assert_cmpuint (modified + added + deleted, ==, 0);

  /* Refusals say why. */
  {
    g_autofree char *other = g_build_filename (cache_dir, "other-wt", NULL);

    g_assert_false (lean_git_create_worktree (repo_dir, branch, other, &error));
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
    g_assert_nonnull (strstr (error->message, "exists already"));
    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
    g_clear_error (&error);
  }
  g_assert_false (lean_git_create_worktree (repo_dir, "leanspec/another", worktree, &error));
  g_assert_nonnull (strstr (error->message, "already there"));
  g_clear_error (&error);

  /* Removing the worktree keeps the branch with the agent's work. */
  g_assert_true (lean_git_remove_worktree (repo_dir, worktree, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (worktree, G_FILE_TEST_EXISTS));
  g_assert_cmpint (git_repository_open (&repo, repo_dir), ==, 0);
  g_assert_cmpint (git_branch_lookup (&ref, repo, branch, GIT_BRANCH_LOCAL), ==, 0);
  git_reference_free (ref);
  git_repository_free (repo);
  g_assert_false (lean_git_remove_worktree (repo_dir, worktree, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The async form, from a worker thread. */
  {
    g_autofree char *branch2 = lean_git_branch_name_for_session ("042-foo", "ffffffff-0000");
    g_autofree char *path2 = lean_git_default_worktree_path (repo_dir, "042-foo",
                                                             "ffffffff-0000");
    GError *result = NULL;

    lean_git_create_worktree_async (repo_dir, branch2, path2, NULL, on_created, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_error (result, G_IO_ERROR, G_IO_ERROR_NONE);
    g_error_free (result);
    g_assert_true (g_file_test (path2, G_FILE_TEST_IS_DIR));
    test_util_rm_rf (path2);
  }

  test_util_rm_rf (repo_dir);
}

static void
test_refusals (void)
{
  g_autofree char *empty = make_repo (FALSE);
  g_autofree char *plain = g_dir_make_tmp ("lean-nogit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (cache_dir, "never", NULL);
  g_autoptr(GError) error = NULL;
  char *root;

  g_assert_false (lean_git_create_worktree (empty, "leanspec/x-1", path, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "no commit yet"));
  g_clear_error (&error);

  g_assert_false (lean_git_create_worktree (plain, "leanspec/x-1", path, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "is not a git repository"));
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  root = lean_git_find_repo_root (plain, &error);
  g_assert_null (root);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);

  test_util_rm_rf (empty);
  test_util_rm_rf (plain);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *base = NULL;
  int ret;

  /* Before any thread: worktrees go to a temp cache dir, and no git config
   * from the machine changes the results. */
  base = g_dir_make_tmp ("lean-cache-XXXXXX", NULL);
  cache_dir = g_canonicalize_filename (base, NULL);
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);
  g_setenv ("GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_setenv ("HOME", cache_dir, TRUE);
  git_libgit2_init ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/git/names", test_names);
  g_test_add_func ("/git/worktree", test_worktree);
  g_test_add_func ("/git/refusals", test_refusals);

  ret = g_test_run ();
  test_util_rm_rf (cache_dir);
  g_free (cache_dir);
  git_libgit2_shutdown ();
  return ret;
}
