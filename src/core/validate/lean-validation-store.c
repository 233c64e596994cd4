/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "lean-error.h"
#include "lean-json.h"
#include "lean-validation-private.h"
#include "lean-validation-store.h"

#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 5000

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Tables of their own beside the sessions: added, never altering what the
 * session database already holds. */
static const char schema_v1[] =
  "CREATE TABLE IF NOT EXISTS chains ("
  "  id TEXT PRIMARY KEY, project_path TEXT, spec_id TEXT NOT NULL, agent_id TEXT,"
  "  settings TEXT NOT NULL, state TEXT NOT NULL, result TEXT, message TEXT,"
  "  iterations INTEGER NOT NULL DEFAULT 0, tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS chains_by_spec ON chains (spec_id, created_at);"
  "CREATE TABLE IF NOT EXISTS session_links ("
  "  session_id TEXT PRIMARY KEY, kind TEXT NOT NULL, chain_id TEXT, iteration INTEGER);"
  "CREATE INDEX IF NOT EXISTS session_links_by_chain ON session_links (chain_id, iteration);"
  "CREATE TABLE IF NOT EXISTS validations ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT, spec_id TEXT NOT NULL, session_id TEXT,"
  "  chain_id TEXT, iteration INTEGER, work_dir TEXT, passed INTEGER NOT NULL,"
  "  open_items TEXT NOT NULL, open_children TEXT NOT NULL, critic TEXT, critic_text TEXT,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS validations_by_session ON validations (session_id, id);"
  "CREATE INDEX IF NOT EXISTS validations_by_chain ON validations (chain_id, iteration, id);"
  "CREATE TABLE IF NOT EXISTS validation_checks ("
  "  validation_id INTEGER NOT NULL, position INTEGER NOT NULL, check_id TEXT NOT NULL,"
  "  name TEXT NOT NULL, kind TEXT NOT NULL, argv TEXT NOT NULL, timeout INTEGER NOT NULL,"
  "  cwd TEXT NOT NULL, status TEXT NOT NULL, exit_code INTEGER, duration_ms INTEGER NOT NULL,"
  "  counts TEXT, message TEXT, output BLOB, output_dropped INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (validation_id, position));";

struct _LeanValidationStore
{
  GObject  parent_instance;

  sqlite3       *db;
  GMutex         lock;
  LeanSessionDb *session_db;
};

G_DEFINE_FINAL_TYPE (LeanValidationStore, lean_validation_store, G_TYPE_OBJECT)

static void
lean_validation_store_finalize (GObject *object)
{
  LeanValidationStore *self = LEAN_VALIDATION_STORE (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_object (&self->session_db);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lean_validation_store_parent_class)->finalize (object);
}

static void
lean_validation_store_class_init (LeanValidationStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lean_validation_store_finalize;
}

static void
lean_validation_store_init (LeanValidationStore *self)
{
  g_mutex_init (&self->lock);
}

