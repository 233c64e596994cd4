/* SPDX-License-Identifier: MIT */
/* leanspec-ctl implement / sessions, run as child processes on a temp
 * project whose agents are the test agent, against a temp database
 * (LEANSPEC_DB). */
#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "lean-session-db.h"

#include "test-session-util.h"

typedef struct
{
  char *dir;
  char *project;
  char *db_path;
  LeanSessionDb *db;   /* the test's own reader of the shared database */
} Fixture;

static char *ctl_path;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("leanspec-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_make_project (f->dir);
  f->db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
  g_free (f->db_path);
}

static GSubprocess *
ctl_spawnv (Fixture     *f,
            const char  *first,
            va_list      args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  const char *arg;

  g_subprocess_launcher_setenv (launcher, "LEANSPEC_DB", f->db_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_COLOR", "1", TRUE);
  g_subprocess_launcher_set_cwd (launcher, f->project);
  g_ptr_array_add (argv, ctl_path);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static GSubprocess *ctl_spawn (Fixture *f, const char *first, ...) G_GNUC_NULL_TERMINATED;

static GSubprocess *
ctl_spawn (Fixture    *f,
           const char *first,
           ...)
{
  GSubprocess *proc;
  va_list args;

  va_start (args, first);
  proc = ctl_spawnv (f, first, args);
  va_end (args);
  return proc;
}

static int ctl_finish (GSubprocess *proc, char **out, char **err);
static int ctl_run (Fixture *f, char **out, char **err, const char *first, ...)
  G_GNUC_NULL_TERMINATED;

/* Runs leanspec-ctl with the NULL-terminated arguments and waits. */
static int
ctl_run (Fixture     *f,
         char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GSubprocess) proc = NULL;
  va_list args;

  va_start (args, first);
  proc = ctl_spawnv (f, first, args);
  va_end (args);
  return ctl_finish (proc, out, err);
}

static int
ctl_finish (GSubprocess  *proc,
            char        **out,
            char        **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;

  g_subprocess_communicate_utf8 (proc, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  if (g_subprocess_get_if_signaled (proc))
    return 128 + g_subprocess_get_term_sig (proc);
  return g_subprocess_get_exit_status (proc);
}

static LeanSessionDb *
open_db (Fixture *f)
{
  return g_object_ref (f->db);
}

/* The newest session, as another process sees it. */
static LeanSession *
newest_session (Fixture *f)
{
  g_autoptr(GListModel) list = lean_session_db_list (f->db, NULL, NULL);

  if (list == NULL || g_list_model_get_n_items (list) == 0)
    return NULL;
  return g_list_model_get_item (list, 0);
}

typedef struct
{
  Fixture    *f;
  const char *needle;
} OutputWait;

static gboolean
running_with_output (gpointer data)
{
  OutputWait *w = data;
  g_autoptr(LeanSession) s = newest_session (w->f);
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(GBytes) out = NULL;

  g_usleep (20 * 1000);
  if (s == NULL || lean_session_get_state (s) != LEAN_SESSION_STATE_RUNNING)
    return FALSE;
  db = open_db (w->f);
  out = lean_session_db_read_output_range (db, lean_session_get_id (s), LEAN_OUTPUT_CHANNEL_RAW,
                                           -1, NULL, NULL);
  return out != NULL && g_bytes_get_size (out) > 0 &&
         g_strstr_len (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                      w->needle) != NULL;
}

static void
test_cli_implement_completes (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autofree char *show = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  JsonObject *obj;
  int status;

  status = ctl_run (f, &out, &err, "implement", "1", "--agent", "json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "▶ Edit"));
  g_assert_null (strstr (out, "\"type\":\"result\""));
  g_assert_nonnull (strstr (err, "completed"));

  status = ctl_run (f, &list, NULL, "sessions", "list", "--json", NULL, NULL);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, list, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  obj = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (obj, "spec"), ==, "001-first");
  g_assert_cmpint (json_object_get_int_member (obj, "input_tokens"), ==, 1234);
  g_assert_cmpint (json_object_get_int_member (obj, "output_tokens"), ==, 567);

  /* show by a prefix of the id, with events. */
  {
    g_autofree char *prefix = g_strndup (json_object_get_string_member (obj, "id"), 8);
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *s;

    status = ctl_run (f, &show, NULL, "sessions", "show", prefix, "--json", NULL);
    g_assert_cmpint (status, ==, 0);
    json_parser_load_from_data (p2, show, -1, &error);
    g_assert_no_error (error);
    s = json_node_get_object (json_parser_get_root (p2));
    g_assert_cmpstr (json_object_get_string_member (s, "id"), ==,
                     json_object_get_string_member (obj, "id"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "events")), >, 4);
    g_assert_cmpint (json_object_get_int_member (s, "output_bytes"), >, 0);
  }

  /* list --spec filters, by number or id. */
  g_clear_pointer (&list, g_free);
  status = ctl_run (f, &list, NULL, "sessions", "list", "--spec", "2", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (g_strstrip (list), ==, "[]");
  g_clear_pointer (&list, g_free);
  status = ctl_run (f, &list, NULL, "sessions", "list", "--spec", "001-first", NULL, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (list, "completed"));
}

static void
test_cli_implement_json (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) types = g_string_new (NULL);
  int status;

  status = ctl_run (f, &out, NULL, "implement", "001-first", "--agent", "json", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *obj;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      g_string_append_printf (types, "%s,", json_object_get_string_member (obj, "type"));
      if (lines[i + 1] == NULL)
        {
          JsonObject *d = json_object_get_object_member (obj, "data");
          g_assert_cmpstr (json_object_get_string_member (d, "state"), ==, "completed");
        }
    }
  g_assert_true (g_str_has_prefix (types->str, "session,"));
  g_assert_nonnull (strstr (types->str, "output,"));
  g_assert_nonnull (strstr (types->str, "tool-use,"));
  g_assert_nonnull (strstr (types->str, "usage,"));
  g_assert_true (g_str_has_suffix (types->str, "state,end,"));
}

static void
test_cli_implement_fails (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;

  g_assert_cmpint (ctl_run (f, NULL, &err, "implement", "1", "--agent", "fail3", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "status 3"));
  g_assert_cmpint (ctl_run (f, NULL, &err2, "implement", "1", "--agent", "missing", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "not installed"));
  g_assert_cmpint (ctl_run (f, NULL, &err3, "implement", "1", "--mode", "yolo", NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "unknown mode"));
}

static void
test_cli_sigint_cancels (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = ctl_spawn (f, "implement", "1", "--agent", "sleepy", NULL);
  g_autoptr(LeanSession) s = NULL;
  OutputWait w = { f, "READY pid=" };
  gint64 t0;
  int status;

  test_wait_until (running_with_output, &w, 20);
  t0 = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  status = ctl_finish (proc, NULL, NULL);
  g_assert_cmpint (status, ==, 130);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 4 * G_USEC_PER_SEC);

  s = newest_session (f);
  g_assert_cmpint (lean_session_get_state (s), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (kill (lean_session_get_agent_pid (s), 0), ==, -1);
}

static void
test_cli_cancel_from_other_process (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = ctl_spawn (f, "implement", "1", "--agent", "sleepy", NULL);
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(LeanSession) after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  OutputWait w = { f, "READY pid=" };
  int status;

  test_wait_until (running_with_output, &w, 20);
  s = newest_session (f);
  status = ctl_run (f, &out, &err, "sessions", "cancel", lean_session_get_id (s), NULL, NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "cancelled"));

  /* The owner stopped its agent and exits with the session's result. */
  g_assert_cmpint (ctl_finish (proc, NULL, NULL), ==, 1);
  after = newest_session (f);
  g_assert_cmpint (lean_session_get_state (after), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_nonnull (strstr (lean_session_get_message (after), "command line"));

  /* Cancelling it again says it has ended. */
  g_clear_pointer (&err, g_free);
  status = ctl_run (f, NULL, &err, "sessions", "cancel", lean_session_get_id (s), NULL, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "already ended"));
}

