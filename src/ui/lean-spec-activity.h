/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-session.h"

G_BEGIN_DECLS

#define LEAN_TYPE_SPEC_ACTIVITY (lean_spec_activity_get_type ())

G_DECLARE_FINAL_TYPE (LeanSpecActivity, lean_spec_activity, LEAN, SPEC_ACTIVITY, GObject)

/* What the sessions of this process do to the specs of one project: for
 * each spec id, its latest session and that session's state. Spec rows
 * follow their own spec through the detailed "changed::SPEC-ID" signal
 * instead of every row scanning every session. The application keeps one
 * per open project and feeds it from the controller. */
LeanSpecActivity *lean_spec_activity_new         (const char       *project_root);
const char       *lean_spec_activity_get_root    (LeanSpecActivity *self);
/* Records @session as the latest of its spec and follows its state. */
void              lean_spec_activity_track       (LeanSpecActivity *self,
                                                  LeanSession      *session);
/* The latest session of @spec_id, or NULL. */
LeanSession      *lean_spec_activity_get_session (LeanSpecActivity *self,
                                                  const char       *spec_id);
/* The state a row shows for @spec_id: pending, running, paused,
 * validating, failed or interrupted; -1 when idle (no session, or the
 * latest completed or was cancelled). */
int               lean_spec_activity_get_state   (LeanSpecActivity *self,
                                                  const char       *spec_id);
/* What the spec's latest validation says, for its row. */
typedef enum
{
  LEAN_SPEC_VALIDATION_NONE,
  LEAN_SPEC_VALIDATION_RUNNING,
  LEAN_SPEC_VALIDATION_PASSED,
  LEAN_SPEC_VALIDATION_FAILED,
} LeanSpecValidation;

/* Set by the window as validations run and from the stored ones when a
 * project opens; emits "changed::SPEC-ID" when it changes. */
void               lean_spec_activity_set_validation (LeanSpecActivity   *self,
                                                      const char         *spec_id,
                                                      LeanSpecValidation  validation);
LeanSpecValidation lean_spec_activity_get_validation (LeanSpecActivity   *self,
                                                      const char         *spec_id);

/* A phased Ralph chain works on phase @phase (1-based) of @n_phases of
 * @spec_id; 0 when none is. Emits "changed::SPEC-ID" when it changes. */
void              lean_spec_activity_set_phase   (LeanSpecActivity *self,
                                                  const char       *spec_id,
                                                  guint             phase,
                                                  guint             n_phases);
guint             lean_spec_activity_get_phase   (LeanSpecActivity *self,
                                                  const char       *spec_id,
                                                  guint            *n_phases);

/* TRUE when @dir (a spec's folder) lies inside this project. */
gboolean          lean_spec_activity_contains    (LeanSpecActivity *self,
                                                  const char       *dir);

G_END_DECLS
