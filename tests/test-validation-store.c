/* SPDX-License-Identifier: MIT */
/* Validations, chains and session links in a real SQLite file next to the
 * sessions' history, which the store's migration leaves as it was. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lean-error.h"
#include "lean-session-db.h"
#include "lean-validation-store.h"
#include "test-util.h"

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

static LeanValidation *
run_validation (const char *dir)
{
  g_autoptr(LeanCheckConfig) config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  const char *fail_argv[] = { "sh", "-c",
                              "echo 'collected 2 items'; echo 'FAIL: test_b'; "
                              "echo '=== 1 failed, 1 passed in 0.01s ==='; exit 3", NULL };
  const char *pass_argv[] = { "true", NULL };
  const char *missing_argv[] = { "leanspec-no-such-tool", NULL };
  g_autoptr(LeanCheck) fail = lean_check_new ("tests", "Tests", LEAN_CHECK_KIND_TEST,
                                              fail_argv, 30, NULL);
  g_autoptr(LeanCheck) pass = lean_check_new ("build", "Build", LEAN_CHECK_KIND_BUILD,
                                              pass_argv, 30, NULL);
  g_autoptr(LeanCheck) missing = lean_check_new ("lint", "Lint", LEAN_CHECK_KIND_LINT,
                                                 missing_argv, 30, NULL);
  LeanValidation *validation;

  lean_check_config_add_check (config, fail);
  lean_check_config_add_check (config, pass);
  lean_check_config_add_check (config, missing);
  validation = lean_validation_new ("001-feature", config, dir);
  lean_validation_run (validation);
  g_assert_true (test_util_wait_until (validation_done, validation, 30000));
  return validation;
}

static char *
to_text (LeanValidation *validation)
{
  g_autoptr(JsonNode) node = lean_validation_to_json (validation);

  return json_to_string (node, TRUE);
}

static void
test_round_trip_keeps_history (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSession) again = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(LeanValidationStore) reopened = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(LeanValidation) loaded = NULL;
  g_autoptr(LeanValidation) loaded_failed = NULL;
  g_autoptr(LeanCriticVerdict) verdict = NULL;
  g_autoptr(LeanCriticVerdict) no_verdict = NULL;
  g_autoptr(GArray) by_session = NULL;
  g_autoptr(GBytes) out_a = NULL;
  g_autoptr(GBytes) out_b = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  const char *answer = "{\"verdict\":\"fail\",\"requirements\":[{\"item\":\"B works\","
                       "\"met\":false,\"evidence\":\"test_b fails\"}],\"gaps\":[\"B\"],"
                       "\"summary\":\"B is broken.\"}";
  gint64 id, id2;

  /* History written by the session database first. */
  db = lean_session_db_open (path, &error);
  g_assert_no_error (error);
  session = lean_session_new (NULL, dir, "001-feature", "claude", LEAN_SESSION_MODE_AUTONOMOUS);
  lean_session_db_save_session_now (db, session);
  lean_session_db_flush (db);

  store = lean_validation_store_open (path, &error);
  g_assert_no_error (error);
  again = lean_session_db_lookup (db, lean_session_get_id (session), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_session_get_spec_id (again), ==, "001-feature");

  validation = run_validation (dir);
  verdict = lean_critic_verdict_parse (answer, strlen (answer));
  lean_validation_set_critic (validation, verdict);
  id = lean_validation_store_add_validation (store, validation, lean_session_get_id (session),
                                            NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  loaded = lean_validation_store_load_validation (store, id, &error);
  g_assert_no_error (error);
  a = to_text (validation);
  b = to_text (loaded);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpint (lean_check_run_get_status (lean_validation_get_run (loaded, 2)), ==,
                   LEAN_CHECK_STATUS_ERROR);
  g_assert_cmpstr (lean_check_run_get_message (lean_validation_get_run (loaded, 2)), ==,
                   "leanspec-no-such-tool: not found");
  g_assert_cmpstr (lean_check_run_get_first_failure (lean_validation_get_run (loaded, 0)), ==,
                   "FAIL: test_b");
  out_a = lean_check_run_get_output (lean_validation_get_run (validation, 0));
  out_b = lean_check_run_get_output (lean_validation_get_run (loaded, 0));
  g_assert_true (g_bytes_equal (out_a, out_b));

  /* A critic without a verdict keeps its text. */
  no_verdict = lean_critic_verdict_new_failed ("Not logged in · Please run /login");
  lean_validation_set_critic (validation, no_verdict);
  id2 = lean_validation_store_add_validation (store, validation, lean_session_get_id (session),
                                             NULL, 0, &error);
  g_assert_no_error (error);
  loaded_failed = lean_validation_store_load_validation (store, id2, &error);
  g_assert_no_error (error);
  g_assert_false (lean_validation_get_critic (loaded_failed)->parsed);
  g_assert_cmpstr (lean_validation_get_critic (loaded_failed)->text, ==,
                   "Not logged in · Please run /login");

  by_session = lean_validation_store_list_validations (store, lean_session_get_id (session),
                                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_session->len, ==, 2);
  g_assert_cmpint (g_array_index (by_session, gint64, 0), ==, id);

  /* Opening again migrates nothing twice and loses nothing. */
  reopened = lean_validation_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = lean_validation_store_load_validation (reopened, id, &error);
  g_assert_no_error (error);
  g_assert_null (lean_validation_store_load_validation (reopened, 999, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);

  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

static void
test_chain_and_links (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(LeanRalphChain) chain = NULL;
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(GArray) by_chain = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *chain_id = NULL;
  LeanRalphSettings settings = { .max_iterations = 1, .max_tokens = 5000 };
  JsonObject *obj;
  guint iteration = 0;

  store = lean_validation_store_open (path, &error);
  g_assert_no_error (error);
  chain = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  g_assert_true (lean_validation_store_save_chain (store, chain, dir, "claude", &error));
  g_assert_no_error (error);

  prompt = lean_ralph_chain_begin_iteration (chain);
  g_assert_true (lean_validation_store_link_session (store, "session-1",
                                                     LEAN_SESSION_KIND_IMPLEMENT,
                                                     lean_ralph_chain_get_id (chain), 1, &error));
  g_assert_true (lean_validation_store_link_session (store, "session-2", LEAN_SESSION_KIND_CRITIC,
                                                     lean_ralph_chain_get_id (chain), 1, &error));
  lean_ralph_chain_agent_finished (chain, 1234, 0.5);
  validation = run_validation (dir);
  g_assert_cmpint (lean_validation_store_add_validation (store, validation, "session-1",
                                                         lean_ralph_chain_get_id (chain), 1,
                                                         &error), >, 0);
  g_assert_cmpint (lean_ralph_chain_record_validation (chain, validation), ==,
                   LEAN_RALPH_STOP_MAX_ITERATIONS);
  g_assert_true (lean_validation_store_save_chain (store, chain, dir, "claude", &error));
  g_assert_no_error (error);

  stored = lean_validation_store_get_chain (store, lean_ralph_chain_get_id (chain), &error);
  g_assert_no_error (error);
  obj = json_node_get_object (stored);
  g_assert_cmpstr (json_object_get_string_member (obj, "spec"), ==, "001-feature");
  g_assert_cmpstr (json_object_get_string_member (obj, "agent"), ==, "claude");
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "ended");
  g_assert_cmpstr (json_object_get_string_member (obj, "result"), ==, "max_iterations");
  g_assert_cmpint (json_object_get_int_member (obj, "iterations"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (obj, "tokens"), ==, 1234);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "settings"),
                                               "max_tokens"), ==, 5000);

  by_chain = lean_validation_store_list_validations (store, NULL, lean_ralph_chain_get_id (chain),
                                                     &error);
  g_assert_cmpuint (by_chain->len, ==, 1);

  g_assert_true (lean_validation_store_get_session_link (store, "session-2", &kind, &chain_id,
                                                         &iteration, &error));
  g_assert_cmpstr (kind, ==, "critic");
  g_assert_cmpstr (chain_id, ==, lean_ralph_chain_get_id (chain));
  g_assert_cmpuint (iteration, ==, 1);
  g_assert_false (lean_validation_store_get_session_link (store, "session-9", NULL, NULL, NULL,
                                                          &error));
  g_assert_no_error (error);
  test_util_rm_rf (dir);
}

