/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_TASK_STATUS (lean_spec_task_status_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecTaskStatus, lean_spec_task_status, LEAN, SPEC_TASK_STATUS, GtkWidget)

/* The task status of a spec's plan, as the spec view shows it: one row per
 * phase (lean_spec_get_phases()) with its done/total and a level bar, the
 * current phase (the first with open items) marked. Hidden for a plan of
 * fewer than two phases: the header's "2 of 3 done" says it all then. The
 * spec view hands it each new LeanSpec the store reloads, so it follows the
 * agent ticking items. */
GtkWidget *lean_spec_task_status_new      (void);
/* Shows @spec (NULL: nothing). */
void       lean_spec_task_status_set_spec (LeanSpecTaskStatus *self,
                                           LeanSpec           *spec);
/* For tests: the phases shown and the current one (-1: all done). */
guint      lean_spec_task_status_get_n_phases (LeanSpecTaskStatus *self);
int        lean_spec_task_status_get_current  (LeanSpecTaskStatus *self);

G_END_DECLS
