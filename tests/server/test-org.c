/* test-org.c: departments, users, roles and super administrators through
 * the REST API of a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-schema.h"
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

/* A user with two roles: permissions add up, the widest data scope wins. */
static void
test_several_roles (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *rep_role = post_id (api, admin, "/api/v1/roles",
    "{\"name\":\"代表\",\"permissions\":[\"customer.read\"],\"data_scope\":\"self\"}");
  g_autofree char *audit_role = post_id (api, admin, "/api/v1/roles",
    "{\"name\":\"审计\",\"permissions\":[\"report.read\"],\"data_scope\":\"all\"}");
  g_autofree char *body = g_strdup_printf ("{\"phone\":\"13900000009\",\"name\":\"王审计\",\"password\":\"password-9\","
                                           "\"department_id\":\"%s\",\"role_ids\":[\"%s\"]}", top, rep_role);
  g_autofree char *user = post_id (api, admin, "/api/v1/users", body);
  g_autofree char *path = g_strdup_printf ("/api/v1/users/%s", user);
  g_autofree char *token = NULL;
  g_autofree char *both = g_strdup_printf ("{\"role_ids\":[\"%s\",\"%s\"]}", rep_role, audit_role);
  g_autoptr(JsonObject) me = NULL;
  g_autoptr(JsonObject) patched = NULL;
  JsonArray *permissions;
  gboolean customer_read = FALSE, report_read = FALSE;

  token = kehu_test_api_login (api, "13900000009", "password-9");
  me = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (me, "user"), "sees_all"));
  g_clear_pointer (&me, json_object_unref);

  patched = kehu_test_api_expect (api, admin, "PATCH", path, both, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (patched, "role_ids")), ==, 2);
  me = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (me, "user"), "sees_all"));
  permissions = json_object_get_array_member (json_object_get_object_member (me, "user"), "permissions");
  for (guint i = 0; i < json_array_get_length (permissions); i++)
    {
      customer_read |= g_str_equal (json_array_get_string_element (permissions, i), "customer.read");
      report_read |= g_str_equal (json_array_get_string_element (permissions, i), "report.read");
    }
  g_assert_true (customer_read && report_read);

  /* One unknown role among them: nothing changes, and the error says where. */
  g_free (both);
  both = g_strdup_printf ("{\"role_ids\":[\"%s\",\"no-such-role\"]}", rep_role);
  kehu_test_api_expect_error (api, admin, "PATCH", path, both, 400, "invalid_value", "role_ids");
  kehu_test_api_expect_error (api, admin, "PATCH", path, "{\"role_ids\":\"x\"}", 400, "invalid_type", "role_ids");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM user_roles ur JOIN users u ON u.id = ur.user_id "
                                              "WHERE u.phone = '13900000009'"), ==, 2);
}

