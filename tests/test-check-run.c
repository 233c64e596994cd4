/* SPDX-License-Identifier: MIT */
/* Checks run as real processes in temp folders: pass/fail from the exit
 * status, a timeout that ends the whole process group, missing commands,
 * a folder that leads out of the tree, output kept bounded. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lean-check-run.h"
#include "lean-validation.h"
#include "test-util.h"

static gboolean
run_finished (gpointer data)
{
  return lean_check_run_is_finished (data);
}

static LeanCheckRun *
run_check (const char         *dir,
           const char * const *argv,
           guint               timeout,
           const char         *cwd)
{
  g_autoptr(LeanCheck) check = lean_check_new ("c", "A check", LEAN_CHECK_KIND_TEST,
                                               argv, timeout, cwd);
  LeanCheckRun *run = lean_check_run_new (check, dir);

  lean_check_run_start (run);
  g_assert_true (test_util_wait_until (run_finished, run, 60000));
  return run;
}

/* Processes of group @pgid that are not zombies, read from /proc. */
static guint
count_group (GPid pgid)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *close;
      char state;
      int ppid, pgrp;

      if (!g_ascii_isdigit (*name))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid pgrp ...": comm may hold spaces and ")". */
      close = strrchr (stat, ')');
      if (close == NULL || sscanf (close + 2, "%c %d %d", &state, &ppid, &pgrp) != 3)
        continue;
      if (pgrp == pgid && state != 'Z')
        n++;
    }
  return n;
}

static void
test_make_fails_until_file_exists (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  const char *argv[] = { "make", "test", NULL };
  g_autoptr(LeanCheckRun) first = NULL;
  g_autoptr(LeanCheckRun) second = NULL;
  g_autofree char *tail = NULL;

  test_util_write_file (dir, "Makefile",
                        "test:\n"
                        "\t@echo checking fixed.txt\n"
                        "\t@test -f fixed.txt || (echo 'FAIL: fixed.txt is missing' && false)\n"
                        "\t@echo all good\n");
  first = run_check (dir, argv, 60, ".");
  g_assert_cmpint (lean_check_run_get_status (first), ==, LEAN_CHECK_STATUS_FAILED);
  g_assert_cmpint (lean_check_run_get_exit_code (first), ==, 2);
  g_assert_cmpstr (lean_check_run_get_first_failure (first), ==, "FAIL: fixed.txt is missing");
  tail = lean_check_run_get_output_tail (first, 4096);
  g_assert_nonnull (strstr (tail, "checking fixed.txt\n"));

  test_util_write_file (dir, "fixed.txt", "yes\n");
  second = run_check (dir, argv, 60, ".");
  g_assert_cmpint (lean_check_run_get_status (second), ==, LEAN_CHECK_STATUS_PASSED);
  g_assert_cmpint (lean_check_run_get_exit_code (second), ==, 0);
  g_assert_null (lean_check_run_get_first_failure (second));
  g_assert_cmpint (lean_check_run_get_pgid (second), >, 0);

  test_util_rm_rf (dir);
}

static void
test_timeout_kills_group (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  /* A leader and two children that ignore SIGTERM: only SIGKILL ends them. */
  const char *argv[] = { "sh", "-c",
                         "trap '' TERM; (trap '' TERM; sleep 1000) & "
                         "(trap '' TERM; sleep 1000) & echo started; wait", NULL };
  g_autoptr(LeanCheckRun) run = NULL;
  g_autofree char *tail = NULL;
  GPid pgid;

  run = run_check (dir, argv, 1, ".");
  pgid = lean_check_run_get_pgid (run);
  g_assert_cmpint (pgid, >, 1);
  g_assert_cmpint (lean_check_run_get_status (run), ==, LEAN_CHECK_STATUS_TIMEOUT);
  g_assert_nonnull (strstr (lean_check_run_get_message (run), "Timed out after 1 s"));
  g_assert_cmpuint (count_group (pgid), ==, 0);
  g_assert_cmpint (kill (-pgid, 0), ==, -1);
  tail = lean_check_run_get_output_tail (run, 100);
  g_assert_cmpstr (tail, ==, "started\n");

  test_util_rm_rf (dir);
}

static void
test_leader_exit_ends_group (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  /* The leader passes at once and leaves a child that holds the pipe. */
  const char *argv[] = { "sh", "-c", "sleep 1000 & echo leaving; exit 0", NULL };
  g_autoptr(LeanCheckRun) run = run_check (dir, argv, 600, ".");

  g_assert_cmpint (lean_check_run_get_status (run), ==, LEAN_CHECK_STATUS_PASSED);
  g_assert_cmpuint (count_group (lean_check_run_get_pgid (run)), ==, 0);
  test_util_rm_rf (dir);
}

