/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-frontmatter.h"
#include "lean-hash.h"
#include "lean-spec-private.h"
#include "lean-spec-writer.h"
#include "lean-timestamp.h"

/* Writes @contents as the README of @spec (hash-checked) and returns the new
 * snapshot. */
static LeanSpec *
commit (LeanSpec  *spec,
        GBytes    *contents,
        GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  LeanSpec *fresh;

  /* Parse before writing: a write never leaves a spec we cannot read. */
  fresh = _lean_spec_new (_lean_spec_get_project_root (spec), lean_spec_get_dir (spec), contents,
                          lean_spec_get_sub_specs (spec), &local_error);
  if (fresh == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("refusing to write %s: the result would not be a valid spec (%s)"),
                   lean_spec_get_readme_path (spec), local_error->message);
      return NULL;
    }

  if (!lean_file_write_in_project (_lean_spec_get_project_root (spec),
                                   lean_spec_get_readme_path (spec), contents,
                                   lean_spec_get_content_hash (spec), error))
    {
      g_object_unref (fresh);
      return NULL;
    }
  return fresh;
}

/* Edits are applied one after the other, each on a fresh parse of the
 * previous result, so every edit sees exact offsets. */
typedef struct
{
  GBytes *bytes;
  GError *error;
} Edit;

static LeanFrontmatter *
edit_parse (Edit *edit)
{
  if (edit->error != NULL)
    return NULL;
  return lean_frontmatter_parse (edit->bytes, &edit->error);
}

static void
edit_take (Edit   *edit,
           GBytes *result)
{
  if (result != NULL)
    {
      g_bytes_unref (edit->bytes);
      edit->bytes = result;
    }
}

static void
edit_set_scalar (Edit       *edit,
                 const char *key,
                 const char *value,
                 const char *after)
{
  g_autoptr(LeanFrontmatter) fm = edit_parse (edit);

  if (fm == NULL)
    return;
  if (after != NULL && lean_frontmatter_lookup (fm, after) == NULL)
    after = NULL;
  edit_take (edit, lean_frontmatter_set_scalar (fm, key, value, after, &edit->error));
}

static void
edit_remove (Edit       *edit,
             const char *key)
{
  g_autoptr(LeanFrontmatter) fm = edit_parse (edit);

  if (fm == NULL)
    return;
  edit_take (edit, lean_frontmatter_remove_key (fm, key, &edit->error));
}

static void
edit_touch (Edit       *edit,
            const char *now)
{
  edit_set_scalar (edit, "updated_at", now, "created_at");
}

static LeanSpec *
edit_finish (Edit      *edit,
             LeanSpec  *spec,
             GError   **error)
{
  LeanSpec *result = NULL;

  if (edit->error != NULL)
    g_propagate_error (error, edit->error);
  else
    result = commit (spec, edit->bytes, error);
  g_bytes_unref (edit->bytes);
  return result;
}

static void
edit_init (Edit     *edit,
           LeanSpec *spec)
{
  edit->bytes = g_bytes_ref (lean_spec_get_contents (spec));
  edit->error = NULL;
}

LeanSpec *
lean_spec_writer_set_status (LeanSpec        *spec,
                             LeanSpecStatus   status,
                             GError         **error)
{
  g_autofree char *now = NULL;
  const char *name;
  Edit edit;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  name = lean_spec_status_to_string (status);
  if (name == NULL)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("a spec status must be one of draft, planned, in-progress, "
                           "complete, archived"));
      return NULL;
    }

  if (lean_spec_get_status (spec) == status &&
      g_strcmp0 (lean_spec_get_field (spec, "status"), name) == 0)
    {
      /* Nothing changes; still make sure the snapshot is current. */
      g_autofree char *data = NULL;
      g_autofree char *hash = NULL;
      gsize len = 0;

      if (g_file_get_contents (lean_spec_get_readme_path (spec), &data, &len, NULL))
        hash = lean_hash_sha256 (data, len);
      if (g_strcmp0 (hash, lean_spec_get_content_hash (spec)) != 0)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                       _("%s changed on disk since it was read; nothing was written. "
                       "Reload it and try again"), lean_spec_get_readme_path (spec));
          return NULL;
        }
      return g_object_ref (spec);
    }

  now = lean_timestamp_now ();
  edit_init (&edit, spec);
  edit_set_scalar (&edit, "status", name, NULL);
  edit_touch (&edit, now);
  if (status == LEAN_SPEC_STATUS_COMPLETE && lean_spec_get_completed_at (spec) == NULL)
    edit_set_scalar (&edit, "completed_at", now, "updated_at");
  {
    g_autoptr(LeanFrontmatter) fm = edit_parse (&edit);
    const char * const pairs[] = { "status", name, "at", now, NULL };

    if (fm != NULL)
      edit_take (&edit, lean_frontmatter_append_mapping (fm, "transitions", pairs, &edit.error));
  }
  return edit_finish (&edit, spec, error);
}