/* With the session database set, each check of a session's validation is
 * also an event of that session (telemetry reports it as a test run). */
static void
test_checks_are_session_events (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (path, &error);
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint checks = 0;

  g_assert_no_error (error);
  session = lean_session_new (NULL, dir, "001-feature", "claude", LEAN_SESSION_MODE_AUTONOMOUS);
  lean_session_db_save_session_now (db, session);
  store = lean_validation_store_open (path, &error);
  g_assert_no_error (error);
  lean_validation_store_set_session_db (store, db);
  validation = run_validation (dir);
  g_assert_cmpint (lean_validation_store_add_validation (store, validation,
                                                         lean_session_get_id (session), NULL,
                                                         0, &error), >, 0);
  g_assert_no_error (error);
  lean_session_db_flush (db);

  events = lean_session_db_read_events (db, lean_session_get_id (session), -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *ev = g_ptr_array_index (events, i);
      LeanCheckRun *run;
      g_autoptr(JsonNode) node = NULL;
      JsonObject *o;

      if (g_strcmp0 (ev->kind, "check") != 0)
        continue;
      run = lean_validation_get_run (validation, checks++);
      node = json_from_string (ev->payload, &error);
      g_assert_no_error (error);
      o = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (o, "name"), ==,
                       lean_check_run_get_check (run)->name);
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==,
                       lean_check_status_to_string (lean_check_run_get_status (run)));
    }
  g_assert_cmpuint (checks, ==, lean_validation_get_n_runs (validation));
  g_assert_cmpuint (checks, >, 0);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/validation-store/round-trip-keeps-history", test_round_trip_keeps_history);
  g_test_add_func ("/validation-store/chain-and-links", test_chain_and_links);
  g_test_add_func ("/validation-store/checks-are-session-events",
                   test_checks_are_session_events);

  return g_test_run ();
}
