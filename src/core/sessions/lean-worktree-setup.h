/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-controller.h"
#include "lean-session-db.h"
#include "lean-trust-store.h"

G_BEGIN_DECLS

/* A project's optional .lean-spec/worktree.json prepares each new session
 * worktree:
 *
 *   { "copy": [".env", "config/local.json"], "setup": "npm ci" }
 *
 * "copy" names files of the project (relative, inside it) copied to the
 * same place in the worktree: what git does not track. "setup" is a shell
 * command run in the worktree. Both come from the project, so nothing of
 * the file is done until the person trusted its content (the trust store,
 * as for runners.json). BLOCKING: from the thread that makes the worktree. */

#define LEAN_WORKTREE_SETUP_FILE ".lean-spec/worktree.json"

/* Prepares @worktree_dir (the project's folder inside the new worktree).
 * No file: TRUE. Untrusted file: TRUE with *@note saying nothing was done
 * and how to trust it. A failed copy or setup command: FALSE. *@note may
 * also get the command's output tail. */
gboolean          lean_worktree_setup_run         (const char  *project_path,
                                                   const char  *worktree_dir,
                                                   char       **note,
                                                   GError     **error);

/* The file as the person must see it to trust it, or NULL (no file, with
 * G_IO_ERROR_NOT_FOUND, or unreadable). */
LeanTrustRequest *lean_worktree_setup_get_request (const char  *project_path,
                                                   GError     **error);

/* Where a session's agent runs, worked out before it starts: for
 * @request->use_worktree a new worktree and branch (then set up as above);
 * for a follow-up (@request->worktree_path) that worktree; else the
 * project folder. @cwd is the project's folder inside the worktree. The
 * out strings are NULL when they do not apply. BLOCKING (the controller's
 * preparation thread). */
gboolean          lean_worktree_prepare           (const LeanSessionRequest *request,
                                                   const char               *session_id,
                                                   char                    **worktree_path,
                                                   char                    **branch,
                                                   char                    **cwd,
                                                   char                    **setup_note,
                                                   GError                  **error);
/* Records what the preparation found: the "git-base" event (@base, may be
 * NULL) and a "worktree-setup" note (may be NULL). */
void              lean_worktree_record_prep       (LeanSessionDb            *db,
                                                   const char               *session_id,
                                                   const char               *base,
                                                   const char               *setup_note);

G_END_DECLS
