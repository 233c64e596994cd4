/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <string.h>

#include "lean-terminal-view-private.h"

/* Why the feeding works the way it does:
 *
 * vte_terminal_feed() only appends to VTE's input queue; VTE parses that
 * queue later, from its own timeout on the main loop, and parses all of it
 * at once. So the cost of a feed is paid outside the call, as a frame that
 * comes late. Timing the call itself measures nothing; instead the view
 * watches the frame clock: every tick it compares the gap since the previous
 * tick with the display's refresh interval, and the lateness of a frame
 * after a slice tells how fast VTE parsed it. From that rate the next slice
 * is sized to cost about budget_us of parsing. Small writes at a normal rate
 * skip the queue entirely (they are handed to VTE at once, so the latency is
 * VTE's own), and when the backlog grows past what could be shown in about
 * half a second the old part is dropped with a visible note. */

#define DEFAULT_MAX_BACKLOG   (4 * 1024 * 1024)
#define DEFAULT_KEEP_TAIL     (256 * 1024)
#define DEFAULT_BUDGET_US     7000
#define MIN_SLICE             (16 * 1024)
#define MAX_SLICE             (1024 * 1024)
/* VTE parses well over 10 MB/s on anything that runs GNOME; a floor keeps a
 * machine busy with other work (late frames for reasons that are not VTE)
 * from shrinking the slices to nothing. */
#define MIN_RATE              8.0      /* bytes per µs = MB/s */
#define MAX_RATE              150.0
#define INITIAL_RATE          16.0
#define MIN_FLOOD_BACKLOG     (512 * 1024)
#define MAX_BACKLOG_DRAIN_US  (300 * 1000)
#define SCROLLBACK_LINES      10000

struct _LeanTerminalView
{
  GtkWidget       parent_instance;

  GtkWidget      *scroller;
  VteTerminal    *terminal;
  GtkWidget      *menu;

  /* Bytes not yet handed to VTE: GBytes in order, the first one consumed up
   * to head_offset. */
  GQueue          chunks;
  gsize           head_offset;
  guint64         queued;

  guint64         elided;         /* total dropped as floods */
  guint64         elided_pending; /* dropped since the last note was shown */

  guint           tick_id;
  gint64          last_tick_us;
  gsize           fed_last_tick;
  gsize           fed_this_frame;
  gint64          fast_since_us;  /* start of the fast path's current frame */
  double          rate;           /* estimated VTE parse rate, bytes per µs */
  char            last_fed_byte;

  gsize           max_backlog;
  gsize           keep_tail;
  guint           budget_us;

  guint           rows, cols;
  guint           resize_idle_id;

  /* Set when a slice was fed and VTE has not said it parsed it yet
   * ("contents-changed"); see lean_terminal_view_tick(). */
  gboolean        awaiting_ack;
  guint           ticks_waiting;
  guint           ack_timeout_id;

  LeanTerminalViewFeedHook feed_hook;
  gpointer        feed_hook_data;

  guint           input_enabled : 1;
};

G_DEFINE_FINAL_TYPE (LeanTerminalView, lean_terminal_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INPUT_ENABLED,
  PROP_QUEUED_BYTES,
  PROP_ELIDED_BYTES,
  N_PROPS
};

enum {
  SIGNAL_INPUT,
  SIGNAL_RESIZE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The GNOME palette as GNOME Console and Ptyxis use it. */
static const char * const palette_hex[16] = {
  "#241f31", "#c01c28", "#2ec27e", "#f5c211",
  "#1e78e4", "#9841bb", "#0ab9dc", "#c0bfbc",
  "#5e5c64", "#ed333b", "#57e389", "#f8e45c",
  "#51a1ff", "#c061cb", "#4fd2fd", "#f6f5f4",
};

static void lean_terminal_view_ensure_tick (LeanTerminalView *self);

static void
apply_colors (LeanTerminalView *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (manager);
  GdkRGBA palette[16];
  GdkRGBA fg, bg;

  for (guint i = 0; i < G_N_ELEMENTS (palette_hex); i++)
    gdk_rgba_parse (&palette[i], palette_hex[i]);

  if (dark)
    {
      gdk_rgba_parse (&fg, "#ffffff");
      gdk_rgba_parse (&bg, "#1e1e1e");
    }
  else
    {
      gdk_rgba_parse (&fg, "#1e1e1e");
      gdk_rgba_parse (&bg, "#ffffff");
    }

  vte_terminal_set_colors (self->terminal, &fg, &bg, palette, G_N_ELEMENTS (palette));
  vte_terminal_set_bold_is_bright (self->terminal, FALSE);

  if (dark)
    gtk_widget_add_css_class (GTK_WIDGET (self), "dark");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "dark");
}

