/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lean-markdown-view.h"

/* Renders markdown into the buffer by walking cmark-gfm's tree once: every
 * chunk of text is inserted with the tags of the nodes it sits in. Block
 * spacing comes from tag paragraph properties (pixels-above/below) rather
 * than empty lines, so the text stays what the markdown says. */

#define INDENT_STEP 26 /* px per list/quote level */
#define MAX_DEPTH   8

typedef struct
{
  guint      line;     /* 1-based source line of the item */
  gboolean   checked;
  char      *text;     /* the item's first paragraph as plain text */
  GtkWidget *button;   /* owned by the text view (child anchor) */
} Task;

static void
task_clear (gpointer data)
{
  Task *task = data;

  g_clear_pointer (&task->text, g_free);
}

struct _LeanMarkdownView
{
  GtkTextView  parent_instance;

  int          allocated_width;

  GArray      *tasks;          /* of Task */
  gboolean     dark;
  gboolean     skip_title;     /* leave out a leading "# " heading */
  guint        resize_id;
};

G_DEFINE_FINAL_TYPE (LeanMarkdownView, lean_markdown_view, GTK_TYPE_TEXT_VIEW)

enum {
  TASK_TOGGLED,
  ACTIVATE_LINK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  cmark_list_type type;
  int             counter;
  gboolean        tight;
} ListState;

typedef struct
{
  LeanMarkdownView *self;
  GtkTextBuffer    *buffer;
  GPtrArray        *tags;        /* tags applied to text inserted now */
  GArray           *lists;       /* of ListState */
  guint             quote_depth;
  gboolean          at_item_start;
  GtkTextTag       *task_hang;   /* hanging indent of the open task item */
} Renderer;

/* Colours follow the light/dark style; Adwaita's own palette so the page looks
 * like the rest of the app. */
static void
update_colors (LeanMarkdownView *self)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  GdkRGBA code_bg, block_bg, quote_bg, link, dim, rule;

  if (self->dark)
    {
      gdk_rgba_parse (&code_bg, "rgba(255,255,255,0.08)");
      gdk_rgba_parse (&block_bg, "rgba(255,255,255,0.06)");
      gdk_rgba_parse (&quote_bg, "rgba(255,255,255,0.04)");
      gdk_rgba_parse (&link, "#78aeed");
      gdk_rgba_parse (&dim, "rgba(255,255,255,0.62)");
      gdk_rgba_parse (&rule, "rgba(255,255,255,0.30)");
    }
  else
    {
      gdk_rgba_parse (&code_bg, "rgba(0,0,6,0.07)");
      gdk_rgba_parse (&block_bg, "rgba(0,0,6,0.045)");
      gdk_rgba_parse (&quote_bg, "rgba(0,0,6,0.03)");
      gdk_rgba_parse (&link, "#1c71d8");
      gdk_rgba_parse (&dim, "rgba(0,0,6,0.58)");
      gdk_rgba_parse (&rule, "rgba(0,0,6,0.28)");
    }

  g_object_set (gtk_text_tag_table_lookup (table, "code"), "background-rgba", &code_bg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "code-block"),
                "paragraph-background-rgba", &block_bg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "table"),
                "paragraph-background-rgba", &block_bg, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "quote"),
                "paragraph-background-rgba", &quote_bg,
                "foreground-rgba", &dim, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "link"), "foreground-rgba", &link, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "dim"), "foreground-rgba", &dim, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "task-checked"), "foreground-rgba", &dim, NULL);
  g_object_set (gtk_text_tag_table_lookup (table, "rule"), "foreground-rgba", &rule, NULL);
}

/* Outside a scrolled window the view's height is its text's height, but a
 * tag change re-lays the text out in idle chunks without asking the parent
 * for a new size at the end: ask once the layout is done. Just below the
 * text view's validation idle (GDK_PRIORITY_REDRAW + 5), so it runs after
 * it; not G_PRIORITY_LOW, which a busy frame clock (a session streaming
 * into the pane beside) starves, leaving the body clipped. */
#define RESIZE_PRIORITY (GDK_PRIORITY_REDRAW + 10)
static gboolean
resize_after_layout (gpointer data)
{
  LeanMarkdownView *self = data;

  self->resize_id = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
queue_resize_after_layout (LeanMarkdownView *self)
{
  if (self->resize_id == 0)
    self->resize_id = g_idle_add_full (RESIZE_PRIORITY, resize_after_layout, self, NULL);
}

/* A new width (the session pane opening beside the spec) re-wraps the
 * text, which changes its height once laid out again. */
static void
lean_markdown_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  LeanMarkdownView *self = LEAN_MARKDOWN_VIEW (widget);

  GTK_WIDGET_CLASS (lean_markdown_view_parent_class)->size_allocate (widget, width, height,
                                                                     baseline);
  if (width != self->allocated_width)
    {
      self->allocated_width = width;
      queue_resize_after_layout (self);
    }
}

static void
on_dark_changed (LeanMarkdownView *self,
                 GParamSpec       *pspec,
                 AdwStyleManager  *manager)
{
  self->dark = adw_style_manager_get_dark (manager);
  update_colors (self);
  queue_resize_after_layout (self);
}

