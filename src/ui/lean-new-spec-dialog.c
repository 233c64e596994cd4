/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-new-spec-dialog.h"
#include "lean-new-spec-dialog-private.h"

struct _LeanNewSpecDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkButton      *create_button;
  AdwEntryRow    *title_row;
  AdwEntryRow    *name_row;
  AdwComboRow    *priority_row;
  AdwEntryRow    *tags_row;
  GtkLabel       *message_label;

  LeanSpecStore  *store;
  GtkWindow      *parent;       /* weak: whose win.open-spec we activate */
  GCancellable   *cancellable;
  guint           number;       /* next free number, 0 until known */
  gboolean        name_edited;  /* the user typed a name: stop deriving it */
  gboolean        setting_name;
  gboolean        creating;
};

G_DEFINE_FINAL_TYPE (LeanNewSpecDialog, lean_new_spec_dialog, ADW_TYPE_WINDOW)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "Add OAuth2 login!" -> "add-oauth2-login": what LeanSpec names folders. */
static char *
slugify (const char *title)
{
  g_autofree char *ascii = g_str_to_ascii (title, NULL);
  GString *out = g_string_new (NULL);
  gboolean dash = FALSE;

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (dash && out->len > 0)
            g_string_append_c (out, '-');
          g_string_append_c (out, g_ascii_tolower (*p));
          dash = FALSE;
        }
      else
        dash = TRUE;
    }

  /* Folder names stay short enough to read in a list. */
  if (out->len > 60)
    {
      g_string_truncate (out, 60);
      while (out->len > 0 && out->str[out->len - 1] == '-')
        g_string_truncate (out, out->len - 1);
    }
  return g_string_free (out, FALSE);
}

/* Lowercase letters, digits and single dashes between them. NULL when
 * valid, else a message saying what to change. */
static const char *
validate_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return _("Give the spec a name: lowercase letters, digits and dashes.");

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
        return _("The name may only contain lowercase letters, digits and dashes.");
    }
  if (name[0] == '-' || name[strlen (name) - 1] == '-' || strstr (name, "--") != NULL)
    return _("The name cannot start or end with a dash, or have two in a row.");

  return NULL;
}

static gboolean
name_in_use (LeanNewSpecDialog *self,
             const char        *name)
{
  g_autoptr(GPtrArray) specs = NULL;

  if (self->store == NULL)
    return FALSE;

  specs = lean_spec_store_dup_specs (self->store);
  for (guint i = 0; i < specs->len; i++)
    if (g_strcmp0 (lean_spec_get_slug (g_ptr_array_index (specs, i)), name) == 0)
      return TRUE;
  return FALSE;
}

static void
update_state (LeanNewSpecDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->title_row));
  const char *problem = validate_name (name);
  gboolean valid;
  g_autofree char *subtitle = NULL;

  if (problem != NULL && *name != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");

  {
    g_autofree char *stripped = g_strstrip (g_strdup (title));

    valid = problem == NULL && *stripped != '\0';
  }

  if (self->number > 0 && problem == NULL)
    subtitle = g_strdup_printf (_("Will be %03u-%s"), self->number, name);
  else if (self->number > 0)
    subtitle = g_strdup_printf (_("Will be spec %03u"), self->number);
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");

  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  if (problem != NULL && *name != '\0')
    {
      gtk_label_set_text (self->message_label, problem);
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
  else if (problem == NULL && name_in_use (self, name))
    /* Allowed (numbers keep folders apart) but worth saying. */
    gtk_label_set_text (self->message_label,
                        _("Another spec already has this name; the number will tell them apart."));
  else if (self->number > 0 && problem == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Creates specs/%03u-%s/README.md from the project's template."),
                                               self->number, name);

      gtk_label_set_text (self->message_label, text);
    }
  else
    gtk_label_set_text (self->message_label, "");

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button),
                            valid && !self->creating && self->store != NULL);
}

static void
on_title_changed (LeanNewSpecDialog *self)
{
  if (!self->name_edited)
    {
      g_autofree char *slug = slugify (gtk_editable_get_text (GTK_EDITABLE (self->title_row)));

      self->setting_name = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), slug);
      self->setting_name = FALSE;
    }
  update_state (self);
}

