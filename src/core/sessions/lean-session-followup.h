/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "lean-controller.h"

G_BEGIN_DECLS

/* A remark on one line of a session's change. */
typedef struct
{
  char  *path;   /* relative to the repository root */
  guint  line;   /* 1-based line of the new file; 0: the file as a whole */
  char  *text;
} LeanReviewComment;

LeanReviewComment *lean_review_comment_new  (const char        *path,
                                             guint              line,
                                             const char        *text);
void               lean_review_comment_free (LeanReviewComment *comment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanReviewComment, lean_review_comment_free)

/* The follow-up prompt: @message, then every comment as "path:line: text".
 * With @context (the spec's prompt and the earlier session's summary, for
 * an agent that cannot resume its conversation) that comes first. Comment
 * text is the person's, kept as written but for control characters. */
char        *lean_session_followup_prompt    (const char          *message,
                                              GPtrArray           *comments,
                                              const char          *context);

/* Starts a follow-up of the ended @session in the same working tree (its
 * worktree, or the project folder) with @message and @comments (a
 * GPtrArray of LeanReviewComment, may be NULL). When the agent can resume
 * its conversation and its stream reported an id, the follow-up continues
 * it; else a new conversation gets the spec, the earlier summary and the
 * comments. The reading (events, spec) happens in a thread; the session is
 * started on the main thread. The new session records a "followup" event
 * naming @session. */
void         lean_controller_followup_async  (LeanController      *self,
                                              LeanSession         *session,
                                              const char          *message,
                                              GPtrArray           *comments,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LeanSession *lean_controller_followup_finish (LeanController      *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
