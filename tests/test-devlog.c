/* SPDX-License-Identifier: MIT */
/* Telemetry to Devlog: the event shape, the outbox, and the sender against
 * loopback peers that check events the way each Devlog endpoint does. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "devlog-peer.h"
#include "lean-devlog-event.h"
#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-error.h"
#include "lean-session-db.h"
#include "lean-session-private.h"
#include "test-util.h"

#define TOKEN "test-token-7f3a"

static const char * const vocabulary[] = {
  "session_start", "session_end", "llm_request", "llm_response", "tool_use", "file_read",
  "file_write", "file_modify", "command_execution", "user_interaction", "error_encountered",
  "test_run", "commit_created", NULL
};

typedef struct
{
  char           *dir;
  char           *db_path;
  char           *config;
  LeanDevlogKind  kind;
  /* Scenes: the database, a peer of the fixture's kind, settings for it. */
  LeanSessionDb      *db;
  DevlogPeer         *peer;
  char               *url;
  LeanDevlogSettings *settings;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = test_util_make_tmp_dir ();
  f->db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->kind = GPOINTER_TO_INT (data);
  f->config = g_build_filename (f->dir, "devlog.json", NULL);
}

static LeanDevlogSettings *settings_for (const char *url, LeanDevlogKind kind);

static void
scene_setup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_setup (f, data);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  f->peer = devlog_peer_start (f->kind, 0, TOKEN);
  f->url = devlog_peer_get_url (f->peer);
  f->settings = settings_for (f->url, f->kind);
  lean_devlog_outbox_attach (f->db, f->settings);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->peer != NULL)
    devlog_peer_stop (f->peer);
  if (f->db != NULL)
    lean_session_db_close (f->db);
  g_clear_object (&f->db);
  g_free (f->url);
  lean_devlog_settings_free (f->settings);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->config);
}

static LeanDevlogSettings *
settings_for (const char     *url,
              LeanDevlogKind  kind)
{
  LeanDevlogSettings *s = lean_devlog_settings_new ();

  s->url = g_strdup (url);
  s->kind = kind;
  s->project_id = 7;
  return s;
}

/* A whole session as the controller writes it: pending (start), running,
 * @n_tools Bash calls, a usage update, completed (end): n_tools + 3 Devlog
 * events. */
static char *
write_session (LeanSessionDb *db,
               guint          n_tools)
{
  g_autoptr(LeanSession) s = lean_session_new (NULL, "/tmp/project", "001-alpha", "claude",
                                               LEAN_SESSION_MODE_AUTONOMOUS);
  const char *id = lean_session_get_id (s);

  lean_session_set_owner_pid (s, getpid ());
  lean_session_set_runner (s, "local");
  lean_session_db_save_session (db, s);
  lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
  lean_session_db_save_session_now (db, s);
  for (guint i = 0; i < n_tools; i++)
    {
      g_autofree char *json =
        g_strdup_printf ("{\"id\":\"t%u\",\"name\":\"Bash\",\"summary\":\"make %u\","
                         "\"input\":{\"command\":\"make check-%u\"}}", i, i, i);

      lean_session_db_add_event (db, id, "tool-use", json);
    }
  lean_session_set_usage (s, 1200, 340, 0);
  lean_session_db_save_session_with_event (db, s, "usage",
                                           "{\"input_tokens\":1200,\"output_tokens\":340,"
                                           "\"cache_tokens\":0,\"cost_usd\":0.25}");
  lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_save_session_now (db, s);
  return g_strdup (id);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* session id -> GPtrArray of event ids, in outbox order. */
static GHashTable *
queued_order (const char *path)
{
  GHashTable *order = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_ptr_array_unref);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT payload FROM telemetry_outbox ORDER BY id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = json_from_string ((const char *)sqlite3_column_text (stmt, 0),
                                                   NULL);
      JsonObject *o = json_node_get_object (node);
      const char *sid = json_object_get_string_member (o, "sessionId");
      GPtrArray *ids = g_hash_table_lookup (order, sid);

      if (ids == NULL)
        {
          ids = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (order, g_strdup (sid), ids);
        }
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (o, "id")));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return order;
}

