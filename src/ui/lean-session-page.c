/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-changes-window.h"
#include "lean-error.h"
#include "lean-session-page-private.h"
#include "lean-session-ui-private.h"

/* A guided session that printed and then stayed quiet this long is
 * probably waiting for an answer. */
#define QUIET_SECONDS 8
/* One read of the session log at a time, at most this much. */
#define READ_MAX (1024 * 1024)

struct _LeanSessionPage
{
  GtkWidget         parent_instance;

  GtkWidget        *banner;
  GtkWidget        *state_label;
  GtkWidget        *agent_label;
  GtkWidget        *details_label;
  GtkWidget        *elapsed_label;
  GtkWidget        *controls;
  GtkWidget        *pause_button;
  GtkWidget        *resume_button;
  GtkWidget        *cancel_button;
  GtkWidget        *run_locally_button;
  GtkWidget        *message_revealer;
  GtkWidget        *message_label;
  LeanTerminalView *terminal_view;

  LeanController   *controller;   /* NULL for log pages */
  LeanSessionDb    *db;
  LeanSession      *session;
  char             *agent_name;

  GCancellable     *cancellable;
  LeanSessionLog   *log;          /* what the terminal shows, by offset */
  guint64           shown;        /* display bytes fed to the terminal */
  guint64           replay_end;   /* replaying until this much is shown */
  guint             elapsed_id;
  guint             quiet_id;

  guint             live : 1;
  guint             cursor_hidden : 1;
  guint             replaying : 1;
  guint             reading : 1;
  guint             notified_quiet : 1;
  guint             quiet_seconds;
  /* The timer counts working time: a pause stops it. */
  gint64            paused_total;  /* seconds */
  gint64            paused_since;  /* monotonic µs, 0 when not paused */
  guint             confirm_cancel_after;
};

G_DEFINE_FINAL_TYPE (LeanSessionPage, lean_session_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_REPLAYING,
  PROP_AGENT_NAME,
  N_PROPS
};

enum {
  SIGNAL_NEEDS_INPUT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
session_is_final (LeanSessionPage *self)
{
  return lean_session_state_is_final (lean_session_get_state (self->session));
}

static gboolean
runner_supports_pause (LeanSessionPage *self)
{
  LeanRunner *runner;

  if (self->controller == NULL)
    return FALSE;
  runner = lean_controller_get_runner (self->controller, self->session);
  /* Before the runner exists we cannot tell; assume it can so the button
   * does not flicker for local sessions. */
  if (runner == NULL)
    return g_str_has_prefix (lean_session_get_runner (self->session) ?: "local", "local");
  return lean_runner_supports_pause (runner);
}

/* An ended session's terminal takes no input: no cursor block under the
 * last line. */
static void
hide_cursor_when_done (LeanSessionPage *self)
{
  if (self->cursor_hidden || self->replaying || !session_is_final (self))
    return;
  self->cursor_hidden = TRUE;
  lean_terminal_view_feed_data (self->terminal_view, "\033[?25l", 6);
}

static void
update_input (LeanSessionPage *self)
{
  gboolean enabled = self->live && !self->replaying && !session_is_final (self) &&
                     lean_session_get_mode (self->session) == LEAN_SESSION_MODE_GUIDED;

  lean_terminal_view_set_input_enabled (self->terminal_view, enabled);
  hide_cursor_when_done (self);
}

static gint64
working_seconds (LeanSessionPage *self)
{
  gint64 paused = self->paused_total;

  if (self->paused_since != 0)
    paused += (g_get_monotonic_time () - self->paused_since) / G_TIME_SPAN_SECOND;
  return MAX (0, lean_session_get_elapsed (self->session) - paused);
}

/* Pauses seen by this page; a log page's session shows its whole span. */
static void
track_pause (LeanSessionPage  *self,
             LeanSessionState  state)
{
  if (state == LEAN_SESSION_STATE_PAUSED && self->paused_since == 0)
    self->paused_since = g_get_monotonic_time ();
  else if (state != LEAN_SESSION_STATE_PAUSED && self->paused_since != 0)
    {
      self->paused_total += (g_get_monotonic_time () - self->paused_since) / G_TIME_SPAN_SECOND;
      self->paused_since = 0;
    }
}

static void
update_elapsed (LeanSessionPage *self)
{
  g_autofree char *text = NULL;

  if (lean_session_get_started_at (self->session) == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->elapsed_label), "–:––");
      return;
    }
  text = _lean_session_ui_format_duration (working_seconds (self));
  gtk_label_set_text (GTK_LABEL (self->elapsed_label), text);
}

