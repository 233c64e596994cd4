/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "lean-error.h"
#include "lean-project-private.h"
#include "lean-spec-problem.h"
#include "lean-spec-store.h"
#include "lean-tokens.h"

/* Editors and our own writer make bursts of events (temp file, write,
 * rename): one reload per burst. */
#define RELOAD_DELAY_MS 300

/* Loading is background work: its threads run this much nicer than the
 * UI thread, so frames and input keep their turn on busy cores (with
 * autogroup scheduling this weighs only against the app's own threads and
 * its X server, not against other programs). Measured with
 * bench/bench-ui-load: longest main-loop stalls about halved. */
#define LOAD_NICE 5

struct _LeanSpecStore
{
  GObject parent_instance;

  LeanProject *project;
  GPtrArray *items;         /* LeanSpec, sorted by number then id */
  GHashTable *by_id;        /* id -> LeanSpec (borrowed from items) */
  GListStore *problems;

  GCancellable *cancellable; /* of the load in flight */
  guint n_loading;
  gboolean watching;
  gboolean reload_pending;  /* a change arrived while loading */
  guint reload_source;
  GHashTable *monitors;     /* dir path -> GFileMonitor */
  GPtrArray *pending_monitors; /* dirs still to watch */
  guint monitors_source;
  GPtrArray *dirs;          /* dirs seen by the last scan */
  GPtrArray *waiters;       /* load_async callers whose load was superseded */
  guint replace_serial;     /* bumped by every replace() */
  GHashTable *edits;        /* spec id -> GQueue of edit GTasks, head running */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanSpecStore, lean_spec_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum { PROP_0, PROP_PROJECT, PROP_LOADING, PROP_WATCHING, PROP_N_ITEMS, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { RELOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  GPtrArray *specs;
  GPtrArray *problems;
  GPtrArray *dirs;
} LoadResult;

/* What the worker needs: the project and the items as they were when the
 * load started, so it can keep unchanged objects (and free the fresh
 * duplicates) off the main thread. */
/* Specs the scan hands on before it is done, waiting for the main thread.
 * Shared by the worker and the main thread (which may outlive each other). */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex lock;
  GPtrArray *batches;       /* GPtrArray of LeanSpec, sorted; under lock */
  gboolean closed;          /* the load has landed: drop what comes */
  GWeakRef store;
  GCancellable *cancellable; /* of the load: tells whether it is current */
  guint serial;
  GMainContext *context;
  GHashTable *old;          /* id -> LeanSpec of d->current; worker only */
} LoadProgress;

static LoadProgress *
load_progress_ref (LoadProgress *p)
{
  g_atomic_ref_count_inc (&p->ref_count);
  return p;
}

static void
load_progress_unref (gpointer data)
{
  LoadProgress *p = data;

  if (!g_atomic_ref_count_dec (&p->ref_count))
    return;
  g_mutex_clear (&p->lock);
  g_clear_pointer (&p->batches, g_ptr_array_unref);
  g_weak_ref_clear (&p->store);
  g_clear_object (&p->cancellable);
  g_clear_pointer (&p->context, g_main_context_unref);
  g_clear_pointer (&p->old, g_hash_table_unref);
  g_free (p);
}

typedef struct
{
  LeanProject *project;
  GPtrArray *current;
  guint serial;         /* replace_serial when the load started */
  LoadProgress *progress;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;

  g_clear_object (&d->project);
  g_clear_pointer (&d->current, g_ptr_array_unref);
  g_clear_pointer (&d->progress, load_progress_unref);
  g_free (d);
}

static void
load_result_free (gpointer data)
{
  LoadResult *r = data;

  g_clear_pointer (&r->specs, g_ptr_array_unref);
  g_clear_pointer (&r->problems, g_ptr_array_unref);
  g_clear_pointer (&r->dirs, g_ptr_array_unref);
  g_free (r);
}

static GType
lean_spec_store_get_item_type (GListModel *model)
{
  return LEAN_TYPE_SPEC;
}

static guint
lean_spec_store_get_n_items (GListModel *model)
{
  return LEAN_SPEC_STORE (model)->items->len;
}

static gpointer
lean_spec_store_get_item (GListModel *model,
                          guint       position)
{
  LeanSpecStore *self = LEAN_SPEC_STORE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lean_spec_store_get_item_type;
  iface->get_n_items = lean_spec_store_get_n_items;
  iface->get_item = lean_spec_store_get_item;
}

static void
lean_spec_store_dispose (GObject *object)
{
  LeanSpecStore *self = (LeanSpecStore *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->monitors_source, g_source_remove);
  g_clear_pointer (&self->pending_monitors, g_ptr_array_unref);
  if (self->monitors != NULL)
    g_hash_table_remove_all (self->monitors);
  g_clear_object (&self->project);
  g_clear_object (&self->problems);

  G_OBJECT_CLASS (lean_spec_store_parent_class)->dispose (object);
}

static void
lean_spec_store_finalize (GObject *object)
{
  LeanSpecStore *self = (LeanSpecStore *)object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->dirs, g_ptr_array_unref);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->edits, g_hash_table_unref);

  G_OBJECT_CLASS (lean_spec_store_parent_class)->finalize (object);
}

