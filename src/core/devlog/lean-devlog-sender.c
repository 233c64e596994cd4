/* SPDX-License-Identifier: MIT */
/* LeanDevlogSender: one thread that owns a SQLite connection and an HTTP
 * session, and moves the outbox to Devlog. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "lean-devlog-outbox.h"
#include "lean-devlog-sender.h"
#include "lean-error.h"
#include "lean-json.h"

#define BATCH_ROWS        500
#define BATCH_BYTES       (1024 * 1024)
#define BACKOFF_MIN       (1 * G_USEC_PER_SEC)
#define BACKOFF_MAX       (300 * G_USEC_PER_SEC)
#define POLL_USEC         (1 * G_USEC_PER_SEC)
#define LEASED_POLL_USEC  (G_USEC_PER_SEC / 2)
/* Longer than a request may take (its timeout), so a live sender never
 * loses the lease in the middle of a batch. */
#define LEASE_TTL         (90 * G_USEC_PER_SEC)
#define HTTP_TIMEOUT_S    30
#define ERROR_BODY_MAX    4096

struct _LeanDevlogSender
{
  GObject             parent_instance;

  char               *db_path;
  GMainContext       *context;
  GThread            *thread;
  GCancellable       *cancellable;
  /* A "changed" emission is queued on the owner's context: at most one
   * at a time, however fast batches go. */
  gint                notify_pending;

  /* Shared with the thread, under lock. */
  GMutex              lock;
  GCond               cond;
  LeanDevlogSettings *settings;
  guint               settings_gen;
  gboolean            stopping;
  gboolean            kicked;
  guint64             empty_seen;
  guint64             posts;
  gint64              backoff_min;
  gint64              backoff_max;
};

G_DEFINE_FINAL_TYPE (LeanDevlogSender, lean_devlog_sender, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

/* ---- HTTP, shared by the sender and Test Connection ---- */

static char *
endpoint (const char *base,
          const char *path)
{
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int)len, base, path);
}

static SoupSession *
new_soup (void)
{
  g_autofree char *agent = g_strdup_printf ("leanspec-desktop/%s", APP_VERSION);

  return soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S, "idle-timeout", 60,
                                        "user-agent", agent, NULL);
}

/* The status (0 for no answer, with @error set) and the body. */
static guint
http_request (SoupSession   *soup,
              const char    *method,
              const char    *url,
              const char    *token,
              GBytes        *body,
              GBytes       **response,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;

  if (msg == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("“%s” is not a Devlog address"), url);
      return 0;
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (token != NULL && *token != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  reply = soup_session_send_and_read (soup, msg, cancellable, error);
  if (reply == NULL)
    return 0;
  if (response != NULL)
    *response = g_steal_pointer (&reply);
  return soup_message_get_status (msg);
}

static char *
body_text (GBytes *body)
{
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (data == NULL)
    return g_strdup ("");
  return g_utf8_make_valid (data, MIN (len, ERROR_BODY_MAX));
}

static gboolean
is_collector_health (guint   status,
                     GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  gsize len = 0;
  const char *data;

  if (status != 200 || body == NULL)
    return FALSE;
  data = g_bytes_get_data (body, &len);
  node = lean_json_parse (data, len, 4, NULL);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                "status", NULL), "ok") == 0;
}

/* AUTO: a collector answers GET /health with {"status":"ok"}; anything else
 * that answers is taken for a backend. 0 when nothing answered. */
static gboolean
probe_kind (SoupSession     *soup,
            const char      *base,
            LeanDevlogKind  *kind,
            GCancellable    *cancellable,
            GError         **error)
{
  g_autofree char *url = endpoint (base, "/health");
  g_autoptr(GBytes) body = NULL;
  guint status = http_request (soup, "GET", url, NULL, NULL, &body, cancellable, error);

  if (status == 0)
    return FALSE;
  *kind = is_collector_health (status, body) ? LEAN_DEVLOG_KIND_COLLECTOR
                                             : LEAN_DEVLOG_KIND_BACKEND;
  return TRUE;
}

/* ---- the thread ---- */

typedef enum
{
  SEND_OK,
  SEND_RETRY,
  SEND_STOP,
} SendResult;

typedef struct
{
  LeanDevlogSender   *self;
  SoupSession        *soup;
  sqlite3            *db;
  LeanDevlogSettings *settings;
  guint               gen;
  char               *token;
  LeanDevlogKind      kind;      /* resolved: never AUTO while sending */
  char               *owner;
  char               *error;     /* why the last attempt must be retried */
  guint               attempt;
  gint64              lease_until; /* monotonic: held surely until then */
} Worker;

