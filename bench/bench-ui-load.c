/* SPDX-License-Identifier: MIT */
/* Opens a large project in the real main window and measures what a person
 * feels: time until the first rows are painted, the total load time, when
 * the store's first items-changed came and what each cost the main thread,
 * and the longest main-loop stall while loading (a 1 ms GLib timeout
 * records how late it fires; the main thread's own CPU time and context
 * switches in that stall tell our work from the machine not running us).
 * Then times search keystrokes and a status filter over the whole list.
 *
 * How to run (from the source root; builds with the project, never run by
 * `meson test`):
 *   python3 ../shared/tools/gen-corpus.py /tmp/corpus-5k 5000
 *   GSETTINGS_SCHEMA_DIR=_build/data GSETTINGS_BACKEND=memory \
 *     xvfb-run -a -s "-screen 0 1600x1000x24" _build/bench/bench-ui-load [-v] /tmp/corpus-5k
 *
 *   -v                    print a timeline: store changes (with their main
 *                         thread cost), frame layouts and paints, stalls
 *   GSK_RENDERER=cairo    software cairo instead of GTK's default GL
 *                         renderer (llvmpipe under Xvfb)
 *   BENCH_SCREENSHOT=F.png  save the window as it looked at the first paint
 *                         with rows while still loading (costs time then)
 *   LEANSPEC_NO_CACHE=1   cold load: every README parsed, the spec cache
 *                         neither read nor written (without it the first
 *                         run fills the cache and later runs are warm)
 * Run it several times with both renderers, cold and warm, and note the
 * load average (`uptime`): on a shared machine wall times vary 2-3x.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "config.h"

#include <adwaita.h>
#include <sys/resource.h>
#include <time.h>

#include "lean-application.h"
#include "lean-spec-list.h"
#include "lean-window-private.h"

typedef struct
{
  LeanWindow *window;
  gint64      start;
  gint64      first_rows;    /* painted */
  gint64      loaded;
  gint64      last_tick;
  gint64      last_cpu;      /* main thread CPU time at the last tick */
  long        last_nvcsw;    /* main thread context switches at the last tick: */
  long        last_nivcsw;   /* voluntary (waiting) and involuntary (preempted) */
  gint64      max_stall_cpu; /* main thread CPU used during the longest stall */
  gint64      max_stall;
  gint64      max_stall_at;
  gboolean    measuring;
  gboolean    verbose;       /* -v: print a timeline */
  LeanSpecStore *store;      /* watched for items-changed */
  gint64      emit_start;    /* wall and CPU when an items-changed began */
  gint64      emit_start_cpu;
  guint       n_emissions;
  gint64      first_emission;
  gint64      max_emission_cpu;
  guint       n_frames;
} Bench;


/* CPU time of the calling (main) thread: tells a stall caused by our own
 * work from one where the machine simply did not schedule us. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
tick_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);

  /* The timeout asks for 1 ms; anything beyond that the main loop was busy. */
  if (b->measuring && b->last_tick != 0 && now - b->last_tick > 50 * 1000)
    g_print ("  stall of %.1f ms (main thread busy %.1f ms of it, %ld waits, %ld preemptions)"
             " ending at %.1f ms\n",
             (now - b->last_tick) / 1000.0, (cpu - b->last_cpu) / 1000.0,
             usage.ru_nvcsw - b->last_nvcsw, usage.ru_nivcsw - b->last_nivcsw,
             (now - b->start) / 1000.0);
  if (b->measuring && b->last_tick != 0 && now - b->last_tick > b->max_stall)
    {
      b->max_stall = now - b->last_tick;
      b->max_stall_cpu = cpu - b->last_cpu;
      b->max_stall_at = now - b->start;
    }
  b->last_tick = now;
  b->last_cpu = cpu;
  b->last_nvcsw = usage.ru_nvcsw;
  b->last_nivcsw = usage.ru_nivcsw;
  return G_SOURCE_CONTINUE;
}

