/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LEAN_TYPE_VIEW_SWITCHER (lean_view_switcher_get_type ())
G_DECLARE_FINAL_TYPE (LeanViewSwitcher, lean_view_switcher, LEAN, VIEW_SWITCHER, GtkWidget)

/* The project's views (List, Board, Dependencies, Stats, Projects) as a
 * linked group of icon toggles for a header bar. Each is bound to the
 * window's stateful "win.show-view" action, so every copy of the switcher
 * (one per view's header) shows the same view checked; the tooltips name
 * the view and its Ctrl+number shortcut. Where the header has no room for
 * the five, one menu button with the shown view's icon lists them. */
GtkWidget *lean_view_switcher_new (void);

/* For the UI tests: the menu button of the narrow form. */
GtkWidget *_lean_view_switcher_get_compact_button (LeanViewSwitcher *self);

G_END_DECLS
