/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "lean-stream-parser.h"

G_BEGIN_DECLS

/* A structured agent's stream parser, run on a thread of its own.
 *
 * json-glib costs ~100 µs a line: parsed on the main thread, a stream-json
 * flood starves frames. The owner (the controller) pushes raw chunks in; the
 * thread feeds them to the parser and posts what it produced (display text,
 * events, usage) back to the owner's main context, in order and in
 * batches, where it is delivered through the callbacks in slices of a few
 * milliseconds, below the priority of frames. flush() ends the stream: the
 * thread drains, flushes the parser, posts the rest and then "flushed". */

typedef struct _LeanParserThread LeanParserThread;

typedef struct
{
  void (*display)    (gpointer    data,
                      GBytes     *bytes);
  /* @json is @payload serialised ("{}" when @payload is NULL). */
  void (*event)      (gpointer    data,
                      const char *kind,
                      const char *json,
                      JsonObject *payload);
  void (*usage)      (gpointer    data,
                      guint64     input_tokens,
                      guint64     output_tokens,
                      guint64     cache_tokens,
                      double      cost_usd);
  /* A whole raw chunk went through the parser (after its own output). */
  void (*chunk_done) (gpointer    data);
  /* After each delivery: raw bytes pushed and not yet delivered. */
  void (*delivered)  (gpointer    data,
                      gsize       backlog);
  /* The parser is flushed and the thread has ended; nothing follows. */
  void (*flushed)    (gpointer    data);
} LeanParserThreadCallbacks;

/* Starts the thread. Callbacks run on the thread-default main context of
 * the caller, with @data. */
LeanParserThread *lean_parser_thread_new         (LeanStreamParser                *parser,
                                                  const LeanParserThreadCallbacks *callbacks,
                                                  gpointer                         data);
void              lean_parser_thread_push        (LeanParserThread                *self,
                                                  GBytes                          *bytes);
/* Raw bytes pushed and not yet delivered back. */
gsize             lean_parser_thread_get_backlog (LeanParserThread                *self);
void              lean_parser_thread_flush       (LeanParserThread                *self);
/* Stops after the chunk being parsed, waits for the thread and frees:
 * no callback runs afterwards. */
void              lean_parser_thread_free        (LeanParserThread                *self);

G_END_DECLS
