/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-session.h"
#include "lean-session-private.h"

struct _LeanSession
{
  GObject           parent_instance;

  char             *id;
  char             *project_path;
  char             *spec_id;
  char             *agent_id;
  LeanSessionMode   mode;
  LeanSessionState  state;
  char             *runner;
  GDateTime        *started_at;
  GDateTime        *ended_at;
  int               exit_code;
  char             *message;
  char             *worktree_path;
  char             *branch;
  guint64           input_tokens;
  guint64           output_tokens;
  guint64           cache_tokens;
  double            cost_usd;
  guint             iteration;
  char             *model;
  int               agent_pid;
  char             *agent_start;
  int               owner_pid;
  gboolean          structured;
  gboolean          archived;
  LeanAgentProblem  problem;
};

G_DEFINE_FINAL_TYPE (LeanSession, lean_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT_PATH,
  PROP_SPEC_ID,
  PROP_AGENT_ID,
  PROP_MODE,
  PROP_RUNNER,
  PROP_STATE,
  PROP_STARTED_AT,
  PROP_ENDED_AT,
  PROP_EXIT_CODE,
  PROP_MESSAGE,
  PROP_WORKTREE_PATH,
  PROP_BRANCH,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_CACHE_TOKENS,
  PROP_COST_USD,
  PROP_ITERATION,
  PROP_MODEL,
  PROP_AGENT_PID,
  PROP_AGENT_START,
  PROP_OWNER_PID,
  PROP_STRUCTURED,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


static const char * const state_names[] = {
  [LEAN_SESSION_STATE_PENDING] = "pending",
  [LEAN_SESSION_STATE_RUNNING] = "running",
  [LEAN_SESSION_STATE_PAUSED] = "paused",
  [LEAN_SESSION_STATE_VALIDATING] = "validating",
  [LEAN_SESSION_STATE_COMPLETED] = "completed",
  [LEAN_SESSION_STATE_FAILED] = "failed",
  [LEAN_SESSION_STATE_CANCELLED] = "cancelled",
  [LEAN_SESSION_STATE_INTERRUPTED] = "interrupted",
};

const char *
lean_session_state_to_string (LeanSessionState state)
{
  if ((guint)state >= G_N_ELEMENTS (state_names))
    return NULL;
  return state_names[state];
}

gboolean
lean_session_state_from_string (const char       *str,
                                LeanSessionState *state)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_ascii_strcasecmp (str, state_names[i]) == 0)
        {
          if (state != NULL)
            *state = (LeanSessionState)i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
lean_session_state_get_label (LeanSessionState state)
{
  switch (state)
    {
    case LEAN_SESSION_STATE_PENDING:     return _("Starting");
    case LEAN_SESSION_STATE_RUNNING:     return _("Running");
    case LEAN_SESSION_STATE_PAUSED:      return _("Paused");
    case LEAN_SESSION_STATE_VALIDATING:  return _("Validating");
    case LEAN_SESSION_STATE_COMPLETED:   return _("Completed");
    case LEAN_SESSION_STATE_FAILED:      return _("Failed");
    case LEAN_SESSION_STATE_CANCELLED:   return _("Cancelled");
    case LEAN_SESSION_STATE_INTERRUPTED: return _("Interrupted");
    default:                             return NULL;
    }
}

gboolean
lean_session_state_is_final (LeanSessionState state)
{
  return state == LEAN_SESSION_STATE_COMPLETED ||
         state == LEAN_SESSION_STATE_FAILED ||
         state == LEAN_SESSION_STATE_CANCELLED ||
         state == LEAN_SESSION_STATE_INTERRUPTED;
}

/* The state machine. Final states are final: a new attempt is a new
 * session. A paused agent may still end (killed from outside, or cancelled),
 * and validating may loop back to running for the next iteration. */
gboolean
lean_session_state_can_transition (LeanSessionState from,
                                   LeanSessionState to)
{
  if (from == to)
    return TRUE;
  if (lean_session_state_is_final (from))
    return FALSE;

  switch (from)
    {
    case LEAN_SESSION_STATE_PENDING:
      return to == LEAN_SESSION_STATE_RUNNING || lean_session_state_is_final (to);
    case LEAN_SESSION_STATE_RUNNING:
      return to != LEAN_SESSION_STATE_PENDING;
    case LEAN_SESSION_STATE_PAUSED:
      return to == LEAN_SESSION_STATE_RUNNING || lean_session_state_is_final (to);
    case LEAN_SESSION_STATE_VALIDATING:
      return to == LEAN_SESSION_STATE_RUNNING || lean_session_state_is_final (to);
    case LEAN_SESSION_STATE_COMPLETED:
    case LEAN_SESSION_STATE_FAILED:
    case LEAN_SESSION_STATE_CANCELLED:
    case LEAN_SESSION_STATE_INTERRUPTED:
    default:
      return FALSE;
    }
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_datetime (GDateTime **field,
              GDateTime  *value)
{
  if (*field == value)
    return FALSE;
  if (*field != NULL && value != NULL && g_date_time_equal (*field, value))
    return FALSE;
  g_clear_pointer (field, g_date_time_unref);
  *field = value ? g_date_time_ref (value) : NULL;
  return TRUE;
}

static void
lean_session_finalize (GObject *object)
{
  LeanSession *self = (LeanSession *)object;

  g_free (self->id);
  g_free (self->project_path);
  g_free (self->spec_id);
  g_free (self->agent_id);
  g_free (self->runner);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->ended_at, g_date_time_unref);
  g_free (self->message);
  g_free (self->worktree_path);
  g_free (self->branch);
  g_free (self->model);
  g_free (self->agent_start);

  G_OBJECT_CLASS (lean_session_parent_class)->finalize (object);
}

static void
lean_session_constructed (GObject *object)
{
  LeanSession *self = (LeanSession *)object;

  G_OBJECT_CLASS (lean_session_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
}

static void
lean_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LeanSession *self = LEAN_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:            g_value_set_string (value, self->id); break;
    case PROP_PROJECT_PATH:  g_value_set_string (value, self->project_path); break;
    case PROP_SPEC_ID:       g_value_set_string (value, self->spec_id); break;
    case PROP_AGENT_ID:      g_value_set_string (value, self->agent_id); break;
    case PROP_MODE:          g_value_set_int (value, self->mode); break;
    case PROP_RUNNER:        g_value_set_string (value, self->runner); break;
    case PROP_STATE:         g_value_set_int (value, self->state); break;
    case PROP_STARTED_AT:    g_value_set_boxed (value, self->started_at); break;
    case PROP_ENDED_AT:      g_value_set_boxed (value, self->ended_at); break;
    case PROP_EXIT_CODE:     g_value_set_int (value, self->exit_code); break;
    case PROP_MESSAGE:       g_value_set_string (value, self->message); break;
    case PROP_WORKTREE_PATH: g_value_set_string (value, self->worktree_path); break;
    case PROP_BRANCH:        g_value_set_string (value, self->branch); break;
    case PROP_INPUT_TOKENS:  g_value_set_uint64 (value, self->input_tokens); break;
    case PROP_OUTPUT_TOKENS: g_value_set_uint64 (value, self->output_tokens); break;
    case PROP_CACHE_TOKENS:  g_value_set_uint64 (value, self->cache_tokens); break;
    case PROP_COST_USD:      g_value_set_double (value, self->cost_usd); break;
    case PROP_ITERATION:     g_value_set_uint (value, self->iteration); break;
    case PROP_MODEL:         g_value_set_string (value, self->model); break;
    case PROP_AGENT_PID:     g_value_set_int (value, self->agent_pid); break;
    case PROP_AGENT_START:   g_value_set_string (value, self->agent_start); break;
    case PROP_OWNER_PID:     g_value_set_int (value, self->owner_pid); break;
    case PROP_STRUCTURED:    g_value_set_boolean (value, self->structured); break;
    case PROP_PROBLEM:       g_value_set_int (value, self->problem); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LeanSession *self = LEAN_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:            self->id = g_value_dup_string (value); break;
    case PROP_PROJECT_PATH:  self->project_path = g_value_dup_string (value); break;
    case PROP_SPEC_ID:       self->spec_id = g_value_dup_string (value); break;
    case PROP_AGENT_ID:      self->agent_id = g_value_dup_string (value); break;
    case PROP_MODE:          self->mode = g_value_get_int (value); break;
    case PROP_RUNNER:        lean_session_set_runner (self, g_value_get_string (value)); break;
    case PROP_STATE:         lean_session_set_state (self, g_value_get_int (value)); break;
    case PROP_STARTED_AT:    lean_session_set_started_at (self, g_value_get_boxed (value)); break;
    case PROP_ENDED_AT:      lean_session_set_ended_at (self, g_value_get_boxed (value)); break;
    case PROP_EXIT_CODE:     lean_session_set_exit_code (self, g_value_get_int (value)); break;
    case PROP_MESSAGE:       lean_session_set_message (self, g_value_get_string (value)); break;
    case PROP_WORKTREE_PATH:
      lean_session_set_worktree_path (self, g_value_get_string (value));
      break;
    case PROP_BRANCH:        lean_session_set_branch (self, g_value_get_string (value)); break;
    case PROP_INPUT_TOKENS:
      lean_session_set_usage (self, g_value_get_uint64 (value),
                              self->output_tokens, self->cache_tokens);
      break;
    case PROP_OUTPUT_TOKENS:
      lean_session_set_usage (self, self->input_tokens,
                              g_value_get_uint64 (value), self->cache_tokens);
      break;
    case PROP_CACHE_TOKENS:
      lean_session_set_usage (self, self->input_tokens,
                              self->output_tokens, g_value_get_uint64 (value));
      break;
    case PROP_COST_USD:      lean_session_set_cost_usd (self, g_value_get_double (value)); break;
    case PROP_ITERATION:     lean_session_set_iteration (self, g_value_get_uint (value)); break;
    case PROP_MODEL:         lean_session_set_model (self, g_value_get_string (value)); break;
    case PROP_AGENT_PID:     lean_session_set_agent_pid (self, g_value_get_int (value)); break;
    case PROP_AGENT_START:   lean_session_set_agent_start (self, g_value_get_string (value)); break;
    case PROP_OWNER_PID:     lean_session_set_owner_pid (self, g_value_get_int (value)); break;
    case PROP_STRUCTURED:
      lean_session_set_structured (self, g_value_get_boolean (value));
      break;
    case PROP_PROBLEM:
      lean_session_set_problem (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_class_init (LeanSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lean_session_finalize;
  object_class->constructed = lean_session_constructed;
  object_class->get_property = lean_session_get_property;
  object_class->set_property = lean_session_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, co);
  properties[PROP_PROJECT_PATH] = g_param_spec_string ("project-path", NULL, NULL, NULL, co);
  properties[PROP_SPEC_ID] = g_param_spec_string ("spec-id", NULL, NULL, NULL, co);
  properties[PROP_AGENT_ID] = g_param_spec_string ("agent-id", NULL, NULL, NULL, co);
  /* Enums are plain ints: there is no registered GEnum type for them yet. */
  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL, LEAN_SESSION_MODE_AUTONOMOUS,
                      LEAN_SESSION_MODE_GUIDED, LEAN_SESSION_MODE_AUTONOMOUS, co);
  properties[PROP_RUNNER] = g_param_spec_string ("runner", NULL, NULL, NULL, rw);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, LEAN_SESSION_STATE_PENDING,
                      LEAN_SESSION_STATE_INTERRUPTED, LEAN_SESSION_STATE_PENDING, rw);
  properties[PROP_STARTED_AT] =
    g_param_spec_boxed ("started-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_ENDED_AT] =
    g_param_spec_boxed ("ended-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_EXIT_CODE] =
    g_param_spec_int ("exit-code", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, rw);
  properties[PROP_WORKTREE_PATH] =
    g_param_spec_string ("worktree-path", NULL, NULL, NULL, rw);
  properties[PROP_BRANCH] = g_param_spec_string ("branch", NULL, NULL, NULL, rw);
  properties[PROP_INPUT_TOKENS] =
    g_param_spec_uint64 ("input-tokens", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_OUTPUT_TOKENS] =
    g_param_spec_uint64 ("output-tokens", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_CACHE_TOKENS] =
    g_param_spec_uint64 ("cache-tokens", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_COST_USD] =
    g_param_spec_double ("cost-usd", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0, rw);
  properties[PROP_ITERATION] =
    g_param_spec_uint ("iteration", NULL, NULL, 0, G_MAXUINT, 1, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, rw);
  properties[PROP_AGENT_PID] =
    g_param_spec_int ("agent-pid", NULL, NULL, 0, G_MAXINT, 0, rw);
  properties[PROP_AGENT_START] = g_param_spec_string ("agent-start", NULL, NULL, NULL, rw);
  properties[PROP_OWNER_PID] =
    g_param_spec_int ("owner-pid", NULL, NULL, 0, G_MAXINT, 0, rw);

  properties[PROP_STRUCTURED] =
    g_param_spec_boolean ("structured", NULL, NULL, FALSE, rw);
  properties[PROP_PROBLEM] =
    g_param_spec_int ("problem", NULL, NULL, LEAN_AGENT_PROBLEM_NONE,
                      LEAN_AGENT_PROBLEM_NOT_GIT_REPO, LEAN_AGENT_PROBLEM_NONE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

}

static void
lean_session_init (LeanSession *self)
{
  self->exit_code = -1;
  self->cost_usd = -1.0;
  self->iteration = 1;
}

LeanSession *
lean_session_new (const char      *id,
                  const char      *project_path,
                  const char      *spec_id,
                  const char      *agent_id,
                  LeanSessionMode  mode)
{
  return g_object_new (LEAN_TYPE_SESSION,
                       "id", id,
                       "project-path", project_path,
                       "spec-id", spec_id,
                       "agent-id", agent_id,
                       "mode", mode,
                       NULL);
}

#define GETTER(type, name, field) \
  type \
  lean_session_get_##name (LeanSession *self) \
  { \
    g_return_val_if_fail (LEAN_IS_SESSION (self), (type)0); \
    return self->field; \
  }

GETTER (const char *, id, id)
GETTER (const char *, project_path, project_path)
GETTER (const char *, spec_id, spec_id)
GETTER (const char *, agent_id, agent_id)
GETTER (LeanSessionMode, mode, mode)
GETTER (LeanSessionState, state, state)
GETTER (const char *, runner, runner)
GETTER (GDateTime *, started_at, started_at)
GETTER (GDateTime *, ended_at, ended_at)
GETTER (const char *, message, message)
GETTER (guint64, input_tokens, input_tokens)
GETTER (guint64, output_tokens, output_tokens)
GETTER (guint64, cache_tokens, cache_tokens)
GETTER (const char *, worktree_path, worktree_path)
GETTER (const char *, branch, branch)
GETTER (guint, iteration, iteration)
GETTER (const char *, model, model)
GETTER (int, agent_pid, agent_pid)
GETTER (const char *, agent_start, agent_start)
GETTER (int, owner_pid, owner_pid)
GETTER (gboolean, structured, structured)

#undef GETTER

int
lean_session_get_exit_code (LeanSession *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION (self), -1);
  return self->exit_code;
}

double
lean_session_get_cost_usd (LeanSession *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION (self), -1.0);
  return self->cost_usd;
}

void
_lean_session_restore_state (LeanSession      *self,
                             LeanSessionState  state)
{
  g_return_if_fail (LEAN_IS_SESSION (self));
  g_return_if_fail (lean_session_state_to_string (state) != NULL);

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

gboolean
lean_session_transition (LeanSession       *self,
                         LeanSessionState   state,
                         GError           **error)
{
  g_return_val_if_fail (LEAN_IS_SESSION (self), FALSE);

  if (!lean_session_state_can_transition (self->state, state))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   "A session that is %s cannot become %s",
                   lean_session_state_to_string (self->state),
                   lean_session_state_to_string (state));
      return FALSE;
    }
  _lean_session_restore_state (self, state);
  return TRUE;
}

