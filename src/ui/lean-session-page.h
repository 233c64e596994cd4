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
 * A live page (lean_session_page_new) attaches to a session of @controller:
 * it first replays what the session already printed from the database, then
 * follows its "output" signal, with no gap and no duplicate (it records
 * lean_session_get_output_bytes() when it subscribes, buffers live bytes
 * while the stored log is read, replays exactly that many stored bytes and
 * then the buffer). Typing in a guided session goes to the agent; resizing
 * the page resizes the agent's terminal.
 *
 * A log page (lean_session_page_new_for_log) is read-only: it replays the
 * stored display stream and, while the stored session is still running in
 * another process (the CLI), keeps following the database.
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
