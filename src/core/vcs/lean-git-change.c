/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/stat.h>

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

/* One file to count, copied out of the diff so workers share nothing. */
typedef struct
{
  LeanGitFileChange *file;
  git_oid            old_id;     /* zero: no old side */
  gboolean           has_old;
  gboolean           has_new;    /* the file exists in the working tree */
  gboolean           new_is_link;
  gboolean           submodule;
} Work;

typedef struct
{
  const char *workdir;           /* the repository's root, ends in '/' */
  const char *gitdir;
  Work       *work;
  gsize       begin, end;
  gsize       max_file_size;
} Slice;

/* The working tree side as git would hash it: the file's bytes, or a
 * link's target. NULL when it is over @max. */
static GBytes *
read_new_side (const char *workdir,
               const char *path,
               gboolean    is_link,
               gsize       max,
               gboolean   *too_large)
{
  g_autofree char *full = g_strconcat (workdir, path, NULL);
  char *data = NULL;
  gsize len = 0;
  struct stat st;

  if (is_link)
    {
      data = g_file_read_link (full, NULL);
      return data != NULL ? g_bytes_new_take (data, strlen (data)) : g_bytes_new (NULL, 0);
    }
  if (lstat (full, &st) == 0 && (gsize)st.st_size > max)
    {
      *too_large = TRUE;
      return NULL;
    }
  if (!g_file_get_contents (full, &data, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (data, len);
}

/* Counts the lines of a slice of the files: the old blob against the
 * working tree's bytes. Reading the file here (rather than through the
 * diff, which checks attributes and filters for each file) halves the
 * time of a large change; a file that needs a filter (CRLF) may count a
 * little differently from its patch. */
static gpointer
count_slice (gpointer data)
{
  Slice *slice = data;
  g_autoptr(git_repository) repo = NULL;

  if (git_repository_open (&repo, slice->gitdir) < 0)
    return NULL;
  for (gsize i = slice->begin; i < slice->end; i++)
    {
      Work *w = &slice->work[i];
      g_autoptr(git_blob) blob = NULL;
      g_autoptr(git_patch) patch = NULL;
      g_autoptr(GBytes) bytes = NULL;
      size_t added = 0, removed = 0;
      gsize len = 0;
      const char *buf = NULL;

      if (w->submodule)
        continue;
      if (w->has_old && git_blob_lookup (&blob, repo, &w->old_id) < 0)
        continue;
      if (blob != NULL && (gsize)git_blob_rawsize (blob) > slice->max_file_size)
        {
          w->file->too_large = TRUE;
          continue;
        }
      if (w->has_new)
        {
          bytes = read_new_side (slice->workdir, w->file->path, w->new_is_link,
                                 slice->max_file_size, &w->file->too_large);
          if (bytes == NULL)
            continue;
          buf = g_bytes_get_data (bytes, &len);
        }
      if (git_patch_from_blob_and_buffer (&patch, blob, NULL, buf, len, NULL, NULL) < 0)
        continue;
      if (git_patch_get_delta (patch)->flags & GIT_DIFF_FLAG_BINARY)
        w->file->binary = TRUE;
      else if (git_patch_line_stats (NULL, &added, &removed, patch) == 0)
        {
          w->file->added = (guint)added;
          w->file->removed = (guint)removed;
        }
    }
  return NULL;
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
  g_autofree Work *work = NULL;
  g_autofree Slice *slices = NULL;
  g_autofree GThread **threads = NULL;
  const char *root;
  guint n_threads;
  gsize n;

  g_return_val_if_fail (workdir != NULL, NULL);

  if (max_file_size == 0)
    max_file_size = LEAN_GIT_CHANGE_MAX_FILE_SIZE;
  repo = _lean_git_open_repo (workdir, error);
  if (repo == NULL)
    return NULL;
  root = git_repository_workdir (repo);
  if (root == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” has no working tree"), workdir);
      return NULL;
    }

  change = g_new0 (LeanGitChange, 1);
  /* Only which files changed: their contents are compared below. */
  diff = diff_against_base (repo, base, NULL, max_file_size, &change->base, error);
  if (diff == NULL)
    return NULL;

  n = git_diff_num_deltas (diff);
  change->files = g_ptr_array_new_full (n, (GDestroyNotify)file_change_free);
  work = g_new0 (Work, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      const git_diff_delta *delta = git_diff_get_delta (diff, i);
      LeanGitFileChange *file = g_new0 (LeanGitFileChange, 1);

      file->path = g_strdup (delta->new_file.path != NULL ? delta->new_file.path
                                                          : delta->old_file.path);
      file->status = status_of (delta->status);
      work[i].file = file;
      work[i].has_old = !git_oid_is_zero (&delta->old_file.id) &&
                        delta->old_file.mode != GIT_FILEMODE_COMMIT;
      git_oid_cpy (&work[i].old_id, &delta->old_file.id);
      work[i].has_new = delta->status != GIT_DELTA_DELETED;
      work[i].new_is_link = delta->new_file.mode == GIT_FILEMODE_LINK;
      work[i].submodule = delta->old_file.mode == GIT_FILEMODE_COMMIT ||
                          delta->new_file.mode == GIT_FILEMODE_COMMIT;
      g_ptr_array_add (change->files, file);
    }

  /* Each file is independent: a few threads, each with its own handle on
   * the repository (libgit2 objects are not shared across threads). */
  n_threads = CLAMP (g_get_num_processors (), 1, 4);
  if (n < 64)
    n_threads = 1;
  slices = g_new0 (Slice, n_threads);
  threads = g_new0 (GThread *, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      slices[t].workdir = root;
      slices[t].gitdir = git_repository_path (repo);
      slices[t].work = work;
      slices[t].begin = n * t / n_threads;
      slices[t].end = n * (t + 1) / n_threads;
      slices[t].max_file_size = max_file_size;
      if (t > 0)
        threads[t] = g_thread_new ("lean-git-count", count_slice, &slices[t]);
    }
  count_slice (&slices[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);

  for (gsize i = 0; i < n; i++)
    {
      change->added += work[i].file->added;
      change->removed += work[i].file->removed;
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
