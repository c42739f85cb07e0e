/* test-settings-online.c: Settings on a server's cache change the server
 *
 * Against a real kehu-server: signed in as the administrator, renaming a
 * custom field and giving a user two roles in Settings reach the server
 * (read back through its REST API) and the cache; a refusal shows the
 * server's own words; changes made on the server by others show after a
 * sync; with the server gone the sections are read-only and say why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-settings-view.h"
#include "kehu-sync-client.h"
#include "kehu-test-api.h"
#include "kehu-test-settings-online.h"
#include "kehu-test-ui.h"

static KehuSettingsView *view;

/* The current section shows a widget named @data (a row's id). */
static gboolean
shows (gpointer data)
{
  return kehu_settings_view_find (view, data) != NULL;
}

static gboolean
hides (gpointer data)
{
  return kehu_settings_view_find (view, data) == NULL;
}

static GtkWidget *
find_in (GtkWidget  *root,
         const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_in (c, name);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find (const char *name)
{
  GtkWidget *w = kehu_settings_view_find (view, name);

  if (w == NULL)
    g_error ("No widget “%s” in the section", name);
  return w;
}

static void
select_in (const char *drop_name,
           const char *module)
{
  GtkWidget *drop = find (drop_name);
  GPtrArray *ids = g_object_get_data (G_OBJECT (drop), "kehu-ids");

  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), module) == 0)
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), i);
        kehu_test_ui_settle (50);
        return;
      }
  g_error ("No module %s", module);
}

static char *
cache_string (KehuStore  *store,
              const char *sql,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) row = kehu_admin_query_one (store, &error, sql, id, NULL);

  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (row, "v"));
}

/* The label of @field_id as the server's list route gives it. */
static char *
server_label (KehuTestApi *api,
              const char  *token,
              const char  *field_id)
{
  g_autoptr(JsonObject) list = kehu_test_api_expect (api, token, "GET", "/api/v1/custom-fields?module=customers", NULL, 200);
  JsonArray *items = json_object_get_array_member (list, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *f = json_array_get_object_element (items, i);

      if (g_strcmp0 (json_object_get_string_member (f, "id"), field_id) == 0)
        return g_strdup (json_object_get_string_member (f, "label"));
    }
  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
sorted_roles (JsonArray *ids)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (ids); i++)
    g_ptr_array_add (strings, (gpointer) json_array_get_string_element (ids, i));
  g_ptr_array_sort (strings, compare_strings);
  g_ptr_array_add (strings, NULL);
  return g_strjoinv (",", (char **) strings->pdata);
}

static void
apply_label (const char *field_name,
             const char *label)
{
  GtkWidget *row = find (field_name);

  gtk_editable_set_text (GTK_EDITABLE (row), label);
  g_signal_emit_by_name (row, "apply");
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, view);
  kehu_test_ui_settle (80);
}

