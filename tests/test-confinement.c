/* SPDX-License-Identifier: MIT */
/* Hostile projects against the core: files linked out of the project, huge
 * and special files, escaping config paths, deep nesting. Real files, real
 * symlinks, real FIFOs in temp dirs. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-frontmatter.h"
#include "lean-project.h"
#include "lean-prompt.h"
#include "lean-spec-problem.h"
#include "lean-spec-store.h"
#include "lean-spec-writer.h"
#include "lean-spec.h"

#include "test-util.h"

static const char readme[] =
  "---\nstatus: planned\ncreated: '2026-01-01'\n---\n\n# Plain\n\nBody.\n";

static char *
make_project (void)
{
  char *root = test_util_make_tmp_dir ();

  test_util_write_file (root, ".lean-spec/config.json", "{}");
  test_util_write_file (root, "specs/001-plain/README.md", readme);
  return root;
}

static void
symlink_or_fail (const char *target,
                 const char *root,
                 const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Loads @root and returns the reason of the problem at @rel (or NULL when
 * there is none), asserting the load itself worked. */
static char *
problem_reason (const char *root,
                const char *rel,
                GPtrArray **specs_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = lean_project_open (root, &error);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  g_assert_no_error (error);
  specs = lean_project_load_specs (project, &problems, NULL, &error);
  g_assert_no_error (error);
  if (specs_out != NULL)
    *specs_out = g_ptr_array_ref (specs);
  for (guint i = 0; i < problems->len; i++)
    {
      LeanSpecProblem *p = g_ptr_array_index (problems, i);

      if (g_str_equal (lean_spec_problem_get_rel_path (p), rel))
        return g_strdup (lean_spec_problem_get_reason (p));
    }
  return NULL;
}

static gboolean
specs_contain (GPtrArray  *specs,
               const char *id)
{
  for (guint i = 0; i < specs->len; i++)
    if (g_str_equal (lean_spec_get_id (g_ptr_array_index (specs, i)), id))
      return TRUE;
  return FALSE;
}

static void
test_readme_linked_out (gconstpointer data)
{
  g_autofree char *root = make_project ();
  g_autofree char *reason = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  _lean_file_set_use_openat2 (GPOINTER_TO_INT (data));
  g_assert_cmpint (g_mkdir_with_parents (g_build_filename (root, "specs/002-evil", NULL), 0755),
                   ==, 0);
  symlink_or_fail ("/etc/passwd", root, "specs/002-evil/README.md");

  reason = problem_reason (root, "specs/002-evil/README.md", &specs);
  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "outside the project"));
  g_assert_false (specs_contain (specs, "002-evil"));
  g_assert_true (specs_contain (specs, "001-plain"));

  _lean_file_set_use_openat2 (TRUE);
  test_util_rm_rf (root);
}

/* A link to another file inside the project (relative or absolute) is
 * still read. */
static void
test_link_inside_is_fine (gconstpointer data)
{
  g_autofree char *root = make_project ();
  g_autofree char *shared = g_build_filename (root, "docs", "shared.md", NULL);
  g_autofree char *reason = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  _lean_file_set_use_openat2 (GPOINTER_TO_INT (data));
  test_util_write_file (root, "docs/shared.md", readme);
  g_assert_cmpint (g_mkdir_with_parents (g_build_filename (root, "specs/002-rel", NULL), 0755),
                   ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_build_filename (root, "specs/003-abs", NULL), 0755),
                   ==, 0);
  symlink_or_fail ("../../docs/shared.md", root, "specs/002-rel/README.md");
  symlink_or_fail (shared, root, "specs/003-abs/README.md");

  reason = problem_reason (root, "specs/002-rel/README.md", &specs);
  g_assert_null (reason);
  g_assert_true (specs_contain (specs, "002-rel"));
  g_assert_true (specs_contain (specs, "003-abs"));

  _lean_file_set_use_openat2 (TRUE);
  test_util_rm_rf (root);
}

