/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include <glib/gstdio.h>

#include "lean-controller.h"
#include "lean-default-runner-factory.h"
#include "lean-error.h"
#include "lean-local-runner.h"
#include "lean-session-db.h"
#include "lean-session-db-private.h"
#include "lean-spec-status-follower.h"
#include "lean-spec-store.h"

#include "test-session-util.h"

typedef struct
{
  char           *dir;
  char           *project;
  char           *db_path;
  LeanSessionDb  *db;
  LeanController *controller;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("leanspec-ctl-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_make_project (f->dir);
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
              const char *agent)
{
  LeanSessionRequest *request = lean_session_request_new ();

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-first");
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement spec 001-first");
  request->set_in_progress = FALSE;
  return request;
}

static void
record_state (LeanSession *session,
              GParamSpec  *pspec,
              GString     *log)
{
  g_string_append_printf (log, "%s ",
                          lean_session_state_to_string (lean_session_get_state (session)));
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

  return n->out->len > 0 &&
         g_strstr_len ((const char *)n->out->data, n->out->len, n->needle) != NULL;
}

static void
test_controller_full_run_structured (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) states = g_string_new (NULL);
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSession) stored = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) display = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) kinds = g_string_new (NULL);

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_object_ref (session);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_PENDING);
  g_assert_true (lean_session_get_structured (session));
  g_assert_cmpuint (g_list_model_get_n_items (lean_controller_get_sessions (f->controller)),
                    ==, 1);
  g_assert_true (lean_controller_lookup (f->controller, lean_session_get_id (session)) ==
                 session);

  g_signal_connect (session, "notify::state", G_CALLBACK (record_state), states);
  test_session_show (lean_controller_get_log (f->controller, session), session, shown);
  test_wait_until (test_session_is_final, session, 20);

  g_assert_cmpstr (states->str, ==, "running completed ");
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 0);
  g_assert_nonnull (lean_session_get_started_at (session));
  g_assert_nonnull (lean_session_get_ended_at (session));
  g_assert_cmpint (lean_session_get_agent_pid (session), >, 0);
  g_assert_cmpint (lean_session_get_owner_pid (session), ==, getpid ());
  g_assert_cmpstr (lean_session_get_runner (session), ==, "local");
  /* Usage from the agent's result event. */
  g_assert_cmpuint (lean_session_get_input_tokens (session), ==, 1234);
  g_assert_cmpuint (lean_session_get_output_tokens (session), ==, 567);
  g_assert_cmpuint (lean_session_get_cache_tokens (session), >, 0);
  g_assert_cmpfloat_with_epsilon (lean_session_get_cost_usd (session), 0.0421, 1e-9);
  g_assert_cmpstr (lean_session_get_model (session), ==, "claude-test-model");
  g_assert_cmpuint (lean_controller_get_n_live (f->controller), ==, 0);

  lean_session_db_flush (f->db);

  /* The same on disk. */
  stored = lean_session_db_lookup (f->db, lean_session_get_id (session), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpuint (lean_session_get_input_tokens (stored), ==, 1234);
  g_assert_cmpuint (lean_session_get_output_tokens (stored), ==, 567);
  g_assert_cmpfloat_with_epsilon (lean_session_get_cost_usd (stored), 0.0421, 1e-9);
  g_assert_true (lean_session_get_structured (stored));

  /* Raw channel: the agent's JSON lines, as the terminal gave them. */
  raw = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                           LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                                  "\"type\":\"result\""));
  /* Display channel: what the view showed, byte for byte. */
  display = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                               LEAN_OUTPUT_CHANNEL_DISPLAY, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (display, NULL), g_bytes_get_size (display),
                   shown->data, shown->len);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (display, NULL), g_bytes_get_size (display),
                                  "Edit"));
  g_assert_null (g_strstr_len (g_bytes_get_data (display, NULL), g_bytes_get_size (display),
                               "\"type\":\"result\""));

  events = lean_session_db_read_events (f->db, lean_session_get_id (session), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *ev = g_ptr_array_index (events, i);

      g_string_append_printf (kinds, "%s,", ev->kind);
    }
  g_assert_true (g_str_has_prefix (kinds->str, "state,"));
  g_assert_nonnull (strstr (kinds->str, "tool-use,"));
  g_assert_nonnull (strstr (kinds->str, "usage,"));
  g_assert_nonnull (strstr (kinds->str, "result,"));
  g_assert_true (g_str_has_suffix (kinds->str, "state,"));
}

