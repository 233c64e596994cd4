/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
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

G_BEGIN_DECLS

/* The process's session controller on the default database, made on first
 * use; NULL with @error when the database cannot be opened. Live sessions
 * are cancelled when the application shuts down, so quitting never leaves
 * an agent behind. */
LeanController    *_lean_session_ui_get_controller (GError **error);
/* The controller if one was made (or set), without making one. */
LeanController    *_lean_session_ui_peek_controller (void);
/* Tests: use @controller (on a temp database) as the process's controller. */
void               _lean_session_ui_set_controller  (LeanController *controller);
/* Builtin and user agents, for display names; made on first use. */
LeanAgentRegistry *_lean_session_ui_get_registry   (void);

G_END_DECLS
