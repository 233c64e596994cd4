/* SPDX-License-Identifier: MIT */
/* leanspec-ctl validate as a child process on temp projects: exit status,
 * the JSON shape, an untrusted checks.json refused, detected checks saved,
 * and the AI critic played by the test agent. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ctl-testutil.h"
#include "lean-session-db.h"
#include "lean-validation-store.h"

static char *home;

static char *
make_project (gboolean fixed,
              gboolean done)
{
  char *dir = test_util_make_tmp_dir ();

  test_util_write_file (dir, "specs/001-feature/README.md",
                        done ? "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n"
                               "# Feature\n\n- [x] build it\n"
                             : "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n"
                               "# Feature\n\n- [x] build it\n- [ ] test it\n");
  test_util_write_file (dir, "Makefile",
                        "test:\n"
                        "\t@test -f fixed.txt || (echo 'FAIL: test_feature: fixed.txt missing' "
                        "&& echo '==== 1 failed, 4 passed in 0.02s ====' && false)\n"
                        "\t@echo '==== 5 passed in 0.02s ===='\n");
  if (fixed)
    test_util_write_file (dir, "fixed.txt", "yes\n");
  return dir;
}

static void
test_fails_then_passes (void)
{
  g_autofree char *dir = make_project (FALSE, FALSE);
  g_autoptr(CtlResult) failed = NULL;
  g_autoptr(CtlResult) passed = NULL;
  g_autoptr(CtlResult) text = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) json2 = NULL;
  JsonObject *obj, *check, *counts;

  failed = ctl_test_run_ctl (dir, "validate", "1", "--json", NULL);
  g_assert_cmpint (failed->exit_status, ==, 1);
  json = ctl_test_parse_json (failed->out);
  obj = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (obj, "spec"), ==, "001-feature");
  g_assert_false (json_object_get_boolean_member (obj, "passed"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "checks")), ==, 1);
  check = json_array_get_object_element (json_object_get_array_member (obj, "checks"), 0);
  g_assert_cmpstr (json_object_get_string_member (check, "id"), ==, "make-test");
  g_assert_cmpstr (json_object_get_string_member (check, "kind"), ==, "test");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (check, "exit_code"), ==, 2);
  g_assert_true (json_object_has_member (check, "duration_ms"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (check, "argv")), ==, 2);
  counts = json_object_get_object_member (check, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "passed"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (counts, "failed"), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (check, "output_tail"),
                            "FAIL: test_feature: fixed.txt missing"));
  g_assert_true (json_object_get_null_member (obj, "critic"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (obj, "completion"), "open_items")), ==, 1);

  /* Fixed and the item ticked: everything passes. */
  test_util_write_file (dir, "fixed.txt", "yes\n");
  test_util_write_file (dir, "specs/001-feature/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n"
                        "# Feature\n\n- [x] build it\n- [x] test it\n");
  passed = ctl_test_run_ctl (dir, "validate", "1", "--json", NULL);
  g_assert_cmpint (passed->exit_status, ==, 0);
  json2 = ctl_test_parse_json (passed->out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json2), "passed"));

  text = ctl_test_run_ctl (dir, "validate", "001", NULL);
  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_nonnull (strstr (text->out, "passed   make test"));
  g_assert_nonnull (strstr (text->out, "5 passed, 0 failed, 0 skipped"));
  g_assert_nonnull (strstr (text->err, "save them with --save-checks"));

  test_util_rm_rf (dir);
}

