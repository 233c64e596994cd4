/* SPDX-License-Identifier: MIT */
/* bench-local-runner: the first hop of the hot path, agent -> PTY ->
 * LeanLocalRunner "output" on the main loop.
 *
 *   bench-local-runner [--ticks N] [--interval-us U] [--flood-mb M] [--sessions S]
 *
 * 1. Latency (one way): the agent prints its CLOCK_MONOTONIC time every U µs,
 *    the "output" handler subtracts it from its own clock on arrival.
 * 2. Flood: the agent prints M MiB as fast as it can; we report throughput,
 *    chunk sizes, and the longest gap between two ticks of a 1 ms timer on
 *    the same main loop (how long the runner can hold the loop).
 * 3. S sessions flooding at once (isolation under load).
 * The agent is this program itself (--agent-ticks / --agent-flood). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lean-local-runner.h"

#include "bench-util.h"

static int opt_ticks = 2000;
static int opt_interval_us = 2000;
static int opt_flood_mb = 64;
static int opt_sessions = 4;
static int opt_agent_ticks = -1;
static int opt_agent_flood_mb = -1;

static int
agent_flood (int mb)
{
  char line[81];
  char *block = g_malloc (64 * 1024);
  gsize total = (gsize)mb * 1024 * 1024;

  memset (line, 'x', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  for (gsize i = 0; i < 64 * 1024; i++)
    block[i] = line[i % sizeof line];
  for (gsize done = 0; done < total; )
    {
      gsize n = MIN (64 * 1024, total - done);
      gssize w = write (STDOUT_FILENO, block, n);

      if (w <= 0)
        return 1;
      done += w;
    }
  g_free (block);
  return 0;
}

typedef struct
{
  GArray  *latencies;   /* gint64 µs */
  GString *partial;
  gsize    bytes;
  guint    chunks;
  gboolean exited;
} Run;

static void
on_output (LeanRunner *runner,
           GBytes     *bytes,
           Run        *run)
{
  gint64 now = g_get_monotonic_time ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  run->bytes += len;
  run->chunks++;
  if (run->latencies == NULL)
    return;

  g_string_append_len (run->partial, data, len);
  for (;;)
    {
      char *nl = memchr (run->partial->str, '\n', run->partial->len);
      gint64 sent;

      if (nl == NULL)
        break;
      if (run->partial->str[0] == 'T')
        {
          sent = g_ascii_strtoll (run->partial->str + 1, NULL, 10);
          g_array_append_val (run->latencies, (gint64){ now - sent });
        }
      g_string_erase (run->partial, 0, nl - run->partial->str + 1);
    }
}

static void
on_exited (LeanRunner *runner,
           int         kind,
           int         code,
           const char *message,
           Run        *run)
{
  run->exited = TRUE;
}

static LeanLocalRunner *
start_agent (const char *self_path,
             const char *option,
             int         value,
             Run        *run)
{
  g_autofree char *arg = g_strdup_printf ("%s=%d", option, value);
  const char *argv[] = { self_path, arg, NULL };
  g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new (argv, NULL);
  LeanLocalRunner *runner = lean_local_runner_new ();

  g_signal_connect (runner, "output", G_CALLBACK (on_output), run);
  g_signal_connect (runner, "exited", G_CALLBACK (on_exited), run);
  lean_runner_start_async (LEAN_RUNNER (runner), launch, NULL, NULL, NULL);
  return runner;
}

typedef struct
{
  gint64 last;
  gint64 max_gap;
} Ticker;

static gboolean
on_tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    ticker->max_gap = MAX (ticker->max_gap, now - ticker->last);
  ticker->last = now;
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "ticks", 0, 0, G_OPTION_ARG_INT, &opt_ticks, "Latency samples", "N" },
    { "interval-us", 0, 0, G_OPTION_ARG_INT, &opt_interval_us, "Between samples", "U" },
    { "flood-mb", 0, 0, G_OPTION_ARG_INT, &opt_flood_mb, "Flood size", "M" },
    { "sessions", 0, 0, G_OPTION_ARG_INT, &opt_sessions, "Concurrent floods", "S" },
    { "agent-ticks", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_agent_ticks, NULL, NULL },
    { "agent-flood", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_agent_flood_mb, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_agent_ticks >= 0)
    return bench_agent_ticks (opt_agent_ticks, opt_interval_us);
  if (opt_agent_flood_mb >= 0)
    return agent_flood (opt_agent_flood_mb);

  self_path = g_file_read_link ("/proc/self/exe", NULL);

  /* 1. Latency at a normal rate. */
  {
    Run run = { .latencies = g_array_new (FALSE, FALSE, sizeof (gint64)),
                .partial = g_string_new (NULL) };
    g_autoptr(LeanLocalRunner) runner = start_agent (self_path, "--agent-ticks", opt_ticks, &run);

    while (!run.exited)
      g_main_context_iteration (NULL, TRUE);
    g_array_sort (run.latencies, bench_compare_gint64);
    g_print ("latency agent write -> runner output: %u samples every %d us: "
             "p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
             run.latencies->len, opt_interval_us,
             bench_percentile (run.latencies, 0.50) / 1000.0,
             bench_percentile (run.latencies, 0.99) / 1000.0,
             bench_percentile (run.latencies, 1.0) / 1000.0);
    g_array_unref (run.latencies);
    g_string_free (run.partial, TRUE);
  }

  /* 2. One flood, with a 1 ms timer on the same loop. */
  {
    Run run = { 0 };
    Ticker ticker = { 0 };
    guint tick_id = g_timeout_add (1, on_tick, &ticker);
    gint64 start = g_get_monotonic_time ();
    g_autoptr(LeanLocalRunner) runner = start_agent (self_path, "--agent-flood", opt_flood_mb,
                                                     &run);
    double seconds;

    while (!run.exited)
      g_main_context_iteration (NULL, TRUE);
    seconds = (g_get_monotonic_time () - start) / 1e6;
    g_source_remove (tick_id);
    g_print ("flood %d MiB: %.1f MiB/s received (%.2f s), %u chunks of %.0f KiB average, "
             "longest main loop gap %.1f ms\n",
             opt_flood_mb, run.bytes / 1048576.0 / seconds, seconds, run.chunks,
             run.bytes / 1024.0 / MAX (run.chunks, 1), ticker.max_gap / 1000.0);
  }

  /* 3. Several floods at once. */
  {
    g_autofree Run *runs = g_new0 (Run, opt_sessions);
    g_autoptr(GPtrArray) runners = g_ptr_array_new_with_free_func (g_object_unref);
    gint64 start = g_get_monotonic_time ();
    gsize total = 0;
    gboolean all_done = FALSE;
    double seconds;

    for (int i = 0; i < opt_sessions; i++)
      g_ptr_array_add (runners, start_agent (self_path, "--agent-flood", opt_flood_mb / 4,
                                             &runs[i]));
    while (!all_done)
      {
        g_main_context_iteration (NULL, TRUE);
        all_done = TRUE;
        for (int i = 0; i < opt_sessions; i++)
          all_done = all_done && runs[i].exited;
      }
    seconds = (g_get_monotonic_time () - start) / 1e6;
    for (int i = 0; i < opt_sessions; i++)
      total += runs[i].bytes;
    g_print ("%d concurrent floods of %d MiB: %.1f MiB/s in total (%.2f s)\n",
             opt_sessions, opt_flood_mb / 4, total / 1048576.0 / seconds, seconds);
  }

  return 0;
}
