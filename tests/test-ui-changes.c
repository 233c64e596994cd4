/* SPDX-License-Identifier: MIT */
/* The Changes window on a real session's real diff, under Xvfb, driven by
 * real pointer and key events: opened from the session page's button, a
 * file picked, a line clicked and commented, the work merged; Discard
 * asks first. Screenshots in <build>/screenshots/changes-*.png. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gtksourceview/gtksource.h>

#include "lean-changes-window.h"
#include "lean-session-followup.h"
#include "lean-session-page.h"
#include "lean-session-review.h"
#include "lean-worktrees-page.h"
#include "test-review-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

typedef struct
{
  char           *dir;
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
  GtkWindow      *host;
  LeanSession    *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  const guint8 png[] = { 0x89, 'P', 'N', 'G', 0, 0, 0, 13 };
  const char *wt;

  f->dir = g_dir_make_tmp ("leanspec-ui-changes-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_review_make_repo (f->dir);
  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  f->session = test_review_run_session (f->controller, f->db, f->project, "flood2", TRUE);

  /* The agent's work, in its worktree. */
  wt = lean_session_get_worktree_path (f->session);
  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\nfive\n");
  test_write_at (wt, "src/main.c",
                 "#include <stdio.h>\n\nint\nmain (void)\n{\n  /* greet */\n"
                 "  printf (\"hello\\n\");\n  return 0;\n}\n");
  g_assert_true (g_file_set_contents (g_build_filename (wt, "logo.png", NULL), (char *)png,
                                      sizeof png, NULL));
  g_assert_cmpint (g_unlink (g_build_filename (wt, "b.txt", NULL)), ==, 0);

  f->host = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->host, 900, 500);
  gtk_window_set_child (f->host, lean_session_page_new (f->controller, f->session));
  gtk_window_present (f->host);
  ui_test_settle (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *changes;

  while ((changes = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW)) != NULL)
    gtk_window_destroy (changes);
  gtk_window_destroy (f->host);
  ui_test_settle (100);
  g_clear_object (&f->session);
  ui_test_close_sessions (&f->controller, &f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static gboolean
has_changes_window (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW) != NULL;
}

static gboolean
has_text (gpointer data)
{
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);

  return window != NULL && ui_test_find_text (GTK_WIDGET (window), data);
}

/* The row of @path in the file list (its tooltip is the path). */
static GtkWidget *
file_row (GtkWindow  *window,
          const char *path)
{
  return ui_test_find_tooltip (GTK_WIDGET (window), path);
}

static gboolean
has_source_view (gpointer data)
{
  GtkWidget *view = ui_test_find_widget (data, GTK_SOURCE_TYPE_VIEW);

  return view != NULL && gtk_widget_get_mapped (view);
}

/* No diff lines on screen: every hunk folded. */
static gboolean
no_source_view (gpointer data)
{
  return !has_source_view (data);
}

static char *
text_of (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
has_summary (gpointer data)
{
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);

  return window != NULL && ui_test_find_label_prefix (GTK_WIDGET (window), data);
}

static LeanChangesWindow *open_changes_counting (Fixture    *f,
                                                 const char *summary);

static LeanChangesWindow *
open_changes (Fixture *f)
{
  return open_changes_counting (f, "4 files changed, +11 −5");
}

static LeanChangesWindow *
open_changes_counting (Fixture    *f,
                       const char *summary)
{
  GtkWidget *button = ui_test_find_button (GTK_WIDGET (f->host), "Changes");
  GtkWindow *window;

  g_assert_nonnull (button);
  ui_input_click (button);
  test_util_wait_until (has_changes_window, NULL, 10000);
  window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);
  g_assert_nonnull (window);
  gtk_window_set_default_size (window, 1100, 700);
  g_assert_true (test_util_wait_until (has_summary, (gpointer)summary, 20000));
  ui_test_settle (300);
  return LEAN_CHANGES_WINDOW (window);
}

