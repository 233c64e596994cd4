/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lean-devlog-outbox.h"
#include "lean-telemetry-preferences.h"

/* Figures are read again at most this often while deliveries go on. */
#define REFRESH_MS 500

struct _LeanTelemetryPreferences
{
  AdwPreferencesPage  parent_instance;

  char               *settings_path;
  LeanSessionDb      *db;
  LeanDevlogSender   *sender;
  LeanDevlogSettings *settings;
  char               *message;
  char               *found_url;     /* from ~/.devlog/collector.json */
  char               *found_key;
  GCancellable       *cancellable;
  guint               refresh_id;
  gulong              changed_id;

  GtkSwitch          *enabled;
  AdwEntryRow        *url_row;
  AdwComboRow        *kind_row;
  GtkSpinButton      *project_spin;
  AdwPasswordEntryRow *token_row;
  GtkSwitch          *content;
  GtkButton          *save_button;
  GtkButton          *test_button;
  AdwActionRow       *test_row;
  AdwActionRow       *queued_row;
  AdwActionRow       *delivery_row;
  AdwActionRow       *error_row;
  AdwActionRow       *parked_row;
};

G_DEFINE_FINAL_TYPE (LeanTelemetryPreferences, lean_telemetry_preferences,
                     ADW_TYPE_PREFERENCES_PAGE)

static void
show_message (LeanTelemetryPreferences *self,
              const char               *text)
{
  g_free (self->message);
  self->message = g_strdup (text);
  adw_action_row_set_subtitle (self->test_row, text != NULL ? text : "");
}

/* ---- the figures ---- */

static char *
format_when (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("Never"));
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%x %X");
}

static void
status_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanDevlogStatus) st = lean_devlog_status_read_finish (result, &error);
  LeanTelemetryPreferences *self;
  g_autofree char *queued = NULL;
  g_autofree char *when = NULL;
  g_autofree char *parked = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = LEAN_TELEMETRY_PREFERENCES (user_data);
  if (st == NULL)
    {
      adw_action_row_set_subtitle (self->error_row, error->message);
      return;
    }
  if (st->dropped > 0)
    queued = g_strdup_printf (_("%" G_GINT64_FORMAT " events (%" G_GINT64_FORMAT
                                " oldest dropped when the outbox was full)"),
                              st->queued, st->dropped);
  else
    queued = g_strdup_printf (_("%" G_GINT64_FORMAT " events"), st->queued);
  adw_action_row_set_subtitle (self->queued_row, queued);
  when = format_when (st->last_delivery);
  adw_action_row_set_subtitle (self->delivery_row, when);
  adw_action_row_set_subtitle (self->error_row, st->last_error != NULL ? st->last_error
                                                                       : _("None"));
  if (st->parked > 0)
    parked = g_strdup_printf (_("%" G_GINT64_FORMAT " refused by Devlog. Last answer: %s"),
                              st->parked, st->last_parked != NULL ? st->last_parked : "");
  adw_action_row_set_subtitle (self->parked_row, parked != NULL ? parked : _("None"));
}

static void
refresh (LeanTelemetryPreferences *self)
{
  if (self->db == NULL)
    return;
  lean_devlog_status_read_async (lean_session_db_get_path (self->db), self->cancellable,
                                 status_read, self);
}

static gboolean
refresh_later_cb (gpointer data)
{
  LeanTelemetryPreferences *self = data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
on_sender_changed (LeanDevlogSender         *sender,
                   LeanTelemetryPreferences *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_MS, refresh_later_cb, self);
}

/* ---- the form ---- */

static LeanDevlogKind
kind_at (guint position)
{
  static const LeanDevlogKind kinds[] = {
    LEAN_DEVLOG_KIND_AUTO, LEAN_DEVLOG_KIND_COLLECTOR, LEAN_DEVLOG_KIND_BACKEND,
  };

  return kinds[MIN (position, G_N_ELEMENTS (kinds) - 1)];
}

