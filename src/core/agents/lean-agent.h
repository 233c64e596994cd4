/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-session-mode.h"

G_BEGIN_DECLS

/* Which stream parser understands what the agent prints. Guided mode always
 * runs the agent's own TUI, so its output is TEXT whatever this says. */
typedef enum
{
  LEAN_AGENT_OUTPUT_TEXT,
  LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON,
  LEAN_AGENT_OUTPUT_CODEX_JSON,
  LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON,
} LeanAgentOutput;

/* "text", "claude-stream-json", "codex-json", "gemini-stream-json" (the
 * spelling of the "output" key in runners.json). */
const char *lean_agent_output_to_string   (LeanAgentOutput  output);
gboolean    lean_agent_output_from_string (const char      *str,
                                           LeanAgentOutput *output);

/* Where an agent definition came from. */
typedef enum
{
  LEAN_AGENT_SOURCE_BUILTIN,
  LEAN_AGENT_SOURCE_USER,      /* ~/.lean-spec/runners.json (new or override) */
  LEAN_AGENT_SOURCE_PROJECT,   /* <project>/.lean-spec/runners.json */
} LeanAgentSource;

#define LEAN_TYPE_AGENT (lean_agent_get_type ())

G_DECLARE_FINAL_TYPE (LeanAgent, lean_agent, LEAN, AGENT, GObject)

/* One coding agent CLI the app can start. Agents come from a
 * LeanAgentRegistry; "installed" and "version" are filled in by
 * lean_agent_registry_refresh_async() and notify on the main thread.
 *
 * Properties (read-only): id, name, executable, installed, version,
 * install-hint, output, source, default-model, trusted. */

const char         *lean_agent_get_id            (LeanAgent       *self); /* "claude" */
const char         *lean_agent_get_name          (LeanAgent       *self); /* "Claude Code" */
/* Command name (looked up in PATH) or absolute path: "claude", "cursor-agent". */
const char         *lean_agent_get_executable    (LeanAgent       *self);
/* Absolute path found by the last refresh, or NULL. */
const char         *lean_agent_get_path          (LeanAgent       *self);
gboolean            lean_agent_get_installed     (LeanAgent       *self);
/* First line of `<executable> --version`, or NULL (unknown / not installed). */
const char         *lean_agent_get_version       (LeanAgent       *self);
/* What to run to install it, for people: "npm install -g @anthropic-ai/claude-code". */
const char         *lean_agent_get_install_hint  (LeanAgent       *self);
LeanAgentSource     lean_agent_get_source        (LeanAgent       *self);
/* The "model" from runners.json, or NULL: used when the request has none. */
const char         *lean_agent_get_default_model (LeanAgent       *self);
/* FALSE for an agent of a project's runners.json whose current content the
 * person has not trusted: it is listed, never probed or run
 * (lean_agent_build_argv() refuses it with LEAN_ERROR_NOT_TRUSTED). */
gboolean            lean_agent_get_trusted       (LeanAgent       *self);
/* The runners.json the agent was defined in (real path), or NULL for a
 * builtin. */
const char         *lean_agent_get_origin        (LeanAgent       *self);
/* Whether a project's runners.json may set @key in "env": not PATH, LD_*,
 * DYLD_*, NODE_OPTIONS and the other variables that choose the program or
 * load code into it, nor LEANSPEC_* (the session's own). */
gboolean            lean_agent_env_allowed_from_project (const char *key);
/* Extra KEY=VALUE pairs from runners.json "env"; never NULL. */
const char * const *lean_agent_get_env           (LeanAgent       *self);
gboolean            lean_agent_supports_mode     (LeanAgent       *self,
                                                  LeanSessionMode  mode);
/* The parser for what the agent prints in @mode (TEXT for guided). */
LeanAgentOutput     lean_agent_get_output        (LeanAgent       *self,
                                                  LeanSessionMode  mode);

/* Builds the exact argv (never a shell string): argv[0] is the executable,
 * the prompt is one element or, when @stdin_data is set on return, is not on
 * the command line and must be written to the agent's input (runners.json
 * "prompt_flag": "-", or a prompt too long for one argument). @model NULL
 * uses the agent's default model (if any). A prompt starting with '-' gets a
 * leading space on the command line so no option parser takes it for an
 * option. LEAN_ERROR_NOT_SUPPORTED when the agent has no such mode,
 * LEAN_ERROR_INVALID_VALUE for an empty prompt or one too long for agents
 * that cannot read it from stdin (more than 100 KiB). */
char              **lean_agent_build_argv        (LeanAgent       *self,
                                                  LeanSessionMode  mode,
                                                  const char      *model,
                                                  const char      *prompt,
                                                  GBytes         **stdin_data,
                                                  GError         **error);

/* Whether the agent can continue one of its earlier conversations by the
 * id its stream reported (Claude Code's session_id, Codex's thread_id). */
gboolean            lean_agent_can_resume        (LeanAgent       *self,
                                                  LeanSessionMode  mode);
/* @argv (from lean_agent_build_argv(), consumed) made to continue the
 * conversation @agent_session_id: `claude --resume ID -p ...`,
 * `codex exec ... resume ID PROMPT`. Unchanged when it cannot resume. */
char              **lean_agent_resume_argv       (LeanAgent       *self,
                                                  LeanSessionMode  mode,
                                                  char           **argv,
                                                  const char      *agent_session_id);

/* KEY=VALUE pairs for LeanRunnerLaunch.env: PATH (the person's, without
 * empty or relative entries: the agent starts in the project folder), the
 * agent's runners.json env, then LEANSPEC_PROJECT_PATH, LEANSPEC_SPEC_ID,
 * LEANSPEC_SESSION_ID. NULL arguments are left out. */
char              **lean_agent_build_env         (LeanAgent       *self,
                                                  const char      *project_path,
                                                  const char      *spec_id,
                                                  const char      *session_id);

G_END_DECLS
