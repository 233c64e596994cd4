/* SPDX-License-Identifier: MIT */
/* LeanSpec's checks of a spec, rule by rule, and the relationship checks
 * over a project (test-interop-http compares whole projects with
 * LeanSpec itself). */
#include "config.h"

#include <string.h>

#include "lean-spec-lint.h"

static LeanSpec *
spec_from (const char *id,
           const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autofree char *dir = g_build_filename ("/nonexistent", "specs", id, NULL);
  g_autoptr(GError) error = NULL;
  LeanSpec *spec = lean_spec_new_from_bytes ("/nonexistent", dir, bytes, &error);

  g_assert_no_error (error);
  return spec;
}

/* "severity type message" lines of @lint, in order. */
static char *
describe (LeanSpecLint *lint)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lint->issues->len; i++)
    {
      const LeanLintIssue *issue = &g_array_index (lint->issues, LeanLintIssue, i);

      g_string_append_printf (out, "%s %s %s\n", lean_lint_severity_to_string (issue->severity),
                              lean_lint_type_to_string (issue->type), issue->message);
    }
  return g_string_free (out, FALSE);
}

static void
assert_lint (const char     *id,
             const char     *text,
             LeanLintStatus  status,
             const char     *expected)
{
  g_autoptr(LeanSpec) spec = spec_from (id, text);
  g_autoptr(LeanSpecLint) lint = lean_spec_lint (spec, NULL);
  g_autofree char *got = describe (lint);

  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpstr (lean_lint_status_to_string (lint->status), ==,
                   lean_lint_status_to_string (status));
  g_assert_cmpint (lean_spec_lint_status (spec, NULL), ==, status);
}

static void
test_clean (void)
{
  assert_lint ("001-clean",
               "---\nstatus: in-progress\ncreated: '2025-01-01'\npriority: high\ntags: [ui]\n---\n\n"
               "# Clean\n\n## Overview\n\nText.\n",
               LEAN_LINT_PASS, "");
}

static void
test_frontmatter (void)
{
  assert_lint ("002-fm",
               "---\nstatus: complete\ncreated: 2025-02-30\ntags: [good, has space, '']\n"
               "depends_on:\n  - 002-fm\n  - ''\n---\n\n# T\n",
               LEAN_LINT_FAIL,
               "info frontmatter Completed spec without completion date\n"
               "error frontmatter Invalid created date: '2025-02-30'. Expected YYYY-MM-DD\n"
               "warning frontmatter Tag 'has space' contains spaces. Consider using kebab-case.\n"
               "warning frontmatter Empty tag found in tags array\n"
               "error frontmatter Empty dependency reference in depends_on\n"
               "error frontmatter Spec cannot depend on itself\n");
  assert_lint ("003-planned",
               "---\nstatus: planned\ncreated: 2025-1-1\ntags: a, ,b\n---\n\n# T\n",
               LEAN_LINT_FAIL,
               "error frontmatter Invalid created date format: '2025-1-1'. Expected YYYY-MM-DD\n"
               "info frontmatter Planned spec without priority. Consider adding priority for planning.\n"
               "warning frontmatter Empty tag found in tags array\n");
  /* What LeanSpec cannot even load is shown, failing. */
  assert_lint ("004-missing", "---\ntitle: x\n---\n\n# T\n", LEAN_LINT_FAIL,
               "error frontmatter Missing required field: status\n"
               "error frontmatter Missing required field: created\n");
  assert_lint ("005-none", "# No front matter\n", LEAN_LINT_FAIL,
               "error frontmatter No frontmatter found in content\n");
}

static void
test_structure (void)
{
  assert_lint ("006-structure",
               "---\nstatus: draft\ncreated: '2025-01-01'\n---\n\n# One\n\n## Empty\n\n"
               "## Parent\n\n### Child\n\ntext\n\n# Two\n\n```\n# not a heading\n## nor this\n```\n\n"
               "## Last\n",
               LEAN_LINT_WARN,
               "warning structure Multiple h1 headings found. Specs should have a single title.\n"
               "warning structure Empty section: ## Empty\n"
               "warning structure Empty section: ## Last\n");
  assert_lint ("007-untitled",
               "---\nstatus: draft\ncreated: '2025-01-01'\n---\n\n####### seven\n#nospace\n\n"
               "```\n# fenced\n```\n",
               LEAN_LINT_FAIL, "error structure Missing title (# heading)\n");
}

