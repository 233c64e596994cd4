/* SPDX-License-Identifier: MIT */
/* Known agent failures (not logged in, no API key, no network, not a git
 * repository) recognised in what the real CLIs printed (tests/fixtures/
 * agent-transcripts) and turned into sentences a person can act on; and the
 * controller doing it live: the recorded transcripts replayed through the real
 * local runner (a PTY) by `cat`, as a runners.json agent. */
#define _GNU_SOURCE
#include "config.h"

#include <string.h>

#include "lean-agent-problem.h"
#include "lean-controller.h"
#include "lean-session-db.h"
#include "lean-spec-status-follower.h"
#include "lean-stream-parser.h"
#include "test-session-util.h"

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "agent-transcripts", name, NULL);
}

static char *
fixture (const char *name,
         gsize      *len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (name);
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

/* ---- detection on single texts ---- */

static void
test_detect (void)
{
  static const struct
  {
    const char       *text;
    LeanAgentProblem  problem;
  } cases[] = {
    { "Not logged in · Please run /login", LEAN_AGENT_PROBLEM_NOT_LOGGED_IN },
    { "authentication_failed", LEAN_AGENT_PROBLEM_NOT_LOGGED_IN },
    { "Error: No authentication information found.", LEAN_AGENT_PROBLEM_NOT_LOGGED_IN },
    { "Please set an Auth method in your /tmp/x/.gemini/settings.json or specify one of the "
      "following environment variables before running: GEMINI_API_KEY",
      LEAN_AGENT_PROBLEM_NO_API_KEY },
    { "Invalid API key · Fix external API key", LEAN_AGENT_PROBLEM_NO_API_KEY },
    { "Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address "
      "information: Name does not resolve)", LEAN_AGENT_PROBLEM_NO_NETWORK },
    { "Reconnecting... waiting for network (Connection failed: error sending request)",
      LEAN_AGENT_PROBLEM_NO_NETWORK },
    { "Not inside a trusted directory and --skip-git-repo-check was not specified.",
      LEAN_AGENT_PROBLEM_NOT_GIT_REPO },
    { "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header",
      LEAN_AGENT_PROBLEM_NOT_LOGGED_IN },
    { "Edited src/main.c", LEAN_AGENT_PROBLEM_NONE },
    { "", LEAN_AGENT_PROBLEM_NONE },
    { NULL, LEAN_AGENT_PROBLEM_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (lean_agent_problem_detect (cases[i].text), ==, cases[i].problem);
}

static void
test_describe (void)
{
  g_autofree char *claude = lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NOT_LOGGED_IN,
                                                         "claude", "Claude Code", FALSE);
  g_autofree char *codex = lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NO_NETWORK,
                                                        "codex", "Codex", TRUE);
  g_autofree char *codex_end = lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NO_NETWORK,
                                                            "codex", "Codex", FALSE);
  g_autofree char *custom = lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NO_API_KEY,
                                                         "mine", "My Agent", FALSE);

  g_assert_cmpstr (claude, ==, "Claude Code is not logged in. Run `claude` in a terminal and "
                               "use /login, or set ANTHROPIC_API_KEY.");
  g_assert_cmpstr (codex, ==, "Codex cannot reach the network (retrying). Check your "
                              "connection or cancel.");
  g_assert_cmpstr (codex_end, ==, "Codex could not reach the network. Check your connection "
                                  "and try again.");
  g_assert_nonnull (strstr (custom, "My Agent"));
  g_assert_null (lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NONE, "claude", NULL, FALSE));
  g_assert_cmpstr (lean_agent_problem_to_string (LEAN_AGENT_PROBLEM_NO_NETWORK), ==,
                   "no-network");
}

/* ---- plain output of the real CLIs ---- */

