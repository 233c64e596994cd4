/* SPDX-License-Identifier: MIT */
/* Local session events -> Devlog events. What may leave the machine is
 * decided here: paths, tool names, a truncated command line, token counts,
 * check results; file contents, prompts and assistant text only when the
 * person turned content sending on. */
#include "config.h"

#include <string.h>

#include "lean-devlog-event.h"
#include "lean-json.h"
#include "lean-text.h"

/* Text fields (messages, summaries) are cut to this many bytes. */
#define TEXT_MAX 2048
/* Tool input sent with content sending on, at most. */
#define INPUT_MAX (64 * 1024)

const char *
lean_devlog_agent_id (const char *agent_id)
{
  if (agent_id == NULL || *agent_id == '\0')
    return "unknown";
  if (g_str_equal (agent_id, "claude"))
    return "claude-code";
  if (g_str_equal (agent_id, "gemini"))
    return "gemini-cli";
  if (g_str_equal (agent_id, "copilot"))
    return "github-copilot";
  return agent_id;
}

static char *
rfc3339 (gint64 usec)
{
  g_autoptr(GDateTime) base = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = NULL;

  if (base == NULL)
    base = g_date_time_new_from_unix_utc (0);
  dt = g_date_time_add (base, usec % G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* A valid UTF-8 prefix of @text of at most @max bytes. */
static char *
truncate_utf8 (const char *text,
               gsize       max)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  const char *end;

  if (strlen (valid) <= max)
    return g_steal_pointer (&valid);
  end = g_utf8_find_prev_char (valid, valid + max + 1);
  while (end != NULL && end > valid && (gsize)(end - valid) > max)
    end = g_utf8_find_prev_char (valid, end);
  return g_strndup (valid, end != NULL ? (gsize)(end - valid) : 0);
}

static void
set_owned (JsonObject *obj,
           const char *name,
           char       *text)
{
  json_object_set_string_member (obj, name, text);
  g_free (text);
}

static void
set_text (JsonObject *obj,
          const char *name,
          const char *text,
          gsize       max)
{
  if (text != NULL)
    set_owned (obj, name, truncate_utf8 (text, max));
}

static JsonObject *
parse_payload (const char  *payload,
               JsonNode   **root)
{
  *root = payload != NULL ? lean_json_parse (payload, -1, 64, NULL) : NULL;
  if (*root == NULL || !JSON_NODE_HOLDS_OBJECT (*root))
    return NULL;
  return json_node_get_object (*root);
}

static const char *
get_str (JsonObject *obj,
         const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *obj,
         const char *name,
         gint64      fallback)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64)json_node_get_double (node);
  return fallback;
}

