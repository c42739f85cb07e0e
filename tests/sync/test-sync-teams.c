/* test-sync-teams.c: records' teams (team_members) in client caches against a real kehu-server
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

  f->api = kehu_test_api_start (TRUE, NULL);
  f->dir = g_dir_make_tmp ("kehu-test-sync-teams-XXXXXX", &error);
  g_assert_no_error (error);
  f->admin = kehu_test_api_login (f->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  f->admin_id = kehu_test_api_db_string (f->api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
  f->mgr = kehu_test_api_add_user (f->api, f->admin, "13900000061", "王经理", KEHU_ID_TOP_DEPARTMENT,
                                   NULL, KEHU_ID_ROLE_SALES_MANAGER);
  f->rep = kehu_test_api_add_user (f->api, f->admin, "13900000062", "李代表", KEHU_ID_TOP_DEPARTMENT,
                                   f->mgr, KEHU_ID_ROLE_SALES_REP);
  f->other = kehu_test_api_add_user (f->api, f->admin, "13900000063", "赵代表", KEHU_ID_TOP_DEPARTMENT,
                                     f->mgr, KEHU_ID_ROLE_SALES_REP);
  f->mgr_token = kehu_test_api_login (f->api, "13900000061", KEHU_TEST_USER_PASSWORD);
  f->rep_token = kehu_test_api_login (f->api, "13900000062", KEHU_TEST_USER_PASSWORD);
  f->other_token = kehu_test_api_login (f->api, "13900000063", KEHU_TEST_USER_PASSWORD);
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

/* "user:access" of a record's team in the cache, by user id. */
static char *
cache_team (TestClient *client,
            const char *module,
            const char *record_id)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT user_id, access FROM team_members WHERE module = ?1 AND record_id = ?2"
                                           " ORDER BY user_id", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s%s:%s", out->len ? "," : "", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Every team row of the cache, whole, in key order. */
static char *
cache_all_teams (TestClient *client)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT module, record_id, user_id, access, added_at, IFNULL (added_by, '-')"
                                           " FROM team_members ORDER BY module, record_id, user_id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s|%s|%s|%s|%s|%s\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3),
                            sqlite3_column_text (stmt, 4), sqlite3_column_text (stmt, 5));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* What the user may do with the customer, by core's check on the cache. */
static KehuAccess
cache_access (TestClient *client,
              const char *customer)
{
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_sync_engine_get_store (client->engine);
  g_autoptr(KehuPerm) perm = kehu_perm_load (store, client->user_id, &error);
  g_autofree char *owner = test_client_value (client, "customers", customer, "owner_id");

  g_assert_no_error (error);
  return kehu_perm_check_record (perm, store, "customers", customer, owner);
}

static gint64
server_rev (Fixture    *f,
            const char *customer)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev FROM customers WHERE id = '%s'", customer);

  return kehu_test_api_db_int (f->api, sql);
}

static void
team_add (Fixture    *f,
          const char *customer,
          const char *user,
          const char *access)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s/team", customer);
  g_autofree char *body = g_strdup_printf ("{\"user_id\":\"%s\",\"access\":\"%s\"}", user, access);
  g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "POST", path, body, 200);
}

static void
team_remove (Fixture    *f,
             const char *customer,
             const char *user)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s/team/%s", customer, user);
  g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "DELETE", path, NULL, 200);
}

/* An administrator puts a representative on the team of another's
 * customer, changes the access, then takes the representative off. */
