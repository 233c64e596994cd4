/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/stat.h>

#include "lean-error.h"
#include "lean-git.h"
#include "lean-json.h"
#include "lean-project.h"
#include "lean-session-review.h"

/* A "git-base" payload is two ids; anything larger is not one. */
#define MAX_BASE_PAYLOAD 4096

void
lean_session_tree_free (LeanSessionTree *tree)
{
  if (tree == NULL)
    return;
  g_free (tree->workdir);
  g_free (tree->worktree_path);
  g_free (tree->branch);
  g_free (tree->base_commit);
  g_free (tree->base_branch);
  g_free (tree);
}

char *
lean_session_capture_base (const char *project_path)
{
  g_autofree char *commit = NULL;
  g_autofree char *branch = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!lean_git_head (project_path, &commit, &branch, NULL))
    return NULL;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "commit");
  json_builder_add_string_value (b, commit);
  if (branch != NULL)
    {
      json_builder_set_member_name (b, "branch");
      json_builder_add_string_value (b, branch);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* A recorded id or branch is used as a revision: only plain names. */
static char *
checked_ref (JsonObject *object,
             const char *member)
{
  const char *value = json_object_get_string_member_with_default (object, member, NULL);

  if (value == NULL || *value == '\0' || *value == '-' || strlen (value) > 255)
    return NULL;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./", *p) == NULL)
      return NULL;
  return g_strdup (value);
}

LeanSessionTree *
lean_session_tree_resolve (LeanSessionDb  *db,
                           LeanSession    *session,
                           GError        **error)
{
  g_autoptr(LeanSessionTree) tree = g_new0 (LeanSessionTree, 1);
  g_autoptr(GPtrArray) events = NULL;
  const char *worktree = lean_session_get_worktree_path (session);

  if (worktree != NULL && *worktree != '\0')
    {
      if (!g_file_test (worktree, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                       _("The worktree of this session is gone (“%s”)"), worktree);
          return NULL;
        }
      tree->worktree_path = g_strdup (worktree);
      tree->workdir = g_strdup (worktree);
      tree->branch = g_strdup (lean_session_get_branch (session));
    }
  else
    tree->workdir = g_strdup (lean_session_get_project_path (session));

  events = lean_session_db_read_events (db, lean_session_get_id (session), -1, error);
  if (events == NULL)
    return NULL;
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);
      g_autoptr(JsonNode) node = NULL;

      if (g_strcmp0 (event->kind, LEAN_SESSION_EVENT_GIT_BASE) != 0 || event->payload == NULL ||
          strlen (event->payload) > MAX_BASE_PAYLOAD)
        continue;
      node = lean_json_parse (event->payload, strlen (event->payload), 4, NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      g_free (tree->base_commit);
      g_free (tree->base_branch);
      tree->base_commit = checked_ref (json_node_get_object (node), "commit");
      tree->base_branch = checked_ref (json_node_get_object (node), "branch");
      break;
    }
  return g_steal_pointer (&tree);
}

LeanGitChange *
lean_session_review (LeanSessionDb  *db,
                     LeanSession    *session,
                     GError        **error)
{
  g_autoptr(LeanSessionTree) tree = lean_session_tree_resolve (db, session, error);

  if (tree == NULL)
    return NULL;
  return lean_git_change_compute (tree->workdir, tree->base_commit, 0, error);
}

char *
lean_session_file_patch (LeanSessionDb  *db,
                         LeanSession    *session,
                         const char     *path,
                         gboolean       *binary,
                         gboolean       *too_large,
                         GError        **error)
{
  g_autoptr(LeanSessionTree) tree = lean_session_tree_resolve (db, session, error);

  if (tree == NULL)
    return NULL;
  return lean_git_change_file_patch (tree->workdir, tree->base_commit, path, 0, binary,
                                     too_large, error);
}

