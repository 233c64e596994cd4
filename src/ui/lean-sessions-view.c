/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-session-replay.h"
#include "lean-session-ui-private.h"
#include "lean-sessions-view.h"

typedef enum
{
  COLUMN_STARTED,
  COLUMN_SPEC,
  COLUMN_AGENT,
  COLUMN_RUNNER,
  COLUMN_STATE,
  COLUMN_DURATION,
  COLUMN_TOKENS,
  COLUMN_COST,
  N_COLUMNS
} Column;

#define N_STATES (LEAN_SESSION_STATE_INTERRUPTED + 1)

struct _LeanSessionsView
{
  GtkWidget           parent_instance;

  GtkSearchEntry     *spec_entry;
  GtkDropDown        *state_dropdown;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *empty_page;
  GtkToggleButton    *archived_button;
  GtkFileChooserNative *chooser;

  LeanSessionDb      *db;
  GListStore         *store;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;
  GCancellable       *cancellable;

  char               *spec_filter;
  int                 state_filter;
  gboolean            loading;
  gboolean            setting_entry;
  gboolean            show_archived;
};

G_DEFINE_FINAL_TYPE (LeanSessionsView, lean_sessions_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_OPEN_SESSION,
  SIGNAL_EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_selection_actions (LeanSessionsView *self);

/* Values for sorting and display */

static gint64
session_started (LeanSession *session,
                 gpointer     user_data)
{
  GDateTime *started = lean_session_get_started_at (session);
  return started != NULL ? g_date_time_to_unix (started) : 0;
}

static char *
session_spec (LeanSession *session,
              gpointer     user_data)
{
  return g_strdup (lean_session_get_spec_id (session));
}

static char *
session_agent (LeanSession *session,
               gpointer     user_data)
{
  return g_strdup (lean_session_get_agent_id (session));
}

static char *
session_runner (LeanSession *session,
                gpointer     user_data)
{
  const char *runner = lean_session_get_runner (session);
  return g_strdup (runner != NULL && *runner && !g_str_equal (runner, "local")
                   ? runner : _("This computer"));
}

static int
session_state (LeanSession *session,
               gpointer     user_data)
{
  return (int) lean_session_get_state (session);
}

static gint64
session_duration (LeanSession *session,
                  gpointer     user_data)
{
  return lean_session_get_elapsed (session);
}

static guint64
session_tokens (LeanSession *session,
                gpointer     user_data)
{
  return lean_session_get_input_tokens (session) + lean_session_get_output_tokens (session);
}

static double
session_cost (LeanSession *session,
              gpointer     user_data)
{
  return lean_session_get_cost_usd (session);
}

static char *
format_started (LeanSession *session)
{
  GDateTime *started = lean_session_get_started_at (session);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (started == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (started);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    /* Translators: a time today, strftime format */
    return g_date_time_format (local, _("Today %H:%M"));
  /* Translators: a date and time, strftime format */
  return g_date_time_format (local, _("%b %e, %H:%M"));
}

/* Cells */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_STATE ? 0.5 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_STATE)
    {
      gtk_widget_set_halign (label, GTK_ALIGN_START);
      gtk_widget_add_css_class (label, "session-state");
    }
  if (column == COLUMN_DURATION || column == COLUMN_TOKENS || column == COLUMN_COST)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  if (column == COLUMN_RUNNER || column == COLUMN_STARTED)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  LeanSession *session = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_STARTED:
      text = format_started (session);
      break;
    case COLUMN_SPEC:
      text = session_spec (session, NULL);
      break;
    case COLUMN_AGENT:
      text = session_agent (session, NULL);
      break;
    case COLUMN_RUNNER:
      text = session_runner (session, NULL);
      break;
    case COLUMN_STATE:
      text = g_strdup (lean_session_state_get_label (lean_session_get_state (session)));
      _lean_session_ui_set_state_class (GTK_WIDGET (label), lean_session_get_state (session));
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), lean_session_get_message (session));
      break;
    case COLUMN_DURATION:
      text = lean_session_get_started_at (session) != NULL
             ? _lean_session_ui_format_duration (lean_session_get_elapsed (session))
             : g_strdup ("—");
      break;
    case COLUMN_TOKENS:
      {
        g_autofree char *in = _lean_session_ui_format_tokens (lean_session_get_input_tokens (session));
        g_autofree char *out = _lean_session_ui_format_tokens (lean_session_get_output_tokens (session));

        text = session_tokens (session, NULL) > 0 ? g_strdup_printf ("%s / %s", in, out)
                                                  : g_strdup ("—");
      }
      break;
    case COLUMN_COST:
      text = _lean_session_ui_format_cost (lean_session_get_cost_usd (session));
      if (text == NULL)
        text = g_strdup ("—");
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
}

