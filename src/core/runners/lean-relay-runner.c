/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#ifdef __linux__
# include <netinet/in.h>
# include <netinet/tcp.h>
# include <sys/socket.h>
#endif

#include "lean-error.h"
#include "lean-json.h"
#include "lean-relay-config.h"
#include "lean-relay-guard.h"
#include "lean-relay-message.h"
#include "lean-text.h"
#include "lean-relay-runner.h"
#include "lean-context-pump.h"

#define DEFAULT_CONNECT_TIMEOUT_MS   10000
#define DEFAULT_KEEPALIVE_S          10
#define DEFAULT_DEAD_PEER_MS         30000
#define CLOSE_GRACE_MS               3000
/* PTY output arrives in chunks of a few KiB; a paste or a generous HQ may
 * send more in one frame than libsoup's 128 KiB default allows. */
#define MAX_INCOMING_PAYLOAD         (16 * 1024 * 1024)
/* A whole message, however many fragments it comes in, gets the same
 * bound, plus room for what sits in the kernel's receive buffer. */
#define MAX_MESSAGE_IN_FLIGHT        (MAX_INCOMING_PAYLOAD + 16 * 1024 * 1024)

struct _LeanRelayRunner
{
  GObject                  parent_instance;

  char                    *url;          /* normalised ws(s):// base */
  char                    *runner_id;
  char                    *token;
  char                    *session_id;
  char                    *server_name;
  char                    *keyring_server; /* look the token up at start */
  char                    *url_error;      /* the server URL was not usable */
  gboolean                 allow_insecure_token; /* token over ws:// to another host */

  guint                    connect_timeout_ms;
  guint                    keepalive_s;
  guint                    dead_peer_ms;

  SoupSession             *session;
  SoupMessage             *msg;
  SoupWebsocketConnection *conn;
  GSocket                 *socket;       /* the TCP socket under conn, for TCP_INFO */
  LeanRelayGuard          *guard;        /* bounds a fragmented message */
  GTlsCertificateFlags     tls_errors;
  GSocketClientEvent       last_event;
  GCancellable            *connect_cancellable;
  gulong                   caller_cancel_id;
  GCancellable            *caller_cancellable;
  guint                    connect_timeout_id;
  guint                    watchdog_id;
  guint                    close_grace_id;
  GTask                   *start_task;
  LeanRunnerLaunch        *launch;
  gint64                   last_rx_us;

  char                    *relay_error;  /* last {"type":"error"} message */
  GError                  *conn_error;   /* last WebSocket "error" */
  int                      exit_code;
  guint                    pending_rows;  /* resize asked for while connecting */
  guint                    pending_cols;
  /* libsoup's session and WebSocket run in @io_context, which @pump runs
   * from the runner's own context: holding the pump stops the socket reads
   * (see lean-context-pump.h). */
  GMainContext            *io_context;
  GSource                 *pump;

  guint                    started : 1;   /* start_async called */
  guint                    started_emitted : 1;
  guint                    exited_emitted : 1;
  guint                    got_session_ended : 1;
  guint                    cancel_requested : 1;
  guint                    connect_timed_out : 1;
  guint                    dead_peer : 1;
  guint                    held : 1;
};

static void lean_relay_runner_iface_init (LeanRunnerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanRelayRunner, lean_relay_runner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LEAN_TYPE_RUNNER,
                                                      lean_relay_runner_iface_init))

/* ------------------------------------------------------------------------ */
/* URLs and error sentences                                                 */

char *
lean_relay_normalize_url (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  const char *ws_scheme;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a relay address: use ws://host:port or wss://host:port"),
                   url);
      return NULL;
    }

  if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
    ws_scheme = "ws";
  else if (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    ws_scheme = "wss";
  else
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a relay address: the scheme must be ws://, wss://, "
                     "http:// or https://"), url);
      return NULL;
    }

  /* A path prefix is kept for an HQ behind a reverse proxy. */
  path = g_strdup (g_uri_get_path (uri));
  while (*path != '\0' && path[strlen (path) - 1] == '/')
    path[strlen (path) - 1] = '\0';

  return g_uri_join (G_URI_FLAGS_NONE, ws_scheme, NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), path, NULL, NULL);
}

/* ws -> http, wss -> https, for plain requests (/health, error bodies). */
static char *
http_url_for (const char *ws_url,
              const char *suffix)
{
  if (g_str_has_prefix (ws_url, "wss://"))
    return g_strconcat ("https://", ws_url + 6, suffix, NULL);
  if (g_str_has_prefix (ws_url, "ws://"))
    return g_strconcat ("http://", ws_url + 5, suffix, NULL);
  return g_strconcat (ws_url, suffix, NULL);
}

static const char *
describe_tls_flags (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("TLS certificate not trusted (self-signed or issued by an unknown authority)");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("TLS certificate does not match the host name");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("TLS certificate has expired");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("TLS certificate is not valid yet (check the clock)");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("TLS certificate has been revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("TLS certificate uses an insecure algorithm");
  return _("TLS certificate not trusted");
}

static const char *
describe_phase (GSocketClientEvent event)
{
  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      return _("while looking up the host name");
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTING:
      return _("while connecting");
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      return _("during the TLS handshake (if the relay does not use TLS, use a ws:// address)");
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      return _("while talking to the proxy");
    case G_SOCKET_CLIENT_CONNECTED:
    case G_SOCKET_CLIENT_COMPLETE:
      return _("waiting for the relay to answer");
    default:
      return _("while connecting");
    }
}

