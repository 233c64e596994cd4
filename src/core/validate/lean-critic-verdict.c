/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-check-counts.h"
#include "lean-critic-verdict.h"
#include "lean-json.h"

/* A verdict is a flat object; agent event lines nest a few levels more. */
#define VERDICT_MAX_DEPTH 32
/* Lines of agent output longer than this are not parsed as events. */
#define EVENT_MAX_LINE (8 * 1024 * 1024)
#define MAX_REQUIREMENTS 200
#define FIELD_MAX 4000

static const char schema[] =
  "{\"type\":\"object\",\"additionalProperties\":false,"
  "\"required\":[\"verdict\",\"requirements\",\"gaps\",\"summary\"],"
  "\"properties\":{"
  "\"verdict\":{\"type\":\"string\",\"enum\":[\"pass\",\"fail\"]},"
  "\"requirements\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
  "\"additionalProperties\":false,\"required\":[\"item\",\"met\",\"evidence\"],"
  "\"properties\":{\"item\":{\"type\":\"string\"},\"met\":{\"type\":\"boolean\"},"
  "\"evidence\":{\"type\":\"string\"}}}},"
  "\"gaps\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
  "\"summary\":{\"type\":\"string\"}}}";

const char *
lean_critic_verdict_schema (void)
{
  return schema;
}

static void
requirement_free (gpointer data)
{
  LeanCriticRequirement *req = data;

  g_free (req->item);
  g_free (req->evidence);
  g_free (req);
}

static LeanCriticVerdict *
verdict_new (void)
{
  LeanCriticVerdict *self = g_atomic_rc_box_new0 (LeanCriticVerdict);

  self->requirements = g_ptr_array_new_with_free_func (requirement_free);
  self->gaps = g_new0 (char *, 1);
  self->cost_usd = -1;
  return self;
}

static void
verdict_clear (LeanCriticVerdict *self)
{
  g_ptr_array_unref (self->requirements);
  g_strfreev (self->gaps);
  g_free (self->summary);
  g_free (self->text);
}

G_DEFINE_BOXED_TYPE (LeanCriticVerdict, lean_critic_verdict,
                     lean_critic_verdict_ref, lean_critic_verdict_unref)

LeanCriticVerdict *
lean_critic_verdict_ref (LeanCriticVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, NULL);
  return g_atomic_rc_box_acquire (verdict);
}

void
lean_critic_verdict_unref (LeanCriticVerdict *verdict)
{
  g_return_if_fail (verdict != NULL);
  g_atomic_rc_box_release_full (verdict, (GDestroyNotify)verdict_clear);
}

static char *
clean (const char *text,
       gsize       len,
       gsize       max)
{
  return lean_counts_clean_text (text, len, max);
}

