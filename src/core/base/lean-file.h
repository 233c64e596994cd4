/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @contents to @path atomically (temp file in the same folder, fsync,
 * rename; the file's mode is kept; a symlink is written through, the link
 * stays). When @expected_hash is not NULL the current file must have that
 * sha256 (lean_hash_sha256()), else LEAN_ERROR_CHANGED_ON_DISK and nothing
 * is written. */
gboolean lean_file_write_atomic (const char  *path,
                                 GBytes      *contents,
                                 const char  *expected_hash,
                                 GError     **error);

G_END_DECLS
