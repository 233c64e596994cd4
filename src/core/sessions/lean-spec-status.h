/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The spec status side of a session for a project no spec store holds
 * (LeanSpecStatusFollower uses them): moving a spec to in-progress when its
 * session starts, and back when the agent could not even begin. Each
 * reloads the project to find the spec and writes through the spec
 * writer (hash-checked, minimal diff). */

/* Moves @spec_id of the project at @project_path to in-progress, only
 * forward (a complete or archived spec keeps its status). Returns the
 * status it replaced, or -1 when nothing was written; @note (may be
 * NULL) then says why when it is an error. */
int      lean_spec_status_set_in_progress (const char           *project_path,
                                           const char           *spec_id,
                                           char                **note);
/* lean_spec_status_set_in_progress() in a worker thread. */
void     lean_spec_status_set_in_progress_async  (const char           *project_path,
                                                  const char           *spec_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* The status in-progress replaced, or -1 (@note as above). */
int      lean_spec_status_set_in_progress_finish (GAsyncResult         *result,
                                                  char                **note);
/* Puts @status back, unless someone changed the spec since (it is no longer
 * in progress): theirs wins. */
void     lean_spec_status_restore_async   (const char           *project_path,
                                           const char           *spec_id,
                                           int                   status,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* TRUE when restored; otherwise @note says why not. */
gboolean lean_spec_status_restore_finish  (GAsyncResult         *result,
                                           char                **note);

G_END_DECLS
