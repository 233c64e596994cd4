/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_VIEW (lean_spec_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecView, lean_spec_view, LEAN, SPEC_VIEW, GtkWidget)

/* The right-hand detail of one spec: its header bar (with "Mark Complete"
 * and an actions slot), its metadata (status and priority editable in place)
 * and its body rendered from markdown, one page per sub-spec file.
 *
 * Signals:
 *   "open-spec" (const char *id): a depends_on/parent/child link was
 *   activated; the window selects that spec.
 *
 * Toasts go to lean_window_add_toast() when the view sits in a LeanWindow,
 * otherwise to the nearest AdwToastOverlay ancestor. */
GtkWidget *lean_spec_view_new                (void);
/* @store and @spec may be NULL (empty state). The view keeps following the
 * store: when the store replaces or reloads the spec with the same id, the
 * view shows the new snapshot and keeps its scroll position. Edits made in
 * the view are applied by @store; without one the view only shows. */
void       lean_spec_view_set_spec           (LeanSpecView  *self,
                                              LeanSpecStore *store,
                                              LeanSpec      *spec);
LeanSpec  *lean_spec_view_get_spec           (LeanSpecView  *self);
/* The header bar's start box: other parts (e.g. "Implement with AI") pack
 * their buttons here. */
GtkWidget *lean_spec_view_get_header_actions (LeanSpecView  *self);
/* The AdwHeaderBar of the view, e.g. to toggle its window buttons when the
 * view is the right pane of a leaflet. */
GtkWidget *lean_spec_view_get_header_bar     (LeanSpecView  *self);

G_END_DECLS
