/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-json.h"
#include "lean-stream-parser.h"

/* A JSON line can be big (a tool result holding a whole file), but a "line"
 * of this size is not one: pass it through rather than grow without end. */
#define MAX_LINE (16 * 1024 * 1024)

#define SUMMARY_CHARS 110

/* ANSI SGR used for display. */
#define SGR_RESET  "\033[0m"
#define SGR_BOLD   "\033[1m"
#define SGR_DIM    "\033[2m"
#define SGR_RED    "\033[31m"
#define SGR_GREEN  "\033[32m"
#define SGR_CYAN   "\033[36m"

struct _LeanStreamParser
{
  GObject          parent_instance;

  LeanAgentOutput  format;
  GByteArray      *line;            /* the incomplete last line */
  gboolean         line_is_text;    /* it is being passed through already */
  GString         *display;         /* gathered during one feed() */
  gboolean         mid_line;        /* display ends inside a streamed text */

  char            *cwd;
  GHashTable      *tool_names;      /* tool id -> name */
  GHashTable      *message_usage;   /* Claude message id -> GArray of 3 guint64 */

  guint64          input_tokens;
  guint64          output_tokens;
  guint64          cache_tokens;
  double           cost_usd;
  guint            num_turns;
  gboolean         error_pending;
  gboolean         result_error;
  gboolean         has_result;
  gboolean         usage_seen;
  char            *agent_session_id;
  char            *result_text;
  char            *last_error;
};

G_DEFINE_FINAL_TYPE (LeanStreamParser, lean_stream_parser, G_TYPE_OBJECT)

enum { DISPLAY, EVENT, USAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
lean_stream_parser_finalize (GObject *object)
{
  LeanStreamParser *self = (LeanStreamParser *)object;

  g_byte_array_unref (self->line);
  g_string_free (self->display, TRUE);
  g_free (self->cwd);
  g_hash_table_unref (self->tool_names);
  g_hash_table_unref (self->message_usage);
  g_free (self->agent_session_id);
  g_free (self->result_text);
  g_free (self->last_error);

  G_OBJECT_CLASS (lean_stream_parser_parent_class)->finalize (object);
}

static void
lean_stream_parser_class_init (LeanStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_stream_parser_finalize;

  signals[DISPLAY] =
    g_signal_new ("display", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[USAGE] =
    g_signal_new ("usage", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_DOUBLE);
}

static void
lean_stream_parser_init (LeanStreamParser *self)
{
  self->line = g_byte_array_new ();
  self->display = g_string_new (NULL);
  self->tool_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->message_usage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)g_array_unref);
  self->cost_usd = -1;
}

LeanStreamParser *
lean_stream_parser_new (LeanAgentOutput format)
{
  LeanStreamParser *self = g_object_new (LEAN_TYPE_STREAM_PARSER, NULL);

  self->format = format;
  return self;
}

LeanAgentOutput
lean_stream_parser_get_format (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), LEAN_AGENT_OUTPUT_TEXT);
  return self->format;
}

/* ---- JSON access that tolerates any shape ---- */

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  if (object == NULL)
    return NULL;
  return json_object_get_member (object, name);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  return NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  return NULL;
}

static gboolean
get_number (JsonObject *object,
            const char *name,
            double     *out)
{
  JsonNode *node = member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double)json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

static guint64
get_uint (JsonObject *object,
          const char *name)
{
  double value = 0;

  if (!get_number (object, name, &value) || value < 0)
    return 0;
  return (guint64)value;
}

static gboolean
get_bool (JsonObject *object,
          const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

/* ---- display helpers ---- */

/* Text from the agent may carry anything; keep tabs and newlines, drop other
 * control characters so a model cannot drive the terminal. */
static char *
clean_text (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;

      if (c == '\r' && p[1] == '\n')
        continue;
      if (c < 0x20 && c != '\n' && c != '\t')
        continue;
      if (c == 0x7f)
        continue;
      g_string_append_c (out, (char)c);
    }
  return g_string_free (out, FALSE);
}

static void
end_line (LeanStreamParser *self)
{
  if (self->mid_line)
    {
      g_string_append (self->display, "\r\n");
      self->mid_line = FALSE;
    }
}

/* Appends @text with "\r\n" line ends (a view feeds VTE without a PTY). */
static void
append_crlf (GString    *out,
             const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
}

static void
display_line (LeanStreamParser *self,
              const char       *sgr,
              const char       *text)
{
  g_autofree char *clean = clean_text (text);

  end_line (self);
  if (sgr != NULL)
    g_string_append (self->display, sgr);
  append_crlf (self->display, clean);
  if (sgr != NULL)
    g_string_append (self->display, SGR_RESET);
  g_string_append (self->display, "\r\n");
}

