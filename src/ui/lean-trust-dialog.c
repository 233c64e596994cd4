/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-trust-dialog.h"

struct _LeanTrustDialog
{
  AdwWindow         parent_instance;

  AdwToastOverlay  *toast_overlay;
  GtkLabel         *heading_label;
  GtkLabel         *body_label;
  GtkLabel         *path_label;
  GtkBox           *commands_box;
  GtkWidget        *trust_button;
  GtkWidget        *decline_button;

  LeanTrustRequest *request;
  LeanTrustStore   *store;
  GCancellable     *cancellable;
  gboolean          decided;
  gboolean          saving;
};

G_DEFINE_FINAL_TYPE (LeanTrustDialog, lean_trust_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_DECIDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
decide (LeanTrustDialog *self,
        gboolean         trusted)
{
  if (self->decided)
    return;
  self->decided = TRUE;
  if (!trusted)
    lean_trust_store_decline (self->store, self->request->path, self->request->sha256);
  g_signal_emit (self, signals[SIGNAL_DECIDED], 0, trusted);
}

/* Rows: "what" on the left, the exact value in monospace on the right. */

static GtkWidget *
value_label (const char *text,
             gboolean    placeholder)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* Text from the file is set as text, never parsed as markup. */
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), !placeholder);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, placeholder ? "dim-label" : "monospace");
  gtk_widget_add_css_class (label, "trust-value");
  return label;
}

static void
add_row (GtkListBox *list,
         const char *what,
         const char *value,
         gboolean    placeholder)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *key = gtk_label_new (what);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (key), 0);
  gtk_label_set_yalign (GTK_LABEL (key), 0);
  gtk_label_set_width_chars (GTK_LABEL (key), 11);
  gtk_widget_add_css_class (key, "dim-label");
  gtk_widget_add_css_class (key, "caption");
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), key);
  gtk_box_append (GTK_BOX (box), value_label (value, placeholder));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_append (list, row);
}

static void
add_command (LeanTrustDialog  *self,
             LeanTrustCommand *command)
{
  GtkWidget *group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *list = gtk_list_box_new ();
  g_autofree char *label = lean_trust_escape (command->label, FALSE);

  gtk_label_set_use_markup (GTK_LABEL (title), FALSE);
  gtk_label_set_text (GTK_LABEL (title), label);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (title, "heading");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  for (int i = 0; command->argv[i] != NULL; i++)
    {
      g_autofree char *what = i == 0 ? g_strdup (_("Program"))
                                     : g_strdup_printf (_("Argument %d"), i);

      if (i == command->prompt_index)
        add_row (GTK_LIST_BOX (list), what, _("the prompt, built from the spec"), TRUE);
      else
        {
          g_autofree char *escaped = lean_trust_escape (command->argv[i], TRUE);
          g_autofree char *quoted = g_strdup_printf ("\"%s\"", escaped);

          add_row (GTK_LIST_BOX (list), what, quoted, FALSE);
        }
    }
  if (command->prompt_on_stdin)
    add_row (GTK_LIST_BOX (list), _("Input"), _("the prompt, built from the spec"), TRUE);
  for (int i = 0; command->env != NULL && command->env[i] != NULL; i++)
    {
      const char *eq = strchr (command->env[i], '=');
      g_autofree char *key = g_strndup (command->env[i],
                                        eq ? (gsize)(eq - command->env[i]) : strlen (command->env[i]));
      g_autofree char *key_escaped = lean_trust_escape (key, FALSE);
      g_autofree char *value_escaped = lean_trust_escape (eq ? eq + 1 : "", TRUE);
      g_autofree char *text = g_strdup_printf ("%s=\"%s\"", key_escaped, value_escaped);

      add_row (GTK_LIST_BOX (list), _("Environment"), text, FALSE);
    }

  gtk_box_append (GTK_BOX (group), title);
  gtk_box_append (GTK_BOX (group), list);
  gtk_box_append (self->commands_box, group);
}

static void
add_text (LeanTrustDialog *self,
          const char      *text,
          const char      *css_class)
{
  g_autofree char *escaped = lean_trust_escape (text, FALSE);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_text (GTK_LABEL (label), escaped);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (self->commands_box, label);
}

