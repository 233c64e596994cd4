/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-terminal-view.h"

G_BEGIN_DECLS

/* Called with every run of bytes the view hands to vte_terminal_feed(), in
 * order, right before the call. For the benchmark and tests only. */
typedef void (*LeanTerminalViewFeedHook) (LeanTerminalView *self,
                                          const char       *data,
                                          gsize             len,
                                          gpointer          user_data);

void    _lean_terminal_view_set_feed_hook (LeanTerminalView         *self,
                                           LeanTerminalViewFeedHook  hook,
                                           gpointer                  user_data);
/* The current estimate of VTE's parse rate in bytes per µs (= MB/s). */
double  _lean_terminal_view_get_rate      (LeanTerminalView         *self);

G_END_DECLS
