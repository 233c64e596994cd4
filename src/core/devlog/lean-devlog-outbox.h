/* SPDX-License-Identifier: MIT */
#pragma once

#include <sqlite3.h>

#include "lean-devlog-settings.h"
#include "lean-session-db.h"

G_BEGIN_DECLS

/* The telemetry outbox in the session database: Devlog events, ready to
 * post, in the order they were written (telemetry_outbox, rowid order);
 * events Devlog refused one by one (telemetry_parked, with its answer);
 * counters and the last delivery (telemetry_state); and the lease that
 * lets one process at a time send (telemetry_lease). Every function here
 * blocks on SQLite: worker threads and the CLI only. */

/* Turns the queueing on for @db with a copy of @settings, or off when
 * telemetry is not enabled (then nothing is queued). Any thread. */
void      lean_devlog_outbox_attach     (LeanSessionDb            *db,
                                         const LeanDevlogSettings *settings);

/* Creates the outbox's own tables when missing; outbox rows from before
 * them (written while telemetry could not be turned on) are dropped. */
gboolean  lean_devlog_outbox_prepare    (sqlite3                  *db,
                                         GError                  **error);

typedef struct
{
  gint64  id;
  char   *session_id;
  char   *payload;    /* one Devlog event, JSON text */
} LeanDevlogRow;

/* The oldest rows, at most @max_rows and @max_bytes of payload (always at
 * least one row when there is one). GPtrArray of LeanDevlogRow. */
GPtrArray *lean_devlog_outbox_read      (sqlite3                  *db,
                                         guint                     max_rows,
                                         gsize                     max_bytes,
                                         GError                  **error);
/* Rows @first..@last (ids) were accepted: removes them, counts them. */
gboolean  lean_devlog_outbox_delivered  (sqlite3                  *db,
                                         gint64                    first,
                                         gint64                    last,
                                         GError                  **error);
/* Row @id was refused alone: moves it to telemetry_parked with @status
 * and @response (cut to 4 KiB). */
gboolean  lean_devlog_outbox_park       (sqlite3                  *db,
                                         gint64                    id,
                                         guint                     status,
                                         const char               *response,
                                         GError                  **error);
/* Remembers the last failure, shown in status; NULL clears it. */
gboolean  lean_devlog_outbox_note_error (sqlite3                  *db,
                                         const char               *message,
                                         GError                  **error);

/* The one sender: TRUE when @owner holds the lease now (taken, renewed,
 * or taken over from an owner that let it expire) for @ttl_usec. */
gboolean  lean_devlog_outbox_lease      (sqlite3                  *db,
                                         const char               *owner,
                                         gint64                    ttl_usec,
                                         GError                  **error);
void      lean_devlog_outbox_unlease    (sqlite3                  *db,
                                         const char               *owner);

typedef struct
{
  gint64  queued;
  gint64  dropped;         /* oldest events dropped past the bound */
  gint64  parked;
  gint64  delivered;       /* since the outbox was created */
  gint64  last_delivery;   /* unix usec, 0: never */
  char   *last_error;      /* NULL: none since the last delivery */
  gint64  last_error_at;
  char   *last_parked;     /* the last refused event's answer, or NULL */
  char   *lease_owner;     /* who sends now, or NULL */
} LeanDevlogStatus;

void              lean_devlog_status_free (LeanDevlogStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanDevlogStatus, lean_devlog_status_free)
LeanDevlogStatus *lean_devlog_outbox_status (sqlite3          *db,
                                             GError          **error);

/* A read-write connection to the session database at @path (WAL, busy
 * timeout) with the outbox prepared. */
sqlite3  *lean_devlog_outbox_open       (const char               *path,
                                         GError                  **error);

G_END_DECLS
