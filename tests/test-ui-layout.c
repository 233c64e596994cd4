/* SPDX-License-Identifier: MIT */
/* The main window's layout and keyboard, for real, under Xvfb: the spec and
 * session panes at 600, 1,200 and 1,600 px, the back buttons, the close
 * question, the style switcher, Back/Forward through followed links,
 * Escape in Session History and a paused session's timer. Every step is a
 * pointer click or key press through the X server (XTest). */
#include "config.h"

#include <string.h>

#include "lean-application-private.h"
#include "lean-implement-dialog.h"
#include "lean-session-page-private.h"
#include "lean-session-page.h"
#include "lean-spec-row.h"
#include "lean-spec-view-private.h"
#include "lean-spec-view.h"
#include "lean-window-private.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static LeanApplication *app;

typedef struct
{
  char           *project;
  LeanSessionDb  *db;
  LeanController *controller;
  LeanWindow     *window;
} Fixture;

static gboolean
store_loaded (gpointer data)
{
  Fixture *f = data;
  LeanSpecStore *store = lean_window_get_store (f->window);

  return store != NULL && !lean_spec_store_get_loading (store) &&
         g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static void
open_window (Fixture *f,
             int      width)
{
  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 10000));
  ui_test_settle (300);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *demo = ui_test_source_path ("demo", NULL);
  g_autofree char *agent = test_agent_path ();
  g_autofree char *db_path = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  f->project = ui_test_copy_tree (demo);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "slow", agent, "text", "--ready", "--text", "--sleep", "60", NULL);
  test_add_agent (b, "a-rather-long-agent-name", agent, "text", "--ready", "--text", "--sleep",
                  "60", NULL);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "default");
  json_builder_add_string_value (b, "slow");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (f->project, ".lean-spec/runners.json", json);
  test_trust_runners (f->project);

  db_path = g_build_filename (f->project, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);
  _lean_application_set_controller (app, f->controller);
  _lean_application_set_stop_timeout (app, 3000);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog;

  ui_test_stop_sessions (f->controller, 5000);
  while ((dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  ui_test_remove_tree (f->project);
  g_free (f->project);
}

/* ---- finding what a person sees ---- */

static GtkWidget *
find_actionable (GtkWidget  *root,
                 const char *action)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The mapped label showing @text (mnemonics stripped), or NULL. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_menu_button (GtkWidget  *root,
                  const char *tooltip)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_MENU_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
  GtkWidget  *found;
} LabelWait;

static gboolean
label_shows (gpointer data)
{
  LabelWait *w = data;

  w->found = find_label (w->root, w->text);
  return w->found != NULL;
}

/* Clicks the mapped label @text under @root (a menu item, a button). */
static void
click_text (GtkWidget  *root,
            const char *text)
{
  LabelWait w = { root, text, NULL };

  g_assert_true (test_util_wait_until (label_shows, &w, 5000));
  ui_input_click (w.found);
  ui_test_settle (200);
}

static void
click_row (Fixture    *f,
           const char *title)
{
  GtkWidget *row = ui_test_find_spec_row (GTK_WIDGET (_lean_window_get_spec_list (f->window)), title);

  g_assert_nonnull (row);
  ui_input_click (row);
}

typedef struct
{
  Fixture    *f;
  const char *id;
} Shown;

static gboolean
view_shows (gpointer data)
{
  Shown *s = data;
  GtkWidget *widget = _lean_window_get_spec_view (s->f->window);
  LeanSpec *spec = widget != NULL ? lean_spec_view_get_spec (LEAN_SPEC_VIEW (widget)) : NULL;

  return spec != NULL && g_str_equal (lean_spec_get_id (spec), s->id);
}

static void
wait_shows (Fixture    *f,
            const char *id)
{
  Shown s = { f, id };

  g_assert_true (test_util_wait_until (view_shows, &s, 5000));
  ui_test_settle (200);
}

