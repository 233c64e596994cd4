/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lean-relay-preferences.h"
#include "lean-relay-runner.h"

struct _LeanRelayPreferences
{
  AdwPreferencesPage   parent_instance;

  LeanRelayConfig     *config;
  char                *project_path;
  char                *message;
  GCancellable        *cancellable;

  AdwPreferencesGroup *servers_group;
  GPtrArray           *server_rows;    /* rows we added to servers_group */
  AdwEntryRow         *new_name_row;
  AdwEntryRow         *new_url_row;

  AdwPreferencesGroup *project_group;
  AdwComboRow         *project_row;
  GPtrArray           *project_specs;  /* runner spec per combo position; NULL = local */

  GHashTable          *health;         /* server name -> last result ("+" ok / "-" error, text) */
  GHashTable          *removed_tokens; /* server name -> its toast, while Undo can bring it back */
  gulong               changed_id;
  guint                rebuild_id;
  gboolean             updating_combo;
};

G_DEFINE_FINAL_TYPE (LeanRelayPreferences, lean_relay_preferences, ADW_TYPE_PREFERENCES_PAGE)

enum { PROP_0, PROP_MESSAGE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
show_message (LeanRelayPreferences *self,
              const char           *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

  g_free (self->message);
  self->message = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);

  if (window != NULL && text != NULL)
    {
      /* Toast titles are markup: error text may hold '<' or '&'. */
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 8);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), toast);
    }
}

static gboolean
save (LeanRelayPreferences *self)
{
  g_autoptr(GError) error = NULL;

  if (!lean_relay_config_save (self->config, &error))
    {
      show_message (self, error->message);
      return FALSE;
    }
  return TRUE;
}

static const LeanRelayServer *
row_server (LeanRelayPreferences *self,
            GtkWidget            *widget)
{
  const char *name = g_object_get_data (G_OBJECT (widget), "relay-server-name");

  return name ? lean_relay_config_lookup (self->config, name) : NULL;
}

