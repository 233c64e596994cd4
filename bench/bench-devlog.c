/* SPDX-License-Identifier: MIT */
/* Telemetry delivery: 100,000 events queued through the session database's
 * tap, drained by LeanDevlogSender to a loopback collector that checks
 * every event (tests/devlog-peer.c), while the main loop runs a 1 ms ticker
 * and takes the sender's "changed" signals. Prints the queueing rate, the
 * drain rate and the main loop's gaps. Run:
 *   _build/bench/bench-devlog [EVENTS]      (default 100000) */
#include "config.h"

#include <unistd.h>

#include "bench-util.h"
#include "devlog-peer.h"
#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-session-private.h"
#include "test-util.h"

#define TOOLS_PER_SESSION 97   /* + start, usage, end = 100 events */

typedef struct
{
  GArray *gaps;
  gint64  last;
} Ticker;

static gboolean
tick (gpointer data)
{
  Ticker *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last > 0)
    {
      gint64 gap = now - t->last;
      g_array_append_val (t->gaps, gap);
    }
  t->last = now;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  LeanDevlogSender *sender;
  gboolean          ok;
  gint              done;
} Waiter;

static gpointer
wait_thread (gpointer data)
{
  Waiter *w = data;

  w->ok = lean_devlog_sender_wait_empty (w->sender, 600 * G_USEC_PER_SEC);
  g_atomic_int_set (&w->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
on_changed (LeanDevlogSender *sender,
            guint            *n)
{
  (*n)++;
}

int
main (int    argc,
      char **argv)
{
  guint n_events = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint n_sessions = MAX (n_events / (TOOLS_PER_SESSION + 3), 1);
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (path, &error);
  DevlogPeer *peer = devlog_peer_start (LEAN_DEVLOG_KIND_COLLECTOR, 0, NULL);
  g_autofree char *url = devlog_peer_get_url (peer);
  g_autoptr(LeanDevlogSettings) settings = lean_devlog_settings_new ();
  g_autoptr(LeanDevlogSender) sender = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;
  Ticker ticker = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  Waiter waiter = { 0 };
  GThread *thread;
  guint changed = 0;
  gint64 t0, t1, t2, t3;
  guint source;
  sqlite3 *conn;

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
  g_signal_connect (sender, "changed", G_CALLBACK (on_changed), &changed);
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
  g_source_remove (source);
  lean_devlog_sender_stop (sender);

  g_array_sort (ticker.gaps, bench_compare_gint64);
  printf ("drained %u events in %.2f s: %.0f events/s, %" G_GUINT64_FORMAT " posts, %u "
          "\"changed\" signals, %u refused, %u duplicates (%s)\n",
          devlog_peer_n_accepted (peer), (t3 - t2) / 1e6,
          devlog_peer_n_accepted (peer) / ((t3 - t2) / 1e6),
          lean_devlog_sender_get_posts (sender), changed, devlog_peer_n_refused (peer),
          devlog_peer_n_duplicates (peer), waiter.ok ? "outbox empty" : "TIMED OUT");
  printf ("main loop gaps (1 ms ticker) p50 / p99 / max: %.1f / %.1f / %.1f ms\n",
          bench_percentile (ticker.gaps, 0.5) / 1000.0,
          bench_percentile (ticker.gaps, 0.99) / 1000.0,
          bench_percentile (ticker.gaps, 1.0) / 1000.0);

  sqlite3_close (conn);
  devlog_peer_stop (peer);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
  g_array_unref (ticker.gaps);
  return waiter.ok ? 0 : 1;
}
