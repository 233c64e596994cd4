/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>

#include <git2.h>
#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-git.h"
#include "lean-git-private.h"

void
_lean_git_ensure_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      git_libgit2_init ();
      g_once_init_leave (&initialized, 1);
    }
}

/* libgit2 keeps its last error per thread. */
void
_lean_git_set_error (GError     **error,
                     int          code,
                     const char  *what)
{
  const git_error *last = git_error_last ();

  g_set_error (error, LEAN_ERROR,
               code == GIT_ENOTFOUND ? LEAN_ERROR_NOT_FOUND : LEAN_ERROR_FAILED,
               _("%s: %s"), what, last != NULL && last->message != NULL ? last->message
                                                                     : _("unknown git error"));
}

/* Spec ids are folder names; keep to what is safe in a ref and a path. */
static char *
sanitize (const char *text)
{
  char *out = g_strdup (text != NULL && *text != '\0' ? text : "session");

  for (char *p = out; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      *p = '-';
  /* A ref component may not start with '.' nor contain "..". */
  if (out[0] == '.')
    out[0] = '_';
  for (char *p = strstr (out, ".."); p != NULL; p = strstr (p, ".."))
    p[1] = '_';
  return out;
}

static char *
short_id (const char *session_id)
{
  g_autofree char *clean = sanitize (session_id);

  return g_strndup (clean, 8);
}

char *
lean_git_branch_name_for_session (const char *spec_id,
                                  const char *session_id)
{
  g_autofree char *spec = sanitize (spec_id);
  g_autofree char *id = short_id (session_id);

  return g_strdup_printf ("leanspec/%s-%s", spec, id);
}

char *
lean_git_default_worktree_path (const char *repo_path,
                                const char *spec_id,
                                const char *session_id)
{
  g_autofree char *repo_name = NULL;
  g_autofree char *repo_clean = NULL;
  g_autofree char *spec = sanitize (spec_id);
  g_autofree char *id = short_id (session_id);
  g_autofree char *leaf = NULL;

  g_return_val_if_fail (repo_path != NULL, NULL);

  repo_name = g_path_get_basename (repo_path);
  repo_clean = sanitize (repo_name);
  leaf = g_strdup_printf ("%s-%s", spec, id);
  return g_build_filename (g_get_user_cache_dir (), "leanspec-desktop", "worktrees",
                           repo_clean, leaf, NULL);
}

char *
lean_git_find_repo_root (const char  *path,
                         GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  git_buf buf = { 0 };
  const char *workdir;
  char *root;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  _lean_git_ensure_init ();
  rc = git_repository_discover (&buf, path, 0, NULL);
  if (rc < 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” is not in a git repository"), path);
      return NULL;
    }

  rc = git_repository_open (&repo, buf.ptr);
  git_buf_dispose (&buf);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not open the git repository"));
      return NULL;
    }

  workdir = git_repository_workdir (repo);
  if (workdir == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” is in a bare git repository, which has no working folder"), path);
      return NULL;
    }

  root = g_strdup (workdir);
  /* libgit2 ends the path with '/'. */
  if (strlen (root) > 1 && g_str_has_suffix (root, "/"))
    root[strlen (root) - 1] = '\0';
  return root;
}

git_repository *
_lean_git_open_repo (const char  *path,
                     GError     **error)
{
  git_repository *repo = NULL;
  int rc;

  _lean_git_ensure_init ();
  rc = git_repository_open_ext (&repo, path, 0, NULL);
  if (rc < 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” is not a git repository"), path);
      return NULL;
    }
  return repo;
}

