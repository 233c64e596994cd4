/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lean-check-config.h"
#include "lean-error.h"
#include "lean-file.h"
#include "lean-hash.h"
#include "lean-json.h"

/* checks.json is a flat list; anything deeper is not a checks file. */
#define CONFIG_MAX_DEPTH 16
#define CONFIG_MAX_CHECKS 100
#define CHECK_MAX_ARGS 256
#define CHECK_MAX_ITERATIONS 100
/* Project files read for detection are small; a bigger one is not read. */
#define DETECT_MAX_FILE (1024 * 1024)

struct _LeanCheckConfig
{
  GObject          parent_instance;

  LeanCheckSource  source;
  char            *path;
  char            *sha256;
  GPtrArray       *checks;   /* LeanCheck */
  gboolean         critic;
  guint            max_iterations;
};

G_DEFINE_FINAL_TYPE (LeanCheckConfig, lean_check_config, G_TYPE_OBJECT)

static void
lean_check_config_finalize (GObject *object)
{
  LeanCheckConfig *self = LEAN_CHECK_CONFIG (object);

  g_free (self->path);
  g_free (self->sha256);
  g_ptr_array_unref (self->checks);

  G_OBJECT_CLASS (lean_check_config_parent_class)->finalize (object);
}

static void
lean_check_config_class_init (LeanCheckConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lean_check_config_finalize;
}

static void
lean_check_config_init (LeanCheckConfig *self)
{
  self->checks = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_check_unref);
  self->max_iterations = LEAN_CHECK_CONFIG_DEFAULT_MAX_ITERATIONS;
}

LeanCheckConfig *
lean_check_config_new (LeanCheckSource source)
{
  LeanCheckConfig *self = g_object_new (LEAN_TYPE_CHECK_CONFIG, NULL);

  self->source = source;
  return self;
}

void
lean_check_config_add_check (LeanCheckConfig *self,
                             LeanCheck       *check)
{
  g_return_if_fail (LEAN_IS_CHECK_CONFIG (self));
  g_return_if_fail (check != NULL);

  g_ptr_array_add (self->checks, lean_check_ref (check));
}

/* ---- parsing ---------------------------------------------------------- */

static gboolean
valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* A name for people: valid UTF-8, no control characters, bounded. */
static char *
clean_text (const char *text,
            gsize       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  gsize n = 0;

  for (const char *p = valid; *p && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        c = ' ';
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* "." or a relative path with no "..", no empty or "." parts kept. */
static char *
normalise_cwd (const char *cwd)
{
  g_auto(GStrv) parts = NULL;
  GString *out;

  if (cwd == NULL || *cwd == '\0')
    return g_strdup (".");
  if (g_path_is_absolute (cwd) || strchr (cwd, '\\') != NULL)
    return NULL;

  parts = g_strsplit (cwd, "/", -1);
  out = g_string_new (NULL);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (out->len > 0)
        g_string_append_c (out, '/');
      g_string_append (out, parts[i]);
    }
  if (out->len == 0)
    g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

/* json-glib says "<data>:LINE:COL: Parse error: WHAT"; the depth check
 * says "... (at byte N) ...". Both become "PATH:LINE:COL: WHAT". */
static void
set_syntax_error (GError     **error,
                  const char  *display_path,
                  const char  *data,
                  gsize        len,
                  GError      *parse_error)
{
  const char *msg = parse_error->message;
  const char *at_byte;
  guint line = 0, col = 0;

  if (g_str_has_prefix (msg, "<data>:") &&
      sscanf (msg, "<data>:%u:%u:", &line, &col) == 2)
    {
      const char *what = strstr (msg, ": ");

      what = what != NULL ? strstr (what + 2, ": ") : NULL;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, "%s:%u:%u: %s",
                   display_path, line, col, what != NULL ? what + 2 : msg);
      return;
    }

  at_byte = strstr (msg, "at byte ");
  if (at_byte != NULL)
    {
      guint64 offset = g_ascii_strtoull (at_byte + strlen ("at byte "), NULL, 10);

      line = 1;
      col = 1;
      for (gsize i = 0; i < len && i < offset; i++)
        {
          if (data[i] == '\n')
            {
              line++;
              col = 1;
            }
          else if (((guchar)data[i] & 0xc0) != 0x80)
            col++;
        }
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, "%s:%u:%u: %s",
                   display_path, line, col, msg);
      return;
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, "%s: %s", display_path, msg);
}

