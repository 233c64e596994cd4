/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-application-private.h"
#include "lean-board-view.h"
#include "lean-completion-summary.h"
#include "lean-dependency-view.h"
#include "lean-error.h"
#include "lean-projects-view.h"
#include "lean-spec-list.h"
#include "lean-spec-view.h"
#include "lean-stats-view.h"
#include "lean-view-switcher.h"
#include "lean-window-private.h"

#define MAX_RECENT_PROJECTS 10
/* More lines than this in the banner would only bury the list; the rest
 * is summarised in one line. */
#define MAX_PROBLEMS_SHOWN 50


/* Coming from the welcome page, the project page waits this long for the
 * first specs, so its first frame already has rows rather than a loading
 * page: on a software renderer each full-window frame costs 100-250 ms.
 * Nothing the welcome page shows changes meanwhile (title, recent
 * projects), so no frame is drawn in between either. */
#define REVEAL_DELAY_MS 150

/* Enough Back steps for a reading session, bounded all the same. */
#define MAX_HISTORY 50

G_DEFINE_FINAL_TYPE (LeanWindow, lean_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTROLLER,
  PROP_REGISTRY,
  PROP_STORE,
  PROP_SESSIONS_SHOWN,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

void
lean_window_add_toast (LeanWindow *self,
                       AdwToast   *toast)
{
  g_return_if_fail (LEAN_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_lean_window_show_error_toast (LeanWindow   *self,
                               const char   *format,
                               const GError *error)
{
  g_autofree char *title = g_markup_printf_escaped (format, error->message);
  AdwToast *toast = adw_toast_new (title);

  /* Errors tell a person what to do; give them time to read it. */
  adw_toast_set_timeout (toast, 8);
  lean_window_add_toast (self, toast);
}

/* "~/src/app" for paths under the home folder: shorter and familiar. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (len > 1 && g_str_has_prefix (path, home) && (path[len] == '/' || path[len] == '\0'))
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

/* ------------------------------------------------------------------ */
/* Recent projects                                                     */

/* The project menu's other recent projects; the welcome page and the
 * Projects view list them with their counts themselves. */
static void
rebuild_recent (LeanWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");

  g_menu_remove_all (self->recent_section);

  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (recent[i]);
      g_autofree char *where = display_path (recent[i]);
      g_autoptr(GMenuItem) item = NULL;

      /* A project that was moved or deleted is just left out. */
      if (!g_file_test (recent[i], G_FILE_TEST_IS_DIR))
        continue;

      if (g_strcmp0 (recent[i], lean_window_get_project_root (self)) != 0)
        {
          g_autofree char *label = g_strdup_printf ("%s  (%s)", name, where);

          item = g_menu_item_new (NULL, NULL);
          g_menu_item_set_attribute (item, "label", "s", label);
          g_menu_item_set_action_and_target (item, "win.open-project", "s", recent[i]);
          g_menu_append_item (self->recent_section, item);
        }
    }
}

static void
remember_project (LeanWindow *self,
                  const char *root)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, root);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT_PROJECTS; i++)
    if (g_strcmp0 (recent[i], root) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        n++;
      }
  updated = g_strv_builder_end (builder);

  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) updated);
  g_settings_set_string (self->settings, "last-project", root);
}

/* ------------------------------------------------------------------ */
/* Problems banner                                                     */

/* The core's reasons read like GError messages ("the front matter ...");
 * shown on their own under a path they are sentences. */
static char *
sentence_case (const char *reason)
{
  GString *text = g_string_new (NULL);

  if (reason == NULL || *reason == '\0')
    return g_string_free (text, FALSE);
  g_string_append_unichar (text, g_unichar_totitle (g_utf8_get_char (reason)));
  g_string_append (text, g_utf8_next_char (reason));

  return g_string_free (text, FALSE);
}

/* GtkScrolledWindow measures its child's height without a width, and a
 * wrapped label then reports the height of its widest layout: the details
 * came out too short and clipped their second entry. Measured here at the
 * width it has, each time that width changes. */
