/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-relay-config.h"

static char *
tmp_config_path (char **dir_out)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("relay-config-XXXXXX", &error);

  g_assert_no_error (error);
  *dir_out = dir;
  /* A sub-folder that does not exist yet: save() must create it. */
  return g_build_filename (dir, "leanspec-desktop", "relays.json", NULL);
}

static void
cleanup (const char *path,
         const char *dir)
{
  g_autofree char *sub = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

static void
test_default_path (void)
{
  g_autofree char *path = lean_relay_config_get_default_path ();
  g_autofree char *want = g_build_filename (g_get_user_config_dir (), "leanspec-desktop",
                                            "relays.json", NULL);

  g_assert_cmpstr (path, ==, want);
}

static void
test_missing_file_is_empty (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = tmp_config_path (&dir);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (lean_relay_config_load (config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lean_relay_config_get_n_servers (config), ==, 0);
  cleanup (path, dir);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = tmp_config_path (&dir);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(LeanRelayConfig) again = lean_relay_config_new (path);
  g_autoptr(LeanRelayServer) lab = lean_relay_server_new ("lab", "https://relay.lab:8443/");
  g_autoptr(LeanRelayServer) home = lean_relay_server_new ("home", "ws://10.0.0.2:8080");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *runners[] = { "gpu-1", "gpu-2", NULL };
  const LeanRelayServer *s;
  GStatBuf st;

  lab->default_runner = g_strdup ("gpu-1");
  lab->runner_ids = g_strdupv ((char **)runners);
  g_assert_true (lean_relay_config_set_server (config, lab, &error));
  g_assert_true (lean_relay_config_set_server (config, home, &error));
  g_assert_no_error (error);
  lean_relay_config_set_project_runner (config, "/src/app", "relay:lab/gpu-2");
  g_assert_true (lean_relay_config_save (config, &error));
  g_assert_no_error (error);

  /* Private: it lists internal hosts. Never a token in it. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "token"));

  g_assert_true (lean_relay_config_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lean_relay_config_get_n_servers (again), ==, 2);
  s = lean_relay_config_lookup (again, "lab");
  g_assert_nonnull (s);
  g_assert_cmpstr (s->url, ==, "wss://relay.lab:8443");
  g_assert_cmpstr (s->default_runner, ==, "gpu-1");
  g_assert_cmpstrv (s->runner_ids, runners);
  s = lean_relay_config_lookup (again, "home");
  g_assert_cmpstr (s->url, ==, "ws://10.0.0.2:8080");
  g_assert_null (s->default_runner);
  g_assert_cmpstr (lean_relay_config_get_project_runner (again, "/src/app"), ==,
                   "relay:lab/gpu-2");
  g_assert_null (lean_relay_config_get_project_runner (again, "/elsewhere"));

  /* Replace by name, then remove. */
  g_free (home->url);
  home->url = g_strdup ("ws://10.0.0.3:8080");
  g_assert_true (lean_relay_config_set_server (again, home, &error));
  g_assert_cmpuint (lean_relay_config_get_n_servers (again), ==, 2);
  g_assert_cmpstr (lean_relay_config_lookup (again, "home")->url, ==, "ws://10.0.0.3:8080");
  g_assert_true (lean_relay_config_remove_server (again, "home"));
  g_assert_false (lean_relay_config_remove_server (again, "home"));
  g_assert_cmpuint (lean_relay_config_get_n_servers (again), ==, 1);

  cleanup (path, dir);
}

static void
test_invalid_server (void)
{
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new ("/nonexistent/relays.json");
  g_autoptr(LeanRelayServer) bad_url = lean_relay_server_new ("x", "relay.example:8080");
  g_autoptr(LeanRelayServer) bad_name = lean_relay_server_new ("a/b", "ws://h:1");
  g_autoptr(GError) error = NULL;

  g_assert_false (lean_relay_config_set_server (config, bad_url, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "ws://host:port"));
  g_clear_error (&error);
  g_assert_false (lean_relay_config_set_server (config, bad_name, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_cmpuint (lean_relay_config_get_n_servers (config), ==, 0);
}

static void
test_broken_file_is_kept (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = tmp_config_path (&dir);
  g_autofree char *sub = g_path_get_dirname (path);
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);
  g_autoptr(LeanRelayServer) s = lean_relay_server_new ("lab", "ws://h:1");
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  const char *broken = "{ \"servers\": [ { \"name\": \"lab\", ";

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));

  g_assert_false (lean_relay_config_load (config, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_assert_cmpstr (lean_relay_config_get_load_error (config), ==, error->message);
  g_clear_error (&error);

  /* Saving now would lose what the person wrote: refused. */
  g_assert_true (lean_relay_config_set_server (config, s, &error));
  g_assert_false (lean_relay_config_save (config, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, broken);

  /* A bad entry is named by its position. */
  g_assert_true (g_file_set_contents (path,
                                      "{\"servers\":[{\"name\":\"ok\",\"url\":\"ws://h:1\"},"
                                      "{\"name\":\"bad\",\"url\":\"gopher://h\"}]}", -1, NULL));
  g_assert_false (lean_relay_config_load (config, &error));
  g_assert_nonnull (strstr (error->message, "server #2"));
  cleanup (path, dir);
}

static LeanRelayConfig *
sample_config (void)
{
  LeanRelayConfig *config = lean_relay_config_new ("/nonexistent/relays.json");
  g_autoptr(LeanRelayServer) lab = lean_relay_server_new ("lab", "wss://relay.lab:8443");
  g_autoptr(LeanRelayServer) solo = lean_relay_server_new ("solo", "ws://solo:8080");
  g_autoptr(LeanRelayServer) bare = lean_relay_server_new ("bare", "ws://bare:8080");
  const char *solo_runners[] = { "only-one", NULL };
  const char *bare_runners[] = { "a", "b", NULL };

  lab->default_runner = g_strdup ("gpu-1");
  solo->runner_ids = g_strdupv ((char **)solo_runners);
  bare->runner_ids = g_strdupv ((char **)bare_runners);
  g_assert_true (lean_relay_config_set_server (config, lab, NULL));
  g_assert_true (lean_relay_config_set_server (config, solo, NULL));
  g_assert_true (lean_relay_config_set_server (config, bare, NULL));
  return config;
}

static void
test_parse_runner_spec (void)
{
  g_autoptr(LeanRelayConfig) config = sample_config ();
  struct {
    const char *spec;
    const char *name, *url, *runner;   /* url NULL: an error is expected */
    int code;
  } cases[] = {
    { "relay:lab/gpu-2", "lab", "wss://relay.lab:8443", "gpu-2" },
    { "relay:lab", "lab", "wss://relay.lab:8443", "gpu-1" },
    { "relay:lab/", "lab", "wss://relay.lab:8443", "gpu-1" },
    { "relay:solo", "solo", "ws://solo:8080", "only-one" },
    { "relay:bare", NULL, NULL, NULL, LEAN_ERROR_INVALID_VALUE },
    { "relay:bare/b", "bare", "ws://bare:8080", "b" },
    { "relay:nowhere/x", NULL, NULL, NULL, LEAN_ERROR_NOT_FOUND },
    { "relay:ws://127.0.0.1:8080/r1", NULL, "ws://127.0.0.1:8080", "r1" },
    { "relay:wss://hq.example:8443/runner-7", NULL, "wss://hq.example:8443", "runner-7" },
    { "relay:https://hq.example/prefix/r2", NULL, "wss://hq.example/prefix", "r2" },
    { "relay:wss://relay.lab:8443", "lab", "wss://relay.lab:8443", "gpu-1" },
    { "relay:ws://unknown:1", NULL, NULL, NULL, LEAN_ERROR_INVALID_VALUE },
    { "relay:", NULL, NULL, NULL, LEAN_ERROR_INVALID_VALUE },
    { "local", NULL, NULL, NULL, LEAN_ERROR_INVALID_VALUE },
    { "relay:lab/a/b", NULL, NULL, NULL, LEAN_ERROR_INVALID_VALUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanRelayTarget) t = lean_relay_parse_runner_spec (cases[i].spec, config, &error);

      g_test_message ("%s", cases[i].spec);
      if (cases[i].url == NULL)
        {
          g_assert_null (t);
          g_assert_error (error, LEAN_ERROR, cases[i].code);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (t->server_name, ==, cases[i].name);
      g_assert_cmpstr (t->url, ==, cases[i].url);
      g_assert_cmpstr (t->runner_id, ==, cases[i].runner);
    }

  /* The choices an Implement dialog offers. */
  {
    g_auto(GStrv) runners = lean_relay_config_list_runners (config);
    const char *want[] = { "relay:lab/gpu-1", "relay:solo/only-one", "relay:bare/a",
                           "relay:bare/b", NULL };

    g_assert_cmpstrv (runners, want);
  }

  /* Without any configuration, URLs still work (scripts and CI). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanRelayTarget) t = lean_relay_parse_runner_spec ("relay:ws://h:1/x", NULL,
                                                                 &error);
    g_assert_no_error (error);
    g_assert_cmpstr (t->runner_id, ==, "x");
    g_assert_false (lean_relay_is_relay_spec ("local"));
    g_assert_true (lean_relay_is_relay_spec ("relay:lab"));
  }
}

static void
test_token_env_override (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  g_setenv ("LEANSPEC_RELAY_TOKEN", "from-env", TRUE);
  token = lean_relay_token_lookup_sync ("lab", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "from-env");
  g_unsetenv ("LEANSPEC_RELAY_TOKEN");
}

static void
test_token_without_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* meson points the session bus at nothing: the keyring is unreachable and
   * the message must say what to do instead. */
  if (g_strcmp0 (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                 "unix:path=/nonexistent/leanspec-test-bus") != 0)
    {
      g_test_skip ("a session bus may be present; run through meson test");
      return;
    }
  g_unsetenv ("LEANSPEC_RELAY_TOKEN");
  token = lean_relay_token_lookup_sync ("lab", NULL, &error);
  g_assert_null (token);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "LEANSPEC_RELAY_TOKEN"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_false (lean_relay_token_store_sync ("lab", "secret", NULL, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relay-config/default-path", test_default_path);
  g_test_add_func ("/relay-config/missing-file", test_missing_file_is_empty);
  g_test_add_func ("/relay-config/round-trip", test_round_trip);
  g_test_add_func ("/relay-config/invalid-server", test_invalid_server);
  g_test_add_func ("/relay-config/broken-file-kept", test_broken_file_is_kept);
  g_test_add_func ("/relay-config/parse-runner-spec", test_parse_runner_spec);
  g_test_add_func ("/relay-config/token-env-override", test_token_env_override);
  g_test_add_func ("/relay-config/token-without-keyring", test_token_without_keyring);

  return g_test_run ();
}
