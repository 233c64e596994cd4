/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LEAN_TYPE_DIFF_PANE (lean_diff_pane_get_type ())

G_DECLARE_FINAL_TYPE (LeanDiffPane, lean_diff_pane, LEAN, DIFF_PANE, GtkBox)

/* One file's diff in the Changes window: a list view of its hunks (a
 * header each, foldable) and runs of their lines, scrolling both ways.
 * Clicking a line emits "line-clicked" (path, line in the new file). */
GtkWidget  *lean_diff_pane_new       (void);
/* Shows @patch (unified) of @path. The same file again (a refresh while
 * the agent works) is updated in place: the scroll position and folded
 * hunks stay, and nothing moves if the patch is unchanged. */
void        lean_diff_pane_show      (LeanDiffPane *self,
                                      const char   *path,
                                      const char   *patch);
/* Shows why @path's diff is not shown (binary, too large, an error). */
void        lean_diff_pane_show_note (LeanDiffPane *self,
                                      const char   *path,
                                      const char   *note);
void        lean_diff_pane_clear     (LeanDiffPane *self);
/* The file shown, or NULL. */
const char *lean_diff_pane_get_path  (LeanDiffPane *self);
const char *_lean_diff_pane_get_patch (LeanDiffPane *self);

G_END_DECLS
