/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "lean-context-pump.h"

typedef struct
{
  GSource       source;
  GMainContext *inner;
  /* The inner context's descriptors, added to this source's polls. They
   * stay added from one iteration to the next while the inner context asks
   * for the same ones: adding or removing a poll wakes the outer context,
   * so changing them on every prepare would make it spin. */
  GPollFD      *fds;
  gint          n_fds;
  /* What the inner context asks for in this iteration. */
  GPollFD      *query;
  gint          n_query_alloc;
  gint          priority;  /* the inner context's, from its last prepare */
  gboolean      prepared;  /* the inner context waits for its check */
  gboolean      held;
} Pump;

static void
pump_forget_fds (Pump *pump)
{
  for (gint i = 0; i < pump->n_fds; i++)
    g_source_remove_poll (&pump->source, &pump->fds[i]);
  pump->n_fds = 0;
}

static gboolean
pump_same_fds (Pump *pump,
               gint  n)
{
  if (n != pump->n_fds)
    return FALSE;
  for (gint i = 0; i < n; i++)
    if (pump->query[i].fd != pump->fds[i].fd || pump->query[i].events != pump->fds[i].events)
      return FALSE;
  return TRUE;
}

/* Polls what the inner context asked for, touching the outer context's
 * poll records only when that changed. */
static void
pump_set_fds (Pump *pump,
              gint  n)
{
  if (pump_same_fds (pump, n))
    {
      for (gint i = 0; i < n; i++)
        pump->fds[i].revents = 0;
      return;
    }
  pump_forget_fds (pump);
  pump->fds = g_renew (GPollFD, pump->fds, n);
  if (n > 0)
    memcpy (pump->fds, pump->query, n * sizeof (GPollFD));
  pump->n_fds = n;
  for (gint i = 0; i < n; i++)
    g_source_add_poll (&pump->source, &pump->fds[i]);
}

static gboolean
pump_prepare (GSource *source,
              gint    *timeout)
{
  Pump *pump = (Pump *)source;
  gboolean ready;
  gint n;

  /* The outer loop may have skipped our check (a source of higher priority
   * was ready): the inner context is simply prepared again. */
  pump->prepared = FALSE;
  *timeout = -1;
  if (pump->held)
    {
      /* Not polled: a readable socket must not wake the outer loop while
       * nobody reads it. */
      pump_forget_fds (pump);
      return FALSE;
    }

  ready = g_main_context_prepare (pump->inner, &pump->priority);
  while ((n = g_main_context_query (pump->inner, pump->priority, timeout, pump->query,
                                    pump->n_query_alloc)) > pump->n_query_alloc)
    {
      pump->n_query_alloc = n;
      pump->query = g_renew (GPollFD, pump->query, n);
    }
  pump_set_fds (pump, n);
  pump->prepared = TRUE;
  if (ready)
    *timeout = 0;
  return ready;
}

static gboolean
pump_check (GSource *source)
{
  Pump *pump = (Pump *)source;
  gboolean ready;

  if (!pump->prepared || pump->held)
    return FALSE;
  ready = g_main_context_check (pump->inner, pump->priority, pump->fds, pump->n_fds);
  pump->prepared = FALSE;
  return ready;
}

static gboolean
pump_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  Pump *pump = (Pump *)source;

  /* Ready from prepare: the outer loop does not check us then. */
  if (pump->prepared)
    {
      g_main_context_check (pump->inner, pump->priority, pump->fds, pump->n_fds);
      pump->prepared = FALSE;
    }
  g_main_context_push_thread_default (pump->inner);
  g_main_context_dispatch (pump->inner);
  g_main_context_pop_thread_default (pump->inner);
  return G_SOURCE_CONTINUE;
}

static void
pump_finalize (GSource *source)
{
  Pump *pump = (Pump *)source;

  g_main_context_release (pump->inner);
  g_main_context_unref (pump->inner);
  g_free (pump->fds);
  g_free (pump->query);
}

static GSourceFuncs pump_funcs = {
  .prepare = pump_prepare,
  .check = pump_check,
  .dispatch = pump_dispatch,
  .finalize = pump_finalize,
};

GSource *
lean_context_pump_new (GMainContext *inner)
{
  Pump *pump;

  g_return_val_if_fail (inner != NULL, NULL);

  pump = (Pump *)g_source_new (&pump_funcs, sizeof (Pump));
  g_source_set_static_name (&pump->source, "lean-context-pump");
  pump->inner = g_main_context_ref (inner);
  /* Owned by this thread for the pump's life: prepare, check and dispatch
   * need it. */
  if (!g_main_context_acquire (inner))
    g_critical ("lean-context-pump: the inner context is owned by another thread");
  return &pump->source;
}

void
lean_context_pump_set_held (GSource  *source,
                            gboolean  held)
{
  Pump *pump = (Pump *)source;

  g_return_if_fail (source != NULL);

  if (pump->held == !!held)
    return;
  pump->held = !!held;
  /* Released: poll the inner context again without waiting for another
   * reason to wake. */
  if (!held && g_source_get_context (source) != NULL)
    g_main_context_wakeup (g_source_get_context (source));
}

gboolean
lean_context_pump_get_held (GSource *source)
{
  g_return_val_if_fail (source != NULL, FALSE);
  return ((Pump *)source)->held;
}