static LeanSession *
start_agent (Fixture    *f,
             const char *spec_id,
             const char *agent_id)
{
  g_autoptr(LeanSessionRequest) request = lean_session_request_new ();
  g_autoptr(GError) error = NULL;
  LeanSession *session;

  request->project_path = g_strdup (f->project);
  request->spec_id = g_strdup (spec_id);
  request->agent_id = g_strdup (agent_id);
  request->prompt = g_strdup ("Implement the spec.");
  request->set_in_progress = FALSE;
  session = lean_controller_start (f->controller, request, &error);
  g_assert_no_error (error);
  return session;
}

static LeanSession *
start_session (Fixture    *f,
               const char *spec_id)
{
  return start_agent (f, spec_id, "slow");
}

typedef struct
{
  LeanSession      *session;
  LeanSessionState  state;
} StateWait;

static gboolean
in_state (gpointer data)
{
  StateWait *w = data;

  return lean_session_get_state (w->session) == w->state;
}

static void
wait_state (LeanSession      *session,
            LeanSessionState  state)
{
  StateWait w = { session, state };

  g_assert_true (test_util_wait_until (in_state, &w, 10000));
}

static void
shoot (Fixture    *f,
       const char *name)
{
  g_autofree char *path = ui_test_screenshot (GTK_WIDGET (f->window), name);

  g_test_message ("screenshot: %s", path);
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_DEFAULT);
  ui_test_settle (200);
}

/* ---- the panes ---- */

static void
click_sessions_toggle (Fixture *f)
{
  GtkWidget *toggle = find_actionable (_lean_window_get_spec_view (f->window),
                                       "win.show-sessions");

  g_assert_nonnull (toggle);
  ui_input_click (toggle);
  ui_test_settle (400);
}

/* Nothing but the window's own buttons comes before @button in its bar. */
static void
assert_first_in_bar (GtkWidget *button)
{
  for (GtkWidget *before = gtk_widget_get_prev_sibling (button); before != NULL;
       before = gtk_widget_get_prev_sibling (before))
    g_assert_true (GTK_IS_WINDOW_CONTROLS (before) || !gtk_widget_get_visible (before));
}

static void
assert_fits (Fixture *f,
             int      width)
{

  /* Never wider than asked for: nothing forces the window wider. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), <=, width);
}

/* At 1,600 px: list, spec and sessions side by side, all roomy. */
static void
check_wide (Fixture *f)
{
  GtkWidget *view = _lean_window_get_spec_view (f->window);
  LeanSessionPane *pane = _lean_window_get_session_pane (f->window);

  g_assert_cmpint (_lean_window_get_layout (f->window), ==, LEAN_WINDOW_LAYOUT_WIDE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_lean_window_get_spec_list (f->window))));
  g_assert_true (gtk_widget_get_mapped (view));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  g_assert_cmpint (gtk_widget_get_width (view), >=, 400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (pane)), >=, 420);
}