/* Every queued event arrived once, in its session's order. */
static void
assert_delivered_in_order (GPtrArray  *accepted,
                           GHashTable *expected)
{
  g_autoptr(GHashTable) got = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                     (GDestroyNotify)g_ptr_array_unref);
  GHashTableIter iter;
  const char *sid;
  GPtrArray *ids;
  guint total = 0;

  for (guint i = 0; i < accepted->len; i++)
    {
      JsonObject *o = g_ptr_array_index (accepted, i);
      const char *s = json_object_get_string_member (o, "sessionId");
      GPtrArray *list = g_hash_table_lookup (got, s);

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (got, (gpointer)s, list);
        }
      g_ptr_array_add (list, (gpointer)json_object_get_string_member (o, "id"));
    }
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, (gpointer *)&sid, (gpointer *)&ids))
    {
      GPtrArray *list = g_hash_table_lookup (got, sid);

      g_assert_nonnull (list);
      g_assert_cmpuint (list->len, ==, ids->len);
      for (guint i = 0; i < ids->len; i++)
        g_assert_cmpstr (g_ptr_array_index (list, i), ==, g_ptr_array_index (ids, i));
      total += ids->len;
    }
  g_assert_cmpuint (accepted->len, ==, total);
}

/* ---- the event shape ---- */

static GPtrArray *
map_one (const char *kind,
         const char *payload,
         gboolean    first_state,
         gboolean    send_content)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autofree char *sid = g_uuid_string_random ();
  LeanDevlogEventInput in = {
    .session_id = sid, .ts = G_GINT64_CONSTANT (1764633600123456), .kind = kind,
    .payload = payload, .agent_id = "claude", .project_path = "/home/p/project",
    .worktree_path = "/home/p/project/.worktrees/001", .spec_id = "001-alpha",
    .runner = "local", .branch = "leanspec/001-alpha", .mode = "autonomous",
    .model = "claude-sonnet-4", .iteration = 2, .input_tokens = 1000, .output_tokens = 200,
    .cost_usd = 0.5, .started_at = G_GINT64_CONSTANT (1764633500000000),
    .ended_at = G_GINT64_CONSTANT (1764633600123456), .exit_code = 0,
    .first_state = first_state, .prev_input_tokens = 400, .prev_output_tokens = 50,
    .prev_cost_usd = 0.2, .project_id = 3, .send_content = send_content,
  };

  lean_devlog_events_from_local (&in, out);
  return out;
}

static JsonObject *
event_at (GPtrArray *events,
          guint      i)
{
  return json_node_get_object (g_ptr_array_index (events, i));
}

/* Every mapped event passes both endpoints' checks and speaks Devlog's
 * vocabulary. */
static void
assert_conforms (GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *text = json_to_string (g_ptr_array_index (events, i), FALSE);
      g_autofree char *body = g_strdup_printf ("[%s]", text);
      g_autofree char *serde = devlog_peer_check_collector (body, strlen (body));
      g_autofree char *zod = devlog_peer_check_backend (body, strlen (body));
      JsonObject *o = event_at (events, i);

      g_assert_null (serde);
      g_assert_null (zod);
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "id")));
      g_assert_true (g_strv_contains (vocabulary,
                                      json_object_get_string_member (o, "eventType")));
    }
}