/* Applies one edited field of a server: validated by the config, saved at once. */
static void
apply_server_field (LeanRelayPreferences *self,
                    AdwEntryRow          *row,
                    const char           *field)
{
  const LeanRelayServer *current = row_server (self, GTK_WIDGET (row));
  g_autoptr(LeanRelayServer) edited = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (current == NULL)
    return;
  edited = lean_relay_server_copy (current);

  if (g_str_equal (field, "url"))
    {
      g_free (edited->url);
      edited->url = g_strstrip (g_strdup (text));
    }
  else if (g_str_equal (field, "default_runner"))
    {
      g_free (edited->default_runner);
      edited->default_runner = *text ? g_strstrip (g_strdup (text)) : NULL;
    }
  else if (g_str_equal (field, "runners"))
    {
      g_auto(GStrv) parts = g_strsplit_set (text, ", ", -1);
      GStrvBuilder *b = g_strv_builder_new ();

      for (guint i = 0; parts[i]; i++)
        if (*parts[i] != '\0')
          g_strv_builder_add (b, parts[i]);
      g_strfreev (edited->runner_ids);
      edited->runner_ids = g_strv_builder_end (b);
      g_strv_builder_unref (b);
    }

  if (!lean_relay_config_set_server (self->config, edited, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      show_message (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (save (self))
    show_message (self, NULL);
}

static void
on_insecure_token_toggled (GtkSwitch            *toggle,
                           GParamSpec           *pspec,
                           LeanRelayPreferences *self)
{
  const LeanRelayServer *current = row_server (self, GTK_WIDGET (toggle));
  g_autoptr(LeanRelayServer) edited = NULL;
  g_autoptr(GError) error = NULL;

  if (current == NULL || current->allow_insecure_token == gtk_switch_get_active (toggle))
    return;
  edited = lean_relay_server_copy (current);
  edited->allow_insecure_token = gtk_switch_get_active (toggle);
  if (!lean_relay_config_set_server (self->config, edited, &error))
    {
      show_message (self, error->message);
      return;
    }
  if (save (self))
    show_message (self, NULL);
}

static void
on_field_apply (AdwEntryRow          *row,
                LeanRelayPreferences *self)
{
  apply_server_field (self, row, g_object_get_data (G_OBJECT (row), "relay-field"));
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LeanRelayPreferences) self = user_data;
  g_autoptr(GError) error = NULL;

  if (lean_relay_token_store_finish (result, &error))
    show_message (self, _("Token saved in the keyring"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (self, error->message);
}

static void
on_token_apply (AdwEntryRow          *row,
                LeanRelayPreferences *self)
{
  const LeanRelayServer *server = row_server (self, GTK_WIDGET (row));

  if (server == NULL)
    return;
  lean_relay_token_store_async (server->name, gtk_editable_get_text (GTK_EDITABLE (row)),
                                self->cancellable, on_token_stored, g_object_ref (self));
}

typedef struct
{
  LeanRelayPreferences *self;
  AdwEntryRow          *row;
} TokenLookup;

static void
on_token_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TokenLookup *tl = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = lean_relay_token_lookup_finish (result, &error);

  if (token != NULL)
    gtk_editable_set_text (GTK_EDITABLE (tl->row), token);
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_widget_set_tooltip_text (GTK_WIDGET (tl->row), error->message);
  g_object_unref (tl->row);
  g_object_unref (tl->self);
  g_free (tl);
}

typedef struct
{
  LeanRelayPreferences *self;
  AdwActionRow         *row;
  GtkWidget            *button;
  char                 *name;
} HealthCheck;

static void
show_health (AdwActionRow *row,
             const char   *result)
{
  gboolean ok = result[0] == '+';

  g_autofree char *escaped = g_markup_escape_text (result + 1, -1);

  adw_action_row_set_subtitle (row, escaped);
  gtk_widget_remove_css_class (GTK_WIDGET (row), ok ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (row), ok ? "success" : "error");
}

static void
on_health_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  HealthCheck *hc = user_data;
  g_autoptr(GError) error = NULL;

  if (lean_relay_check_health_finish (result, &error))
    {
      const char *text = _("Connected: the relay answered /health");

      g_hash_table_replace (hc->self->health, g_strdup (hc->name), g_strconcat ("+", text, NULL));
      show_health (hc->row, g_hash_table_lookup (hc->self->health, hc->name));
      show_message (hc->self, text);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_hash_table_replace (hc->self->health, g_strdup (hc->name),
                            g_strconcat ("-", error->message, NULL));
      show_health (hc->row, g_hash_table_lookup (hc->self->health, hc->name));
      show_message (hc->self, error->message);
    }
  gtk_widget_set_sensitive (hc->button, TRUE);
  g_object_unref (hc->button);
  g_object_unref (hc->row);
  g_object_unref (hc->self);
  g_free (hc->name);
  g_free (hc);
}

static void
on_test_clicked (GtkButton            *button,
                 LeanRelayPreferences *self)
{
  const LeanRelayServer *server = row_server (self, GTK_WIDGET (button));
  AdwActionRow *row = g_object_get_data (G_OBJECT (button), "relay-health-row");
  AdwEntryRow *token_row = g_object_get_data (G_OBJECT (button), "relay-token-row");
  HealthCheck *hc;

  if (server == NULL)
    return;
  {
    const char *token = gtk_editable_get_text (GTK_EDITABLE (token_row));
    g_autoptr(GError) refused = NULL;

    if (*token != '\0'
        && !lean_relay_token_allowed (server->url, server->name, server->allow_insecure_token,
                                      &refused))
      {
        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        adw_action_row_set_subtitle (row, refused->message);
        return;
      }
  }
  hc = g_new0 (HealthCheck, 1);
  hc->self = g_object_ref (self);
  hc->row = g_object_ref (row);
  hc->button = g_object_ref (GTK_WIDGET (button));
  hc->name = g_strdup (server->name);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  adw_action_row_set_subtitle (row, _("Checking…"));
  lean_relay_check_health_async (server->url, gtk_editable_get_text (GTK_EDITABLE (token_row)),
                                 self->cancellable, on_health_done, hc);
}

/* A removed server's token stays in the keyring while its toast offers
 * Undo, so Undo brings back the server and its token; it goes when the
 * toast does (or the page, whichever is first). */
static void
forget_token (const char *name)
{
  /* A missing keyring is not a problem here. */
  lean_relay_token_store_async (name, NULL, NULL, NULL, NULL);
}

static void
on_removed_toast_dismissed (AdwToast             *toast,
                            LeanRelayPreferences *self)
{
  const char *name = g_object_get_data (G_OBJECT (toast), "relay-server-name");

  if (self->removed_tokens != NULL && g_hash_table_lookup (self->removed_tokens, name) == toast)
    {
      g_hash_table_remove (self->removed_tokens, name);
      forget_token (name);
    }
}

static void
on_removed_toast_undo (AdwToast             *toast,
                       LeanRelayPreferences *self)
{
  const LeanRelayServer *server = g_object_get_data (G_OBJECT (toast), "relay-server");
  g_autoptr(GError) error = NULL;

  if (self->config == NULL || g_hash_table_lookup (self->removed_tokens, server->name) != toast)
    return;
  g_hash_table_remove (self->removed_tokens, server->name);
  if (!lean_relay_config_set_server (self->config, server, &error))
    {
      forget_token (server->name);
      show_message (self, error->message);
      return;
    }
  if (save (self))
    show_message (self, NULL);
}

static void
on_remove_clicked (GtkButton            *button,
                   LeanRelayPreferences *self)
{
  const LeanRelayServer *server = row_server (self, GTK_WIDGET (button));
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);
  g_autoptr(LeanRelayServer) removed = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (server == NULL)
    return;
  removed = lean_relay_server_copy (server);
  lean_relay_config_remove_server (self->config, removed->name);
  if (!save (self))
    return;
  show_message (self, NULL);

  if (window == NULL)
    {
      forget_token (removed->name);
      return;
    }

  title = g_markup_printf_escaped (_("Relay server “%s” removed"), removed->name);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "relay-server-name", g_strdup (removed->name), g_free);
  g_hash_table_replace (self->removed_tokens, g_strdup (removed->name), toast);
  g_object_set_data_full (G_OBJECT (toast), "relay-server", g_steal_pointer (&removed),
                          (GDestroyNotify) lean_relay_server_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_removed_toast_undo), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_removed_toast_dismissed), self, 0);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), toast);
}