void
lean_session_set_state (LeanSession      *self,
                        LeanSessionState  state)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LEAN_IS_SESSION (self));

  if (!lean_session_transition (self, state, &error))
    g_critical ("%s: %s", G_STRFUNC, error->message);
}

#define STRING_SETTER(name, field, prop) \
  void \
  lean_session_set_##name (LeanSession *self, const char *value) \
  { \
    g_return_if_fail (LEAN_IS_SESSION (self)); \
    if (set_string (&self->field, value)) \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
  }

STRING_SETTER (runner, runner, PROP_RUNNER)
STRING_SETTER (message, message, PROP_MESSAGE)
STRING_SETTER (worktree_path, worktree_path, PROP_WORKTREE_PATH)
STRING_SETTER (branch, branch, PROP_BRANCH)
STRING_SETTER (model, model, PROP_MODEL)
STRING_SETTER (agent_start, agent_start, PROP_AGENT_START)

#undef STRING_SETTER

#define INT_SETTER(name, type, field, prop) \
  void \
  lean_session_set_##name (LeanSession *self, type value) \
  { \
    g_return_if_fail (LEAN_IS_SESSION (self)); \
    if (self->field == value) \
      return; \
    self->field = value; \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
  }

INT_SETTER (exit_code, int, exit_code, PROP_EXIT_CODE)
INT_SETTER (iteration, guint, iteration, PROP_ITERATION)
INT_SETTER (agent_pid, int, agent_pid, PROP_AGENT_PID)
INT_SETTER (owner_pid, int, owner_pid, PROP_OWNER_PID)