typedef struct
{
  const char           *display_url;  /* ws(s)://host:port */
  const char           *runner_id;    /* NULL for /health */
  GError               *error;
  GTlsCertificateFlags  tls_errors;
  guint                 status;
  const char           *body_error;   /* {"error": ...} from the answer, or NULL */
  gboolean              timed_out;
  guint                 timeout_s;
  GSocketClientEvent    last_event;
} FailureInfo;

/* One sentence a person can act on, naming the relay and the cause. */
static char *
describe_failure (const FailureInfo *fi)
{
  g_autofree char *reason = NULL;
  g_autoptr(GUri) uri = g_uri_parse (fi->display_url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri ? g_uri_get_host (uri) : fi->display_url;
  int port = uri ? g_uri_get_port (uri) : -1;

  if (fi->status == SOUP_STATUS_NOT_FOUND && fi->runner_id != NULL)
    return g_strdup_printf (_("Relay at %s has no runner “%s” (HTTP 404: %s). Check the runner "
                              "id, or start the runner daemon on its machine."),
                            fi->display_url, fi->runner_id,
                            fi->body_error ? fi->body_error : "runner not found");
  if (fi->status == SOUP_STATUS_UNAUTHORIZED || fi->status == SOUP_STATUS_FORBIDDEN)
    return g_strdup_printf (_("Relay at %s refused the token (HTTP %u%s%s). Set the server’s "
                              "token in Preferences or in LEANSPEC_RELAY_TOKEN."),
                            fi->display_url, fi->status,
                            fi->body_error ? ": " : "", fi->body_error ? fi->body_error : "");
  if (fi->status >= 300 && fi->status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return g_strdup_printf (_("Relay at %s answered HTTP %u %s%s%s instead of %s. Check that "
                              "the address points at agent-relay HQ."),
                            fi->display_url, fi->status,
                            soup_status_get_phrase (fi->status),
                            fi->body_error ? ": " : "", fi->body_error ? fi->body_error : "",
                            fi->runner_id ? _("opening the terminal") : _("reporting its health"));

  if (fi->timed_out)
    reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "no answer within %u second %s",
                                           "no answer within %u seconds %s", fi->timeout_s),
                              fi->timeout_s, describe_phase (fi->last_event));
  else if (fi->tls_errors != 0)
    reason = g_strdup (describe_tls_flags (fi->tls_errors));
  else if (fi->error == NULL)
    reason = g_strdup (_("unknown error"));
  else if (fi->error->domain == G_RESOLVER_ERROR)
    reason = g_strdup_printf (_("the host name “%s” could not be resolved; check the address "
                                "and your network"), host);
  else if (g_error_matches (fi->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    reason = g_strdup_printf (_("connection refused; is agent-relay HQ running and listening "
                                "on port %d?"), port);
  else if (g_error_matches (fi->error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
           || g_error_matches (fi->error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    reason = g_strdup_printf (_("the host is unreachable (%s)"), fi->error->message);
  else if (g_error_matches (fi->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    reason = g_strdup_printf (_("no answer in time %s"), describe_phase (fi->last_event));
  else if (fi->error->domain == G_TLS_ERROR)
    reason = g_strdup_printf (_("TLS handshake failed (%s); if the relay does not use TLS, "
                                "use a ws:// address"), fi->error->message);
  else if (fi->error->domain == SOUP_WEBSOCKET_ERROR)
    reason = g_strdup_printf (_("the WebSocket handshake failed (%s)"), fi->error->message);
  else
    reason = g_strdup (fi->error->message);

  return g_strdup_printf (_("Could not reach relay at %s: %s"), fi->display_url, reason);
}

/* The string member @name of the JSON object in @body, controls stripped,
 * or NULL when the body is not such an object. */
static char *
json_body_string (GBytes     *body,
                  const char *name)
{
  g_autoptr(JsonNode) root = NULL;
  JsonNode *member;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  root = lean_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), 16, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  member = json_object_get_member (json_node_get_object (root), name);
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return lean_text_strip_controls (json_node_get_string (member), -1);
}

/* The {"error": "..."} member of a JSON answer, or NULL. */
static char *
json_error_member (GBytes *body)
{
  return json_body_string (body, "error");
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificateFlags *out = user_data;

  /* Certificate checks stay on: remember why, so the message can say it. */
  *out = errors;
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* The runner                                                               */

static char *
json_message (const char *type,
              JsonObject *payload)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *p = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (p, payload);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "payload");
  json_builder_add_value (b, p);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* libsoup calls are made with the I/O context as thread default, so the
 * sources they add (a write that would block, the close timeout) are
 * pumped, and held, with the rest of the WebSocket. */
static void
ws_send_text (LeanRelayRunner *self,
              const char      *text)
{
  g_main_context_push_thread_default (self->io_context);
  soup_websocket_connection_send_text (self->conn, text);
  g_main_context_pop_thread_default (self->io_context);
}

static void
ws_send_binary (LeanRelayRunner *self,
                gconstpointer    data,
                gsize            len)
{
  g_main_context_push_thread_default (self->io_context);
  soup_websocket_connection_send_binary (self->conn, data, len);
  g_main_context_pop_thread_default (self->io_context);
}

static void
ws_close (LeanRelayRunner *self,
          gushort          code,
          const char      *data)
{
  g_main_context_push_thread_default (self->io_context);
  soup_websocket_connection_close (self->conn, code, data);
  g_main_context_pop_thread_default (self->io_context);
}

static gboolean
is_open (LeanRelayRunner *self)
{
  return self->conn != NULL
         && soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
clear_connect_state (LeanRelayRunner *self)
{
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  if (self->caller_cancellable != NULL && self->caller_cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
}

static void
teardown_connection (LeanRelayRunner *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->close_grace_id, g_source_remove);
  if (self->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->conn, self);
      if (soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        ws_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->conn);
    }
  g_clear_pointer (&self->guard, lean_relay_guard_free);
  g_clear_object (&self->socket);
}

static void
emit_exited (LeanRelayRunner    *self,
             LeanRunnerExitKind  kind,
             int                 exit_code,
             const char         *message)
{
  g_autofree char *clean = NULL;

  if (self->exited_emitted)
    return;
  self->exited_emitted = TRUE;
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->close_grace_id, g_source_remove);
  /* The words may quote the relay (close reason, error body): they reach
   * terminals and the session log, so no control sequence gets through. */
  clean = lean_text_strip_controls (message, -1);
  lean_runner_emit_exited (LEAN_RUNNER (self), kind, exit_code, clean);
}

static const char *
display_server (LeanRelayRunner *self)
{
  return self->server_name ? self->server_name : self->url;
}

/* Called once the socket is closed (or given up on): says how it ended. */
static void
finish_session (LeanRelayRunner *self)
{
  g_autofree char *message = NULL;
  g_autofree char *detail = NULL;

  if (self->exited_emitted)
    return;

  if (self->got_session_ended)
    {
      emit_exited (self, LEAN_RUNNER_EXIT_EXITED, self->exit_code, NULL);
      return;
    }

  if (self->relay_error != NULL)
    detail = g_strdup_printf (_(" The relay reported: %s."), self->relay_error);

  if (lean_relay_guard_tripped (self->guard))
    message = g_strdup_printf (_("Relay %s sent a message of more than %u MiB (in fragments), "
                                 "so the connection was closed to keep this computer’s memory "
                                 "safe. The agent’s exit status is unknown.%s"),
                               display_server (self), MAX_MESSAGE_IN_FLIGHT / (1024 * 1024),
                               detail ? detail : "");
  else if (self->cancel_requested)
    message = g_strdup_printf (_("Stopped: the connection to relay %s was closed. The runner "
                                 "daemon ends the agent when its client leaves; its exit "
                                 "status is unknown."), display_server (self));
  else if (self->dead_peer)
    message = g_strdup_printf (_("Relay %s stopped answering (no data or keep-alive reply for "
                                 "%g s), so the connection was closed. The agent’s exit "
                                 "status is unknown, and agent-relay cannot re-attach to a "
                                 "running session.%s"),
                               display_server (self), self->dead_peer_ms / 1000.0,
                               detail ? detail : "");
  else if (self->conn_error != NULL)
    message = g_strdup_printf (_("The connection to relay %s was lost (%s). The agent’s exit "
                                 "status is unknown, and agent-relay cannot re-attach to a "
                                 "running session.%s"),
                               display_server (self), self->conn_error->message,
                               detail ? detail : "");
  else
    {
      gushort code = self->conn ? soup_websocket_connection_get_close_code (self->conn) : 0;
      const char *data = self->conn ? soup_websocket_connection_get_close_data (self->conn) : NULL;

      if (code == SOUP_WEBSOCKET_CLOSE_NORMAL || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
        message = g_strdup_printf (_("Relay %s closed the connection without reporting how the "
                                     "agent ended (close code %u%s%s): its exit status is "
                                     "unknown.%s"),
                                   display_server (self), code,
                                   data && *data ? ", " : "", data && *data ? data : "",
                                   detail ? detail : "");
      else if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL)
        message = g_strdup_printf (_("The connection to relay %s was lost: it dropped without a "
                                     "WebSocket close (relay stopped or network cut). The "
                                     "agent’s exit status is unknown, and agent-relay cannot "
                                     "re-attach to a running session.%s"),
                                   display_server (self), detail ? detail : "");
      else
        message = g_strdup_printf (_("The connection to relay %s was lost (close code %u%s%s). "
                                     "The agent’s exit status is unknown, and agent-relay cannot "
                                     "re-attach to a running session.%s"),
                                   display_server (self), code,
                                   data && *data ? ", " : "", data && *data ? data : "",
                                   detail ? detail : "");
    }

  emit_exited (self, LEAN_RUNNER_EXIT_LOST, -1, message);
}

static gboolean on_close_grace (gpointer user_data);

static void
on_ws_message (SoupWebsocketConnection *conn,
               int                      type,
               GBytes                  *message,
               LeanRelayRunner         *runner)
{
  g_autoptr(LeanRelayRunner) self = g_object_ref (runner);
  LeanRelayMessage msg;

  self->last_rx_us = g_get_monotonic_time ();
  lean_relay_guard_message_delivered (self->guard);

  if (self->exited_emitted)
    return;

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      if (!self->started_emitted)
        {
          self->started_emitted = TRUE;
          lean_runner_emit_started (LEAN_RUNNER (self));
        }
      lean_runner_emit_output (LEAN_RUNNER (self), message);
      return;
    }

  /* Text: a control message. Anything we do not understand is ignored, so
   * an HQ that grows new message types keeps working with us. */
  lean_relay_message_parse (g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                            self->session_id, &msg);

  switch (msg.kind)
    {
    case LEAN_RELAY_MESSAGE_SESSION_STARTED:
      if (!self->started_emitted)
        {
          self->started_emitted = TRUE;
          lean_runner_emit_started (LEAN_RUNNER (self));
        }
      break;

    case LEAN_RELAY_MESSAGE_SESSION_ENDED:
      self->got_session_ended = TRUE;
      self->exit_code = msg.exit_code;
      if (is_open (self))
        ws_close (self, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                         "session ended");
      /* The outcome is known: do not wait long for the close handshake. */
      if (self->close_grace_id == 0)
        self->close_grace_id = g_timeout_add (CLOSE_GRACE_MS, on_close_grace, self);
      break;

    case LEAN_RELAY_MESSAGE_ERROR:
      g_free (self->relay_error);
      self->relay_error = g_steal_pointer (&msg.text);
      break;

    case LEAN_RELAY_MESSAGE_IGNORED:
    default:
      g_debug ("relay: ignoring a text frame: %s", msg.why_ignored);
      break;
    }
  lean_relay_message_clear (&msg);
}

static void
on_ws_error (SoupWebsocketConnection *conn,
             GError                  *error,
             LeanRelayRunner         *self)
{
  if (self->conn_error == NULL)
    self->conn_error = g_error_copy (error);
}

static void
on_ws_closed (SoupWebsocketConnection *conn,
              LeanRelayRunner         *runner)
{
  /* A handler of "exited" may drop the last reference to us. */
  g_autoptr(LeanRelayRunner) self = g_object_ref (runner);

  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  finish_session (self);
}

static gboolean
on_close_grace (gpointer user_data)
{
  g_autoptr(LeanRelayRunner) self = g_object_ref (user_data);

  /* The peer did not finish the close handshake in time: stop waiting. */
  self->close_grace_id = 0;
  finish_session (self);
  return G_SOURCE_REMOVE;
}

/* Milliseconds since the kernel last received data on the socket (a pong
 * counts), or -1 when unknown. libsoup 3.2 has no pong signal and no pong
 * timeout, so this is how we see keep-alive replies. */
static gint64
socket_silence_ms (LeanRelayRunner *self)
{
#if defined(__linux__) && defined(TCP_INFO)
  struct tcp_info info;
  socklen_t len = sizeof info;

  if (self->socket == NULL || g_socket_is_closed (self->socket))
    return -1;
  if (getsockopt (g_socket_get_fd (self->socket), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return -1;
  return info.tcpi_last_data_recv;
#else
  return -1;
#endif
}

static gboolean
on_watchdog (gpointer user_data)
{
  g_autoptr(LeanRelayRunner) self = g_object_ref (user_data);
  gint64 silence_ms = (g_get_monotonic_time () - self->last_rx_us) / 1000;
  gint64 tcp_ms = socket_silence_ms (self);

  /* Held, we do not read: the peer waits for us, not the other way. */
  if (self->held)
    {
      self->last_rx_us = g_get_monotonic_time ();
      return G_SOURCE_CONTINUE;
    }

  /* Without TCP_INFO we cannot tell a quiet agent from a dead peer, so we
   * leave it to TCP and libsoup rather than end a healthy session. */
  if (tcp_ms < 0)
    return G_SOURCE_CONTINUE;
  silence_ms = MIN (silence_ms, tcp_ms);
  if (silence_ms < self->dead_peer_ms)
    return G_SOURCE_CONTINUE;

  self->watchdog_id = 0;
  self->dead_peer = TRUE;
  /* Say so now: a dead peer will not finish a close handshake either. */
  finish_session (self);
  if (is_open (self))
    ws_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                     "no keep-alive reply");
  return G_SOURCE_REMOVE;
}

static void
fail_start (LeanRelayRunner *self,
            const char      *message)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  clear_connect_state (self);
  g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION, "%s", message);
  emit_exited (self, LEAN_RUNNER_EXIT_START_FAILED, -1, message);
}

static void
fail_start_with (LeanRelayRunner *self,
                 GError          *error,
                 const char      *body_error)
{
  g_autofree char *message = NULL;
  FailureInfo fi = { 0 };

  if ((self->cancel_requested || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      && !self->connect_timed_out)
    {
      fail_start (self, _("Cancelled before the relay session started."));
      return;
    }

  fi.display_url = self->url;
  fi.runner_id = self->runner_id;
  fi.error = error;
  fi.tls_errors = self->tls_errors;
  fi.status = self->msg ? soup_message_get_status (self->msg) : 0;
  fi.body_error = body_error;
  fi.timed_out = self->connect_timed_out;
  fi.timeout_s = (self->connect_timeout_ms + 999) / 1000;
  fi.last_event = self->last_event;
  message = describe_failure (&fi);
  fail_start (self, message);
}

typedef struct
{
  LeanRelayRunner *self;
  GError          *error;
} BodyFetch;

static void
on_error_body (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BodyFetch *bf = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autofree char *body_error = json_error_member (body);

  fail_start_with (bf->self, bf->error, body_error);
  g_error_free (bf->error);
  g_object_unref (bf->self);
  g_free (bf);
}

static void
send_text (LeanRelayRunner *self,
           const char      *type,
           JsonObject      *payload)
{
  g_autofree char *text = json_message (type, payload);

  ws_send_text (self, text);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LeanRelayRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) command = NULL;
  JsonObject *payload;
  LeanRunnerLaunch *launch = self->launch;
  guint status;

  self->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);

  if (self->conn == NULL)
    {
      status = self->msg ? soup_message_get_status (self->msg) : 0;
      g_clear_object (&self->socket);

      /* libsoup does not hand us the body of a refused handshake; HQ puts
       * the reason there ({"error":"runner not found"}), so ask once more
       * with a plain GET to read it. */
      if (status >= 400 && status < 500 && !self->cancel_requested)
        {
          g_autofree char *path = g_uri_escape_string (self->runner_id, NULL, FALSE);
          g_autofree char *suffix = g_strconcat ("/ws/terminal/", path, NULL);
          g_autofree char *http_url = http_url_for (self->url, suffix);
          g_autoptr(SoupMessage) get = soup_message_new ("GET", http_url);
          BodyFetch *bf = g_new0 (BodyFetch, 1);

          bf->self = g_object_ref (self);
          bf->error = g_steal_pointer (&error);
          if (self->token != NULL)
            {
              g_autofree char *auth = g_strdup_printf ("Bearer %s", self->token);

              soup_message_headers_replace (soup_message_get_request_headers (get),
                                            "Authorization", auth);
            }
          /* Bounded, like the handshake, and cancellable by cancel(). */
          g_object_set (self->session, "timeout", MAX (1u, self->connect_timeout_ms / 1000), NULL);
          soup_session_send_and_read_async (self->session, get, G_PRIORITY_DEFAULT,
                                            self->connect_cancellable, on_error_body, bf);
          return;
        }

      fail_start_with (self, error, NULL);
      return;
    }

  clear_connect_state (self);

  if (self->cancel_requested)
    {
      /* cancel() came while the handshake finished: close at once. */
      ws_close (self, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                       "session cancelled by client");
      fail_start (self, _("Cancelled before the relay session started."));
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (self->conn, MAX_INCOMING_PAYLOAD);
  /* libsoup 3.6 bounds whole messages itself; 3.2 needs the guard. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->conn), "max-total-message-size"))
    g_object_set (self->conn, "max-total-message-size", (guint64)MAX_MESSAGE_IN_FLIGHT, NULL);
  else if (self->socket != NULL)
    self->guard = lean_relay_guard_new (self->socket, MAX_MESSAGE_IN_FLIGHT);
  soup_websocket_connection_set_keepalive_interval (self->conn, self->keepalive_s);
  g_signal_connect_object (self->conn, "message", G_CALLBACK (on_ws_message), self, 0);
  g_signal_connect_object (self->conn, "error", G_CALLBACK (on_ws_error), self, 0);
  g_signal_connect_object (self->conn, "closed", G_CALLBACK (on_ws_closed), self, 0);

  /* The first frame must be start_session. */
  command = json_array_new ();
  for (guint i = 0; launch->argv[i] != NULL; i++)
    json_array_add_string_element (command, launch->argv[i]);
  payload = json_object_new ();
  json_object_set_string_member (payload, "session_id", self->session_id);
  json_object_set_array_member (payload, "command", g_steal_pointer (&command));
  send_text (self, "start_session", payload);

  if (self->pending_rows > 0 && self->pending_cols > 0)
    lean_runner_resize (LEAN_RUNNER (self), self->pending_rows, self->pending_cols, NULL);
  else if (launch->rows > 0 && launch->cols > 0)
    lean_runner_resize (LEAN_RUNNER (self), launch->rows, launch->cols, NULL);

  if (launch->stdin_data != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (launch->stdin_data, &len);

      /* Same as the local runner: the prompt, a newline, then ^D so a
       * `claude -p`-style reader sees the end of its input. */
      if (len > 0)
        ws_send_binary (self, data, len);
      if (len == 0 || data[len - 1] != '\n')
        ws_send_binary (self, "\n", 1);
      ws_send_binary (self, "\004", 1);
    }

  self->last_rx_us = g_get_monotonic_time ();
  if (self->dead_peer_ms > 0)
    self->watchdog_id = g_timeout_add (MAX (100, MIN (1000, self->dead_peer_ms / 4)),
                                       on_watchdog, self);

  {
    g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

    g_task_return_boolean (task, TRUE);
  }
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  LeanRelayRunner *self = user_data;

  self->connect_timeout_id = 0;
  self->connect_timed_out = TRUE;
  g_cancellable_cancel (self->connect_cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  LeanRelayRunner    *self)
{
  self->last_event = event;
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_set_object (&self->socket,
                  g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  LeanRelayRunner *self = user_data;

  /* May run in another thread: GCancellable is thread safe. */
  g_cancellable_cancel (self->connect_cancellable);
}

static void
begin_connect (LeanRelayRunner *self)
{
  g_autoptr(GError) refused = NULL;

  /* A token in clear over the network only when the person agreed. */
  if (self->token != NULL
      && !lean_relay_token_allowed (self->url, self->server_name, self->allow_insecure_token,
                                    &refused))
    {
      fail_start (self, refused->message);
      return;
    }
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (soup_message_get_request_headers (self->msg),
                                    "Authorization", auth);
    }
  if (self->connect_timeout_ms > 0)
    self->connect_timeout_id = g_timeout_add (self->connect_timeout_ms, on_connect_timeout, self);

  g_main_context_push_thread_default (self->io_context);
  soup_session_websocket_connect_async (self->session, self->msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->connect_cancellable,
                                        on_connected, g_object_ref (self));
  g_main_context_pop_thread_default (self->io_context);
}

static void
on_token_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LeanRelayRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token = lean_relay_token_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fail_start_with (self, error, NULL);
      return;
    }
  /* Today's HQ does not check client tokens: no keyring is no reason to
   * refuse. If HQ does check, its 401 says what to do. */
  if (error != NULL)
    g_debug ("relay: going on without a token: %s", error->message);
  self->token = token;
  begin_connect (self);
}

static void
lean_relay_runner_start_async (LeanRunner             *runner,
                               const LeanRunnerLaunch *launch,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (runner);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *escaped = NULL;
  g_autofree char *ws_url = NULL;

  g_task_set_source_tag (task, lean_relay_runner_start_async);

  if (self->started)
    {
      g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_FAILED,
                               "%s", _("This relay runner was already started"));
      return;
    }
  self->started = TRUE;
  self->launch = lean_runner_launch_copy (launch);
  if (self->session_id == NULL)
    self->session_id = g_uuid_string_random ();

  /* The protocol carries only the argv: say what is dropped. */
  if (launch->cwd != NULL)
    g_debug ("relay: the command runs in the runner daemon’s working directory, not %s",
             launch->cwd);
  if (launch->env != NULL && launch->env[0] != NULL)
    g_debug ("relay: start_session cannot carry environment variables; %u dropped",
             g_strv_length (launch->env));

  escaped = g_uri_escape_string (self->runner_id, NULL, FALSE);
  ws_url = g_strconcat (self->url, "/ws/terminal/", escaped, NULL);

  self->start_task = g_steal_pointer (&task);
  if (self->url_error != NULL)
    {
      fail_start (self, self->url_error);
      return;
    }
  self->io_context = g_main_context_new ();
  self->pump = lean_context_pump_new (self->io_context);
  lean_context_pump_set_held (self->pump, self->held);
  g_source_attach (self->pump, g_main_context_get_thread_default ());
  g_main_context_push_thread_default (self->io_context);
  self->session = soup_session_new_with_options ("user-agent", "leanspec-desktop/" APP_VERSION,
                                                 NULL);
  g_main_context_pop_thread_default (self->io_context);
  self->msg = soup_message_new ("GET", ws_url);
  if (self->msg == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Could not reach relay at %s: “%s” is not a valid address"),
                         self->url, ws_url);
      fail_start (self, message);
      return;
    }

  g_signal_connect (self->msg, "accept-certificate",
                    G_CALLBACK (on_accept_certificate), &self->tls_errors);
  g_signal_connect_object (self->msg, "network-event", G_CALLBACK (on_network_event), self, 0);

  self->connect_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id = g_cancellable_connect (cancellable,
                                                      G_CALLBACK (on_caller_cancelled),
                                                      self, NULL);
    }

  /* The keyring may take a while (or ask to be unlocked): look the token up
   * off the main loop, and do not count it against the connect timeout. */
  if (self->token == NULL && self->keyring_server != NULL)
    {
      lean_relay_token_lookup_async (self->keyring_server, self->connect_cancellable,
                                     on_token_found, g_object_ref (self));
      return;
    }

  begin_connect (self);
}

