/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-session-db.h"
#include "lean-session-db-tap.h"
#include "lean-process.h"
#include "lean-session-db-private.h"
#include "lean-session-private.h"
#include "test-util.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("leanspec-db-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "sessions.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static LeanSession *
make_session (const char *spec)
{
  LeanSession *s = lean_session_new (NULL, "/tmp/project", spec, "claude",
                                     LEAN_SESSION_MODE_AUTONOMOUS);

  lean_session_set_owner_pid (s, getpid ());
  lean_session_set_runner (s, "local");
  return s;
}

static void
test_db_open_schema (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autofree char *mode = NULL;

  g_setenv ("LEANSPEC_DB", f->path, TRUE);
  db = lean_session_db_open (NULL, &error);
  g_unsetenv ("LEANSPEC_DB");
  g_assert_no_error (error);
  g_assert_cmpstr (lean_session_db_get_path (db), ==, f->path);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 4);
  mode = query_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (query_int (f->path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                                       "('sessions','output_chunks','events','telemetry_outbox')"),
                   ==, 4);
  lean_session_db_close (db);
  g_clear_object (&db);

  /* Reopening does not migrate again. */
  db = lean_session_db_open (f->path, &error);
  g_assert_no_error (error);
  lean_session_db_close (db);
  g_clear_object (&db);

  /* A version 1 file (no agent_start, no agent_exe, no archived) is
   * migrated in place, rows kept and not archived. */
  {
    sqlite3 *raw = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (raw, "DROP INDEX sessions_by_project;"
                                        "DROP INDEX sessions_metrics;"
                                        "ALTER TABLE sessions DROP COLUMN archived;"
                                        "ALTER TABLE sessions DROP COLUMN agent_start;"
                                        "ALTER TABLE sessions DROP COLUMN agent_exe;"
                                        "INSERT INTO sessions (id, state, created_at, updated_at)"
                                        " VALUES ('0000aaaa-old', 'completed', 1, 1);"
                                        "PRAGMA user_version = 1;", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (raw);
  }
  db = lean_session_db_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (query_int (f->path, "SELECT COUNT(agent_start IS NULL) FROM sessions"), ==, 1);
  g_assert_cmpint (query_int (f->path, "SELECT COUNT(agent_exe IS NULL) FROM sessions"), ==, 1);
  g_assert_cmpint (query_int (f->path, "SELECT COUNT(*) FROM sessions WHERE archived = 0"), ==, 1);
}

static void
test_db_newer_schema (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);
  sqlite3 *raw = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (raw);

  db = lean_session_db_open (f->path, &error);
  g_assert_null (db);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "newer version"));
}

static void
on_list_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GListModel **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lean_session_db_list_finish (LEAN_SESSION_DB (source), result, &error);
  g_assert_no_error (error);
}

static GListModel *
list_sync (LeanSessionDb *db,
           const char    *spec)
{
  GListModel *model = NULL;

  lean_session_db_list_async (db, spec, NULL, on_list_done, &model);
  while (model == NULL)
    g_main_context_iteration (NULL, TRUE);
  return model;
}

