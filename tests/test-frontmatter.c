/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-error.h"
#include "lean-frontmatter.h"

static LeanFrontmatter *
parse_ok (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  LeanFrontmatter *fm = lean_frontmatter_parse (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fm);
  return fm;
}

static char *
parse_error (const char *text,
             gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len == (gsize)-1 ? strlen (text) : len);
  GError *error = NULL;
  LeanFrontmatter *fm = lean_frontmatter_parse (bytes, &error);
  char *msg;

  g_assert_null (fm);
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
  msg = g_strdup (error->message);
  g_error_free (error);
  return msg;
}

/* The whole new file must be exactly @expected: this is the byte-exact
 * check that nothing outside the edited range moved. */
static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *copy = g_strndup (data, len);

  g_assert_cmpstr (copy, ==, expected);
  g_assert_cmpuint (len, ==, strlen (expected));
}

static void
test_basic (void)
{
  const char *text =
    "---\n"
    "status: planned\n"
    "created: 2025-10-31\n"
    "tags: [a, 'b c', \"d\"]\n"
    "priority: high\n"
    "depends_on:\n"
    "  - 001-foo\n"
    "  - 002-bar\n"
    "transitions:\n"
    "- status: in-progress\n"
    "  at: 2026-01-30T09:35:24.076141Z\n"
    "---\n"
    "\n"
    "# Title\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) deps = NULL;
  const LeanFmNode *node;

  g_assert_true (lean_frontmatter_has_front_matter (fm));
  g_assert_cmpuint (lean_frontmatter_get_n_keys (fm), ==, 6);
  g_assert_cmpstr (lean_frontmatter_get_key (fm, 0), ==, "status");
  g_assert_cmpstr (lean_frontmatter_get_key (fm, 5), ==, "transitions");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "status"), ==, "planned");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "created"), ==, "2025-10-31");

  tags = lean_frontmatter_dup_strv (fm, "tags");
  g_assert_cmpstrv (tags, ((const char *[]) { "a", "b c", "d", NULL }));
  deps = lean_frontmatter_dup_strv (fm, "depends_on");
  g_assert_cmpstrv (deps, ((const char *[]) { "001-foo", "002-bar", NULL }));

  node = lean_frontmatter_lookup (fm, "transitions");
  g_assert_nonnull (node);
  g_assert_cmpint (node->kind, ==, LEAN_FM_NODE_SEQUENCE);
  g_assert_cmpuint (node->items->len, ==, 1);
  g_assert_cmpint (((LeanFmNode *)node->items->pdata[0])->kind, ==, LEAN_FM_NODE_MAPPING);

  node = lean_frontmatter_lookup (fm, "priority");
  g_assert_cmpuint (node->line, ==, 5);
  g_assert_cmpint (memcmp (text + node->start, "high", 4), ==, 0);
  g_assert_cmpuint (node->end - node->start, ==, 4);

  g_assert_cmpuint (lean_frontmatter_get_body_line (fm), ==, 13);
  g_assert_cmpstr (text + lean_frontmatter_get_body_offset (fm), ==, "\n# Title\n");
  g_assert_null (lean_frontmatter_lookup (fm, "missing"));
  g_assert_null (lean_frontmatter_dup_strv (fm, "missing"));
}

