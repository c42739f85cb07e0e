/* kehu-sync-settings.c: the settings snapshot of a pull
 *
 * The settings tables that are not records of a module (dictionaries and
 * their items, custom fields, stages, users' roles, the pools' members,
 * recycle rules and claim limits) have no per-row sync rev. Migration 10
 * keeps one revision for all of them, bumped by triggers on every write
 * whatever path makes it. When a client holds another revision, the last
 * page of its pull carries all their rows:
 *
 *   "settings": {"rev": N, "tables": {"dictionaries": [{column: value…}…], …}}
 *
 * and the client replaces each listed table's content with them, in the
 * transaction of that page. Both sides are here so that the list of tables
 * and the wire form live in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-sync.h"

/* Parents before children: a snapshot is applied in this order. */
static const char * const settings_tables[] = {
  "dictionaries", "dictionary_items", "custom_fields", "stages", "user_roles",
  "pool_members", "pool_rules", "pool_claim_limits", NULL,
};

const char * const *
kehu_sync_settings_tables (void)
{
  return settings_tables;
}

gint64
kehu_sync_settings_rev (KehuStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 rev = 0;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT rev FROM settings_rev WHERE id = 1",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rev;
}

/* The table's columns and which of them make its primary key, from the
 * schema itself (the same migrations built both sides). */
static gboolean
table_columns (KehuStore   *store,
               const char  *table,
               GPtrArray   *columns,
               GPtrArray   *keys,
               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT name, pk FROM pragma_table_info (?1) ORDER BY cid",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (columns, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      if (sqlite3_column_int (stmt, 1) > 0 && keys != NULL)
        g_ptr_array_add (keys, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  sqlite3_finalize (stmt);
  if (columns->len == 0)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CACHE, _("The table “%s” is missing"), table);
      return FALSE;
    }
  return TRUE;
}

/* Server ------------------------------------------------------------------------------ */

/* One statement per table, each row made into JSON by SQLite: the snapshot
 * costs about as much as reading the rows. */
gboolean
kehu_sync_settings_append_snapshot (KehuStore  *store,
                                    GString    *out,
                                    gint64     *rev,
                                    GError    **error)
{
  gsize start = out->len;

  *rev = kehu_sync_settings_rev (store);
  g_string_append_printf (out, "{\"rev\":%" G_GINT64_FORMAT ",\"tables\":{", *rev);
  for (guint i = 0; settings_tables[i] != NULL; i++)
    {
      const char *table = settings_tables[i];
      g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) sql = g_string_new ("SELECT coalesce (json_group_array (json_object (");
      sqlite3_stmt *stmt = NULL;
      int rc;

      if (!table_columns (store, table, columns, keys, error))
        goto fail;
      /* Identifiers from the schema, not from a request. */
      for (guint c = 0; c < columns->len; c++)
        g_string_append_printf (sql, "%s'%s', %s", c ? ", " : "", (const char *) columns->pdata[c],
                                (const char *) columns->pdata[c]);
      g_string_append_printf (sql, ")), '[]') FROM (SELECT * FROM %s ORDER BY ", table);
      for (guint k = 0; k < keys->len; k++)
        g_string_append_printf (sql, "%s%s", k ? ", " : "", (const char *) keys->pdata[k]);
      g_string_append_c (sql, ')');

      rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql->str, -1, &stmt, NULL);
      if (rc != SQLITE_OK || (rc = sqlite3_step (stmt)) != SQLITE_ROW)
        {
          sqlite3_finalize (stmt);
          kehu_store_set_error_from_db (store, rc, error);
          goto fail;
        }
      g_string_append_printf (out, "%s\"%s\":", i ? "," : "", table);
      g_string_append_len (out, (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_bytes (stmt, 0));
      sqlite3_finalize (stmt);
    }
  g_string_append (out, "}}");
  return TRUE;

fail:
  g_string_truncate (out, start);
  return FALSE;
}

