/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "lean-tokens.h"
#include "lean-tokens-resources.h"

/* The ranks: cl100k_base.ranks.gz (see data/tiktoken/README.md) holds the
 * token byte strings in rank order, each as a length byte and the bytes.
 * They are looked up through an open-addressing table of rank + 1, sized
 * so that it stays under half full. */
#define TABLE_BITS 18
#define TABLE_SIZE (1u << TABLE_BITS)
#define NO_RANK G_MAXUINT32

/* Past this many bytes a piece is merged with a heap instead of rescanning
 * every pair after each merge: a spec can hold one 100 kB "word". */
#define SIMPLE_MERGE_MAX 128

typedef struct
{
  guint8 *blob;
  gsize blob_len;
  guint32 *offsets;     /* of each rank's bytes in blob */
  guint8 *lens;
  guint32 *table;
  guint32 n;
} Ranks;

static const struct
{
  const char *text;
  gsize len;
} special_tokens[] = {
  { "<|endoftext|>", 13 },
  { "<|fim_prefix|>", 14 },
  { "<|fim_middle|>", 14 },
  { "<|fim_suffix|>", 14 },
  { "<|endofprompt|>", 15 },
};

static inline guint32
hash_bytes (const guint8 *p,
            gsize         len)
{
  guint32 h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    h = (h ^ p[i]) * 16777619u;
  return h ^ (h >> 15);
}

static GBytes *
decompress (GBytes  *gz,
            GError **error)
{
  g_autoptr(GZlibDecompressor) zlib = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (gz);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (base, G_CONVERTER (zlib));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static Ranks *
ranks_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GBytes) raw = NULL;
  Ranks *ranks;
  gsize pos = 0;
  guint32 n = 0;

  gz = g_resource_lookup_data (_lean_tokens_get_resource (),
                               "/dev/leanspec/Desktop/tokens/cl100k_base.ranks.gz",
                               G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (gz != NULL)
    raw = decompress (gz, &error);
  if (raw == NULL)
    {
      g_critical ("Cannot read the token ranks: %s", error->message);
      return NULL;
    }

  ranks = g_new0 (Ranks, 1);
  ranks->blob = g_bytes_unref_to_data (g_steal_pointer (&raw), &ranks->blob_len);
  for (pos = 0; pos < ranks->blob_len; pos += 1 + ranks->blob[pos])
    n++;
  ranks->n = n;
  ranks->offsets = g_new (guint32, n);
  ranks->lens = g_new (guint8, n);
  ranks->table = g_new0 (guint32, TABLE_SIZE);

  pos = 0;
  for (guint32 r = 0; r < n; r++)
    {
      guint8 len = ranks->blob[pos];
      guint32 slot;

      if (len == 0 || pos + 1 + len > ranks->blob_len || n >= TABLE_SIZE / 2)
        {
          g_critical ("The token ranks are damaged");
          g_free (ranks->blob);
          g_free (ranks->offsets);
          g_free (ranks->lens);
          g_free (ranks->table);
          g_free (ranks);
          return NULL;
        }
      ranks->offsets[r] = pos + 1;
      ranks->lens[r] = len;
      slot = hash_bytes (ranks->blob + pos + 1, len) & (TABLE_SIZE - 1);
      while (ranks->table[slot] != 0)
        slot = (slot + 1) & (TABLE_SIZE - 1);
      ranks->table[slot] = r + 1;
      pos += 1 + len;
    }

  return ranks;
}

static Ranks *
get_ranks (void)
{
  static Ranks *ranks;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      ranks = ranks_load ();
      g_once_init_leave (&once, 1);
    }
  return ranks;
}

gboolean
lean_tokens_ensure_loaded (void)
{
  return get_ranks () != NULL;
}

static inline guint32
rank_of (const Ranks  *ranks,
         const guint8 *p,
         gsize         len)
{
  guint32 slot;

  if (len > 255)
    return NO_RANK;
  slot = hash_bytes (p, len) & (TABLE_SIZE - 1);
  for (;;)
    {
      guint32 e = ranks->table[slot];

      if (e == 0)
        return NO_RANK;
      if (ranks->lens[e - 1] == len && memcmp (ranks->blob + ranks->offsets[e - 1], p, len) == 0)
        return e - 1;
      slot = (slot + 1) & (TABLE_SIZE - 1);
    }
}