char *
lean_session_default_message (LeanSession *session)
{
  const char *spec_id = lean_session_get_spec_id (session);
  g_autoptr(LeanProject) project = lean_project_open (lean_session_get_project_path (session),
                                                      NULL);
  g_autoptr(GPtrArray) specs = NULL;
  LeanSpec *spec = NULL;

  if (project != NULL)
    specs = lean_project_load_specs (project, NULL, NULL, NULL);
  if (specs != NULL)
    spec = lean_project_find_spec (project, specs, spec_id, NULL);
  if (spec == NULL)
    return g_strdup (spec_id);
  if (lean_spec_get_number (spec) == 0)
    return g_strdup_printf ("%s: %s", spec_id, lean_spec_get_title (spec));
  return g_strdup_printf ("%03u: %s", lean_spec_get_number (spec), lean_spec_get_title (spec));
}

/* Every recorded session that used @path as its worktree. */
static GPtrArray *
sessions_in_worktree (LeanSessionDb  *db,
                      const char     *path,
                      GError        **error)
{
  g_autoptr(GListModel) all = lean_session_db_list (db, NULL, error);
  GPtrArray *found;

  if (all == NULL)
    return NULL;
  found = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (all, i);

      if (g_strcmp0 (lean_session_get_worktree_path (s), path) == 0)
        g_ptr_array_add (found, g_steal_pointer (&s));
    }
  return found;
}

static gboolean
all_ended (GPtrArray *sessions)
{
  for (guint i = 0; i < sessions->len; i++)
    if (!lean_session_state_is_final (lean_session_get_state (g_ptr_array_index (sessions, i))))
      return FALSE;
  return TRUE;
}

static gboolean
worktree_is_idle (LeanSessionDb  *db,
                  const char     *path,
                  GError        **error)
{
  g_autoptr(GPtrArray) sessions = sessions_in_worktree (db, path, error);

  if (sessions == NULL)
    return FALSE;
  if (!all_ended (sessions))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("A session still runs in “%s”: cancel it first"), path);
      return FALSE;
    }
  return TRUE;
}

static void
add_event (LeanSessionDb *db,
           LeanSession   *session,
           const char    *kind,
           JsonBuilder   *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *json = NULL;

  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  lean_session_db_add_event (db, lean_session_get_id (session), kind, json);
}

/* The commit landing made: the base branch's new tip when it moved, else
 * the commit on the session's own branch. Its figures are what the work
 * brought: since the session's base for a fast-forward or a plain commit,
 * since the base branch's previous tip for a merge or a squash. */
static void
add_commit_event (LeanSessionDb     *db,
                  LeanSession       *session,
                  LeanSessionTree   *tree,
                  LeanGitLandResult *result,
                  const char        *message)
{
  gboolean moved = result->landed != NULL &&
                   (result->outcome == LEAN_GIT_LANDED_FAST_FORWARD ||
                    result->outcome == LEAN_GIT_LANDED_MERGED ||
                    result->outcome == LEAN_GIT_LANDED_SQUASHED ||
                    result->outcome == LEAN_GIT_LANDED_COMMITTED);
  const char *commit = moved ? result->landed : result->commit;
  gboolean by_parent = result->outcome == LEAN_GIT_LANDED_MERGED ||
                       result->outcome == LEAN_GIT_LANDED_SQUASHED;
  g_autofree char *branch = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(GError) error = NULL;
  LeanGitDiffStats stats = { 0 };
  gboolean have_stats;

  if (commit == NULL)
    return;
  if (result->outcome == LEAN_GIT_LANDED_COMMITTED || !moved)
    lean_git_head (tree->workdir, NULL, &branch, NULL);
  else
    branch = tree->base_branch != NULL ? g_strdup (tree->base_branch)
                                       : lean_git_main_branch (tree->workdir, NULL);
  have_stats = lean_git_diff_stats (tree->workdir, by_parent ? NULL : tree->base_commit, commit,
                                    &stats, &error);
  if (!have_stats)
    g_debug ("%s", error->message);
  subject = g_strndup (message, strcspn (message, "\n"));

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "commit");
  json_builder_add_string_value (b, commit);
  if (branch != NULL)
    {
      json_builder_set_member_name (b, "branch");
      json_builder_add_string_value (b, branch);
    }
  json_builder_set_member_name (b, "subject");
  json_builder_add_string_value (b, subject);
  if (lean_session_get_spec_id (session) != NULL)
    {
      json_builder_set_member_name (b, "spec");
      json_builder_add_string_value (b, lean_session_get_spec_id (session));
    }
  if (have_stats)
    {
      json_builder_set_member_name (b, "files_changed");
      json_builder_add_int_value (b, stats.files_changed);
      json_builder_set_member_name (b, "insertions");
      json_builder_add_int_value (b, stats.insertions);
      json_builder_set_member_name (b, "deletions");
      json_builder_add_int_value (b, stats.deletions);
    }
  json_builder_end_object (b);
  add_event (db, session, LEAN_SESSION_EVENT_COMMIT, b);
}

