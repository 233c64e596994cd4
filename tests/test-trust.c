/* SPDX-License-Identifier: MIT */
/* Project trust: a project's .lean-spec/runners.json runs nothing until the
 * person trusted its current content. Real files in temp dirs, the real
 * trust store and registry, and the real leanspec-ctl as a child process;
 * the project's "agents" are shell scripts that leave a marker file when
 * they run at all. */
/* posix_openpt() and friends, for a terminal to answer a question on. */
#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ctl-testutil.h"
#include "lean-agent-registry.h"
#include "lean-error.h"
#include "lean-trust-store.h"
#include "test-session-util.h"

typedef struct
{
  char *dir;
  char *project;
  char *marker;
  char *runners;
} Project;

static void
project_free (Project *p)
{
  test_util_rm_rf (p->dir);
  g_free (p->dir);
  g_free (p->project);
  g_free (p->marker);
  g_free (p->runners);
  g_free (p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Project, project_free)

/* A project with spec 002, a script "evil.sh" that appends its arguments
 * to MARKER, and @runners_fmt (one %s: the project folder) as its
 * runners.json. */
static Project *
make_project (const char *runners_fmt)
{
  Project *p = g_new0 (Project, 1);
  g_autofree char *script = NULL;
  g_autofree char *runners = NULL;

  p->dir = test_util_make_tmp_dir ();
  p->project = g_build_filename (p->dir, "project", NULL);
  p->marker = g_build_filename (p->project, "MARKER", NULL);
  p->runners = g_build_filename (p->project, ".lean-spec", "runners.json", NULL);
  test_util_write_file (p->project, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (p->project, "specs/002-second/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-02'\n---\n\n# Second\n");
  test_util_write_file (p->project, "bin/.keep", "");
  script = g_build_filename (p->project, "evil.sh", NULL);
  test_write_marker_script (script, p->marker);
  /* The same script under a builtin's name, in the project and in a
   * bin/ folder a project PATH would name. */
  g_clear_pointer (&script, g_free);
  script = g_build_filename (p->project, "claude", NULL);
  test_write_marker_script (script, p->marker);
  g_clear_pointer (&script, g_free);
  script = g_build_filename (p->project, "bin", "claude", NULL);
  test_write_marker_script (script, p->marker);

  runners = g_strdup_printf (runners_fmt, p->project);
  test_util_write_file (p->project, ".lean-spec/runners.json", runners);
  return p;
}

static gboolean
marker_exists (Project *p)
{
  return g_file_test (p->marker, G_FILE_TEST_EXISTS);
}

/* The store: per real path and content, 0600, asked again on change. */
static void
test_store (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *store_path = g_build_filename (dir, "cfg", "sub", "trust.json", NULL);
  g_autoptr(LeanTrustStore) store = lean_trust_store_new (store_path);
  g_autofree char *file = g_build_filename (dir, "runners.json", NULL);
  g_autofree char *link = g_build_filename (dir, "link.json", NULL);
  g_autofree char *real = NULL;
  g_autofree char *real2 = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *sha2 = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (g_file_set_contents (file, "{\"runners\": {}}", -1, NULL));
  g_assert_cmpint (symlink (file, link), ==, 0);
  bytes = lean_trust_read_file (link, 1024, &real, &sha, &error);
  g_assert_no_error (error);
  /* Keyed by the real path: a link is the file it names. */
  g_assert_cmpstr (real, !=, link);
  g_assert_true (g_str_has_suffix (real, "/runners.json"));
  g_assert_cmpuint (strlen (sha), ==, 64);

  g_assert_cmpint (lean_trust_store_lookup (store, real, sha), ==, LEAN_TRUST_UNKNOWN);
  g_assert_true (lean_trust_store_trust (store, real, sha, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha), ==, LEAN_TRUST_TRUSTED);
  g_assert_cmpint (g_stat (store_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Another store object on the same file sees it (another process would). */
  {
    g_autoptr(LeanTrustStore) other = lean_trust_store_new (store_path);
    g_assert_cmpint (lean_trust_store_lookup (other, real, sha), ==, LEAN_TRUST_TRUSTED);
  }

  /* One changed byte: asked again. */
  g_assert_true (g_file_set_contents (file, "{\"runners\": {} }", -1, NULL));
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = lean_trust_read_file (file, 1024, &real2, &sha2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (real2, ==, real);
  g_assert_cmpstr (sha2, !=, sha);
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha2), ==, LEAN_TRUST_CHANGED);

  /* A loosened mode is made private again on the next write. */
  g_assert_cmpint (g_chmod (store_path, 0644), ==, 0);
  g_assert_true (lean_trust_store_trust (store, real, sha2, &error));
  g_assert_cmpint (g_stat (store_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha2), ==, LEAN_TRUST_TRUSTED);
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha), ==, LEAN_TRUST_CHANGED);

  g_assert_true (lean_trust_store_revoke (store, real, &error));
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha2), ==, LEAN_TRUST_UNKNOWN);

  /* "Don't Trust" is remembered in memory only. */
  g_assert_false (lean_trust_store_is_declined (store, real, sha2));
  lean_trust_store_decline (store, real, sha2);
  g_assert_true (lean_trust_store_is_declined (store, real, sha2));
  {
    g_autoptr(LeanTrustStore) other = lean_trust_store_new (store_path);
    g_assert_false (lean_trust_store_is_declined (other, real, sha2));
  }

  /* A broken store trusts nothing. */
  g_assert_true (g_file_set_contents (store_path, "[[[[[[[[[[[[[[[[[[[[", -1, NULL));
  g_assert_cmpint (lean_trust_store_lookup (store, real, sha2), ==, LEAN_TRUST_UNKNOWN);

  /* Too big is refused before it is read whole. */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = lean_trust_read_file (file, 4, NULL, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);

  test_util_rm_rf (dir);
}

