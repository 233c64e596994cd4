/* SPDX-License-Identifier: MIT */
/* Format interop with the real LeanSpec CLI (@leanspec/cli-linux-x64 0.3.0,
 * installed by tests/interop/install-leanspec.sh into a cache folder): both
 * tools must read the same projects the same way, and each must read what
 * the other wrote. Where leanspec 0.3.0 legitimately differs (it aborts on one
 * broken file, it never lists archived specs), the difference is tested
 * explicitly so a change on either side shows up. */
#include "config.h"

#include "ctl-testutil.h"

static char *leanspec_bin;
static char *install_error;

/* Installs (or finds in the cache) the real CLI once per run. No network and
 * no cache is a test failure with the reason, never a silent pass. */
static const char *
require_leanspec (void)
{
  if (leanspec_bin == NULL && install_error == NULL)
    {
      g_autofree char *script = g_build_filename (test_util_source_root (), "tests", "interop",
                                                  "install-leanspec.sh", NULL);
      const char *argv[] = { "bash", script, NULL };
      g_autoptr(CtlResult) r = ctl_test_run_argv (NULL, argv, NULL);

      if (r->exit_status == 0)
        {
          const char *version_argv[] = { g_strstrip (r->out), "--version", NULL };
          g_autoptr(CtlResult) v = ctl_test_run_argv (NULL, version_argv, NULL);

          /* The comparisons below are pinned to what 0.3.0 does. */
          if (g_strcmp0 (g_strstrip (v->out), "lean-spec 0.3.0") == 0)
            leanspec_bin = g_strdup (r->out);
          else
            install_error = g_strdup_printf ("%s --version says \"%s\", expected lean-spec 0.3.0",
                                             r->out, v->out);
        }
      else
        install_error = g_strdup_printf ("the real leanspec CLI is needed and could not be "
                                         "installed (%s exited %d): %s", script,
                                         r->exit_status, r->err);
    }

  if (leanspec_bin == NULL)
    {
      g_test_fail_printf ("%s", install_error);
      return NULL;
    }
  return leanspec_bin;
}

static CtlResult *
run_leanspec (const char *project,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, leanspec_bin);
  va_start (args, project);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* leanspec works on ./specs: run it from the project root. */
  return ctl_test_run_argv (project, (const char * const *)argv->pdata, NULL);
}

static char *
corpus_dir (void)
{
  return g_build_filename (test_util_source_root (), "..", "shared", "corpus", "lean-spec", NULL);
}

static char *
gen_corpus_script (void)
{
  return g_build_filename (test_util_source_root (), "..", "shared", "tools", "gen-corpus.py", NULL);
}

