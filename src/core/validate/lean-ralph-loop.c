/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-git.h"
#include "lean-prompt.h"
#include "lean-ralph-loop.h"
#include "lean-spec-phases.h"

struct _LeanRalphLoop
{
  GObject              parent_instance;

  LeanController      *controller;
  LeanValidationStore *store;
  LeanProject         *project;
  char                *spec_id;
  LeanCheckConfig     *config;
  LeanSessionRequest  *request;
  LeanRalphChain      *chain;

  LeanAgent           *critic_agent;
  LeanSessionDb       *critic_db;
  LeanCriticRun       *critic;       /* of the running iteration */
  LeanSession         *session;      /* of the running iteration */
  LeanValidation      *validation;   /* of the running iteration */
  gboolean             ended;
  GCancellable        *cancellable;  /* of the diff stats at a phase's end */
  char                *diff_summary; /* at the last phase's end */
  char                *phase_title;  /* of the running phase */
  char                *spec_readme;  /* as read before the running validation */
  gboolean             reading;      /* a read of the spec tree is under way */
};

/* The spec as the working tree has it, read in a thread: the whole tree
 * takes tens of milliseconds on a large project. */
typedef struct
{
  GPtrArray *specs;
  LeanSpec  *spec;        /* in specs; NULL when not found */
  GPtrArray *phases;      /* of LeanSpecPhase, or NULL */
  char      *readme;      /* the README's text, for the critic */
  char      *spec_prompt; /* the request's prompt with this spec text, or NULL */
} SpecRead;

typedef struct
{
  LeanProject *project;
  char        *spec_id;
  char        *prompt;
} SpecReadJob;

static void
spec_read_free (SpecRead *read)
{
  g_clear_pointer (&read->specs, g_ptr_array_unref);
  g_clear_pointer (&read->phases, g_ptr_array_unref);
  g_free (read->readme);
  g_free (read->spec_prompt);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpecRead, spec_read_free)

static void
spec_read_job_free (SpecReadJob *job)
{
  g_object_unref (job->project);
  g_free (job->spec_id);
  g_free (job->prompt);
  g_free (job);
}

enum { ITERATION_STARTED, VALIDATION_STARTED, VALIDATION_FINISHED, PAUSED, ENDED,
       PHASE_STARTED, PHASE_ENDED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanRalphLoop, lean_ralph_loop, G_TYPE_OBJECT)

static void
lean_ralph_loop_dispose (GObject *object)
{
  LeanRalphLoop *self = LEAN_RALPH_LOOP (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->validation != NULL)
    g_signal_handlers_disconnect_by_data (self->validation, self);
  if (self->critic != NULL)
    g_signal_handlers_disconnect_by_data (self->critic, self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->critic);
  g_clear_object (&self->critic_agent);
  g_clear_object (&self->critic_db);
  g_clear_object (&self->session);
  g_clear_object (&self->validation);
  g_clear_object (&self->controller);
  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_object (&self->config);
  g_clear_object (&self->chain);

  G_OBJECT_CLASS (lean_ralph_loop_parent_class)->dispose (object);
}

static void
lean_ralph_loop_finalize (GObject *object)
{
  LeanRalphLoop *self = LEAN_RALPH_LOOP (object);

  g_free (self->spec_id);
  g_free (self->diff_summary);
  g_free (self->phase_title);
  g_free (self->spec_readme);
  g_clear_pointer (&self->request, lean_session_request_free);

  G_OBJECT_CLASS (lean_ralph_loop_parent_class)->finalize (object);
}

