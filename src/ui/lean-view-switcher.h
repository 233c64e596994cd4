/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LEAN_TYPE_VIEW_SWITCHER (lean_view_switcher_get_type ())
G_DECLARE_FINAL_TYPE (LeanViewSwitcher, lean_view_switcher, LEAN, VIEW_SWITCHER, GtkWidget)

/* The project's views (List, Board, Dependencies, Stats) as a linked group
 * of icon toggles for a header bar. Each is bound to the window's stateful
 * "win.show-view" action, so every copy of the switcher (one per view's
 * header) shows the same view checked. Icons alone keep the group narrow
 * enough for a 360-pixel header; the tooltips name the view and its
 * Ctrl+number shortcut. */
GtkWidget *lean_view_switcher_new (void);

G_END_DECLS