static void
lean_spec_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LeanSpecStore *self = LEAN_SPEC_STORE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:  g_value_set_object (value, self->project); break;
    case PROP_LOADING:  g_value_set_boolean (value, self->n_loading > 0); break;
    case PROP_WATCHING: g_value_set_boolean (value, self->watching); break;
    case PROP_N_ITEMS:  g_value_set_uint (value, self->items->len); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LeanSpecStore *self = LEAN_SPEC_STORE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:  self->project = g_value_dup_object (value); break;
    case PROP_WATCHING: lean_spec_store_set_watching (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_spec_store_class_init (LeanSpecStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_spec_store_dispose;
  object_class->finalize = lean_spec_store_finalize;
  object_class->get_property = lean_spec_store_get_property;
  object_class->set_property = lean_spec_store_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, LEAN_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WATCHING] =
    g_param_spec_boolean ("watching", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LeanSpecStore::reloaded:
   *
   * Emitted on the main thread after each completed load (first load,
   * explicit reloads and reloads triggered by file changes).
   */
  signals[RELOADED] =
    g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_spec_store_init (LeanSpecStore *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->problems = g_list_store_new (LEAN_TYPE_SPEC_PROBLEM);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  /* Each queue is removed once empty; the running task keeps the store. */
  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

LeanSpecStore *
lean_spec_store_new (LeanProject *project)
{
  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);

  return g_object_new (LEAN_TYPE_SPEC_STORE, "project", project, NULL);
}

LeanProject *
lean_spec_store_get_project (LeanSpecStore *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), NULL);
  return self->project;
}

gboolean
lean_spec_store_get_loading (LeanSpecStore *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), FALSE);
  return self->n_loading > 0;
}

GListModel *
lean_spec_store_get_problems (LeanSpecStore *self)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), NULL);
  return G_LIST_MODEL (self->problems);
}

LeanSpec *
lean_spec_store_lookup (LeanSpecStore *self,
                        const char    *id)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return g_hash_table_lookup (self->by_id, id);
}

GPtrArray *
lean_spec_store_dup_specs (LeanSpecStore *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), NULL);

  copy = g_ptr_array_new_full (self->items->len, g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (self->items, i)));
  return copy;
}

static int
compare_spec (LeanSpec *a,
              LeanSpec *b)
{
  guint na = lean_spec_get_number (a);
  guint nb = lean_spec_get_number (b);

  if (na != nb)
    return na < nb ? -1 : 1;
  return strcmp (lean_spec_get_id (a), lean_spec_get_id (b));
}