static void
test_untrusted_and_malformed (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autofree char *marker = g_build_filename (dir, "ran", NULL);
  g_autoptr(CtlResult) untrusted = NULL;
  g_autoptr(CtlResult) malformed = NULL;

  test_util_write_file (dir, ".lean-spec/checks.json",
                        "{\"checks\": [{\"id\": \"x\", \"run\": [\"touch\", \"ran\"]}]}");
  untrusted = ctl_test_run_ctl (dir, "validate", "1", NULL);
  g_assert_cmpint (untrusted->exit_status, ==, 1);
  ctl_test_assert_one_error_line (untrusted->err, "checks.json is not trusted");
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* Shown exactly, trusted, then run; changed, refused again. */
  {
    g_autoptr(CtlResult) show = ctl_test_run_ctl (dir, "trust", "--checks", "--show", "--json",
                                                  NULL);
    g_autoptr(CtlResult) trust = ctl_test_run_ctl (dir, "trust", "--checks", "--yes", NULL);
    g_autoptr(CtlResult) trusted = ctl_test_run_ctl (dir, "validate", "1", NULL);
    g_autoptr(CtlResult) changed = NULL;
    g_autoptr(JsonNode) shown = ctl_test_parse_json (show->out);
    JsonObject *command;

    g_assert_cmpint (show->exit_status, ==, 0);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "state"), ==,
                     "untrusted");
    command = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (shown), "commands"), 0);
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (command, "argv"),
                                                    1), ==, "ran");
    g_assert_cmpint (trust->exit_status, ==, 0);
    g_assert_cmpint (trusted->exit_status, ==, 0);
    g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));

    test_util_write_file (dir, ".lean-spec/checks.json",
                          "{\"checks\": [{\"id\": \"x\", \"run\": [\"touch\", \"ran2\"]}]}");
    changed = ctl_test_run_ctl (dir, "validate", "1", NULL);
    g_assert_cmpint (changed->exit_status, ==, 1);
    ctl_test_assert_one_error_line (changed->err, "checks.json is not trusted");
  }

  test_util_write_file (dir, ".lean-spec/checks.json", "{\"checks\": [\n  {\"id\": \"x\",,}\n]}");
  malformed = ctl_test_run_ctl (dir, "validate", "1", "--json", NULL);
  g_assert_cmpint (malformed->exit_status, ==, 1);
  ctl_test_assert_one_error_line (malformed->err, ".lean-spec/checks.json:2:");
  g_assert_cmpstr (malformed->out, ==, "");
  test_util_rm_rf (dir);
}

static void
test_save_checks (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autoptr(CtlResult) result = NULL;
  g_autofree char *saved = NULL;

  result = ctl_test_run_ctl (dir, "validate", "1", "--save-checks", NULL);
  g_assert_cmpint (result->exit_status, ==, 0);
  saved = ctl_test_read_file (dir, ".lean-spec/checks.json");
  g_assert_nonnull (strstr (saved, "\"make\""));
  g_assert_nonnull (strstr (saved, "\"maxIterations\" : 10"));
  test_util_rm_rf (dir);
}

/* A user agent (runners.json in HOME) that prints @reply. */
static void
set_critic_reply (const char *reply)
{
  g_autofree char *reply_path = g_build_filename (home, "reply.txt", NULL);
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  g_autofree char *runners = g_strdup_printf (
    "{\"runners\": {\"fake-critic\": {\"name\": \"Fake Critic\", \"command\": \"%s\","
    " \"args\": [\"--say-file\", \"%s\"]}}}", agent, reply_path);

  test_util_write_file (home, "reply.txt", reply);
  test_util_write_file (home, ".lean-spec/runners.json", runners);
}

