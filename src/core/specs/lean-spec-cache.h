/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A cache of what loading derives from each README (status, title, tags,
 * tasks, ...), keyed by a 64-bit hash and the length of the file's bytes.
 * The file is always read; only libyaml and the body scan are skipped when
 * the bytes are the same as last time, so a cached spec is what a fresh
 * parse of those bytes gives (its front matter tree is parsed on first
 * use). One file per specs folder, in $LEANSPEC_CACHE_DIR or
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

G_END_DECLS
