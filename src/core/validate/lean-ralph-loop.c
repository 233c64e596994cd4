/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-git.h"
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
};

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

static gboolean start_iteration (LeanRalphLoop *self, GError **error);

/* After an iteration's validation was recorded: stop, pause or go on. */
static void
proceed (LeanRalphLoop *self,
         LeanRalphStop  stop)
{
  g_autoptr(GError) error = NULL;

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
  if (!start_iteration (self, &error))
    {
      lean_ralph_chain_fail (self->chain, error->message);
      end_loop (self);
    }
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
  g_autofree char *readme = NULL;

  g_signal_handlers_disconnect_by_data (validation, self);
  if (self->critic_agent == NULL)
    {
      record (self);
      return;
    }

  {
    g_autoptr(GPtrArray) specs = lean_project_load_specs (self->project, NULL, NULL, NULL);
    LeanSpec *spec = specs != NULL ? lean_project_find_spec (self->project, specs, self->spec_id,
                                                             NULL) : NULL;

    if (spec != NULL)
      g_file_get_contents (lean_spec_get_readme_path (spec), &readme, NULL, NULL);
  }
  self->critic = lean_critic_run_new (self->critic_agent, self->request->project_path,
                                      self->spec_id, readme, validation, self->critic_db,
                                      self->store, lean_ralph_chain_get_id (self->chain),
                                      lean_ralph_chain_get_iteration (self->chain));
  g_signal_connect (self->critic, "finished", G_CALLBACK (on_critic_finished), self);
  lean_critic_run_start (self->critic);
}

/* The spec as the working tree has it now: the agent ticks items there. */
static void
validate (LeanRalphLoop *self)
{
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  const char *work_dir = self->request->project_path;
  LeanSpec *spec;

  self->validation = lean_validation_new (self->spec_id, self->config, work_dir);
  /* The caller decided on trust before starting the loop. */
  lean_validation_set_trusted (self->validation, TRUE);
  specs = lean_project_load_specs (self->project, NULL, NULL, &error);
  spec = specs != NULL ? lean_project_find_spec (self->project, specs, self->spec_id, NULL) : NULL;
  if (spec != NULL)
    lean_validation_set_completion (self->validation, self->project, specs, spec);
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
  validate (self);
}

/* The spec's phases as the working tree has them now. */
static GPtrArray *
load_phases (LeanRalphLoop *self)
{
  g_autoptr(GPtrArray) specs = lean_project_load_specs (self->project, NULL, NULL, NULL);
  LeanSpec *spec = specs != NULL ? lean_project_find_spec (self->project, specs, self->spec_id,
                                                           NULL) : NULL;

  return spec != NULL ? lean_spec_get_phases (spec) : NULL;
}

/* Names phase @phase's open items for the chain's next prompt: read now,
 * as the agent ticked them. */
static void
set_phase_work (LeanRalphLoop *self,
                guint          phase)
{
  g_autoptr(GPtrArray) phases = load_phases (self);
  LeanSpecPhase *p = phases != NULL && phase <= phases->len
                     ? g_ptr_array_index (phases, phase - 1) : NULL;

  g_free (self->phase_title);
  self->phase_title = g_strdup (p != NULL ? p->title : "");
  lean_ralph_chain_set_phase_work (self->chain, self->phase_title,
                                   p != NULL ? (const char * const *)p->open_items : NULL);
}

static gboolean
start_iteration (LeanRalphLoop  *self,
                 GError        **error)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_copy (self->request);
  g_autofree char *prompt = NULL;
  guint next_phase = lean_ralph_chain_get_next_phase (self->chain);
  guint k;
  LeanSession *session;

  if (next_phase > 0)
    set_phase_work (self, next_phase);
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

gboolean
lean_ralph_loop_start (LeanRalphLoop  *self,
                       GError        **error)
{
  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (self), FALSE);
  g_return_val_if_fail (lean_ralph_chain_get_iteration (self->chain) == 0, FALSE);

  if (self->request->use_worktree)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                           _("The Ralph loop runs every iteration in the same folder; it cannot "
                             "use a new worktree per iteration yet"));
      return FALSE;
    }
  if (lean_ralph_chain_get_settings (self->chain)->phases)
    {
      g_autoptr(GPtrArray) phases = load_phases (self);

      lean_ralph_chain_set_n_phases (self->chain, phases != NULL ? phases->len : 0);
    }
  save_chain (self);
  if (!start_iteration (self, error))
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
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LEAN_IS_RALPH_LOOP (self));
  g_return_if_fail (lean_ralph_chain_get_state (self->chain) == LEAN_RALPH_STATE_PAUSED);

  if (!start_iteration (self, &error))
    {
      lean_ralph_chain_fail (self->chain, error->message);
      end_loop (self);
    }
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