static LeanCheck *
parse_check (JsonNode    *node,
             guint        index,
             const char  *display_path,
             GError     **error)
{
  JsonObject *obj;
  JsonNode *member;
  JsonArray *run;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *name = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *where = NULL;
  const char *id;
  LeanCheckKind kind = LEAN_CHECK_KIND_CUSTOM;
  gint64 timeout = LEAN_CHECK_DEFAULT_TIMEOUT;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: check %u is not an object"), display_path, index + 1);
      return NULL;
    }
  obj = json_node_get_object (node);

  member = json_object_get_member (obj, "id");
  id = member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
       json_node_get_value_type (member) == G_TYPE_STRING ? json_node_get_string (member) : NULL;
  if (!valid_id (id))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: check %u needs an \"id\" of letters, digits, '.', '_' or '-'"),
                   display_path, index + 1);
      return NULL;
    }
  where = g_strdup_printf ("%s: check \"%s\"", display_path, id);

  member = json_object_get_member (obj, "name");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"name\" must be a string"), where);
          return NULL;
        }
      name = clean_text (json_node_get_string (member), 200);
    }

  member = json_object_get_member (obj, "kind");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      const char *str = JSON_NODE_HOLDS_VALUE (member) &&
                        json_node_get_value_type (member) == G_TYPE_STRING
                        ? json_node_get_string (member) : NULL;

      if (!lean_check_kind_from_string (str, &kind))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"kind\" must be one of test, lint, typecheck, build, custom"),
                       where);
          return NULL;
        }
    }

  member = json_object_get_member (obj, "run");
  run = member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
  if (run == NULL || json_array_get_length (run) == 0 ||
      json_array_get_length (run) > CHECK_MAX_ARGS)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: \"run\" must be a list of 1 to %u strings, the command and its "
                     "arguments (never one shell string)"), where, CHECK_MAX_ARGS);
      return NULL;
    }
  argv = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (run); i++)
    {
      JsonNode *arg = json_array_get_element (run, i);

      if (!JSON_NODE_HOLDS_VALUE (arg) || json_node_get_value_type (arg) != G_TYPE_STRING ||
          (i == 0 && *json_node_get_string (arg) == '\0'))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"run\" item %u is not a string (or the command is empty)"),
                       where, i + 1);
          return NULL;
        }
      g_ptr_array_add (argv, (gpointer)json_node_get_string (arg));
    }
  g_ptr_array_add (argv, NULL);

  member = json_object_get_member (obj, "timeout");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      GType type = JSON_NODE_HOLDS_VALUE (member) ? json_node_get_value_type (member) : G_TYPE_INVALID;

      timeout = type == G_TYPE_INT64 ? json_node_get_int (member) : -1;
      if (timeout < 1 || timeout > LEAN_CHECK_MAX_TIMEOUT)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"timeout\" must be a whole number of seconds from 1 to %u"),
                       where, LEAN_CHECK_MAX_TIMEOUT);
          return NULL;
        }
    }

  member = json_object_get_member (obj, "cwd");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        cwd = normalise_cwd (json_node_get_string (member));
      if (cwd == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"cwd\" must be a folder inside the project, relative and "
                         "without \"..\""), where);
          return NULL;
        }
    }

  return lean_check_new (id, name, kind, (const char * const *)argv->pdata, (guint)timeout, cwd);
}

