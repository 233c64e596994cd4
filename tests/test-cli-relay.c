/* SPDX-License-Identifier: MIT */
/* leanspec-ctl relay, driven as a child process with a private
 * XDG_CONFIG_HOME, against the conformance peer. */
#include "config.h"

#include <string.h>

#include "ctl-testutil.h"
#include "relay-test-util.h"

static char *config_home;

static void
test_add_list_check (void)
{
  g_autoptr(Peer) peer = peer_start ("--token", "tok", NULL);
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  const char *ctl = ctl_test_ctl_path ();

  {
    const char *argv[] = { ctl, "relay", "add", "lab", peer->url, "--default-runner", "r1",
                           "--runner", "r1", NULL };
    r = ctl_test_run_argv (NULL, argv, NULL);
    g_assert_cmpint (r->exit_status, ==, 0);
    g_clear_pointer (&r, ctl_result_free);
  }
  file = g_build_filename (config_home, "leanspec-desktop", "relays.json", NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, peer->url));

  {
    const char *argv[] = { ctl, "relay", "list", "--json", NULL };
    JsonObject *o;

    r = ctl_test_run_argv (NULL, argv, NULL);
    g_assert_cmpint (r->exit_status, ==, 0);
    node = ctl_test_parse_json (r->out);
    o = json_array_get_object_element (json_node_get_array (node), 0);
    g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "lab");
    g_assert_cmpstr (json_object_get_string_member (o, "default_runner"), ==, "r1");
    g_clear_pointer (&r, ctl_result_free);
  }

  /* The peer wants a token: without one HQ refuses, with the env one it answers. */
  {
    const char *argv[] = { ctl, "relay", "check", "lab", NULL };

    g_unsetenv ("LEANSPEC_RELAY_TOKEN");
    r = ctl_test_run_argv (NULL, argv, NULL);
    g_assert_cmpint (r->exit_status, ==, 1);
    ctl_test_assert_one_error_line (r->err, "refused the token");
    g_clear_pointer (&r, ctl_result_free);

    g_setenv ("LEANSPEC_RELAY_TOKEN", "tok", TRUE);
    r = ctl_test_run_argv (NULL, argv, NULL);
    g_unsetenv ("LEANSPEC_RELAY_TOKEN");
    g_assert_cmpint (r->exit_status, ==, 0);
    g_assert_nonnull (strstr (r->out, "is up"));
    g_clear_pointer (&r, ctl_result_free);
  }

  /* A bare URL needs no configuration (scripts, CI). */
  {
    g_autoptr(JsonNode) result = NULL;
    const char *argv[] = { ctl, "relay", "check", "--json", peer->url, NULL };

    g_setenv ("LEANSPEC_RELAY_TOKEN", "tok", TRUE);
    r = ctl_test_run_argv (NULL, argv, NULL);
    g_unsetenv ("LEANSPEC_RELAY_TOKEN");
    g_assert_cmpint (r->exit_status, ==, 0);
    result = ctl_test_parse_json (r->out);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (result), "ok"));
    g_clear_pointer (&r, ctl_result_free);
  }

  /* Gone: one clear line and exit status 1. */
  {
    const char *argv[] = { ctl, "relay", "check", "lab", NULL };

    g_subprocess_force_exit (peer->proc);
    g_subprocess_wait (peer->proc, NULL, NULL);
    r = ctl_test_run_argv (NULL, argv, NULL);
    g_assert_cmpint (r->exit_status, ==, 1);
    ctl_test_assert_one_error_line (r->err, "Could not reach relay at ws://127.0.0.1:");
    g_clear_pointer (&r, ctl_result_free);
  }

  {
    const char *argv[] = { ctl, "relay", "remove", "lab", NULL };

    r = ctl_test_run_argv (NULL, argv, NULL);
    g_assert_cmpint (r->exit_status, ==, 0);
  }
  test_util_rm_rf (config_home);
}

static void
test_errors (void)
{
  const char *ctl = ctl_test_ctl_path ();
  struct { const char *args[6]; int status; const char *needle; } cases[] = {
    { { "relay", "check", "nowhere", NULL }, 1, "no relay server named “nowhere”" },
    { { "relay", "check", "gopher://h", NULL }, 2, "is not a relay address" },
    { { "relay", "add", "x", "hq.example:8080", NULL }, 2, "ws://host:port" },
    { { "relay", "frobnicate", NULL }, 2, "unknown relay command" },
    { { "relay", "check", NULL }, 2, "missing SERVER" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtlResult) r = NULL;
      const char *argv[8] = { ctl };

      for (guint j = 0; cases[i].args[j]; j++)
        argv[j + 1] = cases[i].args[j];
      r = ctl_test_run_argv (NULL, argv, NULL);
      g_assert_cmpint (r->exit_status, ==, cases[i].status);
      ctl_test_assert_one_error_line (r->err, cases[i].needle);
    }
}

static gboolean
ctl_has_implement (void)
{
  g_autoptr(CtlResult) r = NULL;
  const char *argv[] = { ctl_test_ctl_path (), "implement", "--help", NULL };

  r = ctl_test_run_argv (NULL, argv, NULL);
  return r->exit_status == 0;
}

/* leanspec-ctl implement --runner relay:URL/RUNNER: the agent runs under the
 * peer, its output comes back on stdout, the exit status is the session's. */
static void
test_implement_on_relay (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autofree char *root = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *runners = NULL;
  g_autofree char *db = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *ghost = NULL;
  g_autoptr(CtlResult) r = NULL;

  if (!ctl_has_implement ())
    {
      g_test_skip ("this leanspec-ctl has no implement command yet");
      return;
    }

  peer = peer_start (NULL);
  root = test_util_make_tmp_dir ();
  agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests", "lean-test-agent", NULL);
  runners = g_strdup_printf ("{\"runners\": {\"relayed\": {\"name\": \"relayed\", "
                             "\"command\": \"%s\", \"output\": \"text\", "
                             "\"args\": [\"--lines\", \"3\", \"--exit\", \"0\"]}}}\n", agent);
  test_util_write_file (root, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (root, ".lean-spec/runners.json", runners);
  test_util_write_file (root, "specs/001-relay/README.md",
                       "---\nstatus: planned\ncreated: '2026-11-26'\n---\n\n# Relay\n");
  db = g_build_filename (root, "sessions.db", NULL);
  g_setenv ("LEANSPEC_DB", db, TRUE);

  /* The project's own agent runs once its runners.json is trusted. */
  r = ctl_test_run_ctl (root, "trust", "--yes", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_clear_pointer (&r, ctl_result_free);

  runner = g_strdup_printf ("--runner=relay:%s/r1", peer->url);
  r = ctl_test_run_ctl (root, "implement", "001", "--agent", "relayed", runner, "--keep-status",
                        NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "line 000002"));
  g_clear_pointer (&r, ctl_result_free);

  ghost = g_strdup_printf ("--runner=relay:%s/ghost", peer->url);
  r = ctl_test_run_ctl (root, "implement", "001", "--agent", "relayed", ghost, "--keep-status",
                        NULL);
  g_assert_cmpint (r->exit_status, ==, 1);
  g_assert_nonnull (strstr (r->err, "HTTP 404: runner not found"));

  g_unsetenv ("LEANSPEC_DB");
  test_util_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  config_home = test_util_make_tmp_dir ();
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-relay/errors", test_errors);
  g_test_add_func ("/cli-relay/add-list-check", test_add_list_check);
  g_test_add_func ("/cli-relay/implement-on-relay", test_implement_on_relay);
  return g_test_run ();
}
