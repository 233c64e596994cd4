/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-frontmatter.h"
#include "lean-json.h"
#include "lean-project-private.h"
#include "lean-spec-cache.h"
#include "lean-spec-scan.h"
#include "lean-timestamp.h"

/* config.json and templates are small; more is refused. */
#define MAX_CONFIG_SIZE (1024 * 1024)

/* LeanSpec's own default template (spec-template.md of `leanspec init`). */
static const char default_template[] =
  "---\n"
  "status: planned\n"
  "created: '{date}'\n"
  "tags: []\n"
  "priority: medium\n"
  "---\n"
  "\n"
  "# {name}\n"
  "\n"
  "> **Status**: {status} · **Priority**: {priority} · **Created**: {date}\n"
  "\n"
  "## Overview\n"
  "\n"
  "<!-- What are we solving? Why now? -->\n"
  "\n"
  "## Design\n"
  "\n"
  "<!-- Technical approach, architecture decisions -->\n"
  "\n"
  "## Plan\n"
  "\n"
  "<!-- Break down implementation into steps -->\n"
  "\n"
  "<!-- 💡 TIP: If your plan has >6 phases or this spec approaches \n"
  "     400 lines, consider using sub-spec files:\n"
  "     - IMPLEMENTATION.md for detailed implementation\n"
  "     - See spec 012-sub-spec-files for guidance on splitting -->\n"
  "\n"
  "- [ ] Task 1\n"
  "- [ ] Task 2\n"
  "- [ ] Task 3\n"
  "\n"
  "## Test\n"
  "\n"
  "<!-- How will we verify this works? -->\n"
  "\n"
  "- [ ] Test criteria 1\n"
  "- [ ] Test criteria 2\n"
  "\n"
  "## Notes\n"
  "\n"
  "<!-- Optional: Research findings, alternatives considered, open questions -->\n";

struct _LeanProject
{
  GObject parent_instance;

  char *root;
  char *root_real;      /* realpath of root: what project files must stay in */
  char *specs_dir;
  char *name;
  /* config.json flattened: "templates.default" -> "spec-template.md" */
  GHashTable *config;
  /* Specs made from the cache without reading their README (their stamp
   * was unchanged): what the CLI wants, not the app (see the header). */
  gboolean read_on_demand;
  /* Of the last load, for tests and benchmarks. */
  gint cache_hits;
  gint cache_misses;
  gint listed;          /* folders listed (not known from their record) */
  gint unread;          /* specs whose README was not read */
};

G_DEFINE_FINAL_TYPE (LeanProject, lean_project, G_TYPE_OBJECT)

static void
lean_project_finalize (GObject *object)
{
  LeanProject *self = (LeanProject *)object;

  g_free (self->root);
  g_free (self->root_real);
  g_free (self->specs_dir);
  g_free (self->name);
  g_clear_pointer (&self->config, g_hash_table_unref);

  G_OBJECT_CLASS (lean_project_parent_class)->finalize (object);
}

static void
lean_project_class_init (LeanProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_project_finalize;
}

static void
lean_project_init (LeanProject *self)
{
}

static void
flatten_json (GHashTable *table,
              const char *prefix,
              JsonNode   *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *obj = json_node_get_object (node);
        JsonObjectIter iter;
        const char *member;
        JsonNode *child;

        json_object_iter_init (&iter, obj);
        while (json_object_iter_next (&iter, &member, &child))
          {
            g_autofree char *key = prefix ? g_strconcat (prefix, ".", member, NULL)
                                          : g_strdup (member);
            flatten_json (table, key, child);
          }
      }
      break;

    case JSON_NODE_VALUE:
      if (prefix == NULL)
        break;
      switch (json_node_get_value_type (node) == G_TYPE_STRING ? 0 :
              json_node_get_value_type (node) == G_TYPE_BOOLEAN ? 1 : 2)
        {
        case 0:
          g_hash_table_insert (table, g_strdup (prefix), g_strdup (json_node_get_string (node)));
          break;
        case 1:
          g_hash_table_insert (table, g_strdup (prefix),
                               g_strdup (json_node_get_boolean (node) ? "true" : "false"));
          break;
        default:
          if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];
              g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node));
              g_hash_table_insert (table, g_strdup (prefix), g_strdup (buf));
            }
          else
            g_hash_table_insert (table, g_strdup (prefix),
                                 g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)));
        }
      break;

    case JSON_NODE_ARRAY:
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static GHashTable *
load_config (const char  *root,
             const char  *path,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  GHashTable *table;
  gsize len;
  const char *data;

  bytes = lean_file_read_in_project (root, path, MAX_CONFIG_SIZE, NULL, &local_error);
  data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  if (bytes != NULL)
    root_node = lean_json_parse (data, len, 0, &local_error);
  if (root_node == NULL && (bytes == NULL || len > 0))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s is not valid JSON: %s; fix or remove it"), path, local_error->message);
      return NULL;
    }

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (root_node != NULL && JSON_NODE_HOLDS_OBJECT (root_node))
    flatten_json (table, NULL, root_node);
  return table;
}

