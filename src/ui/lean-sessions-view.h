/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-session-db.h"
#include "lean-session-export.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSIONS_VIEW (lean_sessions_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionsView, lean_sessions_view, LEAN, SESSIONS_VIEW, GtkWidget)

/* The history of sessions from the database (this app's and the CLI's):
 * started, spec, agent, runner, state, duration, tokens, cost, newest
 * first, sortable by column, filtered by state and spec. Activating a row
 * emits "open-session" (LeanSession *) so the window can reopen its log.
 * Export… saves the selected session (GtkFileChooserNative, a format
 * choice); Replay plays it back in a LeanSessionReplay window.
 * The list loads off the main loop and reloads when the view is mapped. */

GtkWidget  *lean_sessions_view_new             (void);
void        lean_sessions_view_set_db          (LeanSessionsView *self,
                                                LeanSessionDb    *db);
void        lean_sessions_view_reload          (LeanSessionsView *self);
/* Text matched against the spec id (substring); NULL or "" for all. */
void        lean_sessions_view_set_spec_filter (LeanSessionsView *self,
                                                const char       *text);
/* -1 for all states, else a LeanSessionState. */
void        lean_sessions_view_set_state_filter(LeanSessionsView *self,
                                                int               state);
/* What is shown now, after filters and sorting (GListModel of LeanSession). */
GListModel *lean_sessions_view_get_model       (LeanSessionsView *self);
gboolean    lean_sessions_view_get_loading     (LeanSessionsView *self);
/* Sessions of completed specs are archived and hidden unless shown
 * (the "Show Archived" toggle). */
void        lean_sessions_view_set_show_archived (LeanSessionsView *self,
                                                  gboolean          show);
/* The selected session (a new reference), or NULL. */
LeanSession *lean_sessions_view_dup_selected   (LeanSessionsView *self);
/* Writes @session to @file in @format off the main loop (what Export…
 * does once a file is chosen); emits "exported" (const char *path, const
 * char *error or NULL) when done, and shows a dialog on failure. */
void        lean_sessions_view_export          (LeanSessionsView        *self,
                                                LeanSession             *session,
                                                LeanSessionExportFormat  format,
                                                GFile                   *file);

G_END_DECLS
