/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-local-runner.h"

/* Each test runs a real agent stand-in (tests/lean-test-agent) in a real PTY
 * and drives a private main context until what it waits for happened. */

typedef struct
{
  LeanLocalRunner    *runner;
  GByteArray         *output;
  guint               n_chunks;
  gboolean            started;
  gboolean            exited;
  LeanRunnerExitKind  exit_kind;
  int                 exit_code;
  char               *message;
  gboolean            output_after_exit;
  gboolean            start_done;
  GError             *start_error;
} Run;

static const char *
test_agent (void)
{
  const char *path = g_getenv ("LEAN_TEST_AGENT");

  if (path == NULL)
    path = "tests/lean-test-agent";
  return path;
}

static void
on_started (LeanRunner *runner,
            Run        *run)
{
  g_assert_false (run->started);
  g_assert_cmpuint (run->output->len, ==, 0);
  run->started = TRUE;
}

static void
on_output (LeanRunner *runner,
           GBytes     *bytes,
           Run        *run)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpuint (len, >, 0);
  if (run->exited)
    run->output_after_exit = TRUE;
  g_byte_array_append (run->output, data, len);
  run->n_chunks++;
}

static void
on_exited (LeanRunner *runner,
           int         kind,
           int         code,
           const char *message,
           Run        *run)
{
  g_assert_false (run->exited);
  run->exited = TRUE;
  run->exit_kind = kind;
  run->exit_code = code;
  run->message = g_strdup (message);
}

static void
on_start_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;

  lean_runner_start_finish (LEAN_RUNNER (source), result, &run->start_error);
  run->start_done = TRUE;
}

static Run *
run_new (void)
{
  Run *run = g_new0 (Run, 1);

  run->runner = lean_local_runner_new ();
  run->output = g_byte_array_new ();
  g_signal_connect (run->runner, "started", G_CALLBACK (on_started), run);
  g_signal_connect (run->runner, "output", G_CALLBACK (on_output), run);
  g_signal_connect (run->runner, "exited", G_CALLBACK (on_exited), run);
  return run;
}

static void
run_free (Run *run)
{
  g_signal_handlers_disconnect_by_data (run->runner, run);
  g_clear_object (&run->runner);
  g_byte_array_unref (run->output);
  g_free (run->message);
  g_clear_error (&run->start_error);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static gboolean
has (GByteArray *output,
     const char *needle)
{
  return output->len > 0 && memmem (output->data, output->len, needle, strlen (needle)) != NULL;
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @cond(@run, @data) or @seconds pass (a test failure). */
static void
wait_for (gboolean (*cond) (Run *run, gconstpointer data),
          Run           *run,
          gconstpointer  data,
          guint          seconds,
          const char    *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, on_timeout, &timed_out);

  while (!cond (run, data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    {
      g_autofree char *text = g_strndup ((char *)run->output->data, run->output->len);

      g_test_message ("output so far (%u bytes): %s", run->output->len, text);
      g_error ("timed out after %u s waiting for %s", seconds, what);
    }
  g_source_remove (id);
}

static gboolean
cond_exited (Run           *run,
             gconstpointer  data)
{
  return run->exited && run->start_done;
}

static gboolean
cond_output_has (Run           *run,
                 gconstpointer  data)
{
  const char *needle = data;

  return has (run->output, needle) || run->exited;
}

static void
wait_for_text (Run        *run,
               const char *needle)
{
  wait_for (cond_output_has, run, needle, 20, needle);
  if (!has (run->output, needle))
    {
      g_autofree char *text = g_strndup ((char *)run->output->data, run->output->len);

      g_error ("agent exited without printing “%s”; it printed: %s", needle, text);
    }
}

static void
wait_for_exit (Run *run)
{
  wait_for (cond_exited, run, NULL, 30, "the agent to exit");
  g_assert_false (run->output_after_exit);
}

static LeanRunnerLaunch *
launch_new (const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  LeanRunnerLaunch *launch;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *)test_agent ());
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launch = lean_runner_launch_new ((const char * const *)argv->pdata, NULL);
  return launch;
}

static void
start (Run                    *run,
       const LeanRunnerLaunch *launch)
{
  lean_runner_start_async (LEAN_RUNNER (run->runner), launch, NULL, on_start_done, run);
}

/* What the agent wrote, as a PTY with default settings (ONLCR) shows it. */
static GByteArray *
onlcr (const char *text,
       gsize       len)
{
  GByteArray *out = g_byte_array_sized_new (len + len / 16);

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '\n')
        g_byte_array_append (out, (const guint8 *)"\r", 1);
      g_byte_array_append (out, (const guint8 *)&text[i], 1);
    }
  return out;
}