static void
test_bom_crlf_comments (void)
{
  const char *text =
    "\xef\xbb\xbf---\r\n"
    "# a comment\r\n"
    "status: in-progress # trailing comment\r\n"
    "priority: 'high'\r\n"
    "---\r\n"
    "# Title\r\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) out2 = NULL;

  g_assert_true (lean_frontmatter_has_front_matter (fm));
  g_assert_cmpstr (lean_frontmatter_get_newline (fm), ==, "\r\n");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "status"), ==, "in-progress");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "priority"), ==, "high");
  g_assert_cmpuint (lean_frontmatter_get_body_line (fm), ==, 6);

  out = lean_frontmatter_set_scalar (fm, "status", "complete", NULL, NULL);
  assert_bytes (out,
                "\xef\xbb\xbf---\r\n"
                "# a comment\r\n"
                "status: complete # trailing comment\r\n"
                "priority: 'high'\r\n"
                "---\r\n"
                "# Title\r\n");

  /* Quoting style kept; a new key gets the file's own CRLF. */
  out2 = lean_frontmatter_set_scalar (fm, "priority", "it's", NULL, NULL);
  assert_bytes (out2,
                "\xef\xbb\xbf---\r\n"
                "# a comment\r\n"
                "status: in-progress # trailing comment\r\n"
                "priority: 'it''s'\r\n"
                "---\r\n"
                "# Title\r\n");
  g_clear_pointer (&out2, g_bytes_unref);
  out2 = lean_frontmatter_set_scalar (fm, "assignee", "bob", NULL, NULL);
  assert_bytes (out2,
                "\xef\xbb\xbf---\r\n"
                "# a comment\r\n"
                "status: in-progress # trailing comment\r\n"
                "priority: 'high'\r\n"
                "assignee: bob\r\n"
                "---\r\n"
                "# Title\r\n");
}

static void
test_block_scalars (void)
{
  const char *text =
    "---\n"
    "description: |\n"
    "  line one\n"
    "  line two\n"
    "summary: >\n"
    "  folded\n"
    "  text\n"
    "status: draft\n"
    "---\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_autoptr(GBytes) out = NULL;

  g_assert_cmpstr (lean_frontmatter_get_string (fm, "description"), ==, "line one\nline two\n");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "summary"), ==, "folded text\n");
  g_assert_cmpstr (lean_frontmatter_get_string (fm, "status"), ==, "draft");

  out = lean_frontmatter_set_scalar (fm, "status", "planned", NULL, NULL);
  assert_bytes (out,
                "---\n"
                "description: |\n"
                "  line one\n"
                "  line two\n"
                "summary: >\n"
                "  folded\n"
                "  text\n"
                "status: planned\n"
                "---\n");
  g_clear_pointer (&out, g_bytes_unref);

  /* Replacing a block scalar by a plain one keeps the next key's line. */
  out = lean_frontmatter_set_scalar (fm, "description", "short", NULL, NULL);
  assert_bytes (out,
                "---\n"
                "description: short\n"
                "summary: >\n"
                "  folded\n"
                "  text\n"
                "status: draft\n"
                "---\n");
}

static void
test_unicode_offsets (void)
{
  /* libyaml counts characters; offsets must still be bytes. */
  const char *text =
    "---\n"
    "title: \"规格 — ünïcødé\"\n"
    "tags: [测试, überarbeitung]\n"
    "status: planned\n"
    "---\n"
    "body\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_autoptr(GBytes) out = NULL;
  g_auto(GStrv) tags = lean_frontmatter_dup_strv (fm, "tags");

  g_assert_cmpstr (lean_frontmatter_get_string (fm, "title"), ==, "规格 — ünïcødé");
  g_assert_cmpstrv (tags, ((const char *[]) { "测试", "überarbeitung", NULL }));

  out = lean_frontmatter_set_scalar (fm, "status", "complete", NULL, NULL);
  assert_bytes (out,
                "---\n"
                "title: \"规格 — ünïcødé\"\n"
                "tags: [测试, überarbeitung]\n"
                "status: complete\n"
                "---\n"
                "body\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_set_list (fm, "tags", (const char *[]) { "ui", "测试", NULL },
                                   NULL, NULL);
  assert_bytes (out,
                "---\n"
                "title: \"规格 — ünïcødé\"\n"
                "tags: [ui, 测试]\n"
                "status: planned\n"
                "---\n"
                "body\n");
}

