/* SPDX-License-Identifier: MIT */
/* What happens to a session's work after it ran reaches Devlog: landing it
 * as commit_created, each check of its validation as test_run. A real
 * repository in a temp folder, a session run by the controller with the
 * test agent, its work landed through the sessions wing or validated with
 * real check processes, and the outbox drained by the sender to the
 * loopback collector, which checks every event as Devlog does. With
 * telemetry off nothing is queued. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "devlog-peer.h"
#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-session-review.h"
#include "lean-validation-store.h"

#include "test-review-util.h"

typedef struct
{
  ReviewFixture  review;
  char          *db_path;
  DevlogPeer    *peer;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  test_review_fixture_setup (&f->review, NULL);
  f->db_path = g_build_filename (f->review.dir, "sessions.db", NULL);
  f->peer = devlog_peer_start (LEAN_DEVLOG_KIND_COLLECTOR, 0, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  devlog_peer_stop (f->peer);
  test_review_fixture_teardown (&f->review, NULL);
  g_free (f->db_path);
}

static LeanDevlogSettings *
telemetry_on (Fixture *f)
{
  LeanDevlogSettings *s = lean_devlog_settings_new ();

  s->url = devlog_peer_get_url (f->peer);
  s->kind = LEAN_DEVLOG_KIND_COLLECTOR;
  lean_devlog_outbox_attach (f->review.db, s);
  return s;
}

/* Sends the outbox to the peer; the events it accepted of @type. */
static GPtrArray *
deliver (Fixture            *f,
         LeanDevlogSettings *settings,
         const char         *type)
{
  g_autoptr(LeanDevlogSender) sender = lean_devlog_sender_new (f->db_path);
  g_autoptr(GPtrArray) accepted = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);

  lean_session_db_flush (f->review.db);
  lean_devlog_sender_set_settings (sender, settings);
  lean_devlog_sender_start (sender);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 60 * G_USEC_PER_SEC));
  lean_devlog_sender_stop (sender);
  g_assert_cmpuint (devlog_peer_n_refused (f->peer), ==, 0);
  accepted = devlog_peer_dup_accepted (f->peer);
  for (guint i = 0; i < accepted->len; i++)
    {
      JsonObject *o = g_ptr_array_index (accepted, i);

      if (g_str_equal (json_object_get_string_member (o, "eventType"), type))
        g_ptr_array_add (found, json_object_ref (o));
    }
  return found;
}

