/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a relay's text frame as the relay runner reads it. */
#include "config.h"

#include "lean-relay-message.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  LeanRelayMessage msg;

  /* libsoup hands over text frames as validated UTF-8. */
  if (!g_utf8_validate ((const char *)data, size, NULL))
    return 0;
  lean_relay_message_parse ((const char *)data, size, "0b9a4c3e-6a51-4c1f-9d2e-7f00aa11bb22",
                            &msg);
  lean_relay_message_clear (&msg);
  return 0;
}
