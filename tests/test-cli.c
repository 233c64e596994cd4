/* SPDX-License-Identifier: MIT */
/* Drives the built leanspec-ctl binary on temporary projects, the way a
 * script would: arguments in, stdout/stderr/exit status out. */
#include "config.h"

#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ctl-testutil.h"

#define ALPHA \
  "---\n" \
  "status: planned\n" \
  "# a comment the writer must keep\n" \
  "created: '2025-01-02'\n" \
  "priority: high\n" \
  "tags: [ui, cli]\n" \
  "assignee: alice\n" \
  "---\n" \
  "\n" \
  "# Alpha Spec\n" \
  "\n" \
  "- [x] Task one\n" \
  "- [ ] Task two\n"

#define BETA \
  "---\n" \
  "status: in-progress\n" \
  "created: '2025-01-03'\n" \
  "priority: low\n" \
  "tags:\n" \
  "  - cli\n" \
  "depends_on: 001-alpha\n" \
  "---\n" \
  "\n" \
  "# Beta Spec\n" \
  "\n" \
  "Beta body.\n" \
  "\n" \
  "- [ ] open item\n"

#define GAMMA \
  "---\n" \
  "status: complete\n" \
  "created: '2025-01-04'\n" \
  "parent: 001-alpha\n" \
  "tags: []\n" \
  "---\n" \
  "\n" \
  "# Gamma Spec\n"

typedef struct
{
  char *root;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->root = test_util_make_tmp_dir ();

  test_util_write_file (f->root, ".lean-spec/config.json", "{\n  \"specsDir\": \"specs\"\n}\n");
  test_util_write_file (f->root, "specs/README.md", "# Specs\n\nNot a spec.\n");
  test_util_write_file (f->root, "specs/001-alpha/README.md", ALPHA);
  test_util_write_file (f->root, "specs/001-alpha/DESIGN.md", "# Design\n");
  test_util_write_file (f->root, "specs/002-beta/README.md", BETA);
  test_util_write_file (f->root, "specs/003-gamma/README.md", GAMMA);
  test_util_write_file (f->root, "specs/004-delta/README.md",
                       "---\nstatus: archived\ncreated: '2025-01-05'\npriority: medium\n---\n\n# Delta\n");
  test_util_write_file (f->root, "specs/archived/005-epsilon/README.md",
                       "---\nstatus: archived\ncreated: '2025-01-06'\n---\n\n# Epsilon\n");
  test_util_write_file (f->root, "specs/006-broken/README.md",
                       "---\nstatus: planned\ncreated: '2025-01-07'\n\n# Never closed\n");
  test_util_write_file (f->root, "specs/007-one/README.md",
                       "---\nstatus: draft\ncreated: '2025-01-08'\n---\n\n# Seven One\n");
  test_util_write_file (f->root, "specs/007-two/README.md",
                       "---\nstatus: draft\ncreated: '2025-01-08'\n---\n\n# Seven Two\n");
  test_util_write_file (f->root, "specs/008-parent/README.md",
                       "---\nstatus: in-progress\ncreated: '2025-01-09'\ntags: [cli]\n---\n\n"
                       "# Parent\n\nAll my own items are done.\n\n- [x] done\n");
  test_util_write_file (f->root, "specs/009-child/README.md",
                       "---\nstatus: planned\ncreated: '2025-01-10'\nparent: 008-parent\n---\n\n"
                       "# Child\n");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_util_rm_rf (f->root);
  g_free (f->root);
}

/* The ids of a JSON array of spec objects, joined with spaces. */
static char *
ids_of (const char *json_text)
{
  g_autoptr(JsonNode) node = ctl_test_parse_json (json_text);
  g_autoptr(GString) ids = g_string_new (NULL);
  JsonArray *array;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);

      if (ids->len > 0)
        g_string_append_c (ids, ' ');
      g_string_append (ids, json_object_get_string_member (obj, "id"));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static JsonObject *
find_object (JsonArray  *array,
             const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (obj, "id"), id) == 0)
        return obj;
    }
  return NULL;
}

static char *
strv_of (JsonObject *obj,
         const char *member)
{
  JsonArray *array = json_object_get_array_member (obj, member);
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (i > 0)
        g_string_append_c (str, ',');
      g_string_append (str, json_array_get_string_element (array, i));
    }
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
test_list_json (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *deps = NULL;
  JsonArray *array;
  JsonObject *alpha, *beta, *gamma;

  g_assert_cmpint (r->exit_status, ==, 0);
  /* The broken spec is named on stderr with its reason, and only it. */
  g_assert_true (g_str_has_prefix (r->err, "specs/006-broken/README.md: "));
  g_assert_cmpint (strlen (r->err), >, strlen ("specs/006-broken/README.md: ") + 3);
  g_assert_true (strchr (r->err, '\n') == r->err + strlen (r->err) - 1);

  /* stdout is only JSON; archived ones are hidden; sorted by number. */
  ids = ids_of (r->out);
  g_assert_cmpstr (ids, ==, "001-alpha 002-beta 003-gamma 007-one 007-two 008-parent 009-child");

  node = ctl_test_parse_json (r->out);
  array = json_node_get_array (node);
  alpha = find_object (array, "001-alpha");
  g_assert_cmpint (json_object_get_int_member (alpha, "number"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (alpha, "title"), ==, "Alpha Spec");
  g_assert_cmpstr (json_object_get_string_member (alpha, "status"), ==, "planned");
  g_assert_cmpstr (json_object_get_string_member (alpha, "priority"), ==, "high");
  tags = strv_of (alpha, "tags");
  g_assert_cmpstr (tags, ==, "ui,cli");
  g_assert_cmpstr (json_object_get_string_member (alpha, "assignee"), ==, "alice");
  g_assert_true (json_object_get_null_member (alpha, "parent"));
  g_assert_cmpstr (json_object_get_string_member (alpha, "path"), ==, "specs/001-alpha/README.md");
  g_assert_cmpstr (json_object_get_string_member (alpha, "created"), ==, "2025-01-02");
  g_assert_true (json_object_get_null_member (alpha, "completed_at"));
  g_assert_false (json_object_get_boolean_member (alpha, "archived"));

  beta = find_object (array, "002-beta");
  deps = strv_of (beta, "depends_on");
  g_assert_cmpstr (deps, ==, "001-alpha");
  g_assert_true (json_object_get_null_member (beta, "assignee"));

  gamma = find_object (array, "003-gamma");
  g_assert_true (json_object_get_null_member (gamma, "priority"));
  g_assert_cmpstr (json_object_get_string_member (gamma, "parent"), ==, "001-alpha");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (gamma, "tags")), ==, 0);
}

