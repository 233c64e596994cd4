/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-project.h"
#include "lean-projects-view.h"
#include "lean-spec-row.h"
#include "lean-wrap-layout.h"

typedef struct
{
  guint  by_status[LEAN_SPEC_N_STATUSES];
  guint  total;
  char  *error;        /* why the project could not be read, or NULL */
} Counts;

struct _LeanProjectsView
{
  GtkWidget       parent_instance;

  GSettings      *settings;
  LeanController *controller;
  char           *current;
  GHashTable     *counts;       /* root -> Counts, of the last count */
  GCancellable   *cancellable;  /* while counting */
  gboolean        stale;        /* the lists changed since the last count */

  GtkWidget      *scroller;
  GtkWidget      *content;      /* header (if any), groups, empty page */
  GtkWidget      *header;
  GtkWidget      *pinned_box;
  GtkListBox     *pinned_list;
  GtkWidget      *recent_box;
  GtkListBox     *recent_list;
  GtkWidget      *empty;
};

G_DEFINE_FINAL_TYPE (LeanProjectsView, lean_projects_view, GTK_TYPE_WIDGET)

enum {
  OPEN_PROJECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_HEADER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void rebuild (LeanProjectsView *self);

static void
counts_free (gpointer data)
{
  Counts *counts = data;

  g_free (counts->error);
  g_free (counts);
}

/* "~/src/app" for paths under the home folder. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (len > 1 && g_str_has_prefix (path, home) && (path[len] == '/' || path[len] == '\0'))
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

/* ------------------------------------------------------------------ */
/* Counting, on a worker thread                                        */

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char * const *roots = task_data;
  GHashTable *result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, counts_free);

  for (guint i = 0; roots[i] != NULL && !g_cancellable_is_cancelled (cancellable); i++)
    {
      Counts *counts = g_new0 (Counts, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanProject) project = NULL;
      g_autoptr(GPtrArray) specs = NULL;

      /* The spec cache makes a known project cheap: unchanged READMEs are
       * not parsed again. */
      project = lean_project_open (roots[i], &error);
      if (project != NULL)
        specs = lean_project_load_specs (project, NULL, cancellable, &error);
      if (specs == NULL)
        counts->error = g_strdup (error->message);
      for (guint k = 0; specs != NULL && k < specs->len; k++)
        counts->by_status[MIN (lean_spec_get_status (g_ptr_array_index (specs, k)),
                               LEAN_SPEC_N_STATUSES - 1)]++;
      counts->total = specs != NULL ? specs->len : 0;
      g_hash_table_insert (result, g_strdup (roots[i]), counts);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) g_hash_table_unref);
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GHashTable *counts = g_task_propagate_pointer (G_TASK (result), NULL);
  LeanProjectsView *self;

  if (counts == NULL)
    return;
  self = LEAN_PROJECTS_VIEW (object);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  self->counts = counts;
  rebuild (self);
}

/* Pinned first, then recent, each root once. */
static GStrv
dup_roots (LeanProjectsView *self)
{
  g_auto(GStrv) pinned = g_settings_get_strv (self->settings, "pinned-projects");
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) pinned);
  for (guint i = 0; recent[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) pinned, recent[i]))
      g_strv_builder_add (builder, recent[i]);
  return g_strv_builder_end (builder);
}

static void
recount (LeanProjectsView *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->stale = FALSE;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, count_cb, NULL);
  g_task_set_source_tag (task, recount);
  g_task_set_check_cancellable (task, TRUE);
  g_task_set_task_data (task, dup_roots (self), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, count_thread);
}

/* ------------------------------------------------------------------ */
/* Lists in the settings                                               */

static void
set_list (LeanProjectsView   *self,
          const char         *key,
          const char * const *roots)
{
  g_settings_set_strv (self->settings, key, roots);
}

/* Both lists in one write, so a listener never sees a root in neither.
 * A GSettings in delay-apply mode never leaves it, so the batch goes
 * through an object of its own and self->settings stays immediate. */
static void
set_lists (LeanProjectsView   *self,
           const char * const *recent,
           const char * const *pinned)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) batch = NULL;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  batch = g_settings_new_full (schema, NULL, NULL);
  g_settings_delay (batch);
  if (recent != NULL)
    g_settings_set_strv (batch, "recent-projects", recent);
  if (pinned != NULL)
    g_settings_set_strv (batch, "pinned-projects", pinned);
  g_settings_apply (batch);
}

