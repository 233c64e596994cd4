/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-check.h"
#include "lean-check-counts.h"

G_BEGIN_DECLS

/* How much of a check's output is kept (the end of it); what streams past
 * is still emitted as "output" and parsed for counts. */
#define LEAN_CHECK_RUN_KEEP_BYTES (1024 * 1024)

#define LEAN_TYPE_CHECK_RUN (lean_check_run_get_type ())

G_DECLARE_FINAL_TYPE (LeanCheckRun, lean_check_run, LEAN, CHECK_RUN, GObject)

/* One run of one check in a working tree. The argv runs (no shell) in its
 * own session and process group, stdin /dev/null, stdout and stderr merged
 * into one pipe read without blocking the main loop. At the check's
 * timeout, or when the leader exits and leaves processes behind, the whole
 * group gets SIGTERM, then SIGKILL after a grace period; "finished" is
 * emitted once the group is gone and the output is read to its end.
 *
 * Signals: "output" (GBytes *) for every chunk read; "finished" once.
 * Properties (read-only, notify on the main thread): status. */

LeanCheckRun    *lean_check_run_new              (LeanCheck     *check,
                                                  const char    *work_dir);
/* A run read back from storage: finished, with what was stored. */
LeanCheckRun    *lean_check_run_new_finished     (LeanCheck       *check,
                                                  LeanCheckStatus  status,
                                                  int              exit_code,
                                                  gint64           duration_ms,
                                                  LeanCheckCounts  counts,
                                                  GBytes          *output,
                                                  const char      *message);
void             lean_check_run_start            (LeanCheckRun  *self);
/* Ends a running check (its whole group) and marks it skipped. */
void             lean_check_run_cancel           (LeanCheckRun  *self);

LeanCheck       *lean_check_run_get_check        (LeanCheckRun  *self);
LeanCheckStatus  lean_check_run_get_status       (LeanCheckRun  *self);
gboolean         lean_check_run_is_finished      (LeanCheckRun  *self);
/* The leader's exit status, or -1 (not exited normally, not run). */
int              lean_check_run_get_exit_code    (LeanCheckRun  *self);
/* The signal that ended the leader, or 0. */
int              lean_check_run_get_term_signal  (LeanCheckRun  *self);
gint64           lean_check_run_get_duration_ms  (LeanCheckRun  *self);
LeanCheckCounts  lean_check_run_get_counts       (LeanCheckRun  *self);
/* The end of the output (at most LEAN_CHECK_RUN_KEEP_BYTES) and how many
 * bytes before it were dropped. */
GBytes          *lean_check_run_get_output       (LeanCheckRun  *self);
guint64          lean_check_run_get_output_dropped (LeanCheckRun *self);
/* The last @max_bytes of the kept output, starting at a line and as valid
 * UTF-8 with control characters other than newline and tab removed. */
char            *lean_check_run_get_output_tail  (LeanCheckRun  *self,
                                                  gsize          max_bytes);
/* The first line that reads as a failure ("FAIL", "error:", "panicked",
 * "Traceback", "not ok", ...), else the last non-empty line; NULL for a
 * check that passed. Cleaned like the tail; at most 300 bytes. */
const char      *lean_check_run_get_first_failure (LeanCheckRun *self);
/* Why it could not run or how it ended, for people ("make: not found",
 * "Timed out after 600 s; its processes were ended"), or NULL. */
const char      *lean_check_run_get_message      (LeanCheckRun  *self);
/* The process group id while it runs (0 before and for ERROR runs). */
GPid             lean_check_run_get_pgid         (LeanCheckRun  *self);

G_END_DECLS
