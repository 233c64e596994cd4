/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
# include <linux/openat2.h>
#endif

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

/* How long a writer waits for another LeanSpec writer (the app and the
 * CLI at once) before giving up. */
#define LOCK_TIMEOUT_USEC (10 * G_USEC_PER_SEC)

/* Holds an exclusive flock() on the folder @dir: every LeanSpec writer takes
 * it around check-hash-then-rename, so two writers cannot both pass the
 * check and have one's change lost. The folder, not the file, is locked:
 * the rename replaces the file's inode. Returns the fd to close, or -1. */
static int
lock_folder (const char  *dir,
             const char  *path,
             GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + LOCK_TIMEOUT_USEC;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot write in %s: %s; nothing was written"), dir, g_strerror (errsv));
      return -1;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno == EINTR)
        continue;
      if (errno != EWOULDBLOCK || g_get_monotonic_time () >= deadline)
        {
          close (fd);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_CHANGED_ON_DISK,
                       _("another program is writing %s; nothing was written. Try again"),
                       path);
          return -1;
        }
      g_usleep (10 * 1000);
    }
  return fd;
}

/* Can we (not the superuser's blanket right: the file's own bits for its
 * owner) write @st? */
static gboolean
writable_by_us (const char        *path,
                const struct stat *st)
{
  if (st->st_uid == geteuid ())
    return (st->st_mode & S_IWUSR) != 0;
  return faccessat (AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

static gboolean
write_atomic (const char  *root,
              const char  *path,
              GBytes      *contents,
              const char  *expected_hash,
              GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *real = NULL;
  const char *shown = path;
  const char *data;
  gsize len;
  gsize done = 0;
  struct stat st;
  gboolean exists;
  mode_t mode = 0644;
  int lock_fd;
  int fd;
  int dfd;

  /* A README that is a symlink: replace the file it points to, not the
   * link (a rename over the link would turn it into a copy). */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      real = realpath (path, NULL);
      if (real != NULL)
        path = real;
    }

  /* Inside a project, only files whose real path is inside it: a link to
   * ~/.bashrc in a cloned repository must not be written through. */
  if (root != NULL && !lean_file_is_in_project (root, path))
    {
      g_autofree char *where = real ? g_strdup (real) : g_canonicalize_filename (path, NULL);

      if (real != NULL)
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                     _("%s is a link to %s, outside the project; LeanSpec does not write "
                       "through it. Nothing was written"), shown, where);
      else
        g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                     _("%s is outside the project (%s); LeanSpec does not write there. "
                       "Nothing was written"), shown, where);
      return FALSE;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);

  lock_fd = lock_folder (dir, shown, error);
  if (lock_fd < 0)
    return FALSE;

  if (expected_hash != NULL && !check_hash (path, expected_hash, error))
    goto fail_locked;

  exists = g_stat (path, &st) == 0;
  if (exists)
    {
      mode = st.st_mode & 07777;
      if (!writable_by_us (path, &st))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s is read-only (mode %04o); LeanSpec does not change files that "
                         "are not writable. Make it writable (chmod u+w) to edit it here; "
                         "nothing was written"), shown, (guint)(st.st_mode & 07777));
          goto fail_locked;
        }
    }
  else
    {
      /* A new file gets the usual mode under the user's umask. */
      mode_t mask = umask (0);
      umask (mask);
      mode = 0666 & ~mask;
    }

  tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, mode);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot write in %s: %s; nothing was written"), dir, g_strerror (errsv));
      goto fail_locked;
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
          goto fail_locked;
        }
      done += n;
    }

  /* The replacement keeps the file's owner and group as well as its mode;
   * when we cannot give it them, the file is left alone. */
  if (exists && fchown (fd, st.st_uid, st.st_gid) != 0)
    {
      struct stat mine;

      if (fstat (fd, &mine) != 0 || mine.st_uid != st.st_uid || mine.st_gid != st.st_gid)
        {
          close (fd);
          g_unlink (tmp);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s belongs to another user or group; replacing it would change "
                         "that, so nothing was written"), shown);
          goto fail_locked;
        }
    }

  if (fchmod (fd, mode) != 0 || fsync (fd) != 0)
    {
      int errsv = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot write %s: %s; nothing was written"), path, g_strerror (errsv));
      goto fail_locked;
    }
  close (fd);

  /* Check again right before the rename: other LeanSpec writers wait on
   * the lock, so what is left is an editor saving in this very moment. */
  if (expected_hash != NULL && !check_hash (path, expected_hash, error))
    {
      g_unlink (tmp);
      goto fail_locked;
    }

  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("cannot replace %s: %s; nothing was written"), path, g_strerror (errsv));
      goto fail_locked;
    }

  /* Make the rename itself durable. */
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }

  close (lock_fd);
  return TRUE;

fail_locked:
  close (lock_fd);
  return FALSE;
}

