/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where a session's agent runs: the project folder, or a new git worktree
 * on a branch of its own for the session. A project in a sub-folder of its
 * repository runs in the same sub-folder of the worktree. */
typedef struct
{
  char *worktree_path;  /* NULL: no worktree */
  char *branch;         /* NULL: no worktree */
  char *cwd;            /* the agent's working folder */
} LeanSessionPlace;

void              lean_session_place_free            (LeanSessionPlace     *place);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSessionPlace, lean_session_place_free)

/* Finds the repository of @project_path and makes the worktree (libgit2)
 * in a worker thread when @use_worktree; otherwise the place is the
 * project folder. */
void              lean_session_place_prepare_async   (const char           *project_path,
                                                      const char           *spec_id,
                                                      const char           *session_id,
                                                      gboolean              use_worktree,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
LeanSessionPlace *lean_session_place_prepare_finish  (GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
