/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-project.h"
#include "lean-spec.h"

G_BEGIN_DECLS

/* Builds the prompt that starts a session on @spec: an instruction to
 * implement the spec and keep its checklist current, the spec's README.md
 * and its sub-spec files (paths given relative to the project root), and the
 * title and status of each depends_on spec (looked up in @specs, a GPtrArray
 * of LeanSpec; unknown ones are named as such). When the project's
 * .lean-spec/config.json has "session_prompt_template", it is used instead
 * of the built-in wording, with "{specs}" replaced by the spec section
 * (README, sub-specs, dependencies) and "{spec_id}", "{spec_title}",
 * "{spec_path}", "{project_path}" by those values.
 * Blocking (reads the sub-spec files): call from a worker thread or for a
 * handful of files. @specs may be NULL. */
char *lean_prompt_build (LeanProject  *project,
                         GPtrArray    *specs,
                         LeanSpec     *spec,
                         GError      **error);

/* @prompt (made by lean_prompt_build() for @spec, perhaps edited since) with
 * the README text in its spec section replaced by @spec's contents as read
 * now, so a later session sees the items already ticked. NULL when @prompt
 * has no such section (a person rewrote it): then it stays as it is. */
char *lean_prompt_update_spec_text (const char *prompt,
                                    LeanSpec   *spec);

G_END_DECLS
