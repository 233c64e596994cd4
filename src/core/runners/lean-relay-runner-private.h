/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-relay-runner.h"

G_BEGIN_DECLS

/* Bytes of output kept back while the runner is held (tests). */
gsize _lean_relay_runner_get_held_bytes (LeanRelayRunner *self);

G_END_DECLS
