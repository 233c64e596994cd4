/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-process.h"
#include "lean-session-db.h"
#include "lean-session-db-private.h"
#include "lean-session-private.h"

/* Commit a batch when it is this old or this big, whichever comes first.
 * After a kill -9 at most one batch (plus what was still in the queue) is
 * lost: ~50 ms of output. */
#define BATCH_USEC       (50 * G_TIME_SPAN_MILLISECOND)
#define BATCH_BYTES      (64 * 1024)
/* Consecutive chunks of one session are merged into one row up to this. */
#define ROW_MAX_BYTES    (64 * 1024)
#define SCHEMA_VERSION   3
#define BUSY_TIMEOUT_MS  5000

typedef enum
{
  OP_SAVE,
  OP_OUTPUT,
  OP_EVENT,
  OP_CANCEL_REQUEST,
  OP_EXEC,
  OP_FLUSH,
  OP_STOP,
} OpKind;

/* A snapshot of a LeanSession taken on the caller's thread, so the writer
 * never touches a GObject that the main thread owns. */
typedef struct
{
  char    *id;
  char    *project_path;
  char    *spec_id;
  char    *agent_id;
  char    *mode;
  char    *runner;
  char    *state;
  gint64   started_at;  /* 0: NULL */
  gint64   ended_at;
  int      exit_code;
  char    *message;
  char    *worktree_path;
  char    *branch;
  gint64   input_tokens;
  gint64   output_tokens;
  gint64   cache_tokens;
  double   cost_usd;
  guint    iteration;
  char    *model;
  int      agent_pid;
  char    *agent_start;
  int      owner_pid;
  gboolean structured;
} SessionRow;

typedef struct
{
  OpKind      kind;
  gint64      ts;
  gboolean    urgent;
  SessionRow *row;
  char       *session_id;
  int         channel;
  GBytes     *bytes;
  char       *text1;    /* event kind / SQL */
  char       *text2;    /* event payload */
  /* OP_FLUSH */
  GMutex     *mutex;
  GCond      *cond;
  gboolean   *done;
} Op;

struct _LeanSessionDb
{
  GObject       parent_instance;

  char         *path;
  GMainContext *context;
  GAsyncQueue  *queue;
  GThread      *writer;
  sqlite3      *wdb;      /* writer connection, writer thread only */
  GAsyncQueue  *readers;  /* idle read connections */
  gboolean      closed;

  /* Writer thread state */
  GHashTable   *out_seq;   /* "id\x1f channel" -> next seq */
  GHashTable   *ev_seq;    /* id -> next event seq */
  GHashTable   *saved_state; /* id -> last state written */
  gboolean      failing;
  sqlite3_stmt *ins_chunk;   /* handed to the writer thread */
  sqlite3_stmt *ins_session;
};

G_DEFINE_FINAL_TYPE (LeanSessionDb, lean_session_db, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (LeanSessionEvent, lean_session_event,
                     lean_session_event_copy, lean_session_event_free)

enum { WRITE_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char schema_v1[] =
  "CREATE TABLE sessions ("
  "  id TEXT PRIMARY KEY,"
  "  project_path TEXT, spec_id TEXT, agent_id TEXT, mode TEXT, runner TEXT,"
  "  state TEXT NOT NULL,"
  "  started_at INTEGER, ended_at INTEGER, exit_code INTEGER, message TEXT,"
  "  worktree_path TEXT, branch TEXT,"
  "  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cache_tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL,"
  "  iteration INTEGER NOT NULL DEFAULT 1, model TEXT, structured INTEGER NOT NULL DEFAULT 0,"
  "  agent_pid INTEGER, owner_pid INTEGER, owner_start TEXT, owner_boot TEXT,"
  "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX sessions_by_created ON sessions (created_at);"
  "CREATE INDEX sessions_by_spec ON sessions (spec_id, created_at);"
  "CREATE INDEX sessions_by_state ON sessions (state);"
  "CREATE TABLE output_chunks ("
  "  session_id TEXT NOT NULL, channel INTEGER NOT NULL DEFAULT 0,"
  "  seq INTEGER NOT NULL, ts INTEGER NOT NULL, bytes BLOB NOT NULL);"
  "CREATE UNIQUE INDEX output_chunks_by_seq ON output_chunks (session_id, channel, seq);"
  "CREATE TABLE events ("
  "  session_id TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,"
  "  kind TEXT NOT NULL, payload TEXT,"
  "  PRIMARY KEY (session_id, seq));"
  /* The Devlog client reads oldest unsent rows, posts them, sets sent_at. */
  "CREATE TABLE telemetry_outbox ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  session_id TEXT, ts INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0, sent_at INTEGER);"
  "CREATE INDEX telemetry_outbox_unsent ON telemetry_outbox (sent_at, id);";

/* ---- small helpers ---- */

static void
session_row_free (SessionRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->project_path);
  g_free (row->spec_id);
  g_free (row->agent_id);
  g_free (row->mode);
  g_free (row->runner);
  g_free (row->state);
  g_free (row->message);
  g_free (row->worktree_path);
  g_free (row->branch);
  g_free (row->model);
  g_free (row->agent_start);
  g_free (row);
}

static void
op_free (Op *op)
{
  session_row_free (op->row);
  g_free (op->session_id);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op->text1);
  g_free (op->text2);
  g_free (op);
}

static gint64
datetime_to_usec (GDateTime *dt)
{
  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static GDateTime *
usec_to_datetime (gint64 usec)
{
  g_autoptr(GDateTime) base = NULL;

  if (usec <= 0)
    return NULL;
  base = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return g_date_time_add (base, usec % G_USEC_PER_SEC);
}

LeanSessionEvent *
lean_session_event_copy (const LeanSessionEvent *event)
{
  LeanSessionEvent *copy = g_new0 (LeanSessionEvent, 1);

  copy->seq = event->seq;
  copy->ts = event->ts;
  copy->kind = g_strdup (event->kind);
  copy->payload = g_strdup (event->payload);
  return copy;
}

void
lean_session_event_free (LeanSessionEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->kind);
  g_free (event->payload);
  g_free (event);
}

/* ---- process identity, for crash recovery ----
 *
 * A pid alone is not enough: pids are reused. We keep the process start
 * time (field 22 of /proc/PID/stat, in clock ticks since boot) and the boot
 * id, so a session is "owned by a live process" only if that very process
 * still runs. */

char *
_lean_session_db_process_start_time (int pid)
{
  return lean_process_get_start_time (pid);
}

#define self_start_time() lean_process_get_self_start ()
#define self_boot_id() lean_process_get_boot_id ()

static gboolean
owner_alive (int         pid,
             const char *start,
             const char *boot)
{
  g_autofree char *now_start = NULL;

  if (pid <= 0)
    return FALSE;
  if (boot != NULL && *boot && g_strcmp0 (boot, self_boot_id ()) != 0)
    return FALSE;
  now_start = _lean_session_db_process_start_time (pid);
  if (now_start == NULL)
    return FALSE;
  /* Without a stored start time we cannot tell reuse apart: trust the pid. */
  return start == NULL || *start == '\0' || g_str_equal (start, now_start);
}

/* ---- SQLite helpers ---- */

static gboolean
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
               _("The session database could not %s: %s"), what,
               db ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("The session database could not be updated: %s"),
                   msg ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static sqlite3 *
