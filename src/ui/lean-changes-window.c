/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include <stdlib.h>
#include <string.h>

#include <gtksourceview/gtksource.h>

#include "lean-changes-window.h"
#include "lean-diff-pane.h"
#include "lean-session-followup.h"
#include "lean-session-review.h"

/* How often the change is read again while the agent works. */
#define REFRESH_SECONDS 2

struct _LeanChangesWindow
{
  AdwWindow       parent_instance;

  LeanController *controller;   /* NULL: no follow-ups */
  LeanSessionDb  *db;
  LeanSession    *session;
  GCancellable   *cancellable;
  LeanGitChange  *change;
  char           *selected;     /* path of the file shown */
  char           *comment_path; /* the line a comment is being written for */
  guint           comment_line;
  int             editing;      /* index of the comment being edited, or -1 */
  GPtrArray      *comments;     /* LeanReviewComment */
  guint           refresh_id;
  gboolean        loading;
  gboolean        busy;         /* a landing or follow-up is under way */

  GtkWidget      *toasts;
  GtkWidget      *title;
  GtkWidget      *file_list;
  GtkWidget      *summary;
  GtkWidget      *diff_title;
  GtkWidget      *diff_pane;    /* LeanDiffPane */
  GtkWidget      *message_entry;
  GtkWidget      *squash_check;
  GtkWidget      *commit_button;
  GtkWidget      *merge_button;
  GtkWidget      *discard_button;
  GtkWidget      *comment_revealer;
  GtkWidget      *comment_label;
  GtkWidget      *comment_entry;
  GtkWidget      *comments_label;
  GtkWidget      *comment_list;
  GtkWidget      *comment_list_revealer;
  GtkWidget      *feedback_entry;
  GtkWidget      *send_button;
};

G_DEFINE_FINAL_TYPE (LeanChangesWindow, lean_changes_window, ADW_TYPE_WINDOW)

static void load_change (LeanChangesWindow *self);
static void load_patch (LeanChangesWindow *self);
static void show_comment_bar (LeanChangesWindow *self,
                              const char        *path,
                              guint              line,
                              const char        *text);

static void
toast (LeanChangesWindow *self,
       const char        *text)
{
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toasts), adw_toast_new (text));
}

static void
set_busy (LeanChangesWindow *self,
          gboolean           busy)
{
  gboolean final = lean_session_state_is_final (lean_session_get_state (self->session));
  gboolean worktree = lean_session_get_worktree_path (self->session) != NULL;

  self->busy = busy;
  gtk_widget_set_sensitive (self->commit_button, !busy && final);
  gtk_widget_set_sensitive (self->merge_button, !busy && final && worktree);
  gtk_widget_set_sensitive (self->discard_button, !busy && final && worktree);
  gtk_widget_set_sensitive (self->send_button, !busy && final && self->controller != NULL);
}

/* ---- the file list ---- */

/* What a file's row shows, to tell whether a refresh must redraw it. */
static char *
file_row_shows (LeanGitFileChange *file)
{
  return g_strdup_printf ("%c %u %u %d %d", (char)file->status, file->added, file->removed,
                          file->binary, file->too_large);
}

static GtkWidget *
file_row (LeanGitFileChange *file)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  char status[2] = { (char)file->status, '\0' };
  GtkWidget *badge = gtk_label_new (status);
  g_autofree char *base = g_path_get_basename (file->path);
  g_autofree char *dir = g_path_get_dirname (file->path);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (base);
  GtkWidget *counts;
  g_autofree char *count_text = NULL;

  gtk_widget_add_css_class (badge, "change-status");
  gtk_widget_add_css_class (badge, file->status == 'A' ? "success"
                                   : file->status == 'D' ? "error" : "accent");
  gtk_widget_add_css_class (badge, "monospace");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (names), name);
  if (!g_str_equal (dir, "."))
    {
      GtkWidget *folder = gtk_label_new (dir);

      gtk_label_set_xalign (GTK_LABEL (folder), 0);
      gtk_label_set_ellipsize (GTK_LABEL (folder), PANGO_ELLIPSIZE_START);
      gtk_widget_add_css_class (folder, "caption");
      gtk_widget_add_css_class (folder, "dim-label");
      gtk_box_append (GTK_BOX (names), folder);
    }
  gtk_widget_set_hexpand (names, TRUE);

  if (file->binary)
    count_text = g_strdup (_("binary"));
  else if (file->too_large)
    count_text = g_strdup (_("too large"));
  else
    count_text = g_strdup_printf ("+%u −%u", file->added, file->removed);
  counts = gtk_label_new (count_text);
  gtk_widget_add_css_class (counts, "numeric");
  gtk_widget_add_css_class (counts, "caption");

  gtk_box_append (GTK_BOX (box), badge);
  gtk_box_append (GTK_BOX (box), names);
  gtk_box_append (GTK_BOX (box), counts);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, file->path);
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (file->path), g_free);
  g_object_set_data_full (G_OBJECT (row), "shows", file_row_shows (file), g_free);
  return row;
}

