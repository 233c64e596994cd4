/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-ralph-loop.h"

G_BEGIN_DECLS

#define LEAN_TYPE_CHAIN_VIEW (lean_chain_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanChainView, lean_chain_view, LEAN, CHAIN_VIEW, GtkWidget)

/* A Ralph chain as it runs: where it is ("Iteration 2 of 5: the agent
 * works"), a timeline with one row per iteration (its session and what its
 * validation found), why it stopped, in words, and below the validation of
 * the iteration selected in the timeline (the latest by default).
 *
 * Signals: "open-session" (LeanSession *) when an iteration's "Session"
 * button is pressed. The validation view's "send-failures" is the
 * window's to connect (lean_chain_view_get_validation_view()). */

GtkWidget     *lean_chain_view_new                 (LeanRalphLoop *loop);
LeanRalphLoop *lean_chain_view_get_loop            (LeanChainView *self);
GtkWidget     *lean_chain_view_get_validation_view (LeanChainView *self);
/* The status line shown ("Iteration 1 of 3: validating", "Every check
 * passed"), for tests and the tab's tooltip. */
const char    *lean_chain_view_get_status          (LeanChainView *self);
/* The number of timeline rows. */
guint          lean_chain_view_get_n_iterations    (LeanChainView *self);

G_END_DECLS
