/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "lean-frontmatter.h"
#include "lean-project-private.h"
#include "lean-spec-cache.h"
#include "lean-spec-lint.h"
#include "lean-spec-problem.h"
#include "lean-spec-writer.h"
#include "lean-error.h"
#include "test-util.h"

static char *cache_dir;

static GPtrArray *
load (LeanProject *project,
      guint       *hits,
      guint       *misses)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GPtrArray *specs = lean_project_load_specs (project, &problems, NULL, &error);

  g_assert_no_error (error);
  _lean_project_get_cache_stats (project, hits, misses);
  return specs;
}

static void
assert_same_strv (const char * const *a,
                  const char * const *b)
{
  g_assert_cmpstrv (a, b);
}

/* Everything a spec offers must be the same whether it came from the cache
 * or from a parse. */
static void
assert_same_spec (LeanSpec *a,
                  LeanSpec *b)
{
  g_auto(GStrv) names_a = lean_spec_dup_field_names (a);
  g_auto(GStrv) names_b = lean_spec_dup_field_names (b);

  g_assert_cmpstr (lean_spec_get_id (a), ==, lean_spec_get_id (b));
  g_assert_cmpuint (lean_spec_get_number (a), ==, lean_spec_get_number (b));
  g_assert_cmpstr (lean_spec_get_slug (a), ==, lean_spec_get_slug (b));
  g_assert_cmpstr (lean_spec_get_title (a), ==, lean_spec_get_title (b));
  g_assert_cmpint (lean_spec_get_status (a), ==, lean_spec_get_status (b));
  g_assert_cmpint (lean_spec_get_priority (a), ==, lean_spec_get_priority (b));
  assert_same_strv (lean_spec_get_tags (a), lean_spec_get_tags (b));
  assert_same_strv (lean_spec_get_depends_on (a), lean_spec_get_depends_on (b));
  g_assert_cmpstr (lean_spec_get_parent (a), ==, lean_spec_get_parent (b));
  g_assert_cmpstr (lean_spec_get_assignee (a), ==, lean_spec_get_assignee (b));
  g_assert_cmpstr (lean_spec_get_created (a), ==, lean_spec_get_created (b));
  g_assert_cmpstr (lean_spec_get_updated_at (a), ==, lean_spec_get_updated_at (b));
  g_assert_cmpstr (lean_spec_get_completed_at (a), ==, lean_spec_get_completed_at (b));
  g_assert_cmpstr (lean_spec_get_rel_path (a), ==, lean_spec_get_rel_path (b));
  g_assert_cmpint (lean_spec_is_archived (a), ==, lean_spec_is_archived (b));
  assert_same_strv (lean_spec_get_sub_specs (a), lean_spec_get_sub_specs (b));
  g_assert_true (g_bytes_equal (lean_spec_get_contents (a), lean_spec_get_contents (b)));
  g_assert_cmpstr (lean_spec_get_content_hash (a), ==, lean_spec_get_content_hash (b));
  g_assert_cmpstr (lean_spec_get_body (a), ==, lean_spec_get_body (b));
  g_assert_cmpuint (lean_spec_get_body_line (a), ==, lean_spec_get_body_line (b));
  g_assert_cmpuint (lean_spec_get_n_checked (a), ==, lean_spec_get_n_checked (b));
  g_assert_cmpuint (lean_spec_get_n_unchecked (a), ==, lean_spec_get_n_unchecked (b));

  g_assert_cmpuint (lean_spec_get_n_tasks (a), ==, lean_spec_get_n_tasks (b));
  for (guint i = 0; i < lean_spec_get_n_tasks (a); i++)
    {
      guint la, lb;
      gboolean ca, cb;
      const char *ta, *tb;

      lean_spec_get_task (a, i, &la, &ca, &ta);
      lean_spec_get_task (b, i, &lb, &cb, &tb);
      g_assert_cmpuint (la, ==, lb);
      g_assert_cmpint (ca, ==, cb);
      g_assert_cmpstr (ta, ==, tb);
    }

  g_assert_cmpuint (lean_spec_get_n_transitions (a), ==, lean_spec_get_n_transitions (b));
  for (guint i = 0; i < lean_spec_get_n_transitions (a); i++)
    {
      const char *sa, *sb, *ata, *atb;

      lean_spec_get_transition (a, i, &sa, &ata);
      lean_spec_get_transition (b, i, &sb, &atb);
      g_assert_cmpstr (sa, ==, sb);
      g_assert_cmpstr (ata, ==, atb);
    }

  g_assert_cmpuint (lean_spec_get_tokens (a), ==, lean_spec_get_tokens (b));
  {
    g_autoptr(LeanSpecLint) la = lean_spec_lint (a, NULL);
    g_autoptr(LeanSpecLint) lb = lean_spec_lint (b, NULL);

    g_assert_cmpint (la->status, ==, lb->status);
    g_assert_cmpuint (la->issues->len, ==, lb->issues->len);
    for (guint i = 0; i < la->issues->len; i++)
      {
        const LeanLintIssue *ia = &g_array_index (la->issues, LeanLintIssue, i);
        const LeanLintIssue *ib = &g_array_index (lb->issues, LeanLintIssue, i);

        g_assert_cmpint (ia->severity, ==, ib->severity);
        g_assert_cmpint (ia->type, ==, ib->type);
        g_assert_cmpstr (ia->message, ==, ib->message);
      }
  }

  g_assert_cmpstrv (names_a, names_b);
  for (guint i = 0; names_a[i] != NULL; i++)
    g_assert_cmpstr (lean_spec_get_field (a, names_a[i]), ==, lean_spec_get_field (b, names_a[i]));
  g_assert_cmpuint (lean_frontmatter_get_n_keys (lean_spec_get_frontmatter (a)), ==,
                    lean_frontmatter_get_n_keys (lean_spec_get_frontmatter (b)));
}

