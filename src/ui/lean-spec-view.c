/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-markdown-view.h"
#include "lean-spec-view.h"
#include "lean-spec-view-private.h"
#include "lean-spec-writer.h"
#include "lean-window.h"
#include "lean-wrap-layout.h"

/* The view shows one LeanSpec snapshot and follows the store: every write
 * (status, priority, task, complete, undo) runs in a worker thread through
 * the core's minimal-change writer and the fresh snapshot goes back into the
 * store, whose items-changed brings it here, as an external edit would. */

struct _LeanSpecView
{
  GtkWidget          parent_instance;

  /* Template */
  AdwToastOverlay   *toast_overlay;
  AdwHeaderBar      *header_bar;
  GtkBox            *header_actions;
  AdwWindowTitle    *window_title;
  GtkButton         *complete_button;
  GtkButton         *editor_button;
  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkWidget         *page_box;
  GtkLabel          *number_label;
  GtkLabel          *title_label;
  GtkStack          *title_stack;
  GtkEntry          *title_entry;
  GtkMenuButton     *status_button;
  GtkMenuButton     *priority_button;
  GtkLabel          *status_chip;    /* inside status_button */
  GtkLabel          *priority_mark;  /* inside priority_button */
  GtkLabel          *progress_label;
  GtkBox            *chips_box;     /* status, priority, progress, tags, tag_add_button */
  GtkMenuButton     *tag_add_button;
  GtkPopover        *tag_popover;
  GtkEntry          *tag_entry;
  GtkFlowBox        *tag_suggestions;
  GtkMenuButton     *assignee_button;
  GtkLabel          *assignee_label;
  GtkPopover        *assignee_popover;
  GtkEntry          *assignee_entry;
  GtkLabel          *meta_label;
  GtkLabel          *relations_label;
  GtkStackSwitcher  *files_switcher;
  GtkStack          *files_stack;
  LeanMarkdownView  *readme_view;

  /* State */
  LeanSpecStore     *store;
  LeanSpec          *spec;
  char              *status;      /* "spec.status" action state */
  char              *priority;    /* "spec.priority" action state */
  GCancellable      *cancellable; /* sub-spec file loads */
  guint              pending_writes; /* queued + running */
  GQueue             write_queue;    /* of WriteOp, waiting for the running one */
  gboolean           writing;
  gboolean           updating;    /* setting properties from the spec */
  AdwMessageDialog  *complete_dialog;
  AdwToast          *last_toast;
  double             restore_scroll;
  guint              restore_tick;
  GFileMonitor      *dir_monitor;    /* the shown spec's folder, for sub-spec files */
  char              *monitored_dir;
  guint              subspec_reload_id;
};

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

/* Writes */

typedef enum
{
  OP_STATUS,
  OP_PRIORITY,
  OP_TASK,
  OP_COMPLETE,
  OP_REPLACE,
  OP_RELOAD,
  OP_TITLE,
  OP_TAG_ADD,
  OP_TAG_REMOVE,
  OP_ASSIGNEE,
} OpKind;

typedef struct
{
  OpKind       kind;
  LeanSpec    *spec;
  LeanProject *project;
  GPtrArray   *specs;     /* OP_COMPLETE */
  int          value;     /* status or priority */
  char        *file;      /* OP_TASK */
  guint        line;
  gboolean     checked;
  gboolean     force;
  GBytes      *contents;  /* OP_REPLACE */
  char        *title;     /* OP_TITLE; the tag or assignee for OP_TAG_*, OP_ASSIGNEE */
} WriteOp;

static void
write_op_free (WriteOp *op)
{
  g_clear_object (&op->spec);
  g_clear_object (&op->project);
  g_clear_pointer (&op->specs, g_ptr_array_unref);
  g_clear_pointer (&op->file, g_free);
  g_clear_pointer (&op->contents, g_bytes_unref);
  g_clear_pointer (&op->title, g_free);
  g_free (op);
}

static WriteOp *
write_op_new (OpKind    kind,
              LeanSpec *spec)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  op->kind = kind;
  op->spec = g_object_ref (spec);
  return op;
}

