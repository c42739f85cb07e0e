/* test-sync-approvals.c: approvals and transfers in client caches against a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-sync.h"

typedef struct
{
  KehuTestApi *api;
  char        *dir;
  char        *admin;       /* token */
  char        *admin_id;
  char        *mgr, *mgr_token;
  char        *rep, *rep_token;
  char        *other, *other_token;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) flow = NULL;

  f->api = kehu_test_api_start (TRUE, NULL);
  f->dir = g_dir_make_tmp ("kehu-test-sync-approvals-XXXXXX", &error);
  g_assert_no_error (error);
  f->admin = kehu_test_api_login (f->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  f->admin_id = kehu_test_api_db_string (f->api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
  f->mgr = kehu_test_api_add_user (f->api, f->admin, "13900000051", "王经理", KEHU_ID_TOP_DEPARTMENT,
                                   NULL, KEHU_ID_ROLE_SALES_MANAGER);
  f->rep = kehu_test_api_add_user (f->api, f->admin, "13900000052", "李代表", KEHU_ID_TOP_DEPARTMENT,
                                   f->mgr, KEHU_ID_ROLE_SALES_REP);
  f->other = kehu_test_api_add_user (f->api, f->admin, "13900000053", "赵代表", KEHU_ID_TOP_DEPARTMENT,
                                     f->mgr, KEHU_ID_ROLE_SALES_REP);
  f->mgr_token = kehu_test_api_login (f->api, "13900000051", KEHU_TEST_USER_PASSWORD);
  f->rep_token = kehu_test_api_login (f->api, "13900000052", KEHU_TEST_USER_PASSWORD);
  f->other_token = kehu_test_api_login (f->api, "13900000053", KEHU_TEST_USER_PASSWORD);
  /* One step: the submitter's supervisor. */
  flow = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/approval-flows",
                               "{\"definition\":{\"name\":\"合同审批\",\"business_type\":\"contract\","
                               "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}}", 201);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kehu_test_api_free (f->api);
  kehu_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->admin);
  g_free (f->admin_id);
  g_free (f->mgr);
  g_free (f->mgr_token);
  g_free (f->rep);
  g_free (f->rep_token);
  g_free (f->other);
  g_free (f->other_token);
}

/* A contract of the representative, submitted on the server; returns the
 * instance id. */
static char *
submit_contract (Fixture    *f,
                 const char *name,
                 char      **contract_out)
{
  g_autofree char *customer = kehu_test_api_create (f->api, f->rep_token, "customers", "{\"name\":\"华信钢铁\"}");
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"customer_id\":\"%s\",\"amount\":15000000}",
                                           name, customer);
  g_autofree char *contract = kehu_test_api_create (f->api, f->rep_token, "contracts", body);
  g_autofree char *path = g_strdup_printf ("/api/v1/contracts/%s/submit", contract);
  g_autoptr(JsonObject) instance = kehu_test_api_expect (f->api, f->rep_token, "POST", path,
                                                         "{\"comment\":\"请审批\"}", 201);

  if (contract_out != NULL)
    *contract_out = g_steal_pointer (&contract);
  return g_strdup (json_object_get_string_member (instance, "id"));
}

/* The ids of a box on the cache, comma-separated. */
static char *
box_ids (TestClient       *client,
         KehuApprovalsBox  box)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = kehu_approvals_list (kehu_sync_engine_get_store (client->engine), client->user_id,
                                                  box, NULL, 100, NULL, &error);
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *items;

  g_assert_no_error (error);
  items = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_string_append_printf (out, "%s%s", i ? "," : "",
                            json_object_get_string_member (json_array_get_object_element (items, i), "id"));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "action:user" of the instance's timeline on the cache. */
static char *
timeline (TestClient *client,
          const char *instance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) detail = kehu_approvals_get_detail (kehu_sync_engine_get_store (client->engine), instance,
                                                          client->user_id, &error);
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *actions;

  g_assert_no_error (error);
  actions = json_object_get_array_member (json_node_get_object (detail), "actions");
  for (guint i = 0; i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);
      g_string_append_printf (out, "%s%s:%s", i ? "," : "", json_object_get_string_member (a, "action"),
                              json_object_get_string_member (a, "user_id"));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Pull brings the instances the user takes part in, whole, and no others;
 * an approval made offline is pending, then the server's. */
