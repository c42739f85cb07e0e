/* kehu-migrations.h: the numbered schema migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int         version;
  const char *sql;
} KehuMigration;

/* Migrations in ascending order; migration i brings the schema to version i + 1. */
const KehuMigration *kehu_migrations_get (guint *n_migrations);

G_END_DECLS