/* The title is the README's first "# " heading. Renaming rewrites that one
 * line (its indentation and line ending kept) and nothing else, through
 * the writer's atomic, hash-checked replace. */
static GBytes *
replace_title_line (LeanSpec    *spec,
                    const char  *new_title,
                    GError     **error)
{
  GBytes *contents = lean_spec_get_contents (spec);
  gsize len = 0;
  const char *data = g_bytes_get_data (contents, &len);
  const char *end = data + len;
  const char *line = data;
  guint lineno = 1;
  guint body_line = lean_spec_get_body_line (spec);
  gboolean in_fence = FALSE;

  for (; line < end; lineno++)
    {
      const char *eol = memchr (line, '\n', end - line);
      const char *line_end = eol != NULL ? eol : end;
      const char *p = line;
      guint indent = 0;

      if (lineno >= body_line)
        {
          while (p < line_end && *p == ' ' && indent < 4)
            p++, indent++;

          if (indent < 4 && line_end - p >= 3 && (strncmp (p, "```", 3) == 0 || strncmp (p, "~~~", 3) == 0))
            in_fence = !in_fence;
          else if (!in_fence && indent < 4 && line_end - p >= 2 && p[0] == '#' && (p[1] == ' ' || p[1] == '\t'))
            {
              const char *text_end = line_end;
              g_autoptr(GString) out = NULL;
              g_autofree char *current = NULL;
              gsize n;

              /* Keep a CRLF line's \r where it was. */
              if (text_end > p && text_end[-1] == '\r')
                text_end--;

              /* The line must be the title the person saw. */
              current = g_strstrip (g_strndup (p + 2, text_end - p - 2));
              if (g_strcmp0 (current, lean_spec_get_title (spec)) != 0)
                break;

              out = g_string_new_len (data, p - data);
              g_string_append (out, "# ");
              g_string_append (out, new_title);
              g_string_append_len (out, text_end, end - text_end);
              n = out->len;
              return g_bytes_new_take (g_string_free (g_steal_pointer (&out), FALSE), n);
            }
        }

      if (eol == NULL)
        break;
      line = eol + 1;
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
               _("%s has no “# Title” line to rename; change the title in your editor."),
               lean_spec_get_rel_path (spec));
  return NULL;
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteOp *op = task_data;
  g_autoptr(GError) error = NULL;
  LeanSpec *result = NULL;

  switch (op->kind)
    {
    case OP_STATUS:
      result = lean_spec_writer_set_status (op->spec, op->value, &error);
      break;
    case OP_PRIORITY:
      result = lean_spec_writer_set_priority (op->spec, op->value, &error);
      break;
    case OP_TASK:
      result = lean_spec_writer_set_task (op->spec, op->file, op->line, op->checked, &error);
      break;
    case OP_COMPLETE:
      result = lean_spec_writer_complete (op->project, op->specs, op->spec, op->force, &error);
      break;
    case OP_REPLACE:
      result = lean_spec_writer_replace (op->spec, op->contents, &error);
      break;
    case OP_TITLE:
      {
        g_autoptr(GBytes) renamed = replace_title_line (op->spec, op->title, &error);

        if (renamed != NULL)
          result = lean_spec_writer_replace (op->spec, renamed, &error);
      }
      break;
    case OP_TAG_ADD:
    case OP_TAG_REMOVE:
      {
        /* Worked out here, on the newest snapshot, so quick adds and
         * removes in a row each keep the others' effect. */
        const char * const *tags = lean_spec_get_tags (op->spec);
        g_autoptr(GPtrArray) next = g_ptr_array_new ();
        gboolean present = g_strv_contains (tags, op->title);

        if (present == (op->kind == OP_TAG_ADD))
          {
            result = g_object_ref (op->spec);
            break;
          }
        for (guint i = 0; tags[i] != NULL; i++)
          if (op->kind == OP_TAG_ADD || g_strcmp0 (tags[i], op->title) != 0)
            g_ptr_array_add (next, (gpointer) tags[i]);
        if (op->kind == OP_TAG_ADD)
          g_ptr_array_add (next, op->title);
        g_ptr_array_add (next, NULL);
        result = lean_spec_writer_set_tags (op->spec, (const char * const *) next->pdata, &error);
      }
      break;
    case OP_ASSIGNEE:
      if (g_strcmp0 (lean_spec_get_assignee (op->spec) ? lean_spec_get_assignee (op->spec) : "",
                     op->title) == 0)
        result = g_object_ref (op->spec);
      else
        result = lean_spec_writer_set_assignee (op->spec, op->title, &error);
      break;
    case OP_RELOAD:
      result = lean_spec_new_from_dir (lean_project_get_root (op->project),
                                       lean_spec_get_dir (op->spec), &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, g_object_unref);
}

static void write_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

/* Writes run one at a time, each on the newest snapshot of its spec: a
 * second click while the first write is on its way must not fail the
 * content-hash check against the file the first one just wrote. */
static void
run_next_write (LeanSpecView *self)
{
  g_autoptr(GTask) task = NULL;
  WriteOp *op;

  if (self->writing)
    return;
  op = g_queue_pop_head (&self->write_queue);
  if (op == NULL)
    return;

  if (self->store != NULL)
    {
      LeanSpec *latest = lean_spec_store_lookup (self->store, lean_spec_get_id (op->spec));

      if (latest != NULL && latest != op->spec)
        g_set_object (&op->spec, latest);
      if (op->kind == OP_COMPLETE)
        {
          g_clear_pointer (&op->specs, g_ptr_array_unref);
          op->specs = lean_spec_store_dup_specs (self->store);
        }
    }

  self->writing = TRUE;
  task = g_task_new (self, NULL, write_done, NULL);
  g_task_set_source_tag (task, run_next_write);
  g_task_set_task_data (task, op, (GDestroyNotify) write_op_free);
  g_task_run_in_thread (task, write_thread);
}

static void
start_write (LeanSpecView *self,
             WriteOp      *op)
{
  if (self->store != NULL && op->project == NULL)
    op->project = g_object_ref (lean_spec_store_get_project (self->store));

  self->pending_writes++;
  g_queue_push_tail (&self->write_queue, op);
  run_next_write (self);
}

static void start_complete (LeanSpecView *self,
                            gboolean      force);

static void
on_reload_clicked (AdwToast     *toast,
                   LeanSpecView *self)
{
  LeanSpec *spec = g_object_get_data (G_OBJECT (toast), "lean-spec");
  WriteOp *op;

  /* The spec the failed write was for, even if another is shown now. */
  if (spec == NULL)
    spec = self->spec;
  if (spec == NULL)
    return;

  op = write_op_new (OP_RELOAD, spec);
  start_write (self, op);
}

static void
on_undo_clicked (AdwToast     *toast,
                 LeanSpecView *self)
{
  GBytes *original = g_object_get_data (G_OBJECT (toast), "lean-original");
  LeanSpec *written = g_object_get_data (G_OBJECT (toast), "lean-written");
  WriteOp *op;

  op = g_new0 (WriteOp, 1);
  op->kind = OP_REPLACE;
  /* The store may hold a newer snapshot of the same spec by now; the writer
   * refuses if the file moved on since, so Undo never clobbers an edit. */
  if (self->store != NULL && lean_spec_store_lookup (self->store, lean_spec_get_id (written)) != NULL)
    op->spec = g_object_ref (lean_spec_store_lookup (self->store, lean_spec_get_id (written)));
  else
    op->spec = g_object_ref (written);
  op->contents = g_bytes_ref (original);
  start_write (self, op);
}

static void
show_error_toast (LeanSpecView *self,
                  LeanSpec     *spec,
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
      if (spec != NULL)
        g_object_set_data_full (G_OBJECT (toast), "lean-spec", g_object_ref (spec), g_object_unref);
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
handle_write_result (LeanSpecView *self,
                     GAsyncResult *result)
{
  WriteOp *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(LeanSpec) written = NULL;
  g_autoptr(GError) error = NULL;

  written = g_task_propagate_pointer (G_TASK (result), &error);

  if (written == NULL)
    {
      if (op->kind == OP_COMPLETE && g_error_matches (error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE))
        show_incomplete_dialog (self, error);
      else
        show_error_toast (self, op->spec, error);

      /* Put the controls back to what the file says. */
      if (self->spec != NULL)
        show_spec (self, self->spec, TRUE);
      return;
    }

  /* A tag that was already there (or gone) wrote nothing. */
  if (self->store != NULL && written != op->spec)
    lean_spec_store_replace (self->store, written);

  /* The store's items-changed normally brought it here already; do it
   * anyway for a view without a store or when the store ignored it. */
  if (self->spec != NULL && g_strcmp0 (lean_spec_get_id (self->spec), lean_spec_get_id (written)) == 0 &&
      self->spec != written)
    show_spec (self, written, TRUE);

  if (op->kind == OP_COMPLETE)
    {
      AdwToast *toast = adw_toast_new (_("Spec marked complete"));

      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "lean-original",
                              g_bytes_ref (lean_spec_get_contents (op->spec)),
                              (GDestroyNotify) g_bytes_unref);
      g_object_set_data_full (G_OBJECT (toast), "lean-written",
                              g_object_ref (written), g_object_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
      add_toast (self, toast);
    }
  else if (op->kind == OP_REPLACE)
    {
      AdwToast *toast = adw_toast_new (_("Change undone"));

      add_toast (self, toast);
    }
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (source);

  g_assert (self->pending_writes > 0);
  self->writing = FALSE;

  handle_write_result (self, result);

  /* Counted down only now, so "no pending writes" means the store and the
   * view show the result. */
  self->pending_writes--;
  run_next_write (self);
}

static void
start_complete (LeanSpecView *self,
                gboolean      force)
{
  WriteOp *op;

  g_return_if_fail (self->spec != NULL);

  op = write_op_new (OP_COMPLETE, self->spec);
  op->force = force;
  if (self->store != NULL)
    op->specs = lean_spec_store_dup_specs (self->store);
  else
    op->specs = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->store == NULL)
    {
      /* Completion needs the project for children; without a store there
       * is none to ask. */
      g_autoptr(GError) error = NULL;

      op->project = lean_project_open (lean_spec_get_dir (self->spec), &error);
      if (op->project == NULL)
        {
          show_error_toast (self, self->spec, error);
          write_op_free (op);
          return;
        }
    }
  start_write (self, op);
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

/* Renaming: the title label swaps for an entry. */

static void
stop_renaming (LeanSpecView *self)
{
  gtk_stack_set_visible_child_name (self->title_stack, "label");
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);

  if (self->spec == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->title_entry), lean_spec_get_title (self->spec));
  gtk_stack_set_visible_child_name (self->title_stack, "entry");
  gtk_widget_grab_focus (GTK_WIDGET (self->title_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->title_entry), 0, -1);
}

