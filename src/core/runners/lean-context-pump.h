/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs every source of an inner GMainContext from the context it is
 * attached to, on the same thread, and can stop doing so for a while.
 *
 * The relay runner creates its libsoup session and WebSocket with the inner
 * context as thread default, so the WebSocket's socket reads happen only
 * while the pump runs. Held, the pump neither polls nor dispatches the inner
 * context: nothing reads the socket, the kernel's buffer fills and TCP tells
 * the sender to wait. libsoup 3.2 has no way to pause a WebSocket, and its
 * input source is private; this is the way to hold it without queueing its
 * output in memory. */

GSource *lean_context_pump_new      (GMainContext *inner);
void     lean_context_pump_set_held (GSource      *pump,
                                     gboolean      held);
gboolean lean_context_pump_get_held (GSource      *pump);

G_END_DECLS
