/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-spec-writer.h"
#include "lean-validation-private.h"

struct _LeanValidation
{
  GObject            parent_instance;

  char              *spec_id;
  char              *work_dir;
  LeanCheckConfig   *config;
  gboolean           trusted;
  GPtrArray         *runs;          /* LeanCheckRun, one per check */
  guint              current;
  gboolean           started;
  gboolean           finished;
  gboolean           cancelled;
  GPtrArray         *open_items;    /* char *, NULL-terminated */
  GPtrArray         *open_children; /* char *, NULL-terminated */
  LeanCriticVerdict *critic;
};

enum { CHECK_STARTED, CHECK_OUTPUT, CHECK_FINISHED, FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanValidation, lean_validation, G_TYPE_OBJECT)

static void
lean_validation_dispose (GObject *object)
{
  LeanValidation *self = LEAN_VALIDATION (object);

  if (self->runs != NULL)
    for (guint i = 0; i < self->runs->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->runs, i), self);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (lean_validation_parent_class)->dispose (object);
}

static void
lean_validation_finalize (GObject *object)
{
  LeanValidation *self = LEAN_VALIDATION (object);

  g_free (self->spec_id);
  g_free (self->work_dir);
  g_ptr_array_unref (self->open_items);
  g_ptr_array_unref (self->open_children);
  g_clear_pointer (&self->critic, lean_critic_verdict_unref);

  G_OBJECT_CLASS (lean_validation_parent_class)->finalize (object);
}

static void
lean_validation_class_init (LeanValidationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_validation_dispose;
  object_class->finalize = lean_validation_finalize;

  signals[CHECK_STARTED] =
    g_signal_new ("check-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_CHECK_RUN);
  signals[CHECK_OUTPUT] =
    g_signal_new ("check-output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, LEAN_TYPE_CHECK_RUN, G_TYPE_BYTES);
  signals[CHECK_FINISHED] =
    g_signal_new ("check-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_CHECK_RUN);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_validation_init (LeanValidation *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->open_items = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->open_items, NULL);
  self->open_children = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->open_children, NULL);
}

LeanValidation *
lean_validation_new (const char      *spec_id,
                     LeanCheckConfig *config,
                     const char      *work_dir)
{
  LeanValidation *self;

  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_CHECK_CONFIG (config), NULL);
  g_return_val_if_fail (work_dir != NULL, NULL);

  self = g_object_new (LEAN_TYPE_VALIDATION, NULL);
  self->spec_id = g_strdup (spec_id);
  self->work_dir = g_strdup (work_dir);
  self->config = g_object_ref (config);
  for (guint i = 0; i < lean_check_config_get_n_checks (config); i++)
    g_ptr_array_add (self->runs,
                     lean_check_run_new (lean_check_config_get_check (config, i), work_dir));
  return self;
}

LeanValidation *
_lean_validation_new_finished (const char         *spec_id,
                               const char         *work_dir,
                               GPtrArray          *runs,
                               const char * const *open_items,
                               const char * const *open_children,
                               LeanCriticVerdict  *critic)
{
  LeanValidation *self;

  g_return_val_if_fail (spec_id != NULL, NULL);
  g_return_val_if_fail (runs != NULL, NULL);

  self = g_object_new (LEAN_TYPE_VALIDATION, NULL);
  self->spec_id = g_strdup (spec_id);
  self->work_dir = g_strdup (work_dir != NULL ? work_dir : "");
  self->config = lean_check_config_new (LEAN_CHECK_SOURCE_DETECTED);
  for (guint i = 0; i < runs->len; i++)
    g_ptr_array_add (self->runs, g_object_ref (g_ptr_array_index (runs, i)));
  g_ptr_array_set_size (self->open_items, 0);
  for (guint i = 0; open_items != NULL && open_items[i] != NULL; i++)
    g_ptr_array_add (self->open_items, g_strdup (open_items[i]));
  g_ptr_array_add (self->open_items, NULL);
  g_ptr_array_set_size (self->open_children, 0);
  for (guint i = 0; open_children != NULL && open_children[i] != NULL; i++)
    g_ptr_array_add (self->open_children, g_strdup (open_children[i]));
  g_ptr_array_add (self->open_children, NULL);
  if (critic != NULL)
    self->critic = lean_critic_verdict_ref (critic);
  self->started = TRUE;
  self->finished = TRUE;
  self->current = runs->len;
  return self;
}

void
lean_validation_set_trusted (LeanValidation *self,
                             gboolean        trusted)
{
  g_return_if_fail (LEAN_IS_VALIDATION (self));
  self->trusted = !!trusted;
}

static void
set_strings (GPtrArray *array,
             GPtrArray *values)
{
  g_ptr_array_set_size (array, 0);
  for (guint i = 0; i < values->len; i++)
    g_ptr_array_add (array, g_steal_pointer (&values->pdata[i]));
  g_ptr_array_add (array, NULL);
}

void
lean_validation_set_completion (LeanValidation *self,
                                LeanProject    *project,
                                GPtrArray      *specs,
                                LeanSpec       *spec)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  g_autoptr(GPtrArray) children_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) children = NULL;

  g_return_if_fail (LEAN_IS_VALIDATION (self));
  g_return_if_fail (LEAN_IS_PROJECT (project));
  g_return_if_fail (LEAN_IS_SPEC (spec));

  for (guint i = 0; i < lean_spec_get_n_tasks (spec); i++)
    {
      guint line;
      gboolean checked;
      const char *text;

      if (lean_spec_get_task (spec, i, &line, &checked, &text) && !checked)
        g_ptr_array_add (items, g_strdup_printf (_("line %u: %s"), line, text));
    }
  children = lean_spec_writer_get_open_children (project, specs, spec);
  for (guint i = 0; i < children->len; i++)
    g_ptr_array_add (children_ids, g_strdup (lean_spec_get_id (g_ptr_array_index (children, i))));

  set_strings (self->open_items, items);
  set_strings (self->open_children, children_ids);
}