static void
on_title_entry_activate (GtkEntry     *entry,
                         LeanSpecView *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  WriteOp *op;

  stop_renaming (self);

  if (self->spec == NULL || *title == '\0' || g_strcmp0 (title, lean_spec_get_title (self->spec)) == 0)
    return;

  /* A title is one line; a pasted newline must not split the heading. */
  g_strdelimit (title, "\r\n", ' ');

  gtk_label_set_text (self->title_label, title);
  op = write_op_new (OP_TITLE, self->spec);
  op->title = g_steal_pointer (&title);
  start_write (self, op);
}

static gboolean
on_title_entry_key (GtkEventControllerKey *controller,
                    guint                  keyval,
                    guint                  keycode,
                    GdkModifierType        state,
                    LeanSpecView          *self)
{
  if (keyval == GDK_KEY_Escape)
    {
      stop_renaming (self);
      return TRUE;
    }
  return FALSE;
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
  WriteOp *op;

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

  op = write_op_new (OP_STATUS, self->spec);
  op->value = status;
  start_write (self, op);
}

static void
set_priority_from_user (LeanSpecView *self,
                        const char   *value)
{
  LeanSpecPriority priority;
  WriteOp *op;

  if (!take_menu_value (self, &self->priority, value, PROP_PRIORITY))
    return;
  if (!lean_spec_priority_from_string (value, &priority) || priority == lean_spec_get_priority (self->spec))
    return;

  op = write_op_new (OP_PRIORITY, self->spec);
  op->value = priority;
  start_write (self, op);
}

