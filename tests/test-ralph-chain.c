/* SPDX-License-Identifier: MIT */
/* The Ralph chain driven by hand: the test agent (a real process) works in
 * a temp project, real checks validate it, the chain decides. The agent is
 * scripted to fix the failing test only when its prompt holds that test's
 * failure output. */
#include "config.h"

#include <string.h>

#include "lean-ralph-chain.h"
#include "lean-ralph-loop.h"
#include "lean-spec-phases.h"
#include "test-util.h"

#define FAILURE_LINE "FAIL: test_feature: fixed.txt is missing"

typedef struct
{
  char            *dir;
  LeanCheckConfig *config;
  char            *agent;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LeanCheck) check = NULL;
  const char *argv[] = { "make", "test", NULL };

  f->dir = test_util_make_tmp_dir ();
  test_util_write_file (f->dir, "Makefile",
                        "test:\n"
                        "\t@echo running 3 tests\n"
                        "\t@test -f fixed.txt || (echo '" FAILURE_LINE "' && false)\n");
  f->config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  check = lean_check_new ("tests", "Tests", LEAN_CHECK_KIND_TEST, argv, 60, NULL);
  lean_check_config_add_check (f->config, check);
  f->agent = g_build_filename (g_getenv ("LEANSPEC_BUILD_ROOT"), "tests", "lean-test-agent", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_util_rm_rf (f->dir);
  g_free (f->dir);
  g_clear_object (&f->config);
  g_free (f->agent);
}

static gboolean
run_done (gpointer data)
{
  return lean_check_run_is_finished (data);
}

static gboolean
validation_done (gpointer data)
{
  return lean_validation_is_finished (data);
}

/* One iteration: the agent with the chain's prompt, then the checks. */
static LeanRalphStop
iterate (Fixture        *f,
         LeanRalphChain *chain,
         const char     *needle,
         char          **prompt_out)
{
  g_autofree char *prompt = lean_ralph_chain_begin_iteration (chain);
  const char *argv[] = { f->agent, "--fix-if-prompt-contains", needle, "--fix-file", "fixed.txt",
                         prompt, NULL };
  g_autoptr(LeanCheck) agent_check = NULL;
  g_autoptr(LeanCheckRun) agent = NULL;
  g_autoptr(LeanValidation) validation = NULL;

  g_assert_nonnull (prompt);
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_AGENT);
  agent_check = lean_check_new ("agent", NULL, LEAN_CHECK_KIND_CUSTOM, argv, 60, NULL);
  agent = lean_check_run_new (agent_check, f->dir);
  lean_check_run_start (agent);
  g_assert_true (test_util_wait_until (run_done, agent, 30000));
  g_assert_cmpint (lean_check_run_get_status (agent), ==, LEAN_CHECK_STATUS_PASSED);
  lean_ralph_chain_agent_finished (chain, 1000, 0.01);

  validation = lean_validation_new ("001-feature", f->config, f->dir);
  lean_validation_run (validation);
  g_assert_true (test_util_wait_until (validation_done, validation, 30000));
  if (prompt_out != NULL)
    *prompt_out = g_steal_pointer (&prompt);
  return lean_ralph_chain_record_validation (chain, validation);
}

static void
test_fixed_in_second_iteration (Fixture       *f,
                                gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 5 };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Implement the feature.",
                                                          &settings);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint iterations = 0;
  LeanRalphStop stop;

  do
    {
      g_autofree char *prompt = NULL;

      stop = iterate (f, chain, FAILURE_LINE, &prompt);
      if (++iterations == 1)
        first = g_steal_pointer (&prompt);
      else if (iterations == 2)
        second = g_steal_pointer (&prompt);
    }
  while (stop == LEAN_RALPH_STOP_NONE && iterations < 10);

  g_assert_cmpuint (iterations, ==, 2);
  g_assert_cmpint (stop, ==, LEAN_RALPH_STOP_PASSED);
  g_assert_cmpstr (lean_ralph_stop_to_string (stop), ==, "passed");
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_ENDED);
  g_assert_false (lean_ralph_chain_get_iteration_passed (chain, 1));
  g_assert_true (lean_ralph_chain_get_iteration_passed (chain, 2));
  g_assert_cmpuint (lean_ralph_chain_get_tokens (chain), ==, 2000);

  /* The first prompt is the spec's; the second says what failed. */
  g_assert_cmpstr (first, ==, "Implement the feature.");
  g_assert_true (g_str_has_prefix (second, "Implement the feature."));
  g_assert_nonnull (strstr (second, "Iteration 2 of 5"));
  g_assert_nonnull (strstr (second, "Check \"Tests\" (`make test`): failed, exit status 2"));
  g_assert_nonnull (strstr (second, FAILURE_LINE));
  g_assert_null (lean_ralph_chain_begin_iteration (chain));
}