static GtkWidget *
field_row (LeanRelayPreferences *self,
           const char           *server_name,
           const char           *title,
           const char           *field,
           const char           *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  g_object_set_data_full (G_OBJECT (row), "relay-server-name", g_strdup (server_name), g_free);
  g_object_set_data (G_OBJECT (row), "relay-field", (gpointer)field);
  g_signal_connect_object (row, "apply", G_CALLBACK (on_field_apply), self, 0);
  return row;
}

static GtkWidget *
server_row (LeanRelayPreferences  *self,
            const LeanRelayServer *server)
{
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *token_row, *health_row, *remove_row, *button;
  g_autofree char *runners = server->runner_ids ? g_strjoinv (", ", server->runner_ids) : NULL;
  g_autofree char *test_name = g_strdup_printf ("relay-test-%s", server->name);
  TokenLookup *tl;

  /* Row titles and subtitles are markup in libadwaita. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), server->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), server->url);
  gtk_widget_set_name (expander, server->name);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                            field_row (self, server->name, _("Address"), "url", server->url));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                            field_row (self, server->name, _("Default Runner"),
                                       "default_runner", server->default_runner));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                            field_row (self, server->name, _("Runner IDs (comma separated)"),
                                       "runners", runners));

  token_row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (token_row), _("Token (kept in the keyring)"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (token_row), TRUE);
  g_object_set_data_full (G_OBJECT (token_row), "relay-server-name", g_strdup (server->name),
                          g_free);
  g_signal_connect_object (token_row, "apply", G_CALLBACK (on_token_apply), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), token_row);
  tl = g_new0 (TokenLookup, 1);
  tl->self = g_object_ref (self);
  tl->row = g_object_ref (ADW_ENTRY_ROW (token_row));
  lean_relay_token_lookup_async (server->name, self->cancellable, on_token_found, tl);

  {
    GtkWidget *insecure_row = adw_action_row_new ();
    GtkWidget *toggle = gtk_switch_new ();
    g_autofree char *toggle_name = g_strdup_printf ("relay-insecure-token-%s", server->name);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (insecure_row),
                                   _("Send Token Without Encryption"));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (insecure_row),
                                 _("Over ws:// to another computer anyone on the network can "
                                   "read the token. Prefer a wss:// address."));
    gtk_widget_set_name (toggle, toggle_name);
    gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
    gtk_switch_set_active (GTK_SWITCH (toggle), server->allow_insecure_token);
    g_object_set_data_full (G_OBJECT (toggle), "relay-server-name", g_strdup (server->name),
                            g_free);
    g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_insecure_token_toggled),
                             self, 0);
    adw_action_row_add_suffix (ADW_ACTION_ROW (insecure_row), toggle);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (insecure_row), toggle);
    adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), insecure_row);
  }

  health_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (health_row), _("Connection"));
  if (g_hash_table_contains (self->health, server->name))
    show_health (ADW_ACTION_ROW (health_row), g_hash_table_lookup (self->health, server->name));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (health_row),
                                 _("Not tested yet: asks the relay’s /health"));
  button = gtk_button_new_with_mnemonic (_("_Test Connection"));
  gtk_widget_set_name (button, test_name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "relay-server-name", g_strdup (server->name),
                          g_free);
  g_object_set_data (G_OBJECT (button), "relay-health-row", health_row);
  g_object_set_data (G_OBJECT (button), "relay-token-row", token_row);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_test_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (health_row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), health_row);

  remove_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (remove_row), _("Remove Server"));
  button = gtk_button_new_with_mnemonic (_("_Remove"));
  {
    g_autofree char *remove_name = g_strdup_printf ("relay-remove-%s", server->name);

    gtk_widget_set_name (button, remove_name);
  }
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "relay-server-name", g_strdup (server->name),
                          g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (remove_row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), remove_row);

  return expander;
}

static void
on_add_clicked (GtkButton            *button,
                LeanRelayPreferences *self)
{
  g_autoptr(LeanRelayServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (
                                        GTK_EDITABLE (self->new_name_row))));
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (
                                       GTK_EDITABLE (self->new_url_row))));

  if (lean_relay_config_lookup (self->config, name) != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("A relay server named “%s” already exists"),
                                               name);
      show_message (self, text);
      return;
    }
  server = lean_relay_server_new (name, url);
  if (!lean_relay_config_set_server (self->config, server, &error))
    {
      show_message (self, error->message);
      return;
    }
  if (save (self))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->new_name_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->new_url_row), "");
      show_message (self, NULL);
    }
}

static void
on_project_selected (AdwComboRow          *row,
                     GParamSpec           *pspec,
                     LeanRelayPreferences *self)
{
  guint pos = adw_combo_row_get_selected (row);

  if (self->updating_combo || pos == GTK_INVALID_LIST_POSITION
      || pos >= self->project_specs->len)
    return;
  lean_relay_config_set_project_runner (self->config, self->project_path,
                                        g_ptr_array_index (self->project_specs, pos));
  save (self);
}

static void
add_choice (LeanRelayPreferences *self,
            GtkStringList        *labels,
            const char           *label,
            const char           *spec)
{
  gtk_string_list_append (labels, label);
  g_ptr_array_add (self->project_specs, g_strdup (spec));
}

static void
rebuild_project_choices (LeanRelayPreferences *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_auto(GStrv) runners = NULL;
  const char *current;
  guint selected = 0;

  if (self->project_row == NULL)
    return;

  g_ptr_array_set_size (self->project_specs, 0);
  add_choice (self, labels, _("Local (this computer)"), "local");
  runners = lean_relay_config_list_runners (self->config);
  for (guint i = 0; runners[i]; i++)
    {
      /* "relay:NAME/RUNNER": names have no '/', runner ids neither. */
      g_auto(GStrv) parts = g_strsplit (runners[i] + strlen ("relay:"), "/", 2);
      g_autofree char *label = g_strdup_printf (_("%s on relay %s"), parts[1], parts[0]);

      add_choice (self, labels, label, runners[i]);
    }

  current = lean_relay_config_get_project_runner (self->config, self->project_path);
  for (guint i = 0; current && i < self->project_specs->len; i++)
    if (g_strcmp0 (current, g_ptr_array_index (self->project_specs, i)) == 0)
      selected = i;
  if (current != NULL && selected == 0 && g_strcmp0 (current, "local") != 0)
    {
      /* Keep a choice that is no longer configured visible, not silently lost. */
      g_autofree char *label = g_strdup_printf (_("%s (not configured)"), current);

      add_choice (self, labels, label, current);
      selected = self->project_specs->len - 1;
    }

  self->updating_combo = TRUE;
  adw_combo_row_set_model (self->project_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->project_row, selected);
  self->updating_combo = FALSE;
}