static void
test_critic (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autoptr(CtlResult) pass = NULL;
  g_autoptr(CtlResult) fail = NULL;
  g_autoptr(CtlResult) none = NULL;
  g_autoptr(CtlResult) both = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) json2 = NULL;
  JsonObject *critic;

  set_critic_reply ("Reviewed.\n```json\n{\"verdict\": \"pass\", \"requirements\": [{\"item\": "
                    "\"build it\", \"met\": true, \"evidence\": \"Makefile\"}], \"gaps\": [], "
                    "\"summary\": \"Done.\"}\n```\n");
  pass = ctl_test_run_ctl (dir, "validate", "1", "--critic", "--agent", "fake-critic", "--json",
                           NULL);
  g_assert_cmpint (pass->exit_status, ==, 0);
  json = ctl_test_parse_json (pass->out);
  critic = json_object_get_object_member (json_node_get_object (json), "critic");
  g_assert_cmpstr (json_object_get_string_member (critic, "verdict"), ==, "pass");
  g_assert_cmpstr (json_object_get_string_member (critic, "summary"), ==, "Done.");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (critic, "requirements")),
                    ==, 1);

  /* The critic's run is a session of its own, of kind "critic", with its output. */
  {
    g_autofree char *db_path = g_build_filename (home, "leanspec-desktop", "sessions.db", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanSessionDb) db = lean_session_db_open (db_path, &error);
    g_autoptr(LeanValidationStore) store = lean_validation_store_open (db_path, &error);
    g_autoptr(GListModel) sessions = NULL;
    g_autoptr(LeanSession) s = NULL;
    g_autoptr(GBytes) output = NULL;
    g_autofree char *kind = NULL;
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    sessions = lean_session_db_list (db, "001-feature", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (sessions), >=, 1);
    s = g_list_model_get_item (sessions, 0);
    g_assert_cmpstr (lean_session_get_agent_id (s), ==, "fake-critic");
    g_assert_cmpint (lean_session_get_state (s), ==, LEAN_SESSION_STATE_COMPLETED);
    g_assert_true (lean_validation_store_get_session_link (store, lean_session_get_id (s), &kind,
                                                           NULL, NULL, &error));
    g_assert_cmpstr (kind, ==, "critic");
    output = lean_session_db_read_output_range (db, lean_session_get_id (s),
                                                LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, &error);
    g_assert_no_error (error);
    text = g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
    g_assert_true (g_str_has_prefix (text, "Reviewed."));
    lean_session_db_close (db);
  }

  set_critic_reply ("{\"verdict\": \"fail\", \"requirements\": [], \"gaps\": [\"No docs\"], "
                    "\"summary\": \"Missing docs.\"}");
  fail = ctl_test_run_ctl (dir, "validate", "1", "--critic", "--agent", "fake-critic", NULL);
  g_assert_cmpint (fail->exit_status, ==, 1);
  g_assert_nonnull (strstr (fail->out, "gap: No docs"));

  /* No verdict: a failure showing what the agent said. */
  set_critic_reply ("I could not decide, sorry.\n");
  none = ctl_test_run_ctl (dir, "validate", "1", "--critic", "--agent", "fake-critic", "--json",
                           NULL);
  g_assert_cmpint (none->exit_status, ==, 1);
  json2 = ctl_test_parse_json (none->out);
  critic = json_object_get_object_member (json_node_get_object (json2), "critic");
  g_assert_cmpstr (json_object_get_string_member (critic, "verdict"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (critic, "summary"),
                            "I could not decide, sorry."));

  both = ctl_test_run_ctl (dir, "validate", "1", "--critic", "--no-critic", NULL);
  g_assert_cmpint (both->exit_status, ==, 2);
  test_util_rm_rf (dir);
}

