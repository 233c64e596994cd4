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
#include <json-glib/json-glib.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-frontmatter.h"
#include "lean-json.h"
#include "lean-project-private.h"
#include "lean-spec-cache.h"
#include "lean-spec-private.h"
#include "lean-timestamp.h"

/* How deep below the specs dir spec folders are looked for:
 * specs/NNN-x (1), specs/archived/NNN-x (2), specs/group/archived/NNN-x (3). */
#define MAX_SCAN_DEPTH 3

/* config.json and templates are small; more is refused. */
#define MAX_CONFIG_SIZE (1024 * 1024)

/* LeanSpec's own default template (spec-template.md of `leanspec init`). */
static const char default_template[] =
  "---\n"
  "status: planned\n"
  "created: '{date}'\n"
  "tags: []\n"
  "priority: medium\n"
  "---\n"
  "\n"
  "# {name}\n"
  "\n"
  "> **Status**: {status} · **Priority**: {priority} · **Created**: {date}\n"
  "\n"
  "## Overview\n"
  "\n"
  "<!-- What are we solving? Why now? -->\n"
  "\n"
  "## Design\n"
  "\n"
  "<!-- Technical approach, architecture decisions -->\n"
  "\n"
  "## Plan\n"
  "\n"
  "<!-- Break down implementation into steps -->\n"
  "\n"
  "<!-- 💡 TIP: If your plan has >6 phases or this spec approaches \n"
  "     400 lines, consider using sub-spec files:\n"
  "     - IMPLEMENTATION.md for detailed implementation\n"
  "     - See spec 012-sub-spec-files for guidance on splitting -->\n"
  "\n"
  "- [ ] Task 1\n"
  "- [ ] Task 2\n"
  "- [ ] Task 3\n"
  "\n"
  "## Test\n"
  "\n"
  "<!-- How will we verify this works? -->\n"
  "\n"
  "- [ ] Test criteria 1\n"
  "- [ ] Test criteria 2\n"
  "\n"
  "## Notes\n"
  "\n"
  "<!-- Optional: Research findings, alternatives considered, open questions -->\n";

struct _LeanProject
{
  GObject parent_instance;

  char *root;
  char *root_real;      /* realpath of root: what project files must stay in */
  char *specs_dir;
  char *name;
  /* config.json flattened: "templates.default" -> "spec-template.md" */
  GHashTable *config;
  /* Specs made from the cache without reading their README (their stamp
   * was unchanged): what the CLI wants, not the app (see the header). */
  gboolean read_on_demand;
  /* Of the last load, for tests and benchmarks. */
  gint cache_hits;
  gint cache_misses;
  gint listed;          /* folders listed (not known from their record) */
  gint unread;          /* specs whose README was not read */
};

G_DEFINE_FINAL_TYPE (LeanProject, lean_project, G_TYPE_OBJECT)

static void
lean_project_finalize (GObject *object)
{
  LeanProject *self = (LeanProject *)object;

  g_free (self->root);
  g_free (self->root_real);
  g_free (self->specs_dir);
  g_free (self->name);
  g_clear_pointer (&self->config, g_hash_table_unref);

  G_OBJECT_CLASS (lean_project_parent_class)->finalize (object);
}

static void
lean_project_class_init (LeanProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lean_project_finalize;
}

static void
lean_project_init (LeanProject *self)
{
}

