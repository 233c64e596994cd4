/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-project.h"

G_BEGIN_DECLS

/* lean_project_load_specs() that also hands back every directory the scan
 * entered (the specs dir first), so the store can watch exactly those. */
GPtrArray *_lean_project_load_specs_full (LeanProject   *self,
                                          GPtrArray    **problems,
                                          GPtrArray    **dirs,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* Called in the loading thread with specs as soon as they are read, in scan
 * order (@specs is the callee's). The same objects are in the final result
 * too; the specs read last come only with it. */
typedef void (*LeanSpecsReadFunc) (GPtrArray *specs,
                                   gpointer   user_data);

/* _lean_project_load_specs_full() that hands specs on to @func while the
 * scan goes on: the first ones once ~64 folders are read or ~50 ms have
 * passed, the others at most every ~100 ms. */
GPtrArray *_lean_project_load_specs_progressive (LeanProject        *self,
                                                 LeanSpecsReadFunc   func,
                                                 gpointer            user_data,
                                                 GPtrArray         **problems,
                                                 GPtrArray         **dirs,
                                                 GCancellable       *cancellable,
                                                 GError            **error);

/* How many READMEs of the last load came from the spec cache, and how many
 * were parsed (both 0 when the cache is off). */
void       _lean_project_get_cache_stats (LeanProject   *self,
                                          guint         *hits,
                                          guint         *misses);

/* Of the last load: folders listed (the others were known from their
 * record in the spec cache) and specs whose README was not read. */
void       _lean_project_get_scan_stats  (LeanProject   *self,
                                          guint         *listed,
                                          guint         *unread);

/* With TRUE, a spec whose README has the size, times and inode recorded
 * in the spec cache comes from the cache without the file being read;
 * lean_spec_get_contents() reads it on first use and checks that it is
 * still the file the fields came from (if not, the spec's content hash
 * matches no file, so no write is ever based on it). For a process that
 * loads once and reads few files, as the CLI. The app's store keeps
 * reading every file: it compares contents between reloads, and reading
 * later would be I/O on the main thread. */
void       _lean_project_set_read_on_demand (LeanProject *self,
                                             gboolean     read_on_demand);

G_END_DECLS
