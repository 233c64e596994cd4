/* SPDX-License-Identifier: MIT */
/* Helpers shared by the session engine tests: a temp HOME, a project whose
 * runners.json defines agents that are the test agent with various options,
 * the expected bytes of a test agent flood, and a main-loop wait. */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lean-session.h"
#include "lean-session-log.h"
#include "lean-trust-store.h"
#include "test-util.h"

static inline char *
test_agent_path (void)
{
  const char *build = g_getenv ("LEANSPEC_BUILD_ROOT");

  return g_build_filename (build ? build : ".", "tests", "lean-test-agent", NULL);
}

static inline gboolean
test_agent_path_exists (void)
{
  g_autofree char *path = test_agent_path ();
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

static char *test_session_home;

/* A private HOME and XDG dirs, so no real runners.json, database or cache
 * is read or written. Call before g_test_init (GLib caches these). */
static inline void
test_session_env_init (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("leanspec-home-XXXXXX", &error);
  g_autofree char *data = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;

  g_assert_no_error (error);
  data = g_build_filename (root, "data", NULL);
  cache = g_build_filename (root, "cache", NULL);
  config = g_build_filename (root, "config", NULL);
  g_setenv ("HOME", root, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GIT_AUTHOR_NAME", "Test", TRUE);
  g_setenv ("GIT_AUTHOR_EMAIL", "test@example.invalid", TRUE);
  g_setenv ("GIT_COMMITTER_NAME", "Test", TRUE);
  g_setenv ("GIT_COMMITTER_EMAIL", "test@example.invalid", TRUE);
  g_unsetenv ("LEANSPEC_DB");
  test_session_home = root;
}

/* Removes the private HOME; returns @status for `return` in main(). */
static inline int
test_session_env_cleanup (int status)
{
  if (test_session_home != NULL)
    test_util_rm_rf (test_session_home);
  g_clear_pointer (&test_session_home, g_free);
  return status;
}

/* Trusts @project's .lean-spec/runners.json as it is now, as a person
 * would after reviewing it: the agents it defines may run. Only in a
 * private XDG_CONFIG_HOME (test_session_env_init()). */
static inline void
test_trust_runners (const char *project)
{
  g_autofree char *path = g_build_filename (project, ".lean-spec", "runners.json", NULL);
  g_autofree char *real = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (g_getenv ("XDG_CONFIG_HOME"));
  bytes = lean_trust_read_file (path, 1024 * 1024, &real, &sha, &error);
  g_assert_no_error (error);
  lean_trust_store_trust (lean_trust_store_get_default (), real, sha, &error);
  g_assert_no_error (error);
}

/* A shell script at @path standing in for a command a project names: it
 * appends its arguments to @marker (so any run of it shows) and prints a
 * version. */
static inline void
test_write_marker_script (const char *path,
                          const char *marker)
{
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\necho \"$@\" >> '%s'\necho 1.0\n", marker);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

/* Puts "." and an empty entry (both: the working folder) first in PATH, as
 * a careless person's PATH might: nothing of a project may be found through
 * them. Call before any thread. */
static inline void
test_path_names_working_folder (void)
{
  g_autofree char *path = g_strdup_printf (".::%s", g_getenv ("PATH"));

  g_setenv ("PATH", path, TRUE);
}

static inline void
test_add_agent (JsonBuilder *b,
                const char  *id,
                const char  *command,
                const char  *output,
                ...)
{
  va_list args;
  const char *arg;

  json_builder_set_member_name (b, id);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, command);
  json_builder_set_member_name (b, "output");
  json_builder_add_string_value (b, output);
  json_builder_set_member_name (b, "args");
  json_builder_begin_array (b);
  va_start (args, output);
  while ((arg = va_arg (args, const char *)) != NULL)
    json_builder_add_string_value (b, arg);
  va_end (args);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* @dir/project: a LeanSpec project with two specs and test agents. */
static inline char *
test_make_project (const char *dir)
{
  char *project = g_build_filename (dir, "project", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  test_util_write_file (project, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (project, "specs/001-first/README.md",
                   "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# First\n\n"
                   "- [ ] do it\n");
  test_util_write_file (project, "specs/002-second/README.md",
                   "---\nstatus: planned\ncreated: '2026-01-02'\n---\n\n# Second\n");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "json", agent, "claude-stream-json", "--stream-json", NULL);
  test_add_agent (b, "flood5", agent, "text", "--flood", "5", NULL);
  test_add_agent (b, "jsonflood", agent, "claude-stream-json", "--stream-json", "--flood", "5",
                  NULL);
  test_add_agent (b, "flood2", agent, "text", "--flood", "2", NULL);
  test_add_agent (b, "flood400", agent, "text", "--flood", "400", NULL);
  test_add_agent (b, "fail3", agent, "text", "--text", "--exit", "3", NULL);
  test_add_agent (b, "sleepy", agent, "text", "--ready", "--lines", "3", "--sleep", "30", NULL);
  test_add_agent (b, "stubborn", agent, "text", "--ignore-term", "--ready", "--sleep", "30",
                  NULL);
  test_add_agent (b, "ask", agent, "text", "--ask", "Name?", NULL);
  test_add_agent (b, "lines", agent, "text", "--lines", "50", "--sleep", "1.5", NULL);
  test_add_agent (b, "missing", "/nonexistent/lean-agent-missing", "text", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (project, ".lean-spec/runners.json", json);
  test_trust_runners (project);
  return project;
}

/* What `lean-test-agent --flood MB` prints, as a PTY delivers it (ONLCR:
 * "\n" becomes "\r\n"). */
static inline GBytes *
test_flood_expected (double mb)
{
  gsize total = (gsize)(mb * 1024 * 1024);
  g_autoptr(GString) block = g_string_new (NULL);
  g_autoptr(GString) plain = g_string_new (NULL);
  GString *out;
  gsize written = 0;
  guint n = 0;

  while (written < total)
    {
      g_string_truncate (block, 0);
      while (block->len < 64 * 1024)
        g_string_append_printf (block, "flood %08u the quick brown fox jumps over the "
                                "lazy dog 0123456789\n", n++);
      g_string_append_len (plain, block->str, MIN (block->len, total - written));
      written += MIN (block->len, total - written);
    }
  g_string_append (plain, "\nFLOOD-END\n");

  out = g_string_sized_new (plain->len + plain->len / 50);
  for (gsize i = 0; i < plain->len; i++)
    {
      if (plain->str[i] == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, plain->str[i]);
    }
  return g_string_free_to_bytes (out);
}

static inline void
test_wait_until (gboolean (*cond) (gpointer),
                 gpointer   data,
                 guint      timeout_s)
{
  if (!test_util_wait_until (cond, data, timeout_s * 1000))
    g_error ("timed out after %u s waiting for a condition", timeout_s);
}

/* What a view shows of a session: its DISPLAY channel, read from the
 * session's LeanSessionLog the way views read it (from what it has, one
 * read at a time, again on each "appended") into @out. Kept on the session
 * (and freed with it); test_session_is_final() also waits for it to have
 * read everything. */
typedef struct
{
  LeanSessionLog *log;
  GByteArray     *out;       /* or: */
  GString        *text;      /* borrowed; NUL-terminated, for strstr() */
  guint64         shown;
  gboolean        reading;
  gboolean        orphaned;  /* freed while a read was in flight */
} TestLogView;

static inline void test_log_view_read (TestLogView *view);
static inline void test_log_view_free (TestLogView *view);

static inline void
test_log_view_on_read (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  TestLogView *view = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = lean_session_log_read_finish (LEAN_SESSION_LOG (source), result,
                                                          &error);

  view->reading = FALSE;
  if (view->orphaned)
    {
      test_log_view_free (view);
      return;
    }
  g_assert_no_error (error);
  if (view->out != NULL)
    g_byte_array_append (view->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  else
    g_string_append_len (view->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  view->shown += g_bytes_get_size (bytes);
  test_log_view_read (view);
}

static inline void
test_log_view_read (TestLogView *view)
{
  if (view->reading ||
      view->shown >= lean_session_log_get_length (view->log, LEAN_OUTPUT_CHANNEL_DISPLAY))
    return;
  view->reading = TRUE;
  lean_session_log_read_async (view->log, LEAN_OUTPUT_CHANNEL_DISPLAY, view->shown,
                               1024 * 1024, NULL, test_log_view_on_read, view);
}

static inline void
test_log_view_free (TestLogView *view)
{
  g_signal_handlers_disconnect_by_data (view->log, view);
  if (view->reading)
    {
      view->orphaned = TRUE;
      return;
    }
  g_object_unref (view->log);
  g_clear_pointer (&view->out, g_byte_array_unref);
  g_free (view);
}

static inline gboolean
test_log_view_caught_up (TestLogView *view)
{
  return !view->reading &&
         view->shown == lean_session_log_get_length (view->log, LEAN_OUTPUT_CHANNEL_DISPLAY);
}

static inline void
test_log_view_add (LeanSessionLog *log,
                   LeanSession    *session,
                   TestLogView    *view)
{
  GPtrArray *views = g_object_get_data (G_OBJECT (session), "test-log-views");

  g_assert_nonnull (log);
  if (views == NULL)
    {
      views = g_ptr_array_new_with_free_func ((GDestroyNotify) test_log_view_free);
      g_object_set_data_full (G_OBJECT (session), "test-log-views", views,
                              (GDestroyNotify) g_ptr_array_unref);
    }
  view->log = g_object_ref (log);
  g_signal_connect_swapped (log, "appended", G_CALLBACK (test_log_view_read), view);
  g_ptr_array_add (views, view);
  test_log_view_read (view);
}

/* Starts showing @session's output (@log: as its controller logs it) in
 * @out. */
static inline void
test_session_show (LeanSessionLog *log,
                   LeanSession    *session,
                   GByteArray     *out)
{
  TestLogView *view = g_new0 (TestLogView, 1);

  view->out = g_byte_array_ref (out);
  test_log_view_add (log, session, view);
}

/* The same into @text (borrowed: wait with test_session_is_final() before
 * freeing it, so no read is left to land in it). */
static inline void
test_session_show_text (LeanSessionLog *log,
                        LeanSession    *session,
                        GString        *text)
{
  TestLogView *view = g_new0 (TestLogView, 1);

  view->text = text;
  test_log_view_add (log, session, view);
}

/* test_wait_until() conditions on a LeanSession. */
static inline gboolean
test_session_is_final (gpointer session)
{
  GPtrArray *views = g_object_get_data (session, "test-log-views");

  if (!lean_session_state_is_final (lean_session_get_state (session)))
    return FALSE;
  for (guint i = 0; views != NULL && i < views->len; i++)
    if (!test_log_view_caught_up (g_ptr_array_index (views, i)))
      return FALSE;
  return TRUE;
}

static inline gboolean
test_session_is_running (gpointer session)
{
  return lean_session_get_state (session) == LEAN_SESSION_STATE_RUNNING;
}

static inline gboolean
test_git_init (const char *dir)
{
  const char *steps[][8] = {
    { "git", "init", "-q", "-b", "main", NULL },
    { "git", "add", "-A", NULL },
    { "git", "commit", "-q", "-m", "initial", NULL },
  };
  g_autofree char *git = g_find_program_in_path ("git");

  if (git == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      int status = 0;
      g_autoptr(GError) error = NULL;

      g_spawn_sync (dir, (char **)steps[i], NULL, G_SPAWN_SEARCH_PATH |
                    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
  return TRUE;
}
