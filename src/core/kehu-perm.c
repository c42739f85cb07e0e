/* kehu-perm.c: operation permissions and data scope of one user
 *
 * A KehuPerm is what one user may do, read once from the store: the
 * "module.action" strings their roles grant (a super administrator has
 * all), and the owners whose records their data scope reaches. Each role
 * contributes its scope; the owner set is the union. Team membership
 * (team_members) opens single records outside that set. The server checks
 * every request with it; the app uses it to hide what the user may not do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-perm"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kehu-perm.h"

struct _KehuPerm
{
  GObject     parent_instance;

  char       *user_id;
  char       *department_id;
  gboolean    is_super_admin;
  gboolean    is_enabled;
  gboolean    sees_all;
  GPtrArray  *permissions;   /* NULL-terminated */
  GPtrArray  *role_ids;      /* NULL-terminated */
  GPtrArray  *owner_ids;     /* NULL-terminated; unused when sees_all */
  GHashTable *owner_set;
};

G_DEFINE_FINAL_TYPE (KehuPerm, kehu_perm, G_TYPE_OBJECT)

G_DEFINE_QUARK (kehu-perm-error-quark, kehu_perm_error)

static const char * const scope_names[] = {
  [KEHU_DATA_SCOPE_SELF] = "self",
  [KEHU_DATA_SCOPE_SELF_AND_SUBORDINATES] = "self_and_subordinates",
  [KEHU_DATA_SCOPE_DEPARTMENT] = "department",
  [KEHU_DATA_SCOPE_DEPARTMENT_AND_CHILDREN] = "department_and_children",
  [KEHU_DATA_SCOPE_ALL] = "all",
};

