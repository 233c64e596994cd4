/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-spec-problem.h"

struct _LeanSpecProblem
{
  GObject parent_instance;
  char *path;
  char *rel_path;
  char *reason;
};

G_DEFINE_FINAL_TYPE (LeanSpecProblem, lean_spec_problem, G_TYPE_OBJECT)

enum { PROP_0, PROP_PATH, PROP_REL_PATH, PROP_REASON, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
lean_spec_problem_finalize (GObject *object)
{
  LeanSpecProblem *self = (LeanSpecProblem *)object;

  g_free (self->path);
  g_free (self->rel_path);
  g_free (self->reason);

  G_OBJECT_CLASS (lean_spec_problem_parent_class)->finalize (object);
}

static void
lean_spec_problem_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LeanSpecProblem *self = LEAN_SPEC_PROBLEM (object);

  switch (prop_id)
    {
    case PROP_PATH:     g_value_set_string (value, self->path); break;
    case PROP_REL_PATH: g_value_set_string (value, self->rel_path); break;
    case PROP_REASON:   g_value_set_string (value, self->reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_problem_class_init (LeanSpecProblemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_spec_problem_finalize;
  object_class->get_property = lean_spec_problem_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REL_PATH] =
    g_param_spec_string ("rel-path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_spec_problem_init (LeanSpecProblem *self)
{
}

LeanSpecProblem *
lean_spec_problem_new (const char *path,
                       const char *rel_path,
                       const char *reason)
{
  LeanSpecProblem *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  self = g_object_new (LEAN_TYPE_SPEC_PROBLEM, NULL);
  self->path = g_strdup (path);
  self->rel_path = g_strdup (rel_path ? rel_path : path);
  self->reason = g_strdup (reason);
  return self;
}

const char *
lean_spec_problem_get_path (LeanSpecProblem *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_PROBLEM (self), NULL);
  return self->path;
}

const char *
lean_spec_problem_get_rel_path (LeanSpecProblem *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_PROBLEM (self), NULL);
  return self->rel_path;
}

const char *
lean_spec_problem_get_reason (LeanSpecProblem *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_PROBLEM (self), NULL);
  return self->reason;
}
