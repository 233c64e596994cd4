/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-error.h"
#include "lean-git-change.h"
#include "lean-git-private.h"

static void
file_change_free (LeanGitFileChange *file)
{
  g_free (file->path);
  g_free (file);
}

void
lean_git_change_free (LeanGitChange *change)
{
  if (change == NULL)
    return;
  g_free (change->base);
  g_clear_pointer (&change->files, g_ptr_array_unref);
  g_free (change);
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  const LeanGitFileChange *fa = *(LeanGitFileChange * const *)a;
  const LeanGitFileChange *fb = *(LeanGitFileChange * const *)b;

  return strcmp (fa->path, fb->path);
}

/* The diff of the working tree (with the index, untracked files included)
 * against @base's tree; @path limits it to one file. *@base_id gets the
 * commit's id. */
static git_diff *
diff_against_base (git_repository  *repo,
                   const char      *base,
                   const char      *path,
                   gsize            max_file_size,
                   char           **base_id,
                   GError         **error)
{
  g_autoptr(git_object) object = NULL;
  g_autoptr(git_tree) tree = NULL;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  git_diff *diff = NULL;
  char *paths[1];
  int rc;

  rc = git_revparse_single (&object, repo, base != NULL ? base : "HEAD");
  if (rc == 0)
    {
      g_autoptr(git_object) commit = NULL;

      if (git_object_peel (&commit, object, GIT_OBJECT_COMMIT) == 0)
        {
          if (base_id != NULL)
            *base_id = g_strdup (git_oid_tostr_s (git_object_id (commit)));
          git_commit_tree (&tree, (git_commit *)commit);
        }
    }
  else if (base != NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("%s: no such revision in the repository"), base);
      return NULL;
    }
  /* No commit yet: everything is new, compared with an empty tree. */

  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                  GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_INCLUDE_TYPECHANGE;
  /* libgit2 treats a file over max_size as binary: it is never loaded to
   * be diffed. */
  options.max_size = (git_off_t)(max_file_size > 0 ? max_file_size
                                                   : LEAN_GIT_CHANGE_MAX_FILE_SIZE);
  if (path != NULL)
    {
      paths[0] = (char *)path;
      options.pathspec.strings = paths;
      options.pathspec.count = 1;
      options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
    }
  rc = git_diff_tree_to_workdir_with_index (&diff, repo, tree, &options);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }
  return diff;
}

static LeanGitFileStatus
status_of (git_delta_t status)
{
  switch (status)
    {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_UNTRACKED:
      return LEAN_GIT_FILE_ADDED;
    case GIT_DELTA_DELETED:
      return LEAN_GIT_FILE_DELETED;
    case GIT_DELTA_TYPECHANGE:
      return LEAN_GIT_FILE_TYPECHANGE;
    case GIT_DELTA_MODIFIED:
    case GIT_DELTA_RENAMED:
    case GIT_DELTA_COPIED:
    case GIT_DELTA_UNMODIFIED:
    case GIT_DELTA_IGNORED:
    case GIT_DELTA_UNREADABLE:
    case GIT_DELTA_CONFLICTED:
    default:
      return LEAN_GIT_FILE_MODIFIED;
    }
}

/* Whether a binary-flagged delta is binary because of its size. */
static gboolean
is_too_large (const git_diff_delta *delta,
              gsize                 max_file_size)
{
  return (gsize)delta->new_file.size > max_file_size ||
         (gsize)delta->old_file.size > max_file_size;
}

