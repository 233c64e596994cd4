/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
 *   u32 n_dirs               number of folder records
 *   u64 dir_keys[n_dirs]     sorted; _lean_spec_cache_key() of the path
 *   u32 dir_offsets[n_dirs + 1]  record i is dir_data[dir_offsets[i] .. [i + 1])
 *   data                     entries, as _lean_spec_append_cache_entry() writes
 *   dir_data                 records, as put_record() writes
 *   u64 check                _lean_spec_cache_key() of everything before it
 *
 * A GVariant would be the obvious container, but reading 5,000 entries
 * through it costs as much as parsing the YAML; this layout is read with
 * plain bounds-checked pointer arithmetic instead. Bump the number in
 * CACHE_MAGIC whenever what is derived from a README changes (title rules,
 * task rules, null handling...): older files are then ignored. */
#define CACHE_MAGIC "leanspec-desktop spec cache 5 " APP_VERSION

/* How much older than the load a stamp's times must be to be trusted:
 * Linux takes file times from a clock that lags by up to a tick, FAT
 * keeps 2 s steps, network file systems use the server's clock. */
#define RACY_MARGIN_NSEC G_GINT64_CONSTANT (2000000000)

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

  const guint8 *dir_keys;   /* u64[n_dirs] */
  const guint8 *dir_offsets;/* u32[n_dirs + 1] */
  gsize dir_data_start;
  gsize n_dirs;
  guint8 *dir_used;         /* per record: kept by this load */
  gint64 now_ns;            /* wall clock when opened */
  gint64 racy_margin_ns;

  GMutex lock;              /* guards new_dirs */
  GHashTable *new_dirs;     /* path -> GBytes, records put by this load */
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
  guint32 n, n_dirs;
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

  cache->keys = data + pos;
  pos += (gsize)n * 8;
  cache->lens = data + pos;
  pos += (gsize)n * 4;
  cache->offsets = data + pos;
  pos += ((gsize)n + 1) * 4;
  if (pos + 4 > size)
    return FALSE;

  n_dirs = get_u32 (data + pos, 0);
  pos += 4;
  if (n_dirs > (size - pos) / (8 + 4))
    return FALSE;
  cache->dir_keys = data + pos;
  pos += (gsize)n_dirs * 8;
  cache->dir_offsets = data + pos;
  pos += ((gsize)n_dirs + 1) * 4;
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
  cache->dir_data_start = pos + get_u32 (cache->offsets, n);
  for (gsize i = 0; i <= n_dirs; i++)
    {
      guint32 off = get_u32 (cache->dir_offsets, i);

      if ((i > 0 && off < get_u32 (cache->dir_offsets, i - 1)) ||
          cache->dir_data_start + off > size)
        return FALSE;
    }
  cache->n = n;
  cache->n_dirs = n_dirs;
  return TRUE;
}

/* The file, mapped. Every writer replaces it by renaming a new file over
 * it (g_file_set_contents()), which leaves the inode mapped here as it
 * was; none truncates or rewrites it in place. Reading a 5,000-spec cache
 * instead cost a copy and a page fault per 4 KiB into fresh memory, on
 * the path every scan waits for. Opened without blocking: a FIFO put in
 * its place must not hang every load. */
static GBytes *
read_cache_file (const char *path)
{
  g_autoptr(GMappedFile) mapped = NULL;
  struct stat st;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0 &&
      (guint64) st.st_size <= G_MAXUINT32)
    mapped = g_mapped_file_new_from_fd (fd, FALSE, NULL);
  close (fd);
  return mapped != NULL ? g_mapped_file_get_bytes (mapped) : NULL;
}

