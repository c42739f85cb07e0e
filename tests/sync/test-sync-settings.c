/* test-sync-settings.c: the settings tables come with the pull
 *
 * Dictionaries and their items, custom fields, stages, users' roles and the
 * pools' members, rules and claim limits are not records: the last page of
 * a pull carries all their rows when the client holds another settings
 * revision. Against a real kehu-server: changes an administrator makes
 * through the REST routes (and one written straight into the server's
 * database, as a job would) reach a plain rep's cache, deleted rows
 * included; every table of the cache ends equal, row for row, to the
 * server's; an unchanged revision brings no snapshot (checked on the raw
 * reply); a pulled claim limit is what the cache's pool rules enforce.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kehu-test-sync.h"

typedef struct
{
  KehuTestApi *api;
  char        *dir;
  char        *admin;       /* token */
  char        *rep_id;
  char        *rep;         /* token */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->api = kehu_test_api_start (TRUE, NULL);
  f->dir = g_dir_make_tmp ("kehu-test-sync-settings-XXXXXX", &error);
  g_assert_no_error (error);
  f->admin = kehu_test_api_login (f->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  f->rep_id = kehu_test_api_add_user (f->api, f->admin, "13900000061", "设置代表", KEHU_ID_TOP_DEPARTMENT,
                                      NULL, KEHU_ID_ROLE_SALES_REP);
  f->rep = kehu_test_api_login (f->api, "13900000061", KEHU_TEST_USER_PASSWORD);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kehu_test_api_free (f->api);
  kehu_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->admin);
  g_free (f->rep_id);
  g_free (f->rep);
}

/* Every row of @table as text, in a fixed order, made by the same SQL on
 * the server's database and on the cache. */
static char *
digest_sql (TestClient *client,
            const char *table)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  g_autoptr(GString) row = g_string_new (NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT name FROM pragma_table_info ('%s') ORDER BY cid", table);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (row, "%squote (%s)", row->len ? " || '|' || " : "", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmpuint (row->len, >, 0);
  return g_strdup_printf ("SELECT coalesce (group_concat (r, char (10)), '') FROM"
                          " (SELECT %s AS r FROM %s ORDER BY r)", row->str, table);
}

static char *
cache_string (TestClient *client,
              const char *sql)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* Each settings table of the cache holds exactly the server's rows. */
static void
assert_tables_equal (Fixture    *f,
                     TestClient *client)
{
  const char * const tables[] = {
    "dictionaries", "dictionary_items", "custom_fields", "stages", "user_roles",
    "pool_members", "pool_rules", "pool_claim_limits", NULL,
  };

  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = digest_sql (client, tables[i]);
      g_autofree char *on_server = kehu_test_api_db_string (f->api, sql);
      g_autofree char *cached = cache_string (client, sql);

      g_test_message ("%s: %zu bytes", tables[i], strlen (on_server ? on_server : ""));
      g_assert_cmpstr (cached, ==, on_server);
    }
}

static gint64
cache_int (TestClient *client,
           const char *sql)
{
  return test_client_count (client, sql);
}

static gint64
held_rev (TestClient *client)
{
  g_autofree char *value = cache_string (client, "SELECT value FROM kehu_meta WHERE key = 'sync.settings_rev'");

  return value ? g_ascii_strtoll (value, NULL, 10) : -1;
}

static gboolean
stats_touch_settings (KehuSyncStats *stats)
{
  const char * const tables[] = {
    "dictionaries", "dictionary_items", "custom_fields", "stages", "user_roles",
    "pool_members", "pool_rules", "pool_claim_limits", NULL,
  };

  for (guint i = 0; tables[i] != NULL; i++)
    if (kehu_sync_stats_has_module (stats, tables[i]))
      return TRUE;
  return FALSE;
}

/* The raw reply of a pull. */
static JsonObject *
raw_pull (Fixture    *f,
          const char *query)
{
  g_autofree char *path = g_strconcat ("/api/v1/sync/pull?", query, NULL);

  return kehu_test_api_expect (f->api, f->rep, "GET", path, NULL, 200);
}

static void
put_items (Fixture    *f,
           const char *what,
           const char *items)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/pools/%s/%s", KEHU_ID_DEFAULT_POOL, what);
  g_autofree char *body = g_strdup_printf ("{\"items\":%s}", items);
  g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "PUT", path, body, 200);
}

