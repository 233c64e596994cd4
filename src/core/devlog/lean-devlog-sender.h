/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-devlog-settings.h"

G_BEGIN_DECLS

#define LEAN_TYPE_DEVLOG_SENDER (lean_devlog_sender_get_type ())

G_DECLARE_FINAL_TYPE (LeanDevlogSender, lean_devlog_sender, LEAN, DEVLOG_SENDER, GObject)

/* Drains the telemetry outbox of the session database at a path to Devlog,
 * on a thread of its own (SQLite and HTTP never run on the caller's main
 * loop). Batches of at most 500 events and 1 MiB, oldest first; rows are
 * deleted only after a 2xx. A refused connection, a timeout, a 5xx, 401,
 * 403, 404 or 429 is retried with exponential backoff and jitter (1 s up to
 * 5 min) for as long as the sender runs; a 400, 413 or 422 splits the batch
 * until the refused event is alone, and that one is parked with Devlog's
 * answer. Across processes one sender at a time holds the outbox's lease.
 *
 * Signal "changed": something was delivered, parked or failed (emitted on
 * the main context that created the sender); read the figures with
 * lean_devlog_status_read_async(). */

LeanDevlogSender *lean_devlog_sender_new           (const char               *db_path);
/* A copy is taken; telemetry off makes the sender idle. The token is
 * looked up on the sender's thread ($LEANSPEC_DEVLOG_TOKEN or keyring). */
void              lean_devlog_sender_set_settings  (LeanDevlogSender         *self,
                                                    const LeanDevlogSettings *settings);
void              lean_devlog_sender_start         (LeanDevlogSender         *self);
/* Stops the thread (an HTTP request in flight is cancelled). */
void              lean_devlog_sender_stop          (LeanDevlogSender         *self);
/* New rows may be waiting: look now instead of at the next poll. */
void              lean_devlog_sender_kick          (LeanDevlogSender         *self);
/* Blocks until the outbox was seen empty after this call, or @timeout_usec
 * passed (FALSE). For the CLI and tests, never for a main loop. */
gboolean          lean_devlog_sender_wait_empty    (LeanDevlogSender         *self,
                                                    gint64                    timeout_usec);
/* How many batches were posted (tests and benches). */
guint64           lean_devlog_sender_get_posts     (LeanDevlogSender         *self);

/* The figures of the outbox (LeanDevlogStatus, lean-devlog-outbox.h), read
 * on a worker thread. */
void              lean_devlog_status_read_async    (const char               *db_path,
                                                    GCancellable             *cancellable,
                                                    GAsyncReadyCallback       callback,
                                                    gpointer                  user_data);
gpointer          lean_devlog_status_read_finish   (GAsyncResult             *result,
                                                    GError                  **error);

/* Test Connection: the kind that answered (a collector's GET /health, or
 * a backend that accepts an empty batch with the token), on a worker
 * thread. */
void              lean_devlog_test_connection_async  (const LeanDevlogSettings *settings,
                                                      const char               *token,
                                                      GCancellable             *cancellable,
                                                      GAsyncReadyCallback       callback,
                                                      gpointer                  user_data);
gboolean          lean_devlog_test_connection_finish (GAsyncResult             *result,
                                                      LeanDevlogKind           *kind,
                                                      GError                  **error);

/* Tests: the backoff's first and longest waits. */
void              _lean_devlog_sender_set_backoff  (LeanDevlogSender         *self,
                                                    gint64                    min_usec,
                                                    gint64                    max_usec);

G_END_DECLS
