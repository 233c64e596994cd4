/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-spec-lint.h"
#include "lean-spec.h"

G_BEGIN_DECLS

/* The token chip and the check mark a spec carries in the list, on board
 * cards and in the stats, as LeanSpec's web UI shows them. Both read what
 * the spec already holds (counted and checked when it was parsed, on the
 * loader's thread, then kept in the spec cache), so drawing them costs no
 * I/O and no tokenising. */

/* "850", "2.1k", "12k". */
char           *lean_spec_badges_format_tokens  (guint           tokens);
/* "optimal", "good", "warning", "excessive": the CSS class of a count. */
const char     *lean_spec_badges_token_class    (guint           tokens);
/* The spec's own checks (front matter, structure, length), as
 * `leanspec-ctl list --json` reports them. */
LeanLintStatus  lean_spec_badges_lint           (LeanSpec       *spec);
/* "✓", "!", "✕": a shape per status, so colour is not the only cue. */
const char     *lean_spec_badges_lint_symbol    (LeanLintStatus  status);
/* "pass", "warn", "fail": the CSS class of a status. */
const char     *lean_spec_badges_lint_class     (LeanLintStatus  status);
/* A sentence for tooltips and screen readers ("Checks pass"). */
const char     *lean_spec_badges_lint_label     (LeanLintStatus  status);

/* Draws the chip and the mark of @spec right-aligned against @right, on
 * a line at @y of @height in @widget; returns the x where they begin. */
int             lean_spec_badges_snapshot       (GtkWidget      *widget,
                                                 GtkSnapshot    *snapshot,
                                                 LeanSpec       *spec,
                                                 int             right,
                                                 int             y,
                                                 int             height);

/* For widgets made of labels (board cards): sets @chip's and @mark's text,
 * CSS classes and tooltips from @spec. */
void            lean_spec_badges_update_labels  (GtkLabel       *chip,
                                                 GtkLabel       *mark,
                                                 LeanSpec       *spec);

G_END_DECLS
