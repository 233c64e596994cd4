/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-session-replay.h"
#include "lean-terminal-view.h"

/* The longest pause played, at 1x. */
#define IDLE_LIMIT_USEC (2 * G_USEC_PER_SEC)

struct _LeanSessionReplay
{
  AdwWindow      parent_instance;

  LeanSessionDb *db;
  char          *session_id;
  GtkWidget     *terminal;
  GtkDropDown   *speed_dropdown;
  GCancellable  *cancellable;

  GPtrArray     *chunks;     /* LeanOutputChunk, NULL while loading */
  GArray        *at;         /* gint64: when to play each chunk at 1x, from 0 */
  guint          next;
  guint          speed;
  gint64         origin;     /* monotonic time at which position 0 played */
  guint          timer;
  gboolean       finished;
};

G_DEFINE_FINAL_TYPE (LeanSessionReplay, lean_session_replay, ADW_TYPE_WINDOW)

enum { PROP_0, PROP_SPEED, PROP_FINISHED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const guint speeds[] = { 1, 2, 8 };

static void schedule (LeanSessionReplay *self);

static void
set_finished (LeanSessionReplay *self,
              gboolean           finished)
{
  if (self->finished == finished)
    return;
  self->finished = finished;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
}

/* The replay position (1x microseconds from the first chunk) now. */
static gint64
position (LeanSessionReplay *self)
{
  return (g_get_monotonic_time () - self->origin) * self->speed;
}

static gboolean
on_tick (gpointer data)
{
  LeanSessionReplay *self = data;
  gint64 now = position (self);

  self->timer = 0;
  while (self->next < self->chunks->len && g_array_index (self->at, gint64, self->next) <= now)
    {
      LeanOutputChunk *chunk = g_ptr_array_index (self->chunks, self->next);

      lean_terminal_view_feed (LEAN_TERMINAL_VIEW (self->terminal), chunk->bytes);
      self->next++;
    }
  schedule (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (LeanSessionReplay *self)
{
  gint64 wait_usec;

  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->chunks == NULL)
    return;
  if (self->next >= self->chunks->len)
    {
      set_finished (self, TRUE);
      return;
    }
  wait_usec = (g_array_index (self->at, gint64, self->next) - position (self)) / self->speed;
  self->timer = g_timeout_add (CLAMP (wait_usec / 1000, 0, G_MAXINT), on_tick, self);
}

void
lean_session_replay_restart (LeanSessionReplay *self)
{
  g_return_if_fail (LEAN_IS_SESSION_REPLAY (self));

  lean_terminal_view_reset (LEAN_TERMINAL_VIEW (self->terminal));
  self->next = 0;
  self->origin = g_get_monotonic_time ();
  set_finished (self, FALSE);
  schedule (self);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LeanSessionReplay *self;
  g_autoptr(GError) error = NULL;
  GPtrArray *chunks = g_task_propagate_pointer (G_TASK (result), &error);
  gint64 t = 0;

  if (chunks == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("replay: %s", error->message);
      return;
    }
  self = LEAN_SESSION_REPLAY (user_data);
  self->chunks = chunks;
  self->at = g_array_sized_new (FALSE, FALSE, sizeof (gint64), chunks->len);
  for (guint i = 0; i < chunks->len; i++)
    {
      LeanOutputChunk *chunk = g_ptr_array_index (chunks, i);

      if (i > 0)
        {
          LeanOutputChunk *prev = g_ptr_array_index (chunks, i - 1);
          t += CLAMP (chunk->ts - prev->ts, 0, IDLE_LIMIT_USEC);
        }
      g_array_append_val (self->at, t);
    }
  lean_session_replay_restart (self);
}

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LeanSessionReplay *self = source;
  GError *error = NULL;
  GPtrArray *chunks = lean_session_db_read_timed_output (self->db, self->session_id,
                                                         LEAN_OUTPUT_CHANNEL_DISPLAY, &error);

  if (chunks == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, chunks, (GDestroyNotify) g_ptr_array_unref);
}

void
lean_session_replay_set_speed (LeanSessionReplay *self,
                               guint              speed)
{
  gint64 pos;

  g_return_if_fail (LEAN_IS_SESSION_REPLAY (self));
  g_return_if_fail (speed == 1 || speed == 2 || speed == 8);

  if (self->speed == speed)
    return;
  /* Keep the position: only what comes next plays faster or slower. */
  pos = position (self);
  self->speed = speed;
  self->origin = g_get_monotonic_time () - pos / speed;
  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (speeds[i] == speed && gtk_drop_down_get_selected (self->speed_dropdown) != i)
      gtk_drop_down_set_selected (self->speed_dropdown, i);
  schedule (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

guint
lean_session_replay_get_speed (LeanSessionReplay *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_REPLAY (self), 1);
  return self->speed;
}

gboolean
lean_session_replay_get_finished (LeanSessionReplay *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_REPLAY (self), FALSE);
  return self->finished;
}

GtkWidget *
lean_session_replay_get_terminal (LeanSessionReplay *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_REPLAY (self), NULL);
  return self->terminal;
}