static void
lean_ralph_loop_class_init (LeanRalphLoopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_ralph_loop_dispose;
  object_class->finalize = lean_ralph_loop_finalize;

  signals[ITERATION_STARTED] =
    g_signal_new ("iteration-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, LEAN_TYPE_SESSION);
  signals[VALIDATION_STARTED] =
    g_signal_new ("validation-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, LEAN_TYPE_VALIDATION);
  signals[VALIDATION_FINISHED] =
    g_signal_new ("validation-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, LEAN_TYPE_VALIDATION);
  signals[PAUSED] =
    g_signal_new ("paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  signals[PHASE_STARTED] =
    g_signal_new ("phase-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[PHASE_ENDED] =
    g_signal_new ("phase-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, LEAN_TYPE_VALIDATION,
                  G_TYPE_STRING);
}

static void
lean_ralph_loop_init (LeanRalphLoop *self)
{
}

LeanRalphLoop *
lean_ralph_loop_new (LeanController           *controller,
                     LeanValidationStore      *store,
                     LeanProject              *project,
                     const char               *spec_id,
                     LeanCheckConfig          *config,
                     const LeanSessionRequest *request,
                     const LeanRalphSettings  *settings)
{
  LeanRalphLoop *self;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (controller), NULL);
  g_return_val_if_fail (store == NULL || LEAN_IS_VALIDATION_STORE (store), NULL);
  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);
  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (config), NULL);
  g_return_val_if_fail (request != NULL && request->prompt != NULL, NULL);

  self = g_object_new (LEAN_TYPE_RALPH_LOOP, NULL);
  self->controller = g_object_ref (controller);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->project = g_object_ref (project);
  self->spec_id = g_strdup (spec_id);
  self->config = g_object_ref (config);
  self->request = lean_session_request_copy (request);
  self->chain = lean_ralph_chain_new (spec_id, request->prompt, settings);
  self->cancellable = g_cancellable_new ();
  return self;
}

static void
save_chain (LeanRalphLoop *self)
{
  g_autoptr(GError) error = NULL;

  if (self->store != NULL &&
      !lean_validation_store_save_chain (self->store, self->chain, self->request->project_path,
                                         self->request->agent_id, &error))
    g_warning ("Ralph chain %s not stored: %s", lean_ralph_chain_get_id (self->chain),
               error->message);
}

static void
end_loop (LeanRalphLoop *self)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  save_chain (self);
  g_signal_emit (self, signals[ENDED], 0, (int)lean_ralph_chain_get_stop (self->chain));
}

static void next_iteration (LeanRalphLoop *self);

/* After an iteration's validation was recorded: stop, pause or go on. */
static void
proceed (LeanRalphLoop *self,
         LeanRalphStop  stop)
{
  if (stop != LEAN_RALPH_STOP_NONE || lean_ralph_chain_get_state (self->chain) == LEAN_RALPH_STATE_ENDED)
    {
      end_loop (self);
      return;
    }
  if (lean_ralph_chain_get_state (self->chain) == LEAN_RALPH_STATE_PAUSED)
    {
      g_signal_emit (self, signals[PAUSED], 0, lean_ralph_chain_get_iteration (self->chain));
      return;
    }
  next_iteration (self);
}

typedef struct
{
  LeanRalphLoop  *loop;
  LeanValidation *validation;
  guint           phase;
  LeanRalphStop   stop;
} PhaseEnd;

static void
diff_summary_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *summary = lean_git_diff_summary (data, &error);

  /* Not a repository, or unreadable: the checkpoint says so. */
  if (summary == NULL)
    summary = g_strdup_printf (_("No diff stats: %s"), error->message);
  g_task_return_pointer (task, summary, g_free);
}

static void
on_diff_summary (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  PhaseEnd *end = data;
  LeanRalphLoop *self = end->loop;
  g_autofree char *summary = g_task_propagate_pointer (G_TASK (result), NULL);

  if (!g_cancellable_is_cancelled (self->cancellable) && !self->ended)
    {
      g_free (self->diff_summary);
      self->diff_summary = g_strdup (summary != NULL ? summary : "");
      g_signal_emit (self, signals[PHASE_ENDED], 0, end->phase, end->validation,
                     self->diff_summary);
      proceed (self, end->stop);
    }
  g_object_unref (end->validation);
  g_object_unref (end->loop);
  g_free (end);
}

/* The iteration's validation is complete (with the critic's verdict when
 * one was asked): store it, let the chain decide, go on or stop. */
static void
record (LeanRalphLoop *self)
{
  g_autoptr(LeanRalphLoop) hold = g_object_ref (self);
  g_autoptr(LeanValidation) validation = g_steal_pointer (&self->validation);
  g_autoptr(GError) error = NULL;
  guint k = lean_ralph_chain_get_iteration (self->chain);
  guint phase;
  LeanRalphStop stop;

  if (self->store != NULL &&
      lean_validation_store_add_validation (self->store, validation,
                                            self->session ? lean_session_get_id (self->session)
                                                          : NULL,
                                            lean_ralph_chain_get_id (self->chain), k,
                                            &error) == 0)
    {
      g_warning ("validation of iteration %u not stored: %s", k, error->message);
      g_clear_error (&error);
    }
  phase = lean_ralph_chain_get_phase (self->chain);
  stop = lean_ralph_chain_record_validation (self->chain, validation);
  g_signal_emit (self, signals[VALIDATION_FINISHED], 0, k, validation);
  save_chain (self);

