/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-spec-types.h"

static void
test_status_aliases (void)
{
  LeanSpecStatus status = LEAN_SPEC_STATUS_NONE;

  g_assert_true (lean_spec_status_from_string ("in_progress", &status));
  g_assert_cmpint (status, ==, LEAN_SPEC_STATUS_IN_PROGRESS);
  g_assert_true (lean_spec_status_from_string (" InProgress ", &status));
  g_assert_cmpint (status, ==, LEAN_SPEC_STATUS_IN_PROGRESS);
  g_assert_true (lean_spec_status_from_string ("completed", &status));
  g_assert_cmpint (status, ==, LEAN_SPEC_STATUS_COMPLETE);
  g_assert_true (lean_spec_status_from_string ("draft", &status));
  g_assert_cmpint (status, ==, LEAN_SPEC_STATUS_DRAFT);
  g_assert_false (lean_spec_status_from_string ("done", &status));
  g_assert_false (lean_spec_status_from_string (NULL, &status));
  g_assert_cmpstr (lean_spec_status_to_string (LEAN_SPEC_STATUS_IN_PROGRESS), ==, "in-progress");
}

static void
test_priority_aliases (void)
{
  LeanSpecPriority priority = LEAN_SPEC_PRIORITY_NONE;

  g_assert_true (lean_spec_priority_from_string ("med", &priority));
  g_assert_cmpint (priority, ==, LEAN_SPEC_PRIORITY_MEDIUM);
  g_assert_true (lean_spec_priority_from_string ("URGENT", &priority));
  g_assert_cmpint (priority, ==, LEAN_SPEC_PRIORITY_CRITICAL);
  g_assert_false (lean_spec_priority_from_string ("p1", &priority));
  g_assert_cmpstr (lean_spec_priority_to_string (LEAN_SPEC_PRIORITY_HIGH), ==, "high");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spec-types/status-aliases", test_status_aliases);
  g_test_add_func ("/spec-types/priority-aliases", test_priority_aliases);
  return g_test_run ();
}
