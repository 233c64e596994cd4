/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "lean-devlog-sender.h"
#include "lean-session-db.h"

G_BEGIN_DECLS

#define LEAN_TYPE_TELEMETRY_PREFERENCES (lean_telemetry_preferences_get_type ())

G_DECLARE_FINAL_TYPE (LeanTelemetryPreferences, lean_telemetry_preferences,
                      LEAN, TELEMETRY_PREFERENCES, AdwPreferencesPage)

/* The Telemetry page of Preferences: where Devlog events go (address,
 * kind, project id, the token in the keyring, content sending), Test
 * Connection, and what the outbox holds (queued, last delivery, last
 * error, events set aside). Offers the values of ~/.devlog/collector.json
 * when that file exists. Save writes @settings_path (NULL: the default),
 * turns queueing on or off in @db and hands the settings to @sender; both
 * may be NULL (no sessions database). */
GtkWidget  *lean_telemetry_preferences_new         (const char       *settings_path,
                                                    LeanSessionDb    *db,
                                                    LeanDevlogSender *sender);
/* The last problem or result shown, or NULL. */
const char *lean_telemetry_preferences_get_message (LeanTelemetryPreferences *self);

G_END_DECLS
