/* SPDX-License-Identifier: MIT */
#pragma once

/* Real input for UI tests: pointer buttons and keys pressed through the X
 * server with XTest, at the on-screen position of a widget, so a test goes
 * through the same event path (gestures, grabs, focus, crossing events) as a
 * person's mouse and keyboard. Calling a handler or emitting a signal skips
 * exactly the code that crashed when people clicked. */

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE when the display is X11 with the XTest extension (under Xvfb). */
gboolean ui_input_available      (void);
/* Moves the pointer to (@x, @y) in @widget's coordinates, or its centre
 * when @x or @y is negative. Asserts that the widget (or a child of it) is
 * what a click there would hit. */
void     ui_input_move_to        (GtkWidget   *widget,
                                  double       x,
                                  double       y);
/* Moves there, then presses and releases @button (1 left, 3 right) as a
 * person would, letting the main loop run between the events. */
void     ui_input_click_at       (GtkWidget   *widget,
                                  double       x,
                                  double       y,
                                  guint        button);
/* Presses the left button at (@x, @y) in @widget, moves by (@dx, @dy)
 * pixels in a few steps and releases: a drag (a split's handle). */
void     ui_input_drag           (GtkWidget   *widget,
                                  double       x,
                                  double       y,
                                  int          dx,
                                  int          dy);
/* Left click at the centre of @widget. */
void     ui_input_click          (GtkWidget   *widget);
/* Left click on the first character of @text in @label (a link, say). */
void     ui_input_click_label_text (GtkLabel  *label,
                                    const char *text);
/* Left click on the first character of @text in @view. */
void     ui_input_click_text_view_text (GtkTextView *view,
                                        const char  *text);
/* Presses and releases @keyval with @mods held (GDK_CONTROL_MASK,
 * GDK_SHIFT_MASK, GDK_ALT_MASK), into whatever has the keyboard focus. */
void     ui_input_key            (guint            keyval,
                                  GdkModifierType  mods);
/* Types @text (ASCII letters, digits, punctuation and spaces). */
void     ui_input_type           (const char  *text);

G_END_DECLS
