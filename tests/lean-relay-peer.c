/* SPDX-License-Identifier: MIT */
/* lean-relay-peer: a conformance peer that plays agent-relay's HQ and one
 * runner daemon in a single process, speaking exactly the client side of the
 * protocol in docs/agent-relay-protocol.md. Tests and benchmarks start it,
 * read the port it prints on stdout, and point a LeanRelayRunner at it.
 *
 *   lean-relay-peer [options] RUNNER_ID...
 *
 * The command from start_session runs in a real PTY (openpty, setsid,
 * TIOCSCTTY), like a runner daemon does. Options make it misbehave the ways
 * a real relay can: no session_ended, unknown message types, dying
 * mid-stream, insisting on a token, serving TLS. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

static char **opt_runners;
static gboolean opt_no_session_ended;
static gboolean opt_unknown_first;
static gboolean opt_no_session_started;
static gint64 opt_die_after_bytes = -1;
static char *opt_token;
static char *opt_send_error;
static gboolean opt_foreign_first;
static char *opt_tls_cert;
static char *opt_tls_key;
static char **opt_send_text;
static gint64 opt_send_fragmented = -1;

/* Writes one unmasked frame (a server's) straight to the socket. */
static gboolean
write_raw_frame (GOutputStream *out,
                 gboolean       fin,
                 guint8         opcode,
                 const guint8  *data,
                 gsize          len)
{
  guint8 header[10];
  gsize n = 0;

  header[n++] = (fin ? 0x80 : 0) | opcode;
  if (len < 126)
    header[n++] = len;
  else if (len <= G_MAXUINT16)
    {
      header[n++] = 126;
      header[n++] = len >> 8;
      header[n++] = len & 0xff;
    }
  else
    {
      header[n++] = 127;
      for (int i = 7; i >= 0; i--)
        header[n++] = ((guint64)len >> (8 * i)) & 0xff;
    }
  return g_output_stream_write_all (out, header, n, NULL, NULL, NULL)
         && g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

/* One text message of @total bytes sent as 1 MiB fragments, each under
 * any sane per-frame limit: only a bound on the whole message stops it.
 * Written around libsoup, which cannot send fragments; nothing else is
 * queued on the connection meanwhile. */
static void
send_fragmented (SoupWebsocketConnection *conn,
                 gint64                   total)
{
  GIOStream *io = soup_websocket_connection_get_io_stream (conn);
  GOutputStream *out = g_io_stream_get_output_stream (io);
  gsize chunk = 1024 * 1024;
  g_autofree guint8 *data = g_malloc (chunk);
  gint64 sent = 0;

  memset (data, 'a', chunk);
  data[0] = '"';
  while (sent < total)
    {
      gsize n = MIN ((gint64)chunk, total - sent);

      if (!write_raw_frame (out, sent + (gint64)n >= total, sent == 0 ? 0x1 : 0x0, data, n))
        return;
      data[0] = 'a';
      sent += n;
    }
}

typedef struct
{
  SoupWebsocketConnection *conn;
  char                    *session_id;
  int                      master_fd;
  guint                    pty_watch;
  GPid                     pid;
  guint                    child_watch;
  gboolean                 pty_done;
  gboolean                 child_done;
  int                      wait_status;
  gint64                   bytes_sent;
} PeerSession;

static void
peer_session_free (PeerSession *ps)
{
  g_clear_handle_id (&ps->pty_watch, g_source_remove);
  g_clear_handle_id (&ps->child_watch, g_source_remove);
  if (ps->master_fd >= 0)
    close (ps->master_fd);
  if (ps->pid > 0 && !ps->child_done)
    kill (-ps->pid, SIGHUP);
  g_clear_object (&ps->conn);
  g_free (ps->session_id);
  g_free (ps);
}

static void
send_json (SoupWebsocketConnection *conn,
           const char              *type,
           JsonNode                *payload)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "payload");
  json_builder_add_value (b, payload);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (conn, text);
}

static JsonNode *
session_payload (PeerSession *ps)
{
  JsonObject *o = json_object_new ();
  JsonNode *n = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (o, "session_id", ps->session_id);
  json_node_take_object (n, o);
  return n;
}

