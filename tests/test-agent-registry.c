/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-agent-registry.h"
#include "lean-error.h"

/* HOME and PATH point at temp folders made in main() (before any thread):
 * the user runners.json is written there and fake agent CLIs are put first
 * in PATH. */
static char *home_dir;
static char *bin_dir;

static const char *PROMPT = "Implement spec 042; rm -rf / $(id) `x` \"q\" 'q' *";

static char *
join_argv (char **argv)
{
  g_autoptr(GString) out = g_string_new (NULL);

  /* Elements separated by '|' so a test sees exactly where each ends. */
  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, argv[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_argv (LeanAgentRegistry *registry,
            const char        *id,
            LeanSessionMode    mode,
            const char        *model,
            const char        *expected)
{
  LeanAgent *agent = lean_agent_registry_lookup (registry, id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *want = NULL;

  g_assert_nonnull (agent);
  argv = lean_agent_build_argv (agent, mode, model, PROMPT, &stdin_data, &error);
  g_assert_no_error (error);
  g_assert_null (stdin_data);
  joined = join_argv (argv);
  want = g_strdup_printf (expected, PROMPT);
  g_assert_cmpstr (joined, ==, want);
  /* The prompt is always exactly one element, never split or quoted. */
  g_assert_true (g_strv_contains ((const char * const *)argv, PROMPT));
}

static void
test_builtins (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  const char *ids[] = { "claude", "codex", "gemini", "copilot", "cursor", "opencode", "amp",
                        "aider" };
  const LeanSessionMode A = LEAN_SESSION_MODE_AUTONOMOUS;
  const LeanSessionMode G = LEAN_SESSION_MODE_GUIDED;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(LeanAgent) agent = g_list_model_get_item (G_LIST_MODEL (registry), i);

      g_assert_cmpstr (lean_agent_get_id (agent), ==, ids[i]);
      g_assert_false (lean_agent_get_installed (agent));
      g_assert_null (lean_agent_get_version (agent));
      g_assert_nonnull (lean_agent_get_install_hint (agent));
      g_assert_cmpint (lean_agent_get_source (agent), ==, LEAN_AGENT_SOURCE_BUILTIN);
    }
  g_assert_cmpstr (lean_agent_get_install_hint (lean_agent_registry_lookup (registry, "claude")),
                   ==, "npm install -g @anthropic-ai/claude-code");
  g_assert_cmpstr (lean_agent_get_executable (lean_agent_registry_lookup (registry, "cursor")),
                   ==, "cursor-agent");
  g_assert_null (lean_agent_registry_lookup (registry, "nope"));

  check_argv (registry, "claude", A, NULL,
              "claude|-p|--verbose|--output-format|stream-json|--permission-mode|acceptEdits|%s");
  check_argv (registry, "claude", A, "opus",
              "claude|-p|--verbose|--output-format|stream-json|--model|opus|"
              "--permission-mode|acceptEdits|%s");
  check_argv (registry, "claude", G, NULL, "claude|%s");
  check_argv (registry, "claude", G, "sonnet", "claude|--model|sonnet|%s");
  check_argv (registry, "codex", A, NULL, "codex|exec|--json|--sandbox|workspace-write|%s");
  check_argv (registry, "codex", A, "gpt-5",
              "codex|exec|--json|-m|gpt-5|--sandbox|workspace-write|%s");
  check_argv (registry, "codex", G, NULL, "codex|%s");
  check_argv (registry, "gemini", A, NULL, "gemini|--output-format|stream-json|--yolo|-p|%s");
  check_argv (registry, "gemini", A, "gemini-2.5-pro",
              "gemini|--output-format|stream-json|--yolo|-m|gemini-2.5-pro|-p|%s");
  check_argv (registry, "gemini", G, NULL, "gemini|--prompt-interactive|%s");
  check_argv (registry, "copilot", A, NULL, "copilot|--allow-all-tools|-p|%s");
  check_argv (registry, "copilot", G, NULL, "copilot|-i|%s");
  check_argv (registry, "cursor", A, NULL,
              "cursor-agent|-p|--output-format|stream-json|--force|%s");
  check_argv (registry, "cursor", G, NULL, "cursor-agent|%s");
  check_argv (registry, "opencode", A, NULL, "opencode|run|--format|json|%s");
  check_argv (registry, "opencode", G, NULL, "opencode|--prompt|%s");
  check_argv (registry, "amp", A, NULL, "amp|--execute|%s|--stream-json");
  check_argv (registry, "aider", A, NULL,
              "aider|--no-auto-commits|--yes-always|--message|%s");
  check_argv (registry, "aider", A, "sonnet",
              "aider|--no-auto-commits|--yes-always|--model|sonnet|--message|%s");

  /* What each prints, so the right parser reads it. */
  g_assert_cmpint (lean_agent_get_output (lean_agent_registry_lookup (registry, "claude"), A),
                   ==, LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  g_assert_cmpint (lean_agent_get_output (lean_agent_registry_lookup (registry, "claude"), G),
                   ==, LEAN_AGENT_OUTPUT_TEXT);
  g_assert_cmpint (lean_agent_get_output (lean_agent_registry_lookup (registry, "codex"), A),
                   ==, LEAN_AGENT_OUTPUT_CODEX_JSON);
  g_assert_cmpint (lean_agent_get_output (lean_agent_registry_lookup (registry, "gemini"), A),
                   ==, LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON);
  g_assert_cmpint (lean_agent_get_output (lean_agent_registry_lookup (registry, "aider"), A),
                   ==, LEAN_AGENT_OUTPUT_TEXT);
}

static void
test_argv_errors (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(GString) long_prompt = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *joined = NULL;

  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "amp"),
                                LEAN_SESSION_MODE_GUIDED, NULL, PROMPT, &stdin_data, &error);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED);
  g_assert_null (argv);
  g_clear_error (&error);
  g_assert_false (lean_agent_supports_mode (lean_agent_registry_lookup (registry, "aider"),
                                            LEAN_SESSION_MODE_GUIDED));

  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "claude"),
                                LEAN_SESSION_MODE_AUTONOMOUS, NULL, "", &stdin_data, &error);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* Too long for one argument (Linux allows 128 KiB): claude and codex take
   * it on stdin instead, the others say so. */
  while (long_prompt->len < 150 * 1024)
    g_string_append (long_prompt, "a long spec line ✓\n");
  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "claude"),
                                LEAN_SESSION_MODE_AUTONOMOUS, NULL, long_prompt->str,
                                &stdin_data, &error);
  g_assert_no_error (error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==,
                   "claude|-p|--verbose|--output-format|stream-json|--permission-mode|acceptEdits");
  g_assert_cmpmem (g_bytes_get_data (stdin_data, NULL), g_bytes_get_size (stdin_data),
                   long_prompt->str, long_prompt->len);
  g_clear_pointer (&stdin_data, g_bytes_unref);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);

  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "codex"),
                                LEAN_SESSION_MODE_AUTONOMOUS, NULL, long_prompt->str,
                                &stdin_data, &error);
  g_assert_no_error (error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "codex|exec|--json|--sandbox|workspace-write|-");
  g_assert_nonnull (stdin_data);
  g_clear_pointer (&stdin_data, g_bytes_unref);
  g_clear_pointer (&argv, g_strfreev);

  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "gemini"),
                                LEAN_SESSION_MODE_AUTONOMOUS, NULL, long_prompt->str,
                                &stdin_data, &error);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "Gemini CLI"));
  g_assert_null (argv);
  g_assert_null (stdin_data);
}

