/* SPDX-License-Identifier: MIT */
#include "metrics-fixture.h"

#include <sqlite3.h>

const char *
metrics_fixture_state (guint i)
{
  guint k = i % 20;

  if (k < 14)
    return "completed";
  if (k < 18)
    return "failed";
  if (k == 18)
    return "cancelled";
  return "interrupted";
}

const char *
metrics_fixture_agent (guint i)
{
  static const char * const agents[] = { "claude", "codex", "gemini" };
  return agents[i % 3];
}

const char *
metrics_fixture_message (guint i)
{
  static const char * const messages[] = {
    "Claude: usage limit reached", "exited with status 1", "checks failed: npm test",
  };
  /* The commonest first: 2 of 4 failures, then 1 and 1. */
  guint k = (i / 20) % 4;
  return messages[k < 2 ? 0 : k - 1];
}

guint64
metrics_fixture_tokens (guint i)
{
  return 1000 + (i % 17) * 100;
}

double
metrics_fixture_cost (guint i)
{
  return 0.01 * (1 + i % 5);
}

gint64
metrics_fixture_duration_usec (guint i)
{
  return (60 + 7 * (gint64) (i % 50)) * G_USEC_PER_SEC;
}

gboolean
metrics_fixture_fill (const char *db_path,
                      guint       n,
                      guint       days,
                      guint       n_projects,
                      const char *project)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *ins = NULL, *chain = NULL;
  gint64 now = g_get_real_time ();
  gboolean has_chains;
  gboolean ok = FALSE;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    goto out;
  sqlite3_busy_timeout (db, 5000);
  /* The chains table belongs to the validate wing's store; create it as
   * that store does when the test did not open one. */
  sqlite3_exec (db, "CREATE TABLE IF NOT EXISTS chains ("
                "  id TEXT PRIMARY KEY, project_path TEXT, spec_id TEXT NOT NULL, agent_id TEXT,"
                "  settings TEXT NOT NULL, state TEXT NOT NULL, result TEXT, message TEXT,"
                "  iterations INTEGER NOT NULL DEFAULT 0, tokens INTEGER NOT NULL DEFAULT 0,"
                "  cost_usd REAL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);",
                NULL, NULL, NULL);
  has_chains = TRUE;
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO sessions (id, project_path, spec_id, agent_id, mode,"
                          " runner, state, started_at, ended_at, exit_code, message,"
                          " input_tokens, output_tokens, cost_usd, iteration, created_at,"
                          " updated_at) VALUES (?1, ?2, ?3, ?4, 'autonomous', 'local', ?5, ?6,"
                          " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)", -1, &ins, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO chains (id, project_path, spec_id, agent_id, settings,"
                          " state, result, iterations, created_at, updated_at)"
                          " VALUES (?1, ?2, ?3, 'claude', '{}', 'ended', ?4, ?5, ?6, ?6)",
                          -1, &chain, NULL) != SQLITE_OK)
    goto out;

  for (guint i = 0; i < n; i++)
    {
      /* Random: a second fill of the same file adds sessions. */
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *proj = project != NULL ? g_strdup (project)
                                              : g_strdup_printf ("/proj/%u", i % MAX (n_projects, 1));
      g_autofree char *spec = g_strdup_printf ("%03u-spec", 1 + i % 40);
      /* Spread evenly over the days, the newest an hour ago. */
      gint64 created = now - (gint64) G_USEC_PER_SEC * 3600 -
                       (gint64) ((double) i / MAX (n, 1) * days * 86400) * G_USEC_PER_SEC;
      const char *state = metrics_fixture_state (i);
      guint64 tokens = metrics_fixture_tokens (i);

      sqlite3_reset (ins);
      sqlite3_bind_text (ins, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 2, proj, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 3, spec, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 4, metrics_fixture_agent (i), -1, SQLITE_STATIC);
      sqlite3_bind_text (ins, 5, state, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (ins, 6, created);
      sqlite3_bind_int64 (ins, 7, created + metrics_fixture_duration_usec (i));
      sqlite3_bind_int (ins, 8, g_str_equal (state, "failed") ? 1 : 0);
      if (g_str_equal (state, "failed"))
        sqlite3_bind_text (ins, 9, metrics_fixture_message (i), -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (ins, 9);
      sqlite3_bind_int64 (ins, 10, tokens * 3 / 4);
      sqlite3_bind_int64 (ins, 11, tokens - tokens * 3 / 4);
      sqlite3_bind_double (ins, 12, metrics_fixture_cost (i));
      sqlite3_bind_int (ins, 13, 1 + i % 4);
      sqlite3_bind_int64 (ins, 14, created);
      if (sqlite3_step (ins) != SQLITE_DONE)
        goto out;

      if (has_chains && i % 10 == 0)
        {
          g_autofree char *cid = g_uuid_string_random ();

          sqlite3_reset (chain);
          sqlite3_bind_text (chain, 1, cid, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (chain, 2, proj, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (chain, 3, spec, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (chain, 4, i % 30 == 0 ? "max_iterations" : "passed", -1, SQLITE_STATIC);
          sqlite3_bind_int (chain, 5, 1 + (i / 10) % 4);
          sqlite3_bind_int64 (chain, 6, created / 1000);
          if (sqlite3_step (chain) != SQLITE_DONE)
            goto out;
        }
    }
  ok = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;

out:
  if (!ok && db != NULL)
    g_printerr ("metrics fixture: %s\n", sqlite3_errmsg (db));
  sqlite3_finalize (ins);
  sqlite3_finalize (chain);
  sqlite3_close (db);
  return ok;
}