static void
maybe_finish (PeerSession *ps)
{
  if (!ps->pty_done || !ps->child_done)
    return;

  if (!opt_no_session_ended)
    {
      JsonNode *p = session_payload (ps);
      int code;

      if (WIFEXITED (ps->wait_status))
        code = WEXITSTATUS (ps->wait_status);
      else
        code = 128 + WTERMSIG (ps->wait_status);
      json_object_set_int_member (json_node_get_object (p), "exit_code", code);
      send_json (ps->conn, "session_ended", p);
    }
  if (soup_websocket_connection_get_state (ps->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ps->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, "session ended");
}

static gboolean
on_pty_readable (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  PeerSession *ps = user_data;
  guint8 buf[65536];
  gssize n;

  n = read (fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      ps->pty_watch = 0;
      ps->pty_done = TRUE;
      maybe_finish (ps);
      return G_SOURCE_REMOVE;
    }

  if (opt_die_after_bytes >= 0 && ps->bytes_sent + n >= opt_die_after_bytes)
    {
      gsize keep = opt_die_after_bytes - ps->bytes_sent;

      /* Send what is allowed, give it a moment to leave, then vanish without
       * a close frame, as a crashed HQ or a pulled cable would. */
      if (keep > 0)
        soup_websocket_connection_send_binary (ps->conn, buf, keep);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100 * 1000);
      if (ps->pid > 0)
        kill (-ps->pid, SIGKILL);
      _exit (3);
    }

  ps->bytes_sent += n;
  if (soup_websocket_connection_get_state (ps->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_binary (ps->conn, buf, n);
  return G_SOURCE_CONTINUE;
}

static void
on_child_exited (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  PeerSession *ps = user_data;

  ps->child_watch = 0;
  ps->child_done = TRUE;
  ps->wait_status = wait_status;
  g_spawn_close_pid (pid);
  maybe_finish (ps);
}

static gboolean
spawn_in_pty (PeerSession  *ps,
              char        **argv,
              GError      **error)
{
  struct winsize ws = { .ws_row = 24, .ws_col = 80 };
  int master = -1, slave = -1;
  pid_t pid;

  if (openpty (&master, &slave, NULL, NULL, &ws) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "openpty: %s", g_strerror (errno));
      return FALSE;
    }

  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "fork: %s", g_strerror (errno));
      close (master);
      close (slave);
      return FALSE;
    }
  if (pid == 0)
    {
      setsid ();
      ioctl (slave, TIOCSCTTY, 0);
      dup2 (slave, 0);
      dup2 (slave, 1);
      dup2 (slave, 2);
      if (slave > 2)
        close (slave);
      close (master);
      execvp (argv[0], argv);
      dprintf (2, "lean-relay-peer: cannot run %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }

  close (slave);
  fcntl (master, F_SETFD, FD_CLOEXEC);
  ps->master_fd = master;
  ps->pid = pid;
  ps->pty_watch = g_unix_fd_add (master, G_IO_IN | G_IO_HUP | G_IO_ERR, on_pty_readable, ps);
  ps->child_watch = g_child_watch_add (pid, on_child_exited, ps);
  return TRUE;
}

static void
handle_start (PeerSession *ps,
              JsonObject  *payload)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  JsonArray *command;

  if (ps->session_id != NULL)
    return;

  command = payload && json_object_has_member (payload, "command")
            ? json_object_get_array_member (payload, "command") : NULL;
  if (command == NULL || json_array_get_length (command) == 0)
    {
      JsonNode *p = json_node_new (JSON_NODE_OBJECT);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "message", "start_session without a command");
      json_node_take_object (p, o);
      send_json (ps->conn, "error", p);
      soup_websocket_connection_close (ps->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }
  for (guint i = 0; i < json_array_get_length (command); i++)
    g_ptr_array_add (argv, g_strdup (json_array_get_string_element (command, i)));
  g_ptr_array_add (argv, NULL);

  ps->session_id = g_strdup (json_object_get_string_member_with_default (payload, "session_id",
                                                                         ""));

  if (opt_unknown_first)
    {
      JsonNode *p = session_payload (ps);

      json_object_set_string_member (json_node_get_object (p), "note", "from the future");
      send_json (ps->conn, "runner_telemetry", p);
    }

  if (!spawn_in_pty (ps, (char **)argv->pdata, &error))
    {
      JsonNode *p = json_node_new (JSON_NODE_OBJECT);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "message", error->message);
      json_node_take_object (p, o);
      send_json (ps->conn, "error", p);
      soup_websocket_connection_close (ps->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      return;
    }

  if (opt_foreign_first)
    {
      JsonObject *o = json_object_new ();
      JsonNode *p = json_node_new (JSON_NODE_OBJECT);

      /* Another client's session ending: not ours, must be ignored. */
      json_object_set_string_member (o, "session_id", "ffffffff-0000-4000-8000-000000000000");
      json_object_set_int_member (o, "exit_code", 99);
      json_node_take_object (p, o);
      send_json (ps->conn, "session_ended", p);
    }

  if (!opt_no_session_started)
    send_json (ps->conn, "session_started", session_payload (ps));

  for (guint i = 0; opt_send_text != NULL && opt_send_text[i] != NULL; i++)
    soup_websocket_connection_send_text (ps->conn, opt_send_text[i]);

  if (opt_send_fragmented >= 0)
    {
      /* Let libsoup flush session_started before writing around it. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      send_fragmented (ps->conn, opt_send_fragmented);
    }

  if (opt_send_error != NULL)
    {
      JsonObject *o = json_object_new ();
      JsonNode *p = json_node_new (JSON_NODE_OBJECT);

      /* HQ reporting a fault, then closing without session_ended. */
      json_object_set_string_member (o, "message", opt_send_error);
      json_node_take_object (p, o);
      send_json (ps->conn, "error", p);
      soup_websocket_connection_close (ps->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "runner gone");
    }
}