static void
test_db_save_list_lookup (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) a = make_session ("001-alpha");
  g_autoptr(LeanSession) b = make_session ("002-beta");
  g_autoptr(LeanSession) c = make_session ("001-alpha");
  g_autoptr(GDateTime) t0 = g_date_time_new_utc (2026, 1, 2, 3, 4, 5.25);
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GListModel) alpha = NULL;
  g_autoptr(LeanSession) got = NULL;
  g_autofree char *prefix = NULL;

  g_assert_no_error (error);

  lean_session_set_started_at (a, t0);
  lean_session_set_model (a, "opus");
  lean_session_set_worktree_path (a, "/tmp/wt/001");
  lean_session_set_branch (a, "leanspec/001-alpha-12345678");
  lean_session_set_usage (a, 1200, 340, 56);
  lean_session_set_cost_usd (a, 0.0123);
  lean_session_set_iteration (a, 3);
  lean_session_set_agent_pid (a, 4242);
  lean_session_set_structured (a, TRUE);
  lean_session_set_state (a, LEAN_SESSION_STATE_RUNNING);
  lean_session_db_save_session (db, a);
  g_usleep (2000);
  lean_session_db_save_session (db, b);
  g_usleep (2000);
  lean_session_db_save_session (db, c);
  /* Saving again updates; it does not add a row. */
  lean_session_set_state (a, LEAN_SESSION_STATE_COMPLETED);
  lean_session_set_exit_code (a, 0);
  lean_session_set_message (a, "Done — “ok”");
  lean_session_db_save_session (db, a);
  lean_session_db_flush (db);

  all = list_sync (db, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 3);
  {
    /* Newest first. */
    g_autoptr(LeanSession) first = g_list_model_get_item (all, 0);
    g_autoptr(LeanSession) last = g_list_model_get_item (all, 2);
    g_assert_cmpstr (lean_session_get_id (first), ==, lean_session_get_id (c));
    g_assert_cmpstr (lean_session_get_id (last), ==, lean_session_get_id (a));
  }
  alpha = list_sync (db, "001-alpha");
  g_assert_cmpuint (g_list_model_get_n_items (alpha), ==, 2);

  got = lean_session_db_lookup (db, lean_session_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_session_get_spec_id (got), ==, "001-alpha");
  g_assert_cmpstr (lean_session_get_project_path (got), ==, "/tmp/project");
  g_assert_cmpstr (lean_session_get_agent_id (got), ==, "claude");
  g_assert_cmpstr (lean_session_get_runner (got), ==, "local");
  g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpint (lean_session_get_exit_code (got), ==, 0);
  g_assert_cmpstr (lean_session_get_message (got), ==, "Done — “ok”");
  g_assert_cmpstr (lean_session_get_model (got), ==, "opus");
  g_assert_cmpstr (lean_session_get_worktree_path (got), ==, "/tmp/wt/001");
  g_assert_cmpstr (lean_session_get_branch (got), ==, "leanspec/001-alpha-12345678");
  g_assert_cmpuint (lean_session_get_input_tokens (got), ==, 1200);
  g_assert_cmpuint (lean_session_get_output_tokens (got), ==, 340);
  g_assert_cmpuint (lean_session_get_cache_tokens (got), ==, 56);
  g_assert_cmpfloat_with_epsilon (lean_session_get_cost_usd (got), 0.0123, 1e-9);
  g_assert_cmpuint (lean_session_get_iteration (got), ==, 3);
  g_assert_cmpint (lean_session_get_agent_pid (got), ==, 4242);
  g_assert_cmpint (lean_session_get_owner_pid (got), ==, getpid ());
  g_assert_true (lean_session_get_structured (got));
  g_assert_true (g_date_time_equal (lean_session_get_started_at (got), t0));
  g_assert_null (lean_session_get_ended_at (got));
  g_clear_object (&got);

  /* A unique prefix finds it; nonsense and unknown ids do not. */
  prefix = g_strndup (lean_session_get_id (b), 13);
  got = lean_session_db_lookup (db, prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_session_get_id (got), ==, lean_session_get_id (b));
  g_assert_null (lean_session_db_lookup (db, "zz%", &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lean_session_db_lookup (db, "00000000-0000", &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (lean_session_db_lookup (db, "", &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
}

/* Deterministic pseudo-random bytes (xorshift), so the test can compare
 * what was stored with what was written without keeping a copy around. */
static void
fill_random (guint8  *buf,
             gsize    len,
             guint32 *state)
{
  for (gsize i = 0; i < len; i++)
    {
      *state ^= *state << 13;
      *state ^= *state >> 17;
      *state ^= *state << 5;
      buf[i] = *state & 0xff;
    }
}

static void
on_display_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lean_session_db_read_display_finish (LEAN_SESSION_DB (source), result, &error);
  g_assert_no_error (error);
}

static void
test_db_output_byte_exact (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("003-gamma");
  g_autoptr(LeanSession) t = make_session ("004-text");
  g_autoptr(GChecksum) written = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) stored = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) display = NULL;
  g_autoptr(GBytes) text_display = NULL;
  g_autoptr(GBytes) tail = NULL;
  const gsize total = 5 * 1024 * 1024;
  guint32 state = 0x12345678;
  gsize sent = 0;
  gint64 last_seq = 0, tail_last = 0;

  g_assert_no_error (error);
  lean_session_set_structured (s, TRUE);
  lean_session_db_save_session (db, s);
  lean_session_db_save_session (db, t);

  while (sent < total)
    {
      gsize len = MIN (total - sent, (gsize)g_rand_int_range (rand, 1, 65537));
      guint8 *buf = g_malloc (len);
      g_autoptr(GBytes) chunk = NULL;

      fill_random (buf, len, &state);
      g_checksum_update (written, buf, len);
      chunk = g_bytes_new_take (buf, len);
      lean_session_db_append_output (db, lean_session_get_id (s), chunk);
      sent += len;

      /* Interleave a second session and the display channel: they must
       * not mix. */
      if (g_rand_int_range (rand, 0, 8) == 0)
        {
          g_autoptr(GBytes) d = g_bytes_new_static ("line\r\n", 6);
          g_autoptr(GBytes) other = g_bytes_new_static ("T", 1);
          lean_session_db_append_channel (db, lean_session_get_id (s),
                                          LEAN_OUTPUT_CHANNEL_DISPLAY, d);
          lean_session_db_append_output (db, lean_session_get_id (t), other);
        }
    }
  lean_session_db_flush (db);

  out = lean_session_db_read_output_range (db, lean_session_get_id (s), LEAN_OUTPUT_CHANNEL_RAW,
                                           -1, NULL, NULL);
  lean_session_db_read_display_async (db, lean_session_get_id (s), NULL, on_display_read,
                                      &display);
  lean_session_db_read_display_async (db, lean_session_get_id (t), NULL, on_display_read,
                                      &text_display);
  while (out == NULL || display == NULL || text_display == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (g_bytes_get_size (out), ==, total);
  g_checksum_update (stored, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_cmpstr (g_checksum_get_string (stored), ==, g_checksum_get_string (written));

  g_assert_cmpuint (g_bytes_get_size (display) % 6, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (display), >, 0);
  g_assert_cmpmem (g_bytes_get_data (display, NULL), 6, "line\r\n", 6);
  /* A text session's display is its raw output. */
  g_assert_cmpuint (g_bytes_get_size (text_display), ==, g_bytes_get_size (display) / 6);

  /* Chunks are merged into rows, not one row per write. */
  g_assert_cmpint (query_int (f->path, "SELECT COUNT(*) FROM output_chunks WHERE channel = 0"),
                   <, 400);

  /* Reading from a sequence number on gives only what came later. */
  g_clear_pointer (&out, g_bytes_unref);
  out = lean_session_db_read_output_range (db, lean_session_get_id (s),
                                           LEAN_OUTPUT_CHANNEL_RAW, -1, &last_seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (last_seq, >, 1);
  tail = lean_session_db_read_output_range (db, lean_session_get_id (s),
                                            LEAN_OUTPUT_CHANNEL_RAW, last_seq, &tail_last,
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (tail), ==, 0);
  g_assert_cmpint (tail_last, ==, last_seq);
}

static void
test_db_events_outbox (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("005-delta");
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *sql = NULL;
  LeanSessionEvent *ev;

  g_assert_no_error (error);
  lean_session_db_save_session (db, s);
  lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
  lean_session_db_save_session_now (db, s);
  lean_session_set_usage (s, 10, 20, 0);
  lean_session_db_save_session_with_event (db, s, "usage", "{\"input\":10,\"output\":20}");
  /* Saving without a state change adds no state event. */
  lean_session_db_save_session (db, s);
  lean_session_set_message (s, "All done — “quoted”\n");
  lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_save_session (db, s);
  lean_session_db_flush (db);

  events = lean_session_db_read_events (db, lean_session_get_id (s), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 4);
  ev = g_ptr_array_index (events, 0);
  g_assert_cmpstr (ev->kind, ==, "state");
  g_assert_cmpstr (ev->payload, ==, "{\"state\":\"pending\"}");
  ev = g_ptr_array_index (events, 2);
  g_assert_cmpstr (ev->kind, ==, "usage");
  g_assert_cmpstr (ev->payload, ==, "{\"input\":10,\"output\":20}");
  ev = g_ptr_array_index (events, 3);
  g_assert_cmpstr (ev->kind, ==, "state");
  g_assert_nonnull (strstr (ev->payload, "\"completed\""));
  g_assert_nonnull (strstr (ev->payload, "All done — “quoted”\\n"));
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (((LeanSessionEvent *)g_ptr_array_index (events, i))->seq, ==, i + 1);

  /* No tap (telemetry off): nothing is queued for it. */
  sql = g_strdup_printf ("SELECT COUNT(*) FROM telemetry_outbox WHERE session_id = '%s'",
                         lean_session_get_id (s));
  g_assert_cmpint (query_int (f->path, sql), ==, 0);

  g_clear_pointer (&events, g_ptr_array_unref);
  events = lean_session_db_read_events (db, lean_session_get_id (s), 2, &error);
  g_assert_cmpuint (events->len, ==, 2);
}

static gboolean
record_tap (sqlite3    *db,
            const char *session_id,
            gint64      seq,
            gint64      ts,
            const char *kind,
            const char *payload,
            gpointer    user_data)
{
  GPtrArray *seen = user_data;

  /* Refused: the event must not be stored without what the tap writes. */
  if (g_strcmp0 (kind, "refused") == 0)
    return FALSE;
  g_ptr_array_add (seen, g_strdup_printf ("%" G_GINT64_FORMAT " %s", seq, kind));
  return TRUE;
}

/* The tap sees every event in its transaction, in order; a tap that fails
 * fails the write, and a removed tap sees nothing more. */
static void
test_db_events_tap (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("005-delta");
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) events = NULL;

  g_assert_no_error (error);
  lean_session_db_set_tap (db, record_tap, g_ptr_array_ref (seen),
                           (GDestroyNotify)g_ptr_array_unref);
  lean_session_db_save_session (db, s);
  lean_session_db_add_event (db, lean_session_get_id (s), "tool-use", "{}");
  lean_session_db_flush (db);
  lean_session_db_add_event (db, lean_session_get_id (s), "refused", "{}");
  lean_session_db_flush (db);
  lean_session_db_set_tap (db, NULL, NULL, NULL);
  lean_session_db_add_event (db, lean_session_get_id (s), "message", "{}");
  lean_session_db_flush (db);

  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "1 state");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "2 tool-use");
  events = lean_session_db_read_events (db, lean_session_get_id (s), -1, &error);
  g_assert_no_error (error);
  /* The refused batch is gone; the next event still lands. */
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (((LeanSessionEvent *)g_ptr_array_index (events, 2))->kind, ==, "message");
}

/* Writes are committed by the writer on its own within ~50 ms: another
 * connection (another process) sees them without a flush. */
static void
test_db_batches_commit_on_their_own (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("006-eps");
  g_autoptr(GBytes) chunk = g_bytes_new_static ("hello", 5);
  gint64 deadline;

  g_assert_no_error (error);
  lean_session_db_save_session (db, s);
  lean_session_db_append_output (db, lean_session_get_id (s), chunk);

  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (query_int (f->path, "SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM output_chunks") != 5)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
}

static void
become_group_leader (gpointer data)
{
  setsid ();
}

/* The pid of a process that has exited and been reaped. */
static pid_t
dead_pid (void)
{
  pid_t child = fork ();
  int status;

  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  return child;
}

/* `sleep 30` leading a process group of its own, not reaped. */
static GPid
spawn_group_leader (void)
{
  const char *argv_sleep[] = { "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  g_spawn_async (NULL, (char **)argv_sleep, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, become_group_leader, NULL,
                 &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static void
test_db_recovers_interrupted (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) dead = make_session ("007-dead");
  g_autoptr(LeanSession) alive = make_session ("007-alive");
  g_autoptr(LeanSession) done = make_session ("007-done");
  g_autoptr(LeanSession) got = NULL;
  g_autoptr(GBytes) chunk = g_bytes_new_static ("partial", 7);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *msg = NULL;
  int status;
  pid_t child;
  GPid agent;

  g_assert_no_error (error);

  /* A process that has exited: its pid is the owner of "dead". Its agent
   * still runs, in a process group of its own. */
  child = dead_pid ();
  agent = spawn_group_leader ();
  lean_session_set_agent_pid (dead, agent);
  {
    g_autofree char *start = lean_process_get_start_time (agent);
    lean_session_set_agent_start (dead, start);
  }
  lean_session_set_owner_pid (dead, child);
  lean_session_set_state (dead, LEAN_SESSION_STATE_RUNNING);
  lean_session_set_state (alive, LEAN_SESSION_STATE_RUNNING);
  lean_session_set_state (alive, LEAN_SESSION_STATE_PAUSED);
  lean_session_set_state (done, LEAN_SESSION_STATE_RUNNING);
  lean_session_set_state (done, LEAN_SESSION_STATE_COMPLETED);
  lean_session_set_owner_pid (done, child);
  lean_session_db_save_session (db, dead);
  lean_session_db_save_session (db, alive);
  lean_session_db_save_session (db, done);
  lean_session_db_append_output (db, lean_session_get_id (dead), chunk);
  lean_session_db_close (db);
  g_clear_object (&db);

  db = lean_session_db_open (f->path, &error);
  g_assert_no_error (error);

  /* Opening changes nothing and signals nobody. */
  got = lean_session_db_lookup (db, lean_session_get_id (dead), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_RUNNING);
  g_clear_object (&got);
  g_assert_cmpint (kill (agent, 0), ==, 0);
  g_assert_cmpint (waitpid (agent, &status, WNOHANG), ==, 0);

  {
    guint n = 0;

    g_assert_true (lean_session_db_recover (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS,
                                            &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 1);
  }

  got = lean_session_db_lookup (db, lean_session_get_id (dead), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_INTERRUPTED);
  g_assert_nonnull (strstr (lean_session_get_message (got), "stopped before the agent"));
  g_assert_nonnull (strstr (lean_session_get_message (got), "has been stopped"));
  g_assert_nonnull (lean_session_get_ended_at (got));
  /* The orphaned agent was stopped (SIGTERM to its group). */
  g_assert_cmpint (waitpid (agent, &status, 0), ==, agent);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM);
  events = lean_session_db_read_events (db, lean_session_get_id (dead), -1, &error);
  g_assert_cmpstr (((LeanSessionEvent *)g_ptr_array_index (events, events->len - 1))->kind,
                   ==, "state");
  g_assert_nonnull (strstr (((LeanSessionEvent *)g_ptr_array_index (events,
                                                                   events->len - 1))->payload,
                            "interrupted"));
  g_clear_object (&got);

  /* This very process still runs: its session stays as it was. */
  got = lean_session_db_lookup (db, lean_session_get_id (alive), &error);
  g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_PAUSED);
  g_clear_object (&got);
  /* Finished sessions are history, whoever owned them. */
  got = lean_session_db_lookup (db, lean_session_get_id (done), &error);
  g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_COMPLETED);

  msg = query_text (f->path, "PRAGMA integrity_check");
  g_assert_cmpstr (msg, ==, "ok");
}

