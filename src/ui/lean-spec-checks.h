/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "lean-markdown-view.h"
#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_CHECKS (lean_spec_checks_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecChecks, lean_spec_checks, LEAN, SPEC_CHECKS, GtkWidget)

/* A spec's token count and LeanSpec's checks of it, as the spec view shows
 * them: a chip with the count, coloured by its status, whose popover has
 * the core's breakdown (front matter, content, title, code, checklists,
 * prose, each "##" section and each sub-spec file); a mark with the checks'
 * status; and the list of problems, each with its severity and message. A
 * problem about a section scrolls the spec's README to that section when
 * clicked. Everything is counted and checked on a worker thread (the README
 * and sub-spec files are read there, the relationship checks look at every
 * spec of @store). */
GtkWidget *lean_spec_checks_new        (void);
/* Shows @spec (NULL: nothing) of @store; a newer call wins over the work of
 * an older one still running. */
void       lean_spec_checks_set_spec   (LeanSpecChecks    *self,
                                        LeanSpecStore     *store,
                                        LeanSpec          *spec);
/* Where a click on a problem about a section goes: the README as @view
 * shows it, scrolled in @scroller. */
void       lean_spec_checks_set_target (LeanSpecChecks    *self,
                                        LeanMarkdownView  *view,
                                        GtkScrolledWindow *scroller);

/* For tests: the chip a person clicks, the popover it opens, the list of
 * problems, and whether a count is still running. Value labels in the
 * popover are named "tokens-total", "tokens-frontmatter", "tokens-content",
 * "tokens-title", "tokens-code", "tokens-checklists", "tokens-prose",
 * "tokens-section-N" and "tokens-subspec-N" (N from 0). */
GtkWidget *_lean_spec_checks_get_tokens_button (LeanSpecChecks *self);
GtkWidget *_lean_spec_checks_get_tokens_popover (LeanSpecChecks *self);
GtkListBox *_lean_spec_checks_get_issues_list  (LeanSpecChecks *self);
gboolean   _lean_spec_checks_is_busy           (LeanSpecChecks *self);

G_END_DECLS