static void
test_map_events (void)
{
  g_autofree char *long_cmd = NULL;
  g_autofree char *payload = NULL;
  GPtrArray *ev;
  JsonObject *o, *data, *ctx, *m;

  /* The first state starts the session; a final one ends it with the
   * session's totals. */
  ev = map_one ("state", "{\"state\":\"completed\",\"message\":\"done\"}", TRUE, FALSE);
  assert_conforms (ev);
  g_assert_cmpuint (ev->len, ==, 2);
  o = event_at (ev, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "session_start");
  g_assert_cmpstr (json_object_get_string_member (o, "timestamp"), ==,
                   "2025-12-02T00:00:00.123456Z");
  g_assert_cmpstr (json_object_get_string_member (o, "agentId"), ==, "claude-code");
  g_assert_cmpstr (json_object_get_string_member (o, "agentVersion"), ==, "unknown");
  g_assert_cmpint (json_object_get_int_member (o, "projectId"), ==, 3);
  ctx = json_object_get_object_member (o, "context");
  g_assert_cmpstr (json_object_get_string_member (ctx, "workingDirectory"), ==,
                   "/home/p/project/.worktrees/001");
  g_assert_cmpstr (json_object_get_string_member (ctx, "specId"), ==, "001-alpha");
  g_assert_cmpstr (json_object_get_string_member (ctx, "branch"), ==, "leanspec/001-alpha");
  g_assert_cmpstr (json_object_get_string_member (ctx, "runner"), ==, "local");
  g_assert_cmpint (json_object_get_int_member (ctx, "iteration"), ==, 2);
  o = event_at (ev, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "session_end");
  g_assert_cmpstr (json_object_get_string_member (o, "severity"), ==, "info");
  m = json_object_get_object_member (o, "metrics");
  g_assert_cmpint (json_object_get_int_member (m, "tokenCount"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (m, "promptTokens"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (m, "durationMs"), ==, 100123);
  g_assert_cmpfloat (json_object_get_double_member (m, "cost"), ==, 0.5);
  g_ptr_array_unref (ev);

  /* Not the first, not final: nothing. */
  ev = map_one ("state", "{\"state\":\"paused\"}", FALSE, FALSE);
  g_assert_cmpuint (ev->len, ==, 0);
  g_ptr_array_unref (ev);

  /* Usage: the delta since the last report. */
  ev = map_one ("usage", "{\"input_tokens\":1000,\"output_tokens\":200,\"cost_usd\":0.5}",
                FALSE, FALSE);
  assert_conforms (ev);
  g_assert_cmpuint (ev->len, ==, 1);
  o = event_at (ev, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "llm_response");
  m = json_object_get_object_member (o, "metrics");
  g_assert_cmpint (json_object_get_int_member (m, "promptTokens"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (m, "responseTokens"), ==, 150);
  g_assert_cmpint (json_object_get_int_member (m, "tokenCount"), ==, 750);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (m, "cost"), 0.3, 1e-9);
  g_ptr_array_unref (ev);

  /* Bash: the command line, cut; never its output. */
  long_cmd = g_strnfill (2000, 'x');
  payload = g_strdup_printf ("{\"id\":\"t1\",\"name\":\"Bash\",\"summary\":\"s\","
                             "\"input\":{\"command\":\"%s\"}}", long_cmd);
  ev = map_one ("tool-use", payload, FALSE, FALSE);
  assert_conforms (ev);
  o = event_at (ev, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "command_execution");
  data = json_object_get_object_member (o, "data");
  g_assert_cmpuint (strlen (json_object_get_string_member (data, "command")), ==,
                    LEAN_DEVLOG_COMMAND_MAX);
  g_assert_true (json_object_get_boolean_member (data, "truncated"));
  g_ptr_array_unref (ev);

  /* Write: the path, never the contents unless content sending is on. */
  ev = map_one ("tool-use", "{\"id\":\"t2\",\"name\":\"Write\",\"input\":{\"file_path\":"
                "\"src/a.c\",\"content\":\"SECRET BODY\"}}", FALSE, FALSE);
  assert_conforms (ev);
  o = event_at (ev, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "file_write");
  data = json_object_get_object_member (o, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "filePath"), ==, "src/a.c");
  {
    g_autofree char *text = json_to_string (g_ptr_array_index (ev, 0), FALSE);
    g_assert_null (strstr (text, "SECRET BODY"));
  }
  g_ptr_array_unref (ev);
  ev = map_one ("tool-use", "{\"id\":\"t2\",\"name\":\"Write\",\"input\":{\"file_path\":"
                "\"src/a.c\",\"content\":\"SECRET BODY\"}}", FALSE, TRUE);
  {
    g_autofree char *text = json_to_string (g_ptr_array_index (ev, 0), FALSE);
    g_assert_nonnull (strstr (text, "SECRET BODY"));
  }
  g_ptr_array_unref (ev);

  /* Claude's Edit and Read, Codex's file change, Gemini's read_file. */
  {
    const struct { const char *payload; const char *type; } cases[] = {
      { "{\"name\":\"Edit\",\"input\":{\"file_path\":\"a\",\"old_string\":\"x\"}}", "file_modify" },
      { "{\"name\":\"Read\",\"input\":{\"file_path\":\"a\"}}", "file_read" },
      { "{\"name\":\"Add\",\"input\":{\"path\":\"a\",\"kind\":\"add\"}}", "file_write" },
      { "{\"name\":\"read_file\",\"input\":{\"absolute_path\":\"a\"}}", "file_read" },
      { "{\"name\":\"Run\",\"input\":{\"command\":\"ls\"}}", "command_execution" },
      { "{\"name\":\"Grep\",\"summary\":\"TODO\",\"input\":{\"pattern\":\"TODO\"}}", "tool_use" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        ev = map_one ("tool-use", cases[i].payload, FALSE, FALSE);
        assert_conforms (ev);
        g_assert_cmpstr (json_object_get_string_member (event_at (ev, 0), "eventType"), ==,
                         cases[i].type);
        g_ptr_array_unref (ev);
      }
  }

  /* A check is a test run; a failed one is an error. */
  ev = map_one ("check", "{\"name\":\"unit tests\",\"kind\":\"test\",\"status\":\"failed\","
                "\"exit_code\":2,\"duration_ms\":1500,\"passed\":10,\"failed\":1,"
                "\"skipped\":0}", FALSE, FALSE);
  assert_conforms (ev);
  o = event_at (ev, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "eventType"), ==, "test_run");
  g_assert_cmpstr (json_object_get_string_member (o, "severity"), ==, "error");
  data = json_object_get_object_member (o, "data");
  g_assert_cmpint (json_object_get_int_member (data, "testsFailed"), ==, 1);
  g_ptr_array_unref (ev);

  ev = map_one ("error", "{\"message\":\"rate limited\"}", FALSE, FALSE);
  assert_conforms (ev);
  g_assert_cmpstr (json_object_get_string_member (event_at (ev, 0), "eventType"), ==,
                   "error_encountered");
  g_ptr_array_unref (ev);

  ev = map_one ("commit", "{\"commit\":\"0123abcd\",\"branch\":\"main\",\"subject\":\"x\"}",
                FALSE, FALSE);
  assert_conforms (ev);
  g_assert_cmpstr (json_object_get_string_member (event_at (ev, 0), "eventType"), ==,
                   "commit_created");
  g_ptr_array_unref (ev);

  /* Assistant text is content. */
  ev = map_one ("message", "{\"text\":\"I will now...\"}", FALSE, FALSE);
  g_assert_cmpuint (ev->len, ==, 0);
  g_ptr_array_unref (ev);
  ev = map_one ("turn", "{}", FALSE, FALSE);
  g_assert_cmpuint (ev->len, ==, 0);
  g_ptr_array_unref (ev);
}

/* The peers refuse what Devlog refuses (so a passing conformance check
 * means something). */
static void
test_peers_refuse (void)
{
  g_autofree char *sid = g_uuid_string_random ();
  g_autofree char *good = g_strdup_printf (
    "{\"id\":\"%s\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"eventType\":\"tool_use\","
    "\"agentId\":\"claude-code\",\"agentVersion\":\"unknown\",\"sessionId\":\"%s\","
    "\"projectId\":1,\"data\":{}}", sid, sid);
  const struct { const char *from; const char *to; gboolean serde; gboolean zod; } bad[] = {
    { "\"projectId\":1", "\"projectId\":\"1\"", TRUE, TRUE },
    { "\"projectId\":1", "\"projectId\":0", FALSE, TRUE },
    { ",\"data\":{}", "", TRUE, FALSE },
    { "\"data\":{}", "\"data\":[]", TRUE, TRUE },
    { "2026-01-01T00:00:00Z", "yesterday", TRUE, TRUE },
    { "\"agentVersion\":\"unknown\"", "\"agentVersion\":\"\"", FALSE, TRUE },
    { "\"data\":{}", "\"data\":{},\"severity\":\"fatal\"", FALSE, TRUE },
  };
  g_autofree char *body = g_strdup_printf ("[%s]", good);

  g_assert_null (devlog_peer_check_collector (body, strlen (body)));
  g_assert_null (devlog_peer_check_backend (body, strlen (body)));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GString) b = g_string_new (body);
      g_autofree char *serde = NULL;
      g_autofree char *zod = NULL;

      g_string_replace (b, bad[i].from, bad[i].to, 1);
      /* One bad event among good ones spoils the whole request. */
      g_string_insert (b, 1, good);
      g_string_insert_c (b, 1 + strlen (good), ',');
      serde = devlog_peer_check_collector (b->str, b->len);
      zod = devlog_peer_check_backend (b->str, b->len);
      g_assert_true ((serde != NULL) == bad[i].serde);
      g_assert_true ((zod != NULL) == bad[i].zod);
    }
}

