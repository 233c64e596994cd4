/* SPDX-License-Identifier: MIT */
/* How long listing a large change takes: a repository of 2,000 committed
 * files of 100 lines, each then edited (25 lines replaced: +25 -25 per
 * file, 100,000 changed lines in all), listed with lean_git_change_compute() (file
 * list with per-file counts, what the Changes view and `leanspec-ctl review`
 * show first), and one file's patch. Run:
 *   _build/bench/bench-review [RUNS]
 * Figures go to bench/RESULTS.md; the budget is 500 ms for the list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib/gstdio.h>

#include "lean-git-change.h"
#include "lean-git-land.h"

#define N_FILES 2000
#define LINES_PER_FILE 100

static void
write_files (const char *root,
             gboolean    edited)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/src/mod%02u", root, i % 40);
      g_autofree char *path = g_strdup_printf ("%s/file%04u.c", dir, i);

      g_string_truncate (text, 0);
      for (guint l = 0; l < LINES_PER_FILE; l++)
        {
          if (edited && l % 4 == 0)
            g_string_append_printf (text, "int edited_%u_%u = %u; /* the agent's line */\n", i, l, l);
          else
            g_string_append_printf (text, "int value_%u_%u = %u; /* the original line */\n", i, l, l);
        }
      g_mkdir_with_parents (dir, 0700);
      if (!g_file_set_contents (path, text->str, text->len, NULL))
        g_error ("cannot write %s", path);
    }
}

/* CPU time of this process: on a shared, loaded machine wall time mostly
 * measures the other processes. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("leanspec-bench-review-XXXXXX", &error);
  g_autofree char *rm = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  guint runs = argc > 1 ? (guint)atoi (argv[1]) : 5;
  const char *init[] = { "git", "init", "-q", "-b", "main", NULL };
  char *commit_id = NULL;
  double patch_ms;
  gint64 t0;
  guint files = 0, added = 0, removed = 0;

  g_assert_no_error (error);
  g_setenv ("GIT_AUTHOR_NAME", "Bench", TRUE);
  g_setenv ("GIT_AUTHOR_EMAIL", "bench@example.invalid", TRUE);
  if (!g_spawn_sync (root, (char **)init, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, &error))
    g_error ("%s", error->message);
  {
    g_autofree char *config = g_build_filename (root, ".git", "config", NULL);
    g_autofree char *text = NULL;

    g_file_get_contents (config, &text, NULL, NULL);
    text = g_strconcat (text, "[user]\n\tname = Bench\n\temail = bench@example.invalid\n", NULL);
    g_file_set_contents (config, text, -1, NULL);
  }
  write_files (root, FALSE);
  if (!lean_git_commit_all (root, "base", &commit_id, &error))
    g_error ("%s", error->message);
  write_files (root, TRUE);

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr(LeanGitChange) change = NULL;
      double ms, c0 = cpu_ms ();

      t0 = g_get_monotonic_time ();
      change = lean_git_change_compute (root, commit_id, 0, &error);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      c0 = cpu_ms () - c0;
      g_array_append_val (cpu, c0);
      if (change == NULL)
        g_error ("%s", error->message);
      files = change->files->len;
      added = change->added;
      removed = change->removed;
      g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_double);
  g_array_sort (cpu, compare_double);

  {
    g_autofree char *patch = NULL;

    t0 = g_get_monotonic_time ();
    patch = lean_git_change_file_patch (root, commit_id, "src/mod07/file0007.c", 0, NULL, NULL,
                                        &error);
    patch_ms = (g_get_monotonic_time () - t0) / 1000.0;
    if (patch == NULL)
      g_error ("no patch: %s", error != NULL ? error->message : "binary?");
  }

  printf ("change: %u files, +%u -%u lines\n", files, added, removed);
  printf ("list (lean_git_change_compute), %u runs: min %.0f / median %.0f / max %.0f ms\n",
          runs, g_array_index (times, double, 0), g_array_index (times, double, runs / 2),
          g_array_index (times, double, runs - 1));
  printf ("  CPU time: min %.0f / median %.0f / max %.0f ms\n", g_array_index (cpu, double, 0),
          g_array_index (cpu, double, runs / 2), g_array_index (cpu, double, runs - 1));
  printf ("one file's patch: %.1f ms\n", patch_ms);

  if (g_getenv ("BENCH_KEEP") != NULL)
    {
      printf ("kept %s (base %s)\n", root, commit_id);
      return 0;
    }
  rm = g_strdup_printf ("rm -rf '%s'", root);
  if (system (rm) != 0)
    return 1;
  g_free (commit_id);
  return 0;
}