static void
create_tags (LeanMarkdownView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  static const double scales[] = { 1.75, 1.42, 1.2, 1.08, 1.0, 0.95 };

  /* Created in priority order: later tags win, so block spacing tags that
   * must override the paragraph default come last. */
  gtk_text_buffer_create_tag (buffer, "p", "pixels-below-lines", 12, NULL);
  gtk_text_buffer_create_tag (buffer, "tight", "pixels-below-lines", 6, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i + 1);

      gtk_text_buffer_create_tag (buffer, name,
                                  "scale", scales[i],
                                  "weight", i < 2 ? 800 : PANGO_WEIGHT_BOLD,
                                  "pixels-above-lines", i < 2 ? 22 : 16,
                                  "pixels-below-lines", i < 2 ? 10 : 6,
                                  NULL);
    }

  gtk_text_buffer_create_tag (buffer, "em", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buffer, "strong", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "strike", "strikethrough", TRUE, NULL);
  gtk_text_buffer_create_tag (buffer, "code",
                              "family", "monospace",
                              "scale", 0.92,
                              NULL);
  gtk_text_buffer_create_tag (buffer, "code-block",
                              "family", "monospace",
                              "scale", 0.9,
                              "wrap-mode", GTK_WRAP_CHAR,
                              "left-margin", 16,
                              "right-margin", 16,
                              /* every line is a paragraph: padding inside the shading */
                              "indent", 14,
                              NULL);
  gtk_text_buffer_create_tag (buffer, "table",
                              "family", "monospace",
                              "scale", 0.9,
                              "wrap-mode", GTK_WRAP_CHAR,
                              "left-margin", 16,
                              "right-margin", 16,
                              "indent", 14,
                              NULL);
  gtk_text_buffer_create_tag (buffer, "table-header", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "quote",
                              "style", PANGO_STYLE_ITALIC,
                              NULL);
  gtk_text_buffer_create_tag (buffer, "list", NULL);
  gtk_text_buffer_create_tag (buffer, "bullet", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "task", NULL);
  /* Links are coloured and done tasks dimmed, without underline or
   * strikethrough: GTK 4.8's text view draws only one kind of line
   * decoration per frame, and "~~strike~~" needs it. */
  gtk_text_buffer_create_tag (buffer, "task-checked", NULL);
  gtk_text_buffer_create_tag (buffer, "link", NULL);
  gtk_text_buffer_create_tag (buffer, "dim", NULL);
  gtk_text_buffer_create_tag (buffer, "rule",
                              "justification", GTK_JUSTIFY_CENTER,
                              "pixels-above-lines", 6,
                              "pixels-below-lines", 14,
                              NULL);

  /* Per-level indentation for lists and quotes; "indent" hangs the bullet
   * left of the text so wrapped lines align with the first word. */
  for (guint i = 1; i <= MAX_DEPTH; i++)
    {
      g_autofree char *list = g_strdup_printf ("list-%u", i);
      g_autofree char *quote = g_strdup_printf ("quote-%u", i);

      PangoTabArray *tabs = pango_tab_array_new_with_positions (1, TRUE, PANGO_TAB_LEFT, INDENT_STEP - 4);

      gtk_text_buffer_create_tag (buffer, list,
                                  "left-margin", 6 + INDENT_STEP * i,
                                  "indent", -INDENT_STEP + 4,
                                  "tabs", tabs,
                                  NULL);
      pango_tab_array_free (tabs);
      gtk_text_buffer_create_tag (buffer, quote,
                                  "left-margin", 18 * i,
                                  "right-margin", 12,
                                  NULL);
    }

  /* After the list levels so they win: a task's text starts after the
   * check box, not at the bullet's tab stop. */
  for (guint i = 1; i <= MAX_DEPTH; i++)
    {
      g_autofree char *hang = g_strdup_printf ("task-hang-%u", i);

      gtk_text_buffer_create_tag (buffer, hang,
                                  "left-margin", 6 + INDENT_STEP * i + 6,
                                  "indent", -30,
                                  "pixels-above-lines", 2,
                                  NULL);
    }

  gtk_text_buffer_create_tag (buffer, "gap", "scale", 0.3, "pixels-below-lines", 6, NULL);

  /* Spacing around blocks, last so it wins over "tight"/"p". */
  gtk_text_buffer_create_tag (buffer, "block-first", "pixels-above-lines", 10, NULL);
  gtk_text_buffer_create_tag (buffer, "block-last", "pixels-below-lines", 14, NULL);
}

/* Inserting */

static void
insert_text (Renderer   *r,
             const char *text,
             gssize      len)
{
  GtkTextIter start, end;
  int offset;

  if (text == NULL || len == 0)
    return;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  offset = gtk_text_iter_get_offset (&end);
  gtk_text_buffer_insert (r->buffer, &end, text, len);
  gtk_text_buffer_get_iter_at_offset (r->buffer, &start, offset);
  gtk_text_buffer_get_end_iter (r->buffer, &end);

  for (guint i = 0; i < r->tags->len; i++)
    gtk_text_buffer_apply_tag (r->buffer, g_ptr_array_index (r->tags, i), &start, &end);
}

static GtkTextTag *
lookup_tag (Renderer   *r,
            const char *name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (r->buffer), name);

  g_assert (tag != NULL);
  return tag;
}

static void
push_tag (Renderer   *r,
          const char *name)
{
  g_ptr_array_add (r->tags, lookup_tag (r, name));
}

static void
pop_tag (Renderer   *r,
         const char *name)
{
  GtkTextTag *tag = lookup_tag (r, name);

  for (guint i = r->tags->len; i > 0; i--)
    {
      if (g_ptr_array_index (r->tags, i - 1) == tag)
        {
          g_ptr_array_remove_index (r->tags, i - 1);
          return;
        }
    }
}