LeanCheckConfig *
lean_check_config_parse (const char  *data,
                         gssize       len,
                         const char  *display_path,
                         GError     **error)
{
  g_autoptr(LeanCheckConfig) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *member;
  JsonArray *checks;
  gsize n;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (display_path == NULL)
    display_path = LEAN_CHECK_CONFIG_FILE;
  n = len < 0 ? strlen (data) : (gsize)len;

  if (!g_utf8_validate (data, n, NULL))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: not UTF-8 text"), display_path);
      return NULL;
    }

  root = lean_json_parse (data, n, CONFIG_MAX_DEPTH, &local_error);
  if (root == NULL)
    {
      set_syntax_error (error, display_path, data, n, local_error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: expected an object with a \"checks\" list"), display_path);
      return NULL;
    }
  obj = json_node_get_object (root);

  self = lean_check_config_new (LEAN_CHECK_SOURCE_FILE);
  self->sha256 = lean_hash_sha256 (data, n);

  member = json_object_get_member (obj, "checks");
  checks = member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
  if (checks == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: expected an object with a \"checks\" list"), display_path);
      return NULL;
    }
  if (json_array_get_length (checks) > CONFIG_MAX_CHECKS)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: more than %u checks"), display_path, CONFIG_MAX_CHECKS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      g_autoptr(LeanCheck) check = parse_check (json_array_get_element (checks, i), i,
                                                display_path, error);

      if (check == NULL)
        return NULL;
      if (lean_check_config_find_check (self, check->id) != NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: two checks have the id \"%s\""), display_path, check->id);
          return NULL;
        }
      lean_check_config_add_check (self, check);
    }

  member = json_object_get_member (obj, "critic");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"critic\" must be true or false"), display_path);
          return NULL;
        }
      self->critic = json_node_get_boolean (member);
    }

  member = json_object_get_member (obj, "maxIterations");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      gint64 value = JSON_NODE_HOLDS_VALUE (member) &&
                     json_node_get_value_type (member) == G_TYPE_INT64
                     ? json_node_get_int (member) : -1;

      if (value < 1 || value > CHECK_MAX_ITERATIONS)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"maxIterations\" must be a whole number from 1 to %u"),
                       display_path, CHECK_MAX_ITERATIONS);
          return NULL;
        }
      self->max_iterations = (guint)value;
    }

  return g_steal_pointer (&self);
}

/* ---- loading ---------------------------------------------------------- */

/* Reads @root/@rel when its real path is inside @root's and it is a
 * regular file of at most @max bytes; NULL (no error) when it is absent. */
static char *
read_project_file (const char  *root,
                   const char  *rel,
                   gsize        max,
                   gsize       *len,
                   char       **real_out,
                   GError     **error)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *real_root = realpath (root, NULL);
  g_autofree char *real = realpath (path, NULL);
  char *contents = NULL;
  GStatBuf st;

  if (real == NULL)
    {
      if (errno == ENOENT)
        return NULL;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, "%s: %s", rel, g_strerror (errno));
      return NULL;
    }
  if (real_root == NULL || !lean_check_path_is_inside (real, real_root))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: leads outside the project; not read"), rel);
      return NULL;
    }
  if (g_stat (real, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE, _("%s: not a regular file"), rel);
      return NULL;
    }
  if ((gsize)st.st_size > max)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: larger than %" G_GSIZE_FORMAT " bytes; not read"), rel, max);
      return NULL;
    }
  if (!g_file_get_contents (real, &contents, len, error))
    return NULL;
  if (*len > max)
    {
      g_free (contents);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: larger than %" G_GSIZE_FORMAT " bytes; not read"), rel, max);
      return NULL;
    }
  if (real_out != NULL)
    *real_out = g_steal_pointer (&real);
  return contents;
}