/* ---- the outbox ---- */

static void
test_off_queues_nothing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->db_path, &error);
  g_autoptr(LeanDevlogSettings) off = lean_devlog_settings_new ();
  g_autoptr(LeanDevlogSettings) on = settings_for ("http://127.0.0.1:9", f->kind);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_no_error (error);
  lean_devlog_outbox_attach (db, off);
  a = write_session (db, 3);
  lean_session_db_flush (db);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 0);

  lean_devlog_outbox_attach (db, on);
  b = write_session (db, 3);
  lean_session_db_flush (db);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 6);
  g_assert_cmpint (query_int (f->db_path, "SELECT value FROM telemetry_state"
                                          " WHERE key = 'queued'"), ==, 6);

  lean_devlog_outbox_attach (db, NULL);
  c = write_session (db, 3);
  lean_session_db_flush (db);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 6);
}

static void
test_outbox_bound (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (f->db_path, &error);
  g_autoptr(LeanDevlogSettings) on = settings_for ("http://127.0.0.1:9", f->kind);
  g_autofree char *last = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *conn;
  g_autoptr(LeanDevlogStatus) st = NULL;

  g_assert_no_error (error);
  on->max_queued = 10;
  lean_devlog_outbox_attach (db, on);
  for (guint i = 0; i < 4; i++)
    {
      g_free (last);
      last = write_session (db, 2);   /* 5 events each: 20 */
    }
  lean_session_db_flush (db);

  conn = lean_devlog_outbox_open (f->db_path, &error);
  g_assert_no_error (error);
  st = lean_devlog_outbox_status (conn, &error);
  g_assert_no_error (error);
  sqlite3_close (conn);
  g_assert_cmpint (st->queued, ==, 10);
  g_assert_cmpint (st->dropped, ==, 10);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 10);
  /* The newest stay: the last session's five are all there. */
  sql = g_strdup_printf ("SELECT COUNT(*) FROM telemetry_outbox WHERE session_id = '%s'", last);
  g_assert_cmpint (query_int (f->db_path, sql), ==, 5);
}

