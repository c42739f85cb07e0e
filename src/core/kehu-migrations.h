/* kehu-migrations.h: the numbered schema migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KehuStore KehuStore;

typedef struct
{
  int          version;
  /* SQL in the core resource (src/core/sql/NNNN-*.sql), run first… */
  const char  *resource;
  /* …then, optionally, code, in the same transaction (seed data that
   * needs translatable labels, data conversions). */
  gboolean   (*apply) (KehuStore  *store,
                       GError    **error);
} KehuMigration;

/* Migrations in ascending order; migration i brings the schema to version i + 1. */
const KehuMigration *kehu_migrations_get      (guint                *n_migrations);
char                *kehu_migration_load_sql  (const KehuMigration  *migration,
                                               GError              **error);

G_END_DECLS