static void
test_controller_flood_byte_exact (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  g_autoptr(GBytes) expected = test_flood_expected (5.0);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) display = NULL;
  g_autofree char *sum_expected = NULL;
  g_autofree char *sum_stored = NULL;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_false (lean_session_get_structured (session));
  test_session_show (lean_controller_get_log (f->controller, session), session, shown);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_flush (f->db);

  raw = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                           LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);
  g_assert_no_error (error);
  sum_expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, expected);
  sum_stored = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
  g_assert_cmpuint (g_bytes_get_size (raw), ==, g_bytes_get_size (expected));
  g_assert_cmpstr (sum_stored, ==, sum_expected);

  /* What views were given is what is stored, and a text session's display
   * replay is its raw log. */
  g_assert_cmpuint (shown->len, ==, g_bytes_get_size (raw));
  g_assert_cmpmem (shown->data, shown->len, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  display = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                               LEAN_OUTPUT_CHANNEL_DISPLAY, -1, NULL, &error);
  g_assert_true (g_bytes_equal (display, raw));
}

static void
test_controller_exit_status (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "fail3");
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, session, 20);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 3);
  g_assert_nonnull (strstr (lean_session_get_message (session), "status 3"));
}

static char
process_state (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strrchr (contents, ')');
  return p ? p[2] : 0;
}

typedef struct
{
  int  pid;
  char state;
} PidState;

static gboolean
pid_in_state (gpointer data)
{
  PidState *ps = data;
  return process_state (ps->pid) == ps->state;
}

static void
test_controller_pause_resume_cancel (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "sleepy");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) states = g_string_new (NULL);
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  Needle ready = { shown, "READY pid=" };
  PidState ps;
  LeanSession *session;
  gint64 t0;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_signal_connect (session, "notify::state", G_CALLBACK (record_state), states);
  test_session_show (lean_controller_get_log (f->controller, session), session, shown);

  /* Not running yet: pausing is refused with a reason. */
  g_assert_false (lean_controller_pause (f->controller, session, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  test_wait_until (test_session_is_running, session, 20);
  test_wait_until (has_needle, &ready, 20);
  ps.pid = lean_session_get_agent_pid (session);

  g_assert_true (lean_controller_pause (f->controller, session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_PAUSED);
  ps.state = 'T';
  test_wait_until (pid_in_state, &ps, 5);

  g_assert_true (lean_controller_resume (f->controller, session, &error));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  ps.state = 'S';
  test_wait_until (pid_in_state, &ps, 5);

  /* Cancel while paused: the agent is woken to die. */
  g_assert_true (lean_controller_pause (f->controller, session, &error));
  t0 = g_get_monotonic_time ();
  lean_controller_cancel (f->controller, session);
  test_wait_until (test_session_is_final, session, 10);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpstr (states->str, ==, "running paused running paused cancelled ");
  g_assert_cmpint (kill (ps.pid, 0), ==, -1);

  lean_session_db_flush (f->db);
  {
    g_autoptr(LeanSession) stored = lean_session_db_lookup (f->db, lean_session_get_id (session),
                                                            &error);
    g_autoptr(GPtrArray) events = lean_session_db_read_events (f->db,
                                                               lean_session_get_id (session),
                                                               -1, &error);
    guint n_states = 0;

    g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_CANCELLED);
    for (guint i = 0; i < events->len; i++)
      if (g_str_equal (((LeanSessionEvent *)g_ptr_array_index (events, i))->kind, "state"))
        n_states++;
    /* pending running paused running paused cancelled */
    g_assert_cmpuint (n_states, ==, 6);
  }
}

static void
test_controller_cancel_stubborn (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "stubborn");
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  Needle ready = { shown, "READY pid=" };
  LeanSession *session;

  lean_controller_set_kill_delay (f->controller, 300);
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_session_show (lean_controller_get_log (f->controller, session), session, shown);
  test_wait_until (has_needle, &ready, 20);

  lean_controller_cancel (f->controller, session);
  lean_controller_cancel (f->controller, session);
  /* SIGTERM was sent and ignored: the agent still runs, the session is not
   * over; SIGKILL comes after the delay. */
  g_assert_cmpint (kill (lean_session_get_agent_pid (session), 0), ==, 0);
  g_assert_false (lean_session_state_is_final (lean_session_get_state (session)));
  test_wait_until (test_session_is_final, session, 10);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (lean_session_get_exit_code (session), ==, 128 + SIGKILL);
}

static void
test_controller_cancel_pending (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "sleepy");
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_PENDING);
  lean_controller_cancel (f->controller, session);
  test_wait_until (test_session_is_final, session, 10);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpuint (lean_controller_get_n_live (f->controller), ==, 0);
}

static gboolean
both_final (gpointer data)
{
  LeanSession **s = data;
  return test_session_is_final (s[0]) && test_session_is_final (s[1]);
}

