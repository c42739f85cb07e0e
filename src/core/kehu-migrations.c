/* kehu-migrations.c: the numbered schema migrations
 *
 * Each entry takes the database from version - 1 to version. Never edit a
 * migration that has shipped: add a new one. The same list builds the
 * server's database and every client cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-store"

#include "config.h"

#include "kehu-migrations.h"

static const KehuMigration migrations[] = {
  { 1,
    "CREATE TABLE kehu_meta ("
    "  key   TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT"
    ") STRICT;"
    "INSERT INTO kehu_meta (key, value) VALUES ('created_at', strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'));"
  },
};

const KehuMigration *
kehu_migrations_get (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
