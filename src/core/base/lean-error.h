/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LEAN_ERROR (lean_error_quark ())

/* One error domain for the whole core. Messages are written for a person:
 * they say what is wrong and, where possible, what to do about it. */
typedef enum
{
  LEAN_ERROR_FAILED,            /* anything without a better code */
  LEAN_ERROR_NO_PROJECT,        /* no .lean-spec/config.json or specs/ above the folder */
  LEAN_ERROR_INVALID_SPEC,      /* broken front matter, bad UTF-8, empty file, ... */
  LEAN_ERROR_NOT_FOUND,         /* unknown spec, session, agent, runner */
  LEAN_ERROR_AMBIGUOUS,         /* a spec number that matches several folders */
  LEAN_ERROR_INVALID_VALUE,     /* a status/priority/argument that is not allowed */
  LEAN_ERROR_CHANGED_ON_DISK,   /* the file changed since it was read; nothing written */
  LEAN_ERROR_INCOMPLETE,        /* completing refused: open checklist items or children */
  LEAN_ERROR_NOT_SUPPORTED,     /* e.g. pause on a relay session */
  LEAN_ERROR_AGENT_MISSING,     /* agent CLI not installed */
  LEAN_ERROR_CONNECTION,        /* relay/devlog unreachable, TLS, DNS, 404 runner */
  LEAN_ERROR_DATABASE,          /* SQLite failure */
  LEAN_ERROR_NOT_TRUSTED,       /* a project command the person has not trusted (yet) */
} LeanError;

GQuark lean_error_quark (void);

G_END_DECLS
