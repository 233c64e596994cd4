/* SPDX-License-Identifier: MIT */
/* A new user clicking everything: each view of the app (the spec view on
 * rich specs of the LeanSpec corpus, the session pane with a running test
 * agent, the Implement dialog, Preferences, Session History) is walked and
 * every visible, sensitive thing a person can click is clicked with a real
 * pointer click through the X server (XTest): buttons, toggles, check boxes,
 * menu buttons, switches, links in labels and in the text, list rows, tabs.
 * Whatever a click opens (a popover, a dialog, a window) is closed again
 * with Escape, or destroyed. The test fails on a crash, on any CRITICAL or
 * WARNING logged (recorded here even where it would not be fatal), and when
 * the window under test is gone. Projects are temp copies. */
#include "config.h"

#include <string.h>

#include "lean-application-private.h"
#include "lean-implement-dialog.h"
#include "lean-session-ui-private.h"
#include "lean-sessions-view.h"
#include "lean-spec-list.h"
#include "lean-spec-row.h"
#include "lean-spec-view-private.h"
#include "lean-window-private.h"
#include "lean-window-private.h"
#include "test-session-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

/* Bounds that keep the walk to what a person does in a few minutes: the
 * corpus has specs with hundreds of check boxes and rows. */
#define MAX_CLICKS       60
#define MAX_ROWS         3
#define MAX_TASKS        3
#define MAX_LINKS        4

static LeanApplication *app;
static GPtrArray *logged;   /* "domain: message" of each warning or critical */

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0)
    {
      const char *domain = "", *message = "";

      for (gsize i = 0; i < n_fields; i++)
        {
          if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
            domain = fields[i].value;
          else if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
            message = fields[i].value;
        }
      g_ptr_array_add (logged, g_strdup_printf ("%s: %s", domain, message));
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
assert_nothing_logged (const char *after)
{
  for (guint i = 0; i < logged->len; i++)
    g_printerr ("logged after %s: %s\n", after, (char *) g_ptr_array_index (logged, i));
  g_assert_cmpuint (logged->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Fixture: a window on a temp project, sessions with the test agent   */

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

static char *
corpus_source (void)
{
  const char *env = g_getenv ("LEANSPEC_CORPUS");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return ui_test_source_path ("..", "shared", "corpus", "lean-spec", NULL);
}

static void
write_runners (const char *project)
{
  g_autofree char *agent = test_agent_path ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runners");
  json_builder_begin_object (b);
  test_add_agent (b, "test-agent", agent, "claude-stream-json", "--sleep", "1",
                  "--stream-json", NULL);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "default");
  json_builder_add_string_value (b, "test-agent");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  test_util_write_file (project, ".lean-spec/runners.json", json);
  test_trust_runners (project);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *which = data;
  g_autofree char *source = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;

  if (g_str_equal (which, "corpus"))
    source = corpus_source ();
  else
    source = ui_test_source_path ("demo", NULL);
  if (!g_file_test (source, G_FILE_TEST_IS_DIR))
    return;

  f->project = ui_test_copy_tree (source);
  write_runners (f->project);
  db_path = g_build_filename (f->project, "sessions.db", NULL);
  f->db = lean_session_db_open (db_path, &error);
  g_assert_no_error (error);
  f->controller = lean_controller_new (f->db);
  lean_controller_set_kill_delay (f->controller, 300);
  _lean_application_set_controller (app, f->controller);

  f->window = lean_window_new (ADW_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  lean_window_open_project (f->window, f->project);
  g_assert_true (test_util_wait_until (store_loaded, f, 30000));
  ui_test_settle (200);
  g_ptr_array_set_size (logged, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->project == NULL)
    return;
  ui_test_stop_sessions (f->controller, 5000);
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_settle (50);
  _lean_application_set_controller (app, NULL);
  ui_test_close_sessions (&f->controller, &f->db);
  ui_test_remove_tree (f->project);
  g_free (f->project);
}

/* ------------------------------------------------------------------ */
/* Closing what a click opened                                         */

static GPtrArray *
list_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    g_ptr_array_add (out, g_list_model_get_item (toplevels, i));
  return out;
}

static GtkWidget *
find_open_popover (GtkWidget *root)
{
  if (GTK_IS_POPOVER (root) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_open_popover (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Escape first, as a person would; what is still open then goes. */
static void
close_opened (GPtrArray *before)
{
  g_autoptr(GPtrArray) now = NULL;

  ui_test_settle (150);
  now = list_toplevels ();
  for (guint i = 0; i < now->len; i++)
    {
      GtkWindow *window = g_ptr_array_index (now, i);
      GtkWidget *popover;

      if (!g_ptr_array_find (before, window, NULL) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          ui_input_key (GDK_KEY_Escape, 0);
          ui_test_settle (150);
          if (gtk_widget_get_visible (GTK_WIDGET (window)))
            gtk_window_destroy (window);
          continue;
        }
      while ((popover = find_open_popover (GTK_WIDGET (window))) != NULL)
        {
          ui_input_key (GDK_KEY_Escape, 0);
          ui_test_settle (100);
          if (find_open_popover (GTK_WIDGET (window)) == popover)
            {
              gtk_popover_popdown (GTK_POPOVER (popover));
              ui_test_settle (100);
            }
        }
    }
  ui_test_settle (100);
}

/* ------------------------------------------------------------------ */
/* What to click                                                       */

/* Clicks that would end the test rather than test the app, or reach
 * outside the temp project. */
static gboolean
is_skipped (GtkWidget *widget)
{
  const char *action = GTK_IS_ACTIONABLE (widget)
                       ? gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) : NULL;

  /* Quitting and closing the window under test end the walk. */
  if (g_strcmp0 (action, "app.quit") == 0 || g_strcmp0 (action, "window.close") == 0)
    return TRUE;
  /* The title bar's minimize, maximize and close belong to the window
   * manager's world, and close would end the walk. */
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL)
    return TRUE;
  /* The file chooser is GTK's own dialog and would browse the real disk;
   * "Open in Editor" starts another program. */
  if (g_strcmp0 (action, "win.open-folder") == 0 || g_strcmp0 (action, "spec.open-in-editor") == 0)
    return TRUE;
  /* Link buttons open a browser: another program, not this app. */
  if (GTK_IS_LINK_BUTTON (widget))
    return TRUE;
  /* Destructive buttons (removing a relay server deletes its token from
   * the user's keyring) can reach outside the temp project. */
  if (gtk_widget_has_css_class (widget, "destructive-action"))
    return TRUE;
  return FALSE;
}

static gboolean
is_clickable (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
      LEAN_IS_SPEC_ROW (widget))
    return TRUE;
  /* AdwTabBar's tabs and activatable preference rows. */
  if (g_str_equal (gtk_widget_get_css_name (widget), "tab"))
    return TRUE;
  if (GTK_IS_LIST_BOX_ROW (widget) && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)))
    return TRUE;
  return FALSE;
}

