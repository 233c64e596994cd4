/* SPDX-License-Identifier: MIT */
/* bench-relay: output latency (p50/p99) and throughput of a relay session
 * on loopback through the conformance peer, next to LeanLocalRunner running
 * the same agent.
 *
 *   bench-relay [--ticks N] [--interval-us U] [--flood-mb M]
 *
 * The agent is this program itself (--agent-ticks / --agent-flood), so both
 * paths run the very same bytes. Latency is one way: the agent prints its
 * CLOCK_MONOTONIC time, the reader subtracts it from its own on arrival
 * (same machine, same clock). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gio.h>

#include "lean-local-runner.h"
#include "lean-relay-runner.h"

#include "bench-util.h"

#ifndef LEAN_RELAY_PEER_PATH
# error "LEAN_RELAY_PEER_PATH must be defined by the build"
#endif

static int opt_ticks = 2000;
static int opt_interval_us = 2000;
static int opt_flood_mb = 64;
static int opt_agent_ticks = -1;
static int opt_agent_flood_mb = -1;

/* ------------------------------------------------------------------------ */
/* The agent                                                                 */

static int
agent_flood (int mb)
{
  char buf[65536];

  /* Printable, no newline: the PTY passes it through untouched. */
  for (gsize i = 0; i < sizeof buf; i++)
    buf[i] = 'a' + (i % 26);
  for (gsize total = 0; total < (gsize)mb * 1024 * 1024;)
    {
      ssize_t n = write (1, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return 1;
      total += n;
    }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Measuring                                                                 */

typedef struct
{
  GArray  *latencies_us;  /* gint64 */
  GString *partial;
  guint64  bytes;
  gint64   first_byte_us;
  gint64   last_byte_us;
  gboolean done;
} Probe;

static void
probe_init (Probe *p)
{
  memset (p, 0, sizeof *p);
  p->latencies_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  p->partial = g_string_new (NULL);
}

static void
probe_clear (Probe *p)
{
  g_array_unref (p->latencies_us);
  g_string_free (p->partial, TRUE);
}

static void
probe_feed (Probe        *p,
            const guint8 *data,
            gsize         len,
            gboolean      parse_ticks)
{
  gint64 now = g_get_monotonic_time ();

  if (p->bytes == 0)
    p->first_byte_us = now;
  p->last_byte_us = now;
  p->bytes += len;
  if (!parse_ticks)
    return;

  g_string_append_len (p->partial, (const char *)data, len);
  for (;;)
    {
      char *nl = memchr (p->partial->str, '\n', p->partial->len);
      char *t;

      if (nl == NULL)
        break;
      *nl = '\0';
      t = strchr (p->partial->str, 'T');
      if (t != NULL)
        {
          gint64 sent = g_ascii_strtoll (t + 1, NULL, 10);
          gint64 lat = now - sent;

          g_array_append_val (p->latencies_us, lat);
        }
      g_string_erase (p->partial, 0, nl - p->partial->str + 1);
    }
}

static double
percentile_ms (GArray *a,
               double  pct)
{
  if (a->len == 0)
    return -1;
  g_array_sort (a, bench_compare_gint64);
  return bench_percentile (a, pct / 100.0) / 1000.0;
}

/* ------------------------------------------------------------------------ */
/* Relay: the same agent through the peer and LeanRelayRunner               */

typedef struct
{
  Probe    *probe;
  gboolean  ticks;
  gboolean  exited;
  gboolean  start_done;
  int       kind;
} RelayRun;

static void
on_output (LeanRunner *runner,
           GBytes     *bytes,
           RelayRun   *rr)
{
  probe_feed (rr->probe, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), rr->ticks);
}

static void
on_exited (LeanRunner *runner,
           int         kind,
           int         code,
           const char *message,
           RelayRun   *rr)
{
  rr->kind = kind;
  rr->exited = TRUE;
  if (kind != LEAN_RUNNER_EXIT_EXITED)
    g_printerr ("run ended badly: %s\n", message);
}

static void
on_started_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RelayRun *rr = user_data;

  lean_runner_start_finish (LEAN_RUNNER (source), result, NULL);
  rr->start_done = TRUE;
}

static void
run_runner (LeanRunner  *runner,
            char       **argv,
            Probe       *probe,
            gboolean     ticks)
{
  g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new ((const char * const *)argv,
                                                               g_get_tmp_dir ());
  RelayRun rr = { probe, ticks, FALSE, FALSE, 0 };

  g_signal_connect (runner, "output", G_CALLBACK (on_output), &rr);
  g_signal_connect (runner, "exited", G_CALLBACK (on_exited), &rr);
  lean_runner_start_async (runner, launch, NULL, on_started_done, &rr);
  while (!rr.exited)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (runner, &rr);
}

