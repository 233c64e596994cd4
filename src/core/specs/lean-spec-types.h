/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Order matters: it is the board order and the sort order. */
typedef enum
{
  LEAN_SPEC_STATUS_NONE = 0,    /* missing or unreadable status */
  LEAN_SPEC_STATUS_DRAFT,
  LEAN_SPEC_STATUS_PLANNED,
  LEAN_SPEC_STATUS_IN_PROGRESS,
  LEAN_SPEC_STATUS_COMPLETE,
  LEAN_SPEC_STATUS_ARCHIVED,
} LeanSpecStatus;

#define LEAN_SPEC_N_STATUSES (LEAN_SPEC_STATUS_ARCHIVED + 1)

typedef enum
{
  LEAN_SPEC_PRIORITY_NONE = 0,
  LEAN_SPEC_PRIORITY_LOW,
  LEAN_SPEC_PRIORITY_MEDIUM,
  LEAN_SPEC_PRIORITY_HIGH,
  LEAN_SPEC_PRIORITY_CRITICAL,
} LeanSpecPriority;

#define LEAN_SPEC_N_PRIORITIES (LEAN_SPEC_PRIORITY_CRITICAL + 1)

/* Canonical spelling as LeanSpec writes it ("in-progress"); NULL for NONE. */
const char *lean_spec_status_to_string   (LeanSpecStatus    status);
/* Accepts the canonical names and the aliases in_progress, inprogress, completed
 * (case-insensitive, surrounding blanks ignored). */
gboolean    lean_spec_status_from_string (const char       *str,
                                          LeanSpecStatus   *status);
/* A translated label for people ("In Progress"). */
const char *lean_spec_status_get_label   (LeanSpecStatus    status);

const char *lean_spec_priority_to_string   (LeanSpecPriority  priority);
/* Accepts low, medium, high, critical and the aliases med, urgent. */
gboolean    lean_spec_priority_from_string (const char       *str,
                                            LeanSpecPriority *priority);
const char *lean_spec_priority_get_label   (LeanSpecPriority  priority);

G_END_DECLS