static gboolean
lean_relay_runner_start_finish (LeanRunner    *runner,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, runner), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
not_connected (LeanRelayRunner  *self,
               GError          **error)
{
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_CONNECTION,
               _("Not connected to relay %s: the session is not running there"),
               display_server (self));
  return FALSE;
}

static gboolean
lean_relay_runner_write_input (LeanRunner  *runner,
                               GBytes      *bytes,
                               GError     **error)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (runner);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!is_open (self) || self->exited_emitted)
    return not_connected (self, error);
  if (len > 0)
    ws_send_binary (self, data, len);
  return TRUE;
}

static gboolean
lean_relay_runner_resize (LeanRunner  *runner,
                          guint        rows,
                          guint        cols,
                          GError     **error)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (runner);
  JsonObject *payload;

  /* A view may size itself while we are still connecting: keep the last
   * size and send it right after start_session. */
  if (self->started && self->conn == NULL && !self->exited_emitted)
    {
      self->pending_rows = rows;
      self->pending_cols = cols;
      return TRUE;
    }
  if (!is_open (self) || self->exited_emitted)
    return not_connected (self, error);

  payload = json_object_new ();
  json_object_set_string_member (payload, "session_id", self->session_id);
  json_object_set_int_member (payload, "rows", rows);
  json_object_set_int_member (payload, "cols", cols);
  send_text (self, "resize", payload);
  return TRUE;
}

