/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-project.h"
#include "lean-ralph-chain.h"
#include "lean-spec.h"

G_BEGIN_DECLS

#define LEAN_TYPE_IMPLEMENT_DIALOG (lean_implement_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LeanImplementDialog, lean_implement_dialog, LEAN, IMPLEMENT_DIALOG,
                      AdwWindow)

/* "Implement with AI": agent (installed ones first; a missing one shows its
 * install command instead of failing), mode, model, runner (local or a
 * configured agent-relay), worktree toggle, and the prompt built from the
 * spec, which the person can edit. Start is the second click.
 *
 * On Start the dialog calls lean_controller_start() and, when the session
 * exists (even failed: it is in the history with its reason), emits
 * "session-started" (LeanSession *) and closes. A start that failed before
 * the agent ran also shows its reason in a toast and keeps the dialog open.
 *
 * Agents of the project's runners.json are labelled "From this project".
 * While the file's current content is not trusted they cannot start: the
 * dialog shows LeanTrustDialog once it is on screen (unless the person
 * declined this content already in this run), and a "Review…" button on
 * such an agent asks again. Trusting reloads and probes the agents.
 *
 * With the Ralph switch on, Start emits "ralph-requested" instead and
 * closes: the window runs the loop with lean_implement_dialog_dup_request()
 * and lean_implement_dialog_get_ralph() (read them in the handler).
 *
 * @registry may be NULL (the dialog loads one for @project); @specs (a
 * GPtrArray of LeanSpec, may be NULL) names the dependencies in the prompt. */
LeanImplementDialog *lean_implement_dialog_new          (GtkWindow         *parent,
                                                         LeanController    *controller,
                                                         LeanAgentRegistry *registry,
                                                         LeanProject       *project,
                                                         LeanSpec          *spec,
                                                         GPtrArray         *specs);
/* The request the dialog would start now (for tests and callers that start
 * sessions themselves); NULL until the prompt is built. */
LeanSessionRequest  *lean_implement_dialog_dup_request  (LeanImplementDialog *self);
/* Selects the agent with @id if it is in the list; probing the agents
 * (which re-sorts them and picks the default) keeps this choice. */
gboolean             lean_implement_dialog_select_agent (LeanImplementDialog *self,
                                                         const char          *id);
gboolean             lean_implement_dialog_get_ready    (LeanImplementDialog *self);
/* Whether the Ralph switch is on; its settings (maximum iterations, phase
 * by phase, pausing between iterations, the budget) and whether the agent
 * also critiques each iteration. Out-params may be NULL. */
gboolean             lean_implement_dialog_get_ralph    (LeanImplementDialog *self,
                                                         LeanRalphSettings   *settings,
                                                         gboolean            *critic);

G_END_DECLS
