/* SPDX-License-Identifier: MIT */
/* LeanMetrics: the Dashboard's figures, as SQL aggregates over the session
 * database (a read-only connection of its own) plus the completions the
 * specs' transitions record. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>
#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-metrics.h"
#include "lean-project.h"
#include "lean-spec.h"

#define DAY_USEC ((gint64) 86400 * G_USEC_PER_SEC)
/* A range longer than this (ten years) is cut to its last days: a crafted
 * created_at must not make a chart of a million bars. */
#define MAX_DAYS 3660
#define MAX_REASONS 10
#define REASON_MAX_CHARS 200

G_DEFINE_BOXED_TYPE (LeanMetrics, lean_metrics, (GBoxedCopyFunc) NULL, lean_metrics_free)

static void
day_clear (gpointer data)
{
  g_free (((LeanMetricsDay *) data)->day);
}

static void
agent_clear (gpointer data)
{
  g_free (((LeanMetricsAgent *) data)->agent_id);
}

static void
reason_clear (gpointer data)
{
  g_free (((LeanMetricsReason *) data)->reason);
}

void
lean_metrics_free (LeanMetrics *metrics)
{
  if (metrics == NULL)
    return;
  g_free (metrics->project_path);
  g_clear_pointer (&metrics->days, g_array_unref);
  g_clear_pointer (&metrics->agents, g_array_unref);
  g_clear_pointer (&metrics->reasons, g_array_unref);
  g_clear_pointer (&metrics->iterations, g_array_unref);
  g_free (metrics);
}

static LeanMetrics *
metrics_new (const char *project_path,
             gint64      since_usec)
{
  LeanMetrics *m = g_new0 (LeanMetrics, 1);

  m->project_path = g_strdup (project_path);
  m->since_usec = MAX (since_usec, 0);
  m->median_duration_usec = -1;
  m->days = g_array_new (FALSE, TRUE, sizeof (LeanMetricsDay));
  g_array_set_clear_func (m->days, day_clear);
  m->agents = g_array_new (FALSE, TRUE, sizeof (LeanMetricsAgent));
  g_array_set_clear_func (m->agents, agent_clear);
  m->reasons = g_array_new (FALSE, TRUE, sizeof (LeanMetricsReason));
  g_array_set_clear_func (m->reasons, reason_clear);
  m->iterations = g_array_new (FALSE, TRUE, sizeof (LeanMetricsIterations));
  return m;
}

GArray *
lean_metrics_collect_completions (GPtrArray *specs)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; specs != NULL && i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      guint n = lean_spec_get_n_transitions (spec);

      for (guint j = 0; j < n; j++)
        {
          const char *status = NULL, *at = NULL;
          g_autoptr(GDateTime) dt = NULL;
          gint64 usec;

          if (!lean_spec_get_transition (spec, j, &status, &at) ||
              g_strcmp0 (status, "complete") != 0 || at == NULL)
            continue;
          dt = g_date_time_new_from_iso8601 (at, NULL);
          if (dt == NULL)
            continue;
          usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
          g_array_append_val (times, usec);
        }
    }
  return times;
}

static gboolean
db_error (GError  **error,
          sqlite3  *db)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_DATABASE,
               _("The session database could not be read: %s"),
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

/* The WHERE clause every query shares: ?1 the project (NULL: all), ?2 the
 * start of the range. */
#define RANGE " WHERE (?1 IS NULL OR project_path = ?1) AND created_at >= ?2"

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         LeanMetrics *m,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) text = g_string_new (sql);

  /* Each case its own plan: an OR over the project hides the indexes
   * from SQLite's planner. */
  g_string_replace (text, "(?1 IS NULL OR project_path = ?1)",
                    m->project_path != NULL ? "project_path = ?1" : "?1 IS NULL", 0);
  if (sqlite3_prepare_v2 (db, text->str, -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (error, db);
      sqlite3_finalize (stmt);
      return NULL;
    }
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    {
      if (m->project_path != NULL)
        sqlite3_bind_text (stmt, 1, m->project_path, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 1);
      sqlite3_bind_int64 (stmt, 2, m->since_usec);
    }
  return stmt;
}

