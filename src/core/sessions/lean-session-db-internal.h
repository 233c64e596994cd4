/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by the files of LeanSessionDb: lean-session-db.c (the API, reads),
 * lean-session-db-schema.c (connections, migrations, recovery) and
 * lean-session-db-writer.c (the writer thread). Nothing else includes it. */

#include <sqlite3.h>

#include "lean-session-db.h"
#include "lean-session-db-tap.h"

G_BEGIN_DECLS

/* Commit a batch when it is this old or this big, whichever comes first.
 * After a kill -9 at most one batch (plus what was still in the queue) is
 * lost: ~50 ms of output. */
#define BATCH_USEC       (50 * G_TIME_SPAN_MILLISECOND)
#define BATCH_BYTES      (64 * 1024)
/* Consecutive chunks of one session are merged into one row up to this. */
#define ROW_MAX_BYTES    (64 * 1024)
#define SCHEMA_VERSION   4
#define BUSY_TIMEOUT_MS  5000

typedef enum
{
  OP_SAVE,
  OP_OUTPUT,
  OP_EVENT,
  OP_CANCEL_REQUEST,
  OP_EXEC,
  OP_FLUSH,
  OP_STOP,
} OpKind;

/* A snapshot of a LeanSession taken on the caller's thread, so the writer
 * never touches a GObject that the main thread owns. */
typedef struct
{
  char    *id;
  char    *project_path;
  char    *spec_id;
  char    *agent_id;
  char    *mode;
  char    *runner;
  char    *state;
  gint64   started_at;  /* 0: NULL */
  gint64   ended_at;
  int      exit_code;
  char    *message;
  char    *worktree_path;
  char    *branch;
  gint64   input_tokens;
  gint64   output_tokens;
  gint64   cache_tokens;
  double   cost_usd;
  guint    iteration;
  char    *model;
  int      agent_pid;
  char    *agent_start;
  int      owner_pid;
  gboolean structured;
} SessionRow;

typedef struct
{
  OpKind      kind;
  gint64      ts;
  gboolean    urgent;
  SessionRow *row;
  char       *session_id;
  int         channel;
  GBytes     *bytes;
  char       *text1;    /* event kind / SQL */
  char       *text2;    /* event payload */
  /* OP_FLUSH */
  GMutex     *mutex;
  GCond      *cond;
  gboolean   *done;
} Op;

struct _LeanSessionDb
{
  GObject       parent_instance;

  char         *path;
  GMainContext *context;
  GAsyncQueue  *queue;
  GThread      *writer;
  sqlite3      *wdb;      /* writer connection, writer thread only */
  GAsyncQueue  *readers;  /* idle read connections */
  gboolean      closed;

  /* Writer thread state */
  GHashTable   *out_seq;   /* "id\x1f channel" -> next seq */
  GHashTable   *ev_seq;    /* id -> next event seq */
  GHashTable   *saved_state; /* id -> last state written */
  gboolean      failing;
  sqlite3_stmt *ins_chunk;   /* handed to the writer thread */
  sqlite3_stmt *ins_session;

  /* The event tap (lean-session-db-tap.h): held while it runs, so a
   * replaced tap's data is never freed under a write. */
  GMutex           tap_lock;
  LeanSessionDbTap tap;
  gpointer         tap_data;
  GDestroyNotify   tap_destroy;
};


G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

extern const char _sdb_insert_session_sql[];

void          _sdb_session_row_free        (SessionRow              *row);
void          _sdb_op_free                 (Op                      *op);
gint64        _sdb_datetime_to_usec        (GDateTime               *dt);
GDateTime    *_sdb_usec_to_datetime        (gint64                   usec);
gboolean      _sdb_owner_alive             (int                      pid,
                                            const char              *start,
                                            const char              *boot);
gboolean      _sdb_set_db_error            (GError                 **error,
                                            sqlite3                 *db,
                                            const char              *what);
gboolean      _sdb_exec_sql                (sqlite3                 *db,
                                            const char              *sql,
                                            GError                 **error);
sqlite3      *_sdb_open_connection         (const char              *path,
                                            gboolean                 create,
                                            GError                 **error);
sqlite3_stmt *_sdb_prepare                 (sqlite3                 *db,
                                            const char              *sql,
                                            GError                 **error);
void          _sdb_bind_text_or_null       (sqlite3_stmt            *stmt,
                                            int                      idx,
                                            const char              *text);
void          _sdb_bind_usec_or_null       (sqlite3_stmt            *stmt,
                                            int                      idx,
                                            gint64                   usec);
gboolean      _sdb_migrate                 (sqlite3                 *db,
                                            GError                 **error);
gboolean      _sdb_insert_event_and_outbox (LeanSessionDb           *self,
                                            sqlite3                 *db,
                                            const char              *session_id,
                                            gint64                   seq,
                                            gint64                   ts,
                                            const char              *kind,
                                            const char              *payload);
gint64        _sdb_max_event_seq           (sqlite3                 *db,
                                            const char              *session_id);
char         *_sdb_state_payload           (const char              *state,
                                            const char              *message);
gboolean      _sdb_recover_interrupted     (LeanSessionDb           *self,
                                            sqlite3                 *db,
                                            LeanSessionRecoverFlags  flags,
                                            guint                   *n_interrupted,
                                            GError                 **error);
gpointer      _sdb_writer_thread           (gpointer                 data);

#define self_start_time() lean_process_get_self_start ()
#define self_boot_id() lean_process_get_boot_id ()

G_END_DECLS