static char
proc_state (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return '?';
  /* "pid (comm) S ...": the comm may contain spaces, so look after ')'. */
  paren = strrchr (contents, ')');
  g_assert_nonnull (paren);
  return paren[2];
}

static void
test_full_run_byte_exact (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--text", "--lines", "3000", NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GByteArray) expected_tty = NULL;

  start (run, launch);
  wait_for_exit (run);

  g_assert_no_error (run->start_error);
  g_assert_true (run->started);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_EXITED);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_null (run->message);
  g_assert_cmpint (lean_local_runner_get_pid (run->runner), >, 0);
  g_assert_false (lean_local_runner_is_running (run->runner));
  g_assert_cmpint (lean_local_runner_get_pty_fd (run->runner), ==, -1);

  /* The same text the agent prints, built independently here. */
  g_string_append (expected,
                   "\033[1mlean-test-agent\033[0m starting\n"
                   "\033[32m✓\033[0m reading the spec\n"
                   "\033[31merror:\033[0m nothing is wrong, this is a test\n"
                   "tab\there, unicode: naïve café 日本語\n");
  for (int i = 0; i < 3000; i++)
    g_string_append_printf (expected, "line %06d \033[3%dm%s\033[0m é\n", i, i % 8,
                            "abcdefghijklmnopqrstuvwxyz0123456789" + (i % 30));
  expected_tty = onlcr (expected->str, expected->len);

  g_assert_cmpuint (run->output->len, ==, expected_tty->len);
  g_assert_cmpmem (run->output->data, run->output->len, expected_tty->data, expected_tty->len);

  {
    g_autofree char *describe = lean_runner_describe (LEAN_RUNNER (run->runner));

    g_assert_cmpstr (describe, ==, "local");
    g_assert_true (lean_runner_supports_pause (LEAN_RUNNER (run->runner)));
  }
}

static void
test_exit_status (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--echo-prompt", "--exit", "7",
                                                   "a prompt; with $(shell) `chars` & *", NULL);
  g_autoptr(GError) error = NULL;

  start (run, launch);
  wait_for_exit (run);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_EXITED);
  g_assert_cmpint (run->exit_code, ==, 7);
  g_assert_cmpstr (run->message, ==, "The agent exited with status 7");
  /* No shell: the argument arrives as it was given. */
  g_assert_true (has (run->output, "PROMPT[a prompt; with $(shell) `chars` & *]\r\n"));

  /* Once it has exited, the runner says so instead of writing nowhere. */
  g_assert_false (lean_runner_pause (LEAN_RUNNER (run->runner), &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);

    g_assert_false (lean_runner_write_input (LEAN_RUNNER (run->runner), bytes, &error));
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  }
  /* Cancel after exit is harmless and emits nothing more. */
  lean_runner_cancel (LEAN_RUNNER (run->runner));
}

static void
test_exit_status_many (void)
{
  /* A session leader that exits can be reported as killed by SIGHUP (the
   * kernel hangs up its terminal's foreground group, its own). The runner
   * keeps the agent out of that race: many quick runs, every status exact. */
  for (int i = 0; i < 60; i++)
    {
      const char *argv[] = { "cat", NULL };
      g_autoptr(Run) run = run_new ();
      g_autoptr(LeanRunnerLaunch) launch = NULL;
      g_autofree char *code = g_strdup_printf ("%d", i % 4);

      if (i % 2 == 0)
        {
          launch = lean_runner_launch_new (argv, NULL);
          launch->stdin_data = g_bytes_new_static ("x\n", 2);
        }
      else
        launch = launch_new ("--exit", code, NULL);
      start (run, launch);
      wait_for_exit (run);
      if (run->exit_kind != LEAN_RUNNER_EXIT_EXITED)
        g_test_message ("run %d: %s", i, run->message);
      g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_EXITED);
      g_assert_cmpint (run->exit_code, ==, i % 2 == 0 ? 0 : i % 4);
    }
}

