/* SPDX-License-Identifier: MIT */
/* leanspec-ctl: the headless front end over the LeanSpec core. This file
 * holds the global options and the subcommand table; each subcommand lives in
 * its own ctl-*.c and parses its own options. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ctl-private.h"

/* Built as leanspec-ctl (CTL_SPECS_ONLY), the commands that need the
 * higher wings of the core have no function here: leanspec-ctl-full runs
 * them (see src/cli/meson.build). */
#ifdef CTL_SPECS_ONLY
#define FULL(func) NULL
#else
#define FULL(func) func
#endif

static const CtlCommand commands[] = {
  { "list",     N_("List specs, optionally filtered"),             ctl_cmd_list },
  { "show",     N_("Show one spec's metadata and body"),           ctl_cmd_show },
  { "set",      N_("Change a spec's status, priority or assignee"), ctl_cmd_set },
  { "complete", N_("Mark a spec complete"),                        ctl_cmd_complete },
  { "stats",    N_("Count specs by status, priority and tag"),     ctl_cmd_stats },
  { "board",    N_("Show specs grouped by status"),                ctl_cmd_board },
  { "tokens",   N_("Count a spec's tokens as LeanSpec does"),      ctl_cmd_tokens },
  { "lint",     N_("Check specs with LeanSpec's rules"),           ctl_cmd_lint },
  { "implement", N_("Implement a spec with an AI agent, attached"), FULL (ctl_cmd_implement) },
  { "sessions", N_("List, show, follow or cancel AI sessions"),    FULL (ctl_cmd_sessions) },
  { "review",   N_("Show what a session changed"),                FULL (ctl_cmd_review) },
  { "land",     N_("Commit a session's work and merge its branch"), FULL (ctl_cmd_land) },
  { "discard",  N_("Drop a session's worktree and branch"),        FULL (ctl_cmd_discard) },
  { "followup", N_("Send a session's agent more work in the same tree"), FULL (ctl_cmd_followup) },
  { "worktrees", N_("List or prune the worktrees of ended sessions"), FULL (ctl_cmd_worktrees) },
  { "validate", N_("Run the checks, completion rules and AI critic on a spec"), FULL (ctl_cmd_validate) },
  { "relay",    N_("Manage agent-relay servers and check they answer"), FULL (ctl_cmd_relay) },
  { "trust",    N_("Review and trust this project's agent commands"), FULL (ctl_cmd_trust) },
  { "devlog",   N_("Send session telemetry to Devlog"),            FULL (ctl_cmd_devlog) },
  { "metrics",  N_("Sessions, tokens, cost and completed specs over time"), FULL (ctl_cmd_metrics) },
};

#ifdef CTL_SPECS_ONLY
/* Runs the same command line with leanspec-ctl-full: beside this program
 * in a build tree, else where it is installed. Returns only on failure. */
static int
exec_full (char **argv)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside = dir != NULL ? g_build_filename (dir, "leanspec-ctl-full", NULL) : NULL;
  const char *path = LIBEXECDIR "/leanspec-ctl-full";
  int errsv;

  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    path = beside;
  execv (path, argv);
  errsv = errno;
  return ctl_report_message (CTL_EXIT_FAILED, _("cannot run %s: %s"), path, g_strerror (errsv));
}
#endif

static const CtlCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static char *
describe_commands (void)
{
  GString *str = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (str, "  %-10s %s\n", commands[i].name, _(commands[i].summary));

  g_string_append (str, _("\n"
                          "Run “leanspec-ctl COMMAND --help” for a command's options.\n"
                          "SPEC is a spec number (42 or 042), its folder name (042-foo) or slug.\n"
                          "\n"
                          "Exit status: 0 on success, 1 when the command failed (no project,\n"
                          "unknown or ambiguous spec, file changed on disk, completion refused),\n"
                          "2 on a usage error (unknown option, invalid status or priority).\n"
                          "Errors are one line on stderr; broken spec files are reported on\n"
                          "stderr as “path: reason” while the other specs are still used."));
  return g_string_free (str, FALSE);
}

/* GOption's help text ends without a newline when there is a description. */
static void
print_help (GOptionContext *context,
            gboolean        to_stderr)
{
  g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);
  gsize len = strlen (text);
  const char *end = len > 0 && text[len - 1] == '\n' ? "" : "\n";

  if (to_stderr)
    g_printerr ("%s%s", text, end);
  else
    g_print ("%s%s", text, end);
}

