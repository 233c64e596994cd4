/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fills the real session database file at @db_path (opened and migrated
 * with lean_session_db_open() first) with @n finished sessions spread over
 * the last @days days, in @n_projects projects "/proj/0".. (or @project
 * when set), as the writer stores them: states in a fixed mix (70 %
 * completed, 20 % failed with one of three messages, 5 % cancelled, 5 %
 * interrupted), agents claude/codex/gemini in turn, tokens and costs from
 * the index, durations of 60 s + 7 s x (index mod 50). Chains: every tenth
 * session ends a chain, passed after 1 + (index / 10 mod 4) iterations, or
 * failed when the index is a multiple of 30. Deterministic, so tests can
 * compute the expected figures. Returns FALSE on an SQLite error. */
gboolean metrics_fixture_fill (const char *db_path,
                               guint       n,
                               guint       days,
                               guint       n_projects,
                               const char *project);

/* The fixture's values of session @i, for the expected figures. */
const char *metrics_fixture_state   (guint i);
const char *metrics_fixture_agent   (guint i);
const char *metrics_fixture_message (guint i);
guint64     metrics_fixture_tokens  (guint i);
double      metrics_fixture_cost    (guint i);
gint64      metrics_fixture_duration_usec (guint i);

G_END_DECLS
