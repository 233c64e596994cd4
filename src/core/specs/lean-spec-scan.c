/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-spec-cache.h"
#include "lean-spec-private.h"
#include "lean-spec-scan.h"

/* How deep below the specs dir spec folders are looked for:
 * specs/NNN-x (1), specs/archived/NNN-x (2), specs/group/archived/NNN-x (3). */
#define MAX_SCAN_DEPTH 3

gboolean
_lean_spec_scan_path_within (const char *path,
                             const char *root)
{
  gsize n = strlen (root);

  return strncmp (path, root, n) == 0 && (path[n] == '\0' || path[n] == G_DIR_SEPARATOR);
}

/* The tree is walked level by level (specs/, then specs/X, then
 * specs/X/Y, ...). Within a level every folder is independent: listing it
 * and, for a spec folder, reading and parsing its README run on all cores.
 * Between levels the walking thread decides which sub-folders to enter.
 *
 * Real folders form a tree and are always entered. Only symlinks can make
 * loops or show a folder twice, so a linked folder is entered only when its
 * real path is outside the specs tree and outside every linked folder
 * already entered. */

typedef struct
{
  char *name;
  char *real;           /* real path of a symlinked folder, else NULL */
} SubDir;

typedef struct
{
  char *path;
  const char *base;     /* into path */
  guint depth;

  /* filled by the worker */
  GArray *subdirs;      /* SubDir */
  gboolean is_spec;     /* a digits-first folder holding .md files */
  GObject *result;      /* LeanSpec or LeanSpecProblem, when reading */
} DirJob;

/* One level's jobs [next, end) shared by the scan threads: each takes the
 * next job in order, so the first folders of a level are done first and a
 * caller can hand them on while the rest is still being read. */
typedef struct
{
  LeanSpecScan *scan;
  GPtrArray *jobs;      /* DirJob */
  gint next;            /* atomic: next job to take */
  guint end;
  gint64 deadline;      /* monotonic; 0 for none: no new job after it */
  gboolean read;
  LeanSpecCache *cache;
  GCancellable *cancellable;
} Level;

static void
sub_dir_clear (gpointer data)
{
  SubDir *sub = data;

  g_free (sub->name);
  g_free (sub->real);
}

static int
compare_sub_dirs (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (((const SubDir *)a)->name, ((const SubDir *)b)->name);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **)a, *(const char **)b);
}

/* @dir is canonical and @name a plain name from a listing: there are no
 * separators to tidy, as g_build_filename() would at several times the
 * cost, for every spec folder of every load. */
static char *
join_path (const char *dir,
           const char *name)
{
  gsize n = strlen (dir);

  if (n > 0 && dir[n - 1] == G_DIR_SEPARATOR)
    return g_strconcat (dir, name, NULL);
  return g_strconcat (dir, G_DIR_SEPARATOR_S, name, NULL);
}

/* Takes @path. */
static DirJob *
dir_job_new (char  *path,
             guint  depth)
{
  DirJob *job = g_new0 (DirJob, 1);
  const char *slash;

  job->path = path;
  slash = strrchr (job->path, G_DIR_SEPARATOR);
  job->base = slash ? slash + 1 : job->path;
  job->depth = depth;
  return job;
}

static void
dir_job_free (gpointer data)
{
  DirJob *job = data;

  g_free (job->path);
  g_clear_pointer (&job->subdirs, g_array_unref);
  g_clear_object (&job->result);
  g_free (job);
}

static char *
rel_to_root (const char *root,
             const char *path)
{
  gsize n = strlen (root);

  if (g_str_has_prefix (path, root) && path[n] == G_DIR_SEPARATOR)
    return g_strdup (path + n + 1);
  return g_strdup (path);
}

static GObject *
make_problem (LeanSpecScan *scan,
              const char   *path,
              const char   *reason)
{
  g_autofree char *rel = rel_to_root (scan->root, path);
  return G_OBJECT (lean_spec_problem_new (path, rel, reason));
}