/* tiktoken's merge: repeatedly join the adjacent pair whose joined bytes
 * have the lowest rank (the leftmost on a tie); the parts left are the
 * tokens. Quadratic, fine for short pieces. */
static gsize
merge_simple (const Ranks  *ranks,
              const guint8 *piece,
              gsize         len)
{
  struct { guint32 start; guint32 rank; } parts_buf[SIMPLE_MERGE_MAX + 1], *parts = parts_buf;
  gsize n = len + 1;

  for (gsize i = 0; i < n; i++)
    {
      parts[i].start = i;
      parts[i].rank = i + 2 <= len ? rank_of (ranks, piece + i, 2) : NO_RANK;
    }

  while (n > 1)
    {
      guint32 min = NO_RANK;
      gsize at = 0;

      for (gsize i = 0; i + 1 < n; i++)
        if (parts[i].rank < min)
          {
            min = parts[i].rank;
            at = i;
          }
      if (min == NO_RANK)
        break;

      /* Ranks of the pairs the merge changes, read before part at+1 goes. */
      parts[at].rank = at + 3 < n ? rank_of (ranks, piece + parts[at].start,
                                            parts[at + 3].start - parts[at].start) : NO_RANK;
      if (at > 0)
        parts[at - 1].rank = rank_of (ranks, piece + parts[at - 1].start,
                                      parts[at + 2].start - parts[at - 1].start);
      memmove (&parts[at + 1], &parts[at + 2], (n - at - 2) * sizeof parts[0]);
      n--;
    }

  return n - 1;
}

typedef struct
{
  guint64 key;          /* rank << 32 | start: lowest rank, then leftmost */
  guint32 node;
  guint32 version;
} HeapEntry;

static void
heap_push (GArray    *heap,
           HeapEntry  e)
{
  HeapEntry *h;
  gsize i;

  g_array_append_val (heap, e);
  h = (HeapEntry *)heap->data;
  i = heap->len - 1;
  while (i > 0 && h[(i - 1) / 2].key > h[i].key)
    {
      HeapEntry t = h[i];
      h[i] = h[(i - 1) / 2];
      h[(i - 1) / 2] = t;
      i = (i - 1) / 2;
    }
}

static HeapEntry
heap_pop (GArray *heap)
{
  HeapEntry *h = (HeapEntry *)heap->data;
  HeapEntry top = h[0];
  gsize n = heap->len - 1;
  gsize i = 0;

  h[0] = h[n];
  g_array_set_size (heap, n);
  for (;;)
    {
      gsize l = 2 * i + 1, r = l + 1, m = i;

      if (l < n && h[l].key < h[m].key)
        m = l;
      if (r < n && h[r].key < h[m].key)
        m = r;
      if (m == i)
        break;
      HeapEntry t = h[i];
      h[i] = h[m];
      h[m] = t;
      i = m;
    }
  return top;
}

/* The same merges in the same order, in O(n log n): parts are a linked
 * list, candidate pairs wait in a heap and stale ones are skipped. */
static gsize
merge_heap (const Ranks  *ranks,
            const guint8 *piece,
            gsize         len)
{
  g_autofree guint32 *next = g_new (guint32, len);
  g_autofree guint32 *prev = g_new (guint32, len);
  g_autofree guint32 *version = g_new0 (guint32, len);
  g_autoptr(GArray) heap = g_array_sized_new (FALSE, FALSE, sizeof (HeapEntry), len);
  gsize count = len;

#define END_OF(node) (next[node] < len ? next[node] : len)
#define PAIR_RANK(node) \
  (next[node] < len ? rank_of (ranks, piece + (node), END_OF (next[node]) - (node)) : NO_RANK)

  /* A part is named by its first byte's offset. */
  for (gsize i = 0; i < len; i++)
    {
      next[i] = i + 1;
      prev[i] = i == 0 ? G_MAXUINT32 : i - 1;
    }
  for (gsize i = 0; i + 1 < len; i++)
    {
      guint32 r = rank_of (ranks, piece + i, 2);

      if (r != NO_RANK)
        heap_push (heap, (HeapEntry) { (guint64)r << 32 | i, i, 0 });
    }

  while (heap->len > 0)
    {
      HeapEntry e = heap_pop (heap);
      guint32 node = e.node;
      guint32 gone, r;

      if (e.version != version[node])
        continue;

      gone = next[node];
      next[node] = next[gone];
      if (next[gone] < len)
        prev[next[gone]] = node;
      version[gone] = G_MAXUINT32;
      count--;

      version[node]++;
      r = PAIR_RANK (node);
      if (r != NO_RANK)
        heap_push (heap, (HeapEntry) { (guint64)r << 32 | node, node, version[node] });
      if (prev[node] != G_MAXUINT32)
        {
          guint32 p = prev[node];

          version[p]++;
          r = PAIR_RANK (p);
          if (r != NO_RANK)
            heap_push (heap, (HeapEntry) { (guint64)r << 32 | p, p, version[p] });
        }
    }

#undef PAIR_RANK
#undef END_OF
  return count;
}

