/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-session-db-private.h"
#include "lean-session-log-private.h"

/* A live log that somebody follows keeps the recent output of each channel
 * read from it in a ring of this size: a view that keeps up reads from
 * there; one further behind, or one that came after the bytes, reads the
 * database (after a flush). A session nobody follows keeps nothing, so
 * running many sessions costs no memory per session here. One chunk of a
 * runner's output (at most 256 KiB) fits. */
#define TAIL_SIZE  (256 * 1024)
/* At most one look at the database per this many ms while another process
 * writes. */
#define FOLLOW_RATE_LIMIT_MS 100
/* What one database read takes at a time while it looks for an offset. */
#define READ_STEP  (1024 * 1024)

struct _LeanSessionLog
{
  GObject        parent_instance;

  LeanSessionDb *db;
  char          *session_id;
  GMainContext  *context;   /* where it was made: reads are answered there */
  guint64        length[2];
  gboolean       live;
  gboolean       structured;
  gboolean       ended;

  /* live: the last bytes of each channel, from offset @tail_start; the
   * byte at offset o is at tail[o % TAIL_SIZE] */
  guint8        *tail[2];
  guint64        tail_start[2];
  /* live: a follower read the channel since the log last had none */
  gboolean       read_live[2];

  /* where the last database read ended, to go on from there: the chunk
   * seq and the offset after it */
  gint64         hint_seq[2];
  guint64        hint_offset[2];

  /* following a session stored by another process */
  GFileMonitor  *monitors[2];
  GCancellable  *cancellable;
  gboolean       refreshing;
  gboolean       refresh_again;
};

G_DEFINE_FINAL_TYPE (LeanSessionLog, lean_session_log, G_TYPE_OBJECT)

enum { APPENDED, ENDED, REFRESHED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The channel that holds the bytes: a text session's display is its raw. */
static LeanOutputChannel
stored_channel (LeanSessionLog    *self,
                LeanOutputChannel  channel)
{
  if (channel == LEAN_OUTPUT_CHANNEL_DISPLAY && !self->structured)
    return LEAN_OUTPUT_CHANNEL_RAW;
  return channel;
}

static void
announce (LeanSessionLog    *self,
          LeanOutputChannel  channel,
          guint64            offset,
          guint64            length)
{
  g_signal_emit (self, signals[APPENDED], 0, (guint) channel, offset, length);
  /* Who follows the display of a text session follows its raw bytes. */
  if (channel == LEAN_OUTPUT_CHANNEL_RAW && !self->structured)
    g_signal_emit (self, signals[APPENDED], 0, (guint) LEAN_OUTPUT_CHANNEL_DISPLAY, offset,
                   length);
}

static void
stop_following (LeanSessionLog *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    if (self->monitors[i] != NULL)
      {
        g_signal_handlers_disconnect_by_data (self->monitors[i], self);
        g_file_monitor_cancel (self->monitors[i]);
        g_clear_object (&self->monitors[i]);
      }
}

/* ---- reading ---- */

typedef struct
{
  LeanSessionDb     *db;
  char              *session_id;
  LeanOutputChannel  channel;
  guint64            from;
  gsize              max;
  gboolean           flush;
  gint64             seq;      /* in: where to start; out: the hint */
  guint64            offset;
} Read;

static void
read_free (Read *read)
{
  g_object_unref (read->db);
  g_free (read->session_id);
  g_free (read);
}

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Read *read = task_data;
  GError *error = NULL;

  /* What was queued for the writer before the read was asked for is then
   * readable. */
  if (read->flush)
    lean_session_db_flush (read->db);

