/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lean-critic.h"
#include "lean-critic-run.h"
#include "lean-git.h"

struct _LeanCriticRun
{
  GObject              parent_instance;

  LeanAgent           *agent;
  char                *project_path;
  char                *spec_id;
  char                *spec_text;
  LeanValidation      *validation;
  LeanSessionDb       *db;
  LeanValidationStore *store;
  char                *chain_id;
  guint                iteration;

  GCancellable        *cancellable;
  LeanCheckRun        *run;
  LeanSession         *session;
  char                *schema_dir;
  char                *schema_path;
  LeanCriticVerdict   *verdict;
  gboolean             cancelled;
};

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanCriticRun, lean_critic_run, G_TYPE_OBJECT)

static void
remove_schema (LeanCriticRun *self)
{
  if (self->schema_path != NULL)
    g_unlink (self->schema_path);
  if (self->schema_dir != NULL)
    g_rmdir (self->schema_dir);
  g_clear_pointer (&self->schema_path, g_free);
  g_clear_pointer (&self->schema_dir, g_free);
}

static void
lean_critic_run_dispose (GObject *object)
{
  LeanCriticRun *self = LEAN_CRITIC_RUN (object);

  g_cancellable_cancel (self->cancellable);
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      lean_check_run_cancel (self->run);
    }
  g_clear_object (&self->run);
  g_clear_object (&self->agent);
  g_clear_object (&self->validation);
  g_clear_object (&self->db);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  remove_schema (self);

  G_OBJECT_CLASS (lean_critic_run_parent_class)->dispose (object);
}

static void
lean_critic_run_finalize (GObject *object)
{
  LeanCriticRun *self = LEAN_CRITIC_RUN (object);

  g_free (self->project_path);
  g_free (self->spec_id);
  g_free (self->spec_text);
  g_free (self->chain_id);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->verdict, lean_critic_verdict_unref);

  G_OBJECT_CLASS (lean_critic_run_parent_class)->finalize (object);
}

static void
lean_critic_run_class_init (LeanCriticRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_critic_run_dispose;
  object_class->finalize = lean_critic_run_finalize;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_critic_run_init (LeanCriticRun *self)
{
  self->cancellable = g_cancellable_new ();
}

LeanCriticRun *
lean_critic_run_new (LeanAgent           *agent,
                     const char          *project_path,
                     const char          *spec_id,
                     const char          *spec_text,
                     LeanValidation      *validation,
                     LeanSessionDb       *db,
                     LeanValidationStore *store,
                     const char          *chain_id,
                     guint                iteration)
{
  LeanCriticRun *self;

  g_return_val_if_fail (LEAN_IS_AGENT (agent), NULL);
  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_VALIDATION (validation), NULL);

  self = g_object_new (LEAN_TYPE_CRITIC_RUN, NULL);
  self->agent = g_object_ref (agent);
  self->project_path = g_strdup (project_path);
  self->spec_id = g_strdup (spec_id);
  self->spec_text = g_strdup (spec_text != NULL ? spec_text : "");
  self->validation = g_object_ref (validation);
  self->db = db != NULL ? g_object_ref (db) : NULL;
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->chain_id = g_strdup (chain_id);
  self->iteration = iteration;
  return self;
}

static void
finish (LeanCriticRun     *self,
        LeanCriticVerdict *verdict)
{
  g_autoptr(LeanCriticRun) hold = g_object_ref (self);

  g_clear_pointer (&self->verdict, lean_critic_verdict_unref);
  self->verdict = verdict;
  remove_schema (self);

  if (self->session != NULL && self->db != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (verdict->input_tokens > 0 || verdict->output_tokens > 0)
        lean_session_set_usage (self->session, verdict->input_tokens, verdict->output_tokens, 0);
      if (verdict->cost_usd >= 0)
        lean_session_set_cost_usd (self->session, verdict->cost_usd);
      if (self->run != NULL)
        lean_session_set_exit_code (self->session, lean_check_run_get_exit_code (self->run));
      lean_session_set_message (self->session,
                                !verdict->parsed ? _("The critic gave no verdict")
                                : verdict->pass ? _("The critic says the spec is met")
                                                : _("The critic found gaps"));
      lean_session_set_ended_at (self->session, now);
      lean_session_set_state (self->session,
                              self->cancelled ? LEAN_SESSION_STATE_CANCELLED
                              : verdict->parsed ? LEAN_SESSION_STATE_COMPLETED
                                                : LEAN_SESSION_STATE_FAILED);
      lean_session_db_save_session_now (self->db, self->session);
    }
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
on_output (LeanCheckRun  *run,
           GBytes        *bytes,
           LeanCriticRun *self)
{
  if (self->session != NULL && self->db != NULL)
    lean_session_db_append_output (self->db, lean_session_get_id (self->session), bytes);
}

static void
on_run_finished (LeanCheckRun  *run,
                 LeanCriticRun *self)
{
  LeanCheckStatus status = lean_check_run_get_status (run);
  g_autoptr(GBytes) output = lean_check_run_get_output (run);

  g_signal_handlers_disconnect_by_data (run, self);
  if (status == LEAN_CHECK_STATUS_ERROR || status == LEAN_CHECK_STATUS_TIMEOUT ||
      status == LEAN_CHECK_STATUS_SKIPPED)
    {
      g_autofree char *tail = lean_check_run_get_output_tail (run, 2000);
      g_autofree char *text = g_strdup_printf ("%s\n%s", lean_check_run_get_message (run), tail);

      finish (self, lean_critic_verdict_new_failed (text));
      return;
    }
  finish (self, lean_critic_verdict_parse (g_bytes_get_data (output, NULL),
                                           g_bytes_get_size (output)));
}

typedef struct
{
  char     *text;
  gboolean  cut;
} Diff;

static void
diff_free (gpointer data)
{
  Diff *diff = data;

  g_free (diff->text);
  g_free (diff);
}

static void
diff_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Diff *diff = g_new0 (Diff, 1);

  diff->text = lean_git_diff_patch (task_data, NULL, LEAN_CRITIC_DIFF_MAX, &diff->cut, NULL);
  /* Not a repository: no diff; the critic reads the files. */
  if (diff->text == NULL)
    diff->text = g_strdup ("");
  g_task_return_pointer (task, diff, diff_free);
}

