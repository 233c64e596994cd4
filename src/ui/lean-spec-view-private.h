/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-spec-view.h"
#include "lean-markdown-view.h"
#include "lean-spec-checks.h"
#include "lean-spec-task-status.h"

G_BEGIN_DECLS

/* LeanSpecView is spread over files that share this struct:
 * lean-spec-view.c (showing a spec, edits, toasts, actions),
 * lean-spec-view-chips.c (status, priority, tags, assignee and the title
 * entry, edited in place) and lean-spec-view-files.c (the sub-spec files
 * and their tab strip). */
struct _LeanSpecView
{
  GtkWidget          parent_instance;

  /* Template */
  AdwToastOverlay   *toast_overlay;
  AdwHeaderBar      *header_bar;
  GtkBox            *header_actions;
  AdwWindowTitle    *window_title;
  GtkButton         *complete_button;
  GtkButton         *editor_button;
  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkWidget         *page_box;
  GtkLabel          *number_label;
  GtkLabel          *title_label;
  GtkStack          *title_stack;
  GtkEntry          *title_entry;
  GtkLabel          *title_error;
  GtkMenuButton     *status_button;
  GtkMenuButton     *priority_button;
  GtkLabel          *status_chip;    /* inside status_button */
  GtkLabel          *priority_mark;  /* inside priority_button */
  GtkLabel          *progress_label;
  GtkBox            *chips_box;     /* status, priority, progress, tags, tag_add_button */
  GtkMenuButton     *tag_add_button;
  GtkPopover        *tag_popover;
  GtkEntry          *tag_entry;
  GtkLabel          *tag_error;
  GtkButton         *tag_add_confirm;
  GtkFlowBox        *tag_suggestions;
  GtkMenuButton     *assignee_button;
  GtkLabel          *assignee_label;
  GtkPopover        *assignee_popover;
  GtkEntry          *assignee_entry;
  GtkLabel          *assignee_error;
  GtkButton         *assignee_confirm;
  GtkLabel          *meta_label;
  GtkLabel          *relations_label;
  GtkWidget         *files_bar;       /* the scrolling tab strip */
  GtkStackSwitcher  *files_switcher;
  GtkMenuButton     *files_menu_button; /* past a handful of files */
  GtkStack          *files_stack;
  LeanMarkdownView  *readme_view;
  LeanSpecChecks    *checks;        /* tokens and LeanSpec's checks */
  LeanSpecTaskStatus *task_status;  /* the plan's phases, done/total */

  /* State */
  LeanSpecStore     *store;
  LeanSpec          *spec;
  char              *status;      /* "spec.status" action state */
  char              *priority;    /* "spec.priority" action state */
  GCancellable      *cancellable; /* sub-spec file loads */
  guint              pending_writes; /* edits asked of the store, not yet landed */
  gboolean           updating;    /* setting properties from the spec */
  AdwMessageDialog  *complete_dialog;
  AdwToast          *last_toast;
  double             restore_scroll;
  guint              restore_tick;
  guint              header_title_tick;
  GFileMonitor      *dir_monitor;    /* the shown spec's folder, for sub-spec files */
  char              *monitored_dir;
  guint              subspec_reload_id;
};

/* lean-spec-view.c */
/* Asks the store to apply @edit (taken) to @spec; when it lands, a toast
 * titled @done_title (if not NULL) offers Undo. */
void              _lean_spec_view_apply_edit       (LeanSpecView *self,
                                                    LeanSpec     *spec,
                                                    LeanSpecEdit *edit,
                                                    const char   *done_title);
char             *_lean_spec_view_dup_project_root (LeanSpecView *self,
                                                    LeanSpec     *spec);
gboolean          _lean_spec_view_on_markdown_link (LeanMarkdownView *view,
                                                    const char       *url,
                                                    LeanSpecView     *self);

/* lean-spec-view-chips.c */
void              _lean_spec_view_chips_class_init (GtkWidgetClass *widget_class);
void              _lean_spec_view_chips_init       (LeanSpecView *self);
void              _lean_spec_view_update_chips     (LeanSpecView *self,
                                                    LeanSpec     *spec);
void              _lean_spec_view_update_tags      (LeanSpecView *self,
                                                    LeanSpec     *spec);
void              _lean_spec_view_update_assignee  (LeanSpecView *self,
                                                    LeanSpec     *spec);
void              _lean_spec_view_start_renaming   (LeanSpecView *self);
void              _lean_spec_view_stop_renaming    (LeanSpecView *self);

/* lean-spec-view-files.c */
void              _lean_spec_view_files_class_init (GtkWidgetClass *widget_class);
void              _lean_spec_view_files_init       (LeanSpecView *self);
void              _lean_spec_view_update_files     (LeanSpecView *self,
                                                    LeanSpec     *spec);
void              _lean_spec_view_watch_dir        (LeanSpecView *self,
                                                    LeanSpec     *spec);

/* For the UI tests: the parts a person would click. */
LeanMarkdownView *_lean_spec_view_get_readme_view     (LeanSpecView *self);
/* Edits asked of the store and not landed yet (and a Reload). */
guint             _lean_spec_view_get_pending_writes  (LeanSpecView *self);
/* The "Complete anyway?" dialog while it is shown, else NULL. */
AdwMessageDialog *_lean_spec_view_get_complete_dialog (LeanSpecView *self);
/* The last toast shown by the view (a borrowed reference kept until the
 * next one), else NULL. */
AdwToast         *_lean_spec_view_get_last_toast      (LeanSpecView *self);
GtkWidget        *_lean_spec_view_get_files_stack     (LeanSpecView *self);
/* The entry "spec.rename" shows in place of the title. */
GtkWidget        *_lean_spec_view_get_title_entry     (LeanSpecView *self);
const char       *_lean_spec_view_get_relations_markup (LeanSpecView *self);
GtkLabel         *_lean_spec_view_get_relations_label (LeanSpecView *self);
/* In-place tag and assignee editing: the "+" button with its popover's
 * entry and suggestions (children carry their tag as "lean-tag" data), and
 * the assignee button with its popover's entry. Tag chips in the chips row
 * carry "lean-tag" data too; their "×" activates spec.remove-tag. */
GtkMenuButton    *_lean_spec_view_get_tag_add_button  (LeanSpecView *self);
GtkEntry         *_lean_spec_view_get_tag_entry       (LeanSpecView *self);
GtkFlowBox       *_lean_spec_view_get_tag_suggestions (LeanSpecView *self);
GtkMenuButton    *_lean_spec_view_get_assignee_button (LeanSpecView *self);
GtkEntry         *_lean_spec_view_get_assignee_entry  (LeanSpecView *self);

G_END_DECLS
