/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-page.h"

G_BEGIN_DECLS

/* How long a guided session may stay quiet after printing before the page
 * says it waits for input (default 8 s). For tests. */
void _lean_session_page_set_quiet_seconds (LeanSessionPage *self,
                                           guint            seconds);

/* How long an agent works before Cancel asks first (default 60 s). */
void _lean_session_page_set_confirm_cancel_after (LeanSessionPage *self,
                                                  guint            seconds);

G_END_DECLS
