/* SPDX-License-Identifier: MIT */
/* The cl100k_base token counter: counts tiktoken gives, the hand-written
 * pre-tokenizer against the pattern run by GRegex (PCRE2), both merge
 * strategies against each other, LeanSpec's breakdown and thresholds.
 * (test-interop-http compares whole projects with LeanSpec itself.) */
#include "config.h"

#include <string.h>

#include "lean-tokens.h"

#define CL100K_PATTERN \
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|" \
  " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

static void
test_known_counts (void)
{
  /* What tiktoken's cl100k_base gives for these (encode with every special
   * token allowed). */
  const struct { const char *text; gsize tokens; } cases[] = {
    { "", 0 },
    { "Hello, world!", 4 },
    { "hello world", 2 },
    { "tiktoken is great!", 6 },
    { "I'm here, they've 12345 规格 🎉", 15 },
    { "<|endoftext|>", 1 },
    { "a<|endoftext|>b<|fim_prefix|>", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (lean_tokens_count (cases[i].text, -1), ==, cases[i].tokens);
  g_assert_true (lean_tokens_ensure_loaded ());
}

static GPtrArray *
regex_split (GRegex     *regex,
             const char *text)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMatchInfo) info = NULL;

  g_regex_match (regex, text, 0, &info);
  while (g_match_info_matches (info))
    {
      g_ptr_array_add (pieces, g_match_info_fetch (info, 0));
      g_match_info_next (info, NULL);
    }
  return pieces;
}

static void
assert_same_split (GRegex     *regex,
                   const char *text)
{
  g_autoptr(GPtrArray) ours = _lean_tokens_split (text, strlen (text));
  g_autoptr(GPtrArray) theirs = regex_split (regex, text);
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);

  for (guint i = 0; i < ours->len; i++)
    g_string_append_printf (a, "[%s]", (char *)g_ptr_array_index (ours, i));
  for (guint i = 0; i < theirs->len; i++)
    g_string_append_printf (b, "[%s]", (char *)g_ptr_array_index (theirs, i));
  g_assert_cmpstr (a->str, ==, b->str);
}

/* Letters, numbers of every kind, contractions in any case, white space
 * runs before words, before line breaks and at the end, CRLF, emoji with
 * joiners, CJK, combining marks, punctuation runs. */
static const char * const fragments[] = {
  "a", "Z", "hello", "World", " ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n",
  "'s", "'S", "'re", "'RE", "'Ll", "'ve", "'d", "'m", "'t", "'x", "'", "''",
  "1", "12", "1234567", "٣٤٥٦", "²", "Ⅻ", "½", "3.14", "1,000",
  "规格", "日本語", "한국어", "🎉", "👨‍👩‍👧", "é", "e\xcc\x81", "ß", "İ", "ǅ", "ʰ",
  "\xc2\xa0", "\xe3\x80\x80", "...", "!!", "()", "{}", "-", "—", "#", "##", "```",
  "- [ ]", "- [x]", "$", "€", "0x1F", " \n", " \t\n ", "a1b2", "über",
  "<", "|", ">", "<|", "|>",
};

static void
test_split_matches_regex (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = g_regex_new (CL100K_PATTERN, G_REGEX_OPTIMIZE, 0, &error);
  const char * const fixed[] = {
    "Hello, world! I'm here 12345 ünïcødé 规格 🎉  \n\n  x",
    "  leading and trailing  ",
    "tabs\t\tand\r\n\r\nCRLF\r\n",
    "THEY'LL WE'VE I'M she'D",
    "x = [1, 2, 3];  // comment\n\n```js\nconst a = 1;\n```\n",
    "---\nstatus: planned\ncreated: '2025-01-01'\n---\n\n# Title\n",
    " \n \n \n",
    "\n",
    " ",
    "end with space ",
  };
  GRand *rand = g_rand_new_with_seed (42);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    assert_same_split (regex, fixed[i]);

  for (guint n = 0; n < 3000; n++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint len = g_rand_int_range (rand, 1, 40);

      for (guint k = 0; k < len; k++)
        g_string_append (text, fragments[g_rand_int_range (rand, 0, G_N_ELEMENTS (fragments))]);
      assert_same_split (regex, text->str);
    }
  g_rand_free (rand);
}

