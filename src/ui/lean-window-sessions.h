/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-pane.h"
#include "lean-spec-view.h"
#include "lean-window.h"

G_BEGIN_DECLS

/* The session parts of the main window, kept out of lean-window.c: puts
 * the session pane beside @spec_view (in a GtkPaned, returned for the
 * window to show where it showed the spec view), adds "Implement with AI"
 * and a Sessions toggle to the spec view's header actions, and the
 * win.show-session-history action (the Sessions history window). */
/* Adds win.show-session-history; call once from the window's init. */
void             lean_window_sessions_init           (LeanWindow   *window);
GtkWidget       *lean_window_sessions_wrap_spec_view (LeanWindow   *window,
                                                      LeanSpecView *spec_view);
/* The pane of @window, or NULL before the spec view exists. */
LeanSessionPane *lean_window_sessions_get_pane       (LeanWindow   *window);
/* Opens the Sessions history window of @window. */
GtkWindow       *lean_window_sessions_show_history   (LeanWindow   *window);

G_END_DECLS
