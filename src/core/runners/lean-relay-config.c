/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "lean-error.h"
#include "lean-json.h"
#include "lean-relay-config.h"
#include "lean-relay-runner.h"

#define CONFIG_VERSION 1

G_DEFINE_BOXED_TYPE (LeanRelayServer, lean_relay_server,
                     lean_relay_server_copy, lean_relay_server_free)

LeanRelayServer *
lean_relay_server_new (const char *name,
                       const char *url)
{
  LeanRelayServer *server = g_new0 (LeanRelayServer, 1);

  server->name = g_strdup (name);
  server->url = g_strdup (url);
  return server;
}

LeanRelayServer *
lean_relay_server_copy (const LeanRelayServer *server)
{
  LeanRelayServer *copy;

  g_return_val_if_fail (server != NULL, NULL);

  copy = lean_relay_server_new (server->name, server->url);
  copy->default_runner = g_strdup (server->default_runner);
  copy->runner_ids = g_strdupv (server->runner_ids);
  copy->allow_insecure_token = server->allow_insecure_token;
  return copy;
}

void
lean_relay_server_free (LeanRelayServer *server)
{
  if (server == NULL)
    return;
  g_free (server->name);
  g_free (server->url);
  g_free (server->default_runner);
  g_strfreev (server->runner_ids);
  g_free (server);
}

void
lean_relay_target_free (LeanRelayTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->server_name);
  g_free (target->url);
  g_free (target->runner_id);
  g_free (target);
}

struct _LeanRelayConfig
{
  GObject     parent_instance;
  char       *path;
  GPtrArray  *servers;           /* LeanRelayServer */
  GHashTable *project_runners;   /* project path -> runner spec */
  char       *load_error;        /* set when the file on disk could not be read */
};

G_DEFINE_FINAL_TYPE (LeanRelayConfig, lean_relay_config, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
lean_relay_config_finalize (GObject *object)
{
  LeanRelayConfig *self = LEAN_RELAY_CONFIG (object);

  g_free (self->path);
  g_ptr_array_unref (self->servers);
  g_hash_table_unref (self->project_runners);
  g_free (self->load_error);

  G_OBJECT_CLASS (lean_relay_config_parent_class)->finalize (object);
}

static void
lean_relay_config_class_init (LeanRelayConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_relay_config_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_relay_config_init (LeanRelayConfig *self)
{
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_relay_server_free);
  self->project_runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

char *
lean_relay_config_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "leanspec-desktop", "relays.json", NULL);
}

LeanRelayConfig *
lean_relay_config_new (const char *path)
{
  LeanRelayConfig *self = g_object_new (LEAN_TYPE_RELAY_CONFIG, NULL);

  self->path = path ? g_strdup (path) : lean_relay_config_get_default_path ();
  return self;
}

const char *
lean_relay_config_get_path (LeanRelayConfig *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);
  return self->path;
}

static gboolean
name_is_valid (const char *name)
{
  return name != NULL && *name != '\0' && strchr (name, '/') == NULL
         && strchr (name, ':') == NULL && g_utf8_validate (name, -1, NULL);
}

static gboolean
runner_id_is_valid (const char *id)
{
  return id != NULL && *id != '\0' && strchr (id, '/') == NULL
         && g_utf8_validate (id, -1, NULL);
}

static gboolean
validate_server (const LeanRelayServer  *server,
                 char                  **normalized_url,
                 GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!name_is_valid (server->name))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” cannot be a relay server name: use a short name without “/” or “:”"),
                   server->name ? server->name : "");
      return FALSE;
    }
  if (server->url == NULL || *server->url == '\0')
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("Relay server “%s” has no address: set ws://host:port or wss://host:port"),
                   server->name);
      return FALSE;
    }
  *normalized_url = lean_relay_normalize_url (server->url, &local_error);
  if (*normalized_url == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("Relay server “%s”: %s"), server->name, local_error->message);
      return FALSE;
    }
  if (server->default_runner != NULL && *server->default_runner != '\0'
      && !runner_id_is_valid (server->default_runner))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("Relay server “%s”: “%s” is not a runner id (no “/” allowed)"),
                   server->name, server->default_runner);
      g_clear_pointer (normalized_url, g_free);
      return FALSE;
    }
  for (guint i = 0; server->runner_ids && server->runner_ids[i]; i++)
    if (!runner_id_is_valid (server->runner_ids[i]))
      {
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                     _("Relay server “%s”: “%s” is not a runner id (no “/” allowed)"),
                     server->name, server->runner_ids[i]);
        g_clear_pointer (normalized_url, g_free);
        return FALSE;
      }
  return TRUE;
}

