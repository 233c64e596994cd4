/* SPDX-License-Identifier: MIT */
/* leanspec-ctl implement SPEC --ralph: the Ralph loop, attached. Each
 * iteration is an agent session; after each, the project's checks and the
 * spec's completion rules decide whether the chain passed or the agent goes
 * again with what failed. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "ctl-private.h"
#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-error.h"
#include "lean-prompt.h"
#include "lean-ralph-loop.h"
#include "lean-session-db.h"
#include "lean-spec-status-follower.h"

#define CTL_EXIT_INTERRUPTED 130

typedef struct
{
  LeanRalphLoop  *loop;
  LeanController *controller;
  gboolean        json;
  gboolean        interrupted;
  gboolean        ended;
  /* The current iteration's output, read from its log as it grows. */
  LeanSessionLog *log;
  guint64         printed;
  gboolean        reading;
  /* --pause: the person's answers, read from stdin while the chain waits. */
  GDataInputStream *answers;
  GCancellable     *answering;
  GString          *new_feedback;  /* lines typed after "e" without an editor */
  GSubprocess      *editor;
  char             *editor_file;
  gboolean          answer_pending;  /* a read or the editor's wait is under way */
} RalphRun;

gboolean
ctl_argv_has_ralph (int    argc,
                    char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        return FALSE;
      if (g_str_equal (argv[i], "--ralph"))
        return TRUE;
    }
  return FALSE;
}

static void
print_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void read_output (RalphRun *run);

static void
on_output_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RalphRun *run = user_data;
  g_autoptr(GBytes) bytes = lean_session_log_read_finish (LEAN_SESSION_LOG (source), result,
                                                          NULL);

  run->reading = FALSE;
  if (LEAN_SESSION_LOG (source) != run->log)
    {
      /* The next iteration began meanwhile. */
      read_output (run);
      return;
    }
  if (bytes == NULL)
    {
      /* Unreadable: what is left is in the session's history. */
      run->printed = lean_session_log_get_length (run->log, LEAN_OUTPUT_CHANNEL_DISPLAY);
      return;
    }
  fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
  fflush (stdout);
  run->printed += g_bytes_get_size (bytes);
  read_output (run);
}

/* Connected swapped to the log's "appended". */
static void
read_output (RalphRun *run)
{
  if (run->reading || run->log == NULL ||
      run->printed >= lean_session_log_get_length (run->log, LEAN_OUTPUT_CHANNEL_DISPLAY))
    return;
  run->reading = TRUE;
  lean_session_log_read_async (run->log, LEAN_OUTPUT_CHANNEL_DISPLAY, run->printed,
                               1024 * 1024, NULL, on_output_read, run);
}

static void
follow_output (RalphRun    *run,
               LeanSession *session)
{
  if (run->log != NULL)
    g_signal_handlers_disconnect_by_data (run->log, run);
  g_clear_object (&run->log);
  run->printed = 0;
  if (run->json)
    return;
  run->log = g_object_ref (lean_controller_get_log (run->controller, session));
  g_signal_connect_swapped (run->log, "appended", G_CALLBACK (read_output), run);
  read_output (run);
}

static void
on_iteration_started (LeanRalphLoop *loop,
                      guint          k,
                      LeanSession   *session,
                      RalphRun      *run)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);

  follow_output (run, session);
  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "iteration_started");
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, k);
      json_builder_set_member_name (b, "session");
      json_builder_add_string_value (b, lean_session_get_id (session));
      json_builder_set_member_name (b, "chain");
      json_builder_add_string_value (b, lean_ralph_chain_get_id (chain));
      json_builder_end_object (b);
      print_line (b);
    }
  else
    g_printerr (_("leanspec-ctl: iteration %u of %u: session %s\n"), k,
                lean_ralph_chain_get_max_iterations (chain), lean_session_get_id (session));
}

