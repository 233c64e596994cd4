/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <yaml.h>

#include "lean-error.h"
#include "lean-frontmatter.h"

struct _LeanFrontmatter
{
  gatomicrefcount ref_count;
  GBytes *contents;
  const char *data;
  gsize len;

  gboolean has_front_matter;
  gsize content_start;  /* after the BOM */
  gsize yaml_start;     /* first byte after the opening --- line */
  gsize yaml_end;       /* first byte of the closing --- line */
  guint yaml_line;      /* 1-based line of yaml_start */
  gsize body_offset;
  guint body_line;
  const char *newline;

  LeanFmNode *root;     /* a mapping, or NULL when there are no keys */

  /* Nodes and their strings live in a few blocks freed together: parsing
   * thousands of specs would otherwise be mostly malloc and free. */
  struct _Block *blocks;
};

typedef struct _Block
{
  struct _Block *next;
  gsize used;
  gsize size;
  char data[];
} Block;

static gpointer
fm_alloc (LeanFrontmatter *fm,
          gsize            size)
{
  gpointer p;

  size = (size + 7) & ~(gsize)7;
  if (fm->blocks == NULL || fm->blocks->used + size > fm->blocks->size)
    {
      gsize block_size = MAX (2048, size);
      Block *block = g_malloc (sizeof (Block) + block_size);

      block->next = fm->blocks;
      block->used = 0;
      block->size = block_size;
      fm->blocks = block;
    }
  p = fm->blocks->data + fm->blocks->used;
  fm->blocks->used += size;
  return p;
}

static char *
fm_strndup (LeanFrontmatter *fm,
            const char      *str,
            gsize            len)
{
  char *copy = fm_alloc (fm, len + 1);

  memcpy (copy, str, len);
  copy[len] = '\0';
  return copy;
}

typedef struct
{
  LeanFrontmatter *fm;
  yaml_parser_t parser;
  guint32 *char_map;    /* char index -> byte offset from yaml_start; NULL if ASCII */
  gsize n_chars;
  guint depth;          /* collections open around the current event */
} ParseCtx;

/* Frees what a node holds outside the blocks: its items arrays. */
static void
lean_fm_node_free (gpointer data)
{
  LeanFmNode *node = data;

  if (node == NULL || node->items == NULL)
    return;
  for (guint i = 0; i < node->items->len; i++)
    lean_fm_node_free (g_ptr_array_index (node->items, i));
  g_clear_pointer (&node->items, g_ptr_array_unref);
}

LeanFrontmatter *
lean_frontmatter_ref (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lean_frontmatter_unref (LeanFrontmatter *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      lean_fm_node_free (self->root);
      while (self->blocks != NULL)
        {
          Block *next = self->blocks->next;
          g_free (self->blocks);
          self->blocks = next;
        }
      g_bytes_unref (self->contents);
      g_free (self);
    }
}

static guint
count_lines (const char *data,
             gsize       from,
             gsize       to)
{
  guint n = 0;
  const char *p = data + from;
  const char *end = data + to;

  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      n++;
      p++;
    }
  return n;
}

static gsize
map_index (ParseCtx *ctx,
           gsize     index)
{
  if (ctx->char_map == NULL)
    return ctx->fm->yaml_start + index;
  if (index > ctx->n_chars)
    index = ctx->n_chars;
  return ctx->fm->yaml_start + ctx->char_map[index];
}

static void
set_yaml_error (ParseCtx  *ctx,
                GError   **error)
{
  yaml_parser_t *p = &ctx->parser;
  const yaml_mark_t *mark = &p->problem_mark;
  guint line = ctx->fm->yaml_line + mark->line;
  guint column = mark->column + 1;

  if (p->context != NULL && p->context_mark.line != mark->line)
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                 _("front matter is not valid YAML: %s at line %u, column %u (%s at line %zu); "
                 "fix the YAML between the --- lines"),
                 p->problem ? p->problem : "syntax error", line, column, p->context,
                 ctx->fm->yaml_line + p->context_mark.line);
  else
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                 _("front matter is not valid YAML: %s at line %u, column %u; "
                 "fix the YAML between the --- lines"),
                 p->problem ? p->problem : "syntax error", line, column);
}

static LeanFmNode *
node_new (ParseCtx           *ctx,
          LeanFmNodeKind      kind,
          const yaml_event_t *event)
{
  LeanFmNode *node = fm_alloc (ctx->fm, sizeof (LeanFmNode));

  memset (node, 0, sizeof *node);
  node->kind = kind;
  node->start = map_index (ctx, event->start_mark.index);
  node->end = map_index (ctx, event->end_mark.index);
  node->line = ctx->fm->yaml_line + event->start_mark.line;
  node->column = event->start_mark.column;
  return node;
}