  if (phase > 0)
    {
      /* The checkpoint shows what the phase changed: read off the main
       * loop, then go on. */
      PhaseEnd *end = g_new0 (PhaseEnd, 1);
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, on_diff_summary, end);

      end->loop = g_object_ref (self);
      end->validation = g_object_ref (validation);
      end->phase = phase;
      end->stop = stop;
      g_task_set_task_data (task, g_strdup (self->request->project_path), g_free);
      g_task_run_in_thread (task, diff_summary_thread);
      return;
    }
  proceed (self, stop);
}

static void
on_critic_finished (LeanCriticRun *critic,
                    LeanRalphLoop *self)
{
  g_signal_handlers_disconnect_by_data (critic, self);
  if (self->validation != NULL)
    lean_validation_set_critic (self->validation, lean_critic_run_get_verdict (critic));
  g_clear_object (&self->critic);
  if (self->ended)
    return;
  record (self);
}

static void
on_validation_finished (LeanValidation *validation,
                        LeanRalphLoop  *self)
{
  g_signal_handlers_disconnect_by_data (validation, self);
  if (self->critic_agent == NULL)
    {
      record (self);
      return;
    }
  self->critic = lean_critic_run_new (self->critic_agent, self->request->project_path,
                                      self->spec_id, self->spec_readme, validation,
                                      self->critic_db, self->store,
                                      lean_ralph_chain_get_id (self->chain),
                                      lean_ralph_chain_get_iteration (self->chain));
  g_signal_connect (self->critic, "finished", G_CALLBACK (on_critic_finished), self);
  lean_critic_run_start (self->critic);
}

static void
read_spec_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  SpecReadJob *job = data;
  SpecRead *read = g_new0 (SpecRead, 1);

  read->specs = lean_project_load_specs (job->project, NULL, NULL, NULL);
  read->spec = read->specs != NULL ? lean_project_find_spec (job->project, read->specs,
                                                             job->spec_id, NULL) : NULL;
  if (read->spec != NULL)
    {
      GBytes *contents = lean_spec_get_contents (read->spec);
      gsize len = 0;
      const char *text = contents != NULL ? g_bytes_get_data (contents, &len) : NULL;

      read->readme = g_strndup (text != NULL ? text : "", len);
      read->phases = lean_spec_get_phases (read->spec);
      read->spec_prompt = lean_prompt_update_spec_text (job->prompt, read->spec);
    }
  g_task_return_pointer (task, read, (GDestroyNotify)spec_read_free);
}

/* Reads the spec tree in a thread, one read at a time. The task holds the
 * loop weakly: a loop its owner dropped, cancelled or ended mid-read drops
 * the read (the loop's cancellable is cancelled by cancel and dispose). */
static void
read_spec (LeanRalphLoop       *self,
           GAsyncReadyCallback  callback)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);
  g_autoptr(GTask) task = NULL;
  SpecReadJob *job = g_new0 (SpecReadJob, 1);

  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, callback, weak);

  g_assert (!self->reading);
  self->reading = TRUE;
  job->project = g_object_ref (self->project);
  job->spec_id = g_strdup (self->spec_id);
  job->prompt = g_strdup (self->request->prompt);
  g_task_set_task_data (task, job, (GDestroyNotify)spec_read_job_free);
  g_task_run_in_thread (task, read_spec_thread);
}

/* The read, or NULL when the loop is gone, has ended or was disposed
 * meanwhile. @out_self: the loop (a reference), or NULL. */
static SpecRead *
read_spec_finish (GAsyncResult   *result,
                  gpointer        data,
                  LeanRalphLoop **out_self)
{
  GWeakRef *weak = data;
  g_autoptr(SpecRead) read = g_task_propagate_pointer (G_TASK (result), NULL);
  LeanRalphLoop *self = g_weak_ref_get (weak);

  g_weak_ref_clear (weak);
  g_free (weak);
  *out_self = self;
  if (self == NULL)
    return NULL;
  self->reading = FALSE;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))) || self->ended)
    return NULL;
  return g_steal_pointer (&read);
}

