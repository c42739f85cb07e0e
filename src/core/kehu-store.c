/* kehu-store.c: the SQLite store shared by kehu and kehu-server
 *
 * Opens one SQLite file in WAL mode with foreign keys on, applies the
 * numbered migrations of kehu-migrations.c inside one transaction each, and
 * refuses a file written by a newer Kehu rather than guessing at its schema.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-store"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>

#include "kehu-migrations.h"
#include "kehu-search.h"
#include "kehu-store.h"

struct _KehuStore
{
  GObject   parent_instance;

  char     *path;
  sqlite3  *db;
  int       version;
};

G_DEFINE_FINAL_TYPE (KehuStore, kehu_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (kehu-store-error-quark, kehu_store_error)

/**
 * kehu_store_bind_va:
 * @types: one letter per parameter: 's' text (%NULL binds NULL), 'i'
 *   gint64, 'b' gboolean
 *
 * Binds the arguments to ?1, ?2… of @stmt: the one binder of the helpers
 * that run bound SQL (the server's kehu_sql_*, the pool rules, the sync
 * engine).
 */
void
kehu_store_bind_va (sqlite3_stmt *stmt,
                    const char   *types,
                    va_list       args)
{
  for (int i = 0; types[i] != '\0'; i++)
    switch (types[i])
      {
      case 's':
        sqlite3_bind_text (stmt, i + 1, va_arg (args, const char *), -1, SQLITE_TRANSIENT);
        break;
      case 'i':
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
        break;
      case 'b':
        sqlite3_bind_int (stmt, i + 1, va_arg (args, gboolean) ? 1 : 0);
        break;
      default:
        g_assert_not_reached ();
      }
}

gboolean
kehu_store_set_error_from_db (KehuStore  *self,
                              int         rc,
                              GError    **error)
{
  KehuStoreError code;

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = KEHU_STORE_ERROR_BUSY;
      break;
    case SQLITE_CONSTRAINT:
      code = KEHU_STORE_ERROR_CONSTRAINT;
      break;
    default:
      code = KEHU_STORE_ERROR_SQL;
      break;
    }

  g_set_error (error, KEHU_STORE_ERROR, code,
               _("Database error in “%s”: %s"),
               self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

gboolean
kehu_store_exec (KehuStore   *self,
                 const char  *sql,
                 GError     **error)
{
  char *msg = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, KEHU_STORE_ERROR,
                   (rc & 0xff) == SQLITE_CONSTRAINT ? KEHU_STORE_ERROR_CONSTRAINT
                                                     : KEHU_STORE_ERROR_SQL,
                   _("Database error in “%s”: %s"),
                   self->path, msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }

  return TRUE;
}

