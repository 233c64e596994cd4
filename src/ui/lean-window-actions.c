/* SPDX-License-Identifier: MIT */
/* The window's actions (win.*): what the menus, buttons and shortcuts of a
 * LeanWindow do. */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-dashboard-window.h"
#include "lean-new-spec-dialog.h"
#include "lean-spec-view.h"
#include "lean-window-private.h"

static void
on_chooser_response (LeanWindow           *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        lean_window_open_project (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Open a LeanSpec Project"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (self->project != NULL)
    {
      g_autoptr(GFile) root = g_file_new_for_path (lean_project_get_root (self->project));
      g_autoptr(GFile) parent = g_file_get_parent (root);

      if (parent != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), parent, NULL);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_project_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  lean_window_open_project (LEAN_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
new_spec_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  if (self->store != NULL)
    lean_new_spec_dialog_present (GTK_WINDOW (self), self->store);
}

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LeanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lean_spec_store_load_finish (LEAN_SPEC_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _lean_window_show_error_toast (self, _("Could not reload the specs: %s"), error);
      return;
    }
  lean_window_add_toast (self, adw_toast_new (_("Specs reloaded")));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  if (self->store != NULL)
    lean_spec_store_load_async (self->store, self->cancellable, reload_cb, g_object_ref (self));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  lean_spec_list_focus_search (self->spec_list);
}

static void
filter_status_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);
  int status = g_variant_get_int32 (param);

  if (status > LEAN_SPEC_STATUS_NONE && status < LEAN_SPEC_N_STATUSES)
    lean_spec_list_toggle_status (self->spec_list, status);
}

static void
open_spec_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  _lean_window_open_spec (LEAN_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  lean_spec_list_focus_list (self->spec_list);
}

static void
show_problems_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  gtk_toggle_button_set_active (self->problems_button, TRUE);
}

static void
implement_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  _lean_window_implement (LEAN_WINDOW (widget));
}

static void
validate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  _lean_window_validate (LEAN_WINDOW (widget));
}

static void
show_validation_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _lean_window_show_validation (LEAN_WINDOW (widget));
}

static void
save_checks_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  _lean_window_save_checks (LEAN_WINDOW (widget));
}

static void
mark_complete_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);

  /* The spec view knows whether its spec can be completed and offers
   * Undo. */
  if (self->spec_view != NULL)
    gtk_widget_activate_action (self->spec_view, "spec.mark-complete", NULL);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  _lean_window_go_back (LEAN_WINDOW (widget));
}

static void
go_forward_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  _lean_window_go_forward (LEAN_WINDOW (widget));
}

static void
show_session_history_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  _lean_window_show_history (LEAN_WINDOW (widget));
}

static void
dashboard_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  LeanWindow *self = LEAN_WINDOW (widget);
  LeanDashboardWindow *dashboard;

  dashboard = lean_dashboard_window_new (GTK_WINDOW (self),
                                         lean_session_db_get_path (lean_controller_get_db (self->controller)),
                                         self->store);
  gtk_window_present (GTK_WINDOW (dashboard));
}

void
_lean_window_update_actions (LeanWindow *self)
{
  gboolean has_project = self->store != NULL;
  gboolean has_spec = has_project && self->spec_view != NULL &&
                      lean_spec_view_get_spec (LEAN_SPEC_VIEW (self->spec_view)) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-spec", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-view", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.implement", has_spec);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-complete", has_spec);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.validate", has_spec);
  _lean_window_validate_spec_shown (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back", self->back->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-forward", self->forward->len > 0);
}

void
_lean_window_class_actions_init (GtkWidgetClass *widget_class)
{
  static const LeanSpecStatus alt_statuses[] = {
    LEAN_SPEC_STATUS_DRAFT,
    LEAN_SPEC_STATUS_PLANNED,
    LEAN_SPEC_STATUS_IN_PROGRESS,
    LEAN_SPEC_STATUS_COMPLETE,
    LEAN_SPEC_STATUS_ARCHIVED,
  };

  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.open-project", "s", open_project_action);
  gtk_widget_class_install_action (widget_class, "win.new-spec", NULL, new_spec_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.filter-status", "i", filter_status_action);
  gtk_widget_class_install_action (widget_class, "win.open-spec", "s", open_spec_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "win.show-problems", NULL,
                                   show_problems_action);
  gtk_widget_class_install_action (widget_class, "win.implement", NULL, implement_action);
  gtk_widget_class_install_action (widget_class, "win.mark-complete", NULL,
                                   mark_complete_action);
  gtk_widget_class_install_action (widget_class, "win.validate", NULL, validate_action);
  gtk_widget_class_install_action (widget_class, "win.show-validation", NULL,
                                   show_validation_action);
  gtk_widget_class_install_action (widget_class, "win.save-checks", NULL, save_checks_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.go-forward", NULL, go_forward_action);
  gtk_widget_class_install_action (widget_class, "win.dashboard", NULL, dashboard_action);
  gtk_widget_class_install_action (widget_class, "win.show-session-history", NULL,
                                   show_session_history_action);
  /* A toggle: its state is the sessions-shown property. */
  gtk_widget_class_install_property_action (widget_class, "win.show-sessions",
                                            "sessions-shown");

  /* The views; a toggle per view in each header (lean-view-switcher.c). */
  gtk_widget_class_install_property_action (widget_class, "win.show-view", "view");
  {
    static const char * const views[] = { "list", "board", "dependencies", "stats", "projects" };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                           "win.show-view", "s", views[i]);
  }

  /* Alt+1..5 toggle the status filters in board order. */
  for (guint i = 0; i < G_N_ELEMENTS (alt_statuses); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.filter-status", "i", (int) alt_statuses[i]);
}
