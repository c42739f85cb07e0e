/* kehu-pool.h: the public pool — owners, claim limits, caps, recycling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

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