/* fstatat() of @path, relative to the open specs dir when @path is in
 * it: a full path is walked from / one component at a time, which for
 * thousands of spec folders is a good part of a cached scan. The same
 * components below the specs dir are walked either way, links followed
 * alike (the last one only without @flags' AT_SYMLINK_NOFOLLOW). */
static int
stat_in_tree (LeanSpecScan *scan,
              const char   *path,
              struct stat  *st,
              int           flags)
{
  gsize n = strlen (scan->specs_dir);

  if (scan->specs_fd >= 0 && strncmp (path, scan->specs_dir, n) == 0 &&
      path[n] == G_DIR_SEPARATOR && path[n + 1] != '\0')
    return fstatat (scan->specs_fd, path + n + 1, st, flags);
  return fstatat (AT_FDCWD, path, st, flags);
}

/* What reading a README told about it, for the folder's record. */
typedef struct
{
  gboolean known;        /* readme, key and len are set */
  LeanFileStamp readme;
  guint64 key;
  guint32 len;
} ReadmeInfo;

/* The README of the spec folder @dir (open as @dfd, or -1). @record, when
 * the folder's record has a trusted README stamp: if the file still has it
 * and the project reads on demand, the spec comes from the cache without
 * reading the file at all. */
static GObject *
read_spec (LeanSpecScan        *scan,
           LeanSpecCache       *cache,
           const char          *dir,
           int                  dfd,
           const char * const  *subs,
           const LeanDirRecord *record,
           ReadmeInfo          *info)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *readme = NULL;
  GBytes *cache_data = NULL;
  gsize offset = 0, size = 0;
  LeanSpec *spec;
  struct stat st;
  guint64 key;
  gsize len = 0;

  if (cache != NULL && record != NULL && (record->flags & LEAN_DIR_RECORD_README) &&
      scan->read_on_demand)
    {
      LeanFileStamp now;

      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      /* Not followed: a README that became a link is another inode. */
      if (stat_in_tree (scan, readme, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        {
          _lean_file_stamp_from_stat (&now, &st);
          if (_lean_file_stamp_equal (&now, &record->readme) &&
              _lean_spec_cache_stamp_trusted (cache, &now) &&
              _lean_spec_cache_lookup (cache, record->key, record->len,
                                       &cache_data, &offset, &size))
            {
              spec = _lean_spec_new_cached (scan->root, dir, NULL, record->len, subs,
                                            cache_data, offset, size);
              if (spec != NULL)
                {
                  _lean_spec_set_content_key (spec, record->key, record->len);
                  *info = (ReadmeInfo) { TRUE, now, record->key, record->len };
                  g_atomic_int_inc (&scan->unread);
                  return G_OBJECT (spec);
                }
              _lean_spec_cache_miss (cache);
            }
        }
      g_clear_pointer (&readme, g_free);
    }

  bytes = lean_file_read_at_in_project_stat (scan->root, dfd, dir, "README.md",
                                             LEAN_SPEC_MAX_README_SIZE, &st, &local_error);
  if (bytes == NULL)
    {
      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      return make_problem (scan, readme, local_error->message);
    }

  {
    const void *raw = g_bytes_get_data (bytes, &len);

    key = _lean_spec_cache_key (raw, len);
  }

  if (cache != NULL &&
      _lean_spec_cache_lookup (cache, key, len, &cache_data, &offset, &size))
    {
      spec = _lean_spec_new_cached (scan->root, dir, bytes, len, subs, cache_data, offset, size);
      if (spec == NULL)
        _lean_spec_cache_miss (cache);
    }
  else
    spec = NULL;

  if (spec == NULL)
    spec = _lean_spec_new (scan->root, dir, bytes, subs, &local_error);
  if (spec == NULL)
    {
      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      return make_problem (scan, readme, local_error->message);
    }
  _lean_spec_set_content_key (spec, key, len);
  if (len <= G_MAXUINT32)
    {
      info->known = TRUE;
      _lean_file_stamp_from_stat (&info->readme, &st);
      info->key = key;
      info->len = len;
    }
  return G_OBJECT (spec);
}

/* What a folder holds, from a listing or from its record. */
typedef struct
{
  gboolean has_readme;
  GPtrArray *mds;        /* char*, other .md files */
  char *link_out;        /* a spec file linked to outside: why not read */
  char *outside;         /* a folder linked to outside: why not entered */
} Listing;

/* Decides what the folder is and, for a spec folder when @read, reads it.
 * @record: the folder's trusted record, when the listing came from it. */
static void
finish_dir (LeanSpecScan        *scan,
            LeanSpecCache       *cache,
            DirJob              *job,
            gboolean             read,
            Listing             *listing,
            int                  dfd,
            const LeanDirRecord *record,
            ReadmeInfo          *info)
{
  gboolean candidate = job->depth > 0 && g_ascii_isdigit (job->base[0]);

  if (candidate && (listing->has_readme || listing->mds->len > 0))
    job->is_spec = TRUE;

  if (job->is_spec && read && listing->link_out != NULL)
    {
      g_autofree char *readme = g_build_filename (job->path, "README.md", NULL);
      job->result = make_problem (scan, readme, listing->link_out);
    }
  else if (read && listing->outside != NULL && !job->is_spec)
    job->result = make_problem (scan, job->path, listing->outside);
  else if (job->is_spec && read && !listing->has_readme)
    {
      g_autofree char *readme = g_build_filename (job->path, "README.md", NULL);
      job->result = make_problem (scan, readme,
                                  _("the spec folder has no README.md; "
                                    "add one or rename the folder"));
    }
  else if (job->is_spec && read)
    {
      g_ptr_array_sort (listing->mds, compare_strings);
      g_ptr_array_add (listing->mds, NULL);
      job->result = read_spec (scan, cache, job->path, dfd,
                               (const char * const *)listing->mds->pdata, record, info);
      g_ptr_array_remove_index (listing->mds, listing->mds->len - 1);
    }
}

/* The folder from its record, when its stamp is the one recorded: no
 * listing. Returns FALSE when it has to be listed after all. */
static gboolean
process_dir_from_record (LeanSpecScan  *scan,
                         LeanSpecCache *cache,
                         DirJob        *job,
                         gboolean       read)
{
  LeanDirRecord record;
  LeanFileStamp now;
  ReadmeInfo info = { FALSE, };
  Listing listing = { FALSE, };
  struct stat st;
  gsize index;
  gboolean kept;

  if (!_lean_spec_cache_lookup_dir (cache, job->path, &record, &index))
    return FALSE;
  if ((record.flags & LEAN_DIR_RECORD_LISTED) == 0 ||
      stat_in_tree (scan, job->path, &st, 0) != 0 || !S_ISDIR (st.st_mode))
    {
      _lean_dir_record_clear (&record);
      return FALSE;
    }
  _lean_file_stamp_from_stat (&now, &st);
  if (!_lean_file_stamp_equal (&now, &record.dir) || !_lean_spec_cache_stamp_trusted (cache, &now))
    {
      _lean_dir_record_clear (&record);
      return FALSE;
    }

  job->subdirs = g_array_new (FALSE, FALSE, sizeof (SubDir));
  g_array_set_clear_func (job->subdirs, sub_dir_clear);
  if (job->depth < MAX_SCAN_DEPTH)
    for (guint i = 0; record.subdirs[i] != NULL; i++)
      {
        SubDir sub = { g_strdup (record.subdirs[i]), NULL };
        g_array_append_val (job->subdirs, sub);
      }
  listing.has_readme = (record.flags & LEAN_DIR_RECORD_HAS_README) != 0;
  listing.mds = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; record.mds[i] != NULL; i++)
    g_ptr_array_add (listing.mds, g_strdup (record.mds[i]));

  finish_dir (scan, cache, job, read, &listing, -1, &record, &info);

  /* Unchanged unless the README was read and now says something else. */
  kept = !info.known ||
         ((record.flags & LEAN_DIR_RECORD_README) && info.key == record.key &&
          info.len == record.len && _lean_file_stamp_equal (&info.readme, &record.readme));
  if (kept)
    _lean_spec_cache_keep_dir (cache, index);
  else
    {
      record.flags &= ~LEAN_DIR_RECORD_README;
      if (_lean_spec_cache_stamp_trusted (cache, &info.readme))
        {
          record.flags |= LEAN_DIR_RECORD_README;
          record.readme = info.readme;
          record.key = info.key;
          record.len = info.len;
        }
      _lean_spec_cache_put_dir (cache, job->path, &record);
    }

  g_ptr_array_unref (listing.mds);
  _lean_dir_record_clear (&record);
  return TRUE;
}

