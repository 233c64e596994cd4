/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-prompt.h"

/* A sub-spec file bigger than this is cut: the agent can read the rest
 * itself, and the prompt has to fit on a command line. */
#define MAX_SUB_SPEC (64 * 1024)

static char *
rel_to_root (LeanProject *project,
             const char  *path)
{
  const char *root = lean_project_get_root (project);
  gsize len = strlen (root);

  if (strncmp (path, root, len) == 0 && path[len] == '/')
    return g_strdup (path + len + 1);
  return g_strdup (path);
}

static void
append_fenced (GString    *out,
               const char *text)
{
  /* The spec is markdown with its own fences; a longer fence cannot be
   * closed by anything inside it. */
  guint longest = 0;
  guint run = 0;
  g_autofree char *fence = NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      run = (*p == '`') ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  fence = g_strnfill (MAX (3, longest + 1), '`');
  g_string_append_printf (out, "%smarkdown\n%s", fence, text);
  if (!g_str_has_suffix (text, "\n"))
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n", fence);
}

static gboolean
append_spec_section (GString      *out,
                     LeanProject  *project,
                     GPtrArray    *specs,
                     LeanSpec     *spec,
                     GError      **error)
{
  const char * const *subs = lean_spec_get_sub_specs (spec);
  const char * const *deps = lean_spec_get_depends_on (spec);
  GBytes *contents = lean_spec_get_contents (spec);
  g_autofree char *readme = NULL;
  gsize len = 0;
  const char *data;

  data = contents != NULL ? g_bytes_get_data (contents, &len) : NULL;
  readme = g_strndup (data != NULL ? data : "", len);

  g_string_append_printf (out, "## Spec %s: %s\n\nFile: %s\n\n", lean_spec_get_id (spec),
                          lean_spec_get_title (spec), lean_spec_get_rel_path (spec));
  append_fenced (out, readme);

  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (lean_spec_get_dir (spec), subs[i], NULL);
      g_autofree char *rel = rel_to_root (project, path);
      g_autofree char *text = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gboolean cut = FALSE;
      gsize text_len = 0;

      /* Confined to the project, and never more than is sent read: a
       * sub-spec linked to /proc/self/environ or 300 MB long costs
       * nothing. */
      bytes = lean_file_read_in_project (lean_project_get_root (project), path, MAX_SUB_SPEC,
                                         &cut, &local_error);
      if (bytes == NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                       _("Could not read the sub-spec “%s”: %s"), rel, local_error->message);
          return FALSE;
        }
      text = g_strndup (g_bytes_get_data (bytes, &text_len), g_bytes_get_size (bytes));
      if (!g_utf8_validate (text, text_len, NULL))
        {
          char *valid = g_utf8_make_valid (text, text_len);

          g_free (text);
          text = valid;
          text_len = strlen (text);
        }

      g_string_append_printf (out, "\n### Sub-spec %s\n\nFile: %s\n\n", subs[i], rel);
      if (cut)
        {
          append_fenced (out, text);
          g_string_append_printf (out, "(Cut at %u KiB; read %s for the rest.)\n",
                                  MAX_SUB_SPEC / 1024, rel);
        }
      else
        append_fenced (out, text);
    }

  if (deps[0] != NULL)
    {
      g_string_append (out, "\n### Depends on\n\n");
      for (guint i = 0; deps[i] != NULL; i++)
        {
          LeanSpec *dep = NULL;

          if (specs != NULL)
            {
              g_autoptr(GError) ignored = NULL;

              dep = lean_project_find_spec (project, specs, deps[i], &ignored);
            }
          if (dep != NULL)
            {
              const char *status = lean_spec_status_to_string (lean_spec_get_status (dep));

              g_string_append_printf (out, "- %s “%s”: %s (%s)\n", lean_spec_get_id (dep),
                                      lean_spec_get_title (dep),
                                      status != NULL ? status : "no status",
                                      lean_spec_get_rel_path (dep));
            }
          else
            g_string_append_printf (out, "- %s: not found in this project\n", deps[i]);
        }
    }

  return TRUE;
}