static void
fit_problems (LeanWindow *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->problems_box), GTK_TYPE_SCROLLED_WINDOW);
  int width = scroller != NULL ? gtk_widget_get_width (scroller) : 0;
  int min_width = 0, height = 0;

  if (width <= 0)
    return;
  /* Mid-animation the scroller can be narrower than its content can be. */
  gtk_widget_measure (GTK_WIDGET (self->problems_box), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  width = MAX (width, min_width);
  gtk_widget_measure (GTK_WIDGET (self->problems_box), GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
  height = MIN (height, gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller)));
  if (height != gtk_scrolled_window_get_min_content_height (GTK_SCROLLED_WINDOW (scroller)))
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), height);
}

static gboolean
fit_problems_idle (gpointer data)
{
  LeanWindow *self = data;

  self->fit_problems_id = 0;
  fit_problems (self);
  return G_SOURCE_REMOVE;
}

/* The width changed during a layout: fit after it, not inside it. */
static void
queue_fit_problems (LeanWindow *self)
{
  if (self->fit_problems_id == 0)
    self->fit_problems_id = g_idle_add (fit_problems_idle, self);
}

static void
update_problems (LeanWindow *self)
{
  GListModel *problems = self->store != NULL ? lean_spec_store_get_problems (self->store) : NULL;
  guint n = problems != NULL ? g_list_model_get_n_items (problems) : 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box))) != NULL)
    gtk_box_remove (self->problems_box, child);
  g_clear_pointer (&self->problems_text, g_free);

  gtk_revealer_set_reveal_child (self->problems_revealer, n > 0);
  if (n == 0)
    {
      gtk_toggle_button_set_active (self->problems_button, FALSE);
      return;
    }

  self->problems_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                      "%u spec could not be read",
                                                      "%u specs could not be read", n), n);
  gtk_label_set_label (self->problems_label, self->problems_text);

  for (guint i = 0; i < n && i < MAX_PROBLEMS_SHOWN; i++)
    {
      g_autoptr(LeanSpecProblem) problem = g_list_model_get_item (problems, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *path = gtk_label_new (lean_spec_problem_get_rel_path (problem));
      g_autofree char *sentence = sentence_case (lean_spec_problem_get_reason (problem));
      GtkWidget *reason = gtk_label_new (sentence);

      gtk_label_set_xalign (GTK_LABEL (path), 0);
      gtk_label_set_wrap (GTK_LABEL (path), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (path), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (path), TRUE);
      gtk_widget_add_css_class (path, "problem-path");
      gtk_widget_set_tooltip_text (path, lean_spec_problem_get_path (problem));

      gtk_label_set_xalign (GTK_LABEL (reason), 0);
      gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (reason), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (reason), TRUE);
      gtk_widget_add_css_class (reason, "problem-reason");

      gtk_box_append (GTK_BOX (box), path);
      gtk_box_append (GTK_BOX (box), reason);
      gtk_box_append (self->problems_box, box);
    }

  if (n > MAX_PROBLEMS_SHOWN)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "and %u more spec",
                                                            "and %u more specs",
                                                            n - MAX_PROBLEMS_SHOWN),
                                               n - MAX_PROBLEMS_SHOWN);
      GtkWidget *label = gtk_label_new (more);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->problems_box, label);
    }
  fit_problems (self);
}

/* ------------------------------------------------------------------ */
/* Spec view                                                           */

void
_lean_window_open_spec (LeanWindow *self,
                        const char *id)
{
  if (lean_window_select_spec (self, id))
    {
      adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
      return;
    }
  {
    g_autofree char *title = g_markup_printf_escaped (_("There is no spec “%s” in this project"), id);

    lean_window_add_toast (self, adw_toast_new (title));
  }
}

/* After Mark Complete (or a card dropped into Complete): what the spec's
 * work took and what it unblocked. */
static void
on_spec_completed (LeanWindow *self,
                   LeanSpec   *spec)
{
  LeanCompletionSummary *summary;

  if (self->store == NULL || self->controller == NULL)
    return;
  summary = lean_completion_summary_new (GTK_WINDOW (self),
                                         lean_controller_get_db (self->controller),
                                         self->store, spec);
  gtk_window_present (GTK_WINDOW (summary));
}

