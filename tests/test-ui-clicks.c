/* SPDX-License-Identifier: MIT */
/* A new user's first clicks, for real: the main window on a temp copy of the
 * demo under Xvfb, driven only by pointer buttons and keys pressed through
 * the X server (XTest). Each click goes through GTK's gestures exactly as a
 * mouse click does; a crash here is a crash a person meets. Expected file
 * contents come from the copied files, not from the core. */
#include "config.h"

#include <string.h>

#include "lean-application.h"
#include "lean-markdown-link.h"
#include "lean-markdown-view.h"
#include "lean-spec-list-private.h"
#include "lean-spec-row.h"
#include "lean-spec-view-private.h"
#include "lean-window-private.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

typedef struct
{
  char       *project;
  LeanWindow *window;
} Fixture;

static LeanApplication *app;

static gboolean
store_loaded (gpointer data)
{
  Fixture *f = data;
  LeanSpecStore *store = lean_window_get_store (f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);

  f->project = ui_test_copy_tree (demo);
  /* @data: text to add to spec 004's README before the project opens. */
  if (data != NULL)
    {
      g_autofree char *readme = g_build_filename (f->project, "specs", "004-web-dashboard",
                                                  "README.md", NULL);
      g_autofree char *contents = NULL;
      g_autofree char *more = NULL;

      g_assert_true (g_file_get_contents (readme, &contents, NULL, NULL));
      more = g_strconcat (contents, data, NULL);
      g_assert_true (g_file_set_contents (readme, more, -1, NULL));
    }
  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));
  ui_test_settle (300);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_remove_tree (f->project);
  g_free (f->project);
}

static char *
read_spec (Fixture    *f,
           const char *id)
{
  g_autofree char *path = g_build_filename (f->project, "specs", id, "README.md", NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

typedef struct
{
  Fixture    *f;
  const char *id;
} Shown;

static gboolean
view_shows (gpointer data)
{
  Shown *s = data;
  GtkWidget *widget = _lean_window_get_spec_view (s->f->window);
  LeanSpecView *view = widget != NULL ? LEAN_SPEC_VIEW (widget) : NULL;
  LeanSpec *spec = view != NULL ? lean_spec_view_get_spec (view) : NULL;

  return spec != NULL && g_str_equal (lean_spec_get_id (spec), s->id) &&
         _lean_spec_view_get_pending_writes (view) == 0;
}

static void
wait_shows (Fixture    *f,
            const char *id)
{
  Shown s = { f, id };

  g_assert_true (test_util_wait_until (view_shows, &s, 5000));
  ui_test_settle (150);
}

static void
click_row (Fixture    *f,
           const char *title,
           const char *id)
{
  GtkWidget *row = ui_test_find_spec_row (GTK_WIDGET (f->window), title);

  g_assert_nonnull (row);
  ui_input_click (row);
  wait_shows (f, id);
  g_assert_cmpstr (lean_spec_get_id (lean_spec_list_get_selected_spec (_lean_window_get_spec_list (f->window))),
                   ==, id);
}

/* The check box in front of the task whose text is @text. */
static GtkWidget *
task_button (LeanMarkdownView *view,
             const char       *text)
{
  guint n = lean_markdown_view_get_n_tasks (view);
  guint index = G_MAXUINT;
  guint i = 0;

  for (guint t = 0; t < n; t++)
    if (g_str_equal (lean_markdown_view_get_task_text (view, t), text))
      index = t;
  g_assert_cmpuint (index, !=, G_MAXUINT);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_CHECK_BUTTON (child) && i++ == index)
      return child;
  g_assert_not_reached ();
}

static gboolean
no_pending_writes (gpointer data)
{
  Fixture *f = data;

  return _lean_spec_view_get_pending_writes (LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window))) == 0;
}

static gboolean
file_differs (gpointer data)
{
  const char **pair = data;
  g_autofree char *now = NULL;

  g_file_get_contents (pair[0], &now, NULL, NULL);
  return g_strcmp0 (now, pair[1]) != 0;
}

static gboolean
view_text_has_word (LeanSpecView *view,
                    const char   *needle)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (_lean_spec_view_get_readme_view (view)));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return strstr (text, needle) != NULL;
}

static gboolean
view_text_has (gpointer data)
{
  return view_text_has_word (data, "Overview of the page");
}

static gboolean
view_text_lacks (gpointer data)
{
  return !view_text_has_word (data, "Overview of the page");
}

/* A mouse click on a checklist box writes that one tick and the window
 * lives on (it died with SIGSEGV: the rebuilt text destroyed the button
 * under the pointer). */
