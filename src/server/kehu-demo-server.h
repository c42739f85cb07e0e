/* kehu-demo-server.h: --demo, a realistic company in an empty database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_DEMO_PASSWORD          "kehu-demo"
#define KEHU_DEMO_SUPER_ADMIN_PHONE "13800000000"

gboolean    kehu_demo_server_seed    (KehuStore  *store,
                                      GError    **error);

G_END_DECLS
