/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>

#include "ctl-testutil.h"
#include "http-reference.h"

static char *server_bin;

static const char *
require_server (void)
{
  static char *install_error;

  if (server_bin == NULL && install_error == NULL)
    {
      g_autofree char *script = g_build_filename (test_util_source_root (), "tests", "interop",
                                                  "install-leanspec.sh", NULL);
      const char *argv[] = { "bash", script, "http", NULL };
      g_autoptr(CtlResult) r = ctl_test_run_argv (NULL, argv, NULL);

      if (r->exit_status == 0)
        {
          const char *version_argv[] = { g_strstrip (r->out), "--version", NULL };
          g_autoptr(CtlResult) v = ctl_test_run_argv (NULL, version_argv, NULL);

          if (g_strcmp0 (g_strstrip (v->out), "leanspec-http 0.3.0") == 0)
            server_bin = g_strdup (r->out);
          else
            install_error = g_strdup_printf ("%s --version says \"%s\", expected "
                                             "leanspec-http 0.3.0", r->out, v->out);
        }
      else
        install_error = g_strdup_printf ("LeanSpec's HTTP server is needed and could not be "
                                         "installed (%s http exited %d): %s", script,
                                         r->exit_status, r->err);
    }
  if (server_bin == NULL)
    {
      g_test_fail_printf ("%s", install_error);
      return NULL;
    }
  return server_bin;
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

JsonNode *
http_reference_get_json (HttpReference  *server,
                         const char     *path,
                         guint          *status,
                         GError        **error)
{
  g_autofree char *url = g_strconcat (server->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  gsize len;
  const char *data;

  g_assert_nonnull (msg);
  body = soup_session_send_and_read (server->session, msg, NULL, error);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GET %s: HTTP %u: %.*s", path,
                   soup_message_get_status (msg), (int)MIN (len, 300), data);
      return NULL;
    }
  {
    g_autofree char *text = g_strndup (data, len);

    return json_from_string (text, error);
  }
}

void
http_reference_stop (HttpReference *server)
{
  if (server->proc != NULL)
    {
      g_subprocess_force_exit (server->proc);
      g_subprocess_wait (server->proc, NULL, NULL);
    }
  g_clear_object (&server->proc);
  g_clear_object (&server->session);
  g_clear_pointer (&server->base, g_free);
  g_clear_pointer (&server->project_id, g_free);
  if (server->home != NULL)
    test_util_rm_rf (server->home);
  g_clear_pointer (&server->home, g_free);
}

gboolean
http_reference_start (HttpReference *server,
                      const char    *project)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *real = realpath (project, NULL);
  gint64 deadline;

  if (require_server () == NULL)
    return FALSE;

  server->home = test_util_make_tmp_dir ();
  g_subprocess_launcher_setenv (launcher, "HOME", server->home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LEANSPEC_CONFIG");
  g_subprocess_launcher_unsetenv (launcher, "LEANSPEC_PROJECT");
  port = g_strdup_printf ("%u", free_port ());
  server->proc = g_subprocess_launcher_spawn (launcher, &error, server_bin,
                                              "--host", "127.0.0.1", "--port", port,
                                              "--project", project, "--no-open", "--no-config",
                                              NULL);
  g_assert_no_error (error);
  server->base = g_strconcat ("http://127.0.0.1:", port, NULL);
  server->session = soup_session_new_with_options ("timeout", 60, NULL);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) get_error = NULL;
      g_autoptr(JsonNode) root = http_reference_get_json (server, "/api/projects", NULL, &get_error);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonArray *projects = json_object_get_array_member (json_node_get_object (root), "projects");

          for (guint i = 0; projects != NULL && i < json_array_get_length (projects); i++)
            {
              JsonObject *p = json_array_get_object_element (projects, i);

              if (g_strcmp0 (json_object_get_string_member (p, "path"), real) == 0)
                server->project_id = g_strdup (json_object_get_string_member (p, "id"));
            }
          if (server->project_id != NULL)
            return TRUE;
        }
      g_usleep (100 * 1000);
    }
  g_test_fail_printf ("leanspec-http did not list %s within 30 s", project);
  return FALSE;
}

gboolean
http_reference_tally_checks (HttpReference *server,
                             guint          tally[3],
                             GError       **error)
{
  g_autofree char *path = g_strdup_printf ("/api/projects/%s/specs", server->project_id);
  g_autoptr(JsonNode) listed = http_reference_get_json (server, path, NULL, error);
  JsonArray *specs;

  tally[0] = tally[1] = tally[2] = 0;
  if (listed == NULL)
    return FALSE;
  specs = json_object_get_array_member (json_node_get_object (listed), "specs");
  for (guint i = 0; i < json_array_get_length (specs); i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (specs, i), "id");
      g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
      g_autofree char *vpath = g_strdup_printf ("/api/projects/%s/specs/%s/validation",
                                                server->project_id, escaped);
      g_autoptr(JsonNode) v = http_reference_get_json (server, vpath, NULL, error);
      const char *status;

      if (v == NULL)
        return FALSE;
      status = json_object_get_string_member (json_node_get_object (v), "status");
      tally[g_strcmp0 (status, "fail") == 0 ? 2 : g_strcmp0 (status, "warn") == 0 ? 1 : 0]++;
    }
  return TRUE;
}