/* `list --json` writes its JSON itself (speed); `show --json` goes through
 * json-glib. Every member of every listed object must equal show's. */
static void
test_list_json_matches_show (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "list", "--all", "--json", NULL);
  g_autoptr(JsonNode) node = ctl_test_parse_json (r->out);
  JsonArray *array = json_node_get_array (node);

  g_assert_cmpuint (json_array_get_length (array), ==, 9);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *listed = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (listed, "id");
      g_autoptr(CtlResult) s = ctl_test_run_ctl (f->root, "show", id, "--json", NULL);
      g_autoptr(JsonNode) shown_node = ctl_test_parse_json (s->out);
      JsonObject *shown = json_node_get_object (shown_node);
      g_autoptr(GList) members = json_object_get_members (listed);

      g_assert_cmpuint (json_object_get_size (listed), ==, 17);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *a = json_object_get_member (listed, l->data);
          JsonNode *b = json_object_get_member (shown, l->data);

          if (b == NULL || !json_node_equal (a, b))
            g_error ("%s: member %s differs between list and show", id, (const char *)l->data);
        }
    }
}

static void
test_list_json_escaping (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *obj;
  JsonArray *tags;

  test_util_write_file (root, "specs/001-odd/README.md",
                       "---\n"
                       "status: planned\n"
                       "assignee: \"tab\\there \\\"quoted\\\" back\\\\slash\"\n"
                       "tags: [\"bell\\x07\", \"nl\\nline\", 测试]\n"
                       "---\n\n"
                       "# Quotes \"q\" back\\slash — ünï 规格\n");
  r = ctl_test_run_ctl (root, "list", "--json", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
  node = ctl_test_parse_json (r->out);
  obj = json_array_get_object_element (json_node_get_array (node), 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==,
                   "Quotes \"q\" back\\slash — ünï 规格");
  g_assert_cmpstr (json_object_get_string_member (obj, "assignee"), ==,
                   "tab\there \"quoted\" back\\slash");
  tags = json_object_get_array_member (obj, "tags");
  g_assert_cmpstr (json_array_get_string_element (tags, 0), ==, "bell\a");
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "nl\nline");
  g_assert_cmpstr (json_array_get_string_element (tags, 2), ==, "测试");
  /* Control characters are escaped, never raw, in the text itself. */
  g_assert_nonnull (strstr (r->out, "\"bell\\u0007\""));
  g_assert_nonnull (strstr (r->out, "\"tab\\there \\\"quoted\\\" back\\\\slash\""));

  test_util_rm_rf (root);
}

/* The writer looks at strings 8 bytes at a time: a byte to escape must be
 * found wherever it falls in a word, and bytes from 0x7f up must pass as
 * they are. */