static GStrv
strv_without (const char * const *list,
              const char         *root)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; list[i] != NULL; i++)
    if (g_strcmp0 (list[i], root) != 0)
      g_strv_builder_add (builder, list[i]);
  return g_strv_builder_end (builder);
}

/* @list with @root at @position (or at the end), unless it holds it. */
static GStrv
strv_with (const char * const *list,
           const char         *root,
           guint               position)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = g_strv_length ((char **) list);
  gboolean added = g_strv_contains (list, root);

  for (guint i = 0; i < n; i++)
    {
      if (i == position && !added)
        {
          g_strv_builder_add (builder, root);
          added = TRUE;
        }
      g_strv_builder_add (builder, list[i]);
    }
  if (!added)
    g_strv_builder_add (builder, root);
  return g_strv_builder_end (builder);
}

static int
strv_index (const char * const *list,
            const char         *root)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_strcmp0 (list[i], root) == 0)
      return i;
  return -1;
}

static void
toggle_pin (LeanProjectsView *self,
            const char       *root)
{
  g_auto(GStrv) pinned = g_settings_get_strv (self->settings, "pinned-projects");
  g_auto(GStrv) updated = NULL;

  if (g_strv_contains ((const char * const *) pinned, root))
    updated = strv_without ((const char * const *) pinned, root);
  else
    updated = strv_with ((const char * const *) pinned, root, G_MAXUINT);
  set_list (self, "pinned-projects", (const char * const *) updated);
}

typedef struct
{
  LeanProjectsView *self;
  char             *root;
  int               recent_at;  /* -1: was not in the list */
  int               pinned_at;
} Removed;

static void
removed_free (gpointer data)
{
  Removed *removed = data;

  g_clear_weak_pointer (&removed->self);
  g_free (removed->root);
  g_free (removed);
}

/* The setting's list with @root back at @position, or NULL to leave it. */
static GStrv
restored_list (LeanProjectsView *self,
               const char       *key,
               const char       *root,
               int               position)
{
  g_auto(GStrv) list = NULL;

  if (position < 0)
    return NULL;
  list = g_settings_get_strv (self->settings, key);
  return strv_with ((const char * const *) list, root, position);
}

static void
on_undo_remove (AdwToast *toast,
                Removed  *removed)
{
  g_auto(GStrv) recent = NULL;
  g_auto(GStrv) pinned = NULL;

  if (removed->self == NULL)
    return;
  recent = restored_list (removed->self, "recent-projects", removed->root, removed->recent_at);
  pinned = restored_list (removed->self, "pinned-projects", removed->root, removed->pinned_at);
  set_lists (removed->self, (const char * const *) recent, (const char * const *) pinned);
}

static void
remove_project (LeanProjectsView *self,
                const char       *root)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_auto(GStrv) pinned = g_settings_get_strv (self->settings, "pinned-projects");
  g_auto(GStrv) new_recent = strv_without ((const char * const *) recent, root);
  g_auto(GStrv) new_pinned = strv_without ((const char * const *) pinned, root);
  Removed *removed = g_new0 (Removed, 1);
  GtkWidget *overlay;
  g_autofree char *name = g_path_get_basename (root);
  g_autofree char *title = NULL;
  AdwToast *toast;

  g_set_weak_pointer (&removed->self, self);
  removed->root = g_strdup (root);
  removed->recent_at = strv_index ((const char * const *) recent, root);
  removed->pinned_at = strv_index ((const char * const *) pinned, root);

  set_lists (self, (const char * const *) new_recent, (const char * const *) new_pinned);

  /* Translators: a toast; %s is a project's folder name. */
  /* A toast's title is markup in libadwaita 1.2. */
  title = g_markup_printf_escaped (_("“%s” removed from the list"), name);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_remove), removed,
                         (GClosureNotify) (void (*) (void)) removed_free, 0);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

static guint
count_running (LeanProjectsView *self,
               const char       *root)
{
  GListModel *sessions;
  guint n = 0;

  if (self->controller == NULL)
    return 0;
  sessions = lean_controller_get_sessions (self->controller);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(LeanSession) session = g_list_model_get_item (sessions, i);

      if (!lean_session_state_is_final (lean_session_get_state (session)) &&
          g_strcmp0 (lean_session_get_project_path (session), root) == 0)
        n++;
    }
  return n;
}