static GMenuModel *
build_status_menu (void)
{
  GMenu *menu = g_menu_new ();

  for (LeanSpecStatus s = LEAN_SPEC_STATUS_DRAFT; s < LEAN_SPEC_N_STATUSES; s++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (lean_spec_status_get_label (s), NULL);

      g_menu_item_set_action_and_target (item, "spec.status", "s", lean_spec_status_to_string (s));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

static GMenuModel *
build_priority_menu (void)
{
  GMenu *menu = g_menu_new ();

  for (LeanSpecPriority p = LEAN_SPEC_PRIORITY_LOW; p < LEAN_SPEC_N_PRIORITIES; p++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (lean_spec_priority_get_label (p), NULL);

      g_menu_item_set_action_and_target (item, "spec.priority", "s", lean_spec_priority_to_string (p));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* Tasks and links */

static void
on_readme_task_toggled (LeanMarkdownView *view,
                        guint             line,
                        gboolean          checked,
                        LeanSpecView     *self)
{
  WriteOp *op;

  if (self->spec == NULL)
    return;

  op = write_op_new (OP_TASK, self->spec);
  op->file = g_strdup ("README.md");
  /* cmark counts lines in the body; the writer counts in the file. */
  op->line = line + lean_spec_get_body_line (self->spec) - 1;
  op->checked = checked;
  start_write (self, op);
}

static void
on_subspec_task_toggled (LeanMarkdownView *view,
                         guint             line,
                         gboolean          checked,
                         LeanSpecView     *self)
{
  WriteOp *op;

  if (self->spec == NULL)
    return;

  op = write_op_new (OP_TASK, self->spec);
  op->file = g_strdup (g_object_get_data (G_OBJECT (view), "lean-file"));
  op->line = line + GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (view), "lean-line-offset"));
  op->checked = checked;
  start_write (self, op);
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
  char         *id;
} OpenSpecLater;

static gboolean
open_spec_idle (gpointer data)
{
  OpenSpecLater *later = data;

  g_signal_emit (later->self, signals[OPEN_SPEC], 0, later->id);
  return G_SOURCE_REMOVE;
}

static void
open_spec_later_free (gpointer data)
{
  OpenSpecLater *later = data;

  g_object_unref (later->self);
  g_free (later->id);
  g_free (later);
}

/* Opening a spec replaces the text and the relations label, so it must not
 * happen inside the click that activated a link there: GTK's label and
 * text view still use the old links and their gesture after the handler
 * returns (a real click crashed). The click finishes first. */
static void
open_spec_later (LeanSpecView *self,
                 const char   *id)
{
  OpenSpecLater *later = g_new0 (OpenSpecLater, 1);

  later->self = g_object_ref (self);
  later->id = g_strdup (id);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, open_spec_idle, later, open_spec_later_free);
}

static char *spec_project_root (LeanSpecView *self, LeanSpec *spec);

static gboolean
on_markdown_link (LeanMarkdownView *view,
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
          gtk_stack_set_visible_child_name (self->files_stack, name);
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
    g_autofree char *root = spec_project_root (self, self->spec);

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
  const char *assignee = lean_spec_get_assignee (spec);
  g_autofree char *markup = NULL;

  /* The assignee is its own button above, so it can be changed in place. */
  if (assignee != NULL && *assignee != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("Assigned to %s"), assignee);

      gtk_label_set_text (self->assignee_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (self->assignee_button), "dim-label");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->assignee_button), _("Change Assignee"));
    }
  else
    {
      gtk_label_set_text (self->assignee_label, _("Assign…"));
      gtk_widget_add_css_class (GTK_WIDGET (self->assignee_button), "dim-label");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->assignee_button), _("Assign Someone to This Spec"));
    }
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

