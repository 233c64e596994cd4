/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-spec.h"

G_BEGIN_DECLS

/* One phase of a spec's plan: a "###" heading under "## Plan" that has
 * checklist items, with how many of them are done. */
typedef struct
{
  char  *title;    /* the heading's text ("Phase 2: Desktop UI") */
  guint  line;     /* 1-based line of the heading in the file; 0 for the one implicit phase */
  guint  done;
  guint  total;
  char **open_items;  /* the unchecked items' text, in file order (NULL-terminated) */
} LeanSpecPhase;

void       lean_spec_phase_free         (LeanSpecPhase *phase);

/* The phases of @spec's plan, in file order: every "###" heading inside the
 * "## Plan" section (up to the next "#" or "##" heading, fenced code not
 * counted) that has checklist items, each item counted under the heading
 * above it. A spec without such headings has one phase holding all its
 * checklist items (title "", line 0); a spec without items has none.
 * Never NULL. */
GPtrArray *lean_spec_get_phases         (LeanSpec      *spec);
/* The index of the first phase with open items, or -1 when all are done. */
int        lean_spec_phases_get_current (GPtrArray     *phases);

G_END_DECLS