gboolean
lean_file_write_atomic (const char  *path,
                        GBytes      *contents,
                        const char  *expected_hash,
                        GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  return write_atomic (NULL, path, contents, expected_hash, error);
}

gboolean
lean_file_write_in_project (const char  *root,
                            const char  *path,
                            GBytes      *contents,
                            const char  *expected_hash,
                            GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  return write_atomic (root, path, contents, expected_hash, error);
}

/* ---- confined reads ---------------------------------------------------- */

static gboolean use_openat2 = TRUE;

void
_lean_file_set_use_openat2 (gboolean use)
{
  use_openat2 = use;
}

/* Is @path @root itself or inside it (both canonical)? */
static gboolean
path_within (const char *path,
             const char *root)
{
  gsize n = strlen (root);

  if (n == 1 && root[0] == '/')
    return path[0] == '/';
  return strncmp (path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* openat2() with RESOLVE_BENEATH: -1 and errno ENOSYS where the kernel (or
 * a seccomp filter) does not have it. */
static int
open_beneath (int         dfd,
              const char *name,
              int         flags)
{
#if defined(__linux__) && defined(SYS_openat2) && defined(RESOLVE_BENEATH)
  struct open_how how = { 0 };
  long fd;

  if (!use_openat2)
    {
      errno = ENOSYS;
      return -1;
    }
  how.flags = flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  do
    fd = syscall (SYS_openat2, dfd, name, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return (int)fd;
#else
  errno = ENOSYS;
  return -1;
#endif
}

static void
set_outside_error (GError     **error,
                   const char  *path,
                   const char  *real)
{
  g_autofree char *base = g_path_get_basename (path);

  if (real != NULL && g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                 _("%s is a link to %s, outside the project; LeanSpec reads only files "
                   "inside the project: copy the file in or remove the link"), base, real);
  else if (real != NULL)
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                 _("%s leads to %s, outside the project; LeanSpec reads only files "
                   "inside the project"), path, real);
  else
    g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                 _("%s leads outside the project (through a link); LeanSpec reads only "
                   "files inside the project: copy the file in or remove the link"), base);
}

/* The real path of what @fd is open on, or NULL when /proc cannot say. */
static char *
fd_real_path (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);

  return g_file_read_link (link, NULL);
}

/* Opens @path for reading, confined to @root, by the real path: checked
 * before opening, and after it (on the open file) where /proc tells. */
static int
open_checked (const char  *root,
              const char  *path,
              int          flags,
              GError     **error)
{
  g_autofree char *root_real = realpath (root, NULL);
  g_autofree char *real = realpath (path, NULL);
  g_autofree char *opened = NULL;
  int fd;

  if (root_real == NULL)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("cannot read the project folder %s: %s"), root, g_strerror (errsv));
      return -1;
    }
  if (real == NULL)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("cannot read the file: %s"), g_strerror (errsv));
      return -1;
    }
  if (!path_within (real, root_real))
    {
      set_outside_error (error, path, real);
      return -1;
    }

  /* The real path has no links left: one appearing now is a swap. */
  fd = open (real, flags | O_NOFOLLOW);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("cannot read the file: %s"), g_strerror (errsv));
      return -1;
    }
  opened = fd_real_path (fd);
  if (opened != NULL && !path_within (opened, root_real))
    {
      close (fd);
      set_outside_error (error, path, opened);
      return -1;
    }
  return fd;
}

/* Opens @name in @dir_fd (inside @root) or, with @dir_fd -1, the absolute
 * @path, confined to @root. */
static int
open_in_project (const char  *root,
                 int          dir_fd,
                 const char  *name,
                 const char  *path,
                 GError     **error)
{
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  g_autofree char *lexical = g_canonicalize_filename (path, NULL);
  g_autofree char *lexical_root = g_canonicalize_filename (root, NULL);
  gsize root_len = strlen (root);
  int fd = -1;
  int errsv;

  /* "../../etc/passwd" from a config file: outside before any link. */
  if (!path_within (lexical, lexical_root))
    {
      set_outside_error (error, path, lexical);
      return -1;
    }

  /* First within the folder: the common case, a plain file. */
  if (dir_fd >= 0)
    {
      fd = open_beneath (dir_fd, name, flags);
      if (fd >= 0)
        return fd;
      if (errno != EXDEV && errno != ENOSYS && errno != ELOOP)
        goto fail;
    }

  /* Then within the project: a link to another spec's file is fine. */
  while (root_len > 1 && root[root_len - 1] == '/')
    root_len--;
  if (strncmp (path, root, root_len) == 0 && path[root_len] == '/')
    {
      int root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);

      if (root_fd >= 0)
        {
          fd = open_beneath (root_fd, path + root_len + 1, flags);
          errsv = errno;
          close (root_fd);
          if (fd >= 0)
            return fd;
          errno = errsv;
          if (errno != EXDEV && errno != ENOSYS && errno != ELOOP)
            goto fail;
        }
    }

  /* No openat2, or a link written as an absolute path (which
   * RESOLVE_BENEATH refuses even when it points inside): judge the real
   * path. */
  return open_checked (root, path, flags, error);

