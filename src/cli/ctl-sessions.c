/* SPDX-License-Identifier: MIT */
/* leanspec-ctl implement / sessions: AI coding sessions from the command
 * line, on the same database as the app (LEANSPEC_DB overrides its path). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "ctl-private.h"
#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-error.h"
#include "lean-json.h"
#include "lean-prompt.h"
#include "lean-session-db.h"
#include "lean-session-export.h"
#include "lean-session-log.h"
#include "lean-spec-status-follower.h"
#include "lean-validation-store.h"

#define DB_HELP \
  N_("Sessions are stored in $XDG_DATA_HOME/leanspec-desktop/sessions.db, shared with the\n" \
     "app; set LEANSPEC_DB=FILE to use another database file.")

LeanSessionDb *
ctl_open_db (int *exit_code)
{
  g_autoptr(GError) error = NULL;
  LeanSessionDb *db = lean_session_db_open (NULL, &error);

  if (db == NULL)
    {
      *exit_code = ctl_report_error (error);
      return NULL;
    }
  /* What a crashed owner left running is history before it is listed; its
   * orphaned agent is stopped, as the app does at start. */
  if (!lean_session_db_recover (db, LEAN_SESSION_RECOVER_STOP_ORPHANED_AGENTS, NULL, &error))
    g_printerr ("%s\n", error->message);
  ctl_devlog_attach (db);
  return db;
}

static char *
format_time (GDateTime *dt)
{
  g_autoptr(GDateTime) local = NULL;

  if (dt == NULL)
    return g_strdup ("-");
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static JsonNode *
session_to_json (LeanSession *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  lean_session_add_json_members (session, b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One JSON object on one line, for --json streams. */
static void
print_json_line (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
write_stdout (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  fwrite (data, 1, len, stdout);
  fflush (stdout);
}

/* A session's log read from offset 0 (`sessions logs`, and what
 * `implement` shows as its agent runs); with --follow, read again
 * each time the log announces more (it watches the database for another
 * process's commits), until it has ended and everything is printed. */
typedef struct
{
  LeanSessionLog    *log;
  LeanOutputChannel  channel;
  void             (*print) (GBytes  *bytes,
                             gpointer data);  /* NULL: to stdout as they are */
  gpointer           print_data;
  guint64            printed;
  gboolean           reading;
  gboolean           follow;
  gboolean           done;
  GError            *error;
} LogsRun;

static void logs_read (LogsRun *run);

static void
on_logs_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LogsRun *run = user_data;
  g_autoptr(GBytes) bytes = lean_session_log_read_finish (LEAN_SESSION_LOG (source), result,
                                                          &run->error);

  run->reading = FALSE;
  if (bytes == NULL)
    {
      run->done = TRUE;
      return;
    }
  if (run->print != NULL)
    run->print (bytes, run->print_data);
  else
    write_stdout (bytes);
  run->printed += g_bytes_get_size (bytes);
  logs_read (run);
}

static void
logs_read (LogsRun *run)
{
  if (run->reading || run->done)
    return;
  if (run->printed < lean_session_log_get_length (run->log, run->channel))
    {
      run->reading = TRUE;
      lean_session_log_read_async (run->log, run->channel, run->printed, 1024 * 1024, NULL,
                                   on_logs_read, run);
    }
  else if (!run->follow || lean_session_log_get_ended (run->log))
    run->done = TRUE;
}

/* Connected swapped: whatever the signal carries, look again. */
static void
on_logs_changed (LogsRun *run)
{
  logs_read (run);
}

/* ---- implement ---- */

typedef struct
{
  LeanController *controller;
  LeanSession    *session;
  LeanSessionDb  *db;
  gboolean        json;
  gboolean        interrupted;
  int             signum;
  gint64          event_seq;
  guint           stdin_source;
  guint           winch_source;
  gboolean        raw_mode;
  struct termios  saved_termios;
} Run;

static void
emit_new_events (Run *run)
{
  g_autoptr(GPtrArray) events = NULL;

  events = lean_session_db_read_events (run->db, lean_session_get_id (run->session),
                                        run->event_seq, NULL);
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      LeanSessionEvent *ev = g_ptr_array_index (events, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) payload = NULL;
      g_autoptr(JsonNode) root = NULL;

      run->event_seq = ev->seq;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, ev->kind);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, ev->seq);
      json_builder_set_member_name (b, "ts");
      json_builder_add_int_value (b, ev->ts / 1000);
      json_builder_set_member_name (b, "data");
      payload = ev->payload ? lean_json_parse (ev->payload, -1, 0, NULL) : NULL;
      if (payload != NULL)
        json_builder_add_value (b, g_steal_pointer (&payload));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json_line (root);
    }
}