static void
test_controller_concurrent (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) r1 = make_request (f, "flood5");
  g_autoptr(LeanSessionRequest) r2 = make_request (f, "flood2");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) e1 = test_flood_expected (5.0);
  g_autoptr(GBytes) e2 = test_flood_expected (2.0);
  LeanSession *s[2];

  g_free (r2->spec_id);
  r2->spec_id = g_strdup ("002-second");
  s[0] = lean_controller_start (f->controller, r1, &error);
  g_assert_no_error (error);
  s[1] = lean_controller_start (f->controller, r2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_session_get_id (s[0]), !=, lean_session_get_id (s[1]));
  g_assert_cmpuint (lean_controller_get_n_live (f->controller), ==, 2);

  test_wait_until (both_final, s, 60);
  lean_session_db_flush (f->db);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) raw = NULL;

      g_assert_cmpint (lean_session_get_state (s[i]), ==, LEAN_SESSION_STATE_COMPLETED);
      raw = lean_session_db_read_output_range (f->db, lean_session_get_id (s[i]),
                                               LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (raw, i == 0 ? e1 : e2));
    }
}

static void
test_controller_input (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "ask");
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  g_autoptr(GBytes) answer = g_bytes_new_static ("Ada\r", 4);
  Needle question = { shown, "Name?" };
  Needle reply = { shown, "ANSWER[Ada]" };
  LeanSession *session;

  request->mode = LEAN_SESSION_MODE_GUIDED;
  request->rows = 30;
  request->cols = 100;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_session_show (lean_controller_get_log (f->controller, session), session, shown);
  test_wait_until (has_needle, &question, 20);
  lean_controller_resize (f->controller, session, 40, 120);
  g_assert_true (lean_controller_send_input (f->controller, session, answer, &error));
  g_assert_no_error (error);
  test_wait_until (has_needle, &reply, 20);
  test_wait_until (test_session_is_final, session, 20);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  /* Input to an ended session is refused. */
  g_assert_false (lean_controller_send_input (f->controller, session, answer, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
}

static void
on_session_added (LeanController *controller,
                  LeanSession    *session,
                  LeanSession   **out)
{
  *out = session;
}

static void
test_controller_agent_missing (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "missing");
  g_autoptr(LeanSessionRequest) claude = make_request (f, "claude");
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) stored = NULL;
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  LeanSession *added = NULL;
  LeanSession *session;

  g_signal_connect (f->controller, "session-added", G_CALLBACK (on_session_added), &added);
  session = lean_controller_start (f->controller, request, &error);
  g_assert_null (session);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING);
  g_assert_nonnull (added);
  g_assert_cmpint (lean_session_get_state (added), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_cmpstr (lean_session_get_message (added), ==, error->message);
  g_clear_error (&error);

  /* A builtin agent that is not on PATH: the message says how to get it. */
  g_setenv ("PATH", f->dir, TRUE);
  session = lean_controller_start (f->controller, claude, &error);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_null (session);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING);
  g_assert_nonnull (strstr (error->message, "npm install -g @anthropic-ai/claude-code"));
  g_assert_nonnull (strstr (lean_session_get_message (added), "npm install"));
  g_clear_error (&error);

  lean_session_db_flush (f->db);
  stored = lean_session_db_lookup (f->db, lean_session_get_id (added), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_FAILED);
  g_assert_nonnull (strstr (lean_session_get_message (stored), "npm install"));
  g_assert_cmpuint (g_list_model_get_n_items (lean_controller_get_sessions (f->controller)),
                    ==, 2);

  /* Unknown agents and bad requests are refused plainly. */
  g_free (request->agent_id);
  request->agent_id = g_strdup ("no-such-agent");
  g_assert_null (lean_controller_start (f->controller, request, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_free (request->project_path);
  request->project_path = g_build_filename (f->dir, "nowhere", NULL);
  g_assert_null (lean_controller_start (f->controller, request, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
}

/* A factory that records what it was asked for and gives the real local
 * runner, whatever the spec: a relay session then runs the test agent
 * here. */
#define TEST_TYPE_FACTORY (test_factory_get_type ())
G_DECLARE_FINAL_TYPE (TestFactory, test_factory, TEST, FACTORY, GObject)

struct _TestFactory
{
  GObject    parent_instance;
  GPtrArray *specs;
  GPtrArray *session_ids;
};

static LeanRunner *
test_factory_create_runner (LeanRunnerFactory  *factory,
                            const char         *runner_spec,
                            const char         *session_id,
                            GError            **error)
{
  TestFactory *self = TEST_FACTORY (factory);

  g_ptr_array_add (self->specs, g_strdup (runner_spec ? runner_spec : "(null)"));
  g_ptr_array_add (self->session_ids, g_strdup (session_id));
  if (g_strcmp0 (runner_spec, "relay:refused/r1") == 0)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_CONNECTION, "refused by the factory");
      return NULL;
    }
  return LEAN_RUNNER (lean_local_runner_new ());
}

static void
test_factory_iface_init (LeanRunnerFactoryInterface *iface)
{
  iface->create_runner = test_factory_create_runner;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestFactory, test_factory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LEAN_TYPE_RUNNER_FACTORY,
                                                      test_factory_iface_init))