fail:
  errsv = errno;
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
               _("cannot read the file: %s"), g_strerror (errsv));
  return -1;
}

static char *
format_size (guint64 size)
{
  return g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
}

static GBytes *
read_bounded (int          fd,
              const char  *path,
              gsize        max_size,
              gboolean    *cut,
              struct stat *st_out,
              GError     **error)
{
  struct stat st;
  gsize want;
  gsize len = 0;
  char *data;

  if (cut != NULL)
    *cut = FALSE;
  if (fstat (fd, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("cannot read the file: %s"), g_strerror (errsv));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *base = g_path_get_basename (path);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("%s is not a regular file; a spec file must be one"), base);
      return NULL;
    }
  if ((guint64)st.st_size > max_size && cut == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *size = format_size (st.st_size);
      g_autofree char *limit = format_size (max_size);
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   _("%s is %s, more than the %s LeanSpec reads; split it into "
                     "smaller files"), base, size, limit);
      return NULL;
    }

  if (st_out != NULL)
    *st_out = st;

  /* The size may change while we read: never past @max_size, and one byte
   * more tells whether there was more. */
  want = MIN ((guint64)st.st_size, (guint64)max_size);
  data = g_try_malloc (want + 2);
  if (data == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                   "%s", g_strerror (ENOMEM));
      return NULL;
    }
  while (len < want + 1 && len <= max_size)
    {
      gssize n = read (fd, data + len, MIN (want + 1, max_size + 1) - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_free (data);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                       _("cannot read the file: %s"), g_strerror (errsv));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }
  if (len > max_size)
    {
      if (cut == NULL)
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *limit = format_size (max_size);
          g_free (data);
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_SPEC,
                       _("%s is more than the %s LeanSpec reads; split it into "
                         "smaller files"), base, limit);
          return NULL;
        }
      *cut = TRUE;
      len = max_size;
    }
  else if (cut != NULL && (guint64)st.st_size > max_size)
    *cut = TRUE;
  /* Text cut short ends before a character the cut split, not inside it. */
  if (cut != NULL && *cut)
    {
      const char *valid_end = NULL;

      if (!g_utf8_validate_len (data, len, &valid_end) && len - (valid_end - data) < 4)
        len = valid_end - data;
    }
  data[len] = '\0';
  return g_bytes_new_take (data, len);
}

/* @dir_fd may be -1: then the whole path is opened. */
static GBytes *
read_at (const char  *root,
         int          dir_fd,
         const char  *dir_path,
         const char  *name,
         gsize        max_size,
         gboolean    *cut,
         struct stat *st,
         GError     **error)
{
  g_autofree char *path = NULL;
  GBytes *bytes;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (dir_path != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  path = g_build_filename (dir_path, name, NULL);
  fd = open_in_project (root, dir_fd, dir_fd >= 0 ? name : NULL, path, error);
  if (fd < 0)
    return NULL;
  bytes = read_bounded (fd, path, max_size, cut, st, error);
  close (fd);
  return bytes;
}

GBytes *
lean_file_read_at_in_project (const char  *root,
                              int          dir_fd,
                              const char  *dir_path,
                              const char  *name,
                              gsize        max_size,
                              gboolean    *cut,
                              GError     **error)
{
  return read_at (root, dir_fd, dir_path, name, max_size, cut, NULL, error);
}

GBytes *
lean_file_read_at_in_project_stat (const char  *root,
                                   int          dir_fd,
                                   const char  *dir_path,
                                   const char  *name,
                                   gsize        max_size,
                                   struct stat *st,
                                   GError     **error)
{
  g_return_val_if_fail (st != NULL, NULL);

  return read_at (root, dir_fd, dir_path, name, max_size, NULL, st, error);
}

GBytes *
lean_file_read_in_project (const char  *root,
                           const char  *path,
                           gsize        max_size,
                           gboolean    *cut,
                           GError     **error)
{
  GBytes *bytes;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  fd = open_in_project (root, -1, NULL, path, error);
  if (fd < 0)
    return NULL;
  bytes = read_bounded (fd, path, max_size, cut, NULL, error);
  close (fd);
  return bytes;
}

gboolean
lean_file_is_in_project (const char *root,
                         const char *path)
{
  g_autofree char *root_real = realpath (root, NULL);
  g_autofree char *real = realpath (path, NULL);

  if (root_real == NULL)
    return FALSE;
  if (real == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_str_equal (dir, path))
        return FALSE;
      return lean_file_is_in_project (root, dir);
    }
  return path_within (real, root_real);
}