/* What a view shows of the running session: its log's display channel. */
static void
on_output (GBytes   *bytes,
           gpointer  user_data)
{
  Run *run = user_data;

  if (!run->json)
    {
      write_stdout (bytes);
      /* Nobody reads us any more (`| head`): stop the agent cleanly rather
       * than leave it working unseen. */
      if (ferror (stdout) && !run->interrupted)
        {
          run->interrupted = TRUE;
          run->signum = SIGPIPE;
          lean_controller_cancel (run->controller, run->session);
        }
      return;
    }
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      g_autofree char *text = g_utf8_make_valid (data, len);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "output");
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, text);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json_line (root);
    }
}

static gboolean
on_json_tick (gpointer data)
{
  Run *run = data;

  /* The events are the database's: what --json prints is what history
   * keeps. Flushing first makes them visible at once. */
  lean_session_db_flush (run->db);
  emit_new_events (run);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer data)
{
  Run *run = data;

  if (!run->interrupted)
    {
      run->interrupted = TRUE;
      g_printerr (_("\nleanspec-ctl: stopping the agent…\n"));
      lean_controller_cancel (run->controller, run->session);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer data)
{
  ((Run *)data)->signum = SIGINT;
  return on_signal (data);
}

static gboolean
on_sigterm (gpointer data)
{
  ((Run *)data)->signum = SIGTERM;
  return on_signal (data);
}

/* Guided mode: what the person types goes to the agent. */
static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     data)
{
  Run *run = data;
  char buffer[4096];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n <= 0)
    {
      run->stdin_source = 0;
      return G_SOURCE_REMOVE;
    }
  if (!lean_session_state_is_final (lean_session_get_state (run->session)))
    {
      g_autoptr(GBytes) bytes = g_bytes_new (buffer, n);
      lean_controller_send_input (run->controller, run->session, bytes, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_winch (gpointer data)
{
  Run *run = data;
  struct winsize ws = { 0 };

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
    lean_controller_resize (run->controller, run->session, ws.ws_row, ws.ws_col);
  return G_SOURCE_CONTINUE;
}

/* Guided mode on a terminal: keys go to the agent's own interface as they
 * are typed (Ctrl+C included, as in any TUI), and the window size follows. */
static void
attach_terminal (Run *run)
{
  struct termios raw;

  if (tcgetattr (STDIN_FILENO, &run->saved_termios) != 0)
    return;
  raw = run->saved_termios;
  cfmakeraw (&raw);
  raw.c_oflag = run->saved_termios.c_oflag;  /* keep our own "\n" -> "\r\n" */
  if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) != 0)
    return;
  run->raw_mode = TRUE;
  run->stdin_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP, on_stdin, run);
  run->winch_source = g_unix_signal_add (SIGWINCH, on_winch, run);
}

static void
detach_terminal (Run *run)
{
  g_clear_handle_id (&run->stdin_source, g_source_remove);
  g_clear_handle_id (&run->winch_source, g_source_remove);
  if (run->raw_mode)
    tcsetattr (STDIN_FILENO, TCSANOW, &run->saved_termios);
  run->raw_mode = FALSE;
}

static char *
fallback_prompt (LeanProject *project,
                 LeanSpec    *spec)
{
  return g_strdup_printf ("Implement the LeanSpec spec %s (%s/README.md in the project at %s). "
                          "Keep its checklist current as you work.",
                          lean_spec_get_id (spec), lean_spec_get_dir (spec),
                          lean_project_get_root (project));
}