static void
on_write_failed (LeanSessionDb *db,
                 const char    *message,
                 char         **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

static void
test_db_disk_full (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("008-full");
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) small = g_bytes_new_static ("after", 5);
  g_autofree char *failed = NULL;
  g_autofree char *check = NULL;
  guint8 *big = g_malloc0 (256 * 1024);
  gint64 pages;

  g_assert_no_error (error);
  g_signal_connect (db, "write-failed", G_CALLBACK (on_write_failed), &failed);
  lean_session_db_save_session (db, s);
  lean_session_db_flush (db);

  /* SQLite's own "database or disk is full" path: cap the file at its
   * current size. */
  pages = query_int (f->path, "PRAGMA page_count");
  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                                            pages + 2);
    _lean_session_db_exec (db, sql);
  }
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GBytes) chunk = g_bytes_new (big, 256 * 1024);
      lean_session_db_append_output (db, lean_session_get_id (s), chunk);
    }
  /* The state change is in a batch that fails too. */
  lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
  lean_session_db_save_session (db, s);
  lean_session_db_flush (db);
  while (failed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (failed, "full"));

  /* Space again: the writer goes on. */
  _lean_session_db_exec (db, "PRAGMA max_page_count = 1073741823");
  lean_session_db_append_output (db, lean_session_get_id (s), small);
  lean_session_db_flush (db);
  out = lean_session_db_read_output_range (db, lean_session_get_id (s),
                                           LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (out), >=, 5);
  g_assert_cmpmem ((const char *)g_bytes_get_data (out, NULL) + g_bytes_get_size (out) - 5, 5,
                   "after", 5);
  check = query_text (f->path, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  /* Once there is space, the session row that could not be written is. */
  {
    g_autoptr(LeanSession) got = lean_session_db_lookup (db, lean_session_get_id (s), &error);
    g_assert_no_error (error);
    g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_RUNNING);
  }
  g_free (big);
}