/* Clicks that close what is being walked (Cancel, Close, the dialog's
 * main action) come last, after everything else in it was tried. */
static gboolean
is_dismissive (GtkWidget *widget)
{
  const char *action = GTK_IS_ACTIONABLE (widget)
                       ? gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) : NULL;
  const char *icon = GTK_IS_BUTTON (widget) ? gtk_button_get_icon_name (GTK_BUTTON (widget)) : NULL;
  const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget)) : NULL;

  if (gtk_widget_has_css_class (widget, "suggested-action"))
    return TRUE;
  if (icon != NULL && (strstr (icon, "close") != NULL || strstr (icon, "cancel") != NULL ||
                       strstr (icon, "stop") != NULL))
    return TRUE;
  if (label != NULL && (strstr (label, "Cancel") != NULL || strstr (label, "Close") != NULL))
    return TRUE;
  return action != NULL && (g_str_has_suffix (action, ".close") || g_str_has_suffix (action, ".cancel"));
}

static gboolean
has_links (GtkWidget *widget)
{
  return GTK_IS_LABEL (widget) && gtk_label_get_use_markup (GTK_LABEL (widget)) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), "<a ") != NULL;
}

static void
collect (GtkWidget *root,
         GPtrArray *out)
{
  if (!gtk_widget_get_mapped (root))
    return;
  if (is_clickable (root) || has_links (root))
    g_ptr_array_add (out, g_object_ref (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    collect (child, out);
}

/* Whether a click at the centre of @widget would reach it: on screen, in
 * the window, not under something else. */
static gboolean
can_click (GtkWidget *widget)
{
  GtkNative *native;
  graphene_point_t p;
  GtkWidget *picked;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget) ||
      gtk_widget_get_width (widget) <= 0 || gtk_widget_get_height (widget) <= 0)
    return FALSE;
  native = gtk_widget_get_native (widget);
  if (native == NULL ||
      !gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                 &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                       gtk_widget_get_height (widget) / 2.0),
                                 &p))
    return FALSE;
  if (p.x < 0 || p.y < 0 || p.x >= gtk_widget_get_width (GTK_WIDGET (native)) ||
      p.y >= gtk_widget_get_height (GTK_WIDGET (native)))
    return FALSE;
  picked = gtk_widget_pick (GTK_WIDGET (native), p.x, p.y, GTK_PICK_DEFAULT);
  return picked == widget || (picked != NULL && gtk_widget_is_ancestor (picked, widget));
}