static void
test_merge_strategies_agree (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;";

  for (guint n = 0; n < 2000; n++)
    {
      guint8 piece[128];
      gsize len = g_rand_int_range (rand, 2, sizeof piece + 1);

      for (gsize i = 0; i < len; i++)
        piece[i] = n % 3 == 0 ? (guint8)g_rand_int_range (rand, 0, 256)
                              : (guint8)alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      g_assert_cmpuint (_lean_tokens_count_piece (piece, len, FALSE), ==,
                        _lean_tokens_count_piece (piece, len, TRUE));
    }
  g_rand_free (rand);
}

/* One 200 kB word: the heap merge keeps this near-linear, where a merge
 * that rescans every pair would take minutes. Counted in halves it gives
 * about as many tokens, so the count is plausible. */
static void
test_long_piece (void)
{
  gsize len = 200000;
  g_autofree char *word = g_malloc (len + 1);
  gsize whole, half;

  for (gsize i = 0; i < len; i++)
    word[i] = "abcdefghij"[(i * 7 + i / 3) % 10];
  word[len] = '\0';

  whole = lean_tokens_count (word, len);
  half = lean_tokens_count (word, len / 2);
  g_assert_cmpuint (whole, >, len / 10);
  g_assert_cmpuint (whole, <, len);
  g_assert_cmpuint (whole, >=, 2 * half - 2);
  g_assert_cmpuint (whole, <=, 2 * half + 2);
}

static void
test_invalid_utf8 (void)
{
  const char bytes[] = "ok \xff\xfe broken \xc3";

  /* Each stray byte is a piece of its own, never a read past the end. */
  g_assert_cmpuint (lean_tokens_count (bytes, sizeof bytes - 1), >, 3);
}

static void
test_breakdown (void)
{
  /* LeanSpec's own breakdown of these two specs (leanspec-http 0.3.0). */
  const char *spec = "---\nstatus: planned\ncreated: '2025-01-02'\npriority: high\n---\n\n"
                     "# Empty\n\n## Overview\n\n## Plan\n\n- [ ] a\n\n### Sub\n\n## Tail\n";
  const char *crlf = "---\r\nstatus: complete\r\ncreated: '2025-03-04'\r\npriority: low\r\n"
                     "tags: a, b ,c d\r\n---\r\n\r\n# CRLF spec 🎉\r\n\r\n## Notes\r\n\r\n"
                     "I'm here, they've 12345 规格 <|endoftext|> done.\r\n- [x] done\r\n";
  g_autoptr(LeanTokenCount) c = lean_tokens_count_spec (spec, strlen (spec));
  g_autoptr(LeanTokenCount) d = lean_tokens_count_spec (crlf, strlen (crlf));
  g_autoptr(LeanTokenCount) none = lean_tokens_count_spec ("# Title\n\nText\n", 15);

  g_assert_cmpuint (c->total, ==, 40);
  g_assert_cmpuint (c->frontmatter, ==, 20);
  g_assert_cmpuint (c->content, ==, 21);
  g_assert_cmpuint (c->title, ==, 2);
  g_assert_cmpuint (c->code_blocks, ==, 0);
  g_assert_cmpuint (c->checklists, ==, 4);
  g_assert_cmpuint (c->prose, ==, 2);
  /* The last section counts only when it has lines: "Tail" has none. */
  g_assert_cmpuint (c->sections->len, ==, 2);
  g_assert_cmpstr (g_array_index (c->sections, LeanTokenSection, 0).heading, ==, "Overview");
  g_assert_cmpuint (g_array_index (c->sections, LeanTokenSection, 0).tokens, ==, 0);
  g_assert_cmpstr (g_array_index (c->sections, LeanTokenSection, 1).heading, ==, "Plan");
  g_assert_cmpuint (g_array_index (c->sections, LeanTokenSection, 1).tokens, ==, 9);
  g_assert_cmpint (c->status, ==, LEAN_TOKEN_STATUS_OPTIMAL);

  g_assert_cmpuint (d->total, ==, 63);
  g_assert_cmpuint (d->frontmatter, ==, 29);
  g_assert_cmpuint (d->content, ==, 34);
  g_assert_cmpuint (d->title, ==, 7);
  g_assert_cmpuint (d->checklists, ==, 5);
  g_assert_cmpuint (d->prose, ==, 16);
  g_assert_cmpuint (d->sections->len, ==, 1);
  g_assert_cmpuint (g_array_index (d->sections, LeanTokenSection, 0).tokens, ==, 22);

  /* Without front matter the title is not counted apart. */
  g_assert_cmpuint (none->frontmatter, ==, 0);
  g_assert_cmpuint (none->title, ==, 0);
  g_assert_cmpuint (none->content, ==, none->total);
}