/* Lists one folder; a spec folder is read too when @read. */
static void
process_dir (LeanSpecScan  *scan,
             LeanSpecCache *cache,
             DirJob        *job,
             gboolean       read)
{
  g_autoptr(GPtrArray) mds = NULL;
  gboolean has_readme = FALSE;
  gboolean candidate = job->depth > 0 && g_ascii_isdigit (job->base[0]);
  gboolean plain = TRUE;   /* only plain files and folders: the listing can be kept */
  g_autofree char *link_out = NULL;
  g_autofree char *outside = NULL;
  ReadmeInfo info = { FALSE, };
  LeanFileStamp dir_stamp;
  struct stat dir_st;
  struct dirent *ent;
  DIR *d;

  if (cache != NULL && process_dir_from_record (scan, cache, job, read))
    return;

  g_atomic_int_inc (&scan->listed);
  job->subdirs = g_array_new (FALSE, FALSE, sizeof (SubDir));
  g_array_set_clear_func (job->subdirs, sub_dir_clear);

  d = opendir (job->path);
  if (d == NULL)
    {
      int errsv = errno;

      if (job->depth > 0)
        {
          g_autofree char *reason = g_strdup_printf (_("cannot open the folder: %s"),
                                                     g_strerror (errsv));
          job->result = make_problem (scan, job->path, reason);
        }
      return;
    }

  /* Before reading the entries: a change while they are read leaves a
   * newer stamp on the folder than the one recorded. */
  if (cache == NULL || fstat (dirfd (d), &dir_st) != 0)
    plain = FALSE;
  else
    _lean_file_stamp_from_stat (&dir_stamp, &dir_st);

  mds = g_ptr_array_new_with_free_func (g_free);
  while ((ent = readdir (d)) != NULL)
    {
      const char *name = ent->d_name;
      gboolean is_dir = FALSE;
      gboolean is_reg = FALSE;
      SubDir sub = { NULL, NULL };

      if (name[0] == '.' || g_str_equal (name, "node_modules"))
        continue;

      /* The entry's type saves a stat for everything but links (and file
       * systems that do not fill it in). */
      if (ent->d_type == DT_DIR)
        is_dir = TRUE;
      else if (ent->d_type == DT_REG)
        is_reg = TRUE;
      else if (ent->d_type == DT_LNK || ent->d_type == DT_UNKNOWN)
        {
          plain = FALSE;
          g_autofree char *full = g_build_filename (job->path, name, NULL);
          struct stat st;

          if (g_stat (full, &st) == 0)
            {
              is_dir = S_ISDIR (st.st_mode);
              is_reg = S_ISREG (st.st_mode);
              if (is_dir && (ent->d_type == DT_LNK || g_file_test (full, G_FILE_TEST_IS_SYMLINK)))
                {
                  sub.real = realpath (full, NULL);
                  if (sub.real == NULL)
                    is_dir = FALSE;
                  else if (!_lean_spec_scan_path_within (sub.real, scan->root_real))
                    {
                      /* A folder linked in from outside is not the project's
                       * to read: say so once, in place of its specs. */
                      if (job->depth < MAX_SCAN_DEPTH && read && outside == NULL)
                        outside = g_strdup_printf (_("%s is a link to %s, outside the project; "
                                                     "LeanSpec reads only folders inside the "
                                                     "project: move it in or remove the link"),
                                                   name, sub.real);
                      g_clear_pointer (&sub.real, g_free);
                      is_dir = FALSE;
                    }
                }
              else if (is_reg && candidate && g_str_has_suffix (name, ".md")
                       && (ent->d_type == DT_LNK || g_file_test (full, G_FILE_TEST_IS_SYMLINK))
                       && !lean_file_is_in_project (scan->root_real, full))
                {
                  g_autofree char *real = realpath (full, NULL);

                  /* A spec file linked to one outside (/etc/passwd,
                   * /proc/self/environ) must reach neither a prompt nor a
                   * view: the whole spec becomes a problem that says why. */
                  g_free (link_out);
                  link_out = g_strdup_printf (_("%s is a link to %s, outside the project; "
                                                "LeanSpec reads only files inside the project: "
                                                "copy the file in or remove the link"),
                                              name, real ? real : "?");
                }
            }
        }

      else
        plain = FALSE;

      if (is_dir)
        {
          if (job->depth < MAX_SCAN_DEPTH)
            {
              sub.name = g_strdup (name);
              g_array_append_val (job->subdirs, sub);
            }
        }
      else if (is_reg && candidate && g_str_has_suffix (name, ".md"))
        {
          if (g_str_equal (name, "README.md"))
            has_readme = TRUE;
          else
            g_ptr_array_add (mds, g_strdup (name));
        }
    }

  g_array_sort (job->subdirs, compare_sub_dirs);

  {
    Listing listing = { has_readme, mds, link_out, outside };

    finish_dir (scan, cache, job, read, &listing, dirfd (d), NULL, &info);
  }

  /* A problem is looked at again next time: no record for it. */
  if (cache != NULL && (job->result == NULL || LEAN_IS_SPEC (job->result)))
    {
      LeanDirRecord record = { 0, };
      g_autofree const char **subdirs = g_new0 (const char *, job->subdirs->len + 1);

      for (guint i = 0; i < job->subdirs->len; i++)
        subdirs[i] = g_array_index (job->subdirs, SubDir, i).name;
      g_ptr_array_add (mds, NULL);
      record.subdirs = subdirs;
      record.mds = (const char **)mds->pdata;
      if (plain && _lean_spec_cache_stamp_trusted (cache, &dir_stamp))
        {
          record.flags |= LEAN_DIR_RECORD_LISTED;
          record.dir = dir_stamp;
        }
      if (has_readme)
        record.flags |= LEAN_DIR_RECORD_HAS_README;
      if (info.known && _lean_spec_cache_stamp_trusted (cache, &info.readme))
        {
          record.flags |= LEAN_DIR_RECORD_README;
          record.readme = info.readme;
          record.key = info.key;
          record.len = info.len;
        }
      if (record.flags & (LEAN_DIR_RECORD_LISTED | LEAN_DIR_RECORD_README))
        _lean_spec_cache_put_dir (cache, job->path, &record);
    }
  closedir (d);
}

