/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-markdown-link.h"
#include "lean-markdown-view.h"
#include "lean-spec-view.h"
#include "lean-spec-view-private.h"
#include "lean-window.h"

/* The view shows one LeanSpec snapshot and follows the store. A change a
 * person makes here is described as a LeanSpecEdit and applied by the store
 * (one spec at a time, off the main loop, through the writer); the written
 * snapshot comes back through the store's items-changed, as an external
 * edit would, and the view offers Undo for it in a toast. */


G_DEFINE_FINAL_TYPE (LeanSpecView, lean_spec_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_SPEC,
  SPEC_COMPLETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_spec (LeanSpecView *self,
                       LeanSpec     *spec,
                       gboolean      keep_scroll);

/* Toasts */

/* Takes @toast (adw_toast_overlay_add_toast is transfer full). */
static void
add_toast (LeanSpecView *self,
           AdwToast     *toast)
{
  GtkWidget *overlay;

  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_set_object (&self->last_toast, toast);

  /* The window's overlay when there is one, so toasts sit where the rest of
   * the app shows them; our own otherwise (tests, other embedders). */
  if (LEAN_IS_WINDOW (root))
    {
      lean_window_add_toast (LEAN_WINDOW (root), toast);
      return;
    }
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    overlay = GTK_WIDGET (self->toast_overlay);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/* Edits */

static void start_complete (LeanSpecView *self,
                            gboolean      force);

static void
reload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LeanSpecView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lean_spec_store_load_finish (LEAN_SPEC_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not reload the specs: %s", error->message);
  self->pending_writes--;
}

/* After a refused write: read the files again, as they are now. */
static void
on_reload_clicked (AdwToast     *toast,
                   LeanSpecView *self)
{
  if (self->store == NULL)
    return;
  self->pending_writes++;
  lean_spec_store_load_async (self->store, NULL, reload_done, g_object_ref (self));
}

typedef struct
{
  LeanSpecView     *self;
  LeanSpecEditKind  kind;
  char             *done_title;
} EditCall;

static void
edit_call_free (EditCall *call)
{
  g_object_unref (call->self);
  g_free (call->done_title);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EditCall, edit_call_free)

static void
on_undo_clicked (AdwToast     *toast,
                 LeanSpecView *self)
{
  LeanSpecEdit *undo = g_object_get_data (G_OBJECT (toast), "lean-undo");

  /* The spec the toast is about, even if another one is shown now; the
   * store checks the file is still what the edit wrote. */
  _lean_spec_view_apply_edit (self, lean_spec_edit_get_expected (undo), lean_spec_edit_ref (undo), NULL);
}

static void
show_error_toast (LeanSpecView *self,
                  const GError *error)
{
  AdwToast *toast = NULL;
  g_autofree char *title = NULL;

  title = g_markup_escape_text (error->message, -1);
  toast = adw_toast_new (title);
  /* Errors stay long enough to read. */
  adw_toast_set_timeout (toast, 8);

  /* A concurrent edit: the way forward is to look at the file as it is. */
  if (g_error_matches (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK))
    {
      adw_toast_set_timeout (toast, 0);
      adw_toast_set_button_label (toast, _("_Reload"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_reload_clicked), self, 0);
    }
  add_toast (self, toast);
}

static void
on_complete_response (AdwMessageDialog *dialog,
                      const char       *response,
                      LeanSpecView     *self)
{
  if (self->complete_dialog == dialog)
    self->complete_dialog = NULL;

  if (g_strcmp0 (response, "force") == 0)
    start_complete (self, TRUE);
}

/* What is still open, as a short list a person can scan. Returns the
 * list and sets @summary to one sentence; NULL when the snapshot shows
 * nothing open (the core's message is used then). */
static char *
describe_open_items (LeanSpecView  *self,
                     LeanSpec      *spec,
                     char         **summary)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *tasks_part = NULL;
  g_autofree char *children_part = NULL;
  guint n_tasks = lean_markdown_view_get_n_tasks (self->readme_view);
  guint n_open = 0;
  guint n_children = 0;

  /* The README as rendered is @spec (the dialog follows a failed write of
   * the snapshot on screen). */
  for (guint i = 0; i < n_tasks; i++)
    {
      if (!lean_markdown_view_get_task_checked (self->readme_view, i))
        {
          g_autofree char *escaped = g_markup_escape_text (lean_markdown_view_get_task_text (self->readme_view, i), -1);

          if (++n_open <= 8)
            g_string_append_printf (list, "☐  %s\n", escaped);
        }
    }
  if (n_open > 8)
    g_string_append_printf (list, _("…and %u more\n"), n_open - 8);

  if (self->store != NULL)
    {
      g_autoptr(GPtrArray) specs = lean_spec_store_dup_specs (self->store);
      g_autoptr(GPtrArray) children = lean_project_get_children (lean_spec_store_get_project (self->store),
                                                                 specs, spec);

      for (guint i = 0; children != NULL && i < children->len; i++)
        {
          LeanSpec *child = g_ptr_array_index (children, i);
          LeanSpecStatus status = lean_spec_get_status (child);
          g_autofree char *line = NULL;

          if (status == LEAN_SPEC_STATUS_COMPLETE || status == LEAN_SPEC_STATUS_ARCHIVED)
            continue;
          line = g_markup_printf_escaped ("%s<b>%03u</b>  %s  <span alpha=\"60%%\">%s</span>\n",
                                          n_children++ == 0 && list->len > 0 ? "\n" : "",
                                          lean_spec_get_number (child),
                                          lean_spec_get_title (child),
                                          status == LEAN_SPEC_STATUS_NONE ? _("No Status")
                                                                          : lean_spec_status_get_label (status));
          g_string_append (list, line);
        }
    }

  if (list->len == 0)
    return NULL;

  if (n_open > 0)
    tasks_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u checklist item is open",
                                               "%u checklist items are open", n_open), n_open);
  if (n_children > 0)
    children_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u child spec is not complete",
                                                  "%u child specs are not complete", n_children),
                                     n_children);
  if (tasks_part != NULL && children_part != NULL)
    /* Translators: "2 checklist items are open and 1 child spec is not complete." */
    *summary = g_strdup_printf (_("%s and %s."), tasks_part, children_part);
  else
    *summary = g_strdup_printf ("%s.", tasks_part != NULL ? tasks_part : children_part);

  g_string_truncate (list, list->len - 1);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

