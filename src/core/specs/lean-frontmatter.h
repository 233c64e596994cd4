/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How deep lists and mappings may nest in front matter (the root mapping
 * is level 1): deeper is a spec problem, not a stack overflow. */
#define LEAN_FRONTMATTER_MAX_DEPTH 64

/* The YAML front matter of a markdown file, parsed with libyaml, with the
 * byte range of every node so an edit can replace exactly one key's value
 * and leave every other byte of the file as it was. Not a GObject: it is
 * created by the thousand while loading, so it stays a plain struct. */

typedef enum
{
  LEAN_FM_NODE_SCALAR,
  LEAN_FM_NODE_SEQUENCE,
  LEAN_FM_NODE_MAPPING,
} LeanFmNodeKind;

typedef enum
{
  LEAN_FM_STYLE_PLAIN,
  LEAN_FM_STYLE_SINGLE_QUOTED,
  LEAN_FM_STYLE_DOUBLE_QUOTED,
  LEAN_FM_STYLE_LITERAL,        /* | */
  LEAN_FM_STYLE_FOLDED,         /* > */
  LEAN_FM_STYLE_BLOCK,          /* block sequence or mapping */
  LEAN_FM_STYLE_FLOW,           /* [a, b] or {a: b} */
} LeanFmStyle;

typedef struct _LeanFmNode LeanFmNode;

struct _LeanFmNode
{
  LeanFmNodeKind  kind;
  LeanFmStyle     style;
  char           *value;  /* scalars: the value as YAML reads it (unquoted) */
  GPtrArray      *items;  /* sequence: LeanFmNode*; mapping: key, value, key, value... */
  gsize           start;  /* byte offset in the whole file */
  gsize           end;    /* byte offset just past the node */
  guint           line;   /* 1-based line in the whole file */
  guint           column; /* 0-based column (in characters) */
};

typedef struct _LeanFrontmatter LeanFrontmatter;

/* Parses the front matter at the top of @contents (a whole file). A file
 * without front matter is valid (no keys, body = whole file). Errors are
 * LEAN_ERROR_INVALID_SPEC: empty file, invalid UTF-8, front matter without a
 * closing "---" line, YAML that does not parse (with line and column in the
 * file), front matter that is not a key/value mapping, duplicate keys. */
LeanFrontmatter *lean_frontmatter_parse            (GBytes           *contents,
                                                    GError          **error);
LeanFrontmatter *lean_frontmatter_ref              (LeanFrontmatter  *self);
void             lean_frontmatter_unref            (LeanFrontmatter  *self);

GBytes          *lean_frontmatter_get_contents     (LeanFrontmatter  *self);
gboolean         lean_frontmatter_has_front_matter (LeanFrontmatter  *self);
/* Number of top-level keys, in file order. */
guint            lean_frontmatter_get_n_keys       (LeanFrontmatter  *self);
const char      *lean_frontmatter_get_key          (LeanFrontmatter  *self,
                                                    guint             index);
const LeanFmNode *lean_frontmatter_get_key_node    (LeanFrontmatter  *self,
                                                    guint             index);
const LeanFmNode *lean_frontmatter_get_value_node  (LeanFrontmatter  *self,
                                                    guint             index);
/* The value node of @key, or NULL when absent. */
const LeanFmNode *lean_frontmatter_lookup          (LeanFrontmatter  *self,
                                                    const char       *key);
/* Scalar value of @key as YAML reads it ("" for an empty value, "~" and
 * "null" as written: see lean_fm_node_is_null()), NULL when absent or not a
 * scalar. */
const char      *lean_frontmatter_get_string       (LeanFrontmatter  *self,
                                                    const char       *key);
/* A sequence of scalars as a strv (a single scalar gives one item; YAML
 * nulls give none). NULL when @key is absent. Free with g_strfreev. */
char           **lean_frontmatter_dup_strv         (LeanFrontmatter  *self,
                                                    const char       *key);

/* Byte offset where the body starts (after the closing --- line), and its
 * 1-based line number. */
gsize            lean_frontmatter_get_body_offset  (LeanFrontmatter  *self);
guint            lean_frontmatter_get_body_line    (LeanFrontmatter  *self);
/* "\r\n" when the front matter uses CRLF, else "\n". */
const char      *lean_frontmatter_get_newline      (LeanFrontmatter  *self);

/* Edits. Each returns the new file contents, in which only the named range
 * changed; every other byte is identical to the parsed contents. */

/* Sets @key to the scalar @value (quoted as needed, keeping the old quoting
 * style when there was one). When @key is absent a "key: value" line is
 * inserted after the key @after (if given and present), else before the
 * closing "---". A file without front matter gets one. */
GBytes          *lean_frontmatter_set_scalar       (LeanFrontmatter  *self,
                                                    const char       *key,
                                                    const char       *value,
                                                    const char       *after,
                                                    GError          **error);
/* Sets @key to a list of scalars: a flow list stays a flow list, a block
 * list stays a block list with the same indentation; a new key gets a
 * block list (LeanSpec's own layout). */
GBytes          *lean_frontmatter_set_list         (LeanFrontmatter  *self,
                                                    const char       *key,
                                                    const char * const *items,
                                                    const char       *after,
                                                    GError          **error);
/* Removes the "key: value" lines of @key (no-op copy when absent). */
GBytes          *lean_frontmatter_remove_key       (LeanFrontmatter  *self,
                                                    const char       *key,
                                                    GError          **error);
/* Appends a mapping item ({k1: v1, k2: v2} given as NULL-terminated
 * k, v, k, v...) to the block sequence @key, as
 *   - k1: v1
 *     k2: v2
 * after its last item. An absent or empty ([] / null) key becomes a block
 * list holding this item. */
GBytes          *lean_frontmatter_append_mapping   (LeanFrontmatter  *self,
                                                    const char       *key,
                                                    const char * const *pairs,
                                                    GError          **error);

/* TRUE for a scalar that YAML reads as null: empty, ~, null (plain). */
gboolean         lean_fm_node_is_null              (const LeanFmNode *node);

/* Formats @value as a YAML plain scalar if that reads back as the same
 * string, else single-quoted. */
char            *lean_frontmatter_quote_scalar     (const char       *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanFrontmatter, lean_frontmatter_unref)

G_END_DECLS
