/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-project.h"
#include "lean-spec-writer.h"
#include "test-util.h"

typedef struct
{
  char *tmp;
  LeanProject *project;
} Fixture;

static char *
read_file (LeanSpec *spec)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (lean_spec_get_readme_path (spec), &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("test-writer-XXXXXX", &error);
  g_assert_no_error (error);
  test_util_write_file (f->tmp, "specs/.keep", "");
  f->project = lean_project_open (f->tmp, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->project);
  test_util_rm_rf (f->tmp);
  g_free (f->tmp);
}

static LeanSpec *
load (Fixture    *f,
      const char *id)
{
  g_autofree char *dir = g_build_filename (f->tmp, "specs", id, NULL);
  g_autoptr(GError) error = NULL;
  LeanSpec *spec = lean_spec_new_from_dir (f->tmp, dir, &error);

  g_assert_no_error (error);
  return spec;
}

/* Only temp files of our own would be left over: there must be none. */
static void
assert_no_temp_files (LeanSpec *spec)
{
  g_autoptr(GDir) dir = g_dir_open (lean_spec_get_dir (spec), 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, ".README.md."));
}

static const char *leanspec_like =
  "---\n"
  "status: planned\n"
  "created: 2026-01-30\n"
  "priority: high\n"
  "tags:\n"
  "- refactoring\n"
  "- ui\n"
  "parent: 259-technical-debt-refactoring # umbrella\n"
  "created_at: 2026-01-30T09:19:24.223247Z\n"
  "updated_at: 2026-01-30T09:19:24.223247Z\n"
  "---\n"
  "\n"
  "# UI Component Deduplication\n"
  "\n"
  "- [x] done\n"
  "- [ ] open item\n";

