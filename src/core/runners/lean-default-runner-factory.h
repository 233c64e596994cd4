/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-relay-config.h"
#include "lean-runner-factory.h"

G_BEGIN_DECLS

#define LEAN_TYPE_DEFAULT_RUNNER_FACTORY (lean_default_runner_factory_get_type ())

G_DECLARE_FINAL_TYPE (LeanDefaultRunnerFactory, lean_default_runner_factory,
                      LEAN, DEFAULT_RUNNER_FACTORY, GObject)

/* The runners LeanSpec has: "local" is a LeanLocalRunner, "relay:..." a
 * LeanRelayRunner made by lean_relay_create_runner() against the
 * "relay-config" it was given (NULL: relays.json is read from its default
 * place for each relay session). */
LeanDefaultRunnerFactory *lean_default_runner_factory_new (LeanRelayConfig *relay_config);

G_END_DECLS
