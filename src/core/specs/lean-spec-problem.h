/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_PROBLEM (lean_spec_problem_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecProblem, lean_spec_problem, LEAN, SPEC_PROBLEM, GObject)

/* A spec file that could not be read: shown to the person instead of
 * silently dropping the spec. */
LeanSpecProblem *lean_spec_problem_new          (const char      *path,
                                                 const char      *rel_path,
                                                 const char      *reason);
const char      *lean_spec_problem_get_path     (LeanSpecProblem *self); /* absolute */
const char      *lean_spec_problem_get_rel_path (LeanSpecProblem *self); /* relative to root */
const char      *lean_spec_problem_get_reason   (LeanSpecProblem *self);

G_END_DECLS
