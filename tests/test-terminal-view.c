/* SPDX-License-Identifier: MIT */
/* LeanTerminalView in a real window (run under Xvfb). */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lean-terminal-view.h"

#define FINAL_MARKER "LEANSPEC-FINAL-LINE-7f3a"

typedef struct
{
  GtkWidget        *window;
  LeanTerminalView *view;
  guint             ticks;
  gint64            last_tick;
  gint64            max_gap;
  gboolean          measuring;
} Fixture;

static gboolean
count_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  Fixture *f = user_data;
  gint64 now = g_get_monotonic_time ();

  if (f->measuring)
    {
      if (f->last_tick != 0)
        f->max_gap = MAX (f->max_gap, now - f->last_tick);
      f->ticks++;
    }
  f->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  f->view = LEAN_TERMINAL_VIEW (lean_terminal_view_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  gtk_widget_add_tick_callback (f->window, count_tick, f, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  iterate_ms (300);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  iterate_ms (50);
}

/* The whole retained buffer (scrollback and screen) as text. */
static char *
dup_all_text (LeanTerminalView *view)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  char nul = '\0';

  g_assert_true (vte_terminal_write_contents_sync (lean_terminal_view_get_terminal (view),
                                                   out, VTE_WRITE_DEFAULT, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write (out, &nul, 1, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
wait_for_screen_text (LeanTerminalView *view,
                      const char       *needle,
                      guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = lean_terminal_view_dup_screen_text (view);

      if (text != NULL && strstr (text, needle) != NULL)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return FALSE;
}

static GBytes *
make_lines (guint first,
            gsize size)
{
  GString *s = g_string_new (NULL);

  for (guint i = first; s->len < size; i++)
    g_string_append_printf (s, "\033[3%um%06u\033[0m output line with some text "
                            "── ünïcödé ✔ padding padding padding\r\n", i % 8, i);
  return g_string_free_to_bytes (s);
}

static void
test_small_output_shown (Fixture       *f,
                         gconstpointer  data)
{
  lean_terminal_view_feed_data (f->view, "hello \033[1mworld\033[0m\r\n", 22);
  g_assert_true (wait_for_screen_text (f->view, "hello world", 2000));
  g_assert_cmpuint (lean_terminal_view_get_elided_bytes (f->view), ==, 0);
  g_assert_true (lean_terminal_view_is_idle (f->view));
}

static void
test_flood_keeps_final_line (Fixture       *f,
                             gconstpointer  data)
{
  const gsize total = 24 * 1024 * 1024;
  gsize fed = 0;
  g_autofree char *all = NULL;
  g_autofree char *final = g_strdup_printf ("\033[31m\r\n" FINAL_MARKER " done\r\n");
  guint64 elided;

  /* Start red so the tail proves the SGR reset (checked by eye in the
   * screenshot; here by the elision line being present). */
  lean_terminal_view_feed_data (f->view, "\033[31m", 5);

  /* Everything arrives at once, as if the agent dumped a huge file: far
   * more than can be shown. */
  for (guint i = 0; fed < total; i++)
    {
      g_autoptr(GBytes) chunk = make_lines (i * 1000, 64 * 1024);

      fed += g_bytes_get_size (chunk);
      lean_terminal_view_feed (f->view, chunk);
    }
  lean_terminal_view_feed_data (f->view, final, strlen (final));

  /* Memory stays bounded even before a single frame ran. */
  g_assert_cmpuint (lean_terminal_view_get_queued_bytes (f->view), <=, 5 * 1024 * 1024);

  g_assert_true (wait_for_screen_text (f->view, FINAL_MARKER, 3000));
  elided = lean_terminal_view_get_elided_bytes (f->view);
  g_assert_cmpuint (elided, >, total / 2);
  g_assert_cmpuint (elided, <, fed);

  all = dup_all_text (f->view);
  g_assert_nonnull (strstr (all, "elided, full log in history ──"));
  g_assert_nonnull (strstr (all, FINAL_MARKER));
  /* The line after the note starts clean: a whole line, not a fragment. */
  {
    const char *note = strstr (all, "elided, full log in history ──");
    const char *next = strchr (note, '\n');

    g_assert_nonnull (next);
    g_assert_true (g_ascii_isdigit (next[1]));
  }
}

typedef struct
{
  Fixture *f;
  guint    remaining;
  GBytes  *chunk;
} FloodSource;

static gboolean
feed_flood_chunk (gpointer user_data)
{
  FloodSource *src = user_data;

  /* 2 MiB every 10 ms: 200 MB/s, several times what VTE can parse. The
   * chunk is made once so the producer itself costs the main loop nothing. */
  for (guint i = 0; i < 32; i++)
    lean_terminal_view_feed (src->f->view, src->chunk);

  if (--src->remaining == 0)
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
test_frames_tick_during_flood (Fixture       *f,
                               gconstpointer  data)
{
  FloodSource src = { f, 150, make_lines (0, 64 * 1024) };
  g_autofree char *final = g_strdup ("\r\n" FINAL_MARKER "\r\n");

  f->measuring = TRUE;
  f->ticks = 0;
  f->max_gap = 0;
  f->last_tick = 0;

  g_timeout_add (10, feed_flood_chunk, &src);
  while (src.remaining > 0)
    g_main_context_iteration (NULL, TRUE);
  f->measuring = FALSE;
  g_bytes_unref (src.chunk);

  g_test_message ("%u frames during a 1.5 s, 300 MB flood; longest gap %.1f ms",
                  f->ticks, f->max_gap / 1000.0);
  /* A bare VteTerminal fed this blocks for many seconds; the view must keep
   * the window drawing: several frames, none blocked for seconds. The bounds
   * are loose on purpose (a loaded 2-core machine still passes); the real
   * figures are measured by bench/bench-terminal. */
  g_assert_cmpuint (f->ticks, >=, 5);
  g_assert_cmpint (f->max_gap, <, 2000 * 1000);
  g_assert_cmpuint (lean_terminal_view_get_elided_bytes (f->view), >, 0);

  lean_terminal_view_feed_data (f->view, final, strlen (final));
  g_assert_true (wait_for_screen_text (f->view, FINAL_MARKER, 3000));
}

static void
on_input (LeanTerminalView *view,
          GBytes           *bytes,
          GString          *received)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (received, data, len);
}

static void
test_input_signal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) received = g_string_new (NULL);
  VteTerminal *terminal = lean_terminal_view_get_terminal (f->view);

  g_signal_connect (f->view, "input", G_CALLBACK (on_input), received);

  vte_terminal_feed_child (terminal, "yes\r", 4);
  g_assert_cmpstr (received->str, ==, "yes\r");

  /* A read-only view (autonomous session, history) sends nothing. */
  lean_terminal_view_set_input_enabled (f->view, FALSE);
  g_assert_false (lean_terminal_view_get_input_enabled (f->view));
  vte_terminal_feed_child (terminal, "no", 2);
  g_assert_cmpstr (received->str, ==, "yes\r");

  lean_terminal_view_set_input_enabled (f->view, TRUE);
  vte_terminal_feed_child (terminal, "\033[A", 3);
  g_assert_cmpstr (received->str, ==, "yes\r\033[A");

  g_signal_handlers_disconnect_by_func (f->view, on_input, received);
}

static void
on_resize (LeanTerminalView *view,
           guint             rows,
           guint             cols,
           guint            *out)
{
  out[0] = rows;
  out[1] = cols;
  out[2]++;
}

static void
test_resize_signal (Fixture       *f,
                    gconstpointer  data)
{
  guint got[3] = { 0, 0, 0 };
  VteTerminal *terminal = lean_terminal_view_get_terminal (f->view);
  glong old_cols = vte_terminal_get_column_count (terminal);

  g_signal_connect (f->view, "resize", G_CALLBACK (on_resize), got);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 500, 300);
  gtk_widget_queue_resize (f->window);

  for (guint i = 0; i < 200 && got[2] == 0; i++)
    iterate_ms (10);

  g_assert_cmpuint (got[2], >=, 1);
  g_assert_cmpint (got[1], ==, vte_terminal_get_column_count (terminal));
  g_assert_cmpint (got[0], ==, vte_terminal_get_row_count (terminal));
  g_assert_cmpint (got[1], <, old_cols);

  g_signal_handlers_disconnect_by_func (f->view, on_resize, got);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *text = NULL;

  lean_terminal_view_feed_data (f->view, "before reset\r\n", 14);
  g_assert_true (wait_for_screen_text (f->view, "before reset", 2000));
  lean_terminal_view_reset (f->view);
  lean_terminal_view_feed_data (f->view, "after\r\n", 7);
  g_assert_true (wait_for_screen_text (f->view, "after", 2000));
  text = dup_all_text (f->view);
  g_assert_null (strstr (text, "before reset"));
}

static void
on_clipboard_text (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **out = user_data;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  if (*out == NULL)
    *out = g_strdup ("");
}

static void
test_copy_select_all (Fixture       *f,
                      gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->view));
  g_autofree char *text = NULL;

  lean_terminal_view_feed_data (f->view, "copy me please\r\n", 16);
  g_assert_true (wait_for_screen_text (f->view, "copy me please", 2000));

  /* Nothing selected: Copy is off (the menu greys it out). */
  g_assert_false (vte_terminal_get_has_selection (lean_terminal_view_get_terminal (f->view)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "term.select-all", NULL));
  iterate_ms (50);
  g_assert_true (vte_terminal_get_has_selection (lean_terminal_view_get_terminal (f->view)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "term.copy", NULL));
  iterate_ms (50);

  gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (text, "copy me please"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/terminal-view/small-output", Fixture, NULL,
              fixture_set_up, test_small_output_shown, fixture_tear_down);
  g_test_add ("/terminal-view/flood-final-line", Fixture, NULL,
              fixture_set_up, test_flood_keeps_final_line, fixture_tear_down);
  g_test_add ("/terminal-view/frames-during-flood", Fixture, NULL,
              fixture_set_up, test_frames_tick_during_flood, fixture_tear_down);
  g_test_add ("/terminal-view/input", Fixture, NULL,
              fixture_set_up, test_input_signal, fixture_tear_down);
  g_test_add ("/terminal-view/resize", Fixture, NULL,
              fixture_set_up, test_resize_signal, fixture_tear_down);
  g_test_add ("/terminal-view/reset", Fixture, NULL,
              fixture_set_up, test_reset, fixture_tear_down);

  g_test_add ("/terminal-view/copy-select-all", Fixture, NULL,
              fixture_set_up, test_copy_select_all, fixture_tear_down);

  return g_test_run ();
}