static void
test_scan_transcripts (void)
{
  static const struct
  {
    const char       *file;
    LeanAgentProblem  problem;
  } cases[] = {
    { "gemini-cli-0.61.0-no-auth-pty.raw", LEAN_AGENT_PROBLEM_NO_API_KEY },
    { "copilot-1.0.102-no-auth-pty.raw", LEAN_AGENT_PROBLEM_NOT_LOGGED_IN },
    { "codex-0.169.0-exec-json-not-git-pty.raw", LEAN_AGENT_PROBLEM_NOT_GIT_REPO },
    /* A TUI's words are separated by cursor moves, not spaces. */
    { "claude-code-2.1.197-guided-no-network-pty.raw", LEAN_AGENT_PROBLEM_NO_NETWORK },
    /* JSON events are left to the parser: the scan of the jsonl finds nothing. */
    { "claude-code-2.1.197-not-logged-in.jsonl", LEAN_AGENT_PROBLEM_NONE },
    { "codex-0.169.0-exec-json-no-network.jsonl", LEAN_AGENT_PROBLEM_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = 0;
      g_autofree char *data = fixture (cases[i].file, &len);

      g_test_message ("%s", cases[i].file);
      g_assert_cmpint (lean_agent_problem_scan (data, len), ==, cases[i].problem);
    }
}

/* The parser's events on the recorded JSON carry the texts detect() needs. */
typedef struct
{
  LeanAgentProblem best;
  guint            network;
} Seen;

static void
on_event (LeanStreamParser *parser,
          const char       *kind,
          JsonObject       *payload,
          Seen             *seen)
{
  const char *text = NULL;
  LeanAgentProblem found;

  if (g_str_equal (kind, "error"))
    text = json_object_get_string_member_with_default (payload, "message", NULL);
  else if (json_object_get_boolean_member_with_default (payload, "is_error", FALSE))
    text = json_object_get_string_member_with_default (payload, "text", NULL);
  found = lean_agent_problem_detect (text);
  if (found == LEAN_AGENT_PROBLEM_NO_NETWORK)
    seen->network++;
  if (found != LEAN_AGENT_PROBLEM_NONE && seen->best == LEAN_AGENT_PROBLEM_NONE)
    seen->best = found;
}

static void
test_parser_events (void)
{
  static const struct
  {
    const char       *file;
    LeanAgentOutput   format;
    LeanAgentProblem  problem;
    guint             network;
  } cases[] = {
    { "claude-code-2.1.197-not-logged-in.jsonl", LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON,
      LEAN_AGENT_PROBLEM_NOT_LOGGED_IN, 0 },
    { "claude-code-2.1.197-not-logged-in-pty.raw", LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON,
      LEAN_AGENT_PROBLEM_NOT_LOGGED_IN, 0 },
    /* 4 "Reconnecting... n/5", the fallback item, 4 "waiting for network". */
    { "codex-0.169.0-exec-json-no-network.jsonl", LEAN_AGENT_OUTPUT_CODEX_JSON,
      LEAN_AGENT_PROBLEM_NO_NETWORK, 9 },
    /* Through a PTY, Codex's own log lines (stderr) come in between. */
    { "codex-0.169.0-exec-json-no-network-pty.raw", LEAN_AGENT_OUTPUT_CODEX_JSON,
      LEAN_AGENT_PROBLEM_NO_NETWORK, 8 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = 0;
      g_autofree char *data = fixture (cases[i].file, &len);
      g_autoptr(LeanStreamParser) parser = lean_stream_parser_new (cases[i].format);
      g_autoptr(GBytes) bytes = g_bytes_new (data, len);
      Seen seen = { 0 };

      g_signal_connect (parser, "event", G_CALLBACK (on_event), &seen);
      lean_stream_parser_feed (parser, bytes);
      lean_stream_parser_flush (parser);
      g_test_message ("%s: %s, %u network errors", cases[i].file,
                      lean_agent_problem_to_string (seen.best), seen.network);
      g_assert_cmpint (seen.best, ==, cases[i].problem);
      g_assert_cmpuint (seen.network, ==, cases[i].network);
    }
}

/* ---- the controller, live ---- */

typedef struct
{
  char           *tmp;
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanSpecStatusFollower *follower; /* what the owner connects */
} Fixture;

/* @exit_code 0: `cat FILE`; else `sh -c 'cat "$0"; exit N' FILE` (a fixed
 * test command, no spec text in it). */
static void
add_replay (JsonBuilder *b,
            const char  *id,
            const char  *name,
            const char  *output,
            const char  *file,
            int          exit_code)
{
  g_autofree char *path = fixture_path (file);
  g_autofree char *script = g_strdup_printf ("cat \"$0\"; exit %d", exit_code);

  json_builder_set_member_name (b, id);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, exit_code == 0 ? "cat" : "sh");
  json_builder_set_member_name (b, "args");
  json_builder_begin_array (b);
  if (exit_code != 0)
    {
      json_builder_add_string_value (b, "-c");
      json_builder_add_string_value (b, script);
    }
  json_builder_add_string_value (b, path);
  json_builder_end_array (b);
  /* The prompt goes to stdin, which cat ignores with a file argument. */
  json_builder_set_member_name (b, "prompt_flag");
  json_builder_add_string_value (b, "-");
  json_builder_set_member_name (b, "output");
  json_builder_add_string_value (b, output);
  json_builder_end_object (b);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *db_path = NULL;

  f->tmp = g_dir_make_tmp ("agent-problem-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = g_build_filename (f->tmp, "project", NULL);
  test_util_write_file (f->project, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (f->project, "specs/001-hello/README.md",
                   "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Hello\n");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  add_replay (b, "codex-replay", "Codex", "codex-json",
              "codex-0.169.0-exec-json-no-network.jsonl", 0);
  add_replay (b, "claude-replay", "Claude replay", "claude-stream-json",
              "claude-code-2.1.197-not-logged-in.jsonl", 1);
  add_replay (b, "copilot-replay", "Copilot replay", "text",
              "copilot-1.0.102-no-auth-pty.raw", 1);
  add_replay (b, "copilot-exit0", "Copilot exit 0", "text",
              "copilot-1.0.102-no-auth-pty.raw", 0);
  /* An agent whose helper ignores SIGTERM and SIGHUP (nohup) and does not
   * hold the terminal. */
  json_builder_set_member_name (b, "straggler");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, "sh");
  json_builder_set_member_name (b, "args");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "-c");
  json_builder_add_string_value (b, "(trap '' TERM HUP; exec sleep 60) </dev/null >/dev/null 2>&1 & "
                                    "echo ready; wait");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "prompt_flag");
  json_builder_add_string_value (b, "-");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, TRUE);
  test_util_write_file (f->project, ".lean-spec/runners.json", json);
  test_trust_runners (f->project);

  db_path = g_build_filename (f->tmp, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  f->follower = lean_spec_status_follower_new (f->controller);
  lean_controller_set_kill_delay (f->controller, 1000);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->follower);
  g_clear_object (&f->controller);
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  test_util_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->project);
}

