/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-session-db.h"

G_BEGIN_DECLS

/* Runs @sql on the writer connection, in order with queued writes (tests:
 * "PRAGMA max_page_count = N" to fill the "disk"). */
void  _lean_session_db_exec                (LeanSessionDb *self,
                                            const char    *sql);
/* Field 22 of /proc/PID/stat (start time in ticks), NULL if gone/zombie. */
char *_lean_session_db_process_start_time  (int            pid);

G_END_DECLS