static void
test_never_fixed_no_progress (Fixture       *f,
                              gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 10 };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  guint iterations = 0;
  LeanRalphStop stop;

  do
    stop = iterate (f, chain, "words no prompt will hold", NULL);
  while (stop == LEAN_RALPH_STOP_NONE && ++iterations < 20);

  g_assert_cmpint (stop, ==, LEAN_RALPH_STOP_NO_PROGRESS);
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, LEAN_RALPH_NO_PROGRESS_RUNS);
  g_assert_nonnull (strstr (lean_ralph_chain_get_stop_message (chain), "iterations 1 to 3"));
  for (guint k = 1; k <= 3; k++)
    g_assert_nonnull (strstr (lean_ralph_chain_get_iteration_failures (chain, k), FAILURE_LINE));
}

static void
test_never_fixed_max_iterations (Fixture       *f,
                                 gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 4 };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  LeanRalphStop stop;
  guint iterations = 0;

  /* A failure that changes every run is no stall: only the limit stops it. */
  test_util_write_file (f->dir, "Makefile",
                        "test:\n"
                        "\t@echo x >> runs.txt\n"
                        "\t@echo \"FAIL: attempt $$(wc -l < runs.txt)\" && false\n");
  do
    stop = iterate (f, chain, "words no prompt will hold", NULL);
  while (stop == LEAN_RALPH_STOP_NONE && ++iterations < 20);

  g_assert_cmpint (stop, ==, LEAN_RALPH_STOP_MAX_ITERATIONS);
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 4);
  g_assert_nonnull (strstr (lean_ralph_chain_get_iteration_failures (chain, 4), "FAIL: attempt 4"));
}

static void
test_budget_and_cancel (Fixture       *f,
                        gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 10, .max_tokens = 1500 };
  g_autoptr(LeanRalphChain) budget = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  g_autoptr(LeanRalphChain) cancelled = lean_ralph_chain_new ("001-feature", "Do it.", NULL);
  g_autofree char *prompt = NULL;

  g_assert_cmpint (iterate (f, budget, "nothing", NULL), ==, LEAN_RALPH_STOP_NONE);
  g_assert_cmpint (iterate (f, budget, "nothing", NULL), ==, LEAN_RALPH_STOP_BUDGET);
  g_assert_cmpstr (lean_ralph_stop_to_string (LEAN_RALPH_STOP_BUDGET), ==, "budget");
  g_assert_nonnull (strstr (lean_ralph_chain_get_stop_message (budget), "2000 tokens used of 1500"));

  prompt = lean_ralph_chain_begin_iteration (cancelled);
  lean_ralph_chain_cancel (cancelled);
  g_assert_cmpint (lean_ralph_chain_get_stop (cancelled), ==, LEAN_RALPH_STOP_CANCELLED);
  g_assert_cmpint (lean_ralph_chain_get_state (cancelled), ==, LEAN_RALPH_STATE_ENDED);
  g_assert_cmpuint (lean_ralph_chain_get_max_iterations (cancelled), ==, 10);
}

static void
test_guided_feedback_edit (Fixture       *f,
                           gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 3, .guided = TRUE };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  g_autofree char *prompt = NULL;

  g_assert_cmpint (iterate (f, chain, "nothing", NULL), ==, LEAN_RALPH_STOP_NONE);
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_PAUSED);
  g_assert_nonnull (strstr (lean_ralph_chain_get_feedback (chain), FAILURE_LINE));

  /* The person rewrites the feedback; the agent then gets the fix hint. */
  lean_ralph_chain_set_feedback (chain, "Create fixed.txt, please.");
  g_assert_cmpint (iterate (f, chain, "Create fixed.txt", &prompt), ==, LEAN_RALPH_STOP_PASSED);
  g_assert_nonnull (strstr (prompt, "Create fixed.txt, please."));
  g_assert_null (strstr (prompt, FAILURE_LINE));
}