static void
on_dark_changed (LeanTerminalView *self)
{
  apply_colors (self);
}

static void
apply_font (LeanTerminalView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *font_name = NULL;
  g_autoptr(PangoFontDescription) desc = NULL;

  /* The system's monospace font, like Console; a plain fallback where the
   * GNOME schema is not installed (other desktops, CI). */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "monospace-font-name"))
    {
      g_autoptr(GSettings) settings = g_settings_new ("org.gnome.desktop.interface");
      font_name = g_settings_get_string (settings, "monospace-font-name");
    }
  if (font_name == NULL || font_name[0] == '\0')
    {
      g_free (font_name);
      font_name = g_strdup ("Monospace 11");
    }

  desc = pango_font_description_from_string (font_name);
  vte_terminal_set_font (self->terminal, desc);
}

/* Queue handling */

static void
queue_clear (LeanTerminalView *self)
{
  g_queue_clear_full (&self->chunks, (GDestroyNotify) g_bytes_unref);
  self->head_offset = 0;
  self->queued = 0;
}

/* Position just after the first newline of the head chunk, or the first
 * UTF-8 character start, so a tail after elision starts on a clean line. */
static void
queue_align_head (LeanTerminalView *self)
{
  GBytes *head = g_queue_peek_head (&self->chunks);
  const guint8 *data;
  gsize len, start, limit;
  const guint8 *nl;

  if (head == NULL)
    return;

  data = g_bytes_get_data (head, &len);
  start = self->head_offset;
  limit = MIN (len - start, 64 * 1024);
  nl = memchr (data + start, '\n', limit);

  if (nl != NULL && (gsize) (nl + 1 - data) < len)
    {
      gsize skip = (nl + 1 - data) - start;
      self->head_offset += skip;
      self->queued -= skip;
      self->elided += skip;
      self->elided_pending += skip;
      return;
    }

  while (self->head_offset < len && (data[self->head_offset] & 0xC0) == 0x80)
    {
      self->head_offset++;
      self->queued--;
      self->elided++;
      self->elided_pending++;
    }
}

/* Drops the oldest queued bytes, keeping the last keep_tail. */
static void
queue_elide (LeanTerminalView *self)
{
  while (self->queued > self->keep_tail)
    {
      GBytes *head = g_queue_peek_head (&self->chunks);
      gsize avail = g_bytes_get_size (head) - self->head_offset;
      gsize excess = self->queued - self->keep_tail;

      if (avail <= excess)
        {
          g_bytes_unref (g_queue_pop_head (&self->chunks));
          self->head_offset = 0;
          self->queued -= avail;
          self->elided += avail;
          self->elided_pending += avail;
        }
      else
        {
          self->head_offset += excess;
          self->queued -= excess;
          self->elided += excess;
          self->elided_pending += excess;
        }
    }

  queue_align_head (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELIDED_BYTES]);
}

static gsize
flood_threshold (LeanTerminalView *self)
{
  /* What can be shown in about 0.3 s at the current rate, but never
   * less than 512 KiB nor more than max_backlog. */
  double frames = (double) MAX_BACKLOG_DRAIN_US / 16667.0;
  double shown = self->rate * self->budget_us * frames;
  gsize limit = (gsize) CLAMP (shown, (double) MIN_FLOOD_BACKLOG, (double) self->max_backlog);

  return MAX (limit, self->keep_tail * 2);
}

static void
feed_raw (LeanTerminalView *self,
          const char       *data,
          gsize             len)
{
  if (len == 0)
    return;

  if (self->feed_hook != NULL)
    self->feed_hook (self, data, len, self->feed_hook_data);
  vte_terminal_feed (self->terminal, data, len);
  self->fed_this_frame += len;
  self->last_fed_byte = data[len - 1];
}

