/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include <adwaita.h>

#include "lean-file.h"
#include "lean-spec-checks.h"
#include "lean-spec-lint.h"
#include "lean-tokens.h"

/* Sub-spec files are counted up to this size each, as LeanSpec reads them. */
#define MAX_SUB_SPEC_SIZE LEAN_SPEC_MAX_README_SIZE
/* More sub-spec files than this are summed in one row. */
#define MAX_SUB_SPEC_ROWS 12

struct _LeanSpecChecks
{
  GtkWidget          parent_instance;

  /* Template */
  GtkMenuButton     *tokens_button;
  GtkLabel          *tokens_label;
  GtkPopover        *tokens_popover;
  GtkGrid           *tokens_grid;
  GtkLabel          *tokens_status_label;
  GtkImage          *checks_icon;
  GtkLabel          *checks_label;
  GtkSpinner        *spinner;
  GtkListBox        *issues_list;

  /* State */
  LeanSpec          *spec;
  GCancellable      *cancellable;
  guint              busy;
  LeanMarkdownView  *target_view;      /* weak */
  GtkScrolledWindow *target_scroller;  /* weak */
};

G_DEFINE_FINAL_TYPE (LeanSpecChecks, lean_spec_checks, GTK_TYPE_WIDGET)

/* ---- the work, on a worker thread ------------------------------------- */

typedef struct
{
  char *name;
  gsize tokens;
  gboolean read;          /* FALSE: the file could not be read */
} SubSpecCount;

typedef struct
{
  /* in */
  LeanSpec *spec;
  GPtrArray *specs;       /* LeanSpec, the project's, or NULL */
  char *root;
  /* out */
  LeanTokenCount *count;
  LeanSpecLint *lint;
  GArray *sub_specs;      /* SubSpecCount */
} Work;

static void
sub_spec_count_clear (gpointer data)
{
  SubSpecCount *c = data;

  g_free (c->name);
}

static void
work_free (gpointer data)
{
  Work *w = data;

  g_clear_object (&w->spec);
  g_clear_pointer (&w->specs, g_ptr_array_unref);
  g_free (w->root);
  g_clear_pointer (&w->count, lean_token_count_free);
  g_clear_pointer (&w->lint, lean_spec_lint_free);
  g_clear_pointer (&w->sub_specs, g_array_unref);
  g_free (w);
}

static void
work_run (GTask        *task,
          gpointer      source,
          gpointer      task_data,
          GCancellable *cancellable)
{
  Work *w = task_data;
  const char * const *subs = lean_spec_get_sub_specs (w->spec);
  gsize len;
  const char *data = g_bytes_get_data (lean_spec_get_contents (w->spec), &len);

  w->count = lean_tokens_count_spec (data, len);

  if (!g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(LeanLintIndex) index = w->specs != NULL ? lean_lint_index_new (w->specs) : NULL;

      w->lint = lean_spec_lint (w->spec, index);
    }

  w->sub_specs = g_array_new (FALSE, TRUE, sizeof (SubSpecCount));
  g_array_set_clear_func (w->sub_specs, sub_spec_count_clear);
  for (guint i = 0; subs[i] != NULL && w->root != NULL; i++)
    {
      g_autofree char *path = g_build_filename (lean_spec_get_dir (w->spec), subs[i], NULL);
      g_autoptr(GBytes) bytes = NULL;
      SubSpecCount c = { g_strdup (subs[i]), 0, FALSE };

      if (g_cancellable_is_cancelled (cancellable))
        break;
      /* A sub-spec file may be a link: only what is inside the project. */
      bytes = lean_file_read_in_project (w->root, path, MAX_SUB_SPEC_SIZE, NULL, NULL);
      if (bytes != NULL)
        {
          gsize n;
          const char *text = g_bytes_get_data (bytes, &n);

          c.tokens = lean_tokens_count (text, n);
          c.read = TRUE;
        }
      g_array_append_val (w->sub_specs, c);
    }

  g_task_return_boolean (task, TRUE);
}

/* ---- showing ---------------------------------------------------------- */

static char *
format_count (gsize n)
{
  return g_strdup_printf ("%'" G_GSIZE_FORMAT, n);
}