static void
test_factory_finalize (GObject *object)
{
  TestFactory *self = TEST_FACTORY (object);

  g_ptr_array_unref (self->specs);
  g_ptr_array_unref (self->session_ids);
  G_OBJECT_CLASS (test_factory_parent_class)->finalize (object);
}

static void
test_factory_class_init (TestFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_factory_finalize;
}

static void
test_factory_init (TestFactory *self)
{
  self->specs = g_ptr_array_new_with_free_func (g_free);
  self->session_ids = g_ptr_array_new_with_free_func (g_free);
}

static void
test_controller_relay_default_factory (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  /* The controller made without a factory has the default one. */
  g_assert_true (LEAN_IS_DEFAULT_RUNNER_FACTORY (lean_controller_get_runner_factory (f->controller)));

  /* A relay name that relays.json does not know: refused, recorded. */
  request->runner = g_strdup ("relay:no-such-relay/r1");
  g_assert_null (lean_controller_start (f->controller, request, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The real relay runner, to a port where nothing listens: the session
   * starts pending and ends failed, saying why. */
  g_free (request->runner);
  request->runner = g_strdup ("relay:ws://127.0.0.1:9/r1");
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (lean_session_get_runner (session), "relay:"));
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpint (lean_session_get_state (session), !=, LEAN_SESSION_STATE_COMPLETED);
  g_assert_nonnull (lean_session_get_message (session));
}

static void
test_controller_factory (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TestFactory) factory = g_object_new (TEST_TYPE_FACTORY, NULL);
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  controller = lean_controller_new_with_factory (f->db, LEAN_RUNNER_FACTORY (factory));
  g_assert_true (lean_controller_get_runner_factory (controller) ==
                 LEAN_RUNNER_FACTORY (factory));

  /* A relay request runs on whatever the factory gives: here the real
   * local runner with the test agent. */
  request->runner = g_strdup ("relay:ws://127.0.0.1:9/r1");
  session = lean_controller_start (controller, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (factory->specs->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (factory->specs, 0), ==, "relay:ws://127.0.0.1:9/r1");
  g_assert_cmpstr (g_ptr_array_index (factory->session_ids, 0), ==,
                   lean_session_get_id (session));
  g_assert_cmpstr (lean_session_get_runner (session), ==, "local");
  test_wait_until (test_session_is_final, session, 20);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  /* The identity the runner reported is the agent's: pid and start time. */
  g_assert_cmpint (lean_session_get_agent_pid (session), >, 1);
  g_assert_nonnull (lean_session_get_agent_start (session));

  /* A local request goes through the factory too. */
  g_clear_pointer (&request->runner, g_free);
  session = lean_controller_start (controller, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (factory->specs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (factory->specs, 1), ==, "(null)");
  test_wait_until (test_session_is_final, session, 20);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  /* A factory's error fails the start and is recorded. */
  request->runner = g_strdup ("relay:refused/r1");
  g_assert_null (lean_controller_start (controller, request, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CONNECTION);
}

static void
test_controller_worktree (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  if (!test_git_init (f->project))
    {
      g_test_skip ("git is not installed");
      return;
    }
  request->use_worktree = TRUE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_nonnull (lean_session_get_worktree_path (session));
  g_assert_true (g_file_test (lean_session_get_worktree_path (session), G_FILE_TEST_IS_DIR));
  g_assert_true (g_str_has_prefix (lean_session_get_branch (session), "leanspec/001-first-"));
  test_util_rm_rf (lean_session_get_worktree_path (session));

  /* Not a repository: the session fails and says why. */
  {
    g_autoptr(LeanSessionRequest) r2 = make_request (f, "json");
    g_autofree char *parent = g_build_filename (f->dir, "plain", NULL);
    LeanSession *s2;

    g_free (r2->project_path);
    r2->project_path = test_make_project (parent);
    r2->use_worktree = TRUE;
    s2 = lean_controller_start (f->controller, r2, &error);
    g_assert_no_error (error);
    test_wait_until (test_session_is_final, s2, 30);
    g_assert_cmpint (lean_session_get_state (s2), ==, LEAN_SESSION_STATE_FAILED);
    g_assert_nonnull (strstr (lean_session_get_message (s2), "worktree"));
  }
}

static void
test_controller_dispose_stops_agents (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "sleepy");
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSession) stored = NULL;
  int pid;

  session = g_object_ref (lean_controller_start (f->controller, request, &error));
  g_assert_no_error (error);
  test_wait_until (test_session_is_running, session, 20);
  pid = lean_session_get_agent_pid (session);
  g_assert_cmpint (kill (pid, 0), ==, 0);

  g_clear_object (&f->controller);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  stored = lean_session_db_lookup (f->db, lean_session_get_id (session), &error);
  g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_CANCELLED);
  /* The agent is gone too (killed and reaped by the runner). */
  for (guint i = 0; i < 100 && kill (pid, 0) == 0; i++)
    g_usleep (20000);
  g_assert_cmpint (kill (pid, 0), ==, -1);
}