static void
set_load_error (LeanRelayConfig  *self,
                GError          **error,
                const char       *fmt,
                ...) G_GNUC_PRINTF (3, 4);

static void
set_load_error (LeanRelayConfig  *self,
                GError          **error,
                const char       *fmt,
                ...)
{
  va_list args;

  g_free (self->load_error);
  va_start (args, fmt);
  self->load_error = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, self->load_error);
}

gboolean
lean_relay_config_load (LeanRelayConfig  *self,
                        GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GHashTable) projects = NULL;
  g_autofree char *contents = NULL;
  JsonObject *root;
  JsonArray *array = NULL;
  gsize len;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), FALSE);

  g_clear_pointer (&self->load_error, g_free);

  if (!g_file_get_contents (self->path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_ptr_array_set_size (self->servers, 0);
          g_hash_table_remove_all (self->project_runners);
          g_signal_emit (self, signals[CHANGED], 0);
          return TRUE;
        }
      set_load_error (self, error, _("Could not read relay settings %s: %s"),
                      self->path, local_error->message);
      return FALSE;
    }

  if ((parsed = lean_json_parse (contents, len, 0, &local_error)) == NULL)
    {
      set_load_error (self, error, _("Relay settings %s are not valid JSON (%s). Fix or remove "
                                     "the file; it was left as it is."),
                      self->path, local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (parsed))
    {
      set_load_error (self, error, _("Relay settings %s must hold a JSON object with a "
                                     "\"servers\" list; the file was left as it is."),
                      self->path);
      return FALSE;
    }
  root = json_node_get_object (parsed);

  servers = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_relay_server_free);
  projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (json_object_has_member (root, "servers"))
    {
      JsonNode *node = json_object_get_member (root, "servers");

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          set_load_error (self, error, _("Relay settings %s: \"servers\" must be a list"),
                          self->path);
          return FALSE;
        }
      array = json_node_get_array (node);
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(LeanRelayServer) server = NULL;
      g_autofree char *url = NULL;
      JsonObject *o;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_load_error (self, error, _("Relay settings %s: server #%u is not an object"),
                          self->path, i + 1);
          return FALSE;
        }
      o = json_node_get_object (node);
      server = lean_relay_server_new (json_object_get_string_member_with_default (o, "name", NULL),
                                      json_object_get_string_member_with_default (o, "url", NULL));
      server->default_runner =
        g_strdup (json_object_get_string_member_with_default (o, "default_runner", NULL));
      {
        JsonNode *allow = json_object_get_member (o, "allow_insecure_token");

        server->allow_insecure_token = allow != NULL && JSON_NODE_HOLDS_VALUE (allow)
                                       && json_node_get_value_type (allow) == G_TYPE_BOOLEAN
                                       && json_node_get_boolean (allow);
      }
      if (json_object_has_member (o, "runners")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "runners")))
        {
          JsonArray *runners = json_object_get_array_member (o, "runners");
          GStrvBuilder *b = g_strv_builder_new ();

          for (guint j = 0; j < json_array_get_length (runners); j++)
            {
              const char *id = json_node_get_string (json_array_get_element (runners, j));

              if (id != NULL)
                g_strv_builder_add (b, id);
            }
          server->runner_ids = g_strv_builder_end (b);
          g_strv_builder_unref (b);
        }

      if (!validate_server (server, &url, &local_error))
        {
          set_load_error (self, error, _("Relay settings %s, server #%u: %s"),
                          self->path, i + 1, local_error->message);
          return FALSE;
        }
      g_free (server->url);
      server->url = g_steal_pointer (&url);
      g_ptr_array_add (servers, g_steal_pointer (&server));
    }

  if (json_object_has_member (root, "project_runners")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "project_runners")))
    {
      JsonObject *o = json_object_get_object_member (root, "project_runners");
      g_autoptr(GList) members = json_object_get_members (o);

      for (GList *l = members; l; l = l->next)
        {
          const char *value = json_node_get_string (json_object_get_member (o, l->data));

          if (value != NULL)
            g_hash_table_insert (projects, g_strdup (l->data), g_strdup (value));
        }
    }

  g_ptr_array_unref (self->servers);
  self->servers = g_steal_pointer (&servers);
  g_hash_table_unref (self->project_runners);
  self->project_runners = g_steal_pointer (&projects);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
