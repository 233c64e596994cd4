/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-spec-list.h"

G_BEGIN_DECLS

/* For the UI tests: the list's vertical scroll position. */
GtkAdjustment *_lean_spec_list_get_vadjustment (LeanSpecList *self);

G_END_DECLS