static void
on_diff (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(LeanCriticRun) self = data;
  g_autoptr(GError) error = NULL;
  Diff *diff = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *prompt = NULL;
  g_autoptr(LeanCheck) check = NULL;
  gboolean cut = diff != NULL && diff->cut;
  g_autofree char *diff_text = diff != NULL ? g_steal_pointer (&diff->text) : NULL;

  g_clear_pointer (&diff, diff_free);

  if (self->verdict != NULL)
    return;
  if (self->cancelled || diff_text == NULL)
    {
      finish (self, lean_critic_verdict_new_failed (_("The critic was stopped")));
      return;
    }

  prompt = lean_critic_build_prompt (self->spec_id, self->spec_text, diff_text, cut,
                                     self->validation,
                                     lean_critic_agent_is_structured (self->agent));
  self->schema_dir = g_dir_make_tmp ("leanspec-critic-XXXXXX", &error);
  if (self->schema_dir != NULL)
    {
      self->schema_path = g_build_filename (self->schema_dir, "verdict.schema.json", NULL);
      if (!g_file_set_contents (self->schema_path, lean_critic_verdict_schema (), -1, &error))
        {
          finish (self, lean_critic_verdict_new_failed (error->message));
          return;
        }
    }
  check = lean_critic_build_check (self->agent, prompt, self->schema_path, &error);
  if (check == NULL)
    {
      finish (self, lean_critic_verdict_new_failed (error->message));
      return;
    }

  if (self->db != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      self->session = lean_session_new (NULL, self->project_path, self->spec_id,
                                        lean_agent_get_id (self->agent),
                                        LEAN_SESSION_MODE_AUTONOMOUS);
      lean_session_set_runner (self->session, "local");
      lean_session_set_started_at (self->session, now);
      lean_session_set_state (self->session, LEAN_SESSION_STATE_RUNNING);
      lean_session_db_save_session_now (self->db, self->session);
      if (self->store != NULL)
        {
          g_autoptr(GError) link_error = NULL;

          if (!lean_validation_store_link_session (self->store, lean_session_get_id (self->session),
                                                   LEAN_SESSION_KIND_CRITIC, self->chain_id,
                                                   self->iteration, &link_error))
            g_warning ("critic session not linked: %s", link_error->message);
        }
    }

  self->run = lean_check_run_new (check, lean_validation_get_work_dir (self->validation));
  g_signal_connect (self->run, "output", G_CALLBACK (on_output), self);
  g_signal_connect (self->run, "finished", G_CALLBACK (on_run_finished), self);
  lean_check_run_start (self->run);
}

void
lean_critic_run_start (LeanCriticRun *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LEAN_IS_CRITIC_RUN (self));

  task = g_task_new (NULL, self->cancellable, on_diff, g_object_ref (self));
  g_task_set_source_tag (task, lean_critic_run_start);
  g_task_set_task_data (task, g_strdup (lean_validation_get_work_dir (self->validation)), g_free);
  g_task_run_in_thread (task, diff_thread);
}

void
lean_critic_run_cancel (LeanCriticRun *self)
{
  g_return_if_fail (LEAN_IS_CRITIC_RUN (self));

  if (self->verdict != NULL)
    return;
  self->cancelled = TRUE;
  if (self->run != NULL)
    lean_check_run_cancel (self->run);
}

gboolean
lean_critic_run_is_finished (LeanCriticRun *self)
{
  g_return_val_if_fail (LEAN_IS_CRITIC_RUN (self), FALSE);
  return self->verdict != NULL;
}

LeanCriticVerdict *
lean_critic_run_get_verdict (LeanCriticRun *self)
{
  g_return_val_if_fail (LEAN_IS_CRITIC_RUN (self), NULL);
  return self->verdict;
}

LeanSession *
lean_critic_run_get_session (LeanCriticRun *self)
{
  g_return_val_if_fail (LEAN_IS_CRITIC_RUN (self), NULL);
  return self->session;
}
