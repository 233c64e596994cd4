/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where Devlog events go, and whether they go at all. Kept in
 * $XDG_CONFIG_HOME/leanspec-desktop/devlog.json (or $LEANSPEC_DEVLOG_CONFIG),
 * shared by the app and leanspec-ctl. The token is never in that file: it
 * lives in the keyring (lean_devlog_token_*) or in $LEANSPEC_DEVLOG_TOKEN.
 * $LEANSPEC_DEVLOG_URL overrides the stored URL (and turns telemetry on). */

typedef enum
{
  LEAN_DEVLOG_KIND_AUTO = 0,   /* probe GET /health: a collector answers it */
  LEAN_DEVLOG_KIND_COLLECTOR,  /* devlog start: POST /events, no auth */
  LEAN_DEVLOG_KIND_BACKEND,    /* POST /api/events/batch, Bearer token */
} LeanDevlogKind;

#define LEAN_DEVLOG_DEFAULT_MAX_QUEUED 1000000

typedef struct
{
  char           *url;           /* NULL: telemetry off, nothing is queued */
  LeanDevlogKind  kind;
  gint64          project_id;    /* Devlog's project id, >= 1 */
  gint64          max_queued;    /* outbox bound; past it the oldest are dropped */
  gboolean        send_content;  /* file contents, prompts, assistant text */
  gboolean        url_from_env;  /* url came from $LEANSPEC_DEVLOG_URL: not saved */
} LeanDevlogSettings;

LeanDevlogSettings *lean_devlog_settings_new        (void);
LeanDevlogSettings *lean_devlog_settings_copy       (const LeanDevlogSettings *self);
void                lean_devlog_settings_free       (LeanDevlogSettings       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanDevlogSettings, lean_devlog_settings_free)

/* $LEANSPEC_DEVLOG_CONFIG, else $XDG_CONFIG_HOME/leanspec-desktop/devlog.json. */
char               *lean_devlog_settings_default_path (void);
/* NULL @path: the default. A missing file is telemetry off, not an error;
 * a broken one is LEAN_ERROR_INVALID_VALUE. The environment is applied. */
LeanDevlogSettings *lean_devlog_settings_load       (const char               *path,
                                                     GError                  **error);
/* Atomic write, 0600. A URL from the environment is not written. */
gboolean            lean_devlog_settings_save       (const LeanDevlogSettings *self,
                                                     const char               *path,
                                                     GError                  **error);
gboolean            lean_devlog_settings_is_enabled (const LeanDevlogSettings *self);

const char         *lean_devlog_kind_to_string      (LeanDevlogKind            kind);
gboolean            lean_devlog_kind_from_string    (const char               *text,
                                                     LeanDevlogKind           *kind);
/* An http:// or https:// URL with a host, without user info, query or
 * fragment; else LEAN_ERROR_INVALID_VALUE. */
gboolean            lean_devlog_url_check           (const char               *url,
                                                     GError                  **error);

/* $LEANSPEC_DEVLOG_TOKEN, else the keyring's token for @url, else NULL
 * without an error. Blocking (D-Bus): worker threads and the CLI. */
char               *lean_devlog_token_lookup_sync   (const char               *url,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
/* NULL or "" clears it. Blocking. */
gboolean            lean_devlog_token_store_sync    (const char               *url,
                                                     const char               *token,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

/* ~/.devlog/collector.json, written by Devlog's own tools: its backendUrl
 * and apiKey (either may be NULL). FALSE when the file is missing or has
 * neither. Small and bounded: a blocking read is fine off the main loop. */
gboolean            lean_devlog_read_collector_json (char                    **url,
                                                     char                    **api_key);

G_END_DECLS
