/* SPDX-License-Identifier: MIT */
/* Terminal view benchmark: a real VteTerminal in a real window (run it under
 * Xvfb), fed from a real child process writing into a PTY, read on the main
 * loop the way a local runner reads it.
 *
 *   latency     the child writes 200 lines/s with its CLOCK_MONOTONIC time
 *               embedded; we measure write -> bytes handed to vte_terminal_feed
 *               (p50/p99/max), and frame gaps meanwhile.
 *   flood       the child writes 50 MB of coloured agent-like text as fast as
 *               the PTY takes it, then a final marker line; we measure frame
 *               gaps from the first byte until the marker is on screen, and
 *               the time from the marker's write to it being visible.
 *   bare-flood  the same flood, each read fed straight to a bare VteTerminal.
 *   bare-all    the same flood collected first, then fed to a bare VteTerminal
 *               in one call.
 *
 * Usage: bench-terminal [--mb N] [--mode NAME]... [--markdown]
 */
#define _GNU_SOURCE 1 /* memmem */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <vte/vte.h>

#include "lean-controller.h"
#include "lean-local-runner.h"
#include "lean-terminal-view-private.h"

#define END_TEXT "LEANSPEC-FLOOD-END"

/* Writers (the child side) */

static void
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR || errno == EAGAIN)
            continue;
          exit (1);
        }
      data += n;
      len -= (gsize) n;
    }
}

static int
writer_latency (int   rate,
                int   seconds)
{
  gint64 interval = G_USEC_PER_SEC / rate;
  gint64 next = g_get_monotonic_time ();

  for (int i = 0; i < rate * seconds; i++)
    {
      char line[256];
      int n;

      next += interval;
      while (g_get_monotonic_time () < next)
        g_usleep (MAX (1, next - g_get_monotonic_time ()));

      n = g_snprintf (line, sizeof line,
                      "@@T%" G_GINT64_FORMAT "@ \033[1;34m▶\033[0m line %d: reading "
                      "src/core/lean-session.c and thinking about the next edit\n",
                      g_get_monotonic_time (), i);
      write_all (STDOUT_FILENO, line, (gsize) n);
    }

  return 0;
}

/* One line of Claude stream-json carrying @text (plain, no escapes needed
 * but quotes and backslashes, which the flood text has none of). */
static void
append_json_text (GString    *out,
                  const char *text)
{
  g_string_append (out, "{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\","
                        "\"content\":[{\"type\":\"text\",\"text\":\"");
  g_string_append (out, text);
  g_string_append (out, "\"}]}}\n");
}

static int
writer_flood_json (guint mb)
{
  GString *block = g_string_new (NULL);
  guint64 total = (guint64) mb * 1000 * 1000;
  guint64 written = 0;
  g_autofree char *marker = NULL;
  GString *end = g_string_new (NULL);

  for (guint i = 0; block->len < 1000 * 1000; i++)
    {
      g_autofree char *text = g_strdup_printf ("Compiled src/core/file-%u.c with %u warnings; "
                                               "next I will edit src/ui/lean-widget-%u.c and "
                                               "run the tests again.", i, i % 7, i);

      append_json_text (block, text);
    }

  while (written < total)
    {
      gsize len = (gsize) MIN ((guint64) block->len, total - written);

      /* Whole lines only, so the last one is not cut mid-object. */
      if (len < block->len)
        {
          const char *nl = g_strrstr_len (block->str, len, "\n");
          len = nl ? (gsize) (nl - block->str) + 1 : len;
        }
      write_all (STDOUT_FILENO, block->str, len);
      written += len;
      if (len < block->len)
        break;
    }

  tcdrain (STDOUT_FILENO);
  marker = g_strdup_printf (END_TEXT " @@E%" G_GINT64_FORMAT "@", g_get_monotonic_time ());
  append_json_text (end, marker);
  write_all (STDOUT_FILENO, end->str, end->len);
  tcdrain (STDOUT_FILENO);
  g_string_free (end, TRUE);
  g_string_free (block, TRUE);

  return 0;
}