void
lean_validation_set_critic (LeanValidation    *self,
                            LeanCriticVerdict *verdict)
{
  g_return_if_fail (LEAN_IS_VALIDATION (self));

  g_clear_pointer (&self->critic, lean_critic_verdict_unref);
  if (verdict != NULL)
    self->critic = lean_critic_verdict_ref (verdict);
}

/* ---- running ---------------------------------------------------------- */

static void run_next (LeanValidation *self);

static void
on_run_output (LeanCheckRun   *run,
               GBytes         *bytes,
               LeanValidation *self)
{
  g_signal_emit (self, signals[CHECK_OUTPUT], 0, run, bytes);
}

static void
on_run_finished (LeanCheckRun   *run,
                 LeanValidation *self)
{
  g_signal_handlers_disconnect_by_data (run, self);
  g_signal_emit (self, signals[CHECK_FINISHED], 0, run);
  self->current++;
  run_next (self);
}

static void
run_next (LeanValidation *self)
{
  g_autoptr(LeanValidation) hold = g_object_ref (self);

  while (self->current < self->runs->len)
    {
      LeanCheckRun *run = g_ptr_array_index (self->runs, self->current);

      if (self->cancelled)
        {
          lean_check_run_cancel (run);
          g_signal_emit (self, signals[CHECK_FINISHED], 0, run);
          self->current++;
          continue;
        }
      g_signal_connect (run, "output", G_CALLBACK (on_run_output), self);
      g_signal_connect (run, "finished", G_CALLBACK (on_run_finished), self);
      g_signal_emit (self, signals[CHECK_STARTED], 0, run);
      lean_check_run_start (run);
      return;
    }

  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
}

void
lean_validation_run (LeanValidation *self)
{
  g_return_if_fail (LEAN_IS_VALIDATION (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  if (!lean_check_config_is_trusted (self->config, NULL, NULL) && !self->trusted)
    {
      /* Commands from an untrusted project file are never run. */
      const char *path = lean_check_config_get_path (self->config);
      g_autofree char *message =
        g_strdup_printf (_("%s is not trusted; review its commands and trust it first"),
                         path != NULL ? path : LEAN_CHECK_CONFIG_FILE);
      LeanCheckCounts none = { FALSE, 0, 0, 0 };

      for (guint i = 0; i < self->runs->len; i++)
        {
          LeanCheckRun *run = g_ptr_array_index (self->runs, i);
          LeanCheckRun *refused = lean_check_run_new_finished (lean_check_run_get_check (run),
                                                               LEAN_CHECK_STATUS_ERROR, -1, 0,
                                                               none, NULL, message);

          g_ptr_array_index (self->runs, i) = refused;
          g_object_unref (run);
        }
      self->current = self->runs->len;
    }
  run_next (self);
}

void
lean_validation_cancel (LeanValidation *self)
{
  g_return_if_fail (LEAN_IS_VALIDATION (self));

  if (self->finished || self->cancelled)
    return;
  self->cancelled = TRUE;
  if (self->started && self->current < self->runs->len)
    lean_check_run_cancel (g_ptr_array_index (self->runs, self->current));
}

/* ---- results ---------------------------------------------------------- */

const char *
lean_validation_get_spec_id (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  return self->spec_id;
}

const char *
lean_validation_get_work_dir (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  return self->work_dir;
}

gboolean
lean_validation_is_finished (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), FALSE);
  return self->finished;
}

