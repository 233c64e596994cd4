/* SPDX-License-Identifier: MIT */
/* "Implement with AI" in a project whose runners.json names its own
 * commands, under Xvfb with real clicks: the trust dialog shows each
 * command exactly, "Don't Trust" runs and probes nothing of the project and
 * leaves the builtins, "Review…" asks again, "Trust and Continue" lets the
 * project's agents be probed and chosen. The project's scripts leave a
 * marker when anything runs them; the app's working folder is the project
 * and PATH has "." in it. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lean-implement-dialog.h"
#include "lean-trust-dialog.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

typedef struct
{
  char                *dir;
  char                *project_path;
  char                *marker;
  char                *witness;
  LeanProject         *project;
  GPtrArray           *specs;
  LeanSpec            *spec;
  LeanSessionDb       *db;
  LeanController      *controller;
  GtkWidget           *window;
  LeanImplementDialog *dialog;
  char                *old_cwd;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *script = NULL;
  g_autofree char *witness_script = NULL;
  g_autofree char *runners = NULL;
  g_autofree char *user_runners = NULL;

  f->dir = g_dir_make_tmp ("leanspec-ui-trust-XXXXXX", &error);
  g_assert_no_error (error);
  f->project_path = g_build_filename (f->dir, "project", NULL);
  f->marker = g_build_filename (f->project_path, "MARKER", NULL);
  f->witness = g_build_filename (f->dir, "WITNESS", NULL);
  test_util_write_file (f->project_path, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (f->project_path, "specs/001-first/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# First\n");
  script = g_build_filename (f->project_path, "evil.sh", NULL);
  test_write_marker_script (script, f->marker);
  g_clear_pointer (&script, g_free);
  /* A "claude" in the project folder, which "." in PATH would find. */
  script = g_build_filename (f->project_path, "claude", NULL);
  test_write_marker_script (script, f->marker);

  /* Hostile strings: markup, quotes, an escape sequence, a bell, a
   * right-to-left override, a newline. */
  runners = g_strdup_printf (
    "{\"default\": \"evil\", \"runners\": {\n"
    " \"evil\": {\"name\": \"Evil <b>Agent</b>\", \"command\": \"%s/evil.sh\",\n"
    "   \"args\": [\"a<b>&amp;\\\"q\\\"\", \"\\u001b[2J\\u0007\", \"rtl\\u202etxt\"],\n"
    "   \"env\": {\"EVIL_MODE\": \"on\\n<i>x</i>\"}},\n"
    " \"hinted\": {\"command\": \"/nonexistent/hinted\",\n"
    "   \"install_hint\": \"<b>curl</b> evil & sh\"},\n"
    " \"claude\": {\"command\": \"./claude\"}}}\n", f->project_path);
  test_util_write_file (f->project_path, ".lean-spec/runners.json", runners);

  /* The person's own agent: probed like the builtins, so its marker says
   * the probes have run. */
  witness_script = g_build_filename (f->dir, "witness.sh", NULL);
  test_write_marker_script (witness_script, f->witness);
  user_runners = g_strdup_printf ("{\"runners\": {\"witness\": {\"command\": \"%s\"}}}",
                                  witness_script);
  test_util_write_file (g_get_home_dir (), ".lean-spec/runners.json", user_runners);

  f->project = lean_project_open (f->project_path, &error);
  g_assert_no_error (error);
  f->specs = lean_project_load_specs (f->project, NULL, NULL, &error);
  g_assert_no_error (error);
  f->spec = g_object_ref (lean_project_find_spec (f->project, f->specs, "001", &error));
  g_assert_no_error (error);

  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);

  f->old_cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (f->project_path), ==, 0);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 700);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *user_runners = g_build_filename (g_get_home_dir (), ".lean-spec",
                                                    "runners.json", NULL);

  g_assert_cmpint (g_chdir (f->old_cwd), ==, 0);
  ui_test_stop_sessions (f->controller, 5000);
  if (f->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_close_sessions (&f->controller, &f->db);
  g_clear_object (&f->spec);
  g_clear_pointer (&f->specs, g_ptr_array_unref);
  g_clear_object (&f->project);
  g_unlink (user_runners);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project_path);
  g_free (f->marker);
  g_free (f->witness);
  g_free (f->old_cwd);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 &&
      gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The mapped label whose text is exactly @text. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The texts of the labels styled "trust-value", in order. */
