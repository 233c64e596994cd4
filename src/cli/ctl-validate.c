/* SPDX-License-Identifier: MIT */
/* leanspec-ctl validate: the project's checks, the spec's completion and,
 * when asked, the AI critic, against a working tree. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "ctl-private.h"
#include "lean-agent-registry.h"
#include "lean-critic-run.h"
#include "lean-error.h"
#include "lean-session-db.h"
#include "lean-spec-writer.h"
#include "lean-validation.h"
#include "lean-validation-store.h"

#define CTL_EXIT_INTERRUPTED 130
/* How many lines of a failed check's output the text report shows. */
#define FAILED_TAIL_BYTES 2000

typedef struct
{
  GMainLoop  *loop;
  gboolean    json;
  gboolean    interrupted;
} ValidateRun;


static gboolean
on_sigint (gpointer data)
{
  LeanValidation *validation = data;
  ValidateRun *run = g_object_get_data (G_OBJECT (validation), "ctl-run");

  run->interrupted = TRUE;
  lean_validation_cancel (validation);
  return G_SOURCE_CONTINUE;
}

static void
on_check_started (LeanValidation *validation,
                  LeanCheckRun   *check_run,
                  ValidateRun    *run)
{
  LeanCheck *check = lean_check_run_get_check (check_run);
  g_autofree char *argv = lean_check_describe_argv (check);

  if (!run->json)
    g_printerr (_("Running %s (%s)…\n"), check->name, argv);
}

static void
print_check_line (LeanCheckRun *check_run)
{
  LeanCheck *check = lean_check_run_get_check (check_run);
  LeanCheckStatus status = lean_check_run_get_status (check_run);
  LeanCheckCounts counts = lean_check_run_get_counts (check_run);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, "%-8s %s", lean_check_status_to_string (status), check->name);
  if (status != LEAN_CHECK_STATUS_ERROR && status != LEAN_CHECK_STATUS_SKIPPED)
    g_string_append_printf (line, "  %.1f s", lean_check_run_get_duration_ms (check_run) / 1000.0);
  if (counts.found)
    g_string_append_printf (line, _("  %u passed, %u failed, %u skipped"),
                            counts.passed, counts.failed, counts.skipped);
  if (lean_check_run_get_exit_code (check_run) > 0)
    g_string_append_printf (line, _("  exit status %d"), lean_check_run_get_exit_code (check_run));
  g_print ("%s\n", line->str);

  if (status != LEAN_CHECK_STATUS_PASSED)
    {
      g_autofree char *tail = lean_check_run_get_output_tail (check_run, FAILED_TAIL_BYTES);
      g_auto(GStrv) lines = g_strsplit (tail, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0' || lines[i + 1] != NULL)
          g_print ("    %s\n", lines[i]);
      if (lean_check_run_get_message (check_run) != NULL)
        g_print ("    %s\n", lean_check_run_get_message (check_run));
    }
}

static void
on_finished (LeanValidation *validation,
             ValidateRun    *run)
{
  g_main_loop_quit (run->loop);
}

/* Runs @validation to its end on a main loop; Ctrl+C cancels it. */
static void
run_validation (LeanValidation *validation,
                ValidateRun    *run)
{
  guint sigint_id;

  g_object_set_data (G_OBJECT (validation), "ctl-run", run);
  g_signal_connect (validation, "check-started", G_CALLBACK (on_check_started), run);
  g_signal_connect (validation, "finished", G_CALLBACK (on_finished), run);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, validation);
  lean_validation_run (validation);
  if (!lean_validation_is_finished (validation))
    g_main_loop_run (run->loop);
  g_source_remove (sigint_id);
  g_signal_handlers_disconnect_by_data (validation, run);
}

static gboolean
on_critic_sigint (gpointer data)
{
  LeanCriticRun *critic = data;
  ValidateRun *run = g_object_get_data (G_OBJECT (critic), "ctl-run");

  run->interrupted = TRUE;
  lean_critic_run_cancel (critic);
  return G_SOURCE_CONTINUE;
}

