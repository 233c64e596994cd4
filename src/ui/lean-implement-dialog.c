/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-implement-dialog.h"
#include "lean-prompt.h"
#include "lean-relay-config.h"
#include "lean-session-ui-private.h"
#include "lean-trust-dialog.h"

struct _LeanImplementDialog
{
  AdwWindow          parent_instance;

  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkWidget         *start_button;
  AdwComboRow       *agent_row;
  AdwActionRow      *install_row;
  GtkWidget         *review_button;
  GtkWidget         *copy_button;
  AdwComboRow       *mode_row;
  AdwEntryRow       *model_row;
  AdwComboRow       *runner_row;
  GtkSwitch         *worktree_switch;
  AdwExpanderRow    *ralph_row;
  GtkSpinButton     *ralph_iterations;
  GtkSwitch         *ralph_critic;
  GtkSwitch         *ralph_phases;
  GtkSwitch         *ralph_guided;
  GtkSpinButton     *ralph_max_tokens;
  GtkSpinButton     *ralph_max_cost;
  GtkSpinButton     *ralph_max_minutes;
  GtkTextView       *prompt_view;

  LeanController    *controller;
  LeanAgentRegistry *registry;
  LeanProject       *project;
  LeanSpec          *spec;
  GPtrArray         *specs;

  GtkSortListModel  *agents;
  GtkSorter         *sorter;
  GPtrArray         *runner_specs;   /* "local", "relay:NAME[/RUNNER]" */
  char              *built_prompt;
  GCancellable      *cancellable;
  LeanTrustDialog   *trust_dialog;   /* weak, while it is open */
  gboolean           asked_trust;    /* the first map asked already */
  gboolean           agent_chosen;   /* a caller chose the agent: the probe keeps it */
};

G_DEFINE_FINAL_TYPE (LeanImplementDialog, lean_implement_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SESSION_STARTED,
  SIGNAL_RALPH_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static LeanAgent *
selected_agent (LeanImplementDialog *self)
{
  return adw_combo_row_get_selected_item (self->agent_row);
}

static LeanSessionMode
selected_mode (LeanImplementDialog *self)
{
  return adw_combo_row_get_selected (self->mode_row) == 1 ? LEAN_SESSION_MODE_GUIDED
                                                          : LEAN_SESSION_MODE_AUTONOMOUS;
}

/* On an agent-relay runner the agent's CLI runs on another machine: whether
 * it is installed on this one does not matter. */
static gboolean
runs_on_relay (LeanImplementDialog *self)
{
  guint pos;

  if (self->runner_specs == NULL || self->runner_specs->len == 0)
    return FALSE;
  pos = MIN (adw_combo_row_get_selected (self->runner_row), self->runner_specs->len - 1);
  return g_str_has_prefix (g_ptr_array_index (self->runner_specs, pos), "relay:");
}

gboolean
lean_implement_dialog_get_ready (LeanImplementDialog *self)
{
  LeanAgent *agent;

  g_return_val_if_fail (LEAN_IS_IMPLEMENT_DIALOG (self), FALSE);

  agent = selected_agent (self);
  return self->built_prompt != NULL && agent != NULL && lean_agent_get_trusted (agent) &&
         (lean_agent_get_installed (agent) || runs_on_relay (self)) &&
         lean_agent_supports_mode (agent, selected_mode (self));
}

static void
update_state (LeanImplementDialog *self)
{
  LeanAgent *agent = selected_agent (self);
  gboolean show_hint = FALSE;
  gboolean show_review = FALSE;

  if (agent != NULL && !lean_agent_get_trusted (agent))
    {
      g_autofree char *name = lean_trust_escape (lean_agent_get_name (agent), FALSE);
      g_autofree char *title = g_strdup_printf (_("%s comes from this project and is not "
                                                  "trusted"), name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->install_row), title);
      adw_action_row_set_subtitle (self->install_row,
                                   _("Review what it would run before it can start"));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "implement.copy-hint", FALSE);
      show_hint = show_review = TRUE;
    }
  else if (agent != NULL && !lean_agent_get_installed (agent) && !runs_on_relay (self))
    {
      const char *hint = lean_agent_get_install_hint (agent);
      g_autofree char *name = lean_trust_escape (lean_agent_get_name (agent), FALSE);
      g_autofree char *title = g_strdup_printf (_("%s is not installed"), name);
      g_autofree char *shown = hint != NULL ? lean_trust_escape (hint, FALSE) : NULL;
      /* A hint from a project file is only words to read: copying it would
       * put the project's command on the person's clipboard. */
      gboolean copyable = hint != NULL &&
                          lean_agent_get_source (agent) != LEAN_AGENT_SOURCE_PROJECT;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->install_row), title);
      adw_action_row_set_subtitle (self->install_row,
                                   shown != NULL ? shown : _("Install it and make sure it is "
                                                             "on your PATH"));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "implement.copy-hint", copyable);
      show_hint = TRUE;
    }
  else if (agent != NULL && !lean_agent_supports_mode (agent, selected_mode (self)))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->install_row),
                                     _("This agent has no guided mode"));
      adw_action_row_set_subtitle (self->install_row,
                                   _("Choose Autonomous, or another agent"));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "implement.copy-hint", FALSE);
      show_hint = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->install_row), show_hint);
  gtk_widget_set_visible (self->review_button, show_review);
  gtk_widget_set_visible (self->copy_button, !show_review);

  if (agent != NULL)
    {
      const char *model = lean_agent_get_default_model (agent);
      g_autofree char *subtitle = NULL;

      /* AdwEntryRow has no placeholder in 1.2; say the default in the
       * tooltip instead. */
      subtitle = model != NULL ? g_strdup_printf (_("Default: %s"), model)
                               : g_strdup (_("Leave empty for the agent's default model"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_row), subtitle);
    }

  /* A worktree is made here; a relay session runs in the runner's folder. */
  if (runs_on_relay (self))
    gtk_switch_set_active (self->worktree_switch, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->worktree_switch), !runs_on_relay (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "implement.start",
                                 lean_implement_dialog_get_ready (self));
}

