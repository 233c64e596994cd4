/* SPDX-License-Identifier: MIT */
/* Helpers for the tests that drive leanspec-ctl and the real leanspec CLI as
 * child processes, the way people and scripts use them. */
#include "config.h"

#include <stdarg.h>

#include "ctl-testutil.h"

void
ctl_result_free (CtlResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

const char *
ctl_test_ctl_path (void)
{
  static char *path;

  if (path == NULL)
    {
      const char *build = g_getenv ("LEANSPEC_BUILD_ROOT");

      if (build != NULL)
        path = g_build_filename (build, "src", "cli", "leanspec-ctl", NULL);
      else
        path = g_build_filename (g_test_get_dir (G_TEST_BUILT), "..", "src", "cli",
                                 "leanspec-ctl", NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        g_error ("leanspec-ctl not built at %s (set LEANSPEC_BUILD_ROOT)", path);
    }
  return path;
}

CtlResult *
ctl_test_run_argv (const char         *cwd,
                   const char * const *argv,
                   const char         *input)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  CtlResult *result = g_new0 (CtlResult, 1);
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  launcher = g_subprocess_launcher_new (flags);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  /* Plain output whatever the test runner's terminal is. */
  g_subprocess_launcher_setenv (launcher, "NO_COLOR", "1", TRUE);
  /* Rust's std prints backtraces on panics only when asked; keep it quiet. */
  g_subprocess_launcher_unsetenv (launcher, "RUST_BACKTRACE");

  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_exited (proc))
    result->exit_status = g_subprocess_get_exit_status (proc);
  else
    result->exit_status = 128 + g_subprocess_get_term_sig (proc);

  if (result->out == NULL)
    result->out = g_strdup ("");
  if (result->err == NULL)
    result->err = g_strdup ("");
  return result;
}

CtlResult *
ctl_test_run_ctl (const char *project,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer)ctl_test_ctl_path ());
  if (project != NULL)
    {
      g_ptr_array_add (argv, (gpointer)"-C");
      g_ptr_array_add (argv, (gpointer)project);
    }
  va_start (args, project);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return ctl_test_run_argv (NULL, (const char * const *)argv->pdata, NULL);
}

JsonNode *
ctl_test_parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (node == NULL)
    g_error ("not JSON (%s):\n%s", error ? error->message : "empty", text);
  return node;
}

char *
ctl_test_read_file (const char *root,
                    const char *rel_path)
{
  g_autofree char *path = g_build_filename (root, rel_path, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

void
ctl_test_assert_one_error_line (const char *err,
                                const char *needle)
{
  const char *nl = strchr (err, '\n');

  if (!g_str_has_prefix (err, "leanspec-ctl: ") || nl == NULL || nl[1] != '\0')
    g_error ("expected one line \"leanspec-ctl: ...\" on stderr, got:\n%s", err);
  if (needle != NULL && strstr (err, needle) == NULL)
    g_error ("expected \"%s\" in the error line, got: %s", needle, err);
}