static gsize
count_piece (const Ranks  *ranks,
             const guint8 *piece,
             gsize         len)
{
  if (len == 0)
    return 0;
  if (len == 1 || rank_of (ranks, piece, len) != NO_RANK)
    return 1;
  if (len <= SIMPLE_MERGE_MAX)
    return merge_simple (ranks, piece, len);
  return merge_heap (ranks, piece, len);
}

gsize
_lean_tokens_count_piece (const guint8 *piece,
                          gsize         len,
                          gboolean      use_heap)
{
  const Ranks *ranks = get_ranks ();

  if (ranks == NULL || len == 0)
    return 0;
  if (use_heap)
    return merge_heap (ranks, piece, len);
  g_return_val_if_fail (len <= SIMPLE_MERGE_MAX, 0);
  return merge_simple (ranks, piece, len);
}

/* Pre-tokenizing: the pieces cl100k_base's pattern
 *
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * matches one after the other, scanned by hand: it is what the
 * expression does, without a regex engine's cost per match. \s is
 * Unicode's White_Space, as in the Rust regex crate LeanSpec uses. */
enum
{
  C_LETTER,
  C_NUMBER,
  C_SPACE,
  C_OTHER,
};

static inline gboolean
is_white_space (gunichar c)
{
  if (c < 0x80)
    return c == ' ' || (c >= 0x09 && c <= 0x0d);
  return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
         c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static inline int
char_class (gunichar c)
{
  GUnicodeType type;

  if (c < 0x80)
    {
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return C_LETTER;
      if (c >= '0' && c <= '9')
        return C_NUMBER;
      return is_white_space (c) ? C_SPACE : C_OTHER;
    }
  if (is_white_space (c))
    return C_SPACE;
  type = g_unichar_type (c);
  if (type == G_UNICODE_UPPERCASE_LETTER || type == G_UNICODE_LOWERCASE_LETTER ||
      type == G_UNICODE_TITLECASE_LETTER || type == G_UNICODE_MODIFIER_LETTER ||
      type == G_UNICODE_OTHER_LETTER)
    return C_LETTER;
  if (type == G_UNICODE_DECIMAL_NUMBER || type == G_UNICODE_LETTER_NUMBER ||
      type == G_UNICODE_OTHER_NUMBER)
    return C_NUMBER;
  return C_OTHER;
}

/* The character at @i and its length; a byte that is not valid UTF-8
 * counts as one character of its own. */
static inline gsize
decode (const guint8 *s,
        gsize         len,
        gsize         i,
        gunichar     *c)
{
  gunichar u;

  if (s[i] < 0x80)
    {
      *c = s[i];
      return 1;
    }
  u = g_utf8_get_char_validated ((const char *)s + i, len - i);
  if (u == (gunichar)-1 || u == (gunichar)-2)
    {
      *c = 0xfffd;
      return 1;
    }
  *c = u;
  return g_utf8_skip[s[i]];
}

static inline int
class_at (const guint8 *s,
          gsize         len,
          gsize         i,
          gsize        *clen)
{
  gunichar c;

  *clen = decode (s, len, i, &c);
  return char_class (c);
}

static inline gsize
skip_class (const guint8 *s,
            gsize         len,
            gsize         i,
            int           cls)
{
  gsize clen;

  while (i < len && class_at (s, len, i, &clen) == cls)
    i += clen;
  return i;
}

static inline guint8
lower (guint8 b)
{
  return b >= 'A' && b <= 'Z' ? b | 0x20 : b;
}

/* End of the piece that starts at @i (< @len). */
static gsize
next_piece (const guint8 *s,
            gsize         len,
            gsize         i)
{
  gunichar c0;
  gsize n0 = decode (s, len, i, &c0);
  int cls0 = char_class (c0);
  gsize j, last, q;
  gboolean newline;

  if (c0 == '\'' && i + 1 < len)
    {
      guint8 a = lower (s[i + 1]);
      guint8 b = i + 2 < len ? lower (s[i + 2]) : 0;

      if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return i + 2;
      /* U+017F LATIN SMALL LETTER LONG S folds to s. */
      if (s[i + 1] == 0xc5 && b == 0xbf)
        return i + 3;
      if (((a == 'r' || a == 'v') && b == 'e') || (a == 'l' && b == 'l'))
        return i + 3;
    }

  if (cls0 == C_LETTER)
    return skip_class (s, len, i + n0, C_LETTER);
  if (c0 != '\r' && c0 != '\n' && cls0 != C_NUMBER && i + n0 < len)
    {
      gsize clen;

      if (class_at (s, len, i + n0, &clen) == C_LETTER)
        return skip_class (s, len, i + n0 + clen, C_LETTER);
    }

  if (cls0 == C_NUMBER)
    {
      j = i + n0;
      for (int k = 1; k < 3 && j < len; k++)
        {
          gsize clen;

          if (class_at (s, len, j, &clen) != C_NUMBER)
            break;
          j += clen;
        }
      return j;
    }

  j = i;
  if (c0 == ' ' && i + 1 < len)
    {
      gsize clen;

      if (class_at (s, len, i + 1, &clen) == C_OTHER)
        j = i + 1;
    }
  if (j > i || cls0 == C_OTHER)
    {
      j = skip_class (s, len, j, C_OTHER);
      while (j < len && (s[j] == '\r' || s[j] == '\n'))
        j++;
      return j;
    }

  /* Whitespace: up to its last line break if it has one; else all of it
   * at the end of the text, or all but its last character before text,
   * which then starts the next piece (" word"); a lone one stands alone. */
  j = i;
  last = i;
  q = 0;
  newline = FALSE;
  while (j < len)
    {
      gunichar c;
      gsize clen = decode (s, len, j, &c);

      if (!is_white_space (c))
        break;
      if (c == '\r' || c == '\n')
        {
          newline = TRUE;
          q = j;
        }
      last = j;
      j += clen;
    }
  if (newline)
    return q + 1;
  if (j == len || last == i)
    return j;
  return last;
}

static inline const char *
find_special (const char *s,
              gsize       len,
              gsize      *special_len)
{
  const char *p = s;
  const char *end = s + len;

  while ((p = memchr (p, '<', end - p)) != NULL)
    {
      if (p + 1 < end && p[1] == '|')
        for (gsize k = 0; k < G_N_ELEMENTS (special_tokens); k++)
          if ((gsize)(end - p) >= special_tokens[k].len &&
              memcmp (p, special_tokens[k].text, special_tokens[k].len) == 0)
            {
              *special_len = special_tokens[k].len;
              return p;
            }
      p++;
    }
  return NULL;
}

/* Counts @len bytes at @text; when a piece (or special token) starts at
 * byte @split, or @split is @len, sets *@before to the count of what
 * precedes it. Pieces never look behind, so what follows such a split
 * counts the same on its own: one pass gives both counts. */
static gsize
count_text (const Ranks *ranks,
            const char  *text,
            gsize        len,
            gsize        split,
            gsize       *before,
            gboolean    *hit)
{
  const guint8 *s = (const guint8 *)text;
  gsize total = 0;
  gsize i = 0;

  while (i < len)
    {
      gsize special_len = 0;
      const char *special = find_special (text + i, len - i, &special_len);
      gsize plain_end = special != NULL ? (gsize)(special - text) : len;

      while (i < plain_end)
        {
          gsize end = next_piece (s, plain_end, i);

          if (i == split)
            {
              *before = total;
              *hit = TRUE;
            }
          total += count_piece (ranks, s + i, end - i);
          i = end;
        }
      if (special == NULL)
        break;
      if (i == split)
        {
          *before = total;
          *hit = TRUE;
        }
      total++;
      i += special_len;
    }
  if (split == len)
    {
      *before = total;
      *hit = TRUE;
    }
  return total;
}

gsize
lean_tokens_count (const char *text,
                   gssize      len)
{
  const Ranks *ranks = get_ranks ();
  gsize before;
  gboolean hit = FALSE;

  g_return_val_if_fail (text != NULL || len == 0, 0);

  if (ranks == NULL)
    return 0;
  return count_text (ranks, text, len < 0 ? strlen (text) : (gsize)len, G_MAXSIZE, &before, &hit);
}

gsize
_lean_tokens_count_split (const char *text,
                          gsize       len,
                          gsize       split,
                          gsize      *after)
{
  const Ranks *ranks = get_ranks ();
  gsize total, before = 0;
  gboolean hit = FALSE;

  g_return_val_if_fail (split <= len, 0);

  if (ranks == NULL)
    {
      *after = 0;
      return 0;
    }
  total = count_text (ranks, text, len, split, &before, &hit);
  *after = hit ? total - before : count_text (ranks, text + split, len - split, G_MAXSIZE,
                                              &before, &hit);
  return total;
}

GPtrArray *
_lean_tokens_split (const char *text,
                    gsize       len)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < len;)
    {
      gsize end = next_piece ((const guint8 *)text, len, i);

      g_ptr_array_add (pieces, g_strndup (text + i, end - i));
      i = end;
    }
  return pieces;
}