static void
show_incomplete_dialog (LeanSpecView *self,
                        const GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  g_autofree char *list = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *heading = NULL;

  if (self->spec != NULL)
    {
      list = describe_open_items (self, self->spec, &summary);
      heading = g_strdup_printf (_("Complete “%s”?"), lean_spec_get_title (self->spec));
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading != NULL ? heading : _("Complete Anyway?"),
                                                       NULL));
  if (list != NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      adw_message_dialog_set_body (dialog, summary);
      gtk_label_set_markup (GTK_LABEL (label), list);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
      gtk_widget_add_css_class (label, "open-items");
      adw_message_dialog_set_extra_child (dialog, label);
    }
  else
    /* The core's message lists the same, in one sentence. */
    adw_message_dialog_set_body (dialog, error->message);

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "force", _("Complete _Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "force", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_complete_response), self, 0);

  self->complete_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}


static void
edit_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EditCall) call = user_data;
  LeanSpecView *self = call->self;
  g_autoptr(LeanSpecEdit) undo = NULL;
  g_autoptr(LeanSpec) written = NULL;
  g_autoptr(GError) error = NULL;

  written = lean_spec_store_edit_finish (LEAN_SPEC_STORE (source), result, &undo, &error);
  g_assert (self->pending_writes > 0);
  self->pending_writes--;

  /* The view went away meanwhile (its window closed). */
  if (self->store == NULL)
    return;

  if (written == NULL)
    {
      if (call->kind == LEAN_SPEC_EDIT_COMPLETE && g_error_matches (error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE))
        show_incomplete_dialog (self, error);
      else
        show_error_toast (self, error);

      /* Put the controls back to what the file says. */
      if (self->spec != NULL)
        show_spec (self, self->spec, TRUE);
      return;
    }

  /* Mark Complete went through: the window shows what it took and what
   * comes next. */
  if (call->kind == LEAN_SPEC_EDIT_COMPLETE)
    g_signal_emit (self, signals[SPEC_COMPLETED], 0, written);

  if (call->kind == LEAN_SPEC_EDIT_RESTORE)
    add_toast (self, adw_toast_new (_("Change undone")));
  else if (undo != NULL && call->done_title != NULL)
    {
      g_autofree char *title = g_markup_escape_text (call->done_title, -1);
      AdwToast *toast = adw_toast_new (title);

      adw_toast_set_button_label (toast, _("_Undo"));
      /* The newest edit's Undo shows at once, not after older toasts. */
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_object_set_data_full (G_OBJECT (toast), "lean-undo", g_steal_pointer (&undo),
                              (GDestroyNotify) lean_spec_edit_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
      add_toast (self, toast);
    }
}

