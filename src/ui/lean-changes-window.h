/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-controller.h"
#include "lean-session-db.h"

G_BEGIN_DECLS

#define LEAN_TYPE_CHANGES_WINDOW (lean_changes_window_get_type ())

G_DECLARE_FINAL_TYPE (LeanChangesWindow, lean_changes_window, LEAN, CHANGES_WINDOW, AdwWindow)

/* What a session changed, to review and land: the files with their status
 * and line counts, each file's diff in collapsible hunks with syntax
 * colouring; a click on a line starts a comment, "Send Feedback" starts a
 * follow-up with them (needs @controller; NULL hides it); Commit, Merge
 * and Discard (confirmed). Refreshes while the session runs. Everything
 * git does runs in threads. */
GtkWidget *lean_changes_window_new         (LeanController *controller,
                                            LeanSessionDb  *db,
                                            LeanSession    *session);
LeanSession *lean_changes_window_get_session (LeanChangesWindow *self);
/* Comments written so far (LeanReviewComment), for tests. */
GPtrArray *lean_changes_window_get_comments (LeanChangesWindow *self);
/* The patch of the file the diff pane shows, or NULL, for tests. */
const char *_lean_changes_window_get_shown_patch (LeanChangesWindow *self);

G_END_DECLS
