/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* libgit2 helpers for per-session worktrees. Every function that takes a
 * path touches the repository on disk and BLOCKS: call it from a worker
 * thread (GTask run_in_thread), never from the GTK main loop. The _async
 * wrappers do that for you. libgit2 is initialised on first use. */

/* "leanspec/<spec_id>-<first 8 chars of session_id>" (pure, non-blocking). */
char     *lean_git_branch_name_for_session (const char    *spec_id,
                                            const char    *session_id);
/* g_get_user_cache_dir()/leanspec-desktop/worktrees/<repo folder name>/
 * <spec_id>-<8 chars> (pure, non-blocking; nothing is created). */
char     *lean_git_default_worktree_path   (const char    *repo_path,
                                            const char    *spec_id,
                                            const char    *session_id);

/* The working directory root of the repository containing @path, or NULL
 * and LEAN_ERROR_NOT_FOUND when @path is not in a git repository. */
char     *lean_git_find_repo_root          (const char    *path,
                                            GError       **error);

/* Creates branch @branch_name at the current HEAD commit of the repository
 * at @repo_path and a linked worktree for it at @worktree_path (parents are
 * created; the path must not exist yet). Fails with a sentence naming the
 * problem: no commit yet, branch exists, path exists, not a repository. */
gboolean  lean_git_create_worktree         (const char    *repo_path,
                                            const char    *branch_name,
                                            const char    *worktree_path,
                                            GError       **error);
void      lean_git_create_worktree_async   (const char          *repo_path,
                                            const char          *branch_name,
                                            const char          *worktree_path,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean  lean_git_create_worktree_finish  (GAsyncResult        *result,
                                            GError             **error);

/* Removes the worktree folder and its administrative data (prune). The
 * branch is kept (it holds the agent's work). */
gboolean  lean_git_remove_worktree         (const char    *repo_path,
                                            const char    *worktree_path,
                                            GError       **error);

/* Working tree status of @path as counts of files; any out-param may be NULL.
 * Untracked files count as added. */
gboolean  lean_git_status_summary          (const char    *path,
                                            guint         *n_modified,
                                            guint         *n_added,
                                            guint         *n_deleted,
                                            GError       **error);

/* Diff stat of the working tree (index + workdir) against HEAD, like
 * `git diff --stat HEAD` summary: "3 files changed, 10 insertions(+),
 * 2 deletions(-)". */
char     *lean_git_diff_summary            (const char    *path,
                                            GError       **error);

/* The patch of the working tree (index + workdir, untracked files
 * included) against @base (a revision such as a commit id or "HEAD"; NULL
 * is HEAD), at most @max_bytes of it: when longer it is cut at a line and
 * *@cut (may be NULL) is set. "" when nothing changed. */
char     *lean_git_diff_patch              (const char    *path,
                                            const char    *base,
                                            gsize          max_bytes,
                                            gboolean      *cut,
                                            GError       **error);

G_END_DECLS