static void
on_message (SoupWebsocketConnection *conn,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  PeerSession *ps = user_data;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root, *payload;
  const char *msg_type;

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (message, &len);

      /* Input before start_session has nowhere to go: dropped, like HQ. */
      while (ps->master_fd >= 0 && len > 0)
        {
          gssize n = write (ps->master_fd, data, len);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          data += n;
          len -= n;
        }
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (message, NULL),
                                   g_bytes_get_size (message), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  root = json_node_get_object (json_parser_get_root (parser));
  msg_type = json_object_get_string_member_with_default (root, "type", "");
  payload = json_object_has_member (root, "payload")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "payload"))
            ? json_object_get_object_member (root, "payload") : NULL;

  if (g_str_equal (msg_type, "start_session"))
    handle_start (ps, payload);
  else if (g_str_equal (msg_type, "resize") && payload != NULL && ps->master_fd >= 0)
    {
      struct winsize ws = { 0 };

      ws.ws_row = json_object_get_int_member_with_default (payload, "rows", 24);
      ws.ws_col = json_object_get_int_member_with_default (payload, "cols", 80);
      ioctl (ps->master_fd, TIOCSWINSZ, &ws);
    }
  /* Anything else is ignored, as the protocol asks of both ends. */
}

static void
on_closed (SoupWebsocketConnection *conn,
           gpointer                 user_data)
{
  PeerSession *ps = user_data;

  /* The client went away: the runner ends the agent, as agent-relay does. */
  g_object_set_data (G_OBJECT (conn), "peer-session", NULL);
  (void)ps;
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  PeerSession *ps = g_new0 (PeerSession, 1);

  ps->conn = g_object_ref (conn);
  ps->master_fd = -1;
  /* PTY output comes in 64 KiB reads; clients may send large pastes. */
  soup_websocket_connection_set_max_incoming_payload_size (conn, 16 * 1024 * 1024);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), ps);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), ps);
  g_object_set_data_full (G_OBJECT (conn), "peer-session", ps,
                          (GDestroyNotify)peer_session_free);
}

static void
set_json_error (SoupServerMessage *msg,
                guint              status,
                const char        *text)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\"}", text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static gboolean