static void
update_tags (LeanSpecView *self,
             LeanSpec     *spec)
{
  const char * const *tags = lean_spec_get_tags (spec);
  g_autoptr(GPtrArray) old = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_object_get_data (G_OBJECT (child), "lean-tag") != NULL)
      g_ptr_array_add (old, child);
  for (guint i = 0; i < old->len; i++)
    gtk_box_remove (self->chips_box, g_ptr_array_index (old, i));

  for (guint i = 0; tags[i] != NULL; i++)
    {
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
      GtkWidget *label = gtk_label_new (tags[i]);
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");
      g_autofree char *tooltip = g_strdup_printf (_("Remove Tag “%s”"), tags[i]);

      gtk_widget_add_css_class (chip, "spec-tag");
      gtk_widget_set_valign (chip, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_add_css_class (remove, "spec-tag-remove");
      gtk_widget_set_tooltip_text (remove, tooltip);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "spec.remove-tag");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", tags[i]);
      gtk_box_append (GTK_BOX (chip), label);
      gtk_box_append (GTK_BOX (chip), remove);
      g_object_set_data_full (G_OBJECT (chip), "lean-tag", g_strdup (tags[i]), g_free);
      gtk_box_insert_child_after (self->chips_box, chip,
                                  gtk_widget_get_prev_sibling (GTK_WIDGET (self->tag_add_button)));
    }
}

