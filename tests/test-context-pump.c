/* SPDX-License-Identifier: MIT */
/* LeanContextPump: an inner GMainContext run from an outer one. The outer
 * context must sleep in poll() until one of the inner context's sources is
 * due, wake as soon as it is, and not wake at all while the pump is held;
 * each test counts the outer context's iterations, which a pump that makes
 * the outer loop spin inflates by thousands. */
#include "config.h"

#include <unistd.h>

#include <glib-unix.h>

#include "lean-context-pump.h"

/* Far above what a sleeping loop needs (a handful), far below what a
 * spinning one does in the same wait (thousands). */
#define FEW_ITERATIONS 32

typedef struct
{
  GMainContext *outer;
  GMainContext *inner;
  GSource      *pump;
  int           pipe[2];
  guint         dispatched;
  gsize         bytes_read;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->outer = g_main_context_new ();
  f->inner = g_main_context_new ();
  f->pump = lean_context_pump_new (f->inner);
  g_source_attach (f->pump, f->outer);
  g_assert_true (g_unix_open_pipe (f->pipe, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  g_assert_true (g_unix_set_fd_nonblocking (f->pipe[0], TRUE, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_source_destroy (f->pump);
  g_source_unref (f->pump);
  close (f->pipe[0]);
  if (f->pipe[1] >= 0)
    close (f->pipe[1]);
  g_main_context_unref (f->inner);
  g_main_context_unref (f->outer);
}

static gboolean
on_readable (int           fd,
             GIOCondition  condition,
             gpointer      user_data)
{
  Fixture *f = user_data;
  char buf[64];
  gssize n;

  /* Dispatched by the pump with the inner context as thread default, as
   * libsoup expects of its sources. */
  g_assert_true (g_main_context_get_thread_default () == f->inner);
  f->dispatched++;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    f->bytes_read += n;
  return G_SOURCE_CONTINUE;
}

static void
watch_pipe (Fixture *f)
{
  GSource *source = g_unix_fd_source_new (f->pipe[0], G_IO_IN);

  g_source_set_callback (source, G_SOURCE_FUNC (on_readable), f, NULL);
  g_source_attach (source, f->inner);
  g_source_unref (source);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @outer, blocking, until *@flag; returns how many iterations. */
static guint
iterate_until (GMainContext *outer,
               gboolean     *flag)
{
  guint n = 0;

  while (!*flag)
    {
      g_main_context_iteration (outer, TRUE);
      n++;
    }
  return n;
}

static gpointer
write_later (gpointer data)
{
  Fixture *f = data;

  g_usleep (200 * 1000);
  g_assert_cmpint (write (f->pipe[1], "x", 1), ==, 1);
  return NULL;
}

/* Iterates the outer context, blocking, until the pipe's source in the
 * inner context ran; returns how many iterations. */
static guint
iterate_until_dispatched (Fixture *f)
{
  guint n = 0;

  while (f->dispatched == 0)
    {
      g_main_context_iteration (f->outer, TRUE);
      n++;
    }
  return n;
}

/* Iterates the outer context, blocking, for @ms; returns how many
 * iterations. */
static guint
iterate_for (Fixture *f,
             guint    ms)
{
  gboolean waited = FALSE;
  GSource *timeout = g_timeout_source_new (ms);

  g_source_set_callback (timeout, set_flag, &waited, NULL);
  g_source_attach (timeout, f->outer);
  g_source_unref (timeout);
  return iterate_until (f->outer, &waited);
}

/* Another thread writes one byte into the pipe while the outer context
 * sleeps; returns the outer iterations until the inner source read it. */
static guint
iterate_while_written (Fixture *f)
{
  GThread *writer = g_thread_new ("writer", write_later, f);
  guint n = iterate_until_dispatched (f);

  g_thread_join (writer);
  g_assert_cmpuint (f->bytes_read, ==, 1);
  return n;
}

/* The inner context's descriptor is in the outer poll: a write from
 * another thread wakes the sleeping outer loop, which dispatches it. */
static void
test_wakes_on_inner_fd (Fixture       *f,
                        gconstpointer  data)
{
  guint n;

  watch_pipe (f);
  n = iterate_while_written (f);
  g_test_message ("outer iterations until the inner source ran: %u", n);
  g_assert_cmpuint (n, <, FEW_ITERATIONS);
}

/* The inner context's timeouts bound the outer poll. */
static void
test_inner_timeout (Fixture       *f,
                    gconstpointer  data)
{
  gboolean fired = FALSE;
  GSource *timeout = g_timeout_source_new (150);
  guint n;

  g_source_set_callback (timeout, set_flag, &fired, NULL);
  g_source_attach (timeout, f->inner);
  g_source_unref (timeout);
  watch_pipe (f);
  n = iterate_until (f->outer, &fired);
  g_test_message ("outer iterations until the inner timeout ran: %u", n);
  g_assert_cmpuint (n, <, FEW_ITERATIONS);
}

/* Held, a readable descriptor of the inner context neither runs nor wakes
 * the outer loop; released, it runs. */
static void
test_held (Fixture       *f,
           gconstpointer  data)
{
  guint n;

  watch_pipe (f);
  lean_context_pump_set_held (f->pump, TRUE);
  g_assert_true (lean_context_pump_get_held (f->pump));
  g_assert_cmpint (write (f->pipe[1], "abc", 3), ==, 3);

  n = iterate_for (f, 300);
  g_test_message ("outer iterations while held: %u", n);
  g_assert_cmpuint (f->dispatched, ==, 0);
  g_assert_cmpuint (n, <, FEW_ITERATIONS);

  lean_context_pump_set_held (f->pump, FALSE);
  n = iterate_until_dispatched (f);
  g_assert_cmpuint (f->bytes_read, ==, 3);
  g_assert_cmpuint (n, <, FEW_ITERATIONS);
}

/* With nothing due in the inner context the outer loop sleeps: the only
 * iterations in a wait are the ones its own timeout and the first prepare
 * cause. */
static void
test_idle_does_not_spin (Fixture       *f,
                         gconstpointer  data)
{
  guint n;

  watch_pipe (f);
  n = iterate_for (f, 300);
  g_test_message ("outer iterations in an idle wait: %u", n);
  g_assert_cmpuint (f->dispatched, ==, 0);
  g_assert_cmpuint (n, <, FEW_ITERATIONS);
}

/* Sources the inner context gains while it runs (libsoup adds one for a
 * write that would block) are polled from then on. */
static gboolean
add_watch_from_inner (gpointer data)
{
  watch_pipe (data);
  return G_SOURCE_REMOVE;
}

static void
test_source_added_later (Fixture       *f,
                         gconstpointer  data)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, add_watch_from_inner, f, NULL);
  g_source_attach (idle, f->inner);
  g_source_unref (idle);
  g_assert_cmpuint (iterate_while_written (f), <, FEW_ITERATIONS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/context-pump/wakes-on-inner-fd", Fixture, NULL, fixture_set_up,
              test_wakes_on_inner_fd, fixture_tear_down);
  g_test_add ("/context-pump/inner-timeout", Fixture, NULL, fixture_set_up,
              test_inner_timeout, fixture_tear_down);
  g_test_add ("/context-pump/held", Fixture, NULL, fixture_set_up,
              test_held, fixture_tear_down);
  g_test_add ("/context-pump/idle-does-not-spin", Fixture, NULL, fixture_set_up,
              test_idle_does_not_spin, fixture_tear_down);
  g_test_add ("/context-pump/source-added-later", Fixture, NULL, fixture_set_up,
              test_source_added_later, fixture_tear_down);

  return g_test_run ();
}
