/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-chain-view.h"
#include "lean-validation-view.h"

typedef struct
{
  guint           number;
  LeanSession    *session;
  LeanValidation *validation;
  GtkWidget      *row;    /* AdwActionRow */
  GtkWidget      *icon;
} Iteration;

struct _LeanChainView
{
  GtkWidget       parent_instance;

  GtkWidget      *title_label;
  GtkWidget      *status_label;
  GtkWidget      *stop_button;
  GtkWidget      *timeline;
  GtkWidget      *validation_view;
  GtkWidget      *pause_panel;
  GtkWidget      *pause_title;
  GtkWidget      *pause_diff;
  GtkWidget      *feedback_view;
  GtkWidget      *retry_button;

  LeanRalphLoop  *loop;
  GPtrArray      *iterations;   /* Iteration */
  char           *status;
};

enum { OPEN_SESSION, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LeanChainView, lean_chain_view, GTK_TYPE_WIDGET)

static void
iteration_free (gpointer data)
{
  Iteration *it = data;

  g_clear_object (&it->session);
  g_clear_object (&it->validation);
  g_free (it);
}

static Iteration *
find_iteration (LeanChainView *self,
                guint          k)
{
  for (guint i = 0; i < self->iterations->len; i++)
    {
      Iteration *it = g_ptr_array_index (self->iterations, i);

      if (it->number == k)
        return it;
    }
  return NULL;
}

static void
set_icon (GtkWidget  *image,
          const char *icon,
          const char *css)
{
  static const char *classes[] = { "success", "error", "accent", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (image, classes[i]);
  gtk_image_set_from_icon_name (GTK_IMAGE (image), icon);
  if (css != NULL)
    gtk_widget_add_css_class (image, css);
}

/* "Session completed · 2 of 3 checks passed": what the iteration's agent
 * and validation came to. */
static void
update_iteration (LeanChainView *self,
                  Iteration     *it)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (it->session != NULL)
    g_string_append_printf (subtitle, _("Session %s"),
                            lean_session_state_get_label (lean_session_get_state (it->session)));
  if (it->validation == NULL)
    {
      set_icon (it->icon, "media-playback-start-symbolic", "accent");
    }
  else if (!lean_validation_is_finished (it->validation))
    {
      g_string_append (subtitle, _(" · validating…"));
      set_icon (it->icon, "content-loading-symbolic", "accent");
    }
  else if (lean_validation_get_passed (it->validation))
    {
      g_string_append (subtitle, _(" · everything passed"));
      set_icon (it->icon, "emblem-ok-symbolic", "success");
    }
  else
    {
      guint n = lean_validation_get_n_runs (it->validation), failed = 0;
      guint open = g_strv_length ((GStrv) lean_validation_get_open_items (it->validation));

      for (guint i = 0; i < n; i++)
        if (lean_check_run_get_status (lean_validation_get_run (it->validation, i)) !=
            LEAN_CHECK_STATUS_PASSED)
          failed++;
      if (failed > 0)
        g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, " · %u of %u check failed",
                                                       " · %u of %u checks failed", n),
                                failed, n);
      if (open > 0)
        g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, " · %u item open",
                                                       " · %u items open", open), open);
      if (failed == 0 && open == 0)
        g_string_append (subtitle, _(" · failed"));
      set_icon (it->icon, "dialog-error-symbolic", "error");
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (it->row), subtitle->str);
}