LeanSpec *
lean_spec_writer_set_priority (LeanSpec          *spec,
                               LeanSpecPriority   priority,
                               GError           **error)
{
  g_autofree char *now = NULL;
  Edit edit;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  if (priority >= LEAN_SPEC_N_PRIORITIES)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("a spec priority must be one of low, medium, high, critical"));
      return NULL;
    }

  now = lean_timestamp_now ();
  edit_init (&edit, spec);
  if (priority == LEAN_SPEC_PRIORITY_NONE)
    edit_remove (&edit, "priority");
  else
    edit_set_scalar (&edit, "priority", lean_spec_priority_to_string (priority), "created");
  edit_touch (&edit, now);
  return edit_finish (&edit, spec, error);
}

LeanSpec *
lean_spec_writer_set_assignee (LeanSpec    *spec,
                               const char  *assignee,
                               GError     **error)
{
  g_autofree char *now = NULL;
  Edit edit;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  if (assignee != NULL && strpbrk (assignee, "\r\n") != NULL)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("an assignee must be a single line"));
      return NULL;
    }

  now = lean_timestamp_now ();
  edit_init (&edit, spec);
  if (assignee == NULL || *assignee == '\0')
    edit_remove (&edit, "assignee");
  else
    edit_set_scalar (&edit, "assignee", assignee, "tags");
  edit_touch (&edit, now);
  return edit_finish (&edit, spec, error);
}

LeanSpec *
lean_spec_writer_set_tags (LeanSpec            *spec,
                           const char * const  *tags,
                           GError             **error)
{
  g_autofree char *now = NULL;
  Edit edit;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    if (*tags[i] == '\0' || strpbrk (tags[i], "\r\n") != NULL)
      {
        g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                             _("a tag must be a non-empty single line"));
        return NULL;
      }

  now = lean_timestamp_now ();
  edit_init (&edit, spec);
  {
    g_autoptr(LeanFrontmatter) fm = edit_parse (&edit);
    if (fm != NULL)
      {
        const char *after = lean_frontmatter_lookup (fm, "priority") ? "priority" : NULL;
        edit_take (&edit, lean_frontmatter_set_list (fm, "tags", tags, after, &edit.error));
      }
  }
  edit_touch (&edit, now);
  return edit_finish (&edit, spec, error);
}

/* Flips the mark of the task item on 1-based @line of @data. */
static GBytes *
flip_task (const char  *path,
           const char  *data,
           gsize        len,
           guint        line,
           gboolean     checked,
           GError     **error)
{
  const char *p = data;
  const char *end = data + len;
  const char *eol;
  gsize mark;
  gboolean was_checked;
  char *copy;

  for (guint i = 1; i < line && p < end; i++)
    {
      const char *nl = memchr (p, '\n', end - p);
      p = nl ? nl + 1 : end;
    }
  if (line == 0 || p >= end)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s has no line %u"), path, line);
      return NULL;
    }
  eol = memchr (p, '\n', end - p);
  if (eol == NULL)
    eol = end;

  if (!_lean_spec_parse_task_line (p, eol - p, &mark, &was_checked))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("line %u of %s is not a task item (\"- [ ] ...\"); nothing was written"),
                   line, path);
      return NULL;
    }

  copy = g_memdup2 (data, len);
  if (was_checked != checked)
    copy[(p - data) + mark] = checked ? 'x' : ' ';
  return g_bytes_new_take (copy, len);
}

