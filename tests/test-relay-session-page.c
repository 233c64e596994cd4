/* SPDX-License-Identifier: MIT */
/* A relay session in the session pane, in a real window (run under Xvfb):
 * its banner says where it runs, and when the relay fails or goes away the
 * page offers "Run Locally Instead", which starts the same request on the
 * local runner. The relay is the conformance peer on loopback. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "lean-implement-dialog.h"
#include "lean-relay-config.h"
#include "lean-session-pane.h"
#include "relay-test-util.h"
#include "test-session-util.h"
#include "ui-test-util.h"

typedef struct
{
  char            *dir;
  char            *project;
  LeanSessionDb   *db;
  LeanController  *controller;
  GtkWidget       *window;
  LeanSessionPane *pane;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  f->dir = g_dir_make_tmp ("leanspec-relay-pane-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_make_project (f->dir);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "text", agent, "text", "--text", "--lines", "5", NULL);
  test_add_agent (b, "flood2", agent, "text", "--flood", "2", NULL);
  test_add_agent (b, "elsewhere", "/nonexistent/agent-only-on-the-relay", "text", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (f->project, ".lean-spec/runners.json", json);
  test_trust_runners (f->project);

  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 560);
  f->pane = LEAN_SESSION_PANE (lean_session_pane_new ());
  lean_session_pane_set_controller (f->pane, f->controller);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->pane));
  gtk_window_present (GTK_WINDOW (f->window));
  ui_test_settle (200);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ui_test_stop_sessions (f->controller, 5000);
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  ui_test_close_sessions (&f->controller, &f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  if (GTK_IS_BUTTON (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static LeanSession *
start_relay (Fixture    *f,
             const char *agent,
             const char *runner)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("001-first");
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement the spec");
  request->runner = g_strdup (runner);
  request->set_in_progress = FALSE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  return session;
}

typedef struct
{
  LeanController *controller;
  guint           n;
} Count;

static gboolean
has_n_sessions (gpointer data)
{
  Count *c = data;

  return g_list_model_get_n_items (lean_controller_get_sessions (c->controller)) >= c->n;
}

static void
test_run_locally_after_relay_lost (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start ("--die-after-bytes", "100000", NULL);
  g_autofree char *runner = g_strdup_printf ("relay:%s/r1", peer->url);
  g_autofree char *shot = NULL;
  LeanSession *session = start_relay (f, "flood2", runner);
  g_autoptr(LeanSession) rerun = NULL;
  LeanSessionPage *page;
  GtkWidget *button;
  Count count = { f->controller, 2 };

  page = lean_session_pane_show_session (f->pane, session);
  g_assert_nonnull (page);
  button = find_action_button (GTK_WIDGET (page), "session.run-locally");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  test_util_wait_until (test_session_is_final, session, 30000);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_INTERRUPTED);
  ui_test_settle (300);

  /* The banner says where it ran; the page says what happened and offers
   * the local runner. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (page), "Interrupted")
                 || ui_test_find_text (GTK_WIDGET (page), "interrupted"));
  g_assert_true (gtk_widget_get_visible (button));
  shot = ui_test_screenshot (f->window, "relay-session-interrupted");
  g_test_message ("screenshot: %s", shot);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "session.run-locally", NULL));
  test_util_wait_until (has_n_sessions, &count, 5000);
  rerun = g_list_model_get_item (lean_controller_get_sessions (f->controller), 0);
  g_assert_true (rerun != session);
  g_assert_cmpstr (lean_session_get_runner (rerun), ==, "local");
  g_assert_cmpstr (lean_session_get_agent_id (rerun), ==, "flood2");
  g_assert_cmpstr (lean_session_get_spec_id (rerun), ==, "001-first");
  test_util_wait_until (test_session_is_final, rerun, 60000);
  g_assert_cmpint (lean_session_get_state (rerun), ==, LEAN_SESSION_STATE_COMPLETED);
}

static void
test_no_offer_for_local_or_completed (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(Peer) peer = peer_start (NULL);
  g_autofree char *runner = g_strdup_printf ("relay:%s/r1", peer->url);
  LeanSession *relay_ok = start_relay (f, "text", runner);
  LeanSession *local_ok = start_relay (f, "text", NULL);
  LeanSessionPage *page;

  test_util_wait_until (test_session_is_final, relay_ok, 30000);
  test_util_wait_until (test_session_is_final, local_ok, 30000);
  ui_test_settle (200);
  g_assert_cmpint (lean_session_get_state (relay_ok), ==, LEAN_SESSION_STATE_COMPLETED);

  page = lean_session_pane_show_session (f->pane, relay_ok);
  g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (page),
                                                              "session.run-locally")));
  /* The banner names the relay runner. */
  g_assert_true (ui_test_find_text (GTK_WIDGET (page), runner)
                 || strstr (lean_session_get_runner (relay_ok), "relay:") != NULL);
  page = lean_session_pane_show_session (f->pane, local_ok);
  g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (page),
                                                              "session.run-locally")));
}

