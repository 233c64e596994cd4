/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The most of a critic's answer kept to show when no verdict was read. */
#define LEAN_CRITIC_TEXT_MAX (16 * 1024)

typedef struct
{
  char     *item;
  gboolean  met;
  char     *evidence;
} LeanCriticRequirement;

#define LEAN_TYPE_CRITIC_VERDICT (lean_critic_verdict_get_type ())

/* What the AI critic answered: {"verdict": "pass"|"fail", "requirements":
 * [{"item", "met", "evidence"}], "gaps": [...], "summary"}. When @parsed is
 * FALSE no such answer could be read and the verdict counts as a failure;
 * @text then holds what the agent said instead (cleaned, capped). */
typedef struct
{
  gboolean   parsed;
  gboolean   pass;
  GPtrArray *requirements;   /* LeanCriticRequirement */
  char     **gaps;
  char      *summary;
  char      *text;
  /* What the critic's run reported spending, where its output says. */
  guint64    input_tokens;
  guint64    output_tokens;
  double     cost_usd;       /* < 0: unknown */
} LeanCriticVerdict;

GType              lean_critic_verdict_get_type (void) G_GNUC_CONST;
LeanCriticVerdict *lean_critic_verdict_ref      (LeanCriticVerdict *verdict);
void               lean_critic_verdict_unref    (LeanCriticVerdict *verdict);

/* Reads a verdict from what an agent printed: Claude's JSON or stream-json
 * (a "structured_output" object, or the "result" text), Codex `exec
 * --json` (the last "agent_message"), Gemini's JSON ("response") or
 * stream-json (the assistant's message), or plain text. In a text, the
 * whole text as JSON, else the last fenced ```json block, else the last
 * {...} holding "verdict". Never NULL: an answer without a verdict gives
 * @parsed FALSE. Hostile input is bounded (depth, size). */
LeanCriticVerdict *lean_critic_verdict_parse    (const char        *output,
                                                 gsize              len);
/* A verdict that says why there is none (the critic could not run). */
LeanCriticVerdict *lean_critic_verdict_new_failed (const char      *text);
/* Whether it lets the validation pass: parsed and "pass". */
gboolean           lean_critic_verdict_passed   (LeanCriticVerdict *verdict);
/* {"verdict", "requirements", "gaps", "summary"} ("verdict" is "error" and
 * "summary" the text when nothing was parsed). */
JsonNode          *lean_critic_verdict_to_json  (LeanCriticVerdict *verdict);

/* The JSON schema of the answer, for agents that take one. */
const char        *lean_critic_verdict_schema   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanCriticVerdict, lean_critic_verdict_unref)

G_END_DECLS
