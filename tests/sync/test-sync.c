/* test-sync.c: client caches against a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "kehu-test-sync.h"

typedef struct
{
  KehuTestApi *api;
  char        *dir;
  char        *admin;       /* token */
  char        *admin_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) me = NULL;

  f->api = kehu_test_api_start (TRUE, NULL);
  f->dir = g_dir_make_tmp ("kehu-test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->admin = kehu_test_api_login (f->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  f->admin_id = kehu_test_api_db_string (f->api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
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
}

static JsonObject *
server_record (Fixture    *f,
               const char *token,
               const char *module,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/%s/%s", module, id);

  return kehu_test_api_expect (f->api, token, "GET", path, NULL, 200);
}

/* The merge decision, pure -------------------------------------------------------- */

static JsonNode *
json (const char *text)
{
  return json_from_string (text, NULL);
}

static void
test_merge_decide (void)
{
  g_autoptr(JsonNode) a = json ("\"a\"");
  g_autoptr(JsonNode) b = json ("\"b\"");
  g_autoptr(JsonNode) null = json ("null");

  /* Not changed on the server since the client's base: apply. */
  g_assert_cmpint (kehu_sync_decide_field (5, 5, a, b), ==, KEHU_SYNC_FIELD_APPLY);
  g_assert_cmpint (kehu_sync_decide_field (5, 0, a, NULL), ==, KEHU_SYNC_FIELD_APPLY);
  /* Changed there since: a conflict unless to the same value. */
  g_assert_cmpint (kehu_sync_decide_field (5, 6, a, b), ==, KEHU_SYNC_FIELD_CONFLICT);
  g_assert_cmpint (kehu_sync_decide_field (5, 6, a, a), ==, KEHU_SYNC_FIELD_SAME);
  g_assert_cmpint (kehu_sync_decide_field (5, 6, null, NULL), ==, KEHU_SYNC_FIELD_SAME);
  g_assert_cmpint (kehu_sync_decide_field (5, 6, null, a), ==, KEHU_SYNC_FIELD_CONFLICT);
}

static void
test_merge_fields (void)
{
  g_autoptr(JsonNode) pushed = json ("{\"name\":\"N2\",\"phone\":\"P2\",\"remark\":\"R2\","
                                     "\"extra\":{\"cf_a\":1,\"cf_b\":2}}");
  g_autoptr(JsonNode) server = json ("{\"name\":\"N1\",\"phone\":\"PX\",\"remark\":\"R2\","
                                     "\"extra\":{\"cf_a\":9,\"cf_b\":0}}");
  g_autoptr(GHashTable) revs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(JsonObject) apply = NULL;
  g_autoptr(JsonArray) conflicts = NULL;
  g_autofree char *apply_text = NULL;
  const struct { const char *field; gint64 rev; } table[] = {
    { "name", 3 }, { "phone", 7 }, { "remark", 8 }, { "cf_a", 9 }, { "cf_b", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      gint64 *rev = g_new (gint64, 1);
      *rev = table[i].rev;
      g_hash_table_insert (revs, (gpointer) table[i].field, rev);
    }

  /* base 5: name (3) and cf_b (4) apply; phone (7) and cf_a (9) changed
   * there to other values: conflicts; remark (8) changed there to the same. */
  kehu_sync_merge (json_node_get_object (pushed), 5, revs, json_node_get_object (server), &apply, &conflicts);
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), apply);
    apply_text = json_to_string (node, FALSE);
  }
  g_assert_cmpstr (apply_text, ==, "{\"name\":\"N2\",\"extra\":{\"cf_b\":2}}");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 2);
  {
    JsonObject *c0 = json_array_get_object_element (conflicts, 0);
    JsonObject *c1 = json_array_get_object_element (conflicts, 1);

    g_assert_cmpstr (json_object_get_string_member (c0, "field"), ==, "phone");
    g_assert_cmpstr (json_object_get_string_member (c0, "server_value"), ==, "PX");
    g_assert_cmpstr (json_object_get_string_member (c0, "client_value"), ==, "P2");
    g_assert_cmpint (json_object_get_int_member (c0, "server_rev"), ==, 7);
    g_assert_cmpstr (json_object_get_string_member (c1, "field"), ==, "cf_a");
    g_assert_cmpint (json_object_get_int_member (c1, "server_value"), ==, 9);
    g_assert_cmpint (json_object_get_int_member (c1, "client_value"), ==, 1);
  }
}