/* Agents */

static int
installed_first (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  gboolean ia = lean_agent_get_installed ((LeanAgent *) a) && lean_agent_get_trusted ((LeanAgent *) a);
  gboolean ib = lean_agent_get_installed ((LeanAgent *) b) && lean_agent_get_trusted ((LeanAgent *) b);

  /* The sort is stable, so within each group the registry's order stays. */
  return (int) ib - (int) ia;
}

static char *
agent_label (LeanAgent *agent)
{
  if (agent == NULL)
    return NULL;
  return lean_trust_escape (lean_agent_get_name (agent), FALSE);
}

static void
setup_agent_item (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (detail), 48);
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_widget_add_css_class (box, "agent-row");
  gtk_list_item_set_child (item, box);
}

static void
bind_agent_item (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  LeanAgent *agent = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  g_autofree char *text = NULL;

  g_autofree char *name_text = lean_trust_escape (lean_agent_get_name (agent), FALSE);
  g_autofree char *state = NULL;

  gtk_label_set_text (GTK_LABEL (name), name_text);
  if (!lean_agent_get_trusted (agent))
    state = g_strdup (_("not trusted"));
  else if (lean_agent_get_installed (agent))
    state = lean_trust_escape (lean_agent_get_version (agent) ?: lean_agent_get_executable (agent),
                               FALSE);
  else if (lean_agent_get_install_hint (agent) != NULL)
    {
      g_autofree char *hint = lean_trust_escape (lean_agent_get_install_hint (agent), FALSE);
      /* Translators: shown under a missing agent, with its install command */
      state = g_strdup_printf (_("Not installed · %s"), hint);
    }
  else
    state = g_strdup (_("Not installed"));
  if (lean_agent_get_source (agent) == LEAN_AGENT_SOURCE_PROJECT)
    /* Translators: under an agent defined in the project's runners.json */
    text = g_strdup_printf (_("From this project · %s"), state);
  else
    text = g_steal_pointer (&state);
  gtk_label_set_text (GTK_LABEL (detail), text);
  gtk_widget_set_sensitive (name, lean_agent_get_installed (agent) &&
                                  lean_agent_get_trusted (agent));
}