static void
test_session_stored (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "leanspec-desktop", "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = lean_session_db_open (db_path, &error);
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSession) other = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(LeanValidation) stored = NULL;
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(CtlResult) wrong = NULL;

  g_assert_no_error (error);
  session = lean_session_new (NULL, dir, "001-feature", "claude", LEAN_SESSION_MODE_AUTONOMOUS);
  other = lean_session_new (NULL, dir, "002-other", "claude", LEAN_SESSION_MODE_AUTONOMOUS);
  lean_session_db_save_session_now (db, session);
  lean_session_db_save_session_now (db, other);
  lean_session_db_flush (db);

  result = ctl_test_run_ctl (dir, "validate", "1", "--session", lean_session_get_id (session),
                             "--json", NULL);
  g_assert_cmpint (result->exit_status, ==, 0);
  store = lean_validation_store_open (db_path, &error);
  g_assert_no_error (error);
  ids = lean_validation_store_list_validations (store, lean_session_get_id (session), NULL,
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  stored = lean_validation_store_load_validation (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_true (lean_validation_get_passed (stored));
  g_assert_cmpstr (lean_validation_get_spec_id (stored), ==, "001-feature");

  /* A session of another spec is refused. */
  wrong = ctl_test_run_ctl (dir, "validate", "1", "--session", lean_session_get_id (other), NULL);
  g_assert_cmpint (wrong->exit_status, ==, 1);
  ctl_test_assert_one_error_line (wrong->err, "worked on 002-other, not 001-feature");

  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

/* A user agent that fixes the project only when its prompt holds @needle. */
static void
set_fixing_agent (const char *needle)
{
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  g_autofree char *runners = g_strdup_printf (
    "{\"runners\": {\"fixer\": {\"name\": \"Fixer\", \"command\": \"%s\","
    " \"args\": [\"--fix-if-prompt-contains\", \"%s\", \"--fix-file\", \"fixed.txt\"]}}}",
    agent, needle);

  test_util_write_file (home, ".lean-spec/runners.json", runners);
}

/* The JSON lines of @out, parsed. */
static GPtrArray *
json_lines (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (nodes, ctl_test_parse_json (lines[i]));
  return nodes;
}

static JsonObject *
line_object (GPtrArray *lines,
             guint      i)
{
  return json_node_get_object (g_ptr_array_index (lines, i));
}

static void
test_ralph_passes_in_two (void)
{
  g_autofree char *dir = make_project (FALSE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph.db", NULL);
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(JsonNode) chain = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kind = NULL;
  guint iteration = 0;
  JsonObject *ended, *validation;
  const char *chain_id;

  set_fixing_agent ("FAIL: test_feature: fixed.txt missing");
  g_setenv ("LEANSPEC_DB", db_path, TRUE);
  result = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--agent", "fixer", "--json", NULL);
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (result->exit_status, ==, 0);

  lines = json_lines (result->out);
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 0), "type"), ==,
                   "iteration_started");
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 0), "iteration"), ==, 1);
  validation = line_object (lines, 1);
  g_assert_cmpstr (json_object_get_string_member (validation, "type"), ==, "validation");
  g_assert_false (json_object_get_boolean_member (validation, "passed"));
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 2), "iteration"), ==, 2);
  g_assert_true (json_object_get_boolean_member (line_object (lines, 3), "passed"));
  ended = line_object (lines, 4);
  g_assert_cmpstr (json_object_get_string_member (ended, "type"), ==, "chain_ended");
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "passed");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 2);

  /* The chain, its validations and its sessions are stored. */
  chain_id = json_object_get_string_member (ended, "chain");
  store = lean_validation_store_open (db_path, &error);
  g_assert_no_error (error);
  chain = lean_validation_store_get_chain (store, chain_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (chain), "result"), ==,
                   "passed");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (chain), "agent"), ==,
                   "fixer");
  ids = lean_validation_store_list_validations (store, NULL, chain_id, &error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_true (lean_validation_store_get_session_link (
                   store, json_object_get_string_member (line_object (lines, 2), "session"),
                   &kind, NULL, &iteration, &error));
  g_assert_cmpstr (kind, ==, "implement");
  g_assert_cmpuint (iteration, ==, 2);

  /* `sessions list` shows each session's chain and iteration. */
  {
    g_autoptr(CtlResult) listed = NULL;
    g_autoptr(JsonNode) list = NULL;
    JsonArray *array;
    guint seen = 0;

    g_setenv ("LEANSPEC_DB", db_path, TRUE);
    listed = ctl_test_run_ctl (dir, "sessions", "list", "--json", NULL);
    g_unsetenv ("LEANSPEC_DB");
    g_assert_cmpint (listed->exit_status, ==, 0);
    list = ctl_test_parse_json (listed->out);
    array = json_node_get_array (list);
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *obj = json_array_get_object_element (array, i);

        g_assert_cmpstr (json_object_get_string_member (obj, "kind"), ==, "implement");
        g_assert_cmpstr (json_object_get_string_member (obj, "chain"), ==, chain_id);
        seen |= 1u << json_object_get_int_member (obj, "iteration");
      }
    g_assert_cmpuint (seen, ==, (1u << 1) | (1u << 2));
  }
  test_util_rm_rf (dir);
}

