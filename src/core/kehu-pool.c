/* kehu-pool.c: the public pool — owners, claim limits, caps, recycling
 *
 * A customer with no owner is in a pool (customers.pool_id). Every change
 * of owner goes through kehu_pool_set_owner() or kehu_pool_put_back(), so
 * that the operation log, the pool history and the revision are written
 * the same way by transfer, claim, assign, return and the recycle job, in
 * kehu-server and in the app alike.
 *
 * The recycle job moves tens of thousands of customers in one run: each
 * public function keeps its statements prepared for its whole run (a small
 * cache keyed by the SQL text) instead of preparing ~14 per customer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-core"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-pool.h"
#include "kehu-sync.h"

G_DEFINE_QUARK (kehu-pool-error-quark, kehu_pool_error)

static const char * const owner_fields[] = { "owner_id", "owned_since", "pooled_at", "updated_at", NULL };
static const char * const pool_fields[] = {
  "owner_id", "pool_id", "pooled_at", "former_owner_id", "return_reason", "is_locked", "owned_since",
  "updated_at", NULL
};
static const char * const lock_fields[] = { "is_locked", "updated_at", NULL };

/* One run of a public function: the context and its prepared statements. */
typedef struct
{
  KehuContext *ctx;
  KehuStore   *store;
  sqlite3     *db;
  GHashTable  *stmts;   /* SQL text → sqlite3_stmt */
  GDateTime   *now;
  char        *at;      /* now as stored */
} Pool;

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
pool_init (Pool        *pool,
           KehuContext *ctx)
{
  g_autoptr(GDateTime) now = kehu_context_get_now (ctx);

  pool->ctx = ctx;
  pool->store = kehu_context_get_store (ctx);
  pool->db = kehu_store_get_db (pool->store);
  pool->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_stmt);
  pool->now = g_date_time_to_utc (now);
  pool->at = g_date_time_format (pool->now, "%Y-%m-%dT%H:%M:%SZ");
}

static void
pool_clear (Pool *pool)
{
  g_clear_pointer (&pool->stmts, g_hash_table_unref);
  g_clear_pointer (&pool->now, g_date_time_unref);
  g_clear_pointer (&pool->at, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pool, pool_clear)

static char *
iso_from_datetime (GDateTime *datetime)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (datetime);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The statement for @sql, prepared on first use and reset after, with
 * @types binding the arguments: s text (NULL binds NULL), i gint64,
 * b gboolean. The caller resets it when done with its rows. */
static sqlite3_stmt *
pool_stmt_va (Pool        *pool,
              GError     **error,
              const char  *sql,
              const char  *types,
              va_list      args)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (pool->stmts, sql);

  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v2 (pool->db, sql, -1, &stmt, NULL);

      if (rc != SQLITE_OK)
        {
          kehu_store_set_error_from_db (pool->store, rc, error);
          return NULL;
        }
      g_hash_table_insert (pool->stmts, (gpointer) sql, stmt);
    }
  else
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }

  kehu_store_bind_va (stmt, types, args);

  return stmt;
}

static sqlite3_stmt *
pool_stmt (Pool        *pool,
           GError     **error,
           const char  *sql,
           const char  *types,
           ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = pool_stmt_va (pool, error, sql, types, args);
  va_end (args);
  return stmt;
}

/* Runs a statement that returns no rows: FALSE with @error set on failure. */
static gboolean
pool_run (Pool        *pool,
          GError     **error,
          const char  *sql,
          const char  *types,
          ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  va_start (args, types);
  stmt = pool_stmt_va (pool, error, sql, types, args);
  va_end (args);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (pool->store, rc, error);
  return TRUE;
}

/* The first column of the first row as an integer, @fallback when there
 * is none or it is NULL. */