/* From a link in the spec view, or a card, box or row of the other views:
 * the spec opens in the list's view. */
static void
on_view_open_spec (LeanWindow *self,
                   const char *id)
{
  _lean_window_set_view (self, "list");
  _lean_window_open_spec (self, id);
}

/* ------------------------------------------------------------------ */
/* Views                                                               */

static const char * const view_names[] = { "list", "board", "dependencies", "stats", "projects" };

const char *
_lean_window_get_view (LeanWindow *self)
{
  /* Asked for the action's state before the template is in place. */
  if (self->view_stack == NULL)
    return "list";
  return gtk_stack_get_visible_child_name (self->view_stack);
}

void
_lean_window_set_view (LeanWindow *self,
                       const char *view)
{
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    known |= g_strcmp0 (view, view_names[i]) == 0;
  if (!known || g_strcmp0 (view, _lean_window_get_view (self)) == 0)
    return;
  gtk_stack_set_visible_child_name (self->view_stack, view);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

/* The views other than the list follow the window's store; each waits
 * until it is first shown before it reads it. */
static void
set_views_store (LeanWindow    *self,
                 LeanSpecStore *store)
{
  lean_board_view_set_store (self->board_view, store);
  lean_dependency_view_set_store (self->dependency_view, store);
  lean_stats_view_set_store (self->stats_view, store);
}

/* A project chosen in the Projects view. A window already showing it is
 * brought forward; otherwise this window switches to it. Sessions belong
 * to the application's controller, not to the window or its project, so
 * the ones running go on and keep their tabs in the session pane. */
static void
on_projects_open_project (LeanWindow *self,
                          const char *root)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (g_strcmp0 (root, lean_window_get_project_root (self)) == 0)
    {
      _lean_window_set_view (self, "list");
      return;
    }
  for (GList *l = app != NULL ? gtk_application_get_windows (app) : NULL; l != NULL; l = l->next)
    if (LEAN_IS_WINDOW (l->data) && l->data != (gpointer) self &&
        g_strcmp0 (root, lean_window_get_project_root (l->data)) == 0)
      {
        gtk_window_present (GTK_WINDOW (l->data));
        return;
      }
  _lean_window_set_view (self, "list");
  lean_window_open_project (self, root);
}

