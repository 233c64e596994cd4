/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lean-spec-cache.h"
#include "lean-spec-private.h"

/* File layout (native byte order: the cache never leaves the machine):
 *
 *   CACHE_MAGIC, NUL-terminated
 *   u32 n                    number of entries
 *   u64 keys[n]              sorted
 *   u32 lens[n]              README length of each entry
 *   u32 offsets[n + 1]       entry i is data[offsets[i] .. offsets[i + 1])
 *   data                     entries, as _lean_spec_append_cache_entry() writes
 *   u64 check                _lean_spec_cache_key() of everything before it
 *
 * A GVariant would be the obvious container, but reading 5,000 entries
 * through it costs as much as parsing the YAML; this layout is read with
 * plain bounds-checked pointer arithmetic instead. Bump the number in
 * CACHE_MAGIC whenever what is derived from a README changes (title rules,
 * task rules, null handling...): older files are then ignored. */
#define CACHE_MAGIC "leanspec-desktop spec cache 3 " APP_VERSION

struct _LeanSpecCache
{
  char *path;
  GBytes *bytes;            /* the file, or NULL */
  const guint8 *keys;       /* u64[n], unaligned */
  const guint8 *lens;       /* u32[n] */
  const guint8 *offsets;    /* u32[n + 1] */
  gsize data_start;         /* of the entries, in bytes */
  gsize n;
  guint8 *used;             /* per entry: found by this load */
  gint hits;
  gint misses;
};

/* 64 x 64 -> 128-bit multiply, folded to 64 bits: one instruction on
 * 64-bit targets, and it mixes every input bit into the result. */
static inline guint64
mix (guint64 a,
     guint64 b)
{
#ifdef __SIZEOF_INT128__
  unsigned __int128 r = (unsigned __int128)a * b;

  return (guint64)r ^ (guint64)(r >> 64);
#else
  guint64 a_lo = a & 0xffffffff, a_hi = a >> 32;
  guint64 b_lo = b & 0xffffffff, b_hi = b >> 32;
  guint64 lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
  guint64 lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  guint64 cross = (lo_lo >> 32) + (hi_lo & 0xffffffff) + lo_hi;
  guint64 hi = hi_hi + (hi_lo >> 32) + (cross >> 32);

  return ((cross << 32) | (lo_lo & 0xffffffff)) ^ hi;
#endif
}

static inline guint64
read64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return v;
}

#define K0 G_GUINT64_CONSTANT (0xa0761d6478bd642f)
#define K1 G_GUINT64_CONSTANT (0xe7037ed1a0b428db)
#define K2 G_GUINT64_CONSTANT (0x8ebc6af09c88c6e3)

/* In the style of wyhash: 16 bytes per multiply, which is what makes it
 * cheap enough to run over every README on every load (it was a tenth of
 * `leanspec-ctl list`). The key only has to tell files apart; it is no
 * defence against crafted collisions, and needs none: the cache holds
 * nothing more than what the same bytes would parse to, the length must
 * match too, and the writer's check for changes on disk compares SHA-256
 * of the bytes themselves (lean_spec_get_content_hash()), never this key. */
guint64
_lean_spec_cache_key (const void *data,
                      gsize       len)
{
  const guint8 *p = data;
  guint64 h = mix ((guint64)len ^ K0, K1);
  gsize left = len;
  guint8 tail[16] = { 0, };

  while (left >= 16)
    {
      /* XOR-ing @h back in keeps the state even when a product is 0. */
      h ^= mix (read64 (p) ^ h ^ K1, read64 (p + 8) ^ K2);
      p += 16;
      left -= 16;
    }
  memcpy (tail, p, left);
  h ^= mix (read64 (tail) ^ h ^ K1, read64 (tail + 8) ^ K2 ^ left);

  return mix (h ^ K0, (guint64)len ^ K1);
}

static inline guint64
get_u64 (const guint8 *p,
         gsize         i)
{
  guint64 v;
  memcpy (&v, p + i * 8, 8);
  return v;
}