LeanTokenStatus
lean_tokens_get_status (gsize total)
{
  if (total <= LEAN_TOKENS_OPTIMAL_MAX)
    return LEAN_TOKEN_STATUS_OPTIMAL;
  if (total <= LEAN_TOKENS_GOOD_MAX)
    return LEAN_TOKEN_STATUS_GOOD;
  if (total <= LEAN_TOKENS_WARNING_MAX)
    return LEAN_TOKEN_STATUS_WARNING;
  return LEAN_TOKEN_STATUS_EXCESSIVE;
}

const char *
lean_token_status_to_string (LeanTokenStatus status)
{
  switch (status)
    {
    case LEAN_TOKEN_STATUS_OPTIMAL:
      return "optimal";
    case LEAN_TOKEN_STATUS_GOOD:
      return "good";
    case LEAN_TOKEN_STATUS_WARNING:
      return "warning";
    case LEAN_TOKEN_STATUS_EXCESSIVE:
    default:
      return "critical";
    }
}

/* Lines as Rust's str::lines() gives them: split at \n, one \r before it
 * dropped, no empty line after a final \n. */
typedef struct
{
  const char *p;
  const char *end;
} Lines;

static gboolean
lines_next (Lines       *it,
            const char **line,
            gsize       *len)
{
  const char *nl;

  if (it->p >= it->end)
    return FALSE;
  nl = memchr (it->p, '\n', it->end - it->p);
  *line = it->p;
  *len = (nl != NULL ? nl : it->end) - it->p;
  it->p = nl != NULL ? nl + 1 : it->end;
  if (nl != NULL && *len > 0 && (*line)[*len - 1] == '\r')
    (*len)--;
  return TRUE;
}

