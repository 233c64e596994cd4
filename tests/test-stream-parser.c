/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <string.h>

#include "lean-agent-registry.h"
#include "lean-local-runner.h"
#include "lean-stream-parser.h"

/* The parsers are checked on what real agent CLIs printed (tests/fixtures/
 * agent-transcripts, recorded from claude-code 2.1.197, codex 0.169.0 and
 * gemini-cli 0.61.0 without a login or network, some through a real PTY), on the test
 * agent's stream-json run through the real local runner, and on streams
 * built from the agents' documented event shapes where no recording exists. */

typedef struct
{
  LeanStreamParser *parser;
  GString          *display;
  GPtrArray        *kinds;      /* event kinds, in order */
  GPtrArray        *payloads;   /* JSON text of each event */
  guint             n_usage;
  guint64           usage[3];
  double            usage_cost;
} Capture;

static void
on_display (LeanStreamParser *parser,
            GBytes           *bytes,
            Capture          *capture)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpuint (len, >, 0);
  g_string_append_len (capture->display, data, len);
}

static void
on_event (LeanStreamParser *parser,
          const char       *kind,
          JsonObject       *payload,
          Capture          *capture)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), payload);

  g_ptr_array_add (capture->kinds, g_strdup (kind));
  g_ptr_array_add (capture->payloads, json_to_string (node, FALSE));
}

static void
on_usage (LeanStreamParser *parser,
          guint64           in,
          guint64           out,
          guint64           cache,
          double            cost,
          Capture          *capture)
{
  capture->n_usage++;
  capture->usage[0] = in;
  capture->usage[1] = out;
  capture->usage[2] = cache;
  capture->usage_cost = cost;
}

static Capture *
capture_new (LeanAgentOutput format)
{
  Capture *capture = g_new0 (Capture, 1);

  capture->parser = lean_stream_parser_new (format);
  capture->display = g_string_new (NULL);
  capture->kinds = g_ptr_array_new_with_free_func (g_free);
  capture->payloads = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (capture->parser, "display", G_CALLBACK (on_display), capture);
  g_signal_connect (capture->parser, "event", G_CALLBACK (on_event), capture);
  g_signal_connect (capture->parser, "usage", G_CALLBACK (on_usage), capture);
  return capture;
}

static void
capture_free (Capture *capture)
{
  g_object_unref (capture->parser);
  g_string_free (capture->display, TRUE);
  g_ptr_array_unref (capture->kinds);
  g_ptr_array_unref (capture->payloads);
  g_free (capture);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Capture, capture_free)

static guint
count_kind (Capture    *capture,
            const char *kind)
{
  guint n = 0;

  for (guint i = 0; i < capture->kinds->len; i++)
    if (g_strcmp0 (g_ptr_array_index (capture->kinds, i), kind) == 0)
      n++;
  return n;
}

static const char *
payload_of (Capture    *capture,
            const char *kind,
            guint       nth)
{
  for (guint i = 0; i < capture->kinds->len; i++)
    if (g_strcmp0 (g_ptr_array_index (capture->kinds, i), kind) == 0 && nth-- == 0)
      return g_ptr_array_index (capture->payloads, i);
  return NULL;
}

static void
feed_chunked (Capture    *capture,
              const char *data,
              gsize       len,
              guint       max_chunk)
{
  gsize pos = 0;
  guint step = 0;

  /* Uneven chunk sizes split lines, CRLF pairs and UTF-8 sequences. */
  while (pos < len)
    {
      gsize n = MIN (len - pos, 1 + (step++ * 7919) % max_chunk);
      g_autoptr(GBytes) bytes = g_bytes_new (data + pos, n);

      lean_stream_parser_feed (capture->parser, bytes);
      pos += n;
    }
  lean_stream_parser_flush (capture->parser);
}

