/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "lean-agent-problem.h"

G_BEGIN_DECLS

/* What went wrong with one agent run, told from what it printed: the
 * errors a structured agent reports (error events, failed results) and the
 * end of its raw output (plain-text agents complain on stderr). A missing
 * login is kept for the end; a lost network is told while it lasts (Codex
 * retries it forever and the person has to decide to cancel). */
typedef struct _LeanAgentDiagnosis LeanAgentDiagnosis;

LeanAgentDiagnosis *lean_agent_diagnosis_new          (const char         *agent_id,
                                                       const char         *agent_name);
void                lean_agent_diagnosis_free         (LeanAgentDiagnosis *self);
void                lean_agent_diagnosis_set_agent_name (LeanAgentDiagnosis *self,
                                                       const char         *agent_name);
/* Every raw byte, for the tail scanned at the end. */
void                lean_agent_diagnosis_keep_output  (LeanAgentDiagnosis *self,
                                                       GBytes             *bytes);
/* An event from the stream parser. */
void                lean_agent_diagnosis_note_event   (LeanAgentDiagnosis *self,
                                                       const char         *kind,
                                                       JsonObject         *payload);
/* The sentence to show once the network has failed repeatedly, then NULL
 * until it is due again. */
char               *lean_agent_diagnosis_take_network_hint (LeanAgentDiagnosis *self);
/* The known problem at the end (the tail is scanned then), and its
 * sentence, or LEAN_AGENT_PROBLEM_NONE and NULL. */
LeanAgentProblem    lean_agent_diagnosis_conclude     (LeanAgentDiagnosis *self,
                                                       char              **message);
LeanAgentProblem    lean_agent_diagnosis_get_problem  (LeanAgentDiagnosis *self);
guint               lean_agent_diagnosis_get_network_errors (LeanAgentDiagnosis *self);
/* @message as a yellow warning line for a terminal (ANSI, CR LF). */
GBytes             *lean_agent_warning_line           (const char         *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanAgentDiagnosis, lean_agent_diagnosis_free)

G_END_DECLS
