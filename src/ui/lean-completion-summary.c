/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-completion.h"
#include "lean-completion-summary.h"
#include "lean-dashboard-chart.h"
#include "lean-spec.h"

struct _LeanCompletionSummary
{
  AdwWindow          parent_instance;

  LeanSessionDb     *db;
  char              *project_path;
  char              *spec_id;
  GtkWindow         *parent;      /* weak */
  AdwPreferencesGroup *work_group;
  AdwPreferencesGroup *next_group;
  GPtrArray         *rows;        /* AdwActionRow of the work */
  GHashTable        *buttons;     /* "id\x1fopen" -> button */
  GCancellable      *cancellable;
};

G_DEFINE_FINAL_TYPE (LeanCompletionSummary, lean_completion_summary, ADW_TYPE_WINDOW)

enum { SIGNAL_READY, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
format_time (gint64 usec)
{
  gint64 s = usec / G_USEC_PER_SEC;

  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min %d s"), (int) (s / 60), (int) (s % 60));
  return g_strdup_printf (_("%d h %d min"), (int) (s / 3600), (int) ((s / 60) % 60));
}

static void
add_row (LeanCompletionSummary *self,
         const char            *title,
         const char            *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (self->work_group, row);
  g_ptr_array_add (self->rows, g_strdup_printf ("%s: %s", title, value));
}

static void
on_open (GtkButton             *button,
         LeanCompletionSummary *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "lean-spec-id");

  if (self->parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->parent), "win.open-spec", "s", id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_implement (GtkButton             *button,
              LeanCompletionSummary *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "lean-spec-id");

  if (self->parent != NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self->parent), "win.open-spec", "s", id);
      gtk_widget_activate_action (GTK_WIDGET (self->parent), "win.implement", NULL);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_next_step (LeanCompletionSummary *self,
               LeanSpec              *spec)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open"));
  GtkWidget *implement = gtk_button_new_with_mnemonic (_("_Implement"));
  g_autofree char *title = g_markup_escape_text (lean_spec_get_title (spec), -1);
  g_autofree char *subtitle = g_markup_escape_text (lean_spec_get_id (spec), -1);
  const char *id = lean_spec_get_id (spec);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  for (GtkWidget *b = open; b != NULL; b = b == open ? implement : NULL)
    {
      gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (b), "lean-spec-id", g_strdup (id), g_free);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
    }
  gtk_widget_add_css_class (implement, "suggested-action");
  g_signal_connect_object (open, "clicked", G_CALLBACK (on_open), self, 0);
  g_signal_connect_object (implement, "clicked", G_CALLBACK (on_implement), self, 0);
  g_hash_table_insert (self->buttons, g_strdup_printf ("%s\x1fopen", id), open);
  g_hash_table_insert (self->buttons, g_strdup_printf ("%s\x1fimplement", id), implement);
  adw_preferences_group_add (self->next_group, row);
}

static void
work_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LeanCompletionSummary *self = source;
  LeanMetricsSpecWork *work = g_new0 (LeanMetricsSpecWork, 1);
  GError *error = NULL;

  /* What is queued (the session that just ended) is counted. */
  lean_session_db_flush (self->db);
  if (!lean_metrics_spec_work (lean_session_db_get_path (self->db), self->project_path,
                               self->spec_id, work, &error))
    {
      g_free (work);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, work, g_free);
}

static void
on_work (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LeanCompletionSummary *self = LEAN_COMPLETION_SUMMARY (source);
  g_autoptr(GError) error = NULL;
  g_autofree LeanMetricsSpecWork *work = g_task_propagate_pointer (G_TASK (result), &error);

  if (work == NULL)
    {
      g_autofree char *escaped = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      escaped = g_markup_escape_text (error->message, -1);
      adw_preferences_group_set_description (self->work_group, escaped);
    }
  else
    {
      g_autofree char *sessions = g_strdup_printf ("%u", work->sessions);
      g_autofree char *iterations = g_strdup_printf ("%u", work->iterations);
      g_autofree char *tokens = lean_dashboard_format_value (LEAN_DASHBOARD_UNIT_TOKENS, work->tokens);
      g_autofree char *cost = lean_dashboard_format_value (LEAN_DASHBOARD_UNIT_USD, work->cost_usd);
      g_autofree char *time = format_time (work->duration_usec);

      add_row (self, _("Sessions"), sessions);
      add_row (self, _("Iterations"), iterations);
      add_row (self, _("Tokens"), tokens);
      add_row (self, _("Cost"), cost);
      add_row (self, _("Agent time"), time);
      lean_completion_record (self->db, self->project_path, self->spec_id, work);
    }
  g_signal_emit (self, signals[SIGNAL_READY], 0);
}