static void
test_list_json_escaping_every_offset (void)
{
  static const struct { const char *yaml; char byte; } specials[] = {
    { "\\\"", '"' }, { "\\\\", '\\' }, { "\\x01", '\x01' }, { "\\x1f", '\x1f' },
    { "\\t", '\t' }, { "\\x7f", '\x7f' }, { "é", 0 },
  };
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autoptr(GString) readme = g_string_new ("---\nstatus: planned\ntags:\n");
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *tags;

  for (guint k = 0; k < G_N_ELEMENTS (specials); k++)
    for (guint at = 0; at <= 20; at++)
      {
        g_autofree char *before = g_strnfill (at, 'a');
        g_autofree char *after = g_strnfill (20 - at, 'b');
        char middle[4] = { specials[k].byte, '\0' };

        g_string_append_printf (readme, "  - \"%s%s%s\"\n", before, specials[k].yaml, after);
        g_ptr_array_add (expected, g_strconcat (before, specials[k].byte ? middle : "é",
                                                after, NULL));
      }
  g_string_append (readme, "---\n# Offsets\n");
  test_util_write_file (root, "specs/001-offsets/README.md", readme->str);

  r = ctl_test_run_ctl (root, "list", "--json", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  node = ctl_test_parse_json (r->out);
  tags = json_object_get_array_member (json_array_get_object_element (json_node_get_array (node), 0),
                                       "tags");
  g_assert_cmpuint (json_array_get_length (tags), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (json_array_get_string_element (tags, i), ==, g_ptr_array_index (expected, i));
  for (const char *p = r->out; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_assert_nonnull (strstr (r->out, "\"aaaaaaa\\u0001bbbbbbbbbbbbb\""));
  g_assert_nonnull (strstr (r->out, "\"aaaaaaaa\\\"bbbbbbbbbbbb\""));

  test_util_rm_rf (root);
}

/* Each run must see the files as they are now, even after an edit that keeps
 * the size, the inode and (put back by the editor) the mtime: whatever is
 * remembered between runs must not hide it. */
static void
test_list_sees_sneaky_edit (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->root, "specs", "001-alpha", "README.md", NULL);
  g_autoptr(CtlResult) before = NULL;
  g_autoptr(CtlResult) after = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *contents = ctl_test_read_file (f->root, "specs/001-alpha/README.md");
  char *at = strstr (contents, "assignee: alice");
  struct timespec times[2];
  GStatBuf st;
  FILE *file;

  /* With stamps trusted at once (no 2 s margin): the second run knows the
   * folders and READMEs from their stamps, reading none of them. */
  if (data != NULL)
    {
      g_setenv ("_LEANSPEC_CACHE_RACY_MSEC", "0", TRUE);
      g_usleep (50 * 1000);
      g_clear_pointer (&before, ctl_result_free);
      before = ctl_test_run_ctl (f->root, "list", "--json", NULL);
      g_assert_cmpint (before->exit_status, ==, 0);
      g_usleep (50 * 1000);
    }
  before = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  g_assert_cmpint (before->exit_status, ==, 0);
  g_assert_nonnull (at);
  memcpy (at, "assignee: bobby", strlen ("assignee: bobby"));

  /* In place (same inode, same size), then the old timestamps put back. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  file = fopen (path, "r+");
  g_assert_nonnull (file);
  g_assert_cmpint (fwrite (contents, 1, strlen (contents), file), ==, strlen (contents));
  g_assert_cmpint (fclose (file), ==, 0);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);

  after = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  g_unsetenv ("_LEANSPEC_CACHE_RACY_MSEC");
  g_assert_cmpint (after->exit_status, ==, 0);
  node = ctl_test_parse_json (after->out);
  g_assert_cmpstr (json_object_get_string_member (find_object (json_node_get_array (node), "001-alpha"),
                                                  "assignee"), ==, "bobby");
}

/* Specs known from their stamps (READMEs not read) give every command the
 * same bytes as a parse of every file. */
static void
test_unread_same_output (Fixture       *f,
                         gconstpointer  data)
{
  const char * const commands[][5] = {
    { "list", "--json", "--all", NULL },
    { "list", NULL },
    { "show", "001", "--json", NULL },
    { "show", "002", NULL },
    { "stats", "--json", NULL },
    { "board", NULL },
    { "tokens", "--json", NULL },
    { "tokens", "001", "--json", NULL },
    { "lint", "--json", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(CtlResult) parsed = NULL;
      g_autoptr(CtlResult) recorded = NULL;
      g_autoptr(CtlResult) unread = NULL;

      g_ptr_array_add (argv, (gpointer) ctl_test_ctl_path ());
      g_ptr_array_add (argv, (gpointer) "-C");
      g_ptr_array_add (argv, f->root);
      for (guint j = 0; commands[i][j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) commands[i][j]);
      g_ptr_array_add (argv, NULL);

      g_setenv ("LEANSPEC_NO_CACHE", "1", TRUE);
      parsed = ctl_test_run_argv (NULL, (const char * const *) argv->pdata, NULL);
      g_unsetenv ("LEANSPEC_NO_CACHE");
      g_setenv ("_LEANSPEC_CACHE_RACY_MSEC", "0", TRUE);
      g_usleep (50 * 1000);
      recorded = ctl_test_run_argv (NULL, (const char * const *) argv->pdata, NULL);
      unread = ctl_test_run_argv (NULL, (const char * const *) argv->pdata, NULL);
      g_unsetenv ("_LEANSPEC_CACHE_RACY_MSEC");

      g_test_message ("%s", commands[i][0]);
      g_assert_cmpint (recorded->exit_status, ==, parsed->exit_status);
      g_assert_cmpint (unread->exit_status, ==, parsed->exit_status);
      g_assert_cmpstr (recorded->out, ==, parsed->out);
      g_assert_cmpstr (unread->out, ==, parsed->out);
      g_assert_cmpstr (unread->err, ==, parsed->err);
    }
}

/* Large listings are written by several threads: the array must still be
 * whole, in order, and each object complete. */
static void
test_list_json_many (void)
{
  g_autofree char *root = test_util_make_tmp_dir ();
  g_autoptr(CtlResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  const guint n = 1203;

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *rel = g_strdup_printf ("specs/%04u-spec-%u/README.md", i, i);
      g_autofree char *text = g_strdup_printf ("---\nstatus: planned\ncreated: '2025-01-01'\n"
                                               "tags: [t%u]\n---\n\n# Spec \"%u\"\n", i % 7, i);
      test_util_write_file (root, rel, text);
    }

  r = ctl_test_run_ctl (root, "list", "--json", NULL);
  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_cmpstr (r->err, ==, "");
  g_assert_true (g_str_has_suffix (r->out, "}\n]\n"));
  node = ctl_test_parse_json (r->out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);
      g_autofree char *id = g_strdup_printf ("%04u-spec-%u", i + 1, i + 1);
      g_autofree char *title = g_strdup_printf ("Spec \"%u\"", i + 1);
      g_autofree char *tag = g_strdup_printf ("t%u", (i + 1) % 7);

      g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==, title);
      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (obj, "tags"), 0),
                       ==, tag);
      g_assert_true (json_object_has_member (obj, "completed_at"));
    }

  test_util_rm_rf (root);
}

