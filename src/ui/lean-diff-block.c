/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-diff-block.h"

struct _LeanDiffBlock
{
  GObject        parent_instance;

  char          *text;     /* the "@@" line, or the lines joined by '\n' */
  LeanDiffBlock *header;   /* NULL for a header */
  GArray        *kinds;    /* char */
  GArray        *numbers;  /* guint: in the new file */
  GArray        *old_numbers; /* guint: in the base file */
  gboolean       expanded;
};

enum { PROP_0, PROP_EXPANDED, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LeanDiffBlock, lean_diff_block, G_TYPE_OBJECT)

static void
lean_diff_block_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LeanDiffBlock *self = LEAN_DIFF_BLOCK (object);

  switch (prop_id)
    {
    case PROP_EXPANDED:
      g_value_set_boolean (value, self->expanded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_diff_block_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LeanDiffBlock *self = LEAN_DIFF_BLOCK (object);

  switch (prop_id)
    {
    case PROP_EXPANDED:
      lean_diff_block_set_expanded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_diff_block_finalize (GObject *object)
{
  LeanDiffBlock *self = LEAN_DIFF_BLOCK (object);

  g_free (self->text);
  g_clear_object (&self->header);
  g_clear_pointer (&self->kinds, g_array_unref);
  g_clear_pointer (&self->numbers, g_array_unref);
  g_clear_pointer (&self->old_numbers, g_array_unref);
  G_OBJECT_CLASS (lean_diff_block_parent_class)->finalize (object);
}

static void
lean_diff_block_class_init (LeanDiffBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lean_diff_block_get_property;
  object_class->set_property = lean_diff_block_set_property;
  object_class->finalize = lean_diff_block_finalize;
  properties[PROP_EXPANDED] =
    g_param_spec_boolean ("expanded", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_diff_block_init (LeanDiffBlock *self)
{
  self->expanded = TRUE;
}

LeanDiffBlock *
lean_diff_block_new_header (const char *header)
{
  LeanDiffBlock *self = g_object_new (LEAN_TYPE_DIFF_BLOCK, NULL);

  self->text = g_strdup (header);
  return self;
}

LeanDiffBlock *
lean_diff_block_new_lines (LeanDiffBlock *header,
                           char          *text,
                           GArray        *kinds,
                           GArray        *numbers,
                           GArray        *old_numbers)
{
  LeanDiffBlock *self = g_object_new (LEAN_TYPE_DIFF_BLOCK, NULL);

  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (header), NULL);
  self->header = g_object_ref (header);
  self->text = text;
  self->kinds = g_array_ref (kinds);
  self->numbers = g_array_ref (numbers);
  self->old_numbers = g_array_ref (old_numbers);
  return self;
}

gboolean
lean_diff_block_is_header (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), FALSE);
  return self->header == NULL;
}

const char *
lean_diff_block_get_text (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), NULL);
  return self->text;
}

LeanDiffBlock *
lean_diff_block_get_header (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), NULL);
  return self->header;
}

GArray *
lean_diff_block_get_kinds (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), NULL);
  return self->kinds;
}

GArray *
lean_diff_block_get_numbers (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), NULL);
  return self->numbers;
}

GArray *
lean_diff_block_get_old_numbers (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), NULL);
  return self->old_numbers;
}

gboolean
lean_diff_block_get_expanded (LeanDiffBlock *self)
{
  g_return_val_if_fail (LEAN_IS_DIFF_BLOCK (self), FALSE);
  return self->expanded;
}

void
lean_diff_block_set_expanded (LeanDiffBlock *self,
                              gboolean       expanded)
{
  g_return_if_fail (LEAN_IS_DIFF_BLOCK (self));
  expanded = !!expanded;
  if (self->expanded == expanded)
    return;
  self->expanded = expanded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPANDED]);
}