static void
test_sub_spec_linked_out (gconstpointer data)
{
  const char *target = data;
  g_autofree char *root = make_project ();
  g_autofree char *reason = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSpec) spec = NULL;

  test_util_write_file (root, "specs/002-leak/README.md", readme);
  symlink_or_fail (target, root, "specs/002-leak/DESIGN.md");

  reason = problem_reason (root, "specs/002-leak/README.md", &specs);
  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "DESIGN.md is a link to"));
  g_assert_nonnull (strstr (reason, "outside the project"));
  g_assert_false (specs_contain (specs, "002-leak"));

  /* Reloading the one folder (as after an edit) refuses it too. */
  dir = g_build_filename (root, "specs", "002-leak", NULL);
  spec = lean_spec_new_from_dir (root, dir, &error);
  g_assert_null (spec);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);

  test_util_rm_rf (root);
}

/* The link appears after the scan (a git checkout between listing and
 * Implement): the prompt is refused, and names the file. */
static void
test_prompt_refuses_late_link (gconstpointer data)
{
  g_autofree char *root = make_project ();
  g_autofree char *design = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autofree char *prompt = NULL;
  LeanSpec *spec;

  _lean_file_set_use_openat2 (GPOINTER_TO_INT (data));
  test_util_write_file (root, "specs/001-plain/DESIGN.md", "harmless\n");
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);
  spec = g_ptr_array_index (specs, 0);
  g_assert_cmpstr (lean_spec_get_sub_specs (spec)[0], ==, "DESIGN.md");

  design = g_build_filename (root, "specs", "001-plain", "DESIGN.md", NULL);
  g_assert_cmpint (g_unlink (design), ==, 0);
  g_assert_cmpint (symlink ("/proc/self/environ", design), ==, 0);

  prompt = lean_prompt_build (project, specs, spec, &error);
  g_assert_null (prompt);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "outside the project"));

  _lean_file_set_use_openat2 (TRUE);
  test_util_rm_rf (root);
}

static guint64
peak_rss_kib (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

/* A 300 MB sub-spec (sparse: it costs no disk) is cut to what is sent
 * without being read whole. */
static void
test_huge_sub_spec (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *design = g_build_filename (root, "specs", "001-plain", "DESIGN.md", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autofree char *prompt = NULL;
  guint64 before, after;
  int fd;

  fd = g_open (design, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "# Design\n", 9), ==, 9);
  g_assert_cmpint (ftruncate (fd, 300 * 1024 * 1024), ==, 0);
  close (fd);

  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  specs = lean_project_load_specs (project, NULL, NULL, &error);
  g_assert_no_error (error);

  before = peak_rss_kib ();
  prompt = lean_prompt_build (project, specs, g_ptr_array_index (specs, 0), &error);
  after = peak_rss_kib ();
  g_assert_no_error (error);
  g_test_message ("peak RSS %" G_GUINT64_FORMAT " KiB -> %" G_GUINT64_FORMAT " KiB",
                  before, after);
  g_assert_nonnull (strstr (prompt, "# Design"));
  g_assert_nonnull (strstr (prompt, "(Cut at 64 KiB;"));
  g_assert_cmpuint (strlen (prompt), <, 1024 * 1024);
  g_assert_cmpuint (after - before, <, 32 * 1024);

  test_util_rm_rf (root);
}

/* A README that is a FIFO would block a plain open() forever. */
static void
test_fifo_readme (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *fifo = g_build_filename (root, "specs", "002-fifo", "README.md", NULL);
  g_autofree char *reason = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_build_filename (root, "specs/002-fifo", NULL), 0755),
                   ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  reason = problem_reason (root, "specs/002-fifo/README.md", NULL);
  /* Listed as a folder without a readable README, never hanging. */
  g_test_message ("%s", reason ? reason : "(no problem: not a spec folder)");

  test_util_rm_rf (root);
}

static void
test_huge_readme (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *path = g_build_filename (root, "specs", "002-big", "README.md", NULL);
  g_autofree char *reason = NULL;
  int fd;

  test_util_write_file (root, "specs/002-big/README.md", readme);
  fd = g_open (path, O_WRONLY, 0);
  g_assert_cmpint (ftruncate (fd, 300 * 1024 * 1024), ==, 0);
  close (fd);

  reason = problem_reason (root, "specs/002-big/README.md", NULL);
  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "more than the 16"));

  test_util_rm_rf (root);
}

