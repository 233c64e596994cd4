/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lean-agent-diagnosis.h"
#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-error.h"
#include "lean-session-log-private.h"
#include "lean-session-private.h"
#include "lean-session-review.h"
#include "lean-parser-thread.h"
#include "lean-runner-factory.h"
#include "lean-default-runner-factory.h"
#include "lean-stream-parser.h"
#include "lean-worktree-setup.h"

/* Everything the controller keeps for one session it runs. */
typedef struct
{
  LeanController   *self;        /* unowned: the controller outlives its Live */
  LeanSession      *session;
  LeanSessionLog   *log;         /* also in the controller's @logs */
  LeanRunner       *runner;
  LeanStreamParser *parser;      /* NULL for text output; the worker's thread
                                  * uses it until the worker has flushed */
  LeanParserThread *worker;      /* parses off the main thread, with @parser */
  gboolean          held;        /* the runner's reads are held for @worker */
  gboolean          exit_pending; /* exited; waiting for @worker to drain */
  LeanRunnerExitKind exit_kind;
  int               exit_code;
  char             *exit_message;
  LeanRunnerLaunch *launch;
  LeanSessionRequest *request;  /* borrowed from the controller's @requests */
  GCancellable     *cancellable;
  gboolean          cancel_requested;
  gboolean          ended;
  char             *cancel_message;

  /* Known failures recognised in what the agent printed (not logged in, no
   * network), to end with a sentence a person can act on. */
  LeanAgentDiagnosis *diagnosis;
} Live;


struct _LeanController
{
  GObject                 parent_instance;

  LeanSessionDb          *db;
  GListStore             *sessions;
  GHashTable             *live;       /* session id -> Live */
  guint                   kill_delay_ms;
  guint                   sigusr1_source;

  LeanRunnerFactory      *factory;
  LeanAgentRegistry      *registry;   /* loaded by the owner, or NULL */

  GHashTable             *requests;   /* session id -> LeanSessionRequest, for re-runs */
  GHashTable             *logs;       /* session id -> LeanSessionLog, also after the end */
};

G_DEFINE_FINAL_TYPE (LeanController, lean_controller, G_TYPE_OBJECT)

enum { SESSION_ADDED, SESSION_ENDED, N_SIGNALS };
static guint signals[N_SIGNALS];

enum { PROP_0, PROP_DB, PROP_RUNNER_FACTORY, PROP_REGISTRY, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- requests ---- */

LeanSessionRequest *
lean_session_request_new (void)
{
  LeanSessionRequest *request = g_new0 (LeanSessionRequest, 1);

  request->mode = LEAN_SESSION_MODE_AUTONOMOUS;
  request->set_in_progress = TRUE;
  return request;
}

LeanSessionRequest *
lean_session_request_copy (const LeanSessionRequest *request)
{
  LeanSessionRequest *copy;

  g_return_val_if_fail (request != NULL, NULL);

  copy = g_memdup2 (request, sizeof *request);
  copy->project_path = g_strdup (request->project_path);
  copy->spec_id = g_strdup (request->spec_id);
  copy->agent_id = g_strdup (request->agent_id);
  copy->agent = request->agent ? g_object_ref (request->agent) : NULL;
  copy->model = g_strdup (request->model);
  copy->prompt = g_strdup (request->prompt);
  copy->runner = g_strdup (request->runner);
  copy->worktree_path = g_strdup (request->worktree_path);
  copy->branch = g_strdup (request->branch);
  copy->resume_id = g_strdup (request->resume_id);
  return copy;
}

void
lean_session_request_free (LeanSessionRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->project_path);
  g_free (request->spec_id);
  g_free (request->agent_id);
  g_clear_object (&request->agent);
  g_free (request->model);
  g_free (request->prompt);
  g_free (request->runner);
  g_free (request->worktree_path);
  g_free (request->branch);
  g_free (request->resume_id);
  g_free (request);
}

/* ---- live sessions ---- */

static void
live_free (Live *live)
{
  if (live->runner != NULL)
    g_signal_handlers_disconnect_by_data (live->runner, live);
  /* Before the parser goes: the thread may be using it. */
  g_clear_pointer (&live->worker, lean_parser_thread_free);
  g_cancellable_cancel (live->cancellable);
  g_clear_object (&live->cancellable);
  g_clear_object (&live->runner);
  g_clear_object (&live->parser);
  g_clear_object (&live->session);
  g_clear_object (&live->log);
  g_clear_pointer (&live->launch, lean_runner_launch_free);
  g_free (live->cancel_message);
  g_free (live->exit_message);
  g_clear_pointer (&live->diagnosis, lean_agent_diagnosis_free);
  g_free (live);
}

static Live *
live_lookup (LeanController *self,
             LeanSession    *session)
{
  return g_hash_table_lookup (self->live, lean_session_get_id (session));
}

/* State changes are written (queued for an immediate commit) before anyone
 * is told: property notifications are held until the row is queued. */