static void
test_click_task_box (Fixture       *f,
                     gconstpointer  data)
{
  const char *id = "004-web-dashboard";
  const char *item = "Four-week calendar heat map";
  g_autofree char *path = g_build_filename (f->project, "specs", id, "README.md", NULL);
  g_autofree char *before = read_spec (f, id);
  g_autofree char *ticked = NULL;
  g_autofree char *after = NULL;
  g_autofree char *open_line = g_strdup_printf ("- [ ] %s", item);
  g_autofree char *done_line = g_strdup_printf ("- [x] %s", item);
  const char *pair[2] = { path, before };
  LeanSpecView *view;
  g_autoptr(GString) expected = g_string_new (before);

  g_assert_nonnull (strstr (before, open_line));
  click_row (f, "Web Dashboard", id);
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));

  ui_input_click (task_button (_lean_spec_view_get_readme_view (view), item));
  g_assert_true (test_util_wait_until (file_differs, pair, 5000));
  g_assert_true (test_util_wait_until (no_pending_writes, f, 5000));
  ui_test_settle (300);

  /* Exactly that one line flipped, every other byte as it was. */
  ticked = read_spec (f, id);
  g_string_replace (expected, open_line, done_line, 1);
  g_assert_cmpstr (ticked, ==, expected->str);
  g_assert_true (lean_markdown_view_get_task_checked (_lean_spec_view_get_readme_view (view),
                                                      2));

  /* An edit from outside rebuilds the whole text while the pointer still
   * rests on the box it just clicked. */
  {
    g_autoptr(GString) edited = g_string_new (ticked);

    g_string_replace (edited, "Overview", "Overview of the page", 1);
    ui_test_write_file (path, edited->str);
    g_assert_true (test_util_wait_until (view_text_has, view, 5000));
    ui_test_write_file (path, ticked);
    g_assert_true (test_util_wait_until (view_text_lacks, view, 5000));
    ui_test_settle (200);
  }

  /* The box under the pointer takes the next click: back to the bytes we
   * started from. */
  pair[1] = ticked;
  ui_input_click (task_button (_lean_spec_view_get_readme_view (view), item));
  g_assert_true (test_util_wait_until (file_differs, pair, 5000));
  g_assert_true (test_util_wait_until (no_pending_writes, f, 5000));
  ui_test_settle (300);
  after = read_spec (f, id);
  g_assert_cmpstr (after, ==, before);

  /* Two boxes in a row, quicker than a file write: both places are taken
   * first, and the second click lands wherever the person aimed even if
   * the text was rebuilt under the pointer in between. */
  {
    GtkWidget *root = GTK_WIDGET (f->window);
    graphene_point_t first, second;
    GtkWidget *a = task_button (_lean_spec_view_get_readme_view (view), "Empty state for a new account");
    GtkWidget *b = task_button (_lean_spec_view_get_readme_view (view), item);

    ui_input_move_to (a, -1, -1);
    ui_input_move_to (b, -1, -1);
    g_assert_true (gtk_widget_compute_point (a, root, &GRAPHENE_POINT_INIT (gtk_widget_get_width (a) / 2.0, gtk_widget_get_height (a) / 2.0), &first));
    g_assert_true (gtk_widget_compute_point (b, root, &GRAPHENE_POINT_INIT (gtk_widget_get_width (b) / 2.0, gtk_widget_get_height (b) / 2.0), &second));
    ui_input_click_at (root, first.x, first.y, 1);
    ui_input_click_at (root, second.x, second.y, 1);
  }
  g_assert_true (test_util_wait_until (no_pending_writes, f, 5000));
  ui_test_settle (300);
  g_clear_pointer (&after, g_free);
  after = read_spec (f, id);
  g_string_assign (expected, before);
  g_string_replace (expected, open_line, done_line, 1);
  g_string_replace (expected, "- [ ] Empty state for a new account",
                    "- [x] Empty state for a new account", 1);
  g_assert_cmpstr (after, ==, expected->str);
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "clicks-task-ticked"));
}

/* Whether @label, as drawn, has pixels in a link's blue: the links lost
 * their colour (drawn in the text colour) after a link was clicked. */
static gboolean
draws_link_colour (GtkLabel *label)
{
  g_autofree char *png = ui_test_screenshot (GTK_WIDGET (label), "clicks-relations-label");
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (png, NULL);
  int width, height;
  g_autofree guchar *pixels = NULL;
  guint blue = 0;

  g_assert_nonnull (texture);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  /* Cairo's ARGB32 in memory: B, G, R, A on little-endian machines. */
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      guchar b = pixels[i * 4], g = pixels[i * 4 + 1], r = pixels[i * 4 + 2];

      if (b > r + 60 && b > g + 20)
        blue++;
    }
  return blue > 20;
}

/* Clicking "Depends on", "Parent" and "Children" links opens that spec and
 * the window lives on (it died: the label's markup was replaced from inside
 * its own link handler), and the links keep their colour. */
