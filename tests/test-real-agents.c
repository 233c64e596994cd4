/* SPDX-License-Identifier: MIT */
/* The failure paths a new user hits first, with the REAL agent CLIs from npm
 * (Claude Code, Codex, Gemini CLI, Copilot CLI; pinned and installed by
 * tests/agents/install-agents.sh into a cache folder). They run here without
 * an API key, a login or network, under an empty temporary HOME, driven by
 * the real LeanController, LeanLocalRunner (a PTY) and a SQLite file, and by
 * leanspec-ctl. No npm or no network on the first run is a test failure with
 * the reason, never a silent pass. Times are reported as test messages. */
#define _GNU_SOURCE
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-session-db.h"
#include "lean-spec-status-follower.h"
#include "test-session-util.h"

/* SIGTERM -> SIGKILL delay given to the runner; cancel must end within it
 * (plus the time to reap and write). */
#define KILL_DELAY_MS 3000

static char *agents_bin;      /* node_modules/.bin of the installed CLIs */
static char *install_error;
static char *build_root;
static char *source_root;

/* ---- set-up ---- */

/* Runs before anything changes HOME, so the cache is the person's. */
static void
install_agents (void)
{
  g_autofree char *script = g_build_filename (source_root, "tests", "agents",
                                              "install-agents.sh", NULL);
  const char *argv[] = { "bash", script, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    install_error = g_strdup_printf ("could not run %s: %s", script, error->message);
  else if (!g_spawn_check_wait_status (status, &error))
    {
      /* One line for TAP: the script's own reason, and npm's error code. */
      g_auto(GStrv) lines = g_strsplit (g_strstrip (err), "\n", -1);
      guint n = g_strv_length (lines);
      const char *code = NULL;

      for (guint i = 0; i < n && code == NULL; i++)
        if (g_str_has_prefix (lines[i], "npm error code "))
          code = lines[i];
      install_error = g_strdup_printf ("the real agent CLIs are needed and could not be "
                                       "installed: %s (%s; %s)",
                                       n > 0 ? lines[n - 1] : error->message,
                                       code ? code : error->message, script);
    }
  else
    agents_bin = g_strdup (g_strstrip (out));
}

static gboolean
require_agents (void)
{
  if (agents_bin == NULL)
    {
      g_test_fail_printf ("%s", install_error ? install_error : "agent CLIs not installed");
      return FALSE;
    }
  return TRUE;
}

static gboolean
follower_idle (gpointer data)
{
  return !lean_spec_status_follower_get_busy (data);
}

typedef struct
{
  char           *tmp;
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanSpecStatusFollower *follower; /* what the owner connects */
  const char     *agent;
} Fixture;

/* @data: an agent id for tests run once per agent, or NULL. */
static void
set_up (Fixture       *f,
        gconstpointer  data,
        gboolean       git)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;

  f->agent = data;

  f->tmp = g_dir_make_tmp ("real-agents-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = g_build_filename (f->tmp, "project", NULL);
  test_util_write_file (f->project, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (f->project, "specs/001-hello/README.md",
                   "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Hello\n\n"
                   "Print hello.\n\n- [ ] write hello.sh\n");
  if (git)
    {
      /* Codex runs only in a git repository: most projects are one. */
      const char *argv[] = { "git", "init", "-q", f->project, NULL };
      int status = 0;

      g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }

  db_path = g_build_filename (f->tmp, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  f->follower = lean_spec_status_follower_new (f->controller);
  lean_controller_set_kill_delay (f->controller, KILL_DELAY_MS);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  set_up (f, data, TRUE);
}

/* A project that is not a git repository. */
static void
fixture_set_up_no_git (Fixture       *f,
                       gconstpointer  data)
{
  set_up (f, data, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->follower);
  g_clear_object (&f->controller);
  if (f->db != NULL)
    lean_session_db_close (f->db);
  g_clear_object (&f->db);
  test_util_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->project);
}

/* Iterates the main context until @cond says so or @timeout_ms passes. */
static gboolean
wait_for (gboolean (*cond) (gpointer),
          gpointer   data,
          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

/* Over, and everything it printed shown. */
static gboolean
session_ended (gpointer data)
{
  return test_session_is_final (data);
}

typedef struct
{
  LeanSession *session;
  GString     *display;
} Watch;

static LeanSession *
start_mode (Fixture         *f,
            const char      *agent,
            LeanSessionMode  mode,
            GString         *display)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-hello");
  request->agent_id = g_strdup (agent);
  request->mode = mode;
  request->prompt = g_strdup ("Implement spec 001-hello: write hello.sh that prints hello.");
  request->rows = 24;
  request->cols = 100;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  test_session_show_text (lean_controller_get_log (f->controller, session), session, display);
  return g_object_ref (session);
}

static LeanSession *
start (Fixture    *f,
       const char *agent,
       GString    *display)
{
  return start_mode (f, agent, LEAN_SESSION_MODE_AUTONOMOUS, display);
}

static char *
read_channel (Fixture           *f,
              LeanSession       *session,
              LeanOutputChannel  channel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const char *data;

  lean_session_db_flush (f->db);
  bytes = lean_session_db_read_output_range (f->db, lean_session_get_id (session), channel, -1,
                                             NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

/* The payload of the first event of @kind, or NULL. */
static char *
find_event (Fixture     *f,
            LeanSession *session,
            const char  *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  lean_session_db_flush (f->db);
  events = lean_session_db_read_events (f->db, lean_session_get_id (session), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);

      if (g_strcmp0 (event->kind, kind) == 0)
        return g_strdup (event->payload);
    }
  return NULL;
}

/* Live processes whose process group is @pgid. Zombies are dead and left
 * out: one whose parent died waits for init to reap it, and in a container
 * init may never do so. */
static guint
count_group (pid_t pgid)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *rest;
      int ppid, pgrp;
      char state;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parens. */
      rest = strrchr (stat, ')');
      if (rest == NULL || sscanf (rest + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
        continue;
      if (pgrp == pgid && state != 'Z' && state != 'X')
        {
          g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
          g_autofree char *cmdline = NULL;

          g_file_get_contents (cmdline_path, &cmdline, NULL, NULL);
          g_test_message ("process group %d: pid %s state %c ppid %d: %s", (int)pgid, name,
                          state, ppid, cmdline ? cmdline : "?");
          n++;
        }
    }
  return n;
}

/* SIGKILL is asynchronous: a process killed with the group may still be
 * listed for a moment before it dies. Wait (boundedly) for the group to be
 * empty instead of sampling /proc once. */
static guint
count_group_settled (pid_t pgid)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  guint n;

  while ((n = count_group (pgid)) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  return n;
}

/* Every descendant of @pid, for a process tree the test did not start
 * itself (leanspec-ctl's agent). */
static GArray *
descendants (pid_t pid)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (pid_t));
  gboolean grew = TRUE;

  g_array_append_val (found, pid);
  while (grew)
    {
      g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
      const char *name;

      grew = FALSE;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *stat = NULL;
          const char *rest;
          int ppid, pgrp;
          char state;
          pid_t child = atoi (name);
          gboolean known = FALSE, parent_known = FALSE;

          if (child <= 0)
            continue;
          path = g_build_filename ("/proc", name, "stat", NULL);
          if (!g_file_get_contents (path, &stat, NULL, NULL))
            continue;
          rest = strrchr (stat, ')');
          if (rest == NULL || sscanf (rest + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
            continue;
          for (guint i = 0; i < found->len; i++)
            {
              known |= g_array_index (found, pid_t, i) == child;
              parent_known |= g_array_index (found, pid_t, i) == ppid;
            }
          if (parent_known && !known)
            {
              g_array_append_val (found, child);
              grew = TRUE;
            }
        }
    }
  g_array_remove_index (found, 0);
  return found;
}

/* Alive: in /proc and not a zombie. */
static gboolean
pid_exists (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  rest = strrchr (stat, ')');
  return rest == NULL || (rest[1] != '\0' && rest[2] != 'Z' && rest[2] != 'X');
}

/* The spec's front matter says @status. */
static gboolean
spec_has_status (Fixture    *f,
                 const char *status)
{
  g_autofree char *path = g_build_filename (f->project, "specs", "001-hello", "README.md", NULL);
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strdup_printf ("\nstatus: %s\n", status);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return strstr (text, needle) != NULL;
}

/* ---- (a) the registry ---- */

typedef struct
{
  gboolean done;
  gboolean ok;
} Done;

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Done *done = user_data;
  g_autoptr(GError) error = NULL;

  done->ok = lean_agent_registry_refresh_finish (LEAN_AGENT_REGISTRY (source), result, &error);
  g_assert_no_error (error);
  done->done = TRUE;
}

static gboolean
done_is_set (gpointer data)
{
  return ((Done *)data)->done;
}

static LeanAgentRegistry *
refreshed_registry (void)
{
  LeanAgentRegistry *registry = lean_agent_registry_new ();
  Done done = { 0 };

  lean_agent_registry_refresh_async (registry, NULL, on_refreshed, &done);
  g_assert_true (wait_for (done_is_set, &done, 60000));
  g_assert_true (done.ok);
  return registry;
}

static const struct
{
  const char *id;
  const char *version;   /* what --version must mention */
  const char *hint;
} real_agents[] = {
  { "claude",  "2.1.197", "npm install -g @anthropic-ai/claude-code" },
  { "codex",   "0.169.0", "npm install -g @openai/codex" },
  { "gemini",  "0.61.0",  "npm install -g @google/gemini-cli" },
  { "copilot", "1.0.102", "npm install -g @github/copilot" },
};

static void
test_registry_detects (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(LeanAgentRegistry) registry = NULL;
  g_autoptr(LeanAgentRegistry) empty = NULL;
  g_autofree char *saved_path = NULL;
  gint64 t0;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  registry = refreshed_registry ();
  g_test_message ("registry refresh with the four real CLIs: %.1f s",
                  (g_get_monotonic_time () - t0) / 1e6);
  for (guint i = 0; i < G_N_ELEMENTS (real_agents); i++)
    {
      LeanAgent *agent = lean_agent_registry_lookup (registry, real_agents[i].id);
      g_autofree char *expected = g_build_filename (agents_bin, real_agents[i].id, NULL);

      g_assert_nonnull (agent);
      g_test_message ("%s: installed=%d version=%s", real_agents[i].id,
                      lean_agent_get_installed (agent), lean_agent_get_version (agent));
      g_assert_true (lean_agent_get_installed (agent));
      g_assert_cmpstr (lean_agent_get_path (agent), ==, expected);
      g_assert_nonnull (lean_agent_get_version (agent));
      g_assert_nonnull (strstr (lean_agent_get_version (agent), real_agents[i].version));
    }

  /* A person without the CLIs: nothing on PATH. */
  saved_path = g_strdup (g_getenv ("PATH"));
  g_setenv ("PATH", "", TRUE);
  empty = refreshed_registry ();
  for (guint i = 0; i < G_N_ELEMENTS (real_agents); i++)
    {
      LeanAgent *agent = lean_agent_registry_lookup (empty, real_agents[i].id);
      g_autoptr(GString) display = g_string_new (NULL);
      g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
      g_autoptr(GError) error = NULL;
      LeanSession *session;
      LeanSession *kept;

      g_assert_false (lean_agent_get_installed (agent));
      g_assert_null (lean_agent_get_version (agent));
      g_assert_cmpstr (lean_agent_get_install_hint (agent), ==, real_agents[i].hint);

      /* Starting fails with the hint, and the attempt stays in history. */
      request->project_path = g_strdup (f->project);
      request->spec_id = g_strdup ("001-hello");
      request->agent_id = g_strdup (real_agents[i].id);
      request->prompt = g_strdup ("Implement spec 001-hello.");
      session = lean_controller_start (f->controller, request, &error);
      g_assert_null (session);
      g_assert_nonnull (error);
      g_test_message ("%s missing: %s", real_agents[i].id, error->message);
      g_assert_nonnull (strstr (error->message, real_agents[i].hint));
      g_assert_nonnull (strstr (error->message, "is not installed"));
      kept = g_list_model_get_item (lean_controller_get_sessions (f->controller), 0);
      g_assert_cmpint (lean_session_get_state (kept), ==, LEAN_SESSION_STATE_FAILED);
      g_assert_cmpstr (lean_session_get_message (kept), ==, error->message);
      g_object_unref (kept);
    }
  g_setenv ("PATH", saved_path, TRUE);
}

/* ---- (b) Claude Code, not logged in ---- */

#define CLAUDE_MESSAGE "Claude Code is not logged in. Run `claude` in a terminal and use " \
                       "/login, or set ANTHROPIC_API_KEY."

static void
test_claude_not_logged_in (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(LeanSession) session = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *usage = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *restored = NULL;
  gint64 t0;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  session = start (f, "claude", display);
  g_assert_true (wait_for (session_ended, session, 120000));
  g_test_message ("claude: failed after %.1f s: %s", (g_get_monotonic_time () - t0) / 1e6,
                  lean_session_get_message (session));

  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 1);
  g_assert_cmpstr (lean_session_get_message (session), ==, CLAUDE_MESSAGE);
  g_assert_nonnull (strstr (display->str, "Not logged in"));

  /* Usage from the result event: 0 tokens, $0 (reported, not unknown). */
  g_assert_cmpuint (lean_session_get_input_tokens (session), ==, 0);
  g_assert_cmpuint (lean_session_get_output_tokens (session), ==, 0);
  g_assert_cmpfloat (lean_session_get_cost_usd (session), ==, 0.0);
  usage = find_event (f, session, "usage");
  g_assert_nonnull (usage);
  g_assert_nonnull (strstr (usage, "\"cost_usd\":0"));
  problem = find_event (f, session, "problem");
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "not-logged-in"));

  /* Nothing was done: the spec is back to planned once the owner's
   * follower has reacted to the end. */
  g_assert_true (wait_for (follower_idle, f->follower, 30000));
  lean_session_db_flush (f->db);
  g_assert_true (spec_has_status (f, "planned"));
  restored = find_event (f, session, "spec-status-restored");
  g_assert_nonnull (restored);
  g_assert_nonnull (strstr (restored, "planned"));

  /* Stored: what the person saw, and the agent's bytes. */
  stored = read_channel (f, session, LEAN_OUTPUT_CHANNEL_DISPLAY);
  g_assert_nonnull (strstr (stored, "Not logged in"));
  raw = read_channel (f, session, LEAN_OUTPUT_CHANNEL_RAW);
  g_assert_nonnull (strstr (raw, "\"is_error\":true"));

  /* History agrees with the live object. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanSession) again = lean_session_db_lookup (f->db, lean_session_get_id (session),
                                                           &error);

    g_assert_no_error (error);
    g_assert_cmpint (lean_session_get_state (again), ==, LEAN_SESSION_STATE_FAILED);
    g_assert_cmpstr (lean_session_get_message (again), ==, CLAUDE_MESSAGE);
    g_assert_cmpfloat (lean_session_get_cost_usd (again), ==, 0.0);
  }
}

/* ---- (c) Codex without network ---- */

