/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef enum
{
  LEAN_CLOSE_CANCEL,  /* keep the window (or the application) open */
  LEAN_CLOSE_STOP,    /* stop the sessions, then close or quit */
  LEAN_CLOSE_KEEP,    /* close the window, the sessions run on */
} LeanCloseResponse;

/* The one question asked when a window closes or the application quits
 * while @n_live sessions run. Quitting offers Cancel and Stop; closing
 * the last window offers Keep Running in Background too. The answer is
 * LEAN_CLOSE_CANCEL when @cancellable is cancelled or @parent goes away. */
void              _lean_close_dialog_run_async (GtkWindow            *parent,
                                                guint                 n_live,
                                                gboolean              quitting,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
LeanCloseResponse _lean_close_dialog_finish    (GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
