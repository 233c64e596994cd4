/* SPDX-License-Identifier: MIT */
#pragma once

#include "lean-ralph-chain.h"
#include "lean-session-db.h"
#include "lean-validation.h"

G_BEGIN_DECLS

/* What kind of work a session did. */
#define LEAN_SESSION_KIND_IMPLEMENT "implement"
#define LEAN_SESSION_KIND_CRITIC    "critic"

#define LEAN_TYPE_VALIDATION_STORE (lean_validation_store_get_type ())

G_DECLARE_FINAL_TYPE (LeanValidationStore, lean_validation_store, LEAN, VALIDATION_STORE, GObject)

/* Validations, Ralph chains and which chain, iteration and kind each
 * session belongs to, kept in the session database file beside the
 * sessions (tables of their own, with their own schema version, so the
 * sessions' history is never rewritten). Every call BLOCKS on SQLite: use
 * it from a worker thread or the CLI, never from the GTK main loop. */

/* @path NULL: the session database (LEANSPEC_DB, else the user data dir). */
LeanValidationStore *lean_validation_store_open            (const char          *path,
                                                            GError             **error);

/* The session database whose file this store shares: its queued writes
 * are committed before each write here, so the two connections never
 * interleave inside one of its batches (a batch that read before another
 * connection's commit cannot write after it). */
void                 lean_validation_store_set_session_db  (LeanValidationStore *self,
                                                            LeanSessionDb       *db);

/* Stores a finished validation (every check: id, name, kind, argv, status,
 * exit status, duration, counts, message, the kept output) and returns
 * its id (> 0), or 0 with @error. @session_id and @chain_id may be NULL. */
gint64               lean_validation_store_add_validation  (LeanValidationStore *self,
                                                            LeanValidation      *validation,
                                                            const char          *session_id,
                                                            const char          *chain_id,
                                                            guint                iteration,
                                                            GError             **error);
/* Reads one back, finished, as it was stored. */
LeanValidation      *lean_validation_store_load_validation (LeanValidationStore *self,
                                                            gint64               id,
                                                            GError             **error);
/* The ids of the validations of a session, or of a chain (oldest first). */
GArray              *lean_validation_store_list_validations (LeanValidationStore *self,
                                                             const char          *session_id,
                                                             const char          *chain_id,
                                                             GError             **error);

/* The latest stored validation of each spec validated in @work_dir (the
 * project folder for validations the window runs): spec id -> gint64 id,
 * negated when that validation failed. NULL with @error. */
GHashTable          *lean_validation_store_list_latest     (LeanValidationStore *self,
                                                            const char          *work_dir,
                                                            GError             **error);

/* Creates or updates the chain's row: spec, agent, settings, state,
 * result and iterations. */
gboolean             lean_validation_store_save_chain      (LeanValidationStore *self,
                                                            LeanRalphChain      *chain,
                                                            const char          *project_path,
                                                            const char          *agent_id,
                                                            GError             **error);
/* The stored chain as JSON {"id", "spec", "agent", "settings", "state",
 * "result", "message", "iterations", "tokens", "cost_usd"}, or NULL with
 * LEAN_ERROR_NOT_FOUND. */
JsonNode            *lean_validation_store_get_chain       (LeanValidationStore *self,
                                                            const char          *chain_id,
                                                            GError             **error);

/* Records that @session_id is of @kind (LEAN_SESSION_KIND_*) and, when
 * @chain_id is set, iteration @iteration of that chain. */
gboolean             lean_validation_store_link_session    (LeanValidationStore *self,
                                                            const char          *session_id,
                                                            const char          *kind,
                                                            const char          *chain_id,
                                                            guint                iteration,
                                                            GError             **error);
/* FALSE (no error) when the session has no link: an "implement" session
 * of no chain. Out-params may be NULL. */
gboolean             lean_validation_store_get_session_link (LeanValidationStore *self,
                                                             const char          *session_id,
                                                             char               **kind,
                                                             char               **chain_id,
                                                             guint               *iteration,
                                                             GError             **error);

G_END_DECLS