static char *
copy_corpus (void)
{
  const char *src_root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *corpus = NULL;
  g_autoptr(GError) error = NULL;
  char *tmp;
  g_autofree char *dest = NULL;

  if (src_root == NULL)
    return NULL;
  corpus = g_build_filename (src_root, "..", "shared", "corpus", "lean-spec", NULL);
  if (!g_file_test (corpus, G_FILE_TEST_IS_DIR))
    return NULL;

  tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (tmp, "lean-spec", NULL);
  test_util_copy_tree (corpus, dest);
  return tmp;
}

static char *
only_cache_file (void)
{
  g_autoptr(GDir) dir = g_dir_open (cache_dir, 0, NULL);
  const char *name;
  char *found = NULL;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (cache_dir, name, NULL);
    }
  g_assert_nonnull (found);
  return found;
}

static void
assert_same_specs (GPtrArray *parsed,
                   GPtrArray *cached)
{
  g_assert_cmpuint (cached->len, ==, parsed->len);
  for (guint i = 0; i < parsed->len; i++)
    assert_same_spec (g_ptr_array_index (parsed, i), g_ptr_array_index (cached, i));
}

/* The project folder @tmp and the one cache file its loads wrote. */
static void
remove_project_and_cache (const char *tmp)
{
  g_autofree char *file = NULL;

  test_util_rm_rf (tmp);
  file = only_cache_file ();
  g_unlink (file);
}

static void
test_corpus_round_trip (void)
{
  g_autofree char *tmp = copy_corpus ();
  g_autofree char *root = NULL;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GError) error = NULL;
  guint hits, misses;

  if (tmp == NULL)
    {
      g_test_skip ("shared corpus not found beside the source tree (../shared/corpus/lean-spec)");
      return;
    }
  root = g_build_filename (tmp, "lean-spec", NULL);
  project = lean_project_open (root, &error);
  g_assert_no_error (error);

  parsed = load (project, &hits, &misses);
  g_assert_cmpuint (hits, ==, 0);
  g_assert_cmpuint (misses, ==, 304);

  cached = load (project, &hits, &misses);
  g_assert_cmpuint (hits, ==, 304);
  g_assert_cmpuint (misses, ==, 0);
  assert_same_specs (parsed, cached);

  remove_project_and_cache (tmp);
}

