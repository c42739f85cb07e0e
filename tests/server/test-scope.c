/* test-scope.c: data scopes enforced on the record routes, with real users
 * in a three-level department tree
 *
 *   top (办公室)          admin (super administrator)
 *   └── sales (销售部)    director (department_and_children)
 *       └── north (华北区) manager (self_and_subordinates), supervisor director
 *                         rep1, rep2 (self), supervisor manager
 *   └── south (华南区)    senior (department) ; rep3 (self)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

typedef struct
{
  KehuTestApi *api;
  char        *admin;
  char        *ids[7];     /* director, manager, rep1, rep2, senior, rep3, top */
  char        *tokens[6];
  char        *customers[6];
} Org;

enum { DIRECTOR, MANAGER, REP1, REP2, SENIOR, REP3 };

static char *
add_role (KehuTestApi *api,
          const char  *admin,
          const char  *scope)
{
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"permissions\":[\"customer.read\",\"customer.create\","
                                           "\"customer.edit\",\"customer.delete\",\"contact.read\"],"
                                           "\"data_scope\":\"%s\"}", scope, scope);
  g_autoptr(JsonObject) role = kehu_test_api_expect (api, admin, "POST", "/api/v1/roles", body, 201);

  return g_strdup (json_object_get_string_member (role, "id"));
}

static char *
add_department (KehuTestApi *api,
                const char  *admin,
                const char  *name,
                const char  *parent)
{
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"parent_id\":\"%s\"}", name, parent);
  g_autoptr(JsonObject) department = kehu_test_api_expect (api, admin, "POST", "/api/v1/departments", body, 201);

  return g_strdup (json_object_get_string_member (department, "id"));
}

static void
org_set_up (Org *org)
{
  g_autofree char *top = NULL;
  g_autofree char *sales = NULL;
  g_autofree char *north = NULL;
  g_autofree char *south = NULL;
  g_autofree char *r_tree = NULL;
  g_autofree char *r_sub = NULL;
  g_autofree char *r_self = NULL;
  g_autofree char *r_dept = NULL;

  org->api = kehu_test_api_start (TRUE, NULL);
  org->admin = kehu_test_api_login (org->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  top = kehu_test_api_db_string (org->api, "SELECT id FROM departments WHERE parent_id IS NULL");
  sales = add_department (org->api, org->admin, "销售部", top);
  north = add_department (org->api, org->admin, "华北区", sales);
  south = add_department (org->api, org->admin, "华南区", sales);

  r_tree = add_role (org->api, org->admin, "department_and_children");
  r_sub = add_role (org->api, org->admin, "self_and_subordinates");
  r_self = add_role (org->api, org->admin, "self");
  r_dept = add_role (org->api, org->admin, "department");

  org->ids[DIRECTOR] = kehu_test_api_add_user (org->api, org->admin, "13900000001", "总监", sales, NULL, r_tree);
  org->ids[MANAGER] = kehu_test_api_add_user (org->api, org->admin, "13900000002", "经理", north, org->ids[DIRECTOR], r_sub);
  org->ids[REP1] = kehu_test_api_add_user (org->api, org->admin, "13900000003", "张三", north, org->ids[MANAGER], r_self);
  org->ids[REP2] = kehu_test_api_add_user (org->api, org->admin, "13900000004", "李四", north, org->ids[MANAGER], r_self);
  org->ids[SENIOR] = kehu_test_api_add_user (org->api, org->admin, "13900000005", "王五", south, org->ids[DIRECTOR], r_dept);
  org->ids[REP3] = kehu_test_api_add_user (org->api, org->admin, "13900000006", "赵六", south, org->ids[SENIOR], r_self);

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *phone = g_strdup_printf ("1390000000%d", i + 1);
      g_autofree char *body = g_strdup_printf ("{\"name\":\"客户%d\"}", i);

      org->tokens[i] = kehu_test_api_login (org->api, phone, KEHU_TEST_USER_PASSWORD);
      org->customers[i] = kehu_test_api_create (org->api, org->tokens[i], "customers", body);
    }
}

