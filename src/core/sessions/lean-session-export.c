/* SPDX-License-Identifier: MIT */
/* LeanSessionExport: a stored session as an asciicast v2 recording, plain
 * text or JSON. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lean-json.h"
#include "lean-session-export.h"
#include "lean-text.h"

gboolean
lean_session_export_format_from_string (const char              *str,
                                        LeanSessionExportFormat *format)
{
  static const char * const names[] = { "cast", "text", "json" };

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (str, names[i]))
      {
        *format = (LeanSessionExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

/* The size of the terminal the agent started in, from its events. */
static void
terminal_size (GPtrArray *events,
               guint     *rows,
               guint     *cols)
{
  *rows = 24;
  *cols = 80;
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *ev = g_ptr_array_index (events, i);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;
      gint64 r, c;

      if (!g_str_equal (ev->kind, "terminal-size") || ev->payload == NULL)
        continue;
      node = lean_json_parse (ev->payload, -1, 0, NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      obj = json_node_get_object (node);
      r = json_object_get_int_member_with_default (obj, "rows", 0);
      c = json_object_get_int_member_with_default (obj, "cols", 0);
      /* A crafted row must not ask a player for a huge screen. */
      if (r > 0 && r <= 1000 && c > 0 && c <= 1000)
        {
          *rows = (guint) r;
          *cols = (guint) c;
        }
      return;
    }
}

/* A JSON string literal of @data: invalid UTF-8 replaced (a cast is JSON
 * text), every control character escaped by json-glib. */
static void
append_json_string (GString    *out,
                    const char *data,
                    gsize       len)
{
  g_autofree char *valid = g_utf8_make_valid (data, len);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *text = NULL;

  json_node_set_string (node, valid);
  text = json_to_string (node, FALSE);
  g_string_append (out, text);
}

static GBytes *
export_cast (LeanSession *session,
             GPtrArray   *events,
             GPtrArray   *chunks)
{
  GString *out = g_string_new (NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) header = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GByteArray) carry = g_byte_array_new ();
  gint64 first = chunks->len > 0 ? ((LeanOutputChunk *) g_ptr_array_index (chunks, 0))->ts : 0;
  guint rows, cols;

  terminal_size (events, &rows, &cols);
  title = g_strdup_printf ("%s: %s", lean_session_get_spec_id (session) ?: "",
                           lean_session_get_agent_id (session) ?: "");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, cols);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, rows);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_int_value (b, first > 0 ? first / G_USEC_PER_SEC
                                 : (lean_session_get_started_at (session)
                                    ? g_date_time_to_unix (lean_session_get_started_at (session))
                                    : 0));
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_end_object (b);
  header = json_builder_get_root (b);
  header_text = json_to_string (header, FALSE);
  g_string_append (out, header_text);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < chunks->len; i++)
    {
      LeanOutputChunk *chunk = g_ptr_array_index (chunks, i);
      gsize size;
      const guint8 *data = g_bytes_get_data (chunk->bytes, &size);
      const char *end;
      gsize whole;
      char stamp[G_ASCII_DTOSTR_BUF_SIZE];

      /* A character cut at the end of a chunk goes with the next one, so
       * no event holds half of it (which JSON would replace). */
      g_byte_array_append (carry, data, size);
      g_utf8_validate ((const char *) carry->data, carry->len, &end);
      whole = (gsize) ((const guint8 *) end - carry->data);
      if (!(i + 1 < chunks->len && whole < carry->len && carry->len - whole < 4 &&
            carry->data[whole] >= 0xc0))
        whole = carry->len;
      if (whole == 0)
        continue;

      g_ascii_formatd (stamp, sizeof stamp, "%.6f",
                       (double) MAX (chunk->ts - first, 0) / G_USEC_PER_SEC);
      g_string_append_printf (out, "[%s, \"o\", ", stamp);
      append_json_string (out, (const char *) carry->data, whole);
      g_string_append (out, "]\n");
      g_byte_array_remove_range (carry, 0, whole);
    }
  return g_string_free_to_bytes (out);
}