/* Rows are not trusted: a crafted one must not make recovery signal
 * everything (-1), init (1), this process, or a live process whose start
 * time or executable differ from the row. */
static void
test_db_recover_crafted_rows (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autofree char *victim_start = NULL;
  g_autofree char *victim_exe = NULL;
  g_autofree char *self_start = NULL;
  g_autofree char *self_exe = NULL;
  g_autofree char *init_start = NULL;
  const char *boot = lean_process_get_boot_id ();
  sqlite3 *raw = NULL;
  int status;
  pid_t owner;
  GPid victim;
  guint n = 0;
  struct { const char *id; int pid; const char *start; const char *exe; } rows[7];

  g_assert_no_error (error);

  /* A dead owner for every row, and an unrelated live process leading its
   * own group. */
  owner = dead_pid ();
  victim = spawn_group_leader ();
  victim_start = lean_process_get_start_time (victim);
  victim_exe = lean_process_get_exe (victim);
  self_start = lean_process_get_start_time (getpid ());
  self_exe = lean_process_get_exe (getpid ());
  g_assert_nonnull (victim_start);
  g_assert_nonnull (victim_exe);

  rows[0] = (typeof (rows[0])) { "cafe0001-0000-4000-8000-000000000000", -1, victim_start, victim_exe };
  rows[1] = (typeof (rows[0])) { "cafe0002-0000-4000-8000-000000000000", 0, victim_start, victim_exe };
  init_start = lean_process_get_start_time (1);
  rows[2] = (typeof (rows[0])) { "cafe0003-0000-4000-8000-000000000000", 1, init_start, "/sbin/init" };
  rows[3] = (typeof (rows[0])) { "cafe0004-0000-4000-8000-000000000000", getpid (), self_start, self_exe };
  rows[4] = (typeof (rows[0])) { "cafe0005-0000-4000-8000-000000000000", victim, "1", victim_exe };
  rows[5] = (typeof (rows[0])) { "cafe0006-0000-4000-8000-000000000000", victim, victim_start, "/usr/bin/true" };
  rows[6] = (typeof (rows[0])) { "cafe0007-0000-4000-8000-000000000000", victim, NULL, NULL };

  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  sqlite3_busy_timeout (raw, 5000);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (raw,
                         "INSERT INTO sessions (id, state, owner_pid, owner_boot, agent_pid,"
                         " agent_start, agent_exe, created_at, updated_at)"
                         " VALUES (?, 'running', ?, ?, ?, ?, ?, 1, 1)", -1, &stmt, NULL),
                       ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, rows[i].id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, owner);
      sqlite3_bind_text (stmt, 3, boot, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, rows[i].pid);
      sqlite3_bind_text (stmt, 5, rows[i].start, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, rows[i].exe, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
    }
  sqlite3_close (raw);

  g_assert_true (lean_session_db_recover (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS,
                                          &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (rows));

  /* Every row is interrupted, none says its agent was stopped, and the
   * unrelated process (and this one) still run. */
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(LeanSession) got = lean_session_db_lookup (db, rows[i].id, &error);

      g_assert_no_error (error);
      g_assert_cmpint (lean_session_get_state (got), ==, LEAN_SESSION_STATE_INTERRUPTED);
      g_assert_null (strstr (lean_session_get_message (got), "has been stopped"));
    }
  g_assert_cmpint (waitpid (victim, &status, WNOHANG), ==, 0);
  g_assert_cmpint (kill (victim, 0), ==, 0);

  /* The same process, rightly recorded, is stopped only when asked. */
  {
    g_autoptr(LeanSession) real = make_session ("009-real");

    lean_session_set_state (real, LEAN_SESSION_STATE_RUNNING);
    lean_session_set_owner_pid (real, owner);
    lean_session_set_agent_pid (real, victim);
    lean_session_set_agent_start (real, victim_start);
    lean_session_db_save_session (db, real);
    lean_session_db_flush (db);
    g_assert_true (lean_session_db_recover (db, LEAN_SESSION_RECOVER_NONE, &n, &error));
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpint (waitpid (victim, &status, WNOHANG), ==, 0);

    lean_session_set_state (real, LEAN_SESSION_STATE_RUNNING);
    _lean_session_restore_state (real, LEAN_SESSION_STATE_RUNNING);
    lean_session_db_save_session (db, real);
    lean_session_db_flush (db);
    g_assert_true (lean_session_db_recover (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS,
                                            &n, &error));
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpint (waitpid (victim, &status, 0), ==, victim);
    g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM);
  }
}