static void
on_name_changed (LeanNewSpecDialog *self)
{
  if (!self->setting_name)
    self->name_edited = *gtk_editable_get_text (GTK_EDITABLE (self->name_row)) != '\0';
  update_state (self);
}

/* The next number, found off the main loop (it scans folder names). */

static void
next_number_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_task_return_int (task, lean_project_next_number (task_data));
}

static void
next_number_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LeanNewSpecDialog *self = LEAN_NEW_SPEC_DIALOG (source);
  g_autoptr(GError) error = NULL;
  gssize number = g_task_propagate_int (G_TASK (result), &error);

  if (number > 0)
    {
      self->number = number;
      update_state (self);
    }
}

/* Creating */

typedef struct
{
  LeanProject      *project;
  char             *name;
  char             *title;
  LeanSpecPriority  priority;
  char            **tags;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_clear_object (&data->project);
  g_free (data->name);
  g_free (data->title);
  g_strfreev (data->tags);
  g_free (data);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *data = task_data;
  g_autoptr(GError) error = NULL;
  LeanSpec *spec;

  spec = lean_project_create_spec (data->project, data->name, data->title, data->priority,
                                   (const char * const *) data->tags, &error);
  if (spec == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, spec, g_object_unref);
}

static void
open_created (LeanNewSpecDialog *self,
              LeanSpec          *spec)
{
  g_signal_emit (self, signals[CREATED], 0, spec);

  if (self->parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->parent), "win.open-spec", "s",
                                lean_spec_get_id (spec));

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
reload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LeanNewSpecDialog) self = NULL;
  g_autoptr(LeanSpec) spec = user_data;
  g_autoptr(GError) error = NULL;

  self = g_object_get_data (G_OBJECT (spec), "lean-dialog");
  g_object_set_data (G_OBJECT (spec), "lean-dialog", NULL);

  /* The file is written either way; a failed reload only delays the list. */
  if (!lean_spec_store_load_finish (LEAN_SPEC_STORE (source), result, &error))
    g_message ("Reloading after creating %s failed: %s", lean_spec_get_id (spec), error->message);

  open_created (self, spec);
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LeanNewSpecDialog *self = LEAN_NEW_SPEC_DIALOG (source);
  g_autoptr(LeanSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = g_task_propagate_pointer (G_TASK (result), &error);
  self->creating = FALSE;

  if (spec == NULL)
    {
      /* Keep everything the user typed; say what went wrong. */
      gtk_label_set_text (self->message_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
      gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), TRUE);
      return;
    }

  lean_spec_store_replace (self->store, spec);

  /* replace() only swaps known specs in some stores; a new one may need a
   * reload before the list can select it. */
  if (lean_spec_store_lookup (self->store, lean_spec_get_id (spec)) == NULL)
    {
      g_object_set_data (G_OBJECT (spec), "lean-dialog", g_object_ref (self));
      lean_spec_store_load_async (self->store, NULL, reload_done, g_object_ref (spec));
      return;
    }

  open_created (self, spec);
}

static char **
parse_tags (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ",", -1);
  GPtrArray *tags = g_ptr_array_new_null_terminated (4, NULL, TRUE);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = g_strstrip (parts[i]);

      if (*tag != '\0' && !g_strv_contains ((const char * const *) tags->pdata, tag))
        g_ptr_array_add (tags, g_strdup (tag));
    }
  return (char **) g_ptr_array_free (tags, FALSE);
}

static void
on_create_clicked (LeanNewSpecDialog *self)
{
  g_autoptr(GTask) task = NULL;
  CreateData *data;
  g_autofree char *title = NULL;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->create_button)) || self->creating)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));

  data = g_new0 (CreateData, 1);
  data->project = g_object_ref (lean_spec_store_get_project (self->store));
  data->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  data->title = g_steal_pointer (&title);
  data->priority = adw_combo_row_get_selected (self->priority_row) + LEAN_SPEC_PRIORITY_LOW;
  data->tags = parse_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));

  self->creating = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), FALSE);

  task = g_task_new (self, self->cancellable, create_done, NULL);
  g_task_set_source_tag (task, on_create_clicked);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);
  g_task_run_in_thread (task, create_thread);
}