static gboolean
follower_is_idle (gpointer data)
{
  return !lean_spec_status_follower_get_busy (data);
}

/* A session over and its spec as it will stay. */
static void
wait_session_and_spec (LeanSession            *session,
                       LeanSpecStatusFollower *follower)
{
  test_wait_until (test_session_is_final, session, 20);
  if (follower != NULL)
    test_wait_until (follower_is_idle, follower, 20);
}

static void
test_controller_sets_in_progress (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(LeanSessionRequest) request2 = make_request (f, "json");
  g_autoptr(LeanSpecStatusFollower) follower = lean_spec_status_follower_new (f->controller);
  g_autoptr(GError) error = NULL;
  g_autofree char *readme = g_build_filename (f->project, "specs", "001-first", "README.md", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) events = NULL;
  LeanSession *session;

  g_file_get_contents (readme, &before, NULL, NULL);
  g_assert_nonnull (strstr (before, "status: planned"));

  request->set_in_progress = TRUE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  wait_session_and_spec (session, follower);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  g_file_get_contents (readme, &after, NULL, NULL);
  g_assert_nonnull (strstr (after, "status: in-progress"));
  /* Only the status line and its bookkeeping changed: the body is intact. */
  g_assert_nonnull (strstr (after, "# First\n\n- [ ] do it\n"));

  /* A spec that is not there: the session still runs, and the reason is
   * kept as an event. */
  g_free (request2->spec_id);
  request2->spec_id = g_strdup ("099-nope");
  request2->set_in_progress = TRUE;
  session = lean_controller_start (f->controller, request2, &error);
  g_assert_no_error (error);
  wait_session_and_spec (session, follower);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_flush (f->db);
  events = lean_session_db_read_events (f->db, lean_session_get_id (session), -1, &error);
  g_assert_no_error (error);
  {
    gboolean found = FALSE;
    for (guint i = 0; i < events->len; i++)
      found |= g_str_equal (((LeanSessionEvent *)g_ptr_array_index (events, i))->kind,
                            "spec-status-not-set");
    g_assert_true (found);
  }
}

/* The controller only reports: a session that asks for in-progress leaves
 * the spec file alone (not a byte, not its time) until its owner connects
 * a follower, which then moves it. */
