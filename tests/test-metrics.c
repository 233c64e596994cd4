/* SPDX-License-Identifier: MIT */
/* LeanMetrics over a real SQLite file filled by the metrics fixture, the
 * completions of real spec files, `leanspec-ctl metrics` and `sessions
 * export` as child processes, and an exported cast played back by
 * asciinema. */
#include "config.h"

#include <unistd.h>

#include <sqlite3.h>

#include <json-glib/json-glib.h>

#include "ctl-testutil.h"
#include "lean-completion.h"
#include "lean-devlog-outbox.h"
#include "lean-metrics.h"
#include "lean-project.h"
#include "lean-session-db.h"
#include "lean-session-export.h"
#include "lean-text.h"
#include "metrics-fixture.h"

typedef struct
{
  char *dir;
  char *db_path;
  LeanSessionDb *db;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = test_util_make_tmp_dir ();
  f->db_path = g_build_filename (f->dir, "sessions.db", NULL);
  f->db = lean_session_db_open (f->db_path, &error);
  g_assert_no_error (error);
  g_setenv ("LEANSPEC_DB", f->db_path, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  lean_session_db_close (f->db);
  g_clear_object (&f->db);
  g_unsetenv ("LEANSPEC_DB");
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
}

typedef struct
{
  guint sessions, completed, failed, cancelled, interrupted;
  guint64 tokens;
  double cost;
  guint chains_passed, chains_failed;
  guint reason_counts[3];
} Expected;

/* What the fixture's sessions [0, n) filtered by project add up to. */
static void
expect (guint       n,
        guint       n_projects,
        int         project,
        guint       newest_n,
        Expected   *e)
{
  static const char * const messages[] = {
    "Claude: usage limit reached", "exited with status 1", "checks failed: npm test",
  };

  memset (e, 0, sizeof *e);
  for (guint i = 0; i < MIN (n, newest_n); i++)
    {
      const char *state = metrics_fixture_state (i);

      if (project >= 0 && (int) (i % n_projects) != project)
        continue;
      e->sessions++;
      e->tokens += metrics_fixture_tokens (i);
      e->cost += metrics_fixture_cost (i);
      if (g_str_equal (state, "completed"))
        e->completed++;
      else if (g_str_equal (state, "failed"))
        {
          e->failed++;
          for (guint k = 0; k < 3; k++)
            if (g_str_equal (metrics_fixture_message (i), messages[k]))
              e->reason_counts[k]++;
        }
      else if (g_str_equal (state, "cancelled"))
        e->cancelled++;
      else
        e->interrupted++;
      if (i % 10 == 0)
        {
          if (i % 30 == 0)
            e->chains_failed++;
          else
            e->chains_passed++;
        }
    }
}

static void
assert_matches (LeanMetrics *m,
                Expected    *e)
{
  guint completed = 0, failed = 0, cancelled = 0, interrupted = 0, passed = 0;
  guint64 tokens = 0;

  g_assert_cmpuint (m->sessions, ==, e->sessions);
  g_assert_cmpuint (m->tokens, ==, e->tokens);
  g_assert_cmpfloat_with_epsilon (m->cost_usd, e->cost, 1e-6);
  for (guint i = 0; i < m->days->len; i++)
    {
      LeanMetricsDay *d = &g_array_index (m->days, LeanMetricsDay, i);

      completed += d->completed;
      failed += d->failed;
      cancelled += d->cancelled;
      interrupted += d->interrupted;
      tokens += d->tokens;
      g_assert_cmpuint (d->running, ==, 0);
      if (i > 0)
        g_assert_cmpstr (g_array_index (m->days, LeanMetricsDay, i - 1).day, <, d->day);
    }
  g_assert_cmpuint (completed, ==, e->completed);
  g_assert_cmpuint (failed, ==, e->failed);
  g_assert_cmpuint (cancelled, ==, e->cancelled);
  g_assert_cmpuint (interrupted, ==, e->interrupted);
  g_assert_cmpuint (tokens, ==, e->tokens);
  g_assert_cmpuint (m->chains_passed, ==, e->chains_passed);
  g_assert_cmpuint (m->chains_failed, ==, e->chains_failed);
  for (guint i = 0; i < m->iterations->len; i++)
    passed += g_array_index (m->iterations, LeanMetricsIterations, i).chains;
  g_assert_cmpuint (passed, ==, e->chains_passed);

  /* The commonest reason first, with its count. */
  g_assert_cmpuint (m->reasons->len, ==, 3);
  g_assert_cmpstr (g_array_index (m->reasons, LeanMetricsReason, 0).reason, ==,
                   "Claude: usage limit reached");
  g_assert_cmpuint (g_array_index (m->reasons, LeanMetricsReason, 0).count, ==,
                    e->reason_counts[0]);
  g_assert_cmpuint (g_array_index (m->reasons, LeanMetricsReason, 0).count, >,
                    g_array_index (m->reasons, LeanMetricsReason, 1).count);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
test_metrics_all_and_project (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanMetrics) all = NULL;
  g_autoptr(LeanMetrics) one = NULL;
  g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 agent_tokens = 0;
  Expected e;

  lean_session_db_flush (f->db);
  g_assert_true (metrics_fixture_fill (f->db_path, 400, 28, 3, NULL));

  all = lean_metrics_compute (f->db_path, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  expect (400, 3, -1, G_MAXUINT, &e);
  assert_matches (all, &e);
  /* 28 days back plus today, no gaps. */
  g_assert_cmpuint (all->days->len, >=, 28);
  g_assert_cmpuint (all->days->len, <=, 30);

  /* Median of the ended sessions' durations, computed here the long way. */
  for (guint i = 0; i < 400; i++)
    {
      gint64 d = metrics_fixture_duration_usec (i);
      g_array_append_val (durations, d);
    }
  g_array_sort (durations, compare_int64);
  g_assert_cmpint (all->median_duration_usec, ==, g_array_index (durations, gint64, 199));

  /* Per agent, most tokens first, adding up to the total. */
  g_assert_cmpuint (all->agents->len, ==, 3);
  for (guint i = 0; i < all->agents->len; i++)
    {
      LeanMetricsAgent *a = &g_array_index (all->agents, LeanMetricsAgent, i);
      agent_tokens += a->tokens;
      if (i > 0)
        g_assert_cmpuint (g_array_index (all->agents, LeanMetricsAgent, i - 1).tokens, >=, a->tokens);
    }
  g_assert_cmpuint (agent_tokens, ==, e.tokens);

  one = lean_metrics_compute (f->db_path, "/proj/1", 0, NULL, &error);
  g_assert_no_error (error);
  expect (400, 3, 1, G_MAXUINT, &e);
  g_assert_cmpuint (one->sessions, ==, e.sessions);
  g_assert_cmpuint (one->tokens, ==, e.tokens);
  g_assert_cmpuint (one->chains_passed, ==, e.chains_passed);
  g_assert_cmpstr (one->project_path, ==, "/proj/1");
}

static void
test_metrics_since (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanMetrics) week = NULL;
  gint64 since = g_get_real_time () - (gint64) 7 * 86400 * G_USEC_PER_SEC;
  guint newest = 0;

  lean_session_db_flush (f->db);
  g_assert_true (metrics_fixture_fill (f->db_path, 300, 30, 1, NULL));
  /* Session i is created i/300 x 30 days (and an hour) ago. */
  for (guint i = 0; i < 300; i++)
    if (3600.0 + (double) i / 300 * 30 * 86400 < 7 * 86400 - 60)
      newest = i + 1;

  week = lean_metrics_compute (f->db_path, NULL, since, NULL, &error);
  g_assert_no_error (error);
  /* Within a minute's slack at the edge. */
  g_assert_cmpuint (week->sessions, >=, newest);
  g_assert_cmpuint (week->sessions, <=, newest + 1);
  g_assert_cmpuint (week->days->len, ==, 8);
}

static void
test_metrics_empty_database (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "none.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanMetrics) m = lean_metrics_compute (path, NULL, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (m->sessions, ==, 0);
  g_assert_cmpint (m->median_duration_usec, ==, -1);
  g_assert_cmpuint (m->days->len, ==, 1);
  test_util_rm_rf (dir);
}

static const char spec_template[] =
  "---\nstatus: %s\ncreated: '2026-11-01'\ntransitions:\n"
  "  - status: in-progress\n    at: '%s'\n%s---\n\n# %s\n\nBody.\n";

static char *
make_project (void)
{
  char *root = test_util_make_tmp_dir ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) two_days = g_date_time_add_days (now, -2);
  g_autoptr(GDateTime) forty_days = g_date_time_add_days (now, -40);
  g_autofree char *at_now = g_date_time_format (two_days, "%Y-%m-%dT%H:%M:%S.000000000Z");
  g_autofree char *at_old = g_date_time_format (forty_days, "%Y-%m-%dT%H:%M:%S.000000000Z");
  g_autofree char *done_recent = g_strdup_printf ("  - status: complete\n    at: '%s'\n", at_now);
  g_autofree char *done_old = g_strdup_printf ("  - status: complete\n    at: '%s'\n", at_old);
  g_autofree char *a = g_strdup_printf (spec_template, "complete", at_old, done_recent, "Alpha");
  g_autofree char *b = g_strdup_printf (spec_template, "complete", at_old, done_old, "Beta");
  g_autofree char *c = g_strdup_printf (spec_template, "in-progress", at_old, "", "Gamma");

  test_util_write_file (root, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (root, "specs/001-alpha/README.md", a);
  test_util_write_file (root, "specs/002-beta/README.md", b);
  test_util_write_file (root, "specs/003-gamma/README.md", c);
  return root;
}

static void
test_metrics_completions (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *root = make_project ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = lean_project_open (root, &error);
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GArray) completions = NULL;
  g_autoptr(LeanMetrics) all = NULL;
  g_autoptr(LeanMetrics) month = NULL;
  guint on_days = 0;

  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  completions = lean_metrics_collect_completions (specs);
  g_assert_cmpuint (completions->len, ==, 2);

  all = lean_metrics_compute (f->db_path, lean_project_get_root (project), 0, completions, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->specs_completed, ==, 2);
  /* No sessions: the days start at the oldest completion. */
  g_assert_cmpuint (all->days->len, >=, 40);
  for (guint i = 0; i < all->days->len; i++)
    on_days += g_array_index (all->days, LeanMetricsDay, i).specs_completed;
  g_assert_cmpuint (on_days, ==, 2);

  month = lean_metrics_compute (f->db_path, lean_project_get_root (project),
                                g_get_real_time () - (gint64) 30 * 86400 * G_USEC_PER_SEC,
                                completions, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (month->specs_completed, ==, 1);
  test_util_rm_rf (root);
}

/* Every project: the completions of each project folder that has
 * sessions, read by the worker; a folder that is gone counts nothing. */
static void
test_metrics_completions_every_project (Fixture       *f,
                                        gconstpointer  data)
{
  g_autofree char *one = make_project ();
  g_autofree char *two = make_project ();
  g_autofree char *gone = make_project ();
  const char *roots[] = { one, two, gone };
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanMetrics) all = NULL;
  g_autoptr(LeanMetrics) only_one = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      g_autoptr(LeanSession) s = lean_session_new (NULL, roots[i], "001-alpha", "claude",
                                                   LEAN_SESSION_MODE_AUTONOMOUS);

      lean_session_db_save_session_now (f->db, s);
    }
  lean_session_db_flush (f->db);
  test_util_rm_rf (gone);

  all = lean_metrics_compute (f->db_path, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->specs_completed, ==, 4);

  /* One project: only the completions the caller gives count. */
  only_one = lean_metrics_compute (f->db_path, one, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (only_one->specs_completed, ==, 0);
  test_util_rm_rf (one);
  test_util_rm_rf (two);
}

