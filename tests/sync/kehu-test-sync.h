/* kehu-test-sync.h: client caches against a real kehu-server, for the sync suite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-core.h"
#include "kehu-test-api.h"

G_BEGIN_DECLS

typedef struct
{
  KehuSyncEngine *engine;
  KehuContext    *ctx;
  char           *path;
  char           *user_id;
  char           *token;
} TestClient;

static inline TestClient *
test_client_new (KehuTestApi *api,
                 const char  *dir,
                 const char  *name,
                 const char  *user_id,
                 const char  *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  TestClient *client = g_new0 (TestClient, 1);

  client->path = g_build_filename (dir, file, NULL);
  client->user_id = g_strdup (user_id);
  client->token = g_strdup (token);
  client->engine = kehu_sync_engine_new (client->path, api->server->base_url, user_id, &error);
  g_assert_no_error (error);
  kehu_sync_engine_set_token (client->engine, token);
  client->ctx = kehu_sync_engine_get_context (client->engine);
  return client;
}

static inline void
test_client_free (TestClient *client)
{
  g_clear_object (&client->engine);
  g_free (client->path);
  g_free (client->user_id);
  g_free (client->token);
  g_free (client);
}

/* Points the engine at another server address (a restarted server). */
static inline void
test_client_reopen (TestClient  *client,
                    KehuTestApi *api)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&client->engine);
  client->engine = kehu_sync_engine_new (client->path, api->server->base_url, client->user_id, &error);
  g_assert_no_error (error);
  kehu_sync_engine_set_token (client->engine, client->token);
  client->ctx = kehu_sync_engine_get_context (client->engine);
}

static inline void
test_client_sync (TestClient    *client,
                  KehuSyncStats *out)
{
  g_autoptr(GError) error = NULL;
  KehuSyncStats stats = { 0 };

  kehu_sync_engine_run (client->engine, &stats, NULL, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = stats;
  else
    kehu_sync_stats_clear (&stats);
}

static inline char *
test_client_create (TestClient *client,
                    const char *module,
                    const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  char *id;

  g_assert_no_error (error);
  id = kehu_record_create (client->ctx, module, json_node_get_object (node), &error);
  g_assert_no_error (error);
  return id;
}

static inline void
test_client_update (TestClient *client,
                    const char *module,
                    const char *id,
                    const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  kehu_record_update (client->ctx, module, id, json_node_get_object (node), &error);
  g_assert_no_error (error);
}

/* The cache's value of one column, as text (NULL for none or no row). */
static inline char *
test_client_value (TestClient *client,
                   const char *module,
                   const char *id,
                   const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1", column, module);
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static inline gint64
test_client_count (TestClient *client,
                   const char *sql)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* "id|name|phone|owner|deleted" of every customer, in id order. */
static inline char *
test_client_customers (TestClient *client)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT id, name, IFNULL (phone, ''), IFNULL (owner_id, ''),"
                                       " deleted_at IS NOT NULL, rev FROM customers ORDER BY id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s|%s|%s|%s|%d|%lld\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3),
                            sqlite3_column_int (stmt, 4), (long long) sqlite3_column_int64 (stmt, 5));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The same listing read from the server's database file. */
static inline char *
test_server_customers (KehuTestApi *api,
                       const char  *owner_filter)
{
  g_autofree char *path = g_build_filename (api->server->data_dir, "kehu.db", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT id, name, IFNULL (phone, ''), IFNULL (owner_id, ''),"
                                          " deleted_at IS NOT NULL, rev FROM customers %s ORDER BY id",
                                          owner_filter ? owner_filter : "");
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s|%s|%s|%s|%d|%lld\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3),
                            sqlite3_column_int (stmt, 4), (long long) sqlite3_column_int64 (stmt, 5));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

G_END_DECLS