static GtkColumnViewColumn *
add_column (LeanSessionsView *self,
            Column            column,
            const char       *title,
            GtkSorter        *sorter,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (sorter);
  g_object_unref (col); /* the column view holds it */
  return col;
}

static GtkExpression *
closure (GType     type,
         GCallback callback)
{
  return gtk_cclosure_expression_new (type, NULL, 0, NULL, callback, NULL, NULL);
}

/* Filtering */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  LeanSessionsView *self = user_data;
  LeanSession *session = item;

  if (!self->show_archived && lean_session_get_archived (session))
    return FALSE;
  if (self->state_filter >= 0 && (int) lean_session_get_state (session) != self->state_filter)
    return FALSE;
  if (self->spec_filter != NULL && *self->spec_filter != '\0')
    {
      g_autofree char *spec = g_utf8_casefold (lean_session_get_spec_id (session) ?: "", -1);
      g_autofree char *needle = g_utf8_casefold (self->spec_filter, -1);

      if (strstr (spec, needle) == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
update_empty (LeanSessionsView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  if (total > 0 && shown == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Sessions"));
      adw_status_page_set_description (self->empty_page, _("Try another state or spec."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Sessions"));
      adw_status_page_set_description (self->empty_page,
                                       _("Sessions started from a spec, here or with "
                                         "leanspec-ctl, are listed here with their full "
                                         "output."));
    }
  gtk_stack_set_visible_child_name (self->stack, shown > 0 ? "list" : "empty");
}

void
lean_sessions_view_set_spec_filter (LeanSessionsView *self,
                                    const char       *text)
{
  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));

  if (g_strcmp0 (self->spec_filter, text) == 0)
    return;
  g_free (self->spec_filter);
  self->spec_filter = g_strdup (text);
  /* set_text deletes then inserts, and the entry reports the empty text
   * at once: ignore our own change. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->spec_entry)), text ?: "") != 0)
    {
      self->setting_entry = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->spec_entry), text ?: "");
      self->setting_entry = FALSE;
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty (self);
}

void
lean_sessions_view_set_state_filter (LeanSessionsView *self,
                                     int               state)
{
  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));
  g_return_if_fail (state >= -1 && state < N_STATES);

  if (self->state_filter == state)
    return;
  self->state_filter = state;
  if ((int) gtk_drop_down_get_selected (self->state_dropdown) != state + 1)
    gtk_drop_down_set_selected (self->state_dropdown, (guint) (state + 1));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty (self);
}

static void
on_spec_changed (LeanSessionsView *self)
{
  if (self->setting_entry)
    return;
  lean_sessions_view_set_spec_filter (self,
                                      gtk_editable_get_text (GTK_EDITABLE (self->spec_entry)));
}

static void
on_state_selected (LeanSessionsView *self)
{
  lean_sessions_view_set_state_filter (self,
                                       (int) gtk_drop_down_get_selected (self->state_dropdown) - 1);
}

/* Loading */

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LeanSessionsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) sessions = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  sessions = lean_session_db_list_finish (LEAN_SESSION_DB (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  if (sessions == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("The History Could Not Be Read"));
      {
        g_autofree char *escaped = g_markup_escape_text (error->message, -1);

        adw_status_page_set_description (self->empty_page, escaped);
      }
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    g_ptr_array_add (items, g_list_model_get_item (sessions, i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  update_empty (self);
}

void
lean_sessions_view_reload (LeanSessionsView *self)
{
  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));

  if (self->db == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  lean_session_db_list_async (self->db, NULL, self->cancellable, on_listed, g_object_ref (self));
}

void
lean_sessions_view_set_db (LeanSessionsView *self,
                           LeanSessionDb    *db)
{
  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));
  g_return_if_fail (db == NULL || LEAN_IS_SESSION_DB (db));

  if (g_set_object (&self->db, db))
    {
      g_list_store_remove_all (self->store);
      lean_sessions_view_reload (self);
    }
  update_selection_actions (self);
}

GListModel *
lean_sessions_view_get_model (LeanSessionsView *self)
{
  g_return_val_if_fail (LEAN_IS_SESSIONS_VIEW (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

gboolean
lean_sessions_view_get_loading (LeanSessionsView *self)
{
  g_return_val_if_fail (LEAN_IS_SESSIONS_VIEW (self), FALSE);
  return self->loading;
}

void
lean_sessions_view_set_show_archived (LeanSessionsView *self,
                                      gboolean          show)
{
  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));

  show = !!show;
  if (gtk_toggle_button_get_active (self->archived_button) != show)
    gtk_toggle_button_set_active (self->archived_button, show);
  if (self->show_archived == show)
    return;
  self->show_archived = show;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      show ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_MORE_STRICT);
}

static void
on_archived_toggled (LeanSessionsView *self)
{
  lean_sessions_view_set_show_archived (self, gtk_toggle_button_get_active (self->archived_button));
}

LeanSession *
lean_sessions_view_dup_selected (LeanSessionsView *self)
{
  gpointer item;

  g_return_val_if_fail (LEAN_IS_SESSIONS_VIEW (self), NULL);
  item = gtk_single_selection_get_selected_item (self->selection);
  return item != NULL ? g_object_ref (item) : NULL;
}

static void
update_selection_actions (LeanSessionsView *self)
{
  gboolean selected = gtk_single_selection_get_selected_item (self->selection) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.export", selected && self->db);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.replay", selected && self->db);
}

/* Export */

typedef struct
{
  LeanSessionDb           *db;
  LeanSession             *session;
  LeanSessionExportFormat  format;
  GFile                   *file;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->db);
  g_clear_object (&job->session);
  g_clear_object (&job->file);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  g_autoptr(GBytes) bytes = lean_session_export (job->db, job->session, job->format, &error);

  if (bytes == NULL ||
      !g_file_replace_contents (job->file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LeanSessionsView *self = LEAN_SESSIONS_VIEW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (job->file);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                _("The Session Could Not Be Exported"), error->message));

      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  g_signal_emit (self, signals[SIGNAL_EXPORTED], 0, path, error != NULL ? error->message : NULL);
}

