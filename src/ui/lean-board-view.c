/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-board-view.h"
#include "lean-error.h"
#include "lean-spec-row.h"

/* The columns are built in code: which ones exist follows the statuses,
 * and each is the same few widgets around a list view. */

#define COLUMN_WIDTH 280
/* Pixels the pointer moves before a press on a card becomes a drag, as
 * GTK's own drag threshold. */
#define DRAG_THRESHOLD 8

static const LeanSpecStatus column_statuses[] = {
  LEAN_SPEC_STATUS_DRAFT,
  LEAN_SPEC_STATUS_PLANNED,
  LEAN_SPEC_STATUS_IN_PROGRESS,
  LEAN_SPEC_STATUS_COMPLETE,
  LEAN_SPEC_STATUS_ARCHIVED,
};
#define N_COLUMNS G_N_ELEMENTS (column_statuses)

typedef struct
{
  LeanSpecStatus      status;
  GtkWidget          *box;
  GtkLabel           *count;
  GtkFilterListModel *model;
  GtkSliceListModel  *slice;   /* what the list shows of @model while it fills */
  GtkListView        *list;
} Column;

/* A GTK 4.8 list view makes a widget for up to 200 items around the
 * visible ones, so five columns of a large project would build a thousand
 * cards before the board's first frame. Each column shows the first
 * FIRST_CARDS (a screenful) at once; then, a frame at a time, one column
 * gets MORE_CARDS more, until FULL_CARDS, past which its list makes no
 * more widgets and the whole column is let through. */
#define FIRST_CARDS 16
#define MORE_CARDS 16
#define FULL_CARDS 240

struct _LeanBoardView
{
  GtkWidget      parent_instance;

  LeanSpecStore *store;
  gboolean       show_archived;
  gboolean       built;
  guint          pending;
  guint          fill_id;      /* tick callback growing the columns' slices */

  GtkWidget     *scroller;
  GtkWidget     *columns_box;
  Column         columns[N_COLUMNS];

  /* A drag in progress: the spec pressed on and the column under the
   * pointer. */
  LeanSpec      *drag_spec;
  GtkWidget     *drag_card;
  gboolean       dragging;
  double         drag_x;
  double         drag_y;
  Column        *drop_column;
};

G_DEFINE_FINAL_TYPE (LeanBoardView, lean_board_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_ARCHIVED,
  N_PROPS
};

