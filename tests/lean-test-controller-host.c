/* SPDX-License-Identifier: MIT */
/* A process that uses the controller like the app does, for the crash
 * test: it runs one session and reports on stdout, as it goes, how many
 * output bytes it has routed ("T <monotonic usec> <total>"), so the test
 * can kill -9 it mid-stream and know what the database must hold.
 *
 *   lean-test-controller-host DB PROJECT AGENT SPEC */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "lean-controller.h"
#include "lean-session-db.h"

static guint64 total;
static gint64 last_report;

static void
report (void)
{
  gint64 now = g_get_monotonic_time ();

  printf ("T %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT "\n", now, total);
  fflush (stdout);
  last_report = now;
}

/* The agent's bytes as the controller stores and announces them. */
static void
on_appended (LeanSessionLog *log,
             guint           channel,
             guint64         offset,
             guint64         length,
             gpointer        user_data)
{
  if (channel != LEAN_OUTPUT_CHANNEL_RAW)
    return;
  total = offset + length;
  if (g_get_monotonic_time () - last_report >= 5000)
    report ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  LeanSession *session;

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s DB PROJECT AGENT SPEC\n", argv[0]);
      return 2;
    }

  db = lean_session_db_open (argv[1], &error);
  if (db == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  controller = lean_controller_new (db);
  request = lean_session_request_new ();
  request->project_path = g_strdup (argv[2]);
  request->agent_id = g_strdup (argv[3]);
  request->spec_id = g_strdup (argv[4]);
  request->prompt = g_strdup ("Implement the spec");
  request->set_in_progress = FALSE;

  session = lean_controller_start (controller, request, &error);
  if (session == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("SESSION %s\n", lean_session_get_id (session));
  fflush (stdout);
  g_signal_connect (lean_controller_get_log (controller, session), "appended",
                    G_CALLBACK (on_appended), NULL);

  while (!lean_session_state_is_final (lean_session_get_state (session)))
    g_main_context_iteration (NULL, TRUE);
  report ();
  printf ("END %s\n", lean_session_state_to_string (lean_session_get_state (session)));
  return 0;
}
