/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lean-agent-problem.h"

/* What the real CLIs print, lower-cased (see tests/fixtures/agents/ and
 * shared/corpus/agent-transcripts). Substrings, so small rewordings in newer
 * versions still match. */
static const char * const not_logged_in[] = {
  "not logged in",                      /* Claude Code: "Not logged in · Please run /login" */
  "please run /login",
  "authentication_failed",              /* Claude Code: the message's "error" field */
  "no authentication information found", /* Copilot CLI */
  "401 unauthorized",                   /* an API reached without credentials */
  "missing bearer",                     /* OpenAI: "Missing bearer or basic authentication" */
  NULL
};

static const char * const no_api_key[] = {
  "please set an auth method",          /* Gemini CLI */
  "gemini_api_key",
  "anthropic_api_key",
  "openai_api_key",
  "missing api key",
  "invalid api key",
  "invalid x-api-key",
  "no api key",
  NULL
};

static const char * const not_git_repo[] = {
  "not inside a trusted directory",     /* Codex exec outside a git repository */
  "skip-git-repo-check was not specified",
  NULL
};

static const char * const no_network[] = {
  "reconnecting...",                    /* Codex: "Reconnecting... waiting for network" */
  "waiting for network",
  "failed to lookup address",
  "name does not resolve",
  "temporary failure in name resolution",
  "getaddrinfo",
  "enotfound",
  "eai_again",
  "econnrefused",
  "network is unreachable",
  "fetch failed",
  NULL
};

static gboolean
contains_any (const char         *lower,
              const char * const *needles)
{
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (lower, needles[i]) != NULL)
      return TRUE;
  return FALSE;
}

const char *
lean_agent_problem_to_string (LeanAgentProblem problem)
{
  switch (problem)
    {
    case LEAN_AGENT_PROBLEM_NOT_LOGGED_IN: return "not-logged-in";
    case LEAN_AGENT_PROBLEM_NO_API_KEY:    return "no-api-key";
    case LEAN_AGENT_PROBLEM_NO_NETWORK:    return "no-network";
    case LEAN_AGENT_PROBLEM_NOT_GIT_REPO:  return "not-git-repo";
    case LEAN_AGENT_PROBLEM_NONE:
    default:                               return "none";
    }
}

LeanAgentProblem
lean_agent_problem_detect (const char *text)
{
  g_autofree char *lower = NULL;

  if (text == NULL || text[0] == '\0')
    return LEAN_AGENT_PROBLEM_NONE;

  lower = g_ascii_strdown (text, -1);
  if (contains_any (lower, not_logged_in))
    return LEAN_AGENT_PROBLEM_NOT_LOGGED_IN;
  if (contains_any (lower, no_api_key))
    return LEAN_AGENT_PROBLEM_NO_API_KEY;
  if (contains_any (lower, not_git_repo))
    return LEAN_AGENT_PROBLEM_NOT_GIT_REPO;
  if (contains_any (lower, no_network))
    return LEAN_AGENT_PROBLEM_NO_NETWORK;
  return LEAN_AGENT_PROBLEM_NONE;
}

/* NONE < NO_NETWORK < NOT_GIT_REPO < NO_API_KEY < NOT_LOGGED_IN: the
 * credentials problem is the one to fix first. */
static int
rank (LeanAgentProblem problem)
{
  switch (problem)
    {
    case LEAN_AGENT_PROBLEM_NOT_LOGGED_IN: return 4;
    case LEAN_AGENT_PROBLEM_NO_API_KEY:    return 3;
    case LEAN_AGENT_PROBLEM_NOT_GIT_REPO:  return 2;
    case LEAN_AGENT_PROBLEM_NO_NETWORK:    return 1;
    case LEAN_AGENT_PROBLEM_NONE:
    default:                               return 0;
    }
}

LeanAgentProblem
lean_agent_problem_scan (const char *text,
                         gsize       len)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  LeanAgentProblem best = LEAN_AGENT_PROBLEM_NONE;

  if (text == NULL || len == 0)
    return LEAN_AGENT_PROBLEM_NONE;

  /* Output may hold NULs or broken UTF-8; only ASCII matters here. */
  copy = g_strndup (text, len);
  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i] + strspn (lines[i], " \t");
      LeanAgentProblem found;

      /* A JSON event's errors come through the stream parser's events;
       * its other strings (tool output, file contents) are not the agent's
       * complaint. */
      if (line[0] == '{')
        continue;
      found = lean_agent_problem_detect (line);

      if (rank (found) > rank (best))
        best = found;
    }
  return best;
}

char *
lean_agent_problem_describe (LeanAgentProblem  problem,
                             const char       *agent_id,
                             const char       *agent_name,
                             gboolean          retrying)
{
  const char *id = agent_id != NULL ? agent_id : "";
  const char *name = agent_name != NULL ? agent_name : _("The agent");

  switch (problem)
    {
    case LEAN_AGENT_PROBLEM_NOT_LOGGED_IN:
    case LEAN_AGENT_PROBLEM_NO_API_KEY:
      if (g_str_equal (id, "claude"))
        return g_strdup (_("Claude Code is not logged in. Run `claude` in a terminal and use "
                           "/login, or set ANTHROPIC_API_KEY."));
      if (g_str_equal (id, "codex"))
        return g_strdup (_("Codex is not logged in. Run `codex login` in a terminal, or set "
                           "OPENAI_API_KEY."));
      if (g_str_equal (id, "gemini"))
        return g_strdup (_("Gemini CLI has no credentials. Set GEMINI_API_KEY, or run `gemini` "
                           "in a terminal and choose how to sign in."));
      if (g_str_equal (id, "copilot"))
        return g_strdup (_("GitHub Copilot CLI is not logged in. Run `copilot` in a terminal "
                           "and use /login, or set GH_TOKEN."));
      return g_strdup_printf (_("%s is not logged in or has no API key. Run it in a terminal "
                                "to sign in, or set its API key."), name);

    case LEAN_AGENT_PROBLEM_NOT_GIT_REPO:
      return g_strdup_printf (_("%s runs only in a git repository. Run `git init` in the "
                                "project folder, then start the session again."), name);

    case LEAN_AGENT_PROBLEM_NO_NETWORK:
      if (retrying)
        return g_strdup_printf (_("%s cannot reach the network (retrying). Check your "
                                  "connection or cancel."), name);
      return g_strdup_printf (_("%s could not reach the network. Check your connection and "
                                "try again."), name);

    case LEAN_AGENT_PROBLEM_NONE:
    default:
      return NULL;
    }
}