static void
on_validation_finished (LeanRalphLoop  *loop,
                        guint           k,
                        LeanValidation *validation,
                        RalphRun       *run)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) whole = lean_validation_to_json (validation);
      JsonObject *obj = json_node_get_object (whole);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "validation");
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, k);
      json_builder_set_member_name (b, "passed");
      json_builder_add_boolean_value (b, lean_validation_get_passed (validation));
      json_builder_set_member_name (b, "checks");
      json_builder_add_value (b, json_node_copy (json_object_get_member (obj, "checks")));
      json_builder_set_member_name (b, "completion");
      json_builder_add_value (b, json_node_copy (json_object_get_member (obj, "completion")));
      json_builder_set_member_name (b, "critic");
      json_builder_add_value (b, json_node_copy (json_object_get_member (obj, "critic")));
      json_builder_end_object (b);
      print_line (b);
      return;
    }

  g_printerr (_("leanspec-ctl: iteration %u: %s\n"), k,
              lean_validation_get_passed (validation) ? _("validation passed")
                                                     : _("validation failed"));
  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    {
      LeanCheckRun *check_run = lean_validation_get_run (validation, i);

      g_printerr ("  %-8s %s\n", lean_check_status_to_string (lean_check_run_get_status (check_run)),
                  lean_check_run_get_check (check_run)->name);
    }
}

static void
on_ended (LeanRalphLoop *loop,
          int            stop,
          RalphRun      *run)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);

  run->ended = TRUE;
  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "chain_ended");
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, lean_ralph_stop_to_string (stop));
      json_builder_set_member_name (b, "iterations");
      json_builder_add_int_value (b, lean_ralph_chain_get_iteration (chain));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, lean_ralph_chain_get_stop_message (chain));
      json_builder_set_member_name (b, "chain");
      json_builder_add_string_value (b, lean_ralph_chain_get_id (chain));
      json_builder_end_object (b);
      print_line (b);
    }
  else
    g_printerr ("leanspec-ctl: %s\n", lean_ralph_chain_get_stop_message (chain));
}

static void
on_phase_started (LeanRalphLoop *loop,
                  guint          phase,
                  guint          n_phases,
                  const char    *title,
                  RalphRun      *run)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "phase_started");
      json_builder_set_member_name (b, "phase");
      json_builder_add_int_value (b, phase);
      json_builder_set_member_name (b, "phases");
      json_builder_add_int_value (b, n_phases);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, title);
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, lean_ralph_chain_get_iteration (
                                       lean_ralph_loop_get_chain (loop)));
      json_builder_end_object (b);
      print_line (b);
    }
  else
    /* g_printerr() strips control characters from the title. */
    g_printerr (_("leanspec-ctl: phase %u of %u: %s\n"), phase, n_phases, title);
}

static void
on_phase_ended (LeanRalphLoop  *loop,
                guint           phase,
                LeanValidation *validation,
                const char     *diff_summary,
                RalphRun       *run)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "phase_ended");
      json_builder_set_member_name (b, "phase");
      json_builder_add_int_value (b, phase);
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, lean_ralph_chain_get_iteration (
                                       lean_ralph_loop_get_chain (loop)));
      json_builder_set_member_name (b, "passed");
      json_builder_add_boolean_value (b, lean_validation_get_passed (validation));
      json_builder_set_member_name (b, "diff");
      json_builder_add_string_value (b, diff_summary);
      json_builder_end_object (b);
      print_line (b);
    }
  else
    g_printerr (_("leanspec-ctl: phase %u done: %s\n"), phase, diff_summary);
}

/* ---- --pause: the chain waits after each iteration that did not pass
 * (and at each phase's checkpoint) for the person's answer on stdin:
 * continue with the feedback, edit it, retry the phase, or stop. ---- */

static void ask (RalphRun *run);

static gboolean
is_phase_checkpoint (RalphRun *run)
{
  return lean_ralph_chain_get_phase (lean_ralph_loop_get_chain (run->loop)) > 0;
}

static void
print_feedback (RalphRun *run)
{
  const char *feedback = lean_ralph_chain_get_feedback (lean_ralph_loop_get_chain (run->loop));

  if (run->json)
    return;
  g_printerr (_("The next session will be told:\n"));
  g_printerr ("%s%s", feedback != NULL && *feedback != '\0' ? feedback : _("(nothing)"),
              feedback != NULL && g_str_has_suffix (feedback, "\n") ? "" : "\n");
}

