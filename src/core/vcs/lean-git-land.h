/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Landing a session's work: commit it, merge its branch into the branch it
 * started from, or drop it. BLOCKING (libgit2): call from a worker thread. */

typedef enum
{
  LEAN_GIT_LAND_SQUASH   = 1 << 0,  /* one commit on the base branch */
  LEAN_GIT_LAND_NO_MERGE = 1 << 1,  /* commit on the session's branch only */
} LeanGitLandFlags;

typedef enum
{
  LEAN_GIT_LANDED_NOTHING,       /* nothing to commit and nothing to merge */
  LEAN_GIT_LANDED_COMMITTED,     /* committed (no merge: asked, or in place) */
  LEAN_GIT_LANDED_FAST_FORWARD,
  LEAN_GIT_LANDED_MERGED,        /* a merge commit */
  LEAN_GIT_LANDED_SQUASHED,
  LEAN_GIT_LANDED_CONFLICT,      /* nothing of the base branch was touched */
} LeanGitLandOutcome;

typedef struct
{
  LeanGitLandOutcome  outcome;
  char               *commit;      /* the commit made in the session's tree, or NULL */
  char               *landed;      /* where the base branch points now, or NULL */
  char              **conflicts;   /* CONFLICT: the files, never NULL then */
  /* CONFLICT because the base branch's working tree has local changes in
   * these files (not a merge conflict). */
  gboolean            local_changes;
} LeanGitLandResult;

void               lean_git_land_result_free (LeanGitLandResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanGitLandResult, lean_git_land_result_free)

/* "fast-forward", "merged", ... for JSON and logs. */
const char        *lean_git_land_outcome_to_string (LeanGitLandOutcome outcome);

/* Commits everything in the working tree at @workdir (new, changed and
 * deleted files; ignored ones stay out) on its HEAD with @message, author
 * and committer from git config (user.name, user.email). *@commit_id gets
 * the new commit's id, or NULL when there was nothing to commit. */
gboolean           lean_git_commit_all       (const char         *workdir,
                                              const char         *message,
                                              char              **commit_id,
                                              GError            **error);

/* Commits the work at @workdir (lean_git_commit_all) and, unless
 * LEAN_GIT_LAND_NO_MERGE or @workdir's HEAD is @base_branch itself (a
 * session that ran in place), merges its branch into @base_branch
 * (NULL: the branch checked out in the main working tree): a fast-forward
 * when the base has not moved, else a merge commit, or one squashed commit.
 * Where the base branch is checked out, its working tree and index follow.
 * A conflict (or local changes there that the merge would overwrite)
 * returns outcome CONFLICT with the files, and leaves the base branch, its
 * index and its working tree exactly as they were. */
LeanGitLandResult *lean_git_land             (const char         *workdir,
                                              const char         *base_branch,
                                              const char         *message,
                                              LeanGitLandFlags    flags,
                                              GError            **error);

/* The branch checked out in the repository's main working tree ("main"),
 * or NULL (detached, or no commit yet). */
char              *lean_git_main_branch      (const char         *path,
                                              GError            **error);

/* The full id of the commit at HEAD of the repository containing @path and
 * the branch name there (NULL when detached); FALSE without a commit. */
gboolean           lean_git_head             (const char         *path,
                                              char              **commit_id,
                                              char              **branch,
                                              GError            **error);

typedef struct
{
  guint files_changed;
  guint insertions;
  guint deletions;
} LeanGitDiffStats;

/* What commit @to_id changed since commit @from_id (NULL: its first parent,
 * or nothing for a root commit), in the repository containing @path. */
gboolean           lean_git_diff_stats       (const char         *path,
                                              const char         *from_id,
                                              const char         *to_id,
                                              LeanGitDiffStats   *stats,
                                              GError            **error);

/* Removes the worktree at @worktree_path (when it is one) and deletes
 * @branch (when not NULL and it exists): the session's work is gone. */
gboolean           lean_git_discard          (const char         *repo_path,
                                              const char         *worktree_path,
                                              const char         *branch,
                                              GError            **error);

G_END_DECLS
