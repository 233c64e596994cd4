/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lean-session-indicator.h"
#include "lean-spec-badges.h"
#include "lean-spec-row.h"

/* One row of the spec list: the text is drawn with Pango layouts and only
 * the status chip is a widget (a GtkLabel with the .status-chip CSS classes,
 * so its colours come from style.css like every other chip). GtkListView in
 * GTK 4.8 keeps up to 200 rows alive and re-creates and re-binds them
 * whenever a filter or search changes the list a lot; with nine widgets per
 * row that cost ~100 ms per keystroke on 5,000 specs. Here binding sets one
 * label and the layouts are built when a row is actually drawn, so only the
 * visible rows pay. */

#define COLUMN_GAP  10
#define LINE_GAP     5
#define ITEM_GAP     8
/* A pill's rounded end reads as less space than it is: the text after the
 * chip needs more air than between two plain texts. */
#define CHIP_GAP    12
#define TAG_GAP     10

struct _LeanSpecRow
{
  GtkWidget    parent_instance;

  LeanSpec    *spec;
  GtkWidget   *chip;
  char        *chip_class;

  PangoLayout *number;
  PangoLayout *title;
  PangoLayout *priority;
  PangoLayout *progress;
  guint        progress_phase;  /* phase << 16 | n_phases the progress shows; 0: items */
  GPtrArray   *tags;           /* one PangoLayout per "#tag" */
  PangoLayout *more_tags;      /* "+N" for the tags that do not fit */
  guint        n_tags_shown;   /* as last drawn */

  /* Line heights and the number column from the font metrics, 0 until
   * measured. */
  int          line1_height;
  int          line2_height;
  int          number_width;
  /* The chip's allocation (gtk_widget_get_width() leaves out its padding). */
  int          chip_width;
  int          chip_height;
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
  g_clear_object (&self->priority);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  g_clear_object (&self->more_tags);
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
  if (self->progress_phase != 0)
    {
      /* Translators: a spec row while a phased Ralph chain runs, "Phase 2/4" */
      g_autofree char *progress = g_strdup_printf (_("Phase %u/%u"), self->progress_phase >> 16,
                                                   self->progress_phase & 0xffff);

      self->progress = make_layout (self, progress, 0.8, PANGO_WEIGHT_BOLD, FALSE);
    }
  else if (total > 0)
    {
      g_autofree char *progress = g_strdup_printf ("%u/%u", checked, total);

      self->progress = make_layout (self, progress, 0.8, PANGO_WEIGHT_NORMAL, FALSE);
    }