static gboolean
elapsed_tick (gpointer user_data)
{
  LeanSessionPage *self = user_data;

  update_elapsed (self);
  return G_SOURCE_CONTINUE;
}

static void
update_details (LeanSessionPage *self)
{
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *agent = NULL;
  const char *runner = lean_session_get_runner (self->session);
  const char *model = lean_session_get_model (self->session);
  guint64 in = lean_session_get_input_tokens (self->session);
  guint64 out = lean_session_get_output_tokens (self->session);
  g_autofree char *cost = _lean_session_ui_format_cost (lean_session_get_cost_usd (self->session));
  const char *mode = lean_session_get_mode (self->session) == LEAN_SESSION_MODE_GUIDED
                     ? _("guided") : _("autonomous");

  agent = g_strdup_printf ("%s · %s",
                           self->agent_name ?: lean_session_get_agent_id (self->session),
                           mode);
  gtk_label_set_text (GTK_LABEL (self->agent_label), agent);

  g_string_append (details, lean_session_get_spec_id (self->session) ?: "");
  /* Where it runs: "this computer" or the relay runner. */
  g_string_append_printf (details, " · %s",
                          runner != NULL && *runner && !g_str_equal (runner, "local")
                          ? runner : _("this computer"));
  if (model != NULL && *model)
    g_string_append_printf (details, " · %s", model);
  if (in > 0 || out > 0)
    {
      g_autofree char *tin = _lean_session_ui_format_tokens (in);
      g_autofree char *tout = _lean_session_ui_format_tokens (out);

      /* Translators: token counts, e.g. "12k in · 3.4k out" */
      g_string_append_printf (details, _(" · %s in · %s out"), tin, tout);
    }
  if (cost != NULL)
    g_string_append_printf (details, " · %s", cost);

  gtk_label_set_text (GTK_LABEL (self->details_label), details->str);
}

static void
update_state (LeanSessionPage *self)
{
  LeanSessionState state = lean_session_get_state (self->session);
  gboolean final = lean_session_state_is_final (state);
  gboolean can_pause = runner_supports_pause (self);
  const char *message = lean_session_get_message (self->session);
  gboolean controllable = self->controller != NULL && self->live && !final;

  gtk_label_set_text (GTK_LABEL (self->state_label), lean_session_state_get_label (state));
  _lean_session_ui_set_state_class (self->state_label, state);

  gtk_widget_set_visible (self->controls, controllable);
  gtk_widget_set_visible (self->pause_button, state != LEAN_SESSION_STATE_PAUSED);
  gtk_widget_set_visible (self->resume_button, state == LEAN_SESSION_STATE_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.pause",
                                 controllable && can_pause &&
                                 state == LEAN_SESSION_STATE_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.resume",
                                 controllable && state == LEAN_SESSION_STATE_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.cancel", controllable);
  gtk_widget_set_tooltip_text (self->pause_button,
                               can_pause ? _("Pause the agent")
                                         : _("This runner cannot pause its agent"));

  {
    /* A relay session that could not start or lost its relay: offer the
     * same request on this machine (agent-relay cannot re-attach). */
    const char *runner = lean_session_get_runner (self->session);
    g_autoptr(LeanSessionRequest) request = NULL;
    gboolean offer = FALSE;

    if (self->controller != NULL && self->live && runner != NULL
        && g_str_has_prefix (runner, "relay:")
        && (state == LEAN_SESSION_STATE_FAILED || state == LEAN_SESSION_STATE_INTERRUPTED))
      {
        request = lean_controller_dup_request (self->controller, self->session);
        offer = request != NULL;
      }
    gtk_widget_set_visible (self->run_locally_button, offer);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.run-locally", offer);
  }

  /* A running session's message is a live problem the controller keeps
   * up to date (no network, history not saved): a warning, not an error,
   * since the agent keeps going. */
  if (message != NULL && *message)
    {
      gboolean failed = state == LEAN_SESSION_STATE_FAILED
                        || state == LEAN_SESSION_STATE_INTERRUPTED;

      gtk_label_set_text (GTK_LABEL (self->message_label), message);
      if (failed)
        gtk_widget_add_css_class (self->message_label, "error");
      else
        gtk_widget_remove_css_class (self->message_label, "error");
      if (!final)
        gtk_widget_add_css_class (self->message_label, "warning");
      else
        gtk_widget_remove_css_class (self->message_label, "warning");
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), TRUE);
    }
  else
    gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), FALSE);

  track_pause (self, state);
  if (final || state == LEAN_SESSION_STATE_PENDING || state == LEAN_SESSION_STATE_PAUSED)
    g_clear_handle_id (&self->elapsed_id, g_source_remove);
  else if (self->elapsed_id == 0)
    self->elapsed_id = g_timeout_add_seconds (1, elapsed_tick, self);
  if (final)
    g_clear_handle_id (&self->quiet_id, g_source_remove);

  update_elapsed (self);
  update_input (self);
}