static gboolean
select_agent_by_id (LeanImplementDialog *self,
                    const char          *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->agents));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanAgent) agent = g_list_model_get_item (G_LIST_MODEL (self->agents), i);

      if (g_strcmp0 (lean_agent_get_id (agent), id) == 0)
        {
          adw_combo_row_set_selected (self->agent_row, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* The registry's default, unless it is a project agent the person has not
 * trusted: then the first usable agent, so Start works with a builtin. */
static gboolean
select_default_agent (LeanImplementDialog *self)
{
  const char *id = lean_agent_registry_get_default_id (self->registry);
  LeanAgent *agent = lean_agent_registry_lookup (self->registry, id);
  guint n;

  if (agent == NULL || lean_agent_get_trusted (agent))
    return select_agent_by_id (self, id);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->agents));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LeanAgent) item = g_list_model_get_item (G_LIST_MODEL (self->agents), i);

      if (lean_agent_get_trusted (item) && lean_agent_get_installed (item))
        {
          adw_combo_row_set_selected (self->agent_row, i);
          return TRUE;
        }
    }
  return select_agent_by_id (self, "claude");
}

gboolean
lean_implement_dialog_select_agent (LeanImplementDialog *self,
                                    const char          *id)
{
  g_return_val_if_fail (LEAN_IS_IMPLEMENT_DIALOG (self), FALSE);
  self->agent_chosen = select_agent_by_id (self, id);
  return self->agent_chosen;
}

static void
on_registry_refreshed (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LeanImplementDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *keep = NULL;
  LeanAgent *agent;

  if (!lean_agent_registry_refresh_finish (LEAN_AGENT_REGISTRY (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Re-sort now that we know what is installed, keeping the choice, or
   * picking the default when nothing was chosen yet. */
  agent = selected_agent (self);
  keep = g_strdup (agent != NULL ? lean_agent_get_id (agent) : NULL);
  gtk_sorter_changed (self->sorter, GTK_SORTER_CHANGE_DIFFERENT);
  if (!(self->agent_chosen && keep != NULL && select_agent_by_id (self, keep)) &&
      !select_default_agent (self) && keep != NULL)
    select_agent_by_id (self, keep);
  update_state (self);
}

/* Modes */

static void
mode_item_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (subtitle), 36);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (item, box);
}

static void
mode_item_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkStringObject *string = gtk_list_item_get_item (item);
  const char *subtitle;

  /* The order of the modes in lean-implement-dialog.ui. */
  if (gtk_list_item_get_position (item) == 1)
    subtitle = _("Runs in the terminal and asks you before it changes things");
  else
    subtitle = _("Works on its own, without asking, until the spec is done");
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_first_child (box)),
                       gtk_string_object_get_string (string));
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (box)), subtitle);
}

static void
explain_modes (LeanImplementDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (mode_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (mode_item_bind), NULL);
  adw_combo_row_set_list_factory (self->mode_row, factory);
}

/* Runners */

