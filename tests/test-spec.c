/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-spec.h"

static LeanSpec *
spec_from (const char *dir,
           const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  LeanSpec *spec = lean_spec_new_from_bytes ("/proj", dir, bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (spec);
  return spec;
}

static void
test_fields (void)
{
  const char *text =
    "---\n"
    "status: in_progress\n"
    "priority: urgent\n"
    "tags: [ui, cli]\n"
    "depends_on: 001-base\n"
    "parent: 010-umbrella\n"
    "assignee: dev1\n"
    "created_at: 2025-06-01T10:00:00.000Z\n"
    "updated_at: 2025-06-02T11:30:00.000Z\n"
    "custom: hello\n"
    "links:\n"
    "- a\n"
    "- b\n"
    "transitions:\n"
    "- status: in-progress\n"
    "  at: 2025-06-02T11:30:00.000Z\n"
    "---\n"
    "\n"
    "Intro text.\n"
    "\n"
    "# The Title ##\n"
    "\n"
    "# Second heading\n";
  g_autoptr(LeanSpec) spec = spec_from ("/proj/specs/042-my-thing", text);
  g_auto(GStrv) names = lean_spec_dup_field_names (spec);
  g_auto(GStrv) links = lean_spec_dup_field_list (spec, "links");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  const char *status = NULL;
  const char *at = NULL;

  g_assert_cmpstr (lean_spec_get_id (spec), ==, "042-my-thing");
  g_assert_cmpuint (lean_spec_get_number (spec), ==, 42);
  g_assert_cmpstr (lean_spec_get_slug (spec), ==, "my-thing");
  g_assert_cmpstr (lean_spec_get_title (spec), ==, "The Title");
  g_assert_cmpint (lean_spec_get_status (spec), ==, LEAN_SPEC_STATUS_IN_PROGRESS);
  g_assert_cmpint (lean_spec_get_priority (spec), ==, LEAN_SPEC_PRIORITY_CRITICAL);
  g_assert_cmpstrv (lean_spec_get_tags (spec), ((const char *[]) { "ui", "cli", NULL }));
  g_assert_cmpstrv (lean_spec_get_depends_on (spec), ((const char *[]) { "001-base", NULL }));
  g_assert_cmpstr (lean_spec_get_parent (spec), ==, "010-umbrella");
  g_assert_cmpstr (lean_spec_get_assignee (spec), ==, "dev1");
  g_assert_cmpstr (lean_spec_get_created (spec), ==, "2025-06-01T10:00:00.000Z");
  g_assert_cmpstr (lean_spec_get_updated_at (spec), ==, "2025-06-02T11:30:00.000Z");
  g_assert_null (lean_spec_get_completed_at (spec));
  g_assert_cmpstr (lean_spec_get_field (spec, "custom"), ==, "hello");
  g_assert_cmpstr (lean_spec_get_field (spec, "links"), ==, "a, b");
  g_assert_cmpstrv (links, ((const char *[]) { "a", "b", NULL }));
  g_assert_null (lean_spec_get_field (spec, "nope"));
  g_assert_cmpuint (g_strv_length (names), ==, 11);
  g_assert_cmpstr (names[8], ==, "custom");

  g_assert_cmpuint (lean_spec_get_n_transitions (spec), ==, 1);
  g_assert_true (lean_spec_get_transition (spec, 0, &status, &at));
  g_assert_cmpstr (status, ==, "in-progress");
  g_assert_cmpstr (at, ==, "2025-06-02T11:30:00.000Z");
  g_assert_false (lean_spec_get_transition (spec, 1, NULL, NULL));

  g_assert_cmpstr (lean_spec_get_content_hash (spec), ==, hash);
  g_assert_cmpuint (lean_spec_get_body_line (spec), ==, 18);
  g_assert_true (g_str_has_prefix (lean_spec_get_body (spec), "\nIntro text."));
  g_assert_cmpstr (lean_spec_get_rel_path (spec), ==, "specs/042-my-thing/README.md");
  g_assert_cmpstr (lean_spec_get_readme_path (spec), ==, "/proj/specs/042-my-thing/README.md");
  g_assert_false (lean_spec_is_archived (spec));
  g_assert_cmpstrv (lean_spec_get_sub_specs (spec), ((const char *[]) { NULL }));
}

static void
test_title_fallback_and_archived (void)
{
  g_autoptr(LeanSpec) spec = spec_from ("/proj/specs/archived/007-old",
                                        "---\nstatus: complete\n---\n"
                                        "```\n# not a title\n```\n"
                                        "## Sub heading only\n");
  g_autoptr(LeanSpec) spec2 = spec_from ("/proj/specs/008-x",
                                         "---\nstatus: archived\n---\n#NoSpace\n");
  g_autoptr(LeanSpec) spec3 = spec_from ("/proj/specs/009-x",
                                         "---\nstatus: bogus\npriority: p1\n---\n"
                                         "# #\n# C# tips #\n");

  g_assert_cmpstr (lean_spec_get_title (spec), ==, "007-old");
  g_assert_true (lean_spec_is_archived (spec));
  g_assert_cmpint (lean_spec_get_status (spec), ==, LEAN_SPEC_STATUS_COMPLETE);

  g_assert_cmpstr (lean_spec_get_title (spec2), ==, "008-x");
  g_assert_true (lean_spec_is_archived (spec2));

  /* Unknown values are kept as text but read as "none". */
  g_assert_cmpint (lean_spec_get_status (spec3), ==, LEAN_SPEC_STATUS_NONE);
  g_assert_cmpint (lean_spec_get_priority (spec3), ==, LEAN_SPEC_PRIORITY_NONE);
  g_assert_cmpstr (lean_spec_get_field (spec3, "status"), ==, "bogus");
  g_assert_cmpstr (lean_spec_get_title (spec3), ==, "C# tips");
}

static void
test_nulls (void)
{
  g_autoptr(LeanSpec) spec = spec_from ("/proj/specs/050-n",
                                        "---\nstatus: planned\nassignee: ~\nparent: null\n"
                                        "tags: NULL\ndepends_on: [a, null, '', \"~\"]\n"
                                        "completed_at:\n---\n");

  g_assert_null (lean_spec_get_assignee (spec));
  g_assert_null (lean_spec_get_parent (spec));
  g_assert_null (lean_spec_get_completed_at (spec));
  g_assert_cmpstrv (lean_spec_get_tags (spec), ((const char *[]) { NULL }));
  /* A quoted "~" is a string, not null. */
  g_assert_cmpstrv (lean_spec_get_depends_on (spec), ((const char *[]) { "a", "~", NULL }));
}

static void
test_tasks (void)
{
  const char *text =
    "---\r\n"
    "status: planned\r\n"
    "---\r\n"
    "# T\r\n"
    "- [ ] open one\r\n"
    "- [x] done one\r\n"
    "* [X] done star\r\n"
    "  + [ ] nested plus\r\n"
    "1. [ ] numbered\r\n"
    "2) [x] numbered paren\r\n"
    "```md\r\n"
    "- [ ] in a fence\r\n"
    "````\r\n"
    "- [ ] still fenced? no, ``` closes with 4 too\r\n"
    "~~~\r\n"
    "- [x] tilde fenced\r\n"
    "~~~\r\n"
    "- [] not a task\r\n"
    "-[ ] not a task\r\n"
    "- [ ]no space\r\n"
    "- [ ]\r\n";
  g_autoptr(LeanSpec) spec = spec_from ("/proj/specs/001-t", text);
  guint line = 0;
  gboolean checked = TRUE;
  const char *task_text = NULL;

  g_assert_cmpuint (lean_spec_get_n_tasks (spec), ==, 8);
  g_assert_cmpuint (lean_spec_get_n_checked (spec), ==, 3);
  g_assert_cmpuint (lean_spec_get_n_unchecked (spec), ==, 5);

  g_assert_true (lean_spec_get_task (spec, 0, &line, &checked, &task_text));
  g_assert_cmpuint (line, ==, 5);
  g_assert_false (checked);
  g_assert_cmpstr (task_text, ==, "open one");

  g_assert_true (lean_spec_get_task (spec, 6, &line, &checked, &task_text));
  g_assert_cmpuint (line, ==, 14);
  g_assert_cmpstr (task_text, ==, "still fenced? no, ``` closes with 4 too");

  g_assert_true (lean_spec_get_task (spec, 7, &line, &checked, &task_text));
  g_assert_cmpuint (line, ==, 21);
  g_assert_cmpstr (task_text, ==, "");
}

static void
test_errors (void)
{
  struct { const char *text; gsize len; const char *needle; } cases[] = {
    { "", 0, "empty" },
    { "---\nstatus: planned\n", (gsize)-1, "never closed" },
    { "---\nstatus: [planned\n---\n", (gsize)-1, "not valid YAML" },
    { "---\nstatus: planned\n---\n\xc3\x28\n", (gsize)-1, "UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = cases[i].len == (gsize)-1 ? strlen (cases[i].text) : cases[i].len;
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].text, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanSpec) spec = lean_spec_new_from_bytes ("/p", "/p/specs/001-x", bytes, &error);

      g_assert_null (spec);
      g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static void
test_from_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-spec-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (tmp, "specs", "012-sub", NULL);
  g_autofree char *readme = g_build_filename (dir, "README.md", NULL);
  g_autofree char *design = g_build_filename (dir, "DESIGN.md", NULL);
  g_autofree char *impl = g_build_filename (dir, "IMPLEMENTATION.md", NULL);
  g_autofree char *notmd = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(LeanSpec) spec = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (readme, "---\nstatus: draft\n---\n# Sub\n", -1, NULL));
  g_assert_true (g_file_set_contents (design, "# D\n", -1, NULL));
  g_assert_true (g_file_set_contents (impl, "# I\n", -1, NULL));
  g_assert_true (g_file_set_contents (notmd, "x\n", -1, NULL));

  spec = lean_spec_new_from_dir (tmp, dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_spec_get_status (spec), ==, LEAN_SPEC_STATUS_DRAFT);
  g_assert_cmpstrv (lean_spec_get_sub_specs (spec),
                    ((const char *[]) { "DESIGN.md", "IMPLEMENTATION.md", NULL }));
  g_assert_cmpstr (lean_spec_get_rel_path (spec), ==, "specs/012-sub/README.md");

  g_unlink (readme);
  g_clear_object (&spec);
  spec = lean_spec_new_from_dir (tmp, dir, &error);
  g_assert_null (spec);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);

  g_unlink (design);
  g_unlink (impl);
  g_unlink (notmd);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
  dir = g_build_filename (tmp, "specs", NULL);
  g_rmdir (dir);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spec/fields", test_fields);
  g_test_add_func ("/spec/title-fallback-archived", test_title_fallback_and_archived);
  g_test_add_func ("/spec/nulls", test_nulls);
  g_test_add_func ("/spec/tasks", test_tasks);
  g_test_add_func ("/spec/errors", test_errors);
  g_test_add_func ("/spec/from-dir", test_from_dir);
  return g_test_run ();
}
