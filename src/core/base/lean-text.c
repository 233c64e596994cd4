/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-text.h"

static gboolean
is_control (gunichar c)
{
  return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

char *
lean_text_strip_controls (const char *text,
                          gssize      len)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL)
    return NULL;
  if (len < 0)
    len = strlen (text);

  /* Invalid UTF-8 is replaced first: a stray byte of a C1 code (0x9b is
   * CSI on some terminals) is then gone as well. */
  valid = g_utf8_make_valid (text, len);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_control (c))
        g_string_append (out, "\xef\xbf\xbd");
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

gboolean
lean_text_has_controls (const char *text)
{
  if (text == NULL)
    return FALSE;
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (is_control (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

char *
lean_text_strip_escapes (const char *data,
                         gsize       len)
{
  GString *out = g_string_sized_new (len);
  gsize i = 0;

  while (i < len)
    {
      guchar c = (guchar) data[i];

      if (c == 0x1b && i + 1 < len)
        {
          guchar k = (guchar) data[i + 1];

          i += 2;
          if (k == '[')
            {
              /* CSI: parameters and intermediates, then one final byte. */
              while (i < len && !((guchar) data[i] >= 0x40 && (guchar) data[i] <= 0x7e))
                i++;
              i++;
            }
          else if (k == ']' || k == 'P' || k == 'X' || k == '^' || k == '_')
            {
              /* OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \). */
              while (i < len && data[i] != '\a' &&
                     !(data[i] == 0x1b && i + 1 < len && data[i + 1] == '\\'))
                i++;
              if (i < len)
                i += data[i] == '\a' ? 1 : 2;
            }
          else if (k >= 0x20 && k <= 0x2f)
            {
              /* nF escapes (charset choice "ESC ( B"): intermediates, then
               * one final byte. */
              while (i < len && (guchar) data[i] >= 0x20 && (guchar) data[i] <= 0x2f)
                i++;
              i++;
            }
          continue;
        }
      if (c == '\r')
        {
          i++;
          continue;
        }
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
        {
          i++;
          continue;
        }
      g_string_append_c (out, (char) c);
      i++;
    }

  {
    char *valid = g_utf8_make_valid (out->str, out->len);

    g_string_free (out, TRUE);
    return valid;
  }
}