static void
org_tear_down (Org *org)
{
  for (int i = 0; i < 7; i++)
    g_free (org->ids[i]);
  for (int i = 0; i < 6; i++)
    {
      g_free (org->tokens[i]);
      g_free (org->customers[i]);
    }
  g_free (org->admin);
  kehu_test_api_free (org->api);
}

/* The names of the customers a user's list shows, sorted, joined. */
static char *
visible (Org *org,
         int  who)
{
  g_autoptr(JsonObject) list = kehu_test_api_expect (org->api, org->tokens[who], "GET",
                                                     "/api/v1/customers?sort=name&limit=500", NULL, 200);
  JsonArray *items = json_object_get_array_member (list, "items");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    g_ptr_array_add (names, (gpointer) json_object_get_string_member (json_array_get_object_element (items, i), "name"));
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static gboolean
can_get (Org *org,
         int  who,
         int  whose)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s", org->customers[whose]);
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  reply = kehu_test_api_call (org->api, org->tokens[who], "GET", path, NULL, &status);
  g_assert_true (status == 200 || status == 404);
  return status == 200;
}

static void
test_lists (void)
{
  Org org = { 0 };
  g_autofree char *director = NULL, *manager = NULL, *rep1 = NULL, *senior = NULL, *rep3 = NULL;

  org_set_up (&org);

  rep1 = visible (&org, REP1);
  g_assert_cmpstr (rep1, ==, "客户2");
  /* Two levels of the supervisor chain would show here; one exists. */
  manager = visible (&org, MANAGER);
  g_assert_cmpstr (manager, ==, "客户1,客户2,客户3");
  senior = visible (&org, SENIOR);
  g_assert_cmpstr (senior, ==, "客户4,客户5");
  /* 销售部 and its children: the third level (华北区, 华南区) included. */
  director = visible (&org, DIRECTOR);
  g_assert_cmpstr (director, ==, "客户0,客户1,客户2,客户3,客户4,客户5");
  rep3 = visible (&org, REP3);
  g_assert_cmpstr (rep3, ==, "客户5");

  g_assert_true (can_get (&org, MANAGER, REP2));
  g_assert_false (can_get (&org, MANAGER, DIRECTOR));
  g_assert_false (can_get (&org, SENIOR, REP1));
  g_assert_true (can_get (&org, DIRECTOR, REP3));

  org_tear_down (&org);
}