static int
writer_flood (guint mb)
{
  GString *block = g_string_new (NULL);
  guint64 total = (guint64) mb * 1000 * 1000;
  guint64 written = 0;
  char end[128];
  int n;

  /* About 1 MB of what agents print: coloured status lines, paths, some
   * UTF-8, long lines that wrap. */
  for (guint i = 0; block->len < 1000 * 1000; i++)
    {
      switch (i % 4)
        {
        case 0:
          g_string_append_printf (block, "\033[32m✔\033[0m src/core/file-%u.c: compiled, "
                                  "%u warnings, 0 errors\n", i, i % 7);
          break;
        case 1:
          g_string_append_printf (block, "\033[1;34m▶ Edit\033[0m src/ui/lean-widget-%u.c "
                                  "── replaced 12 lines with 18 lines\n", i);
          break;
        case 2:
          g_string_append_printf (block, "  %06u  QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlq"
                                  "a2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw==  %u\n", i, i * 31);
          break;
        default:
          g_string_append_printf (block, "\033[2mtool result folded (%u lines)\033[0m "
                                  "\033[31merror:\033[0m nothing to see here, line %u\n",
                                  i % 50, i);
          break;
        }
    }

  while (written < total)
    {
      gsize len = (gsize) MIN ((guint64) block->len, total - written);

      write_all (STDOUT_FILENO, block->str, len);
      written += len;
    }

  /* Let the reader drain the flood before the marker goes out on its own. */
  tcdrain (STDOUT_FILENO);
  n = g_snprintf (end, sizeof end, "\033[0m\n" END_TEXT " @@E%" G_GINT64_FORMAT "@\n",
                  g_get_monotonic_time ());
  write_all (STDOUT_FILENO, end, (gsize) n);
  tcdrain (STDOUT_FILENO);
  g_string_free (block, TRUE);

  return 0;
}

/* The reader and the views (the app side) */

typedef enum
{
  MODE_LATENCY,
  MODE_FLOOD,
  MODE_BARE_FLOOD,
  MODE_BARE_ALL,
} Mode;

/* Priority of the PTY read source: G_PRIORITY_DEFAULT like LeanLocalRunner
 * today, or e.g. G_PRIORITY_DEFAULT_IDLE (200, VTE's own); -1 adaptive:
 * default priority while the agent writes at a normal rate (latency), idle
 * priority while a dispatch finds a full buffer (a flood), so frames and
 * VTE's parsing get their turns. */
static int reader_priority = G_PRIORITY_DEFAULT;

static const char * const mode_names[] = { "latency", "flood", "bare-flood", "bare-all" };

typedef struct
{
  Mode              mode;
  guint             mb;

  GtkWidget        *window;
  LeanTerminalView *view;     /* NULL in bare modes */
  VteTerminal      *terminal;

  int               master;
  GPid              pid;
  guint             fd_watch;
  gboolean          eof;
  gboolean          exited;

  GByteArray       *collected; /* bare-all */
  LeanRunner       *runner;    /* --runner local */
  LeanSession      *session;   /* --controller */
  guint64           raw_bytes; /* --controller: bytes the runner read */
  char              carry[64];
  gsize             carry_len;

  guint64           bytes_read;
  gint64            first_byte_us;
  gint64            end_written_us;
  gint64            end_read_us;
  gint64            end_visible_us;

  gint64            last_tick_us;
  GArray           *gaps;       /* gint64 µs */
  GArray           *latencies;  /* gint64 µs */
  guint             ticks;
  gboolean          done;
} Run;

