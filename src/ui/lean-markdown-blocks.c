/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lean-markdown-view-private.h"

/* Blocks that scroll sideways: tables and code are child widgets in a
 * horizontally scrolling box anchored in the text, so a long line never
 * wraps back to the left margin nor widens the page. */

/* Tables and code blocks, in px and cells. */
#define BLOCK_WIDTH_GUESS 480
#define BLOCK_SLACK       8
#define CELL_MAX_CHARS    48
#define MAX_TABLE_COLUMNS 64
#define MAX_TABLE_ROWS    1000
#define MAX_INLINE_DEPTH  32

GtkWidget *
_lean_markdown_view_new_block (GtkWidget *content,
                               gboolean   fill,
                               int        margins)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *viewport = gtk_viewport_new (NULL, NULL);

  /* The content gets its natural width, scrolling when that is more than
   * the text has room for; its height is always all of it. */
  gtk_scrollable_set_hscroll_policy (GTK_SCROLLABLE (viewport), GTK_SCROLL_NATURAL);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), viewport);
  /* EXTERNAL: no vertical scrollbar, and the height is
   * _lean_markdown_view_size_block()'s, not the content's height at its
   * narrowest (NEVER asks for that). */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_EXTERNAL);
  gtk_widget_add_css_class (scroller, "lean-md-block");
  gtk_widget_add_css_class (scroller, fill ? "lean-md-code" : "lean-md-table");
  g_object_set_data (G_OBJECT (scroller), "lean-margins", GINT_TO_POINTER (margins));
  if (fill)
    g_object_set_data (G_OBJECT (scroller), "lean-fill", GINT_TO_POINTER (TRUE));
  return scroller;
}

/* The width a block may take: the view's text area less the margins of
 * the paragraph it sits in. Before the first allocation a modest guess;
 * the real width follows right after (see resize_after_layout in
 * lean-markdown-view.c). */
static int
block_width (LeanMarkdownView *self,
             GtkWidget        *block)
{
  GtkTextView *view = GTK_TEXT_VIEW (self);
  int margins = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (block), "lean-margins"));
  int width = self->allocated_width > 0 ? self->allocated_width : BLOCK_WIDTH_GUESS;

  width -= gtk_text_view_get_left_margin (view) + gtk_text_view_get_right_margin (view);
  width -= margins + BLOCK_SLACK;
  return MAX (width, BLOCK_MIN_WIDTH);
}

/* A text view gives an anchored child its minimum size, and a scrolled
 * window's minimum is next to nothing: the box asks for the size it should
 * have. Code boxes span the text; tables are as wide as their columns, up
 * to the text's width; both as tall as all of their content. */
void
_lean_markdown_view_size_block (LeanMarkdownView *self,
                                GtkWidget        *block)
{
  GtkWidget *viewport = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (block));
  GtkWidget *content = gtk_viewport_get_child (GTK_VIEWPORT (viewport));
  int available = block_width (self, block);
  int natural_width, natural_height;

  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural_width, NULL, NULL);
  gtk_widget_measure (content, GTK_ORIENTATION_VERTICAL, natural_width,
                      NULL, &natural_height, NULL, NULL);
  if (g_object_get_data (G_OBJECT (block), "lean-fill") == NULL)
    available = MIN (available, natural_width);
  gtk_widget_set_size_request (block, available, natural_height);
}

/* Text in tables and code is never hyphenated: "De-pendencies" reads as
 * a different word, and code must stay exactly as written. */
static void
forbid_hyphens (GtkLabel *label)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  pango_attr_list_unref (attrs);
}

GtkWidget *
_lean_markdown_view_new_code (const char *literal,
                              gsize       len)
{
  g_autofree char *text = NULL;
  GtkWidget *label;

  /* The trailing newline is the block's own. */
  while (len > 0 && literal[len - 1] == '\n')
    len--;
  text = g_strndup (literal != NULL ? literal : "", len);

  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_widget_add_css_class (label, "lean-md-code-text");
  forbid_hyphens (GTK_LABEL (label));
  return label;
}

typedef struct
{
  LeanMarkdownView *self;
  char             *url;
} LinkLater;

static void
link_later_free (gpointer data)
{
  LinkLater *later = data;

  g_object_unref (later->self);
  g_free (later->url);
  g_free (later);
}

static gboolean
emit_link_idle (gpointer data)
{
  LinkLater *later = data;

  _lean_markdown_view_activate_link (later->self, later->url);
  return G_SOURCE_REMOVE;
}

/* A link in a table cell. The owner may render new text in answer, which
 * destroys this label: that must not happen inside the label's own
 * handler, so the view's signal goes out from an idle. */
static gboolean
on_cell_link (GtkLabel         *label,
              const char       *url,
              LeanMarkdownView *self)
{
  LinkLater *later = g_new0 (LinkLater, 1);

  later->self = g_object_ref (self);
  later->url = g_strdup (url);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, emit_link_idle, later, link_later_free);
  return TRUE;
}

static gboolean
is_line_break_html (const char *html)
{
  return html != NULL && (g_ascii_strncasecmp (html, "<br>", 4) == 0 ||
                          g_ascii_strncasecmp (html, "<br/>", 5) == 0 ||
                          g_ascii_strncasecmp (html, "<br />", 6) == 0);
}

