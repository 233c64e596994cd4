/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-file.h"
#include "lean-spec-view-private.h"

/* The files of a spec beyond its README (DESIGN.md, TESTING.md, ...): one
 * page each in the files stack, a tab strip that scrolls sideways instead
 * of widening the window, and past a handful of files a menu of them all. */

/* More files than this get the menu too: a strip that must be scrolled
 * to find a file is slow to use with a pointer. */
#define MANY_FILES 5

static void
on_subspec_task_toggled (LeanMarkdownView *view,
                         guint             line,
                         gboolean          checked,
                         LeanSpecView     *self)
{
  const char *file = g_object_get_data (G_OBJECT (view), "lean-file");
  guint offset = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (view), "lean-line-offset"));

  if (self->spec == NULL)
    return;
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_task (file, line + offset, checked), NULL);
}

static void
update_files_menu (LeanSpecView       *self,
                   const char * const *subs)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  guint n = g_strv_length ((char **) subs);

  if (n > 0)
    {
      g_autoptr(GMenuItem) readme = g_menu_item_new ("README", NULL);

      g_menu_item_set_action_and_target (readme, "spec.show-file", "s", "README.md");
      g_menu_append_item (menu, readme);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup (subs[i]);
      g_autoptr(GMenuItem) item = NULL;

      if (g_str_has_suffix (title, ".md"))
        title[strlen (title) - 3] = '\0';
      item = g_menu_item_new (title, NULL);
      g_menu_item_set_action_and_target (item, "spec.show-file", "s", subs[i]);
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->files_menu_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->files_menu_button), n + 1 > MANY_FILES);
}

/* Sub-spec files: one page each, loaded asynchronously. */

typedef struct
{
  LeanSpecView     *self;
  LeanMarkdownView *view;
} SubspecLoad;

/* A sub-spec shown here is read like one sent to an agent: only inside the
 * project, and no more than the view shows (it says where it cut; the rest
 * is left for an editor). A few bytes over, so what is left after dropping
 * a character cut in two is still over and the view says so. */
#define MAX_SUBSPEC_VIEW (LEAN_MARKDOWN_VIEW_MAX_SHOWN + 16)

typedef struct
{
  char     *root;
  char     *path;
  gboolean  cut;   /* set by the thread: the file is longer than was read */
} SubspecRead;

static void
subspec_read_free (gpointer data)
{
  SubspecRead *read = data;

  g_free (read->root);
  g_free (read->path);
  g_free (read);
}

static void
subspec_read_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SubspecRead *read = task_data;
  GError *error = NULL;
  GBytes *bytes = lean_file_read_in_project (read->root, read->path, MAX_SUBSPEC_VIEW,
                                             &read->cut, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
subspec_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SubspecLoad *load = user_data;
  SubspecRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (bytes != NULL)
    {
      contents = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      len = strlen (contents);
      /* The cut may fall inside a character: drop its first bytes rather
       * than call the whole file invalid. */
      if (read->cut)
        {
          const char *end = NULL;

          if (!g_utf8_validate (contents, len, &end) && len - (gsize)(end - contents) < 4)
            {
              len = end - contents;
              contents[len] = '\0';
            }
        }
    }
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf ("*%s*", error->message);

          lean_markdown_view_set_markdown (load->view, text);
        }
    }
  else if (!g_utf8_validate (contents, len, NULL))
    lean_markdown_view_set_markdown (load->view, _("*This file is not valid UTF-8 text.*"));
  else
    {
      const char *body = contents;
      guint offset = 0;

      /* Sub-spec files may have their own front matter: skip it, and count
       * its lines so task lines still map to the file. */
      if (g_str_has_prefix (contents, "---\n") || g_str_has_prefix (contents, "---\r\n"))
        {
          const char *end = strstr (contents + 3, "\n---");

          if (end != NULL)
            {
              const char *after = strchr (end + 4, '\n');

              body = after != NULL ? after + 1 : end + 4;
              for (const char *p = contents; p < body; p++)
                if (*p == '\n')
                  offset++;
            }
        }

      g_object_set_data (G_OBJECT (load->view), "lean-line-offset", GUINT_TO_POINTER (offset));
      lean_markdown_view_set_markdown (load->view, body);
    }

  g_object_unref (load->view);
  g_object_unref (load->self);
  g_free (load);
}