static void
test_escape (void)
{
  struct { const char *in; gboolean quote; const char *out; } cases[] = {
    { "plain text", FALSE, "plain text" },
    { "a<b>&c", FALSE, "a<b>&c" },
    { "say \"hi\"", TRUE, "say \\\"hi\\\"" },
    { "say \"hi\"", FALSE, "say \"hi\"" },
    { "back\\slash", FALSE, "back\\\\slash" },
    { "esc\x1b[2Jx", FALSE, "esc\\x1b[2Jx" },
    { "osc\x1b]52;c;aGk=\x07", FALSE, "osc\\x1b]52;c;aGk=\\x07" },
    { "nl\ntab\tcr\r", FALSE, "nl\\ntab\\tcr\\r" },
    { "del\x7f", FALSE, "del\\x7f" },
    { "c1\xc2\x9b" "1m", FALSE, "c1\\u{009B}1m" },
    { "rtl\xe2\x80\xae" "txt", FALSE, "rtl\\u{202E}txt" },
    { "zw\xe2\x80\x8bsp", FALSE, "zw\\u{200B}sp" },
    { "bad\xff utf8", FALSE, "bad\\xff utf8" },
    { "caf\xc3\xa9", FALSE, "caf\xc3\xa9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lean_trust_escape (cases[i].in, cases[i].quote);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static gboolean
refreshed_flag (gpointer data)
{
  return *(gboolean *)data;
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_assert_true (lean_agent_registry_refresh_finish (LEAN_AGENT_REGISTRY (source), result, NULL));
  *(gboolean *)user_data = TRUE;
}

static void
refresh (LeanAgentRegistry *registry)
{
  gboolean done = FALSE;

  lean_agent_registry_refresh_async (registry, NULL, on_refreshed, &done);
  g_assert_true (test_util_wait_until (refreshed_flag, &done, 30000));
}

/* An untrusted project's agents are listed but never probed or built, even
 * from inside the project with "." in PATH; trusting the content lets them
 * run; any change takes that back. */
static void
test_registry_untrusted (void)
{
  g_autoptr(Project) p = make_project (
    "{\"default\": \"evil\", \"runners\": {\"evil\": {\"name\": \"Evil\", "
    "\"command\": \"%s/evil.sh\", \"args\": [\"go\"], \"install_hint\": \"<b>run</b> me\"},"
    " \"rel\": {\"command\": \"./evil.sh\"}}}");
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *old_cwd = g_get_current_dir ();
  LeanTrustRequest *request;
  LeanTrustCommand *command;
  LeanAgent *agent;

  /* The app's working folder is the project, and the person's PATH has
   * "." and an empty entry (main()): still nothing of the project runs. */
  g_assert_cmpint (g_chdir (p->project), ==, 0);

  g_assert_true (lean_agent_registry_load (registry, p->project, &error));
  g_assert_no_error (error);
  agent = lean_agent_registry_lookup (registry, "evil");
  g_assert_nonnull (agent);
  g_assert_false (lean_agent_get_trusted (agent));
  g_assert_cmpint (lean_agent_get_source (agent), ==, LEAN_AGENT_SOURCE_PROJECT);
  g_assert_true (g_str_has_suffix (lean_agent_get_origin (agent), "/.lean-spec/runners.json"));
  g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "evil");
  g_assert_true (lean_agent_get_trusted (lean_agent_registry_lookup (registry, "claude")));

  refresh (registry);
  g_assert_false (lean_agent_get_installed (agent));
  g_assert_null (lean_agent_get_version (agent));
  g_assert_false (lean_agent_get_installed (lean_agent_registry_lookup (registry, "rel")));
  /* "claude" is not found in the project through "." or an empty entry. */
  agent = lean_agent_registry_lookup (registry, "claude");
  g_assert_true (lean_agent_get_path (agent) == NULL ||
                 !g_str_has_prefix (lean_agent_get_path (agent), p->project));
  agent = lean_agent_registry_lookup (registry, "evil");
  g_assert_false (marker_exists (p));

  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, "do it",
                                &stdin_data, &error);
  g_assert_null (argv);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_TRUSTED);
  g_assert_nonnull (strstr (error->message, "leanspec-ctl trust"));
  g_clear_error (&error);

  /* What the person is asked about: the exact commands and the default. */
  request = lean_agent_registry_get_trust_request (registry);
  g_assert_nonnull (request);
  g_assert_cmpint (request->state, ==, LEAN_TRUST_UNKNOWN);
  g_assert_cmpuint (request->commands->len, ==, 2);
  command = g_ptr_array_index (request->commands, 0);
  g_assert_nonnull (strstr (command->label, "evil"));
  g_assert_true (g_str_has_suffix (command->argv[0], "/evil.sh"));
  g_assert_cmpstr (command->argv[1], ==, "go");
  g_assert_cmpint (command->prompt_index, ==, 2);
  g_assert_cmpstr (command->argv[2], ==, "");
  g_assert_null (command->argv[3]);
  g_assert_cmpuint (request->notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (request->notes, 0), "evil"));

  /* Trusted: probed (it runs --version: the marker proves it) and built. */
  test_trust_runners (p->project);
  g_assert_true (lean_agent_registry_load (registry, p->project, &error));
  agent = lean_agent_registry_lookup (registry, "evil");
  g_assert_true (lean_agent_get_trusted (agent));
  g_assert_cmpint (lean_agent_registry_get_trust_request (registry)->state, ==,
                   LEAN_TRUST_TRUSTED);
  refresh (registry);
  g_assert_true (lean_agent_get_installed (agent));
  g_assert_true (lean_agent_get_installed (lean_agent_registry_lookup (registry, "rel")));
  g_assert_true (marker_exists (p));
  g_unlink (p->marker);
  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, "do it",
                                &stdin_data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (argv[2], ==, "do it");

  /* One byte more: untrusted again, and told it changed. */
  test_util_write_file (p->project, ".lean-spec/runners.json",
                        "{\"runners\": {\"evil\": {\"command\": \"./evil.sh\"}}} ");
  g_assert_true (lean_agent_registry_load (registry, p->project, &error));
  agent = lean_agent_registry_lookup (registry, "evil");
  g_assert_false (lean_agent_get_trusted (agent));
  g_assert_cmpint (lean_agent_registry_get_trust_request (registry)->state, ==,
                   LEAN_TRUST_CHANGED);
  refresh (registry);
  g_assert_false (lean_agent_get_installed (agent));
  g_assert_false (marker_exists (p));

  g_assert_cmpint (g_chdir (old_cwd), ==, 0);
}

