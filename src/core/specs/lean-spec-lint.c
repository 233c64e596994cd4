/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "lean-frontmatter.h"
#include "lean-spec-lint.h"
#include "lean-spec-private.h"
#include "lean-tokens.h"

/* The messages are LeanSpec's own words (leanspec-core's validators), so
 * they read the same as in its CLI and web UI; they stay untranslated for
 * that reason, like the messages of a compiler. */

#define LENGTH_WARN 3500
#define LENGTH_MAX  5000

static const char * const type_names[LEAN_LINT_N_TYPES] = {
  "frontmatter", "structure", "length", "parent", "dependencies",
};

const char *
lean_lint_type_to_string (LeanLintType type)
{
  return type < LEAN_LINT_N_TYPES ? type_names[type] : "frontmatter";
}

const char *
lean_lint_status_to_string (LeanLintStatus status)
{
  return status == LEAN_LINT_FAIL ? "fail" : status == LEAN_LINT_WARN ? "warn" : "pass";
}

const char *
lean_lint_severity_to_string (LeanLintSeverity severity)
{
  return severity == LEAN_LINT_SEVERITY_ERROR ? "error" :
         severity == LEAN_LINT_SEVERITY_WARNING ? "warning" : "info";
}

void
_lean_lint_issue_clear (gpointer data)
{
  g_free (((LeanLintIssue *)data)->message);
}

static void
add (GArray           *issues,
     LeanLintSeverity  severity,
     LeanLintType      type,
     char             *message)
{
  LeanLintIssue issue = { severity, type, message };

  g_array_append_val (issues, issue);
}

/* Unicode White_Space, the set Rust's trim() and the regex crate's \s use. */
static gboolean
is_space_at (const char *p,
             const char *end,
             gsize      *len)
{
  gunichar c;

  if ((guint8)*p < 0x80)
    {
      *len = 1;
      return *p == ' ' || (*p >= 0x09 && *p <= 0x0d);
    }
  c = g_utf8_get_char_validated (p, end - p);
  if (c == (gunichar)-1 || c == (gunichar)-2)
    {
      *len = 1;
      return FALSE;
    }
  *len = g_utf8_skip[(guint8)*p];
  return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
         c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  gsize len;

  while (p < end && is_space_at (p, end, &len))
    p += len;
  return p;
}

/* Where trailing white space starts in [@s, @end). */
static const char *
trim_space_end (const char *s,
                const char *end)
{
  gsize n;

  while (end > s)
    {
      const char *q = end - 1;

      while (q > s && ((guint8)*q & 0xc0) == 0x80)
        q--;
      if (!is_space_at (q, end, &n))
        break;
      end = q;
    }
  return end;
}

static gboolean
is_blank (const char *p,
          const char *end)
{
  return skip_space (p, end) == end;
}

/* A plain scalar YAML reads as null, a boolean or a number is no string
 * to LeanSpec (serde_yaml's as_str()), so it is skipped or missing. */
static GRegex *
number_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex,
                       g_regex_new ("^(?:[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)|"
                                    "[-+]?(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9_]+)"
                                    "(?:[eE][-+]?[0-9]+)?|"
                                    "[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$",
                                    G_REGEX_OPTIMIZE, 0, NULL));
  return regex;
}

static gboolean
is_yaml_string (const LeanFmNode *node)
{
  const char *v;

  if (node == NULL || node->kind != LEAN_FM_NODE_SCALAR)
    return FALSE;
  if (node->style != LEAN_FM_STYLE_PLAIN)
    return TRUE;
  if (lean_fm_node_is_null (node))
    return FALSE;
  v = node->value;
  if (g_ascii_strcasecmp (v, "true") == 0 || g_ascii_strcasecmp (v, "false") == 0)
    return FALSE;
  if (!g_ascii_isdigit (v[0]) && v[0] != '-' && v[0] != '+' && v[0] != '.')
    return TRUE;
  return !g_regex_match (number_regex (), v, 0, NULL);
}

