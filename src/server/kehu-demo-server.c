/* kehu-demo-server.c: --demo, a realistic company in an empty database
 *
 * Only a database without users is seeded, so restarting with --demo
 * keeps what people did. Every demo user logs in with the password
 * "kehu-demo"; the super administrator's phone is 13800000000.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-demo-server.h"
#include "kehu-org.h"

static gboolean
has_users (KehuStore *store)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, "SELECT 1 FROM users LIMIT 1", "");
  gboolean found = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return found;
}

gboolean
kehu_demo_server_seed (KehuStore  *store,
                       GError    **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *admin = NULL;

  if (has_users (store))
    return TRUE;

  admin = kehu_org_create_super_admin (store, KEHU_DEMO_SUPER_ADMIN_PHONE, "王总",
                                       KEHU_DEMO_PASSWORD, now, error);
  return admin != NULL;
}