static LeanFmNode *parse_node (ParseCtx *ctx, yaml_event_t *event, GError **error);

static gboolean
next_event (ParseCtx      *ctx,
            yaml_event_t  *event,
            GError       **error)
{
  if (!yaml_parser_parse (&ctx->parser, event))
    {
      set_yaml_error (ctx, error);
      return FALSE;
    }
  return TRUE;
}

/* Consumes the events of a collection up to its end event; @event is the
 * start event (still owned by the caller). */
static LeanFmNode *
parse_collection (ParseCtx      *ctx,
                  yaml_event_t  *event,
                  GError       **error)
{
  gboolean is_seq = event->type == YAML_SEQUENCE_START_EVENT;
  yaml_event_type_t end_type = is_seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
  gboolean flow;
  LeanFmNode *node;

  /* Collections are read by recursion: a hostile file nesting thousands
   * deep would overflow the stack, and no spec needs more than a few. */
  if (ctx->depth >= LEAN_FRONTMATTER_MAX_DEPTH)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("front matter nests lists or mappings more than %u levels deep "
                     "(at line %zu); flatten the YAML between the --- lines"),
                   LEAN_FRONTMATTER_MAX_DEPTH,
                   ctx->fm->yaml_line + event->start_mark.line);
      return NULL;
    }

  if (is_seq)
    flow = event->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
  else
    flow = event->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;

  node = node_new (ctx, is_seq ? LEAN_FM_NODE_SEQUENCE : LEAN_FM_NODE_MAPPING, event);
  node->style = flow ? LEAN_FM_STYLE_FLOW : LEAN_FM_STYLE_BLOCK;
  node->items = g_ptr_array_new ();

  for (;;)
    {
      yaml_event_t child_event;
      LeanFmNode *child;

      if (!next_event (ctx, &child_event, error))
        {
          lean_fm_node_free (node);
          return NULL;
        }

      if (child_event.type == end_type)
        {
          /* A flow collection ends at its bracket; a block one ends with its
           * last item (libyaml puts the block end at the next token, which
           * would swallow comments that belong to the next key). */
          if (flow)
            node->end = map_index (ctx, child_event.end_mark.index);
          else if (node->items->len > 0)
            node->end = ((LeanFmNode *)g_ptr_array_index (node->items, node->items->len - 1))->end;
          yaml_event_delete (&child_event);
          return node;
        }

      ctx->depth++;
      child = parse_node (ctx, &child_event, error);
      ctx->depth--;
      yaml_event_delete (&child_event);
      if (child == NULL)
        {
          lean_fm_node_free (node);
          return NULL;
        }
      g_ptr_array_add (node->items, child);
    }
}

static LeanFmNode *
parse_node (ParseCtx      *ctx,
            yaml_event_t  *event,
            GError       **error)
{
  LeanFmNode *node;

  switch ((int)event->type)
    {
    case YAML_SCALAR_EVENT:
      node = node_new (ctx, LEAN_FM_NODE_SCALAR, event);
      node->value = fm_strndup (ctx->fm, (const char *)event->data.scalar.value,
                                event->data.scalar.length);
      switch (event->data.scalar.style)
        {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: node->style = LEAN_FM_STYLE_SINGLE_QUOTED; break;
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: node->style = LEAN_FM_STYLE_DOUBLE_QUOTED; break;
        case YAML_LITERAL_SCALAR_STYLE:       node->style = LEAN_FM_STYLE_LITERAL; break;
        case YAML_FOLDED_SCALAR_STYLE:        node->style = LEAN_FM_STYLE_FOLDED; break;
        case YAML_ANY_SCALAR_STYLE:
        case YAML_PLAIN_SCALAR_STYLE:
        default:                              node->style = LEAN_FM_STYLE_PLAIN; break;
        }
      return node;

    case YAML_ALIAS_EVENT:
      /* Anchors and aliases are not part of the LeanSpec format; keep the
       * alias text so the key is not lost. */
      node = node_new (ctx, LEAN_FM_NODE_SCALAR, event);
      {
        gsize len = strlen ((const char *)event->data.alias.anchor);

        node->value = fm_alloc (ctx->fm, len + 2);
        node->value[0] = '*';
        memcpy (node->value + 1, event->data.alias.anchor, len + 1);
      }
      return node;

    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      return parse_collection (ctx, event, error);

    default:
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("front matter has an unexpected YAML structure at line %zu"),
                   ctx->fm->yaml_line + event->start_mark.line);
      return NULL;
    }
}