static void
test_metrics_cli (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *root = make_project ();
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(CtlResult) text = NULL;
  g_autoptr(CtlResult) bad = NULL;
  g_autoptr(CtlResult) proj = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) pnode = NULL;
  JsonObject *obj;
  Expected e;

  lean_session_db_flush (f->db);
  g_assert_true (metrics_fixture_fill (f->db_path, 200, 20, 2, NULL));

  r = ctl_test_run_ctl (NULL, "metrics", "--json", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  node = ctl_test_parse_json (r->out);
  obj = json_node_get_object (node);
  expect (200, 2, -1, G_MAXUINT, &e);
  g_assert_cmpint (json_object_get_int_member (obj, "sessions"), ==, e.sessions);
  g_assert_cmpint (json_object_get_int_member (obj, "tokens"), ==, e.tokens);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "chains"),
                                               "passed"), ==, e.chains_passed);
  g_assert_true (json_object_get_null_member (obj, "project"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (obj, "failure_reasons"), 0),
                     "reason"), ==, "Claude: usage limit reached");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "agents")), ==, 3);

  text = ctl_test_run_ctl (NULL, "metrics", "--since", "7d", NULL);
  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_nonnull (strstr (text->out, "Sessions"));
  g_assert_nonnull (strstr (text->out, "Claude: usage limit reached"));
  g_assert_nonnull (strstr (text->out, "claude"));

  bad = ctl_test_run_ctl (NULL, "metrics", "--since", "last tuesday", NULL);
  g_assert_cmpint (bad->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bad->err, "YYYY-MM-DD");

  /* --project: that project's sessions (none here) and its completions. */
  proj = ctl_test_run_ctl (NULL, "metrics", "--project", root, "--json", NULL);
  g_assert_cmpint (proj->exit_status, ==, 0);
  pnode = ctl_test_parse_json (proj->out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (pnode), "sessions"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (pnode), "specs_completed"),
                   ==, 2);
  test_util_rm_rf (root);
}

