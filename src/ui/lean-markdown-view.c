/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lean-markdown-link.h"
#include "lean-markdown-view.h"

/* Renders markdown into the buffer by walking cmark-gfm's tree once: every
 * chunk of text is inserted with the tags of the nodes it sits in. Block
 * spacing comes from tag paragraph properties (pixels-above/below) rather
 * than empty lines, so the text stays what the markdown says. */

#define INDENT_STEP 26 /* px per list/quote level */
#define MAX_DEPTH   8
#define MAX_INLINE_DEPTH 32

/* Tables and code blocks (anchored child widgets), in px and cells. */
#define BLOCK_WIDTH_GUESS 480
#define BLOCK_MIN_WIDTH   120
#define BLOCK_SLACK       8
#define CELL_MAX_CHARS    48
#define MAX_TABLE_COLUMNS 64
#define MAX_TABLE_ROWS    1000

typedef struct
{
  guint      line;     /* 1-based source line of the item */
  gboolean   checked;
  char      *text;     /* the item's first paragraph as plain text */
  GtkWidget *button;   /* owned by the text view (child anchor) */
  int        start;    /* buffer offsets of the text the done/open tag is on */
  int        end;
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
  char        *markdown;       /* as last rendered */
  GPtrArray   *blocks;         /* tables and code boxes, owned by the view */
  gboolean     dark;
  gboolean     skip_title;     /* leave out a leading "# " heading */
  guint        resize_id;
  guint        size_blocks_id;
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
  GString          *pending;     /* text not yet in the buffer, all with ... */
  GPtrArray        *pending_tags; /* ... these tags */
  GArray           *lists;       /* of ListState */
  GArray           *block_starts; /* offsets of the open quotes and lists */
  guint             quote_depth;
  gboolean          at_item_start;
  GtkTextTag       *task_hang;   /* hanging indent of the open task item */
  int               open_task;   /* index of the task whose text is inserted now, or -1 */
} Renderer;

/* Colours follow the light/dark style; Adwaita's own palette so the page looks
 * like the rest of the app. */
static void
update_colors (LeanMarkdownView *self)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
  GdkRGBA code_bg, quote_bg, link, dim, rule;

  if (self->dark)
    {
      gdk_rgba_parse (&code_bg, "rgba(255,255,255,0.08)");
      gdk_rgba_parse (&quote_bg, "rgba(255,255,255,0.04)");
      gdk_rgba_parse (&link, "#78aeed");
      gdk_rgba_parse (&dim, "rgba(255,255,255,0.62)");
      gdk_rgba_parse (&rule, "rgba(255,255,255,0.30)");
    }
  else
    {
      gdk_rgba_parse (&code_bg, "rgba(0,0,6,0.07)");
      gdk_rgba_parse (&quote_bg, "rgba(0,0,6,0.03)");
      gdk_rgba_parse (&link, "#1c71d8");
      gdk_rgba_parse (&dim, "rgba(0,0,6,0.58)");
      gdk_rgba_parse (&rule, "rgba(0,0,6,0.28)");
    }

  g_object_set (gtk_text_tag_table_lookup (table, "code"), "background-rgba", &code_bg, NULL);
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
static void size_block (LeanMarkdownView *self,
                        GtkWidget        *block);

static gboolean
resize_after_layout (gpointer data)
{
  LeanMarkdownView *self = data;

  self->resize_id = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

/* Tables and code boxes follow the view's width; the text view lays their
 * lines out again when they ask for a new size. Before the next layout
 * (not after the text view's validation, which takes seconds on a long
 * spec), so the boxes never show at a stale width for long. */
static gboolean
size_blocks_cb (gpointer data)
{
  LeanMarkdownView *self = data;

  self->size_blocks_id = 0;
  for (guint i = 0; i < self->blocks->len; i++)
    size_block (self, g_ptr_array_index (self->blocks, i));
  return G_SOURCE_REMOVE;
}

static void
queue_size_blocks (LeanMarkdownView *self)
{
  if (self->size_blocks_id == 0 && self->blocks->len > 0)
    self->size_blocks_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, size_blocks_cb, self, NULL);
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
      queue_size_blocks (self);
      queue_resize_after_layout (self);
    }
}

