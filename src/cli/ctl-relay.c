/* SPDX-License-Identifier: MIT */
/* leanspec-ctl relay: the agent-relay servers shared with the app
 * (relays.json; tokens in the keyring), and a health check that scripts and
 * CI can run against a configured name or a bare URL. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ctl-private.h"
#include "lean-error.h"
#include "lean-relay-config.h"
#include "lean-relay-runner.h"

static gboolean
looks_like_url (const char *s)
{
  return strstr (s, "://") != NULL;
}

static LeanRelayConfig *
load_config (int *exit_code)
{
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!lean_relay_config_load (config, &error))
    {
      *exit_code = ctl_report_error (error);
      return NULL;
    }
  return g_steal_pointer (&config);
}

/* ---- relay check ---- */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Check;

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;

  check->ok = lean_relay_check_health_finish (result, &check->error);
  check->done = TRUE;
}

static int
relay_check (CtlContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(LeanRelayConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  const char *server;
  const char *name = NULL;
  gboolean json = FALSE;
  gboolean insecure_token = FALSE;
  Check check = { 0 };
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "allow-insecure-token", 0, 0, G_OPTION_ARG_NONE, &insecure_token,
      N_("Send the token over ws:// to another computer (unencrypted)"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, _("SERVER"),
                          _("Ask an agent-relay HQ whether it is up (GET /health)."),
                          _("SERVER is the name of a configured relay server or an address\n"
                            "(ws://host:port, wss://host:port, http(s)://host:port).\n"
                            "The token comes from LEANSPEC_RELAY_TOKEN, or from the keyring\n"
                            "for a configured server. Exit status 0 when the relay answers\n"
                            "{\"status\":\"ok\"}, 1 when it does not.\n"),
                          entries, 1, 1, &exit_code))
    return exit_code;
  server = argv[1];

  if (looks_like_url (server))
    {
      url = lean_relay_normalize_url (server, &error);
      if (url == NULL)
        return ctl_report_error (error);
      token = g_strdup (g_getenv ("LEANSPEC_RELAY_TOKEN"));
    }
  else
    {
      const LeanRelayServer *s;

      if ((config = load_config (&exit_code)) == NULL)
        return exit_code;
      s = lean_relay_config_lookup (config, server);
      if (s == NULL)
        return ctl_report_message (CTL_EXIT_FAILED,
                                   _("no relay server named “%s” is configured (see "
                                     "“leanspec-ctl relay list”); give an address like "
                                     "ws://host:8080 instead"), server);
      name = s->name;
      url = g_strdup (s->url);
      insecure_token = insecure_token || s->allow_insecure_token;
      /* No keyring (CI, ssh): today's HQ does not need a client token. */
      token = lean_relay_token_lookup_sync (s->name, NULL, NULL);
    }

  if (token != NULL && *token != '\0'
      && !lean_relay_token_allowed (url, name, insecure_token, &error))
    return ctl_report_error (error);

  lean_relay_check_health_async (url, token, NULL, on_checked, &check);
  while (!check.done)
    g_main_context_iteration (NULL, TRUE);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "server");
      if (name != NULL)
        json_builder_add_string_value (b, name);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, check.ok);
      json_builder_set_member_name (b, "message");
      if (check.error != NULL)
        json_builder_add_string_value (b, check.error->message);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
      g_clear_error (&check.error);
      return check.ok ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  if (!check.ok)
    {
      exit_code = ctl_report_message (CTL_EXIT_FAILED, "%s", check.error->message);
      g_clear_error (&check.error);
      return exit_code;
    }
  if (name != NULL)
    g_print (_("relay %s (%s) is up\n"), name, url);
  else
    g_print (_("relay %s is up\n"), url);
  return CTL_EXIT_OK;
}

/* ---- relay list ---- */

static int
relay_list (CtlContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(LeanRelayConfig) config = NULL;
  gboolean json = FALSE;
  int exit_code = CTL_EXIT_OK;
  guint n;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the servers as JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL, _("List the configured relay servers."), NULL,
                          entries, 0, 0, &exit_code))
    return exit_code;
  if ((config = load_config (&exit_code)) == NULL)
    return exit_code;
  n = lean_relay_config_get_n_servers (config);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          const LeanRelayServer *s = lean_relay_config_get_server (config, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, s->name);
          json_builder_set_member_name (b, "url");
          json_builder_add_string_value (b, s->url);
          json_builder_set_member_name (b, "default_runner");
          if (s->default_runner != NULL)
            json_builder_add_string_value (b, s->default_runner);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "runners");
          json_builder_begin_array (b);
          for (guint j = 0; s->runner_ids && s->runner_ids[j]; j++)
            json_builder_add_string_value (b, s->runner_ids[j]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
      return CTL_EXIT_OK;
    }

  if (n == 0)
    {
      g_print (_("No relay servers configured (see “leanspec-ctl relay add --help”).\n"));
      return CTL_EXIT_OK;
    }
  for (guint i = 0; i < n; i++)
    {
      const LeanRelayServer *s = lean_relay_config_get_server (config, i);
      g_autofree char *runners = s->runner_ids ? g_strjoinv (", ", s->runner_ids) : NULL;

      g_print ("%-12s %s", s->name, s->url);
      if (s->default_runner != NULL)
        g_print (_("  default runner: %s"), s->default_runner);
      if (runners != NULL && *runners != '\0')
        g_print (_("  runners: %s"), runners);
      g_print ("\n");
    }
  return CTL_EXIT_OK;
}