/* The @side'th line number column (0 the base file, 1 the new one) of a
 * diff run's view. */
static GtkWidget *
gutter_renderer (GtkWidget *view,
                 int        side)
{
  GtkSourceGutter *gutter = gtk_source_view_get_gutter (GTK_SOURCE_VIEW (view), GTK_TEXT_WINDOW_LEFT);
  int seen = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (gutter)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_SOURCE_IS_GUTTER_RENDERER_TEXT (child) && seen++ == side)
      return child;
  return NULL;
}

/* What the column shows for @line, asked as the gutter asks when it draws. */
static char *
gutter_text (GtkWidget *view,
             int        side,
             guint      line)
{
  GtkWidget *renderer = gutter_renderer (view, side);
  char *text = NULL;

  g_assert_nonnull (renderer);
  g_signal_emit_by_name (renderer, "query-data", NULL, line);
  g_object_get (renderer, "text", &text, NULL);
  return text != NULL ? text : g_strdup ("");
}

/* Clicks @numbers' column on the line that holds @text. */
static void
click_line_number (GtkTextView *view,
                   GtkWidget   *numbers,
                   const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, match, match_end;
  GdkRectangle rect;
  graphene_point_t p;
  int wx, wy;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, text, GTK_TEXT_SEARCH_TEXT_ONLY,
                                               &match, &match_end, NULL));
  gtk_text_view_get_iter_location (view, &match, &rect);
  gtk_text_view_buffer_to_window_coords (view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
  g_assert_true (gtk_widget_compute_point (numbers, GTK_WIDGET (view),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (numbers) / 2.0, 0),
                                           &p));
  ui_input_click_at (GTK_WIDGET (view), p.x, wy + rect.height / 2.0, 1);
}