static gboolean
emit_changed_idle (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(LeanDevlogSender) self = g_weak_ref_get (ref);

  if (self != NULL)
    {
      /* Cleared first: a batch that ends during the emission queues the
       * next one. */
      g_atomic_int_set (&self->notify_pending, 0);
      g_signal_emit (self, signals[CHANGED], 0);
    }
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
notify_changed (Worker *w)
{
  GWeakRef *ref;

  if (!g_atomic_int_compare_and_exchange (&w->self->notify_pending, 0, 1))
    return;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, w->self);
  g_main_context_invoke_full (w->self->context, G_PRIORITY_DEFAULT_IDLE, emit_changed_idle,
                              ref, weak_ref_free);
}

static void
set_error (Worker     *w,
           const char *message)
{
  g_free (w->error);
  w->error = g_strdup (message);
}

static SendResult
post_range (Worker    *w,
            GPtrArray *rows,
            guint      lo,
            guint      hi)
{
  LeanDevlogSender *self = w->self;
  g_autoptr(GString) body = g_string_sized_new (4096);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  LeanDevlogRow *first = g_ptr_array_index (rows, lo);
  LeanDevlogRow *last = g_ptr_array_index (rows, hi - 1);
  guint status;

  g_string_append_c (body, '[');
  for (guint i = lo; i < hi; i++)
    {
      LeanDevlogRow *row = g_ptr_array_index (rows, i);

      if (i > lo)
        g_string_append_c (body, ',');
      g_string_append (body, row->payload);
    }
  g_string_append_c (body, ']');
  bytes = g_string_free_to_bytes (g_steal_pointer (&body));

  url = endpoint (w->settings->url,
                  w->kind == LEAN_DEVLOG_KIND_BACKEND ? "/api/events/batch" : "/events");
  status = http_request (w->soup, "POST", url,
                         w->kind == LEAN_DEVLOG_KIND_BACKEND ? w->token : NULL, bytes,
                         &response, self->cancellable, &error);
  g_mutex_lock (&self->lock);
  self->posts++;
  g_mutex_unlock (&self->lock);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return SEND_STOP;
  if (status == 0)
    {
      g_autofree char *msg = g_strdup_printf (_("Devlog at %s did not answer: %s"),
                                              w->settings->url, error->message);
      set_error (w, msg);
      return SEND_RETRY;
    }
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(GError) db_error = NULL;

      if (!lean_devlog_outbox_delivered (w->db, first->id, last->id, &db_error))
        {
          set_error (w, db_error->message);
          return SEND_RETRY;
        }
      return SEND_OK;
    }
  /* Refusals about the events themselves: find the bad one. Anything
   * else (auth, a wrong address, overload, a server error) says nothing
   * about the events and is retried. */
  if (status == 400 || status == 413 || status == 422)
    {
      g_autofree char *text = body_text (response);
      guint mid;
      SendResult r;

      if (hi - lo == 1)
        {
          g_autoptr(GError) db_error = NULL;

          if (!lean_devlog_outbox_park (w->db, first->id, status, text, &db_error))
            {
              set_error (w, db_error->message);
              return SEND_RETRY;
            }
          g_debug ("parked event %" G_GINT64_FORMAT ": %u %s", first->id, status, text);
          return SEND_OK;
        }
      mid = lo + (hi - lo) / 2;
      r = post_range (w, rows, lo, mid);
      if (r != SEND_OK)
        return r;
      return post_range (w, rows, mid, hi);
    }
  {
    g_autofree char *text = body_text (response);
    g_autofree char *msg = g_strdup_printf (_("Devlog answered %u %s%s%s"), status,
                                            soup_status_get_phrase (status) ?: "",
                                            *text ? ": " : "", text);
    set_error (w, msg);
  }
  return SEND_RETRY;
}

/* Waits up to @usec for a stop, new settings, or (when @kickable) a kick.
 * FALSE when stopping. */
static gboolean
worker_wait (Worker   *w,
             gint64    usec,
             gboolean  kickable)
{
  LeanDevlogSender *self = w->self;
  gint64 end = g_get_monotonic_time () + usec;
  gboolean go_on;

  g_mutex_lock (&self->lock);
  while (!self->stopping && self->settings_gen == w->gen && !(kickable && self->kicked))
    if (!g_cond_wait_until (&self->cond, &self->lock, end))
      break;
  if (kickable)
    self->kicked = FALSE;
  go_on = !self->stopping;
  g_mutex_unlock (&self->lock);
  return go_on;
}

