/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-agent-registry.h"
#include "lean-board-view.h"
#include "lean-controller.h"
#include "lean-ralph-chain.h"
#include "lean-dependency-view.h"
#include "lean-session-pane.h"
#include "lean-spec-list.h"
#include "lean-projects-view.h"
#include "lean-stats-view.h"
#include "lean-window.h"

G_BEGIN_DECLS

/* How the spec and the session pane share the window (see
 * lean-window-sessions.c). */
typedef enum
{
  LEAN_WINDOW_LAYOUT_WIDE,    /* list, spec and sessions side by side */
  LEAN_WINDOW_LAYOUT_MEDIUM,  /* the list steps aside while Sessions shows */
  LEAN_WINDOW_LAYOUT_NARROW,  /* Sessions is a page of its own */
} LeanWindowLayout;

/* LeanWindow is one class spread over lean-window.c (projects, the list,
 * the spec), lean-window-actions.c (win.* actions) and
 * lean-window-sessions.c (the session pane, Implement, the history, the
 * layout of the panes), which share this struct. */
struct _LeanWindow
{
  AdwApplicationWindow  parent_instance;

  /* Construct-only, from the application. */
  LeanController       *controller;
  LeanAgentRegistry    *registry;

  GSettings            *settings;
  LeanProject          *project;
  LeanSpecStore        *store;
  GApplication         *store_owner;  /* the LeanApplication the store came from */
  GCancellable         *cancellable;
  GtkWidget            *spec_view;
  GtkFileChooserNative *chooser;
  char                 *problems_text;
  guint                 reveal_id;
  /* Set when closing was agreed to (lean-app-sessions.c). */
  gboolean              close_confirmed;

  /* Specs shown before and after the current one (ids), for Back and
   * Forward. */
  GPtrArray            *back;
  GPtrArray            *forward;
  char                 *shown_id;
  gboolean              navigating;

  /* Sessions */
  LeanSessionPane      *pane;
  GtkWidget            *paned;
  GtkWidget            *implement_button;
  GtkWidget            *sessions_button;
  GtkWindow            *history;      /* weak */
  LeanWindowLayout      layout;
  int                   layout_width;
  guint                 layout_idle;
  gboolean              setting_split;
  GPtrArray            *reopen;       /* sessions to show once the project is loaded */
  char                 *reopen_selected;
  gulong                reopen_handler;
  LeanSpecStore        *reopen_store;
  /* Worktrees of ended sessions: pointed out once per window. */
  gboolean              worktrees_checking;
  gboolean              worktrees_pointed_out;
  gboolean              worktrees_watching;

  /* Validation and Ralph (lean-window-validate.c) */
  GtkWidget            *validate_button;
  GtkWidget            *validation_view;  /* the pane's Checks tab, made on first use */
  char                 *validation_spec;  /* the spec it shows */
  GHashTable           *validations;      /* spec id -> LeanValidation run or read here */
  GHashTable           *latest_ids;       /* spec id -> stored id, negated when it failed */
  GObject              *validation_store; /* LeanValidationStore, opened off the main loop */
  GPtrArray            *loops;            /* LeanChainView of this window's loops */
  GObject              *detected_checks;  /* LeanCheckConfig offered for saving */

  /* Template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  LeanProjectsView     *welcome_projects;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *sidebar_separator;
  GtkMenuButton        *project_button;
  GtkLabel             *project_label;
  GtkRevealer          *problems_revealer;
  GtkLabel             *problems_label;
  GtkToggleButton      *problems_button;
  GtkBox               *problems_box;
  guint                 fit_problems_id;
  LeanSpecList         *spec_list;
  GtkStack             *content_stack;
  GMenu                *recent_section;
  /* The project's views (lean-board-view.c and the others). */
  GtkStack             *view_stack;
  LeanBoardView        *board_view;
  LeanDependencyView   *dependency_view;
  LeanStatsView        *stats_view;
  LeanProjectsView     *projects_view;
};

/* lean-window-actions.c */
void              _lean_window_class_actions_init (GtkWidgetClass *widget_class);
void              _lean_window_update_actions     (LeanWindow     *self);

/* lean-window.c */
void              _lean_window_show_error_toast   (LeanWindow     *self,
                                                   const char     *format,
                                                   const GError   *error);
/* Shows the spec with @id, as a link would; a toast when there is none. */
void              _lean_window_open_spec          (LeanWindow     *self,
                                                   const char     *id);
