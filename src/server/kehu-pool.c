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

static const char * const owner_fields[] = { "owner_id", "owned_since", "pooled_at", "updated_at", NULL };
static const char * const pool_fields[] = {
  "owner_id", "pool_id", "pooled_at", "former_owner_id", "return_reason", "is_locked", "owned_since",
  "updated_at", NULL
};

G_DEFINE_QUARK (kehu-pool-error-quark, kehu_pool_error)

void
kehu_pool_limit_info_clear (KehuPoolLimitInfo *info)
{
  if (info != NULL)
    g_clear_pointer (&info->resets_at, g_free);
}

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

  return kehu_api_bump_rev (store, "customers", customer_id, at, owner_fields, NULL, error);
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

  return kehu_api_bump_rev (store, "customers", customer_id, at, pool_fields, NULL, error);
}

/* Pools a user belongs to: as a user, or through their department or any
 * department above it. A pool without members is open to everyone. */
gboolean
kehu_pool_is_member (KehuStore  *store,
                     KehuPerm   *perm,
                     const char *pool_id,
                     gboolean    as_admin)
{
  sqlite3_stmt *stmt;
  gboolean member = FALSE;

  if (kehu_perm_is_super_admin (perm))
    return TRUE;

  /* As an administrator: named as one. As a member: named, or the pool
   * names nobody. */
  stmt = kehu_sql_prepare (store, NULL,
                           "WITH RECURSIVE up (id) AS (SELECT ?2 UNION "
                           "  SELECT d.parent_id FROM departments d JOIN up ON d.id = up.id WHERE d.parent_id IS NOT NULL) "
                           "SELECT (?4 = 0 AND NOT EXISTS (SELECT 1 FROM pool_members WHERE pool_id = ?1)) "
                           "    OR EXISTS (SELECT 1 FROM pool_members WHERE pool_id = ?1 AND (?4 = 0 OR is_admin = 1) AND ("
                           "         (member_type = 'user' AND member_id = ?3) OR"
                           "         (member_type = 'department' AND member_id IN up)))",
                           "sssb", pool_id, kehu_perm_get_department_id (perm), kehu_perm_get_user_id (perm),
                           as_admin);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    member = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);

  return member;
}

typedef struct
{
  char   *id;
  char   *owner_id;
  char   *pool_id;
  char   *former_owner_id;
  char   *pooled_at;
  gboolean locked;
} Customer;

static void
customer_free (gpointer data)
{
  Customer *c = data;

  g_free (c->id);
  g_free (c->owner_id);
  g_free (c->pool_id);
  g_free (c->former_owner_id);
  g_free (c->pooled_at);
  g_free (c);
}

static GPtrArray *
load_customers (KehuStore           *store,
                const char * const  *ids,
                GError             **error)
{
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (customer_free);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = kehu_sql_prepare (store, error,
                                             "SELECT id, owner_id, pool_id, former_owner_id, pooled_at, is_locked "
                                             "FROM customers WHERE id = ?1 AND deleted_at IS NULL",
                                             "s", ids[i]);
      Customer *c;

      if (stmt == NULL)
        return NULL;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_finalize (stmt);
          kehu_api_set_error (error, KEHU_API_ERROR_NOT_FOUND, "ids", _("There is no customer “%s”"), ids[i]);
          return NULL;
        }
      c = g_new0 (Customer, 1);
      c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->pool_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      c->former_owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      c->pooled_at = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      c->locked = sqlite3_column_int (stmt, 5) != 0;
      sqlite3_finalize (stmt);
      g_ptr_array_add (customers, c);
    }

  return g_steal_pointer (&customers);
}

static gint64
pool_int (KehuStore  *store,
          const char *pool_id,
          const char *column,
          gint64      fallback)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM pools WHERE id = ?1", column);
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, "s", pool_id);
  gint64 value = fallback;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gint64
count_int (KehuStore  *store,
           const char *sql,
           const char *types,
           const char *a,
           const char *b,
           const char *c)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, types, a, b, c);
  gint64 value = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