/* The outbox, no server ---------------------------------------------------------- */

static void
test_outbox (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-outbox-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(KehuSyncEngine) engine = kehu_sync_engine_new (path, "http://127.0.0.1:1", KEHU_ID_TOP_DEPARTMENT, &error);
  KehuStore *store;
  KehuContext *ctx;
  g_autoptr(JsonNode) c = json ("{\"name\":\"华为\"}");
  g_autoptr(JsonNode) edit1 = json ("{\"phone\":\"010-1\"}");
  g_autoptr(JsonNode) edit2 = json ("{\"phone\":\"010-2\",\"address\":\"北京\"}");
  g_autofree char *customer = NULL;
  g_autofree char *contact = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);

  g_assert_no_error (error);
  store = kehu_sync_engine_get_store (engine);
  ctx = kehu_sync_engine_get_context (engine);

  customer = kehu_record_create (ctx, "customers", json_node_get_object (c), &error);
  g_assert_no_error (error);
  /* Two edits made before anything was sent: one op with both. */
  kehu_record_update (ctx, "customers", customer, json_node_get_object (edit1), &error);
  g_assert_no_error (error);
  {
    g_autofree char *body = g_strdup_printf ("{\"name\":\"张三\",\"customer_id\":\"%s\"}", customer);
    g_autoptr(JsonNode) node = json (body);
    contact = kehu_record_create (ctx, "contacts", json_node_get_object (node), &error);
    g_assert_no_error (error);
  }
  kehu_record_update (ctx, "customers", customer, json_node_get_object (edit2), &error);
  g_assert_no_error (error);
  kehu_record_delete (ctx, "contacts", contact, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kehu_sync_count_pending (store), ==, 3);

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "SELECT module, kind, fields, base_rev FROM sync_outbox ORDER BY seq",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) fields = json ((const char *) sqlite3_column_text (stmt, 2));
      JsonObject *o = json_node_get_object (fields);

      g_string_append_printf (seen, "%s %s %s %s %lld\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                              json_object_get_string_member_with_default (o, "name", "-"),
                              json_object_get_string_member_with_default (o, "phone", "-"),
                              (long long) sqlite3_column_int64 (stmt, 3));
    }
  sqlite3_finalize (stmt);
  /* The customer (with its later edits folded in) before its contact; the
   * contact's delete after its create. */
  g_assert_cmpstr (seen->str, ==,
                   "customers create 华为 010-2 0\n"
                   "contacts create 张三 - 0\n"
                   "contacts delete - - 0\n");

  /* A failing change queues nothing: the outbox shares its transaction. */
  {
    g_autoptr(JsonNode) bad = json ("{\"no_such_field\":1}");
    g_assert_false (kehu_record_update (ctx, "customers", customer, json_node_get_object (bad), &error));
    g_clear_error (&error);
    g_assert_cmpint (kehu_sync_count_pending (store), ==, 3);
  }

  g_clear_object (&engine);
  kehu_test_rm_rf (dir);
}

/* Two clients ------------------------------------------------------------------- */

