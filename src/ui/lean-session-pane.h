/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-session-page.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_PANE (lean_session_pane_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionPane, lean_session_pane, LEAN, SESSION_PANE, GtkWidget)

/* The pane beside the spec: one tab (LeanSessionPage) per live session of
 * the controller, plus read-only tabs for past sessions reopened from the
 * history. A session's tab shows a spinner while it runs and asks for
 * attention when it waits for input. When the window is not focused, a
 * desktop notification says when a session ends or waits for input.
 *
 * The pane hides itself with its header button (action pane.hide, sets
 * "visible" to FALSE); the window shows it again. Closing a tab never stops
 * its session: the session keeps running and can be reopened.
 *
 * Signals: "session-activated" (LeanSession *): a tab was selected. */

GtkWidget       *lean_session_pane_new            (void);
void             lean_session_pane_set_controller (LeanSessionPane   *self,
                                                   LeanController    *controller);
LeanController  *lean_session_pane_get_controller (LeanSessionPane   *self);
/* For agent display names in banners; optional. */
void             lean_session_pane_set_registry   (LeanSessionPane   *self,
                                                   LeanAgentRegistry *registry);
/* Finds or adds the tab of a live session and selects it; shows the pane. */
LeanSessionPage *lean_session_pane_show_session   (LeanSessionPane   *self,
                                                   LeanSession       *session);
/* Opens a stored session's log read-only (or its live tab when this
 * process runs it); shows the pane. */
LeanSessionPage *lean_session_pane_open_log       (LeanSessionPane   *self,
                                                   LeanSessionDb     *db,
                                                   LeanSession       *session);
/* A tab of the pane's own that is not a session (a validation, a Ralph
 * chain): adds @child, or updates the tab holding it, with @title and the
 * icon @icon_name (may be NULL), selects it and shows the pane. */
AdwTabPage      *lean_session_pane_show_widget    (LeanSessionPane   *self,
                                                   GtkWidget         *child,
                                                   const char        *title,
                                                   const char        *icon_name);
/* As a page of its own (narrow windows) the pane's first header button
 * goes back to the spec instead of hiding the pane beside it. */
void              lean_session_pane_set_show_back  (LeanSessionPane   *self,
                                                    gboolean           show_back);
guint            lean_session_pane_get_n_pages    (LeanSessionPane   *self);
AdwTabView      *lean_session_pane_get_tab_view   (LeanSessionPane   *self);

G_END_DECLS