check_owned_cap (KehuStore          *store,
                 const char         *owner_id,
                 const char         *pool_id,
                 guint               adding,
                 KehuPoolLimitInfo  *info,
                 GError            **error)
{
  gint64 cap = pool_int (store, pool_id, "max_owned_per_user", -1);
  gint64 owned;

  if (cap < 0)
    return TRUE;
  owned = count_int (store, "SELECT count(*) FROM customers WHERE owner_id = ?1 AND deleted_at IS NULL",
                     "s", owner_id, NULL, NULL);
  if (owned + adding <= cap)
    return TRUE;

  if (info != NULL)
    {
      info->limit = "owned";
      info->max = cap;
      info->used = owned;
    }
  g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_OWNED_CAP,
               _("One person may own at most %lld customers; %lld are owned already"),
               (long long) cap, (long long) owned);
  return FALSE;
}

/* The start of the day, week (Monday) or month holding @now in @tz, and
 * the start of the next one. */
static void
period_bounds (GDateTime   *now,
               GTimeZone   *tz,
               const char  *period,
               GDateTime  **start,
               GDateTime  **end)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (now, tz);
  g_autoptr(GDateTime) day = g_date_time_new (tz, g_date_time_get_year (local), g_date_time_get_month (local),
                                              g_date_time_get_day_of_month (local), 0, 0, 0);

  if (g_str_equal (period, "day"))
    {
      *start = g_date_time_ref (day);
      *end = g_date_time_add_days (day, 1);
    }
  else if (g_str_equal (period, "week"))
    {
      *start = g_date_time_add_days (day, 1 - g_date_time_get_day_of_week (day));
      *end = g_date_time_add_days (*start, 7);
    }
  else
    {
      *start = g_date_time_new (tz, g_date_time_get_year (local), g_date_time_get_month (local), 1, 0, 0, 0);
      *end = g_date_time_add_months (*start, 1);
    }
}

