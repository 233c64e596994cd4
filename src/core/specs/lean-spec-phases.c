/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-spec-phases.h"

void
lean_spec_phase_free (LeanSpecPhase *phase)
{
  if (phase == NULL)
    return;
  g_free (phase->title);
  g_strfreev (phase->open_items);
  g_free (phase);
}

/* The level (1-6) of an ATX heading line and its text, or 0. */
static guint
heading_level (const char  *line,
               char       **text)
{
  const char *p = line;
  guint level = 0;
  g_autofree char *copy = NULL;
  gsize len;

  /* Up to three spaces of indent, as CommonMark allows. */
  for (guint i = 0; i < 3 && *p == ' '; i++)
    p++;
  while (*p == '#' && level < 7)
    level++, p++;
  if (level == 0 || level > 6 || (*p != ' ' && *p != '\t' && *p != '\0'))
    return 0;
  copy = g_strstrip (g_strdup (p));
  /* A closing run of '#' (after a space) is not part of the text. */
  len = strlen (copy);
  while (len > 0 && copy[len - 1] == '#')
    len--;
  if (len == 0 || copy[len - 1] == ' ' || len == strlen (copy))
    copy[len] = '\0';
  *text = g_strstrip (g_steal_pointer (&copy));
  return level;
}

GPtrArray *
lean_spec_get_phases (LeanSpec *spec)
{
  g_autoptr(GPtrArray) phases = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_spec_phase_free);
  g_auto(GStrv) lines = NULL;
  const char *body;
  guint body_line;
  guint plan_start = 0, plan_end = 0;   /* file lines, plan_end exclusive; 0: none */
  g_autoptr(GArray) headings = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) all_open = g_ptr_array_new_with_free_func (g_free);
  const char *fence = NULL;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), g_ptr_array_new ());

  body = lean_spec_get_body (spec);
  body_line = lean_spec_get_body_line (spec);
  lines = g_strsplit (body != NULL ? body : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *text = NULL;
      const char *l = lines[i];
      guint file_line = body_line + i;
      guint level;

      while (*l == ' ')
        l++;
      if (g_str_has_prefix (l, "```") || g_str_has_prefix (l, "~~~"))
        {
          if (fence == NULL)
            fence = g_str_has_prefix (l, "```") ? "```" : "~~~";
          else if (g_str_has_prefix (l, fence))
            fence = NULL;
          continue;
        }
      if (fence != NULL)
        continue;

      level = heading_level (lines[i], &text);
      if (level == 0)
        continue;
      if (plan_start != 0 && plan_end == 0 && level <= 2)
        plan_end = file_line;
      if (plan_start == 0 && level == 2 && g_ascii_strcasecmp (text, "Plan") == 0)
        plan_start = file_line;
      else if (plan_start != 0 && plan_end == 0 && level == 3)
        {
          g_array_append_val (headings, file_line);
          g_ptr_array_add (titles, g_steal_pointer (&text));
        }
    }
  if (plan_start != 0 && plan_end == 0)
    plan_end = G_MAXUINT;

  for (guint h = 0; h < headings->len; h++)
    {
      LeanSpecPhase *phase = g_new0 (LeanSpecPhase, 1);

      phase->title = g_strdup (g_ptr_array_index (titles, h));
      phase->line = g_array_index (headings, guint, h);
      g_ptr_array_add (phases, phase);
      g_ptr_array_add (open, g_ptr_array_new_with_free_func (g_free));
    }

  for (guint t = 0; t < lean_spec_get_n_tasks (spec); t++)
    {
      guint line;
      gboolean checked;
      const char *text;
      LeanSpecPhase *phase = NULL;

      if (!lean_spec_get_task (spec, t, &line, &checked, &text))
        continue;
      if (!checked)
        g_ptr_array_add (all_open, g_strdup (text));
      if (line < plan_start || line >= plan_end)
        continue;
      guint index = 0;

      for (guint h = 0; h < phases->len; h++)
        {
          LeanSpecPhase *candidate = g_ptr_array_index (phases, h);

          if (candidate->line < line)
            phase = candidate, index = h;
        }
      if (phase == NULL)
        continue;
      phase->total++;
      if (checked)
        phase->done++;
      else
        g_ptr_array_add (g_ptr_array_index (open, index), g_strdup (text));
    }

  for (guint h = 0; h < phases->len; h++)
    {
      GPtrArray *items = g_ptr_array_index (open, h);

      g_ptr_array_add (items, NULL);
      ((LeanSpecPhase *)g_ptr_array_index (phases, h))->open_items =
        (char **)g_ptr_array_steal (items, NULL);
    }

  /* Headings without items are no phases. */
  for (guint h = phases->len; h > 0; h--)
    if (((LeanSpecPhase *)g_ptr_array_index (phases, h - 1))->total == 0)
      g_ptr_array_remove_index (phases, h - 1);

  if (phases->len == 0 && lean_spec_get_n_tasks (spec) > 0)
    {
      LeanSpecPhase *all = g_new0 (LeanSpecPhase, 1);

      all->title = g_strdup ("");
      all->total = lean_spec_get_n_tasks (spec);
      all->done = lean_spec_get_n_checked (spec);
      g_ptr_array_add (all_open, NULL);
      all->open_items = (char **)g_ptr_array_steal (all_open, NULL);
      g_ptr_array_add (phases, all);
    }
  return g_steal_pointer (&phases);
}

int
lean_spec_phases_get_current (GPtrArray *phases)
{
  g_return_val_if_fail (phases != NULL, -1);

  for (guint i = 0; i < phases->len; i++)
    {
      LeanSpecPhase *phase = g_ptr_array_index (phases, i);

      if (phase->done < phase->total)
        return (int)i;
    }
  return -1;
}
