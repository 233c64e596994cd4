/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-hash.h"
#include "lean-json.h"
#include "lean-timestamp.h"
#include "lean-trust-store.h"

/* The decisions of one person: a few entries. A bigger file is not ours. */
#define MAX_STORE_SIZE (4 * 1024 * 1024)

struct _LeanTrustStore
{
  GObject     parent_instance;

  char       *path;
  GMutex      lock;       /* the file and @declined, between threads */
  GHashTable *declined;   /* "real_path\nsha256" */
};

G_DEFINE_FINAL_TYPE (LeanTrustStore, lean_trust_store, G_TYPE_OBJECT)

void
lean_trust_command_free (LeanTrustCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->label);
  g_strfreev (command->argv);
  g_strfreev (command->env);
  g_free (command);
}

G_DEFINE_BOXED_TYPE (LeanTrustRequest, lean_trust_request,
                     lean_trust_request_ref, lean_trust_request_unref)

static void
trust_request_clear (LeanTrustRequest *request)
{
  g_free (request->path);
  g_free (request->sha256);
  g_ptr_array_unref (request->commands);
  g_ptr_array_unref (request->notes);
  g_ptr_array_unref (request->ignored);
}

LeanTrustRequest *
lean_trust_request_new (const char     *path,
                        const char     *sha256,
                        LeanTrustState  state)
{
  LeanTrustRequest *request = g_atomic_rc_box_new0 (LeanTrustRequest);

  request->path = g_strdup (path);
  request->sha256 = g_strdup (sha256);
  request->state = state;
  request->commands = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_trust_command_free);
  request->notes = g_ptr_array_new_with_free_func (g_free);
  request->ignored = g_ptr_array_new_with_free_func (g_free);
  return request;
}

LeanTrustRequest *
lean_trust_request_ref (LeanTrustRequest *request)
{
  return g_atomic_rc_box_acquire (request);
}

void
lean_trust_request_unref (LeanTrustRequest *request)
{
  g_atomic_rc_box_release_full (request, (GDestroyNotify)trust_request_clear);
}

static void
lean_trust_store_finalize (GObject *object)
{
  LeanTrustStore *self = (LeanTrustStore *)object;

  g_free (self->path);
  g_hash_table_unref (self->declined);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lean_trust_store_parent_class)->finalize (object);
}

static void
lean_trust_store_class_init (LeanTrustStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lean_trust_store_finalize;
}

static void
lean_trust_store_init (LeanTrustStore *self)
{
  g_mutex_init (&self->lock);
  self->declined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

char *
lean_trust_store_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "leanspec-desktop", "trust.json", NULL);
}

LeanTrustStore *
lean_trust_store_new (const char *path)
{
  LeanTrustStore *self = g_object_new (LEAN_TYPE_TRUST_STORE, NULL);

  self->path = path != NULL ? g_strdup (path) : lean_trust_store_get_default_path ();
  return self;
}

LeanTrustStore *
lean_trust_store_get_default (void)
{
  static LeanTrustStore *store;

  if (g_once_init_enter (&store))
    g_once_init_leave (&store, lean_trust_store_new (NULL));
  return store;
}

GBytes *
lean_trust_read_file (const char  *path,
                      gsize        max_size,
                      char       **real_path,
                      char       **sha256,
                      GError     **error)
{
  g_autofree char *real = NULL;
  g_autoptr(GByteArray) data = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  real = realpath (path, NULL);
  if (real == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("%s: %s"), path, g_strerror (errsv));
      return NULL;
    }

  /* Read what the real path names, once: these bytes are hashed and parsed,
   * so what is trusted is what runs. */
  fd = g_open (real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("%s: %s"), path, g_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: not a regular file"), path);
      return NULL;
    }

  data = g_byte_array_new ();
  for (;;)
    {
      guint8 buf[16384];
      ssize_t n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("%s: %s"), path, g_strerror (errsv));
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize)n > max_size)
        {
          close (fd);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: larger than %" G_GSIZE_FORMAT " KiB; it was not read"),
                       path, max_size / 1024);
          return NULL;
        }
      g_byte_array_append (data, buf, n);
    }
  close (fd);

  if (sha256 != NULL)
    *sha256 = lean_hash_sha256 (data->data, data->len);
  if (real_path != NULL)
    *real_path = g_steal_pointer (&real);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* The store's root object, or a new empty one when the file is missing or
 * unreadable (a broken store trusts nothing). Called with the lock held. */
static JsonObject *
load_root (LeanTrustStore *self)
{
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize len = 0;

  if (g_file_get_contents (self->path, &data, &len, NULL) && len <= MAX_STORE_SIZE)
    node = lean_json_parse (data, len, 8, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_object_ref (json_node_get_object (node));
  return json_object_new ();
}

static JsonArray *
files_of (JsonObject *root)
{
  JsonNode *node = json_object_get_member (root, "files");

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      json_object_set_array_member (root, "files", json_array_new ());
      node = json_object_get_member (root, "files");
    }
  return json_node_get_array (node);
}

