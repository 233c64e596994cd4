/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-check.h"
#include "lean-trust-store.h"

G_BEGIN_DECLS

/* Where a project's checks file lives, relative to the project root. */
#define LEAN_CHECK_CONFIG_FILE ".lean-spec/checks.json"
#define LEAN_CHECK_CONFIG_DEFAULT_MAX_ITERATIONS 10
/* A checks file larger than this is refused before it is read. */
#define LEAN_CHECK_CONFIG_MAX_SIZE (1024 * 1024)

typedef enum
{
  LEAN_CHECK_SOURCE_FILE,      /* the project's checks.json: run only when trusted */
  LEAN_CHECK_SOURCE_DETECTED,  /* guessed from the tree: fixed argv of our own */
} LeanCheckSource;

#define LEAN_TYPE_CHECK_CONFIG (lean_check_config_get_type ())

G_DECLARE_FINAL_TYPE (LeanCheckConfig, lean_check_config, LEAN, CHECK_CONFIG, GObject)

/* The checks of a project, as its checks.json says or as detected from its
 * tree, with the Ralph defaults the file may set ("critic", default FALSE:
 * the critic spends an agent's tokens only when asked; "maxIterations",
 * default 10). Immutable once loaded. */

LeanCheckConfig *lean_check_config_new             (LeanCheckSource   source);
void             lean_check_config_add_check       (LeanCheckConfig  *self,
                                                    LeanCheck        *check);

/* Parses checks.json text. Anything wrong is LEAN_ERROR_INVALID_VALUE with
 * a message that starts with @display_path and, for a syntax error, the
 * line and column: ".lean-spec/checks.json:3:14: ...". Refused: nesting
 * deeper than 16, ids that repeat or are not [A-Za-z0-9._-], an empty or
 * non-string "run", a timeout outside 1..86400, a "cwd" that is absolute or
 * climbs out with "..", more than 100 checks. */
LeanCheckConfig *lean_check_config_parse           (const char       *data,
                                                    gssize            len,
                                                    const char       *display_path,
                                                    GError          **error);

/* The project's checks: its checks.json when there is one (read only when
 * its real path is inside @root and it is at most 1 MiB), else what
 * lean_check_config_detect() finds. BLOCKS on file I/O. */
LeanCheckConfig *lean_check_config_load            (const char       *root,
                                                    GError          **error);
void             lean_check_config_load_async      (const char       *root,
                                                    GCancellable     *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer          user_data);
LeanCheckConfig *lean_check_config_load_finish     (GAsyncResult     *result,
                                                    GError          **error);

/* Checks guessed from the files at @root: a Makefile with a test or check
 * target; meson.build with a configured build folder; package.json scripts
 * test, lint and typecheck/type-check/tsc; pytest configuration or tests/
 * with test_*.py; Cargo.toml; go.mod. BLOCKS on file I/O. */
LeanCheckConfig *lean_check_config_detect          (const char       *root);

/* The config as checks.json text (pretty, ends with a newline). */
char            *lean_check_config_to_data         (LeanCheckConfig  *self);
/* Writes it to @root/.lean-spec/checks.json atomically. */
gboolean         lean_check_config_save            (LeanCheckConfig  *self,
                                                    const char       *root,
                                                    GError          **error);

LeanCheckSource  lean_check_config_get_source      (LeanCheckConfig  *self);
/* For a FILE config: the real path of the file and the SHA-256 of the bytes
 * parsed, the pair a trust decision is about. NULL otherwise. */
const char      *lean_check_config_get_path        (LeanCheckConfig  *self);
const char      *lean_check_config_get_sha256      (LeanCheckConfig  *self);
guint            lean_check_config_get_n_checks    (LeanCheckConfig  *self);
LeanCheck       *lean_check_config_get_check       (LeanCheckConfig  *self,
                                                    guint             index);
LeanCheck       *lean_check_config_find_check      (LeanCheckConfig  *self,
                                                    const char       *id);
gboolean         lean_check_config_get_critic      (LeanCheckConfig  *self);
guint            lean_check_config_get_max_iterations (LeanCheckConfig *self);

/* Whether the commands of @self may run: a DETECTED config always (its
 * argv are ours), a FILE config only when @trust_func says the person
 * trusted the file's current content (path + sha256). */
typedef gboolean (*LeanCheckTrustFunc) (const char *path,
                                        const char *sha256,
                                        gpointer    user_data);
gboolean         lean_check_config_is_trusted      (LeanCheckConfig   *self,
                                                    LeanCheckTrustFunc trust_func,
                                                    gpointer           user_data);

/* What trusting a FILE config means, for the trust dialog and
 * `leanspec-ctl trust --checks`: each check's argv exactly (its folder and
 * timeout as notes), keyed by the file's real path and the SHA-256 of the
 * bytes parsed, in the state @store has for them. NULL for a DETECTED
 * config (nothing of the project's to trust). */
LeanTrustRequest *lean_check_config_get_trust_request (LeanCheckConfig *self,
                                                       LeanTrustStore  *store);
/* lean_check_config_is_trusted() asking @store (a LeanTrustStore). */
gboolean         lean_check_config_trust_store_func (const char *path,
                                                     const char *sha256,
                                                     gpointer    store);

G_END_DECLS