/* The texts of the <a> elements of @label's markup, in order. */
static GPtrArray *
label_links (GtkLabel *label)
{
  const char *markup = gtk_label_get_label (label);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = strstr (markup, "<a "); p != NULL; p = strstr (p, "<a "))
    {
      const char *href = strstr (p, "href=\"");
      const char *open_end = strchr (p, '>');
      const char *close = open_end != NULL ? strstr (open_end, "</a>") : NULL;
      g_autofree char *inner = NULL;
      g_autofree char *scheme = NULL;
      char *text = NULL;

      if (open_end == NULL || close == NULL)
        break;
      if (href != NULL && href < open_end)
        {
          g_autofree char *url = g_strndup (href + 6, strcspn (href + 6, "\""));

          scheme = g_uri_parse_scheme (url);
        }
      /* Web links open a browser: another program, not this app. */
      if (scheme == NULL || g_str_equal (scheme, "spec") || g_str_equal (scheme, "file"))
        {
          inner = g_strndup (open_end + 1, close - open_end - 1);
          if (pango_parse_markup (inner, -1, 0, NULL, &text, NULL, NULL) && text[0] != '\0')
            g_ptr_array_add (out, text);
          else
            g_free (text);
        }
      p = close + 4;
    }
  return out;
}

typedef struct
{
  GtkWidget  *root;     /* weak: the window under test */
  GHashTable *seen;     /* widgets already tried */
  guint       clicks;
  guint       rows;
  guint       tasks;
  guint       links;
  const char *name;
  /* Brings the view back after a link led elsewhere (NULL: nothing to do). */
  void      (*back) (gpointer data);
  gpointer    back_data;
} Walk;

static void
click_and_close (Walk       *walk,
                 GtkWidget  *widget,
                 const char *link)
{
  g_autoptr(GPtrArray) before = list_toplevels ();
  g_autofree char *what = g_strdup_printf ("%s %s%s%s in %s", G_OBJECT_TYPE_NAME (widget),
                                           link != NULL ? "link \"" : "",
                                           link != NULL ? link : "",
                                           link != NULL ? "\"" : "", walk->name);

  /* The page may still be moving after the last click (a spec loading):
   * look again once it has settled, as a person would. */
  ui_test_settle (200);
  if (!can_click (widget))
    return;
  g_test_message ("click: %s", what);
  if (link != NULL)
    ui_input_click_label_text (GTK_LABEL (widget), link);
  else
    ui_input_click (widget);
  walk->clicks++;
  close_opened (before);
  assert_nothing_logged (what);
  g_assert_nonnull (walk->root);
}

static void walk_widget (Walk      *walk,
                         GtkWidget *widget);

/* Tries what is on screen under the root and not tried yet; the
 * dismissive ones only when @dismissive. */
static void
explore (Walk     *walk,
         gboolean  dismissive)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new_with_free_func (g_object_unref);

  if (walk->root == NULL || walk->clicks >= MAX_CLICKS)
    return;
  collect (walk->root, widgets);
  for (guint i = 0; i < widgets->len && walk->root != NULL; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (g_hash_table_contains (walk->seen, widget) || is_dismissive (widget) != dismissive)
        continue;
      g_hash_table_add (walk->seen, g_object_ref (widget));
      walk_widget (walk, widget);
    }
}

static void
go_back (Walk *walk)
{
  if (walk->back != NULL && walk->root != NULL)
    walk->back (walk->back_data);
}

