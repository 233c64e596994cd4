/* SPDX-License-Identifier: MIT */
/* leanspec-ctl tokens, lint: LeanSpec's token counts and spec checks. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "lean-spec-lint.h"
#include "lean-tokens.h"
#include "ctl-private.h"

/* "12,345": counts read better grouped, in every locale's terminal. */
static char *
grouped (gsize n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static const char *
token_sgr (LeanTokenStatus status)
{
  switch (status)
    {
    case LEAN_TOKEN_STATUS_OPTIMAL:
    case LEAN_TOKEN_STATUS_GOOD:
      return "32";
    case LEAN_TOKEN_STATUS_WARNING:
      return "33";
    case LEAN_TOKEN_STATUS_EXCESSIVE:
    default:
      return "31";
    }
}

static const char *
lint_sgr (LeanLintStatus status)
{
  return status == LEAN_LINT_FAIL ? "31" : status == LEAN_LINT_WARN ? "33" : "32";
}

static JsonNode *
breakdown_to_json (LeanSpec       *spec,
                   LeanTokenCount *count)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, lean_spec_get_id (spec));
  json_builder_set_member_name (b, "tokens");
  json_builder_add_int_value (b, count->total);
  json_builder_set_member_name (b, "token_status");
  json_builder_add_string_value (b, lean_token_status_to_string (count->status));
  json_builder_set_member_name (b, "frontmatter");
  json_builder_add_int_value (b, count->frontmatter);
  json_builder_set_member_name (b, "content");
  json_builder_add_int_value (b, count->content);
  json_builder_set_member_name (b, "title");
  json_builder_add_int_value (b, count->title);
  json_builder_set_member_name (b, "code_blocks");
  json_builder_add_int_value (b, count->code_blocks);
  json_builder_set_member_name (b, "checklists");
  json_builder_add_int_value (b, count->checklists);
  json_builder_set_member_name (b, "prose");
  json_builder_add_int_value (b, count->prose);
  json_builder_set_member_name (b, "sections");
  json_builder_begin_array (b);
  for (guint i = 0; i < count->sections->len; i++)
    {
      const LeanTokenSection *s = &g_array_index (count->sections, LeanTokenSection, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "heading");
      json_builder_add_string_value (b, s->heading);
      json_builder_set_member_name (b, "tokens");
      json_builder_add_int_value (b, s->tokens);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_breakdown (CtlContext     *ctx,
                 LeanSpec       *spec,
                 LeanTokenCount *count)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *total = grouped (count->total);
  g_autofree char *status = ctl_style (ctx, token_sgr (count->status),
                                       lean_token_status_to_string (count->status));
  const struct { const char *label; gsize value; } rows[] = {
    { N_("Front matter"), count->frontmatter },
    { N_("Content"), count->content },
    { N_("Title"), count->title },
    { N_("Code blocks"), count->code_blocks },
    { N_("Checklists"), count->checklists },
    { N_("Prose"), count->prose },
  };

  /* TRANSLATORS: "042-foo: 2,101 tokens (good)" */
  g_string_append_printf (out, _("%s: %s tokens (%s)\n"), lean_spec_get_id (spec), total, status);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *n = grouped (rows[i].value);

      g_string_append_printf (out, "  %-14s %8s\n", _(rows[i].label), n);
    }
  if (count->sections->len > 0)
    g_string_append_printf (out, "  %s\n", _("Sections"));
  for (guint i = 0; i < count->sections->len; i++)
    {
      const LeanTokenSection *s = &g_array_index (count->sections, LeanTokenSection, i);
      g_autofree char *n = grouped (s->tokens);

      g_string_append_printf (out, "    %8s  %s\n", n, s->heading);
    }
  ctl_write_stdout (out);
}

/* Specs of the project in list order, archived ones only with @all. */
static GPtrArray *
visible_specs (GPtrArray *specs,
               gboolean   all)
{
  GPtrArray *shown = g_ptr_array_new ();

  for (guint i = 0; i < specs->len; i++)
    if (all || !lean_spec_is_archived (g_ptr_array_index (specs, i)))
      g_ptr_array_add (shown, g_ptr_array_index (specs, i));
  return shown;
}

int
ctl_cmd_tokens (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  gboolean json = FALSE;
  gboolean all = FALSE;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON on stdout and nothing else"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Include archived specs (hidden by default)"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "[SPEC]",
                          _("Count tokens the way LeanSpec does (tiktoken cl100k_base)."),
                          _("Without SPEC, lists every spec's count and status (optimal up to\n"
                            "2,000 tokens, good up to 3,500, warning up to 5,000, else critical).\n"
                            "With SPEC, shows its breakdown: front matter, content, title, code\n"
                            "blocks, checklists, prose and each “## ” section."),
                          entries, 0, 1, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  if (argc > 1)
    {
      g_autoptr(LeanTokenCount) count = NULL;
      LeanSpec *spec = ctl_resolve_spec (project, specs, problems, argv[1], &exit_code);
      gsize len;
      const char *data;

      if (spec == NULL)
        return exit_code;
      data = g_bytes_get_data (lean_spec_get_contents (spec), &len);
      count = lean_tokens_count_spec (data, len);
      if (json)
        {
          g_autoptr(JsonNode) node = breakdown_to_json (spec, count);
          return ctl_print_json (node) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
        }
      print_breakdown (ctx, spec, count);
      return CTL_EXIT_OK;
    }

  ctl_report_problems (problems);
  shown = visible_specs (specs, all);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < shown->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (shown, i);
          guint tokens = lean_spec_get_tokens (spec);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, lean_spec_get_id (spec));
          json_builder_set_member_name (b, "tokens");
          json_builder_add_int_value (b, tokens);
          json_builder_set_member_name (b, "token_status");
          json_builder_add_string_value (b, lean_token_status_to_string (lean_tokens_get_status (tokens)));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      return ctl_print_json (root) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      gsize sum = 0;
      g_autofree char *sum_text = NULL;

      for (guint i = 0; i < shown->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (shown, i);
          guint tokens = lean_spec_get_tokens (spec);
          LeanTokenStatus status = lean_tokens_get_status (tokens);
          g_autofree char *n = grouped (tokens);
          g_autofree char *padded = g_strdup_printf ("%-8s", lean_token_status_to_string (status));
          g_autofree char *styled = ctl_style (ctx, token_sgr (status), padded);

          sum += tokens;
          g_string_append_printf (out, "%8s  %s  %s\n", n, styled, lean_spec_get_id (spec));
        }
      sum_text = grouped (sum);
      g_string_append_printf (out, ngettext ("%s tokens in %u spec\n", "%s tokens in %u specs\n",
                                             shown->len), sum_text, shown->len);
      return ctl_write_stdout (out) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }
}