static void
test_errors (void)
{
  g_autofree char *empty = parse_error ("", 0);
  g_autofree char *blank = parse_error ("  \n\n", -1);
  g_autofree char *unclosed = parse_error ("---\nstatus: planned\n# Title\n", -1);
  g_autofree char *bad = parse_error ("---\nstatus: planned\ntags: [a, b\npriority: high\n---\n",
                                      -1);
  g_autofree char *bad2 = parse_error ("---\nstatus: planned\n  priority: high\n---\n", -1);
  g_autofree char *utf8 = parse_error ("---\nstatus: planned\n---\n# Ti\xfftle\n", -1);
  g_autofree char *nul = parse_error ("---\nstatus: planned\n---\nlong ascii text\0here\n", 40);
  g_autofree char *late = parse_error ("---\nstatus: planned\n---\n"
                                       "\xc3\xa9t\xc3\xa9 then ascii \xe2\x82 broken\n", -1);
  g_autofree char *dup = parse_error ("---\nstatus: planned\nstatus: complete\n---\n", -1);
  g_autofree char *list = parse_error ("---\n- a\n- b\n---\n", -1);

  g_assert_nonnull (strstr (empty, "empty"));
  g_assert_nonnull (strstr (blank, "empty"));
  g_assert_nonnull (strstr (unclosed, "never closed"));
  g_assert_nonnull (strstr (bad, "not valid YAML"));
  g_assert_nonnull (strstr (bad, "line "));
  /* The error points into the file, not into the YAML fragment: the
   * indented key is on line 3 of the file. */
  g_assert_nonnull (strstr (bad2, "line 3"));
  g_assert_nonnull (strstr (utf8, "UTF-8"));
  g_assert_nonnull (strstr (utf8, "line 4"));
  g_assert_nonnull (strstr (nul, "0x00 at line 4, column 16"));
  g_assert_nonnull (strstr (late, "line 4"));
  g_assert_nonnull (strstr (dup, "twice"));
  g_assert_nonnull (strstr (list, "key: value"));
}

static void
test_utf8_cases (void)
{
  /* Each must agree with g_utf8_validate on the whole file. */
  const char *cases[] = {
    "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf8\x88\x80\x80\x80", "\xf4\x90\x80\x80",
    "\x80", "\xc3", "\xff" "b", "\xc3\xa9", "\xe6\xb5\x8b\xe8\xaf\x95", "\xf0\x9f\x98\x80",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("---\nstatus: planned\n---\n"
                                               "# 12345678 %s tail text\n",
                                               cases[i]);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
      g_autoptr(GError) error = NULL;
      g_autoptr(LeanFrontmatter) fm = lean_frontmatter_parse (bytes, &error);
      gboolean valid = g_utf8_validate (text, strlen (text), NULL);

      g_assert_cmpint (fm != NULL, ==, valid);
      if (!valid && strstr (error->message, "line 4, column 12") == NULL)
        g_error ("case %u: %s", i, error->message);
    }
}

static void
test_no_front_matter (void)
{
  const char *text = "# Just a title\n\nbody\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_autoptr(GBytes) out = NULL;

  g_assert_false (lean_frontmatter_has_front_matter (fm));
  g_assert_cmpuint (lean_frontmatter_get_n_keys (fm), ==, 0);
  g_assert_cmpuint (lean_frontmatter_get_body_offset (fm), ==, 0);
  g_assert_cmpuint (lean_frontmatter_get_body_line (fm), ==, 1);

  out = lean_frontmatter_set_scalar (fm, "status", "planned", NULL, NULL);
  assert_bytes (out, "---\nstatus: planned\n---\n# Just a title\n\nbody\n");
}

static void
test_empty_front_matter (void)
{
  g_autoptr(LeanFrontmatter) fm = parse_ok ("---\n# only a comment\n---\nbody\n");
  g_autoptr(GBytes) out = NULL;

  g_assert_true (lean_frontmatter_has_front_matter (fm));
  g_assert_cmpuint (lean_frontmatter_get_n_keys (fm), ==, 0);
  out = lean_frontmatter_set_scalar (fm, "status", "draft", NULL, NULL);
  assert_bytes (out, "---\n# only a comment\nstatus: draft\n---\nbody\n");
}