static char *
fixture (const char *name,
         gsize      *len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "agent-transcripts",
                                                 name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static gboolean
contains (GString    *text,
          const char *needle)
{
  return memmem (text->str, text->len, needle, strlen (needle)) != NULL;
}

static void
check_claude_not_logged_in (Capture *capture)
{
  LeanStreamParser *parser = capture->parser;

  g_assert_true (lean_stream_parser_has_result (parser));
  g_assert_true (lean_stream_parser_get_is_error (parser));
  g_assert_cmpfloat (lean_stream_parser_get_cost_usd (parser), ==, 0.0);
  g_assert_cmpuint (lean_stream_parser_get_num_turns (parser), ==, 1);
  g_assert_cmpuint (lean_stream_parser_get_input_tokens (parser), ==, 0);
  g_assert_cmpuint (lean_stream_parser_get_output_tokens (parser), ==, 0);
  g_assert_cmpstr (lean_stream_parser_get_result_text (parser), ==,
                   "Not logged in · Please run /login");
  g_assert_cmpstr (lean_stream_parser_get_last_error (parser), ==, "authentication_failed");

  /* A person sees why it failed, in red, and no raw JSON. */
  g_assert_true (contains (capture->display,
                           "\033[31mNot logged in · Please run /login\033[0m\r\n"));
  g_assert_true (contains (capture->display, "✗ Failed: Not logged in · Please run /login"));
  g_assert_true (contains (capture->display, "● Claude Code 2.1.197 · claude-opus-4-8[1m]"));
  g_assert_false (contains (capture->display, "{\"type\""));
  g_assert_false (contains (capture->display, "\r\r"));

  g_assert_cmpuint (count_kind (capture, "init"), ==, 1);
  g_assert_cmpuint (count_kind (capture, "message"), ==, 1);
  g_assert_cmpuint (count_kind (capture, "result"), ==, 1);
  g_assert_nonnull (strstr (payload_of (capture, "message", 0), "\"is_error\":true"));
  g_assert_nonnull (strstr (payload_of (capture, "result", 0), "\"is_error\":true"));
  g_assert_cmpuint (capture->n_usage, >=, 1);
  g_assert_cmpfloat (capture->usage_cost, ==, 0.0);
}

static void
test_claude_transcript (void)
{
  gsize len = 0;
  g_autofree char *data = fixture ("claude-code-2.1.197-not-logged-in.jsonl", &len);
  g_autoptr(Capture) whole = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  g_autoptr(Capture) chunked = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);

  feed_chunked (whole, data, len, len);
  check_claude_not_logged_in (whole);
  g_assert_cmpstr (lean_stream_parser_get_agent_session_id (whole->parser), ==,
                   "0a323c30-7381-4520-bbf9-e21732623fb6");

  /* However the bytes are cut, the result is the same. */
  feed_chunked (chunked, data, len, 13);
  check_claude_not_logged_in (chunked);
  g_assert_cmpstr (chunked->display->str, ==, whole->display->str);
  g_assert_cmpuint (chunked->kinds->len, ==, whole->kinds->len);
}

static void
test_claude_through_pty (void)
{
  gsize len = 0;
  g_autofree char *data = fixture ("claude-code-2.1.197-not-logged-in-pty.raw", &len);
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  const char *reset = "\033[?1006l\033[?1003l\033[?1002l\033[?1000l\033(B\017\033[>4m\033[<u"
                      "\033[?1004l\033[?2031l\033[?2004l\033[?25h\0337\033[r\0338\033]0;\007"
                      "\033[?25h";

  /* Recorded through a real PTY: CRLF line ends, and Claude's terminal reset
   * at exit without a newline, which must reach the terminal untouched. */
  feed_chunked (capture, data, len, 64);
  check_claude_not_logged_in (capture);
  g_assert_true (g_str_has_suffix (capture->display->str, reset));
}

static void
test_codex_transcript (void)
{
  gsize len = 0;
  g_autofree char *data = fixture ("codex-0.169.0-exec-json-no-network.jsonl", &len);
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CODEX_JSON);
  LeanStreamParser *parser = capture->parser;

  feed_chunked (capture, data, len, 31);

  g_assert_cmpstr (lean_stream_parser_get_agent_session_id (parser), ==,
                   "01a20de0-3247-79f0-9fbd-3351ba9b311b");
  g_assert_false (lean_stream_parser_has_result (parser));
  /* Still failing to connect when it was stopped. */
  g_assert_true (lean_stream_parser_get_is_error (parser));
  g_assert_cmpfloat (lean_stream_parser_get_cost_usd (parser), <, 0);
  g_assert_cmpstr (lean_stream_parser_get_last_error (parser), ==,
                   "Reconnecting... waiting for network (Connection failed: error sending "
                   "request)");

  g_assert_cmpuint (count_kind (capture, "init"), ==, 1);
  g_assert_cmpuint (count_kind (capture, "turn"), ==, 1);
  g_assert_cmpuint (count_kind (capture, "error"), ==, 9);
  g_assert_true (contains (capture->display,
                           "\033[31m✗ Reconnecting... 2/5 (stream disconnected before "
                           "completion: failed to lookup address information: Name does not "
                           "resolve)\033[0m\r\n"));
  g_assert_true (contains (capture->display, "✗ Falling back from WebSockets to HTTPS"));
  g_assert_true (contains (capture->display, "● Codex · session 01a20de0"));
  g_assert_false (contains (capture->display, "{\"type\""));
}

