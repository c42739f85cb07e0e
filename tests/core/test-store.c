/* test-store.c: opening stores and migrating them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kehu-migrations.h"
#include "kehu-store.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kehu-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "kehu.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *sub = g_path_get_dirname (f->path);
  g_autoptr(GDir) dir = g_dir_open (sub, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (sub, name, NULL);
      g_unlink (file);
    }
  g_rmdir (sub);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static char *
query_text (KehuStore  *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return result;
}

static int
raw_user_version (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return version;
}

static void
test_new_store (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *fk = NULL;
  g_autofree char *created = NULL;
  const KehuMigration *migrations;
  guint n;

  migrations = kehu_migrations_get (&n);
  g_assert_cmpuint (n, >, 0);
  /* Versions are 1, 2, 3… without gaps, so each one is reachable. */
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (migrations[i].version, ==, (int) i + 1);

  store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpint (kehu_store_get_schema_version (store), ==, (int) n);
  g_assert_cmpint (kehu_store_get_latest_version (), ==, (int) n);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));

  journal = query_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  fk = query_text (store, "PRAGMA foreign_keys");
  g_assert_cmpstr (fk, ==, "1");
  created = query_text (store, "SELECT value FROM kehu_meta WHERE key = 'created_at'");
  g_assert_nonnull (created);

  g_clear_object (&store);
  g_assert_cmpint (raw_user_version (f->path), ==, (int) n);
}

static void
test_reopen_is_noop (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *created_before = NULL;
  g_autofree char *created_after = NULL;
  g_autofree char *marker = NULL;

  store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  created_before = query_text (store, "SELECT value FROM kehu_meta WHERE key = 'created_at'");
  g_assert_true (kehu_store_exec (store, "INSERT INTO kehu_meta (key, value) VALUES ('marker', 'kept')", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* A second migration run would fail on CREATE TABLE or reset the data. */
  store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kehu_store_get_schema_version (store), ==, kehu_store_get_latest_version ());
  created_after = query_text (store, "SELECT value FROM kehu_meta WHERE key = 'created_at'");
  marker = query_text (store, "SELECT value FROM kehu_meta WHERE key = 'marker'");
  g_assert_cmpstr (created_before, ==, created_after);
  g_assert_cmpstr (marker, ==, "kept");
}

static void
test_future_version_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *sub = g_path_get_dirname (f->path);
  g_autofree char *sql = NULL;
  int future = kehu_store_get_latest_version () + 3;
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("CREATE TABLE t (x); PRAGMA user_version = %d;", future);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = kehu_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_FUTURE_VERSION);
  /* The message names the file and both versions, so the user knows what to do. */
  g_assert_nonnull (strstr (error->message, f->path));
  {
    g_autofree char *v = g_strdup_printf ("%d", future);
    g_assert_nonnull (strstr (error->message, v));
  }

  /* Refusing must not touch the file. */
  g_assert_cmpint (raw_user_version (f->path), ==, future);
}

static void
test_not_a_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *sub = g_path_get_dirname (f->path);
  char garbage[4096];

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) (i * 7 + 3);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, garbage, sizeof garbage, NULL));

  store = kehu_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, f->path));
}

static void
test_from_each_version (Fixture       *f,
                        gconstpointer  data)
{
  int latest = kehu_store_get_latest_version ();

  for (int from = 0; from < latest; from++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KehuStore) old = NULL;
      g_autoptr(KehuStore) store = NULL;

      g_remove (f->path);

      old = kehu_store_open_at_version (f->path, from, &error);
      g_assert_no_error (error);
      g_assert_cmpint (kehu_store_get_schema_version (old), ==, from);
      g_clear_object (&old);
      g_assert_cmpint (raw_user_version (f->path), ==, from);

      store = kehu_store_open (f->path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (kehu_store_get_schema_version (store), ==, latest);
    }
}

static void
test_failed_migration_rolls_back (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *sub = g_path_get_dirname (f->path);
  sqlite3 *db = NULL;

  if (kehu_store_get_latest_version () < 1)
    {
      g_test_skip ("no migration");
      return;
    }

  /* A file at version 0 that already has kehu_meta makes migration 1 fail
   * half way: the store must refuse it and leave it at version 0. */
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE kehu_meta (k)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = kehu_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_MIGRATION);
  g_assert_cmpint (raw_user_version (f->path), ==, 0);
}

static gint64
stat_rows (KehuStore  *store,
           const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT CAST (stat AS INTEGER) FROM sqlite_stat1"
                                          " WHERE tbl = '%s' LIMIT 1", table);
  g_autofree char *text = query_text (store, sql);

  return text ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static void
insert_customers (KehuStore *store,
                  int        first,
                  int        n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql =
    g_strdup_printf ("WITH RECURSIVE i (n) AS (SELECT %d UNION ALL SELECT n + 1 FROM i WHERE n < %d)"
                     " INSERT INTO customers (id, created_at, updated_at, owner_id, name)"
                     " SELECT printf ('c%%06d', n), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',"
                     "        'u' || (n %% 7), 'Customer ' || n FROM i",
                     first, first + n - 1);

  kehu_store_exec (store, sql, &error);
  g_assert_no_error (error);
}

/* The planner statistics are gathered again only when a table has grown
 * past what they remember (a thousand rows, or more than double). */
static void
test_stats_refresh (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  gboolean ran = TRUE;

  store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_false (kehu_store_stats_are_stale (store));

  insert_customers (store, 1, 900);
  g_assert_false (kehu_store_stats_are_stale (store));
  g_assert_true (kehu_store_refresh_stats (store, FALSE, &ran, &error));
  g_assert_no_error (error);
  g_assert_false (ran);

  insert_customers (store, 901, 300);   /* 1,200 rows, none in the statistics */
  g_assert_true (kehu_store_stats_are_stale (store));
  g_assert_true (kehu_store_refresh_stats (store, FALSE, &ran, &error));
  g_assert_no_error (error);
  g_assert_true (ran);
  g_assert_cmpint (stat_rows (store, "customers"), ==, 1200);
  g_assert_false (kehu_store_stats_are_stale (store));

  /* 3,300 rows: not more than 2 × 1,200 + 1,000 yet. */
  insert_customers (store, 1201, 2100);
  g_assert_false (kehu_store_stats_are_stale (store));
  insert_customers (store, 3301, 200);
  g_assert_true (kehu_store_stats_are_stale (store));

  g_assert_true (kehu_store_refresh_stats (store, TRUE, &ran, &error));
  g_assert_true (ran);
  g_assert_cmpint (stat_rows (store, "customers"), ==, 3500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/migrate/new", Fixture, NULL, fixture_set_up, test_new_store, fixture_tear_down);
  g_test_add ("/store/migrate/reopen", Fixture, NULL, fixture_set_up, test_reopen_is_noop, fixture_tear_down);
  g_test_add ("/store/migrate/from-each-version", Fixture, NULL, fixture_set_up, test_from_each_version, fixture_tear_down);
  g_test_add ("/store/migrate/failure-rolls-back", Fixture, NULL, fixture_set_up, test_failed_migration_rolls_back, fixture_tear_down);
  g_test_add ("/store/open/future-version", Fixture, NULL, fixture_set_up, test_future_version_refused, fixture_tear_down);
  g_test_add ("/store/stats/refresh", Fixture, NULL, fixture_set_up, test_stats_refresh, fixture_tear_down);
  g_test_add ("/store/open/not-a-database", Fixture, NULL, fixture_set_up, test_not_a_database, fixture_tear_down);

  return g_test_run ();
}
