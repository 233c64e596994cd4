/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-context-pump.h"

typedef struct
{
  GSource       source;
  GMainContext *inner;
  GPollFD      *fds;
  gint          n_fds;
  gint          n_alloc;
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
pump_prepare (GSource *source,
              gint    *timeout)
{
  Pump *pump = (Pump *)source;
  gboolean ready;
  gint n;

  /* The outer loop may have skipped our check (a source of higher priority
   * was ready): the inner context is simply prepared again. */
  pump_forget_fds (pump);
  pump->prepared = FALSE;
  *timeout = -1;
  if (pump->held)
    return FALSE;

  ready = g_main_context_prepare (pump->inner, &pump->priority);
  while ((n = g_main_context_query (pump->inner, pump->priority, timeout, pump->fds,
                                    pump->n_alloc)) > pump->n_alloc)
    {
      pump->n_alloc = n;
      pump->fds = g_renew (GPollFD, pump->fds, n);
    }
  pump->n_fds = n;
  for (gint i = 0; i < n; i++)
    g_source_add_poll (source, &pump->fds[i]);
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