static int
cmp_int64 (gconstpointer a,
           gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static double
percentile_ms (GArray *values,
               double  p)
{
  gsize idx;

  if (values->len == 0)
    return 0.0;
  g_array_sort (values, cmp_int64);
  idx = (gsize) (p * (values->len - 1) + 0.5);
  return g_array_index (values, gint64, MIN (idx, values->len - 1)) / 1000.0;
}

/* Finds "@@<tag><digits>@" markers, also when split across reads. */
static void
scan_markers (Run        *run,
              const char *data,
              gsize       len,
              gint64      now)
{
  g_autofree char *buf = g_malloc (run->carry_len + len);
  gsize total = run->carry_len + len;
  const char *p, *end;
  gsize keep;

  memcpy (buf, run->carry, run->carry_len);
  memcpy (buf + run->carry_len, data, len);
  p = buf;
  end = buf + total;

  while ((p = memmem (p, end - p, "@@", 2)) != NULL)
    {
      const char *q = p + 3;
      gint64 value = 0;

      if (p + 3 > end)
        break;
      while (q < end && g_ascii_isdigit (*q))
        value = value * 10 + (*q++ - '0');
      if (q >= end)
        break; /* incomplete: keep it for the next read */
      if (*q == '@')
        {
          if (p[2] == 'T')
            {
              gint64 latency = now - value;
              g_array_append_val (run->latencies, latency);
            }
          else if (p[2] == 'E')
            {
              run->end_written_us = value;
              run->end_read_us = now;
            }
        }
      p = q;
    }

  /* Carry what could be the start of a marker. */
  keep = p != NULL ? (gsize) (end - p) : MIN (total, (gsize) 2);
  keep = MIN (keep, sizeof run->carry);
  memcpy (run->carry, end - keep, keep);
  run->carry_len = keep;
}

static void
feed_hook (LeanTerminalView *view,
           const char       *data,
           gsize             len,
           gpointer          user_data)
{
  Run *run = user_data;

  if (run->mode == MODE_LATENCY)
    scan_markers (run, data, len, g_get_monotonic_time ());
}

static char *
visible_text (VteTerminal *terminal)
{
  /* get_text() is the rows scrolled into view; the adjustment is relative
   * to the first retained row, so it cannot feed get_text_range(). */
  return vte_terminal_get_text (terminal, NULL, NULL, NULL);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();

  if (run->first_byte_us != 0 && run->last_tick_us != 0 && run->end_visible_us == 0)
    {
      gint64 gap = now - run->last_tick_us;
      g_array_append_val (run->gaps, gap);
      if (gap > 60000 && g_getenv ("BENCH_DEBUG") != NULL)
        g_printerr ("gap %.1f ms at +%.0f ms (read %.1f MB, rate %.1f, queued %lu)\n",
                    gap / 1000.0, (now - run->first_byte_us) / 1000.0, run->bytes_read / 1e6,
                    run->view ? _lean_terminal_view_get_rate (run->view) : 0.0,
                    run->view ? (gulong) lean_terminal_view_get_queued_bytes (run->view) : 0UL);
    }
  run->last_tick_us = now;
  run->ticks++;

  if (run->mode != MODE_LATENCY && run->end_read_us != 0 && run->end_visible_us == 0)
    {
      g_autofree char *text = visible_text (run->terminal);

      if (text != NULL && strstr (text, END_TEXT) != NULL)
        run->end_visible_us = now;
    }

  if (run->mode == MODE_LATENCY && run->eof && run->exited)
    run->done = TRUE;
  if (run->mode != MODE_LATENCY && run->end_visible_us != 0)
    run->done = TRUE;

  return G_SOURCE_CONTINUE;
}

static void
deliver (Run        *run,
         const char *data,
         gsize       len)
{
  if (run->mode == MODE_BARE_ALL)
    {
      g_byte_array_append (run->collected, (const guint8 *) data, len);
      if (run->end_read_us != 0)
        {
          /* Everything is in: one feed of the whole flood. */
          vte_terminal_feed (run->terminal, (const char *) run->collected->data,
                             run->collected->len);
          g_byte_array_set_size (run->collected, 0);
        }
      return;
    }

  if (run->view != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data, len);
      lean_terminal_view_feed (run->view, bytes);
    }
  else
    {
      if (run->mode == MODE_LATENCY)
        scan_markers (run, data, len, g_get_monotonic_time ());
      vte_terminal_feed (run->terminal, data, len);
    }
}