static void
test_custom_fields (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *rep = NULL;
  g_autofree char *rep_token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *customer = NULL;
  g_autofree char *customer_path = NULL;
  g_autoptr(JsonObject) field = NULL;
  g_autoptr(JsonObject) renamed = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) list = NULL;
  const char *name;

  /* Bad input names the field. */
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"nothing\",\"type\":\"text\",\"label\":\"x\"}", 400, "invalid_value", "module");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"colour\",\"label\":\"x\"}", 400, "invalid_value", "type");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"choice\",\"label\":\"x\"}", 400, "invalid_value", "dictionary_id");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"  \"}", 400, "invalid_value", "label");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"text\"}", 400, "missing_field", "label");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"x\",\"colour\":1}", 400, "unknown_field", "colour");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"x\",\"name\":\"Bad Name\"}", 400, "invalid_value", "name");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM custom_fields"), ==, 0);

  field = kehu_test_api_expect (api, admin, "POST", "/api/v1/custom-fields",
                                "{\"module\":\"customers\",\"type\":\"text\",\"label\":\" 开户银行 \",\"in_list\":true}", 201);
  name = json_object_get_string_member (field, "name");
  g_assert_true (g_str_has_prefix (name, "cf_"));
  g_assert_cmpstr (json_object_get_string_member (field, "label"), ==, "开户银行");
  g_assert_cmpint (json_object_get_int_member (field, "in_list"), ==, 1);
  path = g_strdup_printf ("/api/v1/custom-fields/%s", json_object_get_string_member (field, "id"));

  /* A record takes a value for it; renaming keeps the key and the value. */
  {
    g_autofree char *body = g_strdup_printf ("{\"name\":\"北京大学\",\"extra\":{\"%s\":\"招商银行\"}}", name);
    customer = kehu_test_api_create (api, admin, "customers", body);
  }
  renamed = kehu_test_api_expect (api, admin, "PATCH", path, "{\"label\":\"基本户开户行\",\"required\":false}", 200);
  g_assert_cmpstr (json_object_get_string_member (renamed, "label"), ==, "基本户开户行");
  g_assert_cmpstr (json_object_get_string_member (renamed, "name"), ==, name);
  customer_path = g_strdup_printf ("/api/v1/customers/%s", customer);
  record = kehu_test_api_expect (api, admin, "GET", customer_path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (record, "extra"), name), ==, "招商银行");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM oplog WHERE module = 'custom_fields' "
                                              "AND field = 'label' AND old_value = '开户银行' AND new_value = '基本户开户行'"), ==, 1);

  /* Two fields, reordered; one deactivated, its values kept. */
  g_clear_pointer (&field, json_object_unref);
  field = kehu_test_api_expect (api, admin, "POST", "/api/v1/custom-fields",
                                "{\"module\":\"customers\",\"type\":\"number\",\"label\":\"规模\",\"move\":-1}", 201);
  list = kehu_test_api_expect (api, admin, "GET", "/api/v1/custom-fields?module=customers", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (list, "items"), 0),
                                                  "label"), ==, "规模");
  g_clear_pointer (&renamed, json_object_unref);
  renamed = kehu_test_api_expect (api, admin, "PATCH", path, "{\"is_enabled\":false}", 200);
  g_assert_cmpint (json_object_get_int_member (renamed, "is_enabled"), ==, 0);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM customers WHERE json_type (extra, '$.' || "
                                              "(SELECT name FROM custom_fields WHERE label = '基本户开户行')) IS NOT NULL"), ==, 1);

  /* The same label twice in a module, an empty one, a wrong type, a missing field. */
  {
    g_autofree char *other = g_strdup_printf ("/api/v1/custom-fields/%s", json_object_get_string_member (field, "id"));
    kehu_test_api_expect_error (api, admin, "PATCH", other, "{\"label\":\"基本户开户行\"}", 400, "invalid_value", "label");
    kehu_test_api_expect_error (api, admin, "PATCH", other, "{\"label\":\"\"}", 400, "invalid_value", "label");
    kehu_test_api_expect_error (api, admin, "PATCH", other, "{\"in_list\":\"yes\"}", 400, "invalid_type", "in_list");
    kehu_test_api_expect_error (api, admin, "PATCH", other, "{\"module\":\"leads\"}", 400, "unknown_field", "module");
  }
  kehu_test_api_expect_error (api, admin, "PATCH", "/api/v1/custom-fields/nothing", "{\"label\":\"x\"}", 404, "not_found", NULL);

  /* Only those who may. */
  rep = kehu_test_api_add_user (api, admin, "13900000003", "张三", top, NULL, KEHU_ID_ROLE_SALES_REP);
  rep_token = kehu_test_api_login (api, "13900000003", KEHU_TEST_USER_PASSWORD);
  kehu_test_api_expect_error (api, rep_token, "PATCH", path, "{\"label\":\"x\"}", 403, "forbidden", NULL);
  kehu_test_api_expect_error (api, rep_token, "POST", "/api/v1/custom-fields",
                              "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"x\"}", 403, "forbidden", NULL);
}