static void
test_rep_cannot_touch_peer (void)
{
  Org org = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *body = NULL;

  org_set_up (&org);
  path = g_strdup_printf ("/api/v1/customers/%s", org.customers[REP2]);
  before = kehu_test_api_db_checksum (org.api, "customers,oplog");

  /* Out of scope looks exactly like a missing record. */
  kehu_test_api_expect_error (org.api, org.tokens[REP1], "GET", path, NULL, 404, "not_found", NULL);
  kehu_test_api_expect_error (org.api, org.tokens[REP1], "PATCH", path, "{\"phone\":\"1\"}", 404, "not_found", NULL);
  kehu_test_api_expect_error (org.api, org.tokens[REP1], "DELETE", path, NULL, 404, "not_found", NULL);
  g_free (path);
  path = g_strdup_printf ("/api/v1/customers/%s/oplog", org.customers[REP2]);
  kehu_test_api_expect_error (org.api, org.tokens[REP1], "GET", path, NULL, 404, "not_found", NULL);
  body = g_strdup_printf ("{\"ids\":[\"%s\",\"%s\"]}", org.customers[REP1], org.customers[REP2]);
  kehu_test_api_expect_error (org.api, org.tokens[REP1], "POST", "/api/v1/customers/actions/delete", body,
                              404, "not_found", NULL);

  after = kehu_test_api_db_checksum (org.api, "customers,oplog");
  g_assert_cmpstr (after, ==, before);

  /* The manager may change the rep's customer. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/customers/%s", org.customers[REP2]);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT rev FROM customers WHERE id = '%s'", org.customers[REP2]);
    g_autofree char *rev = kehu_test_api_db_string (org.api, sql);
    g_autoptr(JsonNode) patched = NULL;
    guint status;

    patched = kehu_test_api_call_headers (org.api, org.tokens[MANAGER], "PATCH", path, "{\"phone\":\"010-1\"}",
                                          "If-Match", rev, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (patched), "phone"), ==, "010-1");
  }

  org_tear_down (&org);
}

static void
test_team_member (void)
{
  Org org = { 0 };
  g_autofree char *team = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *remove = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) members = NULL;

  org_set_up (&org);
  team = g_strdup_printf ("/api/v1/customers/%s/team", org.customers[REP1]);
  path = g_strdup_printf ("/api/v1/customers/%s", org.customers[REP1]);

  /* rep3 (华南区) joins rep1's customer read-only: sees it, cannot change it. */
  g_assert_false (can_get (&org, REP3, REP1));
  body = g_strdup_printf ("{\"user_id\":\"%s\",\"access\":\"read\"}", org.ids[REP3]);
  reply = kehu_test_api_expect (org.api, org.tokens[REP1], "POST", team, body, 200);
  g_assert_true (can_get (&org, REP3, REP1));
  list = visible (&org, REP3);
  g_assert_cmpstr (list, ==, "客户2,客户5");
  kehu_test_api_expect_error (org.api, org.tokens[REP3], "DELETE", path, NULL, 403, "forbidden", NULL);

  /* A peer cannot add themself to a team they cannot see. */
  g_free (body);
  body = g_strdup_printf ("{\"user_id\":\"%s\",\"access\":\"write\"}", org.ids[REP2]);
  kehu_test_api_expect_error (org.api, org.tokens[REP2], "POST", team, body, 404, "not_found", NULL);

  members = kehu_test_api_expect (org.api, org.tokens[REP1], "GET", team, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (members, "items")), ==, 1);

  remove = g_strdup_printf ("%s/%s", team, org.ids[REP3]);
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (org.api, org.tokens[REP1], "DELETE", remove, NULL, 200);
  g_assert_false (can_get (&org, REP3, REP1));

  org_tear_down (&org);
}

static void
test_transfer_moves_scope (void)
{
  Org org = { 0 };
  g_autofree char *body = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *role = NULL;
  g_autofree char *sql = NULL;

  org_set_up (&org);

  /* Without the permission: 403. */
  body = g_strdup_printf ("{\"ids\":[\"%s\"],\"owner_id\":\"%s\",\"keep_team\":\"read\"}",
                          org.customers[REP1], org.ids[REP2]);
  kehu_test_api_expect_error (org.api, org.tokens[MANAGER], "POST", "/api/v1/customers/actions/transfer", body,
                              403, "forbidden", NULL);

  reply = kehu_test_api_expect (org.api, org.admin, "POST", "/api/v1/customers/actions/transfer", body, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "count"), ==, 1);
  sql = g_strdup_printf ("SELECT owner_id FROM customers WHERE id = '%s'", org.customers[REP1]);
  role = kehu_test_api_db_string (org.api, sql);
  g_assert_cmpstr (role, ==, org.ids[REP2]);

  /* rep1 kept read access through the team; rep2 now owns it. */
  g_assert_true (can_get (&org, REP1, REP1));
  g_assert_true (can_get (&org, REP2, REP1));
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s", org.customers[REP1]);
    kehu_test_api_expect_error (org.api, org.tokens[REP1], "DELETE", path, NULL, 403, "forbidden", NULL);
  }

  org_tear_down (&org);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scope/lists", test_lists);
  g_test_add_func ("/scope/rep-cannot-touch-peer", test_rep_cannot_touch_peer);
  g_test_add_func ("/scope/team-member", test_team_member);
  g_test_add_func ("/scope/transfer", test_transfer_moves_scope);

  return g_test_run ();
}
