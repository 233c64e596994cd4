/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-agent.h"
#include "lean-check.h"
#include "lean-validation.h"

G_BEGIN_DECLS

/* Caps of what the critic is given, so the prompt stays one argument. */
#define LEAN_CRITIC_SPEC_MAX   (32 * 1024)
#define LEAN_CRITIC_DIFF_MAX   (48 * 1024)
#define LEAN_CRITIC_TIMEOUT    900

/* The critic's prompt: the spec, the diff of the change (with a note when
 * it was cut), what the checks and the completion rules found in
 * @validation (finished), and how to answer. @structured: the agent is
 * given the schema by a flag, else it is asked for a final ```json block. */
char      *lean_critic_build_prompt (const char      *spec_id,
                                     const char      *spec_text,
                                     const char      *diff,
                                     gboolean         diff_cut,
                                     LeanValidation  *validation,
                                     gboolean         structured);

/* Whether @agent has flags for a read-only run with a structured answer
 * (claude, codex, gemini); others are asked for a final JSON block. */
gboolean   lean_critic_agent_is_structured (LeanAgent *agent);

/* The critic's run as a check (argv, no shell, LEAN_CRITIC_TIMEOUT):
 *   claude -p --output-format json --permission-mode plan --json-schema SCHEMA PROMPT
 *   codex exec --json -s read-only --skip-git-repo-check --output-schema FILE PROMPT
 *   gemini --approval-mode plan --output-format json -p PROMPT
 *   others: the agent's own autonomous argv with the prompt.
 * @schema_path is a file holding lean_critic_verdict_schema() (codex reads
 * it). Refuses agents defined by the project (their commands are the
 * project's, see trust) and prompts the agent would need on stdin. */
LeanCheck *lean_critic_build_check  (LeanAgent       *agent,
                                     const char      *prompt,
                                     const char      *schema_path,
                                     GError         **error);

G_END_DECLS
