/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_LIST (lean_spec_list_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecList, lean_spec_list, LEAN, SPEC_LIST, GtkWidget)

/* The left pane: counts per status (toggle buttons that filter), a search
 * entry, a filter and sort menu, and a GtkListView over the store through a
 * GtkFilterListModel and a GtkSortListModel.
 *
 * Properties:
 *   "store"          LeanSpecStore, the specs shown
 *   "selected-spec"  LeanSpec, the selected row's spec (NULL for none)
 *   "sort-by"        "number", "priority" or "updated"
 *   "priority-filter" "" (any) or a priority name ("high", ...)
 *   "tag-filter"     "" (any) or a tag
 * Signals:
 *   "spec-activated" (LeanSpec *spec): Enter or double click on a row.
 *
 * Actions (for its menus and the window's shortcuts): specs.sort-by(s),
 * specs.priority-filter(s), specs.tag-filter(s), specs.toggle-status(i),
 * specs.clear-filters. */
GtkWidget     *lean_spec_list_new               (void);
void           lean_spec_list_set_store         (LeanSpecList   *self,
                                                 LeanSpecStore  *store);
LeanSpecStore *lean_spec_list_get_store         (LeanSpecList   *self);
LeanSpec      *lean_spec_list_get_selected_spec (LeanSpecList   *self);
/* Selects the spec with @id, clearing filters that hide it, and scrolls to
 * it. FALSE when the store has no such spec. */
gboolean       lean_spec_list_select_id         (LeanSpecList   *self,
                                                 const char     *id);
void           lean_spec_list_focus_search      (LeanSpecList   *self);
void           lean_spec_list_focus_list        (LeanSpecList   *self);
void           lean_spec_list_set_search_text   (LeanSpecList   *self,
                                                 const char     *text);
/* Status filter: none set shows every status. */
void           lean_spec_list_toggle_status     (LeanSpecList   *self,
                                                 LeanSpecStatus  status);
gboolean       lean_spec_list_get_status_shown  (LeanSpecList   *self,
                                                 LeanSpecStatus  status);
void           lean_spec_list_clear_filters     (LeanSpecList   *self);
/* Specs per status over the whole project (not only the visible rows). */
guint          lean_spec_list_get_status_count  (LeanSpecList   *self,
                                                 LeanSpecStatus  status);
/* The rows as shown: filtered and sorted LeanSpec items. */
GListModel    *lean_spec_list_get_model         (LeanSpecList   *self);

G_END_DECLS
