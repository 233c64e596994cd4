/* SPDX-License-Identifier: MIT */
/* Printing helpers shared by the subcommands: error lines, JSON, colours. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "lean-error.h"
#include "lean-text.h"
#include "lean-spec-lint.h"
#include "lean-spec-problem.h"
#include "lean-tokens.h"
#include "ctl-private.h"

int
ctl_report_message (int         exit_code,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Scripts read the first line: keep it to one. */
  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("leanspec-ctl: %s\n", message);

  return exit_code;
}

int
ctl_report_error (const GError *error)
{
  int exit_code = CTL_EXIT_FAILED;

  if (g_error_matches (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE) ||
      g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
    exit_code = CTL_EXIT_USAGE;

  return ctl_report_message (exit_code, "%s", error->message);
}

void
ctl_report_problems (GPtrArray *problems)
{
  if (problems == NULL)
    return;

  for (guint i = 0; i < problems->len; i++)
    {
      LeanSpecProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *reason = g_strdup (lean_spec_problem_get_reason (problem));

      g_strdelimit (reason, "\r\n", ' ');
      g_printerr ("%s: %s\n", lean_spec_problem_get_rel_path (problem), reason);
    }
}

gboolean
ctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &len);

  if (fwrite (data, 1, len, stdout) != len || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      ctl_report_message (CTL_EXIT_FAILED, _("could not write to standard output: %s"),
                          g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string_array (JsonBuilder        *builder,
                  const char         *name,
                  const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

void
ctl_add_spec_members (JsonBuilder *builder,
                      LeanSpec    *spec)
{
  add_nullable_string (builder, "id", lean_spec_get_id (spec));
  json_builder_set_member_name (builder, "number");
  json_builder_add_int_value (builder, lean_spec_get_number (spec));
  add_nullable_string (builder, "title", lean_spec_get_title (spec));
  add_nullable_string (builder, "status", lean_spec_status_to_string (lean_spec_get_status (spec)));
  add_nullable_string (builder, "priority",
                       lean_spec_priority_to_string (lean_spec_get_priority (spec)));
  add_string_array (builder, "tags", lean_spec_get_tags (spec));
  add_string_array (builder, "depends_on", lean_spec_get_depends_on (spec));
  add_nullable_string (builder, "parent", lean_spec_get_parent (spec));
  add_nullable_string (builder, "assignee", lean_spec_get_assignee (spec));
  add_nullable_string (builder, "path", lean_spec_get_rel_path (spec));
  json_builder_set_member_name (builder, "archived");
  json_builder_add_boolean_value (builder, lean_spec_is_archived (spec));
  add_nullable_string (builder, "created", lean_spec_get_created (spec));
  add_nullable_string (builder, "updated_at", lean_spec_get_updated_at (spec));
  add_nullable_string (builder, "completed_at", lean_spec_get_completed_at (spec));
  json_builder_set_member_name (builder, "tokens");
  json_builder_add_int_value (builder, lean_spec_get_tokens (spec));
  add_nullable_string (builder, "token_status",
                       lean_token_status_to_string (lean_tokens_get_status (lean_spec_get_tokens (spec))));
  add_nullable_string (builder, "lint",
                       lean_lint_status_to_string (lean_spec_lint_status (spec, NULL)));
}

/* The `list --json` hot path writes JSON itself: json-glib's builder and
 * generator cost ~60 ms for 5,000 specs (a node and a hash table per object),
 * more than the whole budget of the command. The format matches json-glib's
 * pretty printer, and test-cli checks every object against the json-glib
 * output of `show --json`, so the two stay interchangeable.
 *
 * Each object is written through a bare cursor into room reserved for it
 * beforehand (its strings' worst-case escaped length plus the fixed text),
 * so the copying is not interrupted by a capacity check per piece: on
 * thousands of specs those checks and GLib 2.74's out-of-line
 * g_string_append*() cost more than the copying itself. */

/* Bytes that cannot appear raw in a JSON string: controls, '"' and '\\'.
 * Everything from 0x80 up is UTF-8 the core has validated: kept as is. */
static const guint8 needs_escape[256] = {
  [0x00] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  [0x10] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1,
  ['\\'] = 1,
};

/* The most one byte of a string becomes: "\u001f". */
#define ESCAPED_MAX 6

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether any of the 8 bytes of @v needs escaping: a byte below 0x20, or
 * one equal to '"' or '\\' (found as a zero byte after XOR). Exact as a
 * yes/no answer; bytes from 0x80 up never count. */
static inline gboolean
word_needs_escape (guint64 v)
{
  guint64 quote = v ^ (ONES * '"');
  guint64 backslash = v ^ (ONES * '\\');
  guint64 hits = ((v - ONES * 0x20) & ~v) |
                 ((quote - ONES) & ~quote) |
                 ((backslash - ONES) & ~backslash);

  return (hits & HIGHS) != 0;
}

/* How many leading bytes of @str (of @len) can be copied as they are. */
static inline gsize
clean_prefix (const char *str,
              gsize       len)
{
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 v;

      memcpy (&v, str + i, 8);
      if (word_needs_escape (v))
        break;
    }
  while (i < len && !needs_escape[(guchar) str[i]])
    i++;
  return i;
}

static inline char *
put (char       *p,
     const char *str,
     gsize       len)
{
  memcpy (p, str, len);
  return p + len;
}

#define PUT_LIT(p, lit) put ((p), (lit), sizeof (lit) - 1)

/* Writes @str (of @len bytes) as a JSON string at @p; room for
 * ESCAPED_MAX * @len + 2 bytes must be there. */
static char *
put_string (char       *p,
            const char *str,
            gsize       len)
{
  gsize clean = clean_prefix (str, len);

  *p++ = '"';
  p = put (p, str, clean);
  for (gsize i = clean; i < len; i++)
    {
      guchar c = (guchar) str[i];

      if (!needs_escape[c])
        {
          *p++ = c;
          continue;
        }
      switch (c)
        {
        case '"':  p = PUT_LIT (p, "\\\""); break;
        case '\\': p = PUT_LIT (p, "\\\\"); break;
        case '\b': p = PUT_LIT (p, "\\b"); break;
        case '\f': p = PUT_LIT (p, "\\f"); break;
        case '\n': p = PUT_LIT (p, "\\n"); break;
        case '\r': p = PUT_LIT (p, "\\r"); break;
        case '\t': p = PUT_LIT (p, "\\t"); break;
        default:
          {
            static const char hex[] = "0123456789abcdef";

            p = PUT_LIT (p, "\\u00");
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
          }
          break;
        }
    }
  *p++ = '"';
  return p;
}

static char *
put_nullable_string (char       *p,
                     const char *str,
                     gsize       len)
{
  if (str == NULL)
    return PUT_LIT (p, "null");
  return put_string (p, str, len);
}

static char *
put_uint (char  *p,
          guint  value)
{
  char digits[16];
  char *d = digits + sizeof digits;

  do
    {
      *--d = '0' + value % 10;
      value /= 10;
    }
  while (value != 0);
  return put (p, d, digits + sizeof digits - d);
}

/* Makes room for @extra more bytes after @out's end and returns where they
 * start; commit() records what was written. */
static char *
reserve (GString *out,
         gsize    extra)
{
  gsize len = out->len;

  if (len + extra >= out->allocated_len)
    {
      g_string_set_size (out, MAX (len + extra, out->allocated_len * 2));
      g_string_truncate (out, len);
    }
  return out->str + len;
}

static void
commit (GString *out,
        char    *end)
{
  out->len = end - out->str;
  out->str[out->len] = '\0';
}

static const char spaces[] = "                                ";

static inline char *
put_indent (char  *p,
            guint  depth)
{
  return put (p, spaces, MIN (depth * 2, sizeof spaces - 1));
}

/* `"name" : ` at @depth. */
static inline char *
put_key (char       *p,
         guint       depth,
         const char *key,
         gsize       key_len)
{
  p = put_indent (p, depth);
  return put (p, key, key_len);
}

#define PUT_KEY(p, depth, name) put_key ((p), (depth), "\"" name "\" : ", sizeof ("\"" name "\" : ") - 1)

/* `"name" : "value",` and its line end, at @depth. */
#define PUT_STRING_MEMBER(p, depth, name, str, len) \
  PUT_LIT (put_nullable_string (PUT_KEY ((p), (depth), name), (str), (len)), ",\n")
#define PUT_UINT_MEMBER(p, depth, name, value) \
  PUT_LIT (put_uint (PUT_KEY ((p), (depth), name), (value)), ",\n")

static char *
put_strv (char                *p,
          guint                depth,
          const char * const  *values,
          const gsize         *lens)
{
  if (values == NULL || values[0] == NULL)
    return PUT_LIT (p, "[],\n");
  p = PUT_LIT (p, "[\n");
  for (guint i = 0; values[i] != NULL; i++)
    {
      p = put_indent (p, depth + 1);
      p = put_string (p, values[i], lens[i]);
      if (values[i + 1] != NULL)
        *p++ = ',';
      *p++ = '\n';
    }
  p = put_indent (p, depth);
  return PUT_LIT (p, "],\n");
}

enum { S_ID, S_TITLE, S_STATUS, S_PRIORITY, S_PARENT, S_ASSIGNEE, S_PATH, S_CREATED,
       S_UPDATED, S_COMPLETED, S_TOKEN_STATUS, S_LINT, N_STRINGS };

/* The lengths of @values' strings into @lens (which has room), their sum
 * returned. */
static gsize
measure_strv (const char * const *values,
              gsize             **lens,
              gsize              *n_lens)
{
  gsize total = 0;
  guint n = values != NULL ? g_strv_length ((char **) values) : 0;

  if (n > *n_lens)
    {
      *lens = g_renew (gsize, *lens, n);
      *n_lens = n;
    }
  for (guint i = 0; i < n; i++)
    {
      (*lens)[i] = strlen (values[i]);
      total += (*lens)[i];
    }
  return total + n;
}

/* One spec's object, with room for @lens (grown as needed) to measure its
 * arrays in. */
static void
append_spec (GString   *out,
             LeanSpec  *spec,
             guint      depth,
             gsize    **tag_lens,
             gsize     *n_tag_lens,
             gsize    **dep_lens,
             gsize     *n_dep_lens)
{
  const char *s[N_STRINGS];
  gsize len[N_STRINGS];
  const char * const *tags = lean_spec_get_tags (spec);
  const char * const *deps = lean_spec_get_depends_on (spec);
  guint tokens = lean_spec_get_tokens (spec);
  gsize bound;
  char *p;

  s[S_ID] = lean_spec_get_id (spec);
  s[S_TITLE] = lean_spec_get_title (spec);
  s[S_STATUS] = lean_spec_status_to_string (lean_spec_get_status (spec));
  s[S_PRIORITY] = lean_spec_priority_to_string (lean_spec_get_priority (spec));
  s[S_PARENT] = lean_spec_get_parent (spec);
  s[S_ASSIGNEE] = lean_spec_get_assignee (spec);
  s[S_PATH] = lean_spec_get_rel_path (spec);
  s[S_CREATED] = lean_spec_get_created (spec);
  s[S_UPDATED] = lean_spec_get_updated_at (spec);
  s[S_COMPLETED] = lean_spec_get_completed_at (spec);
  s[S_TOKEN_STATUS] = lean_token_status_to_string (lean_tokens_get_status (tokens));
  s[S_LINT] = lean_lint_status_to_string (lean_spec_lint_status (spec, NULL));

  /* Keys, indentation, numbers and punctuation fit in 1 KiB; every
   * string byte may become ESCAPED_MAX bytes, and each array item adds its
   * own line's indentation and quotes. */
  bound = 1024;
  for (guint i = 0; i < N_STRINGS; i++)
    {
      len[i] = s[i] != NULL ? strlen (s[i]) : 0;
      bound += ESCAPED_MAX * len[i];
    }
  bound += (ESCAPED_MAX + sizeof spaces) * measure_strv (tags, tag_lens, n_tag_lens);
  bound += (ESCAPED_MAX + sizeof spaces) * measure_strv (deps, dep_lens, n_dep_lens);

  p = reserve (out, bound);
  p = put_indent (p, depth);
  p = PUT_LIT (p, "{\n");
  depth++;
  p = PUT_STRING_MEMBER (p, depth, "id", s[S_ID], len[S_ID]);
  p = PUT_UINT_MEMBER (p, depth, "number", lean_spec_get_number (spec));
  p = PUT_STRING_MEMBER (p, depth, "title", s[S_TITLE], len[S_TITLE]);
  p = PUT_STRING_MEMBER (p, depth, "status", s[S_STATUS], len[S_STATUS]);
  p = PUT_STRING_MEMBER (p, depth, "priority", s[S_PRIORITY], len[S_PRIORITY]);
  p = PUT_KEY (p, depth, "tags");
  p = put_strv (p, depth, tags, *tag_lens);
  p = PUT_KEY (p, depth, "depends_on");
  p = put_strv (p, depth, deps, *dep_lens);
  p = PUT_STRING_MEMBER (p, depth, "parent", s[S_PARENT], len[S_PARENT]);
  p = PUT_STRING_MEMBER (p, depth, "assignee", s[S_ASSIGNEE], len[S_ASSIGNEE]);
  p = PUT_STRING_MEMBER (p, depth, "path", s[S_PATH], len[S_PATH]);
  p = PUT_KEY (p, depth, "archived");
  if (lean_spec_is_archived (spec))
    p = PUT_LIT (p, "true,\n");
  else
    p = PUT_LIT (p, "false,\n");
  p = PUT_STRING_MEMBER (p, depth, "created", s[S_CREATED], len[S_CREATED]);
  p = PUT_STRING_MEMBER (p, depth, "updated_at", s[S_UPDATED], len[S_UPDATED]);
  p = PUT_STRING_MEMBER (p, depth, "completed_at", s[S_COMPLETED], len[S_COMPLETED]);
  p = PUT_UINT_MEMBER (p, depth, "tokens", tokens);
  p = PUT_STRING_MEMBER (p, depth, "token_status", s[S_TOKEN_STATUS], len[S_TOKEN_STATUS]);
  p = PUT_KEY (p, depth, "lint");
  p = put_nullable_string (p, s[S_LINT], len[S_LINT]);
  *p++ = '\n';
  p = put_indent (p, depth - 1);
  *p++ = '}';
  commit (out, p);
}

typedef struct
{
  GPtrArray *specs;
  guint      begin;
  guint      end;
  GString   *out;
} JsonChunk;

static gpointer
json_chunk_run (gpointer data)
{
  JsonChunk *chunk = data;
  g_autofree gsize *tag_lens = NULL;
  g_autofree gsize *dep_lens = NULL;
  gsize n_tag_lens = 0, n_dep_lens = 0;

  chunk->out = g_string_sized_new (600 * (chunk->end - chunk->begin) + 64);
  g_string_append (chunk->out, chunk->begin == 0 ? "[\n" : ",\n");
  for (guint i = chunk->begin; i < chunk->end; i++)
    {
      if (i > chunk->begin)
        commit (chunk->out, PUT_LIT (reserve (chunk->out, 2), ",\n"));
      append_spec (chunk->out, g_ptr_array_index (chunk->specs, i), 1,
                   &tag_lens, &n_tag_lens, &dep_lens, &n_dep_lens);
    }
  return NULL;
}

gboolean
ctl_json_write_spec_array (GPtrArray *specs)
{
  /* LeanSpec snapshots are immutable, so their getters can be read from
   * several threads at once; on thousands of specs writing the text is a
   * fifth of the command and splits cleanly. */
  enum { MIN_PER_THREAD = 500, MAX_THREADS = 8 };
  JsonChunk chunks[MAX_THREADS] = { 0 };
  GThread *threads[MAX_THREADS] = { NULL };
  guint n_chunks = CLAMP (MIN (g_get_num_processors (), specs->len / MIN_PER_THREAD), 1, MAX_THREADS);
  gboolean ok = TRUE;

  if (specs->len == 0)
    {
      g_autoptr(GString) empty = g_string_new ("[]\n");
      return ctl_write_stdout (empty);
    }

  for (guint c = 0; c < n_chunks; c++)
    {
      chunks[c].specs = specs;
      chunks[c].begin = (guint)((guint64)specs->len * c / n_chunks);
      chunks[c].end = (guint)((guint64)specs->len * (c + 1) / n_chunks);
      /* The first chunk runs here; the others try a thread and fall back
       * to this one when none can be had. */
      if (c > 0)
        threads[c] = g_thread_try_new ("ctl-json", json_chunk_run, &chunks[c], NULL);
    }
  json_chunk_run (&chunks[0]);
  for (guint c = 1; c < n_chunks; c++)
    {
      if (threads[c] != NULL)
        g_thread_join (threads[c]);
      else
        json_chunk_run (&chunks[c]);
    }

  for (guint c = 0; c < n_chunks; c++)
    {
      g_autoptr(GString) out = chunks[c].out;

      if (c + 1 == n_chunks)
        g_string_append (out, "\n]\n");
      if (ok)
        ok = ctl_write_stdout (out);
    }

  return ok;
}

gboolean
ctl_write_stdout (GString *out)
{
  if (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0)
    {
      ctl_report_message (CTL_EXIT_FAILED, _("could not write to standard output: %s"),
                          g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

JsonNode *
ctl_spec_to_json (LeanSpec *spec,
                  gboolean  detailed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  ctl_add_spec_members (builder, spec);
  if (detailed)
    {
      add_string_array (builder, "sub_specs", lean_spec_get_sub_specs (spec));
      json_builder_set_member_name (builder, "checklist");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "checked");
      json_builder_add_int_value (builder, lean_spec_get_n_checked (spec));
      json_builder_set_member_name (builder, "unchecked");
      json_builder_add_int_value (builder, lean_spec_get_n_unchecked (spec));
      json_builder_end_object (builder);
      add_nullable_string (builder, "content_hash", lean_spec_get_content_hash (spec));
      add_nullable_string (builder, "body", lean_spec_get_body (spec));
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
ctl_style (CtlContext *ctx,
           const char *sgr,
           const char *text)
{
  if (!ctx->color || sgr == NULL)
    return g_strdup (text);
  /* Marked, not yet an escape: ctl_write_human() turns the mark into ESC
   * after it has replaced every control character that came with the
   * text. */
  return g_strdup_printf (CTL_SGR_MARK "[%sm%s" CTL_SGR_MARK "[0m", sgr, text);
}

const char *
ctl_status_sgr (LeanSpecStatus status)
{
  switch (status)
    {
    case LEAN_SPEC_STATUS_DRAFT:       return "2";     /* dim */
    case LEAN_SPEC_STATUS_PLANNED:     return "1;34";  /* bold blue */
    case LEAN_SPEC_STATUS_IN_PROGRESS: return "1;33";  /* bold yellow */
    case LEAN_SPEC_STATUS_COMPLETE:    return "1;32";  /* bold green */
    case LEAN_SPEC_STATUS_ARCHIVED:    return "2";
    case LEAN_SPEC_STATUS_NONE:
    default:                           return "1";
    }
}

const char *
ctl_status_or_none (LeanSpecStatus status)
{
  const char *name = lean_spec_status_to_string (status);

  return name != NULL ? name : "none";
}

/* Is @p (at least @n bytes) a colour mark of ctl_style(): MARK [ digits;* m?
 * Returns its length, or 0. */
static gsize
sgr_mark_len (const char *p,
              gsize       n)
{
  gsize i = 2;

  if (n < 3 || (guchar)p[0] != 0xff || p[1] != '[')
    return 0;
  while (i < n && (g_ascii_isdigit (p[i]) || p[i] == ';'))
    i++;
  return i < n && p[i] == 'm' ? i + 1 : 0;
}

char *
ctl_human_text (const char *data,
                gssize      len)
{
  GString *out;
  gsize n;
  gsize start = 0;

  if (data == NULL)
    return NULL;
  n = len < 0 ? strlen (data) : (gsize)len;
  out = g_string_sized_new (n);
  /* Runs between colour marks are cleaned as a whole; each mark becomes
   * the escape sequence it stands for. */
  for (gsize i = 0; i <= n; i++)
    {
      gsize mark = i < n ? sgr_mark_len (data + i, n - i) : 0;

      if (i < n && mark == 0)
        continue;
      if (i > start)
        {
          g_autofree char *clean = lean_text_strip_controls (data + start, i - start);
          g_string_append (out, clean);
        }
      if (mark > 0)
        {
          g_string_append_c (out, '\033');
          g_string_append_len (out, data + i + 1, mark - 1);
          i += mark - 1;
        }
      start = i + 1;
    }
  return g_string_free (out, FALSE);
}

void
ctl_write_human (FILE       *stream,
                 const char *data,
                 gssize      len)
{
  g_autofree char *clean = ctl_human_text (data, len);

  fputs (clean, stream);
  fflush (stream);
}

/* g_print() and g_printerr() output is for people: cleaned, then in the
 * locale's charset as GLib's own handler would write it. */
static void
print_human (FILE       *stream,
             const char *string)
{
  g_autofree char *clean = ctl_human_text (string, -1);
  const char *charset;

  if (!g_get_console_charset (&charset))
    {
      g_autofree char *converted = g_convert_with_fallback (clean, -1, charset, "UTF-8", "?",
                                                            NULL, NULL, NULL);
      if (converted != NULL)
        {
          fputs (converted, stream);
          fflush (stream);
          return;
        }
    }
  fputs (clean, stream);
  fflush (stream);
}

static void
print_handler (const char *string)
{
  print_human (stdout, string);
}

static void
printerr_handler (const char *string)
{
  print_human (stderr, string);
}

void
ctl_install_output_filter (void)
{
  g_set_print_handler (print_handler);
  g_set_printerr_handler (printerr_handler);
}