#define CODEX_NETWORK "Codex cannot reach the network (retrying). Check your connection or cancel."

static gboolean
codex_hint_shown (gpointer data)
{
  Watch *watch = data;

  /* The display follows the session log on its own schedule, so the message
   * can be set before the warning line reaches it: wait for both. */
  return lean_session_state_is_final (lean_session_get_state (watch->session)) ||
         (g_strcmp0 (lean_session_get_message (watch->session), CODEX_NETWORK) == 0 &&
          strstr (watch->display->str, "⚠ " CODEX_NETWORK) != NULL);
}

static void
test_codex_no_network (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(LeanSession) session = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *problem = NULL;
  Watch watch;
  gint64 t0, t1;
  pid_t pid;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  session = start (f, "codex", display);
  watch.session = session;
  watch.display = display;
  g_assert_true (wait_for (codex_hint_shown, &watch, 120000));
  g_test_message ("codex: network message after %.1f s", (g_get_monotonic_time () - t0) / 1e6);

  /* Still running (Codex retries forever), and the person is told why. */
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  g_assert_nonnull (strstr (display->str, "Reconnecting..."));
  g_assert_nonnull (strstr (display->str, "⚠ " CODEX_NETWORK));
  problem = find_event (f, session, "problem");
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "no-network"));

  pid = lean_session_get_agent_pid (session);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpuint (count_group (pid), >, 0);

  t1 = g_get_monotonic_time ();
  lean_controller_cancel (f->controller, session);
  g_assert_true (wait_for (session_ended, session, KILL_DELAY_MS + 5000));
  g_test_message ("codex: cancelled in %.2f s (kill delay %.1f s)",
                  (g_get_monotonic_time () - t1) / 1e6, KILL_DELAY_MS / 1000.0);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t1, <, (KILL_DELAY_MS + 1500) * 1000);

  /* The whole process group is gone, not just its leader. */
  g_assert_false (pid_exists (pid));
  g_assert_cmpuint (count_group_settled (pid), ==, 0);

  /* The output so far is stored. */
  raw = read_channel (f, session, LEAN_OUTPUT_CHANNEL_RAW);
  g_assert_nonnull (strstr (raw, "\"type\":\"thread.started\""));
  g_assert_nonnull (strstr (raw, "Reconnecting..."));
  stored = read_channel (f, session, LEAN_OUTPUT_CHANNEL_DISPLAY);
  g_assert_nonnull (strstr (stored, CODEX_NETWORK));
}

