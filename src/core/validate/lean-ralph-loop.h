/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-controller.h"
#include "lean-critic-run.h"
#include "lean-ralph-chain.h"
#include "lean-validation-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_RALPH_LOOP (lean_ralph_loop_get_type ())

G_DECLARE_FINAL_TYPE (LeanRalphLoop, lean_ralph_loop, LEAN, RALPH_LOOP, GObject)

/* Drives a LeanRalphChain with real sessions: each iteration starts an
 * agent session through the controller with the chain's prompt, waits for
 * it to end, validates the working tree (the project's checks, Mark
 * Complete's rules), stores the validation and the chain, and goes on or
 * stops as the chain says. In guided mode it pauses after each failed
 * iteration until lean_ralph_loop_continue().
 *
 * Every iteration runs in the project folder: the controller starts each
 * session in a new worktree when asked, so a request with use_worktree is
 * refused until it can reuse one.
 *
 * The spec tree is read in a thread (one read at a time), never on the
 * main loop: before each validation (Mark Complete's rules, the critic's
 * README) and before each iteration after the first (the prompt's spec text
 * with the items ticked so far, the phase's open items).
 *
 * Signals: "iteration-started" (guint k, LeanSession *), "validation-started"
 * (guint k, LeanValidation *), "validation-finished" (guint k,
 * LeanValidation *), "paused" (guint k), "ended" (LeanRalphStop).
 *
 * Phase by phase (settings.phases and a plan of two phases or more): each
 * phase's iteration is announced by "phase-started" (guint phase, guint
 * n_phases, const char *title) before "iteration-started", and ends with
 * "phase-ended" (guint phase, LeanValidation *, const char *diff_summary)
 * after "validation-finished": the checkpoint, with the working tree's diff
 * stats against HEAD. Guided, it then pauses; continue goes on to the next
 * phase, lean_ralph_loop_retry_phase() runs the same one again. */

LeanRalphLoop  *lean_ralph_loop_new       (LeanController          *controller,
                                           LeanValidationStore     *store,
                                           LeanProject             *project,
                                           const char              *spec_id,
                                           LeanCheckConfig         *config,
                                           const LeanSessionRequest *request,
                                           const LeanRalphSettings *settings);
/* Each validation also asks @agent as the AI critic (a session of kind
 * "critic" recorded in @db when given). Call before starting. */
void            lean_ralph_loop_set_critic (LeanRalphLoop          *self,
                                            LeanAgent              *agent,
                                            LeanSessionDb          *db);
/* Starts iteration 1 (the request's prompt is the spec prompt). FALSE with
 * @error when it cannot start at all. Phase by phase, the session starts
 * once the spec's phases are read (in a thread); a failure to start it then
 * ends the chain ("ended"). */
gboolean        lean_ralph_loop_start     (LeanRalphLoop           *self,
                                           GError                 **error);
/* Guided: goes on with the feedback as it is now (edit it on the chain). */
void            lean_ralph_loop_continue  (LeanRalphLoop           *self);
/* Guided, at a phase's checkpoint: runs the same phase again. */
void            lean_ralph_loop_retry_phase (LeanRalphLoop         *self);
/* The diff stats at the last phase's end, or NULL. */
const char     *lean_ralph_loop_get_diff_summary (LeanRalphLoop    *self);
/* Cancels the running session or validation and ends the chain. */
void            lean_ralph_loop_cancel    (LeanRalphLoop           *self);
LeanRalphChain *lean_ralph_loop_get_chain (LeanRalphLoop           *self);
gboolean        lean_ralph_loop_is_ended  (LeanRalphLoop           *self);

G_END_DECLS