static void
test_add_remove (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *customer = kehu_test_api_create (f->api, f->other_token, "customers", "{\"name\":\"华信钢铁\"}");
  g_autofree char *own = kehu_test_api_create (f->api, f->rep_token, "customers", "{\"name\":\"东方电气\"}");
  g_autofree char *expected = NULL;
  g_autofree char *team = NULL;
  g_autofree char *name = NULL;
  TestClient *rep = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);
  TestClient *mgr = test_client_new (f->api, f->dir, "mgr", f->mgr, f->mgr_token);
  KehuSyncStats stats = { 0 };
  gint64 rev;

  test_client_sync (rep, NULL);
  test_client_sync (mgr, NULL);
  g_assert_null (test_client_value (rep, "customers", customer, "name"));
  g_assert_nonnull ((name = test_client_value (rep, "customers", own, "name")));
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 0);

  /* Adding a member is a change of the record: a new rev. */
  rev = server_rev (f, customer);
  team_add (f, customer, f->rep, "write");
  g_assert_cmpint (server_rev (f, customer), >, rev);
  rev = server_rev (f, customer);
  team_add (f, customer, f->mgr, "read");
  g_assert_cmpint (server_rev (f, customer), >, rev);

  test_client_sync (rep, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "customers"));
  kehu_sync_stats_clear (&stats);
  g_clear_pointer (&name, g_free);
  name = test_client_value (rep, "customers", customer, "name");
  g_assert_cmpstr (name, ==, "华信钢铁");
  team = cache_team (rep, "customers", customer);
  expected = g_strcmp0 (f->mgr, f->rep) < 0 ? g_strdup_printf ("%s:read,%s:write", f->mgr, f->rep)
                                            : g_strdup_printf ("%s:write,%s:read", f->rep, f->mgr);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (cache_access (rep, customer), ==, KEHU_ACCESS_WRITE);
  /* Only that record's team: the representative's own has none. */
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 2);

  /* A change of access only. */
  team_add (f, customer, f->rep, "read");
  test_client_sync (rep, NULL);
  g_clear_pointer (&team, g_free);
  g_clear_pointer (&expected, g_free);
  team = cache_team (rep, "customers", customer);
  expected = g_strcmp0 (f->mgr, f->rep) < 0 ? g_strdup_printf ("%s:read,%s:read", f->mgr, f->rep)
                                            : g_strdup_printf ("%s:read,%s:read", f->rep, f->mgr);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (cache_access (rep, customer), ==, KEHU_ACCESS_READ);

  /* Off the team: nothing else gives the representative the record, so
   * it comes as gone, and its team rows go with it. */
  rev = server_rev (f, customer);
  team_remove (f, customer, f->rep);
  g_assert_cmpint (server_rev (f, customer), >, rev);
  test_client_sync (rep, &stats);
  g_assert_cmpuint (stats.gone, ==, 1);
  kehu_sync_stats_clear (&stats);
  g_clear_pointer (&name, g_free);
  g_assert_null ((name = test_client_value (rep, "customers", customer, "name")));
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 0);
  g_assert_nonnull ((name = test_client_value (rep, "customers", own, "name")));

  /* The manager sees the record through the owner: it stays, with the
   * team as it is now (the removed member gone, the other kept). */
  test_client_sync (mgr, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "customers"));
  kehu_sync_stats_clear (&stats);
  g_clear_pointer (&team, g_free);
  g_clear_pointer (&expected, g_free);
  team = cache_team (mgr, "customers", customer);
  expected = g_strdup_printf ("%s:read", f->mgr);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (cache_access (mgr, customer), ==, KEHU_ACCESS_WRITE);

  /* The last member goes: the record stays, without a team. */
  team_remove (f, customer, f->mgr);
  test_client_sync (mgr, &stats);
  g_assert_true (kehu_sync_stats_has_module (&stats, "customers"));
  g_assert_cmpuint (stats.gone, ==, 0);
  kehu_sync_stats_clear (&stats);
  g_clear_pointer (&team, g_free);
  team = cache_team (mgr, "customers", customer);
  g_assert_cmpstr (team, ==, "");
  g_clear_pointer (&name, g_free);
  g_assert_nonnull ((name = test_client_value (mgr, "customers", customer, "name")));

  test_client_free (rep);
  test_client_free (mgr);
}

