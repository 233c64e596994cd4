/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-frontmatter.h"
#include "lean-project.h"
#include "lean-spec-problem.h"
#include "test-util.h"

static void
write_file (const char *root,
            const char *rel,
            const char *text,
            gssize      len)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

static char *
make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *tmp = g_dir_make_tmp ("test-project-XXXXXX", &error);

  g_assert_no_error (error);
  return tmp;
}

#define SPEC(status) "---\nstatus: " status "\npriority: high\n---\n\n# Title\n"

static void
test_open (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *deep = g_build_filename (tmp, "a", "src", "deep", NULL);
  g_autofree char *other = g_build_filename (tmp, "b", "x", NULL);
  g_autofree char *a_root = g_build_filename (tmp, "a", NULL);
  g_autofree char *a_specs = g_build_filename (tmp, "a", "docs", "specs", NULL);
  g_autofree char *b_root = g_build_filename (tmp, "b", NULL);
  g_autofree char *b_specs = g_build_filename (tmp, "b", "specs", NULL);
  g_autofree char *none = g_build_filename (tmp, "c", NULL);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (b_specs, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (none, 0755), ==, 0);
  write_file (tmp, "a/.lean-spec/config.json",
              "{ \"specsDir\": \"docs/specs\", \"templates\": { \"default\": \"t.md\" },"
              "  \"structure\": { \"sequenceDigits\": 4 } }", -1);

  project = lean_project_open (deep, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_project_get_root (project), ==, a_root);
  g_assert_cmpstr (lean_project_get_specs_dir (project), ==, a_specs);
  g_assert_cmpstr (lean_project_get_name (project), ==, "a");
  g_assert_cmpstr (lean_project_get_config_string (project, "templates.default"), ==, "t.md");
  g_assert_cmpstr (lean_project_get_config_string (project, "structure.sequenceDigits"), ==, "4");
  g_assert_null (lean_project_get_config_string (project, "nope"));
  g_clear_object (&project);

  project = lean_project_open (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_project_get_root (project), ==, b_root);
  g_assert_cmpstr (lean_project_get_specs_dir (project), ==, b_specs);
  g_assert_null (lean_project_get_config_string (project, "specsDir"));
  g_clear_object (&project);

  /* No project: a clear error, unless a specs/ folder above /tmp exists. */
  project = lean_project_open (none, &error);
  if (project == NULL)
    {
      g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT);
      g_assert_nonnull (strstr (error->message, "no LeanSpec project"));
      g_clear_error (&error);
    }
  g_clear_object (&project);

  /* A broken config.json is reported, not silently ignored. */
  write_file (tmp, "c/.lean-spec/config.json", "{ broken", -1);
  project = lean_project_open (none, &error);
  g_assert_null (project);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "config.json"));

  test_util_rm_rf (tmp);
}