static void
on_paused (LeanRalphLoop *loop,
           guint          k,
           RalphRun      *run)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  guint phase = lean_ralph_chain_get_phase (chain);

  if (run->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      const char *feedback = lean_ralph_chain_get_feedback (chain);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "paused");
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, k);
      json_builder_set_member_name (b, "phase");
      json_builder_add_int_value (b, phase);
      json_builder_set_member_name (b, "feedback");
      json_builder_add_string_value (b, feedback != NULL ? feedback : "");
      json_builder_end_object (b);
      print_line (b);
    }
  else if (phase > 0)
    g_printerr (_("leanspec-ctl: phase %u of %u is done (%s)\n"), phase,
                lean_ralph_chain_get_n_phases (chain), lean_ralph_loop_get_diff_summary (loop));
  else
    g_printerr (_("leanspec-ctl: iteration %u did not pass\n"), k);
  print_feedback (run);
  ask (run);
}

static void
stop_waiting (RalphRun *run,
              const char *why)
{
  if (why != NULL)
    g_printerr ("leanspec-ctl: %s\n", why);
  lean_ralph_loop_cancel (run->loop);
}

static gboolean
chain_is_paused (RalphRun *run)
{
  return !run->ended &&
         lean_ralph_chain_get_state (lean_ralph_loop_get_chain (run->loop)) ==
         LEAN_RALPH_STATE_PAUSED;
}

static void
on_editor_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RalphRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  run->answer_pending = FALSE;
  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_printerr (_("leanspec-ctl: the editor failed (%s); the feedback is unchanged\n"),
                  error->message);
    }
  else if (g_file_get_contents (run->editor_file, &text, NULL, &error))
    lean_ralph_chain_set_feedback (lean_ralph_loop_get_chain (run->loop), text);
  else
    g_printerr (_("leanspec-ctl: %s; the feedback is unchanged\n"), error->message);
  g_clear_object (&run->editor);
  g_unlink (run->editor_file);
  g_clear_pointer (&run->editor_file, g_free);
  if (!chain_is_paused (run))
    return;
  print_feedback (run);
  ask (run);
}

/* $VISUAL or $EDITOR (the person's own setting, not the project's) on a
 * file holding the feedback, when stdin is a terminal; FALSE when there is
 * none to start. */
