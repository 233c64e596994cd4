/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-session.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_DB (lean_session_db_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionDb, lean_session_db, LEAN, SESSION_DB, GObject)

/* The SQLite database of sessions, their output chunks and events (WAL,
 * user_version migrations). Writes are queued and committed in batches on a
 * worker thread (every ~50 ms or 64 KiB); reads are async. Never blocks the
 * main loop except in open/close. */

/* NULL path: $XDG_DATA_HOME/leanspec-desktop/sessions.db. A new file is
 * created readable by its owner only (0600). Opening changes nothing that
 * is stored and signals no process: recovery is lean_session_db_recover(). */
LeanSessionDb *lean_session_db_open                (const char           *path,
                                                    GError              **error);
const char    *lean_session_db_get_path            (LeanSessionDb        *self);

/* Queued writes (return at once). */
void           lean_session_db_save_session        (LeanSessionDb        *self,
                                                    LeanSession          *session);
void           lean_session_db_append_output       (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    GBytes               *bytes);
void           lean_session_db_add_event           (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    const char           *kind,
                                                    const char           *json_payload);
/* Blocks until every queued write is committed (tests, shutdown). */
void           lean_session_db_flush               (LeanSessionDb        *self);

/* Async read: list sessions (GListStore of LeanSession, newest first,
 * optionally for one spec id). */
