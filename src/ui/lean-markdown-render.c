/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lean-markdown-view-private.h"

/* Renders markdown into the buffer by walking cmark-gfm's tree once: every
 * chunk of text is inserted with the tags of the nodes it sits in. Block
 * spacing comes from tag paragraph properties (pixels-above/below) rather
 * than empty lines, so the text stays what the markdown says. */

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

static void collect_text (cmark_node *node,
                          GString    *out);
static GtkTextChildAnchor *insert_anchor (Renderer *r);

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
      g_signal_connect_object (check, "toggled", G_CALLBACK (_lean_markdown_view_task_toggled),
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

/* Tables and code blocks: boxes that scroll sideways
 * (lean-markdown-blocks.c), each anchored in a paragraph of its own. */

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
  GtkWidget *block;
  GtkTextChildAnchor *anchor;
  int start;

  r->at_item_start = FALSE;
  start = begin_block (r);
  push_tag (r, tag_name);

  block = _lean_markdown_view_new_block (content, fill, current_margins (r));
  anchor = insert_anchor (r);
  gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (r->self), block, anchor);
  g_ptr_array_add (r->self->blocks, block);
  _lean_markdown_view_size_block (r->self, block);

  insert_text (r, "\n", 1);
  pop_tag (r, tag_name);
  end_block (r, start, TRUE);
}

static void
render_code (Renderer   *r,
             const char *literal,
             gsize       len)
{
  insert_block (r, _lean_markdown_view_new_code (literal, len), "code-block", TRUE);
}

static void
render_table (Renderer   *r,
              cmark_node *table)
{
  GtkWidget *grid = _lean_markdown_view_new_table (r->self, table);

  if (grid != NULL)
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

void
_lean_markdown_view_render (LeanMarkdownView *self,
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