gboolean
lean_git_create_worktree (const char  *repo_path,
                          const char  *branch_name,
                          const char  *worktree_path,
                          GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_reference) head = NULL;
  g_autoptr(git_commit) commit = NULL;
  g_autoptr(git_reference) branch = NULL;
  g_autoptr(git_worktree) worktree = NULL;
  g_autoptr(git_object) object = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  git_worktree_add_options options = GIT_WORKTREE_ADD_OPTIONS_INIT;
  int rc;

  g_return_val_if_fail (repo_path != NULL, FALSE);
  g_return_val_if_fail (branch_name != NULL, FALSE);
  g_return_val_if_fail (worktree_path != NULL && g_path_is_absolute (worktree_path), FALSE);

  repo = _lean_git_open_repo (repo_path, error);
  if (repo == NULL)
    return FALSE;

  if (g_file_test (worktree_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("Cannot make a worktree at “%s”: something is already there"),
                   worktree_path);
      return FALSE;
    }

  rc = git_repository_head (&head, repo);
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("The repository at “%s” has no commit yet: commit once, then a session "
                   "can work in its own worktree"), repo_path);
      return FALSE;
    }
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not read HEAD"));
      return FALSE;
    }

  rc = git_reference_peel (&object, head, GIT_OBJECT_COMMIT);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("HEAD does not point to a commit"));
      return FALSE;
    }
  commit = (git_commit *)g_steal_pointer (&object);

  rc = git_branch_create (&branch, repo, branch_name, commit, 0);
  if (rc == GIT_EEXISTS)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("The branch “%s” exists already"), branch_name);
      return FALSE;
    }
  if (rc < 0)
    {
      g_autofree char *what = g_strdup_printf (_("Could not create the branch “%s”"),
                                               branch_name);

      _lean_git_set_error (error, rc, what);
      return FALSE;
    }

  parent = g_path_get_dirname (worktree_path);
  if (g_mkdir_with_parents (parent, 0700) < 0)
    {
      int errsv = errno;

      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"), parent, g_strerror (errsv));
      git_branch_delete (branch);
      return FALSE;
    }

  /* The worktree's name is its folder in .git/worktrees: unique, no '/'. */
  base = g_path_get_basename (worktree_path);
  name = g_strdup (base);
  for (guint i = 2; ; i++)
    {
      g_autoptr(git_worktree) existing = NULL;

      if (git_worktree_lookup (&existing, repo, name) < 0)
        break;
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }

  options.ref = branch;
  rc = git_worktree_add (&worktree, repo, name, worktree_path, &options);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not create the worktree"));
      /* Leave nothing half made behind. */
      git_branch_delete (branch);
      return FALSE;
    }

  return TRUE;
}

static void
create_worktree_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  char **args = task_data;
  GError *error = NULL;

  if (lean_git_create_worktree (args[0], args[1], args[2], &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lean_git_create_worktree_async (const char          *repo_path,
                                const char          *branch_name,
                                const char          *worktree_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  char **args = g_new0 (char *, 4);

  args[0] = g_strdup (repo_path);
  args[1] = g_strdup (branch_name);
  args[2] = g_strdup (worktree_path);
  g_task_set_source_tag (task, lean_git_create_worktree_async);
  g_task_set_task_data (task, args, (GDestroyNotify)g_strfreev);
  g_task_run_in_thread (task, create_worktree_thread);
}

gboolean
lean_git_create_worktree_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
same_path (const char *a,
           const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, NULL);
  g_autofree char *cb = g_canonicalize_filename (b, NULL);
  gsize la = strlen (ca);
  gsize lb = strlen (cb);

  while (la > 1 && ca[la - 1] == '/')
    ca[--la] = '\0';
  while (lb > 1 && cb[lb - 1] == '/')
    cb[--lb] = '\0';
  return g_strcmp0 (ca, cb) == 0;
}

gboolean
lean_git_remove_worktree (const char  *repo_path,
                          const char  *worktree_path,
                          GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  git_strarray names = { 0 };
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (repo_path != NULL && worktree_path != NULL, FALSE);

  repo = _lean_git_open_repo (repo_path, error);
  if (repo == NULL)
    return FALSE;

  rc = git_worktree_list (&names, repo);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not list the worktrees"));
      return FALSE;
    }

  for (gsize i = 0; i < names.count && !found; i++)
    {
      g_autoptr(git_worktree) worktree = NULL;
      git_worktree_prune_options options = GIT_WORKTREE_PRUNE_OPTIONS_INIT;

      if (git_worktree_lookup (&worktree, repo, names.strings[i]) < 0 ||
          !same_path (git_worktree_path (worktree), worktree_path))
        continue;

      found = TRUE;
      options.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
      rc = git_worktree_prune (worktree, &options);
      if (rc < 0)
        {
          _lean_git_set_error (error, rc, _("Could not remove the worktree"));
          git_strarray_dispose (&names);
          return FALSE;
        }
    }
  git_strarray_dispose (&names);

  if (!found)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("“%s” is not a worktree of “%s”"), worktree_path, repo_path);
      return FALSE;
    }
  return TRUE;
}