static void
test_changes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_autoptr(LeanProject) project = NULL;
  g_autofree char *file = NULL;
  guint hits, misses;
  const char *same = "---\nstatus: planned\n---\n\nNo heading here.\n- [ ] shared\n";

  test_util_write_file (tmp, "specs/001-a/README.md",
              "---\nstatus: planned\ntags: [x]\n---\n# A\n- [ ] one\n");
  test_util_write_file (tmp, "specs/002-b/README.md", "---\nstatus: complete\n---\n# B\n");
  /* Two folders with the very same bytes share an entry, not an id. */
  test_util_write_file (tmp, "specs/003-twin/README.md", same);
  test_util_write_file (tmp, "specs/archived/004-twin/README.md", same);
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (misses, ==, 4);
  }
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    LeanSpec *twin = g_ptr_array_index (specs, 2);
    LeanSpec *archived_twin = g_ptr_array_index (specs, 3);

    g_assert_cmpuint (hits, ==, 4);
    g_assert_cmpuint (misses, ==, 0);
    g_assert_cmpstr (lean_spec_get_title (twin), ==, "003-twin");
    g_assert_cmpstr (lean_spec_get_title (archived_twin), ==, "004-twin");
    g_assert_false (lean_spec_is_archived (twin));
    g_assert_true (lean_spec_is_archived (archived_twin));
    g_assert_cmpuint (lean_spec_get_n_unchecked (twin), ==, 1);
  }

  /* An edited file is parsed again; the others still come from the cache. */
  test_util_write_file (tmp, "specs/001-a/README.md",
              "---\nstatus: in-progress\ntags: [x, y]\n---\n# A2\n- [x] one\n");
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    LeanSpec *a = g_ptr_array_index (specs, 0);

    g_assert_cmpuint (hits, ==, 3);
    g_assert_cmpuint (misses, ==, 1);
    g_assert_cmpstr (lean_spec_get_title (a), ==, "A2");
    g_assert_cmpint (lean_spec_get_status (a), ==, LEAN_SPEC_STATUS_IN_PROGRESS);
    g_assert_cmpuint (lean_spec_get_n_checked (a), ==, 1);
  }
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (hits, ==, 4);
    g_assert_cmpuint (misses, ==, 0);
  }

  /* A damaged cache file is ignored (and replaced), never trusted. */
  file = only_cache_file ();
  {
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (file, &data, &len, NULL));
    data[len / 2] ^= 0x55;
    g_assert_true (g_file_set_contents (file, data, len, NULL));
  }
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (specs->len, ==, 4);
    g_assert_cmpuint (hits, ==, 0);
    g_assert_cmpuint (misses, ==, 4);
  }
  g_assert_true (g_file_set_contents (file, "garbage", -1, NULL));
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (specs->len, ==, 4);
    g_assert_cmpuint (misses, ==, 4);
  }
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (hits, ==, 4);
  }

  /* Turned off: nothing read, nothing counted. */
  g_setenv ("LEANSPEC_NO_CACHE", "1", TRUE);
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (specs->len, ==, 4);
  }
  g_unsetenv ("LEANSPEC_NO_CACHE");

  g_unlink (file);
  test_util_rm_rf (tmp);
}

static GPtrArray *
load_scan (LeanProject *project,
           guint       *hits,
           guint       *listed,
           guint       *unread)
{
  GPtrArray *specs = load (project, hits, NULL);

  _lean_project_get_scan_stats (project, listed, unread);
  return specs;
}

/* Rewrites @rel under @root in place (same inode) with @contents, then
 * puts its old mtime back: only the ctime tells the change. */
static void
rewrite_keeping_mtime (const char *root,
                       const char *rel,
                       const char *contents)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  struct stat before, after;
  struct timespec times[2];
  FILE *f;

  g_assert_cmpint (stat (path, &before), ==, 0);
  f = fopen (path, "r+");
  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (contents, 1, strlen (contents), f), ==, strlen (contents));
  g_assert_cmpint (fclose (f), ==, 0);
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
  g_assert_cmpint (stat (path, &after), ==, 0);
  g_assert_cmpint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (after.st_size, ==, before.st_size);
  g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
}

/* Folders and READMEs whose stamps are unchanged are neither listed nor
 * read; any change of size, times or inode, a new file in a folder, is
 * seen; the README of a spec loaded unread is checked when it is read. */
