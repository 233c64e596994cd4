/* SPDX-License-Identifier: MIT */
/* "Implement with AI" on a real project with real agents (the test agent
 * behind runners.json, builtins that are not installed here), started on
 * the real controller (run under Xvfb). */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-implement-dialog.h"
#include "lean-session-pane.h"
#include "test-session-util.h"
#include "ui-test-util.h"

typedef struct
{
  char                *dir;
  char                *project_path;
  LeanProject         *project;
  GPtrArray           *specs;
  LeanSpec            *spec;
  LeanSessionDb       *db;
  LeanController      *controller;
  GtkWidget           *window;
  LeanSessionPane     *pane;
  LeanImplementDialog *dialog;
  LeanSession         *started;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;

  f->dir = g_dir_make_tmp ("leanspec-implement-XXXXXX", &error);
  g_assert_no_error (error);
  f->project_path = test_make_project (f->dir);
  f->project = lean_project_open (f->project_path, &error);
  g_assert_no_error (error);
  f->specs = lean_project_load_specs (f->project, NULL, NULL, &error);
  g_assert_no_error (error);
  f->spec = lean_project_find_spec (f->project, f->specs, "001-first", &error);
  if (f->spec != NULL)
    g_object_ref (f->spec); /* borrowed from the array */
  g_assert_no_error (error);

  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  f->pane = LEAN_SESSION_PANE (lean_session_pane_new ());
  lean_session_pane_set_controller (f->pane, f->controller);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->pane));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ui_test_stop_sessions (f->controller, 5000);
  if (f->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_close_sessions (&f->controller, &f->db);
  g_clear_object (&f->spec);
  g_clear_pointer (&f->specs, g_ptr_array_unref);
  g_clear_object (&f->project);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project_path);
}

static gboolean
dialog_ready (gpointer data)
{
  return lean_implement_dialog_get_ready (data);
}

static AdwComboRow *
find_combo (GtkWidget  *root,
            const char *title)
{
  if (ADW_IS_COMBO_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return ADW_COMBO_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_started (LeanImplementDialog *dialog,
            LeanSession         *session,
            Fixture             *f)
{
  f->started = session;
  lean_session_pane_show_session (f->pane, session);
}

typedef struct
{
  LeanSessionPage *page;
  const char      *text;
} Wait;

static gboolean
screen_shows (gpointer data)
{
  Wait *w = data;
  g_autofree char *text =
    lean_terminal_view_dup_screen_text (lean_session_page_get_terminal_view (w->page));
  return text != NULL && strstr (text, w->text) != NULL;
}

static void
test_choose_agent_and_start (Fixture       *f,
                             gconstpointer  data)
{
  AdwComboRow *agents;
  GListModel *model;
  gboolean seen_missing = FALSE;
  guint n_installed = 0;
  GtkTextView *prompt_view;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *prompt = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  Wait w = { NULL, "I will implement: Build it my way, XYZ" };

  f->dialog = lean_implement_dialog_new (GTK_WINDOW (f->window), f->controller, NULL,
                                         f->project, f->spec, f->specs);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  g_signal_connect (f->dialog, "session-started", G_CALLBACK (on_started), f);
  gtk_window_present (GTK_WINDOW (f->dialog));

  /* Ready once the agents are probed and the prompt is built. */
  g_assert_true (ui_test_select_agent (f->dialog, "json"));
  g_assert_true (test_util_wait_until (dialog_ready, f->dialog, 15000));

  /* Installed agents come first, then the missing ones. */
  agents = find_combo (GTK_WIDGET (f->dialog), "_Agent");
  g_assert_nonnull (agents);
  model = adw_combo_row_get_model (agents);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LeanAgent) agent = g_list_model_get_item (model, i);

      if (lean_agent_get_installed (agent))
        {
          g_assert_false (seen_missing);
          n_installed++;
        }
      else
        seen_missing = TRUE;
    }
  g_assert_cmpuint (n_installed, >=, 3);
  g_assert_true (seen_missing);

  /* The prompt comes from the spec. */
  prompt_view = GTK_TEXT_VIEW (ui_test_find_widget (GTK_WIDGET (f->dialog), GTK_TYPE_TEXT_VIEW));
  buffer = gtk_text_view_get_buffer (prompt_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  prompt = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_nonnull (strstr (prompt, "001-first"));
  g_assert_nonnull (strstr (prompt, "do it"));

  /* A missing agent shows how to install it and cannot start. */
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "missing"));
  g_assert_false (lean_implement_dialog_get_ready (f->dialog));
  g_assert_true (ui_test_find_text (GTK_WIDGET (f->dialog), "missing is not installed"));
  if (lean_implement_dialog_select_agent (f->dialog, "claude"))
    {
      ui_test_settle (100);
      g_assert_false (lean_implement_dialog_get_ready (f->dialog));
      g_assert_true (ui_test_find_text (GTK_WIDGET (f->dialog), "Claude Code is not installed"));
      shot = ui_test_screenshot (GTK_WIDGET (f->dialog), "implement-dialog-missing");
      g_test_message ("screenshot: %s", shot);
      g_clear_pointer (&shot, g_free);
    }

  /* The person edits the prompt; the edited text is what the agent gets. */
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "json"));
  g_assert_true (lean_implement_dialog_get_ready (f->dialog));
  gtk_text_buffer_set_text (buffer, "Build it my way, XYZ\n\nThen stop.", -1);
  request = lean_implement_dialog_dup_request (f->dialog);
  g_assert_cmpstr (request->agent_id, ==, "json");
  g_assert_cmpstr (request->spec_id, ==, "001-first");
  g_assert_null (request->runner);
  g_assert_cmpint (request->mode, ==, LEAN_SESSION_MODE_AUTONOMOUS);
  g_assert_cmpstr (request->prompt, ==, "Build it my way, XYZ\n\nThen stop.");

  ui_test_settle (200);
  shot = ui_test_screenshot (GTK_WIDGET (f->dialog), "implement-dialog");
  g_test_message ("screenshot: %s", shot);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "implement.start", NULL));
  g_assert_nonnull (f->started);
  ui_test_settle (100);
  g_assert_null (f->dialog); /* closed */

  w.page = lean_session_pane_show_session (f->pane, f->started);
  g_assert_true (test_util_wait_until (screen_shows, &w, 10000));
}

