/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-spec-view-private.h"
#include "lean-wrap-layout.h"

/* The parts of the spec page a person edits in place: the title, the
 * status and priority chips, the tags and the assignee. Each change is an
 * edit for the store (lean-spec-view.c); what is typed is checked here,
 * in the entry, before anything is asked of it. */

/* Input checks */

/* Shows @problem (NULL: none) under @entry in @label, with the entry in
 * the error style and @confirm insensitive while there is one. */
static void
show_input_problem (GtkEntry   *entry,
                    GtkLabel   *label,
                    GtkWidget  *confirm,
                    const char *problem,
                    gboolean    can_confirm)
{
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), problem);
  gtk_label_set_text (label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (label), problem != NULL);
  if (confirm != NULL)
    gtk_widget_set_sensitive (confirm, problem == NULL && can_confirm);
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* Why @tag cannot be added to the shown spec, or NULL. */
static const char *
tag_problem (LeanSpecView *self,
             const char   *tag)
{
  if (has_control_chars (tag))
    return _("A tag is one line of text");
  /* `leanspec update --add-tags a,b` splits on commas: such a tag could
   * never be removed there. */
  if (strchr (tag, ',') != NULL)
    return _("A tag cannot contain a comma");
  if (g_utf8_strlen (tag, -1) > 64)
    return _("A tag can be at most 64 characters long");
  if (self->spec != NULL && g_strv_contains (lean_spec_get_tags (self->spec), tag))
    return _("The spec already has this tag");
  return NULL;
}

static const char *
assignee_problem (const char *assignee)
{
  if (has_control_chars (assignee))
    return _("A name is one line of text");
  if (g_utf8_strlen (assignee, -1) > 80)
    return _("A name can be at most 80 characters long");
  return NULL;
}

static const char *
title_problem (const char *title)
{
  if (*title == '\0')
    return _("A spec needs a title");
  if (has_control_chars (title))
    return _("A title is one line of text");
  return NULL;
}

/* Renaming: the title label swaps for an entry of the same size. */

void
_lean_spec_view_stop_renaming (LeanSpecView *self)
{
  gtk_stack_set_visible_child_name (self->title_stack, "label");
  show_input_problem (self->title_entry, self->title_error, NULL, NULL, TRUE);
}

void
_lean_spec_view_start_renaming (LeanSpecView *self)
{
  if (self->spec == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->title_entry), lean_spec_get_title (self->spec));
  gtk_stack_set_visible_child_name (self->title_stack, "entry");
  gtk_widget_grab_focus (GTK_WIDGET (self->title_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->title_entry), 0, -1);
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _lean_spec_view_start_renaming (LEAN_SPEC_VIEW (widget));
}

static void
on_title_entry_changed (GtkEditable  *entry,
                        LeanSpecView *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  show_input_problem (self->title_entry, self->title_error, NULL, title_problem (title), TRUE);
}

static void
on_title_entry_activate (GtkEntry     *entry,
                         LeanSpecView *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (self->spec == NULL)
    return;
  /* The reason is under the entry; Enter waits for a title that works. */
  if (title_problem (title) != NULL)
    return;

  _lean_spec_view_stop_renaming (self);
  if (g_strcmp0 (title, lean_spec_get_title (self->spec)) == 0)
    return;

  gtk_label_set_text (self->title_label, title);
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_title (title), _("Spec renamed"));
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
      _lean_spec_view_stop_renaming (self);
      return TRUE;
    }
  return FALSE;
}

/* Status and priority */