static void
test_dictionaries (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autoptr(JsonObject) dict = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) patched = NULL;
  g_autoptr(JsonObject) items = NULL;
  g_autofree char *items_path = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *dict_path = NULL;
  g_autofree char *choice = NULL;

  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/dictionaries", "{\"name\":\" \"}", 400, "invalid_value", "name");
  dict = kehu_test_api_expect (api, admin, "POST", "/api/v1/dictionaries", "{\"name\":\"合作方式\"}", 201);
  dict_path = g_strdup_printf ("/api/v1/dictionaries/%s", json_object_get_string_member (dict, "id"));
  g_clear_pointer (&patched, json_object_unref);
  patched = kehu_test_api_expect (api, admin, "PATCH", dict_path, "{\"name\":\"合作模式\"}", 200);
  g_assert_cmpstr (json_object_get_string_member (patched, "name"), ==, "合作模式");

  items_path = g_strdup_printf ("/api/v1/dictionaries/%s/items", json_object_get_string_member (dict, "id"));
  first = kehu_test_api_expect (api, admin, "POST", items_path, "{\"label\":\"代理\"}", 201);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "value"), "item_"));
  second = kehu_test_api_expect (api, admin, "POST", items_path, "{\"label\":\"直销\",\"move\":-1}", 201);
  kehu_test_api_expect_error (api, admin, "POST", items_path, "{\"label\":\"\"}", 400, "invalid_value", "label");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/dictionaries/nothing/items", "{\"label\":\"x\"}",
                              404, "not_found", "dictionary_id");

  first_path = g_strdup_printf ("/api/v1/dictionary-items/%s", json_object_get_string_member (first, "id"));
  g_clear_pointer (&patched, json_object_unref);
  patched = kehu_test_api_expect (api, admin, "PATCH", first_path, "{\"label\":\"渠道代理\",\"is_enabled\":false}", 200);
  g_assert_cmpstr (json_object_get_string_member (patched, "label"), ==, "渠道代理");
  g_assert_cmpint (json_object_get_int_member (patched, "is_enabled"), ==, 0);
  /* The stored value never changes. */
  g_assert_cmpstr (json_object_get_string_member (patched, "value"), ==, json_object_get_string_member (first, "value"));
  kehu_test_api_expect_error (api, admin, "PATCH", first_path, "{\"label\":\"   \"}", 400, "invalid_value", "label");
  kehu_test_api_expect_error (api, admin, "PATCH", first_path, "{\"move\":\"up\"}", 400, "invalid_type", "move");
  kehu_test_api_expect_error (api, admin, "PATCH", "/api/v1/dictionary-items/nothing", "{\"label\":\"x\"}",
                              404, "not_found", NULL);
  /* A new item may come disabled; who added it is in the log. */
  {
    g_autoptr(JsonObject) off = kehu_test_api_expect (api, admin, "POST", items_path,
                                                      "{\"label\":\"试用\",\"is_enabled\":false}", 201);
    g_autoptr(JsonObject) gone = NULL;
    g_autofree char *off_path = g_strdup_printf ("/api/v1/dictionary-items/%s", json_object_get_string_member (off, "id"));
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM oplog WHERE module = 'dictionary_items' AND action = 'create'"
                                            " AND record_id = '%s' AND new_value = '试用'", json_object_get_string_member (off, "id"));

    g_assert_cmpint (json_object_get_int_member (off, "is_enabled"), ==, 0);
    g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 1);
    /* Moving past the end leaves it last. */
    gone = kehu_test_api_expect (api, admin, "PATCH", off_path, "{\"move\":5}", 200);
    g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM dictionary_items WHERE label = '试用'"), ==, 1);
  }

  items = kehu_test_api_expect (api, admin, "GET", items_path, NULL, 200);
  {
    JsonArray *array = json_object_get_array_member (items, "items");

    g_assert_cmpuint (json_array_get_length (array), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "label"), ==, "直销");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "label"), ==, "渠道代理");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "label"), ==, "试用");
  }

  /* A choice field over it refuses the disabled item. */
  choice = g_strdup_printf ("{\"module\":\"customers\",\"type\":\"choice\",\"label\":\"合作模式\",\"name\":\"cf_mode\","
                            "\"dictionary_id\":\"%s\"}", json_object_get_string_member (dict, "id"));
  g_clear_pointer (&patched, json_object_unref);
  patched = kehu_test_api_expect (api, admin, "POST", "/api/v1/custom-fields", choice, 201);
  {
    g_autofree char *bad = g_strdup_printf ("{\"name\":\"清华大学\",\"extra\":{\"cf_mode\":\"%s\"}}",
                                            json_object_get_string_member (first, "value"));
    g_autofree char *good = g_strdup_printf ("{\"name\":\"清华大学\",\"extra\":{\"cf_mode\":\"%s\"}}",
                                             json_object_get_string_member (second, "value"));
    g_autofree char *id = NULL;

    kehu_test_api_expect_error (api, admin, "POST", "/api/v1/customers", bad, 400, "invalid_value", "cf_mode");
    id = kehu_test_api_create (api, admin, "customers", good);
    g_assert_nonnull (id);
  }
}

