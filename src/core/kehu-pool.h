/* kehu-pool.h: the public pool — owners, claim limits, caps, recycling
 *
 * The one implementation of the pool rules: kehu-server runs it
 * authoritatively, the app runs it on its local store or cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-perm.h"
#include "kehu-record.h"

G_BEGIN_DECLS

#define KEHU_POOL_ERROR (kehu_pool_error_quark ())

typedef enum
{
  KEHU_POOL_ERROR_NOT_IN_POOL,
  KEHU_POOL_ERROR_NOT_MEMBER,
  KEHU_POOL_ERROR_CLAIM_LIMIT,
  KEHU_POOL_ERROR_OWNED_CAP,
  KEHU_POOL_ERROR_LOCKED_CAP,
  KEHU_POOL_ERROR_COOLDOWN,
  KEHU_POOL_ERROR_NOT_OWNED,
  KEHU_POOL_ERROR_NOT_FOUND,      /* no such customer, or outside the user's scope */
  KEHU_POOL_ERROR_INVALID_OWNER,  /* assign to a user who is not an enabled user */
  KEHU_POOL_ERROR_INVALID_CURSOR,
} KehuPoolError;

/* Which limit stopped a claim, assignment or lock, and when it lifts. */
typedef struct
{
  const char *limit;       /* "day", "week", "month", "owned", "locked", "cooldown" */
  gint64      max;
  gint64      used;
  char       *resets_at;   /* ISO 8601 UTC, or NULL when it never lifts by itself */
} KehuPoolLimitInfo;

GQuark      kehu_pool_error_quark        (void);
void        kehu_pool_limit_info_clear   (KehuPoolLimitInfo *info);

/* Every function takes who acts and when from @ctx (user id, now, time
 * zone) and runs in a transaction of its own (a savepoint inside the
 * caller's). @perm (nullable): the acting user's permissions; %NULL skips
 * membership, scope and role-based claim limits (a store without users).
 * With kehu_context_set_assign_revs() each changed customer gets a new rev;
 * on a client cache the move is queued for the server as an action. */
gboolean    kehu_pool_claim              (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);
gboolean    kehu_pool_assign             (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          const char         *owner_id,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);
gboolean    kehu_pool_return             (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          const char         *reason,
                                          GError            **error);
gboolean    kehu_pool_set_locked         (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          gboolean            locked,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);

/* One customer's change of owner, without checks (transfer, disabling a
 * user); @action is written to the oplog and pool history. */
gboolean    kehu_pool_set_owner          (KehuContext        *ctx,
                                          const char         *customer_id,
                                          const char         *owner_id,
                                          const char         *action,
                                          GError            **error);
gboolean    kehu_pool_put_back           (KehuContext        *ctx,
                                          const char         *customer_id,
                                          const char         *pool_id,
                                          const char         *action,
                                          const char         *reason,
                                          GError            **error);

gboolean    kehu_pool_is_member          (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          const char         *pool_id,
                                          gboolean            as_admin);

/* Customers the recycle job will take, soonest first, at most @limit
 * after the cursor @after (from @next of the previous page). Items:
 * customer_id, name, owner_id, due_at, remind_from, reason, days_left,
 * remind. */
JsonArray  *kehu_pool_due                (KehuContext        *ctx,
                                          KehuPerm           *perm,
                                          gboolean            only_reminders,
                                          const char         *after,
                                          guint               limit,
                                          char              **next,
                                          GError            **error);
int         kehu_pool_recycle            (KehuContext        *ctx,
                                          JsonArray         **recycled,
                                          GError            **error);

G_END_DECLS