/* First line of @text, at most SUMMARY_CHARS characters, and how many more
 * lines there were. */
static char *
summarize (const char *text)
{
  g_autofree char *clean = NULL;
  g_auto(GStrv) lines = NULL;
  GString *out;
  guint first = 0;
  guint n_lines;

  if (text == NULL)
    return g_strdup ("");

  clean = clean_text (text);
  lines = g_strsplit (clean, "\n", -1);
  n_lines = g_strv_length (lines);
  while (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  while (first < n_lines && *g_strstrip (lines[first]) == '\0')
    first++;
  if (first >= n_lines)
    return g_strdup ("");

  out = g_string_new (NULL);
  for (const char *p = lines[first]; *p != '\0'; p++)
    g_string_append_c (out, *p == '\t' ? ' ' : *p);
  if (g_utf8_strlen (out->str, -1) > SUMMARY_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (out->str, 0, SUMMARY_CHARS - 1);

      g_string_assign (out, cut);
      g_string_append (out, "…");
    }
  if (n_lines - first > 1)
    g_string_append_printf (out, " (+%u lines)", n_lines - first - 1);
  return g_string_free (out, FALSE);
}

static char *
relative_path (LeanStreamParser *self,
               const char       *path)
{
  if (self->cwd != NULL && g_str_has_prefix (path, self->cwd))
    {
      const char *rest = path + strlen (self->cwd);

      if (*rest == '/')
        return g_strdup (rest + 1);
    }
  return g_strdup (path);
}

/* What a tool call is about, in a few words: a path, a command, a query. */
static char *
tool_summary (LeanStreamParser *self,
              JsonObject       *input)
{
  static const char *path_keys[] = { "file_path", "path", "notebook_path", "absolute_path",
                                     "filePath", "dir_path", NULL };
  static const char *text_keys[] = { "command", "pattern", "url", "query", "description",
                                     "prompt", "subject", NULL };
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (input == NULL)
    return g_strdup ("");

  for (guint i = 0; path_keys[i] != NULL; i++)
    {
      const char *value = get_string (input, path_keys[i]);

      if (value != NULL)
        {
          g_autofree char *rel = relative_path (self, value);

          return summarize (rel);
        }
    }
  for (guint i = 0; text_keys[i] != NULL; i++)
    {
      const char *value = get_string (input, text_keys[i]);

      if (value != NULL)
        return summarize (value);
    }

  if (json_object_get_size (input) == 0)
    return g_strdup ("");
  node = json_node_init_object (json_node_alloc (), input);
  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  json = json_generator_to_data (generator, NULL);
  return summarize (json);
}

/* ---- events ---- */

static void
emit_event (LeanStreamParser *self,
            const char       *kind,
            JsonObject       *payload)
{
  g_signal_emit (self, signals[EVENT], 0, kind, payload);
}

static void
emit_usage (LeanStreamParser *self)
{
  self->usage_seen = TRUE;
  g_signal_emit (self, signals[USAGE], 0, self->input_tokens, self->output_tokens,
                 self->cache_tokens, self->cost_usd);
}

static void
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static void
show_error (LeanStreamParser *self,
            const char       *message)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *line = g_strdup_printf ("✗ %s", message);

  set_string (&self->last_error, message);
  self->error_pending = TRUE;
  display_line (self, SGR_RED, line);
  json_object_set_string_member (payload, "message", message);
  emit_event (self, "error", payload);
}

static void
show_tool_use (LeanStreamParser *self,
               const char       *id,
               const char       *name,
               JsonObject       *input,
               const char       *summary_override)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *summary = summary_override != NULL ? g_strdup (summary_override)
                                                      : tool_summary (self, input);
  g_autofree char *line = NULL;

  if (name == NULL)
    name = "tool";
  if (id != NULL)
    g_hash_table_replace (self->tool_names, g_strdup (id), g_strdup (name));

  end_line (self);
  g_string_append_printf (self->display, SGR_BOLD SGR_CYAN "▶ %s" SGR_RESET, name);
  if (summary[0] != '\0')
    {
      g_autofree char *clean = clean_text (summary);

      g_string_append_c (self->display, ' ');
      g_string_append (self->display, clean);
    }
  g_string_append (self->display, "\r\n");

  if (id != NULL)
    json_object_set_string_member (payload, "id", id);
  json_object_set_string_member (payload, "name", name);
  json_object_set_string_member (payload, "summary", summary);
  if (input != NULL)
    json_object_set_object_member (payload, "input", json_object_ref (input));
  emit_event (self, "tool-use", payload);
}

