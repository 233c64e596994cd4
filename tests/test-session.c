/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-error.h"
#include "lean-session.h"
#include "lean-session-private.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));

  g_hash_table_insert (counts, (gpointer)name, GUINT_TO_POINTER (n + 1));
}

#define N_NOTIFY(name) GPOINTER_TO_UINT (g_hash_table_lookup (counts, name))

static void
test_session_new (void)
{
  g_autoptr(LeanSession) a = lean_session_new (NULL, "/p", "001-x", "claude",
                                               LEAN_SESSION_MODE_GUIDED);
  g_autoptr(LeanSession) b = lean_session_new (NULL, "/p", "001-x", "claude",
                                               LEAN_SESSION_MODE_GUIDED);
  g_autoptr(LeanSession) c = lean_session_new ("fixed-id", "/p", "001-x", "codex",
                                               LEAN_SESSION_MODE_AUTONOMOUS);

  g_assert_true (g_uuid_string_is_valid (lean_session_get_id (a)));
  g_assert_cmpstr (lean_session_get_id (a), !=, lean_session_get_id (b));
  g_assert_cmpstr (lean_session_get_id (c), ==, "fixed-id");
  g_assert_cmpstr (lean_session_get_spec_id (a), ==, "001-x");
  g_assert_cmpint (lean_session_get_mode (a), ==, LEAN_SESSION_MODE_GUIDED);
  g_assert_cmpint (lean_session_get_state (a), ==, LEAN_SESSION_STATE_PENDING);
  g_assert_cmpint (lean_session_get_exit_code (a), ==, -1);
  g_assert_cmpfloat (lean_session_get_cost_usd (a), <, 0);
  g_assert_cmpuint (lean_session_get_iteration (a), ==, 1);
  g_assert_null (lean_session_get_started_at (a));
  g_assert_cmpint (lean_session_get_elapsed (a), ==, 0);
}

static void
test_session_strings (void)
{
  LeanSessionState state;
  LeanSessionMode mode;

  for (guint i = LEAN_SESSION_STATE_PENDING; i <= LEAN_SESSION_STATE_INTERRUPTED; i++)
    {
      const char *s = lean_session_state_to_string (i);

      g_assert_nonnull (s);
      g_assert_true (lean_session_state_from_string (s, &state));
      g_assert_cmpint (state, ==, i);
      g_assert_nonnull (lean_session_state_get_label (i));
    }
  g_assert_cmpstr (lean_session_state_to_string (LEAN_SESSION_STATE_RUNNING), ==, "running");
  g_assert_false (lean_session_state_from_string ("nonsense", &state));
  g_assert_false (lean_session_state_from_string (NULL, &state));
  g_assert_true (lean_session_mode_from_string ("guided", &mode));
  g_assert_cmpint (mode, ==, LEAN_SESSION_MODE_GUIDED);
  g_assert_cmpstr (lean_session_mode_to_string (LEAN_SESSION_MODE_AUTONOMOUS), ==, "autonomous");
  g_assert_false (lean_session_mode_from_string ("yolo", &mode));

  g_assert_true (lean_session_state_is_final (LEAN_SESSION_STATE_COMPLETED));
  g_assert_true (lean_session_state_is_final (LEAN_SESSION_STATE_INTERRUPTED));
  g_assert_false (lean_session_state_is_final (LEAN_SESSION_STATE_PAUSED));
}