static void
fill_runners (LeanImplementDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *path = lean_relay_config_get_default_path ();
  g_autoptr(LeanRelayConfig) config = lean_relay_config_new (path);

  self->runner_specs = g_ptr_array_new_with_free_func (g_free);
  gtk_string_list_append (labels, _("This Computer"));
  g_ptr_array_add (self->runner_specs, g_strdup ("local"));

  /* agent-relay servers the person configured; a missing file is normal. */
  if (lean_relay_config_load (config, NULL))
    {
      for (guint i = 0; i < lean_relay_config_get_n_servers (config); i++)
        {
          const LeanRelayServer *server = lean_relay_config_get_server (config, i);

          if (server->runner_ids == NULL || server->runner_ids[0] == NULL)
            {
              g_autofree char *label = g_strdup_printf (_("Relay “%s”"), server->name);
              gtk_string_list_append (labels, label);
              g_ptr_array_add (self->runner_specs, g_strdup_printf ("relay:%s", server->name));
              continue;
            }
          for (guint j = 0; server->runner_ids[j] != NULL; j++)
            {
              g_autofree char *label = g_strdup_printf (_("Relay “%s”, runner %s"),
                                                        server->name, server->runner_ids[j]);
              gtk_string_list_append (labels, label);
              g_ptr_array_add (self->runner_specs,
                               g_strdup_printf ("relay:%s/%s", server->name,
                                                server->runner_ids[j]));
            }
        }
    }

  adw_combo_row_set_model (self->runner_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->runner_row, 0);

  /* The project's default runner (Preferences), when it is still offered. */
  {
    const char *preferred =
      lean_relay_config_get_project_runner (config, lean_project_get_root (self->project));

    for (guint i = 0; preferred != NULL && i < self->runner_specs->len; i++)
      if (g_strcmp0 (g_ptr_array_index (self->runner_specs, i), preferred) == 0)
        adw_combo_row_set_selected (self->runner_row, i);
  }
}

/* Prompt */

typedef struct
{
  LeanProject *project;
  LeanSpec    *spec;
  GPtrArray   *specs;
} PromptData;

static void
prompt_data_free (PromptData *data)
{
  g_clear_object (&data->project);
  g_clear_object (&data->spec);
  g_clear_pointer (&data->specs, g_ptr_array_unref);
  g_free (data);
}

static void
build_prompt_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PromptData *data = task_data;
  g_autoptr(GError) error = NULL;
  char *prompt;

  prompt = lean_prompt_build (data->project, data->specs, data->spec, &error);

  if (prompt == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, prompt, g_free);
}

static void
on_prompt_built (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LeanImplementDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (prompt == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      g_autofree char *text = g_strdup_printf (_("The prompt could not be built: %s"), escaped);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      return;
    }

  self->built_prompt = g_steal_pointer (&prompt);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->prompt_view),
                            self->built_prompt, -1);
  update_state (self);
}

static void
build_prompt (LeanImplementDialog *self)
{
  g_autoptr(GTask) task = NULL;
  PromptData *data = g_new0 (PromptData, 1);

  data->project = g_object_ref (self->project);
  data->spec = g_object_ref (self->spec);
  data->specs = self->specs != NULL ? g_ptr_array_ref (self->specs) : NULL;

  task = g_task_new (NULL, self->cancellable, on_prompt_built, g_object_ref (self));
  g_task_set_source_tag (task, build_prompt);
  g_task_set_task_data (task, data, (GDestroyNotify) prompt_data_free);
  g_task_run_in_thread (task, build_prompt_thread);
}

/* Actions */