void
lean_spec_store_replace (LeanSpecStore *self,
                         LeanSpec      *spec)
{
  LeanSpec *old;
  guint pos = 0;

  g_return_if_fail (LEAN_IS_SPEC_STORE (self));
  g_return_if_fail (LEAN_IS_SPEC (spec));

  old = g_hash_table_lookup (self->by_id, lean_spec_get_id (spec));
  if (old == spec)
    return;

  self->replace_serial++;

  if (old != NULL && g_ptr_array_find (self->items, old, &pos))
    {
      g_hash_table_replace (self->by_id, (gpointer)lean_spec_get_id (spec), spec);
      /* The array slot takes the new reference; the old one is dropped. */
      g_ptr_array_index (self->items, pos) = g_object_ref (spec);
      g_object_unref (old);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
      return;
    }

  /* A spec we did not know yet (just created): insert in order. */
  while (pos < self->items->len && compare_spec (g_ptr_array_index (self->items, pos), spec) < 0)
    pos++;
  g_ptr_array_insert (self->items, pos, g_object_ref (spec));
  g_hash_table_replace (self->by_id, (gpointer)lean_spec_get_id (spec), spec);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Replaces items[@pos, @pos + @n_removed) with @added[0, @n_added). */
static void
splice_items (LeanSpecStore *self,
              guint          pos,
              guint          n_removed,
              LeanSpec     **added,
              guint          n_added)
{
  guint old_len = self->items->len;

  for (guint i = pos; i < pos + n_removed; i++)
    {
      LeanSpec *spec = g_ptr_array_index (self->items, i);

      if (g_hash_table_lookup (self->by_id, lean_spec_get_id (spec)) == spec)
        g_hash_table_remove (self->by_id, lean_spec_get_id (spec));
      g_object_unref (spec);
    }

  if (n_added != n_removed)
    {
      guint tail = old_len - pos - n_removed;

      if (n_added > n_removed)
        g_ptr_array_set_size (self->items, old_len + n_added - n_removed);
      memmove (self->items->pdata + pos + n_added, self->items->pdata + pos + n_removed,
               tail * sizeof (gpointer));
      if (n_added < n_removed)
        {
          /* The slots past the end were moved down, not freed. */
          g_ptr_array_set_free_func (self->items, NULL);
          g_ptr_array_set_size (self->items, old_len + n_added - n_removed);
          g_ptr_array_set_free_func (self->items, g_object_unref);
        }
    }

  for (guint i = 0; i < n_added; i++)
    {
      g_ptr_array_index (self->items, pos + i) = g_object_ref (added[i]);
      g_hash_table_replace (self->by_id, (gpointer)lean_spec_get_id (added[i]), added[i]);
    }
}

/* More separate changes than this go out as one items-changed over the span
 * they cover: each costs the views a pass over their model, and past a
 * point one larger change is cheaper. */
#define MAX_RUNS 64

/* Turns the items into @next (sorted like them, each id once), with one
 * items-changed per run of differing items, so rows and selection outside
 * the runs stay as they are. */
static void
set_items (LeanSpecStore *self,
           GPtrArray     *next)
{
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (guint) * 4);
  guint old_len = self->items->len;
  guint i = 0, j = 0;
  guint shift = 0;

  /* Runs as [old_start, old_end, new_start, new_end). */
  while (i < old_len || j < next->len)
    {
      guint run[4];

      if (i < old_len && j < next->len &&
          g_ptr_array_index (self->items, i) == g_ptr_array_index (next, j))
        {
          i++;
          j++;
          continue;
        }

      run[0] = i;
      run[2] = j;
      while (i < old_len || j < next->len)
        {
          LeanSpec *a = i < old_len ? g_ptr_array_index (self->items, i) : NULL;
          LeanSpec *b = j < next->len ? g_ptr_array_index (next, j) : NULL;
          int cmp;

          if (a != NULL && a == b)
            break;
          cmp = a == NULL ? 1 : b == NULL ? -1 : compare_spec (a, b);
          if (cmp <= 0)
            i++;   /* gone, or replaced by a new snapshot */
          if (cmp >= 0)
            j++;   /* new, or the new snapshot */
        }
      run[1] = i;
      run[3] = j;
      g_array_append_val (runs, run);
    }

  if (runs->len == 0)
    return;

  if (runs->len > MAX_RUNS)
    {
      guint *first = &g_array_index (runs, guint, 0);
      guint *last = &g_array_index (runs, guint, 4 * (runs->len - 1));
      guint span[4] = { first[0], last[1], first[2], last[3] };

      g_array_set_size (runs, 0);
      g_array_append_val (runs, span);
    }

  /* Each change goes out with the model already in its new state and the
   * earlier ones applied, positions shifted by what came before. */
  for (guint r = 0; r < runs->len; r++)
    {
      guint *run = &g_array_index (runs, guint, 4 * r);
      guint pos = run[0] + shift;
      guint n_removed = run[1] - run[0];
      guint n_added = run[3] - run[2];

      splice_items (self, pos, n_removed, (LeanSpec **)next->pdata + run[2], n_added);
      shift += n_added;
      shift -= n_removed;
      g_list_model_items_changed (G_LIST_MODEL (self), pos, n_removed, n_added);
    }

  if (old_len != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gboolean same_snapshot (LeanSpec *a, LeanSpec *b);

/* The object to show for @spec: the current one when only replace() made
 * them differ (it put in a snapshot of the same bytes while a load ran). */
static LeanSpec *
keep_current (LeanSpecStore *self,
              LeanSpec      *spec)
{
  LeanSpec *cur = g_hash_table_lookup (self->by_id, lean_spec_get_id (spec));

  if (cur != NULL && cur != spec && same_snapshot (cur, spec))
    return cur;
  return spec;
}

/* Puts @specs (sorted) in place of the current items; specs whose bytes
 * did not change keep their object. */
static void
apply_specs (LeanSpecStore *self,
             GPtrArray     *specs)
{
  g_autoptr(GPtrArray) next = g_ptr_array_new_full (specs->len, g_object_unref);

  for (guint i = 0; i < specs->len; i++)
    g_ptr_array_add (next, g_object_ref (keep_current (self, g_ptr_array_index (specs, i))));
  set_items (self, next);
}

/* Adds or updates the specs of @batch (sorted), removing nothing: a spec
 * is gone only when the whole scan has not found it. */
static void
apply_batch (LeanSpecStore *self,
             GPtrArray     *batch)
{
  g_autoptr(GPtrArray) next = g_ptr_array_new_full (self->items->len + batch->len,
                                                    g_object_unref);
  guint i = 0, j = 0;

  while (i < self->items->len || j < batch->len)
    {
      LeanSpec *a = i < self->items->len ? g_ptr_array_index (self->items, i) : NULL;
      LeanSpec *b = j < batch->len ? g_ptr_array_index (batch, j) : NULL;
      int cmp = a == NULL ? 1 : b == NULL ? -1 : compare_spec (a, b);

      if (cmp < 0)
        {
          g_ptr_array_add (next, g_object_ref (a));
          i++;
          continue;
        }
      if (cmp == 0)
        i++;
      g_ptr_array_add (next, g_object_ref (keep_current (self, b)));
      j++;
    }
  set_items (self, next);
}

static void
apply_problems (LeanSpecStore *self,
                GPtrArray     *problems)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->problems));
  gboolean same = n == problems->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(LeanSpecProblem) a = g_list_model_get_item (G_LIST_MODEL (self->problems), i);
      LeanSpecProblem *b = g_ptr_array_index (problems, i);

      same = g_str_equal (lean_spec_problem_get_path (a), lean_spec_problem_get_path (b)) &&
             g_str_equal (lean_spec_problem_get_reason (a), lean_spec_problem_get_reason (b));
    }
  if (!same)
    g_list_store_splice (self->problems, 0, n, problems->pdata, problems->len);
}

