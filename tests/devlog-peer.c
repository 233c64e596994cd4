/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "devlog-peer.h"

struct _DevlogPeer
{
  LeanDevlogKind  kind;
  char           *token;
  guint           port;
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  SoupServer     *server;

  GMutex          lock;
  GCond           cond;
  gboolean        ready;
  GPtrArray      *accepted;  /* JsonObject */
  GHashTable     *ids;       /* id -> count */
  guint           posts;
  guint           refused;
  guint           fail_next;
  guint           duplicates;
};

/* ---- what serde and zod accept ---- */

static gboolean
is_rfc3339 (const char *s)
{
  static GRegex *re;
  g_autoptr(GDateTime) dt = NULL;

  if (g_once_init_enter (&re))
    g_once_init_leave (&re, g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?"
                                         "(Z|[+-]\\d\\d:\\d\\d)$", G_REGEX_OPTIMIZE, 0, NULL));
  if (s == NULL || !g_regex_match (re, s, 0, NULL))
    return FALSE;
  dt = g_date_time_new_from_iso8601 (s, NULL);
  return dt != NULL;
}

static JsonNode *
member (JsonObject *o,
        const char *name)
{
  return json_object_get_member (o, name);
}

static gboolean
is_string (JsonNode *n)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

static gboolean
is_int_in (JsonNode *n,
           gint64    lo,
           gint64    hi)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) &&
         json_node_get_value_type (n) == G_TYPE_INT64 &&
         json_node_get_int (n) >= lo && json_node_get_int (n) <= hi;
}

static gboolean
is_number (JsonNode *n)
{
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) &&
         (json_node_get_value_type (n) == G_TYPE_INT64 ||
          json_node_get_value_type (n) == G_TYPE_DOUBLE);
}

static gboolean
is_null (JsonNode *n)
{
  return n == NULL || JSON_NODE_HOLDS_NULL (n);
}

static JsonArray *
parse_array (const char  *body,
             gsize        len,
             JsonNode   **root,
             char       **why)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, body, len, &error))
    {
      *why = g_strdup_printf ("Failed to parse the request body as JSON: %s", error->message);
      return NULL;
    }
  *root = json_parser_steal_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (*root))
    {
      *why = g_strdup ("invalid type: expected a sequence");
      return NULL;
    }
  return json_node_get_array (*root);
}

/* serde, AgentEvent of devlog-core: required strings, an i32 projectId,
 * DateTime<Utc>, a map `data`, optional typed metrics; unknown fields are
 * ignored. */
static char *
serde_event (JsonNode *node)
{
  static const char * const strings[] = { "id", "eventType", "agentId", "agentVersion",
                                          "sessionId", NULL };
  static const char * const i32_metrics[] = { "tokenCount", "promptTokens", "responseTokens",
                                              NULL };
  JsonObject *o;
  JsonNode *n;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("invalid type: expected struct AgentEvent");
  o = json_node_get_object (node);
  for (guint i = 0; strings[i] != NULL; i++)
    if (!is_string (member (o, strings[i])))
      return g_strdup_printf ("%s: missing field or invalid type, expected a string",
                              strings[i]);
  n = member (o, "timestamp");
  if (!is_string (n) || !is_rfc3339 (json_node_get_string (n)))
    return g_strdup ("timestamp: input contains invalid characters");
  if (!is_int_in (member (o, "projectId"), G_MININT32, G_MAXINT32))
    return g_strdup ("projectId: missing field or invalid type, expected i32");
  for (const char *opt_i32[] = { "machineId", "workspaceId", NULL }, **p = opt_i32; *p; p++)
    if (!is_null (member (o, *p)) && !is_int_in (member (o, *p), G_MININT32, G_MAXINT32))
      return g_strdup_printf ("%s: invalid type, expected i32", *p);
  n = member (o, "context");
  if (n != NULL && !JSON_NODE_HOLDS_OBJECT (n))
    return g_strdup ("context: invalid type, expected a map");
  n = member (o, "data");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return g_strdup ("data: missing field or invalid type, expected a map");
  n = member (o, "metrics");
  if (!is_null (n))
    {
      JsonObject *m;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return g_strdup ("metrics: invalid type, expected struct EventMetrics");
      m = json_node_get_object (n);
      for (guint i = 0; i32_metrics[i] != NULL; i++)
        if (!is_null (member (m, i32_metrics[i])) &&
            !is_int_in (member (m, i32_metrics[i]), G_MININT32, G_MAXINT32))
          return g_strdup_printf ("metrics.%s: invalid type, expected i32", i32_metrics[i]);
      if (!is_null (member (m, "durationMs")) &&
          !is_int_in (member (m, "durationMs"), G_MININT64, G_MAXINT64))
        return g_strdup ("metrics.durationMs: invalid type, expected i64");
      if (!is_null (member (m, "cost")) && !is_number (member (m, "cost")))
        return g_strdup ("metrics.cost: invalid type, expected f64");
    }
  return NULL;
}

