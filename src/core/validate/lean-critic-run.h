/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-agent.h"
#include "lean-critic-verdict.h"
#include "lean-session-db.h"
#include "lean-validation-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_CRITIC_RUN (lean_critic_run_get_type ())

G_DECLARE_FINAL_TYPE (LeanCriticRun, lean_critic_run, LEAN, CRITIC_RUN, GObject)

/* One read-only, non-interactive run of an agent as the AI critic of a
 * finished validation: the diff of the working tree is read on a thread,
 * the agent runs in its own process group (lean_critic_build_check), and
 * its answer becomes a verdict. When @db is given the run is recorded as a
 * session of its own (its output, state, usage and cost), linked as kind
 * "critic" (and to @chain_id, iteration @iteration) in @store.
 *
 * Signal: "finished" once; then lean_critic_run_get_verdict() (never NULL:
 * a critic that could not run or gave no verdict is a failing one). */

LeanCriticRun     *lean_critic_run_new         (LeanAgent           *agent,
                                                const char          *project_path,
                                                const char          *spec_id,
                                                const char          *spec_text,
                                                LeanValidation      *validation,
                                                LeanSessionDb       *db,
                                                LeanValidationStore *store,
                                                const char          *chain_id,
                                                guint                iteration);
void               lean_critic_run_start       (LeanCriticRun       *self);
void               lean_critic_run_cancel      (LeanCriticRun       *self);
gboolean           lean_critic_run_is_finished (LeanCriticRun       *self);
LeanCriticVerdict *lean_critic_run_get_verdict (LeanCriticRun       *self);
/* The recorded session (NULL without a database). */
LeanSession       *lean_critic_run_get_session (LeanCriticRun       *self);

G_END_DECLS