  /* Tags are drawn whole or not at all ("#githu…" reads as another tag). */
  self->tags = g_ptr_array_new_with_free_func (g_object_unref);
  tag_list = lean_spec_get_tags (spec);
  for (guint i = 0; tag_list != NULL && tag_list[i] != NULL; i++)
    {
      g_autofree char *tag = g_strdup_printf ("#%s", tag_list[i]);

      g_ptr_array_add (self->tags, make_layout (self, tag, 0.85, PANGO_WEIGHT_NORMAL, FALSE));
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
  int chip_height;

  if (self->line1_height > 0)
    return;

  /* Every row has the same height, from the font alone: measuring never
   * needs the row's text. */
  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  self->line1_height = font_height (context, 1.0);
  gtk_widget_measure (self->chip, GTK_ORIENTATION_VERTICAL, -1, NULL, &chip_height, NULL, NULL);
  self->line2_height = MAX (chip_height, font_height (context, 0.85));

  /* "000" in the monospace font: titles line up whatever the number. */
  {
    g_autoptr(PangoFontDescription) mono =
      pango_font_description_copy (pango_context_get_font_description (context));
    PangoFontMetrics *metrics;

    pango_font_description_set_family (mono, "monospace");
    metrics = pango_context_get_metrics (context, mono, NULL);
    self->number_width = PANGO_PIXELS_CEIL (3 * pango_font_metrics_get_approximate_digit_width (metrics));
    pango_font_metrics_unref (metrics);
  }
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
lean_spec_row_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (widget);
  int chip_width, chip_height;

  ensure_metrics (self);
  gtk_widget_measure (self->chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &chip_width, NULL, NULL);
  gtk_widget_measure (self->chip, GTK_ORIENTATION_VERTICAL, chip_width, NULL, &chip_height,
                      NULL, NULL);
  self->chip_width = MIN (chip_width, MAX (0, width - self->number_width - COLUMN_GAP));
  self->chip_height = chip_height;
  gtk_widget_size_allocate (self->chip,
                            &(GtkAllocation) {
                              self->number_width + COLUMN_GAP,
                              self->line1_height + LINE_GAP,
                              self->chip_width,
                              self->chip_height
                            }, -1);
  /* The session dot, if any, at the end of line 1 (lean-session-indicator.c). */
  lean_session_indicator_allocate_in_row (widget, width, self->line1_height);
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

static PangoLayout *
make_more_layout (LeanSpecRow *self,
                  guint        n)
{
  /* Translators: after the tags shown in a spec list row, how many more
   * there are ("+2"). */
  g_autofree char *more = g_strdup_printf (_("+%u"), n);

  return make_layout (self, more, 0.85, PANGO_WEIGHT_NORMAL, FALSE);
}

/* Draws as many whole tags as fit between @x and @width, then "+N" for
 * the rest; returns how many tags were drawn. */
static guint
draw_tags (LeanSpecRow   *self,
           GtkSnapshot   *snapshot,
           int            x,
           int            y,
           int            line_height,
           int            width,
           const GdkRGBA *color)
{
  guint n = self->tags->len;
  guint shown = n;
  int total = 0;

  g_clear_object (&self->more_tags);
  for (guint i = 0; i < n; i++)
    total += layout_width (g_ptr_array_index (self->tags, i)) + (i > 0 ? TAG_GAP : 0);

  /* Drop tags from the end until the rest and a "+N" fit. */
  if (x + total > width)
    while (shown > 0)
      {
        shown--;
        total -= layout_width (g_ptr_array_index (self->tags, shown)) + (shown > 0 ? TAG_GAP : 0);
        g_clear_object (&self->more_tags);
        self->more_tags = make_more_layout (self, n - shown);
        if (x + total + (shown > 0 ? TAG_GAP : 0) + layout_width (self->more_tags) <= width)
          break;
      }

  for (guint i = 0; i < shown; i++)
    {
      PangoLayout *tag = g_ptr_array_index (self->tags, i);

      draw_layout (snapshot, tag, x, y + (line_height - layout_height (tag)) / 2, color);
      x += layout_width (tag) + TAG_GAP;
    }
  if (self->more_tags != NULL && x + layout_width (self->more_tags) <= width)
    draw_layout (snapshot, self->more_tags, x,
                 y + (line_height - layout_height (self->more_tags)) / 2, color);
  return shown;
}

static void
lean_spec_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (widget);
  int width = gtk_widget_get_width (widget);
  gboolean dark = is_dark ();
  GdkRGBA fg, dim, faint, accent;
  int x, y, line2, badges;

  if (self->spec == NULL)
    return;

  ensure_metrics (self);
  /* A phased Ralph chain on the spec shows its phase instead of the items. */
  {
    LeanSpecActivity *activity = lean_session_indicator_get_row_activity (widget);
    guint n = 0;
    guint phase = activity != NULL
                  ? lean_spec_activity_get_phase (activity, lean_spec_get_id (self->spec), &n) : 0;
    guint key = phase > 0 ? phase << 16 | n : 0;

    if (key != self->progress_phase)
      {
        self->progress_phase = key;
        clear_layouts (self);
      }
  }
  ensure_layouts (self);

  /* GTK 4.8: the widget's CSS colour; the dim shades follow .dim-label. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  dim = fg;
  dim.alpha *= 0.55;
  faint = fg;
  faint.alpha *= 0.7;

  /* Line 1: number and title. */
  draw_layout (snapshot, self->number, 0,
               (self->line1_height - layout_height (self->number)) / 2, &dim);
  x = self->number_width + COLUMN_GAP;
  pango_layout_set_width (self->title, MAX (0, width - x) * PANGO_SCALE);
  draw_layout (snapshot, self->title, x, 0, &fg);

  /* Line 2: the status chip (a child widget), priority, checklist
   * progress, tags; all centred on the chip. */
  gtk_widget_snapshot_child (widget, self->chip, snapshot);
  lean_session_indicator_snapshot_in_row (widget, snapshot);
  y = self->line1_height + LINE_GAP;
  line2 = self->chip_height;
  x += self->chip_width + CHIP_GAP;

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
                   y + (line2 - layout_height (self->priority)) / 2, &accent);
      x += layout_width (self->priority) + ITEM_GAP;
    }

  if (self->progress != NULL)
    {
      draw_layout (snapshot, self->progress, x,
                   y + (line2 - layout_height (self->progress)) / 2, &dim);
      x += layout_width (self->progress) + ITEM_GAP;
    }

  /* Tokens and checks at the end of line 2; the tags give way to them. */
  badges = lean_spec_badges_snapshot (widget, snapshot, self->spec, width, y, line2);
  self->n_tags_shown = draw_tags (self, snapshot, x, y, line2, badges - ITEM_GAP, &dim);
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

