/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-error.h"
#include "lean-git.h"
#include "lean-git-land.h"
#include "lean-git-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_index_conflict_iterator, git_index_conflict_iterator_free)

void
lean_git_land_result_free (LeanGitLandResult *result)
{
  if (result == NULL)
    return;
  g_free (result->commit);
  g_free (result->landed);
  g_strfreev (result->conflicts);
  g_free (result);
}

const char *
lean_git_land_outcome_to_string (LeanGitLandOutcome outcome)
{
  switch (outcome)
    {
    case LEAN_GIT_LANDED_NOTHING:
      return "nothing";
    case LEAN_GIT_LANDED_COMMITTED:
      return "committed";
    case LEAN_GIT_LANDED_FAST_FORWARD:
      return "fast-forward";
    case LEAN_GIT_LANDED_MERGED:
      return "merged";
    case LEAN_GIT_LANDED_SQUASHED:
      return "squashed";
    case LEAN_GIT_LANDED_CONFLICT:
    default:
      return "conflict";
    }
}

static git_signature *
default_signature (git_repository  *repo,
                   GError         **error)
{
  git_signature *sig = NULL;

  if (git_signature_default (&sig, repo) < 0)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("Git does not know who you are: set your name and email with "
                             "“git config --global user.name NAME” and "
                             "“git config --global user.email EMAIL”"));
      return NULL;
    }
  return sig;
}

gboolean
lean_git_commit_all (const char  *workdir,
                     const char  *message,
                     char       **commit_id,
                     GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_index) index = NULL;
  g_autoptr(git_tree) tree = NULL;
  g_autoptr(git_commit) parent = NULL;
  g_autoptr(git_reference) head = NULL;
  g_autoptr(git_signature) sig = NULL;
  char *all[] = { (char *)"*" };
  git_strarray pathspec = { all, 1 };
  const git_commit *parents[1];
  git_oid tree_id, commit;
  int rc;

  g_return_val_if_fail (workdir != NULL && message != NULL, FALSE);

  if (commit_id != NULL)
    *commit_id = NULL;
  repo = _lean_git_open_repo (workdir, error);
  if (repo == NULL)
    return FALSE;

  if ((rc = git_repository_index (&index, repo)) < 0 ||
      (rc = git_index_add_all (index, &pathspec, GIT_INDEX_ADD_DEFAULT, NULL, NULL)) < 0 ||
      (rc = git_index_update_all (index, &pathspec, NULL, NULL)) < 0 ||
      (rc = git_index_write_tree (&tree_id, index)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not stage the changes"));
      return FALSE;
    }

  rc = git_repository_head (&head, repo);
  if (rc == 0)
    {
      g_autoptr(git_object) object = NULL;

      if ((rc = git_reference_peel (&object, head, GIT_OBJECT_COMMIT)) < 0)
        {
          _lean_git_set_error (error, rc, _("HEAD does not point to a commit"));
          return FALSE;
        }
      parent = (git_commit *)g_steal_pointer (&object);
      /* Nothing changed: no empty commit. */
      if (git_oid_equal (git_commit_tree_id (parent), &tree_id))
        return TRUE;
    }
  else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND)
    {
      _lean_git_set_error (error, rc, _("Could not read HEAD"));
      return FALSE;
    }

  sig = default_signature (repo, error);
  if (sig == NULL)
    return FALSE;
  if ((rc = git_tree_lookup (&tree, repo, &tree_id)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not commit"));
      return FALSE;
    }
  /* The index is written only once the commit is sure to be made. */
  if ((rc = git_index_write (index)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not write the index"));
      return FALSE;
    }
  parents[0] = parent;
  rc = git_commit_create (&commit, repo, "HEAD", sig, sig, NULL, message, tree,
                          parent != NULL ? 1 : 0, parents);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not commit"));
      return FALSE;
    }
  if (commit_id != NULL)
    *commit_id = g_strdup (git_oid_tostr_s (&commit));
  return TRUE;
}

static char *
head_branch (git_repository *repo)
{
  g_autoptr(git_reference) head = NULL;

  if (git_repository_head (&head, repo) < 0 || !git_reference_is_branch (head))
    return NULL;
  return g_strdup (git_reference_shorthand (head));
}

/* The main working tree's repository (the one holding .git itself). */
static git_repository *
open_main (git_repository  *repo,
           GError         **error)
{
  git_repository *main_repo = NULL;
  int rc = git_repository_open (&main_repo, git_repository_commondir (repo));

  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not open the main repository"));
      return NULL;
    }
  return main_repo;
}

