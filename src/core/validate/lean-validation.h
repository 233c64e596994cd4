/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "lean-check-config.h"
#include "lean-check-run.h"
#include "lean-critic-verdict.h"
#include "lean-project.h"

G_BEGIN_DECLS

#define LEAN_TYPE_VALIDATION (lean_validation_get_type ())

G_DECLARE_FINAL_TYPE (LeanValidation, lean_validation, LEAN, VALIDATION, GObject)

/* One validation of a spec's implementation in a working tree: the
 * project's checks run one after the other (LeanCheckRun each), the spec's
 * completion (open checklist items and open child specs, the rules of Mark
 * Complete) and, when one was given, the AI critic's verdict.
 *
 * The checks of a FILE config run only after lean_validation_set_trusted
 * (TRUE): untrusted, each is an ERROR naming the file, never run.
 *
 * Signals: "check-started" (LeanCheckRun *), "check-output" (LeanCheckRun *,
 * GBytes *), "check-finished" (LeanCheckRun *), "finished" once all ran. */

LeanValidation *lean_validation_new             (const char       *spec_id,
                                                 LeanCheckConfig  *config,
                                                 const char       *work_dir);
void            lean_validation_set_trusted     (LeanValidation   *self,
                                                 gboolean          trusted);
/* Reads the completion of @spec as Mark Complete judges it; @specs (may
 * be NULL) is where its children are looked up. */
void            lean_validation_set_completion  (LeanValidation   *self,
                                                 LeanProject      *project,
                                                 GPtrArray        *specs,
                                                 LeanSpec         *spec);
/* The critic's verdict (a verdict that could not be read fails). */
void            lean_validation_set_critic      (LeanValidation   *self,
                                                 LeanCriticVerdict *verdict);

void            lean_validation_run             (LeanValidation   *self);
/* Ends the running check; the rest are skipped. "finished" follows. */
void            lean_validation_cancel          (LeanValidation   *self);

const char     *lean_validation_get_spec_id     (LeanValidation   *self);
const char     *lean_validation_get_work_dir    (LeanValidation   *self);
gboolean        lean_validation_is_finished     (LeanValidation   *self);
/* Every check passed, nothing is open and the critic (if any) said pass. */
gboolean        lean_validation_get_passed      (LeanValidation   *self);
guint           lean_validation_get_n_runs      (LeanValidation   *self);
LeanCheckRun   *lean_validation_get_run         (LeanValidation   *self,
                                                 guint             index);
/* "line N: text" of each open checklist item; ids of open child specs. */
const char * const *lean_validation_get_open_items    (LeanValidation *self);
const char * const *lean_validation_get_open_children (LeanValidation *self);
LeanCriticVerdict  *lean_validation_get_critic        (LeanValidation *self);

/* The shape `leanspec-ctl validate --json` prints:
 * {"spec", "passed", "checks": [{"id", "name", "kind", "argv", "status",
 * "exit_code", "duration_ms", "counts", "output_tail"}], "completion":
 * {"open_items", "open_children"}, "critic": null | {"verdict",
 * "requirements", "gaps", "summary"}}. */
JsonNode       *lean_validation_to_json         (LeanValidation   *self);
/* One check as in "checks" above. */
JsonNode       *lean_validation_check_to_json   (LeanCheckRun     *run);

/* How much of a check's output "output_tail" carries. */
#define LEAN_VALIDATION_TAIL_BYTES 4096

G_END_DECLS