static void
set_state (Live             *live,
           LeanSessionState  state,
           const char       *message)
{
  LeanSession *session = live->session;

  if (!lean_session_state_can_transition (lean_session_get_state (session), state))
    return;

  g_object_freeze_notify (G_OBJECT (session));
  _lean_session_restore_state (session, state);
  if (message != NULL)
    lean_session_set_message (session, message);
  if (lean_session_state_is_final (state) && lean_session_get_ended_at (session) == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      lean_session_set_ended_at (session, now);
    }
  lean_session_db_save_session_now (live->self->db, session);
  g_object_thaw_notify (G_OBJECT (session));
}

static gboolean
unref_idle (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
end_session (Live             *live,
             LeanSessionState  state,
             const char       *message)
{
  LeanController *self = live->self;
  g_autoptr(LeanSession) session = g_object_ref (live->session);

  if (live->ended)
    return;
  live->ended = TRUE;

  set_state (live, state, message);
  _lean_session_log_end (live->log);
  g_signal_emit (self, signals[SESSION_ENDED], 0, session);

  /* Dropping the Live drops the runner (once its "exited" emission has
   * unwound: we may be inside it); the session stays in the list. */
  if (live->runner != NULL)
    {
      g_signal_handlers_disconnect_by_data (live->runner, live);
      g_idle_add_full (G_PRIORITY_DEFAULT, unref_idle, g_steal_pointer (&live->runner), NULL);
    }
  g_hash_table_remove (self->live, lean_session_get_id (session));
}

static char *
object_to_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static void mark_running (Live *live);
static void finish_exit (Live *live);
static void show_display (Live   *live,
                          GBytes *bytes);

/* ---- known agent failures ---- */

static void
add_problem_event (Live             *live,
                   LeanAgentProblem  problem,
                   const char       *message)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *json = NULL;

  json_object_set_string_member (payload, "kind", lean_agent_problem_to_string (problem));
  json_object_set_string_member (payload, "message", message);
  if (problem == LEAN_AGENT_PROBLEM_NO_NETWORK)
    json_object_set_int_member (payload, "retries",
                                lean_agent_diagnosis_get_network_errors (live->diagnosis));
  json = object_to_json (payload);
  lean_session_db_add_event (live->self->db, lean_session_get_id (live->session), "problem",
                             json);
}

/* Runs after a whole chunk went through the parser, so the line lands after
 * the error that caused it. Only the parsed display stream gets our line:
 * for plain-text agents views show the agent's bytes as they are. */
static void
show_network_hint (Live *live)
{
  g_autofree char *message = lean_agent_diagnosis_take_network_hint (live->diagnosis);

  if (message == NULL)
    return;
  lean_session_set_message (live->session, message);
  lean_session_db_save_session (live->self->db, live->session);
  add_problem_event (live, LEAN_AGENT_PROBLEM_NO_NETWORK, message);
  if (live->parser != NULL)
    {
      g_autoptr(GBytes) line = lean_agent_warning_line (message);
      show_display (live, line);
    }
}

/* The sentence a failed session ends with when the agent hit a known
 * problem, or NULL. */
static char *
describe_failure (Live *live)
{
  g_autofree char *message = NULL;
  LeanAgentProblem problem = lean_agent_diagnosis_conclude (live->diagnosis, &message);

  if (problem != LEAN_AGENT_PROBLEM_NONE)
    add_problem_event (live, problem, message);
  return g_steal_pointer (&message);
}

/* ---- output routing ---- */

/* Display text is stored and announced together, on the main thread, so
 * the log's length of the display channel is exactly what it holds for a
 * view that attaches. */
static void
show_display (Live   *live,
              GBytes *bytes)
{
  lean_session_db_append_channel (live->self->db, lean_session_get_id (live->session),
                                  LEAN_OUTPUT_CHANNEL_DISPLAY, bytes);
  _lean_session_log_append (live->log, LEAN_OUTPUT_CHANNEL_DISPLAY, bytes);
}

static void
apply_event (Live       *live,
             const char *kind,
             const char *json,
             JsonObject *payload)
{
  lean_session_db_add_event (live->self->db, lean_session_get_id (live->session), kind, json);
  lean_agent_diagnosis_note_event (live->diagnosis, kind, payload);

  if (g_strcmp0 (kind, "init") == 0 && payload != NULL &&
      lean_session_get_model (live->session) == NULL &&
      json_object_has_member (payload, "model"))
    {
      const char *model = json_object_get_string_member_with_default (payload, "model", NULL);
      if (model != NULL && *model)
        {
          lean_session_set_model (live->session, model);
          lean_session_db_save_session (live->self->db, live->session);
        }
    }
}

static void
apply_usage (Live    *live,
             guint64  input,
             guint64  output,
             guint64  cache,
             double   cost)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input_tokens");
  json_builder_add_int_value (builder, input);
  json_builder_set_member_name (builder, "output_tokens");
  json_builder_add_int_value (builder, output);
  json_builder_set_member_name (builder, "cache_tokens");
  json_builder_add_int_value (builder, cache);
  if (cost >= 0)
    {
      json_builder_set_member_name (builder, "cost_usd");
      json_builder_add_double_value (builder, cost);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  /* The row and its "usage" event in one transaction, queued before the
   * properties people see change. */
  g_object_freeze_notify (G_OBJECT (live->session));
  lean_session_set_usage (live->session, input, output, cache);
  lean_session_set_cost_usd (live->session, cost);
  lean_session_db_save_session_with_event (live->self->db, live->session, "usage", json);
  g_object_thaw_notify (G_OBJECT (live->session));
}