lean_relay_config_save (LeanRelayConfig  *self,
                        GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) keys = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), FALSE);

  if (self->load_error != NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                   _("Not saving relay settings: %s"), self->load_error);
      return FALSE;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CONFIG_VERSION);
  json_builder_set_member_name (b, "servers");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->servers->len; i++)
    {
      const LeanRelayServer *s = g_ptr_array_index (self->servers, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, s->name);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, s->url);
      if (s->allow_insecure_token)
        {
          json_builder_set_member_name (b, "allow_insecure_token");
          json_builder_add_boolean_value (b, TRUE);
        }
      if (s->default_runner != NULL && *s->default_runner != '\0')
        {
          json_builder_set_member_name (b, "default_runner");
          json_builder_add_string_value (b, s->default_runner);
        }
      json_builder_set_member_name (b, "runners");
      json_builder_begin_array (b);
      for (guint j = 0; s->runner_ids && s->runner_ids[j]; j++)
        json_builder_add_string_value (b, s->runner_ids[j]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "project_runners");
  json_builder_begin_object (b);
  keys = g_list_sort (g_hash_table_get_keys (self->project_runners), (GCompareFunc)g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_string_value (b, g_hash_table_lookup (self->project_runners, l->data));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* Atomic replace: a crash never leaves half a file. */
  return g_file_set_contents_full (self->path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

const char *
lean_relay_config_get_load_error (LeanRelayConfig *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);
  return self->load_error;
}

guint
lean_relay_config_get_n_servers (LeanRelayConfig *self)
{
  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), 0);
  return self->servers->len;
}

const LeanRelayServer *
lean_relay_config_get_server (LeanRelayConfig *self,
                              guint            index)
{
  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);
  g_return_val_if_fail (index < self->servers->len, NULL);
  return g_ptr_array_index (self->servers, index);
}

static int
find_server (LeanRelayConfig *self,
             const char      *name)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      const LeanRelayServer *s = g_ptr_array_index (self->servers, i);

      if (g_strcmp0 (s->name, name) == 0)
        return i;
    }
  return -1;
}

const LeanRelayServer *
lean_relay_config_lookup (LeanRelayConfig *self,
                          const char      *name)
{
  int i;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);
  i = find_server (self, name);
  return i < 0 ? NULL : g_ptr_array_index (self->servers, i);
}

const LeanRelayServer *
lean_relay_config_lookup_url (LeanRelayConfig *self,
                              const char      *url)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);

  normalized = lean_relay_normalize_url (url, NULL);
  if (normalized == NULL)
    return NULL;
  for (guint i = 0; i < self->servers->len; i++)
    {
      const LeanRelayServer *s = g_ptr_array_index (self->servers, i);

      if (g_strcmp0 (s->url, normalized) == 0)
        return s;
    }
  return NULL;
}

gboolean
lean_relay_config_set_server (LeanRelayConfig        *self,
                              const LeanRelayServer  *server,
                              GError                **error)
{
  g_autoptr(LeanRelayServer) copy = NULL;
  g_autofree char *url = NULL;
  int i;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);

  if (!validate_server (server, &url, error))
    return FALSE;

  copy = lean_relay_server_copy (server);
  g_free (copy->url);
  copy->url = g_steal_pointer (&url);
  if (copy->default_runner != NULL && *copy->default_runner == '\0')
    g_clear_pointer (&copy->default_runner, g_free);

  i = find_server (self, server->name);
  if (i >= 0)
    {
      lean_relay_server_free (g_ptr_array_index (self->servers, i));
      g_ptr_array_index (self->servers, i) = g_steal_pointer (&copy);
    }
  else
    g_ptr_array_add (self->servers, g_steal_pointer (&copy));
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
lean_relay_config_remove_server (LeanRelayConfig *self,
                                 const char      *name)
{
  int i;

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), FALSE);

  i = find_server (self, name);
  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (self->servers, i);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

const char *
lean_relay_config_get_project_runner (LeanRelayConfig *self,
                                      const char      *project_path)
{
  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);
  g_return_val_if_fail (project_path != NULL, NULL);
  return g_hash_table_lookup (self->project_runners, project_path);
}

void
lean_relay_config_set_project_runner (LeanRelayConfig *self,
                                      const char      *project_path,
                                      const char      *runner)
{
  g_return_if_fail (LEAN_IS_RELAY_CONFIG (self));
  g_return_if_fail (project_path != NULL);

  if (runner == NULL || *runner == '\0')
    g_hash_table_remove (self->project_runners, project_path);
  else
    g_hash_table_replace (self->project_runners, g_strdup (project_path), g_strdup (runner));
  g_signal_emit (self, signals[CHANGED], 0);
}