static void
test_template_escape (void)
{
  g_autofree char *root = make_project ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanSpec) spec = NULL;

  test_util_write_file (root, ".lean-spec/config.json",
                        "{\"template\": \"../../../../../../../../etc/passwd\"}");
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  spec = lean_project_create_spec (project, "stolen", NULL, LEAN_SPEC_PRIORITY_NONE, NULL, &error);
  g_assert_null (spec);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "outside the project"));
  g_clear_error (&error);
  g_clear_object (&project);

  /* A template that is a link out of the project, too. */
  test_util_write_file (root, ".lean-spec/config.json", "{\"template\": \"evil.md\"}");
  g_assert_cmpint (g_mkdir_with_parents (g_build_filename (root, ".lean-spec/templates", NULL),
                                         0755), ==, 0);
  symlink_or_fail ("/etc/passwd", root, ".lean-spec/templates/evil.md");
  project = lean_project_open (root, &error);
  g_assert_no_error (error);
  spec = lean_project_create_spec (project, "stolen", NULL, LEAN_SPEC_PRIORITY_NONE, NULL, &error);
  g_assert_null (spec);
  g_assert_nonnull (strstr (error->message, "outside the project"));

  test_util_rm_rf (root);
}

static void
test_specs_dir_escape (void)
{
  const char *bad[] = { "/etc", "../..", "specs/../../x" };
  g_autofree char *root = make_project ();
  g_autofree char *outside = test_util_make_tmp_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *config = g_strdup_printf ("{\"specsDir\": \"%s\"}", bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanProject) project = NULL;

      test_util_write_file (root, ".lean-spec/config.json", config);
      project = lean_project_open (root, &error);
      g_assert_null (project);
      g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "specsDir"));
    }

  /* A specs folder that is itself a link out. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LeanProject) project = NULL;
    g_autoptr(GPtrArray) specs = NULL;

    test_util_write_file (outside, "001-x/README.md", readme);
    test_util_write_file (root, ".lean-spec/config.json", "{\"specsDir\": \"linked\"}");
    symlink_or_fail (outside, root, "linked");
    project = lean_project_open (root, &error);
    g_assert_no_error (error);
    specs = lean_project_load_specs (project, NULL, NULL, &error);
    g_assert_null (specs);
    g_assert_nonnull (strstr (error->message, "outside the project"));
  }

  test_util_rm_rf (outside);
  test_util_rm_rf (root);
}

static void
test_spec_folder_linked_out (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *outside = test_util_make_tmp_dir ();
  g_autofree char *target = g_build_filename (outside, "002-far", NULL);
  g_autofree char *reason = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  test_util_write_file (outside, "002-far/README.md", readme);
  symlink_or_fail (target, root, "specs/002-far");
  reason = problem_reason (root, "specs", &specs);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "outside the project"));
  g_assert_false (specs_contain (specs, "002-far"));

  test_util_rm_rf (outside);
  test_util_rm_rf (root);
}

static char *
deep (const char *open,
      guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, open);
  return g_string_free (s, FALSE);
}

static void
test_deep_front_matter (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *brackets = deep ("[", 60000);
  g_autofree char *text = g_strdup_printf ("---\nstatus: planned\nx: %s\n---\n# Deep\n", brackets);
  g_autofree char *reason = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanFrontmatter) fm = NULL;
  GString *block = g_string_new ("---\nstatus: planned\n");
  g_autoptr(GBytes) block_bytes = NULL;

  fm = lean_frontmatter_parse (bytes, &error);
  g_assert_null (fm);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "64 levels"));
  g_clear_error (&error);

  /* Block style, 100 levels of mappings. */
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (block, "%*sk%u:\n", (int)i, "", i);
  g_string_append (block, "---\n");
  block_bytes = g_string_free_to_bytes (block);
  fm = lean_frontmatter_parse (block_bytes, &error);
  g_assert_null (fm);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  g_clear_error (&error);

  /* 63 levels under the root still parse. */
  {
    g_autofree char *ok_open = deep ("[", 63);
    g_autofree char *ok_close = deep ("]", 63);
    g_autofree char *ok = g_strdup_printf ("---\nx: %s%s\n---\n", ok_open, ok_close);
    g_autoptr(GBytes) ok_bytes = g_bytes_new (ok, strlen (ok));
    g_autoptr(LeanFrontmatter) ok_fm = lean_frontmatter_parse (ok_bytes, &error);

    g_assert_no_error (error);
    g_assert_nonnull (ok_fm);
  }

  test_util_write_file (root, "specs/002-deep/README.md", text);
  reason = problem_reason (root, "specs/002-deep/README.md", NULL);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "64 levels"));

  test_util_rm_rf (root);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_assert_true (lean_spec_store_load_finish (LEAN_SPEC_STORE (source), result, NULL));
  *(gboolean *)user_data = TRUE;
}

