/* SPDX-License-Identifier: MIT */
/* The telemetry outbox: the tap that queues Devlog events in the same
 * transaction as the session's own event, the bound, the reads and deletes
 * of the sender, parked events and the sender's lease. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lean-devlog-event.h"
#include "lean-devlog-outbox.h"
#include "lean-error.h"
#include "lean-json.h"
#include "lean-session-db-tap.h"

#define FORMAT_VERSION 1
#define RESPONSE_MAX   4096

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const char tables_sql[] =
  "CREATE TABLE IF NOT EXISTS telemetry_state (key TEXT PRIMARY KEY, value);"
  "CREATE TABLE IF NOT EXISTS telemetry_parked ("
  "  id INTEGER PRIMARY KEY, session_id TEXT, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
  "  payload TEXT, status INTEGER, response TEXT, parked_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS telemetry_lease ("
  "  name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);";

static gboolean
db_error (GError     **error,
          sqlite3     *db,
          const char  *what)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
               _("The telemetry outbox could not %s: %s"), what, sqlite3_errmsg (db));
  return FALSE;
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (error, db, "be read");
      return NULL;
    }
  return stmt;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (error, db, "be updated");
  return TRUE;
}

static gint64
state_int (sqlite3    *db,
           const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (db, "SELECT value FROM telemetry_state WHERE key = ?",
                                          NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

static char *
state_text (sqlite3    *db,
            const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (db, "SELECT value FROM telemetry_state WHERE key = ?",
                                          NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *)sqlite3_column_text (stmt, 0));
}

/* Adds @delta to counter @key; the row exists once the outbox is prepared. */
static gboolean
state_add (sqlite3    *db,
           const char *key,
           gint64      delta)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (db, "UPDATE telemetry_state SET value = value + ?2 WHERE key = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, delta);
  return sqlite3_step (stmt) == SQLITE_DONE && sqlite3_changes (db) == 1;
}

static gboolean
state_set (sqlite3    *db,
           const char *key,
           const char *text,
           gint64      number,
           gboolean    is_text)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (db, "INSERT OR REPLACE INTO telemetry_state (key, value) VALUES (?, ?)", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (is_text && text != NULL)
    sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
  else if (is_text)
    sqlite3_bind_null (stmt, 2);
  else
    sqlite3_bind_int64 (stmt, 2, number);
  return sqlite3_step (stmt) == SQLITE_DONE;
}

/* Inside the caller's transaction. */
static gboolean
prepare_in_txn (sqlite3  *db,
                GError  **error)
{
  if (!exec (db, tables_sql, error))
    return FALSE;
  if (state_int (db, "format") == FORMAT_VERSION)
    return TRUE;
  /* Rows from before the outbox had a reader are not Devlog events, and
   * telemetry was off when they were written. */
  if (!exec (db, "DELETE FROM telemetry_outbox", error))
    return FALSE;
  if (!state_set (db, "format", NULL, FORMAT_VERSION, FALSE) ||
      !state_set (db, "queued", NULL, 0, FALSE) ||
      !state_set (db, "dropped", NULL, 0, FALSE) ||
      !state_set (db, "delivered", NULL, 0, FALSE))
    return db_error (error, db, "be prepared");
  return TRUE;
}