static void
test_dash_prompt (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *joined = NULL;

  /* Never mistaken for an option by the agent's parser. */
  argv = lean_agent_build_argv (lean_agent_registry_lookup (registry, "gemini"),
                                LEAN_SESSION_MODE_AUTONOMOUS, NULL, "- [ ] do it", &stdin_data,
                                &error);
  g_assert_no_error (error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "gemini|--output-format|stream-json|--yolo|-p| - [ ] do it");
}

static void
test_env (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_auto(GStrv) env = lean_agent_build_env (lean_agent_registry_lookup (registry, "claude"),
                                            "/p/proj", "042-foo", "0a323c30-aaaa");

  g_assert_cmpstr (g_environ_getenv (env, "LEANSPEC_PROJECT_PATH"), ==, "/p/proj");
  g_assert_cmpstr (g_environ_getenv (env, "LEANSPEC_SPEC_ID"), ==, "042-foo");
  g_assert_cmpstr (g_environ_getenv (env, "LEANSPEC_SESSION_ID"), ==, "0a323c30-aaaa");
  /* PATH without the entries that mean the working folder (main() has
   * none of those: it is the same). */
  g_assert_cmpstr (g_environ_getenv (env, "PATH"), ==, g_getenv ("PATH"));
  g_assert_cmpuint (g_strv_length (env), ==, 4);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_runners_json (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autofree char *project = g_dir_make_tmp ("lean-project-XXXXXX", NULL);
  g_autofree char *user_file = g_build_filename (home_dir, ".lean-spec", "runners.json", NULL);
  g_autofree char *project_file = g_build_filename (project, ".lean-spec", "runners.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *joined = NULL;
  LeanAgent *agent;
  guint changes = 0;

  /* The user's file: a custom runner reading its prompt on stdin, with
   * LeanSpec keys we do not use; a claude override that only moves the
   * command; an IDE runner without a command. */
  write_file (user_file,
              "{\"$schema\": \"https://leanspec.dev/schemas/runners.json\",\n"
              " \"runners\": {\n"
              "  \"my-agent\": {\"name\": \"My Agent\", \"command\": \"my-agent\",\n"
              "    \"args\": [\"--headless\", \"--cwd\", \".\"], \"prompt_flag\": \"-\",\n"
              "    \"env\": {\"MY_TOKEN_FILE\": \"/x\", \"LEANSPEC_SPEC_ID\": \"spoof\"},\n"
              "    \"protocol\": \"shell\", \"detection\": {\"commands\": [\"my-agent\"]},\n"
              "    \"model_providers\": [\"openai\"], \"symlink_file\": \"AGENTS.md\"},\n"
              "  \"claude\": {\"command\": \"/opt/claude/bin/claude\", \"model\": \"opus\"},\n"
              "  \"vscode-ext\": {\"name\": \"IDE\", \"detection\": {\"extensions\": [\"x\"]}},\n"
              "  \"flagged\": {\"command\": \"flagged\", \"prompt_flag\": \"--prompt\",\n"
              "    \"output\": \"codex-json\", \"model_flag\": \"--model\", \"model\": \"m1\"}\n"
              " },\n"
              " \"default\": \"my-agent\"}\n");
  /* The project's file adds an agent and sets the default; its codex, a
   * builtin's id, is ignored with a problem. */
  write_file (project_file,
              "{\"runners\": {\"codex\": {\"command\": \"codex\",\n"
              "  \"args\": [\"exec\", \"--full-auto\"]},\n"
              "  \"team\": {\"command\": \"team-agent\", \"args\": [\"exec\", \"--full-auto\"]}},\n"
              " \"default\": \"team\"}\n");

  g_signal_connect (registry, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_assert_false (lean_agent_registry_load (registry, project, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "defines “codex”, a built-in agent; it was ignored"));
  g_clear_error (&error);
  g_assert_cmpuint (changes, ==, 1);

  /* Builtins first in their order, then custom ones by id. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 8 + 3);
  {
    g_autoptr(LeanAgent) a = g_list_model_get_item (G_LIST_MODEL (registry), 8);
    g_autoptr(LeanAgent) b = g_list_model_get_item (G_LIST_MODEL (registry), 9);
    g_autoptr(LeanAgent) c = g_list_model_get_item (G_LIST_MODEL (registry), 10);

    g_assert_cmpstr (lean_agent_get_id (a), ==, "flagged");
    g_assert_cmpstr (lean_agent_get_id (b), ==, "my-agent");
    g_assert_cmpstr (lean_agent_get_id (c), ==, "team");
  }
  g_assert_null (lean_agent_registry_lookup (registry, "vscode-ext"));
  g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "team");

  agent = lean_agent_registry_lookup (registry, "my-agent");
  g_assert_cmpstr (lean_agent_get_name (agent), ==, "My Agent");
  g_assert_cmpint (lean_agent_get_source (agent), ==, LEAN_AGENT_SOURCE_USER);
  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, PROMPT, &stdin_data,
                                &error);
  g_assert_no_error (error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "my-agent|--headless|--cwd|.");
  g_assert_cmpmem (g_bytes_get_data (stdin_data, NULL), g_bytes_get_size (stdin_data),
                   PROMPT, strlen (PROMPT));
  g_assert_cmpint (lean_agent_get_output (agent, LEAN_SESSION_MODE_AUTONOMOUS), ==,
                   LEAN_AGENT_OUTPUT_TEXT);
  env = lean_agent_build_env (agent, "/p", "042-foo", "sid");
  g_assert_cmpstr (g_environ_getenv (env, "MY_TOKEN_FILE"), ==, "/x");
  /* The session's own variables cannot be replaced by a runner file. */
  g_assert_cmpstr (g_environ_getenv (env, "LEANSPEC_SPEC_ID"), ==, "042-foo");
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);
  g_clear_pointer (&stdin_data, g_bytes_unref);

  /* Only the command changed: claude keeps its own command line. */
  agent = lean_agent_registry_lookup (registry, "claude");
  g_assert_cmpint (lean_agent_get_source (agent), ==, LEAN_AGENT_SOURCE_USER);
  g_assert_cmpstr (lean_agent_get_default_model (agent), ==, "opus");
  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, PROMPT, &stdin_data,
                                &error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "/opt/claude/bin/claude|-p|--verbose|--output-format|stream-json|"
                               "--model|opus|--permission-mode|acceptEdits|"
                               "Implement spec 042; rm -rf / $(id) `x` \"q\" 'q' *");
  g_assert_cmpint (lean_agent_get_output (agent, LEAN_SESSION_MODE_AUTONOMOUS), ==,
                   LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);

  g_assert_cmpint (lean_agent_get_source (lean_agent_registry_lookup (registry, "codex")), ==,
                   LEAN_AGENT_SOURCE_BUILTIN);

  /* args given: LeanSpec's generic command line, once the project's file
   * is trusted. */
  agent = lean_agent_registry_lookup (registry, "team");
  g_assert_cmpint (lean_agent_get_source (agent), ==, LEAN_AGENT_SOURCE_PROJECT);
  g_assert_false (lean_agent_get_trusted (agent));
  {
    LeanTrustRequest *request = lean_agent_registry_get_trust_request (registry);

    g_assert_true (lean_trust_store_trust (lean_trust_store_get_default (), request->path,
                                           request->sha256, &error));
    g_assert_false (lean_agent_registry_load (registry, project, NULL));
  }
  agent = lean_agent_registry_lookup (registry, "team");
  g_assert_true (lean_agent_get_trusted (agent));
  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, PROMPT, &stdin_data,
                                &error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "team-agent|exec|--full-auto|"
                               "Implement spec 042; rm -rf / $(id) `x` \"q\" 'q' *");
  g_assert_null (stdin_data);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);

  agent = lean_agent_registry_lookup (registry, "flagged");
  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_GUIDED, NULL, PROMPT, &stdin_data,
                                &error);
  joined = join_argv (argv);
  g_assert_cmpstr (joined, ==, "flagged|--model|m1|--prompt|"
                               "Implement spec 042; rm -rf / $(id) `x` \"q\" 'q' *");
  /* A runner file's command line is the same in both modes, and so is what
   * it prints. */
  g_assert_cmpint (lean_agent_get_output (agent, LEAN_SESSION_MODE_GUIDED), ==,
                   LEAN_AGENT_OUTPUT_CODEX_JSON);
  g_clear_pointer (&argv, g_strfreev);
  g_clear_pointer (&joined, g_free);

  /* LeanSpec's config.json names a default too; the runner files win. */
  write_file (project_file, "{\"runners\": {\"team\": {\"command\": \"team-agent\"}}}");
  {
    g_autofree char *config = g_build_filename (project, ".lean-spec", "config.json", NULL);

    write_file (config, "{\"specsDir\": \"specs\", \"agents\": {\"default\": \"codex\"}}");
    g_assert_true (lean_agent_registry_load (registry, project, &error));
    g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "codex");
    write_file (project_file, "{\"default\": \"team\", \"runners\": {\"team\": "
                              "{\"command\": \"team-agent\"}}}");
    g_assert_true (lean_agent_registry_load (registry, project, &error));
    g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "team");
    g_unlink (config);
  }

  /* Without the project, the user's default applies. */
  g_assert_true (lean_agent_registry_load (registry, NULL, &error));
  g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "my-agent");
  g_assert_null (lean_agent_registry_lookup (registry, "team"));
  g_assert_cmpstr (lean_agent_get_executable (lean_agent_registry_lookup (registry, "codex")),
                   ==, "codex");
  g_assert_cmpint (lean_agent_get_source (lean_agent_registry_lookup (registry, "codex")), ==,
                   LEAN_AGENT_SOURCE_BUILTIN);

  /* A broken project file is reported with its path, nothing else lost. */
  write_file (project_file, "{\"runners\": {\"team\": {\"command\": \"team-agent\",");
  g_assert_false (lean_agent_registry_load (registry, project, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, project_file));
  g_assert_nonnull (lean_agent_registry_lookup (registry, "my-agent"));
  g_assert_nonnull (lean_agent_registry_lookup (registry, "claude"));
  g_clear_error (&error);

  /* Bad values name the runner and the key; the good entries still load. */
  write_file (project_file,
              "{\"runners\": {\"a\": {\"command\": \"a\", \"output\": \"xml\"},\n"
              "  \"b\": {\"command\": \"b\", \"args\": \"--not-a-list\"},\n"
              "  \"c\": {\"command\": \"c\"}}}");
  g_assert_false (lean_agent_registry_load (registry, project, &error));
  g_assert_nonnull (strstr (error->message, "runner \"a\": unknown \"output\" \"xml\""));
  g_assert_null (lean_agent_registry_lookup (registry, "a"));
  g_assert_null (lean_agent_registry_lookup (registry, "b"));
  g_assert_nonnull (lean_agent_registry_lookup (registry, "c"));
  g_clear_error (&error);

  g_unlink (project_file);
  g_unlink (user_file);
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lean_agent_registry_refresh_finish (LEAN_AGENT_REGISTRY (source), result,
                                                     &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  (*(guint *)user_data)++;
  return G_SOURCE_CONTINUE;
}

