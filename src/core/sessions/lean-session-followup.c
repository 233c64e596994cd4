/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-agent-registry.h"
#include "lean-error.h"
#include "lean-json.h"
#include "lean-project.h"
#include "lean-prompt.h"
#include "lean-session-followup.h"
#include "lean-session-review.h"

/* Events read for a follow-up are the agent's: bounded before parsing. */
#define MAX_EVENT_PAYLOAD (256 * 1024)
#define MAX_SUMMARY 8000

LeanReviewComment *
lean_review_comment_new (const char *path,
                         guint       line,
                         const char *text)
{
  LeanReviewComment *comment = g_new0 (LeanReviewComment, 1);

  comment->path = g_strdup (path);
  comment->line = line;
  comment->text = g_strdup (text);
  return comment;
}

void
lean_review_comment_free (LeanReviewComment *comment)
{
  if (comment == NULL)
    return;
  g_free (comment->path);
  g_free (comment->text);
  g_free (comment);
}

/* Control characters out (a comment could carry terminal escapes into the
 * agent's prompt and its log); newlines and tabs stay when @multiline. */
static void
append_clean (GString    *out,
              const char *text,
              gboolean    multiline)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' && multiline)
        g_string_append (out, "\n  ");
      else if (c == '\t' && multiline)
        g_string_append_c (out, '\t');
      else if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
}

