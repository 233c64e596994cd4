/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec-lint.h"
#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_STATS_VIEW (lean_stats_view_get_type ())
G_DECLARE_FINAL_TYPE (LeanStatsView, lean_stats_view, LEAN, STATS_VIEW, GtkWidget)

/* A project's figures: counts by status, priority and tag, the completion
 * rate, specs created and completed per week (from `created`,
 * `completed_at` and `transitions`), the token distribution with the
 * largest specs, and the specs whose checks fail (the checks of the
 * specs that are not archived, the ones LeanSpec's web UI lists). Counted on a worker
 * thread from a snapshot of the store when the view is shown and after
 * the store changes.
 *
 * Signals: "open-spec" (const char *id) when a listed spec is clicked. */
GtkWidget *lean_stats_view_new       (void);
void       lean_stats_view_set_store (LeanStatsView *self,
                                      LeanSpecStore *store);

/* For the UI tests: TRUE once the figures of the current store show; the
 * count shown for a status, and the clickable row of the spec @id. */
gboolean   _lean_stats_view_is_ready        (LeanStatsView  *self);
guint      _lean_stats_view_get_status_count (LeanStatsView *self,
                                              LeanSpecStatus status);
guint      _lean_stats_view_get_n_failing   (LeanStatsView  *self);
guint      _lean_stats_view_get_lint_count  (LeanStatsView  *self,
                                             LeanLintStatus  status);

G_END_DECLS
