/* SPDX-License-Identifier: MIT */
#include "ui-test-input.h"
#include "ui-test-util.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

static Display *
get_xdisplay (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  g_assert_true (GDK_IS_X11_DISPLAY (display));
  return gdk_x11_display_get_xdisplay (display);
}

gboolean
ui_input_available (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  int event_base, error_base, major, minor;

  if (display == NULL || !GDK_IS_X11_DISPLAY (display))
    return FALSE;
  return XTestQueryExtension (gdk_x11_display_get_xdisplay (display),
                              &event_base, &error_base, &major, &minor);
}

/* Lets GTK read what the X server sent, as it would between a person's
 * movements. */
static void
pause_ms (guint ms)
{
  XSync (get_xdisplay (), False);
  ui_test_settle (ms);
}

static gboolean
is_drawn (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0 &&
         gtk_widget_get_height (widget) > 0 && gtk_widget_get_child_visible (widget);
}

void
ui_input_move_to (GtkWidget *widget,
                  double     x,
                  double     y)
{
  Display *xdisplay = get_xdisplay ();
  GtkNative *native;
  GdkSurface *surface;
  graphene_point_t point;
  double dx, dy;
  int root_x, root_y;
  Window child;
  GtkWidget *picked;

  g_assert_true (GTK_IS_WIDGET (widget));
  /* A widget just created (a rebuilt check box) is placed at the next
   * frame; a person cannot click it before it is drawn either. */
  g_assert_true (test_util_wait_until (is_drawn, widget, 5000));

  if (x < 0 || y < 0)
    {
      x = gtk_widget_get_width (widget) / 2.0;
      y = gtk_widget_get_height (widget) / 2.0;
    }

  native = gtk_widget_get_native (widget);
  g_assert_nonnull (native);
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (x, y), &point));

  /* The click must land on this widget, not on something drawn over it. */
  picked = gtk_widget_pick (GTK_WIDGET (native), point.x, point.y, GTK_PICK_DEFAULT);
  if (picked != widget && (picked == NULL || !gtk_widget_is_ancestor (picked, widget)))
    g_error ("a click at (%.0f, %.0f) of %s would hit %s instead",
             x, y, G_OBJECT_TYPE_NAME (widget),
             picked != NULL ? G_OBJECT_TYPE_NAME (picked) : "nothing");

  /* Widget coordinates of the native are offset from its surface by the
   * client-side decorations (shadow). */
  gtk_native_get_surface_transform (native, &dx, &dy);
  surface = gtk_native_get_surface (native);
  XTranslateCoordinates (xdisplay,
                         gdk_x11_surface_get_xid (surface),
                         DefaultRootWindow (xdisplay),
                         (int) (point.x + dx), (int) (point.y + dy),
                         &root_x, &root_y, &child);

  XTestFakeMotionEvent (xdisplay, -1, root_x, root_y, CurrentTime);
  pause_ms (60);
}

void
ui_input_click_at (GtkWidget *widget,
                   double     x,
                   double     y,
                   guint      button)
{
  Display *xdisplay = get_xdisplay ();

  ui_input_move_to (widget, x, y);
  XTestFakeButtonEvent (xdisplay, button, True, CurrentTime);
  pause_ms (40);
  XTestFakeButtonEvent (xdisplay, button, False, CurrentTime);
  pause_ms (120);
}

void
ui_input_drag (GtkWidget *widget,
               double     x,
               double     y,
               int        dx,
               int        dy)
{
  Display *xdisplay = get_xdisplay ();
  const int steps = 8;

  ui_input_move_to (widget, x, y);
  XTestFakeButtonEvent (xdisplay, 1, True, CurrentTime);
  pause_ms (60);
  /* In steps, as a hand moves: a drag gesture needs motion to start. */
  for (int i = 0; i < steps; i++)
    {
      XTestFakeRelativeMotionEvent (xdisplay, dx / steps + (i == steps - 1 ? dx % steps : 0),
                                    dy / steps + (i == steps - 1 ? dy % steps : 0),
                                    CurrentTime);
      pause_ms (30);
    }
  XTestFakeButtonEvent (xdisplay, 1, False, CurrentTime);
  pause_ms (120);
}

void
ui_input_click (GtkWidget *widget)
{
  ui_input_click_at (widget, -1, -1, 1);
}

void
ui_input_click_label_text (GtkLabel   *label,
                           const char *text)
{
  const char *shown = pango_layout_get_text (gtk_label_get_layout (label));
  const char *found = strstr (shown, text);
  PangoRectangle rect;
  int lx, ly;

  g_assert_nonnull (found);
  pango_layout_index_to_pos (gtk_label_get_layout (label), found - shown, &rect);
  gtk_label_get_layout_offsets (label, &lx, &ly);
  /* The middle of the first character. Layout offsets are in the label's
   * own coordinates already. */
  ui_input_click_at (GTK_WIDGET (label),
                     lx + (rect.x + rect.width / 2.0) / PANGO_SCALE + 1,
                     ly + (rect.y + rect.height / 2.0) / PANGO_SCALE,
                     1);
}

void
ui_input_click_text_view_text (GtkTextView *view,
                               const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, match, match_end;
  GdkRectangle rect;
  int wx, wy;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, text, GTK_TEXT_SEARCH_TEXT_ONLY,
                                               &match, &match_end, NULL));
  gtk_text_view_get_iter_location (view, &match, &rect);
  gtk_text_view_buffer_to_window_coords (view, GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &wx, &wy);
  ui_input_click_at (GTK_WIDGET (view), wx + 3, wy + rect.height / 2.0, 1);
}

static void
fake_key (KeySym   keysym,
          gboolean press)
{
  Display *xdisplay = get_xdisplay ();
  KeyCode code = XKeysymToKeycode (xdisplay, keysym);

  g_assert_cmpuint (code, !=, 0);
  XTestFakeKeyEvent (xdisplay, code, press, CurrentTime);
}

/* Whether typing @keysym needs Shift on this keymap. */
static gboolean
needs_shift (KeySym keysym)
{
  Display *xdisplay = get_xdisplay ();
  KeyCode code = XKeysymToKeycode (xdisplay, keysym);

  return code != 0 && XkbKeycodeToKeysym (xdisplay, code, 0, 0) != keysym &&
         XkbKeycodeToKeysym (xdisplay, code, 0, 1) == keysym;
}

void
ui_input_key (guint           keyval,
              GdkModifierType mods)
{
  gboolean shift = (mods & GDK_SHIFT_MASK) != 0 || needs_shift (keyval);

  /* GDK keyvals are X keysyms. */
  if (mods & GDK_CONTROL_MASK)
    fake_key (XK_Control_L, TRUE);
  if (mods & GDK_ALT_MASK)
    fake_key (XK_Alt_L, TRUE);
  if (shift)
    fake_key (XK_Shift_L, TRUE);
  fake_key (keyval, TRUE);
  pause_ms (20);
  fake_key (keyval, FALSE);
  if (shift)
    fake_key (XK_Shift_L, FALSE);
  if (mods & GDK_ALT_MASK)
    fake_key (XK_Alt_L, FALSE);
  if (mods & GDK_CONTROL_MASK)
    fake_key (XK_Control_L, FALSE);
  pause_ms (60);
}

void
ui_input_type (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    ui_input_key (gdk_unicode_to_keyval ((guchar) *p), 0);
}
