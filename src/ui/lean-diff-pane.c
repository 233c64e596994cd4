/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include <stdlib.h>
#include <string.h>

#include <gtksourceview/gtksource.h>

#include "lean-diff-pane.h"
#include "lean-diff-block.h"

struct _LeanDiffPane
{
  GtkBox          parent_instance;

  char           *shown_path;   /* the file whose diff the pane shows */
  char           *shown_patch;  /* and its patch, or NULL for a note */
  GtkWidget      *diff_note;    /* why a file's diff is not shown */
  GtkWidget      *diff_scroll;
  GListStore     *diff_blocks;  /* LeanDiffBlock: the shown file's hunks */
  GtkFilter      *diff_filter;  /* leaves out the lines of collapsed hunks */
  GtkSourceLanguage    *language; /* of the shown file, or NULL */
  guint           widest_line;  /* of the shown diff, in columns */
  guint           number_digits;/* of its largest line number */
  GtkSourceStyleScheme *scheme;
  gboolean        dark;
};

G_DEFINE_FINAL_TYPE (LeanDiffPane, lean_diff_pane, GTK_TYPE_BOX)

enum
{
  LINE_CLICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A hunk's lines are listed in runs of at most this many, each one row of
 * the list with its own text view: only rows near the screen have one,
 * and no row takes long to lay out when it scrolls in. */
#define BLOCK_LINES 100

/* Space either side of a line number column, in pixels. */
#define LINE_NUMBER_XPAD 4

/* What a line of a run's view is in the new file: its number, or for a
 * removed line the new line it sits before. */
static void
on_line_clicked (GtkGestureClick   *gesture,
                 int                n_press,
                 double             x,
                 double             y,
                 LeanDiffPane *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  LeanDiffBlock *block = g_object_get_data (G_OBJECT (view), "block");
  GArray *numbers = block != NULL ? lean_diff_block_get_numbers (block) : NULL;
  GtkTextIter iter;
  int bx, by, line;

  gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, (int)x, (int)y, &bx, &by);
  gtk_text_view_get_line_at_y (view, &iter, by, NULL);
  line = gtk_text_iter_get_line (&iter);
  if (numbers == NULL || line < 0 || (guint)line >= numbers->len || self->shown_path == NULL)
    return;
  g_signal_emit (self, signals[LINE_CLICKED], 0, self->shown_path,
                 g_array_index (numbers, guint, line));
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
                     LeanDiffPane *self)
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
new_header_row (LeanDiffPane *self)
{
  GtkWidget *expander = gtk_expander_new (NULL);

  gtk_widget_add_css_class (expander, "change-hunk-expander");
  g_signal_connect (expander, "notify::expanded", G_CALLBACK (on_expander_toggled), self);
  return expander;
}

/* A line's number in the base file (@side 0) or the new one (1); blank
 * on the side a line is not in, as review tools show it. */
static void
on_query_line_number (GtkSourceGutterRenderer *renderer,
                      GObject                 *lines,
                      guint                    line,
                      gpointer                 data)
{
  GtkSourceView *view = gtk_source_gutter_renderer_get_view (renderer);
  LeanDiffBlock *block = view != NULL ? g_object_get_data (G_OBJECT (view), "block") : NULL;
  gboolean new_side = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (renderer), "side")) == 1;
  char text[16] = "";

  if (block != NULL && line < lean_diff_block_get_kinds (block)->len)
    {
      char kind = g_array_index (lean_diff_block_get_kinds (block), char, line);
      GArray *numbers = new_side ? lean_diff_block_get_numbers (block)
                                 : lean_diff_block_get_old_numbers (block);

      if (kind != (new_side ? '-' : '+'))
        g_snprintf (text, sizeof text, "%u", g_array_index (numbers, guint, line));
    }
  gtk_source_gutter_renderer_text_set_text (GTK_SOURCE_GUTTER_RENDERER_TEXT (renderer), text, -1);
}