static inline guint32
get_u32 (const guint8 *p,
         gsize         i)
{
  guint32 v;
  memcpy (&v, p + i * 4, 4);
  return v;
}

static char *
cache_path (const char *specs_dir)
{
  const char *dir = g_getenv ("LEANSPEC_CACHE_DIR");
  g_autofree char *real = realpath (specs_dir, NULL);
  g_autofree char *sum = NULL;
  g_autofree char *name = NULL;
  g_autofree char *base = NULL;

  sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, real ? real : specs_dir, -1);
  sum[16] = '\0';
  name = g_strdup_printf ("specs-%s.cache", sum);

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, name, NULL);
  base = g_build_filename (g_get_user_cache_dir (), "leanspec-desktop", NULL);
  return g_build_filename (base, name, NULL);
}

/* Checks the layout of @bytes and points @cache into it. */
static gboolean
map_file (LeanSpecCache *cache,
          GBytes        *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize magic_len = strlen (CACHE_MAGIC) + 1;
  gsize pos = magic_len;
  guint32 n;
  guint64 check;

  if (data == NULL || size < magic_len + 4 + 8 ||
      memcmp (data, CACHE_MAGIC, magic_len) != 0)
    return FALSE;

  /* A torn or damaged file fails its check and is ignored. */
  memcpy (&check, data + size - 8, 8);
  if (check != _lean_spec_cache_key (data, size - 8))
    return FALSE;
  size -= 8;

  n = get_u32 (data + pos, 0);
  pos += 4;
  if (n > (size - pos) / (8 + 4 + 4))
    return FALSE;

  cache->n = n;
  cache->keys = data + pos;
  pos += (gsize)n * 8;
  cache->lens = data + pos;
  pos += (gsize)n * 4;
  cache->offsets = data + pos;
  pos += ((gsize)n + 1) * 4;
  if (pos > size)
    return FALSE;
  cache->data_start = pos;

  /* Offsets must rise and stay inside the data. */
  for (gsize i = 0; i <= n; i++)
    {
      guint32 off = get_u32 (cache->offsets, i);

      if ((i > 0 && off < get_u32 (cache->offsets, i - 1)) || pos + off > size)
        return FALSE;
    }
  return TRUE;
}

LeanSpecCache *
_lean_spec_cache_open (const char *specs_dir)
{
  LeanSpecCache *cache;
  char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (specs_dir != NULL, NULL);

  if (g_strcmp0 (g_getenv ("LEANSPEC_NO_CACHE"), "1") == 0)
    return NULL;

  cache = g_new0 (LeanSpecCache, 1);
  cache->path = cache_path (specs_dir);

  /* Read, not mapped: another process may replace the file meanwhile. */
  if (g_file_get_contents (cache->path, &data, &len, NULL))
    {
      GBytes *bytes = g_bytes_new_take (data, len);

      if (map_file (cache, bytes))
        {
          cache->bytes = bytes;
          cache->used = g_new0 (guint8, cache->n);
        }
      else
        {
          g_bytes_unref (bytes);
          cache->n = 0;
        }
    }

  return cache;
}

void
_lean_spec_cache_free (LeanSpecCache *cache)
{
  if (cache == NULL)
    return;
  g_clear_pointer (&cache->bytes, g_bytes_unref);
  g_free (cache->used);
  g_free (cache->path);
  g_free (cache);
}

gboolean
_lean_spec_cache_lookup (LeanSpecCache  *cache,
                         guint64         key,
                         gsize           len,
                         GBytes        **data,
                         gsize          *offset,
                         gsize          *size)
{
  gsize lo = 0;
  gsize hi;

  g_return_val_if_fail (cache != NULL, FALSE);

  hi = cache->n;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      guint64 k = get_u64 (cache->keys, mid);

      if (k == key)
        {
          if (get_u32 (cache->lens, mid) != len)
            break;
          cache->used[mid] = 1;
          g_atomic_int_inc (&cache->hits);
          *data = cache->bytes;
          *offset = cache->data_start + get_u32 (cache->offsets, mid);
          *size = get_u32 (cache->offsets, mid + 1) - get_u32 (cache->offsets, mid);
          return TRUE;
        }
      if (k < key)
        lo = mid + 1;
      else
        hi = mid;
    }

  g_atomic_int_inc (&cache->misses);
  return FALSE;
}

