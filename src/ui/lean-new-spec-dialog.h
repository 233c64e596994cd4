/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_NEW_SPEC_DIALOG (lean_new_spec_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LeanNewSpecDialog, lean_new_spec_dialog, LEAN, NEW_SPEC_DIALOG, AdwWindow)

/* A modal window asking name (slug), title, priority and tags; it shows the
 * number the spec will get. Create writes the spec off the main loop, puts it
 * in @store (lean_spec_store_replace) and activates the parent's
 * "win.open-spec" action with the new id (a string parameter), then closes.
 * The "created" signal (LeanSpec *spec) is emitted as well. */
LeanNewSpecDialog *lean_new_spec_dialog_new     (GtkWindow     *parent,
                                                 LeanSpecStore *store);
void               lean_new_spec_dialog_present (GtkWindow     *parent,
                                                 LeanSpecStore *store);

G_END_DECLS