open_connection (const char  *path,
                 gboolean     create,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

  if (create)
    flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("Could not open the session database “%s”: %s"), path,
                   db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (db, 1);
  return db;
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, "be read");
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

static void
bind_usec_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   gint64        usec)
{
  if (usec > 0)
    sqlite3_bind_int64 (stmt, idx, usec);
  else
    sqlite3_bind_null (stmt, idx);
}

/* ---- migrations and recovery (on open, blocking) ---- */

static gboolean
migrate (sqlite3  *db,
         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;

  stmt = prepare (db, "PRAGMA user_version", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (error, db, "be read");
  version = sqlite3_column_int (stmt, 0);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("The session database was written by a newer version of LeanSpec "
                     "Desktop (schema %d, this version knows %d). Update the app, or set "
                     "LEANSPEC_DB to use another file."), version, SCHEMA_VERSION);
      return FALSE;
    }

  if (version < 1)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE;%sPRAGMA user_version = 1;COMMIT;",
                                              schema_v1);
      if (!exec_sql (db, sql, error))
        {
          exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  /* v2: the agent's start time, so an agent orphaned by a crash can be
   * told apart from a process that reused its pid. */
  if (version < 2)
    {
      if (!exec_sql (db, "BEGIN IMMEDIATE;"
                         "ALTER TABLE sessions ADD COLUMN agent_start TEXT;"
                         "PRAGMA user_version = 2;"
                         "COMMIT;", error))
        {
          exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  /* v3: the agent's executable, so recovery signals only the very program
   * that was started; and where each output chunk starts in its channel. */
  if (version < 3)
    {
      if (!exec_sql (db, "BEGIN IMMEDIATE;"
                         "ALTER TABLE sessions ADD COLUMN agent_exe TEXT;"
                         "PRAGMA user_version = 3;"
                         "COMMIT;", error))
        {
          exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  return TRUE;
}

/* Both rows or an error: the caller's transaction is then rolled back. */
static gboolean
insert_event_and_outbox (sqlite3    *db,
                         const char *session_id,
                         gint64      seq,
                         gint64      ts,
                         const char *kind,
                         const char *payload)
{
  g_autoptr(sqlite3_stmt) ev = NULL;
  g_autoptr(sqlite3_stmt) out = NULL;

  if (seq <= 0 ||
      sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO events (session_id, seq, ts, kind, payload) "
                              "VALUES (?, ?, ?, ?, ?)", -1, &ev, NULL) != SQLITE_OK ||
      sqlite3_bind_text (ev, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_int64 (ev, 2, seq) != SQLITE_OK ||
      sqlite3_bind_int64 (ev, 3, ts) != SQLITE_OK ||
      sqlite3_bind_text (ev, 4, kind, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      (payload != NULL ? sqlite3_bind_text (ev, 5, payload, -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null (ev, 5)) != SQLITE_OK ||
      sqlite3_step (ev) != SQLITE_DONE)
    return FALSE;

  if (sqlite3_prepare_v2 (db, "INSERT INTO telemetry_outbox (session_id, ts, kind, payload) "
                              "VALUES (?, ?, ?, ?)", -1, &out, NULL) != SQLITE_OK ||
      sqlite3_bind_text (out, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_int64 (out, 2, ts) != SQLITE_OK ||
      sqlite3_bind_text (out, 3, kind, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      (payload != NULL ? sqlite3_bind_text (out, 4, payload, -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null (out, 4)) != SQLITE_OK ||
      sqlite3_step (out) != SQLITE_DONE)
    return FALSE;
  return TRUE;
}

/* The highest event seq of the session, 0 for none, -1 on an error. */
static gint64
max_event_seq (sqlite3    *db,
               const char *session_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?",
                          -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

static char *
state_payload (const char *state,
               const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  if (message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* An agent whose owner died may still run (one that ignores SIGHUP, when
 * its terminal went away): nobody can see or stop it any more. When asked
 * to, recovery stops it, but only the very process that was started: a pid
 * above 1 (never a broadcast, never init) whose start time and executable
 * match the row, in the boot the row names. A row is not trusted: it may have been crafted. */
static gboolean
stop_orphaned_agent (int         pid,
                     const char *start,
                     const char *exe,
                     const char *boot)
{
  g_autofree char *now_start = NULL;
  g_autofree char *now_exe = NULL;

  if (pid <= 1 || pid == getpid () || start == NULL || *start == '\0' ||
      exe == NULL || *exe == '\0')
    return FALSE;
  if (boot != NULL && *boot != '\0' && g_strcmp0 (boot, self_boot_id ()) != 0)
    return FALSE;
  now_start = lean_process_get_start_time (pid);
  if (now_start == NULL || !g_str_equal (now_start, start))
    return FALSE;
  now_exe = lean_process_get_exe (pid);
  if (now_exe == NULL || !g_str_equal (now_exe, exe))
    return FALSE;
  /* The agent leads its own process group (the local runner makes it so);
   * a pid that leads none is signalled alone. */
  if (getpgid (pid) == pid)
    {
      kill (-pid, SIGTERM);
      kill (-pid, SIGCONT);
    }
  kill (pid, SIGTERM);
  return TRUE;
}

typedef struct
{
  char *id;
  int   owner_pid;
  int   agent_pid;
  gboolean agent_stopped;
} Gone;

static void
gone_free (Gone *gone)
{
  g_free (gone->id);
  g_free (gone);
}

/* Sessions left live by a process that is gone become interrupted, with
 * the time of their last stored output as their end. */
static gboolean
recover_interrupted (sqlite3                  *db,
                     LeanSessionRecoverFlags   flags,
                     guint                    *n_interrupted,
                     GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func ((GDestroyNotify)gone_free);

  stmt = prepare (db, "SELECT id, owner_pid, owner_start, owner_boot, agent_pid, agent_start,"
                      " agent_exe FROM sessions"
                      " WHERE state IN ('pending', 'running', 'paused', 'validating')", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int pid = sqlite3_column_int (stmt, 1);
      const char *boot = (const char *)sqlite3_column_text (stmt, 3);
      Gone *g;

      if (owner_alive (pid, (const char *)sqlite3_column_text (stmt, 2), boot))
        continue;
      g = g_new0 (Gone, 1);
      g->id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      g->owner_pid = pid;
      g->agent_pid = sqlite3_column_int (stmt, 4);
      if (flags & LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS)
        g->agent_stopped = stop_orphaned_agent (g->agent_pid,
                                                (const char *)sqlite3_column_text (stmt, 5),
                                                (const char *)sqlite3_column_text (stmt, 6),
                                                boot);
      g_ptr_array_add (gone, g);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (n_interrupted != NULL)
    *n_interrupted = 0;
  if (gone->len == 0)
    return TRUE;

  if (!exec_sql (db, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (guint i = 0; i < gone->len; i++)
    {
      Gone *g = g_ptr_array_index (gone, i);
      g_autoptr(sqlite3_stmt) upd = NULL;
      g_autoptr(GString) message = g_string_new (NULL);
      g_autofree char *payload = NULL;
      gint64 now = g_get_real_time ();

      if (g->owner_pid > 0)
        g_string_printf (message, _("Interrupted: the program running this session "
                                    "(process %d) stopped before the agent finished. "
                                    "The output up to that point is kept."), g->owner_pid);
      else
        g_string_assign (message, _("Interrupted: the program running this session stopped "
                                    "before the agent finished. The output up to that point "
                                    "is kept."));
      if (g->agent_stopped)
        g_string_append_printf (message, _(" Its agent (process %d) was still running and "
                                           "has been stopped."), g->agent_pid);

      upd = prepare (db, "UPDATE sessions SET state = 'interrupted', message = ?2,"
                         " ended_at = COALESCE(ended_at,"
                         "   (SELECT MAX(ts) FROM output_chunks WHERE session_id = ?1),"
                         "   updated_at),"
                         " updated_at = ?3 WHERE id = ?1", error);
      if (upd == NULL)
        goto fail;
      sqlite3_bind_text (upd, 1, g->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (upd, 2, message->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (upd, 3, now);
      if (sqlite3_step (upd) != SQLITE_DONE)
        {
          set_db_error (error, db, "be updated");
          goto fail;
        }
      payload = state_payload ("interrupted", message->str);
      {
        gint64 seq = max_event_seq (db, g->id);

        if (seq < 0 ||
            !insert_event_and_outbox (db, g->id, seq + 1, now, "state", payload))
          {
            set_db_error (error, db, "be updated");
            goto fail;
          }
      }
    }

  if (!exec_sql (db, "COMMIT", error))
    goto fail;
  if (n_interrupted != NULL)
    *n_interrupted = gone->len;
  return TRUE;

fail:
  exec_sql (db, "ROLLBACK", NULL);
  return FALSE;
}

/* ---- the writer thread ---- */

static gboolean
step_ok (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

typedef struct
{
  LeanSessionDb *self;
  sqlite3       *db;
  gboolean       in_txn;
  gint64         batch_start;
  gsize          batch_bytes;
  gboolean       failed;      /* a statement in this batch failed */
  char          *fail_message;
  /* Pending merged output row */
  char          *pend_id;
  int            pend_channel;
  gint64         pend_ts;
  GByteArray    *pend_bytes;
  sqlite3_stmt  *ins_chunk;
  sqlite3_stmt  *ins_session;
  /* Session rows saved in this batch, and rows of failed batches to write
   * again: a full disk must not leave a session "running" on disk forever
   * once space is back. id -> SessionRow (owned). */
  GHashTable    *batch_rows;
  GHashTable    *retry_rows;
} Writer;

static void
writer_note_failure (Writer *w)
{
  if (!w->failed)
    {
      w->failed = TRUE;
      g_free (w->fail_message);
      w->fail_message = g_strdup (sqlite3_errmsg (w->db));
    }
}

static gint64
writer_next_out_seq (Writer     *w,
                     const char *session_id,
                     int         channel)
{
  g_autofree char *key = g_strdup_printf ("%s\x1f%d", session_id, channel);
  gpointer value;
  gint64 seq;

  if (g_hash_table_lookup_extended (w->self->out_seq, key, NULL, &value))
    seq = *(gint64 *)value;
  else
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (sqlite3_prepare_v2 (w->db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM output_chunks "
                                     "WHERE session_id = ? AND channel = ?", -1, &stmt,
                              NULL) != SQLITE_OK ||
          sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
          sqlite3_bind_int (stmt, 2, channel) != SQLITE_OK ||
          sqlite3_step (stmt) != SQLITE_ROW)
        {
          /* Not cached: the next batch asks again. */
          writer_note_failure (w);
          return -1;
        }
      seq = sqlite3_column_int64 (stmt, 0);
      value = g_new (gint64, 1);
      g_hash_table_insert (w->self->out_seq, g_strdup (key), value);
    }
  *(gint64 *)value = seq + 1;
  return seq;
}

static gint64
writer_next_event_seq (Writer     *w,
                       const char *session_id)
{
  gpointer value;
  gint64 seq;

  if (g_hash_table_lookup_extended (w->self->ev_seq, session_id, NULL, &value))
    seq = *(gint64 *)value;
  else
    {
      seq = max_event_seq (w->db, session_id);
      if (seq < 0)
        {
          writer_note_failure (w);
          return -1;
        }
      seq++;
      value = g_new (gint64, 1);
      g_hash_table_insert (w->self->ev_seq, g_strdup (session_id), value);
    }
  *(gint64 *)value = seq + 1;
  return seq;
}

static void
writer_write_pending (Writer *w)
{
  if (w->pend_id == NULL)
    return;

  if (!w->failed)
    {
      sqlite3_stmt *stmt = w->ins_chunk;

      gint64 seq = writer_next_out_seq (w, w->pend_id, w->pend_channel);

      sqlite3_reset (stmt);
      if (seq < 0 ||
          sqlite3_bind_text (stmt, 1, w->pend_id, -1, SQLITE_STATIC) != SQLITE_OK ||
          sqlite3_bind_int (stmt, 2, w->pend_channel) != SQLITE_OK ||
          sqlite3_bind_int64 (stmt, 3, seq) != SQLITE_OK ||
          sqlite3_bind_int64 (stmt, 4, w->pend_ts) != SQLITE_OK ||
          sqlite3_bind_blob64 (stmt, 5, w->pend_bytes->data, w->pend_bytes->len,
                               SQLITE_STATIC) != SQLITE_OK ||
          !step_ok (stmt))
        writer_note_failure (w);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }

  g_clear_pointer (&w->pend_id, g_free);
  g_byte_array_set_size (w->pend_bytes, 0);
}

static void writer_save_session (Writer *w, SessionRow *row, gint64 ts);

static void
writer_begin (Writer *w)
{
  if (w->in_txn)
    return;
  w->batch_start = g_get_monotonic_time ();
  w->batch_bytes = 0;
  w->failed = FALSE;
  if (sqlite3_exec (w->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    writer_note_failure (w);
  w->in_txn = TRUE;

  if (g_hash_table_size (w->retry_rows) > 0)
    {
      g_autoptr(GHashTable) retry = g_steal_pointer (&w->retry_rows);
      GHashTableIter iter;
      SessionRow *row;

      w->retry_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify)session_row_free);
      g_hash_table_iter_init (&iter, retry);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&row))
        {
          g_hash_table_iter_steal (&iter);
          writer_save_session (w, row, g_get_real_time ());
        }
    }
}

typedef struct
{
  GWeakRef  self;
  char     *message;
} FailureNotice;

static gboolean
emit_write_failed (gpointer data)
{
  FailureNotice *notice = data;
  g_autoptr(LeanSessionDb) self = g_weak_ref_get (&notice->self);

  if (self != NULL)
    g_signal_emit (self, signals[WRITE_FAILED], 0, notice->message);
  return G_SOURCE_REMOVE;
}

static void
failure_notice_free (gpointer data)
{
  FailureNotice *notice = data;

  g_weak_ref_clear (&notice->self);
  g_free (notice->message);
  g_free (notice);
}

static void
writer_commit (Writer *w)
{
  if (!w->in_txn)
    return;

  writer_write_pending (w);

  if (!w->failed && sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    writer_note_failure (w);

  if (w->failed)
    {
      FailureNotice *notice;

      /* The batch is lost; the sequence caches may now be ahead of the
       * table, which only leaves gaps. Tell the owner once per run of
       * failures, and keep going: the disk may get space again. */
      sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
      g_hash_table_remove_all (w->self->saved_state);
      {
        GHashTableIter iter;
        SessionRow *row;

        g_hash_table_iter_init (&iter, w->batch_rows);
        while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&row))
          {
            g_hash_table_iter_steal (&iter);
            g_hash_table_replace (w->retry_rows, row->id, row);
          }
      }
      if (!w->self->failing)
        {
          w->self->failing = TRUE;
          notice = g_new0 (FailureNotice, 1);
          g_weak_ref_init (&notice->self, w->self);
          notice->message =
            g_strdup_printf (_("Session history could not be saved: %s. Output is still "
                               "shown, but part of it is missing from the history."),
                             w->fail_message ? w->fail_message : "unknown error");
          g_main_context_invoke_full (w->self->context, G_PRIORITY_DEFAULT,
                                      emit_write_failed, notice, failure_notice_free);
        }
    }
  else
    w->self->failing = FALSE;

  g_hash_table_remove_all (w->batch_rows);
  w->in_txn = FALSE;
  w->failed = FALSE;
  w->batch_bytes = 0;
}

static LeanSessionState
state_from_row (SessionRow *row)
{
  LeanSessionState state = LEAN_SESSION_STATE_INTERRUPTED;

  lean_session_state_from_string (row->state, &state);
  return state;
}

/* Takes @row: it is kept until the batch is committed, to be written again
 * if the commit fails. */
static void
writer_save_session (Writer     *w,
                     SessionRow *row,
                     gint64      ts)
{
  sqlite3_stmt *stmt = w->ins_session;
  const char *last_state;
  gboolean own = row->owner_pid == getpid ();

  g_hash_table_replace (w->batch_rows, row->id, row);
  if (w->failed)
    return;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  sqlite3_bind_text (stmt, 1, row->id, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 2, row->project_path);
  bind_text_or_null (stmt, 3, row->spec_id);
  bind_text_or_null (stmt, 4, row->agent_id);
  bind_text_or_null (stmt, 5, row->mode);
  bind_text_or_null (stmt, 6, row->runner);
  sqlite3_bind_text (stmt, 7, row->state, -1, SQLITE_STATIC);
  bind_usec_or_null (stmt, 8, row->started_at);
  bind_usec_or_null (stmt, 9, row->ended_at);
  if (row->exit_code >= 0)
    sqlite3_bind_int (stmt, 10, row->exit_code);
  bind_text_or_null (stmt, 11, row->message);
  bind_text_or_null (stmt, 12, row->worktree_path);
  bind_text_or_null (stmt, 13, row->branch);
  sqlite3_bind_int64 (stmt, 14, row->input_tokens);
  sqlite3_bind_int64 (stmt, 15, row->output_tokens);
  sqlite3_bind_int64 (stmt, 16, row->cache_tokens);
  if (row->cost_usd >= 0)
    sqlite3_bind_double (stmt, 17, row->cost_usd);
  sqlite3_bind_int (stmt, 18, row->iteration);
  bind_text_or_null (stmt, 19, row->model);
  sqlite3_bind_int (stmt, 20, row->structured);
  if (row->agent_pid > 0)
    sqlite3_bind_int (stmt, 21, row->agent_pid);
  if (row->owner_pid > 0)
    sqlite3_bind_int (stmt, 22, row->owner_pid);
  bind_text_or_null (stmt, 23, own ? self_start_time () : NULL);
  bind_text_or_null (stmt, 24, own ? self_boot_id () : NULL);
  sqlite3_bind_int64 (stmt, 25, ts);
  /* Read while the agent surely runs (its session is not over), so the
   * start time is the agent's and not a later process's with its pid. */
  /* The start time is the runner's, read right after the spawn; the
   * executable is read while the agent surely runs (its session is not
   * over) and kept from the first save with this pid. */
  bind_text_or_null (stmt, 26, row->agent_start);
  if (row->agent_pid > 1 && row->agent_start != NULL &&
      !lean_session_state_is_final (state_from_row (row)))
    {
      g_autofree char *agent_exe = lean_process_get_exe (row->agent_pid);
      g_autofree char *now_start = lean_process_get_start_time (row->agent_pid);

      if (g_strcmp0 (now_start, row->agent_start) == 0)
        bind_text_or_null (stmt, 27, agent_exe);
    }
  if (!step_ok (stmt))
    {
      writer_note_failure (w);
      return;
    }
  sqlite3_reset (stmt);

  /* A state change is an event, in the same transaction as the row. */
  last_state = g_hash_table_lookup (w->self->saved_state, row->id);
  if (g_strcmp0 (last_state, row->state) != 0)
    {
      g_autofree char *payload = state_payload (row->state, row->message);

      if (!insert_event_and_outbox (w->db, row->id, writer_next_event_seq (w, row->id), ts,
                                    "state", payload))
        {
          writer_note_failure (w);
          return;
        }
      g_hash_table_insert (w->self->saved_state, g_strdup (row->id), g_strdup (row->state));
    }
}

static void
writer_apply (Writer *w,
              Op     *op)
{
  switch (op->kind)
    {
    case OP_SAVE:
      {
        char *id = g_strdup (op->row->id);

        writer_write_pending (w);
        writer_save_session (w, g_steal_pointer (&op->row), op->ts);
        /* An event that describes this state goes in with it. */
        if (op->text1 != NULL && !w->failed &&
            !insert_event_and_outbox (w->db, id, writer_next_event_seq (w, id), op->ts,
                                      op->text1, op->text2))
          writer_note_failure (w);
        g_free (id);
      }
      break;

    case OP_OUTPUT:
      {
        gsize len;
        const guint8 *data = g_bytes_get_data (op->bytes, &len);

        if (w->pend_id != NULL &&
            (w->pend_channel != op->channel || !g_str_equal (w->pend_id, op->session_id) ||
             w->pend_bytes->len + len > ROW_MAX_BYTES))
          writer_write_pending (w);
        if (w->pend_id == NULL)
          {
            w->pend_id = g_strdup (op->session_id);
            w->pend_channel = op->channel;
            w->pend_ts = op->ts;
          }
        g_byte_array_append (w->pend_bytes, data, len);
        w->batch_bytes += len;
      }
      break;

    case OP_EVENT:
      writer_write_pending (w);
      if (!w->failed &&
          !insert_event_and_outbox (w->db, op->session_id,
                                    writer_next_event_seq (w, op->session_id), op->ts,
                                    op->text1, op->text2))
        writer_note_failure (w);
      break;

    case OP_CANCEL_REQUEST:
      {
        g_autoptr(sqlite3_stmt) stmt = NULL;

        writer_write_pending (w);
        if (sqlite3_prepare_v2 (w->db, "UPDATE sessions SET cancel_requested = 1 WHERE id = ?",
                                -1, &stmt, NULL) != SQLITE_OK ||
            sqlite3_bind_text (stmt, 1, op->session_id, -1, SQLITE_STATIC) != SQLITE_OK ||
            !step_ok (stmt))
          writer_note_failure (w);
      }
      break;

    case OP_EXEC:
      writer_write_pending (w);
      if (sqlite3_exec (w->db, op->text1, NULL, NULL, NULL) != SQLITE_OK)
        g_warning ("%s: %s", op->text1, sqlite3_errmsg (w->db));
      break;

    case OP_FLUSH:
    case OP_STOP:
    default:
      break;
    }
}

static const char insert_session_sql[] =
  "INSERT INTO sessions (id, project_path, spec_id, agent_id, mode, runner, state,"
  " started_at, ended_at, exit_code, message, worktree_path, branch, input_tokens,"
  " output_tokens, cache_tokens, cost_usd, iteration, model, structured, agent_pid,"
  " owner_pid, owner_start, owner_boot, created_at, updated_at, agent_start, agent_exe)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
  " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?25, ?26, ?27)"
  " ON CONFLICT (id) DO UPDATE SET project_path = excluded.project_path,"
  " spec_id = excluded.spec_id, agent_id = excluded.agent_id, mode = excluded.mode,"
  " runner = excluded.runner, state = excluded.state, started_at = excluded.started_at,"
  " ended_at = excluded.ended_at, exit_code = excluded.exit_code,"
  " message = excluded.message, worktree_path = excluded.worktree_path,"
  " branch = excluded.branch, input_tokens = excluded.input_tokens,"
  " output_tokens = excluded.output_tokens, cache_tokens = excluded.cache_tokens,"
  " cost_usd = excluded.cost_usd, iteration = excluded.iteration, model = excluded.model,"
  " structured = excluded.structured, agent_pid = excluded.agent_pid,"
  " owner_pid = excluded.owner_pid,"
  " owner_start = COALESCE(excluded.owner_start, owner_start),"
  " owner_boot = COALESCE(excluded.owner_boot, owner_boot),"
  " agent_start = CASE WHEN excluded.agent_pid IS agent_pid"
  "   THEN COALESCE(agent_start, excluded.agent_start) ELSE excluded.agent_start END,"
  " agent_exe = CASE WHEN excluded.agent_pid IS agent_pid"
  "   THEN COALESCE(agent_exe, excluded.agent_exe) ELSE excluded.agent_exe END,"
  " updated_at = excluded.updated_at";

static gpointer
writer_thread (gpointer data)
{
  LeanSessionDb *self = data;
  Writer w = { 0 };
  gboolean running = TRUE;

  w.self = self;
  w.db = self->wdb;
  w.pend_bytes = g_byte_array_new ();
  w.batch_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)session_row_free);
  w.retry_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)session_row_free);
  /* Prepared in open (the schema is known to be there): a failure is
   * reported there, not here. */
  w.ins_chunk = g_steal_pointer (&self->ins_chunk);
  w.ins_session = g_steal_pointer (&self->ins_session);

  while (running)
    {
      Op *op;

      if (w.in_txn)
        {
          gint64 left = w.batch_start + BATCH_USEC - g_get_monotonic_time ();

          op = left > 0 ? g_async_queue_timeout_pop (self->queue, left) : NULL;
          if (op == NULL)
            {
              writer_commit (&w);
              continue;
            }
        }
      else if (g_hash_table_size (w.retry_rows) > 0)
        {
          /* Rows of a failed batch: try again every second even if
           * nothing else is written. */
          op = g_async_queue_timeout_pop (self->queue, G_USEC_PER_SEC);
          if (op == NULL)
            {
              writer_begin (&w);
              writer_commit (&w);
              continue;
            }
        }
      else
        op = g_async_queue_pop (self->queue);

      if (op->kind != OP_FLUSH && op->kind != OP_STOP)
        {
          writer_begin (&w);
          writer_apply (&w, op);
        }
      else if (g_hash_table_size (w.retry_rows) > 0)
        writer_begin (&w);

      if (op->kind == OP_FLUSH || op->kind == OP_STOP || op->urgent ||
          w.batch_bytes >= BATCH_BYTES)
        {
          /* Take whatever else is already queued into this commit, so a
           * flush or state change does not cost one commit per chunk. */
          if (op->kind != OP_STOP)
            {
              Op *more;

              while (w.in_txn && w.batch_bytes < 4 * BATCH_BYTES &&
                     (more = g_async_queue_try_pop (self->queue)) != NULL)
                {
                  if (more->kind == OP_FLUSH || more->kind == OP_STOP)
                    {
                      g_async_queue_push_front (self->queue, more);
                      break;
                    }
                  writer_apply (&w, more);
                  op_free (more);
                }
            }
          writer_commit (&w);
        }

      if (op->kind == OP_FLUSH)
        {
          g_mutex_lock (op->mutex);
          *op->done = TRUE;
          g_cond_broadcast (op->cond);
          g_mutex_unlock (op->mutex);
        }
      else if (op->kind == OP_STOP)
        running = FALSE;

      op_free (op);
    }

  sqlite3_finalize (w.ins_chunk);
  sqlite3_finalize (w.ins_session);
  g_byte_array_unref (w.pend_bytes);
  g_hash_table_unref (w.batch_rows);
  g_hash_table_unref (w.retry_rows);
  g_free (w.pend_id);
  g_free (w.fail_message);
  return NULL;
}

static void
push_op (LeanSessionDb *self,
         Op            *op)
{
  if (self->closed)
    {
      op_free (op);
      return;
    }
  op->ts = g_get_real_time ();
  g_async_queue_push (self->queue, op);
}

/* ---- GObject ---- */

static void
lean_session_db_dispose (GObject *object)
{
  LeanSessionDb *self = (LeanSessionDb *)object;

  lean_session_db_close (self);

  G_OBJECT_CLASS (lean_session_db_parent_class)->dispose (object);
}

static void
lean_session_db_finalize (GObject *object)
{
  LeanSessionDb *self = (LeanSessionDb *)object;
  sqlite3 *reader;

  while ((reader = g_async_queue_try_pop (self->readers)) != NULL)
    sqlite3_close (reader);
  g_async_queue_unref (self->readers);
  g_async_queue_unref (self->queue);
  g_hash_table_unref (self->out_seq);
  g_hash_table_unref (self->ev_seq);
  g_hash_table_unref (self->saved_state);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->path);

  G_OBJECT_CLASS (lean_session_db_parent_class)->finalize (object);
}

static void
lean_session_db_class_init (LeanSessionDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_session_db_dispose;
  object_class->finalize = lean_session_db_finalize;

  signals[WRITE_FAILED] = g_signal_new ("write-failed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lean_session_db_init (LeanSessionDb *self)
{
  self->queue = g_async_queue_new_full ((GDestroyNotify)op_free);
  self->readers = g_async_queue_new ();
  self->out_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ev_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->saved_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->context = g_main_context_ref_thread_default ();
}

static char *
default_path (void)
{
  const char *env = g_getenv ("LEANSPEC_DB");

  if (env != NULL && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "leanspec-desktop", "sessions.db", NULL);
}

LeanSessionDb *
lean_session_db_open (const char  *path,
                      GError     **error)
{
  g_autoptr(LeanSessionDb) self = NULL;
  g_autofree char *dir = NULL;
  sqlite3 *db;

  self = g_object_new (LEAN_TYPE_SESSION_DB, NULL);
  self->path = path ? g_strdup (path) : default_path ();

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("Could not create the folder “%s” for the session database: %s"),
                   dir, g_strerror (saved));
      self->closed = TRUE;
      return NULL;
    }

  /* History holds prompts and agent output: only its owner reads it. SQLite
   * gives the -wal and -shm files the main file's mode. */
  {
    int fd = g_open (self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd >= 0)
      close (fd);
    else if (errno != EEXIST)
      {
        int saved = errno;
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                     _("Could not create the session database “%s”: %s"),
                     self->path, g_strerror (saved));
        self->closed = TRUE;
        return NULL;
      }
  }

  db = open_connection (self->path, TRUE, error);
  if (db == NULL)
    {
      self->closed = TRUE;
      return NULL;
    }
  self->wdb = db;

  /* Bigger pages suit output blobs; it only applies to a new file, before
   * WAL is turned on. synchronous=NORMAL in WAL mode survives a process
   * crash (commits are in the OS) and only risks the last commits on power
   * loss, which the ~100 ms budget allows. */
  if (!exec_sql (db, "PRAGMA page_size = 16384;"
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = OFF;"
                     "PRAGMA wal_autocheckpoint = 2000;"
                     "PRAGMA journal_size_limit = 67108864;", error) ||
      !migrate (db, error) ||
      sqlite3_prepare_v2 (db, "INSERT INTO output_chunks (session_id, channel, seq, ts, bytes) "
                              "VALUES (?, ?, ?, ?, ?)", -1, &self->ins_chunk,
                          NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, insert_session_sql, -1, &self->ins_session, NULL) != SQLITE_OK)
    {
      if (error != NULL && *error == NULL)
        set_db_error (error, db, "be prepared");
      g_clear_pointer (&self->ins_chunk, sqlite3_finalize);
      g_clear_pointer (&self->ins_session, sqlite3_finalize);
      g_prefix_error (error, "%s: ", self->path);
      sqlite3_close (db);
      self->wdb = NULL;
      self->closed = TRUE;
      return NULL;
    }

  self->writer = g_thread_new ("lean-session-db", writer_thread, self);
  return g_steal_pointer (&self);
}

const char *
lean_session_db_get_path (LeanSessionDb *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  return self->path;
}

void
lean_session_db_close (LeanSessionDb *self)
{
  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  if (self->writer != NULL)
    {
      Op *op = g_new0 (Op, 1);

      op->kind = OP_STOP;
      g_async_queue_push (self->queue, op);
      g_thread_join (g_steal_pointer (&self->writer));
    }
  if (self->wdb != NULL)
    {
      /* A clean close checkpoints the WAL into the main file. */
      sqlite3_close (g_steal_pointer (&self->wdb));
    }
}

/* ---- queued writes ---- */

static SessionRow *
snapshot (LeanSession *session)
{
  SessionRow *row = g_new0 (SessionRow, 1);

  row->id = g_strdup (lean_session_get_id (session));
  row->project_path = g_strdup (lean_session_get_project_path (session));
  row->spec_id = g_strdup (lean_session_get_spec_id (session));
  row->agent_id = g_strdup (lean_session_get_agent_id (session));
  row->mode = g_strdup (lean_session_mode_to_string (lean_session_get_mode (session)));
  row->runner = g_strdup (lean_session_get_runner (session));
  row->state = g_strdup (lean_session_state_to_string (lean_session_get_state (session)));
  row->started_at = datetime_to_usec (lean_session_get_started_at (session));
  row->ended_at = datetime_to_usec (lean_session_get_ended_at (session));
  row->exit_code = lean_session_get_exit_code (session);
  row->message = g_strdup (lean_session_get_message (session));
  row->worktree_path = g_strdup (lean_session_get_worktree_path (session));
  row->branch = g_strdup (lean_session_get_branch (session));
  row->input_tokens = lean_session_get_input_tokens (session);
  row->output_tokens = lean_session_get_output_tokens (session);
  row->cache_tokens = lean_session_get_cache_tokens (session);
  row->cost_usd = lean_session_get_cost_usd (session);
  row->iteration = lean_session_get_iteration (session);
  row->model = g_strdup (lean_session_get_model (session));
  row->agent_pid = lean_session_get_agent_pid (session);
  row->agent_start = g_strdup (lean_session_get_agent_start (session));
  row->owner_pid = lean_session_get_owner_pid (session);
  row->structured = lean_session_get_structured (session);
  return row;
}

void
lean_session_db_save_session (LeanSessionDb *self,
                              LeanSession   *session)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  op = g_new0 (Op, 1);
  op->kind = OP_SAVE;
  op->row = snapshot (session);
  push_op (self, op);
}

void
lean_session_db_save_session_with_event (LeanSessionDb *self,
                                         LeanSession   *session,
                                         const char    *kind,
                                         const char    *json_payload)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (LEAN_IS_SESSION (session));
  g_return_if_fail (kind != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_SAVE;
  op->row = snapshot (session);
  op->text1 = g_strdup (kind);
  op->text2 = g_strdup (json_payload);
  push_op (self, op);
}

void
lean_session_db_save_session_now (LeanSessionDb *self,
                                  LeanSession   *session)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  op = g_new0 (Op, 1);
  op->kind = OP_SAVE;
  op->urgent = TRUE;
  op->row = snapshot (session);
  push_op (self, op);
}

void
lean_session_db_append_channel (LeanSessionDb     *self,
                                const char        *session_id,
                                LeanOutputChannel  channel,
                                GBytes            *bytes)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (session_id != NULL);
  g_return_if_fail (bytes != NULL);

  if (g_bytes_get_size (bytes) == 0)
    return;
  op = g_new0 (Op, 1);
  op->kind = OP_OUTPUT;
  op->session_id = g_strdup (session_id);
  op->channel = channel;
  op->bytes = g_bytes_ref (bytes);
  push_op (self, op);
}

void
lean_session_db_append_output (LeanSessionDb *self,
                               const char    *session_id,
                               GBytes        *bytes)
{
  lean_session_db_append_channel (self, session_id, LEAN_OUTPUT_CHANNEL_RAW, bytes);
}

void
lean_session_db_add_event (LeanSessionDb *self,
                           const char    *session_id,
                           const char    *kind,
                           const char    *json_payload)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (session_id != NULL);
  g_return_if_fail (kind != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_EVENT;
  op->session_id = g_strdup (session_id);
  op->text1 = g_strdup (kind);
  op->text2 = g_strdup (json_payload);
  push_op (self, op);
}

void
lean_session_db_request_cancel (LeanSessionDb *self,
                                const char    *session_id)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (session_id != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_CANCEL_REQUEST;
  op->urgent = TRUE;
  op->session_id = g_strdup (session_id);
  push_op (self, op);
}

void
_lean_session_db_exec (LeanSessionDb *self,
                       const char    *sql)
{
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  op = g_new0 (Op, 1);
  op->kind = OP_EXEC;
  op->urgent = TRUE;
  op->text1 = g_strdup (sql);
  push_op (self, op);
}

void
lean_session_db_flush (LeanSessionDb *self)
{
  GMutex mutex;
  GCond cond;
  gboolean done = FALSE;
  Op *op;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  if (self->closed)
    return;

  g_mutex_init (&mutex);
  g_cond_init (&cond);
  op = g_new0 (Op, 1);
  op->kind = OP_FLUSH;
  op->mutex = &mutex;
  op->cond = &cond;
  op->done = &done;
  push_op (self, op);

  g_mutex_lock (&mutex);
  while (!done)
    g_cond_wait (&cond, &mutex);
  g_mutex_unlock (&mutex);
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
}

static void
flush_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  lean_session_db_flush (source);
  g_task_return_boolean (task, TRUE);
}

void
lean_session_db_flush_async (LeanSessionDb       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_session_db_flush_async);
  g_task_run_in_thread (task, flush_thread);
}

gboolean
lean_session_db_flush_finish (LeanSessionDb  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- reads: each on a connection of its own ---- */

static sqlite3 *
reader_take (LeanSessionDb  *self,
             GError        **error)
{
  sqlite3 *db = g_async_queue_try_pop (self->readers);

  if (db != NULL)
    return db;
  db = open_connection (self->path, FALSE, error);
  if (db != NULL)
    exec_sql (db, "PRAGMA query_only = 1", NULL);
  return db;
}

static void
reader_give (LeanSessionDb *self,
             sqlite3       *db)
{
  if (db != NULL)
    g_async_queue_push (self->readers, db);
}

#define SESSION_COLUMNS \
  "id, project_path, spec_id, agent_id, mode, runner, state, started_at, ended_at," \
  " exit_code, message, worktree_path, branch, input_tokens, output_tokens," \
  " cache_tokens, cost_usd, iteration, model, structured, agent_pid, owner_pid"

static LeanSession *
session_from_row (sqlite3_stmt *stmt)
{
  LeanSession *session;
  LeanSessionMode mode = LEAN_SESSION_MODE_AUTONOMOUS;
  LeanSessionState state = LEAN_SESSION_STATE_INTERRUPTED;
  g_autoptr(GDateTime) started = NULL;
  g_autoptr(GDateTime) ended = NULL;

#define COL_TEXT(i) ((const char *)sqlite3_column_text (stmt, i))
  lean_session_mode_from_string (COL_TEXT (4), &mode);
  lean_session_state_from_string (COL_TEXT (6), &state);
  session = lean_session_new (COL_TEXT (0), COL_TEXT (1), COL_TEXT (2), COL_TEXT (3), mode);
  lean_session_set_runner (session, COL_TEXT (5));
  _lean_session_restore_state (session, state);
  started = usec_to_datetime (sqlite3_column_int64 (stmt, 7));
  ended = usec_to_datetime (sqlite3_column_int64 (stmt, 8));
  lean_session_set_started_at (session, started);
  lean_session_set_ended_at (session, ended);
  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    lean_session_set_exit_code (session, sqlite3_column_int (stmt, 9));
  lean_session_set_message (session, COL_TEXT (10));
  lean_session_set_worktree_path (session, COL_TEXT (11));
  lean_session_set_branch (session, COL_TEXT (12));
  lean_session_set_usage (session, sqlite3_column_int64 (stmt, 13),
                          sqlite3_column_int64 (stmt, 14), sqlite3_column_int64 (stmt, 15));
  if (sqlite3_column_type (stmt, 16) != SQLITE_NULL)
    lean_session_set_cost_usd (session, sqlite3_column_double (stmt, 16));
  lean_session_set_iteration (session, sqlite3_column_int (stmt, 17));
  lean_session_set_model (session, COL_TEXT (18));
  lean_session_set_structured (session, sqlite3_column_int (stmt, 19));
  lean_session_set_agent_pid (session, sqlite3_column_int (stmt, 20));
  lean_session_set_owner_pid (session, sqlite3_column_int (stmt, 21));
#undef COL_TEXT
  return session;
}

GListModel *
lean_session_db_list (LeanSessionDb  *self,
                      const char     *spec_id,
                      GError        **error)
{
  g_autoptr(GListStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) items = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);

  if (!(db = reader_take (self, error)))
    return NULL;

  if (spec_id != NULL)
    stmt = prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions WHERE spec_id = ?"
                        " ORDER BY created_at DESC, rowid DESC", error);
  else
    stmt = prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions"
                        " ORDER BY created_at DESC, rowid DESC", error);
  if (stmt == NULL)
    {
      reader_give (self, db);
      return NULL;
    }
  if (spec_id != NULL)
    sqlite3_bind_text (stmt, 1, spec_id, -1, SQLITE_TRANSIENT);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, session_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, "be read");
      g_clear_pointer (&stmt, sqlite3_finalize);
      reader_give (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);

  store = g_list_store_new (LEAN_TYPE_SESSION);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (g_steal_pointer (&store));
}

