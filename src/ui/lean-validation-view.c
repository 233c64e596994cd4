/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "lean-terminal-view.h"
#include "lean-validation-view.h"

typedef struct
{
  LeanCheckRun *run;
  GtkWidget    *row;        /* AdwExpanderRow */
  GtkWidget    *icon;
  GtkWidget    *spinner;
  GtkWidget    *terminal;   /* LeanTerminalView */
} CheckRow;

struct _LeanValidationView
{
  GtkWidget       parent_instance;

  GtkWidget      *scroller;
  GtkWidget      *title_label;
  GtkWidget      *summary_label;
  GtkWidget      *cancel_button;
  GtkWidget      *send_button;
  GtkWidget      *checks_list;
  GtkWidget      *completion_heading;
  GtkWidget      *completion_list;
  GtkWidget      *critic_heading;
  GtkWidget      *critic_summary;
  GtkWidget      *critic_list;

  LeanValidation *validation;
  GPtrArray      *rows;       /* CheckRow */
  gboolean        can_send;
};

enum { PROP_0, PROP_VALIDATION, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SEND_FAILURES, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanValidationView, lean_validation_view, GTK_TYPE_WIDGET)

static void
check_row_free (gpointer data)
{
  CheckRow *row = data;

  g_clear_object (&row->run);
  g_free (row);
}

static CheckRow *
find_row (LeanValidationView *self,
          LeanCheckRun       *run)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      CheckRow *row = g_ptr_array_index (self->rows, i);

      if (row->run == run)
        return row;
    }
  return NULL;
}

/* Pipes give bare newlines; a terminal wants CR LF. */
static void
feed_output (CheckRow     *row,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(GString) text = g_string_sized_new (len + len / 16);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_string_append_c (text, '\r');
      g_string_append_c (text, data[i]);
    }
  lean_terminal_view_feed_data (LEAN_TERMINAL_VIEW (row->terminal), text->str, text->len);
}

static void
remove_classes (GtkWidget *widget)
{
  gtk_widget_remove_css_class (widget, "success");
  gtk_widget_remove_css_class (widget, "error");
  gtk_widget_remove_css_class (widget, "warning");
  gtk_widget_remove_css_class (widget, "dim-label");
}

static void
update_row (CheckRow *row)
{
  LeanCheckStatus status = lean_check_run_get_status (row->run);
  LeanCheckCounts counts = lean_check_run_get_counts (row->run);
  g_autoptr(GString) subtitle = g_string_new (lean_check_status_get_label (status));
  const char *icon = NULL, *css = NULL;

  switch (status)
    {
    case LEAN_CHECK_STATUS_PASSED:
      icon = "emblem-ok-symbolic", css = "success";
      break;
    case LEAN_CHECK_STATUS_FAILED:
    case LEAN_CHECK_STATUS_ERROR:
      icon = "dialog-error-symbolic", css = "error";
      break;
    case LEAN_CHECK_STATUS_TIMEOUT:
      icon = "dialog-warning-symbolic", css = "warning";
      break;
    case LEAN_CHECK_STATUS_SKIPPED:
    case LEAN_CHECK_STATUS_PENDING:
      icon = "view-more-horizontal-symbolic", css = "dim-label";
      break;
    case LEAN_CHECK_STATUS_RUNNING:
    default:
      break;
    }

  gtk_widget_set_visible (row->spinner, status == LEAN_CHECK_STATUS_RUNNING);
  gtk_spinner_set_spinning (GTK_SPINNER (row->spinner), status == LEAN_CHECK_STATUS_RUNNING);
  gtk_widget_set_visible (row->icon, icon != NULL);
  if (icon != NULL)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (row->icon), icon);
      remove_classes (row->icon);
      gtk_widget_add_css_class (row->icon, css);
    }

  if (lean_check_run_is_finished (row->run) && status != LEAN_CHECK_STATUS_ERROR &&
      status != LEAN_CHECK_STATUS_SKIPPED)
    g_string_append_printf (subtitle, " · %.1f s",
                            lean_check_run_get_duration_ms (row->run) / 1000.0);
  if (counts.found)
    g_string_append_printf (subtitle, _(" · %u passed, %u failed, %u skipped"),
                            counts.passed, counts.failed, counts.skipped);
  if (lean_check_run_get_exit_code (row->run) > 0)
    g_string_append_printf (subtitle, _(" · exit status %d"),
                            lean_check_run_get_exit_code (row->run));
  if (lean_check_run_get_message (row->run) != NULL && lean_check_run_is_finished (row->run))
    g_string_append_printf (subtitle, " · %s", lean_check_run_get_message (row->run));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row->row), subtitle->str);
}