static void
flatten_json (GHashTable *table,
              const char *prefix,
              JsonNode   *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *obj = json_node_get_object (node);
        JsonObjectIter iter;
        const char *member;
        JsonNode *child;

        json_object_iter_init (&iter, obj);
        while (json_object_iter_next (&iter, &member, &child))
          {
            g_autofree char *key = prefix ? g_strconcat (prefix, ".", member, NULL)
                                          : g_strdup (member);
            flatten_json (table, key, child);
          }
      }
      break;

    case JSON_NODE_VALUE:
      if (prefix == NULL)
        break;
      switch (json_node_get_value_type (node) == G_TYPE_STRING ? 0 :
              json_node_get_value_type (node) == G_TYPE_BOOLEAN ? 1 : 2)
        {
        case 0:
          g_hash_table_insert (table, g_strdup (prefix), g_strdup (json_node_get_string (node)));
          break;
        case 1:
          g_hash_table_insert (table, g_strdup (prefix),
                               g_strdup (json_node_get_boolean (node) ? "true" : "false"));
          break;
        default:
          if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];
              g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node));
              g_hash_table_insert (table, g_strdup (prefix), g_strdup (buf));
            }
          else
            g_hash_table_insert (table, g_strdup (prefix),
                                 g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)));
        }
      break;

    case JSON_NODE_ARRAY:
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static GHashTable *
load_config (const char  *root,
             const char  *path,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root_node = NULL;
  GHashTable *table;
  gsize len;
  const char *data;

  bytes = lean_file_read_in_project (root, path, MAX_CONFIG_SIZE, NULL, &local_error);
  data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  if (bytes != NULL)
    root_node = lean_json_parse (data, len, 0, &local_error);
  if (root_node == NULL && (bytes == NULL || len > 0))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s is not valid JSON: %s; fix or remove it"), path, local_error->message);
      return NULL;
    }

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (root_node != NULL && JSON_NODE_HOLDS_OBJECT (root_node))
    flatten_json (table, NULL, root_node);
  return table;
}

/* Is @path @root itself or inside it? */
static gboolean
path_within (const char *path,
             const char *root)
{
  gsize n = strlen (root);

  return strncmp (path, root, n) == 0 && (path[n] == '\0' || path[n] == G_DIR_SEPARATOR);
}

static char *
real_or_copy (const char *path)
{
  char *real = realpath (path, NULL);

  return real != NULL ? real : g_strdup (path);
}

LeanProject *
lean_project_open (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_canonicalize_filename (path, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      char *parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }

  for (;;)
    {
      g_autofree char *config = g_build_filename (dir, ".lean-spec", "config.json", NULL);
      g_autofree char *specs = g_build_filename (dir, "specs", NULL);
      g_autofree char *parent = NULL;

      if (g_file_test (config, G_FILE_TEST_IS_REGULAR))
        {
          g_autoptr(LeanProject) self = g_object_new (LEAN_TYPE_PROJECT, NULL);
          const char *specs_dir;

          self->config = load_config (dir, config, error);
          if (self->config == NULL)
            return NULL;
          self->root = g_strdup (dir);
          self->root_real = real_or_copy (dir);
          self->name = g_path_get_basename (dir);
          specs_dir = g_hash_table_lookup (self->config, "specsDir");
          if (specs_dir == NULL || *specs_dir == '\0')
            specs_dir = "specs";
          self->specs_dir = g_canonicalize_filename (specs_dir, dir);
          /* The walk checks the real path again (a specs folder that is a
           * link out); this catches "/etc" and "../.." at once. */
          if (g_path_is_absolute (specs_dir) || !path_within (self->specs_dir, dir))
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("\"specsDir\" in %s is “%s”, which is not a folder inside the "
                             "project; set it to a relative path such as \"specs\""),
                           config, specs_dir);
              return NULL;
            }
          return g_steal_pointer (&self);
        }

      if (g_file_test (specs, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(LeanProject) self = g_object_new (LEAN_TYPE_PROJECT, NULL);

          self->root = g_strdup (dir);
          self->root_real = real_or_copy (dir);
          self->name = g_path_get_basename (dir);
          self->specs_dir = g_steal_pointer (&specs);
          return g_steal_pointer (&self);
        }

      parent = g_path_get_dirname (dir);
      if (g_str_equal (parent, dir))
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
               _("no LeanSpec project found at %s or above it "
               "(looked for .lean-spec/config.json or a specs/ folder); run `leanspec init` there"),
               path);
  return NULL;
}

const char *
lean_project_get_root (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->root;
}

const char *
lean_project_get_specs_dir (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->specs_dir;
}

const char *
lean_project_get_name (LeanProject *self)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
lean_project_get_config_string (LeanProject *self,
                                const char  *key)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->config == NULL)
    return NULL;
  return g_hash_table_lookup (self->config, key);
}

/* ---- scanning --------------------------------------------------------- */

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
  LeanProject *self;
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