static void
test_changes_and_deletions (Fixture       *f,
                            gconstpointer  data)
{
  TestClient *c = test_client_new (f->api, f->dir, "rep", f->rep_id, f->rep);
  g_autoptr(JsonObject) dictionary = NULL;
  g_autoptr(JsonObject) field = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *items_path = NULL;
  g_autofree char *field_path = NULL;
  g_autofree char *user_path = NULL;
  g_autofree char *stage_path = g_strdup ("/api/v1/stages/" KEHU_ID_STAGE_NEGOTIATION);
  KehuSyncStats stats = { 0 };
  const char *dictionary_id;
  g_autofree char *field_id = NULL;
  gint64 rev_before;

  /* Settings as they are before the rep's first pull. */
  dictionary = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/dictionaries", "{\"name\":\"开户行\"}", 201);
  dictionary_id = json_object_get_string_member (dictionary, "id");
  items_path = g_strdup_printf ("/api/v1/dictionaries/%s/items", dictionary_id);
  g_clear_pointer (&item, json_object_unref);
  item = kehu_test_api_expect (f->api, f->admin, "POST", items_path, "{\"label\":\"工商银行\"}", 201);
  field = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/custom-fields",
                                "{\"module\":\"customers\",\"type\":\"text\",\"label\":\"税号\"}", 201);
  field_id = g_strdup (json_object_get_string_member (field, "id"));
  field_path = g_strdup_printf ("/api/v1/custom-fields/%s", field_id);
  user_path = g_strdup_printf ("/api/v1/users/%s", f->rep_id);
  put_items (f, "rules", "[{\"customer_level\":null,\"no_followup_days\":30}]");
  put_items (f, "claim-limits", "[{\"role_id\":\"" KEHU_ID_ROLE_SALES_REP "\",\"per_day\":5}]");
  {
    g_autofree char *members = g_strdup_printf ("[{\"member_type\":\"user\",\"member_id\":\"%s\"},"
                                                "{\"member_type\":\"department\",\"member_id\":\"%s\"}]",
                                                f->rep_id, KEHU_ID_TOP_DEPARTMENT);
    put_items (f, "members", members);
  }

  test_client_sync (c, &stats);
  g_assert_true (stats_touch_settings (&stats));
  kehu_sync_stats_clear (&stats);
  g_assert_cmpint (held_rev (c), ==, kehu_test_api_db_int (f->api, "SELECT rev FROM settings_rev"));
  assert_tables_equal (f, c);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM dictionary_items WHERE label = '工商银行'"), ==, 1);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM pool_members WHERE member_type = 'user'"), ==, 1);
  g_assert_cmpint (cache_int (c, "SELECT no_followup_days FROM pool_rules WHERE customer_level IS NULL"), ==, 30);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM stages WHERE id = '" KEHU_ID_STAGE_NEGOTIATION "'"), ==, 1);

  /* Nothing changed in settings: the next pull brings no snapshot and
   * touches none of the tables. */
  rev_before = held_rev (c);
  test_client_sync (c, &stats);
  g_assert_false (stats_touch_settings (&stats));
  kehu_sync_stats_clear (&stats);
  g_assert_cmpint (held_rev (c), ==, rev_before);

  /* The administrator changes them all. */
  g_clear_pointer (&item, json_object_unref);
  item = kehu_test_api_expect (f->api, f->admin, "POST", items_path, "{\"label\":\"建设银行\"}", 201);
  {
    g_autoptr(JsonObject) renamed = kehu_test_api_expect (f->api, f->admin, "PATCH", field_path,
                                                          "{\"label\":\"纳税人识别号\"}", 200);
  }
  {
    guint status = 0;
    g_autoptr(JsonNode) gone = kehu_test_api_call (f->api, f->admin, "DELETE", stage_path, NULL, &status);

    g_assert_cmpuint (status, >=, 200);
    g_assert_cmpuint (status, <, 300);
  }
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT count (*) FROM stages WHERE id = '" KEHU_ID_STAGE_NEGOTIATION "'"), ==, 0);
  put_items (f, "rules", "[{\"customer_level\":null,\"no_followup_days\":45,\"no_deal_days\":90}]");
  put_items (f, "claim-limits", "[{\"role_id\":\"" KEHU_ID_ROLE_SALES_REP "\",\"per_day\":2,\"per_week\":6}]");
  {
    g_autoptr(JsonObject) user = kehu_test_api_expect (f->api, f->admin, "PATCH", user_path,
                                                       "{\"role_ids\":[\"" KEHU_ID_ROLE_SALES_MANAGER "\"]}", 200);
  }
  put_items (f, "members", "[{\"member_type\":\"department\",\"member_id\":\"" KEHU_ID_TOP_DEPARTMENT "\"}]");
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT rev FROM settings_rev"), >, rev_before);

  test_client_sync (c, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "dictionary_items"));
  g_assert_true (kehu_sync_stats_has_module (&stats, "custom_fields"));
  g_assert_true (kehu_sync_stats_has_module (&stats, "stages"));
  g_assert_true (kehu_sync_stats_has_module (&stats, "pool_members"));
  g_assert_true (kehu_sync_stats_has_module (&stats, "user_roles"));
  kehu_sync_stats_clear (&stats);
  /* Each change, checked against what was asked for… */
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM dictionary_items WHERE label IN ('工商银行', '建设银行')"), ==, 2);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT label FROM custom_fields WHERE id = '%s'", field_id);
    g_autofree char *label = cache_string (c, sql);

    g_assert_cmpstr (label, ==, "纳税人识别号");
  }
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM stages WHERE id = '" KEHU_ID_STAGE_NEGOTIATION "'"), ==, 0);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM stages WHERE id = '" KEHU_ID_STAGE_PROPOSAL "'"), ==, 1);
  g_assert_cmpint (cache_int (c, "SELECT no_followup_days * 1000 + no_deal_days FROM pool_rules"
                                 " WHERE pool_id = '" KEHU_ID_DEFAULT_POOL "' AND customer_level IS NULL"), ==, 45090);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM pool_rules WHERE pool_id = '" KEHU_ID_DEFAULT_POOL "'"), ==, 1);
  g_assert_cmpint (cache_int (c, "SELECT per_day * 100 + per_week FROM pool_claim_limits"
                                 " WHERE role_id = '" KEHU_ID_ROLE_SALES_REP "'"), ==, 206);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT group_concat (role_id) FROM user_roles WHERE user_id = '%s'", f->rep_id);
    g_autofree char *roles = cache_string (c, sql);

    g_assert_cmpstr (roles, ==, KEHU_ID_ROLE_SALES_MANAGER);
  }
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM pool_members WHERE member_type = 'user'"), ==, 0);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM pool_members WHERE member_type = 'department'"), ==, 1);
  /* … and every table against the server's, row for row. */
  assert_tables_equal (f, c);
  g_assert_cmpint (held_rev (c), ==, kehu_test_api_db_int (f->api, "SELECT rev FROM settings_rev"));

  test_client_free (c);
}