/* ---- the sender against the peers ---- */

static LeanDevlogSender *
start_sender (Fixture            *f,
              LeanDevlogSettings *settings)
{
  LeanDevlogSender *sender = lean_devlog_sender_new (f->db_path);

  _lean_devlog_sender_set_backoff (sender, 20 * 1000, 200 * 1000);
  lean_devlog_sender_set_settings (sender, settings);
  lean_devlog_sender_start (sender);
  return sender;
}

static LeanDevlogStatus *
read_status (const char *path)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *conn = lean_devlog_outbox_open (path, &error);
  LeanDevlogStatus *st;

  g_assert_no_error (error);
  st = lean_devlog_outbox_status (conn, &error);
  g_assert_no_error (error);
  sqlite3_close (conn);
  return st;
}

/* Polls the outbox's figures until a failure is recorded. */
static LeanDevlogStatus *
wait_for_error (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  LeanDevlogStatus *st = NULL;

  do
    {
      g_clear_pointer (&st, lean_devlog_status_free);
      g_usleep (20 * 1000);
      st = read_status (path);
    }
  while (st->last_error == NULL && g_get_monotonic_time () < deadline);
  g_assert_nonnull (st->last_error);
  return st;
}

static void
test_down_then_up (Fixture       *f,
                   gconstpointer  data)
{
  guint port = devlog_peer_get_port (f->peer);
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;

  /* Devlog goes away: its port refuses connections for the whole session. */
  g_clear_pointer (&f->peer, devlog_peer_stop);
  sender = start_sender (f, f->settings);
  for (guint i = 0; i < 3; i++)
    g_free (write_session (f->db, 5));
  lean_session_db_flush (f->db);

  st = wait_for_error (f->db_path);
  g_assert_nonnull (strstr (st->last_error, "did not answer"));
  g_assert_cmpint (st->queued, ==, 24);
  expected = queued_order (f->db_path);
  g_assert_cmpuint (g_hash_table_size (expected), ==, 3);

  /* Back up on the same address: everything arrives, once, in order. */
  f->peer = devlog_peer_start (f->kind, port, TOKEN);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 60 * G_USEC_PER_SEC));
  accepted = devlog_peer_dup_accepted (f->peer);
  assert_delivered_in_order (accepted, expected);
  g_assert_cmpuint (devlog_peer_n_duplicates (f->peer), ==, 0);
  g_clear_pointer (&st, lean_devlog_status_free);
  st = read_status (f->db_path);
  g_assert_cmpint (st->queued, ==, 0);
  g_assert_cmpint (st->delivered, ==, 24);
  g_assert_null (st->last_error);
  g_assert_cmpint (st->last_delivery, >, 0);
  lean_devlog_sender_stop (sender);
}