/* Updates the file list in place: rows whose file shows the same stay
 * (with the selection, the focus and the scroll), changed ones are
 * replaced, new files come in at their place, gone ones go. A refresh
 * comes every few seconds while the person reads and writes. */
static void
show_change (LeanChangesWindow *self)
{
  GtkListBox *list = GTK_LIST_BOX (self->file_list);
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GtkListBoxRow *selected_row = gtk_list_box_get_selected_row (list);
  GtkListBoxRow *select = NULL;
  GtkWidget *child;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < self->change->files->len; i++)
    g_hash_table_add (wanted, ((LeanGitFileChange *) g_ptr_array_index (self->change->files, i))->path);
  /* Files no longer changed (reverted, or the session's change landed)
   * go first, so the rows that stay are at their new places. */
  child = gtk_widget_get_first_child (self->file_list);
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);
      const char *path = g_object_get_data (G_OBJECT (child), "path");

      if (path == NULL || !g_hash_table_contains (wanted, path))
        {
          if (child == (GtkWidget *)selected_row)
            selected_row = NULL;
          gtk_list_box_remove (list, child);
        }
      else
        g_hash_table_insert (rows, (gpointer)path, child);
      child = next;
    }

  for (guint i = 0; i < self->change->files->len; i++)
    {
      LeanGitFileChange *file = g_ptr_array_index (self->change->files, i);
      GtkWidget *row = g_hash_table_lookup (rows, file->path);
      g_autofree char *shows = file_row_shows (file);

      if (row != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (row), "shows"), shows) == 0 &&
          gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) == (int)i)
        continue;
      if (row != NULL)
        {
          if (row == (GtkWidget *)selected_row)
            selected_row = NULL;
          gtk_list_box_remove (list, row);
        }
      row = file_row (file);
      gtk_list_box_insert (list, row, (int)i);
      if (selected_row == NULL && g_strcmp0 (file->path, self->selected) == 0)
        select = GTK_LIST_BOX_ROW (row);
    }
  /* A row moved down by one replaced before it is left over at the end. */
  while ((child = GTK_WIDGET (gtk_list_box_get_row_at_index (list, (int)self->change->files->len))) != NULL)
    {
      if (child == (GtkWidget *)selected_row)
        selected_row = NULL;
      gtk_list_box_remove (list, child);
    }

  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file changed, +%u −%u",
                                          "%u files changed, +%u −%u",
                                          self->change->files->len),
                             self->change->files->len, self->change->added,
                             self->change->removed);
  gtk_label_set_text (GTK_LABEL (self->summary), self->change->files->len > 0
                                                 ? summary : _("No changes yet"));
  if (selected_row != NULL)
    {
      /* The row stayed: its file may still have changed in ways the
       * counts do not show; the patch read again tells. */
      load_patch (self);
      return;
    }
  if (select == NULL && self->change->files->len > 0)
    select = gtk_list_box_get_row_at_index (list, 0);
  if (select != NULL)
    gtk_list_box_select_row (list, select);
  else if (self->change->files->len == 0)
    {
      g_clear_pointer (&self->selected, g_free);
      lean_diff_pane_clear (LEAN_DIFF_PANE (self->diff_pane));
      gtk_label_set_text (GTK_LABEL (self->diff_title), "");
    }
}