/* A copy of the shared corpus in a temp dir, or NULL (test skipped). */
static char *
copy_corpus (char **tmp)
{
  g_autofree char *src = corpus_dir ();
  char *dest;

  if (!g_file_test (src, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf ("shared corpus not found at %s", src);
      g_test_skip (msg);
      return NULL;
    }
  *tmp = test_util_make_tmp_dir ();
  dest = g_build_filename (*tmp, "lean-spec", NULL);
  test_util_copy_tree (src, dest);
  return dest;
}

/* A generated project of @n specs, or NULL (test skipped). */
static char *
generate_project (char  **tmp,
                  guint   n,
                  guint   seed)
{
  g_autofree char *script = gen_corpus_script ();
  g_autofree char *n_str = g_strdup_printf ("%u", n);
  g_autofree char *seed_str = g_strdup_printf ("%u", seed);
  g_autoptr(CtlResult) r = NULL;
  char *dest;

  if (!g_file_test (script, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("gen-corpus.py not found at %s", script);
      g_test_skip (msg);
      return NULL;
    }
  *tmp = test_util_make_tmp_dir ();
  dest = g_build_filename (*tmp, "gen", NULL);
  {
    const char *argv[] = { "python3", script, dest, n_str, "--seed", seed_str, NULL };
    r = ctl_test_run_argv (NULL, argv, NULL);
  }
  if (r->exit_status != 0)
    g_error ("gen-corpus.py failed: %s", r->err);
  return dest;
}

static const char *
string_or_null (JsonObject *obj,
                const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

static char *
joined_array (JsonObject *obj,
              const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr(GString) str = g_string_new (NULL);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (i > 0)
        g_string_append (str, " | ");
      g_string_append (str, json_array_get_string_element (array, i));
    }
  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* leanspec 0.3.0 keeps a heading's closing #s ("# Title ##"); CommonMark
 * and we drop them. That is the one title difference we accept. */
static gboolean
titles_agree (const char *ours,
              const char *theirs)
{
  g_autofree char *trimmed = NULL;
  gsize len;

  if (g_strcmp0 (ours, theirs) == 0)
    return TRUE;
  if (ours == NULL || theirs == NULL)
    return FALSE;
  trimmed = g_strdup (theirs);
  len = strlen (trimmed);
  if (len == 0 || trimmed[len - 1] != '#')
    return FALSE;
  while (len > 0 && trimmed[len - 1] == '#')
    trimmed[--len] = '\0';
  g_strchomp (trimmed);
  return g_str_equal (ours, trimmed);
}

static void
compare_field (GString    *mismatches,
               const char *id,
               const char *field,
               const char *ours,
               const char *theirs)
{
  if (g_strcmp0 (ours, theirs) != 0)
    g_string_append_printf (mismatches, "  %s %s: ours %s%s%s, leanspec %s%s%s\n", id, field,
                            ours ? "\"" : "", ours ? ours : "null", ours ? "\"" : "",
                            theirs ? "\"" : "", theirs ? theirs : "null", theirs ? "\"" : "");
}

/* Compares `leanspec-ctl list --json --all` with `leanspec list -o json` on
 * id, title, status, priority, tags, assignee and parent for every spec both
 * list, and reports every mismatch at once. Specs only we list must be the
 * archived ones leanspec 0.3.0 never lists; leanspec must list nothing we
 * do not. Returns the number of specs compared. */
static guint
assert_lists_agree (const char *project)
{
  g_autoptr(CtlResult) ours = ctl_test_run_ctl (project, "list", "--json", "--all", NULL);
  g_autoptr(CtlResult) theirs = run_leanspec (project, "list", "-o", "json", NULL);
  g_autoptr(JsonNode) ours_node = NULL;
  g_autoptr(JsonNode) theirs_node = NULL;
  g_autoptr(GHashTable) ours_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) theirs_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) mismatches = g_string_new (NULL);
  JsonArray *ours_array, *theirs_array;
  guint compared = 0;

  if (theirs->exit_status != 0)
    g_error ("leanspec list failed (%d): %s", theirs->exit_status, theirs->err);
  g_assert_cmpint (ours->exit_status, ==, 0);
  g_assert_cmpstr (ours->err, ==, "");

  ours_node = ctl_test_parse_json (ours->out);
  theirs_node = ctl_test_parse_json (theirs->out);
  ours_array = json_node_get_array (ours_node);
  theirs_array = json_node_get_array (theirs_node);

  for (guint i = 0; i < json_array_get_length (ours_array); i++)
    {
      JsonObject *obj = json_array_get_object_element (ours_array, i);
      g_hash_table_insert (ours_by_id, (gpointer)json_object_get_string_member (obj, "id"), obj);
    }

  for (guint i = 0; i < json_array_get_length (theirs_array); i++)
    {
      JsonObject *t = json_array_get_object_element (theirs_array, i);
      const char *id = json_object_get_string_member (t, "id");
      JsonObject *o = g_hash_table_lookup (ours_by_id, id);
      g_autofree char *o_tags = NULL;
      g_autofree char *t_tags = NULL;

      g_hash_table_add (theirs_ids, (gpointer)id);
      if (o == NULL)
        {
          g_string_append_printf (mismatches, "  %s: listed by leanspec, not by us\n", id);
          continue;
        }
      compared++;

      if (!titles_agree (string_or_null (o, "title"), string_or_null (t, "title")))
        compare_field (mismatches, id, "title", string_or_null (o, "title"),
                       string_or_null (t, "title"));
      compare_field (mismatches, id, "status", string_or_null (o, "status"),
                     string_or_null (t, "status"));
      compare_field (mismatches, id, "priority", string_or_null (o, "priority"),
                     string_or_null (t, "priority"));
      o_tags = joined_array (o, "tags");
      t_tags = joined_array (t, "tags");
      compare_field (mismatches, id, "tags", o_tags, t_tags);
      compare_field (mismatches, id, "assignee", string_or_null (o, "assignee"),
                     string_or_null (t, "assignee"));
      compare_field (mismatches, id, "parent", string_or_null (o, "parent"),
                     string_or_null (t, "parent"));
    }

  /* Documented difference: leanspec 0.3.0 never lists status archived (not
   * even with --status archived); we list them with --all. */
  for (guint i = 0; i < json_array_get_length (ours_array); i++)
    {
      JsonObject *o = json_array_get_object_element (ours_array, i);
      const char *id = json_object_get_string_member (o, "id");

      if (!g_hash_table_contains (theirs_ids, id) &&
          g_strcmp0 (string_or_null (o, "status"), "archived") != 0)
        g_string_append_printf (mismatches, "  %s: listed by us (status %s), not by leanspec\n",
                                id, string_or_null (o, "status"));
    }

  g_test_message ("%s: compared %u specs (ours %u, leanspec %u)", project, compared,
                  json_array_get_length (ours_array), json_array_get_length (theirs_array));
  if (mismatches->len > 0)
    g_error ("leanspec-ctl and leanspec disagree on %s:\n%s", project, mismatches->str);

  return compared;
}

static void
test_corpus_list (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  guint compared;

  if (require_leanspec () == NULL)
    return;
  project = copy_corpus (&tmp);
  if (project == NULL)
    return;

  compared = assert_lists_agree (project);
  /* The corpus has ~240 non-archived specs: an empty comparison proves nothing. */
  g_assert_cmpuint (compared, >=, 200);

  test_util_rm_rf (tmp);
}

/* The bundled demo project must read the same in both tools too. */
static void
test_demo_list (void)
{
  g_autofree char *src = g_build_filename (test_util_source_root (), "demo", NULL);
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;

  if (require_leanspec () == NULL)
    return;
  tmp = test_util_make_tmp_dir ();
  project = g_build_filename (tmp, "demo", NULL);
  test_util_copy_tree (src, project);
  /* Every active demo spec (a folder NNN-name directly under specs/) must
   * have been compared; archived ones are hidden by leanspec's list. */
  {
    g_autofree char *specs = g_build_filename (project, "specs", NULL);
    g_autoptr(GDir) dir = g_dir_open (specs, 0, NULL);
    const char *name;
    guint active = 0;

    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_ascii_isdigit (name[0]))
        active++;
    g_assert_cmpuint (active, >=, 5);
    g_assert_cmpuint (assert_lists_agree (project), ==, active);
  }
  test_util_rm_rf (tmp);
}

