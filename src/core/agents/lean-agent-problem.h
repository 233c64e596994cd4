/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A known way an agent CLI fails for someone who has just installed it,
 * recognised in what the agent printed, so the session can say what to do
 * instead of "exited with status 1". */
typedef enum
{
  LEAN_AGENT_PROBLEM_NONE,
  LEAN_AGENT_PROBLEM_NOT_LOGGED_IN,   /* "Not logged in · Please run /login" */
  LEAN_AGENT_PROBLEM_NO_API_KEY,      /* "set an Auth method ... GEMINI_API_KEY" */
  LEAN_AGENT_PROBLEM_NO_NETWORK,      /* "Reconnecting... waiting for network" */
  LEAN_AGENT_PROBLEM_NOT_GIT_REPO,    /* Codex: "Not inside a trusted directory" */
} LeanAgentProblem;

/* "not-logged-in", "no-api-key", "no-network", "not-git-repo" ("none"): the "kind" of the
 * session's "problem" event. */
const char       *lean_agent_problem_to_string (LeanAgentProblem  problem);

/* The problem one piece of agent text shows (an error event's message, a
 * result text, a line of plain output), or NONE. Credentials win over the
 * network: an agent that is not logged in may also fail to connect. */
LeanAgentProblem  lean_agent_problem_detect    (const char       *text);

/* Like detect() over every line of @text (plain output, ANSI colours
 * allowed) except JSON lines (structured events are checked one by one);
 * the most specific problem found wins. */
LeanAgentProblem  lean_agent_problem_scan      (const char       *text,
                                                gsize             len);

/* The sentence telling a person what to do, for the agent @agent_id
 * ("claude", "codex", "gemini", "copilot"; others get a general one naming
 * @agent_name). @retrying: the agent is still running and retrying (network
 * only). NULL for NONE. */
char             *lean_agent_problem_describe  (LeanAgentProblem  problem,
                                                const char       *agent_id,
                                                const char       *agent_name,
                                                gboolean          retrying);

/* Error events with a network problem a session takes before it tells the
 * person (Codex prints one every few seconds while it waits). */
#define LEAN_AGENT_PROBLEM_NETWORK_RETRIES 3

G_END_DECLS