/* One radio item per value: @action with the value LeanSpec writes. */
static GMenuModel *
build_menu (const char   *action,
            guint         n_values,
            const char *(*label) (guint value),
            const char *(*name) (guint value))
{
  GMenu *menu = g_menu_new ();

  for (guint v = 1; v < n_values; v++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (label (v), NULL);

      g_menu_item_set_action_and_target (item, action, "s", name (v));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* The file's own word for status, and a tooltip saying what LeanSpec makes
 * of it when that is not one of its values. */
static char *
describe_status (LeanSpec  *spec,
                 char     **tooltip)
{
  LeanSpecStatus status = lean_spec_get_status (spec);
  const char *raw = lean_spec_get_field (spec, "status");
  g_autofree char *word = raw != NULL ? g_strstrip (g_strdup (raw)) : NULL;

  if (status == LEAN_SPEC_STATUS_NONE && word != NULL && *word != '\0')
    {
      /* leanspec 0.3.0 refuses to read a project with such a spec. */
      *tooltip = g_strdup_printf (_("“%s” is not a LeanSpec status (draft, planned, in-progress, "
                                    "complete, archived), so LeanSpec cannot read this spec. "
                                    "Choose one to fix it."), word);
      return g_steal_pointer (&word);
    }
  if (status != LEAN_SPEC_STATUS_NONE && g_strcmp0 (word, lean_spec_status_to_string (status)) != 0)
    {
      *tooltip = g_strdup_printf (_("The file says “%s”, which LeanSpec reads as %s. Change Status"),
                                  word, lean_spec_status_get_label (status));
      return g_steal_pointer (&word);
    }
  *tooltip = g_strdup (_("Change Status"));
  return g_strdup (status == LEAN_SPEC_STATUS_NONE ? _("No Status") : lean_spec_status_get_label (status));
}

static char *
describe_priority (LeanSpec  *spec,
                   char     **tooltip)
{
  LeanSpecPriority priority = lean_spec_get_priority (spec);
  const char *raw = lean_spec_get_field (spec, "priority");
  g_autofree char *word = raw != NULL ? g_strstrip (g_strdup (raw)) : NULL;

  if (priority == LEAN_SPEC_PRIORITY_NONE && word != NULL && *word != '\0')
    {
      *tooltip = g_strdup_printf (_("“%s” is not a LeanSpec priority (low, medium, high, critical), "
                                    "so LeanSpec cannot read this spec. Choose one to fix it."), word);
      return g_strdup_printf (_("%s Priority"), word);
    }
  if (priority != LEAN_SPEC_PRIORITY_NONE && g_strcmp0 (word, lean_spec_priority_to_string (priority)) != 0)
    {
      *tooltip = g_strdup_printf (_("“%s” is not one of LeanSpec's priorities; LeanSpec counts it as %s. "
                                    "Change Priority"), word, lean_spec_priority_get_label (priority));
      return g_strdup_printf (_("%s Priority"), word);
    }
  *tooltip = g_strdup (_("Change Priority"));
  if (priority == LEAN_SPEC_PRIORITY_NONE)
    return g_strdup (_("No Priority"));
  return g_strdup_printf (_("%s Priority"), lean_spec_priority_get_label (priority));
}

void
_lean_spec_view_update_chips (LeanSpecView *self,
                              LeanSpec     *spec)
{
  static const char *classes[] = { "none", "draft", "planned", "in-progress", "complete", "archived" };
  LeanSpecStatus status = lean_spec_get_status (spec);
  LeanSpecPriority priority = lean_spec_get_priority (spec);
  g_autofree char *status_tooltip = NULL;
  g_autofree char *status_text = describe_status (spec, &status_tooltip);
  g_autofree char *priority_tooltip = NULL;
  g_autofree char *priority_text = describe_priority (spec, &priority_tooltip);

  /* The same chip and mark as the list rows (style.css), inside flat menu
   * buttons. */
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_chip), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_chip), classes[status]);
  gtk_label_set_text (self->status_chip, status_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_button), status_tooltip);

  gtk_label_set_text (self->priority_mark, priority_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->priority_button), priority_tooltip);
  for (guint i = 0; i < LEAN_SPEC_N_PRIORITIES; i++)
    {
      const char *name = lean_spec_priority_to_string (i);

      if (name != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self->priority_mark), name);
    }
  if (priority != LEAN_SPEC_PRIORITY_NONE)
    gtk_widget_add_css_class (GTK_WIDGET (self->priority_mark), lean_spec_priority_to_string (priority));
}

/* Tags */

void
_lean_spec_view_update_tags (LeanSpecView *self,
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
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *label = gtk_label_new (tags[i]);
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");
      g_autofree char *tooltip = g_strdup_printf (_("Remove tag %s"), tags[i]);

      gtk_widget_add_css_class (chip, "spec-tag");
      gtk_widget_set_valign (chip, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      /* A 24 px target (HIG), drawn as a small "×" inside the pill. */
      gtk_widget_set_size_request (remove, 24, 24);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_widget_add_css_class (remove, "spec-tag-remove");
      gtk_widget_set_tooltip_text (remove, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "spec.remove-tag");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", tags[i]);
      gtk_box_append (GTK_BOX (chip), label);
      gtk_box_append (GTK_BOX (chip), remove);
      g_object_set_data_full (G_OBJECT (chip), "lean-tag", g_strdup (tags[i]), g_free);
      gtk_box_insert_child_after (self->chips_box, chip,
                                  gtk_widget_get_prev_sibling (GTK_WIDGET (self->tag_add_button)));
    }
}

static void
add_tag_from_user (LeanSpecView *self,
                   const char   *text)
{
  g_autofree char *tag = g_strstrip (g_strdup (text));
  g_autofree char *done = NULL;

  if (*tag == '\0' || self->spec == NULL || tag_problem (self, tag) != NULL)
    return;
  gtk_popover_popdown (self->tag_popover);
  done = g_strdup_printf (_("Tag “%s” added"), tag);
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_add_tag (tag), done);
}