static void
walk_widget (Walk      *walk,
             GtkWidget *widget)
{
  gboolean was_active;

  if (walk->clicks >= MAX_CLICKS || walk->root == NULL || !can_click (widget) ||
      has_links (widget) || is_skipped (widget))
    return;
  if (LEAN_IS_SPEC_ROW (widget) && walk->rows++ >= MAX_ROWS)
    return;
  if (GTK_IS_CHECK_BUTTON (widget) && gtk_widget_get_ancestor (widget, LEAN_TYPE_MARKDOWN_VIEW) &&
      walk->tasks++ >= MAX_TASKS)
    return;

  was_active = GTK_IS_TOGGLE_BUTTON (widget) &&
               gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget));
  click_and_close (walk, widget, NULL);
  /* What the click showed (another page, an expanded row) next. */
  explore (walk, FALSE);

  /* A toggle (a status filter, the sessions pane) is clicked back, as a
   * person trying it would, so the rest of the view stays to be tried. */
  if (GTK_IS_TOGGLE_BUTTON (widget) && walk->root != NULL && can_click (widget) &&
      gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget)) != was_active &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_MENU_BUTTON) == NULL &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_STACK_SWITCHER) == NULL)
    click_and_close (walk, widget, NULL);
}

/* Links lead elsewhere: each one from the view as it was. */
static void
walk_label_links (Walk      *walk,
                  GtkWidget *widget)
{
  g_autoptr(GPtrArray) links = NULL;

  if (walk->root == NULL || !has_links (widget) || !can_click (widget))
    return;
  links = label_links (GTK_LABEL (widget));
  for (guint i = 0; i < links->len && walk->links < MAX_LINKS && walk->root != NULL; i++)
    {
      if (!can_click (widget))
        return;
      walk->links++;
      click_and_close (walk, widget, g_ptr_array_index (links, i));
      go_back (walk);
    }
}

/* Clicks a few links of each markdown view under @root. */
static void
walk_text_links (Walk      *walk,
                 GtkWidget *root)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();
  GPtrArray *stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (!gtk_widget_get_mapped (w))
        continue;
      if (LEAN_IS_MARKDOWN_VIEW (w))
        g_ptr_array_add (views, w);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  g_ptr_array_unref (stack);

  for (guint v = 0; v < views->len; v++)
    {
      GtkTextView *view = g_ptr_array_index (views, v);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
      GtkTextTag *link = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "link");
      GtkTextIter iter;
      guint clicked = 0;
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

      gtk_text_buffer_get_start_iter (buffer, &iter);
      while (texts->len < MAX_LINKS && gtk_text_iter_forward_to_tag_toggle (&iter, link))
        {
          GtkTextIter end = iter;
          GSList *tags;
          g_autofree char *url = NULL;
          g_autofree char *scheme = NULL;

          if (!gtk_text_iter_starts_tag (&iter, link))
            continue;
          gtk_text_iter_forward_to_tag_toggle (&end, link);
          tags = gtk_text_iter_get_tags (&iter);
          for (GSList *l = tags; l != NULL; l = l->next)
            if (g_object_get_data (l->data, "lean-url") != NULL)
              url = g_strdup (g_object_get_data (l->data, "lean-url"));
          g_slist_free (tags);
          scheme = url != NULL ? g_uri_parse_scheme (url) : NULL;
          /* Web links open a browser: another program, not this app. */
          if (url != NULL && scheme == NULL)
            g_ptr_array_add (texts, gtk_text_iter_get_text (&iter, &end));
          iter = end;
        }

      for (guint i = 0; i < texts->len && walk->root != NULL; i++)
        {
          g_autoptr(GPtrArray) before = list_toplevels ();
          GdkRectangle rect;
          GtkTextIter start, match, match_end;

          /* Only what is on screen, as for widgets. */
          gtk_text_buffer_get_start_iter (buffer, &start);
          if (!gtk_widget_get_mapped (GTK_WIDGET (view)) ||
              !gtk_text_iter_forward_search (&start, g_ptr_array_index (texts, i),
                                             GTK_TEXT_SEARCH_TEXT_ONLY, &match, &match_end, NULL))
            continue;
          gtk_text_view_get_iter_location (view, &match, &rect);
          {
            graphene_point_t p;
            GtkWidget *native = GTK_WIDGET (gtk_widget_get_native (GTK_WIDGET (view)));
            int wx, wy;

            gtk_text_view_buffer_to_window_coords (view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
            if (!gtk_widget_compute_point (GTK_WIDGET (view), native,
                                           &GRAPHENE_POINT_INIT (wx + 3, wy + rect.height / 2.0), &p) ||
                p.y < 0 || p.y >= gtk_widget_get_height (native) ||
                gtk_widget_pick (native, p.x, p.y, GTK_PICK_DEFAULT) != GTK_WIDGET (view))
              continue;
          }
          g_test_message ("click: text link \"%s\" in %s", (char *) g_ptr_array_index (texts, i),
                          walk->name);
          ui_input_click_text_view_text (view, g_ptr_array_index (texts, i));
          walk->clicks++;
          clicked++;
          close_opened (before);
          assert_nothing_logged ("a link in the text");
          go_back (walk);
          /* The link opened another page and no way back was given. */
          if (!gtk_widget_get_mapped (GTK_WIDGET (view)))
            break;
        }
      (void) clicked;
    }
}