/* LeanSpec's reading of a list field: a sequence gives its string items;
 * a string "[...]" is read as a JSON array of strings, any other string
 * (or a bad array) is split at commas and each part trimmed. */
static GPtrArray *
string_list (LeanFrontmatter *fm,
             const char      *key)
{
  const LeanFmNode *node = fm != NULL ? lean_frontmatter_lookup (fm, key) : NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *v;
  gsize len;

  if (node == NULL)
    return out;
  if (node->kind == LEAN_FM_NODE_SEQUENCE)
    {
      for (guint i = 0; i < node->items->len; i++)
        {
          const LeanFmNode *item = g_ptr_array_index (node->items, i);

          if (is_yaml_string (item))
            g_ptr_array_add (out, g_strdup (item->value));
        }
      return out;
    }
  if (!is_yaml_string (node))
    return out;

  v = node->value;
  len = strlen (v);
  if (len >= 2 && v[0] == '[' && v[len - 1] == ']')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, v, len, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
        {
          JsonArray *array = json_node_get_array (root);
          gboolean all_strings = TRUE;

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *e = json_array_get_element (array, i);

              if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
                all_strings = FALSE;
            }
          if (all_strings)
            {
              for (guint i = 0; i < json_array_get_length (array); i++)
                g_ptr_array_add (out, g_strdup (json_array_get_string_element (array, i)));
              return out;
            }
        }
    }

  for (const char *p = v;;)
    {
      const char *comma = strchr (p, ',');
      const char *end = comma != NULL ? comma : p + strlen (p);
      const char *s = skip_space (p, end);
      const char *e = trim_space_end (s, end);

      g_ptr_array_add (out, g_strndup (s, e - s));
      if (comma == NULL)
        break;
      p = comma + 1;
    }
  return out;
}

static gboolean
valid_date (const char *s)
{
  guint y, m, d;

  /* chrono's "%Y-%m-%d" on exactly ten bytes. */
  for (int i = 0; i < 10; i++)
    if ((i == 4 || i == 7) ? s[i] != '-' : !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  return g_date_valid_dmy (d, m, y);
}

static void
check_frontmatter (LeanFrontmatter *fm,
                   GArray          *issues)
{
  const LeanFmNode *status_node = lean_frontmatter_lookup (fm, "status");
  const LeanFmNode *created = lean_frontmatter_lookup (fm, "created");
  const LeanFmNode *priority = lean_frontmatter_lookup (fm, "priority");
  LeanSpecStatus status = LEAN_SPEC_STATUS_NONE;
  g_autoptr(GPtrArray) tags = NULL;
  g_autoptr(GPtrArray) deps = NULL;

  if (!lean_frontmatter_has_front_matter (fm))
    {
      add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
           g_strdup ("No frontmatter found in content"));
      return;
    }

  /* LeanSpec cannot load a spec without these; it is left out of its
   * lists. Here it is shown, failing. */
  if (!is_yaml_string (status_node))
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup ("Missing required field: status"));
  else if (!lean_spec_status_from_string (status_node->value, &status))
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup_printf ("Invalid field value: status = %s", status_node->value));

  /* LeanSpec's web UI checks the completion date on a copy of the spec
   * that has none, so every complete spec gets this note there. */
  if (status == LEAN_SPEC_STATUS_COMPLETE)
    add (issues, LEAN_LINT_SEVERITY_INFO, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup ("Completed spec without completion date"));

  if (!is_yaml_string (created))
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup ("Missing required field: created"));
  else if (strlen (created->value) != 10)
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup_printf ("Invalid created date format: '%s'. Expected YYYY-MM-DD",
                          created->value));
  else if (!valid_date (created->value))
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup_printf ("Invalid created date: '%s'. Expected YYYY-MM-DD", created->value));

  if (is_yaml_string (priority))
    {
      if (!lean_spec_priority_from_string (priority->value, NULL))
        add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
             g_strdup_printf ("Invalid field value: priority = %s", priority->value));
    }
  else if (status == LEAN_SPEC_STATUS_PLANNED)
    add (issues, LEAN_LINT_SEVERITY_INFO, LEAN_LINT_TYPE_FRONTMATTER,
         g_strdup ("Planned spec without priority. Consider adding priority for planning."));

  tags = string_list (fm, "tags");
  for (guint i = 0; i < tags->len; i++)
    {
      const char *tag = g_ptr_array_index (tags, i);

      if (is_blank (tag, tag + strlen (tag)))
        add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_FRONTMATTER,
             g_strdup ("Empty tag found in tags array"));
      if (strchr (tag, ' ') != NULL)
        add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_FRONTMATTER,
             g_strdup_printf ("Tag '%s' contains spaces. Consider using kebab-case.", tag));
    }

  deps = string_list (fm, "depends_on");
  for (guint i = 0; i < deps->len; i++)
    {
      const char *dep = g_ptr_array_index (deps, i);

      if (is_blank (dep, dep + strlen (dep)))
        add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
             g_strdup ("Empty dependency reference in depends_on"));
    }
}