static void
update_status (LeanChainView *self)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (self->loop);
  guint k = lean_ralph_chain_get_iteration (chain);
  guint n = lean_ralph_chain_get_max_iterations (chain);
  LeanRalphStop stop = lean_ralph_chain_get_stop (chain);
  gboolean ended = lean_ralph_loop_is_ended (self->loop) ||
                   lean_ralph_chain_get_state (chain) == LEAN_RALPH_STATE_ENDED;

  g_free (self->status);
  switch (lean_ralph_chain_get_state (chain))
    {
    case LEAN_RALPH_STATE_AGENT:
      /* Translators: "Iteration 2 of 10: the agent works" */
      self->status = g_strdup_printf (_("Iteration %u of %u: the agent works"), k, n);
      break;
    case LEAN_RALPH_STATE_VALIDATING:
      self->status = g_strdup_printf (_("Iteration %u of %u: validating"), k, n);
      break;
    case LEAN_RALPH_STATE_PAUSED:
      if (lean_ralph_chain_get_phase (chain) > 0)
        /* Translators: "Checkpoint after phase 1 of 2" */
        self->status = g_strdup_printf (_("Checkpoint after phase %u of %u"),
                                        lean_ralph_chain_get_phase (chain),
                                        lean_ralph_chain_get_n_phases (chain));
      else
        self->status = g_strdup_printf (_("Paused after iteration %u of %u"), k, n);
      break;
    case LEAN_RALPH_STATE_ENDED:
      self->status = g_strdup (lean_ralph_chain_get_stop_message (chain) ?:
                               lean_ralph_stop_get_label (stop));
      break;
    case LEAN_RALPH_STATE_IDLE:
    default:
      self->status = g_strdup (_("Starting…"));
      break;
    }
  gtk_label_set_text (GTK_LABEL (self->status_label), self->status);
  gtk_widget_remove_css_class (self->status_label, "success");
  gtk_widget_remove_css_class (self->status_label, "error");
  gtk_widget_remove_css_class (self->status_label, "dim-label");
  if (ended)
    gtk_widget_add_css_class (self->status_label,
                              stop == LEAN_RALPH_STOP_PASSED ? "success" : "error");
  else
    gtk_widget_add_css_class (self->status_label, "dim-label");
  gtk_widget_set_visible (self->stop_button, !ended);
  lean_validation_view_set_can_send (LEAN_VALIDATION_VIEW (self->validation_view), ended);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), self->status);
  if (lean_ralph_chain_get_state (chain) != LEAN_RALPH_STATE_PAUSED)
    gtk_widget_set_visible (self->pause_panel, FALSE);
}

/* Guided: the chain waits for the person. The panel shows what the next
 * session will be told; at a phase's checkpoint also what the phase
 * changed, and the validation view below shows its checks. */
static void
on_paused (LeanRalphLoop *loop,
           guint          k,
           LeanChainView *self)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  guint phase = lean_ralph_chain_get_phase (chain);
  const char *feedback = lean_ralph_chain_get_feedback (chain);
  g_autofree char *title = NULL;

  update_status (self);
  if (phase > 0)
    {
      const char *heading = lean_ralph_chain_get_phase_title (chain);

      title = heading != NULL && *heading != '\0'
              /* Translators: "Phase 1 of 2 (Core) is done: continue, retry it or stop" */
              ? g_strdup_printf (_("Phase %u of %u (%s) is done: continue, retry it or stop"),
                                 phase, lean_ralph_chain_get_n_phases (chain), heading)
              : g_strdup_printf (_("Phase %u of %u is done: continue, retry it or stop"),
                                 phase, lean_ralph_chain_get_n_phases (chain));
      gtk_label_set_text (GTK_LABEL (self->pause_diff), lean_ralph_loop_get_diff_summary (loop));
    }
  else
    title = g_strdup_printf (_("Iteration %u did not pass: continue with this feedback or stop"),
                             k);
  gtk_label_set_text (GTK_LABEL (self->pause_title), title);
  gtk_widget_set_visible (self->pause_diff, phase > 0);
  gtk_widget_set_visible (self->retry_button, phase > 0);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->feedback_view)),
                            feedback != NULL ? feedback : "", -1);
  gtk_widget_set_visible (self->pause_panel, TRUE);
}

static void
take_feedback (LeanChainView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->feedback_view));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lean_ralph_chain_set_feedback (lean_ralph_loop_get_chain (self->loop), text);
  gtk_widget_set_visible (self->pause_panel, FALSE);
}

static void
on_continue_clicked (LeanChainView *self)
{
  if (lean_ralph_chain_get_state (lean_ralph_loop_get_chain (self->loop)) !=
      LEAN_RALPH_STATE_PAUSED)
    return;
  take_feedback (self);
  lean_ralph_loop_continue (self->loop);
}

