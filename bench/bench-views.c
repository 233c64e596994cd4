/* SPDX-License-Identifier: MIT */
/* The board and the dependency graph on a large project, in the real main
 * window: how long from asking for the view until its first frame is
 * painted (first time, and again once built), and while the board's
 * largest column scrolls and the graph pans by a step every frame, the
 * longest gap between two painted frames and the longest main-loop stall
 * (a 1 ms GLib timeout records how late it fires).
 *
 * How to run (from the source root; built with the project, never run by
 * `meson test`):
 *   python3 ../shared/tools/gen-corpus.py /tmp/corpus-5k 5000
 *   GSETTINGS_SCHEMA_DIR=_build/data GSETTINGS_BACKEND=memory \
 *     xvfb-run -a -s "-screen 0 1600x1000x24" _build/bench/bench-views /tmp/corpus-5k
 *
 *   GSK_RENDERER=cairo    software cairo instead of GTK's default GL
 *                         renderer (llvmpipe under Xvfb)
 *   BENCH_FRAMES=N        frames of scrolling or panning (default 300)
 * Wall times vary 2-3x on a shared machine: note `uptime` with the figures.
 */
#include "config.h"

#include <adwaita.h>
#include <time.h>

#include "lean-application.h"
#include "lean-board-view.h"
#include "lean-dependency-view.h"
#include "lean-window-private.h"

typedef struct
{
  LeanWindow *window;
  gint64      last_tick;
  gint64      max_stall;
  gint64      last_paint;
  gint64      max_frame_gap;
  gint64      last_paint_cpu;
  gint64      max_frame_cpu;  /* main thread CPU between two paints */
  guint       n_paints;
  gboolean    measuring;
  /* scrolling */
  GtkAdjustment *h, *v;
  double      step;
  guint       frames_left;
  double      opened_ms;
  double      complete_ms;   /* with the graph's edges drawn */
} Bench;

/* CPU time of the main thread: on a loaded machine the wall time between
 * frames grows with other processes, this does not. */
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

  if (b->measuring && b->last_tick != 0)
    b->max_stall = MAX (b->max_stall, now - b->last_tick);
  b->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *b)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (b->measuring && b->last_paint != 0)
    {
      b->max_frame_gap = MAX (b->max_frame_gap, now - b->last_paint);
      b->max_frame_cpu = MAX (b->max_frame_cpu, cpu - b->last_paint_cpu);
    }
  b->last_paint = now;
  b->last_paint_cpu = cpu;
  b->n_paints++;
}

static void
start_measuring (Bench *b)
{
  b->last_tick = g_get_monotonic_time ();
  b->last_paint = b->last_tick;
  b->max_stall = 0;
  b->max_frame_gap = 0;
  b->max_frame_cpu = 0;
  b->last_paint_cpu = thread_cpu_us ();
  b->n_paints = 0;
  b->measuring = TRUE;
}

