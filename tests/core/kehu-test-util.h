/* kehu-test-util.h: a fresh store in a temporary folder for core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>

#include "kehu-core.h"

#define TEST_USER_1 "10000000-0000-4000-8000-000000000001"
#define TEST_USER_2 "10000000-0000-4000-8000-000000000002"
#define TEST_USER_3 "10000000-0000-4000-8000-000000000003"
#define TEST_NOW    "2026-03-15T10:00:00Z"

typedef struct
{
  char        *dir;
  char        *path;
  KehuStore   *store;
  KehuSchema  *schema;
  KehuContext *ctx;
} KehuFixture;

static inline void
kehu_test_remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}

static inline gint64
kehu_test_query_int (KehuStore  *store,
                     const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 result = -1;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (kehu_store_get_db (store)));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return result;
}

static inline char *
kehu_test_query_text (KehuStore  *store,
                      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (kehu_store_get_db (store)));
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

static inline void
kehu_test_set_now (KehuFixture *f,
                   const char  *iso)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (now);
  kehu_context_set_now (f->ctx, now);
}

static inline void
kehu_fixture_set_up (KehuFixture   *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");

  f->dir = g_dir_make_tmp ("kehu-test-core-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "kehu.db", NULL);
  f->store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  f->schema = kehu_schema_new (f->store, &error);
  g_assert_no_error (error);
  f->ctx = kehu_context_new (f->schema, TEST_USER_1);
  g_assert_nonnull (tz);
  kehu_context_set_time_zone (f->ctx, tz);
  kehu_test_set_now (f, TEST_NOW);

  g_assert_true (kehu_store_exec (f->store,
    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id, is_super_admin) VALUES"
    " ('" TEST_USER_1 "', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '13800000000', '张三', '" KEHU_ID_TOP_DEPARTMENT "', 1),"
    " ('" TEST_USER_2 "', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '13800000001', '李四', '" KEHU_ID_TOP_DEPARTMENT "', 0),"
    " ('" TEST_USER_3 "', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '13800000002', '王五', '" KEHU_ID_TOP_DEPARTMENT "', 0)",
    &error));
  g_assert_no_error (error);
}

static inline void
kehu_fixture_tear_down (KehuFixture   *f,
                        gconstpointer  data)
{
  g_clear_object (&f->ctx);
  g_clear_object (&f->schema);
  g_clear_object (&f->store);
  kehu_test_remove_db (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

#define KEHU_TEST_ADD(path, func) \
  g_test_add (path, KehuFixture, NULL, kehu_fixture_set_up, func, kehu_fixture_tear_down)

/* Builds a JsonObject from a JSON literal. */
static inline JsonObject *
kehu_test_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static inline char *
kehu_test_create (KehuFixture *f,
                  const char  *module,
                  const char  *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = kehu_test_object (json);
  char *id = kehu_record_create (f->ctx, module, fields, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static inline void
kehu_test_update (KehuFixture *f,
                  const char  *module,
                  const char  *id,
                  const char  *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = kehu_test_object (json);

  g_assert_true (kehu_record_update (f->ctx, module, id, fields, &error));
  g_assert_no_error (error);
}
