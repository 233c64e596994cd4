/* SPDX-License-Identifier: MIT */
/* The conformance peer (tests/lean-relay-peer.c) as a test fixture: started
 * as a subprocess with options, its port read from its stdout. */
#pragma once

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>

#include <gio/gio.h>

typedef struct
{
  GSubprocess *proc;
  int          port;
  char        *url;
} Peer;

static inline void
peer_free (Peer *peer)
{
  if (peer->proc != NULL)
    {
      const char *pid = g_subprocess_get_identifier (peer->proc);

      if (pid != NULL)
        {
          kill (atoi (pid), SIGCONT);
          g_subprocess_force_exit (peer->proc);
        }
      g_subprocess_wait (peer->proc, NULL, NULL);
      g_object_unref (peer->proc);
    }
  g_free (peer->url);
  g_free (peer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static inline const char *
peer_path (void)
{
  const char *path = g_getenv ("LEAN_RELAY_PEER");

  if (path == NULL)
    g_error ("LEAN_RELAY_PEER is not set: run through meson test");
  return path;
}

/* Starts the peer with the given options (NULL-terminated) and reads the
 * port it prints. Runner "r1" is always registered. */
static inline Peer *
peer_start (const char *first_option,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  Peer *peer = g_new0 (Peer, 1);
  va_list args;

  g_ptr_array_add (argv, (char *)peer_path ());
  va_start (args, first_option);
  for (const char *a = first_option; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)a);
  va_end (args);
  g_ptr_array_add (argv, (char *)"r1");
  g_ptr_array_add (argv, NULL);

  peer->proc = g_subprocess_newv ((const char * const *)argv->pdata,
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->proc));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  peer->port = atoi (line);
  g_assert_cmpint (peer->port, >, 0);
  peer->url = g_strdup_printf ("ws://127.0.0.1:%d", peer->port);
  return peer;
}