/* Tags and assignee, edited in place */

static void
queue_text_op (LeanSpecView *self,
               OpKind        kind,
               const char   *text)
{
  WriteOp *op;

  if (self->spec == NULL)
    return;
  op = write_op_new (kind, self->spec);
  op->title = g_strdup (text);
  start_write (self, op);
}

/* Tags go into YAML as they are typed; trimmed, and one word of the
 * person's choosing, so only emptiness is refused. */
static void
add_tag_from_user (LeanSpecView *self,
                   const char   *text)
{
  g_autofree char *tag = g_strstrip (g_strdup (text));

  gtk_popover_popdown (self->tag_popover);
  if (*tag == '\0' || self->spec == NULL)
    return;
  if (g_strv_contains (lean_spec_get_tags (self->spec), tag))
    return;
  queue_text_op (self, OP_TAG_ADD, tag);
}

static void
remove_tag_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);

  queue_text_op (self, OP_TAG_REMOVE, g_variant_get_string (parameter, NULL));
}

static void
on_tag_entry_activate (GtkEntry     *entry,
                       LeanSpecView *self)
{
  add_tag_from_user (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_tag_suggestion_activated (GtkFlowBox      *box,
                             GtkFlowBoxChild *child,
                             LeanSpecView    *self)
{
  add_tag_from_user (self, g_object_get_data (G_OBJECT (child), "lean-tag"));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

/* The project's other tags that contain what is typed (case-insensitive),
 * at most a dozen, as activatable chips under the entry. */
static void
update_tag_suggestions (LeanSpecView *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autoptr(GPtrArray) specs = NULL;
  g_autofree char *needle = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_suggestions))) != NULL)
    gtk_flow_box_remove (self->tag_suggestions, child);

  if (self->store == NULL || self->spec == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->tag_suggestions), FALSE);
      return;
    }

  needle = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->tag_entry)), -1);
  g_strstrip (needle);
  specs = lean_spec_store_dup_specs (self->store);
  for (guint i = 0; i < specs->len; i++)
    {
      const char * const *tags = lean_spec_get_tags (g_ptr_array_index (specs, i));

      for (guint j = 0; tags[j] != NULL; j++)
        {
          g_autofree char *folded = NULL;

          if (g_hash_table_contains (seen, tags[j]) ||
              g_strv_contains (lean_spec_get_tags (self->spec), tags[j]))
            continue;
          g_hash_table_add (seen, (gpointer) tags[j]);
          folded = g_utf8_casefold (tags[j], -1);
          if (strstr (folded, needle) != NULL)
            g_ptr_array_add (found, (gpointer) tags[j]);
        }
    }
  g_ptr_array_sort (found, compare_strings);

  for (guint i = 0; i < MIN (found->len, 12); i++)
    {
      const char *tag = g_ptr_array_index (found, i);
      GtkWidget *label = gtk_label_new (tag);
      GtkWidget *item = gtk_flow_box_child_new ();
      g_autofree char *tooltip = g_strdup_printf (_("Add Tag “%s”"), tag);

      gtk_widget_add_css_class (item, "spec-tag");
      gtk_widget_set_tooltip_text (item, tooltip);
      gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (item), label);
      g_object_set_data_full (G_OBJECT (item), "lean-tag", g_strdup (tag), g_free);
      gtk_flow_box_append (self->tag_suggestions, item);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->tag_suggestions), found->len > 0);
}

