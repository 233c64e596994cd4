/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-error.h"
#include "lean-spec-edit.h"
#include "lean-spec-writer.h"

struct _LeanSpecEdit
{
  gatomicrefcount   ref_count;
  LeanSpecEditKind  kind;
  int               value;    /* status, priority */
  char             *text;     /* tag, assignee, title; the file of a task */
  guint             line;
  gboolean          flag;     /* checked, force */
  LeanSpec         *expected; /* RESTORE */
  GBytes           *contents; /* RESTORE */
};

G_DEFINE_BOXED_TYPE (LeanSpecEdit, lean_spec_edit, lean_spec_edit_ref, lean_spec_edit_unref)

static LeanSpecEdit *
edit_new (LeanSpecEditKind  kind,
          const char       *text)
{
  LeanSpecEdit *self = g_new0 (LeanSpecEdit, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->text = g_strdup (text);
  return self;
}

LeanSpecEdit *
lean_spec_edit_new_status (LeanSpecStatus status)
{
  LeanSpecEdit *self = edit_new (LEAN_SPEC_EDIT_STATUS, NULL);

  self->value = status;
  return self;
}

LeanSpecEdit *
lean_spec_edit_new_priority (LeanSpecPriority priority)
{
  LeanSpecEdit *self = edit_new (LEAN_SPEC_EDIT_PRIORITY, NULL);

  self->value = priority;
  return self;
}

LeanSpecEdit *
lean_spec_edit_new_assignee (const char *assignee)
{
  return edit_new (LEAN_SPEC_EDIT_ASSIGNEE, assignee != NULL ? assignee : "");
}

LeanSpecEdit *
lean_spec_edit_new_add_tag (const char *tag)
{
  g_return_val_if_fail (tag != NULL, NULL);

  return edit_new (LEAN_SPEC_EDIT_ADD_TAG, tag);
}

LeanSpecEdit *
lean_spec_edit_new_remove_tag (const char *tag)
{
  g_return_val_if_fail (tag != NULL, NULL);

  return edit_new (LEAN_SPEC_EDIT_REMOVE_TAG, tag);
}

LeanSpecEdit *
lean_spec_edit_new_task (const char *file,
                         guint       line,
                         gboolean    checked)
{
  LeanSpecEdit *self = edit_new (LEAN_SPEC_EDIT_TASK, file != NULL ? file : "README.md");

  self->line = line;
  self->flag = checked;
  return self;
}

LeanSpecEdit *
lean_spec_edit_new_title (const char *title)
{
  g_return_val_if_fail (title != NULL, NULL);

  return edit_new (LEAN_SPEC_EDIT_TITLE, title);
}

LeanSpecEdit *
lean_spec_edit_new_complete (gboolean force)
{
  LeanSpecEdit *self = edit_new (LEAN_SPEC_EDIT_COMPLETE, NULL);

  self->flag = force;
  return self;
}

LeanSpecEdit *
lean_spec_edit_new_restore (LeanSpec *written,
                            GBytes   *contents)
{
  LeanSpecEdit *self;

  g_return_val_if_fail (LEAN_IS_SPEC (written), NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  self = edit_new (LEAN_SPEC_EDIT_RESTORE, NULL);
  self->expected = g_object_ref (written);
  self->contents = g_bytes_ref (contents);
  return self;
}

LeanSpecEdit *
lean_spec_edit_ref (LeanSpecEdit *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lean_spec_edit_unref (LeanSpecEdit *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->text);
  g_clear_object (&self->expected);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_free (self);
}

LeanSpecEditKind
lean_spec_edit_get_kind (LeanSpecEdit *self)
{
  return self->kind;
}

const char *
lean_spec_edit_get_text (LeanSpecEdit *self)
{
  if (self->kind == LEAN_SPEC_EDIT_TASK)
    return NULL;
  return self->text;
}

LeanSpec *
lean_spec_edit_get_expected (LeanSpecEdit *self)
{
  return self->expected;
}

GBytes *
lean_spec_edit_get_contents (LeanSpecEdit *self)
{
  return self->contents;
}

/* Worked out on the snapshot the edit applies to, so quick adds and
 * removes in a row each keep the others' effect. */
static LeanSpec *
apply_tag (LeanSpecEdit  *self,
           LeanSpec      *spec,
           GError       **error)
{
  const char * const *tags = lean_spec_get_tags (spec);
  g_autoptr(GPtrArray) next = g_ptr_array_new ();
  gboolean adding = self->kind == LEAN_SPEC_EDIT_ADD_TAG;

  if (g_strv_contains (tags, self->text) == adding)
    return g_object_ref (spec);

  for (guint i = 0; tags[i] != NULL; i++)
    if (adding || g_strcmp0 (tags[i], self->text) != 0)
      g_ptr_array_add (next, (gpointer) tags[i]);
  if (adding)
    g_ptr_array_add (next, self->text);
  g_ptr_array_add (next, NULL);
  return lean_spec_writer_set_tags (spec, (const char * const *) next->pdata, error);
}

LeanSpec *
lean_spec_edit_apply (LeanSpecEdit  *self,
                      LeanProject   *project,
                      GPtrArray     *specs,
                      LeanSpec      *spec,
                      GError       **error)
{
  const char *assignee;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  switch (self->kind)
    {
    case LEAN_SPEC_EDIT_STATUS:
      return lean_spec_writer_set_status (spec, self->value, error);
    case LEAN_SPEC_EDIT_PRIORITY:
      if (lean_spec_get_priority (spec) == (LeanSpecPriority) self->value &&
          g_strcmp0 (lean_spec_get_field (spec, "priority"),
                     lean_spec_priority_to_string (self->value)) == 0)
        return g_object_ref (spec);
      return lean_spec_writer_set_priority (spec, self->value, error);
    case LEAN_SPEC_EDIT_ASSIGNEE:
      assignee = lean_spec_get_assignee (spec);
      if (g_strcmp0 (assignee != NULL ? assignee : "", self->text) == 0)
        return g_object_ref (spec);
      return lean_spec_writer_set_assignee (spec, self->text, error);
    case LEAN_SPEC_EDIT_ADD_TAG:
    case LEAN_SPEC_EDIT_REMOVE_TAG:
      return apply_tag (self, spec, error);
    case LEAN_SPEC_EDIT_TASK:
      if (g_str_equal (self->text, "README.md"))
        return lean_spec_writer_set_task (spec, self->text, self->line + lean_spec_get_body_line (spec) - 1,
                                          self->flag, error);
      return lean_spec_writer_set_task (spec, self->text, self->line, self->flag, error);
    case LEAN_SPEC_EDIT_TITLE:
      if (g_strcmp0 (lean_spec_get_title (spec), self->text) == 0)
        return g_object_ref (spec);
      return lean_spec_writer_set_title (spec, self->text, error);
    case LEAN_SPEC_EDIT_COMPLETE:
      if (project == NULL)
        {
          g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                               _("completing a spec needs its project"));
          return NULL;
        }
      return lean_spec_writer_complete (project, specs, spec, self->flag, error);
    case LEAN_SPEC_EDIT_RESTORE:
      /* Against the snapshot it undoes: the writer refuses if the file
       * moved on since, whatever @spec is. */
      return lean_spec_writer_replace (self->expected, self->contents, error);
    default:
      g_assert_not_reached ();
    }
}