LeanSession *
lean_session_db_lookup (LeanSessionDb  *self,
                        const char     *id_or_prefix,
                        GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LeanSession) found = NULL;
  g_autofree char *pattern = NULL;
  sqlite3 *db;
  guint n = 0;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  g_return_val_if_fail (id_or_prefix != NULL, NULL);

  /* Ids are UUIDs: anything else cannot match and must not act as a
   * LIKE pattern. */
  for (const char *p = id_or_prefix; *p; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      {
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("No session has the id “%s”"), id_or_prefix);
        return NULL;
      }
  if (*id_or_prefix == '\0')
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND, _("No session id given"));
      return NULL;
    }

  if (!(db = reader_take (self, error)))
    return NULL;
  pattern = g_strdup_printf ("%s%%", id_or_prefix);
  stmt = prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id LIKE ? LIMIT 2",
                  error);
  if (stmt == NULL)
    {
      reader_give (self, db);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      n++;
      if (found == NULL)
        found = session_from_row (stmt);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);

  if (n == 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("No session has the id “%s”"), id_or_prefix);
      return NULL;
    }
  if (n > 1)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_AMBIGUOUS,
                   _("Several sessions have ids starting with “%s”: give more of the id"),
                   id_or_prefix);
      return NULL;
    }
  return g_steal_pointer (&found);
}