void
lean_sessions_view_export (LeanSessionsView        *self,
                           LeanSession             *session,
                           LeanSessionExportFormat  format,
                           GFile                   *file)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (LEAN_IS_SESSIONS_VIEW (self));
  g_return_if_fail (LEAN_IS_SESSION (session) && G_IS_FILE (file));
  g_return_if_fail (self->db != NULL);

  job = g_new0 (ExportJob, 1);
  job->db = g_object_ref (self->db);
  job->session = g_object_ref (session);
  job->format = format;
  job->file = g_object_ref (file);
  task = g_task_new (self, NULL, on_exported, NULL);
  g_task_set_source_tag (task, lean_sessions_view_export);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

static const char * const format_ids[] = { "cast", "text", "json" };
static const char * const format_suffixes[] = { ".cast", ".txt", ".json" };

static void
on_chooser_response (LeanSessionsView     *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(LeanSession) session = g_object_steal_data (G_OBJECT (chooser), "lean-session");

  if (response == GTK_RESPONSE_ACCEPT && session != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      const char *choice = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "format");
      LeanSessionExportFormat format = LEAN_SESSION_EXPORT_CAST;

      lean_session_export_format_from_string (choice, &format);
      if (file != NULL)
        lean_sessions_view_export (self, session, format, file);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanSessionsView *self = LEAN_SESSIONS_VIEW (widget);
  g_autoptr(LeanSession) session = lean_sessions_view_dup_selected (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *labels[] = { _("Recording for asciinema (.cast)"), _("Plain text (.txt)"),
                           _("JSON (.json)"), NULL };
  g_autofree char *name = NULL;

  if (session == NULL || self->db == NULL)
    return;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = gtk_file_chooser_native_new (_("Export Session"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->chooser), "format", _("Format"),
                               (const char **) format_ids, (const char **) labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->chooser), "format", "cast");
  name = g_strdup_printf ("%s-%.8s%s", lean_session_get_spec_id (session) ?: "session",
                          lean_session_get_id (session), format_suffixes[0]);
  /* A spec id is a folder name: no separators, but be sure. */
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data_full (G_OBJECT (self->chooser), "lean-session", g_steal_pointer (&session),
                          g_object_unref);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
replay_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanSessionsView *self = LEAN_SESSIONS_VIEW (widget);
  g_autoptr(LeanSession) session = lean_sessions_view_dup_selected (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  LeanSessionReplay *replay;

  if (session == NULL || self->db == NULL)
    return;
  replay = lean_session_replay_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db,
                                    session);
  gtk_window_present (GTK_WINDOW (replay));
}

