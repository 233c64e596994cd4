/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-frontmatter.h"
#include "lean-hash.h"
#include "lean-spec-cache.h"
#include "lean-spec-private.h"
#include "lean-tokens.h"

typedef struct
{
  guint line;
  gboolean checked;
  const char *text;     /* into task_text */
  gsize start;          /* while scanning: text offset in the file */
  gsize len;
} Task;

/* Both point into the front matter nodes, which live as long as the spec. */
typedef struct
{
  const char *status;
  const char *at;
} Transition;

struct _LeanSpec
{
  GObject parent_instance;

  char *id;
  char *slug;
  guint number;
  char *title;
  gboolean title_is_id;     /* no "# " heading */
  LeanSpecStatus status;
  LeanSpecPriority priority;
  /* Borrowed from the front matter nodes: one allocation for the array. */
  const char **tags;
  const char **depends_on;
  char **sub_specs;
  char *parent;

  char *root;
  char *dir;
  char *readme_path;
  char *rel_path;
  gboolean in_archived_dir;

  /* Scalars borrowed from the front matter nodes or the cache entry. */
  const char *assignee;
  const char *created;
  const char *updated_at;
  const char *completed_at;

  /* NULL until first use for a spec made from the cache without reading
   * its README (its stamp was unchanged): then read, and checked against
   * the key and length its fields came from. */
  GBytes *contents;
  guint64 content_key;
  gsize content_len;
  gboolean has_content_key;
  /* The README read on demand was no longer the file the fields came
   * from: no write may be based on this snapshot. */
  gboolean stale;
  char *hash;
  char *body;
  gsize body_offset;
  guint body_line;
  /* Parsed at construction, or on first use for a spec that came from the
   * cache (same bytes, so the same tree). */
  LeanFrontmatter *fm;
  /* For a spec from the cache: the cache file's bytes (the borrowed
   * strings point into them) and this spec's entry in them. */
  GBytes *cache_data;
  gsize cache_offset;
  gsize cache_size;
  /* Text for non-scalar keys, made once so lookups stay thread-safe. */
  GHashTable *field_text;

  GArray *tasks;             /* Task; NULL when there are none */
  char *task_text;          /* every task's text, NUL-separated */
  GArray *transitions;
  guint n_checked;
  guint n_unchecked;

  guint tokens;
  guint body_tokens;
  GArray *lint_issues;      /* LeanLintIssue: the checks of the bytes alone; NULL: none */
};

G_DEFINE_FINAL_TYPE (LeanSpec, lean_spec, G_TYPE_OBJECT)

static const char * const empty_strv[] = { NULL };

static void
lean_spec_finalize (GObject *object)
{
  LeanSpec *self = (LeanSpec *)object;

  g_free (self->id);
  g_free (self->slug);
  g_free (self->title);
  g_free (self->tags);
  g_free (self->depends_on);
  g_free (self->task_text);
  g_strfreev (self->sub_specs);
  g_free (self->parent);
  g_free (self->root);
  g_free (self->dir);
  g_free (self->readme_path);
  g_free (self->rel_path);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_free (self->hash);
  g_free (self->body);
  g_clear_pointer (&self->fm, lean_frontmatter_unref);
  g_clear_pointer (&self->cache_data, g_bytes_unref);
  g_clear_pointer (&self->field_text, g_hash_table_unref);
  g_clear_pointer (&self->tasks, g_array_unref);
  g_clear_pointer (&self->transitions, g_array_unref);
  g_clear_pointer (&self->lint_issues, g_array_unref);

  G_OBJECT_CLASS (lean_spec_parent_class)->finalize (object);
}

static void
lean_spec_class_init (LeanSpecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_spec_finalize;
}

static void
lean_spec_init (LeanSpec *self)
{
}

/* Most specs have no lint issue and many no task: their arrays are made
 * only when something goes in. A load of thousands of specs on several
 * threads spends its time in the allocator otherwise (GLib 2.74's slice
 * allocator takes a lock shared by all threads to refill each thread's
 * cache). */
static GArray *
new_lint_issues (guint reserve)
{
  GArray *issues = g_array_sized_new (FALSE, FALSE, sizeof (LeanLintIssue), reserve);

  g_array_set_clear_func (issues, _lean_lint_issue_clear);
  return issues;
}

static inline guint
n_tasks (LeanSpec *self)
{
  return self->tasks != NULL ? self->tasks->len : 0;
}

static inline guint
n_lint_issues (LeanSpec *self)
{
  return self->lint_issues != NULL ? self->lint_issues->len : 0;
}

