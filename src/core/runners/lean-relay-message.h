/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A relay text frame, checked: what a LeanRelayRunner acts on. */
typedef enum
{
  LEAN_RELAY_MESSAGE_IGNORED,          /* not for us, unknown, or malformed */
  LEAN_RELAY_MESSAGE_SESSION_STARTED,
  LEAN_RELAY_MESSAGE_SESSION_ENDED,
  LEAN_RELAY_MESSAGE_ERROR,
} LeanRelayMessageKind;

typedef struct
{
  LeanRelayMessageKind  kind;
  int                   exit_code;     /* SESSION_ENDED: -1 when not given as an integer */
  char                 *text;          /* ERROR: the relay's words, controls stripped */
  char                 *why_ignored;   /* IGNORED: for the debug log */
} LeanRelayMessage;

/* Reads one text frame (@len bytes) sent by a relay for the session
 * @session_id. Every field is type-checked: a frame whose "type" is not a
 * string, whose "payload" is not an object or whose "session_id" is not a
 * string is ignored, never acted on. Nesting is bounded before parsing.
 * Fill @msg; free its strings with lean_relay_message_clear(). */
void lean_relay_message_parse (const char       *data,
                               gsize             len,
                               const char       *session_id,
                               LeanRelayMessage *msg);

void lean_relay_message_clear (LeanRelayMessage *msg);

G_END_DECLS