static gboolean
string_is_set (gpointer data)
{
  return *(char **)data != NULL;
}

/* An event that cannot be stored is a reported failure, not silence. */
static void
test_db_event_write_fails_loudly (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(LeanSession) s = make_session ("010-events");
  g_autofree char *failed = NULL;
  g_autofree char *payload = g_strnfill (200 * 1024, 'x');
  g_autofree char *json = g_strdup_printf ("{\"text\":\"%s\"}", payload);
  gint64 pages;

  g_assert_no_error (error);
  g_signal_connect (db, "write-failed", G_CALLBACK (on_write_failed), &failed);
  lean_session_db_save_session (db, s);
  lean_session_db_flush (db);

  pages = query_int (f->path, "PRAGMA page_count");
  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                                            pages + 1);
    _lean_session_db_exec (db, sql);
  }
  /* Only events: no output chunk whose failure would tell instead. */
  for (guint i = 0; i < 4; i++)
    lean_session_db_add_event (db, lean_session_get_id (s), "message", json);
  lean_session_db_flush (db);
  g_assert_true (test_util_wait_until (string_is_set, &failed, 10000));
  g_assert_nonnull (strstr (failed, "full"));
}

/* A database the process may not write is an error at open. */
static void
test_db_read_only_file (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  struct stat st;

  g_assert_no_error (error);
  /* Created for its owner only. */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  lean_session_db_close (db);
  g_clear_object (&db);

  /* Root writes a 0400 file; nobody creates files under /proc. */
  if (geteuid () == 0)
    db = lean_session_db_open ("/proc/self/leanspec-sessions.db", &error);
  else
    {
      g_assert_cmpint (g_chmod (f->path, 0400), ==, 0);
      db = lean_session_db_open (f->path, &error);
      g_chmod (f->path, 0600);
    }
  g_assert_null (db);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE);
}