static void
test_feedback_capped (Fixture       *f,
                      gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 10 };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Do it.", &settings);
  g_autofree char *prompt = NULL;
  g_autoptr(LeanCheckConfig) noisy = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);

  /* Five checks, each failing with 200 KB of distinct output. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("noisy%u", i);
      g_autofree char *script = g_strdup_printf ("seq 1 40000 | sed \"s/^/check %u run $(date +%%s%%N) line /\"; "
                                                 "exit 1", i);
      const char *argv[] = { "sh", "-c", script, NULL };
      g_autoptr(LeanCheck) check = lean_check_new (id, id, LEAN_CHECK_KIND_TEST, argv, 60, NULL);

      lean_check_config_add_check (noisy, check);
    }
  g_set_object (&f->config, noisy);

  for (guint k = 0; k < 5; k++)
    g_assert_cmpint (iterate (f, chain, "nothing", NULL), ==, LEAN_RALPH_STOP_NONE);
  prompt = lean_ralph_chain_begin_iteration (chain);
  g_assert_nonnull (strstr (prompt, "Iteration 6 of 10"));
  g_assert_cmpuint (strlen (lean_ralph_chain_get_feedback (chain)), <=,
                    LEAN_RALPH_FEEDBACK_MAX_BYTES);
  g_assert_cmpuint (strlen (prompt), <=, LEAN_RALPH_FEEDBACK_MAX_BYTES + 400);
  /* Only the last three iterations, and the latest one surely. */
  g_assert_null (strstr (prompt, "### Iteration 1:"));
  g_assert_null (strstr (prompt, "### Iteration 2:"));
  g_assert_nonnull (strstr (prompt, "### Iteration 5:"));
}

#define PHASE_1 "## Phase 1 of 2\n\nThis session works on the plan's section \"Phase 1: Core\" only"
#define PHASE_2 "## Phase 2 of 2\n\nThis session works on the plan's section \"Phase 2: Desktop UI\""

#define PHASED_SPEC \
  "---\nstatus: in-progress\ncreated: '2026-01-01'\n---\n# Feature\n\n" \
  "## Plan\n\n### Phase 1: Core\n\n- [ ] parse input\n- [ ] store result\n\n" \
  "### Phase 2: Desktop UI\n\n- [ ] show result\n\n## Notes\n\nNone.\n"

/* One phase iteration as a driver runs it: the phase's open items read
 * from the spec now, the agent ticking what its prompt names, then the
 * checks and the completion rules. */
static LeanRalphStop
iterate_phase (Fixture        *f,
               LeanRalphChain *chain,
               char          **prompt_out)
{
  g_autofree char *spec_dir = g_build_filename (f->dir, "specs", "001-feature", NULL);
  g_autofree char *readme = g_build_filename (spec_dir, "README.md", NULL);
  g_autoptr(LeanProject) project = lean_project_open (f->dir, NULL);
  g_autoptr(GPtrArray) specs = lean_project_load_specs (project, NULL, NULL, NULL);
  LeanSpec *spec = lean_project_find_spec (project, specs, "001", NULL);
  g_autoptr(GPtrArray) phases = lean_spec_get_phases (spec);
  guint next = lean_ralph_chain_get_next_phase (chain);
  LeanSpecPhase *phase;
  g_autofree char *prompt = NULL;
  g_autoptr(LeanCheck) agent_check = NULL;
  g_autoptr(LeanCheckRun) agent = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(GPtrArray) reloaded = NULL;

  g_assert_cmpuint (next, >, 0);
  phase = g_ptr_array_index (phases, next - 1);
  lean_ralph_chain_set_phase_work (chain, phase->title, (const char * const *)phase->open_items);
  prompt = lean_ralph_chain_begin_iteration (chain);
  g_assert_cmpuint (lean_ralph_chain_get_phase (chain), ==, next);
  {
    const char *argv[] = { f->agent, "--tick-phase-items", readme, prompt, NULL };

    agent_check = lean_check_new ("agent", NULL, LEAN_CHECK_KIND_CUSTOM, argv, 60, NULL);
  }
  agent = lean_check_run_new (agent_check, f->dir);
  lean_check_run_start (agent);
  g_assert_true (test_util_wait_until (run_done, agent, 30000));
  g_assert_cmpint (lean_check_run_get_status (agent), ==, LEAN_CHECK_STATUS_PASSED);
  lean_ralph_chain_agent_finished (chain, 100, -1);

  reloaded = lean_project_load_specs (project, NULL, NULL, NULL);
  spec = lean_project_find_spec (project, reloaded, "001", NULL);
  validation = lean_validation_new ("001-feature", f->config, f->dir);
  lean_validation_set_completion (validation, project, reloaded, spec);
  lean_validation_run (validation);
  g_assert_true (test_util_wait_until (validation_done, validation, 30000));
  if (prompt_out != NULL)
    *prompt_out = g_steal_pointer (&prompt);
  return lean_ralph_chain_record_validation (chain, validation);
}