/* A project cannot replace a builtin, even when trusted, nor set variables
 * that pick the program or load code into it. */
static void
test_registry_refusals (void)
{
  g_autoptr(Project) p = make_project (
    "{\"runners\": {\"claude\": {\"command\": \"%s/claude\", \"env\": {\"PATH\": \"bin\"}},\n"
    "  \"p1\": {\"command\": \"x\", \"env\": {\"PATH\": \"/tmp\"}},\n"
    "  \"p2\": {\"command\": \"x\", \"env\": {\"LD_PRELOAD\": \"/tmp/x.so\"}},\n"
    "  \"p3\": {\"command\": \"x\", \"env\": {\"NODE_OPTIONS\": \"--require /tmp/x.js\"}},\n"
    "  \"p4\": {\"command\": \"x\", \"env\": {\"LD_LIBRARY_PATH\": \"/tmp\"}},\n"
    "  \"ok\": {\"command\": \"x\", \"env\": {\"OK_TOKEN_FILE\": \"/tmp/t\"}}}}");
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *user = g_build_filename (g_get_home_dir (), ".lean-spec", "runners.json",
                                            NULL);
  GPtrArray *problems;
  gboolean seen_claude = FALSE;
  guint seen_env = 0;
  LeanAgent *claude;

  test_trust_runners (p->project);
  g_assert_false (lean_agent_registry_load (registry, p->project, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);

  claude = lean_agent_registry_lookup (registry, "claude");
  g_assert_cmpint (lean_agent_get_source (claude), ==, LEAN_AGENT_SOURCE_BUILTIN);
  g_assert_cmpstr (lean_agent_get_executable (claude), ==, "claude");
  g_assert_cmpstr (lean_agent_get_env (claude)[0], ==, NULL);
  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", i);
      g_assert_null (lean_agent_registry_lookup (registry, id));
    }
  g_assert_nonnull (lean_agent_registry_lookup (registry, "ok"));
  g_assert_cmpstr (g_environ_getenv ((char **)lean_agent_get_env (
                     lean_agent_registry_lookup (registry, "ok")), "OK_TOKEN_FILE"), ==, "/tmp/t");

  problems = lean_agent_registry_get_problems (registry);
  for (guint i = 0; i < problems->len; i++)
    {
      const char *text = g_ptr_array_index (problems, i);

      if (strstr (text, "runners.json in this project defines “claude”, a built-in agent; "
                        "it was ignored") != NULL)
        seen_claude = TRUE;
      if (strstr (text, "cannot set the variable") != NULL)
        seen_env++;
    }
  g_assert_true (seen_claude);
  g_assert_cmpuint (seen_env, ==, 4);
  /* The person reviewing the file sees what was refused. */
  {
    LeanTrustRequest *request = lean_agent_registry_get_trust_request (registry);

    g_assert_cmpuint (request->ignored->len, ==, 5);
    g_assert_true (g_ptr_array_find_with_equal_func (
      request->ignored, "runners.json in this project defines “claude”, a built-in agent; "
      "it was ignored", g_str_equal, NULL));
  }

  /* Nor can it take over an agent of the person's own file. */
  test_util_write_file (g_get_home_dir (), ".lean-spec/runners.json",
                        "{\"runners\": {\"ok\": {\"command\": \"/usr/bin/true\"}}}");
  lean_agent_registry_load (registry, p->project, NULL);
  g_assert_cmpint (lean_agent_get_source (lean_agent_registry_lookup (registry, "ok")), ==,
                   LEAN_AGENT_SOURCE_USER);
  g_assert_cmpstr (lean_agent_get_executable (lean_agent_registry_lookup (registry, "ok")), ==,
                   "/usr/bin/true");
  g_unlink (user);

  /* The person's own file needs no trust and may set anything. */
  test_util_write_file (g_get_home_dir (), ".lean-spec/runners.json",
                        "{\"runners\": {\"mine\": {\"command\": \"/usr/bin/true\", "
                        "\"env\": {\"PATH\": \"/opt/bin\"}}}}");
  lean_agent_registry_load (registry, NULL, NULL);
  g_assert_true (lean_agent_get_trusted (lean_agent_registry_lookup (registry, "mine")));
  g_unlink (user);
}

