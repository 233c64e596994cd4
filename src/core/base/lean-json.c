/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-error.h"
#include "lean-json.h"

/* Refuses nesting deeper than @max_depth. Brackets inside strings do not
 * count, and a backslash in a string escapes the next byte (so \" does not
 * end the string). Anything else is left for the real parser to judge. */
static gboolean
check_depth (const char  *data,
             gsize        len,
             guint        max_depth,
             GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("JSON nested deeper than %u levels (at byte %" G_GSIZE_FORMAT
                             "); refused"),
                           max_depth, i);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

JsonNode *
lean_json_parse (const char  *data,
                 gssize       len,
                 guint        max_depth,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gsize n;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = len < 0 ? strlen (data) : (gsize)len;
  if (max_depth == 0)
    max_depth = LEAN_JSON_MAX_DEPTH;

  if (!check_depth (data, n, max_depth, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, n > 0 ? data : "", n, error))
    return NULL;

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   "%s", _("empty JSON document"));
      return NULL;
    }
  return root;
}