/* Lines as Rust's str::lines() gives them. */
typedef struct
{
  const char *start;
  gsize len;
} Line;

static GArray *
split_lines (const char *p,
             const char *end)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      Line line = { p, (nl != NULL ? nl : end) - p };

      if (nl != NULL && line.len > 0 && p[line.len - 1] == '\r')
        line.len--;
      g_array_append_val (lines, line);
      p = nl != NULL ? nl + 1 : end;
    }
  return lines;
}

typedef struct
{
  guint level;
  guint line;           /* 1-based */
  char *text;
} Heading;

static void
heading_clear (gpointer data)
{
  g_free (((Heading *)data)->text);
}

static guint
count_backticks (const Line *line)
{
  guint n = 0;

  while (n < line->len && line->start[n] == '`')
    n++;
  return n;
}

/* LeanSpec's heading: ^(#{1,6})\s+(.+)$, the text trimmed; fenced code
 * (``` at the start of a line, closed by at least as many) has none. */
static GArray *
find_headings (GArray *lines)
{
  GArray *headings = g_array_new (FALSE, FALSE, sizeof (Heading));
  guint fence = 0;

  g_array_set_clear_func (headings, heading_clear);
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      const char *end = line->start + line->len;
      guint ticks = count_backticks (line);
      guint level = 0;
      const char *p;
      gsize n;

      if (fence == 0)
        {
          if (ticks >= 3)
            {
              fence = ticks;
              continue;
            }
        }
      else
        {
          if (ticks >= fence && is_blank (line->start + ticks, end))
            fence = 0;
          continue;
        }

      while (level < line->len && line->start[level] == '#')
        level++;
      if (level == 0 || level > 6)
        continue;
      p = line->start + level;
      if (p >= end || !is_space_at (p, end, &n) || p + n >= end)
        continue;
      {
        const char *s = skip_space (p, end);
        const char *e = trim_space_end (s, end);
        Heading h;

        h.level = level;
        h.line = i + 1;
        h.text = g_strndup (s, e - s);
        g_array_append_val (headings, h);
      }
    }
  return headings;
}

static void
check_structure (const char *body,
                 gsize       len,
                 GArray     *issues)
{
  g_autoptr(GArray) lines = split_lines (body, body + len);
  g_autoptr(GArray) headings = find_headings (lines);
  guint h1 = 0;

  for (guint i = 0; i < headings->len; i++)
    if (g_array_index (headings, Heading, i).level == 1)
      h1++;
  if (h1 == 0)
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_STRUCTURE,
         g_strdup ("Missing title (# heading)"));
  else if (h1 > 1)
    add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_STRUCTURE,
         g_strdup ("Multiple h1 headings found. Specs should have a single title."));

  for (guint i = 0; i < headings->len; i++)
    {
      const Heading *h = &g_array_index (headings, Heading, i);
      const Heading *next = i + 1 < headings->len ? &g_array_index (headings, Heading, i + 1) : NULL;
      guint end_line = next != NULL ? next->line : lines->len + 1;
      guint filled = 0;

      if (h->level != 2 || (next != NULL && next->level > h->level))
        continue;
      for (guint l = h->line; l + 1 < end_line && l < lines->len; l++)
        {
          const Line *line = &g_array_index (lines, Line, l);

          if (!is_blank (line->start, line->start + line->len))
            filled++;
        }
      if (filled == 0)
        add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_STRUCTURE,
             g_strdup_printf ("Empty section: ## %s", h->text));
    }
}