/* ---- the stream parser's thread ---- */

/* Above this many raw bytes handed to the parser's thread and not yet
 * delivered, the runner is held (the agent waits on its PTY, or the relay's
 * output waits); below the lower mark it is released. A view's final line
 * then stays close behind the agent instead of megabytes of queue. */
#define HOLD_ABOVE   (1024 * 1024)
#define RELEASE_BELOW (256 * 1024)

static void
set_held (Live     *live,
          gboolean  held)
{
  if (live->held == held || live->runner == NULL)
    return;
  live->held = held;
  lean_runner_set_held (live->runner, held);
}

static void
parsed_display (gpointer  data,
                GBytes   *bytes)
{
  Live *live = data;

  if (!live->ended)
    show_display (live, bytes);
}

static void
parsed_event (gpointer    data,
              const char *kind,
              const char *json,
              JsonObject *payload)
{
  Live *live = data;

  if (!live->ended)
    apply_event (live, kind, json, payload);
}

static void
parsed_usage (gpointer data,
              guint64  input,
              guint64  output,
              guint64  cache,
              double   cost)
{
  Live *live = data;

  if (!live->ended)
    apply_usage (live, input, output, cache, cost);
}

static void
parsed_chunk (gpointer data)
{
  Live *live = data;

  /* After the chunk's own lines. */
  if (!live->ended)
    show_network_hint (live);
}

static void
parsed_delivered (gpointer data,
                  gsize    backlog)
{
  Live *live = data;

  if (!live->ended && backlog < RELEASE_BELOW)
    set_held (live, FALSE);
}

static void
parsed_flushed (gpointer data)
{
  Live *live = data;

  if (!live->ended)
    finish_exit (live);
}

static const LeanParserThreadCallbacks parsed_callbacks = {
  .display = parsed_display,
  .event = parsed_event,
  .usage = parsed_usage,
  .chunk_done = parsed_chunk,
  .delivered = parsed_delivered,
  .flushed = parsed_flushed,
};

/* The order matters and is the contract: database first (every raw byte),
 * then the parser (which produces the display stream, on its thread), then
 * views (from parse_worker_deliver for structured output). */
static void
on_runner_output (LeanRunner *runner,
                  GBytes     *bytes,
                  Live       *live)
{
  lean_session_db_append_output (live->self->db, lean_session_get_id (live->session), bytes);
  _lean_session_log_append (live->log, LEAN_OUTPUT_CHANNEL_RAW, bytes);
  lean_agent_diagnosis_keep_output (live->diagnosis, bytes);

  if (live->worker != NULL)
    {
      lean_parser_thread_push (live->worker, bytes);
      if (lean_parser_thread_get_backlog (live->worker) > HOLD_ABOVE)
        set_held (live, TRUE);
    }
}

static const char *
signal_name (int signum)
{
  switch (signum)
    {
    case SIGTERM: return "SIGTERM";
    case SIGKILL: return "SIGKILL";
    case SIGINT:  return "SIGINT";
    case SIGHUP:  return "SIGHUP";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGPIPE: return "SIGPIPE";
    default:      return NULL;
    }
}

/* With a parser thread, the exit is handled once it has delivered the
 * last parsed output (and the final result's usage). */
static void
on_runner_exited (LeanRunner         *runner,
                  LeanRunnerExitKind  kind,
                  int                 exit_code,
                  const char         *message,
                  Live               *live)
{
  if (kind != LEAN_RUNNER_EXIT_START_FAILED)
    mark_running (live);
  if (live->exit_pending)
    return;
  live->exit_pending = TRUE;
  live->exit_kind = kind;
  live->exit_code = exit_code;
  live->exit_message = g_strdup (message);
  if (live->worker != NULL)
    lean_parser_thread_flush (live->worker);
  else
    finish_exit (live);
}

