/* SPDX-License-Identifier: MIT */
/* Helpers of the review tests (core and CLI): git on real repositories and
 * sessions run to their end by a controller. */
#pragma once

#include <stdarg.h>

#include "lean-controller.h"
#include "lean-session-db.h"

#include "test-session-util.h"

/* git in @dir with the NULL-terminated arguments; its stdout, stripped,
 * asserting it succeeded. */
static inline char *
test_git (const char *dir,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (char *)"git");
  va_start (args, dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", (char *)argv->pdata[1], err);
  return g_strchomp (out);
}

static inline void
test_write_at (const char *root,
               const char *rel,
               const char *text)
{
  test_util_write_file (root, rel, text);
}

/* The file's text, or NULL when it cannot be read. */
static inline char *
test_read_at (const char *root,
              const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* A project (test_make_project) with a.txt, b.txt and .gitignore, all
 * committed on main. */
static inline char *
test_review_make_repo (const char *dir)
{
  char *project = test_make_project (dir);

  test_write_at (project, "a.txt", "one\ntwo\nthree\n");
  test_write_at (project, "b.txt", "1\n2\n3\n4\n5\n");
  test_write_at (project, ".gitignore", ".env\nsetup-ran\n");
  g_assert_true (test_git_init (project));
  return project;
}

/* libgit2 takes the author from git config, as the person's git would:
 * a private ~/.gitconfig (HOME from test_session_env_init()). */
static inline void
test_review_git_identity (void)
{
  test_write_at (g_get_home_dir (), ".gitconfig",
                 "[user]\n\tname = Review Tester\n\temail = review@example.invalid\n"
                 "[init]\n\tdefaultBranch = main\n");
  g_unsetenv ("GIT_AUTHOR_NAME");
  g_unsetenv ("GIT_AUTHOR_EMAIL");
  g_unsetenv ("GIT_COMMITTER_NAME");
  g_unsetenv ("GIT_COMMITTER_EMAIL");
}

/* A session of @agent on 001-first that completed; in its own worktree
 * when @worktree. */
static inline LeanSession *
test_review_run_session (LeanController *controller,
                         LeanSessionDb  *db,
                         const char     *project,
                         const char     *agent,
                         gboolean        worktree)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (project);
  request->spec_id = g_strdup ("001-first");
  request->agent_id = g_strdup (agent);
  request->prompt = g_strdup ("Implement spec 001-first");
  request->set_in_progress = FALSE;
  request->use_worktree = worktree;
  session = lean_controller_start (controller, request, &error);
  g_assert_no_error (error);
  g_object_ref (session);
  test_wait_until (test_session_is_final, session, 60);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_flush (db);
  return session;
}

/* The person's own ~/.lean-spec/runners.json puts the test agent behind
 * "claude": it is run with Claude Code's options and reads as its stream. */
static inline void
test_review_claude_is_test_agent (void)
{
  g_autofree char *agent = test_agent_path ();
  g_autofree char *runners = g_strdup_printf ("{\"runners\": {\"claude\": {\"command\": "
                                              "\"%s\"}}}", agent);

  test_write_at (g_get_home_dir (), ".lean-spec/runners.json", runners);
}

/* A repository (test_review_make_repo()) in a temp folder, a sessions
 * database there and a controller on it. */
typedef struct
{
  char           *dir;
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
} ReviewFixture;

/* @data non-NULL: child processes (leanspec-ctl) use the same database
 * through LEANSPEC_DB. */
static inline void
test_review_fixture_setup (ReviewFixture *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;

  f->dir = g_dir_make_tmp ("leanspec-review-XXXXXX", &error);
  g_assert_no_error (error);
  f->project = test_review_make_repo (f->dir);
  db_path = g_build_filename (f->dir, "sessions.db", NULL);
  if (data != NULL)
    g_setenv ("LEANSPEC_DB", db_path, TRUE);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
}

static inline void
test_review_fixture_teardown (ReviewFixture *f,
                              gconstpointer  data)
{
  g_clear_object (&f->controller);
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  g_unsetenv ("LEANSPEC_DB");
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->project);
}

static inline LeanSession *
run_session (ReviewFixture *f,
             const char    *agent,
             gboolean       worktree)
{
  return test_review_run_session (f->controller, f->db, f->project, agent, worktree);
}