static void
on_installed_notify (GObject    *object,
                     GParamSpec *pspec,
                     guint      *count)
{
  (*count)++;
}

static void
make_script (const char *name,
             const char *body)
{
  g_autofree char *path = g_build_filename (bin_dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);

  write_file (path, text);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
test_detection (void)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autofree char *user_file = g_build_filename (home_dir, ".lean-spec", "runners.json", NULL);
  g_autofree char *json = NULL;
  gboolean done = FALSE;
  guint ticks = 0;
  guint notifies = 0;
  guint tick_id;
  gint64 before;
  LeanAgent *claude;

  /* Fake CLIs first in PATH: one answers --version, one hangs on it, one
   * does not know the option. A custom runner names a fake by path. */
  make_script ("claude", "echo '9.9.9 (Claude Code)'; echo 'second line'");
  make_script ("codex", "exec sleep 30");
  make_script ("aider", "echo 'unknown option --version' >&2; exit 2");
  json = g_strdup_printf ("{\"runners\": {\"byPath\": {\"command\": \"%s/claude\"},"
                          " \"missing\": {\"command\": \"/nonexistent/agent\"}}}", bin_dir);
  write_file (user_file, json);
  g_assert_true (lean_agent_registry_load (registry, NULL, NULL));

  claude = lean_agent_registry_lookup (registry, "claude");
  g_signal_connect (claude, "notify::installed", G_CALLBACK (on_installed_notify), &notifies);

  /* The main loop keeps running while the CLIs are probed. */
  tick_id = g_timeout_add (20, on_tick, &ticks);
  before = g_get_monotonic_time ();
  lean_agent_registry_refresh_async (registry, NULL, on_refreshed, &done);
  g_assert_false (lean_agent_get_installed (claude));
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
  g_test_message ("refresh took %.1f s, %u main loop ticks meanwhile",
                  (g_get_monotonic_time () - before) / 1e6, ticks);
  g_assert_cmpuint (ticks, >=, 100);

  g_assert_true (lean_agent_get_installed (claude));
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpstr (lean_agent_get_version (claude), ==, "9.9.9 (Claude Code)");
  g_assert_true (g_str_has_prefix (lean_agent_get_path (claude), bin_dir));
  /* Hung on --version: installed, version unknown, not waited for forever. */
  g_assert_true (lean_agent_get_installed (lean_agent_registry_lookup (registry, "codex")));
  g_assert_null (lean_agent_get_version (lean_agent_registry_lookup (registry, "codex")));
  g_assert_true (lean_agent_get_installed (lean_agent_registry_lookup (registry, "aider")));
  g_assert_null (lean_agent_get_version (lean_agent_registry_lookup (registry, "aider")));
  g_assert_false (lean_agent_get_installed (lean_agent_registry_lookup (registry, "gemini")));
  g_assert_true (lean_agent_get_installed (lean_agent_registry_lookup (registry, "byPath")));
  g_assert_cmpstr (lean_agent_get_version (lean_agent_registry_lookup (registry, "byPath")), ==,
                   "9.9.9 (Claude Code)");
  g_assert_false (lean_agent_get_installed (lean_agent_registry_lookup (registry, "missing")));
  g_assert_cmpstr (lean_agent_registry_get_default_id (registry), ==, "claude");

  /* A reload keeps what detection found. */
  g_assert_true (lean_agent_registry_load (registry, NULL, NULL));
  g_assert_true (lean_agent_get_installed (lean_agent_registry_lookup (registry, "claude")));

  g_unlink (user_file);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  int ret;

  /* Before any thread: HOME for ~/.lean-spec, PATH for the fake agents. */
  home_dir = g_dir_make_tmp ("lean-home-XXXXXX", NULL);
  bin_dir = g_build_filename (home_dir, "bin", NULL);
  g_mkdir_with_parents (bin_dir, 0700);
  g_setenv ("HOME", home_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home_dir, TRUE);
  path = g_strdup_printf ("%s:/usr/bin:/bin", bin_dir);
  g_setenv ("PATH", path, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent-registry/builtins", test_builtins);
  g_test_add_func ("/agent-registry/argv-errors", test_argv_errors);
  g_test_add_func ("/agent-registry/dash-prompt", test_dash_prompt);
  g_test_add_func ("/agent-registry/env", test_env);
  g_test_add_func ("/agent-registry/runners-json", test_runners_json);
  g_test_add_func ("/agent-registry/detection", test_detection);

  ret = g_test_run ();

  {
    const char *rm_argv[] = { "rm", "-rf", home_dir, NULL };

    g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  return ret;
}