static void
test_changes_review_comment_merge (Fixture       *f,
                                   gconstpointer  data)
{
  LeanChangesWindow *window = open_changes (f);
  GtkWidget *row;
  GtkWidget *view;
  GtkWidget *expander;
  g_autofree char *text = NULL;
  GtkWidget *merge;
  GPtrArray *comments;
  LeanReviewComment *comment;
  g_autofree char *shot = NULL;
  g_autofree char *body = NULL;
  g_autofree char *a = NULL;

  /* Every file with its status and counts; the binary one named only. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "+2 −0"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "+9 −0"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "+0 −5"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "binary"));

  row = file_row (GTK_WINDOW (window), "src/main.c");
  g_assert_nonnull (row);
  ui_input_click (row);
  g_assert_true (test_util_wait_until (has_text, (gpointer)"src/main.c", 10000));
  test_util_wait_until (has_source_view, window, 10000);
  ui_test_settle (400);
  g_free (ui_test_screenshot (GTK_WIDGET (window), "changes-c-file"));

  row = file_row (GTK_WINDOW (window), "logo.png");
  ui_input_click (row);
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Binary file: not shown", 10000));

  row = file_row (GTK_WINDOW (window), "a.txt");
  ui_input_click (row);
  test_util_wait_until (has_source_view, window, 10000);
  ui_test_settle (400);
  view = ui_test_find_widget (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW);
  g_assert_nonnull (view);

  /* Line numbers of both files beside the lines, blank on the side a line
   * is not in; a click on a number comments on that line too. */
  {
    static const char * const base[] = { "1", "2", "3", "", "" };
    static const char * const now[] = { "1", "2", "3", "4", "5" };
    GtkWidget *numbers = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (base); i++)
      {
        g_autofree char *old_side = gutter_text (view, 0, i);
        g_autofree char *new_side = gutter_text (view, 1, i);

        g_assert_cmpstr (old_side, ==, base[i]);
        g_assert_cmpstr (new_side, ==, now[i]);
      }
    numbers = gutter_renderer (view, 1);
    click_line_number (GTK_TEXT_VIEW (view), numbers, "five");
    g_assert_true (test_util_wait_until (has_text, (gpointer)"Comment on a.txt:5", 5000));
  }

  /* A click on the line "+four" comments on line 4 of the new a.txt. */
  ui_input_click_text_view_text (GTK_TEXT_VIEW (view), "four");
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Comment on a.txt:4", 5000));
  ui_test_settle (300);
  ui_input_type ("name it better");
  ui_input_key (GDK_KEY_Return, 0);
  ui_test_settle (300);
  comments = lean_changes_window_get_comments (window);
  g_assert_cmpuint (comments->len, ==, 1);
  comment = g_ptr_array_index (comments, 0);
  g_assert_cmpstr (comment->path, ==, "a.txt");
  g_assert_cmpuint (comment->line, ==, 4);
  g_assert_cmpstr (comment->text, ==, "name it better");
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "1 comment"));

  /* A click on the hunk's header folds its lines away; another brings
   * them back, still commentable. */
  expander = ui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_EXPANDER);
  g_assert_nonnull (expander);
  ui_input_click (gtk_expander_get_label_widget (GTK_EXPANDER (expander)));
  g_assert_true (test_util_wait_until (no_source_view, window, 5000));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  ui_test_settle (800); /* not a double click */
  ui_input_click (gtk_expander_get_label_widget (GTK_EXPANDER (expander)));
  g_assert_true (test_util_wait_until (has_source_view, window, 5000));
  ui_test_settle (300);
  view = ui_test_find_widget (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW);
  text = text_of (view);
  g_assert_nonnull (strstr (text, "+five"));
  shot = ui_test_screenshot (GTK_WIDGET (window), "changes-light");
  g_assert_nonnull (shot);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ui_input_click (file_row (GTK_WINDOW (window), "src/main.c"));
  test_util_wait_until (has_source_view, window, 10000);
  ui_test_settle (500);
  g_free (ui_test_screenshot (GTK_WIDGET (window), "changes-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 560);
  ui_test_settle (500);
  g_free (ui_test_screenshot (GTK_WIDGET (window), "changes-narrow"));

  /* Merge: the default message names the spec; main gets the work. */
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Changes", 1000));
  merge = ui_test_find_button (GTK_WIDGET (window), "_Merge");
  g_assert_nonnull (merge);
  ui_input_click (merge);
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Merged into the base branch", 20000));
  body = test_git (f->project, "log", "-1", "--format=%s", "main", NULL);
  g_assert_cmpstr (body, ==, "001: First");
  a = test_read_at (f->project, "a.txt");
  g_assert_cmpstr (a, ==, "one\ntwo\nthree\nfour\nfive\n");
  g_assert_false (g_file_test (lean_session_get_worktree_path (f->session), G_FILE_TEST_EXISTS));
}

static gboolean
no_changes_window (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW) == NULL;
}

static gboolean
followed_up (gpointer data)
{
  Fixture *f = data;
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);

  return window != NULL &&
         lean_changes_window_get_session (LEAN_CHANGES_WINDOW (window)) != f->session;
}

static gboolean
followed_up_from (gpointer data)
{
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);

  return window != NULL && lean_changes_window_get_session (LEAN_CHANGES_WINDOW (window)) != data;
}

static void
test_changes_send_feedback (Fixture       *f,
                            gconstpointer  data)
{
  LeanChangesWindow *window = open_changes (f);
  g_autoptr(LeanSessionRequest) request = NULL;
  LeanSession *next;
  GtkWidget *view;

  ui_input_click (file_row (GTK_WINDOW (window), "a.txt"));
  test_util_wait_until (has_source_view, window, 10000);
  ui_test_settle (400);
  view = ui_test_find_widget (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW);
  ui_input_click_text_view_text (GTK_TEXT_VIEW (view), "five");
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Comment on a.txt:5", 5000));
  ui_test_settle (300);
  ui_input_type ("drop this line");
  ui_input_key (GDK_KEY_Return, 0);
  ui_test_settle (300);

  ui_input_click (ui_test_find_button (GTK_WIDGET (window), "Send _Feedback"));
  g_assert_true (test_util_wait_until (followed_up, f, 20000));
  next = lean_changes_window_get_session (window);
  test_wait_until (test_session_is_final, next, 60);
  g_assert_cmpstr (lean_session_get_worktree_path (next), ==,
                   lean_session_get_worktree_path (f->session));
  request = lean_controller_dup_request (f->controller, next);
  g_assert_nonnull (strstr (request->prompt, "- a.txt:5: drop this line\n"));
  g_assert_cmpuint (lean_changes_window_get_comments (window)->len, ==, 0);
}