static void
on_activate (LeanSessionsView *self,
             guint             position)
{
  g_autoptr(LeanSession) session = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (session != NULL)
    g_signal_emit (self, signals[SIGNAL_OPEN_SESSION], 0, session);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  lean_sessions_view_reload (LEAN_SESSIONS_VIEW (widget));
}

static void
lean_sessions_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lean_sessions_view_parent_class)->map (widget);

  /* Sessions may have been added since (here or by the CLI). */
  lean_sessions_view_reload (LEAN_SESSIONS_VIEW (widget));
}

static void
lean_sessions_view_dispose (GObject *object)
{
  LeanSessionsView *self = LEAN_SESSIONS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SESSIONS_VIEW);
  /* The filter bar and separator are not bound template children. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->selection);
  g_clear_object (&self->db);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lean_sessions_view_parent_class)->dispose (object);
}

static void
lean_sessions_view_finalize (GObject *object)
{
  LeanSessionsView *self = LEAN_SESSIONS_VIEW (object);

  g_free (self->spec_filter);

  G_OBJECT_CLASS (lean_sessions_view_parent_class)->finalize (object);
}

static void
lean_sessions_view_class_init (LeanSessionsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_sessions_view_dispose;
  object_class->finalize = lean_sessions_view_finalize;
  widget_class->map = lean_sessions_view_map;

  signals[SIGNAL_OPEN_SESSION] =
    g_signal_new ("open-session", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SESSION);

  signals[SIGNAL_EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "sessions.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "sessions.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "sessions.replay", NULL, replay_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "sessions.reload", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-sessions-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, spec_entry);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionsView, archived_button);
}

static void
lean_sessions_view_init (LeanSessionsView *self)
{
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  GtkColumnViewColumn *started;

  _lean_session_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));

  self->state_filter = -1;
  self->store = g_list_store_new (LEAN_TYPE_SESSION);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store),
                                              GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  started = add_column (self, COLUMN_STARTED, _("Started"),
                        GTK_SORTER (gtk_numeric_sorter_new (closure (G_TYPE_INT64, G_CALLBACK (session_started)))),
                        FALSE);
  add_column (self, COLUMN_SPEC, _("Spec"),
              GTK_SORTER (gtk_string_sorter_new (closure (G_TYPE_STRING, G_CALLBACK (session_spec)))),
              TRUE);
  add_column (self, COLUMN_AGENT, _("Agent"),
              GTK_SORTER (gtk_string_sorter_new (closure (G_TYPE_STRING, G_CALLBACK (session_agent)))),
              FALSE);
  add_column (self, COLUMN_RUNNER, _("Machine"),
              GTK_SORTER (gtk_string_sorter_new (closure (G_TYPE_STRING, G_CALLBACK (session_runner)))),
              FALSE);
  add_column (self, COLUMN_STATE, _("State"),
              GTK_SORTER (gtk_numeric_sorter_new (closure (G_TYPE_INT, G_CALLBACK (session_state)))),
              FALSE);
  add_column (self, COLUMN_DURATION, _("Duration"),
              GTK_SORTER (gtk_numeric_sorter_new (closure (G_TYPE_INT64, G_CALLBACK (session_duration)))),
              FALSE);
  add_column (self, COLUMN_TOKENS, _("Tokens In / Out"),
              GTK_SORTER (gtk_numeric_sorter_new (closure (G_TYPE_UINT64, G_CALLBACK (session_tokens)))),
              FALSE);
  add_column (self, COLUMN_COST, _("Cost"),
              GTK_SORTER (gtk_numeric_sorter_new (closure (G_TYPE_DOUBLE, G_CALLBACK (session_cost)))),
              FALSE);
  gtk_column_view_sort_by_column (self->column_view, started, GTK_SORT_DESCENDING);

  gtk_string_list_append (states, _("All States"));
  for (int i = 0; i < N_STATES; i++)
    gtk_string_list_append (states, lean_session_state_get_label ((LeanSessionState) i));
  gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));

  g_signal_connect_object (self->spec_entry, "search-changed", G_CALLBACK (on_spec_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->state_dropdown, "notify::selected",
                           G_CALLBACK (on_state_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->column_view, "activate", G_CALLBACK (on_activate),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (update_empty),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->archived_button, "toggled", G_CALLBACK (on_archived_toggled),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (update_selection_actions), self, G_CONNECT_SWAPPED);
  update_empty (self);
  update_selection_actions (self);
}

GtkWidget *
lean_sessions_view_new (void)
{
  return g_object_new (LEAN_TYPE_SESSIONS_VIEW, NULL);
}
