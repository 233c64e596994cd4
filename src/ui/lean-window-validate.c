/* SPDX-License-Identifier: MIT */
/* LeanWindow's validation parts: "Validate" beside "Implement with AI", the
 * pane's Checks tab (a LeanValidationView following the spec shown), "Send
 * Failures to Agent", Ralph loops started from the Implement dialog (a tab
 * each, LeanChainView), and the validation marks on spec rows.
 *
 * The project's checks are loaded off the main loop; a checks.json whose
 * content the person has not trusted is shown in the trust dialog, command
 * by command, before anything runs. Results go to the session database
 * through a LeanValidationStore used only from worker threads, so the last
 * result of each spec is shown again after a restart. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lean-application.h"
#include "lean-chain-view.h"
#include "lean-prompt.h"
#include "lean-ralph-loop.h"
#include "lean-spec-view.h"
#include "lean-trust-dialog.h"
#include "lean-validation-store.h"
#include "lean-validation-view.h"
#include "lean-window-private.h"

#define STORE(self) ((LeanValidationStore *) (self)->validation_store)

static void send_failures (LeanWindow *self, LeanValidationView *view);

static void
toast_error (LeanWindow   *self,
             const char   *format,
             const GError *error)
{
  _lean_window_show_error_toast (self, format, error);
}

static LeanSpecActivity *
get_activity (LeanWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->project == NULL || !LEAN_IS_APPLICATION (app))
    return NULL;
  return lean_application_get_activity (LEAN_APPLICATION (app),
                                        lean_project_get_root (self->project));
}

static void
set_row_mark (LeanWindow         *self,
              const char         *spec_id,
              LeanSpecValidation  mark)
{
  LeanSpecActivity *activity = get_activity (self);

  if (activity != NULL)
    lean_spec_activity_set_validation (activity, spec_id, mark);
}

/* "Phase 2/4" on the spec's row while a phased chain works on it. */
static void
set_row_phase (LeanWindow     *self,
               LeanRalphChain *chain)
{
  LeanSpecActivity *activity = get_activity (self);
  gboolean running = lean_ralph_chain_get_state (chain) != LEAN_RALPH_STATE_ENDED;

  if (activity != NULL)
    lean_spec_activity_set_phase (activity, lean_ralph_chain_get_spec_id (chain),
                                  running ? lean_ralph_chain_get_phase (chain) : 0,
                                  lean_ralph_chain_get_n_phases (chain));
}

static LeanSpec *
shown_spec (LeanWindow *self)
{
  if (self->spec_view == NULL || self->store == NULL)
    return NULL;
  return lean_spec_view_get_spec (LEAN_SPEC_VIEW (self->spec_view));
}

/* ------------------------------------------------------------------ */
/* The store, from worker threads only                                 */

typedef enum
{
  OP_ADD,
  OP_LOAD,
  OP_LATEST,
  OP_LINK,
  OP_SAVE_CHAIN,
} OpKind;

typedef struct
{
  OpKind               kind;
  char                *db_path;
  LeanSessionDb       *db;
  LeanValidationStore *store;      /* in: the window's, if open; out: the one used */
  LeanValidation      *validation; /* ADD; LOAD's result */
  LeanRalphChain      *chain;      /* SAVE_CHAIN (ended: nothing changes it now) */
  char                *spec_id;
  char                *session_id;
  char                *chain_id;
  char                *work_dir;   /* LATEST; SAVE_CHAIN's project */
  char                *agent_id;
  guint                iteration;
  gint64               id;         /* LOAD's in, ADD's out */
  gboolean             select;     /* LOAD: bring the Checks tab forward */
  GHashTable          *latest;     /* LATEST's result */
} StoreOp;

static void
store_op_free (gpointer data)
{
  StoreOp *op = data;

  g_free (op->db_path);
  g_clear_object (&op->db);
  g_clear_object (&op->store);
  g_clear_object (&op->validation);
  g_clear_object (&op->chain);
  g_free (op->spec_id);
  g_free (op->session_id);
  g_free (op->chain_id);
  g_free (op->work_dir);
  g_free (op->agent_id);
  g_clear_pointer (&op->latest, g_hash_table_unref);
  g_free (op);
}