GStrv
lean_relay_config_list_runners (LeanRelayConfig *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (LEAN_IS_RELAY_CONFIG (self), NULL);

  for (guint i = 0; i < self->servers->len; i++)
    {
      const LeanRelayServer *s = g_ptr_array_index (self->servers, i);

      g_autoptr(GPtrArray) ids = g_ptr_array_new ();

      if (s->default_runner != NULL)
        g_ptr_array_add (ids, s->default_runner);
      for (guint j = 0; s->runner_ids && s->runner_ids[j]; j++)
        if (g_strcmp0 (s->runner_ids[j], s->default_runner) != 0)
          g_ptr_array_add (ids, s->runner_ids[j]);
      for (guint j = 0; j < ids->len; j++)
        {
          g_autofree char *spec = g_strdup_printf ("relay:%s/%s", s->name,
                                                   (const char *)g_ptr_array_index (ids, j));
          g_strv_builder_add (b, spec);
        }
    }
  return g_strv_builder_end (b);
}

/* ------------------------------------------------------------------------ */

gboolean
lean_relay_is_relay_spec (const char *runner_spec)
{
  return runner_spec != NULL && g_str_has_prefix (runner_spec, "relay:");
}

static gboolean
looks_like_url (const char *s)
{
  static const char * const schemes[] = { "ws://", "wss://", "http://", "https://" };

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_ascii_strncasecmp (s, schemes[i], strlen (schemes[i])) == 0)
      return TRUE;
  return FALSE;
}

static char *
pick_runner (const LeanRelayServer *server)
{
  if (server == NULL)
    return NULL;
  if (server->default_runner != NULL && *server->default_runner != '\0')
    return g_strdup (server->default_runner);
  if (server->runner_ids != NULL && g_strv_length (server->runner_ids) == 1)
    return g_strdup (server->runner_ids[0]);
  return NULL;
}

LeanRelayTarget *
lean_relay_parse_runner_spec (const char       *runner_spec,
                              LeanRelayConfig  *config,
                              GError          **error)
{
  g_autoptr(LeanRelayTarget) target = g_new0 (LeanRelayTarget, 1);
  const char *rest;

  g_return_val_if_fail (runner_spec != NULL, NULL);
  g_return_val_if_fail (config == NULL || LEAN_IS_RELAY_CONFIG (config), NULL);

  if (!lean_relay_is_relay_spec (runner_spec) || runner_spec[6] == '\0')
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a relay runner: use relay:SERVER or relay:SERVER/RUNNER_ID, "
                     "where SERVER is a configured name or ws://host:port"), runner_spec);
      return NULL;
    }
  rest = runner_spec + 6;

  if (looks_like_url (rest))
    {
      g_autoptr(GUri) uri = g_uri_parse (rest, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *base = NULL;
      g_autofree char *path = NULL;
      g_autofree char *url = NULL;
      const LeanRelayServer *known;
      char *slash;

      if (uri == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("“%s” is not a valid relay address"), rest);
          return NULL;
        }
      path = g_strdup (g_uri_get_path (uri));
      while (*path && path[strlen (path) - 1] == '/')
        path[strlen (path) - 1] = '\0';
      slash = strrchr (path, '/');
      if (slash != NULL && slash[1] != '\0')
        {
          target->runner_id = g_uri_unescape_string (slash + 1, NULL);
          *slash = '\0';
        }
      base = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                         g_uri_get_port (uri), path, NULL, NULL);
      url = lean_relay_normalize_url (base, &local_error);
      if (url == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      target->url = g_steal_pointer (&url);
      /* A URL that matches a configured server borrows its name and default. */
      known = config ? lean_relay_config_lookup_url (config, target->url) : NULL;
      if (known != NULL)
        target->server_name = g_strdup (known->name);
      if (target->runner_id == NULL)
        target->runner_id = pick_runner (known);
      if (target->runner_id == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("Say which runner to use: relay:%s/RUNNER_ID"), target->url);
          return NULL;
        }
    }
  else
    {
      const char *slash = strchr (rest, '/');
      g_autofree char *name = slash ? g_strndup (rest, slash - rest) : g_strdup (rest);
      const LeanRelayServer *server = config ? lean_relay_config_lookup (config, name) : NULL;

      if (server == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                       _("No relay server named “%s” is configured. Add it in Preferences, or "
                         "give its address: relay:wss://host:port/RUNNER_ID"), name);
          return NULL;
        }
      target->server_name = g_strdup (server->name);
      target->url = g_strdup (server->url);
      if (slash != NULL && slash[1] != '\0')
        target->runner_id = g_strdup (slash + 1);
      else
        target->runner_id = pick_runner (server);
      if (target->runner_id == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("Relay server “%s” has no default runner: use relay:%s/RUNNER_ID"),
                       name, name);
          return NULL;
        }
    }

  if (!runner_id_is_valid (target->runner_id))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a runner id (no “/” allowed)"), target->runner_id);
      return NULL;
    }
  return g_steal_pointer (&target);
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "dev.leanspec.Desktop.RelayToken", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

