/* SPDX-License-Identifier: MIT */
/* The critic's verdict read from real-shaped agent output: Claude's JSON
 * and stream-json (result text and structured_output), Codex exec --json
 * agent messages, Gemini JSON and stream-json, plain text with a fenced
 * block; the real "not logged in" transcripts give no verdict. */
#include "config.h"

#include <string.h>

#include "lean-critic-verdict.h"
#include "test-util.h"

static const char verdict_json[] =
  "{\"verdict\": \"fail\", \"requirements\": ["
  "{\"item\": \"Parse checks.json\", \"met\": true, \"evidence\": \"src/a.c:12\"},"
  "{\"item\": \"Kill the group at timeout\", \"met\": false, \"evidence\": \"no test\"}],"
  " \"gaps\": [\"No timeout test\"], \"summary\": \"One requirement is missing.\"}";

static char *
fixture_path (const char *name)
{
  return g_build_filename (test_util_source_root (), "tests", "fixtures", "agent-transcripts",
                           name, NULL);
}

static char *
read_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The real transcript's lines, with the last line's @member set to @value
 * (a JSON string or, with @as_object, an object). */
static char *
reshape_last_line (const char *transcript,
                   const char *member,
                   const char *value,
                   gboolean    as_object)
{
  g_auto(GStrv) lines = g_strsplit (transcript, "\n", -1);
  GString *out = g_string_new (NULL);
  int last = -1;

  for (int i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      last = i;
  g_assert_cmpint (last, >=, 0);
  for (int i = 0; lines[i] != NULL; i++)
    {
      if (i == last)
        {
          g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
          JsonObject *obj = json_node_get_object (node);
          g_autofree char *text = NULL;

          if (as_object)
            json_object_set_member (obj, member, json_from_string (value, NULL));
          else
            json_object_set_string_member (obj, member, value);
          text = json_to_string (node, FALSE);
          g_string_append_printf (out, "%s\n", text);
        }
      else if (*lines[i] != '\0')
        g_string_append_printf (out, "%s\n", lines[i]);
    }
  return g_string_free (out, FALSE);
}

static void
assert_fail_verdict (LeanCriticVerdict *verdict)
{
  LeanCriticRequirement *req;

  g_assert_true (verdict->parsed);
  g_assert_false (verdict->pass);
  g_assert_false (lean_critic_verdict_passed (verdict));
  g_assert_cmpuint (verdict->requirements->len, ==, 2);
  req = g_ptr_array_index (verdict->requirements, 0);
  g_assert_cmpstr (req->item, ==, "Parse checks.json");
  g_assert_true (req->met);
  g_assert_cmpstr (req->evidence, ==, "src/a.c:12");
  req = g_ptr_array_index (verdict->requirements, 1);
  g_assert_false (req->met);
  g_assert_cmpstr (verdict->gaps[0], ==, "No timeout test");
  g_assert_null (verdict->gaps[1]);
  g_assert_cmpstr (verdict->summary, ==, "One requirement is missing.");
}

static void
test_claude_result_text (void)
{
  g_autofree char *transcript = read_fixture ("claude-code-2.1.197-not-logged-in.jsonl");
  g_autofree char *text = g_strdup_printf ("I read the code and ran nothing.\n\n```json\n%s\n```\n",
                                           verdict_json);
  g_autofree char *output = reshape_last_line (transcript, "result", text, FALSE);
  g_autoptr(LeanCriticVerdict) verdict = lean_critic_verdict_parse (output, strlen (output));

  assert_fail_verdict (verdict);
}

static void
test_claude_structured_output (void)
{
  g_autofree char *transcript = read_fixture ("claude-code-2.1.197-not-logged-in.jsonl");
  g_autofree char *output = reshape_last_line (transcript, "structured_output", verdict_json, TRUE);
  g_autoptr(LeanCriticVerdict) verdict = lean_critic_verdict_parse (output, strlen (output));

  assert_fail_verdict (verdict);
}

static void
test_usage (void)
{
  g_autofree char *claude = g_strdup_printf (
    "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\","
    "\"total_cost_usd\":0.0123,\"usage\":{\"input_tokens\":120,\"output_tokens\":30},"
    "\"structured_output\":%s}\n", verdict_json);
  g_autofree char *codex = g_strdup_printf (
    "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"agent_message\","
    "\"text\":\"%s\"}}\n"
    "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":900,\"cached_input_tokens\":0,"
    "\"output_tokens\":45}}\n", "{\\\"verdict\\\":\\\"pass\\\"}");
  g_autoptr(LeanCriticVerdict) a = lean_critic_verdict_parse (claude, strlen (claude));
  g_autoptr(LeanCriticVerdict) b = lean_critic_verdict_parse (codex, strlen (codex));

  assert_fail_verdict (a);
  g_assert_cmpuint (a->input_tokens, ==, 120);
  g_assert_cmpuint (a->output_tokens, ==, 30);
  g_assert_cmpfloat_with_epsilon (a->cost_usd, 0.0123, 1e-9);
  g_assert_true (lean_critic_verdict_passed (b));
  g_assert_cmpuint (b->input_tokens, ==, 900);
  g_assert_cmpuint (b->output_tokens, ==, 45);
  g_assert_cmpfloat (b->cost_usd, <, 0);
}

static void
test_codex_agent_message (void)
{
  g_autofree char *transcript = read_fixture ("codex-0.169.0-exec-json-no-network.jsonl");
  g_autoptr(JsonNode) item = json_from_string ("{\"type\":\"item.completed\",\"item\":"
                                               "{\"id\":\"item_3\",\"type\":\"agent_message\","
                                               "\"text\":\"\"}}", NULL);
  g_autofree char *line = NULL;
  g_autofree char *output = NULL;
  g_autoptr(LeanCriticVerdict) verdict = NULL;

  json_object_set_string_member (json_object_get_object_member (json_node_get_object (item),
                                                                "item"),
                                 "text", verdict_json);
  line = json_to_string (item, FALSE);
  output = g_strdup_printf ("%s%s\n{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":10,"
                            "\"output_tokens\":5}}\n", transcript, line);
  verdict = lean_critic_verdict_parse (output, strlen (output));
  assert_fail_verdict (verdict);
}

static void
test_gemini_json_and_stream (void)
{
  g_autoptr(JsonNode) response = json_from_string ("{\"response\":\"\",\"stats\":{\"models\":{}}}",
                                                   NULL);
  g_autofree char *text = g_strdup_printf ("Here is my review.\n```json\n%s\n```", verdict_json);
  g_autofree char *output = NULL;
  g_autoptr(LeanCriticVerdict) verdict = NULL;
  g_autoptr(GString) stream = g_string_new ("{\"type\":\"init\",\"session_id\":\"s\",\"model\":\"m\"}\n"
                                            "{\"type\":\"message\",\"role\":\"user\",\"content\":\"review\"}\n");
  g_autoptr(LeanCriticVerdict) streamed = NULL;
  gsize half = strlen (text) / 2;
  g_autofree char *first = g_strndup (text, half);

  json_object_set_string_member (json_node_get_object (response), "response", text);
  output = json_to_string (response, TRUE);   /* gemini -o json prints it pretty */
  verdict = lean_critic_verdict_parse (output, strlen (output));
  assert_fail_verdict (verdict);

  /* stream-json: the assistant's message in two deltas. */
  {
    g_autoptr(JsonNode) a = json_from_string ("{\"type\":\"message\",\"role\":\"assistant\","
                                              "\"content\":\"\",\"delta\":true}", NULL);
    g_autoptr(JsonNode) b = json_from_string ("{\"type\":\"message\",\"role\":\"assistant\","
                                              "\"content\":\"\",\"delta\":true}", NULL);
    g_autofree char *la = NULL;
    g_autofree char *lb = NULL;

    json_object_set_string_member (json_node_get_object (a), "content", first);
    json_object_set_string_member (json_node_get_object (b), "content", text + half);
    la = json_to_string (a, FALSE);
    lb = json_to_string (b, FALSE);
    g_string_append_printf (stream, "%s\n%s\n{\"type\":\"result\",\"status\":\"success\"}\n",
                            la, lb);
  }
  streamed = lean_critic_verdict_parse (stream->str, stream->len);
  assert_fail_verdict (streamed);
}

static void
test_plain_text (void)
{
  g_autofree char *text = g_strdup_printf ("\033[1mReview\033[0m\nAn example first:\n"
                                           "```json\n{\"verdict\": \"maybe\"}\n```\n"
                                           "Final answer:\n```json\n%s\n```\n", verdict_json);
  g_autofree char *bare = g_strdup_printf ("My verdict is %s. Thanks.", verdict_json);
  g_autoptr(LeanCriticVerdict) fenced = lean_critic_verdict_parse (text, strlen (text));
  g_autoptr(LeanCriticVerdict) inline_obj = lean_critic_verdict_parse (bare, strlen (bare));
  const char *pass = "{\"verdict\":\"pass\",\"requirements\":[],\"gaps\":[],\"summary\":\"ok\"}";
  g_autoptr(LeanCriticVerdict) passed = lean_critic_verdict_parse (pass, strlen (pass));
  g_autoptr(JsonNode) json = lean_critic_verdict_to_json (passed);

  assert_fail_verdict (fenced);
  assert_fail_verdict (inline_obj);
  g_assert_true (lean_critic_verdict_passed (passed));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "verdict"), ==,
                   "pass");
}