/* A transfer made on the server that keeps the old owner on the team. */
static void
test_transfer_keep (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *customer = kehu_test_api_create (f->api, f->other_token, "customers", "{\"name\":\"长江航运\"}");
  g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"],\"owner_id\":\"%s\",\"keep_team\":\"read\"}",
                                           customer, f->rep);
  g_autofree char *owner = NULL;
  g_autofree char *team = NULL;
  g_autofree char *expected = g_strdup_printf ("%s:read", f->other);
  g_autoptr(JsonObject) reply = NULL;
  TestClient *other = test_client_new (f->api, f->dir, "other", f->other, f->other_token);
  TestClient *rep = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);

  test_client_sync (other, NULL);
  test_client_sync (rep, NULL);
  g_assert_cmpint (cache_access (other, customer), ==, KEHU_ACCESS_WRITE);

  reply = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/customers/actions/transfer", body, 200);

  test_client_sync (other, NULL);
  owner = test_client_value (other, "customers", customer, "owner_id");
  g_assert_cmpstr (owner, ==, f->rep);
  team = cache_team (other, "customers", customer);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (cache_access (other, customer), ==, KEHU_ACCESS_READ);

  /* The new owner's cache has the same team. */
  test_client_sync (rep, NULL);
  g_clear_pointer (&team, g_free);
  team = cache_team (rep, "customers", customer);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (cache_access (rep, customer), ==, KEHU_ACCESS_WRITE);

  test_client_free (other);
  test_client_free (rep);
}

/* A first pull, over several pages, brings every team row the user may
 * see, as the server has them. */
static void
test_first_pull (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *server = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *rep_expected = NULL;
  g_autofree char *rep_cache = NULL;
  TestClient *admin, *rep;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"客户%u号\"}", i);

      g_ptr_array_add (customers, kehu_test_api_create (f->api, i % 2 ? f->other_token : f->mgr_token,
                                                        "customers", body));
    }
  for (guint i = 0; i < customers->len; i++)
    {
      if (i % 3 == 0)
        team_add (f, customers->pdata[i], f->rep, i % 2 ? "write" : "read");
      if (i % 4 == 0)
        team_add (f, customers->pdata[i], f->other, "write");
    }
  /* A team row on a record in the recycle bin comes with it too. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s", (char *) customers->pdata[6]);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "DELETE", path, NULL, 200);
  }

  server = kehu_test_api_db_string (f->api, "SELECT group_concat (line, char (10)) || char (10) FROM"
                                            " (SELECT module || '|' || record_id || '|' || user_id || '|' || access"
                                            "  || '|' || added_at || '|' || IFNULL (added_by, '-') AS line"
                                            "  FROM team_members ORDER BY module, record_id, user_id)");
  g_assert_nonnull (server);

  /* On the wire: each row once, though most records changed more than
   * once in the page's range. */
  {
    g_autoptr(JsonObject) page = kehu_test_api_expect (f->api, f->admin, "GET", "/api/v1/sync/pull?cursor=0&limit=1000",
                                                       NULL, 200);
    JsonArray *teams = json_object_get_array_member (page, "teams");
    JsonObject *row;

    g_assert_nonnull (teams);
    g_assert_cmpuint (json_array_get_length (teams), ==, 7);
    row = json_array_get_object_element (teams, 0);
    g_assert_cmpstr (json_object_get_string_member (row, "module"), ==, "customers");
    g_assert_cmpstr (json_object_get_string_member (row, "added_by"), ==, f->admin_id);
    g_assert_true (g_str_equal (json_object_get_string_member (row, "access"), "read") ||
                   g_str_equal (json_object_get_string_member (row, "access"), "write"));
  }

  admin = test_client_new (f->api, f->dir, "admin", f->admin_id, f->admin);
  kehu_sync_engine_set_batch (admin->engine, 100, 5);
  test_client_sync (admin, NULL);
  cache = cache_all_teams (admin);
  g_assert_cmpstr (cache, ==, server);
  /* 4 with the representative (0, 3, 6, 9), 3 with the other (0, 4, 8). */
  g_assert_cmpint (test_client_count (admin, "SELECT COUNT(*) FROM team_members"), ==, 7);

  /* The representative sees only the records it is on, with their teams. */
  rep_expected = kehu_test_api_db_string (f->api, "SELECT group_concat (line, char (10)) || char (10) FROM"
                                                  " (SELECT t.module || '|' || t.record_id || '|' || t.user_id || '|'"
                                                  "  || t.access || '|' || t.added_at || '|' || IFNULL (t.added_by, '-') AS line"
                                                  "  FROM team_members t WHERE t.record_id IN (SELECT record_id FROM team_members"
                                                  "  WHERE user_id = (SELECT id FROM users WHERE phone = '13900000062'))"
                                                  "  ORDER BY t.module, t.record_id, t.user_id)");
  rep = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);
  kehu_sync_engine_set_batch (rep->engine, 100, 3);
  test_client_sync (rep, NULL);
  rep_cache = cache_all_teams (rep);
  g_assert_cmpstr (rep_cache, ==, rep_expected);
  /* Record 0 has two members, 3, 6 and 9 one. */
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 5);

  test_client_free (admin);
  test_client_free (rep);
}

