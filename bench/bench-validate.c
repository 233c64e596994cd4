/* SPDX-License-Identifier: MIT */
/* Validation and the Ralph loop: (1) the loop's own cost per iteration
 * (prompt, feedback and progress bookkeeping over a finished validation of
 * five failing checks with 1 MB of output each; no agent, no checks run
 * inside the timing); (2) one check printing 100 MB: main loop gaps while
 * it streams, and the process's peak RSS before and after.
 * Run: `ninja -C _build && _build/bench/bench-validate [--json]`. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench-util.h"
#include "lean-ralph-chain.h"
#include "../tests/test-util.h"

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

static gboolean
run_done (gpointer data)
{
  return lean_check_run_is_finished (data);
}

static void
wait_for (gboolean (*cond) (gpointer),
          gpointer   data)
{
  while (!cond (data))
    g_main_context_iteration (NULL, TRUE);
}

static guint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static gint64 last_tick;
static gint64 max_gap;
static GArray *gaps;

static gboolean
tick (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick != 0)
    {
      gint64 gap = now - last_tick;

      g_array_append_val (gaps, gap);
      max_gap = MAX (max_gap, gap);
    }
  last_tick = now;
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-validate-XXXXXX", NULL);
  g_autoptr(LeanCheckConfig) config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(GArray) per_iteration = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean json = argc > 1 && g_str_equal (argv[1], "--json");
  const guint n_iterations = 300;
  guint64 rss_before, rss_after;
  gint64 flood_us;
  guint64 streamed = 0;

  /* (1) The loop's own cost. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("noisy%u", i);
      g_autofree char *script = g_strdup_printf ("yes 'check %u: assertion failed at line 42' "
                                                 "| head -c 1000000; exit 1", i);
      const char *check_argv[] = { "sh", "-c", script, NULL };
      g_autoptr(LeanCheck) check = lean_check_new (id, id, LEAN_CHECK_KIND_TEST, check_argv,
                                                   60, NULL);

      lean_check_config_add_check (config, check);
    }
  validation = lean_validation_new ("001-bench", config, dir);
  lean_validation_set_trusted (validation, TRUE);
  lean_validation_run (validation);
  wait_for (validation_done, validation);

  for (guint i = 0; i < n_iterations; i += 3)
    {
      LeanRalphSettings settings = { .max_iterations = 100 };
      g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-bench", "Implement it.",
                                                              &settings);

      /* Three iterations per chain: the third is "no progress". */
      for (guint k = 0; k < 3; k++)
        {
          gint64 start = g_get_monotonic_time ();
          g_autofree char *prompt = lean_ralph_chain_begin_iteration (chain);
          gint64 took;

          lean_ralph_chain_agent_finished (chain, 100, 0.001);
          lean_ralph_chain_record_validation (chain, validation);
          took = g_get_monotonic_time () - start;
          g_array_append_val (per_iteration, took);
          g_assert (prompt != NULL);
        }
    }
  g_array_sort (per_iteration, bench_compare_gint64);

  /* (2) 100 MB from one check. */
  {
    const char *flood_argv[] = { "sh", "-c",
                                 "yes 'flood line 0123456789 the quick brown fox jumps over' "
                                 "| head -n 1886793; echo '==== 3 passed in 1.00s ===='", NULL };
    g_autoptr(LeanCheck) check = lean_check_new ("flood", NULL, LEAN_CHECK_KIND_TEST, flood_argv,
                                                 600, NULL);
    g_autoptr(LeanCheckRun) run = lean_check_run_new (check, dir);
    guint tick_id;
    gint64 start;

    gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
    rss_before = peak_rss_kib ();
    tick_id = g_timeout_add (5, tick, NULL);
    start = g_get_monotonic_time ();
    lean_check_run_start (run);
    wait_for (run_done, run);
    flood_us = g_get_monotonic_time () - start;
    g_source_remove (tick_id);
    rss_after = peak_rss_kib ();
    streamed = lean_check_run_get_output_dropped (run);
    {
      g_autoptr(GBytes) kept = lean_check_run_get_output (run);
      streamed += g_bytes_get_size (kept);
    }
    g_array_sort (gaps, bench_compare_gint64);
    g_assert (lean_check_run_get_counts (run).passed == 3);
  }

  if (json)
    printf ("{\"iteration_us\": {\"p50\": %" G_GINT64_FORMAT ", \"p99\": %" G_GINT64_FORMAT
            ", \"max\": %" G_GINT64_FORMAT "}, \"flood\": {\"bytes\": %" G_GUINT64_FORMAT
            ", \"seconds\": %.2f, \"gap_ms_p50\": %.1f, \"gap_ms_p99\": %.1f, \"gap_ms_max\": %.1f,"
            " \"peak_rss_kib_before\": %" G_GUINT64_FORMAT ", \"peak_rss_kib_after\": %"
            G_GUINT64_FORMAT "}}\n",
            bench_percentile (per_iteration, 0.5), bench_percentile (per_iteration, 0.99),
            g_array_index (per_iteration, gint64, per_iteration->len - 1), streamed,
            flood_us / 1e6, bench_percentile (gaps, 0.5) / 1000.0,
            bench_percentile (gaps, 0.99) / 1000.0, max_gap / 1000.0, rss_before, rss_after);
  else
    {
      printf ("Ralph loop overhead per iteration (%u iterations, 5 failing checks of 1 MB):\n"
              "  p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", per_iteration->len,
              bench_percentile (per_iteration, 0.5) / 1000.0,
              bench_percentile (per_iteration, 0.99) / 1000.0,
              g_array_index (per_iteration, gint64, per_iteration->len - 1) / 1000.0);
      printf ("One check printing %" G_GUINT64_FORMAT " bytes: %.2f s; main loop gaps "
              "(5 ms ticker) p50 %.1f ms, p99 %.1f ms, max %.1f ms;\n"
              "  peak RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after\n",
              streamed, flood_us / 1e6, bench_percentile (gaps, 0.5) / 1000.0,
              bench_percentile (gaps, 0.99) / 1000.0, max_gap / 1000.0, rss_before, rss_after);
    }

  test_util_rm_rf (dir);
  return 0;
}