static void
on_critic_finished (LeanCriticRun *critic,
                    ValidateRun   *run)
{
  g_main_loop_quit (run->loop);
}

/* Runs the critic (read-only, non-interactive; recorded as a session of
 * kind "critic" when there is a database) and returns its verdict; a
 * critic that could not run is a verdict that fails, saying why. */
static LeanCriticVerdict *
run_critic (LeanValidation      *validation,
            LeanProject         *project,
            LeanSpec            *spec,
            const char          *agent_id,
            LeanSessionDb       *db,
            LeanValidationStore *store,
            ValidateRun         *run)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanCriticRun) critic = NULL;
  g_autofree char *readme = NULL;
  LeanAgent *agent;
  guint sigint_id;

  lean_agent_registry_load (registry, lean_project_get_root (project), NULL);
  if (agent_id == NULL)
    agent_id = lean_agent_registry_get_default_id (registry);
  agent = agent_id != NULL ? lean_agent_registry_lookup (registry, agent_id) : NULL;
  if (agent == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s: no such agent"),
                                               agent_id ? agent_id : "(none)");
      return lean_critic_verdict_new_failed (text);
    }
  if (!g_file_get_contents (lean_spec_get_readme_path (spec), &readme, NULL, &error))
    return lean_critic_verdict_new_failed (error->message);

  if (!run->json)
    g_printerr (_("Running the AI critic (%s)…\n"), lean_agent_get_name (agent));
  critic = lean_critic_run_new (agent, lean_project_get_root (project), lean_spec_get_id (spec),
                                readme, validation, db, store, NULL, 0);
  g_object_set_data (G_OBJECT (critic), "ctl-run", run);
  g_signal_connect (critic, "finished", G_CALLBACK (on_critic_finished), run);
  sigint_id = g_unix_signal_add (SIGINT, on_critic_sigint, critic);
  lean_critic_run_start (critic);
  if (!lean_critic_run_is_finished (critic))
    g_main_loop_run (run->loop);
  g_source_remove (sigint_id);
  g_signal_handlers_disconnect_by_data (critic, run);
  return lean_critic_verdict_ref (lean_critic_run_get_verdict (critic));
}

static void
print_report (LeanValidation *validation)
{
  const char * const *items = lean_validation_get_open_items (validation);
  const char * const *children = lean_validation_get_open_children (validation);
  LeanCriticVerdict *critic = lean_validation_get_critic (validation);

  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    print_check_line (lean_validation_get_run (validation, i));

  if (items[0] != NULL)
    {
      g_print ("%-8s %s\n", "open", _("Checklist items not done:"));
      for (guint i = 0; items[i] != NULL; i++)
        g_print ("    %s\n", items[i]);
    }
  if (children[0] != NULL)
    {
      g_print ("%-8s %s\n", "open", _("Child specs not complete:"));
      for (guint i = 0; children[i] != NULL; i++)
        g_print ("    %s\n", children[i]);
    }
  if (critic != NULL)
    {
      if (!critic->parsed)
        g_print ("%-8s %s\n    %s\n", "failed", _("The AI critic gave no verdict:"),
                 critic->text);
      else
        {
          g_print ("%-8s %s\n", critic->pass ? "passed" : "failed", _("AI critic"));
          for (guint i = 0; i < critic->requirements->len; i++)
            {
              LeanCriticRequirement *req = g_ptr_array_index (critic->requirements, i);
              g_print ("    [%s] %s — %s\n", req->met ? "x" : " ", req->item, req->evidence);
            }
          for (guint i = 0; critic->gaps[i] != NULL; i++)
            g_print ("    %s %s\n", _("gap:"), critic->gaps[i]);
          if (critic->summary != NULL && *critic->summary != '\0')
            g_print ("    %s\n", critic->summary);
        }
    }
  g_print ("%s\n", lean_validation_get_passed (validation) ? _("Everything passed.")
                                                          : _("Validation failed."));
}