static gboolean
parse_yaml (LeanFrontmatter  *fm,
            GError          **error)
{
  ParseCtx ctx = { fm, };
  const guchar *region = (const guchar *)fm->data + fm->yaml_start;
  gsize region_len = fm->yaml_end - fm->yaml_start;
  gboolean ascii = TRUE;
  gboolean ok = FALSE;
  yaml_event_t event;
  LeanFmNode *root = NULL;

  for (gsize i = 0; i < region_len; i++)
    if (region[i] >= 0x80)
      {
        ascii = FALSE;
        break;
      }

  /* libyaml's marks count characters, not bytes: map them back. */
  if (!ascii)
    {
      const char *p = (const char *)region;
      const char *end = p + region_len;
      gsize n = 0;

      ctx.char_map = g_new (guint32, region_len + 1);
      while (p < end)
        {
          ctx.char_map[n++] = p - (const char *)region;
          p = g_utf8_next_char (p);
        }
      ctx.char_map[n] = region_len;
      ctx.n_chars = n;
    }

  yaml_parser_initialize (&ctx.parser);
  yaml_parser_set_input_string (&ctx.parser, region, region_len);

  for (;;)
    {
      if (!next_event (&ctx, &event, error))
        goto out;

      if (event.type == YAML_STREAM_END_EVENT)
        {
          yaml_event_delete (&event);
          break;
        }

      if (event.type == YAML_SCALAR_EVENT ||
          event.type == YAML_SEQUENCE_START_EVENT ||
          event.type == YAML_MAPPING_START_EVENT ||
          event.type == YAML_ALIAS_EVENT)
        {
          LeanFmNode *node;
          guint line = fm->yaml_line + event.start_mark.line;

          if (root != NULL)
            {
              yaml_event_delete (&event);
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("front matter holds more than one YAML document (line %u)"), line);
              goto out;
            }

          node = parse_node (&ctx, &event, error);
          yaml_event_delete (&event);
          if (node == NULL)
            goto out;

          if (node->kind == LEAN_FM_NODE_SCALAR && node->value[0] == '\0' &&
              node->style == LEAN_FM_STYLE_PLAIN)
            {
              /* Only comments or blank lines: no keys. */
              lean_fm_node_free (node);
              continue;
            }
          if (node->kind != LEAN_FM_NODE_MAPPING)
            {
              lean_fm_node_free (node);
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("front matter must be \"key: value\" lines, but line %u is not"),
                           line);
              goto out;
            }
          root = node;
          continue;
        }

      yaml_event_delete (&event);
    }

  if (root != NULL)
    {
      GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i + 1 < root->items->len; i += 2)
        {
          LeanFmNode *key = g_ptr_array_index (root->items, i);
          LeanFmNode *prev;

          if (key->kind != LEAN_FM_NODE_SCALAR)
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("front matter line %u: a key must be plain text"), key->line);
              g_hash_table_unref (seen);
              goto out;
            }
          if ((prev = g_hash_table_lookup (seen, key->value)) != NULL)
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("front matter key \"%s\" appears twice (lines %u and %u); keep one"),
                           key->value, prev->line, key->line);
              g_hash_table_unref (seen);
              goto out;
            }
          g_hash_table_insert (seen, key->value, key);
        }
      g_hash_table_unref (seen);
    }

  fm->root = g_steal_pointer (&root);
  ok = TRUE;

out:
  lean_fm_node_free (root);
  yaml_parser_delete (&ctx.parser);
  g_free (ctx.char_map);
  return ok;
}

/* Length of the leading pure-ASCII run of @data, 8 bytes at a time: most
 * spec files are ASCII, and GLib 2.74 validates UTF-8 a byte at a time. */
static gsize
ascii_prefix (const char *data,
              gsize       len)
{
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        break;
    }
  while (i < len && (guchar)data[i] < 0x80)
    i++;
  return i;
}

/* The first byte that is not part of valid UTF-8 text (a NUL counts as
 * invalid), or NULL. ASCII runs go 8 bytes at a time; only the non-ASCII
 * characters go through GLib, one by one. */
