/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-ralph-chain.h"

/* How much of a failing check's output one iteration's feedback carries:
 * more for the latest iteration, which the agent must fix now. */
#define TAIL_LATEST 4000
#define TAIL_OLDER  1200

typedef struct
{
  guint     number;
  guint     phase;       /* 0: not a phase iteration */
  gboolean  passed;
  char     *failures;    /* feedback text of this iteration; NULL when passed */
  char     *signature;   /* what failed, for telling progress */
} Iteration;

struct _LeanRalphChain
{
  GObject            parent_instance;

  char              *id;
  char              *spec_id;
  char              *spec_prompt;
  LeanRalphSettings  settings;
  LeanRalphState     state;
  LeanRalphStop      stop;
  char              *stop_message;
  guint              iteration;
  GPtrArray         *iterations;   /* Iteration, by number */
  char              *feedback;     /* for the next prompt */
  guint64            tokens;
  double             cost_usd;
  gint64             started_us;

  guint              n_phases;      /* 0: not phased */
  guint              phase;         /* of the running or last iteration */
  gboolean           past_phases;
  gboolean           retry_phase;
  gboolean           feedback_edited;  /* by a person, since the last validation */
  /* Iterations before the last phase began: the limit and no-progress
   * count from there. */
  guint              base;
  char              *phase_title;
  GStrv              phase_items;
};

enum { PROP_0, PROP_STATE, PROP_ITERATION, PROP_STOP, PROP_PHASE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LeanRalphChain, lean_ralph_chain, G_TYPE_OBJECT)

const char *
lean_ralph_stop_to_string (LeanRalphStop stop)
{
  switch (stop)
    {
    case LEAN_RALPH_STOP_NONE: return "";
    case LEAN_RALPH_STOP_PASSED: return "passed";
    case LEAN_RALPH_STOP_MAX_ITERATIONS: return "max_iterations";
    case LEAN_RALPH_STOP_NO_PROGRESS: return "no_progress";
    case LEAN_RALPH_STOP_BUDGET: return "budget";
    case LEAN_RALPH_STOP_CANCELLED: return "cancelled";
    case LEAN_RALPH_STOP_FAILED: return "failed";
    default: g_return_val_if_reached (NULL);
    }
}

const char *
lean_ralph_stop_get_label (LeanRalphStop stop)
{
  switch (stop)
    {
    case LEAN_RALPH_STOP_NONE: return _("Running");
    case LEAN_RALPH_STOP_PASSED: return _("Passed: ready to mark complete");
    case LEAN_RALPH_STOP_MAX_ITERATIONS: return _("Stopped at the most iterations allowed");
    case LEAN_RALPH_STOP_NO_PROGRESS: return _("Stopped: the same failures three times running");
    case LEAN_RALPH_STOP_BUDGET: return _("Stopped: the budget is spent");
    case LEAN_RALPH_STOP_CANCELLED: return _("Cancelled");
    case LEAN_RALPH_STOP_FAILED: return _("Stopped: an iteration could not run");
    default: g_return_val_if_reached (NULL);
    }
}

static void
iteration_free (gpointer data)
{
  Iteration *it = data;

  g_free (it->failures);
  g_free (it->signature);
  g_free (it);
}

static void
lean_ralph_chain_finalize (GObject *object)
{
  LeanRalphChain *self = LEAN_RALPH_CHAIN (object);

  g_free (self->id);
  g_free (self->spec_id);
  g_free (self->spec_prompt);
  g_free (self->stop_message);
  g_ptr_array_unref (self->iterations);
  g_free (self->feedback);
  g_free (self->phase_title);
  g_strfreev (self->phase_items);

  G_OBJECT_CLASS (lean_ralph_chain_parent_class)->finalize (object);
}