static void
on_session_notify (LeanSessionPage *self,
                   GParamSpec      *pspec)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state") || g_str_equal (name, "message"))
    update_state (self);
  else if (g_str_equal (name, "started-at") || g_str_equal (name, "ended-at"))
    update_elapsed (self);
  else
    update_details (self);
}

/* Output */

static gboolean
quiet_timeout (gpointer user_data)
{
  LeanSessionPage *self = user_data;

  self->quiet_id = 0;
  if (!self->notified_quiet && !session_is_final (self) &&
      lean_session_get_state (self->session) == LEAN_SESSION_STATE_RUNNING)
    {
      self->notified_quiet = TRUE;
      g_signal_emit (self, signals[SIGNAL_NEEDS_INPUT], 0);
    }
  return G_SOURCE_REMOVE;
}

static void
note_live_output (LeanSessionPage *self)
{
  if (lean_session_get_mode (self->session) == LEAN_SESSION_MODE_GUIDED)
    {
      self->notified_quiet = FALSE;
      g_clear_handle_id (&self->quiet_id, g_source_remove);
      self->quiet_id = g_timeout_add_seconds (self->quiet_seconds, quiet_timeout, self);
    }
}

static void
on_bell (LeanSessionPage *self)
{
  if (self->live && !self->replaying && !session_is_final (self))
    g_signal_emit (self, signals[SIGNAL_NEEDS_INPUT], 0);
}

static void
on_terminal_input (LeanSessionPage *self,
                   GBytes          *bytes)
{
  g_autoptr(GError) error = NULL;

  if (self->controller == NULL || !self->live || self->replaying)
    return;

  self->notified_quiet = FALSE;
  if (!lean_controller_send_input (self->controller, self->session, bytes, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->message_label), error->message);
      gtk_widget_add_css_class (self->message_label, "error");
      gtk_widget_remove_css_class (self->message_label, "warning");
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), TRUE);
    }
}

static void
on_terminal_resize (LeanSessionPage *self,
                    guint            rows,
                    guint            cols)
{
  if (self->controller != NULL && self->live && !session_is_final (self))
    lean_controller_resize (self->controller, self->session, rows, cols);
}

/* Output: the session's log, read by offset from what is shown, one read
 * at a time; "appended" starts the next. Attaching to a running session is
 * the same loop from offset 0: no gap, no duplicate. */

static void read_more (LeanSessionPage *self);

static void
finish_replay (LeanSessionPage *self)
{
  if (!self->replaying)
    return;
  self->replaying = FALSE;
  update_input (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLAYING]);
}

static void
show_read_error (LeanSessionPage *self,
                 const GError    *error)
{
  g_autofree char *text = g_strdup_printf (_("The stored log could not be read: %s"),
                                           error->message);
  gtk_label_set_text (GTK_LABEL (self->message_label), text);
  gtk_widget_add_css_class (self->message_label, "error");
  gtk_widget_remove_css_class (self->message_label, "warning");
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), TRUE);
}

