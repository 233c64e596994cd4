/* SPDX-License-Identifier: MIT */
/* Telemetry delivery: 100,000 events queued through the session database's
 * tap, drained by LeanDevlogSender to a loopback collector that checks
 * every event (tests/devlog-peer.c), while the main loop runs a 1 ms ticker
 * and does what Preferences -> Telemetry does on the sender's "changed"
 * signal (a status read on a worker thread, at most every 500 ms). Prints
 * the queueing rate, the drain rate, the CPU time of the sender and of the
 * peer, and the main loop's gaps, also less the time the main thread was
 * runnable but waiting for a CPU (/proc/thread-self/schedstat): that part
 * of a gap is the machine's load, the rest is the main loop's own. The
 * collector runs in a child process, as Devlog would: its parsing and its
 * memory's growth do not share this process's address space and locks. Run:
 *   _build/bench/bench-devlog [EVENTS]      (default 100000) */
#include "config.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "devlog-peer.h"
#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-session-private.h"
#include "test-util.h"

#define TOOLS_PER_SESSION 97   /* + start, usage, end = 100 events */

#define REFRESH_MS 500   /* as LeanTelemetryPreferences */

/* schedstat: CPU time and run-queue wait in ns, from an open file of it. */
static gboolean
read_schedstat (int     fd,
                gint64 *cpu_ns,
                gint64 *wait_ns)
{
  char buf[128];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return sscanf (buf, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, cpu_ns, wait_ns) == 2;
}

typedef struct
{
  GArray *gaps;
  GArray *own;      /* gaps less the run-queue wait in them */
  gint64  last;
  gint64  last_wait;
  int     fd;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *t = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = 0, wait = 0;

  if (t->fd >= 0)
    read_schedstat (t->fd, &cpu, &wait);
  if (t->last > 0)
    {
      gint64 gap = now - t->last;
      gint64 own = MAX (gap - (wait - t->last_wait) / 1000, 0);

      g_array_append_val (t->gaps, gap);
      g_array_append_val (t->own, own);
    }
  t->last = now;
  t->last_wait = wait;
  return G_SOURCE_CONTINUE;
}

/* The CPU time so far of this process's threads called @name, in ns. */
static gint64
thread_cpu_ns (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  gint64 total = 0;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/schedstat", tid);
      g_autofree char *comm = NULL;
      gint64 cpu = 0, wait = 0;
      int fd;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          !g_str_equal (g_strchomp (comm), name))
        continue;
      fd = open (stat_path, O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && read_schedstat (fd, &cpu, &wait))
        total += cpu;
      if (fd >= 0)
        close (fd);
    }
  return total;
}

/* ---- the collector, in a child process forked before any thread ---- */

typedef struct
{
  GPid  pid;
  int   to_child;
  FILE *from_child;
  guint port;
} Peer;

typedef struct
{
  guint  accepted;
  guint  refused;
  guint  duplicates;
  gint64 cpu_ns;
} PeerReport;

static void
peer_spawn (Peer *peer)
{
  int down[2], up[2];

  g_assert_cmpint (pipe (down), ==, 0);
  g_assert_cmpint (pipe (up), ==, 0);
  peer->pid = fork ();
  g_assert_cmpint (peer->pid, >=, 0);
  if (peer->pid == 0)
    {
      DevlogPeer *dp = devlog_peer_start (LEAN_DEVLOG_KIND_COLLECTOR, 0, NULL);
      FILE *out = fdopen (up[1], "w");
      char byte;

      close (down[1]);
      close (up[0]);
      fprintf (out, "%u\n", devlog_peer_get_port (dp));
      fflush (out);
      /* The parent writes a byte once the outbox is empty. */
      if (read (down[0], &byte, 1) != 1)
        _exit (1);
      fprintf (out, "%u %u %u %" G_GINT64_FORMAT "\n", devlog_peer_n_accepted (dp),
               devlog_peer_n_refused (dp), devlog_peer_n_duplicates (dp),
               thread_cpu_ns ("devlog-peer"));
      fflush (out);
      _exit (0);
    }
  close (down[0]);
  close (up[1]);
  peer->to_child = down[1];
  peer->from_child = fdopen (up[0], "r");
  g_assert_cmpint (fscanf (peer->from_child, "%u", &peer->port), ==, 1);
}

