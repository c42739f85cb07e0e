/* kehu-pool.c: the public pool — owners, claim limits, caps, recycling
 *
 * A customer with no owner is in a pool (customers.pool_id). Every change
 * of owner goes through kehu_pool_set_owner() or kehu_pool_put_back(), so
 * that the operation log, the pool history and the revision are written
 * the same way by transfer, claim, assign, return and the recycle job.
 * All functions run inside the caller's transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-pool.h"

gboolean
kehu_oplog_add (KehuStore   *store,
                const char  *module,
                const char  *record_id,
                const char  *user_id,
                const char  *at,
                const char  *action,
                const char  *field,
                const char  *old_value,
                const char  *new_value,
                GError     **error)
{
  return kehu_sql_run (store, error,
                       "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       "ssssssss", module, record_id, user_id, at, action, field, old_value, new_value) >= 0;
}

static char *
current_owner (KehuStore   *store,
               const char  *customer_id,
               char       **pool_id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT owner_id, pool_id FROM customers WHERE id = ?1", "s",
                                         customer_id);
  char *owner = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (pool_id != NULL)
        *pool_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  return owner;
}

static gboolean
add_history (KehuStore   *store,
             const char  *customer_id,
             const char  *pool_id,
             const char  *action,
             const char  *by_user_id,
             const char  *from_owner,
             const char  *to_owner,
             const char  *at,
             const char  *reason,
             GError     **error)
{
  return kehu_sql_run (store, error,
                       "INSERT INTO pool_history (customer_id, pool_id, action, user_id, from_owner_id, "
                       "to_owner_id, at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       "ssssssss", customer_id, pool_id, action, by_user_id, from_owner, to_owner, at,
                       reason) >= 0;
}

/**
 * kehu_pool_set_owner:
 * @action: "transfer", "claim" or "assign"
 *
 * Gives the customer a new owner and restarts its recycle clock. The pool
 * it came from stays in pool_id as its home pool, whose rules recycle it.
 */
gboolean
kehu_pool_set_owner (KehuStore   *store,
                     const char  *customer_id,
                     const char  *owner_id,
                     const char  *by_user_id,
                     const char  *action,
                     GDateTime   *now,
                     GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  g_autofree char *pool_id = NULL;
  g_autofree char *old_owner = current_owner (store, customer_id, &pool_id);

  if (kehu_sql_run (store, error,
                    "UPDATE customers SET owner_id = ?1, owned_since = ?2, updated_at = ?2, pooled_at = NULL "
                    "WHERE id = ?3",
                    "sss", owner_id, at, customer_id) < 0 ||
      !kehu_oplog_add (store, "customers", customer_id, by_user_id, at, action, "owner_id",
                       old_owner, owner_id, error) ||
      (!g_str_equal (action, "transfer") &&
       !add_history (store, customer_id, pool_id, action, by_user_id, old_owner, owner_id, at, NULL, error)))
    return FALSE;

  return kehu_api_bump_rev (store, "customers", customer_id, at, NULL, error);
}

static char *
default_pool (KehuStore *store)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT id FROM pools WHERE deleted_at IS NULL AND is_enabled = 1 "
                                         "ORDER BY is_default DESC, created_at, id LIMIT 1", "");
  char *id = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

/**
 * kehu_pool_put_back:
 * @pool_id: (nullable): the pool; %NULL for the customer's home pool, or
 *   the default pool
 * @action: "return" (by a person) or "recycle" (by the job)
 *
 * Takes the customer from its owner into a pool. The former owner is
 * remembered for the reclaim cool-down; a lock does not survive the pool.
 */
gboolean
kehu_pool_put_back (KehuStore   *store,
                    const char  *customer_id,
                    const char  *pool_id,
                    const char  *by_user_id,
                    const char  *action,
                    const char  *reason,
                    GDateTime   *now,
                    GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  g_autofree char *home_pool = NULL;
  g_autofree char *old_owner = current_owner (store, customer_id, &home_pool);
  g_autofree char *fallback = NULL;
  const char *target = pool_id ? pool_id : home_pool;

  if (target == NULL)
    target = fallback = default_pool (store);

  if (kehu_sql_run (store, error,
                    "UPDATE customers SET owner_id = NULL, pool_id = ?1, pooled_at = ?2, updated_at = ?2, "
                    "former_owner_id = ?3, return_reason = ?4, is_locked = 0, owned_since = NULL "
                    "WHERE id = ?5",
                    "sssss", target, at, old_owner, reason, customer_id) < 0 ||
      !kehu_oplog_add (store, "customers", customer_id, by_user_id, at, action, "owner_id",
                       old_owner, NULL, error) ||
      !add_history (store, customer_id, target, action, by_user_id, old_owner, NULL, at, reason, error))
    return FALSE;

  return kehu_api_bump_rev (store, "customers", customer_id, at, NULL, error);
}