static void
finish_exit (Live *live)
{
  g_autofree char *text = NULL;
  LeanSessionState state;
  LeanRunnerExitKind kind = live->exit_kind;
  int exit_code = live->exit_code;
  const char *message = live->exit_message;

  switch (kind)
    {
    case LEAN_RUNNER_EXIT_EXITED:
      lean_session_set_exit_code (live->session, exit_code);
      break;
    case LEAN_RUNNER_EXIT_SIGNALED:
      lean_session_set_exit_code (live->session, 128 + exit_code);
      break;
    case LEAN_RUNNER_EXIT_LOST:
    case LEAN_RUNNER_EXIT_START_FAILED:
    default:
      break;
    }

  if (live->cancel_requested)
    {
      state = LEAN_SESSION_STATE_CANCELLED;
      text = g_strdup (live->cancel_message ? live->cancel_message : _("Cancelled."));
    }
  else if (kind == LEAN_RUNNER_EXIT_START_FAILED)
    {
      state = LEAN_SESSION_STATE_FAILED;
      text = g_strdup (message ? message : _("The agent could not be started."));
    }
  else if (kind == LEAN_RUNNER_EXIT_LOST)
    {
      state = LEAN_SESSION_STATE_INTERRUPTED;
      text = g_strdup (message ? message
                               : _("The connection to the runner was lost; the agent's "
                                   "outcome is unknown."));
    }
  else if (kind == LEAN_RUNNER_EXIT_SIGNALED)
    {
      const char *name = signal_name (exit_code);

      state = LEAN_SESSION_STATE_FAILED;
      if (name != NULL)
        text = g_strdup_printf (_("The agent was killed by %s."), name);
      else
        text = g_strdup_printf (_("The agent was killed by signal %d."), exit_code);
    }
  else if (exit_code != 0)
    {
      const char *detail = live->parser ? lean_stream_parser_get_last_error (live->parser) : NULL;

      if (detail == NULL && live->parser != NULL && lean_stream_parser_get_is_error (live->parser))
        detail = lean_stream_parser_get_result_text (live->parser);
      state = LEAN_SESSION_STATE_FAILED;
      text = describe_failure (live);
      if (text == NULL && detail != NULL)
        text = g_strdup_printf (_("The agent exited with status %d: %s"), exit_code, detail);
      else if (text == NULL)
        text = g_strdup_printf (_("The agent exited with status %d."), exit_code);
    }
  else if (live->parser != NULL && lean_stream_parser_get_is_error (live->parser))
    {
      const char *detail = lean_stream_parser_get_result_text (live->parser);

      if (detail == NULL)
        detail = lean_stream_parser_get_last_error (live->parser);
      state = LEAN_SESSION_STATE_FAILED;
      text = describe_failure (live);
      if (text == NULL)
        text = g_strdup_printf (_("The agent reported an error: %s"),
                                detail ? detail : _("no details"));
    }
  else
    {
      state = LEAN_SESSION_STATE_COMPLETED;
      text = NULL;
    }

  /* Told before the end, so whoever reacts to it (the owner's
   * LeanSpecStatusFollower putting back a spec the agent never worked on)
   * knows why. */
  if (state == LEAN_SESSION_STATE_FAILED)
    lean_session_set_problem (live->session,
                              lean_agent_diagnosis_get_problem (live->diagnosis));
  end_session (live, state, text);
}

/* ---- starting ---- */

static void
fail_start (Live       *live,
            GError     *error)
{
  end_session (live, LEAN_SESSION_STATE_FAILED, error->message);
}

/* Idempotent: the runner's "started" signal, its start callback and an
 * early "exited" may each be first. */
static void
mark_running (Live *live)
{
  g_autoptr(GDateTime) now = NULL;

  if (live->ended || lean_session_get_state (live->session) != LEAN_SESSION_STATE_PENDING)
    return;

  now = g_date_time_new_now_utc ();
  g_object_freeze_notify (G_OBJECT (live->session));
  lean_session_set_started_at (live->session, now);
  {
    g_autofree char *start_time = NULL;
    int pid = 0;

    if (lean_runner_get_process (live->runner, &pid, &start_time))
      {
        lean_session_set_agent_pid (live->session, pid);
        lean_session_set_agent_start (live->session, start_time);
      }
  }
  g_object_thaw_notify (G_OBJECT (live->session));
  set_state (live, LEAN_SESSION_STATE_RUNNING, NULL);

  if (live->cancel_requested)
    lean_runner_cancel (live->runner);
}

static void
on_runner_started_signal (LeanRunner *runner,
                          Live       *live)
{
  mark_running (live);
}

typedef struct
{
  GWeakRef  controller;
  char     *session_id;
} StartData;

static void
start_data_free (StartData *data)
{
  g_weak_ref_clear (&data->controller);
  g_free (data->session_id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartData, start_data_free)

static void
on_runner_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(StartData) data = user_data;
  g_autoptr(LeanController) self = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  Live *live;

  ok = lean_runner_start_finish (LEAN_RUNNER (source), result, &error);

  /* The controller may be gone (quit during start), or the session over
   * already. */
  self = g_weak_ref_get (&data->controller);
  if (self == NULL || self->live == NULL ||
      (live = g_hash_table_lookup (self->live, data->session_id)) == NULL ||
      live->runner != LEAN_RUNNER (source))
    return;

  if (!ok)
    {
      if (live->cancel_requested)
        end_session (live, LEAN_SESSION_STATE_CANCELLED,
                     live->cancel_message ? live->cancel_message : _("Cancelled."));
      else
        fail_start (live, error);
      return;
    }

  mark_running (live);
}

static void
start_runner (Live *live)
{
  LeanController *self = live->self;

  StartData *data = g_new0 (StartData, 1);

  g_weak_ref_init (&data->controller, self);
  data->session_id = g_strdup (lean_session_get_id (live->session));
  g_signal_connect (live->runner, "output", G_CALLBACK (on_runner_output), live);
  g_signal_connect (live->runner, "exited", G_CALLBACK (on_runner_exited), live);
  g_signal_connect (live->runner, "started", G_CALLBACK (on_runner_started_signal), live);
  lean_runner_start_async (live->runner, live->launch, live->cancellable, on_runner_started,
                           data);
}

/* Work done in a thread before the agent starts: the git base, and a git
 * worktree when asked for. */
typedef struct
{
  LeanSessionRequest *request;
  char               *session_id;
  char               *worktree_path;  /* out */
  char               *branch;         /* out */
  char               *cwd;            /* out */
  char               *base;           /* out: "git-base" event payload */
  char               *setup_note;     /* out: what worktree.json setup said */
} Prep;

