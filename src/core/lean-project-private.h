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

/* How many READMEs of the last load came from the spec cache, and how many
 * were parsed (both 0 when the cache is off). */
void       _lean_project_get_cache_stats (LeanProject   *self,
                                          guint         *hits,
                                          guint         *misses);

G_END_DECLS