LeanGitLandResult *
lean_session_land (LeanSessionDb     *db,
                   LeanSession       *session,
                   const char        *message,
                   LeanGitLandFlags   flags,
                   gboolean           keep_worktree,
                   GError           **error)
{
  g_autoptr(LeanSessionTree) tree = lean_session_tree_resolve (db, session, error);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autofree char *default_message = NULL;
  g_autoptr(JsonBuilder) b = NULL;

  if (tree == NULL)
    return NULL;
  if (!lean_session_state_is_final (lean_session_get_state (session)))
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("The session is still running: land it once it has ended"));
      return NULL;
    }
  if (tree->worktree_path != NULL && !worktree_is_idle (db, tree->worktree_path, error))
    return NULL;
  if (message == NULL || *message == '\0')
    message = default_message = lean_session_default_message (session);

  result = lean_git_land (tree->workdir, tree->base_branch, message, flags, error);
  if (result == NULL)
    return NULL;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "outcome");
  json_builder_add_string_value (b, lean_git_land_outcome_to_string (result->outcome));
  json_builder_set_member_name (b, "commit");
  json_builder_add_string_value (b, result->commit);
  json_builder_set_member_name (b, "landed");
  json_builder_add_string_value (b, result->landed);
  json_builder_end_object (b);
  add_event (db, session, LEAN_SESSION_EVENT_LANDED, b);
  add_commit_event (db, session, tree, result, message);

  /* Merged (or already in the base branch): the worktree and its branch
   * have nothing left to give. Committed only: the branch holds the work. */
  if (!keep_worktree && tree->worktree_path != NULL &&
      (result->outcome == LEAN_GIT_LANDED_FAST_FORWARD ||
       result->outcome == LEAN_GIT_LANDED_MERGED ||
       result->outcome == LEAN_GIT_LANDED_SQUASHED ||
       (result->outcome == LEAN_GIT_LANDED_NOTHING && !(flags & LEAN_GIT_LAND_NO_MERGE))))
    {
      g_autoptr(GError) local_error = NULL;

      if (!lean_git_discard (lean_session_get_project_path (session), tree->worktree_path,
                             tree->branch, &local_error))
        g_warning ("%s", local_error->message);
    }
  return g_steal_pointer (&result);
}

gboolean
lean_session_discard (LeanSessionDb  *db,
                      LeanSession    *session,
                      GError        **error)
{
  const char *worktree = lean_session_get_worktree_path (session);
  g_autoptr(JsonBuilder) b = NULL;

  if (worktree == NULL || *worktree == '\0')
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("This session worked in the project folder, not in a worktree of "
                             "its own: there is no branch to discard"));
      return FALSE;
    }
  if (!worktree_is_idle (db, worktree, error))
    return FALSE;
  if (!lean_git_discard (lean_session_get_project_path (session), worktree,
                         lean_session_get_branch (session), error))
    return FALSE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_end_object (b);
  add_event (db, session, LEAN_SESSION_EVENT_DISCARDED, b);
  return TRUE;
}

/* ---- worktrees ---- */

void
lean_session_worktree_free (LeanSessionWorktree *worktree)
{
  if (worktree == NULL)
    return;
  g_free (worktree->session_id);
  g_free (worktree->spec_id);
  g_free (worktree->project_path);
  g_free (worktree->path);
  g_free (worktree->branch);
  g_free (worktree);
}