GBytes *
lean_session_db_read_output_range (LeanSessionDb      *self,
                                   const char         *session_id,
                                   LeanOutputChannel   channel,
                                   gint64              after_seq,
                                   gint64             *last_seq,
                                   GError            **error)
{
  sqlite3 *db;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  if (!(db = reader_take (self, error)))
    return NULL;

  if (channel == LEAN_OUTPUT_CHANNEL_DISPLAY)
    {
      g_autoptr(sqlite3_stmt) q = NULL;

      /* Text agents have no separate rendering: their raw bytes are it. */
      channel = LEAN_OUTPUT_CHANNEL_RAW;
      q = prepare (db, "SELECT structured FROM sessions WHERE id = ?", error);
      if (q == NULL)
        {
          reader_give (self, db);
          return NULL;
        }
      sqlite3_bind_text (q, 1, session_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (q) == SQLITE_ROW && sqlite3_column_int (q, 0))
        channel = LEAN_OUTPUT_CHANNEL_DISPLAY;
    }

  reader_give (self, db);
  return _lean_session_db_read_chunks (self, session_id, channel, after_seq, G_MAXSIZE,
                                       last_seq, error);
}

GBytes *
_lean_session_db_read_chunks (LeanSessionDb      *self,
                              const char         *session_id,
                              LeanOutputChannel   channel,
                              gint64              after_seq,
                              gsize               max_bytes,
                              gint64             *last_seq,
                              GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GByteArray) out = NULL;
  gint64 last = after_seq;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  if (!(db = reader_take (self, error)))
    return NULL;

  stmt = prepare (db, "SELECT seq, bytes FROM output_chunks"
                      " WHERE session_id = ? AND channel = ? AND seq > ? ORDER BY seq", error);
  if (stmt == NULL ||
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_int (stmt, 2, channel) != SQLITE_OK ||
      sqlite3_bind_int64 (stmt, 3, after_seq) != SQLITE_OK)
    {
      if (stmt != NULL)
        set_db_error (error, db, "be read");
      reader_give (self, db);
      return NULL;
    }

  out = g_byte_array_new ();
  while (out->len < max_bytes && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      last = sqlite3_column_int64 (stmt, 0);
      g_byte_array_append (out, sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }
  if (out->len < max_bytes && rc != SQLITE_DONE)
    {
      set_db_error (error, db, "be read");
      g_clear_pointer (&stmt, sqlite3_finalize);
      reader_give (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);

  if (last_seq != NULL)
    *last_seq = last;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
_lean_session_db_read_progress (LeanSessionDb  *self,
                                const char     *session_id,
                                LeanSession   **stored,
                                guint64         lengths[2],
                                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), FALSE);

  /* The row first: output stored before it became final is then surely
   * counted below. */
  *stored = lean_session_db_lookup (self, session_id, error);
  if (*stored == NULL)
    return FALSE;

  if (!(db = reader_take (self, error)))
    {
      g_clear_object (stored);
      return FALSE;
    }
  stmt = prepare (db, "SELECT channel, COALESCE(SUM(length(bytes)), 0) FROM output_chunks"
                      " WHERE session_id = ? GROUP BY channel", error);
  lengths[0] = lengths[1] = 0;
  if (stmt == NULL ||
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK)
    {
      if (stmt != NULL)
        set_db_error (error, db, "be read");
      reader_give (self, db);
      g_clear_object (stored);
      return FALSE;
    }
  for (;;)
    {
      int rc = sqlite3_step (stmt);
      int channel;

      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW)
        {
          set_db_error (error, db, "be read");
          g_clear_pointer (&stmt, sqlite3_finalize);
          reader_give (self, db);
          g_clear_object (stored);
          return FALSE;
        }
      channel = sqlite3_column_int (stmt, 0);
      if (channel == LEAN_OUTPUT_CHANNEL_RAW || channel == LEAN_OUTPUT_CHANNEL_DISPLAY)
        lengths[channel] = sqlite3_column_int64 (stmt, 1);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);
  return TRUE;
}