static void
test_identity_of_quick_agent (void)
{
  /* An agent that has ended and been reaped by the time the runner looks at
   * /proc still has its pid and start time reported: they are taken before
   * it can be reaped. The start time matches what /proc said of the agent
   * while it ran; here, that it is a number of clock ticks since boot no
   * earlier than this test's own. */
  g_autofree char *self_stat = NULL;
  g_auto(GStrv) self_fields = NULL;
  guint64 self_ticks;

  g_assert_true (g_file_get_contents ("/proc/self/stat", &self_stat, NULL, NULL));
  self_fields = g_strsplit (strrchr (self_stat, ')') + 2, " ", 0);
  self_ticks = g_ascii_strtoull (self_fields[19], NULL, 10);

  for (int i = 0; i < 40; i++)
    {
      const char *argv[] = { "true", NULL };
      g_autoptr(Run) run = run_new ();
      g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new (argv, NULL);
      g_autofree char *start_time = NULL;
      int pid = 0;

      start (run, launch);
      wait_for_exit (run);
      g_assert_true (lean_runner_get_process (LEAN_RUNNER (run->runner), &pid, &start_time));
      g_assert_cmpint (pid, >, 1);
      g_assert_cmpint (pid, ==, lean_local_runner_get_pid (run->runner));
      g_assert_nonnull (start_time);
      g_assert_cmpuint (g_ascii_strtoull (start_time, NULL, 10), >=, self_ticks);
    }
}

static void
test_start_failed (void)
{
  const char *argv[] = { "lean-no-such-agent-xyz", "--help", NULL };
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new (argv, NULL);
  g_autoptr(Run) run2 = run_new ();
  g_autoptr(LeanRunnerLaunch) launch2 = launch_new ("--exit", "0", NULL);

  start (run, launch);
  wait_for_exit (run);
  g_assert_error (run->start_error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_START_FAILED);
  g_assert_nonnull (strstr (run->message, "lean-no-such-agent-xyz"));
  g_assert_false (run->started);

  g_free (launch2->cwd);
  launch2->cwd = g_strdup ("/nonexistent/folder/for/lean");
  start (run2, launch2);
  wait_for_exit (run2);
  g_assert_error (run2->start_error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (run2->message, "/nonexistent/folder/for/lean"));
}

