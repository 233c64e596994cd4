/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lean-check-run.h"

#define READ_CHUNK (64 * 1024)
/* Lines longer than this are not looked at for counts or failures. */
#define MAX_LINE 4096
#define FIRST_FAILURE_MAX 300
/* SIGTERM first; what is left of the group this long after gets SIGKILL. */
#define GRACE_MS 2000
/* How often to look whether the group is gone once it was told to end. */
#define POLL_MS 50
/* After SIGKILL, stop waiting for the group or the pipe's end this long
 * after (a process that left the group can hold the pipe open). */
#define GIVE_UP_MS 5000

struct _LeanCheckRun
{
  GObject          parent_instance;

  LeanCheck       *check;
  char            *work_dir;

  LeanCheckStatus  status;
  int              exit_code;
  int              term_signal;
  gint64           started_us;
  gint64           duration_ms;
  char            *message;

  GSubprocess     *process;
  GPid             pgid;
  GCancellable    *cancellable;
  guint            timeout_id;
  guint            kill_id;
  guint            poll_id;
  gint64           killed_us;     /* when SIGKILL went out, or 0 */
  gboolean         term_sent;
  gboolean         timed_out;
  gboolean         cancelled;
  gboolean         reaped;
  gboolean         eof;

  GByteArray      *kept;
  guint64          dropped;
  GString         *line;
  gboolean         line_overflow;
  LeanCountsParser *counts_parser;
  LeanCheckCounts  counts;
  char            *first_failure;
};