static gboolean
db_error (GError     **error,
          sqlite3     *db,
          const char  *what)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
               _("The session database could not %s: %s"), what,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
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
                   msg != NULL ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
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
migrate (sqlite3  *db,
         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int version = 0;

  if (!exec_sql (db, "CREATE TABLE IF NOT EXISTS validate_schema (version INTEGER NOT NULL);",
                 error))
    return FALSE;
  stmt = prepare (db, "SELECT MAX(version) FROM validate_schema", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("The validations in the session database were written by a newer "
                     "version of LeanSpec Desktop (schema %d, this version knows %d)"),
                   version, SCHEMA_VERSION);
      return FALSE;
    }
  if (version < 1)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE;%s"
                                              "INSERT INTO validate_schema VALUES (1);COMMIT;",
                                              schema_v1);
      if (!exec_sql (db, sql, error))
        {
          exec_sql (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
default_path (void)
{
  const char *env = g_getenv ("LEANSPEC_DB");

  if (env != NULL && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "leanspec-desktop", "sessions.db", NULL);
}

LeanValidationStore *
lean_validation_store_open (const char  *path,
                            GError     **error)
{
  g_autoptr(LeanValidationStore) self = g_object_new (LEAN_TYPE_VALIDATION_STORE, NULL);
  g_autofree char *file = path != NULL ? g_strdup (path) : default_path ();
  g_autofree char *dir = g_path_get_dirname (file);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
                   _("Could not create the folder “%s” for the session database: %s"),
                   dir, g_strerror (saved));
      return NULL;
    }
  if (sqlite3_open_v2 (file, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      db_error (error, self->db, "be opened");
      return NULL;
    }
  /* Only the owner reads what the agents and checks printed. */
  g_chmod (file, 0600);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (!exec_sql (self->db, "PRAGMA journal_mode = WAL;", error) || !migrate (self->db, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
lean_validation_store_set_session_db (LeanValidationStore *self,
                                      LeanSessionDb       *db)
{
  g_return_if_fail (LEAN_IS_VALIDATION_STORE (self));
  g_return_if_fail (db == NULL || LEAN_IS_SESSION_DB (db));

  g_set_object (&self->session_db, db);
}

static void
settle_session_db (LeanValidationStore *self)
{
  if (self->session_db != NULL)
    lean_session_db_flush (self->session_db);
}

static char *
strv_to_json (const char * const *values)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static GStrv
strv_from_json (const char *text)
{
  g_autoptr(JsonNode) node = text != NULL ? lean_json_parse (text, -1, 4, NULL) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
insert_check (LeanValidationStore  *self,
              gint64                validation_id,
              guint                 position,
              LeanCheckRun         *run,
              GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) output = lean_check_run_get_output (run);
  g_autofree char *argv = NULL;
  g_autofree char *counts = NULL;
  LeanCheck *check = lean_check_run_get_check (run);
  LeanCheckCounts c = lean_check_run_get_counts (run);

  stmt = prepare (self->db,
                  "INSERT INTO validation_checks (validation_id, position, check_id, name, kind,"
                  " argv, timeout, cwd, status, exit_code, duration_ms, counts, message, output,"
                  " output_dropped) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", error);
  if (stmt == NULL)
    return FALSE;
  argv = strv_to_json ((const char * const *)check->argv);
  if (c.found)
    counts = g_strdup_printf ("{\"passed\":%u,\"failed\":%u,\"skipped\":%u}",
                              c.passed, c.failed, c.skipped);
  sqlite3_bind_int64 (stmt, 1, validation_id);
  sqlite3_bind_int (stmt, 2, position);
  bind_text (stmt, 3, check->id);
  bind_text (stmt, 4, check->name);
  bind_text (stmt, 5, lean_check_kind_to_string (check->kind));
  bind_text (stmt, 6, argv);
  sqlite3_bind_int (stmt, 7, check->timeout);
  bind_text (stmt, 8, check->cwd);
  bind_text (stmt, 9, lean_check_status_to_string (lean_check_run_get_status (run)));
  if (lean_check_run_get_exit_code (run) >= 0)
    sqlite3_bind_int (stmt, 10, lean_check_run_get_exit_code (run));
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int64 (stmt, 11, lean_check_run_get_duration_ms (run));
  bind_text (stmt, 12, counts);
  bind_text (stmt, 13, lean_check_run_get_message (run));
  sqlite3_bind_blob64 (stmt, 14, g_bytes_get_data (output, NULL), g_bytes_get_size (output),
                       SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 15, (gint64)lean_check_run_get_output_dropped (run));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (error, self->db, "store a check");
  return TRUE;
}

/* One "check" event per check in the session's history: telemetry
 * reports each as a test run. */
static void
add_check_events (LeanValidationStore *self,
                  LeanValidation      *validation,
                  const char          *session_id)
{
  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    {
      LeanCheckRun *run = lean_validation_get_run (validation, i);
      LeanCheckCounts c = lean_check_run_get_counts (run);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, lean_check_run_get_check (run)->name);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, lean_check_kind_to_string (
                                          lean_check_run_get_check (run)->kind));
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, lean_check_status_to_string (
                                          lean_check_run_get_status (run)));
      if (lean_check_run_get_exit_code (run) >= 0)
        {
          json_builder_set_member_name (b, "exit_code");
          json_builder_add_int_value (b, lean_check_run_get_exit_code (run));
        }
      json_builder_set_member_name (b, "duration_ms");
      json_builder_add_int_value (b, lean_check_run_get_duration_ms (run));
      if (c.found)
        {
          json_builder_set_member_name (b, "passed");
          json_builder_add_int_value (b, c.passed);
          json_builder_set_member_name (b, "failed");
          json_builder_add_int_value (b, c.failed);
          json_builder_set_member_name (b, "skipped");
          json_builder_add_int_value (b, c.skipped);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json = json_to_string (root, FALSE);
      lean_session_db_add_event (self->session_db, session_id, "check", json);
    }
}

gint64
lean_validation_store_add_validation (LeanValidationStore  *self,
                                      LeanValidation       *validation,
                                      const char           *session_id,
                                      const char           *chain_id,
                                      guint                 iteration,
                                      GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *items = NULL;
  g_autofree char *children = NULL;
  g_autofree char *critic_json = NULL;
  LeanCriticVerdict *critic;
  gint64 id;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), 0);
  g_return_val_if_fail (LEAN_IS_VALIDATION (validation), 0);
  g_return_val_if_fail (lean_validation_is_finished (validation), 0);

  settle_session_db (self);
  locker = g_mutex_locker_new (&self->lock);
  if (!exec_sql (self->db, "BEGIN IMMEDIATE", error))
    return 0;

  items = strv_to_json (lean_validation_get_open_items (validation));
  children = strv_to_json (lean_validation_get_open_children (validation));
  critic = lean_validation_get_critic (validation);
  if (critic != NULL && critic->parsed)
    {
      g_autoptr(JsonNode) node = lean_critic_verdict_to_json (critic);
      critic_json = json_to_string (node, FALSE);
    }

  stmt = prepare (self->db,
                  "INSERT INTO validations (spec_id, session_id, chain_id, iteration, work_dir,"
                  " passed, open_items, open_children, critic, critic_text, created_at)"
                  " VALUES (?,?,?,?,?,?,?,?,?,?,?)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, lean_validation_get_spec_id (validation));
  bind_text (stmt, 2, session_id);
  bind_text (stmt, 3, chain_id);
  if (chain_id != NULL)
    sqlite3_bind_int (stmt, 4, iteration);
  else
    sqlite3_bind_null (stmt, 4);
  bind_text (stmt, 5, lean_validation_get_work_dir (validation));
  sqlite3_bind_int (stmt, 6, lean_validation_get_passed (validation));
  bind_text (stmt, 7, items);
  bind_text (stmt, 8, children);
  bind_text (stmt, 9, critic_json);
  bind_text (stmt, 10, critic != NULL && !critic->parsed ? critic->text : NULL);
  sqlite3_bind_int64 (stmt, 11, g_get_real_time () / 1000);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      db_error (error, self->db, "store a validation");
      goto fail;
    }
  id = sqlite3_last_insert_rowid (self->db);

  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    if (!insert_check (self, id, i, lean_validation_get_run (validation, i), error))
      goto fail;

  if (!exec_sql (self->db, "COMMIT", error))
    goto fail;
  if (session_id != NULL && self->session_db != NULL)
    add_check_events (self, validation, session_id);
  return id;

fail:
  exec_sql (self->db, "ROLLBACK", NULL);
  return 0;
}

