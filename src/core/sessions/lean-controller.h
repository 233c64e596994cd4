/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-runner.h"
#include "lean-runner-factory.h"
#include "lean-session.h"
#include "lean-session-db.h"
#include "lean-session-log.h"

G_BEGIN_DECLS

/* What a person asked for when pressing "Implement". */
typedef struct
{
  char            *project_path;
  char            *spec_id;
  char            *agent_id;      /* registry id: "claude", "codex", ..., or a runners.json id */
  LeanSessionMode  mode;
  char            *model;         /* NULL: agent default */
  char            *prompt;        /* final prompt text (possibly edited by the person) */
  char            *runner;        /* NULL or "local", or "relay:SERVER[/RUNNER]" */
  gboolean         use_worktree;
  gboolean         set_in_progress; /* move the spec to in-progress on start */
  guint            rows, cols;
  /* A follow-up (lean-session-followup.h): run in this existing worktree
   * on its branch instead of making one, and continue the agent's own
   * conversation with this id when the agent can. NULL otherwise. */
  char            *worktree_path;
  char            *branch;
  char            *resume_id;
} LeanSessionRequest;

LeanSessionRequest *lean_session_request_new  (void);
void                lean_session_request_free (LeanSessionRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSessionRequest, lean_session_request_free)

#define LEAN_TYPE_CONTROLLER (lean_controller_get_type ())

G_DECLARE_FINAL_TYPE (LeanController, lean_controller, LEAN, CONTROLLER, GObject)

/* Owns live sessions and their runners. Output from a runner goes, in this
 * order, to the database writer (batched on a worker thread), the
 * session's log (lean_controller_get_log(): what views follow), and the
 * agent's stream parser thread, whose display text goes the same way.
 * Several sessions run at once, each isolated. Main thread only. */
LeanController *lean_controller_new          (LeanSessionDb              *db);
/* Runners come from @factory (construct property "runner-factory");
 * lean_controller_new() uses a LeanDefaultRunnerFactory without a relay
 * configuration of its own. */
LeanController *lean_controller_new_with_factory (LeanSessionDb          *db,
                                              LeanRunnerFactory          *factory);
LeanRunnerFactory *lean_controller_get_runner_factory (LeanController    *self);
LeanSessionDb  *lean_controller_get_db       (LeanController             *self);
/* Live and recently ended sessions of this process (GListModel of LeanSession). */
GListModel     *lean_controller_get_sessions (LeanController             *self);
LeanSession    *lean_controller_lookup       (LeanController             *self,
                                              const char                 *session_id);

/* Starts a session: builds the argv from the agent registry, creates the
 * runner (local or relay), records the session, and starts it. Returns the
 * session at once (state pending -> running, or failed with a message). */
LeanSession    *lean_controller_start        (LeanController             *self,
                                              const LeanSessionRequest   *request,
                                              GError                    **error);
gboolean        lean_controller_pause        (LeanController             *self,
                                              LeanSession                *session,
                                              GError                    **error);
gboolean        lean_controller_resume       (LeanController             *self,
                                              LeanSession                *session,
                                              GError                    **error);
void            lean_controller_cancel       (LeanController             *self,
                                              LeanSession                *session);
gboolean        lean_controller_send_input   (LeanController             *self,
                                              LeanSession                *session,
                                              GBytes                     *bytes,
                                              GError                    **error);
void            lean_controller_resize       (LeanController             *self,
                                              LeanSession                *session,
                                              guint                       rows,
                                              guint                       cols);

/* Signals: "session-added" (LeanSession *), "session-ended" (LeanSession *). */

/* lean_controller_start() records every attempt: when it fails before the
 * agent runs (unknown agent, agent not installed, bad request, relay not
 * available) it returns NULL with @error set AND the session is kept, failed,
 * with the same sentence as its message (in history and in get_sessions).
 * Without an error it returns the session, pending; it becomes running when
 * the runner has started (after the optional git worktree is made in a
 * thread), and ends completed, failed, cancelled or interrupted.
 *
 * Cancel from another process: `leanspec-ctl sessions cancel` writes a
 * request in the database and sends SIGUSR1 to the owning process; every
 * controller watches SIGUSR1 and cancels its sessions that were asked to. */

/* The live runner of @session, or NULL once it ended. */
LeanRunner     *lean_controller_get_runner                (LeanController         *self,
                                                           LeanSession            *session);
/* The output of @session as this controller stores it, or NULL when
 * @session is not one of its sessions. Kept after the session ended. */
LeanSessionLog *lean_controller_get_log                   (LeanController         *self,
                                                           LeanSession            *session);
/* Kill delay given to local runners (SIGTERM -> SIGKILL); default 5000 ms. */
void            lean_controller_set_kill_delay            (LeanController         *self,
                                                           guint                   msec);
/* Number of sessions of this controller that have not ended. */
guint           lean_controller_get_n_live                (LeanController         *self);
/* Cancels every live session (SIGTERM, then SIGKILL after the kill delay)
 * and records them as cancelled with @message. For quitting. */
void            lean_controller_cancel_all                (LeanController         *self,
                                                           const char             *message);

LeanSessionRequest *lean_session_request_copy (const LeanSessionRequest *request);

/* A copy of the request that started @session in this process (also after
 * it ended), or NULL: "Run locally instead" re-runs a failed relay session
 * with it. */
LeanSessionRequest *lean_controller_dup_request           (LeanController         *self,
                                                           LeanSession            *session);

G_END_DECLS
