/* SPDX-License-Identifier: MIT */
/* The Projects view in a real window under Xvfb, driven by real keys and
 * clicks through XTest: two temp copies of the demo project, a real agent
 * session (the test agent in a PTY) running in one of them; the view's
 * counts against the copied files, the running session on its project's
 * row, switching projects by a click without the session stopping, pin and
 * unpin, remove with Undo; screenshots at two widths in both styles. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "lean-application.h"
#include "lean-application-private.h"
#include "lean-projects-view.h"
#include "lean-window-private.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static LeanApplication *app;

typedef struct
{
  char           *a;      /* has the running session */
  char           *b;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanWindow     *window;
  GSettings      *settings;
} Fixture;

typedef struct
{
  LeanWindow *window;
  const char *root;
} Loaded;

static gboolean
project_loaded (gpointer data)
{
  Loaded *l = data;
  LeanSpecStore *store = lean_window_get_store (l->window);

  return store != NULL && g_strcmp0 (lean_window_get_project_root (l->window), l->root) == 0 &&
         !lean_spec_store_get_loading (store) && g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
open_and_wait (Fixture    *f,
               const char *root)
{
  Loaded l = { f->window, root };

  lean_window_open_project (f->window, root);
  g_assert_true (test_util_wait_until (project_loaded, &l, 15000));
  ui_test_settle (200);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autofree char *db_path = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  f->a = ui_test_copy_tree (demo);
  f->b = ui_test_copy_tree (demo);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "slow", agent, "text", "--ready", "--text", "--sleep", "60", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (f->a, ".lean-spec/runners.json", json);
  test_trust_runners (f->a);

  f->settings = g_settings_new (APP_ID);
  g_settings_reset (f->settings, "recent-projects");
  g_settings_reset (f->settings, "pinned-projects");

  db_path = g_build_filename (f->a, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);
  _lean_application_set_controller (app, f->controller);

  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  /* B, then A: the recent list is A, B. */
  open_and_wait (f, f->b);
  open_and_wait (f, f->a);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ui_test_stop_sessions (f->controller, 5000);
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  g_clear_object (&f->settings);
  ui_test_remove_tree (f->a);
  ui_test_remove_tree (f->b);
  g_free (f->a);
  g_free (f->b);
}

static gboolean
session_running (gpointer data)
{
  return lean_session_get_state (data) == LEAN_SESSION_STATE_RUNNING;
}

static gboolean
projects_ready (gpointer data)
{
  LeanWindow *window = data;

  return g_strcmp0 (_lean_window_get_view (window), "projects") == 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (window->projects_view)) &&
         _lean_projects_view_is_ready (window->projects_view);
}

static void
show_projects (Fixture *f)
{
  ui_input_key (GDK_KEY_5, GDK_CONTROL_MASK);
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));
  ui_test_settle (150);
}

/* The statuses of the READMEs under @root/specs, read from the files. */
static void
count_statuses (const char *root,
                GHashTable *counts)
{
  g_autofree char *specs = g_build_filename (root, "specs", NULL);
  const char *folders[] = { specs, NULL, NULL };
  g_autofree char *archived = g_build_filename (specs, "archived", NULL);

  folders[1] = archived;
  for (guint f = 0; folders[f] != NULL; f++)
    {
      g_autoptr(GDir) dir = g_dir_open (folders[f], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *readme = g_build_filename (folders[f], name, "README.md", NULL);
          g_autofree char *text = NULL;
          const char *line;

          if (!g_file_get_contents (readme, &text, NULL, NULL))
            continue;
          line = strstr (text, "\nstatus:");
          g_assert_nonnull (line);
          {
            g_autofree char *status = g_strndup (line + 8, strcspn (line + 8, "\r\n"));

            g_strstrip (status);
            g_hash_table_insert (counts, g_strdup (status),
                                 GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, status)) + 1));
          }
        }
    }
}

