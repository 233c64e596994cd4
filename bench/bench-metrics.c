/* SPDX-License-Identifier: MIT */
/* The Dashboard over 10,000 sessions: lean_metrics_compute() alone, and
 * the Dashboard window from gtk_window_present() to its first frame drawn
 * with the figures (run under Xvfb). The same database is measured with
 * and without the schema v4 indexes, runs alternated.
 *
 *   xvfb-run -a -s "-screen 0 1600x1000x24" _build/bench/bench-metrics [N_SESSIONS]
 */
#include "config.h"

#include <sqlite3.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "bench-util.h"
#include "lean-dashboard-window.h"
#include "lean-metrics.h"
#include "lean-session-db.h"
#include "metrics-fixture.h"

#define RUNS 9

static gint64
time_compute (const char *path,
              const char *project,
              gint64      since)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(LeanMetrics) m = lean_metrics_compute (path, project, since, NULL, &error);

  if (m == NULL)
    g_error ("%s", error->message);
  return g_get_monotonic_time () - t0;
}

typedef struct
{
  gboolean loaded;
  gboolean painted;
} Open;

static void
on_after_paint (GdkFrameClock *clock,
                Open          *open)
{
  if (open->loaded)
    open->painted = TRUE;
}

static void
on_loaded (Open *open)
{
  open->loaded = TRUE;
}

static gint64
time_window (const char *path)
{
  gint64 t0 = g_get_monotonic_time (), t;
  LeanDashboardWindow *w = lean_dashboard_window_new (NULL, path, NULL);
  Open open = { 0 };
  gulong id = 0;

  g_signal_connect_swapped (w, "loaded", G_CALLBACK (on_loaded), &open);
  lean_dashboard_window_set_range (w, LEAN_DASHBOARD_RANGE_30_DAYS);
  gtk_window_present (GTK_WINDOW (w));
  while (!open.painted)
    {
      if (id == 0 && gtk_widget_get_realized (GTK_WIDGET (w)))
        id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (w)), "after-paint",
                               G_CALLBACK (on_after_paint), &open);
      if (open.loaded && id != 0)
        gtk_widget_queue_draw (GTK_WIDGET (w));
      g_main_context_iteration (NULL, TRUE);
    }
  t = g_get_monotonic_time () - t0;
  if (id != 0)
    g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (w)), id);
  gtk_window_destroy (GTK_WINDOW (w));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return t;
}

static double
median_ms (GArray *a)
{
  g_array_sort (a, bench_compare_gint64);
  return bench_percentile (a, 0.5) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autofree char *dir = g_dir_make_tmp ("bench-metrics-XXXXXX", NULL);
  g_autofree char *with = g_build_filename (dir, "with.db", NULL);
  g_autofree char *without = g_build_filename (dir, "without.db", NULL);
  gboolean ui;
  const char *paths[2] = { with, without };
  const char *names[2] = { "v4 indexes", "no metrics indexes" };
  GArray *all[2], *proj[2], *month[2], *win[2];

  ui = gtk_init_check ();
  if (ui)
    adw_init ();

  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(GError) error = NULL;
      LeanSessionDb *db = lean_session_db_open (paths[k], &error);

      if (db == NULL)
        g_error ("%s", error->message);
      lean_session_db_close (db);
      g_object_unref (db);
      if (!metrics_fixture_fill (paths[k], n, 365, 20, NULL))
        return 1;
      all[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
      proj[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
      month[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
      win[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  {
    sqlite3 *db = NULL;

    sqlite3_open (without, &db);
    sqlite3_exec (db, "DROP INDEX sessions_by_project; DROP INDEX sessions_metrics;"
                  " ANALYZE;", NULL, NULL, NULL);
    sqlite3_close (db);
    sqlite3_open (with, &db);
    sqlite3_exec (db, "ANALYZE;", NULL, NULL, NULL);
    sqlite3_close (db);
  }

  /* Warm-up: the page cache holds both files. */
  for (guint k = 0; k < 2; k++)
    time_compute (paths[k], NULL, 0);

  for (guint r = 0; r < RUNS; r++)
    for (guint k = 0; k < 2; k++)
      {
        gint64 since = g_get_real_time () - (gint64) 30 * 86400 * G_USEC_PER_SEC;
        gint64 t;

        t = time_compute (paths[k], NULL, 0);
        g_array_append_val (all[k], t);
        t = time_compute (paths[k], "/proj/3", 0);
        g_array_append_val (proj[k], t);
        t = time_compute (paths[k], NULL, since);
        g_array_append_val (month[k], t);
        if (ui)
          {
            t = time_window (paths[k]);
            g_array_append_val (win[k], t);
          }
      }

  printf ("%u sessions over 365 days in 20 projects; medians of %d runs, alternated\n", n, RUNS);
  printf ("| %-20s | all, all time | one project | all, 30 days | Dashboard open to first frame (30 days) |\n", "database");
  printf ("|----------------------|---------------|-------------|--------------|-----------------------------------------|\n");
  for (guint k = 0; k < 2; k++)
    printf ("| %-20s | %8.1f ms   | %8.1f ms  | %8.1f ms  | %s%8.1f ms |\n", names[k], median_ms (all[k]),
            median_ms (proj[k]), median_ms (month[k]), ui ? "" : "(no display) ",
            ui ? median_ms (win[k]) : 0.0);

  g_remove (with);
  g_remove (without);
  {
    g_autofree char *w1 = g_strconcat (with, "-wal", NULL);
    g_autofree char *w2 = g_strconcat (with, "-shm", NULL);
    g_autofree char *w3 = g_strconcat (without, "-wal", NULL);
    g_autofree char *w4 = g_strconcat (without, "-shm", NULL);
    g_remove (w1); g_remove (w2); g_remove (w3); g_remove (w4);
  }
  g_rmdir (dir);
  return 0;
}