static PeerReport
peer_finish (Peer *peer)
{
  PeerReport r = { 0 };
  int status;

  g_assert_cmpint (write (peer->to_child, "x", 1), ==, 1);
  g_assert_cmpint (fscanf (peer->from_child, "%u %u %u %" G_GINT64_FORMAT, &r.accepted,
                           &r.refused, &r.duplicates, &r.cpu_ns), ==, 4);
  fclose (peer->from_child);
  close (peer->to_child);
  waitpid (peer->pid, &status, 0);
  return r;
}

typedef struct
{
  LeanDevlogSender *sender;
  gboolean          ok;
  gint              done;
  gint64            sender_cpu_ns;
} Waiter;

static gpointer
wait_thread (gpointer data)
{
  Waiter *w = data;

  w->ok = lean_devlog_sender_wait_empty (w->sender, 600 * G_USEC_PER_SEC);
  /* Before the sender, idle now, can be stopped and its thread gone. */
  w->sender_cpu_ns = thread_cpu_ns ("devlog-sender");
  g_atomic_int_set (&w->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

typedef struct
{
  char  *db_path;
  guint  changed;
  guint  refresh_id;
  guint  refreshes;
} Prefs;

static void
status_read (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Prefs *p = data;
  g_autoptr(LeanDevlogStatus) st = lean_devlog_status_read_finish (result, NULL);

  if (st != NULL)
    p->refreshes++;
}

static gboolean
refresh_cb (gpointer data)
{
  Prefs *p = data;

  p->refresh_id = 0;
  lean_devlog_status_read_async (p->db_path, NULL, status_read, p);
  return G_SOURCE_REMOVE;
}

static void
on_changed (LeanDevlogSender *sender,
            Prefs            *p)
{
  p->changed++;
  if (p->refresh_id == 0)
    p->refresh_id = g_timeout_add (REFRESH_MS, refresh_cb, p);
}

int
main (int    argc,
      char **argv)
{
  guint n_events = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint n_sessions = MAX (n_events / (TOOLS_PER_SESSION + 3), 1);
  Peer peer = { 0 };
  PeerReport report;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autofree char *url = NULL;
  g_autoptr(LeanDevlogSettings) settings = lean_devlog_settings_new ();
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;
  Ticker ticker = { g_array_new (FALSE, FALSE, sizeof (gint64)),
                    g_array_new (FALSE, FALSE, sizeof (gint64)), 0, 0,
                    open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC) };
  Waiter waiter = { 0 };
  Prefs prefs = { NULL, 0, 0, 0 };
  GThread *thread;
  gint64 t0, t1, t2, t3;
  guint source;
  sqlite3 *conn;

  peer_spawn (&peer);
  url = g_strdup_printf ("http://127.0.0.1:%u", peer.port);
  dir = test_util_make_tmp_dir ();
  path = g_build_filename (dir, "sessions.db", NULL);
  prefs.db_path = path;
  db = lean_session_db_open (path, &error);
  g_assert_no_error (error);
  settings->url = g_strdup (url);
  settings->kind = LEAN_DEVLOG_KIND_COLLECTOR;
  lean_devlog_outbox_attach (db, settings);

  t0 = g_get_monotonic_time ();
  for (guint s = 0; s < n_sessions; s++)
    {
      g_autoptr(LeanSession) session = lean_session_new (NULL, "/tmp/project", "001-alpha",
                                                         "claude",
                                                         LEAN_SESSION_MODE_AUTONOMOUS);
      const char *id = lean_session_get_id (session);

      lean_session_set_owner_pid (session, getpid ());
      lean_session_db_save_session (db, session);
      for (guint i = 0; i < TOOLS_PER_SESSION; i++)
        {
          g_autofree char *json =
            g_strdup_printf ("{\"id\":\"t%u\",\"name\":\"Edit\",\"input\":{\"file_path\":"
                             "\"src/file-%u.c\"}}", i, i);

          lean_session_db_add_event (db, id, "tool-use", json);
        }
      lean_session_set_usage (session, 1000 + s, 200, 0);
      lean_session_db_save_session_with_event (db, session, "usage",
                                               "{\"input_tokens\":1000,\"output_tokens\":200}");
      lean_session_set_state (session, LEAN_SESSION_STATE_COMPLETED);
      lean_session_db_save_session (db, session);
    }
  lean_session_db_flush (db);
  t1 = g_get_monotonic_time ();

  conn = lean_devlog_outbox_open (path, &error);
  g_assert_no_error (error);
  st = lean_devlog_outbox_status (conn, &error);
  g_assert_no_error (error);
  printf ("queued %" G_GINT64_FORMAT " events of %u sessions through the tap in %.2f s "
          "(%.0f events/s)\n", st->queued, n_sessions, (t1 - t0) / 1e6,
          st->queued / ((t1 - t0) / 1e6));

  sender = lean_devlog_sender_new (path);
  g_signal_connect (sender, "changed", G_CALLBACK (on_changed), &prefs);
  lean_devlog_sender_set_settings (sender, settings);
  source = g_timeout_add (1, tick, &ticker);
  t2 = g_get_monotonic_time ();
  lean_devlog_sender_start (sender);
  waiter.sender = sender;
  thread = g_thread_new ("wait", wait_thread, &waiter);
  while (!g_atomic_int_get (&waiter.done))
    g_main_context_iteration (NULL, TRUE);
  t3 = g_get_monotonic_time ();
  g_thread_join (thread);
  report = peer_finish (&peer);
  printf ("CPU per event: sender %.1f µs, peer %.1f µs\n",
          waiter.sender_cpu_ns / 1000.0 / MAX (report.accepted, 1),
          report.cpu_ns / 1000.0 / MAX (report.accepted, 1));
  g_source_remove (source);
  lean_devlog_sender_stop (sender);

  g_array_sort (ticker.gaps, bench_compare_gint64);
  g_array_sort (ticker.own, bench_compare_gint64);
  printf ("drained %u events in %.2f s: %.0f events/s, %" G_GUINT64_FORMAT " posts, %u "
          "\"changed\" signals, %u status refreshes, %u refused, %u duplicates (%s)\n",
          report.accepted, (t3 - t2) / 1e6, report.accepted / ((t3 - t2) / 1e6),
          lean_devlog_sender_get_posts (sender), prefs.changed, prefs.refreshes,
          report.refused, report.duplicates,
          waiter.ok ? "outbox empty" : "TIMED OUT");
  printf ("main loop gaps (1 ms ticker) p50 / p99 / max: %.1f / %.1f / %.1f ms\n",
          bench_percentile (ticker.gaps, 0.5) / 1000.0,
          bench_percentile (ticker.gaps, 0.99) / 1000.0,
          bench_percentile (ticker.gaps, 1.0) / 1000.0);
  printf ("  less run-queue wait (%s) p50 / p99 / max: %.1f / %.1f / %.1f ms\n",
          ticker.fd >= 0 ? "schedstat" : "NO schedstat",
          bench_percentile (ticker.own, 0.5) / 1000.0,
          bench_percentile (ticker.own, 0.99) / 1000.0,
          bench_percentile (ticker.own, 1.0) / 1000.0);

  sqlite3_close (conn);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
  g_array_unref (ticker.gaps);
  g_array_unref (ticker.own);
  if (ticker.fd >= 0)
    close (ticker.fd);
  return waiter.ok ? 0 : 1;
}