static void
test_pull_and_act (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *contract = NULL;
  g_autofree char *instance = submit_contract (f, "年度供货合同", &contract);
  TestClient *m = test_client_new (f->api, f->dir, "mgr", f->mgr, f->mgr_token);
  TestClient *r = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);
  TestClient *o = test_client_new (f->api, f->dir, "other", f->other, f->other_token);
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };
  g_autofree char *expected = NULL;
  char *s;

  test_client_sync (m, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "approval_instances"));
  kehu_sync_stats_clear (&stats);
  test_client_sync (r, NULL);
  test_client_sync (o, NULL);

  /* The manager waits on it, the representative submitted it, the other
   * representative neither sees the contract nor takes part. */
  s = box_ids (m, KEHU_APPROVALS_BOX_WAITING);
  g_assert_cmpstr (s, ==, instance);
  g_free (s);
  s = box_ids (r, KEHU_APPROVALS_BOX_SUBMITTED);
  g_assert_cmpstr (s, ==, instance);
  g_free (s);
  g_assert_cmpint (test_client_count (o, "SELECT COUNT(*) FROM approval_instances"), ==, 0);
  expected = g_strdup_printf ("submit:%s", f->rep);
  s = timeline (m, instance);
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_clear_pointer (&expected, g_free);

  /* Offline: shown as approved at once, pending until pushed. */
  g_assert_true (kehu_sync_approval_act (m->ctx, instance, KEHU_APPROVAL_ACTION_APPROVE, "同意", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_sync_is_pending (kehu_sync_engine_get_store (m->engine), "approval_instances", instance));
  s = kehu_sync_dup_pending_action (kehu_sync_engine_get_store (m->engine), "approval_instances", instance);
  g_assert_cmpstr (s, ==, "approve");
  g_free (s);
  s = box_ids (m, KEHU_APPROVALS_BOX_WAITING);
  g_assert_cmpstr (s, ==, "");
  g_free (s);
  s = test_client_value (m, "approval_instances", instance, "status");
  g_assert_cmpstr (s, ==, "approved");
  g_free (s);
  s = kehu_test_api_db_string (f->api, "SELECT status FROM approval_instances");
  g_assert_cmpstr (s, ==, "pending");
  g_free (s);

  test_client_sync (m, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  g_assert_false (kehu_sync_is_pending (kehu_sync_engine_get_store (m->engine), "approval_instances", instance));
  s = kehu_test_api_db_string (f->api, "SELECT status FROM approval_instances");
  g_assert_cmpstr (s, ==, "approved");
  g_free (s);
  s = box_ids (m, KEHU_APPROVALS_BOX_HANDLED);
  g_assert_cmpstr (s, ==, instance);
  g_free (s);

  /* The representative's cache follows: status, record and timeline. */
  test_client_sync (r, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "approval_instances"));
  kehu_sync_stats_clear (&stats);
  s = test_client_value (r, "approval_instances", instance, "status");
  g_assert_cmpstr (s, ==, "approved");
  g_free (s);
  s = test_client_value (r, "contracts", contract, "approval_status");
  g_assert_cmpstr (s, ==, "approved");
  g_free (s);
  expected = g_strdup_printf ("submit:%s,approve:%s", f->rep, f->mgr);
  s = timeline (r, instance);
  g_assert_cmpstr (s, ==, expected);
  g_free (s);
  g_assert_cmpint (test_client_count (r, "SELECT COUNT(*) FROM approval_waiting"), ==, 0);

  test_client_free (m);
  test_client_free (r);
  test_client_free (o);
}

