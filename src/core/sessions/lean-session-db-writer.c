/* SPDX-License-Identifier: MIT */
/* LeanSessionDb: the writer thread, which owns the writing connection and
 * commits queued writes in batches. */
#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-process.h"
#include "lean-session-db-internal.h"
#include "lean-session-db-private.h"
#include "lean-session-private.h"

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
      seq = _sdb_max_event_seq (w->db, session_id);
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
  /* IMMEDIATE: the batch reads sequence numbers before it writes, and in
   * WAL mode a deferred transaction whose snapshot another connection (the
   * CLI, the validation store) committed past cannot upgrade to a write: the
   * whole batch would fail. Taking the write lock first waits instead. */
  if (sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    writer_note_failure (w);
  w->in_txn = TRUE;

  if (g_hash_table_size (w->retry_rows) > 0)
    {
      g_autoptr(GHashTable) retry = g_steal_pointer (&w->retry_rows);
      GHashTableIter iter;
      SessionRow *row;

      w->retry_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify)_sdb_session_row_free);
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
    g_signal_emit_by_name (self, "write-failed", notice->message);
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
  _sdb_bind_text_or_null (stmt, 2, row->project_path);
  _sdb_bind_text_or_null (stmt, 3, row->spec_id);
  _sdb_bind_text_or_null (stmt, 4, row->agent_id);
  _sdb_bind_text_or_null (stmt, 5, row->mode);
  _sdb_bind_text_or_null (stmt, 6, row->runner);
  sqlite3_bind_text (stmt, 7, row->state, -1, SQLITE_STATIC);
  _sdb_bind_usec_or_null (stmt, 8, row->started_at);
  _sdb_bind_usec_or_null (stmt, 9, row->ended_at);
  if (row->exit_code >= 0)
    sqlite3_bind_int (stmt, 10, row->exit_code);
  _sdb_bind_text_or_null (stmt, 11, row->message);
  _sdb_bind_text_or_null (stmt, 12, row->worktree_path);
  _sdb_bind_text_or_null (stmt, 13, row->branch);
  sqlite3_bind_int64 (stmt, 14, row->input_tokens);
  sqlite3_bind_int64 (stmt, 15, row->output_tokens);
  sqlite3_bind_int64 (stmt, 16, row->cache_tokens);
  if (row->cost_usd >= 0)
    sqlite3_bind_double (stmt, 17, row->cost_usd);
  sqlite3_bind_int (stmt, 18, row->iteration);
  _sdb_bind_text_or_null (stmt, 19, row->model);
  sqlite3_bind_int (stmt, 20, row->structured);
  if (row->agent_pid > 0)
    sqlite3_bind_int (stmt, 21, row->agent_pid);
  if (row->owner_pid > 0)
    sqlite3_bind_int (stmt, 22, row->owner_pid);
  _sdb_bind_text_or_null (stmt, 23, own ? self_start_time () : NULL);
  _sdb_bind_text_or_null (stmt, 24, own ? self_boot_id () : NULL);
  sqlite3_bind_int64 (stmt, 25, ts);
  /* Read while the agent surely runs (its session is not over), so the
   * start time is the agent's and not a later process's with its pid. */
  /* The start time is the runner's, read right after the spawn; the
   * executable is read while the agent surely runs (its session is not
   * over) and kept from the first save with this pid. */
  _sdb_bind_text_or_null (stmt, 26, row->agent_start);
  if (row->agent_pid > 1 && row->agent_start != NULL &&
      !lean_session_state_is_final (state_from_row (row)))
    {
      g_autofree char *agent_exe = lean_process_get_exe (row->agent_pid);
      g_autofree char *now_start = lean_process_get_start_time (row->agent_pid);

      if (g_strcmp0 (now_start, row->agent_start) == 0)
        _sdb_bind_text_or_null (stmt, 27, agent_exe);
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
      g_autofree char *payload = _sdb_state_payload (row->state, row->message);

      if (!_sdb_insert_event_and_outbox (w->self, w->db, row->id, writer_next_event_seq (w, row->id), ts,
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
            !_sdb_insert_event_and_outbox (w->self, w->db, id, writer_next_event_seq (w, id), op->ts,
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
          !_sdb_insert_event_and_outbox (w->self, w->db, op->session_id,
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

const char _sdb_insert_session_sql[] =
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

gpointer
_sdb_writer_thread (gpointer data)
{
  LeanSessionDb *self = data;
  Writer w = { 0 };
  gboolean running = TRUE;

  w.self = self;
  w.db = self->wdb;
  w.pend_bytes = g_byte_array_new ();
  w.batch_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)_sdb_session_row_free);
  w.retry_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)_sdb_session_row_free);
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
                  _sdb_op_free (more);
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

      _sdb_op_free (op);
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

