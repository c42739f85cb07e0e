/* test-demo.c: kehu-server --demo seeds a company whose people log in with
 * "kehu-demo", and whose data scopes hold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

static void
test_demo (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (FALSE, "--demo", NULL);
  g_autofree char *admin = kehu_test_api_login (api, "13800000000", "kehu-demo");
  g_autofree char *rep = kehu_test_api_login (api, "13800000005", "kehu-demo");
  g_autofree char *rep_id = kehu_test_api_db_string (api, "SELECT id FROM users WHERE phone = '13800000005'");
  g_autofree char *other = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) mine = NULL;
  g_autoptr(JsonObject) all = NULL;
  g_autoptr(JsonObject) supers = NULL;
  JsonArray *items;

  me = kehu_test_api_expect (api, admin, "GET", "/api/v1/auth/me", NULL, 200);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (me, "user"), "is_super_admin"));
  supers = kehu_test_api_expect (api, admin, "GET", "/api/v1/super-admins", NULL, 200);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_object_get_array_member (supers, "items"), 0),
                                                 "is_founder"));

  /* Every demo user has an Argon2id hash of the same password, each
   * with its own salt. */
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%'"), ==, 20);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(DISTINCT password_hash) FROM users"), ==, 20);

  /* A rep's list holds their own customers and those whose team they are
   * on, nothing else; the boss sees more. */
  mine = kehu_test_api_expect (api, rep, "GET", "/api/v1/customers?limit=500", NULL, 200);
  items = json_object_get_array_member (mine, "items");
  g_assert_cmpuint (json_array_get_length (items), >, 0);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM customers WHERE deleted_at IS NULL AND (owner_id = '%1$s' OR id IN "
                                            "(SELECT record_id FROM team_members WHERE module = 'customers' AND user_id = '%1$s'))",
                                            rep_id);
    g_assert_cmpint (json_array_get_length (items), ==, kehu_test_api_db_int (api, sql));
  }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *customer = json_array_get_object_element (items, i);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM customers WHERE id = '%1$s' AND (owner_id = '%2$s' OR id IN "
                                              "(SELECT record_id FROM team_members WHERE module = 'customers' AND user_id = '%2$s'))",
                                              json_object_get_string_member (customer, "id"), rep_id);
      g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 1);
    }
  all = kehu_test_api_expect (api, admin, "GET", "/api/v1/customers?limit=500", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (all, "items")), ==, 500);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT id FROM customers WHERE owner_id IS NOT NULL AND owner_id <> '%1$s' AND id NOT IN "
                                            "(SELECT record_id FROM team_members WHERE user_id = '%1$s') LIMIT 1", rep_id);
    other = kehu_test_api_db_string (api, sql);
  }
  path = g_strdup_printf ("/api/v1/customers/%s", other);
  kehu_test_api_expect_error (api, rep, "GET", path, NULL, 404, "not_found", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo/seed-and-scope", test_demo);

  return g_test_run ();
}
