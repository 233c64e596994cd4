/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-project-private.h"
#include "lean-spec-cache.h"

G_BEGIN_DECLS

/* The walk of a project's specs folder that finds the spec folders
 * (NNN-slug, up to 3 levels down, archived/ included, symlink loops
 * skipped) and reads them on all cores, with the spec cache's folder
 * records sparing the listing and reading of unchanged ones. What
 * LeanProject's loads and lean_project_next_number() run; internal to
 * the specs wing. */
typedef struct
{
  /* Set by the caller */
  const char        *root;           /* the project's root */
  const char        *root_real;      /* its real path: nothing outside is read */
  const char        *specs_dir;      /* absolute */
  LeanSpecCache     *cache;          /* NULL: none */
  gboolean           read_on_demand; /* see _lean_project_set_read_on_demand() */
  LeanSpecsReadFunc  func;           /* NULL: specs only come with the result */
  gpointer           user_data;

  /* Counted by the walk's threads (atomically): folders listed (the
   * others were known from their record) and specs whose README was not
   * read. */
  gint               listed;
  gint               unread;

  /* Set by the walk: the specs dir open (or -1), so that a file in it
   * is looked up from there instead of from / on every stat. */
  int                specs_fd;
} LeanSpecScan;

/* Walks @scan's specs dir. With @read, spec folders are read: each gives
 * a LeanSpec or a LeanSpecProblem in @results, in the order found. Spec
 * folder paths go to @spec_dirs, every folder entered to @dirs (the specs
 * dir first); each array may be NULL. With scan->func (and @read and
 * @results), specs are handed on to it while the walk goes on, as
 * _lean_project_load_specs_progressive() says. FALSE with @error when the
 * specs dir is missing or a link out of the project, or on cancel.
 * Blocking. */
gboolean _lean_spec_scan_run         (LeanSpecScan  *scan,
                                      gboolean       read,
                                      GPtrArray     *results,
                                      GPtrArray     *spec_dirs,
                                      GPtrArray     *dirs,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* Whether @path is @root itself or inside it, by name (no link followed). */
gboolean _lean_spec_scan_path_within (const char    *path,
                                      const char    *root);

G_END_DECLS