static gboolean
buffer_at_line_start (Renderer *r)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  return gtk_text_iter_starts_line (&end);
}

static void
ensure_line_start (Renderer *r)
{
  if (!buffer_at_line_start (r))
    insert_text (r, "\n", 1);
}

/* Shaded blocks (code, tables, quotes) paint their own spacing with their
 * background; whatever follows one gets a thin empty line first so the
 * shading does not run into it. */
static void
separate_from_shaded (Renderer *r)
{
  static const char *shaded[] = { "code-block", "table", "quote" };
  GtkTextIter end, prev;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  prev = end;
  if (!gtk_text_iter_backward_char (&prev))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (shaded); i++)
    {
      GtkTextTag *tag = lookup_tag (r, shaded[i]);

      /* Still inside that block (a quote's next paragraph): no gap. */
      if (gtk_text_iter_has_tag (&prev, tag) && !g_ptr_array_find (r->tags, tag, NULL))
        {
          GtkTextIter start;
          int offset = gtk_text_iter_get_offset (&end);

          gtk_text_buffer_insert (r->buffer, &end, "\n", 1);
          gtk_text_buffer_get_iter_at_offset (r->buffer, &start, offset);
          gtk_text_buffer_get_end_iter (r->buffer, &end);
          gtk_text_buffer_apply_tag (r->buffer, lookup_tag (r, "gap"), &start, &end);
          return;
        }
    }
}

/* Marks the line where a block starts so it gets space above it. */
static int
begin_block (Renderer *r)
{
  GtkTextIter end;

  ensure_line_start (r);
  separate_from_shaded (r);
  gtk_text_buffer_get_end_iter (r->buffer, &end);
  return gtk_text_iter_get_offset (&end);
}

static void
end_block (Renderer   *r,
           int         start_offset,
           gboolean    spaced)
{
  GtkTextIter start, end, last_line;

  ensure_line_start (r);
  if (!spaced)
    return;

  gtk_text_buffer_get_iter_at_offset (r->buffer, &start, start_offset);
  gtk_text_buffer_get_end_iter (r->buffer, &end);
  if (gtk_text_iter_equal (&start, &end))
    return;

  /* The block's first paragraph gets space above (unless it starts the
   * document), its last one space below. */
  if (start_offset > 0)
    {
      GtkTextIter first_end = start;

      gtk_text_iter_forward_to_line_end (&first_end);
      gtk_text_iter_forward_char (&first_end);
      gtk_text_buffer_apply_tag_by_name (r->buffer, "block-first", &start, &first_end);
    }

  last_line = end;
  gtk_text_iter_backward_char (&last_line);
  gtk_text_iter_set_line_offset (&last_line, 0);
  gtk_text_buffer_apply_tag_by_name (r->buffer, "block-last", &last_line, &end);
}

static guint
list_depth (Renderer *r)
{
  return MIN (r->lists->len, MAX_DEPTH);
}

static gboolean
in_tight_list (Renderer *r)
{
  return r->lists->len > 0 && g_array_index (r->lists, ListState, r->lists->len - 1).tight;
}

/* Every level of list or quote has its own margin tag; only the innermost
 * one may be active, or their margins would not add up. */
static void
set_indent_tag (Renderer *r)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (r->buffer);

  for (guint i = 1; i <= MAX_DEPTH; i++)
    {
      g_autofree char *list = g_strdup_printf ("list-%u", i);
      g_autofree char *quote = g_strdup_printf ("quote-%u", i);

      g_ptr_array_remove (r->tags, gtk_text_tag_table_lookup (table, list));
      g_ptr_array_remove (r->tags, gtk_text_tag_table_lookup (table, quote));
    }

  if (list_depth (r) > 0)
    {
      g_autofree char *name = g_strdup_printf ("list-%u", list_depth (r));
      push_tag (r, name);
    }
  else if (r->quote_depth > 0)
    {
      g_autofree char *name = g_strdup_printf ("quote-%u", MIN (r->quote_depth, MAX_DEPTH));
      push_tag (r, name);
    }
}

static void
on_task_button_toggled (GtkCheckButton   *button,
                        LeanMarkdownView *self)
{
  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = &g_array_index (self->tasks, Task, i);

      if (task->button == GTK_WIDGET (button))
        {
          g_signal_emit (self, signals[TASK_TOGGLED], 0,
                         task->line, gtk_check_button_get_active (button));
          return;
        }
    }
}

static void collect_text (cmark_node *node,
                          GString    *out);

/* The text view puts a child widget's bottom on the text baseline; a
 * negative bottom margin lowers the check box onto the line like a glyph. */
static GtkCssProvider *
get_task_css (void)
{
  static GtkCssProvider *provider;

  if (provider == NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_css_provider_load_from_data (provider,
                                       "checkbutton.lean-task-check { margin: 0 4px -5px 0;"
                                       " padding: 0; min-height: 0; }",
                                       -1);
    }
  return provider;
}