static void
test_controller_spec_status_is_the_owners (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(LeanSpecStatusFollower) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *readme = g_build_filename (f->project, "specs", "001-first", "README.md", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GStatBuf st_before, st_after;
  LeanSession *session;

  g_file_get_contents (readme, &before, NULL, NULL);
  g_assert_cmpint (g_stat (readme, &st_before), ==, 0);
  g_assert_nonnull (strstr (before, "status: planned"));

  request->set_in_progress = TRUE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  wait_session_and_spec (session, NULL);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_flush (f->db);
  g_file_get_contents (readme, &after, NULL, NULL);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (g_stat (readme, &st_after), ==, 0);
  g_assert_cmpint (st_after.st_mtime, ==, st_before.st_mtime);
  g_assert_cmpint (st_after.st_ino, ==, st_before.st_ino);

  follower = lean_spec_status_follower_new (f->controller);
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  wait_session_and_spec (session, follower);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_clear_pointer (&after, g_free);
  g_file_get_contents (readme, &after, NULL, NULL);
  g_assert_nonnull (strstr (after, "status: in-progress"));

  /* A request that did not ask is left alone, unless the owner says
   * always (the application's setting). */
  {
    g_autoptr(LeanSessionRequest) keep = make_request (f, "json");
    g_autoptr(LeanSpecStatusFollower) always = lean_spec_status_follower_new (f->controller);
    g_autofree char *readme2 = g_build_filename (f->project, "specs", "002-second", "README.md",
                                                 NULL);
    g_autofree char *text = NULL;

    g_free (keep->spec_id);
    keep->spec_id = g_strdup ("002-second");
    session = lean_controller_start (f->controller, keep, &error);
    g_assert_no_error (error);
    wait_session_and_spec (session, follower);
    g_file_get_contents (readme2, &text, NULL, NULL);
    g_assert_null (strstr (text, "status: in-progress"));
    g_clear_pointer (&text, g_free);

    lean_spec_status_follower_set_always (always, TRUE);
    session = lean_controller_start (f->controller, keep, &error);
    g_assert_no_error (error);
    wait_session_and_spec (session, always);
    g_file_get_contents (readme2, &text, NULL, NULL);
    g_assert_nonnull (strstr (text, "status: in-progress"));
  }
}

static LeanSpecStore *
the_store (const char *project_path,
           gpointer    user_data)
{
  return user_data;
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_assert_true (lean_spec_store_load_finish (LEAN_SPEC_STORE (source), result, NULL));
  *(gboolean *)user_data = TRUE;
}

/* An owner with the project open (the application) has the follower edit
 * through its store: the store holds the new status at once, without
 * watching the files, and the restore on a failed start goes the same
 * way. */
static void
test_controller_spec_status_through_store (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(LeanSpecStatusFollower) follower = lean_spec_status_follower_new (f->controller);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanSpecStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean loaded = FALSE;
  LeanSession *session;

  project = lean_project_open (f->project, &error);
  g_assert_no_error (error);
  store = lean_spec_store_new (project);
  lean_spec_store_load_async (store, NULL, on_store_loaded, &loaded);
  test_util_wait_for_flag (&loaded, 10, "the store");
  lean_spec_status_follower_set_store_func (follower, the_store, store, NULL);
  g_assert_cmpint (lean_spec_get_status (lean_spec_store_lookup (store, "001-first")), ==,
                   LEAN_SPEC_STATUS_PLANNED);

  request->set_in_progress = TRUE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  wait_session_and_spec (session, follower);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpint (lean_spec_get_status (lean_spec_store_lookup (store, "001-first")), ==,
                   LEAN_SPEC_STATUS_IN_PROGRESS);
}

static void
on_registry_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lean_agent_registry_load_finish (LEAN_AGENT_REGISTRY (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* The owner loads the agents off the main loop, once; start uses them and
 * reads no runners.json of its own. */
static void
test_controller_loaded_registry (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(LeanController) plain = NULL;
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (f->project, ".lean-spec", "runners.json", NULL);
  g_autofree char *away = g_strconcat (file, ".away", NULL);
  gboolean done = FALSE;
  LeanSession *session;

  /* Builtins only until the files are read, which happens in a thread. */
  g_assert_false (lean_agent_registry_get_loaded (registry));
  g_assert_null (lean_agent_registry_lookup (registry, "json"));
  lean_agent_registry_load_async (registry, f->project, NULL, on_registry_loaded, &done);
  g_assert_false (lean_agent_registry_get_loaded (registry));
  test_util_wait_for_flag (&done, 10, "the registry");
  g_assert_true (lean_agent_registry_get_loaded (registry));
  g_assert_cmpstr (lean_agent_registry_get_project_path (registry), ==, f->project);
  g_assert_nonnull (lean_agent_registry_lookup (registry, "json"));
  lean_controller_set_registry (f->controller, registry);

  /* With the project's runners.json gone, its agent still starts from the
   * loaded registry; a controller without one reads the files and no
   * longer knows it. */
  g_assert_cmpint (g_rename (file, away), ==, 0);
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, session, 20);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  plain = lean_controller_new (f->db);
  g_assert_null (lean_controller_start (plain, request, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_assert_cmpint (g_rename (away, file), ==, 0);
}

/* The disk fills up while an agent runs: the agent goes on, the session
 * says its history is incomplete, and nothing crashes. */
static void
test_controller_disk_full (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood5");
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  LeanSession *session;

  lean_session_db_flush (f->db);
  {
    sqlite3 *raw = NULL;
    sqlite3_stmt *stmt = NULL;
    gint64 pages;

    sqlite3_open (f->db_path, &raw);
    sqlite3_prepare_v2 (raw, "PRAGMA page_count", -1, &stmt, NULL);
    sqlite3_step (stmt);
    pages = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (raw);
    sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 8);
  }
  _lean_session_db_exec (f->db, sql);

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_nonnull (lean_session_get_message (session));
  g_assert_nonnull (strstr (lean_session_get_message (session), "could not be saved"));

  /* Space again: the final state reaches the database. */
  _lean_session_db_exec (f->db, "PRAGMA max_page_count = 1073741823");
  {
    g_autoptr(LeanSession) stored = NULL;

    lean_session_db_flush (f->db);
    stored = lean_session_db_lookup (f->db, lean_session_get_id (session), &error);
    g_assert_no_error (error);
    g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_COMPLETED);
  }
}

static gboolean
has_some_output (gpointer log)
{
  return lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY) > 1024 * 1024;
}

/* A view that attaches to a live session mid-flood reads the log from its
 * start and then follows it, and ends up with every byte exactly once. */
static void
test_controller_attach_mid_stream (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = test_flood_expected (5.0);
  g_autoptr(GByteArray) view = g_byte_array_new ();
  LeanSessionLog *log;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  log = lean_controller_get_log (f->controller, session);
  test_wait_until (has_some_output, log, 30);
  g_assert_false (test_session_is_final (session));

  test_session_show (log, session, view);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_cmpuint (view->len, ==, g_bytes_get_size (expected));
  g_assert_cmpmem (view->data, view->len, g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));
}