enum { PROP_0, PROP_STATUS, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { OUTPUT, FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanCheckRun, lean_check_run, G_TYPE_OBJECT)

static void take_line            (LeanCheckRun    *self,
                                  const char      *line,
                                  gsize            len);
static void feed_lines           (LeanCheckRun    *self,
                                  const char      *data,
                                  gsize            len);
static void settle_first_failure (LeanCheckRun    *self,
                                  LeanCheckStatus  status);

static void
lean_check_run_dispose (GObject *object)
{
  LeanCheckRun *self = LEAN_CHECK_RUN (object);

  /* A run dropped while running must not leave its processes behind. */
  if (self->pgid > 0 && !lean_check_run_is_finished (self))
    kill (-self->pgid, SIGKILL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->kill_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_object (&self->process);

  G_OBJECT_CLASS (lean_check_run_parent_class)->dispose (object);
}

static void
lean_check_run_finalize (GObject *object)
{
  LeanCheckRun *self = LEAN_CHECK_RUN (object);

  g_clear_pointer (&self->check, lean_check_unref);
  g_free (self->work_dir);
  g_free (self->message);
  g_clear_object (&self->cancellable);
  g_byte_array_unref (self->kept);
  g_string_free (self->line, TRUE);
  g_clear_pointer (&self->counts_parser, lean_counts_parser_free);
  g_free (self->first_failure);

  G_OBJECT_CLASS (lean_check_run_parent_class)->finalize (object);
}

static void
lean_check_run_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LeanCheckRun *self = LEAN_CHECK_RUN (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_check_run_class_init (LeanCheckRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_check_run_dispose;
  object_class->finalize = lean_check_run_finalize;
  object_class->get_property = lean_check_run_get_property;

  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      LEAN_CHECK_STATUS_PENDING, LEAN_CHECK_STATUS_SKIPPED,
                      LEAN_CHECK_STATUS_PENDING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_check_run_init (LeanCheckRun *self)
{
  self->exit_code = -1;
  self->cancellable = g_cancellable_new ();
  self->kept = g_byte_array_new ();
  self->line = g_string_new (NULL);
  self->counts_parser = lean_counts_parser_new ();
}

LeanCheckRun *
lean_check_run_new (LeanCheck  *check,
                    const char *work_dir)
{
  LeanCheckRun *self;

  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (work_dir != NULL, NULL);

  self = g_object_new (LEAN_TYPE_CHECK_RUN, NULL);
  self->check = lean_check_ref (check);
  self->work_dir = g_strdup (work_dir);
  return self;
}

LeanCheckRun *
lean_check_run_new_finished (LeanCheck       *check,
                             LeanCheckStatus  status,
                             int              exit_code,
                             gint64           duration_ms,
                             LeanCheckCounts  counts,
                             GBytes          *output,
                             const char      *message)
{
  LeanCheckRun *self;

  g_return_val_if_fail (check != NULL, NULL);

  self = g_object_new (LEAN_TYPE_CHECK_RUN, NULL);
  self->check = lean_check_ref (check);
  self->status = status;
  self->exit_code = exit_code;
  self->duration_ms = duration_ms;
  self->counts = counts;
  self->message = g_strdup (message);
  if (output != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (output, &len);

      g_byte_array_append (self->kept, data, len);
      feed_lines (self, (const char *)data, len);
      if (self->line->len > 0 && !self->line_overflow)
        take_line (self, self->line->str, self->line->len);
      g_string_truncate (self->line, 0);
    }
  settle_first_failure (self, status);
  return self;
}

/* ---- output ----------------------------------------------------------- */

static char *
clean_text (const char *text,
            gsize       len)
{
  return lean_counts_clean_text (text, len, G_MAXSIZE);
}

static gboolean
looks_like_failure (const char *line)
{
  static const char * const marks[] = {
    "FAIL", "ERROR", "Error", "error:", "error[", "failed", "panicked", "Traceback",
    "AssertionError", "assert", "not ok ", "undefined reference", "No rule to make target",
  };

  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    if (strstr (line, marks[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
take_line (LeanCheckRun *self,
           const char   *line,
           gsize         len)
{
  lean_counts_parser_feed_line (self->counts_parser, line, len);
  if (self->first_failure == NULL && len > 0)
    {
      g_autofree char *clean = clean_text (line, len);

      g_strstrip (clean);
      if (*clean != '\0' && looks_like_failure (clean))
        {
          if (strlen (clean) > FIRST_FAILURE_MAX)
            *g_utf8_find_prev_char (clean, clean + FIRST_FAILURE_MAX) = '\0';
          self->first_failure = g_steal_pointer (&clean);
        }
    }
}

static void
feed_lines (LeanCheckRun *self,
            const char   *data,
            gsize         len)
{
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      gsize n = nl != NULL ? (gsize)(nl - data) : len;

      if (!self->line_overflow)
        {
          if (self->line->len + n > MAX_LINE)
            {
              self->line_overflow = TRUE;
              g_string_truncate (self->line, 0);
            }
          else
            g_string_append_len (self->line, data, n);
        }
      if (nl == NULL)
        return;
      if (!self->line_overflow)
        take_line (self, self->line->str, self->line->len);
      g_string_truncate (self->line, 0);
      self->line_overflow = FALSE;
      data = nl + 1;
      len -= n + 1;
    }
}

static void
keep_output (LeanCheckRun *self,
             const guint8 *data,
             gsize         len)
{
  g_byte_array_append (self->kept, data, len);
  /* Cut in big steps so a flood costs few moves. */
  if (self->kept->len > 2 * LEAN_CHECK_RUN_KEEP_BYTES)
    {
      gsize cut = self->kept->len - LEAN_CHECK_RUN_KEEP_BYTES;

      g_byte_array_remove_range (self->kept, 0, cut);
      self->dropped += cut;
    }
}

/* ---- ending ----------------------------------------------------------- */

static void
set_status (LeanCheckRun    *self,
            LeanCheckStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static gboolean
group_alive (LeanCheckRun *self)
{
  return self->pgid > 0 && kill (-self->pgid, 0) == 0;
}

/* A failure without marks is best told by its last non-empty line. */
static void
settle_first_failure (LeanCheckRun    *self,
                      LeanCheckStatus  status)
{
  if (status != LEAN_CHECK_STATUS_PASSED && self->first_failure == NULL)
    {
      g_autofree char *tail = lean_check_run_get_output_tail (self, 4096);
      g_auto(GStrv) lines = g_strsplit (tail, "\n", -1);

      for (int i = (int)g_strv_length (lines) - 1; i >= 0; i--)
        {
          g_strstrip (lines[i]);
          if (*lines[i] != '\0')
            {
              if (strlen (lines[i]) > FIRST_FAILURE_MAX)
                *g_utf8_find_prev_char (lines[i], lines[i] + FIRST_FAILURE_MAX) = '\0';
              self->first_failure = g_strdup (lines[i]);
              break;
            }
        }
      if (self->first_failure == NULL && self->message != NULL)
        self->first_failure = g_strdup (self->message);
    }
  else if (status == LEAN_CHECK_STATUS_PASSED)
    g_clear_pointer (&self->first_failure, g_free);
}

static void
finish (LeanCheckRun *self)
{
  LeanCheckStatus status;

  g_assert (!lean_check_run_is_finished (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->kill_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  if (self->line->len > 0 && !self->line_overflow)
    take_line (self, self->line->str, self->line->len);
  g_string_truncate (self->line, 0);
  if (self->kept->len > LEAN_CHECK_RUN_KEEP_BYTES)
    {
      gsize cut = self->kept->len - LEAN_CHECK_RUN_KEEP_BYTES;

      g_byte_array_remove_range (self->kept, 0, cut);
      self->dropped += cut;
    }
  self->counts = lean_counts_parser_get (self->counts_parser);
  if (self->duration_ms == 0 && self->started_us > 0)
    self->duration_ms = (g_get_monotonic_time () - self->started_us) / 1000;

  if (self->cancelled)
    {
      status = LEAN_CHECK_STATUS_SKIPPED;
      g_free (self->message);
      self->message = g_strdup (_("Stopped before it finished"));
    }
  else if (self->timed_out)
    {
      status = LEAN_CHECK_STATUS_TIMEOUT;
      g_free (self->message);
      self->message = g_strdup_printf (_("Timed out after %u s; its processes were ended"),
                                       self->check->timeout);
    }
  else if (self->exit_code == 0)
    status = LEAN_CHECK_STATUS_PASSED;
  else
    {
      status = LEAN_CHECK_STATUS_FAILED;
      if (self->term_signal != 0)
        {
          g_free (self->message);
          self->message = g_strdup_printf (_("Ended by signal %d (%s)"), self->term_signal,
                                           g_strsignal (self->term_signal));
        }
    }

  settle_first_failure (self, status);

  g_clear_object (&self->process);
  set_status (self, status);
  g_signal_emit (self, signals[FINISHED], 0);
}

static gboolean
poll_cb (gpointer data)
{
  LeanCheckRun *self = data;

  if (self->killed_us > 0 &&
      g_get_monotonic_time () - self->killed_us > (gint64)GIVE_UP_MS * 1000)
    {
      g_debug ("check %s: its group or pipe outlived SIGKILL; not waiting", self->check->id);
      self->poll_id = 0;
      finish (self);
      return G_SOURCE_REMOVE;
    }
  if (self->reaped && self->eof && !group_alive (self))
    {
      self->poll_id = 0;
      finish (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
kill_cb (gpointer data)
{
  LeanCheckRun *self = data;

  self->kill_id = 0;
  if (self->pgid > 0)
    kill (-self->pgid, SIGKILL);
  self->killed_us = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

/* SIGTERM to the whole group now, SIGKILL after the grace period, and
 * watch for the group to be gone. */
static void
end_group (LeanCheckRun *self)
{
  if (!self->term_sent && self->pgid > 0)
    {
      self->term_sent = TRUE;
      kill (-self->pgid, SIGTERM);
      /* A stopped process cannot act on SIGTERM until it continues. */
      kill (-self->pgid, SIGCONT);
      self->kill_id = g_timeout_add (GRACE_MS, kill_cb, self);
    }
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, poll_cb, self);
}

static void
maybe_finish (LeanCheckRun *self)
{
  if (!self->reaped)
    return;
  if (self->eof && !group_alive (self))
    {
      finish (self);
      return;
    }
  /* The leader is gone but its group (or a holder of the pipe) is not. */
  end_group (self);
}

static gboolean
timeout_cb (gpointer data)
{
  LeanCheckRun *self = data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  end_group (self);
  return G_SOURCE_REMOVE;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(LeanCheckRun) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const guint8 *chunk;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (lean_check_run_is_finished (self))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("check %s: reading its output: %s", self->check->id, error->message);
      self->eof = TRUE;
      maybe_finish (self);
      return;
    }

  chunk = g_bytes_get_data (bytes, &len);
  keep_output (self, chunk, len);
  feed_lines (self, (const char *)chunk, len);
  g_signal_emit (self, signals[OUTPUT], 0, bytes);

  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, read_cb, g_object_ref (self));
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(LeanCheckRun) self = data;
  GSubprocess *process = G_SUBPROCESS (source);

  /* Cancellation is never passed here: the leader is always reaped. */
  g_subprocess_wait_finish (process, result, NULL);
  if (lean_check_run_is_finished (self))
    return;

  self->reaped = TRUE;
  self->duration_ms = (g_get_monotonic_time () - self->started_us) / 1000;
  if (g_subprocess_get_if_exited (process))
    self->exit_code = g_subprocess_get_exit_status (process);
  else if (g_subprocess_get_if_signaled (process))
    self->term_signal = g_subprocess_get_term_sig (process);
  maybe_finish (self);
}

/* Runs in the child between fork and exec. */
static void
child_setup (gpointer data)
{
  setsid ();
}

static gboolean
fail_to_start (gpointer data)
{
  LeanCheckRun *self = data;

  set_status (self, LEAN_CHECK_STATUS_ERROR);
  g_signal_emit (self, signals[FINISHED], 0);
  return G_SOURCE_REMOVE;
}

static void
start_error (LeanCheckRun *self,
             char         *message)
{
  g_free (self->message);
  self->message = message;
  self->first_failure = g_strdup (message);
  /* "finished" never comes from inside start(): callers connect after. */
  g_idle_add_full (G_PRIORITY_DEFAULT, fail_to_start, g_object_ref (self), g_object_unref);
}

void
lean_check_run_start (LeanCheckRun *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *real_dir = NULL;
  g_autofree char *real_root = NULL;
  const char *ident;

  g_return_if_fail (LEAN_IS_CHECK_RUN (self));
  g_return_if_fail (self->status == LEAN_CHECK_STATUS_PENDING);
  g_return_if_fail (self->work_dir != NULL);

  set_status (self, LEAN_CHECK_STATUS_RUNNING);
  self->started_us = g_get_monotonic_time ();

  /* The check runs inside the working tree, whatever links say. */
  dir = g_build_filename (self->work_dir, self->check->cwd, NULL);
  real_root = realpath (self->work_dir, NULL);
  real_dir = realpath (dir, NULL);
  if (real_root == NULL || real_dir == NULL || !g_file_test (real_dir, G_FILE_TEST_IS_DIR))
    {
      start_error (self, g_strdup_printf (_("%s: no such folder in the working tree"),
                                          self->check->cwd));
      return;
    }
  if (!lean_check_path_is_inside (real_dir, real_root))
    {
      start_error (self, g_strdup_printf (_("%s: leads outside the working tree; not run"),
                                          self->check->cwd));
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, real_dir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* A relay token is for the app, never for project commands. */
  g_subprocess_launcher_unsetenv (launcher, "LEANSPEC_RELAY_TOKEN");

  self->process = g_subprocess_launcher_spawnv (launcher,
                                                (const char * const *)self->check->argv,
                                                &error);
  if (self->process == NULL)
    {
      if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        start_error (self, g_strdup_printf (_("%s: not found"), self->check->argv[0]));
      else if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES) ||
               g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_PERM))
        start_error (self, g_strdup_printf (_("%s: permission denied"), self->check->argv[0]));
      else
        start_error (self, g_strdup_printf ("%s: %s", self->check->argv[0], error->message));
      return;
    }

  ident = g_subprocess_get_identifier (self->process);
  self->pgid = ident != NULL ? (GPid)atoi (ident) : 0;

  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (self->process), READ_CHUNK,
                                   G_PRIORITY_DEFAULT, self->cancellable, read_cb,
                                   g_object_ref (self));
  g_subprocess_wait_async (self->process, NULL, wait_cb, g_object_ref (self));
  self->timeout_id = g_timeout_add_seconds (self->check->timeout, timeout_cb, self);
}

void
lean_check_run_cancel (LeanCheckRun *self)
{
  g_return_if_fail (LEAN_IS_CHECK_RUN (self));

  if (lean_check_run_is_finished (self))
    return;
  self->cancelled = TRUE;
  if (self->status == LEAN_CHECK_STATUS_PENDING)
    {
      finish (self);
      return;
    }
  if (self->process == NULL)
    return;   /* failed to start: "finished" is on its way */
  end_group (self);
}

/* ---- accessors -------------------------------------------------------- */

LeanCheck *
lean_check_run_get_check (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), NULL);
  return self->check;
}

LeanCheckStatus
lean_check_run_get_status (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), LEAN_CHECK_STATUS_PENDING);
  return self->status;
}

gboolean
lean_check_run_is_finished (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), FALSE);
  return self->status != LEAN_CHECK_STATUS_PENDING && self->status != LEAN_CHECK_STATUS_RUNNING;
}

int
lean_check_run_get_exit_code (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), -1);
  return self->exit_code;
}

