/* SPDX-License-Identifier: MIT */
/* leanspec-ctl devlog: telemetry to Devlog, shared with the app
 * (devlog.json; the token in the keyring), its outbox's figures, and a
 * flush that scripts and `implement` run before they exit. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ctl-private.h"
#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-devlog-settings.h"
#include "lean-error.h"
#include "lean-session-db.h"

#define TOKEN_MAX 4096

static char *
session_db_path (GError **error)
{
  g_autoptr(LeanSessionDb) db = lean_session_db_open (NULL, error);

  if (db == NULL)
    return NULL;
  return g_strdup (lean_session_db_get_path (db));
}

static char *
read_token_stdin (GError **error)
{
  g_autoptr(GString) token = g_string_new (NULL);
  char buf[512];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    {
      g_string_append_len (token, buf, n);
      if (token->len > TOKEN_MAX)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("the token on standard input is longer than %d bytes"), TOKEN_MAX);
          return NULL;
        }
    }
  g_strstrip (token->str);
  token->len = strlen (token->str);
  for (gsize i = 0; i < token->len; i++)
    if ((guchar)token->str[i] < 0x21 || (guchar)token->str[i] > 0x7e)
      {
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                     _("the token on standard input has spaces or control characters"));
        return NULL;
      }
  if (token->len == 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("no token on standard input"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&token), FALSE);
}

/* ---- devlog set ---- */

static int
devlog_set (CtlContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(LeanDevlogSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kind_text = NULL;
  g_autofree char *token = NULL;
  gint64 project_id = 0;
  gint64 max_queued = 0;
  gboolean token_stdin = FALSE;
  gboolean send_content = FALSE;
  gboolean no_content = FALSE;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_text,
      N_("collector (devlog start), backend (the web API) or auto (probe GET /health)"),
      N_("KIND") },
    { "project-id", 0, 0, G_OPTION_ARG_INT64, &project_id,
      N_("Devlog's project id for these events (default 1)"), N_("N") },
    { "token-stdin", 0, 0, G_OPTION_ARG_NONE, &token_stdin,
      N_("Read the backend's API token from standard input into the keyring"), NULL },
    { "max-queued", 0, 0, G_OPTION_ARG_INT64, &max_queued,
      N_("Keep at most N unsent events; past it the oldest are dropped (1000000)"), N_("N") },
    { "send-content", 0, 0, G_OPTION_ARG_NONE, &send_content,
      N_("Also send file contents, tool input and assistant text"), NULL },
    { "no-content", 0, 0, G_OPTION_ARG_NONE, &no_content,
      N_("Send no contents (the default)"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, _("URL"),
                          _("Send session telemetry to Devlog at URL."),
                          _("URL is the collector (http://localhost:3200 for “devlog start”)\n"
                            "or the web backend. Events are queued in the sessions database\n"
                            "and sent by the app, or by “implement” and “devlog flush”.\n"
                            "Paths, tool names, commands (cut to 512 bytes), token counts and\n"
                            "check results are sent; contents only with --send-content.\n"),
                          entries, 1, 1, &exit_code))
    return exit_code;

  if (!lean_devlog_url_check (argv[1], &error))
    return ctl_report_error (error);
  /* The file as stored, without this run's environment. */
  g_unsetenv ("LEANSPEC_DEVLOG_URL");
  settings = lean_devlog_settings_load (NULL, &error);
  if (settings == NULL)
    return ctl_report_error (error);
  g_free (settings->url);
  settings->url = g_strdup (argv[1]);
  if (kind_text != NULL && !lean_devlog_kind_from_string (kind_text, &settings->kind))
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("--kind must be collector, backend or auto, not “%s”"),
                               kind_text);
  if (project_id != 0)
    {
      if (project_id < 1 || project_id > G_MAXINT32)
        return ctl_report_message (CTL_EXIT_USAGE, _("--project-id must be a positive number"));
      settings->project_id = project_id;
    }
  if (max_queued != 0)
    {
      if (max_queued < 1)
        return ctl_report_message (CTL_EXIT_USAGE, _("--max-queued must be positive"));
      settings->max_queued = max_queued;
    }
  if (send_content)
    settings->send_content = TRUE;
  if (no_content)
    settings->send_content = FALSE;

  if (token_stdin)
    {
      token = read_token_stdin (&error);
      if (token == NULL)
        return ctl_report_error (error);
      if (!lean_devlog_token_store_sync (settings->url, token, NULL, &error))
        return ctl_report_error (error);
    }
  if (!lean_devlog_settings_save (settings, NULL, &error))
    return ctl_report_error (error);
  g_print (_("Telemetry goes to %s (%s, project %" G_GINT64_FORMAT ").\n"), settings->url,
           lean_devlog_kind_to_string (settings->kind), settings->project_id);
  return CTL_EXIT_OK;
}

