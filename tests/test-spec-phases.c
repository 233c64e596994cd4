/* SPDX-License-Identifier: MIT */
/* The phases of a spec's plan, read from real README files. */
#include "config.h"

#include "lean-spec-phases.h"
#include "test-util.h"

static LeanSpec *
load (const char *dir,
      const char *readme)
{
  g_autofree char *spec_dir = g_build_filename (dir, "specs", "001-x", NULL);
  g_autoptr(GError) error = NULL;
  LeanSpec *spec;

  test_util_write_file (dir, "specs/001-x/README.md", readme);
  spec = lean_spec_new_from_dir (dir, spec_dir, &error);
  g_assert_no_error (error);
  return spec;
}

static void
test_phases (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autoptr(LeanSpec) spec = load (dir,
    "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n"   /* lines 1-4 */
    "# X\n"                                                     /* 5 */
    "\n"
    "## Overview\n"
    "- [ ] not in the plan\n"                                   /* 8 */
    "## Plan\n"                                                 /* 9 */
    "### Phase 1: Foundation ###\n"                             /* 10 */
    "- [x] a\n"
    "- [x] b\n"
    "### Notes without items\n"                                 /* 13 */
    "text\n"
    "### Phase 2: Desktop UI\n"                                 /* 15 */
    "- [x] c\n"
    "```\n"
    "### not a heading\n"
    "- [ ] not an item\n"
    "```\n"
    "  - [ ] nested d\n"
    "### Phase 3\n"                                             /* 22 */
    "- [ ] e\n"
    "## Test\n"
    "- [ ] after the plan\n");
  g_autoptr(GPtrArray) phases = lean_spec_get_phases (spec);
  LeanSpecPhase *p;

  g_assert_cmpuint (phases->len, ==, 3);
  p = g_ptr_array_index (phases, 0);
  g_assert_cmpstr (p->title, ==, "Phase 1: Foundation");
  g_assert_cmpuint (p->line, ==, 10);
  g_assert_cmpuint (p->done, ==, 2);
  g_assert_cmpuint (p->total, ==, 2);
  g_assert_null (p->open_items[0]);
  p = g_ptr_array_index (phases, 1);
  g_assert_cmpstr (p->title, ==, "Phase 2: Desktop UI");
  g_assert_cmpuint (p->done, ==, 1);
  g_assert_cmpuint (p->total, ==, 2);
  g_assert_cmpuint (g_strv_length (p->open_items), ==, 1);
  g_assert_cmpstr (p->open_items[0], ==, "nested d");
  p = g_ptr_array_index (phases, 2);
  g_assert_cmpstr (p->title, ==, "Phase 3");
  g_assert_cmpuint (p->total, ==, 1);
  g_assert_cmpstr (p->open_items[0], ==, "e");
  g_assert_null (p->open_items[1]);
  g_assert_cmpint (lean_spec_phases_get_current (phases), ==, 1);
  test_util_rm_rf (dir);
}

static void
test_one_or_none (void)
{
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autoptr(LeanSpec) flat = load (dir, "---\nstatus: planned\n---\n# X\n\n## Plan\n"
                                        "- [x] a\n- [ ] b\n\n## Notes\n- [ ] c\n");
  g_autoptr(GPtrArray) one = lean_spec_get_phases (flat);
  g_autoptr(LeanSpec) empty = NULL;
  g_autoptr(GPtrArray) none = NULL;
  LeanSpecPhase *p;

  g_assert_cmpuint (one->len, ==, 1);
  p = g_ptr_array_index (one, 0);
  g_assert_cmpstr (p->title, ==, "");
  g_assert_cmpuint (p->line, ==, 0);
  g_assert_cmpuint (p->done, ==, 1);
  g_assert_cmpuint (p->total, ==, 3);
  /* The one phase holds every open item of the spec. */
  g_assert_cmpuint (g_strv_length (p->open_items), ==, 2);
  g_assert_cmpstr (p->open_items[0], ==, "b");
  g_assert_cmpstr (p->open_items[1], ==, "c");

  empty = load (dir, "---\nstatus: planned\n---\n# X\n\nNo list.\n");
  none = lean_spec_get_phases (empty);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpint (lean_spec_phases_get_current (none), ==, -1);
  test_util_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spec-phases/phases", test_phases);
  g_test_add_func ("/spec-phases/one-or-none", test_one_or_none);

  return g_test_run ();
}
