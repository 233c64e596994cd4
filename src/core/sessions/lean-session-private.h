/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session.h"

G_BEGIN_DECLS

/* Sets the state without checking the state machine: for sessions loaded
 * from the database and for crash recovery, where history is what it is. */
void _lean_session_restore_state (LeanSession      *self,
                                  LeanSessionState  state);

/* Emits "output" (GBytes *), the display stream, and counts it
 * (lean_session_get_output_bytes()). The controller calls it as it feeds
 * the session's log; tests listen to it. */
void _lean_session_emit_output   (LeanSession      *self,
                                  GBytes           *bytes);

G_END_DECLS