/* Leading and trailing Unicode White_Space, as Rust's trim(). */
static const char *
trim_start (const char *s,
            const char *end)
{
  while (s < end)
    {
      gunichar c;
      gsize clen = decode ((const guint8 *)s, end - s, 0, &c);

      if (!is_white_space (c))
        break;
      s += clen;
    }
  return s;
}

static const char *
trim_end (const char *s,
          const char *end)
{
  while (end > s)
    {
      const char *p = end - 1;
      gunichar c;

      while (p > s && ((guint8)*p & 0xc0) == 0x80)
        p--;
      decode ((const guint8 *)p, end - p, 0, &c);
      if (!is_white_space (c))
        break;
      end = p;
    }
  return end;
}

static gboolean
has_prefix (const char *s,
            gsize       len,
            const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && memcmp (s, prefix, n) == 0;
}

/* Counts @lines joined with \n, as LeanSpec joins a block's lines. */
static gsize
count_joined (GString *buf)
{
  return lean_tokens_count (buf->str, buf->len);
}

static void
join_line (GString    *buf,
           gboolean   *first,
           const char *line,
           gsize       len)
{
  if (!*first)
    g_string_append_c (buf, '\n');
  g_string_append_len (buf, line, len);
  *first = FALSE;
}

static void
section_free (gpointer data)
{
  g_free (((LeanTokenSection *)data)->heading);
}

