/* SPDX-License-Identifier: MIT */
/* What the runner benchmarks (bench-local-runner, bench-relay) share: the
 * ticking agent they run as themselves and the percentiles they report. */
#pragma once

#include <stdio.h>

#include <glib.h>

/* The agent side of the latency test: prints its CLOCK_MONOTONIC time
 * (µs) @n times, every @interval_us; the reader subtracts it on arrival. */
static inline int
bench_agent_ticks (int n,
                   int interval_us)
{
  for (int i = 0; i < n; i++)
    {
      printf ("T%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      fflush (stdout);
      g_usleep (interval_us);
    }
  return 0;
}

static inline int
bench_compare_gint64 (gconstpointer a,
                      gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* The @fraction (0..1) percentile of @sorted, an array of gint64 sorted
 * with bench_compare_gint64(); 0 when it is empty. */
static inline gint64
bench_percentile (GArray *sorted,
                  double  fraction)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, gint64, MIN (sorted->len - 1, (guint)(fraction * sorted->len)));
}