static void
on_change_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LeanChangesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  LeanGitChange *change = lean_session_review_finish (result, &error);

  self->loading = FALSE;
  if (change == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (GTK_LABEL (self->summary), error->message);
      return;
    }
  g_clear_pointer (&self->change, lean_git_change_free);
  self->change = change;
  show_change (self);
}

static void
load_change (LeanChangesWindow *self)
{
  if (self->loading)
    return;
  self->loading = TRUE;
  lean_session_review_async (self->db, self->session, self->cancellable, on_change_loaded,
                             g_object_ref (self));
}

static gboolean
on_refresh (gpointer data)
{
  LeanChangesWindow *self = data;

  if (lean_session_state_is_final (lean_session_get_state (self->session)))
    {
      self->refresh_id = 0;
      load_change (self);
      set_busy (self, self->busy);
      return G_SOURCE_REMOVE;
    }
  load_change (self);
  return G_SOURCE_CONTINUE;
}

static void
watch_session (LeanChangesWindow *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (!lean_session_state_is_final (lean_session_get_state (self->session)))
    self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, on_refresh, self);
}

typedef struct
{
  LeanChangesWindow *self;
  char              *path;
} PatchLoad;

static void
on_patch_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PatchLoad *load = user_data;
  g_autoptr(LeanChangesWindow) self = load->self;
  g_autofree char *path = load->path;
  g_autoptr(GError) error = NULL;
  gboolean binary = FALSE, too_large = FALSE;
  g_autofree char *patch = lean_session_file_patch_finish (result, &binary, &too_large, &error);
  const char *note = NULL;

  g_free (load);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Another file was picked meanwhile: its own diff is on its way. */
  if (g_strcmp0 (path, self->selected) != 0)
    return;
  if (error != NULL)
    note = error->message;
  else if (binary)
    note = _("Binary file: not shown");
  else if (too_large)
    note = _("Too large to show");
  if (note != NULL)
    lean_diff_pane_show_note (LEAN_DIFF_PANE (self->diff_pane), path, note);
  else
    lean_diff_pane_show (LEAN_DIFF_PANE (self->diff_pane), path, patch);
}

static void
load_patch (LeanChangesWindow *self)
{
  PatchLoad *load;

  if (self->selected == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (self->diff_title), self->selected);
  load = g_new0 (PatchLoad, 1);
  load->self = g_object_ref (self);
  load->path = g_strdup (self->selected);
  lean_session_file_patch_async (self->db, self->session, self->selected, self->cancellable,
                                 on_patch_loaded, load);
}

static void
on_row_selected (GtkListBox        *list,
                 GtkListBoxRow     *row,
                 LeanChangesWindow *self)
{
  const char *path = row != NULL ? g_object_get_data (G_OBJECT (row), "path") : NULL;

  if (path == NULL)
    return;
  g_free (self->selected);
  self->selected = g_strdup (path);
  load_patch (self);
}

/* ---- comments and feedback ---- */

static void on_edit_comment (GtkButton *button, LeanChangesWindow *self);
static void on_remove_comment (GtkButton *button, LeanChangesWindow *self);

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip,
             guint       index)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "comment-index", GUINT_TO_POINTER (index));
  return button;
}

/* One row per comment: where, what, and buttons to edit or remove it. */
static void
update_comments (LeanChangesWindow *self)
{
  GtkWidget *child;
  g_autofree char *text = NULL;

  while ((child = gtk_widget_get_first_child (self->comment_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->comment_list), child);
  for (guint i = 0; i < self->comments->len; i++)
    {
      LeanReviewComment *comment = g_ptr_array_index (self->comments, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      g_autofree char *where = g_strdup_printf ("%s:%u", comment->path, comment->line);
      GtkWidget *where_label = gtk_label_new (where);
      GtkWidget *text_label = gtk_label_new (comment->text);
      GtkWidget *edit = icon_button ("document-edit-symbolic", _("Edit this comment"), i);
      GtkWidget *remove = icon_button ("user-trash-symbolic", _("Remove this comment"), i);

      gtk_widget_add_css_class (where_label, "monospace");
      gtk_widget_add_css_class (where_label, "dim-label");
      gtk_label_set_ellipsize (GTK_LABEL (where_label), PANGO_ELLIPSIZE_START);
      gtk_label_set_max_width_chars (GTK_LABEL (where_label), 30);
      gtk_label_set_xalign (GTK_LABEL (text_label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (text_label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (text_label, TRUE);
      gtk_box_append (GTK_BOX (box), where_label);
      gtk_box_append (GTK_BOX (box), text_label);
      gtk_box_append (GTK_BOX (box), edit);
      gtk_box_append (GTK_BOX (box), remove);
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 6);
      g_signal_connect (edit, "clicked", G_CALLBACK (on_edit_comment), self);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_comment), self);
      gtk_list_box_append (GTK_LIST_BOX (self->comment_list), box);
    }
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->comment_list_revealer),
                                 self->comments->len > 0);

  if (self->comments->len == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->comments_label), _("Click a line to comment"));
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u comment", "%u comments",
                                       self->comments->len), self->comments->len);
  gtk_label_set_text (GTK_LABEL (self->comments_label), text);
}