gboolean
kehu_data_scope_from_string (const char    *string,
                             KehuDataScope *scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_names); i++)
    {
      if (g_strcmp0 (string, scope_names[i]) == 0)
        {
          *scope = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
kehu_data_scope_to_string (KehuDataScope scope)
{
  g_return_val_if_fail (scope <= KEHU_DATA_SCOPE_ALL, NULL);
  return scope_names[scope];
}

static void
kehu_perm_finalize (GObject *object)
{
  KehuPerm *self = (KehuPerm *)object;

  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->department_id, g_free);
  g_clear_pointer (&self->permissions, g_ptr_array_unref);
  g_clear_pointer (&self->role_ids, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_clear_pointer (&self->owner_set, g_hash_table_unref);

  G_OBJECT_CLASS (kehu_perm_parent_class)->finalize (object);
}

static void
kehu_perm_class_init (KehuPermClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kehu_perm_finalize;
}

static void
kehu_perm_init (KehuPerm *self)
{
  self->permissions = g_ptr_array_new_with_free_func (g_free);
  self->role_ids = g_ptr_array_new_with_free_func (g_free);
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  self->owner_set = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
add_owner (KehuPerm   *self,
           const char *owner_id)
{
  char *copy;

  if (owner_id == NULL || g_hash_table_contains (self->owner_set, owner_id))
    return;
  copy = g_strdup (owner_id);
  g_ptr_array_add (self->owner_ids, copy);
  g_hash_table_add (self->owner_set, copy);
}

/* Runs @sql with @param bound to ?1 and adds every first column to the
 * owner set. */
static gboolean
add_owners_from_query (KehuPerm    *self,
                       KehuStore   *store,
                       const char  *sql,
                       const char  *param,
                       GError     **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);

  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_owner (self, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

static gboolean
add_scope (KehuPerm       *self,
           KehuStore      *store,
           KehuDataScope   scope,
           GError        **error)
{
  /* The supervisor chain and the department tree are walked with
   * recursive CTEs; UNION (not UNION ALL) stops on a cycle. */
  switch (scope)
    {
    case KEHU_DATA_SCOPE_SELF:
      add_owner (self, self->user_id);
      return TRUE;

    case KEHU_DATA_SCOPE_SELF_AND_SUBORDINATES:
      return add_owners_from_query (self, store,
                                    "WITH RECURSIVE sub (id) AS ("
                                    "  SELECT ?1"
                                    "  UNION"
                                    "  SELECT u.id FROM users u JOIN sub ON u.supervisor_id = sub.id"
                                    ") SELECT id FROM sub",
                                    self->user_id, error);

    case KEHU_DATA_SCOPE_DEPARTMENT:
      add_owner (self, self->user_id);
      if (self->department_id == NULL)
        return TRUE;
      return add_owners_from_query (self, store,
                                    "SELECT id FROM users WHERE department_id = ?1",
                                    self->department_id, error);

    case KEHU_DATA_SCOPE_DEPARTMENT_AND_CHILDREN:
      add_owner (self, self->user_id);
      if (self->department_id == NULL)
        return TRUE;
      return add_owners_from_query (self, store,
                                    "WITH RECURSIVE tree (id) AS ("
                                    "  SELECT ?1"
                                    "  UNION"
                                    "  SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id"
                                    ") SELECT u.id FROM users u WHERE u.department_id IN tree",
                                    self->department_id, error);

    case KEHU_DATA_SCOPE_ALL:
      self->sees_all = TRUE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static void
add_permissions (KehuPerm   *self,
                 const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *array;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return;

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *permission = json_array_get_string_element (array, i);

      if (permission != NULL && !g_ptr_array_find_with_equal_func (self->permissions, permission,
                                                                     g_str_equal, NULL))
        g_ptr_array_add (self->permissions, g_strdup (permission));
    }
}

/**
 * kehu_perm_load:
 * @store: the store
 * @user_id: the user
 * @error: a #GError
 *
 * Reads the user's roles and computes their owner set. A disabled user
 * loads fine (kehu_perm_is_enabled() says so): callers decide what that
 * means.
 *
 * Returns: (transfer full): the permissions, or %NULL with @error set
 */
KehuPerm *
kehu_perm_load (KehuStore   *store,
                const char  *user_id,
                GError     **error)
{
  g_autoptr(KehuPerm) self = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  GArray *scopes;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  db = kehu_store_get_db (store);
  self = g_object_new (KEHU_TYPE_PERM, NULL);
  self->user_id = g_strdup (user_id);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT department_id, is_enabled, is_super_admin FROM users "
                           "WHERE id = ?1 AND deleted_at IS NULL",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      if (rc == SQLITE_DONE)
        g_set_error (error, KEHU_PERM_ERROR, KEHU_PERM_ERROR_UNKNOWN_USER,
                     _("There is no user “%s”"), user_id);
      else
        kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  self->department_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  self->is_enabled = sqlite3_column_int (stmt, 1) != 0;
  self->is_super_admin = sqlite3_column_int (stmt, 2) != 0;
  sqlite3_finalize (stmt);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.id, r.permissions, r.data_scope FROM user_roles ur "
                           "JOIN roles r ON r.id = ur.role_id "
                           "WHERE ur.user_id = ?1 AND r.deleted_at IS NULL ORDER BY r.id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_STATIC);

  scopes = g_array_new (FALSE, FALSE, sizeof (KehuDataScope));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *scope_name = (const char *) sqlite3_column_text (stmt, 2);
      KehuDataScope scope;

      g_ptr_array_add (self->role_ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      add_permissions (self, (const char *) sqlite3_column_text (stmt, 1));
      if (!kehu_data_scope_from_string (scope_name, &scope))
        {
          g_set_error (error, KEHU_PERM_ERROR, KEHU_PERM_ERROR_INVALID_SCOPE,
                       _("Role “%s” has an unknown data scope “%s”"),
                       (const char *) sqlite3_column_text (stmt, 0), scope_name);
          sqlite3_finalize (stmt);
          g_array_unref (scopes);
          return NULL;
        }
      g_array_append_val (scopes, scope);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_array_unref (scopes);
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  /* Everyone sees their own records, whatever their roles say. */
  add_owner (self, self->user_id);
  if (self->is_super_admin)
    self->sees_all = TRUE;

  for (guint i = 0; i < scopes->len && !self->sees_all; i++)
    {
      if (!add_scope (self, store, g_array_index (scopes, KehuDataScope, i), error))
        {
          g_array_unref (scopes);
          return NULL;
        }
    }
  g_array_unref (scopes);

  g_ptr_array_add (self->permissions, NULL);
  g_ptr_array_add (self->role_ids, NULL);
  g_ptr_array_add (self->owner_ids, NULL);

  return g_steal_pointer (&self);
}

const char *
kehu_perm_get_user_id (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);
  return self->user_id;
}

const char *
kehu_perm_get_department_id (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);
  return self->department_id;
}

gboolean
kehu_perm_is_super_admin (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);
  return self->is_super_admin;
}

gboolean
kehu_perm_is_enabled (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);
  return self->is_enabled;
}

/**
 * kehu_perm_get_permissions:
 *
 * Returns: (transfer none): the permission strings of the user's roles,
 *   %NULL-terminated (empty for a super administrator without roles, who
 *   has every permission anyway)
 */
const char * const *
kehu_perm_get_permissions (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);
  return (const char * const *) self->permissions->pdata;
}

const char * const *
kehu_perm_get_role_ids (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);
  return (const char * const *) self->role_ids->pdata;
}

/**
 * kehu_perm_has:
 * @permission: "module.action"
 *
 * A role grants "module.action", "module.*" (every action of a module) or
 * "*" (everything). A super administrator has every permission; a
 * disabled user has none.
 */
gboolean
kehu_perm_has (KehuPerm   *self,
               const char *permission)
{
  const char *dot;

  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);
  g_return_val_if_fail (permission != NULL, FALSE);

  if (!self->is_enabled)
    return FALSE;
  if (self->is_super_admin)
    return TRUE;

  dot = strchr (permission, '.');
  for (guint i = 0; i + 1 < self->permissions->len; i++)
    {
      const char *granted = g_ptr_array_index (self->permissions, i);

      if (g_str_equal (granted, permission) || g_str_equal (granted, "*"))
        return TRUE;
      if (dot != NULL && g_str_has_suffix (granted, ".*") &&
          strlen (granted) == (gsize) (dot - permission) + 2 &&
          strncmp (granted, permission, dot - permission) == 0)
        return TRUE;
    }

  return FALSE;
}