static void
test_ralph_with_critic (void)
{
  g_autofree char *dir = make_project (FALSE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-critic.db", NULL);
  g_autofree char *reply_path = g_build_filename (home, "verdict.txt", NULL);
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  g_autofree char *runners = NULL;
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(GListModel) sessions = NULL;
  JsonObject *ended, *critic;
  guint n_critics = 0;

  /* The agent fixes only when told it is a second iteration, and answers
   * every prompt with a passing verdict (also when asked as the critic). */
  test_util_write_file (home, "verdict.txt",
                        "```json\n{\"verdict\": \"pass\", \"requirements\": [], \"gaps\": [],"
                        " \"summary\": \"Looks right.\"}\n```\n");
  runners = g_strdup_printf ("{\"runners\": {\"fixer\": {\"command\": \"%s\", \"args\": ["
                             "\"--say-file\", \"%s\", \"--fix-if-prompt-contains\", "
                             "\"## Iteration 2 of\", \"--fix-file\", \"fixed.txt\"]}}}",
                             agent, reply_path);
  test_util_write_file (home, ".lean-spec/runners.json", runners);

  g_setenv ("LEANSPEC_DB", db_path, TRUE);
  result = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--agent", "fixer", "--critic",
                             "--json", NULL);
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (result->exit_status, ==, 0);
  lines = json_lines (result->out);
  g_assert_cmpuint (lines->len, ==, 5);
  /* Iteration 1: the critic passed it, the checks did not. */
  g_assert_false (json_object_get_boolean_member (line_object (lines, 1), "passed"));
  critic = json_object_get_object_member (line_object (lines, 1), "critic");
  g_assert_cmpstr (json_object_get_string_member (critic, "verdict"), ==, "pass");
  ended = line_object (lines, 4);
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "passed");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 2);

  /* Two implement sessions and two critic sessions, linked by kind. */
  db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  store = lean_validation_store_open (db_path, &error);
  g_assert_no_error (error);
  sessions = lean_session_db_list (db, "001-feature", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (sessions, i);
      g_autofree char *kind = NULL;

      g_assert_true (lean_validation_store_get_session_link (store, lean_session_get_id (s),
                                                             &kind, NULL, NULL, &error));
      if (g_strcmp0 (kind, "critic") == 0)
        n_critics++;
    }
  g_assert_cmpuint (n_critics, ==, 2);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

static void
test_ralph_sigint (void)
{
  g_autofree char *dir = make_project (FALSE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-sigint.db", NULL);
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  g_autofree char *runners = g_strdup_printf (
    "{\"runners\": {\"sleeper\": {\"command\": \"%s\", \"args\": [\"--sleep\", \"60\"]}}}",
    agent);
  const char *argv[] = { ctl_test_ctl_path (), "-C", dir, "implement", "1", "--ralph",
                         "--agent", "sleeper", "--json", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autofree char *first = NULL;
  g_autofree char *rest = NULL;

  test_util_write_file (home, ".lean-spec/runners.json", runners);
  g_subprocess_launcher_setenv (launcher, "LEANSPEC_DB", db_path, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  first = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  started = ctl_test_parse_json (first);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (started), "type"), ==,
                   "iteration_started");

  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  rest = g_data_input_stream_read_upto (lines, "", 0, NULL, NULL, NULL);
  g_assert_nonnull (strstr (rest, "\"result\":\"cancelled\""));

  /* The agent's session was cancelled, not left running. */
  db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  session = lean_session_db_lookup (db, json_object_get_string_member (
                                      json_node_get_object (started), "session"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_CANCELLED);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

static void
test_ralph_stops (void)
{
  g_autofree char *dir = make_project (FALSE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-stops.db", NULL);
  g_autoptr(CtlResult) stalled = NULL;
  g_autoptr(CtlResult) limited = NULL;
  g_autoptr(CtlResult) untrusted = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) lines2 = NULL;
  g_autofree char *fixed = g_build_filename (dir, "fixed.txt", NULL);
  JsonObject *ended;

  set_fixing_agent ("words no prompt holds");
  g_setenv ("LEANSPEC_DB", db_path, TRUE);
  stalled = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--agent", "fixer",
                              "--max-iterations", "6", "--json", NULL);
  g_assert_cmpint (stalled->exit_status, ==, 1);
  lines = json_lines (stalled->out);
  ended = line_object (lines, lines->len - 1);
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "no_progress");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 3);

  limited = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--agent", "fixer",
                              "--max-iterations", "2", "--json", NULL);
  g_assert_cmpint (limited->exit_status, ==, 1);
  lines2 = json_lines (limited->out);
  ended = line_object (lines2, lines2->len - 1);
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "max_iterations");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 2);

  test_util_write_file (dir, ".lean-spec/checks.json",
                        "{\"checks\": [{\"id\": \"x\", \"run\": [\"true\"]}]}");
  untrusted = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--agent", "fixer", NULL);
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (untrusted->exit_status, ==, 1);
  ctl_test_assert_one_error_line (untrusted->err, "checks.json is not trusted");
  g_assert_false (g_file_test (fixed, G_FILE_TEST_EXISTS));
  test_util_rm_rf (dir);
}

