/* kehu-migrations.c: the numbered schema migrations
 *
 * Each entry takes the database from version - 1 to version. Never edit a
 * migration that has shipped: add a new one. The same list builds the
 * server's database and every client cache. The SQL lives in src/core/sql/
 * and is compiled into the core's GResource.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-store"

#include "config.h"

#include <gio/gio.h>

#include "kehu-core-resources.h"
#include "kehu-migrations.h"
#include "kehu-report.h"
#include "kehu-schema.h"

static const KehuMigration migrations[] = {
  { 1, "0001-meta.sql", NULL },
  { 2, "0002-modules.sql", NULL },
  { 3, "0003-core.sql", _kehu_schema_apply_seeds },
  { 4, "0004-search.sql", NULL },
  { 5, "0005-core-indexes.sql", NULL },
  { 6, "0006-report-indexes.sql", NULL },
  { 7, "0007-report-summaries.sql", kehu_report_rebuild_day_totals },
  { 8, "0008-list-indexes.sql", NULL },
  { 9, "0009-sync-refusals.sql", NULL },
  { 10, "0010-settings-rev.sql", NULL },
};

const KehuMigration *
kehu_migrations_get (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

char *
kehu_migration_load_sql (const KehuMigration  *migration,
                         GError              **error)
{
  /* The resource sits in a static library whose constructor the linker
   * may drop: register it by hand, once. */
  static gsize registered = 0;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (g_once_init_enter (&registered))
    {
      kehu_core_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  if (migration->resource == NULL)
    return g_strdup ("");

  path = g_strconcat ("/org/kehu/core/sql/", migration->resource, NULL);
  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}