static void
ensure_spec_view (LeanWindow *self)
{
  GtkWidget *header;
  GtkWidget *back;
  GtkWidget *box;

  if (self->spec_view != NULL)
    return;

  self->spec_view = lean_spec_view_new ();
  /* The session pane sits beside the spec (lean-window-sessions.c). */
  gtk_stack_add_named (self->content_stack, _lean_window_sessions_wrap (self, self->spec_view),
                       "spec");
  g_signal_connect_object (self->spec_view, "open-spec",
                           G_CALLBACK (on_view_open_spec), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->spec_view, "spec-completed",
                           G_CALLBACK (on_spec_completed), self, G_CONNECT_SWAPPED);

  /* The view brings its own header bar; in a folded leaflet it needs the
   * window buttons and a way back to the list, first in the bar. */
  header = lean_spec_view_get_header_bar (LEAN_SPEC_VIEW (self->spec_view));
  if (header != NULL && ADW_IS_HEADER_BAR (header))
    {
      g_object_bind_property (self->leaflet, "folded", header, "show-start-title-buttons",
                              G_BINDING_SYNC_CREATE);
      back = gtk_button_new_from_icon_name ("go-previous-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "win.show-list");
      gtk_widget_set_tooltip_text (back, _("Back to the List"));
      g_object_bind_property (self->leaflet, "folded", back, "visible", G_BINDING_SYNC_CREATE);
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
      box = gtk_widget_get_parent (back);
      if (GTK_IS_BOX (box))
        gtk_box_reorder_child_after (GTK_BOX (box), back, NULL);
    }
}

static void
push_history (GPtrArray  *stack,
              const char *id)
{
  if (id == NULL)
    return;
  if (stack->len > 0 && g_strcmp0 (g_ptr_array_index (stack, stack->len - 1), id) == 0)
    return;
  if (stack->len >= MAX_HISTORY)
    g_ptr_array_remove_index (stack, 0);
  g_ptr_array_add (stack, g_strdup (id));
}

static void
remember_shown (LeanWindow *self,
                LeanSpec   *spec)
{
  const char *id = spec != NULL ? lean_spec_get_id (spec) : NULL;

  if (g_strcmp0 (id, self->shown_id) == 0)
    return;
  /* Going Back or Forward moves between the stacks itself. */
  if (!self->navigating && self->shown_id != NULL && id != NULL)
    {
      push_history (self->back, self->shown_id);
      g_ptr_array_set_size (self->forward, 0);
    }
  g_free (self->shown_id);
  self->shown_id = g_strdup (id);
  _lean_window_update_actions (self);
}

static gboolean
navigate (LeanWindow *self,
          GPtrArray  *from,
          GPtrArray  *to)
{
  /* A spec that is gone or filtered out of the list is stepped over. */
  while (from->len > 0)
    {
      g_autofree char *id = g_ptr_array_steal_index (from, from->len - 1);
      g_autofree char *current = g_strdup (self->shown_id);
      gboolean shown;

      self->navigating = TRUE;
      shown = lean_window_select_spec (self, id);
      self->navigating = FALSE;
      if (shown)
        {
          push_history (to, current);
          adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
          _lean_window_update_actions (self);
          return TRUE;
        }
    }
  _lean_window_update_actions (self);
  return FALSE;
}

gboolean
_lean_window_go_back (LeanWindow *self)
{
  return navigate (self, self->back, self->forward);
}

gboolean
_lean_window_go_forward (LeanWindow *self)
{
  return navigate (self, self->forward, self->back);
}

static void
show_spec (LeanWindow *self,
           LeanSpec   *spec)
{
  remember_shown (self, spec);
  if (spec == NULL)
    {
      if (self->spec_view != NULL)
        lean_spec_view_set_spec (LEAN_SPEC_VIEW (self->spec_view), NULL, NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "none");
      _lean_window_update_actions (self);
      return;
    }

  ensure_spec_view (self);
  lean_spec_view_set_spec (LEAN_SPEC_VIEW (self->spec_view), self->store, spec);
  gtk_stack_set_visible_child_name (self->content_stack, "spec");
  _lean_window_update_actions (self);
}

static void
on_selected_spec_changed (LeanWindow *self)
{
  LeanSpec *spec = lean_spec_list_get_selected_spec (self->spec_list);

  /* A filter that hides the selected row leaves the spec open: people
   * narrow the list while they read. */
  if (spec == NULL)
    return;

  show_spec (self, spec);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

static void
on_spec_activated (LeanWindow *self,
                   LeanSpec   *spec)
{
  show_spec (self, spec);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
}

gboolean
lean_window_select_spec (LeanWindow *self,
                         const char *id)
{
  g_return_val_if_fail (LEAN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return lean_spec_list_select_id (self->spec_list, id);
}

/* ------------------------------------------------------------------ */
/* Projects                                                            */

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LeanWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lean_spec_store_load_finish (LEAN_SPEC_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _lean_window_show_error_toast (self, _("Could not load the specs: %s"), error);
}

static void
show_project_page (LeanWindow *self)
{
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  if (self->store == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "project") == 0)
    return;
  /* No fade either: it would hold the rows back for another 200 ms, its
   * frames drawing both pages. */
  gtk_stack_set_visible_child_full (self->main_stack, "project", GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_set_title (GTK_WINDOW (self), lean_project_get_name (self->project));
  remember_project (self, lean_project_get_root (self->project));
  lean_spec_list_focus_list (self->spec_list);
}

static gboolean
reveal_timeout_cb (gpointer user_data)
{
  LeanWindow *self = user_data;

  self->reveal_id = 0;
  show_project_page (self);
  return G_SOURCE_REMOVE;
}

static void
store_first_items_cb (GListModel *store,
                      guint       position,
                      guint       removed,
                      guint       added,
                      LeanWindow *self)
{
  if (self->reveal_id != 0 && (LeanSpecStore *) store == self->store && added > 0)
    show_project_page (self);
}

static void
store_loading_cb (LeanSpecStore *store,
                  GParamSpec    *pspec,
                  LeanWindow    *self)
{
  if (self->reveal_id != 0 && store == self->store && !lean_spec_store_get_loading (store))
    show_project_page (self);
}

static void
drop_store (LeanWindow *self)
{
  if (self->store == NULL)
    return;
  g_signal_handlers_disconnect_by_data (lean_spec_store_get_problems (self->store), self);
  g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->store_owner != NULL)
    lean_application_release_store (LEAN_APPLICATION (self->store_owner), self->store);
  else
    lean_spec_store_set_watching (self->store, FALSE);
  g_clear_object (&self->store_owner);
  g_clear_object (&self->store);
}

static void
set_project (LeanWindow  *self,
             LeanProject *project)
{
  g_autofree char *subtitle = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  gboolean loaded = FALSE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->spec_list != NULL)
    lean_spec_list_set_store (self->spec_list, NULL);
  set_views_store (self, NULL);
  drop_store (self);
  g_set_object (&self->project, project);
  lean_projects_view_set_current (self->projects_view,
                                  project != NULL ? lean_project_get_root (project) : NULL);
  show_spec (self, NULL);
  g_ptr_array_set_size (self->back, 0);
  g_ptr_array_set_size (self->forward, 0);

  g_clear_handle_id (&self->reveal_id, g_source_remove);

  if (project == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
      update_problems (self);
      _lean_window_update_actions (self);
      gtk_window_set_title (GTK_WINDOW (self), _("LeanSpec Desktop"));
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
      _lean_window_set_view (self, "list");
      return;
    }

  /* Windows on one project share its store (the application's). */
  if (LEAN_IS_APPLICATION (app))
    {
      self->store = lean_application_acquire_store (LEAN_APPLICATION (app), project, &loaded);
      self->store_owner = G_APPLICATION (g_object_ref (app));
    }
  else
    {
      self->store = lean_spec_store_new (project);
      lean_spec_store_set_watching (self->store, TRUE);
    }
  g_signal_connect_object (lean_spec_store_get_problems (self->store), "items-changed",
                           G_CALLBACK (update_problems), self, G_CONNECT_SWAPPED);
  lean_spec_list_set_store (self->spec_list, self->store);
  set_views_store (self, self->store);
  update_problems (self);
  _lean_window_update_actions (self);

  gtk_label_set_label (self->project_label, lean_project_get_name (project));
  subtitle = display_path (lean_project_get_root (project));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->project_button), subtitle);
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);

  if (!loaded)
    lean_spec_store_load_async (self->store, self->cancellable, load_cb, g_object_ref (self));
  /* Loading by now, so whoever waits for the specs can wait for that. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "project") != 0)
    {
      if (loaded && !lean_spec_store_get_loading (self->store))
        {
          show_project_page (self);
          return;
        }
      g_signal_connect_object (self->store, "items-changed",
                               G_CALLBACK (store_first_items_cb), self, 0);
      g_signal_connect_object (self->store, "notify::loading",
                               G_CALLBACK (store_loading_cb), self, 0);
      self->reveal_id = g_timeout_add (REVEAL_DELAY_MS, reveal_timeout_cb, self);
      return;
    }

  gtk_window_set_title (GTK_WINDOW (self), lean_project_get_name (project));
  remember_project (self, lean_project_get_root (project));

  lean_spec_list_focus_list (self->spec_list);
}

static void
open_project_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  LeanProject *project;

  /* Looks for .lean-spec/ or specs/ up the tree: small, but real I/O. */
  project = lean_project_open (path, &error);
  if (project == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, project, g_object_unref);
}