static void
insert_item_marker (Renderer   *r,
                    cmark_node *item)
{
  ListState *list = &g_array_index (r->lists, ListState, r->lists->len - 1);
  const char *type = cmark_node_get_type_string (item);

  /* A parent's done/open state is not its children's. */
  pop_tag (r, "task");
  pop_tag (r, "task-checked");
  if (r->task_hang != NULL)
    {
      g_ptr_array_remove (r->tags, r->task_hang);
      r->task_hang = NULL;
    }

  if (g_strcmp0 (type, "tasklist") == 0)
    {
      GtkTextIter end;
      GtkTextChildAnchor *anchor;
      GtkWidget *check;
      Task task = { 0 };

      /* Wrapped lines line up with the text after the check box; on the
       * anchor too, since paragraph margins come from a line's start. */
      {
        g_autofree char *hang = g_strdup_printf ("task-hang-%u", list_depth (r));

        push_tag (r, hang);
        r->task_hang = lookup_tag (r, hang);
      }

      task.line = cmark_node_get_start_line (item);
      task.checked = cmark_gfm_extensions_get_tasklist_item_checked (item);
      {
        GString *text = g_string_new (NULL);
        cmark_node *first = cmark_node_first_child (item);

        if (first != NULL && cmark_node_get_type (first) == CMARK_NODE_PARAGRAPH)
          collect_text (first, text);
        task.text = g_string_free (text, FALSE);
      }

      gtk_text_buffer_get_end_iter (r->buffer, &end);
      anchor = gtk_text_buffer_create_child_anchor (r->buffer, &end);
      /* The anchor character gets the item's tags too (margins). */
      {
        GtkTextIter a, b;

        gtk_text_buffer_get_end_iter (r->buffer, &b);
        a = b;
        gtk_text_iter_backward_char (&a);
        for (guint i = 0; i < r->tags->len; i++)
          gtk_text_buffer_apply_tag (r->buffer, g_ptr_array_index (r->tags, i), &a, &b);
      }

      check = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), task.checked);
      gtk_widget_add_css_class (check, "lean-task-check");
      gtk_style_context_add_provider (gtk_widget_get_style_context (check),
                                      GTK_STYLE_PROVIDER (get_task_css ()),
                                      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      gtk_widget_set_tooltip_text (check, task.checked ? _("Mark as not done") : _("Mark as done"));
      /* Screen readers announce the item, not an anonymous check box. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, task.text,
                                      -1);
      gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (r->self), check, anchor);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_task_button_toggled),
                               r->self, 0);
      task.button = check;
      g_array_append_val (r->self->tasks, task);

      insert_text (r, " ", 1);
      push_tag (r, task.checked ? "task-checked" : "task");
    }
  else if (list->type == CMARK_ORDERED_LIST)
    {
      g_autofree char *marker = g_strdup_printf ("%d.\t", list->counter++);

      push_tag (r, "bullet");
      insert_text (r, marker, -1);
      pop_tag (r, "bullet");
    }
  else
    {
      static const char *bullets[] = { "•", "◦", "▪" };
      g_autofree char *marker = g_strdup_printf ("%s\t", bullets[(list_depth (r) - 1) % 3]);

      push_tag (r, "bullet");
      insert_text (r, marker, -1);
      pop_tag (r, "bullet");
    }

  r->at_item_start = TRUE;
}

/* Tables: cells are flattened to plain text and laid out in aligned
 * monospace columns, header bold, with a rule under the header. */

static void
collect_text (cmark_node *node,
              GString    *out)
{
  for (cmark_node *child = cmark_node_first_child (node);
       child != NULL;
       child = cmark_node_next (child))
    {
      switch ((int) cmark_node_get_type (child))
        {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
          g_string_append (out, cmark_node_get_literal (child));
          break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
          g_string_append_c (out, ' ');
          break;
        case CMARK_NODE_HTML_INLINE:
          break;
        default:
          collect_text (child, out);
          break;
        }
    }
}

/* Columns a cell takes in a monospace font: wide (CJK) characters take
 * two, combining marks none. */
static guint
display_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
render_table (Renderer   *r,
              cmark_node *table)
{
  guint n_cols = cmark_gfm_extensions_get_table_columns (table);
  const guint8 *aligns = cmark_gfm_extensions_get_table_alignments (table);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree guint *widths = NULL;
  int start;

  if (n_cols == 0)
    return;

  widths = g_new0 (guint, n_cols);

  for (cmark_node *row = cmark_node_first_child (table); row; row = cmark_node_next (row))
    {
      char **cells = g_new0 (char *, n_cols + 1);
      guint col = 0;

      for (cmark_node *cell = cmark_node_first_child (row);
           cell != NULL && col < n_cols;
           cell = cmark_node_next (cell), col++)
        {
          GString *text = g_string_new (NULL);

          collect_text (cell, text);
          cells[col] = g_strstrip (g_string_free (text, FALSE));
          widths[col] = MAX (widths[col], display_width (cells[col]));
        }
      for (; col < n_cols; col++)
        cells[col] = g_strdup ("");

      g_ptr_array_add (rows, cells);
    }

  start = begin_block (r);
  push_tag (r, "table");

  for (guint i = 0; i < rows->len; i++)
    {
      char **cells = g_ptr_array_index (rows, i);
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < n_cols; c++)
        {
          guint pad = widths[c] - display_width (cells[c]);
          guint before = 0;

          if (aligns != NULL && aligns[c] == 'r')
            before = pad;
          else if (aligns != NULL && aligns[c] == 'c')
            before = pad / 2;

          if (c > 0)
            g_string_append (line, "  │  ");
          for (guint k = 0; k < before; k++)
            g_string_append_c (line, ' ');
          g_string_append (line, cells[c]);
          /* No trailing blanks after the last column. */
          if (c + 1 < n_cols)
            for (guint k = before; k < pad; k++)
              g_string_append_c (line, ' ');
        }
      g_string_append_c (line, '\n');

      if (i == 0)
        push_tag (r, "table-header");
      insert_text (r, line->str, line->len);
      if (i == 0)
        {
          GString *rule = g_string_new (NULL);

          pop_tag (r, "table-header");
          for (guint c = 0; c < n_cols; c++)
            {
              if (c > 0)
                g_string_append (rule, "──┼──");
              for (guint k = 0; k < widths[c]; k++)
                g_string_append (rule, "─");
            }
          g_string_append_c (rule, '\n');
          push_tag (r, "dim");
          insert_text (r, rule->str, rule->len);
          pop_tag (r, "dim");
          g_string_free (rule, TRUE);
        }
      g_string_free (line, TRUE);
    }

  pop_tag (r, "table");
  end_block (r, start, TRUE);
}