static void
test_session_transitions (void)
{
  g_autoptr(LeanSession) s = lean_session_new (NULL, "/p", "001-x", "claude",
                                               LEAN_SESSION_MODE_AUTONOMOUS);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_signal_connect (s, "notify", G_CALLBACK (count_notify), counts);

  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_RUNNING, &error));
  g_assert_no_error (error);
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_PAUSED, &error));
  g_assert_false (lean_session_transition (s, LEAN_SESSION_STATE_VALIDATING, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_RUNNING, NULL));
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_VALIDATING, NULL));
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_RUNNING, NULL));
  /* Same state: allowed, no notify. */
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_RUNNING, NULL));
  g_assert_true (lean_session_transition (s, LEAN_SESSION_STATE_COMPLETED, NULL));
  g_assert_cmpuint (N_NOTIFY ("state"), ==, 6);

  /* Final is final. */
  g_assert_false (lean_session_transition (s, LEAN_SESSION_STATE_RUNNING, &error));
  g_assert_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE);
  g_assert_cmpint (lean_session_get_state (s), ==, LEAN_SESSION_STATE_COMPLETED);
  g_assert_cmpuint (N_NOTIFY ("state"), ==, 6);

  g_assert_false (lean_session_state_can_transition (LEAN_SESSION_STATE_PENDING,
                                                     LEAN_SESSION_STATE_PAUSED));
  g_assert_true (lean_session_state_can_transition (LEAN_SESSION_STATE_PAUSED,
                                                    LEAN_SESSION_STATE_CANCELLED));
  g_assert_false (lean_session_state_can_transition (LEAN_SESSION_STATE_CANCELLED,
                                                     LEAN_SESSION_STATE_FAILED));
}

static void
test_session_notify_on_change (void)
{
  g_autoptr(LeanSession) s = lean_session_new (NULL, "/p", "001-x", "claude",
                                               LEAN_SESSION_MODE_AUTONOMOUS);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GDateTime) t1 = g_date_time_new_from_unix_utc (1000);
  g_autoptr(GDateTime) t1b = g_date_time_new_from_unix_utc (1000);
  g_autoptr(GDateTime) t2 = g_date_time_new_from_unix_utc (1100);

  g_signal_connect (s, "notify", G_CALLBACK (count_notify), counts);

  lean_session_set_message (s, "hello");
  lean_session_set_message (s, "hello");
  lean_session_set_usage (s, 10, 20, 0);
  lean_session_set_usage (s, 10, 20, 0);
  lean_session_set_usage (s, 10, 25, 3);
  lean_session_set_cost_usd (s, 0.5);
  lean_session_set_cost_usd (s, 0.5);
  lean_session_set_started_at (s, t1);
  lean_session_set_started_at (s, t1b);
  lean_session_set_ended_at (s, t2);
  lean_session_set_exit_code (s, 0);
  lean_session_set_exit_code (s, 0);
  lean_session_set_worktree_path (s, "/tmp/wt");
  lean_session_set_branch (s, "leanspec/001-x-abcdefgh");
  lean_session_set_iteration (s, 2);
  lean_session_set_model (s, "opus");
  lean_session_set_runner (s, "local");
  lean_session_set_structured (s, TRUE);
  lean_session_set_structured (s, TRUE);
  lean_session_set_agent_pid (s, 42);
  g_object_set (s, "output-tokens", (guint64)25, NULL);

  g_assert_cmpuint (N_NOTIFY ("message"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("input-tokens"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("output-tokens"), ==, 2);
  g_assert_cmpuint (N_NOTIFY ("cache-tokens"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("cost-usd"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("started-at"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("ended-at"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("exit-code"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("worktree-path"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("branch"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("iteration"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("model"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("runner"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("structured"), ==, 1);
  g_assert_cmpuint (N_NOTIFY ("agent-pid"), ==, 1);

  g_assert_cmpuint (lean_session_get_output_tokens (s), ==, 25);
  g_assert_cmpuint (lean_session_get_cache_tokens (s), ==, 3);
  g_assert_cmpint (lean_session_get_elapsed (s), ==, 100);
  g_assert_cmpstr (lean_session_get_branch (s), ==, "leanspec/001-x-abcdefgh");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/new", test_session_new);
  g_test_add_func ("/session/strings", test_session_strings);
  g_test_add_func ("/session/transitions", test_session_transitions);
  g_test_add_func ("/session/notify-on-change", test_session_notify_on_change);

  return g_test_run ();
}
