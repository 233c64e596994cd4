/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Devlog's event shape, built from one event of the session database (see
 * docs/DEVLOG.md). Pure: everything it needs is in the input. */

typedef struct
{
  /* The local event */
  const char *session_id;      /* our session id, a UUID */
  gint64      ts;              /* unix microseconds */
  const char *kind;            /* "state", "usage", "tool-use", "check", ... */
  const char *payload;         /* its JSON text, may be NULL */

  /* The session's row, as stored with the event */
  const char *agent_id;
  const char *agent_version;   /* NULL: "unknown" */
  const char *project_path;
  const char *worktree_path;
  const char *spec_id;
  const char *spec_title;
  const char *runner;
  const char *branch;
  const char *mode;
  const char *model;
  const char *chain_id;
  guint       iteration;
  gint64      input_tokens;
  gint64      output_tokens;
  double      cost_usd;        /* < 0: unknown */
  gint64      started_at;      /* usec, 0: unknown */
  gint64      ended_at;
  int         exit_code;       /* < 0: none */

  /* What came before in the same session */
  gboolean    first_state;     /* no state event before this one */
  gint64      prev_input_tokens;  /* the last "usage" before this one */
  gint64      prev_output_tokens;
  double      prev_cost_usd;

  /* Settings */
  gint64      project_id;
  gboolean    send_content;
} LeanDevlogEventInput;

/* Devlog's agentId for one of ours ("claude" -> "claude-code"). */
const char *lean_devlog_agent_id        (const char                 *agent_id);

/* 0 to 2 Devlog events (JSON objects, each with a fresh UUID id) for
 * @input, appended to @out (JsonNode). Events Devlog has no word for
 * (assistant text without content sending, turn markers) give none. */
void        lean_devlog_events_from_local (const LeanDevlogEventInput *input,
                                           GPtrArray                  *out);

/* The longest command line sent in command_execution, in bytes. */
#define LEAN_DEVLOG_COMMAND_MAX 512

G_END_DECLS