char *
lean_completion_summary_dup_text (LeanCompletionSummary *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (LEAN_IS_COMPLETION_SUMMARY (self), NULL);
  for (guint i = 0; i < self->rows->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (self->rows, i));
  return g_string_free (out, FALSE);
}

GtkWidget *
lean_completion_summary_get_button (LeanCompletionSummary *self,
                                    const char            *spec_id,
                                    gboolean               implement)
{
  g_autofree char *key = g_strdup_printf ("%s\x1f%s", spec_id, implement ? "implement" : "open");

  g_return_val_if_fail (LEAN_IS_COMPLETION_SUMMARY (self), NULL);
  return g_hash_table_lookup (self->buttons, key);
}

static void
lean_completion_summary_dispose (GObject *object)
{
  LeanCompletionSummary *self = LEAN_COMPLETION_SUMMARY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->buttons, g_hash_table_unref);
  if (self->parent != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->parent), (gpointer *) &self->parent);
  self->parent = NULL;
  G_OBJECT_CLASS (lean_completion_summary_parent_class)->dispose (object);
}

static void
lean_completion_summary_finalize (GObject *object)
{
  LeanCompletionSummary *self = LEAN_COMPLETION_SUMMARY (object);

  g_free (self->project_path);
  g_free (self->spec_id);
  g_ptr_array_unref (self->rows);
  G_OBJECT_CLASS (lean_completion_summary_parent_class)->finalize (object);
}

static void
lean_completion_summary_class_init (LeanCompletionSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_completion_summary_dispose;
  object_class->finalize = lean_completion_summary_finalize;
  signals[SIGNAL_READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_completion_summary_init (LeanCompletionSummary *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_free);
  self->buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

LeanCompletionSummary *
lean_completion_summary_new (GtkWindow     *parent,
                             LeanSessionDb *db,
                             LeanSpecStore *store,
                             LeanSpec      *spec)
{
  LeanCompletionSummary *self = g_object_new (LEAN_TYPE_COMPLETION_SUMMARY, NULL);
  LeanProject *project = lean_spec_store_get_project (store);
  g_autoptr(GPtrArray) specs = lean_spec_store_dup_specs (store);
  g_autoptr(GPtrArray) next = lean_completion_unblocked_specs (project, specs, spec);
  g_autoptr(GTask) task = NULL;
  /* A group's title is markup in libadwaita 1.2, and the title comes from the file. */
  g_autofree char *heading = g_markup_printf_escaped (_("%s Is Complete"), lean_spec_get_title (spec));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();

  self->db = g_object_ref (db);
  self->project_path = g_strdup (lean_project_get_root (project));
  self->spec_id = g_strdup (lean_spec_get_id (spec));
  if (parent != NULL)
    {
      self->parent = parent;
      g_object_add_weak_pointer (G_OBJECT (parent), (gpointer *) &self->parent);
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
    }
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_title (GTK_WINDOW (self), _("Spec Complete"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 560);

  self->work_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->work_group, heading);
  adw_preferences_group_set_description (self->work_group,
                                         _("The work of all its sessions. They are archived in "
                                           "the session history (Show Archived lists them)."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->work_group);

  self->next_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->next_group, _("Next Steps"));
  adw_preferences_group_set_description (self->next_group,
                                         next->len > 0
                                         ? _("These specs waited on it and can start now.")
                                         : _("No spec was waiting on this one."));
  for (guint i = 0; i < next->len; i++)
    add_next_step (self, g_ptr_array_index (next, i));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->next_group);

  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);

  task = g_task_new (self, self->cancellable, on_work, NULL);
  g_task_set_source_tag (task, lean_completion_summary_new);
  g_task_run_in_thread (task, work_thread);
  return self;
}
