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
#include "lean-session-db-internal.h"
#include "lean-session-db-private.h"
#include "lean-session-private.h"

G_DEFINE_FINAL_TYPE (LeanSessionDb, lean_session_db, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (LeanSessionEvent, lean_session_event,
                     lean_session_event_copy, lean_session_event_free)

enum { WRITE_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- small helpers ---- */

void
_sdb_session_row_free (SessionRow *row)
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

void
_sdb_op_free (Op *op)
{
  _sdb_session_row_free (op->row);
  g_free (op->session_id);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op->text1);
  g_free (op->text2);
  g_free (op);
}

gint64
_sdb_datetime_to_usec (GDateTime *dt)
{
  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

GDateTime *
_sdb_usec_to_datetime (gint64 usec)
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

static void
push_op (LeanSessionDb *self,
         Op            *op)
{
  if (self->closed)
    {
      _sdb_op_free (op);
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
  if (self->tap_destroy != NULL)
    self->tap_destroy (self->tap_data);
  g_mutex_clear (&self->tap_lock);

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
  self->queue = g_async_queue_new_full ((GDestroyNotify)_sdb_op_free);
  self->readers = g_async_queue_new ();
  self->out_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ev_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->saved_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->tap_lock);
}

void
lean_session_db_set_tap (LeanSessionDb   *self,
                         LeanSessionDbTap tap,
                         gpointer         user_data,
                         GDestroyNotify   destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));

  g_mutex_lock (&self->tap_lock);
  old_data = self->tap_data;
  old_destroy = self->tap_destroy;
  self->tap = tap;
  self->tap_data = user_data;
  self->tap_destroy = destroy;
  g_mutex_unlock (&self->tap_lock);
  if (old_destroy != NULL)
    old_destroy (old_data);
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

  db = _sdb_open_connection (self->path, TRUE, error);
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
  if (!_sdb_exec_sql (db, "PRAGMA page_size = 16384;"
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = OFF;"
                     "PRAGMA wal_autocheckpoint = 2000;"
                     "PRAGMA journal_size_limit = 67108864;", error) ||
      !_sdb_migrate (db, error) ||
      sqlite3_prepare_v2 (db, "INSERT INTO output_chunks (session_id, channel, seq, ts, bytes) "
                              "VALUES (?, ?, ?, ?, ?)", -1, &self->ins_chunk,
                          NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, _sdb_insert_session_sql, -1, &self->ins_session, NULL) != SQLITE_OK)
    {
      if (error != NULL && *error == NULL)
        _sdb_set_db_error (error, db, "be prepared");
      g_clear_pointer (&self->ins_chunk, sqlite3_finalize);
      g_clear_pointer (&self->ins_session, sqlite3_finalize);
      g_prefix_error (error, "%s: ", self->path);
      sqlite3_close (db);
      self->wdb = NULL;
      self->closed = TRUE;
      return NULL;
    }

  self->writer = g_thread_new ("lean-session-db", _sdb_writer_thread, self);
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
  row->started_at = _sdb_datetime_to_usec (lean_session_get_started_at (session));
  row->ended_at = _sdb_datetime_to_usec (lean_session_get_ended_at (session));
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
  db = _sdb_open_connection (self->path, FALSE, error);
  if (db != NULL)
    _sdb_exec_sql (db, "PRAGMA query_only = 1", NULL);
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
  " cache_tokens, cost_usd, iteration, model, structured, agent_pid, owner_pid, archived"

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
  started = _sdb_usec_to_datetime (sqlite3_column_int64 (stmt, 7));
  ended = _sdb_usec_to_datetime (sqlite3_column_int64 (stmt, 8));
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
  lean_session_set_archived (session, sqlite3_column_int (stmt, 22));
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
    stmt = _sdb_prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions WHERE spec_id = ?"
                        " ORDER BY created_at DESC, rowid DESC", error);
  else
    stmt = _sdb_prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions"
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
      _sdb_set_db_error (error, db, "be read");
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
  stmt = _sdb_prepare (db, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id LIKE ? LIMIT 2",
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
      q = _sdb_prepare (db, "SELECT structured FROM sessions WHERE id = ?", error);
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

  stmt = _sdb_prepare (db, "SELECT seq, bytes FROM output_chunks"
                      " WHERE session_id = ? AND channel = ? AND seq > ? ORDER BY seq", error);
  if (stmt == NULL ||
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_int (stmt, 2, channel) != SQLITE_OK ||
      sqlite3_bind_int64 (stmt, 3, after_seq) != SQLITE_OK)
    {
      if (stmt != NULL)
        _sdb_set_db_error (error, db, "be read");
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
      _sdb_set_db_error (error, db, "be read");
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
  stmt = _sdb_prepare (db, "SELECT channel, COALESCE(SUM(length(bytes)), 0) FROM output_chunks"
                      " WHERE session_id = ? GROUP BY channel", error);
  lengths[0] = lengths[1] = 0;
  if (stmt == NULL ||
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT) != SQLITE_OK)
    {
      if (stmt != NULL)
        _sdb_set_db_error (error, db, "be read");
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
          _sdb_set_db_error (error, db, "be read");
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
  stmt = _sdb_prepare (db, "SELECT seq, ts, kind, payload FROM events"
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
  stmt = _sdb_prepare (db, "SELECT id FROM sessions WHERE cancel_requested = 1 AND owner_pid = ?"
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
  stmt = _sdb_prepare (db, "SELECT owner_pid, owner_start, owner_boot FROM sessions WHERE id = ?",
                  error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int pid = sqlite3_column_int (stmt, 0);

          if (owner_pid != NULL)
            *owner_pid = pid;
          alive = _sdb_owner_alive (pid, (const char *)sqlite3_column_text (stmt, 1),
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
  db = _sdb_open_connection (self->path, FALSE, error);
  if (db == NULL)
    return FALSE;
  ok = _sdb_recover_interrupted (self, db, flags, n_interrupted, error);
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

void
lean_output_chunk_free (LeanOutputChunk *chunk)
{
  if (chunk == NULL)
    return;
  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_free (chunk);
}

GPtrArray *
lean_session_db_read_timed_output (LeanSessionDb      *self,
                                   const char         *session_id,
                                   LeanOutputChannel   channel,
                                   GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  if (!(db = reader_take (self, error)))
    return NULL;

  if (channel == LEAN_OUTPUT_CHANNEL_DISPLAY)
    {
      g_autoptr(sqlite3_stmt) q = _sdb_prepare (db, "SELECT structured FROM sessions WHERE id = ?",
                                                error);
      if (q == NULL)
        {
          reader_give (self, db);
          return NULL;
        }
      sqlite3_bind_text (q, 1, session_id, -1, SQLITE_TRANSIENT);
      if (!(sqlite3_step (q) == SQLITE_ROW && sqlite3_column_int (q, 0)))
        channel = LEAN_OUTPUT_CHANNEL_RAW;
    }

  stmt = _sdb_prepare (db, "SELECT ts, bytes FROM output_chunks"
                       " WHERE session_id = ? AND channel = ? ORDER BY seq", error);
  if (stmt == NULL)
    {
      reader_give (self, db);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, channel);

  chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) lean_output_chunk_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LeanOutputChunk *chunk = g_new0 (LeanOutputChunk, 1);

      chunk->ts = sqlite3_column_int64 (stmt, 0);
      chunk->bytes = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
      g_ptr_array_add (chunks, chunk);
    }
  if (rc != SQLITE_DONE)
    {
      _sdb_set_db_error (error, db, "be read");
      g_clear_pointer (&stmt, sqlite3_finalize);
      reader_give (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  reader_give (self, db);
  return g_steal_pointer (&chunks);
}

void
lean_session_db_archive_spec (LeanSessionDb *self,
                              const char    *project_path,
                              const char    *spec_id)
{
  char *sql;

  g_return_if_fail (LEAN_IS_SESSION_DB (self));
  g_return_if_fail (project_path != NULL && spec_id != NULL);

  /* %Q quotes and escapes: the ids come from files. */
  sql = sqlite3_mprintf ("UPDATE sessions SET archived = 1 WHERE project_path = %Q AND spec_id = %Q"
                         " AND state IN ('completed', 'failed', 'cancelled', 'interrupted')",
                         project_path, spec_id);
  _lean_session_db_exec (self, sql);
  sqlite3_free (sql);
}
