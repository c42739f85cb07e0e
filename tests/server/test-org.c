/* test-org.c: departments, users, roles and super administrators through
 * the REST API of a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

static char *
top_department (KehuTestApi *api,
                const char  *token)
{
  g_autoptr(JsonObject) list = kehu_test_api_expect (api, token, "GET", "/api/v1/departments", NULL, 200);
  JsonArray *items = json_object_get_array_member (list, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *department = json_array_get_object_element (items, i);

      if (json_object_get_null_member (department, "parent_id"))
        return g_strdup (json_object_get_string_member (department, "id"));
    }
  g_assert_not_reached ();
}

static char *
post_id (KehuTestApi *api,
         const char  *token,
         const char  *path,
         const char  *body)
{
  g_autoptr(JsonObject) created = kehu_test_api_expect (api, token, "POST", path, body, 201);

  return g_strdup (json_object_get_string_member (created, "id"));
}

static void
test_departments (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *sales = NULL;
  g_autofree char *north = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) renamed = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autofree char *top_path = g_strdup_printf ("/api/v1/departments/%s", top);

  /* The top department is 办公室 and can be renamed. */
  renamed = kehu_test_api_expect (api, admin, "PATCH", top_path, "{\"name\":\"  总公司 \"}", 200);
  g_assert_cmpstr (json_object_get_string_member (renamed, "name"), ==, "总公司");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM oplog WHERE module = 'departments' "
                                              "AND field = 'name' AND new_value = '总公司'"), ==, 1);

  body = g_strdup_printf ("{\"name\":\"销售部\",\"parent_id\":\"%s\"}", top);
  sales = post_id (api, admin, "/api/v1/departments", body);
  g_free (body);
  body = g_strdup_printf ("{\"name\":\"华北区\",\"parent_id\":\"%s\",\"position\":2}", sales);
  north = post_id (api, admin, "/api/v1/departments", body);

  /* One top only; no loops; the top stays on top. */
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/departments", "{\"name\":\"另一个\"}",
                              400, "invalid_value", "parent_id");
  path = g_strdup_printf ("/api/v1/departments/%s", sales);
  g_free (body);
  body = g_strdup_printf ("{\"parent_id\":\"%s\"}", north);
  kehu_test_api_expect_error (api, admin, "PATCH", path, body, 400, "invalid_value", "parent_id");
  g_free (body);
  body = g_strdup_printf ("{\"parent_id\":\"%s\"}", sales);
  kehu_test_api_expect_error (api, admin, "PATCH", top_path, body, 400, "invalid_value", "parent_id");
  kehu_test_api_expect_error (api, admin, "PATCH", path, "{\"name\":\"   \"}", 400, "invalid_value", "name");

  /* Deleting: not the top, not one with children. */
  kehu_test_api_expect_error (api, admin, "DELETE", top_path, NULL, 409, "conflict", NULL);
  kehu_test_api_expect_error (api, admin, "DELETE", path, NULL, 409, "conflict", NULL);
  g_free (path);
  path = g_strdup_printf ("/api/v1/departments/%s", north);
  deleted = kehu_test_api_expect (api, admin, "DELETE", path, NULL, 200);
  kehu_test_api_expect_error (api, admin, "GET", path, NULL, 404, "not_found", NULL);

  list = kehu_test_api_expect (api, admin, "GET", "/api/v1/departments", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==, 2);
  /* Every change got a new server revision. */
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM sync_changes WHERE module = 'departments'"), >=, 4);
}

