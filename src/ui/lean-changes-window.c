/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include <stdlib.h>
#include <string.h>

#include <gtksourceview/gtksource.h>

#include "lean-changes-window.h"
#include "lean-diff-block.h"
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
  char           *shown_path;   /* the file whose diff the pane shows */
  char           *shown_patch;  /* and its patch, or NULL for a note */
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
  GtkWidget      *diff_note;    /* why a file's diff is not shown */
  GtkWidget      *diff_scroll;
  GListStore     *diff_blocks;  /* LeanDiffBlock: the shown file's hunks */
  GtkFilter      *diff_filter;  /* leaves out the lines of collapsed hunks */
  GtkSourceLanguage    *language; /* of the shown file, or NULL */
  guint           widest_line;  /* of the shown diff, in columns */
  GtkSourceStyleScheme *scheme;
  gboolean        dark;
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
static void clear_diff (LeanChangesWindow *self);
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
      g_clear_pointer (&self->shown_path, g_free);
      g_clear_pointer (&self->shown_patch, g_free);
      clear_diff (self);
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

/* ---- one file's diff ---- */

/* A hunk's lines are listed in runs of at most this many, each one row of
 * the list with its own text view: only rows near the screen have one,
 * and no row takes long to lay out when it scrolls in. */
#define BLOCK_LINES 100

/* What a line of a run's view is in the new file: its number, or for a
 * removed line the new line it sits before. */
static void
on_line_clicked (GtkGestureClick   *gesture,
                 int                n_press,
                 double             x,
                 double             y,
                 LeanChangesWindow *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  LeanDiffBlock *block = g_object_get_data (G_OBJECT (view), "block");
  GArray *numbers = block != NULL ? lean_diff_block_get_numbers (block) : NULL;
  GtkTextIter iter;
  int bx, by, line;

  gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, (int)x, (int)y, &bx, &by);
  gtk_text_view_get_line_at_y (view, &iter, by, NULL);
  line = gtk_text_iter_get_line (&iter);
  if (numbers == NULL || line < 0 || (guint)line >= numbers->len || self->selected == NULL)
    return;

  self->editing = -1;
  show_comment_bar (self, self->selected, g_array_index (numbers, guint, line), "");
}

static gboolean
block_is_listed (gpointer item,
                 gpointer data)
{
  LeanDiffBlock *header = lean_diff_block_get_header (item);

  return header == NULL || lean_diff_block_get_expanded (header);
}

static void
on_expander_toggled (GtkExpander       *expander,
                     GParamSpec        *pspec,
                     LeanChangesWindow *self)
{
  LeanDiffBlock *header = g_object_get_data (G_OBJECT (expander), "block");
  gboolean expanded = gtk_expander_get_expanded (expander);

  if (header == NULL || lean_diff_block_get_expanded (header) == expanded)
    return;
  lean_diff_block_set_expanded (header, expanded);
  gtk_filter_changed (self->diff_filter, expanded ? GTK_FILTER_CHANGE_LESS_STRICT
                                                  : GTK_FILTER_CHANGE_MORE_STRICT);
}

static GtkWidget *
new_header_row (LeanChangesWindow *self)
{
  GtkWidget *expander = gtk_expander_new (NULL);

  gtk_widget_add_css_class (expander, "change-hunk-expander");
  g_signal_connect (expander, "notify::expanded", G_CALLBACK (on_expander_toggled), self);
  return expander;
}

static GtkWidget *
new_lines_row (LeanChangesWindow *self)
{
  GtkSourceBuffer *buffer = gtk_source_buffer_new (NULL);
  GtkWidget *view = gtk_source_view_new_with_buffer (buffer);
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "added", NULL);
  gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "removed", NULL);
  g_object_unref (buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_widget_add_css_class (view, "change-hunk");
  gtk_widget_set_cursor_from_name (view, "pointer");
  gtk_widget_set_tooltip_text (view, _("Click a line to comment on it"));
  g_signal_connect (click, "released", G_CALLBACK (on_line_clicked), self);
  gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (click));
  return view;
}

/* The row's widget for @kind, made the first time the row shows one and
 * kept with the row, which the list reuses as it scrolls. */
static GtkWidget *
row_widget (LeanChangesWindow *self,
            GtkListItem       *item,
            const char        *kind)
{
  GtkWidget *widget = g_object_get_data (G_OBJECT (item), kind);

  if (widget == NULL)
    {
      widget = g_str_equal (kind, "header") ? new_header_row (self) : new_lines_row (self);
      g_object_set_data_full (G_OBJECT (item), kind, g_object_ref_sink (widget), g_object_unref);
    }
  if (gtk_list_item_get_child (item) != widget)
    gtk_list_item_set_child (item, widget);
  return widget;
}

