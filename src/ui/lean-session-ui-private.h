/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-session.h"

G_BEGIN_DECLS

/* Shared by the session pane, page, implement dialog and history view. */

/* Loads lean-session-ui.css for the default display, once. */
void   _lean_session_ui_ensure_style    (void);
/* "1.2k", "34k", "1.5M". */
char  *_lean_session_ui_format_tokens   (guint64           tokens);
/* "0:42", "12:05", "1:02:33". */
char  *_lean_session_ui_format_duration (gint64            seconds);
/* "$0.42", or NULL when unknown (< 0). */
char  *_lean_session_ui_format_cost     (double            cost_usd);
/* The CSS class of a state: its string form ("running"). */
void   _lean_session_ui_set_state_class (GtkWidget        *widget,
                                         LeanSessionState  state);

G_END_DECLS