LeanSpec *
lean_spec_writer_set_task (LeanSpec    *spec,
                           const char  *file,
                           guint        line,
                           gboolean     checked,
                           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  if (file == NULL || g_str_equal (file, "README.md"))
    {
      data = g_bytes_get_data (lean_spec_get_contents (spec), &len);
      bytes = flip_task (lean_spec_get_readme_path (spec), data, len, line, checked, error);
      if (bytes == NULL)
        return NULL;
      if (g_bytes_equal (bytes, lean_spec_get_contents (spec)))
        return g_object_ref (spec);
      return commit (spec, bytes, error);
    }
  else
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean known = FALSE;
      const char * const *subs = lean_spec_get_sub_specs (spec);

      for (guint i = 0; subs[i] != NULL; i++)
        if (g_str_equal (subs[i], file))
          known = TRUE;
      if (!known || strchr (file, G_DIR_SEPARATOR) != NULL)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                       _("%s is not a file of spec %s"), file, lean_spec_get_id (spec));
          return NULL;
        }

      path = g_build_filename (lean_spec_get_dir (spec), file, NULL);
      if (!g_file_get_contents (path, &contents, &len, &local_error))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                       _("cannot read %s: %s"), path, local_error->message);
          return NULL;
        }
      bytes = flip_task (path, contents, len, line, checked, error);
      if (bytes == NULL)
        return NULL;
      /* The sub-spec has no snapshot of its own: check it against what was
       * just read, so an edit in between is still refused. */
      if (memcmp (g_bytes_get_data (bytes, NULL), contents, len) != 0)
        {
          g_autofree char *hash = lean_hash_sha256 (contents, len);
          if (!lean_file_write_in_project (_lean_spec_get_project_root (spec), path, bytes,
                                           hash, error))
            return NULL;
        }
      return lean_spec_new_from_dir (_lean_spec_get_project_root (spec),
                                     lean_spec_get_dir (spec), error);
    }
}

/* The line of @spec's "# " title heading: its start, the start of its text
 * and its end before any \r; FALSE when the title is not such a line. */
static gboolean
find_title_line (LeanSpec    *spec,
                 const char **text_start,
                 const char **text_end)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (lean_spec_get_contents (spec), &len);
  const char *end = data + len;
  const char *line = data;
  guint body_line = lean_spec_get_body_line (spec);
  gboolean in_fence = FALSE;

  for (guint lineno = 1; line < end; lineno++)
    {
      const char *eol = memchr (line, '\n', end - line);
      const char *line_end = eol != NULL ? eol : end;
      const char *p = line;
      guint indent = 0;

      if (lineno >= body_line)
        {
          while (p < line_end && *p == ' ' && indent < 4)
            p++, indent++;

          if (indent < 4 && line_end - p >= 3 && (strncmp (p, "```", 3) == 0 || strncmp (p, "~~~", 3) == 0))
            in_fence = !in_fence;
          else if (!in_fence && indent < 4 && line_end - p >= 2 && p[0] == '#' && (p[1] == ' ' || p[1] == '\t'))
            {
              const char *stop = line_end;
              g_autofree char *current = NULL;

              if (stop > p && stop[-1] == '\r')
                stop--;
              /* The line must be the title the person saw. */
              current = g_strstrip (g_strndup (p + 2, stop - p - 2));
              if (g_strcmp0 (current, lean_spec_get_title (spec)) != 0)
                return FALSE;
              *text_start = p;
              *text_end = stop;
              return TRUE;
            }
        }

      if (eol == NULL)
        break;
      line = eol + 1;
    }
  return FALSE;
}

LeanSpec *
lean_spec_writer_set_title (LeanSpec    *spec,
                            const char  *title,
                            GError     **error)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data, *start, *stop;
  gsize len = 0;

  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);
  g_return_val_if_fail (title != NULL, NULL);

  if (*title == '\0' || strpbrk (title, "\r\n") != NULL)
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("a title must be a non-empty single line"));
      return NULL;
    }
  if (!find_title_line (spec, &start, &stop))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("%s has no “# Title” line to rename; change the title in your editor."),
                   lean_spec_get_rel_path (spec));
      return NULL;
    }

  data = g_bytes_get_data (lean_spec_get_contents (spec), &len);
  out = g_string_new_len (data, start - data);
  g_string_append (out, "# ");
  g_string_append (out, title);
  g_string_append_len (out, stop, data + len - stop);
  len = out->len;
  bytes = g_bytes_new_take (g_string_free (g_steal_pointer (&out), FALSE), len);
  return commit (spec, bytes, error);
}