static GtkWidget *
new_lines_row (LeanDiffPane *self)
{
  GtkSourceBuffer *buffer = gtk_source_buffer_new (NULL);
  GtkWidget *view = gtk_source_view_new_with_buffer (buffer);
  GtkSourceGutter *gutter = gtk_source_view_get_gutter (GTK_SOURCE_VIEW (view), GTK_TEXT_WINDOW_LEFT);
  GtkGesture *click = gtk_gesture_click_new ();

  for (int side = 0; side < 2; side++)
    {
      GtkSourceGutterRenderer *numbers = gtk_source_gutter_renderer_text_new ();

      gtk_source_gutter_renderer_set_xalign (numbers, 1.0);
      gtk_source_gutter_renderer_set_xpad (numbers, LINE_NUMBER_XPAD);
      gtk_widget_add_css_class (GTK_WIDGET (numbers), "dim-label");
      g_object_set_data (G_OBJECT (numbers), "side", GINT_TO_POINTER (side));
      g_signal_connect (numbers, "query-data", G_CALLBACK (on_query_line_number), NULL);
      gtk_source_gutter_insert (gutter, numbers, side);
      g_object_set_data (G_OBJECT (view), side == 0 ? "old-numbers" : "new-numbers", numbers);
    }

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
row_widget (LeanDiffPane *self,
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
bind_lines (LeanDiffPane *self,
            GtkWidget         *view,
            LeanDiffBlock     *block)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextTagTable *tags = gtk_text_buffer_get_tag_table (buffer);
  GArray *kinds = lean_diff_block_get_kinds (block);
  PangoFontMetrics *metrics;
  int line_height, char_width, digit_width;  /* widths in Pango units */
  int number_width;
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
  digit_width = pango_font_metrics_get_approximate_digit_width (metrics);
  pango_font_metrics_unref (metrics);
  /* Both number columns as wide as the file's largest number, the same in
   * every run, so that the columns line up down the whole diff. */
  number_width = PANGO_PIXELS_CEIL ((gint64)self->number_digits * digit_width) + 2 * LINE_NUMBER_XPAD;
  gtk_widget_set_size_request (g_object_get_data (G_OBJECT (view), "old-numbers"), number_width, -1);
  gtk_widget_set_size_request (g_object_get_data (G_OBJECT (view), "new-numbers"), number_width, -1);
  /* A text view that does not wrap asks only for its margins as its
   * minimum width, and the list makes its rows no wider than that and the
   * pane: asking for the widest line of the file lets a long line scroll
   * sideways, the same for every run so the columns line up. */
  gtk_widget_set_size_request (view, 2 * number_width + 6 + 12 +
                                     PANGO_PIXELS_CEIL ((gint64)self->widest_line * char_width),
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
             LeanDiffPane        *self)
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
               LeanDiffPane        *self)
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
          GArray            *numbers,
          GArray            *old_numbers)
{
  for (guint first = 0; first < lines->len; first += BLOCK_LINES)
    {
      guint n = MIN (BLOCK_LINES, lines->len - first);
      g_autoptr(GArray) run_kinds = g_array_sized_new (FALSE, FALSE, sizeof (char), n);
      g_autoptr(GArray) run_numbers = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      g_autoptr(GArray) run_old_numbers = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
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
      g_array_append_vals (run_old_numbers, &g_array_index (old_numbers, guint, first), n);
      block = lean_diff_block_new_lines (header, g_string_free (g_steal_pointer (&text), FALSE),
                                         run_kinds, run_numbers, run_old_numbers);
      g_list_store_append (store, block);
    }
}

/* Splits a unified patch into hunks; the marker column stays in the text
 * (colour blind readers need more than colour). */