token_ok (SoupServerMessage *msg)
{
  g_autofree char *expected = NULL;
  const char *auth;

  if (opt_token == NULL)
    return TRUE;
  auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                       "Authorization");
  expected = g_strdup_printf ("Bearer %s", opt_token);
  return auth != NULL && g_str_equal (auth, expected);
}

/* Runs before the WebSocket handler so that unknown runners and bad tokens
 * get a plain HTTP answer, as HQ gives. */
static void
on_terminal_early (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  const char *runner_id = path + strlen ("/ws/terminal/");

  if (!g_str_has_prefix (path, "/ws/terminal/")
      || !g_strv_contains ((const char * const *)opt_runners, runner_id))
    set_json_error (msg, SOUP_STATUS_NOT_FOUND, "runner not found");
  else if (!token_ok (msg))
    set_json_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
}

static void
on_health (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  static const char body[] = "{\"status\":\"ok\"}";

  if (!token_ok (msg))
    {
      set_json_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;
  GOptionEntry entries[] = {
    { "no-session-ended", 0, 0, G_OPTION_ARG_NONE, &opt_no_session_ended,
      "Close the socket without sending session_ended", NULL },
    { "no-session-started", 0, 0, G_OPTION_ARG_NONE, &opt_no_session_started,
      "Do not send session_started", NULL },
    { "unknown-first", 0, 0, G_OPTION_ARG_NONE, &opt_unknown_first,
      "Send a message of an unknown type before session_started", NULL },
    { "die-after-bytes", 0, 0, G_OPTION_ARG_INT64, &opt_die_after_bytes,
      "Exit abruptly after forwarding N output bytes", "N" },
    { "send-error", 0, 0, G_OPTION_ARG_STRING, &opt_send_error,
      "After start, send an error message and close without session_ended", "TEXT" },
    { "foreign-first", 0, 0, G_OPTION_ARG_NONE, &opt_foreign_first,
      "Send a session_ended for another session first", NULL },
    { "send-text", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_send_text,
      "After session_started, send this text frame as it is (repeatable)", "TEXT" },
    { "send-fragmented", 0, 0, G_OPTION_ARG_INT64, &opt_send_fragmented,
      "After session_started, send one text message of N bytes in 1 MiB fragments", "N" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &opt_token,
      "Require Authorization: Bearer TOKEN", "TOKEN" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert, "Serve TLS with this PEM", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, "Private key for --tls-cert", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_runners, NULL, "RUNNER_ID..." },
    { NULL }
  };

  signal (SIGPIPE, SIG_IGN);
  /* Never outlive the test that started us, even when it aborts. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;

  context = g_option_context_new ("RUNNER_ID... - agent-relay conformance peer");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lean-relay-peer: %s\n", error->message);
      return 2;
    }
  if (opt_runners == NULL)
    opt_runners = g_new0 (char *, 1);

  server = soup_server_new ("server-header", "lean-relay-peer", NULL);
  if (opt_tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) cert =
        g_tls_certificate_new_from_files (opt_tls_cert, opt_tls_key ? opt_tls_key : opt_tls_cert,
                                          &error);
      if (cert == NULL)
        {
          g_printerr ("lean-relay-peer: %s\n", error->message);
          return 2;
        }
      soup_server_set_tls_certificate (server, cert);
    }

  soup_server_add_handler (server, "/health", on_health, NULL, NULL);
  soup_server_add_early_handler (server, "/ws/terminal", on_terminal_early, NULL, NULL);
  soup_server_add_websocket_handler (server, "/ws/terminal", NULL, NULL,
                                     on_websocket, NULL, NULL);

  if (!soup_server_listen_local (server, 0,
                                 SOUP_SERVER_LISTEN_IPV4_ONLY
                                 | (opt_tls_cert ? SOUP_SERVER_LISTEN_HTTPS : 0),
                                 &error))
    {
      g_printerr ("lean-relay-peer: %s\n", error->message);
      return 2;
    }

  uris = soup_server_get_uris (server);
  g_print ("%d\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