static void
fill_form (LeanTelemetryPreferences *self)
{
  LeanDevlogSettings *s = self->settings;

  gtk_switch_set_active (self->enabled, lean_devlog_settings_is_enabled (s));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), s->url != NULL ? s->url : "");
  adw_combo_row_set_selected (self->kind_row, s->kind);
  gtk_spin_button_set_value (self->project_spin, s->project_id);
  gtk_switch_set_active (self->content, s->send_content);
}

/* The token is written on a worker thread: the keyring is D-Bus. */
typedef struct
{
  char *url;
  char *token;
} TokenData;

static void
token_data_free (TokenData *td)
{
  g_free (td->url);
  g_free (td->token);
  g_free (td);
}

static void
token_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TokenData *td = task_data;
  GError *error = NULL;

  if (lean_devlog_token_store_sync (td->url, td->token, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
token_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (LEAN_TELEMETRY_PREFERENCES (user_data), error->message);
}

static void
on_save (LeanTelemetryPreferences *self)
{
  g_autoptr(LeanDevlogSettings) next = lean_devlog_settings_copy (self->settings);
  g_autoptr(GError) error = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  g_clear_pointer (&next->url, g_free);
  next->url_from_env = FALSE;
  if (gtk_switch_get_active (self->enabled))
    {
      if (!lean_devlog_url_check (url, &error))
        {
          show_message (self, error->message);
          return;
        }
      next->url = g_strdup (url);
    }
  next->kind = kind_at (adw_combo_row_get_selected (self->kind_row));
  next->project_id = gtk_spin_button_get_value_as_int (self->project_spin);
  next->send_content = gtk_switch_get_active (self->content);
  if (!lean_devlog_settings_save (next, self->settings_path, &error))
    {
      show_message (self, error->message);
      return;
    }

  if (next->url != NULL && *token != '\0')
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, token_stored, self);
      TokenData *td = g_new0 (TokenData, 1);

      td->url = g_strdup (next->url);
      td->token = g_strdup (token);
      g_task_set_task_data (task, td, (GDestroyNotify)token_data_free);
      g_task_run_in_thread (task, token_thread);
      gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
    }

  lean_devlog_settings_free (self->settings);
  self->settings = g_steal_pointer (&next);
  if (self->db != NULL)
    lean_devlog_outbox_attach (self->db, self->settings);
  if (self->sender != NULL)
    lean_devlog_sender_set_settings (self->sender, self->settings);
  show_message (self, lean_devlog_settings_is_enabled (self->settings)
                ? _("Saved. Sessions are now sent to Devlog.")
                : _("Saved. Telemetry is off: nothing is queued."));
}

static void
tested (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  LeanDevlogKind kind = LEAN_DEVLOG_KIND_AUTO;
  LeanTelemetryPreferences *self;
  gboolean ok = lean_devlog_test_connection_finish (result, &kind, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = LEAN_TELEMETRY_PREFERENCES (user_data);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), TRUE);
  if (!ok)
    show_message (self, error->message);
  else
    show_message (self, kind == LEAN_DEVLOG_KIND_COLLECTOR
                        ? _("Connected: a Devlog collector answers.")
                        : _("Connected: the Devlog backend accepts the token."));
}

static void
on_test (LeanTelemetryPreferences *self)
{
  g_autoptr(LeanDevlogSettings) probe = lean_devlog_settings_new ();
  g_autoptr(GError) error = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (!lean_devlog_url_check (url, &error))
    {
      show_message (self, error->message);
      return;
    }
  probe->url = g_strdup (url);
  probe->kind = kind_at (adw_combo_row_get_selected (self->kind_row));
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), FALSE);
  show_message (self, _("Testing…"));
  lean_devlog_test_connection_async (probe, *token != '\0' ? token : NULL, self->cancellable,
                                     tested, self);
}

