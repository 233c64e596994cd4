/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

/* When a view computed from a whole store (the dependency graph, the
 * stats) computes again: when it is mapped after the store changed, and
 * RELAYOUT_DELAY_MS after a change while it is shown, so an agent writing
 * specs does not start a computation per file. The view owns one and
 * calls lean_view_refresh_mapped() from its map(); @func starts the
 * computation (on a worker thread). */
typedef struct _LeanViewRefresh LeanViewRefresh;
typedef void (*LeanViewRefreshFunc) (GtkWidget *view);

LeanViewRefresh *lean_view_refresh_new       (GtkWidget           *view,
                                              LeanViewRefreshFunc  func);
void             lean_view_refresh_free      (LeanViewRefresh     *self);
/* Follows @store's items-changed; computes now if the view is shown. */
void             lean_view_refresh_set_store (LeanViewRefresh     *self,
                                              LeanSpecStore       *store);
void             lean_view_refresh_mapped    (LeanViewRefresh     *self);
/* TRUE while a change waits to be computed. */
gboolean         lean_view_refresh_pending   (LeanViewRefresh     *self);

G_END_DECLS