static const char *
find_invalid_utf8 (const char *data,
                   gsize       len)
{
  const char *nul = memchr (data, '\0', len);
  gsize i = 0;

  if (nul != NULL)
    len = nul - data;

  while (i < len)
    {
      gunichar c;

      i += ascii_prefix (data + i, len - i);
      if (i >= len)
        break;
      c = g_utf8_get_char_validated (data + i, len - i);
      if (c == (gunichar)-1 || c == (gunichar)-2)
        return data + i;
      i += g_utf8_skip[(guchar)data[i]];
    }
  return nul;
}

/* Is the line [p, eol) a "---" fence (trailing blanks allowed)? */
static gboolean
is_fence (const char *p,
          const char *eol)
{
  if (eol - p < 3 || memcmp (p, "---", 3) != 0)
    return FALSE;
  for (p += 3; p < eol; p++)
    if (*p != ' ' && *p != '\t' && *p != '\r')
      return FALSE;
  return TRUE;
}

LeanFrontmatter *
lean_frontmatter_parse (GBytes  *contents,
                        GError **error)
{
  g_autoptr(LeanFrontmatter) fm = NULL;
  const char *data;
  const char *end;
  const char *invalid = NULL;
  const char *p;
  const char *eol;
  gsize len;

  g_return_val_if_fail (contents != NULL, NULL);

  data = g_bytes_get_data (contents, &len);
  if (data == NULL)
    data = "";

  fm = g_new0 (LeanFrontmatter, 1);
  g_atomic_ref_count_init (&fm->ref_count);
  fm->contents = g_bytes_ref (contents);
  fm->data = data;
  fm->len = len;
  fm->newline = "\n";
  fm->body_line = 1;

  invalid = find_invalid_utf8 (data, len);
  if (invalid != NULL)
    {
      guint line = count_lines (data, 0, invalid - data) + 1;
      const char *bol = invalid;

      while (bol > data && bol[-1] != '\n')
        bol--;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("the file is not valid UTF-8 (bad byte 0x%02x at line %u, column %zu); "
                   "save it as UTF-8"),
                   (guchar)*invalid, line, (gsize)(invalid - bol) + 1);
      return NULL;
    }

  end = data + len;
  p = data;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("the file is empty; it needs front matter (---, status: planned, ---) "
                           "and a # title"));
      return NULL;
    }

  p = data;
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  fm->content_start = p - data;
  fm->body_offset = fm->content_start;

  eol = memchr (p, '\n', end - p);
  if (eol != NULL && eol > p && eol[-1] == '\r')
    fm->newline = "\r\n";

  if (!is_fence (p, eol ? eol : end) || eol == NULL)
    return g_steal_pointer (&fm);

  fm->has_front_matter = TRUE;
  fm->yaml_start = eol + 1 - data;
  fm->yaml_line = 2;

  for (p = eol + 1; p < end; p = eol + 1)
    {
      eol = memchr (p, '\n', end - p);
      if (is_fence (p, eol ? eol : end))
        {
          fm->yaml_end = p - data;
          fm->body_offset = eol ? (gsize)(eol + 1 - data) : len;
          break;
        }
      if (eol == NULL)
        break;
    }

  if (fm->yaml_end == 0)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                           _("the front matter that starts with --- on line 1 is never closed; "
                           "add a line with --- after the last key"));
      return NULL;
    }

  fm->body_line = count_lines (data, 0, fm->body_offset) + 1;

  if (!parse_yaml (fm, error))
    return NULL;

  return g_steal_pointer (&fm);
}

GBytes *
lean_frontmatter_get_contents (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->contents;
}

gboolean
lean_frontmatter_has_front_matter (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_front_matter;
}

guint
lean_frontmatter_get_n_keys (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->root ? self->root->items->len / 2 : 0;
}

const LeanFmNode *
lean_frontmatter_get_key_node (LeanFrontmatter *self,
                               guint            index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < lean_frontmatter_get_n_keys (self), NULL);
  return g_ptr_array_index (self->root->items, index * 2);
}

const LeanFmNode *
lean_frontmatter_get_value_node (LeanFrontmatter *self,
                                 guint            index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < lean_frontmatter_get_n_keys (self), NULL);
  return g_ptr_array_index (self->root->items, index * 2 + 1);
}

const char *
lean_frontmatter_get_key (LeanFrontmatter *self,
                          guint            index)
{
  const LeanFmNode *node = lean_frontmatter_get_key_node (self, index);
  return node ? node->value : NULL;
}

static int
find_key (LeanFrontmatter *self,
          const char      *key)
{
  guint n = lean_frontmatter_get_n_keys (self);

  for (guint i = 0; i < n; i++)
    {
      const LeanFmNode *k = g_ptr_array_index (self->root->items, i * 2);
      if (g_strcmp0 (k->value, key) == 0)
        return i;
    }
  return -1;
}