static void
test_db_list_many (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->path, &error);
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GListModel) some = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%03u-spec", i % 10);
      g_autoptr(LeanSession) s = make_session (spec);
      lean_session_db_save_session (db, s);
    }
  lean_session_db_flush (db);
  all = list_sync (db, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 1000);
  some = list_sync (db, "003-spec");
  g_assert_cmpuint (g_list_model_get_n_items (some), ==, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/session-db/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("open-schema", test_db_open_schema);
  ADD ("newer-schema", test_db_newer_schema);
  ADD ("save-list-lookup", test_db_save_list_lookup);
  ADD ("output-byte-exact", test_db_output_byte_exact);
  ADD ("events-outbox", test_db_events_outbox);
  ADD ("events-tap", test_db_events_tap);
  ADD ("batches-commit-on-their-own", test_db_batches_commit_on_their_own);
  ADD ("recovers-interrupted", test_db_recovers_interrupted);
  ADD ("recover-crafted-rows", test_db_recover_crafted_rows);
  ADD ("event-write-fails-loudly", test_db_event_write_fails_loudly);
  ADD ("read-only-file", test_db_read_only_file);
  ADD ("disk-full", test_db_disk_full);
  ADD ("list-many", test_db_list_many);
#undef ADD

  return g_test_run ();
}