/* A structured session is parsed off the main thread. A 5 MB flood through
 * the parser with a view attaching mid-stream: the view gets the display
 * stream exactly once and in order, the display channel holds exactly what
 * was emitted, and the usage of the result event is applied before the
 * session completes, with the last line delivered before it. */
static void
record_usage_at_end (LeanSession *session,
                     GParamSpec  *pspec,
                     guint64     *tokens)
{
  if (lean_session_get_state (session) == LEAN_SESSION_STATE_COMPLETED)
    *tokens = lean_session_get_input_tokens (session);
}

static void
test_controller_json_flood_attach (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "jsonflood");
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  g_autoptr(GByteArray) view = g_byte_array_new ();
  g_autoptr(GBytes) display = NULL;
  g_autofree char *last_line = NULL;
  guint64 tokens_at_end = 0;
  LeanSessionLog *log;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  g_assert_true (lean_session_get_structured (session));
  log = lean_controller_get_log (f->controller, session);
  test_session_show (log, session, shown);
  g_signal_connect (session, "notify::state", G_CALLBACK (record_usage_at_end), &tokens_at_end);
  test_wait_until (has_some_output, log, 30);
  g_assert_false (test_session_is_final (session));

  test_session_show (log, session, view);
  test_wait_until (test_session_is_final, session, 60);

  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpuint (tokens_at_end, ==, 1234);
  g_assert_cmpuint (lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY), ==,
                    shown->len);
  /* The flood's last line reached views (the parser passes it through). */
  {
    g_autoptr(GBytes) expected = test_flood_expected (5.0);
    gsize len;
    const char *text = g_bytes_get_data (expected, &len);
    const char *last = g_strrstr_len (text, len, "flood ");

    g_assert_nonnull (last);
    last_line = g_strndup (last, MIN (15, text + len - last));
  }
  g_assert_nonnull (g_strstr_len ((const char *)shown->data, shown->len, last_line));
  g_assert_cmpmem (view->data, view->len, shown->data, shown->len);

  lean_session_db_flush (f->db);
  display = lean_session_db_read_output_range (f->db, lean_session_get_id (session),
                                               LEAN_OUTPUT_CHANNEL_DISPLAY, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (display, NULL), g_bytes_get_size (display),
                   shown->data, shown->len);
  g_signal_handlers_disconnect_by_data (session, &tokens_at_end);
}

/* Cancel, then dispose the controller, while the parser's thread is busy:
 * the session ends cancelled and nothing is used after it is freed. */
static void
test_controller_json_flood_cancel (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "jsonflood");
  g_autoptr(LeanSessionRequest) request2 = make_request (f, "jsonflood");
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) second = NULL;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (has_some_output, lean_controller_get_log (f->controller, session), 30);
  lean_controller_cancel (f->controller, session);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);

  second = lean_controller_start (f->controller, request2, &error);
  g_assert_no_error (error);
  g_object_ref (second);
  test_wait_until (has_some_output, lean_controller_get_log (f->controller, second), 30);
  g_clear_object (&f->controller);
  g_assert_true (test_session_is_final (second));
}

typedef struct
{
  gint64  ts;
  guint64 total;
} Report;

/* A process using the controller is killed with SIGKILL mid-stream. On the
 * next open the session is interrupted, the database is sound, and it holds
 * the agent's output byte-exact up to shortly before the kill (design budget
 * ~100 ms; the bound checked here is looser, see below). */