static void
feed_elision_note (LeanTerminalView *self)
{
  g_autofree char *size = g_format_size (self->elided_pending);
  g_autofree char *note = NULL;

  /* Reset SGR so the note is dim whatever colour the dropped bytes left on,
   * and again after it so the tail starts from plain attributes. */
  note = g_strdup_printf ("%s\033[0m\033[2m── %s elided, full log in history ──\033[0m\r\n",
                          self->last_fed_byte == '\n' || self->last_fed_byte == 0 ? "" : "\033[0m\r\n",
                          size);
  self->elided_pending = 0;
  feed_raw (self, note, strlen (note));
}

/* Hands up to @max bytes from the queue to VTE, preferring to stop after a
 * newline or at least on a UTF-8 character boundary. */
static void
feed_from_queue (LeanTerminalView *self,
                 gsize             max)
{
  gsize remaining = max;

  if (self->elided_pending > 0)
    feed_elision_note (self);

  while (remaining > 0 && self->queued > 0)
    {
      GBytes *head = g_queue_peek_head (&self->chunks);
      gsize len;
      const char *data = g_bytes_get_data (head, &len);
      const char *p = data + self->head_offset;
      gsize avail = len - self->head_offset;
      gsize n = MIN (avail, remaining);

      if (n < avail)
        {
          const char *nl = NULL;

          /* Stop after a newline when one is close to the cut. */
          if (n > 4096)
            {
              const char *from = p + n - 4096;
              const char *q = from;
              const char *found;

              while ((found = memchr (q, '\n', (p + n) - q)) != NULL)
                {
                  nl = found;
                  q = found + 1;
                }
            }
          if (nl != NULL)
            n = (nl + 1) - p;
          else
            while (n > 0 && (((guchar) p[n]) & 0xC0) == 0x80)
              n--;
          if (n == 0)
            n = MIN (avail, remaining);
        }

      feed_raw (self, p, n);
      self->head_offset += n;
      self->queued -= n;
      remaining -= MIN (remaining, n);

      if (self->head_offset == len)
        {
          g_bytes_unref (g_queue_pop_head (&self->chunks));
          self->head_offset = 0;
        }
    }
}

static gsize
current_slice (LeanTerminalView *self)
{
  double slice = self->rate * self->budget_us;

  return (gsize) CLAMP (slice, (double) MIN_SLICE, (double) MAX_SLICE);
}

static void
update_rate (LeanTerminalView *self,
             GdkFrameClock    *clock,
             gint64            now)
{
  gint64 refresh_interval = 16667;
  gint64 gap, excess;

  if (self->last_tick_us == 0 || self->fed_last_tick == 0)
    return;

  gdk_frame_clock_get_refresh_info (clock, gdk_frame_clock_get_frame_time (clock),
                                    &refresh_interval, NULL);
  if (refresh_interval <= 0)
    refresh_interval = 16667;

  gap = now - self->last_tick_us;
  excess = gap - refresh_interval;

  if (excess > (gint64) self->budget_us)
    {
      /* The frame came late by more than the budget: VTE took about
       * `excess` µs for what it got, so that is its rate. Move towards it
       * quickly, as a late frame is what we are here to prevent. */
      double sample = (double) self->fed_last_tick / (double) excess;
      self->rate = MIN (self->rate * 0.8, 0.3 * self->rate + 0.7 * sample);
    }
  else if (excess < (gint64) self->budget_us / 3 &&
           self->fed_last_tick * 2 >= current_slice (self))
    {
      /* On time with a near-full slice: VTE kept up, probe a bit higher. */
      self->rate *= 1.15;
    }

  self->rate = CLAMP (self->rate, MIN_RATE, MAX_RATE);
}

static gboolean
ack_timeout (gpointer user_data)
{
  LeanTerminalView *self = user_data;

  /* A slice that changed nothing on screen is never acknowledged. */
  self->ack_timeout_id = 0;
  self->awaiting_ack = FALSE;
  if (self->queued > 0 || self->elided_pending > 0)
    lean_terminal_view_ensure_tick (self);
  return G_SOURCE_REMOVE;
}