static GtkWidget *
chip (const char *text,
      const char *name,
      const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "status-chip");
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  gtk_widget_set_name (label, name);
  return label;
}

static void
on_pin_clicked (GtkButton        *button,
                LeanProjectsView *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);

  toggle_pin (self, g_object_get_data (G_OBJECT (row), "root"));
}

static void
on_remove_clicked (GtkButton        *button,
                   LeanProjectsView *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  g_autofree char *root = g_strdup (g_object_get_data (G_OBJECT (row), "root"));

  remove_project (self, root);
}

static GtkWidget *
project_row (LeanProjectsView *self,
             const char       *root,
             gboolean          pinned)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *title_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *chips = g_object_new (GTK_TYPE_BOX, "layout-manager",
                                   lean_wrap_layout_new (6, 4), NULL);
  g_autofree char *name = g_path_get_basename (root);
  g_autofree char *where = display_path (root);
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *path = gtk_label_new (where);
  GtkWidget *pin = gtk_button_new_from_icon_name (pinned ? "starred-symbolic" : "non-starred-symbolic");
  GtkWidget *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  Counts *counts = self->counts != NULL ? g_hash_table_lookup (self->counts, root) : NULL;
  gboolean exists = g_file_test (root, G_FILE_TEST_IS_DIR);
  guint running = count_running (self, root);

  g_object_set_data_full (G_OBJECT (row), "root", g_strdup (root), g_free);
  g_object_set_data (G_OBJECT (row), "pinned", GINT_TO_POINTER (pinned));
  g_object_set_data (G_OBJECT (row), "pin", pin);
  g_object_set_data (G_OBJECT (row), "remove", remove);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), exists);
  gtk_widget_add_css_class (row, "project-row");

  gtk_widget_set_margin_start (hbox, 12);
  gtk_widget_set_margin_end (hbox, 6);
  gtk_widget_set_margin_top (hbox, 8);
  gtk_widget_set_margin_bottom (hbox, 8);
  gtk_widget_set_hexpand (vbox, TRUE);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  if (!exists)
    gtk_widget_add_css_class (title, "dim-label");
  gtk_box_append (GTK_BOX (title_box), title);
  if (g_strcmp0 (root, self->current) == 0)
    {
      GtkWidget *open = gtk_label_new (_("Open"));

      gtk_widget_add_css_class (open, "status-chip");
      gtk_widget_add_css_class (open, "current");
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (title_box), open);
    }
  gtk_box_append (GTK_BOX (vbox), title_box);

  gtk_label_set_xalign (GTK_LABEL (path), 0);
  gtk_label_set_ellipsize (GTK_LABEL (path), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (path, "caption");
  gtk_widget_add_css_class (path, "dim-label");
  gtk_widget_set_tooltip_text (path, root);
  gtk_box_append (GTK_BOX (vbox), path);

  if (running > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session running",
                                                            "%u sessions running", running),
                                               running);

      gtk_box_append (GTK_BOX (chips), chip (text, "running", "running"));
    }
  if (!exists)
    gtk_box_append (GTK_BOX (chips), chip (_("Folder not found"), "error", "error"));
  else if (counts == NULL)
    gtk_box_append (GTK_BOX (chips), chip (_("Counting…"), "counting", "none"));
  else if (counts->error != NULL)
    {
      GtkWidget *error = chip (_("Cannot be read"), "error", "error");

      gtk_widget_set_tooltip_text (error, counts->error);
      gtk_box_append (GTK_BOX (chips), error);
    }
  else
    {
      g_autofree char *total = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u spec",
                                                             "%u specs", counts->total),
                                                counts->total);

      gtk_box_append (GTK_BOX (chips), chip (total, "total", "none"));
      for (guint s = LEAN_SPEC_STATUS_DRAFT; s < LEAN_SPEC_N_STATUSES; s++)
        if (counts->by_status[s] > 0)
          {
            /* Translators: a count and a status, "12 Planned". */
            g_autofree char *text = g_strdup_printf (_("%u %s"), counts->by_status[s],
                                                     lean_spec_status_get_label (s));
            g_autofree char *chip_name = g_strdup_printf ("count-%s",
                                                          lean_spec_row_status_css_class (s));

            gtk_box_append (GTK_BOX (chips), chip (text, chip_name,
                                                   lean_spec_row_status_css_class (s)));
          }
    }
  gtk_box_append (GTK_BOX (vbox), chips);
  gtk_box_append (GTK_BOX (hbox), vbox);

  gtk_widget_set_valign (pin, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pin, "flat");
  gtk_widget_add_css_class (pin, "circular");
  gtk_widget_set_tooltip_text (pin, pinned ? _("Unpin") : _("Pin"));
  g_signal_connect_object (pin, "clicked", G_CALLBACK (on_pin_clicked), self, 0);
  gtk_box_append (GTK_BOX (hbox), pin);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_tooltip_text (remove, _("Remove from the List"));
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
  gtk_box_append (GTK_BOX (hbox), remove);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), hbox);
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
rebuild (LeanProjectsView *self)
{
  g_auto(GStrv) pinned = g_settings_get_strv (self->settings, "pinned-projects");
  g_auto(GStrv) roots = dup_roots (self);
  guint n_pinned = g_strv_length (pinned);
  guint n = g_strv_length (roots);

  clear_list (self->pinned_list);
  clear_list (self->recent_list);
  for (guint i = 0; i < n; i++)
    gtk_list_box_append (i < n_pinned ? self->pinned_list : self->recent_list,
                         project_row (self, roots[i], i < n_pinned));
  gtk_widget_set_visible (self->pinned_box, n_pinned > 0);
  gtk_widget_set_visible (self->recent_box, n > n_pinned);
  /* A header (the welcome page's) already says what to do first. */
  gtk_widget_set_visible (self->empty, n == 0 && self->header == NULL);
}