static void
test_list_all_and_archived (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CtlResult) all = ctl_test_run_ctl (f->root, "list", "--all", "--json", NULL);
  g_autoptr(CtlResult) arch = ctl_test_run_ctl (f->root, "list", "--status", "archived", "--json", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *all_ids = NULL;
  g_autofree char *arch_ids = NULL;
  JsonObject *epsilon;

  g_assert_cmpint (all->exit_status, ==, 0);
  all_ids = ids_of (all->out);
  g_assert_cmpstr (all_ids, ==, "001-alpha 002-beta 003-gamma 004-delta 005-epsilon "
                                "007-one 007-two 008-parent 009-child");

  g_assert_cmpint (arch->exit_status, ==, 0);
  arch_ids = ids_of (arch->out);
  g_assert_cmpstr (arch_ids, ==, "004-delta 005-epsilon");

  node = ctl_test_parse_json (all->out);
  epsilon = find_object (json_node_get_array (node), "005-epsilon");
  g_assert_cmpstr (json_object_get_string_member (epsilon, "path"), ==,
                   "specs/archived/005-epsilon/README.md");
  g_assert_true (json_object_get_boolean_member (epsilon, "archived"));
}

static void
test_list_filters (Fixture       *f,
                   gconstpointer  data)
{
  static const struct {
    const char *args[5];
    const char *ids;
  } cases[] = {
    { { "--status", "planned" }, "001-alpha 009-child" },
    { { "--status", "in_progress" }, "002-beta 008-parent" },
    { { "--status", "DRAFT" }, "007-one 007-two" },
    { { "--priority", "high" }, "001-alpha" },
    { { "--priority", "urgent" }, "" },
    { { "--tag", "cli" }, "001-alpha 002-beta 008-parent" },
    { { "--tag", "cli", "--tag", "ui" }, "001-alpha" },
    { { "--assignee", "alice" }, "001-alpha" },
    { { "--assignee", "nobody" }, "" },
    { { "--status", "complete", "--all" }, "003-gamma" },
    { { "-s", "planned", "-t", "ui" }, "001-alpha" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[12] = { ctl_test_ctl_path (), "-C", f->root, "list", "--json" };
      g_autoptr(CtlResult) r = NULL;
      g_autofree char *ids = NULL;
      guint n = 5;

      for (guint a = 0; cases[i].args[a] != NULL; a++)
        argv[n++] = cases[i].args[a];
      r = ctl_test_run_argv (NULL, argv, NULL);
      g_assert_cmpint (r->exit_status, ==, 0);
      ids = ids_of (r->out);
      g_test_message ("list %s %s -> %s", cases[i].args[0], cases[i].args[1], ids);
      g_assert_cmpstr (ids, ==, cases[i].ids);
    }
}

static void
test_list_text (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "list", NULL);

  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "001-alpha"));
  g_assert_nonnull (strstr (r->out, "Alpha Spec"));
  g_assert_nonnull (strstr (r->out, "in-progress"));
  g_assert_null (strstr (r->out, "004-delta"));
  g_assert_nonnull (strstr (r->out, "7 specs (2 archived hidden"));
  /* Not a terminal: no escape sequences. */
  g_assert_null (strchr (r->out, '\033'));
  g_assert_true (g_str_has_prefix (r->err, "specs/006-broken/README.md: "));
}

static void
test_list_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtlResult) bad_status = ctl_test_run_ctl (f->root, "list", "--status", "bogus", NULL);
  g_autoptr(CtlResult) bad_prio = ctl_test_run_ctl (f->root, "list", "--priority", "p1", NULL);
  g_autoptr(CtlResult) bad_opt = ctl_test_run_ctl (f->root, "list", "--frobnicate", NULL);
  g_autoptr(CtlResult) extra = ctl_test_run_ctl (f->root, "list", "extra", NULL);

  g_assert_cmpint (bad_status->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bad_status->err, "invalid status “bogus”");
  g_assert_cmpstr (bad_status->out, ==, "");

  g_assert_cmpint (bad_prio->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bad_prio->err, "invalid priority “p1”");

  g_assert_cmpint (bad_opt->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bad_opt->err, "--frobnicate");

  g_assert_cmpint (extra->exit_status, ==, 2);
  ctl_test_assert_one_error_line (extra->err, "extra");
}

static void
test_no_project (void)
{
  g_autofree char *empty = test_util_make_tmp_dir ();
  g_autofree char *missing = g_build_filename (empty, "does-not-exist", NULL);
  g_autoptr(CtlResult) r1 = ctl_test_run_ctl (empty, "list", NULL);
  g_autoptr(CtlResult) r2 = ctl_test_run_ctl (missing, "list", NULL);
  g_autoptr(CtlResult) r3 = NULL;
  const char *argv[] = { ctl_test_ctl_path (), "stats", NULL };

  g_assert_cmpint (r1->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r1->err, NULL);
  g_assert_cmpstr (r1->out, ==, "");

  g_assert_cmpint (r2->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r2->err, "no such folder");

  /* Without -C the current folder is used. */
  r3 = ctl_test_run_argv (empty, argv, NULL);
  g_assert_cmpint (r3->exit_status, ==, 1);
  ctl_test_assert_one_error_line (r3->err, NULL);

  test_util_rm_rf (empty);
}

static void
test_project_from_subfolder (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *sub = g_build_filename (f->root, "specs", "002-beta", NULL);
  const char *argv[] = { ctl_test_ctl_path (), "show", "2", "--json", NULL };
  g_autoptr(CtlResult) r = ctl_test_run_argv (sub, argv, NULL);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (r->exit_status, ==, 0);
  node = ctl_test_parse_json (r->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "id"), ==, "002-beta");
}