gboolean
lean_validation_get_passed (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), FALSE);

  if (!self->finished || self->cancelled)
    return FALSE;
  for (guint i = 0; i < self->runs->len; i++)
    if (lean_check_run_get_status (g_ptr_array_index (self->runs, i)) != LEAN_CHECK_STATUS_PASSED)
      return FALSE;
  if (self->open_items->len > 1 || self->open_children->len > 1)
    return FALSE;
  if (self->critic != NULL && !lean_critic_verdict_passed (self->critic))
    return FALSE;
  return TRUE;
}

guint
lean_validation_get_n_runs (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), 0);
  return self->runs->len;
}

LeanCheckRun *
lean_validation_get_run (LeanValidation *self,
                         guint           index)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

const char * const *
lean_validation_get_open_items (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  return (const char * const *)self->open_items->pdata;
}

const char * const *
lean_validation_get_open_children (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  return (const char * const *)self->open_children->pdata;
}

LeanCriticVerdict *
lean_validation_get_critic (LeanValidation *self)
{
  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);
  return self->critic;
}

JsonNode *
lean_validation_check_to_json (LeanCheckRun *run)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *tail = NULL;
  LeanCheck *check;
  LeanCheckCounts counts;
  const char *message;
  GString *text;

  g_return_val_if_fail (LEAN_IS_CHECK_RUN (run), NULL);

  check = lean_check_run_get_check (run);
  counts = lean_check_run_get_counts (run);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, check->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, check->name);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, lean_check_kind_to_string (check->kind));
  json_builder_set_member_name (builder, "argv");
  json_builder_begin_array (builder);
  for (guint i = 0; check->argv[i] != NULL; i++)
    json_builder_add_string_value (builder, check->argv[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder,
                                 lean_check_status_to_string (lean_check_run_get_status (run)));
  json_builder_set_member_name (builder, "exit_code");
  if (lean_check_run_get_exit_code (run) >= 0)
    json_builder_add_int_value (builder, lean_check_run_get_exit_code (run));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, lean_check_run_get_duration_ms (run));
  json_builder_set_member_name (builder, "counts");
  if (counts.found)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "passed");
      json_builder_add_int_value (builder, counts.passed);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, counts.failed);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, counts.skipped);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  /* The output's end, then why it ended when that is not in the output. */
  tail = lean_check_run_get_output_tail (run, LEAN_VALIDATION_TAIL_BYTES);
  text = g_string_new (tail);
  message = lean_check_run_get_message (run);
  if (message != NULL)
    {
      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, '\n');
      g_string_append (text, message);
    }
  json_builder_set_member_name (builder, "output_tail");
  json_builder_add_string_value (builder, text->str);
  g_string_free (text, TRUE);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_strings (JsonBuilder        *builder,
             const char         *name,
             const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

JsonNode *
lean_validation_to_json (LeanValidation *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LEAN_IS_VALIDATION (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spec");
  json_builder_add_string_value (builder, self->spec_id);
  json_builder_set_member_name (builder, "passed");
  json_builder_add_boolean_value (builder, lean_validation_get_passed (self));
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->runs->len; i++)
    json_builder_add_value (builder, lean_validation_check_to_json (g_ptr_array_index (self->runs, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "completion");
  json_builder_begin_object (builder);
  add_strings (builder, "open_items", lean_validation_get_open_items (self));
  add_strings (builder, "open_children", lean_validation_get_open_children (self));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "critic");
  if (self->critic != NULL)
    json_builder_add_value (builder, lean_critic_verdict_to_json (self->critic));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