static void
show_comment_bar (LeanChangesWindow *self,
                  const char        *path,
                  guint              line,
                  const char        *text)
{
  g_autofree char *title = g_strdup_printf (_("Comment on %s:%u"), path, line);

  if (path != self->comment_path)
    {
      g_free (self->comment_path);
      self->comment_path = g_strdup (path);
    }
  self->comment_line = line;
  gtk_label_set_text (GTK_LABEL (self->comment_label), title);
  gtk_editable_set_text (GTK_EDITABLE (self->comment_entry), text);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->comment_revealer), TRUE);
  gtk_widget_grab_focus (self->comment_entry);
  /* The caret at the end, to go on writing: focus selects all otherwise. */
  gtk_editable_set_position (GTK_EDITABLE (self->comment_entry), -1);
}

/* A line of the diff clicked: a new comment on it. */
static void
on_line_clicked (LeanDiffPane      *pane,
                 const char        *path,
                 guint              line,
                 LeanChangesWindow *self)
{
  self->editing = -1;
  show_comment_bar (self, path, line, "");
}

static void
on_edit_comment (GtkButton         *button,
                 LeanChangesWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "comment-index"));
  LeanReviewComment *comment;

  if (index >= self->comments->len)
    return;
  comment = g_ptr_array_index (self->comments, index);
  self->editing = (int)index;
  show_comment_bar (self, comment->path, comment->line, comment->text);
}

static void
on_remove_comment (GtkButton         *button,
                   LeanChangesWindow *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "comment-index"));

  if (index >= self->comments->len)
    return;
  /* The list is rebuilt below: the button goes with its row. */
  g_ptr_array_remove_index (self->comments, index);
  if (self->editing == (int)index)
    {
      self->editing = -1;
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->comment_revealer), FALSE);
    }
  else if (self->editing > (int)index)
    self->editing--;
  update_comments (self);
}

static void
on_add_comment (LeanChangesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->comment_entry));
  LeanReviewComment *comment;

  if (self->comment_path == NULL || text == NULL || *text == '\0')
    return;
  comment = lean_review_comment_new (self->comment_path, self->comment_line, text);
  if (self->editing >= 0 && (guint)self->editing < self->comments->len)
    {
      lean_review_comment_free (self->comments->pdata[self->editing]);
      self->comments->pdata[self->editing] = comment;
    }
  else
    g_ptr_array_add (self->comments, comment);
  self->editing = -1;
  gtk_editable_set_text (GTK_EDITABLE (self->comment_entry), "");
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->comment_revealer), FALSE);
  update_comments (self);
}

static void
on_followup_started (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LeanChangesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) next = lean_controller_followup_finish (LEAN_CONTROLLER (source), result,
                                                                 &error);

  set_busy (self, FALSE);
  if (next == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_ptr_array_set_size (self->comments, 0);
  update_comments (self);
  gtk_editable_set_text (GTK_EDITABLE (self->feedback_entry), "");
  /* The follow-up works in the same tree: follow it. */
  g_set_object (&self->session, next);
  set_busy (self, FALSE);
  watch_session (self);
  toast (self, _("Feedback sent: the agent is working on it"));
}

