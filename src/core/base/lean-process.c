/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lean-process.h"

char *
lean_process_parse_start_time (const char *stat,
                               gboolean    allow_zombie)
{
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (stat == NULL)
    return NULL;
  /* The command name (field 2) may hold spaces and parentheses: skip to the
   * last ')' and count from field 3. */
  p = strrchr (stat, ')');
  if (p == NULL || p[1] == '\0')
    return NULL;
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return NULL;
  /* State "Z" is a zombie: gone for our purposes, unless the caller knows
   * it is its own just-ended child. */
  if (!allow_zombie && (g_str_equal (fields[0], "Z") || g_str_equal (fields[0], "X")))
    return NULL;
  return g_strdup (fields[19]);
}

char *
lean_process_get_start_time (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  if (pid <= 0)
    return NULL;
  path = g_strdup_printf ("/proc/%d/stat", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return lean_process_parse_start_time (contents, FALSE);
}

char *
lean_process_get_exe (int pid)
{
  g_autofree char *path = NULL;

  if (pid <= 0)
    return NULL;
  path = g_strdup_printf ("/proc/%d/exe", pid);
  return g_file_read_link (path, NULL);
}

const char *
lean_process_get_boot_id (void)
{
  static char *boot;

  if (g_once_init_enter (&boot))
    {
      g_autofree char *contents = NULL;
      char *value;

      if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
        value = g_strstrip (g_steal_pointer (&contents));
      else
        value = g_strdup ("");
      g_once_init_leave (&boot, value);
    }
  return boot;
}

const char *
lean_process_get_self_start (void)
{
  static char *start;

  if (g_once_init_enter (&start))
    {
      char *s = lean_process_get_start_time (getpid ());
      g_once_init_leave (&start, s ? s : g_strdup (""));
    }
  return start;
}
