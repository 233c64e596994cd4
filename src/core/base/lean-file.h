/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/stat.h>

#include <glib.h>

G_BEGIN_DECLS

/* Writes @contents to @path atomically (temp file in the same folder, fsync,
 * rename; the file's mode, owner and group are kept; a symlink is written
 * through, the link stays). When @expected_hash is not NULL the current
 * file must have that sha256 (lean_hash_sha256()), else
 * LEAN_ERROR_CHANGED_ON_DISK and nothing is written; the check and the
 * rename happen under an flock() on the folder that every LeanSpec writer
 * takes. A file without write permission for us (its owner bits when it
 * is ours: 0444 stays 0444 and unchanged) is refused with
 * LEAN_ERROR_INVALID_VALUE. */
gboolean lean_file_write_atomic       (const char  *path,
                                       GBytes      *contents,
                                       const char  *expected_hash,
                                       GError     **error);

/* lean_file_write_atomic(), and only when @path's real path (the file a
 * link points to) is inside @root; else LEAN_ERROR_INVALID_VALUE and
 * words that say so. A NULL @root confines nothing. */
gboolean lean_file_write_in_project   (const char  *root,
                                       const char  *path,
                                       GBytes      *contents,
                                       const char  *expected_hash,
                                       GError     **error);

/* Reading files a project names (READMEs, sub-specs, templates). The real
 * path must be inside @root: a link out of the project (to /etc/passwd, to
 * /proc/self/environ) is refused with LEAN_ERROR_INVALID_SPEC and words
 * that say so, as is anything but a regular file (a FIFO would block).
 * The check is openat2(RESOLVE_BENEATH) where the kernel has it, else the
 * real path checked before and after opening.
 *
 * @root: the project root (need not be canonical). @path: an absolute path
 * inside it. At most @max_size bytes are read, the size checked with
 * fstat() first so a huge file costs no memory: when the file is longer,
 * *@cut is set and only @max_size bytes come back (less the end of a UTF-8
 * character the cut split), or, with @cut NULL, the
 * read fails with LEAN_ERROR_INVALID_SPEC. */
GBytes  *lean_file_read_in_project    (const char  *root,
                                       const char  *path,
                                       gsize        max_size,
                                       gboolean    *cut,
                                       GError     **error);

/* The same for @name in the folder open as @dir_fd, known to be inside
 * @root and to be @dir_path. Saves the kernel a walk of the whole path when
 * thousands of READMEs are read. */
GBytes  *lean_file_read_at_in_project (const char  *root,
                                       int          dir_fd,
                                       const char  *dir_path,
                                       const char  *name,
                                       gsize        max_size,
                                       gboolean    *cut,
                                       GError     **error);

/* lean_file_read_at_in_project() (@dir_fd may be -1: then the whole
 * path is opened) that also gives the stat of the file it read, taken
 * before reading: what a cache needs to recognise the same file later. */
GBytes  *lean_file_read_at_in_project_stat (const char  *root,
                                            int          dir_fd,
                                            const char  *dir_path,
                                            const char  *name,
                                            gsize        max_size,
                                            struct stat *st,
                                            GError     **error);

/* Whether @path's real path (links followed) is @root's real path or
 * inside it. A path that does not exist is judged by its folder. */
gboolean lean_file_is_in_project      (const char  *root,
                                       const char  *path);

/* Tests only: take the checked-real-path way even where openat2 exists. */
void     _lean_file_set_use_openat2   (gboolean     use);

G_END_DECLS
