/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-agent-registry.h"
#include "lean-controller.h"
#include "lean-project.h"
#include "lean-relay-config.h"
#include "lean-spec-activity.h"
#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_APPLICATION (lean_application_get_type ())

G_DECLARE_FINAL_TYPE (LeanApplication, lean_application, LEAN, APPLICATION, AdwApplication)

/* dev.leanspec.Desktop: single instance; `leanspec-desktop DIR` opens DIR
 * in the running instance. App actions: open-folder, new-window,
 * preferences, shortcuts, about, quit, style-variant(s), show-session(s).
 *
 * The application owns the services its windows share, made at startup and
 * handed to each window as construct-only properties: the session
 * controller on the sessions database, the agent registry, the relay
 * configuration; and per open project one spec store and one activity
 * model, shared by the windows showing that project. */
LeanApplication   *lean_application_new              (void);
/* NULL when the sessions database could not be opened (then
 * lean_application_get_sessions_error() says why). */
LeanController    *lean_application_get_controller   (LeanApplication *self);
const GError      *lean_application_get_sessions_error (LeanApplication *self);
LeanAgentRegistry *lean_application_get_registry     (LeanApplication *self);
LeanRelayConfig   *lean_application_get_relay_config (LeanApplication *self);
/* The store of @project's root, shared with other windows on it (made and
 * loaded on first use); give it back with lean_application_release_store()
 * so it stops watching the files when no window shows it. @loaded is set
 * FALSE when the caller should load it. */
LeanSpecStore     *lean_application_acquire_store    (LeanApplication *self,
                                                      LeanProject     *project,
                                                      gboolean        *loaded);
void               lean_application_release_store    (LeanApplication *self,
                                                      LeanSpecStore   *store);
/* The activity model of the project at @root, made on first use. */
LeanSpecActivity  *lean_application_get_activity     (LeanApplication *self,
                                                      const char      *root);
/* The activity model of the open project holding @dir (a spec's folder),
 * or NULL. */
LeanSpecActivity  *lean_application_find_activity    (LeanApplication *self,
                                                      const char      *dir);

G_END_DECLS
