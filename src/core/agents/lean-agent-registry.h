/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-agent.h"

G_BEGIN_DECLS

#define LEAN_TYPE_AGENT_REGISTRY (lean_agent_registry_get_type ())

G_DECLARE_FINAL_TYPE (LeanAgentRegistry, lean_agent_registry, LEAN, AGENT_REGISTRY, GObject)

/* The agents the app knows: the builtins (claude, codex, gemini, copilot,
 * cursor, opencode, amp, aider) merged with LeanSpec's runner files,
 * ~/.lean-spec/runners.json (user) then <project>/.lean-spec/runners.json
 * (project; wins). A file entry with a builtin's id overrides only the keys
 * it sets. A GListModel of LeanAgent: builtins in the order above, then
 * custom agents sorted by id. Main thread only, except as noted. */

/* Builtins only; nothing is read and nothing is detected yet. */
LeanAgentRegistry *lean_agent_registry_new             (void);

/* Reads the user file and, when @project_path is not NULL, the project's
 * runners.json, replacing what an earlier load added. A missing file is not
 * an error, nor are entries without "command" (LeanSpec's IDE-extension
 * runners: nothing to start; they are left out). Unknown keys are ignored.
 * A broken file (not JSON, "runners" not an object, "args" not a list of
 * strings, an unknown "output"...) sets @error with the file name and the reason and
 * returns FALSE, but every other file and entry is still loaded. Blocking
 * (small files); "items-changed" is emitted. */
gboolean           lean_agent_registry_load            (LeanAgentRegistry   *self,
                                                        const char          *project_path,
                                                        GError             **error);

LeanAgent         *lean_agent_registry_lookup          (LeanAgentRegistry   *self,
                                                        const char          *id);
/* The "default" of the project's runners.json, else "agents.default" of its
 * .lean-spec/config.json, else the user's runners.json "default", else the
 * first installed agent in list order, else "claude". Never NULL. */
const char        *lean_agent_registry_get_default_id  (LeanAgentRegistry   *self);

/* Detects for every agent whether its executable is on PATH and runs
 * `<executable> --version` (15 s timeout each), in worker threads; the
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