static char *
real_or_copy (const char *path)
{
  char *real = realpath (path, NULL);

  return real != NULL ? real : g_strdup (path);
}

LeanProject *
lean_project_open (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_canonicalize_filename (path, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      char *parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }

  for (;;)
    {
      g_autofree char *config = g_build_filename (dir, ".lean-spec", "config.json", NULL);
      g_autofree char *specs = g_build_filename (dir, "specs", NULL);
      g_autofree char *parent = NULL;

      if (g_file_test (config, G_FILE_TEST_IS_REGULAR))
        {
          g_autoptr(LeanProject) self = g_object_new (LEAN_TYPE_PROJECT, NULL);
          const char *specs_dir;

          self->config = load_config (dir, config, error);
          if (self->config == NULL)
            return NULL;
          self->root = g_strdup (dir);
          self->root_real = real_or_copy (dir);
          self->name = g_path_get_basename (dir);
          specs_dir = g_hash_table_lookup (self->config, "specsDir");
          if (specs_dir == NULL || *specs_dir == '\0')
            specs_dir = "specs";
          self->specs_dir = g_canonicalize_filename (specs_dir, dir);
          /* The walk checks the real path again (a specs folder that is a
           * link out); this catches "/etc" and "../.." at once. */
          if (g_path_is_absolute (specs_dir) ||
              !_lean_spec_scan_path_within (self->specs_dir, dir))
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("\"specsDir\" in %s is “%s”, which is not a folder inside the "
                             "project; set it to a relative path such as \"specs\""),
                           config, specs_dir);
              return NULL;
            }
          return g_steal_pointer (&self);
        }

      if (g_file_test (specs, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(LeanProject) self = g_object_new (LEAN_TYPE_PROJECT, NULL);

          self->root = g_strdup (dir);
          self->root_real = real_or_copy (dir);
          self->name = g_path_get_basename (dir);
          self->specs_dir = g_steal_pointer (&specs);
          return g_steal_pointer (&self);
        }

      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
               _("no LeanSpec project found at %s or above it "
               "(looked for .lean-spec/config.json or a specs/ folder); run `leanspec init` there"),
               path);
  return NULL;
}

const char *
lean_project_get_root (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->root;
}

const char *
lean_project_get_specs_dir (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->specs_dir;
}

const char *
lean_project_get_name (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
lean_project_get_config_string (LeanProject *self,
                                const char  *key)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->config == NULL)
    return NULL;
  return g_hash_table_lookup (self->config, key);
}

/* ---- loading --------------------------------------------------------- */

/* The walk itself is lean-spec-scan.c; this sorts what it read, keeps the
 * cache and the figures of the load. */

static void
scan_init (LeanProject  *self,
           LeanSpecScan *scan)
{
  *scan = (LeanSpecScan) {
    .root = self->root,
    .root_real = self->root_real,
    .specs_dir = self->specs_dir,
    .read_on_demand = self->read_on_demand,
  };
}

typedef struct
{
  guint number;
  const char *id;
  LeanSpec *spec;
} SortKey;

static int
compare_sort_keys (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const SortKey *ka = a;
  const SortKey *kb = b;

  if (ka->number != kb->number)
    return ka->number < kb->number ? -1 : 1;
  return strcmp (ka->id, kb->id);
}

/* By number, then id. The walk reads folders in name order, which
 * for NNN-name folders is number order, so one pass usually shows there
 * is nothing to do; archived folders come after the rest. The keys are
 * read once (a sort through the getters read them 120,000 times for
 * 5,000 specs). */
static void
sort_specs (GPtrArray *specs)
{
  g_autofree SortKey *keys = NULL;
  gboolean sorted = TRUE;

  if (specs->len < 2)
    return;
  keys = g_new (SortKey, specs->len);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);

      keys[i] = (SortKey) { lean_spec_get_number (spec), lean_spec_get_id (spec), spec };
      if (i > 0 && sorted)
        sorted = compare_sort_keys (&keys[i - 1], &keys[i], NULL) <= 0;
    }
  if (sorted)
    return;
  g_qsort_with_data (keys, specs->len, sizeof (SortKey), compare_sort_keys, NULL);
  for (guint i = 0; i < specs->len; i++)
    specs->pdata[i] = keys[i].spec;
}

