/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-controller.h"
#include "lean-spec-store.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_STATUS_FOLLOWER (lean_spec_status_follower_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecStatusFollower, lean_spec_status_follower,
                      LEAN, SPEC_STATUS_FOLLOWER, GObject)

/* What a session does to its spec, applied by whoever owns the controller
 * (the application, `leanspec-ctl implement`), which creates one follower
 * for it. The controller only reports; the follower reacts:
 *
 * - when a session's agent starts (state running) and its request asked
 *   for it (set_in_progress) or "always-set-in-progress" is on, the spec
 *   moves to in-progress, only forward (a complete or archived spec being
 *   reworked keeps its status); why it did not is kept as the session's
 *   "spec-status-not-set" event;
 * - when that session then fails because the agent could not even begin
 *   (not logged in, no API key, not in a git repository:
 *   lean_session_get_problem()), the spec goes back to the status it had,
 *   unless someone changed it since ("spec-status-restored" or
 *   "spec-status-not-restored" event).
 *
 * Specs of a project a spec store holds (lean_spec_status_follower_set_store_func())
 * are edited through that store, so its views update at once; others are
 * read and written through the spec writer in a worker thread. Main thread
 * only. Property "busy": a change is still being written (an owner about
 * to exit waits for it, so the spec is as it will stay). */

/* The store holding the project at @project_path, or NULL. */
typedef LeanSpecStore *(*LeanSpecStoreLookupFunc) (const char *project_path,
                                                   gpointer    user_data);

LeanSpecStatusFollower *lean_spec_status_follower_new        (LeanController          *controller);
LeanController         *lean_spec_status_follower_get_controller (LeanSpecStatusFollower *self);
void                    lean_spec_status_follower_set_store_func (LeanSpecStatusFollower *self,
                                                                  LeanSpecStoreLookupFunc func,
                                                                  gpointer                user_data,
                                                                  GDestroyNotify          destroy);
/* Property "always-set-in-progress": also for requests that did not ask
 * (the application's "set-in-progress-on-start" setting). Default FALSE. */
gboolean                lean_spec_status_follower_get_always (LeanSpecStatusFollower  *self);
void                    lean_spec_status_follower_set_always (LeanSpecStatusFollower  *self,
                                                              gboolean                 always);
gboolean                lean_spec_status_follower_get_busy   (LeanSpecStatusFollower  *self);

G_END_DECLS