static void
collect_values (GtkWidget *root,
                GPtrArray *out)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, "trust-value"))
    {
      g_assert_false (gtk_label_get_use_markup (GTK_LABEL (root)));
      g_ptr_array_add (out, g_strdup (gtk_label_get_text (GTK_LABEL (root))));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_values (child, out);
}

static gboolean
trust_dialog_shown (gpointer data)
{
  GtkWindow *window = ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
         gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

static gboolean
trust_dialog_gone (gpointer data)
{
  return ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG) == NULL;
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
dialog_ready (gpointer data)
{
  return lean_implement_dialog_get_ready (data);
}

static void
test_trust_flow (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *program = g_strdup_printf ("\"%s/evil.sh\"", f->project_path);
  g_autofree char *trust_json = g_build_filename (g_get_user_config_dir (), "leanspec-desktop",
                                                  "trust.json", NULL);
  g_autofree char *shot = NULL;
  GtkWindow *trust;
  GtkWidget *button;
  GtkLabel *label;

  if (!ui_input_available ())
    {
      g_test_skip ("needs an X11 display with XTest (run under Xvfb)");
      return;
    }

  f->dialog = lean_implement_dialog_new (GTK_WINDOW (f->window), f->controller, NULL,
                                         f->project, f->spec, f->specs);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *)&f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));

  /* Opening asks, and shows every command exactly. */
  g_assert_true (test_util_wait_until (trust_dialog_shown, NULL, 10000));
  trust = ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG);
  collect_values (GTK_WIDGET (trust), values);
  g_assert_cmpuint (values->len, ==, 8);
  g_assert_cmpstr (g_ptr_array_index (values, 0), ==, program);
  g_assert_cmpstr (g_ptr_array_index (values, 1), ==, "\"a<b>&amp;\\\"q\\\"\"");
  g_assert_cmpstr (g_ptr_array_index (values, 2), ==, "\"\\x1b[2J\\x07\"");
  g_assert_cmpstr (g_ptr_array_index (values, 3), ==, "\"rtl\\u{202E}txt\"");
  g_assert_cmpstr (g_ptr_array_index (values, 4), ==, "the prompt, built from the spec");
  g_assert_cmpstr (g_ptr_array_index (values, 5), ==, "EVIL_MODE=\"on\\n<i>x</i>\"");
  g_assert_cmpstr (g_ptr_array_index (values, 6), ==, "\"/nonexistent/hinted\"");
  g_assert_cmpstr (g_ptr_array_index (values, 7), ==, "the prompt, built from the spec");
  g_assert_nonnull (find_label (GTK_WIDGET (trust), "Agent “evil” (Evil <b>Agent</b>)"));
  g_assert_nonnull (find_label (GTK_WIDGET (trust), "Makes “evil” the default agent"));
  g_assert_nonnull (find_label (GTK_WIDGET (trust), "runners.json in this project defines "
                                "“claude”, a built-in agent; it was ignored"));
  shot = ui_test_screenshot (GTK_WIDGET (trust), "trust-dialog");
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);


  /* Don't Trust: the builtins stay, the project's agents stay unrun. */
  button = find_button (GTK_WIDGET (trust), "_Don’t Trust");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (trust_dialog_gone, NULL, 5000));

  /* The probes ran (the person's own agent was asked for its version),
   * none of them in the project. */
  g_assert_true (test_util_wait_until (file_exists, f->witness, 20000));
  ui_test_settle (500);
  g_assert_false (g_file_test (f->marker, G_FILE_TEST_EXISTS));
  {
    g_autoptr(LeanSessionRequest) request = lean_implement_dialog_dup_request (f->dialog);
    g_assert_true (request == NULL || g_strcmp0 (request->agent_id, "evil") != 0);
  }
  g_assert_true (test_util_wait_until (dialog_ready, f->dialog, 10000));

  /* The project's agent is listed as not trusted, with a way back. */
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "evil"));
  ui_test_settle (200);
  g_assert_false (lean_implement_dialog_get_ready (f->dialog));
  label = find_label (GTK_WIDGET (f->dialog),
                      "Evil <b>Agent</b> comes from this project and is not trusted");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (label));
  shot = ui_test_screenshot (GTK_WIDGET (f->dialog), "implement-dialog-untrusted");
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);

  button = find_button (GTK_WIDGET (f->dialog), "_Review…");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (trust_dialog_shown, NULL, 5000));
  trust = ui_test_find_toplevel (LEAN_TYPE_TRUST_DIALOG);
  button = find_button (GTK_WIDGET (trust), "_Trust and Continue");
  g_assert_nonnull (button);
  ui_input_click (button);
  g_assert_true (test_util_wait_until (trust_dialog_gone, NULL, 5000));
  g_assert_true (g_file_test (trust_json, G_FILE_TEST_EXISTS));

  /* Trusted: now it is probed (its --version leaves the marker) and can
   * start. */
  g_assert_true (test_util_wait_until (file_exists, f->marker, 20000));
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "evil"));
  g_assert_true (test_util_wait_until (dialog_ready, f->dialog, 10000));
  {
    g_autofree char *ran = NULL;

    /* Once, by the project's evil.sh; never its "claude" through ".". */
    g_file_get_contents (f->marker, &ran, NULL, NULL);
    g_assert_cmpstr (ran, ==, "--version\n");
  }

  /* A project's install hint is text, never markup. */
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "hinted"));
  ui_test_settle (200);
  label = find_label (GTK_WIDGET (f->dialog), "<b>curl</b> evil & sh");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (label));
  shot = ui_test_screenshot (GTK_WIDGET (f->dialog), "implement-dialog-project-hint");
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);

  /* Dark and narrow, as the file is now (trusted: nothing changed since). */
  {
    g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
    LeanTrustDialog *again;

    lean_agent_registry_load (registry, f->project_path, NULL);
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_DARK);
    again = lean_trust_dialog_new (GTK_WINDOW (f->dialog),
                                   lean_agent_registry_get_trust_request (registry),
                                   lean_agent_registry_get_trust_store (registry));
    gtk_window_set_default_size (GTK_WINDOW (again), 380, 640);
    gtk_window_present (GTK_WINDOW (again));
    g_assert_true (test_util_wait_until (trust_dialog_shown, NULL, 5000));
    shot = ui_test_screenshot (GTK_WIDGET (again), "trust-dialog-dark-narrow");
    g_test_message ("screenshot: %s", shot);
    g_clear_pointer (&shot, g_free);
    /* The end of it: the default it sets and what was ignored. */
    {
      GtkScrolledWindow *scrolled =
        GTK_SCROLLED_WINDOW (ui_test_find_widget (GTK_WIDGET (again), GTK_TYPE_SCROLLED_WINDOW));
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      shot = ui_test_screenshot (GTK_WIDGET (again), "trust-dialog-dark-narrow-end");
      g_test_message ("screenshot: %s", shot);
      g_clear_pointer (&shot, g_free);
    }
    gtk_window_destroy (GTK_WINDOW (again));
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_DEFAULT);
    ui_test_settle (100);
  }

  /* The project's "claude" was ignored: the builtin is still Claude Code. */
  g_assert_true (lean_implement_dialog_select_agent (f->dialog, "claude"));
  ui_test_settle (100);
  g_assert_true (find_label (GTK_WIDGET (f->dialog), "Claude Code is not installed") != NULL ||
                 lean_implement_dialog_get_ready (f->dialog));
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  /* PATH names the working folder (the project) twice over. */
  test_path_names_working_folder ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/ui-trust/decline-review-trust", Fixture, NULL,
              fixture_set_up, test_trust_flow, fixture_tear_down);

  return test_session_env_cleanup (g_test_run ());
}