/* Client ------------------------------------------------------------------------------ */

static gboolean
run (KehuStore   *store,
     const char  *sql,
     const char  *text,
     gsize        length,
     int         *changes,
     GError     **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (text != NULL)
        sqlite3_bind_text (stmt, 1, text, length, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (store, rc, error);
  if (changes != NULL)
    *changes = sqlite3_changes (db);
  return TRUE;
}

static char *
column_list (GPtrArray  *columns,
             const char *prefix)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint c = 0; c < columns->len; c++)
    g_string_append_printf (out, "%s%s%s", c ? ", " : "", prefix, (const char *) columns->pdata[c]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Replaces @table's rows by the snapshot's (in the caller's transaction):
 * rows it lacks go, others are inserted or updated in place — only where
 * a value differs, so that an unchanged table counts no change. */
static gboolean
replace_table (KehuStore   *store,
               const char  *table,
               const char  *text,
               gsize        length,
               gboolean    *changed,
               GError     **error)
{
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) extract = g_string_new (NULL);
  g_autoptr(GString) key_extract = g_string_new (NULL);
  g_autoptr(GString) update = g_string_new (NULL);
  g_autoptr(GString) differs = g_string_new (NULL);
  g_autofree char *names = NULL;
  g_autofree char *key_names = NULL;
  g_autofree char *delete_sql = NULL;
  g_autofree char *upsert_sql = NULL;
  g_autofree char *path = g_strdup_printf ("$.tables.%s", table);
  g_autoptr(GError) local_error = NULL;
  int deleted = 0, written = 0;

  if (!table_columns (store, table, columns, keys, error))
    return FALSE;
  for (guint c = 0; c < columns->len; c++)
    {
      const char *column = columns->pdata[c];

      g_string_append_printf (extract, "%sjson_extract (value, '$.%s')", c ? ", " : "", column);
      if (!g_ptr_array_find_with_equal_func (keys, column, g_str_equal, NULL))
        {
          g_string_append_printf (update, "%s%s = excluded.%s", update->len ? ", " : "", column, column);
          g_string_append_printf (differs, "%s%s.%s IS NOT excluded.%s", differs->len ? " OR " : "", table, column, column);
        }
    }
  for (guint k = 0; k < keys->len; k++)
    g_string_append_printf (key_extract, "%sjson_extract (value, '$.%s')", k ? ", " : "", (const char *) keys->pdata[k]);
  names = column_list (columns, "");
  key_names = column_list (keys, "");

  /* The IN list is made once (not per row), so this stays linear-ish
   * for a dictionary of thousands of items. */
  delete_sql = g_strdup_printf ("DELETE FROM %s WHERE (%s) NOT IN (SELECT %s FROM json_each (?1, '%s'))",
                                table, key_names, key_extract->str, path);
  if (update->len > 0)
    upsert_sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM json_each (?1, '%s') WHERE true"
                                  " ON CONFLICT (%s) DO UPDATE SET %s WHERE %s",
                                  table, names, extract->str, path, key_names, update->str, differs->str);
  else
    upsert_sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM json_each (?1, '%s') WHERE true"
                                  " ON CONFLICT (%s) DO NOTHING",
                                  table, names, extract->str, path, key_names);

  if (!run (store, "SAVEPOINT kehu_settings_table", NULL, 0, NULL, error))
    return FALSE;
  if (!run (store, delete_sql, text, length, &deleted, error))
    goto fail;
  if (!run (store, upsert_sql, text, length, &written, &local_error))
    {
      /* A unique key other than the primary one moved between two rows
       * (values swapped): then the table is written afresh. No other
       * settings table hangs on to these rows by a cascade. */
      g_autofree char *clear = g_strdup_printf ("DELETE FROM %s", table);
      g_autofree char *insert = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM json_each (?1, '%s')",
                                                 table, names, extract->str, path);

      if (g_str_equal (table, "dictionaries") ||
          !run (store, clear, NULL, 0, NULL, error) ||
          !run (store, insert, text, length, &written, error))
        {
          if (error != NULL && *error == NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
    }
  if (!run (store, "RELEASE kehu_settings_table", NULL, 0, NULL, error))
    goto fail;
  *changed = deleted > 0 || written > 0;
  return TRUE;

fail:
  run (store, "ROLLBACK TO kehu_settings_table", NULL, 0, NULL, NULL);
  run (store, "RELEASE kehu_settings_table", NULL, 0, NULL, NULL);
  return FALSE;
}