void
_lean_spec_view_apply_edit (LeanSpecView *self,
                            LeanSpec     *spec,
                            LeanSpecEdit *edit,
                            const char   *done_title)
{
  EditCall *call;

  if (self->store == NULL || spec == NULL)
    {
      lean_spec_edit_unref (edit);
      return;
    }

  call = g_new0 (EditCall, 1);
  call->self = g_object_ref (self);
  call->kind = lean_spec_edit_get_kind (edit);
  call->done_title = g_strdup (done_title);
  self->pending_writes++;
  lean_spec_store_edit_async (self->store, spec, edit, NULL, edit_done, call);
  lean_spec_edit_unref (edit);
}

static void
start_complete (LeanSpecView *self,
                gboolean      force)
{
  g_return_if_fail (self->spec != NULL);

  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_complete (force),
                              _("Spec marked complete"));
}

/* Actions */

static void
mark_complete_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);

  if (self->spec != NULL)
    start_complete (self, FALSE);
}

static void
open_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LeanSpecView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      AdwToast *toast = NULL;
      g_autofree char *title = g_markup_printf_escaped (_("Could not open the editor: %s"),
                                                        error->message);

      toast = adw_toast_new (title);
      add_toast (self, toast);
    }
}

static void
launch_file (LeanSpecView *self,
             const char   *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GAppLaunchContext) context = NULL;

  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, open_done, g_object_ref (self));
}

static void
open_in_editor_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);
  const char *page;
  g_autofree char *path = NULL;

  if (self->spec == NULL)
    return;

  /* The file on screen: README or the sub-spec page that is open. */
  page = gtk_stack_get_visible_child_name (self->files_stack);
  if (page == NULL || g_strcmp0 (page, "README.md") == 0)
    path = g_strdup (lean_spec_get_readme_path (self->spec));
  else
    path = g_build_filename (lean_spec_get_dir (self->spec), page, NULL);

  launch_file (self, path);
}

/* Status and priority: string properties behind stateful "spec.status" and
 * "spec.priority" actions, so the menus show radio marks. */

/* Stores a value picked in a menu (or set on the property); TRUE when it
 * changed while a spec is shown and not being loaded, so it must be written. */
static gboolean
take_menu_value (LeanSpecView  *self,
                 char         **field,
                 const char    *value,
                 guint          prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return !self->updating && self->spec != NULL;
}

static void
set_status_from_user (LeanSpecView *self,
                      const char   *value)
{
  LeanSpecStatus status;
  g_autofree char *done = NULL;

  if (!take_menu_value (self, &self->status, value, PROP_STATUS))
    return;
  if (!lean_spec_status_from_string (value, &status) || status == lean_spec_get_status (self->spec))
    return;

  /* "Complete" from the menu is Mark Complete: the same checks, dialog
   * and Undo as the header button. */
  if (status == LEAN_SPEC_STATUS_COMPLETE)
    {
      start_complete (self, FALSE);
      return;
    }

  /* Archiving is a status too; it gets the same Undo. */
  done = status == LEAN_SPEC_STATUS_ARCHIVED
         ? g_strdup (_("Spec archived"))
         : g_strdup_printf (_("Status changed to %s"), lean_spec_status_get_label (status));
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_status (status), done);
}

static void
set_priority_from_user (LeanSpecView *self,
                        const char   *value)
{
  LeanSpecPriority priority;
  g_autofree char *done = NULL;

  if (!take_menu_value (self, &self->priority, value, PROP_PRIORITY))
    return;
  if (!lean_spec_priority_from_string (value, &priority) || priority == lean_spec_get_priority (self->spec))
    return;

  done = g_strdup_printf (_("Priority changed to %s"), lean_spec_priority_get_label (priority));
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_priority (priority), done);
}

/* Tasks and links */

static void
on_readme_task_toggled (LeanMarkdownView *view,
                        guint             line,
                        gboolean          checked,
                        LeanSpecView     *self)
{
  /* cmark counts lines in the body, as the edit does. */
  if (self->spec != NULL)
    _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_task ("README.md", line, checked), NULL);
}

/* "042-foo", "../042-foo", "../042-foo/README.md" -> "042-foo" if such a
 * spec is loaded. */
static const char *
spec_id_from_link (LeanSpecView *self,
                   const char   *url)
{
  g_auto(GStrv) parts = NULL;

  if (self->store == NULL)
    return NULL;

  parts = g_strsplit (url, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      LeanSpec *spec;

      if (parts[i][0] == '\0' || g_str_equal (parts[i], "..") || g_str_equal (parts[i], "."))
        continue;
      spec = lean_spec_store_lookup (self->store, parts[i]);
      if (spec != NULL)
        return lean_spec_get_id (spec);
    }
  return NULL;
}