static void
test_show (Fixture       *f,
           gconstpointer  data)
{
  const char *refs[] = { "2", "002", "002-beta", "beta" };

  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "show", refs[i], "--json", NULL);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;

      g_test_message ("show %s", refs[i]);
      g_assert_cmpint (r->exit_status, ==, 0);
      node = ctl_test_parse_json (r->out);
      obj = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, "002-beta");
      g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "in-progress");
      g_assert_nonnull (strstr (json_object_get_string_member (obj, "body"), "Beta body."));
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "checklist"),
                                                   "unchecked"), ==, 1);
    }

  {
    g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "show", "001-alpha", NULL);
    g_autoptr(CtlResult) j = ctl_test_run_ctl (f->root, "show", "1", "--json", NULL);
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *subs = NULL;

    g_assert_cmpint (r->exit_status, ==, 0);
    g_assert_true (g_str_has_prefix (r->out, "001-alpha: Alpha Spec\n"));
    g_assert_nonnull (strstr (r->out, "planned"));
    g_assert_nonnull (strstr (r->out, "ui, cli"));
    g_assert_nonnull (strstr (r->out, "1 of 2 done"));
    g_assert_nonnull (strstr (r->out, "- [ ] Task two"));

    node = ctl_test_parse_json (j->out);
    subs = strv_of (json_node_get_object (node), "sub_specs");
    g_assert_cmpstr (subs, ==, "DESIGN.md");
  }
}

static void
test_show_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtlResult) unknown = ctl_test_run_ctl (f->root, "show", "99", NULL);
  g_autoptr(CtlResult) ambiguous = ctl_test_run_ctl (f->root, "show", "7", NULL);
  g_autoptr(CtlResult) broken = ctl_test_run_ctl (f->root, "show", "006-broken", NULL);
  g_autoptr(CtlResult) missing = ctl_test_run_ctl (f->root, "show", NULL);

  g_assert_cmpint (unknown->exit_status, ==, 1);
  ctl_test_assert_one_error_line (unknown->err, "99");
  g_assert_cmpstr (unknown->out, ==, "");

  g_assert_cmpint (ambiguous->exit_status, ==, 1);
  ctl_test_assert_one_error_line (ambiguous->err, "007-one");
  g_assert_nonnull (strstr (ambiguous->err, "007-two"));

  /* An unreadable spec says why, not "not found". */
  g_assert_cmpint (broken->exit_status, ==, 1);
  ctl_test_assert_one_error_line (broken->err, "specs/006-broken/README.md");

  g_assert_cmpint (missing->exit_status, ==, 2);
  ctl_test_assert_one_error_line (missing->err, "SPEC");
}

static void
test_set (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "set", "2", "--status", "planned",
                                             "--priority", "critical", "--assignee", "bob", NULL);
  g_autoptr(CtlResult) l = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *after = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  const char *body = strstr (BETA, "\n---\n");
  JsonObject *beta;

  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_nonnull (strstr (r->out, "002-beta"));
  g_assert_nonnull (strstr (r->out, "in-progress → planned"));

  g_assert_nonnull (strstr (after, "status: planned\n"));
  g_assert_nonnull (strstr (after, "priority: critical\n"));
  g_assert_nonnull (strstr (after, "assignee: bob\n"));
  g_assert_nonnull (strstr (after, "updated_at:"));
  g_assert_nonnull (strstr (after, "transitions:"));
  g_assert_null (strstr (after, "completed_at:"));
  /* The body after the front matter is untouched. */
  g_assert_true (g_str_has_suffix (after, body));

  l = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  node = ctl_test_parse_json (l->out);
  beta = find_object (json_node_get_array (node), "002-beta");
  g_assert_cmpstr (json_object_get_string_member (beta, "status"), ==, "planned");
  g_assert_cmpstr (json_object_get_string_member (beta, "priority"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (beta, "assignee"), ==, "bob");
  g_assert_false (json_object_get_null_member (beta, "updated_at"));
}

static void
test_set_keeps_other_bytes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "set", "001-alpha", "--priority", "low", NULL);
  g_autofree char *after = ctl_test_read_file (f->root, "specs/001-alpha/README.md");
  g_autoptr(GString) expected = g_string_new (ALPHA);

  g_autoptr(GString) stripped = NULL;
  const char *stamp, *eol;

  g_assert_cmpint (r->exit_status, ==, 0);
  /* A priority change touches only the value of that key, plus the
   * updated_at line LeanSpec adds on every update (before the closing ---). */
  g_string_replace (expected, "priority: high\n", "priority: low\n", 1);
  stamp = strstr (after, "\nupdated_at: ");
  g_assert_nonnull (stamp);
  eol = strchr (stamp + 1, '\n');
  g_assert_true (g_str_has_prefix (eol, "\n---\n\n# Alpha Spec"));
  stripped = g_string_new_len (after, stamp - after);
  g_string_append (stripped, eol);
  g_assert_cmpstr (stripped->str, ==, expected->str);
}

static void
test_set_errors (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *before = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_autoptr(CtlResult) bogus = ctl_test_run_ctl (f->root, "set", "2", "--status", "bogus",
                                                 "--assignee", "eve", NULL);
  g_autoptr(CtlResult) nothing = ctl_test_run_ctl (f->root, "set", "2", NULL);
  g_autoptr(CtlResult) unknown = ctl_test_run_ctl (f->root, "set", "99", "--status", "planned", NULL);
  g_autoptr(CtlResult) ambiguous = ctl_test_run_ctl (f->root, "set", "7", "--status", "planned", NULL);
  g_autofree char *after = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_autofree char *one = ctl_test_read_file (f->root, "specs/007-one/README.md");

  g_assert_cmpint (bogus->exit_status, ==, 2);
  ctl_test_assert_one_error_line (bogus->err, "invalid status “bogus”");
  /* A bad value writes nothing at all, not even the valid assignee. */
  g_assert_cmpstr (after, ==, before);

  g_assert_cmpint (nothing->exit_status, ==, 2);
  ctl_test_assert_one_error_line (nothing->err, "--status");

  g_assert_cmpint (unknown->exit_status, ==, 1);
  ctl_test_assert_one_error_line (unknown->err, "99");

  g_assert_cmpint (ambiguous->exit_status, ==, 1);
  ctl_test_assert_one_error_line (ambiguous->err, "007-two");
  g_assert_nonnull (strstr (one, "status: draft\n"));
}