void
_lean_spec_view_update_files (LeanSpecView *self,
                              LeanSpec     *spec)
{
  const char * const *subs = lean_spec_get_sub_specs (spec);
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->files_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *name = gtk_stack_page_get_name (gtk_stack_get_page (self->files_stack, child));

      if (g_strcmp0 (name, "README.md") != 0 && !g_strv_contains (subs, name))
        g_ptr_array_add (stale, child);
    }
  for (guint i = 0; i < stale->len; i++)
    gtk_stack_remove (self->files_stack, g_ptr_array_index (stale, i));

  for (guint i = 0; subs[i] != NULL; i++)
    {
      GtkWidget *view = gtk_stack_get_child_by_name (self->files_stack, subs[i]);
      g_autofree char *path = g_build_filename (lean_spec_get_dir (spec), subs[i], NULL);
      g_autoptr(GTask) task = NULL;
      SubspecRead *read;
      SubspecLoad *load;

      if (view == NULL)
        {
          g_autofree char *title = NULL;

          title = g_strdup (subs[i]);
          if (g_str_has_suffix (title, ".md"))
            title[strlen (title) - 3] = '\0';

          view = lean_markdown_view_new ();
          g_object_set_data_full (G_OBJECT (view), "lean-file", g_strdup (subs[i]), g_free);
          g_signal_connect_object (view, "task-toggled", G_CALLBACK (on_subspec_task_toggled), self, 0);
          g_signal_connect_object (view, "activate-link", G_CALLBACK (_lean_spec_view_on_markdown_link), self, 0);
          gtk_stack_add_titled (self->files_stack, view, subs[i], title);
        }

      load = g_new0 (SubspecLoad, 1);
      load->self = g_object_ref (self);
      load->view = g_object_ref (LEAN_MARKDOWN_VIEW (view));
      read = g_new0 (SubspecRead, 1);
      read->root = _lean_spec_view_dup_project_root (self, spec);
      read->path = g_steal_pointer (&path);
      task = g_task_new (NULL, self->cancellable, subspec_loaded, load);
      g_task_set_task_data (task, read, subspec_read_free);
      g_task_run_in_thread (task, subspec_read_thread);
    }

  gtk_widget_set_visible (self->files_bar, subs[0] != NULL);
  update_files_menu (self, subs);
}

/* The store follows README.md; the other files of the shown spec are
 * watched here so an edit to DESIGN.md shows without a restart too. */
static gboolean
reload_subspecs_cb (gpointer data)
{
  LeanSpecView *self = data;

  self->subspec_reload_id = 0;
  if (self->spec != NULL)
    _lean_spec_view_update_files (self, self->spec);
  return G_SOURCE_REMOVE;
}

static gboolean
is_subspec_name (const char *name)
{
  return name != NULL && g_str_has_suffix (name, ".md") && !g_str_equal (name, "README.md");
}

static void
on_dir_changed (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other,
                GFileMonitorEvent  event,
                LeanSpecView      *self)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other_name = other != NULL ? g_file_get_basename (other) : NULL;

  /* Atomic saves arrive as a rename of a temp file onto the name. */
  if (!is_subspec_name (name) && !is_subspec_name (other_name))
    return;

  /* Editors write in bursts (temp file, rename, chmod): settle first. */
  g_clear_handle_id (&self->subspec_reload_id, g_source_remove);
  self->subspec_reload_id = g_timeout_add (250, reload_subspecs_cb, self);
}

void
_lean_spec_view_watch_dir (LeanSpecView *self,
                           LeanSpec     *spec)
{
  const char *dir = spec != NULL ? lean_spec_get_dir (spec) : NULL;
  g_autoptr(GFile) file = NULL;

  if (g_strcmp0 (dir, self->monitored_dir) == 0)
    return;

  if (self->dir_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->dir_monitor, on_dir_changed, self);
      g_file_monitor_cancel (self->dir_monitor);
      g_clear_object (&self->dir_monitor);
    }
  g_clear_handle_id (&self->subspec_reload_id, g_source_remove);
  g_free (self->monitored_dir);
  self->monitored_dir = g_strdup (dir);

  if (dir == NULL)
    return;

  file = g_file_new_for_path (dir);
  /* Without a monitor (some network mounts) the pages just do not refresh. */
  self->dir_monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->dir_monitor != NULL)
    g_signal_connect (self->dir_monitor, "changed", G_CALLBACK (on_dir_changed), self);
}

static void
show_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (gtk_stack_get_child_by_name (self->files_stack, name) != NULL)
    gtk_stack_set_visible_child_name (self->files_stack, name);
}

/* The tab of the file on screen scrolls into the strip's view, whether it
 * was picked from the menu or by a link. */
static void
on_visible_file_changed (LeanSpecView *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->files_stack);
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->files_switcher), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;
  GtkWidget *button;
  graphene_point_t point;
  int index = 0;

  if (visible == NULL || scroller == NULL)
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->files_stack));
       child != NULL && child != visible;
       child = gtk_widget_get_next_sibling (child))
    index++;
  button = gtk_widget_get_first_child (GTK_WIDGET (self->files_switcher));
  while (button != NULL && index-- > 0)
    button = gtk_widget_get_next_sibling (button);
  if (button == NULL ||
      !gtk_widget_compute_point (button, GTK_WIDGET (self->files_switcher), &GRAPHENE_POINT_INIT (0, 0), &point))
    return;

  adj = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_clamp_page (adj, point.x, point.x + gtk_widget_get_width (button));
}

void
_lean_spec_view_files_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "spec.show-file", "s", show_file_action);
}

void
_lean_spec_view_files_init (LeanSpecView *self)
{
  g_signal_connect_object (self->files_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_file_changed), self, G_CONNECT_SWAPPED);
}
