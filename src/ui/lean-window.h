/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_WINDOW (lean_window_get_type ())

G_DECLARE_FINAL_TYPE (LeanWindow, lean_window, LEAN, WINDOW, AdwApplicationWindow)

/* The main window: the project switcher and spec list on the left, the
 * selected spec (LeanSpecView) on the right, in an AdwLeaflet that folds on
 * narrow screens.
 *
 * Window actions (lean-window-actions.c): win.open-folder,
 * win.open-project(s: path), win.new-spec, win.reload, win.search,
 * win.filter-status(i: status), win.open-spec(s: spec id), win.show-list,
 * win.show-problems, win.implement, win.mark-complete, win.show-sessions
 * (a toggle), win.go-back, win.go-forward, win.show-session-history.
 *
 * Made by lean_window_new() with the application's services (LeanApplication:
 * the "controller" and "registry" construct-only properties). */
LeanWindow    *lean_window_new           (AdwApplication *application);
/* Opens the LeanSpec project containing @path (off the main loop); errors
 * are shown in a toast and leave the current project open. */
void           lean_window_open_project  (LeanWindow     *self,
                                          const char     *path);
/* The root folder of the open project, or NULL. */
const char    *lean_window_get_project_root (LeanWindow  *self);
LeanSpecStore *lean_window_get_store     (LeanWindow     *self);
/* Shows @toast in the window's toast overlay. */
void           lean_window_add_toast     (LeanWindow     *self,
                                          AdwToast       *toast);
/* Selects and shows the spec with @id; FALSE if there is none. */
gboolean       lean_window_select_spec   (LeanWindow     *self,
                                          const char     *id);

G_END_DECLS
