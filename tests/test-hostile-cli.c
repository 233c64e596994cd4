/* SPDX-License-Identifier: MIT */
/* leanspec-ctl, as a child process, on projects written by an attacker:
 * escape sequences in fields, nesting deep enough to overflow a stack. */
#include "config.h"

#include <string.h>

#include "ctl-testutil.h"

/* OSC 52 (write the clipboard), clear screen, a window title, a CSI as a C1
 * character, a carriage return that would overwrite the line. */
static const char evil_readme[] =
  "---\n"
  "status: planned\n"
  "priority: high\n"
  "created: '2026-01-01'\n"
  "assignee: \"\\e]0;pwned\\a mallory\"\n"
  "tags: [\"\\e[31mred\", \"c1\\u009b2J\", \"cr\\rhidden\"]\n"
  "---\n"
  "\n"
  "# \033]52;c;SGVsbG8=\007Evil\033[2J title\n"
  "\n"
  "- [ ] a task\n";

static void
assert_clean (const char *text,
              const char *what)
{
  if (strchr (text, '\033') != NULL || strchr (text, '\007') != NULL
      || strchr (text, '\r') != NULL || strstr (text, "\xc2\x9b") != NULL)
    g_error ("%s printed a control character:\n%s", what, text);
}

static void
test_fields_cleaned (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  const char *commands[][3] = {
    { "list", NULL },
    { "show", "1" },
    { "board", NULL },
    { "stats", NULL },
  };

  test_util_write_file (root, "specs/001-evil/README.md", evil_readme);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(CtlResult) r = ctl_test_run_ctl (root, commands[i][0], commands[i][1], NULL);

      g_assert_cmpint (r->exit_status, ==, 0);
      assert_clean (r->out, commands[i][0]);
      assert_clean (r->err, commands[i][0]);
      if (i < 2)
        g_assert_nonnull (strstr (r->out, "Evil"));
    }

  /* --json stays exact: the escapes are there, JSON-escaped. */
  {
    g_autoptr(CtlResult) r = ctl_test_run_ctl (root, "list", "--json", NULL);
    g_autoptr(JsonNode) node = NULL;
    JsonObject *obj;

    g_assert_cmpint (r->exit_status, ==, 0);
    node = ctl_test_parse_json (r->out);
    obj = json_array_get_object_element (json_node_get_array (node), 0);
    g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==,
                     "\033]52;c;SGVsbG8=\007Evil\033[2J title");
    g_assert_cmpstr (json_object_get_string_member (obj, "assignee"), ==,
                     "\033]0;pwned\007 mallory");
  }

  /* set echoes the assignee it replaced. */
  {
    g_autoptr(CtlResult) r = ctl_test_run_ctl (root, "set", "1", "--assignee", "bob", NULL);

    g_assert_cmpint (r->exit_status, ==, 0);
    assert_clean (r->out, "set");
    g_assert_nonnull (strstr (r->out, "mallory"));
  }

  test_util_rm_rf (root);
}

static char *
nested (const char *open,
        guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, open);
  return g_string_free (s, FALSE);
}

/* 60,000 levels of flow sequences in one spec's front matter: the others
 * are listed, the deep one is named as a problem, nothing crashes. */
static void
test_deep_front_matter_list (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autofree char *brackets = nested ("[", 60000);
  g_autofree char *deep = g_strdup_printf ("---\nstatus: planned\nx: %s\n---\n# Deep\n", brackets);
  g_autoptr(CtlResult) r = NULL;

  test_util_write_file (root, "specs/001-fine/README.md", "---\nstatus: planned\n---\n# Fine\n");
  test_util_write_file (root, "specs/002-deep/README.md", deep);
  r = ctl_test_run_ctl (root, "list", NULL);
  g_test_message ("exit %d, stderr: %s", r->exit_status, r->err);
  g_assert_cmpint (r->exit_status, <, 128);
  g_assert_nonnull (strstr (r->out, "Fine"));
  g_assert_nonnull (strstr (r->err, "specs/002-deep/README.md"));
  g_assert_nonnull (strstr (r->err, "64 levels"));

  test_util_rm_rf (root);
}

/* 100,000 nested objects in config.json: one error line, no crash. */
static void
test_deep_config_list (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autofree char *braces = nested ("{\"a\":", 100000);
  g_autoptr(CtlResult) r = NULL;

  test_util_write_file (root, ".lean-spec/config.json", braces);
  test_util_write_file (root, "specs/001-fine/README.md", "---\nstatus: planned\n---\n# Fine\n");
  r = ctl_test_run_ctl (root, "list", NULL);
  g_assert_cmpint (r->exit_status, <, 128);
  g_assert_cmpint (r->exit_status, !=, 0);
  ctl_test_assert_one_error_line (r->err, "nested deeper");

  test_util_rm_rf (root);
}

/* A token does not go over ws:// to another computer unless the person
 * said so for that server (relay add --allow-insecure-token); the refusal
 * is made before any connection. */
static void
test_relay_token_in_clear (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autofree char *config_home = g_build_filename (root, "config", NULL);
  g_autofree char *relays = NULL;
  g_autoptr(CtlResult) status = NULL;
  g_autoptr(CtlResult) add = NULL;

  test_util_write_file (root, "specs/001-fine/README.md", "---\nstatus: planned\n---\n# Fine\n");
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("LEANSPEC_RELAY_TOKEN", "s3cret", TRUE);

  status = ctl_test_run_ctl (root, "relay", "check", "ws://192.0.2.1:9", NULL);
  g_assert_cmpint (status->exit_status, !=, 0);
  ctl_test_assert_one_error_line (status->err, "Not sending the relay token");
  g_assert_null (strstr (status->err, "s3cret"));

  add = ctl_test_run_ctl (root, "relay", "add", "far", "ws://192.0.2.1:9",
                          "--allow-insecure-token", NULL);
  g_assert_cmpint (add->exit_status, ==, 0);
  relays = ctl_test_read_file (config_home, "leanspec-desktop/relays.json");
  g_assert_nonnull (strstr (relays, "\"allow_insecure_token\" : true"));

  g_unsetenv ("LEANSPEC_RELAY_TOKEN");
  g_unsetenv ("XDG_CONFIG_HOME");
  test_util_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile-cli/fields-cleaned", test_fields_cleaned);
  g_test_add_func ("/hostile-cli/deep-front-matter", test_deep_front_matter_list);
  g_test_add_func ("/hostile-cli/deep-config", test_deep_config_list);
  g_test_add_func ("/hostile-cli/relay-token-in-clear", test_relay_token_in_clear);

  return g_test_run ();
}