/* A text view is at least as wide as its widest line, and a table or code
 * box sized for the last width is one: the page could then never get
 * narrower again. The boxes follow the width instead (resize_after_layout),
 * so the view asks for no minimum width of its own. */
static void
lean_markdown_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  GTK_WIDGET_CLASS (lean_markdown_view_parent_class)->measure (widget, orientation, for_size,
                                                               minimum, natural,
                                                               minimum_baseline,
                                                               natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = MIN (*minimum, BLOCK_MIN_WIDTH);
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
  /* Mark the paragraph holding a code box or a table (child widgets). */
  gtk_text_buffer_create_tag (buffer, "code-block", NULL);
  gtk_text_buffer_create_tag (buffer, "table", NULL);
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

/* Text goes into the buffer a run of equally tagged text at a time: the
 * buffer copies a line's text on each insert into it, so inserting a long
 * paragraph word by word would take time quadratic in its length, and a
 * spec with a paragraph of megabytes would freeze the window. */
static void
flush_pending (Renderer *r)
{
  GtkTextIter start, end;
  int offset;

  if (r->pending->len == 0)
    return;

  gtk_text_buffer_get_end_iter (r->buffer, &end);
  offset = gtk_text_iter_get_offset (&end);
  gtk_text_buffer_insert (r->buffer, &end, r->pending->str, r->pending->len);
  gtk_text_buffer_get_iter_at_offset (r->buffer, &start, offset);
  gtk_text_buffer_get_end_iter (r->buffer, &end);

  for (guint i = 0; i < r->pending_tags->len; i++)
    gtk_text_buffer_apply_tag (r->buffer, g_ptr_array_index (r->pending_tags, i), &start, &end);
  g_string_truncate (r->pending, 0);
}

static gboolean
tags_are_pending_tags (Renderer *r)
{
  if (r->tags->len != r->pending_tags->len)
    return FALSE;
  for (guint i = 0; i < r->tags->len; i++)
    if (g_ptr_array_index (r->tags, i) != g_ptr_array_index (r->pending_tags, i))
      return FALSE;
  return TRUE;
}

static void
insert_text (Renderer   *r,
             const char *text,
             gssize      len)
{
  if (text == NULL || len == 0)
    return;

  if (r->pending->len > 0 && !tags_are_pending_tags (r))
    flush_pending (r);
  if (r->pending->len == 0)
    {
      g_ptr_array_set_size (r->pending_tags, 0);
      for (guint i = 0; i < r->tags->len; i++)
        g_ptr_array_add (r->pending_tags, g_ptr_array_index (r->tags, i));
    }
  g_string_append_len (r->pending, text, len);
}

/* The end of the text so far; whatever reads or changes the buffer itself
 * asks for it, so the pending text is in the buffer first. */
static void
renderer_get_end_iter (Renderer    *r,
                       GtkTextIter *end)
{
  flush_pending (r);
  gtk_text_buffer_get_end_iter (r->buffer, end);
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

  renderer_get_end_iter (r, &end);
  return gtk_text_iter_starts_line (&end);
}

static void
ensure_line_start (Renderer *r)
{
  if (!buffer_at_line_start (r))
    insert_text (r, "\n", 1);
}

/* Quotes paint their own spacing with their background; whatever follows
 * one gets a thin empty line first so the shading does not run into it. */
static void
separate_from_shaded (Renderer *r)
{
  static const char *shaded[] = { "quote" };
  GtkTextIter end, prev;

  renderer_get_end_iter (r, &end);
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
          renderer_get_end_iter (r, &end);
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
  renderer_get_end_iter (r, &end);
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

  renderer_get_end_iter (r, &end);
  gtk_text_buffer_get_iter_at_offset (r->buffer, &start, start_offset);
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
static GtkTextChildAnchor *insert_anchor (Renderer *r);

/* The child widgets' style, here rather than in the app's style.css so the
 * view looks the same wherever it is used. The text view puts a child
 * widget's bottom on the text baseline; a negative bottom margin lowers the
 * check box onto the line like a glyph. Colours are the text colour made
 * faint, so they follow the light and dark styles. */
static const char view_css[] =
  "checkbutton.lean-task-check { margin: 0 4px -5px 0; padding: 0; min-height: 0; }\n"
  ".lean-md-block { border-radius: 8px; }\n"
  ".lean-md-code { background-color: alpha(currentColor, 0.06); }\n"
  ".lean-md-code-text { font-family: monospace; font-size: 0.9em; padding: 10px 14px 12px 14px; }\n"
  ".lean-md-grid { border: 1px solid alpha(currentColor, 0.14); border-radius: 8px; }\n"
  ".lean-md-th, .lean-md-td { padding: 6px 12px; font-size: 0.95em;"
  " border-bottom: 1px solid alpha(currentColor, 0.09); }\n"
  ".lean-md-th { font-weight: bold; background-color: alpha(currentColor, 0.05);"
  " border-bottom-color: alpha(currentColor, 0.18); }\n"
  ".lean-md-td.last-row { border-bottom-width: 0; }\n";

static void
ensure_view_css (void)
{
  static GtkCssProvider *provider;
  GdkDisplay *display = gdk_display_get_default ();

  if (provider != NULL || display == NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, view_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* The done/open tag of the current task item ends here. */
static void
end_task_text (Renderer *r)
{
  GtkTextIter end;

  pop_tag (r, "task");
  pop_tag (r, "task-checked");
  if (r->open_task < 0)
    return;
  renderer_get_end_iter (r, &end);
  g_array_index (r->self->tasks, Task, r->open_task).end = gtk_text_iter_get_offset (&end);
  r->open_task = -1;
}

static void
insert_item_marker (Renderer   *r,
                    cmark_node *item)
{
  ListState *list = &g_array_index (r->lists, ListState, r->lists->len - 1);
  const char *type = cmark_node_get_type_string (item);

  /* A parent's done/open state is not its children's. */
  end_task_text (r);
  if (r->task_hang != NULL)
    {
      g_ptr_array_remove (r->tags, r->task_hang);
      r->task_hang = NULL;
    }

  if (g_strcmp0 (type, "tasklist") == 0)
    {
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

      anchor = insert_anchor (r);
      check = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), task.checked);
      gtk_widget_add_css_class (check, "lean-task-check");
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
      {
        GtkTextIter end;

        renderer_get_end_iter (r, &end);
        r->open_task = r->self->tasks->len - 1;
        g_array_index (r->self->tasks, Task, r->open_task).start = gtk_text_iter_get_offset (&end);
        g_array_index (r->self->tasks, Task, r->open_task).end = -1;
      }
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

/* Plain text of inline content, for a task's label. */
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

/* Blocks that scroll sideways: tables and code are child widgets in a
 * horizontally scrolling box anchored in the text, so a long line never
 * wraps back to the left margin nor widens the page. */

/* Margins of the paragraph being inserted: as in the text view, the tag
 * with the highest priority that sets a margin wins. */
static int
current_margins (Renderer *r)
{
  int left = 0, right = 0, left_priority = -1, right_priority = -1;

  for (guint i = 0; i < r->tags->len; i++)
    {
      GtkTextTag *tag = g_ptr_array_index (r->tags, i);
      int priority = gtk_text_tag_get_priority (tag);
      gboolean left_set, right_set;
      int left_margin, right_margin;

      g_object_get (tag,
                    "left-margin-set", &left_set, "left-margin", &left_margin,
                    "right-margin-set", &right_set, "right-margin", &right_margin,
                    NULL);
      if (left_set && priority > left_priority)
        {
          left_priority = priority;
          left = left_margin;
        }
      if (right_set && priority > right_priority)
        {
          right_priority = priority;
          right = right_margin;
        }
    }
  return left + right;
}

/* The width a block may take: the view's text area less the margins of
 * the paragraph it sits in. Before the first allocation a modest guess;
 * the real width follows right after (see resize_after_layout). */
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
static void
size_block (LeanMarkdownView *self,
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

static GtkTextChildAnchor *
insert_anchor (Renderer *r)
{
  GtkTextIter start, end;
  GtkTextChildAnchor *anchor;

  renderer_get_end_iter (r, &end);
  anchor = gtk_text_buffer_create_child_anchor (r->buffer, &end);
  /* The anchor character gets the tags of its paragraph too: margins come
   * from a line's first character. */
  renderer_get_end_iter (r, &end);
  start = end;
  gtk_text_iter_backward_char (&start);
  for (guint i = 0; i < r->tags->len; i++)
    gtk_text_buffer_apply_tag (r->buffer, g_ptr_array_index (r->tags, i), &start, &end);
  return anchor;
}

/* A paragraph of its own holding @content in a box that scrolls
 * sideways; @tag_name marks the paragraph ("code-block", "table"). */
static void
insert_block (Renderer   *r,
              GtkWidget  *content,
              const char *tag_name,
              gboolean    fill)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *viewport = gtk_viewport_new (NULL, NULL);
  GtkTextChildAnchor *anchor;
  int start;

  r->at_item_start = FALSE;
  start = begin_block (r);
  push_tag (r, tag_name);

  /* The content gets its natural width, scrolling when that is more than
   * the text has room for; its height is always all of it. */
  gtk_scrollable_set_hscroll_policy (GTK_SCROLLABLE (viewport), GTK_SCROLL_NATURAL);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), viewport);
  /* EXTERNAL: no vertical scrollbar, and the height is size_block()'s,
   * not the content's height at its narrowest (NEVER asks for that). */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_EXTERNAL);
  gtk_widget_add_css_class (scroller, "lean-md-block");
  gtk_widget_add_css_class (scroller, fill ? "lean-md-code" : "lean-md-table");
  g_object_set_data (G_OBJECT (scroller), "lean-margins", GINT_TO_POINTER (current_margins (r)));
  if (fill)
    g_object_set_data (G_OBJECT (scroller), "lean-fill", GINT_TO_POINTER (TRUE));

  anchor = insert_anchor (r);
  gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (r->self), scroller, anchor);
  g_ptr_array_add (r->self->blocks, scroller);
  size_block (r->self, scroller);

  insert_text (r, "\n", 1);
  pop_tag (r, tag_name);
  end_block (r, start, TRUE);
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

static void
render_code (Renderer   *r,
             const char *literal,
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
  insert_block (r, label, "code-block", TRUE);
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
  gboolean handled = FALSE;

  g_signal_emit (later->self, signals[ACTIVATE_LINK], 0, later->url, &handled);
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

static void
render_table (Renderer   *r,
              cmark_node *table)
{
  guint n_cols = MIN (cmark_gfm_extensions_get_table_columns (table), MAX_TABLE_COLUMNS);
  const guint8 *aligns = cmark_gfm_extensions_get_table_alignments (table);
  GtkWidget *grid;
  guint y = 0, n_rows = 0;

  if (n_cols == 0)
    return;

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
          GtkWidget *label = table_cell (r->self, cell, aligns != NULL ? aligns[col] : 0,
                                         cmark_gfm_extensions_get_table_row_is_header (row));

          if (y + 1 == n_rows)
            gtk_widget_add_css_class (label, "last-row");
          gtk_grid_attach (GTK_GRID (grid), label, col, y, 1, 1);
          if (cell != NULL)
            cell = cmark_node_next (cell);
        }
    }

  insert_block (r, grid, "table", FALSE);
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

/* One function per kind of node; each gets the enter and the exit event
 * (leaves only enter). */

static void
render_heading (Renderer   *r,
                cmark_node *node,
                gboolean    enter)
{
  g_autofree char *name = g_strdup_printf ("h%d", CLAMP (cmark_node_get_heading_level (node), 1, 6));

  if (enter)
    {
      ensure_line_start (r);
      separate_from_shaded (r);
      push_tag (r, name);
    }
  else
    {
      insert_text (r, "\n", 1);
      pop_tag (r, name);
    }
}

static void
render_paragraph (Renderer *r,
                  gboolean  enter)
{
  const char *spacing = in_tight_list (r) ? "tight" : "p";

  if (enter)
    {
      if (!r->at_item_start)
        {
          ensure_line_start (r);
          separate_from_shaded (r);
        }
      r->at_item_start = FALSE;
      push_tag (r, spacing);
    }
  else
    {
      insert_text (r, "\n", 1);
      pop_tag (r, spacing);
    }
}

static int
pop_block_start (Renderer *r)
{
  int start = g_array_index (r->block_starts, int, r->block_starts->len - 1);

  g_array_set_size (r->block_starts, r->block_starts->len - 1);
  return start;
}

static void
render_block_quote (Renderer *r,
                    gboolean  enter)
{
  if (enter)
    {
      int start = begin_block (r);

      g_array_append_val (r->block_starts, start);
      r->quote_depth++;
      set_indent_tag (r);
      push_tag (r, "quote");
    }
  else
    {
      int start = pop_block_start (r);

      pop_tag (r, "quote");
      r->quote_depth--;
      set_indent_tag (r);
      end_block (r, start, r->quote_depth == 0);
    }
}

static void
render_list (Renderer   *r,
             cmark_node *node,
             gboolean    enter)
{
  if (enter)
    {
      ListState list = {
        cmark_node_get_list_type (node),
        cmark_node_get_list_start (node),
        cmark_node_get_list_tight (node),
      };
      int start;

      r->at_item_start = FALSE;
      start = begin_block (r);
      g_array_append_val (r->block_starts, start);
      g_array_append_val (r->lists, list);
      set_indent_tag (r);
      push_tag (r, "list");
    }
  else
    {
      int start = pop_block_start (r);

      pop_tag (r, "list");
      g_array_set_size (r->lists, r->lists->len - 1);
      set_indent_tag (r);
      /* A nested list is part of its item: no gap around it. */
      end_block (r, start, r->lists->len == 0);
    }
}

static void
render_item (Renderer   *r,
             cmark_node *node,
             gboolean    enter)
{
  if (enter)
    {
      ensure_line_start (r);
      insert_item_marker (r, node);
      return;
    }

  end_task_text (r);
  if (r->task_hang != NULL)
    {
      g_ptr_array_remove (r->tags, r->task_hang);
      r->task_hang = NULL;
    }
  r->at_item_start = FALSE;
  ensure_line_start (r);
}

static void
render_html_block (Renderer   *r,
                   cmark_node *node)
{
  const char *literal = cmark_node_get_literal (node);

  if (literal == NULL || is_html_comment (literal))
    return;
  /* Shown as written, like code: a text view cannot render HTML. */
  if (*literal != '\0')
    render_code (r, literal, strlen (literal));
}

static void
render_thematic_break (Renderer *r)
{
  ensure_line_start (r);
  push_tag (r, "rule");
  insert_text (r, "•   •   •\n", -1);
  pop_tag (r, "rule");
}

/* Inline nodes: text and the tags around it. */
static void
render_inline (Renderer   *r,
               cmark_node *node,
               gboolean    enter)
{
  switch ((int) cmark_node_get_type (node))
    {
    case CMARK_NODE_TEXT:
      insert_text (r, cmark_node_get_literal (node), -1);
      break;

    case CMARK_NODE_SOFTBREAK:
      insert_text (r, " ", 1);
      break;

    case CMARK_NODE_LINEBREAK:
      /* U+2028 breaks the line without starting a new paragraph, so
       * list indentation and spacing stay as they are. */
      insert_text (r, "\u2028", -1);
      break;

    case CMARK_NODE_CODE:
      push_tag (r, "code");
      insert_text (r, cmark_node_get_literal (node), -1);
      pop_tag (r, "code");
      break;

    case CMARK_NODE_HTML_INLINE:
      if (!is_html_comment (cmark_node_get_literal (node)))
        {
          push_tag (r, "code");
          insert_text (r, cmark_node_get_literal (node), -1);
          pop_tag (r, "code");
        }
      break;

    case CMARK_NODE_EMPH:
      if (enter)
        push_tag (r, "em");
      else
        pop_tag (r, "em");
      break;

    case CMARK_NODE_STRONG:
      if (enter)
        push_tag (r, "strong");
      else
        pop_tag (r, "strong");
      break;

    case CMARK_NODE_LINK:
      if (enter)
        push_link (r, cmark_node_get_url (node));
      else
        pop_link (r);
      break;

    case CMARK_NODE_IMAGE:
      /* No images in a text view: show the alt text, dimmed, as a link
       * to the image. */
      if (enter)
        {
          push_link (r, cmark_node_get_url (node));
          push_tag (r, "em");
          /* Translators: before an image's description in a spec */
          insert_text (r, _("Image: "), -1);
        }
      else
        {
          pop_tag (r, "em");
          pop_link (r);
        }
      break;

    default:
      if (g_strcmp0 (cmark_node_get_type_string (node), "strikethrough") == 0)
        {
          if (enter)
            push_tag (r, "strike");
          else
            pop_tag (r, "strike");
        }
      break;
    }
}

/* Whether @node is left out because the page shows it already: the title
 * heading and the status quote `leanspec create` writes under it. */
static gboolean
is_skipped (LeanMarkdownView *self,
            cmark_node       *doc,
            cmark_node       *node)
{
  if (!self->skip_title)
    return FALSE;
  if (cmark_node_get_type (node) == CMARK_NODE_HEADING &&
      cmark_node_get_heading_level (node) == 1 && cmark_node_parent (node) == doc &&
      cmark_node_previous (node) == NULL)
    return TRUE;
  return is_metadata_quote (doc, node);
}

/* Renders one event of the walk; returns TRUE when the node's children
 * were rendered with it (the walk skips them). */
static gboolean
render_node (Renderer   *r,
             cmark_node *node,
             gboolean    enter)
{
  /* cmark's enum is open-ended (extensions add types): a plain int
   * switch with a default. */
  switch ((int) cmark_node_get_type (node))
    {
    case CMARK_NODE_DOCUMENT:
      return FALSE;
    case CMARK_NODE_HEADING:
      render_heading (r, node, enter);
      return FALSE;
    case CMARK_NODE_PARAGRAPH:
      render_paragraph (r, enter);
      return FALSE;
    case CMARK_NODE_BLOCK_QUOTE:
      render_block_quote (r, enter);
      return FALSE;
    case CMARK_NODE_LIST:
      render_list (r, node, enter);
      return FALSE;
    case CMARK_NODE_ITEM:
      render_item (r, node, enter);
      return FALSE;
    case CMARK_NODE_CODE_BLOCK:
      {
        const char *literal = cmark_node_get_literal (node);

        render_code (r, literal, literal != NULL ? strlen (literal) : 0);
      }
      return FALSE;
    case CMARK_NODE_HTML_BLOCK:
      render_html_block (r, node);
      return FALSE;
    case CMARK_NODE_THEMATIC_BREAK:
      render_thematic_break (r);
      return FALSE;
    default:
      if (g_strcmp0 (cmark_node_get_type_string (node), "table") == 0)
        {
          if (enter)
            render_table (r, node);
          return TRUE;
        }
      render_inline (r, node, enter);
      return FALSE;
    }
}

static void
render_document (LeanMarkdownView *self,
                 cmark_node       *doc)
{
  Renderer r = { 0 };
  cmark_iter *iter;
  cmark_event_type ev;

  r.self = self;
  r.buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  r.tags = g_ptr_array_new ();
  r.pending = g_string_new (NULL);
  r.pending_tags = g_ptr_array_new ();
  r.lists = g_array_new (FALSE, FALSE, sizeof (ListState));
  r.block_starts = g_array_new (FALSE, FALSE, sizeof (int));
  r.open_task = -1;

  iter = cmark_iter_new (doc);
  while ((ev = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);
      gboolean enter = ev == CMARK_EVENT_ENTER;

      if (enter && is_skipped (self, doc, node))
        {
          cmark_iter_reset (iter, node, CMARK_EVENT_EXIT);
          continue;
        }
      if (render_node (&r, node, enter) && enter)
        cmark_iter_reset (iter, node, CMARK_EVENT_EXIT);
    }
  cmark_iter_free (iter);

  /* Drop the final newline so the view ends with the last block. */
  {
    GtkTextIter start, end;

    renderer_get_end_iter (&r, &end);
    start = end;
    if (gtk_text_iter_backward_char (&start) && gtk_text_iter_get_char (&start) == '\n')
      gtk_text_buffer_delete (r.buffer, &start, &end);
  }

  g_ptr_array_unref (r.tags);
  g_string_free (r.pending, TRUE);
  g_ptr_array_unref (r.pending_tags);
  g_array_unref (r.lists);
  g_array_unref (r.block_starts);
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
  g_clear_handle_id (&self->size_blocks_id, g_source_remove);
  /* The text view destroys its children itself. */
  g_ptr_array_set_size (self->blocks, 0);

  G_OBJECT_CLASS (lean_markdown_view_parent_class)->dispose (object);
}

static void
lean_markdown_view_finalize (GObject *object)
{
  LeanMarkdownView *self = LEAN_MARKDOWN_VIEW (object);

  g_clear_pointer (&self->tasks, g_array_unref);
  g_clear_pointer (&self->markdown, g_free);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);

  G_OBJECT_CLASS (lean_markdown_view_parent_class)->finalize (object);
}