/* --phases: one session per phase of the plan, each prompt naming only
 * that phase's open items; the agent ticks them; each phase is validated. */
static void
test_ralph_phases (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-phases.db", NULL);
  g_autofree char *prompts_path = g_build_filename (home, "phase-prompts.txt", NULL);
  g_autofree char *readme = g_build_filename (dir, "specs", "001-feature", "README.md", NULL);
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  g_autofree char *runners = NULL;
  g_autofree char *prompts = NULL;
  g_autofree char *spec_after = NULL;
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(GStrv) runs = NULL;
  const char *types[] = { "phase_started", "iteration_started", "validation", "phase_ended",
                          "phase_started", "iteration_started", "validation", "phase_ended",
                          "chain_ended" };

  test_util_write_file (dir, "specs/001-feature/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n# Feature\n\n"
                        "## Plan\n\n### Phase 1: Core\n\n- [ ] parse input\n- [ ] store result\n\n"
                        "### Phase 2: Desktop UI\n\n- [ ] show result\n");
  runners = g_strdup_printf (
    "{\"runners\": {\"phaser\": {\"name\": \"Phaser\", \"command\": \"%s\","
    " \"args\": [\"--tick-phase-items\", \"%s\", \"--record-prompt\", \"%s\"]}}}",
    agent, readme, prompts_path);
  test_util_write_file (home, ".lean-spec/runners.json", runners);

  g_setenv ("LEANSPEC_DB", db_path, TRUE);
  result = ctl_test_run_ctl (dir, "implement", "1", "--ralph", "--phases", "--agent", "phaser",
                             "--no-critic", "--json", NULL);
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (result->exit_status, ==, 0);

  lines = json_lines (result->out);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < lines->len; i++)
    g_assert_cmpstr (json_object_get_string_member (line_object (lines, i), "type"), ==,
                     types[i]);
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 0), "phase"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 0), "phases"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 0), "title"), ==,
                   "Phase 1: Core");
  /* Validated after each phase: phase 1 leaves phase 2's item open. */
  g_assert_false (json_object_get_boolean_member (line_object (lines, 2), "passed"));
  g_assert_false (json_object_get_boolean_member (line_object (lines, 3), "passed"));
  g_assert_true (json_object_has_member (line_object (lines, 3), "diff"));
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 4), "phase"), ==, 2);
  g_assert_true (json_object_get_boolean_member (line_object (lines, 6), "passed"));
  g_assert_cmpstr (json_object_get_string_member (line_object (lines, 8), "result"), ==,
                   "passed");
  g_assert_cmpint (json_object_get_int_member (line_object (lines, 8), "iterations"), ==, 2);

  /* Two sessions, each naming only its phase's items. */
  g_assert_true (g_file_get_contents (prompts_path, &prompts, NULL, NULL));
  runs = g_strsplit (prompts, "=== END ===\n", -1);
  g_assert_cmpuint (g_strv_length (runs), ==, 3);
  {
    const char *list1 = strstr (runs[0], "Open items of this phase:");
    const char *list2 = strstr (runs[1], "Open items of this phase:");
    g_autofree char *only1 = NULL, *only2 = NULL;

    g_assert_nonnull (list1);
    g_assert_nonnull (list2);
    only1 = g_strndup (list1, strstr (list1, "Tick each") - list1);
    only2 = g_strndup (list2, strstr (list2, "Tick each") - list2);
    g_assert_nonnull (strstr (only1, "- [ ] parse input\n- [ ] store result\n"));
    g_assert_null (strstr (only1, "show result"));
    g_assert_nonnull (strstr (only2, "- [ ] show result\n"));
    g_assert_null (strstr (only2, "parse input"));
    /* The second session's copy of the spec is the spec as the first left
     * it: phase 1's items ticked, not as they were when the chain began. */
    g_assert_nonnull (strstr (runs[0], "- [ ] parse input\n- [ ] store result\n"));
    g_assert_nonnull (strstr (runs[1], "- [x] parse input\n- [x] store result\n"));
    g_assert_null (strstr (runs[1], "- [ ] parse input"));
  }
  g_assert_true (g_file_get_contents (readme, &spec_after, NULL, NULL));
  g_assert_nonnull (strstr (spec_after, "- [x] parse input\n- [x] store result\n"));
  g_assert_nonnull (strstr (spec_after, "- [x] show result\n"));
  test_util_rm_rf (dir);
}

