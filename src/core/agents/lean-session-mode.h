/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How an agent runs: on its own from a prompt, or in its own TUI with a
 * person at the keyboard. An agent's argv and output format depend on it,
 * so it lives with the agents; a session records it. */
typedef enum
{
  LEAN_SESSION_MODE_AUTONOMOUS,
  LEAN_SESSION_MODE_GUIDED,
} LeanSessionMode;

const char *lean_session_mode_to_string   (LeanSessionMode  mode); /* "guided" */
gboolean    lean_session_mode_from_string (const char      *str,
                                           LeanSessionMode *mode);

G_END_DECLS
