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

/* The tree of @base's commit (NULL in a repository with no commit yet,
 * when @base is NULL); *@base_id gets the commit's id. FALSE with @error
 * when @base names nothing. */
static gboolean
resolve_base (git_repository  *repo,
              const char      *base,
              git_tree       **tree,
              char           **base_id,
              GError         **error)
{
  g_autoptr(git_object) object = NULL;

  *tree = NULL;
  if (git_revparse_single (&object, repo, base != NULL ? base : "HEAD") == 0)
    {
      g_autoptr(git_object) commit = NULL;

      if (git_object_peel (&commit, object, GIT_OBJECT_COMMIT) == 0)
        {
          if (base_id != NULL)
            *base_id = g_strdup (git_oid_tostr_s (git_object_id (commit)));
          git_commit_tree (tree, (git_commit *)commit);
        }
      return TRUE;
    }
  if (base != NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("%s: no such revision in the repository"), base);
      return FALSE;
    }
  /* No commit yet: everything is new, compared with an empty tree. */
  return TRUE;
}

/* The diff of the working tree (with the index, untracked files included)
 * against @tree; @path limits it to one file. @notify (with @payload) is
 * told of each file as the diff finds it. */
static git_diff *
diff_against_tree (git_repository        *repo,
                   git_tree              *tree,
                   const char            *path,
                   gsize                  max_file_size,
                   git_diff_notify_cb     notify,
                   gpointer               payload,
                   GError               **error)
{
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  git_diff *diff = NULL;
  char *paths[1];
  int rc;

  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                  GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_INCLUDE_TYPECHANGE;
  /* libgit2 treats a file over max_size as binary: it is never loaded to
   * be diffed. */
  options.max_size = (git_off_t)(max_file_size > 0 ? max_file_size
                                                   : LEAN_GIT_CHANGE_MAX_FILE_SIZE);
  options.notify_cb = notify;
  options.payload = payload;
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

/* One file's counts, worked out by a counting thread. */
typedef struct
{
  guint    added;
  guint    removed;
  gboolean binary;
  gboolean too_large;
} Count;

/* The counting threads take the paths the diff finds as it finds them, so
 * counting overlaps the diff's own walk of the working tree. */
typedef struct
{
  GAsyncQueue *queue;            /* char *path; "" tells a thread to stop */
  GHashTable  *seen;             /* paths queued (the diff's thread only) */
  GMutex       lock;
  GHashTable  *counts;           /* path -> Count, under lock */
  const char  *workdir;          /* the repository's root, ends in '/' */
  const char  *gitdir;
  const git_oid *tree_id;        /* NULL: no base tree */
  gsize        max_file_size;
} Counter;

/* The working tree side as git would hash it: the file's bytes, or a
 * link's target. NULL when it is over the limit (*@too_large), missing
 * (deleted) or a folder (a submodule); *@exists says which. */
static GBytes *
read_new_side (const char *workdir,
               const char *path,
               gsize       max,
               gboolean   *exists,
               gboolean   *too_large)
{
  g_autofree char *full = g_strconcat (workdir, path, NULL);
  char *data = NULL;
  gsize len = 0;
  struct stat st;

  *exists = lstat (full, &st) == 0;
  if (!*exists || S_ISDIR (st.st_mode))
    return NULL;
  if (S_ISLNK (st.st_mode))
    {
      data = g_file_read_link (full, NULL);
      return data != NULL ? g_bytes_new_take (data, strlen (data)) : g_bytes_new (NULL, 0);
    }
  if ((gsize)st.st_size > max)
    {
      *too_large = TRUE;
      return NULL;
    }
  if (!g_file_get_contents (full, &data, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (data, len);
}

/* Counts the lines of one file: the base tree's blob against the working
 * tree's bytes. Reading the file here (rather than through the diff, which
 * checks attributes and filters for each file) halves the time of a large
 * change; a file that needs a filter (CRLF) may count a little differently
 * from its patch. */
static void
count_file (Counter        *counter,
            git_repository *repo,
            git_tree       *tree,
            const char     *path,
            Count          *count)
{
  g_autoptr(git_blob) blob = NULL;
  g_autoptr(git_patch) patch = NULL;
  g_autoptr(GBytes) bytes = NULL;
  git_tree_entry *entry = NULL;
  size_t added = 0, removed = 0;
  gboolean exists = FALSE;
  gsize len = 0;
  const char *buf = NULL;

  if (tree != NULL && git_tree_entry_bypath (&entry, tree, path) == 0)
    {
      gboolean blob_entry = git_tree_entry_type (entry) == GIT_OBJECT_BLOB;
      int rc = blob_entry ? git_blob_lookup (&blob, repo, git_tree_entry_id (entry)) : -1;

      git_tree_entry_free (entry);
      /* A submodule (a commit in the tree) has no lines to count. */
      if (rc < 0)
        return;
    }
  if (blob != NULL && (gsize)git_blob_rawsize (blob) > counter->max_file_size)
    {
      count->too_large = TRUE;
      return;
    }
  bytes = read_new_side (counter->workdir, path, counter->max_file_size, &exists,
                         &count->too_large);
  if (exists && bytes == NULL)
    return;
  if (bytes != NULL)
    buf = g_bytes_get_data (bytes, &len);
  if (git_patch_from_blob_and_buffer (&patch, blob, NULL, buf, len, NULL, NULL) < 0)
    return;
  if (git_patch_get_delta (patch)->flags & GIT_DIFF_FLAG_BINARY)
    count->binary = TRUE;
  else if (git_patch_line_stats (NULL, &added, &removed, patch) == 0)
    {
      count->added = (guint)added;
      count->removed = (guint)removed;
    }
}

static gpointer
count_thread (gpointer data)
{
  Counter *counter = data;
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_tree) tree = NULL;
  gboolean usable;

  usable = git_repository_open (&repo, counter->gitdir) == 0 &&
           (counter->tree_id == NULL || git_tree_lookup (&tree, repo, counter->tree_id) == 0);
  for (;;)
    {
      g_autofree char *path = g_async_queue_pop (counter->queue);
      Count *count;

      if (*path == '\0')
        break;
      count = g_new0 (Count, 1);
      if (usable)
        count_file (counter, repo, tree, path, count);
      g_mutex_lock (&counter->lock);
      g_hash_table_replace (counter->counts, g_steal_pointer (&path), count);
      g_mutex_unlock (&counter->lock);
    }
  return NULL;
}

/* Told by the diff of each file it finds: queued for counting. The diff of
 * the tree with the index and that of the index with the working tree may
 * both name a file; it is counted once. */
static int
on_delta_found (const git_diff       *diff,
                const git_diff_delta *delta,
                const char           *matched_pathspec,
                void                 *payload)
{
  Counter *counter = payload;
  const char *path = delta->new_file.path != NULL ? delta->new_file.path : delta->old_file.path;

  if (path != NULL && g_hash_table_add (counter->seen, g_strdup (path)))
    g_async_queue_push (counter->queue, g_strdup (path));
  return 0;
}

LeanGitChange *
lean_git_change_compute (const char  *workdir,
                         const char  *base,
                         gsize        max_file_size,
                         GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_tree) tree = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autoptr(LeanGitChange) change = NULL;
  g_autofree GThread **threads = NULL;
  Counter counter = { 0 };
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
  if (!resolve_base (repo, base, &tree, &change->base, error))
    return NULL;

  /* Each file is independent: a few threads, each with its own handle on
   * the repository (libgit2 objects are not shared across threads), count
   * while the diff goes on finding files. */
  counter.queue = g_async_queue_new_full (g_free);
  counter.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  counter.counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&counter.lock);
  counter.workdir = root;
  counter.gitdir = git_repository_path (repo);
  counter.tree_id = tree != NULL ? git_tree_id (tree) : NULL;
  counter.max_file_size = max_file_size;
  n_threads = CLAMP (g_get_num_processors (), 1, 4);
  threads = g_new0 (GThread *, n_threads);
  for (guint t = 0; t < n_threads; t++)
    threads[t] = g_thread_new ("lean-git-count", count_thread, &counter);

  diff = diff_against_tree (repo, tree, NULL, max_file_size, on_delta_found, &counter, error);
  for (guint t = 0; t < n_threads; t++)
    g_async_queue_push (counter.queue, g_strdup (""));
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);
  g_async_queue_unref (counter.queue);
  g_hash_table_unref (counter.seen);
  g_mutex_clear (&counter.lock);
  if (diff == NULL)
    {
      g_hash_table_unref (counter.counts);
      return NULL;
    }

  n = git_diff_num_deltas (diff);
  change->files = g_ptr_array_new_full (n, (GDestroyNotify)file_change_free);
  for (gsize i = 0; i < n; i++)
    {
      const git_diff_delta *delta = git_diff_get_delta (diff, i);
      LeanGitFileChange *file = g_new0 (LeanGitFileChange, 1);
      const Count *count;

      file->path = g_strdup (delta->new_file.path != NULL ? delta->new_file.path
                                                          : delta->old_file.path);
      file->status = status_of (delta->status);
      count = g_hash_table_lookup (counter.counts, file->path);
      if (count != NULL)
        {
          file->added = count->added;
          file->removed = count->removed;
          file->binary = count->binary;
          file->too_large = count->too_large;
        }
      change->added += file->added;
      change->removed += file->removed;
      g_ptr_array_add (change->files, file);
    }
  g_hash_table_unref (counter.counts);
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
  g_autoptr(git_tree) tree = NULL;
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
  if (!resolve_base (repo, base, &tree, NULL, error))
    return NULL;
  diff = diff_against_tree (repo, tree, path, max_file_size, NULL, NULL, error);
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
