/* kehu-demo-server.c: --demo, a realistic company in an empty database
 *
 * Only a database without users is seeded, so restarting with --demo
 * keeps what people did. The company itself comes from libkehu-core's
 * generator (kehu-demo.c); here every demo user gets the password
 * "kehu-demo", hashed with Argon2id (each with its own salt), and the
 * super administrator (phone 13800000000) becomes the founder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-demo-server.h"
#include "kehu-demo.h"
#include "kehu-org.h"

static gboolean
has_users (KehuStore *store)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, "SELECT 1 FROM users LIMIT 1", "");
  gboolean found = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return found;
}

static char *
demo_password_cb (const char *user_id,
                  const char *phone,
                  gpointer    user_data)
{
  return kehu_auth_hash_password (KEHU_DEMO_PASSWORD, NULL);
}

gboolean
kehu_demo_server_seed (KehuStore  *store,
                       GError    **error)
{
  KehuDemoOptions options;
  KehuDemoStats stats;

  if (has_users (store))
    return TRUE;

  kehu_demo_options_init_demo (&options);
  options.password_func = demo_password_cb;
  if (!kehu_demo_generate (store, &options, &stats, error))
    return FALSE;

  if (kehu_sql_run (store, error,
                    "INSERT OR REPLACE INTO kehu_meta (key, value) VALUES ('founder_user_id', ?1)",
                    "s", KEHU_DEMO_ADMIN_ID) < 0)
    return FALSE;

  g_message ("Demo company: %u users, %u customers, %u contacts, %u opportunities, %u contracts",
             stats.n_users, stats.n_customers, stats.n_contacts, stats.n_opportunities, stats.n_contracts);
  return TRUE;
}