static void
saw_empty (Worker *w)
{
  g_mutex_lock (&w->self->lock);
  w->self->empty_seen++;
  g_cond_broadcast (&w->self->cond);
  g_mutex_unlock (&w->self->lock);
}

static gint64
backoff_delay (Worker *w)
{
  gint64 lo, hi, delay;

  g_mutex_lock (&w->self->lock);
  lo = w->self->backoff_min;
  hi = w->self->backoff_max;
  g_mutex_unlock (&w->self->lock);
  delay = lo;
  for (guint i = 0; i < w->attempt && delay < hi; i++)
    delay *= 2;
  delay = MIN (delay, hi);
  /* Full jitter over the upper half: many clients that failed together do
   * not come back together. */
  return delay / 2 + g_random_int_range (0, (gint32)MIN (delay / 2 + 1, G_MAXINT32));
}

/* Settings changed (or first run): pick them up. FALSE when telemetry is
 * off. */
static gboolean
worker_refresh (Worker *w)
{
  LeanDevlogSender *self = w->self;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  if (self->settings_gen != w->gen || w->settings == NULL)
    {
      g_clear_pointer (&w->settings, lean_devlog_settings_free);
      if (self->settings != NULL)
        w->settings = lean_devlog_settings_copy (self->settings);
      w->gen = self->settings_gen;
      g_clear_pointer (&w->token, g_free);
      w->kind = LEAN_DEVLOG_KIND_AUTO;
      w->attempt = 0;
    }
  g_mutex_unlock (&self->lock);

  if (!lean_devlog_settings_is_enabled (w->settings))
    return FALSE;
  if (w->token == NULL)
    {
      w->token = lean_devlog_token_lookup_sync (w->settings->url, NULL, &error);
      if (w->token == NULL)
        w->token = g_strdup ("");
      if (error != NULL)
        g_debug ("%s", error->message);
    }
  return TRUE;
}

static void
note_error (Worker *w)
{
  lean_devlog_outbox_note_error (w->db, w->error, NULL);
  notify_changed (w);
}

static gpointer
sender_thread (gpointer data)
{
  Worker w = { 0 };
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  w.self = data;
  w.soup = new_soup ();
  w.owner = g_strdup_printf ("%d:%s", getpid (), g_uuid_string_random ());
  w.gen = G_MAXUINT;

  for (;;)
    {
      g_autoptr(GPtrArray) rows = NULL;
      g_autoptr(GError) error = NULL;
      SendResult r;

      if (!worker_refresh (&w))
        {
          /* Off: nothing to send until the settings change. */
          if (!worker_wait (&w, G_MAXINT64 / 4, FALSE))
            break;
          continue;
        }

      if (w.db == NULL)
        {
          w.db = lean_devlog_outbox_open (w.self->db_path, &error);
          if (w.db == NULL)
            {
              set_error (&w, error->message);
              g_warning ("%s", w.error);
              if (!worker_wait (&w, backoff_delay (&w), FALSE))
                break;
              w.attempt++;
              continue;
            }
        }

      /* Renewed once half its time is gone, not with every batch: each
       * renewal is a write transaction. */
      if (g_get_monotonic_time () < w.lease_until)
        ;
      else if (lean_devlog_outbox_lease (w.db, w.owner, LEASE_TTL, NULL))
        w.lease_until = g_get_monotonic_time () + LEASE_TTL / 2;
      else
        {
          /* Another process sends; tell a flush that waits once the outbox
           * it watches is empty. */
          g_autoptr(GPtrArray) peek = lean_devlog_outbox_read (w.db, 1, 1, NULL);

          if (peek != NULL && peek->len == 0)
            saw_empty (&w);
          if (!worker_wait (&w, LEASED_POLL_USEC, FALSE))
            break;
          continue;
        }

      rows = lean_devlog_outbox_read (w.db, BATCH_ROWS, BATCH_BYTES, &error);
      if (rows == NULL || rows->len == 0)
        {
          lean_devlog_outbox_unlease (w.db, w.owner);
          w.lease_until = 0;
          saw_empty (&w);
          if (!worker_wait (&w, POLL_USEC, TRUE))
            break;
          continue;
        }

      if (w.kind == LEAN_DEVLOG_KIND_AUTO)
        {
          if (w.settings->kind != LEAN_DEVLOG_KIND_AUTO)
            w.kind = w.settings->kind;
          else if (!probe_kind (w.soup, w.settings->url, &w.kind, w.self->cancellable, &error))
            {
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                break;
              {
                g_autofree char *msg = g_strdup_printf (_("Devlog at %s did not answer: %s"),
                                                        w.settings->url, error->message);
                set_error (&w, msg);
              }
              note_error (&w);
              if (!worker_wait (&w, backoff_delay (&w), FALSE))
                break;
              w.attempt++;
              continue;
            }
        }

      r = post_range (&w, rows, 0, rows->len);
      if (r == SEND_STOP)
        break;
      if (r == SEND_RETRY)
        {
          note_error (&w);
          if (!worker_wait (&w, backoff_delay (&w), FALSE))
            break;
          w.attempt = MIN (w.attempt + 1, 30);
          continue;
        }
      w.attempt = 0;
      notify_changed (&w);
    }

  if (w.db != NULL)
    {
      lean_devlog_outbox_unlease (w.db, w.owner);
      sqlite3_close (w.db);
    }
  g_object_unref (w.soup);
  lean_devlog_settings_free (w.settings);
  g_free (w.token);
  g_free (w.owner);
  g_free (w.error);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* ---- the object ---- */

static void
lean_devlog_sender_dispose (GObject *object)
{
  lean_devlog_sender_stop (LEAN_DEVLOG_SENDER (object));

  G_OBJECT_CLASS (lean_devlog_sender_parent_class)->dispose (object);
}

static void
lean_devlog_sender_finalize (GObject *object)
{
  LeanDevlogSender *self = (LeanDevlogSender *)object;

  g_free (self->db_path);
  lean_devlog_settings_free (self->settings);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lean_devlog_sender_parent_class)->finalize (object);
}