static const char *
chip_text (GtkWidget  *row,
           const char *name)
{
  GtkWidget *chip = ui_test_find_named (row, name);

  return chip != NULL && GTK_IS_LABEL (chip) ? gtk_label_get_label (GTK_LABEL (chip)) : NULL;
}

static GtkWidget *
row_of (Fixture    *f,
        const char *root)
{
  GtkWidget *row = _lean_projects_view_find_row (f->window->projects_view, root);

  g_assert_nonnull (row);
  return row;
}

static gboolean
root_is (gpointer data)
{
  Loaded *l = data;

  return project_loaded (l) && g_strcmp0 (_lean_window_get_view (l->window), "list") == 0;
}

static gboolean
list_lacks (gpointer data)
{
  Fixture *f = data;
  g_auto(GStrv) recent = g_settings_get_strv (f->settings, "recent-projects");

  return !g_strv_contains ((const char * const *) recent, f->a);
}

static gboolean
list_lacks_b (gpointer data)
{
  Fixture *f = data;
  g_auto(GStrv) recent = g_settings_get_strv (f->settings, "recent-projects");

  return !g_strv_contains ((const char * const *) recent, f->b);
}

static void
screenshots (Fixture *f)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  const struct { int width; const char *name; } sizes[] = {
    { 1200, "wide" },
    { 420, "narrow" },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint dark = 0; dark < 2; dark++)
      {
        g_autofree char *name = g_strdup_printf ("projects-%s-%s", sizes[s].name,
                                                 dark ? "dark" : "light");
        g_autofree char *path = NULL;

        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
        gtk_window_set_default_size (GTK_WINDOW (f->window), sizes[s].width, 800);
        ui_test_settle (400);
        path = ui_test_screenshot (GTK_WIDGET (f->window), name);
        g_test_message ("screenshot: %s", path);
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  ui_test_settle (300);
}

