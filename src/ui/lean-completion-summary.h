/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-session-db.h"
#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_COMPLETION_SUMMARY (lean_completion_summary_get_type ())

G_DECLARE_FINAL_TYPE (LeanCompletionSummary, lean_completion_summary, LEAN, COMPLETION_SUMMARY, AdwWindow)

/* Shown after Mark Complete: the spec's work over all its sessions
 * (sessions, iterations, tokens, cost, time; read off the main loop) and
 * the next steps, the specs that depended on it and are now unblocked,
 * each with Open and Implement (the parent window's win.open-spec and
 * win.implement). Once the work is read, the spec's sessions are archived
 * and its summary is queued for Devlog when telemetry is on
 * (lean_completion_record()). "ready" is emitted then. */
LeanCompletionSummary *lean_completion_summary_new    (GtkWindow     *parent,
                                                       LeanSessionDb *db,
                                                       LeanSpecStore *store,
                                                       LeanSpec      *spec);
/* For tests: the rows' text, and the Open/Implement buttons of the
 * unblocked spec @id. */
char                  *lean_completion_summary_dup_text (LeanCompletionSummary *self);
GtkWidget             *lean_completion_summary_get_button (LeanCompletionSummary *self,
                                                           const char            *spec_id,
                                                           gboolean               implement);

G_END_DECLS