static void
on_speed_selected (LeanSessionReplay *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_dropdown);

  if (i < G_N_ELEMENTS (speeds))
    lean_session_replay_set_speed (self, speeds[i]);
}

static void
lean_session_replay_dispose (GObject *object)
{
  LeanSessionReplay *self = LEAN_SESSION_REPLAY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->chunks, g_ptr_array_unref);
  g_clear_pointer (&self->at, g_array_unref);
  g_clear_pointer (&self->session_id, g_free);
  G_OBJECT_CLASS (lean_session_replay_parent_class)->dispose (object);
}

static void
lean_session_replay_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LeanSessionReplay *self = LEAN_SESSION_REPLAY (object);

  switch (prop_id)
    {
    case PROP_SPEED:    g_value_set_uint (value, self->speed); break;
    case PROP_FINISHED: g_value_set_boolean (value, self->finished); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_replay_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SPEED:
      lean_session_replay_set_speed (LEAN_SESSION_REPLAY (object), g_value_get_uint (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_replay_class_init (LeanSessionReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_session_replay_dispose;
  object_class->get_property = lean_session_replay_get_property;
  object_class->set_property = lean_session_replay_set_property;

  properties[PROP_SPEED] =
    g_param_spec_uint ("speed", NULL, NULL, 1, 8, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_session_replay_init (LeanSessionReplay *self)
{
  const char *labels[] = { _("1×"), _("2×"), _("8×"), NULL };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *restart = gtk_button_new_from_icon_name ("media-skip-backward-symbolic");

  self->speed = 1;
  self->cancellable = g_cancellable_new ();
  self->speed_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (labels));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speed_dropdown), _("Replay speed"));
  gtk_widget_set_tooltip_text (restart, _("Replay from the start"));
  g_signal_connect_object (self->speed_dropdown, "notify::selected",
                           G_CALLBACK (on_speed_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (restart, "clicked", G_CALLBACK (lean_session_replay_restart), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), restart);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->speed_dropdown));
  gtk_box_append (GTK_BOX (box), header);

  self->terminal = lean_terminal_view_new ();
  lean_terminal_view_set_input_enabled (LEAN_TERMINAL_VIEW (self->terminal), FALSE);
  gtk_widget_set_vexpand (self->terminal, TRUE);
  gtk_box_append (GTK_BOX (box), self->terminal);
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 520);
}

LeanSessionReplay *
lean_session_replay_new (GtkWindow     *parent,
                         LeanSessionDb *db,
                         LeanSession   *session)
{
  LeanSessionReplay *self = g_object_new (LEAN_TYPE_SESSION_REPLAY, NULL);
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = g_strdup_printf (_("Replay of %s"),
                                            lean_session_get_spec_id (session) ?: "");

  gtk_window_set_title (GTK_WINDOW (self), title);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->db = g_object_ref (db);
  self->session_id = g_strdup (lean_session_get_id (session));

  task = g_task_new (self, self->cancellable, on_read, self);
  g_task_set_source_tag (task, lean_session_replay_new);
  g_task_run_in_thread (task, read_thread);
  return self;
}