/* Links carry their URL on an anonymous tag, one per link. */
static void
push_link (Renderer   *r,
           const char *url)
{
  GtkTextTag *tag = gtk_text_buffer_create_tag (r->buffer, NULL, NULL);

  g_object_set_data_full (G_OBJECT (tag), "lean-url", g_strdup (url), g_free);
  g_ptr_array_add (r->tags, tag);
  push_tag (r, "link");
}

static void
pop_link (Renderer *r)
{
  pop_tag (r, "link");
  for (guint i = r->tags->len; i > 0; i--)
    {
      GtkTextTag *tag = g_ptr_array_index (r->tags, i - 1);

      if (g_object_get_data (G_OBJECT (tag), "lean-url") != NULL)
        {
          g_ptr_array_remove_index (r->tags, i - 1);
          return;
        }
    }
}

static gboolean
is_html_comment (const char *html)
{
  while (html != NULL && g_ascii_isspace (*html))
    html++;
  return html != NULL && g_str_has_prefix (html, "<!--");
}

/* `leanspec create` writes "> **Status**: 📅 Planned · **Priority**: ..."
 * under the title and never updates it, so it goes stale; the page header
 * shows the live values.  Only a quote among the first blocks whose text
 * starts with a bold "Status" field counts; the file is left alone. */
static gboolean
is_metadata_quote (cmark_node *doc,
                   cmark_node *node)
{
  cmark_node *para, *strong, *label, *after;
  const char *text;
  guint index = 0;

  if (cmark_node_get_type (node) != CMARK_NODE_BLOCK_QUOTE || cmark_node_parent (node) != doc)
    return FALSE;
  for (cmark_node *prev = cmark_node_previous (node); prev != NULL; prev = cmark_node_previous (prev))
    if (++index >= 3)
      return FALSE;

  para = cmark_node_first_child (node);
  if (para == NULL || cmark_node_get_type (para) != CMARK_NODE_PARAGRAPH)
    return FALSE;
  strong = cmark_node_first_child (para);
  if (strong == NULL || cmark_node_get_type (strong) != CMARK_NODE_STRONG)
    return FALSE;
  label = cmark_node_first_child (strong);
  if (label == NULL || cmark_node_get_type (label) != CMARK_NODE_TEXT
      || g_strcmp0 (cmark_node_get_literal (label), "Status") != 0)
    return FALSE;
  after = cmark_node_next (strong);
  text = after != NULL && cmark_node_get_type (after) == CMARK_NODE_TEXT
         ? cmark_node_get_literal (after) : NULL;

  return text != NULL && text[0] == ':';
}

