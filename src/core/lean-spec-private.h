/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-spec.h"

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

/* The project root given at creation (may be NULL). */
const char *_lean_spec_get_project_root (LeanSpec *self);

G_END_DECLS