static void
lean_markdown_view_class_init (LeanMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = lean_markdown_view_dispose;
  object_class->finalize = lean_markdown_view_finalize;
  GTK_WIDGET_CLASS (klass)->size_allocate = lean_markdown_view_size_allocate;
  GTK_WIDGET_CLASS (klass)->measure = lean_markdown_view_measure;

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
  self->blocks = g_ptr_array_new ();
  ensure_view_css ();

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
remove_child (LeanMarkdownView *self,
              GtkWidget        *child)
{
  if (child != NULL && gtk_widget_get_parent (child) == GTK_WIDGET (self))
    gtk_text_view_remove (GTK_TEXT_VIEW (self), child);
}

/* Takes the check boxes, tables and code boxes out before the text goes.
 * Deleting the text would unparent them from inside the buffer's
 * delete-range, and after a pointer click on one GTK then re-validates a
 * layout whose text is half deleted (SIGSEGV). Focus moves to the view
 * first so none of them holds the focus while it goes. */
static void
remove_children (LeanMarkdownView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && focus != GTK_WIDGET (self) &&
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));

  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = &g_array_index (self->tasks, Task, i);

      remove_child (self, task->button);
      task->button = NULL;
    }
  for (guint i = 0; i < self->blocks->len; i++)
    remove_child (self, g_ptr_array_index (self->blocks, i));
  g_ptr_array_set_size (self->blocks, 0);
}