static void
show_tool_result (LeanStreamParser *self,
                  const char       *id,
                  gboolean          is_error,
                  const char       *text)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *summary = summarize (text);
  g_autofree char *line = NULL;

  if (summary[0] == '\0')
    summary = (g_free (summary), g_strdup (is_error ? "failed" : "done"));
  line = g_strdup_printf ("  ↳ %s", summary);
  display_line (self, is_error ? SGR_RED : SGR_DIM, line);

  if (id != NULL)
    json_object_set_string_member (payload, "id", id);
  json_object_set_boolean_member (payload, "is_error", is_error);
  json_object_set_string_member (payload, "summary", summary);
  emit_event (self, "tool-result", payload);
}

static void
show_message (LeanStreamParser *self,
              const char       *text,
              gboolean          is_error)
{
  g_autoptr(JsonObject) payload = json_object_new ();

  if (text == NULL || text[0] == '\0')
    return;
  display_line (self, is_error ? SGR_RED : NULL, text);
  json_object_set_string_member (payload, "text", text);
  if (is_error)
    json_object_set_boolean_member (payload, "is_error", TRUE);
  emit_event (self, "message", payload);
}

static void
show_init (LeanStreamParser *self,
           const char       *agent,
           const char       *session_id,
           const char       *model,
           const char       *cwd)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(GString) line = g_string_new ("● ");

  set_string (&self->agent_session_id, session_id);
  set_string (&self->cwd, cwd);

  g_string_append (line, agent);
  if (model != NULL)
    g_string_append_printf (line, " · %s", model);
  if (session_id != NULL)
    g_string_append_printf (line, " · session %.8s", session_id);
  display_line (self, SGR_DIM, line->str);

  if (session_id != NULL)
    json_object_set_string_member (payload, "session_id", session_id);
  if (model != NULL)
    json_object_set_string_member (payload, "model", model);
  if (cwd != NULL)
    json_object_set_string_member (payload, "cwd", cwd);
  emit_event (self, "init", payload);
}

static void
show_result (LeanStreamParser *self,
             gboolean          is_error,
             const char       *subtype,
             const char       *text)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(GString) line = g_string_new (NULL);

  self->has_result = TRUE;
  self->result_error = is_error;
  self->error_pending = FALSE;
  set_string (&self->result_text, text);

  end_line (self);
  if (is_error)
    {
      g_autofree char *summary = summarize (text != NULL ? text : subtype);

      g_string_append (self->display, SGR_BOLD SGR_RED "✗ Failed");
      if (summary[0] != '\0')
        g_string_append_printf (self->display, ": %s", summary);
    }
  else
    g_string_append (self->display, SGR_BOLD SGR_GREEN "✓ Done");
  g_string_append (self->display, SGR_RESET);

  if (self->num_turns > 0)
    g_string_append_printf (line, " · %u turn%s", self->num_turns,
                            self->num_turns == 1 ? "" : "s");
  if (self->usage_seen)
    g_string_append_printf (line, " · %" G_GUINT64_FORMAT " in / %" G_GUINT64_FORMAT
                            " out tokens", self->input_tokens, self->output_tokens);
  if (self->cache_tokens > 0)
    g_string_append_printf (line, " (%" G_GUINT64_FORMAT " cached)", self->cache_tokens);
  if (self->cost_usd >= 0)
    g_string_append_printf (line, " · $%.4f", self->cost_usd);
  if (line->len > 0)
    {
      g_string_append (self->display, SGR_DIM);
      g_string_append (self->display, line->str);
      g_string_append (self->display, SGR_RESET);
    }
  g_string_append (self->display, "\r\n");

  json_object_set_boolean_member (payload, "is_error", is_error);
  json_object_set_int_member (payload, "num_turns", self->num_turns);
  json_object_set_double_member (payload, "cost_usd", self->cost_usd);
  json_object_set_int_member (payload, "input_tokens", (gint64)self->input_tokens);
  json_object_set_int_member (payload, "output_tokens", (gint64)self->output_tokens);
  json_object_set_int_member (payload, "cache_tokens", (gint64)self->cache_tokens);
  if (text != NULL)
    json_object_set_string_member (payload, "text", text);
  if (subtype != NULL)
    json_object_set_string_member (payload, "subtype", subtype);
  emit_event (self, "result", payload);
}