const LeanFmNode *
lean_frontmatter_lookup (LeanFrontmatter *self,
                         const char      *key)
{
  int i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  i = find_key (self, key);
  return i < 0 ? NULL : g_ptr_array_index (self->root->items, i * 2 + 1);
}

gboolean
lean_fm_node_is_null (const LeanFmNode *node)
{
  g_return_val_if_fail (node != NULL, FALSE);

  if (node->kind != LEAN_FM_NODE_SCALAR || node->style != LEAN_FM_STYLE_PLAIN)
    return FALSE;
  return node->value[0] == '\0' || g_str_equal (node->value, "~") ||
         g_str_equal (node->value, "null") || g_str_equal (node->value, "Null") ||
         g_str_equal (node->value, "NULL");
}

const char *
lean_frontmatter_get_string (LeanFrontmatter *self,
                             const char      *key)
{
  const LeanFmNode *node = lean_frontmatter_lookup (self, key);

  if (node == NULL || node->kind != LEAN_FM_NODE_SCALAR)
    return NULL;
  return node->value;
}

char **
lean_frontmatter_dup_strv (LeanFrontmatter *self,
                           const char      *key)
{
  const LeanFmNode *node = lean_frontmatter_lookup (self, key);
  GPtrArray *out;

  if (node == NULL)
    return NULL;

  out = g_ptr_array_new ();
  if (node->kind == LEAN_FM_NODE_SCALAR)
    {
      if (!lean_fm_node_is_null (node))
        g_ptr_array_add (out, g_strdup (node->value));
    }
  else if (node->kind == LEAN_FM_NODE_SEQUENCE)
    {
      for (guint i = 0; i < node->items->len; i++)
        {
          const LeanFmNode *item = g_ptr_array_index (node->items, i);
          if (item->kind == LEAN_FM_NODE_SCALAR && !lean_fm_node_is_null (item))
            g_ptr_array_add (out, g_strdup (item->value));
        }
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (out, FALSE);
}

gsize
lean_frontmatter_get_body_offset (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->body_offset;
}

guint
lean_frontmatter_get_body_line (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, 1);
  return self->body_line;
}

const char *
lean_frontmatter_get_newline (LeanFrontmatter *self)
{
  g_return_val_if_fail (self != NULL, "\n");
  return self->newline;
}

/* ---- editing ---------------------------------------------------------- */

static const char *reserved_words[] = {
  "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
};

static gboolean
looks_like_number (const char *value)
{
  char *endptr = NULL;

  if (value[0] == '.' || g_ascii_isdigit (value[0]) ||
      ((value[0] == '-' || value[0] == '+') && (g_ascii_isdigit (value[1]) || value[1] == '.')))
    {
      g_ascii_strtod (value, &endptr);
      if (endptr != NULL && *endptr == '\0')
        return TRUE;
      /* 0x1f, 0o17, 1_000 */
      if (value[0] == '0' && (value[1] == 'x' || value[1] == 'o'))
        return TRUE;
    }
  if (g_ascii_strcasecmp (value, ".inf") == 0 || g_ascii_strcasecmp (value, ".nan") == 0 ||
      g_ascii_strcasecmp (value, "-.inf") == 0)
    return TRUE;
  return FALSE;
}

static gboolean
plain_is_safe (const char *value)
{
  gsize len = strlen (value);

  if (len == 0)
    return FALSE;
  if (strchr ("-?:,[]{}#&*!|>'\"%@`", value[0]) != NULL)
    {
      /* "-foo" is a plain scalar, "- foo" is a list item */
      if (!(value[0] == '-' && len > 1 && value[1] != ' '))
        return FALSE;
    }
  if (g_ascii_isspace (value[0]) || g_ascii_isspace (value[len - 1]))
    return FALSE;
  for (const char *p = value; *p; p++)
    {
      if ((guchar)*p < 0x20 || *p == 0x7f)
        return FALSE;
      if (*p == ':' && (p[1] == ' ' || p[1] == '\0'))
        return FALSE;
      if (*p == '#' && p > value && p[-1] == ' ')
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (reserved_words); i++)
    if (g_ascii_strcasecmp (value, reserved_words[i]) == 0)
      return FALSE;
  if (looks_like_number (value))
    return FALSE;
  return TRUE;
}

