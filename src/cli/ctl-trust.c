/* SPDX-License-Identifier: MIT */
/* leanspec-ctl trust: review, trust or forget the commands a project's
 * .lean-spec/runners.json would make us run. */
#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-private.h"
#include "lean-agent-registry.h"
#include "lean-check-config.h"
#include "lean-trust-store.h"
#include "lean-worktree-setup.h"

static const char *
state_word (LeanTrustState state)
{
  switch (state)
    {
    case LEAN_TRUST_TRUSTED:
      return "trusted";
    case LEAN_TRUST_CHANGED:
      return "changed";
    case LEAN_TRUST_UNKNOWN:
    default:
      return "untrusted";
    }
}

static const char *
state_sentence (LeanTrustState state)
{
  switch (state)
    {
    case LEAN_TRUST_TRUSTED:
      return _("trusted");
    case LEAN_TRUST_CHANGED:
      return _("not trusted: it changed since you trusted it");
    case LEAN_TRUST_UNKNOWN:
    default:
      return _("not trusted");
    }
}

/* "…" with what is inside escaped so that every byte shows. */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_autofree char *escaped = lean_trust_escape (text, TRUE);

  g_string_append_printf (out, "\"%s\"", escaped);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = lean_trust_escape (text, FALSE);

  g_string_append (out, escaped);
}

static void
append_command (GString          *out,
                LeanTrustCommand *command)
{
  append_escaped (out, command->label);
  g_string_append_c (out, '\n');
  for (int i = 0; command->argv[i] != NULL; i++)
    {
      if (i == 0)
        g_string_append_printf (out, "  %-14s", _("program:"));
      else
        {
          g_autofree char *label = g_strdup_printf (_("argument %d:"), i);
          g_string_append_printf (out, "  %-14s", label);
        }
      if (i == command->prompt_index)
        g_string_append (out, _("(the prompt)"));
      else
        append_quoted (out, command->argv[i]);
      g_string_append_c (out, '\n');
    }
  if (command->prompt_on_stdin)
    g_string_append_printf (out, "  %-14s%s\n", _("input:"), _("(the prompt)"));
  for (guint i = 0; command->env != NULL && command->env[i] != NULL; i++)
    {
      const char *eq = strchr (command->env[i], '=');
      g_autofree char *key = eq ? g_strndup (command->env[i], eq - command->env[i])
                                : g_strdup (command->env[i]);

      g_string_append_printf (out, "  %-14s", _("environment:"));
      append_escaped (out, key);
      g_string_append_c (out, '=');
      append_quoted (out, eq ? eq + 1 : "");
      g_string_append_c (out, '\n');
    }
}

static void
append_request (GString           *out,
                LeanTrustRequest  *request)
{
  GPtrArray *problems = request->ignored;

  g_string_append_printf (out, "%-9s", _("File:"));
  append_escaped (out, request->path);
  g_string_append_printf (out, "\n%-9s%s\n%-9s%s\n", _("State:"), state_sentence (request->state),
                          _("SHA-256:"), request->sha256);

  if (request->commands->len == 0)
    g_string_append_printf (out, "\n%s\n", _("It defines no command to run."));
  for (guint i = 0; i < request->commands->len; i++)
    {
      g_string_append_c (out, '\n');
      append_command (out, g_ptr_array_index (request->commands, i));
    }
  if (request->notes->len > 0)
    g_string_append_c (out, '\n');
  for (guint i = 0; i < request->notes->len; i++)
    {
      append_escaped (out, g_ptr_array_index (request->notes, i));
      g_string_append_c (out, '\n');
    }
  if (problems->len > 0)
    {
      g_string_append_printf (out, "\n%s\n", _("Ignored:"));
      for (guint i = 0; i < problems->len; i++)
        {
          g_string_append (out, "  ");
          append_escaped (out, g_ptr_array_index (problems, i));
          g_string_append_c (out, '\n');
        }
    }
}