/* Outside a git repository Codex refuses to start; a new user's first
 * project may well be one. */
static void
test_codex_not_git (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(LeanSession) session = NULL;
  gint64 t0;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  session = start (f, "codex", display);
  g_assert_true (wait_for (session_ended, session, 120000));
  g_test_message ("codex outside git: failed after %.1f s: %s",
                  (g_get_monotonic_time () - t0) / 1e6, lean_session_get_message (session));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_nonnull (strstr (display->str, "Not inside a trusted directory"));
  g_assert_cmpstr (lean_session_get_message (session), ==,
                   "Codex runs only in a git repository. Run `git init` in the project "
                   "folder, then start the session again.");
  g_assert_true (wait_for (follower_idle, f->follower, 30000));
  g_assert_true (spec_has_status (f, "planned"));
}

/* ---- (d) Gemini CLI and Copilot CLI without credentials ---- */

static void
check_plain_failure (Fixture    *f,
                     const char *agent,
                     const char *printed,
                     const char *message)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(LeanSession) session = NULL;
  g_autofree char *stored = NULL;
  gint64 t0;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  session = start (f, agent, display);
  if (!wait_for (session_ended, session, 120000))
    {
      /* Never hang: a session that did not end must at least cancel. */
      lean_controller_cancel (f->controller, session);
      g_assert_true (wait_for (session_ended, session, KILL_DELAY_MS + 5000));
      g_test_fail_printf ("%s did not end within 120 s; output: %s", agent, display->str);
      return;
    }
  g_test_message ("%s: %s after %.1f s, exit %d: %s", agent,
                  lean_session_state_to_string (lean_session_get_state (session)),
                  (g_get_monotonic_time () - t0) / 1e6, lean_session_get_exit_code (session),
                  lean_session_get_message (session));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_nonnull (strstr (display->str, printed));
  g_assert_cmpstr (lean_session_get_message (session), ==, message);
  stored = read_channel (f, session, LEAN_OUTPUT_CHANNEL_RAW);
  g_assert_nonnull (strstr (stored, printed));
}

