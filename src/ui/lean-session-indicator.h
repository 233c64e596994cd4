/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-session.h"
#include "lean-spec.h"
#include "lean-spec-activity.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_INDICATOR (lean_session_indicator_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionIndicator, lean_session_indicator, LEAN, SESSION_INDICATOR,
                      GtkWidget)

/* A small dot on a spec row saying what the spec's latest session in this
 * process is doing: running (accent), paused (amber), failed or interrupted
 * (red); with no session busy, a small icon for the spec's latest
 * validation (running, passed, failed); hidden otherwise. It follows its spec in the project's activity
 * model (LeanSpecActivity, kept by the application). */
GtkWidget        *lean_session_indicator_new        (void);
void              lean_session_indicator_set_spec   (LeanSessionIndicator *self,
                                                     LeanSpec             *spec);
/* The state shown, or -1 when hidden. */
int               lean_session_indicator_get_state  (LeanSessionIndicator *self);

/* The validation shown (a LeanSpecValidation) while no session is. */
int               lean_session_indicator_get_validation (LeanSessionIndicator *self);

/* For LeanSpecRow, which draws itself: points the row's dot at @spec
 * (adding the dot as a child only when there is something to show), places
 * it at the end of the first line, draws it, and removes it in dispose. */
void              lean_session_indicator_update_row      (GtkWidget   *row,
                                                          LeanSpec    *spec);
void              lean_session_indicator_allocate_in_row (GtkWidget   *row,
                                                          int          width,
                                                          int          line_height);
void              lean_session_indicator_snapshot_in_row (GtkWidget   *row,
                                                          GtkSnapshot *snapshot);
void              lean_session_indicator_remove_from_row (GtkWidget   *row);

/* The activity model @row follows (set by lean_session_indicator_update_row()),
 * or NULL. */
LeanSpecActivity *lean_session_indicator_get_row_activity (GtkWidget *row);

G_END_DECLS
