/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One configured agent-relay HQ. */
typedef struct
{
  char  *name;            /* unique, no '/', e.g. "lab" */
  char  *url;             /* normalised ws:// or wss:// base */
  char  *default_runner;  /* NULL: none */
  char **runner_ids;      /* known runner ids, may be NULL/empty */
  gboolean allow_insecure_token; /* the person agreed: token over ws:// to another host */
} LeanRelayServer;

#define LEAN_TYPE_RELAY_SERVER (lean_relay_server_get_type ())
GType            lean_relay_server_get_type (void) G_GNUC_CONST;
LeanRelayServer *lean_relay_server_new      (const char            *name,
                                             const char            *url);
LeanRelayServer *lean_relay_server_copy     (const LeanRelayServer *server);
void             lean_relay_server_free     (LeanRelayServer       *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanRelayServer, lean_relay_server_free)

/* Where a relay session goes, from "relay:SERVER[/RUNNER_ID]". */
typedef struct
{
  char *server_name;      /* configured name, or NULL when given as a URL */
  char *url;              /* normalised ws(s):// base */
  char *runner_id;
} LeanRelayTarget;

void             lean_relay_target_free     (LeanRelayTarget       *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanRelayTarget, lean_relay_target_free)

#define LEAN_TYPE_RELAY_CONFIG (lean_relay_config_get_type ())

G_DECLARE_FINAL_TYPE (LeanRelayConfig, lean_relay_config, LEAN, RELAY_CONFIG, GObject)

/* Relay servers, kept in $XDG_CONFIG_HOME/leanspec-desktop/relays.json so
 * the app and leanspec-ctl share them (GSettings would hide them from the
 * CLI on machines without the schema). Tokens are never in this file: they
 * live in the keyring (lean_relay_token_*). Signal "changed" after edits. */
LeanRelayConfig       *lean_relay_config_new                (const char             *path);
char                  *lean_relay_config_get_default_path   (void);
const char            *lean_relay_config_get_path           (LeanRelayConfig        *self);
/* A missing file is an empty configuration, not an error. A broken file is
 * an error, and save() then refuses to overwrite it. Blocking: small file. */
gboolean               lean_relay_config_load               (LeanRelayConfig        *self,
                                                             GError                **error);
gboolean               lean_relay_config_save               (LeanRelayConfig        *self,
                                                             GError                **error);
/* Why the last load failed (then save() refuses), or NULL. */
const char            *lean_relay_config_get_load_error     (LeanRelayConfig        *self);
guint                  lean_relay_config_get_n_servers      (LeanRelayConfig        *self);
const LeanRelayServer *lean_relay_config_get_server         (LeanRelayConfig        *self,
                                                             guint                   index);
const LeanRelayServer *lean_relay_config_lookup             (LeanRelayConfig        *self,
                                                             const char             *name);
const LeanRelayServer *lean_relay_config_lookup_url         (LeanRelayConfig        *self,
                                                             const char             *url);
/* Adds or replaces (by name). Validates the name and URL. */
gboolean               lean_relay_config_set_server         (LeanRelayConfig        *self,
                                                             const LeanRelayServer  *server,
                                                             GError                **error);
gboolean               lean_relay_config_remove_server      (LeanRelayConfig        *self,
                                                             const char             *name);
/* Per-project default runner: "local" or "relay:SERVER/RUNNER"; NULL: none. */
const char            *lean_relay_config_get_project_runner (LeanRelayConfig        *self,
                                                             const char             *project_path);
void                   lean_relay_config_set_project_runner (LeanRelayConfig        *self,
                                                             const char             *project_path,
                                                             const char             *runner);

/* Every configured relay runner as a runner string, "relay:NAME/RUNNER_ID",
 * server by server, each server's default runner first: the choices an
 * Implement dialog offers next to "local". */
GStrv                  lean_relay_config_list_runners       (LeanRelayConfig        *self);

/* TRUE for "relay:..." runner strings. */
gboolean               lean_relay_is_relay_spec             (const char             *runner_spec);
/* Parses "relay:SERVER[/RUNNER_ID]" where SERVER is a configured name or a
 * ws://, wss://, http:// or https:// URL (then the last path segment is the
 * runner id). Without a runner id the server's default runner is used, or
 * its only known runner. @config may be NULL (URLs only). */
LeanRelayTarget       *lean_relay_parse_runner_spec         (const char             *runner_spec,
                                                             LeanRelayConfig        *config,
                                                             GError                **error);

/* Whether a token may be sent to @url: always over wss:// and to this
 * computer (loopback); over ws:// to another host only when @allow_insecure
 * (the person agreed, per server) — else FALSE and an error that says how
 * to agree. */
gboolean               lean_relay_token_allowed             (const char             *url,
                                                             const char             *server_name,
                                                             gboolean                allow_insecure,
                                                             GError                **error);

/* Tokens. LEANSPEC_RELAY_TOKEN, when set, overrides the keyring for every
 * server (scripts and CI). Lookup returns NULL without error when no token
 * is stored. Without a Secret Service the error says so and names the env
 * variable. The _sync calls block on D-Bus: use the async ones in the UI. */
char                  *lean_relay_token_lookup_sync         (const char             *server_name,
                                                             GCancellable           *cancellable,
                                                             GError                **error);
void                   lean_relay_token_lookup_async        (const char             *server_name,
                                                             GCancellable           *cancellable,
                                                             GAsyncReadyCallback     callback,
                                                             gpointer                user_data);
char                  *lean_relay_token_lookup_finish       (GAsyncResult           *result,
                                                             GError                **error);
/* An empty or NULL token clears the stored one. */
gboolean               lean_relay_token_store_sync          (const char             *server_name,
                                                             const char             *token,
                                                             GCancellable           *cancellable,
                                                             GError                **error);
void                   lean_relay_token_store_async         (const char             *server_name,
                                                             const char             *token,
                                                             GCancellable           *cancellable,
                                                             GAsyncReadyCallback     callback,
                                                             gpointer                user_data);
gboolean               lean_relay_token_store_finish        (GAsyncResult           *result,
                                                             GError                **error);

G_END_DECLS
