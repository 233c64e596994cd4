/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lean-spec-badges.h"
#include "lean-tokens.h"

#define CHIP_PAD_X 6
#define MARK_GAP   6

static const char * const token_classes[] = { "optimal", "good", "warning", "excessive" };
static const char * const lint_classes[] = { "pass", "warn", "fail" };

char *
lean_spec_badges_format_tokens (guint tokens)
{
  if (tokens < 1000)
    return g_strdup_printf ("%u", tokens);
  if (tokens < 10000)
    /* Translators: a token count in thousands, "2.1k". */
    return g_strdup_printf (_("%.1fk"), tokens / 1000.0);
  return g_strdup_printf (_("%uk"), (tokens + 500) / 1000);
}

const char *
lean_spec_badges_token_class (guint tokens)
{
  LeanTokenStatus status = lean_tokens_get_status (tokens);

  return status < G_N_ELEMENTS (token_classes) ? token_classes[status] : token_classes[0];
}

LeanLintStatus
lean_spec_badges_lint (LeanSpec *spec)
{
  return lean_spec_lint_status (spec, NULL);
}

const char *
lean_spec_badges_lint_symbol (LeanLintStatus status)
{
  switch (status)
    {
    case LEAN_LINT_FAIL: return "✕";
    case LEAN_LINT_WARN: return "!";
    case LEAN_LINT_PASS:
    default:             return "✓";
    }
}

const char *
lean_spec_badges_lint_class (LeanLintStatus status)
{
  return status < G_N_ELEMENTS (lint_classes) ? lint_classes[status] : lint_classes[0];
}

const char *
lean_spec_badges_lint_label (LeanLintStatus status)
{
  switch (status)
    {
    case LEAN_LINT_FAIL: return _("Checks fail");
    case LEAN_LINT_WARN: return _("Checks warn");
    case LEAN_LINT_PASS:
    default:             return _("Checks pass");
    }
}

/* The same hues as the CSS chips (style.css), for the drawn row. */
static void
token_colors (guint    tokens,
              gboolean dark,
              GdkRGBA *bg,
              GdkRGBA *fg)
{
  static const char * const light_fg[] = { "#1b6a3a", "#1a5fb4", "#9c3e00", "#c01c28" };
  static const char * const dark_fg[] = { "#8ff0a4", "#99c1f1", "#ffbe6f", "#ff7b63" };
  static const char * const base[] = { "#33d17a", "#3584e4", "#ff7800", "#e01b24" };
  LeanTokenStatus status = MIN (lean_tokens_get_status (tokens), 3);

  gdk_rgba_parse (fg, dark ? dark_fg[status] : light_fg[status]);
  gdk_rgba_parse (bg, base[status]);
  bg->alpha = dark ? 0.25 : 0.18;
}

static void
lint_color (LeanLintStatus status,
            gboolean       dark,
            GdkRGBA       *color)
{
  switch (status)
    {
    case LEAN_LINT_FAIL:
      gdk_rgba_parse (color, dark ? "#ff7b63" : "#c01c28");
      break;
    case LEAN_LINT_WARN:
      gdk_rgba_parse (color, dark ? "#ffbe6f" : "#9c3e00");
      break;
    case LEAN_LINT_PASS:
    default:
      gdk_rgba_parse (color, dark ? "#8ff0a4" : "#1b6a3a");
      break;
    }
}

static PangoLayout *
small_layout (GtkWidget  *widget,
              const char *text,
              gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (0.8));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

int
lean_spec_badges_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot,
                           LeanSpec    *spec,
                           int          right,
                           int          y,
                           int          height)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  guint tokens = lean_spec_get_tokens (spec);
  LeanLintStatus lint = lean_spec_badges_lint (spec);
  g_autofree char *count = lean_spec_badges_format_tokens (tokens);
  g_autoptr(PangoLayout) chip = small_layout (widget, count, FALSE);
  g_autoptr(PangoLayout) mark = small_layout (widget, lean_spec_badges_lint_symbol (lint), TRUE);
  GdkRGBA bg, fg, mark_color;
  int chip_w, chip_h, mark_w, mark_h, x, box_w, box_h;
  GskRoundedRect pill;

  pango_layout_get_pixel_size (chip, &chip_w, &chip_h);
  pango_layout_get_pixel_size (mark, &mark_w, &mark_h);
  token_colors (tokens, dark, &bg, &fg);
  lint_color (lint, dark, &mark_color);

  x = right - mark_w;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y + (height - mark_h) / 2));
  gtk_snapshot_append_layout (snapshot, mark, &mark_color);
  gtk_snapshot_restore (snapshot);

  box_w = chip_w + 2 * CHIP_PAD_X;
  box_h = MIN (height, chip_h + 2);
  x -= MARK_GAP + box_w;
  gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT (x, y + (height - box_h) / 2.0,
                                                               box_w, box_h),
                                   box_h / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &pill);
  gtk_snapshot_append_color (snapshot, &bg, &pill.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + CHIP_PAD_X, y + (height - chip_h) / 2));
  gtk_snapshot_append_layout (snapshot, chip, &fg);
  gtk_snapshot_restore (snapshot);

  return x;
}

static void
set_class (GtkWidget          *widget,
           const char * const *classes,
           guint               n,
           const char         *wanted)
{
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (classes[i], wanted))
      gtk_widget_remove_css_class (widget, classes[i]);
  gtk_widget_add_css_class (widget, wanted);
}

void
lean_spec_badges_update_labels (GtkLabel *chip,
                                GtkLabel *mark,
                                LeanSpec *spec)
{
  guint tokens = lean_spec_get_tokens (spec);
  LeanLintStatus lint = lean_spec_badges_lint (spec);
  g_autofree char *count = lean_spec_badges_format_tokens (tokens);
  /* Translators: tooltip of a token chip, "2,140 tokens". */
  g_autofree char *tip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u token", "%'u tokens",
                                                       tokens), tokens);

  gtk_label_set_label (chip, count);
  gtk_widget_set_tooltip_text (GTK_WIDGET (chip), tip);
  set_class (GTK_WIDGET (chip), token_classes, G_N_ELEMENTS (token_classes),
             lean_spec_badges_token_class (tokens));

  gtk_label_set_label (mark, lean_spec_badges_lint_symbol (lint));
  gtk_widget_set_tooltip_text (GTK_WIDGET (mark), lean_spec_badges_lint_label (lint));
  set_class (GTK_WIDGET (mark), lint_classes, G_N_ELEMENTS (lint_classes),
             lean_spec_badges_lint_class (lint));
}
