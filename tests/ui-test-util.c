/* SPDX-License-Identifier: MIT */
#include "ui-test-util.h"

#include "lean-controller.h"
#include "lean-spec-row.h"

#include <string.h>

#include <glib/gstdio.h>

char *
ui_test_copy_tree (const char *src)
{
  g_autofree char *tmp = test_util_make_tmp_dir ();
  char *dst_path = g_build_filename (tmp, "project", NULL);

  test_util_copy_tree (src, dst_path);
  return dst_path;
}

void
ui_test_remove_tree (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *tmp = g_canonicalize_filename (g_get_tmp_dir (), NULL);
  g_autofree char *canonical = g_canonicalize_filename (parent, NULL);

  /* The tree lives in its own temp dir: remove that too. A tree made by
   * g_dir_make_tmp() sits right in the temp dir: never remove all of it. */
  g_assert_cmpstr (canonical, !=, tmp);
  g_assert_cmpstr (canonical, !=, "/");
  test_util_rm_rf (parent);
}

char *
ui_test_source_path (const char *first,
                     ...)
{
  const char *root = test_util_source_root ();
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *part;
  va_list args;

  g_ptr_array_add (parts, (gpointer) root);
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
ui_test_settle (guint ms)
{
  test_util_wait_until (never, NULL, ms);
}

char *
ui_test_screenshot (GtkWidget  *widget,
                    const char *name)
{
  const char *build = g_getenv ("LEANSPEC_BUILD_ROOT");
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  int width, height;

  /* Let layout, CSS transitions and revealers finish first. */
  ui_test_settle (400);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* The paintable is empty while a relayout is pending: give the frame
   * clock a few more ticks. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint tries = 0; ; tries++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || tries == 50)
        break;
      ui_test_settle (50);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);

  dir = g_build_filename (build != NULL ? build : g_get_tmp_dir (), "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return g_steal_pointer (&path);
}

gboolean
ui_test_find_text (GtkWidget  *root,
                   const char *text)
{
  if (!gtk_widget_get_mapped (root))
    return FALSE;

  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;
  if (ADW_IS_WINDOW_TITLE (root) &&
      g_strcmp0 (adw_window_title_get_title (ADW_WINDOW_TITLE (root)), text) == 0)
    return TRUE;
  if (GTK_IS_EDITABLE (root) && !GTK_IS_TEXT (root) &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (root)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (ui_test_find_text (child, text))
      return TRUE;
  return FALSE;
}

typedef gboolean (*WidgetMatch) (GtkWidget  *widget,
                                  const char *value);

static GtkWidget *
find_widget (GtkWidget   *root,
             WidgetMatch  match,
             const char  *value)
{
  if (gtk_widget_get_mapped (root) && match (root, value))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, value);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_label (GtkWidget  *widget,
          const char *text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_button (GtkWidget  *widget,
           const char *label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
has_tooltip (GtkWidget  *widget,
             const char *tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

GtkWidget *
ui_test_find_label (GtkWidget  *root,
                    const char *text)
{
  return find_widget (root, is_label, text);
}

gboolean
ui_test_find_label_prefix (GtkWidget  *root,
                           const char *prefix)
{
  if (!gtk_widget_get_mapped (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ui_test_find_label_prefix (child, prefix))
      return TRUE;
  return FALSE;
}

GtkWidget *
ui_test_find_button (GtkWidget  *root,
                     const char *label)
{
  return find_widget (root, is_button, label);
}

GtkWidget *
ui_test_find_tooltip (GtkWidget  *root,
                      const char *tooltip)
{
  return find_widget (root, has_tooltip, tooltip);
}

void
ui_test_write_file (const char *path,
                    const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A notification server on the test's session bus: GLib's GNotification
 * uses org.gtk.Notifications when that name has an owner. */
static GPtrArray *notifications;

static const char notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/>"
  "<arg type='s' direction='in'/></method>"
  "</interface></node>";

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (parameters, 2);
      const char *title = NULL, *body = NULL, *action = NULL;

      g_variant_lookup (dict, "title", "&s", &title);
      g_variant_lookup (dict, "body", "&s", &body);
      g_variant_lookup (dict, "default-action", "&s", &action);
      g_ptr_array_add (notifications, g_strdup_printf ("%s: %s [%s]", title, body ? body : "",
                                                       action ? action : ""));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

GPtrArray *
ui_test_start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  notifications = g_ptr_array_new_with_free_func (g_free);
  g_dbus_connection_register_object (bus, "/org/gtk/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.gtk.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  return notifications;
}

GtkWidget *
ui_test_find_widget (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* not ours */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

gboolean
ui_test_no_live_sessions (gpointer controller)
{
  return lean_controller_get_n_live (controller) == 0;
}

void
ui_test_stop_sessions (LeanController *controller,
                       guint           timeout_ms)
{
  lean_controller_cancel_all (controller, "test over");
  g_assert_true (test_util_wait_until (ui_test_no_live_sessions, controller, timeout_ms));
}

void
ui_test_close_sessions (LeanController **controller,
                        LeanSessionDb  **db)
{
  g_clear_object (controller);
  if (*db != NULL)
    lean_session_db_close (*db);
  g_clear_object (db);
}

gboolean
ui_test_notification_arrived (gpointer needle)
{
  for (guint i = 0; notifications != NULL && i < notifications->len; i++)
    if (strstr (g_ptr_array_index (notifications, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

GtkWidget *
ui_test_find_spec_row (GtkWidget  *root,
                       const char *spec)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (LEAN_IS_SPEC_ROW (root) && lean_spec_row_get_spec (LEAN_SPEC_ROW (root)) != NULL)
    {
      LeanSpec *shown = lean_spec_row_get_spec (LEAN_SPEC_ROW (root));

      if (g_strcmp0 (lean_spec_get_id (shown), spec) == 0 ||
          g_strcmp0 (lean_spec_get_title (shown), spec) == 0)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = ui_test_find_spec_row (child, spec);

      if (row != NULL)
        return row;
    }
  return NULL;
}

typedef struct
{
  LeanImplementDialog *dialog;
  const char          *id;
} AgentChoice;

static gboolean
agent_selected (gpointer data)
{
  AgentChoice *choice = data;

  return lean_implement_dialog_select_agent (choice->dialog, choice->id);
}

gboolean
ui_test_select_agent (LeanImplementDialog *dialog,
                      const char          *id)
{
  AgentChoice choice = { dialog, id };

  return test_util_wait_until (agent_selected, &choice, 15000);
}

GtkWidget *
ui_test_find_named (GtkWidget  *root,
                    const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ui_test_find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}
