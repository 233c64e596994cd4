/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-window.h"
#include "lean-spec-list.h"

G_BEGIN_DECLS

/* For the UI tests: the parts a person looks at. */
LeanSpecList *_lean_window_get_spec_list     (LeanWindow *self);
GtkWidget    *_lean_window_get_spec_view     (LeanWindow *self);
/* "welcome", "project" */
const char   *_lean_window_get_page          (LeanWindow *self);
/* The banner's headline ("2 specs could not be read") and its details
 * (one "path: reason" per line); NULL when the banner is hidden. */
const char   *_lean_window_get_problems_text (LeanWindow *self);
char         *_lean_window_dup_problems_details (LeanWindow *self);

G_END_DECLS