static LeanCheckCounts
counts_from_json (const char *text)
{
  LeanCheckCounts c = { FALSE, 0, 0, 0 };
  g_autoptr(JsonNode) node = text != NULL ? lean_json_parse (text, -1, 4, NULL) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);

      c.found = TRUE;
      c.passed = json_object_get_int_member_with_default (obj, "passed", 0);
      c.failed = json_object_get_int_member_with_default (obj, "failed", 0);
      c.skipped = json_object_get_int_member_with_default (obj, "skipped", 0);
    }
  return c;
}

LeanValidation *
lean_validation_store_load_validation (LeanValidationStore  *self,
                                       gint64                id,
                                       GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) checks = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LeanCriticVerdict) critic = NULL;
  g_auto(GStrv) items = NULL;
  g_auto(GStrv) children = NULL;
  g_autofree char *spec_id = NULL;
  g_autofree char *work_dir = NULL;
  int rc;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db,
                  "SELECT spec_id, work_dir, open_items, open_children, critic, critic_text"
                  " FROM validations WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("No validation %" G_GINT64_FORMAT), id);
      else
        db_error (error, self->db, "be read");
      return NULL;
    }
  spec_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  work_dir = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  items = strv_from_json ((const char *)sqlite3_column_text (stmt, 2));
  children = strv_from_json ((const char *)sqlite3_column_text (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    {
      const char *json = (const char *)sqlite3_column_text (stmt, 4);
      critic = lean_critic_verdict_parse (json, strlen (json));
    }
  else if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    critic = lean_critic_verdict_new_failed ((const char *)sqlite3_column_text (stmt, 5));

  checks = prepare (self->db,
                    "SELECT check_id, name, kind, argv, timeout, cwd, status, exit_code,"
                    " duration_ms, counts, message, output FROM validation_checks"
                    " WHERE validation_id = ? ORDER BY position", error);
  if (checks == NULL)
    return NULL;
  sqlite3_bind_int64 (checks, 1, id);
  while ((rc = sqlite3_step (checks)) == SQLITE_ROW)
    {
      g_auto(GStrv) argv = strv_from_json ((const char *)sqlite3_column_text (checks, 3));
      g_autoptr(LeanCheck) check = NULL;
      g_autoptr(GBytes) output = NULL;
      LeanCheckKind kind = LEAN_CHECK_KIND_CUSTOM;
      LeanCheckStatus status = LEAN_CHECK_STATUS_ERROR;

      if (argv[0] == NULL)
        continue;
      lean_check_kind_from_string ((const char *)sqlite3_column_text (checks, 2), &kind);
      lean_check_status_from_string ((const char *)sqlite3_column_text (checks, 6), &status);
      check = lean_check_new ((const char *)sqlite3_column_text (checks, 0),
                              (const char *)sqlite3_column_text (checks, 1), kind,
                              (const char * const *)argv, sqlite3_column_int (checks, 4),
                              (const char *)sqlite3_column_text (checks, 5));
      output = g_bytes_new (sqlite3_column_blob (checks, 11), sqlite3_column_bytes (checks, 11));
      g_ptr_array_add (runs, lean_check_run_new_finished (
                               check, status,
                               sqlite3_column_type (checks, 7) == SQLITE_NULL
                               ? -1 : sqlite3_column_int (checks, 7),
                               sqlite3_column_int64 (checks, 8),
                               counts_from_json ((const char *)sqlite3_column_text (checks, 9)),
                               output, (const char *)sqlite3_column_text (checks, 10)));
    }
  if (rc != SQLITE_DONE)
    {
      db_error (error, self->db, "be read");
      return NULL;
    }
  return _lean_validation_new_finished (spec_id, work_dir, runs, (const char * const *)items,
                                        (const char * const *)children, critic);
}

GArray *
lean_validation_store_list_validations (LeanValidationStore  *self,
                                        const char           *session_id,
                                        const char           *chain_id,
                                        GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), NULL);
  g_return_val_if_fail (session_id != NULL || chain_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db, session_id != NULL
                  ? "SELECT id FROM validations WHERE session_id = ? ORDER BY id"
                  : "SELECT id FROM validations WHERE chain_id = ? ORDER BY iteration, id",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, session_id != NULL ? session_id : chain_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      db_error (error, self->db, "be read");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GHashTable *
lean_validation_store_list_latest (LeanValidationStore  *self,
                                   const char           *work_dir,
                                   GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int rc;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), NULL);
  g_return_val_if_fail (work_dir != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  /* SQLite takes the bare column of the row MAX() picked. */
  stmt = prepare (self->db,
                  "SELECT spec_id, MAX(id), passed FROM validations WHERE work_dir = ?"
                  " GROUP BY spec_id", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, work_dir);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);

      *id = sqlite3_column_int64 (stmt, 1);
      if (sqlite3_column_int (stmt, 2) == 0)
        *id = -*id;
      g_hash_table_replace (latest, g_strdup ((const char *)sqlite3_column_text (stmt, 0)), id);
    }
  if (rc != SQLITE_DONE)
    {
      db_error (error, self->db, "be read");
      return NULL;
    }
  return g_steal_pointer (&latest);
}