static void
test_two_clients (Fixture       *f,
                  gconstpointer  data)
{
  TestClient *a = test_client_new (f->api, f->dir, "a", f->admin_id, f->admin);
  TestClient *b = test_client_new (f->api, f->dir, "b", f->admin_id, f->admin);
  g_autofree char *id = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(JsonObject) record = NULL;
  KehuSyncStats stats = { 0 };
  g_autofree char *a_list = NULL;
  g_autofree char *b_list = NULL;
  g_autofree char *s_list = NULL;

  /* Offline on a: a customer, then its contact. */
  id = test_client_create (a, "customers", "{\"name\":\"北京大学\",\"phone\":\"010-1\"}");
  {
    g_autofree char *body = g_strdup_printf ("{\"name\":\"王老师\",\"customer_id\":\"%s\"}", id);
    contact = test_client_create (a, "contacts", body);
  }
  test_client_sync (a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 2);
  g_assert_cmpuint (stats.applied, ==, 2);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  g_assert_cmpint (test_client_count (a, "SELECT COUNT(*) FROM sync_outbox"), ==, 0);

  test_client_sync (b, &stats);
  g_assert_cmpuint (stats.pulled, >=, 2);
  kehu_sync_stats_clear (&stats);
  {
    g_autofree char *name = test_client_value (b, "contacts", contact, "name");
    g_assert_cmpstr (name, ==, "王老师");
  }

  /* Both offline: different fields of the same customer. */
  test_client_update (a, "customers", id, "{\"phone\":\"010-2\"}");
  test_client_update (b, "customers", id, "{\"address\":\"海淀区\"}");
  test_client_sync (a, NULL);
  test_client_sync (b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  kehu_sync_stats_clear (&stats);
  test_client_sync (a, NULL);

  record = server_record (f, f->admin, "customers", id);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "010-2");
  g_assert_cmpstr (json_object_get_string_member (record, "address"), ==, "海淀区");
  {
    g_autofree char *a_address = test_client_value (a, "customers", id, "address");
    g_autofree char *b_phone = test_client_value (b, "customers", id, "phone");
    g_assert_cmpstr (a_address, ==, "海淀区");
    g_assert_cmpstr (b_phone, ==, "010-2");
  }

  a_list = test_client_customers (a);
  b_list = test_client_customers (b);
  s_list = test_server_customers (f->api, NULL);
  g_assert_cmpstr (a_list, ==, s_list);
  g_assert_cmpstr (b_list, ==, s_list);

  test_client_free (a);
  test_client_free (b);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  TestClient *a = test_client_new (f->api, f->dir, "a", f->admin_id, f->admin);
  TestClient *b = test_client_new (f->api, f->dir, "b", f->admin_id, f->admin);
  g_autofree char *id = test_client_create (a, "customers", "{\"name\":\"清华\",\"phone\":\"1\"}");
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  KehuSyncConflict *c;
  KehuSyncStats stats = { 0 };

  test_client_sync (a, NULL);
  test_client_sync (b, NULL);

  test_client_update (a, "customers", id, "{\"phone\":\"010-1111\"}");
  test_client_update (b, "customers", id, "{\"phone\":\"010-2222\",\"website\":\"b.example\"}");
  test_client_sync (a, NULL);
  test_client_sync (b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  kehu_sync_stats_clear (&stats);

  /* The server kept its value, took b's other field; b's value waits. */
  record = server_record (f, f->admin, "customers", id);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "010-1111");
  g_assert_cmpstr (json_object_get_string_member (record, "website"), ==, "b.example");
  g_clear_pointer (&record, json_object_unref);
  {
    g_autofree char *phone = test_client_value (b, "customers", id, "phone");
    g_assert_cmpstr (phone, ==, "010-1111");
  }
  conflicts = kehu_sync_list_conflicts (kehu_sync_engine_get_store (b->engine));
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (c->field, ==, "phone");
  g_assert_cmpstr (c->local_value, ==, "\"010-2222\"");
  g_assert_cmpstr (c->server_value, ==, "\"010-1111\"");

  /* Keep mine: a normal change on top of the server's value. */
  g_assert_true (kehu_sync_resolve_conflict (b->ctx, c->id, TRUE, &error));
  g_assert_no_error (error);
  test_client_sync (b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (stats.applied, ==, 1);
  kehu_sync_stats_clear (&stats);
  test_client_sync (a, NULL);
  record = server_record (f, f->admin, "customers", id);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "010-2222");
  {
    g_autofree char *phone = test_client_value (a, "customers", id, "phone");
    g_assert_cmpstr (phone, ==, "010-2222");
  }
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  conflicts = kehu_sync_list_conflicts (kehu_sync_engine_get_store (b->engine));
  g_assert_cmpuint (conflicts->len, ==, 0);

  test_client_free (a);
  test_client_free (b);
}