static void
on_use_found (LeanTelemetryPreferences *self)
{
  if (self->found_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), self->found_url);
  if (self->found_key != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->token_row), self->found_key);
  /* collector.json names the web backend and its API key. */
  adw_combo_row_set_selected (self->kind_row, 2);
  gtk_switch_set_active (self->enabled, TRUE);
  show_message (self, _("Filled in from ~/.devlog/collector.json: press Save to use it."));
}

/* ---- building the page ---- */

static GtkWidget *
switch_row (const char  *title,
            const char  *subtitle,
            GtkSwitch  **out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  *out = GTK_SWITCH (sw);
  return row;
}

static AdwActionRow *
figure_row (AdwPreferencesGroup *group,
            const char          *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "…");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  adw_preferences_group_add (group, row);
  return ADW_ACTION_ROW (row);
}

static void
build (LeanTelemetryPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (self);
  AdwPreferencesGroup *dest = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *delivery = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *sent = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkWidget *row;
  GtkWidget *buttons;
  GtkWidget *label;

  adw_preferences_page_set_title (page, _("Telemetry"));
  adw_preferences_page_set_icon_name (page, "network-transmit-symbolic");

  adw_preferences_group_set_title (dest, _("Devlog"));
  adw_preferences_group_set_description (dest, _("Send what AI sessions do to Devlog, the "
                                                 "observability service for coding agents. "
                                                 "Off until you turn it on."));
  adw_preferences_group_add (dest, switch_row (_("Send Telemetry"), NULL, &self->enabled));
  gtk_widget_set_name (GTK_WIDGET (self->enabled), "telemetry-enabled");

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Address"));
  gtk_widget_set_tooltip_text (row, _("For example http://localhost:3200 (devlog start)"));
  self->url_row = ADW_ENTRY_ROW (row);
  gtk_widget_set_name (row, "telemetry-url");
  adw_preferences_group_add (dest, row);

  gtk_string_list_append (kinds, _("Detect"));
  gtk_string_list_append (kinds, _("Collector"));
  gtk_string_list_append (kinds, _("Web Backend"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Kind"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (kinds));
  self->kind_row = ADW_COMBO_ROW (row);
  adw_preferences_group_add (dest, row);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Project Id"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Devlog's number for this work"));
  self->project_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, G_MAXINT32, 1));
  gtk_widget_set_valign (GTK_WIDGET (self->project_spin), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->project_spin));
  adw_preferences_group_add (dest, row);

  row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("API Token"));
  gtk_widget_set_tooltip_text (row, _("For the web backend; kept in the keyring"));
  self->token_row = ADW_PASSWORD_ENTRY_ROW (row);
  gtk_widget_set_name (row, "telemetry-token");
  adw_preferences_group_add (dest, row);

  adw_preferences_group_add (dest, switch_row (_("Send Contents"),
                                               _("File contents, tool input and assistant "
                                                 "text. Off: only what is listed below."),
                                               &self->content));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Connection"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  self->test_row = ADW_ACTION_ROW (row);
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
  self->test_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Test Connection")));
  self->save_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Save")));
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  gtk_widget_set_name (GTK_WIDGET (self->save_button), "telemetry-save");
  gtk_widget_set_name (GTK_WIDGET (self->test_button), "telemetry-test");
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->test_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->save_button));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), buttons);
  adw_preferences_group_add (dest, row);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save), self);
  g_signal_connect_swapped (self->test_button, "clicked", G_CALLBACK (on_test), self);

  if (lean_devlog_read_collector_json (&self->found_url, &self->found_key))
    {
      GtkWidget *use = gtk_button_new_with_mnemonic (_("_Use"));

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     _("Devlog's own settings were found"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "~/.devlog/collector.json");
      gtk_widget_set_valign (use, GTK_ALIGN_CENTER);
      gtk_widget_set_name (use, "telemetry-use-found");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), use);
      adw_preferences_group_add (dest, row);
      g_signal_connect_swapped (use, "clicked", G_CALLBACK (on_use_found), self);
    }
  adw_preferences_page_add (page, dest);

  adw_preferences_group_set_title (delivery, _("Delivery"));
  self->queued_row = figure_row (delivery, _("Waiting to Be Sent"));
  gtk_widget_set_name (GTK_WIDGET (self->queued_row), "telemetry-queued");
  self->delivery_row = figure_row (delivery, _("Last Delivery"));
  gtk_widget_set_name (GTK_WIDGET (self->delivery_row), "telemetry-last-delivery");
  self->error_row = figure_row (delivery, _("Last Error"));
  self->parked_row = figure_row (delivery, _("Set Aside"));
  adw_preferences_page_add (page, delivery);

  adw_preferences_group_set_title (sent, _("What Is Sent"));
  label = gtk_label_new (_("For each session: its start and end with the outcome, token counts, "
                           "cost and duration; each tool the agent used, with the file path "
                           "for reads, writes and edits and the command line (cut to 512 "
                           "bytes) for commands; errors the agent reported; each validation "
                           "check with its result; the spec id, branch, runner and working "
                           "folder. File contents, prompts and the agent's text are sent only "
                           "with Send Contents on."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  adw_preferences_group_add (sent, label);
  adw_preferences_page_add (page, sent);
}

/* ---- GObject ---- */

static void
lean_telemetry_preferences_dispose (GObject *object)
{
  LeanTelemetryPreferences *self = (LeanTelemetryPreferences *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->sender != NULL)
    g_clear_signal_handler (&self->changed_id, self->sender);
  g_clear_object (&self->sender);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (lean_telemetry_preferences_parent_class)->dispose (object);
}

static void
lean_telemetry_preferences_finalize (GObject *object)
{
  LeanTelemetryPreferences *self = (LeanTelemetryPreferences *)object;

  g_clear_object (&self->cancellable);
  lean_devlog_settings_free (self->settings);
  g_free (self->settings_path);
  g_free (self->message);
  g_free (self->found_url);
  if (self->found_key != NULL)
    memset (self->found_key, 0, strlen (self->found_key));
  g_free (self->found_key);

  G_OBJECT_CLASS (lean_telemetry_preferences_parent_class)->finalize (object);
}

static void
lean_telemetry_preferences_class_init (LeanTelemetryPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_telemetry_preferences_dispose;
  object_class->finalize = lean_telemetry_preferences_finalize;
}

static void
lean_telemetry_preferences_init (LeanTelemetryPreferences *self)
{
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
lean_telemetry_preferences_new (const char       *settings_path,
                                LeanSessionDb    *db,
                                LeanDevlogSender *sender)
{
  LeanTelemetryPreferences *self = g_object_new (LEAN_TYPE_TELEMETRY_PREFERENCES, NULL);
  g_autoptr(GError) error = NULL;

  self->settings_path = g_strdup (settings_path);
  g_set_object (&self->db, db);
  g_set_object (&self->sender, sender);
  build (self);

  /* A small file; a broken one is said here and left alone until Save. */
  self->settings = lean_devlog_settings_load (settings_path, &error);
  if (self->settings == NULL)
    {
      self->settings = lean_devlog_settings_new ();
      show_message (self, error->message);
    }
  fill_form (self);
  if (self->settings->url_from_env)
    show_message (self, _("LEANSPEC_DEVLOG_URL is set: it overrides the saved address while "
                          "it is."));

  if (sender != NULL)
    self->changed_id = g_signal_connect (sender, "changed", G_CALLBACK (on_sender_changed),
                                         self);
  refresh (self);
  return GTK_WIDGET (self);
}

const char *
lean_telemetry_preferences_get_message (LeanTelemetryPreferences *self)
{
  g_return_val_if_fail (LEAN_IS_TELEMETRY_PREFERENCES (self), NULL);
  return self->message;
}