static char *
day_name (gint64 day_index)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (day_index * 86400);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
}

static gint64
floor_day (gint64 usec)
{
  return usec >= 0 ? usec / DAY_USEC : -((-usec + DAY_USEC - 1) / DAY_USEC);
}

static gboolean
read_days (sqlite3      *db,
           LeanMetrics  *m,
           GArray       *completions,
           GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 first = G_MAXINT64, last;
  gint64 today = floor_day (g_get_real_time ());
  int rc;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (LeanMetricsDay));
  g_autoptr(GArray) row_days = g_array_new (FALSE, FALSE, sizeof (gint64));

  stmt = prepare (db,
                  "SELECT created_at / 86400000000 AS day,"
                  " SUM(state = 'completed'), SUM(state = 'failed'), SUM(state = 'cancelled'),"
                  " SUM(state = 'interrupted'),"
                  " SUM(state IN ('pending', 'running', 'paused', 'validating')),"
                  " SUM(input_tokens + output_tokens), SUM(COALESCE(cost_usd, 0)), COUNT(*)"
                  " FROM sessions" RANGE " GROUP BY day ORDER BY day", m, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LeanMetricsDay d = { 0 };
      gint64 day = sqlite3_column_int64 (stmt, 0);

      d.completed = sqlite3_column_int (stmt, 1);
      d.failed = sqlite3_column_int (stmt, 2);
      d.cancelled = sqlite3_column_int (stmt, 3);
      d.interrupted = sqlite3_column_int (stmt, 4);
      d.running = sqlite3_column_int (stmt, 5);
      d.tokens = sqlite3_column_int64 (stmt, 6);
      d.cost_usd = sqlite3_column_double (stmt, 7);
      m->sessions += sqlite3_column_int (stmt, 8);
      m->tokens += d.tokens;
      m->cost_usd += d.cost_usd;
      g_array_append_val (rows, d);
      g_array_append_val (row_days, day);
      first = MIN (first, day);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_error (error, db);

  for (guint i = 0; completions != NULL && i < completions->len; i++)
    {
      gint64 at = g_array_index (completions, gint64, i);

      if (at >= m->since_usec)
        first = MIN (first, floor_day (at));
    }
  if (m->since_usec > 0)
    first = floor_day (m->since_usec);
  if (first == G_MAXINT64)
    first = today;
  last = today;
  if (row_days->len > 0)
    last = MAX (last, g_array_index (row_days, gint64, row_days->len - 1));
  if (last - first + 1 > MAX_DAYS)
    first = last - MAX_DAYS + 1;

  for (gint64 day = first; day <= last; day++)
    {
      LeanMetricsDay d = { 0 };

      d.day = day_name (day);
      g_array_append_val (m->days, d);
    }
  for (guint i = 0; i < row_days->len; i++)
    {
      gint64 day = g_array_index (row_days, gint64, i);
      LeanMetricsDay *src = &g_array_index (rows, LeanMetricsDay, i);
      LeanMetricsDay *dst;

      if (day < first || day > last)
        continue;
      dst = &g_array_index (m->days, LeanMetricsDay, day - first);
      src->day = dst->day;
      *dst = *src;
    }
  for (guint i = 0; completions != NULL && i < completions->len; i++)
    {
      gint64 at = g_array_index (completions, gint64, i);
      gint64 day = floor_day (at);

      if (at < m->since_usec || day < first || day > last)
        continue;
      g_array_index (m->days, LeanMetricsDay, day - first).specs_completed++;
      m->specs_completed++;
    }
  return TRUE;
}