static gboolean
plain_is_safe_in_flow (const char *value)
{
  return plain_is_safe (value) && strpbrk (value, ",[]{}") == NULL;
}

static char *
double_quote (const char *value)
{
  GString *s = g_string_new ("\"");

  for (const char *p = value; *p; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (s, "\\\""); break;
        case '\\': g_string_append (s, "\\\\"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\t': g_string_append (s, "\\t"); break;
        case '\r': g_string_append (s, "\\r"); break;
        default:
          if ((guchar)*p < 0x20)
            g_string_append_printf (s, "\\x%02x", (guchar)*p);
          else
            g_string_append_c (s, *p);
        }
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static char *
single_quote (const char *value)
{
  GString *s;

  if (strpbrk (value, "\n\r\t") != NULL)
    return double_quote (value);

  s = g_string_new ("'");
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (s, '\'');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '\'');
  return g_string_free (s, FALSE);
}

char *
lean_frontmatter_quote_scalar (const char *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (plain_is_safe (value))
    return g_strdup (value);
  return single_quote (value);
}

static char *
quote_in_flow (const char *value)
{
  if (plain_is_safe_in_flow (value))
    return g_strdup (value);
  return single_quote (value);
}

static char *
quote_like (const char  *value,
            LeanFmStyle  style)
{
  switch (style)
    {
    case LEAN_FM_STYLE_SINGLE_QUOTED: return single_quote (value);
    case LEAN_FM_STYLE_DOUBLE_QUOTED: return double_quote (value);
    case LEAN_FM_STYLE_PLAIN:
    case LEAN_FM_STYLE_LITERAL:
    case LEAN_FM_STYLE_FOLDED:
    case LEAN_FM_STYLE_BLOCK:
    case LEAN_FM_STYLE_FLOW:
    default:                          return lean_frontmatter_quote_scalar (value);
    }
}

static GBytes *
splice (LeanFrontmatter *self,
        gsize            start,
        gsize            end,
        const char      *replacement)
{
  gsize rlen = strlen (replacement);
  gsize new_len = self->len - (end - start) + rlen;
  char *buf;

  g_assert (start <= end && end <= self->len);

  buf = g_malloc (new_len + 1);
  memcpy (buf, self->data, start);
  memcpy (buf + start, replacement, rlen);
  memcpy (buf + start + rlen, self->data + end, self->len - end);
  buf[new_len] = '\0';
  return g_bytes_new_take (buf, new_len);
}

/* Offset just past the line break of the line holding @offset - 1, i.e. the
 * start of the next line after a node that ends at @offset. */
static gsize
end_of_line_after (LeanFrontmatter *self,
                   gsize            offset)
{
  const char *nl;

  if (offset > 0 && self->data[offset - 1] == '\n')
    return offset;
  nl = memchr (self->data + offset, '\n', self->len - offset);
  return nl ? (gsize)(nl - self->data) + 1 : self->len;
}

static gsize
line_start (LeanFrontmatter *self,
            gsize            offset)
{
  while (offset > 0 && self->data[offset - 1] != '\n')
    offset--;
  return offset;
}

/* The byte just after the ':' that follows a top-level key. */
static gsize
after_colon (LeanFrontmatter  *self,
             const LeanFmNode *key)
{
  gsize i = key->end;

  /* A quoted key ends at its quote; the colon may follow blanks. */
  while (i < self->len && self->data[i] != ':' && self->data[i] != '\n')
    i++;
  if (i < self->len && self->data[i] == ':')
    return i + 1;
  return key->end;
}

static char *
key_indent (LeanFrontmatter *self)
{
  if (self->root != NULL && self->root->items->len > 0)
    {
      const LeanFmNode *first = g_ptr_array_index (self->root->items, 0);
      gsize ls = line_start (self, first->start);
      return g_strndup (self->data + ls, first->start - ls);
    }
  return g_strdup ("");
}

/* Inserts @line_text (which must end with the newline) as a new top-level
 * line: after the value of @after if present, else before the closing ---.
 * A file without front matter gets a new front matter block. */
static GBytes *
insert_line (LeanFrontmatter *self,
             const char      *line_text,
             const char      *after)
{
  const LeanFmNode *after_node = after ? lean_frontmatter_lookup (self, after) : NULL;
  gsize at;

  if (!self->has_front_matter)
    {
      g_autofree char *block = g_strconcat ("---", self->newline, line_text,
                                            "---", self->newline, NULL);
      return splice (self, self->content_start, self->content_start, block);
    }

  if (after_node != NULL)
    at = end_of_line_after (self, after_node->end);
  else
    at = self->yaml_end;

  return splice (self, at, at, line_text);
}

GBytes *
lean_frontmatter_set_scalar (LeanFrontmatter  *self,
                             const char       *key,
                             const char       *value,
                             const char       *after,
                             GError          **error)
{
  const LeanFmNode *knode;
  const LeanFmNode *vnode;
  g_autofree char *text = NULL;
  int i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  i = find_key (self, key);
  if (i < 0)
    {
      g_autofree char *indent = key_indent (self);
      g_autofree char *qkey = lean_frontmatter_quote_scalar (key);
      g_autofree char *line = NULL;

      text = lean_frontmatter_quote_scalar (value);
      line = g_strconcat (indent, qkey, ": ", text, self->newline, NULL);
      return insert_line (self, line, after);
    }

  knode = g_ptr_array_index (self->root->items, i * 2);
  vnode = g_ptr_array_index (self->root->items, i * 2 + 1);

  if (vnode->kind == LEAN_FM_NODE_SCALAR &&
      (vnode->style == LEAN_FM_STYLE_PLAIN ||
       vnode->style == LEAN_FM_STYLE_SINGLE_QUOTED ||
       vnode->style == LEAN_FM_STYLE_DOUBLE_QUOTED) &&
      vnode->end > vnode->start)
    {
      text = quote_like (value, vnode->style);
      return splice (self, vnode->start, vnode->end, text);
    }
  else
    {
      /* Empty value, block scalar or a collection: replace everything from
       * the colon to the end of the value. */
      gsize from = after_colon (self, knode);
      gsize to = MAX (from, vnode->end);
      g_autofree char *q = lean_frontmatter_quote_scalar (value);

      if (vnode->kind == LEAN_FM_NODE_SCALAR && vnode->end <= vnode->start)
        to = from;
      if (to > from && self->data[to - 1] == '\n')
        text = g_strconcat (" ", q, self->newline, NULL);
      else
        text = g_strconcat (" ", q, NULL);
      return splice (self, from, to, text);
    }
}

static char *
format_block_items (const char * const *items,
                    const char         *indent,
                    const char         *newline)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *q = lean_frontmatter_quote_scalar (items[i]);
      g_string_append_printf (s, "%s%s- %s", newline, indent, q);
    }
  return g_string_free (s, FALSE);
}

