/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/stat.h>

#include <glib.h>

G_BEGIN_DECLS

/* A cache of what loading derives from each README (status, title, tags,
 * tasks, ...), keyed by a 64-bit hash and the length of the file's bytes,
 * so a cached spec is what a fresh parse of those bytes gives (its front
 * matter tree is parsed on first use).
 *
 * Beside it, per folder the walk entered, a record of what the folder held
 * (sub-folders, README, other .md files) and the stamps (device, inode,
 * size, mtime and ctime in ns) of the folder and of its README, as git's
 * index keeps them: a folder whose stamp is unchanged need not be listed
 * again, a README whose stamp is unchanged need not be read to know which
 * entry it is. A stamp is only trusted when both its times are older than
 * the load that took it by more than the file system's timestamp
 * granularity (RACY_MARGIN in the .c): a file changed twice within one
 * clock tick keeps its times, so a recent stamp proves nothing ("racily
 * clean" in git). ctime is part of the stamp because nobody can set it
 * back: a write that restores the old mtime and size is still seen.
 *
 * One file per specs folder, in $LEANSPEC_CACHE_DIR or
 * $XDG_CACHE_HOME/leanspec-desktop; LEANSPEC_NO_CACHE=1 turns it off.
 * Internal to the core; lookups are safe from the loader's threads. */

typedef struct _LeanSpecCache LeanSpecCache;

/* NULL when caching is off. Never fails: a missing, unreadable, damaged or
 * older-format file just gives an empty cache. */
LeanSpecCache *_lean_spec_cache_open      (const char    *specs_dir);
void           _lean_spec_cache_free      (LeanSpecCache *cache);

guint64        _lean_spec_cache_key       (const void    *data,
                                           gsize          len);
/* Finds the entry for bytes with @key and @len: sets the cache's data and
 * the entry's place in it, and counts a hit; else counts a miss. */
gboolean       _lean_spec_cache_lookup    (LeanSpecCache *cache,
                                           guint64        key,
                                           gsize          len,
                                           GBytes       **data,
                                           gsize         *offset,
                                           gsize         *size);
/* Turns the last counted hit into a miss (the entry did not fit). */
void           _lean_spec_cache_miss      (LeanSpecCache *cache);
/* Rewrites the file from @specs (LeanSpec) when anything changed. */
void           _lean_spec_cache_save      (LeanSpecCache *cache,
                                           GPtrArray     *specs);
void           _lean_spec_cache_get_stats (LeanSpecCache *cache,
                                           guint         *hits,
                                           guint         *misses);

typedef struct
{
  guint64 dev;
  guint64 ino;
  guint64 size;
  gint64 mtime_ns;
  gint64 ctime_ns;
} LeanFileStamp;

void     _lean_file_stamp_from_stat      (LeanFileStamp       *stamp,
                                          const struct stat   *st);
gboolean _lean_file_stamp_equal          (const LeanFileStamp *a,
                                          const LeanFileStamp *b);
/* Whether @stamp is old enough to be trusted by this load (see above). */
gboolean _lean_spec_cache_stamp_trusted  (LeanSpecCache       *cache,
                                          const LeanFileStamp *stamp);

typedef enum
{
  LEAN_DIR_RECORD_LISTED     = 1 << 0, /* dir stamp trusted, listing below */
  LEAN_DIR_RECORD_HAS_README = 1 << 1,
  LEAN_DIR_RECORD_README     = 1 << 2, /* readme stamp trusted, key and len */
} LeanDirRecordFlags;

/* What the walk knew of one folder. Only folders whose every entry is a
 * plain file or folder are LISTED: a link's target can change without the
 * folder changing. */
typedef struct
{
  guint flags;
  LeanFileStamp dir;
  LeanFileStamp readme;
  guint64 key;               /* the README's cache key and length */
  guint32 len;
  const char **subdirs;      /* NULL-terminated; the array is the caller's */
  const char **mds;          /* sorted, README.md not among them */
} LeanDirRecord;

/* The record of the folder at @path as the last load left it, strings
 * pointing into the cache; @index names it for _lean_spec_cache_keep_dir().
 * g_free() the two arrays (not the strings) with _lean_dir_record_clear(). */
gboolean _lean_spec_cache_lookup_dir     (LeanSpecCache       *cache,
                                          const char          *path,
                                          LeanDirRecord       *record,
                                          gsize               *index);
void     _lean_dir_record_clear          (LeanDirRecord       *record);
/* The folder is as recorded: keep its record as it is. */
void     _lean_spec_cache_keep_dir       (LeanSpecCache       *cache,
                                          gsize                index);
/* A new record for the folder at @path (copied); safe from any thread. */
void     _lean_spec_cache_put_dir        (LeanSpecCache       *cache,
                                          const char          *path,
                                          const LeanDirRecord *record);

G_END_DECLS