typedef struct
{
  LeanSpecView *self;
  char         *id;     /* a spec to open, or */
  char         *file;   /* one of this spec's file pages to show */
} OpenLater;

static gboolean
open_later_idle (gpointer data)
{
  OpenLater *later = data;

  if (later->id != NULL)
    g_signal_emit (later->self, signals[OPEN_SPEC], 0, later->id);
  else if (gtk_stack_get_child_by_name (later->self->files_stack, later->file) != NULL)
    gtk_stack_set_visible_child_name (later->self->files_stack, later->file);
  return G_SOURCE_REMOVE;
}

static void
open_later_free (gpointer data)
{
  OpenLater *later = data;

  g_object_unref (later->self);
  g_free (later->id);
  g_free (later->file);
  g_free (later);
}

/* Opening a spec replaces the text and the relations label, and showing
 * another file page unmaps the text, so neither may happen inside the
 * click that activated a link there: GTK's label and text view still use
 * the old links and their gesture after the handler returns (a real click
 * crashed; one that switched pages drew a header without its size). The
 * click finishes first. */
static void
open_later (LeanSpecView *self,
            const char   *id,
            const char   *file)
{
  OpenLater *later = g_new0 (OpenLater, 1);

  later->self = g_object_ref (self);
  later->id = g_strdup (id);
  later->file = g_strdup (file);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, open_later_idle, later, open_later_free);
}

static void
open_spec_later (LeanSpecView *self,
                 const char   *id)
{
  open_later (self, id, NULL);
}

gboolean
_lean_spec_view_on_markdown_link (LeanMarkdownView *view,
                                  const char       *url,
                                  LeanSpecView     *self)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  const char *id;

  if (scheme != NULL || self->spec == NULL || url[0] == '#')
    return scheme == NULL; /* anchors: nothing to do; URLs: the view opens them */

  /* A sibling sub-spec file opens its page. */
  path = g_strdup (url);
  if (strchr (path, '#') != NULL)
    *strchr (path, '#') = '\0';
  name = g_path_get_basename (path);
  if (strchr (path, '/') == NULL || g_str_has_prefix (path, "./"))
    {
      if (gtk_stack_get_child_by_name (self->files_stack, name) != NULL)
        {
          open_later (self, NULL, name);
          return TRUE;
        }
    }

  id = spec_id_from_link (self, path);
  if (id != NULL && g_strcmp0 (id, lean_spec_get_id (self->spec)) != 0)
    {
      open_spec_later (self, id);
      return TRUE;
    }

  /* Anything else is a file next to the spec: opened at once only when it
   * is inside the project (a link to ../../.ssh asks first). */
  {
    g_autofree char *full = g_build_filename (lean_spec_get_dir (self->spec), path, NULL);
    g_autoptr(GFile) file = g_file_new_for_path (full);
    g_autofree char *canonical = g_file_get_path (file);
    g_autofree char *root = _lean_spec_view_dup_project_root (self, self->spec);

    if (lean_file_is_in_project (root, canonical))
      launch_file (self, canonical);
    else
      {
        g_autofree char *uri = g_file_get_uri (file);

        lean_markdown_open_uri (GTK_WIDGET (self), uri, TRUE);
      }
  }
  return TRUE;
}

/* The project root of @spec: its folder less the folder part of its path
 * relative to the root. */
char *
_lean_spec_view_dup_project_root (LeanSpecView *self,
                                  LeanSpec     *spec)
{
  g_autofree char *rel_dir = NULL;
  const char *dir = lean_spec_get_dir (spec);
  gsize dir_len, rel_len;

  if (self->store != NULL)
    return g_strdup (lean_project_get_root (lean_spec_store_get_project (self->store)));
  rel_dir = g_path_get_dirname (lean_spec_get_rel_path (spec));
  dir_len = strlen (dir);
  rel_len = strlen (rel_dir);
  if (rel_len < dir_len && g_str_has_suffix (dir, rel_dir) && dir[dir_len - rel_len - 1] == '/')
    return g_strndup (dir, dir_len - rel_len - 1);
  return g_path_get_dirname (dir);
}

static gboolean
on_relation_activated (GtkLabel     *label,
                       const char   *uri,
                       LeanSpecView *self)
{
  if (g_str_has_prefix (uri, "spec:"))
    {
      open_spec_later (self, uri + strlen ("spec:"));
      return TRUE;
    }
  return FALSE;
}

/* Showing a spec */

