/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-application-private.h"
#include "lean-default-runner-factory.h"
#include "lean-relay-preferences.h"
#include "lean-devlog-outbox.h"
#include "lean-telemetry-preferences.h"
#include "lean-window.h"
#include "lean-worktrees-page.h"

G_DEFINE_FINAL_TYPE (LeanApplication, lean_application, ADW_TYPE_APPLICATION)

static LeanWindow *
get_active_window (LeanApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return LEAN_IS_WINDOW (window) ? LEAN_WINDOW (window) : NULL;
}

static LeanWindow *
new_window (LeanApplication *self)
{
  return lean_window_new (ADW_APPLICATION (self));
}

/* ------------------------------------------------------------------ */
/* Services                                                            */

LeanController *
lean_application_get_controller (LeanApplication *self)
{
  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  return self->controller;
}

const GError *
lean_application_get_sessions_error (LeanApplication *self)
{
  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  return self->sessions_error;
}

LeanAgentRegistry *
lean_application_get_registry (LeanApplication *self)
{
  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  return self->registry;
}

LeanRelayConfig *
lean_application_get_relay_config (LeanApplication *self)
{
  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  return self->relay_config;
}

LeanSpecStore *
lean_application_acquire_store (LeanApplication *self,
                                LeanProject     *project,
                                gboolean        *loaded)
{
  const char *root;
  LeanSpecStore *store;
  guint users;

  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);

  root = lean_project_get_root (project);
  store = g_hash_table_lookup (self->stores, root);
  if (loaded != NULL)
    *loaded = store != NULL;
  if (store == NULL)
    {
      store = lean_spec_store_new (project);
      g_hash_table_insert (self->stores, g_strdup (root), store);
      /* Edits in an editor, git checkouts and the leanspec CLI show up
       * live, once for every window on the project. */
      lean_spec_store_set_watching (store, TRUE);
    }
  users = GPOINTER_TO_UINT (g_hash_table_lookup (self->store_users, store));
  g_hash_table_insert (self->store_users, store, GUINT_TO_POINTER (users + 1));
  lean_application_get_activity (self, root);
  return g_object_ref (store);
}

void
lean_application_release_store (LeanApplication *self,
                                LeanSpecStore   *store)
{
  guint users;

  g_return_if_fail (LEAN_IS_APPLICATION (self));
  g_return_if_fail (LEAN_IS_SPEC_STORE (store));

  users = GPOINTER_TO_UINT (g_hash_table_lookup (self->store_users, store));
  if (users > 1)
    {
      g_hash_table_insert (self->store_users, store, GUINT_TO_POINTER (users - 1));
      return;
    }
  g_hash_table_remove (self->store_users, store);
  lean_spec_store_set_watching (store, FALSE);
  g_hash_table_remove (self->stores,
                       lean_project_get_root (lean_spec_store_get_project (store)));
}

LeanSpecActivity *
lean_application_get_activity (LeanApplication *self,
                               const char      *root)
{
  LeanSpecActivity *activity;

  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (root != NULL, NULL);

  activity = g_hash_table_lookup (self->activities, root);
  if (activity == NULL)
    {
      activity = lean_spec_activity_new (root);
      g_hash_table_insert (self->activities, g_strdup (root), activity);
    }
  return activity;
}

LeanSpecActivity *
lean_application_find_activity (LeanApplication *self,
                                const char      *dir)
{
  GHashTableIter iter;
  gpointer activity;
  LeanSpecActivity *best = NULL;

  g_return_val_if_fail (LEAN_IS_APPLICATION (self), NULL);

  if (dir == NULL)
    return NULL;
  /* The deepest root wins: a project may sit inside another's folder. */
  g_hash_table_iter_init (&iter, self->activities);
  while (g_hash_table_iter_next (&iter, NULL, &activity))
    if (lean_spec_activity_contains (activity, dir) &&
        (best == NULL || strlen (lean_spec_activity_get_root (activity)) >
                         strlen (lean_spec_activity_get_root (best))))
      best = activity;
  return best;
}

static void
on_registry_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LeanAgentRegistry *registry = LEAN_AGENT_REGISTRY (source);

  lean_agent_registry_load_finish (registry, result, NULL);
  lean_agent_registry_refresh_async (registry, NULL, NULL, NULL);
}