/* Text of a tool_result "content": a string or a list of blocks. */
static char *
content_text (JsonNode *content)
{
  GString *out;

  if (content == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (content));
  if (!JSON_NODE_HOLDS_ARRAY (content))
    return NULL;

  out = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
    {
      JsonNode *block = json_array_get_element (json_node_get_array (content), i);
      const char *text;

      if (!JSON_NODE_HOLDS_OBJECT (block))
        continue;
      text = get_string (json_node_get_object (block), "text");
      if (text != NULL)
        {
          if (out->len > 0)
            g_string_append_c (out, '\n');
          g_string_append (out, text);
        }
      else if (g_strcmp0 (get_string (json_node_get_object (block), "type"), "image") == 0)
        g_string_append (out, "[image]");
    }
  return g_string_free (out, FALSE);
}

/* ---- Claude Code stream-json (also cursor-agent and Amp) ---- */

static void
claude_message_usage (LeanStreamParser *self,
                      JsonObject       *message)
{
  JsonObject *usage = get_object (message, "usage");
  const char *id = get_string (message, "id");
  GHashTableIter iter;
  GArray *values;
  guint64 in = 0, out = 0, cache = 0;

  /* Until the result gives the totals, sum the last usage seen for each
   * message (a message repeats its usage once per content block). */
  if (usage == NULL || id == NULL || self->has_result)
    return;

  values = g_array_sized_new (FALSE, TRUE, sizeof (guint64), 3);
  g_array_set_size (values, 3);
  g_array_index (values, guint64, 0) = get_uint (usage, "input_tokens");
  g_array_index (values, guint64, 1) = get_uint (usage, "output_tokens");
  g_array_index (values, guint64, 2) = get_uint (usage, "cache_read_input_tokens") +
                                       get_uint (usage, "cache_creation_input_tokens");
  g_hash_table_replace (self->message_usage, g_strdup (id), values);

  g_hash_table_iter_init (&iter, self->message_usage);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&values))
    {
      in += g_array_index (values, guint64, 0);
      out += g_array_index (values, guint64, 1);
      cache += g_array_index (values, guint64, 2);
    }

  if (in != self->input_tokens || out != self->output_tokens || cache != self->cache_tokens)
    {
      self->input_tokens = in;
      self->output_tokens = out;
      self->cache_tokens = cache;
      emit_usage (self);
    }
}

