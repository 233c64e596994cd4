/* SPDX-License-Identifier: MIT */
/* LeanSessionLog: output served by offset, announced as it is stored, for
 * a session of this process and for one another process runs. */
#include "config.h"

#include <sys/wait.h>

#include <gio/gunixinputstream.h>

#include "lean-controller.h"
#include "lean-session-db.h"
#include "lean-session-log.h"

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

  f->dir = g_dir_make_tmp ("leanspec-log-XXXXXX", &error);
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

/* Reads a channel of a log the way a view does: one read at a time from
 * where the last one ended, started again by "appended". */
typedef struct
{
  LeanSessionLog    *log;
  LeanOutputChannel  channel;
  GByteArray        *got;
  gboolean           reading;
  gboolean           ended;
  guint              n_appended;
  guint64            announced;      /* end of the last announced range */
  gboolean           gap;            /* an announcement did not follow the last */
  gboolean           live_append;    /* something was announced before the end */
  gboolean           leaving;        /* reads no more */
} Follower;

static void follower_read (Follower *fo);

static void
on_follower_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Follower *fo = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = lean_session_log_read_finish (LEAN_SESSION_LOG (source), result,
                                                          &error);

  g_assert_no_error (error);
  fo->reading = FALSE;
  g_byte_array_append (fo->got, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (g_bytes_get_size (bytes) > 0)
    follower_read (fo);
}

static void
follower_read (Follower *fo)
{
  if (fo->reading || fo->leaving ||
      fo->got->len >= lean_session_log_get_length (fo->log, fo->channel))
    return;
  fo->reading = TRUE;
  lean_session_log_read_async (fo->log, fo->channel, fo->got->len, 64 * 1024, NULL,
                               on_follower_read, fo);
}

static void
on_appended (LeanSessionLog *log,
             guint           channel,
             guint64         offset,
             guint64         length,
             Follower       *fo)
{
  if (channel != fo->channel)
    return;
  fo->n_appended++;
  if (offset != fo->announced)
    fo->gap = TRUE;
  fo->announced = offset + length;
  if (!lean_session_log_get_ended (log))
    fo->live_append = TRUE;
  follower_read (fo);
}

static void
on_ended (LeanSessionLog *log,
          Follower       *fo)
{
  fo->ended = TRUE;
}

static Follower *
follower_new (LeanSessionLog    *log,
              LeanOutputChannel  channel)
{
  Follower *fo = g_new0 (Follower, 1);

  fo->log = g_object_ref (log);
  fo->channel = channel;
  fo->got = g_byte_array_new ();
  fo->announced = lean_session_log_get_length (log, channel);
  g_signal_connect (log, "appended", G_CALLBACK (on_appended), fo);
  g_signal_connect (log, "ended", G_CALLBACK (on_ended), fo);
  fo->ended = lean_session_log_get_ended (log);
  follower_read (fo);
  return fo;
}

static void
follower_free (Follower *fo)
{
  g_signal_handlers_disconnect_by_data (fo->log, fo);
  g_object_unref (fo->log);
  g_byte_array_unref (fo->got);
  g_free (fo);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Follower, follower_free)

static gboolean
follower_done (gpointer data)
{
  Follower *fo = data;

  return fo->ended && !fo->reading &&
         fo->got->len == lean_session_log_get_length (fo->log, fo->channel);
}