/* ---- watching --------------------------------------------------------- */

static void start_load (LeanSpecStore *self, GTask *task);

static gboolean
reload_timeout_cb (gpointer data)
{
  LeanSpecStore *self = data;

  self->reload_source = 0;
  if (self->n_loading > 0)
    {
      /* Let the load in flight finish, then go again. */
      self->reload_pending = TRUE;
      return G_SOURCE_REMOVE;
    }
  start_load (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (LeanSpecStore *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

static gboolean
interesting_file (GFile *file)
{
  g_autofree char *name = NULL;

  if (file == NULL)
    return FALSE;
  name = g_file_get_basename (file);
  /* Our temp files and editors' swap files start with a dot. */
  return name != NULL && name[0] != '.' && !g_str_has_suffix (name, "~");
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  LeanSpecStore *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
      return;

    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED:
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    default:
      break;
    }

  if (interesting_file (file) || interesting_file (other_file))
    schedule_reload (self);
}

/* Creating thousands of monitors at once would stall the main loop for a
 * noticeable time: they are added a few milliseconds' worth at a time. */
static gboolean
add_monitors_cb (gpointer data)
{
  LeanSpecStore *self = data;
  gint64 deadline = g_get_monotonic_time () + 4000;

  while (self->pending_monitors != NULL && self->pending_monitors->len > 0)
    {
      g_autofree char *path = g_ptr_array_steal_index_fast (self->pending_monitors,
                                                            self->pending_monitors->len - 1);
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFileMonitor) monitor = NULL;
      g_autoptr(GError) error = NULL;

      if (g_hash_table_contains (self->monitors, path))
        continue;

      file = g_file_new_for_path (path);
      monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
      if (monitor == NULL)
        {
          /* Out of inotify watches, most likely: the list still works, it
           * just will not follow that folder live. */
          g_debug ("Cannot watch %s: %s", path, error->message);
          continue;
        }
      g_signal_connect_object (monitor, "changed", G_CALLBACK (monitor_changed_cb), self, 0);
      g_hash_table_insert (self->monitors, g_steal_pointer (&path), g_steal_pointer (&monitor));

      if (g_get_monotonic_time () > deadline)
        return G_SOURCE_CONTINUE;
    }

  self->monitors_source = 0;
  return G_SOURCE_REMOVE;
}

static void
sync_monitors (LeanSpecStore *self)
{
  g_autoptr(GHashTable) wanted = NULL;
  GHashTableIter iter;
  gpointer key;

  g_clear_pointer (&self->pending_monitors, g_ptr_array_unref);

  if (!self->watching || self->dirs == NULL)
    {
      g_clear_handle_id (&self->monitors_source, g_source_remove);
      g_hash_table_remove_all (self->monitors);
      return;
    }

  wanted = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->dirs->len; i++)
    g_hash_table_add (wanted, g_ptr_array_index (self->dirs, i));

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);

  /* Reversed, so the specs dir (first) is watched first. */
  self->pending_monitors = g_ptr_array_new_with_free_func (g_free);
  for (guint i = self->dirs->len; i > 0; i--)
    {
      const char *path = g_ptr_array_index (self->dirs, i - 1);
      if (!g_hash_table_contains (self->monitors, path))
        g_ptr_array_add (self->pending_monitors, g_strdup (path));
    }

  if (self->pending_monitors->len > 0 && self->monitors_source == 0)
    {
      /* The first batch right away: small projects are fully watched
       * before the caller hears the load is done. */
      if (add_monitors_cb (self) == G_SOURCE_CONTINUE)
        self->monitors_source = g_idle_add_full (G_PRIORITY_LOW, add_monitors_cb, self, NULL);
    }
}