static void
prep_free (Prep *prep)
{
  lean_session_request_free (prep->request);
  g_free (prep->session_id);
  g_free (prep->worktree_path);
  g_free (prep->branch);
  g_free (prep->cwd);
  g_free (prep->base);
  g_free (prep->setup_note);
  g_free (prep);
}

static void
prep_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Prep *prep = task_data;
  GError *error = NULL;

  prep->base = lean_session_capture_base (prep->request->project_path);
  if (!lean_worktree_prepare (prep->request, prep->session_id, &prep->worktree_path,
                              &prep->branch, &prep->cwd, &prep->setup_note, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_prep_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LeanController *self = LEAN_CONTROLLER (source);
  GTask *task = G_TASK (result);
  Prep *prep = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Live *live;

  live = g_hash_table_lookup (self->live, prep->session_id);
  if (!g_task_propagate_boolean (task, &error))
    {
      if (live != NULL)
        fail_start (live, error);
      return;
    }
  if (live == NULL)
    return;

  lean_worktree_record_prep (self->db, prep->session_id, prep->base, prep->setup_note);

  if (live->cancel_requested)
    {
      end_session (live, LEAN_SESSION_STATE_CANCELLED,
                   live->cancel_message ? live->cancel_message : _("Cancelled."));
      return;
    }

  if (prep->worktree_path != NULL)
    {
      lean_session_set_worktree_path (live->session, prep->worktree_path);
      lean_session_set_branch (live->session, prep->branch);
      lean_session_db_save_session (self->db, live->session);
    }
  g_free (live->launch->cwd);
  live->launch->cwd = g_strdup (prep->cwd);

  start_runner (live);
}

static gboolean
agent_is_installed (LeanAgent *agent)
{
  const char *exe = lean_agent_get_executable (agent);
  g_autofree char *found = NULL;

  if (lean_agent_get_path (agent) != NULL)
    return TRUE;
  if (exe == NULL)
    return FALSE;
  if (g_path_is_absolute (exe))
    return g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE) &&
           !g_file_test (exe, G_FILE_TEST_IS_DIR);
  found = g_find_program_in_path (exe);
  return found != NULL;
}

/* @request's agent, from the request itself, the owner's loaded registry,
 * or (owners without one) the runners.json files read here, into
 * @registry, with @load_error saying what was wrong with them. */
static LeanAgent *
find_agent (LeanController            *self,
            const LeanSessionRequest  *request,
            LeanAgentRegistry        **registry,
            GError                   **load_error)
{
  LeanAgent *agent;

  if (request->agent != NULL &&
      g_strcmp0 (lean_agent_get_id (request->agent), request->agent_id) == 0)
    return request->agent;
  if (self->registry != NULL && lean_agent_registry_get_loaded (self->registry) &&
      (agent = lean_agent_registry_lookup (self->registry, request->agent_id)) != NULL &&
      (lean_agent_get_source (agent) != LEAN_AGENT_SOURCE_PROJECT ||
       g_strcmp0 (lean_agent_registry_get_project_path (self->registry),
                  request->project_path) == 0))
    return agent;

  /* Builtins, the user's and the project's runners.json. A broken file
   * does not stop the others from loading. */
  *registry = lean_agent_registry_new ();
  lean_agent_registry_load (*registry, request->project_path, load_error);
  return lean_agent_registry_lookup (*registry, request->agent_id);
}

static Live *
track (LeanController *self,
       LeanSession    *session)
{
  Live *live = g_new0 (Live, 1);

  live->self = self;
  live->session = g_object_ref (session);
  live->cancellable = g_cancellable_new ();
  live->diagnosis = lean_agent_diagnosis_new (lean_session_get_agent_id (session), NULL);
  live->log = _lean_session_log_new_live (self->db, lean_session_get_id (session), FALSE);
  g_hash_table_replace (self->logs, g_strdup (lean_session_get_id (session)),
                        g_object_ref (live->log));
  g_hash_table_insert (self->live, g_strdup (lean_session_get_id (session)), live);
  g_list_store_insert (self->sessions, 0, session);
  return live;
}

