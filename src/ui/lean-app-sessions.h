/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-window.h"

G_BEGIN_DECLS

/* What closing the last window or quitting means while sessions of this
 * process run, kept out of lean-application.c and lean-window.c.
 *
 * Closing the last main window asks: stop the sessions (cancel, wait a
 * little for them to end, close), keep them running in the background (the
 * window closes, the application holds itself until the last one ends and
 * sends a notification as each ends; activating the application again
 * opens a window on them), or cancel. Quitting asks too, and always stops
 * them. Whatever is still alive at shutdown is killed by disposing the
 * controller, so an agent is never orphaned. */

/* Adds app.show-session(s: session id) and the shutdown guard; call once
 * from the application's startup. */
void      lean_app_sessions_init          (GtkApplication *app);
/* From the window's close-request: TRUE when the close is stopped (a
 * dialog asks first; the window closes itself later when it should). */
gboolean  lean_app_sessions_close_request (LeanWindow     *window);
/* app.quit: asks when sessions run, stops them, closes every window. */
void      lean_app_sessions_quit          (GtkApplication *app);
/* From activate with no window: opens a window on the sessions that ran
 * in the background; FALSE when there are none. */
gboolean  lean_app_sessions_reopen        (GtkApplication *app);

/* Tests: whether the application is held for background sessions, and
 * how long Stop waits for sessions to end before closing anyway. */
gboolean  _lean_app_sessions_get_holding  (void);
void      _lean_app_sessions_set_stop_timeout (guint msec);

G_END_DECLS