static gboolean
check_claim_limits (KehuStore          *store,
                    KehuPerm           *perm,
                    const char         *pool_id,
                    guint               adding,
                    GDateTime          *now,
                    GTimeZone          *tz,
                    KehuPoolLimitInfo  *info,
                    GError            **error)
{
  static const char * const periods[] = { "day", "week", "month" };
  static const char * const columns[] = { "per_day", "per_week", "per_month" };
  static const char * const period_names[] = { N_("day"), N_("week"), N_("month") };
  const char * const *roles = kehu_perm_get_role_ids (perm);

  for (guint p = 0; p < G_N_ELEMENTS (periods); p++)
    {
      gint64 max = -1;
      gboolean any_row = FALSE;
      gboolean unlimited = FALSE;
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;
      g_autofree char *start_iso = NULL;
      g_autofree char *sql = NULL;
      gint64 used;

      /* The most generous of the user's roles applies. */
      sql = g_strdup_printf ("SELECT %s FROM pool_claim_limits WHERE pool_id = ?1 AND role_id = ?2", columns[p]);
      for (guint r = 0; roles[r] != NULL; r++)
        {
          sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, "ss", pool_id, roles[r]);

          if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
            {
              any_row = TRUE;
              if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
                unlimited = TRUE;
              else
                max = MAX (max, sqlite3_column_int64 (stmt, 0));
            }
          sqlite3_finalize (stmt);
        }
      if (!any_row || unlimited || max < 0)
        continue;

      period_bounds (now, tz, periods[p], &start, &end);
      start_iso = kehu_iso_from_datetime (start);
      used = count_int (store,
                        "SELECT count(*) FROM pool_history WHERE action = 'claim' AND to_owner_id = ?1 "
                        "AND pool_id = ?2 AND at >= ?3",
                        "sss", kehu_perm_get_user_id (perm), pool_id, start_iso);
      if (used + adding > max)
        {
          g_autofree char *resets = kehu_iso_from_datetime (end);

          if (info != NULL)
            {
              info->limit = periods[p];
              info->max = max;
              info->used = used;
              info->resets_at = g_strdup (resets);
            }
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT,
                       _("You may claim %lld customers per %s from this pool and have claimed %lld; the limit resets at %s"),
                       (long long) max, _(period_names[p]), (long long) used, resets);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
kehu_pool_claim (KehuStore          *store,
                 KehuPerm           *perm,
                 const char * const *ids,
                 GDateTime          *now,
                 GTimeZone          *tz,
                 KehuPoolLimitInfo  *info,
                 GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (store, ids, error);
  g_autoptr(GHashTable) per_pool = g_hash_table_new (g_str_hash, g_str_equal);
  const char *user_id = kehu_perm_get_user_id (perm);
  GHashTableIter iter;
  gpointer key, value;

  if (customers == NULL)
    return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->owner_id != NULL || c->pool_id == NULL)
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_IN_POOL,
                       _("The customer “%s” is not in a public pool"), c->id);
          return FALSE;
        }
      if (!kehu_pool_is_member (store, perm, c->pool_id, FALSE))
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_MEMBER,
                       _("You are not a member of the pool of customer “%s”"), c->id);
          return FALSE;
        }

      /* A customer one returned comes back to one only after the
       * pool's cool-down. */
      if (g_strcmp0 (c->former_owner_id, user_id) == 0 && c->pooled_at != NULL)
        {
          gint64 days = pool_int (store, c->pool_id, "reclaim_cooldown_days", 0);
          g_autoptr(GDateTime) pooled = g_date_time_new_from_iso8601 (c->pooled_at, NULL);
          g_autoptr(GDateTime) until = pooled ? g_date_time_add_days (pooled, days) : NULL;

          if (until != NULL && g_date_time_compare (now, until) < 0)
            {
              g_autofree char *until_iso = kehu_iso_from_datetime (until);

              if (info != NULL)
                {
                  info->limit = "cooldown";
                  info->max = days;
                  info->used = 0;
                  info->resets_at = g_strdup (until_iso);
                }
              g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_COOLDOWN,
                           _("You returned the customer “%s”; you may claim it again from %s"),
                           c->id, until_iso);
              return FALSE;
            }
        }

      g_hash_table_insert (per_pool, c->pool_id,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_pool, c->pool_id)) + 1));
    }

  g_hash_table_iter_init (&iter, per_pool);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!check_claim_limits (store, perm, key, GPOINTER_TO_UINT (value), now, tz, info, error) ||
        !check_owned_cap (store, user_id, key, GPOINTER_TO_UINT (value), info, error))
      return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (!kehu_pool_set_owner (store, c->id, user_id, user_id, "claim", now, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
kehu_pool_assign (KehuStore          *store,
                  KehuPerm           *perm,
                  const char * const *ids,
                  const char         *owner_id,
                  GDateTime          *now,
                  KehuPoolLimitInfo  *info,
                  GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (store, ids, error);
  g_autoptr(GHashTable) per_pool = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  if (customers == NULL)
    return FALSE;

  if (count_int (store, "SELECT count(*) FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL",
                 "s", owner_id, NULL, NULL) == 0)
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "owner_id", _("“owner_id” must be an enabled user"));
      return FALSE;
    }

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->owner_id != NULL || c->pool_id == NULL)
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_IN_POOL,
                       _("The customer “%s” is not in a public pool"), c->id);
          return FALSE;
        }
      /* A pool's administrators assign to anyone; others only within
       * their data scope. */
      if (!kehu_pool_is_member (store, perm, c->pool_id, TRUE) && !kehu_perm_owner_in_scope (perm, owner_id))
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_MEMBER,
                       _("You may not assign customers of this pool to that user"));
          return FALSE;
        }
      g_hash_table_insert (per_pool, c->pool_id,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_pool, c->pool_id)) + 1));
    }

  g_hash_table_iter_init (&iter, per_pool);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!check_owned_cap (store, owner_id, key, GPOINTER_TO_UINT (value), info, error))
      return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (!kehu_pool_set_owner (store, c->id, owner_id, kehu_perm_get_user_id (perm), "assign", now, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_owned_customers (KehuStore  *store,
                       KehuPerm   *perm,
                       GPtrArray  *customers,
                       GError    **error)
{
  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->owner_id == NULL)
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_OWNED,
                       _("The customer “%s” has no owner"), c->id);
          return FALSE;
        }
      if (kehu_perm_check_record (perm, store, "customers", c->id, c->owner_id) != KEHU_ACCESS_WRITE)
        {
          /* Out of scope looks like not there at all. */
          kehu_api_set_error (error, KEHU_API_ERROR_NOT_FOUND, "ids", _("There is no customer “%s”"), c->id);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
kehu_pool_return (KehuStore          *store,
                  KehuPerm           *perm,
                  const char * const *ids,
                  const char         *reason,
                  GDateTime          *now,
                  GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (store, ids, error);

  if (customers == NULL || !check_owned_customers (store, perm, customers, error))
    return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (!kehu_pool_put_back (store, c->id, NULL, kehu_perm_get_user_id (perm), "return", reason, now, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
kehu_pool_set_locked (KehuStore          *store,
                      KehuPerm           *perm,
                      const char * const *ids,
                      gboolean            locked,
                      GDateTime          *now,
                      KehuPoolLimitInfo  *info,
                      GError            **error)
{
  static const char * const lock_fields[] = { "is_locked", "updated_at", NULL };
  g_autoptr(GPtrArray) customers = load_customers (store, ids, error);
  g_autoptr(GHashTable) per_owner = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *at = kehu_iso_from_datetime (now);
  GHashTableIter iter;
  gpointer key, value;

  if (customers == NULL || !check_owned_customers (store, perm, customers, error))
    return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (locked && !c->locked)
        g_hash_table_insert (per_owner, c->owner_id,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_owner, c->owner_id)) + 1));
    }

  /* The cap of the default pool (or the first customer's pool). */
  g_hash_table_iter_init (&iter, per_owner);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Customer *first = g_ptr_array_index (customers, 0);
      g_autofree char *fallback = default_pool (store);
      const char *pool_id = first->pool_id ? first->pool_id : fallback;
      gint64 cap = pool_id ? pool_int (store, pool_id, "max_locked_per_user", -1) : -1;
      gint64 already;

      if (cap < 0)
        continue;
      already = count_int (store, "SELECT count(*) FROM customers WHERE owner_id = ?1 AND is_locked = 1 AND deleted_at IS NULL",
                           "s", key, NULL, NULL);
      if (already + GPOINTER_TO_UINT (value) > cap)
        {
          if (info != NULL)
            {
              info->limit = "locked";
              info->max = cap;
              info->used = already;
            }
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_LOCKED_CAP,
                       _("One person may lock at most %lld customers; %lld are locked already"),
                       (long long) cap, (long long) already);
          return FALSE;
        }
    }

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->locked == locked)
        continue;
      if (kehu_sql_run (store, error, "UPDATE customers SET is_locked = ?1, updated_at = ?2 WHERE id = ?3",
                        "bss", locked, at, c->id) < 0 ||
          !kehu_oplog_add (store, "customers", c->id, kehu_perm_get_user_id (perm), at,
                           locked ? "lock" : "unlock", "is_locked",
                           locked ? "0" : "1", locked ? "1" : "0", error) ||
          !kehu_api_bump_rev (store, "customers", c->id, at, lock_fields, NULL, error))
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char      *id;
  char      *name;
  char      *owner_id;
  GDateTime *due;
  GDateTime *remind;
  const char *reason;
} Due;