static void
on_contents_changed (LeanTerminalView *self)
{
  if (!self->awaiting_ack)
    return;
  self->awaiting_ack = FALSE;
  g_clear_handle_id (&self->ack_timeout_id, g_source_remove);
  if (self->queued > 0 || self->elided_pending > 0)
    lean_terminal_view_ensure_tick (self);
}

static gboolean
lean_terminal_view_tick (GtkWidget     *widget,
                         GdkFrameClock *clock,
                         gpointer       user_data)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);
  gint64 now = g_get_monotonic_time ();

  /* VTE parses from an idle-priority source. When frames come back to back
   * (rendering slower than the refresh rate) that source does not run, and
   * feeding more would only pile bytes up inside VTE. So wait for VTE to
   * acknowledge the last slice, and if it does not within a few frames,
   * stop ticking so the frame clock can rest and VTE gets its turn. */
  if (self->awaiting_ack)
    {
      self->last_tick_us = now;
      self->fed_this_frame = 0;
      if (++self->ticks_waiting < 3)
        return G_SOURCE_CONTINUE;
      if (self->ack_timeout_id == 0)
        self->ack_timeout_id = g_timeout_add_full (G_PRIORITY_LOW, 200, ack_timeout, self, NULL);
      self->tick_id = 0;
      self->last_tick_us = 0;
      return G_SOURCE_REMOVE;
    }

  /* fed_this_frame counts everything handed to VTE since the previous tick
   * (the slice and any fast-path writes): that is what VTE parsed before
   * this frame. */
  self->fed_last_tick = self->fed_this_frame;
  update_rate (self, clock, now);
  self->fed_this_frame = 0;
  self->last_tick_us = now;

  if (self->queued > flood_threshold (self))
    queue_elide (self);

  feed_from_queue (self, current_slice (self));
  if (self->fed_this_frame > 0)
    {
      self->awaiting_ack = TRUE;
      self->ticks_waiting = 0;
    }

  /* Keep ticking one more frame after the last bytes so their cost is
   * measured, then let the frame clock rest. */
  if (self->queued == 0 && self->elided_pending == 0 &&
      self->fed_this_frame == 0 && self->fed_last_tick == 0)
    {
      self->tick_id = 0;
      self->last_tick_us = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
lean_terminal_view_ensure_tick (LeanTerminalView *self)
{
  if (self->tick_id != 0)
    return;

  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                lean_terminal_view_tick,
                                                NULL, NULL);
}

void
lean_terminal_view_feed (LeanTerminalView *self,
                         GBytes           *bytes)
{
  gsize len;
  const char *data;

  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));
  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return;

  /* Without a tick running, the fast path counts its own frames. */
  if (self->tick_id == 0)
    {
      gint64 now = g_get_monotonic_time ();

      if (now - self->fast_since_us > 16667)
        {
          self->fed_this_frame = 0;
          self->fast_since_us = now;
        }
    }

  /* The fast path: nothing waiting and this frame's slice not used up, so
   * hand the bytes to VTE now. This is what keeps latency at a normal rate
   * to VTE's own. */
  if (self->queued == 0 && self->elided_pending == 0 &&
      self->fed_this_frame + len <= current_slice (self))
    {
      /* No tick needed: VTE schedules its own redraw, and keeping the frame
       * clock running at a normal rate would only cost frames. */
      feed_raw (self, data, len);
      return;
    }

  g_queue_push_tail (&self->chunks, g_bytes_ref (bytes));
  self->queued += len;

  /* Bound memory even when no frames tick (unmapped page). */
  if (self->queued > self->max_backlog + self->keep_tail)
    queue_elide (self);

  lean_terminal_view_ensure_tick (self);
}

void
lean_terminal_view_feed_data (LeanTerminalView *self,
                              const char       *data,
                              gsize             len)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));

  if (len == 0)
    return;
  bytes = g_bytes_new (data, len);
  lean_terminal_view_feed (self, bytes);
}

void
lean_terminal_view_reset (LeanTerminalView *self)
{
  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));

  queue_clear (self);
  self->elided_pending = 0;
  self->last_fed_byte = 0;
  self->awaiting_ack = FALSE;
  g_clear_handle_id (&self->ack_timeout_id, g_source_remove);
  vte_terminal_reset (self->terminal, TRUE, TRUE);
}

