/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-relay-config.h"

G_BEGIN_DECLS

#define LEAN_TYPE_RELAY_PREFERENCES (lean_relay_preferences_get_type ())

G_DECLARE_FINAL_TYPE (LeanRelayPreferences, lean_relay_preferences,
                      LEAN, RELAY_PREFERENCES, AdwPreferencesPage)

/* A self-contained Preferences page for agent-relay servers: add, edit and
 * remove servers (name, address, default runner, runner ids), the token in
 * the keyring, "Test Connection" (GET /health), and, when @project_path is
 * given, that project's default runner (Local or a relay runner).
 *
 * Every change is saved to @config's file at once; problems are shown as a
 * toast when the page is inside an AdwPreferencesWindow, and always in the
 * "message" property for embedders and tests. */
GtkWidget       *lean_relay_preferences_new         (LeanRelayConfig      *config,
                                                     const char           *project_path);
LeanRelayConfig *lean_relay_preferences_get_config  (LeanRelayPreferences *self);
/* The last problem or result shown, or NULL. */
const char      *lean_relay_preferences_get_message (LeanRelayPreferences *self);

G_END_DECLS
