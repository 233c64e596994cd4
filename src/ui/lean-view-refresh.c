/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-view-refresh.h"

#define RELAYOUT_DELAY_MS 250

struct _LeanViewRefresh
{
  GtkWidget           *view;    /* owns this */
  LeanViewRefreshFunc  func;
  LeanSpecStore       *store;
  gboolean             dirty;
  guint                timeout_id;
};

static void
run (LeanViewRefresh *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->dirty = FALSE;
  self->func (self->view);
}

static gboolean
timeout_cb (gpointer data)
{
  LeanViewRefresh *self = data;

  self->timeout_id = 0;
  run (self);
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (LeanViewRefresh *self)
{
  if (!gtk_widget_get_mapped (self->view))
    {
      self->dirty = TRUE;
      return;
    }
  if (self->timeout_id == 0)
    self->timeout_id = g_timeout_add (RELAYOUT_DELAY_MS, timeout_cb, self);
}

LeanViewRefresh *
lean_view_refresh_new (GtkWidget           *view,
                       LeanViewRefreshFunc  func)
{
  LeanViewRefresh *self = g_new0 (LeanViewRefresh, 1);

  self->view = view;
  self->func = func;
  return self;
}

void
lean_view_refresh_free (LeanViewRefresh *self)
{
  if (self == NULL)
    return;
  lean_view_refresh_set_store (self, NULL);
  g_free (self);
}

void
lean_view_refresh_set_store (LeanViewRefresh *self,
                             LeanSpecStore   *store)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, on_items_changed, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_swapped (store, "items-changed", G_CALLBACK (on_items_changed), self);
  self->dirty = store != NULL;
  if (store != NULL && gtk_widget_get_mapped (self->view))
    run (self);
}

void
lean_view_refresh_mapped (LeanViewRefresh *self)
{
  if (self->dirty)
    run (self);
}

gboolean
lean_view_refresh_pending (LeanViewRefresh *self)
{
  return self->dirty || self->timeout_id != 0;
}