static void
add_section (LeanTokenCount *count,
             const char     *heading,
             GString        *text)
{
  LeanTokenSection section = { g_strdup (heading), count_joined (text) };

  g_array_append_val (count->sections, section);
}

static void
analyze_content (LeanTokenCount *count,
                 const char     *content,
                 gsize           len)
{
  g_autoptr(GString) code = g_string_new (NULL);
  g_autoptr(GString) section = g_string_new (NULL);
  g_autofree char *heading = NULL;
  gboolean code_first = TRUE, section_first = TRUE;
  gboolean in_code = FALSE;
  Lines it = { content, content + len };
  const char *line;
  gsize line_len;

  while (lines_next (&it, &line, &line_len))
    {
      const char *end = line + line_len;
      const char *t = trim_start (line, end);

      if (has_prefix (t, end - t, "```"))
        {
          join_line (code, &code_first, line, line_len);
          if (in_code)
            {
              count->code_blocks += count_joined (code);
              g_string_truncate (code, 0);
              code_first = TRUE;
            }
          in_code = !in_code;
          continue;
        }
      if (in_code)
        {
          join_line (code, &code_first, line, line_len);
          continue;
        }

      if (has_prefix (line, line_len, "## "))
        {
          const char *h = trim_start (line + 3, end);

          if (heading != NULL && *heading != '\0')
            add_section (count, heading, section);
          g_free (heading);
          heading = g_strndup (h, trim_end (h, end) - h);
          g_string_truncate (section, 0);
          section_first = TRUE;
          continue;
        }

      if (has_prefix (t, end - t, "- [ ]") || has_prefix (t, end - t, "- [x]") ||
          has_prefix (t, end - t, "- [X]"))
        count->checklists += lean_tokens_count (line, line_len);
      else if (trim_start (line, end) != end && !has_prefix (line, line_len, "# "))
        count->prose += lean_tokens_count (line, line_len);

      if (heading != NULL && *heading != '\0')
        join_line (section, &section_first, line, line_len);
    }

  /* The last section counts only when it has lines; earlier ones always. */
  if (heading != NULL && *heading != '\0' && !section_first)
    add_section (count, heading, section);
}

static const char *
find_bytes (const char *s,
            gsize       len,
            const char *needle,
            gsize       needle_len)
{
  const char *end = s + len;

  while (s + needle_len <= end && (s = memchr (s, needle[0], end - s)) != NULL)
    {
      if ((gsize)(end - s) >= needle_len && memcmp (s, needle, needle_len) == 0)
        return s;
      s++;
    }
  return NULL;
}

LeanTokenCount *
lean_tokens_count_spec (const char *text,
                        gsize       len)
{
  LeanTokenCount *count = g_new0 (LeanTokenCount, 1);
  const char *content = text;
  gsize content_len = len;
  const char *t = trim_start (text, text + len);

  count->sections = g_array_new (FALSE, FALSE, sizeof (LeanTokenSection));
  g_array_set_clear_func (count->sections, section_free);
  count->total = lean_tokens_count (text, len);

  /* LeanSpec looks for "\n---" from the fourth byte of the file, even
   * when the file starts with blank lines before its "---". */
  if (has_prefix (t, text + len - t, "---") && len > 3)
    {
      const char *close = find_bytes (text + 3, len - 3, "\n---", 4);

      if (close != NULL)
        {
          gsize fm_len = close - text + 4;
          Lines it;
          const char *line;
          gsize line_len;

          content = text + fm_len;
          content_len = len - fm_len;
          count->frontmatter = lean_tokens_count (text, fm_len);
          it = (Lines) { content, content + content_len };
          while (lines_next (&it, &line, &line_len))
            if (has_prefix (line, line_len, "# "))
              {
                count->title = lean_tokens_count (line, line_len);
                break;
              }
        }
    }

  count->content = lean_tokens_count (content, content_len);
  analyze_content (count, content, content_len);
  count->status = lean_tokens_get_status (count->total);
  return count;
}

void
lean_token_count_free (LeanTokenCount *count)
{
  if (count == NULL)
    return;
  g_clear_pointer (&count->sections, g_array_unref);
  g_free (count);
}