static guint
find_problem (GPtrArray  *problems,
              const char *rel,
              const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    {
      LeanSpecProblem *p = g_ptr_array_index (problems, i);
      if (g_str_equal (lean_spec_problem_get_rel_path (p), rel) &&
          strstr (lean_spec_problem_get_reason (p), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_spec (GPtrArray  *specs,
          const char *id)
{
  for (guint i = 0; i < specs->len; i++)
    if (g_str_equal (lean_spec_get_id (g_ptr_array_index (specs, i)), id))
      return TRUE;
  return FALSE;
}

static void
test_scan (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autofree char *loop = g_build_filename (tmp, "specs", "group", "loop", NULL);
  g_autofree char *specs_dir = g_build_filename (tmp, "specs", NULL);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  write_file (tmp, "specs/README.md", "# Specs index, not a spec\n", -1);
  write_file (tmp, "specs/001-first/README.md", SPEC ("planned"), -1);
  write_file (tmp, "specs/001-first/DESIGN.md", "# Design\n", -1);
  write_file (tmp, "specs/002-second/README.md",
              "---\nstatus: complete\nparent: 001-first\n---\n# Two\n", -1);
  write_file (tmp, "specs/archived/003-old/README.md", SPEC ("complete"), -1);
  write_file (tmp, "specs/group/sub/004-deep/README.md", SPEC ("planned"), -1);
  write_file (tmp, "specs/group/sub/x/005-too-deep/README.md", SPEC ("planned"), -1);
  write_file (tmp, "specs/notes/README.md", SPEC ("planned"), -1);
  write_file (tmp, "specs/006-bom-crlf/README.md",
              "\xef\xbb\xbf---\r\nstatus: draft\r\n---\r\n# Bom\r\n", -1);
  /* Broken ones, each with its own reason; none stops the others. */
  write_file (tmp, "specs/010-empty/README.md", "", 0);
  write_file (tmp, "specs/011-unclosed/README.md", "---\nstatus: planned\n# T\n", -1);
  write_file (tmp, "specs/012-bad-yaml/README.md", "---\nstatus: [planned\n---\n# T\n", -1);
  write_file (tmp, "specs/013-bad-utf8/README.md", "---\nstatus: planned\n---\n# T\xff\n", -1);
  write_file (tmp, "specs/014-no-readme/DESIGN.md", "# D\n", -1);
  write_file (tmp, "specs/042-dup-a/README.md", SPEC ("planned"), -1);
  write_file (tmp, "specs/042-dup-b/README.md", SPEC ("planned"), -1);
  /* A symlink pointing back up: must not hang or duplicate specs. */
  g_assert_cmpint (symlink (specs_dir, loop), ==, 0);
  /* A link to a spec folder inside the tree is not a second spec... */
  {
    g_autofree char *first = g_build_filename (tmp, "specs", "001-first", NULL);
    g_autofree char *alias = g_build_filename (tmp, "specs", "099-alias", NULL);
    g_assert_cmpint (symlink (first, alias), ==, 0);
  }
  /* ...but a linked folder outside it is followed. */
  write_file (tmp, "elsewhere/100-external/README.md", SPEC ("planned"), -1);
  {
    g_autofree char *target = g_build_filename (tmp, "elsewhere", NULL);
    g_autofree char *link = g_build_filename (tmp, "specs", "ext", NULL);
    g_autofree char *back = g_build_filename (tmp, "elsewhere", "back", NULL);
    g_assert_cmpint (symlink (target, link), ==, 0);
    /* and a link from there back into the tree changes nothing */
    g_assert_cmpint (symlink (specs_dir, back), ==, 0);
  }

  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, &problems, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (specs->len, ==, 8);
  g_assert_false (has_spec (specs, "099-alias"));
  g_assert_true (has_spec (specs, "100-external"));
  g_assert_true (has_spec (specs, "001-first"));
  g_assert_true (has_spec (specs, "002-second"));
  g_assert_true (has_spec (specs, "003-old"));
  g_assert_true (has_spec (specs, "004-deep"));
  g_assert_false (has_spec (specs, "005-too-deep"));
  g_assert_false (has_spec (specs, "notes"));
  g_assert_true (has_spec (specs, "006-bom-crlf"));
  g_assert_true (has_spec (specs, "042-dup-a"));
  g_assert_true (has_spec (specs, "042-dup-b"));

  /* Sorted by number then id. */
  g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (specs, 0)), ==, "001-first");
  g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (specs, 6)), ==, "042-dup-b");
  g_assert_cmpstr (lean_spec_get_rel_path (g_ptr_array_index (specs, 7)), ==,
                   "specs/ext/100-external/README.md");
  g_assert_cmpstrv (lean_spec_get_sub_specs (g_ptr_array_index (specs, 0)),
                    ((const char *[]) { "DESIGN.md", NULL }));
  g_assert_true (lean_spec_is_archived (g_ptr_array_index (specs, 2)));
  g_assert_cmpstr (lean_spec_get_rel_path (g_ptr_array_index (specs, 2)), ==,
                   "specs/archived/003-old/README.md");
  g_assert_cmpstr (lean_spec_get_title (g_ptr_array_index (specs, 4)), ==, "Bom");

  g_assert_cmpuint (problems->len, ==, 5);
  g_assert_true (find_problem (problems, "specs/010-empty/README.md", "empty"));
  g_assert_true (find_problem (problems, "specs/011-unclosed/README.md", "never closed"));
  g_assert_true (find_problem (problems, "specs/012-bad-yaml/README.md", "line 2"));
  g_assert_true (find_problem (problems, "specs/013-bad-utf8/README.md", "UTF-8"));
  g_assert_true (find_problem (problems, "specs/014-no-readme/README.md", "no README.md"));

  /* Lookups */
  {
    LeanSpec *found;
    g_autoptr(GPtrArray) children = NULL;

    found = lean_project_find_spec (project, specs, "1", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (found), ==, "001-first");
    found = lean_project_find_spec (project, specs, "001", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (found), ==, "001-first");
    found = lean_project_find_spec (project, specs, "002-second", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (found), ==, "002-second");
    found = lean_project_find_spec (project, specs, "deep", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (found), ==, "004-deep");
    found = lean_project_find_spec (project, specs, "specs/archived/003-old/", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (found), ==, "003-old");

    found = lean_project_find_spec (project, specs, "42", &error);
    g_assert_null (found);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_AMBIGUOUS);
    g_assert_nonnull (strstr (error->message, "042-dup-a"));
    g_assert_nonnull (strstr (error->message, "042-dup-b"));
    g_clear_error (&error);

    found = lean_project_find_spec (project, specs, "99", &error);
    g_assert_null (found);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
    g_clear_error (&error);
    found = lean_project_find_spec (project, specs, "nothing-like-it", &error);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
    g_clear_error (&error);

    children = lean_project_get_children (project, specs, g_ptr_array_index (specs, 0));
    g_assert_cmpuint (children->len, ==, 1);
    g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (children, 0)), ==, "002-second");
  }

  /* 014-no-readme still reserves its number; 100 (linked in) is the highest. */
  g_assert_cmpuint (lean_project_next_number (project), ==, 101);

  test_util_rm_rf (tmp);
}