static JsonNode *
request_to_json (LeanTrustRequest *request)
{
  GPtrArray *problems = request->ignored;

  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, request->path);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, request->sha256);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state_word (request->state));
  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (guint i = 0; i < request->commands->len; i++)
    {
      LeanTrustCommand *command = g_ptr_array_index (request->commands, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, command->label);
      json_builder_set_member_name (b, "argv");
      json_builder_begin_array (b);
      for (int j = 0; command->argv[j] != NULL; j++)
        json_builder_add_string_value (b, command->argv[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "prompt_index");
      json_builder_add_int_value (b, command->prompt_index);
      json_builder_set_member_name (b, "prompt_on_stdin");
      json_builder_add_boolean_value (b, command->prompt_on_stdin);
      json_builder_set_member_name (b, "env");
      json_builder_begin_array (b);
      for (guint j = 0; command->env != NULL && command->env[j] != NULL; j++)
        json_builder_add_string_value (b, command->env[j]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < request->notes->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (request->notes, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (guint i = 0; i < problems->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (problems, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
ask_yes_no (const char *question)
{
  char line[64];

  g_print ("%s ", question);
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return FALSE;
  g_strstrip (line);
  return g_ascii_strcasecmp (line, "y") == 0 || g_ascii_strcasecmp (line, "yes") == 0;
}

int
ctl_cmd_trust (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  gboolean show = FALSE;
  gboolean revoke = FALSE;
  gboolean yes = FALSE;
  gboolean json = FALSE;
  gboolean checks = FALSE;
  gboolean worktree = FALSE;
  g_autoptr(LeanTrustRequest) checks_request = NULL;
  const char *file_name = "runners.json";
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(LeanAgentRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *cwd = NULL;
  g_autofree char *file = NULL;
  g_autofree char *escaped = NULL;
  LeanTrustRequest *request;
  LeanTrustStore *store;
  const char *dir = ctx->directory;
  int exit_code = 0;
  const GOptionEntry entries[] = {
    { "show", 0, 0, G_OPTION_ARG_NONE, &show,
      N_("Print the commands and whether they are trusted; change nothing"), NULL },
    { "revoke", 0, 0, G_OPTION_ARG_NONE, &revoke,
      N_("Forget the trust given to this project's runners.json"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Trust without asking (for scripts)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("With --show: print JSON"), NULL },
    { "checks", 0, 0, G_OPTION_ARG_NONE, &checks,
      N_("The project's .lean-spec/checks.json (validation checks) instead of runners.json"),
      NULL },
    { "worktree", 0, 0, G_OPTION_ARG_NONE, &worktree,
      N_("The project's .lean-spec/worktree.json (worktree setup) instead of runners.json"),
      NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL,
                          _("Review and trust the commands of this project's "
                            ".lean-spec/runners.json."),
                          _("A project's runners.json names programs to run as agents. They run\n"
                            "only after you trusted the file's current content: this prints each\n"
                            "command (program, arguments, environment) exactly, then asks.\n"
                            "Trust is kept per file and content in\n"
                            "$XDG_CONFIG_HOME/leanspec-desktop/trust.json; when the file changes\n"
                            "it must be trusted again. Your own ~/.lean-spec/runners.json needs\n"
                            "no trust.\n"),
                          entries, 0, 0, &exit_code))
    return exit_code;
  if (show + revoke > 1 || (yes && (show || revoke)) || (json && !show))
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("use one of --show (with or without --json), --revoke, or "
                                 "--yes"));

  if (dir == NULL)
    dir = cwd = g_get_current_dir ();
  project = lean_project_open (dir, &error);
  if (project == NULL)
    return ctl_report_error (error);

  store = lean_trust_store_get_default ();
  if (worktree)
    {
      checks_request = lean_worktree_setup_get_request (lean_project_get_root (project), &error);
      if (checks_request == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return ctl_report_message (CTL_EXIT_FAILED, "%s", error->message);
      request = checks_request;
      file_name = "worktree.json";
    }
  else if (checks)
    {
      /* The validation checks: each one's argv is a project command too. */
      g_autoptr(LeanCheckConfig) config = lean_check_config_load (lean_project_get_root (project),
                                                                  &error);

      if (config == NULL)
        return ctl_report_message (CTL_EXIT_FAILED, "%s", error->message);
      checks_request = lean_check_config_get_trust_request (config, store);
      request = checks_request;
      file_name = "checks.json";
    }
  else
    {
      registry = lean_agent_registry_new ();
      lean_agent_registry_load (registry, lean_project_get_root (project), NULL);
      request = lean_agent_registry_get_trust_request (registry);
    }
  file = g_build_filename (lean_project_get_root (project), ".lean-spec", file_name, NULL);
  escaped = lean_trust_escape (file, FALSE);

  if (revoke)
    {
      g_autofree char *real = NULL;

      if (request != NULL)
        real = g_strdup (request->path);
      else
        {
          /* The file is gone: forget it under the path it had. */
          g_autofree char *dot = g_build_filename (lean_project_get_root (project), ".lean-spec",
                                                   NULL);
          g_autofree char *real_dot = realpath (dot, NULL);

          real = g_build_filename (real_dot != NULL ? real_dot : dot, file_name, NULL);
        }
      if (!lean_trust_store_revoke (store, real, &error))
        return ctl_report_error (error);
      g_print (_("%s is not trusted any more: its commands will not run\n"), escaped);
      return CTL_EXIT_OK;
    }

  if (request == NULL)
    {
      if (json)
        {
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_NULL);
          return ctl_print_json (node) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
        }
      g_print (_("%s does not exist: this project defines no commands to trust\n"), escaped);
      return CTL_EXIT_OK;
    }

  if (json)
    {
      g_autoptr(JsonNode) node = request_to_json (request);
      return ctl_print_json (node) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  append_request (out, request);
  if (!ctl_write_stdout (out))
    return CTL_EXIT_FAILED;
  if (show)
    return CTL_EXIT_OK;

  if (request->state == LEAN_TRUST_TRUSTED)
    {
      g_print ("\n%s\n", _("Already trusted."));
      return CTL_EXIT_OK;
    }

  if (!yes)
    {
      if (!isatty (STDIN_FILENO))
        return ctl_report_message (CTL_EXIT_USAGE,
                                   _("%s was not trusted: there is no terminal to ask on; "
                                     "pass --yes to trust it"), escaped);
      g_print ("\n%s\n", _("These commands run with your permissions when you start an agent."));
      if (!ask_yes_no (_("Trust them? [y/N]")))
        {
          g_print ("%s\n", _("Not trusted."));
          return CTL_EXIT_FAILED;
        }
    }

  /* Trust the bytes shown above, not whatever the file holds now. */
  if (!lean_trust_store_trust (store, request->path, request->sha256, &error))
    return ctl_report_error (error);
  g_print ("\n");
  g_print (_("Trusted %s (SHA-256 %.12s…)\n"), escaped, request->sha256);
  return CTL_EXIT_OK;
}

gboolean
ctl_trust_check_agent (const char *project_root,
                       const char *agent_id,
                       int        *exit_code)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  LeanTrustRequest *request;
  LeanAgent *agent;

  lean_agent_registry_load (registry, project_root, NULL);

  agent = lean_agent_registry_lookup (registry, agent_id);
  request = lean_agent_registry_get_trust_request (registry);
  if (agent == NULL || lean_agent_get_trusted (agent))
    {
      /* What the project tried and was refused (a builtin's id, PATH in
       * its env) is worth a word even when the agent that runs is not its. */
      for (guint i = 0; request != NULL && i < request->ignored->len; i++)
        {
          g_autofree char *path = lean_trust_escape (request->path, FALSE);
          g_autofree char *text = lean_trust_escape (g_ptr_array_index (request->ignored, i),
                                                     FALSE);
          g_printerr ("leanspec-ctl: %s: %s\n", path, text);
        }
      return TRUE;
    }

  {
    g_autofree char *id = lean_trust_escape (agent_id, FALSE);
    g_autofree char *path = lean_trust_escape (lean_agent_get_origin (agent), FALSE);

    *exit_code = ctl_report_message (CTL_EXIT_FAILED,
                                     request != NULL && request->state == LEAN_TRUST_CHANGED
                                     ? _("the agent “%s” comes from %s, which changed since you "
                                         "trusted it; nothing was run. Review it with "
                                         "`leanspec-ctl trust --show`, then `leanspec-ctl trust`")
                                     : _("the agent “%s” comes from %s, which you have not "
                                         "trusted; nothing was run. Review it with "
                                         "`leanspec-ctl trust --show`, then `leanspec-ctl trust`"),
                                     id, path);
  }
  return FALSE;
}