gboolean
_lean_spec_parse_task_line (const char *line,
                            gsize       len,
                            gsize      *mark_offset,
                            gboolean   *checked)
{
  gsize i = 0;

  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i >= len)
    return FALSE;

  if (line[i] == '-' || line[i] == '*' || line[i] == '+')
    i++;
  else if (g_ascii_isdigit (line[i]))
    {
      gsize digits = 0;

      while (i < len && g_ascii_isdigit (line[i]) && digits < 9)
        i++, digits++;
      if (i >= len || (line[i] != '.' && line[i] != ')'))
        return FALSE;
      i++;
    }
  else
    return FALSE;

  if (i >= len || (line[i] != ' ' && line[i] != '\t'))
    return FALSE;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;

  if (i + 3 > len || line[i] != '[' || line[i + 2] != ']')
    return FALSE;
  if (line[i + 1] != ' ' && line[i + 1] != 'x' && line[i + 1] != 'X')
    return FALSE;
  if (i + 3 < len && line[i + 3] != ' ' && line[i + 3] != '\t' && line[i + 3] != '\r')
    return FALSE;

  if (mark_offset)
    *mark_offset = i + 1;
  if (checked)
    *checked = line[i + 1] != ' ';
  return TRUE;
}

/* A fence line: optional indent, then ``` or ~~~ (3 or more). Returns the
 * fence char and length, or 0. */
static guint
fence_length (const char *line,
              gsize       len,
              char       *fence_char)
{
  gsize i = 0;
  guint n = 0;
  char c;

  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i >= len || (line[i] != '`' && line[i] != '~'))
    return 0;
  c = line[i];
  while (i < len && line[i] == c)
    i++, n++;
  if (n < 3)
    return 0;
  *fence_char = c;
  return n;
}

