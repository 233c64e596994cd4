/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-error.h"
#include "lean-runner.h"

G_DEFINE_BOXED_TYPE (LeanRunnerLaunch, lean_runner_launch,
                     lean_runner_launch_copy, lean_runner_launch_free)

G_DEFINE_INTERFACE (LeanRunner, lean_runner, G_TYPE_OBJECT)

enum { STARTED, OUTPUT, EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

LeanRunnerLaunch *
lean_runner_launch_new (const char * const *argv,
                        const char         *cwd)
{
  LeanRunnerLaunch *launch;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  launch = g_new0 (LeanRunnerLaunch, 1);
  launch->argv = g_strdupv ((char **)argv);
  launch->cwd = g_strdup (cwd);
  return launch;
}

LeanRunnerLaunch *
lean_runner_launch_copy (const LeanRunnerLaunch *launch)
{
  LeanRunnerLaunch *copy;

  g_return_val_if_fail (launch != NULL, NULL);

  copy = g_new0 (LeanRunnerLaunch, 1);
  copy->argv = g_strdupv (launch->argv);
  copy->cwd = g_strdup (launch->cwd);
  copy->env = g_strdupv (launch->env);
  copy->stdin_data = launch->stdin_data ? g_bytes_ref (launch->stdin_data) : NULL;
  copy->rows = launch->rows;
  copy->cols = launch->cols;
  copy->kill_delay_ms = launch->kill_delay_ms;
  return copy;
}

void
lean_runner_launch_free (LeanRunnerLaunch *launch)
{
  if (launch == NULL)
    return;

  g_strfreev (launch->argv);
  g_free (launch->cwd);
  g_strfreev (launch->env);
  g_clear_pointer (&launch->stdin_data, g_bytes_unref);
  g_free (launch);
}

static gboolean
lean_runner_real_supports_pause (LeanRunner *self)
{
  return FALSE;
}

static gboolean
lean_runner_real_not_supported (LeanRunner  *self,
                                GError     **error)
{
  g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                       "This runner cannot pause or resume an agent");
  return FALSE;
}

static void
lean_runner_real_set_held (LeanRunner *self,
                           gboolean    held)
{
}

static gboolean
lean_runner_real_get_process (LeanRunner  *self,
                              int         *pid,
                              char       **start_time)
{
  return FALSE;
}

static void
lean_runner_default_init (LeanRunnerInterface *iface)
{
  iface->set_held = lean_runner_real_set_held;
  iface->get_process = lean_runner_real_get_process;
  iface->supports_pause = lean_runner_real_supports_pause;
  iface->pause = lean_runner_real_not_supported;
  iface->resume = lean_runner_real_not_supported;

  signals[STARTED] =
    g_signal_new ("started", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[OUTPUT] =
    g_signal_new ("output", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT, G_TYPE_INT, G_TYPE_STRING);
}

void
lean_runner_start_async (LeanRunner              *self,
                         const LeanRunnerLaunch  *launch,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));
  g_return_if_fail (launch != NULL);

  LEAN_RUNNER_GET_IFACE (self)->start_async (self, launch, cancellable, callback, user_data);
}

gboolean
lean_runner_start_finish (LeanRunner    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->start_finish (self, result, error);
}

gboolean
lean_runner_write_input (LeanRunner  *self,
                         GBytes      *bytes,
                         GError     **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->write_input (self, bytes, error);
}

gboolean
lean_runner_resize (LeanRunner  *self,
                    guint        rows,
                    guint        cols,
                    GError     **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->resize (self, rows, cols, error);
}

gboolean
lean_runner_pause (LeanRunner  *self,
                   GError     **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->pause (self, error);
}

gboolean
lean_runner_resume (LeanRunner  *self,
                    GError     **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->resume (self, error);
}

void
lean_runner_cancel (LeanRunner *self)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));

  LEAN_RUNNER_GET_IFACE (self)->cancel (self);
}

gboolean
lean_runner_supports_pause (LeanRunner *self)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  return LEAN_RUNNER_GET_IFACE (self)->supports_pause (self);
}

char *
lean_runner_describe (LeanRunner *self)
{
  g_return_val_if_fail (LEAN_IS_RUNNER (self), NULL);

  if (LEAN_RUNNER_GET_IFACE (self)->describe == NULL)
    return g_strdup (G_OBJECT_TYPE_NAME (self));
  return LEAN_RUNNER_GET_IFACE (self)->describe (self);
}

void
lean_runner_set_held (LeanRunner *self,
                      gboolean    held)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));

  LEAN_RUNNER_GET_IFACE (self)->set_held (self, !!held);
}

gboolean
lean_runner_get_process (LeanRunner  *self,
                         int         *pid,
                         char       **start_time)
{
  int found = 0;
  g_autofree char *start = NULL;

  g_return_val_if_fail (LEAN_IS_RUNNER (self), FALSE);

  if (!LEAN_RUNNER_GET_IFACE (self)->get_process (self, &found, &start) || found <= 1)
    return FALSE;
  if (pid != NULL)
    *pid = found;
  if (start_time != NULL)
    *start_time = g_steal_pointer (&start);
  return TRUE;
}

void
lean_runner_emit_started (LeanRunner *self)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));
  g_signal_emit (self, signals[STARTED], 0);
}

void
lean_runner_emit_output (LeanRunner *self,
                         GBytes     *bytes)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));
  g_signal_emit (self, signals[OUTPUT], 0, bytes);
}

void
lean_runner_emit_exited (LeanRunner         *self,
                         LeanRunnerExitKind  kind,
                         int                 exit_code,
                         const char         *message)
{
  g_return_if_fail (LEAN_IS_RUNNER (self));
  g_signal_emit (self, signals[EXITED], 0, (int)kind, exit_code, message);
}