/* What the window shows now, as a PNG (for a person to look at). */
static void
save_screenshot (GtkWidget  *widget,
                 const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderNode *node;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);
  if (!gdk_texture_save_to_png (texture, path))
    g_printerr ("cannot save %s\n", path);
}

/* Are the list's rows really on screen: the list mapped and no stack
 * around it still fading over from another page? */
static gboolean
list_visible (GtkWidget *list)
{
  if (!gtk_widget_get_mapped (list))
    return FALSE;
  for (GtkWidget *w = gtk_widget_get_parent (list); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_STACK (w) && gtk_stack_get_transition_running (GTK_STACK (w)))
      return FALSE;
  return TRUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *b)
{
  LeanSpecList *list = _lean_window_get_spec_list (b->window);
  guint n = g_list_model_get_n_items (lean_spec_list_get_model (list));

  if (b->first_rows == 0 && b->start != 0 && n > 0 && list_visible (GTK_WIDGET (list)))
    {
      const char *shot = g_getenv ("BENCH_SCREENSHOT");

      b->first_rows = g_get_monotonic_time ();
      if (shot != NULL && b->store != NULL && lean_spec_store_get_loading (b->store))
        save_screenshot (GTK_WIDGET (b->window), shot);
    }
  if (b->measuring)
    {
      b->n_frames++;
      if (b->verbose)
        g_print ("  %7.1f ms  frame painted, %u rows in the list%s\n",
                 (g_get_monotonic_time () - b->start) / 1000.0, n,
                 list_visible (GTK_WIDGET (list)) ? "" : " (not visible yet)");
    }
}

static void
print_phase (Bench      *b,
             const char *what)
{
  if (b->measuring && b->verbose)
    g_print ("  %7.1f ms  %s\n", (g_get_monotonic_time () - b->start) / 1000.0, what);
}

static void
layout_start_cb (GdkFrameClock *clock,
                 Bench         *b)
{
  print_phase (b, "frame: layout begins");
}

static void
layout_end_cb (GdkFrameClock *clock,
               Bench         *b)
{
  print_phase (b, "frame: layout done");
}

/* Runs before any handler of the store's items-changed (the views' models
 * included): with the after-handler below it times what one change costs
 * the main thread. */
static gboolean
emission_hook_cb (GSignalInvocationHint *hint,
                  guint                  n_params,
                  const GValue          *params,
                  gpointer               data)
{
  Bench *b = data;

  if (b->store != NULL && g_value_get_object (&params[0]) == (GObject *) b->store)
    {
      b->emit_start = g_get_monotonic_time ();
      b->emit_start_cpu = thread_cpu_us ();
    }
  return TRUE;
}

static void
store_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        Bench      *b)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us () - b->emit_start_cpu;

  if (!b->measuring)
    return;
  b->n_emissions++;
  if (b->first_emission == 0)
    b->first_emission = now;
  b->max_emission_cpu = MAX (b->max_emission_cpu, cpu);
  if (b->verbose)
    g_print ("  %7.1f ms  store items-changed (%u, -%u, +%u) -> %u: %.1f ms (CPU %.1f ms)\n",
             (now - b->start) / 1000.0, position, removed, added,
             g_list_model_get_n_items (model), (now - b->emit_start) / 1000.0, cpu / 1000.0);
}

static void
watch_store (Bench *b)
{
  LeanSpecStore *store = lean_window_get_store (b->window);

  if (store == NULL || store == b->store)
    return;
  b->store = store;
  if (b->verbose)
    g_print ("  %7.1f ms  store created, loading %d\n",
             (g_get_monotonic_time () - b->start) / 1000.0, lean_spec_store_get_loading (store));
  g_signal_connect_after (store, "items-changed", G_CALLBACK (store_items_changed_cb), b);
}

static void
window_store_cb (GObject    *object,
                 GParamSpec *pspec,
                 Bench      *b)
{
  watch_store (b);
}

static void
iterate_for (gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (200), TRUE);
}