static GtkWidget *
text_row (const char *title,
          const char *subtitle,
          const char *icon,
          const char *css)
{
  GtkWidget *row = adw_action_row_new ();

  /* Outside text: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      if (css != NULL)
        gtk_widget_add_css_class (image, css);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
    }
  return row;
}

static void
clear_list (GtkWidget *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list), child);
}

static void
update_results (LeanValidationView *self)
{
  const char * const *items;
  const char * const *children;
  LeanCriticVerdict *critic;
  guint n_passed = 0, n_done = 0, n = 0;
  gboolean finished;

  if (self->validation == NULL)
    return;

  n = lean_validation_get_n_runs (self->validation);
  for (guint i = 0; i < n; i++)
    {
      LeanCheckRun *run = lean_validation_get_run (self->validation, i);

      if (lean_check_run_is_finished (run))
        n_done++;
      if (lean_check_run_get_status (run) == LEAN_CHECK_STATUS_PASSED)
        n_passed++;
    }
  finished = lean_validation_is_finished (self->validation);

  if (!finished)
    {
      g_autofree char *text = g_strdup_printf (_("Running check %u of %u…"), MIN (n_done + 1, n), n);
      gtk_label_set_text (GTK_LABEL (self->summary_label), text);
    }
  else if (lean_validation_get_passed (self->validation))
    gtk_label_set_text (GTK_LABEL (self->summary_label),
                        _("Everything passed: the spec is ready to mark complete"));
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u of %u check passed",
                                                         "%u of %u checks passed", n),
                                               n_passed, n);
      gtk_label_set_text (GTK_LABEL (self->summary_label), text);
    }
  gtk_widget_set_visible (self->cancel_button, !finished);
  gtk_widget_set_visible (self->send_button,
                          self->can_send && finished &&
                          !lean_validation_get_passed (self->validation));

  /* What the spec still has open: known from the start. */
  items = lean_validation_get_open_items (self->validation);
  children = lean_validation_get_open_children (self->validation);
  clear_list (self->completion_list);
  for (guint i = 0; items[i] != NULL; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->completion_list),
                         text_row (items[i], _("Checklist item not done"),
                                   "checkbox-symbolic", "dim-label"));
  for (guint i = 0; children[i] != NULL; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->completion_list),
                         text_row (children[i], _("Child spec not complete"),
                                   "view-list-bullet-symbolic", "dim-label"));
  gtk_widget_set_visible (self->completion_heading, items[0] != NULL || children[0] != NULL);
  gtk_widget_set_visible (self->completion_list, items[0] != NULL || children[0] != NULL);

  critic = lean_validation_get_critic (self->validation);
  clear_list (self->critic_list);
  gtk_widget_set_visible (self->critic_heading, critic != NULL);
  gtk_widget_set_visible (self->critic_summary, critic != NULL);
  gtk_widget_set_visible (self->critic_list, critic != NULL && critic->parsed &&
                          (critic->requirements->len > 0 || critic->gaps[0] != NULL));
  if (critic != NULL)
    {
      if (!critic->parsed)
        {
          g_autofree char *text = g_strdup_printf (_("The critic gave no verdict: %s"),
                                                   critic->text);
          gtk_label_set_text (GTK_LABEL (self->critic_summary), text);
        }
      else
        gtk_label_set_text (GTK_LABEL (self->critic_summary), critic->summary);
      for (guint i = 0; critic->parsed && i < critic->requirements->len; i++)
        {
          LeanCriticRequirement *req = g_ptr_array_index (critic->requirements, i);

          gtk_list_box_append (GTK_LIST_BOX (self->critic_list),
                               text_row (req->item, req->evidence,
                                         req->met ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                                         req->met ? "success" : "error"));
        }
      for (guint i = 0; critic->parsed && critic->gaps[i] != NULL; i++)
        gtk_list_box_append (GTK_LIST_BOX (self->critic_list),
                             text_row (critic->gaps[i], _("Gap"), "dialog-warning-symbolic",
                                       "warning"));
    }
}

static void
on_check_started (LeanValidation     *validation,
                  LeanCheckRun       *run,
                  LeanValidationView *self)
{
  CheckRow *row = find_row (self, run);

  if (row != NULL)
    update_row (row);
  update_results (self);
}

static void
on_check_output (LeanValidation     *validation,
                 LeanCheckRun       *run,
                 GBytes             *bytes,
                 LeanValidationView *self)
{
  CheckRow *row = find_row (self, run);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (row != NULL)
    feed_output (row, data, len);
}

static void
on_check_finished (LeanValidation     *validation,
                   LeanCheckRun       *run,
                   LeanValidationView *self)
{
  CheckRow *row = find_row (self, run);

  if (row != NULL)
    {
      update_row (row);
      /* A check that could not run has only its reason to show. */
      if (lean_check_run_get_status (run) == LEAN_CHECK_STATUS_ERROR &&
          lean_check_run_get_message (run) != NULL)
        {
          g_autofree char *line = g_strdup_printf ("%s\n", lean_check_run_get_message (run));
          feed_output (row, (const guint8 *)line, strlen (line));
        }
    }
  update_results (self);
}

static void
on_finished (LeanValidation     *validation,
             LeanValidationView *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    update_row (g_ptr_array_index (self->rows, i));
  update_results (self);
}

