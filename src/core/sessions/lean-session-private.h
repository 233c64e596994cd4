/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session.h"

G_BEGIN_DECLS

/* Sets the state without checking the state machine: for sessions loaded
 * from the database and for crash recovery, where history is what it is. */
void _lean_session_restore_state (LeanSession      *self,
                                  LeanSessionState  state);

G_END_DECLS