/* Clicks everything clickable under @root, as laid out now: widgets
 * first, then links (after each, @back brings the view back). */
static void
walk_back (GtkWidget  *root,
           const char *name,
           void      (*back) (gpointer data),
           gpointer    back_data)
{
  Walk w = { NULL, NULL, 0, 0, 0, 0, name, back, back_data };
  g_autoptr(GPtrArray) widgets = g_ptr_array_new_with_free_func (g_object_unref);
  /* Keeps what it has seen alive, so a new widget never reuses the
   * address of one tried before. */
  g_autoptr(GHashTable) seen = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  w.seen = seen;
  g_set_weak_pointer (&w.root, root);
  collect (root, widgets);
  g_assert_cmpuint (widgets->len, >, 0);
  g_hash_table_add (seen, g_object_ref (root));
  for (guint i = 0; i < widgets->len; i++)
    if (has_links (g_ptr_array_index (widgets, i)))
      g_hash_table_add (seen, g_object_ref (g_ptr_array_index (widgets, i)));
  explore (&w, FALSE);
  for (guint i = 0; i < widgets->len && w.root != NULL; i++)
    walk_label_links (&w, g_ptr_array_index (widgets, i));
  if (w.root != NULL)
    walk_text_links (&w, root);
  explore (&w, TRUE);
  g_test_message ("%s: %u clicks", name, w.clicks);
  g_assert_cmpuint (w.clicks, >, 0);
  g_clear_weak_pointer (&w.root);
  assert_nothing_logged (name);
}

static void
walk (GtkWidget  *root,
      const char *name)
{
  walk_back (root, name, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The views                                                           */

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
show_spec (Fixture    *f,
           const char *id)
{
  Shown s = { f, id };

  g_assert_true (lean_spec_list_select_id (_lean_window_get_spec_list (f->window), id));
  g_assert_true (test_util_wait_until (view_shows, &s, 10000));
  ui_test_settle (500);
}

/* The page under the header scrolled down by @pages screens. */
static void
scroll_page (Fixture *f,
             double   pages)
{
  LeanMarkdownView *readme =
    _lean_spec_view_get_readme_view (LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window)));
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (readme), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;

  if (scroller == NULL)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_page_size (adjustment) * pages);
  ui_test_settle (300);
}

typedef struct
{
  Fixture    *f;
  const char *id;
  double      pages;
} Back;

static void
back_to_spec (gpointer data)
{
  Back *back = data;
  LeanSpec *spec = lean_spec_view_get_spec (LEAN_SPEC_VIEW (_lean_window_get_spec_view (back->f->window)));

  if (spec == NULL || !g_str_equal (lean_spec_get_id (spec), back->id))
    {
      show_spec (back->f, back->id);
      scroll_page (back->f, back->pages);
    }
}

static void
test_spec_view (Fixture       *f,
                gconstpointer  data)
{
  static const char *ids[] = { "193-frontend-ui-parity", "043-official-launch-02" };

  if (f->project == NULL)
    {
      g_test_skip ("the LeanSpec corpus is not there (set LEANSPEC_CORPUS)");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      /* The top of the page, then further down where the tables and the
       * code are. */
      for (guint pass = 0; pass < 2; pass++)
        {
          g_autofree char *name = g_strdup_printf ("spec %s, pass %u", ids[i], pass);
          Back back = { f, ids[i], pass * 1.5 };

          show_spec (f, ids[i]);
          scroll_page (f, back.pages);
          walk_back (GTK_WIDGET (f->window), name, back_to_spec, &back);
        }
    }
}

static gboolean
dialog_ready (gpointer data)
{
  GtkWindow *dialog = ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG);

  return dialog != NULL && lean_implement_dialog_get_ready (LEAN_IMPLEMENT_DIALOG (dialog));
}

