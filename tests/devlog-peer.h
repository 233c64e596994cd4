/* SPDX-License-Identifier: MIT */
#pragma once

/* A Devlog stand-in on loopback for the tests and the bench: a SoupServer
 * on a thread of its own (so a test may block while the sender posts) that
 * checks every event the way the real endpoint does and records what it
 * accepted.
 *
 * Collector (devlog start): GET /health -> {"status":"ok"}; POST /events
 * -> 200 {"status":"success"}. Its body is deserialised with serde into
 * Vec<AgentEvent>: one event with a missing or mistyped required field and
 * the whole request is refused (422), nothing stored.
 *
 * Backend: POST /api/events/batch with "Authorization: Bearer TOKEN",
 * checked with zod: at most 1000 events, sessionId a UUID, projectId a
 * positive integer, severity info|warning|error, relatedEventIds UUIDs,
 * tags strings, ... -> 201 {"created": n, "requested": n}, else 400
 * {"error": ...}. */

#include <json-glib/json-glib.h>

#include "lean-devlog-settings.h"

G_BEGIN_DECLS

typedef struct _DevlogPeer DevlogPeer;

/* @port 0: any free port. */
DevlogPeer *devlog_peer_start        (LeanDevlogKind  kind,
                                      guint           port,
                                      const char     *token);
void        devlog_peer_stop         (DevlogPeer     *peer);
guint       devlog_peer_get_port     (DevlogPeer     *peer);
char       *devlog_peer_get_url      (DevlogPeer     *peer);
/* Answer the next @n posts with 500. */
void        devlog_peer_fail_next    (DevlogPeer     *peer,
                                      guint           n);
/* Accepted events so far (JsonObject refs, in arrival order). */
GPtrArray  *devlog_peer_dup_accepted (DevlogPeer     *peer);
guint       devlog_peer_n_accepted   (DevlogPeer     *peer);
guint       devlog_peer_n_posts      (DevlogPeer     *peer);
guint       devlog_peer_n_refused    (DevlogPeer     *peer);
/* How many event ids were accepted more than once. */
guint       devlog_peer_n_duplicates (DevlogPeer     *peer);

/* The checks, on their own: NULL when @body (the request's JSON text) is
 * accepted, else why not. */
char       *devlog_peer_check_collector (const char *body,
                                         gsize       len);
char       *devlog_peer_check_backend   (const char *body,
                                         gsize       len);

G_END_DECLS