static void
fill (LeanTrustDialog *self)
{
  LeanTrustRequest *request = self->request;
  g_autofree char *path = lean_trust_escape (request->path, FALSE);

  if (request->state == LEAN_TRUST_CHANGED)
    {
      gtk_label_set_text (self->heading_label, _("This Project’s Commands Changed"));
      gtk_label_set_text (self->body_label,
                          _("The file below changed since you trusted it. Review what it "
                            "would run now: these programs run with your permissions when "
                            "you start an agent."));
    }
  else
    {
      gtk_label_set_text (self->heading_label, _("Trust This Project’s Commands?"));
      gtk_label_set_text (self->body_label,
                          _("This project names programs to run as agents. They run with your "
                            "permissions when you start one. Trust them only if you trust "
                            "whoever wrote this file. The built-in agents work either way."));
    }
  gtk_label_set_text (self->path_label, path);

  for (guint i = 0; i < request->commands->len; i++)
    add_command (self, g_ptr_array_index (request->commands, i));

  for (guint i = 0; i < request->notes->len; i++)
    add_text (self, g_ptr_array_index (request->notes, i), NULL);
  if (request->ignored->len > 0)
    add_text (self, _("Ignored, it will not run:"), "heading");
  for (guint i = 0; i < request->ignored->len; i++)
    add_text (self, g_ptr_array_index (request->ignored, i), "dim-label");
}

/* Trusting writes the store (fsync) in a thread. */

static void
trust_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LeanTrustDialog *self = source_object;
  GError *error = NULL;

  if (lean_trust_store_trust (self->store, self->request->path, self->request->sha256, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_trusted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  LeanTrustDialog *self = LEAN_TRUST_DIALOG (object);
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trust.accept", TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  decide (self, TRUE);
  gtk_window_close (GTK_WINDOW (self));
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanTrustDialog *self = LEAN_TRUST_DIALOG (widget);
  g_autoptr(GTask) task = NULL;

  if (self->saving || self->decided)
    return;
  self->saving = TRUE;
  gtk_widget_action_set_enabled (widget, "trust.accept", FALSE);
  task = g_task_new (self, self->cancellable, on_trusted, NULL);
  g_task_set_source_tag (task, accept_action);
  g_task_run_in_thread (task, trust_thread);
}

static void
decline_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
lean_trust_dialog_close_request (GtkWindow *window)
{
  LeanTrustDialog *self = LEAN_TRUST_DIALOG (window);

  /* Closing while the trust is being written waits for it. */
  if (self->saving)
    return TRUE;
  decide (self, FALSE);
  return GTK_WINDOW_CLASS (lean_trust_dialog_parent_class)->close_request (window);
}

static void
lean_trust_dialog_dispose (GObject *object)
{
  LeanTrustDialog *self = LEAN_TRUST_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_TRUST_DIALOG);

  G_OBJECT_CLASS (lean_trust_dialog_parent_class)->dispose (object);
}

static void
lean_trust_dialog_finalize (GObject *object)
{
  LeanTrustDialog *self = LEAN_TRUST_DIALOG (object);

  g_clear_pointer (&self->request, lean_trust_request_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lean_trust_dialog_parent_class)->finalize (object);
}

static void
lean_trust_dialog_class_init (LeanTrustDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lean_trust_dialog_dispose;
  object_class->finalize = lean_trust_dialog_finalize;
  window_class->close_request = lean_trust_dialog_close_request;

  signals[SIGNAL_DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_install_action (widget_class, "trust.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "trust.decline", NULL, decline_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "trust.decline", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-trust-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, body_label);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, path_label);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, commands_box);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, trust_button);
  gtk_widget_class_bind_template_child (widget_class, LeanTrustDialog, decline_button);
}

static void
lean_trust_dialog_init (LeanTrustDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

void
lean_trust_dialog_set_body (LeanTrustDialog *self,
                            const char      *body)
{
  g_return_if_fail (LEAN_IS_TRUST_DIALOG (self));
  g_return_if_fail (body != NULL);

  gtk_label_set_text (self->body_label, body);
}

LeanTrustDialog *
lean_trust_dialog_new (GtkWindow        *parent,
                       LeanTrustRequest *request,
                       LeanTrustStore   *store)
{
  LeanTrustDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_TRUST_STORE (store), NULL);

  self = g_object_new (LEAN_TYPE_TRUST_DIALOG, "transient-for", parent, NULL);
  self->request = lean_trust_request_ref (request);
  self->store = g_object_ref (store);
  fill (self);
  /* Refusing is the safe default for Enter. */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->decline_button);
  gtk_widget_grab_focus (self->decline_button);
  return self;
}