static void
test_length (void)
{
  g_autoptr(GString) text = g_string_new ("---\nstatus: draft\ncreated: '2025-01-01'\n---\n\n# Long\n\n");
  g_autoptr(LeanSpec) mid = NULL;
  g_autoptr(LeanSpec) big = NULL;
  g_autoptr(LeanSpecLint) mid_lint = NULL;
  g_autoptr(LeanSpecLint) big_lint = NULL;
  const LeanLintIssue *issue;

  /* "word " is one token: 3,600 of them pass the warning line. */
  for (guint i = 0; i < 3600; i++)
    g_string_append (text, " word");
  mid = spec_from ("008-mid", text->str);
  mid_lint = lean_spec_lint (mid, NULL);
  g_assert_cmpint (mid_lint->status, ==, LEAN_LINT_WARN);
  issue = &g_array_index (mid_lint->issues, LeanLintIssue, mid_lint->issues->len - 1);
  g_assert_cmpint (issue->type, ==, LEAN_LINT_TYPE_LENGTH);
  g_assert_true (g_str_has_suffix (issue->message, "tokens, approaching maximum of 5000. "
                                                   "Consider splitting if content grows."));
  g_assert_cmpuint (lean_spec_get_tokens (mid), >, 3600);

  for (guint i = 0; i < 1500; i++)
    g_string_append (text, " word");
  big = spec_from ("009-big", text->str);
  big_lint = lean_spec_lint (big, NULL);
  g_assert_cmpint (big_lint->status, ==, LEAN_LINT_FAIL);
  issue = &g_array_index (big_lint->issues, LeanLintIssue, big_lint->issues->len - 1);
  g_assert_cmpint (issue->severity, ==, LEAN_LINT_SEVERITY_ERROR);
  g_assert_true (g_str_has_suffix (issue->message, "exceeds maximum of 5000. "
                                                   "Consider splitting into smaller specs."));
}

static LeanSpec *
related (const char *id,
         const char *status,
         const char *extra)
{
  g_autofree char *text = g_strdup_printf ("---\nstatus: %s\ncreated: '2025-01-01'\n"
                                           "priority: low\n%s---\n\n# %s\n\nText.\n",
                                           status, extra, id);
  return spec_from (id, text);
}

static char *
relationship_issues (LeanSpec      *spec,
                     LeanLintIndex *index)
{
  g_autoptr(LeanSpecLint) lint = lean_spec_lint (spec, index);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lint->issues->len; i++)
    {
      const LeanLintIssue *issue = &g_array_index (lint->issues, LeanLintIssue, i);

      if (issue->type == LEAN_LINT_TYPE_PARENT || issue->type == LEAN_LINT_TYPE_DEPENDENCIES)
        g_string_append_printf (out, "%s %s %s\n", lean_lint_severity_to_string (issue->severity),
                                lean_lint_type_to_string (issue->type), issue->message);
    }
  return g_string_free (out, FALSE);
}

static void
test_relationships (void)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LeanLintIndex) index = NULL;
  const struct { const char *id; const char *expected; } cases[] = {
    { "010-a", "error dependencies Circular dependency detected\n" },
    { "011-b", "error dependencies Circular dependency detected\n" },
    { "012-c", "error dependencies Circular dependency detected\n" },
    { "013-d", "" },
    { "014-e", "warning dependencies References non-existent spec: 999-gone\n" },
    { "015-parent", "warning parent Parent marked complete while child specs are still active\n" },
    { "016-child", "" },
    { "017-self", "error parent Spec cannot be its own parent\n" },
    { "018-orphan", "warning parent Parent spec not found: 998-gone\n" },
    { "019-p", "error parent Circular parent relationship detected\n" },
    { "020-q", "error parent Circular parent relationship detected\n" },
  };

  /* a -> b -> a is a cycle; c reaches it; d is reached by it but reaches
   * nothing. */
  g_ptr_array_add (specs, related ("010-a", "planned", "depends_on: [011-b, 013-d]\n"));
  g_ptr_array_add (specs, related ("011-b", "planned", "depends_on: [010-a]\n"));
  g_ptr_array_add (specs, related ("012-c", "planned", "depends_on: [010-a]\n"));
  g_ptr_array_add (specs, related ("013-d", "planned", ""));
  g_ptr_array_add (specs, related ("014-e", "planned", "depends_on: [999-gone, 013-d]\n"));
  g_ptr_array_add (specs, related ("015-parent", "complete", ""));
  g_ptr_array_add (specs, related ("016-child", "in-progress", "parent: 015-parent\n"));
  g_ptr_array_add (specs, related ("017-self", "planned", "parent: 017-self\n"));
  g_ptr_array_add (specs, related ("018-orphan", "planned", "parent: 998-gone\n"));
  g_ptr_array_add (specs, related ("019-p", "planned", "parent: 020-q\n"));
  g_ptr_array_add (specs, related ("020-q", "planned", "parent: 019-p\n"));
  index = lean_lint_index_new (specs);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = relationship_issues (g_ptr_array_index (specs, i), index);

      g_assert_cmpstr (lean_spec_get_id (g_ptr_array_index (specs, i)), ==, cases[i].id);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }

  /* Without an index, none of these checks run. */
  g_assert_cmpint (lean_spec_lint_status (g_ptr_array_index (specs, 0), NULL), ==, LEAN_LINT_PASS);
  g_assert_cmpint (lean_spec_lint_status (g_ptr_array_index (specs, 0), index), ==, LEAN_LINT_FAIL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spec-lint/clean", test_clean);
  g_test_add_func ("/spec-lint/frontmatter", test_frontmatter);
  g_test_add_func ("/spec-lint/structure", test_structure);
  g_test_add_func ("/spec-lint/length", test_length);
  g_test_add_func ("/spec-lint/relationships", test_relationships);

  return g_test_run ();
}