static char *
format_flow_items (const char * const *items)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *q = quote_in_flow (items[i]);
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, q);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

GBytes *
lean_frontmatter_set_list (LeanFrontmatter     *self,
                           const char          *key,
                           const char * const  *items,
                           const char          *after,
                           GError             **error)
{
  static const char * const none[] = { NULL };
  const LeanFmNode *knode;
  const LeanFmNode *vnode;
  gboolean empty;
  int i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (items == NULL)
    items = none;
  empty = items[0] == NULL;

  i = find_key (self, key);
  if (i < 0)
    {
      g_autofree char *indent = key_indent (self);
      g_autofree char *qkey = lean_frontmatter_quote_scalar (key);
      g_autofree char *list = empty ? g_strdup (" []")
                                    : format_block_items (items, indent, self->newline);
      g_autofree char *line = g_strconcat (indent, qkey, ":", list, self->newline, NULL);

      return insert_line (self, line, after);
    }

  knode = g_ptr_array_index (self->root->items, i * 2);
  vnode = g_ptr_array_index (self->root->items, i * 2 + 1);

  if (vnode->kind == LEAN_FM_NODE_SEQUENCE && vnode->style == LEAN_FM_STYLE_FLOW)
    {
      g_autofree char *text = format_flow_items (items);
      return splice (self, vnode->start, vnode->end, text);
    }
  else
    {
      gsize from = after_colon (self, knode);
      gsize to = MAX (from, vnode->end);
      g_autofree char *indent = NULL;
      g_autofree char *text = NULL;

      if (vnode->kind == LEAN_FM_NODE_SCALAR && vnode->end <= vnode->start)
        to = from;

      if (vnode->kind == LEAN_FM_NODE_SEQUENCE && vnode->items->len > 0)
        {
          gsize ls = line_start (self, vnode->start);
          indent = g_strndup (self->data + ls, vnode->start - ls);
        }
      else
        indent = key_indent (self);

      if (empty)
        text = g_strdup (" []");
      else
        text = format_block_items (items, indent, self->newline);

      if (to > from && self->data[to - 1] == '\n')
        {
          char *tmp = g_strconcat (text, self->newline, NULL);
          g_free (text);
          text = tmp;
        }
      return splice (self, from, to, text);
    }
}

