/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-error.h"
#include "lean-json.h"

/* @depth arrays nested in each other, with @inner in the middle. */
static char *
nested (guint       depth,
        const char *inner)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  g_string_append (s, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_parse_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  node = lean_json_parse ("{\"a\": [1, 2], \"b\": \"x\"}", -1, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "b"), ==, "x");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "a")), ==, 2);
}

static void
test_depth_limit (void)
{
  g_autofree char *ok = nested (LEAN_JSON_MAX_DEPTH, "1");
  g_autofree char *deep = nested (LEAN_JSON_MAX_DEPTH + 1, "1");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* Exactly the default depth parses; one more is refused. */
  node = lean_json_parse (ok, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);

  node = lean_json_parse (deep, -1, 0, &error);
  g_assert_null (node);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "64"));
  g_clear_error (&error);

  /* An explicit bound, with objects counted like arrays. */
  node = lean_json_parse ("{\"a\": {\"b\": [1]}}", -1, 2, &error);
  g_assert_null (node);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  node = lean_json_parse ("{\"a\": {\"b\": [1]}}", -1, 3, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

static void
test_depth_hostile (void)
{
  /* Deep enough to hurt a recursive parser: refused by the scan alone. */
  g_autofree char *deep = nested (1000000, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = lean_json_parse (deep, -1, 0, &error);
  g_assert_null (node);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
}

static void
test_strings_do_not_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  /* Brackets in strings, an escaped quote that does not end the string,
   * and an escaped backslash right before a closing quote. */
  const char *text = "[\"[[[[{{{{\", \"\\\"[[[[\", \"\\\\\", {\"k\": \"]]]}}}\"}]";

  node = lean_json_parse (text, -1, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 1), ==, "\"[[[[");
  g_clear_pointer (&node, json_node_unref);

  /* The same brackets outside strings do count. */
  node = lean_json_parse ("[[[1]]]", -1, 2, &error);
  g_assert_null (node);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
}

static void
test_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  /* Only the first @len bytes are looked at: the rest would be too deep. */
  const char *text = "[1][[[[[[";

  node = lean_json_parse (text, 3, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = lean_json_parse ("{\"a\": ", -1, 0, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  g_assert_true (error->domain == JSON_PARSER_ERROR);
  g_clear_error (&error);

  node = lean_json_parse ("", -1, 0, &error);
  g_assert_null (node);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  node = lean_json_parse ("  \n", -1, 0, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/parse", test_parse_plain);
  g_test_add_func ("/json/depth-limit", test_depth_limit);
  g_test_add_func ("/json/depth-hostile", test_depth_hostile);
  g_test_add_func ("/json/strings-do-not-count", test_strings_do_not_count);
  g_test_add_func ("/json/length", test_length);
  g_test_add_func ("/json/errors", test_errors);

  return g_test_run ();
}
