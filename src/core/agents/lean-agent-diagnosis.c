/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-agent-diagnosis.h"

/* The last this many bytes of raw output are scanned at the end. */
#define TAIL_SIZE (16 * 1024)

struct _LeanAgentDiagnosis
{
  char             *agent_id;
  char             *agent_name;
  LeanAgentProblem  problem;
  guint             network_errors;
  gboolean          network_hint_due;
  GByteArray       *tail;
};

LeanAgentDiagnosis *
lean_agent_diagnosis_new (const char *agent_id,
                          const char *agent_name)
{
  LeanAgentDiagnosis *self = g_new0 (LeanAgentDiagnosis, 1);

  self->agent_id = g_strdup (agent_id);
  self->agent_name = g_strdup (agent_name);
  self->tail = g_byte_array_new ();
  return self;
}

void
lean_agent_diagnosis_free (LeanAgentDiagnosis *self)
{
  if (self == NULL)
    return;
  g_free (self->agent_id);
  g_free (self->agent_name);
  g_byte_array_unref (self->tail);
  g_free (self);
}

void
lean_agent_diagnosis_set_agent_name (LeanAgentDiagnosis *self,
                                     const char         *agent_name)
{
  g_return_if_fail (self != NULL);
  g_free (self->agent_name);
  self->agent_name = g_strdup (agent_name);
}

void
lean_agent_diagnosis_keep_output (LeanAgentDiagnosis *self,
                                  GBytes             *bytes)
{
  gsize len;
  const guint8 *data;

  g_return_if_fail (self != NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len >= TAIL_SIZE)
    {
      g_byte_array_set_size (self->tail, 0);
      g_byte_array_append (self->tail, data + len - TAIL_SIZE, TAIL_SIZE);
      return;
    }
  if (self->tail->len + len > TAIL_SIZE)
    g_byte_array_remove_range (self->tail, 0, self->tail->len + len - TAIL_SIZE);
  g_byte_array_append (self->tail, data, len);
}

void
lean_agent_diagnosis_note_event (LeanAgentDiagnosis *self,
                                 const char         *kind,
                                 JsonObject         *payload)
{
  const char *text = NULL;
  LeanAgentProblem found;

  g_return_if_fail (self != NULL);

  if (payload == NULL || kind == NULL)
    return;
  if (g_str_equal (kind, "error"))
    text = json_object_get_string_member_with_default (payload, "message", NULL);
  else if ((g_str_equal (kind, "message") || g_str_equal (kind, "result")) &&
           json_object_get_boolean_member_with_default (payload, "is_error", FALSE))
    text = json_object_get_string_member_with_default (payload, "text", NULL);
  if (text == NULL)
    return;

  found = lean_agent_problem_detect (text);
  if (found == LEAN_AGENT_PROBLEM_NONE)
    return;
  if (found == LEAN_AGENT_PROBLEM_NO_NETWORK)
    {
      /* Not logged in comes first: connecting again will not fix that. */
      if (self->problem != LEAN_AGENT_PROBLEM_NONE &&
          self->problem != LEAN_AGENT_PROBLEM_NO_NETWORK)
        return;
      if (++self->network_errors == LEAN_AGENT_PROBLEM_NETWORK_RETRIES)
        self->network_hint_due = TRUE;
    }
  self->problem = found;
}

char *
lean_agent_diagnosis_take_network_hint (LeanAgentDiagnosis *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!self->network_hint_due)
    return NULL;
  self->network_hint_due = FALSE;
  return lean_agent_problem_describe (LEAN_AGENT_PROBLEM_NO_NETWORK, self->agent_id,
                                      self->agent_name, TRUE);
}

LeanAgentProblem
lean_agent_diagnosis_conclude (LeanAgentDiagnosis  *self,
                               char               **message)
{
  LeanAgentProblem problem;
  LeanAgentProblem scanned;

  g_return_val_if_fail (self != NULL, LEAN_AGENT_PROBLEM_NONE);

  *message = NULL;
  problem = self->problem;
  scanned = lean_agent_problem_scan ((const char *)self->tail->data, self->tail->len);
  if (problem == LEAN_AGENT_PROBLEM_NONE ||
      (problem == LEAN_AGENT_PROBLEM_NO_NETWORK && scanned != LEAN_AGENT_PROBLEM_NONE))
    problem = scanned;
  if (problem == LEAN_AGENT_PROBLEM_NONE)
    return problem;

  self->problem = problem;
  *message = lean_agent_problem_describe (problem, self->agent_id, self->agent_name, FALSE);
  return problem;
}

LeanAgentProblem
lean_agent_diagnosis_get_problem (LeanAgentDiagnosis *self)
{
  g_return_val_if_fail (self != NULL, LEAN_AGENT_PROBLEM_NONE);
  return self->problem;
}

guint
lean_agent_diagnosis_get_network_errors (LeanAgentDiagnosis *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->network_errors;
}

GBytes *
lean_agent_warning_line (const char *message)
{
  char *line;

  g_return_val_if_fail (message != NULL, NULL);

  line = g_strdup_printf ("\033[1;33m⚠ %s\033[0m\r\n", message);
  return g_bytes_new_take (line, strlen (line));
}
