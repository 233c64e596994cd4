/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lean-markdown-link.h"
#include "lean-markdown-view-private.h"

/* The widget around the rendered text (lean-markdown-render.c): its tags
 * and colours, its size and that of its boxes, task and link clicks, and
 * the public API. */

#define INDENT_STEP 26 /* px per list/quote level */

static void
task_clear (gpointer data)
{
  Task *task = data;

  g_clear_pointer (&task->text, g_free);
}

G_DEFINE_FINAL_TYPE (LeanMarkdownView, lean_markdown_view, GTK_TYPE_TEXT_VIEW)

enum {
  TASK_TOGGLED,
  ACTIVATE_LINK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
    _lean_markdown_view_size_block (self, g_ptr_array_index (self->blocks, i));
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

void
_lean_markdown_view_task_toggled (GtkCheckButton   *button,
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

void
_lean_markdown_view_activate_link (LeanMarkdownView *self,
                                   const char       *url)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[ACTIVATE_LINK], 0, url, &handled);
}

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
          g_signal_handlers_block_by_func (task->button, _lean_markdown_view_task_toggled, self);
          gtk_check_button_set_active (GTK_CHECK_BUTTON (task->button), checked);
          g_signal_handlers_unblock_by_func (task->button, _lean_markdown_view_task_toggled, self);
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
  _lean_markdown_view_render (self, doc);

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
