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

G_END_DECLS