static void
on_send_feedback (LeanChangesWindow *self)
{
  const char *message = gtk_editable_get_text (GTK_EDITABLE (self->feedback_entry));

  if (self->controller == NULL)
    return;
  set_busy (self, TRUE);
  lean_controller_followup_async (self->controller, self->session, message, self->comments,
                                  self->cancellable, on_followup_started, g_object_ref (self));
}

/* ---- landing ---- */

static void
on_landed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LeanChangesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanGitLandResult) landed = lean_session_land_finish (result, &error);

  set_busy (self, FALSE);
  if (landed == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (landed->outcome == LEAN_GIT_LANDED_CONFLICT)
    {
      g_autofree char *files = g_strjoinv ("\n", landed->conflicts);
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (self),
        landed->local_changes ? _("Local Changes in the Way") : _("Merge Conflict"),
        NULL));

      adw_message_dialog_format_body (dialog,
                                      landed->local_changes
                                      ? _("Unsaved changes where the base branch is checked out "
                                          "would be overwritten. Nothing was merged.\n\n%s")
                                      : _("These files conflict with the base branch. Nothing "
                                          "was merged; the work is committed on the session’s "
                                          "branch.\n\n%s"), files);
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  switch (landed->outcome)
    {
    case LEAN_GIT_LANDED_COMMITTED:
      toast (self, _("Committed"));
      break;
    case LEAN_GIT_LANDED_FAST_FORWARD:
    case LEAN_GIT_LANDED_MERGED:
    case LEAN_GIT_LANDED_SQUASHED:
      toast (self, _("Merged into the base branch"));
      break;
    case LEAN_GIT_LANDED_NOTHING:
    case LEAN_GIT_LANDED_CONFLICT:
    default:
      toast (self, _("Nothing to land"));
      break;
    }
  load_change (self);
}

static void
land (LeanChangesWindow *self,
      LeanGitLandFlags   flags)
{
  const char *message = gtk_editable_get_text (GTK_EDITABLE (self->message_entry));

  if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->squash_check)))
    flags |= LEAN_GIT_LAND_SQUASH;
  set_busy (self, TRUE);
  lean_session_land_async (self->db, self->session, message, flags, FALSE, self->cancellable,
                           on_landed, g_object_ref (self));
}

static void
on_commit (LeanChangesWindow *self)
{
  land (self, LEAN_GIT_LAND_NO_MERGE);
}

static void
on_merge (LeanChangesWindow *self)
{
  land (self, 0);
}

static void
on_discarded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LeanChangesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!lean_session_discard_finish (result, &error))
    {
      toast (self, error->message);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_discard_response (LeanChangesWindow *self,
                     const char        *response,
                     AdwMessageDialog  *dialog)
{
  if (!g_str_equal (response, "discard"))
    return;
  set_busy (self, TRUE);
  lean_session_discard_async (self->db, self->session, self->cancellable, on_discarded,
                              g_object_ref (self));
}

static void
on_discard (LeanChangesWindow *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (self), _("Discard This Work?"),
    _("The session’s worktree and branch are deleted. This cannot be undone.")));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_swapped (dialog, "response", G_CALLBACK (on_discard_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
message_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_pointer (task, lean_session_default_message (task_data), g_free);
}

static void
on_message_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree char *message = g_task_propagate_pointer (G_TASK (result), NULL);
  LeanChangesWindow *self = LEAN_CHANGES_WINDOW (source);

  if (message != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->message_entry)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->message_entry), message);
}

/* ---- building ---- */

static GtkWidget *
button (const char *label,
        const char *style)
{
  GtkWidget *b = gtk_button_new_with_mnemonic (label);

  if (style != NULL)
    gtk_widget_add_css_class (b, style);
  return b;
}