static GBytes *
concat_chunks (GPtrArray *chunks)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();

  for (guint i = 0; i < chunks->len; i++)
    {
      LeanOutputChunk *chunk = g_ptr_array_index (chunks, i);
      gsize size;
      const guint8 *data = g_bytes_get_data (chunk->bytes, &size);

      g_byte_array_append (all, data, size);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static GBytes *
export_text (GPtrArray *chunks)
{
  g_autoptr(GBytes) all = concat_chunks (chunks);
  gsize size;
  const char *data = g_bytes_get_data (all, &size);
  char *text = lean_text_strip_escapes (data, size);

  return g_bytes_new_take (text, strlen (text));
}

static char *
iso_time (GDateTime *dt)
{
  return dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int_or_null (JsonBuilder *b,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (b, name);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
lean_session_add_json_members (LeanSession *session,
                               JsonBuilder *b)
{
  g_autofree char *started = iso_time (lean_session_get_started_at (session));
  g_autofree char *ended = iso_time (lean_session_get_ended_at (session));

  g_return_if_fail (LEAN_IS_SESSION (session));
  g_return_if_fail (JSON_IS_BUILDER (b));

  add_string (b, "id", lean_session_get_id (session));
  add_string (b, "project", lean_session_get_project_path (session));
  add_string (b, "spec", lean_session_get_spec_id (session));
  add_string (b, "agent", lean_session_get_agent_id (session));
  add_string (b, "mode", lean_session_mode_to_string (lean_session_get_mode (session)));
  add_string (b, "runner", lean_session_get_runner (session));
  add_string (b, "state", lean_session_state_to_string (lean_session_get_state (session)));
  add_string (b, "model", lean_session_get_model (session));
  add_string (b, "started_at", started);
  add_string (b, "ended_at", ended);
  add_int_or_null (b, "exit_code", lean_session_get_exit_code (session));
  add_string (b, "message", lean_session_get_message (session));
  add_string (b, "worktree", lean_session_get_worktree_path (session));
  add_string (b, "branch", lean_session_get_branch (session));
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, lean_session_get_input_tokens (session));
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, lean_session_get_output_tokens (session));
  json_builder_set_member_name (b, "cache_tokens");
  json_builder_add_int_value (b, lean_session_get_cache_tokens (session));
  json_builder_set_member_name (b, "cost_usd");
  if (lean_session_get_cost_usd (session) >= 0)
    json_builder_add_double_value (b, lean_session_get_cost_usd (session));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "iteration");
  json_builder_add_int_value (b, lean_session_get_iteration (session));
}

static GBytes *
export_json (LeanSession *session,
             GPtrArray   *events,
             GPtrArray   *chunks)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) all = concat_chunks (chunks);
  g_autofree char *output = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data = g_bytes_get_data (all, &size);

  output = g_utf8_make_valid (data, size);
  json_builder_begin_object (b);
  lean_session_add_json_members (session, b);

  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  for (guint i = 0; i < events->len; i++)
    {
      LeanSessionEvent *ev = g_ptr_array_index (events, i);
      JsonNode *payload = ev->payload ? lean_json_parse (ev->payload, -1, 0, NULL) : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, ev->seq);
      json_builder_set_member_name (b, "ts_ms");
      json_builder_add_int_value (b, ev->ts / 1000);
      add_string (b, "kind", ev->kind);
      json_builder_set_member_name (b, "data");
      if (payload != NULL)
        json_builder_add_value (b, payload);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "output");
  json_builder_begin_array (b);
  for (guint i = 0; i < chunks->len; i++)
    {
      LeanOutputChunk *chunk = g_ptr_array_index (chunks, i);
      gsize n;
      const char *d = g_bytes_get_data (chunk->bytes, &n);
      g_autofree char *valid = g_utf8_make_valid (d, n);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ts_ms");
      json_builder_add_int_value (b, chunk->ts / 1000);
      add_string (b, "data", valid);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_string (b, "text", output);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  size = strlen (text);
  return g_bytes_new_take (g_steal_pointer (&text), size);
}

GBytes *
lean_session_export (LeanSessionDb            *db,
                     LeanSession              *session,
                     LeanSessionExportFormat   format,
                     GError                  **error)
{
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const char *id;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  id = lean_session_get_id (session);
  chunks = lean_session_db_read_timed_output (db, id, LEAN_OUTPUT_CHANNEL_DISPLAY, error);
  if (chunks == NULL)
    return NULL;
  events = lean_session_db_read_events (db, id, -1, error);
  if (events == NULL)
    return NULL;

  switch (format)
    {
    case LEAN_SESSION_EXPORT_CAST:
      return export_cast (session, events, chunks);
    case LEAN_SESSION_EXPORT_TEXT:
      return export_text (chunks);
    case LEAN_SESSION_EXPORT_JSON:
    default:
      return export_json (session, events, chunks);
    }
}