/* Built from the documented `codex exec --json` events (no recording with a
 * working login exists here). */
static const char codex_run[] =
  "{\"type\":\"thread.started\",\"thread_id\":\"0199a213-81c0-7800-8aa1-bbab2a035a53\"}\n"
  "{\"type\":\"turn.started\"}\n"
  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"reasoning\","
  "\"text\":\"**Scanning the spec**\"}}\n"
  "{\"type\":\"item.started\",\"item\":{\"id\":\"item_1\",\"type\":\"command_execution\","
  "\"command\":\"bash -lc ls\",\"aggregated_output\":\"\",\"exit_code\":null,"
  "\"status\":\"in_progress\"}}\n"
  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"command_execution\","
  "\"command\":\"bash -lc ls\",\"aggregated_output\":\"README.md\\nsrc\\n\",\"exit_code\":0,"
  "\"status\":\"completed\"}}\n"
  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_2\",\"type\":\"file_change\","
  "\"changes\":[{\"path\":\"src/x.c\",\"kind\":\"update\"},{\"path\":\"src/y.c\","
  "\"kind\":\"add\"}],\"status\":\"completed\"}}\n"
  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_3\",\"type\":\"agent_message\","
  "\"text\":\"Implemented the spec.\"}}\n"
  "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":24763,"
  "\"cached_input_tokens\":24448,\"output_tokens\":122}}\n"
  "{\"type\":\"turn.started\"}\n"
  "{\"type\":\"item.started\",\"item\":{\"id\":\"item_4\",\"type\":\"command_execution\","
  "\"command\":\"make check\",\"aggregated_output\":\"\",\"exit_code\":null,"
  "\"status\":\"in_progress\"}}\n"
  "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_4\",\"type\":\"command_execution\","
  "\"command\":\"make check\",\"aggregated_output\":\"make: *** No rule\\n\","
  "\"exit_code\":2,\"status\":\"failed\"}}\n"
  "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":1000,"
  "\"cached_input_tokens\":500,\"output_tokens\":78}}\n";

static void
test_codex_run (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CODEX_JSON);
  LeanStreamParser *parser = capture->parser;

  feed_chunked (capture, codex_run, strlen (codex_run), 50);

  /* Codex reports usage per turn: the session total is the sum. */
  g_assert_cmpuint (lean_stream_parser_get_input_tokens (parser), ==, 25763);
  g_assert_cmpuint (lean_stream_parser_get_output_tokens (parser), ==, 200);
  g_assert_cmpuint (lean_stream_parser_get_cache_tokens (parser), ==, 24948);
  g_assert_cmpuint (lean_stream_parser_get_num_turns (parser), ==, 2);
  g_assert_cmpfloat (lean_stream_parser_get_cost_usd (parser), <, 0);
  g_assert_false (lean_stream_parser_get_is_error (parser));
  g_assert_true (lean_stream_parser_has_result (parser));
  g_assert_cmpuint (capture->usage[0], ==, 25763);

  g_assert_true (contains (capture->display, "▶ Run\033[0m bash -lc ls\r\n"));
  g_assert_true (contains (capture->display, "\033[2m  ↳ exit 0 · README.md (+1 lines)"));
  g_assert_true (contains (capture->display, "▶ Edit\033[0m src/x.c\r\n"));
  g_assert_true (contains (capture->display, "▶ Add\033[0m src/y.c\r\n"));
  g_assert_true (contains (capture->display, "Implemented the spec.\r\n"));
  g_assert_true (contains (capture->display, "\033[31m  ↳ exit 2 · make: *** No rule"));
  g_assert_true (contains (capture->display, "· **Scanning the spec**"));
  g_assert_cmpuint (count_kind (capture, "tool-use"), ==, 4);
  g_assert_cmpuint (count_kind (capture, "tool-result"), ==, 2);
}