static void
on_tag_entry_changed (GtkEditable  *entry,
                      LeanSpecView *self)
{
  update_tag_suggestions (self);
}

static void
on_tag_popover_show (GtkPopover   *popover,
                     LeanSpecView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
  update_tag_suggestions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->tag_entry));
}

static void
on_assignee_popover_show (GtkPopover   *popover,
                          LeanSpecView *self)
{
  const char *assignee = self->spec != NULL ? lean_spec_get_assignee (self->spec) : NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->assignee_entry), assignee != NULL ? assignee : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->assignee_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->assignee_entry), 0, -1);
}

static void
on_assignee_entry_activate (GtkEntry     *entry,
                            LeanSpecView *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  const char *current;

  gtk_popover_popdown (self->assignee_popover);
  if (self->spec == NULL)
    return;
  current = lean_spec_get_assignee (self->spec);
  if (g_strcmp0 (current != NULL ? current : "", text) == 0)
    return;
  queue_text_op (self, OP_ASSIGNEE, text);
}

static void
update_status_button (LeanSpecView *self,
                      LeanSpec     *spec)
{
  static const char *classes[] = { "none", "draft", "planned", "in-progress", "complete", "archived" };
  LeanSpecStatus status = lean_spec_get_status (spec);
  LeanSpecPriority priority = lean_spec_get_priority (spec);
  g_autofree char *priority_text = NULL;

  /* The same chip and mark as the list rows (style.css), inside flat menu
   * buttons. */
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_chip), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_chip), classes[status]);
  gtk_label_set_text (self->status_chip,
                      status == LEAN_SPEC_STATUS_NONE ? _("No Status")
                                                      : lean_spec_status_get_label (status));

  if (priority == LEAN_SPEC_PRIORITY_NONE)
    priority_text = g_strdup (_("No Priority"));
  else
    priority_text = g_strdup_printf (_("%s Priority"), lean_spec_priority_get_label (priority));
  gtk_label_set_text (self->priority_mark, priority_text);

  for (guint i = 0; i < LEAN_SPEC_N_PRIORITIES; i++)
    {
      const char *name = lean_spec_priority_to_string (i);

      if (name != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self->priority_mark), name);
    }
  if (priority != LEAN_SPEC_PRIORITY_NONE)
    gtk_widget_add_css_class (GTK_WIDGET (self->priority_mark), lean_spec_priority_to_string (priority));

  self->updating = TRUE;
  set_status_from_user (self, status == LEAN_SPEC_STATUS_NONE ? "" : lean_spec_status_to_string (status));
  set_priority_from_user (self, priority == LEAN_SPEC_PRIORITY_NONE ? "" : lean_spec_priority_to_string (priority));
  self->updating = FALSE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "spec.mark-complete",
                                 status != LEAN_SPEC_STATUS_COMPLETE && status != LEAN_SPEC_STATUS_ARCHIVED);
}

/* Sub-spec files: one page each, loaded asynchronously. */

typedef struct
{
  LeanSpecView     *self;
  LeanMarkdownView *view;
} SubspecLoad;

/* A sub-spec shown here is read like one sent to an agent: only inside the
 * project, and no more than this (the rest is left for an editor). */
#define MAX_SUBSPEC_VIEW (4 * 1024 * 1024)

typedef struct
{
  char *root;
  char *path;
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
  gboolean cut = FALSE;
  GBytes *bytes = lean_file_read_in_project (read->root, read->path, MAX_SUBSPEC_VIEW, &cut,
                                             &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify)g_bytes_unref);
}

/* The project root of @spec: its folder less the folder part of its path
 * relative to the root. */
