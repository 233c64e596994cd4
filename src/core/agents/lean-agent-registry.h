/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-agent.h"
#include "lean-trust-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_AGENT_REGISTRY (lean_agent_registry_get_type ())

G_DECLARE_FINAL_TYPE (LeanAgentRegistry, lean_agent_registry, LEAN, AGENT_REGISTRY, GObject)

/* The agents the app knows: the builtins (claude, codex, gemini, copilot,
 * cursor, opencode, amp, aider) merged with LeanSpec's runner files,
 * ~/.lean-spec/runners.json (user) then <project>/.lean-spec/runners.json
 * (project). A user entry with a builtin's id overrides only the keys it
 * sets. A project entry can only add agents: one with the id of a builtin
 * or of a user agent is ignored (a problem says so), and its "env" cannot
 * set PATH, LD_*, NODE_OPTIONS and the like (lean_agent_env_allowed_from_project()).
 *
 * The project's agents are trusted (run, probed) only while the person
 * trusts the file's current content (LeanTrustStore, keyed by real path and
 * SHA-256 of the bytes read); until then they are listed with
 * lean_agent_get_trusted() FALSE. The user's own file needs no trust.
 *
 * A GListModel of LeanAgent: builtins in the order above, then custom
 * agents sorted by id. Main thread only, except as noted. */

/* Builtins only; nothing is read and nothing is detected yet. */
LeanAgentRegistry *lean_agent_registry_new             (void);

/* Reads the user file and, when @project_path is not NULL, the project's
 * runners.json, replacing what an earlier load added. A missing file is not
 * an error, nor are entries without "command" (LeanSpec's IDE-extension
 * runners: nothing to start; they are left out). Unknown keys are ignored.
 * A broken file (not JSON, nested too deep, over 1 MiB, "runners" not an
 * object, "args" not a list of strings, an unknown "output"...) or a refused
 * project entry is a problem: @error gets the first (file name and reason)
 * and FALSE is returned, but every other file and entry is still loaded.
 * Blocking (small files); "items-changed" is emitted. */
gboolean           lean_agent_registry_load            (LeanAgentRegistry   *self,
                                                        const char          *project_path,
                                                        GError             **error);

/* lean_agent_registry_load() with the files read in a worker thread; the
 * content is replaced (and "items-changed" emitted) on the calling
 * thread's main context before the callback. @error as load() says. */
void               lean_agent_registry_load_async      (LeanAgentRegistry   *self,
                                                        const char          *project_path,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           lean_agent_registry_load_finish     (LeanAgentRegistry   *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Property "loaded": a load has landed (until then only the builtins are
 * listed, and nothing is known of the person's own runners.json). */
gboolean           lean_agent_registry_get_loaded      (LeanAgentRegistry   *self);
/* The project of the last load, or NULL (the person's agents only). */
const char        *lean_agent_registry_get_project_path (LeanAgentRegistry  *self);

/* Every problem of the last load, "path: reason" (char *). */
GPtrArray         *lean_agent_registry_get_problems    (LeanAgentRegistry   *self);
/* The project's runners.json as read by the last load (real path, hash,
 * trust state, the commands it defines), or NULL when there is none. */
LeanTrustRequest  *lean_agent_registry_get_trust_request (LeanAgentRegistry *self);
/* The store trust is looked up in (lean_trust_store_get_default() unless
 * set); takes effect at the next load. */
void               lean_agent_registry_set_trust_store (LeanAgentRegistry   *self,
                                                        LeanTrustStore      *store);
LeanTrustStore    *lean_agent_registry_get_trust_store (LeanAgentRegistry   *self);

LeanAgent         *lean_agent_registry_lookup          (LeanAgentRegistry   *self,
                                                        const char          *id);
/* The "default" of the project's runners.json, else "agents.default" of its
 * .lean-spec/config.json, else the user's runners.json "default", else the
 * first installed agent in list order, else "claude". Never NULL. */
const char        *lean_agent_registry_get_default_id  (LeanAgentRegistry   *self);

/* Detects for every trusted agent whether its executable is on PATH (the
 * absolute entries of the person's PATH: never the working folder) and
 * runs `<executable> --version` in the home folder (15 s timeout each), in
 * worker threads; untrusted agents are left alone (not installed). The
 * agents' "installed"/"version"/"path" properties are updated on the
 * calling thread's main context before the callback. Never blocks. */
void               lean_agent_registry_refresh_async   (LeanAgentRegistry   *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           lean_agent_registry_refresh_finish  (LeanAgentRegistry   *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