static void
test_cancel (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;

  write_file (tmp, "specs/001-a/README.md", SPEC ("planned"), -1);
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  specs = lean_project_load_specs (project, NULL, cancellable, &error);
  g_assert_null (specs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_util_rm_rf (tmp);
}

static void
test_create (void)
{
  g_autofree char *tmp = make_tmp ();
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) spec2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *expected_head = NULL;
  g_autoptr(GRegex) ts = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z$", 0,
                                      0, NULL);
  const char *tags[] = { "a", "b", NULL };
  const char *body;

  write_file (tmp, "specs/007-existing/README.md", SPEC ("planned"), -1);
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);

  /* An empty folder already holding the name: the next number is taken. */
  {
    g_autofree char *empty = g_build_filename (tmp, "specs", "008-taken", NULL);
    g_autoptr(LeanSpec) taken = NULL;

    g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
    taken = lean_project_create_spec (project, "taken", NULL, LEAN_SPEC_PRIORITY_LOW, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lean_spec_get_id (taken), ==, "009-taken");
    test_util_rm_rf (lean_spec_get_dir (taken));
    g_rmdir (empty);
  }

  /* No templates folder: LeanSpec's default template. */
  spec = lean_project_create_spec (project, "my-feature", "My Feature", LEAN_SPEC_PRIORITY_HIGH,
                                   tags, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_spec_get_id (spec), ==, "008-my-feature");
  g_assert_cmpstr (lean_spec_get_title (spec), ==, "My Feature");
  g_assert_cmpint (lean_spec_get_status (spec), ==, LEAN_SPEC_STATUS_PLANNED);
  g_assert_cmpint (lean_spec_get_priority (spec), ==, LEAN_SPEC_PRIORITY_HIGH);
  g_assert_cmpstrv (lean_spec_get_tags (spec), tags);
  g_assert_cmpstr (lean_spec_get_field (spec, "created"), ==, today);
  g_assert_true (g_regex_match (ts, lean_spec_get_field (spec, "created_at"), 0, NULL));
  g_assert_cmpstr (lean_spec_get_field (spec, "created_at"), ==, lean_spec_get_updated_at (spec));
  g_assert_cmpuint (lean_spec_get_n_unchecked (spec), ==, 5);

  /* Same keys in the same order as `leanspec create` writes them. */
  expected_head = g_strdup_printf ("---\nstatus: planned\ncreated: %s\npriority: high\n"
                                   "tags:\n- a\n- b\n"
                                   "created_at: %s\nupdated_at: %s\n---\n\n# My Feature\n\n"
                                   "> **Status**: planned · **Priority**: high · "
                                   "**Created**: %s\n",
                                   today, lean_spec_get_updated_at (spec),
                                   lean_spec_get_updated_at (spec), today);
  body = g_bytes_get_data (lean_spec_get_contents (spec), NULL);
  g_assert_true (g_str_has_prefix (body, expected_head));

  /* A template named in config.json is used; title defaults from the name. */
  write_file (tmp, ".lean-spec/config.json", "{ \"template\": \"mine.md\" }", -1);
  write_file (tmp, ".lean-spec/templates/mine.md",
              "---\nstatus: planned\ncreated: '{date}'\n---\n\n# {name}\n\n"
              "Custom {priority}.\n- [ ] one\n", -1);
  g_clear_object (&project);
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  spec2 = lean_project_create_spec (project, "other-thing", NULL, LEAN_SPEC_PRIORITY_NONE, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_spec_get_id (spec2), ==, "009-other-thing");
  g_assert_cmpstr (lean_spec_get_title (spec2), ==, "Other Thing");
  g_assert_cmpint (lean_spec_get_priority (spec2), ==, LEAN_SPEC_PRIORITY_MEDIUM);
  g_assert_cmpstr (lean_spec_get_body (spec2), ==,
                   "\n# Other Thing\n\nCustom medium.\n- [ ] one\n");
  g_assert_null (lean_spec_get_field (spec2, "tags"));

  /* Bad names are refused. */
  g_assert_null (lean_project_create_spec (project, "../evil", NULL, 0, NULL, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (lean_project_create_spec (project, "", NULL, 0, NULL, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* A missing configured template is reported. */
  write_file (tmp, ".lean-spec/config.json", "{ \"template\": \"gone.md\" }", -1);
  g_clear_object (&project);
  project = lean_project_open (tmp, &error);
  g_assert_null (lean_project_create_spec (project, "x", NULL, 0, NULL, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gone.md"));

  test_util_rm_rf (tmp);
}

static char *
copy_corpus (void)
{
  const char *src_root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *corpus = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *dest = NULL;

  if (src_root == NULL)
    return NULL;
  corpus = g_build_filename (src_root, "..", "shared", "corpus", "lean-spec", NULL);
  if (!g_file_test (corpus, G_FILE_TEST_IS_DIR))
    return NULL;

  tmp = make_tmp ();
  dest = g_build_filename (tmp, "lean-spec", NULL);
  test_util_copy_tree (corpus, dest);
  return g_steal_pointer (&tmp);
}

static void
test_corpus (void)
{
  g_autofree char *tmp = copy_corpus ();
  g_autofree char *root = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  guint n_complete = 0;
  guint n_archived_status = 0;
  guint n_parent = 0;
  guint n_titled = 0;

  if (tmp == NULL)
    {
      g_test_skip ("shared corpus not found beside the source tree (../shared/corpus/lean-spec)");
      return;
    }
  root = g_build_filename (tmp, "lean-spec", NULL);

  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, &problems, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s: %s", lean_spec_problem_get_rel_path (g_ptr_array_index (problems,
      i)),
                    lean_spec_problem_get_reason (g_ptr_array_index (problems, i)));
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (specs->len, ==, 304);

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);

      g_assert_cmpint (lean_spec_get_status (spec), !=, LEAN_SPEC_STATUS_NONE);
      n_complete += lean_spec_get_status (spec) == LEAN_SPEC_STATUS_COMPLETE;
      n_archived_status += lean_spec_get_status (spec) == LEAN_SPEC_STATUS_ARCHIVED;
      n_parent += lean_spec_get_parent (spec) != NULL;
      n_titled += !g_str_equal (lean_spec_get_title (spec), lean_spec_get_id (spec));
      /* The one spec without a "# " heading: LeanSpec also titles it by id. */
      if (g_str_equal (lean_spec_get_id (spec), "198-ui-vite-remaining-issues"))
        g_assert_cmpstr (lean_spec_get_title (spec), ==, "198-ui-vite-remaining-issues");
    }
  g_test_message ("corpus: %u specs, %u complete, %u archived, %u with parent, %u titled",
                  specs->len, n_complete, n_archived_status, n_parent, n_titled);
  g_assert_cmpuint (n_complete + n_archived_status, >, 200);
  g_assert_cmpuint (n_parent, >, 0);
  g_assert_cmpuint (n_titled, ==, specs->len - 1);
  g_assert_cmpuint (lean_project_next_number (project), ==,
                    lean_spec_get_number (g_ptr_array_index (specs, specs->len - 1)) + 1);

  test_util_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/project/open", test_open);
  g_test_add_func ("/project/scan", test_scan);
  g_test_add_func ("/project/cancel", test_cancel);
  g_test_add_func ("/project/create", test_create);
  g_test_add_func ("/project/corpus", test_corpus);
  return g_test_run ();
}