/* The spec as the working tree has it now: the agent ticks items there. */
static void
on_validation_read (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(LeanRalphLoop) self = NULL;
  g_autoptr(SpecRead) read = read_spec_finish (result, data, &self);
  const char *work_dir;

  if (read == NULL)
    return;
  work_dir = self->request->project_path;
  self->validation = lean_validation_new (self->spec_id, self->config, work_dir);
  /* The caller decided on trust before starting the loop. */
  lean_validation_set_trusted (self->validation, TRUE);
  if (read->spec != NULL)
    lean_validation_set_completion (self->validation, self->project, read->specs, read->spec);
  g_free (self->spec_readme);
  self->spec_readme = g_steal_pointer (&read->readme);
  g_signal_connect (self->validation, "finished", G_CALLBACK (on_validation_finished), self);
  g_signal_emit (self, signals[VALIDATION_STARTED], 0,
                 lean_ralph_chain_get_iteration (self->chain), self->validation);
  lean_validation_run (self->validation);
}

static void
on_session_state (LeanSession   *session,
                  GParamSpec    *pspec,
                  LeanRalphLoop *self)
{
  LeanSessionState state = lean_session_get_state (session);

  if (!lean_session_state_is_final (state))
    return;
  g_signal_handlers_disconnect_by_data (session, self);

  if (state == LEAN_SESSION_STATE_CANCELLED || self->ended)
    {
      lean_ralph_chain_cancel (self->chain);
      end_loop (self);
      return;
    }
  lean_ralph_chain_agent_finished (self->chain,
                                   lean_session_get_input_tokens (session) +
                                   lean_session_get_output_tokens (session),
                                   lean_session_get_cost_usd (session));
  /* A failed agent run may still have changed the tree: validate anyway. */
  read_spec (self, on_validation_read);
}

/* Names phase @phase's open items in @phases (as the agent left them) for
 * the chain's next prompt. */
static void
set_phase_work (LeanRalphLoop *self,
                GPtrArray     *phases,
                guint          phase)
{
  LeanSpecPhase *p = phases != NULL && phase <= phases->len
                     ? g_ptr_array_index (phases, phase - 1) : NULL;

  g_free (self->phase_title);
  self->phase_title = g_strdup (p != NULL ? p->title : "");
  lean_ralph_chain_set_phase_work (self->chain, self->phase_title,
                                   p != NULL ? (const char * const *)p->open_items : NULL);
}

/* Starts the next iteration's session; @read is the spec as read just
 * before (NULL for a first iteration that needs nothing from it). */
static gboolean
start_iteration (LeanRalphLoop  *self,
                 SpecRead       *read,
                 GError        **error)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_copy (self->request);
  g_autofree char *prompt = NULL;
  guint next_phase = lean_ralph_chain_get_next_phase (self->chain);
  guint k;
  LeanSession *session;

  /* The prompt carries the spec as it is now, with the items ticked so far. */
  if (read != NULL && read->spec_prompt != NULL)
    lean_ralph_chain_set_spec_prompt (self->chain, read->spec_prompt);
  if (next_phase > 0)
    set_phase_work (self, read != NULL ? read->phases : NULL, next_phase);
  prompt = lean_ralph_chain_begin_iteration (self->chain);
  k = lean_ralph_chain_get_iteration (self->chain);

  g_assert (prompt != NULL);
  g_free (request->prompt);
  request->prompt = g_steal_pointer (&prompt);
  /* The spec goes in-progress once, with the first iteration. */
  request->set_in_progress = self->request->set_in_progress && k == 1;

  session = lean_controller_start (self->controller, request, error);
  if (session == NULL)
    return FALSE;
  g_set_object (&self->session, session);
  if (self->store != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      if (!lean_validation_store_link_session (self->store, lean_session_get_id (session),
                                               LEAN_SESSION_KIND_IMPLEMENT,
                                               lean_ralph_chain_get_id (self->chain), k,
                                               &local_error))
        g_warning ("session %s not linked to its chain: %s", lean_session_get_id (session),
                   local_error->message);
    }
  if (next_phase > 0)
    g_signal_emit (self, signals[PHASE_STARTED], 0, next_phase,
                   lean_ralph_chain_get_n_phases (self->chain), self->phase_title);
  g_signal_emit (self, signals[ITERATION_STARTED], 0, k, session);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_session_state), self);
  if (lean_session_state_is_final (lean_session_get_state (session)))
    on_session_state (session, NULL, self);
  return TRUE;
}