void           lean_session_db_list_async          (LeanSessionDb        *self,
                                                    const char           *spec_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GListModel    *lean_session_db_list_finish         (LeanSessionDb        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* Path: an explicit @path wins; NULL means $LEANSPEC_DB when set (tests,
 * scripts), else $XDG_DATA_HOME/leanspec-desktop/sessions.db.
 *
 * Output is stored in two channels of the same log: RAW is every byte the
 * agent wrote to its terminal; DISPLAY is what views showed for a
 * structured agent (the stream parser's rendering). For a text agent only
 * RAW exists and it is also the display. Replaying the display channel into
 * a terminal shows what the live view showed.
 *
 * Signal "write-failed" (const char *message): a batch could not be
 * committed (disk full, I/O error); emitted on the main context that opened
 * the database, once per run of failures. The writer keeps going. */
typedef enum
{
  LEAN_OUTPUT_CHANNEL_RAW = 0,
  LEAN_OUTPUT_CHANNEL_DISPLAY = 1,
} LeanOutputChannel;

typedef struct
{
  gint64  seq;
  gint64  ts;       /* unix microseconds */
  char   *kind;
  char   *payload;  /* JSON text */
} LeanSessionEvent;

#define LEAN_TYPE_SESSION_EVENT (lean_session_event_get_type ())
GType             lean_session_event_get_type (void) G_GNUC_CONST;
LeanSessionEvent *lean_session_event_copy     (const LeanSessionEvent *event);
void              lean_session_event_free     (LeanSessionEvent       *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSessionEvent, lean_session_event_free)

/* Queued write into one channel (append_output is the RAW channel). */
void           lean_session_db_append_channel      (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    LeanOutputChannel     channel,
                                                    GBytes               *bytes);
/* Like save_session, but the batch holding it is committed at once instead
 * of waiting for the 50 ms tick: used for state changes. */
void           lean_session_db_save_session_now    (LeanSessionDb        *self,
                                                    LeanSession          *session);
/* Saves the session and adds an event about it in the same transaction
 * (e.g. "usage" with the new totals): history never has one without the
 * other. */
void           lean_session_db_save_session_with_event (LeanSessionDb    *self,
                                                        LeanSession      *session,
                                                        const char       *kind,
                                                        const char       *json_payload);
/* Asks the process that owns the session to cancel it (queued write; the
 * owner polls on SIGUSR1, see LeanController). */
void           lean_session_db_request_cancel      (LeanSessionDb        *self,
                                                    const char           *session_id);
/* flush() in a worker thread: the callback runs once every write queued
 * before the call is committed (views attaching to a live session). */
void           lean_session_db_flush_async         (LeanSessionDb        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       lean_session_db_flush_finish        (LeanSessionDb        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* Waits for the writer, stops it and closes the database; later writes are
 * dropped. Also done on dispose. */
void           lean_session_db_close               (LeanSessionDb        *self);

/* Blocking reads with their own connection: for worker threads and the CLI,
 * never for the GTK main loop. */
GListModel    *lean_session_db_list                (LeanSessionDb        *self,
                                                    const char           *spec_id,
                                                    GError              **error);
/* A full id or a unique prefix of one (like git). LEAN_ERROR_NOT_FOUND,
 * LEAN_ERROR_AMBIGUOUS. */
LeanSession   *lean_session_db_lookup              (LeanSessionDb        *self,
                                                    const char           *id_or_prefix,
                                                    GError              **error);
/* Concatenated chunks of @channel with seq > @after_seq (-1: all);
 * @last_seq (may be NULL) gets the last seq read, or @after_seq. For
 * LEAN_OUTPUT_CHANNEL_DISPLAY of a text session, the RAW channel is read. */
GBytes        *lean_session_db_read_output_range   (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    LeanOutputChannel     channel,
                                                    gint64                after_seq,
                                                    gint64               *last_seq,
                                                    GError              **error);
/* GPtrArray of LeanSessionEvent with seq > @after_seq, in order. */
GPtrArray     *lean_session_db_read_events         (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    gint64                after_seq,
                                                    GError              **error);
/* Ids of this process's live sessions whose cancel was requested. */
GStrv          lean_session_db_read_cancel_requests(LeanSessionDb        *self,
                                                    GError              **error);
/* Whether the process that owns @session_id (pid + start time + boot id
 * as stored) still runs; @owner_pid may be NULL. */
gboolean       lean_session_db_owner_is_alive      (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    int                  *owner_pid,
                                                    GError              **error);

/* Async: the display stream (what a view shows) of one session. */
void           lean_session_db_read_display_async  (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GBytes        *lean_session_db_read_display_finish (LeanSessionDb        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* One stored row of output: when it was written (unix microseconds) and
 * its bytes. Consecutive writes are merged into one row of up to 64 KiB
 * per ~50 ms batch, so times are as fine as the batches. */
typedef struct
{
  gint64  ts;
  GBytes *bytes;
} LeanOutputChunk;

void           lean_output_chunk_free              (LeanOutputChunk      *chunk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanOutputChunk, lean_output_chunk_free)

/* Blocking: every stored chunk of @channel with its time, in order (a GPtrArray
 * of LeanOutputChunk). DISPLAY of a text session reads RAW, as
 * read_output_range does. For exports and replays. */
GPtrArray     *lean_session_db_read_timed_output   (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    LeanOutputChannel     channel,
                                                    GError              **error);

/* Queued write: marks every ended session of @spec_id in @project_path
 * archived (the spec was completed). Nothing is deleted; live sessions
 * are left alone. */
void           lean_session_db_archive_spec        (LeanSessionDb        *self,
                                                    const char           *project_path,
                                                    const char           *spec_id);

typedef enum
{
  LEAN_SESSION_RECOVER_NONE = 0,
  /* Also stop an agent that outlived its owner: SIGTERM to its process
   * group, only when its pid is above 1 and its start time, executable and
   * boot match what was recorded when it started. */
  LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS = 1 << 0,
} LeanSessionRecoverFlags;

/* Crash recovery, called explicitly after opening by whoever owns the
 * sessions (the app at start, the CLI): sessions left pending, running,
 * paused or validating by a process that is gone (pid + start time + boot
 * id) become interrupted, ending at their last stored output, with a
 * "state" event. @n_interrupted (may be NULL) gets how many. Blocking: in
 * a worker thread or the CLI, or use the async variant. */
gboolean       lean_session_db_recover             (LeanSessionDb           *self,
                                                    LeanSessionRecoverFlags  flags,
                                                    guint                   *n_interrupted,
                                                    GError                 **error);
void           lean_session_db_recover_async       (LeanSessionDb           *self,
                                                    LeanSessionRecoverFlags  flags,
                                                    GCancellable            *cancellable,
                                                    GAsyncReadyCallback      callback,
                                                    gpointer                 user_data);
gboolean       lean_session_db_recover_finish      (LeanSessionDb           *self,
                                                    GAsyncResult            *result,
                                                    guint                   *n_interrupted,
                                                    GError                 **error);

G_END_DECLS