/* "850", "2.1k", "12k": as LeanSpec's cards show counts. */
static char *
format_short (gsize n)
{
  if (n < 1000)
    return g_strdup_printf ("%" G_GSIZE_FORMAT, n);
  if (n < 10000)
    return g_strdup_printf ("%.1fk", n / 1000.0);
  return g_strdup_printf ("%" G_GSIZE_FORMAT "k", (n + 500) / 1000);
}

static const char *
token_status_label (LeanTokenStatus status)
{
  switch (status)
    {
    case LEAN_TOKEN_STATUS_OPTIMAL:
      return _("Optimal size");
    case LEAN_TOKEN_STATUS_GOOD:
      return _("Good size");
    case LEAN_TOKEN_STATUS_WARNING:
      return _("Getting long: consider splitting");
    case LEAN_TOKEN_STATUS_EXCESSIVE:
    default:
      return _("Too long: split it into smaller specs");
    }
}

static const char * const token_classes[] = {
  "tokens-optimal", "tokens-good", "tokens-warning", "tokens-excessive",
};

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

/* One row of the breakdown: @label, then the count in a label named @name. */
static void
add_row (GtkGrid    *grid,
         guint      *row,
         const char *label,
         const char *name,
         const char *value,
         gboolean    indent)
{
  GtkWidget *key = gtk_label_new (label);
  GtkWidget *val = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (key), 0);
  gtk_label_set_ellipsize (GTK_LABEL (key), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (key), 32);
  gtk_widget_set_tooltip_text (key, label);
  if (indent)
    gtk_widget_set_margin_start (key, 12);
  gtk_widget_add_css_class (key, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (val), 1);
  gtk_widget_add_css_class (val, "numeric");
  gtk_widget_set_name (val, name);
  gtk_grid_attach (grid, key, 0, *row, 1, 1);
  gtk_grid_attach (grid, val, 1, *row, 1, 1);
  (*row)++;
}

static void
add_count_row (GtkGrid    *grid,
               guint      *row,
               const char *label,
               const char *name,
               gsize       n,
               gboolean    indent)
{
  g_autofree char *value = format_count (n);

  add_row (grid, row, label, name, value, indent);
}

static void
add_heading (GtkGrid    *grid,
             guint      *row,
             const char *text)
{
  GtkWidget *heading = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 6);
  gtk_grid_attach (grid, heading, 0, *row, 2, 1);
  (*row)++;
}

static void
show_tokens (LeanSpecChecks *self,
             Work           *w)
{
  const LeanTokenCount *c = w->count;
  g_autofree char *chip = NULL;
  g_autofree char *short_count = format_short (c->total);
  g_autofree char *tooltip = NULL;
  guint row = 0;

  chip = g_strdup_printf (_("%s tokens"), short_count);
  gtk_label_set_text (self->tokens_label, chip);
  tooltip = g_strdup_printf (ngettext ("%'" G_GSIZE_FORMAT " token: %s",
                                       "%'" G_GSIZE_FORMAT " tokens: %s", c->total),
                             c->total, token_status_label (c->status));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->tokens_button), tooltip);
  for (guint i = 0; i < G_N_ELEMENTS (token_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->tokens_button), token_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->tokens_button),
                            token_classes[MIN ((guint) c->status, G_N_ELEMENTS (token_classes) - 1)]);
  gtk_label_set_text (self->tokens_status_label, token_status_label (c->status));

  clear_grid (self->tokens_grid);
  add_count_row (self->tokens_grid, &row, _("README.md"), "tokens-total", c->total, FALSE);
  add_count_row (self->tokens_grid, &row, _("Front matter"), "tokens-frontmatter", c->frontmatter, TRUE);
  add_count_row (self->tokens_grid, &row, _("Content"), "tokens-content", c->content, TRUE);
  add_count_row (self->tokens_grid, &row, _("Title"), "tokens-title", c->title, TRUE);

  add_heading (self->tokens_grid, &row, _("Content by kind"));
  add_count_row (self->tokens_grid, &row, _("Code blocks"), "tokens-code", c->code_blocks, TRUE);
  add_count_row (self->tokens_grid, &row, _("Checklists"), "tokens-checklists", c->checklists, TRUE);
  add_count_row (self->tokens_grid, &row, _("Prose"), "tokens-prose", c->prose, TRUE);

  if (c->sections != NULL && c->sections->len > 0)
    {
      add_heading (self->tokens_grid, &row, _("Sections"));
      for (guint i = 0; i < c->sections->len; i++)
        {
          const LeanTokenSection *s = &g_array_index (c->sections, LeanTokenSection, i);
          g_autofree char *name = g_strdup_printf ("tokens-section-%u", i);
          g_autofree char *label = g_utf8_make_valid (s->heading, -1);

          add_count_row (self->tokens_grid, &row, label, name, s->tokens, TRUE);
        }
    }

  if (w->sub_specs->len > 0)
    {
      gsize rest = 0;
      guint n_rest = 0;

      add_heading (self->tokens_grid, &row, _("Sub-spec files (not in the count)"));
      for (guint i = 0; i < w->sub_specs->len; i++)
        {
          const SubSpecCount *s = &g_array_index (w->sub_specs, SubSpecCount, i);
          g_autofree char *name = g_strdup_printf ("tokens-subspec-%u", i);
          g_autofree char *label = g_filename_display_name (s->name);

          if (i >= MAX_SUB_SPEC_ROWS)
            {
              rest += s->tokens;
              n_rest++;
            }
          else if (s->read)
            add_count_row (self->tokens_grid, &row, label, name, s->tokens, TRUE);
          else
            add_row (self->tokens_grid, &row, label, name, _("cannot be read"), TRUE);
        }
      if (n_rest > 0)
        {
          g_autofree char *label = g_strdup_printf (ngettext ("%u more file", "%u more files", n_rest),
                                                    n_rest);

          add_count_row (self->tokens_grid, &row, label, "tokens-subspec-rest", rest, TRUE);
        }
    }
}