static void
on_lists_changed (LeanProjectsView *self)
{
  rebuild (self);
  /* Counted again once shown; a hidden view waits. */
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    recount (self);
}

static void
on_sessions_changed (LeanProjectsView *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    rebuild (self);
}

static void
on_row_activated (GtkListBox       *list,
                  GtkListBoxRow    *row,
                  LeanProjectsView *self)
{
  const char *root = g_object_get_data (G_OBJECT (row), "root");

  if (root != NULL)
    g_signal_emit (self, signals[OPEN_PROJECT], 0, root);
}

/* Delete on a row, or on its buttons, removes its project (with Undo);
 * the focus goes on to the row that takes its place. */
static gboolean
on_list_key_pressed (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     LeanProjectsView      *self)
{
  GtkWidget *list = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkRoot *root = gtk_widget_get_root (list);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *row;
  g_autofree char *project = NULL;
  GtkListBoxRow *next;
  int index;

  if ((keyval != GDK_KEY_Delete && keyval != GDK_KEY_KP_Delete) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 || focus == NULL)
    return GDK_EVENT_PROPAGATE;
  row = GTK_IS_LIST_BOX_ROW (focus) ? focus : gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_BOX_ROW);
  if (row == NULL || gtk_widget_get_parent (row) != list)
    return GDK_EVENT_PROPAGATE;
  project = g_strdup (g_object_get_data (G_OBJECT (row), "root"));
  index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  remove_project (self, project);
  next = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index);
  if (next == NULL && index > 0)
    next = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index - 1);
  if (next != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (next));
  return GDK_EVENT_STOP;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */

GtkWidget *
lean_projects_view_new (void)
{
  return g_object_new (LEAN_TYPE_PROJECTS_VIEW, NULL);
}

void
lean_projects_view_set_controller (LeanProjectsView *self,
                                   LeanController   *controller)
{
  g_return_if_fail (LEAN_IS_PROJECTS_VIEW (self));

  if (self->controller == controller)
    return;
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_set_object (&self->controller, controller);
  if (controller != NULL)
    {
      g_signal_connect_object (controller, "session-added", G_CALLBACK (on_sessions_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (controller, "session-ended", G_CALLBACK (on_sessions_changed),
                               self, G_CONNECT_SWAPPED);
    }
  rebuild (self);
}

void
lean_projects_view_set_header (LeanProjectsView *self,
                               GtkWidget        *header)
{
  g_return_if_fail (LEAN_IS_PROJECTS_VIEW (self));
  g_return_if_fail (header == NULL || GTK_IS_WIDGET (header));

  if (self->header == header)
    return;
  if (self->header != NULL)
    gtk_box_remove (GTK_BOX (self->content), self->header);
  self->header = header;
  if (header != NULL)
    gtk_box_prepend (GTK_BOX (self->content), header);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADER]);
}