static void
test_gemini_no_auth (Fixture       *f,
                     gconstpointer  data)
{
  check_plain_failure (f, "gemini", "Please set an Auth method",
                       "Gemini CLI has no credentials. Set GEMINI_API_KEY, or run `gemini` in "
                       "a terminal and choose how to sign in.");
}

static void
test_copilot_no_auth (Fixture       *f,
                      gconstpointer  data)
{
  check_plain_failure (f, "copilot", "No authentication information found",
                       "GitHub Copilot CLI is not logged in. Run `copilot` in a terminal and "
                       "use /login, or set GH_TOKEN.");
}

/* ---- guided mode: the agents' own TUIs ---- */

static gboolean
has_output (gpointer data)
{
  Watch *watch = data;

  return watch->display->len > 0 ||
         lean_session_state_is_final (lean_session_get_state (watch->session));
}

/* Without a login the TUI waits for the person (a login or welcome
 * screen, or a question the terminal should answer): the session shows it
 * and Cancel always ends it, with nothing left running. */
static void
test_guided (Fixture       *f,
             gconstpointer  data)
{
  const char *agent = f->agent;
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(LeanSession) session = NULL;
  g_autofree char *raw = NULL;
  Watch watch;
  gint64 t0, t1;
  pid_t pid;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  session = start_mode (f, agent, LEAN_SESSION_MODE_GUIDED, display);
  watch.session = session;
  watch.display = display;
  g_assert_true (wait_for (has_output, &watch, 60000));
  /* Let it draw its first screen. */
  g_usleep (G_USEC_PER_SEC);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_test_message ("%s guided: first output after %.1f s, %" G_GSIZE_FORMAT " bytes, %s",
                  agent, (g_get_monotonic_time () - t0) / 1e6, display->len,
                  lean_session_state_to_string (lean_session_get_state (session)));
  g_assert_cmpuint (display->len, >, 0);
  if (lean_session_state_is_final (lean_session_get_state (session)))
    {
      /* Claude Code's TUI checks the network first and gives up. */
      g_test_message ("%s guided ended by itself: %s", agent, lean_session_get_message (session));
      g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
      g_assert_nonnull (lean_session_get_message (session));
      g_assert_false (g_str_has_prefix (lean_session_get_message (session),
                                        "The agent exited with status"));
      return;
    }

  pid = lean_session_get_agent_pid (session);
  t1 = g_get_monotonic_time ();
  lean_controller_cancel (f->controller, session);
  g_assert_true (wait_for (session_ended, session, KILL_DELAY_MS + 5000));
  g_test_message ("%s guided: cancelled in %.2f s", agent, (g_get_monotonic_time () - t1) / 1e6);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t1, <, (KILL_DELAY_MS + 1500) * 1000);
  g_assert_false (pid_exists (pid));
  g_assert_cmpuint (count_group_settled (pid), ==, 0);
  raw = read_channel (f, session, LEAN_OUTPUT_CHANNEL_RAW);
  g_assert_cmpuint (strlen (raw), >, 0);
}