  for (;;)
    {
      g_autoptr(GBytes) bytes = NULL;
      gint64 last = read->seq;
      gsize len;

      if (g_task_return_error_if_cancelled (task))
        return;
      bytes = _lean_session_db_read_chunks (read->db, read->session_id, read->channel,
                                            read->seq, READ_STEP, &last, &error);
      if (bytes == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      len = g_bytes_get_size (bytes);
      if (len == 0)
        {
          g_task_return_pointer (task, g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);
          return;
        }
      read->seq = last;
      read->offset += len;
      if (read->offset > read->from)
        {
          gsize skip = len - (gsize) (read->offset - read->from);

          g_task_return_pointer (task,
                                 g_bytes_new_from_bytes (bytes, skip, MIN (read->max, len - skip)),
                                 (GDestroyNotify) g_bytes_unref);
          return;
        }
    }
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *outer = user_data;
  LeanSessionLog *self = g_task_get_source_object (outer);
  Read *read = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  GBytes *bytes = g_task_propagate_pointer (G_TASK (result), &error);

  if (bytes == NULL)
    g_task_return_error (outer, error);
  else
    {
      if (read->offset >= self->hint_offset[read->channel])
        {
          self->hint_seq[read->channel] = read->seq;
          self->hint_offset[read->channel] = read->offset;
        }
      g_task_return_pointer (outer, bytes, (GDestroyNotify) g_bytes_unref);
    }
  g_object_unref (outer);
}

/* @from and @len lie within the tail. */
static GBytes *
tail_copy (LeanSessionLog    *self,
           LeanOutputChannel  channel,
           guint64            from,
           gsize              len)
{
  guint8 *copy = g_malloc (len);
  gsize at = from % TAIL_SIZE;
  gsize first = MIN (len, TAIL_SIZE - at);

  memcpy (copy, self->tail[channel] + at, first);
  memcpy (copy + first, self->tail[channel], len - first);
  return g_bytes_new_take (copy, len);
}

static void read_async_here (LeanSessionLog      *self,
                             LeanOutputChannel    channel,
                             guint64              from,
                             gsize                max,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);

void
lean_session_log_read_async (LeanSessionLog      *self,
                             LeanOutputChannel    channel,
                             guint64              from,
                             gsize                max,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GMainContext *current;
  gboolean switch_context;

  g_return_if_fail (LEAN_IS_SESSION_LOG (self));
  g_return_if_fail (channel == LEAN_OUTPUT_CHANNEL_RAW || channel == LEAN_OUTPUT_CHANNEL_DISPLAY);
  g_return_if_fail (max > 0);

  /* A follower often reads from its "appended" handler, and a relay
   * session announces output while dispatching its own connection's
   * context, which is then the thread default. A read answered there
   * would never be answered once that session ends and its context stops:
   * answer on the context the log was made in whenever this thread can
   * run it. */
  current = g_main_context_ref_thread_default ();
  switch_context = current != self->context && g_main_context_acquire (self->context);
  if (switch_context)
    g_main_context_push_thread_default (self->context);
  read_async_here (self, channel, from, max, cancellable, callback, user_data);
  if (switch_context)
    {
      g_main_context_pop_thread_default (self->context);
      g_main_context_release (self->context);
    }
  g_main_context_unref (current);
}

static void
read_async_here (LeanSessionLog      *self,
                 LeanOutputChannel    channel,
                 guint64              from,
                 gsize                max,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  LeanOutputChannel ch;
  Read *read;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_session_log_read_async);
  ch = stored_channel (self, channel);

  if (self->live)
    {
      guint64 length = self->length[ch];

      self->read_live[ch] = TRUE;
      if (from >= length)
        {
          g_task_return_pointer (task, g_bytes_new (NULL, 0), (GDestroyNotify) g_bytes_unref);
          return;
        }
      max = MIN (max, length - from);
      if (self->tail[ch] != NULL && from >= self->tail_start[ch])
        {
          g_task_return_pointer (task, tail_copy (self, ch, from, max),
                                 (GDestroyNotify) g_bytes_unref);
          return;
        }
    }

  read = g_new0 (Read, 1);
  read->db = g_object_ref (self->db);
  read->session_id = g_strdup (self->session_id);
  read->channel = ch;
  read->from = from;
  read->max = max;
  read->flush = self->live;
  if (from >= self->hint_offset[ch])
    {
      read->seq = self->hint_seq[ch];
      read->offset = self->hint_offset[ch];
    }
  else
    {
      read->seq = -1;
      read->offset = 0;
    }
  inner = g_task_new (NULL, cancellable, on_read_done, g_steal_pointer (&task));
  g_task_set_source_tag (inner, read_thread);
  g_task_set_task_data (inner, read, (GDestroyNotify) read_free);
  g_task_run_in_thread (inner, read_thread);
}