static gboolean has_row (gpointer data);

/* Clicks on the line of @view that shows @text, then types @remark and
 * presses Return: one comment, as a person writes it. */
static void
comment_on (GtkWidget         *view,
            const char        *text,
            const char        *where,
            const char        *remark)
{
  ui_input_click_text_view_text (GTK_TEXT_VIEW (view), text);
  g_assert_true (test_util_wait_until (has_text, (gpointer)where, 5000));
  ui_test_settle (300);
  ui_input_type (remark);
  ui_input_key (GDK_KEY_Return, 0);
  ui_test_settle (300);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* Comments written with real clicks and keys, one edited and one removed
 * in the list, go to the agent: the follow-up continues the Claude
 * conversation by its id, and the prompt the agent received carries each
 * comment with its file and line. */
static void
test_changes_comments_to_claude (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *record = g_build_filename (f->dir, "agent-received.txt", NULL);
  g_autoptr(LeanSession) first = NULL;
  g_autofree char *received = NULL;
  LeanChangesWindow *window;
  GPtrArray *comments;
  GtkWidget *view;
  LeanSession *next;

  test_review_claude_is_test_agent ();
  first = test_review_run_session (f->controller, f->db, f->project, "claude", TRUE);
  test_write_at (lean_session_get_worktree_path (first), "a.txt", "one\ntwo\nthree\nfour\nfive\n");
  window = LEAN_CHANGES_WINDOW (lean_changes_window_new (f->controller, f->db, first));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (test_util_wait_until (has_row, (gpointer)"a.txt", 20000));
  ui_test_settle (300);
  ui_input_click (file_row (GTK_WINDOW (window), "a.txt"));
  test_util_wait_until (has_source_view, window, 10000);
  ui_test_settle (400);
  view = ui_test_find_widget (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW);
  g_assert_nonnull (view);

  comment_on (view, "three", "Comment on a.txt:3", "temporary");
  comment_on (view, "four", "Comment on a.txt:4", "name it better");
  comment_on (view, "five", "Comment on a.txt:5", "drop this line");
  comments = lean_changes_window_get_comments (window);
  g_assert_cmpuint (comments->len, ==, 3);
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "3 comments"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "a.txt:4"));
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "drop this line"));

  /* The list: the first comment removed, the next one edited. */
  ui_input_click (ui_test_find_tooltip (GTK_WIDGET (window), "Remove this comment"));
  ui_test_settle (400);
  g_assert_cmpuint (comments->len, ==, 2);
  g_assert_false (ui_test_find_text (GTK_WIDGET (window), "temporary"));
  ui_input_click (ui_test_find_tooltip (GTK_WIDGET (window), "Edit this comment"));
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Comment on a.txt:4", 5000));
  ui_test_settle (300);
  ui_input_key (GDK_KEY_End, 0);
  ui_input_type (", please");
  ui_input_key (GDK_KEY_Return, 0);
  ui_test_settle (400);
  g_assert_cmpuint (comments->len, ==, 2);
  g_assert_cmpstr (((LeanReviewComment *)g_ptr_array_index (comments, 0))->text, ==,
                   "name it better, please");
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "2 comments"));
  g_free (ui_test_screenshot (GTK_WIDGET (window), "changes-comments-light"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  ui_test_settle (600);
  g_free (ui_test_screenshot (GTK_WIDGET (window), "changes-comments-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  ui_test_settle (300);

  g_setenv ("LEAN_TEST_AGENT_RECORD", record, TRUE);
  ui_input_click (ui_test_find_button (GTK_WIDGET (window), "Send _Feedback"));
  g_assert_true (test_util_wait_until (file_exists, record, 30000));
  g_unsetenv ("LEAN_TEST_AGENT_RECORD");
  g_assert_true (test_util_wait_until (followed_up_from, first, 20000));
  next = lean_changes_window_get_session (window);
  test_wait_until (test_session_is_final, next, 60);

  g_assert_true (g_file_get_contents (record, &received, NULL, NULL));
  /* The id Claude's stream gave the first conversation. */
  g_assert_nonnull (strstr (received, "resume=5f0c2a4e-test-agent\n"));
  g_assert_nonnull (strstr (received, "- a.txt:4: name it better, please\n"));
  g_assert_nonnull (strstr (received, "- a.txt:5: drop this line\n"));
  g_assert_null (strstr (received, "temporary"));
  g_assert_cmpuint (comments->len, ==, 0);
  g_assert_true (ui_test_find_text (GTK_WIDGET (window), "Click a line to comment"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_row (gpointer data)
{
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_CHANGES_WINDOW);

  return window != NULL && file_row (window, data) != NULL;
}

/* A session of an agent that waits, in its own worktree, running. */
static LeanSession *
start_sleepy_session (Fixture *f)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *running;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("002-second");
  request->agent_id = g_strdup ("sleepy");
  request->prompt = g_strdup ("sleep");
  request->set_in_progress = FALSE;
  request->use_worktree = TRUE;
  running = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  test_wait_until (test_session_is_running, running, 30);
  lean_session_db_flush (f->db);
  return running;
}

/* While the agent works, new files show up without a click. */
static void
test_changes_refresh_while_running (Fixture       *f,
                                    gconstpointer  data)
{
  LeanSession *running;
  GtkWidget *window;

  running = start_sleepy_session (f);

  window = lean_changes_window_new (f->controller, f->db, running);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (test_util_wait_until (has_text, (gpointer)"No changes yet", 10000));
  /* Landing waits for the end of the session. */
  g_assert_false (gtk_widget_get_sensitive (ui_test_find_button (window, "_Merge")));

  test_write_at (lean_session_get_worktree_path (running), "progress.txt", "step 1\n");
  g_assert_true (test_util_wait_until (has_row, (gpointer)"progress.txt", 10000));
  g_assert_true (test_util_wait_until (has_text, (gpointer)"1 file changed, +1 −0", 10000));

  lean_controller_cancel (f->controller, running);
  test_wait_until (test_session_is_final, running, 30);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
collect_expanders (GtkWidget *root,
                   GPtrArray *found)
{
  if (GTK_IS_EXPANDER (root))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_expanders (child, found);
}

/* The hunk header on screen whose label starts with @prefix, or NULL. */
static GtkExpander *
hunk_header (GtkWidget  *window,
             const char *prefix)
{
  g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

  collect_expanders (window, expanders);
  for (guint i = 0; i < expanders->len; i++)
    {
      GtkExpander *expander = g_ptr_array_index (expanders, i);
      const char *label = gtk_expander_get_label (expander);

      if (gtk_widget_get_mapped (GTK_WIDGET (expander)) && label != NULL &&
          g_str_has_prefix (label, prefix))
        return expander;
    }
  return NULL;
}

static GtkWidget *
source_view_showing (GtkWidget  *root,
                     const char *text)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_SOURCE_IS_VIEW (root))
    {
      g_autofree char *shown = text_of (root);

      return strstr (shown, text) != NULL ? root : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = source_view_showing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  LeanChangesWindow *window;
  const char        *text;
} PatchWait;

static gboolean
patch_shows (gpointer data)
{
  PatchWait *w = data;
  const char *patch = _lean_changes_window_get_shown_patch (w->window);

  return patch != NULL && strstr (patch, w->text) != NULL;
}

static char *
long_file (guint        n,
           const char *(*edit) (guint line))
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    {
      const char *edited = edit != NULL ? edit (i) : NULL;

      if (edited != NULL)
        g_string_append_printf (text, "%s %u\n", edited, i);
      else
        g_string_append_printf (text, "line %u\n", i);
    }
  return g_string_free (text, FALSE);
}

static const char *
first_edits (guint line)
{
  return line == 5 || (line >= 100 && line <= 180) ? "edited" : NULL;
}

static const char *
later_edits (guint line)
{
  return line == 250 ? "later" : first_edits (line);
}

/* The person reads and writes while the agent works: a refresh that
 * finds a new file and a new hunk keeps the file picked, the hunk they
 * folded, where they scrolled to and the comment they are typing. */
static void
test_changes_refresh_keeps_view (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *base = long_file (300, NULL);
  g_autofree char *edited = long_file (300, first_edits);
  g_autofree char *later = long_file (300, later_edits);
  LeanSession *running;
  GtkWidget *window, *view, *row;
  GtkExpander *first;
  GtkAdjustment *adjustment;
  PatchWait wait;
  double before;

  test_write_at (f->project, "long.txt", base);
  test_git (f->project, "add", "long.txt", NULL);
  test_git (f->project, "commit", "-q", "-m", "a long file", NULL);
  running = start_sleepy_session (f);
  test_write_at (lean_session_get_worktree_path (running), "long.txt", edited);

  window = lean_changes_window_new (f->controller, f->db, running);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (test_util_wait_until (has_row, (gpointer)"long.txt", 10000));
  ui_input_click (file_row (GTK_WINDOW (window), "long.txt"));
  wait = (PatchWait) { LEAN_CHANGES_WINDOW (window), "+edited 180" };
  g_assert_true (test_util_wait_until (patch_shows, &wait, 10000));
  g_assert_true (test_util_wait_until (has_source_view, window, 10000));
  ui_test_settle (400);

  /* Fold the first hunk, scroll into the second, comment on a line. */
  first = hunk_header (window, "@@ -2,");
  g_assert_nonnull (first);
  ui_input_click (gtk_expander_get_label_widget (first));
  ui_test_settle (300);
  g_assert_false (gtk_expander_get_expanded (first));
  view = ui_test_find_widget (window, GTK_TYPE_LIST_VIEW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (view)));
  /* Down until the run with line 150 of the new file is on screen. */
  view = NULL;
  for (guint step = 1; step <= 30 && view == NULL; step++)
    {
      gtk_adjustment_set_value (adjustment, 300.0 * step);
      ui_test_settle (150);
      view = source_view_showing (window, "+edited 150");
    }
  g_assert_nonnull (view);
  ui_input_click_text_view_text (GTK_TEXT_VIEW (view), "+edited 150");
  g_assert_true (test_util_wait_until (has_text, (gpointer)"Comment on long.txt:150", 5000));
  ui_test_settle (200);
  ui_input_type ("draft words");
  ui_test_settle (200);
  before = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (before, >, 500);
  g_free (ui_test_screenshot (window, "changes-refresh-before"));

  /* The agent goes on: a new file, and a hunk further down. */
  test_write_at (lean_session_get_worktree_path (running), "notes.txt", "more\n");
  test_write_at (lean_session_get_worktree_path (running), "long.txt", later);
  g_assert_true (test_util_wait_until (has_row, (gpointer)"notes.txt", 10000));
  wait.text = "+later 250";
  g_assert_true (test_util_wait_until (patch_shows, &wait, 10000));
  ui_test_settle (500);
  g_free (ui_test_screenshot (window, "changes-refresh-after"));

  row = GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (gtk_widget_get_parent (file_row (GTK_WINDOW (window), "long.txt")))));
  g_assert_nonnull (row);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "long.txt");
  g_test_message ("scrolled to %.0f before the refresh, %.0f after", before,
                  gtk_adjustment_get_value (adjustment));
  g_assert_cmpfloat (fabs (gtk_adjustment_get_value (adjustment) - before), <=, 4);
  g_assert_nonnull (source_view_showing (window, "+edited 150"));
  g_assert_true (ui_test_find_text (window, "Comment on long.txt:150"));
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *entry = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY) : NULL;

    g_assert_nonnull (entry);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "draft words");
  }
  g_assert_true (ui_test_find_text (window, "2 files changed, +84 −83"));

  /* Back at the top, the first hunk is still folded. */
  gtk_adjustment_set_value (adjustment, 0);
  ui_test_settle (300);
  first = hunk_header (window, "@@ -2,");
  g_assert_nonnull (first);
  g_assert_false (gtk_expander_get_expanded (first));
  g_assert_null (source_view_showing (window, "+edited 5"));
  /* And at the bottom, the new hunk. */
  for (guint step = 0; step < 10 && hunk_header (window, "@@ -247,") == NULL; step++)
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      ui_test_settle (200);
    }
  g_assert_nonnull (hunk_header (window, "@@ -247,"));

  lean_controller_cancel (f->controller, running);
  test_wait_until (test_session_is_final, running, 30);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A minified line of 5,000 characters scrolls sideways: its end can be
 * brought on screen, the text is not wrapped. */
