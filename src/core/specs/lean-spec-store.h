/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-project.h"
#include "lean-spec-edit.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_STORE (lean_spec_store_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecStore, lean_spec_store, LEAN, SPEC_STORE, GObject)

/* A GListModel of LeanSpec for one project. Loading runs in a worker thread;
 * when @watch is on, a GFileMonitor on the specs tree triggers a debounced
 * (~300 ms) reload. A reload updates the model with the smallest set of
 * items-changed (unchanged specs keep their LeanSpec object), so selection
 * and scroll position in views survive. Broken specs are in the problems
 * model (LeanSpecProblem). Must be used from the thread that created it. */
LeanSpecStore *lean_spec_store_new            (LeanProject         *project);
LeanProject   *lean_spec_store_get_project    (LeanSpecStore       *self);
void           lean_spec_store_load_async     (LeanSpecStore       *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       lean_spec_store_load_finish    (LeanSpecStore       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void           lean_spec_store_set_watching   (LeanSpecStore       *self,
                                               gboolean             watching);
gboolean       lean_spec_store_get_loading    (LeanSpecStore       *self);
GListModel    *lean_spec_store_get_problems   (LeanSpecStore       *self);
/* By id ("042-foo"); NULL if not loaded. */
LeanSpec      *lean_spec_store_lookup         (LeanSpecStore       *self,
                                               const char          *id);
/* Snapshot of the current items, for core functions taking a GPtrArray. */
GPtrArray     *lean_spec_store_dup_specs      (LeanSpecStore       *self);
/* Puts a freshly written snapshot in place of the old one at once (the
 * watcher would do it later) so views update without waiting. */
void           lean_spec_store_replace        (LeanSpecStore       *self,
                                               LeanSpec            *spec);

/* Applies @edit to the spec with @spec's id in a worker thread, through
 * lean-spec-writer. Edits of one spec run one at a time, in the order they
 * were asked for, each on the newest snapshot the store holds (or @spec
 * when the store holds none), so a second quick edit builds on the first
 * instead of failing the writer's content check; edits of different specs
 * do not wait for each other. The written snapshot replaces the old one in
 * the store (items-changed) before the callback runs. A file changed on
 * disk behind the store's back is refused with LEAN_ERROR_CHANGED_ON_DISK
 * and nothing is written. */
void           lean_spec_store_edit_async     (LeanSpecStore       *self,
                                               LeanSpec            *spec,
                                               LeanSpecEdit        *edit,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The written snapshot (the same one when there was nothing to change).
 * @undo, when not NULL, is set to the edit that puts the README's previous
 * bytes back (a RESTORE edit), or NULL when the README did not change. */
LeanSpec      *lean_spec_store_edit_finish    (LeanSpecStore       *self,
                                               GAsyncResult        *result,
                                               LeanSpecEdit       **undo,
                                               GError             **error);

/* Signals: "reloaded" () after each completed load. */

G_END_DECLS