static gboolean
rebuild (gpointer user_data)
{
  LeanRelayPreferences *self = user_data;

  g_autoptr(GHashTable) expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->rebuild_id = 0;
  /* Rows are rebuilt from the config; keep open the ones the person opened. */
  for (guint i = 0; i < self->server_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->server_rows, i);

      if (ADW_IS_EXPANDER_ROW (row) && adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)))
        g_hash_table_add (expanded, g_strdup (gtk_widget_get_name (row)));
      adw_preferences_group_remove (self->servers_group, row);
    }
  g_ptr_array_set_size (self->server_rows, 0);

  for (guint i = 0; i < lean_relay_config_get_n_servers (self->config); i++)
    {
      const LeanRelayServer *server = lean_relay_config_get_server (self->config, i);
      GtkWidget *row = server_row (self, server);

      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row),
                                     g_hash_table_contains (expanded, server->name));
      adw_preferences_group_add (self->servers_group, row);
      g_ptr_array_add (self->server_rows, row);
    }
  if (self->server_rows->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Relay Servers"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Sessions run on this computer. Add an agent-relay HQ "
                                     "below to run them on other machines."));
      adw_preferences_group_add (self->servers_group, row);
      g_ptr_array_add (self->server_rows, row);
    }

  rebuild_project_choices (self);
  return G_SOURCE_REMOVE;
}