static char *
heading_title (const char *line,
               gsize       len)
{
  g_autofree char *text = NULL;
  gsize n;

  /* "# Title", with optional closing #s */
  text = g_strndup (line + 2, len - 2);
  g_strstrip (text);
  n = strlen (text);
  while (n > 0 && text[n - 1] == '#')
    n--;
  if (n < strlen (text) && (n == 0 || text[n - 1] == ' ' || text[n - 1] == '\t'))
    text[n] = '\0';
  g_strstrip (text);
  if (text[0] == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

static void
scan_body (LeanSpec   *self,
           const char *data,
           gsize       start,
           gsize       len)
{
  const char *p = data + start;
  const char *end = data + len;
  guint line_no = self->body_line;
  char open_char = 0;
  guint open_len = 0;

  self->tasks = g_array_new (FALSE, FALSE, sizeof (Task));

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *eol = nl ? nl : end;
      gsize l = eol - p;
      char fc = 0;
      guint flen;
      gsize mark;
      gboolean checked;

      if (l > 0 && p[l - 1] == '\r')
        l--;

      flen = fence_length (p, l, &fc);
      if (open_len > 0)
        {
          if (flen >= open_len && fc == open_char)
            {
              /* a closing fence has nothing after the fence chars */
              gsize i = 0;
              while (i < l && (p[i] == ' ' || p[i] == '\t'))
                i++;
              i += flen;
              while (i < l && (p[i] == ' ' || p[i] == '\t'))
                i++;
              if (i == l)
                open_len = 0;
            }
        }
      else if (flen > 0)
        {
          open_char = fc;
          open_len = flen;
        }
      else if (self->title == NULL && l >= 2 && p[0] == '#' && (p[1] == ' ' || p[1] == '\t'))
        {
          self->title = heading_title (p, l);
        }
      else if (_lean_spec_parse_task_line (p, l, &mark, &checked))
        {
          Task task;
          const char *text = p + mark + 2;
          const char *text_end = p + l;

          while (text < text_end && g_ascii_isspace (*text))
            text++;
          while (text_end > text && g_ascii_isspace (text_end[-1]))
            text_end--;
          task.line = line_no;
          task.checked = checked;
          task.text = NULL;
          task.start = text - data;
          task.len = text_end - text;
          g_array_append_val (self->tasks, task);
          if (checked)
            self->n_checked++;
          else
            self->n_unchecked++;
        }

      line_no++;
      p = eol + 1;
    }

  /* One allocation for all task texts instead of one each. */
  if (self->tasks->len > 0)
    {
      gsize total = 0;
      char *q;

      for (guint i = 0; i < self->tasks->len; i++)
        total += g_array_index (self->tasks, Task, i).len + 1;
      q = self->task_text = g_malloc (total);
      for (guint i = 0; i < self->tasks->len; i++)
        {
          Task *task = &g_array_index (self->tasks, Task, i);

          memcpy (q, data + task->start, task->len);
          q[task->len] = '\0';
          task->text = q;
          q += task->len + 1;
        }
    }
}

/* A scalar key's value, NULL when absent, not a scalar, or YAML null. */
static const char *
nonempty_string (LeanFrontmatter *fm,
                 const char      *key)
{
  const LeanFmNode *node = lean_frontmatter_lookup (fm, key);

  if (node == NULL || node->kind != LEAN_FM_NODE_SCALAR || lean_fm_node_is_null (node))
    return NULL;
  return node->value;
}

static GBytes *
ensure_contents (LeanSpec *self)
{
  if (g_once_init_enter (&self->contents))
    {
      g_autoptr(GError) error = NULL;
      GBytes *bytes = NULL;

      if (self->root != NULL)
        bytes = lean_file_read_in_project (self->root, self->readme_path,
                                           LEAN_SPEC_MAX_README_SIZE, NULL, &error);
      if (bytes == NULL)
        {
          bytes = g_bytes_new_static ("", 0);
          self->stale = TRUE;
        }
      else
        {
          gsize len;
          const void *data = g_bytes_get_data (bytes, &len);

          self->stale = len != self->content_len ||
                        _lean_spec_cache_key (data, len) != self->content_key;
        }
      if (self->stale)
        g_debug ("%s changed after it was loaded; its snapshot is stale", self->readme_path);
      g_once_init_leave (&self->contents, bytes);
    }
  return self->contents;
}

static LeanFrontmatter *
ensure_fm (LeanSpec *self)
{
  if (g_once_init_enter (&self->fm))
    {
      LeanFrontmatter *fm = lean_frontmatter_parse (ensure_contents (self), NULL);

      /* Cannot fail for bytes that parsed before; stay safe if it does. */
      if (fm == NULL)
        {
          g_autoptr(GBytes) empty = g_bytes_new_static ("---\n---\n", 8);
          fm = lean_frontmatter_parse (empty, NULL);
        }
      g_once_init_leave (&self->fm, fm);
    }
  return self->fm;
}

static void
parse_id (LeanSpec   *self,
          const char *id)
{
  const char *p = id;
  guint64 n = 0;

  while (g_ascii_isdigit (*p))
    {
      n = n * 10 + (*p - '0');
      if (n > G_MAXUINT)
        n = G_MAXUINT;
      p++;
    }
  self->number = n;
  if (*p == '-' || *p == '_')
    p++;
  self->slug = g_strdup (p);
}

/* Is a folder above the spec folder (the last part of @rel_dir) named
 * "archived"? Runs once per spec on load: no splitting, no allocation. */
static gboolean
path_has_archived (const char *rel_dir)
{
  const char *last = strrchr (rel_dir, G_DIR_SEPARATOR);
  const char *part = rel_dir;

  while (last != NULL && part < last)
    {
      const char *end = strchr (part, G_DIR_SEPARATOR);

      if ((gsize)(end - part) == strlen ("archived") && memcmp (part, "archived", end - part) == 0)
        return TRUE;
      part = end + 1;
    }
  return FALSE;
}

static char *
node_text (LeanFrontmatter  *fm,
           const LeanFmNode *node)
{
  GBytes *contents = lean_frontmatter_get_contents (fm);
  const char *data = g_bytes_get_data (contents, NULL);
  gboolean all_scalars = node->kind == LEAN_FM_NODE_SEQUENCE;

  if (node->kind == LEAN_FM_NODE_SEQUENCE)
    for (guint i = 0; i < node->items->len; i++)
      if (((LeanFmNode *)g_ptr_array_index (node->items, i))->kind != LEAN_FM_NODE_SCALAR)
        all_scalars = FALSE;

  if (all_scalars)
    {
      GString *s = g_string_new (NULL);

      for (guint i = 0; i < node->items->len; i++)
        {
          const LeanFmNode *item = g_ptr_array_index (node->items, i);
          if (i > 0)
            g_string_append (s, ", ");
          g_string_append (s, item->value);
        }
      return g_string_free (s, FALSE);
    }

  return g_strndup (data + node->start, node->end - node->start);
}

/* A list (or single scalar) of @key as an array of pointers into the
 * front matter nodes; never NULL. */
static const char **
borrowed_strv (LeanFrontmatter *fm,
               const char      *key)
{
  const LeanFmNode *node = lean_frontmatter_lookup (fm, key);
  const char **out;
  guint n = 0;

  if (node == NULL)
    return g_new0 (const char *, 1);

  if (node->kind == LEAN_FM_NODE_SCALAR)
    {
      out = g_new0 (const char *, 2);
      if (!lean_fm_node_is_null (node) && node->value[0] != '\0')
        out[0] = node->value;
      return out;
    }
  if (node->kind != LEAN_FM_NODE_SEQUENCE)
    return g_new0 (const char *, 1);

  out = g_new0 (const char *, node->items->len + 1);
  for (guint i = 0; i < node->items->len; i++)
    {
      const LeanFmNode *item = g_ptr_array_index (node->items, i);
      if (item->kind == LEAN_FM_NODE_SCALAR && !lean_fm_node_is_null (item) &&
          item->value[0] != '\0')
        out[n++] = item->value;
    }
  return out;
}

static GArray *
read_transitions (LeanSpec *self)
{
  const LeanFmNode *node = lean_frontmatter_lookup (ensure_fm (self), "transitions");
  GArray *transitions = g_array_new (FALSE, FALSE, sizeof (Transition));

  if (node == NULL || node->kind != LEAN_FM_NODE_SEQUENCE)
    return transitions;

  for (guint i = 0; i < node->items->len; i++)
    {
      const LeanFmNode *item = g_ptr_array_index (node->items, i);
      Transition t = { NULL, NULL };

      if (item->kind != LEAN_FM_NODE_MAPPING)
        continue;
      for (guint j = 0; j + 1 < item->items->len; j += 2)
        {
          const LeanFmNode *k = g_ptr_array_index (item->items, j);
          const LeanFmNode *v = g_ptr_array_index (item->items, j + 1);

          if (k->kind != LEAN_FM_NODE_SCALAR || v->kind != LEAN_FM_NODE_SCALAR)
            continue;
          if (g_str_equal (k->value, "status") && t.status == NULL)
            t.status = v->value;
          else if (g_str_equal (k->value, "at") && t.at == NULL)
            t.at = v->value;
        }
      g_array_append_val (transitions, t);
    }
  return transitions;
}

static GArray *
ensure_transitions (LeanSpec *self)
{
  if (g_once_init_enter (&self->transitions))
    g_once_init_leave (&self->transitions, read_transitions (self));
  return self->transitions;
}

/* What every spec has, however its metadata is obtained. */
static LeanSpec *
spec_new_common (const char         *project_root,
                 const char         *dir,
                 GBytes             *contents,
                 const char * const *sub_specs)
{
  LeanSpec *self = g_object_new (LEAN_TYPE_SPEC, NULL);
  const char *base = strrchr (dir, G_DIR_SEPARATOR);
  const char *rel_dir = dir;
  gsize root_len = project_root != NULL ? strlen (project_root) : 0;

  /* @dir comes from the project walk, built from the canonical root
   * without a trailing separator: plain concatenation gives the same
   * paths as g_build_filename() at a fraction of its cost (this runs
   * for every spec on every load). */
  self->contents = contents != NULL ? g_bytes_ref (contents) : NULL;
  self->dir = g_strdup (dir);
  self->root = g_strdup (project_root);
  self->id = base != NULL && base[1] != '\0' ? g_strdup (base + 1) : g_path_get_basename (dir);
  parse_id (self, self->id);
  self->readme_path = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);

  if (project_root != NULL && strncmp (dir, project_root, root_len) == 0 &&
      dir[root_len] == G_DIR_SEPARATOR)
    rel_dir = dir + root_len + 1;
  self->rel_path = g_strconcat (rel_dir, G_DIR_SEPARATOR_S "README.md", NULL);
  self->in_archived_dir = path_has_archived (rel_dir);
  self->sub_specs = g_strdupv ((char **)(sub_specs ? sub_specs : empty_strv));
  return self;
}

