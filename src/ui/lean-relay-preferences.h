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
 * given (lean_project_get_root() of the open project: the Implement dialog
 * looks it up the same way), that project's default runner (Local or a
 * relay runner).
 *
 * To embed in the app's preferences window:
 *   g_autoptr(LeanRelayConfig) relays = lean_relay_config_new (NULL);
 *   lean_relay_config_load (relays, NULL);   (a broken file is shown on the page)
 *   adw_preferences_window_add (prefs, ADW_PREFERENCES_PAGE (
 *     lean_relay_preferences_new (relays, project_root_or_NULL)));
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