static void
test_set_scalar_cases (void)
{
  const char *text =
    "---\n"
    "status: planned\n"
    "assignee:\n"
    "created_at: 2025-06-01T10:00:00.000Z\n"
    "updated_at: \"2025-06-02\"\n"
    "tags:\n"
    "- a\n"
    "---\n"
    "body: not yaml\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (text);
  g_autoptr(GBytes) out = NULL;

  /* Empty value: the value goes after the colon. */
  out = lean_frontmatter_set_scalar (fm, "assignee", "dev 1", NULL, NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee: dev 1\n"
                "created_at: 2025-06-01T10:00:00.000Z\n"
                "updated_at: \"2025-06-02\"\n"
                "tags:\n"
                "- a\n"
                "---\n"
                "body: not yaml\n");
  g_clear_pointer (&out, g_bytes_unref);

  /* Double quotes kept. */
  out = lean_frontmatter_set_scalar (fm, "updated_at", "x\"y", NULL, NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee:\n"
                "created_at: 2025-06-01T10:00:00.000Z\n"
                "updated_at: \"x\\\"y\"\n"
                "tags:\n"
                "- a\n"
                "---\n"
                "body: not yaml\n");
  g_clear_pointer (&out, g_bytes_unref);

  /* Inserted after a given key, or before the closing --- */
  out = lean_frontmatter_set_scalar (fm, "completed_at", "2026-01-01T00:00:00.000000000Z",
                                     "updated_at", NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee:\n"
                "created_at: 2025-06-01T10:00:00.000Z\n"
                "updated_at: \"2025-06-02\"\n"
                "completed_at: 2026-01-01T00:00:00.000000000Z\n"
                "tags:\n"
                "- a\n"
                "---\n"
                "body: not yaml\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_set_scalar (fm, "note", "yes", "tags", NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee:\n"
                "created_at: 2025-06-01T10:00:00.000Z\n"
                "updated_at: \"2025-06-02\"\n"
                "tags:\n"
                "- a\n"
                "note: 'yes'\n"
                "---\n"
                "body: not yaml\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_remove_key (fm, "created_at", NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee:\n"
                "updated_at: \"2025-06-02\"\n"
                "tags:\n"
                "- a\n"
                "---\n"
                "body: not yaml\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_remove_key (fm, "tags", NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "assignee:\n"
                "created_at: 2025-06-01T10:00:00.000Z\n"
                "updated_at: \"2025-06-02\"\n"
                "---\n"
                "body: not yaml\n");
}

static void
test_quote_scalar (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "planned", "planned" },
    { "in-progress", "in-progress" },
    { "2026-11-26T07:52:18.644669291Z", "2026-11-26T07:52:18.644669291Z" },
    { "123", "'123'" },
    { "1.5", "'1.5'" },
    { "true", "'true'" },
    { "null", "'null'" },
    { "a: b", "'a: b'" },
    { "a #b", "'a #b'" },
    { "#x", "'#x'" },
    { "- x", "'- x'" },
    { "-x", "-x" },
    { "[x]", "'[x]'" },
    { " lead", "' lead'" },
    { "it's", "it's" },
    { "'q", "'''q'" },
    { "two\nlines", "\"two\\nlines\"" },
    { "", "''" },
    { "über", "über" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *q = lean_frontmatter_quote_scalar (cases[i].in);
      g_autofree char *doc = g_strdup_printf ("---\nk: %s\n---\n", q);
      g_autoptr(LeanFrontmatter) fm = NULL;

      g_assert_cmpstr (q, ==, cases[i].out);
      /* And it reads back as the same string. */
      fm = parse_ok (doc);
      g_assert_cmpstr (lean_frontmatter_get_string (fm, "k"), ==, cases[i].in);
    }
}

