/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-trust-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_TRUST_DIALOG (lean_trust_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LeanTrustDialog, lean_trust_dialog, LEAN, TRUST_DIALOG, AdwWindow)

/* Asks the person whether to trust the commands of one project file
 * (@request): each command's program, every argument and every variable it
 * sets, exactly, in monospace, with control and invisible characters shown
 * as escapes, never as markup.
 *
 * "Trust and Continue" records @request's content (its SHA-256: what was
 * shown, not what the file may hold by now) in @store, then emits
 * "decided" (TRUE) and closes. "Don't Trust", Escape or closing the window
 * remembers the refusal in @store (for this run) and emits "decided"
 * (FALSE). "decided" is emitted once. */
LeanTrustDialog *lean_trust_dialog_new (GtkWindow        *parent,
                                        LeanTrustRequest *request,
                                        LeanTrustStore   *store);
/* Replaces the words under the heading, which speak of agents, for a file
 * whose commands are something else (the project's checks). */
void             lean_trust_dialog_set_body (LeanTrustDialog *self,
                                             const char      *body);

G_END_DECLS
