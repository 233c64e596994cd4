/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-view-switcher.h"

struct _LeanViewSwitcher
{
  GtkWidget  parent_instance;

  GtkWidget *squeezer;
  GtkWidget *compact;   /* the menu button shown when the toggles do not fit */
};

G_DEFINE_FINAL_TYPE (LeanViewSwitcher, lean_view_switcher, GTK_TYPE_WIDGET)

static const struct {
  const char *name;
  const char *icon;
  const char *label;
  const char *tooltip;
} views[] = {
  { "list", "view-list-symbolic", N_("Spec _List"), N_("Spec List (Ctrl+1)") },
  { "board", "view-dual-symbolic", N_("_Board"), N_("Board (Ctrl+2)") },
  { "dependencies", "network-workgroup-symbolic", N_("_Dependencies"), N_("Dependencies (Ctrl+3)") },
  { "stats", "x-office-presentation-symbolic", N_("_Stats"), N_("Stats (Ctrl+4)") },
  { "projects", "folder-symbolic", N_("_Projects"), N_("Projects (Ctrl+5)") },
};

GtkWidget *
lean_view_switcher_new (void)
{
  return g_object_new (LEAN_TYPE_VIEW_SWITCHER, NULL);
}

/* The compact button wears the icon of the view shown: the toggles follow
 * the action's state even while the squeezer hides them. */
static void
on_toggle_active (GtkToggleButton  *toggle,
                  GParamSpec       *pspec,
                  LeanViewSwitcher *self)
{
  if (gtk_toggle_button_get_active (toggle))
    gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->compact),
                                   gtk_button_get_icon_name (GTK_BUTTON (toggle)));
}

GtkWidget *
_lean_view_switcher_get_compact_button (LeanViewSwitcher *self)
{
  return self->compact;
}

static void
lean_view_switcher_dispose (GObject *object)
{
  LeanViewSwitcher *self = LEAN_VIEW_SWITCHER (object);

  g_clear_pointer (&self->squeezer, gtk_widget_unparent);

  G_OBJECT_CLASS (lean_view_switcher_parent_class)->dispose (object);
}

static void
lean_view_switcher_class_init (LeanViewSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_view_switcher_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "viewswitcher");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lean_view_switcher_init (LeanViewSwitcher *self)
{
  GtkWidget *toggles = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  g_autoptr(GMenu) menu = g_menu_new ();

  gtk_widget_add_css_class (toggles, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *button = gtk_toggle_button_new ();
      g_autoptr(GMenuItem) item = g_menu_item_new (_(views[i].label), NULL);

      gtk_button_set_icon_name (GTK_BUTTON (button), views[i].icon);
      gtk_widget_set_tooltip_text (button, _(views[i].tooltip));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-view");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", views[i].name);
      gtk_widget_set_name (button, views[i].name);
      g_signal_connect_object (button, "notify::active", G_CALLBACK (on_toggle_active), self, 0);
      gtk_box_append (GTK_BOX (toggles), button);

      g_menu_item_set_action_and_target (item, "win.show-view", "s", views[i].name);
      g_menu_append_item (menu, item);
    }

  self->compact = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->compact), views[0].icon);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->compact), G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (self->compact, _("Switch View"));
  gtk_widget_set_name (self->compact, "compact");
  /* The squeezer gives its child all its width; the buttons keep theirs. */
  gtk_widget_set_halign (self->compact, GTK_ALIGN_START);
  gtk_widget_set_halign (toggles, GTK_ALIGN_START);

  /* In a narrow window the five toggles give way to one menu button, so
   * a header with the window's buttons still fits in 360 pixels. */
  self->squeezer = adw_squeezer_new ();
  adw_squeezer_set_homogeneous (ADW_SQUEEZER (self->squeezer), FALSE);
  adw_squeezer_set_transition_type (ADW_SQUEEZER (self->squeezer),
                                    ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_set_xalign (ADW_SQUEEZER (self->squeezer), 0.0);
  adw_squeezer_add (ADW_SQUEEZER (self->squeezer), toggles);
  adw_squeezer_add (ADW_SQUEEZER (self->squeezer), self->compact);
  gtk_widget_set_parent (self->squeezer, GTK_WIDGET (self));
}