static char *
check_collector_array (JsonArray *events)
{
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      g_autofree char *bad = serde_event (json_array_get_element (events, i));

      if (bad != NULL)
        return g_strdup_printf ("Failed to deserialize the JSON body into the target type: "
                                "[%u].%s", i, bad);
    }
  return NULL;
}

char *
devlog_peer_check_collector (const char *body,
                             gsize       len)
{
  g_autoptr(JsonNode) root = NULL;
  char *why = NULL;
  JsonArray *events = parse_array (body, len, &root, &why);

  return events != NULL ? check_collector_array (events) : why;
}

static gboolean
is_uuid (JsonNode *n)
{
  return is_string (n) && g_uuid_string_is_valid (json_node_get_string (n));
}

static gboolean
nonempty (JsonNode *n)
{
  return is_string (n) && *json_node_get_string (n) != '\0';
}

/* zod, AgentEventCreateSchema of the web backend. */
static char *
zod_event (JsonNode *node)
{
  JsonObject *o;
  JsonNode *n;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("Expected object");
  o = json_node_get_object (node);
  n = member (o, "timestamp");
  if (!is_string (n) || !is_rfc3339 (json_node_get_string (n)))
    return g_strdup ("timestamp: Invalid date");
  if (!nonempty (member (o, "eventType")))
    return g_strdup ("eventType: Event type is required");
  if (!nonempty (member (o, "agentId")))
    return g_strdup ("agentId: Agent ID is required");
  if (!nonempty (member (o, "agentVersion")))
    return g_strdup ("agentVersion: Agent version is required");
  if (!is_uuid (member (o, "sessionId")))
    return g_strdup ("sessionId: Session ID must be a valid UUID");
  if (!is_int_in (member (o, "projectId"), 1, (G_GINT64_CONSTANT (1) << 53)))
    return g_strdup ("projectId: Project ID must be positive");
  for (const char *maps[] = { "context", "data", "metrics", NULL }, **p = maps; *p; p++)
    {
      n = member (o, *p);
      if (n != NULL && !JSON_NODE_HOLDS_OBJECT (n))
        return g_strdup_printf ("%s: Expected object", *p);
    }
  n = member (o, "parentEventId");
  if (n != NULL && !is_uuid (n))
    return g_strdup ("parentEventId: Invalid uuid");
  n = member (o, "relatedEventIds");
  if (n != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (n))
        return g_strdup ("relatedEventIds: Expected array");
      for (guint i = 0; i < json_array_get_length (json_node_get_array (n)); i++)
        if (!is_uuid (json_array_get_element (json_node_get_array (n), i)))
          return g_strdup_printf ("relatedEventIds.%u: Invalid uuid", i);
    }
  n = member (o, "tags");
  if (n != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (n))
        return g_strdup ("tags: Expected array");
      for (guint i = 0; i < json_array_get_length (json_node_get_array (n)); i++)
        if (!is_string (json_array_get_element (json_node_get_array (n), i)))
          return g_strdup_printf ("tags.%u: Expected string", i);
    }
  n = member (o, "severity");
  if (n != NULL)
    {
      static const char * const levels[] = { "info", "warning", "error", NULL };

      if (!is_string (n) || !g_strv_contains (levels, json_node_get_string (n)))
        return g_strdup ("severity: Invalid enum value. Expected 'info' | 'warning' | 'error'");
    }
  return NULL;
}

static char *
check_backend_array (JsonArray *events)
{
  if (json_array_get_length (events) > 1000)
    return g_strdup ("Cannot create more than 1000 events at once");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      g_autofree char *bad = zod_event (json_array_get_element (events, i));

      if (bad != NULL)
        return g_strdup_printf ("%u.%s", i, bad);
    }
  return NULL;
}

char *
devlog_peer_check_backend (const char *body,
                           gsize       len)
{
  g_autoptr(JsonNode) root = NULL;
  char *why = NULL;
  JsonArray *events = parse_array (body, len, &root, &why);

  return events != NULL ? check_backend_array (events) : why;
}

/* ---- the server ---- */

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