/* Its problems are the controller's to tell, for the agent asked for. */
static void
on_registry_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  lean_agent_registry_load_finish (LEAN_AGENT_REGISTRY (source), result, NULL);
}

int
ctl_cmd_implement (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autofree char *agent = NULL;
  g_autofree char *mode_str = NULL;
  g_autofree char *model = NULL;
  g_autofree char *runner = NULL;
  g_autofree char *prompt_file = NULL;
  gboolean worktree = FALSE, json = FALSE, keep_status = FALSE, insecure_token = FALSE;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(LeanSpecStatusFollower) spec_status = NULL;
  g_autoptr(LeanAgentRegistry) registry = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSession) session = NULL;
  LeanSessionMode mode = LEAN_SESSION_MODE_AUTONOMOUS;
  LeanSessionState state;
  LeanSpec *spec;
  Run run = { 0 };
  LogsRun logs = { 0 };
  guint sigint_id, sigterm_id, tick_id = 0;
  struct winsize ws = { 0 };
  int exit_code;
  const GOptionEntry entries[] = {
    { "agent", 'a', 0, G_OPTION_ARG_STRING, &agent,
      N_("Agent to run: claude, codex, gemini, copilot, cursor, opencode, amp, aider or a "
         "runners.json id (default: the project's default)"), N_("AGENT") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode_str,
      N_("autonomous (headless, default) or guided (the agent's own interface)"), N_("MODE") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("Model to ask the agent for"),
      N_("MODEL") },
    { "worktree", 'w', 0, G_OPTION_ARG_NONE, &worktree,
      N_("Run in a new git worktree on a branch leanspec/SPEC-ID"), NULL },
    { "runner", 0, 0, G_OPTION_ARG_STRING, &runner,
      N_("local (default) or relay:SERVER/RUNNER"), N_("RUNNER") },
    { "prompt-file", 0, 0, G_OPTION_ARG_FILENAME, &prompt_file,
      N_("Use this prompt instead of the one built from the spec"), N_("FILE") },
    { "keep-status", 0, 0, G_OPTION_ARG_NONE, &keep_status,
      N_("Do not move the spec to in-progress"), NULL },
    { "allow-insecure-token", 0, 0, G_OPTION_ARG_NONE, &insecure_token,
      N_("Send the relay token over ws:// to another computer (unencrypted)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Stream the session's events and output as JSON lines"), NULL },
    { NULL }
  };

  if (ctl_argv_has_ralph (argc, argv))
    return ctl_cmd_implement_ralph (ctx, argc, argv);
  if (!ctl_parse_options (&argc, &argv, "SPEC",
                          _("Implement a spec with an AI coding agent, attached: the agent's "
                            "output streams to stdout and the exit status is the session's "
                            "(0 completed, 1 failed, 130 cancelled by Ctrl+C). With --ralph, a "
                            "loop of sessions and validations (see “implement SPEC --ralph "
                            "--help”)."),
                          _(DB_HELP), entries, 1, 1, &exit_code))
    return exit_code;

  /* The relay runner is made by the controller: it reads this. */
  if (insecure_token)
    g_setenv ("LEANSPEC_RELAY_ALLOW_INSECURE_TOKEN", "1", TRUE);

  if (mode_str != NULL && !lean_session_mode_from_string (mode_str, &mode))
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("unknown mode “%s”: use autonomous or guided"), mode_str);

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;
  spec = lean_project_find_spec (project, specs, argv[1], &error);
  if (spec == NULL)
    return ctl_report_error (error);

  request = lean_session_request_new ();
  request->project_path = g_strdup (lean_project_get_root (project));
  request->spec_id = g_strdup (lean_spec_get_id (spec));
  request->mode = mode;
  request->model = g_strdup (model);
  request->runner = g_strdup (runner);
  request->use_worktree = worktree;
  request->set_in_progress = !keep_status;

  /* The agents the controller starts from: read once, here, with the
   * project's runners.json. */
  registry = lean_agent_registry_new ();
  lean_agent_registry_load_async (registry, request->project_path, NULL, on_registry_loaded,
                                  NULL);
  while (!lean_agent_registry_get_loaded (registry))
    g_main_context_iteration (NULL, TRUE);
  if (agent == NULL)
    agent = g_strdup (lean_agent_registry_get_default_id (registry));
  request->agent_id = g_strdup (agent);
  if (!ctl_trust_check_agent (request->project_path, agent, &exit_code))
    return exit_code;

  if (prompt_file != NULL)
    {
      if (!g_file_get_contents (prompt_file, &request->prompt, NULL, &error))
        return ctl_report_error (error);
    }
  else
    {
      request->prompt = lean_prompt_build (project, specs, spec, &error);
      if (request->prompt == NULL)
        {
          g_printerr ("leanspec-ctl: %s; using a short prompt\n", error->message);
          g_clear_error (&error);
          request->prompt = fallback_prompt (project, spec);
        }
    }

  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
    {
      request->rows = ws.ws_row;
      request->cols = ws.ws_col;
    }

  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  controller = lean_controller_new (db);
  lean_controller_set_registry (controller, registry);
  /* The spec goes to in-progress as the agent starts (unless
   * --keep-status), and back when the agent could not begin. */
  spec_status = lean_spec_status_follower_new (controller);
  /* A closed stdout is handled in on_output, not by dying with the agent
   * left behind. */
  signal (SIGPIPE, SIG_IGN);

  session = lean_controller_start (controller, request, &error);
  if (session == NULL)
    return ctl_report_error (error);
  g_object_ref (session);

  run.controller = controller;
  run.session = session;
  run.db = db;
  run.json = json;
  logs.log = lean_controller_get_log (controller, session);
  logs.channel = LEAN_OUTPUT_CHANNEL_DISPLAY;
  logs.print = on_output;
  logs.print_data = &run;
  logs.follow = TRUE;
  g_signal_connect_swapped (logs.log, "appended", G_CALLBACK (on_logs_changed), &logs);
  g_signal_connect_swapped (logs.log, "ended", G_CALLBACK (on_logs_changed), &logs);
  logs_read (&logs);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &run);
  if (mode == LEAN_SESSION_MODE_GUIDED && !json && isatty (STDIN_FILENO))
    attach_terminal (&run);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonNode) node = session_to_json (session);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "session");
      json_builder_set_member_name (b, "data");
      json_builder_add_value (b, g_steal_pointer (&node));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json_line (root);
      tick_id = g_timeout_add (200, on_json_tick, &run);
    }
  else
    g_printerr (_("leanspec-ctl: session %s: %s on %s\n"), lean_session_get_id (session),
                agent, lean_spec_get_id (spec));

  /* Exits with the spec as it will stay. */
  while (!lean_session_state_is_final (lean_session_get_state (session)) || !logs.done ||
         lean_spec_status_follower_get_busy (spec_status))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (logs.log, &logs);
  g_clear_error (&logs.error);

  g_clear_handle_id (&tick_id, g_source_remove);
  detach_terminal (&run);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  lean_session_db_flush (db);

  state = lean_session_get_state (session);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonNode) node = session_to_json (session);

      emit_new_events (&run);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "end");
      json_builder_set_member_name (b, "data");
      json_builder_add_value (b, g_steal_pointer (&node));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json_line (root);
    }
  else
    {
      g_printerr (_("leanspec-ctl: session %s %s"), lean_session_get_id (session),
                  lean_session_state_to_string (state));
      if (lean_session_get_message (session) != NULL)
        g_printerr (": %s", lean_session_get_message (session));
      g_printerr ("\n");
    }

  ctl_devlog_flush_at_exit (db);
  lean_session_db_close (db);

  switch (state)
    {
    case LEAN_SESSION_STATE_COMPLETED:
      return CTL_EXIT_OK;
    case LEAN_SESSION_STATE_CANCELLED:
      if (run.interrupted)
        return 128 + run.signum;
      return CTL_EXIT_FAILED;
    case LEAN_SESSION_STATE_PENDING:
    case LEAN_SESSION_STATE_RUNNING:
    case LEAN_SESSION_STATE_PAUSED:
    case LEAN_SESSION_STATE_VALIDATING:
    case LEAN_SESSION_STATE_FAILED:
    case LEAN_SESSION_STATE_INTERRUPTED:
    default:
      return CTL_EXIT_FAILED;
    }
}

