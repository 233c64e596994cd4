/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-session-db.h"

G_BEGIN_DECLS

#define LEAN_TYPE_WORKTREES_PAGE (lean_worktrees_page_get_type ())

G_DECLARE_FINAL_TYPE (LeanWorktreesPage, lean_worktrees_page, LEAN, WORKTREES_PAGE,
                      AdwPreferencesPage)

/* Preferences page: the git worktrees sessions made, with disk use and
 * age; those of ended sessions can be removed one by one or all at once
 * (their branches stay). Past LEAN_WORKTREES_HINT_COUNT of them, or
 * LEAN_WORKTREES_HINT_BYTES, it says so. Listing and removing run in
 * threads. */
#define LEAN_WORKTREES_HINT_COUNT 5
#define LEAN_WORKTREES_HINT_BYTES (G_GUINT64_CONSTANT (2) * 1024 * 1024 * 1024)

GtkWidget *lean_worktrees_page_new (LeanSessionDb *db);

G_END_DECLS