static void
open_sessions (LeanApplication *self)
{
  g_autoptr(LeanSessionDb) db = NULL;

  /* The one blocking database call, done once, before any window. */
  db = lean_session_db_open (NULL, &self->sessions_error);
  if (db == NULL)
    {
      g_warning ("The sessions database could not be opened: %s", self->sessions_error->message);
      return;
    }
  /* Sessions left behind by a process that died are marked interrupted,
   * and their agents stopped, off the main loop. */
  lean_session_db_recover_async (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS, NULL, NULL, NULL);
  {
    g_autoptr(LeanDefaultRunnerFactory) factory = lean_default_runner_factory_new (self->relay_config);

    self->controller = lean_controller_new_with_factory (db, LEAN_RUNNER_FACTORY (factory));
  }
  lean_controller_set_registry (self->controller, self->registry);
  {
    /* Telemetry: queued only once configured; the sender has its own
     * thread and connection. */
    g_autoptr(LeanDevlogSettings) devlog = lean_devlog_settings_load (NULL, NULL);

    lean_devlog_outbox_attach (db, devlog);
    self->devlog = lean_devlog_sender_new (lean_session_db_get_path (db));
    lean_devlog_sender_set_settings (self->devlog, devlog);
    lean_devlog_sender_start (self->devlog);
  }
  _lean_application_sessions_watch (self, self->controller);
}

void
_lean_application_set_controller (LeanApplication *self,
                                  LeanController  *controller)
{
  g_return_if_fail (LEAN_IS_APPLICATION (self));

  if (self->controller == controller)
    return;
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_set_object (&self->controller, controller);
  g_clear_object (&self->spec_status);
  g_clear_error (&self->sessions_error);
  if (controller != NULL)
    _lean_application_sessions_watch (self, controller);
}

static void
lean_application_activate (GApplication *app)
{
  LeanApplication *self = LEAN_APPLICATION (app);
  LeanWindow *window = get_active_window (self);
  g_autofree char *last = NULL;

  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }
  /* Sessions kept running after the last window closed: show them. */
  if (_lean_application_reopen (self))
    return;

  window = new_window (self);
  last = g_settings_get_string (self->settings, "last-project");
  /* Reopen where the person left off; a project that is gone just leaves
   * the welcome page. */
  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_IS_DIR))
    lean_window_open_project (window, last);
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
same_folder (const char *a,
             const char *b)
{
  g_autoptr(GFile) fa = NULL;
  g_autoptr(GFile) fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_file_new_for_path (a);
  fb = g_file_new_for_path (b);
  return g_file_equal (fa, fb) || g_file_has_prefix (fa, fb);
}

static void
lean_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  LeanApplication *self = LEAN_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);
      LeanWindow *target = NULL;

      if (path == NULL)
        continue;

      /* A project already open is brought forward; otherwise an empty
       * window is reused, else a new window opens beside the others. */
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
        {
          if (!LEAN_IS_WINDOW (l->data))
            continue;
          if (same_folder (path, lean_window_get_project_root (l->data)))
            {
              target = l->data;
              break;
            }
          if (target == NULL && lean_window_get_project_root (l->data) == NULL)
            target = l->data;
        }

      if (target == NULL)
        target = new_window (self);
      if (!same_folder (path, lean_window_get_project_root (target)))
        lean_window_open_project (target, path);
      gtk_window_present (GTK_WINDOW (target));
    }
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LeanApplication *self = user_data;
  LeanWindow *window = get_active_window (self);

  if (window == NULL)
    {
      window = new_window (self);
      gtk_window_present (GTK_WINDOW (window));
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-folder", NULL);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (new_window (LEAN_APPLICATION (user_data))));
}

/* The preferences, on the page named @page_name when it is not NULL. */
static void
show_preferences (LeanApplication *self,
                  const char      *page_name)
{
  AdwPreferencesWindow *prefs;
  AdwPreferencesPage *page;
  AdwPreferencesGroup *group;
  GtkWidget *row;
  GtkWidget *toggle;

  prefs = ADW_PREFERENCES_WINDOW (adw_preferences_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (prefs),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_set_modal (GTK_WINDOW (prefs), TRUE);
  adw_preferences_window_set_search_enabled (prefs, FALSE);

  page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  adw_preferences_page_set_title (page, _("General"));
  adw_preferences_page_set_icon_name (page, "preferences-system-symbolic");

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Specs"));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 _("Set In Progress When Work Starts"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("A planned spec is set to In Progress when an implementation session starts on it"));
  toggle = gtk_switch_new ();
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  g_settings_bind (self->settings, "set-in-progress-on-start", toggle, "active",
                   G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  adw_preferences_group_add (group, row);

  adw_preferences_page_add (page, group);
  adw_preferences_window_add (prefs, page);

  /* Relay servers and this project's default runner. The file is small;
   * a broken one is reported on the page itself, never overwritten. */
  {
    GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
    const char *root = NULL;

    /* Read again: another program may have changed the file. */
    lean_relay_config_load (self->relay_config, NULL);
    if (LEAN_IS_WINDOW (active))
      root = lean_window_get_project_root (LEAN_WINDOW (active));
    adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (lean_relay_preferences_new (self->relay_config, root)));
  }
  if (self->controller != NULL)
    {
      GtkWidget *worktrees = lean_worktrees_page_new (lean_controller_get_db (self->controller));

      adw_preferences_page_set_name (ADW_PREFERENCES_PAGE (worktrees), "worktrees");
      adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (worktrees));
    }
  adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (lean_telemetry_preferences_new (
    NULL, self->controller != NULL ? lean_controller_get_db (self->controller) : NULL,
    self->devlog)));

  if (page_name != NULL)
    adw_preferences_window_set_visible_page_name (prefs, page_name);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  show_preferences (user_data, NULL);
}