GBytes *
lean_session_log_read_finish (LeanSessionLog  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- following another process ---- */

typedef struct
{
  LeanSession *stored;
  guint64      lengths[2];
} Progress;

static void
progress_free (Progress *progress)
{
  g_clear_object (&progress->stored);
  g_free (progress);
}

static void
refresh_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LeanSessionLog *self = source;
  Progress *progress = g_new0 (Progress, 1);
  GError *error = NULL;

  if (!_lean_session_db_read_progress (self->db, self->session_id, &progress->stored,
                                       progress->lengths, &error))
    {
      progress_free (progress);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, progress, (GDestroyNotify) progress_free);
}

static void refresh (LeanSessionLog *self);

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LeanSessionLog *self = LEAN_SESSION_LOG (source);
  g_autoptr(GError) error = NULL;
  Progress *progress = g_task_propagate_pointer (G_TASK (result), &error);

  self->refreshing = FALSE;
  if (progress == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("session log %s: %s", self->session_id, error->message);
      return;
    }

  self->structured = lean_session_get_structured (progress->stored);
  for (guint ch = 0; ch < 2; ch++)
    if (progress->lengths[ch] > self->length[ch])
      {
        guint64 old = self->length[ch];

        self->length[ch] = progress->lengths[ch];
        announce (self, ch, old, self->length[ch] - old);
      }
  g_signal_emit (self, signals[REFRESHED], 0, progress->stored);

  if (!self->ended &&
      lean_session_state_is_final (lean_session_get_state (progress->stored)))
    {
      self->ended = TRUE;
      stop_following (self);
      g_signal_emit (self, signals[ENDED], 0);
    }
  progress_free (progress);

  if (self->refresh_again && !self->ended)
    refresh (self);
}

static void
refresh (LeanSessionLog *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }
  self->refreshing = TRUE;
  self->refresh_again = FALSE;
  task = g_task_new (self, self->cancellable, on_refreshed, NULL);
  g_task_set_source_tag (task, refresh);
  g_task_run_in_thread (task, refresh_thread);
}

static void
on_db_changed (GFileMonitor      *monitor,
               GFile             *file,
               GFile             *other,
               GFileMonitorEvent  event,
               LeanSessionLog    *self)
{
  if (!self->ended)
    refresh (self);
}

static void
start_following (LeanSessionLog *self)
{
  const char *path = lean_session_db_get_path (self->db);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  const char *paths[] = { path, wal };

  /* Another process commits to the WAL (and checkpoints into the main
   * file): a change to either is a reason to look. */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autoptr(GError) error = NULL;

      self->monitors[i] = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
      if (self->monitors[i] == NULL)
        {
          g_warning ("Cannot watch %s for session output: %s", paths[i], error->message);
          continue;
        }
      g_file_monitor_set_rate_limit (self->monitors[i], FOLLOW_RATE_LIMIT_MS);
      g_signal_connect (self->monitors[i], "changed", G_CALLBACK (on_db_changed), self);
    }
  refresh (self);
}

/* ---- the controller's side ---- */

LeanSessionLog *
_lean_session_log_new_live (LeanSessionDb *db,
                            const char    *session_id,
                            gboolean       structured)
{
  LeanSessionLog *self;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (LEAN_TYPE_SESSION_LOG, NULL);
  self->db = g_object_ref (db);
  self->session_id = g_strdup (session_id);
  self->live = TRUE;
  self->structured = structured;
  return self;
}

static void
drop_tails (LeanSessionLog *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->tail); i++)
    {
      g_clear_pointer (&self->tail[i], g_free);
      self->tail_start[i] = self->length[i];
      self->read_live[i] = FALSE;
    }
}

/* Keeps the bytes [@offset, @offset + @len) in the channel's tail if a
 * follower reads that channel, and no tail at all once nobody follows. */