static void
iterate_for (gint64 usec)
{
  gint64 end = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
view_ready (Bench      *b,
            const char *view)
{
  LeanWindow *window = b->window;

  if (g_str_equal (view, "board"))
    {
      GtkWidget *column = _lean_board_view_get_column (window->board_view, LEAN_SPEC_STATUS_COMPLETE);

      return column != NULL && gtk_widget_get_mapped (column);
    }
  return _lean_dependency_view_is_ready (window->dependency_view) &&
         gtk_widget_get_mapped (GTK_WIDGET (window->dependency_view));
}

/* From asking for @view until a frame after it is ready has been painted. */
static double
open_view (Bench      *b,
           const char *view)
{
  gint64 start = g_get_monotonic_time ();
  guint paints;

  start_measuring (b);
  _lean_window_set_view (b->window, view);
  while (!view_ready (b, view))
    g_main_context_iteration (NULL, TRUE);
  paints = b->n_paints;
  gtk_widget_queue_draw (GTK_WIDGET (b->window));
  while (b->n_paints == paints)
    g_main_context_iteration (NULL, TRUE);
  b->opened_ms = (g_get_monotonic_time () - start) / 1000.0;
  /* The board's columns fill in over the next frames: measured on until
   * they are full. */
  if (g_str_equal (view, "board"))
    while (_lean_board_view_is_filling (b->window->board_view))
      g_main_context_iteration (NULL, TRUE);
  b->measuring = FALSE;
  /* The graph's edges land from worker threads a little later. */
  if (g_str_equal (view, "dependencies"))
    while (_lean_dependency_view_get_pending_tiles (b->window->dependency_view) > 0)
      g_main_context_iteration (NULL, TRUE);
  b->complete_ms = (g_get_monotonic_time () - start) / 1000.0;
  return b->opened_ms;
}

static void
step_adjustment (GtkAdjustment *adj,
                 double         step)
{
  double value, upper;

  if (adj == NULL)
    return;
  value = gtk_adjustment_get_value (adj) + step;
  upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  if (value > upper)
    value = gtk_adjustment_get_lower (adj);
  gtk_adjustment_set_value (adj, value);
}

static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Bench *b = data;

  step_adjustment (b->h, b->step);
  step_adjustment (b->v, b->step);
  if (b->frames_left > 0)
    b->frames_left--;
  return b->frames_left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Moves @h and @v (either may be NULL) by @step px a frame for @frames
 * frames; returns the frames painted per second. */
static double
scroll (Bench         *b,
        GtkAdjustment *h,
        GtkAdjustment *v,
        double         step,
        guint          frames)
{
  gint64 start;

  b->h = h;
  b->v = v;
  b->step = step;
  b->frames_left = frames;
  start_measuring (b);
  start = g_get_monotonic_time ();
  gtk_widget_add_tick_callback (GTK_WIDGET (b->window), scroll_tick, b, NULL);
  while (b->frames_left > 0)
    g_main_context_iteration (NULL, TRUE);
  b->measuring = FALSE;
  return b->n_paints * 1e6 / MAX (g_get_monotonic_time () - start, 1);
}

static void
report_scroll (Bench      *b,
               const char *what,
               double      fps)
{
  g_print ("%-32s %5.1f fps, longest frame gap %6.1f ms (main thread CPU %6.1f ms), "
           "longest main-loop stall %6.1f ms\n", what, fps, b->max_frame_gap / 1000.0,
           b->max_frame_cpu / 1000.0, b->max_stall / 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LeanApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Bench b = { 0 };
  LeanSpecStore *store;
  GtkWidget *column, *scroller;
  guint frames = g_getenv ("BENCH_FRAMES") != NULL ? atoi (g_getenv ("BENCH_FRAMES")) : 300;
  double ms;

  if (argc != 2)
    {
      g_printerr ("usage: %s PROJECT_DIR (e.g. made by gen-corpus.py DIR 5000)\n", argv[0]);
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
  gtk_window_set_default_size (GTK_WINDOW (b.window), 1400, 900);
  gtk_window_present (GTK_WINDOW (b.window));
  iterate_for (300 * 1000);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &b);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 1, tick_cb, &b, NULL);

  lean_window_open_project (b.window, argv[1]);
  while ((store = lean_window_get_store (b.window)) == NULL || lean_spec_store_get_loading (store) ||
         g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    g_main_context_iteration (NULL, TRUE);
  iterate_for (1000 * 1000);
  g_print ("%u specs, renderer %s\n", g_list_model_get_n_items (G_LIST_MODEL (store)),
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default");

  for (guint round = 0; round < 2; round++)
    {
      const char *views[] = { "board", "dependencies" };

      for (guint i = 0; i < G_N_ELEMENTS (views); i++)
        {
          ms = open_view (&b, views[i]);
          g_print ("open %-12s (%s)        %7.1f ms to the first frame (%7.1f ms with every "
                   "edge or card), main loop stalled at most %6.1f ms, longest frame gap "
                   "%6.1f ms\n", views[i], round == 0 ? "first" : "again", ms, b.complete_ms,
                   b.max_stall / 1000.0, b.max_frame_gap / 1000.0);
          iterate_for (300 * 1000);
          _lean_window_set_view (b.window, "list");
          iterate_for (300 * 1000);
        }
    }

  /* The board's Complete column, the longest one, scrolled down. */
  open_view (&b, "board");
  iterate_for (300 * 1000);
  column = _lean_board_view_get_column (b.window->board_view, LEAN_SPEC_STATUS_COMPLETE);
  scroller = gtk_widget_get_ancestor (column, GTK_TYPE_SCROLLED_WINDOW);
  report_scroll (&b, "board: scroll a column 40 px/f",
                 scroll (&b, NULL, gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         40, frames));
  report_scroll (&b, "board: scroll a column 400 px/f",
                 scroll (&b, NULL, gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         400, frames));

  /* The graph panned diagonally. */
  open_view (&b, "dependencies");
  iterate_for (300 * 1000);
  scroller = gtk_widget_get_ancestor (GTK_WIDGET (b.window->dependency_view), GTK_TYPE_SCROLLED_WINDOW);
  g_print ("graph: %u boxes\n", _lean_dependency_view_get_n_nodes (b.window->dependency_view));
  report_scroll (&b, "graph: pan 40 px/f",
                 scroll (&b, gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         40, frames));
  report_scroll (&b, "graph: pan 400 px/f",
                 scroll (&b, gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                         400, frames));

  gtk_window_destroy (GTK_WINDOW (b.window));
  iterate_for (100 * 1000);
  return 0;
}