static void
test_stamps (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  guint hits, listed, unread;
  const char *a1 = "---\nstatus: planned\ntags: [x]\n---\n# A\n- [ ] one\n";
  const char *a2 = "---\nstatus: complete\ntags: [y]\n---\n# Z\n- [x] on\n";

  g_assert_cmpuint (strlen (a1), ==, strlen (a2));
  test_util_write_file (tmp, "specs/001-a/README.md", a1);
  test_util_write_file (tmp, "specs/002-b/README.md", "---\nstatus: complete\n---\n# B\n");
  test_util_write_file (tmp, "specs/archived/003-c/README.md", "---\nstatus: archived\n---\n# C\n");
  test_util_write_file (tmp, "specs/archived/003-c/DESIGN.md", "# Design\n");
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  _lean_project_set_read_on_demand (project, TRUE);

  /* Times just written are "racy": the default margin trusts none of them,
   * so every folder is listed and every README read, load after load. */
  g_unsetenv ("_LEANSPEC_CACHE_RACY_MSEC");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);

      g_assert_cmpuint (specs->len, ==, 3);
      g_assert_cmpuint (listed, ==, 5); /* specs/, archived/, three spec folders */
      g_assert_cmpuint (unread, ==, 0);
    }

  /* With no margin (and a clock tick for the times to be in the past) they
   * are trusted: the first load records them, the next one uses them. */
  g_setenv ("_LEANSPEC_CACHE_RACY_MSEC", "0", TRUE);
  g_usleep (50 * 1000);
  parsed = load_scan (project, &hits, &listed, &unread);
  g_assert_cmpuint (listed, ==, 5);
  {
    g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);

    g_assert_cmpuint (hits, ==, 3);
    g_assert_cmpuint (listed, ==, 0);
    g_assert_cmpuint (unread, ==, 3);
    /* Read on demand, each is what a parse of its file gives. */
    for (guint i = 0; i < specs->len; i++)
      assert_same_spec (g_ptr_array_index (parsed, i), g_ptr_array_index (specs, i));
  }

  /* Same size, same mtime, same inode: the ctime still moved. */
  g_usleep (50 * 1000);
  rewrite_keeping_mtime (tmp, "specs/001-a/README.md", a2);
  g_usleep (50 * 1000);
  {
    g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);
    LeanSpec *a = g_ptr_array_index (specs, 0);

    g_assert_cmpuint (listed, ==, 0);
    g_assert_cmpuint (unread, ==, 2);
    g_assert_cmpstr (lean_spec_get_title (a), ==, "Z");
    g_assert_cmpint (lean_spec_get_status (a), ==, LEAN_SPEC_STATUS_COMPLETE);
  }

  /* A new sub-spec file changes its folder: listed again, and found. */
  test_util_write_file (tmp, "specs/002-b/PLAN.md", "# Plan\n");
  g_usleep (50 * 1000);
  {
    g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);
    const char * const want[] = { "PLAN.md", NULL };

    g_assert_cmpuint (listed, ==, 1);
    g_assert_cmpstrv (lean_spec_get_sub_specs (g_ptr_array_index (specs, 1)), want);
  }

  /* Unread, then changed before anyone reads it: the snapshot is stale,
   * its hash matches no file and a write based on it is refused. */
  {
    g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);
    LeanSpec *b = g_ptr_array_index (specs, 1);
    g_autoptr(LeanSpec) written = NULL;
    g_autofree char *path = g_build_filename (tmp, "specs/002-b/README.md", NULL);
    g_autofree char *after = NULL;

    g_assert_cmpuint (unread, ==, 3);
    test_util_write_file (tmp, "specs/002-b/README.md", "---\nstatus: planned\n---\n# B changed\n");
    g_assert_cmpstr (lean_spec_get_content_hash (b), ==, "");
    g_assert_cmpstr (lean_spec_get_title (b), ==, "B");
    g_assert_true (g_str_has_prefix (lean_spec_get_body (b), "# B changed"));
    written = lean_spec_writer_set_status (b, LEAN_SPEC_STATUS_IN_PROGRESS, &error);
    g_assert_null (written);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK);
    g_clear_error (&error);
    g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, "---\nstatus: planned\n---\n# B changed\n");
  }

  /* The app's way: every README read, the folders still from records. */
  _lean_project_set_read_on_demand (project, FALSE);
  g_usleep (50 * 1000);
  {
    g_autoptr(GPtrArray) specs = load_scan (project, &hits, &listed, &unread);

    g_assert_cmpuint (unread, ==, 0);
    g_assert_cmpstr (lean_spec_get_title (g_ptr_array_index (specs, 1)), ==, "B changed");
  }

  g_unsetenv ("_LEANSPEC_CACHE_RACY_MSEC");
  {
    g_autofree char *file = only_cache_file ();
    g_unlink (file);
  }
  test_util_rm_rf (tmp);
}