gboolean
lean_git_status_summary (const char  *path,
                         guint       *n_modified,
                         guint       *n_added,
                         guint       *n_deleted,
                         GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_status_list) list = NULL;
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  guint modified = 0, added = 0, deleted = 0;
  int rc;

  g_return_val_if_fail (path != NULL, FALSE);

  repo = _lean_git_open_repo (path, error);
  if (repo == NULL)
    return FALSE;

  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  rc = git_status_list_new (&list, repo, &options);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not read the git status"));
      return FALSE;
    }

  for (gsize i = 0; i < git_status_list_entrycount (list); i++)
    {
      const git_status_entry *entry = git_status_byindex (list, i);
      unsigned int s = entry->status;

      if (s & (GIT_STATUS_INDEX_NEW | GIT_STATUS_WT_NEW))
        added++;
      else if (s & (GIT_STATUS_INDEX_DELETED | GIT_STATUS_WT_DELETED))
        deleted++;
      else if (s & (GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_WT_MODIFIED |
                    GIT_STATUS_INDEX_RENAMED | GIT_STATUS_WT_RENAMED |
                    GIT_STATUS_INDEX_TYPECHANGE | GIT_STATUS_WT_TYPECHANGE))
        modified++;
    }

  if (n_modified != NULL)
    *n_modified = modified;
  if (n_added != NULL)
    *n_added = added;
  if (n_deleted != NULL)
    *n_deleted = deleted;
  return TRUE;
}

char *
lean_git_diff_summary (const char  *path,
                       GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_object) head = NULL;
  g_autoptr(git_tree) tree = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autoptr(git_diff_stats) stats = NULL;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  git_buf buf = { 0 };
  char *summary;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  repo = _lean_git_open_repo (path, error);
  if (repo == NULL)
    return NULL;

  /* No commit yet: everything is new, compared with an empty tree. */
  if (git_revparse_single (&head, repo, "HEAD^{tree}") == 0)
    tree = (git_tree *)g_steal_pointer (&head);

  /* New files the agent wrote count as changes too. */
  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                  GIT_DIFF_SHOW_UNTRACKED_CONTENT;
  rc = git_diff_tree_to_workdir_with_index (&diff, repo, tree, &options);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }

  rc = git_diff_get_stats (&stats, diff);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }

  if (git_diff_stats_files_changed (stats) == 0)
    return g_strdup (_("No changes"));

  rc = git_diff_stats_to_buf (&buf, stats, GIT_DIFF_STATS_SHORT, 0);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }
  summary = g_strstrip (g_strdup (buf.ptr));
  git_buf_dispose (&buf);
  return summary;
}

typedef struct
{
  GString  *out;
  gsize     max;
  gboolean  cut;
} PatchSink;

static int
patch_line_cb (const git_diff_delta *delta,
               const git_diff_hunk  *hunk,
               const git_diff_line  *line,
               void                 *data)
{
  PatchSink *sink = data;
  gsize extra = line->content_len + 1;

  if (sink->out->len + extra > sink->max)
    {
      sink->cut = TRUE;
      return GIT_EUSER;   /* stops the walk: the rest is not wanted */
    }
  if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
      line->origin == GIT_DIFF_LINE_DELETION)
    g_string_append_c (sink->out, line->origin);
  g_string_append_len (sink->out, line->content, line->content_len);
  return 0;
}

char *
lean_git_diff_patch (const char  *path,
                     const char  *base,
                     gsize        max_bytes,
                     gboolean    *cut,
                     GError     **error)
{
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_object) head = NULL;
  g_autoptr(git_tree) tree = NULL;
  g_autoptr(git_diff) diff = NULL;
  g_autofree char *spec = NULL;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  PatchSink sink = { NULL, max_bytes, FALSE };
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (cut != NULL)
    *cut = FALSE;
  repo = _lean_git_open_repo (path, error);
  if (repo == NULL)
    return NULL;

  spec = g_strdup_printf ("%s^{tree}", base != NULL ? base : "HEAD");
  if (git_revparse_single (&head, repo, spec) == 0)
    tree = (git_tree *)g_steal_pointer (&head);
  else if (base != NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("%s: no such revision in the repository"), base);
      return NULL;
    }

  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                  GIT_DIFF_SHOW_UNTRACKED_CONTENT;
  rc = git_diff_tree_to_workdir_with_index (&diff, repo, tree, &options);
  if (rc < 0)
    {
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }

  sink.out = g_string_new (NULL);
  rc = git_diff_print (diff, GIT_DIFF_FORMAT_PATCH, patch_line_cb, &sink);
  if (rc < 0 && !(rc == GIT_EUSER && sink.cut))
    {
      g_string_free (sink.out, TRUE);
      _lean_git_set_error (error, rc, _("Could not compute the diff"));
      return NULL;
    }
  if (cut != NULL)
    *cut = sink.cut;
  return g_string_free (sink.out, FALSE);
}