static void
test_changes_long_line (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) line = g_string_new ("var minified=[");
  const char *wt = lean_session_get_worktree_path (f->session);
  LeanChangesWindow *window;
  GtkWidget *view, *scroll;
  GtkAdjustment *h;
  g_autofree char *text = NULL;
  graphene_point_t end_point;
  GtkTextIter end;
  GdkRectangle where;

  while (line->len < 5000)
    g_string_append_printf (line, "%u,", (guint)line->len);
  g_string_append (line, "\"THE-END\"];\n");
  test_write_at (wt, "app.min.js", line->str);
  window = open_changes_counting (f, "5 files changed");
  ui_input_click (file_row (GTK_WINDOW (window), "app.min.js"));
  g_assert_true (test_util_wait_until (has_text, (gpointer)"app.min.js", 10000));
  g_assert_true (test_util_wait_until (has_source_view, window, 10000));
  ui_test_settle (400);

  view = source_view_showing (GTK_WIDGET (window), "THE-END");
  g_assert_nonnull (view);
  g_assert_cmpint (gtk_text_view_get_wrap_mode (GTK_TEXT_VIEW (view)), ==, GTK_WRAP_NONE);
  scroll = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroll));
  g_test_message ("horizontal: upper %.0f, page %.0f", gtk_adjustment_get_upper (h),
                  gtk_adjustment_get_page_size (h));
  g_assert_cmpfloat (gtk_adjustment_get_upper (h), >, 4 * gtk_adjustment_get_page_size (h));
  g_assert_true (gtk_widget_get_visible (gtk_scrolled_window_get_hscrollbar (GTK_SCROLLED_WINDOW (scroll))));

  /* All the way right: the line's end is inside the visible part. */
  gtk_adjustment_set_value (h, gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h));
  ui_test_settle (400);
  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), &end);
  gtk_text_iter_backward_line (&end);
  gtk_text_iter_forward_to_line_end (&end);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (view), &end, &where);
  gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (view), GTK_TEXT_WINDOW_WIDGET, where.x,
                                         where.y, &where.x, &where.y);
  g_assert_true (gtk_widget_compute_point (view, scroll, &GRAPHENE_POINT_INIT (where.x, where.y),
                                           &end_point));
  g_test_message ("the line ends at x=%.0f of the %d px pane", end_point.x,
                  gtk_widget_get_width (scroll));
  g_assert_cmpfloat (end_point.x, >, 0);
  g_assert_cmpfloat (end_point.x, <=, gtk_widget_get_width (scroll));
  text = ui_test_screenshot (GTK_WIDGET (window), "changes-long-line-end");
}