gboolean
ctl_parse_options (int                 *argc,
                   char              ***argv,
                   const char          *parameter_string,
                   const char          *summary,
                   const char          *description,
                   const GOptionEntry  *entries,
                   int                  n_args_min,
                   int                  n_args_max,
                   int                 *exit_code)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean help = FALSE;
  int n_args;
  const GOptionEntry help_entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, N_("Show this help"), NULL },
    { NULL }
  };

  context = g_option_context_new (parameter_string);
  /* Our own --help entry, so asking for help returns instead of exit()ing. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, help_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = ctl_report_message (CTL_EXIT_USAGE, "%s (see “%s --help”)",
                                       error->message, (*argv)[0]);
      return FALSE;
    }

  if (help)
    {
      print_help (context, FALSE);
      *exit_code = CTL_EXIT_OK;
      return FALSE;
    }

  n_args = *argc - 1;
  if (n_args < n_args_min)
    {
      *exit_code = ctl_report_message (CTL_EXIT_USAGE,
                                       _("missing %s (see “%s --help”)"),
                                       parameter_string, (*argv)[0]);
      return FALSE;
    }
  if (n_args_max >= 0 && n_args > n_args_max)
    {
      *exit_code = ctl_report_message (CTL_EXIT_USAGE,
                                       _("unexpected argument “%s” (see “%s --help”)"),
                                       (*argv)[1 + n_args_max], (*argv)[0]);
      return FALSE;
    }

  return TRUE;
}

static gboolean
want_color (void)
{
  const char *term = g_getenv ("TERM");

  /* https://no-color.org: any non-empty NO_COLOR turns colour off. */
  if (g_getenv ("NO_COLOR") != NULL && *g_getenv ("NO_COLOR") != '\0')
    return FALSE;
  if (term != NULL && g_str_equal (term, "dumb"))
    return FALSE;
  return isatty (STDOUT_FILENO);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *prgname = NULL;
  gboolean version = FALSE;
  gboolean help = FALSE;
  const CtlCommand *command;
  CtlContext ctx = { 0 };
  int exit_code;
#ifdef CTL_SPECS_ONLY
  /* As given: option parsing below rearranges argv. */
  g_auto(GStrv) given = g_strdupv (argv);
#endif
  const GOptionEntry entries[] = {
    { "directory", 'C', 0, G_OPTION_ARG_FILENAME, &directory,
      N_("Use the LeanSpec project that contains DIR instead of the current folder"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, N_("Show this help"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("leanspec-ctl");
  ctl_install_output_filter ();

  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_summary (context, _("Read and change the specs of a LeanSpec project."));
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_set_help_enabled (context, FALSE);
  /* Stop at the subcommand name: what follows belongs to the subcommand. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ctl_report_message (CTL_EXIT_USAGE, "%s (see “leanspec-ctl --help”)", error->message);

  if (version)
    {
      g_print ("leanspec-ctl %s\n", PACKAGE_VERSION);
      return CTL_EXIT_OK;
    }

  if (help || argc < 2)
    {
      print_help (context, !help);
      return help ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }

  /* `leanspec-ctl help list` is `leanspec-ctl list --help`. */
  if (g_str_equal (argv[1], "help"))
    {
      static char help_arg[] = "--help";

      if (argc < 3)
        {
          print_help (context, FALSE);
          return CTL_EXIT_OK;
        }
      argv[1] = argv[2];
      argv[2] = help_arg;
      argc = 3;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("unknown command “%s” (see “leanspec-ctl --help”)"),
                               argv[1]);
#ifdef CTL_SPECS_ONLY
  if (command->run == NULL)
    return exec_full (given);
#endif

  ctx.directory = directory;
  ctx.color = want_color ();

  /* The subcommand sees "leanspec-ctl NAME" as its program name, so its
   * --help reads "Usage: leanspec-ctl list [OPTION…]". */
  prgname = g_strdup_printf ("leanspec-ctl %s", command->name);
  g_set_prgname (prgname);
  argv[1] = prgname;
  exit_code = command->run (&ctx, argc - 1, argv + 1);

  return exit_code;
}