static gboolean
edit_in_editor (RalphRun *run)
{
  const char *setting = g_getenv ("VISUAL");
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) error = NULL;
  const char *feedback;
  int fd;

  if (setting == NULL || *setting == '\0')
    setting = g_getenv ("EDITOR");
  if (setting == NULL || *setting == '\0' || !isatty (STDIN_FILENO) ||
      !g_shell_parse_argv (setting, NULL, &argv, NULL))
    return FALSE;
  fd = g_file_open_tmp ("leanspec-feedback-XXXXXX.md", &run->editor_file, &error);
  if (fd < 0)
    {
      g_printerr ("leanspec-ctl: %s\n", error->message);
      return FALSE;
    }
  close (fd);
  feedback = lean_ralph_chain_get_feedback (lean_ralph_loop_get_chain (run->loop));
  if (!g_file_set_contents (run->editor_file, feedback != NULL ? feedback : "", -1, &error))
    {
      g_printerr ("leanspec-ctl: %s\n", error->message);
      g_unlink (run->editor_file);
      g_clear_pointer (&run->editor_file, g_free);
      return FALSE;
    }
  args = g_ptr_array_new ();
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, run->editor_file);
  g_ptr_array_add (args, NULL);
  run->editor = g_subprocess_newv ((const char * const *)args->pdata, G_SUBPROCESS_FLAGS_NONE,
                                   &error);
  if (run->editor == NULL)
    {
      g_printerr (_("leanspec-ctl: cannot start the editor: %s\n"), error->message);
      g_unlink (run->editor_file);
      g_clear_pointer (&run->editor_file, g_free);
      return FALSE;
    }
  run->answer_pending = TRUE;
  g_subprocess_wait_check_async (run->editor, run->answering, on_editor_exited, run);
  return TRUE;
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RalphRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (
    G_DATA_INPUT_STREAM (source), result, NULL, &error);
  g_autofree char *answer = NULL;

  run->answer_pending = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !chain_is_paused (run))
    return;
  if (line == NULL)
    {
      stop_waiting (run, error != NULL ? error->message
                                       : _("no answer (end of input): stopping the loop"));
      return;
    }
  g_strchomp (line);

  /* Typing new feedback without an editor: lines up to one holding ".". */
  if (run->new_feedback != NULL)
    {
      if (g_str_equal (line, "."))
        {
          g_autofree char *text = g_string_free (g_steal_pointer (&run->new_feedback), FALSE);

          lean_ralph_chain_set_feedback (lean_ralph_loop_get_chain (run->loop), text);
          print_feedback (run);
          ask (run);
          return;
        }
      g_string_append (run->new_feedback, line);
      g_string_append_c (run->new_feedback, '\n');
      run->answer_pending = TRUE;
      g_data_input_stream_read_line_async (run->answers, G_PRIORITY_DEFAULT, run->answering,
                                           on_answer, run);
      return;
    }

  answer = g_ascii_strdown (g_strstrip (line), -1);
  if (*answer == '\0' || g_str_equal (answer, "c") || g_str_equal (answer, "continue"))
    {
      g_printerr (_("leanspec-ctl: continuing\n"));
      lean_ralph_loop_continue (run->loop);
    }
  else if (g_str_equal (answer, "s") || g_str_equal (answer, "stop"))
    stop_waiting (run, NULL);
  else if ((g_str_equal (answer, "r") || g_str_equal (answer, "retry")) &&
           is_phase_checkpoint (run))
    {
      g_printerr (_("leanspec-ctl: running the phase again\n"));
      lean_ralph_loop_retry_phase (run->loop);
    }
  else if (g_str_equal (answer, "e") || g_str_equal (answer, "edit"))
    {
      if (!edit_in_editor (run))
        {
          g_printerr (_("Type the new feedback; end it with a line holding only “.”:\n"));
          run->new_feedback = g_string_new (NULL);
          run->answer_pending = TRUE;
          g_data_input_stream_read_line_async (run->answers, G_PRIORITY_DEFAULT, run->answering,
                                               on_answer, run);
        }
    }
  else
    {
      g_printerr (is_phase_checkpoint (run)
                  ? _("leanspec-ctl: answer c (continue), e (edit the feedback), r (retry the "
                      "phase) or s (stop)\n")
                  : _("leanspec-ctl: answer c (continue), e (edit the feedback) or s (stop)\n"));
      ask (run);
    }
}

static void
ask (RalphRun *run)
{
  if (run->answers == NULL)
    {
      GInputStream *in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      run->answers = g_data_input_stream_new (in);
      g_object_unref (in);
      run->answering = g_cancellable_new ();
    }
  if (!run->json)
    g_printerr (is_phase_checkpoint (run)
                ? _("Continue, edit the feedback, retry the phase or stop? [C/e/r/s] ")
                : _("Continue, edit the feedback or stop? [C/e/s] "));
  run->answer_pending = TRUE;
  g_data_input_stream_read_line_async (run->answers, G_PRIORITY_DEFAULT, run->answering,
                                       on_answer, run);
}

static void
ralph_run_clear_answers (RalphRun *run)
{
  if (run->answering != NULL)
    g_cancellable_cancel (run->answering);
  if (run->editor != NULL)
    g_subprocess_force_exit (run->editor);
  /* The cancelled read or wait comes back before its data goes. */
  while (run->answer_pending)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&run->editor);
  if (run->editor_file != NULL)
    g_unlink (run->editor_file);
  g_clear_pointer (&run->editor_file, g_free);
  if (run->new_feedback != NULL)
    g_string_free (g_steal_pointer (&run->new_feedback), TRUE);
  g_clear_object (&run->answers);
  g_clear_object (&run->answering);
}