static void
due_free (gpointer data)
{
  Due *d = data;

  g_free (d->id);
  g_free (d->name);
  g_free (d->owner_id);
  g_clear_pointer (&d->due, g_date_time_unref);
  g_clear_pointer (&d->remind, g_date_time_unref);
  g_free (d);
}

static GDateTime *
parse_time (const char *text)
{
  if (text == NULL)
    return NULL;
  if (strlen (text) == 10)
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);
      return g_date_time_new_from_iso8601 (full, NULL);
    }
  return g_date_time_new_from_iso8601 (text, NULL);
}

/* The later of two times, either may be NULL. */
static GDateTime *
later (GDateTime *a,
       GDateTime *b)
{
  if (a == NULL)
    return b ? g_date_time_ref (b) : NULL;
  if (b == NULL)
    return g_date_time_ref (a);
  return g_date_time_ref (g_date_time_compare (a, b) >= 0 ? a : b);
}

/* Every owned, unlocked customer whose pool recycles, with the time its
 * first rule fires: N days without a follow-up, M without a new
 * opportunity, D without a deal, each counted from the later of that
 * event and the day the owner got the customer. */
static GPtrArray *
compute_due (KehuStore  *store,
             GError    **error)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (due_free);
  g_autofree char *fallback = default_pool (store);
  sqlite3_stmt *stmt;

  stmt = kehu_sql_prepare (store, error,
                           "SELECT c.id, c.name, c.owner_id, coalesce (c.owned_since, c.created_at),"
                           "       c.last_followup_at, c.last_deal_at,"
                           "       (SELECT max (o.created_at) FROM opportunities o"
                           "        WHERE o.customer_id = c.id AND o.deleted_at IS NULL),"
                           "       r.no_followup_days, r.no_opportunity_days, r.no_deal_days, p.remind_days "
                           "FROM customers c "
                           "JOIN pools p ON p.id = coalesce (c.pool_id, ?1) "
                           "JOIN pool_rules r ON r.pool_id = p.id AND r.id = ("
                           "  SELECT r2.id FROM pool_rules r2 WHERE r2.pool_id = p.id"
                           "  AND (r2.customer_level = c.level OR r2.customer_level IS NULL)"
                           "  ORDER BY r2.customer_level IS NULL LIMIT 1) "
                           "WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.is_locked = 0 "
                           "AND p.deleted_at IS NULL AND p.is_enabled = 1 AND p.recycle_enabled = 1",
                           "s", fallback);
  if (stmt == NULL)
    return NULL;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GDateTime) since = parse_time ((const char *) sqlite3_column_text (stmt, 3));
      const struct { int column; int days_column; const char *reason; } rules[] = {
        { 4, 7, "no_followup" },
        { 6, 8, "no_opportunity" },
        { 5, 9, "no_deal" },
      };
      Due *d = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
        {
          g_autoptr(GDateTime) event = NULL;
          g_autoptr(GDateTime) base = NULL;
          g_autoptr(GDateTime) due = NULL;

          if (sqlite3_column_type (stmt, rules[i].days_column) == SQLITE_NULL)
            continue;
          event = parse_time ((const char *) sqlite3_column_text (stmt, rules[i].column));
          base = later (since, event);
          if (base == NULL)
            continue;
          due = g_date_time_add_days (base, sqlite3_column_int (stmt, rules[i].days_column));

          if (d == NULL)
            {
              d = g_new0 (Due, 1);
              d->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
              d->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
              d->owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
            }
          if (d->due == NULL || g_date_time_compare (due, d->due) < 0)
            {
              g_clear_pointer (&d->due, g_date_time_unref);
              d->due = g_date_time_ref (due);
              d->reason = rules[i].reason;
            }
        }

      if (d != NULL)
        {
          d->remind = g_date_time_add_days (d->due, -sqlite3_column_int (stmt, 10));
          g_ptr_array_add (result, d);
        }
    }
  sqlite3_finalize (stmt);

  return g_steal_pointer (&result);
}