static void
append_spec_link (GString    *out,
                  LeanSpec   *spec,
                  const char *fallback)
{
  if (spec != NULL)
    {
      g_autofree char *text = g_markup_printf_escaped ("<a href=\"spec:%s\">%03u %s</a>",
                                                       lean_spec_get_id (spec),
                                                       lean_spec_get_number (spec),
                                                       lean_spec_get_title (spec));
      g_string_append (out, text);
    }
  else
    {
      /* A reference to nothing we know: say so rather than hide it. */
      g_autofree char *text = g_markup_printf_escaped ("%s <span alpha=\"60%%\">(%s)</span>",
                                                       fallback, _("not found"));
      g_string_append (out, text);
    }
}

static LeanSpec *
resolve_ref (LeanSpecView *self,
             GPtrArray    *specs,
             const char   *ref)
{
  LeanSpec *spec;

  if (self->store == NULL)
    return NULL;
  spec = lean_spec_store_lookup (self->store, ref);
  if (spec == NULL)
    spec = lean_project_find_spec (lean_spec_store_get_project (self->store), specs, ref, NULL);
  return spec;
}

static void
replace_relations_label (LeanSpecView *self,
                         const char   *markup)
{
  GtkWidget *old = GTK_WIDGET (self->relations_label);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, gtk_widget_get_margin_top (old));
  gtk_widget_add_css_class (label, "spec-page-relations");
  gtk_label_set_markup (GTK_LABEL (label), markup);
  g_signal_connect_object (label, "activate-link", G_CALLBACK (on_relation_activated), self, 0);

  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (old)), label, old);
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (old)), old);
  self->relations_label = GTK_LABEL (label);
}

static void
update_relations (LeanSpecView *self,
                  LeanSpec     *spec)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) children = NULL;
  const char * const *depends = lean_spec_get_depends_on (spec);
  const char *parent = lean_spec_get_parent (spec);

  if (self->store != NULL)
    {
      specs = lean_spec_store_dup_specs (self->store);
      children = lean_project_get_children (lean_spec_store_get_project (self->store), specs, spec);
    }
  else
    specs = g_ptr_array_new_with_free_func (g_object_unref);

  if (parent != NULL && *parent != '\0')
    {
      g_string_append_printf (markup, "<b>%s</b>  ", _("Parent"));
      append_spec_link (markup, resolve_ref (self, specs, parent), parent);
    }

  if (depends[0] != NULL)
    {
      if (markup->len > 0)
        g_string_append_c (markup, '\n');
      g_string_append_printf (markup, "<b>%s</b>  ", _("Depends on"));
      for (guint i = 0; depends[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (markup, ",  ");
          append_spec_link (markup, resolve_ref (self, specs, depends[i]), depends[i]);
        }
    }

  if (children != NULL && children->len > 0)
    {
      if (markup->len > 0)
        g_string_append_c (markup, '\n');
      g_string_append_printf (markup, "<b>%s</b>  ", _("Children"));
      for (guint i = 0; i < children->len; i++)
        {
          if (i > 0)
            g_string_append (markup, ",  ");
          append_spec_link (markup, g_ptr_array_index (children, i), NULL);
        }
    }

  /* A new label each time: GTK 4.8 draws the links of a label whose markup
   * is replaced after one of its links was clicked in the text colour. */
  if (g_strcmp0 (gtk_label_get_label (self->relations_label), markup->str) != 0)
    replace_relations_label (self, markup->str);
  gtk_widget_set_visible (GTK_WIDGET (self->relations_label), markup->len > 0);
}

/* "2025-11-03T10:12:44.123Z" -> "3 Nov 2025"; anything else as written. */
static char *
format_date (const char *value)
{
  g_autoptr(GDateTime) dt = NULL;

  if (value == NULL || *value == '\0')
    return NULL;

  dt = g_date_time_new_from_iso8601 (value, NULL);
  if (dt == NULL && strlen (value) == 10)
    {
      g_autofree char *midnight = g_strconcat (value, "T00:00:00Z", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, NULL);
    }
  if (dt == NULL)
    return g_strdup (value);

  return g_date_time_format (dt, "%-d %b %Y");
}

static void
update_meta (LeanSpecView *self,
             LeanSpec     *spec)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *created = format_date (lean_spec_get_created (spec));
  g_autofree char *updated = format_date (lean_spec_get_updated_at (spec));
  g_autofree char *completed = format_date (lean_spec_get_completed_at (spec));
  g_autofree char *markup = NULL;

  _lean_spec_view_update_assignee (self, spec);
  if (created != NULL)
    g_ptr_array_add (parts, g_markup_printf_escaped (_("Created %s"), created));
  if (updated != NULL)
    g_ptr_array_add (parts, g_markup_printf_escaped (_("Updated %s"), updated));
  if (completed != NULL)
    g_ptr_array_add (parts, g_markup_printf_escaped (_("Completed %s"), completed));
  g_ptr_array_add (parts, NULL);

  /* The path gets its own line: wrapped into the dates it left a dangling
   * "·" at the end of the first line on narrower panes. */
  {
    g_autofree char *facts = g_strjoinv ("  ·  ", (char **) parts->pdata);
    g_autofree char *path = g_markup_escape_text (lean_spec_get_rel_path (spec), -1);

    markup = *facts != '\0' ? g_strconcat (facts, "\n", path, NULL) : g_steal_pointer (&path);
  }
  gtk_label_set_markup (self->meta_label, markup);
}