/* From the toast that points out worktrees left by ended sessions. */
static void
worktrees_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  show_preferences (user_data, "worktrees");
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  LeanApplication *self = user_data;
  static const char *developers[] = { "The LeanSpec Desktop developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("LeanSpec Desktop"),
                        "application-icon", APP_ID,
                        "developer-name", _("The LeanSpec Desktop developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Plan, implement and complete specs with AI coding agents"),
                        "website", "https://github.com/codervisor/lean-spec",
                        "issue-url", "https://github.com/codervisor/lean-spec/issues",
                        "license-type", GTK_LICENSE_MIT_X11,
                        "developers", developers,
                        /* Translators: replace with your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  /* Asks first when sessions run; quitting always stops them. */
  _lean_application_quit (LEAN_APPLICATION (user_data));
}

static void
apply_style (LeanApplication *self)
{
  g_autofree char *variant = g_settings_get_string (self->settings, "style-variant");
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (variant, "light"))
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (variant, "dark"))
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static const GActionEntry app_actions[] = {
  { "open-folder", open_folder_action },
  { "new-window", new_window_action },
  { "preferences", preferences_action },
  { "worktrees", worktrees_action },
  { "shortcuts", shortcuts_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
lean_application_startup (GApplication *app)
{
  LeanApplication *self = LEAN_APPLICATION (app);
  struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.new-window", { "<Control><Shift>n", NULL } },
    { "win.open-folder", { "<Control>o", NULL } },
    { "win.new-spec", { "<Control>n", NULL } },
    { "win.reload", { "F5", "<Control>r", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.implement", { "<Control><Shift>i", NULL } },
    { "win.validate", { "<Control><Shift>k", NULL } },
    { "win.mark-complete", { "<Control><Shift>m", NULL } },
    { "win.show-sessions", { "<Control><Shift>s", NULL } },
    { "win.dashboard", { "<Control><Shift>d", NULL } },
    { "win.go-back", { "<Alt>Left", NULL } },
    { "win.go-forward", { "<Alt>Right", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };
  g_autoptr(GAction) style = NULL;

  G_APPLICATION_CLASS (lean_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  /* Follow system, light or dark, as Text Editor and Console offer. */
  style = g_settings_create_action (self->settings, "style-variant");
  g_action_map_add_action (G_ACTION_MAP (self), style);
  g_signal_connect_object (self->settings, "changed::style-variant",
                           G_CALLBACK (apply_style), self, G_CONNECT_SWAPPED);
  apply_style (self);

  self->registry = lean_agent_registry_new ();
  /* Read off the main loop, then probed (PATH, versions): the controller
   * starts the builtins and the person's own agents from it. A broken user
   * runners.json is reported by the implement dialog, which loads the
   * project's files too; names are all the windows need. */
  lean_agent_registry_load_async (self->registry, NULL, NULL, on_registry_loaded, NULL);
  self->relay_config = lean_relay_config_new (NULL);
  lean_relay_config_load (self->relay_config, NULL);
  _lean_application_sessions_init (self);
  open_sessions (self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}

static void
lean_application_shutdown (GApplication *app)
{
  LeanApplication *self = LEAN_APPLICATION (app);

  _lean_application_sessions_shutdown (self);
  G_APPLICATION_CLASS (lean_application_parent_class)->shutdown (app);
}

static void
lean_application_dispose (GObject *object)
{
  LeanApplication *self = LEAN_APPLICATION (object);

  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->spec_status);
  g_clear_object (&self->controller);
  g_clear_error (&self->sessions_error);
  g_clear_pointer (&self->background, g_ptr_array_unref);
  g_clear_object (&self->asking);
  g_clear_pointer (&self->store_users, g_hash_table_unref);
  g_clear_pointer (&self->stores, g_hash_table_unref);
  g_clear_pointer (&self->activities, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->devlog);
  g_clear_object (&self->relay_config);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lean_application_parent_class)->dispose (object);
}

static void
lean_application_class_init (LeanApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lean_application_dispose;
  app_class->startup = lean_application_startup;
  app_class->shutdown = lean_application_shutdown;
  app_class->activate = lean_application_activate;
  app_class->open = lean_application_open;
}

static void
lean_application_init (LeanApplication *self)
{
  self->stores = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->store_users = g_hash_table_new (NULL, NULL);
  self->activities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

LeanApplication *
lean_application_new (void)
{
  return g_object_new (LEAN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/dev/leanspec/Desktop",
                       NULL);
}
