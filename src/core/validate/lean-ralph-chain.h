/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-validation.h"

G_BEGIN_DECLS

/* Why a chain stopped. */
typedef enum
{
  LEAN_RALPH_STOP_NONE,            /* still going */
  LEAN_RALPH_STOP_PASSED,
  LEAN_RALPH_STOP_MAX_ITERATIONS,
  LEAN_RALPH_STOP_NO_PROGRESS,     /* the same failures three iterations running */
  LEAN_RALPH_STOP_BUDGET,          /* tokens, cost or wall time */
  LEAN_RALPH_STOP_CANCELLED,
  LEAN_RALPH_STOP_FAILED,          /* an iteration could not run at all */
} LeanRalphStop;

/* "passed", "max_iterations", "no_progress", "budget", "cancelled",
 * "failed" ("" for NONE): the spelling of `implement --ralph --json`. */
const char *lean_ralph_stop_to_string (LeanRalphStop stop);
/* For people: "Every check passed", "Stopped: no progress in 3 iterations". */
const char *lean_ralph_stop_get_label (LeanRalphStop stop);

typedef enum
{
  LEAN_RALPH_STATE_IDLE,        /* ready for the next iteration */
  LEAN_RALPH_STATE_AGENT,       /* the agent works on iteration k */
  LEAN_RALPH_STATE_VALIDATING,  /* its work is being validated */
  LEAN_RALPH_STATE_PAUSED,      /* guided: the person reads and edits the feedback */
  LEAN_RALPH_STATE_ENDED,
} LeanRalphState;

typedef struct
{
  guint    max_iterations;   /* 0: 10 */
  guint64  max_tokens;       /* 0: no limit */
  double   max_cost_usd;     /* <= 0: no limit */
  guint    max_minutes;      /* 0: no limit */
  gboolean guided;           /* pause between iterations */
  gboolean phases;           /* one session per phase of the plan first */
} LeanRalphSettings;

/* How much feedback from failures a prompt carries: about 10k tokens. */
#define LEAN_RALPH_FEEDBACK_MAX_BYTES 40000
/* How many iterations' failures the feedback keeps. */
#define LEAN_RALPH_FEEDBACK_ITERATIONS 3
/* The same failures this many iterations running is no progress. */
#define LEAN_RALPH_NO_PROGRESS_RUNS 3

#define LEAN_TYPE_RALPH_CHAIN (lean_ralph_chain_get_type ())

G_DECLARE_FINAL_TYPE (LeanRalphChain, lean_ralph_chain, LEAN, RALPH_CHAIN, GObject)

/* The Ralph loop's logic, with no process of its own: whoever drives it
 * (the controller, the CLI, a test) starts the agent with the prompt of
 * lean_ralph_chain_begin_iteration(), reports the agent's end and then the
 * validation of its work, and the chain says whether to go on and with
 * what prompt. Iterations: 1-based. Properties (read-only, notify): state,
 * iteration, stop. */

LeanRalphChain *lean_ralph_chain_new              (const char              *spec_id,
                                                   const char              *spec_prompt,
                                                   const LeanRalphSettings *settings);
/* The prompt of the next iteration (the spec prompt first; then the spec
 * prompt, "iteration k of N" and what failed), or NULL once ended. State
 * IDLE or PAUSED -> AGENT. */
char           *lean_ralph_chain_begin_iteration  (LeanRalphChain          *self);
/* The agent of this iteration ended, having used @tokens and @cost_usd
 * (< 0 unknown). AGENT -> VALIDATING. */
void            lean_ralph_chain_agent_finished   (LeanRalphChain          *self,
                                                   guint64                  tokens,
                                                   double                   cost_usd);
/* The validation of this iteration (finished). Returns why the chain
 * stopped, or NONE: then IDLE (autonomous) or PAUSED (guided). */
LeanRalphStop   lean_ralph_chain_record_validation (LeanRalphChain         *self,
                                                    LeanValidation         *validation);
