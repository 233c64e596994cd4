/* SPDX-License-Identifier: MIT */
/* LeanSessionDb: connections, the schema and its migrations, crash
 * recovery. Blocking; called from open, recover and worker threads. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lean-error.h"
#include "lean-process.h"
#include "lean-session-db-internal.h"
#include "lean-session-db-private.h"
#include "lean-session-private.h"

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
  /* Filled by the telemetry tap only (see lean-session-db-tap.h). */
  "CREATE TABLE telemetry_outbox ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  session_id TEXT, ts INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0, sent_at INTEGER);"
  "CREATE INDEX telemetry_outbox_unsent ON telemetry_outbox (sent_at, id);";

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

gboolean
_sdb_owner_alive (int         pid,
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

gboolean
_sdb_set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
               _("The session database could not %s: %s"), what,
               db ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

gboolean
_sdb_exec_sql (sqlite3     *db,
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

sqlite3 *
_sdb_open_connection (const char  *path,
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

sqlite3_stmt *
_sdb_prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      _sdb_set_db_error (error, db, "be read");
      return NULL;
    }
  return stmt;
}

void
_sdb_bind_text_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

void
_sdb_bind_usec_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   gint64        usec)
{
  if (usec > 0)
    sqlite3_bind_int64 (stmt, idx, usec);
  else
    sqlite3_bind_null (stmt, idx);
}

/* ---- migrations and recovery (on open, blocking) ---- */

gboolean
_sdb_migrate (sqlite3  *db,
         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version;

  stmt = _sdb_prepare (db, "PRAGMA user_version", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _sdb_set_db_error (error, db, "be read");
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
      if (!_sdb_exec_sql (db, sql, error))
        {
          _sdb_exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  /* v2: the agent's start time, so an agent orphaned by a crash can be
   * told apart from a process that reused its pid. */
  if (version < 2)
    {
      if (!_sdb_exec_sql (db, "BEGIN IMMEDIATE;"
                         "ALTER TABLE sessions ADD COLUMN agent_start TEXT;"
                         "PRAGMA user_version = 2;"
                         "COMMIT;", error))
        {
          _sdb_exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  /* v3: the agent's executable, so recovery signals only the very program
   * that was started; and where each output chunk starts in its channel. */
  if (version < 3)
    {
      if (!_sdb_exec_sql (db, "BEGIN IMMEDIATE;"
                         "ALTER TABLE sessions ADD COLUMN agent_exe TEXT;"
                         "PRAGMA user_version = 3;"
                         "COMMIT;", error))
        {
          _sdb_exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  /* v4: sessions of a completed spec are archived (hidden from history,
   * never deleted); the metrics read one project's sessions by time, and
   * the day, result and agent of each without touching the table. */
  if (version < 4)
    {
      if (!_sdb_exec_sql (db, "BEGIN IMMEDIATE;"
                         "ALTER TABLE sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;"
                         "CREATE INDEX sessions_by_project ON sessions"
                         " (project_path, created_at, state, agent_id);"
                         "CREATE INDEX sessions_metrics ON sessions"
                         " (created_at, state, agent_id, input_tokens, output_tokens, cost_usd,"
                         "  started_at, ended_at);"
                         "PRAGMA user_version = 4;"
                         "COMMIT;", error))
        {
          _sdb_exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  return TRUE;
}

/* The event and whatever the tap writes, or an error: the caller's
 * transaction is then rolled back. */
gboolean
_sdb_insert_event_and_outbox (LeanSessionDb *self,
                              sqlite3       *db,
                              const char    *session_id,
                              gint64         seq,
                              gint64         ts,
                              const char    *kind,
                              const char    *payload)
{
  g_autoptr(sqlite3_stmt) ev = NULL;
  gboolean ok = TRUE;

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

  g_mutex_lock (&self->tap_lock);
  if (self->tap != NULL)
    ok = self->tap (db, session_id, seq, ts, kind, payload, self->tap_data);
  g_mutex_unlock (&self->tap_lock);
  return ok;
}

/* The highest event seq of the session, 0 for none, -1 on an error. */
gint64
_sdb_max_event_seq (sqlite3    *db,
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

char *
_sdb_state_payload (const char *state,
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
gboolean
_sdb_recover_interrupted (LeanSessionDb            *self,
                          sqlite3                  *db,
                     LeanSessionRecoverFlags   flags,
                     guint                    *n_interrupted,
                     GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func ((GDestroyNotify)gone_free);

  stmt = _sdb_prepare (db, "SELECT id, owner_pid, owner_start, owner_boot, agent_pid, agent_start,"
                      " agent_exe FROM sessions"
                      " WHERE state IN ('pending', 'running', 'paused', 'validating')", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int pid = sqlite3_column_int (stmt, 1);
      const char *boot = (const char *)sqlite3_column_text (stmt, 3);
      Gone *g;

      if (_sdb_owner_alive (pid, (const char *)sqlite3_column_text (stmt, 2), boot))
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

  if (!_sdb_exec_sql (db, "BEGIN IMMEDIATE", error))
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

      upd = _sdb_prepare (db, "UPDATE sessions SET state = 'interrupted', message = ?2,"
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
          _sdb_set_db_error (error, db, "be updated");
          goto fail;
        }
      payload = _sdb_state_payload ("interrupted", message->str);
      {
        gint64 seq = _sdb_max_event_seq (db, g->id);

        if (seq < 0 ||
            !_sdb_insert_event_and_outbox (self, db, g->id, seq + 1, now, "state", payload))
          {
            _sdb_set_db_error (error, db, "be updated");
            goto fail;
          }
      }
    }

  if (!_sdb_exec_sql (db, "COMMIT", error))
    goto fail;
  if (n_interrupted != NULL)
    *n_interrupted = gone->len;
  return TRUE;

fail:
  _sdb_exec_sql (db, "ROLLBACK", NULL);
  return FALSE;
}