static void
render_document (LeanMarkdownView *self,
                 cmark_node       *doc)
{
  Renderer r = { 0 };
  cmark_iter *iter;
  cmark_event_type ev;
  GArray *block_starts = g_array_new (FALSE, FALSE, sizeof (int));

  r.self = self;
  r.buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  r.tags = g_ptr_array_new ();
  r.lists = g_array_new (FALSE, FALSE, sizeof (ListState));

  iter = cmark_iter_new (doc);
  while ((ev = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);
      gboolean enter = ev == CMARK_EVENT_ENTER;
      int node_type;
      const char *type_string = cmark_node_get_type_string (node);

      /* The page shows the title above the body already. */
      if (self->skip_title && enter && cmark_node_get_type (node) == CMARK_NODE_HEADING &&
          cmark_node_get_heading_level (node) == 1 && cmark_node_parent (node) == doc &&
          cmark_node_previous (node) == NULL)
        {
          cmark_iter_reset (iter, node, CMARK_EVENT_EXIT);
          continue;
        }

      if (self->skip_title && enter && is_metadata_quote (doc, node))
        {
          cmark_iter_reset (iter, node, CMARK_EVENT_EXIT);
          continue;
        }

      if (g_strcmp0 (type_string, "table") == 0)
        {
          if (enter)
            {
              render_table (&r, node);
              cmark_iter_reset (iter, node, CMARK_EVENT_EXIT);
            }
          continue;
        }

      if (g_strcmp0 (type_string, "strikethrough") == 0)
        {
          if (enter)
            push_tag (&r, "strike");
          else
            pop_tag (&r, "strike");
          continue;
        }

      /* cmark's enum is open-ended (extensions add types): a plain int
       * switch with a default. */
      node_type = cmark_node_get_type (node);
      switch (node_type)
        {
        case CMARK_NODE_DOCUMENT:
          break;

        case CMARK_NODE_HEADING:
          {
            g_autofree char *name = g_strdup_printf ("h%d", CLAMP (cmark_node_get_heading_level (node), 1, 6));

            if (enter)
              {
                ensure_line_start (&r);
                separate_from_shaded (&r);
                push_tag (&r, name);
              }
            else
              {
                insert_text (&r, "\n", 1);
                pop_tag (&r, name);
              }
          }
          break;

        case CMARK_NODE_PARAGRAPH:
          {
            const char *spacing = in_tight_list (&r) ? "tight" : "p";

            if (enter)
              {
                if (!r.at_item_start)
                  {
                    ensure_line_start (&r);
                    separate_from_shaded (&r);
                  }
                r.at_item_start = FALSE;
                push_tag (&r, spacing);
              }
            else
              {
                insert_text (&r, "\n", 1);
                pop_tag (&r, spacing);
              }
          }
          break;

        case CMARK_NODE_BLOCK_QUOTE:
          if (enter)
            {
              int start = begin_block (&r);

              g_array_append_val (block_starts, start);
              r.quote_depth++;
              set_indent_tag (&r);
              push_tag (&r, "quote");
            }
          else
            {
              int start = g_array_index (block_starts, int, block_starts->len - 1);

              g_array_set_size (block_starts, block_starts->len - 1);
              pop_tag (&r, "quote");
              r.quote_depth--;
              set_indent_tag (&r);
              end_block (&r, start, r.quote_depth == 0);
            }
          break;

        case CMARK_NODE_LIST:
          if (enter)
            {
              ListState list = {
                cmark_node_get_list_type (node),
                cmark_node_get_list_start (node),
                cmark_node_get_list_tight (node),
              };
              int start;

              r.at_item_start = FALSE;
              start = begin_block (&r);
              g_array_append_val (block_starts, start);
              g_array_append_val (r.lists, list);
              set_indent_tag (&r);
              push_tag (&r, "list");
            }
          else
            {
              int start = g_array_index (block_starts, int, block_starts->len - 1);

              g_array_set_size (block_starts, block_starts->len - 1);
              pop_tag (&r, "list");
              g_array_set_size (r.lists, r.lists->len - 1);
              set_indent_tag (&r);
              /* A nested list is part of its item: no gap around it. */
              end_block (&r, start, r.lists->len == 0);
            }
          break;

        case CMARK_NODE_ITEM:
          if (enter)
            {
              ensure_line_start (&r);
              insert_item_marker (&r, node);
            }
          else
            {
              pop_tag (&r, "task");
              pop_tag (&r, "task-checked");
              if (r.task_hang != NULL)
                {
                  g_ptr_array_remove (r.tags, r.task_hang);
                  r.task_hang = NULL;
                }
              r.at_item_start = FALSE;
              ensure_line_start (&r);
            }
          break;

        case CMARK_NODE_CODE_BLOCK:
          {
            const char *literal = cmark_node_get_literal (node);
            gsize len = literal ? strlen (literal) : 0;
            int start;

            /* Trailing newline is the block's own; we add ours. */
            if (len > 0 && literal[len - 1] == '\n')
              len--;
            r.at_item_start = FALSE;
            start = begin_block (&r);
            push_tag (&r, "code-block");
            insert_text (&r, len > 0 ? literal : " ", len > 0 ? (gssize) len : 1);
            insert_text (&r, "\n", 1);
            pop_tag (&r, "code-block");
            end_block (&r, start, TRUE);
          }
          break;

        case CMARK_NODE_HTML_BLOCK:
          if (!is_html_comment (cmark_node_get_literal (node)))
            {
              const char *literal = cmark_node_get_literal (node);
              gsize len = literal ? strlen (literal) : 0;

              while (len > 0 && literal[len - 1] == '\n')
                len--;
              if (len > 0)
                {
                  int start = begin_block (&r);

                  push_tag (&r, "code-block");
                  insert_text (&r, literal, len);
                  insert_text (&r, "\n", 1);
                  pop_tag (&r, "code-block");
                  end_block (&r, start, TRUE);
                }
            }
          break;

        case CMARK_NODE_THEMATIC_BREAK:
          ensure_line_start (&r);
          push_tag (&r, "rule");
          insert_text (&r, "•   •   •\n", -1);
          pop_tag (&r, "rule");
          break;

        case CMARK_NODE_TEXT:
          insert_text (&r, cmark_node_get_literal (node), -1);
          break;

        case CMARK_NODE_SOFTBREAK:
          insert_text (&r, " ", 1);
          break;

        case CMARK_NODE_LINEBREAK:
          /* U+2028 breaks the line without starting a new paragraph, so
           * list indentation and spacing stay as they are. */
          insert_text (&r, "\u2028", -1);
          break;

        case CMARK_NODE_CODE:
          push_tag (&r, "code");
          insert_text (&r, cmark_node_get_literal (node), -1);
          pop_tag (&r, "code");
          break;

        case CMARK_NODE_HTML_INLINE:
          if (!is_html_comment (cmark_node_get_literal (node)))
            {
              push_tag (&r, "code");
              insert_text (&r, cmark_node_get_literal (node), -1);
              pop_tag (&r, "code");
            }
          break;

        case CMARK_NODE_EMPH:
          if (enter)
            push_tag (&r, "em");
          else
            pop_tag (&r, "em");
          break;

        case CMARK_NODE_STRONG:
          if (enter)
            push_tag (&r, "strong");
          else
            pop_tag (&r, "strong");
          break;

        case CMARK_NODE_LINK:
          if (enter)
            push_link (&r, cmark_node_get_url (node));
          else
            pop_link (&r);
          break;

        case CMARK_NODE_IMAGE:
          /* No images in a text view: show the alt text, dimmed, as a link
           * to the image. */
          if (enter)
            {
              push_link (&r, cmark_node_get_url (node));
              push_tag (&r, "em");
              /* Translators: before an image's description in a spec */
              insert_text (&r, _("Image: "), -1);
            }
          else
            {
              pop_tag (&r, "em");
              pop_link (&r);
            }
          break;

        default:
          break;
        }
    }
  cmark_iter_free (iter);

  /* Drop the final newline so the view ends with the last block. */
  {
    GtkTextIter start, end;

    gtk_text_buffer_get_end_iter (r.buffer, &end);
    start = end;
    if (gtk_text_iter_backward_char (&start) && gtk_text_iter_get_char (&start) == '\n')
      gtk_text_buffer_delete (r.buffer, &start, &end);
  }

  g_ptr_array_unref (r.tags);
  g_array_unref (r.lists);
  g_array_unref (block_starts);
}