/* Blocks on disk of @path and below, links not followed (a worktree's
 * node_modules may link anywhere). */
static guint64
disk_use (const char *path,
          guint       depth)
{
  g_autoptr(GDir) dir = NULL;
  struct stat st;
  guint64 total;
  const char *name;

  if (lstat (path, &st) < 0)
    return 0;
  total = (guint64)st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode) || depth > 64 || (dir = g_dir_open (path, 0, NULL)) == NULL)
    return total;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      total += disk_use (child, depth + 1);
    }
  return total;
}

GPtrArray *
lean_session_worktrees_list (LeanSessionDb  *db,
                             GError        **error)
{
  g_autoptr(GListModel) all = lean_session_db_list (db, NULL, error);
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GPtrArray *list;

  if (all == NULL)
    return NULL;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_session_worktree_free);
  /* Newest first: the first session seen for a path is its latest. */
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (all, i);
      const char *path = lean_session_get_worktree_path (s);
      LeanSessionWorktree *worktree;
      GDateTime *when;

      if (path == NULL || *path == '\0')
        continue;
      worktree = g_hash_table_lookup (seen, path);
      if (worktree != NULL)
        {
          if (!lean_session_state_is_final (lean_session_get_state (s)))
            worktree->ended = FALSE;
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      worktree = g_new0 (LeanSessionWorktree, 1);
      worktree->session_id = g_strdup (lean_session_get_id (s));
      worktree->spec_id = g_strdup (lean_session_get_spec_id (s));
      worktree->project_path = g_strdup (lean_session_get_project_path (s));
      worktree->path = g_strdup (path);
      worktree->branch = g_strdup (lean_session_get_branch (s));
      worktree->ended = lean_session_state_is_final (lean_session_get_state (s));
      worktree->bytes = disk_use (path, 0);
      when = lean_session_get_ended_at (s) != NULL ? lean_session_get_ended_at (s)
                                                   : lean_session_get_started_at (s);
      worktree->age = when != NULL ? MAX (0, g_date_time_difference (now, when) / G_USEC_PER_SEC)
                                   : 0;
      g_hash_table_insert (seen, worktree->path, worktree);
      g_ptr_array_add (list, worktree);
    }
  return list;
}

gboolean
lean_session_worktree_remove (LeanSessionDb  *db,
                              const char     *path,
                              GError        **error)
{
  g_autoptr(GPtrArray) sessions = sessions_in_worktree (db, path, error);

  if (sessions == NULL)
    return FALSE;
  if (sessions->len == 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("No session worked in “%s”"), path);
      return FALSE;
    }
  if (!all_ended (sessions))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("A session still runs in “%s”: cancel it first"), path);
      return FALSE;
    }
  return lean_git_remove_worktree (lean_session_get_project_path (g_ptr_array_index (sessions, 0)),
                                   path, error);
}

guint
lean_session_worktrees_prune (LeanSessionDb  *db,
                              GError        **error)
{
  g_autoptr(GPtrArray) list = lean_session_worktrees_list (db, error);
  guint removed = 0;

  if (list == NULL)
    return 0;
  for (guint i = 0; i < list->len; i++)
    {
      LeanSessionWorktree *worktree = g_ptr_array_index (list, i);
      g_autoptr(GError) local_error = NULL;

      if (!worktree->ended)
        continue;
      if (lean_git_remove_worktree (worktree->project_path, worktree->path, &local_error))
        removed++;
      else
        g_warning ("%s", local_error->message);
    }
  return removed;
}

/* ---- async: the session is read again in the thread by its id ---- */

typedef struct
{
  LeanSessionDb    *db;
  char             *session_id;
  char             *text;       /* a file path, a message, a worktree path */
  LeanGitLandFlags  flags;
  gboolean          keep;
  gboolean          binary;
  gboolean          too_large;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->db);
  g_free (job->session_id);
  g_free (job->text);
  g_free (job);
}