static void
store_events (DevlogPeer *peer,
              JsonArray  *events)
{
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *o = json_array_get_object_element (events, i);
      const char *id = json_object_get_string_member (o, "id");
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (peer->ids, id));

      if (count > 0)
        peer->duplicates++;
      g_hash_table_replace (peer->ids, g_strdup (id), GUINT_TO_POINTER (count + 1));
      g_ptr_array_add (peer->accepted, json_object_ref (o));
    }
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  DevlogPeer *peer = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *req = soup_server_message_get_request_body (msg);
  gboolean collector = peer->kind == LEAN_DEVLOG_KIND_COLLECTOR;
  g_autofree char *why = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *events = NULL;
  gboolean fail;

  if (collector && g_str_equal (path, "/health") && g_str_equal (method, "GET"))
    {
      reply_json (msg, 200, "{\"status\":\"ok\"}");
      return;
    }
  if (!g_str_equal (method, "POST") ||
      !g_str_equal (path, collector ? "/events" : "/api/events/batch"))
    {
      reply_json (msg, 404, "{\"error\":\"Not found\"}");
      return;
    }
  if (!collector)
    {
      const char *auth = soup_message_headers_get_one (
        soup_server_message_get_request_headers (msg), "Authorization");
      g_autofree char *want = g_strdup_printf ("Bearer %s", peer->token);

      if (g_strcmp0 (auth, want) != 0)
        {
          reply_json (msg, 401, "{\"error\":\"Unauthorized\"}");
          return;
        }
    }

  g_mutex_lock (&peer->lock);
  peer->posts++;
  fail = peer->fail_next > 0;
  if (fail)
    peer->fail_next--;
  g_mutex_unlock (&peer->lock);
  if (fail)
    {
      reply_json (msg, 500, "{\"error\":\"Internal server error\"}");
      return;
    }

  events = parse_array (req->data, req->length, &root, &why);
  if (events != NULL)
    why = collector ? check_collector_array (events) : check_backend_array (events);
  if (why != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) reply = NULL;

      g_mutex_lock (&peer->lock);
      peer->refused++;
      g_mutex_unlock (&peer->lock);
      if (collector)
        {
          soup_server_message_set_status (msg, 422, NULL);
          soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, why,
                                            strlen (why));
          return;
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, why);
      json_builder_end_object (b);
      reply = json_builder_get_root (b);
      answer = json_to_string (reply, FALSE);
      reply_json (msg, 400, answer);
      return;
    }

  g_mutex_lock (&peer->lock);
  {
    guint before = peer->accepted->len;

    store_events (peer, events);
    answer = collector ? g_strdup ("{\"status\":\"success\"}")
                       : g_strdup_printf ("{\"created\":%u,\"requested\":%u}",
                                          peer->accepted->len - before,
                                          peer->accepted->len - before);
  }
  g_mutex_unlock (&peer->lock);
  reply_json (msg, collector ? 200 : 201, answer);
}

static gpointer
peer_thread (gpointer data)
{
  DevlogPeer *peer = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (peer->context);
  peer->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (peer->server, NULL, handle, peer, NULL);
  if (!soup_server_listen_local (peer->server, peer->port, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                 &error))
    g_error ("the Devlog peer cannot listen on %u: %s", peer->port, error->message);
  uris = soup_server_get_uris (peer->server);
  peer->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  g_mutex_lock (&peer->lock);
  peer->ready = TRUE;
  g_cond_broadcast (&peer->cond);
  g_mutex_unlock (&peer->lock);

  g_main_loop_run (peer->loop);
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_main_context_pop_thread_default (peer->context);
  return NULL;
}

DevlogPeer *
devlog_peer_start (LeanDevlogKind  kind,
                   guint           port,
                   const char     *token)
{
  DevlogPeer *peer = g_new0 (DevlogPeer, 1);

  peer->kind = kind;
  peer->port = port;
  peer->token = g_strdup (token);
  g_mutex_init (&peer->lock);
  g_cond_init (&peer->cond);
  peer->accepted = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  peer->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  peer->context = g_main_context_new ();
  peer->loop = g_main_loop_new (peer->context, FALSE);
  peer->thread = g_thread_new ("devlog-peer", peer_thread, peer);
  g_mutex_lock (&peer->lock);
  while (!peer->ready)
    g_cond_wait (&peer->cond, &peer->lock);
  g_mutex_unlock (&peer->lock);
  return peer;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
devlog_peer_stop (DevlogPeer *peer)
{
  g_main_context_invoke (peer->context, quit_loop, peer->loop);
  g_thread_join (peer->thread);
  g_main_loop_unref (peer->loop);
  g_main_context_unref (peer->context);
  g_ptr_array_unref (peer->accepted);
  g_hash_table_unref (peer->ids);
  g_mutex_clear (&peer->lock);
  g_cond_clear (&peer->cond);
  g_free (peer->token);
  g_free (peer);
}

guint
devlog_peer_get_port (DevlogPeer *peer)
{
  return peer->port;
}

char *
devlog_peer_get_url (DevlogPeer *peer)
{
  return g_strdup_printf ("http://127.0.0.1:%u", peer->port);
}

void
devlog_peer_fail_next (DevlogPeer *peer,
                       guint       n)
{
  g_mutex_lock (&peer->lock);
  peer->fail_next = n;
  g_mutex_unlock (&peer->lock);
}

GPtrArray *
devlog_peer_dup_accepted (DevlogPeer *peer)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);

  g_mutex_lock (&peer->lock);
  for (guint i = 0; i < peer->accepted->len; i++)
    g_ptr_array_add (copy, json_object_ref (g_ptr_array_index (peer->accepted, i)));
  g_mutex_unlock (&peer->lock);
  return copy;
}

#define GETTER(name, field) \
  guint name (DevlogPeer *peer) \
  { \
    guint v; \
    g_mutex_lock (&peer->lock); \
    v = field; \
    g_mutex_unlock (&peer->lock); \
    return v; \
  }

GETTER (devlog_peer_n_accepted, peer->accepted->len)
GETTER (devlog_peer_n_posts, peer->posts)
GETTER (devlog_peer_n_refused, peer->refused)
GETTER (devlog_peer_n_duplicates, peer->duplicates)