static void
store_op_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  StoreOp *op = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (op->store == NULL)
    {
      op->store = lean_validation_store_open (op->db_path, &error);
      if (op->store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      lean_validation_store_set_session_db (op->store, op->db);
    }

  switch (op->kind)
    {
    case OP_ADD:
      op->id = lean_validation_store_add_validation (op->store, op->validation, op->session_id,
                                                     op->chain_id, op->iteration, &error);
      ok = op->id > 0;
      break;
    case OP_LOAD:
      g_clear_object (&op->validation);
      op->validation = lean_validation_store_load_validation (op->store, op->id, &error);
      ok = op->validation != NULL;
      break;
    case OP_LATEST:
      op->latest = lean_validation_store_list_latest (op->store, op->work_dir, &error);
      ok = op->latest != NULL;
      break;
    case OP_LINK:
      ok = lean_validation_store_link_session (op->store, op->session_id,
                                               LEAN_SESSION_KIND_IMPLEMENT, op->chain_id,
                                               op->iteration, &error);
      break;
    case OP_SAVE_CHAIN:
      ok = lean_validation_store_save_chain (op->store, op->chain, op->work_dir, op->agent_id,
                                             &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* NULL when the window has no sessions database to keep results in. */
static StoreOp *
store_op_new (LeanWindow *self,
              OpKind      kind)
{
  StoreOp *op;

  if (self->controller == NULL)
    return NULL;
  op = g_new0 (StoreOp, 1);
  op->kind = kind;
  op->db = g_object_ref (lean_controller_get_db (self->controller));
  op->db_path = g_strdup (lean_session_db_get_path (op->db));
  if (self->validation_store != NULL)
    op->store = g_object_ref (STORE (self));
  return op;
}

static void
store_op_run (LeanWindow          *self,
              StoreOp             *op,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_task_data (task, op, store_op_free);
  g_task_run_in_thread (task, store_op_thread);
}

/* The op's result, or NULL once its error was said in a toast made of
 * @error_format (a log line when NULL: nothing the person asked for).
 * Keeps the store the op opened for the next ops. */
static StoreOp *
store_op_finish (LeanWindow   *self,
                 GAsyncResult *result,
                 const char   *error_format)
{
  StoreOp *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (op->store != NULL && self->validation_store == NULL)
    self->validation_store = g_object_ref (G_OBJECT (op->store));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    return op;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  if (error_format != NULL)
    toast_error (self, error_format, error);
  else
    g_warning ("stored validations not read: %s", error->message);
  return NULL;
}

static void
on_store_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  StoreOp *op = store_op_finish (self, result, _("The validation could not be stored: %s"));

  if (op == NULL)
    return;
  if (op->kind == OP_ADD && self->latest_ids != NULL)
    {
      gint64 *id = g_new (gint64, 1);

      *id = lean_validation_get_passed (op->validation) ? op->id : -op->id;
      g_hash_table_replace (self->latest_ids,
                            g_strdup (lean_validation_get_spec_id (op->validation)), id);
    }
}

static void
store_validation (LeanWindow     *self,
                  LeanValidation *validation,
                  const char     *session_id,
                  const char     *chain_id,
                  guint           iteration)
{
  StoreOp *op = store_op_new (self, OP_ADD);

  if (op == NULL)
    return;
  op->validation = g_object_ref (validation);
  op->session_id = g_strdup (session_id);
  op->chain_id = g_strdup (chain_id);
  op->iteration = iteration;
  store_op_run (self, op, on_store_written, NULL);
}

/* ------------------------------------------------------------------ */
/* The Checks tab                                                      */

/* A tab's title from @format ("Checks · %.*s") and the spec's number. */
static char *
tab_title (const char *format,
           const char *spec_id)
{
  const char *dash = strchr (spec_id, '-');

  return g_strdup_printf (format, dash != NULL ? (int) (dash - spec_id) : (int) strlen (spec_id),
                          spec_id);
}

static const char *
validation_icon (LeanValidation *validation)
{
  if (validation == NULL || !lean_validation_is_finished (validation))
    return "content-loading-symbolic";
  return lean_validation_get_passed (validation) ? "emblem-ok-symbolic"
                                                 : "dialog-error-symbolic";
}

static void
update_checks_tab (LeanWindow *self)
{
  LeanValidation *validation;
  g_autofree char *title = NULL;

  if (self->validation_view == NULL || gtk_widget_get_parent (self->validation_view) == NULL ||
      self->pane == NULL)
    return;
  validation = lean_validation_view_get_validation (LEAN_VALIDATION_VIEW (self->validation_view));
  /* Translators: a tab's title, "Checks · 003" */
  title = tab_title (_("Checks · %.*s"), self->validation_spec ?: "");
  {
    AdwTabView *tabs = lean_session_pane_get_tab_view (self->pane);
    AdwTabPage *page = adw_tab_view_get_page (tabs, self->validation_view);
    g_autoptr(GIcon) icon = g_themed_icon_new (validation_icon (validation));

    adw_tab_page_set_title (page, title);
    adw_tab_page_set_icon (page, icon);
  }
}

static void
on_checks_finished (LeanWindow     *self,
                    LeanValidation *validation)
{
  set_row_mark (self, lean_validation_get_spec_id (validation),
                lean_validation_get_passed (validation) ? LEAN_SPEC_VALIDATION_PASSED
                                                        : LEAN_SPEC_VALIDATION_FAILED);
  update_checks_tab (self);
  store_validation (self, validation, NULL, NULL, 0);
}

static void
ensure_validation_view (LeanWindow *self)
{
  if (self->validation_view != NULL)
    return;
  /* Kept while the window lives: closing its tab only takes it out of the
   * pane. */
  self->validation_view = g_object_ref_sink (lean_validation_view_new ());
  g_signal_connect_object (self->validation_view, "send-failures", G_CALLBACK (send_failures),
                           self, G_CONNECT_SWAPPED);
}

/* Puts @validation of @spec_id in the Checks tab; @select brings the tab
 * (and the pane) forward. */
static void
show_in_checks_tab (LeanWindow     *self,
                    const char     *spec_id,
                    LeanValidation *validation,
                    gboolean        select)
{
  g_autofree char *title = tab_title (_("Checks · %.*s"), spec_id);

  if (self->pane == NULL)
    return;
  ensure_validation_view (self);
  g_free (self->validation_spec);
  self->validation_spec = g_strdup (spec_id);
  lean_validation_view_set_validation (LEAN_VALIDATION_VIEW (self->validation_view), validation);
  if (select || gtk_widget_get_parent (self->validation_view) == NULL)
    lean_session_pane_show_widget (self->pane, self->validation_view, title,
                                   validation_icon (validation));
  update_checks_tab (self);
}

static void
on_validation_loaded (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  g_autofree char *spec_id = user_data;
  StoreOp *op = store_op_finish (self, result, _("The last validation could not be read: %s"));

  if (op == NULL)
    return;
  /* One run here meanwhile is newer than what was stored. */
  if (g_hash_table_lookup (self->validations, spec_id) == NULL)
    g_hash_table_replace (self->validations, g_strdup (spec_id), g_object_ref (op->validation));
  if (g_strcmp0 (self->validation_spec, spec_id) == 0 || self->validation_spec == NULL)
    show_in_checks_tab (self, spec_id, g_hash_table_lookup (self->validations, spec_id),
                        op->select);
}

/* Shows the spec's validation run here, else the stored one once read. */
static gboolean
show_spec_validation (LeanWindow *self,
                      const char *spec_id,
                      gboolean    select)
{
  LeanValidation *validation = g_hash_table_lookup (self->validations, spec_id);
  gint64 *id = g_hash_table_lookup (self->latest_ids, spec_id);
  StoreOp *op;

  if (validation != NULL)
    {
      show_in_checks_tab (self, spec_id, validation, select);
      return TRUE;
    }
  if (id == NULL || (op = store_op_new (self, OP_LOAD)) == NULL)
    return FALSE;
  op->id = ABS (*id);
  op->select = select;
  g_free (self->validation_spec);
  self->validation_spec = g_strdup (spec_id);
  store_op_run (self, op, on_validation_loaded, g_strdup (spec_id));
  return TRUE;
}

void
_lean_window_validate_spec_shown (LeanWindow *self)
{
  LeanSpec *spec = shown_spec (self);

  if (self->validate_button != NULL)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-validation",
                                   _lean_window_has_validation (self));
  if (spec == NULL || self->validation_view == NULL ||
      gtk_widget_get_parent (self->validation_view) == NULL ||
      g_strcmp0 (self->validation_spec, lean_spec_get_id (spec)) == 0)
    return;
  /* The open Checks tab follows the spec shown; a spec never validated
   * closes it rather than show another spec's checks under its name. */
  if (!show_spec_validation (self, lean_spec_get_id (spec), FALSE))
    {
      AdwTabView *tabs = lean_session_pane_get_tab_view (self->pane);

      lean_validation_view_set_validation (LEAN_VALIDATION_VIEW (self->validation_view), NULL);
      g_clear_pointer (&self->validation_spec, g_free);
      adw_tab_view_close_page (tabs, adw_tab_view_get_page (tabs, self->validation_view));
    }
}

gboolean
_lean_window_has_validation (LeanWindow *self)
{
  LeanSpec *spec = shown_spec (self);

  return spec != NULL && self->validations != NULL &&
         (g_hash_table_contains (self->validations, lean_spec_get_id (spec)) ||
          g_hash_table_contains (self->latest_ids, lean_spec_get_id (spec)));
}

void
_lean_window_show_validation (LeanWindow *self)
{
  LeanSpec *spec = shown_spec (self);

  if (spec != NULL && !show_spec_validation (self, lean_spec_get_id (spec), TRUE))
    lean_window_add_toast (self, adw_toast_new (_("This spec has not been validated yet")));
}

/* ------------------------------------------------------------------ */
/* Checks, trusted                                                     */

typedef void (*ChecksReady) (LeanWindow      *self,
                             LeanCheckConfig *config,
                             gpointer         data);

typedef struct
{
  LeanWindow      *self;
  ChecksReady      ready;
  gpointer         data;
  GDestroyNotify   destroy;
  LeanCheckConfig *config;
} ChecksWait;

static void
checks_wait_free (ChecksWait *wait)
{
  if (wait->destroy != NULL)
    wait->destroy (wait->data);
  g_clear_object (&wait->config);
  g_object_unref (wait->self);
  g_free (wait);
}

static void
checks_ready (ChecksWait *wait)
{
  LeanCheckConfig *config = wait->config;

  if (lean_check_config_get_source (config) == LEAN_CHECK_SOURCE_DETECTED)
    {
      g_autofree char *text = NULL;
      AdwToast *toast;

      if (lean_check_config_get_n_checks (config) == 0)
        text = g_strdup (_("No checks found: add .lean-spec/checks.json to say how to test "
                           "the project. Only the spec’s checklist is validated"));
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "No .lean-spec/checks.json: running %u check "
                                             "detected from the project’s files",
                                             "No .lean-spec/checks.json: running %u checks "
                                             "detected from the project’s files",
                                             lean_check_config_get_n_checks (config)),
                                lean_check_config_get_n_checks (config));
      toast = adw_toast_new (text);
      /* What was detected can become the project's file, to edit. */
      if (lean_check_config_get_n_checks (config) > 0)
        {
          g_set_object (&wait->self->detected_checks, G_OBJECT (config));
          adw_toast_set_button_label (toast, _("_Save as checks.json"));
          adw_toast_set_action_name (toast, "win.save-checks");
          adw_toast_set_timeout (toast, 10);
        }
      lean_window_add_toast (wait->self, toast);
    }
  wait->ready (wait->self, config, wait->data);
}

