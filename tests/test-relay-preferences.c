/* SPDX-License-Identifier: MIT */
/* The relay Preferences page in a real window (run under Xvfb), against the
 * conformance peer for "Test Connection". Saves a screenshot next to the
 * test binary: relay-preferences.png. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-relay-preferences.h"
#include "test-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static void
on_message (GObject    *page,
            GParamSpec *pspec,
            gboolean   *changed)
{
  *changed = TRUE;
}

static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 300 * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
save_screenshot (GtkWidget  *window,
                 const char *file)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);

  /* Right after a relayout the window may have nothing drawn yet: let a
   * few frames pass until it has. */
  for (guint tries = 0; node == NULL && tries < 40; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        {
          gint64 until = g_get_monotonic_time () + 50 * 1000;

          while (g_get_monotonic_time () < until)
            g_main_context_iteration (NULL, FALSE);
        }
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
}

static GSubprocess *
start_peer (char **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  GSubprocess *peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                        g_getenv ("LEAN_RELAY_PEER"), "r1", NULL);

  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_nonnull (line);
  *url = g_strdup_printf ("ws://127.0.0.1:%s", line);
  return peer;
}

static gboolean have_display;

static void
test_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relay-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "relays.json", NULL);
  g_autofree char *url = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GSubprocess) peer = start_peer (&url);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(LeanRelayConfig) reread = lean_relay_config_new (path);
  g_autoptr(LeanRelayServer) lab = NULL;
  GtkWidget *window, *page, *button, *expander;
  gboolean changed = FALSE;
  const char *message;

  g_assert_no_error (error);
  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  lab = lean_relay_server_new ("lab", url);
  lab->default_runner = g_strdup ("r1");
  g_assert_true (lean_relay_config_set_server (config, lab, NULL));
  g_assert_true (lean_relay_config_save (config, NULL));

  window = adw_preferences_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 900);
  page = lean_relay_preferences_new (config, "/home/dev/demo-project");
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "notify::message", G_CALLBACK (on_message), &changed);
  settle ();

  /* Test Connection against the live peer. */
  expander = ui_test_find_named (page, "lab");
  g_assert_nonnull (expander);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  button = ui_test_find_named (page, "relay-test-lab");
  g_assert_nonnull (button);
  changed = FALSE;
  g_signal_emit_by_name (button, "clicked");
  test_util_wait_for_flag (&changed, 20, "the health check");
  message = lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page));
  g_assert_cmpstr (message, ==, "Connected: the relay answered /health");

  /* Adding a server with a bad address is refused with the reason. */
  gtk_editable_set_text (GTK_EDITABLE (ui_test_find_named (page, "relay-new-name")), "ci");
  gtk_editable_set_text (GTK_EDITABLE (ui_test_find_named (page, "relay-new-url")), "hq.example:8080");
  g_signal_emit_by_name (ui_test_find_named (page, "relay-add"), "clicked");
  message = lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page));
  g_assert_nonnull (strstr (message, "ws://host:port"));
  g_assert_cmpuint (lean_relay_config_get_n_servers (config), ==, 1);

  /* A good one is saved at once. */
  gtk_editable_set_text (GTK_EDITABLE (ui_test_find_named (page, "relay-new-url")),
                         "wss://hq.example:8443");
  g_signal_emit_by_name (ui_test_find_named (page, "relay-add"), "clicked");
  g_assert_null (lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page)));
  g_assert_true (lean_relay_config_load (reread, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lean_relay_config_get_n_servers (reread), ==, 2);
  g_assert_cmpstr (lean_relay_config_lookup (reread, "ci")->url, ==, "wss://hq.example:8443");
  settle ();

  /* The project's default runner offers Local and lab's runner. */
  {
    AdwComboRow *combo = ADW_COMBO_ROW (ui_test_find_named (page, "relay-project-runner"));
    GListModel *model = adw_combo_row_get_model (combo);

    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
    adw_combo_row_set_selected (combo, 1);
    g_assert_true (lean_relay_config_load (reread, &error));
    g_assert_cmpstr (lean_relay_config_get_project_runner (reread, "/home/dev/demo-project"),
                     ==, "relay:lab/r1");
  }

  expander = ui_test_find_named (page, "lab");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  settle ();
  shot = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                           "relay-preferences.png", NULL);
  save_screenshot (window, shot);

  /* Test Connection when the relay is gone says so in the row. */
  g_subprocess_force_exit (peer);
  g_subprocess_wait (peer, NULL, NULL);
  button = ui_test_find_named (page, "relay-test-lab");
  changed = FALSE;
  g_signal_emit_by_name (button, "clicked");
  test_util_wait_for_flag (&changed, 20, "the failing health check");
  message = lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page));
  g_assert_true (g_str_has_prefix (message, "Could not reach relay at ws://127.0.0.1:"));

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "token"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_broken_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relay-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "relays.json", NULL);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autofree char *after = NULL;
  GtkWidget *window, *page;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  g_assert_true (g_file_set_contents (path, "{\"servers\": [", -1, NULL));
  g_assert_false (lean_relay_config_load (config, NULL));

  window = adw_preferences_window_new ();
  page = lean_relay_preferences_new (config, NULL);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  /* The page says what is wrong with the file, and adding a server does
   * not overwrite what the person wrote. */
  g_assert_nonnull (strstr (lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page)),
                            "not valid JSON"));
  gtk_editable_set_text (GTK_EDITABLE (ui_test_find_named (page, "relay-new-name")), "x");
  gtk_editable_set_text (GTK_EDITABLE (ui_test_find_named (page, "relay-new-url")), "ws://h:1");
  g_signal_emit_by_name (ui_test_find_named (page, "relay-add"), "clicked");
  g_assert_nonnull (strstr (lean_relay_preferences_get_message (LEAN_RELAY_PREFERENCES (page)),
                            "Not saving relay settings"));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "{\"servers\": [");

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_unlink (path);
  g_rmdir (dir);
}


