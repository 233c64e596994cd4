/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Bounds how many bytes a relay may send without completing a message.
 *
 * libsoup 3.2 limits each WebSocket frame (max-incoming-payload-size) but
 * not a message sent as many fragments: it appends every fragment to one
 * buffer and delivers nothing until the last one, and it reads without
 * returning to the main loop while data keeps coming. So a watcher thread
 * reads the kernel's count of bytes received on the socket (TCP_INFO) and,
 * when more than @limit bytes arrived since the last message was
 * delivered, shuts the socket down: libsoup then sees the end of the
 * stream and closes. */
typedef struct _LeanRelayGuard LeanRelayGuard;

/* Watches @socket (a connected TCP socket; its fd is duplicated, so the
 * guard never touches a descriptor that was closed and reused). Returns
 * NULL where the kernel cannot say how much it received. */
LeanRelayGuard *lean_relay_guard_new              (GSocket        *socket,
                                                   guint64         limit);

/* Call for every message libsoup delivers. Thread safe, no system call. */
void            lean_relay_guard_message_delivered (LeanRelayGuard *guard);

/* Whether the guard cut the connection. */
gboolean        lean_relay_guard_tripped          (LeanRelayGuard *guard);

/* Stops the watcher (at once) and frees the guard. NULL is fine. */
void            lean_relay_guard_free             (LeanRelayGuard *guard);

G_END_DECLS
