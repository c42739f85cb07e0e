/* test-sync-pull.c: the pull page's one-pass reader, value by value
 *
 * The client reads pull pages with its own scanner and binds each value
 * straight into the cache. The reference here is SQLite's json_extract()
 * (what the cache held before) and the server's own record: every column
 * of every pulled record must come out with the same type and value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kehu-test-sync.h"

/* A cache store of its own, as the engine opens one. */
typedef struct
{
  char        *dir;
  KehuStore   *store;
  KehuSchema  *schema;
  KehuContext *ctx;
} Cache;

static Cache *
cache_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Cache *cache = g_new0 (Cache, 1);

  cache->dir = g_dir_make_tmp ("kehu-test-sync-pull-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (cache->dir, "cache.db", NULL);
  cache->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  cache->schema = kehu_schema_new (cache->store, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_store_exec (cache->store, "PRAGMA foreign_keys = OFF", &error));
  g_assert_true (kehu_sync_mark_cache (cache->store, &error));
  cache->ctx = kehu_context_new (cache->schema, "u1");
  return cache;
}

static void
cache_free (Cache *cache)
{
  g_clear_object (&cache->ctx);
  g_clear_object (&cache->schema);
  g_clear_object (&cache->store);
  kehu_test_rm_rf (cache->dir);
  g_free (cache->dir);
  g_free (cache);
}

static gboolean
apply (Cache      *cache,
       const char *page,
       guint      *pulled,
       guint      *gone,
       GError    **error)
{
  gboolean ok;

  g_assert_true (kehu_store_begin (cache->store, NULL));
  ok = kehu_sync_cache_apply_page (cache->ctx, page, strlen (page), pulled, gone, error);
  if (ok)
    g_assert_true (kehu_store_commit (cache->store, NULL));
  else
    kehu_store_rollback (cache->store);
  return ok;
}

/* Every column of the cached row against json_extract (@record, '$.col'):
 * same storage class, same value. Returns how many columns the record
 * named. */