LeanSession *
lean_controller_start (LeanController            *self,
                       const LeanSessionRequest  *request,
                       GError                   **error)
{
  g_autoptr(LeanAgentRegistry) registry = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) load_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GBytes) stdin_data = NULL;
  const char *model;
  LeanAgentOutput output;
  LeanAgent *agent;
  g_autoptr(GTask) task = NULL;
  Prep *prep;
  Live *live;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (request->project_path == NULL || request->spec_id == NULL || request->agent_id == NULL)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("A session needs a project, a spec and an agent."));
      return NULL;
    }
  if ((request->use_worktree || request->worktree_path != NULL) && request->runner != NULL &&
      g_str_has_prefix (request->runner, "relay:"))
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("A git worktree cannot be used with a relay runner: the agent runs "
                             "in the runner daemon’s own folder on its machine."));
      return NULL;
    }
  if (!g_file_test (request->project_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("The project folder “%s” does not exist."), request->project_path);
      return NULL;
    }

  session = lean_session_new (NULL, request->project_path, request->spec_id,
                              request->agent_id, request->mode);
  lean_session_set_owner_pid (session, getpid ());
  lean_session_set_runner (session, request->runner ? request->runner : "local");
  lean_session_set_model (session, request->model);
  live = track (self, session);
  live->request = lean_session_request_copy (request);
  g_hash_table_replace (self->requests, g_strdup (lean_session_get_id (session)),
                        live->request);
  lean_session_db_save_session_now (self->db, session);
  g_signal_emit (self, signals[SESSION_ADDED], 0, session);

  agent = find_agent (self, request, &registry, &load_error);
  if (agent == NULL)
    {
      if (load_error != NULL)
        g_set_error (&local_error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("Unknown agent “%s” (%s)."), request->agent_id, load_error->message);
      else
        g_set_error (&local_error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                     _("Unknown agent “%s”: it is neither built in nor defined in a "
                       "runners.json file."), request->agent_id);
      goto fail;
    }

  /* A relay runner starts the agent on another machine: whether its CLI is
   * installed on this one does not matter. */
  if (!(request->runner != NULL && g_str_has_prefix (request->runner, "relay:"))
      && !agent_is_installed (agent))
    {
      const char *hint = lean_agent_get_install_hint (agent);

      if (hint != NULL)
        g_set_error (&local_error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING,
                     _("%s is not installed (“%s” was not found). Install it with: %s"),
                     lean_agent_get_name (agent), lean_agent_get_executable (agent), hint);
      else
        g_set_error (&local_error, LEAN_ERROR, LEAN_ERROR_AGENT_MISSING,
                     _("%s is not installed (“%s” was not found)."),
                     lean_agent_get_name (agent), lean_agent_get_executable (agent));
      goto fail;
    }

  lean_agent_diagnosis_set_agent_name (live->diagnosis, lean_agent_get_name (agent));
  model = request->model ? request->model : lean_agent_get_default_model (agent);
  lean_session_set_model (session, model);
  argv = lean_agent_build_argv (agent, request->mode, request->model, request->prompt,
                                &stdin_data, &local_error);
  if (argv == NULL)
    goto fail;
  if (request->resume_id != NULL)
    argv = lean_agent_resume_argv (agent, request->mode, g_steal_pointer (&argv),
                                   request->resume_id);
  env = lean_agent_build_env (agent, request->project_path, request->spec_id,
                              lean_session_get_id (session));

  output = lean_agent_get_output (agent, request->mode);
  if (output != LEAN_AGENT_OUTPUT_TEXT)
    {
      live->parser = lean_stream_parser_new (output);
      lean_session_set_structured (session, TRUE);
      _lean_session_log_set_structured (live->log, TRUE);
      live->worker = lean_parser_thread_new (live->parser, &parsed_callbacks, live);
    }

  live->runner = lean_runner_factory_create_runner (self->factory, request->runner,
                                                     lean_session_get_id (session), &local_error);
  if (live->runner == NULL)
    goto fail;
  {
    g_autofree char *desc = lean_runner_describe (live->runner);
    lean_session_set_runner (session, desc);
  }

  live->launch = lean_runner_launch_new ((const char * const *)argv, request->project_path);
  live->launch->env = g_steal_pointer (&env);
  live->launch->stdin_data = g_steal_pointer (&stdin_data);
  live->launch->rows = request->rows;
  live->launch->cols = request->cols;
  live->launch->kill_delay_ms = self->kill_delay_ms;
  lean_session_db_save_session (self->db, session);
  /* The size the agent's output was laid out for: an exported recording
   * (asciicast) replays it in a terminal of that size. */
  if (request->rows > 0 && request->cols > 0)
    {
      g_autofree char *size = g_strdup_printf ("{\"rows\":%u,\"cols\":%u}",
                                               request->rows, request->cols);
      lean_session_db_add_event (self->db, lean_session_get_id (session), "terminal-size", size);
    }

  prep = g_new0 (Prep, 1);
  prep->request = lean_session_request_copy (request);
  prep->session_id = g_strdup (lean_session_get_id (session));
  task = g_task_new (self, NULL, on_prep_done, NULL);
  g_task_set_source_tag (task, lean_controller_start);
  g_task_set_task_data (task, prep, (GDestroyNotify)prep_free);
  g_task_run_in_thread (task, prep_thread);

  return g_steal_pointer (&session);

fail:
  fail_start (live, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* ---- controls ---- */

static Live *
require_live (LeanController  *self,
              LeanSession     *session,
              GError         **error)
{
  Live *live = live_lookup (self, session);

  if (live == NULL || live->runner == NULL ||
      lean_session_get_state (session) == LEAN_SESSION_STATE_PENDING)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("The session is not running (it is %s)."),
                   lean_session_state_to_string (lean_session_get_state (session)));
      return NULL;
    }
  return live;
}

gboolean
lean_controller_pause (LeanController  *self,
                       LeanSession     *session,
                       GError         **error)
{
  Live *live;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (LEAN_IS_SESSION (session), FALSE);

  if (!(live = require_live (self, session, error)))
    return FALSE;
  if (lean_session_get_state (session) == LEAN_SESSION_STATE_PAUSED)
    return TRUE;
  if (!lean_runner_pause (live->runner, error))
    return FALSE;
  set_state (live, LEAN_SESSION_STATE_PAUSED, NULL);
  return TRUE;
}