static gboolean
lean_relay_runner_pause (LeanRunner  *runner,
                         GError     **error)
{
  g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                       _("Relay sessions cannot be paused: agent-relay has no pause command"));
  return FALSE;
}

static gboolean
lean_relay_runner_resume (LeanRunner  *runner,
                          GError     **error)
{
  g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                       _("Relay sessions cannot be paused or resumed: agent-relay has no "
                         "pause command"));
  return FALSE;
}

static gboolean
lean_relay_runner_supports_pause (LeanRunner *runner)
{
  return FALSE;
}

static void
lean_relay_runner_cancel (LeanRunner *runner)
{
  g_autoptr(LeanRelayRunner) self = g_object_ref (LEAN_RELAY_RUNNER (runner));

  if (!self->started || self->exited_emitted || self->cancel_requested)
    return;
  self->cancel_requested = TRUE;

  if (self->conn == NULL)
    {
      /* Still connecting: on_connected reports the cancellation. */
      g_cancellable_cancel (self->connect_cancellable);
      return;
    }

  if (is_open (self))
    {
      JsonObject *payload = json_object_new ();

      /* Today's HQ has no cancel message and ignores unknown types; an HQ
       * that learns one can stop the agent before the socket closes. */
      json_object_set_string_member (payload, "session_id", self->session_id);
      send_text (self, "cancel_session", payload);
      ws_close (self, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                       "session cancelled by client");
      self->close_grace_id = g_timeout_add (CLOSE_GRACE_MS, on_close_grace, self);
    }
  else
    finish_session (self);
}

