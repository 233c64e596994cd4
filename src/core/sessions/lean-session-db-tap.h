/* SPDX-License-Identifier: MIT */
#pragma once

#include <sqlite3.h>

#include "lean-session-db.h"

G_BEGIN_DECLS

/* A tap sees every event the database writes (stream events, state
 * changes, usage, problems, checks), inside the transaction that writes it,
 * on the thread that writes it (the writer thread, or a recovery thread),
 * with that thread's connection @db. It may write rows of its own with @db
 * (the telemetry outbox); returning FALSE fails the transaction, so the
 * event and what the tap wrote are stored together or not at all. The
 * session's row, when saved in the same batch, is already visible to @db.
 *
 * Without a tap nothing but the event is written: telemetry that is off
 * queues nothing. */
typedef gboolean (*LeanSessionDbTap) (sqlite3    *db,
                                      const char *session_id,
                                      gint64      seq,
                                      gint64      ts,
                                      const char *kind,
                                      const char *payload,
                                      gpointer    user_data);

/* Replaces the tap (NULL removes it); the old data is destroyed once no
 * write uses it. Events written after this returns see the new tap. Any
 * thread. */
void lean_session_db_set_tap (LeanSessionDb   *self,
                              LeanSessionDbTap tap,
                              gpointer         user_data,
                              GDestroyNotify   destroy);

G_END_DECLS