static gboolean
read_agents (sqlite3      *db,
             LeanMetrics  *m,
             GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (db,
                  "SELECT COALESCE(agent_id, ''), COUNT(*), SUM(input_tokens + output_tokens),"
                  " SUM(COALESCE(cost_usd, 0)) FROM sessions" RANGE
                  " GROUP BY agent_id ORDER BY 3 DESC, 1", m, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LeanMetricsAgent a = { 0 };

      a.agent_id = g_utf8_make_valid ((const char *) sqlite3_column_text (stmt, 0), -1);
      a.sessions = sqlite3_column_int (stmt, 1);
      a.tokens = sqlite3_column_int64 (stmt, 2);
      a.cost_usd = sqlite3_column_double (stmt, 3);
      g_array_append_val (m->agents, a);
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_error (error, db);
}

static gboolean
read_reasons (sqlite3      *db,
              LeanMetrics  *m,
              GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (db,
                  "SELECT COALESCE(NULLIF(message, ''), 'exit code ' || exit_code, 'no reason given')"
                  " AS reason, COUNT(*) AS n FROM sessions" RANGE " AND state = 'failed'"
                  " GROUP BY reason ORDER BY n DESC, reason LIMIT " G_STRINGIFY (MAX_REASONS),
                  m, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LeanMetricsReason r = { 0 };
      g_autofree char *valid = g_utf8_make_valid ((const char *) sqlite3_column_text (stmt, 0), -1);

      r.reason = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), REASON_MAX_CHARS));
      r.count = sqlite3_column_int (stmt, 1);
      g_array_append_val (m->reasons, r);
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_error (error, db);
}

static gboolean
read_median (sqlite3      *db,
             LeanMetrics  *m,
             GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  stmt = prepare (db, "SELECT COUNT(*) FROM sessions" RANGE
                  " AND ended_at > 0 AND started_at > 0 AND ended_at >= started_at", m, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (n == 0)
    return TRUE;

  /* The middle one (the lower of the two middle ones for an even count). */
  stmt = prepare (db, "SELECT ended_at - started_at AS d FROM sessions" RANGE
                  " AND ended_at > 0 AND started_at > 0 AND ended_at >= started_at"
                  " ORDER BY d LIMIT 1 OFFSET ?3", m, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, (n - 1) / 2);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    m->median_duration_usec = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
has_table (sqlite3    *db,
           const char *name)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      found = sqlite3_step (stmt) == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  return found;
}

static gboolean
read_chains (sqlite3      *db,
             LeanMetrics  *m,
             GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!has_table (db, "chains"))
    return TRUE;
  stmt = prepare (db,
                  "SELECT result = 'passed' AS passed, iterations, COUNT(*) FROM chains"
                  /* chains keep milliseconds */
                  " WHERE (?1 IS NULL OR project_path = ?1) AND created_at >= ?2 / 1000"
                  " AND state = 'ended' GROUP BY passed, iterations ORDER BY iterations",
                  m, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint n = sqlite3_column_int (stmt, 2);

      if (sqlite3_column_int (stmt, 0))
        {
          LeanMetricsIterations it = { sqlite3_column_int (stmt, 1), n };

          m->chains_passed += n;
          g_array_append_val (m->iterations, it);
        }
      else
        m->chains_failed += n;
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_error (error, db);
}

static sqlite3 *
open_readonly (const char  *db_path,
               gboolean    *missing,
               GError     **error)
{
  sqlite3 *db = NULL;

  *missing = FALSE;
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      *missing = TRUE;
      return NULL;
    }
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      db_error (error, db);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* The completions of every project that has sessions in @db: for "every
 * project" when the caller has no specs of its own to give. A project folder
 * that is gone or unreadable counts nothing. */
static GArray *
collect_all_completions (sqlite3 *db)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT DISTINCT project_path FROM sessions"
                          " WHERE project_path IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
    return times;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *path = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(LeanProject) project = NULL;
      g_autoptr(GPtrArray) specs = NULL;
      g_autoptr(GArray) some = NULL;

      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      project = lean_project_open (path, NULL);
      specs = project != NULL ? lean_project_load_specs (project, NULL, NULL, NULL) : NULL;
      if (specs == NULL)
        continue;
      some = lean_metrics_collect_completions (specs);
      g_array_append_vals (times, some->data, some->len);
    }
  sqlite3_finalize (stmt);
  return times;
}