static char *
lean_relay_runner_describe (LeanRunner *runner)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (runner);

  return g_strdup_printf ("relay:%s/%s", display_server (self), self->runner_id);
}

static void
lean_relay_runner_set_held (LeanRunner *runner,
                            gboolean    held)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (runner);

  if (self->held == !!held)
    return;
  self->held = !!held;
  /* Time spent held is not silence from the peer. */
  self->last_rx_us = g_get_monotonic_time ();
  if (self->pump != NULL)
    lean_context_pump_set_held (self->pump, held);
}

static void
lean_relay_runner_iface_init (LeanRunnerInterface *iface)
{
  iface->set_held = lean_relay_runner_set_held;
  iface->start_async = lean_relay_runner_start_async;
  iface->start_finish = lean_relay_runner_start_finish;
  iface->write_input = lean_relay_runner_write_input;
  iface->resize = lean_relay_runner_resize;
  iface->pause = lean_relay_runner_pause;
  iface->resume = lean_relay_runner_resume;
  iface->cancel = lean_relay_runner_cancel;
  iface->supports_pause = lean_relay_runner_supports_pause;
  iface->describe = lean_relay_runner_describe;
}

static void
lean_relay_runner_dispose (GObject *object)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (object);

  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
  clear_connect_state (self);
  teardown_connection (self);
  if (self->msg != NULL)
    g_signal_handlers_disconnect_by_data (self->msg, &self->tls_errors);
  g_clear_object (&self->msg);
  g_clear_object (&self->session);
  if (self->io_context != NULL)
    {
      /* Let what the cancellation and the close made ready run (callbacks
       * that hold references), then stop pumping. */
      lean_context_pump_set_held (self->pump, FALSE);
      for (guint i = 0; i < 100 && g_main_context_iteration (self->io_context, FALSE); i++)
        ;
      g_source_destroy (self->pump);
      g_clear_pointer (&self->pump, g_source_unref);
      g_clear_pointer (&self->io_context, g_main_context_unref);
    }
  g_clear_object (&self->connect_cancellable);

  G_OBJECT_CLASS (lean_relay_runner_parent_class)->dispose (object);
}