GBytes *
lean_frontmatter_remove_key (LeanFrontmatter  *self,
                             const char       *key,
                             GError          **error)
{
  const LeanFmNode *knode;
  const LeanFmNode *vnode;
  int i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  i = find_key (self, key);
  if (i < 0)
    return g_bytes_ref (self->contents);

  knode = g_ptr_array_index (self->root->items, i * 2);
  vnode = g_ptr_array_index (self->root->items, i * 2 + 1);

  return splice (self, line_start (self, knode->start),
                 end_of_line_after (self, MAX (vnode->end, knode->end)), "");
}

static char *
format_mapping_item (const char * const *pairs,
                     const char         *indent,
                     const char         *newline)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    {
      g_autofree char *k = lean_frontmatter_quote_scalar (pairs[i]);
      g_autofree char *v = lean_frontmatter_quote_scalar (pairs[i + 1]);

      g_string_append_printf (s, "%s%s%s: %s%s", indent, i == 0 ? "- " : "  ", k, v, newline);
    }
  return g_string_free (s, FALSE);
}

GBytes *
lean_frontmatter_append_mapping (LeanFrontmatter     *self,
                                 const char          *key,
                                 const char * const  *pairs,
                                 GError             **error)
{
  const LeanFmNode *knode;
  const LeanFmNode *vnode;
  int i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (pairs != NULL && pairs[0] != NULL, NULL);

  i = find_key (self, key);
  if (i < 0)
    {
      g_autofree char *indent = key_indent (self);
      g_autofree char *qkey = lean_frontmatter_quote_scalar (key);
      g_autofree char *item = format_mapping_item (pairs, indent, self->newline);
      g_autofree char *line = g_strconcat (indent, qkey, ":", self->newline, item, NULL);

      return insert_line (self, line, NULL);
    }

  knode = g_ptr_array_index (self->root->items, i * 2);
  vnode = g_ptr_array_index (self->root->items, i * 2 + 1);

  if (vnode->kind == LEAN_FM_NODE_SEQUENCE && vnode->style == LEAN_FM_STYLE_BLOCK &&
      vnode->items->len > 0)
    {
      gsize ls = line_start (self, vnode->start);
      g_autofree char *indent = g_strndup (self->data + ls, vnode->start - ls);
      g_autofree char *item = format_mapping_item (pairs, indent, self->newline);
      gsize at = end_of_line_after (self, vnode->end);

      if (at == self->len && (self->len == 0 || self->data[self->len - 1] != '\n'))
        {
          char *tmp = g_strconcat (self->newline, item, NULL);
          g_free (item);
          item = tmp;
        }
      return splice (self, at, at, item);
    }

  if (vnode->kind == LEAN_FM_NODE_SEQUENCE && vnode->style == LEAN_FM_STYLE_FLOW &&
      vnode->items->len > 0)
    {
      GString *s = g_string_new (", {");

      for (guint j = 0; pairs[j] != NULL && pairs[j + 1] != NULL; j += 2)
        {
          g_autofree char *k = quote_in_flow (pairs[j]);
          g_autofree char *v = quote_in_flow (pairs[j + 1]);
          g_string_append_printf (s, "%s%s: %s", j == 0 ? "" : ", ", k, v);
        }
      g_string_append_c (s, '}');
      /* Just before the closing bracket. */
      {
        g_autofree char *text = g_string_free (s, FALSE);
        return splice (self, vnode->end - 1, vnode->end - 1, text);
      }
    }

  if ((vnode->kind == LEAN_FM_NODE_SEQUENCE && vnode->items->len == 0) ||
      lean_fm_node_is_null (vnode))
    {
      gsize from = after_colon (self, knode);
      gsize to = vnode->end > vnode->start ? MAX (from, vnode->end) : from;
      g_autofree char *indent = key_indent (self);
      g_autofree char *item = format_mapping_item (pairs, indent, self->newline);
      gsize nl_len = strlen (self->newline);
      g_autofree char *text = NULL;

      /* The item text ends with a newline; the rest of the key's line
       * supplies one already, unless the replaced range had it. */
      if (!(to > from && self->data[to - 1] == '\n'))
        item[strlen (item) - nl_len] = '\0';
      text = g_strconcat (self->newline, item, NULL);
      return splice (self, from, to, text);
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
               _("front matter key \"%s\" (line %u) is not a list; fix it by hand"),
               key, knode->line);
  return NULL;
}
