/* kehu-sync-teams.c: records' teams on a client cache
 *
 * The client's side of the "teams" section of a pull page
 * (kehu-api-sync-teams.c describes the wire form): the section holds every
 * team row of the records the page sends, so the team rows of each record
 * of the page — sent whole or gone — are replaced by the section's: the
 * rows of a record the cache held go as kehu_sync_cache_apply_page()
 * applies it, then the section's rows are inserted here. A record new to
 * the cache has no rows to drop, so a first pull only inserts.
 * The cache's team rows then answer kehu_perm_check_record() offline as
 * they do on the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include "kehu-sync.h"

static gboolean
db_error (KehuContext  *ctx,
          int           rc,
          GError      **error)
{
  return kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
}

static void
add_module (GPtrArray  *modules,
            const char *module)
{
  if (modules != NULL && module != NULL &&
      !g_ptr_array_find_with_equal_func (modules, module, g_str_equal, NULL))
    g_ptr_array_add (modules, g_strdup (module));
}

/* Runs @sql over the JSON array @text (?1), noting the module each
 * touched row names (its RETURNING column). */
static gboolean
run_over (KehuContext  *ctx,
          const char   *sql,
          const char   *text,
          gsize         length,
          GPtrArray    *modules,
          GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (ctx)), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return db_error (ctx, rc, error);
  sqlite3_bind_text (stmt, 1, text, length, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_module (modules, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : db_error (ctx, rc, error);
}

gboolean
kehu_sync_cache_apply_teams (KehuContext        *ctx,
                             const KehuSyncPage *head,
                             GPtrArray          *modules,
                             GError            **error)
{
  /* The page's records that the cache held lost their rows as they were
   * applied (kehu_sync_cache_apply_page()); gone ones too. */
  if (head->teams == NULL)
    return TRUE;
  /* WHERE 1: SQLite's parser needs it before an upsert's ON CONFLICT. */
  return run_over (ctx,
                   "INSERT INTO team_members (module, record_id, user_id, access, added_at, added_by)"
                   " SELECT json_extract (value, '$.module'), json_extract (value, '$.record_id'),"
                   "        json_extract (value, '$.user_id'), json_extract (value, '$.access'),"
                   "        json_extract (value, '$.added_at'), json_extract (value, '$.added_by')"
                   " FROM json_each (?1) WHERE 1"
                   " ON CONFLICT (module, record_id, user_id) DO UPDATE SET access = excluded.access,"
                   "   added_at = excluded.added_at, added_by = excluded.added_by"
                   " RETURNING module",
                   head->teams, head->teams_length, modules, error);
}
