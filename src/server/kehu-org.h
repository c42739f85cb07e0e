/* kehu-org.h: organisation operations shared by routes and the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-record.h"
#include "kehu-store.h"

G_BEGIN_DECLS

char       *kehu_org_get_founder           (KehuStore   *store);
gboolean    kehu_org_set_enabled           (KehuStore   *store,
                                            const char  *user_id,
                                            gboolean     enabled,
                                            GDateTime   *now,
                                            GError     **error);
gboolean    kehu_org_set_super_admin       (KehuStore   *store,
                                            const char  *user_id,
                                            gboolean     super_admin,
                                            GDateTime   *now,
                                            GError     **error);
int         kehu_org_hand_over_customers   (KehuContext *ctx,
                                            const char  *from_user_id,
                                            const char  *to_user_id,
                                            const char  *pool_id,
                                            GError     **error);
char       *kehu_org_ensure_top_department (KehuStore   *store,
                                            GDateTime   *now,
                                            GError     **error);
char       *kehu_org_create_super_admin    (KehuStore   *store,
                                            const char  *phone,
                                            const char  *name,
                                            const char  *password,
                                            GDateTime   *now,
                                            GError     **error);

G_END_DECLS