static const char *
chain_state_to_string (LeanRalphState state)
{
  switch (state)
    {
    case LEAN_RALPH_STATE_IDLE: return "idle";
    case LEAN_RALPH_STATE_AGENT: return "running";
    case LEAN_RALPH_STATE_VALIDATING: return "validating";
    case LEAN_RALPH_STATE_PAUSED: return "paused";
    case LEAN_RALPH_STATE_ENDED: return "ended";
    default: return "idle";
    }
}

gboolean
lean_validation_store_save_chain (LeanValidationStore  *self,
                                  LeanRalphChain       *chain,
                                  const char           *project_path,
                                  const char           *agent_id,
                                  GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) settings_node = NULL;
  g_autofree char *settings = NULL;
  const LeanRalphSettings *s;
  LeanRalphStop stop;
  gint64 now = g_get_real_time () / 1000;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), FALSE);
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (chain), FALSE);

  s = lean_ralph_chain_get_settings (chain);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max_iterations");
  json_builder_add_int_value (builder, s->max_iterations);
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, (gint64)s->max_tokens);
  json_builder_set_member_name (builder, "max_cost_usd");
  json_builder_add_double_value (builder, s->max_cost_usd);
  json_builder_set_member_name (builder, "max_minutes");
  json_builder_add_int_value (builder, s->max_minutes);
  json_builder_set_member_name (builder, "guided");
  json_builder_add_boolean_value (builder, s->guided);
  json_builder_set_member_name (builder, "phases");
  json_builder_add_int_value (builder, lean_ralph_chain_get_n_phases (chain));
  json_builder_end_object (builder);
  settings_node = json_builder_get_root (builder);
  settings = json_to_string (settings_node, FALSE);
  stop = lean_ralph_chain_get_stop (chain);

  settle_session_db (self);
  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db,
                  "INSERT INTO chains (id, project_path, spec_id, agent_id, settings, state,"
                  " result, message, iterations, tokens, cost_usd, created_at, updated_at)"
                  " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?12)"
                  " ON CONFLICT (id) DO UPDATE SET state = ?6, result = ?7, message = ?8,"
                  " iterations = ?9, tokens = ?10, cost_usd = ?11, updated_at = ?12", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, lean_ralph_chain_get_id (chain));
  bind_text (stmt, 2, project_path);
  bind_text (stmt, 3, lean_ralph_chain_get_spec_id (chain));
  bind_text (stmt, 4, agent_id);
  bind_text (stmt, 5, settings);
  bind_text (stmt, 6, chain_state_to_string (lean_ralph_chain_get_state (chain)));
  bind_text (stmt, 7, stop != LEAN_RALPH_STOP_NONE ? lean_ralph_stop_to_string (stop) : NULL);
  bind_text (stmt, 8, lean_ralph_chain_get_stop_message (chain));
  sqlite3_bind_int (stmt, 9, lean_ralph_chain_get_iteration (chain));
  sqlite3_bind_int64 (stmt, 10, (gint64)lean_ralph_chain_get_tokens (chain));
  sqlite3_bind_double (stmt, 11, lean_ralph_chain_get_cost_usd (chain));
  sqlite3_bind_int64 (stmt, 12, now);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (error, self->db, "store a chain");
  return TRUE;
}

