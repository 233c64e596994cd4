/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-db.h"

G_BEGIN_DECLS

/* Runs @sql on the writer connection, in order with queued writes (tests:
 * "PRAGMA max_page_count = N" to fill the "disk"). */
void  _lean_session_db_exec                (LeanSessionDb *self,
                                            const char    *sql);
/* Field 22 of /proc/PID/stat (start time in ticks), NULL if gone/zombie. */
char *_lean_session_db_process_start_time  (int            pid);

/* Chunks of @channel (as stored: no display -> raw mapping) with seq >
 * @after_seq, whole chunks until at least @max_bytes. */
GBytes  *_lean_session_db_read_chunks   (LeanSessionDb      *self,
                                         const char         *session_id,
                                         LeanOutputChannel   channel,
                                         gint64              after_seq,
                                         gsize               max_bytes,
                                         gint64             *last_seq,
                                         GError            **error);
/* The stored row and the stored length of each channel, read in that
 * order. Blocking. */
gboolean _lean_session_db_read_progress (LeanSessionDb      *self,
                                         const char         *session_id,
                                         LeanSession       **stored,
                                         guint64             lengths[2],
                                         GError            **error);

G_END_DECLS
