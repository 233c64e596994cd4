/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-check-counts.h"

/* Lines longer than this carry no summary; they are not looked at. */
#define MAX_LINE 4096

typedef enum
{
  RUNNER_NONE,
  RUNNER_PYTEST,
  RUNNER_CARGO,
  RUNNER_MESON,
  RUNNER_GO,
  RUNNER_NODE,
  RUNNER_JEST,
  RUNNER_CTEST,
  N_RUNNERS
} Runner;

struct _LeanCountsParser
{
  Runner          last;
  LeanCheckCounts per[N_RUNNERS];
  /* go: "--- PASS" lines win over package "ok"/"FAIL" lines */
  gboolean        go_tests_seen;
  LeanCheckCounts go_packages;
  /* ctest: the "(Skipped)" lines come after the summary line */
  guint           ctest_total;
};

LeanCountsParser *
lean_counts_parser_new (void)
{
  return g_new0 (LeanCountsParser, 1);
}

void
lean_counts_parser_free (LeanCountsParser *parser)
{
  g_free (parser);
}

char *
lean_counts_strip_ansi (const char *line,
                        gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];

      if (c == '\033')
        {
          /* CSI: ESC [ params final (0x40..0x7e); others: ESC and one byte. */
          if (i + 1 < len && line[i + 1] == '[')
            {
              i += 2;
              while (i < len && !((guchar)line[i] >= 0x40 && (guchar)line[i] <= 0x7e))
                i++;
            }
          else
            i++;
          continue;
        }
      if (c == '\r')
        continue;
      g_string_append_c (out, c);
    }
  return g_string_free (out, FALSE);
}

char *
lean_counts_clean_text (const char *text,
                        gsize       len,
                        gsize       max_bytes)
{
  g_autofree char *stripped = lean_counts_strip_ansi (text, len);
  g_autofree char *valid = g_utf8_make_valid (stripped, -1);
  GString *out = g_string_sized_new (MIN (strlen (valid), max_bytes));

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (out->len + 6 > max_bytes)
        break;
      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
read_uint (const char **p,
           guint       *value)
{
  guint64 v = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      v = v * 10 + (guint)(*s - '0');
      if (v > G_MAXUINT)
        v = G_MAXUINT;
      s++;
    }
  *value = (guint)v;
  *p = s;
  return TRUE;
}

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* "N word<sep>N word..." up to @end: adds each count by its word. Returns
 * FALSE (and adds nothing) unless every item has that shape and at least
 * one word is known. */
static gboolean
parse_items (const char      *p,
             const char      *end,
             const char      *seps,
             LeanCheckCounts *counts)
{
  LeanCheckCounts c = { TRUE, 0, 0, 0 };
  gboolean known = FALSE;

  while (p < end)
    {
      guint n;
      const char *word;
      gsize wlen;

      p = skip_spaces (p);
      if (!read_uint (&p, &n) || *p != ' ')
        return FALSE;
      word = ++p;
      while (p < end && g_ascii_isalpha (*p))
        p++;
      wlen = p - word;
#define IS(w) (wlen == strlen (w) && strncmp (word, w, wlen) == 0)
      if (IS ("passed") || IS ("xfailed"))
        c.passed += n, known = TRUE;
      else if (IS ("failed") || IS ("error") || IS ("errors") || IS ("xpassed"))
        c.failed += n, known = TRUE;
      else if (IS ("skipped") || IS ("todo") || IS ("pending"))
        c.skipped += n, known = TRUE;
      else if (!(IS ("deselected") || IS ("warning") || IS ("warnings") ||
                 IS ("rerun") || IS ("total")))
        return FALSE;
#undef IS
      p = skip_spaces (p);
      if (p < end && strchr (seps, *p) == NULL)
        return FALSE;
      while (p < end && (strchr (seps, *p) != NULL || *p == ' '))
        p++;
    }
  if (!known)
    return FALSE;
  *counts = c;
  return TRUE;
}

/* "==== 1 failed, 2 passed, 1 skipped in 0.05s ====" (also without the
 * rulers, as pytest -q prints it). */