LeanCheckConfig *
lean_check_config_load (const char  *root,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *real = NULL;
  LeanCheckConfig *self;
  gsize len = 0;

  g_return_val_if_fail (root != NULL, NULL);

  data = read_project_file (root, LEAN_CHECK_CONFIG_FILE, LEAN_CHECK_CONFIG_MAX_SIZE,
                            &len, &real, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (data == NULL)
    return lean_check_config_detect (root);

  self = lean_check_config_parse (data, len, LEAN_CHECK_CONFIG_FILE, error);
  if (self != NULL)
    self->path = g_steal_pointer (&real);
  return self;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  LeanCheckConfig *config = lean_check_config_load (task_data, &error);

  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, g_object_unref);
}

void
lean_check_config_load_async (const char          *root,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (root != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_check_config_load_async);
  g_task_set_task_data (task, g_strdup (root), g_free);
  g_task_run_in_thread (task, load_thread);
}

LeanCheckConfig *
lean_check_config_load_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- detection -------------------------------------------------------- */

static void
add_detected (LeanCheckConfig *self,
              const char      *id,
              LeanCheckKind    kind,
              const char      *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(LeanCheck) check = NULL;
  g_autofree char *name = NULL;
  const char *arg;
  va_list args;

  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  name = g_strjoinv (" ", (char **)argv->pdata);
  check = lean_check_new (id, name, kind, (const char * const *)argv->pdata, 0, ".");
  lean_check_config_add_check (self, check);
}

static char *
read_small (const char *root,
            const char *rel)
{
  gsize len;

  return read_project_file (root, rel, DETECT_MAX_FILE, &len, NULL, NULL);
}

static gboolean
file_contains (const char *root,
               const char *rel,
               const char *needle)
{
  g_autofree char *data = read_small (root, rel);

  return data != NULL && strstr (data, needle) != NULL;
}

static gboolean
exists_in (const char *root,
           const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The target of a Makefile rule line "a test b: deps" (not "test := x"). */
static gboolean
makefile_has_target (const char *data,
                     const char *target)
{
  g_autoptr(GRegex) regex = NULL;
  g_autofree char *pattern = NULL;

  pattern = g_strdup_printf ("^(?:[A-Za-z0-9_./-]+[ \\t]+)*%s(?:[ \\t]+[A-Za-z0-9_./-]+)*"
                             "[ \\t]*::?(?!=)", target);
  regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  return regex != NULL && g_regex_match (regex, data, 0, NULL);
}

static void
detect_make (LeanCheckConfig *self,
             const char      *root)
{
  static const char * const names[] = { "GNUmakefile", "makefile", "Makefile" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *data = read_small (root, names[i]);

      if (data == NULL || !g_utf8_validate (data, -1, NULL))
        continue;
      if (makefile_has_target (data, "test"))
        add_detected (self, "make-test", LEAN_CHECK_KIND_TEST, "make", "test", NULL);
      else if (makefile_has_target (data, "check"))
        add_detected (self, "make-check", LEAN_CHECK_KIND_TEST, "make", "check", NULL);
      return;
    }
}

static int
build_dir_rank (const char *name)
{
  static const char * const preferred[] = { "_build", "build", "builddir" };

  for (guint i = 0; i < G_N_ELEMENTS (preferred); i++)
    if (g_str_equal (name, preferred[i]))
      return i;
  return G_N_ELEMENTS (preferred);
}

static void
detect_meson (LeanCheckConfig *self,
              const char      *root)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *best = NULL;
  const char *name;

  if (!exists_in (root, "meson.build"))
    return;
  dir = g_dir_open (root, 0, NULL);
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *marker = g_build_filename (name, "meson-private", "coredata.dat", NULL);

      if (!exists_in (root, marker))
        continue;
      if (best == NULL || build_dir_rank (name) < build_dir_rank (best) ||
          (build_dir_rank (name) == build_dir_rank (best) && strcmp (name, best) < 0))
        {
          g_free (best);
          best = g_strdup (name);
        }
    }
  if (best != NULL)
    add_detected (self, "meson-test", LEAN_CHECK_KIND_TEST, "meson", "test", "-C", best, NULL);
}