char *
lean_session_followup_prompt (const char *message,
                              GPtrArray  *comments,
                              const char *context)
{
  GString *out = g_string_new (NULL);

  if (context != NULL && *context != '\0')
    {
      g_string_append (out, context);
      g_string_append (out, "\n\n## Follow-up\n\n");
    }
  if (message != NULL && *message != '\0')
    {
      append_clean (out, message, TRUE);
      g_string_append (out, "\n");
    }
  if (comments != NULL && comments->len > 0)
    {
      g_string_append (out, "\nReview comments on your change (file:line: comment):\n");
      for (guint i = 0; i < comments->len; i++)
        {
          LeanReviewComment *comment = g_ptr_array_index (comments, i);

          g_string_append (out, "- ");
          append_clean (out, comment->path, FALSE);
          if (comment->line > 0)
            g_string_append_printf (out, ":%u", comment->line);
          g_string_append (out, ": ");
          append_clean (out, comment->text, TRUE);
          g_string_append_c (out, '\n');
        }
      g_string_append (out, "\nAddress each comment, then say briefly what you changed.\n");
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  /* in */
  char       *session_id;
  char       *project_path;
  char       *spec_id;
  char       *agent_id;
  LeanSessionMode mode;
  char       *model;
  char       *worktree_path;
  char       *branch;
  char       *message;
  GPtrArray  *comments;
  /* out */
  char       *resume_id;
  char       *base;
  char       *prompt;
} Followup;

static void
followup_free (Followup *f)
{
  g_free (f->session_id);
  g_free (f->project_path);
  g_free (f->spec_id);
  g_free (f->agent_id);
  g_free (f->model);
  g_free (f->worktree_path);
  g_free (f->branch);
  g_free (f->message);
  g_clear_pointer (&f->comments, g_ptr_array_unref);
  g_free (f->resume_id);
  g_free (f->base);
  g_free (f->prompt);
  g_free (f);
}

static char *
payload_string (LeanSessionEvent *event,
                const char       *member)
{
  g_autoptr(JsonNode) node = NULL;
  const char *value;

  if (event->payload == NULL || strlen (event->payload) > MAX_EVENT_PAYLOAD)
    return NULL;
  node = lean_json_parse (event->payload, strlen (event->payload), 8, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  value = json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* The spec's prompt and what the earlier session said it did: a new
 * conversation knows nothing else. */
static char *
build_context (Followup   *f,
               const char *summary)
{
  g_autoptr(LeanProject) project = lean_project_open (f->project_path, NULL);
  g_autoptr(GPtrArray) specs = NULL;
  g_autofree char *spec_prompt = NULL;
  LeanSpec *spec = NULL;
  GString *out = g_string_new (NULL);

  if (project != NULL)
    specs = lean_project_load_specs (project, NULL, NULL, NULL);
  if (specs != NULL)
    spec = lean_project_find_spec (project, specs, f->spec_id, NULL);
  if (spec != NULL)
    spec_prompt = lean_prompt_build (project, specs, spec, NULL);
  if (spec_prompt != NULL)
    g_string_append (out, spec_prompt);
  else
    g_string_append_printf (out, "Implement the spec %s of this project.", f->spec_id);
  g_string_append (out, "\n\n## What an earlier session did\n\n");
  if (summary != NULL)
    {
      g_autofree char *cut = g_utf8_substring (summary, 0, MIN (g_utf8_strlen (summary, -1),
                                                                MAX_SUMMARY));
      g_string_append (out, cut);
    }
  else
    g_string_append (out, "An earlier session worked on this spec in this folder; its changes "
                          "are in the working tree.");
  return g_string_free (out, FALSE);
}

static void
followup_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  LeanController *self = source;
  Followup *f = task_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(LeanAgentRegistry) registry = NULL;
  g_autofree char *agent_session = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *context = NULL;
  LeanAgent *agent;

  events = lean_session_db_read_events (lean_controller_get_db (self), f->session_id, -1, &error);
  if (events == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *event = g_ptr_array_index (events, i);
      char *value;

      if (g_strcmp0 (event->kind, "init") == 0 &&
          (value = payload_string (event, "session_id")) != NULL)
        g_free (agent_session), agent_session = value;
      else if (g_strcmp0 (event->kind, "result") == 0 &&
               (value = payload_string (event, "text")) != NULL)
        g_free (summary), summary = value;
      else if (g_strcmp0 (event->kind, LEAN_SESSION_EVENT_GIT_BASE) == 0 && f->base == NULL &&
               event->payload != NULL && strlen (event->payload) < 4096)
        f->base = g_strdup (event->payload);
    }

  registry = lean_agent_registry_new ();
  lean_agent_registry_load (registry, f->project_path, NULL);
  agent = lean_agent_registry_lookup (registry, f->agent_id);
  if (agent != NULL && agent_session != NULL && lean_agent_can_resume (agent, f->mode))
    f->resume_id = g_steal_pointer (&agent_session);
  else
    context = build_context (f, summary);
  f->prompt = lean_session_followup_prompt (f->message, f->comments, context);
  g_task_return_boolean (task, TRUE);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LeanController *self = LEAN_CONTROLLER (source);
  g_autoptr(GTask) outer = user_data;
  Followup *f = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(LeanSessionRequest) earlier = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  LeanSession *session;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  request = lean_session_request_new ();
  request->project_path = g_strdup (f->project_path);
  request->spec_id = g_strdup (f->spec_id);
  request->agent_id = g_strdup (f->agent_id);
  request->mode = f->mode;
  request->model = g_strdup (f->model);
  request->prompt = g_strdup (f->prompt);
  request->set_in_progress = FALSE;
  request->resume_id = g_strdup (f->resume_id);
  request->worktree_path = g_strdup (f->worktree_path);
  request->branch = g_strdup (f->branch);
  /* Started by this process: the same runner and terminal size as before. */
  earlier = lean_controller_lookup (self, f->session_id) != NULL
              ? lean_controller_dup_request (self, lean_controller_lookup (self, f->session_id))
              : NULL;
  if (earlier != NULL)
    {
      request->runner = g_strdup (earlier->runner);
      request->rows = earlier->rows;
      request->cols = earlier->cols;
    }

  session = lean_controller_start (self, request, &error);
  if (session == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  /* Compared with where the first session started, not with its work: the
   * first "git-base" of a session is the one that counts. */
  if (f->base != NULL)
    lean_session_db_add_event (lean_controller_get_db (self), lean_session_get_id (session),
                               LEAN_SESSION_EVENT_GIT_BASE, f->base);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "of");
  json_builder_add_string_value (b, f->session_id);
  json_builder_set_member_name (b, "resumed");
  json_builder_add_boolean_value (b, f->resume_id != NULL);
  json_builder_set_member_name (b, "comments");
  json_builder_add_int_value (b, f->comments != NULL ? f->comments->len : 0);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  lean_session_db_add_event (lean_controller_get_db (self), lean_session_get_id (session),
                             "followup", json);
  g_task_return_pointer (outer, g_object_ref (session), g_object_unref);
}

void
lean_controller_followup_async (LeanController      *self,
                                LeanSession         *session,
                                const char          *message,
                                GPtrArray           *comments,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  Followup *f;

  g_return_if_fail (LEAN_IS_CONTROLLER (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lean_controller_followup_async);
  if (!lean_session_state_is_final (lean_session_get_state (session)))
    {
      g_task_return_new_error (outer, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, "%s",
                               _("The session is still running: send feedback once it ended"));
      return;
    }
  if ((message == NULL || *message == '\0') && (comments == NULL || comments->len == 0))
    {
      g_task_return_new_error (outer, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, "%s",
                               _("Write a message or a comment for the agent"));
      return;
    }

  f = g_new0 (Followup, 1);
  f->session_id = g_strdup (lean_session_get_id (session));
  f->project_path = g_strdup (lean_session_get_project_path (session));
  f->spec_id = g_strdup (lean_session_get_spec_id (session));
  f->agent_id = g_strdup (lean_session_get_agent_id (session));
  f->mode = lean_session_get_mode (session);
  f->model = g_strdup (lean_session_get_model (session));
  if (lean_session_get_worktree_path (session) != NULL &&
      *lean_session_get_worktree_path (session) != '\0')
    {
      f->worktree_path = g_strdup (lean_session_get_worktree_path (session));
      f->branch = g_strdup (lean_session_get_branch (session));
    }
  f->message = g_strdup (message);
  f->comments = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_review_comment_free);
  for (guint i = 0; comments != NULL && i < comments->len; i++)
    {
      LeanReviewComment *c = g_ptr_array_index (comments, i);

      g_ptr_array_add (f->comments, lean_review_comment_new (c->path, c->line, c->text));
    }

  task = g_task_new (self, cancellable, on_prepared, g_steal_pointer (&outer));
  g_task_set_source_tag (task, lean_controller_followup_async);
  g_task_set_task_data (task, f, (GDestroyNotify)followup_free);
  g_task_run_in_thread (task, followup_thread);
}

LeanSession *
lean_controller_followup_finish (LeanController  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
