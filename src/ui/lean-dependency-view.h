/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_DEPENDENCY_VIEW (lean_dependency_view_get_type ())
G_DECLARE_FINAL_TYPE (LeanDependencyView, lean_dependency_view, LEAN, DEPENDENCY_VIEW, GtkWidget)

/* The `depends_on` and `parent` relations of a project as a layered graph
 * drawn with GtkSnapshot: a dependency sits left of what depends on it, a
 * parent left of its children; boxes are coloured by status. Relations
 * that close a cycle are drawn red and dashed and left out of the layering
 * (so the layout ends), targets that do not exist are red outlined boxes.
 * Specs without any relation are counted, not drawn. The layout is
 * computed on a worker thread from a snapshot of the store, when the view
 * is shown and again after the store changes; only what is on screen is
 * drawn. A GtkScrollable: put it in a GtkScrolledWindow. Dragging the
 * background pans, Ctrl+scroll and Ctrl+plus/minus/0 zoom.
 *
 * Signals: "open-spec" (const char *id) when a spec's box is clicked. */
GtkWidget *lean_dependency_view_new        (void);
void       lean_dependency_view_set_store  (LeanDependencyView *self,
                                            LeanSpecStore      *store);

/* For the UI tests: TRUE once a layout of the current store is shown;
 * the centre of the box of @id in widget coordinates (FALSE when it has
 * none or it is off screen); how many nodes and cycle edges it drew. */
gboolean   _lean_dependency_view_is_ready   (LeanDependencyView *self);
gboolean   _lean_dependency_view_get_node_center (LeanDependencyView *self,
                                                  const char         *id,
                                                  double             *x,
                                                  double             *y);
guint      _lean_dependency_view_get_n_nodes (LeanDependencyView *self);
/* Edge tiles on screen at the last frame that were not drawn yet, and
 * tiles being drawn on worker threads. */
guint      _lean_dependency_view_get_pending_tiles (LeanDependencyView *self);
guint      _lean_dependency_view_get_n_cycle_edges (LeanDependencyView *self);
/* Scrolls so the box of @id is in view. */
void       _lean_dependency_view_scroll_to  (LeanDependencyView *self,
                                             const char         *id);

G_END_DECLS