static void
bind_lines (LeanChangesWindow *self,
            GtkWidget         *view,
            LeanDiffBlock     *block)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextTagTable *tags = gtk_text_buffer_get_tag_table (buffer);
  GArray *kinds = lean_diff_block_get_kinds (block);
  PangoFontMetrics *metrics;
  int line_height, char_width;  /* char_width in Pango units */
  GtkTextIter start, end;

  if (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer)) != self->language)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), self->language);
  if (gtk_source_buffer_get_style_scheme (GTK_SOURCE_BUFFER (buffer)) != self->scheme)
    gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer), self->scheme);
  g_object_set (gtk_text_tag_table_lookup (tags, "added"), "paragraph-background",
                self->dark ? "#1f4a2c" : "#dbf5e0", NULL);
  g_object_set (gtk_text_tag_table_lookup (tags, "removed"), "paragraph-background",
                self->dark ? "#5a2328" : "#fbe0e2", NULL);
  g_object_set_data (G_OBJECT (view), "block", block);
  /* The text view learns its height only once it has laid the lines out,
   * after the list placed the row; without wrapping, every line is one
   * line high, so the row's height is known from the start. */
  metrics = pango_context_get_metrics (gtk_widget_get_pango_context (view), NULL, NULL);
  line_height = PANGO_PIXELS (pango_font_metrics_get_ascent (metrics) +
                              pango_font_metrics_get_descent (metrics));
  char_width = pango_font_metrics_get_approximate_char_width (metrics);
  pango_font_metrics_unref (metrics);
  /* A text view that does not wrap asks only for its margins as its
   * minimum width, and the list makes its rows no wider than that and the
   * pane: asking for the widest line of the file lets a long line scroll
   * sideways, the same for every run so the columns line up. */
  gtk_widget_set_size_request (view, 6 + 12 + PANGO_PIXELS_CEIL ((gint64)self->widest_line * char_width),
                               line_height * (int)kinds->len);
  gtk_text_buffer_set_text (buffer, lean_diff_block_get_text (block), -1);
  for (guint i = 0; i < kinds->len; i++)
    {
      char kind = g_array_index (kinds, char, i);

      if (kind != '+' && kind != '-')
        continue;
      gtk_text_buffer_get_iter_at_line (buffer, &start, (int)i);
      end = start;
      gtk_text_iter_forward_line (&end);
      gtk_text_buffer_apply_tag_by_name (buffer, kind == '+' ? "added" : "removed", &start, &end);
    }
}

static void
on_bind_row (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             LeanChangesWindow        *self)
{
  LeanDiffBlock *block = gtk_list_item_get_item (item);

  if (lean_diff_block_is_header (block))
    {
      GtkWidget *expander = row_widget (self, item, "header");

      /* Unset first: the expander's own toggle must not change @block. */
      g_object_set_data (G_OBJECT (expander), "block", NULL);
      gtk_expander_set_label (GTK_EXPANDER (expander), lean_diff_block_get_text (block));
      gtk_expander_set_expanded (GTK_EXPANDER (expander), lean_diff_block_get_expanded (block));
      g_object_set_data (G_OBJECT (expander), "block", block);
    }
  else
    bind_lines (self, row_widget (self, item, "lines"), block);
}

static void
on_unbind_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               LeanChangesWindow        *self)
{
  GtkWidget *child = gtk_list_item_get_child (item);

  if (child != NULL)
    g_object_set_data (G_OBJECT (child), "block", NULL);
}

/* How many monospace columns @line takes: a tab to the next multiple of
 * 8, a wide character two. */
static guint
line_columns (const char *line)
{
  guint columns = 0;

  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\t')
        columns = (columns / 8 + 1) * 8;
      else
        columns += g_unichar_iswide (c) ? 2 : 1;
    }
  return columns;
}

/* Appends a hunk's lines, in runs of at most BLOCK_LINES. */
static void
add_hunk (GListStore        *store,
          LeanDiffBlock     *header,
          GPtrArray         *lines,
          GArray            *kinds,
          GArray            *numbers)
{
  for (guint first = 0; first < lines->len; first += BLOCK_LINES)
    {
      guint n = MIN (BLOCK_LINES, lines->len - first);
      g_autoptr(GArray) run_kinds = g_array_sized_new (FALSE, FALSE, sizeof (char), n);
      g_autoptr(GArray) run_numbers = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(LeanDiffBlock) block = NULL;

      for (guint i = first; i < first + n; i++)
        {
          if (i > first)
            g_string_append_c (text, '\n');
          g_string_append (text, g_ptr_array_index (lines, i));
        }
      g_array_append_vals (run_kinds, &g_array_index (kinds, char, first), n);
      g_array_append_vals (run_numbers, &g_array_index (numbers, guint, first), n);
      block = lean_diff_block_new_lines (header, g_string_free (g_steal_pointer (&text), FALSE),
                                         run_kinds, run_numbers);
      g_list_store_append (store, block);
    }
}

