/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* LeanSpec's own HTTP server (@leanspec/http-linux-x64 0.3.0, installed by
 * tests/interop/install-leanspec.sh http into a cache folder), the backend
 * of its web UI, run on 127.0.0.1 with a temp HOME so it never touches the
 * user's projects: the reference the interop tests compare with. */
typedef struct
{
  GSubprocess *proc;
  SoupSession *session;
  char *base;           /* http://127.0.0.1:PORT */
  char *project_id;
  char *home;
} HttpReference;

/* Starts the server on @project and waits until it lists it; fails the
 * test (and returns FALSE) when the server cannot be installed or run. */
gboolean    http_reference_start    (HttpReference  *server,
                                     const char     *project);
void        http_reference_stop     (HttpReference  *server);

/* GET @path (from "/api/"); @status, when not NULL, gets the HTTP status. */
JsonNode   *http_reference_get_json (HttpReference  *server,
                                     const char     *path,
                                     guint          *status,
                                     GError        **error);

/* What LeanSpec's web UI counts: the checks' status (pass, warn, fail) of
 * every spec /specs lists, tallied into @tally[0..2]. */
gboolean    http_reference_tally_checks (HttpReference *server,
                                         guint          tally[3],
                                         GError       **error);

G_END_DECLS