static void
test_panes (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *view;
  LeanSessionPane *pane;
  GtkWidget *back;
  LeanSession *session;

  /* 1,200 px: opening Sessions moves the list aside, the spec stays
   * readable. */
  open_window (f, 1200);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  session = start_session (f, "004-web-dashboard");
  wait_state (session, LEAN_SESSION_STATE_RUNNING);
  view = _lean_window_get_spec_view (f->window);
  pane = _lean_window_get_session_pane (f->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  click_sessions_toggle (f);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  g_assert_cmpint (_lean_window_get_layout (f->window), ==, LEAN_WINDOW_LAYOUT_MEDIUM);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (_lean_window_get_spec_list (f->window))));
  g_assert_cmpint (gtk_widget_get_width (view), >=, 400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (pane)), >=, 420);
  assert_fits (f, 1200);
  shoot (f, "layout-1200-light");
  set_dark (TRUE);
  shoot (f, "layout-1200-dark");
  set_dark (FALSE);

  /* Hiding Sessions brings the list back. */
  click_sessions_toggle (f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_lean_window_get_spec_list (f->window))));
  click_sessions_toggle (f);

  /* 600 px: Sessions is a page of its own, the window stays 600 px and
   * the terminal gets the width. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 600, 800);
  ui_test_settle (600);
  assert_fits (f, 600);
  g_assert_cmpint (_lean_window_get_layout (f->window), ==, LEAN_WINDOW_LAYOUT_NARROW);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  g_assert_false (gtk_widget_get_mapped (view));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (pane)), >=, 560);
  shoot (f, "layout-600-sessions-light");
  set_dark (TRUE);
  shoot (f, "layout-600-sessions-dark");
  set_dark (FALSE);

  /* Its back button, first in its header bar, goes back to the spec. */
  back = find_actionable (GTK_WIDGET (pane), "pane.hide");
  g_assert_nonnull (back);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (back)), ==, "go-previous-symbolic");
  assert_first_in_bar (back);
  ui_input_click (back);
  ui_test_settle (400);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  g_assert_true (gtk_widget_get_mapped (view));
  assert_fits (f, 600);
  shoot (f, "layout-600-spec-light");
  set_dark (TRUE);
  shoot (f, "layout-600-spec-dark");
  set_dark (FALSE);

  /* The spec's own back button (to the list) is first in its bar too. */
  back = find_actionable (lean_spec_view_get_header_bar (LEAN_SPEC_VIEW (view)), "win.show-list");
  g_assert_nonnull (back);
  assert_first_in_bar (back);

  /* Widening again: all three side by side, roomy. */
  click_sessions_toggle (f);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1600, 900);
  ui_test_settle (600);
  assert_fits (f, 1600);
  check_wide (f);

  /* Dragging the split is remembered: the pane keeps that width when
   * Sessions shows again. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    GtkWidget *paned = gtk_widget_get_parent (GTK_WIDGET (pane));
    int before = gtk_widget_get_width (GTK_WIDGET (pane));
    int saved;

    ui_input_drag (paned, gtk_paned_get_position (GTK_PANED (paned)) + 0.5,
                   gtk_widget_get_height (paned) / 2.0, -120, 0);
    ui_test_settle (300);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (pane)), >=, before + 80);
    saved = g_settings_get_int (settings, "session-pane-width");
    g_assert_cmpint (ABS (saved - gtk_widget_get_width (GTK_WIDGET (pane))), <=, 2);
    click_sessions_toggle (f);
    click_sessions_toggle (f);
    g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (pane)) - saved), <=, 2);
    g_settings_reset (settings, "session-pane-width");
  }
  shoot (f, "layout-1600-light");
  set_dark (TRUE);
  shoot (f, "layout-1600-dark");
  set_dark (FALSE);
}

/* ---- closing ---- */

static GtkWidget *
dialog_button (GtkWindow  *dialog,
               const char *label)
{
  GtkWidget *found = find_label (GTK_WIDGET (dialog), label);

  g_assert_nonnull (found);
  return found;
}