static gboolean
get_bool (JsonObject *obj,
          const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static JsonObject *
get_obj (JsonObject *obj,
         const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gint32
clamp_i32 (gint64 v)
{
  return (gint32)CLAMP (v, 0, G_MAXINT32);
}

/* The part every event has; @data and @metrics (may be NULL) are taken. */
static JsonNode *
make_event (const LeanDevlogEventInput *in,
            const char                 *event_type,
            const char                 *severity,
            JsonObject                 *data,
            JsonObject                 *metrics)
{
  JsonObject *ev = json_object_new ();
  JsonObject *ctx = json_object_new ();
  JsonArray *tags = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  const char *dir = in->worktree_path != NULL ? in->worktree_path : in->project_path;

  set_owned (ev, "id", g_uuid_string_random ());
  set_owned (ev, "timestamp", rfc3339 (in->ts));
  json_object_set_string_member (ev, "eventType", event_type);
  json_object_set_string_member (ev, "agentId", lean_devlog_agent_id (in->agent_id));
  json_object_set_string_member (ev, "agentVersion",
                                 in->agent_version != NULL && *in->agent_version
                                 ? in->agent_version : "unknown");
  json_object_set_string_member (ev, "sessionId", in->session_id);
  json_object_set_int_member (ev, "projectId", in->project_id);

  if (dir != NULL)
    json_object_set_string_member (ctx, "workingDirectory", dir);
  if (in->spec_id != NULL)
    json_object_set_string_member (ctx, "specId", in->spec_id);
  if (in->spec_title != NULL)
    set_text (ctx, "specTitle", in->spec_title, 256);
  if (in->branch != NULL)
    json_object_set_string_member (ctx, "branch", in->branch);
  if (in->runner != NULL)
    json_object_set_string_member (ctx, "runner", in->runner);
  if (in->model != NULL)
    json_object_set_string_member (ctx, "model", in->model);
  if (in->chain_id != NULL)
    json_object_set_string_member (ctx, "chainId", in->chain_id);
  json_object_set_int_member (ctx, "iteration", MAX (in->iteration, 1));
  json_object_set_object_member (ev, "context", ctx);

  json_object_set_object_member (ev, "data", data != NULL ? data : json_object_new ());
  if (metrics != NULL)
    json_object_set_object_member (ev, "metrics", metrics);

  json_array_add_string_element (tags, "leanspec");
  if (in->mode != NULL)
    json_array_add_string_element (tags, in->mode);
  json_object_set_array_member (ev, "tags", tags);
  json_object_set_string_member (ev, "severity", severity);
  json_object_set_array_member (ev, "relatedEventIds", json_array_new ());

  json_node_take_object (node, ev);
  return node;
}

static gboolean
state_is_final (const char *state)
{
  return g_strcmp0 (state, "completed") == 0 || g_strcmp0 (state, "failed") == 0 ||
         g_strcmp0 (state, "cancelled") == 0 || g_strcmp0 (state, "interrupted") == 0;
}

static JsonObject *
session_metrics (const LeanDevlogEventInput *in)
{
  JsonObject *m = json_object_new ();

  json_object_set_int_member (m, "tokenCount",
                              clamp_i32 (in->input_tokens + in->output_tokens));
  json_object_set_int_member (m, "promptTokens", clamp_i32 (in->input_tokens));
  json_object_set_int_member (m, "responseTokens", clamp_i32 (in->output_tokens));
  if (in->cost_usd >= 0)
    json_object_set_double_member (m, "cost", in->cost_usd);
  if (in->started_at > 0)
    {
      gint64 end = in->ended_at > 0 ? in->ended_at : in->ts;

      json_object_set_int_member (m, "durationMs", MAX (end - in->started_at, 0) / 1000);
    }
  return m;
}

static void
from_state (const LeanDevlogEventInput *in,
            JsonObject                 *p,
            GPtrArray                  *out)
{
  const char *state = get_str (p, "state");

  if (in->first_state)
    {
      JsonObject *data = json_object_new ();

      if (in->mode != NULL)
        json_object_set_string_member (data, "mode", in->mode);
      if (in->model != NULL)
        json_object_set_string_member (data, "model", in->model);
      g_ptr_array_add (out, make_event (in, "session_start", "info", data, NULL));
    }
  if (state_is_final (state))
    {
      JsonObject *data = json_object_new ();
      const char *severity = g_str_equal (state, "completed") ? "info"
                           : g_str_equal (state, "cancelled") ? "warning" : "error";

      json_object_set_string_member (data, "outcome", state);
      if (in->exit_code >= 0)
        json_object_set_int_member (data, "exitCode", in->exit_code);
      set_text (data, "message", get_str (p, "message"), TEXT_MAX);
      g_ptr_array_add (out, make_event (in, "session_end", severity, data,
                                        session_metrics (in)));
    }
}

static void
from_usage (const LeanDevlogEventInput *in,
            JsonObject                 *p,
            GPtrArray                  *out)
{
  gint64 input = get_int (p, "input_tokens", 0) - in->prev_input_tokens;
  gint64 output = get_int (p, "output_tokens", 0) - in->prev_output_tokens;
  JsonObject *m;
  JsonObject *data;

  if (input <= 0 && output <= 0)
    return;
  m = json_object_new ();
  json_object_set_int_member (m, "tokenCount", clamp_i32 (MAX (input, 0) + MAX (output, 0)));
  json_object_set_int_member (m, "promptTokens", clamp_i32 (input));
  json_object_set_int_member (m, "responseTokens", clamp_i32 (output));
  if (json_object_has_member (p, "cost_usd"))
    {
      JsonNode *node = json_object_get_member (p, "cost_usd");
      double cost = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : -1;

      if (cost >= 0)
        json_object_set_double_member (m, "cost", MAX (cost - MAX (in->prev_cost_usd, 0), 0));
    }
  data = json_object_new ();
  if (in->model != NULL)
    json_object_set_string_member (data, "model", in->model);
  json_object_set_int_member (data, "cacheTokens", get_int (p, "cache_tokens", 0));
  g_ptr_array_add (out, make_event (in, "llm_response", "info", data, m));
}

static const char *
first_str (JsonObject         *obj,
           const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (get_str (obj, names[i]) != NULL)
      return get_str (obj, names[i]);
  return NULL;
}

static gboolean
name_in (const char         *name,
         const char * const *names)
{
  return name != NULL && g_strv_contains (names, name);
}

static void
from_tool_use (const LeanDevlogEventInput *in,
               JsonObject                 *p,
               GPtrArray                  *out)
{
  /* Claude (Read, Write, Edit, Bash), Codex (Run, Add, Edit, Delete) and
   * Gemini (read_file, write_file, replace, run_shell_command) names. */
  static const char * const reads[] = { "Read", "read_file", "read_many_files", NULL };
  static const char * const writes[] = { "Write", "Add", "write_file", NULL };
  static const char * const edits[] = { "Edit", "MultiEdit", "NotebookEdit", "Delete",
                                        "replace", NULL };
  static const char * const commands[] = { "Bash", "Run", "run_shell_command", NULL };
  static const char * const path_keys[] = { "file_path", "path", "notebook_path",
                                            "absolute_path", NULL };
  const char *name = get_str (p, "name");
  JsonObject *input = get_obj (p, "input");
  JsonObject *data = json_object_new ();
  const char *type = "tool_use";

  json_object_set_string_member (data, "toolName", name != NULL ? name : "tool");
  if (get_str (p, "id") != NULL)
    json_object_set_string_member (data, "toolUseId", get_str (p, "id"));

  if (name_in (name, reads) || name_in (name, writes) || name_in (name, edits))
    {
      type = name_in (name, reads) ? "file_read" : name_in (name, writes) ? "file_write"
                                                                          : "file_modify";
      set_text (data, "filePath", first_str (input, path_keys), 4096);
      if (g_strcmp0 (name, "Delete") == 0)
        json_object_set_string_member (data, "change", "delete");
    }
  else if (name_in (name, commands))
    {
      const char *command = get_str (input, "command");

      type = "command_execution";
      if (command != NULL)
        {
          set_text (data, "command", command, LEAN_DEVLOG_COMMAND_MAX);
          if (strlen (command) > LEAN_DEVLOG_COMMAND_MAX)
            json_object_set_boolean_member (data, "truncated", TRUE);
        }
    }
  else
    set_text (data, "summary", get_str (p, "summary"), 256);

  if (in->send_content && input != NULL)
    {
      g_autoptr(JsonNode) tmp = json_node_init_object (json_node_alloc (), input);
      g_autofree char *text = json_to_string (tmp, FALSE);

      if (strlen (text) <= INPUT_MAX)
        json_object_set_object_member (data, "input", json_object_ref (input));
    }
  g_ptr_array_add (out, make_event (in, type, "info", data, NULL));
}

static void
from_check (const LeanDevlogEventInput *in,
            JsonObject                 *p,
            GPtrArray                  *out)
{
  const char *status = get_str (p, "status");
  JsonObject *data = json_object_new ();
  JsonObject *m = NULL;
  gboolean failed = g_strcmp0 (status, "passed") != 0 && g_strcmp0 (status, "skipped") != 0;

  set_text (data, "name", get_str (p, "name"), 256);
  set_text (data, "status", status != NULL ? status : "unknown", 64);
  set_text (data, "checkKind", get_str (p, "kind"), 64);
  if (json_object_has_member (p, "exit_code"))
    json_object_set_int_member (data, "exitCode", get_int (p, "exit_code", -1));
  if (json_object_has_member (p, "passed"))
    {
      json_object_set_int_member (data, "testsPassed", get_int (p, "passed", 0));
      json_object_set_int_member (data, "testsFailed", get_int (p, "failed", 0));
      json_object_set_int_member (data, "testsSkipped", get_int (p, "skipped", 0));
    }
  if (json_object_has_member (p, "duration_ms"))
    {
      m = json_object_new ();
      json_object_set_int_member (m, "durationMs", MAX (get_int (p, "duration_ms", 0), 0));
    }
  g_ptr_array_add (out, make_event (in, "test_run", failed ? "error" : "info", data, m));
}

static void
from_error (const LeanDevlogEventInput *in,
            JsonObject                 *p,
            const char                 *source,
            GPtrArray                  *out)
{
  JsonObject *data = json_object_new ();

  json_object_set_string_member (data, "source", source);
  if (get_str (p, "kind") != NULL)
    set_text (data, "problem", get_str (p, "kind"), 64);
  set_text (data, "message", get_str (p, "message"), TEXT_MAX);
  g_ptr_array_add (out, make_event (in, "error_encountered", "error", data, NULL));
}

void
lean_devlog_events_from_local (const LeanDevlogEventInput *in,
                               GPtrArray                  *out)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *p;
  const char *kind = in->kind;

  g_return_if_fail (in->session_id != NULL && kind != NULL);

  p = parse_payload (in->payload, &root);
  if (p == NULL)
    {
      /* Every local event carries an object; anything else is not ours to
       * describe. */
      return;
    }

  if (g_str_equal (kind, "state"))
    from_state (in, p, out);
  else if (g_str_equal (kind, "usage"))
    from_usage (in, p, out);
  else if (g_str_equal (kind, "tool-use"))
    from_tool_use (in, p, out);
  else if (g_str_equal (kind, "tool-result"))
    {
      if (get_bool (p, "is_error"))
        {
          JsonObject *data = json_object_new ();

          json_object_set_string_member (data, "source", "tool");
          if (get_str (p, "id") != NULL)
            json_object_set_string_member (data, "toolUseId", get_str (p, "id"));
          /* A failed tool's summary is its output: content. */
          if (in->send_content)
            set_text (data, "message", get_str (p, "summary"), TEXT_MAX);
          g_ptr_array_add (out, make_event (in, "error_encountered", "warning", data, NULL));
        }
    }
  else if (g_str_equal (kind, "error"))
    from_error (in, p, "agent", out);
  else if (g_str_equal (kind, "problem"))
    from_error (in, p, "diagnosis", out);
  else if (g_str_equal (kind, "check"))
    from_check (in, p, out);
  else if (g_str_equal (kind, "commit"))
    {
      JsonObject *data = json_object_new ();

      set_text (data, "commit", get_str (p, "commit"), 64);
      set_text (data, "branch", get_str (p, "branch"), 256);
      set_text (data, "subject", get_str (p, "subject"), 256);
      if (json_object_has_member (p, "files_changed"))
        json_object_set_int_member (data, "filesChanged", get_int (p, "files_changed", 0));
      if (json_object_has_member (p, "insertions"))
        json_object_set_int_member (data, "insertions", get_int (p, "insertions", 0));
      if (json_object_has_member (p, "deletions"))
        json_object_set_int_member (data, "deletions", get_int (p, "deletions", 0));
      g_ptr_array_add (out, make_event (in, "commit_created", "info", data, NULL));
    }
  else if (g_str_equal (kind, "spec-complete"))
    {
      /* The person marked the spec complete: the summary of all its
       * sessions' work, on the newest of them. */
      JsonObject *data = json_object_new ();
      JsonObject *m = json_object_new ();
      JsonNode *cost = json_object_get_member (p, "cost_usd");

      json_object_set_string_member (data, "action", "spec_completed");
      json_object_set_int_member (data, "sessions", clamp_i32 (get_int (p, "sessions", 0)));
      json_object_set_int_member (data, "iterations", clamp_i32 (get_int (p, "iterations", 0)));
      json_object_set_int_member (m, "tokenCount", clamp_i32 (get_int (p, "tokens", 0)));
      if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
          (json_node_get_value_type (cost) == G_TYPE_DOUBLE ||
           json_node_get_value_type (cost) == G_TYPE_INT64) &&
          json_node_get_double (cost) >= 0)
        json_object_set_double_member (m, "cost", json_node_get_double (cost));
      json_object_set_int_member (m, "durationMs", MAX (get_int (p, "duration_ms", 0), 0));
      g_ptr_array_add (out, make_event (in, "user_interaction", "info", data, m));
    }
  else if (g_str_equal (kind, "message") && in->send_content)
    {
      JsonObject *data = json_object_new ();

      set_text (data, "text", get_str (p, "text"), TEXT_MAX * 8);
      g_ptr_array_add (out, make_event (in, "llm_response", "info", data, NULL));
    }
}