static void
lean_ralph_chain_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LeanRalphChain *self = LEAN_RALPH_CHAIN (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ITERATION:
      g_value_set_uint (value, self->iteration);
      break;
    case PROP_STOP:
      g_value_set_int (value, self->stop);
      break;
    case PROP_PHASE:
      g_value_set_uint (value, lean_ralph_chain_get_phase (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_ralph_chain_class_init (LeanRalphChainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_ralph_chain_finalize;
  object_class->get_property = lean_ralph_chain_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, LEAN_RALPH_STATE_IDLE, LEAN_RALPH_STATE_ENDED,
                      LEAN_RALPH_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITERATION] =
    g_param_spec_uint ("iteration", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STOP] =
    g_param_spec_int ("stop", NULL, NULL, LEAN_RALPH_STOP_NONE, LEAN_RALPH_STOP_FAILED,
                      LEAN_RALPH_STOP_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PHASE] =
    g_param_spec_uint ("phase", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_ralph_chain_init (LeanRalphChain *self)
{
  self->iterations = g_ptr_array_new_with_free_func (iteration_free);
}

LeanRalphChain *
lean_ralph_chain_new (const char              *spec_id,
                      const char              *spec_prompt,
                      const LeanRalphSettings *settings)
{
  LeanRalphChain *self;

  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (spec_prompt != NULL, NULL);

  self = g_object_new (LEAN_TYPE_RALPH_CHAIN, NULL);
  self->id = g_uuid_string_random ();
  self->spec_id = g_strdup (spec_id);
  self->spec_prompt = g_strdup (spec_prompt);
  if (settings != NULL)
    self->settings = *settings;
  if (self->settings.max_iterations == 0)
    self->settings.max_iterations = 10;
  return self;
}

static void
set_state (LeanRalphChain *self,
           LeanRalphState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
end (LeanRalphChain *self,
     LeanRalphStop   stop,
     char           *message)
{
  g_free (self->stop_message);
  self->stop_message = message != NULL ? message : g_strdup (lean_ralph_stop_get_label (stop));
  self->stop = stop;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP]);
  set_state (self, LEAN_RALPH_STATE_ENDED);
}

/* ---- feedback --------------------------------------------------------- */

/* Durations change from run to run without meaning anything. */
static char *
normalise_line (const char *line)
{
  static GRegex *durations;

  if (g_once_init_enter (&durations))
    g_once_init_leave (&durations, g_regex_new ("[0-9]+(\\.[0-9]+)?\\s*(ms|s|sec|seconds)\\b",
                                                G_REGEX_OPTIMIZE, 0, NULL));
  return g_regex_replace_literal (durations, line, -1, 0, "#s", 0, NULL);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* What failed, in a form that is equal when nothing moved. */
static char *
build_signature (LeanValidation *validation)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char * const *items = lean_validation_get_open_items (validation);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    {
      LeanCheckRun *run = lean_validation_get_run (validation, i);
      g_autofree char *line = NULL;

      if (lean_check_run_get_status (run) == LEAN_CHECK_STATUS_PASSED)
        continue;
      line = normalise_line (lean_check_run_get_first_failure (run) ?: "");
      g_ptr_array_add (parts, g_strdup_printf ("check %s: %s", lean_check_run_get_check (run)->id,
                                               line));
    }
  for (guint i = 0; items[i] != NULL; i++)
    g_ptr_array_add (parts, g_strdup_printf ("item %s", items[i]));
  g_ptr_array_sort (parts, compare_strings);
  for (guint i = 0; i < parts->len; i++)
    g_string_append_printf (out, "%s\n", (char *)g_ptr_array_index (parts, i));
  return g_string_free (out, FALSE);
}

/* One iteration's failures as the agent will read them. */
static char *
build_failures (LeanValidation *validation,
                guint           tail_bytes)
{
  const char * const *items = lean_validation_get_open_items (validation);
  const char * const *children = lean_validation_get_open_children (validation);
  LeanCriticVerdict *critic = lean_validation_get_critic (validation);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lean_validation_get_n_runs (validation); i++)
    {
      LeanCheckRun *run = lean_validation_get_run (validation, i);
      LeanCheck *check = lean_check_run_get_check (run);
      LeanCheckStatus status = lean_check_run_get_status (run);
      g_autofree char *argv = NULL;
      g_autofree char *tail = NULL;

      if (status == LEAN_CHECK_STATUS_PASSED)
        continue;
      argv = lean_check_describe_argv (check);
      g_string_append_printf (out, "- Check \"%s\" (`%s`): %s", check->name, argv,
                              lean_check_status_to_string (status));
      if (lean_check_run_get_exit_code (run) >= 0)
        g_string_append_printf (out, ", exit status %d", lean_check_run_get_exit_code (run));
      if (lean_check_run_get_message (run) != NULL)
        g_string_append_printf (out, " (%s)", lean_check_run_get_message (run));
      g_string_append (out, "\n");
      tail = lean_check_run_get_output_tail (run, tail_bytes);
      if (*tail != '\0')
        g_string_append_printf (out, "```\n%s%s```\n", tail,
                                tail[strlen (tail) - 1] != '\n' ? "\n" : "");
    }
  for (guint i = 0; items[i] != NULL; i++)
    g_string_append_printf (out, "- Checklist item still open: %s\n", items[i]);
  for (guint i = 0; children[i] != NULL; i++)
    g_string_append_printf (out, "- Child spec not complete: %s\n", children[i]);
  if (critic != NULL && !lean_critic_verdict_passed (critic))
    {
      if (!critic->parsed)
        g_string_append_printf (out, "- The reviewer gave no verdict: %s\n", critic->text);
      else
        {
          g_string_append (out, "- The reviewer found gaps:\n");
          for (guint i = 0; critic->gaps[i] != NULL; i++)
            g_string_append_printf (out, "  - %s\n", critic->gaps[i]);
          for (guint i = 0; i < critic->requirements->len; i++)
            {
              LeanCriticRequirement *req = g_ptr_array_index (critic->requirements, i);

              if (!req->met)
                g_string_append_printf (out, "  - Not met: %s (%s)\n", req->item, req->evidence);
            }
        }
    }
  return g_string_free (out, FALSE);
}

char *
lean_ralph_describe_failures (LeanValidation *validation)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (validation), NULL);
  return build_failures (validation, TAIL_LATEST);
}

