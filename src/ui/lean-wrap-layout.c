/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-wrap-layout.h"

struct _LeanWrapLayout
{
  GtkLayoutManager parent_instance;

  int              column_spacing;
  int              row_spacing;
};

G_DEFINE_FINAL_TYPE (LeanWrapLayout, lean_wrap_layout, GTK_TYPE_LAYOUT_MANAGER)

static GtkSizeRequestMode
lean_wrap_layout_get_request_mode (GtkLayoutManager *manager,
                                   GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
child_size (GtkWidget *child,
            int        max_width,
            int       *width,
            int       *height)
{
  int min_w, nat_w, min_h, nat_h;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w, NULL, NULL);
  *width = max_width >= 0 ? CLAMP (nat_w, min_w, MAX (min_w, max_width)) : nat_w;
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, *width, &min_h, &nat_h, NULL, NULL);
  *height = nat_h;
}

typedef struct
{
  GtkWidget *child;
  int        width;
  int        height;
  int        baseline;   /* -1 unless the child is baseline-aligned */
} Item;

/* Height of one line: the tallest child, or the baseline-aligned children
 * stacked on their shared baseline if that is taller. */
static int
line_extent (GArray *line,
             int    *baseline)
{
  int height = 0, above = 0, below = 0;

  for (guint i = 0; i < line->len; i++)
    {
      Item *item = &g_array_index (line, Item, i);

      if (item->baseline >= 0)
        {
          above = MAX (above, item->baseline);
          below = MAX (below, item->height - item->baseline);
        }
      else
        height = MAX (height, item->height);
    }
  height = MAX (height, above + below);
  /* The baseline sits where a centred text of the line would have it. */
  *baseline = above > 0 ? above + (height - above - below) / 2 : -1;
  return height;
}

/* Every child of a line gets the whole line height: centred children
 * share one centre (so Tab moves left to right through a line, which GTK
 * sorts by centre) and baseline-aligned ones share one baseline. */
static void
place_line (GArray *line,
            int     y,
            int     height,
            int     baseline,
            int     spacing)
{
  for (guint i = 0; i < line->len; i++)
    {
      Item *item = &g_array_index (line, Item, i);
      int x = i * spacing;

      for (guint j = 0; j < i; j++)
        x += g_array_index (line, Item, j).width;
      gtk_widget_size_allocate (item->child, &(GtkAllocation) { x, y, item->width, height },
                                item->baseline >= 0 ? baseline : -1);
    }
}

/* Runs the line breaking for @width; when @allocate, places the children. */
static int
flow (LeanWrapLayout *self,
      GtkWidget      *widget,
      int             width,
      gboolean        allocate)
{
  g_autoptr(GArray) line = g_array_new (FALSE, FALSE, sizeof (Item));
  int x = 0, y = 0, baseline = -1, line_height;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      Item item = { child, 0, 0, -1 };

      if (!gtk_widget_should_layout (child))
        continue;

      child_size (child, width, &item.width, &item.height);
      if (gtk_widget_get_valign (child) == GTK_ALIGN_BASELINE)
        {
          int min_baseline = -1, nat_baseline = -1;

          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, item.width, NULL, NULL,
                              &min_baseline, &nat_baseline);
          item.baseline = nat_baseline;
        }
      if (x > 0 && width >= 0 && x + item.width > width)
        {
          line_height = line_extent (line, &baseline);
          if (allocate)
            place_line (line, y, line_height, baseline, self->column_spacing);
          y += line_height + self->row_spacing;
          x = 0;
          g_array_set_size (line, 0);
        }
      g_array_append_val (line, item);
      x += item.width + self->column_spacing;
    }

  line_height = line_extent (line, &baseline);
  if (allocate)
    place_line (line, y, line_height, baseline, self->column_spacing);
  return y + line_height;
}

static void
lean_wrap_layout_measure (GtkLayoutManager *manager,
                          GtkWidget        *widget,
                          GtkOrientation    orientation,
                          int               for_size,
                          int              *minimum,
                          int              *natural,
                          int              *minimum_baseline,
                          int              *natural_baseline)
{
  LeanWrapLayout *self = LEAN_WRAP_LAYOUT (manager);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int min = 0;

      /* The widest child, for both: wrapping is the point, so the box
       * never asks its parent to widen to fit everything on one line. */
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int child_min, child_nat;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
          min = MAX (min, child_nat);
        }
      *minimum = *natural = min;
    }
  else
    {
      *minimum = *natural = flow (self, widget, for_size, FALSE);
    }
}

static void
lean_wrap_layout_allocate (GtkLayoutManager *manager,
                           GtkWidget        *widget,
                           int               width,
                           int               height,
                           int               baseline)
{
  flow (LEAN_WRAP_LAYOUT (manager), widget, width, TRUE);
}

static void
lean_wrap_layout_class_init (LeanWrapLayoutClass *klass)
{
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  layout_class->get_request_mode = lean_wrap_layout_get_request_mode;
  layout_class->measure = lean_wrap_layout_measure;
  layout_class->allocate = lean_wrap_layout_allocate;
}

static void
lean_wrap_layout_init (LeanWrapLayout *self)
{
}

GtkLayoutManager *
lean_wrap_layout_new (int column_spacing,
                      int row_spacing)
{
  LeanWrapLayout *self = g_object_new (LEAN_TYPE_WRAP_LAYOUT, NULL);

  self->column_spacing = column_spacing;
  self->row_spacing = row_spacing;
  return GTK_LAYOUT_MANAGER (self);
}