/* The header names the spec only once its title has scrolled out of view,
 * as GNOME apps do, so the page does not say it twice. */
static void
update_header_title (LeanSpecView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double x = 0, y = 0;
  gboolean scrolled_past;

  if (self->spec == NULL)
    return;

  gtk_widget_translate_coordinates (GTK_WIDGET (self->title_label), self->page_box,
                                    0, gtk_widget_get_height (GTK_WIDGET (self->title_label)), &x, &y);
  scrolled_past = gtk_adjustment_get_value (adj) > y + 28;

  adw_window_title_set_title (self->window_title, scrolled_past ? lean_spec_get_title (self->spec) : "");
  adw_window_title_set_subtitle (self->window_title,
                                 scrolled_past ? gtk_label_get_text (self->number_label) : "");
}

static gboolean
header_title_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);

  self->header_title_tick = 0;
  update_header_title (self);
  return G_SOURCE_REMOVE;
}

/* The scroll position also changes while the scroller is being given its
 * size; a new title then would resize the header in the middle of that
 * layout, and GTK would draw it with no size. It is set at the next
 * frame's start instead, before any layout. */
static void
on_scrolled (LeanSpecView *self)
{
  if (self->header_title_tick == 0)
    self->header_title_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), header_title_tick_cb,
                                                            NULL, NULL);
}


static gboolean
restore_scroll_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, self->restore_scroll);
  self->restore_tick = 0;
  update_header_title (self);
  return G_SOURCE_REMOVE;
}

/* The menus' radio marks follow the file; Mark Complete only makes sense
 * while the spec is not complete or archived. */
static void
update_menu_state (LeanSpecView *self,
                   LeanSpec     *spec)
{
  LeanSpecStatus status = lean_spec_get_status (spec);
  LeanSpecPriority priority = lean_spec_get_priority (spec);

  self->updating = TRUE;
  set_status_from_user (self, status == LEAN_SPEC_STATUS_NONE ? "" : lean_spec_status_to_string (status));
  set_priority_from_user (self, priority == LEAN_SPEC_PRIORITY_NONE ? "" : lean_spec_priority_to_string (priority));
  self->updating = FALSE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spec.mark-complete",
                                 status != LEAN_SPEC_STATUS_COMPLETE && status != LEAN_SPEC_STATUS_ARCHIVED);
}

static void
show_spec (LeanSpecView *self,
           LeanSpec     *spec,
           gboolean      keep_scroll)
{
  g_autofree char *number = NULL;
  guint done, open;

  g_assert (LEAN_IS_SPEC (spec));

  if (keep_scroll)
    self->restore_scroll = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller));
  else
    self->restore_scroll = 0;

  g_object_ref (spec);
  g_clear_object (&self->spec);
  self->spec = spec;

  if (!keep_scroll)
    _lean_spec_view_stop_renaming (self);

  number = g_strdup_printf (_("Spec %03u"), lean_spec_get_number (spec));
  gtk_label_set_text (self->number_label, number);
  gtk_label_set_text (self->title_label, lean_spec_get_title (spec));
  update_header_title (self);

  _lean_spec_view_update_chips (self, spec);
  update_menu_state (self, spec);
  _lean_spec_view_update_tags (self, spec);
  update_meta (self, spec);
  update_relations (self, spec);

  done = lean_spec_get_n_checked (spec);
  open = lean_spec_get_n_unchecked (spec);
  if (done + open > 0)
    {
      g_autofree char *progress = g_strdup_printf (_("%u of %u done"), done, done + open);

      gtk_label_set_text (self->progress_label, progress);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), done + open > 0);

  lean_markdown_view_set_markdown (self->readme_view, lean_spec_get_body (spec));
  lean_spec_checks_set_spec (self->checks, self->store, spec);
  lean_spec_task_status_set_spec (self->task_status, spec);
  _lean_spec_view_update_files (self, spec);
  _lean_spec_view_watch_dir (self, spec);

  if (!keep_scroll)
    gtk_stack_set_visible_child_name (self->files_stack, "README.md");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spec.open-in-editor", TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->complete_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->editor_button), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "spec");

  /* The text view lays out in idle; put the scroll back once it has. */
  if (self->restore_tick == 0)
    self->restore_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), restore_scroll_cb, NULL, NULL);
}

