/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-session-db.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_REPLAY (lean_session_replay_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionReplay, lean_session_replay, LEAN, SESSION_REPLAY, AdwWindow)

/* A window that plays a stored session's output back into a terminal at
 * the pace it was written (each chunk at its stored time), at 1x, 2x or
 * 8x. Pauses longer than 2 s (at 1x) are shortened to 2 s, as asciinema's
 * idle limit does: an agent thinking for a minute is not worth watching.
 * The chunks are read off the main loop. Properties: "speed" (guint: 1,
 * 2 or 8), "finished" (gboolean, read-only: every chunk was fed). */
LeanSessionReplay *lean_session_replay_new        (GtkWindow         *parent,
                                                   LeanSessionDb     *db,
                                                   LeanSession       *session);
void               lean_session_replay_set_speed  (LeanSessionReplay *self,
                                                   guint              speed);
guint              lean_session_replay_get_speed  (LeanSessionReplay *self);
gboolean           lean_session_replay_get_finished (LeanSessionReplay *self);
/* Starts again from the first chunk. */
void               lean_session_replay_restart    (LeanSessionReplay *self);
/* The terminal view, for tests. */
GtkWidget         *lean_session_replay_get_terminal (LeanSessionReplay *self);

G_END_DECLS
