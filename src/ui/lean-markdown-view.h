/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LEAN_TYPE_MARKDOWN_VIEW (lean_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanMarkdownView, lean_markdown_view, LEAN, MARKDOWN_VIEW, GtkTextView)

/* A read-only GtkTextView that renders GitHub-flavoured markdown (cmark-gfm
 * with the table, tasklist, strikethrough and autolink extensions) into its
 * buffer with tags. Task items are clickable check boxes (anchored
 * GtkCheckButtons, U+FFFC in the text); tables (a GtkGrid of labels) and
 * code blocks (a label that never wraps) are anchored widgets in boxes that
 * scroll sideways when wider than the text. Outside a scrolled window it is
 * as tall as its text, so a page can scroll it together with other widgets.
 *
 * Signals:
 *   "task-toggled" (guint line, gboolean checked): the user clicked the task
 *   item whose source line (1-based line in the markdown given to
 *   lean_markdown_view_set_markdown) is @line; @checked is the wanted state.
 *   The view does not change its text: the owner writes the file and renders
 *   the new text.
 *   "activate-link" (const char *url) -> gboolean: a link was clicked;
 *   return TRUE when handled. The default handler opens URLs that have a
 *   scheme with the default application (lean_markdown_open_uri(), asking
 *   first for any but http, https and mailto); relative links are left to
 *   the owner (it knows the folder they are relative to). */
/* The most of a text the view shows: a longer one is cut at a line end
 * below this and says so after what it shows. Specs are kilobytes; laying
 * out megabytes would freeze the window for minutes. */
#define LEAN_MARKDOWN_VIEW_MAX_SHOWN (256 * 1024)

GtkWidget  *lean_markdown_view_new            (void);
void        lean_markdown_view_set_markdown   (LeanMarkdownView *self,
                                               const char       *markdown);
/* Leaves out a level-1 heading that starts the document (the owner shows
 * the title itself); source lines of everything else are unchanged. Takes
 * effect at the next set_markdown. */
void        lean_markdown_view_set_skip_title (LeanMarkdownView *self,
                                               gboolean          skip_title);
/* Tag names used in the buffer, for tests and styling: "h1".."h6", "em",
 * "strong", "strike", "code", "code-block", "quote", "link", "list",
 * "bullet", "table", "task", "task-checked", "rule" ("code-block" and
 * "table" mark the anchor of the box). CSS classes of the boxes:
 * "lean-md-code" with a "lean-md-code-text" label, "lean-md-table" with a
 * "lean-md-grid" of "lean-md-th" (header) and "lean-md-td" cells. */

/* Number of task items rendered and the source line of the @index-th one
 * (0 if out of range); for tests and for the owner. */
guint       lean_markdown_view_get_n_tasks    (LeanMarkdownView *self);
guint       lean_markdown_view_get_task_line  (LeanMarkdownView *self,
                                               guint             index);
gboolean    lean_markdown_view_get_task_checked (LeanMarkdownView *self,
                                                 guint             index);
/* The item's text (its first paragraph, without formatting). */
const char *lean_markdown_view_get_task_text  (LeanMarkdownView *self,
                                               guint             index);
/* Same as a click on the @index-th task item. */
void        lean_markdown_view_activate_task  (LeanMarkdownView *self,
                                               guint             index);

G_END_DECLS