/* leanspec-ctl implement: the project's default is refused until trusted,
 * runs once trusted, and is refused again after any edit. */
static void
test_cli_implement_default (void)
{
  g_autoptr(Project) p = make_project (
    "{\"default\": \"evil\", \"runners\": {\"evil\": {\"command\": \"%s/evil.sh\", "
    "\"args\": [\"ARG\"]}}}");
  g_autoptr(CtlResult) r = NULL;
  g_autofree char *runners = NULL;
  g_autofree char *edited = NULL;

  r = ctl_test_run_ctl (p->project, "implement", "2", "--keep-status", NULL);
  g_assert_cmpint (r->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r->err, "leanspec-ctl trust");
  g_assert_nonnull (strstr (r->err, p->runners));
  g_assert_nonnull (strstr (r->err, "not trusted"));
  g_assert_false (marker_exists (p));
  g_clear_pointer (&r, ctl_result_free);

  /* Without a terminal and without --yes, trust is not given. */
  r = ctl_test_run_ctl (p->project, "trust", NULL);
  g_assert_cmpint (r->exit_status, ==, 2);
  g_assert_nonnull (strstr (r->out, "ARG"));
  ctl_test_assert_one_error_line (r->err, "--yes");
  g_clear_pointer (&r, ctl_result_free);

  r = ctl_test_run_ctl (p->project, "trust", "--yes", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "evil.sh"));
  g_assert_nonnull (strstr (r->out, "Trusted"));
  g_clear_pointer (&r, ctl_result_free);

  r = ctl_test_run_ctl (p->project, "implement", "2", "--keep-status", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_true (marker_exists (p));
  {
    g_autofree char *ran = ctl_test_read_file (p->project, "MARKER");
    g_assert_true (g_str_has_prefix (ran, "ARG "));
  }
  g_unlink (p->marker);
  g_clear_pointer (&r, ctl_result_free);

  /* An edit (here: only whitespace) needs trust again. */
  runners = ctl_test_read_file (p->project, ".lean-spec/runners.json");
  edited = g_strconcat (runners, "\n", NULL);
  test_util_write_file (p->project, ".lean-spec/runners.json", edited);
  r = ctl_test_run_ctl (p->project, "implement", "2", "--keep-status", NULL);
  g_assert_cmpint (r->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r->err, "changed since you trusted it");
  g_assert_false (marker_exists (p));
  g_clear_pointer (&r, ctl_result_free);

  r = ctl_test_run_ctl (p->project, "trust", "--show", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "changed since you trusted it"));
  g_clear_pointer (&r, ctl_result_free);

  /* --revoke forgets it; --show says so. */
  r = ctl_test_run_ctl (p->project, "trust", "--yes", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_clear_pointer (&r, ctl_result_free);
  r = ctl_test_run_ctl (p->project, "trust", "--revoke", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_clear_pointer (&r, ctl_result_free);
  r = ctl_test_run_ctl (p->project, "implement", "2", "--keep-status", NULL);
  g_assert_cmpint (r->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r->err, "not trusted");
  g_assert_false (marker_exists (p));
}

/* --agent claude: the project's "claude" (a script, with a PATH that names
 * the project's bin/) is ignored; the builtin is what would run. */
static void
test_cli_builtin_not_replaced (void)
{
  g_autoptr(Project) p = make_project (
    "{\"runners\": {\"claude\": {\"command\": \"%s/claude\", \"env\": {\"PATH\": \"bin\"}}}}");
  g_autoptr(CtlResult) r = NULL;

  /* Even trusted: a builtin's id cannot be taken. */
  r = ctl_test_run_ctl (p->project, "trust", "--yes", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_clear_pointer (&r, ctl_result_free);

  r = ctl_test_run_ctl (p->project, "implement", "2", "--agent", "claude", "--keep-status", NULL);
  g_assert_false (marker_exists (p));
  g_assert_nonnull (strstr (r->err, "a built-in agent; it was ignored"));
  g_clear_pointer (&r, ctl_result_free);

  /* Run from inside the project, with "." in PATH (main()): the agent
   * starts in the project folder, and its "claude" must still not be the
   * one that runs. */
  {
    const char *argv[] = { ctl_test_ctl_path (), "implement", "2", "--agent", "claude",
                           "--keep-status", NULL };

    r = ctl_test_run_argv (p->project, argv, NULL);
    g_assert_false (marker_exists (p));
  }
}

/* `leanspec-ctl trust` on a terminal: prints the commands, asks y/N and
 * trusts only on yes. */
static CtlResult *
run_trust_on_tty (const char *project,
                  const char *answer)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CtlResult *result = g_new0 (CtlResult, 1);
  const char *argv[] = { ctl_test_ctl_path (), "-C", project, "trust", NULL };
  int master;
  int slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);
  /* Typed ahead: the terminal keeps it until the question reads it. */
  g_assert_cmpint (write (master, answer, strlen (answer)), ==, (gssize)strlen (answer));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->exit_status = g_subprocess_get_exit_status (process);
  close (master);
  return result;
}