char *
lean_git_main_branch (const char  *path,
                      GError     **error)
{
  g_autoptr(git_repository) repo = _lean_git_open_repo (path, error);
  g_autoptr(git_repository) main_repo = NULL;

  if (repo == NULL || (main_repo = open_main (repo, error)) == NULL)
    return NULL;
  return head_branch (main_repo);
}

gboolean
lean_git_head (const char  *path,
               char       **commit_id,
               char       **branch,
               GError     **error)
{
  g_autoptr(git_repository) repo = _lean_git_open_repo (path, error);
  g_autoptr(git_object) object = NULL;
  int rc;

  if (repo == NULL)
    return FALSE;
  rc = git_revparse_single (&object, repo, "HEAD^{commit}");
  if (rc < 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” has no commit yet"), path);
      return FALSE;
    }
  if (commit_id != NULL)
    *commit_id = g_strdup (git_oid_tostr_s (git_object_id (object)));
  if (branch != NULL)
    *branch = head_branch (repo);
  return TRUE;
}

static git_tree *
commit_tree (git_repository  *repo,
             const char      *id,
             GError         **error)
{
  g_autoptr(git_object) object = NULL;
  git_tree *tree = NULL;
  int rc;

  if ((rc = git_revparse_single (&object, repo, id)) < 0 ||
      (rc = git_object_peel ((git_object **)&tree, object, GIT_OBJECT_TREE)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not read a commit"));
      return NULL;
    }
  return tree;
}

gboolean
lean_git_diff_stats (const char        *path,
                     const char        *from_id,
                     const char        *to_id,
                     LeanGitDiffStats  *stats,
                     GError           **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_tree) to = NULL;
  g_autoptr(git_tree) from = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autoptr(git_diff_stats) ds = NULL;
  int rc;

  g_return_val_if_fail (path != NULL && to_id != NULL && stats != NULL, FALSE);

  repo = _lean_git_open_repo (path, error);
  if (repo == NULL || (to = commit_tree (repo, to_id, error)) == NULL)
    return FALSE;
  if (from_id != NULL)
    from = commit_tree (repo, from_id, error);
  else
    {
      g_autofree char *parent = g_strdup_printf ("%s^", to_id);
      g_autoptr(git_object) object = NULL;

      /* A root commit has no parent: everything in it is new. */
      if (git_revparse_single (&object, repo, parent) == 0)
        from = commit_tree (repo, parent, error);
      else
        git_error_clear ();
    }
  if (from_id != NULL && from == NULL)
    return FALSE;
  if ((rc = git_diff_tree_to_tree (&diff, repo, from, to, NULL)) < 0 ||
      (rc = git_diff_get_stats (&ds, diff)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compare two commits"));
      return FALSE;
    }
  stats->files_changed = git_diff_stats_files_changed (ds);
  stats->insertions = git_diff_stats_insertions (ds);
  stats->deletions = git_diff_stats_deletions (ds);
  return TRUE;
}

/* The working tree where @refname is checked out, or NULL (none). */
static git_repository *
open_checkout_of (git_repository *repo,
                  const char     *refname)
{
  g_autoptr(git_repository) main_repo = open_main (repo, NULL);
  git_strarray names = { 0 };
  git_repository *found = NULL;

  if (main_repo == NULL)
    return NULL;
  if (!git_repository_is_bare (main_repo))
    {
      g_autoptr(git_reference) head = NULL;

      if (git_repository_head (&head, main_repo) == 0 &&
          g_strcmp0 (git_reference_name (head), refname) == 0)
        return g_steal_pointer (&main_repo);
    }

  if (git_worktree_list (&names, main_repo) < 0)
    return NULL;
  for (gsize i = 0; i < names.count && found == NULL; i++)
    {
      g_autoptr(git_worktree) worktree = NULL;
      g_autoptr(git_repository) linked = NULL;
      g_autoptr(git_reference) head = NULL;

      if (git_worktree_lookup (&worktree, main_repo, names.strings[i]) < 0 ||
          git_worktree_validate (worktree) < 0 ||
          git_repository_open_from_worktree (&linked, worktree) < 0)
        continue;
      if (git_repository_head (&head, linked) == 0 &&
          g_strcmp0 (git_reference_name (head), refname) == 0)
        found = g_steal_pointer (&linked);
    }
  git_strarray_dispose (&names);
  return found;
}

static char **
merge_conflicts (git_index *index)
{
  g_autoptr(git_index_conflict_iterator) iter = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const git_index_entry *ancestor, *ours, *theirs;

  if (git_index_conflict_iterator_new (&iter, index) == 0)
    while (git_index_conflict_next (&ancestor, &ours, &theirs, iter) == 0)
      {
        const git_index_entry *any = ours != NULL ? ours : theirs != NULL ? theirs : ancestor;

        if (any != NULL)
          g_ptr_array_add (paths, g_strdup (any->path));
      }
  g_ptr_array_add (paths, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

typedef struct
{
  GPtrArray *paths;
} CheckoutConflicts;

static int
checkout_notify (git_checkout_notify_t  why,
                 const char            *path,
                 const git_diff_file   *baseline,
                 const git_diff_file   *target,
                 const git_diff_file   *workdir,
                 void                  *payload)
{
  CheckoutConflicts *conflicts = payload;

  if (why == GIT_CHECKOUT_NOTIFY_CONFLICT && path != NULL)
    g_ptr_array_add (conflicts->paths, g_strdup (path));
  return 0;
}

/* Brings the working tree and index of @checkout (where the base branch is
 * checked out) from its HEAD to @commit. libgit2 finds every conflict with
 * local changes before it writes anything, so on conflict nothing moved. */
static gboolean
update_checkout (git_repository     *checkout,
                 const git_oid      *commit,
                 LeanGitLandResult  *result,
                 GError            **error)
{
  g_autoptr(git_object) target = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  CheckoutConflicts conflicts = { paths };
  int rc;

  if ((rc = git_object_lookup (&target, checkout, commit, GIT_OBJECT_COMMIT)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not read the merged commit"));
      return FALSE;
    }
  options.checkout_strategy = GIT_CHECKOUT_SAFE;
  options.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
  options.notify_cb = checkout_notify;
  options.notify_payload = &conflicts;
  rc = git_checkout_tree (checkout, target, &options);
  if (rc == GIT_ECONFLICT || (rc < 0 && paths->len > 0))
    {
      result->outcome = LEAN_GIT_LANDED_CONFLICT;
      result->local_changes = TRUE;
      g_ptr_array_add (paths, NULL);
      result->conflicts = (char **)g_ptr_array_free (g_steal_pointer (&paths), FALSE);
      return TRUE;
    }
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not update the base branch’s working tree"));
      return FALSE;
    }
  return TRUE;
}

LeanGitLandResult *
lean_git_land (const char        *workdir,
               const char        *base_branch,
               const char        *message,
               LeanGitLandFlags   flags,
               GError           **error)
{
  g_autoptr(LeanGitLandResult) result = g_new0 (LeanGitLandResult, 1);
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_repository) checkout = NULL;
  g_autoptr(git_reference) head = NULL;
  g_autoptr(git_reference) base_ref = NULL;
  g_autoptr(git_reference) moved = NULL;
  g_autoptr(git_commit) base_commit = NULL;
  g_autoptr(git_commit) branch_commit = NULL;
  g_autofree char *base_name = NULL;
  g_autofree char *refname = NULL;
  g_autofree char *reflog = NULL;
  const git_oid *base_id, *branch_id;
  git_oid landed;
  gboolean ff;
  int rc;

  g_return_val_if_fail (workdir != NULL && message != NULL, NULL);

  if (!lean_git_commit_all (workdir, message, &result->commit, error))
    return NULL;
  repo = _lean_git_open_repo (workdir, error);
  if (repo == NULL)
    return NULL;
  if ((rc = git_repository_head (&head, repo)) < 0 || !git_reference_is_branch (head))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not on a branch: there is nothing to merge"), workdir);
      return NULL;
    }

  base_name = g_strdup (base_branch);
  if (base_name == NULL)
    {
      g_autoptr(git_repository) main_repo = open_main (repo, error);

      if (main_repo == NULL)
        return NULL;
      base_name = head_branch (main_repo);
      if (base_name == NULL)
        {
          g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                               _("The main working tree is not on a branch: name the branch "
                                 "to merge into"));
          return NULL;
        }
    }
  refname = g_strconcat ("refs/heads/", base_name, NULL);

  /* In place, the commit is the landing; asked not to merge, it is all. */
  if ((flags & LEAN_GIT_LAND_NO_MERGE) || g_str_equal (git_reference_name (head), refname))
    {
      result->outcome = result->commit != NULL ? LEAN_GIT_LANDED_COMMITTED
                                               : LEAN_GIT_LANDED_NOTHING;
      if (!(flags & LEAN_GIT_LAND_NO_MERGE))
        result->landed = g_strdup (result->commit);
      return g_steal_pointer (&result);
    }

  if ((rc = git_reference_lookup (&base_ref, repo, refname)) < 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("There is no branch “%s” to merge into"), base_name);
      return NULL;
    }
  base_id = git_reference_target (base_ref);
  branch_id = git_reference_target (head);
  if (base_id == NULL || branch_id == NULL ||
      (rc = git_commit_lookup (&base_commit, repo, base_id)) < 0 ||
      (rc = git_commit_lookup (&branch_commit, repo, branch_id)) < 0)
    {
      _lean_git_set_error (error, rc, _("Could not read the branches"));
      return NULL;
    }

  /* Already in the base branch. */
  if (git_oid_equal (base_id, branch_id) ||
      git_graph_descendant_of (repo, base_id, branch_id) == 1)
    {
      result->outcome = LEAN_GIT_LANDED_NOTHING;
      return g_steal_pointer (&result);
    }

  ff = git_graph_descendant_of (repo, branch_id, base_id) == 1;
  if (ff && !(flags & LEAN_GIT_LAND_SQUASH))
    {
      git_oid_cpy (&landed, branch_id);
      result->outcome = LEAN_GIT_LANDED_FAST_FORWARD;
    }
  else
    {
      g_autoptr(git_signature) sig = NULL;
      g_autoptr(git_tree) tree = NULL;
      g_autofree char *merge_message = NULL;
      const git_commit *parents[2] = { base_commit, branch_commit };
      gboolean squash = (flags & LEAN_GIT_LAND_SQUASH) != 0;

      if (ff)
        rc = git_commit_tree (&tree, branch_commit);
      else
        {
          g_autoptr(git_index) merged = NULL;
          git_oid tree_id;

          /* In memory: a conflict leaves every file and ref as it was. */
          if ((rc = git_merge_commits (&merged, repo, base_commit, branch_commit, NULL)) < 0)
            {
              _lean_git_set_error (error, rc, _("Could not merge"));
              return NULL;
            }
          if (git_index_has_conflicts (merged))
            {
              result->outcome = LEAN_GIT_LANDED_CONFLICT;
              result->conflicts = merge_conflicts (merged);
              return g_steal_pointer (&result);
            }
          if ((rc = git_index_write_tree_to (&tree_id, merged, repo)) == 0)
            rc = git_tree_lookup (&tree, repo, &tree_id);
        }
      if (rc < 0)
        {
          _lean_git_set_error (error, rc, _("Could not merge"));
          return NULL;
        }
      if ((sig = default_signature (repo, error)) == NULL)
        return NULL;
      if (squash)
        merge_message = g_strdup (message);
      else
        merge_message = g_strdup_printf ("Merge branch '%s' into %s\n\n%s",
                                         git_reference_shorthand (head), base_name, message);
      rc = git_commit_create (&landed, repo, NULL, sig, sig, NULL, merge_message, tree,
                              squash ? 1 : 2, parents);
      if (rc < 0)
        {
          _lean_git_set_error (error, rc, _("Could not commit the merge"));
          return NULL;
        }
      result->outcome = squash ? LEAN_GIT_LANDED_SQUASHED : LEAN_GIT_LANDED_MERGED;
    }

  checkout = open_checkout_of (repo, refname);
  if (checkout != NULL)
    {
      if (!update_checkout (checkout, &landed, result, error))
        return NULL;
      if (result->outcome == LEAN_GIT_LANDED_CONFLICT)
        return g_steal_pointer (&result);
    }

  reflog = g_strdup_printf ("leanspec: land %s (%s)", git_reference_shorthand (head),
                            lean_git_land_outcome_to_string (result->outcome));
  rc = git_reference_set_target (&moved, base_ref, &landed, reflog);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not move the base branch"));
      return NULL;
    }
  result->landed = g_strdup (git_oid_tostr_s (&landed));
  return g_steal_pointer (&result);
}

gboolean
lean_git_discard (const char  *repo_path,
                  const char  *worktree_path,
                  const char  *branch,
                  GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_reference) ref = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  g_return_val_if_fail (repo_path != NULL, FALSE);

  if (worktree_path != NULL &&
      !lean_git_remove_worktree (repo_path, worktree_path, &local_error) &&
      !g_error_matches (local_error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (branch == NULL)
    return TRUE;
  repo = _lean_git_open_repo (repo_path, error);
  if (repo == NULL)
    return FALSE;
  rc = git_branch_lookup (&ref, repo, branch, GIT_BRANCH_LOCAL);
  if (rc == GIT_ENOTFOUND)
    return TRUE;
  if (rc < 0 || (rc = git_branch_delete (ref)) < 0)
    {
      g_autofree char *what = g_strdup_printf (_("Could not delete the branch “%s”"), branch);

      _lean_git_set_error (error, rc, what);
      return FALSE;
    }
  return TRUE;
}
