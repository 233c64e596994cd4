/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-spec-types.h"

G_BEGIN_DECLS

/* A README longer than this is a spec problem, refused before reading. */
#define LEAN_SPEC_MAX_README_SIZE (16 * 1024 * 1024)

#define LEAN_TYPE_SPEC (lean_spec_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpec, lean_spec, LEAN, SPEC, GObject)

/* A LeanSpec is an immutable snapshot of one spec's README.md as read from
 * disk (plus the names of its sub-spec files). Writers never mutate it: they
 * write the file and hand back a fresh snapshot (see lean-spec-writer.h). The
 * snapshot keeps the raw bytes and their hash so a write can refuse when the
 * file changed underneath us. Safe to create in a worker thread. */

/* Parses @contents (the README.md bytes) for the spec folder @dir.
 * @project_root is used to compute the relative path. Returns NULL and sets
 * LEAN_ERROR_INVALID_SPEC with a reason a person can act on when the file is
 * empty, not UTF-8, or its front matter is unclosed or not valid YAML. */
LeanSpec           *lean_spec_new_from_bytes   (const char   *project_root,
                                                const char   *dir,
                                                GBytes       *contents,
                                                GError      **error);
/* Reads dir/README.md and the names of the other .md files in dir. Blocking. */
LeanSpec           *lean_spec_new_from_dir     (const char   *project_root,
                                                const char   *dir,
                                                GError      **error);

const char         *lean_spec_get_id           (LeanSpec     *self); /* folder name, "042-foo" */
guint               lean_spec_get_number       (LeanSpec     *self); /* 42 */
const char         *lean_spec_get_slug         (LeanSpec     *self); /* "foo" */
const char         *lean_spec_get_title        (LeanSpec     *self); /* first "# " heading, or id */
LeanSpecStatus      lean_spec_get_status       (LeanSpec     *self);
LeanSpecPriority    lean_spec_get_priority     (LeanSpec     *self);
const char * const *lean_spec_get_tags         (LeanSpec     *self); /* never NULL */
const char * const *lean_spec_get_depends_on   (LeanSpec     *self); /* never NULL */
const char         *lean_spec_get_parent       (LeanSpec     *self);
const char         *lean_spec_get_assignee     (LeanSpec     *self);
const char         *lean_spec_get_created      (LeanSpec     *self); /* created or created_at */
const char         *lean_spec_get_updated_at   (LeanSpec     *self);
const char         *lean_spec_get_completed_at (LeanSpec     *self);
/* Any front matter key as text (scalars as written, unquoted); NULL if absent. */
const char         *lean_spec_get_field        (LeanSpec     *self,
                                                const char   *key);

const char         *lean_spec_get_dir          (LeanSpec     *self); /* absolute folder */
const char         *lean_spec_get_readme_path  (LeanSpec     *self); /* absolute README.md */
const char         *lean_spec_get_rel_path     (LeanSpec     *self); /* README relative to root */
gboolean            lean_spec_is_archived      (LeanSpec     *self); /* in archived/ or status */
/* Other .md files in the spec folder, sorted ("DESIGN.md", ...); never NULL. */
const char * const *lean_spec_get_sub_specs    (LeanSpec     *self);

GBytes             *lean_spec_get_contents     (LeanSpec     *self); /* raw file bytes */
const char         *lean_spec_get_content_hash (LeanSpec     *self); /* sha256 hex */
/* cl100k_base tokens of the whole README, as LeanSpec counts them
 * (lean-tokens.h); counted when the spec is parsed, then cached. */
guint               lean_spec_get_tokens       (LeanSpec     *self);
const char         *lean_spec_get_body         (LeanSpec     *self); /* markdown after front matter */
/* 1-based line in the file where the body starts, so a body line N is file
 * line N + body_line - 1 (cmark start_line -> file line for checklists). */
guint               lean_spec_get_body_line    (LeanSpec     *self);
guint               lean_spec_get_n_checked    (LeanSpec     *self); /* "- [x]" items */
guint               lean_spec_get_n_unchecked  (LeanSpec     *self); /* "- [ ]" items */

typedef struct _LeanFrontmatter LeanFrontmatter;

/* The parsed front matter of the README (for writers and tools). */
LeanFrontmatter    *lean_spec_get_frontmatter  (LeanSpec     *self);
/* Front matter keys in file order. Free with g_strfreev. */
char              **lean_spec_dup_field_names  (LeanSpec     *self);
/* A key as a list of scalars (a single scalar gives one item); NULL if absent. */
char              **lean_spec_dup_field_list   (LeanSpec     *self,
                                                const char   *key);
/* Task items ("- [ ]", "* [x]", "1. [ ]") of the README outside fenced code,
 * in file order; @line is the 1-based line in the file. */
guint               lean_spec_get_n_tasks      (LeanSpec     *self);
gboolean            lean_spec_get_task         (LeanSpec     *self,
                                                guint         index,
                                                guint        *line,
                                                gboolean     *checked,
                                                const char  **text);
/* The {status, at} items of "transitions", in file order. */
guint               lean_spec_get_n_transitions (LeanSpec    *self);
gboolean            lean_spec_get_transition   (LeanSpec     *self,
                                                guint         index,
                                                const char  **status,
                                                const char  **at);

G_END_DECLS