static void
lean_relay_runner_finalize (GObject *object)
{
  LeanRelayRunner *self = LEAN_RELAY_RUNNER (object);

  g_free (self->url);
  g_free (self->runner_id);
  g_free (self->token);
  g_free (self->session_id);
  g_free (self->server_name);
  g_free (self->keyring_server);
  g_free (self->url_error);
  g_free (self->relay_error);
  g_clear_error (&self->conn_error);
  g_clear_pointer (&self->launch, lean_runner_launch_free);

  G_OBJECT_CLASS (lean_relay_runner_parent_class)->finalize (object);
}

static void
lean_relay_runner_class_init (LeanRelayRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_relay_runner_dispose;
  object_class->finalize = lean_relay_runner_finalize;
}

static void
lean_relay_runner_init (LeanRelayRunner *self)
{
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  self->keepalive_s = DEFAULT_KEEPALIVE_S;
  self->dead_peer_ms = DEFAULT_DEAD_PEER_MS;
  self->exit_code = -1;
}

LeanRelayRunner *
lean_relay_runner_new (const char *server_url,
                       const char *runner_id,
                       const char *token,
                       const char *session_id)
{
  g_autoptr(GError) error = NULL;
  LeanRelayRunner *self;
  char *url;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (runner_id != NULL && *runner_id != '\0', NULL);

  /* A bad URL is caught here and reported by start, like any other fault. */
  url = lean_relay_normalize_url (server_url, &error);

  self = g_object_new (LEAN_TYPE_RELAY_RUNNER, NULL);
  if (url == NULL)
    self->url_error = g_strdup (error->message);
  self->url = url ? url : g_strdup (server_url);
  self->runner_id = g_strdup (runner_id);
  self->token = token && *token ? g_strdup (token) : NULL;
  self->session_id = g_strdup (session_id);
  return self;
}