LeanMetrics *
lean_metrics_compute (const char  *db_path,
                      const char  *project_path,
                      gint64       since_usec,
                      GArray      *completions,
                      GError     **error)
{
  g_autoptr(LeanMetrics) m = metrics_new (project_path, since_usec);
  g_autoptr(GArray) all_completions = NULL;
  sqlite3 *db;
  gboolean missing, ok;

  g_return_val_if_fail (db_path != NULL, NULL);

  db = open_readonly (db_path, &missing, error);
  if (db == NULL && !missing)
    return NULL;
  if (db == NULL || !has_table (db, "sessions"))
    {
      /* No session ever ran: only the specs' completions count. */
      if (db != NULL)
        sqlite3_close (db);
      db = NULL;
      sqlite3_open_v2 (":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
      sqlite3_exec (db, "CREATE TABLE sessions (project_path, created_at, state, agent_id,"
                    " input_tokens, output_tokens, cost_usd, message, exit_code, started_at,"
                    " ended_at)", NULL, NULL, NULL);
    }

  /* One read transaction: every figure comes from the same snapshot. */
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  if (project_path == NULL && completions == NULL)
    completions = all_completions = collect_all_completions (db);
  ok = read_days (db, m, completions, error) &&
       read_agents (db, m, error) &&
       read_reasons (db, m, error) &&
       read_median (db, m, error) &&
       read_chains (db, m, error);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  if (!ok)
    return NULL;
  return g_steal_pointer (&m);
}

typedef struct
{
  char   *db_path;
  char   *project_path;
  gint64  since_usec;
  GArray *completions;
} ComputeData;

static void
compute_data_free (ComputeData *data)
{
  g_free (data->db_path);
  g_free (data->project_path);
  g_clear_pointer (&data->completions, g_array_unref);
  g_free (data);
}

static void
compute_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ComputeData *data = task_data;
  GError *error = NULL;
  LeanMetrics *m = lean_metrics_compute (data->db_path, data->project_path, data->since_usec,
                                         data->completions, &error);

  if (m == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, m, (GDestroyNotify) lean_metrics_free);
}

void
lean_metrics_compute_async (const char          *db_path,
                            const char          *project_path,
                            gint64               since_usec,
                            GArray              *completions,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ComputeData *data = g_new0 (ComputeData, 1);

  data->db_path = g_strdup (db_path);
  data->project_path = g_strdup (project_path);
  data->since_usec = since_usec;
  data->completions = completions != NULL ? g_array_ref (completions) : NULL;
  g_task_set_source_tag (task, lean_metrics_compute_async);
  g_task_set_task_data (task, data, (GDestroyNotify) compute_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, compute_thread);
}

LeanMetrics *
lean_metrics_compute_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_cost (JsonBuilder *b,
          double       value)
{
  json_builder_set_member_name (b, "cost_usd");
  /* Cents of a cent: no float noise such as 0.30000000000000004. */
  json_builder_add_double_value (b, ((gint64) (value * 10000 + 0.5)) / 10000.0);
}