static char *
spec_project_root (LeanSpecView *self,
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

static void
subspec_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SubspecLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (bytes != NULL)
    {
      contents = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      len = strlen (contents);
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

static void
update_files (LeanSpecView *self,
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
          g_signal_connect_object (view, "activate-link", G_CALLBACK (on_markdown_link), self, 0);
          gtk_stack_add_titled (self->files_stack, view, subs[i], title);
        }

      load = g_new0 (SubspecLoad, 1);
      load->self = g_object_ref (self);
      load->view = g_object_ref (LEAN_MARKDOWN_VIEW (view));
      read = g_new0 (SubspecRead, 1);
      read->root = spec_project_root (self, spec);
      read->path = g_steal_pointer (&path);
      task = g_task_new (NULL, self->cancellable, subspec_loaded, load);
      g_task_set_task_data (task, read, subspec_read_free);
      g_task_run_in_thread (task, subspec_read_thread);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->files_switcher), subs[0] != NULL);
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

/* The store follows README.md; the other files of the shown spec are
 * watched here so an edit to DESIGN.md shows without a restart too. */
static gboolean
reload_subspecs_cb (gpointer data)
{
  LeanSpecView *self = data;

  self->subspec_reload_id = 0;
  if (self->spec != NULL)
    update_files (self, self->spec);
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

static void
watch_spec_dir (LeanSpecView *self,
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
    stop_renaming (self);

  number = g_strdup_printf (_("Spec %03u"), lean_spec_get_number (spec));
  gtk_label_set_text (self->number_label, number);
  gtk_label_set_text (self->title_label, lean_spec_get_title (spec));
  update_header_title (self);

  update_status_button (self, spec);
  update_tags (self, spec);
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
  update_files (self, spec);
  watch_spec_dir (self, spec);

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
  watch_spec_dir (self, NULL);
  g_clear_object (&self->spec);
  adw_window_title_set_title (self->window_title, "");
  adw_window_title_set_subtitle (self->window_title, "");
  lean_markdown_view_set_markdown (self->readme_view, NULL);
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
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) write_op_free);
  watch_spec_dir (self, NULL);
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

  g_type_ensure (LEAN_TYPE_MARKDOWN_VIEW);

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
  gtk_widget_class_bind_template_callback (widget_class, on_readme_task_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_markdown_link);
  gtk_widget_class_bind_template_callback (widget_class, on_relation_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_title_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_suggestion_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_assignee_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_assignee_entry_activate);

  gtk_widget_class_install_action (widget_class, "spec.mark-complete", NULL, mark_complete_action);
  gtk_widget_class_install_action (widget_class, "spec.open-in-editor", NULL, open_in_editor_action);
  gtk_widget_class_install_action (widget_class, "spec.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "spec.remove-tag", "s", remove_tag_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "spec.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "spec.open-in-editor", NULL);
  gtk_widget_class_install_property_action (widget_class, "spec.status", "status");
  gtk_widget_class_install_property_action (widget_class, "spec.priority", "priority");

  gtk_widget_class_set_css_name (widget_class, "specview");
}

static GtkWidget *
menu_button_content (GtkWidget *label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (arrow, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), arrow);
  return box;
}

static void
lean_spec_view_init (LeanSpecView *self)
{
  g_autoptr(GMenuModel) status_menu = build_status_menu ();
  g_autoptr(GMenuModel) priority_menu = build_priority_menu ();

  self->status = g_strdup ("");
  self->priority = g_strdup ("");
  g_queue_init (&self->write_queue);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The page shows the title above the metadata already. */
  lean_markdown_view_set_skip_title (self->readme_view, TRUE);

  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    g_signal_connect (keys, "key-pressed", G_CALLBACK (on_title_entry_key), self);
    gtk_widget_add_controller (GTK_WIDGET (self->title_entry), keys);
  }

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                           G_CALLBACK (update_header_title), self, G_CONNECT_SWAPPED);

  gtk_widget_set_layout_manager (GTK_WIDGET (self->chips_box), lean_wrap_layout_new (8, 6));

  gtk_menu_button_set_menu_model (self->status_button, status_menu);
  gtk_menu_button_set_menu_model (self->priority_button, priority_menu);

  self->status_chip = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_chip), "status-chip");
  gtk_menu_button_set_child (self->status_button, menu_button_content (GTK_WIDGET (self->status_chip)));
  self->priority_mark = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->priority_mark), "priority-mark");
  gtk_menu_button_set_child (self->priority_button, menu_button_content (GTK_WIDGET (self->priority_mark)));

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
