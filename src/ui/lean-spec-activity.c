/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-spec-activity.h"

struct _LeanSpecActivity
{
  GObject     parent_instance;

  char       *root;
  GHashTable *latest;  /* spec id -> LeanSession */
  GHashTable *validations;  /* spec id -> LeanSpecValidation */
  GHashTable *phases;       /* spec id -> phase << 16 | n_phases */
};

G_DEFINE_FINAL_TYPE (LeanSpecActivity, lean_spec_activity, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
on_state (LeanSpecActivity *self,
          GParamSpec       *pspec,
          LeanSession      *session)
{
  const char *spec_id = lean_session_get_spec_id (session);

  /* An older session of the spec ending says nothing about the spec now. */
  if (g_hash_table_lookup (self->latest, spec_id) != session)
    return;
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (spec_id), spec_id);
}

void
lean_spec_activity_track (LeanSpecActivity *self,
                          LeanSession      *session)
{
  const char *spec_id;
  LeanSession *current;

  g_return_if_fail (LEAN_IS_SPEC_ACTIVITY (self));
  g_return_if_fail (LEAN_IS_SESSION (session));

  spec_id = lean_session_get_spec_id (session);
  if (spec_id == NULL)
    return;
  current = g_hash_table_lookup (self->latest, spec_id);
  if (current == session)
    return;
  if (current != NULL)
    g_signal_handlers_disconnect_by_data (current, self);

  g_hash_table_replace (self->latest, g_strdup (spec_id), g_object_ref (session));
  g_signal_connect_object (session, "notify::state", G_CALLBACK (on_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (spec_id), spec_id);
}

LeanSession *
lean_spec_activity_get_session (LeanSpecActivity *self,
                                const char       *spec_id)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ACTIVITY (self), NULL);

  return spec_id != NULL ? g_hash_table_lookup (self->latest, spec_id) : NULL;
}

int
lean_spec_activity_get_state (LeanSpecActivity *self,
                              const char       *spec_id)
{
  LeanSession *session = lean_spec_activity_get_session (self, spec_id);
  LeanSessionState state;

  if (session == NULL)
    return -1;
  state = lean_session_get_state (session);
  if (state == LEAN_SESSION_STATE_COMPLETED || state == LEAN_SESSION_STATE_CANCELLED)
    return -1;
  return (int) state;
}

void
lean_spec_activity_set_validation (LeanSpecActivity   *self,
                                   const char         *spec_id,
                                   LeanSpecValidation  validation)
{
  g_return_if_fail (LEAN_IS_SPEC_ACTIVITY (self));
  g_return_if_fail (spec_id != NULL);

  if (lean_spec_activity_get_validation (self, spec_id) == validation)
    return;
  if (validation == LEAN_SPEC_VALIDATION_NONE)
    g_hash_table_remove (self->validations, spec_id);
  else
    g_hash_table_replace (self->validations, g_strdup (spec_id), GINT_TO_POINTER (validation));
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (spec_id), spec_id);
}

LeanSpecValidation
lean_spec_activity_get_validation (LeanSpecActivity *self,
                                   const char       *spec_id)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ACTIVITY (self), LEAN_SPEC_VALIDATION_NONE);

  if (spec_id == NULL)
    return LEAN_SPEC_VALIDATION_NONE;
  return GPOINTER_TO_INT (g_hash_table_lookup (self->validations, spec_id));
}

void
lean_spec_activity_set_phase (LeanSpecActivity *self,
                              const char       *spec_id,
                              guint             phase,
                              guint             n_phases)
{
  guint n = 0;

  g_return_if_fail (LEAN_IS_SPEC_ACTIVITY (self));
  g_return_if_fail (spec_id != NULL);

  if (phase > n_phases || n_phases > G_MAXUINT16)
    phase = 0;
  if (lean_spec_activity_get_phase (self, spec_id, &n) == phase && (phase == 0 || n == n_phases))
    return;
  if (phase == 0)
    g_hash_table_remove (self->phases, spec_id);
  else
    g_hash_table_replace (self->phases, g_strdup (spec_id),
                          GUINT_TO_POINTER (phase << 16 | n_phases));
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (spec_id), spec_id);
}

guint
lean_spec_activity_get_phase (LeanSpecActivity *self,
                              const char       *spec_id,
                              guint            *n_phases)
{
  guint packed;

  g_return_val_if_fail (LEAN_IS_SPEC_ACTIVITY (self), 0);

  packed = spec_id != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (self->phases, spec_id)) : 0;
  if (n_phases != NULL)
    *n_phases = packed & 0xffff;
  return packed >> 16;
}

const char *
lean_spec_activity_get_root (LeanSpecActivity *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_ACTIVITY (self), NULL);
  return self->root;
}

gboolean
lean_spec_activity_contains (LeanSpecActivity *self,
                             const char       *dir)
{
  gsize len;

  g_return_val_if_fail (LEAN_IS_SPEC_ACTIVITY (self), FALSE);

  if (dir == NULL)
    return FALSE;
  len = strlen (self->root);
  return strncmp (dir, self->root, len) == 0 && (dir[len] == '/' || dir[len] == '\0');
}

LeanSpecActivity *
lean_spec_activity_new (const char *project_root)
{
  LeanSpecActivity *self;

  g_return_val_if_fail (project_root != NULL, NULL);

  self = g_object_new (LEAN_TYPE_SPEC_ACTIVITY, NULL);
  self->root = g_strdup (project_root);
  return self;
}

static void
lean_spec_activity_dispose (GObject *object)
{
  LeanSpecActivity *self = LEAN_SPEC_ACTIVITY (object);
  GHashTableIter iter;
  gpointer session;

  if (self->latest != NULL)
    {
      g_hash_table_iter_init (&iter, self->latest);
      while (g_hash_table_iter_next (&iter, NULL, &session))
        g_signal_handlers_disconnect_by_data (session, self);
    }
  g_clear_pointer (&self->latest, g_hash_table_unref);
  g_clear_pointer (&self->validations, g_hash_table_unref);
  g_clear_pointer (&self->phases, g_hash_table_unref);

  G_OBJECT_CLASS (lean_spec_activity_parent_class)->dispose (object);
}

static void
lean_spec_activity_finalize (GObject *object)
{
  LeanSpecActivity *self = LEAN_SPEC_ACTIVITY (object);

  g_free (self->root);

  G_OBJECT_CLASS (lean_spec_activity_parent_class)->finalize (object);
}

static void
lean_spec_activity_class_init (LeanSpecActivityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_spec_activity_dispose;
  object_class->finalize = lean_spec_activity_finalize;

  /* Detailed with the spec id; the argument is the spec id too. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lean_spec_activity_init (LeanSpecActivity *self)
{
  self->latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->validations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->phases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
