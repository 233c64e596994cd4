/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-project.h"

G_BEGIN_DECLS

/* Every write here:
 *  - changes the smallest possible byte range of the file (the value of the
 *    key that changes, or one inserted line before the closing ---, in the
 *    file's own line ending); every other byte stays identical;
 *  - is atomic (temp file in the same folder, fsync, rename);
 *  - refuses with LEAN_ERROR_CHANGED_ON_DISK when the file's current content
 *    hash differs from @spec's, so a concurrent edit is never overwritten;
 *  - returns a fresh snapshot of the spec as written.
 * Blocking: small I/O, fine on a worker thread or for single user actions. */

/* Sets status; also updated_at (now, ISO 8601 UTC with milliseconds as
 * LeanSpec writes it), appends {status, at} to transitions and sets
 * completed_at the first time it becomes complete. */
LeanSpec *lean_spec_writer_set_status    (LeanSpec            *spec,
                                          LeanSpecStatus       status,
                                          GError             **error);
LeanSpec *lean_spec_writer_set_priority  (LeanSpec            *spec,
                                          LeanSpecPriority     priority,
                                          GError             **error);
/* NULL or "" removes the assignee. */
LeanSpec *lean_spec_writer_set_assignee  (LeanSpec            *spec,
                                          const char          *assignee,
                                          GError             **error);
LeanSpec *lean_spec_writer_set_tags      (LeanSpec            *spec,
                                          const char * const  *tags,
                                          GError             **error);

/* Flips the "[ ]"/"[x]" of the task item on 1-based @line of @file (README.md
 * or a sub-spec file name inside the spec folder). Refuses if that line is not
 * a task item. */
LeanSpec *lean_spec_writer_set_task      (LeanSpec            *spec,
                                          const char          *file,
                                          guint                line,
                                          gboolean             checked,
                                          GError             **error);

/* Rewrites the README's first "# " heading (outside code fences) to
 * "# @title", keeping its indentation and line ending; nothing else changes.
 * Refuses with LEAN_ERROR_NOT_FOUND when the title is not such a line and
 * LEAN_ERROR_INVALID_VALUE for an empty or multi-line title. */
LeanSpec *lean_spec_writer_set_title     (LeanSpec            *spec,
                                          const char          *title,
                                          GError             **error);

/* Replaces the whole README with @contents (used by Undo), with the same
 * atomicity and hash check. */
LeanSpec *lean_spec_writer_replace       (LeanSpec            *spec,
                                          GBytes              *contents,
                                          GError             **error);

/* Marks @spec complete. Unless @force, refuses with LEAN_ERROR_INCOMPLETE when
 * the README has unchecked "- [ ]" items or a child spec (parent == spec) in
 * @specs is not complete/archived; the message lists what is open. */
LeanSpec *lean_spec_writer_complete      (LeanProject         *project,
                                          GPtrArray           *specs,
                                          LeanSpec            *spec,
                                          gboolean             force,
                                          GError             **error);

/* The child specs (parent == @spec) in @specs that keep @spec from being
 * completed: neither complete nor archived. Together with the unchecked
 * task items of @spec (lean_spec_get_task), the rules of
 * lean_spec_writer_complete(). Pure; never NULL. */
GPtrArray *lean_spec_writer_get_open_children (LeanProject    *project,
                                               GPtrArray      *specs,
                                               LeanSpec       *spec);

/* Notes on the behaviour above, matching `leanspec update` 0.3.0:
 *  - timestamps are UTC with nanoseconds ("2026-11-26T07:52:18.644669291Z");
 *  - set_priority, set_assignee and set_tags also set updated_at;
 *  - a missing updated_at goes after created_at (else before the closing
 *    ---), completed_at right after updated_at, a missing transitions key
 *    before the closing ---; set_status to the current status writes
 *    nothing and returns @spec;
 *  - set_status and set_priority leave the body alone, its
 *    "> **Status**: ... · **Priority**: ..." line included (leanspec
 *    0.3.0 does not update it either; tests/test-interop.c compares);
 *  - set_task and replace touch nothing but the bytes they are given;
 *  - a README that is a symlink is written through (the link stays);
 *  - every result is parsed before it is written: a write never leaves a
 *    file that does not read back as a spec. */

G_END_DECLS