GPtrArray *
lean_project_load_specs (LeanProject   *self,
                         GPtrArray    **problems,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  return _lean_project_load_specs_full (self, problems, NULL, cancellable, error);
}

GPtrArray *
_lean_project_load_specs_full (LeanProject   *self,
                               GPtrArray    **problems,
                               GPtrArray    **dirs,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return _lean_project_load_specs_progressive (self, NULL, NULL, problems, dirs,
                                               cancellable, error);
}

GPtrArray *
_lean_project_load_specs_progressive (LeanProject        *self,
                                      LeanSpecsReadFunc   func,
                                      gpointer            user_data,
                                      GPtrArray         **problems,
                                      GPtrArray         **dirs,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  LeanSpecScan scan;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) probs = NULL;
  g_autoptr(GPtrArray) seen_dirs = NULL;
  LeanSpecCache *cache;
  gboolean ok;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  results = g_ptr_array_new_with_free_func (g_object_unref);
  if (dirs != NULL)
    seen_dirs = g_ptr_array_new_with_free_func (g_free);

  cache = _lean_spec_cache_open (self->specs_dir);
  scan_init (self, &scan);
  scan.cache = cache;
  scan.func = func;
  scan.user_data = user_data;
  ok = _lean_spec_scan_run (&scan, TRUE, results, NULL, seen_dirs, cancellable, error);
  g_atomic_int_set (&self->listed, scan.listed);
  g_atomic_int_set (&self->unread, scan.unread);
  if (!ok)
    {
      _lean_spec_cache_free (cache);
      return NULL;
    }

  specs = g_ptr_array_new_full (results->len, g_object_unref);
  probs = g_ptr_array_new_with_free_func (g_object_unref);
  /* Every reference moves to specs or probs. */
  g_ptr_array_set_free_func (results, NULL);
  for (guint i = 0; i < results->len; i++)
    {
      GObject *obj = g_ptr_array_index (results, i);

      if (LEAN_IS_SPEC (obj))
        g_ptr_array_add (specs, obj);
      else
        g_ptr_array_add (probs, obj);
    }

  sort_specs (specs);

  g_atomic_int_set (&self->cache_hits, 0);
  g_atomic_int_set (&self->cache_misses, 0);
  if (cache != NULL)
    {
      guint hits = 0, misses = 0;

      _lean_spec_cache_get_stats (cache, &hits, &misses);
      g_atomic_int_set (&self->cache_hits, hits);
      g_atomic_int_set (&self->cache_misses, misses);
      _lean_spec_cache_save (cache, specs);
      _lean_spec_cache_free (cache);
    }

  if (problems != NULL)
    *problems = g_steal_pointer (&probs);
  if (dirs != NULL)
    *dirs = g_steal_pointer (&seen_dirs);
  return g_steal_pointer (&specs);
}

/* ---- lookups ---------------------------------------------------------- */

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static void
set_ambiguous (GError     **error,
               const char  *ref,
               GPtrArray   *matches)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < matches->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (matches, i);
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, lean_spec_get_rel_path (spec));
    }
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_AMBIGUOUS,
               _("\"%s\" matches %u specs: %s; use the full folder name"),
               ref, matches->len, names->str);
  g_string_free (names, TRUE);
}

LeanSpec *
lean_project_find_spec (LeanProject  *self,
                        GPtrArray    *specs,
                        const char   *ref,
                        GError      **error)
{
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  gsize len;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (specs != NULL, NULL);
  g_return_val_if_fail (ref != NULL, NULL);

  key = g_strstrip (g_strdup (ref));
  /* Accept a path typed by a person: specs/042-foo/, 042-foo/README.md */
  len = strlen (key);
  while (len > 0 && key[len - 1] == G_DIR_SEPARATOR)
    key[--len] = '\0';
  if (g_str_has_suffix (key, G_DIR_SEPARATOR_S "README.md"))
    key[len - strlen ("/README.md")] = '\0';
  if (strchr (key, G_DIR_SEPARATOR) != NULL)
    {
      char *base = g_path_get_basename (key);
      g_free (key);
      key = base;
    }

  if (*key == '\0')
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND, _("no spec given"));
      return NULL;
    }

  matches = g_ptr_array_new ();

  if (all_digits (key))
    {
      guint64 n = g_ascii_strtoull (key, NULL, 10);

      for (guint i = 0; i < specs->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (specs, i);
          if (lean_spec_get_number (spec) == n)
            g_ptr_array_add (matches, spec);
        }
    }
  else
    {
      for (guint i = 0; i < specs->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (specs, i);
          if (g_str_equal (lean_spec_get_id (spec), key))
            g_ptr_array_add (matches, spec);
        }
      if (matches->len == 0)
        for (guint i = 0; i < specs->len; i++)
          {
            LeanSpec *spec = g_ptr_array_index (specs, i);
            if (g_str_equal (lean_spec_get_slug (spec), key))
              g_ptr_array_add (matches, spec);
          }
    }

  if (matches->len == 1)
    return g_ptr_array_index (matches, 0);
  if (matches->len > 1)
    {
      set_ambiguous (error, ref, matches);
      return NULL;
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
               _("no spec matches \"%s\"; give a number (42), a folder name (042-foo) or a slug"),
               ref);
  return NULL;
}

