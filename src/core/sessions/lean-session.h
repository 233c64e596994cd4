/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-agent-problem.h"
#include "lean-session-mode.h"

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

const char *lean_session_state_to_string   (LeanSessionState  state); /* "running" */
gboolean    lean_session_state_from_string (const char       *str,
                                            LeanSessionState *state);
const char *lean_session_state_get_label   (LeanSessionState  state); /* translated */
gboolean    lean_session_state_is_final    (LeanSessionState  state);

#define LEAN_TYPE_SESSION (lean_session_get_type ())

G_DECLARE_FINAL_TYPE (LeanSession, lean_session, LEAN, SESSION, GObject)

/* One implementation attempt of one spec by one agent. Every property
 * notifies on change (main thread). Its output is not here: views follow
 * the session's LeanSessionLog (lean_controller_get_log(),
 * lean_session_log_new()).
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

/* Setters notify only on change. */
gboolean          lean_session_state_can_transition (LeanSessionState from,
                                                     LeanSessionState to);
/* Like set_state but refuses a transition the state machine does not allow
 * (e.g. completed -> running) with LEAN_ERROR_INVALID_VALUE. */
gboolean          lean_session_transition       (LeanSession      *self,
                                                 LeanSessionState  state,
                                                 GError          **error);
void              lean_session_set_runner       (LeanSession      *self,
                                                 const char       *runner);
void              lean_session_set_started_at   (LeanSession      *self,
                                                 GDateTime        *started_at);
void              lean_session_set_ended_at     (LeanSession      *self,
                                                 GDateTime        *ended_at);
void              lean_session_set_exit_code    (LeanSession      *self,
                                                 int               exit_code);
void              lean_session_set_message      (LeanSession      *self,
                                                 const char       *message);
const char       *lean_session_get_worktree_path(LeanSession      *self);
void              lean_session_set_worktree_path(LeanSession      *self,
                                                 const char       *path);
const char       *lean_session_get_branch       (LeanSession      *self);
void              lean_session_set_branch       (LeanSession      *self,
                                                 const char       *branch);
void              lean_session_set_usage        (LeanSession      *self,
                                                 guint64           input_tokens,
                                                 guint64           output_tokens,
                                                 guint64           cache_tokens);
void              lean_session_set_cost_usd     (LeanSession      *self,
                                                 double            cost_usd);
guint             lean_session_get_iteration    (LeanSession      *self);
void              lean_session_set_iteration    (LeanSession      *self,
                                                 guint             iteration);
const char       *lean_session_get_model        (LeanSession      *self);
void              lean_session_set_model        (LeanSession      *self,
                                                 const char       *model);
/* Process ids, for `leanspec-ctl sessions cancel` and crash recovery
 * (properties "agent-pid", "owner-pid"; 0 unknown). */
int               lean_session_get_agent_pid    (LeanSession      *self);
void              lean_session_set_agent_pid    (LeanSession      *self,
                                                 int               pid);
/* The agent's start time as lean_process_get_start_time() gives it
 * (property "agent-start"), recorded with its pid: recovery signals only
 * that very process. NULL unknown. */
const char       *lean_session_get_agent_start  (LeanSession      *self);
void              lean_session_set_agent_start  (LeanSession      *self,
                                                 const char       *start_time);
int               lean_session_get_owner_pid    (LeanSession      *self);
void              lean_session_set_owner_pid    (LeanSession      *self,
                                                 int               pid);
/* Archived sessions belong to a spec that was marked complete: history
 * hides them unless asked ("archived" column of the database; set by
 * lean_session_db_archive_spec(), read back by the lists). */
gboolean          lean_session_get_archived     (LeanSession      *self);
void              lean_session_set_archived     (LeanSession      *self,
                                                 gboolean          archived);
/* Seconds between started-at and ended-at (or now while live); 0 if not started. */
gint64            lean_session_get_elapsed      (LeanSession      *self);

/* TRUE when the agent's output is structured (JSON lines) and what views
 * show is the stream parser's rendering (property "structured"). The raw
 * bytes and the rendering are stored as two channels of the same log. */
gboolean          lean_session_get_structured   (LeanSession      *self);
void              lean_session_set_structured   (LeanSession      *self,
                                                 gboolean          structured);

/* The known agent failure a failed session ended with (property "problem"),
 * as its controller recognised it; NONE otherwise. Not stored: the
 * session's "problem" events are. Whoever reacts to the end (a
 * LeanSpecStatusFollower putting the spec back) reads it. */
LeanAgentProblem  lean_session_get_problem      (LeanSession      *self);
void              lean_session_set_problem      (LeanSession      *self,
                                                 LeanAgentProblem  problem);

G_END_DECLS