/* A repeated push is a no-op with the same answer. */
static void
test_idempotent (Fixture       *f,
                 gconstpointer  data)
{
  const char *body = "{\"ops\":[{\"op_id\":\"7d4b7c56-0000-4000-8000-000000000001\",\"module\":\"customers\","
                     "\"id\":\"7d4b7c56-0000-4000-8000-00000000c001\",\"kind\":\"create\","
                     "\"fields\":{\"name\":\"一次\"},\"base_rev\":0}]}";
  g_autoptr(JsonObject) first = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/sync/push", body, 200);
  g_autoptr(JsonObject) second = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/sync/push", body, 200);
  g_autoptr(JsonNode) n1 = json_node_init_object (json_node_alloc (), first);
  g_autoptr(JsonNode) n2 = json_node_init_object (json_node_alloc (), second);
  g_autofree char *t1 = json_to_string (n1, FALSE);
  g_autofree char *t2 = json_to_string (n2, FALSE);
  JsonObject *result = json_array_get_object_element (json_object_get_array_member (first, "results"), 0);

  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (result, "rev"), >, 0);
  g_assert_cmpstr (t1, ==, t2);
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE name = '一次'"), ==, 1);
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM sync_ops"), ==, 1);

  /* A rejected op: the answer says why, and nothing is written. */
  {
    const char *bad = "{\"ops\":[{\"op_id\":\"7d4b7c56-0000-4000-8000-000000000002\",\"module\":\"customers\","
                      "\"id\":\"7d4b7c56-0000-4000-8000-00000000c002\",\"kind\":\"create\","
                      "\"fields\":{\"phone\":\"010-99\"},\"base_rev\":0}]}";
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/sync/push", bad, 200);
    JsonObject *r = json_array_get_object_element (json_object_get_array_member (reply, "results"), 0);

    g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "rejected");
    g_assert_cmpstr (json_object_get_string_member (r, "field"), ==, "name");
    g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE phone = '010-99'"), ==, 0);
  }
}

/* A rejected local change is taken back and the user is told. */
static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *rep_id = kehu_test_api_add_user (f->api, f->admin, "13900000001", "Rep", KEHU_ID_TOP_DEPARTMENT,
                                                    NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *rep_token = kehu_test_api_login (f->api, "13900000001", KEHU_TEST_USER_PASSWORD);
  g_autofree char *theirs = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"别人的客户\"}");
  TestClient *rep = test_client_new (f->api, f->dir, "rep", rep_id, rep_token);
  g_autofree char *mine = test_client_create (rep, "customers", "{\"name\":\"我的客户\"}");
  g_autofree char *value = NULL;
  KehuSyncStats stats = { 0 };
  g_autoptr(GError) error = NULL;

  test_client_sync (rep, NULL);
  /* The rep cannot see the admin's customer; a forged local copy edited
   * offline is refused and dropped. */
  g_assert_null (test_client_value (rep, "customers", theirs, "name"));
  {
    g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"伪造\",\"rev\":1,"
                                             "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}", theirs);
    g_autoptr(JsonNode) node = json_from_string (body, NULL);
    g_autofree char *id = NULL;

    /* Written straight into the cache as if it had been pulled. */
    kehu_sync_cache_put (rep->ctx, "customers", json_node_get_object (node), &error);
    g_assert_no_error (error);
    (void) id;
  }
  test_client_update (rep, "customers", theirs, "{\"phone\":\"123\"}");
  test_client_update (rep, "customers", mine, "{\"phone\":\"456\"}");
  test_client_sync (rep, &stats);
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_assert_cmpuint (stats.applied, ==, 1);
  g_assert_nonnull (stats.messages);
  g_assert_cmpuint (stats.messages->len, ==, 1);
  g_assert_true (strstr (g_ptr_array_index (stats.messages, 0), "data scope") != NULL);
  kehu_sync_stats_clear (&stats);
  g_assert_null (test_client_value (rep, "customers", theirs, "name"));
  value = test_client_value (rep, "customers", mine, "phone");
  g_assert_cmpstr (value, ==, "456");
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE phone = '123'"), ==, 0);

  test_client_free (rep);
}