static void
show_empty (LeanSpecView *self)
{
  _lean_spec_view_watch_dir (self, NULL);
  g_clear_object (&self->spec);
  adw_window_title_set_title (self->window_title, "");
  adw_window_title_set_subtitle (self->window_title, "");
  lean_markdown_view_set_markdown (self->readme_view, NULL);
  lean_spec_checks_set_spec (self->checks, NULL, NULL);
  lean_spec_task_status_set_spec (self->task_status, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spec.mark-complete", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spec.open-in-editor", FALSE);
  /* Nothing to act on: no buttons that can only be insensitive. */
  gtk_widget_set_visible (GTK_WIDGET (self->complete_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->editor_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* Following the store */

static void
follow_store (LeanSpecView *self)
{
  LeanSpec *current;

  if (self->spec == NULL || self->store == NULL)
    return;

  current = lean_spec_store_lookup (self->store, lean_spec_get_id (self->spec));
  /* Gone for now (renamed, deleted, mid-reload): keep showing what we have. */
  if (current != NULL && current != self->spec)
    show_spec (self, current, TRUE);
}

static void
on_store_items_changed (LeanSpecView *self,
                        guint         position,
                        guint         removed,
                        guint         added,
                        GListModel   *model)
{
  follow_store (self);
}

/* GObject */

static void
lean_spec_view_dispose (GObject *object)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  _lean_spec_view_watch_dir (self, NULL);
  if (self->header_title_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->header_title_tick);
      self->header_title_tick = 0;
    }
  if (self->restore_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->restore_tick);
      self->restore_tick = 0;
    }
  if (self->complete_dialog != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->complete_dialog));
      self->complete_dialog = NULL;
    }
  g_clear_object (&self->last_toast);
  g_clear_object (&self->store);
  g_clear_object (&self->spec);

  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SPEC_VIEW);

  G_OBJECT_CLASS (lean_spec_view_parent_class)->dispose (object);
}

static void
lean_spec_view_finalize (GObject *object)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (object);

  g_free (self->status);
  g_free (self->priority);

  G_OBJECT_CLASS (lean_spec_view_parent_class)->finalize (object);
}

static void
lean_spec_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_string (value, self->status ? self->status : "");
      break;
    case PROP_PRIORITY:
      g_value_set_string (value, self->priority ? self->priority : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      set_status_from_user (self, g_value_get_string (value));
      break;
    case PROP_PRIORITY:
      set_priority_from_user (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_view_class_init (LeanSpecViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_spec_view_dispose;
  object_class->finalize = lean_spec_view_finalize;
  object_class->get_property = lean_spec_view_get_property;
  object_class->set_property = lean_spec_view_set_property;

  /* The status as LeanSpec writes it ("in-progress"); setting it writes the
   * file. Backs the "spec.status" action. */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRIORITY] =
    g_param_spec_string ("priority", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN_SPEC] =
    g_signal_new ("open-spec",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (LeanSpec *written): Mark Complete was written. */
  signals[SPEC_COMPLETED] =
    g_signal_new ("spec-completed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LEAN_TYPE_SPEC);

  g_type_ensure (LEAN_TYPE_MARKDOWN_VIEW);
  g_type_ensure (LEAN_TYPE_SPEC_CHECKS);
  g_type_ensure (LEAN_TYPE_SPEC_TASK_STATUS);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/leanspec/Desktop/lean-spec-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, header_actions);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, window_title);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, complete_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, editor_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, scroller);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, page_box);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, number_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, title_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, title_entry);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, status_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, priority_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, chips_box);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, meta_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_add_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_popover);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_entry);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_suggestions);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_popover);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_entry);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, relations_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, files_switcher);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, files_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, readme_view);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, checks);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, task_status);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, title_error);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_error);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, tag_add_confirm);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_error);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, assignee_confirm);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, files_bar);
  gtk_widget_class_bind_template_child (widget_class, LeanSpecView, files_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_readme_task_toggled);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_markdown_link",
                                                G_CALLBACK (_lean_spec_view_on_markdown_link));
  gtk_widget_class_bind_template_callback (widget_class, on_relation_activated);

  gtk_widget_class_install_action (widget_class, "spec.mark-complete", NULL, mark_complete_action);
  gtk_widget_class_install_action (widget_class, "spec.open-in-editor", NULL, open_in_editor_action);
  gtk_widget_class_install_property_action (widget_class, "spec.status", "status");
  gtk_widget_class_install_property_action (widget_class, "spec.priority", "priority");
  _lean_spec_view_chips_class_init (widget_class);
  _lean_spec_view_files_class_init (widget_class);

  gtk_widget_class_set_css_name (widget_class, "specview");
}