LeanGitChange *
lean_git_change_compute (const char  *workdir,
                         const char  *base,
                         gsize        max_file_size,
                         GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autoptr(LeanGitChange) change = NULL;
  gsize n;

  g_return_val_if_fail (workdir != NULL, NULL);

  if (max_file_size == 0)
    max_file_size = LEAN_GIT_CHANGE_MAX_FILE_SIZE;
  repo = _lean_git_open_repo (workdir, error);
  if (repo == NULL)
    return NULL;

  change = g_new0 (LeanGitChange, 1);
  diff = diff_against_base (repo, base, NULL, max_file_size, &change->base, error);
  if (diff == NULL)
    return NULL;

  n = git_diff_num_deltas (diff);
  change->files = g_ptr_array_new_full (n, (GDestroyNotify)file_change_free);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(git_patch) patch = NULL;
      const git_diff_delta *delta;
      LeanGitFileChange *file = g_new0 (LeanGitFileChange, 1);
      size_t added = 0, removed = 0;
      int rc;

      /* The patch loads the contents; that is what flags binary files. */
      rc = git_patch_from_diff (&patch, diff, i);
      delta = patch != NULL ? git_patch_get_delta (patch) : git_diff_get_delta (diff, i);
      file->path = g_strdup (delta->new_file.path != NULL ? delta->new_file.path
                                                          : delta->old_file.path);
      file->status = status_of (delta->status);
      if (rc < 0)
        {
          _lean_git_set_error (error, rc, file->path);
          file_change_free (file);
          return NULL;
        }
      if (delta->flags & GIT_DIFF_FLAG_BINARY)
        {
          file->too_large = is_too_large (delta, max_file_size);
          file->binary = !file->too_large;
        }
      else if (patch != NULL && git_patch_line_stats (NULL, &added, &removed, patch) == 0)
        {
          file->added = (guint)added;
          file->removed = (guint)removed;
        }
      change->added += file->added;
      change->removed += file->removed;
      g_ptr_array_add (change->files, file);
    }
  g_ptr_array_sort (change->files, compare_files);
  return g_steal_pointer (&change);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  char **args = task_data;
  GError *error = NULL;
  LeanGitChange *change = lean_git_change_compute (args[0], args[1], 0, &error);

  if (change == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, change, (GDestroyNotify)lean_git_change_free);
}

void
lean_git_change_compute_async (const char          *workdir,
                               const char          *base,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  char **args = g_new0 (char *, 3);

  args[0] = g_strdup (workdir);
  args[1] = g_strdup (base);
  g_task_set_source_tag (task, lean_git_change_compute_async);
  g_task_set_task_data (task, args, (GDestroyNotify)g_strfreev);
  g_task_run_in_thread (task, compute_thread);
}

LeanGitChange *
lean_git_change_compute_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
lean_git_change_file_patch (const char  *workdir,
                            const char  *base,
                            const char  *path,
                            gsize        max_file_size,
                            gboolean    *binary,
                            gboolean    *too_large,
                            GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autoptr(git_patch) patch = NULL;
  const git_diff_delta *delta;
  git_buf buf = { 0 };
  char *text;
  int rc;

  g_return_val_if_fail (workdir != NULL && path != NULL, NULL);

  if (binary != NULL)
    *binary = FALSE;
  if (too_large != NULL)
    *too_large = FALSE;
  if (max_file_size == 0)
    max_file_size = LEAN_GIT_CHANGE_MAX_FILE_SIZE;
  repo = _lean_git_open_repo (workdir, error);
  if (repo == NULL)
    return NULL;
  diff = diff_against_base (repo, base, path, max_file_size, NULL, error);
  if (diff == NULL)
    return NULL;
  if (git_diff_num_deltas (diff) == 0)
    return g_strdup ("");

  rc = git_patch_from_diff (&patch, diff, 0);
  if (rc < 0 || patch == NULL)
    {
      _lean_git_set_error (error, rc, path);
      return NULL;
    }
  delta = git_patch_get_delta (patch);
  if (delta->flags & GIT_DIFF_FLAG_BINARY)
    {
      gboolean large = is_too_large (delta, max_file_size);

      if (too_large != NULL)
        *too_large = large;
      if (binary != NULL)
        *binary = !large;
      return NULL;
    }
  rc = git_patch_to_buf (&buf, patch);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, path);
      return NULL;
    }
  text = g_strndup (buf.ptr, buf.size);
  git_buf_dispose (&buf);
  return text;
}