/* The failures of the last iterations, newest last, within the cap: the
 * oldest go first, then the newest is cut. */
static char *
build_feedback (LeanRalphChain *self)
{
  g_autoptr(GPtrArray) sections = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  gsize total = 0;
  guint first = self->iterations->len > LEAN_RALPH_FEEDBACK_ITERATIONS
                ? self->iterations->len - LEAN_RALPH_FEEDBACK_ITERATIONS : 0;

  for (guint i = first; i < self->iterations->len; i++)
    {
      Iteration *it = g_ptr_array_index (self->iterations, i);
      char *section;

      if (it->passed || it->failures == NULL)
        continue;
      section = g_strdup_printf ("### Iteration %u: what failed\n\n%s\n", it->number, it->failures);
      g_ptr_array_add (sections, section);
      total += strlen (section);
    }
  while (sections->len > 1 && total > LEAN_RALPH_FEEDBACK_MAX_BYTES)
    {
      total -= strlen (g_ptr_array_index (sections, 0));
      g_ptr_array_remove_index (sections, 0);
    }
  for (guint i = 0; i < sections->len; i++)
    g_string_append (out, g_ptr_array_index (sections, i));
  if (out->len > LEAN_RALPH_FEEDBACK_MAX_BYTES)
    {
      const char *note = "\n[... feedback cut to fit ...]\n";
      gsize keep = LEAN_RALPH_FEEDBACK_MAX_BYTES - strlen (note);
      const char *cut = g_utf8_find_prev_char (out->str, out->str + keep);

      g_string_truncate (out, cut != NULL ? (gsize)(cut - out->str) : keep);
      g_string_append (out, note);
    }
  return g_string_free (out, FALSE);
}

/* ---- the loop --------------------------------------------------------- */

/* The spec prompt and one phase's open items; a phase run again carries
 * what failed the last time. */