/* ---- leanspec-ctl implement ---- */

static char *
ctl_path (void)
{
  return g_build_filename (build_root, "src", "cli", "leanspec-ctl", NULL);
}

static void
test_ctl_claude (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *ctl = ctl_path ();
  const char *argv[] = { ctl, "-C", f->project, "implement", "001-hello", "--agent", "claude",
                         NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  gint64 t0;

  if (!require_agents ())
    return;

  t0 = g_get_monotonic_time ();
  g_spawn_sync (NULL, (char **)argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("leanspec-ctl implement --agent claude: %.1f s, stderr: %s",
                  (g_get_monotonic_time () - t0) / 1e6, err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, CLAUDE_MESSAGE));
  g_assert_nonnull (strstr (out, "Not logged in"));
  g_assert_true (spec_has_status (f, "planned"));
}

typedef struct
{
  GString  *out;
  gboolean  eof;
  char      buffer[4096];
} Reader;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *reader = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      reader->eof = TRUE;
      return;
    }
  g_string_append_len (reader->out, reader->buffer, n);
  g_input_stream_read_async (G_INPUT_STREAM (source), reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_read, reader);
}

static gboolean
reader_saw_reconnecting (gpointer data)
{
  Reader *reader = data;

  return reader->eof || strstr (reader->out->str, "Reconnecting...") != NULL;
}

