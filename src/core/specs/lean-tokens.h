/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Token counts as LeanSpec gives them: tiktoken's cl100k_base encoding with
 * every special token allowed (an "<|endoftext|>" in a spec is one token),
 * over the whole README. The ranks are compiled into the library and read
 * on first use; every function here is safe from any thread. */

typedef enum
{
  LEAN_TOKEN_STATUS_OPTIMAL,     /* up to 2,000 tokens */
  LEAN_TOKEN_STATUS_GOOD,        /* up to 3,500 */
  LEAN_TOKEN_STATUS_WARNING,     /* up to 5,000 */
  LEAN_TOKEN_STATUS_EXCESSIVE,   /* more */
} LeanTokenStatus;

#define LEAN_TOKENS_OPTIMAL_MAX 2000
#define LEAN_TOKENS_GOOD_MAX    3500
#define LEAN_TOKENS_WARNING_MAX 5000

typedef struct
{
  char *heading;                 /* of a "## " section, trimmed */
  gsize tokens;
} LeanTokenSection;

/* LeanSpec's breakdown of a spec: front matter (both "---" lines
 * included), content after it and the "# " title line; and within the
 * content, fenced code blocks, task items, other text and each "## "
 * section (code blocks are not part of a section's count). */
typedef struct
{
  gsize total;
  gsize frontmatter;
  gsize content;
  gsize title;
  gsize code_blocks;
  gsize checklists;
  gsize prose;
  GArray *sections;              /* of LeanTokenSection */
  LeanTokenStatus status;
} LeanTokenCount;

gsize            lean_tokens_count            (const char     *text,
                                               gssize          len);
LeanTokenStatus  lean_tokens_get_status       (gsize           total);
/* "optimal", "good", "warning" or "critical", the names LeanSpec's API uses. */
const char      *lean_token_status_to_string  (LeanTokenStatus status);

LeanTokenCount  *lean_tokens_count_spec       (const char     *text,
                                               gsize           len);
void             lean_token_count_free        (LeanTokenCount *count);

/* Loads the ranks now instead of on first use; FALSE if they are damaged
 * (then every count is 0). */
gboolean         lean_tokens_ensure_loaded    (void);

/* For tests: the pre-tokenizer's pieces of @text (each a new string), and
 * the count of one piece by each of the two merge strategies. */
GPtrArray       *_lean_tokens_split           (const char     *text,
                                               gsize           len);
gsize            _lean_tokens_count_piece     (const guint8   *piece,
                                               gsize           len,
                                               gboolean        use_heap);

/* The count of @text and, in *@after, of its bytes from @split on, in
 * one pass when a piece starts there (as it does after a line break). */
gsize            _lean_tokens_count_split     (const char     *text,
                                               gsize           len,
                                               gsize           split,
                                               gsize          *after);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanTokenCount, lean_token_count_free)

G_END_DECLS