static void
test_generated_list (void)
{
  static const guint seeds[] = { 7, 42, 2026 };

  if (require_leanspec () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *tmp = NULL;
      g_autofree char *project = generate_project (&tmp, 400, seeds[i]);
      guint compared;

      if (project == NULL)
        return;
      compared = assert_lists_agree (project);
      g_assert_cmpuint (compared, >=, 300);
      test_util_rm_rf (tmp);
    }
}

static JsonObject *
leanspec_view (const char  *project,
               const char  *id,
               JsonNode   **node_out)
{
  g_autoptr(CtlResult) r = run_leanspec (project, "view", id, "-o", "json", NULL);

  if (r->exit_status != 0)
    g_error ("leanspec view %s failed (%d): %s", id, r->exit_status, r->err);
  *node_out = ctl_test_parse_json (r->out);
  return json_node_get_object (*node_out);
}

static const char *
view_field (JsonObject *view,
            const char *name)
{
  JsonObject *fields = json_object_get_object_member (view, "fields");
  JsonObject *field;

  if (!json_object_has_member (fields, name))
    return NULL;
  field = json_object_get_object_member (fields, name);
  return json_object_get_string_member (field, "value");
}

/* `leanspec list` does not print depends_on or created; `view` does (as
 * links and fields). Compares them for every spec leanspec can view. */