/* Splits a unified patch into hunks; the marker column stays in the text
 * (colour blind readers need more than colour). */
static void
show_patch (LeanChangesWindow *self,
            GListStore        *store,
            const char        *patch)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  g_auto(GStrv) lines = g_strsplit (patch, "\n", -1);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (char));
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(LeanDiffBlock) header = NULL;
  guint new_line = 0;

  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  self->scheme = gtk_source_style_scheme_manager_get_scheme (schemes, self->dark ? "Adwaita-dark"
                                                                                 : "Adwaita");
  self->language = gtk_source_language_manager_guess_language (languages, self->selected, NULL);
  self->widest_line = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "@@"))
        {
          unsigned long start = 1;
          const char *plus = strchr (line, '+');
          g_autofree char *valid = g_utf8_make_valid (line, -1);

          if (header != NULL)
            add_hunk (store, header, texts, kinds, numbers);
          g_ptr_array_set_size (texts, 0);
          g_array_set_size (kinds, 0);
          g_array_set_size (numbers, 0);
          g_clear_object (&header);
          header = lean_diff_block_new_header (valid);
          g_list_store_append (store, header);
          if (plus != NULL)
            start = strtoul (plus + 1, NULL, 10);
          new_line = (guint)start;
          continue;
        }
      if (header == NULL || (*line != '+' && *line != '-' && *line != ' '))
        continue;
      {
        char kind = *line;
        guint number = new_line;

        g_ptr_array_add (texts, g_utf8_make_valid (line, -1));
        self->widest_line = MAX (self->widest_line,
                                 line_columns (g_ptr_array_index (texts, texts->len - 1)));
        g_array_append_val (kinds, kind);
        g_array_append_val (numbers, number);
        if (kind != '-')
          new_line++;
      }
    }
  if (header != NULL)
    add_hunk (store, header, texts, kinds, numbers);
}

static void
clear_diff (LeanChangesWindow *self)
{
  g_list_store_remove_all (self->diff_blocks);
  gtk_widget_set_visible (self->diff_note, FALSE);
}

/* A hunk's place in the base file ("-12,7" of "@@ -12,7 +12,9 @@"): the
 * base does not change while the agent works, so it names the hunk across
 * refreshes while its new-side numbers shift. */
static char *
hunk_key (LeanDiffBlock *header)
{
  const char *text = lean_diff_block_get_text (header);
  const char *minus = strchr (text, '-');

  return minus != NULL ? g_strndup (minus, strcspn (minus, " ")) : g_strdup (text);
}

/* Where each hunk (its header and runs of lines) starts in @blocks, and
 * after the last one the number of blocks. */
static GArray *
hunk_starts (GListModel *blocks)
{
  guint n = g_list_model_get_n_items (blocks);
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanDiffBlock) block = g_list_model_get_item (blocks, i);

      if (lean_diff_block_is_header (block))
        g_array_append_val (starts, i);
    }
  g_array_append_val (starts, n);
  return starts;
}

/* Hunk @ha of @a and hunk @hb of @b hold the same text (the header names
 * the lines, so their numbers match too). */
static gboolean
same_hunk (GListModel *a,
           GArray     *a_starts,
           guint       ha,
           GListModel *b,
           GArray     *b_starts,
           guint       hb)
{
  guint a_first = g_array_index (a_starts, guint, ha);
  guint b_first = g_array_index (b_starts, guint, hb);
  guint n = g_array_index (a_starts, guint, ha + 1) - a_first;

  if (n != g_array_index (b_starts, guint, hb + 1) - b_first)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanDiffBlock) x = g_list_model_get_item (a, a_first + i);
      g_autoptr(LeanDiffBlock) y = g_list_model_get_item (b, b_first + i);

      if (!g_str_equal (lean_diff_block_get_text (x), lean_diff_block_get_text (y)))
        return FALSE;
    }
  return TRUE;
}

/* The same file's diff, changed while shown. Only the hunks that changed
 * are replaced: the list keeps its place by the row at the top of the
 * view, so the view stays where the person scrolled to, and the hunks
 * they folded stay folded (a replaced hunk by where it sits in the base
 * file). */
