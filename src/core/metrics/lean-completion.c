/* SPDX-License-Identifier: MIT */
/* LeanCompletion: next steps and bookkeeping after Mark Complete. */
#include "config.h"

#include "lean-completion.h"
#include "lean-spec.h"

static gboolean
is_done (LeanSpec *spec)
{
  LeanSpecStatus status = lean_spec_get_status (spec);

  return status == LEAN_SPEC_STATUS_COMPLETE || lean_spec_is_archived (spec);
}

static LeanSpec *
resolve (LeanProject *project,
         GPtrArray   *specs,
         GHashTable  *by_id,
         const char  *ref)
{
  LeanSpec *spec = g_hash_table_lookup (by_id, ref);

  return spec != NULL ? spec : lean_project_find_spec (project, specs, ref, NULL);
}

GPtrArray *
lean_completion_unblocked_specs (LeanProject *project,
                                 GPtrArray   *specs,
                                 LeanSpec    *completed)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  const char *done_id = lean_spec_get_id (completed);

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      g_hash_table_insert (by_id, (gpointer) lean_spec_get_id (spec), spec);
    }

  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      const char * const *deps = lean_spec_get_depends_on (spec);
      gboolean on_completed = FALSE, blocked = FALSE;

      if (deps[0] == NULL || is_done (spec) || g_str_equal (lean_spec_get_id (spec), done_id))
        continue;
      for (guint k = 0; deps[k] != NULL; k++)
        {
          LeanSpec *target = resolve (project, specs, by_id, deps[k]);

          if (target == NULL)
            continue;  /* a dangling reference blocks nothing (lint reports it) */
          if (g_str_equal (lean_spec_get_id (target), done_id))
            on_completed = TRUE;
          else if (!is_done (target))
            blocked = TRUE;
        }
      if (on_completed && !blocked)
        g_ptr_array_add (out, g_object_ref (spec));
    }
  return out;
}

void
lean_completion_record (LeanSessionDb             *db,
                        const char                *project_path,
                        const char                *spec_id,
                        const LeanMetricsSpecWork *work)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;

  g_return_if_fail (LEAN_IS_SESSION_DB (db));
  g_return_if_fail (project_path != NULL && spec_id != NULL && work != NULL);

  lean_session_db_archive_spec (db, project_path, spec_id);
  if (work->sessions == 0 || work->last_session_id[0] == '\0')
    return;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "spec");
  json_builder_add_string_value (b, spec_id);
  json_builder_set_member_name (b, "sessions");
  json_builder_add_int_value (b, work->sessions);
  json_builder_set_member_name (b, "iterations");
  json_builder_add_int_value (b, work->iterations);
  json_builder_set_member_name (b, "tokens");
  json_builder_add_int_value (b, (gint64) work->tokens);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, work->cost_usd);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, work->duration_usec / 1000);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);
  lean_session_db_add_event (db, work->last_session_id, "spec-complete", payload);
}
