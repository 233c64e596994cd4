/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-session-indicator.h"
#include "lean-spec-row.h"

struct _LeanSpecRow
{
  GtkWidget  parent_instance;

  LeanSpec  *spec;
  char      *status_class;
  char      *priority_class;

  GtkLabel  *number_label;
  GtkLabel  *title_label;
  GtkLabel  *status_label;
  GtkLabel  *priority_label;
  GtkLabel  *progress_label;
  GtkLabel  *tags_label;
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

static const char *
priority_css_class (LeanSpecPriority priority)
{
  switch (priority)
    {
    case LEAN_SPEC_PRIORITY_LOW:      return "low";
    case LEAN_SPEC_PRIORITY_MEDIUM:   return "medium";
    case LEAN_SPEC_PRIORITY_HIGH:     return "high";
    case LEAN_SPEC_PRIORITY_CRITICAL: return "critical";
    case LEAN_SPEC_PRIORITY_NONE:
    default:                          return NULL;
    }
}

/* Swaps one variable CSS class, remembering which one is set. */
static void
swap_class (GtkWidget   *widget,
            char       **current,
            const char  *wanted)
{
  if (g_strcmp0 (*current, wanted) == 0)
    return;
  if (*current != NULL)
    gtk_widget_remove_css_class (widget, *current);
  g_free (*current);
  *current = g_strdup (wanted);
  if (wanted != NULL)
    gtk_widget_add_css_class (widget, wanted);
}

static void
lean_spec_row_update (LeanSpecRow *self)
{
  LeanSpec *spec = self->spec;
  g_autofree char *number = NULL;
  g_autoptr(GString) tags = NULL;
  const char * const *tag_list;
  LeanSpecStatus status;
  LeanSpecPriority priority;
  const char *status_label;
  const char *priority_label;
  guint checked, total;

  if (spec == NULL)
    {
      gtk_label_set_label (self->number_label, "");
      gtk_label_set_label (self->title_label, "");
      gtk_label_set_label (self->status_label, "");
      gtk_label_set_label (self->priority_label, "");
      gtk_label_set_label (self->progress_label, "");
      gtk_label_set_label (self->tags_label, "");
      return;
    }

  number = g_strdup_printf ("%03u", lean_spec_get_number (spec));
  gtk_label_set_label (self->number_label, number);
  gtk_label_set_label (self->title_label, lean_spec_get_title (spec));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), lean_spec_get_id (spec));

  status = lean_spec_get_status (spec);
  status_label = lean_spec_status_get_label (status);
  /* Translators: status chip of a spec whose status is missing or unknown. */
  gtk_label_set_label (self->status_label, status_label != NULL ? status_label : _("No Status"));
  swap_class (GTK_WIDGET (self->status_label), &self->status_class,
              lean_spec_row_status_css_class (status));

  priority = lean_spec_get_priority (spec);
  priority_label = lean_spec_priority_get_label (priority);
  gtk_widget_set_visible (GTK_WIDGET (self->priority_label),
                          priority != LEAN_SPEC_PRIORITY_NONE && priority_label != NULL);
  if (priority == LEAN_SPEC_PRIORITY_CRITICAL || priority == LEAN_SPEC_PRIORITY_HIGH)
    {
      /* An arrow makes the urgent ones stand out without relying on colour. */
      g_autofree char *text = g_strdup_printf ("↑ %s", priority_label);
      gtk_label_set_label (self->priority_label, text);
    }
  else
    gtk_label_set_label (self->priority_label, priority_label != NULL ? priority_label : "");
  swap_class (GTK_WIDGET (self->priority_label), &self->priority_class,
              priority_css_class (priority));

  checked = lean_spec_get_n_checked (spec);
  total = checked + lean_spec_get_n_unchecked (spec);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), total > 0);
  if (total > 0)
    {
      g_autofree char *progress = g_strdup_printf ("%u/%u", checked, total);
      g_autofree char *tooltip = NULL;

      gtk_label_set_label (self->progress_label, progress);
      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u of %u checklist item done",
                                              "%u of %u checklist items done", total),
                                 checked, total);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_label), tooltip);
    }

  tags = g_string_new (NULL);
  tag_list = lean_spec_get_tags (spec);
  for (guint i = 0; tag_list != NULL && tag_list[i] != NULL; i++)
    {
      if (tags->len > 0)
        g_string_append (tags, "  ");
      g_string_append_printf (tags, "#%s", tag_list[i]);
    }
  gtk_label_set_label (self->tags_label, tags->str);
}

void
lean_spec_row_set_spec (LeanSpecRow *self,
                        LeanSpec    *spec)
{
  g_return_if_fail (LEAN_IS_SPEC_ROW (self));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  if (g_set_object (&self->spec, spec))
    lean_spec_row_update (self);
  /* The running/paused/failed dot of the spec's session (lean-session-indicator.c). */
  lean_session_indicator_update_row (GTK_WIDGET (self), spec);
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
  GtkWidget *child;

  g_clear_object (&self->spec);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SPEC_ROW);
  /* dispose_template only drops the bound children; unparent the rest. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lean_spec_row_parent_class)->dispose (object);
}

static void
lean_spec_row_finalize (GObject *object)
{
  LeanSpecRow *self = LEAN_SPEC_ROW (object);

  g_free (self->status_class);
  g_free (self->priority_class);

  G_OBJECT_CLASS (lean_spec_row_parent_class)->finalize (object);
}

static void
lean_spec_row_class_init (LeanSpecRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_row_dispose;
  object_class->finalize = lean_spec_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-spec-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, number_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, priority_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecRow, tags_label);
}

static void
lean_spec_row_init (LeanSpecRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