static gboolean
has_undo (gpointer data)
{
  return ui_test_find_button (data, "_Undo") != NULL;
}

static gboolean
has_named (gpointer data)
{
  GtkWidget **pair = data;

  return ui_test_find_named (pair[0], (const char *) pair[1]) != NULL &&
         gtk_widget_get_mapped (ui_test_find_named (pair[0], (const char *) pair[1]));
}

/* Remove, with the pointer, then Undo in the toast: the server is back in
 * relays.json as it was. */
static void
test_remove_undo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relay-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "relays.json", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *restored = NULL;
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(LeanRelayConfig) reread = lean_relay_config_new (path);
  g_autoptr(LeanRelayServer) lab = NULL;
  GtkWidget *window, *page, *expander, *button;
  gpointer pair[2];

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X display with XTest: run under xvfb-run");
      return;
    }
  lab = lean_relay_server_new ("lab", "ws://127.0.0.1:9");
  lab->default_runner = g_strdup ("r1");
  g_assert_true (lean_relay_config_set_server (config, lab, NULL));
  g_assert_true (lean_relay_config_save (config, NULL));
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));

  window = adw_preferences_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 900);
  page = lean_relay_preferences_new (config, "/home/dev/demo-project");
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  expander = ui_test_find_named (page, "lab");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  pair[0] = page;
  pair[1] = (gpointer) "relay-remove-lab";
  g_assert_true (test_util_wait_until (has_named, pair, 5000));
  settle ();
  ui_input_click (ui_test_find_named (page, "relay-remove-lab"));
  settle ();

  g_assert_true (lean_relay_config_load (reread, &error));
  g_assert_cmpuint (lean_relay_config_get_n_servers (reread), ==, 0);
  g_assert_true (g_file_get_contents (path, &removed, NULL, NULL));
  g_assert_null (strstr (removed, "\"lab\""));

  g_assert_true (test_util_wait_until (has_undo, window, 5000));
  settle ();
  button = ui_test_find_button (window, "_Undo");
  ui_input_click (button);
  settle ();

  g_assert_true (lean_relay_config_load (reread, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lean_relay_config_get_n_servers (reread), ==, 1);
  g_assert_cmpstr (lean_relay_config_lookup (reread, "lab")->url, ==, "ws://127.0.0.1:9");
  g_assert_cmpstr (lean_relay_config_lookup (reread, "lab")->default_runner, ==, "r1");
  g_assert_true (g_file_get_contents (path, &restored, NULL, NULL));
  g_assert_cmpstr (restored, ==, saved);
  /* The page shows it again. */
  g_assert_true (test_util_wait_until (has_named, (pair[1] = (gpointer) "lab", pair), 5000));

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_unlink (path);
  g_rmdir (dir);
}

/* A relay on another computer over ws://: the token is not sent until the
 * person turns on "Send Token Without Encryption" (a real click), which is
 * saved for that server. */
static void
test_insecure_token_switch (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relay-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "relays.json", NULL);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(LeanRelayConfig) reread = lean_relay_config_new (path);
  g_autoptr(LeanRelayServer) far = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *window, *page, *expander, *toggle;

  if (!have_display || !ui_input_available ())
    {
      g_test_skip ("no X11 display with XTest: run under xvfb-run");
      return;
    }
  far = lean_relay_server_new ("far", "ws://192.0.2.1:8080");
  g_assert_true (lean_relay_config_set_server (config, far, NULL));
  g_assert_true (lean_relay_config_save (config, NULL));

  window = adw_preferences_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 900);
  page = lean_relay_preferences_new (config, NULL);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  expander = ui_test_find_named (page, "far");
  g_assert_nonnull (expander);
  ui_input_click (expander);
  ui_test_settle (400);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (expander)));

  toggle = ui_test_find_named (page, "relay-insecure-token-far");
  g_assert_nonnull (toggle);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  ui_input_click (toggle);
  ui_test_settle (400);

  g_assert_true (lean_relay_config_load (reread, &error));
  g_assert_no_error (error);
  g_assert_true (lean_relay_config_lookup (reread, "far")->allow_insecure_token);

  expander = ui_test_find_named (page, "far");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  ui_test_settle (400);
  shot = ui_test_screenshot (window, "relay-insecure-token");
  g_test_message ("screenshot: %s", shot);

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();
  g_test_add_func ("/relay-preferences/page", test_page);
  g_test_add_func ("/relay-preferences/broken-file", test_broken_file);
  g_test_add_func ("/relay-preferences/remove-undo", test_remove_undo);
  g_test_add_func ("/relay-preferences/insecure-token-switch", test_insecure_token_switch);
  return g_test_run ();
}