static gpointer
worker_run (gpointer data)
{
  Level *l = data;

  for (;;)
    {
      guint i;

      if (g_cancellable_is_cancelled (l->cancellable))
        break;
      if (l->deadline != 0 && g_get_monotonic_time () >= l->deadline)
        break;
      i = (guint) g_atomic_int_add (&l->next, 1);
      if (i >= l->end)
        break;
      process_dir (l->scan, l->cache, g_ptr_array_index (l->jobs, i), l->read);
    }
  return NULL;
}

/* Runs jobs[@start, @end) on all cores, taking no new job after @deadline
 * (0: none). Returns where it stopped: every job before that is done. */
static guint
run_level (LeanSpecScan  *scan,
           GPtrArray     *jobs,
           guint          start,
           guint          end,
           gint64         deadline,
           gboolean       read,
           LeanSpecCache *cache,
           GCancellable  *cancellable)
{
  /* Two threads a core for a caller that waits for the whole result (a
   * command): every spec is a GObject, GLib 2.74's slice allocator refills
   * each thread's cache under one lock, and a thread that waits for it
   * would leave its core idle. One a core for a caller that shows specs as
   * they come (the window): its main thread must not queue behind more
   * threads than there are cores. */
  guint per_core = scan->func != NULL ? 1 : 2;
  guint n_threads = end - start >= 32 ? CLAMP (per_core * g_get_num_processors (), 1, 8) : 1;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Level level = { scan, jobs, (gint) start, end, deadline, read, cache, cancellable };

  for (guint t = 1; t < n_threads; t++)
    {
      GThread *thread = g_thread_try_new ("lean-scan", worker_run, &level, NULL);

      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  worker_run (&level);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  return MIN ((guint) g_atomic_int_get (&level.next), end);
}

/* Enter the symlinked folder whose real path is @real? */
static gboolean
follow_link (const char *tree_real,
             GPtrArray  *followed,
             const char *real)
{
  if (tree_real != NULL && _lean_spec_scan_path_within (real, tree_real))
    return FALSE; /* reached (or reachable) as a real folder */
  for (guint i = 0; i < followed->len; i++)
    if (_lean_spec_scan_path_within (real, g_ptr_array_index (followed, i)))
      return FALSE;
  g_ptr_array_add (followed, g_strdup (real));
  return TRUE;
}

/* Progressive loading: the first specs go out once FIRST_BATCH folders are
 * read or FIRST_BATCH_USEC have passed, whichever comes first, so a view
 * can show rows long before a large tree is read; later ones are handed on
 * at most every BATCH_INTERVAL_USEC, CHUNK folders being read between
 * checks. Each hand-over costs the receiver a model update, so there are
 * few of them. The first is small on purpose: GTK 4.8's list view makes a
 * row widget for up to 200 items before it knows how tall rows are, and
 * a window shows about 30. */
#define FIRST_BATCH 64
#define FIRST_BATCH_USEC (50 * 1000)
#define CHUNK 256
#define BATCH_INTERVAL_USEC (100 * 1000)

typedef struct
{
  LeanSpecsReadFunc func;
  gpointer user_data;
  GPtrArray *pending;   /* LeanSpec read since the last hand-over */
  gint64 first_deadline;
  gint64 last_sent;     /* 0 until the first hand-over */
} Progress;

static void
progress_flush (Progress *p)
{
  p->last_sent = g_get_monotonic_time ();
  p->func (g_steal_pointer (&p->pending), p->user_data);
  p->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Hands on what was read if it is time to; @more says whether anything is
 * left to read (the last specs go out with the whole result instead). */
static void
progress_maybe_flush (Progress *p,
                      gboolean  more)
{
  gint64 now;

  if (p == NULL || p->pending->len == 0 || !more)
    return;
  now = g_get_monotonic_time ();
  if (p->last_sent == 0)
    {
      if (p->pending->len >= FIRST_BATCH || now >= p->first_deadline)
        progress_flush (p);
    }
  else if (now - p->last_sent >= BATCH_INTERVAL_USEC)
    progress_flush (p);
}

/* Walks the specs dir. Results (LeanSpec / LeanSpecProblem) go to @results
 * when @read, spec folder paths to @spec_dirs, every folder entered to
 * @dirs (each may be NULL). With @progress (and @read), specs are handed
 * on to it while the walk goes on. */
static gboolean
walk (LeanSpecScan  *scan,
      gboolean       read,
      LeanSpecCache *cache,
      GPtrArray     *results,
      GPtrArray     *spec_dirs,
      GPtrArray     *dirs,
      Progress      *progress,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autoptr(GPtrArray) followed = NULL;
  g_autoptr(GPtrArray) level = NULL;
  g_autofree char *tree_real = NULL;

  if (!g_file_test (scan->specs_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
                   _("the specs folder %s does not exist; create it or fix \"specsDir\" "
                     "in .lean-spec/config.json"), scan->specs_dir);
      return FALSE;
    }

  if (!read || results == NULL)
    progress = NULL;

  tree_real = realpath (scan->specs_dir, NULL);
  if (tree_real != NULL && !_lean_spec_scan_path_within (tree_real, scan->root_real))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
                   _("the specs folder %s is a link to %s, outside the project; LeanSpec "
                     "reads only folders inside the project"), scan->specs_dir, tree_real);
      return FALSE;
    }
  followed = g_ptr_array_new_with_free_func (g_free);
  level = g_ptr_array_new_with_free_func (dir_job_free);
  g_ptr_array_add (level, dir_job_new (g_strdup (scan->specs_dir), 0));

  while (level->len > 0)
    {
      g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (dir_job_free);
      guint done = 0;

      /* A level is read in chunks only when there is someone to hand the
       * first specs to; otherwise all at once. */
      while (done < level->len)
        {
          guint end = level->len;
          gint64 deadline = 0;
          guint stop;

          if (progress != NULL && progress->last_sent == 0)
            {
              guint want = FIRST_BATCH - MIN (progress->pending->len, FIRST_BATCH - 1);

              end = MIN (done + want, level->len);
              if (g_get_monotonic_time () < progress->first_deadline)
                deadline = progress->first_deadline;
            }
          else if (progress != NULL)
            end = MIN (done + CHUNK, level->len);

          stop = run_level (scan, level, done, end, deadline, read, cache, cancellable);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;

          for (guint i = done; i < stop; i++)
            {
              DirJob *job = g_ptr_array_index (level, i);

              if (job->result == NULL || results == NULL)
                continue;
              if (progress != NULL && LEAN_IS_SPEC (job->result))
                g_ptr_array_add (progress->pending, g_object_ref (job->result));
              g_ptr_array_add (results, g_steal_pointer (&job->result));
            }
          done = stop;

          if (progress != NULL)
            {
              /* More to read: the rest of this level or sub-folders. */
              gboolean more = done < level->len;

              for (guint i = 0; !more && i < level->len; i++)
                more = ((DirJob *) g_ptr_array_index (level, i))->subdirs->len > 0;
              progress_maybe_flush (progress, more);
            }
        }

      for (guint i = 0; i < level->len; i++)
        {
          DirJob *job = g_ptr_array_index (level, i);

          if (dirs != NULL)
            g_ptr_array_add (dirs, g_strdup (job->path));
          if (job->is_spec && spec_dirs != NULL)
            g_ptr_array_add (spec_dirs, g_strdup (job->path));

          for (guint j = 0; j < job->subdirs->len; j++)
            {
              const SubDir *sub = &g_array_index (job->subdirs, SubDir, j);

              if (sub->real != NULL && !follow_link (tree_real, followed, sub->real))
                continue;
              g_ptr_array_add (next, dir_job_new (join_path (job->path, sub->name),
                                                  job->depth + 1));
            }
        }

      g_ptr_array_unref (level);
      level = g_steal_pointer (&next);
    }

  return TRUE;
}

gboolean
_lean_spec_scan_run (LeanSpecScan  *scan,
                     gboolean       read,
                     GPtrArray     *results,
                     GPtrArray     *spec_dirs,
                     GPtrArray     *dirs,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Progress progress = { 0, };
  gboolean ok;

  if (scan->func != NULL)
    {
      progress.func = scan->func;
      progress.user_data = scan->user_data;
      progress.pending = g_ptr_array_new_with_free_func (g_object_unref);
      progress.first_deadline = g_get_monotonic_time () + FIRST_BATCH_USEC;
    }
  /* A specs dir replaced during the walk is the one replaced either way:
   * every folder of the walk was found by listing the old one. */
  scan->specs_fd = open (scan->specs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok = walk (scan, read, scan->cache, results, spec_dirs, dirs,
             scan->func != NULL ? &progress : NULL, cancellable, error);
  if (scan->specs_fd >= 0)
    close (scan->specs_fd);
  scan->specs_fd = -1;
  g_clear_pointer (&progress.pending, g_ptr_array_unref);
  return ok;
}