/* A file that passes its check but holds nonsense (only a deliberate edit
 * can do that) must still never read out of bounds or crash: every byte
 * position is overwritten in turn, the check fixed up, and the project
 * loaded. Run under valgrind to see it. A damaged folder record whose stamp
 * still matches may hide a spec folder (its listing is trusted), but never
 * leads the walk anywhere but the project's own folders. */
static void
test_hostile_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_autoptr(LeanProject) project = NULL;
  g_autofree char *file = NULL;
  g_autofree char *good = NULL;
  gsize len;

  test_util_write_file (tmp, "specs/001-a/README.md",
              "---\nstatus: planned\ntags: [x, y]\nparent: 002-b\n---\n# A\n- [ ] one\n");
  test_util_write_file (tmp, "specs/002-b/README.md", "---\nstatus: complete\n---\n# B\n1. [x] two\n");
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  /* Folder records and unread specs are in the file and in use too. */
  _lean_project_set_read_on_demand (project, TRUE);
  g_setenv ("_LEANSPEC_CACHE_RACY_MSEC", "0", TRUE);
  g_usleep (50 * 1000);
  {
    g_autoptr(GPtrArray) specs = load (project, NULL, NULL);
  }

  file = only_cache_file ();
  g_assert_true (g_file_get_contents (file, &good, &len, NULL));
  g_assert_cmpuint (len, >, 8);

  for (gsize pos = 0; pos + 8 < len; pos++)
    {
      static const guint8 values[] = { 0x00, 0xff, 0x7f };

      for (guint v = 0; v < G_N_ELEMENTS (values); v++)
        {
          g_autofree char *bad = g_memdup2 (good, len);
          guint64 check;
          g_autoptr(GPtrArray) specs = NULL;

          bad[pos] = values[v];
          check = _lean_spec_cache_key (bad, len - 8);
          memcpy (bad + len - 8, &check, 8);
          g_assert_true (g_file_set_contents (file, bad, len, NULL));

          specs = load (project, NULL, NULL);
          g_assert_cmpuint (specs->len, <=, 2);
          for (guint i = 0; i < specs->len; i++)
            {
              LeanSpec *spec = g_ptr_array_index (specs, i);

              g_assert_true (g_str_equal (lean_spec_get_id (spec), "001-a") ||
                             g_str_equal (lean_spec_get_id (spec), "002-b"));

              /* Touch what a list shows. */
              g_assert_nonnull (lean_spec_get_title (spec));
              g_assert_nonnull (lean_spec_get_tags (spec));
              g_assert_nonnull (lean_spec_get_body (spec));
              for (guint t = 0; t < lean_spec_get_n_tasks (spec); t++)
                g_assert_true (lean_spec_get_task (spec, t, NULL, NULL, NULL));
            }
        }
    }

  /* Back to a good file: both again. */
  g_assert_true (g_file_set_contents (file, good, len, NULL));
  {
    g_autoptr(GPtrArray) specs = load (project, NULL, NULL);
    g_assert_cmpuint (specs->len, ==, 2);
  }

  g_unsetenv ("_LEANSPEC_CACHE_RACY_MSEC");
  g_unlink (file);
  test_util_rm_rf (tmp);
}

/* An empty value ("") and a missing field are different things to
 * LeanSpec (`leanspec list -o json` prints "assignee": "" for
 * `assignee: ""`): a spec from the cache must keep the difference. */
