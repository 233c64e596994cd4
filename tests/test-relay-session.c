/* SPDX-License-Identifier: MIT */
/* Relay sessions end to end: a real LeanController and SQLite database,
 * LeanRelayRunner installed as the controller's relay factory, the
 * conformance peer on loopback running the test agent in a real PTY. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-controller.h"
#include "lean-error.h"
#include "lean-relay-config.h"
#include "lean-relay-runner.h"
#include "lean-session-db.h"

#include "relay-test-util.h"
#include "test-session-util.h"

typedef struct
{
  char           *dir;
  char           *project;
  char           *db_path;
  LeanSessionDb  *db;
  LeanController *controller;
} Fixture;

/* The test agents these tests run on the relay, by absolute path (the peer
 * runs on this machine). */
static void
add_relay_agents (const char *project)
{
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "flood2", agent, "text", "--flood", "2", NULL);
  test_add_agent (b, "fail3", agent, "text", "--text", "--exit", "3", NULL);
  test_add_agent (b, "ask", agent, "text", "--ask", "Name?", NULL);
  test_add_agent (b, "winsize", agent, "text", "--ready", "--winsize", "--sleep", "30", NULL);
  test_add_agent (b, "missing", "/nonexistent/lean-agent-missing", "text", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (project, ".lean-spec/runners.json", json);
  test_trust_runners (project);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("leanspec-relay-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_make_project (f->dir);
  add_relay_agents (f->project);
  f->db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->controller);
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->db_path);
}

static LeanSessionRequest *
make_request (Fixture    *f,
              const char *agent,
              Peer       *peer)
{
  LeanSessionRequest *request = lean_session_request_new ();

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-first");
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement spec 001-first");
  request->runner = g_strdup_printf ("relay:%s/r1", peer->url);
  request->set_in_progress = FALSE;
  return request;
}

typedef struct
{
  GByteArray *out;
  const char *needle;
} Needle;

static gboolean
has_needle (gpointer data)
{
  Needle *n = data;

  return n->out->len > 0
         && g_strstr_len ((const char *)n->out->data, n->out->len, n->needle) != NULL;
}

static GBytes *
stored_output (Fixture     *f,
               LeanSession *session)
{
  lean_session_db_flush (f->db);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                                     LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

static LeanSession *
start (Fixture            *f,
       LeanSessionRequest *request,
       GByteArray         *view)
{
  g_autoptr(GError) error = NULL;
  LeanSession *session = lean_controller_start (f->controller, request, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  if (view != NULL)
    test_session_show (lean_controller_get_log (f->controller, session), session, view);
  return session;
}

static void
test_stream_byte_exact (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood2", peer);
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(GBytes) expected = test_flood_expected (2);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got_db = NULL;
  g_autofree char *got_view = NULL;

  session = start (f, request, view);
  g_assert_true (g_str_has_prefix (lean_session_get_runner (session), "relay:ws://127.0.0.1:"));
  test_wait_until (test_session_is_final, session, 60);

  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "completed");
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 0);

  stored = stored_output (f, session);
  want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, expected);
  got_db = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, stored);
  got_view = g_compute_checksum_for_data (G_CHECKSUM_SHA256, view->data, view->len);
  g_assert_cmpuint (g_bytes_get_size (stored), ==, g_bytes_get_size (expected));
  g_assert_cmpstr (got_db, ==, want);
  g_assert_cmpuint (view->len, ==, g_bytes_get_size (expected));
  g_assert_cmpstr (got_view, ==, want);
  g_test_message ("%" G_GSIZE_FORMAT " bytes through the relay, sha256 %s",
                  g_bytes_get_size (stored), got_db);
}

static void
test_input_and_resize (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "ask", peer);
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GBytes) answer = g_bytes_new_static ("Relay Bob\n", 10);
  g_autoptr(GError) error = NULL;
  Needle question = { view, "Name?" };
  Needle answered = { view, "ANSWER[Relay Bob]" };

  session = start (f, request, view);
  test_wait_until (has_needle, &question, 30);
  g_assert_true (lean_controller_send_input (f->controller, session, answer, &error));
  g_assert_no_error (error);
  test_wait_until (has_needle, &answered, 30);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "completed");
}

static void
test_resize_reaches_agent (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "winsize", peer);
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Needle ready = { view, "READY" };
  Needle resized = { view, "SIZE 41 123" };

  session = start (f, request, view);
  test_wait_until (has_needle, &ready, 30);
  test_wait_until (test_session_is_running, session, 30);
  lean_controller_resize (f->controller, session, 41, 123);
  test_wait_until (has_needle, &resized, 30);

  /* Pause is refused for relay sessions, with the reason, and changes nothing. */
  g_assert_false (lean_controller_pause (f->controller, session, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);

  lean_controller_cancel (f->controller, session);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "cancelled");
}

