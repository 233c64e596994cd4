/* SPDX-License-Identifier: MIT */
/* Session engine benchmarks (not run by meson test):
 *   1. database ingest throughput, chunks of 4-64 KiB like PTY reads
 *      (target >= 100 MB/s);
 *   2. time to list 1,000 stored sessions after opening the database
 *      (target < 100 ms);
 *   3. RSS of a process running 20 concurrent sessions of the test agent
 *      through the controller (target < 300 MB).
 *
 *   bench-session-db [--ingest-mb N] [--sessions N] [--concurrent N]
 * The test agent is found through LEANSPEC_BUILD_ROOT, or next to this
 * program's build folder. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-controller.h"
#include "lean-session-db.h"

#include "../tests/test-session-util.h"

static int opt_ingest_mb = 512;
static int opt_sessions = 1000;
static int opt_concurrent = 20;
static double opt_agent_mb = 20;

static const GOptionEntry entries[] = {
  { "ingest-mb", 0, 0, G_OPTION_ARG_INT, &opt_ingest_mb, "Megabytes to ingest", "N" },
  { "sessions", 0, 0, G_OPTION_ARG_INT, &opt_sessions, "Sessions to list", "N" },
  { "concurrent", 0, 0, G_OPTION_ARG_INT, &opt_concurrent, "Concurrent agents", "N" },
  { "agent-mb", 0, 0, G_OPTION_ARG_DOUBLE, &opt_agent_mb, "Output per agent (MB)", "MB" },
  { NULL }
};

static gint64
status_kb (const char *key)
{
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL))
    return -1;
  p = strstr (contents, key);
  if (p == NULL)
    return -1;
  return g_ascii_strtoll (p + strlen (key) + 1, NULL, 10);
}

static gint64
pid_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strstr (contents, "VmRSS:");
  return p ? g_ascii_strtoll (p + 6, NULL, 10) : 0;
}

static void
bench_ingest (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "ingest.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (path, &error);
  g_autoptr(LeanSession) session = lean_session_new (NULL, dir, "001-bench", "bench",
                                                     LEAN_SESSION_MODE_AUTONOMOUS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  gsize total = (gsize)opt_ingest_mb * 1024 * 1024, sent = 0;
  guint8 *pool;
  gint64 t0, t_queued, t1, append_time = 0, n_appends = 0;
  struct stat st;

  g_assert_no_error (error);
  lean_session_db_save_session (db, session);
  lean_session_db_flush (db);

  /* Prepared up front so the clock measures the database, not the
   * generator: 256 chunks of 4-64 KiB of varied bytes, reused in turn. */
  pool = g_malloc (128 * 1024);
  for (gsize i = 0; i < 128 * 1024; i++)
    pool[i] = g_rand_int (rand) & 0xff;
  for (guint i = 0; i < 256; i++)
    {
      gsize len = g_rand_int_range (rand, 4 * 1024, 64 * 1024 + 1);
      gsize off = g_rand_int_range (rand, 0, 64 * 1024);
      g_ptr_array_add (chunks, g_bytes_new (pool + off, len));
    }

  t0 = g_get_monotonic_time ();
  for (guint i = 0; sent < total; i++)
    {
      GBytes *chunk = g_ptr_array_index (chunks, i % chunks->len);
      gint64 a = g_get_monotonic_time ();

      lean_session_db_append_output (db, lean_session_get_id (session), chunk);
      append_time += g_get_monotonic_time () - a;
      sent += g_bytes_get_size (chunk);
      n_appends++;
    }
  t_queued = g_get_monotonic_time ();
  lean_session_db_flush (db);
  t1 = g_get_monotonic_time ();
  lean_session_db_close (db);
  g_stat (path, &st);

  printf ("ingest: %.0f MB in %.2f s = %.1f MB/s (chunks 4-64 KiB; appends cost the caller "
          "%.2f us each on average; file %.0f MB)\n",
          sent / 1048576.0, (t1 - t0) / 1e6, (sent / 1048576.0) / ((t1 - t0) / 1e6),
          (double)append_time / n_appends, st.st_size / 1048576.0);
  (void)t_queued;
  g_free (pool);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GListModel **out = user_data;

  *out = lean_session_db_list_finish (LEAN_SESSION_DB (source), result, NULL);
}

