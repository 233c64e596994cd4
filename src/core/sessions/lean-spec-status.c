/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-project.h"
#include "lean-spec-status.h"
#include "lean-spec-types.h"
#include "lean-spec-writer.h"

int
lean_spec_status_set_in_progress (const char  *project_path,
                                  const char  *spec_id,
                                  char       **note)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(LeanSpec) written = NULL;
  LeanSpec *spec = NULL;

  g_return_val_if_fail (project_path != NULL && spec_id != NULL, -1);

  project = lean_project_open (project_path, &error);
  if (project != NULL)
    specs = lean_project_load_specs (project, NULL, NULL, &error);
  if (specs != NULL)
    spec = lean_project_find_spec (project, specs, spec_id, &error);
  if (spec == NULL)
    {
      if (note != NULL)
        *note = g_strdup (error->message);
      return -1;
    }
  /* Only move forward: a complete or archived spec being reworked keeps
   * its status, and so does one already in progress. */
  if (lean_spec_get_status (spec) >= LEAN_SPEC_STATUS_IN_PROGRESS)
    return -1;
  written = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  if (written == NULL)
    {
      if (note != NULL)
        *note = g_strdup (error->message);
      return -1;
    }
  return lean_spec_get_status (spec);
}

typedef struct
{
  char *project_path;
  char *spec_id;
  int   status;
  char *note;
} Restore;

static void
restore_free (Restore *restore)
{
  g_free (restore->project_path);
  g_free (restore->spec_id);
  g_free (restore->note);
  g_free (restore);
}

static void
restore_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Restore *restore = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(LeanSpec) written = NULL;
  LeanSpec *spec = NULL;

  project = lean_project_open (restore->project_path, &error);
  if (project != NULL)
    specs = lean_project_load_specs (project, NULL, NULL, &error);
  if (specs != NULL)
    spec = lean_project_find_spec (project, specs, restore->spec_id, &error);
  /* Someone (the person, another session) changed it since: theirs wins. */
  if (spec != NULL && lean_spec_get_status (spec) != LEAN_SPEC_STATUS_IN_PROGRESS)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "the spec is no longer in progress");
      return;
    }
  if (spec != NULL)
    written = lean_spec_writer_set_status (spec, restore->status, &error);
  if (written == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                               error ? error->message : "unknown error");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
set_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Restore *set = task_data;

  set->status = lean_spec_status_set_in_progress (set->project_path, set->spec_id, &set->note);
  g_task_return_boolean (task, TRUE);
}

static GTask *
new_task (const char          *project_path,
          const char          *spec_id,
          int                  status,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Restore *restore = g_new0 (Restore, 1);

  restore->project_path = g_strdup (project_path);
  restore->spec_id = g_strdup (spec_id);
  restore->status = status;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, restore, (GDestroyNotify) restore_free);
  return task;
}

void
lean_spec_status_set_in_progress_async (const char          *project_path,
                                        const char          *spec_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (project_path != NULL && spec_id != NULL);

  task = new_task (project_path, spec_id, -1, cancellable, callback, user_data,
                   lean_spec_status_set_in_progress_async);
  g_task_run_in_thread (task, set_thread);
}

int
lean_spec_status_set_in_progress_finish (GAsyncResult  *result,
                                         char         **note)
{
  Restore *set;

  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);

  set = g_task_get_task_data (G_TASK (result));
  g_task_propagate_boolean (G_TASK (result), NULL);
  if (note != NULL)
    *note = g_strdup (set->note);
  return set->status;
}

void
lean_spec_status_restore_async (const char          *project_path,
                                const char          *spec_id,
                                int                  status,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (project_path != NULL && spec_id != NULL);

  task = new_task (project_path, spec_id, status, cancellable, callback, user_data,
                   lean_spec_status_restore_async);
  g_task_run_in_thread (task, restore_thread);
}

gboolean
lean_spec_status_restore_finish (GAsyncResult  *result,
                                 char         **note)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    return TRUE;
  if (note != NULL)
    *note = g_strdup (error->message);
  return FALSE;
}