static void
lean_devlog_sender_class_init (LeanDevlogSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_devlog_sender_dispose;
  object_class->finalize = lean_devlog_sender_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lean_devlog_sender_init (LeanDevlogSender *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->backoff_min = BACKOFF_MIN;
  self->backoff_max = BACKOFF_MAX;
}

LeanDevlogSender *
lean_devlog_sender_new (const char *db_path)
{
  LeanDevlogSender *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (LEAN_TYPE_DEVLOG_SENDER, NULL);
  self->db_path = g_strdup (db_path);
  return self;
}

void
lean_devlog_sender_set_settings (LeanDevlogSender         *self,
                                 const LeanDevlogSettings *settings)
{
  g_return_if_fail (LEAN_IS_DEVLOG_SENDER (self));

  g_mutex_lock (&self->lock);
  lean_devlog_settings_free (self->settings);
  self->settings = settings != NULL ? lean_devlog_settings_copy (settings) : NULL;
  self->settings_gen++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
lean_devlog_sender_start (LeanDevlogSender *self)
{
  g_return_if_fail (LEAN_IS_DEVLOG_SENDER (self));

  if (self->thread != NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  g_mutex_unlock (&self->lock);
  g_cancellable_reset (self->cancellable);
  self->thread = g_thread_new ("devlog-sender", sender_thread, self);
}

void
lean_devlog_sender_stop (LeanDevlogSender *self)
{
  g_return_if_fail (LEAN_IS_DEVLOG_SENDER (self));

  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
}

void
lean_devlog_sender_kick (LeanDevlogSender *self)
{
  g_return_if_fail (LEAN_IS_DEVLOG_SENDER (self));

  g_mutex_lock (&self->lock);
  self->kicked = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

gboolean
lean_devlog_sender_wait_empty (LeanDevlogSender *self,
                               gint64            timeout_usec)
{
  gint64 end = g_get_monotonic_time () + timeout_usec;
  guint64 target;
  gboolean ok;

  g_return_val_if_fail (LEAN_IS_DEVLOG_SENDER (self), FALSE);

  g_mutex_lock (&self->lock);
  if (!lean_devlog_settings_is_enabled (self->settings) || self->thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  target = self->empty_seen + 1;
  self->kicked = TRUE;
  g_cond_broadcast (&self->cond);
  while (self->empty_seen < target && !self->stopping)
    if (!g_cond_wait_until (&self->cond, &self->lock, end))
      break;
  ok = self->empty_seen >= target;
  g_mutex_unlock (&self->lock);
  return ok;
}

guint64
lean_devlog_sender_get_posts (LeanDevlogSender *self)
{
  guint64 posts;

  g_return_val_if_fail (LEAN_IS_DEVLOG_SENDER (self), 0);

  g_mutex_lock (&self->lock);
  posts = self->posts;
  g_mutex_unlock (&self->lock);
  return posts;
}

void
_lean_devlog_sender_set_backoff (LeanDevlogSender *self,
                                 gint64            min_usec,
                                 gint64            max_usec)
{
  g_mutex_lock (&self->lock);
  self->backoff_min = MAX (min_usec, 1);
  self->backoff_max = MAX (max_usec, self->backoff_min);
  g_mutex_unlock (&self->lock);
}

/* ---- status and Test Connection, on worker threads ---- */

static void
status_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(sqlite3) db = lean_devlog_outbox_open (task_data, &error);
  LeanDevlogStatus *status = db != NULL ? lean_devlog_outbox_status (db, &error) : NULL;

  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, (GDestroyNotify)lean_devlog_status_free);
}

void
lean_devlog_status_read_async (const char          *db_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lean_devlog_status_read_async);
  g_task_set_task_data (task, g_strdup (db_path), g_free);
  g_task_run_in_thread (task, status_thread);
}

gpointer
lean_devlog_status_read_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  LeanDevlogSettings *settings;
  char               *token;
} TestData;

static void
test_data_free (TestData *td)
{
  lean_devlog_settings_free (td->settings);
  g_free (td->token);
  g_free (td);
}

static void
test_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *td = task_data;
  g_autoptr(SoupSession) soup = new_soup ();
  g_autoptr(GError) error = NULL;
  LeanDevlogKind kind = td->settings->kind;
  g_autofree char *token = td->token != NULL ? g_strdup (td->token)
                           : lean_devlog_token_lookup_sync (td->settings->url, cancellable,
                                                            NULL);

  if (kind == LEAN_DEVLOG_KIND_AUTO &&
      !probe_kind (soup, td->settings->url, &kind, cancellable, &error))
    {
      g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                               _("Devlog at %s did not answer: %s"), td->settings->url,
                               error->message);
      return;
    }

  if (kind == LEAN_DEVLOG_KIND_COLLECTOR)
    {
      g_autofree char *url = endpoint (td->settings->url, "/health");
      g_autoptr(GBytes) body = NULL;
      guint status = http_request (soup, "GET", url, NULL, NULL, &body, cancellable, &error);

      if (!is_collector_health (status, body))
        {
          g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                                   status == 0 ? _("Devlog at %s did not answer: %s")
                                               : _("%s does not answer as a Devlog collector "
                                                   "(GET /health: %s)"),
                                   td->settings->url,
                                   status == 0 ? error->message
                                               : soup_status_get_phrase (status) ?: "?");
          return;
        }
    }
  else
    {
      /* An empty batch stores nothing and proves the address and token. */
      g_autofree char *url = endpoint (td->settings->url, "/api/events/batch");
      g_autoptr(GBytes) empty = g_bytes_new_static ("[]", 2);
      g_autoptr(GBytes) body = NULL;
      guint status = http_request (soup, "POST", url, token, empty, &body, cancellable,
                                   &error);

      if (!SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          g_autofree char *text = body_text (body);

          if (status == 0)
            g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                                     _("Devlog at %s did not answer: %s"), td->settings->url,
                                     error->message);
          else if (status == 401 || status == 403)
            g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                                     _("Devlog refused the token (%u)"), status);
          else
            g_task_return_new_error (task, LEAN_ERROR, LEAN_ERROR_CONNECTION,
                                     _("Devlog answered %u %s %s"), status,
                                     soup_status_get_phrase (status) ?: "", text);
          return;
        }
    }
  g_task_return_int (task, kind);
}

void
lean_devlog_test_connection_async (const LeanDevlogSettings *settings,
                                   const char               *token,
                                   GCancellable             *cancellable,
                                   GAsyncReadyCallback       callback,
                                   gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TestData *td = g_new0 (TestData, 1);

  g_return_if_fail (lean_devlog_settings_is_enabled (settings));

  td->settings = lean_devlog_settings_copy (settings);
  td->token = g_strdup (token);
  g_task_set_source_tag (task, lean_devlog_test_connection_async);
  g_task_set_task_data (task, td, (GDestroyNotify)test_data_free);
  g_task_run_in_thread (task, test_thread);
}

gboolean
lean_devlog_test_connection_finish (GAsyncResult    *result,
                                    LeanDevlogKind  *kind,
                                    GError         **error)
{
  gssize value = g_task_propagate_int (G_TASK (result), error);

  if (value < 0)
    return FALSE;
  if (kind != NULL)
    *kind = value;
  return TRUE;
}