static const char *
severity_icon (LeanLintSeverity severity)
{
  switch (severity)
    {
    case LEAN_LINT_SEVERITY_ERROR:
      return "dialog-error-symbolic";
    case LEAN_LINT_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case LEAN_LINT_SEVERITY_INFO:
    default:
      return "dialog-information-symbolic";
    }
}

static const char *
severity_label (LeanLintSeverity severity)
{
  switch (severity)
    {
    case LEAN_LINT_SEVERITY_ERROR:
      return _("Error");
    case LEAN_LINT_SEVERITY_WARNING:
      return _("Warning");
    case LEAN_LINT_SEVERITY_INFO:
    default:
      return _("Info");
    }
}

static const char *
type_label (LeanLintType type)
{
  switch (type)
    {
    case LEAN_LINT_TYPE_FRONTMATTER:
      return _("front matter");
    case LEAN_LINT_TYPE_STRUCTURE:
      return _("structure");
    case LEAN_LINT_TYPE_LENGTH:
      return _("length");
    case LEAN_LINT_TYPE_PARENT:
      return _("parent");
    case LEAN_LINT_TYPE_DEPENDENCIES:
    case LEAN_LINT_N_TYPES:
    default:
      return _("dependencies");
    }
}

/* The "## " heading a problem is about (LeanSpec names it in the message),
 * or NULL: then there is no place in the README to go to. */
static char *
issue_heading (const LeanLintIssue *issue)
{
  static const char prefix[] = "Empty section: ## ";

  if (issue->type == LEAN_LINT_TYPE_STRUCTURE && g_str_has_prefix (issue->message, prefix))
    return g_strdup (issue->message + strlen (prefix));
  return NULL;
}

static GtkWidget *
issue_row_new (const LeanLintIssue *issue)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (severity_icon (issue->severity));
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", severity_label (issue->severity),
                                               type_label (issue->type));
  g_autofree char *message = g_utf8_make_valid (issue->message, -1);
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  g_autofree char *heading = issue_heading (issue);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (icon, issue->severity == LEAN_LINT_SEVERITY_ERROR ? "error" :
                                  issue->severity == LEAN_LINT_SEVERITY_WARNING ? "warning" :
                                  "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  severity_label (issue->severity), -1);
  if (heading != NULL)
    {
      GtkWidget *go = gtk_image_new_from_icon_name ("go-next-symbolic");

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), go);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_tooltip_text (row, _("Show the section"));
      g_object_set_data_full (G_OBJECT (row), "lean-heading", g_steal_pointer (&heading), g_free);
    }
  else
    gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static void