static GtkWidget *
implement_button (Fixture *f)
{
  GtkWidget *actions =
    lean_spec_view_get_header_actions (LEAN_SPEC_VIEW (_lean_window_get_spec_view (f->window)));

  for (GtkWidget *child = gtk_widget_get_first_child (actions); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && !GTK_IS_TOGGLE_BUTTON (child) &&
        gtk_widget_has_css_class (child, "suggested-action"))
      return child;
  g_assert_not_reached ();
}

static GtkWindow *
open_implement_dialog (Fixture *f)
{
  show_spec (f, "004-web-dashboard");
  ui_input_click (implement_button (f));
  g_assert_true (test_util_wait_until (dialog_ready, NULL, 15000));
  ui_test_settle (300);
  return ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG);
}

static void
test_implement_dialog (Fixture       *f,
                       gconstpointer  data)
{
  GtkWindow *dialog = open_implement_dialog (f);

  walk (GTK_WIDGET (dialog), "the Implement dialog");
  if (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG) != NULL)
    gtk_window_destroy (ui_test_find_toplevel (LEAN_TYPE_IMPLEMENT_DIALOG));
  ui_test_settle (200);
  assert_nothing_logged ("the Implement dialog");
}

static GtkWidget *
find_start_button (GtkWidget *root)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_has_css_class (root, "suggested-action") &&
      gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_start_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
pane_shown (gpointer data)
{
  LeanSessionPane *pane = _lean_window_get_session_pane (data);

  return pane != NULL && gtk_widget_get_mapped (GTK_WIDGET (pane));
}

static void
test_session_pane (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog = open_implement_dialog (f);
  LeanSessionPane *pane;

  g_assert_true (ui_test_select_agent (LEAN_IMPLEMENT_DIALOG (dialog), "test-agent"));
  ui_input_click (find_start_button (GTK_WIDGET (dialog)));
  g_assert_true (test_util_wait_until (pane_shown, f->window, 10000));
  ui_test_settle (1500);

  pane = _lean_window_get_session_pane (f->window);
  walk (GTK_WIDGET (pane), "the session pane");
}

static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *prefs;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  ui_test_settle (500);
  prefs = ui_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  walk (GTK_WIDGET (prefs), "Preferences");
  if (ui_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW) != NULL)
    gtk_window_destroy (ui_test_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW));
  ui_test_settle (200);
  assert_nothing_logged ("Preferences");
}

static gboolean
session_finished (gpointer data)
{
  return ui_test_no_live_sessions (data);
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  GtkWindow *dialog = open_implement_dialog (f);
  GtkWindow *history;

  /* One finished session, so the history has a row. */
  g_assert_true (ui_test_select_agent (LEAN_IMPLEMENT_DIALOG (dialog), "test-agent"));
  ui_input_click (find_start_button (GTK_WIDGET (dialog)));
  g_assert_true (test_util_wait_until (session_finished, f->controller, 20000));

  history = _lean_window_show_history (f->window);
  ui_test_settle (500);
  walk (GTK_WIDGET (history), "Session History");
  assert_nothing_logged ("Session History");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (record_writer, NULL, NULL);
  test_session_env_init ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ui_test_start_notification_server ();

  if (!ui_input_available ())
    {
      /* Real clicks are the point: without XTest this proves nothing. */
      g_printerr ("test-ui-smoke needs an X11 display with XTest (run under xvfb-run)\n");
      return 1;
    }
  if (!test_agent_path_exists ())
    {
      g_printerr ("test-ui-smoke needs the test agent (tests/lean-test-agent)\n");
      return 1;
    }

  app = lean_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/ui/smoke/spec-view", Fixture, "corpus",
              fixture_set_up, test_spec_view, fixture_tear_down);
  g_test_add ("/ui/smoke/implement-dialog", Fixture, "demo",
              fixture_set_up, test_implement_dialog, fixture_tear_down);
  g_test_add ("/ui/smoke/session-pane", Fixture, "demo",
              fixture_set_up, test_session_pane, fixture_tear_down);
  g_test_add ("/ui/smoke/preferences", Fixture, "demo",
              fixture_set_up, test_preferences, fixture_tear_down);
  g_test_add ("/ui/smoke/history", Fixture, "demo",
              fixture_set_up, test_history, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return test_session_env_cleanup (ret);
}
