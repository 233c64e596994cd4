/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-log.h"

G_BEGIN_DECLS

/* The controller's side of a log of a session it runs: created live,
 * told each stored chunk (after it was queued for the database) and the
 * end. */
LeanSessionLog *_lean_session_log_new_live (LeanSessionDb     *db,
                                            const char        *session_id,
                                            gboolean           structured);
void            _lean_session_log_append   (LeanSessionLog    *self,
                                            LeanOutputChannel  channel,
                                            GBytes            *bytes);
void            _lean_session_log_end      (LeanSessionLog    *self);
/* Before the first byte: whether DISPLAY is a channel of its own. */
void            _lean_session_log_set_structured (LeanSessionLog *self,
                                                  gboolean        structured);

G_END_DECLS
