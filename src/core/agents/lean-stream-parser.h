/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lean-agent.h"

G_BEGIN_DECLS

#define LEAN_TYPE_STREAM_PARSER (lean_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (LeanStreamParser, lean_stream_parser, LEAN, STREAM_PARSER, GObject)

/* Turns what an agent prints into (a) readable, coloured terminal text and
 * (b) session data. Feed it every output chunk in order; chunks may split
 * lines and UTF-8 sequences anywhere. CRLF from a PTY is accepted. Lines that
 * are not JSON (and everything in LEAN_AGENT_OUTPUT_TEXT) pass through
 * unchanged; JSON events of a kind the parser does not know become one dim
 * summary line. Main thread (or any single thread).
 *
 * Signals:
 *   "display" (GBytes *text): terminal text for views, lines end in "\r\n",
 *             colours as ANSI SGR: assistant text plain, tool use as
 *             "▶ Edit src/x.c" (bold), tool results folded to one dim line,
 *             errors red. For TEXT it is the input bytes, unchanged.
 *   "event"   (const char *kind, JsonObject *payload): session data, kinds:
 *             "init"        {session_id, model, cwd}
 *             "message"     {text}                     (assistant text)
 *             "tool-use"    {id, name, summary, input}
 *             "tool-result" {id, is_error, summary}
 *             "error"       {message}
 *             "turn"        {}                         (a turn started)
 *             "result"      {is_error, num_turns, cost_usd, text, subtype}
 *   "usage"   (guint64 input, guint64 output, guint64 cache, double cost_usd):
 *             running totals for the whole session (not deltas); cost < 0
 *             when the agent does not report it. */

LeanStreamParser *lean_stream_parser_new              (LeanAgentOutput   format);
LeanAgentOutput   lean_stream_parser_get_format       (LeanStreamParser *self);
void              lean_stream_parser_feed             (LeanStreamParser *self,
                                                       GBytes           *bytes);
/* End of stream: handles a last line without a newline. */
void              lean_stream_parser_flush            (LeanStreamParser *self);

/* What has been seen so far. */
guint64           lean_stream_parser_get_input_tokens (LeanStreamParser *self);
guint64           lean_stream_parser_get_output_tokens(LeanStreamParser *self);
guint64           lean_stream_parser_get_cache_tokens (LeanStreamParser *self);
double            lean_stream_parser_get_cost_usd     (LeanStreamParser *self); /* < 0: unknown */
guint             lean_stream_parser_get_num_turns    (LeanStreamParser *self);
/* TRUE once a final result said is_error, or an error item/event was seen
 * and no successful result followed. */
gboolean          lean_stream_parser_get_is_error     (LeanStreamParser *self);
gboolean          lean_stream_parser_has_result       (LeanStreamParser *self);
/* Claude session_id / Codex thread_id / Gemini session_id, or NULL. */
const char       *lean_stream_parser_get_agent_session_id (LeanStreamParser *self);
/* The final result text ("Not logged in · Please run /login") or NULL. */
const char       *lean_stream_parser_get_result_text  (LeanStreamParser *self);
/* The last error message seen, or NULL. */
const char       *lean_stream_parser_get_last_error   (LeanStreamParser *self);

G_END_DECLS
