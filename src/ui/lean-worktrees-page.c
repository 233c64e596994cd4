/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-session-review.h"
#include "lean-worktrees-page.h"

struct _LeanWorktreesPage
{
  AdwPreferencesPage  parent_instance;

  LeanSessionDb      *db;
  GCancellable       *cancellable;
  AdwPreferencesGroup *group;
  GtkWidget          *remove_all;
  GtkWidget          *hint;
  GPtrArray          *rows;     /* the rows shown, to remove on refresh */
};

G_DEFINE_FINAL_TYPE (LeanWorktreesPage, lean_worktrees_page, ADW_TYPE_PREFERENCES_PAGE)

static void refresh (LeanWorktreesPage *self);

static char *
format_age (gint64 seconds)
{
  if (seconds < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes",
                                         (gulong)(seconds / 60)), (int)(seconds / 60));
  if (seconds < 2 * 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours",
                                         (gulong)(seconds / 3600)), (int)(seconds / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days",
                                       (gulong)(seconds / 86400)), (int)(seconds / 86400));
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LeanWorktreesPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lean_session_worktree_remove_finish (result, &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (ADW_IS_PREFERENCES_WINDOW (root))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root),
                                          adw_toast_new (error->message));
    }
  refresh (self);
}

static void
on_remove_one (GtkButton         *button,
               LeanWorktreesPage *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  lean_session_worktree_remove_async (self->db, path, self->cancellable, on_removed,
                                      g_object_ref (self));
}

static void
on_remove_all (LeanWorktreesPage *self)
{
  gtk_widget_set_sensitive (self->remove_all, FALSE);
  lean_session_worktree_remove_async (self->db, NULL, self->cancellable, on_removed,
                                      g_object_ref (self));
}

static GtkWidget *
worktree_row (LeanWorktreesPage   *self,
              LeanSessionWorktree *worktree)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *size = g_format_size (worktree->bytes);
  g_autofree char *age = format_age (worktree->age);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;

  /* Paths and branches come from disk: no markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  title = g_strdup_printf ("%s · %s", worktree->spec_id,
                           worktree->branch != NULL ? worktree->branch : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  subtitle = worktree->ended
             ? g_strdup_printf (_("%s · ended %s ago · %s"), size, age, worktree->path)
             : g_strdup_printf (_("%s · a session is working in it · %s"), size, worktree->path);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  if (worktree->ended)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove this worktree (its branch stays)"));
      g_object_set_data_full (G_OBJECT (remove), "path", g_strdup (worktree->path), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_one), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
    }
  return row;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LeanWorktreesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = lean_session_worktrees_list_finish (result, &error);
  guint ended = 0;
  guint64 bytes = 0;

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_preferences_group_set_description (self->group, error->message);
      return;
    }
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < list->len; i++)
    {
      LeanSessionWorktree *worktree = g_ptr_array_index (list, i);
      GtkWidget *row = worktree_row (self, worktree);

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      if (worktree->ended)
        {
          ended++;
          bytes += worktree->bytes;
        }
    }
  adw_preferences_group_set_description (self->group, list->len == 0
                                         ? _("No session worktrees: sessions that ran in their "
                                             "own worktree were landed or removed.")
                                         : _("Sessions that run in a worktree of their own leave "
                                             "it behind until their work is landed or "
                                             "discarded."));
  gtk_widget_set_sensitive (self->remove_all, ended > 0);
  if (ended >= LEAN_WORKTREES_HINT_COUNT || bytes >= LEAN_WORKTREES_HINT_BYTES)
    {
      g_autofree char *size = g_format_size (bytes);
      g_autofree char *text = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE,
                     "%u worktree of ended sessions uses %s: remove it to free the space.",
                     "%u worktrees of ended sessions use %s: remove those you are done with.",
                     ended), ended, size);

      gtk_label_set_text (GTK_LABEL (self->hint), text);
      gtk_widget_set_visible (self->hint, TRUE);
    }
  else
    gtk_widget_set_visible (self->hint, FALSE);
}

static void
refresh (LeanWorktreesPage *self)
{
  lean_session_worktrees_list_async (self->db, self->cancellable, on_listed, g_object_ref (self));
}

static void
lean_worktrees_page_dispose (GObject *object)
{
  LeanWorktreesPage *self = LEAN_WORKTREES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (lean_worktrees_page_parent_class)->dispose (object);
}

static void
lean_worktrees_page_finalize (GObject *object)
{
  LeanWorktreesPage *self = LEAN_WORKTREES_PAGE (object);

  g_clear_object (&self->db);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (lean_worktrees_page_parent_class)->finalize (object);
}

static void
lean_worktrees_page_class_init (LeanWorktreesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_worktrees_page_dispose;
  object_class->finalize = lean_worktrees_page_finalize;
}

static void
lean_worktrees_page_init (LeanWorktreesPage *self)
{
  AdwPreferencesGroup *hint_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (self), _("Worktrees"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (self), "folder-symbolic");

  self->hint = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->hint), 0);
  gtk_widget_add_css_class (self->hint, "warning");
  gtk_widget_set_visible (self->hint, FALSE);
  adw_preferences_group_add (hint_group, self->hint);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), hint_group);

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Session Worktrees"));
  self->remove_all = gtk_button_new_with_mnemonic (_("Remove _All Ended"));
  gtk_widget_add_css_class (self->remove_all, "destructive-action");
  gtk_widget_set_valign (self->remove_all, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (self->remove_all, FALSE);
  g_signal_connect_swapped (self->remove_all, "clicked", G_CALLBACK (on_remove_all), self);
  adw_preferences_group_set_header_suffix (self->group, self->remove_all);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->group);
}

GtkWidget *
lean_worktrees_page_new (LeanSessionDb *db)
{
  LeanWorktreesPage *self = g_object_new (LEAN_TYPE_WORKTREES_PAGE, NULL);

  self->db = g_object_ref (db);
  refresh (self);
  return GTK_WIDGET (self);
}