static void
test_cli_trust_asks (void)
{
  g_autoptr(Project) p = make_project (
    "{\"default\": \"evil\", \"runners\": {\"evil\": {\"command\": \"%s/evil.sh\"}}}");
  g_autoptr(CtlResult) r = NULL;

  r = run_trust_on_tty (p->project, "n\n");
  g_assert_cmpint (r->exit_status, ==, 1);
  g_assert_nonnull (strstr (r->out, "evil.sh"));
  g_assert_nonnull (strstr (r->out, "[y/N]"));
  g_assert_nonnull (strstr (r->out, "Not trusted."));
  g_clear_pointer (&r, ctl_result_free);
  r = ctl_test_run_ctl (p->project, "trust", "--show", "--json", NULL);
  g_assert_nonnull (strstr (r->out, "\"untrusted\""));
  g_clear_pointer (&r, ctl_result_free);

  r = run_trust_on_tty (p->project, "y\n");
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "Trusted"));
  g_clear_pointer (&r, ctl_result_free);
  r = ctl_test_run_ctl (p->project, "implement", "2", "--keep-status", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_true (marker_exists (p));
}

/* --show --json: the exact strings, however hostile. */
static void
test_cli_show_exact (void)
{
  g_autoptr(Project) p = make_project (
    "{\"runners\": {\"x\": {\"name\": \"<b>X</b>\", \"command\": \"%s/evil.sh\", "
    "\"args\": [\"a<&'\\\"\", \"\\u001b]52;c;aGk=\\u0007\"], \"env\": {\"K\": \"v\\nw\"}}}}");
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *command;
  JsonArray *argv;

  r = ctl_test_run_ctl (p->project, "trust", "--show", "--json", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  root = ctl_test_parse_json (r->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "state"), ==,
                   "untrusted");
  command = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "commands"), 0);
  argv = json_object_get_array_member (command, "argv");
  g_assert_cmpstr (json_array_get_string_element (argv, 1), ==, "a<&'\"");
  g_assert_cmpstr (json_array_get_string_element (argv, 2), ==, "\x1b]52;c;aGk=\x07");
  g_assert_cmpint (json_object_get_int_member (command, "prompt_index"), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (command, "env"),
                                                  0), ==, "K=v\nw");
  g_clear_pointer (&r, ctl_result_free);

  /* For people: every control character visible, none raw. */
  r = ctl_test_run_ctl (p->project, "trust", "--show", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_null (strchr (r->out, '\x1b'));
  g_assert_null (strchr (r->out, '\x07'));
  g_assert_nonnull (strstr (r->out, "\"\\x1b]52;c;aGk=\\x07\""));
  g_assert_nonnull (strstr (r->out, "\"a<&'\\\"\""));
  g_assert_nonnull (strstr (r->out, "K=\"v\\nw\""));
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread: a private HOME (the user runners.json), config
   * (trust.json) and data (the sessions database), shared with the
   * leanspec-ctl children; a PATH that means "the working folder" twice. */
  test_session_env_init ();
  test_path_names_working_folder ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trust/store", test_store);
  g_test_add_func ("/trust/escape", test_escape);
  g_test_add_func ("/trust/registry-untrusted", test_registry_untrusted);
  g_test_add_func ("/trust/registry-refusals", test_registry_refusals);
  g_test_add_func ("/trust/cli/implement-default", test_cli_implement_default);
  g_test_add_func ("/trust/cli/builtin-not-replaced", test_cli_builtin_not_replaced);
  g_test_add_func ("/trust/cli/show-exact", test_cli_show_exact);
  g_test_add_func ("/trust/cli/asks-on-a-terminal", test_cli_trust_asks);

  return test_session_env_cleanup (g_test_run ());
}
