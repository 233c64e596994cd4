/* SPDX-License-Identifier: MIT */
/* Devlog settings: the JSON file shared by the app and the CLI, the
 * environment overrides, the token in the keyring and Devlog's own
 * collector.json. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "lean-devlog-settings.h"
#include "lean-error.h"
#include "lean-json.h"

/* The settings file and collector.json are a few hundred bytes. */
#define MAX_FILE_BYTES (64 * 1024)

LeanDevlogSettings *
lean_devlog_settings_new (void)
{
  LeanDevlogSettings *self = g_new0 (LeanDevlogSettings, 1);

  self->project_id = 1;
  self->max_queued = LEAN_DEVLOG_DEFAULT_MAX_QUEUED;
  return self;
}

LeanDevlogSettings *
lean_devlog_settings_copy (const LeanDevlogSettings *self)
{
  LeanDevlogSettings *copy = g_memdup2 (self, sizeof *self);

  copy->url = g_strdup (self->url);
  return copy;
}

void
lean_devlog_settings_free (LeanDevlogSettings *self)
{
  if (self == NULL)
    return;
  g_free (self->url);
  g_free (self);
}

gboolean
lean_devlog_settings_is_enabled (const LeanDevlogSettings *self)
{
  return self != NULL && self->url != NULL && *self->url != '\0';
}

const char *
lean_devlog_kind_to_string (LeanDevlogKind kind)
{
  switch (kind)
    {
    case LEAN_DEVLOG_KIND_COLLECTOR:
      return "collector";
    case LEAN_DEVLOG_KIND_BACKEND:
      return "backend";
    case LEAN_DEVLOG_KIND_AUTO:
    default:
      return "auto";
    }
}

gboolean
lean_devlog_kind_from_string (const char     *text,
                              LeanDevlogKind *kind)
{
  static const LeanDevlogKind kinds[] = {
    LEAN_DEVLOG_KIND_AUTO, LEAN_DEVLOG_KIND_COLLECTOR, LEAN_DEVLOG_KIND_BACKEND,
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (text, lean_devlog_kind_to_string (kinds[i])) == 0)
      {
        *kind = kinds[i];
        return TRUE;
      }
  return FALSE;
}

gboolean
lean_devlog_url_check (const char  *url,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a Devlog address: give an http:// or https:// URL such as "
                     "http://localhost:3200"), url != NULL ? url : "");
      return FALSE;
    }
  return TRUE;
}

char *
lean_devlog_settings_default_path (void)
{
  const char *env = g_getenv ("LEANSPEC_DEVLOG_CONFIG");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_config_dir (), "leanspec-desktop", "devlog.json", NULL);
}

static JsonObject *
read_small_object (const char  *path,
                   JsonNode   **root,
                   GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  if (len > MAX_FILE_BYTES)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s is too large to be a settings file"), path);
      return NULL;
    }
  *root = lean_json_parse (data, len, 8, error);
  if (*root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s does not hold a JSON object"), path);
      g_clear_pointer (root, json_node_unref);
      return NULL;
    }
  return json_node_get_object (*root);
}

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
int_member (JsonObject *obj,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static LeanDevlogSettings *
settings_load (const char  *path,
               gboolean     apply_env,
               GError     **error)
{
  g_autoptr(LeanDevlogSettings) self = lean_devlog_settings_new ();
  g_autofree char *default_path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *env = g_getenv ("LEANSPEC_DEVLOG_URL");
  JsonObject *obj;

  if (path == NULL)
    path = default_path = lean_devlog_settings_default_path ();

  obj = read_small_object (path, &root, &local_error);
  if (obj == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (obj != NULL)
    {
      const char *url = string_member (obj, "url");
      const char *kind = string_member (obj, "kind");

      if (url != NULL && *url != '\0')
        {
          if (!lean_devlog_url_check (url, error))
            return NULL;
          self->url = g_strdup (url);
        }
      if (kind != NULL && !lean_devlog_kind_from_string (kind, &self->kind))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: unknown Devlog kind “%s” (collector, backend or auto)"), path,
                       kind);
          return NULL;
        }
      self->project_id = int_member (obj, "projectId", 1);
      self->max_queued = int_member (obj, "maxQueued", LEAN_DEVLOG_DEFAULT_MAX_QUEUED);
      self->send_content = json_object_get_boolean_member_with_default (obj, "sendContent",
                                                                        FALSE);
      if (self->project_id < 1 || self->project_id > G_MAXINT32 || self->max_queued < 1)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: projectId and maxQueued must be positive"), path);
          return NULL;
        }
    }

  if (apply_env && env != NULL && *env != '\0')
    {
      if (!lean_devlog_url_check (env, error))
        return NULL;
      g_free (self->url);
      self->url = g_strdup (env);
      self->url_from_env = TRUE;
    }
  return g_steal_pointer (&self);
}