enum {
  OPEN_SPEC,
  SPEC_COMPLETED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Cards                                                               */

/* A card is the spec list's row (drawn with Pango, one child widget) in a
 * framed box: a column of label widgets per card cost seconds to build
 * for the ~200 cards a list view keeps alive. */
static void
setup_card (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *row = lean_spec_row_new ();

  gtk_widget_add_css_class (card, "board-card");
  gtk_widget_set_hexpand (row, TRUE);
  gtk_box_append (GTK_BOX (card), row);
  gtk_list_item_set_child (item, card);
}

static void
bind_card (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  LeanSpec *spec = gtk_list_item_get_item (item);
  GtkWidget *card = gtk_list_item_get_child (item);

  lean_spec_row_set_spec (LEAN_SPEC_ROW (gtk_widget_get_first_child (card)), spec);
  g_object_set_data_full (G_OBJECT (card), "lean-spec", g_object_ref (spec), g_object_unref);
}

static void
unbind_card (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  GtkWidget *card = gtk_list_item_get_child (item);

  g_object_set_data (G_OBJECT (card), "lean-spec", NULL);
}

/* The card a widget belongs to: itself, its list row's child, or an
 * ancestor. */
static GtkWidget *
card_of (GtkWidget *widget)
{
  GtkWidget *child;

  if (widget == NULL)
    return NULL;
  child = gtk_widget_get_first_child (widget);
  if (child != NULL && g_object_get_data (G_OBJECT (child), "lean-spec") != NULL)
    return child;
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (g_object_get_data (G_OBJECT (widget), "lean-spec") != NULL)
      return widget;
  return NULL;
}

static Column *
column_of (LeanBoardView *self,
           GtkWidget     *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    for (guint i = 0; i < N_COLUMNS; i++)
      if (self->columns[i].box == widget)
        return &self->columns[i];
  return NULL;
}

static Column *
column_for_status (LeanBoardView  *self,
                   LeanSpecStatus  status)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    if (self->columns[i].status == status)
      return &self->columns[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Moving a card                                                       */

typedef struct
{
  LeanBoardView  *self;
  LeanSpec       *spec;
  LeanSpecStatus  status;
  gboolean        restore;
} MoveCall;

static void
move_call_free (MoveCall *call)
{
  g_object_unref (call->self);
  g_object_unref (call->spec);
  g_free (call);
}

static void start_edit (LeanBoardView  *self,
                        LeanSpec       *spec,
                        LeanSpecEdit   *edit,
                        LeanSpecStatus  status);

static void
add_toast (LeanBoardView *self,
           AdwToast      *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
on_undo_clicked (AdwToast      *toast,
                 LeanBoardView *self)
{
  LeanSpecEdit *undo = g_object_get_data (G_OBJECT (toast), "lean-undo");

  start_edit (self, lean_spec_edit_get_expected (undo), lean_spec_edit_ref (undo),
              LEAN_SPEC_STATUS_NONE);
}

static void
on_complete_response (AdwMessageDialog *dialog,
                      const char       *response,
                      LeanBoardView    *self)
{
  LeanSpec *spec = g_object_get_data (G_OBJECT (dialog), "lean-spec");

  if (g_strcmp0 (response, "force") == 0 && spec != NULL)
    start_edit (self, spec, lean_spec_edit_new_complete (TRUE), LEAN_SPEC_STATUS_COMPLETE);
}

/* Mark Complete's refusal (open checklist items or children) asks, as the
 * spec view does, before completing anyway. */
static void
ask_complete_anyway (LeanBoardView *self,
                     LeanSpec      *spec,
                     const GError  *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = g_strdup_printf (_("Complete “%s”?"), lean_spec_get_title (spec));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, error->message);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "force", _("Complete _Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "force",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "lean-spec", g_object_ref (spec), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_complete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MoveCall *call = user_data;
  LeanBoardView *self = call->self;
  g_autoptr(LeanSpecEdit) undo = NULL;
  g_autoptr(LeanSpec) written = NULL;
  g_autoptr(GError) error = NULL;

  written = lean_spec_store_edit_finish (LEAN_SPEC_STORE (source), result, &undo, &error);
  self->pending--;

  if (written == NULL)
    {
      if (call->status == LEAN_SPEC_STATUS_COMPLETE &&
          g_error_matches (error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE))
        ask_complete_anyway (self, call->spec, error);
      else
        {
          g_autofree char *title = g_markup_printf_escaped (_("Could not move the spec: %s"),
                                                            error->message);
          AdwToast *toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 8);
          add_toast (self, toast);
        }
    }
  else if (call->restore)
    add_toast (self, adw_toast_new (_("Change undone")));
  else if (undo != NULL)
    {
      g_autofree char *title = NULL;
      AdwToast *toast;

      /* Translators: after a card was dragged to a column, "Moved 042 to
       * In Progress". */
      title = g_markup_printf_escaped (_("Moved %03u to %s"), lean_spec_get_number (written),
                                       lean_spec_status_get_label (call->status));
      toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_object_set_data_full (G_OBJECT (toast), "lean-undo", g_steal_pointer (&undo),
                              (GDestroyNotify) lean_spec_edit_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
      add_toast (self, toast);
      /* Into Complete is Mark Complete: its summary and next steps too. */
      if (call->status == LEAN_SPEC_STATUS_COMPLETE)
        g_signal_emit (self, signals[SPEC_COMPLETED], 0, written);
    }
  move_call_free (call);
}

/* Takes @edit. @status is the column the card goes to (NONE for Undo). */
static void
start_edit (LeanBoardView  *self,
            LeanSpec       *spec,
            LeanSpecEdit   *edit,
            LeanSpecStatus  status)
{
  MoveCall *call;

  if (self->store == NULL)
    {
      lean_spec_edit_unref (edit);
      return;
    }
  call = g_new0 (MoveCall, 1);
  call->self = g_object_ref (self);
  call->spec = g_object_ref (spec);
  call->status = status;
  call->restore = lean_spec_edit_get_kind (edit) == LEAN_SPEC_EDIT_RESTORE;
  self->pending++;
  lean_spec_store_edit_async (self->store, spec, edit, NULL, edit_done, call);
  lean_spec_edit_unref (edit);
}

static void
move_spec (LeanBoardView  *self,
           LeanSpec       *spec,
           LeanSpecStatus  status)
{
  if (lean_spec_get_status (spec) == status)
    return;
  /* Into Complete is Mark Complete: its checks, completed_at and Undo. */
  if (status == LEAN_SPEC_STATUS_COMPLETE)
    start_edit (self, spec, lean_spec_edit_new_complete (FALSE), status);
  else
    start_edit (self, spec, lean_spec_edit_new_status (status), status);
}

/* ------------------------------------------------------------------ */
/* Dragging                                                            */

static void
set_drop_column (LeanBoardView *self,
                 Column        *column)
{
  if (self->drop_column == column)
    return;
  if (self->drop_column != NULL)
    gtk_widget_remove_css_class (self->drop_column->box, "drop-target");
  self->drop_column = column;
  if (column != NULL)
    gtk_widget_add_css_class (column->box, "drop-target");
}

static void
end_drag (LeanBoardView *self)
{
  set_drop_column (self, NULL);
  if (self->drag_card != NULL)
    gtk_widget_remove_css_class (self->drag_card, "dragging");
  g_clear_object (&self->drag_card);
  g_clear_object (&self->drag_spec);
  self->dragging = FALSE;
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               LeanBoardView  *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  GtkWidget *card = card_of (picked);

  end_drag (self);
  if (card == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_card = g_object_ref (card);
  self->drag_spec = g_object_ref (g_object_get_data (G_OBJECT (card), "lean-spec"));
  self->drag_x = x;
  self->drag_y = y;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                LeanBoardView  *self)
{
  GtkWidget *picked;

  if (self->drag_spec == NULL)
    return;
  if (!self->dragging)
    {
      if (dx * dx + dy * dy < DRAG_THRESHOLD * DRAG_THRESHOLD)
        return;
      /* From here the press is a drag, not a click on the card. */
      self->dragging = TRUE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      gtk_widget_add_css_class (self->drag_card, "dragging");
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }
  picked = gtk_widget_pick (GTK_WIDGET (self), self->drag_x + dx, self->drag_y + dy,
                            GTK_PICK_DEFAULT);
  set_drop_column (self, column_of (self, picked));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             LeanBoardView  *self)
{
  Column *target = self->drop_column;
  g_autoptr(LeanSpec) spec = self->drag_spec != NULL ? g_object_ref (self->drag_spec) : NULL;
  gboolean dragging = self->dragging;

  end_drag (self);
  if (dragging && spec != NULL && target != NULL)
    move_spec (self, spec, target->status);
}

static void
on_drag_cancel (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                LeanBoardView    *self)
{
  end_drag (self);
}

/* Ctrl+Shift+Left/Right: the keyboard's way to drag the focused card one
 * column over. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                LeanBoardView         *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *card;
  Column *column;
  LeanSpec *spec;
  int step;
  int index = -1;

  if ((state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK | GDK_ALT_MASK)) != (GDK_CONTROL_MASK | GDK_SHIFT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
    step = -1;
  else if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
    step = 1;
  else
    return FALSE;

  card = card_of (focus);
  spec = card != NULL ? g_object_get_data (G_OBJECT (card), "lean-spec") : NULL;
  column = card != NULL ? column_of (self, card) : NULL;
  if (spec == NULL || column == NULL)
    return FALSE;

  /* The next column shown in that direction. */
  for (guint i = 0; i < N_COLUMNS; i++)
    if (&self->columns[i] == column)
      index = i;
  for (index += step; index >= 0 && index < (int) N_COLUMNS; index += step)
    if (gtk_widget_get_visible (self->columns[index].box))
      break;
  if (index < 0 || index >= (int) N_COLUMNS)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return TRUE;
    }
  move_spec (self, spec, self->columns[index].status);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Columns                                                             */

static gboolean
filter_status (gpointer item,
               gpointer user_data)
{
  return lean_spec_get_status (item) == (LeanSpecStatus) GPOINTER_TO_INT (user_data);
}

static void
on_activate (GtkListView   *list,
             guint          position,
             LeanBoardView *self)
{
  g_autoptr(LeanSpec) spec = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (list)),
                                                    position);

  if (spec != NULL)
    g_signal_emit (self, signals[OPEN_SPEC], 0, lean_spec_get_id (spec));
}

static void
update_columns (LeanBoardView *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];
      guint n = column->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (column->model)) : 0;
      g_autofree char *count = g_strdup_printf ("%u", n);
      gboolean visible;

      gtk_label_set_label (column->count, count);
      /* Drafts are rare: their column shows only when there are some. */
      if (column->status == LEAN_SPEC_STATUS_DRAFT)
        visible = n > 0;
      else if (column->status == LEAN_SPEC_STATUS_ARCHIVED)
        visible = self->show_archived;
      else
        visible = TRUE;
      gtk_widget_set_visible (column->box, visible);
    }
}