static void
test_users_and_roles (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *role = NULL;
  g_autofree char *boss = NULL;
  g_autofree char *rep = NULL;
  g_autofree char *body = NULL;
  g_autofree char *rep_token = NULL;
  g_autofree char *rep_path = NULL;
  g_autofree char *role_path = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) patched = NULL;
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(JsonObject) page2 = NULL;
  g_autoptr(JsonObject) role_reply = NULL;
  JsonArray *permissions;
  gint64 epoch_before;

  role = post_id (api, admin, "/api/v1/roles",
                  "{\"name\":\"销售代表\",\"permissions\":[\"customer.read\",\"customer.create\"],\"data_scope\":\"self\"}");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/roles",
                              "{\"name\":\"x\",\"permissions\":[],\"data_scope\":\"everyone\"}",
                              400, "invalid_value", "data_scope");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/roles",
                              "{\"name\":\"x\",\"permissions\":[\"nodot\"],\"data_scope\":\"self\"}",
                              400, "invalid_value", "permissions");

  body = g_strdup_printf ("{\"phone\":\"13900000001\",\"name\":\"李经理\",\"password\":\"password-1\","
                          "\"department_id\":\"%s\"}", top);
  boss = post_id (api, admin, "/api/v1/users", body);
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000002\",\"name\":\"张三\",\"password\":\"password-2\","
                          "\"department_id\":\"%s\",\"supervisor_id\":\"%s\",\"role_ids\":[\"%s\"],"
                          "\"gender\":\"male\",\"post\":\"销售\"}", top, boss, role);
  rep = post_id (api, admin, "/api/v1/users", body);

  /* Phones are unique; references must exist. */
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/users", body, 409, "conflict", "phone");
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000003\",\"name\":\"x\",\"password\":\"password-3\","
                          "\"department_id\":\"%s\",\"role_ids\":[\"no-such-role\"]}", top);
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/users", body, 400, "invalid_value", "role_ids");
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000003\",\"name\":\"x\",\"password\":\"short\","
                          "\"department_id\":\"%s\"}", top);
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/users", body, 400, "invalid_value", "password");

  /* The rep's own view of their permissions. */
  rep_token = kehu_test_api_login (api, "13900000002", "password-2");
  me = kehu_test_api_expect (api, rep_token, "GET", "/api/v1/auth/me", NULL, 200);
  permissions = json_object_get_array_member (json_object_get_object_member (me, "user"), "permissions");
  g_assert_cmpuint (json_array_get_length (permissions), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (permissions, 0), ==, "customer.read");
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (me, "user"), "sees_all"));

  /* A rep may not manage the organisation. */
  kehu_test_api_expect_error (api, rep_token, "POST", "/api/v1/roles",
                              "{\"name\":\"x\",\"permissions\":[],\"data_scope\":\"all\"}",
                              403, "forbidden", NULL);
  rep_path = g_strdup_printf ("/api/v1/users/%s", rep);
  kehu_test_api_expect_error (api, rep_token, "PATCH", rep_path, "{\"name\":\"x\"}", 403, "forbidden", NULL);

  /* No loops in the supervisor chain. */
  {
    g_autofree char *boss_path = g_strdup_printf ("/api/v1/users/%s", boss);
    g_autofree char *loop = g_strdup_printf ("{\"supervisor_id\":\"%s\"}", rep);
    kehu_test_api_expect_error (api, admin, "PATCH", boss_path, loop, 400, "invalid_value", "supervisor_id");
  }

  epoch_before = kehu_test_api_db_int (api, "SELECT scope_epoch FROM users WHERE phone = '13900000002'");
  patched = kehu_test_api_expect (api, admin, "PATCH", rep_path, "{\"email\":\"zs@example.cn\",\"role_ids\":[]}", 200);
  g_assert_cmpstr (json_object_get_string_member (patched, "email"), ==, "zs@example.cn");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (patched, "role_ids")), ==, 0);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT scope_epoch FROM users WHERE phone = '13900000002'"),
                   >, epoch_before);
  /* Each changed field is in the operation log, old and new value. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT coalesce (old_value, '-') || '>' || new_value FROM oplog "
                                            "WHERE module = 'users' AND record_id = '%s' AND field = 'email'", rep);
    g_autofree char *change = kehu_test_api_db_string (api, sql);
    g_autofree char *roles_sql = g_strdup_printf ("SELECT old_value || '>' || new_value FROM oplog "
                                                  "WHERE module = 'users' AND record_id = '%s' AND field = 'role_ids'", rep);
    g_autofree char *roles_change = kehu_test_api_db_string (api, roles_sql);
    g_autofree char *expected_roles = g_strdup_printf ("[\"%s\"]>[]", role);

    g_assert_cmpstr (change, ==, "->zs@example.cn");
    g_assert_cmpstr (roles_change, ==, expected_roles);
  }

  /* Users are never deleted. */
  kehu_test_api_expect_error (api, admin, "DELETE", rep_path, NULL, 405, "method_not_allowed", NULL);

  /* Keyset pages over users: 3 users, pages of 2. */
  page = kehu_test_api_expect (api, admin, "GET", "/api/v1/users?limit=2", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "items")), ==, 2);
  {
    g_autofree char *next = g_strdup_printf ("/api/v1/users?limit=2&after=%s",
                                             json_object_get_string_member (page, "next"));
    page2 = kehu_test_api_expect (api, admin, "GET", next, NULL, 200);
  }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page2, "items")), ==, 1);
  g_assert_true (json_object_get_null_member (page2, "next"));

  role_path = g_strdup_printf ("/api/v1/roles/%s", role);
  role_reply = kehu_test_api_expect (api, admin, "PATCH", role_path, "{\"data_scope\":\"department\"}", 200);
  g_assert_cmpstr (json_object_get_string_member (role_reply, "data_scope"), ==, "department");
  g_clear_pointer (&role_reply, json_object_unref);
  role_reply = kehu_test_api_expect (api, admin, "DELETE", role_path, NULL, 200);
  kehu_test_api_expect_error (api, admin, "GET", role_path, NULL, 404, "not_found", NULL);
}