static void
test_complete (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *before = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_autoptr(CtlResult) refused = ctl_test_run_ctl (f->root, "complete", "2", NULL);
  g_autofree char *unchanged = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_autoptr(CtlResult) forced = NULL;
  g_autoptr(CtlResult) set_refused = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpint (refused->exit_status, ==, 1);
  ctl_test_assert_one_error_line (refused->err, NULL);
  g_assert_cmpstr (unchanged, ==, before);

  /* `set --status complete` goes through the same check. */
  set_refused = ctl_test_run_ctl (f->root, "set", "2", "--status", "complete", NULL);
  g_assert_cmpint (set_refused->exit_status, ==, 1);
  ctl_test_assert_one_error_line (set_refused->err, NULL);

  forced = ctl_test_run_ctl (f->root, "complete", "2", "--force", NULL);
  g_assert_cmpint (forced->exit_status, ==, 0);
  g_assert_nonnull (strstr (forced->out, "→ complete"));
  after = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_assert_nonnull (strstr (after, "status: complete\n"));
  g_assert_nonnull (strstr (after, "completed_at:"));
}

static void
test_complete_open_child (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CtlResult) refused = ctl_test_run_ctl (f->root, "complete", "8", NULL);
  g_autoptr(CtlResult) child = NULL;
  g_autoptr(CtlResult) done = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* The refusal names the open child. */
  g_assert_cmpint (refused->exit_status, ==, 1);
  ctl_test_assert_one_error_line (refused->err, "009-child");

  child = ctl_test_run_ctl (f->root, "complete", "009-child", NULL);
  g_assert_cmpint (child->exit_status, ==, 0);
  done = ctl_test_run_ctl (f->root, "complete", "8", "--json", NULL);
  g_assert_cmpint (done->exit_status, ==, 0);
  node = ctl_test_parse_json (done->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==,
                   "complete");
}

