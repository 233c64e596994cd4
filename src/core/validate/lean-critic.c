/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-critic.h"
#include "lean-critic-verdict.h"
#include "lean-error.h"

/* How much of each check's output the critic sees. */
#define CHECK_TAIL_BYTES 1500

static void
append_capped (GString    *out,
               const char *text,
               gsize       max)
{
  gsize len = strlen (text);

  if (len <= max)
    {
      g_string_append (out, text);
      return;
    }
  /* Cut at a character, and say so. */
  g_string_append_len (out, text, g_utf8_find_prev_char (text, text + max) - text);
  g_string_append (out, "\n[... cut ...]\n");
}

char *
lean_critic_build_prompt (const char     *spec_id,
                          const char     *spec_text,
                          const char     *diff,
                          gboolean        diff_cut,
                          LeanValidation *validation,
                          gboolean        structured)
{
  GString *out = g_string_new (NULL);
  const char * const *open_items;
  const char * const *open_children;

  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_VALIDATION (validation), NULL);

  g_string_append_printf (out,
                          "You are reviewing, read-only, whether the change in this working tree "
                          "implements spec %s. Do not change any file. Judge each requirement "
                          "and acceptance criterion of the spec against the code and the check "
                          "results below.\n\n", spec_id);

  g_string_append (out, "## The spec\n\n");
  append_capped (out, spec_text != NULL ? spec_text : "", LEAN_CRITIC_SPEC_MAX);
  g_string_append (out, "\n\n## The change (diff against its base)\n\n");
  if (diff == NULL || *diff == '\0')
    g_string_append (out, "(no uncommitted changes)\n");
  else
    {
      g_string_append (out, "```diff\n");
      append_capped (out, diff, LEAN_CRITIC_DIFF_MAX);
      g_string_append (out, "```\n");
      if (diff_cut)
        g_string_append (out, "Note: the diff was cut to fit; read the files for the rest.\n");
    }

  g_string_append (out, "\n## Check results\n\n");
  if (lean_validation_get_n_runs (validation) == 0)
    g_string_append (out, "(no project checks)\n");
  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    {
      LeanCheckRun *run = lean_validation_get_run (validation, i);
      LeanCheck *check = lean_check_run_get_check (run);
      g_autofree char *argv = lean_check_describe_argv (check);
      LeanCheckStatus status = lean_check_run_get_status (run);

      g_string_append_printf (out, "- %s (`%s`): %s", check->name, argv,
                              lean_check_status_to_string (status));
      if (lean_check_run_get_exit_code (run) >= 0)
        g_string_append_printf (out, ", exit status %d", lean_check_run_get_exit_code (run));
      g_string_append_c (out, '\n');
      if (status != LEAN_CHECK_STATUS_PASSED)
        {
          g_autofree char *tail = lean_check_run_get_output_tail (run, CHECK_TAIL_BYTES);

          g_string_append_printf (out, "```\n%s%s```\n", tail,
                                  *tail && tail[strlen (tail) - 1] != '\n' ? "\n" : "");
        }
    }

  open_items = lean_validation_get_open_items (validation);
  open_children = lean_validation_get_open_children (validation);
  if (open_items[0] != NULL || open_children[0] != NULL)
    {
      g_string_append (out, "\nStill open in the spec:\n");
      for (guint i = 0; open_items[i] != NULL; i++)
        g_string_append_printf (out, "- checklist %s\n", open_items[i]);
      for (guint i = 0; open_children[i] != NULL; i++)
        g_string_append_printf (out, "- child spec %s is not complete\n", open_children[i]);
    }

  g_string_append (out,
                   "\n## Your answer\n\n"
                   "Answer with one JSON object: {\"verdict\": \"pass\" or \"fail\", "
                   "\"requirements\": [{\"item\": requirement, \"met\": true or false, "
                   "\"evidence\": file and line or test that shows it}], \"gaps\": [what is "
                   "missing or wrong, one sentence each], \"summary\": one paragraph}. "
                   "\"pass\" only when every requirement is met.\n");
  if (!structured)
    g_string_append (out, "End your reply with that object alone in a fenced ```json block.\n");
  return g_string_free (out, FALSE);
}

gboolean
lean_critic_agent_is_structured (LeanAgent *agent)
{
  const char *id;

  g_return_val_if_fail (LEAN_IS_AGENT (agent), FALSE);

  id = lean_agent_get_id (agent);
  return lean_agent_get_source (agent) == LEAN_AGENT_SOURCE_BUILTIN &&
         (g_str_equal (id, "claude") || g_str_equal (id, "codex") || g_str_equal (id, "gemini"));
}

