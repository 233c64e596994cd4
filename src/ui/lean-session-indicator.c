/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-session-indicator.h"
#include "lean-session-ui-private.h"

#define ROW_KEY "lean-session-indicator"

struct _LeanSessionIndicator
{
  GtkWidget  parent_instance;

  LeanSpec  *spec;
  int        state;
};

G_DEFINE_FINAL_TYPE (LeanSessionIndicator, lean_session_indicator, GTK_TYPE_WIDGET)

/* Every live indicator, to update them when a session changes (there are
 * as many as visible rows, so a list is fine). */
static GList *indicators;

/* Spec rows draw themselves (see lean-spec-row.c) and are re-bound often,
 * so a row gets an indicator child only while it has something to show;
 * rows are tracked so a session starting on their spec reaches them. */
#define ROW_SPEC_KEY "lean-session-indicator-spec"
static GList *rows;

static LeanSession *
latest_session (LeanSpec *spec)
{
  LeanController *controller = _lean_session_ui_peek_controller ();
  GListModel *sessions;
  LeanSession *latest = NULL;
  const char *dir;

  if (controller == NULL || spec == NULL)
    return NULL;

  dir = lean_spec_get_dir (spec);
  sessions = lean_controller_get_sessions (controller);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);
      const char *project = lean_session_get_project_path (session);
      GDateTime *started = lean_session_get_started_at (session);
      gsize len = project != NULL ? strlen (project) : 0;

      if (g_strcmp0 (lean_session_get_spec_id (session), lean_spec_get_id (spec)) != 0 ||
          len == 0 || dir == NULL || strncmp (dir, project, len) != 0 || dir[len] != '/')
        continue;
      if (latest == NULL ||
          (started != NULL && lean_session_get_started_at (latest) != NULL &&
           g_date_time_compare (started, lean_session_get_started_at (latest)) >= 0) ||
          lean_session_get_started_at (latest) == NULL)
        latest = session;
    }
  return latest;
}

static void
lean_session_indicator_update (LeanSessionIndicator *self)
{
  LeanSession *session = latest_session (self->spec);
  LeanSessionState state;
  g_autofree char *tooltip = NULL;

  self->state = -1;
  if (session != NULL)
    {
      state = lean_session_get_state (session);
      switch (state)
        {
        case LEAN_SESSION_STATE_PENDING:
        case LEAN_SESSION_STATE_RUNNING:
        case LEAN_SESSION_STATE_VALIDATING:
        case LEAN_SESSION_STATE_PAUSED:
        case LEAN_SESSION_STATE_FAILED:
        case LEAN_SESSION_STATE_INTERRUPTED:
          self->state = (int) state;
          break;
        case LEAN_SESSION_STATE_COMPLETED:
        case LEAN_SESSION_STATE_CANCELLED:
        default:
          break;
        }
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self), "running");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "paused");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
  gtk_widget_set_visible (GTK_WIDGET (self), self->state >= 0);
  if (self->state < 0)
    return;

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
_lean_session_indicator_changed (void)
{
  g_autoptr(GList) copy = g_list_copy (rows);

  for (GList *l = indicators; l != NULL; l = l->next)
    lean_session_indicator_update (l->data);
  /* Rows without a dot yet may need one now. */
  for (GList *l = copy; l != NULL; l = l->next)
    lean_session_indicator_update_row (l->data, g_object_get_data (l->data, ROW_SPEC_KEY));
}

void
lean_session_indicator_set_spec (LeanSessionIndicator *self,
                                 LeanSpec             *spec)
{
  g_return_if_fail (LEAN_IS_SESSION_INDICATOR (self));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  g_set_object (&self->spec, spec);
  lean_session_indicator_update (self);
}

int
lean_session_indicator_get_state (LeanSessionIndicator *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_INDICATOR (self), -1);
  return self->state;
}


static void
forget_row (gpointer  data,
            GObject  *where_the_row_was)
{
  rows = g_list_remove (rows, where_the_row_was);
}

static int
state_to_show (LeanSpec *spec)
{
  LeanSession *session = latest_session (spec);
  LeanSessionState state;

  if (session == NULL)
    return -1;
  state = lean_session_get_state (session);
  if (state == LEAN_SESSION_STATE_COMPLETED || state == LEAN_SESSION_STATE_CANCELLED)
    return -1;
  return (int) state;
}

void
lean_session_indicator_update_row (GtkWidget *row,
                                   LeanSpec  *spec)
{
  LeanSessionIndicator *indicator;

  g_return_if_fail (GTK_IS_WIDGET (row));

  if (g_list_find (rows, row) == NULL)
    {
      rows = g_list_prepend (rows, row);
      g_object_weak_ref (G_OBJECT (row), forget_row, NULL);
    }
  g_object_set_data_full (G_OBJECT (row), ROW_SPEC_KEY,
                          spec != NULL ? g_object_ref (spec) : NULL, g_object_unref);

  indicator = g_object_get_data (G_OBJECT (row), ROW_KEY);
  if (indicator == NULL && (spec == NULL || state_to_show (spec) < 0))
    return;
  if (indicator == NULL)
    {
      indicator = LEAN_SESSION_INDICATOR (lean_session_indicator_new ());
      gtk_widget_set_parent (GTK_WIDGET (indicator), row);
      g_object_set_data (G_OBJECT (row), ROW_KEY, indicator);
    }
  lean_session_indicator_set_spec (indicator, spec);
  gtk_widget_queue_allocate (row);
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
  g_object_set_data (G_OBJECT (row), ROW_SPEC_KEY, NULL);
  if (g_list_find (rows, row) != NULL)
    {
      rows = g_list_remove (rows, row);
      g_object_weak_unref (G_OBJECT (row), forget_row, NULL);
    }
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

  indicators = g_list_remove (indicators, self);
  g_clear_object (&self->spec);

  G_OBJECT_CLASS (lean_session_indicator_parent_class)->dispose (object);
}

static void
lean_session_indicator_class_init (LeanSessionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_session_indicator_dispose;
  gtk_widget_class_set_css_name (widget_class, "sessionindicator");
}

static void
lean_session_indicator_init (LeanSessionIndicator *self)
{
  _lean_session_ui_ensure_style ();
  self->state = -1;
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "session-dot");
  indicators = g_list_prepend (indicators, self);
}
