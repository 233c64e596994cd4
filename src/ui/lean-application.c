/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-app-sessions.h"
#include "lean-application.h"
#include "lean-relay-config.h"
#include "lean-relay-preferences.h"
#include "lean-window.h"

struct _LeanApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

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
  if (lean_app_sessions_reopen (GTK_APPLICATION (self)))
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

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LeanApplication *self = user_data;
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
                               _("A planned spec becomes in-progress when an implementation session starts on it"));
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
    g_autoptr(LeanRelayConfig) relays = lean_relay_config_new (NULL);
    GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
    const char *root = NULL;

    lean_relay_config_load (relays, NULL);
    if (LEAN_IS_WINDOW (active))
      root = lean_window_get_project_root (LEAN_WINDOW (active));
    adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (lean_relay_preferences_new (relays, root)));
  }

  gtk_window_present (GTK_WINDOW (prefs));
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
  lean_app_sessions_quit (GTK_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "open-folder", open_folder_action },
  { "new-window", new_window_action },
  { "preferences", preferences_action },
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
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (lean_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  lean_app_sessions_init (GTK_APPLICATION (self));
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}

static void
lean_application_dispose (GObject *object)
{
  LeanApplication *self = LEAN_APPLICATION (object);

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
  app_class->activate = lean_application_activate;
  app_class->open = lean_application_open;
}

static void
lean_application_init (LeanApplication *self)
{
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