/* ---- sessions list/show/logs/cancel ---- */

static gboolean
spec_matches (const char *spec_id,
              const char *filter)
{
  char *end = NULL;
  guint64 n;

  if (filter == NULL)
    return TRUE;
  if (spec_id == NULL)
    return FALSE;
  if (g_str_equal (spec_id, filter))
    return TRUE;
  /* "42" or "042" matches "042-name"; "name" matches "042-name". */
  n = g_ascii_strtoull (filter, &end, 10);
  if (end != filter && *end == '\0')
    return g_ascii_strtoull (spec_id, NULL, 10) == n && g_ascii_isdigit (spec_id[0]);
  {
    const char *dash = strchr (spec_id, '-');
    return dash != NULL && g_str_equal (dash + 1, filter);
  }
}

static int
sessions_list (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autofree char *spec = NULL;
  gboolean json = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(LeanValidationStore) store = NULL;
  int exit_code;
  guint n, shown = 0;
  const GOptionEntry entries[] = {
    { "spec", 's', 0, G_OPTION_ARG_STRING, &spec, N_("Only sessions of this spec"), N_("SPEC") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "", _("List stored sessions, newest first."),
                          _(DB_HELP), entries, 0, 0, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  list = lean_session_db_list (db, NULL, &error);
  if (list == NULL)
    return ctl_report_error (error);
  /* Which kind of session, and which Ralph chain and iteration, is kept
   * beside the sessions; without it every session is a plain "implement". */
  store = lean_validation_store_open (lean_session_db_get_path (db), NULL);

  n = g_list_model_get_n_items (list);
  json_builder_begin_array (b);
  if (!json && n > 0)
    g_print ("%-8s  %-11s  %-24s  %-10s  %-19s  %9s  %8s  %s\n", _("ID"), _("STATE"), _("SPEC"),
             _("AGENT"), _("STARTED"), _("TOKENS"), _("COST"), _("KIND"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanSession) s = g_list_model_get_item (list, i);
      g_autofree char *kind = NULL;
      g_autofree char *chain = NULL;
      guint iteration = 0;

      if (!spec_matches (lean_session_get_spec_id (s), spec))
        continue;
      shown++;
      if (store == NULL ||
          !lean_validation_store_get_session_link (store, lean_session_get_id (s), &kind, &chain,
                                                   &iteration, NULL))
        kind = g_strdup (LEAN_SESSION_KIND_IMPLEMENT);
      if (json)
        {
          g_autoptr(JsonNode) node = session_to_json (s);
          JsonObject *obj = json_node_get_object (node);

          json_object_set_string_member (obj, "kind", kind);
          if (chain != NULL)
            {
              json_object_set_string_member (obj, "chain", chain);
              json_object_set_int_member (obj, "iteration", iteration);
            }
          else
            json_object_set_null_member (obj, "chain");
          json_builder_add_value (b, g_steal_pointer (&node));
        }
      else
        {
          g_autofree char *kind_text = chain != NULL
            ? g_strdup_printf (_("%s, chain %.8s #%u"), kind, chain, iteration) : g_strdup (kind);
          g_autofree char *started = format_time (lean_session_get_started_at (s));
          g_autofree char *cost = lean_session_get_cost_usd (s) >= 0
            ? g_strdup_printf ("$%.4f", lean_session_get_cost_usd (s)) : g_strdup ("-");
          g_autofree char *state = NULL;
          const char *sgr = NULL;

          switch (lean_session_get_state (s))
            {
            case LEAN_SESSION_STATE_COMPLETED: sgr = "32"; break;
            case LEAN_SESSION_STATE_FAILED: sgr = "31"; break;
            case LEAN_SESSION_STATE_RUNNING: sgr = "34"; break;
            case LEAN_SESSION_STATE_PENDING:
            case LEAN_SESSION_STATE_PAUSED:
            case LEAN_SESSION_STATE_VALIDATING:
            case LEAN_SESSION_STATE_CANCELLED:
            case LEAN_SESSION_STATE_INTERRUPTED:
            default: sgr = "33"; break;
            }
          state = ctl_style (ctx, sgr, lean_session_state_to_string (lean_session_get_state (s)));
          g_print ("%-8.8s  %-*s  %-24s  %-10s  %-19s  %9" G_GUINT64_FORMAT "  %8s  %s\n",
                   lean_session_get_id (s),
                   (int)(11 + strlen (state) -
                         strlen (lean_session_state_to_string (lean_session_get_state (s)))),
                   state, lean_session_get_spec_id (s), lean_session_get_agent_id (s), started,
                   lean_session_get_input_tokens (s) + lean_session_get_output_tokens (s), cost,
                   kind_text);
        }
    }
  json_builder_end_array (b);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      ctl_print_json (root);
    }
  else if (shown == 0)
    g_printerr (_("No sessions.\n"));
  return CTL_EXIT_OK;
}

static int
sessions_show (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  gboolean json = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "ID",
                          _("Show one session (ID may be a unique prefix)."), _(DB_HELP),
                          entries, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  s = lean_session_db_lookup (db, argv[1], &error);
  if (s == NULL)
    return ctl_report_error (error);
  events = lean_session_db_read_events (db, lean_session_get_id (s), -1, &error);
  raw = lean_session_db_read_output_range (db, lean_session_get_id (s), LEAN_OUTPUT_CHANNEL_RAW,
                                           -1, NULL, &error);
  if (events == NULL || raw == NULL)
    return ctl_report_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = session_to_json (s);
      JsonObject *obj = json_node_get_object (root);
      g_autoptr(JsonArray) array = json_array_new ();

      json_object_set_int_member (obj, "output_bytes", g_bytes_get_size (raw));
      for (guint i = 0; i < events->len; i++)
        {
          LeanSessionEvent *ev = g_ptr_array_index (events, i);
          JsonObject *e = json_object_new ();
          JsonNode *payload = ev->payload ? lean_json_parse (ev->payload, -1, 0, NULL) : NULL;

          json_object_set_int_member (e, "seq", ev->seq);
          json_object_set_int_member (e, "ts", ev->ts / 1000);
          json_object_set_string_member (e, "kind", ev->kind);
          json_object_set_member (e, "data", payload ? payload : json_node_new (JSON_NODE_NULL));
          json_array_add_object_element (array, e);
        }
      json_object_set_array_member (obj, "events", g_steal_pointer (&array));
      ctl_print_json (root);
    }
  else
    {
      g_autofree char *started = format_time (lean_session_get_started_at (s));
      g_autofree char *ended = format_time (lean_session_get_ended_at (s));

      g_print ("%-10s %s\n", _("Session"), lean_session_get_id (s));
      g_print ("%-10s %s\n", _("Spec"), lean_session_get_spec_id (s));
      g_print ("%-10s %s\n", _("Project"), lean_session_get_project_path (s));
      g_print ("%-10s %s (%s)\n", _("Agent"), lean_session_get_agent_id (s),
               lean_session_mode_to_string (lean_session_get_mode (s)));
      if (lean_session_get_model (s))
        g_print ("%-10s %s\n", _("Model"), lean_session_get_model (s));
      g_print ("%-10s %s\n", _("Runner"), lean_session_get_runner (s) ?: "local");
      g_print ("%-10s %s\n", _("State"),
               lean_session_state_to_string (lean_session_get_state (s)));
      if (lean_session_get_message (s))
        g_print ("%-10s %s\n", _("Message"), lean_session_get_message (s));
      g_print ("%-10s %s\n", _("Started"), started);
      g_print ("%-10s %s\n", _("Ended"), ended);
      if (lean_session_get_exit_code (s) >= 0)
        g_print ("%-10s %d\n", _("Exit"), lean_session_get_exit_code (s));
      if (lean_session_get_worktree_path (s))
        g_print ("%-10s %s (%s)\n", _("Worktree"), lean_session_get_worktree_path (s),
                 lean_session_get_branch (s));
      g_print ("%-10s %" G_GUINT64_FORMAT " in, %" G_GUINT64_FORMAT " out, %" G_GUINT64_FORMAT
               " cache\n", _("Tokens"), lean_session_get_input_tokens (s),
               lean_session_get_output_tokens (s), lean_session_get_cache_tokens (s));
      if (lean_session_get_cost_usd (s) >= 0)
        g_print ("%-10s $%.4f\n", _("Cost"), lean_session_get_cost_usd (s));
      g_print ("%-10s %" G_GSIZE_FORMAT " bytes, %u events\n", _("Output"),
               g_bytes_get_size (raw), events->len);
    }
  return CTL_EXIT_OK;
}