static void
build (LeanChangesWindow *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *land_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *files_scroll = gtk_scrolled_window_new ();
  GtkWidget *main_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *comment_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *add_button = button (_("_Add Comment"), NULL);
  GtkWidget *feedback_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *comment_scroll;

  self->title = adw_window_title_new (_("Changes"), NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), self->title);
  self->discard_button = button (_("_Discard…"), "destructive-action");
  gtk_widget_set_tooltip_text (self->discard_button,
                               _("Delete the session’s worktree and branch"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->discard_button);
  gtk_box_append (GTK_BOX (content), header);

  /* Commit message and the landing buttons. */
  self->message_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->message_entry), _("Commit message"));
  gtk_widget_set_hexpand (self->message_entry, TRUE);
  self->squash_check = gtk_check_button_new_with_mnemonic (_("S_quash"));
  gtk_widget_set_tooltip_text (self->squash_check, _("Land the branch as one commit"));
  self->commit_button = button (_("_Commit"), NULL);
  gtk_widget_set_tooltip_text (self->commit_button, _("Commit on the session’s branch"));
  self->merge_button = button (_("_Merge"), "suggested-action");
  gtk_widget_set_tooltip_text (self->merge_button,
                               _("Commit and merge into the branch the session started from"));
  gtk_box_append (GTK_BOX (land_bar), self->message_entry);
  gtk_box_append (GTK_BOX (land_bar), self->squash_check);
  gtk_box_append (GTK_BOX (land_bar), self->commit_button);
  gtk_box_append (GTK_BOX (land_bar), self->merge_button);
  gtk_widget_add_css_class (land_bar, "toolbar");
  gtk_box_append (GTK_BOX (content), land_bar);

  /* Files | diff */
  self->file_list = gtk_list_box_new ();
  gtk_widget_add_css_class (self->file_list, "navigation-sidebar");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (files_scroll), self->file_list);
  gtk_widget_set_vexpand (files_scroll, TRUE);
  self->summary = gtk_label_new (_("Reading the change…"));
  gtk_label_set_wrap (GTK_LABEL (self->summary), TRUE);
  gtk_widget_add_css_class (self->summary, "caption");
  gtk_widget_add_css_class (self->summary, "numeric");
  gtk_widget_set_margin_top (self->summary, 6);
  gtk_widget_set_margin_bottom (self->summary, 6);
  gtk_box_append (GTK_BOX (side), files_scroll);
  gtk_box_append (GTK_BOX (side), self->summary);
  gtk_widget_set_size_request (side, 220, -1);

  self->diff_title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->diff_title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->diff_title), PANGO_ELLIPSIZE_START);
  gtk_widget_add_css_class (self->diff_title, "heading");
  gtk_widget_set_margin_start (self->diff_title, 12);
  gtk_widget_set_margin_top (self->diff_title, 6);
  gtk_widget_set_margin_bottom (self->diff_title, 6);
  self->diff_pane = lean_diff_pane_new ();
  g_signal_connect (self->diff_pane, "line-clicked", G_CALLBACK (on_line_clicked), self);
  gtk_box_append (GTK_BOX (main_box), self->diff_title);
  gtk_box_append (GTK_BOX (main_box), self->diff_pane);

  gtk_paned_set_start_child (GTK_PANED (paned), side);
  gtk_paned_set_end_child (GTK_PANED (paned), main_box);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_position (GTK_PANED (paned), 280);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (content), paned);

  /* A comment on the clicked line. */
  self->comment_label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->comment_label), PANGO_ELLIPSIZE_START);
  gtk_label_set_max_width_chars (GTK_LABEL (self->comment_label), 30);
  self->comment_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->comment_entry), _("What should change here?"));
  gtk_widget_set_hexpand (self->comment_entry, TRUE);
  gtk_box_append (GTK_BOX (comment_bar), self->comment_label);
  gtk_box_append (GTK_BOX (comment_bar), self->comment_entry);
  gtk_box_append (GTK_BOX (comment_bar), add_button);
  gtk_widget_add_css_class (comment_bar, "toolbar");
  self->comment_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->comment_revealer), comment_bar);
  gtk_box_append (GTK_BOX (content), self->comment_revealer);

  /* The comments written so far, to edit or remove before sending. */
  self->comment_list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->comment_list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->comment_list, "change-comments");
  comment_scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (comment_scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (comment_scroll), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (comment_scroll), 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (comment_scroll), self->comment_list);
  self->comment_list_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->comment_list_revealer), comment_scroll);
  gtk_box_append (GTK_BOX (content), self->comment_list_revealer);

  /* Feedback: the comments and a message go to the agent. */
  self->comments_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->comments_label, "dim-label");
  self->feedback_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->feedback_entry),
                                  _("Message to the agent (optional with comments)"));
  gtk_widget_set_hexpand (self->feedback_entry, TRUE);
  self->send_button = button (_("Send _Feedback"), NULL);
  gtk_box_append (GTK_BOX (feedback_bar), self->comments_label);
  gtk_box_append (GTK_BOX (feedback_bar), self->feedback_entry);
  gtk_box_append (GTK_BOX (feedback_bar), self->send_button);
  gtk_widget_add_css_class (feedback_bar, "toolbar");
  gtk_box_append (GTK_BOX (content), feedback_bar);

  self->toasts = adw_toast_overlay_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (self->toasts), content);
  adw_window_set_content (ADW_WINDOW (self), self->toasts);

  g_signal_connect (self->file_list, "row-selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect_swapped (add_button, "clicked", G_CALLBACK (on_add_comment), self);
  g_signal_connect_swapped (self->comment_entry, "activate", G_CALLBACK (on_add_comment), self);
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (on_send_feedback), self);
  g_signal_connect_swapped (self->commit_button, "clicked", G_CALLBACK (on_commit), self);
  g_signal_connect_swapped (self->merge_button, "clicked", G_CALLBACK (on_merge), self);
  g_signal_connect_swapped (self->discard_button, "clicked", G_CALLBACK (on_discard), self);
  update_comments (self);
}