/* ---- export ---- */

static const char *const pieces[] = {
  "\033[1;32mstarting\033[0m work on 042\r\n",
  "\033]0;title\007reading specs/042/README.md\r\n",
  "caf\303",   /* é cut between two chunks */
  "\251 \342\234\223 done\r\n",
};

static LeanSession *
store_session (Fixture *f)
{
  LeanSession *s = lean_session_new (NULL, "/tmp/project", "042-export", "claude",
                                     LEAN_SESSION_MODE_AUTONOMOUS);

  lean_session_set_runner (s, "local");
  lean_session_set_usage (s, 1200, 300, 0);
  lean_session_db_save_session_now (f->db, s);
  lean_session_db_add_event (f->db, lean_session_get_id (s), "terminal-size",
                             "{\"rows\":30,\"cols\":100}");
  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr(GBytes) b = g_bytes_new_static (pieces[i], strlen (pieces[i]));

      lean_session_db_append_output (f->db, lean_session_get_id (s), b);
      /* A batch each, so each chunk keeps its own time. */
      lean_session_db_flush (f->db);
      g_usleep (120 * 1000);
    }
  return s;
}

static char *
stored_text (void)
{
  GString *all = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    g_string_append (all, pieces[i]);
  return g_string_free (all, FALSE);
}

