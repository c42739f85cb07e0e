/* kehu-record-actions.c: what the lists do to many records at once
 *
 * Thin loops over the core's record API inside one transaction, so a bulk
 * action either happens to every selected record or to none. The pool
 * moves (claim, assign, return) write read-only columns (pool_id,
 * pooled_at…) through a trusted context and leave a pool_history row and an
 * oplog row, as the server does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-record-actions.h"
#include "kehu-sync.h"

typedef gboolean (*EachFunc) (KehuContext  *ctx,
                              const char   *module,
                              const char   *id,
                              gpointer      data,
                              GError      **error);

static gboolean
for_each (KehuContext        *ctx,
          const char         *module,
          const char * const *ids,
          EachFunc            func,
          gpointer            data,
          GError            **error)
{
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  for (guint i = 0; ids[i]; i++)
    if (!func (ctx, module, ids[i], data, error))
      {
        kehu_context_rollback (ctx);
        return FALSE;
      }
  return kehu_context_commit (ctx, error);
}

static gboolean
delete_one (KehuContext *ctx, const char *module, const char *id, gpointer data, GError **error)
{
  return kehu_record_delete (ctx, module, id, error);
}

static gboolean
restore_one (KehuContext *ctx, const char *module, const char *id, gpointer data, GError **error)
{
  return kehu_record_restore (ctx, module, id, error);
}

gboolean
kehu_record_actions_delete (KehuContext        *ctx,
                            const char         *module,
                            const char * const *ids,
                            GError            **error)
{
  return for_each (ctx, module, ids, delete_one, NULL, error);
}

gboolean
kehu_record_actions_restore (KehuContext        *ctx,
                             const char         *module,
                             const char * const *ids,
                             GError            **error)
{
  return for_each (ctx, module, ids, restore_one, NULL, error);
}

static gboolean
lock_one (KehuContext *ctx, const char *module, const char *id, gpointer data, GError **error)
{
  g_autoptr(JsonObject) changes = json_object_new ();

  json_object_set_boolean_member (changes, "is_locked", GPOINTER_TO_INT (data));
  return kehu_record_update (ctx, module, id, changes, error);
}

gboolean
kehu_record_actions_set_locked (KehuContext        *ctx,
                                const char * const *ids,
                                gboolean            locked,
                                GError            **error)
{
  return for_each (ctx, "customers", ids, lock_one, GINT_TO_POINTER (locked), error);
}

static gboolean
add_pool_history (KehuContext  *ctx,
                  const char   *customer_id,
                  const char   *pool_id,
                  const char   *action,
                  const char   *from_owner,
                  const char   *to_owner,
                  const char   *reason,
                  GError      **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  g_autofree char *now = kehu_context_now_string (ctx);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store),
                           "INSERT INTO pool_history (customer_id, pool_id, action, user_id,"
                           " from_owner_id, to_owner_id, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, customer_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, pool_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, kehu_context_get_user_id (ctx), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, from_owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, to_owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, reason, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

typedef struct
{
  const char *action;   /* claim, assign, return */
  const char *owner_id; /* claim, assign */
  const char *reason;   /* return */
} PoolMove;

static gboolean
pool_move_one (KehuContext *ctx, const char *module, const char *id, gpointer data, GError **error)
{
  const PoolMove *move = data;
  g_autoptr(JsonObject) record = kehu_record_get (ctx, "customers", id, error);
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *now = kehu_context_now_string (ctx);
  const char *owner, *pool_id;
  gboolean trusted = kehu_context_get_trusted (ctx);
  gboolean ok;

  if (record == NULL)
    return FALSE;
  owner = json_object_get_string_member_with_default (record, "owner_id", NULL);
  pool_id = json_object_get_string_member_with_default (record, "pool_id", NULL);

  if (g_strcmp0 (move->action, "return") == 0)
    {
      if (owner == NULL)
        {
          g_set_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_INVALID,
                       _("“%s” is already in the public pool"),
                       json_object_get_string_member_with_default (record, "name", id));
          return FALSE;
        }
      if (pool_id == NULL)
        pool_id = KEHU_ID_DEFAULT_POOL;
      json_object_set_null_member (changes, "owner_id");
      json_object_set_string_member (changes, "pool_id", pool_id);
      json_object_set_string_member (changes, "pooled_at", now);
      json_object_set_string_member (changes, "former_owner_id", owner);
      json_object_set_string_member (changes, "return_reason", move->reason);
      json_object_set_boolean_member (changes, "is_locked", FALSE);
    }
  else
    {
      if (owner != NULL)
        {
          g_set_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_INVALID,
                       _("“%s” is no longer in the public pool"),
                       json_object_get_string_member_with_default (record, "name", id));
          return FALSE;
        }
      json_object_set_string_member (changes, "owner_id", move->owner_id);
      json_object_set_null_member (changes, "pool_id");
      json_object_set_null_member (changes, "pooled_at");
      json_object_set_string_member (changes, "owned_since", now);
    }

  kehu_context_set_trusted (ctx, TRUE);
  ok = kehu_record_update (ctx, "customers", id, changes, error);
  kehu_context_set_trusted (ctx, trusted);

  return ok && add_pool_history (ctx, id, pool_id, move->action, owner,
                                 move->owner_id, move->reason, error);
}

gboolean
kehu_record_actions_claim (KehuContext        *ctx,
                           const char * const *ids,
                           GError            **error)
{
  PoolMove move = { "claim", kehu_context_get_user_id (ctx), NULL };

  /* On a client cache only the server may decide (claim limits): the
   * claim is tentative until it answers. */
  if (kehu_context_get_outbox (ctx))
    {
      if (!kehu_context_begin (ctx, error))
        return FALSE;
      for (guint i = 0; ids[i] != NULL; i++)
        if (!kehu_sync_claim (ctx, ids[i], error))
          {
            kehu_context_rollback (ctx);
            return FALSE;
          }
      if (!kehu_context_commit (ctx, error))
        {
          kehu_context_rollback (ctx);
          return FALSE;
        }
      return TRUE;
    }
  return for_each (ctx, "customers", ids, pool_move_one, &move, error);
}

gboolean
kehu_record_actions_assign (KehuContext        *ctx,
                            const char * const *ids,
                            const char         *user_id,
                            GError            **error)
{
  PoolMove move = { "assign", user_id, NULL };

  g_return_val_if_fail (user_id != NULL, FALSE);
  return for_each (ctx, "customers", ids, pool_move_one, &move, error);
}

gboolean
kehu_record_actions_return (KehuContext        *ctx,
                            const char * const *ids,
                            const char         *reason,
                            GError            **error)
{
  PoolMove move = { "return", NULL, reason };

  return for_each (ctx, "customers", ids, pool_move_one, &move, error);
}