LeanSpec *
_lean_spec_new (const char          *project_root,
                const char          *dir,
                GBytes              *contents,
                const char * const  *sub_specs,
                GError             **error)
{
  g_autoptr(LeanSpec) self = NULL;
  g_autoptr(LeanFrontmatter) fm = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  fm = lean_frontmatter_parse (contents, error);
  if (fm == NULL)
    return NULL;

  data = g_bytes_get_data (contents, &len);

  self = spec_new_common (project_root, dir, contents, sub_specs);
  self->fm = g_steal_pointer (&fm);

  if (!lean_spec_status_from_string (lean_frontmatter_get_string (self->fm, "status"),
                                     &self->status))
    self->status = LEAN_SPEC_STATUS_NONE;
  if (!lean_spec_priority_from_string (lean_frontmatter_get_string (self->fm, "priority"),
                                       &self->priority))
    self->priority = LEAN_SPEC_PRIORITY_NONE;

  self->tags = borrowed_strv (self->fm, "tags");
  self->depends_on = borrowed_strv (self->fm, "depends_on");

  self->parent = g_strdup (nonempty_string (self->fm, "parent"));
  self->assignee = nonempty_string (self->fm, "assignee");
  self->created = nonempty_string (self->fm, "created");
  if (self->created == NULL)
    self->created = nonempty_string (self->fm, "created_at");
  self->updated_at = nonempty_string (self->fm, "updated_at");
  self->completed_at = nonempty_string (self->fm, "completed_at");

  self->body_offset = lean_frontmatter_get_body_offset (self->fm);
  self->body_line = lean_frontmatter_get_body_line (self->fm);
  scan_body (self, data, self->body_offset, len);
  self->lint_issues = new_lint_issues (0);
  _lean_spec_lint_bytes (self->fm, data, len, self->lint_issues, &self->tokens,
                         &self->body_tokens);
  if (self->lint_issues->len == 0)
    g_clear_pointer (&self->lint_issues, g_array_unref);

  if (self->title == NULL)
    {
      self->title = g_strdup (self->id);
      self->title_is_id = TRUE;
    }

  return g_steal_pointer (&self);
}