static void
on_retry_clicked (LeanChainView *self)
{
  if (lean_ralph_chain_get_state (lean_ralph_loop_get_chain (self->loop)) !=
      LEAN_RALPH_STATE_PAUSED)
    return;
  take_feedback (self);
  lean_ralph_loop_retry_phase (self->loop);
}

static void
on_open_session_clicked (GtkButton     *button,
                         LeanChainView *self)
{
  Iteration *it = find_iteration (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button),
                                                                             "iteration")));

  if (it != NULL && it->session != NULL)
    g_signal_emit (self, signals[OPEN_SESSION], 0, it->session);
}

static void
on_session_state (LeanChainView *self)
{
  for (guint i = 0; i < self->iterations->len; i++)
    update_iteration (self, g_ptr_array_index (self->iterations, i));
}

static void
on_iteration_started (LeanRalphLoop *loop,
                      guint          k,
                      LeanSession   *session,
                      LeanChainView *self)
{
  Iteration *it = g_new0 (Iteration, 1);
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  guint phase = lean_ralph_chain_get_phase (chain);
  g_autofree char *title = NULL;
  GtkWidget *button;

  if (phase > 0)
    {
      const char *heading = lean_ralph_chain_get_phase_title (chain);
      g_autofree char *escaped = g_markup_escape_text (heading != NULL ? heading : "", -1);

      /* Translators: "Iteration 1 · Phase 1 of 2: Core" */
      title = *escaped != '\0'
              ? g_strdup_printf (_("Iteration %u · Phase %u of %u: %s"), k, phase,
                                 lean_ralph_chain_get_n_phases (chain), escaped)
              : g_strdup_printf (_("Iteration %u · Phase %u of %u"), k, phase,
                                 lean_ralph_chain_get_n_phases (chain));
    }
  else
    title = g_strdup_printf (_("Iteration %u"), k);

  it->number = k;
  it->session = session != NULL ? g_object_ref (session) : NULL;
  it->row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (it->row), title);
  it->icon = gtk_image_new ();
  adw_action_row_add_prefix (ADW_ACTION_ROW (it->row), it->icon);
  button = gtk_button_new_from_icon_name ("utilities-terminal-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Show the Iteration’s Session"));
  g_object_set_data (G_OBJECT (button), "iteration", GUINT_TO_POINTER (k));
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_open_session_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (it->row), button);
  g_object_set_data (G_OBJECT (it->row), "iteration", GUINT_TO_POINTER (k));
  g_ptr_array_add (self->iterations, it);
  gtk_list_box_append (GTK_LIST_BOX (self->timeline), it->row);
  if (session != NULL)
    g_signal_connect_object (session, "notify::state", G_CALLBACK (on_session_state), self,
                             G_CONNECT_SWAPPED);
  update_iteration (self, it);
  update_status (self);
}

/* The iteration's validation, as it starts and once it finished. */
static Iteration *
record_validation (LeanChainView  *self,
                   guint           k,
                   LeanValidation *validation)
{
  Iteration *it = find_iteration (self, k);

  if (it == NULL)
    return NULL;
  g_set_object (&it->validation, validation);
  update_iteration (self, it);
  update_status (self);
  return it;
}

static void
on_validation_started (LeanRalphLoop  *loop,
                       guint           k,
                       LeanValidation *validation,
                       LeanChainView  *self)
{
  Iteration *it = record_validation (self, k, validation);

  if (it == NULL)
    return;
  /* The running validation shows as it runs. */
  gtk_list_box_select_row (GTK_LIST_BOX (self->timeline), GTK_LIST_BOX_ROW (it->row));
  lean_validation_view_set_validation (LEAN_VALIDATION_VIEW (self->validation_view), validation);
}

static void
on_validation_finished (LeanRalphLoop  *loop,
                        guint           k,
                        LeanValidation *validation,
                        LeanChainView  *self)
{
  record_validation (self, k, validation);
}