static void
test_settings_online (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-settings-online-XXXXXX", &error);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *admin_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *field_path = NULL;
  g_autofree char *user_path = NULL;
  g_autofree char *seller = NULL;
  g_autoptr(JsonObject) field = NULL;
  g_autoptr(KehuSyncClient) client = kehu_sync_client_new (api->server->base_url);
  g_autoptr(KehuStore) store = NULL;
  g_autoptr(JsonObject) dictionary = NULL;
  const char *field_id, *field_name, *dictionary_id;
  GtkWidget *window;

  g_assert_no_error (error);
  /* On the server before the app signs in: a custom field and a seller. */
  field = kehu_test_api_expect (api, admin, "POST", "/api/v1/custom-fields",
                                "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"开户银行\"}", 201);
  field_id = json_object_get_string_member (field, "id");
  field_name = json_object_get_string_member (field, "name");
  field_path = g_strdup_printf ("/api/v1/custom-fields/%s", field_id);
  seller = kehu_test_api_add_user (api, admin, "13900000001", "王销售", KEHU_ID_TOP_DEPARTMENT, NULL,
                                   KEHU_ID_ROLE_SALES_REP);
  user_path = g_strdup_printf ("/api/v1/users/%s", seller);
  dictionary = kehu_test_api_expect (api, admin, "POST", "/api/v1/dictionaries", "{\"name\":\"开户行类型\"}", 201);
  dictionary_id = json_object_get_string_member (dictionary, "id");

  kehu_sync_client_set_data_dir (client, dir);
  /* Signed in as the app does, without a keyring to keep the token in. */
  {
    g_autofree char *token = kehu_sync_login (api->server->base_url, KEHU_TEST_ADMIN_PHONE,
                                              KEHU_TEST_ADMIN_PASSWORD, &admin_id, &error);

    g_assert_no_error (error);
    kehu_sync_client_set_account (client, admin_id, token);
  }
  kehu_sync_client_check (client);
  kehu_test_wait_until (kehu_test_client_synced, client);

  path = kehu_sync_client_dup_cache_path (client);
  store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_sync_store_is_cache (store));

  view = kehu_settings_view_new (store);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  kehu_settings_view_set_user_id (view, admin_id);
  g_assert_true (kehu_settings_view_is_allowed (view));
  kehu_settings_view_set_sync_client (view, client);

  /* The settings tables came with the pull. */
  kehu_test_wait_until (kehu_test_settings_settled, view);
  {
    g_autofree char *label = cache_string (store, "SELECT label AS v FROM custom_fields WHERE id = ?", field_id);
    g_autofree char *roles = cache_string (store, "SELECT group_concat (role_id) AS v FROM user_roles WHERE user_id = ?", seller);

    g_assert_cmpstr (label, ==, "开户银行");
    g_assert_cmpstr (roles, ==, KEHU_ID_ROLE_SALES_REP);
  }

  /* Rename the field: on the server, then in the cache. */
  kehu_settings_view_show_section (view, "fields");
  select_in ("field-module", "customers");
  g_assert_null (kehu_settings_view_get_banner (view));
  g_assert_true (gtk_widget_is_sensitive (find (field_name)));
  apply_label (field_name, "基本户开户行");
  {
    g_autofree char *on_server = server_label (api, admin, field_id);
    g_autofree char *cached = cache_string (store, "SELECT label AS v FROM custom_fields WHERE id = ?", field_id);

    g_assert_cmpstr (on_server, ==, "基本户开户行");
    g_assert_cmpstr (cached, ==, "基本户开户行");
    g_assert_cmpstr (g_object_get_data (G_OBJECT (view), "kehu-last-message"), ==,
                     _("Field renamed; the values entered stay with it"));
  }

  /* A refusal is the server's, in its words, naming the field; nothing
   * changes anywhere. */
  {
    guint status = 0;
    g_autoptr(JsonNode) refusal = kehu_test_api_call (api, admin, "PATCH", field_path, "{\"label\":\"  \"}", &status);
    JsonObject *err = json_object_get_object_member (json_node_get_object (refusal), "error");
    const char *message = json_object_get_string_member (err, "message");
    const char *shown;

    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (err, "field"), ==, "label");
    apply_label (field_name, "  ");
    shown = g_object_get_data (G_OBJECT (view), "kehu-last-message");
    g_assert_true (g_str_has_prefix (shown, message));
    g_assert_nonnull (strstr (shown, "label"));
  }
  {
    g_autofree char *on_server = server_label (api, admin, field_id);
    g_autofree char *cached = cache_string (store, "SELECT label AS v FROM custom_fields WHERE id = ?", field_id);

    g_assert_cmpstr (on_server, ==, "基本户开户行");
    g_assert_cmpstr (cached, ==, "基本户开户行");
  }

  /* The seller gets a second role. */
  kehu_settings_view_show_section (view, "users");
  g_signal_emit_by_name (find_in (find (seller), "edit"), "clicked");
  kehu_test_ui_settle (100);
  {
    GtkWidget *dialog = kehu_settings_view_get_dialog (view);

    g_assert_nonnull (dialog);
    g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (find_in (dialog, KEHU_ID_ROLE_SALES_REP))));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (find_in (dialog, KEHU_ID_ROLE_SALES_MANAGER)), TRUE);
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  }
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, view);
  kehu_test_ui_settle (80);
  {
    g_autoptr(JsonObject) user = kehu_test_api_expect (api, admin, "GET", user_path, NULL, 200);
    g_autofree char *on_server = sorted_roles (json_object_get_array_member (user, "role_ids"));
    g_auto(GStrv) cached = kehu_admin_dup_user_role_ids (store, seller, &error);
    g_autofree char *cached_text = NULL;
    g_autofree char *expected = g_strdup_printf ("%s,%s", KEHU_ID_ROLE_SALES_MANAGER, KEHU_ID_ROLE_SALES_REP);

    g_assert_no_error (error);
    cached_text = g_strjoinv (",", cached);
    g_assert_cmpstr (on_server, ==, expected);
    g_assert_cmpstr (cached_text, ==, expected);
    g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM user_roles WHERE user_id IN "
                                                "(SELECT id FROM users WHERE phone = '13900000001')"), ==, 2);
  }
  g_assert_true (gtk_widget_is_sensitive (find_in (find (seller), "edit")));
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (window, "settings-online-users");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  /* A new department: made by the server, its row (with the server's id)
   * in the cache, and nothing queued for the next sync. */
  kehu_settings_view_show_section (view, "departments");
  gtk_editable_set_text (GTK_EDITABLE (find ("new-department")), "华东大区");
  g_signal_emit_by_name (find ("add-department"), "clicked");
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, view);
  kehu_test_ui_settle (80);
  {
    g_autofree char *server_id = kehu_test_api_db_string (api, "SELECT id FROM departments WHERE name = '华东大区'");
    g_autofree char *cached = NULL;

    g_assert_nonnull (server_id);
    cached = cache_string (store, "SELECT id AS v FROM departments WHERE name = ?", "华东大区");
    g_assert_cmpstr (cached, ==, server_id);
    g_assert_nonnull (kehu_settings_view_find (view, server_id));
    g_assert_cmpint (kehu_sync_count_pending (store), ==, 0);
  }

  /* A dictionary made on the server reached the cache; an item added to
   * it in Settings is the server's, with the server's id. */
  kehu_settings_view_show_section (view, "dictionaries");
  select_in ("dictionary", dictionary_id);
  gtk_editable_set_text (GTK_EDITABLE (find ("new-item")), "国有银行");
  g_signal_emit_by_name (find ("new-item"), "apply");
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, view);
  kehu_test_ui_settle (80);
  {
    g_autofree char *items_path = g_strdup_printf ("/api/v1/dictionaries/%s/items", dictionary_id);
    g_autoptr(JsonObject) list = kehu_test_api_expect (api, admin, "GET", items_path, NULL, 200);
    JsonArray *items = json_object_get_array_member (list, "items");
    JsonObject *item;
    g_autofree char *cached = NULL;

    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    item = json_array_get_object_element (items, 0);
    g_assert_cmpstr (json_object_get_string_member (item, "label"), ==, "国有银行");
    cached = cache_string (store, "SELECT label AS v FROM dictionary_items WHERE id = ?",
                           json_object_get_string_member (item, "id"));
    g_assert_cmpstr (cached, ==, "国有银行");
    g_assert_nonnull (kehu_settings_view_find (view, json_object_get_string_member (item, "id")));
  }

  /* A stage added and removed again in the default group: the server's
   * list and the cache agree after each. */
  kehu_settings_view_show_section (view, "stages");
  gtk_editable_set_text (GTK_EDITABLE (find ("new-stage")), "商务谈判");
  g_signal_emit_by_name (find ("new-stage"), "apply");
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, view);
  kehu_test_ui_settle (80);
  {
    g_autofree char *stage_id = kehu_test_api_db_string (api, "SELECT id FROM stages WHERE name = '商务谈判'");
    g_autofree char *server_stages = kehu_test_api_db_string (api,
      "SELECT group_concat (id || ':' || position, ',') FROM (SELECT id, position FROM stages "
      "WHERE group_id = (SELECT group_id FROM stages WHERE name = '商务谈判') ORDER BY id)");
    g_autofree char *cached_stages = NULL;

    g_assert_nonnull (stage_id);
    cached_stages = cache_string (store,
      "SELECT group_concat (id || ':' || position, ',') AS v FROM (SELECT id, position FROM stages "
      "WHERE group_id = (SELECT group_id FROM stages WHERE id = ?) ORDER BY id)", stage_id);
    g_assert_cmpstr (cached_stages, ==, server_stages);

    g_signal_emit_by_name (find_in (find (stage_id), "remove"), "clicked");
    kehu_test_ui_settle (20);
    kehu_test_wait_until (kehu_test_settings_settled, view);
    kehu_test_ui_settle (80);
    g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM stages WHERE name = '商务谈判'"), ==, 0);
    g_clear_pointer (&cached_stages, g_free);
    {
      g_autoptr(JsonObject) row = kehu_admin_query_one (store, NULL, "SELECT count (*) AS n FROM stages WHERE id = ?", stage_id, NULL);
      g_assert_cmpint (json_object_get_int_member (row, "n"), ==, 0);
    }
    g_assert_null (kehu_settings_view_find (view, stage_id));
  }

  /* Changes made on the server by someone else (here through REST, not
   * by the app) reach the cache with the next pull and show in Settings:
   * a new dictionary item, and a stage that is deleted. */
  kehu_settings_view_show_section (view, "dictionaries");
  select_in ("dictionary", dictionary_id);
  {
    g_autofree char *items_path = g_strdup_printf ("/api/v1/dictionaries/%s/items", dictionary_id);
    g_autoptr(JsonObject) item = kehu_test_api_expect (api, admin, "POST", items_path, "{\"label\":\"农业银行\"}", 201);
    const char *item_id = json_object_get_string_member (item, "id");

    g_assert_null (kehu_settings_view_find (view, item_id));
    kehu_sync_client_sync_now (client);
    kehu_test_wait_until (shows, (gpointer) item_id);
  }
  kehu_settings_view_show_section (view, "stages");
  {
    g_autofree char *stage_path = g_strdup ("/api/v1/stages/" KEHU_ID_STAGE_NEEDS);
    guint status = 0;
    g_autoptr(JsonNode) answer = NULL;

    g_assert_nonnull (kehu_settings_view_find (view, KEHU_ID_STAGE_NEEDS));
    answer = kehu_test_api_call (api, admin, "DELETE", stage_path, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
    kehu_sync_client_sync_now (client);
    kehu_test_wait_until (hides, (gpointer) KEHU_ID_STAGE_NEEDS);
    {
      g_autoptr(JsonObject) row = kehu_admin_query_one (store, NULL, "SELECT count (*) AS n FROM stages WHERE id = ?",
                                                        KEHU_ID_STAGE_NEEDS, NULL);
      g_assert_cmpint (json_object_get_int_member (row, "n"), ==, 0);
    }
  }

  /* The server goes away: read-only, and the banner says why. */
  g_assert_cmpint (kehu_test_server_stop (api->server, SIGTERM), ==, 0);
  kehu_sync_client_check (client);
  kehu_test_wait_until (kehu_test_client_offline, client);
  kehu_test_ui_settle (80);
  g_assert_cmpstr (kehu_settings_view_get_banner (view), ==,
                   _("Settings can be changed only while connected to the server"));
  g_assert_false (gtk_widget_is_sensitive (find ("new-stage")));
  kehu_settings_view_show_section (view, "dictionaries");
  g_assert_false (gtk_widget_is_sensitive (find ("new-item")));
  g_assert_true (gtk_widget_is_sensitive (find ("dictionary")));
  kehu_settings_view_show_section (view, "users");
  g_assert_false (gtk_widget_is_sensitive (find_in (find (seller), "edit")));
  g_assert_false (gtk_widget_is_sensitive (find_in (find (seller), "enabled")));
  kehu_settings_view_show_section (view, "fields");
  g_assert_false (gtk_widget_is_sensitive (find (field_name)));
  g_assert_false (gtk_widget_is_sensitive (find ("add-field")));
  kehu_settings_view_show_section (view, "roles");
  g_assert_false (gtk_widget_is_sensitive (find ("save-role")));
  /* Which role to look at may still be chosen. */
  g_assert_true (gtk_widget_is_sensitive (find ("role")));
  g_assert_cmpstr (kehu_settings_view_get_banner (view), ==,
                   _("Settings can be changed only while connected to the server"));
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (window, "settings-offline");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_clear_object (&store);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/settings-online/server", test_settings_online);

  return g_test_run ();
}