/* Reading an entry of the spec cache: every read is bounds-checked, a
 * damaged entry just makes the reader fail. */
typedef struct
{
  const guint8 *p;
  const guint8 *end;
  gboolean ok;
} Reader;

static guint32
read_u32 (Reader *r)
{
  guint32 v = 0;

  if (r->end - r->p < 4)
    r->ok = FALSE;
  else
    {
      memcpy (&v, r->p, 4);
      r->p += 4;
    }
  return v;
}

static guint8
read_u8 (Reader *r)
{
  if (r->p >= r->end)
    {
      r->ok = FALSE;
      return 0;
    }
  return *r->p++;
}

static const char *
read_str (Reader *r)
{
  const guint8 *nul = r->p < r->end ? memchr (r->p, '\0', r->end - r->p) : NULL;
  const char *str = (const char *)r->p;

  if (nul == NULL)
    {
      r->ok = FALSE;
      return "";
    }
  r->p = nul + 1;
  return str;
}

/* Which of the optional fields are absent (NULL) rather than empty (""):
 * `assignee: ""` is an empty assignee to LeanSpec, not a missing one. */
enum
{
  ABSENT_PARENT = 1 << 0,
  ABSENT_ASSIGNEE = 1 << 1,
  ABSENT_CREATED = 1 << 2,
  ABSENT_UPDATED_AT = 1 << 3,
  ABSENT_COMPLETED_AT = 1 << 4,
};

static const char *
unless_absent (const char *str,
               guint8      absent,
               guint8      bit)
{
  return (absent & bit) ? NULL : str;
}

static const char **
read_strv (Reader  *r,
           guint32  n)
{
  const char **strv;

  /* Each string takes at least its NUL. */
  if (n > (gsize)(r->end - r->p))
    {
      r->ok = FALSE;
      return g_new0 (const char *, 1);
    }
  strv = g_new0 (const char *, n + 1);
  for (guint32 i = 0; i < n && r->ok; i++)
    strv[i] = read_str (r);
  return strv;
}