static gboolean
on_sigint (gpointer data)
{
  RalphRun *run = data;

  run->interrupted = TRUE;
  lean_ralph_loop_cancel (run->loop);
  return G_SOURCE_CONTINUE;
}


int
ctl_cmd_implement_ralph (CtlContext  *ctx,
                         int          argc,
                         char       **argv)
{
  g_autofree char *agent = NULL;
  g_autofree char *model = NULL;
  gboolean ralph = FALSE, critic = FALSE, no_critic = FALSE, phases = FALSE, json = FALSE;
  gboolean pause = FALSE;
  gboolean keep_status = FALSE;
  int max_iterations = 0, max_tokens = 0, max_minutes = 0;
  double max_cost = 0;
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanCheckConfig) config = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(LeanSpecStatusFollower) spec_status = NULL;
  g_autoptr(LeanValidationStore) store = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(LeanRalphLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  LeanRalphSettings settings = { 0 };
  RalphRun run = { 0 };
  LeanSpec *spec;
  guint sigint_id;
  int exit_code;
  const GOptionEntry entries[] = {
    { "ralph", 0, 0, G_OPTION_ARG_NONE, &ralph,
      N_("Loop: after each agent session, validate; on failure send the agent back"), NULL },
    { "agent", 'a', 0, G_OPTION_ARG_STRING, &agent,
      N_("Agent to run (default: the project's default)"), N_("AGENT") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("Model to ask the agent for"),
      N_("MODEL") },
    { "max-iterations", 0, 0, G_OPTION_ARG_INT, &max_iterations,
      N_("Stop after N iterations (default: checks.json maxIterations, else 10)"), N_("N") },
    { "critic", 0, 0, G_OPTION_ARG_NONE, &critic,
      N_("Ask the agent, read-only, as AI critic in each validation"), NULL },
    { "no-critic", 0, 0, G_OPTION_ARG_NONE, &no_critic, N_("No AI critic"), NULL },
    { "phases", 0, 0, G_OPTION_ARG_NONE, &phases, N_("One session per phase of the plan"), NULL },
    { "pause", 0, 0, G_OPTION_ARG_NONE, &pause,
      N_("Guided: after each iteration that did not pass (and at each phase's checkpoint) ask "
         "on stdin whether to continue, edit the feedback, retry the phase or stop"), NULL },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &max_tokens,
      N_("Stop once the chain used N tokens"), N_("N") },
    { "max-cost", 0, 0, G_OPTION_ARG_DOUBLE, &max_cost,
      N_("Stop once the chain cost USD dollars"), N_("USD") },
    { "max-minutes", 0, 0, G_OPTION_ARG_INT, &max_minutes,
      N_("Stop once the chain ran M minutes"), N_("M") },
    { "keep-status", 0, 0, G_OPTION_ARG_NONE, &keep_status,
      N_("Do not move the spec to in-progress"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print phase_started, iteration_started, validation, phase_ended, paused and "
         "chain_ended events as JSON lines"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SPEC --ralph",
                          _("Implement a spec in a Ralph loop: agent, validation, and again with "
                            "what failed, until everything passes or a limit is hit."),
                          _("Exit status: 0 when the chain passed, 1 when it stopped otherwise, "
                            "130 on Ctrl+C."),
                          entries, 1, 1, &exit_code))
    return exit_code;
  if (critic && no_critic)
    return ctl_report_message (CTL_EXIT_USAGE, _("--critic and --no-critic exclude each other"));
  if (max_iterations < 0 || max_tokens < 0 || max_minutes < 0 || max_cost < 0)
    return ctl_report_message (CTL_EXIT_USAGE, _("limits must not be negative"));

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;
  ctl_report_problems (problems);
  spec = lean_project_find_spec (project, specs, argv[1], &error);
  if (spec == NULL)
    return ctl_report_error (error);

  config = lean_check_config_load (lean_project_get_root (project), &error);
  if (config == NULL)
    return ctl_report_message (CTL_EXIT_FAILED, "%s", error->message);
  if (!lean_check_config_is_trusted (config, lean_check_config_trust_store_func,
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
  if (lean_check_config_get_n_checks (config) == 0)
    g_printerr (_("leanspec-ctl: no checks found; only the spec's checklist decides\n"));

  settings.max_iterations = max_iterations > 0 ? (guint)max_iterations
                                               : lean_check_config_get_max_iterations (config);
  settings.max_tokens = (guint64)max_tokens;
  settings.max_cost_usd = max_cost;
  settings.max_minutes = (guint)max_minutes;
  settings.phases = phases;
  settings.guided = pause;

  request = lean_session_request_new ();
  request->project_path = g_strdup (lean_project_get_root (project));
  request->spec_id = g_strdup (lean_spec_get_id (spec));
  request->mode = LEAN_SESSION_MODE_AUTONOMOUS;
  request->model = g_strdup (model);
  request->set_in_progress = !keep_status;
  if (agent == NULL)
    {
      g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();

      lean_agent_registry_load (registry, request->project_path, NULL);
      agent = g_strdup (lean_agent_registry_get_default_id (registry));
    }
  request->agent_id = g_strdup (agent);
  request->prompt = lean_prompt_build (project, specs, spec, &error);
  if (request->prompt == NULL)
    return ctl_report_error (error);

  db = lean_session_db_open (NULL, &error);
  if (db == NULL)
    return ctl_report_error (error);
  ctl_devlog_attach (db);
  store = lean_validation_store_open (lean_session_db_get_path (db), &error);
  if (store == NULL)
    return ctl_report_error (error);
  lean_validation_store_set_session_db (store, db);
  controller = lean_controller_new (db);
  spec_status = lean_spec_status_follower_new (controller);
  signal (SIGPIPE, SIG_IGN);

  loop = lean_ralph_loop_new (controller, store, project, lean_spec_get_id (spec), config,
                              request, &settings);
  /* The critic is the implementing agent, asked read-only. */
  if (critic || (!no_critic && lean_check_config_get_critic (config)))
    {
      g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
      LeanAgent *critic_agent;

      lean_agent_registry_load (registry, request->project_path, NULL);
      critic_agent = lean_agent_registry_lookup (registry, agent);
      if (critic_agent == NULL)
        return ctl_report_message (CTL_EXIT_FAILED, _("%s: no such agent"), agent);
      lean_ralph_loop_set_critic (loop, critic_agent, db);
    }
  run.loop = loop;
  run.controller = controller;
  run.json = json;
  g_signal_connect (loop, "iteration-started", G_CALLBACK (on_iteration_started), &run);
  g_signal_connect (loop, "validation-finished", G_CALLBACK (on_validation_finished), &run);
  g_signal_connect (loop, "ended", G_CALLBACK (on_ended), &run);
  g_signal_connect (loop, "phase-started", G_CALLBACK (on_phase_started), &run);
  g_signal_connect (loop, "phase-ended", G_CALLBACK (on_phase_ended), &run);
  g_signal_connect (loop, "paused", G_CALLBACK (on_paused), &run);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &run);

  if (!lean_ralph_loop_start (loop, &error) && !run.ended)
    {
      g_source_remove (sigint_id);
      return ctl_report_error (error);
    }
  while (!run.ended)
    g_main_context_iteration (NULL, TRUE);
  /* Let a cancelled session's agent be reaped and recorded. */
  while (lean_controller_get_n_live (controller) > 0 || run.reading ||
         (run.log != NULL &&
          run.printed < lean_session_log_get_length (run.log, LEAN_OUTPUT_CHANNEL_DISPLAY)) ||
         lean_spec_status_follower_get_busy (spec_status))
    g_main_context_iteration (NULL, TRUE);
  if (run.log != NULL)
    g_signal_handlers_disconnect_by_data (run.log, &run);
  g_clear_object (&run.log);
  ralph_run_clear_answers (&run);
  g_source_remove (sigint_id);
  lean_session_db_flush (db);
  ctl_devlog_flush_at_exit (db);

  if (run.interrupted)
    return CTL_EXIT_INTERRUPTED;
  return lean_ralph_chain_get_stop (lean_ralph_loop_get_chain (loop)) == LEAN_RALPH_STOP_PASSED
         ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}