static void
on_checks_trust_decided (LeanTrustDialog *dialog,
                         gboolean         trusted,
                         ChecksWait      *wait)
{
  if (trusted)
    checks_ready (wait);
  else
    lean_window_add_toast (wait->self,
                           adw_toast_new (_("The project’s checks are not trusted: nothing "
                                            "was run")));
  checks_wait_free (wait);
}

static void
on_checks_loaded (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ChecksWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  LeanTrustStore *trust = lean_trust_store_get_default ();
  LeanTrustRequest *request;
  LeanTrustDialog *dialog;

  wait->config = lean_check_config_load_finish (result, &error);
  if (wait->config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_error (wait->self, _("The checks could not be read: %s"), error);
      checks_wait_free (wait);
      return;
    }
  if (lean_check_config_is_trusted (wait->config, lean_check_config_trust_store_func, trust))
    {
      checks_ready (wait);
      checks_wait_free (wait);
      return;
    }

  /* The project's commands run only once the person has read them. */
  request = lean_check_config_get_trust_request (wait->config, trust);
  dialog = lean_trust_dialog_new (GTK_WINDOW (wait->self), request, trust);
  lean_trust_dialog_set_body (dialog, request->state == LEAN_TRUST_CHANGED
                              ? _("The file below changed since you trusted it. Review what it "
                                  "would run now: these commands run with your permissions "
                                  "each time a spec is validated.")
                              : _("This project names commands that validate its specs: "
                                  "tests, linters, builds. They run with your permissions each "
                                  "time a spec is validated. Trust them only if you trust "
                                  "whoever wrote this file."));
  g_signal_connect (dialog, "decided", G_CALLBACK (on_checks_trust_decided), wait);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Loads the project's checks off the main loop and calls @ready once they
 * may run. */
static void
with_checks (LeanWindow     *self,
             ChecksReady     ready,
             gpointer        data,
             GDestroyNotify  destroy)
{
  ChecksWait *wait = g_new0 (ChecksWait, 1);

  wait->self = g_object_ref (self);
  wait->ready = ready;
  wait->data = data;
  wait->destroy = destroy;
  lean_check_config_load_async (lean_project_get_root (self->project), self->cancellable,
                                on_checks_loaded, wait);
}

static void
save_checks_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LeanCheckConfig *detected = g_object_get_data (G_OBJECT (task), "config");
  const char *root = task_data;
  g_autoptr(LeanCheckConfig) saved = NULL;
  g_autoptr(GError) error = NULL;

  if (!lean_check_config_save (detected, root, &error) ||
      (saved = lean_check_config_load (root, &error)) == NULL ||
      lean_check_config_get_source (saved) != LEAN_CHECK_SOURCE_FILE ||
      !lean_trust_store_trust (lean_trust_store_get_default (), lean_check_config_get_path (saved),
                               lean_check_config_get_sha256 (saved), &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, LEAN_CHECK_CONFIG_FILE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_checks_saved (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_error (self, _("The checks could not be saved: %s"), error);
      return;
    }
  lean_window_add_toast (self, adw_toast_new (_("Saved the checks to .lean-spec/checks.json")));
}

void
_lean_window_save_checks (LeanWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->detected_checks == NULL || self->project == NULL)
    return;
  task = g_task_new (self, self->cancellable, on_checks_saved, NULL);
  g_object_set_data_full (G_OBJECT (task), "config", g_steal_pointer (&self->detected_checks),
                          g_object_unref);
  g_task_set_task_data (task, g_strdup (lean_project_get_root (self->project)), g_free);
  g_task_run_in_thread (task, save_checks_thread);
}

/* ------------------------------------------------------------------ */
/* Validate                                                            */

static void
run_validation (LeanWindow      *self,
                LeanCheckConfig *config,
                gpointer         data)
{
  const char *spec_id = data;
  LeanSpec *spec = self->store != NULL ? lean_spec_store_lookup (self->store, spec_id) : NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(LeanValidation) validation = NULL;
  LeanValidation *running;

  if (spec == NULL || self->pane == NULL)
    return;
  running = g_hash_table_lookup (self->validations, spec_id);
  if (running != NULL && !lean_validation_is_finished (running))
    {
      show_in_checks_tab (self, spec_id, running, TRUE);
      return;
    }

  specs = lean_spec_store_dup_specs (self->store);
  validation = lean_validation_new (spec_id, config, lean_project_get_root (self->project));
  /* with_checks() only calls back once the checks may run. */
  lean_validation_set_trusted (validation, TRUE);
  lean_validation_set_completion (validation, self->project, specs, spec);
  g_hash_table_replace (self->validations, g_strdup (spec_id), g_object_ref (validation));
  g_signal_connect_object (validation, "finished", G_CALLBACK (on_checks_finished), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (validation, "check-finished", G_CALLBACK (update_checks_tab), self,
                           G_CONNECT_SWAPPED);
  show_in_checks_tab (self, spec_id, validation, TRUE);
  set_row_mark (self, spec_id, LEAN_SPEC_VALIDATION_RUNNING);
  _lean_window_validate_spec_shown (self);
  lean_validation_run (validation);
}

void
_lean_window_validate (LeanWindow *self)
{
  LeanSpec *spec = shown_spec (self);

  if (spec == NULL || self->project == NULL)
    return;
  with_checks (self, run_validation, g_strdup (lean_spec_get_id (spec)), g_free);
}

/* ------------------------------------------------------------------ */
/* Ralph                                                               */

typedef struct
{
  LeanSessionRequest *request;
  LeanRalphSettings   settings;
  gboolean            critic;
} RalphStart;

static void
ralph_start_free (gpointer data)
{
  RalphStart *start = data;

  g_clear_pointer (&start->request, lean_session_request_free);
  g_free (start);
}

static void
tab_title_for (LeanChainView *view,
               char         **title,
               const char   **icon)
{
  LeanRalphLoop *loop = lean_chain_view_get_loop (view);
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  /* Translators: a tab's title, "Ralph · 003" */
  *title = tab_title (_("Ralph · %.*s"), lean_ralph_chain_get_spec_id (chain));
  if (!lean_ralph_loop_is_ended (loop))
    *icon = "view-refresh-symbolic";
  else
    *icon = lean_ralph_chain_get_stop (chain) == LEAN_RALPH_STOP_PASSED
            ? "emblem-ok-symbolic" : "dialog-error-symbolic";
}

static void
update_chain_tab (LeanWindow    *self,
                  LeanChainView *view)
{
  g_autofree char *title = NULL;
  const char *icon = NULL;
  g_autoptr(GIcon) gicon = NULL;
  AdwTabPage *page;

  if (self->pane == NULL || gtk_widget_get_parent (GTK_WIDGET (view)) == NULL)
    return;
  page = adw_tab_view_get_page (lean_session_pane_get_tab_view (self->pane), GTK_WIDGET (view));
  tab_title_for (view, &title, &icon);
  gicon = g_themed_icon_new (icon);
  adw_tab_page_set_icon (page, gicon);
  adw_tab_page_set_tooltip (page, lean_chain_view_get_status (view));
}

static LeanChainView *
view_of_loop (LeanWindow    *self,
              LeanRalphLoop *loop)
{
  for (guint i = 0; i < self->loops->len; i++)
    {
      LeanChainView *view = g_ptr_array_index (self->loops, i);

      if (lean_chain_view_get_loop (view) == loop)
        return view;
    }
  return NULL;
}

static void
on_loop_iteration_started (LeanRalphLoop *loop,
                           guint          k,
                           LeanSession   *session,
                           LeanWindow    *self)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  StoreOp *op = store_op_new (self, OP_LINK);

  /* `sessions list` and the history say which chain and iteration. */
  if (op != NULL)
    {
      op->session_id = g_strdup (lean_session_get_id (session));
      op->chain_id = g_strdup (lean_ralph_chain_get_id (chain));
      op->iteration = k;
      store_op_run (self, op, on_store_written, NULL);
    }
  set_row_phase (self, chain);
  update_chain_tab (self, view_of_loop (self, loop));
}

static void
on_loop_validation_started (LeanRalphLoop  *loop,
                            guint           k,
                            LeanValidation *validation,
                            LeanWindow     *self)
{
  set_row_mark (self, lean_validation_get_spec_id (validation), LEAN_SPEC_VALIDATION_RUNNING);
  update_chain_tab (self, view_of_loop (self, loop));
}

static void
on_loop_validation_finished (LeanRalphLoop  *loop,
                             guint           k,
                             LeanValidation *validation,
                             LeanWindow     *self)
{
  const char *spec_id = lean_validation_get_spec_id (validation);
  LeanChainView *view = view_of_loop (self, loop);
  set_row_mark (self, spec_id, lean_validation_get_passed (validation)
                                 ? LEAN_SPEC_VALIDATION_PASSED : LEAN_SPEC_VALIDATION_FAILED);
  g_hash_table_replace (self->validations, g_strdup (spec_id), g_object_ref (validation));
  store_validation (self, validation,
                    g_object_get_data (G_OBJECT (view), "session-id"),
                    lean_ralph_chain_get_id (lean_ralph_loop_get_chain (loop)), k);
  update_chain_tab (self, view);
}

static void
on_loop_ended (LeanRalphLoop *loop,
               int            stop,
               LeanWindow    *self)
{
  LeanRalphChain *chain = lean_ralph_loop_get_chain (loop);
  LeanChainView *view = view_of_loop (self, loop);
  StoreOp *op = store_op_new (self, OP_SAVE_CHAIN);
  g_autofree char *escaped = g_markup_escape_text (lean_ralph_chain_get_stop_message (chain) ?:
                                                   lean_ralph_stop_get_label (stop), -1);

  if (op != NULL)
    {
      op->chain = g_object_ref (chain);
      op->work_dir = g_strdup (lean_project_get_root (self->project));
      op->agent_id = g_strdup (g_object_get_data (G_OBJECT (view), "agent-id"));
      store_op_run (self, op, on_store_written, NULL);
    }
  set_row_phase (self, chain);
  if (stop == LEAN_RALPH_STOP_CANCELLED)
    set_row_mark (self, lean_ralph_chain_get_spec_id (chain), LEAN_SPEC_VALIDATION_NONE);
  lean_window_add_toast (self, adw_toast_new (escaped));
  update_chain_tab (self, view);
}

static void
on_loop_session (LeanRalphLoop *loop,
                 guint          k,
                 LeanSession   *session,
                 LeanChainView *view)
{
  g_object_set_data_full (G_OBJECT (view), "session-id",
                          g_strdup (lean_session_get_id (session)), g_free);
}

static void
on_chain_open_session (LeanWindow    *self,
                       LeanSession   *session,
                       LeanChainView *view)
{
  if (self->pane != NULL && self->controller != NULL)
    lean_session_pane_open_log (self->pane, lean_controller_get_db (self->controller), session);
}

static void
start_loop (LeanWindow      *self,
            LeanCheckConfig *config,
            gpointer         data)
{
  RalphStart *start = data;
  g_autoptr(LeanRalphLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  const char *icon = NULL;
  GtkWidget *view;

  if (self->controller == NULL || self->pane == NULL || self->project == NULL)
    return;
  loop = lean_ralph_loop_new (self->controller, NULL, self->project, start->request->spec_id,
                              config, start->request, &start->settings);
  if (start->critic && self->registry != NULL)
    {
      LeanAgent *agent = lean_agent_registry_lookup (self->registry, start->request->agent_id);

      if (agent != NULL)
        lean_ralph_loop_set_critic (loop, agent, lean_controller_get_db (self->controller));
    }

  view = lean_chain_view_new (loop);
  g_object_set_data_full (G_OBJECT (view), "agent-id", g_strdup (start->request->agent_id),
                          g_free);
  g_ptr_array_add (self->loops, g_object_ref_sink (view));
  g_signal_connect_object (view, "open-session", G_CALLBACK (on_chain_open_session), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (lean_chain_view_get_validation_view (LEAN_CHAIN_VIEW (view)),
                           "send-failures", G_CALLBACK (send_failures), self, G_CONNECT_SWAPPED);
  /* Before the window's handlers: the validation is stored with its
   * session. */
  g_signal_connect_object (loop, "iteration-started", G_CALLBACK (on_loop_session), view, 0);
  g_signal_connect_object (loop, "iteration-started", G_CALLBACK (on_loop_iteration_started),
                           self, 0);
  g_signal_connect_object (loop, "validation-started", G_CALLBACK (on_loop_validation_started),
                           self, 0);
  g_signal_connect_object (loop, "validation-finished", G_CALLBACK (on_loop_validation_finished),
                           self, 0);
  g_signal_connect_object (loop, "ended", G_CALLBACK (on_loop_ended), self, 0);

  tab_title_for (LEAN_CHAIN_VIEW (view), &title, &icon);
  lean_session_pane_show_widget (self->pane, view, title, icon);
  if (!lean_ralph_loop_start (loop, &error))
    toast_error (self, _("The Ralph loop could not start: %s"), error);
  /* The chain's own tab stays in front of its sessions' tabs. */
  lean_session_pane_show_widget (self->pane, view, title, NULL);
  update_chain_tab (self, LEAN_CHAIN_VIEW (view));
}

void
_lean_window_start_ralph (LeanWindow               *self,
                          const LeanSessionRequest *request,
                          const LeanRalphSettings  *settings,
                          gboolean                  critic)
{
  RalphStart *start;

  g_return_if_fail (LEAN_IS_WINDOW (self));
  g_return_if_fail (request != NULL && request->spec_id != NULL);

  if (self->project == NULL)
    return;
  start = g_new0 (RalphStart, 1);
  start->request = lean_session_request_copy (request);
  start->settings = *settings;
  start->critic = critic;
  with_checks (self, start_loop, start, ralph_start_free);
}

/* ------------------------------------------------------------------ */
/* Send Failures to Agent                                              */

typedef struct
{
  LeanProject *project;
  GPtrArray   *specs;
  LeanSpec    *spec;
  char        *failures;
  char        *agent_id;
} FailurePrompt;

static void
failure_prompt_free (gpointer data)
{
  FailurePrompt *fp = data;

  g_clear_object (&fp->project);
  g_clear_pointer (&fp->specs, g_ptr_array_unref);
  g_clear_object (&fp->spec);
  g_free (fp->failures);
  g_free (fp->agent_id);
  g_free (fp);
}

static void
build_failure_prompt_thread (GTask        *task,
                             gpointer      source,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  FailurePrompt *fp = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = lean_prompt_build (fp->project, fp->specs, fp->spec, &error);

  /* No session of the spec yet: the project's default agent, as the
   * Implement dialog would choose it. */
  if (fp->agent_id == NULL)
    {
      g_autoptr(LeanAgentRegistry) registry = lean_agent_registry_new ();

      lean_agent_registry_load (registry, lean_project_get_root (fp->project), NULL);
      fp->agent_id = g_strdup (lean_agent_registry_get_default_id (registry));
    }
  if (prompt != NULL && fp->agent_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("no agent to send them to"));
      return;
    }
  if (prompt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task,
                         g_strdup_printf ("%s\n\n---\n\n## What failed in the last validation\n\n"
                                          "Fix what failed below in this working tree; the "
                                          "checks run again when you stop.\n\n%s",
                                          prompt, fp->failures),
                         g_free);
}

static void
on_failure_prompt (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  FailurePrompt *fp = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(LeanSessionRequest) request = NULL;
  LeanRalphSettings settings = { 0 };

  if (prompt == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_error (self, _("The failures could not be sent: %s"), error);
      return;
    }
  request = lean_session_request_new ();
  request->project_path = g_strdup (lean_project_get_root (fp->project));
  request->spec_id = g_strdup (lean_spec_get_id (fp->spec));
  request->agent_id = g_strdup (fp->agent_id);
  request->mode = LEAN_SESSION_MODE_AUTONOMOUS;
  request->prompt = g_steal_pointer (&prompt);
  /* One iteration: the agent fixes, the checks run again; the person
   * sends what still fails, or starts a longer loop from Implement. */
  settings.max_iterations = 1;
  _lean_window_start_ralph (self, request, &settings, FALSE);
}

static void
send_failures (LeanWindow         *self,
               LeanValidationView *view)
{
  LeanValidation *validation = lean_validation_view_get_validation (view);
  LeanSpecActivity *activity = get_activity (self);
  LeanSpec *spec;
  LeanSession *last;
  FailurePrompt *fp;
  g_autoptr(GTask) task = NULL;
  const char *agent_id = NULL;

  if (validation == NULL || self->store == NULL ||
      (spec = lean_spec_store_lookup (self->store,
                                      lean_validation_get_spec_id (validation))) == NULL)
    return;
  /* The agent that worked on the spec last, else the default one. */
  last = activity != NULL ? lean_spec_activity_get_session (activity, lean_spec_get_id (spec))
                          : NULL;
  if (last != NULL)
    agent_id = lean_session_get_agent_id (last);

  fp = g_new0 (FailurePrompt, 1);
  fp->project = g_object_ref (self->project);
  fp->specs = lean_spec_store_dup_specs (self->store);
  fp->spec = g_object_ref (spec);
  fp->failures = lean_ralph_describe_failures (validation);
  fp->agent_id = g_strdup (agent_id);
  task = g_task_new (self, self->cancellable, on_failure_prompt, NULL);
  g_task_set_task_data (task, fp, failure_prompt_free);
  g_task_run_in_thread (task, build_failure_prompt_thread);
}

/* ------------------------------------------------------------------ */
/* The rows' marks after a restart                                     */

static void
on_latest_loaded (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  g_autofree char *root = user_data;
  StoreOp *op = store_op_finish (self, result, NULL);
  LeanSpecActivity *activity;
  GHashTableIter iter;
  gpointer key, value;

  if (op == NULL || self->project == NULL ||
      g_strcmp0 (lean_project_get_root (self->project), root) != 0)
    return;
  activity = get_activity (self);
  g_hash_table_iter_init (&iter, op->latest);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 id = *(gint64 *) value;

      if (!g_hash_table_contains (self->latest_ids, key))
        g_hash_table_replace (self->latest_ids, g_strdup (key), g_memdup2 (value, sizeof id));
      /* A validation running here says more than the stored one. */
      if (activity != NULL && lean_spec_activity_get_validation (activity, key) ==
                              LEAN_SPEC_VALIDATION_NONE)
        lean_spec_activity_set_validation (activity, key, id > 0 ? LEAN_SPEC_VALIDATION_PASSED
                                                                 : LEAN_SPEC_VALIDATION_FAILED);
    }
  _lean_window_validate_spec_shown (self);
}

static void
on_store_changed (LeanWindow *self)
{
  StoreOp *op;

  g_hash_table_remove_all (self->validations);
  g_hash_table_remove_all (self->latest_ids);
  g_clear_object (&self->detected_checks);
  g_clear_pointer (&self->validation_spec, g_free);
  if (self->project == NULL || self->store == NULL || (op = store_op_new (self, OP_LATEST)) == NULL)
    return;
  op->work_dir = g_strdup (lean_project_get_root (self->project));
  store_op_run (self, op, on_latest_loaded, g_strdup (op->work_dir));
}

/* ------------------------------------------------------------------ */

GtkWidget *
_lean_window_squeezed_content (const char *icon_name,
                               const char *label,
                               const char *short_label)
{
  GtkWidget *squeezer = adw_squeezer_new ();
  const char *labels[] = { label, short_label };

  adw_squeezer_set_homogeneous (ADW_SQUEEZER (squeezer), FALSE);
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer),
                                    ADW_SQUEEZER_TRANSITION_TYPE_CROSSFADE);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      GtkWidget *content;

      if (labels[i] == NULL)
        continue;
      content = adw_button_content_new ();
      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon_name);
      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), labels[i]);
      adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
      adw_squeezer_add (ADW_SQUEEZER (squeezer), content);
    }
  adw_squeezer_add (ADW_SQUEEZER (squeezer), gtk_image_new_from_icon_name (icon_name));
  return squeezer;
}