static void
test_500_then_ok (Fixture       *f,
                  gconstpointer  data)
{
  LeanSessionDb *db = f->db;
  DevlogPeer *peer = f->peer;
  LeanDevlogSettings *settings = f->settings;
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GPtrArray) accepted = NULL;

  g_free (write_session (db, 10));
  lean_session_db_flush (db);
  expected = queued_order (f->db_path);

  devlog_peer_fail_next (peer, 3);
  sender = start_sender (f, settings);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 30 * G_USEC_PER_SEC));
  /* The same batch four times: three 500s, then accepted. */
  g_assert_cmpuint (devlog_peer_n_posts (peer), ==, 4);
  accepted = devlog_peer_dup_accepted (peer);
  assert_delivered_in_order (accepted, expected);
  g_assert_cmpuint (accepted->len, ==, 13);
  lean_devlog_sender_stop (sender);
}

static void
test_poisoned_event (Fixture       *f,
                     gconstpointer  data)
{
  LeanSessionDb *db = f->db;
  DevlogPeer *peer = f->peer;
  LeanDevlogSettings *settings = f->settings;
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;
  g_autofree char *poisoned_id = NULL;
  gint64 poison_row;

  g_free (write_session (db, 97));
  lean_session_db_flush (db);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 100);

  /* One event goes bad on its way (a projectId of the wrong type): both
   * endpoints refuse it, and the collector the whole request with it. */
  poison_row = query_int (f->db_path, "SELECT id FROM telemetry_outbox ORDER BY id"
                                      " LIMIT 1 OFFSET 61");
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE telemetry_outbox SET payload ="
                                            " replace(payload, '\"projectId\":7',"
                                            " '\"projectId\":\"seven\"') WHERE id = %"
                                            G_GINT64_FORMAT, poison_row);
    exec_sql (f->db_path, sql);
  }
  expected = queued_order (f->db_path);
  {
    GHashTableIter iter;
    GPtrArray *ids;

    /* What must arrive is everything else, in order. */
    g_hash_table_iter_init (&iter, expected);
    g_assert_true (g_hash_table_iter_next (&iter, NULL, (gpointer *)&ids));
    poisoned_id = g_strdup (g_ptr_array_index (ids, 61));
    g_ptr_array_remove_index (ids, 61);
  }

  sender = start_sender (f, settings);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 30 * G_USEC_PER_SEC));
  accepted = devlog_peer_dup_accepted (peer);
  g_assert_cmpuint (accepted->len, ==, 99);
  assert_delivered_in_order (accepted, expected);
  g_assert_cmpuint (devlog_peer_n_refused (peer), >=, 1);

  st = read_status (f->db_path);
  g_assert_cmpint (st->parked, ==, 1);
  g_assert_cmpint (st->queued, ==, 0);
  g_assert_nonnull (st->last_parked);
  g_assert_nonnull (strstr (st->last_parked, "projectId"));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM telemetry_parked WHERE"
                                            " payload LIKE '%%%s%%' AND status = %d",
                                            poisoned_id,
                                            f->kind == LEAN_DEVLOG_KIND_BACKEND ? 400 : 422);
    g_assert_cmpint (query_int (f->db_path, sql), ==, 1);
  }
  lean_devlog_sender_stop (sender);
}