LeanSpec *
_lean_spec_new_cached (const char          *project_root,
                       const char          *dir,
                       GBytes              *contents,
                       gsize                content_len,
                       const char * const  *sub_specs,
                       GBytes              *cache_data,
                       gsize                offset,
                       gsize                size)
{
  g_autoptr(LeanSpec) self = NULL;
  gsize data_len;
  const guint8 *data = g_bytes_get_data (cache_data, &data_len);
  Reader r;
  guint8 status, priority, flags, absent;
  guint32 body_offset, body_line, n_tags, n_deps, n_tasks, n_issues;
  const char *title;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (cache_data != NULL, NULL);
  g_return_val_if_fail (contents != NULL || project_root != NULL, NULL);

  if (contents != NULL)
    content_len = g_bytes_get_size (contents);
  if (offset > data_len || size > data_len - offset)
    return NULL;
  r.p = data + offset;
  r.end = data + offset + size;
  r.ok = TRUE;

  status = read_u8 (&r);
  priority = read_u8 (&r);
  flags = read_u8 (&r);
  absent = read_u8 (&r);
  body_offset = read_u32 (&r);
  body_line = read_u32 (&r);
  n_tags = read_u32 (&r);
  n_deps = read_u32 (&r);
  n_tasks = read_u32 (&r);
  if (!r.ok || body_offset > content_len || body_line == 0 ||
      n_tasks > size / 6)
    return NULL;

  self = spec_new_common (project_root, dir, contents, sub_specs);
  /* Every string below points into the cache data, which the spec keeps. */
  self->cache_data = g_bytes_ref (cache_data);
  self->cache_offset = offset;
  self->cache_size = size;
  self->status = status < LEAN_SPEC_N_STATUSES ? status : LEAN_SPEC_STATUS_NONE;
  self->priority = priority < LEAN_SPEC_N_PRIORITIES ? priority : LEAN_SPEC_PRIORITY_NONE;
  self->body_offset = body_offset;
  self->body_line = body_line;

  title = read_str (&r);
  self->parent = g_strdup (unless_absent (read_str (&r), absent, ABSENT_PARENT));
  self->assignee = unless_absent (read_str (&r), absent, ABSENT_ASSIGNEE);
  self->created = unless_absent (read_str (&r), absent, ABSENT_CREATED);
  self->updated_at = unless_absent (read_str (&r), absent, ABSENT_UPDATED_AT);
  self->completed_at = unless_absent (read_str (&r), absent, ABSENT_COMPLETED_AT);
  self->tags = read_strv (&r, n_tags);
  self->depends_on = read_strv (&r, n_deps);

  if (n_tasks > 0)
    self->tasks = g_array_sized_new (FALSE, FALSE, sizeof (Task), n_tasks);
  for (guint32 i = 0; i < n_tasks && r.ok; i++)
    {
      Task task = { 0, };

      task.line = read_u32 (&r);
      task.checked = read_u8 (&r) != 0;
      task.text = read_str (&r);
      task.len = strlen (task.text);
      g_array_append_val (self->tasks, task);
      if (task.checked)
        self->n_checked++;
      else
        self->n_unchecked++;
    }

  self->tokens = read_u32 (&r);
  self->body_tokens = read_u32 (&r);
  n_issues = read_u32 (&r);
  if (n_issues > size / 3)
    return NULL;
  if (n_issues > 0)
    self->lint_issues = new_lint_issues (n_issues);
  for (guint32 i = 0; i < n_issues && r.ok; i++)
    {
      LeanLintIssue issue;
      guint8 severity = read_u8 (&r);
      guint8 type = read_u8 (&r);

      issue.severity = MIN (severity, LEAN_LINT_SEVERITY_ERROR);
      issue.type = type < LEAN_LINT_N_TYPES ? type : LEAN_LINT_TYPE_FRONTMATTER;
      issue.message = g_strdup (read_str (&r));
      g_array_append_val (self->lint_issues, issue);
    }

  if (!r.ok)
    return NULL;

  if ((flags & 1) == 0 && *title != '\0')
    self->title = g_strdup (title);
  else
    {
      self->title = g_strdup (self->id);
      self->title_is_id = TRUE;
    }

  return g_steal_pointer (&self);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  g_byte_array_append (out, (const guint8 *)&v, 4);
}

static void
put_str (GByteArray *out,
         const char *str)
{
  if (str == NULL)
    str = "";
  g_byte_array_append (out, (const guint8 *)str, strlen (str) + 1);
}

void
_lean_spec_append_cache_entry (LeanSpec   *self,
                               GByteArray *out)
{
  guint8 head[4];
  guint32 n_tags, n_deps;

  g_return_if_fail (LEAN_IS_SPEC (self));
  g_return_if_fail (out != NULL);

  if (self->cache_data != NULL)
    {
      const guint8 *data = g_bytes_get_data (self->cache_data, NULL);
      g_byte_array_append (out, data + self->cache_offset, self->cache_size);
      return;
    }

  n_tags = g_strv_length ((char **)self->tags);
  n_deps = g_strv_length ((char **)self->depends_on);
  head[0] = self->status;
  head[1] = self->priority;
  head[2] = self->title_is_id ? 1 : 0;
  head[3] = (self->parent == NULL ? ABSENT_PARENT : 0) |
            (self->assignee == NULL ? ABSENT_ASSIGNEE : 0) |
            (self->created == NULL ? ABSENT_CREATED : 0) |
            (self->updated_at == NULL ? ABSENT_UPDATED_AT : 0) |
            (self->completed_at == NULL ? ABSENT_COMPLETED_AT : 0);
  g_byte_array_append (out, head, 4);
  put_u32 (out, self->body_offset);
  put_u32 (out, self->body_line);
  put_u32 (out, n_tags);
  put_u32 (out, n_deps);
  put_u32 (out, n_tasks (self));
  put_str (out, self->title_is_id ? "" : self->title);
  put_str (out, self->parent);
  put_str (out, self->assignee);
  put_str (out, self->created);
  put_str (out, self->updated_at);
  put_str (out, self->completed_at);
  for (guint32 i = 0; i < n_tags; i++)
    put_str (out, self->tags[i]);
  for (guint32 i = 0; i < n_deps; i++)
    put_str (out, self->depends_on[i]);
  for (guint i = 0; i < n_tasks (self); i++)
    {
      const Task *task = &g_array_index (self->tasks, Task, i);
      guint8 checked = task->checked ? 1 : 0;

      put_u32 (out, task->line);
      g_byte_array_append (out, &checked, 1);
      put_str (out, task->text);
    }
  put_u32 (out, self->tokens);
  put_u32 (out, self->body_tokens);
  put_u32 (out, n_lint_issues (self));
  for (guint i = 0; i < n_lint_issues (self); i++)
    {
      const LeanLintIssue *issue = &g_array_index (self->lint_issues, LeanLintIssue, i);
      guint8 bytes[2] = { issue->severity, issue->type };

      g_byte_array_append (out, bytes, 2);
      put_str (out, issue->message);
    }
}

