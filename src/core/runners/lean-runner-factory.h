/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-runner.h"

G_BEGIN_DECLS

#define LEAN_TYPE_RUNNER_FACTORY (lean_runner_factory_get_type ())

G_DECLARE_INTERFACE (LeanRunnerFactory, lean_runner_factory, LEAN, RUNNER_FACTORY, GObject)

/* Makes the runner a session runs on. The controller is handed one (its
 * "runner-factory" construct property) and never creates a runner itself:
 * the application passes the default one (lean-default-runner-factory.h),
 * a test passes one that points relay sessions at a loopback peer. */
struct _LeanRunnerFactoryInterface
{
  GTypeInterface parent_iface;

  LeanRunner *(*create_runner) (LeanRunnerFactory  *self,
                                const char         *runner_spec,
                                const char         *session_id,
                                GError            **error);
};

/* @runner_spec: NULL, "" or "local" for this machine, "relay:SERVER[/RUNNER]"
 * for an agent-relay runner. @session_id is the session's UUID (a relay
 * sends it). Must not block on the network or the keyring. Errors are
 * LEAN_ERROR_INVALID_VALUE for a spec it does not know, or what the relay
 * configuration says. */
LeanRunner *lean_runner_factory_create_runner (LeanRunnerFactory  *self,
                                               const char         *runner_spec,
                                               const char         *session_id,
                                               GError            **error);

/* TRUE for NULL, "" and "local". */
gboolean    lean_runner_spec_is_local         (const char         *runner_spec);

G_END_DECLS