static void
test_no_verdict (void)
{
  static const char * const transcripts[] = {
    "claude-code-2.1.197-not-logged-in.jsonl",
    "codex-0.169.0-exec-json-no-network.jsonl",
    "gemini-cli-0.61.0-no-auth-pty.raw",
    "copilot-1.0.102-no-auth-pty.raw",
  };

  for (guint i = 0; i < G_N_ELEMENTS (transcripts); i++)
    {
      g_autofree char *output = read_fixture (transcripts[i]);
      g_autoptr(LeanCriticVerdict) verdict = lean_critic_verdict_parse (output, strlen (output));
      g_autoptr(JsonNode) json = lean_critic_verdict_to_json (verdict);
      JsonObject *obj = json_node_get_object (json);

      g_test_message ("%s: %s", transcripts[i], verdict->text);
      g_assert_false (verdict->parsed);
      g_assert_false (lean_critic_verdict_passed (verdict));
      g_assert_nonnull (verdict->text);
      g_assert_cmpstr (json_object_get_string_member (obj, "verdict"), ==, "error");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "summary"),
                                       "The critic gave no verdict: "));
      /* What is kept is readable: no escape sequences. */
      g_assert_null (strchr (verdict->text, '\033'));
    }

  /* Claude's answer text is what is shown. */
  {
    g_autofree char *output = read_fixture ("claude-code-2.1.197-not-logged-in.jsonl");
    g_autoptr(LeanCriticVerdict) verdict = lean_critic_verdict_parse (output, strlen (output));

    g_assert_cmpstr (verdict->text, ==, "Not logged in · Please run /login");
  }
  /* A verdict that is not pass or fail is none. */
  {
    const char *odd = "{\"verdict\": \"looks fine\", \"summary\": \"x\"}";
    g_autoptr(LeanCriticVerdict) verdict = lean_critic_verdict_parse (odd, strlen (odd));

    g_assert_false (verdict->parsed);
  }
}

static void
test_hostile (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"verdict\": \"pass\", \"x\": ");
  g_autoptr(LeanCriticVerdict) verdict = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  verdict = lean_critic_verdict_parse (deep->str, deep->len);
  g_assert_false (verdict->parsed);
  g_assert_cmpuint (strlen (verdict->text), <=, LEAN_CRITIC_TEXT_MAX);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/critic-verdict/claude-result-text", test_claude_result_text);
  g_test_add_func ("/critic-verdict/claude-structured-output", test_claude_structured_output);
  g_test_add_func ("/critic-verdict/codex-agent-message", test_codex_agent_message);
  g_test_add_func ("/critic-verdict/usage", test_usage);
  g_test_add_func ("/critic-verdict/gemini-json-and-stream", test_gemini_json_and_stream);
  g_test_add_func ("/critic-verdict/plain-text", test_plain_text);
  g_test_add_func ("/critic-verdict/no-verdict", test_no_verdict);
  g_test_add_func ("/critic-verdict/hostile", test_hostile);

  return g_test_run ();
}