static void
test_stages (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *group = post_id (api, admin, "/api/v1/stage_groups", "{\"name\":\"续费流程\"}");
  g_autofree char *stages_path = g_strdup_printf ("/api/v1/stage_groups/%s/stages", group);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) patched = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  g_autofree char *won_path = NULL;
  JsonArray *items;

  /* Bad input first: nothing is written. */
  kehu_test_api_expect_error (api, admin, "POST", stages_path, "{\"name\":\"到期提醒\"}", 400, "missing_field", "win_rate");
  kehu_test_api_expect_error (api, admin, "POST", stages_path, "{\"name\":\"到期提醒\",\"win_rate\":101}", 400,
                              "invalid_value", "win_rate");
  kehu_test_api_expect_error (api, admin, "POST", stages_path, "{\"name\":\"  \",\"win_rate\":10}", 400,
                              "invalid_value", "name");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/stage_groups/nothing/stages", "{\"name\":\"x\",\"win_rate\":10}",
                              404, "not_found", "group_id");
  /* The group came with its closing stages (the rule of kehu-rules.c),
   * and nothing else was written. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT group_concat (kind || ':' || win_rate, ',') FROM "
                                            "(SELECT kind, win_rate FROM stages WHERE group_id = '%s' ORDER BY position)",
                                            group);
    g_autofree char *ends = kehu_test_api_db_string (api, sql);

    g_assert_cmpstr (ends, ==, "won:100,lost:0,invalid:0");
  }

  /* Open stages go before them. */
  first = kehu_test_api_expect (api, admin, "POST", stages_path, "{\"name\":\"到期提醒\",\"win_rate\":20}", 201);
  second = kehu_test_api_expect (api, admin, "POST", stages_path, "{\"name\":\"续费报价\",\"win_rate\":60,\"move\":-1}", 201);
  list = kehu_test_api_expect (api, admin, "GET", stages_path, NULL, 200);
  items = json_object_get_array_member (list, "items");
  {
    g_autoptr(GString) order = g_string_new (NULL);

    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonObject *stage = json_array_get_object_element (items, i);
        g_string_append_printf (order, "%s%s:%" G_GINT64_FORMAT ":%s", i ? "," : "",
                                json_object_get_string_member (stage, "name"),
                                json_object_get_int_member (stage, "win_rate"),
                                json_object_get_string_member (stage, "kind"));
        if (g_str_equal (json_object_get_string_member (stage, "kind"), "won"))
          won_path = g_strdup_printf ("/api/v1/stages/%s", json_object_get_string_member (stage, "id"));
      }
    g_assert_cmpstr (order->str, ==, "续费报价:60:open,到期提醒:20:open,Deal won:100:won,Deal lost:0:lost,"
                                     "Invalid opportunity:0:invalid");
  }

  /* Edit: name and win rate; the closing stages keep SPEC's rates. */
  first_path = g_strdup_printf ("/api/v1/stages/%s", json_object_get_string_member (first, "id"));
  patched = kehu_test_api_expect (api, admin, "PATCH", first_path, "{\"win_rate\":25}", 200);
  g_assert_cmpint (json_object_get_int_member (patched, "win_rate"), ==, 25);
  g_assert_cmpstr (json_object_get_string_member (patched, "name"), ==, "到期提醒");
  kehu_test_api_expect_error (api, admin, "PATCH", won_path, "{\"win_rate\":90}", 400, "invalid_value", "win_rate");
  g_clear_pointer (&patched, json_object_unref);
  patched = kehu_test_api_expect (api, admin, "PATCH", won_path, "{\"name\":\"续费成功\"}", 200);
  g_assert_cmpint (json_object_get_int_member (patched, "win_rate"), ==, 100);
  kehu_test_api_expect_error (api, admin, "PATCH", first_path, "{\"win_rate\":-1}", 400, "invalid_value", "win_rate");
  kehu_test_api_expect_error (api, admin, "PATCH", first_path, "{\"kind\":\"won\"}", 400, "unknown_field", "kind");
  kehu_test_api_expect_error (api, admin, "PATCH", "/api/v1/stages/nothing", "{\"win_rate\":5}", 404, "not_found", NULL);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM oplog WHERE module = 'stages' AND field = 'win_rate' "
                                              "AND old_value = '20' AND new_value = '25'"), ==, 1);

  /* Remove: not a closing stage, not the last open one. */
  kehu_test_api_expect_error (api, admin, "DELETE", won_path, NULL, 400, "invalid_value", "kind");
  second_path = g_strdup_printf ("/api/v1/stages/%s", json_object_get_string_member (second, "id"));
  {
    g_autoptr(JsonObject) ok = kehu_test_api_expect (api, admin, "DELETE", second_path, NULL, 200);
  }
  kehu_test_api_expect_error (api, admin, "DELETE", first_path, NULL, 400, "invalid_value", NULL);
  kehu_test_api_expect_error (api, admin, "DELETE", second_path, NULL, 404, "not_found", NULL);

  /* A group a client made offline and pushed gets them too. */
  {
    const char *push = "{\"ops\":[{\"op_id\":\"5a1e0000-0000-4000-8000-000000000001\",\"module\":\"stage_groups\","
                       "\"id\":\"5a1e0000-0000-4000-8000-0000000000a1\",\"kind\":\"create\","
                       "\"fields\":{\"name\":\"渠道流程\"},\"base_rev\":0}]}";
    g_autoptr(JsonObject) reply = kehu_test_api_expect (api, admin, "POST", "/api/v1/sync/push", push, 200);
    JsonObject *result = json_array_get_object_element (json_object_get_array_member (reply, "results"), 0);
    g_autofree char *ends = NULL;

    g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
    ends = kehu_test_api_db_string (api, "SELECT group_concat (kind || ':' || win_rate, ',') FROM (SELECT kind, win_rate "
                                         "FROM stages WHERE group_id = (SELECT id FROM stage_groups WHERE name = '渠道流程') "
                                         "ORDER BY position)");
    g_assert_cmpstr (ends, ==, "won:100,lost:0,invalid:0");
  }
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
  g_test_add_func ("/org/several-roles", test_several_roles);
  g_test_add_func ("/org/custom-fields", test_custom_fields);
  g_test_add_func ("/org/dictionaries", test_dictionaries);
  g_test_add_func ("/org/stages", test_stages);

  return g_test_run ();
}