/* Is there a mapped label whose text contains @needle below @root? */
static gboolean
label_contains (GtkWidget  *root,
                const char *needle)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_contains (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
toast_shown (gpointer data)
{
  Fixture *f = data;

  return f->dialog != NULL && label_contains (GTK_WIDGET (f->dialog), "outside the project");
}

static gboolean
has_width (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* The prompt cannot be built (a sub-spec became a link out of the project
 * after the scan) and the error names a file called "A&B <x>.md": the toast
 * shows those words as they are. As markup they were a parse error (a GTK
 * warning, fatal in tests) and no toast. */
static void
test_error_toast_is_text (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->project_path, "specs", "001-first",
                                           "A&B <x>.md", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *shot = NULL;

  test_util_write_file (f->project_path, "specs/001-first/A&B <x>.md", "notes\n");
  g_clear_object (&f->spec);
  g_clear_pointer (&f->specs, g_ptr_array_unref);
  f->specs = lean_project_load_specs (f->project, NULL, NULL, &error);
  g_assert_no_error (error);
  f->spec = g_object_ref (lean_project_find_spec (f->project, f->specs, "001-first", &error));
  g_assert_cmpstr (lean_spec_get_sub_specs (f->spec)[0], ==, "A&B <x>.md");
  g_assert_cmpint (g_unlink (sub), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", sub), ==, 0);

  f->dialog = lean_implement_dialog_new (GTK_WINDOW (f->window), f->controller, NULL,
                                         f->project, f->spec, f->specs);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));
  g_assert_true (test_util_wait_until (toast_shown, f, 15000));
  g_assert_true (label_contains (GTK_WIDGET (f->dialog), "A&B <x>.md"));
  /* On screen and laid out, however busy the machine. */
  g_assert_true (test_util_wait_until (has_width, f->dialog, 15000));
  ui_test_settle (300);
  shot = ui_test_screenshot (GTK_WIDGET (f->dialog), "implement-dialog-error-toast");
  g_test_message ("screenshot: %s", shot);
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return g_test_run ();
    }

  g_test_add ("/implement-dialog/choose-and-start", Fixture, NULL,
              fixture_set_up, test_choose_agent_and_start, fixture_tear_down);
  g_test_add ("/implement-dialog/error-toast-is-text", Fixture, NULL,
              fixture_set_up, test_error_toast_is_text, fixture_tear_down);

  return g_test_run ();
}