GtkWidget *
lean_projects_view_get_header (LeanProjectsView *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECTS_VIEW (self), NULL);

  return self->header;
}

void
lean_projects_view_set_current (LeanProjectsView *self,
                                const char       *root)
{
  g_return_if_fail (LEAN_IS_PROJECTS_VIEW (self));

  if (g_strcmp0 (self->current, root) == 0)
    return;
  g_free (self->current);
  self->current = g_strdup (root);
  rebuild (self);
}

gboolean
_lean_projects_view_is_ready (LeanProjectsView *self)
{
  return self->counts != NULL && self->cancellable == NULL && !self->stale;
}

static GtkWidget *
find_in (GtkListBox *list,
         const char *root)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (g_object_get_data (G_OBJECT (row), "root"), root) == 0)
      return row;
  return NULL;
}

GtkWidget *
_lean_projects_view_find_row (LeanProjectsView *self,
                              const char       *root)
{
  GtkWidget *row = find_in (self->pinned_list, root);

  return row != NULL ? row : find_in (self->recent_list, root);
}

GtkWidget *
_lean_projects_view_get_pin_button (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "pin");
}

GtkWidget *
_lean_projects_view_get_remove_button (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "remove");
}

gboolean
_lean_projects_view_row_is_pinned (GtkWidget *row)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "pinned"));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
lean_projects_view_map (GtkWidget *widget)
{
  LeanProjectsView *self = LEAN_PROJECTS_VIEW (widget);

  GTK_WIDGET_CLASS (lean_projects_view_parent_class)->map (widget);
  /* Specs change while the view is hidden: each showing counts again. */
  rebuild (self);
  recount (self);
}

static GtkWidget *
group (const char  *heading,
       GtkWidget  **box_out,
       GtkListBox **list_out)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new (heading);
  GtkWidget *list = gtk_list_box_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), list);
  *box_out = box;
  *list_out = GTK_LIST_BOX (list);
  return box;
}

static void
lean_projects_view_dispose (GObject *object)
{
  LeanProjectsView *self = LEAN_PROJECTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->controller);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->current, g_free);

  G_OBJECT_CLASS (lean_projects_view_parent_class)->dispose (object);
}

static void
lean_projects_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LeanProjectsView *self = LEAN_PROJECTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_HEADER:
      g_value_set_object (value, self->header);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_projects_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LeanProjectsView *self = LEAN_PROJECTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_HEADER:
      lean_projects_view_set_header (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_projects_view_class_init (LeanProjectsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_projects_view_dispose;
  object_class->get_property = lean_projects_view_get_property;
  object_class->set_property = lean_projects_view_set_property;

  /* Shown above the lists, as the welcome page's title and its
   * Open Folder button. */
  properties[PROP_HEADER] =
    g_param_spec_object ("header", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->map = lean_projects_view_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "projectsview");

  signals[OPEN_PROJECT] =
    g_signal_new ("open-project", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lean_projects_view_init (LeanProjectsView *self)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

  self->content = box;
  self->settings = g_settings_new (APP_ID);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_widget_set_vexpand (self->scroller, TRUE);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_box_append (GTK_BOX (box), group (_("Pinned"), &self->pinned_box, &self->pinned_list));
  gtk_box_append (GTK_BOX (box), group (_("Recent"), &self->recent_box, &self->recent_list));
  self->empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty), "folder-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->empty), _("No Recent Projects"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->empty),
                                   _("Projects you open are listed here."));
  gtk_box_append (GTK_BOX (box), self->empty);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), clamp);

  for (guint i = 0; i < 2; i++)
    {
      GtkEventController *keys = gtk_event_controller_key_new ();

      g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_list_key_pressed), self, 0);
      gtk_widget_add_controller (GTK_WIDGET (i == 0 ? self->pinned_list : self->recent_list), keys);
    }
  g_signal_connect_object (self->pinned_list, "row-activated", G_CALLBACK (on_row_activated),
                           self, 0);
  g_signal_connect_object (self->recent_list, "row-activated", G_CALLBACK (on_row_activated),
                           self, 0);
  g_signal_connect_object (self->settings, "changed::recent-projects",
                           G_CALLBACK (on_lists_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::pinned-projects",
                           G_CALLBACK (on_lists_changed), self, G_CONNECT_SWAPPED);
  rebuild (self);
}