void
_lean_spec_cache_miss (LeanSpecCache *cache)
{
  g_return_if_fail (cache != NULL);

  g_atomic_int_add (&cache->hits, -1);
  g_atomic_int_inc (&cache->misses);
}

void
_lean_spec_cache_get_stats (LeanSpecCache *cache,
                            guint         *hits,
                            guint         *misses)
{
  g_return_if_fail (cache != NULL);

  if (hits)
    *hits = g_atomic_int_get (&cache->hits);
  if (misses)
    *misses = g_atomic_int_get (&cache->misses);
}

typedef struct
{
  guint64 key;
  guint32 len;
  LeanSpec *spec;
} Row;

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  guint64 x = ((const Row *)a)->key;
  guint64 y = ((const Row *)b)->key;

  return x < y ? -1 : x > y;
}

void
_lean_spec_cache_save (LeanSpecCache *cache,
                       GPtrArray     *specs)
{
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GByteArray) entries = NULL;
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GArray) offsets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  gboolean stale = FALSE;
  guint32 n = 0;
  guint64 check;

  g_return_if_fail (cache != NULL);
  g_return_if_fail (specs != NULL);

  /* Nothing new and nothing gone: keep the file as it is. */
  for (gsize i = 0; i < cache->n && !stale; i++)
    stale = !cache->used[i];
  if (g_atomic_int_get (&cache->misses) == 0 && !stale && cache->bytes != NULL)
    return;

  rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), specs->len);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      gsize len;
      const void *data = g_bytes_get_data (lean_spec_get_contents (spec), &len);
      Row row = { _lean_spec_cache_key (data, len), len, spec };

      if (len <= G_MAXUINT32)
        g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_rows);

  entries = g_byte_array_new ();
  offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *)CACHE_MAGIC, strlen (CACHE_MAGIC) + 1);
  g_byte_array_append (out, (const guint8 *)&n, 4); /* patched below */

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      guint32 off = entries->len;

      /* Identical files share one entry. */
      if (i > 0 && g_array_index (rows, Row, i - 1).key == row->key)
        continue;
      if (entries->len > G_MAXUINT32 / 2)
        break;
      g_array_append_val (offsets, off);
      _lean_spec_append_cache_entry (row->spec, entries);
      n++;
    }
  {
    guint32 end = entries->len;
    g_array_append_val (offsets, end);
  }

  for (guint i = 0, k = 0; i < rows->len && k < n; i++)
    if (i == 0 || g_array_index (rows, Row, i - 1).key != g_array_index (rows, Row, i).key)
      {
        g_byte_array_append (out, (const guint8 *)&g_array_index (rows, Row, i).key, 8);
        k++;
      }
  for (guint i = 0, k = 0; i < rows->len && k < n; i++)
    if (i == 0 || g_array_index (rows, Row, i - 1).key != g_array_index (rows, Row, i).key)
      {
        g_byte_array_append (out, (const guint8 *)&g_array_index (rows, Row, i).len, 4);
        k++;
      }
  g_byte_array_append (out, (const guint8 *)offsets->data, offsets->len * 4);
  g_byte_array_append (out, entries->data, entries->len);
  memcpy (out->data + strlen (CACHE_MAGIC) + 1, &n, 4);

  check = _lean_spec_cache_key (out->data, out->len);
  g_byte_array_append (out, (const guint8 *)&check, 8);

  dir = g_path_get_dirname (cache->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return;

  /* Atomic (temp file + rename), not fsynced: losing it costs one parse. */
  if (!g_file_set_contents_full (cache->path, (const char *)out->data, out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_debug ("Cannot write the spec cache %s: %s", cache->path, error->message);
}