static void
test_corpus_view_links (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autoptr(CtlResult) ours = NULL;
  g_autoptr(JsonNode) ours_node = NULL;
  g_autoptr(GString) mismatches = g_string_new (NULL);
  JsonArray *array;
  guint compared = 0;

  if (require_leanspec () == NULL)
    return;
  project = copy_corpus (&tmp);
  if (project == NULL)
    return;

  ours = ctl_test_run_ctl (project, "list", "--json", "--all", NULL);
  g_assert_cmpint (ours->exit_status, ==, 0);
  ours_node = ctl_test_parse_json (ours->out);
  array = json_node_get_array (ours_node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (o, "id");
      g_autoptr(CtlResult) v = run_leanspec (project, "view", id, "-o", "json", NULL);
      g_autoptr(JsonNode) v_node = NULL;
      g_autoptr(GString) their_deps = g_string_new (NULL);
      g_autofree char *our_deps = joined_array (o, "depends_on");
      const char *their_parent = NULL;
      JsonObject *view;
      JsonArray *links;

      if (v->exit_status != 0)
        {
          g_string_append_printf (mismatches, "  %s: leanspec view failed: %s", id, v->err);
          continue;
        }
      v_node = ctl_test_parse_json (v->out);
      view = json_node_get_object (v_node);
      links = json_object_get_array_member (view, "links");
      for (guint k = 0; k < json_array_get_length (links); k++)
        {
          JsonObject *link = json_array_get_object_element (links, k);
          const char *type = json_object_get_string_member (link, "link_type");
          const char *target = json_object_get_string_member (link, "target_id");

          if (g_str_equal (type, "depends_on"))
            {
              if (their_deps->len > 0)
                g_string_append (their_deps, " | ");
              g_string_append (their_deps, target);
            }
          else if (g_str_equal (type, "parent"))
            their_parent = target;
        }
      compared++;
      compare_field (mismatches, id, "depends_on", our_deps, their_deps->str);
      compare_field (mismatches, id, "parent (view)", string_or_null (o, "parent"), their_parent);
      compare_field (mismatches, id, "created", string_or_null (o, "created"),
                     view_field (view, "created"));
      compare_field (mismatches, id, "status (view)", string_or_null (o, "status"),
                     view_field (view, "status"));
    }

  g_test_message ("viewed %u specs with leanspec", compared);
  if (mismatches->len > 0)
    g_error ("leanspec view and leanspec-ctl disagree:\n%s", mismatches->str);
  g_assert_cmpuint (compared, >=, 300);
  test_util_rm_rf (tmp);
}

/* Picks the first spec with @status in our listing. */
static char *
first_with_status (const char *project,
                   const char *status)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (project, "list", "--json", "--status", status, NULL);
  g_autoptr(JsonNode) node = ctl_test_parse_json (r->out);
  JsonArray *array = json_node_get_array (node);

  g_assert_cmpuint (json_array_get_length (array), >, 0);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0), "id"));
}

static void
test_ours_read_by_leanspec (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autofree char *planned = NULL;
  g_autofree char *progress = NULL;
  g_autoptr(JsonNode) n1 = NULL;
  g_autoptr(JsonNode) n2 = NULL;
  g_autoptr(JsonNode) n3 = NULL;
  g_autoptr(CtlResult) r1 = NULL;
  g_autoptr(CtlResult) r2 = NULL;
  g_autoptr(CtlResult) r3 = NULL;
  JsonObject *view;

  if (require_leanspec () == NULL)
    return;
  project = generate_project (&tmp, 80, 11);
  if (project == NULL)
    return;

  planned = first_with_status (project, "planned");
  progress = first_with_status (project, "in-progress");

  r1 = ctl_test_run_ctl (project, "set", planned, "--status", "in-progress",
                         "--priority", "critical", "--assignee", "Zoë Tester", NULL);
  g_assert_cmpint (r1->exit_status, ==, 0);
  view = leanspec_view (project, planned, &n1);
  g_assert_cmpstr (json_object_get_string_member (view, "id"), ==, planned);
  g_assert_cmpstr (view_field (view, "status"), ==, "in-progress");
  g_assert_cmpstr (view_field (view, "priority"), ==, "critical");
  g_assert_cmpstr (view_field (view, "assignee"), ==, "Zoë Tester");
  /* leanspec reports the updated_at we wrote (it normalises the fraction). */
  g_assert_true (json_object_has_member (view, "updated_at"));

  r2 = ctl_test_run_ctl (project, "complete", progress, "--force", NULL);
  g_assert_cmpint (r2->exit_status, ==, 0);
  view = leanspec_view (project, progress, &n2);
  g_assert_cmpstr (view_field (view, "status"), ==, "complete");

  r3 = ctl_test_run_ctl (project, "set", planned, "--assignee", "", NULL);
  g_assert_cmpint (r3->exit_status, ==, 0);
  view = leanspec_view (project, planned, &n3);
  g_assert_null (view_field (view, "assignee"));

  /* And the whole project still reads the same in both tools. */
  assert_lists_agree (project);
  test_util_rm_rf (tmp);
}

