/* kehu-record-actions.c: what the lists do to many records at once
 *
 * Thin loops over the core's record API inside one transaction, so a bulk
 * action either happens to every selected record or to none. The pool
 * moves (claim, assign, return, lock) are core's kehu_pool_*(): the same
 * rules, history and oplog rows as on the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-pool.h"
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

/* The acting user's permissions for the pool rules; NULL (all allowed)
 * on a store without users, as the lists treat it. */
static KehuPerm *
load_perm (KehuContext *ctx)
{
  const char *user_id = kehu_context_get_user_id (ctx);

  if (user_id == NULL)
    return NULL;
  return kehu_perm_load (kehu_context_get_store (ctx), user_id, NULL);
}

gboolean
kehu_record_actions_set_locked (KehuContext        *ctx,
                                const char * const *ids,
                                gboolean            locked,
                                GError            **error)
{
  g_autoptr(KehuPerm) perm = load_perm (ctx);

  return kehu_pool_set_locked (ctx, perm, ids, locked, NULL, error);
}

/* Core's claim run on the cache and taken back: FALSE (with its error)
 * when a limit, the cool-down or the pool's membership refuses. Other
 * failures (a cache that lacks the user's roles yet) leave it to the
 * server. */
static gboolean
claim_allowed_here (KehuContext        *ctx,
                    KehuPerm           *perm,
                    const char * const *ids,
                    GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (perm == NULL || !kehu_context_begin (ctx, NULL))
    return TRUE;
  ok = kehu_pool_claim (ctx, perm, ids, NULL, &local_error);
  kehu_context_rollback (ctx);
  if (ok || local_error->domain != KEHU_POOL_ERROR ||
      (local_error->code != KEHU_POOL_ERROR_CLAIM_LIMIT && local_error->code != KEHU_POOL_ERROR_OWNED_CAP &&
       local_error->code != KEHU_POOL_ERROR_COOLDOWN && local_error->code != KEHU_POOL_ERROR_NOT_MEMBER))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
kehu_record_actions_claim (KehuContext        *ctx,
                           const char * const *ids,
                           GError            **error)
{
  g_autoptr(KehuPerm) perm = load_perm (ctx);

  /* On a client cache only the server may decide (claim limits): the
   * claim is tentative until it answers. */
  if (kehu_context_get_outbox (ctx))
    {
      /* But what the cache knows already refuses (the pool's limits and
       * cool-down come with the pull): say so now, not after the sync. */
      if (!claim_allowed_here (ctx, perm, ids, error))
        return FALSE;
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
  return kehu_pool_claim (ctx, perm, ids, NULL, error);
}

gboolean
kehu_record_actions_assign (KehuContext        *ctx,
                            const char * const *ids,
                            const char         *user_id,
                            GError            **error)
{
  g_autoptr(KehuPerm) perm = load_perm (ctx);

  g_return_val_if_fail (user_id != NULL, FALSE);
  return kehu_pool_assign (ctx, perm, ids, user_id, NULL, error);
}

gboolean
kehu_record_actions_return (KehuContext        *ctx,
                            const char * const *ids,
                            const char         *reason,
                            GError            **error)
{
  g_autoptr(KehuPerm) perm = load_perm (ctx);

  return kehu_pool_return (ctx, perm, ids, reason, error);
}