void
lean_relay_runner_set_server_name (LeanRelayRunner *self,
                                   const char      *name)
{
  g_return_if_fail (LEAN_IS_RELAY_RUNNER (self));

  g_free (self->server_name);
  self->server_name = g_strdup (name);
}

const char *
lean_relay_runner_get_url (LeanRelayRunner *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_RUNNER (self), NULL);
  return self->url;
}

const char *
lean_relay_runner_get_session_id (LeanRelayRunner *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_RUNNER (self), NULL);
  return self->session_id;
}

const char *
lean_relay_runner_get_runner_id (LeanRelayRunner *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_RUNNER (self), NULL);
  return self->runner_id;
}

void
lean_relay_runner_set_timeouts (LeanRelayRunner *self,
                                guint            connect_timeout_ms,
                                guint            keepalive_interval_s,
                                guint            dead_peer_timeout_ms)
{
  g_return_if_fail (LEAN_IS_RELAY_RUNNER (self));

  self->connect_timeout_ms = connect_timeout_ms;
  self->keepalive_s = keepalive_interval_s;
  self->dead_peer_ms = dead_peer_timeout_ms;
}

/* ------------------------------------------------------------------------ */
/* GET /health                                                              */

typedef struct
{
  char                 *display_url;
  GTlsCertificateFlags  tls_errors;
  SoupMessage          *msg;
  SoupSession          *session;
  GSocketClientEvent    last_event;
} HealthData;

static void
health_data_free (HealthData *hd)
{
  if (hd->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (hd->msg, &hd->tls_errors);
      g_signal_handlers_disconnect_by_data (hd->msg, hd);
    }
  g_clear_object (&hd->msg);
  g_clear_object (&hd->session);
  g_free (hd->display_url);
  g_free (hd);
}

