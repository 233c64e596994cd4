/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How deep arrays and objects may nest in JSON that comes from outside
 * (agent output, relay frames, project files) when the caller has no
 * better bound. */
#define LEAN_JSON_MAX_DEPTH 64

/* Parses @data (@len bytes, or up to the NUL when @len is -1) into a tree.
 * The bytes are scanned first, outside strings, for "[" and "{" nesting:
 * deeper than @max_depth (0: LEAN_JSON_MAX_DEPTH) is refused with
 * LEAN_ERROR_INVALID_VALUE before json-glib sees it, so hostile input
 * cannot make the parser recurse without bound. Syntax errors come back
 * as json-glib's JSON_PARSER_ERROR; an empty document is
 * LEAN_ERROR_INVALID_VALUE. Returns the root node (owned by the caller). */
JsonNode *lean_json_parse (const char  *data,
                           gssize       len,
                           guint        max_depth,
                           GError     **error);

G_END_DECLS