static void
test_export_cast (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(LeanSession) s = store_session (f);
  g_autofree char *cast = g_build_filename (f->dir, "s.cast", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = stored_text ();
  g_auto(GStrv) lines = NULL;
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(CtlResult) played = NULL;
  g_autoptr(JsonNode) header = NULL;
  JsonObject *h;
  double last = -1;
  guint events = 0;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;

  r = ctl_test_run_ctl (NULL, "sessions", "export", lean_session_get_id (s), "--format", "cast",
                        "-o", cast, NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_true (g_file_get_contents (cast, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  header = ctl_test_parse_json (lines[0]);
  h = json_node_get_object (header);
  g_assert_cmpint (json_object_get_int_member (h, "version"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (h, "width"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (h, "height"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (h, "timestamp"), >, 1700000000);
  g_assert_nonnull (strstr (json_object_get_string_member (h, "title"), "042-export"));

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonNode) ev = ctl_test_parse_json (lines[i]);
      JsonArray *a = json_node_get_array (ev);
      double t = json_array_get_double_element (a, 0);

      g_assert_cmpuint (json_array_get_length (a), ==, 3);
      g_assert_cmpstr (json_array_get_string_element (a, 1), ==, "o");
      g_assert_cmpfloat (t, >=, last);
      last = t;
      events++;
    }
  /* One event per chunk; the cut character travels whole with the next
   * one (asciinema's output below would show U+FFFD otherwise). */
  g_assert_cmpuint (events, ==, G_N_ELEMENTS (pieces));
  g_assert_nonnull (strstr (contents, "\"caf\"]"));
  /* Chunks stored ~120 ms apart keep their spacing. */
  g_assert_cmpfloat (last, >, 0.2);

  if (!g_find_program_in_path ("asciinema"))
    {
      g_test_skip ("asciinema is not installed (scripts/install-deps.sh installs it)");
      return;
    }
  /* asciinema cat reads keys from /dev/tty: it runs in a real PTY that
   * script(1) makes, which passes its output through unchanged (asciinema
   * puts the PTY in raw mode). */
  quoted = g_shell_quote (cast);
  command = g_strdup_printf ("asciinema cat %s", quoted);
  {
    const char *play[] = { "script", "-qec", command, "/dev/null", NULL };
    played = ctl_test_run_argv (NULL, play, NULL);
  }
  g_assert_cmpint (played->exit_status, ==, 0);
  g_assert_cmpstr (played->out, ==, expected);
}

static void
test_export_text_json (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(LeanSession) s = store_session (f);
  g_autoptr(CtlResult) text = NULL;
  g_autoptr(CtlResult) json = NULL;
  g_autoptr(CtlResult) bad = NULL;
  g_autoptr(CtlResult) missing = NULL;
  g_autoptr(CtlResult) show = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(GList) members = NULL;
  g_autofree char *expected = stored_text ();
  JsonObject *obj;

  text = ctl_test_run_ctl (NULL, "sessions", "export", lean_session_get_id (s), "--format", "text",
                           NULL);
  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_cmpstr (text->out, ==,
                   "starting work on 042\nreading specs/042/README.md\ncaf\303\251 \342\234\223 done\n");

  json = ctl_test_run_ctl (NULL, "sessions", "export", lean_session_get_id (s), "--format", "json",
                           NULL);
  g_assert_cmpint (json->exit_status, ==, 0);
  node = ctl_test_parse_json (json->out);
  obj = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, lean_session_get_id (s));
  g_assert_cmpstr (json_object_get_string_member (obj, "spec"), ==, "042-export");
  g_assert_cmpint (json_object_get_int_member (obj, "input_tokens"), ==, 1200);
  g_assert_cmpstr (json_object_get_string_member (obj, "text"), ==, expected);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "output")), ==,
                    G_N_ELEMENTS (pieces));

  /* The export carries the session's fields as `sessions show --json` gives them (show adds
   * its own summary of the log and events). */
  show = ctl_test_run_ctl (NULL, "sessions", "show", lean_session_get_id (s), "--json", NULL);
  g_assert_cmpint (show->exit_status, ==, 0);
  shown = ctl_test_parse_json (show->out);
  members = json_object_get_members (json_node_get_object (shown));
  g_assert_cmpuint (g_list_length (members), >=, 19);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *a = json_object_get_member (json_node_get_object (shown), l->data);
      JsonNode *b = json_object_get_member (obj, l->data);

      if (g_str_equal (l->data, "output_bytes") || g_str_equal (l->data, "events"))
        continue;

      g_assert_nonnull (b);
      g_assert_true (json_node_equal (a, b));
    }

  bad = ctl_test_run_ctl (NULL, "sessions", "export", lean_session_get_id (s), "--format", "gif",
                          NULL);
  g_assert_cmpint (bad->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bad->err, "cast, text or json");

  missing = ctl_test_run_ctl (NULL, "sessions", "export", "ffffffff", NULL);
  g_assert_cmpint (missing->exit_status, ==, 1);
}