gboolean
lean_controller_resume (LeanController  *self,
                        LeanSession     *session,
                        GError         **error)
{
  Live *live;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (LEAN_IS_SESSION (session), FALSE);

  if (!(live = require_live (self, session, error)))
    return FALSE;
  if (lean_session_get_state (session) != LEAN_SESSION_STATE_PAUSED)
    return TRUE;
  if (!lean_runner_resume (live->runner, error))
    return FALSE;
  set_state (live, LEAN_SESSION_STATE_RUNNING, NULL);
  return TRUE;
}

static void
cancel_live (Live       *live,
             const char *message)
{
  if (live->ended)
    return;
  if (!live->cancel_requested)
    {
      live->cancel_requested = TRUE;
      live->cancel_message = g_strdup (message);
    }
  /* Pending: the worktree's thread or the runner's start will see the flag. */
  if (live->runner != NULL && lean_session_get_state (live->session) != LEAN_SESSION_STATE_PENDING)
    lean_runner_cancel (live->runner);
}

void
lean_controller_cancel (LeanController *self,
                        LeanSession    *session)
{
  Live *live;

  g_return_if_fail (LEAN_IS_CONTROLLER (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  if ((live = live_lookup (self, session)) != NULL)
    cancel_live (live, NULL);
}

void
lean_controller_cancel_all (LeanController *self,
                            const char     *message)
{
  GHashTableIter iter;
  Live *live;

  g_return_if_fail (LEAN_IS_CONTROLLER (self));

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&live))
    cancel_live (live, message);
}

gboolean
lean_controller_send_input (LeanController  *self,
                            LeanSession     *session,
                            GBytes          *bytes,
                            GError         **error)
{
  Live *live;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), FALSE);
  g_return_val_if_fail (LEAN_IS_SESSION (session), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  if (!(live = require_live (self, session, error)))
    return FALSE;
  return lean_runner_write_input (live->runner, bytes, error);
}

void
lean_controller_resize (LeanController *self,
                        LeanSession    *session,
                        guint           rows,
                        guint           cols)
{
  Live *live;

  g_return_if_fail (LEAN_IS_CONTROLLER (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  live = live_lookup (self, session);
  if (live == NULL || live->launch == NULL)
    return;
  /* Remembered for a runner that has not started yet. */
  live->launch->rows = rows;
  live->launch->cols = cols;
  if (live->runner != NULL && lean_session_get_state (session) != LEAN_SESSION_STATE_PENDING)
    lean_runner_resize (live->runner, rows, cols, NULL);
}

/* ---- cancel requests from other processes ---- */

static void
cancel_requests_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  GStrv ids = lean_session_db_read_cancel_requests (task_data, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify)g_strfreev);
}

static void
on_cancel_requests (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LeanController *self = LEAN_CONTROLLER (source);
  g_auto(GStrv) ids = g_task_propagate_pointer (G_TASK (result), NULL);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      Live *live = g_hash_table_lookup (self->live, ids[i]);

      if (live != NULL)
        cancel_live (live, _("Cancelled from the command line."));
    }
}

static gboolean
on_sigusr1 (gpointer user_data)
{
  LeanController *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (g_hash_table_size (self->live) == 0)
    return G_SOURCE_CONTINUE;
  task = g_task_new (self, NULL, on_cancel_requests, NULL);
  g_task_set_source_tag (task, on_sigusr1);
  g_task_set_task_data (task, g_object_ref (self->db), g_object_unref);
  g_task_run_in_thread (task, cancel_requests_thread);
  return G_SOURCE_CONTINUE;
}

static void
on_db_write_failed (LeanSessionDb  *db,
                    const char     *message,
                    LeanController *self)
{
  GHashTableIter iter;
  Live *live;

  /* The agents keep running; people are told their history is short. */
  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&live))
    lean_session_set_message (live->session, message);
}

/* ---- GObject ---- */

static void
lean_controller_dispose (GObject *object)
{
  LeanController *self = (LeanController *)object;

  g_clear_handle_id (&self->sigusr1_source, g_source_remove);

  /* Quitting never orphans an agent: whatever still runs is stopped (the
   * runner kills its process group) and recorded as cancelled. */
  if (self->live != NULL && g_hash_table_size (self->live) > 0)
    {
      g_autoptr(GList) values = g_hash_table_get_values (self->live);

      for (GList *l = values; l != NULL; l = l->next)
        {
          Live *live = l->data;

          if (live->runner != NULL)
            {
              /* The last resort (lean_controller_cancel_all() is the
               * graceful way): the runner's dispose kills the agent's
               * process group and reaps it, even if something else still
               * holds a reference to the runner. */
              g_signal_handlers_disconnect_by_data (live->runner, live);
              g_object_run_dispose (G_OBJECT (live->runner));
            }
          live->ended = TRUE;
          set_state (live, LEAN_SESSION_STATE_CANCELLED,
                     live->cancel_message ? live->cancel_message
                                          : _("Stopped because the program that ran it quit."));
          _lean_session_log_end (live->log);
        }
      g_hash_table_remove_all (self->live);
      lean_session_db_flush (self->db);
    }

  if (self->db != NULL)
    g_signal_handlers_disconnect_by_data (self->db, self);
  g_clear_object (&self->db);
  g_clear_object (&self->sessions);

  g_clear_object (&self->factory);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (lean_controller_parent_class)->dispose (object);
}