/* The raw replies: a snapshot only when the revisions differ, and only on
 * the page that ends the pull. */
static void
test_raw_replies (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *manager = kehu_test_api_add_user (f->api, f->admin, "13900000062", "经理", KEHU_ID_TOP_DEPARTMENT,
                                                     NULL, KEHU_ID_ROLE_SALES_MANAGER);
  gint64 rev = kehu_test_api_db_int (f->api, "SELECT rev FROM settings_rev");
  gint64 max = kehu_test_api_db_int (f->api, "SELECT max (rev) FROM sync_changes");
  g_autofree char *at_head = g_strdup_printf ("cursor=%" G_GINT64_FORMAT, max);
  g_autofree char *same = g_strdup_printf ("cursor=%" G_GINT64_FORMAT "&settings_rev=%" G_GINT64_FORMAT, max, rev);
  g_autofree char *older = g_strdup_printf ("cursor=%" G_GINT64_FORMAT "&settings_rev=%" G_GINT64_FORMAT, max, rev - 1);
  g_autofree char *first_page = g_strdup_printf ("cursor=0&limit=1&settings_rev=%" G_GINT64_FORMAT, rev - 1);
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *settings;

  g_assert_cmpint (max, >, 1);
  reply = raw_pull (f, same);
  g_assert_false (json_object_get_boolean_member (reply, "more"));
  g_assert_false (json_object_has_member (reply, "settings"));
  g_clear_pointer (&reply, json_object_unref);

  reply = raw_pull (f, at_head);
  g_assert_true (json_object_has_member (reply, "settings"));
  g_clear_pointer (&reply, json_object_unref);

  reply = raw_pull (f, older);
  g_assert_true (json_object_has_member (reply, "settings"));
  settings = json_object_get_object_member (reply, "settings");
  g_assert_cmpint (json_object_get_int_member (settings, "rev"), ==, rev);
  {
    JsonObject *tables = json_object_get_object_member (settings, "tables");
    JsonArray *stages = json_object_get_array_member (tables, "stages");
    JsonArray *roles = json_object_get_array_member (tables, "user_roles");

    g_assert_cmpuint (json_object_get_size (tables), ==, 8);
    g_assert_cmpint (json_array_get_length (stages), ==, kehu_test_api_db_int (f->api, "SELECT count (*) FROM stages"));
    gboolean managers = FALSE;

    /* Every user's roles: the rep sees the manager's too. */
    g_assert_cmpint (json_array_get_length (roles), ==, kehu_test_api_db_int (f->api, "SELECT count (*) FROM user_roles"));
    for (guint i = 0; i < json_array_get_length (roles); i++)
      {
        JsonObject *row = json_array_get_object_element (roles, i);

        if (g_strcmp0 (json_object_get_string_member (row, "user_id"), manager) == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (row, "role_id"), ==, KEHU_ID_ROLE_SALES_MANAGER);
            managers = TRUE;
          }
      }
    g_assert_true (managers);
    g_assert_true (json_object_has_member (json_array_get_object_element (stages, 0), "win_rate"));
  }
  g_clear_pointer (&reply, json_object_unref);

  /* A page with more to come carries none. */
  reply = raw_pull (f, first_page);
  g_assert_true (json_object_get_boolean_member (reply, "more"));
  g_assert_false (json_object_has_member (reply, "settings"));
  g_clear_pointer (&reply, json_object_unref);

  /* A change made straight in the database (a job, another process)
   * counts as well: the triggers bump the revision. */
  kehu_test_api_db_exec (f->api, "UPDATE stages SET win_rate = 55 WHERE id = '" KEHU_ID_STAGE_PROPOSAL "'");
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT rev FROM settings_rev"), ==, rev + 1);
  reply = raw_pull (f, same);
  g_assert_true (json_object_has_member (reply, "settings"));
}

