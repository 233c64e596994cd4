/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-spec-types.h"

static const char * const status_names[LEAN_SPEC_N_STATUSES] = {
  NULL, "draft", "planned", "in-progress", "complete", "archived",
};

static const char * const priority_names[LEAN_SPEC_N_PRIORITIES] = {
  NULL, "low", "medium", "high", "critical",
};

const char *
lean_spec_status_to_string (LeanSpecStatus status)
{
  g_return_val_if_fail (status < LEAN_SPEC_N_STATUSES, NULL);
  return status_names[status];
}

gboolean
lean_spec_status_from_string (const char     *str,
                              LeanSpecStatus *status)
{
  static const struct { const char *name; LeanSpecStatus value; } aliases[] = {
    { "in_progress", LEAN_SPEC_STATUS_IN_PROGRESS },
    { "inprogress",  LEAN_SPEC_STATUS_IN_PROGRESS },
    { "completed",   LEAN_SPEC_STATUS_COMPLETE },
  };
  g_autofree char *norm = NULL;

  if (str == NULL)
    return FALSE;

  norm = g_ascii_strdown (str, -1);
  g_strstrip (norm);

  for (guint i = 1; i < LEAN_SPEC_N_STATUSES; i++)
    if (g_str_equal (norm, status_names[i]))
      {
        if (status)
          *status = i;
        return TRUE;
      }

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (norm, aliases[i].name))
      {
        if (status)
          *status = aliases[i].value;
        return TRUE;
      }

  return FALSE;
}

const char *
lean_spec_status_get_label (LeanSpecStatus status)
{
  switch (status)
    {
    case LEAN_SPEC_STATUS_DRAFT:       return _("Draft");
    case LEAN_SPEC_STATUS_PLANNED:     return _("Planned");
    case LEAN_SPEC_STATUS_IN_PROGRESS: return _("In Progress");
    case LEAN_SPEC_STATUS_COMPLETE:    return _("Complete");
    case LEAN_SPEC_STATUS_ARCHIVED:    return _("Archived");
    case LEAN_SPEC_STATUS_NONE:
    default:                           return _("No Status");
    }
}

const char *
lean_spec_priority_to_string (LeanSpecPriority priority)
{
  g_return_val_if_fail (priority < LEAN_SPEC_N_PRIORITIES, NULL);
  return priority_names[priority];
}

gboolean
lean_spec_priority_from_string (const char       *str,
                                LeanSpecPriority *priority)
{
  g_autofree char *norm = NULL;

  if (str == NULL)
    return FALSE;

  norm = g_ascii_strdown (str, -1);
  g_strstrip (norm);

  if (g_str_equal (norm, "med"))
    norm = (g_free (norm), g_strdup ("medium"));
  else if (g_str_equal (norm, "urgent"))
    norm = (g_free (norm), g_strdup ("critical"));

  for (guint i = 1; i < LEAN_SPEC_N_PRIORITIES; i++)
    if (g_str_equal (norm, priority_names[i]))
      {
        if (priority)
          *priority = i;
        return TRUE;
      }

  return FALSE;
}

const char *
lean_spec_priority_get_label (LeanSpecPriority priority)
{
  switch (priority)
    {
    case LEAN_SPEC_PRIORITY_LOW:      return _("Low");
    case LEAN_SPEC_PRIORITY_MEDIUM:   return _("Medium");
    case LEAN_SPEC_PRIORITY_HIGH:     return _("High");
    case LEAN_SPEC_PRIORITY_CRITICAL: return _("Critical");
    case LEAN_SPEC_PRIORITY_NONE:
    default:                          return _("No Priority");
    }
}