static int
compare_due (gconstpointer a,
             gconstpointer b)
{
  const Due *da = *(const Due * const *) a;
  const Due *db = *(const Due * const *) b;
  int cmp = g_date_time_compare (da->due, db->due);

  return cmp ? cmp : g_strcmp0 (da->id, db->id);
}

/**
 * kehu_pool_due:
 * @perm: (nullable): only customers in this user's scope; %NULL for all
 * @only_reminders: only those whose reminder time has come
 *
 * The "due to be recycled" list, soonest first.
 */
JsonArray *
kehu_pool_due (KehuStore  *store,
               KehuPerm   *perm,
               GDateTime  *now,
               gboolean    only_reminders,
               GError    **error)
{
  g_autoptr(GPtrArray) due = compute_due (store, error);
  JsonArray *items;

  if (due == NULL)
    return NULL;
  g_ptr_array_sort (due, compare_due);

  items = json_array_new ();
  for (guint i = 0; i < due->len; i++)
    {
      Due *d = g_ptr_array_index (due, i);
      g_autofree char *due_at = kehu_iso_from_datetime (d->due);
      g_autofree char *remind_at = kehu_iso_from_datetime (d->remind);
      JsonObject *item;
      gint64 days_left;

      if (perm != NULL && !kehu_perm_owner_in_scope (perm, d->owner_id))
        continue;
      if (only_reminders && g_date_time_compare (now, d->remind) < 0)
        continue;

      days_left = g_date_time_difference (d->due, now) / G_TIME_SPAN_DAY;
      item = json_object_new ();
      json_object_set_string_member (item, "customer_id", d->id);
      json_object_set_string_member (item, "name", d->name);
      json_object_set_string_member (item, "owner_id", d->owner_id);
      json_object_set_string_member (item, "due_at", due_at);
      json_object_set_string_member (item, "remind_from", remind_at);
      json_object_set_string_member (item, "reason", d->reason);
      json_object_set_int_member (item, "days_left", MAX (days_left, 0));
      json_object_set_boolean_member (item, "remind", g_date_time_compare (now, d->remind) >= 0);
      json_array_add_object_element (items, item);
    }

  return items;
}

