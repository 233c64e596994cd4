/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "lean-spec-phases.h"
#include "lean-spec-task-status.h"

struct _LeanSpecTaskStatus
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkWidget *summary;   /* "Current: Phase 2 of 3" */
  GtkWidget *list;
  guint      n_phases;
  int        current;
};

G_DEFINE_FINAL_TYPE (LeanSpecTaskStatus, lean_spec_task_status, GTK_TYPE_WIDGET)

static GtkWidget *
phase_row (LeanSpecPhase *phase,
           guint          index,
           gboolean       current)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, MAX (phase->total, 1));
  GtkWidget *icon;
  g_autofree char *escaped = NULL;
  g_autofree char *subtitle = NULL;

  /* Row titles are markup; the heading comes from the file. */
  if (*phase->title != '\0')
    escaped = g_markup_escape_text (phase->title, -1);
  else
    escaped = g_strdup_printf (_("Phase %u"), index + 1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  /* Translators: a phase's progress, "2 of 3 done" */
  subtitle = g_strdup_printf (_("%u of %u done"), phase->done, phase->total);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (phase->done == phase->total)
    {
      icon = gtk_image_new_from_icon_name ("emblem-ok-symbolic");
      gtk_widget_add_css_class (icon, "success");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Done"), -1);
    }
  else if (current)
    {
      icon = gtk_image_new_from_icon_name ("media-playback-start-symbolic");
      gtk_widget_add_css_class (icon, "accent");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Current phase"), -1);
    }
  else
    {
      icon = gtk_image_new_from_icon_name ("content-loading-symbolic");
      gtk_widget_add_css_class (icon, "dim-label");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Not started"), -1);
    }
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (current)
    {
      GtkWidget *pill = gtk_label_new (_("Current"));

      gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (pill, "caption-heading");
      gtk_widget_add_css_class (pill, "accent");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);
    }
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), phase->done);
  /* One colour for every bar: progress is no warning level. */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_set_size_request (bar, 96, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  subtitle, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

void
lean_spec_task_status_set_spec (LeanSpecTaskStatus *self,
                                LeanSpec           *spec)
{
  g_autoptr(GPtrArray) phases = NULL;
  GtkWidget *child;

  g_return_if_fail (LEAN_IS_SPEC_TASK_STATUS (self));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  phases = spec != NULL ? lean_spec_get_phases (spec) : g_ptr_array_new ();
  self->n_phases = phases->len;
  self->current = lean_spec_phases_get_current (phases);
  gtk_widget_set_visible (self->box, phases->len >= 2);
  if (phases->len < 2)
    return;

  for (guint i = 0; i < phases->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->list),
                         phase_row (g_ptr_array_index (phases, i), i, (int)i == self->current));
  if (self->current >= 0)
    {
      /* Translators: "Phase 2 of 4 is current" */
      g_autofree char *text = g_strdup_printf (_("Phase %d of %u is current"),
                                               self->current + 1, phases->len);

      gtk_label_set_text (GTK_LABEL (self->summary), text);
    }
  else
    gtk_label_set_text (GTK_LABEL (self->summary), _("Every phase is done"));
}

guint
lean_spec_task_status_get_n_phases (LeanSpecTaskStatus *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_TASK_STATUS (self), 0);
  return self->n_phases;
}

int
lean_spec_task_status_get_current (LeanSpecTaskStatus *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_TASK_STATUS (self), -1);
  return self->current;
}

static void
lean_spec_task_status_dispose (GObject *object)
{
  LeanSpecTaskStatus *self = LEAN_SPEC_TASK_STATUS (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (lean_spec_task_status_parent_class)->dispose (object);
}

static void
lean_spec_task_status_class_init (LeanSpecTaskStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_task_status_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "leanspectaskstatus");
}

static void
lean_spec_task_status_init (LeanSpecTaskStatus *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (_("Task Status"));

  self->current = -1;
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_visible (self->box, FALSE);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  self->summary = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->summary, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->summary), 1);
  gtk_label_set_wrap (GTK_LABEL (self->summary), TRUE);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), self->summary);
  gtk_box_append (GTK_BOX (self->box), header);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Phases of the plan"), -1);
  gtk_box_append (GTK_BOX (self->box), self->list);
}

GtkWidget *
lean_spec_task_status_new (void)
{
  return g_object_new (LEAN_TYPE_SPEC_TASK_STATUS, NULL);
}