static void
test_empty_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  guint hits, misses;

  test_util_write_file (tmp, "specs/001-empty/README.md",
                        "---\nstatus: planned\nassignee: \"\"\nparent: \"\"\ncreated: \"\"\n"
                        "updated_at: ''\ncompleted_at: \"\"\n---\n# Empty\n");
  test_util_write_file (tmp, "specs/002-absent/README.md", "---\nstatus: planned\n---\n# Absent\n");
  test_util_write_file (tmp, "specs/003-set/README.md",
                        "---\nstatus: complete\nassignee: ada\nparent: 001-empty\n"
                        "created: 2025-01-02\ncompleted_at: 2025-01-03\n---\n# Set\n");
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);

  parsed = load (project, &hits, &misses);
  g_assert_cmpuint (misses, ==, 3);
  cached = load (project, &hits, &misses);
  g_assert_cmpuint (hits, ==, 3);
  g_assert_cmpuint (cached->len, ==, 3);

  for (guint i = 0; i < 2; i++)
    {
      GPtrArray *specs = i == 0 ? parsed : cached;
      LeanSpec *empty = g_ptr_array_index (specs, 0);
      LeanSpec *absent = g_ptr_array_index (specs, 1);
      LeanSpec *set = g_ptr_array_index (specs, 2);

      g_assert_cmpstr (lean_spec_get_assignee (empty), ==, "");
      g_assert_cmpstr (lean_spec_get_parent (empty), ==, "");
      g_assert_cmpstr (lean_spec_get_created (empty), ==, "");
      g_assert_cmpstr (lean_spec_get_updated_at (empty), ==, "");
      g_assert_cmpstr (lean_spec_get_completed_at (empty), ==, "");
      g_assert_null (lean_spec_get_assignee (absent));
      g_assert_null (lean_spec_get_parent (absent));
      g_assert_null (lean_spec_get_created (absent));
      g_assert_null (lean_spec_get_updated_at (absent));
      g_assert_null (lean_spec_get_completed_at (absent));
      g_assert_cmpstr (lean_spec_get_assignee (set), ==, "ada");
      g_assert_cmpstr (lean_spec_get_parent (set), ==, "001-empty");
      g_assert_cmpstr (lean_spec_get_created (set), ==, "2025-01-02");
      g_assert_null (lean_spec_get_updated_at (set));
      g_assert_cmpstr (lean_spec_get_completed_at (set), ==, "2025-01-03");
    }
  assert_same_specs (parsed, cached);

  remove_project_and_cache (tmp);
}

/* Something else than a file where the cache should be (a FIFO, which
 * blocks whoever opens it to read): the load goes on without the cache and
 * puts a good file back. */
static void
test_not_a_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("test-cache-XXXXXX", &error);
  g_autoptr(LeanProject) project = NULL;
  g_autofree char *file = NULL;
  guint hits, misses;
  struct stat st;

  test_util_write_file (tmp, "specs/001-a/README.md", "---\nstatus: planned\n---\n# A\n");
  project = lean_project_open (tmp, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (specs->len, ==, 1);
  }
  file = only_cache_file ();
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (mkfifo (file, 0600), ==, 0);

  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);

    g_assert_cmpuint (specs->len, ==, 1);
    g_assert_cmpuint (hits, ==, 0);
    g_assert_cmpuint (misses, ==, 1);
  }
  g_assert_cmpint (g_lstat (file, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  {
    g_autoptr(GPtrArray) specs = load (project, &hits, &misses);
    g_assert_cmpuint (hits, ==, 1);
  }

  test_util_rm_rf (tmp);
  g_unlink (file);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* A cache of our own, so nothing of the user's or other tests' is used. */
  cache_dir = g_dir_make_tmp ("test-cache-dir-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("LEANSPEC_CACHE_DIR", cache_dir, TRUE);
  g_unsetenv ("LEANSPEC_NO_CACHE");

  g_test_add_func ("/spec-cache/corpus-round-trip", test_corpus_round_trip);
  g_test_add_func ("/spec-cache/changes", test_changes);
  g_test_add_func ("/spec-cache/stamps", test_stamps);
  g_test_add_func ("/spec-cache/empty-fields", test_empty_fields);
  g_test_add_func ("/spec-cache/hostile-file", test_hostile_file);
  g_test_add_func ("/spec-cache/not-a-file", test_not_a_file);
  ret = g_test_run ();

  test_util_rm_rf (cache_dir);
  g_free (cache_dir);
  return ret;
}