static void
test_disable_hands_over_customers (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *path = NULL;
  g_autofree char *owners = NULL;
  g_autoptr(JsonObject) reply = NULL;

  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *user_body = g_strdup_printf ("{\"phone\":\"1390000000%d\",\"name\":\"U%d\","
                                                    "\"password\":\"password-x\",\"department_id\":\"%s\"}",
                                                    i, i, top);
      char *id = post_id (api, admin, "/api/v1/users", user_body);
      if (i == 1) a = id; else if (i == 2) b = id; else c = id;
    }

  sql = g_strdup_printf ("UPDATE pools SET is_default = 0;"
                         "INSERT INTO pools (id, created_at, updated_at, name, is_default) VALUES ('pool1', 'x', 'x', '公海', 1);"
                         "INSERT INTO customers (id, created_at, updated_at, name, owner_id) VALUES"
                         " ('c1', 'x', 'x', 'A', '%1$s'), ('c2', 'x', 'x', 'B', '%1$s'), ('c3', 'x', 'x', 'C', '%2$s'),"
                         " ('c4', 'x', 'x', 'D', '%2$s');",
                         a, b);
  kehu_test_api_db_exec (api, sql);

  /* a's customers go to b; b's go to the pool. */
  path = g_strdup_printf ("/api/v1/users/%s/disable", a);
  body = g_strdup_printf ("{\"transfer_to\":\"%s\"}", a);
  kehu_test_api_expect_error (api, admin, "POST", path, body, 400, "invalid_value", "transfer_to");
  g_free (body);
  body = g_strdup_printf ("{\"transfer_to\":\"%s\"}", b);
  reply = kehu_test_api_expect (api, admin, "POST", path, body, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "customers_moved"), ==, 2);

  g_free (path);
  path = g_strdup_printf ("/api/v1/users/%s/disable", b);
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (api, admin, "POST", path, "{\"transfer_to\":null}", 200);
  g_assert_cmpint (json_object_get_int_member (reply, "customers_moved"), ==, 4);

  owners = kehu_test_api_db_string (api, "SELECT group_concat (coalesce (owner_id, '-') || ':' || coalesce (pool_id, '-'), ',')"
                                         " FROM (SELECT * FROM customers ORDER BY id)");
  g_assert_cmpstr (owners, ==, "-:pool1,-:pool1,-:pool1,-:pool1");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM pool_history WHERE action = 'return'"), ==, 4);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM oplog WHERE record_id = 'c1' AND action = 'transfer' AND new_value = '%s'", b);
  g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 1);
  (void) c;
}

static void
test_super_admins (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *founder = kehu_test_api_db_string (api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
  g_autofree char *other = NULL;
  g_autofree char *third = NULL;
  g_autofree char *body = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) reply = NULL;

  body = g_strdup_printf ("{\"phone\":\"13900000001\",\"name\":\"副总\",\"password\":\"password-1\","
                          "\"department_id\":\"%s\"}", top);
  other = post_id (api, admin, "/api/v1/users", body);
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000002\",\"name\":\"员工\",\"password\":\"password-2\","
                          "\"department_id\":\"%s\"}", top);
  third = post_id (api, admin, "/api/v1/users", body);

  other_token = kehu_test_api_login (api, "13900000001", "password-1");
  g_free (body);
  body = g_strdup_printf ("{\"user_id\":\"%s\"}", third);
  kehu_test_api_expect_error (api, other_token, "POST", "/api/v1/super-admins", body, 403, "forbidden", NULL);

  g_free (body);
  body = g_strdup_printf ("{\"user_id\":\"%s\"}", other);
  reply = kehu_test_api_expect (api, admin, "POST", "/api/v1/super-admins", body, 200);
  g_assert_true (json_object_get_boolean_member (reply, "is_super_admin"));

  /* The new super administrator may appoint others, but not remove the
   * first one, and cannot be disabled. */
  g_free (body);
  body = g_strdup_printf ("{\"user_id\":\"%s\"}", third);
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (api, other_token, "POST", "/api/v1/super-admins", body, 200);
  path = g_strdup_printf ("/api/v1/super-admins/%s", founder);
  kehu_test_api_expect_error (api, other_token, "DELETE", path, NULL, 409, "conflict", NULL);
  g_free (path);
  path = g_strdup_printf ("/api/v1/users/%s/disable", other);
  kehu_test_api_expect_error (api, admin, "POST", path, "{\"transfer_to\":null}", 409, "conflict", NULL);

  list = kehu_test_api_expect (api, admin, "GET", "/api/v1/super-admins", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==, 3);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_object_get_array_member (list, "items"), 0),
                                                 "is_founder"));

  g_free (path);
  path = g_strdup_printf ("/api/v1/super-admins/%s", third);
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (api, admin, "DELETE", path, NULL, 200);
  g_assert_false (json_object_get_boolean_member (reply, "is_super_admin"));
}

static void
test_create_admin_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-org-XXXXXX", &error);
  g_autofree char *id = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *data_arg = g_strdup_printf ("--data-dir=%s", dir);

  id = kehu_test_create_admin (dir, "13800000001", "long-enough");
  g_assert_true (g_uuid_string_is_valid (id));

  /* The same phone twice fails, and so does a short password. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              g_getenv ("KEHU_SERVER_BIN"), data_arg, "--create-admin", "13800000001", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "another-password\n", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), !=, 0);

  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/org/departments", test_departments);
  g_test_add_func ("/org/users-and-roles", test_users_and_roles);
  g_test_add_func ("/org/disable-hands-over-customers", test_disable_hands_over_customers);
  g_test_add_func ("/org/super-admins", test_super_admins);
  g_test_add_func ("/org/create-admin-option", test_create_admin_option);

  return g_test_run ();
}
