/* SPDX-License-Identifier: MIT */
/* leanspec-ctl review / land / discard / followup / worktrees as child
 * processes, on sessions this test ran on real repositories. */
#include "config.h"

#include <string.h>

#include "ctl-testutil.h"
#include "test-review-util.h"

static void
test_cli_review (ReviewFixture *f,
                 gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  const char *id = lean_session_get_id (session);
  g_autofree char *prefix = g_strndup (id, 8);
  g_autoptr(CtlResult) human = NULL;
  g_autoptr(CtlResult) json = NULL;
  g_autoptr(CtlResult) patch = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *files;
  const guint8 bin[] = { 'G', 'I', 'F', 0, 1, 2, 0, 3 };
  gboolean saw_binary = FALSE;

  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\n");
  test_write_at (wt, "new.txt", "x\ny\n");
  g_assert_true (g_file_set_contents (g_build_filename (wt, "pic.gif", NULL), (char *)bin,
                                      sizeof bin, NULL));

  json = ctl_test_run_ctl (f->project, "review", prefix, "--json", NULL);
  g_assert_cmpint (json->exit_status, ==, 0);
  root = ctl_test_parse_json (json->out);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "session"), ==, id);
  g_assert_cmpint (json_object_get_int_member (object, "added"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "removed"), ==, 0);
  files = json_object_get_array_member (object, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 3);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);

      if (g_str_equal (json_object_get_string_member (file, "path"), "pic.gif"))
        {
          saw_binary = json_object_get_boolean_member (file, "binary");
          g_assert_cmpstr (json_object_get_string_member (file, "status"), ==, "A");
        }
    }
  g_assert_true (saw_binary);

  human = ctl_test_run_ctl (f->project, "review", prefix, NULL);
  g_assert_cmpint (human->exit_status, ==, 0);
  g_assert_nonnull (strstr (human->out, "M a.txt  +1 -0\n"));
  g_assert_nonnull (strstr (human->out, "A new.txt  +2 -0\n"));
  g_assert_nonnull (strstr (human->out, "A pic.gif  (binary)\n"));
  g_assert_nonnull (strstr (human->out, "3 files changed, +3 -0"));

  patch = ctl_test_run_ctl (f->project, "review", prefix, "--patch", NULL);
  g_assert_cmpint (patch->exit_status, ==, 0);
  g_assert_nonnull (strstr (patch->out, "+++ b/a.txt\n"));
  g_assert_nonnull (strstr (patch->out, "+four\n"));
}

static void
test_cli_land_conflict (ReviewFixture *f,
                        gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autofree char *main_before = NULL;
  g_autofree char *main_after = NULL;
  g_autofree char *a = NULL;
  g_autoptr(CtlResult) result = NULL;

  test_write_at (f->project, "a.txt", "ONE\ntwo\nthree\n");
  g_free (test_git (f->project, "commit", "-q", "-am", "main", NULL));
  main_before = test_git (f->project, "rev-parse", "main", NULL);
  test_write_at (wt, "a.txt", "uno\ntwo\nthree\n");

  result = ctl_test_run_ctl (f->project, "land", lean_session_get_id (session), NULL);
  g_assert_cmpint (result->exit_status, ==, 1);
  ctl_test_assert_one_error_line (result->err, "a.txt");
  main_after = test_git (f->project, "rev-parse", "main", NULL);
  g_assert_cmpstr (main_after, ==, main_before);
  a = test_read_at (f->project, "a.txt");
  g_assert_cmpstr (a, ==, "ONE\ntwo\nthree\n");
}

static void
test_cli_land_squash (ReviewFixture *f,
                      gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (f, "flood2", TRUE);
  g_autofree char *wt = g_strdup (lean_session_get_worktree_path (session));
  g_autofree char *body = NULL;
  g_autoptr(CtlResult) result = NULL;

  test_write_at (wt, "c.txt", "c\n");
  g_free (test_git (wt, "add", "c.txt", NULL));
  g_free (test_git (wt, "commit", "-q", "-m", "wip", NULL));
  test_write_at (wt, "d.txt", "d\n");
  result = ctl_test_run_ctl (f->project, "land", lean_session_get_id (session), "--squash",
                             "--message", "001: done", NULL);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->out, "squashed"));
  body = test_git (f->project, "log", "-1", "--format=%B", "main", NULL);
  g_assert_cmpstr (body, ==, "001: done");
  g_assert_false (g_file_test (wt, G_FILE_TEST_EXISTS));
}