/* The part of a phase prompt that lists the phase's items. */
static char *
phase_section (const char *prompt)
{
  const char *from = strstr (prompt, "Open items of this phase:");
  const char *to = from != NULL ? strstr (from, "Tick each item") : NULL;

  g_assert_nonnull (to);
  return g_strndup (from, to - from);
}

static void
test_phases_guided_checkpoints (Fixture       *f,
                                gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 3, .guided = TRUE, .phases = TRUE };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Implement it.",
                                                          &settings);
  g_autofree char *first = NULL, *retried = NULL, *second = NULL;
  g_autofree char *section = NULL;

  test_util_write_file (f->dir, "specs/001-feature/README.md", PHASED_SPEC);
  test_util_write_file (f->dir, "fixed.txt", "yes\n");
  lean_ralph_chain_set_n_phases (chain, 2);
  g_assert_cmpuint (lean_ralph_chain_get_next_phase (chain), ==, 1);

  /* Phase 1 names its own items only; the checks pass but phase 2's item
   * is open: the chain stops at the checkpoint, not at a failure. */
  g_assert_cmpint (iterate_phase (f, chain, &first), ==, LEAN_RALPH_STOP_NONE);
  g_assert_nonnull (strstr (first, PHASE_1));
  section = phase_section (first);
  g_assert_nonnull (strstr (section, "- [ ] parse input\n- [ ] store result\n"));
  g_assert_null (strstr (section, "show result"));
  g_clear_pointer (&section, g_free);
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_PAUSED);
  g_assert_nonnull (strstr (lean_ralph_chain_get_feedback (chain), "show result"));

  /* Retry: the same phase again, with nothing left open in it. */
  lean_ralph_chain_retry_phase (chain);
  g_assert_cmpuint (lean_ralph_chain_get_next_phase (chain), ==, 1);
  g_assert_cmpint (iterate_phase (f, chain, &retried), ==, LEAN_RALPH_STOP_NONE);
  g_assert_nonnull (strstr (retried, PHASE_1));
  g_assert_null (strstr (retried, "- [ ] parse input"));
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_PAUSED);

  /* Continue: phase 2 with its one item, and then everything passes. */
  g_assert_cmpuint (lean_ralph_chain_get_next_phase (chain), ==, 2);
  g_assert_cmpint (iterate_phase (f, chain, &second), ==, LEAN_RALPH_STOP_PASSED);
  g_assert_nonnull (strstr (second, PHASE_2));
  section = phase_section (second);
  g_assert_nonnull (strstr (section, "- [ ] show result\n"));
  g_assert_null (strstr (section, "parse input"));
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 3);
}

static void
test_phases_autonomous_then_loop (Fixture       *f,
                                  gconstpointer  data)
{
  LeanRalphSettings settings = { .max_iterations = 2, .phases = TRUE };
  g_autoptr(LeanRalphChain) chain = lean_ralph_chain_new ("001-feature", "Implement it.",
                                                          &settings);
  g_autofree char *fixup = NULL;

  /* The checks fail throughout: phase 1 goes on anyway, and after the last
   * phase the chain is a plain Ralph loop with its own iteration limit. */
  test_util_write_file (f->dir, "specs/001-feature/README.md", PHASED_SPEC);
  lean_ralph_chain_set_n_phases (chain, 2);
  g_assert_cmpint (iterate_phase (f, chain, NULL), ==, LEAN_RALPH_STOP_NONE);
  g_assert_cmpint (lean_ralph_chain_get_state (chain), ==, LEAN_RALPH_STATE_IDLE);
  g_assert_cmpint (iterate_phase (f, chain, NULL), ==, LEAN_RALPH_STOP_NONE);
  g_assert_cmpuint (lean_ralph_chain_get_next_phase (chain), ==, 0);
  fixup = lean_ralph_chain_begin_iteration (chain);
  g_assert_cmpuint (lean_ralph_chain_get_phase (chain), ==, 0);
  g_assert_nonnull (strstr (fixup, "Iteration 2 of 2"));
  g_assert_nonnull (strstr (fixup, FAILURE_LINE));
  lean_ralph_chain_agent_finished (chain, 0, -1);
  {
    g_autoptr(LeanValidation) validation = lean_validation_new ("001-feature", f->config, f->dir);

    lean_validation_run (validation);
    g_assert_true (test_util_wait_until (validation_done, validation, 30000));
    g_assert_cmpint (lean_ralph_chain_record_validation (chain, validation), ==,
                     LEAN_RALPH_STOP_MAX_ITERATIONS);
  }
  g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 3);
}