static DirJob *
dir_job_new (const char *path,
             guint       depth)
{
  DirJob *job = g_new0 (DirJob, 1);
  const char *slash;

  job->path = g_strdup (path);
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
make_problem (LeanProject *self,
              const char  *path,
              const char  *reason)
{
  g_autofree char *rel = rel_to_root (self->root, path);
  return G_OBJECT (lean_spec_problem_new (path, rel, reason));
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
read_spec (LeanProject         *self,
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
      self->read_on_demand)
    {
      LeanFileStamp now;

      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      /* Not followed: a README that became a link is another inode. */
      if (fstatat (AT_FDCWD, readme, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        {
          _lean_file_stamp_from_stat (&now, &st);
          if (_lean_file_stamp_equal (&now, &record->readme) &&
              _lean_spec_cache_stamp_trusted (cache, &now) &&
              _lean_spec_cache_lookup (cache, record->key, record->len,
                                       &cache_data, &offset, &size))
            {
              spec = _lean_spec_new_cached (self->root, dir, NULL, record->len, subs,
                                            cache_data, offset, size);
              if (spec != NULL)
                {
                  _lean_spec_set_content_key (spec, record->key, record->len);
                  *info = (ReadmeInfo) { TRUE, now, record->key, record->len };
                  g_atomic_int_inc (&self->unread);
                  return G_OBJECT (spec);
                }
              _lean_spec_cache_miss (cache);
            }
        }
      g_clear_pointer (&readme, g_free);
    }

  bytes = lean_file_read_at_in_project_stat (self->root, dfd, dir, "README.md",
                                             LEAN_SPEC_MAX_README_SIZE, &st, &local_error);
  if (bytes == NULL)
    {
      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      return make_problem (self, readme, local_error->message);
    }

  {
    const void *raw = g_bytes_get_data (bytes, &len);

    key = _lean_spec_cache_key (raw, len);
  }

  if (cache != NULL &&
      _lean_spec_cache_lookup (cache, key, len, &cache_data, &offset, &size))
    {
      spec = _lean_spec_new_cached (self->root, dir, bytes, len, subs, cache_data, offset, size);
      if (spec == NULL)
        _lean_spec_cache_miss (cache);
    }
  else
    spec = NULL;

  if (spec == NULL)
    spec = _lean_spec_new (self->root, dir, bytes, subs, &local_error);
  if (spec == NULL)
    {
      readme = g_strconcat (dir, G_DIR_SEPARATOR_S "README.md", NULL);
      return make_problem (self, readme, local_error->message);
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
finish_dir (LeanProject         *self,
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
      job->result = make_problem (self, readme, listing->link_out);
    }
  else if (read && listing->outside != NULL && !job->is_spec)
    job->result = make_problem (self, job->path, listing->outside);
  else if (job->is_spec && read && !listing->has_readme)
    {
      g_autofree char *readme = g_build_filename (job->path, "README.md", NULL);
      job->result = make_problem (self, readme,
                                  _("the spec folder has no README.md; "
                                    "add one or rename the folder"));
    }
  else if (job->is_spec && read)
    {
      g_ptr_array_sort (listing->mds, compare_strings);
      g_ptr_array_add (listing->mds, NULL);
      job->result = read_spec (self, cache, job->path, dfd,
                               (const char * const *)listing->mds->pdata, record, info);
      g_ptr_array_remove_index (listing->mds, listing->mds->len - 1);
    }
}

/* The folder from its record, when its stamp is the one recorded: no
 * listing. Returns FALSE when it has to be listed after all. */
static gboolean
process_dir_from_record (LeanProject   *self,
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
      stat (job->path, &st) != 0 || !S_ISDIR (st.st_mode))
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

  finish_dir (self, cache, job, read, &listing, -1, &record, &info);

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
process_dir (LeanProject   *self,
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

  if (cache != NULL && process_dir_from_record (self, cache, job, read))
    return;

  g_atomic_int_inc (&self->listed);
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
          job->result = make_problem (self, job->path, reason);
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
                  else if (!path_within (sub.real, self->root_real))
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
                       && !lean_file_is_in_project (self->root_real, full))
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

    finish_dir (self, cache, job, read, &listing, dirfd (d), NULL, &info);
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
      process_dir (l->self, l->cache, g_ptr_array_index (l->jobs, i), l->read);
    }
  return NULL;
}

/* Runs jobs[@start, @end) on all cores, taking no new job after @deadline
 * (0: none). Returns where it stopped: every job before that is done. */
static guint
run_level (LeanProject   *self,
           GPtrArray     *jobs,
           guint          start,
           guint          end,
           gint64         deadline,
           gboolean       read,
           LeanSpecCache *cache,
           GCancellable  *cancellable)
{
  guint n_threads = end - start >= 32 ? CLAMP (g_get_num_processors (), 1, 8) : 1;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Level level = { self, jobs, (gint) start, end, deadline, read, cache, cancellable };

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
  if (tree_real != NULL && path_within (real, tree_real))
    return FALSE; /* reached (or reachable) as a real folder */
  for (guint i = 0; i < followed->len; i++)
    if (path_within (real, g_ptr_array_index (followed, i)))
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
walk (LeanProject   *self,
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

  if (!g_file_test (self->specs_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
                   _("the specs folder %s does not exist; create it or fix \"specsDir\" "
                     "in .lean-spec/config.json"), self->specs_dir);
      return FALSE;
    }

  if (!read || results == NULL)
    progress = NULL;

  tree_real = realpath (self->specs_dir, NULL);
  if (tree_real != NULL && !path_within (tree_real, self->root_real))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NO_PROJECT,
                   _("the specs folder %s is a link to %s, outside the project; LeanSpec "
                     "reads only folders inside the project"), self->specs_dir, tree_real);
      return FALSE;
    }
  followed = g_ptr_array_new_with_free_func (g_free);
  level = g_ptr_array_new_with_free_func (dir_job_free);
  g_ptr_array_add (level, dir_job_new (self->specs_dir, 0));

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

          stop = run_level (self, level, done, end, deadline, read, cache, cancellable);
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
              g_autofree char *full = NULL;

              if (sub->real != NULL && !follow_link (tree_real, followed, sub->real))
                continue;
              full = g_build_filename (job->path, sub->name, NULL);
              g_ptr_array_add (next, dir_job_new (full, job->depth + 1));
            }
        }

      g_ptr_array_unref (level);
      level = g_steal_pointer (&next);
    }

  return TRUE;
}