static double
time_search (LeanSpecList *list,
             const char   *text)
{
  gint64 t0 = thread_cpu_us ();

  lean_spec_list_set_search_text (list, text);
  return (thread_cpu_us () - t0) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LeanApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Bench b = { 0 };
  LeanSpecList *list;
  LeanSpecStore *store;
  guint n;

  if (argc == 3 && g_str_equal (argv[1], "-v"))
    {
      b.verbose = TRUE;
      argv[1] = argv[2];
      argc = 2;
    }
  if (argc != 2)
    {
      g_printerr ("usage: %s [-v] PROJECT_DIR (e.g. made by gen-corpus.py DIR 5000)\n", argv[0]);
      return 2;
    }

  gtk_init ();
  adw_init ();

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  b.window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (b.window), 1280, 800);
  gtk_window_present (GTK_WINDOW (b.window));
  iterate_for (500 * 1000);

  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &b);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 1, tick_cb, &b, NULL);

  list = _lean_window_get_spec_list (b.window);
  g_signal_connect (list, "notify::store", G_CALLBACK (window_store_cb), &b);
  if (b.verbose)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (b.window));

      g_signal_connect (clock, "layout", G_CALLBACK (layout_start_cb), &b);
      g_signal_connect_after (clock, "layout", G_CALLBACK (layout_end_cb), &b);
    }
  g_signal_add_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), 0,
                              emission_hook_cb, &b, NULL);
  b.start = g_get_monotonic_time ();
  b.last_tick = 0;
  b.measuring = TRUE;
  lean_window_open_project (b.window, argv[1]);

  /* Until the load finished and a second more (late work: counts, tags). */
  while (b.loaded == 0 || g_get_monotonic_time () - b.loaded < G_USEC_PER_SEC)
    {
      g_main_context_iteration (NULL, TRUE);
      store = lean_window_get_store (b.window);
      if (b.loaded == 0 && store != NULL && !lean_spec_store_get_loading (store) &&
          g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
        b.loaded = g_get_monotonic_time ();
      if (g_get_monotonic_time () - b.start > 60 * G_USEC_PER_SEC)
        g_error ("the project did not load within 60 s");
    }
  b.measuring = FALSE;

  store = lean_window_get_store (b.window);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_print ("specs loaded:             %u (%u problems)\n", n,
           g_list_model_get_n_items (lean_spec_store_get_problems (store)));
  g_print ("first rows visible:       %.1f ms\n", (b.first_rows - b.start) / 1000.0);
  g_print ("load complete:            %.1f ms\n", (b.loaded - b.start) / 1000.0);
  g_print ("first store change:       %.1f ms (%u changes while loading, the costliest"
           " %.1f ms of main thread CPU)\n",
           (b.first_emission - b.start) / 1000.0, b.n_emissions, b.max_emission_cpu / 1000.0);
  g_print ("frames painted:           %u\n", b.n_frames);
  g_print ("longest main-loop stall:  %.1f ms (at %.0f ms; main thread on CPU %.1f ms of it)\n",
           b.max_stall / 1000.0, b.max_stall_at / 1000.0, b.max_stall_cpu / 1000.0);

  /* Search: the first query casefolds every spec once; later ones reuse it. */
  g_print ("search 'agent' (cold):    %.1f ms CPU\n", time_search (list, "agent"));
  g_print ("search 'agent r':         %.1f ms CPU\n", time_search (list, "agent r"));
  g_print ("search 'agent relay':     %.1f ms CPU -> %u rows\n", time_search (list, "agent relay"),
           g_list_model_get_n_items (lean_spec_list_get_model (list)));
  g_print ("search cleared:           %.1f ms CPU\n", time_search (list, ""));
  {
    gint64 t0 = thread_cpu_us ();

    lean_spec_list_toggle_status (list, LEAN_SPEC_STATUS_IN_PROGRESS);
    g_print ("status filter toggle:     %.1f ms CPU -> %u rows\n",
             (thread_cpu_us () - t0) / 1000.0,
             g_list_model_get_n_items (lean_spec_list_get_model (list)));
  }

  gtk_window_destroy (GTK_WINDOW (b.window));
  return 0;
}