int
lean_check_run_get_term_signal (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), 0);
  return self->term_signal;
}

gint64
lean_check_run_get_duration_ms (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), 0);
  return self->duration_ms;
}

LeanCheckCounts
lean_check_run_get_counts (LeanCheckRun *self)
{
  LeanCheckCounts none = { FALSE, 0, 0, 0 };

  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), none);
  return self->counts;
}

GBytes *
lean_check_run_get_output (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), NULL);
  return g_bytes_new (self->kept->data, self->kept->len);
}

guint64
lean_check_run_get_output_dropped (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), 0);
  return self->dropped;
}

char *
lean_check_run_get_output_tail (LeanCheckRun *self,
                                gsize         max_bytes)
{
  const char *data, *start;
  gsize len;

  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), NULL);

  data = (const char *)self->kept->data;
  len = self->kept->len;
  start = data;
  if (len > max_bytes)
    {
      const char *nl;

      start = data + len - max_bytes;
      nl = memchr (start, '\n', data + len - start);
      if (nl != NULL && nl + 1 < data + len)
        start = nl + 1;
    }
  return clean_text (start, data + len - start);
}

const char *
lean_check_run_get_first_failure (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), NULL);
  return self->first_failure;
}

const char *
lean_check_run_get_message (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), NULL);
  return self->message;
}

GPid
lean_check_run_get_pgid (LeanCheckRun *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_RUN (self), 0);
  return self->pgid;
}
