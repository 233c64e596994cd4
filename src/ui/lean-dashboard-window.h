/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_DASHBOARD_WINDOW (lean_dashboard_window_get_type ())

G_DECLARE_FINAL_TYPE (LeanDashboardWindow, lean_dashboard_window, LEAN, DASHBOARD_WINDOW, AdwWindow)

typedef enum
{
  LEAN_DASHBOARD_RANGE_7_DAYS,
  LEAN_DASHBOARD_RANGE_30_DAYS,
  LEAN_DASHBOARD_RANGE_ALL,
} LeanDashboardRange;

/* The Dashboard (Ctrl+Shift+D): the figures of LeanMetrics for this
 * window's project or all projects, over 7 days, 30 days or all time,
 * as charts. Figures are computed off the main loop each time the project,
 * the range or the database path changes; "loaded" is emitted when they
 * are shown. Specs completed come from the transitions of the specs in
 * @store (the open project's, also under All Projects). @store may be
 * NULL (no project open: All Projects only). */
LeanDashboardWindow *lean_dashboard_window_new         (GtkWindow          *parent,
                                                        const char         *db_path,
                                                        LeanSpecStore      *store);
void                 lean_dashboard_window_set_range   (LeanDashboardWindow *self,
                                                        LeanDashboardRange  range);
/* TRUE: only the open project's sessions. */
void                 lean_dashboard_window_set_project_only (LeanDashboardWindow *self,
                                                             gboolean             project_only);
/* Computes again (the database changed). */
void                 lean_dashboard_window_refresh     (LeanDashboardWindow *self);
/* For tests: the controls and charts, by name ("project", "range",
 * "sessions", "tokens", "cost", "specs", "agents", "iterations",
 * "chains"), and the summary text shown. */
GtkWidget           *lean_dashboard_window_get_part    (LeanDashboardWindow *self,
                                                        const char          *name);
char                *lean_dashboard_window_dup_summary (LeanDashboardWindow *self);
gboolean             lean_dashboard_window_get_loading (LeanDashboardWindow *self);

G_END_DECLS