static gboolean
dialog_open (gpointer data)
{
  return ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
window_gone (gpointer data)
{
  Fixture *f = data;

  return f->window == NULL;
}

static void
test_close_dialog (Fixture       *f,
                   gconstpointer  data)
{
  LeanSession *session;
  GtkWindow *dialog;

  open_window (f, 1280);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  session = start_session (f, "004-web-dashboard");
  wait_state (session, LEAN_SESSION_STATE_RUNNING);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);

  /* Ctrl+W with a session running asks; Cancel keeps everything. */
  ui_input_click (_lean_window_get_spec_view (f->window));
  ui_input_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_assert_true (test_util_wait_until (dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  g_free (ui_test_screenshot (GTK_WIDGET (dialog), "layout-close-dialog"));
  ui_input_click (dialog_button (dialog, "Cancel"));
  ui_test_settle (300);
  g_assert_null (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (f->window);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);

  /* Again, and Stop: the agent stops, then the window closes. */
  gtk_window_present (GTK_WINDOW (f->window));
  ui_input_click (_lean_window_get_spec_view (f->window));
  ui_input_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_assert_true (test_util_wait_until (dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  ui_input_click (dialog_button (dialog, "Stop Session"));
  g_assert_true (test_util_wait_until (window_gone, f, 10000));
  g_assert_true (lean_session_state_is_final (lean_session_get_state (session)));
  g_assert_false (_lean_application_get_holding (app));
}

/* ---- style ---- */

static void
test_style_switcher (Fixture       *f,
                     gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *menu;

  open_window (f, 1280);
  menu = find_menu_button (GTK_WIDGET (f->window), "Main Menu");
  g_assert_nonnull (menu);

  ui_input_click (menu);
  click_text (menu, "Dark");
  g_assert_true (adw_style_manager_get_dark (style));
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_cmpstr (g_settings_get_string (settings, "style-variant"), ==, "dark");
  ui_test_settle (300);
  shoot (f, "layout-style-dark");

  ui_input_click (menu);
  click_text (menu, "Light");
  g_assert_false (adw_style_manager_get_dark (style));
  g_assert_cmpstr (g_settings_get_string (settings, "style-variant"), ==, "light");

  ui_input_click (menu);
  click_text (menu, "Follow System");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_cmpstr (g_settings_get_string (settings, "style-variant"), ==, "default");
}

/* ---- keyboard ---- */

static void
test_back_forward (Fixture       *f,
                   gconstpointer  data)
{
  LeanSpecView *view;

  open_window (f, 1280);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  view = LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window));

  /* Follow a link, then Alt+Left goes back and Alt+Right forward. */
  ui_input_click_label_text (_lean_spec_view_get_relations_label (view), "003 Habit REST API");
  wait_shows (f, "003-habit-api");
  ui_input_key (GDK_KEY_Left, GDK_ALT_MASK);
  wait_shows (f, "004-web-dashboard");
  ui_input_key (GDK_KEY_Right, GDK_ALT_MASK);
  wait_shows (f, "003-habit-api");
  ui_input_key (GDK_KEY_Left, GDK_ALT_MASK);
  wait_shows (f, "004-web-dashboard");
  /* Nothing before the first spec: Back stays. */
  ui_input_key (GDK_KEY_Left, GDK_ALT_MASK);
  ui_test_settle (300);
  wait_shows (f, "004-web-dashboard");
}

static gboolean
history_closed (gpointer data)
{
  Fixture *f = data;

  return f->window->history == NULL;
}

static void
test_escape_closes_history (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *menu;

  open_window (f, 1280);
  menu = find_menu_button (GTK_WIDGET (f->window), "Main Menu");
  ui_input_click (menu);
  click_text (menu, "Session History");
  ui_test_settle (400);
  g_assert_nonnull (f->window->history);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->history)));
  ui_input_click (GTK_WIDGET (f->window->history));
  ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (test_util_wait_until (history_closed, f, 5000));
}

/* ---- sessions ---- */

static LeanSessionPage *
selected_page (Fixture *f)
{
  AdwTabView *tabs = lean_session_pane_get_tab_view (_lean_window_get_session_pane (f->window));
  AdwTabPage *page = adw_tab_view_get_selected_page (tabs);

  return page != NULL ? LEAN_SESSION_PAGE (adw_tab_page_get_child (page)) : NULL;
}

static const char *
elapsed_text (LeanSessionPage *page)
{
  /* The timer is the one label reading like "0:03". */
  GtkWidget *label = NULL;
  GtkWidget *stack[64];
  int top = 0;

  stack[top++] = GTK_WIDGET (page);
  while (top > 0 && label == NULL)
    {
      GtkWidget *w = stack[--top];

      if (GTK_IS_LABEL (w) && g_regex_match_simple ("^[0-9]+:[0-9][0-9]$",
                                                    gtk_label_get_text (GTK_LABEL (w)), 0, 0))
        label = w;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && top < 64;
           c = gtk_widget_get_next_sibling (c))
        stack[top++] = c;
    }
  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