LeanSessionRequest *
lean_implement_dialog_dup_request (LeanImplementDialog *self)
{
  LeanSessionRequest *request;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  const char *model;
  const char *runner;
  LeanAgent *agent;

  g_return_val_if_fail (LEAN_IS_IMPLEMENT_DIALOG (self), NULL);

  agent = selected_agent (self);
  if (self->built_prompt == NULL || agent == NULL)
    return NULL;

  buffer = gtk_text_view_get_buffer (self->prompt_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  model = gtk_editable_get_text (GTK_EDITABLE (self->model_row));
  runner = g_ptr_array_index (self->runner_specs,
                              MIN (adw_combo_row_get_selected (self->runner_row),
                                   self->runner_specs->len - 1));

  request = lean_session_request_new ();
  request->project_path = g_strdup (lean_project_get_root (self->project));
  request->spec_id = g_strdup (lean_spec_get_id (self->spec));
  request->agent_id = g_strdup (lean_agent_get_id (agent));
  /* Loaded and probed here: the controller need not read it again. */
  request->agent = g_object_ref (agent);
  request->mode = selected_mode (self);
  request->model = model != NULL && *model ? g_strstrip (g_strdup (model)) : NULL;
  request->prompt = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  request->runner = g_strcmp0 (runner, "local") == 0 ? NULL : g_strdup (runner);
  request->use_worktree = gtk_switch_get_active (self->worktree_switch);
  /* The application moves the spec when the session starts
   * (set-in-progress-on-start), not the controller. */
  request->set_in_progress = FALSE;
  return request;
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  LeanImplementDialog *self = LEAN_IMPLEMENT_DIALOG (widget);
  g_autoptr(LeanSessionRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  if (!lean_implement_dialog_get_ready (self))
    return;

  request = lean_implement_dialog_dup_request (self);
  if (request->prompt == NULL || strspn (request->prompt, " \t\r\n") == strlen (request->prompt))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("The prompt is empty: write what the "
                                                    "agent should do, or press Reset")));
      return;
    }

  /* The window runs the loop: it loads and trusts the project's checks
   * first, and shows the chain. */
  if (adw_expander_row_get_enable_expansion (self->ralph_row))
    {
      g_signal_emit (self, signals[SIGNAL_RALPH_REQUESTED], 0);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  session = lean_controller_start (self->controller, request, &error);
  if (session == NULL)
    {
      /* A toast title is markup; the message may quote a project file. */
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SESSION_STARTED], 0, session);
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
lean_implement_dialog_get_ralph (LeanImplementDialog *self,
                                 LeanRalphSettings   *settings,
                                 gboolean            *critic)
{
  g_return_val_if_fail (LEAN_IS_IMPLEMENT_DIALOG (self), FALSE);

  if (settings != NULL)
    {
      *settings = (LeanRalphSettings) { 0 };
      settings->max_iterations = (guint) gtk_spin_button_get_value_as_int (self->ralph_iterations);
      settings->phases = gtk_switch_get_active (self->ralph_phases);
      settings->guided = gtk_switch_get_active (self->ralph_guided);
      settings->max_tokens = (guint64) gtk_spin_button_get_value (self->ralph_max_tokens);
      settings->max_cost_usd = gtk_spin_button_get_value (self->ralph_max_cost);
      settings->max_minutes = (guint) gtk_spin_button_get_value_as_int (self->ralph_max_minutes);
    }
  if (critic != NULL)
    *critic = gtk_switch_get_active (self->ralph_critic);
  return adw_expander_row_get_enable_expansion (self->ralph_row);
}

/* Every iteration works in the same folder: no new worktree each time. */
static void
on_ralph_enabled (LeanImplementDialog *self)
{
  gboolean ralph = adw_expander_row_get_enable_expansion (self->ralph_row);

  if (ralph)
    gtk_switch_set_active (self->worktree_switch, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->worktree_switch), !ralph);
}

static void
reset_prompt_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  LeanImplementDialog *self = LEAN_IMPLEMENT_DIALOG (widget);

  if (self->built_prompt != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->prompt_view),
                              self->built_prompt, -1);
}

static void
copy_hint_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  LeanImplementDialog *self = LEAN_IMPLEMENT_DIALOG (widget);
  LeanAgent *agent = selected_agent (self);

  if (agent == NULL || lean_agent_get_install_hint (agent) == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          lean_agent_get_install_hint (agent));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Copied")));
}

/* Trust */

