/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  LEAN_SESSION_STATE_PENDING,
  LEAN_SESSION_STATE_RUNNING,
  LEAN_SESSION_STATE_PAUSED,
  LEAN_SESSION_STATE_VALIDATING,
  LEAN_SESSION_STATE_COMPLETED,
  LEAN_SESSION_STATE_FAILED,
  LEAN_SESSION_STATE_CANCELLED,
  LEAN_SESSION_STATE_INTERRUPTED,
} LeanSessionState;

typedef enum
{
  LEAN_SESSION_MODE_AUTONOMOUS,
  LEAN_SESSION_MODE_GUIDED,
} LeanSessionMode;

const char *lean_session_state_to_string   (LeanSessionState  state); /* "running" */
gboolean    lean_session_state_from_string (const char       *str,
                                            LeanSessionState *state);
const char *lean_session_state_get_label   (LeanSessionState  state); /* translated */
gboolean    lean_session_state_is_final    (LeanSessionState  state);
const char *lean_session_mode_to_string    (LeanSessionMode   mode);
gboolean    lean_session_mode_from_string  (const char       *str,
                                            LeanSessionMode  *mode);

#define LEAN_TYPE_SESSION (lean_session_get_type ())

G_DECLARE_FINAL_TYPE (LeanSession, lean_session, LEAN, SESSION, GObject)

/* One implementation attempt of one spec by one agent. Every property
 * notifies on change (main thread). The session's output is stored by the
 * controller; live bytes are emitted as "output" (GBytes *) for views.
 *
 * Properties: id, project-path, spec-id, agent-id, mode, runner (string from
 * lean_runner_describe), state, started-at, ended-at (GDateTime, nullable),
 * exit-code (int, -1 unknown), message (why it ended, for people),
 * worktree-path, branch, input-tokens, output-tokens, cache-tokens (guint64),
 * cost-usd (double, < 0 when unknown), iteration (guint), model. */

LeanSession      *lean_session_new              (const char       *id,  /* NULL: new UUID */
                                                 const char       *project_path,
                                                 const char       *spec_id,
                                                 const char       *agent_id,
                                                 LeanSessionMode   mode);
const char       *lean_session_get_id           (LeanSession      *self);
const char       *lean_session_get_project_path (LeanSession      *self);
const char       *lean_session_get_spec_id      (LeanSession      *self);
const char       *lean_session_get_agent_id     (LeanSession      *self);
LeanSessionMode   lean_session_get_mode         (LeanSession      *self);
LeanSessionState  lean_session_get_state        (LeanSession      *self);
void              lean_session_set_state        (LeanSession      *self,
                                                 LeanSessionState  state);
const char       *lean_session_get_runner       (LeanSession      *self);
GDateTime        *lean_session_get_started_at   (LeanSession      *self);
GDateTime        *lean_session_get_ended_at     (LeanSession      *self);
int               lean_session_get_exit_code    (LeanSession      *self);
const char       *lean_session_get_message      (LeanSession      *self);
guint64           lean_session_get_input_tokens (LeanSession      *self);
guint64           lean_session_get_output_tokens(LeanSession      *self);
guint64           lean_session_get_cache_tokens (LeanSession      *self);
double            lean_session_get_cost_usd     (LeanSession      *self);

G_END_DECLS