GPtrArray *
lean_session_db_read_events (LeanSessionDb  *self,
                             const char     *session_id,
                             gint64          after_seq,
                             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  sqlite3 *db;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  if (!(db = reader_take (self, error)))
    return NULL;
  stmt = prepare (db, "SELECT seq, ts, kind, payload FROM events"
                      " WHERE session_id = ? AND seq > ? ORDER BY seq", error);
  if (stmt == NULL)
    {
      reader_give (self, db);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, after_seq);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_session_event_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LeanSessionEvent *event = g_new0 (LeanSessionEvent, 1);

      event->seq = sqlite3_column_int64 (stmt, 0);
      event->ts = sqlite3_column_int64 (stmt, 1);
      event->kind = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
      event->payload = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
      g_ptr_array_add (events, event);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);
  return g_steal_pointer (&events);
}

GStrv
lean_session_db_read_cancel_requests (LeanSessionDb  *self,
                                      GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  sqlite3 *db;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);

  if (!(db = reader_take (self, error)))
    return NULL;
  stmt = prepare (db, "SELECT id FROM sessions WHERE cancel_requested = 1 AND owner_pid = ?"
                      " AND state IN ('pending', 'running', 'paused', 'validating')", error);
  if (stmt == NULL)
    {
      reader_give (self, db);
      return NULL;
    }
  sqlite3_bind_int (stmt, 1, getpid ());
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (ids, (const char *)sqlite3_column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);
  return g_strv_builder_end (ids);
}