/* The body as LeanSpec's front matter parser cuts it: from the start with
 * white space trimmed, past "---", the first "\n---" and its three dashes
 * (the rest of that line stays), without the line breaks that follow. */
static const char *
reference_body (const char *data,
                gsize       len,
                gsize      *body_len)
{
  const char *end = data + len;
  const char *p = skip_space (data, end);
  const char *q;

  if ((gsize)(end - p) < 3 || memcmp (p, "---", 3) != 0)
    {
      *body_len = len;
      return data;
    }
  for (q = p + 3; q + 4 <= end; q++)
    if (memcmp (q, "\n---", 4) == 0)
      break;
  if (q + 4 > end)
    {
      *body_len = len;
      return data;
    }
  q += 4;
  while (q < end && *q == '\n')
    q++;
  *body_len = end - q;
  return q;
}

void
_lean_spec_lint_bytes (LeanFrontmatter *fm,
                       const char      *data,
                       gsize            len,
                       GArray          *issues,
                       guint           *tokens,
                       guint           *body_tokens)
{
  gsize body_len;
  const char *body = reference_body (data, len, &body_len);
  gsize after;

  check_frontmatter (fm, issues);
  check_structure (body, body_len, issues);
  *tokens = MIN (_lean_tokens_count_split (data, len, body - data, &after), G_MAXUINT);
  *body_tokens = MIN (after, G_MAXUINT);
}

struct _LeanLintIndex
{
  GPtrArray *specs;
  GHashTable *by_id;           /* id -> LeanSpec */
  GHashTable *open_children;   /* id -> GUINT (children neither complete nor archived) */
  GHashTable *dep_cycle;       /* LeanSpec -> TRUE: a depends_on cycle is reachable */
};

/* Marks every spec from which a depends_on cycle can be reached, as
 * LeanSpec's graph check does per spec: a depth-first walk that keeps
 * the path on a stack, iterative so a long chain cannot overflow. */
static void
find_dep_cycles (LeanLintIndex *index)
{
  g_autoptr(GHashTable) state = g_hash_table_new (NULL, NULL);  /* 1 on path, 2 done */
  typedef struct { LeanSpec *spec; guint next; } Frame;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));

  for (guint s = 0; s < index->specs->len; s++)
    {
      LeanSpec *root = g_ptr_array_index (index->specs, s);
      Frame f = { root, 0 };

      if (g_hash_table_contains (state, root))
        continue;
      g_hash_table_insert (state, root, GUINT_TO_POINTER (1));
      g_array_append_val (stack, f);

      while (stack->len > 0)
        {
          Frame *top = &g_array_index (stack, Frame, stack->len - 1);
          const char * const *deps = lean_spec_get_depends_on (top->spec);

          if (deps[top->next] != NULL)
            {
              LeanSpec *dep = g_hash_table_lookup (index->by_id, deps[top->next++]);
              guint st;

              if (dep == NULL)
                continue;
              st = GPOINTER_TO_UINT (g_hash_table_lookup (state, dep));
              if (st == 1 || (st == 2 && g_hash_table_contains (index->dep_cycle, dep)))
                {
                  /* Everything on the path reaches this cycle. */
                  for (guint k = 0; k < stack->len; k++)
                    g_hash_table_add (index->dep_cycle, g_array_index (stack, Frame, k).spec);
                }
              else if (st == 0)
                {
                  Frame child = { dep, 0 };

                  g_hash_table_insert (state, dep, GUINT_TO_POINTER (1));
                  g_array_append_val (stack, child);
                }
              continue;
            }
          g_hash_table_insert (state, top->spec, GUINT_TO_POINTER (2));
          g_array_set_size (stack, stack->len - 1);
        }
    }
}