static void
on_log_read (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LeanSessionPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = lean_session_log_read_finish (LEAN_SESSION_LOG (object), result,
                                                          &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  if (bytes == NULL)
    {
      show_read_error (self, error);
      finish_replay (self);
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      lean_terminal_view_feed (self->terminal_view, bytes);
      self->shown += g_bytes_get_size (bytes);
      if (!self->replaying && self->live)
        note_live_output (self);
    }
  if (self->replaying && self->shown >= self->replay_end)
    finish_replay (self);
  read_more (self);
}

static void
read_more (LeanSessionPage *self)
{
  if (self->reading || self->log == NULL ||
      self->shown >= lean_session_log_get_length (self->log, LEAN_OUTPUT_CHANNEL_DISPLAY))
    return;
  self->reading = TRUE;
  lean_session_log_read_async (self->log, LEAN_OUTPUT_CHANNEL_DISPLAY, self->shown, READ_MAX,
                               self->cancellable, on_log_read, g_object_ref (self));
}

static void
on_log_appended (LeanSessionPage *self,
                 guint            channel,
                 guint64          offset,
                 guint64          length)
{
  if (channel == LEAN_OUTPUT_CHANNEL_DISPLAY)
    read_more (self);
}

/* A session another process runs: its stored row is the truth. */
static void
on_log_refreshed (LeanSessionPage *self,
                  LeanSession     *stored)
{
  LeanSessionState state = lean_session_get_state (stored);

  lean_session_set_usage (self->session,
                          lean_session_get_input_tokens (stored),
                          lean_session_get_output_tokens (stored),
                          lean_session_get_cache_tokens (stored));
  lean_session_set_cost_usd (self->session, lean_session_get_cost_usd (stored));
  lean_session_set_ended_at (self->session, lean_session_get_ended_at (stored));
  lean_session_set_message (self->session, lean_session_get_message (stored));
  if (state != lean_session_get_state (self->session))
    lean_session_set_state (self->session, state);

  /* The first look tells how much there is to replay. */
  if (self->replaying && self->replay_end == G_MAXUINT64)
    {
      self->replay_end = lean_session_log_get_length (self->log, LEAN_OUTPUT_CHANNEL_DISPLAY);
      if (self->shown >= self->replay_end)
        finish_replay (self);
    }
  read_more (self);
}

static void
follow_log (LeanSessionPage *self,
            LeanSessionLog  *log)
{
  self->log = g_object_ref (log);
  g_signal_connect_object (log, "appended", G_CALLBACK (on_log_appended), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (log, "refreshed", G_CALLBACK (on_log_refreshed), self,
                           G_CONNECT_SWAPPED);
  read_more (self);
}

/* Actions */

static void
show_action_error (LeanSessionPage *self,
                   const GError    *error)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), error->message);
  gtk_widget_add_css_class (self->message_label, "error");
  gtk_widget_remove_css_class (self->message_label, "warning");
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), TRUE);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->controller != NULL &&
      !lean_controller_pause (self->controller, self->session, &error))
    show_action_error (self, error);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->controller != NULL &&
      !lean_controller_resume (self->controller, self->session, &error))
    show_action_error (self, error);
}

static void
on_cancel_response (LeanSessionPage  *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  if (g_str_equal (response, "stop") && self->controller != NULL &&
      !lean_session_state_is_final (lean_session_get_state (self->session)))
    lean_controller_cancel (self->controller, self->session);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);
  g_autofree char *worked = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root;
  AdwMessageDialog *dialog;

  if (self->controller == NULL)
    return;
  /* A slip of the pointer must not throw away a long run. */
  root = gtk_widget_get_root (widget);
  if (working_seconds (self) < self->confirm_cancel_after || !GTK_IS_WINDOW (root))
    {
      lean_controller_cancel (self->controller, self->session);
      return;
    }
  worked = _lean_session_ui_format_duration (working_seconds (self));
  /* Translators: %s is a duration, "12:05" */
  body = g_strdup_printf (_("The agent has worked for %s. What it changed so far stays in "
                            "the project."), worked);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (root), _("Stop the Agent?"),
                                                       body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Working"),
                                    "stop", _("_Stop"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_lean_session_page_set_confirm_cancel_after (LeanSessionPage *self,
                                             guint            seconds)
{
  self->confirm_cancel_after = seconds;
}

static void
run_locally_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(LeanSession) rerun = NULL;
  g_autoptr(GError) error = NULL;

  if (self->controller == NULL)
    return;
  request = lean_controller_dup_request (self->controller, self->session);
  if (request == NULL)
    return;
  g_clear_pointer (&request->runner, g_free);
  /* The spec was already moved forward by the first attempt, if at all. */
  request->set_in_progress = FALSE;
  /* The pane opens a tab for the new session ("session-added"). */
  rerun = lean_controller_start (self->controller, request, &error);
  if (rerun == NULL)
    show_action_error (self, error);
}

/* Construction */

static void
review_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);
  GtkWidget *window = lean_changes_window_new (self->controller, self->db, self->session);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (window));
}

