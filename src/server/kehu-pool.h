/* kehu-pool.h: the public pool — owners, claim limits, caps, recycling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include <json-glib/json-glib.h>

#include "kehu-perm.h"
#include "kehu-store.h"

G_BEGIN_DECLS

gboolean    kehu_oplog_add               (KehuStore   *store,
                                          const char  *module,
                                          const char  *record_id,
                                          const char  *user_id,
                                          const char  *at,
                                          const char  *action,
                                          const char  *field,
                                          const char  *old_value,
                                          const char  *new_value,
                                          GError     **error);

gboolean    kehu_pool_set_owner          (KehuStore   *store,
                                          const char  *customer_id,
                                          const char  *owner_id,
                                          const char  *by_user_id,
                                          const char  *action,
                                          GDateTime   *now,
                                          GError     **error);
gboolean    kehu_pool_put_back           (KehuStore   *store,
                                          const char  *customer_id,
                                          const char  *pool_id,
                                          const char  *by_user_id,
                                          const char  *action,
                                          const char  *reason,
                                          GDateTime   *now,
                                          GError     **error);

G_END_DECLS

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

gboolean    kehu_pool_claim              (KehuStore          *store,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          GDateTime          *now,
                                          GTimeZone          *tz,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);
gboolean    kehu_pool_assign             (KehuStore          *store,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          const char         *owner_id,
                                          GDateTime          *now,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);
gboolean    kehu_pool_return             (KehuStore          *store,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          const char         *reason,
                                          GDateTime          *now,
                                          GError            **error);
gboolean    kehu_pool_set_locked         (KehuStore          *store,
                                          KehuPerm           *perm,
                                          const char * const *ids,
                                          gboolean            locked,
                                          GDateTime          *now,
                                          KehuPoolLimitInfo  *info,
                                          GError            **error);
JsonArray  *kehu_pool_due                (KehuStore          *store,
                                          KehuPerm           *perm,
                                          GDateTime          *now,
                                          gboolean            only_reminders,
                                          GError            **error);
int         kehu_pool_recycle            (KehuStore          *store,
                                          GDateTime          *now,
                                          JsonArray         **recycled,
                                          GError            **error);
gboolean    kehu_pool_is_member          (KehuStore          *store,
                                          KehuPerm           *perm,
                                          const char         *pool_id,
                                          gboolean            as_admin);

G_END_DECLS