static void
on_trust_decided (LeanTrustDialog     *dialog,
                  gboolean             trusted,
                  LeanImplementDialog *self)
{
  LeanAgent *agent = selected_agent (self);
  g_autofree char *keep = g_strdup (agent != NULL ? lean_agent_get_id (agent) : NULL);
  g_autoptr(GError) error = NULL;

  if (!trusted)
    {
      /* The builtins stay usable: move off an agent that cannot start. */
      if (agent != NULL && !lean_agent_get_trusted (agent))
        select_default_agent (self);
      update_state (self);
      return;
    }

  /* Load again: the agents of the trusted content replace the untrusted
   * ones, and are probed now. */
  lean_agent_registry_load (self->registry, lean_project_get_root (self->project), &error);
  if (keep == NULL || !select_agent_by_id (self, keep))
    select_default_agent (self);
  update_state (self);
  lean_agent_registry_refresh_async (self->registry, self->cancellable,
                                     on_registry_refreshed, g_object_ref (self));
}

static gboolean ask_trust_once (gpointer data);

static void
on_registry_loaded (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LeanImplementDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lean_agent_registry_load_finish (LEAN_AGENT_REGISTRY (object), result, &error))
    {
      g_autofree char *escaped = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      escaped = g_markup_escape_text (error->message, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
    }
  if (!self->agent_chosen)
    select_default_agent (self);
  update_state (self);
  /* The project's own commands are known now: ask about them if shown. */
  ask_trust_once (self);
  lean_agent_registry_refresh_async (self->registry, self->cancellable,
                                     on_registry_refreshed, g_object_ref (self));
}

static void
ask_trust (LeanImplementDialog *self)
{
  LeanTrustRequest *request = lean_agent_registry_get_trust_request (self->registry);

  if (request == NULL || request->state == LEAN_TRUST_TRUSTED || self->trust_dialog != NULL)
    return;

  self->trust_dialog = lean_trust_dialog_new (GTK_WINDOW (self), request,
                                              lean_agent_registry_get_trust_store (self->registry));
  g_object_add_weak_pointer (G_OBJECT (self->trust_dialog), (gpointer *)&self->trust_dialog);
  g_signal_connect_object (self->trust_dialog, "decided", G_CALLBACK (on_trust_decided), self, 0);
  gtk_window_present (GTK_WINDOW (self->trust_dialog));
}

static gboolean
ask_trust_once (gpointer data)
{
  LeanImplementDialog *self = data;
  LeanTrustRequest *request = lean_agent_registry_get_trust_request (self->registry);

  /* Ask once, when the project has commands of its own that are not
   * trusted and the person did not say no to this content already. */
  if (self->asked_trust || !gtk_widget_get_mapped (GTK_WIDGET (self)) || request == NULL ||
      request->state == LEAN_TRUST_TRUSTED || request->commands->len == 0 ||
      lean_trust_store_is_declined (lean_agent_registry_get_trust_store (self->registry),
                                    request->path, request->sha256))
    return G_SOURCE_REMOVE;
  self->asked_trust = TRUE;
  ask_trust (self);
  return G_SOURCE_REMOVE;
}

static void
on_map (GtkWidget *widget)
{
  /* After this window is on screen, so the question stacks above it. */
  g_idle_add_full (G_PRIORITY_LOW, ask_trust_once, g_object_ref (widget), g_object_unref);
}

static void
review_trust_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ask_trust (LEAN_IMPLEMENT_DIALOG (widget));
}

/* GObject */

static void
lean_implement_dialog_dispose (GObject *object)
{
  LeanImplementDialog *self = LEAN_IMPLEMENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->trust_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->trust_dialog));
  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_IMPLEMENT_DIALOG);
  g_clear_object (&self->agents);
  g_clear_object (&self->controller);
  g_clear_object (&self->registry);
  g_clear_object (&self->project);
  g_clear_object (&self->spec);
  g_clear_pointer (&self->specs, g_ptr_array_unref);
  g_clear_pointer (&self->runner_specs, g_ptr_array_unref);

  G_OBJECT_CLASS (lean_implement_dialog_parent_class)->dispose (object);
}

static void
lean_implement_dialog_finalize (GObject *object)
{
  LeanImplementDialog *self = LEAN_IMPLEMENT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->built_prompt);

  G_OBJECT_CLASS (lean_implement_dialog_parent_class)->finalize (object);
}

