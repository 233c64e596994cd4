/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a check proves: only a label for people and for grouping. */
typedef enum
{
  LEAN_CHECK_KIND_TEST,
  LEAN_CHECK_KIND_LINT,
  LEAN_CHECK_KIND_TYPECHECK,
  LEAN_CHECK_KIND_BUILD,
  LEAN_CHECK_KIND_CUSTOM,
} LeanCheckKind;

/* "test", "lint", "typecheck", "build", "custom" (checks.json spelling). */
const char *lean_check_kind_to_string   (LeanCheckKind    kind);
gboolean    lean_check_kind_from_string (const char      *str,
                                         LeanCheckKind   *kind);

/* How one run of a check ended. PENDING and RUNNING only while it runs. */
typedef enum
{
  LEAN_CHECK_STATUS_PENDING,
  LEAN_CHECK_STATUS_RUNNING,
  LEAN_CHECK_STATUS_PASSED,
  LEAN_CHECK_STATUS_FAILED,
  LEAN_CHECK_STATUS_TIMEOUT,   /* killed with its process group at its timeout */
  LEAN_CHECK_STATUS_ERROR,     /* could not be run: command not found, bad folder */
  LEAN_CHECK_STATUS_SKIPPED,   /* not run: the validation was cancelled first */
} LeanCheckStatus;

/* "pending", "running", "passed", "failed", "timeout", "error", "skipped". */
const char *lean_check_status_to_string   (LeanCheckStatus  status);
gboolean    lean_check_status_from_string (const char      *str,
                                           LeanCheckStatus *status);
/* Translated, for people: "Passed", "Timed out", ... */
const char *lean_check_status_get_label   (LeanCheckStatus  status);

/* The default time a check may run, in seconds (checks.json "timeout"). */
#define LEAN_CHECK_DEFAULT_TIMEOUT 600
/* The longest timeout checks.json may ask for: a day. */
#define LEAN_CHECK_MAX_TIMEOUT (24 * 3600)

#define LEAN_TYPE_CHECK (lean_check_get_type ())

/* One command that proves something about the working tree: an argv run in
 * @cwd (relative to the working tree, never outside it). Immutable once
 * made; shared by reference. */
typedef struct
{
  char          *id;       /* "tests": unique in a config, [A-Za-z0-9._-] */
  char          *name;     /* "Tests": for people */
  LeanCheckKind  kind;
  char         **argv;     /* never empty; argv[0] looked up in PATH */
  guint          timeout;  /* seconds, 1 .. LEAN_CHECK_MAX_TIMEOUT */
  char          *cwd;      /* relative, normalised: "." or "sub/dir" */
} LeanCheck;

GType      lean_check_get_type (void) G_GNUC_CONST;

/* @cwd NULL is "."; @timeout 0 is LEAN_CHECK_DEFAULT_TIMEOUT. No
 * validation here: lean_check_config_parse() judges what files say. */
LeanCheck *lean_check_new      (const char         *id,
                                const char         *name,
                                LeanCheckKind       kind,
                                const char * const *argv,
                                guint               timeout,
                                const char         *cwd);
LeanCheck *lean_check_ref      (LeanCheck          *check);
void       lean_check_unref    (LeanCheck          *check);
/* The argv as one line for people ("make test"), quoted where needed.
 * Only for showing: checks never run through a shell. */
char      *lean_check_describe_argv (LeanCheck     *check);

/* Whether @path is @dir or below it (both absolute, symlinks resolved):
 * how checks files and check folders are kept inside the project. */
gboolean   lean_check_path_is_inside (const char    *path,
                                      const char    *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanCheck, lean_check_unref)

G_END_DECLS