static void
test_missing_command (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  const char *argv[] = { "leanspec-no-such-command", "test", NULL };
  g_autoptr(LeanCheckRun) run = run_check (dir, argv, 60, ".");
  g_autoptr(JsonNode) json = lean_validation_check_to_json (run);
  JsonObject *obj = json_node_get_object (json);

  g_assert_cmpint (lean_check_run_get_status (run), ==, LEAN_CHECK_STATUS_ERROR);
  g_assert_cmpstr (lean_check_run_get_message (run), ==, "leanspec-no-such-command: not found");
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "error");
  g_assert_true (json_object_get_null_member (obj, "exit_code"));
  g_assert_cmpstr (json_object_get_string_member (obj, "output_tail"), ==,
                   "leanspec-no-such-command: not found");
  test_util_rm_rf (dir);
}

static void
test_cwd_confined (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *outside = test_util_make_tmp_dir ();
  g_autofree char *link = g_build_filename (dir, "out", NULL);
  g_autofree char *marker = g_build_filename (outside, "ran", NULL);
  const char *argv[] = { "touch", "ran", NULL };
  g_autoptr(LeanCheckRun) escaped = NULL;
  g_autoptr(LeanCheckRun) inside = NULL;
  g_autofree char *inside_marker = NULL;

  g_assert_cmpint (symlink (outside, link), ==, 0);
  escaped = run_check (dir, argv, 60, "out");
  g_assert_cmpint (lean_check_run_get_status (escaped), ==, LEAN_CHECK_STATUS_ERROR);
  g_assert_nonnull (strstr (lean_check_run_get_message (escaped), "outside the working tree"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  test_util_write_file (dir, "sub/.keep", "");
  inside = run_check (dir, argv, 60, "sub");
  g_assert_cmpint (lean_check_run_get_status (inside), ==, LEAN_CHECK_STATUS_PASSED);
  inside_marker = g_build_filename (dir, "sub", "ran", NULL);
  g_assert_true (g_file_test (inside_marker, G_FILE_TEST_EXISTS));

  test_util_rm_rf (dir);
  test_util_rm_rf (outside);
}

static void
count_bytes (LeanCheckRun *run,
             GBytes       *bytes,
             guint64      *total)
{
  *total += g_bytes_get_size (bytes);
}

static void
test_output_kept_bounded (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  /* 8.5 MB of lines, then a pytest summary and a failure. */
  const char *argv[] = { "sh", "-c",
                         "yes 0123456789abcdef | head -n 500000; "
                         "echo '===== 2 failed, 7 passed, 1 skipped in 0.31s ====='; exit 1",
                         NULL };
  g_autoptr(LeanCheck) check = lean_check_new ("flood", NULL, LEAN_CHECK_KIND_TEST,
                                               argv, 60, NULL);
  g_autoptr(LeanCheckRun) run = lean_check_run_new (check, dir);
  g_autoptr(GBytes) kept = NULL;
  guint64 streamed = 0;
  LeanCheckCounts counts;

  g_signal_connect (run, "output", G_CALLBACK (count_bytes), &streamed);
  lean_check_run_start (run);
  g_assert_true (test_util_wait_until (run_finished, run, 60000));

  g_assert_cmpint (lean_check_run_get_status (run), ==, LEAN_CHECK_STATUS_FAILED);
  kept = lean_check_run_get_output (run);
  g_assert_cmpuint (g_bytes_get_size (kept), <=, LEAN_CHECK_RUN_KEEP_BYTES);
  g_assert_cmpuint (streamed, ==, 500000 * 17 + 51);
  g_assert_cmpuint (lean_check_run_get_output_dropped (run) + g_bytes_get_size (kept), ==,
                    streamed);
  counts = lean_check_run_get_counts (run);
  g_assert_true (counts.found);
  g_assert_cmpuint (counts.passed, ==, 7);
  g_assert_cmpuint (counts.failed, ==, 2);
  g_assert_cmpuint (counts.skipped, ==, 1);
  g_assert_cmpstr (lean_check_run_get_first_failure (run), ==,
                   "===== 2 failed, 7 passed, 1 skipped in 0.31s =====");
  test_util_rm_rf (dir);
}

static void
test_cancel (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  const char *argv[] = { "sleep", "1000", NULL };
  g_autoptr(LeanCheck) check = lean_check_new ("sleep", NULL, LEAN_CHECK_KIND_CUSTOM,
                                               argv, 600, NULL);
  g_autoptr(LeanCheckRun) run = lean_check_run_new (check, dir);
  GPid pgid;

  lean_check_run_start (run);
  pgid = lean_check_run_get_pgid (run);
  g_assert_cmpuint (count_group (pgid), ==, 1);
  lean_check_run_cancel (run);
  g_assert_true (test_util_wait_until (run_finished, run, 30000));
  g_assert_cmpint (lean_check_run_get_status (run), ==, LEAN_CHECK_STATUS_SKIPPED);
  g_assert_cmpuint (count_group (pgid), ==, 0);
  test_util_rm_rf (dir);
}

typedef struct
{
  const char *lines;
  gboolean found;
  guint passed, failed, skipped;
} CountsCase;

static void
test_counts (void)
{
  static const CountsCase cases[] = {
    /* pytest, with colour, and -q */
    { "collected 4 items\n\033[31m==== \033[1m1 failed\033[0m, \033[32m2 passed\033[0m, "
      "1 skipped in 0.05s ====\033[0m\n", TRUE, 2, 1, 1 },
    { "3 passed, 1 deselected in 0.01s\n", TRUE, 3, 0, 0 },
    { "==== 1 passed, 2 errors in 1.20s ====\n", TRUE, 1, 2, 0 },
    /* cargo: one result per test binary, added up */
    { "test a ... ok\ntest result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; "
      "0 filtered out; finished in 0.00s\n\n"
      "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n",
      TRUE, 5, 1, 1 },
    /* meson test */
    { "1/3 a OK 0.1s\n\nOk:                 5   \nExpected Fail:      1   \nFail:               2   \n"
      "Unexpected Pass:    0   \nSkipped:            3   \nTimeout:            1   \n",
      TRUE, 6, 3, 3 },
    /* go test -v: subtests not counted twice */
    { "=== RUN   TestA\n--- PASS: TestA (0.00s)\n--- FAIL: TestB (0.00s)\n"
      "    --- PASS: TestB/sub (0.00s)\n--- SKIP: TestC (0.00s)\nFAIL\nFAIL\texample.com/m\t0.01s\n",
      TRUE, 1, 1, 1 },
    /* go test without -v: packages */
    { "ok  \texample.com/a\t0.01s\nFAIL\texample.com/b\t0.02s\n"
      "?   \texample.com/c\t[no test files]\n", TRUE, 1, 1, 0 },
    /* node --test, TAP and spec reporter */
    { "TAP version 13\n# tests 6\n# suites 0\n# pass 4\n# fail 1\n# cancelled 0\n"
      "# skipped 1\n# todo 0\n", TRUE, 4, 1, 1 },
    { "\xe2\x84\xb9 tests 3\n\xe2\x84\xb9 pass 3\n\xe2\x84\xb9 fail 0\n", TRUE, 3, 0, 0 },
    /* jest and vitest */
    { "Tests:       1 failed, 2 skipped, 4 passed, 7 total\n", TRUE, 4, 1, 2 },
    { "      Tests  1 failed | 4 passed (5)\n", TRUE, 4, 1, 0 },
    /* ctest, with a skipped test */
    { "75% tests passed, 1 tests failed out of 4\n\nThe following tests did not run:\n"
      "\t  3 - slow (Skipped)\n", TRUE, 2, 1, 1 },
    /* nothing a runner would print */
    { "building...\nall done\nok\n", FALSE, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LeanCountsParser) parser = lean_counts_parser_new ();
      g_auto(GStrv) lines = g_strsplit (cases[i].lines, "\n", -1);
      LeanCheckCounts counts;

      for (guint j = 0; lines[j] != NULL; j++)
        lean_counts_parser_feed_line (parser, lines[j], strlen (lines[j]));
      counts = lean_counts_parser_get (parser);
      g_test_message ("case %u", i);
      g_assert_cmpint (counts.found, ==, cases[i].found);
      g_assert_cmpuint (counts.passed, ==, cases[i].passed);
      g_assert_cmpuint (counts.failed, ==, cases[i].failed);
      g_assert_cmpuint (counts.skipped, ==, cases[i].skipped);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check-run/make-fails-until-file-exists", test_make_fails_until_file_exists);
  g_test_add_func ("/check-run/timeout-kills-group", test_timeout_kills_group);
  g_test_add_func ("/check-run/leader-exit-ends-group", test_leader_exit_ends_group);
  g_test_add_func ("/check-run/missing-command", test_missing_command);
  g_test_add_func ("/check-run/cwd-confined", test_cwd_confined);
  g_test_add_func ("/check-run/output-kept-bounded", test_output_kept_bounded);
  g_test_add_func ("/check-run/cancel", test_cancel);
  g_test_add_func ("/check-run/counts", test_counts);

  return g_test_run ();
}
