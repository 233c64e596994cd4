/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lean-json.h"
#include "lean-relay-message.h"
#include "lean-text.h"

/* agent-relay's messages are two levels deep; room for growth, no more. */
#define MAX_DEPTH 16
/* A relay error is one sentence; more is cut before it reaches a person. */
#define MAX_ERROR_CHARS 1000

static void
ignore (LeanRelayMessage *msg,
        const char       *why)
{
  msg->kind = LEAN_RELAY_MESSAGE_IGNORED;
  g_free (msg->why_ignored);
  msg->why_ignored = g_strdup (why);
}

/* The string member @name of @obj: @missing when absent or null, and @bad set
 * when present but not a string. */
static const char *
string_member (JsonObject  *obj,
               const char  *name,
               const char  *missing,
               gboolean    *bad)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return missing;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  *bad = TRUE;
  return missing;
}

void
lean_relay_message_parse (const char       *data,
                          gsize             len,
                          const char       *session_id,
                          LeanRelayMessage *msg)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *obj;
  JsonObject *payload = NULL;
  JsonNode *node;
  const char *type;
  const char *sid;
  gboolean bad = FALSE;

  memset (msg, 0, sizeof *msg);
  msg->exit_code = -1;

  root = lean_json_parse (data, len, MAX_DEPTH, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      ignore (msg, "not a JSON object");
      return;
    }
  obj = json_node_get_object (root);

  type = string_member (obj, "type", NULL, &bad);
  if (type == NULL)
    {
      ignore (msg, "no \"type\" string");
      return;
    }

  node = json_object_get_member (obj, "payload");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    payload = json_node_get_object (node);
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      ignore (msg, "\"payload\" is not an object");
      return;
    }

  /* A message about another session is not ours to act on, and one that
   * does not say which session in a readable way is not either. */
  sid = payload ? string_member (payload, "session_id", NULL, &bad) : NULL;
  if (bad)
    {
      ignore (msg, "\"session_id\" is not a string");
      return;
    }
  if (sid != NULL && *sid != '\0' && g_strcmp0 (sid, session_id) != 0)
    {
      ignore (msg, "about another session");
      return;
    }

  if (g_str_equal (type, "session_started"))
    msg->kind = LEAN_RELAY_MESSAGE_SESSION_STARTED;
  else if (g_str_equal (type, "session_ended"))
    {
      msg->kind = LEAN_RELAY_MESSAGE_SESSION_ENDED;
      node = payload ? json_object_get_member (payload, "exit_code") : NULL;
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_INT64)
        {
          gint64 code = json_node_get_int (node);

          if (code >= G_MININT && code <= G_MAXINT)
            msg->exit_code = (int)code;
        }
    }
  else if (g_str_equal (type, "error"))
    {
      const char *text = payload ? string_member (payload, "message", NULL, &bad) : NULL;
      g_autofree char *clean = NULL;

      msg->kind = LEAN_RELAY_MESSAGE_ERROR;
      if (text == NULL || *text == '\0')
        text = "unspecified error";
      clean = lean_text_strip_controls (text, -1);
      if (g_utf8_strlen (clean, -1) > MAX_ERROR_CHARS)
        {
          char *end = g_utf8_offset_to_pointer (clean, MAX_ERROR_CHARS);

          *end = '\0';
          msg->text = g_strconcat (clean, "…", NULL);
        }
      else
        msg->text = g_steal_pointer (&clean);
    }
  else
    ignore (msg, "unknown type");
}

void
lean_relay_message_clear (LeanRelayMessage *msg)
{
  g_clear_pointer (&msg->text, g_free);
  g_clear_pointer (&msg->why_ignored, g_free);
}