void
lean_spec_store_set_watching (LeanSpecStore *self,
                              gboolean       watching)
{
  g_return_if_fail (LEAN_IS_SPEC_STORE (self));

  watching = !!watching;
  if (self->watching == watching)
    return;
  self->watching = watching;
  if (!watching)
    g_clear_handle_id (&self->reload_source, g_source_remove);
  sync_monitors (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
}

/* ---- loading ---------------------------------------------------------- */

static gboolean
same_snapshot (LeanSpec *a,
               LeanSpec *b)
{
  /* Comparing the bytes is cheaper than hashing them. */
  return g_bytes_equal (lean_spec_get_contents (a), lean_spec_get_contents (b)) &&
         g_str_equal (lean_spec_get_dir (a), lean_spec_get_dir (b)) &&
         g_strv_equal (lean_spec_get_sub_specs (a), lean_spec_get_sub_specs (b));
}

/* The kept object for each fresh spec that has the same bytes as the one
 * shown; the duplicate is dropped here, in the worker. */
static void
keep_unchanged (GHashTable *old,
                GPtrArray  *specs)
{
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *fresh = g_ptr_array_index (specs, i);
      LeanSpec *prev = g_hash_table_lookup (old, lean_spec_get_id (fresh));

      if (prev != NULL && prev != fresh && same_snapshot (prev, fresh))
        {
          g_ptr_array_index (specs, i) = g_object_ref (prev);
          g_object_unref (fresh);
        }
    }
}

static int
compare_spec_ptr (gconstpointer a,
                  gconstpointer b)
{
  return compare_spec (*(LeanSpec **)a, *(LeanSpec **)b);
}

static void apply_pending_batches (LeanSpecStore *self, LoadProgress *p);

static gboolean
batches_ready_cb (gpointer data)
{
  LoadProgress *p = data;
  g_autoptr(LeanSpecStore) self = g_weak_ref_get (&p->store);

  if (self != NULL)
    apply_pending_batches (self, p);
  return G_SOURCE_REMOVE;
}

/* In the worker: the first specs of a load, on their way to the main
 * thread while the scan goes on. */