show_lint (LeanSpecChecks *self,
           LeanSpecLint   *lint)
{
  guint n_errors = 0, n_warnings = 0;
  GtkWidget *child;
  g_autofree char *text = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->issues_list))) != NULL)
    gtk_list_box_remove (self->issues_list, child);

  for (guint i = 0; i < lint->issues->len; i++)
    {
      const LeanLintIssue *issue = &g_array_index (lint->issues, LeanLintIssue, i);

      if (issue->severity == LEAN_LINT_SEVERITY_ERROR)
        n_errors++;
      else if (issue->severity == LEAN_LINT_SEVERITY_WARNING)
        n_warnings++;
      gtk_list_box_append (self->issues_list, issue_row_new (issue));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->issues_list), lint->issues->len > 0);

  gtk_widget_remove_css_class (GTK_WIDGET (self->checks_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->checks_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->checks_icon), "error");
  switch (lint->status)
    {
    case LEAN_LINT_FAIL:
      gtk_image_set_from_icon_name (self->checks_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->checks_icon), "error");
      if (n_warnings > 0)
        text = g_strdup_printf (_("Checks: %u failed, %u warned"), n_errors, n_warnings);
      else
        text = g_strdup_printf (ngettext ("Checks: %u failed", "Checks: %u failed", n_errors), n_errors);
      break;
    case LEAN_LINT_WARN:
      gtk_image_set_from_icon_name (self->checks_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->checks_icon), "warning");
      text = g_strdup_printf (ngettext ("Checks: %u warning", "Checks: %u warnings", n_warnings),
                              n_warnings);
      break;
    case LEAN_LINT_PASS:
    default:
      gtk_image_set_from_icon_name (self->checks_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->checks_icon), "success");
      text = g_strdup (_("Checks pass"));
      break;
    }
  gtk_label_set_text (self->checks_label, text);
}

static void
set_busy (LeanSpecChecks *self,
          gboolean        busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

static void
work_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LeanSpecChecks *self = user_data;
  GTask *task = G_TASK (result);
  Work *w = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  self->busy--;
  /* A newer spec was asked for meanwhile: its own work shows it. */
  if (!g_cancellable_is_cancelled (cancellable) && w->spec == self->spec && w->lint != NULL)
    {
      show_tokens (self, w);
      show_lint (self, w->lint);
      gtk_widget_set_visible (GTK_WIDGET (self->tokens_button), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->checks_icon), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->checks_label), TRUE);
      set_busy (self, FALSE);
    }
  g_object_unref (self);
}

void
lean_spec_checks_set_spec (LeanSpecChecks *self,
                           LeanSpecStore  *store,
                           LeanSpec       *spec)
{
  GTask *task;
  Work *w;
  gboolean same_id;

  g_return_if_fail (LEAN_IS_SPEC_CHECKS (self));
  g_return_if_fail (store == NULL || LEAN_IS_SPEC_STORE (store));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  same_id = spec != NULL && self->spec != NULL &&
            g_str_equal (lean_spec_get_id (spec), lean_spec_get_id (self->spec));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->spec, spec);
  gtk_widget_set_visible (GTK_WIDGET (self), spec != NULL);
  if (spec == NULL)
    return;

  /* Another spec's figures would mislead: none until these are known. A
   * new snapshot of the same spec (after an edit) keeps them meanwhile,
   * so the chip does not blink on every write. */
  if (!same_id)
    {
      if (gtk_widget_get_visible (GTK_WIDGET (self->tokens_popover)))
        gtk_popover_popdown (self->tokens_popover);
      gtk_widget_set_visible (GTK_WIDGET (self->tokens_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->checks_icon), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->checks_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->issues_list), FALSE);
    }
  set_busy (self, TRUE);

  w = g_new0 (Work, 1);
  w->spec = g_object_ref (spec);
  if (store != NULL)
    {
      w->specs = lean_spec_store_dup_specs (store);
      w->root = g_strdup (lean_project_get_root (lean_spec_store_get_project (store)));
    }

  self->cancellable = g_cancellable_new ();
  self->busy++;
  task = g_task_new (self, self->cancellable, work_done, g_object_ref (self));
  g_task_set_source_tag (task, lean_spec_checks_set_spec);
  g_task_set_task_data (task, w, work_free);
  g_task_run_in_thread (task, work_run);
  g_object_unref (task);
}

