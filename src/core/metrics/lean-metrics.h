/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One day (UTC) of the range. */
typedef struct
{
  char    *day;               /* "YYYY-MM-DD" */
  guint    completed;         /* sessions that ended, by result */
  guint    failed;
  guint    cancelled;
  guint    interrupted;
  guint    running;           /* pending, running, paused, validating */
  guint64  tokens;            /* input + output */
  double   cost_usd;
  guint    specs_completed;   /* from the specs' transitions */
} LeanMetricsDay;

typedef struct
{
  char    *agent_id;
  guint    sessions;
  guint64  tokens;
  double   cost_usd;
} LeanMetricsAgent;

typedef struct
{
  char  *reason;              /* the session's message, else its exit code */
  guint  count;
} LeanMetricsReason;

typedef struct
{
  guint iterations;           /* a passed chain took this many */
  guint chains;
} LeanMetricsIterations;

/* The figures of the Dashboard and `leanspec-ctl metrics`. Every count is
 * over the sessions created in [since, now), of one project or all. */
typedef struct
{
  char    *project_path;      /* NULL: every project */
  gint64   since_usec;        /* 0: all time */
  guint    sessions;
  guint64  tokens;
  double   cost_usd;
  gint64   median_duration_usec;  /* of ended sessions; -1: none */
  guint    chains_passed;
  guint    chains_failed;     /* ended other than passed */
  guint    specs_completed;
  GArray  *days;              /* LeanMetricsDay, oldest first, no gaps */
  GArray  *agents;            /* LeanMetricsAgent, most tokens first */
  GArray  *reasons;           /* LeanMetricsReason, commonest first, <= 10 */
  GArray  *iterations;        /* LeanMetricsIterations, by iterations */
} LeanMetrics;

#define LEAN_TYPE_METRICS (lean_metrics_get_type ())
GType        lean_metrics_get_type  (void) G_GNUC_CONST;
void         lean_metrics_free      (LeanMetrics *metrics);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanMetrics, lean_metrics_free)

/* The times (unix microseconds) at which specs became complete, from the
 * "transitions" of each LeanSpec in @specs: read on the caller's thread,
 * handed to the worker as plain numbers. */
GArray      *lean_metrics_collect_completions (GPtrArray *specs);

/* Blocking (SQLite, its own read-only connection): for worker threads and
 * the CLI. @db_path: the session database file. @project_path NULL: every
 * project. @since_usec 0: all time. @completions (may be NULL): from
 * lean_metrics_collect_completions(); NULL with every project reads the
 * specs of each project folder that has sessions. Aggregates run in SQL over the
 * sessions' indexes; no session is loaded into memory. A database without
 * the chains table (no chain ever ran) has zero chains. */
LeanMetrics *lean_metrics_compute        (const char   *db_path,
                                          const char   *project_path,
                                          gint64        since_usec,
                                          GArray       *completions,
                                          GError      **error);
void         lean_metrics_compute_async  (const char          *db_path,
                                          const char          *project_path,
                                          gint64               since_usec,
                                          GArray              *completions,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
LeanMetrics *lean_metrics_compute_finish (GAsyncResult        *result,
                                          GError             **error);

/* {"project", "since", "sessions", "tokens", "cost_usd",
 *  "median_duration_s", "chains": {"passed", "failed"}, "specs_completed",
 *  "days": [{"day", "completed", "failed", "cancelled", "interrupted",
 *  "running", "tokens", "cost_usd", "specs_completed"}], "agents": [{"agent",
 *  "sessions", "tokens", "cost_usd"}], "failure_reasons": [{"reason",
 *  "count"}], "iterations_to_pass": [{"iterations", "chains"}]} */
JsonNode    *lean_metrics_to_json        (LeanMetrics  *metrics);

/* The summary of one spec's work for the completion summary: every
 * session of @spec_id in @project_path, archived or not. Blocking. */
typedef struct
{
  guint    sessions;
  guint    iterations;        /* the highest iteration reached */
  guint64  tokens;
  double   cost_usd;
  gint64   duration_usec;     /* summed over the sessions */
  char     last_session_id[64];  /* the newest session, "" for none */
} LeanMetricsSpecWork;

gboolean     lean_metrics_spec_work      (const char          *db_path,
                                          const char          *project_path,
                                          const char          *spec_id,
                                          LeanMetricsSpecWork *work,
                                          GError             **error);

G_END_DECLS
