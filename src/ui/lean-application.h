/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LEAN_TYPE_APPLICATION (lean_application_get_type ())

G_DECLARE_FINAL_TYPE (LeanApplication, lean_application, LEAN, APPLICATION, AdwApplication)

/* dev.leanspec.Desktop: single instance; `leanspec-desktop DIR` opens DIR
 * in the running instance. App actions: open-folder, new-window,
 * preferences, shortcuts, about, quit. */
LeanApplication *lean_application_new (void);

G_END_DECLS