int
ctl_cmd_validate (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanProject) tree_project = NULL;
  g_autoptr(GPtrArray) tree_specs = NULL;
  g_autoptr(LeanCheckConfig) config = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *agent_id = NULL;
  g_autofree char *work_dir = NULL;
  gboolean critic = FALSE, no_critic = FALSE, json = FALSE, save_checks = FALSE;
  LeanSpec *spec;
  LeanSpec *tree_spec;
  ValidateRun run = { 0 };
  int exit_code;
  const GOptionEntry entries[] = {
    { "session", 's', 0, G_OPTION_ARG_STRING, &session_id,
      N_("Validate the working tree of this session (its worktree when it has one)"), N_("ID") },
    { "critic", 0, 0, G_OPTION_ARG_NONE, &critic,
      N_("Ask an AI critic whether the change meets the spec"), NULL },
    { "no-critic", 0, 0, G_OPTION_ARG_NONE, &no_critic,
      N_("No AI critic, whatever checks.json says"), NULL },
    { "agent", 'a', 0, G_OPTION_ARG_STRING, &agent_id,
      N_("The critic's agent (default: the session's, else the default agent)"), N_("AGENT") },
    { "save-checks", 0, 0, G_OPTION_ARG_NONE, &save_checks,
      N_("Save the checks detected in the project to .lean-spec/checks.json"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SPEC",
                          _("Run the project's checks and the spec's completion rules against "
                            "the working tree, and optionally an AI critic."),
                          _("Checks come from .lean-spec/checks.json (run only once you trust "
                            "its content), else are detected from the project's files.\n"
                            "Exit status: 0 when everything passed, 1 when something failed, "
                            "130 when interrupted."),
                          entries, 1, 1, &exit_code))
    return exit_code;
  if (critic && no_critic)
    return ctl_report_message (CTL_EXIT_USAGE, _("--critic and --no-critic exclude each other"));

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;
  ctl_report_problems (problems);
  spec = lean_project_find_spec (project, specs, argv[1], &error);
  if (spec == NULL)
    return ctl_report_error (error);

  /* The working tree: the session's worktree, else the project. */
  work_dir = g_strdup (lean_project_get_root (project));
  if (session_id != NULL)
    {
      const char *worktree;

      db = lean_session_db_open (NULL, &error);
      if (db == NULL)
        return ctl_report_error (error);
      session = lean_session_db_lookup (db, session_id, &error);
      if (session == NULL)
        return ctl_report_error (error);
      if (g_strcmp0 (lean_session_get_spec_id (session), lean_spec_get_id (spec)) != 0)
        return ctl_report_message (CTL_EXIT_FAILED, _("session %s worked on %s, not %s"),
                                   lean_session_get_id (session),
                                   lean_session_get_spec_id (session), lean_spec_get_id (spec));
      worktree = lean_session_get_worktree_path (session);
      if (worktree != NULL && *worktree != '\0')
        {
          if (!g_file_test (worktree, G_FILE_TEST_IS_DIR))
            return ctl_report_message (CTL_EXIT_FAILED,
                                       _("%s: the session's worktree is gone"), worktree);
          g_free (work_dir);
          work_dir = g_strdup (worktree);
        }
      if (agent_id == NULL)
        agent_id = g_strdup (lean_session_get_agent_id (session));
    }

  /* The checks come from the person's project, never from the tree under
   * test: an agent could rewrite the tree's checks.json to pass. */
  config = lean_check_config_load (lean_project_get_root (project), &error);
  if (config == NULL)
    return ctl_report_message (CTL_EXIT_FAILED, "%s", error->message);

  if (lean_check_config_get_source (config) == LEAN_CHECK_SOURCE_DETECTED)
    {
      if (lean_check_config_get_n_checks (config) == 0)
        g_printerr (_("No checks found: add .lean-spec/checks.json to say how to test the "
                      "project.\n"));
      else if (save_checks)
        {
          if (!lean_check_config_save (config, lean_project_get_root (project), &error))
            return ctl_report_error (error);
          g_printerr (_("Saved the detected checks to %s.\n"), LEAN_CHECK_CONFIG_FILE);
        }
      else if (!json)
        {
          g_printerr (_("Detected checks (save them with --save-checks):\n"));
          for (guint i = 0; i < lean_check_config_get_n_checks (config); i++)
            {
              g_autofree char *line =
                lean_check_describe_argv (lean_check_config_get_check (config, i));
              g_printerr ("  %s\n", line);
            }
        }
    }
  else if (!lean_check_config_is_trusted (config, lean_check_config_trust_store_func,
                                          lean_trust_store_get_default ()))
    {
      g_autofree char *escaped_path = lean_trust_escape (lean_check_config_get_path (config),
                                                         FALSE);

      return ctl_report_message (CTL_EXIT_FAILED,
                                 _("%s is not trusted; nothing was run. Review it with "
                                   "`leanspec-ctl trust --checks --show`, then "
                                   "`leanspec-ctl trust --checks` (SHA-256 %.12s…)"),
                                 escaped_path, lean_check_config_get_sha256 (config));
    }

  /* The spec as the working tree has it: the agent ticks items there. */
  tree_spec = spec;
  if (g_strcmp0 (work_dir, lean_project_get_root (project)) != 0)
    {
      tree_project = lean_project_open (work_dir, NULL);
      if (tree_project != NULL)
        tree_specs = lean_project_load_specs (tree_project, NULL, NULL, NULL);
      if (tree_specs != NULL)
        {
          LeanSpec *found = lean_project_find_spec (tree_project, tree_specs,
                                                    lean_spec_get_id (spec), NULL);
          if (found != NULL)
            tree_spec = found;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.json = json;
  validation = lean_validation_new (lean_spec_get_id (spec), config, work_dir);
  lean_validation_set_trusted (validation, TRUE);
  if (tree_spec != spec)
    lean_validation_set_completion (validation, tree_project, tree_specs, tree_spec);
  else
    lean_validation_set_completion (validation, project, specs, spec);
  run_validation (validation, &run);

  /* Kept with the sessions' history (a failure to store is said, not
   * fatal: the result is printed either way). */
  if (db == NULL)
    db = lean_session_db_open (NULL, &error);
  if (db != NULL)
    store = lean_validation_store_open (lean_session_db_get_path (db), &error);
  if (store != NULL)
    {
      lean_validation_store_set_session_db (store, db);
      ctl_devlog_attach (db);
    }
  if (store == NULL)
    {
      g_printerr (_("leanspec-ctl: the result will not be stored: %s\n"), error->message);
      g_clear_error (&error);
    }

  if (!run.interrupted &&
      (critic || (!no_critic && lean_check_config_get_critic (config))))
    {
      g_autoptr(LeanCriticVerdict) verdict = run_critic (validation, project, tree_spec,
                                                         agent_id, store ? db : NULL, store,
                                                         &run);
      lean_validation_set_critic (validation, verdict);
    }

  if (!run.interrupted && store != NULL)
    {
      if (lean_validation_store_add_validation (store, validation,
                                                session != NULL ? lean_session_get_id (session)
                                                                : NULL,
                                                NULL, 0, &error) == 0)
        {
          g_printerr (_("leanspec-ctl: the result was not stored: %s\n"), error->message);
          g_clear_error (&error);
        }
    }
  if (db != NULL)
    lean_session_db_flush (db);

  if (json)
    {
      g_autoptr(JsonNode) root = lean_validation_to_json (validation);
      ctl_print_json (root);
    }
  else
    print_report (validation);

  if (run.interrupted)
    return CTL_EXIT_INTERRUPTED;
  return lean_validation_get_passed (validation) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}