JsonNode *
lean_metrics_to_json (LeanMetrics *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "project");
  if (m->project_path != NULL)
    json_builder_add_string_value (b, m->project_path);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "since");
  if (m->since_usec > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (m->since_usec / G_USEC_PER_SEC);
      g_autofree char *iso = g_date_time_format_iso8601 (dt);
      json_builder_add_string_value (b, iso);
    }
  else
    json_builder_add_null_value (b);
  add_int (b, "sessions", m->sessions);
  add_int (b, "tokens", m->tokens);
  add_cost (b, m->cost_usd);
  json_builder_set_member_name (b, "median_duration_s");
  if (m->median_duration_usec >= 0)
    json_builder_add_double_value (b, (double) m->median_duration_usec / G_USEC_PER_SEC);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "chains");
  json_builder_begin_object (b);
  add_int (b, "passed", m->chains_passed);
  add_int (b, "failed", m->chains_failed);
  json_builder_end_object (b);
  add_int (b, "specs_completed", m->specs_completed);

  json_builder_set_member_name (b, "days");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->days->len; i++)
    {
      LeanMetricsDay *d = &g_array_index (m->days, LeanMetricsDay, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "day");
      json_builder_add_string_value (b, d->day);
      add_int (b, "completed", d->completed);
      add_int (b, "failed", d->failed);
      add_int (b, "cancelled", d->cancelled);
      add_int (b, "interrupted", d->interrupted);
      add_int (b, "running", d->running);
      add_int (b, "tokens", d->tokens);
      add_cost (b, d->cost_usd);
      add_int (b, "specs_completed", d->specs_completed);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "agents");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->agents->len; i++)
    {
      LeanMetricsAgent *a = &g_array_index (m->agents, LeanMetricsAgent, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "agent");
      json_builder_add_string_value (b, a->agent_id);
      add_int (b, "sessions", a->sessions);
      add_int (b, "tokens", a->tokens);
      add_cost (b, a->cost_usd);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "failure_reasons");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->reasons->len; i++)
    {
      LeanMetricsReason *r = &g_array_index (m->reasons, LeanMetricsReason, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, r->reason);
      add_int (b, "count", r->count);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "iterations_to_pass");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->iterations->len; i++)
    {
      LeanMetricsIterations *it = &g_array_index (m->iterations, LeanMetricsIterations, i);

      json_builder_begin_object (b);
      add_int (b, "iterations", it->iterations);
      add_int (b, "chains", it->chains);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
lean_metrics_spec_work (const char          *db_path,
                        const char          *project_path,
                        const char          *spec_id,
                        LeanMetricsSpecWork *work,
                        GError             **error)
{
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gboolean missing;
  int rc;

  g_return_val_if_fail (db_path != NULL && spec_id != NULL && work != NULL, FALSE);

  memset (work, 0, sizeof *work);
  db = open_readonly (db_path, &missing, error);
  if (db == NULL)
    return missing;
  if (!has_table (db, "sessions"))
    {
      sqlite3_close (db);
      return TRUE;
    }
  if (sqlite3_prepare_v2 (db, "SELECT COUNT(*), COALESCE(MAX(iteration), 0),"
                          " COALESCE(SUM(input_tokens + output_tokens), 0),"
                          " COALESCE(SUM(cost_usd), 0),"
                          " COALESCE(SUM(CASE WHEN ended_at >= started_at AND started_at > 0"
                          "   THEN ended_at - started_at ELSE 0 END), 0),"
                          " (SELECT id FROM sessions WHERE spec_id = ?1"
                          "   AND (?2 IS NULL OR project_path = ?2)"
                          "   ORDER BY created_at DESC, rowid DESC LIMIT 1)"
                          " FROM sessions WHERE spec_id = ?1 AND (?2 IS NULL OR project_path = ?2)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (error, db);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, spec_id, -1, SQLITE_TRANSIENT);
  if (project_path != NULL)
    sqlite3_bind_text (stmt, 2, project_path, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *last = (const char *) sqlite3_column_text (stmt, 5);

      if (last != NULL)
        g_strlcpy (work->last_session_id, last, sizeof work->last_session_id);
      work->sessions = sqlite3_column_int (stmt, 0);
      work->iterations = sqlite3_column_int (stmt, 1);
      work->tokens = sqlite3_column_int64 (stmt, 2);
      work->cost_usd = sqlite3_column_double (stmt, 3);
      work->duration_usec = sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      db_error (error, db);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_close (db);
  return TRUE;
}