LeanSpecCache *
_lean_spec_cache_open (const char *specs_dir)
{
  LeanSpecCache *cache;
  GBytes *bytes;

  g_return_val_if_fail (specs_dir != NULL, NULL);

  if (g_strcmp0 (g_getenv ("LEANSPEC_NO_CACHE"), "1") == 0)
    return NULL;

  cache = g_new0 (LeanSpecCache, 1);
  cache->path = cache_path (specs_dir);
  cache->now_ns = g_get_real_time () * 1000;
  cache->racy_margin_ns = RACY_MARGIN_NSEC;
  /* Tests cannot wait two seconds for every file they write to age. */
  if (g_getenv ("_LEANSPEC_CACHE_RACY_MSEC") != NULL)
    cache->racy_margin_ns = g_ascii_strtoll (g_getenv ("_LEANSPEC_CACHE_RACY_MSEC"), NULL, 10)
                            * 1000000;
  g_mutex_init (&cache->lock);
  cache->new_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_bytes_unref);

  bytes = read_cache_file (cache->path);
  if (bytes != NULL)
    {
      if (map_file (cache, bytes))
        {
          cache->bytes = bytes;
          cache->used = g_new0 (guint8, cache->n);
          cache->dir_used = g_new0 (guint8, cache->n_dirs);
        }
      else
        {
          g_bytes_unref (bytes);
          cache->n = 0;
          cache->n_dirs = 0;
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
  g_free (cache->dir_used);
  g_clear_pointer (&cache->new_dirs, g_hash_table_unref);
  g_mutex_clear (&cache->lock);
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

/* ---- folder records ------------------------------------------------- */

void
_lean_file_stamp_from_stat (LeanFileStamp     *stamp,
                            const struct stat *st)
{
  stamp->dev = st->st_dev;
  stamp->ino = st->st_ino;
  stamp->size = st->st_size;
  stamp->mtime_ns = (gint64)st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  stamp->ctime_ns = (gint64)st->st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_ctim.tv_nsec;
}

gboolean
_lean_file_stamp_equal (const LeanFileStamp *a,
                        const LeanFileStamp *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

gboolean
_lean_spec_cache_stamp_trusted (LeanSpecCache       *cache,
                                const LeanFileStamp *stamp)
{
  gint64 newest = MAX (stamp->mtime_ns, stamp->ctime_ns);

  return newest < cache->now_ns - cache->racy_margin_ns;
}

#define STAMP_SIZE (5 * 8)

static void
put_stamp (GByteArray          *out,
           const LeanFileStamp *stamp)
{
  guint64 v[5] = { stamp->dev, stamp->ino, stamp->size,
                   (guint64)stamp->mtime_ns, (guint64)stamp->ctime_ns };

  g_byte_array_append (out, (const guint8 *)v, sizeof v);
}

static void
get_stamp (const guint8  *p,
           LeanFileStamp *stamp)
{
  guint64 v[5];

  memcpy (v, p, sizeof v);
  stamp->dev = v[0];
  stamp->ino = v[1];
  stamp->size = v[2];
  stamp->mtime_ns = (gint64)v[3];
  stamp->ctime_ns = (gint64)v[4];
}

/* path NUL, u32 flags, dir stamp, readme stamp, u64 key, u32 len,
 * u32 n_subdirs, u32 n_mds, the names NUL-terminated. */
static GBytes *
serialize_record (const char          *path,
                  const LeanDirRecord *record)
{
  GByteArray *out = g_byte_array_sized_new (256);
  guint32 u32[4];

  g_byte_array_append (out, (const guint8 *)path, strlen (path) + 1);
  u32[0] = record->flags;
  g_byte_array_append (out, (const guint8 *)u32, 4);
  put_stamp (out, &record->dir);
  put_stamp (out, &record->readme);
  g_byte_array_append (out, (const guint8 *)&record->key, 8);
  u32[0] = record->len;
  u32[1] = record->subdirs ? g_strv_length ((char **)record->subdirs) : 0;
  u32[2] = record->mds ? g_strv_length ((char **)record->mds) : 0;
  g_byte_array_append (out, (const guint8 *)u32, 12);
  for (guint i = 0; i < u32[1]; i++)
    g_byte_array_append (out, (const guint8 *)record->subdirs[i], strlen (record->subdirs[i]) + 1);
  for (guint i = 0; i < u32[2]; i++)
    g_byte_array_append (out, (const guint8 *)record->mds[i], strlen (record->mds[i]) + 1);
  return g_byte_array_free_to_bytes (out);
}

static const guint8 *
record_bytes (LeanSpecCache *cache,
              gsize          index,
              gsize         *len)
{
  const guint8 *data = g_bytes_get_data (cache->bytes, NULL);
  guint32 start = get_u32 (cache->dir_offsets, index);

  *len = get_u32 (cache->dir_offsets, index + 1) - start;
  return data + cache->dir_data_start + start;
}

static const char **
read_names (const guint8 **p,
            const guint8  *end,
            guint32        n)
{
  const char **names;

  if (n > (gsize)(end - *p))
    return NULL;
  names = g_new0 (const char *, n + 1);
  for (guint32 i = 0; i < n; i++)
    {
      const guint8 *nul = memchr (*p, '\0', end - *p);

      if (nul == NULL)
        {
          g_free (names);
          return NULL;
        }
      names[i] = (const char *)*p;
      *p = nul + 1;
      /* The walk enters these: nothing but a plain name of this folder,
       * whatever the file says. */
      if (names[i][0] == '\0' || names[i][0] == '.' || strchr (names[i], '/') != NULL)
        {
          g_free (names);
          return NULL;
        }
    }
  return names;
}

static gboolean
find_record (LeanSpecCache *cache,
             const char    *path,
             gsize          path_len,
             gsize         *index)
{
  guint64 key = _lean_spec_cache_key (path, path_len);
  gsize lo = 0, hi = cache->n_dirs;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      guint64 k = get_u64 (cache->dir_keys, mid);

      if (k == key)
        {
          gsize len;
          const guint8 *rec = record_bytes (cache, mid, &len);

          /* Another path with the same key is a miss, never a wrong hit. */
          if (len <= path_len || memcmp (rec, path, path_len + 1) != 0)
            return FALSE;
          *index = mid;
          return TRUE;
        }
      if (k < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return FALSE;
}

gboolean
_lean_spec_cache_lookup_dir (LeanSpecCache *cache,
                             const char    *path,
                             LeanDirRecord *record,
                             gsize         *index)
{
  gsize path_len = strlen (path);
  gsize len;
  const guint8 *p, *end;
  guint32 u32[4];

  g_return_val_if_fail (cache != NULL, FALSE);

  memset (record, 0, sizeof *record);
  if (cache->n_dirs == 0 || !find_record (cache, path, path_len, index))
    return FALSE;

  p = record_bytes (cache, *index, &len);
  end = p + len;
  p += path_len + 1;
  if ((gsize)(end - p) < 4 + 2 * STAMP_SIZE + 8 + 12)
    return FALSE;
  memcpy (&u32[0], p, 4);
  record->flags = u32[0];
  p += 4;
  get_stamp (p, &record->dir);
  p += STAMP_SIZE;
  get_stamp (p, &record->readme);
  p += STAMP_SIZE;
  memcpy (&record->key, p, 8);
  p += 8;
  memcpy (u32, p, 12);
  p += 12;
  record->len = u32[0];
  record->subdirs = read_names (&p, end, u32[1]);
  record->mds = record->subdirs ? read_names (&p, end, u32[2]) : NULL;
  if (record->mds == NULL)
    {
      _lean_dir_record_clear (record);
      return FALSE;
    }
  return TRUE;
}

void
_lean_dir_record_clear (LeanDirRecord *record)
{
  g_clear_pointer (&record->subdirs, g_free);
  g_clear_pointer (&record->mds, g_free);
}

void
_lean_spec_cache_keep_dir (LeanSpecCache *cache,
                           gsize          index)
{
  g_return_if_fail (cache != NULL);
  g_return_if_fail (index < cache->n_dirs);

  cache->dir_used[index] = 1;
}

void
_lean_spec_cache_put_dir (LeanSpecCache       *cache,
                          const char          *path,
                          const LeanDirRecord *record)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize index;

  g_return_if_fail (cache != NULL);

  bytes = serialize_record (path, record);
  /* The same record as last time (a stamp still too recent to trust, say)
   * is kept rather than counted as a change: no rewrite for it. */
  if (cache->n_dirs > 0 && find_record (cache, path, strlen (path), &index))
    {
      gsize len;
      const guint8 *old = record_bytes (cache, index, &len);

      if (len == g_bytes_get_size (bytes) && memcmp (old, g_bytes_get_data (bytes, NULL), len) == 0)
        {
          cache->dir_used[index] = 1;
          return;
        }
    }

  g_mutex_lock (&cache->lock);
  g_hash_table_replace (cache->new_dirs, g_strdup (path), g_steal_pointer (&bytes));
  g_mutex_unlock (&cache->lock);
}

/* ---- saving ----------------------------------------------------------- */

typedef struct
{
  guint64 key;
  const guint8 *data;
  gsize len;
} DirRow;

static int
compare_dir_rows (gconstpointer a,
                  gconstpointer b)
{
  guint64 x = ((const DirRow *)a)->key;
  guint64 y = ((const DirRow *)b)->key;

  return x < y ? -1 : x > y;
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
  g_autoptr(GArray) dir_rows = NULL;
  g_autofree char *dir = NULL;
  GHashTableIter iter;
  gpointer path, value;
  gboolean stale = FALSE;
  guint32 n = 0;
  guint64 check;

  g_return_if_fail (cache != NULL);
  g_return_if_fail (specs != NULL);

  /* Nothing new and nothing gone: keep the file as it is. */
  for (gsize i = 0; i < cache->n && !stale; i++)
    stale = !cache->used[i];
  for (gsize i = 0; i < cache->n_dirs && !stale; i++)
    stale = !cache->dir_used[i];
  if (g_atomic_int_get (&cache->misses) == 0 && !stale && cache->bytes != NULL &&
      g_hash_table_size (cache->new_dirs) == 0)
    return;

  rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), specs->len);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      gsize len;
      guint64 key = _lean_spec_get_content_key (spec, &len);
      Row row = { key, len, spec };

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

  /* Folder records: the ones kept as they were, and the new ones. */
  dir_rows = g_array_new (FALSE, FALSE, sizeof (DirRow));
  for (gsize i = 0; i < cache->n_dirs; i++)
    if (cache->dir_used[i])
      {
        DirRow row = { get_u64 (cache->dir_keys, i), NULL, 0 };

        row.data = record_bytes (cache, i, &row.len);
        g_array_append_val (dir_rows, row);
      }
  g_hash_table_iter_init (&iter, cache->new_dirs);
  while (g_hash_table_iter_next (&iter, &path, &value))
    {
      DirRow row = { _lean_spec_cache_key (path, strlen (path)), NULL, 0 };

      row.data = g_bytes_get_data (value, &row.len);
      g_array_append_val (dir_rows, row);
    }
  g_array_sort (dir_rows, compare_dir_rows);
  {
    g_autoptr(GArray) dir_offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
    g_autoptr(GByteArray) dir_data = g_byte_array_new ();
    guint32 n_dirs = 0;
    gsize n_pos = out->len;

    g_byte_array_append (out, (const guint8 *)&n_dirs, 4); /* patched below */
    for (guint i = 0; i < dir_rows->len; i++)
      {
        const DirRow *row = &g_array_index (dir_rows, DirRow, i);
        guint32 off = dir_data->len;

        /* Two paths with one key: the first only (the other is looked up
         * in vain and listed, which is always right). */
        if ((i > 0 && g_array_index (dir_rows, DirRow, i - 1).key == row->key) ||
            dir_data->len + row->len > G_MAXUINT32 / 2)
          continue;
        g_byte_array_append (out, (const guint8 *)&row->key, 8);
        g_array_append_val (dir_offsets, off);
        g_byte_array_append (dir_data, row->data, row->len);
        n_dirs++;
      }
    {
      guint32 end = dir_data->len;
      g_array_append_val (dir_offsets, end);
    }
    memcpy (out->data + n_pos, &n_dirs, 4);
    g_byte_array_append (out, (const guint8 *)dir_offsets->data, dir_offsets->len * 4);
    g_byte_array_append (out, entries->data, entries->len);
    g_byte_array_append (out, dir_data->data, dir_data->len);
  }
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
