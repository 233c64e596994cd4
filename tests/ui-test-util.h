/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers shared by the UI tests, on top of test-util.h: a temp copy of a
 * project, letting the main loop settle, and PNG screenshots of real windows. */

#include <adwaita.h>

#include "lean-controller.h"
#include "lean-implement-dialog.h"
#include "test-util.h"

G_BEGIN_DECLS

/* Copies the tree at @src into a new temp dir and returns its path. */
char     *ui_test_copy_tree      (const char  *src);
void      ui_test_remove_tree    (const char  *path);
/* The source tree (LEANSPEC_SOURCE_ROOT, else G_TEST_SRCDIR/..). */
char     *ui_test_source_path    (const char  *first,
                                  ...) G_GNUC_NULL_TERMINATED;
/* Lets the main loop run for @ms (layout, frames, idles). */
void      ui_test_settle         (guint        ms);
/* Renders @widget into <build>/screenshots/@name.png; returns the path. */
char     *ui_test_screenshot     (GtkWidget   *widget,
                                  const char  *name);
/* The first widget of @type at or below @root (depth first), or NULL. */
GtkWidget *ui_test_find_widget   (GtkWidget   *root,
                                  GType        type);
/* Selects the agent @id in @dialog once its list has it (the dialog reads
 * the project's runner files off the main loop); FALSE when it does not
 * within 15 s. */
gboolean  ui_test_select_agent   (LeanImplementDialog *dialog,
                                  const char          *id);
/* The first widget at or below @root whose gtk_widget_get_name() is @name. */
GtkWidget *ui_test_find_named    (GtkWidget   *root,
                                  const char  *name);
/* The first visible toplevel window of @type, or NULL. */
GtkWindow *ui_test_find_toplevel (GType        type);
/* A test_util_wait_until() condition: @controller (a LeanController) has
 * no live session left. */
gboolean  ui_test_no_live_sessions (gpointer controller);
/* Test teardown: cancels every live session of @controller and waits up to
 * @timeout_ms until none is left: a test must never leave an agent behind. */
void      ui_test_stop_sessions  (LeanController  *controller,
                                  guint            timeout_ms);
/* Test teardown: drops the controller (killing anything still running) and
 * closes the session database, clearing both pointers. */
void      ui_test_close_sessions (LeanController **controller,
                                  LeanSessionDb  **db);
/* The drawn spec list row under @root whose spec has the id or the
 * title @spec, or NULL. */
GtkWidget *ui_test_find_spec_row (GtkWidget  *root,
                                  const char *spec);
/* TRUE if a mapped label (or window title) under @root shows @text. */
gboolean  ui_test_find_text      (GtkWidget   *root,
                                  const char  *text);
/* The first mapped widget under @root (depth first, @root included) that is
 * a label showing @text / a button labelled @label (mnemonic included, as
 * "_Undo") / has the tooltip @tooltip; NULL if none. */
GtkWidget *ui_test_find_label    (GtkWidget   *root,
                                  const char  *text);
/* TRUE if a mapped label under @root shows text starting with @prefix (for
 * figures that vary, such as sizes on disk). */
gboolean  ui_test_find_label_prefix (GtkWidget  *root,
                                     const char *prefix);
GtkWidget *ui_test_find_button   (GtkWidget   *root,
                                  const char  *label);
GtkWidget *ui_test_find_tooltip  (GtkWidget   *root,
                                  const char  *tooltip);
/* Writes @contents to @path atomically-enough for a watcher test. */
void      ui_test_write_file     (const char  *path,
                                  const char  *contents);
/* Owns org.gtk.Notifications on the session bus (run the test under
 * dbus-run-session) and records each notification the process sends as
 * "title: body [default action]" in the returned array (owned here). */
GPtrArray *ui_test_start_notification_server (void);
/* A test_util_wait_until() condition: a recorded notification contains
 * the string @needle. */
gboolean  ui_test_notification_arrived (gpointer needle);

G_END_DECLS