static guint
assert_row_matches_json_extract (Cache      *cache,
                                 const char *module,
                                 const char *id,
                                 const char *record)
{
  sqlite3 *db = kehu_store_get_db (cache->store);
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?1", module);
  sqlite3_stmt *row = NULL;
  sqlite3_stmt *ref = NULL;
  guint named = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &row, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (row, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (row), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json_extract (?1, ?2), json_type (?1, ?2)", -1, &ref, NULL), ==, SQLITE_OK);
  for (int i = 0; i < sqlite3_column_count (row); i++)
    {
      const char *column = sqlite3_column_name (row, i);
      g_autofree char *path = g_strdup_printf ("$.%s", column);

      sqlite3_reset (ref);
      sqlite3_bind_text (ref, 1, record, -1, SQLITE_STATIC);
      sqlite3_bind_text (ref, 2, path, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (ref), ==, SQLITE_ROW);
      if (sqlite3_column_type (ref, 1) == SQLITE_NULL)
        continue;   /* no such member (json_type of a null is 'null') */
      named++;
      if (sqlite3_column_type (row, i) != sqlite3_column_type (ref, 0))
        g_error ("%s.%s: stored as SQLite type %d, json_extract gives %d", module, column,
                 sqlite3_column_type (row, i), sqlite3_column_type (ref, 0));
      switch (sqlite3_column_type (row, i))
        {
        case SQLITE_INTEGER:
          g_assert_cmpint (sqlite3_column_int64 (row, i), ==, sqlite3_column_int64 (ref, 0));
          break;
        case SQLITE_FLOAT:
          g_assert_cmpfloat (sqlite3_column_double (row, i), ==, sqlite3_column_double (ref, 0));
          break;
        case SQLITE_NULL:
          break;
        default:
          g_assert_cmpstr ((const char *) sqlite3_column_text (row, i), ==, (const char *) sqlite3_column_text (ref, 0));
          break;
        }
    }
  sqlite3_finalize (ref);
  sqlite3_finalize (row);
  return named;
}

static char *
cell (Cache      *cache,
      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (cache->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* Hand-written pages ------------------------------------------------------------ */

/* Members in an odd order, spaces, escapes of every kind, a surrogate
 * pair, raw Chinese, NULLs, booleans, the largest cents, nested JSON and a
 * member the client does not know. */
#define CUSTOMER \
  "{ \"remark\" : null, \"name\":\"A \\\"quoted\\\" \\\\ name\\n\\ttab \\u00e9\\u4e2d \\ud83d\\ude00 北京\"," \
  "\"id\":\"c1\",\"rev\":7,\"created_at\":\"2026-01-02T03:04:05Z\",\"updated_at\":\"2026-01-02T03:04:05Z\"," \
  "\"owner_id\":\"u1\",\"is_hot\":true,\"is_locked\":false,\"contract_total\":9223372036854775807," \
  "\"plan_total\":-9223372036854775808,\"received_total\":0,\"invoiced_total\":12345," \
  "\"tags\":[\"vip\",\"a \\\"b\\\"\",\"客户\"],\"extra\":{\"cf_size\":{\"n\":[1,2.5,-3e2]},\"cf_note\":\"x\\/y\"}," \
  "\"deal_status\":\"deal\",\"newer_server_field\":{\"ignored\":[true,null]},\"phone\":\"\",\"deleted_at\":null }"

#define CONTACT \
  "{\"id\":\"k1\",\"rev\":8,\"created_at\":\"2026-01-02T03:04:05Z\",\"updated_at\":\"2026-01-02T03:04:05Z\"," \
  "\"name\":\"王老师\",\"customer_id\":\"c1\",\"is_primary\":true,\"extra\":{}}"

static void
test_head (void)
{
  static const char page[] =
    " { \"total\" : 42 , \"changes\" : [ {\"record\":{\"a\":\"]}\\\"\"}} ] ,\"more\":true,"
    "\"approvals\":{\"changes\":[1,2]},\"cursor\":9007199254740993,\"epoch\":3,\"reset\":false } ";
  static const char * const damaged[] = {
    "", "{", "{\"changes\":", "{\"changes\":[}", "{\"cursor\":1}", "{\"changes\":{}}",
    "{\"changes\":[\"unterminated]}", "[]", "{\"changes\":[],}", "{\"changes\" [] }",
  };
  KehuSyncPage head;

  g_assert_true (kehu_sync_page_read_head (page, strlen (page), &head));
  g_assert_false (head.reset);
  g_assert_true (head.more);
  g_assert_cmpint (head.cursor, ==, G_GINT64_CONSTANT (9007199254740993));
  g_assert_cmpint (head.epoch, ==, 3);
  g_assert_cmpint (head.total, ==, 42);
  g_assert_cmpint (head.changes_length, ==, strlen ("[ {\"record\":{\"a\":\"]}\\\"\"}} ]"));
  g_assert_true (strncmp (head.changes, "[ {\"record\"", 11) == 0);

  g_assert_true (kehu_sync_page_read_head ("{\"reset\":true,\"changes\":[],\"cursor\":0}", 38, &head));
  g_assert_true (head.reset);
  g_assert_false (head.more);

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    if (kehu_sync_page_read_head (damaged[i], strlen (damaged[i]), &head))
      g_error ("“%s” was read as a page", damaged[i]);
}

static void
test_values (void)
{
  Cache *cache = cache_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *page = g_strdup_printf ("{\"changes\":[{\"rev\":7,\"module\":\"customers\",\"id\":\"c1\",\"record\":%s},"
                                           "{\"module\":\"contacts\",\"record\":%s,\"id\":\"k1\",\"rev\":8},"
                                           "{\"rev\":9,\"module\":\"no_such_module\",\"id\":\"x\",\"record\":{\"id\":\"x\"}},"
                                           "{\"rev\":10,\"module\":\"customers\",\"id\":\"c9\",\"gone\":true}],"
                                           "\"cursor\":10,\"more\":false,\"epoch\":0,\"total\":4}",
                                           CUSTOMER, CONTACT);
  guint pulled = 0, gone = 0;

  apply (cache, page, &pulled, &gone, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pulled, ==, 2);
  g_assert_cmpuint (gone, ==, 1);

  /* Against SQLite's reading of the same text, column by column. */
  g_assert_cmpuint (assert_row_matches_json_extract (cache, "customers", "c1", CUSTOMER), ==, 18);
  g_assert_cmpuint (assert_row_matches_json_extract (cache, "contacts", "k1", CONTACT), ==, 8);

  /* And against values written out by hand. */
  {
    g_autofree char *name = cell (cache, "SELECT name FROM customers WHERE id = 'c1'");
    g_autofree char *tags = cell (cache, "SELECT tags FROM customers WHERE id = 'c1'");
    g_autofree char *extra = cell (cache, "SELECT extra FROM customers WHERE id = 'c1'");
    g_autofree char *types = cell (cache, "SELECT typeof (remark) || ' ' || typeof (is_hot) || ' ' || typeof (contract_total)"
                                          " || ' ' || typeof (phone) FROM customers WHERE id = 'c1'");
    g_autofree char *cents = cell (cache, "SELECT contract_total || ' ' || plan_total || ' ' || is_hot || is_locked"
                                          " FROM customers WHERE id = 'c1'");

    g_assert_cmpstr (name, ==, "A \"quoted\" \\ name\n\ttab \xc3\xa9\xe4\xb8\xad \xf0\x9f\x98\x80 北京");
    g_assert_cmpstr (tags, ==, "[\"vip\",\"a \\\"b\\\"\",\"客户\"]");
    g_assert_cmpstr (extra, ==, "{\"cf_size\":{\"n\":[1,2.5,-3e2]},\"cf_note\":\"x\\/y\"}");
    g_assert_cmpstr (types, ==, "null integer integer text");
    g_assert_cmpstr (cents, ==, "9223372036854775807 -9223372036854775808 10");
  }

  /* A damaged page changes nothing and says so. */
  pulled = gone = 0;
  g_assert_false (apply (cache, "{\"changes\":[{\"module\":\"customers\",\"id\":\"c2\",\"record\":{\"id\":\"c2\",\"name\":tru}}]}",
                         &pulled, &gone, &error));
  g_assert_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (cell (cache, "SELECT id FROM customers WHERE id = 'c2'"));

  /* A known record goes through the column-by-column update. */
  pulled = 0;
  g_assert_true (apply (cache, "{\"changes\":[{\"module\":\"customers\",\"id\":\"c1\","
                               "\"record\":{\"id\":\"c1\",\"rev\":11,\"name\":\"New \\u0041\",\"is_hot\":false}}],"
                               "\"cursor\":11,\"more\":false}", &pulled, &gone, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pulled, ==, 1);
  {
    g_autofree char *row = cell (cache, "SELECT name || ' ' || is_hot || ' ' || rev || ' ' || contract_total FROM customers WHERE id = 'c1'");
    g_assert_cmpstr (row, ==, "New A 0 11 9223372036854775807");
  }
  cache_free (cache);
}

/* Through the real server ------------------------------------------------------- */

/* The cached column against the server's JSON value of the same field. */
static void
assert_column_is (TestClient *client,
                  const char *module,
                  const char *id,
                  const char *column,
                  JsonNode   *value)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1", column, module);
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  sqlite3_stmt *stmt = NULL;
  int type;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  type = sqlite3_column_type (stmt, 0);
  if (JSON_NODE_HOLDS_NULL (value))
    {
      if (type != SQLITE_NULL)
        g_error ("%s.%s: the server has null, the cache “%s”", module, column, sqlite3_column_text (stmt, 0));
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      g_assert_cmpint (type, ==, SQLITE_TEXT);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, json_node_get_string (value));
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    {
      g_assert_cmpint (type, ==, SQLITE_INTEGER);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, json_node_get_boolean (value) ? 1 : 0);
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    {
      g_assert_cmpint (type, ==, SQLITE_INTEGER);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, json_node_get_int (value));
    }
  else
    {
      /* Arrays and objects: as JSON text that means the same. */
      g_autoptr(JsonNode) cached = NULL;

      g_assert_cmpint (type, ==, SQLITE_TEXT);
      cached = json_from_string ((const char *) sqlite3_column_text (stmt, 0), NULL);
      g_assert_nonnull (cached);
      if (!json_node_equal (cached, value))
        g_error ("%s.%s: the cache has %s", module, column, sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
}

static void
assert_record_cached (TestClient *client,
                      JsonObject *record,
                      const char *module)
{
  const char *id = json_object_get_string_member (record, "id");
  g_autoptr(GList) members = json_object_get_members (record);
  KehuSchema *schema = kehu_context_get_schema (client->ctx);
  const KehuModule *m = kehu_schema_get_module (schema, module);
  guint compared = 0;

  for (GList *l = members; l; l = l->next)
    if (kehu_module_has_column (m, l->data))
      {
        assert_column_is (client, module, id, l->data, json_object_get_member (record, l->data));
        compared++;
      }
  g_assert_cmpuint (compared, >=, 20);
}

static void
cancel_progress_cb (guint    received,
                    guint    total,
                    gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static JsonObject *
server_record_of (KehuTestApi *api,
                  const char  *token,
                  const char  *module,
                  const char  *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/%s/%s", module, id);

  return kehu_test_api_expect (api, token, "GET", path, NULL, 200);
}

static void
test_through_server (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-sync-pull-XXXXXX", NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *admin_id = kehu_test_api_db_string (api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
  g_autofree char *customer = NULL;
  g_autofree char *contract = NULL;
  g_autofree char *contract_body = NULL;
  g_autoptr(JsonObject) server_customer = NULL;
  g_autoptr(JsonObject) server_contract = NULL;
  KehuSyncStats stats = { 0 };
  TestClient *client;

  customer = kehu_test_api_create (api, admin, "customers",
                                   "{\"name\":\"Ünïcode \\\"客户\\\" \\\\ \\ud83d\\ude00\\nline\",\"phone\":\"\","
                                   "\"tags\":[\"重要\",\"a\\\"b\"],\"is_hot\":true,\"hot_reason\":null,"
                                   "\"address\":\"tab\\there\",\"remark\":null,\"website\":\"https://x.example/a?b=c&d\"}");
  contract_body = g_strdup_printf ("{\"name\":\"大合同\",\"customer_id\":\"%s\",\"amount\":900000000000000001,"
                                   "\"signed_date\":\"2026-05-01\"}", customer);
  contract = kehu_test_api_create (api, admin, "contracts", contract_body);
  server_customer = server_record_of (api, admin, "customers", customer);
  server_contract = server_record_of (api, admin, "contracts", contract);
  g_assert_cmpint (json_object_get_int_member (server_contract, "amount"), ==, G_GINT64_CONSTANT (900000000000000001));

  client = test_client_new (api, dir, "c", admin_id, admin);
  kehu_sync_engine_set_batch (client->engine, 10, 1);   /* a page per record */

  /* Stopped after its first page (as a kill between two pages would):
   * the indexes are still put off, and the next pull makes them. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;

    kehu_sync_engine_set_progress (client->engine, cancel_progress_cb, cancellable);
    g_assert_false (kehu_sync_engine_pull (client->engine, &stats, cancellable, &error));
    g_assert_nonnull (error);
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                   g_error_matches (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CANCELLED));
    kehu_sync_stats_clear (&stats);
    kehu_sync_engine_set_progress (client->engine, NULL, NULL);
    g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'customers_name'"), ==, 0);
    g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM kehu_meta WHERE key = 'sync.deferred_index.customers_name'"), ==, 1);
    /* So are the per-day report totals' triggers. */
    g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE name GLOB 'report_days_*'"), ==, 0);
    g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM kehu_meta WHERE key = 'sync.deferred_index.report_days_customers_insert'"), ==, 1);
    /* UNIQUE indexes are constraints: never put off. */
    g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'contracts_number'"), ==, 1);
  }
  test_client_sync (client, &stats);
  g_assert_cmpuint (stats.pulled, >=, 2);
  kehu_sync_stats_clear (&stats);

  assert_record_cached (client, server_customer, "customers");
  assert_record_cached (client, server_contract, "contracts");

  /* Pulled without the search triggers and with the indexes put off:
   * both are back, and search finds the record. */
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'customers_name'"), ==, 1);
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'customers_fts_insert'"), ==, 1);
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM kehu_meta WHERE key LIKE 'sync.deferred_index.%'"), ==, 0);
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM customers_fts WHERE customers_fts MATCH 'words:客'"), ==, 1);
  /* The report totals' triggers are back (3 per summed module) and the
   * totals add up to the pulled rows. */
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'report_days_*'"), ==, 18);
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"), >=, 1);
  g_assert_cmpint (test_client_count (client, "SELECT COALESCE (SUM (n), 0) FROM report_days WHERE module = 'customers'"), ==,
                   test_client_count (client, "SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL"));

  test_client_free (client);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/page/head", test_head);
  g_test_add_func ("/sync/page/values", test_values);
  g_test_add_func ("/sync/page/through-server", test_through_server);

  return g_test_run ();
}
