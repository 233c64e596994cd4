/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LEAN_TYPE_DIFF_BLOCK (lean_diff_block_get_type ())

G_DECLARE_FINAL_TYPE (LeanDiffBlock, lean_diff_block, LEAN, DIFF_BLOCK, GObject)

/* One row of a file's diff in the Changes window's list: either a hunk's
 * header (its "@@" line and whether the hunk is expanded) or a run of the
 * hunk's lines, a few hundred at most, so that only the rows on screen need
 * a text view. A run refers to its header, whose "expanded" property
 * decides whether the run is listed. */
LeanDiffBlock *lean_diff_block_new_header (const char    *header);
/* Takes @text; @kinds holds one char per line ('+', '-' or ' '), @numbers
 * the new file's line number of each line (for a removed line, the line it
 * sits before), @old_numbers the base file's (for an added line, the base
 * line it sits before). */
LeanDiffBlock *lean_diff_block_new_lines  (LeanDiffBlock *header,
                                           char          *text,
                                           GArray        *kinds,
                                           GArray        *numbers,
                                           GArray        *old_numbers);

gboolean       lean_diff_block_is_header    (LeanDiffBlock *self);
const char    *lean_diff_block_get_text     (LeanDiffBlock *self);
LeanDiffBlock *lean_diff_block_get_header   (LeanDiffBlock *self);
GArray        *lean_diff_block_get_kinds    (LeanDiffBlock *self);
GArray        *lean_diff_block_get_numbers  (LeanDiffBlock *self);
GArray        *lean_diff_block_get_old_numbers (LeanDiffBlock *self);
gboolean       lean_diff_block_get_expanded (LeanDiffBlock *self);
void           lean_diff_block_set_expanded (LeanDiffBlock *self,
                                             gboolean       expanded);

G_END_DECLS