static void
test_cli_logs_follow (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = ctl_spawn (f, "implement", "1", "--agent", "lines", NULL);
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autofree char *followed = NULL;
  g_autofree char *plain = NULL;
  OutputWait w = { f, "line 000049" };

  test_wait_until (running_with_output, &w, 20);
  s = newest_session (f);
  /* Started while the agent sleeps; it must end on its own when the
   * session does, with every byte. */
  g_assert_cmpint (ctl_run (f, &followed, NULL, "sessions", "logs", lean_session_get_id (s),
                            "--follow", NULL), ==, 0);
  g_assert_cmpint (ctl_finish (proc, NULL, NULL), ==, 0);

  db = open_db (f);
  stored = lean_session_db_read_output_range (db, lean_session_get_id (s),
                                              LEAN_OUTPUT_CHANNEL_RAW, -1, NULL, NULL);
  g_assert_cmpuint (strlen (followed), ==, g_bytes_get_size (stored));
  g_assert_cmpmem (followed, strlen (followed), g_bytes_get_data (stored, NULL),
                   g_bytes_get_size (stored));
  g_assert_nonnull (strstr (followed, "line 000049"));

  g_assert_cmpint (ctl_run (f, &plain, NULL, "sessions", "logs", lean_session_get_id (s), NULL,
                            NULL), ==, 0);
  g_assert_cmpstr (plain, ==, followed);
}

/* `leanspec-ctl implement ... | head`: the reader goes away, the agent is
 * stopped cleanly and the session says cancelled (not left running). */
static void
test_cli_closed_stdout (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = ctl_spawn (f, "implement", "1", "--agent", "flood400", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) s = NULL;
  char buffer[4096];
  gssize n;

  n = g_input_stream_read (g_subprocess_get_stdout_pipe (proc), buffer, sizeof buffer, NULL,
                           &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_input_stream_close (g_subprocess_get_stdout_pipe (proc), NULL, NULL);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 128 + SIGPIPE);

  s = newest_session (f);
  g_assert_cmpint (lean_session_get_state (s), ==, LEAN_SESSION_STATE_CANCELLED);
  g_assert_cmpint (kill (lean_session_get_agent_pid (s), 0), ==, -1);
}

static void
test_cli_unknown_session (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (ctl_run (f, NULL, &err, "sessions", "show", "deadbeef", NULL, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "No session"));
  g_assert_cmpint (ctl_run (f, NULL, &err2, "sessions", "frobnicate", NULL, NULL, NULL), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  test_session_env_init ();
  g_test_init (&argc, &argv, NULL);

  ctl_path = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "src", "cli", "leanspec-ctl",
                               NULL);
  if (!test_agent_path_exists () || !g_file_test (ctl_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("lean-test-agent or leanspec-ctl not built\n");
      return 1;
    }

#define ADD(name, func) \
  g_test_add ("/cli-sessions/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("implement-completes", test_cli_implement_completes);
  ADD ("implement-json", test_cli_implement_json);
  ADD ("implement-fails", test_cli_implement_fails);
  ADD ("sigint-cancels", test_cli_sigint_cancels);
  ADD ("cancel-from-other-process", test_cli_cancel_from_other_process);
  ADD ("logs-follow", test_cli_logs_follow);
  ADD ("closed-stdout", test_cli_closed_stdout);
  ADD ("unknown-session", test_cli_unknown_session);
#undef ADD

  return test_session_env_cleanup (g_test_run ());
}
