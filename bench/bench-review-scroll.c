/* SPDX-License-Identifier: MIT */
/* Scrolling a large file's diff in the Changes window: the gaps between
 * frames (GdkFrameClock) while the diff scrolls from top to bottom at a
 * steady pace, as a person dragging or flinging would. Two shapes of
 * change in a real repository:
 *   many-hunks  a 15,000-line file with every 15th line edited (1,000 hunks)
 *   one-hunk    a new file of 15,000 lines (one hunk of 15,000 added lines)
 * Also the time from picking the file to its diff on screen. Run:
 *   GSETTINGS_SCHEMA_DIR=_build/data GSETTINGS_BACKEND=memory \
 *     xvfb-run -a -s "-screen 0 1600x1000x24" _build/bench/bench-review-scroll
 * GSK_RENDERER=cairo for software cairo (else GL on llvmpipe). The budget
 * is no frame gap over 50 ms; note the load average (`uptime`). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>

#include "lean-changes-window.h"
#include "lean-git-land.h"
#include "lean-session-db.h"

/* Under LEAN_GIT_CHANGE_MAX_FILE_SIZE (1 MiB), or the diff is not shown. */
#define N_LINES 15000
#define SCROLL_PX_PER_FRAME 60.0

typedef struct
{
  GtkAdjustment *adjustment;
  GArray        *gaps;   /* double, ms */
  gint64         last;
  gboolean       done;
} Scroll;

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
wait_for (gboolean (*check) (gpointer),
          gpointer  data,
          guint     ms)
{
  gint64 end = g_get_monotonic_time () + ms * (gint64)1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_type (GtkWidget *root,
            GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (root, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_type (child, type);
  return n;
}

static gboolean
has_file_list (gpointer data)
{
  GtkWidget *list = find_type (data, GTK_TYPE_LIST_BOX);

  return list != NULL && gtk_widget_get_first_child (list) != NULL &&
         find_type (data, GTK_SOURCE_TYPE_VIEW) != NULL;
}

static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Scroll *scroll = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double value = gtk_adjustment_get_value (scroll->adjustment);
  double top = gtk_adjustment_get_upper (scroll->adjustment) -
               gtk_adjustment_get_page_size (scroll->adjustment);

  if (scroll->last != 0)
    {
      double gap = (now - scroll->last) / 1000.0;

      g_array_append_val (scroll->gaps, gap);
    }
  scroll->last = now;
  if (value >= top)
    {
      scroll->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (scroll->adjustment, MIN (top, value + SCROLL_PX_PER_FRAME));
  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_done (gpointer data)
{
  return ((Scroll *)data)->done;
}

static void
print_labels (GtkWidget *root)
{
  if (GTK_IS_LABEL (root))
    fprintf (stderr, "label: %s\n", gtk_label_get_text (GTK_LABEL (root)));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    print_labels (child);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void
write_file (const char *root,
            const char *name,
            gboolean    edited,
            guint       every)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = g_build_filename (root, name, NULL);

  for (guint l = 0; l < N_LINES; l++)
    if (edited && l % every == 0)
      g_string_append_printf (text, "  total += compute_edited (%u, items[%u]); /* changed */\n", l, l);
    else
      g_string_append_printf (text, "  total += compute_value (%u, items[%u]); /* kept */\n", l, l);
  if (!g_file_set_contents (path, text->str, text->len, NULL))
    g_error ("cannot write %s", path);
}

static void
measure (LeanSessionDb *db,
         const char    *repo,
         const char    *label)
{
  g_autoptr(LeanSession) session = lean_session_new (NULL, repo, "001-bench", "none",
                                                     LEAN_SESSION_MODE_AUTONOMOUS);
  g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWidget *window;
  GtkWidget *view;
  GtkWidget *scrolled = NULL;
  Scroll scroll = { 0 };
  gint64 t0;
  double shown_ms, total = 0;
  guint over = 0;
  guint expanders = 0;
  guint views = 0;

  lean_session_set_state (session, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_save_session (db, session);
  lean_session_db_flush (db);
  t0 = g_get_monotonic_time ();
  window = lean_changes_window_new (NULL, db, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  gtk_window_present (GTK_WINDOW (window));
  if (!wait_for (has_file_list, window, 60000))
    {
      print_labels (window);
      g_error ("%s: the diff did not show", label);
    }
  shown_ms = (g_get_monotonic_time () - t0) / 1000.0;
  wait_ms (1000);

  view = find_type (window, GTK_SOURCE_TYPE_VIEW);
  for (GtkWidget *w = gtk_widget_get_parent (view); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_SCROLLED_WINDOW (w))
      {
        scrolled = w;
        break;
      }
  /* Hunk headers and text views in the window, not just on screen. */
  expanders = count_type (window, GTK_TYPE_EXPANDER);
  views = count_type (window, GTK_SOURCE_TYPE_VIEW);
  scroll.adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  scroll.gaps = gaps;
  gtk_widget_add_tick_callback (scrolled, scroll_tick, &scroll, NULL);
  if (!wait_for (scroll_done, &scroll, 600000))
    g_error ("%s: scrolling did not end", label);

  for (guint i = 0; i < gaps->len; i++)
    {
      double gap = g_array_index (gaps, double, i);

      total += gap;
      if (gap > 50)
        over++;
    }
  g_array_sort (gaps, compare_double);
  printf ("%s: %u hunk headers and %u text views in the window, %.0f px; "
          "diff shown after %.0f ms\n", label, expanders, views,
          gtk_adjustment_get_upper (scroll.adjustment), shown_ms);
  printf ("  %u frames in %.1f s: gap median %.1f / p95 %.1f / p99 %.1f / max %.1f ms; "
          "%u gaps over 50 ms\n",
          gaps->len + 1, total / 1000.0, g_array_index (gaps, double, gaps->len / 2),
          g_array_index (gaps, double, gaps->len * 95 / 100),
          g_array_index (gaps, double, gaps->len * 99 / 100),
          g_array_index (gaps, double, gaps->len - 1), over);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (300);
}

static char *
make_repo (const char *root,
           const char *name,
           guint       every)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (root, name, NULL);
  const char *init[] = { "git", "init", "-q", "-b", "main", NULL };
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  g_autofree char *commit = NULL;

  g_mkdir_with_parents (dir, 0700);
  if (!g_spawn_sync (dir, (char **)init, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, &error))
    g_error ("%s", error->message);
  config = g_build_filename (dir, ".git", "config", NULL);
  g_file_get_contents (config, &text, NULL, NULL);
  text = g_strconcat (text, "[user]\n\tname = Bench\n\temail = bench@example.invalid\n", NULL);
  g_file_set_contents (config, text, -1, NULL);
  if (every > 0)
    write_file (dir, "big.c", FALSE, every);
  else
    g_file_set_contents (g_build_filename (dir, "README", NULL), "bench\n", -1, NULL);
  if (!lean_git_commit_all (dir, "base", &commit, &error))
    g_error ("%s", error->message);
  write_file (dir, "big.c", TRUE, every > 0 ? every : 1);
  return g_steal_pointer (&dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("leanspec-bench-scroll-XXXXXX", &error);
  g_autofree char *db_path = NULL;
  g_autofree char *many = NULL;
  g_autofree char *one = NULL;
  g_autofree char *rm = NULL;
  LeanSessionDb *db;

  g_assert_no_error (error);
  setvbuf (stdout, NULL, _IOLBF, 0);
  gtk_init ();
  adw_init ();
  db_path = g_build_filename (root, "sessions.db", NULL);
  db = lean_session_db_open (db_path, &error);
  if (db == NULL)
    g_error ("%s", error->message);
  many = make_repo (root, "many", 15);
  one = make_repo (root, "one", 0);

  measure (db, many, "many-hunks (15,000 lines, every 15th edited)");
  measure (db, one, "one-hunk (new file, 15,000 lines)");

  lean_session_db_close (db);
  g_object_unref (db);
  rm = g_strdup_printf ("rm -rf '%s'", root);
  return system (rm) != 0;
}