static void
replace_all (GString    *text,
             const char *token,
             const char *value)
{
  gsize token_len = strlen (token);
  gsize value_len = strlen (value);
  gsize pos = 0;
  const char *found;

  /* Left to right and past each replacement, so a value that contains a
   * token (a spec quoting "{specs}") is never expanded again. */
  while ((found = strstr (text->str + pos, token)) != NULL)
    {
      gsize at = found - text->str;

      g_string_erase (text, at, token_len);
      g_string_insert_len (text, at, value, value_len);
      pos = at + value_len;
    }
}

char *
lean_prompt_build (LeanProject  *project,
                   GPtrArray    *specs,
                   LeanSpec     *spec,
                   GError      **error)
{
  g_autoptr(GString) section = g_string_new (NULL);
  const char *template;
  GString *out;

  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  if (!append_spec_section (section, project, specs, spec, error))
    return NULL;

  template = lean_project_get_config_string (project, "session_prompt_template");
  if (template == NULL)
    template = lean_project_get_config_string (project, "sessionPromptTemplate");

  if (template != NULL && template[0] != '\0')
    {
      out = g_string_new (template);
      /* {specs} last, so text inside the spec that looks like a token is
       * left as written. */
      replace_all (out, "{spec_id}", lean_spec_get_id (spec));
      replace_all (out, "{spec_title}", lean_spec_get_title (spec));
      replace_all (out, "{spec_path}", lean_spec_get_rel_path (spec));
      replace_all (out, "{project_path}", lean_project_get_root (project));
      if (strstr (out->str, "{specs}") != NULL)
        replace_all (out, "{specs}", section->str);
      else
        {
          /* A template without {specs} would start the agent blind. */
          g_string_append (out, "\n\n");
          g_string_append (out, section->str);
        }
      return g_string_free (out, FALSE);
    }

  out = g_string_new (NULL);
  g_string_append_printf (out,
                          "Implement the LeanSpec spec %s “%s” in this repository "
                          "(%s).\n\n",
                          lean_spec_get_id (spec), lean_spec_get_title (spec),
                          lean_project_get_root (project));
  g_string_append_printf (out,
                          "- Read the spec below%s and do what it asks; ask when something "
                          "is unclear instead of guessing.\n"
                          "- Keep the spec's checklist current as you work: when an item is "
                          "done and verified, change its \"- [ ]\" to \"- [x]\" in %s. Do not "
                          "tick items that are not done.\n"
                          "- Keep the front matter as it is; the person reviewing your work "
                          "sets the status.\n"
                          "- When you finish, say what you did, what you tested, and what is "
                          "left.\n\n",
                          lean_spec_get_sub_specs (spec)[0] != NULL
                            ? " and its sub-spec files" : "",
                          lean_spec_get_rel_path (spec));
  g_string_append (out, section->str);
  return g_string_free (out, FALSE);
}

char *
lean_prompt_update_spec_text (const char *prompt,
                              LeanSpec   *spec)
{
  g_autofree char *header = NULL;
  g_autofree char *fence = NULL;
  g_autofree char *readme = NULL;
  const char *open, *text, *close, *data;
  GBytes *contents;
  GString *out;
  gsize n = 0;
  gsize len = 0;

  g_return_val_if_fail (prompt != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  /* The section as append_spec_section() writes it: "File: PATH", a blank
   * line, then the README in a fence longer than any run of backticks in
   * it, so the first fence of that length after it closes it. */
  header = g_strdup_printf ("File: %s\n\n", lean_spec_get_rel_path (spec));
  open = strstr (prompt, header);
  if (open == NULL)
    return NULL;
  open += strlen (header);
  while (open[n] == '`')
    n++;
  if (n < 3 || !g_str_has_prefix (open + n, "markdown\n"))
    return NULL;
  text = open + n + strlen ("markdown\n");
  fence = g_strnfill (n, '`');
  for (close = strstr (text, fence); close != NULL && close != text && close[-1] != '\n';
       close = strstr (close + n, fence))
    ;
  if (close == NULL || (close[n] != '\n' && close[n] != '\0'))
    return NULL;

  contents = lean_spec_get_contents (spec);
  data = contents != NULL ? g_bytes_get_data (contents, &len) : NULL;
  readme = g_strndup (data != NULL ? data : "", len);
  out = g_string_new_len (prompt, open - prompt);
  append_fenced (out, readme);
  g_string_append (out, close[n] == '\n' ? close + n + 1 : close + n);
  return g_string_free (out, FALSE);
}
