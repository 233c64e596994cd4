/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lean-error.h"
#include "lean-local-runner.h"
#include "lean-process.h"

/* A PTY read returns at most one line-discipline buffer (about 4 KiB), so a
 * dispatch reads until the PTY is empty or this much is gathered, and emits
 * it as one chunk: fewer, larger chunks for the database and the views, and
 * the main loop still gets a turn between dispatches during a flood. */
#define READ_CHUNK       (64 * 1024)
#define MAX_PER_DISPATCH (256 * 1024)

/* A dispatch that gathers this much found the agent writing faster than we
 * read (a flood). An always-readable PTY at G_PRIORITY_DEFAULT would win
 * every main loop iteration over GTK's frames (GDK_PRIORITY_REDRAW, 120)
 * and VTE's parsing (G_PRIORITY_DEFAULT_IDLE), and the window would freeze
 * for as long as the agent prints. So during a flood the PTY is read at
 * FLOOD_PRIORITY, below both: frames and the view get their turn first and
 * the reader takes all the rest of the time, so nothing is lost (the
 * kernel's PTY buffer holds the agent back meanwhile). Once a dispatch finds
 * less, the agent writes at a human rate again and the read goes back to
 * G_PRIORITY_DEFAULT, where its latency is lowest. */
#define FLOOD_THRESHOLD  (64 * 1024)
#define FLOOD_PRIORITY   (G_PRIORITY_DEFAULT_IDLE + 10)

/* What a chunk costs depends on who listens: raw text is cheap, but a
 * stream parser turning JSON lines into display text takes ~100 µs a line,
 * so 256 KiB of JSON is ~130 ms on the main loop, a frozen window. The
 * dispatch size therefore follows the time the "output" handlers took:
 * shrunk to fit EMIT_BUDGET_US when they were slow, grown back when fast. */
#define EMIT_BUDGET_US   (8 * 1000)
#define MIN_PER_DISPATCH (16 * 1024)

/* After the agent itself exited, how long its children may keep the PTY
 * open before we stop waiting for the rest of the output. */
#define DRAIN_TIMEOUT_MS 2000

#define DEFAULT_KILL_DELAY_MS 5000

struct _LeanLocalRunner
{
  GObject       parent_instance;

  GMainContext *context;
  GPid          pid;               /* the session leader we spawned */
  GPid          agent_pid;         /* the agent, leader of its process group */
  char         *agent_start;       /* its start time, read right after the spawn */
  int           master_fd;
  GSource      *read_source;
  GSource      *write_source;
  GSource      *child_source;
  GSource      *kill_source;
  GSource      *drain_source;
  GByteArray   *pending_input;
  GByteArray   *read_buffer;       /* reused by every read */
  gsize         dispatch_limit;    /* bytes per readable dispatch, adaptive */
  double        ns_per_byte;       /* what the "output" handlers cost */
  int           stdin_fd;          /* pipe for launch->stdin_data, or -1 */
  GBytes       *stdin_data;
  gsize         stdin_offset;
  GSource      *stdin_source;
  guint         kill_delay_ms;
  guint         rows;
  guint         cols;
  int           wait_status;

  guint         started : 1;
  guint         child_exited : 1;
  guint         pty_closed : 1;
  guint         exited_emitted : 1;
  guint         cancelled : 1;
  guint         killed : 1;
  guint         held : 1;
};

static void lean_local_runner_iface_init (LeanRunnerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanLocalRunner, lean_local_runner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LEAN_TYPE_RUNNER,
                                                      lean_local_runner_iface_init))

static void close_pty        (LeanLocalRunner *self);
static void close_stdin      (LeanLocalRunner *self);
static void maybe_emit_exited (LeanLocalRunner *self);

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static gpointer
reap_thread (gpointer data)
{
  GPid pid = GPOINTER_TO_INT (data);
  int status;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return NULL;
}