static void
test_projects (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  LeanSession *session;
  GtkWidget *row, *undo;
  const char *text;
  int pid = 0;
  Loaded l;

  request->project_path = g_strdup (f->a);
  request->spec_id = g_strdup ("003-habit-api");
  request->agent_id = g_strdup ("slow");
  request->prompt = g_strdup ("Implement the spec");
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_true (test_util_wait_until (session_running, session, 15000));
  g_assert_true (lean_runner_get_process (lean_controller_get_runner (f->controller, session),
                                          &pid, NULL));

  /* Ctrl+5: both projects, A with its session, B without; counts as the
   * files say. */
  show_projects (f);
  row = row_of (f, f->a);
  g_assert_cmpstr (chip_text (row, "running"), ==, "1 session running");
  g_assert_null (chip_text (row_of (f, f->b), "running"));
  count_statuses (f->a, counts);
  {
    const struct { const char *status, *chip; } statuses[] = {
      { "planned", "count-planned" },
      { "in-progress", "count-in-progress" },
      { "complete", "count-complete" },
      { "archived", "count-archived" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
      {
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, statuses[i].status));

        text = chip_text (row, statuses[i].chip);
        g_test_message ("%s: files say %u, row says %s", statuses[i].status, n, text);
        if (n == 0)
          g_assert_null (text);
        else
          g_assert_cmpuint (g_ascii_strtoull (text, NULL, 10), ==, n);
      }
  }
  screenshots (f);

  /* A click on B switches the window; the session goes on. */
  ui_input_click (row_of (f, f->b));
  l = (Loaded) { f->window, f->b };
  g_assert_true (test_util_wait_until (root_is, &l, 15000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  g_assert_cmpint (kill (pid, 0), ==, 0);

  /* Back in the view, A still shows it; B is the open one. */
  show_projects (f);
  g_assert_cmpstr (chip_text (row_of (f, f->a), "running"), ==, "1 session running");

  /* Pin B: it moves to Pinned and into the setting; unpin it again. */
  ui_input_click (_lean_projects_view_get_pin_button (row_of (f, f->b)));
  ui_test_settle (100);
  {
    g_auto(GStrv) pinned = g_settings_get_strv (f->settings, "pinned-projects");

    g_assert_cmpuint (g_strv_length (pinned), ==, 1);
    g_assert_cmpstr (pinned[0], ==, f->b);
  }
  g_assert_true (_lean_projects_view_row_is_pinned (row_of (f, f->b)));
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));
  ui_test_settle (150);
  ui_test_screenshot (GTK_WIDGET (f->window), "projects-pinned");
  ui_input_click (_lean_projects_view_get_pin_button (row_of (f, f->b)));
  ui_test_settle (100);
  {
    g_auto(GStrv) pinned = g_settings_get_strv (f->settings, "pinned-projects");

    g_assert_cmpuint (g_strv_length (pinned), ==, 0);
  }
  g_assert_false (_lean_projects_view_row_is_pinned (row_of (f, f->b)));

  /* Remove A from the list, then Undo from the toast puts it back first. */
  {
    g_auto(GStrv) before = g_settings_get_strv (f->settings, "recent-projects");

    g_assert_cmpstr (before[0], ==, f->b);
    g_assert_cmpstr (before[1], ==, f->a);
    ui_input_click (_lean_projects_view_get_remove_button (row_of (f, f->a)));
    g_assert_true (test_util_wait_until (list_lacks, f, 5000));
    g_assert_null (_lean_projects_view_find_row (f->window->projects_view, f->a));
    ui_test_settle (400);
    undo = ui_test_find_button (GTK_WIDGET (f->window), "_Undo");
    g_assert_nonnull (undo);
    ui_input_click (undo);
    ui_test_settle (200);
    {
      g_auto(GStrv) after = g_settings_get_strv (f->settings, "recent-projects");

      g_assert_cmpstrv (after, before);
    }
  }
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));

  /* A pin after a removal and its Undo is saved too: the view's own
   * settings object must not be left holding changes back. */
  ui_input_click (_lean_projects_view_get_pin_button (row_of (f, f->a)));
  ui_test_settle (100);
  {
    g_autoptr(GSettings) fresh = g_settings_new (APP_ID);
    g_auto(GStrv) pinned = g_settings_get_strv (fresh, "pinned-projects");

    g_assert_cmpuint (g_strv_length (pinned), ==, 1);
    g_assert_cmpstr (pinned[0], ==, f->a);
  }
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));
  ui_input_click (_lean_projects_view_get_pin_button (row_of (f, f->a)));
  ui_test_settle (100);
  {
    g_autoptr(GSettings) fresh = g_settings_new (APP_ID);
    g_auto(GStrv) pinned = g_settings_get_strv (fresh, "pinned-projects");

    g_assert_cmpuint (g_strv_length (pinned), ==, 0);
  }
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));

  /* Delete on B's focused row removes it, focus moves to the row left;
   * Undo puts it back. */
  {
    g_auto(GStrv) before = g_settings_get_strv (f->settings, "recent-projects");
    GtkWidget *focus;

    gtk_widget_grab_focus (row_of (f, f->b));
    ui_input_key (GDK_KEY_Delete, 0);
    g_assert_true (test_util_wait_until (list_lacks_b, f, 5000));
    g_assert_null (_lean_projects_view_find_row (f->window->projects_view, f->b));
    focus = gtk_root_get_focus (GTK_ROOT (f->window));
    g_assert_nonnull (focus);
    g_assert_true (focus == row_of (f, f->a));
    ui_test_settle (400);
    undo = ui_test_find_button (GTK_WIDGET (f->window), "_Undo");
    g_assert_nonnull (undo);
    ui_input_click (undo);
    ui_test_settle (200);
    {
      g_autoptr(GSettings) fresh = g_settings_new (APP_ID);
      g_auto(GStrv) after = g_settings_get_strv (fresh, "recent-projects");

      g_assert_cmpstrv (after, before);
    }
  }
  g_assert_true (test_util_wait_until (projects_ready, f->window, 15000));

  /* And back to A by its row; the session still runs. */
  ui_input_click (row_of (f, f->a));
  l = (Loaded) { f->window, f->a };
  g_assert_true (test_util_wait_until (root_is, &l, 15000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  g_assert_cmpint (kill (pid, 0), ==, 0);
}

static gboolean
welcome_ready (gpointer data)
{
  LeanWindow *window = data;

  return g_strcmp0 (_lean_window_get_page (window), "welcome") == 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (window->welcome_projects)) &&
         _lean_projects_view_is_ready (window->welcome_projects);
}