static CheckRow *
add_check_row (LeanValidationView *self,
               LeanCheckRun       *run)
{
  LeanCheck *check = lean_check_run_get_check (run);
  CheckRow *row = g_new0 (CheckRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  row->run = g_object_ref (run);
  row->row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), check->name);
  row->icon = gtk_image_new ();
  row->spinner = gtk_spinner_new ();
  gtk_box_append (GTK_BOX (box), row->icon);
  gtk_box_append (GTK_BOX (box), row->spinner);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row->row), box);

  row->terminal = lean_terminal_view_new ();
  gtk_widget_set_size_request (row->terminal, -1, 260);
  gtk_widget_add_css_class (row->terminal, "validation-output");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row->row), row->terminal);
  gtk_list_box_append (GTK_LIST_BOX (self->checks_list), row->row);

  /* A run restored from storage, or one that ran before it was shown. */
  if (lean_check_run_is_finished (run))
    {
      g_autoptr(GBytes) output = lean_check_run_get_output (run);
      gsize len;
      const guint8 *data = g_bytes_get_data (output, &len);

      feed_output (row, data, len);
    }
  update_row (row);
  return row;
}

static void
on_cancel_clicked (LeanValidationView *self)
{
  if (self->validation != NULL)
    lean_validation_cancel (self->validation);
}

static void
on_send_clicked (LeanValidationView *self)
{
  g_signal_emit (self, signals[SEND_FAILURES], 0);
}

void
lean_validation_view_set_validation (LeanValidationView *self,
                                     LeanValidation     *validation)
{
  g_return_if_fail (LEAN_IS_VALIDATION_VIEW (self));
  g_return_if_fail (validation == NULL || LEAN_IS_VALIDATION (validation));

  if (self->validation == validation)
    return;
  if (self->validation != NULL)
    g_signal_handlers_disconnect_by_data (self->validation, self);
  g_set_object (&self->validation, validation);

  clear_list (self->checks_list);
  g_ptr_array_set_size (self->rows, 0);
  if (validation != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Validation of %s"),
                                                lean_validation_get_spec_id (validation));

      gtk_label_set_text (GTK_LABEL (self->title_label), title);
      for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
        g_ptr_array_add (self->rows,
                         add_check_row (self, lean_validation_get_run (validation, i)));
      g_signal_connect_object (validation, "check-started", G_CALLBACK (on_check_started), self, 0);
      g_signal_connect_object (validation, "check-output", G_CALLBACK (on_check_output), self, 0);
      g_signal_connect_object (validation, "check-finished", G_CALLBACK (on_check_finished),
                               self, 0);
      g_signal_connect_object (validation, "finished", G_CALLBACK (on_finished), self, 0);
      update_results (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALIDATION]);
}

LeanValidation *
lean_validation_view_get_validation (LeanValidationView *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION_VIEW (self), NULL);
  return self->validation;
}

void
lean_validation_view_set_can_send (LeanValidationView *self,
                                   gboolean            can_send)
{
  g_return_if_fail (LEAN_IS_VALIDATION_VIEW (self));
  if (self->can_send == !!can_send)
    return;
  self->can_send = !!can_send;
  if (self->validation != NULL)
    update_results (self);
  else
    gtk_widget_set_visible (self->send_button, FALSE);
}

GtkWidget *
lean_validation_view_new (void)
{
  return g_object_new (LEAN_TYPE_VALIDATION_VIEW, NULL);
}

static void
lean_validation_view_dispose (GObject *object)
{
  LeanValidationView *self = LEAN_VALIDATION_VIEW (object);

  if (self->validation != NULL)
    g_signal_handlers_disconnect_by_data (self->validation, self);
  g_clear_object (&self->validation);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_VALIDATION_VIEW);

  G_OBJECT_CLASS (lean_validation_view_parent_class)->dispose (object);
}

static void
lean_validation_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LeanValidationView *self = LEAN_VALIDATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_VALIDATION:
      g_value_set_object (value, self->validation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_validation_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LeanValidationView *self = LEAN_VALIDATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_VALIDATION:
      lean_validation_view_set_validation (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_validation_view_class_init (LeanValidationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_validation_view_dispose;
  object_class->get_property = lean_validation_view_get_property;
  object_class->set_property = lean_validation_view_set_property;

  properties[PROP_VALIDATION] =
    g_param_spec_object ("validation", NULL, NULL, LEAN_TYPE_VALIDATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SEND_FAILURES] = g_signal_new ("send-failures", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-validation-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, scroller);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, send_button);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, checks_list);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, completion_heading);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, completion_list);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, critic_heading);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, critic_summary);
  gtk_widget_class_bind_template_child (widget_class, LeanValidationView, critic_list);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);
  gtk_widget_class_set_css_name (widget_class, "leanvalidationview");
}

static void
lean_validation_view_init (LeanValidationView *self)
{
  self->rows = g_ptr_array_new_with_free_func (check_row_free);
  self->can_send = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
}