static void
run_local (char     **argv,
           Probe     *probe,
           gboolean   ticks)
{
  g_autoptr(LeanLocalRunner) runner = lean_local_runner_new ();

  run_runner (LEAN_RUNNER (runner), argv, probe, ticks);
}

static void
run_relay (const char  *url,
           char       **argv,
           Probe       *probe,
           gboolean     ticks)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autoptr(LeanRelayRunner) runner = lean_relay_runner_new (url, "bench", NULL, uuid);

  run_runner (LEAN_RUNNER (runner), argv, probe, ticks);
}

static GSubprocess *
start_peer (char **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  GSubprocess *peer;

  peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           LEAN_RELAY_PEER_PATH, "bench", NULL);
  if (peer == NULL)
    g_error ("cannot start %s: %s", LEAN_RELAY_PEER_PATH, error->message);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (line == NULL)
    g_error ("the peer did not print its port");
  *url = g_strdup_printf ("ws://127.0.0.1:%s", line);
  return peer;
}

static void
report (const char *name,
        Probe      *lat,
        Probe      *flood)
{
  double secs = (flood->last_byte_us - flood->first_byte_us) / 1e6;

  g_print ("| %-28s | %8.3f | %8.3f | %8.3f | %9.1f |\n", name,
           percentile_ms (lat->latencies_us, 50), percentile_ms (lat->latencies_us, 99),
           percentile_ms (lat->latencies_us, 100),
           secs > 0 ? flood->bytes / (1024.0 * 1024.0) / secs : 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) peer = NULL;
  g_autofree char *self = NULL;
  g_autofree char *url = NULL;
  g_autofree char *ticks_s = NULL;
  g_autofree char *interval_s = NULL;
  g_autofree char *flood_s = NULL;
  Probe local_lat, local_flood, relay_lat, relay_flood;
  GOptionEntry entries[] = {
    { "ticks", 0, 0, G_OPTION_ARG_INT, &opt_ticks, "Latency samples", "N" },
    { "interval-us", 0, 0, G_OPTION_ARG_INT, &opt_interval_us, "Between samples", "U" },
    { "flood-mb", 0, 0, G_OPTION_ARG_INT, &opt_flood_mb, "Throughput payload", "M" },
    { "agent-ticks", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_agent_ticks, NULL, NULL },
    { "agent-flood", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_agent_flood_mb, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new ("- relay latency and throughput");
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

  signal (SIGPIPE, SIG_IGN);
  self = g_file_read_link ("/proc/self/exe", &error);
  if (self == NULL)
    g_error ("%s", error->message);
  ticks_s = g_strdup_printf ("--agent-ticks=%d", opt_ticks);
  interval_s = g_strdup_printf ("--interval-us=%d", opt_interval_us);
  flood_s = g_strdup_printf ("--agent-flood=%d", opt_flood_mb);

  {
    char *tick_argv[] = { self, ticks_s, interval_s, NULL };
    char *flood_argv[] = { self, flood_s, NULL };

    probe_init (&local_lat);
    probe_init (&local_flood);
    probe_init (&relay_lat);
    probe_init (&relay_flood);

    run_local (tick_argv, &local_lat, TRUE);
    run_local (flood_argv, &local_flood, FALSE);

    peer = start_peer (&url);
    run_relay (url, tick_argv, &relay_lat, TRUE);
    run_relay (url, flood_argv, &relay_flood, FALSE);
    g_subprocess_force_exit (peer);
  }

  g_print ("%d latency samples every %d us; %d MiB flood\n\n",
           opt_ticks, opt_interval_us, opt_flood_mb);
  g_print ("| %-28s | %8s | %8s | %8s | %9s |\n", "path", "p50 ms", "p99 ms", "max ms",
           "MiB/s");
  g_print ("|------------------------------|----------|----------|----------|-----------|\n");
  report ("LeanLocalRunner", &local_lat, &local_flood);
  report ("relay (peer, ws://127.0.0.1)", &relay_lat, &relay_flood);
  g_print ("\nbytes: local %" G_GUINT64_FORMAT ", relay %" G_GUINT64_FORMAT
           " (expected %" G_GUINT64_FORMAT ")\n",
           local_flood.bytes, relay_flood.bytes, (guint64)opt_flood_mb * 1024 * 1024);

  probe_clear (&local_lat);
  probe_clear (&local_flood);
  probe_clear (&relay_lat);
  probe_clear (&relay_flood);
  return relay_flood.bytes == (guint64)opt_flood_mb * 1024 * 1024 ? 0 : 1;
}
