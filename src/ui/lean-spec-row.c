/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lean-spec-row.h"

/* One row of the spec list, drawn with Pango layouts in one widget instead
 * of a box of labels. GtkListView in GTK 4.8 keeps up to 200 rows alive and
 * re-creates and re-binds them whenever a filter or search changes the list
 * a lot; with nine widgets per row that cost ~100 ms per keystroke on 5,000
 * specs. Here binding only swaps a pointer and the layouts are built when a
 * row is actually drawn, so only the visible rows pay. */

#define COLUMN_GAP  10
#define LINE_GAP     5
#define ITEM_GAP     8
#define CHIP_PAD_X   8
#define CHIP_PAD_Y   1

struct _LeanSpecRow
{
  GtkWidget    parent_instance;

  LeanSpec    *spec;

  PangoLayout *number;
  PangoLayout *title;
  PangoLayout *chip;
  PangoLayout *priority;
  PangoLayout *progress;
  PangoLayout *tags;

  /* Line heights from the font metrics, 0 until measured. */
  int          line1_height;
  int          line2_height;
};

G_DEFINE_FINAL_TYPE (LeanSpecRow, lean_spec_row, GTK_TYPE_WIDGET)

const char *
lean_spec_row_status_css_class (LeanSpecStatus status)
{
  switch (status)
    {
    case LEAN_SPEC_STATUS_DRAFT:       return "draft";
    case LEAN_SPEC_STATUS_PLANNED:     return "planned";
    case LEAN_SPEC_STATUS_IN_PROGRESS: return "in-progress";
    case LEAN_SPEC_STATUS_COMPLETE:    return "complete";
    case LEAN_SPEC_STATUS_ARCHIVED:    return "archived";
    case LEAN_SPEC_STATUS_NONE:
    default:                           return "none";
    }
}

/* The chip colours of style.css/style-dark.css (libadwaita's palette),
 * chosen per style so every status reads well on light and dark. */
typedef struct
{
  GdkRGBA bg;
  GdkRGBA fg;
} ChipColors;

static void
get_chip_colors (LeanSpecStatus  status,
                 gboolean        dark,
                 ChipColors     *colors)
{
  static const struct { const char *light_bg, *light_fg, *dark_bg, *dark_fg; } table[] = {
    [LEAN_SPEC_STATUS_NONE]        = { "rgba(119,118,123,0.15)", "#3d3846",
                                       "rgba(255,255,255,0.14)", "#deddda" },
    [LEAN_SPEC_STATUS_DRAFT]       = { "rgba(119,118,123,0.15)", "#3d3846",
                                       "rgba(255,255,255,0.14)", "#deddda" },
    [LEAN_SPEC_STATUS_PLANNED]     = { "rgba(53,132,228,0.18)",  "#1a5fb4",
                                       "rgba(53,132,228,0.28)",  "#99c1f1" },
    [LEAN_SPEC_STATUS_IN_PROGRESS] = { "rgba(255,120,0,0.22)",   "#9c3e00",
                                       "rgba(255,120,0,0.28)",   "#ffbe6f" },
    [LEAN_SPEC_STATUS_COMPLETE]    = { "rgba(46,194,126,0.20)",  "#1b6a3a",
                                       "rgba(46,194,126,0.28)",  "#8ff0a4" },
    [LEAN_SPEC_STATUS_ARCHIVED]    = { "rgba(192,97,203,0.22)",  "#613583",
                                       "rgba(192,97,203,0.30)",  "#dc8add" },
  };

  if (status >= G_N_ELEMENTS (table))
    status = LEAN_SPEC_STATUS_NONE;
  gdk_rgba_parse (&colors->bg, dark ? table[status].dark_bg : table[status].light_bg);
  gdk_rgba_parse (&colors->fg, dark ? table[status].dark_fg : table[status].light_fg);
}

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
clear_layouts (LeanSpecRow *self)
{
  g_clear_object (&self->number);
  g_clear_object (&self->title);
  g_clear_object (&self->chip);
  g_clear_object (&self->priority);
  g_clear_object (&self->progress);
  g_clear_object (&self->tags);
}