/* Transferred away → gone from the old owner's cache; role change → reset. */
static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *rep1 = kehu_test_api_add_user (f->api, f->admin, "13900000011", "Rep1", KEHU_ID_TOP_DEPARTMENT,
                                                  NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *rep2 = kehu_test_api_add_user (f->api, f->admin, "13900000012", "Rep2", KEHU_ID_TOP_DEPARTMENT,
                                                  NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *token1 = kehu_test_api_login (f->api, "13900000011", KEHU_TEST_USER_PASSWORD);
  TestClient *c1 = test_client_new (f->api, f->dir, "rep1", rep1, token1);
  g_autofree char *kept = test_client_create (c1, "customers", "{\"name\":\"留下\"}");
  g_autofree char *moved = test_client_create (c1, "customers", "{\"name\":\"转走\"}");
  g_autofree char *others = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"管理员的\"}");
  g_autofree char *pending = NULL;
  KehuSyncStats stats = { 0 };

  test_client_sync (c1, NULL);
  g_assert_nonnull (test_client_value (c1, "customers", moved, "name"));
  g_assert_null (test_client_value (c1, "customers", others, "name"));

  {
    g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"],\"owner_id\":\"%s\"}", moved, rep2);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/customers/actions/transfer", body, 200);
  }
  test_client_sync (c1, &stats);
  g_assert_cmpuint (stats.gone, ==, 1);
  g_assert_false (stats.reset);
  kehu_sync_stats_clear (&stats);
  g_assert_null (test_client_value (c1, "customers", moved, "name"));
  g_assert_nonnull (test_client_value (c1, "customers", kept, "name"));

  /* A change made offline survives the reset. */
  pending = test_client_create (c1, "customers", "{\"name\":\"离线新建\"}");
  {
    g_autoptr(JsonObject) reply = NULL;
    g_autofree char *body = g_strdup_printf ("{\"role_ids\":[\"%s\"]}", KEHU_ID_ROLE_SALES_MANAGER);
    g_autofree char *path = g_strdup_printf ("/api/v1/users/%s", rep1);

    reply = kehu_test_api_expect (f->api, f->admin, "PATCH", path, body, 200);
  }
  /* Pull only: the outbox still holds the new customer when the reset comes. */
  {
    g_autoptr(GError) error = NULL;
    kehu_sync_engine_pull (c1->engine, &stats, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_true (stats.reset);
  kehu_sync_stats_clear (&stats);
  g_assert_nonnull (test_client_value (c1, "customers", pending, "name"));
  g_assert_cmpint (test_client_count (c1, "SELECT COUNT(*) FROM sync_outbox"), ==, 1);
  /* A manager of the whole tree sees the administrator's and rep2's now. */
  g_assert_nonnull (test_client_value (c1, "customers", others, "name"));
  g_assert_nonnull (test_client_value (c1, "customers", moved, "name"));

  test_client_sync (c1, NULL);
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE name = '离线新建'"), ==, 1);

  test_client_free (c1);
}

/* Transfer and a claim from the pool made offline, as actions. */
static void
test_actions (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *rep = kehu_test_api_add_user (f->api, f->admin, "13900000021", "Rep", KEHU_ID_TOP_DEPARTMENT,
                                                 NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *token = kehu_test_api_login (f->api, "13900000021", KEHU_TEST_USER_PASSWORD);
  g_autofree char *pooled = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"公海客户\"}");
  TestClient *admin = test_client_new (f->api, f->dir, "admin", f->admin_id, f->admin);
  TestClient *c = test_client_new (f->api, f->dir, "rep", rep, token);
  g_autofree char *mine = test_client_create (admin, "customers", "{\"name\":\"给代表\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  const char *ids[] = { mine, NULL };
  KehuSyncStats stats = { 0 };

  {
    g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"],\"reason\":\"没有预算\"}", pooled);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/customers/actions/return", body, 200);
  }
  test_client_sync (admin, NULL);
  g_assert_true (kehu_sync_transfer (admin->ctx, "customers", ids, rep, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autofree char *owner = test_client_value (admin, "customers", mine, "owner_id");
    g_assert_cmpstr (owner, ==, rep);
  }
  test_client_sync (admin, NULL);
  record = server_record (f, f->admin, "customers", mine);
  g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, rep);
  g_clear_pointer (&record, json_object_unref);

  test_client_sync (c, NULL);
  g_assert_nonnull (test_client_value (c, "customers", mine, "name"));
  g_assert_nonnull (test_client_value (c, "customers", pooled, "name"));
  g_assert_true (kehu_sync_claim (c->ctx, pooled, &error));
  g_assert_no_error (error);
  /* Tentative: shown as the rep's, pending until the server answers. */
  g_assert_true (kehu_sync_is_pending (kehu_sync_engine_get_store (c->engine), "customers", pooled));
  test_client_sync (c, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  g_assert_false (kehu_sync_is_pending (kehu_sync_engine_get_store (c->engine), "customers", pooled));
  record = server_record (f, f->admin, "customers", pooled);
  g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, rep);

  test_client_free (admin);
  test_client_free (c);
}

/* Assign, lock and return made offline by a manager's app reach the
 * server as the same pool moves; a lock the server's cap refuses is undone
 * in the cache with the server's reason. */
static void
test_pool_actions (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *rep = kehu_test_api_add_user (f->api, f->admin, "13900000031", "Rep", KEHU_ID_TOP_DEPARTMENT,
                                                 NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *pooled = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"公海客户\"}");
  g_autofree char *keep = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"长期客户\"}");
  g_autofree char *drop = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"无预算客户\"}");
  g_autofree char *busy = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"已锁客户\"}");
  TestClient *admin = test_client_new (f->api, f->dir, "admin", f->admin_id, f->admin);
  g_autoptr(KehuPerm) perm = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  KehuSyncStats stats = { 0 };
  g_autofree char *sql = NULL;

  {
    g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"],\"reason\":\"待分配\"}", pooled);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/customers/actions/return", body, 200);
  }
  test_client_sync (admin, NULL);
  perm = kehu_perm_load (kehu_sync_engine_get_store (admin->engine), f->admin_id, &error);
  g_assert_no_error (error);

  /* Offline: assign the pooled one to the rep, lock one, return one. */
  g_assert_true (kehu_pool_assign (admin->ctx, perm, (const char * const []) { pooled, NULL }, rep, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_pool_set_locked (admin->ctx, perm, (const char * const []) { keep, NULL }, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_pool_return (admin->ctx, perm, (const char * const []) { drop, NULL }, "客户没有预算", &error));
  g_assert_no_error (error);
  test_client_sync (admin, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);

  record = server_record (f, f->admin, "customers", pooled);
  g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, rep);
  /* Out of the pool; pool_id stays its home pool. */
  g_assert_true (json_object_get_null_member (record, "pooled_at"));
  g_clear_pointer (&record, json_object_unref);
  record = server_record (f, f->admin, "customers", keep);
  g_assert_cmpint (json_object_get_int_member (record, "is_locked"), ==, 1);
  g_clear_pointer (&record, json_object_unref);
  record = server_record (f, f->admin, "customers", drop);
  g_assert_true (json_object_get_null_member (record, "owner_id"));
  g_assert_cmpstr (json_object_get_string_member (record, "pool_id"), ==, KEHU_ID_DEFAULT_POOL);
  g_assert_cmpstr (json_object_get_string_member (record, "return_reason"), ==, "客户没有预算");
  g_clear_pointer (&record, json_object_unref);
  /* The server's pool history holds each move once, by the manager. */
  sql = g_strdup_printf ("SELECT count (*) FROM pool_history WHERE user_id = '%s' AND ("
                         "(customer_id = '%s' AND action = 'assign' AND to_owner_id = '%s') OR "
                         "(customer_id = '%s' AND action = 'return' AND reason = '客户没有预算'))",
                         f->admin_id, pooled, rep, drop);
  g_assert_cmpint (kehu_test_api_db_int (f->api, sql), ==, 2);

  /* The server caps locks at one per person meanwhile; the app, not yet
   * told, locks a second customer: refused, and undone in the cache. */
  {
    g_autofree char *rev = kehu_test_api_db_string (f->api, "SELECT rev FROM pools WHERE id = '" KEHU_ID_DEFAULT_POOL "'");
    guint status = 0;
    g_autoptr(JsonNode) reply = kehu_test_api_call_headers (f->api, f->admin, "PATCH", "/api/v1/pools/" KEHU_ID_DEFAULT_POOL,
                                                            "{\"max_locked_per_user\":1}", "If-Match", rev, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
  }
  g_assert_true (kehu_pool_set_locked (admin->ctx, perm, (const char * const []) { busy, NULL }, TRUE, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *locked = test_client_value (admin, "customers", busy, "is_locked");
    g_assert_cmpstr (locked, ==, "1");
  }
  test_client_sync (admin, &stats);
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (stats.messages, 0), "at most 1, and 1 are locked"));
  kehu_sync_stats_clear (&stats);
  {
    g_autofree char *locked = test_client_value (admin, "customers", busy, "is_locked");
    g_assert_cmpstr (locked, ==, "0");
  }
  record = server_record (f, f->admin, "customers", busy);
  g_assert_cmpint (json_object_get_int_member (record, "is_locked"), ==, 0);

  /* The cache keeps the reason across a restart of the app… */
  test_client_reopen (admin, f->api);
  {
    g_autofree char *why = kehu_sync_dup_refusal (kehu_sync_engine_get_store (admin->engine), "customers", busy);
    g_autofree char *none = kehu_sync_dup_refusal (kehu_sync_engine_get_store (admin->engine), "customers", keep);

    g_assert_nonnull (why);
    g_assert_nonnull (strstr (why, "at most 1, and 1 are locked"));
    g_assert_null (none);
  }
  /* …until the user changes the record again. */
  test_client_update (admin, "customers", busy, "{\"remark\":\"下周再锁\"}");
  {
    g_autofree char *why = kehu_sync_dup_refusal (kehu_sync_engine_get_store (admin->engine), "customers", busy);
    g_assert_null (why);
  }

  test_client_free (admin);
}