gboolean
kehu_store_begin (KehuStore  *self,
                  GError    **error)
{
  /* IMMEDIATE takes the write lock up front, so a writer never fails half
   * way through because another connection got there first. */
  return kehu_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
kehu_store_commit (KehuStore  *self,
                   GError    **error)
{
  return kehu_store_exec (self, "COMMIT", error);
}

void
kehu_store_rollback (KehuStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
read_user_version (KehuStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

static gboolean
migrate (KehuStore  *self,
         int         target,
         GError    **error)
{
  const KehuMigration *migrations;
  guint n_migrations;

  migrations = kehu_migrations_get (&n_migrations);

  for (guint i = 0; i < n_migrations; i++)
    {
      const KehuMigration *m = &migrations[i];
      g_autofree char *set_version = NULL;
      g_autofree char *sql = NULL;
      g_autoptr(GError) local_error = NULL;

      if (m->version <= self->version)
        continue;
      if (m->version > target)
        break;

      g_debug ("Migrating %s to version %d", self->path, m->version);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", m->version);
      if (!(sql = kehu_migration_load_sql (m, &local_error)) ||
          !kehu_store_begin (self, &local_error) ||
          !kehu_store_exec (self, sql, &local_error) ||
          (m->apply != NULL && !m->apply (self, &local_error)) ||
          !kehu_store_exec (self, set_version, &local_error) ||
          !kehu_store_commit (self, &local_error))
        {
          kehu_store_rollback (self);
          g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_MIGRATION,
                       _("Could not upgrade “%s” to schema version %d: %s"),
                       self->path, m->version, local_error->message);
          return FALSE;
        }

      self->version = m->version;
    }

  return TRUE;
}

static void
kehu_store_finalize (GObject *object)
{
  KehuStore *self = (KehuStore *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (kehu_store_parent_class)->finalize (object);
}

static void
kehu_store_class_init (KehuStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kehu_store_finalize;
}

static void
kehu_store_init (KehuStore *self)
{
}

/* KEHU_DEBUG_SQL=1 logs every statement with its run time, to find the slow
 * one behind a slow screen or route. */
static int
trace_profile_cb (unsigned  type,
                  void     *data,
                  void     *stmt,
                  void     *x)
{
  char *sql;

  (void) data;
  if (type != SQLITE_TRACE_PROFILE)
    return 0;
  sql = sqlite3_expanded_sql (stmt);
  g_printerr ("kehu-sql %8.3f ms  %s\n", *(sqlite3_int64 *) x / 1e6,
              sql ? sql : sqlite3_sql (stmt));
  sqlite3_free (sql);
  return 0;
}

/* Tables whose size the planner's choices depend on: the records of every
 * module (rowid tables with a TEXT id; full-text search tables are skipped: their rowids are not counts). */
static const char stale_tables_sql[] =
  "SELECT m.name, (SELECT CAST (s.stat AS INTEGER) FROM sqlite_stat1 s"
  "                WHERE s.tbl = m.name LIMIT 1)"
  "  FROM sqlite_master m"
  " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
  "   AND m.name NOT GLOB '*_fts*' AND m.sql NOT LIKE '%WITHOUT ROWID%'"
  "   AND m.sql NOT LIKE 'CREATE VIRTUAL%'";

/**
 * kehu_store_stats_are_stale:
 * @self: a #KehuStore
 *
 * Whether the planner's statistics (sqlite_stat1) miss a table that has
 * grown past a thousand rows, or one that has more than doubled since they
 * were gathered. Cheap: it compares each table's largest rowid, which an
 * index answers, with the row count the statistics remember.
 *
 * Returns: %TRUE when kehu_store_refresh_stats() should run
 */
gboolean
kehu_store_stats_are_stale (KehuStore *self)
{
  sqlite3_stmt *tables = NULL;
  gboolean have_stat1, stale = FALSE;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (self), FALSE);

  have_stat1 = sqlite3_table_column_metadata (self->db, NULL, "sqlite_stat1", "stat",
                                              NULL, NULL, NULL, NULL, NULL) == SQLITE_OK;
  rc = sqlite3_prepare_v2 (self->db,
                           have_stat1 ? stale_tables_sql
                                      : "SELECT name, NULL FROM sqlite_master"
                                        " WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                                        "   AND name NOT GLOB '*_fts*'"
                                        "   AND sql NOT LIKE '%WITHOUT ROWID%'"
                                        "   AND sql NOT LIKE 'CREATE VIRTUAL%'",
                           -1, &tables, NULL);
  while (rc == SQLITE_OK && !stale && sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT max (rowid) FROM \"%s\"",
                                              (const char *) sqlite3_column_text (tables, 0));
      gboolean known = sqlite3_column_type (tables, 1) != SQLITE_NULL;
      sqlite3_int64 remembered = sqlite3_column_int64 (tables, 1);
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        {
          sqlite3_int64 rows = sqlite3_column_int64 (stmt, 0);

          stale = known ? rows > 2 * remembered + 1000 : rows > 1000;
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_finalize (tables);
  return stale;
}

/**
 * kehu_store_refresh_stats:
 * @self: a #KehuStore
 * @force: run even when the statistics look fresh
 * @ran: (out) (optional): whether ANALYZE ran
 * @error: a #GError
 *
 * Gathers the statistics SQLite's planner uses to choose between indexes:
 * without them a department's dashboard walks each owner's records through
 * the wrong index. A full ANALYZE takes seconds on a large store, so
 * callers run this off the main thread, after large changes such as a
 * first sync, and without @force it does nothing while the statistics are
 * fresh.
 *
 * Returns: %FALSE with @error set when ANALYZE failed
 */
gboolean
kehu_store_refresh_stats (KehuStore  *self,
                          gboolean    force,
                          gboolean   *ran,
                          GError    **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (self), FALSE);

  if (ran != NULL)
    *ran = FALSE;
  if (!force && !kehu_store_stats_are_stale (self))
    return TRUE;
  if (!kehu_store_exec (self, "ANALYZE", error))
    return FALSE;
  if (ran != NULL)
    *ran = TRUE;
  return TRUE;
}

int
kehu_store_get_latest_version (void)
{
  const KehuMigration *migrations;
  guint n_migrations;

  migrations = kehu_migrations_get (&n_migrations);
  return n_migrations ? migrations[n_migrations - 1].version : 0;
}

/**
 * kehu_store_open_at_version:
 * @path: the database file, created when missing
 * @version: the schema version to migrate to; tests use it to build old files
 * @error: a #GError
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
KehuStore *
kehu_store_open_at_version (const char  *path,
                            int          version,
                            GError     **error)
{
  g_autoptr(KehuStore) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN,
                   _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (KEHU_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN,
                   _("Could not open the database “%s”: %s"),
                   path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 1);
  if (g_getenv ("KEHU_DEBUG_SQL") != NULL)
    sqlite3_trace_v2 (self->db, SQLITE_TRACE_PROFILE, trace_profile_cb, NULL);
  /* The search triggers call these: needed before any write or migration. */
  kehu_search_register_functions (self->db);

  /* A file that is not a database fails here, on the first read. */
  self->version = read_user_version (self);
  if (self->version < 0)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN,
                   _("“%s” is not a Kehu database: %s"),
                   path, sqlite3_errmsg (self->db));
      return NULL;
    }

  if (self->version > kehu_store_get_latest_version ())
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_FUTURE_VERSION,
                   _("“%s” was written by a newer version of Kehu (schema %d; this version knows up to %d). Update Kehu to open it."),
                   path, self->version, kehu_store_get_latest_version ());
      return NULL;
    }

  if (!kehu_store_exec (self,
                        "PRAGMA journal_mode = WAL;"
                        "PRAGMA synchronous = NORMAL;"
                        "PRAGMA foreign_keys = ON;"
                        "PRAGMA temp_store = MEMORY;",
                        error))
    return NULL;

  if (!migrate (self, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * kehu_store_open:
 * @path: the database file, created when missing
 * @error: a #GError
 *
 * Opens @path and brings it to the latest schema version.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
KehuStore *
kehu_store_open (const char  *path,
                 GError     **error)
{
  return kehu_store_open_at_version (path, kehu_store_get_latest_version (), error);
}

const char *
kehu_store_get_path (KehuStore *self)
{
  g_return_val_if_fail (KEHU_IS_STORE (self), NULL);
  return self->path;
}

int
kehu_store_get_schema_version (KehuStore *self)
{
  g_return_val_if_fail (KEHU_IS_STORE (self), -1);
  return self->version;
}

sqlite3 *
kehu_store_get_db (KehuStore *self)
{
  g_return_val_if_fail (KEHU_IS_STORE (self), NULL);
  return self->db;
}
