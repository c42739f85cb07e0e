/* test-sign-in.c: the sign-in dialog against a real kehu-server
 *
 * A wrong password is refused with the reason in words; the right one
 * signs in, the account's cache becomes the app's store and its first
 * sync fills the open pages without the user reloading anything (the
 * sync client's "changed", forwarded by the window).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-core.h"
#include "kehu-record-list-view.h"
#include "kehu-sync-client.h"
#include "kehu-test-api.h"
#include "kehu-test-ui.h"
#include "kehu-window.h"

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

/* The message dialog whose heading is @heading (any when NULL). */
static AdwMessageDialog *
find_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)) &&
          (heading == NULL || g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (w)), heading) == 0))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static AdwMessageDialog *
wait_for_dialog (const char *heading)
{
  gint64 end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  AdwMessageDialog *dialog;

  while ((dialog = find_dialog (heading)) == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (dialog);
  kehu_test_ui_settle (200);
  return dialog;
}

/* Opens the dialog, fills it and answers "sign-in". */
static void
sign_in (KehuApplication *app,
         const char      *password)
{
  AdwMessageDialog *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-in", NULL);
  dialog = wait_for_dialog (is_zh () ? "登录服务器" : "Sign In to the Server");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "phone"), KEHU_TEST_ADMIN_PHONE);
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "password"), password);
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (dialog), "sign-in-dialog"));
  adw_message_dialog_response (dialog, "sign-in");
  kehu_test_ui_settle (100);
}

static void
test_sign_in (void)
{
  KehuTestApi *api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *customer = kehu_test_api_create (api, admin, "customers", "{\"name\":\"远航物流\"}");
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(KehuApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  AdwMessageDialog *failed;
  KehuSyncClient *client;
  KehuWindow *window;
  GtkWidget *page;
  const char *body;
  gint64 end;

  g_settings_set_string (settings, "server-url", api->server->base_url);
  g_settings_set_string (settings, "sync-phone", "");
  g_settings_set_string (settings, "sync-user-id", "");

  app = kehu_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = kehu_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  kehu_window_set_module (window, "customers");
  kehu_test_ui_settle (300);
  client = kehu_application_get_sync_client (app);
  g_assert_false (kehu_sync_client_is_signed_in (client));

  /* A wrong password: refused, and the dialog says why in words. */
  sign_in (app, "not-the-password");
  failed = wait_for_dialog (is_zh () ? "登录失败" : "Sign-in failed");
  body = adw_message_dialog_get_body (failed);
  g_assert_nonnull (strstr (body, is_zh () ? "密码错误" : "Wrong phone number or password"));
  g_assert_null (strstr (body, "{"));
  g_assert_false (kehu_sync_client_is_signed_in (client));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (failed), "sign-in-wrong-password"));
  adw_message_dialog_response (failed, "close");
  kehu_test_ui_settle (200);

  /* The right one: signed in, and the first sync fills the Customers page
   * that was open all along. */
  sign_in (app, KEHU_TEST_ADMIN_PASSWORD);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while ((kehu_sync_client_get_last_sync (client) == NULL ||
          kehu_sync_client_get_state (client) == KEHU_SYNC_STATE_SYNCING) &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (kehu_sync_client_is_signed_in (client));
  g_assert_nonnull (kehu_sync_client_get_last_sync (client));
  kehu_test_ui_settle (300);

  cache = kehu_sync_client_dup_cache_path (client);
  g_assert_cmpstr (kehu_store_get_path (kehu_application_get_store (app)), ==, cache);
  page = kehu_window_get_page (window, "customers");
  g_assert_true (KEHU_IS_RECORD_LIST_VIEW (page));
  g_assert_cmpstr (kehu_record_list_view_get_count_text (KEHU_RECORD_LIST_VIEW (page)), ==,
                   is_zh () ? "1 条记录" : "1 record");
  /* A keyring-less session says the token is kept for this run only. */
  if (find_dialog (NULL) != NULL)
    adw_message_dialog_response (find_dialog (NULL), "close");
  kehu_test_ui_settle (200);
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "signed-in-first-sync"));

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_settings_set_string (settings, "server-url", "");
  g_settings_set_string (settings, "sync-user-id", "");
  kehu_test_api_free (api);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/sign-in/wrong-then-right", test_sign_in);

  return g_test_run ();
}