static const char *
script (JsonObject *scripts,
        const char *name)
{
  JsonNode *member = json_object_get_member (scripts, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static void
detect_npm (LeanCheckConfig *self,
            const char      *root)
{
  static const char * const typecheck[] = { "typecheck", "type-check", "tsc" };
  g_autofree char *data = read_small (root, "package.json");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *scripts = NULL;
  JsonNode *member;

  if (data == NULL || !g_utf8_validate (data, -1, NULL))
    return;
  node = lean_json_parse (data, -1, CONFIG_MAX_DEPTH, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  member = json_object_get_member (json_node_get_object (node), "scripts");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    scripts = json_node_get_object (member);
  if (scripts == NULL)
    return;

  /* npm init's placeholder fails on purpose: it is no test. */
  if (script (scripts, "test") != NULL &&
      strstr (script (scripts, "test"), "no test specified") == NULL)
    add_detected (self, "npm-test", LEAN_CHECK_KIND_TEST, "npm", "run", "test", NULL);
  if (script (scripts, "lint") != NULL)
    add_detected (self, "npm-lint", LEAN_CHECK_KIND_LINT, "npm", "run", "lint", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (typecheck); i++)
    if (script (scripts, typecheck[i]) != NULL)
      {
        add_detected (self, "npm-typecheck", LEAN_CHECK_KIND_TYPECHECK,
                      "npm", "run", typecheck[i], NULL);
        break;
      }
}

static gboolean
has_pytest_files (const char *root)
{
  g_autofree char *tests = g_build_filename (root, "tests", NULL);
  g_autoptr(GDir) dir = g_dir_open (tests, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "test_") && g_str_has_suffix (name, ".py"))
      return TRUE;
  return FALSE;
}

static void
detect_pytest (LeanCheckConfig *self,
               const char      *root)
{
  if (file_contains (root, "pyproject.toml", "[tool.pytest") ||
      exists_in (root, "pytest.ini") ||
      file_contains (root, "setup.cfg", "[tool:pytest]") ||
      file_contains (root, "tox.ini", "[pytest]") ||
      has_pytest_files (root))
    add_detected (self, "pytest", LEAN_CHECK_KIND_TEST, "python3", "-m", "pytest", NULL);
}

LeanCheckConfig *
lean_check_config_detect (const char *root)
{
  LeanCheckConfig *self = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);

  g_return_val_if_fail (root != NULL, self);

  detect_make (self, root);
  detect_meson (self, root);
  detect_npm (self, root);
  detect_pytest (self, root);
  if (exists_in (root, "Cargo.toml"))
    {
      add_detected (self, "cargo-test", LEAN_CHECK_KIND_TEST, "cargo", "test", NULL);
      add_detected (self, "cargo-clippy", LEAN_CHECK_KIND_LINT, "cargo", "clippy", NULL);
    }
  if (exists_in (root, "go.mod"))
    {
      add_detected (self, "go-test", LEAN_CHECK_KIND_TEST, "go", "test", "./...", NULL);
      add_detected (self, "go-vet", LEAN_CHECK_KIND_LINT, "go", "vet", "./...", NULL);
    }
  return self;
}

/* ---- saving ----------------------------------------------------------- */

char *
lean_check_config_to_data (LeanCheckConfig *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text, *with_newline;

  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->checks->len; i++)
    {
      LeanCheck *check = g_ptr_array_index (self->checks, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, check->id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, check->name);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, lean_check_kind_to_string (check->kind));
      json_builder_set_member_name (builder, "run");
      json_builder_begin_array (builder);
      for (guint j = 0; check->argv[j] != NULL; j++)
        json_builder_add_string_value (builder, check->argv[j]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "timeout");
      json_builder_add_int_value (builder, check->timeout);
      json_builder_set_member_name (builder, "cwd");
      json_builder_add_string_value (builder, check->cwd);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "critic");
  json_builder_add_boolean_value (builder, self->critic);
  json_builder_set_member_name (builder, "maxIterations");
  json_builder_add_int_value (builder, self->max_iterations);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  with_newline = g_strconcat (text, "\n", NULL);
  g_free (text);
  return with_newline;
}

