/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-application.h"
#include "lean-devlog-sender.h"
#include "lean-window.h"

G_BEGIN_DECLS

/* LeanApplication is spread over lean-application.c (services, actions)
 * and lean-app-sessions.c (what closing and quitting mean while sessions
 * run, sessions in the background, notifications, spec side effects of
 * sessions), which share this struct. */
struct _LeanApplication
{
  AdwApplication     parent_instance;

  GSettings         *settings;
  LeanController    *controller;
  GError            *sessions_error;
  LeanAgentRegistry *registry;
  LeanRelayConfig   *relay_config;
  LeanDevlogSender  *devlog;      /* telemetry: sends while the app runs */
  GHashTable        *stores;      /* root -> LeanSpecStore */
  GHashTable        *store_users; /* LeanSpecStore -> window count */
  GHashTable        *activities;  /* root -> LeanSpecActivity */

  /* lean-app-sessions.c */
  gboolean           holding;
  guint              stop_timeout_ms;
  GPtrArray         *background;  /* sessions running when the last window closed */
  GCancellable      *asking;      /* the open close question, if any */
};

/* lean-app-sessions.c */
void      _lean_application_sessions_init      (LeanApplication *self);
void      _lean_application_sessions_shutdown  (LeanApplication *self);
/* Starts following @controller: the activity models, in-progress on start,
 * notifications of background sessions. */
void      _lean_application_sessions_watch     (LeanApplication *self,
                                                LeanController  *controller);
/* From the window's close-request: TRUE when the close is stopped (a
 * dialog asks first; the window closes itself later when it should). */
gboolean  _lean_application_close_request      (LeanApplication *self,
                                                LeanWindow      *window);
/* app.quit: asks when sessions run, stops them, closes every window. */
void      _lean_application_quit               (LeanApplication *self);
/* From activate with no window: opens a window on the sessions that ran
 * in the background; FALSE when there are none. */
gboolean  _lean_application_reopen             (LeanApplication *self);

/* Tests: use @controller (on a temp database) from now on; windows made
 * afterwards get it. */
void      _lean_application_set_controller     (LeanApplication *self,
                                                LeanController  *controller);
/* Tests: whether the application holds itself for background sessions,
 * and how long Stop waits for sessions to end before closing anyway. */
gboolean  _lean_application_get_holding        (LeanApplication *self);
void      _lean_application_set_stop_timeout   (LeanApplication *self,
                                                guint            msec);

G_END_DECLS
