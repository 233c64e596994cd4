/* SPDX-License-Identifier: MIT */
#include "lean-error.h"

G_DEFINE_QUARK (lean-error-quark, lean_error)
