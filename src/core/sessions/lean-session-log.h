/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-session-db.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SESSION_LOG (lean_session_log_get_type ())

G_DECLARE_FINAL_TYPE (LeanSessionLog, lean_session_log, LEAN, SESSION_LOG, GObject)

/* One session's output, served by offset: what every view follows (the
 * session page, Session History, replay, `leanspec-ctl sessions logs
 * --follow`).
 *
 * A session run by this process has the log its controller feeds
 * (lean_controller_get_log()): "appended" is emitted as the controller stores
 * each chunk, and while somebody is connected to "appended" the recent
 * output of the channels it reads is kept in memory and read from there. Any other session gets
 * lean_session_log_new(): it reads the database and follows a session that
 * another process still runs by watching the database file and its WAL with
 * a GFileMonitor; each change notification (rate limited to one per
 * 100 ms) makes a worker thread read the stored row and the stored length of
 * each channel, and growth is announced as "appended". Nothing polls on a
 * timer and nothing sleeps.
 *
 * Offsets count bytes from the start of a channel. The DISPLAY channel of a
 * text (unstructured) session is its RAW channel.
 *
 * Signals:
 *   "appended" (guint channel, guint64 offset, guint64 length): bytes
 *              [offset, offset + length) of @channel can now be read.
 *   "ended" (): the session is over; every byte was announced before.
 *   "refreshed" (LeanSession *stored): a followed session's stored row, read
 *              with the lengths it announced (another process's session). */

LeanSessionLog *lean_session_log_new          (LeanSessionDb        *db,
                                               const char           *session_id);
const char     *lean_session_log_get_session_id (LeanSessionLog     *self);
/* Bytes of @channel known so far. */
guint64         lean_session_log_get_length   (LeanSessionLog       *self,
                                               LeanOutputChannel     channel);
gboolean        lean_session_log_get_ended    (LeanSessionLog       *self);

/* Reads at most @max bytes of @channel from @from (fewer, or none at the
 * known end). A session of this process: the bytes announced so far; any
 * other: what is stored. */
void            lean_session_log_read_async   (LeanSessionLog       *self,
                                               LeanOutputChannel     channel,
                                               guint64               from,
                                               gsize                 max,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GBytes         *lean_session_log_read_finish  (LeanSessionLog       *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
