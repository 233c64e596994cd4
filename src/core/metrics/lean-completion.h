/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-metrics.h"
#include "lean-project.h"
#include "lean-session-db.h"

G_BEGIN_DECLS

/* What follows a spec being marked complete: the specs it unblocked, and
 * its sessions archived with a summary of their work. */

/* The specs of @specs that depend on @completed (by any reference
 * LeanSpec accepts), are not complete or archived themselves, and whose
 * every other dependency is complete or archived (@completed counts as
 * complete whatever snapshot @specs holds). In @specs' order. */
GPtrArray *lean_completion_unblocked_specs (LeanProject          *project,
                                            GPtrArray            *specs,
                                            LeanSpec             *completed);

/* Archives the spec's sessions in the history (queued write) and, when
 * the spec had sessions, adds a "spec-complete" event with @work to the
 * newest one: the telemetry tap turns it into a Devlog event when, and
 * only when, telemetry is configured. */
void       lean_completion_record          (LeanSessionDb             *db,
                                            const char                *project_path,
                                            const char                *spec_id,
                                            const LeanMetricsSpecWork *work);

G_END_DECLS