/* The customers whose recycle time has come, in id order after @after_id,
 * at most @limit: the same rules as compute_due(), worked out in SQL (whole
 * seconds since the epoch, a day being 86400 of them, as
 * g_date_time_add_days() counts in UTC) so that only the due customers
 * ever leave SQLite. Each row: id, owner_id, and the due time of each rule
 * (NULL when the rule is off) for the reason. */
#define RECYCLE_DUE_SQL \
  "SELECT id, owner_id, due1, due2, due3 FROM (" \
  "  SELECT id, owner_id," \
  "    CASE WHEN d1 IS NULL THEN NULL ELSE max (coalesce (since, e1), coalesce (e1, since)) + d1 * 86400 END AS due1," \
  "    CASE WHEN d2 IS NULL THEN NULL ELSE max (coalesce (since, e2), coalesce (e2, since)) + d2 * 86400 END AS due2," \
  "    CASE WHEN d3 IS NULL THEN NULL ELSE max (coalesce (since, e3), coalesce (e3, since)) + d3 * 86400 END AS due3" \
  "  FROM (" \
  "    SELECT c.id, c.owner_id," \
  "      CAST (strftime ('%s', coalesce (c.owned_since, c.created_at)) AS INTEGER) AS since," \
  "      CAST (strftime ('%s', c.last_followup_at) AS INTEGER) AS e1," \
  "      CAST (strftime ('%s', (SELECT max (o.created_at) FROM opportunities o" \
  "                             WHERE o.customer_id = c.id AND o.deleted_at IS NULL)) AS INTEGER) AS e2," \
  "      CAST (strftime ('%s', c.last_deal_at) AS INTEGER) AS e3," \
  "      r.no_followup_days AS d1, r.no_opportunity_days AS d2, r.no_deal_days AS d3" \
  "    FROM customers c" \
  "    JOIN pools p ON p.id = coalesce (c.pool_id, ?1)" \
  "    JOIN pool_rules r ON r.pool_id = p.id AND r.id = (" \
  "      SELECT r2.id FROM pool_rules r2 WHERE r2.pool_id = p.id" \
  "      AND (r2.customer_level = c.level OR r2.customer_level IS NULL)" \
  "      ORDER BY r2.customer_level IS NULL LIMIT 1)" \
  "    WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.is_locked = 0 AND c.id > ?2" \
  "    AND p.deleted_at IS NULL AND p.is_enabled = 1 AND p.recycle_enabled = 1))" \
  "WHERE min (coalesce (due1, ?3 + 1), coalesce (due2, ?3 + 1), coalesce (due3, ?3 + 1)) <= ?3 " \
  "ORDER BY id LIMIT ?4"