static GBytes *
stored (LeanSessionDb     *db,
        const char        *id,
        LeanOutputChannel  channel)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  lean_session_db_flush (db);
  bytes = lean_session_db_read_output_range (db, id, channel, -1, NULL, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GBytes *
read_sync (LeanSessionLog    *log,
           LeanOutputChannel  channel,
           guint64            from,
           gsize              max)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  lean_session_log_read_async (log, channel, from, max, NULL, store_result,
                               &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  bytes = lean_session_log_read_finish (log, result, &error);
  g_assert_no_error (error);
  return bytes;
}

/* A session of this process: both channels follow without gap or
 * duplicate, equal what is stored, and any offset reads the right bytes,
 * from memory while live and from the database after. */
static void
test_log_live (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "jsonflood");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) display = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(Follower) fd = NULL;
  g_autoptr(Follower) fr = NULL;
  LeanSessionLog *log;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  log = lean_controller_get_log (f->controller, session);
  g_assert_nonnull (log);
  g_assert_cmpstr (lean_session_log_get_session_id (log), ==, lean_session_get_id (session));
  fd = follower_new (log, LEAN_OUTPUT_CHANNEL_DISPLAY);
  fr = follower_new (log, LEAN_OUTPUT_CHANNEL_RAW);

  /* While it runs: a read in the middle of what was announced. */
  test_wait_until (test_session_is_final, session, 60);
  g_assert_true (test_util_wait_until (follower_done, fd, 20000));
  g_assert_true (test_util_wait_until (follower_done, fr, 20000));
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);

  display = stored (f->db, lean_session_get_id (session), LEAN_OUTPUT_CHANNEL_DISPLAY);
  raw = stored (f->db, lean_session_get_id (session), LEAN_OUTPUT_CHANNEL_RAW);
  g_assert_cmpuint (g_bytes_get_size (display), >, 1024 * 1024);
  g_assert_cmpmem (fd->got->data, fd->got->len, g_bytes_get_data (display, NULL),
                   g_bytes_get_size (display));
  g_assert_cmpmem (fr->got->data, fr->got->len, g_bytes_get_data (raw, NULL),
                   g_bytes_get_size (raw));
  g_assert_false (fd->gap);
  g_assert_false (fr->gap);
  g_assert_true (fd->live_append);
  g_assert_cmpuint (fd->n_appended, >, 1);
  g_assert_cmpuint (lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY), ==,
                    g_bytes_get_size (display));

  /* After the end, any offset comes from the database. */
  {
    gsize size = g_bytes_get_size (display);
    guint64 offsets[] = { 0, 1, size / 3, size - 7, size };

    for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
      {
        g_autoptr(GBytes) part = read_sync (log, LEAN_OUTPUT_CHANNEL_DISPLAY, offsets[i], 5000);
        gsize want = MIN (5000, size - offsets[i]);

        g_assert_cmpmem (g_bytes_get_data (part, NULL), g_bytes_get_size (part),
                         (const guint8 *)g_bytes_get_data (display, NULL) + offsets[i], want);
      }
  }
}

/* A text session: its display channel is its raw channel. */
static void
test_log_text (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood2");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = test_flood_expected (2.0);
  g_autoptr(Follower) fd = NULL;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  fd = follower_new (lean_controller_get_log (f->controller, session),
                     LEAN_OUTPUT_CHANNEL_DISPLAY);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_true (test_util_wait_until (follower_done, fd, 20000));
  g_assert_cmpmem (fd->got->data, fd->got->len, g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));
  g_assert_false (fd->gap);
}

static void
on_read_here (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lean_session_log_read_finish (LEAN_SESSION_LOG (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
bytes_set (gpointer data)
{
  return *(GBytes **) data != NULL;
}

/* A read started while another context is the thread default (as when a
 * relay session dispatches its connection's context and announces output
 * from there) is answered on the context the log was made in: that other
 * context is never run again here, as a relay session's stops when it
 * ends. */
static void
test_log_read_from_other_context (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "json");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) other = g_main_context_new ();
  g_autoptr(GBytes) live = NULL;
  g_autoptr(GBytes) stored = NULL;
  LeanSessionLog *log;
  LeanSession *session;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  log = lean_controller_get_log (f->controller, session);
  test_wait_until (test_session_is_final, session, 30);
  g_assert_cmpuint (lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_RAW), >, 0);

  g_main_context_push_thread_default (other);
  lean_session_log_read_async (log, LEAN_OUTPUT_CHANNEL_RAW, 0, 64, NULL, on_read_here, &live);
  g_main_context_pop_thread_default (other);
  g_assert_true (test_util_wait_until (bytes_set, &live, 20000));
  g_assert_cmpuint (g_bytes_get_size (live), >, 0);

  /* The same from a log that reads the database in a thread. */
  {
    g_autoptr(LeanSessionLog) reader = lean_session_log_new (f->db, lean_session_get_id (session));

    g_main_context_push_thread_default (other);
    lean_session_log_read_async (reader, LEAN_OUTPUT_CHANNEL_RAW, 0, 64, NULL, on_read_here,
                                 &stored);
    g_main_context_pop_thread_default (other);
    g_assert_true (test_util_wait_until (bytes_set, &stored, 20000));
    g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored),
                     g_bytes_get_data (live, NULL), g_bytes_get_size (live));
  }
}