static int
compare_specs (gconstpointer a,
               gconstpointer b)
{
  LeanSpec *sa = *(LeanSpec **)a;
  LeanSpec *sb = *(LeanSpec **)b;
  guint na = lean_spec_get_number (sa);
  guint nb = lean_spec_get_number (sb);

  if (na != nb)
    return na < nb ? -1 : 1;
  return strcmp (lean_spec_get_id (sa), lean_spec_get_id (sb));
}

GPtrArray *
lean_project_load_specs (LeanProject   *self,
                         GPtrArray    **problems,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  return _lean_project_load_specs_full (self, problems, NULL, cancellable, error);
}

GPtrArray *
_lean_project_load_specs_full (LeanProject   *self,
                               GPtrArray    **problems,
                               GPtrArray    **dirs,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return _lean_project_load_specs_progressive (self, NULL, NULL, problems, dirs,
                                               cancellable, error);
}

GPtrArray *
_lean_project_load_specs_progressive (LeanProject        *self,
                                      LeanSpecsReadFunc   func,
                                      gpointer            user_data,
                                      GPtrArray         **problems,
                                      GPtrArray         **dirs,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  Progress progress = { 0, };
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) probs = NULL;
  g_autoptr(GPtrArray) seen_dirs = NULL;
  LeanSpecCache *cache;
  gboolean ok;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  results = g_ptr_array_new_with_free_func (g_object_unref);
  if (dirs != NULL)
    seen_dirs = g_ptr_array_new_with_free_func (g_free);

  cache = _lean_spec_cache_open (self->specs_dir);
  g_atomic_int_set (&self->listed, 0);
  g_atomic_int_set (&self->unread, 0);
  if (func != NULL)
    {
      progress.func = func;
      progress.user_data = user_data;
      progress.pending = g_ptr_array_new_with_free_func (g_object_unref);
      progress.first_deadline = g_get_monotonic_time () + FIRST_BATCH_USEC;
    }
  ok = walk (self, TRUE, cache, results, NULL, seen_dirs, func != NULL ? &progress : NULL,
             cancellable, error);
  g_clear_pointer (&progress.pending, g_ptr_array_unref);
  if (!ok)
    {
      _lean_spec_cache_free (cache);
      return NULL;
    }

  specs = g_ptr_array_new_full (results->len, g_object_unref);
  probs = g_ptr_array_new_with_free_func (g_object_unref);
  /* Every reference moves to specs or probs. */
  g_ptr_array_set_free_func (results, NULL);
  for (guint i = 0; i < results->len; i++)
    {
      GObject *obj = g_ptr_array_index (results, i);

      if (LEAN_IS_SPEC (obj))
        g_ptr_array_add (specs, obj);
      else
        g_ptr_array_add (probs, obj);
    }

  g_ptr_array_sort (specs, compare_specs);

  g_atomic_int_set (&self->cache_hits, 0);
  g_atomic_int_set (&self->cache_misses, 0);
  if (cache != NULL)
    {
      guint hits = 0, misses = 0;

      _lean_spec_cache_get_stats (cache, &hits, &misses);
      g_atomic_int_set (&self->cache_hits, hits);
      g_atomic_int_set (&self->cache_misses, misses);
      _lean_spec_cache_save (cache, specs);
      _lean_spec_cache_free (cache);
    }

  if (problems != NULL)
    *problems = g_steal_pointer (&probs);
  if (dirs != NULL)
    *dirs = g_steal_pointer (&seen_dirs);
  return g_steal_pointer (&specs);
}