static gboolean
parent_matches (const char *parent,
                LeanSpec   *spec)
{
  g_autofree char *base = NULL;

  if (parent == NULL)
    return FALSE;
  base = g_path_get_basename (parent);
  if (g_str_equal (base, lean_spec_get_id (spec)) || g_str_equal (base, lean_spec_get_slug (spec)))
    return TRUE;
  if (all_digits (base))
    return g_ascii_strtoull (base, NULL, 10) == lean_spec_get_number (spec);
  return FALSE;
}

GPtrArray *
lean_project_get_children (LeanProject *self,
                           GPtrArray   *specs,
                           LeanSpec    *spec)
{
  GPtrArray *children;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (specs != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  children = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *other = g_ptr_array_index (specs, i);

      if (other != spec && parent_matches (lean_spec_get_parent (other), spec))
        g_ptr_array_add (children, g_object_ref (other));
    }
  return children;
}

guint
lean_project_next_number (LeanProject *self)
{
  g_autoptr(GPtrArray) spec_dirs = NULL;
  LeanSpecScan scan;
  guint64 max = 0;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), 1);

  spec_dirs = g_ptr_array_new_with_free_func (g_free);
  scan_init (self, &scan);
  if (!_lean_spec_scan_run (&scan, FALSE, NULL, spec_dirs, NULL, NULL, NULL))
    return 1;

  for (guint i = 0; i < spec_dirs->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (spec_dirs, i));
      guint64 n = g_ascii_strtoull (base, NULL, 10);

      if (n > max && n < G_MAXUINT)
        max = n;
    }
  return max + 1;
}

/* ---- creating --------------------------------------------------------- */

static gboolean
valid_name (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, ".") || g_str_equal (name, "..") ||
      name[0] == '.' || name[0] == '-')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\' || g_ascii_isspace (*p) || (guchar)*p < 0x20 ||
        strchr (":*?\"<>|", *p) != NULL)
      return FALSE;
  return g_utf8_validate (name, -1, NULL);
}

static char *
title_from_name (const char *name)
{
  g_auto(GStrv) words = g_strsplit_set (name, "-_", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_c (s, g_ascii_toupper (words[i][0]));
      g_string_append (s, words[i] + 1);
    }
  return g_string_free (s, FALSE);
}

static char *
load_template (LeanProject  *self,
               GError      **error)
{
  const char *name = lean_project_get_config_string (self, "template");
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text = NULL;

  if (name == NULL)
    name = lean_project_get_config_string (self, "templates.default");

  if (name != NULL)
    {
      path = g_build_filename (self->root, ".lean-spec", "templates", name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          char *readme = g_build_filename (path, "README.md", NULL);
          g_free (path);
          path = readme;
        }
    }
  else
    {
      path = g_build_filename (self->root, ".lean-spec", "templates", "spec-template.md", NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_strdup (default_template);
    }

  /* The name comes from the project's config.json: "../../../etc/passwd"
   * or a link out must not become the body of a new spec. */
  bytes = lean_file_read_in_project (self->root, path, MAX_CONFIG_SIZE, NULL, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("cannot read the spec template %s: %s; fix \"template\" in "
                   ".lean-spec/config.json"), path, local_error->message);
      return NULL;
    }
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return text;
}

static char *
replace_all (const char *text,
             const char *needle,
             const char *replacement)
{
  g_auto(GStrv) parts = g_strsplit (text, needle, -1);
  return g_strjoinv (replacement, parts);
}