static void
remove_tag_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LeanSpecView *self = LEAN_SPEC_VIEW (widget);
  const char *tag = g_variant_get_string (parameter, NULL);
  g_autofree char *done = g_strdup_printf (_("Tag “%s” removed"), tag);

  if (self->spec != NULL)
    _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_remove_tag (tag), done);
}

static void
on_tag_entry_activate (GtkEntry     *entry,
                       LeanSpecView *self)
{
  add_tag_from_user (self, gtk_editable_get_text (GTK_EDITABLE (self->tag_entry)));
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

      /* Long tags ellipsize inside the popover instead of widening it past
       * the window. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
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
  g_autofree char *tag = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  show_input_problem (self->tag_entry, self->tag_error, GTK_WIDGET (self->tag_add_confirm),
                      tag_problem (self, tag), *tag != '\0');
  update_tag_suggestions (self);
}

static void
on_tag_popover_show (GtkPopover   *popover,
                     LeanSpecView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->tag_entry), "");
  on_tag_entry_changed (GTK_EDITABLE (self->tag_entry), self);
  gtk_widget_grab_focus (GTK_WIDGET (self->tag_entry));
}

/* Assignee */

void
_lean_spec_view_update_assignee (LeanSpecView *self,
                                 LeanSpec     *spec)
{
  const char *assignee = lean_spec_get_assignee (spec);

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
}

static void
on_assignee_entry_changed (GtkEditable  *entry,
                           LeanSpecView *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  show_input_problem (self->assignee_entry, self->assignee_error, GTK_WIDGET (self->assignee_confirm),
                      assignee_problem (text), TRUE);
}

static void
on_assignee_popover_show (GtkPopover   *popover,
                          LeanSpecView *self)
{
  const char *assignee = self->spec != NULL ? lean_spec_get_assignee (self->spec) : NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->assignee_entry), assignee != NULL ? assignee : "");
  on_assignee_entry_changed (GTK_EDITABLE (self->assignee_entry), self);
  gtk_widget_grab_focus (GTK_WIDGET (self->assignee_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->assignee_entry), 0, -1);
}

static void
on_assignee_entry_activate (GtkEntry     *entry,
                            LeanSpecView *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->assignee_entry))));
  const char *current;

  if (self->spec == NULL || assignee_problem (text) != NULL)
    return;
  gtk_popover_popdown (self->assignee_popover);
  current = lean_spec_get_assignee (self->spec);
  if (g_strcmp0 (current != NULL ? current : "", text) == 0)
    return;
  _lean_spec_view_apply_edit (self, self->spec, lean_spec_edit_new_assignee (text),
                              *text != '\0' ? _("Assignee changed") : _("Assignee removed"));
}

/* Set up */

static GtkWidget *
menu_button_content (GtkWidget *label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");

  gtk_widget_set_valign (label, GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (box, GTK_ALIGN_BASELINE);
  gtk_widget_add_css_class (arrow, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), arrow);
  return box;
}

void
_lean_spec_view_chips_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_title_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_title_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_suggestion_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_assignee_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_assignee_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_assignee_entry_changed);

  gtk_widget_class_install_action (widget_class, "spec.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "spec.remove-tag", "s", remove_tag_action);
}

void
_lean_spec_view_chips_init (LeanSpecView *self)
{
  g_autoptr(GMenuModel) status_menu =
    build_menu ("spec.status", LEAN_SPEC_N_STATUSES,
                (const char *(*) (guint)) lean_spec_status_get_label,
                (const char *(*) (guint)) lean_spec_status_to_string);
  g_autoptr(GMenuModel) priority_menu =
    build_menu ("spec.priority", LEAN_SPEC_N_PRIORITIES,
                (const char *(*) (guint)) lean_spec_priority_get_label,
                (const char *(*) (guint)) lean_spec_priority_to_string);
  GtkEventController *keys = gtk_event_controller_key_new ();

  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_title_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->title_entry), keys);

  gtk_widget_set_layout_manager (GTK_WIDGET (self->chips_box), lean_wrap_layout_new (8, 6));

  gtk_menu_button_set_menu_model (self->status_button, status_menu);
  gtk_menu_button_set_menu_model (self->priority_button, priority_menu);

  self->status_chip = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_chip), "status-chip");
  gtk_menu_button_set_child (self->status_button, menu_button_content (GTK_WIDGET (self->status_chip)));
  self->priority_mark = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->priority_mark), "priority-mark");
  gtk_menu_button_set_child (self->priority_button, menu_button_content (GTK_WIDGET (self->priority_mark)));
}