LeanCheck *
lean_critic_build_check (LeanAgent   *agent,
                         const char  *prompt,
                         const char  *schema_path,
                         GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = NULL;
  g_autofree char *safe_prompt = NULL;
  const char *exe;
  const char *id;
  const char *model;

  g_return_val_if_fail (LEAN_IS_AGENT (agent), NULL);
  g_return_val_if_fail (prompt != NULL, NULL);

  id = lean_agent_get_id (agent);
  if (lean_agent_get_source (agent) == LEAN_AGENT_SOURCE_PROJECT)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                   _("%s is defined by the project; choose an agent of your own for the critic"),
                   id);
      return NULL;
    }
  exe = lean_agent_get_path (agent) != NULL ? lean_agent_get_path (agent)
                                            : lean_agent_get_executable (agent);
  model = lean_agent_get_default_model (agent);
  /* A prompt starting with '-' must not read as an option. */
  safe_prompt = *prompt == '-' ? g_strconcat (" ", prompt, NULL) : g_strdup (prompt);

  if (lean_critic_agent_is_structured (agent) && g_str_equal (id, "claude"))
    {
      g_ptr_array_add (argv, g_strdup (exe));
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup ("--output-format"));
      g_ptr_array_add (argv, g_strdup ("json"));
      g_ptr_array_add (argv, g_strdup ("--permission-mode"));
      g_ptr_array_add (argv, g_strdup ("plan"));
      g_ptr_array_add (argv, g_strdup ("--json-schema"));
      g_ptr_array_add (argv, g_strdup (lean_critic_verdict_schema ()));
      if (model != NULL)
        {
          g_ptr_array_add (argv, g_strdup ("--model"));
          g_ptr_array_add (argv, g_strdup (model));
        }
      g_ptr_array_add (argv, g_strdup (safe_prompt));
    }
  else if (lean_critic_agent_is_structured (agent) && g_str_equal (id, "codex"))
    {
      g_ptr_array_add (argv, g_strdup (exe));
      g_ptr_array_add (argv, g_strdup ("exec"));
      g_ptr_array_add (argv, g_strdup ("--json"));
      g_ptr_array_add (argv, g_strdup ("-s"));
      g_ptr_array_add (argv, g_strdup ("read-only"));
      g_ptr_array_add (argv, g_strdup ("--skip-git-repo-check"));
      if (schema_path != NULL)
        {
          g_ptr_array_add (argv, g_strdup ("--output-schema"));
          g_ptr_array_add (argv, g_strdup (schema_path));
        }
      if (model != NULL)
        {
          g_ptr_array_add (argv, g_strdup ("-m"));
          g_ptr_array_add (argv, g_strdup (model));
        }
      g_ptr_array_add (argv, g_strdup (safe_prompt));
    }
  else if (lean_critic_agent_is_structured (agent) && g_str_equal (id, "gemini"))
    {
      g_ptr_array_add (argv, g_strdup (exe));
      g_ptr_array_add (argv, g_strdup ("--approval-mode"));
      g_ptr_array_add (argv, g_strdup ("plan"));
      g_ptr_array_add (argv, g_strdup ("--output-format"));
      g_ptr_array_add (argv, g_strdup ("json"));
      if (model != NULL)
        {
          g_ptr_array_add (argv, g_strdup ("-m"));
          g_ptr_array_add (argv, g_strdup (model));
        }
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup (safe_prompt));
    }
  else
    {
      g_autoptr(GBytes) stdin_data = NULL;
      g_auto(GStrv) agent_argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL,
                                                        prompt, &stdin_data, error);

      if (agent_argv == NULL)
        return NULL;
      if (stdin_data != NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                       _("%s reads its prompt on its input, which the critic does not give"),
                       id);
          return NULL;
        }
      for (guint i = 0; agent_argv[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (agent_argv[i]));
    }
  g_ptr_array_add (argv, NULL);

  name = g_strdup_printf (_("AI critic (%s)"), lean_agent_get_name (agent));
  return lean_check_new ("critic", name, LEAN_CHECK_KIND_CUSTOM,
                         (const char * const *)argv->pdata, LEAN_CRITIC_TIMEOUT, ".");
}
