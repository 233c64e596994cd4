/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "lean-dashboard-chart.h"

#define PAD 8.0
#define TITLE_H 24.0
#define AXIS_W 48.0
#define LABEL_H 18.0
#define LEGEND_H 18.0
#define NUMBER_H 16.0

static const char * const palette[] = {
  "#3584e4", "#e66100", "#2ec27e", "#9141ac", "#c01c28", "#986a44", "#f5c211",
};

struct _LeanDashboardChart
{
  GtkWidget               parent_instance;

  char                   *title;
  LeanDashboardChartKind  kind;
  LeanDashboardUnit       unit;
  GStrv                   labels;
  guint                   n_labels;
  double                 *values;
  guint                   n_series;
  GStrv                   series_names;
  GdkRGBA                *colors;
  int                     hovered;
};

G_DEFINE_FINAL_TYPE (LeanDashboardChart, lean_dashboard_chart, GTK_TYPE_WIDGET)

char *
lean_dashboard_format_value (LeanDashboardUnit unit,
                             double            value)
{
  switch (unit)
    {
    case LEAN_DASHBOARD_UNIT_USD:
      return g_strdup_printf ("$%.2f", value);
    case LEAN_DASHBOARD_UNIT_TOKENS:
      if (value >= 1e6)
        return g_strdup_printf ("%.1fM", value / 1e6);
      if (value >= 1e3)
        return g_strdup_printf ("%.1fk", value / 1e3);
      return g_strdup_printf ("%.0f", value);
    case LEAN_DASHBOARD_UNIT_COUNT:
    default:
      return g_strdup_printf ("%.0f", value);
    }
}

static double
value_at (LeanDashboardChart *self,
          guint               label,
          guint               series)
{
  return self->values[label * self->n_series + series];
}

static double
total_at (LeanDashboardChart *self,
          guint               label)
{
  double sum = 0;

  for (guint s = 0; s < self->n_series; s++)
    sum += value_at (self, label, s);
  return sum;
}

static double
max_value (LeanDashboardChart *self)
{
  double max = 0;

  for (guint i = 0; i < self->n_labels; i++)
    {
      if (self->kind == LEAN_DASHBOARD_CHART_BARS)
        max = MAX (max, total_at (self, i));
      else
        for (guint s = 0; s < self->n_series; s++)
          max = MAX (max, value_at (self, i, s));
    }
  return max;
}

char *
lean_dashboard_chart_describe (LeanDashboardChart *self,
                               guint               index)
{
  GString *str;

  g_return_val_if_fail (LEAN_IS_DASHBOARD_CHART (self), NULL);
  if (index >= self->n_labels)
    return NULL;

  str = g_string_new (self->labels[index]);
  for (guint s = 0; s < self->n_series; s++)
    {
      g_autofree char *v = lean_dashboard_format_value (self->unit, value_at (self, index, s));

      if (self->series_names != NULL)
        g_string_append_printf (str, "\n%s: %s", self->series_names[s], v);
      else
        g_string_append_printf (str, ": %s", v);
    }
  return g_string_free (str, FALSE);
}

int
lean_dashboard_chart_get_hovered (LeanDashboardChart *self)
{
  g_return_val_if_fail (LEAN_IS_DASHBOARD_CHART (self), -1);
  return self->hovered;
}

static void
plot_area (LeanDashboardChart *self,
           graphene_rect_t    *area)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double legend = self->series_names != NULL ? LEGEND_H : 0;
  /* Room above the tallest bar for its number. */
  double headroom = self->kind == LEAN_DASHBOARD_CHART_BARS ? NUMBER_H : 0;

  graphene_rect_init (area, AXIS_W, TITLE_H + legend + PAD + headroom,
                      MAX (w - AXIS_W - PAD, 1),
                      MAX (h - TITLE_H - legend - PAD * 2 - LABEL_H - headroom, 1));
}

