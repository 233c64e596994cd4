/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "lean-agent.h"
#include "lean-trust-store.h"

G_BEGIN_DECLS

/* The builtins, in list order. GENERIC is a runners.json command line. */
typedef enum
{
  LEAN_AGENT_KIND_CLAUDE,
  LEAN_AGENT_KIND_CODEX,
  LEAN_AGENT_KIND_GEMINI,
  LEAN_AGENT_KIND_COPILOT,
  LEAN_AGENT_KIND_CURSOR,
  LEAN_AGENT_KIND_OPENCODE,
  LEAN_AGENT_KIND_AMP,
  LEAN_AGENT_KIND_AIDER,
  LEAN_AGENT_KIND_GENERIC,
} LeanAgentKind;

#define LEAN_AGENT_N_BUILTINS LEAN_AGENT_KIND_GENERIC

/* Longest prompt put on a command line: Linux refuses a single argument of
 * more than 128 KiB (MAX_ARG_STRLEN), so stay clearly below it. */
#define LEAN_AGENT_MAX_ARG_PROMPT (100 * 1024)

LeanAgent  *_lean_agent_new_builtin  (LeanAgentKind    kind);
/* A runners.json entry. @base is the agent it overrides (builtin or an entry
 * of the user file) or NULL. Returns NULL without error for entries that
 * cannot be started (no command: LeanSpec's IDE-extension runners). */
LeanAgent  *_lean_agent_new_from_json (const char      *id,
                                       JsonObject      *object,
                                       LeanAgentSource  source,
                                       LeanAgent       *base,
                                       GError         **error);
void        _lean_agent_set_detected (LeanAgent       *self,
                                      gboolean         installed,
                                      const char      *path,
                                      const char      *version);

/* The person's PATH without its empty and relative entries (those mean the
 * working folder, which may be a project). */
char       *_lean_agent_user_path    (void);
/* @trusted FALSE: listed but never run; @origin: the runners.json. */
void        _lean_agent_set_trust    (LeanAgent       *self,
                                      gboolean         trusted,
                                      const char      *origin);
/* The command line the agent runs in autonomous mode (the prompt's element
 * left empty and marked), and the variables it sets, for the person to
 * review before trusting it. */
LeanTrustCommand *_lean_agent_describe (LeanAgent     *self);

G_END_DECLS