static void
open_project_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LeanWindow *self = LEAN_WINDOW (object);
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = g_task_propagate_pointer (G_TASK (result), &error);
  if (project == NULL)
    {
      const char *path = g_task_get_task_data (G_TASK (result));
      g_autofree char *where = display_path (path);
      g_autofree char *format = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: the first %s is a folder, the second the reason. */
      format = g_strdup_printf (_("Could not open “%s”: %%s"), where);
      _lean_window_show_error_toast (self, format, error);
      return;
    }

  set_project (self, project);
}

void
lean_window_open_project (LeanWindow *self,
                          const char *path)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (LEAN_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  /* Relative paths from the command line are relative to the cwd. */
  file = g_file_new_for_commandline_arg (path);

  task = g_task_new (self, NULL, open_project_cb, NULL);
  g_task_set_source_tag (task, lean_window_open_project);
  g_task_set_task_data (task, g_file_get_path (file), g_free);
  g_task_run_in_thread (task, open_project_thread);
}

const char *
lean_window_get_project_root (LeanWindow *self)
{
  g_return_val_if_fail (LEAN_IS_WINDOW (self), NULL);
  return self->project != NULL ? lean_project_get_root (self->project) : NULL;
}

LeanSpecStore *
lean_window_get_store (LeanWindow *self)
{
  g_return_val_if_fail (LEAN_IS_WINDOW (self), NULL);
  return self->store;
}