static void
build_columns (LeanBoardView *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];
      GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *dot = gtk_label_new ("●");
      GtkWidget *title = gtk_label_new (lean_spec_status_get_label (column_statuses[i]));
      GtkWidget *count = gtk_label_new ("0");
      GtkWidget *scroller = gtk_scrolled_window_new ();
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkWidget *list;

      column->status = column_statuses[i];
      column->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      gtk_widget_add_css_class (column->box, "board-column");
      gtk_widget_add_css_class (column->box, lean_spec_row_status_css_class (column->status));
      gtk_widget_set_size_request (column->box, COLUMN_WIDTH, -1);
      gtk_widget_set_hexpand (column->box, TRUE);

      gtk_widget_add_css_class (dot, "status-dot");
      gtk_widget_add_css_class (dot, lean_spec_row_status_css_class (column->status));
      gtk_widget_add_css_class (title, "heading");
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_box_append (GTK_BOX (header), dot);
      gtk_box_append (GTK_BOX (header), title);
      gtk_box_append (GTK_BOX (header), count);
      gtk_widget_add_css_class (header, "board-column-header");
      column->count = GTK_LABEL (count);

      g_signal_connect (factory, "setup", G_CALLBACK (setup_card), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_card), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_card), self);
      list = gtk_list_view_new (NULL, factory);
      gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (list), TRUE);
      gtk_widget_add_css_class (list, "board-list");
      gtk_widget_add_css_class (list, "navigation-sidebar");
      g_signal_connect_object (list, "activate", G_CALLBACK (on_activate), self, 0);
      column->list = GTK_LIST_VIEW (list);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                      GTK_POLICY_AUTOMATIC);
      gtk_widget_set_vexpand (scroller, TRUE);

      gtk_box_append (GTK_BOX (column->box), header);
      gtk_box_append (GTK_BOX (column->box), scroller);
      gtk_box_append (GTK_BOX (self->columns_box), column->box);
    }
}

