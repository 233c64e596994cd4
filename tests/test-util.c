/* SPDX-License-Identifier: MIT */
#include "test-util.h"

#include <glib/gstdio.h>

const char *
test_util_source_root (void)
{
  static char *root;

  if (root == NULL)
    {
      const char *env = g_getenv ("LEANSPEC_SOURCE_ROOT");

      if (env != NULL)
        root = g_strdup (env);
      else
        root = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", NULL);
    }
  return root;
}

char *
test_util_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("leanspec-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_util_write_file (const char *root,
                      const char *rel_path,
                      const char *contents)
{
  g_autofree char *path = g_build_filename (root, rel_path, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
test_util_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  /* A copy may hold read-only folders: we must be able to empty them. */
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      test_util_rm_rf (child);
    }
  g_rmdir (path);
}

static void
run_or_fail (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", argv[0], argv[1], err);
}

void
test_util_copy_tree (const char *src,
                     const char *dest)
{
  const char *cp[] = { "cp", "-R", "--", src, dest, NULL };
  const char *chmod[] = { "chmod", "-R", "u+w", "--", dest, NULL };

  run_or_fail (cp);
  run_or_fail (chmod);
}

static gboolean
wake_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_util_wait_until (gboolean (*cond) (gpointer data),
                    gpointer   data,
                    guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      gboolean ticked = FALSE;
      guint id;

      if (g_get_monotonic_time () > deadline)
        return cond (data);
      /* Never block longer than 20 ms so the deadline is honoured. */
      id = g_timeout_add (20, wake_up, &ticked);
      g_main_context_iteration (NULL, TRUE);
      if (!ticked)
        g_source_remove (id);
    }
  return TRUE;
}

static gboolean
flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

void
test_util_wait_for_flag (gboolean   *flag,
                         guint       timeout_s,
                         const char *what)
{
  if (!test_util_wait_until (flag_is_set, flag, timeout_s * 1000))
    g_error ("timed out after %u s waiting for %s", timeout_s, what);
}
