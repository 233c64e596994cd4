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

/* NULL path: $XDG_DATA_HOME/leanspec-desktop/sessions.db. Marks sessions left
 * running by a process that is gone as interrupted. */
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

/* Async reads: list sessions (GListStore of LeanSession, newest first,
 * optionally for one spec id) and the full stored output of one session. */
void           lean_session_db_list_async          (LeanSessionDb        *self,
                                                    const char           *spec_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GListModel    *lean_session_db_list_finish         (LeanSessionDb        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           lean_session_db_read_output_async   (LeanSessionDb        *self,
                                                    const char           *session_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GBytes        *lean_session_db_read_output_finish  (LeanSessionDb        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
