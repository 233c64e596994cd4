/* SPDX-License-Identifier: MIT */
/* libFuzzer target: each agent stream parser. The first byte picks the
 * format and the chunk size, the rest is the agent's output. */
#include "config.h"

#include "lean-stream-parser.h"

static void
on_display (LeanStreamParser *parser,
            GBytes           *bytes,
            gpointer          user_data)
{
  *(gsize *)user_data += g_bytes_get_size (bytes);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const LeanAgentOutput formats[] = {
    LEAN_AGENT_OUTPUT_TEXT,
    LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON,
    LEAN_AGENT_OUTPUT_CODEX_JSON,
    LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON,
  };
  g_autoptr(LeanStreamParser) parser = NULL;
  gsize shown = 0;
  gsize chunk;

  if (size < 1)
    return 0;
  parser = lean_stream_parser_new (formats[data[0] % G_N_ELEMENTS (formats)]);
  chunk = 1 + (data[0] >> 2) * 37;
  g_signal_connect (parser, "display", G_CALLBACK (on_display), &shown);
  for (gsize pos = 1; pos < size; pos += chunk)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data + pos, MIN (chunk, size - pos));

      lean_stream_parser_feed (parser, bytes);
    }
  lean_stream_parser_flush (parser);
  (void)lean_stream_parser_get_input_tokens (parser);
  return 0;
}