static PangoLayout *
make_layout (LeanSpecRow *self,
             const char  *text,
             double       scale,
             PangoWeight  weight,
             gboolean     monospace)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (weight != PANGO_WEIGHT_NORMAL)
    pango_attr_list_insert (attrs, pango_attr_weight_new (weight));
  if (monospace)
    pango_attr_list_insert (attrs, pango_attr_family_new ("monospace"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_single_paragraph_mode (layout, TRUE);

  return layout;
}

static void
ensure_layouts (LeanSpecRow *self)
{
  LeanSpec *spec = self->spec;
  g_autofree char *number = NULL;
  g_autoptr(GString) tags = NULL;
  const char * const *tag_list;
  const char *label;
  LeanSpecPriority priority;
  guint checked, total;

  if (self->title != NULL || spec == NULL)
    return;

  number = g_strdup_printf ("%03u", lean_spec_get_number (spec));
  self->number = make_layout (self, number, 1.0, PANGO_WEIGHT_NORMAL, TRUE);

  self->title = make_layout (self, lean_spec_get_title (spec), 1.0, PANGO_WEIGHT_SEMIBOLD, FALSE);
  pango_layout_set_ellipsize (self->title, PANGO_ELLIPSIZE_END);

  label = lean_spec_status_get_label (lean_spec_get_status (spec));
  /* Translators: status chip of a spec whose status is missing or unknown. */
  self->chip = make_layout (self, label != NULL ? label : _("No Status"), 0.8,
                            PANGO_WEIGHT_BOLD, FALSE);

  priority = lean_spec_get_priority (spec);
  label = lean_spec_priority_get_label (priority);
  if (priority != LEAN_SPEC_PRIORITY_NONE && label != NULL)
    {
      g_autofree char *text = NULL;

      /* An arrow makes the urgent ones stand out without relying on colour. */
      if (priority >= LEAN_SPEC_PRIORITY_HIGH)
        text = g_strdup_printf ("↑ %s", label);
      else
        text = g_strdup (label);
      self->priority = make_layout (self, text, 0.8, PANGO_WEIGHT_BOLD, FALSE);
    }

  checked = lean_spec_get_n_checked (spec);
  total = checked + lean_spec_get_n_unchecked (spec);
  if (total > 0)
    {
      g_autofree char *progress = g_strdup_printf ("%u/%u", checked, total);

      self->progress = make_layout (self, progress, 0.8, PANGO_WEIGHT_NORMAL, FALSE);
    }

  tags = g_string_new (NULL);
  tag_list = lean_spec_get_tags (spec);
  for (guint i = 0; tag_list != NULL && tag_list[i] != NULL; i++)
    {
      if (tags->len > 0)
        g_string_append (tags, "  ");
      g_string_append_printf (tags, "#%s", tag_list[i]);
    }
  if (tags->len > 0)
    {
      self->tags = make_layout (self, tags->str, 0.85, PANGO_WEIGHT_NORMAL, FALSE);
      pango_layout_set_ellipsize (self->tags, PANGO_ELLIPSIZE_END);
    }
}

static int
font_height (PangoContext *context,
             double        scale)
{
  const PangoFontDescription *desc = pango_context_get_font_description (context);
  g_autoptr(PangoFontDescription) scaled = pango_font_description_copy (desc);
  PangoFontMetrics *metrics;
  int height;

  if (pango_font_description_get_size_is_absolute (scaled))
    pango_font_description_set_absolute_size (scaled,
                                              pango_font_description_get_size (scaled) * scale);
  else
    pango_font_description_set_size (scaled, pango_font_description_get_size (scaled) * scale);
  metrics = pango_context_get_metrics (context, scaled, NULL);
  height = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics));
  if (height <= 0)
    height = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                                pango_font_metrics_get_descent (metrics));
  pango_font_metrics_unref (metrics);
  return height;
}

static void
ensure_metrics (LeanSpecRow *self)
{
  PangoContext *context;

  if (self->line1_height > 0)
    return;

  /* Every row has the same height, from the font alone: measuring never
   * needs the row's text. */
  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  self->line1_height = font_height (context, 1.0);
  self->line2_height = MAX (font_height (context, 0.8) + 2 * CHIP_PAD_Y,
                            font_height (context, 0.85));
}

static void
lean_spec_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 320;
    }
  else
    {
      ensure_metrics (self);
      *minimum = *natural = self->line1_height + LINE_GAP + self->line2_height;
    }
}