static gboolean
follower_has_1mib (gpointer data)
{
  Follower *fo = data;

  return fo->got->len > 1024 * 1024 || lean_session_log_get_ended (fo->log);
}

/* Followers come and go while the session runs: one reads the first
 * megabyte and leaves (the log keeps nothing for a session nobody
 * follows), another comes later and reads everything from the start;
 * both get exactly what the agent wrote. */
static void
test_log_followers_come_and_go (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(LeanSessionRequest) request = make_request (f, "flood5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = test_flood_expected (5.0);
  g_autoptr(Follower) late = NULL;
  g_autoptr(Follower) raw = NULL;
  LeanSessionLog *log;
  LeanSession *session;
  guint64 left_at;

  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  log = lean_controller_get_log (f->controller, session);

  {
    g_autoptr(Follower) early = follower_new (log, LEAN_OUTPUT_CHANNEL_DISPLAY);

    g_assert_true (test_util_wait_until (follower_has_1mib, early, 60000));
    g_assert_cmpuint (early->got->len, <=, g_bytes_get_size (expected));
    g_assert_cmpmem (early->got->data, early->got->len, g_bytes_get_data (expected, NULL),
                     early->got->len);
    g_assert_false (early->gap);
    left_at = lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY);
    early->leaving = TRUE;
    while (early->reading)
      g_main_context_iteration (NULL, TRUE);
  }

  /* Output goes on with nobody following. */
  while (lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY) == left_at &&
         !lean_session_log_get_ended (log))
    g_main_context_iteration (NULL, TRUE);

  late = follower_new (log, LEAN_OUTPUT_CHANNEL_DISPLAY);
  raw = follower_new (log, LEAN_OUTPUT_CHANNEL_RAW);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_true (test_util_wait_until (follower_done, late, 20000));
  g_assert_true (test_util_wait_until (follower_done, raw, 20000));
  g_assert_cmpmem (late->got->data, late->got->len, g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));
  g_assert_cmpmem (raw->got->data, raw->got->len, g_bytes_get_data (expected, NULL),
                   g_bytes_get_size (expected));
  g_assert_false (late->gap);
}

/* A session another process runs (the controller host): followed through
 * the database file's change notifications, while it runs and to its end,
 * byte-exact. */
static void
follow_host (Fixture    *f,
             const char *agent,
             GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                            "lean-test-controller-host", NULL);
  const char *argv[] = { host, f->db_path, f->project, agent, "001-first", NULL };
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(LeanSessionLog) log = NULL;
  g_autoptr(Follower) fo = NULL;
  g_autoptr(GBytes) display = NULL;
  g_autofree char *line = NULL;
  GPid pid;
  int out_fd, status;

  g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  stream = g_unix_input_stream_new (out_fd, TRUE);
  lines = g_data_input_stream_new (stream);
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "SESSION "));

  log = lean_session_log_new (f->db, line + 8);
  fo = follower_new (log, LEAN_OUTPUT_CHANNEL_DISPLAY);
  g_assert_true (test_util_wait_until (follower_done, fo, 60000));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  display = stored (f->db, line + 8, LEAN_OUTPUT_CHANNEL_DISPLAY);
  g_assert_cmpmem (fo->got->data, fo->got->len, g_bytes_get_data (display, NULL),
                   g_bytes_get_size (display));
  if (expected != NULL)
    g_assert_cmpmem (fo->got->data, fo->got->len, g_bytes_get_data (expected, NULL),
                     g_bytes_get_size (expected));
  g_assert_false (fo->gap);
  /* Output was announced while the other process still ran it. */
  g_assert_true (fo->live_append);
}

static void
test_log_other_process (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) expected = test_flood_expected (5.0);

  follow_host (f, "lines", NULL);
  follow_host (f, "flood5", expected);
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/session-log/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("live", test_log_live);
  ADD ("text", test_log_text);
  ADD ("followers-come-and-go", test_log_followers_come_and_go);
  ADD ("other-process", test_log_other_process);
  ADD ("read-from-other-context", test_log_read_from_other_context);
#undef ADD

  return test_session_env_cleanup (g_test_run ());
}