static void
test_status_transitions (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(LeanSpec) s2 = NULL;
  g_autoptr(LeanSpec) s3 = NULL;
  g_autoptr(LeanSpec) s4 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *on_disk = NULL;
  g_autoptr(GRegex) ts = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z$", 0,
                                      0, NULL);
  const char *t1, *t2, *t4;

  test_util_write_file (f->tmp, "specs/260-ui-dedup/README.md", leanspec_like);
  spec = load (f, "260-ui-dedup");

  s1 = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_spec_get_status (s1), ==, LEAN_SPEC_STATUS_IN_PROGRESS);
  t1 = lean_spec_get_updated_at (s1);
  g_assert_true (g_regex_match (ts, t1, 0, NULL));

  /* The whole file: only status, updated_at and the new transitions changed,
   * laid out as `leanspec update --status` lays them out. */
  expected = g_strdup_printf ("---\n"
                              "status: in-progress\n"
                              "created: 2026-01-30\n"
                              "priority: high\n"
                              "tags:\n"
                              "- refactoring\n"
                              "- ui\n"
                              "parent: 259-technical-debt-refactoring # umbrella\n"
                              "created_at: 2026-01-30T09:19:24.223247Z\n"
                              "updated_at: %s\n"
                              "transitions:\n"
                              "- status: in-progress\n"
                              "  at: %s\n"
                              "---\n"
                              "\n"
                              "# UI Component Deduplication\n"
                              "\n"
                              "- [x] done\n"
                              "- [ ] open item\n", t1, t1);
  on_disk = read_file (s1);
  g_assert_cmpstr (on_disk, ==, expected);
  g_assert_cmpuint (lean_spec_get_n_transitions (s1), ==, 1);
  assert_no_temp_files (s1);

  /* First time complete: completed_at right after updated_at. */
  s2 = lean_spec_writer_set_status (s1, LEAN_SPEC_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  t2 = lean_spec_get_updated_at (s2);
  g_assert_cmpstr (lean_spec_get_completed_at (s2), ==, t2);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&on_disk, g_free);
  expected = g_strdup_printf ("---\n"
                              "status: complete\n"
                              "created: 2026-01-30\n"
                              "priority: high\n"
                              "tags:\n"
                              "- refactoring\n"
                              "- ui\n"
                              "parent: 259-technical-debt-refactoring # umbrella\n"
                              "created_at: 2026-01-30T09:19:24.223247Z\n"
                              "updated_at: %s\n"
                              "completed_at: %s\n"
                              "transitions:\n"
                              "- status: in-progress\n"
                              "  at: %s\n"
                              "- status: complete\n"
                              "  at: %s\n"
                              "---\n"
                              "\n"
                              "# UI Component Deduplication\n"
                              "\n"
                              "- [x] done\n"
                              "- [ ] open item\n", t2, t2, t1, t2);
  on_disk = read_file (s2);
  g_assert_cmpstr (on_disk, ==, expected);

  /* Reopened and completed again: completed_at keeps the first time. */
  s3 = lean_spec_writer_set_status (s2, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_no_error (error);
  s4 = lean_spec_writer_set_status (s3, LEAN_SPEC_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  t4 = lean_spec_get_updated_at (s4);
  g_assert_cmpstr (lean_spec_get_completed_at (s4), ==, t2);
  g_assert_cmpstr (t4, !=, t2);
  g_assert_cmpuint (lean_spec_get_n_transitions (s4), ==, 4);

  /* Setting the same status again writes nothing. */
  {
    g_autoptr(LeanSpec) same = lean_spec_writer_set_status (s4, LEAN_SPEC_STATUS_COMPLETE, &error);
    g_assert_no_error (error);
    g_assert_true (same == s4);
  }
}

static void
test_crlf_comments_legacy (Fixture       *f,
                           gconstpointer  data)
{
  const char *text =
    "\xef\xbb\xbf---\r\n"
    "# keep this comment\r\n"
    "status: archived   # was done\r\n"
    "created: 2025-10-31\r\n"
    "tags: [typescript, cli]\r\n"
    "priority: 'high'\r\n"
    "---\r\n"
    "\r\n"
    "# typescript-cli-migration\r\n";
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(LeanSpec) s2 = NULL;
  g_autoptr(LeanSpec) s3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *on_disk = NULL;
  const char *t;
  const char *tags[] = { "typescript", "cli", "desktop", NULL };

  test_util_write_file (f->tmp, "specs/001-typescript-cli-migration/README.md", text);
  spec = load (f, "001-typescript-cli-migration");

  s1 = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  t = lean_spec_get_updated_at (s1);
  expected = g_strdup_printf ("\xef\xbb\xbf---\r\n"
                              "# keep this comment\r\n"
                              "status: complete   # was done\r\n"
                              "created: 2025-10-31\r\n"
                              "tags: [typescript, cli]\r\n"
                              "priority: 'high'\r\n"
                              "updated_at: %s\r\n"
                              "completed_at: %s\r\n"
                              "transitions:\r\n"
                              "- status: complete\r\n"
                              "  at: %s\r\n"
                              "---\r\n"
                              "\r\n"
                              "# typescript-cli-migration\r\n", t, t, t);
  on_disk = read_file (s1);
  g_assert_cmpstr (on_disk, ==, expected);

  s2 = lean_spec_writer_set_priority (s1, LEAN_SPEC_PRIORITY_LOW, &error);
  g_assert_no_error (error);
  s3 = lean_spec_writer_set_tags (s2, tags, &error);
  g_assert_no_error (error);
  g_clear_pointer (&on_disk, g_free);
  on_disk = read_file (s3);
  g_assert_nonnull (strstr (on_disk, "priority: 'low'\r\n"));
  g_assert_nonnull (strstr (on_disk, "tags: [typescript, cli, desktop]\r\n"));
  g_assert_cmpstrv (lean_spec_get_tags (s3), tags);
  /* Still CRLF everywhere. */
  for (const char *p = on_disk; (p = strchr (p, '\n')) != NULL; p++)
    g_assert_cmpint (p[-1], ==, '\r');
}

static void
test_assignee (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(LeanSpec) s2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *on_disk = NULL;
  g_autofree char *expected = NULL;

  test_util_write_file (f->tmp, "specs/002-a/README.md", "---\nstatus: planned\ntags:\n- x\n---\nbody\n");
  spec = load (f, "002-a");
  s1 = lean_spec_writer_set_assignee (spec, "Ann Lee", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lean_spec_get_assignee (s1), ==, "Ann Lee");
  on_disk = read_file (s1);
  expected = g_strdup_printf ("---\nstatus: planned\ntags:\n- x\nassignee: Ann Lee\n"
                              "updated_at: %s\n---\nbody\n",
                              lean_spec_get_updated_at (s1));
  g_assert_cmpstr (on_disk, ==, expected);

  s2 = lean_spec_writer_set_assignee (s1, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (lean_spec_get_assignee (s2));
  g_clear_pointer (&on_disk, g_free);
  g_clear_pointer (&expected, g_free);
  on_disk = read_file (s2);
  expected = g_strdup_printf ("---\nstatus: planned\ntags:\n- x\nupdated_at: %s\n---\nbody\n",
                              lean_spec_get_updated_at (s2));
  g_assert_cmpstr (on_disk, ==, expected);
}

static void
test_changed_on_disk (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *on_disk = NULL;
  const char *edited = "---\nstatus: planned\npriority: low\n---\n# Edited by someone else\n";

  test_util_write_file (f->tmp, "specs/003-race/README.md", leanspec_like);
  spec = load (f, "003-race");
  test_util_write_file (f->tmp, "specs/003-race/README.md", edited);

  s1 = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_null (s1);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_assert_nonnull (strstr (error->message, "changed on disk"));
  g_clear_error (&error);
  on_disk = read_file (spec);
  g_assert_cmpstr (on_disk, ==, edited);

  g_assert_null (lean_spec_writer_set_priority (spec, LEAN_SPEC_PRIORITY_LOW, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_clear_error (&error);
  g_assert_null (lean_spec_writer_set_task (spec, NULL, 16, TRUE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_clear_error (&error);

  /* Removed underneath us: refused as well. */
  g_unlink (lean_spec_get_readme_path (spec));
  g_assert_null (lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_DRAFT, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_assert_false (g_file_test (lean_spec_get_readme_path (spec), G_FILE_TEST_EXISTS));
}

static void
test_complete_refusal (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(LeanSpec) parent = NULL;
  g_autoptr(LeanSpec) done = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  test_util_write_file (f->tmp, "specs/010-umbrella/README.md",
              "---\nstatus: in-progress\n---\n# Umbrella\n- [x] a\n- [ ] write the docs\n"
              "```\n- [ ] fenced, not counted\n```\n");
  test_util_write_file (f->tmp, "specs/011-child/README.md",
              "---\nstatus: planned\nparent: 010-umbrella\n---\n# C\n");
  test_util_write_file (f->tmp, "specs/012-child/README.md",
              "---\nstatus: complete\nparent: 010-umbrella\n---\n# C\n");
  specs = lean_project_load_specs (f->project, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (specs->len, ==, 3);
  parent = g_object_ref (g_ptr_array_index (specs, 0));
  before = read_file (parent);

  g_assert_null (lean_spec_writer_complete (f->project, specs, parent, FALSE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE);
  g_test_message ("refusal: %s", error->message);
  g_assert_nonnull (strstr (error->message, "1 open checklist item"));
  g_assert_nonnull (strstr (error->message, "line 6: write the docs"));
  g_assert_nonnull (strstr (error->message, "011-child: planned"));
  g_assert_null (strstr (error->message, "012-child"));
  g_assert_null (strstr (error->message, "fenced"));
  g_clear_error (&error);
  after = read_file (parent);
  g_assert_cmpstr (before, ==, after);

  done = lean_spec_writer_complete (f->project, specs, parent, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lean_spec_get_status (done), ==, LEAN_SPEC_STATUS_COMPLETE);
  g_assert_nonnull (lean_spec_get_completed_at (done));
}

static void
test_set_task (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(LeanSpec) s2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *design = NULL;
  g_autofree char *design_path = NULL;
  guint line;

  test_util_write_file (f->tmp, "specs/020-tasks/README.md", leanspec_like);
  test_util_write_file (f->tmp, "specs/020-tasks/DESIGN.md", "# D\n\n* [ ] design task\n");
  spec = load (f, "020-tasks");
  before = read_file (spec);
  g_assert_true (lean_spec_get_task (spec, 1, &line, NULL, NULL));
  g_assert_cmpuint (line, ==, 16);

  s1 = lean_spec_writer_set_task (spec, "README.md", line, TRUE, &error);
  g_assert_no_error (error);
  after = read_file (s1);
  g_assert_cmpuint (strlen (before), ==, strlen (after));
  for (gsize i = 0, n = 0; before[i]; i++)
    if (before[i] != after[i])
      {
        g_assert_cmpuint (++n, ==, 1);
        g_assert_cmpint (before[i], ==, ' ');
        g_assert_cmpint (after[i], ==, 'x');
      }
  g_assert_cmpuint (lean_spec_get_n_unchecked (s1), ==, 0);

  /* Not a task line */
  g_assert_null (lean_spec_writer_set_task (s1, NULL, 13, TRUE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (lean_spec_writer_set_task (s1, NULL, 999, TRUE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* A sub-spec file. */
  s2 = lean_spec_writer_set_task (s1, "DESIGN.md", 3, TRUE, &error);
  g_assert_no_error (error);
  design_path = g_build_filename (lean_spec_get_dir (s1), "DESIGN.md", NULL);
  g_file_get_contents (design_path, &design, NULL, NULL);
  g_assert_cmpstr (design, ==, "# D\n\n* [x] design task\n");
  g_assert_null (lean_spec_writer_set_task (s2, "../escape.md", 1, TRUE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
}

static void
test_replace_and_mode (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(LeanSpec) s2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bad = g_bytes_new_static ("---\nstatus: [\n---\n", 18);
  g_autofree char *now = NULL;
  struct stat st;

  test_util_write_file (f->tmp, "specs/030-undo/README.md", leanspec_like);
  spec = load (f, "030-undo");
  g_assert_cmpint (g_chmod (lean_spec_get_readme_path (spec), 0600), ==, 0);

  s1 = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_DRAFT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (lean_spec_get_readme_path (s1), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Undo: the old bytes come back exactly. */
  s2 = lean_spec_writer_replace (s1, lean_spec_get_contents (spec), &error);
  g_assert_no_error (error);
  now = read_file (s2);
  g_assert_cmpstr (now, ==, leanspec_like);
  g_assert_cmpstr (lean_spec_get_content_hash (s2), ==, lean_spec_get_content_hash (spec));
  assert_no_temp_files (s2);

  /* A stale snapshot cannot undo over a newer file. */
  g_assert_null (lean_spec_writer_replace (s1, lean_spec_get_contents (spec), &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_clear_error (&error);

  /* Contents that would not parse are refused before anything is written. */
  g_assert_null (lean_spec_writer_replace (s2, bad, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  g_clear_pointer (&now, g_free);
  now = read_file (s2);
  g_assert_cmpstr (now, ==, leanspec_like);
}

static void
test_no_front_matter (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *on_disk = NULL;
  const char *t;

  test_util_write_file (f->tmp, "specs/040-bare/README.md", "# Bare spec\n\nJust text.\n");
  spec = load (f, "040-bare");
  g_assert_cmpint (lean_spec_get_status (spec), ==, LEAN_SPEC_STATUS_NONE);
  g_assert_cmpstr (lean_spec_get_title (spec), ==, "Bare spec");

  g_assert_null (lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_NONE, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  s1 = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_PLANNED, &error);
  g_assert_no_error (error);
  t = lean_spec_get_updated_at (s1);
  expected = g_strdup_printf ("---\nstatus: planned\nupdated_at: %s\ntransitions:\n"
                              "- status: planned\n  at: %s\n---\n# Bare spec\n\n"
                              "Just text.\n", t, t);
  on_disk = read_file (s1);
  g_assert_cmpstr (on_disk, ==, expected);
  g_assert_cmpuint (lean_spec_get_body_line (s1), ==, 8);
}

static void
test_symlinked_readme (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *target = g_build_filename (f->tmp, "shared-readme.md", NULL);
  g_autofree char *link = NULL;
  g_autofree char *on_disk = NULL;
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(LeanSpec) s1 = NULL;
  g_autoptr(GError) error = NULL;

  test_util_write_file (f->tmp, "shared-readme.md", leanspec_like);
  test_util_write_file (f->tmp, "specs/050-linked/.keep", "");
  link = g_build_filename (f->tmp, "specs", "050-linked", "README.md", NULL);
  g_assert_cmpint (symlink (target, link), ==, 0);

  spec = load (f, "050-linked");
  s1 = lean_spec_writer_set_priority (spec, LEAN_SPEC_PRIORITY_LOW, &error);
  g_assert_no_error (error);

  /* The link is still a link, and the file it points to has the change. */
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_file_get_contents (target, &on_disk, NULL, NULL);
  g_assert_nonnull (strstr (on_disk, "priority: low\n"));
  g_assert_cmpint (lean_spec_get_priority (s1), ==, LEAN_SPEC_PRIORITY_LOW);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/spec-writer/status-transitions", test_status_transitions);
  ADD ("/spec-writer/crlf-comments-legacy", test_crlf_comments_legacy);
  ADD ("/spec-writer/assignee", test_assignee);
  ADD ("/spec-writer/changed-on-disk", test_changed_on_disk);
  ADD ("/spec-writer/complete-refusal", test_complete_refusal);
  ADD ("/spec-writer/set-task", test_set_task);
  ADD ("/spec-writer/replace-and-mode", test_replace_and_mode);
  ADD ("/spec-writer/no-front-matter", test_no_front_matter);
  ADD ("/spec-writer/symlinked-readme", test_symlinked_readme);
#undef ADD
  return g_test_run ();
}