static void
on_message (LeanSession *session,
            GParamSpec  *pspec,
            GPtrArray   *messages)
{
  g_ptr_array_add (messages, g_strdup (lean_session_get_message (session)));
}

static LeanSession *
run (Fixture    *f,
     const char *agent,
     gboolean    in_progress,
     GString    *display,
     GPtrArray  *messages)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-hello");
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement it.");
  request->set_in_progress = in_progress;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_session_show_text (lean_controller_get_log (f->controller, session), session, display);
  g_signal_connect (session, "notify::message", G_CALLBACK (on_message), messages);
  /* Over, shown, and its spec as it will stay. */
  while (!test_session_is_final (session) ||
         lean_spec_status_follower_get_busy (f->follower))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  lean_session_db_flush (f->db);
  return g_object_ref (session);
}

static guint
count_problem_events (Fixture     *f,
                      LeanSession *session,
                      const char  *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = lean_session_db_read_events (f->db,
                                                             lean_session_get_id (session),
                                                             -1, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->kind, "problem") && strstr (event->payload, needle) != NULL)
        n++;
    }
  return n;
}

static char *
spec_text (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->project, "specs", "001-hello", "README.md", NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The restore runs in a thread after the session ended. */
static gboolean
wait_for_spec_status (Fixture    *f,
                      const char *status)
{
  g_autofree char *needle = g_strdup_printf ("status: %s\n", status);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = spec_text (f);

      if (strstr (text, needle) != NULL)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return FALSE;
}

static guint
count_events (Fixture     *f,
              LeanSession *session,
              const char  *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n = 0;

  lean_session_db_flush (f->db);
  events = lean_session_db_read_events (f->db, lean_session_get_id (session), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    n += g_str_equal (((LeanSessionEvent *)g_ptr_array_index (events, i))->kind, kind);
  return n;
}

static void
test_controller_network (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LeanSession) session = run (f, "codex-replay", TRUE, display, messages);
  const char *hint = "Codex cannot reach the network (retrying). Check your connection or "
                     "cancel.";
  const char *shown;

  /* Told once, while it retried, after the third network error (the
   * chunk holding it), in yellow; the end says what to do next. */
  for (guint i = 0; i < messages->len; i++)
    g_test_message ("message %u: %s", i, (char *)g_ptr_array_index (messages, i));
  g_assert_cmpuint (messages->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (messages, 0), ==, hint);
  shown = strstr (display->str, "\033[1;33m⚠ Codex cannot reach the network (retrying)");
  g_assert_nonnull (shown);
  g_assert_null (strstr (shown + strlen ("\033[1;33m⚠"), "⚠ Codex cannot reach"));
  g_assert_nonnull (g_strrstr_len (display->str, shown - display->str, "Reconnecting... 4/5"));

  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpstr (lean_session_get_message (session), ==,
                   "Codex could not reach the network. Check your connection and try again.");
  g_assert_cmpuint (count_problem_events (f, session, "\"retries\":"), ==, 2);
  g_assert_cmpuint (count_problem_events (f, session, "no-network"), ==, 2);

  /* It may have worked before the network went away: the spec stays. */
  g_assert_true (wait_for_spec_status (f, "in-progress"));
  g_assert_cmpuint (count_events (f, session, "spec-status-restored"), ==, 0);
}

static void
test_controller_not_logged_in (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LeanSession) session = run (f, "claude-replay", TRUE, display, messages);

  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpstr (lean_session_get_message (session), ==,
                   "Claude replay is not logged in or has no API key. Run it in a terminal to "
                   "sign in, or set its API key.");
  g_assert_cmpuint (count_problem_events (f, session, "not-logged-in"), ==, 1);
  g_assert_null (strstr (display->str, "⚠"));

  /* Nothing was done: the spec is planned again, as before the try. */
  g_assert_true (wait_for_spec_status (f, "planned"));
  while (count_events (f, session, "spec-status-restored") == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Plain-text agents (Copilot CLI prints its complaint on stderr) are
 * recognised from the end of their output, when they fail. */
static void
test_controller_text_agent (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(GString) display0 = g_string_new (NULL);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LeanSession) session = run (f, "copilot-replay", FALSE, display, messages);
  g_autoptr(LeanSession) exit0 = NULL;

  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 1);
  g_assert_cmpstr (lean_session_get_message (session), ==,
                   "Copilot replay is not logged in or has no API key. Run it in a terminal "
                   "to sign in, or set its API key.");
  g_assert_nonnull (strstr (display->str, "No authentication information found"));
  g_assert_cmpuint (count_problem_events (f, session, "not-logged-in"), ==, 1);

  /* The same words from an agent that succeeded are not a failure. */
  exit0 = run (f, "copilot-exit0", FALSE, display0, messages);
  g_assert_cmpint (lean_session_get_state (exit0), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_null (lean_session_get_message (exit0));
  g_assert_cmpuint (count_problem_events (f, exit0, "not-logged-in"), ==, 0);
}

/* Live members of process group @pgid. */
static guint
count_group (int pgid)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *rest;
      int ppid, pgrp;
      char state;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      rest = strrchr (stat, ')');
      if (rest != NULL && sscanf (rest + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
          pgrp == pgid && state != 'Z' && state != 'X')
        n++;
    }
  return n;
}