static void
test_changed_on_disk (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err_in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GString) edited = g_string_new (BETA);
  gsize written;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "_LEANSPEC_CTL_TEST_PAUSE_BEFORE_WRITE", "1", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, ctl_test_ctl_path (), "-C", f->root,
                                      "set", "002-beta", "--status", "planned", NULL);
  g_assert_no_error (error);

  /* Wait until it has read the spec and is about to write. */
  err_in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (err_in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "leanspec-ctl: paused before write");

  /* Someone else edits the file meanwhile. */
  g_string_append (edited, "\nA line added by a person in an editor.\n");
  test_util_write_file (f->root, "specs/002-beta/README.md", edited->str);

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (proc), "\n", 1, &written, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (proc), NULL, NULL);
  g_clear_pointer (&line, g_free);
  {
    g_autoptr(GString) err = g_string_new (NULL);
    char *l;

    while ((l = g_data_input_stream_read_line_utf8 (err_in, NULL, NULL, &error)) != NULL)
      {
        g_string_append_printf (err, "%s\n", l);
        g_free (l);
      }
    g_assert_no_error (error);
    rest = g_string_free (g_steal_pointer (&err), FALSE);
  }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  ctl_test_assert_one_error_line (rest, NULL);
  g_test_message ("changed-on-disk error: %s", rest);
  /* The person's edit survives. */
  after = ctl_test_read_file (f->root, "specs/002-beta/README.md");
  g_assert_cmpstr (after, ==, edited->str);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "stats", "--json", NULL);
  g_autoptr(CtlResult) t = ctl_test_run_ctl (f->root, "stats", NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *obj, *by_status, *by_priority, *by_tag;

  g_assert_cmpint (r->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (r->err, "specs/006-broken/README.md: "));
  node = ctl_test_parse_json (r->out);
  obj = json_node_get_object (node);

  /* 9 readable specs: 2 draft, 2 planned, 2 in-progress, 1 complete, 2 archived. */
  g_assert_cmpint (json_object_get_int_member (obj, "total"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (obj, "broken"), ==, 1);
  by_status = json_object_get_object_member (obj, "by_status");
  g_assert_cmpint (json_object_get_int_member (by_status, "draft"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (by_status, "planned"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (by_status, "in-progress"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (by_status, "complete"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (by_status, "archived"), ==, 2);
  by_priority = json_object_get_object_member (obj, "by_priority");
  g_assert_cmpint (json_object_get_int_member (by_priority, "high"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (by_priority, "low"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (by_priority, "medium"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (by_priority, "critical"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj, "no_priority"), ==, 6);
  by_tag = json_object_get_object_member (obj, "by_tag");
  g_assert_cmpint (json_object_get_int_member (by_tag, "cli"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (by_tag, "ui"), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (obj, "completion_percent"),
                                  11.1, 0.001);

  g_assert_cmpint (t->exit_status, ==, 0);
  g_assert_nonnull (strstr (t->out, "Completion: 11.1% (1 of 9 complete)"));
  g_assert_nonnull (strstr (t->out, "1 broken file skipped"));
}

static void
test_board (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CtlResult) r = ctl_test_run_ctl (f->root, "board", NULL);
  g_autoptr(CtlResult) all = ctl_test_run_ctl (f->root, "board", "--all", NULL);
  const char *draft, *planned, *progress, *complete;

  g_assert_cmpint (r->exit_status, ==, 0);
  draft = strstr (r->out, "Draft (2)\n");
  planned = strstr (r->out, "Planned (2)\n");
  progress = strstr (r->out, "In Progress (2)\n");
  complete = strstr (r->out, "Complete (1)\n");
  g_assert_nonnull (draft);
  g_assert_nonnull (planned);
  g_assert_nonnull (progress);
  g_assert_nonnull (complete);
  g_assert_true (draft < planned && planned < progress && progress < complete);
  /* Each spec sits under its own heading. */
  g_assert_true (strstr (r->out, "001-alpha") > planned && strstr (r->out, "001-alpha") < progress);
  g_assert_nonnull (strstr (r->out, "  001-alpha  Alpha Spec  [high]  @alice\n"));
  g_assert_null (strstr (r->out, "Archived"));
  g_assert_null (strchr (r->out, '\033'));

  g_assert_cmpint (all->exit_status, ==, 0);
  g_assert_nonnull (strstr (all->out, "Archived (2)\n"));
  g_assert_nonnull (strstr (all->out, "005-epsilon"));
}

/* Colours only when stdout is a terminal: run the board on a real PTY. */
static void
test_board_tty_colours (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int master = -1, slave = -1;
  char buf[4096];
  ssize_t n;

  g_assert_cmpint (openpty (&master, &slave, NULL, NULL, NULL), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "NO_COLOR");
  g_subprocess_launcher_setenv (launcher, "TERM", "xterm-256color", TRUE);
  g_subprocess_launcher_take_stdout_fd (launcher, slave);
  proc = g_subprocess_launcher_spawn (launcher, &error, ctl_test_ctl_path (), "-C", f->root,
                                      "board", NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher); /* closes our copy of the slave, so EOF/EIO comes */

  while ((n = read (master, buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  close (master);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (out->str, "\033["));
  g_assert_nonnull (strstr (out->str, "001-alpha"));
}

static void
test_help (void)
{
  g_autoptr(CtlResult) top = ctl_test_run_ctl (NULL, "--help", NULL);
  g_autoptr(CtlResult) list = ctl_test_run_ctl (NULL, "list", "--help", NULL);
  g_autoptr(CtlResult) help_set = ctl_test_run_ctl (NULL, "help", "set", NULL);
  g_autoptr(CtlResult) unknown = ctl_test_run_ctl (NULL, "frobnicate", NULL);
  g_autoptr(CtlResult) none = ctl_test_run_ctl (NULL, NULL);
  g_autoptr(CtlResult) version = ctl_test_run_ctl (NULL, "--version", NULL);
  const char *commands[] = { "list", "show", "set", "complete", "stats", "board" };

  g_assert_cmpint (top->exit_status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *row = g_strdup_printf ("\n  %s ", commands[i]);
      g_autoptr(CtlResult) sub = ctl_test_run_ctl (NULL, commands[i], "--help", NULL);

      g_assert_nonnull (strstr (top->out, row));
      g_assert_cmpint (sub->exit_status, ==, 0);
      g_assert_nonnull (strstr (sub->out, "Usage:"));
      g_assert_cmpstr (sub->err, ==, "");
    }
  g_assert_nonnull (strstr (top->out, "-C, --directory=DIR"));

  g_assert_cmpint (list->exit_status, ==, 0);
  g_assert_true (g_str_has_suffix (list->out, ".\n"));
  g_assert_true (g_str_has_suffix (top->out, ".\n"));
  g_assert_nonnull (strstr (list->out, "leanspec-ctl list"));
  g_assert_nonnull (strstr (list->out, "--status=STATUS"));
  g_assert_nonnull (strstr (list->out, "--all"));

  g_assert_cmpint (help_set->exit_status, ==, 0);
  g_assert_nonnull (strstr (help_set->out, "--force"));

  g_assert_cmpint (unknown->exit_status, ==, 2);
  ctl_test_assert_one_error_line (unknown->err, "frobnicate");

  g_assert_cmpint (none->exit_status, ==, 2);
  g_assert_nonnull (strstr (none->err, "Usage:"));

  g_assert_cmpint (version->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (version->out, "leanspec-ctl "));
}

static void
test_tokens (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CtlResult) one = ctl_test_run_ctl (f->root, "tokens", "1", "--json", NULL);
  g_autoptr(CtlResult) text = ctl_test_run_ctl (f->root, "tokens", "alpha", NULL);
  g_autoptr(CtlResult) all = ctl_test_run_ctl (f->root, "tokens", "--json", NULL);
  g_autoptr(CtlResult) list = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  g_autoptr(CtlResult) missing = ctl_test_run_ctl (f->root, "tokens", "99", NULL);
  g_autoptr(JsonNode) one_node = NULL;
  g_autoptr(JsonNode) all_node = NULL;
  g_autoptr(JsonNode) list_node = NULL;
  JsonObject *alpha, *listed;
  gint64 total;

  g_assert_cmpint (one->exit_status, ==, 0);
  one_node = ctl_test_parse_json (one->out);
  alpha = json_node_get_object (one_node);
  total = json_object_get_int_member (alpha, "tokens");
  g_assert_cmpstr (json_object_get_string_member (alpha, "id"), ==, "001-alpha");
  g_assert_cmpstr (json_object_get_string_member (alpha, "token_status"), ==, "optimal");
  /* The front matter runs to the closing "---" and the content from there. */
  g_assert_cmpint (json_object_get_int_member (alpha, "frontmatter"), >, 10);
  g_assert_cmpint (json_object_get_int_member (alpha, "frontmatter") +
                   json_object_get_int_member (alpha, "content"), >=, total);
  g_assert_cmpint (json_object_get_int_member (alpha, "title"), >, 0);
  g_assert_cmpint (json_object_get_int_member (alpha, "checklists"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (alpha, "sections")), ==, 0);

  g_assert_cmpint (text->exit_status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "001-alpha: "));
  g_assert_nonnull (strstr (text->out, " tokens (optimal)\n"));

  /* The same count in the list of all specs and in list --json. */
  g_assert_cmpint (all->exit_status, ==, 0);
  all_node = ctl_test_parse_json (all->out);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (all_node), 0),
                                               "tokens"), ==, total);
  list_node = ctl_test_parse_json (list->out);
  listed = json_array_get_object_element (json_node_get_array (list_node), 0);
  g_assert_cmpint (json_object_get_int_member (listed, "tokens"), ==, total);
  g_assert_cmpstr (json_object_get_string_member (listed, "token_status"), ==, "optimal");
  g_assert_cmpstr (json_object_get_string_member (listed, "lint"), ==, "pass");

  g_assert_cmpint (missing->exit_status, ==, 1);
  ctl_test_assert_one_error_line (missing->err, "99");
}

static void
test_lint (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CtlResult) clean = ctl_test_run_ctl (f->root, "lint", NULL);
  g_autoptr(CtlResult) failing = NULL;
  g_autoptr(CtlResult) json = NULL;
  g_autoptr(CtlResult) related = NULL;
  g_autoptr(CtlResult) one = NULL;
  g_autoptr(CtlResult) list = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) list_node = NULL;
  JsonArray *array;
  JsonObject *untitled = NULL;

  g_assert_cmpint (clean->exit_status, ==, 0);
  g_assert_true (g_str_has_suffix (clean->out, "7 specs: 7 pass, 0 warn, 0 fail\n"));

  test_util_write_file (f->root, "specs/010-untitled/README.md",
                        "---\nstatus: planned\ncreated: '2025-01-09'\npriority: low\n"
                        "depends_on: [404-nowhere]\n---\n\nNo title.\n\n## Empty\n");
  failing = ctl_test_run_ctl (f->root, "lint", NULL);
  g_assert_cmpint (failing->exit_status, ==, 1);
  g_assert_nonnull (strstr (failing->out, "fail  specs/010-untitled/README.md\n"
                                          "  error   [structure] Missing title (# heading)\n"
                                          "  warning [structure] Empty section: ## Empty\n"));
  g_assert_true (g_str_has_suffix (failing->out, "8 specs: 7 pass, 0 warn, 1 fail\n"));
  /* The missing dependency is a relationship check: off by default. */
  g_assert_null (strstr (failing->out, "404-nowhere"));

  json = ctl_test_run_ctl (f->root, "lint", "--json", "--relationships", NULL);
  g_assert_cmpint (json->exit_status, ==, 1);
  node = ctl_test_parse_json (json->out);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 8);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (obj, "id"), "010-untitled"))
        untitled = obj;
    }
  g_assert_nonnull (untitled);
  g_assert_cmpstr (json_object_get_string_member (untitled, "status"), ==, "fail");
  {
    JsonArray *issues = json_object_get_array_member (untitled, "issues");
    JsonObject *last = json_array_get_object_element (issues, json_array_get_length (issues) - 1);

    g_assert_cmpuint (json_array_get_length (issues), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (last, "severity"), ==, "warning");
    g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "dependencies");
    g_assert_cmpstr (json_object_get_string_member (last, "message"), ==,
                     "References non-existent spec: 404-nowhere");
  }

  related = ctl_test_run_ctl (f->root, "lint", "-r", "2", "3", NULL);
  g_assert_cmpint (related->exit_status, ==, 0);
  g_assert_true (g_str_has_suffix (related->out, "2 specs: 2 pass, 0 warn, 0 fail\n"));

  one = ctl_test_run_ctl (f->root, "lint", "010", NULL);
  g_assert_cmpint (one->exit_status, ==, 1);
  g_assert_true (g_str_has_suffix (one->out, "1 spec: 0 pass, 0 warn, 1 fail\n"));

  list = ctl_test_run_ctl (f->root, "list", "--json", NULL);
  list_node = ctl_test_parse_json (list->out);
  array = json_node_get_array (list_node);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, json_array_get_length (array) - 1),
                                                  "lint"), ==, "fail");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/cli/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("list/json", test_list_json);
  ADD ("list/json-matches-show", test_list_json_matches_show);
  ADD ("list/sees-sneaky-edit", test_list_sees_sneaky_edit);
  g_test_add ("/cli/list/sees-sneaky-edit-trusted-stamps", Fixture, "trusted", fixture_set_up,
              test_list_sees_sneaky_edit, fixture_tear_down);
  ADD ("list/unread-same-output", test_unread_same_output);
  ADD ("list/all-and-archived", test_list_all_and_archived);
  ADD ("list/filters", test_list_filters);
  ADD ("list/text", test_list_text);
  ADD ("list/errors", test_list_errors);
  ADD ("project/from-subfolder", test_project_from_subfolder);
  ADD ("show/refs", test_show);
  ADD ("show/errors", test_show_errors);
  ADD ("set/fields", test_set);
  ADD ("set/keeps-other-bytes", test_set_keeps_other_bytes);
  ADD ("set/errors", test_set_errors);
  ADD ("set/changed-on-disk", test_changed_on_disk);
  ADD ("complete/checklist", test_complete);
  ADD ("complete/open-child", test_complete_open_child);
  ADD ("stats", test_stats);
  ADD ("board/text", test_board);
  ADD ("board/tty-colours", test_board_tty_colours);
  ADD ("tokens", test_tokens);
  ADD ("lint", test_lint);
  g_test_add_func ("/cli/list/json-escaping", test_list_json_escaping);
  g_test_add_func ("/cli/list/json-escaping-every-offset", test_list_json_escaping_every_offset);
  g_test_add_func ("/cli/list/json-many", test_list_json_many);
  g_test_add_func ("/cli/project/none", test_no_project);
  g_test_add_func ("/cli/help", test_help);

#undef ADD

  return g_test_run ();
}