static gint64
count_rows (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_fast_forward (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(LeanDevlogSettings) settings = telemetry_on (f);
  g_autoptr(LeanSession) session = run_session (&f->review, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GPtrArray) commits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  JsonObject *ev, *d, *ctx;

  /* One line added to a.txt, a new file of five lines, one of b.txt's
   * five lines gone. */
  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\n");
  test_write_at (wt, "src/new.c", "int\nmain (void)\n{\n  return 0;\n}\n");
  test_write_at (wt, "b.txt", "1\n2\n3\n4\n");
  result = lean_session_land (f->review.db, session, "001: Add the parser\n\nDetails.", 0,
                              FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_FAST_FORWARD);
  head = test_git (f->review.project, "rev-parse", "main", NULL);

  commits = deliver (f, settings, "commit_created");
  g_assert_cmpuint (commits->len, ==, 1);
  ev = g_ptr_array_index (commits, 0);
  g_assert_cmpstr (json_object_get_string_member (ev, "sessionId"), ==,
                   lean_session_get_id (session));
  d = json_object_get_object_member (ev, "data");
  g_assert_cmpstr (json_object_get_string_member (d, "commit"), ==, head);
  g_assert_cmpstr (json_object_get_string_member (d, "branch"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (d, "subject"), ==, "001: Add the parser");
  g_assert_cmpint (json_object_get_int_member (d, "filesChanged"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (d, "insertions"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (d, "deletions"), ==, 1);
  ctx = json_object_get_object_member (ev, "context");
  g_assert_cmpstr (json_object_get_string_member (ctx, "specId"), ==, "001-first");
}

static void
test_merge (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(LeanDevlogSettings) settings = telemetry_on (f);
  g_autoptr(LeanSession) session = run_session (&f->review, "flood2", TRUE);
  const char *wt = lean_session_get_worktree_path (session);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GPtrArray) commits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  JsonObject *d;

  /* The base branch moves meanwhile (b.txt); the session's work is only
   * its two new lines of a.txt, and that is what the figures count. */
  test_write_at (f->review.project, "b.txt", "1\n2\n3\n4\n5\n6\n7\n");
  g_free (test_git (f->review.project, "commit", "-q", "-am", "main moves", NULL));
  test_write_at (wt, "a.txt", "one\ntwo\nthree\nfour\nfive\n");
  result = lean_session_land (f->review.db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, LEAN_GIT_LANDED_MERGED);
  head = test_git (f->review.project, "rev-parse", "main", NULL);

  commits = deliver (f, settings, "commit_created");
  g_assert_cmpuint (commits->len, ==, 1);
  d = json_object_get_object_member (g_ptr_array_index (commits, 0), "data");
  g_assert_cmpstr (json_object_get_string_member (d, "commit"), ==, head);
  g_assert_cmpstr (json_object_get_string_member (d, "branch"), ==, "main");
  g_assert_cmpint (json_object_get_int_member (d, "filesChanged"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (d, "insertions"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (d, "deletions"), ==, 0);
}

static void
test_off_queues_nothing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(LeanSession) session = run_session (&f->review, "flood2", TRUE);
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;

  test_write_at (lean_session_get_worktree_path (session), "a.txt", "changed\n");
  result = lean_session_land (f->review.db, session, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  lean_session_db_flush (f->review.db);

  /* The history has the commit; the outbox has nothing at all. */
  g_assert_cmpint (count_rows (f->db_path, "SELECT COUNT(*) FROM events WHERE kind = 'commit'"),
                   ==, 1);
  g_assert_cmpint (count_rows (f->db_path, "SELECT COUNT(*) FROM telemetry_outbox"), ==, 0);
}

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

static JsonObject *
find_named (GPtrArray  *events,
            const char *name)
{
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *d = json_object_get_object_member (g_ptr_array_index (events, i), "data");

      if (g_strcmp0 (json_object_get_string_member (d, "name"), name) == 0)
        return g_ptr_array_index (events, i);
    }
  return NULL;
}

static void
test_checks_are_test_runs (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(LeanDevlogSettings) settings = telemetry_on (f);
  g_autoptr(LeanSession) session = run_session (&f->review, "flood2", FALSE);
  g_autoptr(LeanCheckConfig) config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  const char *fail_argv[] = { "sh", "-c",
                              "echo 'collected 3 items'; echo 'FAILED test_b'; "
                              "echo '=== 1 failed, 2 passed in 0.01s ==='; exit 1", NULL };
  const char *pass_argv[] = { "sh", "-c", "test -f a.txt", NULL };
  g_autoptr(LeanCheck) tests = lean_check_new ("tests", "Tests", LEAN_CHECK_KIND_TEST,
                                               fail_argv, 30, NULL);
  g_autoptr(LeanCheck) build = lean_check_new ("build", "Build", LEAN_CHECK_KIND_BUILD,
                                               pass_argv, 30, NULL);
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *ev, *d;

  lean_check_config_add_check (config, tests);
  lean_check_config_add_check (config, build);
  validation = lean_validation_new ("001-first", config, f->review.project);
  lean_validation_run (validation);
  g_assert_true (test_util_wait_until (validation_done, validation, 30000));
  store = lean_validation_store_open (f->db_path, &error);
  g_assert_no_error (error);
  lean_validation_store_set_session_db (store, f->review.db);
  g_assert_cmpint (lean_validation_store_add_validation (store, validation,
                                                         lean_session_get_id (session), NULL,
                                                         1, &error), >, 0);
  g_assert_no_error (error);

  runs = deliver (f, settings, "test_run");
  g_assert_cmpuint (runs->len, ==, 2);
  ev = find_named (runs, "Tests");
  g_assert_nonnull (ev);
  g_assert_cmpstr (json_object_get_string_member (ev, "sessionId"), ==,
                   lean_session_get_id (session));
  g_assert_cmpstr (json_object_get_string_member (ev, "severity"), ==, "error");
  d = json_object_get_object_member (ev, "data");
  g_assert_cmpstr (json_object_get_string_member (d, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (d, "checkKind"), ==, "test");
  g_assert_cmpint (json_object_get_int_member (d, "exitCode"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (d, "testsPassed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (d, "testsFailed"), ==, 1);
  g_assert_true (json_object_has_member (json_object_get_object_member (ev, "metrics"),
                                         "durationMs"));
  ev = find_named (runs, "Build");
  g_assert_nonnull (ev);
  g_assert_cmpstr (json_object_get_string_member (ev, "severity"), ==, "info");
  d = json_object_get_object_member (ev, "data");
  g_assert_cmpstr (json_object_get_string_member (d, "status"), ==, "passed");
  g_assert_cmpint (json_object_get_int_member (d, "exitCode"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);
  test_review_git_identity ();

  if (!test_agent_path_exists ())
    {
      g_printerr ("lean-test-agent not built\n");
      return 1;
    }

#define ADD(name, func) \
  g_test_add ("/devlog-sessions/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("land-fast-forward", test_fast_forward);
  ADD ("land-merge", test_merge);
  ADD ("land-off-queues-nothing", test_off_queues_nothing);
  ADD ("checks-are-test-runs", test_checks_are_test_runs);
  status = g_test_run ();
  return test_session_env_cleanup (status);
}
