/* SPDX-License-Identifier: MIT */
#pragma once

#include <git2.h>
#include <glib.h>

G_BEGIN_DECLS

/* Shared by the vcs wing's files; blocking like the rest of it. */
void            _lean_git_ensure_init (void);
/* Sets @error from libgit2's last error of this thread: "@what: reason". */
void            _lean_git_set_error   (GError     **error,
                                       int          code,
                                       const char  *what);
/* Opens the repository containing @path (searching upwards). */
git_repository *_lean_git_open_repo   (const char  *path,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_repository, git_repository_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_reference, git_reference_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_commit, git_commit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_worktree, git_worktree_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_status_list, git_status_list_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_diff, git_diff_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_diff_stats, git_diff_stats_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_tree, git_tree_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_object, git_object_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_patch, git_patch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_index, git_index_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_signature, git_signature_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_blob, git_blob_free)

G_END_DECLS