/* ---- devlog off ---- */

static int
devlog_off (CtlContext  *ctx,
            int          argc,
            char       **argv)
{
  g_autoptr(LeanDevlogSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = CTL_EXIT_OK;

  if (!ctl_parse_options (&argc, &argv, NULL, _("Stop sending telemetry to Devlog."),
                          _("Nothing more is queued. Events already queued stay in the\n"
                            "sessions database until telemetry is set again.\n"),
                          NULL, 0, 0, &exit_code))
    return exit_code;

  g_unsetenv ("LEANSPEC_DEVLOG_URL");
  settings = lean_devlog_settings_load (NULL, &error);
  if (settings == NULL)
    return ctl_report_error (error);
  if (settings->url != NULL)
    {
      g_autoptr(GError) keyring_error = NULL;

      /* Without a keyring there is no stored token to forget. */
      lean_devlog_token_store_sync (settings->url, NULL, NULL, &keyring_error);
    }
  g_clear_pointer (&settings->url, g_free);
  if (!lean_devlog_settings_save (settings, NULL, &error))
    return ctl_report_error (error);
  g_print ("%s\n", _("Telemetry is off."));
  return CTL_EXIT_OK;
}

/* ---- devlog status ---- */

static char *
format_usec (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("never"));
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static int
devlog_status (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autoptr(LeanDevlogSettings) settings = NULL;
  g_autoptr(LeanDevlogStatus) st = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  sqlite3 *db;
  gboolean json = FALSE;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the figures as JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL,
                          _("Show where telemetry goes and what waits to be sent."),
                          NULL, entries, 0, 0, &exit_code))
    return exit_code;

  settings = lean_devlog_settings_load (NULL, &error);
  if (settings == NULL)
    return ctl_report_error (error);
  path = session_db_path (&error);
  db = path != NULL ? lean_devlog_outbox_open (path, &error) : NULL;
  if (db != NULL)
    st = lean_devlog_outbox_status (db, &error);
  sqlite3_close (db);
  if (st == NULL)
    return ctl_report_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, lean_devlog_settings_is_enabled (settings));
      json_builder_set_member_name (b, "url");
      if (settings->url != NULL)
        json_builder_add_string_value (b, settings->url);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, lean_devlog_kind_to_string (settings->kind));
      json_builder_set_member_name (b, "projectId");
      json_builder_add_int_value (b, settings->project_id);
      json_builder_set_member_name (b, "sendContent");
      json_builder_add_boolean_value (b, settings->send_content);
      json_builder_set_member_name (b, "maxQueued");
      json_builder_add_int_value (b, settings->max_queued);
      json_builder_set_member_name (b, "queued");
      json_builder_add_int_value (b, st->queued);
      json_builder_set_member_name (b, "dropped");
      json_builder_add_int_value (b, st->dropped);
      json_builder_set_member_name (b, "parked");
      json_builder_add_int_value (b, st->parked);
      json_builder_set_member_name (b, "delivered");
      json_builder_add_int_value (b, st->delivered);
      json_builder_set_member_name (b, "lastDelivery");
      if (st->last_delivery > 0)
        json_builder_add_int_value (b, st->last_delivery / G_USEC_PER_SEC);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "lastError");
      if (st->last_error != NULL)
        json_builder_add_string_value (b, st->last_error);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "lastParked");
      if (st->last_parked != NULL)
        json_builder_add_string_value (b, st->last_parked);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
      return CTL_EXIT_OK;
    }

  {
    g_autofree char *last = format_usec (st->last_delivery);

    if (lean_devlog_settings_is_enabled (settings))
      g_print (_("Telemetry: on, to %s (%s, project %" G_GINT64_FORMAT ")%s\n"), settings->url,
               lean_devlog_kind_to_string (settings->kind), settings->project_id,
               settings->url_from_env ? _(" from LEANSPEC_DEVLOG_URL") : "");
    else
      g_print ("%s\n", _("Telemetry: off"));
    g_print (_("Queued: %" G_GINT64_FORMAT "\n"), st->queued);
    g_print (_("Delivered: %" G_GINT64_FORMAT ", last %s\n"), st->delivered, last);
    if (st->dropped > 0)
      g_print (_("Dropped (outbox full): %" G_GINT64_FORMAT "\n"), st->dropped);
    if (st->parked > 0)
      g_print (_("Refused by Devlog and set aside: %" G_GINT64_FORMAT " (last answer: %s)\n"),
               st->parked, st->last_parked != NULL ? st->last_parked : "");
    if (st->last_error != NULL)
      g_print (_("Last error: %s\n"), st->last_error);
  }
  return CTL_EXIT_OK;
}

/* ---- devlog flush, and the helpers other commands use ---- */

/* Sends what is queued, waiting at most @timeout_s. TRUE when the outbox
 * was seen empty. */