LeanSpec *
lean_spec_writer_replace (LeanSpec  *spec,
                          GBytes    *contents,
                          GError   **error)
{
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  return commit (spec, contents, error);
}

GPtrArray *
lean_spec_writer_get_open_children (LeanProject *project,
                                    GPtrArray   *specs,
                                    LeanSpec    *spec)
{
  g_autoptr(GPtrArray) children = NULL;
  GPtrArray *open_children = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (LEAN_IS_PROJECT (project), open_children);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), open_children);

  if (specs == NULL)
    return open_children;
  children = lean_project_get_children (project, specs, spec);
  for (guint i = 0; i < children->len; i++)
    {
      LeanSpec *child = g_ptr_array_index (children, i);
      LeanSpecStatus st = lean_spec_get_status (child);

      if (st != LEAN_SPEC_STATUS_COMPLETE && st != LEAN_SPEC_STATUS_ARCHIVED &&
          !lean_spec_is_archived (child))
        g_ptr_array_add (open_children, g_object_ref (child));
    }
  return open_children;
}

LeanSpec *
lean_spec_writer_complete (LeanProject  *project,
                           GPtrArray    *specs,
                           LeanSpec     *spec,
                           gboolean      force,
                           GError      **error)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  if (!force)
    {
      g_autoptr(GPtrArray) open_children = lean_spec_writer_get_open_children (project, specs,
                                                                              spec);
      GString *msg;
      guint n_tasks = lean_spec_get_n_tasks (spec);
      guint n_open = lean_spec_get_n_unchecked (spec);

      if (n_open > 0 || open_children->len > 0)
        {
          msg = g_string_new (NULL);
          g_string_append_printf (msg, _("%s cannot be completed yet:"), lean_spec_get_id (spec));
          if (n_open > 0)
            {
              guint shown = 0;

              g_string_append_c (msg, ' ');
              g_string_append_printf (msg, ngettext ("%u open checklist item",
                                                     "%u open checklist items", n_open),
                                      n_open);
              g_string_append (msg, " (");
              for (guint i = 0; i < n_tasks; i++)
                {
                  guint line;
                  gboolean checked;
                  const char *text;

                  lean_spec_get_task (spec, i, &line, &checked, &text);
                  if (checked)
                    continue;
                  if (shown == 5)
                    {
                      g_string_append (msg, "; ");
                      g_string_append_printf (msg, _("and %u more"), n_open - shown);
                      break;
                    }
                  if (shown > 0)
                    g_string_append (msg, "; ");
                  g_string_append_printf (msg, _("line %u: %s"), line, text);
                  shown++;
                }
              g_string_append_c (msg, ')');
            }
          if (open_children->len > 0)
            {
              g_string_append (msg, n_open > 0 ? "; " : " ");
              g_string_append_printf (msg, ngettext ("%u child spec not complete",
                                                     "%u child specs not complete",
                                                     open_children->len), open_children->len);
              g_string_append (msg, " (");
              for (guint i = 0; i < open_children->len; i++)
                {
                  LeanSpec *child = g_ptr_array_index (open_children, i);
                  const char *st = lean_spec_status_to_string (lean_spec_get_status (child));
                  g_string_append_printf (msg, "%s%s: %s", i ? ", " : "", lean_spec_get_id (child),
                                          st ? st : _("no status"));
                }
              g_string_append_c (msg, ')');
            }
          g_string_append (msg, ". ");
          g_string_append (msg, _("Finish them, or force it to mark the spec complete anyway"));
          g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INCOMPLETE, msg->str);
          g_string_free (msg, TRUE);
          return NULL;
        }
    }

  return lean_spec_writer_set_status (spec, LEAN_SPEC_STATUS_COMPLETE, error);
}
