/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lean-git.h"
#include "lean-session-worktree.h"

typedef struct
{
  char     *project_path;
  char     *spec_id;
  char     *session_id;
  gboolean  use_worktree;
} Prep;

static void
prep_free (Prep *prep)
{
  g_free (prep->project_path);
  g_free (prep->spec_id);
  g_free (prep->session_id);
  g_free (prep);
}

void
lean_session_place_free (LeanSessionPlace *place)
{
  if (place == NULL)
    return;
  g_free (place->worktree_path);
  g_free (place->branch);
  g_free (place->cwd);
  g_free (place);
}

static void
prep_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Prep *prep = task_data;
  g_autoptr(LeanSessionPlace) place = g_new0 (LeanSessionPlace, 1);
  g_autofree char *root = NULL;
  g_autofree char *canon_project = NULL;
  g_autofree char *canon_root = NULL;
  GError *error = NULL;

  if (!prep->use_worktree)
    {
      place->cwd = g_strdup (prep->project_path);
      g_task_return_pointer (task, g_steal_pointer (&place),
                             (GDestroyNotify) lean_session_place_free);
      return;
    }

  root = lean_git_find_repo_root (prep->project_path, &error);
  if (root == NULL)
    {
      g_prefix_error (&error, _("A git worktree was asked for, but: "));
      g_task_return_error (task, error);
      return;
    }
  place->branch = lean_git_branch_name_for_session (prep->spec_id, prep->session_id);
  place->worktree_path = lean_git_default_worktree_path (root, prep->spec_id, prep->session_id);
  if (!lean_git_create_worktree (root, place->branch, place->worktree_path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  canon_project = g_canonicalize_filename (prep->project_path, NULL);
  canon_root = g_canonicalize_filename (root, NULL);
  if (g_str_has_prefix (canon_project, canon_root) &&
      canon_project[strlen (canon_root)] == G_DIR_SEPARATOR)
    place->cwd = g_build_filename (place->worktree_path,
                                   canon_project + strlen (canon_root) + 1, NULL);
  else
    place->cwd = g_strdup (place->worktree_path);
  g_task_return_pointer (task, g_steal_pointer (&place),
                         (GDestroyNotify) lean_session_place_free);
}

void
lean_session_place_prepare_async (const char          *project_path,
                                  const char          *spec_id,
                                  const char          *session_id,
                                  gboolean             use_worktree,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Prep *prep;

  g_return_if_fail (project_path != NULL && spec_id != NULL && session_id != NULL);

  prep = g_new0 (Prep, 1);
  prep->project_path = g_strdup (project_path);
  prep->spec_id = g_strdup (spec_id);
  prep->session_id = g_strdup (session_id);
  prep->use_worktree = use_worktree;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_session_place_prepare_async);
  g_task_set_task_data (task, prep, (GDestroyNotify) prep_free);
  g_task_run_in_thread (task, prep_thread);
}

LeanSessionPlace *
lean_session_place_prepare_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