static gboolean
flush_path (const char               *path,
            const LeanDevlogSettings *settings,
            double                    timeout_s)
{
  g_autoptr(LeanDevlogSender) sender = lean_devlog_sender_new (path);
  gboolean ok;

  lean_devlog_sender_set_settings (sender, settings);
  lean_devlog_sender_start (sender);
  ok = lean_devlog_sender_wait_empty (sender, (gint64)(timeout_s * G_USEC_PER_SEC));
  lean_devlog_sender_stop (sender);
  return ok;
}

static int
devlog_flush (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(LeanDevlogSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  double timeout = 30;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout,
      N_("Give up after S seconds (default 30); what is left stays queued"), N_("S") },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL, _("Send the queued telemetry to Devlog now."),
                          _("Exit status 0 once nothing is queued (sent by this command or\n"
                            "by the app), 1 when events are still queued at the timeout.\n"),
                          entries, 0, 0, &exit_code))
    return exit_code;
  if (!(timeout > 0) || timeout > 24 * 3600)
    return ctl_report_message (CTL_EXIT_USAGE, _("--timeout must be between 0 and 86400"));

  settings = lean_devlog_settings_load (NULL, &error);
  if (settings == NULL)
    return ctl_report_error (error);
  if (!lean_devlog_settings_is_enabled (settings))
    return ctl_report_message (CTL_EXIT_FAILED,
                               _("telemetry is off; turn it on with “leanspec-ctl devlog set "
                                 "URL”"));
  path = session_db_path (&error);
  if (path == NULL)
    return ctl_report_error (error);
  if (!flush_path (path, settings, timeout))
    {
      g_autoptr(LeanDevlogStatus) st = NULL;
      sqlite3 *db = lean_devlog_outbox_open (path, NULL);

      if (db != NULL)
        st = lean_devlog_outbox_status (db, NULL);
      sqlite3_close (db);
      return ctl_report_message (CTL_EXIT_FAILED,
                                 _("%" G_GINT64_FORMAT " events are still queued%s%s"),
                                 st != NULL ? st->queued : -1,
                                 st != NULL && st->last_error != NULL ? ": " : "",
                                 st != NULL && st->last_error != NULL ? st->last_error : "");
    }
  return CTL_EXIT_OK;
}

void
ctl_devlog_attach (LeanSessionDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanDevlogSettings) settings = lean_devlog_settings_load (NULL, &error);

  if (settings == NULL)
    g_printerr ("leanspec-ctl: %s; telemetry is off\n", error->message);
  lean_devlog_outbox_attach (db, settings);
}

void
ctl_devlog_flush_at_exit (LeanSessionDb *db)
{
  g_autoptr(LeanDevlogSettings) settings = lean_devlog_settings_load (NULL, NULL);

  if (!lean_devlog_settings_is_enabled (settings))
    return;
  lean_session_db_flush (db);
  /* Bounded: Devlog being down must not hold the shell. What is left is
   * sent by the app or the next command. */
  if (!flush_path (lean_session_db_get_path (db), settings, 10))
    g_printerr ("%s\n", _("leanspec-ctl: Devlog did not take every event in 10 s; the rest "
                          "stays queued (see “leanspec-ctl devlog status”)"));
}

static const CtlCommand devlog_commands[] = {
  { "set",    N_("Send telemetry to a Devlog collector or backend"), devlog_set },
  { "status", N_("Show the destination, queued events and the last error"), devlog_status },
  { "flush",  N_("Send the queued events now"), devlog_flush },
  { "off",    N_("Stop sending telemetry"), devlog_off },
};

static void
print_devlog_help (FILE *out)
{
  fprintf (out, "%s", _("Usage:\n  leanspec-ctl devlog COMMAND [OPTION…]\n\n"
                        "Session telemetry to Devlog (shared with the app).\n\n"
                        "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (devlog_commands); i++)
    fprintf (out, "  %-8s %s\n", devlog_commands[i].name, _(devlog_commands[i].summary));
  fprintf (out, "%s", _("\nLEANSPEC_DEVLOG_URL and LEANSPEC_DEVLOG_TOKEN override the stored "
                        "address and token.\n"));
}

int
ctl_cmd_devlog (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *prgname = NULL;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_devlog_help (argc < 2 ? stderr : stdout);
      return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (devlog_commands); i++)
    if (g_str_equal (argv[1], devlog_commands[i].name))
      {
        prgname = g_strdup_printf ("leanspec-ctl devlog %s", devlog_commands[i].name);
        g_set_prgname (prgname);
        argv[1] = prgname;
        return devlog_commands[i].run (ctx, argc - 1, argv + 1);
      }

  return ctl_report_message (CTL_EXIT_USAGE,
                             _("unknown devlog command “%s” (see “leanspec-ctl devlog --help”)"),
                             argv[1]);
}