void
lean_session_set_structured (LeanSession *self,
                             gboolean     structured)
{
  g_return_if_fail (LEAN_IS_SESSION (self));

  structured = !!structured;
  if (self->structured == structured)
    return;
  self->structured = structured;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRUCTURED]);
}

#undef INT_SETTER

void
lean_session_set_cost_usd (LeanSession *self,
                           double       cost_usd)
{
  g_return_if_fail (LEAN_IS_SESSION (self));

  if (cost_usd < 0)
    cost_usd = -1.0;
  if (self->cost_usd == cost_usd)
    return;
  self->cost_usd = cost_usd;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COST_USD]);
}

void
lean_session_set_started_at (LeanSession *self,
                             GDateTime   *started_at)
{
  g_return_if_fail (LEAN_IS_SESSION (self));

  if (set_datetime (&self->started_at, started_at))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
}

void
lean_session_set_ended_at (LeanSession *self,
                           GDateTime   *ended_at)
{
  g_return_if_fail (LEAN_IS_SESSION (self));

  if (set_datetime (&self->ended_at, ended_at))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDED_AT]);
}

void
lean_session_set_usage (LeanSession *self,
                        guint64      input_tokens,
                        guint64      output_tokens,
                        guint64      cache_tokens)
{
  GObject *object = (GObject *)self;

  g_return_if_fail (LEAN_IS_SESSION (self));

  g_object_freeze_notify (object);
  if (self->input_tokens != input_tokens)
    {
      self->input_tokens = input_tokens;
      g_object_notify_by_pspec (object, properties[PROP_INPUT_TOKENS]);
    }
  if (self->output_tokens != output_tokens)
    {
      self->output_tokens = output_tokens;
      g_object_notify_by_pspec (object, properties[PROP_OUTPUT_TOKENS]);
    }
  if (self->cache_tokens != cache_tokens)
    {
      self->cache_tokens = cache_tokens;
      g_object_notify_by_pspec (object, properties[PROP_CACHE_TOKENS]);
    }
  g_object_thaw_notify (object);
}

gint64
lean_session_get_elapsed (LeanSession *self)
{
  g_autoptr(GDateTime) now = NULL;
  GDateTime *end;

  g_return_val_if_fail (LEAN_IS_SESSION (self), 0);

  if (self->started_at == NULL)
    return 0;
  end = self->ended_at;
  if (end == NULL)
    end = now = g_date_time_new_now_utc ();
  return MAX (0, g_date_time_difference (end, self->started_at) / G_TIME_SPAN_SECOND);
}

LeanAgentProblem
lean_session_get_problem (LeanSession *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION (self), LEAN_AGENT_PROBLEM_NONE);

  return self->problem;
}

void
lean_session_set_problem (LeanSession      *self,
                          LeanAgentProblem  problem)
{
  g_return_if_fail (LEAN_IS_SESSION (self));

  if (self->problem == problem)
    return;
  self->problem = problem;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

gboolean
lean_session_get_archived (LeanSession *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION (self), FALSE);
  return self->archived;
}

void
lean_session_set_archived (LeanSession *self,
                           gboolean     archived)
{
  g_return_if_fail (LEAN_IS_SESSION (self));
  self->archived = !!archived;
}