/* ---- lookups ---------------------------------------------------------- */

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static void
set_ambiguous (GError     **error,
               const char  *ref,
               GPtrArray   *matches)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < matches->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (matches, i);
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, lean_spec_get_rel_path (spec));
    }
  g_set_error (error, LEAN_ERROR, LEAN_ERROR_AMBIGUOUS,
               _("\"%s\" matches %u specs: %s; use the full folder name"),
               ref, matches->len, names->str);
  g_string_free (names, TRUE);
}

LeanSpec *
lean_project_find_spec (LeanProject  *self,
                        GPtrArray    *specs,
                        const char   *ref,
                        GError      **error)
{
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  gsize len;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (specs != NULL, NULL);
  g_return_val_if_fail (ref != NULL, NULL);

  key = g_strstrip (g_strdup (ref));
  /* Accept a path typed by a person: specs/042-foo/, 042-foo/README.md */
  len = strlen (key);
  while (len > 0 && key[len - 1] == G_DIR_SEPARATOR)
    key[--len] = '\0';
  if (g_str_has_suffix (key, G_DIR_SEPARATOR_S "README.md"))
    key[len - strlen ("/README.md")] = '\0';
  if (strchr (key, G_DIR_SEPARATOR) != NULL)
    {
      char *base = g_path_get_basename (key);
      g_free (key);
      key = base;
    }

  if (*key == '\0')
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND, _("no spec given"));
      return NULL;
    }

  matches = g_ptr_array_new ();

  if (all_digits (key))
    {
      guint64 n = g_ascii_strtoull (key, NULL, 10);

      for (guint i = 0; i < specs->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (specs, i);
          if (lean_spec_get_number (spec) == n)
            g_ptr_array_add (matches, spec);
        }
    }
  else
    {
      for (guint i = 0; i < specs->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (specs, i);
          if (g_str_equal (lean_spec_get_id (spec), key))
            g_ptr_array_add (matches, spec);
        }
      if (matches->len == 0)
        for (guint i = 0; i < specs->len; i++)
          {
            LeanSpec *spec = g_ptr_array_index (specs, i);
            if (g_str_equal (lean_spec_get_slug (spec), key))
              g_ptr_array_add (matches, spec);
          }
    }

  if (matches->len == 1)
    return g_ptr_array_index (matches, 0);
  if (matches->len > 1)
    {
      set_ambiguous (error, ref, matches);
      return NULL;
    }

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
               _("no spec matches \"%s\"; give a number (42), a folder name (042-foo) or a slug"),
               ref);
  return NULL;
}

