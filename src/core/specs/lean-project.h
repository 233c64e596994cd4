/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-spec.h"
#include "lean-spec-problem.h"

G_BEGIN_DECLS

#define LEAN_TYPE_PROJECT (lean_project_get_type ())

G_DECLARE_FINAL_TYPE (LeanProject, lean_project, LEAN, PROJECT, GObject)

/* Finds the project that contains @path: the nearest ancestor (or @path
 * itself) with .lean-spec/config.json (its "specsDir" honoured) or a specs/
 * folder. LEAN_ERROR_NO_PROJECT when there is none. Blocking (small I/O). */
LeanProject *lean_project_open              (const char    *path,
                                             GError       **error);

const char  *lean_project_get_root          (LeanProject   *self);
const char  *lean_project_get_specs_dir     (LeanProject   *self); /* absolute */
const char  *lean_project_get_name          (LeanProject   *self); /* root folder's name */
/* config.json parsed, or NULL when the project has none. */
const char  *lean_project_get_config_string (LeanProject   *self,
                                             const char    *key);

/* Scans the specs dir (folders NNN-slug up to depth 3, archived/ included,
 * symlink loops skipped) and reads every spec. Broken specs become problems;
 * they never stop the others. Blocking: call from a worker thread.
 * Returns a GPtrArray of LeanSpec sorted by number then id, @problems gets a
 * GPtrArray of LeanSpecProblem. */
GPtrArray   *lean_project_load_specs        (LeanProject   *self,
                                             GPtrArray    **problems,
                                             GCancellable  *cancellable,
                                             GError       **error);

/* Resolves a reference typed by a person: "42", "042", "042-foo" or "foo"
 * against @specs (LeanSpec array). LEAN_ERROR_NOT_FOUND or
 * LEAN_ERROR_AMBIGUOUS (the message names the candidates). */
LeanSpec    *lean_project_find_spec         (LeanProject   *self,
                                             GPtrArray     *specs,
                                             const char    *ref,
                                             GError       **error);

/* Specs in @specs whose parent is @spec. */
GPtrArray   *lean_project_get_children      (LeanProject   *self,
                                             GPtrArray     *specs,
                                             LeanSpec      *spec);

/* Highest number in use (including archived) + 1. Blocking (scans names). */
guint        lean_project_next_number       (LeanProject   *self);

/* Creates specs/NNN-name/README.md from .lean-spec/templates (config
 * "template"/"templates.default") or LeanSpec's default template, with status
 * planned, the given priority and tags, and created date today. @name is the
 * slug ("my-feature"), @title the heading. Returns the new spec. Blocking. */
LeanSpec    *lean_project_create_spec       (LeanProject         *self,
                                             const char          *name,
                                             const char          *title,
                                             LeanSpecPriority     priority,
                                             const char * const  *tags,
                                             GError             **error);

G_END_DECLS