void
_lean_window_validate_add_button (LeanWindow *self,
                                  GtkWidget  *actions)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  /* Validate, with the last result one click away in its menu. */
  self->validate_button = adw_split_button_new ();
  adw_split_button_set_child (ADW_SPLIT_BUTTON (self->validate_button),
                              _lean_window_squeezed_content ("applications-science-symbolic",
                                                             _("_Validate"), NULL));
  gtk_widget_set_tooltip_text (self->validate_button,
                               _("Run the project’s checks and the spec’s checklist against "
                                 "the work (Ctrl+Shift+K)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->validate_button), "win.validate");
  g_menu_append (menu, _("Show _Last Validation"), "win.show-validation");
  adw_split_button_set_menu_model (ADW_SPLIT_BUTTON (self->validate_button), G_MENU_MODEL (menu));
  gtk_box_append (GTK_BOX (actions), self->validate_button);
  _lean_window_validate_spec_shown (self);
}

GtkWidget *
_lean_window_get_validation_view (LeanWindow *self)
{
  return self->validation_view;
}

GtkWidget *
_lean_window_get_chain_view (LeanWindow *self)
{
  return self->loops->len > 0 ? g_ptr_array_index (self->loops, self->loops->len - 1) : NULL;
}

void
_lean_window_validate_init (LeanWindow *self)
{
  self->validations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->latest_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->loops = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (self, "notify::store", G_CALLBACK (on_store_changed), NULL);
}

void
_lean_window_validate_dispose (LeanWindow *self)
{
  GHashTableIter iter;
  gpointer validation;

  /* Nothing of this window keeps running once it is gone. */
  for (guint i = 0; self->loops != NULL && i < self->loops->len; i++)
    {
      LeanRalphLoop *loop = lean_chain_view_get_loop (g_ptr_array_index (self->loops, i));

      g_signal_handlers_disconnect_by_data (loop, self);
      lean_ralph_loop_cancel (loop);
    }
  if (self->validations != NULL)
    {
      g_hash_table_iter_init (&iter, self->validations);
      while (g_hash_table_iter_next (&iter, NULL, &validation))
        {
          g_signal_handlers_disconnect_by_data (validation, self);
          if (!lean_validation_is_finished (validation))
            lean_validation_cancel (validation);
        }
    }
  g_clear_pointer (&self->loops, g_ptr_array_unref);
  g_clear_pointer (&self->validations, g_hash_table_unref);
  g_clear_pointer (&self->latest_ids, g_hash_table_unref);
  g_clear_pointer (&self->validation_spec, g_free);
  g_clear_object (&self->validation_view);
  g_clear_object (&self->validation_store);
  g_clear_object (&self->detected_checks);
}
