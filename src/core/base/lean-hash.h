/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lower-case hex SHA-256 of @len bytes at @data: how the core names file
 * contents (a spec's hash, the hash a write checks against). */
char *lean_hash_sha256       (const void *data,
                              gsize       len);
char *lean_hash_sha256_bytes (GBytes     *bytes);

G_END_DECLS