static void
bench_list (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "list.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (path, &error);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GBytes) chunk = g_bytes_new_static ("some output\r\n", 13);
  gint64 t0, t1, t2;

  g_assert_no_error (error);
  for (int i = 0; i < opt_sessions; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%03d-spec-number-%d", i % 50, i % 50);
      g_autoptr(LeanSession) s = lean_session_new (NULL, "/home/someone/project", spec,
                                                   "claude", LEAN_SESSION_MODE_AUTONOMOUS);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      lean_session_set_started_at (s, now);
      lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
      lean_session_set_usage (s, 12345, 678, 90);
      lean_session_set_cost_usd (s, 0.1234);
      lean_session_set_message (s, "The agent exited with status 0.");
      lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
      lean_session_set_ended_at (s, now);
      lean_session_db_save_session (db, s);
      for (int j = 0; j < 20; j++)
        lean_session_db_append_output (db, lean_session_get_id (s), chunk);
      lean_session_db_add_event (db, lean_session_get_id (s), "usage", "{\"input_tokens\":1}");
    }
  lean_session_db_close (db);
  g_clear_object (&db);

  /* As at app start: open (migrations, recovery), then list. */
  t0 = g_get_monotonic_time ();
  db = lean_session_db_open (path, &error);
  g_assert_no_error (error);
  t1 = g_get_monotonic_time ();
  lean_session_db_list_async (db, NULL, NULL, on_listed, &list);
  while (list == NULL)
    g_main_context_iteration (NULL, TRUE);
  t2 = g_get_monotonic_time ();

  printf ("list: %u sessions listed in %.1f ms (open %.1f ms + list %.1f ms, as GObjects in a "
          "GListStore)\n", g_list_model_get_n_items (list), (t2 - t0) / 1000.0,
          (t1 - t0) / 1000.0, (t2 - t1) / 1000.0);
}

static gboolean
all_final (gpointer data)
{
  GPtrArray *sessions = data;

  for (guint i = 0; i < sessions->len; i++)
    if (!lean_session_state_is_final (lean_session_get_state (g_ptr_array_index (sessions, i))))
      return FALSE;
  return TRUE;
}

static void
bench_rss (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "rss.db", NULL);
  g_autofree char *project = NULL;
  g_autofree char *agent = test_agent_path ();
  g_autofree char *runners = NULL;
  g_autofree char *mb = g_strdup_printf ("%g", opt_agent_mb);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 rss_before, peak_rss = 0, peak_agents = 0, t0, t1;
  guint completed = 0;

  project = g_build_filename (dir, "project", NULL);
  runners = g_strdup_printf ("{\"runners\": {\"flood\": {\"command\": \"%s\", \"args\": "
                             "[\"--flood\", \"%s\", \"--sleep\", \"1\"], \"output\": \"text\"}}}",
                             agent, mb);
  test_util_write_file (project, ".lean-spec/runners.json", runners);
  test_util_write_file (project, "specs/001-x/README.md", "---\nstatus: planned\n---\n# X\n");
  test_trust_runners (project);

  db = lean_session_db_open (path, &error);
  g_assert_no_error (error);
  controller = lean_controller_new (db);
  rss_before = status_kb ("VmRSS:");

  t0 = g_get_monotonic_time ();
  for (int i = 0; i < opt_concurrent; i++)
    {
      g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
      LeanSession *s;

      request->project_path = g_strdup (project);
      request->spec_id = g_strdup ("001-x");
      request->agent_id = g_strdup ("flood");
      request->prompt = g_strdup ("go");
      request->set_in_progress = FALSE;
      s = lean_controller_start (controller, request, &error);
      g_assert_no_error (error);
      g_ptr_array_add (sessions, g_object_ref (s));
    }

  while (!all_final (sessions))
    {
      gint64 rss = status_kb ("VmRSS:"), agents = 0;

      for (guint i = 0; i < sessions->len; i++)
        agents += pid_rss_kb (lean_session_get_agent_pid (g_ptr_array_index (sessions, i)));
      peak_rss = MAX (peak_rss, rss);
      peak_agents = MAX (peak_agents, agents);
      for (guint k = 0; k < 200; k++)
        g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  t1 = g_get_monotonic_time ();
  lean_session_db_flush (db);
  for (guint i = 0; i < sessions->len; i++)
    if (lean_session_get_state (g_ptr_array_index (sessions, i)) == LEAN_SESSION_STATE_COMPLETED)
      completed++;

  printf ("rss: %d concurrent sessions (%s MB output each, %u completed in %.1f s): process "
          "RSS %.1f MB before, peak %.1f MB (VmHWM %.1f MB); the agents themselves "
          "%.1f MB together at peak\n",
          opt_concurrent, mb, completed, (t1 - t0) / 1e6, rss_before / 1024.0,
          peak_rss / 1024.0, status_kb ("VmHWM:") / 1024.0, peak_agents / 1024.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- session engine benchmarks");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (g_getenv ("LEANSPEC_BUILD_ROOT") == NULL)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *bench_dir = g_path_get_dirname (self);
      g_autofree char *root = g_path_get_dirname (bench_dir);
      g_setenv ("LEANSPEC_BUILD_ROOT", root, TRUE);
    }
  if (!test_agent_path_exists ())
    {
      fprintf (stderr, "lean-test-agent not found: build the tests first\n");
      return 1;
    }

  dir = g_dir_make_tmp ("leanspec-bench-XXXXXX", &error);
  /* The bench trusts its own runners.json, in a config folder of its own. */
  if (dir != NULL)
    {
      g_autofree char *config = g_build_filename (dir, "config", NULL);
      g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    }
  g_assert_no_error (error);

  bench_ingest (dir);
  bench_list (dir);
  bench_rss (dir);

  test_util_rm_rf (dir);
  return 0;
}
