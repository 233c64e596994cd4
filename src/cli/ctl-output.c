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
 * output of `show --json`, so the two stay interchangeable. */
/* GLib 2.74's g_string_append* are out-of-line calls that re-check their
 * arguments; on this path they cost more than the copying. Copy straight
 * into the GString when it has room (its fields are public API). */
static inline void
put (GString    *out,
     const char *str,
     gsize       len)
{
  if (G_LIKELY (out->len + len < out->allocated_len))
    {
      memcpy (out->str + out->len, str, len);
      out->len += len;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, str, len);
}

static inline void
put_c (GString *out,
       char     c)
{
  put (out, &c, 1);
}

#define APPEND_LIT(out, lit) put ((out), (lit), sizeof (lit) - 1)

/* Bytes that cannot appear raw in a JSON string: controls, '"' and '\\'.
 * Everything from 0x80 up is UTF-8 the core has validated: kept as is. */
static const guint8 needs_escape[256] = {
  [0x00] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  [0x10] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1,
  ['\\'] = 1,
};

void
ctl_json_append_string (GString    *out,
                        const char *str)
{
  const char *run = str;
  const char *p;

  if (str == NULL)
    {
      APPEND_LIT (out, "null");
      return;
    }

  put_c (out, '"');
  for (p = str; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;
      const char *esc = NULL;
      char buf[8];

      if (G_LIKELY (!needs_escape[c]))
        continue;
      switch (c)
        {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
          g_snprintf (buf, sizeof buf, "\\u%04x", c);
          esc = buf;
          break;
        }
      put (out, run, p - run);
      put (out, esc, strlen (esc));
      run = p + 1;
    }
  put (out, run, p - run);
  put_c (out, '"');
}

static void
append_indent (GString *out,
               guint    depth)
{
  static const char spaces[] = "                ";

  put (out, spaces, MIN (depth * 2, sizeof spaces - 1));
}

static void
append_member_string (GString    *out,
                      guint       depth,
                      const char *name,
                      const char *value,
                      gboolean    last)
{
  append_indent (out, depth);
  put_c (out, '"');
  put (out, name, strlen (name));
  APPEND_LIT (out, "\" : ");
  ctl_json_append_string (out, value);
  if (last)
    put_c (out, '\n');
  else
    APPEND_LIT (out, ",\n");
}

static void
append_member_strv (GString            *out,
                    guint               depth,
                    const char         *name,
                    const char * const *values)
{
  append_indent (out, depth);
  put_c (out, '"');
  put (out, name, strlen (name));
  APPEND_LIT (out, "\" : ");
  if (values == NULL || values[0] == NULL)
    {
      APPEND_LIT (out, "[],\n");
      return;
    }
  APPEND_LIT (out, "[\n");
  for (guint i = 0; values[i] != NULL; i++)
    {
      append_indent (out, depth + 1);
      ctl_json_append_string (out, values[i]);
      if (values[i + 1] != NULL)
        put_c (out, ',');
      put_c (out, '\n');
    }
  append_indent (out, depth);
  APPEND_LIT (out, "],\n");
}

static void
append_member_uint (GString    *out,
                    guint       depth,
                    const char *name,
                    guint       value)
{
  char digits[16];
  int n = g_snprintf (digits, sizeof digits, "%u", value);

  append_indent (out, depth);
  put_c (out, '"');
  put (out, name, strlen (name));
  APPEND_LIT (out, "\" : ");
  put (out, digits, n);
  APPEND_LIT (out, ",\n");
}

void
ctl_json_append_spec (GString  *out,
                      LeanSpec *spec,
                      guint     depth)
{
  append_indent (out, depth);
  APPEND_LIT (out, "{\n");
  depth++;
  append_member_string (out, depth, "id", lean_spec_get_id (spec), FALSE);
  append_member_uint (out, depth, "number", lean_spec_get_number (spec));
  append_member_string (out, depth, "title", lean_spec_get_title (spec), FALSE);
  append_member_string (out, depth, "status",
                        lean_spec_status_to_string (lean_spec_get_status (spec)), FALSE);
  append_member_string (out, depth, "priority",
                        lean_spec_priority_to_string (lean_spec_get_priority (spec)), FALSE);
  append_member_strv (out, depth, "tags", lean_spec_get_tags (spec));
  append_member_strv (out, depth, "depends_on", lean_spec_get_depends_on (spec));
  append_member_string (out, depth, "parent", lean_spec_get_parent (spec), FALSE);
  append_member_string (out, depth, "assignee", lean_spec_get_assignee (spec), FALSE);
  append_member_string (out, depth, "path", lean_spec_get_rel_path (spec), FALSE);
  append_indent (out, depth);
  if (lean_spec_is_archived (spec))
    APPEND_LIT (out, "\"archived\" : true,\n");
  else
    APPEND_LIT (out, "\"archived\" : false,\n");
  append_member_string (out, depth, "created", lean_spec_get_created (spec), FALSE);
  append_member_string (out, depth, "updated_at", lean_spec_get_updated_at (spec), FALSE);
  append_member_string (out, depth, "completed_at", lean_spec_get_completed_at (spec), FALSE);
  append_member_uint (out, depth, "tokens", lean_spec_get_tokens (spec));
  append_member_string (out, depth, "token_status",
                        lean_token_status_to_string (lean_tokens_get_status (lean_spec_get_tokens (spec))),
                        FALSE);
  append_member_string (out, depth, "lint",
                        lean_lint_status_to_string (lean_spec_lint_status (spec, NULL)), TRUE);
  append_indent (out, depth - 1);
  APPEND_LIT (out, "}");
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

  chunk->out = g_string_sized_new (600 * (chunk->end - chunk->begin) + 64);
  if (chunk->begin == 0)
    APPEND_LIT (chunk->out, "[\n");
  else
    APPEND_LIT (chunk->out, ",\n");
  for (guint i = chunk->begin; i < chunk->end; i++)
    {
      if (i > chunk->begin)
        APPEND_LIT (chunk->out, ",\n");
      ctl_json_append_spec (chunk->out, g_ptr_array_index (chunk->specs, i), 1);
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
        APPEND_LIT (out, "\n]\n");
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