static gboolean
handle_claude (LeanStreamParser *self,
               JsonObject       *root)
{
  const char *type = get_string (root, "type");

  if (g_strcmp0 (type, "system") == 0)
    {
      const char *subtype = get_string (root, "subtype");

      if (g_strcmp0 (subtype, "init") == 0)
        {
          const char *version = get_string (root, "claude_code_version");
          g_autofree char *agent = version != NULL ? g_strdup_printf ("Claude Code %s", version)
                                                   : g_strdup ("Agent");

          show_init (self, agent, get_string (root, "session_id"),
                     get_string (root, "model"), get_string (root, "cwd"));
        }
      else if (subtype != NULL)
        {
          g_autofree char *line = g_strdup_printf ("● %s", subtype);

          display_line (self, SGR_DIM, line);
        }
      return TRUE;
    }

  if (g_strcmp0 (type, "assistant") == 0 || g_strcmp0 (type, "user") == 0)
    {
      JsonObject *message = get_object (root, "message");
      JsonNode *content = member (message, "content");
      gboolean assistant = g_strcmp0 (type, "assistant") == 0;
      /* Claude marks its own failures (not logged in, API errors) on the
       * message: show them as errors. */
      const char *error = get_string (root, "error");

      if (message == NULL)
        return FALSE;
      if (assistant)
        claude_message_usage (self, message);

      if (content != NULL && JSON_NODE_HOLDS_VALUE (content))
        {
          /* A plain string: the user's prompt replayed; not worth showing. */
          if (assistant)
            show_message (self, json_node_get_string (content), error != NULL);
          return TRUE;
        }
      if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
        return TRUE;

      for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
        {
          JsonNode *node = json_array_get_element (json_node_get_array (content), i);
          JsonObject *block;
          const char *block_type;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          block = json_node_get_object (node);
          block_type = get_string (block, "type");

          if (g_strcmp0 (block_type, "text") == 0 && assistant)
            show_message (self, get_string (block, "text"), error != NULL);
          else if (g_strcmp0 (block_type, "tool_use") == 0)
            show_tool_use (self, get_string (block, "id"), get_string (block, "name"),
                           get_object (block, "input"), NULL);
          else if (g_strcmp0 (block_type, "tool_result") == 0)
            {
              g_autofree char *text = content_text (member (block, "content"));

              show_tool_result (self, get_string (block, "tool_use_id"),
                                get_bool (block, "is_error"), text);
            }
          else if (g_strcmp0 (block_type, "thinking") == 0)
            {
              g_autofree char *summary = summarize (get_string (block, "thinking"));

              if (summary[0] != '\0')
                {
                  g_autofree char *line = g_strdup_printf ("· %s", summary);

                  display_line (self, SGR_DIM, line);
                }
            }
        }
      if (error != NULL)
        set_string (&self->last_error, error);
      return TRUE;
    }

  if (g_strcmp0 (type, "result") == 0)
    {
      JsonObject *usage = get_object (root, "usage");
      double cost = -1;
      double turns = 0;
      const char *text = get_string (root, "result");
      gboolean is_error = get_bool (root, "is_error");
      const char *subtype = get_string (root, "subtype");

      if (subtype != NULL && g_str_has_prefix (subtype, "error"))
        is_error = TRUE;
      if (usage != NULL)
        {
          self->input_tokens = get_uint (usage, "input_tokens");
          self->output_tokens = get_uint (usage, "output_tokens");
          self->cache_tokens = get_uint (usage, "cache_read_input_tokens") +
                               get_uint (usage, "cache_creation_input_tokens");
        }
      if (get_number (root, "total_cost_usd", &cost) || get_number (root, "cost_usd", &cost))
        self->cost_usd = cost;
      if (get_number (root, "num_turns", &turns) && turns >= 0)
        self->num_turns = (guint)turns;
      set_string (&self->agent_session_id, get_string (root, "session_id"));
      if (usage != NULL || self->cost_usd >= 0 || self->usage_seen)
        emit_usage (self);
      show_result (self, is_error, subtype, text);
      return TRUE;
    }

  /* cursor-agent: {"type":"tool_call","subtype":"started","call_id":..,
   * "tool_call":{"readToolCall":{"args":{...}}}} */
  if (g_strcmp0 (type, "tool_call") == 0)
    {
      JsonObject *call = get_object (root, "tool_call");
      g_autoptr(GList) names = call != NULL ? json_object_get_members (call) : NULL;
      const char *key = names != NULL ? names->data : "tool";
      JsonObject *detail = get_object (call, key);
      g_autofree char *name = g_strdup (key);
      const char *subtype = get_string (root, "subtype");

      if (g_str_has_suffix (name, "ToolCall"))
        name[strlen (name) - strlen ("ToolCall")] = '\0';
      name[0] = g_ascii_toupper (name[0]);
      if (g_strcmp0 (subtype, "started") == 0)
        show_tool_use (self, get_string (root, "call_id"), name, get_object (detail, "args"),
                       NULL);
      else if (g_strcmp0 (subtype, "completed") == 0)
        {
          JsonObject *result = get_object (detail, "result");
          gboolean failed = get_object (result, "error") != NULL ||
                            get_object (result, "failure") != NULL;

          show_tool_result (self, get_string (root, "call_id"), failed,
                            failed ? "failed" : "done");
        }
      return TRUE;
    }

  return FALSE;
}

/* ---- Codex exec --json ---- */

