/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-controller.h"

G_BEGIN_DECLS

#define LEAN_TYPE_PROJECTS_VIEW (lean_projects_view_get_type ())
G_DECLARE_FINAL_TYPE (LeanProjectsView, lean_projects_view, LEAN, PROJECTS_VIEW, GtkWidget)

/* The pinned projects, then the recent ones (GSettings "pinned-projects"
 * and "recent-projects"), each with its specs counted by status and the
 * sessions of this application running in it. A project can be pinned,
 * unpinned and removed from the lists (with Undo in a toast). The counts
 * are read on a worker thread each time the view is shown and when the
 * lists change; running sessions follow the controller.
 *
 * Signals: "open-project" (const char *root) when a row is activated. */
GtkWidget *lean_projects_view_new          (void);
void       lean_projects_view_set_controller (LeanProjectsView *self,
                                            LeanController   *controller);
/* A widget shown above the lists (property "header"); with one, no
 * "No Recent Projects" page is shown when the lists are empty. */
void       lean_projects_view_set_header   (LeanProjectsView *self,
                                            GtkWidget        *header);
GtkWidget *lean_projects_view_get_header   (LeanProjectsView *self);
/* The project the window shows, marked "Open" in its row. */
void       lean_projects_view_set_current  (LeanProjectsView *self,
                                            const char       *root);

/* For the UI tests: TRUE once the counts of the current lists show; the
 * row of @root (or NULL), its pin and remove buttons, and the figures it
 * shows. */
gboolean   _lean_projects_view_is_ready     (LeanProjectsView *self);
GtkWidget *_lean_projects_view_find_row     (LeanProjectsView *self,
                                             const char       *root);
GtkWidget *_lean_projects_view_get_pin_button    (GtkWidget *row);
GtkWidget *_lean_projects_view_get_remove_button (GtkWidget *row);
gboolean   _lean_projects_view_row_is_pinned     (GtkWidget *row);

G_END_DECLS
