/* kehu-store.h: the SQLite store shared by kehu and kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define KEHU_STORE_ERROR (kehu_store_error_quark ())

typedef enum
{
  KEHU_STORE_ERROR_OPEN,
  KEHU_STORE_ERROR_FUTURE_VERSION,
  KEHU_STORE_ERROR_MIGRATION,
  KEHU_STORE_ERROR_SQL,
  KEHU_STORE_ERROR_BUSY,
  KEHU_STORE_ERROR_CONSTRAINT,
} KehuStoreError;

#define KEHU_TYPE_STORE (kehu_store_get_type ())

G_DECLARE_FINAL_TYPE (KehuStore, kehu_store, KEHU, STORE, GObject)

GQuark      kehu_store_error_quark          (void);

KehuStore  *kehu_store_open                 (const char  *path,
                                             GError     **error);
KehuStore  *kehu_store_open_at_version      (const char  *path,
                                             int          version,
                                             GError     **error);
const char *kehu_store_get_path             (KehuStore   *self);
int         kehu_store_get_schema_version   (KehuStore   *self);
int         kehu_store_get_latest_version   (void);
sqlite3    *kehu_store_get_db               (KehuStore   *self);

gboolean    kehu_store_exec                 (KehuStore   *self,
                                             const char  *sql,
                                             GError     **error);
gboolean    kehu_store_begin                (KehuStore   *self,
                                             GError     **error);
gboolean    kehu_store_commit               (KehuStore   *self,
                                             GError     **error);
void        kehu_store_rollback             (KehuStore   *self);

gboolean    kehu_store_stats_are_stale      (KehuStore   *self);
gboolean    kehu_store_refresh_stats        (KehuStore   *self,
                                             gboolean     force,
                                             gboolean    *ran,
                                             GError     **error);

gboolean    kehu_store_set_error_from_db    (KehuStore   *self,
                                             int          rc,
                                             GError     **error);

void        kehu_store_bind_va              (sqlite3_stmt *stmt,
                                             const char   *types,
                                             va_list       args);

G_END_DECLS
