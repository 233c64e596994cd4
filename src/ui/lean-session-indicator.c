/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-application.h"
#include "lean-session-indicator.h"
#include "lean-session-ui-private.h"

#define ROW_KEY "lean-session-indicator"
#define ROW_SPEC_KEY "lean-session-indicator-spec"
#define ROW_ACTIVITY_KEY "lean-session-indicator-activity"

struct _LeanSessionIndicator
{
  GtkWidget         parent_instance;

  LeanSpec         *spec;
  LeanSpecActivity *activity;
  gulong            changed_id;
  int               state;
  int               validation;
  GtkWidget        *image;     /* the validation's icon */
};

G_DEFINE_FINAL_TYPE (LeanSessionIndicator, lean_session_indicator, GTK_TYPE_WIDGET)

/* The activity model of the project holding @spec: the application keeps
 * one per open project. */
static LeanSpecActivity *
find_activity (LeanSpec *spec)
{
  GApplication *app = g_application_get_default ();

  if (spec == NULL || !LEAN_IS_APPLICATION (app))
    return NULL;
  return lean_application_find_activity (LEAN_APPLICATION (app), lean_spec_get_dir (spec));
}

/* The spec's validation, shown while no session of it is busy: a check
 * mark, a cross, or an hourglass while the checks run. */
static void
show_validation (LeanSessionIndicator *self)
{
  const char *icon = NULL, *css = NULL, *tooltip = NULL;

  switch (self->validation)
    {
    case LEAN_SPEC_VALIDATION_RUNNING:
      icon = "content-loading-symbolic", css = "accent", tooltip = _("Validating");
      break;
    case LEAN_SPEC_VALIDATION_PASSED:
      icon = "emblem-ok-symbolic", css = "success", tooltip = _("Validation passed");
      break;
    case LEAN_SPEC_VALIDATION_FAILED:
      icon = "dialog-error-symbolic", css = "error", tooltip = _("Validation failed");
      break;
    default:
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self), "session-dot");
  gtk_widget_add_css_class (GTK_WIDGET (self), "validation-mark");
  gtk_widget_add_css_class (GTK_WIDGET (self), css);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->image), icon);
  gtk_widget_set_visible (self->image, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
}

static void
lean_session_indicator_update (LeanSessionIndicator *self)
{
  LeanSession *session = NULL;
  g_autofree char *tooltip = NULL;
  static const char *classes[] = { "running", "paused", "failed", "validation-mark", "accent",
                                   "success", "error" };

  self->state = -1;
  self->validation = LEAN_SPEC_VALIDATION_NONE;
  if (self->activity != NULL && self->spec != NULL)
    {
      self->state = lean_spec_activity_get_state (self->activity, lean_spec_get_id (self->spec));
      session = lean_spec_activity_get_session (self->activity, lean_spec_get_id (self->spec));
      self->validation = lean_spec_activity_get_validation (self->activity,
                                                            lean_spec_get_id (self->spec));
    }

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self), "session-dot");
  gtk_widget_set_visible (self->image, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), self->state >= 0);
  if (self->state < 0 || session == NULL)
    {
      show_validation (self);
      return;
    }

  if (self->state == LEAN_SESSION_STATE_PAUSED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "paused");
  else if (self->state == LEAN_SESSION_STATE_FAILED ||
           self->state == LEAN_SESSION_STATE_INTERRUPTED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "running");

  /* Translators: tooltip of a spec row's session dot, "claude: Running" */
  tooltip = g_strdup_printf (_("%s: %s"), lean_session_get_agent_id (session),
                             lean_session_state_get_label ((LeanSessionState) self->state));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
}

void
lean_session_indicator_set_spec (LeanSessionIndicator *self,
                                 LeanSpec             *spec)
{
  LeanSpecActivity *activity;

  g_return_if_fail (LEAN_IS_SESSION_INDICATOR (self));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  g_set_object (&self->spec, spec);
  activity = find_activity (spec);
  if (self->activity != NULL)
    g_clear_signal_handler (&self->changed_id, self->activity);
  g_set_object (&self->activity, activity);
  /* Only this spec's changes reach the dot. */
  if (activity != NULL && spec != NULL)
    {
      g_autofree char *signal = g_strdup_printf ("changed::%s", lean_spec_get_id (spec));

      self->changed_id = g_signal_connect_object (activity, signal,
                                                  G_CALLBACK (lean_session_indicator_update),
                                                  self, G_CONNECT_SWAPPED);
    }
  lean_session_indicator_update (self);
}

int
lean_session_indicator_get_state (LeanSessionIndicator *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_INDICATOR (self), -1);
  return self->state;
}

int
lean_session_indicator_get_validation (LeanSessionIndicator *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_INDICATOR (self), LEAN_SPEC_VALIDATION_NONE);
  /* Shown only while no session is. */
  return self->state < 0 ? self->validation : LEAN_SPEC_VALIDATION_NONE;
}


static void
on_row_spec_changed (GtkWidget *row)
{
  lean_session_indicator_update_row (row, g_object_get_data (G_OBJECT (row), ROW_SPEC_KEY));
}