/* ---- completion ---- */

static char *
write_dep_project (void)
{
  char *root = test_util_make_tmp_dir ();

  test_util_write_file (root, ".lean-spec/config.json", "{\"specsDir\": \"specs\"}\n");
  test_util_write_file (root, "specs/001-alpha/README.md",
                        "---\nstatus: complete\ncreated: '2026-11-01'\n---\n\n# Alpha\n");
  /* Waits on alpha only (as its number): unblocked. */
  test_util_write_file (root, "specs/002-beta/README.md",
                        "---\nstatus: planned\ncreated: '2026-11-01'\ndepends_on:\n  - '001'\n"
                        "---\n\n# Beta\n");
  /* Waits on alpha and on delta, still planned: blocked. */
  test_util_write_file (root, "specs/003-gamma/README.md",
                        "---\nstatus: planned\ncreated: '2026-11-01'\ndepends_on:\n  - 001-alpha\n"
                        "  - 004-delta\n---\n\n# Gamma\n");
  test_util_write_file (root, "specs/004-delta/README.md",
                        "---\nstatus: planned\ncreated: '2026-11-01'\n---\n\n# Delta\n");
  /* Done already: not a next step. */
  test_util_write_file (root, "specs/005-eps/README.md",
                        "---\nstatus: complete\ncreated: '2026-11-01'\ndepends_on:\n  - alpha\n"
                        "---\n\n# Eps\n");
  /* Waits on alpha and on a spec that is complete: unblocked. */
  test_util_write_file (root, "specs/006-zeta/README.md",
                        "---\nstatus: draft\ncreated: '2026-11-01'\ndepends_on:\n  - alpha\n  - '005'\n"
                        "---\n\n# Zeta\n");
  return root;
}