static gboolean
has_problem_about (GListModel *problems,
                   const char *needle)
{
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(LeanSpecProblem) p = g_list_model_get_item (problems, i);

      if (strstr (lean_spec_problem_get_reason (p), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A git pull brings a README nested 60,000 deep: the watching store
 * reloads it (on a worker thread, with a smaller stack than main) into a
 * problem, and a symlink to /etc/passwd dropped in as a sub-spec too. */
static void
test_store_reload_hostile (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *brackets = deep ("[", 60000);
  g_autofree char *text = g_strdup_printf ("---\nstatus: planned\nx: %s\n---\n# Deep\n",
                                           brackets);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = lean_project_open (root, &error);
  g_autoptr(LeanSpecStore) store = NULL;
  GListModel *problems;
  gboolean loaded = FALSE;
  gint64 deadline;

  g_assert_no_error (error);
  store = lean_spec_store_new (project);
  problems = lean_spec_store_get_problems (store);
  lean_spec_store_load_async (store, NULL, on_loaded, &loaded);
  test_util_wait_for_flag (&loaded, 10, "the first load");
  lean_spec_store_set_watching (store, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  test_util_write_file (root, "specs/001-plain/README.md", text);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!has_problem_about (problems, "64 levels") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (has_problem_about (problems, "64 levels"));

  test_util_write_file (root, "specs/001-plain/README.md", readme);
  symlink_or_fail ("/etc/passwd", root, "specs/001-plain/NOTES.md");
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!has_problem_about (problems, "outside the project") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (has_problem_about (problems, "outside the project"));

  lean_spec_store_set_watching (store, FALSE);
  while (lean_spec_store_get_loading (store))
    g_main_context_iteration (NULL, TRUE);
  test_util_rm_rf (root);
}

static void
test_deep_config (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *braces = deep ("{\"a\":", 100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanProject) project = NULL;

  test_util_write_file (root, ".lean-spec/config.json", braces);
  project = lean_project_open (root, &error);
  g_assert_null (project);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "nested deeper"));

  test_util_rm_rf (root);
}


static LeanSpec *
load_plain (const char *root)
{
  g_autofree char *dir = g_build_filename (root, "specs", "001-plain", NULL);
  g_autoptr(GError) error = NULL;
  LeanSpec *spec = lean_spec_new_from_dir (root, dir, &error);

  g_assert_no_error (error);
  return spec;
}

/* The README turns into a link to a file outside the project with the
 * same bytes (so the hash check passes): the write is refused and the
 * file outside is untouched. */
static void
test_write_through_link_out (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *outside = test_util_make_tmp_dir ();
  g_autofree char *target = g_build_filename (outside, "victim.md", NULL);
  g_autofree char *path = g_build_filename (root, "specs", "001-plain", "README.md", NULL);
  g_autoptr(LeanSpec) spec = load_plain (root);
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  test_util_write_file (outside, "victim.md", readme);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);

  fresh = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_null (fresh);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "outside the project"));
  g_assert_true (g_file_get_contents (target, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, readme);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));

  test_util_rm_rf (outside);
  test_util_rm_rf (root);
}

static void
test_write_read_only (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *path = g_build_filename (root, "specs", "001-plain", "README.md", NULL);
  g_autoptr(LeanSpec) spec = load_plain (root);
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  struct stat st;

  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  fresh = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_null (fresh);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, readme);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);

  g_chmod (path, 0644);
  test_util_rm_rf (root);
}

static void
test_write_keeps_mode_and_owner (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *path = g_build_filename (root, "specs", "001-plain", "README.md", NULL);
  g_autoptr(LeanSpec) spec = load_plain (root);
  g_autoptr(LeanSpec) fresh = NULL;
  g_autoptr(GError) error = NULL;
  gboolean can_chown = geteuid () == 0;
  struct stat before, st;

  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  if (can_chown)
    g_assert_cmpint (chown (path, geteuid (), 4242), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);

  fresh = lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_ino, !=, before.st_ino);   /* replaced, not edited */
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (st.st_uid, ==, before.st_uid);
  g_assert_cmpint (st.st_gid, ==, before.st_gid);
  if (!can_chown)
    g_test_message ("not root: the group was not changed first");

  test_util_rm_rf (root);
}