LeanSpec *
lean_spec_new_from_bytes (const char  *project_root,
                          const char  *dir,
                          GBytes      *contents,
                          GError     **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  return _lean_spec_new (project_root, dir, contents, NULL, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **)a, *(const char **)b);
}

LeanSpec *
lean_spec_new_from_dir (const char  *project_root,
                        const char  *dir,
                        GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) subs = NULL;
  g_autoptr(GDir) gdir = NULL;
  GError *local_error = NULL;
  const char *name;
  gsize len = 0;

  g_return_val_if_fail (dir != NULL, NULL);

  path = g_build_filename (dir, "README.md", NULL);
  if (project_root != NULL)
    {
      bytes = lean_file_read_in_project (project_root, path, LEAN_SPEC_MAX_README_SIZE, NULL,
                                         error);
      if (bytes == NULL)
        return NULL;
    }
  else if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("cannot read the file: %s"), local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  else
    bytes = g_bytes_new_take (g_steal_pointer (&data), len);

  subs = g_ptr_array_new_with_free_func (g_free);
  gdir = g_dir_open (dir, 0, NULL);
  while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *full = NULL;

      if (g_str_equal (name, "README.md") || !g_str_has_suffix (name, ".md"))
        continue;
      full = g_build_filename (dir, name, NULL);
      if (project_root != NULL && !lean_file_is_in_project (project_root, full))
        {
          g_autofree char *real = realpath (full, NULL);

          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                       _("%s is a link to %s, outside the project; LeanSpec reads only files "
                         "inside the project: copy the file in or remove the link"),
                       name, real ? real : "?");
          return NULL;
        }
      if (!g_file_test (full, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (subs, g_strdup (name));
    }
  g_ptr_array_sort (subs, compare_strings);
  g_ptr_array_add (subs, NULL);

  return _lean_spec_new (project_root, dir, bytes, (const char * const *)subs->pdata, error);
}

const char *
lean_spec_get_id (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->id;
}

guint
lean_spec_get_number (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return self->number;
}

const char *
lean_spec_get_slug (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->slug;
}

const char *
lean_spec_get_title (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->title;
}

LeanSpecStatus
lean_spec_get_status (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), LEAN_SPEC_STATUS_NONE);
  return self->status;
}

LeanSpecPriority
lean_spec_get_priority (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), LEAN_SPEC_PRIORITY_NONE);
  return self->priority;
}

const char * const *
lean_spec_get_tags (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), empty_strv);
  return (const char * const *)self->tags;
}

const char * const *
lean_spec_get_depends_on (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), empty_strv);
  return (const char * const *)self->depends_on;
}

const char *
lean_spec_get_parent (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->parent;
}


const char *
lean_spec_get_assignee (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->assignee;
}

const char *
lean_spec_get_created (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->created;
}

const char *
lean_spec_get_updated_at (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->updated_at;
}

const char *
lean_spec_get_completed_at (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->completed_at;
}

const char *
lean_spec_get_field (LeanSpec   *self,
                     const char *key)
{
  const LeanFmNode *node;

  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  node = lean_frontmatter_lookup (ensure_fm (self), key);
  if (node == NULL)
    return NULL;
  if (node->kind == LEAN_FM_NODE_SCALAR)
    return node->value;
  /* Text for lists and mappings is made on first use (rare), once, so the
   * snapshot stays safe to read from any thread. */
  if (g_once_init_enter (&self->field_text))
    {
      GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      LeanFrontmatter *fm = ensure_fm (self);
      guint n_keys = lean_frontmatter_get_n_keys (fm);

      for (guint i = 0; i < n_keys; i++)
        {
          const LeanFmNode *v = lean_frontmatter_get_value_node (fm, i);

          if (v->kind != LEAN_FM_NODE_SCALAR)
            g_hash_table_insert (table, (gpointer)lean_frontmatter_get_key (fm, i),
                                 node_text (fm, v));
        }
      g_once_init_leave (&self->field_text, table);
    }
  return g_hash_table_lookup (self->field_text, key);
}

const char *
lean_spec_get_dir (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->dir;
}

const char *
lean_spec_get_readme_path (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->readme_path;
}