static gint64
pool_int (Pool        *pool,
          gint64       fallback,
          const char  *sql,
          const char  *types,
          ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  gint64 value = fallback;

  va_start (args, types);
  stmt = pool_stmt_va (pool, NULL, sql, types, args);
  va_end (args);
  if (stmt == NULL)
    return fallback;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

static char *
pool_text (Pool        *pool,
           const char  *sql,
           const char  *types,
           ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  char *value = NULL;

  va_start (args, types);
  stmt = pool_stmt_va (pool, NULL, sql, types, args);
  va_end (args);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

static gboolean
add_oplog (Pool        *pool,
           const char  *customer_id,
           const char  *action,
           const char  *field,
           const char  *old_value,
           const char  *new_value,
           GError     **error)
{
  return pool_run (pool, error,
                   "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
                   "VALUES ('customers', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   "sssssss", customer_id, kehu_context_get_user_id (pool->ctx), pool->at, action, field,
                   old_value, new_value);
}

static gboolean
add_history (Pool        *pool,
             const char  *customer_id,
             const char  *pool_id,
             const char  *action,
             const char  *from_owner,
             const char  *to_owner,
             const char  *reason,
             GError     **error)
{
  return pool_run (pool, error,
                   "INSERT INTO pool_history (customer_id, pool_id, action, user_id, from_owner_id, "
                   "to_owner_id, at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                   "ssssssss", customer_id, pool_id, action, kehu_context_get_user_id (pool->ctx),
                   from_owner, to_owner, pool->at, reason);
}

/* On the server: a new rev from sync_changes (its rowid, as pull expects)
 * and the rev of each changed field for the field-level merge. */
static gboolean
bump_rev (Pool               *pool,
          const char         *customer_id,
          const char * const *fields,
          GError            **error)
{
  gint64 rev;

  if (!kehu_context_get_assign_revs (pool->ctx))
    return TRUE;
  if (!pool_run (pool, error, "INSERT INTO sync_changes (module, record_id, at) VALUES ('customers', ?1, ?2)",
                 "ss", customer_id, pool->at))
    return FALSE;
  rev = sqlite3_last_insert_rowid (pool->db);
  if (!pool_run (pool, error, "UPDATE customers SET rev = ?1 WHERE id = ?2", "is", rev, customer_id))
    return FALSE;
  for (guint i = 0; fields[i] != NULL; i++)
    if (!pool_run (pool, error,
                   "INSERT INTO field_revs (module, record_id, field, rev) VALUES ('customers', ?1, ?2, ?3) "
                   "ON CONFLICT (module, record_id, field) DO UPDATE SET rev = excluded.rev",
                   "ssi", customer_id, fields[i], rev))
      return FALSE;
  return TRUE;
}

/* On a client cache the server decides: the move shows at once and goes
 * to the outbox as an action. */
static gboolean
queue_action (Pool        *pool,
              const char  *customer_id,
              const char  *action,
              JsonObject  *args,
              GError     **error)
{
  g_autoptr(JsonObject) empty = NULL;

  if (!kehu_context_get_outbox (pool->ctx))
    return TRUE;
  if (args == NULL)
    args = empty = json_object_new ();
  return kehu_sync_queue_action (pool->ctx, "customers", customer_id, action, args, error);
}

static char *
current_owner (Pool        *pool,
               const char  *customer_id,
               char       **pool_id)
{
  sqlite3_stmt *stmt = pool_stmt (pool, NULL, "SELECT owner_id, pool_id FROM customers WHERE id = ?1", "s",
                                  customer_id);
  char *owner = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *pool_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return owner;
}

static char *
default_pool (Pool *pool)
{
  return pool_text (pool,
                    "SELECT id FROM pools WHERE deleted_at IS NULL AND is_enabled = 1 "
                    "ORDER BY is_default DESC, created_at, id LIMIT 1", "");
}

static gboolean
set_owner (Pool        *pool,
           const char  *customer_id,
           const char  *owner_id,
           const char  *action,
           GError     **error)
{
  g_autofree char *pool_id = NULL;
  g_autofree char *old_owner = current_owner (pool, customer_id, &pool_id);

  if (!pool_run (pool, error,
                 "UPDATE customers SET owner_id = ?1, owned_since = ?2, updated_at = ?2, pooled_at = NULL "
                 "WHERE id = ?3",
                 "sss", owner_id, pool->at, customer_id) ||
      !add_oplog (pool, customer_id, action, "owner_id", old_owner, owner_id, error) ||
      (!g_str_equal (action, "transfer") &&
       !add_history (pool, customer_id, pool_id, action, old_owner, owner_id, NULL, error)))
    return FALSE;

  return bump_rev (pool, customer_id, owner_fields, error);
}

static gboolean
put_back (Pool        *pool,
          const char  *customer_id,
          const char  *pool_id,
          const char  *fallback_pool,
          const char  *action,
          const char  *reason,
          GError     **error)
{
  g_autofree char *home_pool = NULL;
  g_autofree char *old_owner = current_owner (pool, customer_id, &home_pool);
  g_autofree char *fallback = NULL;
  const char *target = pool_id ? pool_id : home_pool ? home_pool : fallback_pool;

  if (target == NULL)
    target = fallback = default_pool (pool);

  if (!pool_run (pool, error,
                 "UPDATE customers SET owner_id = NULL, pool_id = ?1, pooled_at = ?2, updated_at = ?2, "
                 "former_owner_id = ?3, return_reason = ?4, is_locked = 0, owned_since = NULL "
                 "WHERE id = ?5",
                 "sssss", target, pool->at, old_owner, reason, customer_id) ||
      !add_oplog (pool, customer_id, action, "owner_id", old_owner, NULL, error) ||
      !add_history (pool, customer_id, target, action, old_owner, NULL, reason, error))
    return FALSE;

  return bump_rev (pool, customer_id, pool_fields, error);
}

/* Runs @ok's writes as one: commits when they all succeeded. */
static gboolean
finish (KehuContext  *ctx,
        gboolean      ok,
        GError      **error)
{
  if (!ok || !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

void
kehu_pool_limit_info_clear (KehuPoolLimitInfo *info)
{
  if (info != NULL)
    g_clear_pointer (&info->resets_at, g_free);
}

/**
 * kehu_pool_set_owner:
 * @action: "transfer", "claim" or "assign"
 *
 * Gives the customer a new owner and restarts its recycle clock. The pool
 * it came from stays in pool_id as its home pool, whose rules recycle it.
 */
gboolean
kehu_pool_set_owner (KehuContext  *ctx,
                     const char   *customer_id,
                     const char   *owner_id,
                     const char   *action,
                     GError      **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, set_owner (&pool, customer_id, owner_id, action, error), error);
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
kehu_pool_put_back (KehuContext  *ctx,
                    const char   *customer_id,
                    const char   *pool_id,
                    const char   *action,
                    const char   *reason,
                    GError      **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, put_back (&pool, customer_id, pool_id, NULL, action, reason, error), error);
}

/* Pools a user belongs to: as a user, or through their department or any
 * department above it. A pool without members is open to everyone. */
static gboolean
is_member (Pool       *pool,
           KehuPerm   *perm,
           const char *pool_id,
           gboolean    as_admin)
{
  if (perm == NULL || kehu_perm_is_super_admin (perm))
    return TRUE;

  /* As an administrator: named as one. As a member: named, or the pool
   * names nobody. */
  return pool_int (pool, 0,
                   "WITH RECURSIVE up (id) AS (SELECT ?2 UNION "
                   "  SELECT d.parent_id FROM departments d JOIN up ON d.id = up.id WHERE d.parent_id IS NOT NULL) "
                   "SELECT (?4 = 0 AND NOT EXISTS (SELECT 1 FROM pool_members WHERE pool_id = ?1)) "
                   "    OR EXISTS (SELECT 1 FROM pool_members WHERE pool_id = ?1 AND (?4 = 0 OR is_admin = 1) AND ("
                   "         (member_type = 'user' AND member_id = ?3) OR"
                   "         (member_type = 'department' AND member_id IN up)))",
                   "sssb", pool_id, kehu_perm_get_department_id (perm), kehu_perm_get_user_id (perm),
                   as_admin) != 0;
}

gboolean
kehu_pool_is_member (KehuContext *ctx,
                     KehuPerm    *perm,
                     const char  *pool_id,
                     gboolean     as_admin)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  return is_member (&pool, perm, pool_id, as_admin);
}

typedef struct
{
  char     *id;
  char     *name;
  char     *owner_id;
  char     *pool_id;
  char     *former_owner_id;
  char     *pooled_at;
  gboolean  locked;
} Customer;

static void
customer_free (gpointer data)
{
  Customer *c = data;

  g_free (c->id);
  g_free (c->name);
  g_free (c->owner_id);
  g_free (c->pool_id);
  g_free (c->former_owner_id);
  g_free (c->pooled_at);
  g_free (c);
}

static GPtrArray *
load_customers (Pool                *pool,
                const char * const  *ids,
                GError             **error)
{
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (customer_free);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = pool_stmt (pool, error,
                                      "SELECT id, name, owner_id, pool_id, former_owner_id, pooled_at, is_locked "
                                      "FROM customers WHERE id = ?1 AND deleted_at IS NULL",
                                      "s", ids[i]);
      Customer *c;

      if (stmt == NULL)
        return NULL;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_FOUND, _("There is no customer “%s”"), ids[i]);
          return NULL;
        }
      c = g_new0 (Customer, 1);
      c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      c->pool_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      c->former_owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      c->pooled_at = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      c->locked = sqlite3_column_int (stmt, 6) != 0;
      sqlite3_reset (stmt);
      g_ptr_array_add (customers, c);
    }

  return g_steal_pointer (&customers);
}