/* The iteration could not run (agent missing, ...): the chain ends FAILED. */
void            lean_ralph_chain_fail             (LeanRalphChain          *self,
                                                   const char              *message);
void            lean_ralph_chain_cancel           (LeanRalphChain          *self);

/* Phase by phase: the first iterations run one phase of the plan each,
 * their prompts naming only that phase's open items; each is validated, and
 * an unfinished phase does not stop the chain (guided: it pauses at a
 * checkpoint). After the last phase the chain goes on as a plain Ralph
 * loop, the last phase counting as its first iteration for the iteration
 * limit and no-progress. Call before the first iteration; 0 or 1 phases is
 * no phasing at all. */
void            lean_ralph_chain_set_n_phases     (LeanRalphChain          *self,
                                                   guint                    n_phases);
guint           lean_ralph_chain_get_n_phases     (LeanRalphChain          *self);
/* The phase (1-based) the running or last iteration works on, 0 when the
 * chain is not phased or past its phases. Property "phase" (notify). */
guint           lean_ralph_chain_get_phase        (LeanRalphChain          *self);
/* The phase the next iteration will work on, 0 when none. */
guint           lean_ralph_chain_get_next_phase   (LeanRalphChain          *self);
/* What the next phase iteration works on: the phase's heading and its open
 * items as the spec has them now (the driver reads the spec just before). */
void            lean_ralph_chain_set_phase_work   (LeanRalphChain          *self,
                                                   const char              *title,
                                                   const char * const      *open_items);
/* The spec prompt the next iterations start from: the driver gives it the
 * spec as read just before, with the items the agent ticked since. */
void            lean_ralph_chain_set_spec_prompt  (LeanRalphChain          *self,
                                                   const char              *spec_prompt);
/* The heading of the phase last given to lean_ralph_chain_set_phase_work(). */
const char     *lean_ralph_chain_get_phase_title  (LeanRalphChain          *self);
/* At a checkpoint (PAUSED after a phase): run the same phase again, with
 * what failed, instead of going on to the next. */
void            lean_ralph_chain_retry_phase      (LeanRalphChain          *self);

/* What the next prompt will say failed; in guided mode the person may
 * replace it before continuing. */
const char     *lean_ralph_chain_get_feedback     (LeanRalphChain          *self);
void            lean_ralph_chain_set_feedback     (LeanRalphChain          *self,
                                                   const char              *feedback);

/* What failed in @validation (finished), as the next prompt tells the
 * agent: each failing check with its exit status and the tail of its
 * output, open checklist items and child specs, the critic's gaps. "" when
 * everything passed. */
char           *lean_ralph_describe_failures      (LeanValidation          *validation);

/* A UUID made at creation: the key the chain is stored under. */
const char     *lean_ralph_chain_get_id           (LeanRalphChain          *self);
const char     *lean_ralph_chain_get_spec_id      (LeanRalphChain          *self);
const LeanRalphSettings *lean_ralph_chain_get_settings (LeanRalphChain     *self);
LeanRalphState  lean_ralph_chain_get_state        (LeanRalphChain          *self);
guint           lean_ralph_chain_get_iteration    (LeanRalphChain          *self);
guint           lean_ralph_chain_get_max_iterations (LeanRalphChain        *self);
LeanRalphStop   lean_ralph_chain_get_stop         (LeanRalphChain          *self);
/* Why it stopped, for people, with the detail ("Tests failed the same way
 * in iterations 2 to 4"), or NULL while running. */
const char     *lean_ralph_chain_get_stop_message (LeanRalphChain          *self);
guint64         lean_ralph_chain_get_tokens       (LeanRalphChain          *self);
double          lean_ralph_chain_get_cost_usd     (LeanRalphChain          *self);
/* Whether iteration @k (1-based, recorded) passed, and the failures it
 * recorded (the text the feedback was built from). */
gboolean        lean_ralph_chain_get_iteration_passed   (LeanRalphChain    *self,
                                                         guint              k);
const char     *lean_ralph_chain_get_iteration_failures (LeanRalphChain    *self,
                                                         guint              k);

G_END_DECLS