LeanLintIndex *
lean_lint_index_new (GPtrArray *specs)
{
  LeanLintIndex *index = g_new0 (LeanLintIndex, 1);

  g_return_val_if_fail (specs != NULL, index);

  index->specs = g_ptr_array_new_with_free_func (g_object_unref);
  index->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  index->open_children = g_hash_table_new (g_str_hash, g_str_equal);
  index->dep_cycle = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);

      g_ptr_array_add (index->specs, g_object_ref (spec));
      /* The first of two specs with one id wins, as in a map built in order. */
      if (!g_hash_table_contains (index->by_id, lean_spec_get_id (spec)))
        g_hash_table_insert (index->by_id, (gpointer)lean_spec_get_id (spec), spec);
    }
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      const char *parent = lean_spec_get_parent (spec);
      LeanSpecStatus st = lean_spec_get_status (spec);

      if (parent != NULL && st != LEAN_SPEC_STATUS_COMPLETE && st != LEAN_SPEC_STATUS_ARCHIVED)
        g_hash_table_insert (index->open_children, (gpointer)parent,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (
                               g_hash_table_lookup (index->open_children, parent)) + 1));
    }
  find_dep_cycles (index);
  return index;
}

void
lean_lint_index_free (LeanLintIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->by_id);
  g_hash_table_unref (index->open_children);
  g_hash_table_unref (index->dep_cycle);
  g_ptr_array_unref (index->specs);
  g_free (index);
}

static gboolean
has_parent_cycle (LeanLintIndex *index,
                  LeanSpec      *spec)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *id = lean_spec_get_id (spec);
  LeanSpec *current = spec;

  while (current != NULL)
    {
      const char *parent = lean_spec_get_parent (current);

      if (parent == NULL)
        return FALSE;
      if (g_str_equal (parent, id) || !g_hash_table_add (seen, (gpointer)parent))
        return TRUE;
      current = g_hash_table_lookup (index->by_id, parent);
    }
  return FALSE;
}

static void
check_relationships (LeanSpec      *spec,
                     LeanLintIndex *index,
                     GArray        *issues)
{
  const char *id = lean_spec_get_id (spec);
  const char *parent = lean_spec_get_parent (spec);
  const char * const *deps = lean_spec_get_depends_on (spec);

  if (parent != NULL)
    {
      if (g_str_equal (parent, id))
        add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_PARENT,
             g_strdup ("Spec cannot be its own parent"));
      else if (!g_hash_table_contains (index->by_id, parent))
        add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_PARENT,
             g_strdup_printf ("Parent spec not found: %s", parent));
      else if (has_parent_cycle (index, spec))
        add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_PARENT,
             g_strdup ("Circular parent relationship detected"));
    }
  if (lean_spec_get_status (spec) == LEAN_SPEC_STATUS_COMPLETE &&
      g_hash_table_contains (index->open_children, id))
    add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_PARENT,
         g_strdup ("Parent marked complete while child specs are still active"));

  for (guint i = 0; deps[i] != NULL; i++)
    if (!g_hash_table_contains (index->by_id, deps[i]))
      add (issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_DEPENDENCIES,
           g_strdup_printf ("References non-existent spec: %s", deps[i]));
  if (g_hash_table_contains (index->dep_cycle, spec))
    add (issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_DEPENDENCIES,
         g_strdup ("Circular dependency detected"));
}

static LeanLintStatus
status_of (GArray *issues)
{
  LeanLintStatus status = LEAN_LINT_PASS;

  for (guint i = 0; i < issues->len; i++)
    {
      LeanLintSeverity s = g_array_index (issues, LeanLintIssue, i).severity;

      if (s == LEAN_LINT_SEVERITY_ERROR)
        return LEAN_LINT_FAIL;
      if (s == LEAN_LINT_SEVERITY_WARNING)
        status = LEAN_LINT_WARN;
    }
  return status;
}

