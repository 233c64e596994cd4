/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-pane.h"

G_BEGIN_DECLS

/* Desktop notifications the pane decided to send (counted even without a
 * registered application), for tests. */
guint       _lean_session_pane_get_n_notifications   (LeanSessionPane *self);
const char *_lean_session_pane_get_last_notification (LeanSessionPane *self);

G_END_DECLS
