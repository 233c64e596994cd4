/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-validation.h"

G_BEGIN_DECLS

/* A finished validation read back from storage: @runs (LeanCheckRun,
 * finished) as they were, the open items and children as stored. */
LeanValidation *_lean_validation_new_finished (const char         *spec_id,
                                               const char         *work_dir,
                                               GPtrArray          *runs,
                                               const char * const *open_items,
                                               const char * const *open_children,
                                               LeanCriticVerdict  *critic);

G_END_DECLS