/* --pause: the chain waits after a failed iteration for the answer on
 * stdin. Enter continues with the feedback; "s" stops; an answer it does
 * not know is asked again; the end of input stops rather than guessing. */
static void
test_ralph_pause_answers (void)
{
  g_autofree char *dir = make_project (FALSE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-pause.db", NULL);
  g_autofree char *fixed = g_build_filename (dir, "fixed.txt", NULL);
  const char *argv[] = { ctl_test_ctl_path (), "-C", dir, "implement", "1", "--ralph",
                         "--agent", "fixer", "--pause", NULL, NULL };
  g_autoptr(CtlResult) continued = NULL;
  g_autoptr(CtlResult) stopped = NULL;
  g_autoptr(CtlResult) unanswered = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) lines2 = NULL;
  JsonObject *paused, *ended;

  set_fixing_agent ("FAIL: test_feature: fixed.txt missing");
  g_setenv ("LEANSPEC_DB", db_path, TRUE);

  /* Human output: the question on stderr; Enter continues, the second
   * iteration gets the failure and passes. */
  continued = ctl_test_run_argv (NULL, argv, "\n");
  g_assert_cmpint (continued->exit_status, ==, 0);
  g_assert_nonnull (strstr (continued->err, "iteration 1 did not pass"));
  g_assert_nonnull (strstr (continued->err, "The next session will be told:\n"));
  g_assert_nonnull (strstr (continued->err, "fixed.txt missing"));
  g_assert_nonnull (strstr (continued->err, "Continue, edit the feedback or stop? [C/e/s] "));
  g_assert_nonnull (strstr (continued->err, "continuing"));

  /* JSON: a "paused" event with the feedback; "s" stops there. */
  argv[9] = "--json";
  /* The second iteration fixed the project; unfixed again for the next runs. */
  g_assert_true (g_file_test (fixed, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (fixed), ==, 0);
  stopped = ctl_test_run_argv (NULL, argv, "s\n");
  g_assert_cmpint (stopped->exit_status, ==, 1);
  lines = json_lines (stopped->out);
  g_assert_cmpuint (lines->len, ==, 4);
  paused = line_object (lines, 2);
  g_assert_cmpstr (json_object_get_string_member (paused, "type"), ==, "paused");
  g_assert_cmpint (json_object_get_int_member (paused, "iteration"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (paused, "phase"), ==, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (paused, "feedback"),
                            "fixed.txt missing"));
  ended = line_object (lines, 3);
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "cancelled");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 1);

  /* An unknown answer is asked again; the end of input stops the loop. */
  unanswered = ctl_test_run_argv (NULL, argv, "maybe\n");
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (unanswered->exit_status, ==, 1);
  g_assert_nonnull (strstr (unanswered->err, "answer c (continue), e (edit the feedback) or s"));
  g_assert_nonnull (strstr (unanswered->err, "no answer (end of input): stopping the loop"));
  lines2 = json_lines (unanswered->out);
  g_assert_cmpstr (json_object_get_string_member (line_object (lines2, lines2->len - 1),
                                                  "result"), ==, "cancelled");
  g_assert_cmpint (json_object_get_int_member (line_object (lines2, lines2->len - 1),
                                               "iterations"), ==, 1);
  test_util_rm_rf (dir);
}

/* --phases --pause: at phase 1's checkpoint "r" runs the phase again; at
 * the next, "e" takes new feedback typed on stdin up to a "." line, then
 * Enter continues into phase 2 with the person's words. */