/* A dictionary of a thousand items comes whole, in a pull of small pages. */
static void
test_large_dictionary (Fixture       *f,
                       gconstpointer  data)
{
  TestClient *c = test_client_new (f->api, f->dir, "rep", f->rep_id, f->rep);
  g_autoptr(JsonObject) dictionary = NULL;
  g_autofree char *insert = NULL;
  const char *dictionary_id;

  dictionary = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/dictionaries", "{\"name\":\"城市\"}", 201);
  dictionary_id = json_object_get_string_member (dictionary, "id");
  insert = g_strdup_printf ("WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                            " INSERT INTO dictionary_items (id, dictionary_id, value, label, position)"
                            " SELECT printf ('city-%%04d', i), '%s', printf ('c%%d', i), printf ('城市 %%d', i), i FROM n",
                            dictionary_id);
  kehu_test_api_db_exec (f->api, insert);
  kehu_sync_engine_set_batch (c->engine, 100, 3);

  test_client_sync (c, NULL);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM dictionary_items WHERE dictionary_id = '%s'",
                                            dictionary_id);

    g_assert_cmpint (cache_int (c, sql), ==, 1000);
  }
  g_assert_cmpint (cache_int (c, "SELECT position FROM dictionary_items WHERE id = 'city-0777'"), ==, 777);
  assert_tables_equal (f, c);

  /* Half of them go on the server: they go in the cache too. */
  kehu_test_api_db_exec (f->api, "DELETE FROM dictionary_items WHERE id LIKE 'city-%' AND position % 2 = 0");
  test_client_sync (c, NULL);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM dictionary_items WHERE id LIKE 'city-%'"), ==, 500);
  g_assert_cmpint (cache_int (c, "SELECT count (*) FROM dictionary_items WHERE id = 'city-0778'"), ==, 0);
  assert_tables_equal (f, c);

  test_client_free (c);
}

/* The claim limit the cache's pool rules enforce is the pulled one. */
static void
test_claim_limit_offline (Fixture       *f,
                          gconstpointer  data)
{
  TestClient *c = test_client_new (f->api, f->dir, "rep", f->rep_id, f->rep);
  g_autofree char *first = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"公海一\"}");
  g_autofree char *second = kehu_test_api_create (f->api, f->admin, "customers", "{\"name\":\"公海二\"}");
  g_autoptr(KehuPerm) perm = NULL;
  g_autoptr(GError) error = NULL;
  KehuPoolLimitInfo info = { 0 };
  const char *first_ids[] = { first, NULL };
  const char *second_ids[] = { second, NULL };

  {
    g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\",\"%s\"],\"reason\":\"无人跟进\"}", first, second);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/customers/actions/return", body, 200);
  }
  put_items (f, "claim-limits", "[{\"role_id\":\"" KEHU_ID_ROLE_SALES_REP "\",\"per_day\":2}]");
  test_client_sync (c, NULL);

  perm = kehu_perm_load (kehu_sync_engine_get_store (c->engine), f->rep_id, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_pool_claim (c->ctx, perm, first_ids, NULL, &error));
  g_assert_no_error (error);

  /* The server lowers the limit to one a day; the cache learns it with
   * the pull (the claim above is pushed by the same sync). With the old
   * limit of two, the second claim would pass. */
  put_items (f, "claim-limits", "[{\"role_id\":\"" KEHU_ID_ROLE_SALES_REP "\",\"per_day\":1}]");
  test_client_sync (c, NULL);
  g_assert_cmpint (cache_int (c, "SELECT per_day FROM pool_claim_limits WHERE role_id = '" KEHU_ID_ROLE_SALES_REP "'"), ==, 1);

  g_assert_false (kehu_pool_claim (c->ctx, perm, second_ids, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT);
  g_assert_cmpstr (info.limit, ==, "day");
  g_assert_cmpint (info.max, ==, 1);
  kehu_pool_limit_info_clear (&info);

  test_client_free (c);
}

