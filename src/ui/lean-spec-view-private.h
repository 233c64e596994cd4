/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-spec-view.h"
#include "lean-markdown-view.h"

G_BEGIN_DECLS

/* For the UI tests: the parts a person would click. */
LeanMarkdownView *_lean_spec_view_get_readme_view     (LeanSpecView *self);
/* Writes started and not yet finished (status, task, complete, undo). */
guint             _lean_spec_view_get_pending_writes  (LeanSpecView *self);
/* The "Complete anyway?" dialog while it is shown, else NULL. */
AdwMessageDialog *_lean_spec_view_get_complete_dialog (LeanSpecView *self);
/* The last toast shown by the view (a borrowed reference kept until the
 * next one), else NULL. */
AdwToast         *_lean_spec_view_get_last_toast      (LeanSpecView *self);
GtkWidget        *_lean_spec_view_get_files_stack     (LeanSpecView *self);
/* The entry "spec.rename" shows in place of the title. */
GtkWidget        *_lean_spec_view_get_title_entry     (LeanSpecView *self);
const char       *_lean_spec_view_get_relations_markup (LeanSpecView *self);
GtkLabel         *_lean_spec_view_get_relations_label (LeanSpecView *self);
/* In-place tag and assignee editing: the "+" button with its popover's
 * entry and suggestions (children carry their tag as "lean-tag" data), and
 * the assignee button with its popover's entry. Tag chips in the chips row
 * carry "lean-tag" data too; their "×" activates spec.remove-tag. */
GtkMenuButton    *_lean_spec_view_get_tag_add_button  (LeanSpecView *self);
GtkEntry         *_lean_spec_view_get_tag_entry       (LeanSpecView *self);
GtkFlowBox       *_lean_spec_view_get_tag_suggestions (LeanSpecView *self);
GtkMenuButton    *_lean_spec_view_get_assignee_button (LeanSpecView *self);
GtkEntry         *_lean_spec_view_get_assignee_entry  (LeanSpecView *self);

G_END_DECLS