static gboolean
fill_columns (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  LeanBoardView *self = LEAN_BOARD_VIEW (widget);
  Column *shortest = NULL;

  /* One column a frame, the one showing the fewest cards: a frame's new
   * cards stay few enough to keep the frame rate. */
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];

      if (column->slice == NULL || gtk_slice_list_model_get_size (column->slice) == G_MAXUINT)
        continue;
      if (shortest == NULL ||
          gtk_slice_list_model_get_size (column->slice) < gtk_slice_list_model_get_size (shortest->slice))
        shortest = column;
    }
  if (shortest == NULL)
    {
      self->fill_id = 0;
      return G_SOURCE_REMOVE;
    }
  {
    guint size = gtk_slice_list_model_get_size (shortest->slice) + MORE_CARDS;

    if (size >= FULL_CARDS || size >= g_list_model_get_n_items (G_LIST_MODEL (shortest->model)))
      size = G_MAXUINT;
    gtk_slice_list_model_set_size (shortest->slice, size);
  }
  return G_SOURCE_CONTINUE;
}

static void
stop_filling (LeanBoardView *self)
{
  if (self->fill_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->fill_id);
  self->fill_id = 0;
}

/* The filters run once over the store here and then follow its
 * items-changed; nothing happens before the board is first shown. */
static void
attach_store (LeanBoardView *self)
{
  if (!self->built || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];
      GListModel *current = column->model != NULL ? gtk_filter_list_model_get_model (column->model) : NULL;
      GtkSelectionModel *selection;
      GtkCustomFilter *filter;

      if (current == G_LIST_MODEL (self->store) && column->model != NULL)
        continue;
      if (column->model != NULL)
        {
          g_signal_handlers_disconnect_by_func (column->model, update_columns, self);
          g_clear_object (&column->model);
        }
      g_clear_object (&column->slice);
      if (self->store == NULL)
        {
          gtk_list_view_set_model (column->list, NULL);
          continue;
        }
      filter = gtk_custom_filter_new (filter_status, GINT_TO_POINTER (column->status), NULL);
      column->model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                                 GTK_FILTER (filter));
      g_signal_connect_object (column->model, "items-changed", G_CALLBACK (update_columns),
                               self, G_CONNECT_SWAPPED);
      column->slice = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (column->model)), 0,
                                                FIRST_CARDS);
      selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (column->slice))));
      gtk_list_view_set_model (column->list, selection);
      g_object_unref (selection);
      if (self->fill_id == 0)
        self->fill_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fill_columns, NULL, NULL);
    }
  update_columns (self);
}

