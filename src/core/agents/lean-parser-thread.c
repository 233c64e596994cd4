/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lean-parser-thread.h"

/* Main-thread time one delivery may take before it yields to a frame. */
#define DELIVER_BUDGET_US (4 * 1000)

typedef enum
{
  ITEM_DISPLAY,
  ITEM_EVENT,
  ITEM_USAGE,
  ITEM_CHUNK_DONE,  /* a whole raw chunk went through: @size bytes */
  ITEM_FLUSHED,     /* the parser is flushed and the thread is done */
} ItemKind;

typedef struct
{
  ItemKind     kind;
  GByteArray  *display;
  char        *event_kind;
  JsonObject  *payload;
  char        *json;
  guint64      usage[3];
  double       cost;
  gsize        size;
} Item;

/* Shared by the owner and the thread (and each posted delivery): freed
 * when the last of them lets go. */
typedef struct
{
  gint              ref_count;
  GMutex            lock;
  GCond             cond;
  GMainContext     *context;
  LeanStreamParser *parser;

  /* under lock */
  GQueue            in;        /* GBytes, raw chunks to parse */
  gsize             in_bytes;  /* raw bytes handed over and not yet delivered */
  gboolean          flush;     /* drain, flush, end */
  gboolean          stop;      /* abandoned: end after the current chunk */
  GQueue            out;       /* Item, for the owner's context */
  gboolean          posted;    /* a delivery is pending for @out */

  /* the owner's context only */
  LeanParserThreadCallbacks callbacks;
  gpointer          data;      /* NULL once abandoned */
  GThread          *thread;

  /* the thread's own */
  GQueue            batch;
} Shared;

struct _LeanParserThread
{
  Shared *shared;
};

static void
item_free (Item *item)
{
  g_clear_pointer (&item->display, g_byte_array_unref);
  g_free (item->event_kind);
  g_clear_pointer (&item->payload, json_object_unref);
  g_free (item->json);
  g_free (item);
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_int_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_int_dec_and_test (&shared->ref_count))
    return;
  g_queue_clear_full (&shared->in, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&shared->out, (GDestroyNotify) item_free);
  g_queue_clear_full (&shared->batch, (GDestroyNotify) item_free);
  g_clear_object (&shared->parser);
  g_main_context_unref (shared->context);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
  g_free (shared);
}

static char *
object_to_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* Parser signals, in the thread. */

static void
on_display (LeanStreamParser *parser,
            GBytes           *bytes,
            Shared           *shared)
{
  Item *last = g_queue_peek_tail (&shared->batch);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  /* Consecutive display text goes out as one chunk. */
  if (last == NULL || last->kind != ITEM_DISPLAY)
    {
      last = g_new0 (Item, 1);
      last->kind = ITEM_DISPLAY;
      last->display = g_byte_array_sized_new (MAX (len, 4096));
      g_queue_push_tail (&shared->batch, last);
    }
  g_byte_array_append (last->display, data, len);
}

static void
on_event (LeanStreamParser *parser,
          const char       *kind,
          JsonObject       *payload,
          Shared           *shared)
{
  Item *item = g_new0 (Item, 1);

  item->kind = ITEM_EVENT;
  item->event_kind = g_strdup (kind);
  if (payload != NULL)
    {
      /* Serialised here, and the object kept for the owner only: nothing
       * in this thread touches it after the batch is posted. */
      item->json = object_to_json (payload);
      item->payload = json_object_ref (payload);
    }
  else
    item->json = g_strdup ("{}");
  g_queue_push_tail (&shared->batch, item);
}

static void
on_usage (LeanStreamParser *parser,
          guint64           input,
          guint64           output,
          guint64           cache,
          double            cost,
          Shared           *shared)
{
  Item *item = g_new0 (Item, 1);

  item->kind = ITEM_USAGE;
  item->usage[0] = input;
  item->usage[1] = output;
  item->usage[2] = cache;
  item->cost = cost;
  g_queue_push_tail (&shared->batch, item);
}

static gboolean deliver (gpointer data);

/* Called with the lock held. */
static void
post_batch (Shared *shared)
{
  Item *item;

  while ((item = g_queue_pop_head (&shared->batch)) != NULL)
    g_queue_push_tail (&shared->out, item);
  if (!shared->posted && !g_queue_is_empty (&shared->out))
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      shared->posted = TRUE;
      /* With the runner's flood reads: below frames, so a burst of parsed
       * text never delays a frame. */
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE + 10);
      g_source_set_callback (source, deliver, shared_ref (shared),
                             (GDestroyNotify) shared_unref);
      g_source_attach (source, shared->context);
    }
}