static gboolean
process_done (gpointer data)
{
  return g_subprocess_get_identifier (data) == NULL;
}

static void
test_ctl_codex_sigint (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *ctl = ctl_path ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) tree = NULL;
  Reader reader = { 0 };
  pid_t ctl_pid;
  gint64 t0, t1;

  if (!require_agents ())
    return;

  reader.out = g_string_new (NULL);
  t0 = g_get_monotonic_time ();
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                           &error, ctl, "-C", f->project, "implement", "001-hello",
                           "--agent", "codex", NULL);
  g_assert_no_error (error);
  ctl_pid = atoi (g_subprocess_get_identifier (proc));
  g_input_stream_read_async (g_subprocess_get_stdout_pipe (proc), reader.buffer,
                             sizeof reader.buffer, G_PRIORITY_DEFAULT, NULL, on_read, &reader);
  g_assert_true (wait_for (reader_saw_reconnecting, &reader, 120000));
  g_assert_false (reader.eof);
  g_test_message ("leanspec-ctl implement --agent codex: retrying after %.1f s",
                  (g_get_monotonic_time () - t0) / 1e6);

  tree = descendants (ctl_pid);
  g_assert_cmpuint (tree->len, >, 0);

  t1 = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_assert_true (wait_for (process_done, proc, 5000 + 10000));
  g_test_message ("leanspec-ctl: exited %d, %.2f s after SIGINT, %u agent processes before",
                  g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1,
                  (g_get_monotonic_time () - t1) / 1e6, tree->len);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);

  /* Every process the agent made is gone. */
  for (guint i = 0; i < tree->len; i++)
    g_assert_false (pid_exists (g_array_index (tree, pid_t, i)));

  while (!reader.eof)
    g_main_context_iteration (NULL, TRUE);
  g_string_free (reader.out, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const secrets[] = {
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "OPENAI_API_KEY",
    "CODEX_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA", "GOOGLE_APPLICATION_CREDENTIALS", "GH_TOKEN", "GITHUB_TOKEN",
    "COPILOT_GITHUB_TOKEN",
  };
  g_autofree char *path = NULL;
  int status;

  source_root = g_strdup (g_getenv ("LEANSPEC_SOURCE_ROOT"));
  build_root = g_strdup (g_getenv ("LEANSPEC_BUILD_ROOT"));
  if (source_root == NULL)
    source_root = g_build_filename (g_getenv ("G_TEST_SRCDIR") ?: ".", "..", NULL);
  if (build_root == NULL)
    build_root = g_strdup (".");

  /* With the person's cache and HOME, before they are replaced. */
  install_agents ();

  /* A new user: an empty HOME (no login of the machine's user leaks in,
   * nothing is written to the real home), no keys, the CLIs first on PATH. */
  test_session_env_init ();
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_unsetenv (secrets[i]);
  if (agents_bin != NULL)
    {
      path = g_strdup_printf ("%s:%s", agents_bin, g_getenv ("PATH") ?: "/usr/bin:/bin");
      g_setenv ("PATH", path, TRUE);
    }
  g_setenv ("TERM", "xterm-256color", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/real-agents/registry", Fixture, NULL,
              fixture_set_up, test_registry_detects, fixture_tear_down);
  g_test_add ("/real-agents/claude/not-logged-in", Fixture, NULL,
              fixture_set_up, test_claude_not_logged_in, fixture_tear_down);
  g_test_add ("/real-agents/codex/no-network", Fixture, NULL,
              fixture_set_up, test_codex_no_network, fixture_tear_down);
  g_test_add ("/real-agents/codex/not-git", Fixture, NULL,
              fixture_set_up_no_git, test_codex_not_git, fixture_tear_down);
  g_test_add ("/real-agents/claude/guided", Fixture, "claude",
              fixture_set_up, test_guided, fixture_tear_down);
  g_test_add ("/real-agents/codex/guided", Fixture, "codex",
              fixture_set_up, test_guided, fixture_tear_down);
  g_test_add ("/real-agents/gemini/guided", Fixture, "gemini",
              fixture_set_up, test_guided, fixture_tear_down);
  g_test_add ("/real-agents/copilot/guided", Fixture, "copilot",
              fixture_set_up, test_guided, fixture_tear_down);
  g_test_add ("/real-agents/gemini/no-auth", Fixture, NULL,
              fixture_set_up, test_gemini_no_auth, fixture_tear_down);
  g_test_add ("/real-agents/copilot/no-auth", Fixture, NULL,
              fixture_set_up, test_copilot_no_auth, fixture_tear_down);
  g_test_add ("/real-agents/ctl/claude", Fixture, NULL,
              fixture_set_up, test_ctl_claude, fixture_tear_down);
  g_test_add ("/real-agents/ctl/codex-sigint", Fixture, NULL,
              fixture_set_up, test_ctl_codex_sigint, fixture_tear_down);

  status = g_test_run ();
  g_free (agents_bin);
  g_free (install_error);
  g_free (source_root);
  g_free (build_root);
  return test_session_env_cleanup (status);
}