static void
lean_local_runner_dispose (GObject *object)
{
  LeanLocalRunner *self = (LeanLocalRunner *)object;

  destroy_source (&self->kill_source);
  destroy_source (&self->drain_source);
  destroy_source (&self->write_source);
  destroy_source (&self->read_source);
  close_stdin (self);

  if (self->child_source != NULL)
    {
      destroy_source (&self->child_source);
      if (self->pid > 0 && !self->child_exited)
        {
          /* Nobody is left to see this agent's output: stop it rather than
           * leave an orphan working on the project, and reap it. */
          kill (-self->agent_pid, SIGKILL);
          kill (self->pid, SIGKILL);
          g_thread_unref (g_thread_new ("lean-reap", reap_thread,
                                        GINT_TO_POINTER (self->pid)));
          self->child_exited = TRUE;
        }
    }

  close_pty (self);

  G_OBJECT_CLASS (lean_local_runner_parent_class)->dispose (object);
}

static void
lean_local_runner_finalize (GObject *object)
{
  LeanLocalRunner *self = (LeanLocalRunner *)object;

  g_clear_pointer (&self->pending_input, g_byte_array_unref);
  g_clear_pointer (&self->read_buffer, g_byte_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  g_free (self->agent_start);

  G_OBJECT_CLASS (lean_local_runner_parent_class)->finalize (object);
}

static void
lean_local_runner_class_init (LeanLocalRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_local_runner_dispose;
  object_class->finalize = lean_local_runner_finalize;
}

static void
lean_local_runner_init (LeanLocalRunner *self)
{
  self->master_fd = -1;
  self->stdin_fd = -1;
  self->kill_delay_ms = DEFAULT_KILL_DELAY_MS;
  self->pending_input = g_byte_array_new ();
  self->read_buffer = g_byte_array_new ();
  self->dispatch_limit = MAX_PER_DISPATCH;
}

LeanLocalRunner *
lean_local_runner_new (void)
{
  return g_object_new (LEAN_TYPE_LOCAL_RUNNER, NULL);
}

GPid
lean_local_runner_get_pid (LeanLocalRunner *self)
{
  g_return_val_if_fail (LEAN_IS_LOCAL_RUNNER (self), 0);
  return self->agent_pid;
}

int
lean_local_runner_get_pty_fd (LeanLocalRunner *self)
{
  g_return_val_if_fail (LEAN_IS_LOCAL_RUNNER (self), -1);
  return self->master_fd;
}

void
lean_local_runner_set_kill_delay (LeanLocalRunner *self,
                                  guint            msec)
{
  g_return_if_fail (LEAN_IS_LOCAL_RUNNER (self));
  self->kill_delay_ms = msec;
}

gboolean
lean_local_runner_is_running (LeanLocalRunner *self)
{
  g_return_val_if_fail (LEAN_IS_LOCAL_RUNNER (self), FALSE);
  return self->started && !self->child_exited;
}

static gboolean on_pty_readable (int fd, GIOCondition condition, gpointer user_data);
static GSource *attach_source (LeanLocalRunner *self, GSource *source, gpointer callback);

void
lean_local_runner_hold_output (LeanLocalRunner *self,
                               gboolean         hold)
{
  g_return_if_fail (LEAN_IS_LOCAL_RUNNER (self));

  if (self->held == !!hold)
    return;
  self->held = !!hold;
  if (hold)
    destroy_source (&self->read_source);
  else if (self->started && !self->pty_closed && self->master_fd >= 0 &&
           self->read_source == NULL)
    {
      self->read_source = attach_source (self,
                                         g_unix_fd_source_new (self->master_fd,
                                                               G_IO_IN | G_IO_HUP | G_IO_ERR),
                                         on_pty_readable);
      /* Held means a flood: stay below frames until a read says otherwise. */
      g_source_set_priority (self->read_source, FLOOD_PRIORITY);
    }
}

static void
close_pty (LeanLocalRunner *self)
{
  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
  if (self->master_fd >= 0)
    {
      close (self->master_fd);
      self->master_fd = -1;
    }
  self->pty_closed = TRUE;
}

static GSource *
attach_source (LeanLocalRunner *self,
               GSource         *source,
               gpointer         callback)
{
  g_source_set_callback (source, callback, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* Reads what is in the PTY now. Returns FALSE once the PTY reports end of
 * output (EIO on Linux when every slave fd is closed). */
static gboolean
read_pty (LeanLocalRunner *self,
          gsize            limit)
{
  guint8 chunk[READ_CHUNK];
  gboolean open = TRUE;

  g_byte_array_set_size (self->read_buffer, 0);
  while (self->read_buffer->len < limit)
    {
      gssize n = read (self->master_fd, chunk, MIN (sizeof chunk, limit - self->read_buffer->len));

      if (n > 0)
        {
          g_byte_array_append (self->read_buffer, chunk, n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      /* 0 or EIO: the other side is gone and the buffer is drained. */
      open = FALSE;
      break;
    }

  if (self->read_source != NULL)
    {
      /* A full read means more is waiting; the limit may be below the
       * threshold while a slow listener keeps dispatches small. */
      int want = self->read_buffer->len >= MIN (FLOOD_THRESHOLD, limit) ? FLOOD_PRIORITY
                                                                         : G_PRIORITY_DEFAULT;

      if (g_source_get_priority (self->read_source) != want)
        g_source_set_priority (self->read_source, want);
    }

  if (self->read_buffer->len > 0)
    {
      /* An exact-size copy: chunks live on in the database queue and the
       * views, and a 20-byte keystroke echo should not pin 64 KiB. */
      g_autoptr(GBytes) bytes = g_bytes_new (self->read_buffer->data, self->read_buffer->len);
      gsize len = self->read_buffer->len; /* a handler may read again */
      gint64 start = g_get_monotonic_time ();
      gint64 took;

      lean_runner_emit_output (LEAN_RUNNER (self), bytes);

      took = g_get_monotonic_time () - start;
      if (limit == self->dispatch_limit && len >= MIN_PER_DISPATCH)
        {
          /* A moving average of the cost per byte, so one dispatch the
           * kernel preempted does not shrink the next ones. */
          double cost = (double) took / len;

          self->ns_per_byte = self->ns_per_byte <= 0 ? cost * 1000
                            : 0.75 * self->ns_per_byte + 0.25 * cost * 1000;
          self->dispatch_limit = CLAMP ((gsize) (EMIT_BUDGET_US * 1000.0 / MAX (self->ns_per_byte, 1e-3)),
                                        MIN_PER_DISPATCH, MAX_PER_DISPATCH);
        }
    }

  return open;
}

static gboolean
on_pty_readable (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  g_autoptr(LeanLocalRunner) self = g_object_ref (user_data);

  if (self->master_fd < 0)
    return G_SOURCE_REMOVE;

  if (read_pty (self, self->dispatch_limit))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->read_source, g_source_unref);
  destroy_source (&self->write_source);
  close (self->master_fd);
  self->master_fd = -1;
  self->pty_closed = TRUE;
  maybe_emit_exited (self);
  return G_SOURCE_REMOVE;
}

static gboolean on_pty_writable (int fd, GIOCondition condition, gpointer user_data);

/* Writes queued input without blocking; the rest waits for G_IO_OUT. A PTY
 * takes only a few KiB until the agent reads, so this is the normal case
 * for a long prompt. */
static void
flush_input (LeanLocalRunner *self)
{
  while (self->pending_input->len > 0 && self->master_fd >= 0)
    {
      gssize n = write (self->master_fd, self->pending_input->data,
                        self->pending_input->len);

      if (n > 0)
        {
          g_byte_array_remove_range (self->pending_input, 0, n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      /* EIO: the agent is gone; its input does not matter any more. */
      g_byte_array_set_size (self->pending_input, 0);
      break;
    }

  if (self->pending_input->len > 0 && self->master_fd >= 0)
    {
      if (self->write_source == NULL)
        self->write_source = attach_source (self,
                                            g_unix_fd_source_new (self->master_fd, G_IO_OUT),
                                            on_pty_writable);
    }
  else
    destroy_source (&self->write_source);
}

static gboolean
on_pty_writable (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  LeanLocalRunner *self = user_data;

  g_clear_pointer (&self->write_source, g_source_unref);
  flush_input (self);
  /* flush_input() attached a new source if there is more to write. */
  return G_SOURCE_REMOVE;
}

static void
close_stdin (LeanLocalRunner *self)
{
  destroy_source (&self->stdin_source);
  if (self->stdin_fd >= 0)
    {
      close (self->stdin_fd);
      self->stdin_fd = -1;
    }
  g_clear_pointer (&self->stdin_data, g_bytes_unref);
}

static gboolean on_stdin_writable (int fd, GIOCondition condition, gpointer user_data);

/* Writes launch->stdin_data into the agent's stdin pipe without blocking,
 * then closes it: the agent reads it to a real end of file. */
static void
flush_stdin (LeanLocalRunner *self)
{
  gsize len = 0;
  const guint8 *data;

  if (self->stdin_fd < 0)
    return;

  data = g_bytes_get_data (self->stdin_data, &len);
  while (self->stdin_offset < len)
    {
      gssize n = write (self->stdin_fd, data + self->stdin_offset, len - self->stdin_offset);

      if (n > 0)
        {
          self->stdin_offset += n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (self->stdin_source == NULL)
            self->stdin_source = attach_source (self,
                                                g_unix_fd_source_new (self->stdin_fd, G_IO_OUT),
                                                on_stdin_writable);
          return;
        }
      /* EPIPE: the agent closed its input early; that is its choice. */
      break;
    }

  close_stdin (self);
}

static gboolean
on_stdin_writable (int          fd,
                   GIOCondition condition,
                   gpointer     user_data)
{
  LeanLocalRunner *self = user_data;

  g_clear_pointer (&self->stdin_source, g_source_unref);
  flush_stdin (self);
  return G_SOURCE_REMOVE;
}

static char *
describe_exit (LeanLocalRunner    *self,
               LeanRunnerExitKind *kind,
               int                *code)
{
  int status = self->wait_status;

  if (WIFSIGNALED (status))
    {
      *kind = LEAN_RUNNER_EXIT_SIGNALED;
      *code = WTERMSIG (status);
    }
  else
    {
      *kind = LEAN_RUNNER_EXIT_EXITED;
      *code = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
    }

  if (self->cancelled && self->killed)
    return g_strdup_printf (_("Cancelled; the agent did not stop within %u s and was killed"),
                            (self->kill_delay_ms + 999) / 1000);
  if (self->cancelled)
    return g_strdup (_("Cancelled"));
  if (*kind == LEAN_RUNNER_EXIT_SIGNALED)
    return g_strdup_printf (_("The agent was stopped by signal %d (%s)"),
                            *code, g_strsignal (*code));
  if (*code != 0)
    return g_strdup_printf (_("The agent exited with status %d"), *code);
  return NULL;
}

static void
maybe_emit_exited (LeanLocalRunner *self)
{
  g_autofree char *message = NULL;
  LeanRunnerExitKind kind;
  int code;

  if (self->exited_emitted || !self->child_exited || !self->pty_closed)
    return;

  self->exited_emitted = TRUE;
  destroy_source (&self->kill_source);
  destroy_source (&self->drain_source);
  close_stdin (self);

  message = describe_exit (self, &kind, &code);
  lean_runner_emit_exited (LEAN_RUNNER (self), kind, code, message);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  g_autoptr(LeanLocalRunner) self = g_object_ref (user_data);

  g_clear_pointer (&self->drain_source, g_source_unref);

  /* Something the agent started still holds the terminal. Take what is
   * there and hang up: closing the master sends those processes SIGHUP. */
  if (self->master_fd >= 0)
    read_pty (self, G_MAXSIZE);
  close_pty (self);
  maybe_emit_exited (self);
  return G_SOURCE_REMOVE;
}

static void
on_child_exited (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  g_autoptr(LeanLocalRunner) self = g_object_ref (user_data);

  g_clear_pointer (&self->child_source, g_source_unref);
  self->child_exited = TRUE;
  self->wait_status = wait_status;
  destroy_source (&self->kill_source);

  /* Cancelled, and the agent is gone: whatever it started and left in its
   * group ignored SIGTERM (and the hangup, if it let go of the terminal).
   * Nothing waits for it any more, so it would outlive the session. */
  if (self->cancelled)
    kill (-self->agent_pid, SIGKILL);

  if (!self->pty_closed)
    {
      /* The output is usually all in the PTY already; read it now so the
       * common case does not wait for another poll. */
      if (self->master_fd >= 0 && !read_pty (self, G_MAXSIZE))
        close_pty (self);
      else
        self->drain_source = attach_source (self, g_timeout_source_new (DRAIN_TIMEOUT_MS),
                                            on_drain_timeout);
    }

  maybe_emit_exited (self);
}

typedef struct
{
  int pid_pipe;   /* write end: the agent's pid, then its /proc stat text */
} ChildSetup;

/* The size of the stat text the leader passes on; the start time is field
 * 22, well inside it even with a 16-byte command name. */
#define AGENT_STAT_MAX 1024

/* Runs in the leader after fork: async-signal-safe calls only. The agent
 * cannot be reaped before the leader waits for it, so this is the agent's
 * stat even when the agent has already ended, where the runner reading it
 * later could find nothing. */
static void
send_agent_stat (int   fd,
                 pid_t agent)
{
  char path[32] = "/proc/";
  char digits[16];
  char stat[AGENT_STAT_MAX];
  size_t len = strlen (path);
  int n = 0;
  int stat_fd;
  ssize_t got;

  for (unsigned long v = (unsigned long)agent; v > 0 && n < (int)sizeof digits; v /= 10)
    digits[n++] = (char)('0' + v % 10);
  while (n > 0)
    path[len++] = digits[--n];
  memcpy (path + len, "/stat", sizeof "/stat");

  stat_fd = open (path, O_RDONLY | O_CLOEXEC);
  if (stat_fd < 0)
    return;
  do
    got = read (stat_fd, stat, sizeof stat);
  while (got < 0 && errno == EINTR);
  close (stat_fd);
  if (got > 0)
    while (write (fd, stat, (size_t)got) < 0 && errno == EINTR)
      ;
}

static void
close_fds_from (int lowest)
{
#ifdef SYS_close_range
  if (syscall (SYS_close_range, lowest, ~0U, 0) == 0)
    return;
#endif
  for (int fd = lowest; fd < 65536; fd++)
    close (fd);
}

/* Runs in the child between fork and exec: only async-signal-safe calls.
 *
 * The child becomes a session leader with the PTY as its controlling
 * terminal, forks the agent into its own process group, makes that group
 * the terminal's foreground, and then only waits for the agent and exits
 * with the agent's status. Why not exec the agent as the session leader?
 * When a session leader exits, the kernel sends SIGHUP to the terminal's
 * foreground group, which is then its own; for a single-threaded process
 * that races with its exit and can replace its exit status by "killed by
 * SIGHUP". With the leader separate, the agent's status is reported as it
 * was, and pause/cancel still reach the agent's whole process group. */
static void
child_setup (gpointer user_data)
{
  ChildSetup *setup = user_data;
  struct sigaction action = { 0 };
  struct rlimit no_core = { 0, 0 };
  sigset_t set;
  pid_t agent;
  int status = 0;

  sigemptyset (&set);
  sigprocmask (SIG_SETMASK, &set, NULL);
  signal (SIGPIPE, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  signal (SIGQUIT, SIG_DFL);
  signal (SIGTTOU, SIG_DFL);
  signal (SIGTTIN, SIG_DFL);
  signal (SIGTSTP, SIG_DFL);

  /* stdout is always the PTY slave; stdin may be the prompt pipe. */
  setsid ();
  ioctl (STDOUT_FILENO, TIOCSCTTY, 0);

  agent = fork ();
  if (agent < 0)
    return;   /* run the agent as the leader then; better than not at all */

  if (agent == 0)
    {
      /* The agent: returns to exec. Both sides set the group so that it
       * exists whichever runs first. */
      setpgid (0, 0);
      sigaddset (&set, SIGTTOU);
      sigprocmask (SIG_BLOCK, &set, NULL);
      tcsetpgrp (STDOUT_FILENO, getpid ());
      sigprocmask (SIG_UNBLOCK, &set, NULL);
      return;
    }

  /* Only the runner's SIGKILL or the agent's end stops the leader. First
   * thing: once the agent is gone the runner closes the PTY, and the hangup
   * that follows signals the session leader, which may still be here. */
  action.sa_handler = SIG_IGN;
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGHUP, &action, NULL);
  sigaction (SIGQUIT, &action, NULL);

  setpgid (agent, agent);
  tcsetpgrp (STDOUT_FILENO, agent);
  while (write (setup->pid_pipe, &agent, sizeof agent) < 0 && errno == EINTR)
    ;
  send_agent_stat (setup->pid_pipe, agent);

  /* Hold nothing: not the terminal (so the PTY ends when the agent's side
   * does), not the pipe GLib waits on for the exec. */
  close (STDIN_FILENO);
  close (STDOUT_FILENO);
  close (STDERR_FILENO);
  close_fds_from (3);

  while (waitpid (agent, &status, 0) < 0)
    {
      if (errno != EINTR)
        _exit (127);
    }

  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);

      /* Die the same way, without a core file of ourselves. */
      setrlimit (RLIMIT_CORE, &no_core);
      action.sa_handler = SIG_DFL;
      sigaction (sig, &action, NULL);
      sigemptyset (&set);
      sigprocmask (SIG_SETMASK, &set, NULL);
      kill (getpid (), sig);
      _exit (128 + sig);
    }
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 127);
}

static char **
build_envp (const LeanRunnerLaunch *launch)
{
  char **envp = g_get_environ ();

  /* The output ends up in a VteTerminal. */
  envp = g_environ_setenv (envp, "TERM", "xterm-256color", TRUE);
  envp = g_environ_setenv (envp, "COLORTERM", "truecolor", TRUE);
  envp = g_environ_unsetenv (envp, "COLUMNS");
  envp = g_environ_unsetenv (envp, "LINES");
  /* The relay token is for LeanSpec talking to a relay; a local agent (and
   * whatever it runs from the repository) has no business with it. */
  envp = g_environ_unsetenv (envp, "LEANSPEC_RELAY_TOKEN");

  for (guint i = 0; launch->env != NULL && launch->env[i] != NULL; i++)
    {
      const char *eq = strchr (launch->env[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == launch->env[i])
        continue;
      key = g_strndup (launch->env[i], eq - launch->env[i]);
      envp = g_environ_setenv (envp, key, eq + 1, TRUE);
    }

  return envp;
}

static gboolean
spawn_agent (LeanLocalRunner         *self,
             const LeanRunnerLaunch  *launch,
             GError                 **error)
{
  g_auto(GStrv) envp = build_envp (launch);
  g_autoptr(GError) local_error = NULL;
  struct winsize size = { 0 };
  ChildSetup setup = { -1 };
  int pid_pipe[2] = { -1, -1 };
  int stdin_read = -1;
  int master = -1;
  int slave = -1;
  GPid pid = 0;
  gboolean ok;

  self->rows = launch->rows > 0 ? launch->rows : 24;
  self->cols = launch->cols > 0 ? launch->cols : 80;
  size.ws_row = self->rows;
  size.ws_col = self->cols;

  if (openpty (&master, &slave, NULL, NULL, &size) < 0)
    {
      int errsv = errno;

      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("Could not open a terminal for the agent: %s"), g_strerror (errsv));
      return FALSE;
    }

  fcntl (master, F_SETFD, FD_CLOEXEC);
  fcntl (slave, F_SETFD, FD_CLOEXEC);
  g_unix_set_fd_nonblocking (master, TRUE, NULL);

  /* A prompt given on stdin goes through a pipe, not the terminal: agents
   * such as `claude -p` refuse to read their prompt from a terminal, a
   * terminal line holds at most 4095 bytes, and a pipe ends in a real EOF.
   * Output still goes to the PTY. */
  if (launch->stdin_data != NULL)
    {
      int fds[2];

      if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
        {
          close (master);
          close (slave);
          return FALSE;
        }
      stdin_read = fds[0];
      self->stdin_fd = fds[1];
      g_unix_set_fd_nonblocking (self->stdin_fd, TRUE, NULL);
      self->stdin_data = g_bytes_ref (launch->stdin_data);
      /* A writer must not die of SIGPIPE when the agent stops reading. */
      signal (SIGPIPE, SIG_IGN);
    }

  if (!g_unix_open_pipe (pid_pipe, FD_CLOEXEC, error))
    {
      close (master);
      close (slave);
      if (stdin_read >= 0)
        close (stdin_read);
      close_stdin (self);
      return FALSE;
    }
  setup.pid_pipe = pid_pipe[1];

  ok = g_spawn_async_with_pipes_and_fds (launch->cwd,
                                         (const char * const *)launch->argv,
                                         (const char * const *)envp,
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_SEARCH_PATH |
                                         G_SPAWN_SEARCH_PATH_FROM_ENVP,
                                         child_setup, &setup,
                                         stdin_read >= 0 ? stdin_read : slave,
                                         slave, slave,
                                         NULL, NULL, 0,
                                         &pid, NULL, NULL, NULL,
                                         &local_error);
  close (slave);
  if (stdin_read >= 0)
    close (stdin_read);
  close (pid_pipe[1]);

  if (!ok)
    {
      close (pid_pipe[0]);
      close (master);
      close_stdin (self);
      if (launch->cwd != NULL && !g_file_test (launch->cwd, G_FILE_TEST_IS_DIR))
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("Could not start “%s”: the folder “%s” does not exist"),
                     launch->argv[0], launch->cwd);
      else if (g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING,
                     _("Could not start “%s”: it is not installed or not on PATH"),
                     launch->argv[0]);
      else
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                     _("Could not start “%s”: %s"), launch->argv[0], local_error->message);
      return FALSE;
    }

  self->pid = pid;
  /* The leader wrote the agent's pid and its stat text; if it could not
   * fork, the pipe just closes and the leader is the agent. The pipe ends
   * once the leader has closed it and the agent has exec'd. */
  {
    GPid agent = 0;
    char stat[AGENT_STAT_MAX + 1];
    size_t have = 0;
    gssize n;

    do
      n = read (pid_pipe[0], &agent, sizeof agent);
    while (n < 0 && errno == EINTR);
    self->agent_pid = (n == sizeof agent && agent > 0) ? agent : pid;
    if (n == sizeof agent)
      while (have < AGENT_STAT_MAX)
        {
          n = read (pid_pipe[0], stat + have, AGENT_STAT_MAX - have);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          have += (size_t)n;
        }
    close (pid_pipe[0]);
    stat[have] = '\0';
    /* Taken while the agent could not yet be reaped, so it is the agent's
     * and not a later process's that got its pid. */
    if (have > 0)
      self->agent_start = lean_process_parse_start_time (stat, TRUE);
    else
      self->agent_start = lean_process_get_start_time (self->agent_pid);
  }
  self->master_fd = master;
  self->started = TRUE;

  if (!self->held)
    self->read_source = attach_source (self,
                                       g_unix_fd_source_new (master,
                                                             G_IO_IN | G_IO_HUP | G_IO_ERR),
                                       on_pty_readable);
  self->child_source = g_child_watch_source_new (pid);
  g_source_set_callback (self->child_source, (GSourceFunc)(void (*)(void))on_child_exited,
                         self, NULL);
  g_source_attach (self->child_source, self->context);

  flush_stdin (self);
  return TRUE;
}

static void
lean_local_runner_start_async (LeanRunner             *runner,
                               const LeanRunnerLaunch *launch,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  LeanLocalRunner *self = LEAN_LOCAL_RUNNER (runner);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_local_runner_start_async);

  if (self->started || self->exited_emitted)
    {
      g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                               _("This runner has already run an agent"));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->context = g_main_context_ref_thread_default ();
  if (launch->kill_delay_ms > 0)
    self->kill_delay_ms = launch->kill_delay_ms;

  if (!spawn_agent (self, launch, &error))
    {
      /* "exited" is emitted exactly once, also when the agent never ran, so
       * a session only has to listen to one signal to end. */
      self->exited_emitted = TRUE;
      self->child_exited = TRUE;
      self->pty_closed = TRUE;
      lean_runner_emit_exited (runner, LEAN_RUNNER_EXIT_START_FAILED, -1, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lean_runner_emit_started (runner);
  g_task_return_boolean (task, TRUE);
}

static gboolean
lean_local_runner_start_finish (LeanRunner    *runner,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, runner), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
check_running (LeanLocalRunner  *self,
               GError          **error)
{
  if (!self->started || self->child_exited)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("The agent is not running"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
lean_local_runner_write_input (LeanRunner  *runner,
                               GBytes      *bytes,
                               GError     **error)
{
  LeanLocalRunner *self = LEAN_LOCAL_RUNNER (runner);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!check_running (self, error))
    return FALSE;
  if (self->master_fd < 0)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("The agent's terminal is closed"));
      return FALSE;
    }

  g_byte_array_append (self->pending_input, data, len);
  flush_input (self);
  return TRUE;
}

static gboolean
lean_local_runner_resize (LeanRunner  *runner,
                          guint        rows,
                          guint        cols,
                          GError     **error)
{
  LeanLocalRunner *self = LEAN_LOCAL_RUNNER (runner);
  struct winsize size = { 0 };

  if (rows == 0 || cols == 0 || rows > G_MAXUINT16 || cols > G_MAXUINT16)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%u×%u is not a terminal size"), cols, rows);
      return FALSE;
    }

  self->rows = rows;
  self->cols = cols;
  if (self->master_fd < 0)
    return TRUE;

  /* The kernel sends SIGWINCH to the agent's foreground process group. */
  size.ws_row = rows;
  size.ws_col = cols;
  if (ioctl (self->master_fd, TIOCSWINSZ, &size) < 0)
    {
      int errsv = errno;

      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("Could not resize the agent's terminal: %s"), g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
signal_group (LeanLocalRunner  *self,
              int               signum,
              GError          **error)
{
  if (!check_running (self, error))
    return FALSE;

  if (kill (-self->agent_pid, signum) < 0 && kill (self->agent_pid, signum) < 0)
    {
      int errsv = errno;

      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("Could not signal the agent: %s"), g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
lean_local_runner_pause (LeanRunner  *runner,
                         GError     **error)
{
  return signal_group (LEAN_LOCAL_RUNNER (runner), SIGSTOP, error);
}

static gboolean
lean_local_runner_resume (LeanRunner  *runner,
                          GError     **error)
{
  return signal_group (LEAN_LOCAL_RUNNER (runner), SIGCONT, error);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  LeanLocalRunner *self = user_data;

  g_clear_pointer (&self->kill_source, g_source_unref);
  if (!self->child_exited)
    {
      self->killed = TRUE;
      /* The leader then ends with the agent's SIGKILL. */
      kill (-self->agent_pid, SIGKILL);
    }
  return G_SOURCE_REMOVE;
}

static void
lean_local_runner_cancel (LeanRunner *runner)
{
  LeanLocalRunner *self = LEAN_LOCAL_RUNNER (runner);

  if (!self->started || self->exited_emitted)
    return;

  if (self->child_exited)
    {
      /* Only waiting for the PTY to drain: stop waiting. */
      self->cancelled = TRUE;
      if (self->drain_source != NULL)
        {
          destroy_source (&self->drain_source);
          if (self->master_fd >= 0)
            read_pty (self, G_MAXSIZE);
          close_pty (self);
          maybe_emit_exited (self);
        }
      return;
    }

  if (self->cancelled)
    return;
  self->cancelled = TRUE;

  /* SIGCONT after SIGTERM so a paused agent wakes up to handle it. */
  kill (-self->agent_pid, SIGTERM);
  kill (-self->agent_pid, SIGCONT);
  self->kill_source = attach_source (self, g_timeout_source_new (self->kill_delay_ms),
                                     on_kill_timeout);
}

static void
lean_local_runner_set_held (LeanRunner *runner,
                            gboolean    held)
{
  lean_local_runner_hold_output (LEAN_LOCAL_RUNNER (runner), held);
}

static gboolean
lean_local_runner_get_process (LeanRunner  *runner,
                               int         *pid,
                               char       **start_time)
{
  LeanLocalRunner *self = LEAN_LOCAL_RUNNER (runner);

  if (self->agent_pid <= 0)
    return FALSE;
  *pid = self->agent_pid;
  *start_time = g_strdup (self->agent_start);
  return TRUE;
}

static gboolean
lean_local_runner_supports_pause (LeanRunner *runner)
{
  return TRUE;
}

static char *
lean_local_runner_describe (LeanRunner *runner)
{
  return g_strdup ("local");
}

static void
lean_local_runner_iface_init (LeanRunnerInterface *iface)
{
  iface->start_async = lean_local_runner_start_async;
  iface->start_finish = lean_local_runner_start_finish;
  iface->write_input = lean_local_runner_write_input;
  iface->resize = lean_local_runner_resize;
  iface->pause = lean_local_runner_pause;
  iface->resume = lean_local_runner_resume;
  iface->cancel = lean_local_runner_cancel;
  iface->supports_pause = lean_local_runner_supports_pause;
  iface->describe = lean_local_runner_describe;
  iface->set_held = lean_local_runner_set_held;
  iface->get_process = lean_local_runner_get_process;
}