/* The view shown: "list", "board", "dependencies" or "stats". */
const char       *_lean_window_get_view           (LeanWindow     *self);
void              _lean_window_set_view           (LeanWindow     *self,
                                                   const char     *view);
/* Back and Forward through the specs shown. */
gboolean          _lean_window_go_back            (LeanWindow     *self);
gboolean          _lean_window_go_forward         (LeanWindow     *self);

/* lean-window-sessions.c */
/* Puts the session pane beside @spec_view; returns what the window shows
 * in the spec's place. */
GtkWidget        *_lean_window_sessions_wrap      (LeanWindow     *self,
                                                   GtkWidget      *spec_view);
void              _lean_window_sessions_dispose   (LeanWindow     *self);
/* Looks at the worktrees sessions left (off the main loop) when the window
 * shows and as sessions end; past the Worktrees page's threshold a toast
 * offers that page (app.worktrees). */
void              _lean_window_check_worktrees    (LeanWindow     *self);
/* Opens the Implement dialog for the spec shown. */
void              _lean_window_implement          (LeanWindow     *self);
gboolean          _lean_window_get_sessions_shown (LeanWindow     *self);
void              _lean_window_set_sessions_shown (LeanWindow     *self,
                                                   gboolean        shown);
/* Shows @sessions (LeanSession) in the pane, selecting @selected_id,
 * once the window's project has loaded. */
void              _lean_window_show_sessions      (LeanWindow     *self,
                                                   GPtrArray      *sessions,
                                                   const char     *selected_id);
/* From the window's size_allocate: re-places the panes when @width
 * crosses a layout's bound. */
void              _lean_window_layout_allocated   (LeanWindow     *self,
                                                   int             width);
/* Re-places the panes for the window's width now. */
void              _lean_window_update_layout      (LeanWindow     *self);
/* Opens the Session History window of @window. */
GtkWindow        *_lean_window_show_history       (LeanWindow     *self);

/* lean-window-validate.c */
void              _lean_window_validate_init      (LeanWindow     *self);
void              _lean_window_validate_dispose   (LeanWindow     *self);
/* A header button's icon and label, then its @short_label (may be NULL),
 * then the icon alone, as far as the header has room (a narrow window). */
GtkWidget        *_lean_window_squeezed_content   (const char     *icon_name,
                                                   const char     *label,
                                                   const char     *short_label);
/* Adds "Validate" to the spec's header actions. */
void              _lean_window_validate_add_button (LeanWindow    *self,
                                                    GtkWidget     *actions);
/* Validates the spec shown: checks loaded off the main loop, trusted by
 * the person when they are the project's, results in the pane. */
void              _lean_window_validate           (LeanWindow     *self);
/* Saves the checks detected in the project to .lean-spec/checks.json
 * (and trusts what it wrote: the person asked for exactly that). */
void              _lean_window_save_checks        (LeanWindow     *self);
/* Shows the last validation of the spec shown in the pane. */
void              _lean_window_show_validation    (LeanWindow     *self);
gboolean          _lean_window_has_validation     (LeanWindow     *self);
/* The spec shown changed: the Checks tab follows it. */
void              _lean_window_validate_spec_shown (LeanWindow    *self);
/* Runs a Ralph loop of @request (its spec and agent) with @settings. */
void              _lean_window_start_ralph        (LeanWindow               *self,
                                                   const LeanSessionRequest *request,
                                                   const LeanRalphSettings  *settings,
                                                   gboolean                  critic);
/* The pane's Checks tab (a LeanValidationView), or NULL before the first
 * validation; the chain view of the window's latest Ralph loop, or NULL. */
GtkWidget        *_lean_window_get_validation_view (LeanWindow    *self);
GtkWidget        *_lean_window_get_chain_view     (LeanWindow     *self);

/* For the UI tests: the parts a person looks at. */
LeanSpecList     *_lean_window_get_spec_list      (LeanWindow     *self);
GtkWidget        *_lean_window_get_spec_view      (LeanWindow     *self);
/* The pane of the window, or NULL before the spec view exists. */
LeanSessionPane  *_lean_window_get_session_pane   (LeanWindow     *self);
LeanWindowLayout  _lean_window_get_layout         (LeanWindow     *self);
/* "welcome", "project" */
const char       *_lean_window_get_page           (LeanWindow     *self);
/* The banner's headline ("2 specs could not be read") and its details
 * (one "path: reason" per line); NULL when the banner is hidden. */
const char       *_lean_window_get_problems_text  (LeanWindow     *self);
char             *_lean_window_dup_problems_details (LeanWindow   *self);

G_END_DECLS
