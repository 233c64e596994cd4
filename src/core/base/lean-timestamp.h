/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The current UTC time as LeanSpec 0.3 writes it in updated_at,
 * completed_at and transitions: "2026-11-26T07:52:18.644669291Z". */
char *lean_timestamp_now (void);

G_END_DECLS