/* Links: activated by a click without a drag, pointer cursor on hover. */

static const char *
url_at_iter (GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l != NULL; l = l->next)
    {
      const char *url = g_object_get_data (l->data, "lean-url");

      if (url != NULL)
        return url;
    }
  return NULL;
}

static const char *
url_at_point (LeanMarkdownView *self,
              double            x,
              double            y)
{
  GtkTextIter iter;
  int bx, by;

  gtk_text_view_window_to_buffer_coords (GTK_TEXT_VIEW (self), GTK_TEXT_WINDOW_WIDGET,
                                         (int) x, (int) y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (GTK_TEXT_VIEW (self), &iter, bx, by))
    return NULL;
  return url_at_iter (&iter);
}

static void
on_click_released (GtkGestureClick  *gesture,
                   int               n_press,
                   double            x,
                   double            y,
                   LeanMarkdownView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextIter sel_start, sel_end;
  const char *url;
  gboolean handled = FALSE;

  /* A drag that selected text is not a click on the link. */
  if (gtk_text_buffer_get_selection_bounds (buffer, &sel_start, &sel_end))
    return;

  url = url_at_point (self, x, y);
  if (url == NULL || *url == '\0')
    return;

  g_signal_emit (self, signals[ACTIVATE_LINK], 0, url, &handled);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           LeanMarkdownView         *self)
{
  gboolean over = url_at_point (self, x, y) != NULL;

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), over ? "pointer" : "text");
}

static void
launch_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open link: %s", error->message);
}

gboolean
lean_markdown_link_is_safe (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0
                            || g_ascii_strcasecmp (scheme, "https") == 0
                            || g_ascii_strcasecmp (scheme, "mailto") == 0);
}

static void
launch_uri (GtkWidget  *widget,
            const char *uri)
{
  g_autoptr(GAppLaunchContext) context = NULL;

  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, launch_done, NULL);
}

static void
on_open_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "lean-uri");

  if (g_strcmp0 (response, "open") == 0 && uri != NULL)
    launch_uri (GTK_WIDGET (dialog), uri);
}

void
lean_markdown_open_uri (GtkWidget  *widget,
                        const char *uri,
                        gboolean    ask)
{
  GtkRoot *root;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (uri != NULL);

  if (!ask)
    {
      launch_uri (widget, uri);
      return;
    }

  root = gtk_widget_get_root (widget);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Open This Link?"), NULL);
  body = g_strdup_printf (_("“%s” is not a web or mail address inside this project. It opens "
                            "with whatever program this computer has for it. Open it only if "
                            "you trust the spec’s author."), uri);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "lean-uri", g_strdup (uri), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
lean_markdown_view_real_activate_link (LeanMarkdownView *self,
                                       const char       *url)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);

  /* Relative links have no scheme: the owner resolves them (it knows the
   * spec folder); we only open absolute ones. */
  if (scheme == NULL)
    return FALSE;

  lean_markdown_open_uri (GTK_WIDGET (self), url, !lean_markdown_link_is_safe (url));
  return TRUE;
}

/* GObject */

static void
lean_markdown_view_dispose (GObject *object)
{
  LeanMarkdownView *self = LEAN_MARKDOWN_VIEW (object);

  g_clear_handle_id (&self->resize_id, g_source_remove);

  G_OBJECT_CLASS (lean_markdown_view_parent_class)->dispose (object);
}

static void
lean_markdown_view_finalize (GObject *object)
{
  LeanMarkdownView *self = LEAN_MARKDOWN_VIEW (object);

  g_clear_pointer (&self->tasks, g_array_unref);

  G_OBJECT_CLASS (lean_markdown_view_parent_class)->finalize (object);
}

