/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-validation.h"

G_BEGIN_DECLS

#define LEAN_TYPE_VALIDATION_VIEW (lean_validation_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanValidationView, lean_validation_view, LEAN, VALIDATION_VIEW, GtkWidget)

/* What one validation found, as it runs: a row per check (running, passed,
 * failed, timed out; duration, counts) that opens onto the check's output
 * in a terminal view, what the spec still has open, the critic's
 * requirements as met or unmet with their evidence, and "Send Failures to
 * Agent" once it failed, unless sending is switched off (a Ralph loop that
 * has not ended sends or pauses on its own; a second way to start the next
 * iteration beside it would race it).
 *
 * Signals: "send-failures" when that button is pressed (the window starts
 * the next iteration). Property: validation (LeanValidation, may be NULL). */

GtkWidget      *lean_validation_view_new            (void);
void            lean_validation_view_set_validation (LeanValidationView *self,
                                                     LeanValidation     *validation);
LeanValidation *lean_validation_view_get_validation (LeanValidationView *self);
void            lean_validation_view_set_can_send   (LeanValidationView *self,
                                                     gboolean            can_send);

G_END_DECLS