static GTask *
job_task (LeanSessionDb        *db,
          LeanSession          *session,
          const char           *text,
          gpointer              tag,
          GCancellable         *cancellable,
          GAsyncReadyCallback   callback,
          gpointer              user_data)
{
  GTask *task = g_task_new (db, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->db = g_object_ref (db);
  job->session_id = session != NULL ? g_strdup (lean_session_get_id (session)) : NULL;
  job->text = g_strdup (text);
  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, job, (GDestroyNotify)job_free);
  return task;
}

static void
review_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  g_autoptr(LeanSession) session = lean_session_db_lookup (job->db, job->session_id, &error);
  LeanGitChange *change = NULL;

  if (session != NULL)
    change = lean_session_review (job->db, session, &error);
  if (change == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, change, (GDestroyNotify)lean_git_change_free);
}

void
lean_session_review_async (LeanSessionDb        *db,
                           LeanSession          *session,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = job_task (db, session, NULL, lean_session_review_async, cancellable,
                                    callback, user_data);

  g_task_run_in_thread (task, review_thread);
}

LeanGitChange *
lean_session_review_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
patch_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  g_autoptr(LeanSession) session = lean_session_db_lookup (job->db, job->session_id, &error);
  char *patch = NULL;

  if (session != NULL)
    patch = lean_session_file_patch (job->db, session, job->text, &job->binary,
                                     &job->too_large, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, patch, g_free);
}

void
lean_session_file_patch_async (LeanSessionDb        *db,
                               LeanSession          *session,
                               const char           *path,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GTask) task = job_task (db, session, path, lean_session_file_patch_async,
                                    cancellable, callback, user_data);

  g_task_run_in_thread (task, patch_thread);
}

char *
lean_session_file_patch_finish (GAsyncResult  *result,
                                gboolean      *binary,
                                gboolean      *too_large,
                                GError       **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  if (binary != NULL)
    *binary = job->binary;
  if (too_large != NULL)
    *too_large = job->too_large;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
land_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  g_autoptr(LeanSession) session = lean_session_db_lookup (job->db, job->session_id, &error);
  LeanGitLandResult *result = NULL;

  if (session != NULL)
    result = lean_session_land (job->db, session, job->text, job->flags, job->keep, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify)lean_git_land_result_free);
}

void
lean_session_land_async (LeanSessionDb       *db,
                         LeanSession         *session,
                         const char          *message,
                         LeanGitLandFlags     flags,
                         gboolean             keep_worktree,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = job_task (db, session, message, lean_session_land_async, cancellable,
                                    callback, user_data);
  Job *job = g_task_get_task_data (task);

  job->flags = flags;
  job->keep = keep_worktree;
  g_task_run_in_thread (task, land_thread);
}

LeanGitLandResult *
lean_session_land_finish (GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
discard_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  g_autoptr(LeanSession) session = lean_session_db_lookup (job->db, job->session_id, &error);

  if (session != NULL && lean_session_discard (job->db, session, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lean_session_discard_async (LeanSessionDb       *db,
                            LeanSession         *session,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = job_task (db, session, NULL, lean_session_discard_async, cancellable,
                                    callback, user_data);

  g_task_run_in_thread (task, discard_thread);
}

gboolean
lean_session_discard_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
worktrees_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  GPtrArray *list = lean_session_worktrees_list (job->db, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify)g_ptr_array_unref);
}

void
lean_session_worktrees_list_async (LeanSessionDb       *db,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = job_task (db, NULL, NULL, lean_session_worktrees_list_async,
                                    cancellable, callback, user_data);

  g_task_run_in_thread (task, worktrees_thread);
}

GPtrArray *
lean_session_worktrees_list_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
remove_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (job->text == NULL)
    {
      lean_session_worktrees_prune (job->db, &error);
      if (error == NULL)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  else if (lean_session_worktree_remove (job->db, job->text, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_return_error (task, error);
}

void
lean_session_worktree_remove_async (LeanSessionDb       *db,
                                    const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = job_task (db, NULL, path, lean_session_worktree_remove_async,
                                    cancellable, callback, user_data);

  g_task_run_in_thread (task, remove_thread);
}

gboolean
lean_session_worktree_remove_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
