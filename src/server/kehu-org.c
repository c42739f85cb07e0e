/* kehu-org.c: organisation operations shared by routes and the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-org.h"
#include "kehu-pool.h"

/* The first super administrator: the one --create-admin or --demo made. It
 * can never be demoted, so the company always has one. */
char *
kehu_org_get_founder (KehuStore *store)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT value FROM kehu_meta WHERE key = 'founder_user_id'", "");
  char *founder = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    founder = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return founder;
}

/* In the caller's transaction. Disabling also ends every session. */
gboolean
kehu_org_set_enabled (KehuStore   *store,
                      const char  *user_id,
                      gboolean     enabled,
                      GDateTime   *now,
                      GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);

  if (kehu_sql_run (store, error, "UPDATE users SET is_enabled = ?1, updated_at = ?2 WHERE id = ?3",
                    "bss", enabled, at, user_id) < 0)
    return FALSE;
  if (!enabled && !kehu_auth_revoke_user (store, user_id, now, error))
    return FALSE;
  return kehu_api_bump_rev (store, "users", user_id, at, NULL, NULL, error);
}

gboolean
kehu_org_set_super_admin (KehuStore   *store,
                          const char  *user_id,
                          gboolean     super_admin,
                          GDateTime   *now,
                          GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);

  if (kehu_sql_run (store, error,
                    "UPDATE users SET is_super_admin = ?1, updated_at = ?2, scope_epoch = scope_epoch + 1 "
                    "WHERE id = ?3",
                    "bss", super_admin, at, user_id) < 0)
    return FALSE;
  return kehu_api_bump_rev (store, "users", user_id, at, NULL, NULL, error);
}

/**
 * kehu_org_hand_over_customers:
 * @ctx: who hands over, and when
 * @to_user_id: (nullable): the new owner, or %NULL for the pool
 * @pool_id: (nullable): the pool, or %NULL for the default one
 *
 * Moves every live customer of @from_user_id, in the caller's transaction.
 *
 * Returns: how many customers moved, or -1 with @error set
 */
int
kehu_org_hand_over_customers (KehuContext *ctx,
                              const char  *from_user_id,
                              const char  *to_user_id,
                              const char  *pool_id,
                              GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = kehu_sql_prepare (kehu_context_get_store (ctx), error,
                           "SELECT id FROM customers WHERE owner_id = ?1 AND deleted_at IS NULL ORDER BY id",
                           "s", from_user_id);
  if (stmt == NULL)
    return -1;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      gboolean ok;

      if (to_user_id != NULL)
        ok = kehu_pool_set_owner (ctx, id, to_user_id, "transfer", error);
      else
        ok = kehu_pool_put_back (ctx, id, pool_id, "return", "The owner's account was disabled", error);
      if (!ok)
        return -1;
    }

  return ids->len;
}

/* The top department, created when the database has none. */
char *
kehu_org_ensure_top_department (KehuStore   *store,
                                GDateTime   *now,
                                GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;

  stmt = kehu_sql_prepare (store, error,
                           "SELECT id FROM departments WHERE parent_id IS NULL AND deleted_at IS NULL "
                           "ORDER BY created_at LIMIT 1", "");
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (id != NULL)
    return g_steal_pointer (&id);

  id = kehu_new_uuid ();
  /* Stored as typed: the administrator renames it at will. */
  if (kehu_sql_run (store, error,
                    "INSERT INTO departments (id, created_at, updated_at, name) VALUES (?1, ?2, ?2, ?3)",
                    "sss", id, at, "办公室") < 0 ||
      !kehu_api_bump_rev (store, "departments", id, at, NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&id);
}

/**
 * kehu_org_create_super_admin:
 *
 * Creates a super administrator in the top department in its own
 * transaction; the first one becomes the founder.
 *
 * Returns: (transfer full) (nullable): the new user's id
 */
char *
kehu_org_create_super_admin (KehuStore   *store,
                             const char  *phone,
                             const char  *name,
                             const char  *password,
                             GDateTime   *now,
                             GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  g_autofree char *hash = NULL;
  g_autofree char *department = NULL;
  g_autofree char *id = kehu_new_uuid ();

  if (!kehu_auth_check_password_strength (password, error) ||
      !(hash = kehu_auth_hash_password (password, error)))
    return NULL;

  if (!kehu_store_begin (store, error))
    return NULL;

  if (!(department = kehu_org_ensure_top_department (store, now, error)) ||
      kehu_sql_run (store, error,
                    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id, "
                    "is_super_admin, password_hash) VALUES (?1, ?2, ?2, ?3, ?4, ?5, 1, ?6)",
                    "ssssss", id, at, phone, name, department, hash) < 0 ||
      kehu_sql_run (store, error,
                    "INSERT OR IGNORE INTO kehu_meta (key, value) VALUES ('founder_user_id', ?1)",
                    "s", id) < 0 ||
      !kehu_api_bump_rev (store, "users", id, at, NULL, NULL, error) ||
      !kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return NULL;
    }

  return g_steal_pointer (&id);
}