LeanCriticVerdict *
lean_critic_verdict_new_failed (const char *text)
{
  LeanCriticVerdict *self = verdict_new ();

  self->text = clean (text != NULL ? text : "", text != NULL ? strlen (text) : 0,
                      LEAN_CRITIC_TEXT_MAX);
  return self;
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Fills @self from a verdict object; FALSE when it is not one. */
static gboolean
read_verdict_object (LeanCriticVerdict *self,
                     JsonObject        *obj)
{
  const char *verdict = member_string (obj, "verdict");
  const char *summary = member_string (obj, "summary");
  JsonNode *node;
  g_autoptr(GPtrArray) gaps = g_ptr_array_new_with_free_func (g_free);

  if (verdict == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (verdict, "pass") == 0)
    self->pass = TRUE;
  else if (g_ascii_strcasecmp (verdict, "fail") == 0)
    self->pass = FALSE;
  else
    return FALSE;

  g_ptr_array_set_size (self->requirements, 0);
  node = json_object_get_member (obj, "requirements");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < MAX_REQUIREMENTS; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *req_obj;
          LeanCriticRequirement *req;
          JsonNode *met;
          const char *item, *evidence;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          req_obj = json_node_get_object (element);
          item = member_string (req_obj, "item");
          if (item == NULL)
            continue;
          evidence = member_string (req_obj, "evidence");
          met = json_object_get_member (req_obj, "met");
          req = g_new0 (LeanCriticRequirement, 1);
          req->item = clean (item, strlen (item), FIELD_MAX);
          req->evidence = clean (evidence ? evidence : "", evidence ? strlen (evidence) : 0,
                                 FIELD_MAX);
          req->met = met != NULL && JSON_NODE_HOLDS_VALUE (met) &&
                     json_node_get_value_type (met) == G_TYPE_BOOLEAN &&
                     json_node_get_boolean (met);
          g_ptr_array_add (self->requirements, req);
        }
    }

  node = json_object_get_member (obj, "gaps");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < MAX_REQUIREMENTS; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            {
              const char *gap = json_node_get_string (element);
              g_ptr_array_add (gaps, clean (gap, strlen (gap), FIELD_MAX));
            }
        }
    }
  g_ptr_array_add (gaps, NULL);
  g_strfreev (self->gaps);
  self->gaps = (char **)g_ptr_array_steal (gaps, NULL);

  g_free (self->summary);
  self->summary = clean (summary ? summary : "", summary ? strlen (summary) : 0, FIELD_MAX);
  self->parsed = TRUE;
  return TRUE;
}

static gboolean
read_verdict_json (LeanCriticVerdict *self,
                   const char        *text,
                   gsize              len)
{
  g_autoptr(JsonNode) node = lean_json_parse (text, len, VERDICT_MAX_DEPTH, NULL);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         read_verdict_object (self, json_node_get_object (node));
}

/* The verdict in a text: all of it as JSON, else the last fenced block
 * that reads as one, else the last balanced {...} that does. */
static gboolean
read_verdict_text (LeanCriticVerdict *self,
                   const char        *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  const char *p;

  if (*trimmed == '{' && read_verdict_json (self, trimmed, strlen (trimmed)))
    return TRUE;

  /* Fenced blocks, last first: each pair of fences, the later pairs first
   * (a pair across two blocks reads as no JSON and is passed over). */
  {
    g_autoptr(GArray) fences = g_array_new (FALSE, FALSE, sizeof (const char *));

    for (p = strstr (trimmed, "```"); p != NULL; p = strstr (p + 3, "```"))
      g_array_append_val (fences, p);
    for (int i = (int)fences->len - 1; i >= 1; i--)
      {
        const char *open = g_array_index (fences, const char *, i - 1);
        const char *close = g_array_index (fences, const char *, i);
        const char *body = memchr (open + 3, '\n', close - open - 3);

        if (body != NULL && read_verdict_json (self, body + 1, close - body - 1))
          return TRUE;
      }
  }

  /* A bare object: from each '{' (last first) to its matching '}'. */
  for (p = strrchr (trimmed, '{'); p != NULL;
       p = p > trimmed ? g_strrstr_len (trimmed, p - trimmed, "{") : NULL)
    {
      int depth = 0;
      gboolean in_string = FALSE;

      if (strstr (p, "\"verdict\"") == NULL)
        continue;
      for (const char *q = p; *q; q++)
        {
          if (in_string)
            {
              if (*q == '\\' && q[1] != '\0')
                q++;
              else if (*q == '"')
                in_string = FALSE;
              continue;
            }
          if (*q == '"')
            in_string = TRUE;
          else if (*q == '{')
            depth++;
          else if (*q == '}' && --depth == 0)
            {
              if (read_verdict_json (self, p, q - p + 1))
                return TRUE;
              break;
            }
        }
    }
  return FALSE;
}

/* What one JSON event line of an agent says: a verdict object, or text to
 * look in. Returns TRUE when @line was a JSON object at all. */
static guint64
member_uint (JsonObject *obj,
             const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return 0;
  return (guint64)json_node_get_int (node);
}

/* Claude's result and Codex's turn.completed carry "usage"; Claude's
 * result also "total_cost_usd". */
