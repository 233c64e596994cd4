/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a session changed: its working tree (commits, index, uncommitted and
 * untracked files) against the commit it started from. Every function that
 * takes a path BLOCKS (libgit2): call it from a worker thread or use the
 * _async variants. */

typedef enum
{
  LEAN_GIT_FILE_ADDED = 'A',
  LEAN_GIT_FILE_MODIFIED = 'M',
  LEAN_GIT_FILE_DELETED = 'D',
  LEAN_GIT_FILE_TYPECHANGE = 'T',
} LeanGitFileStatus;

typedef struct
{
  char              *path;       /* relative to the repository root */
  LeanGitFileStatus  status;
  guint              added;      /* lines; 0 for binary and too large files */
  guint              removed;
  gboolean           binary;     /* named, not rendered */
  gboolean           too_large;  /* over the size limit: named, not rendered */
} LeanGitFileChange;

typedef struct
{
  char      *base;       /* full id of the commit compared against */
  GPtrArray *files;      /* LeanGitFileChange, sorted by path */
  guint      added;      /* totals over files */
  guint      removed;
} LeanGitChange;

/* Files over this many bytes are named, not diffed. */
#define LEAN_GIT_CHANGE_MAX_FILE_SIZE (1024 * 1024)

void           lean_git_change_free         (LeanGitChange  *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanGitChange, lean_git_change_free)

/* The change of the working tree at @workdir against @base (a revision:
 * commit id, branch; NULL is HEAD). Files of more than @max_file_size
 * bytes (0: LEAN_GIT_CHANGE_MAX_FILE_SIZE) are too_large. */
LeanGitChange *lean_git_change_compute      (const char     *workdir,
                                             const char     *base,
                                             gsize           max_file_size,
                                             GError        **error);
void           lean_git_change_compute_async  (const char          *workdir,
                                               const char          *base,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
LeanGitChange *lean_git_change_compute_finish (GAsyncResult        *result,
                                               GError             **error);

/* The unified patch of one file of that change ("" when it did not
 * change), or NULL without @error when it is binary or too large (then
 * @binary / @too_large, which may be NULL, say which). */
char          *lean_git_change_file_patch   (const char     *workdir,
                                             const char     *base,
                                             const char     *path,
                                             gsize           max_file_size,
                                             gboolean       *binary,
                                             gboolean       *too_large,
                                             GError        **error);

G_END_DECLS
