/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"

G_BEGIN_DECLS

/* What a finished child process left behind. */
typedef struct
{
  int   exit_status;   /* exit code, or 128 + signal */
  char *out;
  char *err;
} CtlResult;

void        ctl_result_free         (CtlResult   *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlResult, ctl_result_free)

/* Path of the built leanspec-ctl (from LEANSPEC_BUILD_ROOT). */
const char *ctl_test_ctl_path       (void);

/* Runs @argv (NULL-terminated) in @cwd (may be NULL) with @input on stdin
 * (may be NULL) and waits for it. Fails the test if it cannot be started. */
CtlResult  *ctl_test_run_argv       (const char         *cwd,
                                     const char * const *argv,
                                     const char         *input);
/* Runs leanspec-ctl -C @project followed by the NULL-terminated arguments. */
CtlResult  *ctl_test_run_ctl        (const char         *project,
                                     ...) G_GNUC_NULL_TERMINATED;

/* Parses @text as JSON; fails the test with the text when it is not. */
JsonNode   *ctl_test_parse_json     (const char         *text);

char       *ctl_test_read_file      (const char         *root,
                                     const char         *rel_path);

/* Asserts @err is exactly one line "leanspec-ctl: ..." containing @needle. */
void        ctl_test_assert_one_error_line (const char *err,
                                            const char *needle);

G_END_DECLS
