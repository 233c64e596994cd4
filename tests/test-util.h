/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers every test program shares: where the source tree is, temporary
 * folders and copies of trees in them. The CLI (ctl-testutil.h), UI
 * (ui-test-util.h) and session (test-session-util.h) helpers build on these. */

#include <glib.h>

G_BEGIN_DECLS

/* The source tree: LEANSPEC_SOURCE_ROOT, else G_TEST_SRCDIR/.. (owned here). */
const char *test_util_source_root   (void);
/* A fresh temporary folder; remove it with test_util_rm_rf(). */
char       *test_util_make_tmp_dir  (void);
/* Writes @contents to @root/@rel_path, creating the folders on the way. */
void        test_util_write_file    (const char *root,
                                     const char *rel_path,
                                     const char *contents);
/* Removes @path and, for a folder, everything below it; never follows a
 * symlink out of the tree. A missing @path is not an error. */
void        test_util_rm_rf         (const char *path);
/* Copies @src recursively into the new folder @dest and makes the copy
 * writable (the shared corpus may be read-only). */
void        test_util_copy_tree     (const char *src,
                                     const char *dest);
/* Iterates the default main context until @cond returns TRUE or
 * @timeout_ms passes; returns the last value of @cond. */
gboolean    test_util_wait_until    (gboolean  (*cond) (gpointer data),
                                     gpointer    data,
                                     guint       timeout_ms);
/* Iterates the default main context until *@flag is TRUE; fails the test
 * naming @what after @timeout_s seconds. */
void        test_util_wait_for_flag (gboolean   *flag,
                                     guint       timeout_s,
                                     const char *what);

G_END_DECLS