static void
update_chip (LeanSpecRow *self)
{
  LeanSpecStatus status;
  const char *label;
  const char *css;

  if (self->spec == NULL)
    return;

  status = lean_spec_get_status (self->spec);
  label = lean_spec_status_get_label (status);
  /* Translators: status chip of a spec whose status is missing or unknown. */
  gtk_label_set_label (GTK_LABEL (self->chip), label != NULL ? label : _("No Status"));

  css = lean_spec_row_status_css_class (status);
  if (g_strcmp0 (css, self->chip_class) != 0)
    {
      if (self->chip_class != NULL)
        gtk_widget_remove_css_class (self->chip, self->chip_class);
      gtk_widget_add_css_class (self->chip, css);
      g_free (self->chip_class);
      self->chip_class = g_strdup (css);
    }
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
  self->n_tags_shown = 0;
  update_chip (self);
  update_accessible (self);
  /* The running/paused/failed dot of the spec's session. */
  lean_session_indicator_update_row (GTK_WIDGET (self), spec);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LeanSpec *
lean_spec_row_get_spec (LeanSpecRow *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ROW (self), NULL);
  return self->spec;
}

const char *
lean_spec_row_get_progress_text (LeanSpecRow *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ROW (self), NULL);
  return self->progress != NULL ? pango_layout_get_text (self->progress) : NULL;
}

guint
lean_spec_row_get_n_tags_shown (LeanSpecRow *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ROW (self), 0);
  return self->n_tags_shown;
}

char *
lean_spec_row_dup_tooltip (LeanSpecRow *self)
{
  g_autoptr(GString) text = NULL;
  const char * const *tags;
  guint n_tags;

  g_return_val_if_fail (LEAN_IS_SPEC_ROW (self), NULL);

  if (self->spec == NULL)
    return NULL;
  text = g_string_new (lean_spec_get_title (self->spec));
  tags = lean_spec_get_tags (self->spec);
  n_tags = tags != NULL ? g_strv_length ((char **) tags) : 0;
  if (self->n_tags_shown < n_tags)
    {
      g_string_append_c (text, '\n');
      for (guint i = 0; i < n_tags; i++)
        g_string_append_printf (text, i > 0 ? "  #%s" : "#%s", tags[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
lean_spec_row_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  g_autofree char *text = lean_spec_row_dup_tooltip (LEAN_SPEC_ROW (widget));

  if (text == NULL)
    return FALSE;
  /* Plain text: titles and tags come from files. */
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
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
  g_clear_pointer (&self->chip, gtk_widget_unparent);
  lean_session_indicator_remove_from_row (GTK_WIDGET (self));

  G_OBJECT_CLASS (lean_spec_row_parent_class)->dispose (object);
}

static void
lean_spec_row_finalize (GObject *object)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (object);

  g_free (self->chip_class);

  G_OBJECT_CLASS (lean_spec_row_parent_class)->finalize (object);
}

static void
lean_spec_row_class_init (LeanSpecRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_row_dispose;
  object_class->finalize = lean_spec_row_finalize;
  widget_class->measure = lean_spec_row_measure;
  widget_class->size_allocate = lean_spec_row_size_allocate;
  widget_class->snapshot = lean_spec_row_snapshot;
  widget_class->system_setting_changed = lean_spec_row_system_setting_changed;
  widget_class->query_tooltip = lean_spec_row_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "specrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
lean_spec_row_init (LeanSpecRow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "spec-row");
  /* Titles are cut to the list's width: the tooltip has all of it. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  self->chip = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->chip, "status-chip");
  gtk_widget_set_parent (self->chip, GTK_WIDGET (self));

  /* The style (light/dark) decides the chip colours: redraw on change. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}
