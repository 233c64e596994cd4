/* SPDX-License-Identifier: MIT */
/* A phased Ralph chain's own cost per phase, which LeanRalphLoop spends on
 * the main loop: reading the project's specs again (the agent ticked items
 * in the README), finding the spec and its phases, naming the phase's open
 * items in the prompt, and recording the validation. A project of 300
 * specs; the chained spec has 10 phases of 20 items. No agent, no checks.
 * Then the gaps between ticks of a 1 ms timer on the main loop while the
 * tree is read 30 times: on the main loop, as the loop once did, and in a
 * GTask thread, as LeanRalphLoop reads it now.
 * Run: `ninja -C _build && _build/bench/bench-phases`. */
#include "config.h"

#include <stdio.h>

#include "bench-util.h"
#include "lean-ralph-chain.h"
#include "lean-spec-phases.h"
#include "../tests/test-util.h"

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

typedef struct
{
  gint64  last;
  GArray *gaps;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    {
      gint64 gap = now - ticker->last;

      g_array_append_val (ticker->gaps, gap);
    }
  ticker->last = now;
  return G_SOURCE_CONTINUE;
}

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  GPtrArray *specs = lean_project_load_specs (data, NULL, NULL, NULL);

  g_task_return_pointer (task, specs, (GDestroyNotify)g_ptr_array_unref);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GPtrArray) specs = g_task_propagate_pointer (G_TASK (result), NULL);

  g_assert (specs != NULL);
  *(gboolean *)data = TRUE;
}

/* The gaps between the main loop's ticks while @reads reads ran, each on
 * the main loop (@threaded FALSE) or in a thread; sorted. */
static GArray *
tick_gaps (LeanProject *project,
           guint        reads,
           gboolean     threaded)
{
  Ticker ticker = { 0, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint id = g_timeout_add (1, tick, &ticker);

  for (guint r = 0; r < reads; r++)
    {
      gint64 until = g_get_monotonic_time () + 5000;

      /* Some ticks between reads, as between a loop's iterations. */
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
      if (threaded)
        {
          gboolean done = FALSE;
          g_autoptr(GTask) task = g_task_new (NULL, NULL, on_read, &done);
          g_task_set_task_data (task, g_object_ref (project), g_object_unref);
          g_task_run_in_thread (task, read_thread);
          while (!done)
            g_main_context_iteration (NULL, TRUE);
        }
      else
        {
          g_autoptr(GPtrArray) specs = lean_project_load_specs (project, NULL, NULL, NULL);

          g_assert (specs != NULL);
          g_main_context_iteration (NULL, FALSE);
        }
    }
  g_source_remove (id);
  g_array_sort (ticker.gaps, bench_compare_gint64);
  return ticker.gaps;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-phases-XXXXXX", NULL);
  g_autoptr(GString) readme = g_string_new ("---\nstatus: in-progress\ncreated: '2026-01-01'\n"
                                            "---\n# Phased\n\n## Plan\n\n");
  g_autoptr(LeanCheckConfig) config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(GArray) read_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) chain_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(LeanProject) project = NULL;
  const guint runs = 30;

  for (guint s = 2; s <= 300; s++)
    {
      g_autofree char *path = g_strdup_printf ("specs/%03u-spec-%u/README.md", s, s);

      test_util_write_file (dir, path,
                            "---\nstatus: planned\ncreated: '2026-01-01'\n---\n# A spec\n\n"
                            "## Plan\n\n- [ ] one\n- [x] two\n\nSome words of prose here.\n");
    }
  for (guint p = 1; p <= 10; p++)
    {
      g_string_append_printf (readme, "### Phase %u\n\n", p);
      for (guint i = 1; i <= 20; i++)
        g_string_append_printf (readme, "- [ ] item %u of phase %u\n", i, p);
      g_string_append (readme, "\n");
    }
  test_util_write_file (dir, "specs/001-phased/README.md", readme->str);
  project = lean_project_open (dir, NULL);
  g_assert (project != NULL);

  {
    const char *check_argv[] = { "false", NULL };
    g_autoptr(LeanCheck) check = lean_check_new ("tests", "Tests", LEAN_CHECK_KIND_TEST,
                                                 check_argv, 60, NULL);

    lean_check_config_add_check (config, check);
  }
  validation = lean_validation_new ("001-phased", config, dir);
  lean_validation_set_trusted (validation, TRUE);
  lean_validation_run (validation);
  while (!validation_done (validation))
    g_main_context_iteration (NULL, TRUE);

  for (guint r = 0; r < runs; r++)
    {
      LeanRalphSettings settings = { .max_iterations = 10, .phases = TRUE };
      g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-phased", "Implement it.",
                                                              &settings);

      lean_ralph_chain_set_n_phases (chain, 10);
      for (guint p = 0; p < 10; p++)
        {
          gint64 start = g_get_monotonic_time (), mid, took;
          g_autoptr(GPtrArray) specs = lean_project_load_specs (project, NULL, NULL, NULL);
          LeanSpec *spec = lean_project_find_spec (project, specs, "001-phased", NULL);
          g_autoptr(GPtrArray) phases = lean_spec_get_phases (spec);
          LeanSpecPhase *phase = g_ptr_array_index (phases, p);
          g_autofree char *prompt = NULL;

          mid = g_get_monotonic_time ();
          lean_ralph_chain_set_phase_work (chain, phase->title,
                                           (const char * const *)phase->open_items);
          prompt = lean_ralph_chain_begin_iteration (chain);
          lean_ralph_chain_agent_finished (chain, 100, 0.001);
          lean_ralph_chain_record_validation (chain, validation);
          took = g_get_monotonic_time () - mid;
          g_array_append_val (chain_us, took);
          took = mid - start;
          g_array_append_val (read_us, took);
          g_assert (prompt != NULL);
        }
    }
  g_array_sort (read_us, bench_compare_gint64);
  g_array_sort (chain_us, bench_compare_gint64);
  printf ("per phase (%u samples): reading 300 specs + phases p50 %.2f ms, p99 %.2f ms, "
          "max %.2f ms\n", read_us->len, bench_percentile (read_us, 0.5) / 1000.0,
          bench_percentile (read_us, 0.99) / 1000.0,
          g_array_index (read_us, gint64, read_us->len - 1) / 1000.0);
  printf ("per phase: chain prompt + record p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
          bench_percentile (chain_us, 0.5) / 1000.0, bench_percentile (chain_us, 0.99) / 1000.0,
          g_array_index (chain_us, gint64, chain_us->len - 1) / 1000.0);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GArray) on_main = tick_gaps (project, 30, FALSE);
      g_autoptr(GArray) in_thread = tick_gaps (project, 30, TRUE);

      printf ("gaps between 1 ms ticks over 30 reads, p99 / max: reads on the main loop "
              "%.1f / %.1f ms, in a thread %.1f / %.1f ms\n",
              bench_percentile (on_main, 0.99) / 1000.0,
              g_array_index (on_main, gint64, on_main->len - 1) / 1000.0,
              bench_percentile (in_thread, 0.99) / 1000.0,
              g_array_index (in_thread, gint64, in_thread->len - 1) / 1000.0);
    }
  test_util_rm_rf (dir);
  return 0;
}