static void
on_config_changed (LeanRelayConfig      *config,
                   LeanRelayPreferences *self)
{
  /* Rebuild after the handler that changed the config has returned: it
   * may belong to a row that the rebuild destroys. */
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild, self);
}

static void
lean_relay_preferences_dispose (GObject *object)
{
  LeanRelayPreferences *self = LEAN_RELAY_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  /* Undo cannot come any more: the removed servers' tokens go now. */
  if (self->removed_tokens != NULL)
    {
      GHashTableIter iter;
      const char *name;

      g_hash_table_iter_init (&iter, self->removed_tokens);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        forget_token (name);
      g_clear_pointer (&self->removed_tokens, g_hash_table_unref);
    }
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_signal_handler (&self->changed_id, self->config);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (lean_relay_preferences_parent_class)->dispose (object);
}

static void
lean_relay_preferences_finalize (GObject *object)
{
  LeanRelayPreferences *self = LEAN_RELAY_PREFERENCES (object);

  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->server_rows);
  g_ptr_array_unref (self->project_specs);
  g_hash_table_unref (self->health);
  g_free (self->project_path);
  g_free (self->message);

  G_OBJECT_CLASS (lean_relay_preferences_parent_class)->finalize (object);
}

static void
lean_relay_preferences_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LeanRelayPreferences *self = LEAN_RELAY_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_relay_preferences_class_init (LeanRelayPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_relay_preferences_dispose;
  object_class->finalize = lean_relay_preferences_finalize;
  object_class->get_property = lean_relay_preferences_get_property;

  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_relay_preferences_init (LeanRelayPreferences *self)
{
  self->cancellable = g_cancellable_new ();
  self->server_rows = g_ptr_array_new ();
  self->project_specs = g_ptr_array_new_with_free_func (g_free);
  self->health = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->removed_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GtkWidget *
lean_relay_preferences_new (LeanRelayConfig *config,
                            const char      *project_path)
{
  LeanRelayPreferences *self;
  AdwPreferencesGroup *add_group;
  GtkWidget *button, *row;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (config), NULL);

  self = g_object_new (LEAN_TYPE_RELAY_PREFERENCES,
                       "title", _("Relays"),
                       "icon-name", "network-server-symbolic",
                       "name", "relays",
                       NULL);
  self->config = g_object_ref (config);
  self->project_path = g_strdup (project_path);

  self->servers_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->servers_group, _("Relay Servers"));
  adw_preferences_group_set_description (self->servers_group,
    _("Run sessions on other machines through agent-relay. A relay session cannot be paused "
      "or re-attached after a dropped connection. Tokens are kept in the keyring."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->servers_group);

  add_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (add_group, _("Add a Relay Server"));
  self->new_name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->new_name_row), _("Name"));
  gtk_widget_set_name (GTK_WIDGET (self->new_name_row), "relay-new-name");
  adw_preferences_group_add (add_group, GTK_WIDGET (self->new_name_row));
  self->new_url_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->new_url_row),
                                 _("Address (ws://host:port or wss://host:port)"));
  gtk_widget_set_name (GTK_WIDGET (self->new_url_row), "relay-new-url");
  adw_entry_row_set_input_purpose (self->new_url_row, GTK_INPUT_PURPOSE_URL);
  adw_preferences_group_add (add_group, GTK_WIDGET (self->new_url_row));
  row = adw_action_row_new ();
  button = gtk_button_new_with_mnemonic (_("_Add Server"));
  gtk_widget_set_name (button, "relay-add");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_add_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (add_group, row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), add_group);

  if (project_path != NULL)
    {
      g_autofree char *base = g_path_get_basename (project_path);
      g_autofree char *title = g_strdup_printf (_("Project “%s”"), base);

      self->project_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      adw_preferences_group_set_title (self->project_group, title);
      self->project_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->project_row),
                                     _("Default Runner"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->project_row),
                                   _("Where Implement runs this project’s sessions"));
      gtk_widget_set_name (GTK_WIDGET (self->project_row), "relay-project-runner");
      g_signal_connect_object (self->project_row, "notify::selected",
                               G_CALLBACK (on_project_selected), self, 0);
      adw_preferences_group_add (self->project_group, GTK_WIDGET (self->project_row));
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->project_group);
    }

  self->changed_id = g_signal_connect (config, "changed", G_CALLBACK (on_config_changed), self);
  rebuild (self);
  /* A broken relays.json is shown, and left alone until it is fixed. */
  if (lean_relay_config_get_load_error (config) != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (lean_relay_config_get_load_error (config),
                                                       -1);

      adw_preferences_group_set_description (self->servers_group, escaped);
      self->message = g_strdup (lean_relay_config_get_load_error (config));
    }
  return GTK_WIDGET (self);
}

LeanRelayConfig *
lean_relay_preferences_get_config (LeanRelayPreferences *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_PREFERENCES (self), NULL);
  return self->config;
}

const char *
lean_relay_preferences_get_message (LeanRelayPreferences *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_PREFERENCES (self), NULL);
  return self->message;
}