/* Cancel leaves nothing running, even a helper of the agent that ignores
 * SIGTERM and let go of the terminal, although the agent itself quits at
 * once. */
static void
test_controller_cancel_stragglers (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  LeanSession *session;
  int pid;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-hello");
  request->agent_id = g_strdup ("straggler");
  request->prompt = g_strdup ("Implement it.");
  request->set_in_progress = FALSE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_session_show_text (lean_controller_get_log (f->controller, session), session, display);
  while (strstr (display->str, "ready") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  pid = lean_session_get_agent_pid (session);
  g_assert_cmpuint (count_group (pid), ==, 2);

  lean_controller_cancel (f->controller, session);
  while (!test_session_is_final (session))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  /* A SIGKILLed process may take a moment to leave /proc. */
  while (count_group (pid) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmpuint (count_group (pid), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent-problem/detect", test_detect);
  g_test_add_func ("/agent-problem/describe", test_describe);
  g_test_add_func ("/agent-problem/scan-transcripts", test_scan_transcripts);
  g_test_add_func ("/agent-problem/parser-events", test_parser_events);
  g_test_add ("/agent-problem/controller/network", Fixture, NULL,
              fixture_set_up, test_controller_network, fixture_tear_down);
  g_test_add ("/agent-problem/controller/not-logged-in", Fixture, NULL,
              fixture_set_up, test_controller_not_logged_in, fixture_tear_down);
  g_test_add ("/agent-problem/controller/text-agent", Fixture, NULL,
              fixture_set_up, test_controller_text_agent, fixture_tear_down);
  g_test_add ("/agent-problem/controller/cancel-stragglers", Fixture, NULL,
              fixture_set_up, test_controller_cancel_stragglers, fixture_tear_down);

  status = g_test_run ();
  return test_session_env_cleanup (status);
}