/* Built from Gemini CLI's documented stream-json events. */
static const char gemini_run[] =
  "{\"type\":\"init\",\"timestamp\":\"2025-10-10T12:00:00.000Z\",\"session_id\":\"abc123\","
  "\"model\":\"gemini-2.5-flash\"}\n"
  "{\"type\":\"message\",\"role\":\"user\",\"content\":\"Implement spec 042\","
  "\"timestamp\":\"2025-10-10T12:00:01.000Z\"}\n"
  "{\"type\":\"tool_use\",\"tool_name\":\"read_file\",\"tool_id\":\"read-123\","
  "\"parameters\":{\"file_path\":\"specs/042-foo/README.md\"},"
  "\"timestamp\":\"2025-10-10T12:00:02.000Z\"}\n"
  "{\"type\":\"tool_result\",\"tool_id\":\"read-123\",\"status\":\"success\","
  "\"output\":\"# Foo\\nbody\",\"timestamp\":\"2025-10-10T12:00:03.000Z\"}\n"
  "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"I read the \",\"delta\":true,"
  "\"timestamp\":\"2025-10-10T12:00:04.000Z\"}\n"
  "{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"spec.\",\"delta\":true,"
  "\"timestamp\":\"2025-10-10T12:00:04.100Z\"}\n"
  "{\"type\":\"tool_use\",\"tool_name\":\"run_shell_command\",\"tool_id\":\"sh-1\","
  "\"parameters\":{\"command\":\"make\"},\"timestamp\":\"2025-10-10T12:00:05.000Z\"}\n"
  "{\"type\":\"tool_result\",\"tool_id\":\"sh-1\",\"status\":\"error\",\"error\":{\"type\":"
  "\"exit\",\"message\":\"make failed\"},\"timestamp\":\"2025-10-10T12:00:06.000Z\"}\n"
  "{\"type\":\"error\",\"severity\":\"warning\",\"message\":\"Loop detected, stopping\","
  "\"timestamp\":\"2025-10-10T12:00:07.000Z\"}\n"
  "{\"type\":\"result\",\"status\":\"success\",\"stats\":{\"total_tokens\":250,"
  "\"input_tokens\":200,\"output_tokens\":50,\"cached\":20,\"duration_ms\":3000,"
  "\"tool_calls\":2},\"timestamp\":\"2025-10-10T12:00:08.000Z\"}\n";

static void
test_gemini_run (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON);
  LeanStreamParser *parser = capture->parser;

  feed_chunked (capture, gemini_run, strlen (gemini_run), 17);

  g_assert_cmpstr (lean_stream_parser_get_agent_session_id (parser), ==, "abc123");
  g_assert_cmpuint (lean_stream_parser_get_input_tokens (parser), ==, 200);
  g_assert_cmpuint (lean_stream_parser_get_output_tokens (parser), ==, 50);
  g_assert_cmpuint (lean_stream_parser_get_cache_tokens (parser), ==, 20);
  g_assert_false (lean_stream_parser_get_is_error (parser));
  g_assert_true (lean_stream_parser_has_result (parser));

  g_assert_true (contains (capture->display,
                           "● Gemini CLI · gemini-2.5-flash · session abc123"));
  g_assert_true (contains (capture->display, "▶ read_file\033[0m specs/042-foo/README.md\r\n"));
  g_assert_true (contains (capture->display, "  ↳ # Foo (+1 lines)"));
  /* Streamed pieces make one line, ended before the next tool call. */
  g_assert_true (contains (capture->display, "I read the spec.\r\n\033[1m\033[36m▶ "
                                             "run_shell_command\033[0m make\r\n"));
  g_assert_true (contains (capture->display, "\033[31m  ↳ make failed\033[0m"));
  g_assert_true (contains (capture->display, "! Loop detected, stopping"));
  g_assert_false (contains (capture->display, "Implement spec 042"));
  g_assert_true (contains (capture->display, "✓ Done"));
}