static void
test_session_id_and_default_runner (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "winsize", peer);
  g_autoptr(LeanController) plain = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GError) error = NULL;
  LeanRunner *runner;

  /* A controller without a relay factory makes relay runners itself. */
  plain = lean_controller_new (f->db);
  session = lean_controller_start (plain, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_running, session, 30);

  runner = lean_controller_get_runner (plain, session);
  g_assert_true (LEAN_IS_RELAY_RUNNER (runner));
  /* The relay hears of the same session the database records. */
  g_assert_cmpstr (lean_relay_runner_get_session_id (LEAN_RELAY_RUNNER (runner)), ==,
                   lean_session_get_id (session));
  g_assert_cmpstr (lean_session_get_runner (session), ==, request->runner);

  lean_controller_cancel (plain, session);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "cancelled");
}

static void
test_exit_without_session_ended (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start ("--no-session-ended", NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "fail3", peer);
  g_autoptr(LeanSession) session = NULL;

  session = start (f, request, NULL);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "interrupted");
  g_assert_cmpint (lean_session_get_exit_code (session), ==, -1);
  g_assert_nonnull (strstr (lean_session_get_message (session), "exit status is unknown"));
}

static void
test_exit_code_with_session_ended (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "fail3", peer);
  g_autoptr(LeanSession) session = NULL;

  session = start (f, request, NULL);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "failed");
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 3);
}

static void
test_unknown_runner (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood2", peer);
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSession) reloaded = NULL;

  g_free (request->runner);
  request->runner = g_strdup_printf ("relay:%s/ghost", peer->url);
  session = start (f, request, NULL);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "failed");
  g_assert_nonnull (strstr (lean_session_get_message (session),
                            "has no runner “ghost” (HTTP 404: runner not found)"));

  /* Persisted the same way. */
  lean_session_db_flush (f->db);
  reloaded = lean_session_db_lookup (f->db, lean_session_get_id (session), NULL);
  g_assert_nonnull (reloaded);
  g_assert_cmpstr (lean_session_get_message (reloaded), ==, lean_session_get_message (session));
}

static void
test_peer_dies_output_kept (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start ("--die-after-bytes", "200000", NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood2", peer);
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(GBytes) expected = test_flood_expected (2);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(LeanSession) session = NULL;

  session = start (f, request, view);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "interrupted");
  g_assert_nonnull (strstr (lean_session_get_message (session), "cannot re-attach"));

  stored = stored_output (f, session);
  g_assert_cmpuint (g_bytes_get_size (stored), >, 0);
  g_assert_cmpuint (g_bytes_get_size (stored), <=, 200000);
  g_assert_cmpuint (g_bytes_get_size (stored), ==, view->len);
  g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (stored));
  g_test_message ("kept %" G_GSIZE_FORMAT " bytes: %s", g_bytes_get_size (stored),
                  lean_session_get_message (session));
}

static void
test_unreachable_relay (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GError) error = NULL;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-first");
  request->agent_id = g_strdup ("flood2");
  request->prompt = g_strdup ("x");
  request->runner = g_strdup ("relay:ws://127.0.0.1:9/r1");
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpstr (lean_session_state_to_string (lean_session_get_state (session)), ==,
                   "failed");
  g_assert_true (g_str_has_prefix (lean_session_get_message (session),
                                   "Could not reach relay at ws://127.0.0.1:9: connection "
                                   "refused"));

  /* A local worktree means nothing to a relay runner: refused, with why. */
  g_clear_object (&session);
  request->use_worktree = TRUE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_null (session);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "worktree cannot be used with a relay runner"));
  g_clear_error (&error);
  request->use_worktree = FALSE;

  /* An unknown server name fails at once, recorded too. */
  g_clear_object (&session);
  g_free (request->runner);
  request->runner = g_strdup ("relay:nowhere/r1");
  session = lean_controller_start (f->controller, request, &error);
  g_assert_null (session);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "No relay server named “nowhere”"));
}

static void
test_agent_not_needed_locally (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autoptr(LeanSessionRequest) request = make_request (f, "missing", peer);
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  /* The agent's CLI is not installed here; on the runner it is missing too,
   * and the runner says so in the terminal: the request itself is valid. */
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_session_show (lean_controller_get_log (f->controller, session), session, view);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 127);
  g_assert_nonnull (g_strstr_len ((const char *)view->data, view->len, "cannot run"));
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);

  if (!test_agent_path_exists ())
    {
      g_printerr ("lean-test-agent is not built\n");
      return 1;
    }

#define ADD(name, fn) \
  g_test_add ("/relay-session/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("stream-byte-exact", test_stream_byte_exact);
  ADD ("input", test_input_and_resize);
  ADD ("resize-pause-cancel", test_resize_reaches_agent);
  ADD ("session-id-default-runner", test_session_id_and_default_runner);
  ADD ("exit-without-session-ended", test_exit_without_session_ended);
  ADD ("exit-code", test_exit_code_with_session_ended);
  ADD ("unknown-runner", test_unknown_runner);
  ADD ("peer-dies-output-kept", test_peer_dies_output_kept);
  ADD ("unreachable-relay", test_unreachable_relay);
  ADD ("agent-not-needed-locally", test_agent_not_needed_locally);
#undef ADD

  return g_test_run ();
}