static void
test_click_relation_links (Fixture       *f,
                           gconstpointer  data)
{
  LeanSpecView *view;

  click_row (f, "Web Dashboard", "004-web-dashboard");
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));
  for (guint round = 0; round < 3; round++)
    {
      g_assert_nonnull (strstr (_lean_spec_view_get_relations_markup (view), "spec:003-habit-api"));
      ui_input_click_label_text (_lean_spec_view_get_relations_label (view), "003 Habit REST API");
      wait_shows (f, "003-habit-api");
      g_assert_true (draws_link_colour (_lean_spec_view_get_relations_label (view)));

      /* Back through the list, then again. */
      click_row (f, "Web Dashboard", "004-web-dashboard");
    }

  /* Parent and Children go both ways. */
  click_row (f, "Email Reminders", "006-email-reminders");
  ui_input_click_label_text (_lean_spec_view_get_relations_label (view), "005 Reminders");
  wait_shows (f, "005-reminders");
  ui_input_click_label_text (_lean_spec_view_get_relations_label (view), "006 Email Reminders");
  wait_shows (f, "006-email-reminders");
  g_free (ui_test_screenshot (GTK_WIDGET (f->window), "clicks-relation-link"));

  /* The links are still drawn as links after all that clicking. */
  g_assert_nonnull (strstr (_lean_spec_view_get_relations_markup (view), "<a href=\"spec:005-reminders\">"));
  g_assert_true (draws_link_colour (_lean_spec_view_get_relations_label (view)));
}

/* A link in the body to a sub-spec file opens its page. */
static void
test_click_body_link (Fixture       *f,
                      gconstpointer  data)
{
  LeanSpecView *view;
  GtkStack *files;

  click_row (f, "Web Dashboard", "004-web-dashboard");
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));
  files = GTK_STACK (_lean_spec_view_get_files_stack (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (files), ==, "README.md");
  ui_input_click_text_view_text (GTK_TEXT_VIEW (_lean_spec_view_get_readme_view (view)), "DESIGN.md");
  ui_test_settle (300);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (files), ==, "DESIGN.md");
}

static gboolean
readme_view_has (gpointer data)
{
  Fixture *f = data;
  LeanSpecView *view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (_lean_spec_view_get_readme_view (view)));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return strstr (text, "passwd link") != NULL;
}

static gboolean
message_dialog_open (gpointer data)
{
  return ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

/* Links a repository's author wrote: a file: URI and a path out of the
 * project ask before anything is opened; the dialog names the target. */
static void
test_click_untrusted_links (Fixture       *f,
                            gconstpointer  data)
{
  const char *links[] = { "passwd link", "up link" };
  LeanSpecView *view;

  g_assert_true (lean_markdown_link_is_safe ("https://example.com/x"));
  g_assert_true (lean_markdown_link_is_safe ("MAILTO:a@example.com"));
  g_assert_false (lean_markdown_link_is_safe ("file:///etc/passwd"));
  g_assert_false (lean_markdown_link_is_safe ("vscode://file/etc/passwd"));

  click_row (f, "Web Dashboard", "004-web-dashboard");
  g_assert_true (test_util_wait_until (readme_view_has, f, 5000));
  ui_test_settle (200);
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));

  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      GtkWindow *dialog;
      g_autofree char *shot = NULL;

      ui_input_click_text_view_text (GTK_TEXT_VIEW (_lean_spec_view_get_readme_view (view)),
                                     links[i]);
      g_assert_true (test_util_wait_until (message_dialog_open, NULL, 3000));
      dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
      g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                                "/etc/passwd"));
      if (i == 0)
        {
          ui_test_settle (300);
          shot = ui_test_screenshot (GTK_WIDGET (dialog), "untrusted-link-dialog");
          g_test_message ("screenshot: %s", shot);
        }
      /* Cancel is the default: Escape closes without opening anything. */
      ui_input_key (GDK_KEY_Escape, 0);
      ui_test_settle (300);
      g_assert_null (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  if (!ui_input_available ())
    {
      /* These tests are about real input: without an X server with XTest
       * they prove nothing, so they fail rather than skip. */
      g_printerr ("test-ui-clicks needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }

  app = lean_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

#define ADD(path, fn) \
  g_test_add ("/ui/clicks/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("task-box", test_click_task_box);
  ADD ("relation-links", test_click_relation_links);
  ADD ("body-link", test_click_body_link);
  g_test_add ("/ui/clicks/untrusted-links", Fixture,
              "\nSee [passwd link](file:///etc/passwd) and "
              "[up link](../../../../../../etc/passwd).\n",
              fixture_setup, test_click_untrusted_links, fixture_teardown);
#undef ADD

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