static char *
build_phase_prompt (LeanRalphChain *self)
{
  GString *prompt = g_string_new (self->spec_prompt);
  Iteration *last = self->iterations->len > 0
                    ? g_ptr_array_index (self->iterations, self->iterations->len - 1) : NULL;

  g_string_append_printf (prompt, "\n\n---\n\n## Phase %u of %u\n\n", self->phase, self->n_phases);
  if (self->phase_title != NULL && *self->phase_title != '\0')
    g_string_append_printf (prompt, "This session works on the plan's section \"%s\" only",
                            self->phase_title);
  else
    g_string_append (prompt, "This session works on one phase of the plan only");
  g_string_append (prompt, "; later phases get sessions of their own. Open items of this "
                           "phase:\n\n");
  for (guint i = 0; self->phase_items != NULL && self->phase_items[i] != NULL; i++)
    g_string_append_printf (prompt, "- [ ] %s\n", self->phase_items[i]);
  if (self->phase_items == NULL || self->phase_items[0] == NULL)
    g_string_append (prompt, "(none left: check that this phase's work holds together)\n");
  g_string_append (prompt,
                   "\nTick each item in the spec file (`- [x]`) once it is done. The project's "
                   "checks run when you stop.\n");
  if (self->feedback != NULL && *self->feedback != '\0')
    {
      /* The person's words at the checkpoint go to the next session,
       * whichever phase it works on. */
      if (self->feedback_edited)
        g_string_append_printf (prompt, "\nNotes from the person at the last checkpoint:\n\n%s",
                                self->feedback);
      else if (last != NULL && last->phase == self->phase && !last->passed)
        g_string_append_printf (prompt, "\nThe last attempt at this phase did not pass "
                                "validation:\n\n%s", self->feedback);
    }
  return g_string_free (prompt, FALSE);
}

char *
lean_ralph_chain_begin_iteration (LeanRalphChain *self)
{
  GString *prompt;

  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);

  if (self->state == LEAN_RALPH_STATE_ENDED)
    return NULL;
  g_return_val_if_fail (self->state == LEAN_RALPH_STATE_IDLE ||
                        self->state == LEAN_RALPH_STATE_PAUSED, NULL);

  if (self->started_us == 0)
    self->started_us = g_get_monotonic_time ();
  self->iteration++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITERATION]);
  if (self->n_phases > 0 && !self->past_phases)
    {
      guint next = lean_ralph_chain_get_next_phase (self);

      if (next == 0)
        self->past_phases = TRUE;
      else
        {
          if (next == self->n_phases && self->phase != next)
            self->base = self->iteration - 1;
          self->phase = next;
        }
      self->retry_phase = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  set_state (self, LEAN_RALPH_STATE_AGENT);

  if (self->n_phases > 0 && !self->past_phases)
    return build_phase_prompt (self);

  if (self->iteration == 1)
    return g_strdup (self->spec_prompt);

  prompt = g_string_new (self->spec_prompt);
  g_string_append_printf (prompt,
                          "\n\n---\n\n## Iteration %u of %u\n\n"
                          "The previous attempt did not pass validation. Fix what failed below "
                          "in this working tree; the checks run again when you stop.\n\n%s",
                          self->iteration - self->base, self->settings.max_iterations,
                          self->feedback != NULL ? self->feedback : "");
  return g_string_free (prompt, FALSE);
}

void
lean_ralph_chain_agent_finished (LeanRalphChain *self,
                                 guint64         tokens,
                                 double          cost_usd)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));
  g_return_if_fail (self->state == LEAN_RALPH_STATE_AGENT);

  self->tokens += tokens;
  if (cost_usd > 0)
    self->cost_usd += cost_usd;
  set_state (self, LEAN_RALPH_STATE_VALIDATING);
}

static gboolean
over_budget (LeanRalphChain  *self,
             char           **why)
{
  if (self->settings.max_tokens > 0 && self->tokens >= self->settings.max_tokens)
    {
      *why = g_strdup_printf (_("Stopped: %" G_GUINT64_FORMAT " tokens used of %" G_GUINT64_FORMAT),
                              self->tokens, self->settings.max_tokens);
      return TRUE;
    }
  if (self->settings.max_cost_usd > 0 && self->cost_usd >= self->settings.max_cost_usd)
    {
      *why = g_strdup_printf (_("Stopped: $%.2f spent of $%.2f"), self->cost_usd,
                              self->settings.max_cost_usd);
      return TRUE;
    }
  if (self->settings.max_minutes > 0 &&
      g_get_monotonic_time () - self->started_us >= (gint64)self->settings.max_minutes * 60 * G_USEC_PER_SEC)
    {
      *why = g_strdup_printf (_("Stopped: %u minutes have passed"), self->settings.max_minutes);
      return TRUE;
    }
  return FALSE;
}