static void
test_controller_kill9_host (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                            "lean-test-controller-host", NULL);
  g_autofree char *db_path = g_build_filename (f->dir, "crash.db", NULL);
  const char *host_argv[] = { host, db_path, f->project, "flood400", "001-first", NULL };
  g_autoptr(GArray) reports = g_array_new (FALSE, FALSE, sizeof (Report));
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) stored = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) expected = test_flood_expected (400.0);
  g_autofree char *session_id = NULL;
  g_autofree char *check = NULL;
  guint64 must_have = 0, last_total = 0;
  gint64 t_kill = 0, t_first = 0;
  GPid pid;
  int out_fd, status;
  char *line;

  g_spawn_async_with_pipes (NULL, (char **)host_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                            NULL, &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  stream = g_unix_input_stream_new (out_fd, TRUE);
  lines = g_data_input_stream_new (stream);

  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
    {
      Report r;

      if (g_str_has_prefix (line, "SESSION "))
        session_id = g_strdup (line + 8);
      else if (sscanf (line, "T %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT, &r.ts, &r.total) == 2)
        {
          g_array_append_val (reports, r);
          last_total = r.total;
          if (t_first == 0)
            t_first = r.ts;
          /* Mid-stream: well into the flood (and streaming for longer than
           * the window checked below), far from its end. */
          if (t_kill == 0 && r.total >= 30 * 1024 * 1024 && r.ts - t_first >= G_USEC_PER_SEC)
            {
              t_kill = g_get_monotonic_time ();
              g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
            }
        }
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_nonnull (session_id);
  g_assert_cmpint (t_kill, >, 0);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_assert_cmpuint (last_total, <, g_bytes_get_size (expected));

  /* What the host had routed well before the kill must be stored: output is
   * committed continuously, not at the end. The design budget is ~100 ms (the
   * writer commits every 50 ms; typical loss measured is < 10 ms, see
   * bench/RESULTS.md); the test allows 500 ms so that a loaded 2-core CI
   * machine, where the writer thread may wait for a core, does not flake. */
  for (guint i = 0; i < reports->len; i++)
    {
      Report *r = &g_array_index (reports, Report, i);
      if (r->ts <= t_kill - 500 * 1000)
        must_have = r->total;
    }
  g_assert_cmpuint (must_have, >, 0);

  db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (lean_session_db_recover (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS, NULL,
                                          &error));
  g_assert_no_error (error);
  stored = lean_session_db_lookup (db, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (stored), ==, LEAN_SESSION_STATE_INTERRUPTED);
  g_assert_nonnull (strstr (lean_session_get_message (stored), "stopped before the agent"));
  g_assert_nonnull (lean_session_get_ended_at (stored));

  raw = lean_session_db_read_output_range (db, session_id, LEAN_OUTPUT_CHANNEL_RAW, -1, NULL,
                                           &error);
  g_assert_no_error (error);
  g_test_message ("routed %" G_GUINT64_FORMAT " bytes by the kill, %" G_GUINT64_FORMAT
                  " 500 ms before; %" G_GSIZE_FORMAT " stored",
                  last_total, must_have, g_bytes_get_size (raw));
  g_assert_cmpuint (g_bytes_get_size (raw), >=, must_have);
  g_assert_cmpuint (g_bytes_get_size (raw), <=, last_total);
  /* Byte-exact: a prefix of what the agent wrote. */
  g_assert_cmpmem (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (raw));

  lean_session_db_close (db);
  {
    sqlite3 *raw_db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (db_path, &raw_db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (raw_db, "PRAGMA integrity_check", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    check = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    sqlite3_close (raw_db);
  }
  g_assert_cmpstr (check, ==, "ok");

  /* The agent did not outlive its host (its terminal went away). */
  {
    int agent = lean_session_get_agent_pid (stored);
    for (guint i = 0; i < 250 && agent > 0 && kill (agent, 0) == 0; i++)
      g_usleep (20000);
    g_assert_true (agent > 0 && kill (agent, 0) == -1);
  }
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);

  if (!test_agent_path_exists ())
    {
      g_printerr ("lean-test-agent not built\n");
      return 1;
    }

#define ADD(name, func) \
  g_test_add ("/controller/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("full-run-structured", test_controller_full_run_structured);
  ADD ("flood-byte-exact", test_controller_flood_byte_exact);
  ADD ("exit-status", test_controller_exit_status);
  ADD ("pause-resume-cancel", test_controller_pause_resume_cancel);
  ADD ("cancel-stubborn", test_controller_cancel_stubborn);
  ADD ("cancel-pending", test_controller_cancel_pending);
  ADD ("concurrent", test_controller_concurrent);
  ADD ("input", test_controller_input);
  ADD ("agent-missing", test_controller_agent_missing);
  ADD ("relay-default-factory", test_controller_relay_default_factory);
  ADD ("factory", test_controller_factory);
  ADD ("worktree", test_controller_worktree);
  ADD ("dispose-stops-agents", test_controller_dispose_stops_agents);
  ADD ("kill9-host", test_controller_kill9_host);
  ADD ("sets-in-progress", test_controller_sets_in_progress);
  ADD ("spec-status-is-the-owners", test_controller_spec_status_is_the_owners);
  ADD ("loaded-registry", test_controller_loaded_registry);
  ADD ("spec-status-through-store", test_controller_spec_status_through_store);
  ADD ("disk-full", test_controller_disk_full);
  ADD ("attach-mid-stream", test_controller_attach_mid_stream);
  ADD ("json-flood-attach", test_controller_json_flood_attach);
  ADD ("json-flood-cancel", test_controller_json_flood_cancel);
#undef ADD

  return test_session_env_cleanup (g_test_run ());
}
