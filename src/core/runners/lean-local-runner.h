/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-runner.h"

G_BEGIN_DECLS

#define LEAN_TYPE_LOCAL_RUNNER (lean_local_runner_get_type ())

G_DECLARE_FINAL_TYPE (LeanLocalRunner, lean_local_runner, LEAN, LOCAL_RUNNER, GObject)

/* A LeanRunner that runs the agent on this machine in a PTY it owns: a
 * small leader process (forked, never exec'd) starts a new session with the
 * PTY as its controlling terminal, runs the agent in its own process group in
 * the terminal's foreground, and exits with the agent's exact status (a
 * session leader's own status can be lost to the SIGHUP the kernel sends when
 * it exits). Output is read from the PTY master without blocking
 * and emitted as "output" on the main context of the thread that called
 * start; "exited" comes once, after the PTY has been drained, so no byte is
 * lost. When launch->stdin_data is set, the agent's stdin is a pipe that
 * gets those bytes and then end of file (stdout and stderr stay the PTY,
 * which stays its controlling terminal): `claude -p` refuses a prompt from a
 * terminal, and a terminal line holds at most 4095 bytes. Otherwise stdin
 * is the PTY and write_input() types into it. If spawning fails, "exited"
 * (LEAN_RUNNER_EXIT_START_FAILED) is emitted before the start callback gets
 * the error. pause/resume send SIGSTOP/SIGCONT to the process group; cancel sends
 * SIGTERM to the group and SIGKILL after the kill delay (5 s). */

LeanLocalRunner *lean_local_runner_new            (void);
/* The agent's pid (also its process group id, the target of pause and
 * cancel), 0 before start. Stays set after exit for logs. */
GPid             lean_local_runner_get_pid        (LeanLocalRunner *self);
/* The PTY master fd, -1 when not running. Owned by the runner. */
int              lean_local_runner_get_pty_fd     (LeanLocalRunner *self);
/* Delay between SIGTERM and SIGKILL on cancel; default 5000 ms. */
void             lean_local_runner_set_kill_delay (LeanLocalRunner *self,
                                                   guint            msec);
gboolean         lean_local_runner_is_running     (LeanLocalRunner *self);
/* Stops (TRUE) or restarts (FALSE) reading the PTY, so a listener that
 * cannot keep up holds the agent back through the kernel's PTY buffer
 * instead of queueing its output in memory. Exit handling still drains
 * the PTY, held or not, so no byte is lost. */
void             lean_local_runner_hold_output    (LeanLocalRunner *self,
                                                   gboolean         hold);

G_END_DECLS