static void
test_pause_resume (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--ready", "--sleep", "60", NULL);
  g_autoptr(GError) error = NULL;
  GPid pid;
  gint64 deadline;

  start (run, launch);
  wait_for_text (run, "READY pid=");
  pid = lean_local_runner_get_pid (run->runner);
  g_assert_true (lean_local_runner_is_running (run->runner));

  /* The agent leads its own process group, the terminal's foreground, in
   * a session of its own (led by the runner's small leader process). */
  g_assert_true (has (run->output, "READY pid="));
  {
    g_autofree char *ready = g_strdup_printf ("READY pid=%d\r\n", (int)pid);

    g_assert_true (has (run->output, ready));
  }
  g_assert_cmpint (getpgid (pid), ==, pid);
  g_assert_cmpint (getpgid (pid), !=, getpgid (0));
  g_assert_cmpint (getsid (pid), !=, getsid (0));
  g_assert_cmpint (tcgetpgrp (lean_local_runner_get_pty_fd (run->runner)), ==, pid);

  g_assert_true (lean_runner_pause (LEAN_RUNNER (run->runner), &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (proc_state (pid) != 'T' && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmpint (proc_state (pid), ==, 'T');

  g_assert_true (lean_runner_resume (LEAN_RUNNER (run->runner), &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (proc_state (pid) == 'T' && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  /* Running again: sleeping, or on its way back to sleep. */
  g_assert_true (strchr ("SR", proc_state (pid)) != NULL);

  /* Cancel a paused agent: it must still end (SIGCONT follows SIGTERM). */
  g_assert_true (lean_runner_pause (LEAN_RUNNER (run->runner), &error));
  lean_runner_cancel (LEAN_RUNNER (run->runner));
  lean_runner_cancel (LEAN_RUNNER (run->runner));
  wait_for_exit (run);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_SIGNALED);
  g_assert_cmpint (run->exit_code, ==, SIGTERM);
  g_assert_cmpstr (run->message, ==, "Cancelled");
}

static void
run_kill_escalation (guint delay_ms)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--ignore-term", "--ready", "--sleep", "60",
                                                   NULL);
  gint64 before;
  gint64 elapsed;
  GPid pid;

  if (delay_ms != 0)
    lean_local_runner_set_kill_delay (run->runner, delay_ms);
  else
    delay_ms = 5000;

  start (run, launch);
  wait_for_text (run, "READY pid=");
  pid = lean_local_runner_get_pid (run->runner);

  before = g_get_monotonic_time ();
  lean_runner_cancel (LEAN_RUNNER (run->runner));
  /* SIGTERM went out and was ignored: the agent still runs. */
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_false (run->exited);
  wait_for_exit (run);
  elapsed = (g_get_monotonic_time () - before) / 1000;

  g_test_message ("SIGKILL after %" G_GINT64_FORMAT " ms (delay %u ms)", elapsed, delay_ms);
  /* Loose: the kill is not left hanging. */
  g_assert_cmpint (elapsed, <, delay_ms + 3000);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_SIGNALED);
  g_assert_cmpint (run->exit_code, ==, SIGKILL);
  g_assert_nonnull (strstr (run->message, "was killed"));
  /* Reaped: no zombie left. */
  g_assert_cmpint (kill (pid, 0), ==, -1);
}

static void
test_cancel_escalates (void)
{
  run_kill_escalation (300);
}

static void
test_cancel_escalates_default_delay (void)
{
  run_kill_escalation (0);
}

static void
test_input (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--print-tty", "--ask", "Which colour?",
                                                   NULL);
  g_autoptr(GBytes) answer = g_bytes_new_static ("blue sky\r", 9);
  g_autoptr(GError) error = NULL;

  start (run, launch);
  wait_for_text (run, "Which colour? ");
  /* Like a terminal: Enter sends CR, the PTY turns it into a newline. */
  g_assert_true (lean_runner_write_input (LEAN_RUNNER (run->runner), answer, &error));
  g_assert_no_error (error);
  wait_for_exit (run);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_true (has (run->output, "ANSWER[blue sky]\r\n"));
  /* Guided: stdin, stdout and the controlling terminal are the PTY. */
  g_assert_true (has (run->output, "TTY stdin=1 stdout=1 ctty=1 pgrp-leader=1\r\n"));
}

static void
test_resize (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--winsize", "--sleep", "60", NULL);
  g_autoptr(GError) error = NULL;

  launch->rows = 33;
  launch->cols = 101;
  start (run, launch);
  wait_for_text (run, "SIZE 33 101\r\n");

  g_assert_true (lean_runner_resize (LEAN_RUNNER (run->runner), 47, 132, &error));
  g_assert_no_error (error);
  wait_for_text (run, "SIZE 47 132\r\n");

  g_assert_false (lean_runner_resize (LEAN_RUNNER (run->runner), 0, 132, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);

  lean_runner_cancel (LEAN_RUNNER (run->runner));
  wait_for_exit (run);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_SIGNALED);
}

/* The relay token in LeanSpec's own environment does not reach an agent
 * (which runs whatever the repository asks). */
static void
test_relay_token_not_inherited (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--print-env", "LEANSPEC_RELAY_TOKEN",
                                                   "--print-env", "HOME", NULL);

  g_setenv ("LEANSPEC_RELAY_TOKEN", "s3cret-token", TRUE);
  start (run, launch);
  wait_for_exit (run);
  g_unsetenv ("LEANSPEC_RELAY_TOKEN");
  g_assert_true (has (run->output, "ENV[LEANSPEC_RELAY_TOKEN]=[(unset)]\r\n"));
  g_assert_false (has (run->output, "s3cret-token"));
}

static void
test_default_size_and_env (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--winsize", "--print-env", "TERM",
                                                   "--print-env", "LEANSPEC_SPEC_ID",
                                                   "--print-env", "COLUMNS", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("lean-runner-XXXXXX", NULL);
  g_autoptr(Run) pwd_run = run_new ();
  const char *pwd_argv[] = { "pwd", NULL };
  g_autoptr(LeanRunnerLaunch) pwd_launch = lean_runner_launch_new (pwd_argv, tmp);
  g_autofree char *expected_pwd = NULL;
  char *env[] = { "LEANSPEC_SPEC_ID=042-foo", "BROKEN", NULL };

  launch->env = g_strdupv (env);
  start (run, launch);
  wait_for_exit (run);
  g_assert_true (has (run->output, "ENV[TERM]=[xterm-256color]\r\n"
                                  "ENV[LEANSPEC_SPEC_ID]=[042-foo]\r\n"
                                  "ENV[COLUMNS]=[(unset)]\r\n"
                                  "SIZE 24 80\r\n"));

  /* The agent runs in the folder it is given. */
  start (pwd_run, pwd_launch);
  wait_for_exit (pwd_run);
  expected_pwd = g_strdup_printf ("%s\r\n", tmp);
  g_assert_cmpmem (pwd_run->output->data, pwd_run->output->len,
                   expected_pwd, strlen (expected_pwd));
  g_rmdir (tmp);
}