LeanRalphStop
lean_ralph_chain_record_validation (LeanRalphChain *self,
                                    LeanValidation *validation)
{
  Iteration *it;
  g_autofree char *why = NULL;

  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), LEAN_RALPH_STOP_NONE);
  g_return_val_if_fail (LEAN_IS_VALIDATION (validation), LEAN_RALPH_STOP_NONE);

  if (self->state == LEAN_RALPH_STATE_ENDED)
    return self->stop;
  g_return_val_if_fail (self->state == LEAN_RALPH_STATE_VALIDATING, LEAN_RALPH_STOP_NONE);

  self->feedback_edited = FALSE;
  it = g_new0 (Iteration, 1);
  it->number = self->iteration;
  it->phase = self->n_phases > 0 && !self->past_phases ? self->phase : 0;
  it->passed = lean_validation_get_passed (validation);
  if (!it->passed)
    {
      /* Older iterations are told more briefly when the feedback is built;
       * keep the full latest tail here. */
      it->failures = build_failures (validation, TAIL_LATEST);
      it->signature = build_signature (validation);
    }
  /* Earlier iterations' failures shrink to the shorter tail. */
  if (self->iterations->len > 0)
    {
      Iteration *prev = g_ptr_array_index (self->iterations, self->iterations->len - 1);

      if (prev->failures != NULL && strlen (prev->failures) > TAIL_OLDER * 4)
        {
          const char *cut = g_utf8_find_prev_char (prev->failures, prev->failures + TAIL_OLDER * 4);
          char *shorter = g_strdup_printf ("%.*s\n[...]\n", (int)(cut - prev->failures),
                                           prev->failures);

          g_free (prev->failures);
          prev->failures = shorter;
        }
    }
  g_ptr_array_add (self->iterations, it);

  if (it->passed)
    {
      end (self, LEAN_RALPH_STOP_PASSED, g_strdup_printf (_("Passed in iteration %u"),
                                                          it->number));
      return self->stop;
    }

  /* A phase before the last leaves items open by design: only the budget
   * stops the chain there. */
  if (it->phase > 0 && it->phase < self->n_phases)
    {
      if (over_budget (self, &why))
        {
          end (self, LEAN_RALPH_STOP_BUDGET, g_steal_pointer (&why));
          return self->stop;
        }
      g_free (self->feedback);
      self->feedback = build_feedback (self);
      set_state (self, self->settings.guided ? LEAN_RALPH_STATE_PAUSED : LEAN_RALPH_STATE_IDLE);
      return LEAN_RALPH_STOP_NONE;
    }

  if (it->number - self->base >= LEAN_RALPH_NO_PROGRESS_RUNS)
    {
      gboolean same = *it->signature != '\0';

      for (guint i = 1; i < LEAN_RALPH_NO_PROGRESS_RUNS && same; i++)
        {
          Iteration *older = g_ptr_array_index (self->iterations, self->iterations->len - 1 - i);

          same = !older->passed && g_strcmp0 (older->signature, it->signature) == 0;
        }
      if (same)
        {
          end (self, LEAN_RALPH_STOP_NO_PROGRESS,
               g_strdup_printf (_("Stopped: the same failures in iterations %u to %u"),
                                it->number - LEAN_RALPH_NO_PROGRESS_RUNS + 1, it->number));
          return self->stop;
        }
    }

  if (over_budget (self, &why))
    {
      end (self, LEAN_RALPH_STOP_BUDGET, g_steal_pointer (&why));
      return self->stop;
    }

  if (self->iteration - self->base >= self->settings.max_iterations)
    {
      end (self, LEAN_RALPH_STOP_MAX_ITERATIONS,
           g_strdup_printf (_("Stopped after %u iterations without passing"), self->iteration));
      return self->stop;
    }

  g_free (self->feedback);
  self->feedback = build_feedback (self);
  set_state (self, self->settings.guided ? LEAN_RALPH_STATE_PAUSED : LEAN_RALPH_STATE_IDLE);
  return LEAN_RALPH_STOP_NONE;
}

void
lean_ralph_chain_fail (LeanRalphChain *self,
                       const char     *message)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));

  if (self->state != LEAN_RALPH_STATE_ENDED)
    end (self, LEAN_RALPH_STOP_FAILED, g_strdup (message));
}