static void
test_completion_unblocked (void)
{
  g_autofree char *root = write_dep_project ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = lean_project_open (root, &error);
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) next = NULL;
  LeanSpec *alpha;

  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  alpha = lean_project_find_spec (project, specs, "001", &error);
  g_assert_no_error (error);

  next = lean_completion_unblocked_specs (project, specs, alpha);
  g_assert_cmpuint (next->len, ==, 2);
  g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (next, 0)), ==, "002-beta");
  g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (next, 1)), ==, "006-zeta");
  test_util_rm_rf (root);
}

static LeanSession *
finished_session (LeanSessionDb *db,
                  const char    *project,
                  const char    *spec,
                  gboolean       live)
{
  LeanSession *s = lean_session_new (NULL, project, spec, "claude", LEAN_SESSION_MODE_AUTONOMOUS);
  g_autoptr(GDateTime) start = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_seconds (start, 90);

  lean_session_set_runner (s, "local");
  lean_session_set_usage (s, 1000, 500, 0);
  lean_session_set_cost_usd (s, 0.25);
  lean_session_set_started_at (s, start);
  lean_session_db_save_session_now (db, s);
  lean_session_set_state (s, LEAN_SESSION_STATE_RUNNING);
  if (!live)
    {
      lean_session_set_ended_at (s, end);
      lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
    }
  lean_session_db_save_session_now (db, s);
  return s;
}

static guint
count_archived (LeanSessionDb *db,
                const char    *spec,
                guint         *total)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = lean_session_db_list (db, spec, &error);
  guint archived = 0;

  g_assert_no_error (error);
  *total = g_list_model_get_n_items (list);
  for (guint i = 0; i < *total; i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (list, i);
      archived += lean_session_get_archived (s);
    }
  return archived;
}