static PangoLayout *
make_layout (LeanDashboardChart *self,
             const char         *text,
             gboolean            bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

static void
draw_text (LeanDashboardChart *self,
           cairo_t            *cr,
           const char         *text,
           double              x,
           double              y,
           double              align,   /* 0 left, 0.5 centre, 1 right of x */
           gboolean            bold,
           double             *width)
{
  g_autoptr(PangoLayout) layout = make_layout (self, text, bold);
  int tw, th;

  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_move_to (cr, x - tw * align, y);
  pango_cairo_show_layout (cr, layout);
  if (width != NULL)
    *width = tw;
}

static void
lean_dashboard_chart_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  LeanDashboardChart *self = LEAN_DASHBOARD_CHART (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  graphene_rect_t area;
  GdkRGBA fg;
  cairo_t *cr;
  double max, slot, total = 0;
  g_autofree char *total_text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *max_text = NULL;

  if (w <= 0 || h <= 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  plot_area (self, &area);
  max = max_value (self);

  /* Title with the total over the range. */
  for (guint i = 0; i < self->n_labels; i++)
    total += total_at (self, i);
  total_text = lean_dashboard_format_value (self->unit, total);
  title = self->kind == LEAN_DASHBOARD_CHART_BARS && self->n_labels > 0
          ? g_strdup_printf ("%s — %s", self->title, total_text) : g_strdup (self->title);
  gdk_cairo_set_source_rgba (cr, &fg);
  draw_text (self, cr, title, PAD, 2, 0, TRUE, NULL);

  /* Legend */
  if (self->series_names != NULL)
    {
      double x = AXIS_W;

      for (guint s = 0; s < self->n_series; s++)
        {
          double tw;

          gdk_cairo_set_source_rgba (cr, &self->colors[s]);
          cairo_rectangle (cr, x, TITLE_H + 4, 10, 10);
          cairo_fill (cr);
          gdk_cairo_set_source_rgba (cr, &fg);
          draw_text (self, cr, self->series_names[s], x + 14, TITLE_H, 0, FALSE, &tw);
          x += 14 + tw + 14;
        }
    }

  /* Axis: zero and the largest value. */
  {
    GdkRGBA faint = fg;

    faint.alpha *= 0.25;
    gdk_cairo_set_source_rgba (cr, &faint);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, area.origin.x, area.origin.y + area.size.height + 0.5);
    cairo_line_to (cr, area.origin.x + area.size.width, area.origin.y + area.size.height + 0.5);
    cairo_move_to (cr, area.origin.x, area.origin.y + 0.5);
    cairo_line_to (cr, area.origin.x + area.size.width, area.origin.y + 0.5);
    cairo_stroke (cr);
    faint.alpha = fg.alpha * 0.7;
    gdk_cairo_set_source_rgba (cr, &faint);
    max_text = lean_dashboard_format_value (self->unit, max);
    draw_text (self, cr, max_text, area.origin.x - 4, area.origin.y - 8, 1, FALSE, NULL);
    draw_text (self, cr, "0", area.origin.x - 4, area.origin.y + area.size.height - 8, 1, FALSE,
               NULL);
  }

  if (self->n_labels == 0)
    {
      gdk_cairo_set_source_rgba (cr, &fg);
      draw_text (self, cr, _("No data in this range"), area.origin.x + area.size.width / 2,
                 area.origin.y + area.size.height / 2 - 8, 0.5, FALSE, NULL);
      cairo_destroy (cr);
      return;
    }

  slot = area.size.width / self->n_labels;
  if (max <= 0)
    max = 1;

  if (self->hovered >= 0 && (guint) self->hovered < self->n_labels)
    {
      GdkRGBA hl = fg;

      hl.alpha *= 0.08;
      gdk_cairo_set_source_rgba (cr, &hl);
      cairo_rectangle (cr, area.origin.x + slot * self->hovered, area.origin.y, slot,
                       area.size.height);
      cairo_fill (cr);
    }

  if (self->kind == LEAN_DASHBOARD_CHART_BARS)
    {
      double bar = MAX (slot * 0.7, 1);

      for (guint i = 0; i < self->n_labels; i++)
        {
          double x = area.origin.x + slot * i + (slot - bar) / 2;
          double y = area.origin.y + area.size.height;
          double sum = total_at (self, i);

          for (guint s = 0; s < self->n_series; s++)
            {
              double bh = value_at (self, i, s) / max * area.size.height;

              if (bh <= 0)
                continue;
              gdk_cairo_set_source_rgba (cr, &self->colors[s]);
              cairo_rectangle (cr, x, y - bh, bar, bh);
              cairo_fill (cr);
              y -= bh;
            }
          /* The bar's number above it, when it fits. */
          if (sum > 0)
            {
              g_autofree char *v = lean_dashboard_format_value (self->unit, sum);
              g_autoptr(PangoLayout) layout = make_layout (self, v, FALSE);
              int tw, th;

              pango_layout_get_pixel_size (layout, &tw, &th);
              if (tw + 2 <= slot && y - th >= area.origin.y - NUMBER_H - 2)
                {
                  gdk_cairo_set_source_rgba (cr, &fg);
                  cairo_move_to (cr, x + bar / 2 - tw / 2.0, y - th);
                  pango_cairo_show_layout (cr, layout);
                }
            }
        }
    }
  else
    {
      for (guint s = 0; s < self->n_series; s++)
        {
          gdk_cairo_set_source_rgba (cr, &self->colors[s]);
          cairo_set_line_width (cr, 2);
          for (guint i = 0; i < self->n_labels; i++)
            {
              double x = area.origin.x + slot * i + slot / 2;
              double y = area.origin.y + area.size.height - value_at (self, i, s) / max * area.size.height;

              if (i == 0)
                cairo_move_to (cr, x, y);
              else
                cairo_line_to (cr, x, y);
            }
          cairo_stroke (cr);
          for (guint i = 0; i < self->n_labels && slot >= 6; i++)
            {
              double x = area.origin.x + slot * i + slot / 2;
              double y = area.origin.y + area.size.height - value_at (self, i, s) / max * area.size.height;

              cairo_arc (cr, x, y, 2.5, 0, 2 * G_PI);
              cairo_fill (cr);
            }
        }
    }

  /* Labels under the plot: first, last, and as many between as fit. */
  {
    GdkRGBA faint = fg;
    guint step;

    faint.alpha *= 0.7;
    gdk_cairo_set_source_rgba (cr, &faint);
    step = MAX (1, (guint) ceil (90.0 / slot));
    for (guint i = 0; i < self->n_labels; i += step)
      draw_text (self, cr, self->labels[i], area.origin.x + slot * i + slot / 2,
                 area.origin.y + area.size.height + 2, 0.5, FALSE, NULL);
  }

  /* The hovered label's values, in a box beside the pointer's column. */
  if (self->hovered >= 0 && (guint) self->hovered < self->n_labels)
    {
      g_autofree char *text = lean_dashboard_chart_describe (self, self->hovered);
      g_autoptr(PangoLayout) layout = make_layout (self, text, FALSE);
      int tw, th;
      double x = area.origin.x + slot * self->hovered + slot + 6;
      double y = area.origin.y + 4;
      GdkRGBA box = fg;

      pango_layout_get_pixel_size (layout, &tw, &th);
      if (x + tw + 12 > w)
        x = area.origin.x + slot * self->hovered - tw - 18;
      x = MAX (x, 0);
      /* The box is the text colour inverted: readable in light and dark. */
      box.alpha = 0.88;
      gdk_cairo_set_source_rgba (cr, &box);
      cairo_rectangle (cr, x, y, tw + 12, th + 8);
      cairo_fill (cr);
      {
        GdkRGBA inv = { 1 - fg.red, 1 - fg.green, 1 - fg.blue, 1 };
        gdk_cairo_set_source_rgba (cr, &inv);
      }
      cairo_move_to (cr, x + 6, y + 4);
      pango_cairo_show_layout (cr, layout);
    }

  cairo_destroy (cr);
}

static int
index_at (LeanDashboardChart *self,
          double              x)
{
  graphene_rect_t area;
  double slot;
  int i;

  plot_area (self, &area);
  if (self->n_labels == 0 || x < area.origin.x || x >= area.origin.x + area.size.width)
    return -1;
  slot = area.size.width / self->n_labels;
  i = (int) ((x - area.origin.x) / slot);
  return i < (int) self->n_labels ? i : -1;
}

static void
set_hovered (LeanDashboardChart *self,
             int                 index)
{
  if (self->hovered == index)
    return;
  self->hovered = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           LeanDashboardChart       *self)
{
  set_hovered (self, index_at (self, x));
}

static void
on_leave (GtkEventControllerMotion *motion,
          LeanDashboardChart       *self)
{
  set_hovered (self, -1);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  LeanDashboardChart *self = LEAN_DASHBOARD_CHART (widget);
  int i = index_at (self, x);
  g_autofree char *text = NULL;

  if (i < 0)
    return FALSE;
  text = lean_dashboard_chart_describe (self, i);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
lean_dashboard_chart_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 200;
}

static void
lean_dashboard_chart_finalize (GObject *object)
{
  LeanDashboardChart *self = LEAN_DASHBOARD_CHART (object);

  g_free (self->title);
  g_strfreev (self->labels);
  g_free (self->values);
  g_strfreev (self->series_names);
  g_free (self->colors);
  G_OBJECT_CLASS (lean_dashboard_chart_parent_class)->finalize (object);
}

static void
lean_dashboard_chart_class_init (LeanDashboardChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lean_dashboard_chart_finalize;
  widget_class->snapshot = lean_dashboard_chart_snapshot;
  widget_class->measure = lean_dashboard_chart_measure;
  widget_class->query_tooltip = on_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "dashboard-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lean_dashboard_chart_init (LeanDashboardChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->hovered = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
lean_dashboard_chart_new (const char             *title,
                          LeanDashboardChartKind  kind,
                          LeanDashboardUnit       unit)
{
  LeanDashboardChart *self = g_object_new (LEAN_TYPE_DASHBOARD_CHART, NULL);

  self->title = g_strdup (title);
  self->kind = kind;
  self->unit = unit;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return GTK_WIDGET (self);
}

void
lean_dashboard_chart_set_data (LeanDashboardChart *self,
                               const char * const *labels,
                               guint               n_labels,
                               const double       *values,
                               guint               n_series,
                               const char * const *series_names,
                               const char * const *colors)
{
  g_return_if_fail (LEAN_IS_DASHBOARD_CHART (self));
  g_return_if_fail (n_series > 0);

  g_strfreev (self->labels);
  self->labels = g_new0 (char *, n_labels + 1);
  for (guint i = 0; i < n_labels; i++)
    self->labels[i] = g_strdup (labels[i]);
  self->n_labels = n_labels;
  g_free (self->values);
  self->values = g_memdup2 (values, sizeof (double) * n_labels * n_series);
  self->n_series = n_series;
  g_strfreev (self->series_names);
  self->series_names = series_names != NULL ? g_strdupv ((char **) series_names) : NULL;
  g_free (self->colors);
  self->colors = g_new0 (GdkRGBA, n_series);
  for (guint s = 0; s < n_series; s++)
    gdk_rgba_parse (&self->colors[s], colors != NULL ? colors[s]
                                                     : palette[s % G_N_ELEMENTS (palette)]);
  self->hovered = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
