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
