/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  LEAN_DASHBOARD_CHART_BARS,   /* one stacked bar per label */
  LEAN_DASHBOARD_CHART_LINE,   /* one line per series */
} LeanDashboardChartKind;

typedef enum
{
  LEAN_DASHBOARD_UNIT_COUNT,
  LEAN_DASHBOARD_UNIT_TOKENS,  /* 12.3k, 1.2M */
  LEAN_DASHBOARD_UNIT_USD,     /* $1.23 */
} LeanDashboardUnit;

#define LEAN_TYPE_DASHBOARD_CHART (lean_dashboard_chart_get_type ())

G_DECLARE_FINAL_TYPE (LeanDashboardChart, lean_dashboard_chart, LEAN, DASHBOARD_CHART, GtkWidget)

/* A bar or line chart drawn with cairo in the widget's snapshot: a title
 * with the total, the largest value on the axis, each bar's total written
 * above it when it fits, and under the pointer the label and every
 * series' value (also its tooltip). Colours: a fixed palette per series
 * (results keep their colours in light and dark), text in the theme's
 * colour. */
GtkWidget *lean_dashboard_chart_new        (const char              *title,
                                            LeanDashboardChartKind   kind,
                                            LeanDashboardUnit        unit);
/* @values: @n_labels x @n_series, row by row (label 0's series first).
 * @series_names: @n_series names for the legend (NULL for one series).
 * @colors: @n_series "#rrggbb" (NULL: the palette). Copied. */
void       lean_dashboard_chart_set_data   (LeanDashboardChart      *self,
                                            const char * const      *labels,
                                            guint                    n_labels,
                                            const double            *values,
                                            guint                    n_series,
                                            const char * const      *series_names,
                                            const char * const      *colors);
/* The text the chart shows for label @index (what hovering shows), for
 * tests; NULL past the end. */
char      *lean_dashboard_chart_describe   (LeanDashboardChart      *self,
                                            guint                    index);
/* The label under the pointer, -1 for none. */
int        lean_dashboard_chart_get_hovered (LeanDashboardChart     *self);
char      *lean_dashboard_format_value     (LeanDashboardUnit        unit,
                                            double                   value);

G_END_DECLS