guint64
lean_terminal_view_get_queued_bytes (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), 0);
  return self->queued;
}

guint64
lean_terminal_view_get_elided_bytes (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), 0);
  return self->elided;
}

gboolean
lean_terminal_view_is_idle (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), TRUE);
  return self->queued == 0 && self->elided_pending == 0;
}

void
lean_terminal_view_set_flood_limits (LeanTerminalView *self,
                                     gsize             max_backlog,
                                     gsize             keep_tail,
                                     guint             budget_us)
{
  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));
  g_return_if_fail (keep_tail > 0 && max_backlog > keep_tail);
  g_return_if_fail (budget_us > 0);

  self->max_backlog = max_backlog;
  self->keep_tail = keep_tail;
  self->budget_us = budget_us;
}

VteTerminal *
lean_terminal_view_get_terminal (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), NULL);
  return self->terminal;
}

void
lean_terminal_view_set_input_enabled (LeanTerminalView *self,
                                      gboolean          enabled)
{
  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));

  enabled = !!enabled;
  if (self->input_enabled == enabled)
    return;

  self->input_enabled = enabled;
  vte_terminal_set_input_enabled (self->terminal, enabled);
  vte_terminal_set_cursor_blink_mode (self->terminal,
                                      enabled ? VTE_CURSOR_BLINK_SYSTEM : VTE_CURSOR_BLINK_OFF);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.paste", enabled);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_ENABLED]);
}

gboolean
lean_terminal_view_get_input_enabled (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), FALSE);
  return self->input_enabled;
}

char *
lean_terminal_view_dup_screen_text (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), NULL);

  /* get_text() is the rows scrolled into view; VTE's adjustment counts from
   * the first retained row, so it cannot feed get_text_range(). */
  return vte_terminal_get_text (self->terminal, NULL, NULL, NULL);
}

void
_lean_terminal_view_set_feed_hook (LeanTerminalView         *self,
                                   LeanTerminalViewFeedHook  hook,
                                   gpointer                  user_data)
{
  g_return_if_fail (LEAN_IS_TERMINAL_VIEW (self));

  self->feed_hook = hook;
  self->feed_hook_data = user_data;
}

double
_lean_terminal_view_get_rate (LeanTerminalView *self)
{
  g_return_val_if_fail (LEAN_IS_TERMINAL_VIEW (self), 0.0);
  return self->rate;
}

/* Input and size */

static void
on_commit (VteTerminal      *terminal,
           const char       *text,
           guint             size,
           LeanTerminalView *self)
{
  g_autoptr(GBytes) bytes = NULL;

  if (!self->input_enabled || size == 0)
    return;

  bytes = g_bytes_new (text, size);
  g_signal_emit (self, signals[SIGNAL_INPUT], 0, bytes);
}

static gboolean
emit_resize_idle (gpointer user_data)
{
  LeanTerminalView *self = user_data;

  self->resize_idle_id = 0;
  g_signal_emit (self, signals[SIGNAL_RESIZE], 0, self->rows, self->cols);
  return G_SOURCE_REMOVE;
}

static void
check_grid_size (LeanTerminalView *self)
{
  guint rows = (guint) vte_terminal_get_row_count (self->terminal);
  guint cols = (guint) vte_terminal_get_column_count (self->terminal);

  if (rows == self->rows && cols == self->cols)
    return;

  self->rows = rows;
  self->cols = cols;

  /* Not from inside size_allocate: handlers write to a PTY and may touch
   * widgets. */
  if (self->resize_idle_id == 0)
    self->resize_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, emit_resize_idle, self, NULL);
}

/* Actions and menu */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  if (vte_terminal_get_has_selection (self->terminal))
    vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  if (self->input_enabled)
    vte_terminal_paste_clipboard (self->terminal);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  vte_terminal_select_all (self->terminal);
}

static void
on_selection_changed (LeanTerminalView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.copy",
                                 vte_terminal_get_has_selection (self->terminal));
}