/* Pango markup for a table cell's inline content, every piece of text
 * escaped. cmark bounds inline nesting; @depth bounds it here too. */
static void
append_cell_markup (GString    *out,
                    cmark_node *node,
                    guint       depth)
{
  if (depth > MAX_INLINE_DEPTH)
    return;

  for (cmark_node *child = cmark_node_first_child (node);
       child != NULL;
       child = cmark_node_next (child))
    {
      const char *type = cmark_node_get_type_string (child);
      const char *open = NULL, *close = NULL;
      g_autofree char *escaped = NULL;

      switch ((int) cmark_node_get_type (child))
        {
        case CMARK_NODE_TEXT:
          escaped = g_markup_escape_text (cmark_node_get_literal (child), -1);
          g_string_append (out, escaped);
          continue;
        case CMARK_NODE_CODE:
          escaped = g_markup_escape_text (cmark_node_get_literal (child), -1);
          g_string_append_printf (out, "<tt>%s</tt>", escaped);
          continue;
        case CMARK_NODE_SOFTBREAK:
          g_string_append_c (out, ' ');
          continue;
        case CMARK_NODE_LINEBREAK:
          g_string_append_c (out, '\n');
          continue;
        case CMARK_NODE_HTML_INLINE:
          /* "<br>" is how a table cell gets a second line. */
          if (is_line_break_html (cmark_node_get_literal (child)))
            g_string_append_c (out, '\n');
          continue;
        case CMARK_NODE_EMPH:
          open = "<i>", close = "</i>";
          break;
        case CMARK_NODE_STRONG:
          open = "<b>", close = "</b>";
          break;
        case CMARK_NODE_LINK:
          {
            const char *url = cmark_node_get_url (child);

            if (url != NULL && url[0] != '\0')
              {
                escaped = g_markup_escape_text (url, -1);
                g_string_append_printf (out, "<a href=\"%s\">", escaped);
                close = "</a>";
              }
          }
          break;
        default:
          if (g_strcmp0 (type, "strikethrough") == 0)
            open = "<s>", close = "</s>";
          break;
        }

      if (open != NULL)
        g_string_append (out, open);
      append_cell_markup (out, child, depth + 1);
      if (close != NULL)
        g_string_append (out, close);
    }
}

static GtkWidget *
table_cell (LeanMarkdownView *self,
            cmark_node       *cell,
            guint8            align,
            gboolean          header)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  GtkWidget *label = gtk_label_new (NULL);
  float xalign = align == 'r' ? 1.0f : align == 'c' ? 0.5f : 0.0f;

  if (cell != NULL)
    append_cell_markup (markup, cell, 0);
  /* cmark keeps the spaces around a cell's text. */
  g_strstrip (markup->str);
  gtk_label_set_markup (GTK_LABEL (label), markup->str);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_justify (GTK_LABEL (label),
                         align == 'r' ? GTK_JUSTIFY_RIGHT :
                         align == 'c' ? GTK_JUSTIFY_CENTER : GTK_JUSTIFY_LEFT);
  /* Long prose in a cell wraps between words; a table of short cells
   * keeps one line per row and scrolls if it must. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD);
  gtk_label_set_max_width_chars (GTK_LABEL (label), CELL_MAX_CHARS);
  forbid_hyphens (GTK_LABEL (label));
  gtk_widget_set_valign (label, GTK_ALIGN_FILL);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, header ? "lean-md-th" : "lean-md-td");
  g_signal_connect_object (label, "activate-link", G_CALLBACK (on_cell_link), self, 0);
  return label;
}

GtkWidget *
_lean_markdown_view_new_table (LeanMarkdownView *self,
                               cmark_node       *table)
{
  guint n_cols = MIN (cmark_gfm_extensions_get_table_columns (table), MAX_TABLE_COLUMNS);
  const guint8 *aligns = cmark_gfm_extensions_get_table_alignments (table);
  GtkWidget *grid;
  guint y = 0, n_rows = 0;

  if (n_cols == 0)
    return NULL;

  grid = gtk_grid_new ();
  gtk_widget_add_css_class (grid, "lean-md-grid");
  for (cmark_node *row = cmark_node_first_child (table); row; row = cmark_node_next (row))
    n_rows++;

  for (cmark_node *row = cmark_node_first_child (table); row != NULL; row = cmark_node_next (row), y++)
    {
      cmark_node *cell = cmark_node_first_child (row);

      if (y == MAX_TABLE_ROWS)
        {
          /* Translators: the last line of a very long table in a spec. */
          g_autofree char *more = g_strdup_printf (ngettext ("… %u more row", "… %u more rows",
                                                             n_rows - y), n_rows - y);
          GtkWidget *label = gtk_label_new (more);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "lean-md-td");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_grid_attach (GTK_GRID (grid), label, 0, y, n_cols, 1);
          break;
        }

      for (guint col = 0; col < n_cols; col++)
        {
          /* Rows with fewer cells than the header get empty ones. */
          GtkWidget *label = table_cell (self, cell, aligns != NULL ? aligns[col] : 0,
                                         cmark_gfm_extensions_get_table_row_is_header (row));

          if (y + 1 == n_rows)
            gtk_widget_add_css_class (label, "last-row");
          gtk_grid_attach (GTK_GRID (grid), label, col, y, 1, 1);
          if (cell != NULL)
            cell = cmark_node_next (cell);
        }
    }

  return grid;
}