/* ------------------------------------------------------------------ */
/* Window state                                                        */

static void
lean_window_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  GTK_WIDGET_CLASS (lean_window_parent_class)->size_allocate (widget, width, height, baseline);
  _lean_window_layout_allocated (LEAN_WINDOW (widget), width);
}

static gboolean
lean_window_close_request (GtkWindow *window)
{
  LeanWindow *self = LEAN_WINDOW (window);
  int width, height;

  /* Running sessions: ask first (lean-app-sessions.c). */
  if (LEAN_IS_APPLICATION (gtk_window_get_application (window)) &&
      _lean_application_close_request (LEAN_APPLICATION (gtk_window_get_application (window)),
                                       self))
    return TRUE;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (lean_window_parent_class)->close_request (window);
}

/* ------------------------------------------------------------------ */
/* Test accessors                                                      */

LeanSpecList *
_lean_window_get_spec_list (LeanWindow *self)
{
  return self->spec_list;
}

GtkWidget *
_lean_window_get_spec_view (LeanWindow *self)
{
  return self->spec_view;
}

const char *
_lean_window_get_page (LeanWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
_lean_window_get_problems_text (LeanWindow *self)
{
  return self->problems_text;
}

char *
_lean_window_dup_problems_details (LeanWindow *self)
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *box = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box));
       box != NULL; box = gtk_widget_get_next_sibling (box))
    {
      for (GtkWidget *label = gtk_widget_get_first_child (box);
           label != NULL; label = gtk_widget_get_next_sibling (label))
        {
          g_string_append (text, gtk_label_get_label (GTK_LABEL (label)));
          g_string_append_c (text, gtk_widget_get_next_sibling (label) != NULL ? ':' : '\n');
        }
      if (GTK_IS_LABEL (box))
        {
          g_string_append (text, gtk_label_get_label (GTK_LABEL (box)));
          g_string_append_c (text, '\n');
        }
    }
  return g_string_free (text, FALSE);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

LeanSessionPane *
_lean_window_get_session_pane (LeanWindow *self)
{
  return self->pane;
}