static void
test_gemini_no_auth (void)
{
  gsize len = 0;
  g_autofree char *data = fixture ("gemini-cli-0.61.0-no-auth-pty.raw", &len);
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON);

  /* Recorded through a PTY: without an auth method Gemini CLI prints plain
   * text even in stream-json mode. It must reach the person unchanged. */
  feed_chunked (capture, data, len, 23);
  g_assert_cmpmem (capture->display->str, capture->display->len, data, len);
  g_assert_true (contains (capture->display, "Please set an Auth method"));
  g_assert_cmpuint (capture->kinds->len, ==, 0);
  g_assert_false (lean_stream_parser_has_result (capture->parser));
}

/* Built from cursor-agent's documented stream-json (Claude's shape plus
 * "tool_call" events). */
static const char cursor_run[] =
  "{\"type\":\"system\",\"subtype\":\"init\",\"apiKeySource\":\"login\","
  "\"cwd\":\"/home/me/app\",\"session_id\":\"c6b62c6f-7ead\",\"model\":\"Claude 4 "
  "Sonnet\",\"permissionMode\":\"default\"}\n"
  "{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":"
  "\"text\",\"text\":\"Reading the spec.\"}]},\"session_id\":\"c6b62c6f-7ead\"}\n"
  "{\"type\":\"tool_call\",\"subtype\":\"started\",\"call_id\":\"toolu_vrtx_01\","
  "\"tool_call\":{\"readToolCall\":{\"args\":{\"path\":\"/home/me/app/specs/042/README.md\"}}},"
  "\"session_id\":\"c6b62c6f-7ead\"}\n"
  "{\"type\":\"tool_call\",\"subtype\":\"completed\",\"call_id\":\"toolu_vrtx_01\","
  "\"tool_call\":{\"readToolCall\":{\"args\":{\"path\":\"/home/me/app/specs/042/README.md\"},"
  "\"result\":{\"success\":{\"content\":\"# Spec\",\"totalLines\":54}}}},"
  "\"session_id\":\"c6b62c6f-7ead\"}\n"
  "{\"type\":\"result\",\"subtype\":\"success\",\"duration_ms\":1234,\"is_error\":false,"
  "\"result\":\"Reading the spec.\",\"session_id\":\"c6b62c6f-7ead\"}\n";

static void
test_cursor_run (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);

  feed_chunked (capture, cursor_run, strlen (cursor_run), 40);
  g_assert_true (contains (capture->display, "▶ Read\033[0m specs/042/README.md\r\n"));
  g_assert_true (contains (capture->display, "\033[2m  ↳ done\033[0m"));
  /* Neither tokens nor cost reported: none shown. */
  g_assert_true (contains (capture->display, "✓ Done\033[0m\r\n"));
  g_assert_false (lean_stream_parser_get_is_error (capture->parser));
  /* No cost reported: unknown, not zero. */
  g_assert_cmpfloat (lean_stream_parser_get_cost_usd (capture->parser), <, 0);
  g_assert_cmpstr (lean_stream_parser_get_agent_session_id (capture->parser), ==,
                   "c6b62c6f-7ead");
}

static void
test_text_passthrough (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_TEXT);
  const char input[] = "\033[1mhello\033[0m\r\n{\"type\":\"result\"}\r\npartial \xff\xfe";

  feed_chunked (capture, input, sizeof input - 1, 5);
  g_assert_cmpmem (capture->display->str, capture->display->len, input, sizeof input - 1);
  g_assert_cmpuint (capture->kinds->len, ==, 0);
  g_assert_false (lean_stream_parser_has_result (capture->parser));
}