static void
test_leanspec_read_by_ours (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autofree char *planned = NULL;
  g_autoptr(CtlResult) up = NULL;
  g_autoptr(CtlResult) show = NULL;
  g_autoptr(CtlResult) done = NULL;
  g_autoptr(CtlResult) show2 = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) node2 = NULL;
  g_autofree char *tags = NULL;
  JsonObject *obj;

  if (require_leanspec () == NULL)
    return;
  project = generate_project (&tmp, 80, 12);
  if (project == NULL)
    return;

  planned = first_with_status (project, "planned");
  up = run_leanspec (project, "update", planned, "--status", "in-progress", "--priority", "low",
                     "--assignee", "rust-side", "--add-tags", "interop", NULL);
  if (up->exit_status != 0)
    g_error ("leanspec update failed (%d): %s%s", up->exit_status, up->out, up->err);

  show = ctl_test_run_ctl (project, "show", planned, "--json", NULL);
  g_assert_cmpint (show->exit_status, ==, 0);
  node = ctl_test_parse_json (show->out);
  obj = json_node_get_object (node);
  g_assert_cmpstr (string_or_null (obj, "status"), ==, "in-progress");
  g_assert_cmpstr (string_or_null (obj, "priority"), ==, "low");
  g_assert_cmpstr (string_or_null (obj, "assignee"), ==, "rust-side");
  tags = joined_array (obj, "tags");
  g_assert_nonnull (strstr (tags, "interop"));
  /* leanspec wrote updated_at with nanoseconds; we read it as written. */
  g_assert_nonnull (string_or_null (obj, "updated_at"));
  g_assert_cmpstr (string_or_null (obj, "updated_at"), !=, "2025-06-02T11:30:00.000Z");

  done = run_leanspec (project, "update", planned, "--status", "complete", "--force", NULL);
  if (done->exit_status != 0)
    g_error ("leanspec update --status complete failed (%d): %s%s", done->exit_status,
             done->out, done->err);
  show2 = ctl_test_run_ctl (project, "show", planned, "--json", NULL);
  node2 = ctl_test_parse_json (show2->out);
  g_assert_cmpstr (string_or_null (json_node_get_object (node2), "status"), ==, "complete");
  g_assert_nonnull (string_or_null (json_node_get_object (node2), "completed_at"));

  assert_lists_agree (project);
  test_util_rm_rf (tmp);
}

static void
test_stats_agree (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autoptr(CtlResult) ours = NULL;
  g_autoptr(CtlResult) theirs = NULL;
  g_autoptr(JsonNode) o_node = NULL;
  g_autoptr(JsonNode) t_node = NULL;
  g_autoptr(GString) mismatches = g_string_new (NULL);
  JsonObject *o, *t;
  const char *groups[] = { "by_status", "by_priority", "by_tag" };

  if (require_leanspec () == NULL)
    return;
  project = generate_project (&tmp, 300, 5);
  if (project == NULL)
    return;

  ours = ctl_test_run_ctl (project, "stats", "--json", NULL);
  theirs = run_leanspec (project, "stats", "-o", "json", NULL);
  g_assert_cmpint (ours->exit_status, ==, 0);
  g_assert_cmpint (theirs->exit_status, ==, 0);
  o_node = ctl_test_parse_json (ours->out);
  t_node = ctl_test_parse_json (theirs->out);
  o = json_node_get_object (o_node);
  t = json_node_get_object (t_node);

  g_assert_cmpint (json_object_get_int_member (o, "total"), ==,
                   json_object_get_int_member (t, "total"));
  g_assert_cmpint (json_object_get_int_member (o, "no_priority"), ==,
                   json_object_get_int_member (t, "no_priority"));

  /* leanspec lists only non-zero counts; we list every status/priority. */
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      JsonObject *og = json_object_get_object_member (o, groups[g]);
      JsonObject *tg = json_object_get_object_member (t, groups[g]);
      g_autoptr(GList) names = json_object_get_members (og);

      for (GList *l = names; l != NULL; l = l->next)
        {
          gint64 ov = json_object_get_int_member (og, l->data);
          gint64 tv = json_object_has_member (tg, l->data)
            ? json_object_get_int_member (tg, l->data) : 0;

          if (ov != tv)
            g_string_append_printf (mismatches, "  %s.%s: ours %" G_GINT64_FORMAT
                                    ", leanspec %" G_GINT64_FORMAT "\n",
                                    groups[g], (const char *)l->data, ov, tv);
        }
      g_list_free (g_steal_pointer (&names));
      names = json_object_get_members (tg);
      for (GList *l = names; l != NULL; l = l->next)
        if (!json_object_has_member (og, l->data))
          g_string_append_printf (mismatches, "  %s.%s: only leanspec counts it\n",
                                  groups[g], (const char *)l->data);
    }

  if (mismatches->len > 0)
    g_error ("stats disagree:\n%s", mismatches->str);
  test_util_rm_rf (tmp);
}