static void
handle_bytes (Run        *run,
              const char *data,
              gsize       len)
{
  if (run->first_byte_us == 0)
    run->first_byte_us = g_get_monotonic_time ();
  run->bytes_read += len;
  if (run->mode != MODE_LATENCY)
    scan_markers (run, data, len, g_get_monotonic_time ());
  deliver (run, data, len);
}

/* --runner local: the product's own LeanLocalRunner reads the PTY. */
static gboolean use_local_runner;

static void
on_runner_output (LeanRunner *runner,
                  GBytes     *bytes,
                  Run        *run)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  handle_bytes (run, data, len);
}

static void
on_runner_exited (LeanRunner *runner,
                  int         kind,
                  int         code,
                  const char *message,
                  Run        *run)
{
  run->eof = TRUE;
  run->exited = TRUE;
}

static void
on_runner_started (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lean_runner_start_finish (LEAN_RUNNER (object), result, &error))
    g_error ("runner: %s", error->message);
}

static gboolean
on_pty_readable (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  Run *run = user_data;
  static char buf[256 * 1024];
  gsize filled = 0;

  /* Read what is there, up to 256 KiB per dispatch, like a runner would. */
  while (filled < sizeof buf)
    {
      ssize_t n = read (fd, buf + filled, sizeof buf - filled);

      if (n > 0)
        {
          filled += (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      run->eof = TRUE; /* EIO: the child side closed */
      break;
    }

  if (reader_priority < 0)
    {
      GSource *source = g_main_current_source ();
      int want = filled >= 64 * 1024 ? G_PRIORITY_DEFAULT_IDLE : G_PRIORITY_DEFAULT;

      if (source != NULL && g_source_get_priority (source) != want)
        g_source_set_priority (source, want);
    }

  if (filled > 0)
    handle_bytes (run, buf, filled);

  if (run->eof)
    {
      run->fd_watch = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_child_exited (GPid     pid,
                 int      status,
                 gpointer user_data)
{
  Run *run = user_data;

  run->exited = TRUE;
  g_spawn_close_pid (pid);
}

/* --controller: the whole product path. The writer runs as a custom agent
 * through LeanController (LeanLocalRunner, the database on its thread, the
 * session's output signal) and the view is fed from the session. */
static gboolean use_controller;
static gboolean use_json;       /* --json: the flood is Claude stream-json */
static LeanController *controller;
static LeanSessionDb *session_db;
static char *bench_dir;

static void
on_session_output (LeanSession *session,
                   GBytes      *bytes,
                   Run         *run)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  handle_bytes (run, data, len);
}

/* Raw bytes, which the database must hold all of (for JSON the view gets
 * the parser's display text instead). */
static void
on_raw_output (LeanRunner *runner,
               GBytes     *bytes,
               Run        *run)
{
  run->raw_bytes += g_bytes_get_size (bytes);
}

static void
on_session_state (LeanSession *session,
                  GParamSpec  *pspec,
                  Run         *run)
{
  if (lean_session_get_state (session) >= LEAN_SESSION_STATE_COMPLETED)
    {
      run->eof = TRUE;
      run->exited = TRUE;
    }
}

static void
start_session (Run        *run,
               const char *self_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autofree char *project = g_build_filename (bench_dir, mode_names[run->mode], NULL);
  g_autofree char *dot = g_build_filename (project, ".lean-spec", NULL);
  g_autofree char *spec = g_build_filename (project, "specs", "001-x", NULL);
  g_autofree char *runners_path = g_build_filename (dot, "runners.json", NULL);
  g_autofree char *readme = g_build_filename (spec, "README.md", NULL);
  g_autofree char *runners = NULL;

  if (run->mode == MODE_LATENCY)
    runners = g_strdup_printf ("{\"runners\": {\"w\": {\"command\": \"%s\", \"args\": "
                               "[\"--writer-latency\"], \"prompt_flag\": \"-\"}}}", self_path);
  else
    runners = g_strdup_printf ("{\"runners\": {\"w\": {\"command\": \"%s\", \"args\": "
                               "[\"%s\", \"%u\"], \"prompt_flag\": \"-\", "
                               "\"output\": \"%s\"}}}",
                               self_path, use_json ? "--writer-flood-json" : "--writer-flood",
                               run->mb, use_json ? "claude-stream-json" : "text");
  g_mkdir_with_parents (dot, 0700);
  g_mkdir_with_parents (spec, 0700);
  if (!g_file_set_contents (runners_path, runners, -1, &error) ||
      !g_file_set_contents (readme, "---\nstatus: planned\n---\n# X\n", -1, &error))
    g_error ("%s", error->message);

  if (session_db == NULL)
    {
      g_autofree char *path = g_build_filename (bench_dir, "sessions.db", NULL);

      session_db = lean_session_db_open (path, &error);
      if (session_db == NULL)
        g_error ("db: %s", error->message);
      controller = lean_controller_new (session_db);
    }

  request->project_path = g_strdup (project);
  request->spec_id = g_strdup ("001-x");
  request->agent_id = g_strdup ("w");
  request->prompt = g_strdup ("go");
  request->set_in_progress = FALSE;
  run->session = lean_controller_start (controller, request, &error);
  if (run->session == NULL)
    g_error ("start: %s", error->message);
  g_object_ref (run->session);
  g_signal_connect (run->session, "output", G_CALLBACK (on_session_output), run);
  run->runner = g_object_ref (lean_controller_get_runner (controller, run->session));
  g_signal_connect (run->runner, "output", G_CALLBACK (on_raw_output), run);
  g_signal_connect (run->session, "notify::state", G_CALLBACK (on_session_state), run);
}

static void
child_setup (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

static void
spawn_writer (Run        *run,
              const char *self_path)
{
  if (use_controller)
    {
      start_session (run, self_path);
      return;
    }
  if (use_local_runner)
    {
      g_autofree char *size = g_strdup_printf ("%u", run->mb);
      const char *argv_latency[] = { self_path, "--writer-latency", NULL };
      const char *argv_flood[] = { self_path, "--writer-flood", size, NULL };
      g_autoptr(LeanRunnerLaunch) launch =
        lean_runner_launch_new (run->mode == MODE_LATENCY ? argv_latency : argv_flood, NULL);

      launch->rows = (guint) vte_terminal_get_row_count (run->terminal);
      launch->cols = (guint) vte_terminal_get_column_count (run->terminal);
      run->runner = LEAN_RUNNER (lean_local_runner_new ());
      g_signal_connect (run->runner, "output", G_CALLBACK (on_runner_output), run);
      g_signal_connect (run->runner, "exited", G_CALLBACK (on_runner_exited), run);
      lean_runner_start_async (run->runner, launch, NULL, on_runner_started, NULL);
      return;
    }

  g_autoptr(GError) error = NULL;
  g_autofree char *mb = g_strdup_printf ("%u", run->mb);
  const char *argv_latency[] = { self_path, "--writer-latency", NULL };
  const char *argv_flood[] = { self_path, "--writer-flood", mb, NULL };
  struct winsize ws = { 0 };
  int slave;

  ws.ws_row = (unsigned short) vte_terminal_get_row_count (run->terminal);
  ws.ws_col = (unsigned short) vte_terminal_get_column_count (run->terminal);
  if (openpty (&run->master, &slave, NULL, NULL, &ws) != 0)
    g_error ("openpty: %s", g_strerror (errno));
  g_unix_set_fd_nonblocking (run->master, TRUE, NULL);
  fcntl (run->master, F_SETFD, FD_CLOEXEC);

  if (!g_spawn_async_with_fds (NULL,
                               (char **) (run->mode == MODE_LATENCY ? argv_latency : argv_flood),
                               NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup, NULL,
                               &run->pid, slave, slave, slave, &error))
    g_error ("spawn: %s", error->message);
  close (slave);

  g_child_watch_add (run->pid, on_child_exited, run);
  run->fd_watch = g_unix_fd_add_full (MAX (reader_priority, G_PRIORITY_DEFAULT), run->master,
                                      G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      on_pty_readable, run, NULL);
}

static void
iterate_until (gboolean *flag,
               gint64    timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for (gint64 us)
{
  gboolean elapsed = FALSE;

  g_timeout_add ((guint) (us / 1000), set_flag, &elapsed);
  iterate_until (&elapsed, G_MAXINT64 / 2);
}

typedef struct
{
  Mode   mode;
  double lat_p50, lat_p99, lat_max;
  guint  lat_n;
  double gap_p50, gap_p99, gap_max;
  guint  frames;
  double final_ms;
  double read_mb_s;
  guint64 db_bytes;    /* --controller: raw bytes the database holds */
  guint64 fed_bytes;   /* bytes that reached the app */
  double db_ms;        /* first byte to every byte committed */
  double elided_mb;
  double seconds;
  gboolean timed_out;
} Result;

static Result
run_mode (Mode        mode,
          guint       mb,
          const char *self_path)
{
  Run run = { 0 };
  Result result = { 0 };
  gint64 start;

  run.mode = mode;
  run.mb = mb;
  run.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  run.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  run.collected = g_byte_array_new ();
  run.master = -1;

  run.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (run.window), 1000, 700);
  gtk_window_set_title (GTK_WINDOW (run.window), mode_names[mode]);

  if (mode == MODE_LATENCY || mode == MODE_FLOOD)
    {
      run.view = LEAN_TERMINAL_VIEW (lean_terminal_view_new ());
      run.terminal = lean_terminal_view_get_terminal (run.view);
      _lean_terminal_view_set_feed_hook (run.view, feed_hook, &run);
      gtk_window_set_child (GTK_WINDOW (run.window), GTK_WIDGET (run.view));
    }
  else
    {
      GtkWidget *scroller = gtk_scrolled_window_new ();

      run.terminal = VTE_TERMINAL (vte_terminal_new ());
      vte_terminal_set_scrollback_lines (run.terminal, 10000);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (run.terminal));
      gtk_window_set_child (GTK_WINDOW (run.window), scroller);
    }

  gtk_widget_add_tick_callback (run.window, on_tick, &run, NULL);
  gtk_window_present (GTK_WINDOW (run.window));
  /* Let the window map and settle before starting the clock. */
  iterate_for (500 * 1000);

  spawn_writer (&run, self_path);
  start = g_get_monotonic_time ();
  iterate_until (&run.done, 120 * G_USEC_PER_SEC);
  result.timed_out = !run.done;
  if (g_getenv ("BENCH_DEBUG") != NULL)
    {
      g_autofree char *text = visible_text (run.terminal);
      glong col, row;
      GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (run.terminal));

      vte_terminal_get_cursor_position (run.terminal, &col, &row);
      g_printerr ("cursor row %ld, adj value %g upper %g page %g\nvisible:\n%s\n", row,
                  gtk_adjustment_get_value (vadj), gtk_adjustment_get_upper (vadj),
                  gtk_adjustment_get_page_size (vadj), text);
      for (guint i = 0; i < run.latencies->len; i += 50)
        g_printerr ("lat[%u] = %" G_GINT64_FORMAT "\n", i,
                    g_array_index (run.latencies, gint64, i));
    }
  result.seconds = (g_get_monotonic_time () - start) / 1e6;

  result.mode = mode;
  result.lat_n = run.latencies->len;
  result.lat_p50 = percentile_ms (run.latencies, 0.50);
  result.lat_p99 = percentile_ms (run.latencies, 0.99);
  result.lat_max = percentile_ms (run.latencies, 1.0);
  result.frames = run.gaps->len;
  result.gap_p50 = percentile_ms (run.gaps, 0.50);
  result.gap_p99 = percentile_ms (run.gaps, 0.99);
  result.gap_max = percentile_ms (run.gaps, 1.0);
  if (run.end_visible_us != 0 && run.end_written_us != 0)
    result.final_ms = (run.end_visible_us - run.end_written_us) / 1000.0;
  if (run.end_read_us > run.first_byte_us)
    result.read_mb_s = (use_controller ? run.raw_bytes : run.bytes_read) / (double) (run.end_read_us - run.first_byte_us);
  if (run.view != NULL)
    result.elided_mb = lean_terminal_view_get_elided_bytes (run.view) / 1e6;

  /* Tear down: wait for the child, stop reading, close the window. */
  iterate_until (&run.exited, 10 * G_USEC_PER_SEC);
  g_clear_handle_id (&run.fd_watch, g_source_remove);
  if (run.runner != NULL)
    g_signal_handlers_disconnect_by_data (run.runner, &run);
  g_clear_object (&run.runner);
  if (run.session != NULL)
    {
      g_autoptr(GBytes) stored = NULL;

      /* Every byte must be in the database, whatever the view elided. */
      lean_session_db_flush (session_db);
      result.db_ms = (g_get_monotonic_time () - run.first_byte_us) / 1000.0;
      stored = lean_session_db_read_output_range (session_db,
                                                  lean_session_get_id (run.session),
                                                  LEAN_OUTPUT_CHANNEL_RAW, 0, NULL, NULL);
      result.db_bytes = stored ? g_bytes_get_size (stored) : 0;
      g_signal_handlers_disconnect_by_data (run.session, &run);
      g_clear_object (&run.session);
    }
  result.fed_bytes = use_controller ? run.raw_bytes : run.bytes_read;
  if (run.master >= 0)
    close (run.master);
  gtk_window_destroy (GTK_WINDOW (run.window));
  iterate_for (200 * 1000);

  g_array_unref (run.gaps);
  g_array_unref (run.latencies);
  g_byte_array_unref (run.collected);

  return result;
}

static void
print_result (const Result *r,
              guint         mb)
{
  g_print ("== %s%s\n", mode_names[r->mode], r->timed_out ? " (TIMED OUT)" : "");
  if (r->mode == MODE_LATENCY)
    g_print ("   latency write->vte_terminal_feed: p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%u)\n",
             r->lat_p50, r->lat_p99, r->lat_max, r->lat_n);
  else
    g_print ("   %u MB read at %.1f MB/s; final line visible %.0f ms after its write; "
             "%.1f MB elided\n", mb, r->read_mb_s, r->final_ms, r->elided_mb);
  g_print ("   frame gaps: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%u frames, %.1f s)\n",
           r->gap_p50, r->gap_p99, r->gap_max, r->frames, r->seconds);
  if (use_controller)
    g_print ("   database: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes read stored "
             "(%s), all committed %.0f ms after the first byte\n", r->db_bytes, r->fed_bytes,
             r->db_bytes == r->fed_bytes ? "all" : "MISSING BYTES", r->db_ms);
}

static void
print_markdown (const Result *results,
                guint         n,
                guint         mb)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  g_print ("\n## %s: terminal view (bench-terminal)\n\n", date);
  g_print ("Machine: 2 cores, Debian 12, Xvfb 1600x1000x24, VTE %d.%d.%d, GTK %d.%d.%d, "
           "GSK_RENDERER=%s. Window 1000x700, scrollback 10,000 lines. Child process writing "
           "into a PTY, read on the main loop (256 KiB per dispatch, priority %s%s).\n\n",
           vte_get_major_version (), vte_get_minor_version (),
           vte_get_micro_version (), gtk_get_major_version (), gtk_get_minor_version (),
           gtk_get_micro_version (), g_getenv ("GSK_RENDERER") ?: "default",
           use_controller || use_local_runner ? "LeanLocalRunner's: 0, or 210 while a read gathers 64 KiB"
           : reader_priority < 0 ? "adaptive: 0, or 200 while a read fills 64 KiB"
           : reader_priority == 0 ? "0" : "200",
           use_controller ? ", by LeanController: LeanLocalRunner, database, session"
           : use_local_runner ? ", by LeanLocalRunner" : "");
  g_print ("| scenario | latency p50 / p99 / max | frame gap p50 / p99 / max | final line visible "
           "| read rate | elided |\n");
  g_print ("|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n; i++)
    {
      const Result *r = &results[i];
      const char *label[] = {
        "LeanTerminalView, 200 lines/s",
        "LeanTerminalView, flood",
        "bare VteTerminal, flood fed per read",
        "bare VteTerminal, flood fed in one call",
      };

      if (r->mode == MODE_LATENCY)
        g_print ("| %s | %.2f / %.2f / %.2f ms (n=%u) | %.1f / %.1f / %.1f ms | | | |\n",
                 label[r->mode], r->lat_p50, r->lat_p99, r->lat_max, r->lat_n,
                 r->gap_p50, r->gap_p99, r->gap_max);
      else
        g_print ("| %s (%u MB) | | %.1f / %.1f / %.1f ms | %.0f ms%s | %.1f MB/s | %.1f MB |\n",
                 label[r->mode], mb, r->gap_p50, r->gap_p99, r->gap_max, r->final_ms,
                 r->timed_out ? " (timed out)" : "", r->read_mb_s, r->elided_mb);
    }
  for (guint i = 0; use_controller && i < n; i++)
    g_print ("%s%s: database holds %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
             " bytes read (%s), all committed %.0f ms after the first byte.\n",
             i == 0 ? "\n" : "\n", mode_names[results[i].mode], results[i].db_bytes,
             results[i].fed_bytes, results[i].db_bytes == results[i].fed_bytes ? "every byte" :
             "MISSING BYTES", results[i].db_ms);
  g_print ("\nTargets: latency p99 < 20 ms; frame gap p99 < 33 ms during the flood; final line "
           "visible < 1 s after it.\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *self_path = NULL;
  g_auto(GStrv) modes = NULL;
  gboolean markdown = FALSE;
  int mb = 50;
  GOptionEntry entries[] = {
    { "mb", 0, 0, G_OPTION_ARG_INT, &mb, "Flood size in MB (default 50)", "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING_ARRAY, &modes,
      "latency, flood, bare-flood, bare-all (default: all)", "NAME" },
    { "markdown", 0, 0, G_OPTION_ARG_NONE, &markdown, "Print a RESULTS.md section", NULL },
    { "controller", 0, 0, G_OPTION_ARG_NONE, &use_controller,
      "Run the writer as an agent through LeanController (runner, database, session)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &use_json,
      "With --controller: flood Claude stream-json through the stream parser", NULL },
    { "local-runner", 0, 0, G_OPTION_ARG_NONE, &use_local_runner,
      "Read the PTY with the product's LeanLocalRunner", NULL },
    { "reader-priority", 0, 0, G_OPTION_ARG_INT, &reader_priority,
      "GLib priority of the PTY reader (default 0, like LeanLocalRunner; -1 adaptive)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Result results[4];
  guint n_results = 0;

  if (argc >= 2 && g_str_equal (argv[1], "--writer-latency"))
    return writer_latency (200, 5);
  if (argc >= 3 && g_str_equal (argv[1], "--writer-flood"))
    return writer_flood ((guint) atoi (argv[2]));
  if (argc >= 3 && g_str_equal (argv[1], "--writer-flood-json"))
    return writer_flood_json ((guint) atoi (argv[2]));

  context = g_option_context_new ("- terminal view benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (use_controller)
    {
      bench_dir = g_dir_make_tmp ("bench-terminal-XXXXXX", &error);
      if (bench_dir == NULL)
        g_error ("%s", error->message);
      /* The database lives in the temp dir, not in the user's. */
      g_setenv ("XDG_DATA_HOME", bench_dir, TRUE);
    }
  gtk_init ();
  adw_init ();

  for (guint m = 0; m < G_N_ELEMENTS (mode_names); m++)
    {
      if (modes != NULL && !g_strv_contains ((const char * const *) modes, mode_names[m]))
        continue;
      results[n_results] = run_mode ((Mode) m, (guint) mb, self_path);
      print_result (&results[n_results], (guint) mb);
      n_results++;
    }

  if (markdown)
    print_markdown (results, n_results, (guint) mb);

  return 0;
}