static void
test_unusual_lines (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GBytes) prompt = g_bytes_new_static ("Password: ", 10);
  g_autoptr(GBytes) answer = g_bytes_new_static ("***\r\n", 5);
  const char *lines =
    "plain text line\r\n"
    "{broken json\r\n"
    "{not json, bad bytes \xff\xfe\xff\xfe\xff\xfe\xff\xfe grow when repaired\n"
    "{\"type\":\"unknown_kind\",\"x\":1}\n"
    "{\"no_type\":[1,2]}\n"
    "{\"type\":\"assistant\",\"message\":{\"id\":\"m1\",\"content\":[{\"type\":\"text\","
    "\"text\":\"bad byte \xff here and \033[2J escape\"}],\"usage\":{\"input_tokens\":7,"
    "\"output_tokens\":3}}}\r\n";

  /* A prompt without a newline shows at once. */
  lean_stream_parser_feed (capture->parser, prompt);
  g_assert_cmpstr (capture->display->str, ==, "Password: ");
  lean_stream_parser_feed (capture->parser, answer);
  g_assert_cmpstr (capture->display->str, ==, "Password: ***\r\n");

  feed_chunked (capture, lines, strlen (lines), 9);
  g_assert_true (contains (capture->display, "plain text line\r\n"));
  g_assert_true (contains (capture->display, "{broken json\r\n"));
  /* Found by tests/fuzz: the repaired line is longer than the raw one and
   * was read past the raw one's end. */
  g_assert_true (contains (capture->display, "{not json, bad bytes \xef\xbf\xbd"));
  g_assert_true (contains (capture->display, " grow when repaired\r\n"));
  /* An event kind the parser does not know: one dim line. */
  g_assert_true (contains (capture->display,
                           "\033[2m· {\"type\":\"unknown_kind\",\"x\":1}\033[0m\r\n"));
  /* JSON that is not an agent event passes through as it came. */
  g_assert_true (contains (capture->display, "{\"no_type\":[1,2]}\r\n"));
  /* Invalid UTF-8 is repaired, control sequences from the model dropped. */
  g_assert_true (contains (capture->display, "bad byte \xef\xbf\xbd here and [2J escape\r\n"));
  g_assert_false (contains (capture->display, "\033[2J"));
  /* Usage is live before the result. */
  g_assert_cmpuint (capture->usage[0], ==, 7);
  g_assert_cmpuint (capture->usage[1], ==, 3);

  /* A 3 MB tool result in small pieces is one event. */
  g_string_append (big, "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":["
                        "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"");
  for (int i = 0; i < 100000; i++)
    g_string_append (big, "0123456789abcdefghijklmnopq\\n");
  g_string_append (big, "\"}]}}\r\n");
  g_string_truncate (capture->display, 0);
  feed_chunked (capture, big->str, big->len, 4096);
  g_assert_cmpuint (count_kind (capture, "tool-result"), ==, 1);
  g_assert_true (contains (capture->display, "  ↳ 0123456789abcdefghijklmnopq (+99999 lines)"));
  g_assert_cmpuint (capture->display->len, <, 200);
}

/* The whole path: the test agent's stream-json run, through a real PTY by
 * the local runner, into the parser. */
static void
on_runner_output (LeanRunner *runner,
                  GBytes     *bytes,
                  Capture    *capture)
{
  lean_stream_parser_feed (capture->parser, bytes);
}

static void
on_runner_exited (LeanRunner *runner,
                  int         kind,
                  int         code,
                  const char *message,
                  gboolean   *done)
{
  *done = TRUE;
}

/* One line 100,000 arrays deep from a real agent in a real PTY: json-glib
 * would recurse until the stack ran out; the line is refused before, and
 * the events after it still count. */
/* Runs the test agent with @args in a real PTY, its output into @capture.
 * FALSE (test skipped) outside meson test. */
static gboolean
run_test_agent (Capture            *capture,
                const char * const *args)
{
  g_autoptr(LeanLocalRunner) runner = lean_local_runner_new ();
  g_autoptr(LeanRunnerLaunch) launch = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *agent = g_getenv ("LEAN_TEST_AGENT");
  gboolean done = FALSE;

  if (agent == NULL)
    {
      g_test_skip ("LEAN_TEST_AGENT is not set; run through meson test");
      return FALSE;
    }
  g_ptr_array_add (argv, (char *)agent);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  launch = lean_runner_launch_new ((const char * const *)argv->pdata, NULL);
  g_signal_connect (runner, "output", G_CALLBACK (on_runner_output), capture);
  g_signal_connect (runner, "exited", G_CALLBACK (on_runner_exited), &done);
  lean_runner_start_async (LEAN_RUNNER (runner), launch, NULL, NULL, NULL);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  lean_stream_parser_flush (capture->parser);
  return TRUE;
}

static void
test_deep_line_from_agent (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  const char *args[] = { "--deep-json", "100000", "--stream-json", "Spec 042", NULL };

  if (!run_test_agent (capture, args))
    return;

  g_assert_cmpuint (lean_stream_parser_get_num_turns (capture->parser), ==, 3);
  g_assert_true (contains (capture->display, "I will implement: Spec 042"));
}

static void
test_test_agent_live (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  const char *args[] = { "--stream-json", "Spec 042: make foo", NULL };
  LeanStreamParser *parser = capture->parser;

  if (!run_test_agent (capture, args))
    return;

  g_assert_cmpuint (lean_stream_parser_get_input_tokens (parser), ==, 1234);
  g_assert_cmpuint (lean_stream_parser_get_output_tokens (parser), ==, 567);
  g_assert_cmpuint (lean_stream_parser_get_cache_tokens (parser), ==, 100);
  g_assert_cmpfloat_with_epsilon (lean_stream_parser_get_cost_usd (parser), 0.0421, 1e-9);
  g_assert_cmpuint (lean_stream_parser_get_num_turns (parser), ==, 3);
  g_assert_false (lean_stream_parser_get_is_error (parser));
  g_assert_cmpstr (lean_stream_parser_get_agent_session_id (parser), ==, "5f0c2a4e-test-agent");
  g_assert_cmpuint (capture->usage[0], ==, 1234);
  g_assert_cmpfloat_with_epsilon (capture->usage_cost, 0.0421, 1e-9);

  g_assert_true (contains (capture->display, "I will implement: Spec 042: make foo\r\n"
                                             "First I read the spec.\r\n"));
  /* Paths relative to the agent's folder, as a person reads them. */
  g_assert_true (contains (capture->display, "\033[1m\033[36m▶ Edit\033[0m src/x.c\r\n"));
  g_assert_true (contains (capture->display,
                           "\033[2m  ↳ The file /tmp/project/src/x.c has been updated. "
                           "(+2 lines)\033[0m\r\n"));
  g_assert_true (contains (capture->display, "▶ Bash\033[0m make check\r\n"));
  g_assert_true (contains (capture->display,
                           "\033[31m  ↳ make: *** No rule to make target 'check'.\033[0m"));
  g_assert_true (contains (capture->display, "✓ Done"));
  g_assert_true (contains (capture->display, "3 turns · 1234 in / 567 out tokens (100 cached)"
                                             " · $0.0421"));
  g_assert_nonnull (strstr (payload_of (capture, "tool-use", 0),
                            "\"name\":\"Edit\",\"summary\":\"src/x.c\""));
  g_assert_nonnull (strstr (payload_of (capture, "tool-result", 1), "\"is_error\":true"));
}

/* The real agent CLIs, when asked for (LEAN_TEST_REAL_AGENTS=1) and on
 * PATH: argv from the registry, the local runner, the parser, as a session
 * runs them. HOME is a fresh folder and API keys are blanked, so this is
 * what a new user without a login sees and nothing is ever billed. */
typedef struct
{
  Capture   *capture;
  gboolean   exited;
  int        kind;
  int        code;
  gboolean   cancel_on_error;
  LeanRunner *runner;
} RealRun;

static void
on_real_output (LeanRunner *runner,
                GBytes     *bytes,
                RealRun    *run)
{
  lean_stream_parser_feed (run->capture->parser, bytes);
  if (run->cancel_on_error && count_kind (run->capture, "error") > 0)
    lean_runner_cancel (runner);
}

static void
on_real_exited (LeanRunner *runner,
                int         kind,
                int         code,
                const char *message,
                RealRun    *run)
{
  run->exited = TRUE;
  run->kind = kind;
  run->code = code;
}

static void
run_real_agent (const char *id,
                RealRun    *run)
{
  g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();
  g_autoptr(LeanLocalRunner) runner = lean_local_runner_new ();
  g_autoptr(GBytes) stdin_data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LeanRunnerLaunch) launch = NULL;
  g_autofree char *home = g_dir_make_tmp ("lean-real-home-XXXXXX", NULL);
  g_autofree char *home_var = g_strdup_printf ("HOME=%s", home);
  g_autofree char *codex_home = g_strdup_printf ("CODEX_HOME=%s", home);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  LeanAgent *agent = lean_agent_registry_lookup (registry, id);

  argv = lean_agent_build_argv (agent, LEAN_SESSION_MODE_AUTONOMOUS, NULL, "say hi",
                                &stdin_data, &error);
  g_assert_no_error (error);
  env = lean_agent_build_env (agent, home, "001-test", "00000000-test");
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "CODEX_HOME", home, TRUE);
  env = g_environ_setenv (env, "ANTHROPIC_API_KEY", "", TRUE);
  env = g_environ_setenv (env, "CLAUDE_CODE_OAUTH_TOKEN", "", TRUE);
  env = g_environ_setenv (env, "OPENAI_API_KEY", "", TRUE);
  env = g_environ_setenv (env, "CODEX_API_KEY", "", TRUE);

  /* Codex only works in a git repository (or a folder it trusts). */
  {
    const char *git_argv[] = { "git", "init", "-q", home, NULL };

    g_spawn_sync (NULL, (char **)git_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  launch = lean_runner_launch_new ((const char * const *)argv, home);
  launch->env = g_steal_pointer (&env);
  run->runner = LEAN_RUNNER (runner);
  lean_local_runner_set_kill_delay (runner, 2000);
  g_signal_connect (runner, "output", G_CALLBACK (on_real_output), run);
  g_signal_connect (runner, "exited", G_CALLBACK (on_real_exited), run);
  lean_runner_start_async (LEAN_RUNNER (runner), launch, NULL, NULL, NULL);
  while (!run->exited)
    g_main_context_iteration (NULL, TRUE);
  lean_stream_parser_flush (run->capture->parser);
  g_test_message ("%s printed:\n%s", id, run->capture->display->str);

  {
    const char *rm_argv[] = { "rm", "-rf", home, NULL };

    g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
}

static gboolean
want_real (const char *exe)
{
  g_autofree char *path = g_find_program_in_path (exe);

  if (g_strcmp0 (g_getenv ("LEAN_TEST_REAL_AGENTS"), "1") != 0)
    {
      g_test_skip ("set LEAN_TEST_REAL_AGENTS=1 to run the real agent CLIs");
      return FALSE;
    }
  if (path == NULL)
    {
      g_test_skip ("not on PATH");
      return FALSE;
    }
  return TRUE;
}

static void
test_real_claude (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON);
  RealRun run = { capture };

  if (!want_real ("claude"))
    return;
  run_real_agent ("claude", &run);
  g_assert_cmpint (run.kind, ==, LEAN_RUNNER_EXIT_EXITED);
  g_assert_cmpint (run.code, !=, 0);
  g_assert_true (lean_stream_parser_get_is_error (capture->parser));
  /* Not logged in (or no network): either way, said in red, not as JSON. */
  g_assert_true (contains (capture->display, "\033[31m"));
  g_assert_false (contains (capture->display, "{\"type\""));
}

static void
test_real_codex (void)
{
  g_autoptr(Capture) capture = capture_new (LEAN_AGENT_OUTPUT_CODEX_JSON);
  RealRun run = { capture };

  if (!want_real ("codex"))
    return;
  /* Without a login or network codex retries for ever: cancel at the first
   * error, as a person would. */
  run.cancel_on_error = TRUE;
  run_real_agent ("codex", &run);
  g_assert_true (lean_stream_parser_get_is_error (capture->parser));
  g_assert_nonnull (lean_stream_parser_get_last_error (capture->parser));
  g_assert_true (contains (capture->display, "\033[31m✗ "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream-parser/claude-transcript", test_claude_transcript);
  g_test_add_func ("/stream-parser/claude-through-pty", test_claude_through_pty);
  g_test_add_func ("/stream-parser/codex-transcript", test_codex_transcript);
  g_test_add_func ("/stream-parser/codex-run", test_codex_run);
  g_test_add_func ("/stream-parser/gemini-run", test_gemini_run);
  g_test_add_func ("/stream-parser/gemini-no-auth", test_gemini_no_auth);
  g_test_add_func ("/stream-parser/cursor-run", test_cursor_run);
  g_test_add_func ("/stream-parser/text-passthrough", test_text_passthrough);
  g_test_add_func ("/stream-parser/unusual-lines", test_unusual_lines);
  g_test_add_func ("/stream-parser/test-agent-live", test_test_agent_live);
  g_test_add_func ("/stream-parser/deep-line-from-agent", test_deep_line_from_agent);
  g_test_add_func ("/stream-parser/real-claude", test_real_claude);
  g_test_add_func ("/stream-parser/real-codex", test_real_codex);

  return g_test_run ();
}