/* A customer's name for messages, its id when it has none. */
static const char *
customer_label (const Customer *c)
{
  return c->name != NULL && c->name[0] != '\0' ? c->name : c->id;
}

static gint64
pool_setting (Pool       *pool,
              const char *pool_id,
              const char *sql,
              gint64      fallback)
{
  return pool_int (pool, fallback, sql, "s", pool_id);
}

#define MAX_OWNED_SQL "SELECT max_owned_per_user FROM pools WHERE id = ?1"
#define MAX_LOCKED_SQL "SELECT max_locked_per_user FROM pools WHERE id = ?1"
#define COOLDOWN_SQL "SELECT reclaim_cooldown_days FROM pools WHERE id = ?1"

static gboolean
check_owned_cap (Pool               *pool,
                 const char         *owner_id,
                 const char         *pool_id,
                 guint               adding,
                 KehuPoolLimitInfo  *info,
                 GError            **error)
{
  gint64 cap = pool_setting (pool, pool_id, MAX_OWNED_SQL, -1);
  gint64 owned;

  if (cap < 0)
    return TRUE;
  owned = pool_int (pool, 0, "SELECT count(*) FROM customers WHERE owner_id = ?1 AND deleted_at IS NULL",
                    "s", owner_id);
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
check_claim_limits (Pool               *pool,
                    KehuPerm           *perm,
                    const char         *pool_id,
                    guint               adding,
                    KehuPoolLimitInfo  *info,
                    GError            **error)
{
  static const char * const periods[] = { "day", "week", "month" };
  static const char * const sqls[] = {
    "SELECT per_day FROM pool_claim_limits WHERE pool_id = ?1 AND role_id = ?2",
    "SELECT per_week FROM pool_claim_limits WHERE pool_id = ?1 AND role_id = ?2",
    "SELECT per_month FROM pool_claim_limits WHERE pool_id = ?1 AND role_id = ?2",
  };
  static const char * const period_names[] = { N_("day"), N_("week"), N_("month") };
  GTimeZone *tz = kehu_context_get_time_zone (pool->ctx);
  g_autoptr(GTimeZone) local = tz ? NULL : g_time_zone_new_local ();
  const char * const *roles;

  if (perm == NULL)
    return TRUE;
  roles = kehu_perm_get_role_ids (perm);

  for (guint p = 0; p < G_N_ELEMENTS (periods); p++)
    {
      gint64 max = -1;
      gboolean any_row = FALSE;
      gboolean unlimited = FALSE;
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;
      g_autofree char *start_iso = NULL;
      gint64 used;

      /* The most generous of the user's roles applies. */
      for (guint r = 0; roles != NULL && roles[r] != NULL; r++)
        {
          sqlite3_stmt *stmt = pool_stmt (pool, NULL, sqls[p], "ss", pool_id, roles[r]);

          if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
            {
              any_row = TRUE;
              if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
                unlimited = TRUE;
              else
                max = MAX (max, sqlite3_column_int64 (stmt, 0));
            }
          if (stmt != NULL)
            sqlite3_reset (stmt);
        }
      if (!any_row || unlimited || max < 0)
        continue;

      period_bounds (pool->now, tz ? tz : local, periods[p], &start, &end);
      start_iso = iso_from_datetime (start);
      used = pool_int (pool, 0,
                       "SELECT count(*) FROM pool_history WHERE action = 'claim' AND to_owner_id = ?1 "
                       "AND pool_id = ?2 AND at >= ?3",
                       "sss", kehu_perm_get_user_id (perm), pool_id, start_iso);
      if (used + adding > max)
        {
          g_autofree char *resets = iso_from_datetime (end);

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

static void
count_into (GHashTable *counts,
            const char *key)
{
  g_hash_table_insert (counts, (gpointer) key,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
}

static gboolean
claim (Pool               *pool,
       KehuPerm           *perm,
       const char * const *ids,
       KehuPoolLimitInfo  *info,
       GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (pool, ids, error);
  g_autoptr(GHashTable) per_pool = g_hash_table_new (g_str_hash, g_str_equal);
  const char *user_id = perm ? kehu_perm_get_user_id (perm) : kehu_context_get_user_id (pool->ctx);
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
                       _("The customer “%s” is not in a public pool"), customer_label (c));
          return FALSE;
        }
      if (!is_member (pool, perm, c->pool_id, FALSE))
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_MEMBER,
                       _("You are not a member of the pool of customer “%s”"), customer_label (c));
          return FALSE;
        }

      /* A customer one returned comes back to one only after the
       * pool's cool-down. */
      if (user_id != NULL && g_strcmp0 (c->former_owner_id, user_id) == 0 && c->pooled_at != NULL)
        {
          gint64 days = pool_setting (pool, c->pool_id, COOLDOWN_SQL, 0);
          g_autoptr(GDateTime) pooled = g_date_time_new_from_iso8601 (c->pooled_at, NULL);
          g_autoptr(GDateTime) until = pooled ? g_date_time_add_days (pooled, days) : NULL;

          if (until != NULL && g_date_time_compare (pool->now, until) < 0)
            {
              g_autofree char *until_iso = iso_from_datetime (until);

              if (info != NULL)
                {
                  info->limit = "cooldown";
                  info->max = days;
                  info->used = 0;
                  info->resets_at = g_strdup (until_iso);
                }
              g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_COOLDOWN,
                           _("You returned the customer “%s”; you may claim it again from %s"),
                           customer_label (c), until_iso);
              return FALSE;
            }
        }

      count_into (per_pool, c->pool_id);
    }

  g_hash_table_iter_init (&iter, per_pool);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!check_claim_limits (pool, perm, key, GPOINTER_TO_UINT (value), info, error) ||
        !check_owned_cap (pool, user_id, key, GPOINTER_TO_UINT (value), info, error))
      return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (!set_owner (pool, c->id, user_id, "claim", error) ||
          !queue_action (pool, c->id, "claim", NULL, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * kehu_pool_claim:
 *
 * The acting user takes the customers from their pools: each must be in
 * a pool the user belongs to, out of its cool-down for a former owner, and
 * within the claim limits of the user's roles and the pool's cap on owned
 * customers. All or none.
 */
gboolean
kehu_pool_claim (KehuContext        *ctx,
                 KehuPerm           *perm,
                 const char * const *ids,
                 KehuPoolLimitInfo  *info,
                 GError            **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, claim (&pool, perm, ids, info, error), error);
}

static gboolean
assign (Pool               *pool,
        KehuPerm           *perm,
        const char * const *ids,
        const char         *owner_id,
        KehuPoolLimitInfo  *info,
        GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (pool, ids, error);
  g_autoptr(GHashTable) per_pool = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  if (customers == NULL)
    return FALSE;

  if (owner_id == NULL ||
      pool_int (pool, 0, "SELECT count(*) FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL",
                "s", owner_id) == 0)
    {
      g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_INVALID_OWNER, _("“owner_id” must be an enabled user"));
      return FALSE;
    }

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->owner_id != NULL || c->pool_id == NULL)
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_IN_POOL,
                       _("The customer “%s” is not in a public pool"), customer_label (c));
          return FALSE;
        }
      /* A pool's administrators assign to anyone; others only within
       * their data scope. */
      if (perm != NULL && !is_member (pool, perm, c->pool_id, TRUE) && !kehu_perm_owner_in_scope (perm, owner_id))
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_MEMBER,
                       _("You may not assign customers of this pool to that user"));
          return FALSE;
        }
      count_into (per_pool, c->pool_id);
    }

  g_hash_table_iter_init (&iter, per_pool);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!check_owned_cap (pool, owner_id, key, GPOINTER_TO_UINT (value), info, error))
      return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_string_member (args, "owner_id", owner_id);
      if (!set_owner (pool, c->id, owner_id, "assign", error) ||
          !queue_action (pool, c->id, "assign", args, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * kehu_pool_assign:
 * @owner_id: an enabled user
 *
 * Hands pool customers to @owner_id: a pool administrator to anyone,
 * others within their data scope; the pool's cap on owned customers holds.
 */
gboolean
kehu_pool_assign (KehuContext        *ctx,
                  KehuPerm           *perm,
                  const char * const *ids,
                  const char         *owner_id,
                  KehuPoolLimitInfo  *info,
                  GError            **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, assign (&pool, perm, ids, owner_id, info, error), error);
}

static gboolean
check_owned_customers (Pool       *pool,
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
                       _("The customer “%s” has no owner"), customer_label (c));
          return FALSE;
        }
      if (perm != NULL && kehu_perm_check_record (perm, pool->store, "customers", c->id, c->owner_id) != KEHU_ACCESS_WRITE)
        {
          /* Out of scope looks like not there at all. */
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_FOUND, _("There is no customer “%s”"), c->id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
return_to_pool (Pool               *pool,
                KehuPerm           *perm,
                const char * const *ids,
                const char         *reason,
                GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (pool, ids, error);

  if (customers == NULL || !check_owned_customers (pool, perm, customers, error))
    return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_string_member (args, "reason", reason);
      if (!put_back (pool, c->id, NULL, NULL, "return", reason, error) ||
          !queue_action (pool, c->id, "return", args, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * kehu_pool_return:
 * @reason: why, kept in the customer and the pool history
 *
 * Sends owned customers in the user's scope back to their home pool.
 */
gboolean
kehu_pool_return (KehuContext        *ctx,
                  KehuPerm           *perm,
                  const char * const *ids,
                  const char         *reason,
                  GError            **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, return_to_pool (&pool, perm, ids, reason, error), error);
}

static gboolean
set_locked (Pool               *pool,
            KehuPerm           *perm,
            const char * const *ids,
            gboolean            locked,
            KehuPoolLimitInfo  *info,
            GError            **error)
{
  g_autoptr(GPtrArray) customers = load_customers (pool, ids, error);
  g_autoptr(GHashTable) per_owner = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *fallback = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (customers == NULL || !check_owned_customers (pool, perm, customers, error))
    return FALSE;

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (locked && !c->locked)
        count_into (per_owner, c->owner_id);
    }

  /* The cap of the first customer's pool (or the default pool). */
  g_hash_table_iter_init (&iter, per_owner);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Customer *first = g_ptr_array_index (customers, 0);
      const char *pool_id = first->pool_id;
      gint64 cap, already;

      if (pool_id == NULL)
        {
          if (fallback == NULL)
            fallback = default_pool (pool);
          pool_id = fallback;
        }
      cap = pool_id ? pool_setting (pool, pool_id, MAX_LOCKED_SQL, -1) : -1;
      if (cap < 0)
        continue;
      already = pool_int (pool, 0,
                          "SELECT count(*) FROM customers WHERE owner_id = ?1 AND is_locked = 1 AND deleted_at IS NULL",
                          "s", (const char *) key);
      if (already + GPOINTER_TO_UINT (value) > cap)
        {
          if (info != NULL)
            {
              info->limit = "locked";
              info->max = cap;
              info->used = already;
            }
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_LOCKED_CAP,
                       _("Locked customers per person: at most %lld, and %lld are locked already"),
                       (long long) cap, (long long) already);
          return FALSE;
        }
    }

  for (guint i = 0; i < customers->len; i++)
    {
      Customer *c = g_ptr_array_index (customers, i);

      if (c->locked == locked)
        continue;
      if (!pool_run (pool, error, "UPDATE customers SET is_locked = ?1, updated_at = ?2 WHERE id = ?3",
                     "bss", locked, pool->at, c->id) ||
          !add_oplog (pool, c->id, locked ? "lock" : "unlock", "is_locked",
                      locked ? "0" : "1", locked ? "1" : "0", error) ||
          !bump_rev (pool, c->id, lock_fields, error) ||
          !queue_action (pool, c->id, locked ? "lock" : "unlock", NULL, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * kehu_pool_set_locked:
 *
 * Locks (exempts from recycling) or unlocks owned customers in the user's
 * scope, within the pool's cap on locked customers per owner.
 */
gboolean
kehu_pool_set_locked (KehuContext        *ctx,
                      KehuPerm           *perm,
                      const char * const *ids,
                      gboolean            locked,
                      KehuPoolLimitInfo  *info,
                      GError            **error)
{
  g_auto(Pool) pool = { 0 };

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  return finish (ctx, set_locked (&pool, perm, ids, locked, info, error), error);
}

/* Every owned, unlocked customer whose pool recycles, with the time each
 * rule fires: N days without a follow-up, M without a new opportunity, D
 * without a deal, each counted from the later of that event and the day
 * the owner got the customer — in whole seconds since the epoch, a day
 * being 86400 of them, as g_date_time_add_days() counts in UTC — so that
 * only the rows asked for ever leave SQLite. %s is a further condition on
 * the customer c. Columns: id, name, owner_id, due1, due2, due3, due (the
 * earliest), remind_days. ?1 is the default pool. */
#define DUE_SQL(condition) \
  "SELECT id, name, owner_id, due1, due2, due3," \
  "  min (coalesce (due1, 9e15), coalesce (due2, 9e15), coalesce (due3, 9e15)) AS due, remind_days FROM (" \
  "  SELECT id, name, owner_id, remind_days," \
  "    CASE WHEN d1 IS NULL THEN NULL ELSE max (coalesce (since, e1), coalesce (e1, since)) + d1 * 86400 END AS due1," \
  "    CASE WHEN d2 IS NULL THEN NULL ELSE max (coalesce (since, e2), coalesce (e2, since)) + d2 * 86400 END AS due2," \
  "    CASE WHEN d3 IS NULL THEN NULL ELSE max (coalesce (since, e3), coalesce (e3, since)) + d3 * 86400 END AS due3" \
  "  FROM (" \
  "    SELECT c.id, c.name, c.owner_id, coalesce (p.remind_days, 0) AS remind_days," \
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
  "    WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.is_locked = 0 AND " condition \
  "    AND p.deleted_at IS NULL AND p.is_enabled = 1 AND p.recycle_enabled = 1)) "

/* The job: due by ?3, paged in id order after ?2, at most ?4. */
#define RECYCLE_SQL DUE_SQL ("c.id > ?2") "WHERE due <= ?3 ORDER BY id LIMIT ?4"

/* The list: in the owner scope ?2 (a JSON array, NULL for all), only
 * those whose reminder has come by ?3 when ?4, soonest first after the
 * cursor (?5, ?6), at most ?7. */
#define DUE_LIST_SQL \
  DUE_SQL ("(?2 IS NULL OR c.owner_id IN (SELECT value FROM json_each (?2)))") \
  "WHERE due < 9e15 AND (?4 = 0 OR due - remind_days * 86400 <= ?3) " \
  "AND (due > ?5 OR (due = ?5 AND id > ?6)) ORDER BY due, id LIMIT ?7"

#define RECYCLE_PAGE 1000

static const char * const due_reasons[] = { "no_followup", "no_opportunity", "no_deal" };

/* The rule that fires first (the first listed on a tie), from columns
 * 3..5 of a DUE_SQL row. */
static const char *
due_reason (sqlite3_stmt *stmt)
{
  const char *reason = NULL;
  gint64 earliest = 0;

  for (int i = 0; i < 3; i++)
    if (sqlite3_column_type (stmt, 3 + i) != SQLITE_NULL &&
        (reason == NULL || sqlite3_column_int64 (stmt, 3 + i) < earliest))
      {
        earliest = sqlite3_column_int64 (stmt, 3 + i);
        reason = due_reasons[i];
      }
  return reason;
}

static char *
iso_from_unix (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  return time ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/**
 * kehu_pool_due:
 * @perm: (nullable): only customers owned within this user's scope; %NULL
 *   for all
 * @only_reminders: only those whose reminder time has come
 * @after: (nullable): the cursor from the previous page
 * @limit: at most this many items
 * @next: (out) (optional): the cursor of the next page, %NULL on the last
 *
 * The "due to be recycled" list, soonest first, computed and paged in SQL.
 *
 * Returns: (transfer full): the items, or %NULL with @error set
 */
JsonArray *
kehu_pool_due (KehuContext  *ctx,
               KehuPerm     *perm,
               gboolean      only_reminders,
               const char   *after,
               guint         limit,
               char        **next,
               GError      **error)
{
  g_auto(Pool) pool = { 0 };
  g_autofree char *fallback = NULL;
  g_autofree char *owners = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autofree char *last_id = NULL;
  gint64 after_due = G_MININT64, last_due = 0, now_seconds;
  const char *after_id = "";
  sqlite3_stmt *stmt;
  guint n = 0;
  int rc;

  pool_init (&pool, ctx);
  now_seconds = g_date_time_to_unix (pool.now);
  if (next != NULL)
    *next = NULL;
  if (after != NULL && after[0] != '\0')
    {
      const char *colon = strchr (after, ':');
      g_autofree char *number = colon ? g_strndup (after, colon - after) : NULL;

      if (number == NULL || !g_ascii_string_to_signed (number, 10, G_MININT64, G_MAXINT64, &after_due, NULL))
        {
          g_set_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_INVALID_CURSOR,
                       _("“after” must be a cursor from the previous page"));
          return NULL;
        }
      after_id = colon + 1;
    }
  if (perm != NULL && !kehu_perm_sees_all (perm))
    owners = kehu_perm_get_owner_ids_json (perm);
  fallback = default_pool (&pool);

  stmt = pool_stmt (&pool, error, DUE_LIST_SQL, "ssibisi", fallback, owners, now_seconds, only_reminders,
                    after_due, after_id, (gint64) limit + 1);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 due = sqlite3_column_int64 (stmt, 6);
      gint64 remind = due - sqlite3_column_int64 (stmt, 7) * 86400;
      g_autofree char *due_at = iso_from_unix (due);
      g_autofree char *remind_at = iso_from_unix (remind);
      JsonObject *item;

      if (n == limit)
        {
          if (next != NULL)
            *next = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", last_due, last_id);
          break;
        }
      item = json_object_new ();
      json_object_set_string_member (item, "customer_id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (item, "name", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (item, "owner_id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (item, "due_at", due_at);
      json_object_set_string_member (item, "remind_from", remind_at);
      json_object_set_string_member (item, "reason", due_reason (stmt));
      /* Whole days, truncated as GDateTime differences are. */
      json_object_set_int_member (item, "days_left", MAX ((due - now_seconds) / 86400, 0));
      json_object_set_boolean_member (item, "remind", now_seconds >= remind);
      json_array_add_object_element (items, item);
      g_free (last_id);
      last_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      last_due = due;
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (pool.store, rc, error);
      return NULL;
    }

  return g_steal_pointer (&items);
}

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
load_recycle_page (Pool        *pool,
                   const char  *fallback_pool,
                   const char  *after_id,
                   GArray      *page,
                   GError     **error)
{
  sqlite3_stmt *stmt = pool_stmt (pool, error, RECYCLE_SQL, "ssii", fallback_pool, after_id,
                                  g_date_time_to_unix (pool->now), (gint64) RECYCLE_PAGE);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Recycled r = { 0 };

      r.id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      r.owner_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      r.reason = due_reason (stmt);
      g_array_append_val (page, r);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_SQL,
                   _("Could not read the customers due to be recycled: %s"), sqlite3_errmsg (pool->db));
      return FALSE;
    }
  return TRUE;
}

static int
recycle (Pool       *pool,
         JsonArray  *list,
         GError    **error)
{
  g_autoptr(GArray) page = g_array_new (FALSE, TRUE, sizeof (Recycled));
  g_autofree char *fallback = default_pool (pool);
  g_autofree char *after_id = g_strdup ("");
  int n = 0;

  g_array_set_clear_func (page, recycled_clear);
  do
    {
      g_array_set_size (page, 0);
      if (!load_recycle_page (pool, fallback, after_id, page, error))
        return -1;

      for (guint i = 0; i < page->len; i++)
        {
          Recycled *r = &g_array_index (page, Recycled, i);

          if (!put_back (pool, r->id, NULL, fallback, "recycle", r->reason, error))
            return -1;
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

  return n;
}

/**
 * kehu_pool_recycle:
 * @recycled: (out) (optional): the customers sent back, with the reason
 *
 * Returns every customer whose recycle time (at the context's now) has
 * come to its pool, in one transaction. Locked customers are never
 * recycled. The due customers are picked in SQL, a page at a time in id
 * order, so the job's memory does not grow with the number of owned
 * customers. The acting user (usually none: the job) goes to the logs.
 *
 * Returns: how many were recycled, or -1 with @error set
 */
int
kehu_pool_recycle (KehuContext  *ctx,
                   JsonArray   **recycled,
                   GError      **error)
{
  g_auto(Pool) pool = { 0 };
  g_autoptr(JsonArray) list = recycled ? json_array_new () : NULL;
  int n;

  pool_init (&pool, ctx);
  if (!kehu_context_begin (ctx, error))
    return -1;
  n = recycle (&pool, list, error);
  if (!finish (ctx, n >= 0, error))
    return -1;
  if (recycled != NULL)
    *recycled = g_steal_pointer (&list);
  return n;
}
