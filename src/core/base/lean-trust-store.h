/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether the person trusted a project file with the content it has now. */
typedef enum
{
  LEAN_TRUST_UNKNOWN,   /* never trusted (or trust was revoked) */
  LEAN_TRUST_TRUSTED,   /* trusted with exactly these bytes */
  LEAN_TRUST_CHANGED,   /* trusted once, but the file changed since */
} LeanTrustState;

/* One command a project file would make us run, as the person must see it
 * before trusting: @argv exactly (argv[0] the program), the variables it
 * sets, and which element is the prompt (filled in at start), if any. */
typedef struct
{
  char  *label;          /* "Runner “team” (Team Agent)" */
  char **argv;
  char **env;            /* KEY=VALUE */
  int    prompt_index;   /* index in @argv of the prompt, or -1 */
  gboolean prompt_on_stdin;
} LeanTrustCommand;

void              lean_trust_command_free (LeanTrustCommand *command);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanTrustCommand, lean_trust_command_free)

/* A project file waiting for (or holding) the person's decision: its real
 * path, the SHA-256 of the bytes that were read (and parsed: what is shown
 * is what runs), the state of those bytes, and the commands they define. */
typedef struct
{
  char           *path;        /* real path, symlinks resolved */
  char           *sha256;
  LeanTrustState  state;
  GPtrArray      *commands;    /* LeanTrustCommand */
  GPtrArray      *notes;       /* char *: other things the file decides ("default agent") */
  GPtrArray      *ignored;     /* char *: what in it was refused, and why */
} LeanTrustRequest;

#define LEAN_TYPE_TRUST_REQUEST (lean_trust_request_get_type ())
GType             lean_trust_request_get_type (void) G_GNUC_CONST;
LeanTrustRequest *lean_trust_request_new      (const char       *path,
                                               const char       *sha256,
                                               LeanTrustState    state);
LeanTrustRequest *lean_trust_request_ref      (LeanTrustRequest *request);
void              lean_trust_request_unref    (LeanTrustRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanTrustRequest, lean_trust_request_unref)

#define LEAN_TYPE_TRUST_STORE (lean_trust_store_get_type ())

G_DECLARE_FINAL_TYPE (LeanTrustStore, lean_trust_store, LEAN, TRUST_STORE, GObject)

/* The person's decisions about project files that name commands to run
 * (.lean-spec/runners.json; any project file that does is trusted the same
 * way, keyed by its real path): which content of which file they trusted,
 * kept in a JSON file (0600, replaced atomically) so the app and
 * leanspec-ctl share it. Every call reads the file again, so a decision made
 * in another process counts at once. Files are small: calls block briefly.
 *
 * A "Don't Trust" is kept only in memory, for the life of the store, so the
 * same question is not asked twice in a row but is asked again next run. */

/* $XDG_CONFIG_HOME/leanspec-desktop/trust.json */
char             *lean_trust_store_get_default_path (void);
/* One store per process for @path NULL (the default path). */
LeanTrustStore   *lean_trust_store_get_default      (void);
LeanTrustStore   *lean_trust_store_new              (const char      *path);

/* Reads a project file that defines commands, at most @max_size bytes
 * (larger is an error, nothing read beyond it). Returns its bytes and sets
 * @real_path and @sha256 (of exactly those bytes). NULL with
 * G_IO_ERROR_NOT_FOUND when the file does not exist. */
GBytes           *lean_trust_read_file              (const char      *path,
                                                     gsize            max_size,
                                                     char           **real_path,
                                                     char           **sha256,
                                                     GError         **error);

LeanTrustState    lean_trust_store_lookup           (LeanTrustStore  *self,
                                                     const char      *real_path,
                                                     const char      *sha256);
/* Records that the content with @sha256 of @real_path is trusted (replacing
 * what was trusted for that file before). */
gboolean          lean_trust_store_trust            (LeanTrustStore  *self,
                                                     const char      *real_path,
                                                     const char      *sha256,
                                                     GError         **error);
/* Forgets @real_path. TRUE also when it was not trusted. */
gboolean          lean_trust_store_revoke           (LeanTrustStore  *self,
                                                     const char      *real_path,
                                                     GError         **error);
void              lean_trust_store_decline          (LeanTrustStore  *self,
                                                     const char      *real_path,
                                                     const char      *sha256);
gboolean          lean_trust_store_is_declined      (LeanTrustStore  *self,
                                                     const char      *real_path,
                                                     const char      *sha256);

/* @text made safe to show a person exactly: printable characters as they
 * are; backslash, control characters (C0, DEL, C1), invisible or
 * direction-changing Unicode characters (which can make text read other
 * than it runs) and invalid UTF-8 as visible escapes ("\\", "\n", "\x1b",
 * "\u{202E}"). With @quote, '"' becomes "\"" so the result can be shown
 * between quotes. Never markup: escape for Pango separately. */
char             *lean_trust_escape                 (const char      *text,
                                                     gboolean         quote);

G_END_DECLS