static void
on_entry_activated (LeanNewSpecDialog *self)
{
  on_create_clicked (self);
}

/* GObject */

static void
lean_new_spec_dialog_dispose (GObject *object)
{
  LeanNewSpecDialog *self = LEAN_NEW_SPEC_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_weak_pointer (&self->parent);

  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_NEW_SPEC_DIALOG);

  G_OBJECT_CLASS (lean_new_spec_dialog_parent_class)->dispose (object);
}

static void
lean_new_spec_dialog_class_init (LeanNewSpecDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_new_spec_dialog_dispose;

  signals[CREATED] =
    g_signal_new ("created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LEAN_TYPE_SPEC);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/leanspec/Desktop/lean-new-spec-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, priority_row);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, tags_row);
  gtk_widget_class_bind_template_child (widget_class, LeanNewSpecDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_title_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lean_new_spec_dialog_init (LeanNewSpecDialog *self)
{
  g_autoptr(GtkStringList) priorities = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  for (LeanSpecPriority p = LEAN_SPEC_PRIORITY_LOW; p < LEAN_SPEC_N_PRIORITIES; p++)
    gtk_string_list_append (priorities, lean_spec_priority_get_label (p));
  adw_combo_row_set_model (self->priority_row, G_LIST_MODEL (priorities));
  adw_combo_row_set_selected (self->priority_row, LEAN_SPEC_PRIORITY_MEDIUM - LEAN_SPEC_PRIORITY_LOW);

  update_state (self);
}

LeanNewSpecDialog *
lean_new_spec_dialog_new (GtkWindow     *parent,
                          LeanSpecStore *store)
{
  LeanNewSpecDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (store), NULL);

  self = g_object_new (LEAN_TYPE_NEW_SPEC_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  g_set_weak_pointer (&self->parent, parent);

  {
    g_autoptr(GTask) task = g_task_new (self, self->cancellable, next_number_done, NULL);

    g_task_set_source_tag (task, lean_new_spec_dialog_new);
    g_task_set_task_data (task, g_object_ref (lean_spec_store_get_project (store)), g_object_unref);
    g_task_run_in_thread (task, next_number_thread);
  }

  update_state (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
  return self;
}

void
lean_new_spec_dialog_present (GtkWindow     *parent,
                              LeanSpecStore *store)
{
  LeanNewSpecDialog *self;

  g_return_if_fail (LEAN_IS_SPEC_STORE (store));

  self = lean_new_spec_dialog_new (parent, store);
  gtk_window_present (GTK_WINDOW (self));
}

GtkEditable *
_lean_new_spec_dialog_get_title_entry (LeanNewSpecDialog *self)
{
  return GTK_EDITABLE (self->title_row);
}

GtkEditable *
_lean_new_spec_dialog_get_name_entry (LeanNewSpecDialog *self)
{
  return GTK_EDITABLE (self->name_row);
}

GtkEditable *
_lean_new_spec_dialog_get_tags_entry (LeanNewSpecDialog *self)
{
  return GTK_EDITABLE (self->tags_row);
}

void
_lean_new_spec_dialog_set_priority (LeanNewSpecDialog *self,
                                    LeanSpecPriority   priority)
{
  g_return_if_fail (priority >= LEAN_SPEC_PRIORITY_LOW);
  adw_combo_row_set_selected (self->priority_row, priority - LEAN_SPEC_PRIORITY_LOW);
}

GtkWidget *
_lean_new_spec_dialog_get_create_button (LeanNewSpecDialog *self)
{
  return GTK_WIDGET (self->create_button);
}

guint
_lean_new_spec_dialog_get_number (LeanNewSpecDialog *self)
{
  return self->number;
}

const char *
_lean_new_spec_dialog_get_message (LeanNewSpecDialog *self)
{
  return gtk_label_get_text (self->message_label);
}