static void
keyring_error (GError     **error,
               GError      *cause,
               const char  *server_name)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return;
    }
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
               _("The keyring (Secret Service) is not available, so the token for relay “%s” "
                 "cannot be read or stored (%s). Set LEANSPEC_RELAY_TOKEN instead."),
               server_name, cause->message);
  g_error_free (cause);
}

char *
lean_relay_token_lookup_sync (const char    *server_name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GError *local_error = NULL;
  const char *env = g_getenv ("LEANSPEC_RELAY_TOKEN");
  char *secret;
  char *token;

  g_return_val_if_fail (server_name != NULL, NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  secret = secret_password_lookup_sync (token_schema (), cancellable, &local_error,
                                        "server", server_name, NULL);
  if (local_error != NULL)
    {
      keyring_error (error, local_error, server_name);
      return NULL;
    }
  /* Move it out of non-pageable memory into a normal string the caller frees. */
  token = g_strdup (secret);
  secret_password_free (secret);
  return token;
}

gboolean
lean_relay_token_store_sync (const char    *server_name,
                             const char    *token,
                             GCancellable  *cancellable,
                             GError       **error)
{
  GError *local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (server_name != NULL, FALSE);

  if (token == NULL || *token == '\0')
    {
      secret_password_clear_sync (token_schema (), cancellable, &local_error,
                                  "server", server_name, NULL);
    }
  else
    {
      label = g_strdup_printf (_("LeanSpec relay token for %s"), server_name);
      secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                  cancellable, &local_error, "server", server_name, NULL);
    }
  if (local_error != NULL)
    {
      keyring_error (error, local_error, server_name);
      return FALSE;
    }
  return TRUE;
}

static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  char *token = lean_relay_token_lookup_sync (task_data, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, g_free);
}

void
lean_relay_token_lookup_async (const char          *server_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lean_relay_token_lookup_async);
  g_task_set_task_data (task, g_strdup (server_name), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

char *
lean_relay_token_lookup_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *server_name;
  char *token;
} StoreData;

static void
store_data_free (StoreData *sd)
{
  g_free (sd->server_name);
  if (sd->token != NULL)
    memset (sd->token, 0, strlen (sd->token));
  g_free (sd->token);
  g_free (sd);
}

static void
store_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StoreData *sd = task_data;
  GError *error = NULL;

  if (lean_relay_token_store_sync (sd->server_name, sd->token, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lean_relay_token_store_async (const char          *server_name,
                              const char          *token,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  StoreData *sd = g_new0 (StoreData, 1);

  sd->server_name = g_strdup (server_name);
  sd->token = g_strdup (token);
  g_task_set_source_tag (task, lean_relay_token_store_async);
  g_task_set_task_data (task, sd, (GDestroyNotify)store_data_free);
  g_task_run_in_thread (task, store_thread);
}

gboolean
lean_relay_token_store_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0
      || g_str_has_suffix (host, ".localhost"))
    return TRUE;
  bare = g_strdup (host);
  if (bare[0] == '[' && bare[strlen (bare) - 1] == ']')
    {
      memmove (bare, bare + 1, strlen (bare));
      bare[strlen (bare) - 1] = '\0';
    }
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
lean_relay_token_allowed (const char  *url,
                          const char  *server_name,
                          gboolean     allow_insecure,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (scheme != NULL && (g_ascii_strcasecmp (scheme, "wss") == 0
                         || g_ascii_strcasecmp (scheme, "https") == 0))
    return TRUE;
  if (uri != NULL && host_is_loopback (g_uri_get_host (uri)))
    return TRUE;
  if (allow_insecure)
    return TRUE;

  if (server_name != NULL)
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                 _("Not sending the relay token to %s: ws:// is not encrypted and %s is not "
                   "this computer, so anyone on the network could read it. Use a wss:// "
                   "address, or allow it for relay “%s” (Preferences → Relays, or "
                   "“leanspec-ctl relay add --allow-insecure-token”)."),
                 url, uri ? g_uri_get_host (uri) : url, server_name);
  else
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                 _("Not sending the relay token to %s: ws:// is not encrypted and %s is not "
                   "this computer, so anyone on the network could read it. Use a wss:// "
                   "address, or pass --allow-insecure-token."),
                 url, uri ? g_uri_get_host (uri) : url);
  return FALSE;
}