static void
lean_board_view_map (GtkWidget *widget)
{
  LeanBoardView *self = LEAN_BOARD_VIEW (widget);

  if (!self->built)
    {
      build_columns (self);
      self->built = TRUE;
    }
  GTK_WIDGET_CLASS (lean_board_view_parent_class)->map (widget);
  attach_store (self);
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

GtkWidget *
lean_board_view_new (void)
{
  return g_object_new (LEAN_TYPE_BOARD_VIEW, NULL);
}

void
lean_board_view_set_store (LeanBoardView *self,
                           LeanSpecStore *store)
{
  g_return_if_fail (LEAN_IS_BOARD_VIEW (self));

  if (!g_set_object (&self->store, store))
    return;
  end_drag (self);
  if (store == NULL)
    for (guint i = 0; i < N_COLUMNS && self->built; i++)
      {
        gtk_list_view_set_model (self->columns[i].list, NULL);
        if (self->columns[i].model != NULL)
          g_signal_handlers_disconnect_by_func (self->columns[i].model, update_columns, self);
        g_clear_object (&self->columns[i].model);
        g_clear_object (&self->columns[i].slice);
      }
  attach_store (self);
}

void
lean_board_view_set_show_archived (LeanBoardView *self,
                                   gboolean       show)
{
  g_return_if_fail (LEAN_IS_BOARD_VIEW (self));

  show = !!show;
  if (self->show_archived == show)
    return;
  self->show_archived = show;
  if (self->built)
    update_columns (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_ARCHIVED]);
}

gboolean
lean_board_view_get_show_archived (LeanBoardView *self)
{
  g_return_val_if_fail (LEAN_IS_BOARD_VIEW (self), FALSE);
  return self->show_archived;
}

GtkWidget *
_lean_board_view_get_column (LeanBoardView  *self,
                             LeanSpecStatus  status)
{
  Column *column = column_for_status (self, status);

  return column != NULL && column->list != NULL ? GTK_WIDGET (column->list) : NULL;
}

static GtkWidget *
find_card_under (GtkWidget  *widget,
                 const char *id)
{
  LeanSpec *spec = g_object_get_data (G_OBJECT (widget), "lean-spec");

  if (spec != NULL && gtk_widget_get_mapped (widget) && g_str_equal (lean_spec_get_id (spec), id))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_card_under (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
_lean_board_view_find_card (LeanBoardView *self,
                            const char    *id)
{
  return find_card_under (GTK_WIDGET (self), id);
}

gboolean
_lean_board_view_is_filling (LeanBoardView *self)
{
  return self->fill_id != 0;
}

guint
_lean_board_view_get_pending (LeanBoardView *self)
{
  return self->pending;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
lean_board_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LeanBoardView *self = LEAN_BOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_ARCHIVED:
      g_value_set_boolean (value, self->show_archived);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_board_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LeanBoardView *self = LEAN_BOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_ARCHIVED:
      lean_board_view_set_show_archived (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_board_view_dispose (GObject *object)
{
  LeanBoardView *self = LEAN_BOARD_VIEW (object);

  end_drag (self);
  stop_filling (self);
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      if (self->columns[i].model != NULL)
        g_signal_handlers_disconnect_by_func (self->columns[i].model, update_columns, self);
      g_clear_object (&self->columns[i].model);
      g_clear_object (&self->columns[i].slice);
    }
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (lean_board_view_parent_class)->dispose (object);
}

static void
lean_board_view_class_init (LeanBoardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_board_view_dispose;
  object_class->get_property = lean_board_view_get_property;
  object_class->set_property = lean_board_view_set_property;
  widget_class->map = lean_board_view_map;

  properties[PROP_SHOW_ARCHIVED] =
    g_param_spec_boolean ("show-archived", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN_SPEC] =
    g_signal_new ("open-spec", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (LeanSpec *written): a card was dropped into Complete and written. */
  signals[SPEC_COMPLETED] =
    g_signal_new ("spec-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SPEC);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "board");
}

static void
lean_board_view_init (LeanBoardView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_NEVER);
  self->columns_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->columns_box, "board-columns");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->columns_box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  /* Capture phase: the board sees a press before the card's list does,
   * and takes it only once it has moved far enough to be a drag. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}