static GtkWidget *
find_row_titled (GtkWidget  *root,
                 const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_row_titled (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
dialog_ready (gpointer data)
{
  return lean_implement_dialog_get_ready (data);
}

/* The Implement dialog offers the configured relay runners, preselects the
 * project's default runner, and does not ask for the agent to be installed
 * here when it runs on a relay. */
static void
test_implement_dialog_relay (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (NULL);
  g_autoptr(LeanRelayServer) lab = lean_relay_server_new ("lab", "ws://127.0.0.1:8080");
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  const char *runners[] = { "r1", "r2", NULL };
  LeanImplementDialog *dialog;
  LeanSpec *spec;
  AdwComboRow *runner_row;

  lab->runner_ids = g_strdupv ((char **)runners);
  g_assert_true (lean_relay_config_set_server (config, lab, &error));
  project = lean_project_open (f->project, &error);
  g_assert_no_error (error);
  lean_relay_config_set_project_runner (config, lean_project_get_root (project), "relay:lab/r2");
  g_assert_true (lean_relay_config_save (config, &error));
  g_assert_no_error (error);

  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = lean_project_find_spec (project, specs, "001-first", &error);
  g_assert_no_error (error);
  dialog = lean_implement_dialog_new (GTK_WINDOW (f->window), f->controller, NULL, project,
                                      spec, specs);
  gtk_window_present (GTK_WINDOW (dialog));
  /* Let the registry refresh (it re-sorts the agents) before choosing one. */
  ui_test_settle (1500);
  g_assert_true (ui_test_select_agent (dialog, "elsewhere"));
  g_assert_true (test_util_wait_until (dialog_ready, dialog, 10000));

  request = lean_implement_dialog_dup_request (dialog);
  g_assert_cmpstr (request->agent_id, ==, "elsewhere");
  g_assert_cmpstr (request->runner, ==, "relay:lab/r2");
  g_clear_pointer (&request, lean_session_request_free);
  g_test_message ("screenshot: %s", ui_test_screenshot (GTK_WIDGET (dialog), "relay-implement-dialog"));

  /* Locally this agent is missing: not ready, and the dialog says why. */
  runner_row = ADW_COMBO_ROW (find_row_titled (GTK_WIDGET (dialog), "_Machine"));
  g_assert_nonnull (runner_row);
  g_assert_false (gtk_widget_get_sensitive (ui_test_find_widget (GTK_WIDGET (dialog),
                                                                 GTK_TYPE_SWITCH)));
  adw_combo_row_set_selected (runner_row, 0);
  ui_test_settle (50);
  g_assert_true (gtk_widget_get_sensitive (ui_test_find_widget (GTK_WIDGET (dialog),
                                                                GTK_TYPE_SWITCH)));
  g_assert_false (lean_implement_dialog_get_ready (dialog));
  g_assert_true (ui_test_find_text (GTK_WIDGET (dialog), "elsewhere is not installed"));
  adw_combo_row_set_selected (runner_row, 1);
  ui_test_settle (50);
  g_assert_true (lean_implement_dialog_get_ready (dialog));
  request = lean_implement_dialog_dup_request (dialog);
  g_assert_cmpstr (request->agent_id, ==, "elsewhere");
  g_assert_cmpstr (request->runner, ==, "relay:lab/r1");

  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/relay-session-page/run-locally-after-relay-lost", Fixture, NULL,
              fixture_set_up, test_run_locally_after_relay_lost, fixture_tear_down);
  g_test_add ("/relay-session-page/no-offer-for-local-or-completed", Fixture, NULL,
              fixture_set_up, test_no_offer_for_local_or_completed, fixture_tear_down);
  g_test_add ("/relay-session-page/implement-dialog-relay", Fixture, NULL,
              fixture_set_up, test_implement_dialog_relay, fixture_tear_down);
  return g_test_run ();
}