gboolean
lean_check_config_save (LeanCheckConfig  *self,
                        const char       *root,
                        GError          **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  dir = g_build_filename (root, ".lean-spec", NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  path = g_build_filename (root, LEAN_CHECK_CONFIG_FILE, NULL);
  text = lean_check_config_to_data (self);
  bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
  return lean_file_write_atomic (path, bytes, NULL, error);
}

/* ---- accessors -------------------------------------------------------- */

LeanCheckSource
lean_check_config_get_source (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), LEAN_CHECK_SOURCE_DETECTED);
  return self->source;
}

const char *
lean_check_config_get_path (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);
  return self->path;
}

const char *
lean_check_config_get_sha256 (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);
  return self->sha256;
}

guint
lean_check_config_get_n_checks (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), 0);
  return self->checks->len;
}

LeanCheck *
lean_check_config_get_check (LeanCheckConfig *self,
                             guint            index)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);
  g_return_val_if_fail (index < self->checks->len, NULL);
  return g_ptr_array_index (self->checks, index);
}

LeanCheck *
lean_check_config_find_check (LeanCheckConfig *self,
                              const char      *id)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);

  for (guint i = 0; i < self->checks->len; i++)
    {
      LeanCheck *check = g_ptr_array_index (self->checks, i);

      if (g_strcmp0 (check->id, id) == 0)
        return check;
    }
  return NULL;
}

gboolean
lean_check_config_get_critic (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), FALSE);
  return self->critic;
}

guint
lean_check_config_get_max_iterations (LeanCheckConfig *self)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), LEAN_CHECK_CONFIG_DEFAULT_MAX_ITERATIONS);
  return self->max_iterations;
}

gboolean
lean_check_config_is_trusted (LeanCheckConfig    *self,
                              LeanCheckTrustFunc  trust_func,
                              gpointer            user_data)
{
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), FALSE);

  if (self->source == LEAN_CHECK_SOURCE_DETECTED)
    return TRUE;
  if (trust_func == NULL || self->sha256 == NULL)
    return FALSE;
  return trust_func (self->path != NULL ? self->path : LEAN_CHECK_CONFIG_FILE,
                     self->sha256, user_data);
}

LeanTrustRequest *
lean_check_config_get_trust_request (LeanCheckConfig *self,
                                     LeanTrustStore  *store)
{
  LeanTrustRequest *request;

  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (self), NULL);
  g_return_val_if_fail (LEAN_IS_TRUST_STORE (store), NULL);

  if (self->source != LEAN_CHECK_SOURCE_FILE || self->path == NULL)
    return NULL;
  request = lean_trust_request_new (self->path, self->sha256,
                                    lean_trust_store_lookup (store, self->path, self->sha256));
  for (guint i = 0; i < self->checks->len; i++)
    {
      LeanCheck *check = g_ptr_array_index (self->checks, i);
      LeanTrustCommand *command = g_new0 (LeanTrustCommand, 1);

      command->label = g_strdup_printf (_("Check “%s” (%s), in %s, at most %u s"), check->id,
                                        check->name, check->cwd, check->timeout);
      command->argv = g_strdupv (check->argv);
      command->env = g_new0 (char *, 1);
      command->prompt_index = -1;
      g_ptr_array_add (request->commands, command);
    }
  if (self->critic)
    g_ptr_array_add (request->notes,
                     g_strdup (_("It asks for the AI critic in every validation")));
  return request;
}

gboolean
lean_check_config_trust_store_func (const char *path,
                                    const char *sha256,
                                    gpointer    store)
{
  g_return_val_if_fail (LEAN_IS_TRUST_STORE (store), FALSE);
  return lean_trust_store_lookup (store, path, sha256) == LEAN_TRUST_TRUSTED;
}
