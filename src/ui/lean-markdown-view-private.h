/* SPDX-License-Identifier: MIT */
#pragma once

#include <cmark-gfm.h>

#include "lean-markdown-view.h"

G_BEGIN_DECLS

/* LeanMarkdownView is spread over files that share this struct:
 * lean-markdown-view.c (the widget: tags and colours, its size, link
 * clicks and hover, the public API), lean-markdown-render.c (the walk of
 * cmark-gfm's tree that fills the buffer) and lean-markdown-blocks.c (the
 * anchored boxes that scroll sideways: code blocks and tables). A link's
 * URL is "lean-url" data on an anonymous tag over its text, set by the
 * render and read by the clicks. */

#define MAX_DEPTH 8 /* list/quote levels with indentation of their own */

/* The narrowest a table or code box gets, in px: the view asks for no
 * wider a minimum (lean_markdown_view_measure). */
#define BLOCK_MIN_WIDTH 120

typedef struct
{
  guint      line;     /* 1-based source line of the item */
  gboolean   checked;
  char      *text;     /* the item's first paragraph as plain text */
  GtkWidget *button;   /* owned by the text view (child anchor) */
  int        start;    /* buffer offsets of the text the done/open tag is on */
  int        end;
} Task;

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

/* lean-markdown-view.c */
/* The user toggled a task's check box: emits "task-toggled". */
void       _lean_markdown_view_task_toggled  (GtkCheckButton   *button,
                                              LeanMarkdownView *self);
/* Emits "activate-link" for @url, as a click on a link in the text does. */
void       _lean_markdown_view_activate_link (LeanMarkdownView *self,
                                              const char       *url);

/* lean-markdown-render.c */
/* Renders @doc into the view's empty buffer, adding its task items to
 * self->tasks and its boxes to self->blocks. */
void       _lean_markdown_view_render        (LeanMarkdownView *self,
                                              cmark_node       *doc);

/* lean-markdown-blocks.c */
/* The box that scrolls @content sideways, for a paragraph whose margins
 * add up to @margins px. With @fill it spans the text (code), else it is
 * as wide as its content up to that (tables). */
GtkWidget *_lean_markdown_view_new_block     (GtkWidget        *content,
                                              gboolean          fill,
                                              int               margins);
/* Sizes @block (from _lean_markdown_view_new_block) for the view's width. */
void       _lean_markdown_view_size_block    (LeanMarkdownView *self,
                                              GtkWidget        *block);
/* The label of a code block: @len bytes of @literal, never wrapped. */
GtkWidget *_lean_markdown_view_new_code      (const char       *literal,
                                              gsize             len);
/* A grid of the cells of the table node @table; links in its cells emit
 * the view's "activate-link". NULL when the table has no columns. */
GtkWidget *_lean_markdown_view_new_table     (LeanMarkdownView *self,
                                              cmark_node       *table);

G_END_DECLS