static gboolean
parent_matches (const char *parent,
                LeanSpec   *spec)
{
  g_autofree char *base = NULL;

  if (parent == NULL)
    return FALSE;
  base = g_path_get_basename (parent);
  if (g_str_equal (base, lean_spec_get_id (spec)) || g_str_equal (base, lean_spec_get_slug (spec)))
    return TRUE;
  if (all_digits (base))
    return g_ascii_strtoull (base, NULL, 10) == lean_spec_get_number (spec);
  return FALSE;
}

GPtrArray *
lean_project_get_children (LeanProject *self,
                           GPtrArray   *specs,
                           LeanSpec    *spec)
{
  GPtrArray *children;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (specs != NULL, NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  children = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *other = g_ptr_array_index (specs, i);

      if (other != spec && parent_matches (lean_spec_get_parent (other), spec))
        g_ptr_array_add (children, g_object_ref (other));
    }
  return children;
}

guint
lean_project_next_number (LeanProject *self)
{
  g_autoptr(GPtrArray) spec_dirs = NULL;
  guint64 max = 0;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), 1);

  spec_dirs = g_ptr_array_new_with_free_func (g_free);
  if (!walk (self, FALSE, NULL, NULL, spec_dirs, NULL, NULL, NULL, NULL))
    return 1;

  for (guint i = 0; i < spec_dirs->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (spec_dirs, i));
      guint64 n = g_ascii_strtoull (base, NULL, 10);

      if (n > max && n < G_MAXUINT)
        max = n;
    }
  return max + 1;
}

/* ---- creating --------------------------------------------------------- */

static gboolean
valid_name (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, ".") || g_str_equal (name, "..") ||
      name[0] == '.' || name[0] == '-')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\' || g_ascii_isspace (*p) || (guchar)*p < 0x20 ||
        strchr (":*?\"<>|", *p) != NULL)
      return FALSE;
  return g_utf8_validate (name, -1, NULL);
}

static char *
title_from_name (const char *name)
{
  g_auto(GStrv) words = g_strsplit_set (name, "-_", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append_c (s, g_ascii_toupper (words[i][0]));
      g_string_append (s, words[i] + 1);
    }
  return g_string_free (s, FALSE);
}

static char *
load_template (LeanProject  *self,
               GError      **error)
{
  const char *name = lean_project_get_config_string (self, "template");
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text = NULL;

  if (name == NULL)
    name = lean_project_get_config_string (self, "templates.default");

  if (name != NULL)
    {
      path = g_build_filename (self->root, ".lean-spec", "templates", name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          char *readme = g_build_filename (path, "README.md", NULL);
          g_free (path);
          path = readme;
        }
    }
  else
    {
      path = g_build_filename (self->root, ".lean-spec", "templates", "spec-template.md", NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_strdup (default_template);
    }

  /* The name comes from the project's config.json: "../../../etc/passwd"
   * or a link out must not become the body of a new spec. */
  bytes = lean_file_read_in_project (self->root, path, MAX_CONFIG_SIZE, NULL, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                   _("cannot read the spec template %s: %s; fix \"template\" in "
                   ".lean-spec/config.json"), path, local_error->message);
      return NULL;
    }
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return text;
}

static char *
replace_all (const char *text,
             const char *needle,
             const char *replacement)
{
  g_auto(GStrv) parts = g_strsplit (text, needle, -1);
  return g_strjoinv (replacement, parts);
}