static void
test_cli_discard_and_worktrees (ReviewFixture *f,
                                gconstpointer  data)
{
  g_autoptr(LeanSession) a = run_session (f, "flood2", TRUE);
  g_autoptr(LeanSession) b = run_session (f, "flood2", TRUE);
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(LeanSession) running = NULL;
  g_autoptr(CtlResult) discard = NULL;
  g_autoptr(CtlResult) list = NULL;
  g_autoptr(CtlResult) prune = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  discard = ctl_test_run_ctl (f->project, "discard", lean_session_get_id (a), NULL);
  g_assert_cmpint (discard->exit_status, ==, 0);
  g_assert_false (g_file_test (lean_session_get_worktree_path (a), G_FILE_TEST_EXISTS));

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup ("002-second");
  request->agent_id = g_strdup ("sleepy");
  request->prompt = g_strdup ("sleep");
  request->set_in_progress = FALSE;
  request->use_worktree = TRUE;
  running = g_object_ref (lean_controller_start (f->controller, request, &error));
  g_assert_no_error (error);
  test_wait_until (test_session_is_running, running, 30);
  lean_session_db_flush (f->db);

  list = ctl_test_run_ctl (f->project, "worktrees", "--json", NULL);
  g_assert_cmpint (list->exit_status, ==, 0);
  root = ctl_test_parse_json (list->out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  prune = ctl_test_run_ctl (f->project, "worktrees", "--prune", NULL);
  g_assert_cmpint (prune->exit_status, ==, 0);
  g_assert_nonnull (strstr (prune->out, "Removed 1 worktree."));
  g_assert_nonnull (strstr (prune->out, "(running)"));
  g_assert_false (g_file_test (lean_session_get_worktree_path (b), G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lean_session_get_worktree_path (running), G_FILE_TEST_IS_DIR));

  lean_controller_cancel (f->controller, running);
  test_wait_until (test_session_is_final, running, 30);
}

static void
test_cli_followup (ReviewFixture *f,
                   gconstpointer  data)
{
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(CtlResult) result = NULL;
  g_autoptr(CtlResult) usage = NULL;

  test_review_claude_is_test_agent ();
  session = run_session (f, "claude", TRUE);
  result = ctl_test_run_ctl (f->project, "followup", lean_session_get_id (session),
                             "--message", "Also handle empty input",
                             "--comment", "a.txt:2:rename this", NULL);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_nonnull (strstr (result->out, "RESUMED[5f0c2a4e-test-agent]"));
  g_assert_nonnull (strstr (result->out, "Also handle empty input"));
  g_assert_nonnull (strstr (result->err, "follow-up of"));

  usage = ctl_test_run_ctl (f->project, "followup", lean_session_get_id (session),
                            "--comment", "no-line-number", NULL);
  g_assert_cmpint (usage->exit_status, ==, 2);
}

static void
test_cli_trust_worktree (ReviewFixture *f,
                         gconstpointer  data)
{
  g_autoptr(CtlResult) show = NULL;
  g_autoptr(CtlResult) trust = NULL;
  g_autoptr(CtlResult) again = NULL;

  test_write_at (f->project, ".lean-spec/worktree.json",
                 "{\"copy\": [\".env\"], \"setup\": \"make deps\"}");
  show = ctl_test_run_ctl (f->project, "trust", "--worktree", "--show", NULL);
  g_assert_cmpint (show->exit_status, ==, 0);
  g_assert_nonnull (strstr (show->out, "make deps"));
  g_assert_nonnull (strstr (show->out, ".env"));
  trust = ctl_test_run_ctl (f->project, "trust", "--worktree", "--yes", NULL);
  g_assert_cmpint (trust->exit_status, ==, 0);
  again = ctl_test_run_ctl (f->project, "trust", "--worktree", "--show", "--json", NULL);
  g_assert_nonnull (strstr (again->out, "\"trusted\""));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  test_review_git_identity ();

#define ADD(name, func) \
  g_test_add ("/cli-review/" name, ReviewFixture, "share", test_review_fixture_setup, func, \
              test_review_fixture_teardown)
  ADD ("review", test_cli_review);
  ADD ("land-conflict", test_cli_land_conflict);
  ADD ("land-squash", test_cli_land_squash);
  ADD ("discard-and-worktrees", test_cli_discard_and_worktrees);
  ADD ("followup", test_cli_followup);
  ADD ("trust-worktree", test_cli_trust_worktree);
  status = g_test_run ();
  return test_session_env_cleanup (status);
}