static gboolean
handle_codex (LeanStreamParser *self,
              JsonObject       *root)
{
  const char *type = get_string (root, "type");

  if (g_strcmp0 (type, "thread.started") == 0)
    {
      show_init (self, "Codex", get_string (root, "thread_id"), NULL, NULL);
      return TRUE;
    }

  if (g_strcmp0 (type, "turn.started") == 0)
    {
      g_autoptr(JsonObject) payload = json_object_new ();

      emit_event (self, "turn", payload);
      return TRUE;
    }

  if (g_strcmp0 (type, "turn.completed") == 0)
    {
      JsonObject *usage = get_object (root, "usage");

      /* Codex reports each turn's usage; the session total is the sum. */
      self->num_turns++;
      if (usage != NULL)
        {
          self->input_tokens += get_uint (usage, "input_tokens");
          self->output_tokens += get_uint (usage, "output_tokens");
          self->cache_tokens += get_uint (usage, "cached_input_tokens");
        }
      emit_usage (self);
      show_result (self, FALSE, "success", NULL);
      return TRUE;
    }

  if (g_strcmp0 (type, "turn.failed") == 0)
    {
      const char *message = get_string (get_object (root, "error"), "message");

      self->num_turns++;
      show_error (self, message != NULL ? message : "The turn failed");
      show_result (self, TRUE, "error", message);
      return TRUE;
    }

  if (g_strcmp0 (type, "error") == 0)
    {
      const char *message = get_string (root, "message");

      show_error (self, message != NULL ? message : "Unknown error");
      return TRUE;
    }

  if (g_str_has_prefix (type != NULL ? type : "", "item."))
    {
      JsonObject *item = get_object (root, "item");
      const char *item_type = get_string (item, "type");
      const char *id = get_string (item, "id");
      gboolean started = g_strcmp0 (type, "item.started") == 0;
      gboolean completed = g_strcmp0 (type, "item.completed") == 0;

      if (item == NULL)
        return FALSE;

      if (g_strcmp0 (item_type, "agent_message") == 0)
        {
          if (completed)
            show_message (self, get_string (item, "text"), FALSE);
        }
      else if (g_strcmp0 (item_type, "reasoning") == 0)
        {
          if (completed)
            {
              g_autofree char *summary = summarize (get_string (item, "text"));
              g_autofree char *line = g_strdup_printf ("· %s", summary);

              if (summary[0] != '\0')
                display_line (self, SGR_DIM, line);
            }
        }
      else if (g_strcmp0 (item_type, "command_execution") == 0)
        {
          if (started)
            show_tool_use (self, id, "Run", item, NULL);
          else if (completed)
            {
              double code = 0;
              gboolean has_code = get_number (item, "exit_code", &code);
              gboolean failed = (has_code && code != 0) ||
                                g_strcmp0 (get_string (item, "status"), "failed") == 0;
              g_autofree char *summary = summarize (get_string (item, "aggregated_output"));
              g_autofree char *text = NULL;

              if (!g_hash_table_contains (self->tool_names, id != NULL ? id : ""))
                show_tool_use (self, id, "Run", item, NULL);
              text = has_code ? g_strdup_printf ("exit %d%s%s", (int)code,
                                                 summary[0] ? " · " : "", summary)
                              : g_strdup (summary);
              show_tool_result (self, id, failed, text);
            }
        }
      else if (g_strcmp0 (item_type, "file_change") == 0)
        {
          JsonArray *changes = get_array (item, "changes");

          if (completed && changes != NULL)
            for (guint i = 0; i < json_array_get_length (changes); i++)
              {
                JsonNode *node = json_array_get_element (changes, i);
                JsonObject *change = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                   : NULL;
                const char *kind = get_string (change, "kind");
                const char *name = g_strcmp0 (kind, "add") == 0 ? "Add"
                                 : g_strcmp0 (kind, "delete") == 0 ? "Delete" : "Edit";

                show_tool_use (self, id, name, change, NULL);
              }
        }
      else if (g_strcmp0 (item_type, "mcp_tool_call") == 0)
        {
          if (started)
            {
              g_autofree char *name = g_strdup_printf ("%s.%s",
                                                       get_string (item, "server") ?: "mcp",
                                                       get_string (item, "tool") ?: "tool");

              show_tool_use (self, id, name, get_object (item, "arguments"), NULL);
            }
          else if (completed)
            show_tool_result (self, id,
                              g_strcmp0 (get_string (item, "status"), "failed") == 0, NULL);
        }
      else if (g_strcmp0 (item_type, "web_search") == 0)
        {
          if (started || (completed && !g_hash_table_contains (self->tool_names, id ?: "")))
            show_tool_use (self, id, "Search", item, NULL);
        }
      else if (g_strcmp0 (item_type, "todo_list") == 0)
        {
          JsonArray *items = get_array (item, "items");

          if (items != NULL && (started || completed))
            {
              guint done = 0;
              guint total = json_array_get_length (items);
              g_autofree char *line = NULL;

              for (guint i = 0; i < total; i++)
                {
                  JsonNode *node = json_array_get_element (items, i);

                  if (JSON_NODE_HOLDS_OBJECT (node) &&
                      get_bool (json_node_get_object (node), "completed"))
                    done++;
                }
              line = g_strdup_printf ("☑ plan: %u of %u done", done, total);
              display_line (self, SGR_DIM, line);
            }
        }
      else if (g_strcmp0 (item_type, "error") == 0)
        {
          if (completed || started)
            show_error (self, get_string (item, "message") ?: "Unknown error");
        }
      return TRUE;
    }

  return FALSE;
}

/* ---- Gemini CLI stream-json ---- */