static gpointer
parser_thread (gpointer data)
{
  Shared *shared = data;

  /* Frames come first: on a machine with few cores the parser would take
   * the CPU the main thread and the renderer need. A nice value is per
   * thread on Linux; the agent waits on its PTY meanwhile. */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);

  for (;;)
    {
      GBytes *chunk;
      gboolean flush;

      g_mutex_lock (&shared->lock);
      while (g_queue_is_empty (&shared->in) && !shared->flush && !shared->stop)
        g_cond_wait (&shared->cond, &shared->lock);
      if (shared->stop)
        {
          g_mutex_unlock (&shared->lock);
          break;
        }
      chunk = g_queue_pop_head (&shared->in);
      flush = chunk == NULL && shared->flush;
      g_mutex_unlock (&shared->lock);

      if (chunk != NULL)
        {
          Item *done = g_new0 (Item, 1);

          lean_stream_parser_feed (shared->parser, chunk);
          done->kind = ITEM_CHUNK_DONE;
          done->size = g_bytes_get_size (chunk);
          g_queue_push_tail (&shared->batch, done);
          g_bytes_unref (chunk);
        }
      else if (flush)
        {
          Item *done = g_new0 (Item, 1);

          lean_stream_parser_flush (shared->parser);
          done->kind = ITEM_FLUSHED;
          g_queue_push_tail (&shared->batch, done);
        }

      g_mutex_lock (&shared->lock);
      post_batch (shared);
      g_mutex_unlock (&shared->lock);
      if (flush)
        break;
    }

  g_signal_handlers_disconnect_by_data (shared->parser, shared);
  shared_unref (shared);
  return NULL;
}

static gboolean
deliver (gpointer data)
{
  Shared *shared = data;
  gint64 deadline = g_get_monotonic_time () + DELIVER_BUDGET_US;
  const LeanParserThreadCallbacks *cb = &shared->callbacks;
  gboolean flushed = FALSE;
  gboolean more = FALSE;
  gsize backlog;
  Item *item;

  /* Taken one at a time, so one dispatch stays within its budget however
   * much the thread has parsed meanwhile. */
  for (;;)
    {
      g_mutex_lock (&shared->lock);
      if (g_get_monotonic_time () > deadline && !g_queue_is_empty (&shared->out))
        more = TRUE;
      item = more ? NULL : g_queue_pop_head (&shared->out);
      if (item == NULL && !more)
        shared->posted = FALSE;
      if (item != NULL && item->kind == ITEM_CHUNK_DONE)
        shared->in_bytes -= MIN (item->size, shared->in_bytes);
      g_mutex_unlock (&shared->lock);
      if (item == NULL)
        break;

      /* A callback may have abandoned the thread meanwhile. */
      if (shared->data != NULL)
        switch (item->kind)
          {
          case ITEM_DISPLAY:
            {
              g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&item->display));
              cb->display (shared->data, bytes);
            }
            break;
          case ITEM_EVENT:
            cb->event (shared->data, item->event_kind, item->json, item->payload);
            break;
          case ITEM_USAGE:
            cb->usage (shared->data, item->usage[0], item->usage[1], item->usage[2], item->cost);
            break;
          case ITEM_CHUNK_DONE:
            cb->chunk_done (shared->data);
            break;
          case ITEM_FLUSHED:
            flushed = TRUE;
            break;
          default:
            break;
          }
      item_free (item);
    }

  g_mutex_lock (&shared->lock);
  backlog = shared->in_bytes;
  g_mutex_unlock (&shared->lock);

  if (shared->data != NULL)
    cb->delivered (shared->data, backlog);
  if (shared->data != NULL && flushed)
    {
      /* The thread has posted its last item and is ending. */
      if (shared->thread != NULL)
        g_thread_join (g_steal_pointer (&shared->thread));
      cb->flushed (shared->data);
    }
  /* While @posted stays TRUE the thread adds no other idle: this one goes on. */
  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

LeanParserThread *
lean_parser_thread_new (LeanStreamParser                *parser,
                        const LeanParserThreadCallbacks *callbacks,
                        gpointer                         data)
{
  LeanParserThread *self;
  Shared *shared;

  g_return_val_if_fail (LEAN_IS_STREAM_PARSER (parser), NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  shared = g_new0 (Shared, 1);
  shared->ref_count = 1;
  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  g_queue_init (&shared->in);
  g_queue_init (&shared->out);
  g_queue_init (&shared->batch);
  shared->context = g_main_context_ref_thread_default ();
  shared->callbacks = *callbacks;
  shared->data = data;
  shared->parser = g_object_ref (parser);
  g_signal_connect (parser, "display", G_CALLBACK (on_display), shared);
  g_signal_connect (parser, "event", G_CALLBACK (on_event), shared);
  g_signal_connect (parser, "usage", G_CALLBACK (on_usage), shared);
  shared->thread = g_thread_new ("lean-parser", parser_thread, shared_ref (shared));

  self = g_new0 (LeanParserThread, 1);
  self->shared = shared;
  return self;
}

void
lean_parser_thread_push (LeanParserThread *self,
                         GBytes           *bytes)
{
  Shared *shared;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL);

  shared = self->shared;
  g_mutex_lock (&shared->lock);
  g_queue_push_tail (&shared->in, g_bytes_ref (bytes));
  shared->in_bytes += g_bytes_get_size (bytes);
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->lock);
}

gsize
lean_parser_thread_get_backlog (LeanParserThread *self)
{
  gsize n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->shared->lock);
  n = self->shared->in_bytes;
  g_mutex_unlock (&self->shared->lock);
  return n;
}

void
lean_parser_thread_flush (LeanParserThread *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->shared->lock);
  self->shared->flush = TRUE;
  g_cond_signal (&self->shared->cond);
  g_mutex_unlock (&self->shared->lock);
}

void
lean_parser_thread_free (LeanParserThread *self)
{
  Shared *shared;

  if (self == NULL)
    return;

  shared = self->shared;
  g_mutex_lock (&shared->lock);
  shared->stop = TRUE;
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->lock);
  shared->data = NULL;
  if (shared->thread != NULL)
    g_thread_join (g_steal_pointer (&shared->thread));
  shared_unref (shared);
  g_free (self);
}