static void
add_lint_json (JsonBuilder  *b,
               LeanSpec     *spec,
               LeanSpecLint *lint)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, lean_spec_get_id (spec));
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, lean_spec_get_rel_path (spec));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, lean_lint_status_to_string (lint->status));
  json_builder_set_member_name (b, "tokens");
  json_builder_add_int_value (b, lean_spec_get_tokens (spec));
  json_builder_set_member_name (b, "issues");
  json_builder_begin_array (b);
  for (guint i = 0; i < lint->issues->len; i++)
    {
      const LeanLintIssue *issue = &g_array_index (lint->issues, LeanLintIssue, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, lean_lint_severity_to_string (issue->severity));
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, lean_lint_type_to_string (issue->type));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, issue->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

int
ctl_cmd_lint (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) chosen = NULL;
  g_autoptr(LeanLintIndex) index = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean json = FALSE;
  gboolean all = FALSE;
  gboolean relationships = FALSE;
  guint counts[3] = { 0, };
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON array on stdout and nothing else"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Include archived specs (hidden by default)"), NULL },
    { "relationships", 'r', 0, G_OPTION_ARG_NONE, &relationships,
      N_("Also check parent and depends_on links, as “leanspec validate --check-deps”"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "[SPEC…]", _("Check specs with LeanSpec's rules."),
                          _("Front matter (status, created date, priority, tags, depends_on),\n"
                            "structure (one “# ” title, no empty “## ” section) and length (more\n"
                            "than 3,500 tokens of body warns, more than 5,000 fails), as LeanSpec's\n"
                            "web UI checks a spec; with --relationships also parent and depends_on\n"
                            "(missing, cycles, complete parent with open children). A spec fails on\n"
                            "an error, warns on a warning, else passes.\n"
                            "Exit status 1 when any spec fails. JSON objects have: id, path, status,\n"
                            "tokens, issues (severity, type, message)."),
                          entries, 0, G_MAXINT, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  if (argc > 1)
    {
      chosen = g_ptr_array_new ();
      for (int i = 1; i < argc; i++)
        {
          LeanSpec *spec = ctl_resolve_spec (project, specs, problems, argv[i], &exit_code);

          if (spec == NULL)
            return exit_code;
          g_ptr_array_add (chosen, spec);
        }
    }
  else
    {
      ctl_report_problems (problems);
      chosen = visible_specs (specs, all);
    }

  if (relationships)
    index = lean_lint_index_new (specs);

  if (json)
    {
      b = json_builder_new ();
      json_builder_begin_array (b);
    }
  for (guint i = 0; i < chosen->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (chosen, i);
      g_autoptr(LeanSpecLint) lint = lean_spec_lint (spec, index);

      counts[lint->status]++;
      if (json)
        {
          add_lint_json (b, spec, lint);
          continue;
        }
      if (lint->status == LEAN_LINT_PASS)
        continue;
      {
        g_autofree char *status = ctl_style (ctx, lint_sgr (lint->status),
                                             lean_lint_status_to_string (lint->status));

        g_string_append_printf (out, "%s  %s\n", status, lean_spec_get_rel_path (spec));
      }
      for (guint k = 0; k < lint->issues->len; k++)
        {
          const LeanLintIssue *issue = &g_array_index (lint->issues, LeanLintIssue, k);

          /* Notes stay in the JSON; the text lists what needs doing. */
          if (issue->severity == LEAN_LINT_SEVERITY_INFO)
            continue;
          g_string_append_printf (out, "  %-7s [%s] %s\n",
                                  lean_lint_severity_to_string (issue->severity),
                                  lean_lint_type_to_string (issue->type), issue->message);
        }
    }

  if (json)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (b);
      root = json_builder_get_root (b);
      if (!ctl_print_json (root))
        return CTL_EXIT_FAILED;
    }
  else
    {
      /* TRANSLATORS: "238 specs: 189 pass, 27 warn, 22 fail" */
      g_string_append_printf (out, ngettext ("%u spec: %u pass, %u warn, %u fail\n",
                                             "%u specs: %u pass, %u warn, %u fail\n",
                                             chosen->len),
                              chosen->len, counts[LEAN_LINT_PASS], counts[LEAN_LINT_WARN],
                              counts[LEAN_LINT_FAIL]);
      if (!ctl_write_stdout (out))
        return CTL_EXIT_FAILED;
    }

  return counts[LEAN_LINT_FAIL] > 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}