static const char *
entry_string (JsonNode   *entry,
              const char *member)
{
  JsonNode *node;

  if (!JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;
  node = json_object_get_member (json_node_get_object (entry), member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

LeanTrustState
lean_trust_store_lookup (LeanTrustStore *self,
                         const char     *real_path,
                         const char     *sha256)
{
  g_autoptr(JsonObject) root = NULL;
  JsonArray *files;
  LeanTrustState state = LEAN_TRUST_UNKNOWN;

  g_return_val_if_fail (LEAN_IS_TRUST_STORE (self), LEAN_TRUST_UNKNOWN);
  g_return_val_if_fail (real_path != NULL && sha256 != NULL, LEAN_TRUST_UNKNOWN);

  g_mutex_lock (&self->lock);
  root = load_root (self);
  files = files_of (root);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *entry = json_array_get_element (files, i);

      if (g_strcmp0 (entry_string (entry, "path"), real_path) != 0)
        continue;
      state = g_strcmp0 (entry_string (entry, "sha256"), sha256) == 0 ? LEAN_TRUST_TRUSTED
                                                                       : LEAN_TRUST_CHANGED;
      break;
    }
  g_mutex_unlock (&self->lock);
  return state;
}

/* Writes @root to the store, readable by the person only. Called with the
 * lock held. */
static gboolean
save_root (LeanTrustStore  *self,
           JsonObject      *root,
           GError         **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GBytes) bytes = NULL;
  char *text;
  gsize len;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot create %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }

  /* The atomic write keeps the mode of the file it replaces: make sure
   * that is 0600 before the first write and after anyone loosened it. */
  fd = g_open (self->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0)
    {
      if (fchmod (fd, 0600) != 0)
        {
          int errsv = errno;
          close (fd);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                       _("cannot make %s private: %s"), self->path, g_strerror (errsv));
          return FALSE;
        }
      close (fd);
    }

  json_node_set_object (node, root);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);
  bytes = g_bytes_new_take (text, len);
  return lean_file_write_atomic (self->path, bytes, NULL, error);
}

static void
remove_path (JsonArray  *files,
             const char *real_path)
{
  for (guint i = json_array_get_length (files); i > 0; i--)
    if (g_strcmp0 (entry_string (json_array_get_element (files, i - 1), "path"),
                   real_path) == 0)
      json_array_remove_element (files, i - 1);
}

gboolean
lean_trust_store_trust (LeanTrustStore  *self,
                        const char      *real_path,
                        const char      *sha256,
                        GError         **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *now = lean_timestamp_now ();
  g_autofree char *key = NULL;
  JsonObject *entry;
  JsonArray *files;
  gboolean ok;

  g_return_val_if_fail (LEAN_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (real_path != NULL && sha256 != NULL, FALSE);

  g_mutex_lock (&self->lock);
  root = load_root (self);
  json_object_set_int_member (root, "version", 1);
  files = files_of (root);
  remove_path (files, real_path);
  entry = json_object_new ();
  json_object_set_string_member (entry, "path", real_path);
  json_object_set_string_member (entry, "sha256", sha256);
  json_object_set_string_member (entry, "trusted_at", now);
  json_array_add_object_element (files, entry);
  ok = save_root (self, root, error);
  key = g_strconcat (real_path, "\n", sha256, NULL);
  g_hash_table_remove (self->declined, key);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
lean_trust_store_revoke (LeanTrustStore  *self,
                         const char      *real_path,
                         GError         **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonArray *files;
  guint before;
  gboolean ok = TRUE;

  g_return_val_if_fail (LEAN_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (real_path != NULL, FALSE);

  g_mutex_lock (&self->lock);
  root = load_root (self);
  files = files_of (root);
  before = json_array_get_length (files);
  remove_path (files, real_path);
  if (json_array_get_length (files) != before)
    ok = save_root (self, root, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

void
lean_trust_store_decline (LeanTrustStore *self,
                          const char     *real_path,
                          const char     *sha256)
{
  g_return_if_fail (LEAN_IS_TRUST_STORE (self));

  g_mutex_lock (&self->lock);
  g_hash_table_add (self->declined, g_strconcat (real_path, "\n", sha256, NULL));
  g_mutex_unlock (&self->lock);
}

gboolean
lean_trust_store_is_declined (LeanTrustStore *self,
                              const char     *real_path,
                              const char     *sha256)
{
  g_autofree char *key = NULL;
  gboolean declined;

  g_return_val_if_fail (LEAN_IS_TRUST_STORE (self), FALSE);

  key = g_strconcat (real_path, "\n", sha256, NULL);
  g_mutex_lock (&self->lock);
  declined = g_hash_table_contains (self->declined, key);
  g_mutex_unlock (&self->lock);
  return declined;
}

/* Characters that show nothing or reorder what is around them: zero-width
 * ones, the bidirectional controls and the byte-order mark. */
static gboolean
is_invisible (gunichar c)
{
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF || c == 0x00AD || c == 0x061C ||
         (c >= 0x80 && c <= 0x9F);
}

char *
lean_trust_escape (const char *text,
                   gboolean    quote)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return g_strdup ("");

  out = g_string_new (NULL);
  p = text;
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar)*p);
          p++;
          continue;
        }

      switch (c)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '"':
          g_string_append (out, quote ? "\\\"" : "\"");
          break;
        default:
          if (c < 0x20 || c == 0x7F)
            g_string_append_printf (out, "\\x%02x", c);
          else if (is_invisible (c))
            g_string_append_printf (out, "\\u{%04X}", c);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