static int
sessions_logs (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  gboolean follow = FALSE, raw_channel = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(LeanSessionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  LogsRun run = { 0 };
  int exit_code;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow,
      N_("Keep printing new output until the session ends"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw_channel,
      N_("The agent's raw output (JSON for structured agents), not the rendered view"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "ID",
                          _("Print a session's output as its terminal showed it."), _(DB_HELP),
                          entries, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  s = lean_session_db_lookup (db, argv[1], &error);
  if (s == NULL)
    return ctl_report_error (error);

  log = lean_session_log_new (db, lean_session_get_id (s));
  run.log = log;
  run.channel = raw_channel ? LEAN_OUTPUT_CHANNEL_RAW : LEAN_OUTPUT_CHANNEL_DISPLAY;
  run.follow = follow;
  /* The log's first look at the database ("refreshed") tells how much is
   * stored; "appended" tells what comes after. */
  g_signal_connect_swapped (log, "refreshed", G_CALLBACK (on_logs_changed), &run);
  g_signal_connect_swapped (log, "appended", G_CALLBACK (on_logs_changed), &run);
  g_signal_connect_swapped (log, "ended", G_CALLBACK (on_logs_changed), &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (log, &run);

  if (run.error != NULL)
    {
      exit_code = ctl_report_error (run.error);
      g_clear_error (&run.error);
      return exit_code;
    }
  return CTL_EXIT_OK;
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
set_true_once (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static int
sessions_cancel (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionLog) log = NULL;
  int exit_code, owner = 0;
  gboolean ended = FALSE, timed_out = FALSE;
  guint timeout_id;

  if (!ctl_parse_options (&argc, &argv, "ID",
                          _("Cancel a running session: the program that runs it stops the "
                            "agent (SIGTERM, SIGKILL after 5 s)."), _(DB_HELP),
                          NULL, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  s = lean_session_db_lookup (db, argv[1], &error);
  if (s == NULL)
    return ctl_report_error (error);
  if (lean_session_state_is_final (lean_session_get_state (s)))
    return ctl_report_message (CTL_EXIT_FAILED, _("session %s has already ended (%s)"),
                               lean_session_get_id (s),
                               lean_session_state_to_string (lean_session_get_state (s)));

  if (!lean_session_db_owner_is_alive (db, lean_session_get_id (s), &owner, &error))
    {
      if (error != NULL)
        return ctl_report_error (error);
      return ctl_report_message (CTL_EXIT_FAILED,
                                 _("the program that ran session %s (process %d) is gone; "
                                   "the session is recorded as interrupted"),
                                 lean_session_get_id (s), owner);
    }

  /* The owner reads the request from the database when SIGUSR1 wakes it. */
  lean_session_db_request_cancel (db, lean_session_get_id (s));
  lean_session_db_flush (db);
  if (kill (owner, SIGUSR1) != 0)
    return ctl_report_message (CTL_EXIT_FAILED, _("could not signal process %d: %s"), owner,
                               g_strerror (errno));

  /* The owner records the end; the session's log sees that commit. */
  log = lean_session_log_new (db, lean_session_get_id (s));
  g_signal_connect_swapped (log, "ended", G_CALLBACK (set_true), &ended);
  timeout_id = g_timeout_add_seconds (10, set_true_once, &timed_out);
  while (!ended && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  if (ended)
    {
      g_autoptr(LeanSession) now = lean_session_db_lookup (db, lean_session_get_id (s), NULL);

      g_print (_("Session %s %s.\n"), lean_session_get_id (s),
               now ? lean_session_state_to_string (lean_session_get_state (now)) : "?");
      return CTL_EXIT_OK;
    }
  return ctl_report_message (CTL_EXIT_FAILED,
                             _("process %d did not stop session %s within 10 s"), owner,
                             lean_session_get_id (s));
}

static int
sessions_export (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) s = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  LeanSessionExportFormat format = LEAN_SESSION_EXPORT_CAST;
  int exit_code;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
      N_("cast (asciicast v2, for asciinema), text (escape sequences stripped) or json"),
      N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE, not stdout"),
      N_("FILE") },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "ID",
                          _("Export a session's output as a recording, text or JSON."),
                          _(DB_HELP), entries, 1, 1, &exit_code))
    return exit_code;
  if (format_name != NULL && !lean_session_export_format_from_string (format_name, &format))
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("--format “%s”: expected cast, text or json"), format_name);
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  s = lean_session_db_lookup (db, argv[1], &error);
  if (s == NULL)
    return ctl_report_error (error);
  bytes = lean_session_export (db, s, format, &error);
  if (bytes == NULL)
    return ctl_report_error (error);

  if (output != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (bytes, &size);

      if (!g_file_set_contents_full (output, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                     &error))
        return ctl_report_message (CTL_EXIT_FAILED, "%s", error->message);
      return CTL_EXIT_OK;
    }
  /* The bytes as exported: a cast or JSON is escaped already, and text had
   * its escape sequences stripped. */
  write_stdout (bytes);
  if (ferror (stdout))
    return ctl_report_message (CTL_EXIT_FAILED, _("the export could not be written to stdout"));
  return CTL_EXIT_OK;
}

int
ctl_cmd_sessions (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  static const struct {
    const char *name;
    int (*run) (CtlContext *, int, char **);
  } subs[] = {
    { "list", sessions_list },
    { "show", sessions_show },
    { "logs", sessions_logs },
    { "cancel", sessions_cancel },
    { "export", sessions_export },
  };

  if (argc >= 2)
    {
      for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
        if (g_str_equal (argv[1], subs[i].name))
          {
            g_autofree char *name = g_strdup_printf ("%s %s", argv[0], argv[1]);
            g_autofree char **sub_argv = g_new0 (char *, argc);
            int ret;

            sub_argv[0] = name;
            for (int j = 2; j < argc; j++)
              sub_argv[j - 1] = argv[j];
            ret = subs[i].run (ctx, argc - 1, sub_argv);
            return ret;
          }
    }

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print (_("Usage:\n  %s list|show|logs|cancel|export …\n\n"
                 "  list [--spec SPEC] [--json]   stored sessions, newest first\n"
                 "  show ID [--json]              one session, with its events\n"
                 "  logs ID [--follow] [--raw]    its output as the terminal showed it\n"
                 "  cancel ID                     stop a session run by another process\n"
                 "  export ID [--format cast|text|json] [-o FILE]\n"
                 "                                a recording (asciicast v2), text or JSON\n\n%s\n"),
               argv[0], _(DB_HELP));
      return CTL_EXIT_OK;
    }
  return ctl_report_message (CTL_EXIT_USAGE,
                             _("expected list, show, logs, cancel or export (see “%s --help”)"),
                             argv[0]);
}
