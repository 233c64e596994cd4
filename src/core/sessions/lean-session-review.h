/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-git-change.h"
#include "lean-git-land.h"
#include "lean-session.h"
#include "lean-session-db.h"

G_BEGIN_DECLS

/* Reviewing and landing what a session changed, whether it ran in its own
 * git worktree or in place. The plain functions BLOCK (database reads,
 * libgit2, the spec file): the CLI and worker threads call them; the UI uses
 * the _async variants. */

/* Event kinds this module records on a session. */
#define LEAN_SESSION_EVENT_GIT_BASE "git-base"   /* {commit, branch}: where it started */
#define LEAN_SESSION_EVENT_LANDED   "landed"     /* {outcome, commit, landed} */
#define LEAN_SESSION_EVENT_DISCARDED "discarded" /* {} */
/* {commit, branch, subject, spec, files_changed, insertions, deletions}:
 * the commit that landing made where the work now is (Devlog's
 * commit_created). */
#define LEAN_SESSION_EVENT_COMMIT   "commit"

/* Where a session's work is and what it is compared against. */
typedef struct
{
  char *workdir;       /* the worktree, or the project folder */
  char *worktree_path; /* NULL when it ran in place */
  char *branch;        /* the session's branch, NULL in place */
  char *base_commit;   /* NULL: unknown (HEAD is used) */
  char *base_branch;   /* NULL: the main working tree's branch */
} LeanSessionTree;

void             lean_session_tree_free    (LeanSessionTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSessionTree, lean_session_tree_free)

/* The "git-base" payload for a session starting now in @project_path
 * (HEAD's commit and branch), or NULL outside a repository. */
char            *lean_session_capture_base (const char      *project_path);

LeanSessionTree *lean_session_tree_resolve (LeanSessionDb   *db,
                                            LeanSession     *session,
                                            GError         **error);

LeanGitChange   *lean_session_review       (LeanSessionDb   *db,
                                            LeanSession     *session,
                                            GError         **error);
void             lean_session_review_async (LeanSessionDb        *db,
                                            LeanSession          *session,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
LeanGitChange   *lean_session_review_finish (GAsyncResult        *result,
                                             GError             **error);

/* One file's patch (see lean_git_change_file_patch()). */
char            *lean_session_file_patch   (LeanSessionDb   *db,
                                            LeanSession     *session,
                                            const char      *path,
                                            gboolean        *binary,
                                            gboolean        *too_large,
                                            GError         **error);
void             lean_session_file_patch_async  (LeanSessionDb        *db,
                                                 LeanSession          *session,
                                                 const char           *path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* NULL without error for a binary or too large file. */
char            *lean_session_file_patch_finish (GAsyncResult        *result,
                                                 gboolean            *binary,
                                                 gboolean            *too_large,
                                                 GError             **error);

/* "042: Title of the spec" (the spec's id when it cannot be read). */
char            *lean_session_default_message (LeanSession  *session);

/* Commits and merges (lean_git_land()); @message NULL is the default
 * message. Unless @keep_worktree, a landed worktree session's worktree and
 * branch are removed afterwards. Records a "landed" event. */
LeanGitLandResult *lean_session_land       (LeanSessionDb     *db,
                                            LeanSession       *session,
                                            const char        *message,
                                            LeanGitLandFlags   flags,
                                            gboolean           keep_worktree,
                                            GError           **error);
void               lean_session_land_async (LeanSessionDb       *db,
                                            LeanSession         *session,
                                            const char          *message,
                                            LeanGitLandFlags     flags,
                                            gboolean             keep_worktree,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
LeanGitLandResult *lean_session_land_finish (GAsyncResult       *result,
                                             GError            **error);

/* Drops a worktree session's worktree and branch (refused for a session
 * that ran in place, and while any session runs in that worktree). */
gboolean         lean_session_discard       (LeanSessionDb      *db,
                                             LeanSession        *session,
                                             GError            **error);
void             lean_session_discard_async (LeanSessionDb       *db,
                                             LeanSession         *session,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean         lean_session_discard_finish (GAsyncResult       *result,
                                              GError            **error);

/* A worktree on disk made for a session. */
typedef struct
{
  char     *session_id;   /* the latest session that used it */
  char     *spec_id;
  char     *project_path;
  char     *path;
  char     *branch;
  gboolean  ended;        /* no session in it is pending or running */
  guint64   bytes;        /* disk use */
  gint64    age;          /* seconds since its latest session ended (or started) */
} LeanSessionWorktree;

void       lean_session_worktree_free   (LeanSessionWorktree *worktree);

/* Worktrees of recorded sessions that still exist, newest first. */
GPtrArray *lean_session_worktrees_list  (LeanSessionDb  *db,
                                         GError        **error);
/* Removes the worktree at @path when its sessions all ended (the branch
 * is kept: it holds the work). */
gboolean   lean_session_worktree_remove (LeanSessionDb  *db,
                                         const char     *path,
                                         GError        **error);
/* Removes every worktree whose sessions all ended; returns how many. */
guint      lean_session_worktrees_prune (LeanSessionDb  *db,
                                         GError        **error);
void       lean_session_worktrees_list_async  (LeanSessionDb       *db,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray *lean_session_worktrees_list_finish (GAsyncResult        *result,
                                               GError             **error);
/* @path NULL: prune all ended. */
void       lean_session_worktree_remove_async  (LeanSessionDb       *db,
                                                const char          *path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean   lean_session_worktree_remove_finish (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