LeanDevlogSettings *
lean_devlog_settings_load (const char  *path,
                           GError     **error)
{
  return settings_load (path, TRUE, error);
}

gboolean
lean_devlog_settings_save (const LeanDevlogSettings  *self,
                           const char                *path,
                           GError                   **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  g_autoptr(LeanDevlogSettings) stored = NULL;
  const char *url = self->url;

  if (path == NULL)
    path = default_path = lean_devlog_settings_default_path ();
  /* The environment's URL is for this run only: keep what the file said. */
  if (self->url_from_env)
    {
      stored = settings_load (path, FALSE, NULL);
      url = stored != NULL ? stored->url : NULL;
    }

  json_builder_begin_object (builder);
  if (url != NULL)
    {
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
    }
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, lean_devlog_kind_to_string (self->kind));
  json_builder_set_member_name (builder, "projectId");
  json_builder_add_int_value (builder, self->project_id);
  json_builder_set_member_name (builder, "maxQueued");
  json_builder_add_int_value (builder, self->max_queued);
  json_builder_set_member_name (builder, "sendContent");
  json_builder_add_boolean_value (builder, self->send_content);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   error);
}

/* ---- the token ---- */

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "dev.leanspec.Desktop.DevlogToken", SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

static void
keyring_error (GError **error,
               GError  *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return;
    }
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
               _("The keyring (Secret Service) is not available, so the Devlog token cannot "
                 "be read or stored (%s). Set LEANSPEC_DEVLOG_TOKEN instead."),
               cause->message);
  g_error_free (cause);
}

char *
lean_devlog_token_lookup_sync (const char    *url,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const char *env = g_getenv ("LEANSPEC_DEVLOG_TOKEN");
  GError *local_error = NULL;
  char *secret;
  char *token;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (url == NULL)
    return NULL;

  secret = secret_password_lookup_sync (token_schema (), cancellable, &local_error,
                                        "url", url, NULL);
  if (local_error != NULL)
    {
      keyring_error (error, local_error);
      return NULL;
    }
  token = g_strdup (secret);
  secret_password_free (secret);
  return token;
}

gboolean
lean_devlog_token_store_sync (const char    *url,
                              const char    *token,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  if (token == NULL || *token == '\0')
    secret_password_clear_sync (token_schema (), cancellable, &local_error, "url", url, NULL);
  else
    {
      g_autofree char *label = g_strdup_printf (_("LeanSpec Devlog token for %s"), url);

      secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                  cancellable, &local_error, "url", url, NULL);
    }
  if (local_error != NULL)
    {
      keyring_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
lean_devlog_read_collector_json (char **url,
                                 char **api_key)
{
  g_autofree char *path = g_build_filename (g_get_home_dir (), ".devlog", "collector.json",
                                            NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj = read_small_object (path, &root, NULL);
  const char *u;
  const char *k;

  *url = NULL;
  *api_key = NULL;
  if (obj == NULL)
    return FALSE;
  u = string_member (obj, "backendUrl");
  k = string_member (obj, "apiKey");
  if (u != NULL && lean_devlog_url_check (u, NULL))
    *url = g_strdup (u);
  if (k != NULL && *k != '\0')
    *api_key = g_strdup (k);
  return *url != NULL || *api_key != NULL;
}