static void
test_completion_record (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) a = finished_session (f->db, "/p", "001-alpha", FALSE);
  g_autoptr(LeanSession) b = finished_session (f->db, "/p", "001-alpha", FALSE);
  g_autoptr(LeanSession) live = finished_session (f->db, "/p", "001-alpha", TRUE);
  g_autoptr(LeanSession) other = finished_session (f->db, "/other", "001-alpha", FALSE);
  g_autoptr(LeanDevlogSettings) off = lean_devlog_settings_new ();
  g_autoptr(LeanDevlogSettings) on = lean_devlog_settings_new ();
  g_autofree char *payload = NULL;
  g_autoptr(JsonNode) event = NULL;
  JsonObject *ev;
  LeanMetricsSpecWork work;
  guint total;
  sqlite3 *raw = NULL;
  sqlite3_stmt *stmt = NULL;

  lean_session_db_flush (f->db);
  g_assert_true (lean_metrics_spec_work (f->db_path, "/p", "001-alpha", &work, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (work.sessions, ==, 3);
  g_assert_cmpuint (work.tokens, ==, 4500);
  g_assert_cmpfloat_with_epsilon (work.cost_usd, 0.75, 1e-9);
  g_assert_cmpint (work.duration_usec, ==, 180 * G_USEC_PER_SEC);
  g_assert_cmpstr (work.last_session_id, ==, lean_session_get_id (live));

  /* Telemetry off: archived, nothing queued. */
  lean_devlog_outbox_attach (f->db, off);
  lean_completion_record (f->db, "/p", "001-alpha", &work);
  lean_session_db_flush (f->db);
  /* The ended sessions of that project's spec only; the live one stays. */
  g_assert_cmpuint (count_archived (f->db, "001-alpha", &total), ==, 2);
  g_assert_cmpuint (total, ==, 4);
  g_assert_cmpint (sqlite3_open (f->db_path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT COUNT(*) FROM telemetry_outbox", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);

  /* Telemetry on: one user_interaction with the summary. */
  on->url = g_strdup ("http://127.0.0.1:9");
  on->kind = LEAN_DEVLOG_KIND_COLLECTOR;
  on->project_id = 3;
  lean_devlog_outbox_attach (f->db, on);
  lean_completion_record (f->db, "/p", "001-alpha", &work);
  lean_session_db_flush (f->db);
  lean_devlog_outbox_attach (f->db, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT payload FROM telemetry_outbox", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  payload = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (raw);

  event = ctl_test_parse_json (payload);
  ev = json_node_get_object (event);
  g_assert_cmpstr (json_object_get_string_member (ev, "eventType"), ==, "user_interaction");
  g_assert_cmpstr (json_object_get_string_member (ev, "sessionId"), ==, lean_session_get_id (live));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ev, "data"),
                                                  "action"), ==, "spec_completed");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (ev, "metrics"),
                                               "tokenCount"), ==, 4500);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (ev, "metrics"),
                                               "durationMs"), ==, 180000);
  (void) a; (void) b; (void) other;
}

static void
test_strip_escapes (void)
{
  static const char input[] = "a\033[31mred\033[0m\r\n\033]8;;http://x\033\\link\033]8;;\033\\"
                              "\033(Bz\tq\bw\r\n\377end";
  g_autofree char *out = lean_text_strip_escapes (input, sizeof input - 1);

  g_assert_cmpstr (out, ==, "ared\nlinkz\tqw\n\357\277\275end");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/metrics/all-and-project", test_metrics_all_and_project);
  ADD ("/metrics/since", test_metrics_since);
  ADD ("/metrics/completions", test_metrics_completions);
  ADD ("/metrics/completions-every-project", test_metrics_completions_every_project);
  ADD ("/metrics/cli", test_metrics_cli);
  ADD ("/export/cast-plays-back", test_export_cast);
  ADD ("/export/text-and-json", test_export_text_json);
  ADD ("/completion/record", test_completion_record);
#undef ADD
  g_test_add_func ("/completion/unblocked", test_completion_unblocked);
  g_test_add_func ("/metrics/empty-database", test_metrics_empty_database);
  g_test_add_func ("/export/strip-escapes", test_strip_escapes);
  return g_test_run ();
}