static void
read_usage (LeanCriticVerdict *self,
            JsonObject        *obj)
{
  JsonObject *usage = member_object (obj, "usage");
  JsonNode *cost = json_object_get_member (obj, "total_cost_usd");

  if (usage != NULL)
    {
      self->input_tokens += member_uint (usage, "input_tokens");
      self->output_tokens += member_uint (usage, "output_tokens");
    }
  if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
      (json_node_get_value_type (cost) == G_TYPE_DOUBLE ||
       json_node_get_value_type (cost) == G_TYPE_INT64))
    self->cost_usd = json_node_get_double (cost);
}

static gboolean
read_event (LeanCriticVerdict *self,
            JsonObject        *obj,
            JsonObject       **verdict_obj,
            GString           *texts,
            GString           *gemini_message)
{
  const char *type = member_string (obj, "type");
  JsonObject *structured = member_object (obj, "structured_output");
  const char *text;

  if (g_strcmp0 (type, "result") == 0 || g_strcmp0 (type, "turn.completed") == 0)
    read_usage (self, obj);

  if (member_string (obj, "verdict") != NULL)
    {
      *verdict_obj = obj;
      return TRUE;
    }
  if (structured != NULL && member_string (structured, "verdict") != NULL)
    {
      *verdict_obj = structured;
      return TRUE;
    }

  /* Claude: {"type":"result","result":"..."}; Gemini -o json: "response". */
  if ((g_strcmp0 (type, "result") == 0 && (text = member_string (obj, "result")) != NULL) ||
      (text = member_string (obj, "response")) != NULL)
    {
      g_string_append_printf (texts, "%s%s", texts->len ? "\n\x1e" : "", text);
      return TRUE;
    }
  /* Codex: {"type":"item.completed","item":{"type":"agent_message","text"}}. */
  if (g_strcmp0 (type, "item.completed") == 0)
    {
      JsonObject *item = member_object (obj, "item");

      if (g_strcmp0 (member_string (item, "type"), "agent_message") == 0 &&
          (text = member_string (item, "text")) != NULL)
        g_string_append_printf (texts, "%s%s", texts->len ? "\n\x1e" : "", text);
      return TRUE;
    }
  /* Gemini stream-json: the assistant's message comes in parts. */
  if (g_strcmp0 (type, "message") == 0 &&
      g_strcmp0 (member_string (obj, "role"), "assistant") == 0 &&
      (text = member_string (obj, "content")) != NULL)
    {
      g_string_append (gemini_message, text);
      return TRUE;
    }
  return TRUE;
}