JsonNode *
lean_validation_store_get_chain (LeanValidationStore  *self,
                                 const char           *chain_id,
                                 GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *names[] = { "id", "spec", "agent", "settings", "state", "result", "message" };
  int rc;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), NULL);
  g_return_val_if_fail (chain_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db,
                  "SELECT id, spec_id, agent_id, settings, state, result, message, iterations,"
                  " tokens, cost_usd FROM chains WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, chain_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND, _("No chain %s"), chain_id);
      else
        db_error (error, self->db, "be read");
      return NULL;
    }

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *text = (const char *)sqlite3_column_text (stmt, i);

      json_builder_set_member_name (builder, names[i]);
      if (i == 3 && text != NULL)
        {
          JsonNode *settings = lean_json_parse (text, -1, 4, NULL);
          json_builder_add_value (builder, settings != NULL ? settings
                                                            : json_node_new (JSON_NODE_NULL));
        }
      else if (text != NULL)
        json_builder_add_string_value (builder, text);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "iterations");
  json_builder_add_int_value (builder, sqlite3_column_int (stmt, 7));
  json_builder_set_member_name (builder, "tokens");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 8));
  json_builder_set_member_name (builder, "cost_usd");
  json_builder_add_double_value (builder, sqlite3_column_double (stmt, 9));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
lean_validation_store_link_session (LeanValidationStore  *self,
                                    const char           *session_id,
                                    const char           *kind,
                                    const char           *chain_id,
                                    guint                 iteration,
                                    GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), FALSE);
  g_return_val_if_fail (session_id != NULL && kind != NULL, FALSE);

  settle_session_db (self);
  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db,
                  "INSERT OR REPLACE INTO session_links (session_id, kind, chain_id, iteration)"
                  " VALUES (?,?,?,?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, kind);
  bind_text (stmt, 3, chain_id);
  if (chain_id != NULL)
    sqlite3_bind_int (stmt, 4, iteration);
  else
    sqlite3_bind_null (stmt, 4);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (error, self->db, "link a session");
  return TRUE;
}

gboolean
lean_validation_store_get_session_link (LeanValidationStore  *self,
                                        const char           *session_id,
                                        char                **kind,
                                        char                **chain_id,
                                        guint                *iteration,
                                        GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LEAN_IS_VALIDATION_STORE (self), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = prepare (self->db,
                  "SELECT kind, chain_id, iteration FROM session_links WHERE session_id = ?",
                  error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    return db_error (error, self->db, "be read");
  if (kind != NULL)
    *kind = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  if (chain_id != NULL)
    *chain_id = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  if (iteration != NULL)
    *iteration = sqlite3_column_int (stmt, 2);
  return TRUE;
}
