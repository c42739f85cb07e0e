/* kehu-perm.h: operation permissions and data scope of one user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_PERM_ERROR (kehu_perm_error_quark ())

typedef enum
{
  KEHU_PERM_ERROR_UNKNOWN_USER,
  KEHU_PERM_ERROR_DISABLED,
  KEHU_PERM_ERROR_INVALID_SCOPE,
} KehuPermError;

typedef enum
{
  KEHU_DATA_SCOPE_SELF,
  KEHU_DATA_SCOPE_SELF_AND_SUBORDINATES,
  KEHU_DATA_SCOPE_DEPARTMENT,
  KEHU_DATA_SCOPE_DEPARTMENT_AND_CHILDREN,
  KEHU_DATA_SCOPE_ALL,
} KehuDataScope;

/* What a user may do with one record. */
typedef enum
{
  KEHU_ACCESS_NONE,
  KEHU_ACCESS_READ,
  KEHU_ACCESS_WRITE,
} KehuAccess;

#define KEHU_TYPE_PERM (kehu_perm_get_type ())

G_DECLARE_FINAL_TYPE (KehuPerm, kehu_perm, KEHU, PERM, GObject)

GQuark               kehu_perm_error_quark          (void);

gboolean             kehu_data_scope_from_string    (const char   *string,
                                                     KehuDataScope *scope);
const char          *kehu_data_scope_to_string      (KehuDataScope scope);

KehuPerm            *kehu_perm_load                 (KehuStore    *store,
                                                     const char   *user_id,
                                                     GError      **error);
const char          *kehu_perm_get_user_id          (KehuPerm     *self);
const char          *kehu_perm_get_department_id    (KehuPerm     *self);
gboolean             kehu_perm_is_super_admin       (KehuPerm     *self);
gboolean             kehu_perm_is_enabled           (KehuPerm     *self);
const char * const  *kehu_perm_get_permissions      (KehuPerm     *self);
const char * const  *kehu_perm_get_role_ids         (KehuPerm     *self);

gboolean             kehu_perm_has                  (KehuPerm     *self,
                                                     const char   *permission);
gboolean             kehu_perm_can                  (KehuPerm     *self,
                                                     const char   *module,
                                                     const char   *action);

gboolean             kehu_perm_sees_all             (KehuPerm     *self);
const char * const  *kehu_perm_get_owner_ids        (KehuPerm     *self);
char                *kehu_perm_get_owner_ids_json   (KehuPerm     *self);
gboolean             kehu_perm_owner_in_scope       (KehuPerm     *self,
                                                     const char   *owner_id);
KehuAccess           kehu_perm_check_record         (KehuPerm     *self,
                                                     KehuStore    *store,
                                                     const char   *module,
                                                     const char   *record_id,
                                                     const char   *owner_id);
char                *kehu_perm_restriction_sql      (KehuPerm     *self,
                                                     const char   *table_alias);
gboolean             kehu_perm_bind_restriction     (KehuPerm     *self,
                                                     sqlite3_stmt *stmt,
                                                     const char   *module);

G_END_DECLS