static void
on_loop_ended (LeanRalphLoop *loop,
               int            stop,
               gpointer       data)
{
  *(int *)data = stop;
}

static void
on_project_gone (gpointer  data,
                 GObject  *where)
{
  g_atomic_int_set ((int *)data, TRUE);
}

/* Phase by phase, LeanRalphLoop reads the spec's phases in a thread before
 * its first session. A loop cancelled, or dropped by its owner, while that
 * read runs starts nothing once it lands: the chain never begins an
 * iteration. The read holds the project; the project going away says the
 * read has landed. */
static void
test_loop_ends_mid_read (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *db_path = g_build_filename (f->dir, "sessions.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  LeanRalphSettings settings = { .max_iterations = 3, .phases = TRUE };

  test_util_write_file (f->dir, "specs/001-phased/README.md",
                        "---\nstatus: planned\ncreated: '2026-01-01'\n---\n# Phased\n\n"
                        "## Plan\n\n### One\n\n- [ ] a\n\n### Two\n\n- [ ] b\n");
  db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  controller = lean_controller_new (db);
  request->project_path = g_strdup (f->dir);
  request->spec_id = g_strdup ("001-phased");
  request->agent_id = g_strdup ("no-such-agent");
  request->prompt = g_strdup ("Implement spec 001-phased");

  for (guint how = 0; how < 2; how++)
    {
      LeanProject *project = lean_project_open (f->dir, &error);
      g_autoptr(LeanRalphChain) chain = NULL;
      LeanRalphLoop *loop;
      int stop = -1;
      int gone = FALSE;

      g_assert_no_error (error);
      loop = lean_ralph_loop_new (controller, NULL, project, "001-phased", f->config, request,
                                  &settings);
      chain = g_object_ref (lean_ralph_loop_get_chain (loop));
      g_signal_connect (loop, "ended", G_CALLBACK (on_loop_ended), &stop);
      g_assert_true (lean_ralph_loop_start (loop, &error));
      g_assert_no_error (error);
      /* The session waits for the phases. */
      g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 0);
      if (how == 0)
        {
          lean_ralph_loop_cancel (loop);
          g_assert_cmpint (stop, ==, LEAN_RALPH_STOP_CANCELLED);
        }
      g_object_add_weak_pointer (G_OBJECT (loop), (gpointer *)&loop);
      g_object_unref (loop);
      /* Nothing but its owner keeps the loop. */
      g_assert_null (loop);

      /* The read's last hold on the project may go in its thread. */
      g_object_weak_ref (G_OBJECT (project), on_project_gone, &gone);
      g_object_unref (project);
      while (!g_atomic_int_get (&gone))
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
      g_assert_cmpuint (lean_ralph_chain_get_iteration (chain), ==, 0);
      g_assert_cmpint (lean_ralph_chain_get_stop (chain), ==,
                       how == 0 ? LEAN_RALPH_STOP_CANCELLED : LEAN_RALPH_STOP_NONE);
      g_assert_cmpuint (g_list_model_get_n_items (lean_controller_get_sessions (controller)),
                        ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/ralph-chain/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("fixed-in-second-iteration", test_fixed_in_second_iteration);
  ADD ("never-fixed-no-progress", test_never_fixed_no_progress);
  ADD ("never-fixed-max-iterations", test_never_fixed_max_iterations);
  ADD ("budget-and-cancel", test_budget_and_cancel);
  ADD ("guided-feedback-edit", test_guided_feedback_edit);
  ADD ("feedback-capped", test_feedback_capped);
  ADD ("phases-guided-checkpoints", test_phases_guided_checkpoints);
  ADD ("phases-autonomous-then-loop", test_phases_autonomous_then_loop);
  ADD ("loop-ends-mid-read", test_loop_ends_mid_read);
#undef ADD

  return g_test_run ();
}
