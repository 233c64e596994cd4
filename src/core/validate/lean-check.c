/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-check.h"

static const char * const kind_names[] = {
  [LEAN_CHECK_KIND_TEST] = "test",
  [LEAN_CHECK_KIND_LINT] = "lint",
  [LEAN_CHECK_KIND_TYPECHECK] = "typecheck",
  [LEAN_CHECK_KIND_BUILD] = "build",
  [LEAN_CHECK_KIND_CUSTOM] = "custom",
};

static const char * const status_names[] = {
  [LEAN_CHECK_STATUS_PENDING] = "pending",
  [LEAN_CHECK_STATUS_RUNNING] = "running",
  [LEAN_CHECK_STATUS_PASSED] = "passed",
  [LEAN_CHECK_STATUS_FAILED] = "failed",
  [LEAN_CHECK_STATUS_TIMEOUT] = "timeout",
  [LEAN_CHECK_STATUS_ERROR] = "error",
  [LEAN_CHECK_STATUS_SKIPPED] = "skipped",
};

const char *
lean_check_kind_to_string (LeanCheckKind kind)
{
  g_return_val_if_fail ((guint)kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
lean_check_kind_from_string (const char    *str,
                             LeanCheckKind *kind)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (str, kind_names[i]))
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lean_check_status_to_string (LeanCheckStatus status)
{
  g_return_val_if_fail ((guint)status < G_N_ELEMENTS (status_names), NULL);
  return status_names[status];
}

gboolean
lean_check_status_from_string (const char      *str,
                               LeanCheckStatus *status)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (str, status_names[i]))
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lean_check_status_get_label (LeanCheckStatus status)
{
  switch (status)
    {
    case LEAN_CHECK_STATUS_PENDING: return _("Waiting");
    case LEAN_CHECK_STATUS_RUNNING: return _("Running");
    case LEAN_CHECK_STATUS_PASSED: return _("Passed");
    case LEAN_CHECK_STATUS_FAILED: return _("Failed");
    case LEAN_CHECK_STATUS_TIMEOUT: return _("Timed out");
    case LEAN_CHECK_STATUS_ERROR: return _("Could not run");
    case LEAN_CHECK_STATUS_SKIPPED: return _("Skipped");
    default: g_return_val_if_reached (NULL);
    }
}

G_DEFINE_BOXED_TYPE (LeanCheck, lean_check, lean_check_ref, lean_check_unref)

LeanCheck *
lean_check_new (const char         *id,
                const char         *name,
                LeanCheckKind       kind,
                const char * const *argv,
                guint               timeout,
                const char         *cwd)
{
  LeanCheck *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  self = g_atomic_rc_box_new0 (LeanCheck);
  self->id = g_strdup (id);
  self->name = g_strdup (name != NULL ? name : id);
  self->kind = kind;
  self->argv = g_strdupv ((char **)argv);
  self->timeout = timeout > 0 ? timeout : LEAN_CHECK_DEFAULT_TIMEOUT;
  self->cwd = g_strdup (cwd != NULL && *cwd != '\0' ? cwd : ".");
  return self;
}

LeanCheck *
lean_check_ref (LeanCheck *check)
{
  g_return_val_if_fail (check != NULL, NULL);
  return g_atomic_rc_box_acquire (check);
}

static void
check_clear (LeanCheck *self)
{
  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->argv);
  g_free (self->cwd);
}

void
lean_check_unref (LeanCheck *check)
{
  g_return_if_fail (check != NULL);
  g_atomic_rc_box_release_full (check, (GDestroyNotify)check_clear);
}

char *
lean_check_describe_argv (LeanCheck *check)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (check != NULL, NULL);

  for (guint i = 0; check->argv[i] != NULL; i++)
    {
      const char *arg = check->argv[i];
      gboolean plain = *arg != '\0';

      for (const char *p = arg; *p && plain; p++)
        plain = g_ascii_isalnum (*p) || strchr ("-_./=:,+@%", *p) != NULL;
      if (i > 0)
        g_string_append_c (out, ' ');
      if (plain)
        g_string_append (out, arg);
      else
        {
          g_autofree char *quoted = g_shell_quote (arg);
          g_string_append (out, quoted);
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
lean_check_path_is_inside (const char *path,
                           const char *dir)
{
  gsize n;

  g_return_val_if_fail (path != NULL && dir != NULL, FALSE);

  n = strlen (dir);
  if (g_str_equal (dir, "/"))
    return TRUE;
  return strncmp (path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}
