/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_ROW (lean_spec_row_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecRow, lean_spec_row, LEAN, SPEC_ROW, GtkWidget)

/* One line of the spec list: number, title, status chip, priority mark,
 * checklist progress and tags. A view of a LeanSpec snapshot; the list binds
 * and rebinds rows as they scroll. */
GtkWidget *lean_spec_row_new      (void);
void       lean_spec_row_set_spec (LeanSpecRow *self,
                                   LeanSpec    *spec);
LeanSpec  *lean_spec_row_get_spec (LeanSpecRow *self);
/* How many tags the row drew whole the last time it was drawn (the rest
 * are a "+N"), and the tooltip: the full title, and every tag when some
 * did not fit. */
guint      lean_spec_row_get_n_tags_shown (LeanSpecRow *self);
char      *lean_spec_row_dup_tooltip      (LeanSpecRow *self);
/* The progress the row drew the last time ("2/3", or "Phase 2/4" while a
 * phased Ralph chain runs), or NULL. */
const char *lean_spec_row_get_progress_text (LeanSpecRow *self);

/* The CSS class for a status ("planned", "in-progress", ..., "none"). */
const char *lean_spec_row_status_css_class (LeanSpecStatus status);

G_END_DECLS