gboolean
lean_session_db_owner_is_alive (LeanSessionDb  *self,
                                const char     *session_id,
                                int            *owner_pid,
                                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean alive = FALSE;
  sqlite3 *db;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), FALSE);

  if (owner_pid != NULL)
    *owner_pid = 0;
  if (!(db = reader_take (self, error)))
    return FALSE;
  stmt = prepare (db, "SELECT owner_pid, owner_start, owner_boot FROM sessions WHERE id = ?",
                  error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int pid = sqlite3_column_int (stmt, 0);

          if (owner_pid != NULL)
            *owner_pid = pid;
          alive = owner_alive (pid, (const char *)sqlite3_column_text (stmt, 1),
                               (const char *)sqlite3_column_text (stmt, 2));
        }
      else
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("No session has the id “%s”"), session_id);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);
  return alive;
}

/* ---- async wrappers ---- */

/* Every read below takes one string (a spec or session id) and runs its
 * blocking twin in a thread; only the tag and the thread function differ. */
static void
run_keyed_task (LeanSessionDb       *self,
                const char          *key,
                gpointer             source_tag,
                GTaskThreadFunc      thread_func,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_task_run_in_thread (task, thread_func);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *model = lean_session_db_list (source, task_data, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
lean_session_db_list_async (LeanSessionDb       *self,
                            const char          *spec_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  run_keyed_task (self, spec_id, lean_session_db_list_async, list_thread, cancellable, callback, user_data);
}

GListModel *
lean_session_db_list_finish (LeanSessionDb  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
read_channel_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  LeanOutputChannel channel =
    g_task_get_source_tag (task) == lean_session_db_read_display_async ?
    LEAN_OUTPUT_CHANNEL_DISPLAY : LEAN_OUTPUT_CHANNEL_RAW;
  GBytes *bytes = lean_session_db_read_output_range (source, task_data, channel, -1,
                                                     NULL, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify)g_bytes_unref);
}

void
lean_session_db_read_display_async (LeanSessionDb       *self,
                                    const char          *session_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (session_id != NULL);

  run_keyed_task (self, session_id, lean_session_db_read_display_async, read_channel_thread,
                  cancellable, callback, user_data);
}

GBytes *
lean_session_db_read_display_finish (LeanSessionDb  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- recovery ---- */

gboolean
lean_session_db_recover (LeanSessionDb            *self,
                         LeanSessionRecoverFlags   flags,
                         guint                    *n_interrupted,
                         GError                  **error)
{
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_interrupted != NULL)
    *n_interrupted = 0;
  if (self->closed)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                           _("The session database is closed."));
      return FALSE;
    }
  /* A connection of its own that may write; SQLite serialises it with the
   * writer thread's transactions (busy timeout). */
  db = open_connection (self->path, FALSE, error);
  if (db == NULL)
    return FALSE;
  ok = recover_interrupted (db, flags, n_interrupted, error);
  if (!ok)
    g_prefix_error (error, "%s: ", self->path);
  sqlite3_close (db);
  return ok;
}

static void
recover_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  guint n = 0;

  if (lean_session_db_recover (source, GPOINTER_TO_UINT (task_data), &n, &error))
    g_task_return_int (task, n);
  else
    g_task_return_error (task, error);
}

void
lean_session_db_recover_async (LeanSessionDb           *self,
                               LeanSessionRecoverFlags  flags,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_session_db_recover_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (flags), NULL);
  g_task_run_in_thread (task, recover_thread);
}

gboolean
lean_session_db_recover_finish (LeanSessionDb  *self,
                                GAsyncResult   *result,
                                guint          *n_interrupted,
                                GError        **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_interrupted != NULL)
    *n_interrupted = n;
  return TRUE;
}