/* The app's sender and leanspec-ctl's flush at once, while sessions are
 * written: the lease lets one send at a time, so nothing arrives twice. */
static void
test_app_and_ctl (Fixture       *f,
                  gconstpointer  data)
{
  LeanSessionDb *db = f->db;
  DevlogPeer *peer = f->peer;
  LeanDevlogSettings *settings = f->settings;
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autofree char *ctl = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "src", "cli",
                                           "leanspec-ctl", NULL);
  guint total = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_assert_true (lean_devlog_settings_save (settings, f->config, &error));
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "LEANSPEC_DB", f->db_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "LEANSPEC_DEVLOG_CONFIG", f->config, TRUE);
  lean_devlog_outbox_attach (db, settings);
  sender = start_sender (f, settings);

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autoptr(GBytes) err = NULL;

      for (guint i = 0; i < 5; i++)
        {
          g_free (write_session (db, 30));
          total += 33;
        }
      lean_session_db_flush (db);
      child = g_subprocess_launcher_spawn (launcher, &error, ctl, "devlog", "flush",
                                           "--timeout", "30", NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate (child, NULL, NULL, &out, &err, &error));
      g_assert_no_error (error);
      if (!g_subprocess_get_successful (child))
        g_error ("devlog flush failed: %.*s", (int)g_bytes_get_size (err),
                 (const char *)g_bytes_get_data (err, NULL));
    }

  g_assert_true (lean_devlog_sender_wait_empty (sender, 30 * G_USEC_PER_SEC));
  g_test_message ("%u posts in all, %" G_GUINT64_FORMAT " from the app's sender",
                  devlog_peer_n_posts (peer), lean_devlog_sender_get_posts (sender));
  g_assert_cmpuint (devlog_peer_n_accepted (peer), ==, total);
  g_assert_cmpuint (devlog_peer_n_duplicates (peer), ==, 0);
  g_assert_cmpint (query_int (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 0);
  lean_devlog_sender_stop (sender);
}

/* A backend wants its token; a wrong one is retried, never parked. */
static void
test_backend_token_refused (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;
  guint port = devlog_peer_get_port (f->peer);

  /* The same address, a backend that wants another token. */
  devlog_peer_stop (f->peer);
  f->peer = devlog_peer_start (LEAN_DEVLOG_KIND_BACKEND, port, "another-token");
  g_free (write_session (f->db, 1));
  lean_session_db_flush (f->db);
  sender = start_sender (f, f->settings);
  st = wait_for_error (f->db_path);
  g_assert_nonnull (strstr (st->last_error, "401"));
  g_assert_cmpint (st->parked, ==, 0);
  g_assert_cmpint (st->queued, ==, 4);
  lean_devlog_sender_stop (sender);
}

/* Auto: a collector is told apart by GET /health. */
static void
test_auto_probe (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(LeanDevlogSender) sender = NULL;

  f->settings->kind = LEAN_DEVLOG_KIND_AUTO;
  g_free (write_session (f->db, 2));
  lean_session_db_flush (f->db);
  sender = start_sender (f, f->settings);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 30 * G_USEC_PER_SEC));
  g_assert_cmpuint (devlog_peer_n_accepted (f->peer), ==, 5);
  lean_devlog_sender_stop (sender);
}

