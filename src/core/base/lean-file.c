/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-hash.h"

static gboolean
check_hash (const char  *path,
            const char  *expected_hash,
            GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                     _("%s was removed since it was read; nothing was written"), path);
      else
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                     _("cannot re-read %s before writing: %s; nothing was written"),
                     path, local_error->message);
      return FALSE;
    }

  hash = lean_hash_sha256 (data, len);
  if (!g_str_equal (hash, expected_hash))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                   _("%s changed on disk since it was read; nothing was written. "
                   "Reload it and try again"), path);
      return FALSE;
    }
  return TRUE;
}

gboolean
lean_file_write_atomic (const char  *path,
                        GBytes      *contents,
                        const char  *expected_hash,
                        GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *real = NULL;
  const char *data;
  gsize len;
  gsize done = 0;
  struct stat st;
  mode_t mode = 0644;
  int fd;
  int dfd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  if (expected_hash != NULL && !check_hash (path, expected_hash, error))
    return FALSE;

  /* A README that is a symlink: replace the file it points to, not the
   * link (a rename over the link would turn it into a copy). */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      real = realpath (path, NULL);
      if (real != NULL)
        path = real;
    }

  if (g_stat (path, &st) == 0)
    mode = st.st_mode & 07777;
  else
    {
      /* A new file gets the usual mode under the user's umask. */
      mode_t mask = umask (0);
      umask (mask);
      mode = 0666 & ~mask;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot write in %s: %s; nothing was written"), dir, g_strerror (errsv));
      return FALSE;
    }

  data = g_bytes_get_data (contents, &len);
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          close (fd);
          g_unlink (tmp);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                       _("cannot write %s: %s; nothing was written"), path, g_strerror (errsv));
          return FALSE;
        }
      done += n;
    }

  if (fchmod (fd, mode) != 0 || fsync (fd) != 0)
    {
      int errsv = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot write %s: %s; nothing was written"), path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);

  /* Check again right before the rename: the window in which another
   * writer's change could be lost is now only the rename itself. */
  if (expected_hash != NULL && !check_hash (path, expected_hash, error))
    {
      g_unlink (tmp);
      return FALSE;
    }

  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot replace %s: %s; nothing was written"), path, g_strerror (errsv));
      return FALSE;
    }

  /* Make the rename itself durable. */
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }

  return TRUE;
}

