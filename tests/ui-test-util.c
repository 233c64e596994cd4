/* SPDX-License-Identifier: MIT */
#include "ui-test-util.h"

#include <glib/gstdio.h>

static void
copy_dir (GFile *src,
          GFile *dst)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;

  g_file_make_directory_with_parents (dst, NULL, NULL);
  children = g_file_enumerate_children (src, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);

  while ((info = g_file_enumerator_next_file (children, NULL, &error)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autoptr(GFile) from = g_file_get_child (src, g_file_info_get_name (info));
      g_autoptr(GFile) to = g_file_get_child (dst, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        copy_dir (from, to);
      else
        {
          g_file_copy (from, to, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
        }
    }
  g_assert_no_error (error);
}

char *
ui_test_copy_tree (const char *src)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("leanspec-ui-XXXXXX", &error);
  g_autofree char *dst_path = NULL;
  g_autoptr(GFile) from = g_file_new_for_path (src);
  g_autoptr(GFile) to = NULL;

  g_assert_no_error (error);
  dst_path = g_build_filename (tmp, "project", NULL);
  to = g_file_new_for_path (dst_path);
  copy_dir (from, to);
  return g_steal_pointer (&dst_path);
}

static void
remove_recursive (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFileInfo) owned = info;
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          remove_recursive (child);
        }
    }
  g_file_delete (file, NULL, NULL);
}

void
ui_test_remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (file);

  /* The tree lives in its own temp dir: remove that too. */
  remove_recursive (parent);
}

char *
ui_test_source_path (const char *first,
                     ...)
{
  const char *root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *fallback = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *part;
  va_list args;

  if (root == NULL)
    root = fallback = g_test_build_filename (G_TEST_DIST, "..", NULL);

  g_ptr_array_add (parts, (gpointer) root);
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}

static gboolean
wake_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ui_test_wait_until (gboolean (*cond) (gpointer data),
                    gpointer   data,
                    guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      gboolean ticked = FALSE;
      guint id;

      if (g_get_monotonic_time () > deadline)
        return cond (data);
      /* Never block longer than 20 ms so the deadline is honoured. */
      id = g_timeout_add (20, wake_up, &ticked);
      g_main_context_iteration (NULL, TRUE);
      if (!ticked)
        g_source_remove (id);
    }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
ui_test_settle (guint ms)
{
  ui_test_wait_until (never, NULL, ms);
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