static void
lean_session_page_setup (LeanSessionPage *self)
{
  g_signal_connect_object (self->session, "notify", G_CALLBACK (on_session_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal_view, "input", G_CALLBACK (on_terminal_input),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal_view, "resize", G_CALLBACK (on_terminal_resize),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lean_terminal_view_get_terminal (self->terminal_view), "bell",
                           G_CALLBACK (on_bell), self, G_CONNECT_SWAPPED);

  update_details (self);
  update_state (self);
}

GtkWidget *
lean_session_page_new (LeanController *controller,
                       LeanSession    *session)
{
  LeanSessionPage *self;
  LeanSessionLog *log;

  g_return_val_if_fail (LEAN_IS_CONTROLLER (controller), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  self = g_object_new (LEAN_TYPE_SESSION_PAGE, "session", session, NULL);
  self->controller = g_object_ref (controller);
  self->db = g_object_ref (lean_controller_get_db (controller));
  self->live = TRUE;

  /* What was printed before the page opened is replayed first. */
  log = lean_controller_get_log (controller, session);
  self->replay_end = log ? lean_session_log_get_length (log, LEAN_OUTPUT_CHANNEL_DISPLAY) : 0;
  self->replaying = self->replay_end > 0;
  lean_session_page_setup (self);
  if (log != NULL)
    follow_log (self, log);
  return GTK_WIDGET (self);
}

GtkWidget *
lean_session_page_new_for_log (LeanSessionDb *db,
                               LeanSession   *session)
{
  LeanSessionPage *self;

  g_return_val_if_fail (LEAN_IS_SESSION_DB (db), NULL);
  g_return_val_if_fail (LEAN_IS_SESSION (session), NULL);

  self = g_object_new (LEAN_TYPE_SESSION_PAGE, "session", session, NULL);
  self->db = g_object_ref (db);
  self->live = FALSE;
  self->replaying = TRUE;
  self->replay_end = G_MAXUINT64;  /* known after the log's first look */

  lean_session_page_setup (self);
  {
    g_autoptr(LeanSessionLog) log = lean_session_log_new (db, lean_session_get_id (session));
    follow_log (self, log);
  }
  return GTK_WIDGET (self);
}

LeanSession *
lean_session_page_get_session (LeanSessionPage *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PAGE (self), NULL);
  return self->session;
}

LeanTerminalView *
lean_session_page_get_terminal_view (LeanSessionPage *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PAGE (self), NULL);
  return self->terminal_view;
}

gboolean
lean_session_page_get_replaying (LeanSessionPage *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PAGE (self), FALSE);
  return self->replaying;
}

gboolean
lean_session_page_get_live (LeanSessionPage *self)
{
  g_return_val_if_fail (LEAN_IS_SESSION_PAGE (self), FALSE);
  return self->live;
}

void
lean_session_page_set_agent_name (LeanSessionPage *self,
                                  const char      *name)
{
  g_return_if_fail (LEAN_IS_SESSION_PAGE (self));

  if (g_strcmp0 (self->agent_name, name) != 0)
    {
      g_free (self->agent_name);
      self->agent_name = g_strdup (name);
      update_details (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_NAME]);
    }
}

static gboolean
lean_session_page_grab_focus (GtkWidget *widget)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->terminal_view));
}

static void
lean_session_page_dispose (GObject *object)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->elapsed_id, g_source_remove);
  g_clear_handle_id (&self->quiet_id, g_source_remove);
  if (self->log != NULL)
    g_signal_handlers_disconnect_by_data (self->log, self);
  g_clear_object (&self->log);

  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_SESSION_PAGE);

  G_OBJECT_CLASS (lean_session_page_parent_class)->dispose (object);
}

static void
lean_session_page_finalize (GObject *object)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->controller);
  g_clear_object (&self->db);
  g_clear_object (&self->session);
  g_free (self->agent_name);

  G_OBJECT_CLASS (lean_session_page_parent_class)->finalize (object);
}

static void
lean_session_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_REPLAYING:
      g_value_set_boolean (value, self->replaying);
      break;
    case PROP_AGENT_NAME:
      g_value_set_string (value, self->agent_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LeanSessionPage *self = LEAN_SESSION_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_AGENT_NAME:
      lean_session_page_set_agent_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_session_page_class_init (LeanSessionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_session_page_dispose;
  object_class->finalize = lean_session_page_finalize;
  object_class->get_property = lean_session_page_get_property;
  object_class->set_property = lean_session_page_set_property;

  widget_class->grab_focus = lean_session_page_grab_focus;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LEAN_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLAYING] =
    g_param_spec_boolean ("replaying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT_NAME] =
    g_param_spec_string ("agent-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_NEEDS_INPUT] =
    g_signal_new ("needs-input", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "session.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "session.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "session.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "session.review", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "session.run-locally", NULL,
                                   run_locally_action);

  g_type_ensure (LEAN_TYPE_TERMINAL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-session-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, banner);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, agent_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, details_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, controls);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, run_locally_button);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, LeanSessionPage, terminal_view);
}

static void
lean_session_page_init (LeanSessionPage *self)
{
  _lean_session_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->quiet_seconds = QUIET_SECONDS;
  self->confirm_cancel_after = 60;
}

void
_lean_session_page_set_quiet_seconds (LeanSessionPage *self,
                                      guint            seconds)
{
  g_return_if_fail (LEAN_IS_SESSION_PAGE (self));
  g_return_if_fail (seconds > 0);
  self->quiet_seconds = seconds;
}
