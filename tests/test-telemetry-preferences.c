/* SPDX-License-Identifier: MIT */
/* The Telemetry page of Preferences in a real window (Xvfb), driven by
 * clicks and typing, against a loopback Devlog collector. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "devlog-peer.h"
#include "lean-devlog-outbox.h"
#include "lean-session-private.h"
#include "lean-telemetry-preferences.h"
#include "test-util.h"
#include "ui-test-input.h"
#include "ui-test-util.h"

static char *home;

typedef struct
{
  GtkWidget  *page;
  const char *prefix;
} MessageWait;

static gboolean
message_is (gpointer data)
{
  MessageWait *w = data;
  const char *m = lean_telemetry_preferences_get_message (LEAN_TELEMETRY_PREFERENCES (w->page));

  return m != NULL && g_str_has_prefix (m, w->prefix);
}

typedef struct
{
  GtkWidget  *row;
  const char *text;
} SubtitleWait;

static gboolean
subtitle_is (gpointer data)
{
  SubtitleWait *w = data;

  return g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (w->row)), w->text) == 0;
}

static gboolean
subtitle_is_not (gpointer data)
{
  SubtitleWait *w = data;

  return g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (w->row)), w->text) != 0;
}

static void
write_session (LeanSessionDb *db)
{
  g_autoptr(LeanSession) s = lean_session_new (NULL, "/tmp/project", "001-alpha", "claude",
                                               LEAN_SESSION_MODE_AUTONOMOUS);

  lean_session_set_owner_pid (s, getpid ());
  lean_session_db_save_session (db, s);
  lean_session_db_add_event (db, lean_session_get_id (s), "tool-use",
                             "{\"name\":\"Read\",\"input\":{\"file_path\":\"README.md\"}}");
  lean_session_set_state (s, LEAN_SESSION_STATE_COMPLETED);
  lean_session_db_save_session_now (db, s);
  lean_session_db_flush (db);
}

static void
test_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_util_make_tmp_dir ();
  g_autofree char *config = g_build_filename (dir, "devlog.json", NULL);
  g_autofree char *db_path = g_build_filename (dir, "sessions.db", NULL);
  g_autoptr(LeanSessionDb) db = lean_session_db_open (db_path, &error);
  g_autoptr(LeanDevlogSender) sender = lean_devlog_sender_new (db_path);
  DevlogPeer *peer = devlog_peer_start (LEAN_DEVLOG_KIND_COLLECTOR, 0, NULL);
  g_autofree char *url = devlog_peer_get_url (peer);
  g_autoptr(LeanDevlogSettings) saved = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *window, *page;
  MessageWait mw;
  SubtitleWait sw;

  g_assert_no_error (error);
  if (!ui_input_available ())
    {
      g_test_skip ("no display: run under xvfb-run");
      devlog_peer_stop (peer);
      return;
    }
  _lean_devlog_sender_set_backoff (sender, 20 * 1000, 200 * 1000);
  lean_devlog_sender_start (sender);

  /* Off: a session queues nothing. */
  write_session (db);

  window = adw_preferences_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 1000);
  page = lean_telemetry_preferences_new (config, db, sender);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  ui_test_settle (400);

  sw.row = ui_test_find_named (page, "telemetry-queued");
  sw.text = "0 events";
  g_assert_true (test_util_wait_until (subtitle_is, &sw, 10000));
  ui_test_screenshot (window, "telemetry-preferences-off");

  /* Devlog's own collector.json is offered: Use fills the form. */
  ui_input_click (ui_test_find_named (page, "telemetry-use-found"));
  ui_test_settle (200);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_test_find_named (page, "telemetry-url"))),
                   ==, "https://devlog.example.org");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_test_find_named (page, "telemetry-enabled"))));

  /* Type the loopback collector's address instead, with Detect. */
  ui_input_click (ui_test_find_named (page, "telemetry-url"));
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_type (url);
  ui_test_settle (200);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_test_find_named (page, "telemetry-url"))),
                   ==, url);
  {
    GtkWidget *combo = ui_test_find_widget (page, ADW_TYPE_COMBO_ROW);
    GtkWidget *item;

    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 2);
    ui_input_click (combo);
    ui_test_settle (400);
    item = ui_test_find_label (combo, "Detect");
    g_assert_nonnull (item);
    ui_input_click (item);
    ui_test_settle (300);
    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 0);
  }

  /* A collector wants no token: clear the one collector.json gave. */
  ui_input_click (ui_test_find_named (page, "telemetry-token"));
  ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  ui_input_key (GDK_KEY_Delete, 0);
  ui_test_settle (200);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_test_find_named (page, "telemetry-token"))),
                   ==, "");

  ui_input_click (ui_test_find_named (page, "telemetry-test"));
  mw.page = page;
  mw.prefix = "Connected: a Devlog collector answers.";
  g_assert_true (test_util_wait_until (message_is, &mw, 20000));

  ui_input_click (ui_test_find_named (page, "telemetry-save"));
  mw.prefix = "Saved. Sessions are now sent";
  if (!test_util_wait_until (message_is, &mw, 5000))
    g_error ("after Save: %s",
             lean_telemetry_preferences_get_message (LEAN_TELEMETRY_PREFERENCES (page)));
  saved = lean_devlog_settings_load (config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved->url, ==, url);
  g_assert_cmpint (saved->kind, ==, LEAN_DEVLOG_KIND_AUTO);

  /* On: the next session goes to Devlog, and the page says so. */
  write_session (db);
  g_assert_true (lean_devlog_sender_wait_empty (sender, 20 * G_USEC_PER_SEC));
  g_assert_cmpuint (devlog_peer_n_accepted (peer), ==, 3);
  sw.row = ui_test_find_named (page, "telemetry-last-delivery");
  sw.text = "Never";
  g_assert_true (test_util_wait_until (subtitle_is_not, &sw, 10000));

  shot = ui_test_screenshot (window, "telemetry-preferences-wide");
  g_free (shot);
  gtk_window_set_default_size (GTK_WINDOW (window), 380, 1000);
  ui_test_settle (400);
  shot = ui_test_screenshot (window, "telemetry-preferences-narrow");
  g_free (shot);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 1000);
  ui_test_settle (400);
  shot = ui_test_screenshot (window, "telemetry-preferences-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_settle (100);
  lean_devlog_sender_stop (sender);
  devlog_peer_stop (peer);
  lean_session_db_close (db);
  test_util_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *devlog_dir = NULL;

  /* Before GTK and any thread: a home with Devlog's own settings file. */
  home = test_util_make_tmp_dir ();
  devlog_dir = g_build_filename (home, ".devlog", NULL);
  test_util_write_file (home, ".devlog/collector.json",
                        "{\"backendUrl\":\"https://devlog.example.org\","
                        "\"apiKey\":\"key-123\"}");
  g_setenv ("HOME", home, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/telemetry-preferences/page", test_page);
  {
    int rc = g_test_run ();

    test_util_rm_rf (home);
    g_free (home);
    return rc;
  }
}