/* One pass counts the whole and the part after a split the same as two
 * counts would, wherever the split falls. */
static void
test_split_count (void)
{
  const char * const texts[] = {
    "---\nstatus: planned\n---\n\n# Title\n\nBody text.\n",
    "---\r\nstatus: x\r\n---\r\n\r\n# CRLF\r\n",
    "---\nstatus: x\n---rest of line\n# T\n",
    "a<|endoftext|>b  c\n\n  d 12345 规格 🎉",
    "",
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      gsize len = strlen (texts[t]);

      for (gsize split = 0; split <= len; split++)
        {
          gsize after = G_MAXSIZE;
          gsize total = _lean_tokens_count_split (texts[t], len, split, &after);

          g_assert_cmpuint (total, ==, lean_tokens_count (texts[t], len));
          g_assert_cmpuint (after, ==, lean_tokens_count (texts[t] + split, len - split));
        }
    }
}

static void
test_status (void)
{
  g_assert_cmpint (lean_tokens_get_status (0), ==, LEAN_TOKEN_STATUS_OPTIMAL);
  g_assert_cmpint (lean_tokens_get_status (2000), ==, LEAN_TOKEN_STATUS_OPTIMAL);
  g_assert_cmpint (lean_tokens_get_status (2001), ==, LEAN_TOKEN_STATUS_GOOD);
  g_assert_cmpint (lean_tokens_get_status (3500), ==, LEAN_TOKEN_STATUS_GOOD);
  g_assert_cmpint (lean_tokens_get_status (3501), ==, LEAN_TOKEN_STATUS_WARNING);
  g_assert_cmpint (lean_tokens_get_status (5000), ==, LEAN_TOKEN_STATUS_WARNING);
  g_assert_cmpint (lean_tokens_get_status (5001), ==, LEAN_TOKEN_STATUS_EXCESSIVE);
  g_assert_cmpstr (lean_token_status_to_string (LEAN_TOKEN_STATUS_EXCESSIVE), ==, "critical");
  g_assert_cmpstr (lean_token_status_to_string (LEAN_TOKEN_STATUS_GOOD), ==, "good");
}

static gpointer
count_in_thread (gpointer data)
{
  return GSIZE_TO_POINTER (lean_tokens_count (data, -1));
}

/* The ranks load once, whichever thread asks first. */
static void
test_threads (void)
{
  const char *text = "Counting from several threads at once gives one answer.";
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("count", count_in_thread, (gpointer)text);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (threads[i])), ==,
                      lean_tokens_count (text, -1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tokens/threads", test_threads);
  g_test_add_func ("/tokens/known-counts", test_known_counts);
  g_test_add_func ("/tokens/split-matches-regex", test_split_matches_regex);
  g_test_add_func ("/tokens/merge-strategies-agree", test_merge_strategies_agree);
  g_test_add_func ("/tokens/long-piece", test_long_piece);
  g_test_add_func ("/tokens/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/tokens/breakdown", test_breakdown);
  g_test_add_func ("/tokens/split-count", test_split_count);
  g_test_add_func ("/tokens/status", test_status);

  return g_test_run ();
}
