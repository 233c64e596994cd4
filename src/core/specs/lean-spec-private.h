/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-frontmatter.h"
#include "lean-spec.h"
#include "lean-spec-lint.h"

G_BEGIN_DECLS

/* Builds a spec from bytes already read, with the sub-spec names already
 * listed (the project scan lists each folder once and passes them here, so
 * loading never reads a directory twice). @sub_specs may be NULL. */
LeanSpec *_lean_spec_new (const char          *project_root,
                          const char          *dir,
                          GBytes              *contents,
                          const char * const  *sub_specs,
                          GError             **error);

/* TRUE when @line (no newline) is a task item; sets the offset of the
 * character between the brackets and whether it is checked. */
gboolean  _lean_spec_parse_task_line (const char *line,
                                      gsize       len,
                                      gsize      *mark_offset,
                                      gboolean   *checked);

/* A spec from its entry in the spec cache (@size bytes at @offset of
 * @cache_data), made from the very same README bytes; NULL when the entry
 * is damaged (then parse). @contents may be NULL when the README's stamp
 * said it is unchanged: it is then read on first use (a @project_root is
 * needed), and the caller must set the key and length (@content_len) the
 * entry was found by with _lean_spec_set_content_key(). */
LeanSpec *_lean_spec_new_cached         (const char          *project_root,
                                         const char          *dir,
                                         GBytes              *contents,
                                         gsize                content_len,
                                         const char * const  *sub_specs,
                                         GBytes              *cache_data,
                                         gsize                offset,
                                         gsize                size);
/* Appends @self's cache entry: status, priority, flags, body offset and
 * line, counts, title, parent, assignee, created, updated_at, completed_at,
 * tags, depends_on, the task items, token counts and the checks' issues. */
void      _lean_spec_append_cache_entry (LeanSpec            *self,
                                         GByteArray          *out);

/* The checks of lean-spec-lint.c that depend on nothing but the README's
 * bytes, run when a spec is parsed and kept in the spec cache: appends
 * LeanLintIssue (owned messages) to @issues, and gives the token count of
 * the whole file and of its body as LeanSpec cuts it. */
void      _lean_spec_lint_bytes         (LeanFrontmatter     *fm,
                                         const char          *data,
                                         gsize                len,
                                         GArray              *issues,
                                         guint               *tokens,
                                         guint               *body_tokens);
void      _lean_lint_issue_clear        (gpointer             issue);
guint     _lean_spec_get_body_tokens    (LeanSpec            *self);
guint     _lean_spec_get_n_lint_issues  (LeanSpec            *self);
const LeanLintIssue *_lean_spec_get_lint_issue (LeanSpec     *self,
                                                guint         index);

/* The spec cache's key of the README's bytes and their length: as set by
 * the loader (no hashing again, no reading of an unread spec), else
 * computed. The setter is for the loader, before the spec is shared. */
guint64   _lean_spec_get_content_key    (LeanSpec            *self,
                                         gsize               *len);
void      _lean_spec_set_content_key    (LeanSpec            *self,
                                         guint64              key,
                                         gsize                len);

/* The project root given at creation (may be NULL). */
const char *_lean_spec_get_project_root (LeanSpec *self);

G_END_DECLS