static void
lean_changes_window_dispose (GObject *object)
{
  LeanChangesWindow *self = LEAN_CHANGES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  G_OBJECT_CLASS (lean_changes_window_parent_class)->dispose (object);
}

static void
lean_changes_window_finalize (GObject *object)
{
  LeanChangesWindow *self = LEAN_CHANGES_WINDOW (object);

  g_clear_object (&self->controller);
  g_clear_object (&self->db);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->change, lean_git_change_free);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_free (self->selected);
  g_free (self->comment_path);
  G_OBJECT_CLASS (lean_changes_window_parent_class)->finalize (object);
}

static void
lean_changes_window_class_init (LeanChangesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_changes_window_dispose;
  object_class->finalize = lean_changes_window_finalize;
  gtk_source_init ();
}

static void
lean_changes_window_init (LeanChangesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->editing = -1;
  self->comments = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_review_comment_free);
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 760);
  build (self);
}

GtkWidget *
lean_changes_window_new (LeanController *controller,
                         LeanSessionDb  *db,
                         LeanSession    *session)
{
  LeanChangesWindow *self;
  g_autoptr(GTask) task = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  self = g_object_new (LEAN_TYPE_CHANGES_WINDOW, NULL);
  self->controller = controller != NULL ? g_object_ref (controller) : NULL;
  self->db = g_object_ref (db);
  self->session = g_object_ref (session);
  subtitle = lean_session_get_branch (session) != NULL
             ? g_strdup_printf ("%s · %s", lean_session_get_spec_id (session),
                                lean_session_get_branch (session))
             : g_strdup_printf (_("%s · in the project folder"), lean_session_get_spec_id (session));
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->title), subtitle);
  gtk_widget_set_visible (self->send_button, controller != NULL);
  gtk_widget_set_visible (self->feedback_entry, controller != NULL);
  set_busy (self, FALSE);

  task = g_task_new (self, self->cancellable, on_message_ready, NULL);
  g_task_set_task_data (task, g_object_ref (session), g_object_unref);
  g_task_run_in_thread (task, message_thread);
  load_change (self);
  watch_session (self);
  return GTK_WIDGET (self);
}

LeanSession *
lean_changes_window_get_session (LeanChangesWindow *self)
{
  g_return_val_if_fail (LEAN_IS_CHANGES_WINDOW (self), NULL);
  return self->session;
}

const char *
_lean_changes_window_get_shown_patch (LeanChangesWindow *self)
{
  g_return_val_if_fail (LEAN_IS_CHANGES_WINDOW (self), NULL);

  return _lean_diff_pane_get_patch (LEAN_DIFF_PANE (self->diff_pane));
}

GPtrArray *
lean_changes_window_get_comments (LeanChangesWindow *self)
{
  g_return_val_if_fail (LEAN_IS_CHANGES_WINDOW (self), NULL);
  return self->comments;
}