static void
test_set_list (void)
{
  const char *block =
    "---\n"
    "status: planned\n"
    "tags:\n"
    "  - one   # first\n"
    "  - two\n"
    "priority: high\n"
    "---\n";
  const char *flow = "---\ntags: [one, two] # keep\nstatus: x\n---\n";
  const char *none = "---\nstatus: x\npriority: low\n---\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (block);
  g_autoptr(LeanFrontmatter) fm2 = parse_ok (flow);
  g_autoptr(LeanFrontmatter) fm3 = parse_ok (none);
  g_autoptr(GBytes) out = NULL;
  const char *items[] = { "ui", "a, b", NULL };
  const char *empty[] = { NULL };

  out = lean_frontmatter_set_list (fm, "tags", items, NULL, NULL);
  assert_bytes (out,
                "---\n"
                "status: planned\n"
                "tags:\n"
                "  - ui\n"
                "  - a, b\n"
                "priority: high\n"
                "---\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_set_list (fm, "tags", empty, NULL, NULL);
  assert_bytes (out, "---\nstatus: planned\ntags: []\npriority: high\n---\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_set_list (fm2, "tags", items, NULL, NULL);
  assert_bytes (out, "---\ntags: [ui, 'a, b'] # keep\nstatus: x\n---\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_set_list (fm3, "tags", items, "priority", NULL);
  assert_bytes (out, "---\nstatus: x\npriority: low\ntags:\n- ui\n- a, b\n---\n");
}

static void
test_append_mapping (void)
{
  const char * const pairs[] = {
    "status", "complete", "at", "2026-01-02T03:04:05.000000006Z", NULL
  };
  const char *block =
    "---\r\n"
    "status: in-progress\r\n"
    "transitions:\r\n"
    "  - status: in-progress\r\n"
    "    at: 2026-01-01T00:00:00Z\r\n"
    "# trailing comment\r\n"
    "---\r\n"
    "body\r\n";
  g_autoptr(LeanFrontmatter) fm = parse_ok (block);
  g_autoptr(LeanFrontmatter) fm2 = parse_ok ("---\nstatus: x\ntransitions: []\nz: 1\n---\n");
  g_autoptr(LeanFrontmatter) fm3 = parse_ok ("---\nstatus: x\n---\n");
  g_autoptr(LeanFrontmatter) fm4 = parse_ok ("---\ntransitions:\nstatus: x\n---\n");
  g_autoptr(GBytes) out = NULL;

  out = lean_frontmatter_append_mapping (fm, "transitions", pairs, NULL);
  assert_bytes (out,
                "---\r\n"
                "status: in-progress\r\n"
                "transitions:\r\n"
                "  - status: in-progress\r\n"
                "    at: 2026-01-01T00:00:00Z\r\n"
                "  - status: complete\r\n"
                "    at: 2026-01-02T03:04:05.000000006Z\r\n"
                "# trailing comment\r\n"
                "---\r\n"
                "body\r\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_append_mapping (fm2, "transitions", pairs, NULL);
  assert_bytes (out,
                "---\nstatus: x\ntransitions:\n- status: complete\n"
                "  at: 2026-01-02T03:04:05.000000006Z\nz: 1\n---\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_append_mapping (fm3, "transitions", pairs, NULL);
  assert_bytes (out,
                "---\nstatus: x\ntransitions:\n- status: complete\n"
                "  at: 2026-01-02T03:04:05.000000006Z\n---\n");
  g_clear_pointer (&out, g_bytes_unref);

  out = lean_frontmatter_append_mapping (fm4, "transitions", pairs, NULL);
  assert_bytes (out,
                "---\ntransitions:\n- status: complete\n"
                "  at: 2026-01-02T03:04:05.000000006Z\nstatus: x\n---\n");
  g_clear_pointer (&out, g_bytes_unref);

  /* A flow list stays a flow list. */
  {
    g_autoptr(LeanFrontmatter) fm5 =
      parse_ok ("---\ntransitions: [{status: planned, at: x}]\n---\n");
    g_autoptr(LeanFrontmatter) back = NULL;
    const LeanFmNode *node;

    out = lean_frontmatter_append_mapping (fm5, "transitions", pairs, NULL);
    assert_bytes (out,
                  "---\ntransitions: [{status: planned, at: x}, "
                  "{status: complete, at: 2026-01-02T03:04:05.000000006Z}]\n---\n");
    back = lean_frontmatter_parse (out, NULL);
    node = lean_frontmatter_lookup (back, "transitions");
    g_assert_cmpuint (node->items->len, ==, 2);
  }
  g_clear_pointer (&out, g_bytes_unref);

  /* Not a list: refused with the line, nothing produced. */
  {
    g_autoptr(LeanFrontmatter) fm6 = parse_ok ("---\nstatus: x\ntransitions: oops\n---\n");
    g_autoptr(GError) error = NULL;

    out = lean_frontmatter_append_mapping (fm6, "transitions", pairs, &error);
    g_assert_null (out);
    g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC);
    g_assert_nonnull (strstr (error->message, "line 3"));
  }
}

/* Every key other than @changed keeps its exact source text, and the body
 * is byte-identical. */
static void
assert_others_kept (LeanFrontmatter *before,
                    LeanFrontmatter *after,
                    const char      *changed,
                    const char      *path)
{
  const char *a = g_bytes_get_data (lean_frontmatter_get_contents (before), NULL);
  const char *b = g_bytes_get_data (lean_frontmatter_get_contents (after), NULL);
  gsize alen = g_bytes_get_size (lean_frontmatter_get_contents (before));
  gsize blen = g_bytes_get_size (lean_frontmatter_get_contents (after));
  gsize abody = lean_frontmatter_get_body_offset (before);
  gsize bbody = lean_frontmatter_get_body_offset (after);

  g_assert_cmpuint (alen - abody, ==, blen - bbody);
  if (memcmp (a + abody, b + bbody, alen - abody) != 0)
    g_error ("%s: body changed by editing %s", path, changed);

  for (guint i = 0; i < lean_frontmatter_get_n_keys (before); i++)
    {
      const char *key = lean_frontmatter_get_key (before, i);
      const LeanFmNode *va = lean_frontmatter_get_value_node (before, i);
      const LeanFmNode *vb;

      if (g_str_equal (key, changed))
        continue;
      vb = lean_frontmatter_lookup (after, key);
      if (vb == NULL)
        g_error ("%s: key %s lost by editing %s", path, key, changed);
      if (va->end - va->start != vb->end - vb->start ||
          memcmp (a + va->start, b + vb->start, va->end - va->start) != 0)
        g_error ("%s: key %s changed by editing %s", path, key, changed);
    }
}

static LeanFrontmatter *
reparse (GBytes     *bytes,
         const char *path,
         const char *what)
{
  g_autoptr(GError) error = NULL;
  LeanFrontmatter *fm;

  g_assert_nonnull (bytes);
  fm = lean_frontmatter_parse (bytes, &error);
  if (fm == NULL)
    g_error ("%s: %s made it unreadable: %s", path, what, error->message);
  return fm;
}

/* Every edit on every real spec: the result parses, the edited key reads
 * back, and nothing else moved. */
static void
test_corpus_edits (void)
{
  const char *src_root = g_getenv ("LEANSPEC_SOURCE_ROOT");
  g_autofree char *specs_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n = 0;

  if (src_root != NULL)
    specs_dir = g_build_filename (src_root, "..", "shared", "corpus", "lean-spec", "specs", NULL);
  if (specs_dir == NULL || !g_file_test (specs_dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("shared corpus not found beside the source tree (../shared/corpus/lean-spec)");
      return;
    }

  /* Read only: nothing is written to the shared corpus. */
  dir = g_dir_open (specs_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (specs_dir, name, "README.md", NULL);
      g_autofree char *text = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(LeanFrontmatter) fm = NULL;
      gsize len;
      const char * const pairs[] = {
        "status", "complete", "at", "2026-01-01T00:00:00.000000000Z", NULL
      };
      const char * const tags[] = { "x", "y z", NULL };
      struct { const char *key; GBytes *out; } edits[5];

      if (!g_file_get_contents (path, &text, &len, NULL))
        continue;
      bytes = g_bytes_new_take (g_steal_pointer (&text), len);
      fm = lean_frontmatter_parse (bytes, NULL);
      g_assert_nonnull (fm);

      edits[0].key = "status";
      edits[0].out = lean_frontmatter_set_scalar (fm, "status", "in-progress", NULL, NULL);
      edits[1].key = "transitions";
      edits[1].out = lean_frontmatter_append_mapping (fm, "transitions", pairs, NULL);
      edits[2].key = "tags";
      edits[2].out = lean_frontmatter_set_list (fm, "tags", tags, "priority", NULL);
      edits[3].key = "assignee";
      edits[3].out = lean_frontmatter_set_scalar (fm, "assignee", "Ann: dev", "tags", NULL);
      edits[4].key = "priority";
      edits[4].out = lean_frontmatter_remove_key (fm, "priority", NULL);

      for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
        {
          g_autoptr(LeanFrontmatter) after = reparse (edits[i].out, path, edits[i].key);

          assert_others_kept (fm, after, edits[i].key, path);
          switch (i)
            {
            case 0:
              g_assert_cmpstr (lean_frontmatter_get_string (after, "status"), ==, "in-progress");
              break;
            case 1:
              {
                const LeanFmNode *old_t = lean_frontmatter_lookup (fm, "transitions");
                const LeanFmNode *new_t = lean_frontmatter_lookup (after, "transitions");
                const LeanFmNode *last;

                g_assert_cmpuint (new_t->items->len, ==, (old_t ? old_t->items->len : 0) + 1);
                last = g_ptr_array_index (new_t->items, new_t->items->len - 1);
                g_assert_cmpint (last->kind, ==, LEAN_FM_NODE_MAPPING);
                g_assert_cmpstr (((LeanFmNode *)last->items->pdata[1])->value, ==, "complete");
              }
              break;
            case 2:
              {
                g_auto(GStrv) got = lean_frontmatter_dup_strv (after, "tags");
                g_assert_cmpstrv (got, tags);
              }
              break;
            case 3:
              g_assert_cmpstr (lean_frontmatter_get_string (after, "assignee"), ==, "Ann: dev");
              break;
            case 4:
            default:
              g_assert_null (lean_frontmatter_lookup (after, "priority"));
              break;
            }
          g_bytes_unref (edits[i].out);
        }
      n++;
    }
  g_test_message ("edited %u corpus specs five ways each", n);
  g_assert_cmpuint (n, >=, 300);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frontmatter/basic", test_basic);
  g_test_add_func ("/frontmatter/bom-crlf-comments", test_bom_crlf_comments);
  g_test_add_func ("/frontmatter/block-scalars", test_block_scalars);
  g_test_add_func ("/frontmatter/unicode-offsets", test_unicode_offsets);
  g_test_add_func ("/frontmatter/errors", test_errors);
  g_test_add_func ("/frontmatter/utf8-cases", test_utf8_cases);
  g_test_add_func ("/frontmatter/no-front-matter", test_no_front_matter);
  g_test_add_func ("/frontmatter/empty-front-matter", test_empty_front_matter);
  g_test_add_func ("/frontmatter/set-scalar", test_set_scalar_cases);
  g_test_add_func ("/frontmatter/quote-scalar", test_quote_scalar);
  g_test_add_func ("/frontmatter/set-list", test_set_list);
  g_test_add_func ("/frontmatter/append-mapping", test_append_mapping);
  g_test_add_func ("/frontmatter/corpus-edits", test_corpus_edits);
  return g_test_run ();
}