static void
unwatch_row (GtkWidget *row)
{
  LeanSpecActivity *activity = g_object_get_data (G_OBJECT (row), ROW_ACTIVITY_KEY);

  if (activity != NULL)
    g_signal_handlers_disconnect_by_func (activity, on_row_spec_changed, row);
  g_object_set_data (G_OBJECT (row), ROW_ACTIVITY_KEY, NULL);
}

void
lean_session_indicator_update_row (GtkWidget *row,
                                   LeanSpec  *spec)
{
  LeanSessionIndicator *indicator;
  LeanSpecActivity *activity;

  g_return_if_fail (GTK_IS_WIDGET (row));

  /* A row without a dot still follows its spec: a session starting on it
   * adds the dot. */
  if (spec != g_object_get_data (G_OBJECT (row), ROW_SPEC_KEY) ||
      g_object_get_data (G_OBJECT (row), ROW_ACTIVITY_KEY) == NULL)
    {
      unwatch_row (row);
      g_object_set_data_full (G_OBJECT (row), ROW_SPEC_KEY,
                              spec != NULL ? g_object_ref (spec) : NULL, g_object_unref);
      activity = find_activity (spec);
      if (activity != NULL)
        {
          g_autofree char *signal = g_strdup_printf ("changed::%s", lean_spec_get_id (spec));

          g_object_set_data_full (G_OBJECT (row), ROW_ACTIVITY_KEY, g_object_ref (activity),
                                  g_object_unref);
          g_signal_connect_object (activity, signal, G_CALLBACK (on_row_spec_changed), row,
                                   G_CONNECT_SWAPPED);
        }
    }
  activity = g_object_get_data (G_OBJECT (row), ROW_ACTIVITY_KEY);

  indicator = g_object_get_data (G_OBJECT (row), ROW_KEY);
  if (indicator == NULL &&
      (spec == NULL || activity == NULL ||
       (lean_spec_activity_get_state (activity, lean_spec_get_id (spec)) < 0 &&
        lean_spec_activity_get_validation (activity, lean_spec_get_id (spec)) ==
        LEAN_SPEC_VALIDATION_NONE)))
    return;
  if (indicator == NULL)
    {
      indicator = LEAN_SESSION_INDICATOR (lean_session_indicator_new ());
      gtk_widget_set_parent (GTK_WIDGET (indicator), row);
      g_object_set_data (G_OBJECT (row), ROW_KEY, indicator);
    }
  lean_session_indicator_set_spec (indicator, spec);
  gtk_widget_queue_allocate (row);
  /* The row's own text may follow the activity too ("Phase 2/4"). */
  gtk_widget_queue_draw (row);
}

LeanSpecActivity *
lean_session_indicator_get_row_activity (GtkWidget *row)
{
  g_return_val_if_fail (GTK_IS_WIDGET (row), NULL);
  return g_object_get_data (G_OBJECT (row), ROW_ACTIVITY_KEY);
}

void
lean_session_indicator_allocate_in_row (GtkWidget *row,
                                        int        width,
                                        int        line_height)
{
  GtkWidget *indicator = g_object_get_data (G_OBJECT (row), ROW_KEY);
  int w, h;

  if (indicator == NULL || !gtk_widget_get_visible (indicator))
    return;
  gtk_widget_measure (indicator, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
  gtk_widget_measure (indicator, GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
  gtk_widget_size_allocate (indicator,
                            &(GtkAllocation) { MAX (0, width - w), MAX (0, (line_height - h) / 2),
                                               w, h }, -1);
}

void
lean_session_indicator_snapshot_in_row (GtkWidget   *row,
                                        GtkSnapshot *snapshot)
{
  GtkWidget *indicator = g_object_get_data (G_OBJECT (row), ROW_KEY);

  if (indicator != NULL)
    gtk_widget_snapshot_child (row, indicator, snapshot);
}

void
lean_session_indicator_remove_from_row (GtkWidget *row)
{
  GtkWidget *indicator = g_object_get_data (G_OBJECT (row), ROW_KEY);

  if (indicator != NULL)
    {
      g_object_set_data (G_OBJECT (row), ROW_KEY, NULL);
      gtk_widget_unparent (indicator);
    }
  unwatch_row (row);
  g_object_set_data (G_OBJECT (row), ROW_SPEC_KEY, NULL);
}

GtkWidget *
lean_session_indicator_new (void)
{
  return g_object_new (LEAN_TYPE_SESSION_INDICATOR, NULL);
}

static void
lean_session_indicator_dispose (GObject *object)
{
  LeanSessionIndicator *self = LEAN_SESSION_INDICATOR (object);

  if (self->activity != NULL)
    g_clear_signal_handler (&self->changed_id, self->activity);
  g_clear_object (&self->activity);
  g_clear_object (&self->spec);
  g_clear_pointer (&self->image, gtk_widget_unparent);

  G_OBJECT_CLASS (lean_session_indicator_parent_class)->dispose (object);
}

static void
lean_session_indicator_class_init (LeanSessionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_session_indicator_dispose;
  gtk_widget_class_set_css_name (widget_class, "sessionindicator");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lean_session_indicator_init (LeanSessionIndicator *self)
{
  _lean_session_ui_ensure_style ();
  self->state = -1;
  self->image = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (self->image), 12);
  gtk_widget_set_visible (self->image, FALSE);
  gtk_widget_set_parent (self->image, GTK_WIDGET (self));
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "session-dot");
}