static void
on_row_selected (LeanChainView *self,
                 GtkListBoxRow *row)
{
  Iteration *it;

  if (row == NULL)
    return;
  it = find_iteration (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "iteration")));
  if (it != NULL && it->validation != NULL)
    lean_validation_view_set_validation (LEAN_VALIDATION_VIEW (self->validation_view),
                                         it->validation);
}

static void
on_stop_clicked (LeanChainView *self)
{
  lean_ralph_loop_cancel (self->loop);
}

GtkWidget *
lean_chain_view_new (LeanRalphLoop *loop)
{
  LeanChainView *self;
  LeanRalphChain *chain;
  g_autofree char *title = NULL;

  g_return_val_if_fail (LEAN_IS_RALPH_LOOP (loop), NULL);

  self = g_object_new (LEAN_TYPE_CHAIN_VIEW, NULL);
  self->loop = g_object_ref (loop);
  chain = lean_ralph_loop_get_chain (loop);
  /* Translators: "Ralph Loop on 003-habit-api" */
  title = g_strdup_printf (_("Ralph Loop on %s"), lean_ralph_chain_get_spec_id (chain));
  gtk_label_set_text (GTK_LABEL (self->title_label), title);

  g_signal_connect_object (loop, "iteration-started", G_CALLBACK (on_iteration_started), self, 0);
  g_signal_connect_object (loop, "validation-started", G_CALLBACK (on_validation_started),
                           self, 0);
  g_signal_connect_object (loop, "validation-finished", G_CALLBACK (on_validation_finished),
                           self, 0);
  g_signal_connect_object (loop, "ended", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (loop, "paused", G_CALLBACK (on_paused), self, 0);
  g_signal_connect_object (chain, "notify::state", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  update_status (self);
  return GTK_WIDGET (self);
}

LeanRalphLoop *
lean_chain_view_get_loop (LeanChainView *self)
{
  g_return_val_if_fail (LEAN_IS_CHAIN_VIEW (self), NULL);
  return self->loop;
}

GtkWidget *
lean_chain_view_get_validation_view (LeanChainView *self)
{
  g_return_val_if_fail (LEAN_IS_CHAIN_VIEW (self), NULL);
  return self->validation_view;
}

const char *
lean_chain_view_get_status (LeanChainView *self)
{
  g_return_val_if_fail (LEAN_IS_CHAIN_VIEW (self), NULL);
  return self->status;
}

guint
lean_chain_view_get_n_iterations (LeanChainView *self)
{
  g_return_val_if_fail (LEAN_IS_CHAIN_VIEW (self), 0);
  return self->iterations->len;
}

static void
lean_chain_view_dispose (GObject *object)
{
  LeanChainView *self = LEAN_CHAIN_VIEW (object);
  GtkWidget *child;

  for (guint i = 0; self->iterations != NULL && i < self->iterations->len; i++)
    {
      Iteration *it = g_ptr_array_index (self->iterations, i);

      if (it->session != NULL)
        g_signal_handlers_disconnect_by_data (it->session, self);
    }
  g_clear_pointer (&self->iterations, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_CHAIN_VIEW);
  /* The template's unnamed boxes too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->loop);

  G_OBJECT_CLASS (lean_chain_view_parent_class)->dispose (object);
}

static void
lean_chain_view_finalize (GObject *object)
{
  LeanChainView *self = LEAN_CHAIN_VIEW (object);

  g_free (self->status);

  G_OBJECT_CLASS (lean_chain_view_parent_class)->finalize (object);
}

static void
lean_chain_view_class_init (LeanChainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_chain_view_dispose;
  object_class->finalize = lean_chain_view_finalize;

  signals[OPEN_SESSION] = g_signal_new ("open-session", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, LEAN_TYPE_SESSION);

  g_type_ensure (LEAN_TYPE_VALIDATION_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-chain-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, timeline);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, validation_view);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, pause_panel);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, pause_title);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, pause_diff);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, feedback_view);
  gtk_widget_class_bind_template_child (widget_class, LeanChainView, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_continue_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_set_css_name (widget_class, "leanchainview");
}

static void
lean_chain_view_init (LeanChainView *self)
{
  self->iterations = g_ptr_array_new_with_free_func (iteration_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}