gboolean
lean_devlog_outbox_prepare (sqlite3  *db,
                            GError  **error)
{
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!prepare_in_txn (db, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return exec (db, "COMMIT", error);
}

sqlite3 *
lean_devlog_outbox_open (const char  *path,
                         GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    {
      db_error (error, db, "be opened");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  if (!lean_devlog_outbox_prepare (db, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* ---- the tap: runs in the session database's writing transaction ---- */

typedef struct
{
  LeanDevlogEventInput in;
  sqlite3_stmt        *row;
  sqlite3_stmt        *link;
} Context;

static const char *
col_text (sqlite3_stmt *stmt,
          int           col)
{
  return (const char *)sqlite3_column_text (stmt, col);
}

static void
read_context (sqlite3    *db,
              Context    *c)
{
  LeanDevlogEventInput *in = &c->in;

  c->row = prepare (db, "SELECT agent_id, project_path, worktree_path, spec_id, runner, branch,"
                        " mode, model, iteration, input_tokens, output_tokens, cost_usd,"
                        " started_at, ended_at, exit_code FROM sessions WHERE id = ?", NULL);
  in->cost_usd = -1;
  in->exit_code = -1;
  if (c->row != NULL)
    {
      sqlite3_bind_text (c->row, 1, in->session_id, -1, SQLITE_STATIC);
      if (sqlite3_step (c->row) == SQLITE_ROW)
        {
          in->agent_id = col_text (c->row, 0);
          in->project_path = col_text (c->row, 1);
          in->worktree_path = col_text (c->row, 2);
          in->spec_id = col_text (c->row, 3);
          in->runner = col_text (c->row, 4);
          in->branch = col_text (c->row, 5);
          in->mode = col_text (c->row, 6);
          in->model = col_text (c->row, 7);
          in->iteration = sqlite3_column_int (c->row, 8);
          in->input_tokens = sqlite3_column_int64 (c->row, 9);
          in->output_tokens = sqlite3_column_int64 (c->row, 10);
          if (sqlite3_column_type (c->row, 11) != SQLITE_NULL)
            in->cost_usd = sqlite3_column_double (c->row, 11);
          in->started_at = sqlite3_column_int64 (c->row, 12);
          in->ended_at = sqlite3_column_int64 (c->row, 13);
          if (sqlite3_column_type (c->row, 14) != SQLITE_NULL)
            in->exit_code = sqlite3_column_int (c->row, 14);
        }
    }

  /* The validation store's table: absent until a chain ran. */
  if (sqlite3_prepare_v2 (db, "SELECT chain_id FROM session_links WHERE session_id = ?", -1,
                          &c->link, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (c->link, 1, in->session_id, -1, SQLITE_STATIC);
      if (sqlite3_step (c->link) == SQLITE_ROW)
        in->chain_id = col_text (c->link, 0);
    }
}

static void
read_history (sqlite3    *db,
              Context    *c,
              gint64      seq)
{
  LeanDevlogEventInput *in = &c->in;

  if (g_str_equal (in->kind, "state"))
    {
      g_autoptr(sqlite3_stmt) stmt =
        prepare (db, "SELECT 1 FROM events WHERE session_id = ? AND seq < ? AND kind = 'state'"
                     " LIMIT 1", NULL);

      in->first_state = TRUE;
      if (stmt != NULL)
        {
          sqlite3_bind_text (stmt, 1, in->session_id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, seq);
          in->first_state = sqlite3_step (stmt) != SQLITE_ROW;
        }
    }
  else if (g_str_equal (in->kind, "usage"))
    {
      g_autoptr(sqlite3_stmt) stmt =
        prepare (db, "SELECT payload FROM events WHERE session_id = ? AND seq < ?"
                     " AND kind = 'usage' ORDER BY seq DESC LIMIT 1", NULL);

      in->prev_cost_usd = -1;
      if (stmt != NULL)
        {
          sqlite3_bind_text (stmt, 1, in->session_id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, seq);
          if (sqlite3_step (stmt) == SQLITE_ROW && col_text (stmt, 0) != NULL)
            {
              g_autoptr(JsonNode) node = lean_json_parse (col_text (stmt, 0), -1, 8, NULL);

              if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
                {
                  JsonObject *o = json_node_get_object (node);

                  in->prev_input_tokens =
                    json_object_get_int_member_with_default (o, "input_tokens", 0);
                  in->prev_output_tokens =
                    json_object_get_int_member_with_default (o, "output_tokens", 0);
                  in->prev_cost_usd =
                    json_object_get_double_member_with_default (o, "cost_usd", -1);
                }
            }
        }
    }
}

/* Past the bound the oldest go, counted. */
static gboolean
enforce_bound (sqlite3 *db,
               gint64   max_queued)
{
  gint64 over = state_int (db, "queued") - max_queued;
  g_autoptr(sqlite3_stmt) del = NULL;
  gint64 n;

  if (over <= 0)
    return TRUE;
  del = prepare (db, "DELETE FROM telemetry_outbox WHERE id IN"
                     " (SELECT id FROM telemetry_outbox ORDER BY id LIMIT ?)", NULL);
  if (del == NULL)
    return FALSE;
  sqlite3_bind_int64 (del, 1, over);
  if (sqlite3_step (del) != SQLITE_DONE)
    return FALSE;
  n = sqlite3_changes (db);
  return state_add (db, "queued", -n) && state_add (db, "dropped", n);
}

static gboolean
outbox_tap (sqlite3    *db,
            const char *session_id,
            gint64      seq,
            gint64      ts,
            const char *kind,
            const char *payload,
            gpointer    user_data)
{
  const LeanDevlogSettings *settings = user_data;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autoptr(sqlite3_stmt) ins = NULL;
  Context c = { { 0 } };
  gboolean ok = TRUE;

  c.in.session_id = session_id;
  c.in.ts = ts;
  c.in.kind = kind;
  c.in.payload = payload;
  c.in.project_id = settings->project_id;
  c.in.send_content = settings->send_content;
  read_context (db, &c);
  read_history (db, &c, seq);
  lean_devlog_events_from_local (&c.in, events);
  if (events->len == 0)
    goto out;

  if (!state_add (db, "queued", 0) && !prepare_in_txn (db, NULL))
    {
      ok = FALSE;
      goto out;
    }
  ins = prepare (db, "INSERT INTO telemetry_outbox (session_id, ts, kind, payload)"
                     " VALUES (?, ?, ?, ?)", NULL);
  for (guint i = 0; ok && i < events->len; i++)
    {
      JsonNode *node = g_ptr_array_index (events, i);
      JsonObject *obj = json_node_get_object (node);
      g_autofree char *text = json_to_string (node, FALSE);

      sqlite3_reset (ins);
      ok = ins != NULL &&
           sqlite3_bind_text (ins, 1, session_id, -1, SQLITE_STATIC) == SQLITE_OK &&
           sqlite3_bind_int64 (ins, 2, ts) == SQLITE_OK &&
           sqlite3_bind_text (ins, 3, json_object_get_string_member (obj, "eventType"), -1,
                              SQLITE_TRANSIENT) == SQLITE_OK &&
           sqlite3_bind_text (ins, 4, text, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
           sqlite3_step (ins) == SQLITE_DONE;
    }
  ok = ok && state_add (db, "queued", events->len) && enforce_bound (db, settings->max_queued);

out:
  sqlite3_finalize (c.row);
  sqlite3_finalize (c.link);
  return ok;
}

void
lean_devlog_outbox_attach (LeanSessionDb            *db,
                           const LeanDevlogSettings *settings)
{
  g_return_if_fail (LEAN_IS_SESSION_DB (db));

  if (!lean_devlog_settings_is_enabled (settings))
    lean_session_db_set_tap (db, NULL, NULL, NULL);
  else
    lean_session_db_set_tap (db, outbox_tap, lean_devlog_settings_copy (settings),
                             (GDestroyNotify)lean_devlog_settings_free);
}

/* ---- the sender's side ---- */

static void
row_free (LeanDevlogRow *row)
{
  g_free (row->session_id);
  g_free (row->payload);
  g_free (row);
}

GPtrArray *
lean_devlog_outbox_read (sqlite3  *db,
                         guint     max_rows,
                         gsize     max_bytes,
                         GError  **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  g_autoptr(sqlite3_stmt) stmt =
    prepare (db, "SELECT id, session_id, payload FROM telemetry_outbox ORDER BY id LIMIT ?",
             error);
  gsize bytes = 0;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, max_rows);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LeanDevlogRow *row;
      gsize len = sqlite3_column_bytes (stmt, 2);

      if (rows->len > 0 && bytes + len + 1 > max_bytes)
        break;
      row = g_new0 (LeanDevlogRow, 1);
      row->id = sqlite3_column_int64 (stmt, 0);
      row->session_id = g_strdup (col_text (stmt, 1));
      row->payload = g_strdup (col_text (stmt, 2) != NULL ? col_text (stmt, 2) : "{}");
      bytes += len + 1;
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      db_error (error, db, "be read");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
in_txn (sqlite3   *db,
        gboolean (*body) (sqlite3 *, gpointer),
        gpointer   data,
        GError   **error)
{
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!body (db, data))
    {
      db_error (error, db, "be updated");
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return exec (db, "COMMIT", error);
}

typedef struct
{
  gint64      first;
  gint64      last;
  guint       status;
  const char *text;
} Change;

static gboolean
delivered_body (sqlite3  *db,
                gpointer  data)
{
  Change *ch = data;
  g_autoptr(sqlite3_stmt) del =
    prepare (db, "DELETE FROM telemetry_outbox WHERE id BETWEEN ? AND ?", NULL);
  gint64 n;

  if (del == NULL)
    return FALSE;
  sqlite3_bind_int64 (del, 1, ch->first);
  sqlite3_bind_int64 (del, 2, ch->last);
  if (sqlite3_step (del) != SQLITE_DONE)
    return FALSE;
  n = sqlite3_changes (db);
  return state_add (db, "queued", -n) && state_add (db, "delivered", n) &&
         state_set (db, "last_delivery", NULL, g_get_real_time (), FALSE) &&
         state_set (db, "last_error", NULL, 0, TRUE);
}

gboolean
lean_devlog_outbox_delivered (sqlite3  *db,
                              gint64    first,
                              gint64    last,
                              GError  **error)
{
  Change ch = { first, last, 0, NULL };

  return in_txn (db, delivered_body, &ch, error);
}

static gboolean
park_body (sqlite3  *db,
           gpointer  data)
{
  Change *ch = data;
  g_autofree char *response = NULL;
  g_autoptr(sqlite3_stmt) ins =
    prepare (db, "INSERT OR REPLACE INTO telemetry_parked"
                 " (id, session_id, ts, kind, payload, status, response, parked_at)"
                 " SELECT id, session_id, ts, kind, payload, ?2, ?3, ?4"
                 " FROM telemetry_outbox WHERE id = ?1", NULL);
  g_autoptr(sqlite3_stmt) del = prepare (db, "DELETE FROM telemetry_outbox WHERE id = ?", NULL);

  if (ins == NULL || del == NULL)
    return FALSE;
  response = g_utf8_make_valid (ch->text != NULL ? ch->text : "", MIN (strlen (ch->text ?: ""),
                                                                       RESPONSE_MAX));
  sqlite3_bind_int64 (ins, 1, ch->first);
  sqlite3_bind_int (ins, 2, ch->status);
  sqlite3_bind_text (ins, 3, response, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ins, 4, g_get_real_time ());
  sqlite3_bind_int64 (del, 1, ch->first);
  if (sqlite3_step (ins) != SQLITE_DONE || sqlite3_step (del) != SQLITE_DONE)
    return FALSE;
  return state_add (db, "queued", -sqlite3_changes (db));
}

gboolean
lean_devlog_outbox_park (sqlite3     *db,
                         gint64       id,
                         guint        status,
                         const char  *response,
                         GError     **error)
{
  Change ch = { id, id, status, response };

  return in_txn (db, park_body, &ch, error);
}

gboolean
lean_devlog_outbox_note_error (sqlite3     *db,
                               const char  *message,
                               GError     **error)
{
  if (!state_set (db, "last_error", message, 0, TRUE) ||
      !state_set (db, "last_error_at", NULL, g_get_real_time (), FALSE))
    return db_error (error, db, "be updated");
  return TRUE;
}

/* ---- the lease ---- */

typedef struct
{
  const char *owner;
  gint64      ttl;
  gboolean    held;
} Lease;

static gboolean
lease_body (sqlite3  *db,
            gpointer  data)
{
  Lease *lease = data;
  gint64 now = g_get_real_time ();
  g_autoptr(sqlite3_stmt) sel =
    prepare (db, "SELECT owner, expires_at FROM telemetry_lease WHERE name = 'sender'", NULL);
  g_autoptr(sqlite3_stmt) put = NULL;

  if (sel == NULL)
    return FALSE;
  if (sqlite3_step (sel) == SQLITE_ROW &&
      g_strcmp0 (col_text (sel, 0), lease->owner) != 0 &&
      sqlite3_column_int64 (sel, 1) > now)
    {
      lease->held = FALSE;
      return TRUE;
    }
  put = prepare (db, "INSERT OR REPLACE INTO telemetry_lease (name, owner, expires_at)"
                     " VALUES ('sender', ?, ?)", NULL);
  if (put == NULL)
    return FALSE;
  sqlite3_bind_text (put, 1, lease->owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (put, 2, now + lease->ttl);
  lease->held = sqlite3_step (put) == SQLITE_DONE;
  return lease->held;
}

gboolean
lean_devlog_outbox_lease (sqlite3     *db,
                          const char  *owner,
                          gint64       ttl_usec,
                          GError     **error)
{
  Lease lease = { owner, ttl_usec, FALSE };

  return in_txn (db, lease_body, &lease, error) && lease.held;
}

void
lean_devlog_outbox_unlease (sqlite3    *db,
                            const char *owner)
{
  g_autoptr(sqlite3_stmt) del =
    prepare (db, "DELETE FROM telemetry_lease WHERE name = 'sender' AND owner = ?", NULL);

  if (del == NULL)
    return;
  sqlite3_bind_text (del, 1, owner, -1, SQLITE_STATIC);
  sqlite3_step (del);
}

/* ---- status ---- */

void
lean_devlog_status_free (LeanDevlogStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->last_error);
  g_free (status->last_parked);
  g_free (status->lease_owner);
  g_free (status);
}

LeanDevlogStatus *
lean_devlog_outbox_status (sqlite3  *db,
                           GError  **error)
{
  g_autoptr(LeanDevlogStatus) st = g_new0 (LeanDevlogStatus, 1);
  g_autoptr(sqlite3_stmt) parked = NULL;
  g_autoptr(sqlite3_stmt) lease = NULL;

  /* One snapshot for every figure. */
  if (!exec (db, "BEGIN", error))
    return NULL;
  st->queued = state_int (db, "queued");
  st->dropped = state_int (db, "dropped");
  st->delivered = state_int (db, "delivered");
  st->last_delivery = state_int (db, "last_delivery");
  st->last_error = state_text (db, "last_error");
  st->last_error_at = state_int (db, "last_error_at");
  parked = prepare (db, "SELECT COUNT(*), (SELECT response FROM telemetry_parked"
                        " ORDER BY parked_at DESC, id DESC LIMIT 1) FROM telemetry_parked",
                    NULL);
  if (parked != NULL && sqlite3_step (parked) == SQLITE_ROW)
    {
      st->parked = sqlite3_column_int64 (parked, 0);
      st->last_parked = g_strdup (col_text (parked, 1));
    }
  lease = prepare (db, "SELECT owner FROM telemetry_lease WHERE name = 'sender'"
                       " AND expires_at > ?", NULL);
  if (lease != NULL)
    {
      sqlite3_bind_int64 (lease, 1, g_get_real_time ());
      if (sqlite3_step (lease) == SQLITE_ROW)
        st->lease_owner = g_strdup (col_text (lease, 0));
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return g_steal_pointer (&st);
}