static gboolean
parse_pytest (LeanCountsParser *self,
              const char       *line)
{
  const char *p = line, *in, *end;
  LeanCheckCounts c;

  while (*p == '=' || *p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  in = strstr (p, " in ");
  if (in == NULL || !g_ascii_isdigit (in[4]))
    return FALSE;
  end = in;
  if (!parse_items (p, end, ",", &c))
    return FALSE;
  self->per[RUNNER_PYTEST] = c;
  self->last = RUNNER_PYTEST;
  return TRUE;
}

/* "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; ..." */
static gboolean
parse_cargo (LeanCountsParser *self,
             const char       *line)
{
  const char *p = strstr (line, "test result: ");
  guint passed, failed, ignored;
  LeanCheckCounts *c = &self->per[RUNNER_CARGO];

  if (p == NULL)
    return FALSE;
  p = strchr (p, '.');
  if (p == NULL)
    return FALSE;
  p = skip_spaces (p + 1);
  if (!read_uint (&p, &passed) || !g_str_has_prefix (p, " passed; "))
    return FALSE;
  p += strlen (" passed; ");
  if (!read_uint (&p, &failed) || !g_str_has_prefix (p, " failed; "))
    return FALSE;
  p += strlen (" failed; ");
  if (!read_uint (&p, &ignored) || !g_str_has_prefix (p, " ignored"))
    return FALSE;
  c->found = TRUE;
  c->passed += passed;
  c->failed += failed;
  c->skipped += ignored;
  self->last = RUNNER_CARGO;
  return TRUE;
}

/* meson test's summary block: "Ok:                 5" ... */
static gboolean
parse_meson (LeanCountsParser *self,
             const char       *line)
{
  static const struct { const char *label; int field; gboolean reset; } rows[] = {
    { "Ok:", 0, TRUE },
    { "Expected Fail:", 0, FALSE },
    { "Fail:", 1, FALSE },
    { "Unexpected Pass:", 1, FALSE },
    { "Skipped:", 2, FALSE },
    { "Timeout:", 1, FALSE },
  };
  LeanCheckCounts *c = &self->per[RUNNER_MESON];

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *p;
      guint n;

      if (!g_str_has_prefix (line, rows[i].label))
        continue;
      p = skip_spaces (line + strlen (rows[i].label));
      if (!read_uint (&p, &n) || *skip_spaces (p) != '\0')
        return FALSE;
      /* "Ok:" opens a new summary (meson prints one per run). */
      if (rows[i].reset)
        *c = (LeanCheckCounts) { TRUE, 0, 0, 0 };
      else if (!c->found)
        return FALSE;
      if (rows[i].field == 0)
        c->passed += n;
      else if (rows[i].field == 1)
        c->failed += n;
      else
        c->skipped += n;
      self->last = RUNNER_MESON;
      return TRUE;
    }
  return FALSE;
}

/* go test -v: "--- PASS: TestX (0.00s)" at the start of a line (subtests
 * are indented and not counted again); without -v, one "ok  pkg" or
 * "FAIL\tpkg" line per package. */
static gboolean
parse_go (LeanCountsParser *self,
          const char       *line)
{
  LeanCheckCounts *c = &self->per[RUNNER_GO];

  if (g_str_has_prefix (line, "--- "))
    {
      const char *p = line + 4;

      if (g_str_has_prefix (p, "PASS: "))
        c->passed++;
      else if (g_str_has_prefix (p, "FAIL: "))
        c->failed++;
      else if (g_str_has_prefix (p, "SKIP: "))
        c->skipped++;
      else
        return FALSE;
      if (!self->go_tests_seen)
        {
          self->go_tests_seen = TRUE;
          c->passed = c->failed = c->skipped = 0;
          return parse_go (self, line);
        }
      c->found = TRUE;
      self->last = RUNNER_GO;
      return TRUE;
    }
  if ((g_str_has_prefix (line, "ok  \t") || g_str_has_prefix (line, "ok \t") ||
       g_str_has_prefix (line, "FAIL\t")) && !self->go_tests_seen)
    {
      if (line[0] == 'o')
        self->go_packages.passed++;
      else
        self->go_packages.failed++;
      *c = self->go_packages;
      c->found = TRUE;
      self->last = RUNNER_GO;
      return TRUE;
    }
  return FALSE;
}

