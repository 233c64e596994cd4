/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lean-project.h"
#ifdef CTL_SPECS_ONLY
/* leanspec-ctl proper sees only the base and specs wings (meson.build). */
typedef struct _LeanSessionDb LeanSessionDb;
#else
#include "lean-session-db.h"
#endif

G_BEGIN_DECLS

/* Exit codes, documented in `leanspec-ctl --help`. */
enum
{
  CTL_EXIT_OK = 0,
  CTL_EXIT_FAILED = 1,   /* the command ran and could not do what was asked */
  CTL_EXIT_USAGE = 2,    /* bad options or values: nothing was touched */
};

/* State shared by every subcommand: the global options parsed before the
 * subcommand name. */
typedef struct
{
  char     *directory;   /* -C DIR, or NULL for the current folder */
  gboolean  color;       /* stdout is a terminal and NO_COLOR is unset */
} CtlContext;

/* One subcommand. To add one (e.g. `sessions` in ctl-sessions.c), write a
 * `run` function, declare it below and add a row to the table in
 * ctl-main.c: the dispatcher, `--help` listing and error style come free.
 * @run gets argv with argv[0] set to "leanspec-ctl NAME" and parses its own
 * options with ctl_parse_options(). It returns an exit code. */
typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (CtlContext  *ctx,
                    int          argc,
                    char       **argv);
} CtlCommand;

/* ctl-main.c */
/* Parses @entries for a subcommand. On --help prints the help and returns
 * FALSE with *exit_code = 0; on a bad option prints one error line and
 * returns FALSE with *exit_code = CTL_EXIT_USAGE. @n_args_min/@n_args_max
 * bound the positional arguments left in argv after argv[0]. */
gboolean     ctl_parse_options          (int            *argc,
                                         char         ***argv,
                                         const char     *parameter_string,
                                         const char     *summary,
                                         const char     *description,
                                         const GOptionEntry *entries,
                                         int             n_args_min,
                                         int             n_args_max,
                                         int            *exit_code);

/* ctl-output.c */
/* One clear line on stderr: "leanspec-ctl: message". Returns the exit code
 * that suits @error (usage for invalid values, failed otherwise). */
int          ctl_report_error           (const GError   *error);
int          ctl_report_message         (int             exit_code,
                                         const char     *format,
                                         ...) G_GNUC_PRINTF (2, 3);
/* "path: reason" for every broken spec, on stderr. */
void         ctl_report_problems        (GPtrArray      *problems);
/* Writes @node as pretty JSON and a newline on stdout. */
gboolean     ctl_print_json             (JsonNode       *node);
/* Adds the members every spec object has (list, show, set, complete). */
void         ctl_add_spec_members       (JsonBuilder    *builder,
                                         LeanSpec       *spec);
/* Writes @specs (LeanSpec) as a JSON array on stdout, each object with the
 * members of ctl_add_spec_members() in the same format as json-glib's
 * pretty printer, the text built on several threads for large arrays. */
gboolean     ctl_json_write_spec_array  (GPtrArray      *specs);
/* Writes @out on stdout; reports a failed write. */
gboolean     ctl_write_stdout           (GString        *out);
JsonNode    *ctl_spec_to_json           (LeanSpec       *spec,
                                         gboolean        detailed);
/* Human-readable output: every C0/C1 control character that came with a
 * field (a title, a tag, an agent name, a relay's words) is replaced, so a
 * file or a peer cannot drive the terminal; the colours of ctl_style()
 * survive. --json output does not go through here and stays exact. */
#define CTL_SGR_MARK "\xff"
char        *ctl_human_text             (const char     *data,
                                         gssize          len);
void         ctl_write_human            (FILE           *stream,
                                         const char     *data,
                                         gssize          len);
/* Routes g_print() and g_printerr() through ctl_human_text(). */
void         ctl_install_output_filter  (void);
/* ANSI colour wrappers; return @text unchanged (copied) when !ctx->color.
 * The colour is a mark that only ctl_write_human() and g_print() turn into
 * an escape sequence. */
char        *ctl_style                  (CtlContext     *ctx,
                                         const char     *sgr,
                                         const char     *text);
const char  *ctl_status_sgr             (LeanSpecStatus  status);
const char  *ctl_status_or_none         (LeanSpecStatus  status);

/* ctl-specs.c: opens the project at ctx->directory and loads every spec.
 * Prints the error and returns FALSE with *exit_code set when that fails. */
gboolean     ctl_load_project           (CtlContext     *ctx,
                                         LeanProject   **project,
                                         GPtrArray     **specs,
                                         GPtrArray     **problems,
                                         int            *exit_code);

/* The spec @ref names (number, folder name or slug); else prints why
 * (unreadable or not found) and returns NULL with *exit_code set. */
LeanSpec    *ctl_resolve_spec           (LeanProject    *project,
                                         GPtrArray      *specs,
                                         GPtrArray      *problems,
                                         const char     *ref,
                                         int            *exit_code);

int          ctl_cmd_list               (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_show               (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_set                (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_complete           (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_stats              (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_board              (CtlContext *ctx, int argc, char **argv);
/* ctl-tokens.c */
int          ctl_cmd_tokens             (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_lint               (CtlContext *ctx, int argc, char **argv);
/* ctl-sessions.c */
int          ctl_cmd_implement          (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_sessions           (CtlContext *ctx, int argc, char **argv);
/* ctl-sessions.c: the sessions database (recovered); else prints why and
 * sets *exit_code. */
LeanSessionDb *ctl_open_db              (int        *exit_code);
/* ctl-metrics.c */
int          ctl_cmd_metrics            (CtlContext *ctx, int argc, char **argv);
/* ctl-review.c */
int          ctl_cmd_review             (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_land               (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_discard            (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_followup           (CtlContext *ctx, int argc, char **argv);
int          ctl_cmd_worktrees          (CtlContext *ctx, int argc, char **argv);
/* ctl-trust.c: review, trust or forget a project's runners.json */
int          ctl_cmd_trust              (CtlContext *ctx, int argc, char **argv);
/* TRUE when @agent_id may run in the project at @project_root (a builtin,
 * the person's own, or from a trusted runners.json); else prints one line
 * naming the file and `leanspec-ctl trust` and sets *exit_code. */
gboolean     ctl_trust_check_agent      (const char *project_root,
                                         const char *agent_id,
                                         int        *exit_code);
/* ctl-ralph.c: implement --ralph (ctl_cmd_implement hands over when it
 * sees --ralph) */
gboolean     ctl_argv_has_ralph         (int argc, char **argv);
int          ctl_cmd_implement_ralph    (CtlContext *ctx, int argc, char **argv);
/* ctl-validate.c */
int          ctl_cmd_validate           (CtlContext *ctx, int argc, char **argv);
/* ctl-relay.c: relay check/list/add/remove */
int          ctl_cmd_relay              (CtlContext *ctx, int argc, char **argv);
/* ctl-devlog.c: devlog set/status/flush/off; every command that writes
 * sessions attaches telemetry, and implement flushes it before exiting. */
int          ctl_cmd_devlog             (CtlContext *ctx, int argc, char **argv);
void         ctl_devlog_attach          (LeanSessionDb *db);
void         ctl_devlog_flush_at_exit   (LeanSessionDb *db);

G_END_DECLS