/* A reset (the user's role changed) pulls everything again: the team rows
 * the cache held go with the records, so none outlives a change made
 * meanwhile. */
static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *customer = kehu_test_api_create (f->api, f->other_token, "customers", "{\"name\":\"远洋物流\"}");
  g_autofree char *expected = NULL;
  g_autofree char *team = NULL;
  TestClient *rep = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);
  KehuSyncStats stats = { 0 };

  team_add (f, customer, f->rep, "write");
  team_add (f, customer, f->mgr, "read");
  test_client_sync (rep, NULL);
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 2);

  team_remove (f, customer, f->mgr);
  {
    g_autofree char *body = g_strdup_printf ("{\"role_ids\":[\"%s\"]}", KEHU_ID_ROLE_SALES_MANAGER);
    g_autofree char *path = g_strdup_printf ("/api/v1/users/%s", f->rep);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (f->api, f->admin, "PATCH", path, body, 200);
  }
  test_client_sync (rep, &stats);
  g_assert_true (stats.reset);
  kehu_sync_stats_clear (&stats);
  team = cache_team (rep, "customers", customer);
  expected = g_strdup_printf ("%s:write", f->rep);
  g_assert_cmpstr (team, ==, expected);
  g_assert_cmpint (test_client_count (rep, "SELECT COUNT(*) FROM team_members"), ==, 1);

  test_client_free (rep);
}

/* The manager puts the rep on a customer's team in the app while offline,
 * then takes the other rep off: both reach the server with the next push,
 * and the rep's cache gets the customer with the pull after it. */
static void
test_offline_edit (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *customer = kehu_test_api_create (f->api, f->other_token, "customers", "{\"name\":\"离线团队客户\"}");
  TestClient *m = test_client_new (f->api, f->dir, "mgr", f->mgr, f->mgr_token);
  TestClient *r = test_client_new (f->api, f->dir, "rep", f->rep, f->rep_token);
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };
  g_autofree char *expected = NULL;
  g_autofree char *after = NULL;

  team_add (f, customer, f->mgr, "read");
  test_client_sync (m, NULL);
  test_client_sync (r, NULL);
  g_assert_null (test_client_value (r, "customers", customer, "name"));

  /* Offline, through the rules the record page uses. */
  g_assert_true (kehu_context_begin (m->ctx, &error));
  g_assert_true (kehu_rules_add_team_member (m->ctx, "customers", customer, f->rep, "write", &error));
  g_assert_true (kehu_rules_remove_team_member (m->ctx, "customers", customer, f->mgr, NULL, &error));
  g_assert_true (kehu_context_commit (m->ctx, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_sync_is_pending (kehu_sync_engine_get_store (m->engine), "customers", customer));

  test_client_sync (m, &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT group_concat (user_id || ':' || access) FROM team_members"
                                            " WHERE module = 'customers' AND record_id = '%s'", customer);
    g_autofree char *on_server = kehu_test_api_db_string (f->api, sql);

    expected = g_strdup_printf ("%s:write", f->rep);
    g_assert_cmpstr (on_server, ==, expected);
  }
  test_client_sync (r, NULL);
  after = cache_team (r, "customers", customer);
  g_assert_cmpstr (after, ==, expected);
  g_assert_cmpint (cache_access (r, customer), ==, KEHU_ACCESS_WRITE);

  test_client_free (m);
  test_client_free (r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/teams/add-remove", test_add_remove);
  ADD ("/sync/teams/transfer-keep", test_transfer_keep);
  ADD ("/sync/teams/first-pull", test_first_pull);
  ADD ("/sync/teams/reset", test_reset);
  ADD ("/sync/teams/offline-edit", test_offline_edit);
#undef ADD

  return g_test_run ();
}
