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

/* The notification for @session ending (or, with @needs_input, waiting
 * for an answer), built in this one place for the pane and the
 * application; @id gets the notification id, the same for every
 * notification of one session, and @text (may be NULL) "title: body".
 * @registry names the agent; may be NULL. */
GNotification *_lean_session_ui_new_notification (LeanSession        *session,
                                                  LeanAgentRegistry  *registry,
                                                  gboolean            needs_input,
                                                  char              **id,
                                                  char              **text);

G_END_DECLS
