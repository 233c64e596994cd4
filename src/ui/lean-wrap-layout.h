/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LEAN_TYPE_WRAP_LAYOUT (lean_wrap_layout_get_type ())

G_DECLARE_FINAL_TYPE (LeanWrapLayout, lean_wrap_layout, LEAN, WRAP_LAYOUT, GtkLayoutManager)

/* Lays children out left to right at their natural width and starts a new
 * line when the next one does not fit, like words in a paragraph. GTK 4.8
 * has no wrap box; a GtkFlowBox aligns children in columns, which leaves
 * wide gaps between short chips. */
GtkLayoutManager *lean_wrap_layout_new (int column_spacing,
                                        int row_spacing);

G_END_DECLS
