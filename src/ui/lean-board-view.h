/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_BOARD_VIEW (lean_board_view_get_type ())
G_DECLARE_FINAL_TYPE (LeanBoardView, lean_board_view, LEAN, BOARD_VIEW, GtkWidget)

/* The specs of a project in columns by status, as LeanSpec's board: Draft
 * (when there are drafts), Planned, In Progress, Complete and, when asked,
 * Archived. A card carries the number, title, priority, token count and
 * check mark. Dragging a card to another column, or Ctrl+Shift+Left/Right
 * on a focused card, changes the spec's status through
 * lean_spec_store_edit_async() (into Complete with Mark Complete's rules),
 * with Undo in a toast. Columns are live filters of the store and list
 * views, so only the cards on screen are widgets; nothing is built until
 * the board is first shown.
 *
 * Signals: "open-spec" (const char *id) when a card is activated;
 * "spec-completed" (LeanSpec *written) when a card dropped into Complete was
 * written, as after Mark Complete. */
GtkWidget     *lean_board_view_new               (void);
void           lean_board_view_set_store         (LeanBoardView *self,
                                                  LeanSpecStore *store);
void           lean_board_view_set_show_archived (LeanBoardView *self,
                                                  gboolean       show);
gboolean       lean_board_view_get_show_archived (LeanBoardView *self);

/* For the UI tests: the column of @status (its list view), and the card
 * widget of the spec @id when it is on screen. */
GtkWidget     *_lean_board_view_get_column       (LeanBoardView *self,
                                                  LeanSpecStatus status);
GtkWidget     *_lean_board_view_find_card        (LeanBoardView *self,
                                                  const char    *id);
guint          _lean_board_view_get_pending      (LeanBoardView *self);
/* TRUE while the columns still fill in after the first frame. */
gboolean       _lean_board_view_is_filling       (LeanBoardView *self);

G_END_DECLS