LeanWindowLayout
_lean_window_get_layout (LeanWindow *self)
{
  return self->layout;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

LeanWindow *
lean_window_new (AdwApplication *application)
{
  LeanController *controller = NULL;
  LeanAgentRegistry *registry = NULL;

  /* The application's services, handed over once. */
  if (LEAN_IS_APPLICATION (application))
    {
      controller = lean_application_get_controller (LEAN_APPLICATION (application));
      registry = lean_application_get_registry (LEAN_APPLICATION (application));
    }
  return g_object_new (LEAN_TYPE_WINDOW,
                       "application", application,
                       "controller", controller,
                       "registry", registry,
                       NULL);
}

static void
lean_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LeanWindow *self = LEAN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTROLLER:
      g_value_set_object (value, self->controller);
      break;
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SESSIONS_SHOWN:
      g_value_set_boolean (value, _lean_window_get_sessions_shown (self));
      break;
    case PROP_VIEW:
      g_value_set_string (value, _lean_window_get_view (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LeanWindow *self = LEAN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTROLLER:
      self->controller = g_value_dup_object (value);
      lean_projects_view_set_controller (self->projects_view, self->controller);
      lean_projects_view_set_controller (self->welcome_projects, self->controller);
      break;
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;
    case PROP_SESSIONS_SHOWN:
      _lean_window_set_sessions_shown (self, g_value_get_boolean (value));
      break;
    case PROP_VIEW:
      _lean_window_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_window_dispose (GObject *object)
{
  LeanWindow *self = LEAN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reveal_id, g_source_remove);
  g_clear_handle_id (&self->fit_problems_id, g_source_remove);
  _lean_window_validate_dispose (self);
  _lean_window_sessions_dispose (self);
  if (self->spec_list != NULL)
    lean_spec_list_set_store (self->spec_list, NULL);
  if (self->board_view != NULL)
    set_views_store (self, NULL);
  drop_store (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), LEAN_TYPE_WINDOW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);
  g_clear_object (&self->controller);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (lean_window_parent_class)->dispose (object);
}

static void
lean_window_finalize (GObject *object)
{
  LeanWindow *self = LEAN_WINDOW (object);

  g_free (self->problems_text);
  g_free (self->shown_id);
  g_ptr_array_unref (self->back);
  g_ptr_array_unref (self->forward);

  G_OBJECT_CLASS (lean_window_parent_class)->finalize (object);
}

static void
lean_window_class_init (LeanWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lean_window_dispose;
  object_class->finalize = lean_window_finalize;
  object_class->get_property = lean_window_get_property;
  object_class->set_property = lean_window_set_property;
  window_class->close_request = lean_window_close_request;
  widget_class->size_allocate = lean_window_size_allocate;

  /* The sessions of this process: NULL when the database could not be
   * opened (Implement then says why). */
  properties[PROP_CONTROLLER] =
    g_param_spec_object ("controller", NULL, NULL, LEAN_TYPE_CONTROLLER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Agent names for the session tabs. */
  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, LEAN_TYPE_AGENT_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LEAN_TYPE_SPEC_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSIONS_SHOWN] =
    g_param_spec_boolean ("sessions-shown", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "list", "board", "dependencies", "stats": behind win.show-view. */
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "list",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LEAN_TYPE_SPEC_LIST);
  g_type_ensure (LEAN_TYPE_VIEW_SWITCHER);
  g_type_ensure (LEAN_TYPE_BOARD_VIEW);
  g_type_ensure (LEAN_TYPE_DEPENDENCY_VIEW);
  g_type_ensure (LEAN_TYPE_STATS_VIEW);
  g_type_ensure (LEAN_TYPE_PROJECTS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/leanspec/Desktop/lean-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, welcome_projects);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, sidebar_separator);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, project_button);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, project_label);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, problems_revealer);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, problems_label);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, problems_button);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, problems_box);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, spec_list);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, board_view);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, dependency_view);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, stats_view);
  gtk_widget_class_bind_template_child (widget_class, LeanWindow, projects_view);
  gtk_widget_class_bind_template_callback (widget_class, on_projects_open_project);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_spec_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_spec_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_view_open_spec);
  gtk_widget_class_bind_template_callback (widget_class, on_spec_completed);

  _lean_window_class_actions_init (widget_class);
}

static void
lean_window_init (LeanWindow *self)
{
  self->back = g_ptr_array_new_with_free_func (g_free);
  self->forward = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  _lean_window_validate_init (self);
  g_signal_connect (self, "map", G_CALLBACK (_lean_window_check_worktrees), NULL);
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (
                             GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self->problems_box),
                                                                           GTK_TYPE_SCROLLED_WINDOW))),
                           "changed", G_CALLBACK (queue_fit_problems), self, G_CONNECT_SWAPPED);

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* The key first: picking a key resets the list's direction, and the saved
   * direction must be applied after that. */
  g_settings_bind (self->settings, "sort-order", self->spec_list, "sort-by",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sort-direction", self->spec_list, "sort-direction",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::recent-projects",
                           G_CALLBACK (rebuild_recent), self, G_CONNECT_SWAPPED);
  rebuild_recent (self);
  _lean_window_update_actions (self);
}