static void
test_concurrent_isolated (void)
{
  g_autoptr(Run) a = run_new ();
  g_autoptr(Run) b = run_new ();
  g_autoptr(LeanRunnerLaunch) la = launch_new ("--print-env", "WHO", "--lines", "2000",
                                               "--ask", "A?", "--exit", "3", NULL);
  g_autoptr(LeanRunnerLaunch) lb = launch_new ("--print-env", "WHO", "--lines", "1000",
                                               "--ask", "B?", "--exit", "4", NULL);
  g_autoptr(GBytes) to_b = g_bytes_new_static ("for-b\n", 6);
  g_autoptr(GBytes) to_a = g_bytes_new_static ("for-a\n", 6);
  char *env_a[] = { "WHO=alpha", NULL };
  char *env_b[] = { "WHO=beta", NULL };

  la->env = g_strdupv (env_a);
  lb->env = g_strdupv (env_b);
  start (a, la);
  start (b, lb);
  wait_for_text (a, "A? ");
  wait_for_text (b, "B? ");
  g_assert_cmpint (lean_local_runner_get_pid (a->runner), !=,
                   lean_local_runner_get_pid (b->runner));

  /* Input typed for one session never reaches the other. */
  g_assert_true (lean_runner_write_input (LEAN_RUNNER (b->runner), to_b, NULL));
  wait_for_exit (b);
  g_assert_false (a->exited);
  g_assert_true (lean_runner_write_input (LEAN_RUNNER (a->runner), to_a, NULL));
  wait_for_exit (a);

  g_assert_cmpint (a->exit_code, ==, 3);
  g_assert_cmpint (b->exit_code, ==, 4);
  g_assert_true (has (a->output, "ENV[WHO]=[alpha]"));
  g_assert_false (has (a->output, "beta"));
  g_assert_true (has (b->output, "ENV[WHO]=[beta]"));
  g_assert_false (has (b->output, "alpha"));
  g_assert_true (has (a->output, "ANSWER[for-a]"));
  g_assert_true (has (b->output, "ANSWER[for-b]"));
  g_assert_false (has (a->output, "for-b"));
  g_assert_true (has (a->output, "line 001999"));
  g_assert_false (has (b->output, "line 001000"));
}

static void
test_stdin_prompt (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--print-tty", "--read-stdin", NULL);
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GByteArray) expected_tty = NULL;

  /* Longer than a pipe's buffer, so it has to be written as the agent
   * reads; a line longer than a terminal line (4095 bytes); no trailing
   * newline, and none is added. */
  g_string_append (prompt, "long:");
  for (int i = 0; i < 1000; i++)
    g_string_append (prompt, "0123456789");
  g_string_append_c (prompt, '\n');
  for (int i = 0; i < 1000; i++)
    g_string_append_printf (prompt, "Implement spec 042 — step %d: keep the checklist "
                            "current ✓ $HOME `id`\n", i);
  g_string_append (prompt, "last line without newline");
  launch->stdin_data = g_bytes_new (prompt->str, prompt->len);

  start (run, launch);
  wait_for_exit (run);
  g_assert_cmpint (run->exit_code, ==, 0);

  /* Nothing echoed: the output is only what the agent printed. The prompt
   * came through a pipe (as `claude -p` wants it), the output through the
   * PTY, which is still the agent's controlling terminal. */
  g_string_append (expected, "TTY stdin=0 stdout=1 ctty=1 pgrp-leader=1\n");
  g_string_append_printf (expected, "STDIN[%zu]:%s\nSTDIN-END\n", prompt->len, prompt->str);
  expected_tty = onlcr (expected->str, expected->len);
  g_assert_cmpmem (run->output->data, run->output->len, expected_tty->data, expected_tty->len);
}

static void
test_stdin_cat (void)
{
  const char *argv[] = { "cat", NULL };
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new (argv, NULL);
  const char *prompt = "line one\nline two ✓\nno newline at the end";
  g_autoptr(GByteArray) expected = onlcr (prompt, strlen (prompt));

  /* The simplest stdin reader there is: it ends only at end of file. */
  launch->stdin_data = g_bytes_new_static (prompt, strlen (prompt));
  start (run, launch);
  wait_for_exit (run);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_EXITED);
  g_assert_cmpint (run->exit_code, ==, 0);
  g_assert_cmpmem (run->output->data, run->output->len, expected->data, expected->len);
}

