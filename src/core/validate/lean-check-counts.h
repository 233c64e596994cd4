/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many tests passed, failed and were skipped, as the test runner
 * printed it. @found is FALSE when no runner's summary was recognised. */
typedef struct
{
  gboolean found;
  guint    passed;
  guint    failed;
  guint    skipped;
} LeanCheckCounts;

/* Reads a check's output line by line and recognises the summaries of
 * pytest, cargo test (summed over its test binaries), meson test, go test
 * (-v result lines, else package lines), the node test runner (TAP and spec
 * reporters), jest, vitest and ctest. Colour escapes are ignored. Lines are
 * given one at a time, without the newline; bounded memory. */
typedef struct _LeanCountsParser LeanCountsParser;

LeanCountsParser *lean_counts_parser_new       (void);
void              lean_counts_parser_free      (LeanCountsParser *parser);
void              lean_counts_parser_feed_line (LeanCountsParser *parser,
                                                const char       *line,
                                                gsize             len);
/* What was recognised so far (the last summary of the runner that printed
 * one; cargo's and go's are added up). */
LeanCheckCounts   lean_counts_parser_get       (LeanCountsParser *parser);

/* Copies @line without ANSI escape sequences and carriage returns. */
char             *lean_counts_strip_ansi       (const char       *line,
                                                gsize             len);

/* What a process printed, made fit to show and store as text: without
 * ANSI escapes, valid UTF-8, no control characters but newline and tab, at
 * most @max_bytes (cut at a character). */
char             *lean_counts_clean_text       (const char       *text,
                                                gsize             len,
                                                gsize             max_bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanCountsParser, lean_counts_parser_free)

G_END_DECLS