/* Documented differences: leanspec 0.3.0 aborts the whole listing on one
 * broken file or one spec without `status`/`created`; we report that one and
 * list the rest. Keep testing it, so we notice when leanspec changes. */
static void
test_broken_spec_difference (void)
{
  static const struct {
    const char *name;
    const char *contents;
    gboolean    ours_lists;   /* readable for us, unreadable for leanspec */
  } cases[] = {
    { "unclosed", "---\nstatus: planned\ncreated: '2025-01-01'\n\n# Unclosed\n", FALSE },
    { "bad-yaml", "---\nstatus: [planned\ncreated: '2025-01-01'\n---\n\n# Bad\n", FALSE },
    { "empty", "", FALSE },
    { "no-status", "---\ncreated: '2025-01-01'\npriority: high\n---\n\n# No Status\n", TRUE },
  };

  if (require_leanspec () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tmp = NULL;
      g_autofree char *project = generate_project (&tmp, 40, 3);
      g_autofree char *rel = g_strdup_printf ("specs/900-%s/README.md", cases[i].name);
      g_autofree char *id = g_strdup_printf ("900-%s", cases[i].name);
      g_autoptr(CtlResult) theirs = NULL;
      g_autoptr(CtlResult) ours = NULL;
      g_autoptr(JsonNode) node = NULL;
      gboolean found = FALSE;
      JsonArray *array;

      if (project == NULL)
        return;
      test_util_write_file (project, rel, cases[i].contents);
      g_test_message ("broken case %s", cases[i].name);

      theirs = run_leanspec (project, "list", "-o", "json", NULL);
      g_assert_cmpint (theirs->exit_status, !=, 0);
      g_assert_nonnull (strstr (theirs->err, rel));

      ours = ctl_test_run_ctl (project, "list", "--json", "--all", NULL);
      g_assert_cmpint (ours->exit_status, ==, 0);
      node = ctl_test_parse_json (ours->out);
      array = json_node_get_array (node);
      g_assert_cmpuint (json_array_get_length (array), >=, 35);
      for (guint k = 0; k < json_array_get_length (array); k++)
        if (g_str_equal (json_object_get_string_member (json_array_get_object_element (array, k), "id"), id))
          found = TRUE;

      if (cases[i].ours_lists)
        {
          g_assert_true (found);
          g_assert_cmpstr (ours->err, ==, "");
        }
      else
        {
          g_assert_false (found);
          g_assert_true (g_str_has_prefix (ours->err, rel));
          g_assert_nonnull (strstr (ours->err, ": "));
        }
      test_util_rm_rf (tmp);
    }
}

/* Documented difference: "# Title ##" is "Title" for us (CommonMark's closing
 * sequence), "Title ##" for leanspec 0.3.0. */
static void
test_title_closing_hashes (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;
  g_autoptr(CtlResult) theirs = NULL;
  g_autoptr(CtlResult) ours = NULL;
  g_autoptr(JsonNode) t_node = NULL;
  g_autoptr(JsonNode) o_node = NULL;

  if (require_leanspec () == NULL)
    return;
  project = generate_project (&tmp, 5, 1);
  if (project == NULL)
    return;
  test_util_write_file (project, "specs/900-hashes/README.md",
                       "---\nstatus: planned\ncreated: '2025-01-01'\n---\n\n# Closing Hashes ##\n");

  theirs = run_leanspec (project, "view", "900-hashes", "-o", "json", NULL);
  g_assert_cmpint (theirs->exit_status, ==, 0);
  t_node = ctl_test_parse_json (theirs->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (t_node), "title"), ==,
                   "Closing Hashes ##");

  ours = ctl_test_run_ctl (project, "show", "900-hashes", "--json", NULL);
  g_assert_cmpint (ours->exit_status, ==, 0);
  o_node = ctl_test_parse_json (ours->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (o_node), "title"), ==,
                   "Closing Hashes");

  test_util_rm_rf (tmp);
}