static void
keep_tail (LeanSessionLog    *self,
           LeanOutputChannel  channel,
           guint64            offset,
           const guint8      *data,
           gsize              len)
{
  gsize at, first;

  if (!g_signal_has_handler_pending (self, signals[APPENDED], 0, FALSE))
    {
      drop_tails (self);
      return;
    }
  if (!self->read_live[channel])
    return;
  if (self->tail[channel] == NULL)
    {
      self->tail[channel] = g_malloc (TAIL_SIZE);
      self->tail_start[channel] = offset;
    }
  if (len > TAIL_SIZE)
    {
      data += len - TAIL_SIZE;
      offset += len - TAIL_SIZE;
      len = TAIL_SIZE;
    }
  at = offset % TAIL_SIZE;
  first = MIN (len, TAIL_SIZE - at);
  memcpy (self->tail[channel] + at, data, first);
  memcpy (self->tail[channel], data + first, len - first);
  if (offset + len - self->tail_start[channel] > TAIL_SIZE)
    self->tail_start[channel] = offset + len - TAIL_SIZE;
}

void
_lean_session_log_append (LeanSessionLog    *self,
                          LeanOutputChannel  channel,
                          GBytes            *bytes)
{
  gsize len;
  const guint8 *data;
  guint64 offset;

  g_return_if_fail (LEAN_IS_SESSION_LOG (self));
  g_return_if_fail (self->live && !self->ended);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return;
  keep_tail (self, channel, self->length[channel], data, len);
  offset = self->length[channel];
  self->length[channel] += len;
  announce (self, channel, offset, len);
}

void
_lean_session_log_end (LeanSessionLog *self)
{
  g_return_if_fail (LEAN_IS_SESSION_LOG (self));

  if (self->ended)
    return;
  self->ended = TRUE;
  /* Nothing more comes: what views still read comes from the database. */
  drop_tails (self);
  g_signal_emit (self, signals[ENDED], 0);
}

void
_lean_session_log_set_structured (LeanSessionLog *self,
                                  gboolean        structured)
{
  g_return_if_fail (LEAN_IS_SESSION_LOG (self));
  g_return_if_fail (self->length[0] == 0 && self->length[1] == 0);
  self->structured = !!structured;
}

/* ---- GObject ---- */

static void
lean_session_log_dispose (GObject *object)
{
  LeanSessionLog *self = LEAN_SESSION_LOG (object);

  stop_following (self);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (lean_session_log_parent_class)->dispose (object);
}

static void
lean_session_log_finalize (GObject *object)
{
  LeanSessionLog *self = LEAN_SESSION_LOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_free (self->session_id);
  g_main_context_unref (self->context);
  for (guint i = 0; i < 2; i++)
    g_free (self->tail[i]);

  G_OBJECT_CLASS (lean_session_log_parent_class)->finalize (object);
}

static void
lean_session_log_class_init (LeanSessionLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_session_log_dispose;
  object_class->finalize = lean_session_log_finalize;

  signals[APPENDED] = g_signal_new ("appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                    G_TYPE_UINT, G_TYPE_UINT64, G_TYPE_UINT64);
  signals[ENDED] = g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SESSION);
}

static void
lean_session_log_init (LeanSessionLog *self)
{
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->hint_seq[0] = self->hint_seq[1] = -1;
}

LeanSessionLog *
lean_session_log_new (LeanSessionDb *db,
                      const char    *session_id)
{
  LeanSessionLog *self;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (LEAN_TYPE_SESSION_LOG, NULL);
  self->db = g_object_ref (db);
  self->session_id = g_strdup (session_id);
  start_following (self);
  return self;
}

const char *
lean_session_log_get_session_id (LeanSessionLog *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_LOG (self), NULL);
  return self->session_id;
}

guint64
lean_session_log_get_length (LeanSessionLog    *self,
                             LeanOutputChannel  channel)
{
  g_return_val_if_fail (LEAN_IS_SESSION_LOG (self), 0);
  g_return_val_if_fail (channel == LEAN_OUTPUT_CHANNEL_RAW || channel == LEAN_OUTPUT_CHANNEL_DISPLAY, 0);
  return self->length[stored_channel (self, channel)];
}

gboolean
lean_session_log_get_ended (LeanSessionLog *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_LOG (self), FALSE);
  return self->ended;
}
