/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

#include "lean-spec.h"

G_BEGIN_DECLS

/* LeanSpec's checks of a spec, with its severities, types and messages:
 * front matter (status, created date, priority, tags, depends_on),
 * structure (one "# " title, no empty "## " section) and length (over
 * 3,500 tokens of body a warning, over 5,000 an error), as its web UI's
 * validation shows them; with an index of the project, also the
 * relationship checks of `leanspec validate --check-deps` (parent missing,
 * itself or in a cycle, complete parent with open children, missing
 * dependency, dependency cycle). */

typedef enum
{
  LEAN_LINT_SEVERITY_INFO,
  LEAN_LINT_SEVERITY_WARNING,
  LEAN_LINT_SEVERITY_ERROR,
} LeanLintSeverity;

typedef enum
{
  LEAN_LINT_PASS,      /* nothing above info */
  LEAN_LINT_WARN,      /* a warning, no error */
  LEAN_LINT_FAIL,      /* an error */
} LeanLintStatus;

typedef enum
{
  LEAN_LINT_TYPE_FRONTMATTER,
  LEAN_LINT_TYPE_STRUCTURE,
  LEAN_LINT_TYPE_LENGTH,
  LEAN_LINT_TYPE_PARENT,
  LEAN_LINT_TYPE_DEPENDENCIES,
  LEAN_LINT_N_TYPES,
} LeanLintType;

typedef struct
{
  LeanLintSeverity severity;
  LeanLintType type;
  char *message;
} LeanLintIssue;

typedef struct
{
  LeanLintStatus status;
  GArray *issues;      /* of LeanLintIssue, in LeanSpec's order */
} LeanSpecLint;

/* The specs of a project (all of them, archived included), for the
 * relationship checks. Holds references to the specs. */
typedef struct _LeanLintIndex LeanLintIndex;

LeanLintIndex   *lean_lint_index_new              (GPtrArray        *specs);
void             lean_lint_index_free             (LeanLintIndex    *index);

/* @index may be NULL: then only the checks of the spec itself run. */
LeanSpecLint    *lean_spec_lint                   (LeanSpec         *spec,
                                                   LeanLintIndex    *index);
void             lean_spec_lint_free              (LeanSpecLint     *lint);

/* Just the status, without building messages (for lists). */
LeanLintStatus   lean_spec_lint_status            (LeanSpec         *spec,
                                                   LeanLintIndex    *index);

const char      *lean_lint_status_to_string       (LeanLintStatus    status);   /* pass, warn, fail */
const char      *lean_lint_severity_to_string     (LeanLintSeverity  severity); /* info, warning, error */
const char      *lean_lint_type_to_string         (LeanLintType      type);     /* frontmatter... */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanSpecLint, lean_spec_lint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LeanLintIndex, lean_lint_index_free)

G_END_DECLS