LeanSpec *
lean_project_create_spec (LeanProject         *self,
                          const char          *name,
                          const char          *title,
                          LeanSpecPriority     priority,
                          const char * const  *tags,
                          GError             **error)
{
  g_autofree char *template = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *the_title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *now = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) tbytes = NULL;
  g_autoptr(LeanFrontmatter) tfm = NULL;
  GString *out;
  const char *digits_str;
  const char *prio_str;
  guint digits = 3;
  guint number;

  g_return_val_if_fail (LEAN_IS_PROJECT (self), NULL);

  if (!valid_name (name))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("\"%s\" cannot be a spec name; use letters, digits and dashes (my-feature)"),
                   name ? name : "");
      return NULL;
    }

  template = load_template (self, error);
  if (template == NULL)
    return NULL;

  digits_str = lean_project_get_config_string (self, "structure.sequenceDigits");
  if (digits_str != NULL && all_digits (digits_str))
    digits = CLAMP (atoi (digits_str), 1, 9);

  if (g_mkdir_with_parents (self->specs_dir, 0755) != 0)
    {
      int errsv = errno;
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, _("cannot create %s: %s"),
                   self->specs_dir, g_strerror (errsv));
      return NULL;
    }

  /* mkdir is the claim on the number: if someone else just took the same
   * folder name, take the next number. */
  number = lean_project_next_number (self);
  for (guint attempt = 0;; attempt++, number++)
    {
      int errsv;

      g_free (folder);
      g_free (dir);
      folder = g_strdup_printf ("%0*u-%s", (int)digits, number, name);
      dir = g_build_filename (self->specs_dir, folder, NULL);
      if (g_mkdir (dir, 0755) == 0)
        break;

      errsv = errno;
      if (errsv != EEXIST || attempt >= 10)
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, _("cannot create %s: %s"),
                       dir, g_strerror (errsv));
          return NULL;
        }
    }

  the_title = (title && *title) ? g_strdup (title) : title_from_name (name);
  if (priority == LEAN_SPEC_PRIORITY_NONE)
    priority = LEAN_SPEC_PRIORITY_MEDIUM;
  prio_str = lean_spec_priority_to_string (priority);
  today = g_date_time_new_now_local ();
  date = g_date_time_format (today, "%Y-%m-%d");
  now = lean_timestamp_now ();

  /* The template's own front matter is replaced by the one LeanSpec writes
   * (same keys, same order); its body is kept with the placeholders filled. */
  tbytes = g_bytes_new_static (template, strlen (template));
  tfm = lean_frontmatter_parse (tbytes, NULL);
  body = g_strdup (tfm ? template + lean_frontmatter_get_body_offset (tfm) : template);
  {
    char *tmp;
    tmp = replace_all (body, "{name}", the_title); g_free (body); body = tmp;
    tmp = replace_all (body, "{title}", the_title); g_free (body); body = tmp;
    tmp = replace_all (body, "{date}", date); g_free (body); body = tmp;
    tmp = replace_all (body, "{status}", "planned"); g_free (body); body = tmp;
    tmp = replace_all (body, "{priority}", prio_str); g_free (body); body = tmp;
  }

  out = g_string_new ("---\n");
  g_string_append (out, "status: planned\n");
  g_string_append_printf (out, "created: %s\n", date);
  g_string_append_printf (out, "priority: %s\n", prio_str);
  if (tags != NULL && tags[0] != NULL)
    {
      g_string_append (out, "tags:\n");
      for (guint i = 0; tags[i] != NULL; i++)
        {
          g_autofree char *q = lean_frontmatter_quote_scalar (tags[i]);
          g_string_append_printf (out, "- %s\n", q);
        }
    }
  g_string_append_printf (out, "created_at: %s\n", now);
  g_string_append_printf (out, "updated_at: %s\n", now);
  g_string_append (out, "---\n");
  g_string_append (out, body);

  bytes = g_string_free_to_bytes (out);
  readme = g_build_filename (dir, "README.md", NULL);
  if (!lean_file_write_in_project (self->root, readme, bytes, NULL, error))
    {
      g_rmdir (dir);
      return NULL;
    }

  return lean_spec_new_from_dir (self->root, dir, error);
}

void
_lean_project_get_cache_stats (LeanProject *self,
                               guint       *hits,
                               guint       *misses)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  if (hits)
    *hits = g_atomic_int_get (&self->cache_hits);
  if (misses)
    *misses = g_atomic_int_get (&self->cache_misses);
}

void
_lean_project_get_scan_stats (LeanProject *self,
                              guint       *listed,
                              guint       *unread)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  if (listed)
    *listed = g_atomic_int_get (&self->listed);
  if (unread)
    *unread = g_atomic_int_get (&self->unread);
}

void
_lean_project_set_read_on_demand (LeanProject *self,
                                  gboolean     read_on_demand)
{
  g_return_if_fail (LEAN_IS_PROJECT (self));

  self->read_on_demand = read_on_demand;
}
