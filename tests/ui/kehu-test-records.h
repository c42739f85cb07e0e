/* kehu-test-records.h: a temporary store with a few known records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <glib/gstdio.h>

#include "kehu-core.h"

G_BEGIN_DECLS

typedef struct
{
  char        *dir;
  KehuStore   *store;
  KehuSchema  *schema;
  KehuContext *ctx;
  char        *me;      /* 李雷, super administrator */
  char        *other;   /* 韩梅梅 */
} KehuTestRecords;

static inline char *
kehu_test_records_create (KehuTestRecords *t,
                          const char      *module,
                          const char      *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;
  char *id;

  g_assert_nonnull (node);
  kehu_context_set_trusted (t->ctx, TRUE);
  id = kehu_record_create (t->ctx, module, json_node_get_object (node), &error);
  kehu_context_set_trusted (t->ctx, FALSE);
  g_assert_no_error (error);
  return id;
}

static inline gint64
kehu_test_records_sql_int (KehuTestRecords *t,
                           const char      *sql,
                           const char      *param)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (t->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static inline char *
kehu_test_records_sql_text (KehuTestRecords *t,
                            const char      *sql,
                            const char      *param)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (t->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* An empty store, with two users unless @empty; @now (nullable) fixes the
 * context's clock. */
static inline void
kehu_test_records_init_full (KehuTestRecords *t,
                             GDateTime       *now,
                             gboolean         empty)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;

  memset (t, 0, sizeof *t);
  t->dir = g_dir_make_tmp ("kehu-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (t->dir, "test.db", NULL);
  t->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  t->schema = kehu_schema_new (t->store, &error);
  g_assert_no_error (error);
  t->ctx = kehu_context_new (t->schema, NULL);
  if (now != NULL)
    kehu_context_set_now (t->ctx, now);
  if (empty)
    return;

  json = g_strdup_printf ("{\"phone\":\"13800000001\",\"name\":\"李雷\",\"is_super_admin\":true,"
                          "\"department_id\":\"%s\"}", KEHU_ID_TOP_DEPARTMENT);
  t->me = kehu_test_records_create (t, "users", json);
  g_free (json);
  json = g_strdup_printf ("{\"phone\":\"13800000002\",\"name\":\"韩梅梅\",\"department_id\":\"%s\"}",
                          KEHU_ID_TOP_DEPARTMENT);
  t->other = kehu_test_records_create (t, "users", json);
  kehu_context_set_user_id (t->ctx, t->me);
}

static inline void
kehu_test_records_init (KehuTestRecords *t,
                        GDateTime       *now)
{
  kehu_test_records_init_full (t, now, FALSE);
}

static inline void
kehu_test_records_clear (KehuTestRecords *t)
{
  g_autofree char *db = g_build_filename (t->dir, "test.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_clear_object (&t->ctx);
  g_clear_object (&t->schema);
  g_clear_object (&t->store);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (t->dir);
  g_free (t->dir);
  g_free (t->me);
  g_free (t->other);
}

/* Runs the main loop until @cond holds or @ms pass; returns @cond. */
#define KEHU_TEST_WAIT_FOR(cond, ms) \
  G_STMT_START { \
    gint64 _end = g_get_monotonic_time () + (gint64) (ms) * 1000; \
    while (!(cond) && g_get_monotonic_time () < _end) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END

G_END_DECLS
