/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-runner.h"

G_BEGIN_DECLS

#define LEAN_TYPE_RELAY_RUNNER (lean_relay_runner_get_type ())

G_DECLARE_FINAL_TYPE (LeanRelayRunner, lean_relay_runner, LEAN, RELAY_RUNNER, GObject)

/* A LeanRunner whose agent runs on an agent-relay runner daemon, reached
 * through HQ over a WebSocket (docs/agent-relay-protocol.md).
 *
 * @server_url: ws://, wss://, http:// or https:// base URL of HQ (a path
 *   prefix is kept; http(s) is mapped to ws(s)).
 * @runner_id: the runner daemon that hosts the agent.
 * @token: sent as "Authorization: Bearer"; NULL sends none.
 * @session_id: the session's UUID, sent in start_session. NULL: a new UUID
 *   at start.
 *
 * The launch's argv is sent as the command; cwd and env cannot be carried
 * by the protocol today: the command runs in the runner daemon's own
 * working directory and environment. */
LeanRelayRunner *lean_relay_runner_new                 (const char       *server_url,
                                                        const char       *runner_id,
                                                        const char       *token,
                                                        const char       *session_id);
/* The configured server name shown by lean_runner_describe() instead of the URL. */
void             lean_relay_runner_set_server_name     (LeanRelayRunner  *self,
                                                        const char       *name);
const char      *lean_relay_runner_get_url             (LeanRelayRunner  *self);
const char      *lean_relay_runner_get_runner_id       (LeanRelayRunner  *self);
/* NULL until start when none was given to new(). */
const char      *lean_relay_runner_get_session_id      (LeanRelayRunner  *self);
/* Defaults: connect timeout 10 s, ping every 10 s, dead after 30 s of
 * silence. Tests shorten them. Call before start. */
void             lean_relay_runner_set_timeouts        (LeanRelayRunner  *self,
                                                        guint             connect_timeout_ms,
                                                        guint             keepalive_interval_s,
                                                        guint             dead_peer_timeout_ms);

/* Normalises a base URL: http -> ws, https -> wss, no trailing '/'.
 * Returns NULL with LEAN_ERROR_INVALID_VALUE for anything else. */
char            *lean_relay_normalize_url              (const char       *url,
                                                        GError          **error);

/* GET /health on a relay; TRUE when it answers {"status":"ok"}. Errors are
 * LEAN_ERROR_CONNECTION with a sentence naming the server and the cause. */
void             lean_relay_check_health_async         (const char          *url,
                                                        const char          *token,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean         lean_relay_check_health_finish        (GAsyncResult        *result,
                                                        GError             **error);

/* Looks the token up in the keyring under this server name at start (off
 * the main loop) when none was given to new(). */
void             lean_relay_runner_set_keyring_server  (LeanRelayRunner  *self,
                                                        const char       *server_name);

/* Lets the token go over ws:// to a host that is not this computer (off by
 * default: start fails with words that say how to allow it). */
void             lean_relay_runner_set_allow_insecure_token (LeanRelayRunner *self,
                                                             gboolean         allow);

typedef struct _LeanRelayConfig LeanRelayConfig;

/* The controller's and CLI's way to make a relay runner: parses
 * "relay:SERVER[/RUNNER_ID]" against @config (NULL: load relays.json from
 * the default place), takes the token from LEANSPEC_RELAY_TOKEN or, at
 * start, from the keyring, and names the runner after the server. Does not
 * block on the network or the keyring. @session_id may be NULL (see new()). */
LeanRunner      *lean_relay_create_runner              (LeanRelayConfig  *config,
                                                        const char       *runner_spec,
                                                        const char       *session_id,
                                                        GError          **error);

G_END_DECLS
