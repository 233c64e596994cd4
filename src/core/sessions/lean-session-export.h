/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "lean-session-db.h"

G_BEGIN_DECLS

typedef enum
{
  LEAN_SESSION_EXPORT_CAST,  /* asciicast v2: what `asciinema play` replays */
  LEAN_SESSION_EXPORT_TEXT,  /* the output with escape sequences stripped */
  LEAN_SESSION_EXPORT_JSON,  /* the session's fields, events and output */
} LeanSessionExportFormat;

/* "cast", "text", "json". */
gboolean lean_session_export_format_from_string (const char              *str,
                                                 LeanSessionExportFormat *format);

/* The session's fields (id, project, spec, agent, mode, runner, state,
 * model, times, exit code, message, worktree, branch, tokens, cost,
 * iteration) as members of the object @b is building: what `sessions
 * show --json`, `sessions list --json` and the JSON export share. */
void     lean_session_add_json_members          (LeanSession             *session,
                                                 JsonBuilder             *b);

/* A stored session as a file. The output exported is the display channel
 * (what its terminal showed; a text agent's raw bytes). The cast header
 * takes the terminal size the agent was started with (its "terminal-size"
 * event, else 80x24), the time of the first output chunk and the spec as
 * title; each chunk is one ["o"] event at its stored time since the
 * first. Blocking (SQLite): a worker thread or the CLI. */
GBytes  *lean_session_export                    (LeanSessionDb           *db,
                                                 LeanSession             *session,
                                                 LeanSessionExportFormat  format,
                                                 GError                 **error);

G_END_DECLS
