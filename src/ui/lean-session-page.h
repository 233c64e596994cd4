/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-controller.h"
#include "lean-session-db.h"
#include "lean-terminal-view.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_PAGE (lean_session_page_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionPage, lean_session_page, LEAN, SESSION_PAGE, GtkWidget)

/* One session in the session pane: a status banner (state, agent, runner,
 * elapsed time, tokens, cost) with Pause/Resume/Cancel, and a terminal view
 * of the session's output.
 *
 * Both kinds read the session's LeanSessionLog by offset, from 0, one read
 * at a time, and read on when the log announces more: what was printed
 * before the page opened is replayed ("replaying" until it is shown), then
 * live output follows, with no gap and no duplicate.
 *
 * A live page (lean_session_page_new) shows a session of @controller, from
 * the controller's log. Typing in a guided session goes to the agent;
 * resizing the page resizes the agent's terminal.
 *
 * A log page (lean_session_page_new_for_log) is read-only: its log reads the
 * database and, while the session still runs in another process (the CLI),
 * follows the database's change notifications; the stored row updates the
 * banner.
 *
 * Properties: "session" (LeanSession), "replaying" (gboolean), "agent-name".
 * Signals: "needs-input" (): a guided session rang the bell or went quiet
 * after printing, so it probably waits for the person. */

GtkWidget        *lean_session_page_new               (LeanController  *controller,
                                                       LeanSession     *session);
GtkWidget        *lean_session_page_new_for_log       (LeanSessionDb   *db,
                                                       LeanSession     *session);
LeanSession      *lean_session_page_get_session       (LeanSessionPage *self);
LeanTerminalView *lean_session_page_get_terminal_view (LeanSessionPage *self);
gboolean          lean_session_page_get_replaying     (LeanSessionPage *self);
gboolean          lean_session_page_get_live          (LeanSessionPage *self);
/* The agent's display name for the banner ("Claude Code"); default: its id. */
void              lean_session_page_set_agent_name    (LeanSessionPage *self,
                                                       const char      *name);

G_END_DECLS
