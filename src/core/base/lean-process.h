/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Who a process is, beyond its pid (pids are reused): its start time in
 * clock ticks since boot (field 22 of /proc/PID/stat) and the boot it ran
 * in. Recorded for the agents and owners of sessions, and compared before
 * anything is signalled after a crash. */

/* The start time of @pid as text, or NULL when it is gone or a zombie. */
char       *lean_process_get_start_time (int pid);
/* The start time from the text of a /proc/PID/stat file; a zombie's only
 * with @allow_zombie. NULL when the text is not such a file. */
char       *lean_process_parse_start_time (const char *stat,
                                           gboolean    allow_zombie);
/* The target of /proc/PID/exe, or NULL when it cannot be read. */
char       *lean_process_get_exe        (int pid);
/* The kernel's boot id, "" when unknown. */
const char *lean_process_get_boot_id    (void);
/* This process's own start time (computed once), "" when unknown. */
const char *lean_process_get_self_start (void);

G_END_DECLS
