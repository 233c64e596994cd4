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

typedef struct
{
  GtkWidget       *widget;
  double           x, y;   /* in the widget's coordinates */
  graphene_point_t point;  /* the same in the native's */
  GtkWidget       *picked;
} Target;

static gboolean
picks_target (gpointer data)
{
  Target *t = data;
  GtkWidget *native = GTK_WIDGET (gtk_widget_get_native (t->widget));

  g_assert_true (gtk_widget_compute_point (t->widget, native, &GRAPHENE_POINT_INIT (t->x, t->y), &t->point));
  t->picked = gtk_widget_pick (native, t->point.x, t->point.y, GTK_PICK_DEFAULT);
  return t->picked == t->widget || (t->picked != NULL && gtk_widget_is_ancestor (t->picked, t->widget));
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
  /* A text view places its children as it validates the lines above
   * them, in idle chunks: a person's eye waits until the page stops
   * moving, and so does this. */
  for (guint tries = 0; tries < 40; tries++)
    {
      graphene_point_t again;

      ui_test_settle (60);
      g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                               &GRAPHENE_POINT_INIT (x, y), &again));
      if (graphene_point_equal (&again, &point))
        break;
      point = again;
    }

  /* The click must land on this widget, not on something drawn over it.
   * A widget placed before its parent has grown to hold it (a check box in
   * a text view still being measured) is not there yet for a person
   * either: wait for the layout, within reason. */
  {
    Target target = { widget, x, y, { 0, 0 }, NULL };

    test_util_wait_until (picks_target, &target, 3000);
    picked = target.picked;
    point = target.point;
  }
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

  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW);

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, text, GTK_TEXT_SEARCH_TEXT_ONLY,
                                               &match, &match_end, NULL));
  /* Blocks above the text (tables, code) may still be taking their size:
   * aim once the text has stayed where it is for a few frames. */
  gtk_text_view_get_iter_location (view, &match, &rect);
  for (guint still = 0, tries = 0; still < 3 && tries < 100; tries++)
    {
      GdkRectangle now;

      ui_test_settle (50);
      gtk_text_view_get_iter_location (view, &match, &now);
      still = gdk_rectangle_equal (&now, &rect) ? still + 1 : 0;
      rect = now;
    }

  /* Text below the fold is scrolled to first, as a person would. */
  if (scroller != NULL)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      graphene_point_t p;

      gtk_text_view_buffer_to_window_coords (view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), scroller,
                                               &GRAPHENE_POINT_INIT (wx, wy), &p));
      if (p.y < 0 || p.y + rect.height > gtk_widget_get_height (scroller))
        {
          gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + p.y -
                                    gtk_widget_get_height (scroller) / 3.0);
          ui_test_settle (200);
        }
    }
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