static void
start_iteration_or_end (LeanRalphLoop *self,
                        SpecRead      *read)
{
  g_autoptr(GError) error = NULL;

  if (!start_iteration (self, read, &error))
    {
      lean_ralph_chain_fail (self->chain, error->message);
      end_loop (self);
    }
}

static void
on_iteration_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(LeanRalphLoop) self = NULL;
  g_autoptr(SpecRead) read = read_spec_finish (result, data, &self);

  if (read != NULL)
    start_iteration_or_end (self, read);
}

/* Reads the spec as it is now (the agent's ticks, a person's edits at a
 * pause), then starts the next iteration. */
static void
next_iteration (LeanRalphLoop *self)
{
  read_spec (self, on_iteration_read);
}

void
lean_ralph_loop_set_critic (LeanRalphLoop *self,
                            LeanAgent     *agent,
                            LeanSessionDb *db)
{
  g_return_if_fail (LEAN_IS_RALPH_LOOP (self));
  g_return_if_fail (agent == NULL || LEAN_IS_AGENT (agent));

  g_set_object (&self->critic_agent, agent);
  g_set_object (&self->critic_db, db);
}

/* Phase by phase: the plan's phases (their count) come from the spec. */
static void
on_start_read (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(LeanRalphLoop) self = NULL;
  g_autoptr(SpecRead) read = read_spec_finish (result, data, &self);

  if (read == NULL)
    return;
  lean_ralph_chain_set_n_phases (self->chain, read->phases != NULL ? read->phases->len : 0);
  save_chain (self);
  start_iteration_or_end (self, read);
}

gboolean
lean_ralph_loop_start (LeanRalphLoop  *self,
                       GError        **error)
{
  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (self), FALSE);
  g_return_val_if_fail (lean_ralph_chain_get_iteration (self->chain) == 0, FALSE);
  g_return_val_if_fail (!self->reading, FALSE);

  if (self->request->use_worktree)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                           _("The Ralph loop runs every iteration in the same folder; it cannot "
                             "use a new worktree per iteration yet"));
      return FALSE;
    }
  if (lean_ralph_chain_get_settings (self->chain)->phases)
    {
      /* The session starts once the phases are read; a failure to start
       * it ends the chain ("ended", FAILED). */
      read_spec (self, on_start_read);
      return TRUE;
    }
  save_chain (self);
  if (!start_iteration (self, NULL, error))
    {
      lean_ralph_chain_fail (self->chain, (*error)->message);
      end_loop (self);
      return FALSE;
    }
  return TRUE;
}

void
lean_ralph_loop_continue (LeanRalphLoop *self)
{
  g_return_if_fail (LEAN_IS_RALPH_LOOP (self));
  g_return_if_fail (lean_ralph_chain_get_state (self->chain) == LEAN_RALPH_STATE_PAUSED);

  /* Asked twice before the spec was read: once is enough. */
  if (self->reading)
    return;
  next_iteration (self);
}

void
lean_ralph_loop_retry_phase (LeanRalphLoop *self)
{
  g_return_if_fail (LEAN_IS_RALPH_LOOP (self));
  g_return_if_fail (lean_ralph_chain_get_state (self->chain) == LEAN_RALPH_STATE_PAUSED);

  lean_ralph_chain_retry_phase (self->chain);
  lean_ralph_loop_continue (self);
}

const char *
lean_ralph_loop_get_diff_summary (LeanRalphLoop *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (self), NULL);
  return self->diff_summary;
}

void
lean_ralph_loop_cancel (LeanRalphLoop *self)
{
  g_return_if_fail (LEAN_IS_RALPH_LOOP (self));

  if (self->ended)
    return;
  g_cancellable_cancel (self->cancellable);
  lean_ralph_chain_cancel (self->chain);
  if (self->validation != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->validation, self);
      lean_validation_cancel (self->validation);
    }
  if (self->critic != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->critic, self);
      lean_critic_run_cancel (self->critic);
    }
  if (self->session != NULL && !lean_session_state_is_final (lean_session_get_state (self->session)))
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      lean_controller_cancel (self->controller, self->session);
    }
  end_loop (self);
}

LeanRalphChain *
lean_ralph_loop_get_chain (LeanRalphLoop *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (self), NULL);
  return self->chain;
}

gboolean
lean_ralph_loop_is_ended (LeanRalphLoop *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (self), TRUE);
  return self->ended;
}
