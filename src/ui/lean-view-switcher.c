/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-view-switcher.h"

struct _LeanViewSwitcher
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (LeanViewSwitcher, lean_view_switcher, GTK_TYPE_WIDGET)

GtkWidget *
lean_view_switcher_new (void)
{
  return g_object_new (LEAN_TYPE_VIEW_SWITCHER, NULL);
}

static void
lean_view_switcher_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lean_view_switcher_parent_class)->dispose (object);
}

static void
lean_view_switcher_class_init (LeanViewSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_view_switcher_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "viewswitcher");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lean_view_switcher_init (LeanViewSwitcher *self)
{
  const struct {
    const char *name;
    const char *icon;
    const char *tooltip;
  } views[] = {
    { "list", "view-list-symbolic", N_("Spec List (Ctrl+1)") },
    { "board", "view-dual-symbolic", N_("Board (Ctrl+2)") },
    { "dependencies", "network-workgroup-symbolic", N_("Dependencies (Ctrl+3)") },
    { "stats", "x-office-presentation-symbolic", N_("Stats (Ctrl+4)") },
    { "projects", "folder-symbolic", N_("Projects (Ctrl+5)") },
  };

  gtk_widget_add_css_class (GTK_WIDGET (self), "linked");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *button = gtk_toggle_button_new ();

      gtk_button_set_icon_name (GTK_BUTTON (button), views[i].icon);
      gtk_widget_set_tooltip_text (button, _(views[i].tooltip));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-view");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", views[i].name);
      gtk_widget_set_name (button, views[i].name);
      gtk_widget_set_parent (button, GTK_WIDGET (self));
    }
}