gboolean
kehu_perm_can (KehuPerm   *self,
               const char *module,
               const char *action)
{
  g_autofree char *permission = g_strconcat (module, ".", action, NULL);

  return kehu_perm_has (self, permission);
}

gboolean
kehu_perm_sees_all (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);
  return self->sees_all;
}

/**
 * kehu_perm_get_owner_ids:
 *
 * Returns: (transfer none) (nullable): the owners whose records the data
 *   scope reaches, %NULL-terminated; %NULL when the scope is "all"
 */
const char * const *
kehu_perm_get_owner_ids (KehuPerm *self)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);
  if (self->sees_all)
    return NULL;
  return (const char * const *) self->owner_ids->pdata;
}

/* The owner set as a JSON array, for "owner_id IN (SELECT value FROM
 * json_each (?))": one bound parameter however many owners there are. */
char *
kehu_perm_get_owner_ids_json (KehuPerm *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < self->owner_ids->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->owner_ids, i));
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

gboolean
kehu_perm_owner_in_scope (KehuPerm   *self,
                          const char *owner_id)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);

  if (self->sees_all)
    return TRUE;
  return owner_id != NULL && g_hash_table_contains (self->owner_set, owner_id);
}

/**
 * kehu_perm_check_record:
 * @module: the module (table) of the record
 * @record_id: the record
 * @owner_id: (nullable): its owner
 *
 * The data scope gives read and write access to a record; a team member
 * gets the access the team grants ("read" or "write"). Operation
 * permissions are checked separately (kehu_perm_can()).
 */
KehuAccess
kehu_perm_check_record (KehuPerm   *self,
                        KehuStore  *store,
                        const char *module,
                        const char *record_id,
                        const char *owner_id)
{
  sqlite3_stmt *stmt = NULL;
  KehuAccess access = KEHU_ACCESS_NONE;

  g_return_val_if_fail (KEHU_IS_PERM (self), KEHU_ACCESS_NONE);

  if (!self->is_enabled)
    return KEHU_ACCESS_NONE;
  if (kehu_perm_owner_in_scope (self, owner_id))
    return KEHU_ACCESS_WRITE;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT access FROM team_members "
                          "WHERE module = ?1 AND record_id = ?2 AND user_id = ?3",
                          -1, &stmt, NULL) != SQLITE_OK)
    return KEHU_ACCESS_NONE;
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, self->user_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    access = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "write") == 0
             ? KEHU_ACCESS_WRITE : KEHU_ACCESS_READ;
  sqlite3_finalize (stmt);

  return access;
}

/**
 * kehu_perm_restriction_sql:
 * @table_alias: the alias of the module's table in the query
 *
 * A WHERE condition that keeps the records the user may read: owned by
 * someone in the owner set, or with the user on their team. Its named
 * parameters (:kehu_owners, :kehu_user, :kehu_module) are bound by
 * kehu_perm_bind_restriction().
 *
 * Returns: (transfer full): the condition
 */
char *
kehu_perm_restriction_sql (KehuPerm   *self,
                           const char *table_alias)
{
  g_return_val_if_fail (KEHU_IS_PERM (self), NULL);

  if (!self->is_enabled)
    return g_strdup ("0");
  if (self->sees_all)
    return g_strdup ("1");

  return g_strdup_printf ("(%1$s.owner_id IN (SELECT value FROM json_each (:kehu_owners))"
                          " OR EXISTS (SELECT 1 FROM team_members kehu_tm"
                          " WHERE kehu_tm.module = :kehu_module AND kehu_tm.record_id = %1$s.id"
                          " AND kehu_tm.user_id = :kehu_user))",
                          table_alias);
}

gboolean
kehu_perm_bind_restriction (KehuPerm     *self,
                            sqlite3_stmt *stmt,
                            const char   *module)
{
  int index;

  g_return_val_if_fail (KEHU_IS_PERM (self), FALSE);

  if ((index = sqlite3_bind_parameter_index (stmt, ":kehu_owners")) > 0)
    {
      char *json = kehu_perm_get_owner_ids_json (self);
      sqlite3_bind_text (stmt, index, json, -1, g_free);
    }
  if ((index = sqlite3_bind_parameter_index (stmt, ":kehu_user")) > 0)
    sqlite3_bind_text (stmt, index, self->user_id, -1, SQLITE_TRANSIENT);
  if ((index = sqlite3_bind_parameter_index (stmt, ":kehu_module")) > 0)
    sqlite3_bind_text (stmt, index, module, -1, SQLITE_TRANSIENT);

  return TRUE;
}