static gboolean
has_dialog (gpointer data)
{
  return ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static void
test_changes_discard_asks (Fixture       *f,
                           gconstpointer  data)
{
  LeanChangesWindow *window = open_changes (f);
  g_autofree char *wt = g_strdup (lean_session_get_worktree_path (f->session));
  GtkWindow *dialog;
  GtkWidget *button;

  ui_input_click (ui_test_find_button (GTK_WIDGET (window), "_Discard…"));
  g_assert_true (test_util_wait_until (has_dialog, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (dialog), "changes-discard-dialog"));

  /* Cancel keeps everything. */
  button = ui_test_find_button (GTK_WIDGET (dialog), "_Cancel");
  ui_input_click (button);
  ui_test_settle (500);
  g_assert_true (g_file_test (wt, G_FILE_TEST_IS_DIR));

  ui_input_click (ui_test_find_button (GTK_WIDGET (window), "_Discard…"));
  g_assert_true (test_util_wait_until (has_dialog, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  ui_input_click (ui_test_find_button (GTK_WIDGET (dialog), "_Discard"));
  /* Discarded: the window closes with the work gone. */
  g_assert_true (test_util_wait_until (no_changes_window, NULL, 20000));
  g_assert_false (g_file_test (wt, G_FILE_TEST_EXISTS));
}

static gboolean
shows_hint (gpointer data)
{
  return ui_test_find_label_prefix (data, "6 worktrees of ended sessions use ");
}

static gboolean
shows_no_worktrees (gpointer data)
{
  return ui_test_find_text (data, "No session worktrees: sessions that ran in their own "
                                  "worktree were landed or removed.");
}

static void
test_worktrees_page (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  AdwPreferencesWindow *prefs;
  GtkWidget *trash;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (sessions, g_object_ref (f->session));
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (sessions, test_review_run_session (f->controller, f->db, f->project,
                                                        "flood2", TRUE));

  prefs = ADW_PREFERENCES_WINDOW (adw_preferences_window_new ());
  gtk_window_set_default_size (GTK_WINDOW (prefs), 760, 720);
  adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (lean_worktrees_page_new (f->db)));
  gtk_window_present (GTK_WINDOW (prefs));
  /* Past the threshold the page says so. */
  g_assert_true (test_util_wait_until (shows_hint, prefs, 20000));
  ui_test_settle (400);
  g_free (ui_test_screenshot (GTK_WIDGET (prefs), "changes-worktrees"));

  trash = ui_test_find_tooltip (GTK_WIDGET (prefs), "Remove this worktree (its branch stays)");
  g_assert_nonnull (trash);
  ui_input_click (trash);
  ui_test_settle (1500);
  left = lean_session_worktrees_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 5);

  ui_input_click (ui_test_find_button (GTK_WIDGET (prefs), "Remove _All Ended"));
  g_assert_true (test_util_wait_until (shows_no_worktrees, prefs, 20000));
  for (guint i = 0; i < sessions->len; i++)
    g_assert_false (g_file_test (lean_session_get_worktree_path (g_ptr_array_index (sessions, i)),
                                 G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_session_env_init ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  test_review_git_identity ();

  if (!ui_input_available ())
    {
      g_printerr ("test-ui-changes needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

#define ADD(path, fn) \
  g_test_add ("/ui/changes/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("review-comment-merge", test_changes_review_comment_merge);
  ADD ("discard-asks", test_changes_discard_asks);
  ADD ("send-feedback", test_changes_send_feedback);
  ADD ("comments-to-claude", test_changes_comments_to_claude);
  ADD ("refresh-while-running", test_changes_refresh_while_running);
  ADD ("refresh-keeps-view", test_changes_refresh_keeps_view);
  ADD ("long-line", test_changes_long_line);
  ADD ("worktrees-page", test_worktrees_page);
#undef ADD

  ret = g_test_run ();
  return test_session_env_cleanup (ret);
}
