/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-new-spec-dialog.h"

G_BEGIN_DECLS

/* For the UI tests: type into the fields, read what the dialog shows. */
GtkEditable *_lean_new_spec_dialog_get_title_entry (LeanNewSpecDialog *self);
GtkEditable *_lean_new_spec_dialog_get_name_entry  (LeanNewSpecDialog *self);
GtkEditable *_lean_new_spec_dialog_get_tags_entry  (LeanNewSpecDialog *self);
void         _lean_new_spec_dialog_set_priority    (LeanNewSpecDialog *self,
                                                    LeanSpecPriority   priority);
GtkWidget   *_lean_new_spec_dialog_get_create_button (LeanNewSpecDialog *self);
/* The number the next spec gets, 0 until it is known. */
guint        _lean_new_spec_dialog_get_number      (LeanNewSpecDialog *self);
const char  *_lean_new_spec_dialog_get_message     (LeanNewSpecDialog *self);

G_END_DECLS
