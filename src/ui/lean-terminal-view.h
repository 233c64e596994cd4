/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>
#include <vte/vte.h>

G_BEGIN_DECLS

#define LEAN_TYPE_TERMINAL_VIEW (lean_terminal_view_get_type ())

G_DECLARE_FINAL_TYPE (LeanTerminalView, lean_terminal_view, LEAN, TERMINAL_VIEW, GtkWidget)

/* A VteTerminal that is only a view of a session: the session owns the PTY,
 * the view is fed bytes and reports what the person types.
 *
 * Bytes given to lean_terminal_view_feed() are queued and handed to VTE from
 * a frame-clock tick in slices sized so that VTE's parsing fits a time budget
 * per frame, so the window keeps drawing whatever the agent prints. When the
 * queue grows far beyond what the view can show (a flood), the older queued
 * bytes are dropped and a dim "── N MB elided, full log in history ──" line
 * is shown before the most recent output.
 *
 * Signals:
 *   "input"  (GBytes *bytes): the person typed or pasted (only while input is
 *            enabled and not replaying).
 *   "resize" (guint rows, guint cols): the grid size changed.
 *
 * Properties: "input-enabled" (gboolean), "queued-bytes" (guint64, read-only,
 * not notified), "elided-bytes" (guint64, read-only, notified). */

GtkWidget   *lean_terminal_view_new                (void);
VteTerminal *lean_terminal_view_get_terminal       (LeanTerminalView *self);

void         lean_terminal_view_feed               (LeanTerminalView *self,
                                                    GBytes           *bytes);
void         lean_terminal_view_feed_data          (LeanTerminalView *self,
                                                    const char       *data,
                                                    gsize             len);
/* Drops everything queued and clears the screen and scrollback. */
void         lean_terminal_view_reset              (LeanTerminalView *self);

void         lean_terminal_view_set_input_enabled  (LeanTerminalView *self,
                                                    gboolean          enabled);
gboolean     lean_terminal_view_get_input_enabled  (LeanTerminalView *self);

/* Bytes waiting to be shown, and bytes dropped as a flood so far. */
guint64      lean_terminal_view_get_queued_bytes   (LeanTerminalView *self);
guint64      lean_terminal_view_get_elided_bytes   (LeanTerminalView *self);
/* TRUE when nothing is queued (every byte received was handed to VTE). */
gboolean     lean_terminal_view_is_idle            (LeanTerminalView *self);

/* Flood handling knobs (defaults: 4 MiB, 256 KiB, 7 ms). The view elides
 * when its backlog would take more than ~0.3 s to show at VTE's measured
 * rate, and in any case beyond @max_backlog, but never below twice
 * @keep_tail; @keep_tail is how much recent output it keeps then;
 * @budget_us is VTE's parsing time aimed at per frame. */
void         lean_terminal_view_set_flood_limits   (LeanTerminalView *self,
                                                    gsize             max_backlog,
                                                    gsize             keep_tail,
                                                    guint             budget_us);

/* The text of the rows currently scrolled into view, as VTE has parsed it
 * (bytes still in VTE's own input queue are not in it yet). For tests and
 * benchmarks. */
char        *lean_terminal_view_dup_screen_text    (LeanTerminalView *self);

G_END_DECLS