LeanSpecLint *
lean_spec_lint (LeanSpec      *spec,
                LeanLintIndex *index)
{
  LeanSpecLint *lint = g_new0 (LeanSpecLint, 1);
  const char * const *deps;
  guint n_local, body_tokens;
  guint i;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), lint);

  lint->issues = g_array_new (FALSE, FALSE, sizeof (LeanLintIssue));
  g_array_set_clear_func (lint->issues, _lean_lint_issue_clear);

  n_local = _lean_spec_get_n_lint_issues (spec);
  for (i = 0; i < n_local; i++)
    {
      const LeanLintIssue *issue = _lean_spec_get_lint_issue (spec, i);

      if (issue->type != LEAN_LINT_TYPE_FRONTMATTER)
        break;
      add (lint->issues, issue->severity, issue->type, g_strdup (issue->message));
    }

  /* The one check of the spec itself that needs its folder name. */
  deps = lean_spec_get_depends_on (spec);
  for (guint k = 0; deps[k] != NULL; k++)
    if (g_str_equal (deps[k], lean_spec_get_id (spec)))
      add (lint->issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_FRONTMATTER,
           g_strdup ("Spec cannot depend on itself"));

  for (; i < n_local; i++)
    {
      const LeanLintIssue *issue = _lean_spec_get_lint_issue (spec, i);

      add (lint->issues, issue->severity, issue->type, g_strdup (issue->message));
    }

  body_tokens = _lean_spec_get_body_tokens (spec);
  if (body_tokens > LENGTH_MAX)
    add (lint->issues, LEAN_LINT_SEVERITY_ERROR, LEAN_LINT_TYPE_LENGTH,
         g_strdup_printf ("Spec has %u tokens, exceeds maximum of %d. "
                          "Consider splitting into smaller specs.", body_tokens, LENGTH_MAX));
  else if (body_tokens > LENGTH_WARN)
    add (lint->issues, LEAN_LINT_SEVERITY_WARNING, LEAN_LINT_TYPE_LENGTH,
         g_strdup_printf ("Spec has %u tokens, approaching maximum of %d. "
                          "Consider splitting if content grows.", body_tokens, LENGTH_MAX));

  if (index != NULL)
    check_relationships (spec, index, lint->issues);

  lint->status = status_of (lint->issues);
  return lint;
}

LeanLintStatus
lean_spec_lint_status (LeanSpec      *spec,
                       LeanLintIndex *index)
{
  g_autoptr(LeanSpecLint) lint = NULL;
  LeanLintStatus status = LEAN_LINT_PASS;
  guint body_tokens;
  const char * const *deps;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), LEAN_LINT_PASS);

  /* The cheap checks first: most specs end here without a message built. */
  for (guint i = 0; i < _lean_spec_get_n_lint_issues (spec); i++)
    {
      LeanLintSeverity s = _lean_spec_get_lint_issue (spec, i)->severity;

      if (s == LEAN_LINT_SEVERITY_ERROR)
        return LEAN_LINT_FAIL;
      if (s == LEAN_LINT_SEVERITY_WARNING)
        status = LEAN_LINT_WARN;
    }
  body_tokens = _lean_spec_get_body_tokens (spec);
  if (body_tokens > LENGTH_MAX)
    return LEAN_LINT_FAIL;
  if (body_tokens > LENGTH_WARN)
    status = LEAN_LINT_WARN;
  deps = lean_spec_get_depends_on (spec);
  for (guint k = 0; deps[k] != NULL; k++)
    if (g_str_equal (deps[k], lean_spec_get_id (spec)))
      return LEAN_LINT_FAIL;
  if (index == NULL)
    return status;

  lint = lean_spec_lint (spec, index);
  return lint->status;
}

void
lean_spec_lint_free (LeanSpecLint *lint)
{
  if (lint == NULL)
    return;
  g_clear_pointer (&lint->issues, g_array_unref);
  g_free (lint);
}