static void
show_patch_again (LeanChangesWindow *self,
                  const char        *patch)
{
  GListModel *old = G_LIST_MODEL (self->diff_blocks);
  g_autoptr(GListStore) fresh = g_list_store_new (LEAN_TYPE_DIFF_BLOCK);
  g_autoptr(GHashTable) folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) old_starts = hunk_starts (old);
  g_autoptr(GArray) new_starts = NULL;
  g_autoptr(GPtrArray) middle = g_ptr_array_new_with_free_func (g_object_unref);
  guint old_hunks = old_starts->len - 1, new_hunks, prefix = 0, suffix = 0;
  guint old_first, old_last, new_first, new_last;

  show_patch (self, fresh, patch);
  new_starts = hunk_starts (G_LIST_MODEL (fresh));
  new_hunks = new_starts->len - 1;
  while (prefix < old_hunks && prefix < new_hunks &&
         same_hunk (old, old_starts, prefix, G_LIST_MODEL (fresh), new_starts, prefix))
    prefix++;
  while (suffix < old_hunks - prefix && suffix < new_hunks - prefix &&
         same_hunk (old, old_starts, old_hunks - 1 - suffix,
                    G_LIST_MODEL (fresh), new_starts, new_hunks - 1 - suffix))
    suffix++;
  old_first = g_array_index (old_starts, guint, prefix);
  old_last = g_array_index (old_starts, guint, old_hunks - suffix);
  new_first = g_array_index (new_starts, guint, prefix);
  new_last = g_array_index (new_starts, guint, new_hunks - suffix);

  for (guint i = old_first; i < old_last; i++)
    {
      g_autoptr(LeanDiffBlock) block = g_list_model_get_item (old, i);

      if (lean_diff_block_is_header (block) && !lean_diff_block_get_expanded (block))
        g_hash_table_add (folded, hunk_key (block));
    }
  for (guint i = new_first; i < new_last; i++)
    {
      LeanDiffBlock *block = g_list_model_get_item (G_LIST_MODEL (fresh), i);

      if (lean_diff_block_is_header (block))
        {
          g_autofree char *key = hunk_key (block);

          if (g_hash_table_contains (folded, key))
            lean_diff_block_set_expanded (block, FALSE);
        }
      g_ptr_array_add (middle, block);
    }
  g_list_store_splice (self->diff_blocks, old_first, old_last - old_first, middle->pdata,
                       middle->len);
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
  if (g_strcmp0 (path, self->shown_path) == 0 && patch != NULL && self->shown_patch != NULL)
    {
      /* Read again by a refresh: unchanged, nothing moves. */
      if (!g_str_equal (patch, self->shown_patch))
        show_patch_again (self, patch);
      g_free (self->shown_patch);
      self->shown_patch = g_steal_pointer (&patch);
      return;
    }
  clear_diff (self);
  g_free (self->shown_path);
  self->shown_path = g_strdup (path);
  g_clear_pointer (&self->shown_patch, g_free);
  if (error != NULL)
    note = error->message;
  else if (binary)
    note = _("Binary file: not shown");
  else if (too_large)
    note = _("Too large to show");
  else
    {
      show_patch (self, self->diff_blocks, patch);
      self->shown_patch = g_steal_pointer (&patch);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->diff_scroll)), 0);
    }
  if (note != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->diff_note), note);
      gtk_widget_set_visible (self->diff_note, TRUE);
    }
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
  GtkFilterListModel *filtered;
  GtkListItemFactory *factory;
  GtkWidget *diff_list;
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
  self->diff_note = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->diff_note, "dim-label");
  gtk_widget_set_margin_top (self->diff_note, 24);
  gtk_widget_set_visible (self->diff_note, FALSE);
  /* Only the rows on screen have a text view, reused as the diff scrolls:
   * a thousand hunks must not mean a thousand views laid out. */
  self->diff_blocks = g_list_store_new (LEAN_TYPE_DIFF_BLOCK);
  self->diff_filter = GTK_FILTER (gtk_custom_filter_new (block_is_listed, NULL, NULL));
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->diff_blocks)),
                                        g_object_ref (self->diff_filter));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_row), self);
  diff_list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (filtered))),
                                 factory);
  gtk_widget_add_css_class (diff_list, "change-diff");
  self->diff_scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->diff_scroll), diff_list);
  gtk_widget_set_vexpand (self->diff_scroll, TRUE);
  gtk_box_append (GTK_BOX (main_box), self->diff_title);
  gtk_box_append (GTK_BOX (main_box), self->diff_note);
  gtk_box_append (GTK_BOX (main_box), self->diff_scroll);

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

/* Diff colours follow the style: the shown file is drawn again. */
static void
on_dark_changed (LeanChangesWindow *self)
{
  load_patch (self);
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
  g_clear_object (&self->diff_blocks);
  g_clear_object (&self->diff_filter);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_free (self->selected);
  g_free (self->shown_path);
  g_free (self->shown_patch);
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
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
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

  return self->shown_patch;
}

GPtrArray *
lean_changes_window_get_comments (LeanChangesWindow *self)
{
  g_return_val_if_fail (LEAN_IS_CHANGES_WINDOW (self), NULL);
  return self->comments;
}