static void
collect_link_tag (GtkTextTag *tag,
                  gpointer    data)
{
  if (g_object_get_data (G_OBJECT (tag), "lean-url") != NULL)
    g_ptr_array_add (data, tag);
}

static cmark_node *
parse_markdown (const char    *markdown,
                cmark_parser **parser_out)
{
  static const char *extensions[] = { "table", "tasklist", "strikethrough", "autolink" };
  cmark_parser *parser;

  cmark_gfm_core_extensions_ensure_registered ();
  parser = cmark_parser_new (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      cmark_syntax_extension *ext = cmark_find_syntax_extension (extensions[i]);

      if (ext != NULL)
        cmark_parser_attach_syntax_extension (parser, ext);
    }
  cmark_parser_feed (parser, markdown, strlen (markdown));
  *parser_out = parser;
  return cmark_parser_finish (parser);
}

/* Whether @a and @b differ only inside task boxes ("[ ]" against "[x]"). */
static gboolean
differ_only_in_ticks (const char *a,
                      const char *b)
{
  gsize len = strlen (a);

  if (len != strlen (b))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (a[i] != b[i] &&
        (i == 0 || i + 1 >= len || a[i - 1] != '[' || a[i + 1] != ']' ||
         strchr (" xX", a[i]) == NULL || strchr (" xX", b[i]) == NULL))
      return FALSE;
  return TRUE;
}