static gboolean
handle_gemini (LeanStreamParser *self,
               JsonObject       *root)
{
  const char *type = get_string (root, "type");

  if (g_strcmp0 (type, "init") == 0)
    {
      show_init (self, "Gemini CLI", get_string (root, "session_id"),
                 get_string (root, "model"), NULL);
      return TRUE;
    }

  if (g_strcmp0 (type, "message") == 0)
    {
      const char *content = get_string (root, "content");
      g_autofree char *clean = NULL;
      g_autoptr(JsonObject) payload = NULL;

      if (g_strcmp0 (get_string (root, "role"), "assistant") != 0 || content == NULL)
        return TRUE;

      if (!get_bool (root, "delta"))
        {
          show_message (self, content, FALSE);
          return TRUE;
        }

      /* Streamed pieces of one reply: print them as they come and end the
       * line when something else arrives. */
      clean = clean_text (content);
      append_crlf (self->display, clean);
      self->mid_line = clean[0] != '\0' ? !g_str_has_suffix (clean, "\n") : self->mid_line;
      payload = json_object_new ();
      json_object_set_string_member (payload, "text", content);
      json_object_set_boolean_member (payload, "delta", TRUE);
      emit_event (self, "message", payload);
      return TRUE;
    }

  if (g_strcmp0 (type, "tool_use") == 0)
    {
      show_tool_use (self, get_string (root, "tool_id"), get_string (root, "tool_name"),
                     get_object (root, "parameters"), NULL);
      return TRUE;
    }

  if (g_strcmp0 (type, "tool_result") == 0)
    {
      gboolean failed = g_strcmp0 (get_string (root, "status"), "success") != 0;
      const char *text = get_string (root, "output");

      if (failed && text == NULL)
        text = get_string (get_object (root, "error"), "message");
      show_tool_result (self, get_string (root, "tool_id"), failed, text);
      return TRUE;
    }

  if (g_strcmp0 (type, "error") == 0)
    {
      const char *message = get_string (root, "message") ?: "Unknown error";

      if (g_strcmp0 (get_string (root, "severity"), "warning") == 0)
        {
          g_autofree char *line = g_strdup_printf ("! %s", message);

          display_line (self, SGR_DIM, line);
        }
      else
        show_error (self, message);
      return TRUE;
    }

  if (g_strcmp0 (type, "result") == 0)
    {
      JsonObject *stats = get_object (root, "stats");
      gboolean failed = g_strcmp0 (get_string (root, "status"), "success") != 0;
      const char *message = get_string (get_object (root, "error"), "message");

      if (stats != NULL)
        {
          self->input_tokens = get_uint (stats, "input_tokens");
          self->output_tokens = get_uint (stats, "output_tokens");
          self->cache_tokens = get_uint (stats, "cached");
          if (self->cache_tokens == 0)
            self->cache_tokens = get_uint (stats, "cached_tokens");
        }
      self->num_turns = MAX (self->num_turns, 1);
      if (stats != NULL)
        emit_usage (self);
      show_result (self, failed, get_string (root, "status"), message);
      return TRUE;
    }

  return FALSE;
}

/* ---- lines ---- */

static void
pass_through (LeanStreamParser *self,
              const guint8     *data,
              gsize             len,
              gboolean          newline)
{
  end_line (self);
  g_string_append_len (self->display, (const char *)data, len);
  if (newline)
    g_string_append (self->display, "\r\n");
}

static void
handle_line (LeanStreamParser *self,
             const guint8     *data,
             gsize             len)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *valid = NULL;
  const char *text = (const char *)data;
  gsize start = 0;
  gboolean handled = FALSE;

  if (len > 0 && data[len - 1] == '\r')
    len--;
  while (start < len && (data[start] == ' ' || data[start] == '\t'))
    start++;

  if (start >= len || data[start] != '{')
    {
      pass_through (self, data, len, TRUE);
      return;
    }

  /* json-glib wants UTF-8; a broken byte in one string should not turn the
   * whole event into noise. */
  if (!g_utf8_validate (text, len, NULL))
    {
      valid = g_utf8_make_valid (text, len);
      text = valid;
      len = strlen (valid);
    }

  /* An agent's line is outside input: nesting is bounded before json-glib
   * (which recurses) sees it. */
  root = lean_json_parse (text, len, LEAN_JSON_MAX_DEPTH, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      /* @len is now that of @text, which repairing the UTF-8 may have made
       * longer than @data. */
      pass_through (self, (const guint8 *)text, len, TRUE);
      return;
    }

  switch (self->format)
    {
    case LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON:
      handled = handle_claude (self, json_node_get_object (root));
      break;
    case LEAN_AGENT_OUTPUT_CODEX_JSON:
      handled = handle_codex (self, json_node_get_object (root));
      break;
    case LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON:
      handled = handle_gemini (self, json_node_get_object (root));
      break;
    case LEAN_AGENT_OUTPUT_TEXT:
    default:
      break;
    }

  if (!handled && get_string (json_node_get_object (root), "type") != NULL)
    {
      /* An event kind we do not know (newer agent versions add some): one dim
       * line instead of a wall of JSON; the raw bytes are in the log. */
      g_autofree char *copy = g_strndup (text, len);   /* @text is not NUL-terminated */
      g_autofree char *summary = summarize (copy);
      g_autofree char *line = g_strdup_printf ("· %s", summary);

      display_line (self, SGR_DIM, line);
    }
  else if (!handled)
    pass_through (self, (const guint8 *)text, len, TRUE);
}