#define RECYCLE_PAGE 1000

typedef struct
{
  char       *id;
  char       *owner_id;
  const char *reason;
} Recycled;

static void
recycled_clear (gpointer data)
{
  Recycled *r = data;

  g_free (r->id);
  g_free (r->owner_id);
}

/* The next page of due customers; FALSE on a database error. */
static gboolean
load_recycle_page (KehuStore   *store,
                   const char  *fallback_pool,
                   const char  *after_id,
                   gint64       now_seconds,
                   GArray      *page,
                   GError     **error)
{
  static const char * const reasons[] = { "no_followup", "no_opportunity", "no_deal" };
  sqlite3_stmt *stmt = kehu_sql_prepare (store, error, RECYCLE_DUE_SQL, "ssii",
                                         fallback_pool, after_id, now_seconds, (gint64) RECYCLE_PAGE);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Recycled r = { 0 };
      gint64 earliest = 0;

      r.id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      r.owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      /* The rule that fires first; the first listed on a tie. */
      for (int i = 0; i < 3; i++)
        if (sqlite3_column_type (stmt, 2 + i) != SQLITE_NULL &&
            (r.reason == NULL || sqlite3_column_int64 (stmt, 2 + i) < earliest))
          {
            earliest = sqlite3_column_int64 (stmt, 2 + i);
            r.reason = reasons[i];
          }
      g_array_append_val (page, r);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_SQL,
                   _("Could not read the customers due to be recycled: %s"),
                   sqlite3_errmsg (kehu_store_get_db (store)));
      return FALSE;
    }
  return TRUE;
}

/**
 * kehu_pool_recycle:
 * @recycled: (out) (optional): the customers sent back, with the reason
 *
 * Returns every customer whose recycle time has come to its pool, in its
 * own transaction. Locked customers are never recycled. The due customers
 * are picked in SQL, a page at a time in id order, so the job's memory does
 * not grow with the number of owned customers.
 *
 * Returns: how many were recycled, or -1 with @error set
 */
int
kehu_pool_recycle (KehuStore   *store,
                   GDateTime   *now,
                   JsonArray  **recycled,
                   GError     **error)
{
  g_autoptr(JsonArray) list = recycled ? json_array_new () : NULL;
  g_autoptr(GArray) page = g_array_new (FALSE, TRUE, sizeof (Recycled));
  g_autofree char *fallback = default_pool (store);
  g_autofree char *after_id = g_strdup ("");
  gint64 now_seconds = g_date_time_to_unix (now);
  int n = 0;

  g_array_set_clear_func (page, recycled_clear);

  if (!kehu_store_begin (store, error))
    return -1;

  do
    {
      g_array_set_size (page, 0);
      if (!load_recycle_page (store, fallback, after_id, now_seconds, page, error))
        goto failed;

      for (guint i = 0; i < page->len; i++)
        {
          Recycled *r = &g_array_index (page, Recycled, i);

          if (!kehu_pool_put_back (store, r->id, NULL, NULL, "recycle", r->reason, now, error))
            goto failed;
          if (list != NULL)
            {
              JsonObject *item = json_object_new ();

              json_object_set_string_member (item, "customer_id", r->id);
              json_object_set_string_member (item, "former_owner_id", r->owner_id);
              json_object_set_string_member (item, "reason", r->reason);
              json_array_add_object_element (list, item);
            }
          n++;
        }
      if (page->len > 0)
        {
          g_free (after_id);
          after_id = g_strdup (g_array_index (page, Recycled, page->len - 1).id);
        }
    }
  while (page->len == RECYCLE_PAGE);

  if (!kehu_store_commit (store, error))
    goto failed;

  if (recycled != NULL)
    *recycled = g_steal_pointer (&list);
  return n;

failed:
  kehu_store_rollback (store);
  return -1;
}
