/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What to run. The agent is always started from an argv, never through a
 * shell built from spec text. */
typedef struct
{
  char   **argv;        /* argv[0] looked up in PATH */
  char    *cwd;         /* project folder or session worktree */
  char   **env;         /* extra KEY=VALUE pairs added to the inherited env */
  GBytes  *stdin_data;  /* written to the agent's input after start, or NULL */
  guint    rows;        /* initial terminal size; 0 means 24x80 */
  guint    cols;
  guint    kill_delay_ms; /* cancel: SIGTERM, then SIGKILL after this; 0: 5000 */
} LeanRunnerLaunch;

#define LEAN_TYPE_RUNNER_LAUNCH (lean_runner_launch_get_type ())
GType             lean_runner_launch_get_type (void) G_GNUC_CONST;
LeanRunnerLaunch *lean_runner_launch_new      (const char * const     *argv,
                                               const char             *cwd);
LeanRunnerLaunch *lean_runner_launch_copy     (const LeanRunnerLaunch *launch);
void              lean_runner_launch_free     (LeanRunnerLaunch       *launch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanRunnerLaunch, lean_runner_launch_free)

/* How a run ended, as far as the runner can tell. */
typedef enum
{
  LEAN_RUNNER_EXIT_EXITED,     /* exit_code is the process's exit status */
  LEAN_RUNNER_EXIT_SIGNALED,   /* exit_code is the signal number */
  LEAN_RUNNER_EXIT_LOST,       /* connection to a remote runner lost: outcome unknown */
  LEAN_RUNNER_EXIT_START_FAILED, /* never ran; message says why */
} LeanRunnerExitKind;

#define LEAN_TYPE_RUNNER (lean_runner_get_type ())

G_DECLARE_INTERFACE (LeanRunner, lean_runner, LEAN, RUNNER, GObject)

/* A runner hosts one agent process for one session, locally in a PTY or on a
 * remote agent-relay runner. All methods and signals are on the thread (main
 * context) that created the runner.
 *
 * Signals:
 *   "output"  (GBytes *bytes): raw terminal output, in order, every byte.
 *   "exited"  (LeanRunnerExitKind kind, gint exit_code, const gchar *message):
 *             emitted exactly once, after the last "output". @message is a
 *             sentence for people or NULL.
 *   "started" (): the process is running (local spawn done, relay acknowledged
 *             or first byte received). */
struct _LeanRunnerInterface
{
  GTypeInterface parent_iface;

  void         (*start_async)     (LeanRunner              *self,
                                   const LeanRunnerLaunch  *launch,
                                   GCancellable            *cancellable,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data);
  gboolean     (*start_finish)    (LeanRunner              *self,
                                   GAsyncResult            *result,
                                   GError                 **error);
  gboolean     (*write_input)     (LeanRunner              *self,
                                   GBytes                  *bytes,
                                   GError                 **error);
  gboolean     (*resize)          (LeanRunner              *self,
                                   guint                    rows,
                                   guint                    cols,
                                   GError                 **error);
  gboolean     (*pause)           (LeanRunner              *self,
                                   GError                 **error);
  gboolean     (*resume)          (LeanRunner              *self,
                                   GError                 **error);
  void         (*cancel)          (LeanRunner              *self);
  gboolean     (*supports_pause)  (LeanRunner              *self);
  char        *(*describe)        (LeanRunner              *self);
  void         (*set_held)        (LeanRunner              *self,
                                   gboolean                 held);
  gboolean     (*get_process)     (LeanRunner              *self,
                                   int                     *pid,
                                   char                   **start_time);
};

void      lean_runner_start_async    (LeanRunner              *self,
                                      const LeanRunnerLaunch  *launch,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data);
gboolean  lean_runner_start_finish   (LeanRunner              *self,
                                      GAsyncResult            *result,
                                      GError                 **error);
gboolean  lean_runner_write_input    (LeanRunner              *self,
                                      GBytes                  *bytes,
                                      GError                 **error);
gboolean  lean_runner_resize         (LeanRunner              *self,
                                      guint                    rows,
                                      guint                    cols,
                                      GError                 **error);
/* LEAN_ERROR_NOT_SUPPORTED where the runner cannot pause (relay). */
gboolean  lean_runner_pause          (LeanRunner              *self,
                                      GError                 **error);
gboolean  lean_runner_resume         (LeanRunner              *self,
                                      GError                 **error);
/* Asks the agent to stop (local: SIGTERM, SIGKILL after 5 s). "exited"
 * follows. Safe to call more than once or after exit. */
void      lean_runner_cancel         (LeanRunner              *self);
gboolean  lean_runner_supports_pause (LeanRunner              *self);
/* "local" or "relay:SERVER/RUNNER", for banners and the database. */
char     *lean_runner_describe       (LeanRunner              *self);
/* Backpressure. Held, the runner stops taking the agent's output from
 * where it comes from (the PTY, the relay's socket), so the agent or the
 * sending side waits in the kernel's buffers instead of the output piling
 * up in this process; released, it reads again. "exited" still comes after
 * every byte: a runner drains what is left when the agent ends, held or
 * not. Setting the state it has already is a no-op. The default does
 * nothing. */
void      lean_runner_set_held       (LeanRunner              *self,
                                      gboolean                 held);
/* The agent's process on this machine, for recovery after a crash: its pid
 * (also its process group) and its start time as
 * lean_process_get_start_time() gives it. FALSE when the agent does not run
 * here (relay) or has not started. @start_time may be NULL. */
gboolean  lean_runner_get_process    (LeanRunner              *self,
                                      int                     *pid,
                                      char                   **start_time);

/* For implementations: emit the signals. */
void      lean_runner_emit_started   (LeanRunner              *self);
void      lean_runner_emit_output    (LeanRunner              *self,
                                      GBytes                  *bytes);
void      lean_runner_emit_exited    (LeanRunner              *self,
                                      LeanRunnerExitKind       kind,
                                      int                      exit_code,
                                      const char              *message);

G_END_DECLS
