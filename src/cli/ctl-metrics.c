/* SPDX-License-Identifier: MIT */
/* leanspec-ctl metrics: the Dashboard's figures as text or JSON. */
#include "config.h"

#include <glib/gi18n.h>

#include "ctl-private.h"
#include "lean-metrics.h"
#include "lean-session-db.h"

/* "YYYY-MM-DD" (UTC midnight) or "Nd" (N days ago); -1 when neither. */
static gint64
parse_since (const char *text)
{
  gint64 days;
  char *end = NULL;
  int y, m, d;
  char tail;

  if (text == NULL)
    return 0;
  days = g_ascii_strtoll (text, &end, 10);
  if (end != text && g_str_equal (end, "d") && days > 0 && days <= 100000)
    return g_get_real_time () - days * 86400 * G_USEC_PER_SEC;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
      g_date_valid_dmy (d, m, y))
    {
      g_autoptr(GDateTime) dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
      if (dt != NULL)
        return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
    }
  return -1;
}

static char *
format_duration (gint64 usec)
{
  gint64 s = usec / G_USEC_PER_SEC;

  if (usec < 0)
    return g_strdup ("–");
  if (s < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", s);
  if (s < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s", s / 60, s % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600, (s / 60) % 60);
}

static void
print_text (LeanMetrics *m)
{
  g_autofree char *median = format_duration (m->median_duration_usec);

  g_print ("%-18s %s\n", _("Project"), m->project_path ?: _("all projects"));
  g_print ("%-18s %u\n", _("Sessions"), m->sessions);
  g_print ("%-18s %" G_GUINT64_FORMAT "\n", _("Tokens"), m->tokens);
  g_print ("%-18s $%.2f\n", _("Cost"), m->cost_usd);
  g_print ("%-18s %s\n", _("Median duration"), median);
  g_print ("%-18s %u passed, %u failed\n", _("Chains"), m->chains_passed, m->chains_failed);
  g_print ("%-18s %u\n", _("Specs completed"), m->specs_completed);

  if (m->iterations->len > 0)
    {
      g_print ("\n%s\n", _("Iterations to pass"));
      for (guint i = 0; i < m->iterations->len; i++)
        {
          LeanMetricsIterations *it = &g_array_index (m->iterations, LeanMetricsIterations, i);
          g_print ("  %3u  %u\n", it->iterations, it->chains);
        }
    }

  g_print ("\n%-10s %5s %6s %6s %9s %11s %10s %9s\n", _("Day"), _("Done"), _("Failed"),
           _("Cancel"), _("Interrupt"), _("Tokens"), _("Cost"), _("Completed"));
  for (guint i = 0; i < m->days->len; i++)
    {
      LeanMetricsDay *d = &g_array_index (m->days, LeanMetricsDay, i);

      /* All time over years would be thousands of empty lines. */
      if (m->since_usec == 0 && d->completed + d->failed + d->cancelled + d->interrupted +
          d->running + d->specs_completed == 0)
        continue;
      g_print ("%-10s %5u %6u %6u %9u %11" G_GUINT64_FORMAT " %10.2f %9u\n", d->day, d->completed,
               d->failed, d->cancelled, d->interrupted, d->tokens, d->cost_usd, d->specs_completed);
    }

  if (m->agents->len > 0)
    {
      g_print ("\n%-16s %8s %11s %10s\n", _("Agent"), _("Sessions"), _("Tokens"), _("Cost"));
      for (guint i = 0; i < m->agents->len; i++)
        {
          LeanMetricsAgent *a = &g_array_index (m->agents, LeanMetricsAgent, i);
          g_print ("%-16s %8u %11" G_GUINT64_FORMAT " %10.2f\n", a->agent_id, a->sessions,
                   a->tokens, a->cost_usd);
        }
    }

  if (m->reasons->len > 0)
    {
      g_print ("\n%s\n", _("Commonest failure reasons"));
      for (guint i = 0; i < m->reasons->len; i++)
        {
          LeanMetricsReason *r = &g_array_index (m->reasons, LeanMetricsReason, i);
          g_print ("  %4u  %s\n", r->count, r->reason);
        }
    }
}

int
ctl_cmd_metrics (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  g_autofree char *project_dir = NULL;
  g_autofree char *since_text = NULL;
  gboolean json = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GArray) completions = NULL;
  g_autoptr(LeanMetrics) m = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since;
  int exit_code;
  const GOptionEntry entries[] = {
    { "project", 0, 0, G_OPTION_ARG_FILENAME, &project_dir,
      N_("Only this project's sessions and specs (default: every project)"), N_("DIR") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
      N_("Only from this day on (YYYY-MM-DD, UTC) or the last N days (7d, 30d)"), N_("DATE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL,
                          _("Sessions, chains, tokens, cost and completed specs over time."),
                          _("Sessions are read from the session database ($LEANSPEC_DB, else\n"
                            "$XDG_DATA_HOME/leanspec-desktop/sessions.db); specs completed come\n"
                            "from the transitions of the specs of --project, or of every project\n"
                            "folder that has sessions."),
                          entries, 0, 0, &exit_code))
    return exit_code;

  since = parse_since (since_text);
  if (since < 0)
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("--since “%s”: expected a day as YYYY-MM-DD or a number of days "
                                 "such as 7d"), since_text);

  if (project_dir != NULL)
    {
      CtlContext pctx = *ctx;

      pctx.directory = project_dir;
      if (!ctl_load_project (&pctx, &project, &specs, &problems, &exit_code))
        return exit_code;
      ctl_report_problems (problems);
      completions = lean_metrics_collect_completions (specs);
    }

  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  lean_session_db_flush (db);
  m = lean_metrics_compute (lean_session_db_get_path (db),
                            project != NULL ? lean_project_get_root (project) : NULL,
                            since, completions, &error);
  if (m == NULL)
    return ctl_report_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = lean_metrics_to_json (m);
      ctl_print_json (root);
    }
  else
    print_text (m);
  return CTL_EXIT_OK;
}