test_paused_timer (Fixture       *f,
                   gconstpointer  data)
{
  LeanSession *session;
  LeanSessionPage *page;
  LeanSessionPane *pane;
  g_autofree char *paused_at = NULL;
  GtkWindow *dialog;

  open_window (f, 1600);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  session = start_session (f, "004-web-dashboard");
  wait_state (session, LEAN_SESSION_STATE_RUNNING);
  click_sessions_toggle (f);
  pane = _lean_window_get_session_pane (f->window);
  page = selected_page (f);
  g_assert_nonnull (page);
  ui_test_settle (1500);

  /* Pause: the timer stands still and the pane counts no running agent. */
  ui_input_click (find_actionable (GTK_WIDGET (page), "session.pause"));
  wait_state (session, LEAN_SESSION_STATE_PAUSED);
  ui_test_settle (300);
  paused_at = g_strdup (elapsed_text (page));
  g_assert_false (ui_test_find_text (GTK_WIDGET (pane), "1 running"));
  ui_test_settle (2500);
  g_assert_cmpstr (elapsed_text (page), ==, paused_at);
  shoot (f, "layout-session-paused");

  /* Resumed, it counts again. */
  ui_input_click (find_actionable (GTK_WIDGET (page), "session.resume"));
  wait_state (session, LEAN_SESSION_STATE_RUNNING);
  ui_test_settle (2500);
  g_assert_cmpstr (elapsed_text (page), !=, paused_at);
  g_assert_true (ui_test_find_text (GTK_WIDGET (pane), "1 running"));

  /* Cancel on an agent that worked a while asks first. */
  _lean_session_page_set_confirm_cancel_after (page, 2);
  ui_input_click (find_actionable (GTK_WIDGET (page), "session.cancel"));
  g_assert_true (test_util_wait_until (dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  ui_input_click (dialog_button (dialog, "Keep Working"));
  ui_test_settle (300);
  g_assert_cmpint (lean_session_get_state (session), ==, LEAN_SESSION_STATE_RUNNING);
  ui_input_click (find_actionable (GTK_WIDGET (page), "session.cancel"));
  g_assert_true (test_util_wait_until (dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  ui_input_click (dialog_button (dialog, "Stop"));
  wait_state (session, LEAN_SESSION_STATE_CANCELLED);
  ui_test_settle (300);
  /* The cancelled tab says so with its icon. */
  g_assert_nonnull (adw_tab_page_get_icon (adw_tab_view_get_selected_page (
                      lean_session_pane_get_tab_view (pane))));
  shoot (f, "layout-session-cancelled");
}

static gboolean
implement_ready (gpointer data)
{
  GtkWindow *dialog = ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG);

  return dialog != NULL && lean_implement_dialog_get_ready (LEAN_IMPLEMENT_DIALOG (dialog));
}

/* Ctrl+Shift+I opens "Implement with AI"; its mode menu says what each
 * mode does. */
static void
test_implement_shortcut (Fixture       *f,
                         gconstpointer  data)
{
  GtkWindow *dialog;
  GtkWidget *mode;

  open_window (f, 1280);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  ui_input_click (_lean_window_get_spec_view (f->window));
  ui_input_key (GDK_KEY_i, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (test_util_wait_until (implement_ready, NULL, 15000));
  dialog = ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG);
  ui_test_settle (300);

  mode = find_label (GTK_WIDGET (dialog), "Mode");
  g_assert_nonnull (mode);
  {
    GtkWidget *row = gtk_widget_get_ancestor (mode, ADW_TYPE_COMBO_ROW);

    /* On its arrow, where a person opens the menu. */
    ui_input_click_at (row, gtk_widget_get_width (row) - 24, gtk_widget_get_height (row) / 2.0, 1);
  }
  {
    LabelWait w = { GTK_WIDGET (dialog), "Works on its own, without asking, until the spec is done",
                    NULL };
    GtkWidget *popover;

    g_assert_true (test_util_wait_until (label_shows, &w, 5000));
    popover = gtk_widget_get_ancestor (w.found, GTK_TYPE_POPOVER);
    g_assert_nonnull (popover);
    ui_test_settle (300);
    g_free (ui_test_screenshot (popover, "layout-implement-modes"));
  }
  g_assert_nonnull (find_label (GTK_WIDGET (dialog),
                                "Runs in the terminal and asks you before it changes things"));
  ui_input_key (GDK_KEY_Escape, 0);
  ui_test_settle (200);
  gtk_window_destroy (dialog);
}

/* Ctrl+Shift+S shows and hides Sessions; Ctrl+Shift+M asks to complete
 * the spec (its checklist is not done). */
static void
test_session_shortcuts (Fixture       *f,
                        gconstpointer  data)
{
  LeanSessionPane *pane;
  GtkWindow *dialog;

  open_window (f, 1600);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  ui_input_click (_lean_window_get_spec_view (f->window));
  pane = _lean_window_get_session_pane (f->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  ui_input_key (GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  ui_test_settle (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  ui_input_key (GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  ui_test_settle (300);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));

  ui_input_key (GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (test_util_wait_until (dialog_open, NULL, 5000));
  dialog = ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ui_test_settle (300);
  ui_input_click (dialog_button (dialog, "Cancel"));
  ui_test_settle (300);
  g_assert_null (ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

/* Long tab titles end in an ellipsis rather than fading out under the
 * close button; the tooltip has the whole. */
static void
test_long_tab_titles (Fixture       *f,
                      gconstpointer  data)
{
  AdwTabView *tabs;
  LeanSession *session = NULL;

  open_window (f, 1200);
  click_row (f, "Web Dashboard");
  wait_shows (f, "004-web-dashboard");
  for (guint i = 0; i < 3; i++)
    session = start_agent (f, "004-web-dashboard", "a-rather-long-agent-name");
  wait_state (session, LEAN_SESSION_STATE_RUNNING);
  click_sessions_toggle (f);
  tabs = lean_session_pane_get_tab_view (_lean_window_get_session_pane (f->window));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 3);
  for (int i = 0; i < 3; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (tabs, i);

      g_assert_true (g_str_has_suffix (adw_tab_page_get_title (page), "…"));
      g_assert_cmpint (g_utf8_strlen (adw_tab_page_get_title (page), -1), <=, 16);
      g_assert_nonnull (strstr (adw_tab_page_get_tooltip (page), "a-rather-long-agent-name"));
    }
  ui_test_settle (500);
  shoot (f, "layout-long-tab-titles");
}

static gboolean
find_mapped_named_cb (GtkWidget  *widget,
                      const char *name,
                      GtkWidget **found)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    {
      *found = widget;
      return TRUE;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (find_mapped_named_cb (c, name, found))
      return TRUE;
  return FALSE;
}

/* The first mapped widget named @name under @root, or NULL. */
static GtkWidget *
find_mapped_named (GtkWidget  *root,
                   const char *name)
{
  GtkWidget *found = NULL;

  find_mapped_named_cb (root, name, &found);
  return found;
}

typedef struct
{
  LeanWindow *window;
  const char *view;
} ViewWait;

static gboolean
view_is (gpointer data)
{
  ViewWait *w = data;

  return g_strcmp0 (_lean_window_get_view (w->window), w->view) == 0;
}

/* At 360 pixels every view fits (nothing asks for more width) and the
 * view switcher is one menu button where its header has no room for the
 * five toggles; picking a view from its menu by a click switches to it;
 * at 1,200 the toggles are back everywhere. */
static void
test_narrow_views (Fixture       *f,
                   gconstpointer  data)
{
  const struct { guint key; const char *view; } views[] = {
    { GDK_KEY_1, "list" },
    { GDK_KEY_2, "board" },
    { GDK_KEY_3, "dependencies" },
    { GDK_KEY_4, "stats" },
    { GDK_KEY_5, "projects" },
  };
  GtkWidget *compact, *popover, *item;
  ViewWait wait = { NULL, NULL };
  int min;

  open_window (f, 360);
  wait.window = f->window;
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("layout-360-%s", views[i].view);

      ui_input_key (views[i].key, GDK_CONTROL_MASK);
      wait.view = views[i].view;
      g_assert_true (test_util_wait_until (view_is, &wait, 5000));
      ui_test_settle (300);
      gtk_widget_measure (GTK_WIDGET (f->window->toast_overlay), GTK_ORIENTATION_HORIZONTAL, -1,
                          &min, NULL, NULL, NULL);
      g_test_message ("%s: the window's content needs %d px", views[i].view, min);
      g_assert_cmpint (min, <=, 360);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->toast_overlay)), <=, 360);
      /* The toggles where the header has room for them, else the menu. */
      g_assert_true ((find_mapped_named (GTK_WIDGET (f->window), "compact") == NULL) !=
                     (find_mapped_named (GTK_WIDGET (f->window), "board") == NULL));
      g_free (ui_test_screenshot (GTK_WIDGET (f->window), name));
    }

  /* From the spec list's menu button (its header holds New Spec and the
   * project menu too) to the Board. */
  ui_input_key (GDK_KEY_1, GDK_CONTROL_MASK);
  wait.view = "list";
  g_assert_true (test_util_wait_until (view_is, &wait, 5000));
  ui_test_settle (300);
  compact = find_mapped_named (GTK_WIDGET (f->window), "compact");
  g_assert_nonnull (compact);
  g_assert_null (find_mapped_named (GTK_WIDGET (f->window), "board"));
  ui_input_click (compact);
  ui_test_settle (300);
  popover = ui_test_find_widget (compact, GTK_TYPE_POPOVER);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_mapped (popover));
  g_free (ui_test_screenshot (popover, "layout-360-view-menu"));
  item = ui_test_find_label (popover, "Board");
  g_assert_nonnull (item);
  ui_input_click (item);
  wait.view = "board";
  g_assert_true (test_util_wait_until (view_is, &wait, 5000));

  /* Wide again: the toggles, Board checked. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  ui_test_settle (400);
  g_assert_null (find_mapped_named (GTK_WIDGET (f->window), "compact"));
  item = find_mapped_named (GTK_WIDGET (f->window), "board");
  g_assert_nonnull (item);
  g_assert_true (GTK_IS_TOGGLE_BUTTON (item));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (item)));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  test_session_env_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The unfocused window tells the desktop when a session ends. */
  ui_test_start_notification_server ();

  if (!ui_input_available ())
    {
      g_printerr ("test-ui-layout needs an X11 display with XTest (run under xvfb-run)\n");
      return test_session_env_cleanup (1);
    }
  if (!test_agent_path_exists ())
    {
      g_test_skip ("the test agent is not built (tests/lean-test-agent)");
      return test_session_env_cleanup (g_test_run ());
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, fn) \
  g_test_add ("/ui/layout/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("panes", test_panes);
  ADD ("close-dialog", test_close_dialog);
  ADD ("style-switcher", test_style_switcher);
  ADD ("back-forward", test_back_forward);
  ADD ("escape-closes-history", test_escape_closes_history);
  ADD ("paused-timer", test_paused_timer);
  ADD ("long-tab-titles", test_long_tab_titles);
  ADD ("implement-shortcut", test_implement_shortcut);
  ADD ("session-shortcuts", test_session_shortcuts);
  ADD ("narrow-views", test_narrow_views);
#undef ADD

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