static void
lean_controller_finalize (GObject *object)
{
  LeanController *self = (LeanController *)object;

  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->logs, g_hash_table_unref);

  G_OBJECT_CLASS (lean_controller_parent_class)->finalize (object);
}

static void
lean_controller_constructed (GObject *object)
{
  LeanController *self = (LeanController *)object;

  G_OBJECT_CLASS (lean_controller_parent_class)->constructed (object);

  g_assert (self->db != NULL);
  if (self->factory == NULL)
    self->factory = LEAN_RUNNER_FACTORY (lean_default_runner_factory_new (NULL));
  g_signal_connect (self->db, "write-failed", G_CALLBACK (on_db_write_failed), self);
  self->sigusr1_source = g_unix_signal_add (SIGUSR1, on_sigusr1, self);
}

static void
lean_controller_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LeanController *self = (LeanController *)object;

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;
    case PROP_RUNNER_FACTORY:
      g_value_set_object (value, self->factory);
      break;
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_controller_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LeanController *self = (LeanController *)object;

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;
    case PROP_RUNNER_FACTORY:
      self->factory = g_value_dup_object (value);
      break;
    case PROP_REGISTRY:
      lean_controller_set_registry (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_controller_class_init (LeanControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lean_controller_constructed;
  object_class->dispose = lean_controller_dispose;
  object_class->finalize = lean_controller_finalize;
  object_class->get_property = lean_controller_get_property;
  object_class->set_property = lean_controller_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL, LEAN_TYPE_SESSION_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNER_FACTORY] =
    g_param_spec_object ("runner-factory", NULL, NULL, LEAN_TYPE_RUNNER_FACTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, LEAN_TYPE_AGENT_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SESSION_ADDED] = g_signal_new ("session-added", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, LEAN_TYPE_SESSION);
  signals[SESSION_ENDED] = g_signal_new ("session-ended", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, LEAN_TYPE_SESSION);
}

static void
lean_controller_init (LeanController *self)
{
  self->sessions = g_list_store_new (LEAN_TYPE_SESSION);
  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)live_free);
  self->kill_delay_ms = 5000;
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)lean_session_request_free);
  self->logs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

LeanController *
lean_controller_new (LeanSessionDb *db)
{
  g_autoptr(LeanDefaultRunnerFactory) factory = NULL;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);

  factory = lean_default_runner_factory_new (NULL);
  return lean_controller_new_with_factory (db, LEAN_RUNNER_FACTORY (factory));
}

LeanController *
lean_controller_new_with_factory (LeanSessionDb     *db,
                                  LeanRunnerFactory *factory)
{
  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (LEAN_IS_RUNNER_FACTORY (factory), NULL);

  return g_object_new (LEAN_TYPE_CONTROLLER, "db", db, "runner-factory", factory, NULL);
}

LeanRunnerFactory *
lean_controller_get_runner_factory (LeanController *self)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  return self->factory;
}

void
lean_controller_set_registry (LeanController    *self,
                              LeanAgentRegistry *registry)
{
  g_return_if_fail (LEAN_IS_CONTROLLER (self));
  g_return_if_fail (registry == NULL || LEAN_IS_AGENT_REGISTRY (registry));

  if (g_set_object (&self->registry, registry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRY]);
}

LeanAgentRegistry *
lean_controller_get_registry (LeanController *self)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  return self->registry;
}

LeanSessionDb *
lean_controller_get_db (LeanController *self)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  return self->db;
}

GListModel *
lean_controller_get_sessions (LeanController *self)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  return G_LIST_MODEL (self->sessions);
}

LeanSession *
lean_controller_lookup (LeanController *self,
                        const char     *session_id)
{
  guint n;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      if (g_str_equal (lean_session_get_id (session), session_id))
        return session; /* the store keeps it alive */
    }
  return NULL;
}

LeanRunner *
lean_controller_get_runner (LeanController *self,
                            LeanSession    *session)
{
  Live *live;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  live = live_lookup (self, session);
  return live ? live->runner : NULL;
}

void
lean_controller_set_kill_delay (LeanController *self,
                                guint           msec)
{
  g_return_if_fail (LEAN_IS_CONTROLLER (self));
  self->kill_delay_ms = msec;
}

guint
lean_controller_get_n_live (LeanController *self)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), 0);
  return g_hash_table_size (self->live);
}

LeanSessionRequest *
lean_controller_dup_request (LeanController *self,
                             LeanSession    *session)
{
  LeanSessionRequest *request;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  request = g_hash_table_lookup (self->requests, lean_session_get_id (session));
  return request ? lean_session_request_copy (request) : NULL;
}

LeanSessionLog *
lean_controller_get_log (LeanController *self,
                         LeanSession    *session)
{
  g_return_val_if_fail (LEAN_IS_CONTROLLER (self), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  return g_hash_table_lookup (self->logs, lean_session_get_id (session));
}