/* node --test: "# pass 5" (TAP) or "ℹ pass 5" (spec reporter). */
static gboolean
parse_node (LeanCountsParser *self,
            const char       *line)
{
  const char *p;
  LeanCheckCounts *c = &self->per[RUNNER_NODE];
  guint n;

  if (g_str_has_prefix (line, "# "))
    p = line + 2;
  else if (g_str_has_prefix (line, "\xe2\x84\xb9 "))
    p = line + 4;
  else
    return FALSE;

  if (g_str_has_prefix (p, "tests "))
    {
      p += 6;
      if (!read_uint (&p, &n) || *p != '\0')
        return FALSE;
      /* "tests N" comes first: a new summary. */
      *c = (LeanCheckCounts) { TRUE, 0, 0, 0 };
      self->last = RUNNER_NODE;
      return TRUE;
    }
  if (!c->found)
    return FALSE;
  if (g_str_has_prefix (p, "pass "))
    p += 5, read_uint (&p, &c->passed);
  else if (g_str_has_prefix (p, "fail "))
    p += 5, read_uint (&p, &c->failed);
  else if (g_str_has_prefix (p, "skipped "))
    {
      p += 8;
      if (read_uint (&p, &n))
        c->skipped += n;
    }
  else if (g_str_has_prefix (p, "todo "))
    {
      p += 5;
      if (read_uint (&p, &n))
        c->skipped += n;
    }
  else
    return FALSE;
  self->last = RUNNER_NODE;
  return TRUE;
}

/* jest: "Tests:       1 failed, 4 passed, 5 total";
 * vitest: "      Tests  1 failed | 4 passed (5)". */
static gboolean
parse_jest (LeanCountsParser *self,
            const char       *line)
{
  const char *p = skip_spaces (line), *end;
  LeanCheckCounts c;

  if (g_str_has_prefix (p, "Tests:"))
    {
      p += 6;
      end = p + strlen (p);
      if (!parse_items (p, end, ",", &c))
        return FALSE;
    }
  else if (g_str_has_prefix (p, "Tests  "))
    {
      p += 7;
      end = strrchr (p, '(');
      if (end == NULL)
        end = p + strlen (p);
      if (!parse_items (p, end, "|", &c))
        return FALSE;
    }
  else
    return FALSE;
  self->per[RUNNER_JEST] = c;
  self->last = RUNNER_JEST;
  return TRUE;
}

/* ctest: "75% tests passed, 1 tests failed out of 4", then one
 * "  3 - name (Skipped)" line per skipped test. */
static gboolean
parse_ctest (LeanCountsParser *self,
             const char       *line)
{
  LeanCheckCounts *c = &self->per[RUNNER_CTEST];
  const char *p = line;
  guint pct, failed, total;

  if (c->found && g_str_has_suffix (line, "(Skipped)"))
    {
      if (c->passed > 0)
        c->passed--;
      c->skipped++;
      self->last = RUNNER_CTEST;
      return TRUE;
    }
  if (!read_uint (&p, &pct) || !g_str_has_prefix (p, "% tests passed, "))
    return FALSE;
  p += strlen ("% tests passed, ");
  if (!read_uint (&p, &failed))
    return FALSE;
  p = strstr (p, " out of ");
  if (p == NULL)
    return FALSE;
  p += strlen (" out of ");
  if (!read_uint (&p, &total) || failed > total)
    return FALSE;
  *c = (LeanCheckCounts) { TRUE, total - failed, failed, 0 };
  self->ctest_total = total;
  self->last = RUNNER_CTEST;
  return TRUE;
}

void
lean_counts_parser_feed_line (LeanCountsParser *parser,
                              const char       *line,
                              gsize             len)
{
  g_autofree char *clean = NULL;
  const char *l;

  g_return_if_fail (parser != NULL);

  if (len == 0 || len > MAX_LINE)
    return;
  /* Most lines of a flood are none of these: decide on the first bytes
   * before copying anything. */
  if (memchr (line, '\033', len) == NULL && memchr (line, '\r', len) == NULL)
    clean = g_strndup (line, len);
  else
    clean = lean_counts_strip_ansi (line, len);
  l = clean;

  switch (*skip_spaces (l))
    {
    case '=':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      if (parse_pytest (parser, l) || parse_ctest (parser, l))
        return;
      break;
    case 'O': case 'E': case 'F': case 'U': case 'S': case 'T':
      if (parse_meson (parser, l) || parse_jest (parser, l) || parse_go (parser, l))
        return;
      break;
    case '-': case 'o':
      if (parse_go (parser, l))
        return;
      break;
    case '#': case '\xe2':
      if (parse_node (parser, l))
        return;
      break;
    default:
      break;
    }
  if (strstr (l, "test result: ") != NULL)
    parse_cargo (parser, l);
  else if (parser->per[RUNNER_CTEST].found && g_str_has_suffix (l, "(Skipped)"))
    parse_ctest (parser, l);
}

LeanCheckCounts
lean_counts_parser_get (LeanCountsParser *parser)
{
  LeanCheckCounts none = { FALSE, 0, 0, 0 };

  g_return_val_if_fail (parser != NULL, none);

  if (parser->last == RUNNER_NONE)
    return none;
  return parser->per[parser->last];
}
