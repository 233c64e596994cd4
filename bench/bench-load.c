/* SPDX-License-Identifier: MIT */
/* Times the core's loading of a project, without any front end:
 *   - lean_project_load_specs(): wall and CPU time (all threads);
 *   - LeanSpecStore: first load and a reload of unchanged files, with the
 *     longest stretch the main loop was kept busy (what a window would feel),
 *     and when the first items-changed of a first load came (the store hands
 *     specs on while the scan goes on).
 *
 * usage: bench-load [-r RUNS] [-w] DIR
 *   DIR  a LeanSpec project, e.g. one made by
 *        python3 ../shared/tools/gen-corpus.py /tmp/p5000 5000
 *   -r   timed runs (default 7, after one warm-up); medians are printed
 *   -w   also watch the tree (one folder monitor per directory)
 * The spec cache is used as in the app (LEANSPEC_NO_CACHE=1 turns it off);
 * the warm-up run fills it.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "lean-project-private.h"
#include "lean-spec-store.h"

static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

typedef struct
{
  gboolean done;
  gint64 last_tick;
  gint64 longest_stall;
  gint64 first_items;   /* first items-changed, 0 if none */
  guint n_changes;
} StoreRun;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  StoreRun   *run)
{
  if (run->first_items == 0)
    run->first_items = g_get_monotonic_time ();
  run->n_changes++;
}

static gboolean
tick_cb (gpointer data)
{
  StoreRun *run = data;
  gint64 now = g_get_monotonic_time ();

  if (run->last_tick != 0 && now - run->last_tick > run->longest_stall)
    run->longest_stall = now - run->last_tick;
  run->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  StoreRun *run = data;
  g_autoptr(GError) error = NULL;

  if (!lean_spec_store_load_finish (LEAN_SPEC_STORE (object), result, &error))
    g_printerr ("store load failed: %s\n", error->message);
  run->done = TRUE;
}

/* Returns the wall time in ms; the longest main-loop stall goes to @stall,
 * the time until the first items-changed to @first (the whole time if none),
 * the number of them to @n_changes. */
static double
store_load (LeanSpecStore *store,
            double        *stall,
            double        *first,
            guint         *n_changes)
{
  StoreRun run = { 0, };
  gint64 start = g_get_monotonic_time ();
  guint tick = g_timeout_add (1, tick_cb, &run);
  gulong id = g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), &run);

  lean_spec_store_load_async (store, NULL, load_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (store, id);
  *first = ((run.first_items != 0 ? run.first_items : g_get_monotonic_time ()) - start) / 1000.0;
  *n_changes = run.n_changes;
  /* Let the batched folder monitors finish too. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tick_cb (&run);
  g_source_remove (tick);
  *stall = run.longest_stall / 1000.0;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) stalls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) reloads = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) reload_stalls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) firsts = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first_items = g_array_new (FALSE, FALSE, sizeof (double));
  guint n_changes = 0, n_reload_changes = 0;
  int runs = 7;
  gboolean watch = FALSE;
  guint n_specs = 0;
  guint n_problems = 0;
  GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 7)", "N" },
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "Watch the tree in the store runs", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: bench-load [-r RUNS] [-w] DIR\n");
      return 2;
    }

  project = lean_project_open (argv[1], &error);
  if (project == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  for (int i = 0; i <= runs; i++)
    {
      g_autoptr(GPtrArray) specs = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      gint64 wall = g_get_monotonic_time ();
      gint64 cpu = cpu_us ();
      double w, c;

      specs = lean_project_load_specs (project, &problems, NULL, &error);
      if (specs == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      w = (g_get_monotonic_time () - wall) / 1000.0;
      c = (cpu_us () - cpu) / 1000.0;
      n_specs = specs->len;
      n_problems = problems->len;
      if (i == 0)
        continue; /* warm-up: page cache */
      g_array_append_val (walls, w);
      g_array_append_val (cpus, c);
    }

  for (int i = 0; i < runs; i++)
    {
      g_autoptr(LeanSpecStore) store = lean_spec_store_new (project);
      double stall, t, first;

      lean_spec_store_set_watching (store, watch);
      t = store_load (store, &stall, &first, &n_changes);
      g_array_append_val (firsts, t);
      g_array_append_val (stalls, stall);
      g_array_append_val (first_items, first);
      t = store_load (store, &stall, &first, &n_reload_changes);
      g_array_append_val (reloads, t);
      g_array_append_val (reload_stalls, stall);
      lean_spec_store_set_watching (store, FALSE);
    }

  g_print ("project: %s (%u specs, %u problems), %u CPUs, %d runs\n",
           argv[1], n_specs, n_problems, g_get_num_processors (), runs);
  {
    guint hits = 0, misses = 0;

    _lean_project_get_cache_stats (project, &hits, &misses);
    g_print ("lean_project_load_specs   wall %7.1f ms   cpu %7.1f ms (medians); "
             "spec cache %s: %u hits, %u parsed\n",
             median (walls), median (cpus),
             g_strcmp0 (g_getenv ("LEANSPEC_NO_CACHE"), "1") == 0 ? "off" : "on", hits, misses);
  }
  g_print ("store first load%s wall %7.1f ms   longest main-loop stall %5.1f ms\n",
           watch ? " +watch " : "        ", median (firsts), median (stalls));
  g_print ("store first items         wall %7.1f ms   (%u items-changed in the last first load)\n",
           median (first_items), n_changes);
  g_print ("store reload, unchanged   wall %7.1f ms   longest main-loop stall %5.1f ms\n",
           median (reloads), median (reload_stalls));
  {
    double loadavg[3] = { 0, };
    if (getloadavg (loadavg, 3) > 0)
      g_print ("load average %.2f\n", loadavg[0]);
  }
  return 0;
}