/* A window with no project open: the welcome page lists the pinned and
 * recent projects with their counts, the running session, a missing
 * folder dimmed with its reason; a click on a row opens that project. */
static void
test_welcome (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = g_build_filename (g_get_tmp_dir (), "leanspec-no-such-project", NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *recent[] = { f->a, gone, NULL };
  const char *pinned[] = { f->b, NULL };
  LeanWindow *welcome;
  LeanSession *session;
  GtkWidget *row;
  Loaded l;

  request->project_path = g_strdup (f->a);
  request->spec_id = g_strdup ("003-habit-api");
  request->agent_id = g_strdup ("slow");
  request->prompt = g_strdup ("Implement the spec");
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_true (test_util_wait_until (session_running, session, 15000));

  g_settings_set_strv (f->settings, "recent-projects", recent);
  g_settings_set_strv (f->settings, "pinned-projects", pinned);
  welcome = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (welcome), 900, 800);
  gtk_window_present (GTK_WINDOW (welcome));
  g_assert_true (test_util_wait_until (welcome_ready, welcome, 15000));
  ui_test_settle (300);

  /* B pinned, A recent with its session and counts, the gone one dimmed. */
  row = _lean_projects_view_find_row (welcome->welcome_projects, f->b);
  g_assert_nonnull (row);
  g_assert_true (_lean_projects_view_row_is_pinned (row));
  row = _lean_projects_view_find_row (welcome->welcome_projects, f->a);
  g_assert_nonnull (row);
  g_assert_false (_lean_projects_view_row_is_pinned (row));
  g_assert_cmpstr (chip_text (row, "running"), ==, "1 session running");
  count_statuses (f->a, counts);
  {
    guint planned = GPOINTER_TO_UINT (g_hash_table_lookup (counts, "planned"));

    g_assert_cmpuint (planned, >, 0);
    g_assert_cmpuint (g_ascii_strtoull (chip_text (row, "count-planned"), NULL, 10), ==, planned);
  }
  row = _lean_projects_view_find_row (welcome->welcome_projects, gone);
  g_assert_nonnull (row);
  g_assert_cmpstr (chip_text (row, "error"), ==, "Folder not found");
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  g_assert_true (ui_test_find_button (GTK_WIDGET (welcome), "_Open Folder…") != NULL);
  g_test_message ("screenshot: %s", ui_test_screenshot (GTK_WIDGET (welcome), "welcome-projects"));
  gtk_window_set_default_size (GTK_WINDOW (welcome), 360, 700);
  ui_test_settle (400);
  g_test_message ("screenshot: %s", ui_test_screenshot (GTK_WIDGET (welcome),
                                                        "welcome-projects-narrow"));

  /* A click on B's row opens it in this window (A is open in the
   * fixture's window, which a click on A would bring forward); the
   * session goes on. */
  ui_input_click (_lean_projects_view_find_row (welcome->welcome_projects, f->b));
  l = (Loaded) { welcome, f->b };
  g_assert_true (test_util_wait_until (root_is, &l, 15000));
  g_assert_cmpstr (_lean_window_get_page (welcome), ==, "project");
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  gtk_window_destroy (GTK_WINDOW (welcome));
  ui_test_settle (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  test_session_env_init ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ui_test_start_notification_server ();

  if (!ui_input_available ())
    {
      g_printerr ("test-ui-projects needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }
  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return g_test_run ();
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/ui/projects/switch-pin-remove", Fixture, NULL, fixture_set_up, test_projects,
              fixture_tear_down);
  g_test_add ("/ui/projects/welcome", Fixture, NULL, fixture_set_up, test_welcome,
              fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