LeanCriticVerdict *
lean_critic_verdict_parse (const char *output,
                           gsize       len)
{
  g_autoptr(LeanCriticVerdict) self = verdict_new ();
  g_autoptr(GString) texts = g_string_new (NULL);
  g_autoptr(GString) gemini_message = g_string_new (NULL);
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(JsonNode) last_verdict_node = NULL;
  gboolean any_event = FALSE;
  const char *p = output, *end = output + len;

  g_return_val_if_fail (output != NULL || len == 0, NULL);

  /* Line by line: event lines are read as JSON, the rest kept as text. */
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      gsize n = line_end - p;
      g_autofree char *line = NULL;
      const char *l;

      line = lean_counts_strip_ansi (p, n);
      l = line;
      while (*l == ' ' || *l == '\t')
        l++;
      if (*l == '{' && n <= EVENT_MAX_LINE)
        {
          g_autoptr(JsonNode) node = lean_json_parse (l, -1, VERDICT_MAX_DEPTH, NULL);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObject *verdict_obj = NULL;

              any_event = TRUE;
              read_event (self, json_node_get_object (node), &verdict_obj, texts, gemini_message);
              if (verdict_obj != NULL)
                {
                  g_clear_pointer (&last_verdict_node, json_node_unref);
                  last_verdict_node = json_node_new (JSON_NODE_OBJECT);
                  json_node_set_object (last_verdict_node, verdict_obj);
                }
              p = line_end + 1;
              continue;
            }
        }
      g_string_append (plain, line);
      g_string_append_c (plain, '\n');
      p = line_end + 1;
    }

  /* One JSON document over several lines (gemini -o json prints it
   * pretty), when no line was one: read as one event. */
  {
    const char *q = output;

    end = output + len;

    while (q < end && g_ascii_isspace (*q))
      q++;
    if (!any_event && q < end && *q == '{' && len <= EVENT_MAX_LINE)
      {
        g_autoptr(JsonNode) node = lean_json_parse (q, end - q, VERDICT_MAX_DEPTH, NULL);

        if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
          {
            JsonObject *verdict_obj = NULL;

            any_event = TRUE;
            read_event (self, json_node_get_object (node), &verdict_obj, texts, gemini_message);
            if (verdict_obj != NULL && read_verdict_object (self, verdict_obj))
              return g_steal_pointer (&self);
            g_string_truncate (plain, 0);
          }
      }
  }

  if (last_verdict_node != NULL &&
      read_verdict_object (self, json_node_get_object (last_verdict_node)))
    return g_steal_pointer (&self);

  /* Texts the agent answered with, the last one first. */
  if (gemini_message->len > 0)
    {
      g_string_append_printf (texts, "%s%s", texts->len ? "\n\x1e" : "", gemini_message->str);
    }
  if (texts->len > 0)
    {
      g_auto(GStrv) parts = g_strsplit (texts->str, "\n\x1e", -1);

      for (int i = (int)g_strv_length (parts) - 1; i >= 0; i--)
        if (read_verdict_text (self, parts[i]))
          return g_steal_pointer (&self);
      g_free (self->text);
      self->text = clean (parts[g_strv_length (parts) - 1],
                          strlen (parts[g_strv_length (parts) - 1]), LEAN_CRITIC_TEXT_MAX);
      return g_steal_pointer (&self);
    }

  if (!any_event || plain->len > 0)
    {
      if (read_verdict_text (self, plain->str))
        return g_steal_pointer (&self);
    }

  /* No verdict: keep the end of what was said, where the reason usually is. */
  {
    const char *start = plain->str;

    if (plain->len > LEAN_CRITIC_TEXT_MAX)
      start = plain->str + plain->len - LEAN_CRITIC_TEXT_MAX + 16;
    g_free (self->text);
    self->text = clean (start, strlen (start), LEAN_CRITIC_TEXT_MAX);
    g_strstrip (self->text);
  }
  return g_steal_pointer (&self);
}

gboolean
lean_critic_verdict_passed (LeanCriticVerdict *verdict)
{
  g_return_val_if_fail (verdict != NULL, FALSE);
  return verdict->parsed && verdict->pass;
}

JsonNode *
lean_critic_verdict_to_json (LeanCriticVerdict *verdict)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (verdict != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, !verdict->parsed ? "error"
                                          : verdict->pass ? "pass" : "fail");
  json_builder_set_member_name (builder, "requirements");
  json_builder_begin_array (builder);
  for (guint i = 0; i < verdict->requirements->len; i++)
    {
      LeanCriticRequirement *req = g_ptr_array_index (verdict->requirements, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "item");
      json_builder_add_string_value (builder, req->item);
      json_builder_set_member_name (builder, "met");
      json_builder_add_boolean_value (builder, req->met);
      json_builder_set_member_name (builder, "evidence");
      json_builder_add_string_value (builder, req->evidence);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "gaps");
  json_builder_begin_array (builder);
  for (guint i = 0; verdict->gaps[i] != NULL; i++)
    json_builder_add_string_value (builder, verdict->gaps[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "summary");
  if (verdict->parsed)
    json_builder_add_string_value (builder, verdict->summary);
  else
    {
      g_autofree char *summary = g_strdup_printf (_("The critic gave no verdict: %s"),
                                                  verdict->text ? verdict->text : "");
      json_builder_add_string_value (builder, summary);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