static void
lean_markdown_view_class_init (LeanMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = lean_markdown_view_dispose;
  object_class->finalize = lean_markdown_view_finalize;
  GTK_WIDGET_CLASS (klass)->size_allocate = lean_markdown_view_size_allocate;

  signals[TASK_TOGGLED] =
    g_signal_new ("task-toggled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);

  /* Returns TRUE when handled; the default handler opens absolute URLs. */
  signals[ACTIVATE_LINK] =
    g_signal_new_class_handler ("activate-link",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (lean_markdown_view_real_activate_link),
                                g_signal_accumulator_true_handled, NULL, NULL,
                                G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
}

static void
lean_markdown_view_init (LeanMarkdownView *self)
{
  GtkTextView *view = GTK_TEXT_VIEW (self);
  GtkGesture *click;
  GtkEventController *motion;
  AdwStyleManager *manager = adw_style_manager_get_default ();

  self->tasks = g_array_new (FALSE, TRUE, sizeof (Task));
  g_array_set_clear_func (self->tasks, task_clear);

  gtk_text_view_set_editable (view, FALSE);
  gtk_text_view_set_cursor_visible (view, FALSE);
  gtk_text_view_set_wrap_mode (view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_pixels_inside_wrap (view, 3);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lean-markdown");

  create_tags (self);
  self->dark = adw_style_manager_get_dark (manager);
  update_colors (self);
  g_signal_connect_object (manager, "notify::dark", G_CALLBACK (on_dark_changed), self,
                           G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
lean_markdown_view_new (void)
{
  return g_object_new (LEAN_TYPE_MARKDOWN_VIEW, NULL);
}

static void
collect_link_tag (GtkTextTag *tag,
                  gpointer    data)
{
  if (g_object_get_data (G_OBJECT (tag), "lean-url") != NULL)
    g_ptr_array_add (data, tag);
}

void
lean_markdown_view_set_markdown (LeanMarkdownView *self,
                                 const char       *markdown)
{
  static const char *extensions[] = { "table", "tasklist", "strikethrough", "autolink" };
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  cmark_parser *parser;
  cmark_node *doc;
  guint focused_task = G_MAXUINT;

  g_return_if_fail (LEAN_IS_MARKDOWN_VIEW (self));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));

  /* A keyboard user who just ticked a box keeps focus on that item when
   * the new text arrives. */
  for (guint i = 0; i < self->tasks->len; i++)
    if (gtk_widget_has_focus (g_array_index (self->tasks, Task, i).button))
      focused_task = i;

  /* Take the check boxes out before the text goes. Deleting the text would
   * unparent them from inside the buffer's delete-range, and after a
   * pointer click on a box GTK then re-validates a layout whose text is
   * half deleted (SIGSEGV). Focus moves to the view first so no box is
   * the focus widget while it goes. */
  if (focused_task != G_MAXUINT)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = &g_array_index (self->tasks, Task, i);

      if (task->button != NULL && gtk_widget_get_parent (task->button) == GTK_WIDGET (self))
        gtk_text_view_remove (GTK_TEXT_VIEW (self), task->button);
      task->button = NULL;
    }

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  g_array_set_size (self->tasks, 0);

  /* Anonymous link tags of the previous text. */
  {
    GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
    g_autoptr(GPtrArray) stale = g_ptr_array_new ();

    gtk_text_tag_table_foreach (table, collect_link_tag, stale);
    for (guint i = 0; i < stale->len; i++)
      {
        gtk_text_tag_table_remove (table, g_ptr_array_index (stale, i));
      }
  }

  if (markdown == NULL || *markdown == '\0')
    return;

  cmark_gfm_core_extensions_ensure_registered ();
  parser = cmark_parser_new (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      cmark_syntax_extension *ext = cmark_find_syntax_extension (extensions[i]);

      if (ext != NULL)
        cmark_parser_attach_syntax_extension (parser, ext);
    }
  cmark_parser_feed (parser, markdown, strlen (markdown));
  doc = cmark_parser_finish (parser);

  render_document (self, doc);

  cmark_node_free (doc);
  cmark_parser_free (parser);

  if (focused_task < self->tasks->len)
    gtk_widget_grab_focus (g_array_index (self->tasks, Task, focused_task).button);

  queue_resize_after_layout (self);
}

void
lean_markdown_view_set_skip_title (LeanMarkdownView *self,
                                   gboolean          skip_title)
{
  g_return_if_fail (LEAN_IS_MARKDOWN_VIEW (self));

  self->skip_title = !!skip_title;
}

guint
lean_markdown_view_get_n_tasks (LeanMarkdownView *self)
{
  g_return_val_if_fail (LEAN_IS_MARKDOWN_VIEW (self), 0);

  return self->tasks->len;
}

guint
lean_markdown_view_get_task_line (LeanMarkdownView *self,
                                  guint             index)
{
  g_return_val_if_fail (LEAN_IS_MARKDOWN_VIEW (self), 0);

  if (index >= self->tasks->len)
    return 0;
  return g_array_index (self->tasks, Task, index).line;
}

const char *
lean_markdown_view_get_task_text (LeanMarkdownView *self,
                                  guint             index)
{
  g_return_val_if_fail (LEAN_IS_MARKDOWN_VIEW (self), NULL);

  if (index >= self->tasks->len)
    return NULL;
  return g_array_index (self->tasks, Task, index).text;
}

gboolean
lean_markdown_view_get_task_checked (LeanMarkdownView *self,
                                     guint             index)
{
  g_return_val_if_fail (LEAN_IS_MARKDOWN_VIEW (self), FALSE);

  if (index >= self->tasks->len)
    return FALSE;
  return g_array_index (self->tasks, Task, index).checked;
}

void
lean_markdown_view_activate_task (LeanMarkdownView *self,
                                  guint             index)
{
  Task *task;

  g_return_if_fail (LEAN_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (index < self->tasks->len);

  task = &g_array_index (self->tasks, Task, index);
  /* Goes through the button so what the user sees matches the signal. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (task->button), !task->checked);
}