static void
test_flood (void)
{
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--flood", "20", NULL);
  gsize newlines = 0;
  gsize total = 20 * 1024 * 1024;
  gint64 before = g_get_monotonic_time ();
  double seconds;

  start (run, launch);
  wait_for_exit (run);
  seconds = (g_get_monotonic_time () - before) / (double)G_USEC_PER_SEC;
  g_assert_cmpint (run->exit_code, ==, 0);

  for (gsize i = 0; i < run->output->len; i++)
    if (run->output->data[i] == '\n')
      newlines++;
  /* Every byte arrives: 20 MiB, "\nFLOOD-END\n", and a CR per newline. */
  g_assert_cmpuint (run->output->len, ==, total + strlen ("\nFLOOD-END\n") + newlines);
  g_assert_cmpmem (run->output->data + run->output->len - 13, 13, "\r\nFLOOD-END\r\n", 13);
  g_test_message ("20 MiB in %.2f s (%u chunks, %.0f KiB average)", seconds, run->n_chunks,
                  run->output->len / 1024.0 / run->n_chunks);
  /* Large reads: far fewer chunks than 4 KiB PTY reads would give. */
  g_assert_cmpuint (run->n_chunks, <, run->output->len / 4096);
}

static void
test_orphan_holds_pty (void)
{
  const char *argv[] = { "sh", "-c", "(trap '' HUP; exec sleep 20) & echo started; exit 5",
                         NULL };
  g_autoptr(Run) run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = lean_runner_launch_new (argv, NULL);
  gint64 before = g_get_monotonic_time ();
  double seconds;

  /* Something the agent left behind keeps the terminal open and ignores the
   * hangup: the session still ends, with the agent's own status. */
  start (run, launch);
  wait_for_exit (run);
  seconds = (g_get_monotonic_time () - before) / 1e6;
  g_test_message ("exited after %.2f s", seconds);
  g_assert_cmpfloat (seconds, <, 5.0);
  g_assert_cmpint (run->exit_kind, ==, LEAN_RUNNER_EXIT_EXITED);
  g_assert_cmpint (run->exit_code, ==, 5);
  g_assert_true (has (run->output, "started\r\n"));
}

static void
test_dispose_running (void)
{
  Run *run = run_new ();
  g_autoptr(LeanRunnerLaunch) launch = launch_new ("--ready", "--sleep", "60", NULL);
  GPid pid;
  gint64 deadline;

  start (run, launch);
  wait_for_text (run, "READY pid=");
  pid = lean_local_runner_get_pid (run->runner);

  /* Dropping the runner stops the agent and reaps it. */
  run_free (run);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (kill (pid, 0) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmpint (kill (pid, 0), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Set before any thread exists; the agent must not inherit it. */
  g_setenv ("COLUMNS", "999", TRUE);

  g_test_add_func ("/local-runner/full-run-byte-exact", test_full_run_byte_exact);
  g_test_add_func ("/local-runner/relay-token-not-inherited", test_relay_token_not_inherited);
  g_test_add_func ("/local-runner/exit-status", test_exit_status);
  g_test_add_func ("/local-runner/exit-status-many", test_exit_status_many);
  g_test_add_func ("/local-runner/identity-of-quick-agent", test_identity_of_quick_agent);
  g_test_add_func ("/local-runner/start-failed", test_start_failed);
  g_test_add_func ("/local-runner/pause-resume", test_pause_resume);
  g_test_add_func ("/local-runner/cancel-escalates", test_cancel_escalates);
  g_test_add_func ("/local-runner/cancel-escalates-default-delay",
                   test_cancel_escalates_default_delay);
  g_test_add_func ("/local-runner/input", test_input);
  g_test_add_func ("/local-runner/resize", test_resize);
  g_test_add_func ("/local-runner/default-size-and-env", test_default_size_and_env);
  g_test_add_func ("/local-runner/concurrent-isolated", test_concurrent_isolated);
  g_test_add_func ("/local-runner/stdin-prompt", test_stdin_prompt);
  g_test_add_func ("/local-runner/stdin-cat", test_stdin_cat);
  g_test_add_func ("/local-runner/flood", test_flood);
  g_test_add_func ("/local-runner/orphan-holds-pty", test_orphan_holds_pty);
  g_test_add_func ("/local-runner/dispose-running", test_dispose_running);

  return g_test_run ();
}