/* A tick written to the file comes back as the same text with one box
 * changed: the boxes and the done/open style change in place. Rebuilding
 * the text would replace every check box, and a click on the next box
 * made while that happens would be lost. FALSE if the items do not line
 * up (then the caller renders everything). */
static gboolean
update_ticks (LeanMarkdownView *self,
              const char       *markdown)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Task));
  cmark_parser *parser;
  cmark_node *doc = parse_markdown (markdown, &parser);
  cmark_iter *iter = cmark_iter_new (doc);
  cmark_event_type ev;
  gboolean ok;

  while ((ev = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);

      if (ev == CMARK_EVENT_ENTER && cmark_node_get_type (node) == CMARK_NODE_ITEM &&
          g_strcmp0 (cmark_node_get_type_string (node), "tasklist") == 0)
        {
          Task item = { 0 };

          item.line = cmark_node_get_start_line (node);
          item.checked = cmark_gfm_extensions_get_tasklist_item_checked (node);
          g_array_append_val (items, item);
        }
    }
  cmark_iter_free (iter);
  cmark_node_free (doc);
  cmark_parser_free (parser);

  ok = items->len == self->tasks->len;
  for (guint i = 0; ok && i < items->len; i++)
    {
      Task *task = &g_array_index (self->tasks, Task, i);

      ok = task->line == g_array_index (items, Task, i).line && task->button != NULL;
    }
  if (!ok)
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      Task *task = &g_array_index (self->tasks, Task, i);
      gboolean checked = g_array_index (items, Task, i).checked;

      /* The box may show a click whose write failed: the file decides. */
      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (task->button)) != checked)
        {
          g_signal_handlers_block_by_func (task->button, on_task_button_toggled, self);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (task->button), checked);
          g_signal_handlers_unblock_by_func (task->button, on_task_button_toggled, self);
        }
      if (task->checked == checked)
        continue;
      task->checked = checked;
      gtk_widget_set_tooltip_text (task->button, checked ? _("Mark as not done") : _("Mark as done"));
      if (task->end > task->start)
        {
          GtkTextIter start, end;

          gtk_text_buffer_get_iter_at_offset (buffer, &start, task->start);
          gtk_text_buffer_get_iter_at_offset (buffer, &end, task->end);
          gtk_text_buffer_remove_tag_by_name (buffer, checked ? "task" : "task-checked", &start, &end);
          gtk_text_buffer_apply_tag_by_name (buffer, checked ? "task-checked" : "task", &start, &end);
        }
    }
  return TRUE;
}