static void
draw_layout (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             int            x,
             int            y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static int
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static int
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static void
lean_spec_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (widget);
  int width = gtk_widget_get_width (widget);
  gboolean dark = is_dark ();
  GdkRGBA fg, dim, faint, accent;
  ChipColors chip;
  GskRoundedRect chip_rect;
  int number_width, x, y, chip_width, chip_height;

  if (self->spec == NULL)
    return;

  ensure_metrics (self);
  ensure_layouts (self);

  /* GTK 4.8: the widget's CSS colour; the dim shades follow .dim-label. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  dim = fg;
  dim.alpha *= 0.55;
  faint = fg;
  faint.alpha *= 0.7;

  /* Line 1: number and title. The number column is as wide as "000" so
   * titles line up. */
  number_width = layout_width (self->number);
  draw_layout (snapshot, self->number, 0,
               (self->line1_height - layout_height (self->number)) / 2, &dim);
  x = number_width + COLUMN_GAP;
  pango_layout_set_width (self->title, MAX (0, width - x) * PANGO_SCALE);
  draw_layout (snapshot, self->title, x, 0, &fg);

  /* Line 2: status chip, priority, checklist progress, tags. */
  y = self->line1_height + LINE_GAP;
  get_chip_colors (lean_spec_get_status (self->spec), dark, &chip);
  chip_width = layout_width (self->chip) + 2 * CHIP_PAD_X;
  chip_height = layout_height (self->chip) + 2 * CHIP_PAD_Y;
  gsk_rounded_rect_init_from_rect (&chip_rect,
                                   &GRAPHENE_RECT_INIT (x, y, chip_width, chip_height),
                                   chip_height / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &chip_rect);
  gtk_snapshot_append_color (snapshot, &chip.bg, &chip_rect.bounds);
  gtk_snapshot_pop (snapshot);
  draw_layout (snapshot, self->chip, x + CHIP_PAD_X, y + CHIP_PAD_Y, &chip.fg);
  x += chip_width + ITEM_GAP;

  if (self->priority != NULL)
    {
      switch (lean_spec_get_priority (self->spec))
        {
        case LEAN_SPEC_PRIORITY_CRITICAL:
          gdk_rgba_parse (&accent, dark ? "#ff7b63" : "#e01b24");
          break;
        case LEAN_SPEC_PRIORITY_HIGH:
          gdk_rgba_parse (&accent, dark ? "#ffa348" : "#c64600");
          break;
        case LEAN_SPEC_PRIORITY_MEDIUM:
          accent = faint;
          break;
        case LEAN_SPEC_PRIORITY_LOW:
        case LEAN_SPEC_PRIORITY_NONE:
        default:
          accent = dim;
          break;
        }
      draw_layout (snapshot, self->priority, x,
                   y + (chip_height - layout_height (self->priority)) / 2, &accent);
      x += layout_width (self->priority) + ITEM_GAP;
    }

  if (self->progress != NULL)
    {
      draw_layout (snapshot, self->progress, x,
                   y + (chip_height - layout_height (self->progress)) / 2, &dim);
      x += layout_width (self->progress) + ITEM_GAP;
    }

  if (self->tags != NULL && x < width)
    {
      pango_layout_set_width (self->tags, (width - x) * PANGO_SCALE);
      draw_layout (snapshot, self->tags, x,
                   y + (chip_height - layout_height (self->tags)) / 2, &dim);
    }
}

static void
lean_spec_row_system_setting_changed (GtkWidget         *widget,
                                      GtkSystemSetting   setting)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (widget);

  /* Fonts or their rendering changed: measure and lay out again. */
  clear_layouts (self);
  self->line1_height = self->line2_height = 0;
  gtk_widget_queue_resize (widget);

  GTK_WIDGET_CLASS (lean_spec_row_parent_class)->system_setting_changed (widget, setting);
}

static void
update_accessible (LeanSpecRow *self)
{
  g_autofree char *text = NULL;
  const char *status;
  const char *priority;

  if (self->spec == NULL)
    return;

  status = lean_spec_status_get_label (lean_spec_get_status (self->spec));
  priority = lean_spec_priority_get_label (lean_spec_get_priority (self->spec));
  /* Translators: what a screen reader says for a row: number, title,
   * status, priority. */
  text = g_strdup_printf (_("%u %s, %s, %s"), lean_spec_get_number (self->spec),
                          lean_spec_get_title (self->spec),
                          status != NULL ? status : _("No Status"),
                          priority != NULL ? priority : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

void
lean_spec_row_set_spec (LeanSpecRow *self,
                        LeanSpec    *spec)
{
  g_return_if_fail (LEAN_IS_SPEC_ROW (self));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  if (!g_set_object (&self->spec, spec))
    return;

  /* Layouts are built lazily at the next draw, only if the row shows. */
  clear_layouts (self);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LeanSpec *
lean_spec_row_get_spec (LeanSpecRow *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ROW (self), NULL);
  return self->spec;
}

GtkWidget *
lean_spec_row_new (void)
{
  return g_object_new (LEAN_TYPE_SPEC_ROW, NULL);
}

static void
lean_spec_row_dispose (GObject *object)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (object);

  g_clear_object (&self->spec);
  clear_layouts (self);

  G_OBJECT_CLASS (lean_spec_row_parent_class)->dispose (object);
}

static void
lean_spec_row_class_init (LeanSpecRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_row_dispose;
  widget_class->measure = lean_spec_row_measure;
  widget_class->snapshot = lean_spec_row_snapshot;
  widget_class->system_setting_changed = lean_spec_row_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "specrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
lean_spec_row_init (LeanSpecRow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "spec-row");

  /* The style (light/dark) decides the chip colours: redraw on change. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}
