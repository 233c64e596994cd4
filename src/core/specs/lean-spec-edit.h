/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-project.h"

G_BEGIN_DECLS

typedef enum
{
  LEAN_SPEC_EDIT_STATUS,
  LEAN_SPEC_EDIT_PRIORITY,
  LEAN_SPEC_EDIT_ASSIGNEE,
  LEAN_SPEC_EDIT_ADD_TAG,
  LEAN_SPEC_EDIT_REMOVE_TAG,
  LEAN_SPEC_EDIT_TASK,
  LEAN_SPEC_EDIT_TITLE,
  LEAN_SPEC_EDIT_COMPLETE,
  LEAN_SPEC_EDIT_RESTORE,
} LeanSpecEditKind;

#define LEAN_TYPE_SPEC_EDIT (lean_spec_edit_get_type ())

/* One change a person asks for, described before it is made: the spec
 * view builds one, lean_spec_store_edit_async() applies it on the newest
 * snapshot of the spec through lean-spec-writer. Immutable and
 * reference-counted, so it can cross to the worker thread.
 *
 * A RESTORE edit is what Undo applies: it puts back the exact bytes a
 * README had and is checked against the snapshot it undoes (not the
 * newest), so it never overwrites a change made after it. */
typedef struct _LeanSpecEdit LeanSpecEdit;

GType             lean_spec_edit_get_type        (void) G_GNUC_CONST;

LeanSpecEdit     *lean_spec_edit_new_status      (LeanSpecStatus    status);
LeanSpecEdit     *lean_spec_edit_new_priority    (LeanSpecPriority  priority);
/* NULL or "" removes the assignee. */
LeanSpecEdit     *lean_spec_edit_new_assignee    (const char       *assignee);
LeanSpecEdit     *lean_spec_edit_new_add_tag     (const char       *tag);
LeanSpecEdit     *lean_spec_edit_new_remove_tag  (const char       *tag);
/* @file is "README.md" or a sub-spec file. For README.md @line is 1-based
 * in the body (after the front matter, as a markdown view counts), so it
 * still points at the same item when an edit before it added front matter
 * lines; for a sub-spec file it is 1-based in the file. */
LeanSpecEdit     *lean_spec_edit_new_task        (const char       *file,
                                                  guint             line,
                                                  gboolean          checked);
/* Rewrites the README's "# " title line. */
LeanSpecEdit     *lean_spec_edit_new_title       (const char       *title);
/* Mark Complete: refused with LEAN_ERROR_INCOMPLETE unless @force. */
LeanSpecEdit     *lean_spec_edit_new_complete    (gboolean          force);
/* Writes @contents over the README of @written, if it still is @written. */
LeanSpecEdit     *lean_spec_edit_new_restore     (LeanSpec         *written,
                                                  GBytes           *contents);

LeanSpecEdit     *lean_spec_edit_ref             (LeanSpecEdit     *self);
void              lean_spec_edit_unref           (LeanSpecEdit     *self);

LeanSpecEditKind  lean_spec_edit_get_kind        (LeanSpecEdit     *self);
/* The tag, assignee or title the edit sets; NULL for other kinds. */
const char       *lean_spec_edit_get_text        (LeanSpecEdit     *self);
/* RESTORE: the snapshot it must replace. */
LeanSpec         *lean_spec_edit_get_expected    (LeanSpecEdit     *self);
/* RESTORE: the bytes it puts back. */
GBytes           *lean_spec_edit_get_contents    (LeanSpecEdit     *self);

/* Applies @edit to @spec through the writer and returns the written
 * snapshot, or @spec itself (a new reference) when there was nothing to
 * change (a tag already there, the same assignee). @project and @specs are
 * for COMPLETE (children). Blocking: for a worker thread. */
LeanSpec         *lean_spec_edit_apply           (LeanSpecEdit     *self,
                                                  LeanProject      *project,
                                                  GPtrArray        *specs,
                                                  LeanSpec         *spec,
                                                  GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSpecEdit, lean_spec_edit_unref)

G_END_DECLS