static void
lean_implement_dialog_class_init (LeanImplementDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lean_implement_dialog_dispose;
  object_class->finalize = lean_implement_dialog_finalize;

  signals[SIGNAL_SESSION_STARTED] =
    g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LEAN_TYPE_SESSION);
  signals[SIGNAL_RALPH_REQUESTED] =
    g_signal_new ("ralph-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "implement.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "implement.reset-prompt", NULL,
                                   reset_prompt_action);
  gtk_widget_class_install_action (widget_class, "implement.copy-hint", NULL,
                                   copy_hint_action);
  gtk_widget_class_install_action (widget_class, "implement.review-trust", NULL,
                                   review_trust_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "implement.start", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-implement-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, agent_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, install_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, review_button);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, mode_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, model_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, runner_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, worktree_switch);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, prompt_view);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_row);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_iterations);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_critic);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_phases);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_guided);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_max_tokens);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_max_cost);
  gtk_widget_class_bind_template_child (widget_class, LeanImplementDialog, ralph_max_minutes);
}

static void
lean_implement_dialog_init (LeanImplementDialog *self)
{
  _lean_session_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "implement.start", FALSE);
  g_signal_connect_object (self->ralph_row, "notify::enable-expansion",
                           G_CALLBACK (on_ralph_enabled), self, G_CONNECT_SWAPPED);
}

LeanImplementDialog *
lean_implement_dialog_new (GtkWindow         *parent,
                           LeanController    *controller,
                           LeanAgentRegistry *registry,
                           LeanProject       *project,
                           LeanSpec          *spec,
                           GPtrArray         *specs)
{
  LeanImplementDialog *self;
  GtkListItemFactory *factory;
  GtkExpression *expression;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LEAN_IS_CONTROLLER (controller), NULL);
  g_return_val_if_fail (registry == NULL || LEAN_IS_AGENT_REGISTRY (registry), NULL);
  g_return_val_if_fail (LEAN_IS_PROJECT (project), NULL);
  g_return_val_if_fail (LEAN_IS_SPEC (spec), NULL);

  self = g_object_new (LEAN_TYPE_IMPLEMENT_DIALOG, "transient-for", parent, NULL);
  self->controller = g_object_ref (controller);
  self->project = g_object_ref (project);
  self->spec = g_object_ref (spec);
  self->specs = specs != NULL ? g_ptr_array_ref (specs) : NULL;

  /* Without a registry, the builtins are listed at once and the runner
   * files' agents join them when they are read (off the main loop). */
  self->registry = registry != NULL ? g_object_ref (registry) : lean_agent_registry_new ();

  adw_window_title_set_subtitle (self->window_title, lean_spec_get_title (spec));

  self->sorter = GTK_SORTER (gtk_custom_sorter_new (installed_first, NULL, NULL));
  self->agents = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->registry)),
                                          self->sorter);
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (agent_label), NULL, NULL);
  adw_combo_row_set_expression (self->agent_row, expression);
  gtk_expression_unref (expression);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_agent_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_agent_item), NULL);
  adw_combo_row_set_list_factory (self->agent_row, factory);
  g_object_unref (factory);
  adw_combo_row_set_model (self->agent_row, G_LIST_MODEL (self->agents));
  select_default_agent (self);

  g_signal_connect_object (self->agent_row, "notify::selected", G_CALLBACK (update_state),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (update_state),
                           self, G_CONNECT_SWAPPED);

  fill_runners (self);
  explain_modes (self);
  g_signal_connect_object (self->runner_row, "notify::selected", G_CALLBACK (update_state),
                           self, G_CONNECT_SWAPPED);
  update_state (self);

  if (registry != NULL)
    lean_agent_registry_refresh_async (self->registry, self->cancellable,
                                       on_registry_refreshed, g_object_ref (self));
  else
    lean_agent_registry_load_async (self->registry, lean_project_get_root (project),
                                    self->cancellable, on_registry_loaded, g_object_ref (self));
  build_prompt (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);

  return self;
}