static void
test_ralph_pause_phases (void)
{
  g_autofree char *dir = make_project (TRUE, TRUE);
  g_autofree char *db_path = g_build_filename (home, "ralph-pause-phases.db", NULL);
  g_autofree char *prompts_path = g_build_filename (home, "pause-prompts.txt", NULL);
  g_autofree char *readme = g_build_filename (dir, "specs", "001-feature", "README.md", NULL);
  g_autofree char *agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests",
                                             "lean-test-agent", NULL);
  const char *argv[] = { ctl_test_ctl_path (), "-C", dir, "implement", "1", "--ralph",
                         "--phases", "--pause", "--agent", "phaser", "--no-critic", "--json",
                         NULL };
  g_autofree char *runners = NULL;
  g_autofree char *prompts = NULL;
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(GStrv) runs = NULL;
  guint n_paused = 0;
  JsonObject *ended;

  test_util_write_file (dir, "specs/001-feature/README.md",
                        "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n# Feature\n\n"
                        "## Plan\n\n### Phase 1: Core\n\n- [ ] parse input\n- [ ] store result\n\n"
                        "### Phase 2: Desktop UI\n\n- [ ] show result\n");
  runners = g_strdup_printf (
    "{\"runners\": {\"phaser\": {\"name\": \"Phaser\", \"command\": \"%s\","
    " \"args\": [\"--tick-phase-items\", \"%s\", \"--record-prompt\", \"%s\"]}}}",
    agent, readme, prompts_path);
  test_util_write_file (home, ".lean-spec/runners.json", runners);

  g_setenv ("LEANSPEC_DB", db_path, TRUE);
  result = ctl_test_run_argv (NULL, argv, "r\ne\nMind the empty input.\n.\n\n");
  g_unsetenv ("LEANSPEC_DB");
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->err, "running the phase again"));
  g_assert_nonnull (strstr (result->err, "Type the new feedback"));
  lines = json_lines (result->out);
  for (guint i = 0; i < lines->len; i++)
    if (g_strcmp0 (json_object_get_string_member (line_object (lines, i), "type"), "paused") == 0)
      {
        g_assert_cmpint (json_object_get_int_member (line_object (lines, i), "phase"), ==, 1);
        n_paused++;
      }
  g_assert_cmpuint (n_paused, ==, 2);
  ended = line_object (lines, lines->len - 1);
  g_assert_cmpstr (json_object_get_string_member (ended, "result"), ==, "passed");
  g_assert_cmpint (json_object_get_int_member (ended, "iterations"), ==, 3);

  g_assert_true (g_file_get_contents (prompts_path, &prompts, NULL, NULL));
  runs = g_strsplit (prompts, "=== END ===\n", -1);
  g_assert_cmpuint (g_strv_length (runs), ==, 4);
  g_assert_null (strstr (runs[1], "Mind the empty input."));
  g_assert_nonnull (strstr (runs[2], "- [ ] show result\n"));
  g_assert_nonnull (strstr (runs[2], "Mind the empty input."));
  test_util_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  /* Each test says where its database is; one from the environment (the
   * suite sets a shared one) would hide what a test stored. */
  g_unsetenv ("LEANSPEC_DB");

  /* The critic's agent comes from this HOME's runners.json. */
  home = test_util_make_tmp_dir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);

  g_test_add_func ("/cli-validate/fails-then-passes", test_fails_then_passes);
  g_test_add_func ("/cli-validate/untrusted-and-malformed", test_untrusted_and_malformed);
  g_test_add_func ("/cli-validate/save-checks", test_save_checks);
  g_test_add_func ("/cli-validate/critic", test_critic);
  g_test_add_func ("/cli-validate/session-stored", test_session_stored);
  g_test_add_func ("/cli-ralph/passes-in-two", test_ralph_passes_in_two);
  g_test_add_func ("/cli-ralph/stops", test_ralph_stops);
  g_test_add_func ("/cli-ralph/with-critic", test_ralph_with_critic);
  g_test_add_func ("/cli-ralph/sigint", test_ralph_sigint);
  g_test_add_func ("/cli-ralph/phases", test_ralph_phases);
  g_test_add_func ("/cli-ralph/pause-answers", test_ralph_pause_answers);
  g_test_add_func ("/cli-ralph/pause-phases", test_ralph_pause_phases);

  result = g_test_run ();
  test_util_rm_rf (home);
  return result;
}