static void
test_settings_file (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanDevlogSettings) s = lean_devlog_settings_load (f->config, &error);
  g_autoptr(LeanDevlogSettings) back = NULL;
  g_autoptr(LeanDevlogSettings) env = NULL;
  const char *path = f->config;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_false (lean_devlog_settings_is_enabled (s));
  g_free (s->url);
  s->url = g_strdup ("https://devlog.example.org");
  s->kind = LEAN_DEVLOG_KIND_BACKEND;
  s->project_id = 12;
  g_assert_true (lean_devlog_settings_save (s, path, &error));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  back = lean_devlog_settings_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->url, ==, "https://devlog.example.org");
  g_assert_cmpint (back->kind, ==, LEAN_DEVLOG_KIND_BACKEND);
  g_assert_cmpint (back->project_id, ==, 12);

  g_setenv ("LEANSPEC_DEVLOG_URL", "http://127.0.0.1:3200", TRUE);
  env = lean_devlog_settings_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (env->url, ==, "http://127.0.0.1:3200");
  g_assert_true (env->url_from_env);
  /* Saving keeps the file's own URL. */
  g_assert_true (lean_devlog_settings_save (env, path, &error));
  g_unsetenv ("LEANSPEC_DEVLOG_URL");
  g_clear_pointer (&back, lean_devlog_settings_free);
  back = lean_devlog_settings_load (path, &error);
  g_assert_cmpstr (back->url, ==, "https://devlog.example.org");

  test_util_write_file (f->dir, "devlog.json", "{\"url\":\"file:///etc/passwd\"}");
  g_clear_pointer (&back, lean_devlog_settings_free);
  back = lean_devlog_settings_load (path, &error);
  g_assert_null (back);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Before any thread: the backend peers want this token. */
  g_setenv ("LEANSPEC_DEVLOG_TOKEN", TOKEN, TRUE);
  g_unsetenv ("LEANSPEC_DEVLOG_URL");

#define ADD(name, fn, kind) \
  g_test_add ("/devlog/" name, Fixture, GINT_TO_POINTER (kind), fixture_setup, fn, \
              fixture_teardown)
#define SCENE(name, fn, kind) \
  g_test_add ("/devlog/" name, Fixture, GINT_TO_POINTER (kind), scene_setup, fn, \
              fixture_teardown)
  /* First: it sets LEANSPEC_DEVLOG_URL, before any thread runs. */
  ADD ("settings-file", test_settings_file, LEAN_DEVLOG_KIND_COLLECTOR);
  g_test_add_func ("/devlog/map-events", test_map_events);
  g_test_add_func ("/devlog/peers-refuse", test_peers_refuse);
  ADD ("off-queues-nothing", test_off_queues_nothing, LEAN_DEVLOG_KIND_COLLECTOR);
  ADD ("outbox-bound", test_outbox_bound, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("collector/down-then-up", test_down_then_up, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("backend/down-then-up", test_down_then_up, LEAN_DEVLOG_KIND_BACKEND);
  SCENE ("collector/500-then-ok", test_500_then_ok, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("backend/500-then-ok", test_500_then_ok, LEAN_DEVLOG_KIND_BACKEND);
  SCENE ("collector/poisoned-event", test_poisoned_event, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("backend/poisoned-event", test_poisoned_event, LEAN_DEVLOG_KIND_BACKEND);
  SCENE ("collector/app-and-ctl", test_app_and_ctl, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("backend/app-and-ctl", test_app_and_ctl, LEAN_DEVLOG_KIND_BACKEND);
  SCENE ("backend/token-refused", test_backend_token_refused, LEAN_DEVLOG_KIND_BACKEND);
  SCENE ("collector/auto-probe", test_auto_probe, LEAN_DEVLOG_KIND_COLLECTOR);
  SCENE ("backend/auto-probe", test_auto_probe, LEAN_DEVLOG_KIND_BACKEND);
#undef ADD
#undef SCENE
  return g_test_run ();
}