/* Submit and approve, queued offline as actions the server decides. */
static void
test_approval_actions (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *mgr = kehu_test_api_add_user (f->api, f->admin, "13900000031", "经理", KEHU_ID_TOP_DEPARTMENT,
                                                 NULL, KEHU_ID_ROLE_SALES_MANAGER);
  g_autofree char *rep = kehu_test_api_add_user (f->api, f->admin, "13900000032", "代表", KEHU_ID_TOP_DEPARTMENT,
                                                 mgr, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *mgr_token = kehu_test_api_login (f->api, "13900000031", KEHU_TEST_USER_PASSWORD);
  g_autofree char *rep_token = kehu_test_api_login (f->api, "13900000032", KEHU_TEST_USER_PASSWORD);
  g_autoptr(JsonObject) flow = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/approval-flows",
                                                     "{\"definition\":{\"name\":\"合同审批\",\"business_type\":\"contract\","
                                                     "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}}", 201);
  TestClient *r = test_client_new (f->api, f->dir, "rep", rep, rep_token);
  TestClient *m = test_client_new (f->api, f->dir, "mgr", mgr, mgr_token);
  g_autofree char *customer = test_client_create (r, "customers", "{\"name\":\"华信钢铁\"}");
  g_autofree char *body = g_strdup_printf ("{\"name\":\"年度供货合同\",\"customer_id\":\"%s\",\"amount\":15000000}", customer);
  g_autofree char *contract = test_client_create (r, "contracts", body);
  g_autofree char *status = NULL;
  g_autofree char *instance = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };

  test_client_sync (m, NULL);
  /* Offline: the contract and its submission, in that order. */
  json_object_set_string_member (args, "comment", "请审批");
  g_assert_true (kehu_sync_queue_action (r->ctx, "contracts", contract, "submit", args, &error));
  g_assert_no_error (error);
  test_client_sync (r, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  status = kehu_test_api_db_string (f->api, "SELECT approval_status FROM contracts");
  g_assert_cmpstr (status, ==, "pending");
  g_clear_pointer (&status, g_free);

  /* The representative cannot approve; the manager, waiting, can. */
  instance = kehu_test_api_db_string (f->api, "SELECT id FROM approval_instances");
  g_assert_true (kehu_sync_queue_action (r->ctx, "approval_instances", instance, "approve", NULL, &error));
  test_client_sync (r, &stats);
  g_assert_cmpuint (stats.rejected, ==, 1);
  kehu_sync_stats_clear (&stats);
  g_assert_true (kehu_sync_queue_action (m->ctx, "approval_instances", instance, "approve", args, &error));
  test_client_sync (m, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (stats.applied, ==, 1);
  kehu_sync_stats_clear (&stats);
  status = kehu_test_api_db_string (f->api, "SELECT approval_status FROM contracts");
  g_assert_cmpstr (status, ==, "approved");
  g_clear_pointer (&status, g_free);

  /* And the representative's cache learns it. */
  test_client_sync (r, NULL);
  status = test_client_value (r, "contracts", contract, "approval_status");
  g_assert_cmpstr (status, ==, "approved");

  test_client_free (r);
  test_client_free (m);
}

/* An attachment's contents go up with its op and come down on demand. */
static void
test_attachment_blob (Fixture       *f,
                      gconstpointer  data)
{
  TestClient *a = test_client_new (f->api, f->dir, "a", f->admin_id, f->admin);
  TestClient *b = test_client_new (f->api, f->dir, "b", f->admin_id, f->admin);
  const char *text = "名片：王老师 010-1234";
  g_autoptr(GBytes) contents = g_bytes_new_static (text, strlen (text));
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *customer = test_client_create (a, "customers", "{\"name\":\"北京大学\"}");
  g_autofree char *sha = kehu_sync_engine_add_blob (a->engine, contents, &error);
  g_autofree char *body = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *server_path = NULL;
  g_autofree char *prefix = NULL;

  g_assert_no_error (error);
  {
    g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, contents);
    g_assert_cmpstr (sha, ==, expected);
  }
  body = g_strdup_printf ("{\"target_module\":\"customers\",\"target_id\":\"%s\",\"name\":\"card.txt\","
                          "\"size\":%zu,\"sha256\":\"%s\"}", customer, strlen (text), sha);
  attachment = test_client_create (a, "attachments", body);
  test_client_sync (a, NULL);

  prefix = g_strndup (sha, 2);
  server_path = g_build_filename (f->api->server->data_dir, "blobs", prefix, sha, NULL);
  g_assert_true (g_file_test (server_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM attachments"), ==, 1);

  /* Both caches sit in one folder here (blobs are shared by content):
   * drop a's copy so that b has to download it. */
  {
    g_autofree char *dir = g_path_get_dirname (a->path);
    g_autofree char *local = g_build_filename (dir, "blobs", prefix, sha, NULL);

    g_assert_cmpint (g_unlink (local), ==, 0);
  }
  test_client_sync (b, NULL);
  g_assert_nonnull (test_client_value (b, "attachments", attachment, "sha256"));
  g_assert_cmpint (test_client_count (b, "SELECT COUNT(*) FROM blobs"), ==, 0);
  fetched = kehu_sync_engine_fetch_blob (b->engine, sha, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (fetched, contents));
  /* Cached: the next read needs no server. */
  g_assert_cmpint (test_client_count (b, "SELECT COUNT(*) FROM blobs"), ==, 1);

  test_client_free (a);
  test_client_free (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/merge/decide", test_merge_decide);
  g_test_add_func ("/sync/merge/fields", test_merge_fields);
  g_test_add_func ("/sync/outbox/order-and-coalesce", test_outbox);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/push/idempotent", test_idempotent);
  ADD ("/sync/push/rejected", test_rejected);
  ADD ("/sync/clients/two-converge", test_two_clients);
  ADD ("/sync/clients/same-field-conflict", test_conflict);
  ADD ("/sync/pull/scope", test_scope);
  ADD ("/sync/push/actions", test_actions);
  ADD ("/sync/push/pool-actions", test_pool_actions);
  ADD ("/sync/push/approval-actions", test_approval_actions);
  ADD ("/sync/push/attachment-blob", test_attachment_blob);
#undef ADD

  return g_test_run ();
}