/* F2 and Ctrl+E work wherever the focus is in the window (the list, say)
 * while a spec shows: a global shortcut controller on the view. */
static void
add_global_shortcuts (LeanSpecView *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F2, 0),
                                                          gtk_named_action_new ("spec.rename")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_e, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("spec.open-in-editor")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
lean_spec_view_init (LeanSpecView *self)
{
  self->status = g_strdup ("");
  self->priority = g_strdup ("");

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The page shows the title above the metadata already. */
  lean_markdown_view_set_skip_title (self->readme_view, TRUE);

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                           G_CALLBACK (on_scrolled), self, G_CONNECT_SWAPPED);

  _lean_spec_view_chips_init (self);
  lean_spec_checks_set_target (self->checks, self->readme_view, self->scroller);
  _lean_spec_view_files_init (self);
  add_global_shortcuts (self);

  show_empty (self);
}

GtkWidget *
lean_spec_view_new (void)
{
  return g_object_new (LEAN_TYPE_SPEC_VIEW, NULL);
}

void
lean_spec_view_set_spec (LeanSpecView  *self,
                         LeanSpecStore *store,
                         LeanSpec      *spec)
{
  gboolean same;

  g_return_if_fail (LEAN_IS_SPEC_VIEW (self));
  g_return_if_fail (store == NULL || LEAN_IS_SPEC_STORE (store));
  g_return_if_fail (spec == NULL || LEAN_IS_SPEC (spec));

  if (self->store != store)
    {
      if (self->store != NULL)
        g_signal_handlers_disconnect_by_func (self->store, on_store_items_changed, self);
      g_set_object (&self->store, store);
      if (store != NULL)
        g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed),
                                 self, G_CONNECT_SWAPPED);
    }

  if (spec == NULL)
    {
      show_empty (self);
      return;
    }

  /* The same spec again (a reload): keep the reader where they were. */
  same = self->spec != NULL && g_strcmp0 (lean_spec_get_id (self->spec), lean_spec_get_id (spec)) == 0;
  if (same && self->spec == spec)
    return;
  show_spec (self, spec, same);
}

LeanSpec *
lean_spec_view_get_spec (LeanSpecView *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_VIEW (self), NULL);

  return self->spec;
}

GtkWidget *
lean_spec_view_get_header_actions (LeanSpecView *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_VIEW (self), NULL);

  return GTK_WIDGET (self->header_actions);
}

GtkWidget *
lean_spec_view_get_header_bar (LeanSpecView *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_VIEW (self), NULL);

  return GTK_WIDGET (self->header_bar);
}

LeanMarkdownView *
_lean_spec_view_get_readme_view (LeanSpecView *self)
{
  return self->readme_view;
}

guint
_lean_spec_view_get_pending_writes (LeanSpecView *self)
{
  return self->pending_writes;
}

AdwMessageDialog *
_lean_spec_view_get_complete_dialog (LeanSpecView *self)
{
  return self->complete_dialog;
}

AdwToast *
_lean_spec_view_get_last_toast (LeanSpecView *self)
{
  return self->last_toast;
}

GtkWidget *
_lean_spec_view_get_title_entry (LeanSpecView *self)
{
  return GTK_WIDGET (self->title_entry);
}

GtkWidget *
_lean_spec_view_get_files_stack (LeanSpecView *self)
{
  return GTK_WIDGET (self->files_stack);
}

const char *
_lean_spec_view_get_relations_markup (LeanSpecView *self)
{
  return gtk_label_get_label (self->relations_label);
}

GtkLabel *
_lean_spec_view_get_relations_label (LeanSpecView *self)
{
  return self->relations_label;
}

GtkMenuButton *
_lean_spec_view_get_tag_add_button (LeanSpecView *self)
{
  return self->tag_add_button;
}

GtkEntry *
_lean_spec_view_get_tag_entry (LeanSpecView *self)
{
  return self->tag_entry;
}

GtkFlowBox *
_lean_spec_view_get_tag_suggestions (LeanSpecView *self)
{
  return self->tag_suggestions;
}

GtkMenuButton *
_lean_spec_view_get_assignee_button (LeanSpecView *self)
{
  return self->assignee_button;
}

GtkEntry *
_lean_spec_view_get_assignee_entry (LeanSpecView *self)
{
  return self->assignee_entry;
}