/* ---- going to a section ----------------------------------------------- */

static gboolean
find_heading (LeanMarkdownView *view,
              const char       *heading,
              GtkTextIter      *at)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "h2");
  GtkTextIter start, match_end;

  gtk_text_buffer_get_start_iter (buffer, &start);
  while (gtk_text_iter_forward_search (&start, heading, GTK_TEXT_SEARCH_TEXT_ONLY, at,
                                       &match_end, NULL))
    {
      if (tag == NULL || gtk_text_iter_has_tag (at, tag))
        return TRUE;
      start = match_end;
    }
  return FALSE;
}

static void
on_issue_activated (GtkListBox     *list,
                    GtkListBoxRow  *row,
                    LeanSpecChecks *self)
{
  const char *heading = g_object_get_data (G_OBJECT (row), "lean-heading");
  GtkWidget *content;
  GtkAdjustment *adj;
  GdkRectangle rect;
  GtkTextIter at;
  double x, y;

  if (heading == NULL || self->target_view == NULL || self->target_scroller == NULL)
    return;
  if (!find_heading (self->target_view, heading, &at))
    return;

  /* The README is one widget of a longer page: from the text's own
   * coordinates to the page's, which the scroller's adjustment counts in. */
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (self->target_view), &at, &rect);
  gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (self->target_view), GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &rect.x, &rect.y);
  content = gtk_scrolled_window_get_child (self->target_scroller);
  if (GTK_IS_VIEWPORT (content) && gtk_viewport_get_child (GTK_VIEWPORT (content)) != NULL)
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  if (content == NULL ||
      !gtk_widget_translate_coordinates (GTK_WIDGET (self->target_view), content,
                                         rect.x, rect.y, &x, &y))
    return;
  adj = gtk_scrolled_window_get_vadjustment (self->target_scroller);
  gtk_adjustment_set_value (adj, MAX (0, y - 12));
  gtk_text_buffer_place_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->target_view)), &at);
}

void
lean_spec_checks_set_target (LeanSpecChecks    *self,
                             LeanMarkdownView  *view,
                             GtkScrolledWindow *scroller)
{
  g_return_if_fail (LEAN_IS_SPEC_CHECKS (self));

  g_set_weak_pointer (&self->target_view, view);
  g_set_weak_pointer (&self->target_scroller, scroller);
}

/* ---- the class -------------------------------------------------------- */

static void
ensure_css (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/dev/leanspec/Desktop/lean-spec-checks.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                  GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&done, 1);
    }
}

static void
lean_spec_checks_dispose (GObject *object)
{
  LeanSpecChecks *self = (LeanSpecChecks *)object;
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->spec);
  g_clear_weak_pointer (&self->target_view);
  g_clear_weak_pointer (&self->target_scroller);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SPEC_CHECKS);
  /* The template's unnamed row box is not among what that clears. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lean_spec_checks_parent_class)->dispose (object);
}

static void
lean_spec_checks_class_init (LeanSpecChecksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_checks_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/leanspec/Desktop/lean-spec-checks.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, tokens_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, tokens_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, tokens_popover);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, tokens_grid);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, tokens_status_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, checks_icon);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, checks_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, spinner);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecChecks, issues_list);
  gtk_widget_class_bind_template_callback (widget_class, on_issue_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lean-spec-checks");
}

static void
lean_spec_checks_init (LeanSpecChecks *self)
{
  GtkLayoutManager *layout;

  ensure_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
lean_spec_checks_new (void)
{
  return g_object_new (LEAN_TYPE_SPEC_CHECKS, NULL);
}

GtkWidget *
_lean_spec_checks_get_tokens_button (LeanSpecChecks *self)
{
  return GTK_WIDGET (self->tokens_button);
}

GtkWidget *
_lean_spec_checks_get_tokens_popover (LeanSpecChecks *self)
{
  return GTK_WIDGET (self->tokens_popover);
}

GtkListBox *
_lean_spec_checks_get_issues_list (LeanSpecChecks *self)
{
  return self->issues_list;
}

gboolean
_lean_spec_checks_is_busy (LeanSpecChecks *self)
{
  return self->busy > 0;
}