static void
show_patch (LeanDiffPane *self,
            GListStore        *store,
            const char        *patch)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  g_auto(GStrv) lines = g_strsplit (patch, "\n", -1);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (char));
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) old_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(LeanDiffBlock) header = NULL;
  guint new_line = 0, old_line = 0, largest = 0;

  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  self->scheme = gtk_source_style_scheme_manager_get_scheme (schemes, self->dark ? "Adwaita-dark"
                                                                                 : "Adwaita");
  self->language = gtk_source_language_manager_guess_language (languages, self->shown_path, NULL);
  self->widest_line = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "@@"))
        {
          unsigned long start = 1, old_start = 1;
          const char *plus = strchr (line, '+');
          const char *minus = strchr (line, '-');
          g_autofree char *valid = g_utf8_make_valid (line, -1);

          if (header != NULL)
            add_hunk (store, header, texts, kinds, numbers, old_numbers);
          g_ptr_array_set_size (texts, 0);
          g_array_set_size (kinds, 0);
          g_array_set_size (numbers, 0);
          g_array_set_size (old_numbers, 0);
          g_clear_object (&header);
          header = lean_diff_block_new_header (valid);
          g_list_store_append (store, header);
          if (plus != NULL)
            start = strtoul (plus + 1, NULL, 10);
          if (minus != NULL && (plus == NULL || minus < plus))
            old_start = strtoul (minus + 1, NULL, 10);
          new_line = (guint)MIN (start, G_MAXUINT / 2);
          old_line = (guint)MIN (old_start, G_MAXUINT / 2);
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
        g_array_append_val (old_numbers, old_line);
        largest = MAX (largest, MAX (new_line, old_line));
        if (kind != '-')
          new_line++;
        if (kind != '+')
          old_line++;
      }
    }
  if (header != NULL)
    add_hunk (store, header, texts, kinds, numbers, old_numbers);
  self->number_digits = 2;
  for (guint n = largest; n >= 100; n /= 10)
    self->number_digits++;
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
show_patch_again (LeanDiffPane *self,
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


static void
clear (LeanDiffPane *self)
{
  g_list_store_remove_all (self->diff_blocks);
  gtk_widget_set_visible (self->diff_note, FALSE);
  gtk_widget_set_visible (self->diff_scroll, TRUE);
}

void
lean_diff_pane_show (LeanDiffPane *self,
                     const char   *path,
                     const char   *patch)
{
  g_return_if_fail (LEAN_IS_DIFF_PANE (self));
  g_return_if_fail (path != NULL && patch != NULL);

  if (g_strcmp0 (path, self->shown_path) == 0 && self->shown_patch != NULL)
    {
      /* Read again by a refresh: unchanged, nothing moves. */
      if (!g_str_equal (patch, self->shown_patch))
        {
          show_patch_again (self, patch);
          g_free (self->shown_patch);
          self->shown_patch = g_strdup (patch);
        }
      return;
    }
  clear (self);
  g_free (self->shown_path);
  self->shown_path = g_strdup (path);
  g_free (self->shown_patch);
  self->shown_patch = g_strdup (patch);
  show_patch (self, self->diff_blocks, patch);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->diff_scroll)), 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->diff_scroll)), 0);
}

void
lean_diff_pane_show_note (LeanDiffPane *self,
                          const char   *path,
                          const char   *note)
{
  g_return_if_fail (LEAN_IS_DIFF_PANE (self));

  clear (self);
  g_free (self->shown_path);
  self->shown_path = g_strdup (path);
  g_clear_pointer (&self->shown_patch, g_free);
  gtk_label_set_text (GTK_LABEL (self->diff_note), note);
  gtk_widget_set_visible (self->diff_note, TRUE);
}

void
lean_diff_pane_clear (LeanDiffPane *self)
{
  g_return_if_fail (LEAN_IS_DIFF_PANE (self));

  clear (self);
  g_clear_pointer (&self->shown_path, g_free);
  g_clear_pointer (&self->shown_patch, g_free);
}

const char *
lean_diff_pane_get_path (LeanDiffPane *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_PANE (self), NULL);

  return self->shown_path;
}

/* Diff colours follow the style: every row is bound again. */
static void
on_dark_changed (LeanDiffPane *self)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->diff_blocks));

  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  self->scheme = gtk_source_style_scheme_manager_get_scheme (schemes, self->dark ? "Adwaita-dark"
                                                                                 : "Adwaita");
  g_list_model_items_changed (G_LIST_MODEL (self->diff_blocks), 0, n, n);
}

static void
lean_diff_pane_finalize (GObject *object)
{
  LeanDiffPane *self = LEAN_DIFF_PANE (object);

  g_clear_object (&self->diff_blocks);
  g_clear_object (&self->diff_filter);
  g_free (self->shown_path);
  g_free (self->shown_patch);
  G_OBJECT_CLASS (lean_diff_pane_parent_class)->finalize (object);
}

static void
lean_diff_pane_class_init (LeanDiffPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_diff_pane_finalize;
  /* A line of the shown file was clicked, to comment on: the file's path
   * and the line's number in the new file. */
  signals[LINE_CLICKED] = g_signal_new ("line-clicked", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  gtk_source_init ();
}

static void
lean_diff_pane_init (LeanDiffPane *self)
{
  GtkListItemFactory *factory;
  GtkFilterListModel *filtered;
  GtkWidget *diff_list;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
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
  gtk_box_append (GTK_BOX (self), self->diff_note);
  gtk_box_append (GTK_BOX (self), self->diff_scroll);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
lean_diff_pane_new (void)
{
  return g_object_new (LEAN_TYPE_DIFF_PANE, NULL);
}

/* For tests: the patch shown, or NULL. */
const char *
_lean_diff_pane_get_patch (LeanDiffPane *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_PANE (self), NULL);

  return self->shown_patch;
}