static void
specs_read_cb (GPtrArray *specs,
               gpointer   user_data)
{
  LoadProgress *p = user_data;
  gboolean wake;

  keep_unchanged (p->old, specs);
  g_ptr_array_sort (specs, compare_spec_ptr);

  g_mutex_lock (&p->lock);
  wake = !p->closed && p->batches->len == 0;
  if (!p->closed)
    g_ptr_array_add (p->batches, specs);
  else
    g_ptr_array_unref (specs);
  g_mutex_unlock (&p->lock);

  if (wake)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, batches_ready_cb, load_progress_ref (p),
                             load_progress_unref);
      g_source_set_static_name (source, "[leanspec] store batches");
      g_source_attach (source, p->context);
    }
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *d = task_data;
  LoadResult *r = g_new0 (LoadResult, 1);
  GError *error = NULL;

  d->progress->old = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < d->current->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (d->current, i);
      g_hash_table_insert (d->progress->old, (gpointer)lean_spec_get_id (spec), spec);
    }

  /* The window shows token counts: read the ranks here, before the first
   * spec, so no batch waits on them halfway through. */
  lean_tokens_ensure_loaded ();

  r->specs = _lean_project_load_specs_progressive (d->project, specs_read_cb, d->progress,
                                                   &r->problems, &r->dirs,
                                                   cancellable, &error);
  if (r->specs != NULL)
    {
      /* Same decisions as for the batches: the same objects come back. */
      keep_unchanged (d->progress->old, r->specs);
    }
  /* It borrows from d->current, which may go first. */
  g_clear_pointer (&d->progress->old, g_hash_table_unref);
  if (r->specs == NULL)
    {
      load_result_free (r);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, r, load_result_free);
}

/* A thread of its own rather than GTask's pool: its priority is lowered for
 * the scan, and an unprivileged thread cannot raise it back for the pool's
 * next user. */