const char *
lean_spec_get_rel_path (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->rel_path;
}

gboolean
lean_spec_is_archived (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), FALSE);
  return self->in_archived_dir || self->status == LEAN_SPEC_STATUS_ARCHIVED;
}

const char * const *
lean_spec_get_sub_specs (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), empty_strv);
  return (const char * const *)self->sub_specs;
}

GBytes *
lean_spec_get_contents (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return ensure_contents (self);
}

guint64
_lean_spec_get_content_key (LeanSpec *self,
                            gsize    *len)
{
  /* Set before the spec is handed out, or computed the same each time. */
  if (self->has_content_key)
    {
      *len = self->content_len;
      return self->content_key;
    }
  else
    {
      const void *data = g_bytes_get_data (ensure_contents (self), len);

      return _lean_spec_cache_key (data, *len);
    }
}

void
_lean_spec_set_content_key (LeanSpec *self,
                            guint64   key,
                            gsize     len)
{
  self->content_key = key;
  self->content_len = len;
  self->has_content_key = TRUE;
}

const char *
lean_spec_get_content_hash (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);

  /* Made on first use: hashing every file while loading thousands of specs
   * would cost more than parsing them. Safe from any thread. */
  if (g_once_init_enter (&self->hash))
    {
      gsize len;
      const guchar *data = g_bytes_get_data (ensure_contents (self), &len);
      /* Matches no file: the writer refuses, as for any change on disk. */
      char *hash = self->stale ? g_strdup ("") : lean_hash_sha256 (data, len);

      g_once_init_leave (&self->hash, hash);
    }
  return self->hash;
}

guint
lean_spec_get_tokens (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return self->tokens;
}

guint
_lean_spec_get_body_tokens (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return self->body_tokens;
}

guint
_lean_spec_get_n_lint_issues (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return n_lint_issues (self);
}

const LeanLintIssue *
_lean_spec_get_lint_issue (LeanSpec *self,
                           guint     index)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  g_return_val_if_fail (index < n_lint_issues (self), NULL);
  return &g_array_index (self->lint_issues, LeanLintIssue, index);
}

const char *
lean_spec_get_body (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);

  if (g_once_init_enter (&self->body))
    {
      gsize len;
      const char *data = g_bytes_get_data (ensure_contents (self), &len);
      gsize offset = self->body_offset;
      char *body;

      /* Other bytes than the fields came from: their own front matter. */
      if (self->stale)
        offset = MIN (lean_frontmatter_get_body_offset (ensure_fm (self)), len);
      body = g_strndup (data + offset, len - offset);

      g_once_init_leave (&self->body, body);
    }
  return self->body;
}

guint
lean_spec_get_body_line (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 1);
  return self->body_line;
}

guint
lean_spec_get_n_checked (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return self->n_checked;
}

guint
lean_spec_get_n_unchecked (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return self->n_unchecked;
}

LeanFrontmatter *
lean_spec_get_frontmatter (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return ensure_fm (self);
}

char **
lean_spec_dup_field_names (LeanSpec *self)
{
  guint n;
  char **names;

  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);

  n = lean_frontmatter_get_n_keys (ensure_fm (self));
  names = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (lean_frontmatter_get_key (self->fm, i));
  return names;
}

char **
lean_spec_dup_field_list (LeanSpec   *self,
                          const char *key)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return lean_frontmatter_dup_strv (ensure_fm (self), key);
}

guint
lean_spec_get_n_tasks (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return n_tasks (self);
}

gboolean
lean_spec_get_task (LeanSpec    *self,
                    guint        index,
                    guint       *line,
                    gboolean    *checked,
                    const char **text)
{
  const Task *task;

  g_return_val_if_fail (LEAN_IS_SPEC (self), FALSE);

  if (index >= n_tasks (self))
    return FALSE;
  task = &g_array_index (self->tasks, Task, index);
  if (line)
    *line = task->line;
  if (checked)
    *checked = task->checked;
  if (text)
    *text = task->text;
  return TRUE;
}

guint
lean_spec_get_n_transitions (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), 0);
  return ensure_transitions (self)->len;
}

gboolean
lean_spec_get_transition (LeanSpec    *self,
                          guint        index,
                          const char **status,
                          const char **at)
{
  const Transition *t;

  g_return_val_if_fail (LEAN_IS_SPEC (self), FALSE);

  if (index >= ensure_transitions (self)->len)
    return FALSE;
  t = &g_array_index (self->transitions, Transition, index);
  if (status)
    *status = t->status;
  if (at)
    *at = t->at;
  return TRUE;
}

const char *
_lean_spec_get_project_root (LeanSpec *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC (self), NULL);
  return self->root;
}
