/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the depth-bounded JSON parse. */
#include "config.h"

#include "lean-json.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) node = lean_json_parse ((const char *)data, size, 0, NULL);

  if (node != NULL)
    g_free (json_to_string (node, FALSE));
  return 0;
}