static void
on_right_click (GtkGestureClick  *gesture,
                int               n_press,
                double            x,
                double            y,
                LeanTerminalView *self)
{
  graphene_point_t point;

  if (!gtk_widget_compute_point (GTK_WIDGET (self->terminal), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    return;

  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* GtkWidget */

static void
lean_terminal_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  gtk_widget_measure (self->scroller, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
lean_terminal_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->menu));
  check_grid_size (self);
}

static gboolean
lean_terminal_view_grab_focus (GtkWidget *widget)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

static void
lean_terminal_view_dispose (GObject *object)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_handle_id (&self->resize_idle_id, g_source_remove);
  g_clear_handle_id (&self->ack_timeout_id, g_source_remove);
  queue_clear (self);

  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->terminal = NULL;

  G_OBJECT_CLASS (lean_terminal_view_parent_class)->dispose (object);
}

static void
lean_terminal_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_INPUT_ENABLED:
      g_value_set_boolean (value, self->input_enabled);
      break;
    case PROP_QUEUED_BYTES:
      g_value_set_uint64 (value, self->queued);
      break;
    case PROP_ELIDED_BYTES:
      g_value_set_uint64 (value, self->elided);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_terminal_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LeanTerminalView *self = LEAN_TERMINAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_INPUT_ENABLED:
      lean_terminal_view_set_input_enabled (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_terminal_view_class_init (LeanTerminalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_terminal_view_dispose;
  object_class->get_property = lean_terminal_view_get_property;
  object_class->set_property = lean_terminal_view_set_property;

  widget_class->measure = lean_terminal_view_measure;
  widget_class->size_allocate = lean_terminal_view_size_allocate;
  widget_class->grab_focus = lean_terminal_view_grab_focus;

  properties[PROP_INPUT_ENABLED] =
    g_param_spec_boolean ("input-enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUEUED_BYTES] =
    g_param_spec_uint64 ("queued-bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELIDED_BYTES] =
    g_param_spec_uint64 ("elided-bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_INPUT] =
    g_signal_new ("input", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_RESIZE] =
    g_signal_new ("resize", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "term.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "term.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "term.select-all", NULL, select_all_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "term.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "term.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "term.select-all",
                                       NULL);

  gtk_widget_class_set_css_name (widget_class, "leanterminalview");
}

static void
lean_terminal_view_init (LeanTerminalView *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkGesture *click;

  g_queue_init (&self->chunks);
  self->rate = INITIAL_RATE;
  self->max_backlog = DEFAULT_MAX_BACKLOG;
  self->keep_tail = DEFAULT_KEEP_TAIL;
  self->budget_us = DEFAULT_BUDGET_US;
  self->input_enabled = TRUE;

  self->terminal = VTE_TERMINAL (vte_terminal_new ());
  vte_terminal_set_scrollback_lines (self->terminal, SCROLLBACK_LINES);
  vte_terminal_set_scroll_on_output (self->terminal, FALSE);
  vte_terminal_set_scroll_on_keystroke (self->terminal, TRUE);
  vte_terminal_set_mouse_autohide (self->terminal, TRUE);
  vte_terminal_set_allow_hyperlink (self->terminal, TRUE);
  vte_terminal_set_audible_bell (self->terminal, FALSE);
  vte_terminal_set_cursor_blink_mode (self->terminal, VTE_CURSOR_BLINK_SYSTEM);
  vte_terminal_set_enable_fallback_scrolling (self->terminal, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->terminal), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->terminal), TRUE);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller),
                                 GTK_WIDGET (self->terminal));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  g_menu_append (menu, _("_Copy"), "term.copy");
  g_menu_append (menu, _("_Paste"), "term.paste");
  g_menu_append (menu, _("Select _All"), "term.select-all");
  self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_right_click), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->terminal), GTK_EVENT_CONTROLLER (click));

  g_signal_connect_object (self->terminal, "commit", G_CALLBACK (on_commit), self, 0);
  g_signal_connect_object (self->terminal, "contents-changed",
                           G_CALLBACK (on_contents_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal, "selection-changed",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.copy", FALSE);

  apply_font (self);
  apply_colors (self);
}

GtkWidget *
lean_terminal_view_new (void)
{
  return g_object_new (LEAN_TYPE_TERMINAL_VIEW, NULL);
}