void
lean_ralph_chain_cancel (LeanRalphChain *self)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));

  if (self->state != LEAN_RALPH_STATE_ENDED)
    end (self, LEAN_RALPH_STOP_CANCELLED, NULL);
}

void
lean_ralph_chain_set_n_phases (LeanRalphChain *self,
                               guint           n_phases)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));
  g_return_if_fail (self->iteration == 0);

  self->n_phases = n_phases > 1 ? n_phases : 0;
}

guint
lean_ralph_chain_get_n_phases (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->n_phases;
}

guint
lean_ralph_chain_get_phase (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->n_phases > 0 && !self->past_phases ? self->phase : 0;
}

guint
lean_ralph_chain_get_next_phase (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);

  if (self->n_phases == 0 || self->past_phases || self->state == LEAN_RALPH_STATE_ENDED)
    return 0;
  if (self->phase == 0)
    return 1;
  if (self->retry_phase)
    return self->phase;
  return self->phase < self->n_phases ? self->phase + 1 : 0;
}

void
lean_ralph_chain_set_phase_work (LeanRalphChain     *self,
                                 const char         *title,
                                 const char * const *open_items)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));

  g_free (self->phase_title);
  self->phase_title = g_strdup (title);
  g_strfreev (self->phase_items);
  self->phase_items = g_strdupv ((GStrv)open_items);
}

void
lean_ralph_chain_set_spec_prompt (LeanRalphChain *self,
                                  const char     *spec_prompt)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));
  g_return_if_fail (spec_prompt != NULL);

  g_free (self->spec_prompt);
  self->spec_prompt = g_strdup (spec_prompt);
}

const char *
lean_ralph_chain_get_phase_title (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return self->phase_title;
}

void
lean_ralph_chain_retry_phase (LeanRalphChain *self)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));
  g_return_if_fail (self->state == LEAN_RALPH_STATE_PAUSED);

  if (self->n_phases > 0 && !self->past_phases && self->phase > 0)
    self->retry_phase = TRUE;
}

const char *
lean_ralph_chain_get_feedback (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return self->feedback;
}

void
lean_ralph_chain_set_feedback (LeanRalphChain *self,
                               const char     *feedback)
{
  g_return_if_fail (LEAN_IS_RALPH_CHAIN (self));

  if (g_strcmp0 (self->feedback, feedback) == 0)
    return;
  g_free (self->feedback);
  self->feedback = g_strdup (feedback);
  self->feedback_edited = TRUE;
}

const char *
lean_ralph_chain_get_id (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return self->id;
}

const LeanRalphSettings *
lean_ralph_chain_get_settings (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return &self->settings;
}

const char *
lean_ralph_chain_get_spec_id (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return self->spec_id;
}

LeanRalphState
lean_ralph_chain_get_state (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), LEAN_RALPH_STATE_ENDED);
  return self->state;
}

guint
lean_ralph_chain_get_iteration (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->iteration;
}

guint
lean_ralph_chain_get_max_iterations (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->settings.max_iterations;
}

LeanRalphStop
lean_ralph_chain_get_stop (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), LEAN_RALPH_STOP_NONE);
  return self->stop;
}

const char *
lean_ralph_chain_get_stop_message (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  return self->stop_message;
}

guint64
lean_ralph_chain_get_tokens (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->tokens;
}

double
lean_ralph_chain_get_cost_usd (LeanRalphChain *self)
{
  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), 0);
  return self->cost_usd;
}

static Iteration *
get_iteration (LeanRalphChain *self,
               guint           k)
{
  if (k == 0 || k > self->iterations->len)
    return NULL;
  return g_ptr_array_index (self->iterations, k - 1);
}

gboolean
lean_ralph_chain_get_iteration_passed (LeanRalphChain *self,
                                       guint           k)
{
  Iteration *it;

  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), FALSE);
  it = get_iteration (self, k);
  return it != NULL && it->passed;
}

const char *
lean_ralph_chain_get_iteration_failures (LeanRalphChain *self,
                                         guint           k)
{
  Iteration *it;

  g_return_val_if_fail (LEAN_IS_RALPH_CHAIN (self), NULL);
  it = get_iteration (self, k);
  return it != NULL ? it->failures : NULL;
}