/* The client's replacing, without a server: a swap of a unique value
 * between two rows, a table the snapshot leaves out, a stage whose group
 * the cache lacks. */
static void
test_apply_edges (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-sync-settings-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(KehuStore) store = kehu_store_open (path, &error);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  gint64 rev = 0;
  const char *before =
    "{\"rev\":7,\"tables\":{\"dictionaries\":[{\"id\":\"d\",\"rev\":0,\"created_at\":\"x\",\"updated_at\":\"x\","
    "\"name\":\"D\",\"is_system\":0}],\"dictionary_items\":["
    "{\"id\":\"a\",\"dictionary_id\":\"d\",\"value\":\"x\",\"label\":\"A\",\"position\":1,\"is_enabled\":1},"
    "{\"id\":\"b\",\"dictionary_id\":\"d\",\"value\":\"y\",\"label\":\"B\",\"position\":2,\"is_enabled\":1}]}}";
  const char *after =
    "{\"rev\":8,\"tables\":{\"dictionary_items\":["
    "{\"id\":\"a\",\"dictionary_id\":\"d\",\"value\":\"y\",\"label\":\"A\",\"position\":1,\"is_enabled\":1},"
    "{\"id\":\"b\",\"dictionary_id\":\"d\",\"value\":\"x\",\"label\":\"B\",\"position\":2,\"is_enabled\":0}],"
    "\"stages\":[{\"id\":\"s\",\"group_id\":\"no-such-group\",\"name\":\"S\",\"win_rate\":10,\"position\":1,\"kind\":\"open\"}]}}";
  gint64 n_stages;

  g_assert_no_error (error);
  g_assert_true (kehu_store_begin (store, &error));
  g_assert_true (kehu_sync_cache_apply_settings (store, before, strlen (before), &rev, changed, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_store_commit (store, &error));
  g_assert_cmpint (rev, ==, 7);
  g_assert_cmpuint (changed->len, ==, 2);
  g_ptr_array_set_size (changed, 0);

  g_assert_true (kehu_store_begin (store, &error));
  g_assert_true (kehu_sync_cache_apply_settings (store, after, strlen (after), &rev, changed, &error));
  g_assert_no_error (error);
  /* The foreign keys hold at commit: the orphan stage was dropped. */
  g_assert_true (kehu_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, 8);

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "SELECT group_concat (id || value || is_enabled, ',') FROM"
                                       " (SELECT * FROM dictionary_items WHERE dictionary_id = 'd' ORDER BY id)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ay1,bx0");
  sqlite3_finalize (stmt);
  /* Left out of the snapshot: the dictionary stays. All stages went: the
   * snapshot's own (no group here) and the seeded ones it did not list. */
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "SELECT (SELECT count (*) FROM dictionaries WHERE id = 'd'), (SELECT count (*) FROM stages)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  n_stages = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  g_assert_cmpint (n_stages, ==, 0);
  g_assert_true (g_ptr_array_find_with_equal_func (changed, "stages", g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (changed, "dictionaries", g_str_equal, NULL));

  /* Not a snapshot: refused, nothing written. */
  g_assert_true (kehu_store_begin (store, &error));
  {
    const char *not_snapshot = "{\"tables\":{}}";

    g_assert_false (kehu_sync_cache_apply_settings (store, not_snapshot, strlen (not_snapshot), &rev, NULL, &error));
  }
  g_assert_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL);
  kehu_store_rollback (store);

  g_clear_object (&store);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/settings/changes-and-deletions", test_changes_and_deletions);
  ADD ("/sync/settings/raw-replies", test_raw_replies);
  ADD ("/sync/settings/large-dictionary", test_large_dictionary);
  ADD ("/sync/settings/claim-limit-offline", test_claim_limit_offline);
#undef ADD
  g_test_add_func ("/sync/settings/apply-edges", test_apply_edges);

  return g_test_run ();
}