LeanSpec *
lean_project_create_spec (LeanProject         *self,
                          const char          *name,
                          const char          *title,
                          LeanSpecPriority     priority,
                          const char * const  *tags,
                          GError             **error)
{
  g_autofree char *template = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *the_title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *now = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) tbytes = NULL;
  g_autoptr(LeanFrontmatter) tfm = NULL;
  GString *out;
  const char *digits_str;
  const char *prio_str;
  guint digits = 3;
  guint number;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  if (!valid_name (name))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("\"%s\" cannot be a spec name; use letters, digits and dashes (my-feature)"),
                   name ? name : "");
      return NULL;
    }

  template = load_template (self, error);
  if (template == NULL)
    return NULL;

  digits_str = lean_project_get_config_string (self, "structure.sequenceDigits");
  if (digits_str != NULL && all_digits (digits_str))
    digits = CLAMP (atoi (digits_str), 1, 9);

  if (g_mkdir_with_parents (self->specs_dir, 0755) != 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, _("cannot create %s: %s"),
                   self->specs_dir, g_strerror (errsv));
      return NULL;
    }

  /* mkdir is the claim on the number: if someone else just took the same
   * folder name, take the next number. */
  number = lean_project_next_number (self);
  for (guint attempt = 0;; attempt++, number++)
    {
      int errsv;

      g_free (folder);
      g_free (dir);
      folder = g_strdup_printf ("%0*u-%s", (int)digits, number, name);
      dir = g_build_filename (self->specs_dir, folder, NULL);
      if (g_mkdir (dir, 0755) == 0)
        break;

      errsv = errno;
      if (errsv != EEXIST || attempt >= 10)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, _("cannot create %s: %s"),
                       dir, g_strerror (errsv));
          return NULL;
        }
    }

  the_title = (title && *title) ? g_strdup (title) : title_from_name (name);
  if (priority == LEAN_SPEC_PRIORITY_NONE)
    priority = LEAN_SPEC_PRIORITY_MEDIUM;
  prio_str = lean_spec_priority_to_string (priority);
  today = g_date_time_new_now_local ();
  date = g_date_time_format (today, "%Y-%m-%d");
  now = lean_timestamp_now ();

  /* The template's own front matter is replaced by the one LeanSpec writes
   * (same keys, same order); its body is kept with the placeholders filled. */
  tbytes = g_bytes_new_static (template, strlen (template));
  tfm = lean_frontmatter_parse (tbytes, NULL);
  body = g_strdup (tfm ? template + lean_frontmatter_get_body_offset (tfm) : template);
  {
    char *tmp;
    tmp = replace_all (body, "{name}", the_title); g_free (body); body = tmp;
    tmp = replace_all (body, "{title}", the_title); g_free (body); body = tmp;
    tmp = replace_all (body, "{date}", date); g_free (body); body = tmp;
    tmp = replace_all (body, "{status}", "planned"); g_free (body); body = tmp;
    tmp = replace_all (body, "{priority}", prio_str); g_free (body); body = tmp;
  }

  out = g_string_new ("---\n");
  g_string_append (out, "status: planned\n");
  g_string_append_printf (out, "created: %s\n", date);
  g_string_append_printf (out, "priority: %s\n", prio_str);
  if (tags != NULL && tags[0] != NULL)
    {
      g_string_append (out, "tags:\n");
      for (guint i = 0; tags[i] != NULL; i++)
        {
          g_autofree char *q = lean_frontmatter_quote_scalar (tags[i]);
          g_string_append_printf (out, "- %s\n", q);
        }
    }
  g_string_append_printf (out, "created_at: %s\n", now);
  g_string_append_printf (out, "updated_at: %s\n", now);
  g_string_append (out, "---\n");
  g_string_append (out, body);

  bytes = g_string_free_to_bytes (out);
  readme = g_build_filename (dir, "README.md", NULL);
  if (!lean_file_write_in_project (self->root, readme, bytes, NULL, error))
    {
      g_rmdir (dir);
      return NULL;
    }

  return lean_spec_new_from_dir (self->root, dir, error);
}

void
_lean_project_get_cache_stats (LeanProject *self,
                               guint       *hits,
                               guint       *misses)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  if (hits)
    *hits = g_atomic_int_get (&self->cache_hits);
  if (misses)
    *misses = g_atomic_int_get (&self->cache_misses);
}

void
_lean_project_get_scan_stats (LeanProject *self,
                              guint       *listed,
                              guint       *unread)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  if (listed)
    *listed = g_atomic_int_get (&self->listed);
  if (unread)
    *unread = g_atomic_int_get (&self->unread);
}

void
_lean_project_set_read_on_demand (LeanProject *self,
                                  gboolean     read_on_demand)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  self->read_on_demand = read_on_demand;
}