static void
on_health_network_event (SoupMessage        *msg,
                         GSocketClientEvent  event,
                         GIOStream          *connection,
                         HealthData         *hd)
{
  hd->last_event = event;
}

static void
on_health_answer (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HealthData *hd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *body_error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *status = NULL;
  FailureInfo fi = { 0 };

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  fi.display_url = hd->display_url;
  fi.error = error;
  fi.tls_errors = hd->tls_errors;
  fi.timeout_s = DEFAULT_CONNECT_TIMEOUT_MS / 1000;
  fi.last_event = hd->last_event;
  if (body != NULL)
    {
      fi.status = soup_message_get_status (hd->msg);
      body_error = json_error_member (body);
      fi.body_error = body_error;
    }

  if (body != NULL && fi.status == SOUP_STATUS_OK)
    status = json_body_string (body, "status");

  if (g_strcmp0 (status, "ok") == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (body != NULL && fi.status == SOUP_STATUS_OK)
    message = g_strdup_printf (_("Relay at %s answered /health with %s instead of "
                                 "{\"status\":\"ok\"}: is this agent-relay HQ?"),
                               hd->display_url, status ? status : _("something else"));
  else
    message = describe_failure (&fi);
  g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION, "%s", message);
}

void
lean_relay_check_health_async (const char          *url,
                               const char          *token,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *ws_url = NULL;
  g_autofree char *health_url = NULL;
  HealthData *hd;

  g_return_if_fail (url != NULL);

  g_task_set_source_tag (task, lean_relay_check_health_async);

  ws_url = lean_relay_normalize_url (url, &error);
  if (ws_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  health_url = http_url_for (ws_url, "/health");
  hd = g_new0 (HealthData, 1);
  hd->display_url = g_steal_pointer (&ws_url);
  hd->msg = soup_message_new ("GET", health_url);
  g_task_set_task_data (task, hd, (GDestroyNotify)health_data_free);
  if (hd->msg == NULL)
    {
      g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                               _("“%s” is not a valid relay address"), url);
      return;
    }
  if (token != NULL && *token != '\0')
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (hd->msg),
                                    "Authorization", auth);
    }
  soup_message_headers_replace (soup_message_get_request_headers (hd->msg),
                                "Accept", "application/json");
  g_signal_connect (hd->msg, "accept-certificate",
                    G_CALLBACK (on_accept_certificate), &hd->tls_errors);
  g_signal_connect (hd->msg, "network-event", G_CALLBACK (on_health_network_event), hd);

  hd->session = soup_session_new_with_options ("timeout", DEFAULT_CONNECT_TIMEOUT_MS / 1000,
                                               "user-agent", "leanspec-desktop/" APP_VERSION,
                                               NULL);
  soup_session_send_and_read_async (hd->session, hd->msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_health_answer, g_steal_pointer (&task));
}

gboolean
lean_relay_check_health_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Factory for the controller and the CLI                                   */

void
lean_relay_runner_set_allow_insecure_token (LeanRelayRunner *self,
                                            gboolean         allow)
{
  g_return_if_fail (LEAN_IS_RELAY_RUNNER (self));
  self->allow_insecure_token = allow;
}

void
lean_relay_runner_set_keyring_server (LeanRelayRunner *self,
                                      const char      *server_name)
{
  g_return_if_fail (LEAN_IS_RELAY_RUNNER (self));

  g_free (self->keyring_server);
  self->keyring_server = g_strdup (server_name);
}

LeanRunner *
lean_relay_create_runner (LeanRelayConfig  *config,
                          const char       *runner_spec,
                          const char       *session_id,
                          GError          **error)
{
  g_autoptr(LeanRelayConfig) own_config = NULL;
  g_autoptr(LeanRelayTarget) target = NULL;
  g_autoptr(GError) load_error = NULL;
  LeanRelayRunner *runner;
  const char *env_token;

  g_return_val_if_fail (config == NULL || LEAN_IS_RELAY_CONFIG (config), NULL);
  g_return_val_if_fail (runner_spec != NULL, NULL);

  if (config == NULL)
    {
      own_config = lean_relay_config_new (NULL);
      /* A broken file must not stop a relay:ws://... run; a name lookup
       * then fails with the file's problem in the message. */
      if (!lean_relay_config_load (own_config, &load_error))
        g_debug ("relay: %s", load_error->message);
      config = own_config;
    }

  target = lean_relay_parse_runner_spec (runner_spec, config, error);
  if (target == NULL)
    {
      if (load_error != NULL && error != NULL && *error != NULL
          && g_error_matches (*error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND))
        g_prefix_error (error, "%s ", load_error->message);
      return NULL;
    }

  env_token = g_getenv ("LEANSPEC_RELAY_TOKEN");
  runner = lean_relay_runner_new (target->url, target->runner_id,
                                  env_token && *env_token ? env_token : NULL, session_id);
  /* leanspec-ctl implement --allow-insecure-token says so for one run. */
  runner->allow_insecure_token = g_strcmp0 (g_getenv ("LEANSPEC_RELAY_ALLOW_INSECURE_TOKEN"),
                                            "1") == 0;
  if (target->server_name != NULL)
    {
      const LeanRelayServer *server = lean_relay_config_lookup (config, target->server_name);

      if (server != NULL && server->allow_insecure_token)
        runner->allow_insecure_token = TRUE;
      lean_relay_runner_set_server_name (runner, target->server_name);
      lean_relay_runner_set_keyring_server (runner, target->server_name);
    }
  return LEAN_RUNNER (runner);
}