/* Rows whose parent this cache does not hold (a stage of a stage group it
 * was not sent): they would fail the foreign keys at commit, and nothing
 * could show them anyway. */
static gboolean
drop_orphans (KehuStore   *store,
              const char  *table,
              gboolean    *changed,
              GError     **error)
{
  g_autoptr(GPtrArray) sqls = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store),
                           "SELECT \"table\", \"from\", coalesce (\"to\", 'id') FROM pragma_foreign_key_list (?1)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *parent = (const char *) sqlite3_column_text (stmt, 0);
      const char *from = (const char *) sqlite3_column_text (stmt, 1);
      const char *to = (const char *) sqlite3_column_text (stmt, 2);

      g_ptr_array_add (sqls, g_strdup_printf ("DELETE FROM %s WHERE %s IS NOT NULL AND NOT EXISTS"
                                              " (SELECT 1 FROM %s p WHERE p.%s = %s.%s)",
                                              table, from, parent, to, table, from));
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < sqls->len; i++)
    {
      int n = 0;

      if (!run (store, sqls->pdata[i], NULL, 0, &n, error))
        return FALSE;
      if (n > 0)
        {
          g_debug ("Dropped %d rows of %s whose parent this cache lacks", n, table);
          *changed = TRUE;
        }
    }
  return TRUE;
}

gboolean
kehu_sync_cache_apply_settings (KehuStore   *store,
                                const char  *text,
                                gsize        length,
                                gint64      *rev,
                                GPtrArray   *changed_tables,
                                GError     **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  gboolean valid = FALSE;
  gboolean listed[G_N_ELEMENTS (settings_tables)] = { FALSE };
  gboolean changed[G_N_ELEMENTS (settings_tables)] = { FALSE };
  int rc;

  /* Which tables the snapshot lists (a table it leaves out stays as it
   * is), and its revision. */
  rc = sqlite3_prepare_v2 (db, "SELECT json_valid (?1), json_extract (?1, '$.rev'), json_type (?1, '$.tables')",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, text, length, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) == 1 &&
      sqlite3_column_type (stmt, 1) == SQLITE_INTEGER &&
      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "object") == 0)
    {
      valid = TRUE;
      *rev = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (!valid)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                   _("The server’s settings snapshot is not an object with “rev” and “tables”"));
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (db, "SELECT json_type (?1, '$.tables.' || ?2)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  for (guint i = 0; settings_tables[i] != NULL; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, text, length, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, settings_tables[i], -1, SQLITE_STATIC);
      listed[i] = sqlite3_step (stmt) == SQLITE_ROW &&
                  g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "array") == 0;
    }
  sqlite3_finalize (stmt);

  /* A dictionary replaced before its custom fields are, a stage whose
   * group came on this same page: checked at commit, not row by row. */
  if (!run (store, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL, error))
    return FALSE;
  for (guint i = 0; settings_tables[i] != NULL; i++)
    if (listed[i] && !replace_table (store, settings_tables[i], text, length, &changed[i], error))
      return FALSE;
  for (guint i = 0; settings_tables[i] != NULL; i++)
    if (listed[i] && !drop_orphans (store, settings_tables[i], &changed[i], error))
      return FALSE;

  for (guint i = 0; settings_tables[i] != NULL; i++)
    if (changed[i] && changed_tables != NULL)
      g_ptr_array_add (changed_tables, g_strdup (settings_tables[i]));
  return TRUE;
}
