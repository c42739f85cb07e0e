/* test-sync-client.c: the app tells local only, online and offline apart
 *
 * Against a real kehu-server process: the sync client (and the header bar
 * indicator that follows it) says online while the server answers, offline
 * with the reason once it is gone, and local only without an address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-sync-client.h"
#include "kehu-test-server.h"
#include "kehu-test-ui.h"
#include "kehu-window.h"

static void
wait_for_state (KehuSyncClient *client,
                KehuSyncState   state)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (kehu_sync_client_get_state (client) != state && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (kehu_sync_client_get_state (client), ==, state);
}

static void
test_client_states (void)
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);
  g_autoptr(KehuSyncClient) client = NULL;
  g_autofree char *port = g_strdup_printf ("%u", server->port);

  client = kehu_sync_client_new (server->base_url);
  kehu_sync_client_check (client);
  wait_for_state (client, KEHU_SYNC_STATE_ONLINE);
  g_assert_null (kehu_sync_client_get_error (client));
  g_assert_nonnull (kehu_sync_client_get_server_version (client));

  /* The server goes away: offline, and the error names the address. */
  g_assert_cmpint (kehu_test_server_stop (server, SIGTERM), ==, 0);
  kehu_sync_client_check (client);
  wait_for_state (client, KEHU_SYNC_STATE_OFFLINE);
  g_assert_nonnull (kehu_sync_client_get_error (client));
  g_assert_nonnull (strstr (kehu_sync_client_get_error (client), port));

  kehu_sync_client_set_server_url (client, "");
  g_assert_cmpint (kehu_sync_client_get_state (client), ==, KEHU_SYNC_STATE_LOCAL_ONLY);
  g_assert_null (kehu_sync_client_get_error (client));
}

static void
test_window_indicator (void)
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuApplication) app = NULL;
  KehuSyncIndicator *indicator;
  KehuWindow *window;

  g_settings_set_string (settings, "server-url", server->base_url);

  app = kehu_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = kehu_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  indicator = kehu_window_get_sync_indicator (window);

  wait_for_state (kehu_application_get_sync_client (app), KEHU_SYNC_STATE_ONLINE);
  g_assert_cmpint (kehu_sync_indicator_get_state (indicator), ==, KEHU_SYNC_STATE_ONLINE);
  g_assert_cmpstr (kehu_sync_indicator_get_summary (indicator), ==, "Online");
  kehu_test_ui_settle (200);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "online");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  /* Changing the preference re-points the client at once. */
  g_settings_set_string (settings, "server-url", "");
  g_assert_cmpint (kehu_sync_indicator_get_state (indicator), ==, KEHU_SYNC_STATE_LOCAL_ONLY);

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_assert_cmpint (kehu_test_server_stop (server, SIGTERM), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/sync-client/states", test_client_states);
  g_test_add_func ("/ui/sync-client/window-indicator", test_window_indicator);

  return g_test_run ();
}
