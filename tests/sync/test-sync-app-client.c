/* test-sync-app-client.c: the app's KehuSyncClient against a real kehu-server
 *
 * Signs in, syncs on a worker thread (results on the main thread), queues a
 * change made on the app's own connection to the cache, and goes offline
 * with the reason in words when the server is gone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "kehu-core.h"
#include "kehu-sync-client.h"
#include "kehu-test-api.h"

typedef struct
{
  guint synced;
  guint pushed;
  guint progress;
} Seen;

static void
synced_cb (KehuSyncClient *client,
           guint           pushed,
           guint           pulled,
           guint           conflicts,
           guint           rejected,
           Seen           *seen)
{
  seen->synced++;
  seen->pushed += pushed;
}

static void
progress_cb (KehuSyncClient *client,
             guint           received,
             guint           total,
             Seen           *seen)
{
  g_assert_cmpuint (received, <=, total);
  seen->progress++;
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **user_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *keyring_error = NULL;

  *user_id = kehu_sync_client_sign_in_finish (KEHU_SYNC_CLIENT (object), result, &keyring_error, &error);
  g_assert_no_error (error);
}

static void
wait_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done (data));
}

static guint want_synced;

static gboolean
synced_enough (gpointer data)
{
  return ((Seen *) data)->synced >= want_synced;
}

static gboolean
has_user (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
offline (gpointer data)
{
  return kehu_sync_client_get_state (data) == KEHU_SYNC_STATE_OFFLINE;
}

static void
test_app_client (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-app-sync-XXXXXX", &error);
  g_autofree char *user_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *server_id = kehu_test_api_create (api, admin, "customers", "{\"name\":\"服务器上的\"}");
  g_autoptr(KehuSyncClient) client = kehu_sync_client_new (api->server->base_url);
  Seen seen = { 0 };

  kehu_sync_client_set_data_dir (client, dir);
  g_signal_connect (client, "synced", G_CALLBACK (synced_cb), &seen);
  g_signal_connect (client, "progress", G_CALLBACK (progress_cb), &seen);

  /* Signing in starts the first sync. */
  kehu_sync_client_sign_in_async (client, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD, NULL, signed_in_cb, &user_id);
  wait_until (has_user, &user_id);
  want_synced = 1;
  wait_until (synced_enough, &seen);
  g_assert_cmpint (kehu_sync_client_get_state (client), ==, KEHU_SYNC_STATE_IDLE);
  g_assert_nonnull (kehu_sync_client_get_last_sync (client));
  g_assert_cmpuint (seen.progress, >=, 1);

  /* The app's own connection to the cache: it sees the pulled record, and
   * its changes go out with the next sync. */
  path = kehu_sync_client_dup_cache_path (client);
  {
    g_autoptr(KehuStore) store = kehu_store_open (path, &error);
    g_autoptr(KehuSchema) schema = NULL;
    g_autoptr(KehuContext) ctx = NULL;
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(JsonObject) pulled = NULL;
    g_autofree char *id = NULL;

    g_assert_no_error (error);
    schema = kehu_schema_new (store, &error);
    g_assert_no_error (error);
    ctx = kehu_context_new (schema, user_id);
    g_assert_true (kehu_context_get_outbox (ctx));
    pulled = kehu_record_get (ctx, "customers", server_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (pulled, "name"), ==, "服务器上的");

    json_object_set_string_member (fields, "name", "在应用里新建");
    id = kehu_record_create (ctx, "customers", fields, &error);
    g_assert_no_error (error);
    g_assert_cmpint (kehu_sync_count_pending (store), ==, 1);
  }
  kehu_sync_client_sync_now (client);
  want_synced = 2;
  wait_until (synced_enough, &seen);
  g_assert_cmpuint (seen.pushed, ==, 1);
  g_assert_cmpuint (kehu_sync_client_get_pending (client), ==, 0);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT COUNT(*) FROM customers WHERE name = '在应用里新建'"), ==, 1);

  /* The server goes away: offline, with the reason in words. */
  kehu_test_server_stop (api->server, SIGTERM);
  kehu_sync_client_sync_now (client);
  wait_until (offline, client);
  g_assert_nonnull (kehu_sync_client_get_error (client));
  g_assert_nonnull (strstr (kehu_sync_client_get_error (client), "cannot be reached"));

  g_clear_object (&client);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/app-client/sign-in-and-sync", test_app_client);
  return g_test_run ();
}