/* The server refuses an offline approval (the submitter withdrew it
 * meanwhile): the instance and its record return to the server's state
 * and the refusal names the instance. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *contract = NULL;
  g_autofree char *instance = submit_contract (f, "季度服务合同", &contract);
  TestClient *m = test_client_new (f->api, f->dir, "mgr", f->mgr, f->mgr_token);
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };
  KehuSyncRejection *rejection;
  char *s;

  test_client_sync (m, NULL);
  g_assert_true (kehu_sync_approval_act (m->ctx, instance, KEHU_APPROVAL_ACTION_APPROVE, NULL, NULL, &error));
  g_assert_no_error (error);
  s = test_client_value (m, "contracts", contract, "approval_status");
  g_assert_cmpstr (s, ==, "approved");
  g_free (s);

  {
    g_autofree char *path = g_strdup_printf ("/api/v1/approvals/%s/actions", instance);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->rep_token, "POST", path,
                                                        "{\"action\":\"withdraw\"}", 200);
  }

  test_client_sync (m, &stats);
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_assert_nonnull (stats.rejections);
  g_assert_cmpuint (stats.rejections->len, ==, 1);
  rejection = g_ptr_array_index (stats.rejections, 0);
  g_assert_cmpstr (rejection->module, ==, "approval_instances");
  g_assert_cmpstr (rejection->record_id, ==, instance);
  g_assert_cmpstr (rejection->action, ==, "approve");
  g_assert_cmpstr (rejection->message, !=, "");
  kehu_sync_stats_clear (&stats);

  g_assert_false (kehu_sync_is_pending (kehu_sync_engine_get_store (m->engine), "approval_instances", instance));
  s = test_client_value (m, "approval_instances", instance, "status");
  g_assert_cmpstr (s, ==, "withdrawn");
  g_free (s);
  s = test_client_value (m, "contracts", contract, "approval_status");
  g_assert_cmpstr (s, ==, "withdrawn");
  g_free (s);
  s = kehu_test_api_db_string (f->api, "SELECT status FROM approval_instances");
  g_assert_cmpstr (s, ==, "withdrawn");
  g_free (s);

  test_client_free (m);
}

/* A transfer made offline keeps the old owner on the team as asked. */
static void
test_transfer_keep_team (Fixture       *f,
                         gconstpointer  data)
{
  TestClient *a = test_client_new (f->api, f->dir, "admin", f->admin_id, f->admin);
  g_autofree char *customer = test_client_create (a, "customers", "{\"name\":\"远航物流\"}");
  g_autofree char *access = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { customer, NULL };
  KehuSyncStats stats = { 0 };

  test_client_sync (a, NULL);
  g_assert_true (kehu_sync_transfer_full (a->ctx, "customers", ids, f->rep,
                                          KEHU_TRANSFER_KEEP_TEAM_WRITE, &error));
  g_assert_no_error (error);
  test_client_sync (a, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);

  sql = g_strdup_printf ("SELECT owner_id FROM customers WHERE id = '%s'", customer);
  owner = kehu_test_api_db_string (f->api, sql);
  g_assert_cmpstr (owner, ==, f->rep);
  g_free (sql);
  sql = g_strdup_printf ("SELECT access FROM team_members WHERE module = 'customers' AND record_id = '%s'"
                         " AND user_id = '%s'", customer, f->admin_id);
  access = kehu_test_api_db_string (f->api, sql);
  g_assert_cmpstr (access, ==, "write");

  /* The rules' own entry point (what the pages call) queues it as well. */
  {
    g_autofree char *other = test_client_create (a, "customers", "{\"name\":\"东方船舶\"}");
    const char *other_ids[] = { other, NULL };
    g_autofree char *other_access = NULL;
    g_autofree char *other_sql = NULL;

    test_client_sync (a, NULL);
    g_assert_true (kehu_rules_transfer (a->ctx, "customers", other_ids, f->rep, KEHU_TRANSFER_KEEP_TEAM_READ, &error));
    g_assert_no_error (error);
    g_assert_true (kehu_sync_is_pending (kehu_sync_engine_get_store (a->engine), "customers", other));
    test_client_sync (a, &stats);
    g_assert_cmpuint (stats.rejected, ==, 0);
    kehu_sync_stats_clear (&stats);
    other_sql = g_strdup_printf ("SELECT access FROM team_members WHERE module = 'customers' AND record_id = '%s'"
                                 " AND user_id = '%s'", other, f->admin_id);
    other_access = kehu_test_api_db_string (f->api, other_sql);
    g_assert_cmpstr (other_access, ==, "read");
  }

  test_client_free (a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/approvals/pull-and-act", test_pull_and_act);
  ADD ("/sync/approvals/refused", test_refused);
  ADD ("/sync/transfer/keep-team", test_transfer_keep_team);
  return g_test_run ();
}