/* ---- relay add / remove ---- */

static int
relay_add (CtlContext  *ctx,
           int          argc,
           char       **argv)
{
  g_autoptr(LeanRelayConfig) config = NULL;
  g_autoptr(LeanRelayServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *default_runner = NULL;
  g_auto(GStrv) runners = NULL;
  gboolean token_stdin = FALSE;
  gboolean insecure_token = FALSE;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "default-runner", 0, 0, G_OPTION_ARG_STRING, &default_runner,
      N_("Runner used by relay:NAME without /RUNNER_ID"), N_("ID") },
    { "runner", 0, 0, G_OPTION_ARG_STRING_ARRAY, &runners,
      N_("A runner id on this relay (repeat for several)"), N_("ID") },
    { "token-stdin", 0, 0, G_OPTION_ARG_NONE, &token_stdin,
      N_("Read the token from stdin and keep it in the keyring"), NULL },
    { "allow-insecure-token", 0, 0, G_OPTION_ARG_NONE, &insecure_token,
      N_("Allow sending the token over ws:// to another computer (unencrypted)"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, _("NAME URL"),
                          _("Add or replace a relay server."),
                          _("URL is ws://host:port or wss://host:port (HQ listens on :8080 by\n"
                            "default). Tokens never go into relays.json: use --token-stdin\n"
                            "(keyring) or LEANSPEC_RELAY_TOKEN.\n"),
                          entries, 2, 2, &exit_code))
    return exit_code;
  if ((config = load_config (&exit_code)) == NULL)
    return exit_code;

  server = lean_relay_server_new (argv[1], argv[2]);
  server->default_runner = g_steal_pointer (&default_runner);
  server->runner_ids = g_steal_pointer (&runners);
  server->allow_insecure_token = insecure_token;
  if (!lean_relay_config_set_server (config, server, &error)
      || !lean_relay_config_save (config, &error))
    return ctl_report_error (error);

  if (token_stdin)
    {
      g_autoptr(GString) token = g_string_new (NULL);
      char buf[512];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (token, buf, n);
      g_strstrip (token->str);
      if (!lean_relay_token_store_sync (argv[1], token->str, NULL, &error))
        return ctl_report_message (CTL_EXIT_FAILED, _("relay %s was saved, but not its token: %s"),
                                   argv[1], error->message);
      memset (token->str, 0, token->allocated_len);
    }

  g_print (_("relay %s saved in %s\n"), argv[1], lean_relay_config_get_path (config));
  return CTL_EXIT_OK;
}

static int
relay_remove (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(LeanRelayConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = CTL_EXIT_OK;

  if (!ctl_parse_options (&argc, &argv, _("NAME"), _("Remove a relay server and its token."),
                          NULL, NULL, 1, 1, &exit_code))
    return exit_code;
  if ((config = load_config (&exit_code)) == NULL)
    return exit_code;
  if (!lean_relay_config_remove_server (config, argv[1]))
    return ctl_report_message (CTL_EXIT_FAILED, _("no relay server named “%s” is configured"),
                               argv[1]);
  if (!lean_relay_config_save (config, &error))
    return ctl_report_error (error);
  /* The keyring may be absent (CI): then there is no token to remove. */
  lean_relay_token_store_sync (argv[1], NULL, NULL, NULL);
  return CTL_EXIT_OK;
}

/* ---- dispatch ---- */

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (CtlContext *ctx, int argc, char **argv);
} RelayCommand;

static const RelayCommand relay_commands[] = {
  { "check",  N_("Ask a relay whether it is up (GET /health)"), relay_check },
  { "list",   N_("List the configured relay servers"),          relay_list },
  { "add",    N_("Add or replace a relay server"),              relay_add },
  { "remove", N_("Remove a relay server and its token"),        relay_remove },
};

static void
print_relay_help (FILE *out)
{
  fprintf (out, "%s", _("Usage:\n  leanspec-ctl relay COMMAND [OPTION…]\n\n"
                        "Manage agent-relay servers (shared with the app) and check them.\n\n"
                        "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (relay_commands); i++)
    fprintf (out, "  %-8s %s\n", relay_commands[i].name, _(relay_commands[i].summary));
  fprintf (out, "%s", _("\nRun sessions on a relay with "
                        "“leanspec-ctl implement SPEC --runner relay:SERVER[/RUNNER_ID]”.\n"));
}

int
ctl_cmd_relay (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autofree char *prgname = NULL;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_relay_help (argc < 2 ? stderr : stdout);
      return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (relay_commands); i++)
    if (g_str_equal (argv[1], relay_commands[i].name))
      {
        prgname = g_strdup_printf ("leanspec-ctl relay %s", relay_commands[i].name);
        g_set_prgname (prgname);
        argv[1] = prgname;
        return relay_commands[i].run (ctx, argc - 1, argv + 1);
      }

  return ctl_report_message (CTL_EXIT_USAGE,
                             _("unknown relay command “%s” (see “leanspec-ctl relay --help”)"),
                             argv[1]);
}