static void
flush_display (LeanStreamParser *self)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->display->len == 0)
    return;
  bytes = g_bytes_new (self->display->str, self->display->len);
  g_string_truncate (self->display, 0);
  g_signal_emit (self, signals[DISPLAY], 0, bytes);
}

static gboolean
starts_like_json (const GByteArray *line)
{
  for (guint i = 0; i < line->len; i++)
    {
      if (line->data[i] == ' ' || line->data[i] == '\t')
        continue;
      return line->data[i] == '{';
    }
  return TRUE; /* blank so far: cannot tell yet */
}

void
lean_stream_parser_feed (LeanStreamParser *self,
                         GBytes           *bytes)
{
  g_autoptr(LeanStreamParser) hold = NULL;
  const guint8 *data;
  gsize len = 0;
  gsize pos = 0;

  g_return_if_fail (LEAN_IS_STREAM_PARSER (self));
  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return;

  if (self->format == LEAN_AGENT_OUTPUT_TEXT)
    {
      g_signal_emit (self, signals[DISPLAY], 0, bytes);
      return;
    }

  hold = g_object_ref (self);
  while (pos < len)
    {
      const guint8 *newline = memchr (data + pos, '\n', len - pos);
      gsize end = newline != NULL ? (gsize)(newline - data) : len;

      if (self->line_is_text)
        {
          /* The start of this line was passed through already. */
          g_string_append_len (self->display, (const char *)data + pos, end - pos);
          if (newline != NULL)
            {
              g_string_append_c (self->display, '\n');
              self->line_is_text = FALSE;
            }
        }
      else if (newline != NULL)
        {
          if (self->line->len > 0)
            {
              g_byte_array_append (self->line, data + pos, end - pos);
              handle_line (self, self->line->data, self->line->len);
              g_byte_array_set_size (self->line, 0);
            }
          else
            handle_line (self, data + pos, end - pos);
        }
      else
        {
          g_byte_array_append (self->line, data + pos, end - pos);
          /* Text that is not JSON (a prompt waiting for an answer) is shown
           * now rather than when its line ends. */
          if (!starts_like_json (self->line) || self->line->len > MAX_LINE)
            {
              pass_through (self, self->line->data, self->line->len, FALSE);
              g_byte_array_set_size (self->line, 0);
              self->line_is_text = TRUE;
            }
        }
      pos = newline != NULL ? end + 1 : len;
    }

  flush_display (self);
}

void
lean_stream_parser_flush (LeanStreamParser *self)
{
  g_autoptr(LeanStreamParser) hold = NULL;

  g_return_if_fail (LEAN_IS_STREAM_PARSER (self));

  hold = g_object_ref (self);
  if (self->line->len > 0)
    {
      handle_line (self, self->line->data, self->line->len);
      g_byte_array_set_size (self->line, 0);
    }
  self->line_is_text = FALSE;
  end_line (self);
  flush_display (self);
}

guint64
lean_stream_parser_get_input_tokens (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), 0);
  return self->input_tokens;
}

guint64
lean_stream_parser_get_output_tokens (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), 0);
  return self->output_tokens;
}

guint64
lean_stream_parser_get_cache_tokens (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), 0);
  return self->cache_tokens;
}

double
lean_stream_parser_get_cost_usd (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), -1);
  return self->cost_usd;
}

guint
lean_stream_parser_get_num_turns (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), 0);
  return self->num_turns;
}

gboolean
lean_stream_parser_get_is_error (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), FALSE);
  return self->result_error || self->error_pending;
}

gboolean
lean_stream_parser_has_result (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), FALSE);
  return self->has_result;
}

const char *
lean_stream_parser_get_agent_session_id (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), NULL);
  return self->agent_session_id;
}

const char *
lean_stream_parser_get_result_text (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), NULL);
  return self->result_text;
}

const char *
lean_stream_parser_get_last_error (LeanStreamParser *self)
{
  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (self), NULL);
  return self->last_error;
}