/* The body after the front matter, from its first non-blank line (leanspec
 * 0.3.0 drops the blank line after the closing ---; we leave every byte we
 * do not change). */
static const char *
body_of (const char *text)
{
  const char *end = strstr (text + 3, "\n---\n");

  g_assert_nonnull (end);
  end += strlen ("\n---\n");
  while (*end == '\n')
    end++;
  return end;
}

/* What `leanspec update --priority/--status` does to the body's
 * "> **Status**: ... · **Priority**: ..." line, we do too: 0.3.0 leaves the
 * body alone (the line goes stale in both tools), and both write the new
 * value in the front matter. */
static void
test_body_metadata_line (void)
{
  static const char readme[] =
    "---\nstatus: planned\ncreated: '2025-01-01'\npriority: medium\ntags:\n  - ui\n---\n\n"
    "# Metadata Line\n\n"
    "> **Status**: 📅 Planned · **Priority**: Medium · **Created**: 2025-01-01\n\n"
    "Body text.\n";
  const char *fields[][2] = { { "--priority", "high" }, { "--status", "in-progress" } };
  g_autofree char *tmp = NULL;
  g_autofree char *project = NULL;

  if (require_leanspec () == NULL)
    return;
  project = generate_project (&tmp, 3, 2);
  if (project == NULL)
    return;
  test_util_write_file (project, "specs/901-ours/README.md", readme);
  test_util_write_file (project, "specs/902-theirs/README.md", readme);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr(CtlResult) theirs = run_leanspec (project, "update", "902", fields[i][0], fields[i][1], NULL);
      g_autoptr(CtlResult) ours = ctl_test_run_ctl (project, "set", "901", fields[i][0], fields[i][1], NULL);
      g_autofree char *t = NULL;
      g_autofree char *o = NULL;
      g_autofree char *key = g_strdup_printf ("\n%s: %s\n", fields[i][0] + 2, fields[i][1]);
      g_autofree char *path_t = g_build_filename (project, "specs/902-theirs/README.md", NULL);
      g_autofree char *path_o = g_build_filename (project, "specs/901-ours/README.md", NULL);

      g_assert_cmpint (theirs->exit_status, ==, 0);
      g_assert_cmpint (ours->exit_status, ==, 0);
      g_assert_true (g_file_get_contents (path_t, &t, NULL, NULL));
      g_assert_true (g_file_get_contents (path_o, &o, NULL, NULL));
      g_test_message ("leanspec %s %s wrote:\n%s", fields[i][0], fields[i][1], t);

      /* The same body, byte for byte, its metadata line included. */
      g_assert_cmpstr (body_of (o), ==, body_of (t));
      g_assert_nonnull (strstr (o, "> **Status**: 📅 Planned · **Priority**: Medium · **Created**: 2025-01-01\n"));
      /* The same value in the front matter. */
      g_assert_nonnull (strstr (t, key));
      g_assert_nonnull (strstr (o, key));
    }

  test_util_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/interop/list/corpus", test_corpus_list);
  g_test_add_func ("/interop/list/generated", test_generated_list);
  g_test_add_func ("/interop/list/demo", test_demo_list);
  g_test_add_func ("/interop/view/corpus-links", test_corpus_view_links);
  g_test_add_func ("/interop/write/ours-read-by-leanspec", test_ours_read_by_leanspec);
  g_test_add_func ("/interop/write/leanspec-read-by-ours", test_leanspec_read_by_ours);
  g_test_add_func ("/interop/stats", test_stats_agree);
  g_test_add_func ("/interop/difference/broken-spec", test_broken_spec_difference);
  g_test_add_func ("/interop/difference/title-closing-hashes", test_title_closing_hashes);
  g_test_add_func ("/interop/write/body-metadata-line", test_body_metadata_line);

  ret = g_test_run ();
  g_free (leanspec_bin);
  g_free (install_error);
  return ret;
}