typedef struct
{
  LeanSpec *spec;
  GError   *error;
  gboolean  ok;
  gboolean  done;
} WriteJob;

static gpointer
write_in_thread (gpointer data)
{
  WriteJob *job = data;
  LeanSpec *fresh = lean_spec_writer_set_status (job->spec, LEAN_SPEC_STATUS_COMPLETE,
                                                 &job->error);

  job->ok = fresh != NULL;
  g_clear_object (&fresh);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

/* Another LeanSpec writer holds the folder's lock and changes the README
 * meanwhile: the waiting write sees the change after the lock and refuses,
 * instead of passing its check before and renaming over the change. */
static void
test_write_waits_for_lock (void)
{
  g_autofree char *root = make_project ();
  g_autofree char *dir = g_build_filename (root, "specs", "001-plain", NULL);
  g_autofree char *path = g_build_filename (dir, "README.md", NULL);
  g_autofree char *changed = g_strconcat (readme, "\nAn edit by the other writer.\n", NULL);
  g_autofree char *after = NULL;
  WriteJob job = { 0 };
  GThread *thread;
  int lock_fd;

  job.spec = load_plain (root);
  lock_fd = open (dir, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint (flock (lock_fd, LOCK_EX), ==, 0);

  thread = g_thread_new ("writer", write_in_thread, &job);
  g_usleep (200 * 1000);
  g_assert_false (g_atomic_int_get (&job.done));
  test_util_write_file (root, "specs/001-plain/README.md", changed);
  close (lock_fd);
  g_thread_join (thread);

  g_assert_false (job.ok);
  g_assert_error (job.error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, changed);

  g_clear_error (&job.error);
  g_object_unref (job.spec);
  test_util_rm_rf (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/confinement/readme-linked-out/openat2", GINT_TO_POINTER (TRUE),
                        test_readme_linked_out);
  g_test_add_data_func ("/confinement/readme-linked-out/realpath", GINT_TO_POINTER (FALSE),
                        test_readme_linked_out);
  g_test_add_data_func ("/confinement/link-inside/openat2", GINT_TO_POINTER (TRUE),
                        test_link_inside_is_fine);
  g_test_add_data_func ("/confinement/link-inside/realpath", GINT_TO_POINTER (FALSE),
                        test_link_inside_is_fine);
  g_test_add_data_func ("/confinement/sub-spec-linked-out/passwd", "/etc/passwd",
                        test_sub_spec_linked_out);
  g_test_add_data_func ("/confinement/sub-spec-linked-out/environ", "/proc/self/environ",
                        test_sub_spec_linked_out);
  g_test_add_data_func ("/confinement/prompt-late-link/openat2", GINT_TO_POINTER (TRUE),
                        test_prompt_refuses_late_link);
  g_test_add_data_func ("/confinement/prompt-late-link/realpath", GINT_TO_POINTER (FALSE),
                        test_prompt_refuses_late_link);
  g_test_add_func ("/confinement/huge-sub-spec", test_huge_sub_spec);
  g_test_add_func ("/confinement/huge-readme", test_huge_readme);
  g_test_add_func ("/confinement/fifo-readme", test_fifo_readme);
  g_test_add_func ("/confinement/template-escape", test_template_escape);
  g_test_add_func ("/confinement/specs-dir-escape", test_specs_dir_escape);
  g_test_add_func ("/confinement/spec-folder-linked-out", test_spec_folder_linked_out);
  g_test_add_func ("/write/through-link-out", test_write_through_link_out);
  g_test_add_func ("/write/read-only", test_write_read_only);
  g_test_add_func ("/write/keeps-mode-and-owner", test_write_keeps_mode_and_owner);
  g_test_add_func ("/write/waits-for-lock", test_write_waits_for_lock);
  g_test_add_func ("/depth/front-matter", test_deep_front_matter);
  g_test_add_func ("/depth/config-json", test_deep_config);
  g_test_add_func ("/depth/store-reload", test_store_reload_hostile);

  return g_test_run ();
}