static gpointer
load_thread_main (gpointer data)
{
  g_autoptr(GTask) task = data;

#ifdef __linux__
  /* Per thread on Linux; the scan threads started from here inherit it. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), LOAD_NICE) != 0)
    g_debug ("Cannot lower the loading thread's priority: %s", g_strerror (errno));
#endif
  load_thread (task, NULL, g_task_get_task_data (task), g_task_get_cancellable (task));
  return NULL;
}

/* The worker's task does not hold the store: dropping the store cancels a
 * reload of its own at once (a load_async caller's task does keep it). */
typedef struct
{
  GWeakRef store;
  GTask *outer;             /* may be NULL: a reload of our own */
  GCancellable *outer_cancellable;
  gulong cancelled_id;
} LoadOp;

static void
outer_cancelled_cb (GCancellable *outer_cancellable,
                    gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
return_waiters (LeanSpecStore *self,
                const GError  *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* Shows the specs the scan has handed on so far, unless the load is no
 * longer the one that counts. */
static void
apply_pending_batches (LeanSpecStore *self,
                       LoadProgress  *p)
{
  g_autoptr(GPtrArray) batches = NULL;
  gboolean closed;

  g_mutex_lock (&p->lock);
  closed = p->closed;
  batches = g_steal_pointer (&p->batches);
  p->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_mutex_unlock (&p->lock);

  /* A newer load is on its way, or a snapshot put in with replace() may be
   * newer than what this scan read (that load is then done again). */
  if (closed || p->cancellable != self->cancellable || p->serial != self->replace_serial)
    return;

  /* One change per batch, even when several wait: each is a small step. */
  for (guint i = 0; i < batches->len; i++)
    apply_batch (self, g_ptr_array_index (batches, i));
}

static void
close_progress (LeanSpecStore *self,
                LoadProgress  *p)
{
  /* What is still waiting goes out first, so the load's first rows always
   * come before it ends. */
  apply_pending_batches (self, p);
  g_mutex_lock (&p->lock);
  p->closed = TRUE;
  g_ptr_array_set_size (p->batches, 0);
  g_mutex_unlock (&p->lock);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LeanSpecStore) self = NULL;
  LoadOp *op = user_data;
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) outer = g_steal_pointer (&op->outer);
  g_autoptr(GError) error = NULL;
  gboolean current;
  LoadResult *r;

  self = g_weak_ref_get (&op->store);
  g_weak_ref_clear (&op->store);
  if (op->outer_cancellable != NULL)
    {
      g_cancellable_disconnect (op->outer_cancellable, op->cancelled_id);
      g_object_unref (op->outer_cancellable);
    }
  g_free (op);

  r = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL)
    {
      /* The store is gone (only possible without an outer task). */
      g_clear_pointer (&r, load_result_free);
      return;
    }

  current = g_task_get_cancellable (G_TASK (result)) == self->cancellable;
  if (current && r != NULL && data->serial == self->replace_serial)
    close_progress (self, data->progress);
  else
    {
      g_mutex_lock (&data->progress->lock);
      data->progress->closed = TRUE;
      g_mutex_unlock (&data->progress->lock);
    }
  self->n_loading--;

  if (r == NULL)
    {
      if (outer != NULL)
        g_task_return_error (outer, g_error_copy (error));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Reloading specs failed: %s", error->message);
      if (current)
        return_waiters (self, error);
    }
  else if (!current)
    {
      /* A newer load is on its way: its result wins, and this caller hears
       * back when that one is applied. */
      load_result_free (r);
      if (outer != NULL)
        {
          if (self->waiters == NULL)
            self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (self->waiters, g_steal_pointer (&outer));
        }
    }
  else if (data->serial != self->replace_serial)
    {
      /* A snapshot was put in with replace() while this scan ran: the scan
       * may predate it (a just-created spec would vanish and come back).
       * Scan again; the caller hears back after that one. */
      load_result_free (r);
      start_load (self, outer);
      return;
    }
  else
    {
      apply_specs (self, r->specs);
      apply_problems (self, r->problems);
      g_clear_pointer (&self->dirs, g_ptr_array_unref);
      self->dirs = g_steal_pointer (&r->dirs);
      sync_monitors (self);
      load_result_free (r);

      g_signal_emit (self, signals[RELOADED], 0);

      if (outer != NULL)
        g_task_return_boolean (outer, TRUE);
      return_waiters (self, NULL);
    }

  if (self->n_loading == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  if (self->reload_pending && self->n_loading == 0 && self->watching)
    {
      self->reload_pending = FALSE;
      schedule_reload (self);
    }
}

/* Starts a load; @outer (may be NULL) is completed when it is applied. */
static void
start_load (LeanSpecStore *self,
            GTask         *outer)
{
  g_autoptr(GTask) task = NULL;
  GCancellable *outer_cancellable = outer ? g_task_get_cancellable (outer) : NULL;
  LoadOp *op = g_new0 (LoadOp, 1);

  /* Each load has its own cancellable (cancelled in dispose); the caller's
   * cancellable cancels it too. */
  g_set_object (&self->cancellable, g_cancellable_new ());

  g_weak_ref_init (&op->store, self);
  op->outer = outer ? g_object_ref (outer) : NULL;
  if (outer_cancellable != NULL)
    {
      op->outer_cancellable = g_object_ref (outer_cancellable);
      op->cancelled_id = g_cancellable_connect (outer_cancellable, G_CALLBACK (outer_cancelled_cb),
                                                g_object_ref (self->cancellable), g_object_unref);
    }

  task = g_task_new (NULL, self->cancellable, load_done_cb, op);
  g_task_set_source_tag (task, start_load);
  {
    LoadData *d = g_new0 (LoadData, 1);

    d->project = g_object_ref (self->project);
    d->current = lean_spec_store_dup_specs (self);
    d->serial = self->replace_serial;
    d->progress = g_new0 (LoadProgress, 1);
    g_atomic_ref_count_init (&d->progress->ref_count);
    g_mutex_init (&d->progress->lock);
    d->progress->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
    g_weak_ref_init (&d->progress->store, self);
    d->progress->cancellable = g_object_ref (self->cancellable);
    d->progress->serial = d->serial;
    d->progress->context = g_main_context_ref_thread_default ();
    g_task_set_task_data (task, d, load_data_free);
  }

  self->n_loading++;
  if (self->n_loading == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  {
    GThread *thread = g_thread_try_new ("lean-load", load_thread_main, g_object_ref (task), NULL);

    if (thread != NULL)
      g_thread_unref (thread);
    else
      {
        /* Out of threads: the pool then, at normal priority. */
        g_object_unref (task);
        g_task_run_in_thread (task, load_thread);
      }
  }
}

void
lean_spec_store_load_async (LeanSpecStore       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;

  g_return_if_fail (LEAN_IS_SPEC_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lean_spec_store_load_async);
  start_load (self, outer);
}

gboolean
lean_spec_store_load_finish (LeanSpecStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (LEAN_IS_SPEC_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Edits */

typedef struct
{
  LeanSpecEdit *edit;
  char         *id;
  LeanSpec     *seen;     /* the snapshot the caller showed */
  LeanSpec     *base;     /* the one it is applied to, once it runs */
  LeanProject  *project;
  GPtrArray    *specs;    /* COMPLETE: for the children */
  LeanSpec     *written;  /* results, from the worker */
  GError       *error;
} EditData;

static void
edit_data_free (gpointer data)
{
  EditData *d = data;

  g_clear_pointer (&d->edit, lean_spec_edit_unref);
  g_free (d->id);
  g_clear_object (&d->seen);
  g_clear_object (&d->base);
  g_clear_object (&d->project);
  g_clear_pointer (&d->specs, g_ptr_array_unref);
  g_clear_object (&d->written);
  g_clear_error (&d->error);
  g_free (d);
}

static void
edit_thread (GTask        *inner,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GTask *outer = task_data;
  EditData *d = g_task_get_task_data (outer);

  d->written = lean_spec_edit_apply (d->edit, d->project, d->specs, d->base, &d->error);
  g_task_return_boolean (inner, TRUE);
}

static void run_next_edit (LeanSpecStore *self,
                           const char    *id);

static void
edit_landed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LeanSpecStore *self = LEAN_SPEC_STORE (source);
  g_autoptr(GTask) outer = user_data;
  EditData *d = g_task_get_task_data (outer);
  GQueue *queue = g_hash_table_lookup (self->edits, d->id);

  /* In the store before anyone hears of it: the next edit of this spec
   * and every view start from what was written. */
  if (d->written != NULL && d->written != d->base)
    lean_spec_store_replace (self, d->written);

  g_assert (queue != NULL && g_queue_peek_head (queue) == outer);
  g_object_unref (g_queue_pop_head (queue));
  run_next_edit (self, d->id);

  if (d->written != NULL)
    g_task_return_pointer (outer, g_object_ref (d->written), g_object_unref);
  else
    g_task_return_error (outer, g_steal_pointer (&d->error));
}

static void
run_next_edit (LeanSpecStore *self,
               const char    *id)
{
  GQueue *queue = g_hash_table_lookup (self->edits, id);
  g_autoptr(GTask) inner = NULL;
  GTask *outer;
  EditData *d;
  LeanSpec *latest;

  if (queue == NULL)
    return;
  outer = g_queue_peek_head (queue);
  if (outer == NULL)
    {
      g_hash_table_remove (self->edits, id);
      g_queue_free (queue);
      return;
    }

  d = g_task_get_task_data (outer);
  latest = lean_spec_store_lookup (self, d->id);
  g_clear_object (&d->base);
  d->base = g_object_ref (latest != NULL ? latest : d->seen);
  if (lean_spec_edit_get_kind (d->edit) == LEAN_SPEC_EDIT_COMPLETE)
    d->specs = lean_spec_store_dup_specs (self);
  d->project = g_object_ref (self->project);

  inner = g_task_new (self, NULL, edit_landed, g_object_ref (outer));
  g_task_set_source_tag (inner, run_next_edit);
  g_task_set_task_data (inner, outer, NULL);
  g_task_run_in_thread (inner, edit_thread);
}

void
lean_spec_store_edit_async (LeanSpecStore       *self,
                            LeanSpec            *spec,
                            LeanSpecEdit        *edit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  EditData *d;
  GQueue *queue;

  g_return_if_fail (LEAN_IS_SPEC_STORE (self));
  g_return_if_fail (LEAN_IS_SPEC (spec));
  g_return_if_fail (edit != NULL);

  d = g_new0 (EditData, 1);
  d->edit = lean_spec_edit_ref (edit);
  d->id = g_strdup (lean_spec_get_id (spec));
  d->seen = g_object_ref (spec);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lean_spec_store_edit_async);
  g_task_set_task_data (task, d, edit_data_free);

  queue = g_hash_table_lookup (self->edits, d->id);
  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (self->edits, g_strdup (d->id), queue);
    }
  g_queue_push_tail (queue, task);
  if (g_queue_get_length (queue) == 1)
    run_next_edit (self, d->id);
}

LeanSpec *
lean_spec_store_edit_finish (LeanSpecStore  *self,
                             GAsyncResult   *result,
                             LeanSpecEdit  **undo,
                             GError        **error)
{
  EditData *d;
  LeanSpec *written;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lean_spec_store_edit_async, NULL);

  if (undo != NULL)
    *undo = NULL;
  written = g_task_propagate_pointer (G_TASK (result), error);
  if (written == NULL)
    return NULL;

  d = g_task_get_task_data (G_TASK (result));
  if (undo != NULL && d->base != NULL &&
      !g_bytes_equal (lean_spec_get_contents (d->base), lean_spec_get_contents (written)))
    *undo = lean_spec_edit_new_restore (written, lean_spec_get_contents (d->base));
  return written;
}