void
lean_markdown_view_set_markdown (LeanMarkdownView *self,
                                 const char       *markdown)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  cmark_parser *parser;
  cmark_node *doc;
  guint focused_task = G_MAXUINT;
  g_autofree char *shown = NULL;

  g_return_if_fail (LEAN_IS_MARKDOWN_VIEW (self));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));

  if (markdown != NULL && self->markdown != NULL && self->tasks->len > 0 &&
      strcmp (self->markdown, markdown) != 0 &&
      differ_only_in_ticks (self->markdown, markdown) && update_ticks (self, markdown))
    {
      g_free (self->markdown);
      self->markdown = g_strdup (markdown);
      return;
    }
  g_free (self->markdown);
  self->markdown = g_strdup (markdown);

  /* A keyboard user who just ticked a box keeps focus on that item when
   * the new text arrives. */
  for (guint i = 0; i < self->tasks->len; i++)
    if (gtk_widget_has_focus (g_array_index (self->tasks, Task, i).button))
      focused_task = i;

  remove_children (self);

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

  if (strlen (markdown) > LEAN_MARKDOWN_VIEW_MAX_SHOWN)
    {
      const char *cut = g_utf8_find_prev_char (markdown, markdown + LEAN_MARKDOWN_VIEW_MAX_SHOWN + 1);
      const char *line_end = g_strrstr_len (markdown, cut - markdown, "\n");

      /* Said after the text, so the lines shown still map to the file. */
      shown = g_strdup_printf ("%.*s\n\n---\n\n*%s*\n",
                               (int)((line_end != NULL ? line_end : cut) - markdown), markdown,
                               _("This text is too long to show whole: only its beginning is shown. Open the file in an editor to read the rest."));
      markdown = shown;
    }

  doc = parse_markdown (markdown, &parser);
  render_document (self, doc);

  cmark_node_free (doc);
  cmark_parser_free (parser);

  if (focused_task < self->tasks->len)
    gtk_widget_grab_focus (g_array_index (self->tasks, Task, focused_task).button);

  queue_size_blocks (self);
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
