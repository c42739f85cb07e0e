/* test-approvals.c: approvals through a real kehu-server
 *
 * Users and roles are made over HTTP by the administrator and log in with
 * their passwords: 张总 (general manager role, scope all) ← 李经理 ← 王芳
 * (sales rep, scope self), and 赵六 (another rep). 王芳 makes the
 * customer, contract and payment through the record routes. The contract goes
 * through the conditional flow (amount > 100 000.00 yuan: supervisor,
 * then the general manager), a payment is refused before the approval and
 * approved after it, and the totals are checked against hand-computed
 * values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

static char *
post_id (KehuTestApi *api,
         const char  *token,
         const char  *path,
         const char  *body)
{
  g_autoptr(JsonObject) created = kehu_test_api_expect (api, token, "POST", path, body, 201);

  return g_strdup (json_object_get_string_member (created, "id"));
}

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
waiting_of (JsonObject *instance)
{
  JsonArray *waiting = json_object_get_array_member (instance, "waiting");
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (waiting); i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", json_array_get_string_element (waiting, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_contract_then_payment (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = top_department (api, admin);
  g_autofree char *gm_role = NULL, *mgr_role = NULL, *rep_role = NULL;
  g_autofree char *gm = NULL, *mgr = NULL, *rep = NULL, *other = NULL;
  g_autofree char *gm_token = NULL, *mgr_token = NULL, *rep_token = NULL, *other_token = NULL;
  g_autofree char *body = NULL, *path = NULL, *actions = NULL;
  g_autofree char *k1 = NULL, *p1 = NULL, *w = NULL, *s = NULL;
  g_autofree char *c1 = NULL, *kk = NULL, *pay = NULL, *submit_path = NULL, *history_path = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *total;

  gm_role = post_id (api, admin, "/api/v1/roles",
                     "{\"name\":\"总经理\",\"permissions\":[\"contract.read\",\"contract.approve\","
                     "\"payment.approve\",\"invoice.approve\"],\"data_scope\":\"all\"}");
  mgr_role = post_id (api, admin, "/api/v1/roles",
                      "{\"name\":\"销售经理\",\"permissions\":[\"contract.read\"],"
                      "\"data_scope\":\"self_and_subordinates\"}");
  rep_role = post_id (api, admin, "/api/v1/roles",
                      "{\"name\":\"销售代表\",\"permissions\":[\"customer.read\",\"customer.create\","
                      "\"contract.read\",\"contract.create\",\"payment.read\",\"payment.create\"],"
                      "\"data_scope\":\"self\"}");
  body = g_strdup_printf ("{\"phone\":\"13900000001\",\"name\":\"张总\",\"password\":\"password-1\","
                          "\"department_id\":\"%s\",\"role_ids\":[\"%s\"]}", top, gm_role);
  gm = post_id (api, admin, "/api/v1/users", body);
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000002\",\"name\":\"李经理\",\"password\":\"password-2\","
                          "\"department_id\":\"%s\",\"supervisor_id\":\"%s\",\"role_ids\":[\"%s\"]}",
                          top, gm, mgr_role);
  mgr = post_id (api, admin, "/api/v1/users", body);
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000003\",\"name\":\"王芳\",\"password\":\"password-3\","
                          "\"department_id\":\"%s\",\"supervisor_id\":\"%s\",\"role_ids\":[\"%s\"]}",
                          top, mgr, rep_role);
  rep = post_id (api, admin, "/api/v1/users", body);
  g_free (body);
  body = g_strdup_printf ("{\"phone\":\"13900000004\",\"name\":\"赵六\",\"password\":\"password-4\","
                          "\"department_id\":\"%s\",\"supervisor_id\":\"%s\",\"role_ids\":[\"%s\"]}",
                          top, gm, rep_role);
  other = post_id (api, admin, "/api/v1/users", body);
  gm_token = kehu_test_api_login (api, "13900000001", "password-1");
  mgr_token = kehu_test_api_login (api, "13900000002", "password-2");
  rep_token = kehu_test_api_login (api, "13900000003", "password-3");
  other_token = kehu_test_api_login (api, "13900000004", "password-4");

  /* Flows: a rep may not define them; a broken one is a 400 naming the
   * place; the real ones are saved. */
  kehu_test_api_expect_error (api, rep_token, "POST", "/api/v1/approval-flows",
                              "{\"definition\":{\"name\":\"x\",\"business_type\":\"contract\","
                              "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}}",
                              403, "forbidden", NULL);
  {
    g_autoptr(JsonNode) error = NULL;
    guint status = 0;

    error = kehu_test_api_call (api, admin, "POST", "/api/v1/approval-flows",
                                "{\"definition\":{\"name\":\"x\",\"business_type\":\"contract\","
                                "\"steps\":[{\"type\":\"parallel\",\"approvers\":[{\"supervisor\":1}]}]}}",
                                &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (error), "error"),
                                                    "field"), ==, "definition");
    g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (error), "error"),
                                                             "message"), "1"));
  }
  g_free (body);
  body = g_strdup_printf ("{\"definition\":{\"name\":\"合同审批\",\"business_type\":\"contract\","
                          "\"steps\":[{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":10000000,"
                          "\"then\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1},{\"role\":\"%s\"}]}],"
                          "\"else\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}]}}", gm_role);
  g_free (post_id (api, admin, "/api/v1/approval-flows", body));
  g_free (post_id (api, gm_token, "/api/v1/approval-flows",
                   "{\"definition\":{\"name\":\"回款审批\",\"business_type\":\"payment\","
                   "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}}"));
  reply = kehu_test_api_expect (api, gm_token, "GET", "/api/v1/approval-flows", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "items")), ==, 2);
  g_clear_pointer (&reply, json_object_unref);

  /* The records, made by 王芳 over HTTP: a 150 000.00 contract. */
  c1 = post_id (api, rep_token, "/api/v1/customers", "{\"name\":\"华信钢铁\"}");
  g_free (body);
  body = g_strdup_printf ("{\"name\":\"年度供货合同\",\"customer_id\":\"%s\",\"amount\":15000000}", c1);
  kk = post_id (api, rep_token, "/api/v1/contracts", body);
  submit_path = g_strdup_printf ("/api/v1/contracts/%s/submit", kk);
  history_path = g_strdup_printf ("/api/v1/contracts/%s/approvals", kk);

  /* Only approved contracts take payments: creating one is refused. */
  g_free (body);
  body = g_strdup_printf ("{\"contract_id\":\"%s\",\"amount\":6000000,\"paid_date\":\"2026-11-02\"}", kk);
  kehu_test_api_expect_error (api, rep_token, "POST", "/api/v1/payments", body, 400, "invalid_value", "contract_id");
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM payments"), ==, 0);
  /* 赵六 does not see 王芳's contract. */
  kehu_test_api_expect_error (api, other_token, "POST", submit_path, "{}", 404, "not_found", NULL);

  kehu_test_api_set_now (api, "2026-11-02T09:00:00Z");
  reply = kehu_test_api_expect (api, rep_token, "POST", submit_path,
                                "{\"comment\":\"请审批\"}", 201);
  k1 = g_strdup (json_object_get_string_member (reply, "id"));
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "pending");
  w = waiting_of (reply);
  g_assert_cmpstr (w, ==, mgr);
  g_clear_pointer (&reply, json_object_unref);
  s = kehu_test_api_db_string (api, "SELECT approval_status FROM contracts");
  g_assert_cmpstr (s, ==, "pending");

  path = g_strdup_printf ("/api/v1/approvals/%s", k1);
  kehu_test_api_expect_error (api, other_token, "GET", path, NULL, 404, "not_found", NULL);
  actions = g_strdup_printf ("/api/v1/approvals/%s/actions", k1);

  /* Only the waiting user acts. */
  kehu_test_api_expect_error (api, gm_token, "POST", actions, "{\"action\":\"approve\"}",
                              403, "not_waiting", NULL);
  kehu_test_api_expect_error (api, mgr_token, "POST", actions, "{\"action\":\"bless\"}",
                              400, "invalid_value", "action");

  reply = kehu_test_api_expect (api, mgr_token, "GET", "/api/v1/approvals/counts", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "waiting"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (reply, "handled"), ==, 0);
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (api, mgr_token, "GET", "/api/v1/approvals?box=waiting", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (reply, "items"), 0),
                                                  "id"), ==, k1);
  g_clear_pointer (&reply, json_object_unref);
  kehu_test_api_expect_error (api, mgr_token, "GET", "/api/v1/approvals?box=mine", NULL, 400, "invalid_value", "box");

  kehu_test_api_set_now (api, "2026-11-02T10:00:00Z");
  reply = kehu_test_api_expect (api, mgr_token, "POST", actions, "{\"action\":\"approve\",\"comment\":\"价格已核对\"}", 200);
  g_free (w);
  w = waiting_of (reply);
  g_assert_cmpstr (w, ==, gm);
  g_clear_pointer (&reply, json_object_unref);

  kehu_test_api_set_now (api, "2026-11-02T12:00:00Z");
  reply = kehu_test_api_expect (api, gm_token, "POST", actions, "{\"action\":\"approve\"}", 200);
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "approved");
  g_clear_pointer (&reply, json_object_unref);
  g_free (s);
  s = kehu_test_api_db_string (api, "SELECT approval_status FROM contracts");
  g_assert_cmpstr (s, ==, "approved");
  /* Changes get revs for sync. */
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT rev FROM contracts"), >, 0);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT rev FROM approval_instances"), >, 0);

  /* The payment now: created, then approved by the supervisor (李经理). */
  kehu_test_api_set_now (api, "2026-11-02T13:00:00Z");
  pay = post_id (api, rep_token, "/api/v1/payments", body);
  g_free (submit_path);
  submit_path = g_strdup_printf ("/api/v1/payments/%s/submit", pay);
  reply = kehu_test_api_expect (api, rep_token, "POST", submit_path, "{}", 201);
  p1 = g_strdup (json_object_get_string_member (reply, "id"));
  g_clear_pointer (&reply, json_object_unref);
  g_free (actions);
  actions = g_strdup_printf ("/api/v1/approvals/%s/actions", p1);
  kehu_test_api_set_now (api, "2026-11-02T13:30:00Z");
  reply = kehu_test_api_expect (api, mgr_token, "POST", actions, "{\"action\":\"approve\"}", 200);
  g_assert_cmpstr (json_object_get_string_member (reply, "status"), ==, "approved");
  g_clear_pointer (&reply, json_object_unref);

  /* 60 000.00 of 150 000.00 received. */
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT received_total FROM contracts"), ==, 6000000);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT outstanding FROM contracts"), ==, 9000000);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT received_total FROM customers"), ==, 6000000);

  /* The contract's history: submit, approve, approve. */
  reply = kehu_test_api_expect (api, rep_token, "GET", history_path, NULL, 200);
  {
    JsonArray *items = json_object_get_array_member (reply, "items");
    JsonArray *list = json_object_get_array_member (json_array_get_object_element (items, 0), "actions");

    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    g_assert_cmpuint (json_array_get_length (list), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1), "comment"), ==, "价格已核对");
  }
  g_clear_pointer (&reply, json_object_unref);

  /* Statistics: K1 took 3 h (10800 s), P1 30 min (1800 s): 6300 s on
   * average, both passed. */
  kehu_test_api_expect_error (api, rep_token, "GET", "/api/v1/approvals/stats", NULL, 403, "forbidden", NULL);
  reply = kehu_test_api_expect (api, gm_token, "GET",
                                "/api/v1/approvals/stats?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z",
                                NULL, 200);
  total = json_object_get_object_member (reply, "total");
  g_assert_cmpint (json_object_get_int_member (total, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (total, "avg_seconds"), ==, 6300);
  g_assert_cmpint (json_object_get_int_member (total, "pass_rate_bp"), ==, 10000);
  g_clear_pointer (&reply, json_object_unref);
  kehu_test_api_expect_error (api, gm_token, "GET", "/api/v1/approvals/stats?from=yesterday", NULL,
                              400, "invalid_value", "from");

  /* 李经理 handled both. */
  reply = kehu_test_api_expect (api, mgr_token, "GET", "/api/v1/approvals/counts", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "waiting"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (reply, "handled"), ==, 2);
  g_clear_pointer (&reply, json_object_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/approvals/contract-then-payment", test_contract_then_payment);

  return g_test_run ();
}
