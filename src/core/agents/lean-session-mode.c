/* SPDX-License-Identifier: MIT */
#include "lean-session-mode.h"

const char *
lean_session_mode_to_string (LeanSessionMode mode)
{
  switch (mode)
    {
    case LEAN_SESSION_MODE_AUTONOMOUS: return "autonomous";
    case LEAN_SESSION_MODE_GUIDED:     return "guided";
    default:                           return NULL;
    }
}

gboolean
lean_session_mode_from_string (const char      *str,
                               LeanSessionMode *mode)
{
  LeanSessionMode m;

  if (str == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (str, "autonomous") == 0)
    m = LEAN_SESSION_MODE_AUTONOMOUS;
  else if (g_ascii_strcasecmp (str, "guided") == 0)
    m = LEAN_SESSION_MODE_GUIDED;
  else
    return FALSE;
  if (mode != NULL)
    *mode = m;
  return TRUE;
}
