/* kehu-api-org.c: the organisation — departments, users, roles, super
 * administrators
 *
 * Users are never deleted, only disabled; disabling one revokes their
 * tokens and hands their customers to the pool or to a chosen user.
 * Any change that can move a data scope (roles, departments, supervisors)
 * bumps every user's scope_epoch, so that sync clients re-pull.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-org.h"
#include "kehu-pool.h"

static const char * const role_json_columns[] = { "permissions", "extra", NULL };
static const char * const plain_json_columns[] = { "extra", NULL };

#define USER_COLUMNS \
  "id, rev, created_at, updated_at, phone, name, gender, email, department_id, post, " \
  "supervisor_id, is_enabled, is_super_admin, last_login_at, extra"

/* Replies with @error when @ok is FALSE; the route then returns. */
static gboolean
reply_if_failed (KehuRequest *request,
                 gboolean     ok,
                 GError      *error)
{
  if (!ok)
    {
      kehu_request_reply_gerror (request, error);
      return TRUE;
    }
  return FALSE;
}

static gboolean
json_bool (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return json_node_get_int (node) != 0;
}

static gboolean
row_exists (KehuStore  *store,
            const char *sql,
            const char *id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, "s", id);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static JsonArray *
user_role_ids (KehuStore  *store,
               const char *user_id)
{
  JsonArray *array = json_array_new ();
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT ur.role_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
                                         "WHERE ur.user_id = ?1 AND r.deleted_at IS NULL ORDER BY ur.role_id",
                                         "s", user_id);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_string_element (array, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return array;
}

/**
 * _kehu_api_user_json:
 * @with_permissions: add the operation permissions and data scope, for
 *   the user themself (login, /auth/me)
 *
 * A user as the API shows it; the password hash never leaves the store.
 */
JsonObject *
_kehu_api_user_json (KehuStore   *store,
                     const char  *user_id,
                     gboolean     with_permissions,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  JsonObject *object = NULL;

  stmt = kehu_sql_prepare (store, error,
                           "SELECT " USER_COLUMNS " FROM users WHERE id = ?1 AND deleted_at IS NULL",
                           "s", user_id);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    object = kehu_json_object_from_stmt (stmt, plain_json_columns);
  sqlite3_finalize (stmt);

  if (object == NULL)
    {
      kehu_api_set_error (error, KEHU_API_ERROR_NOT_FOUND, NULL, _("There is no user “%s”"), user_id);
      return NULL;
    }

  json_object_set_boolean_member (object, "is_enabled", json_bool (object, "is_enabled"));
  json_object_set_boolean_member (object, "is_super_admin", json_bool (object, "is_super_admin"));
  json_object_set_array_member (object, "role_ids", user_role_ids (store, user_id));

  if (with_permissions)
    {
      g_autoptr(KehuPerm) perm = kehu_perm_load (store, user_id, error);
      JsonArray *permissions = json_array_new ();
      const char * const *granted;

      if (perm == NULL)
        {
          json_array_unref (permissions);
          json_object_unref (object);
          return NULL;
        }
      if (kehu_perm_is_super_admin (perm))
        json_array_add_string_element (permissions, "*");
      granted = kehu_perm_get_permissions (perm);
      for (guint i = 0; granted[i] != NULL; i++)
        json_array_add_string_element (permissions, granted[i]);
      json_object_set_array_member (object, "permissions", permissions);
      json_object_set_boolean_member (object, "sees_all", kehu_perm_sees_all (perm));
    }

  return object;
}

static gboolean
bump_scope_epochs (KehuStore  *store,
                   GError    **error)
{
  return kehu_sql_run (store, error, "UPDATE users SET scope_epoch = scope_epoch + 1", "") >= 0;
}

/* Runs @sql (one bound id) and replies {"items":[…],"next":null}. */
static void
reply_list (KehuRequest        *request,
            const char         *sql,
            const char         *param,
            const char * const *json_columns)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *items = json_array_new ();
  KehuStore *store = kehu_api_get_store (kehu_request_get_api (request));
  sqlite3_stmt *stmt;

  stmt = kehu_sql_prepare (store, &error, sql, param ? "s" : "", param);
  if (stmt == NULL)
    {
      json_array_unref (items);
      kehu_request_reply_gerror (request, error);
      return;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (items, kehu_json_object_from_stmt (stmt, json_columns));
  sqlite3_finalize (stmt);

  json_object_set_array_member (reply, "items", items);
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static JsonObject *
load_one (KehuStore          *store,
          const char         *sql,
          const char         *id,
          const char * const *json_columns)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, "s", id);
  JsonObject *object = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    object = kehu_json_object_from_stmt (stmt, json_columns);
  sqlite3_finalize (stmt);
  return object;
}

static char *
clean_name (JsonObject  *body,
            const char  *member,
            GError     **error)
{
  const char *value = json_object_get_string_member (body, member);
  g_autofree char *name = g_strstrip (g_strdup (value ? value : ""));

  if (name[0] == '\0')
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, member, _("“%s” must not be empty"), member);
      return NULL;
    }
  return g_steal_pointer (&name);
}

/* One oplog row per member that changed between two snapshots of a row
 * (SPEC §13: who changed which field from what to what, when). */
static gboolean
log_changes (KehuStore   *store,
             const char  *module,
             const char  *id,
             const char  *user_id,
             const char  *at,
             JsonObject  *before,
             JsonObject  *after,
             GError     **error)
{
  g_autoptr(GList) members = json_object_get_members (after);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *old_node = json_object_get_member (before, name);
      JsonNode *new_node = json_object_get_member (after, name);
      g_autofree char *old_text = NULL;
      g_autofree char *new_text = NULL;

      if (g_str_equal (name, "rev") || g_str_equal (name, "updated_at"))
        continue;
      if (old_node != NULL && json_node_equal (old_node, new_node))
        continue;
      if (old_node != NULL && !JSON_NODE_HOLDS_NULL (old_node))
        old_text = JSON_NODE_HOLDS_VALUE (old_node) && json_node_get_value_type (old_node) == G_TYPE_STRING
                   ? g_strdup (json_node_get_string (old_node)) : json_to_string (old_node, FALSE);
      if (!JSON_NODE_HOLDS_NULL (new_node))
        new_text = JSON_NODE_HOLDS_VALUE (new_node) && json_node_get_value_type (new_node) == G_TYPE_STRING
                   ? g_strdup (json_node_get_string (new_node)) : json_to_string (new_node, FALSE);
      if (!kehu_oplog_add (store, module, id, user_id, at, "update", name, old_text, new_text, error))
        return FALSE;
    }
  return TRUE;
}

/* Departments ----------------------------------------------------------------- */

#define DEPARTMENT_SQL \
  "SELECT id, rev, created_at, updated_at, name, parent_id, position, extra FROM departments "

static void
departments_list_cb (KehuApi     *api,
                     KehuRequest *request)
{
  if (kehu_request_require_user (request) == NULL)
    return;
  reply_list (request, DEPARTMENT_SQL "WHERE deleted_at IS NULL ORDER BY position, name, id",
              NULL, plain_json_columns);
}

static void
department_get_cb (KehuApi     *api,
                   KehuRequest *request)
{
  g_autoptr(JsonObject) object = NULL;
  const char *id = kehu_request_get_param (request, "id");

  if (kehu_request_require_user (request) == NULL)
    return;
  object = load_one (kehu_api_get_store (api), DEPARTMENT_SQL "WHERE id = ?1 AND deleted_at IS NULL",
                     id, plain_json_columns);
  if (object == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no department “%s”"), id);
      return;
    }
  kehu_request_reply_object (request, SOUP_STATUS_OK, object);
}

/* Would making @parent_id the parent of @id close a loop? */
static gboolean
department_is_below (KehuStore  *store,
                     const char *parent_id,
                     const char *id)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  stmt = kehu_sql_prepare (store, NULL,
                           "WITH RECURSIVE up (id) AS (SELECT ?1 UNION "
                           "  SELECT d.parent_id FROM departments d JOIN up ON d.id = up.id "
                           "  WHERE d.parent_id IS NOT NULL) "
                           "SELECT 1 FROM up WHERE id = ?2",
                           "ss", parent_id, id);
  if (stmt != NULL)
    found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

static void
department_create_cb (KehuApi     *api,
                      KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "id", KEHU_BODY_STRING, FALSE, FALSE },
    { "name", KEHU_BODY_STRING, TRUE, FALSE },
    { "parent_id", KEHU_BODY_STRING, FALSE, TRUE },
    { "position", KEHU_BODY_INT, FALSE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *parent_id;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "department.create")))
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  if (!(name = clean_name (body, "name", &error)))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  parent_id = json_object_has_member (body, "parent_id")
              ? json_object_get_string_member (body, "parent_id") : NULL;
  if (parent_id == NULL &&
      row_exists (store, "SELECT 1 FROM departments WHERE parent_id IS NULL AND deleted_at IS NULL AND ?1 IS NULL", NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                _("There is already a top department; give “parent_id”"));
      return;
    }
  if (parent_id != NULL &&
      !row_exists (store, "SELECT 1 FROM departments WHERE id = ?1 AND deleted_at IS NULL", parent_id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                _("There is no department “%s”"), parent_id);
      return;
    }

  id = json_object_has_member (body, "id") ? g_strdup (json_object_get_string_member (body, "id"))
                                           : kehu_new_uuid ();
  if (!g_uuid_string_is_valid (id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "id",
                                _("“id” must be a UUID"));
      return;
    }

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;
  if (kehu_sql_run (store, &error,
                    "INSERT INTO departments (id, created_at, updated_at, created_by, name, parent_id, position) "
                    "VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)",
                    "sssssi", id, now, kehu_perm_get_user_id (perm), name, parent_id,
                    (gint64) (json_object_has_member (body, "position")
                              ? json_object_get_int_member (body, "position") : 0)) < 0 ||
      !kehu_api_bump_rev (store, "departments", id, now, NULL, NULL, &error) ||
      !bump_scope_epochs (store, &error) ||
      !kehu_oplog_add (store, "departments", id, kehu_perm_get_user_id (perm), now, "create", NULL, NULL, name, &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  created = load_one (store, DEPARTMENT_SQL "WHERE id = ?1", id, plain_json_columns);
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, created);
}

static void
department_patch_cb (KehuApi     *api,
                     KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "name", KEHU_BODY_STRING, FALSE, FALSE },
    { "parent_id", KEHU_BODY_STRING, FALSE, TRUE },
    { "position", KEHU_BODY_INT, FALSE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) current = NULL;
  g_autoptr(JsonObject) updated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");
  gboolean is_top;

  if (!kehu_request_require_permission (request, "department.edit"))
    return;
  current = load_one (store, DEPARTMENT_SQL "WHERE id = ?1 AND deleted_at IS NULL", id, plain_json_columns);
  if (current == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no department “%s”"), id);
      return;
    }
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;

  is_top = json_object_get_null_member (current, "parent_id");
  if (json_object_has_member (body, "parent_id"))
    {
      const char *parent_id = json_object_get_string_member (body, "parent_id");

      if (is_top && parent_id != NULL)
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                    _("The top department cannot be moved"));
          return;
        }
      if (!is_top && parent_id == NULL)
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                    _("There is already a top department; give “parent_id”"));
          return;
        }
      if (parent_id != NULL &&
          !row_exists (store, "SELECT 1 FROM departments WHERE id = ?1 AND deleted_at IS NULL", parent_id))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                    _("There is no department “%s”"), parent_id);
          return;
        }
      if (parent_id != NULL && department_is_below (store, parent_id, id))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "parent_id",
                                    _("A department cannot be moved under itself"));
          return;
        }
    }

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;

  if (json_object_has_member (body, "name"))
    {
      g_autofree char *name = clean_name (body, "name", &error);

      if (name == NULL ||
          kehu_sql_run (store, &error, "UPDATE departments SET name = ?1 WHERE id = ?2", "ss", name, id) < 0)
        goto failed;
    }
  if (json_object_has_member (body, "parent_id") &&
      (kehu_sql_run (store, &error, "UPDATE departments SET parent_id = ?1 WHERE id = ?2", "ss",
                     json_object_get_string_member (body, "parent_id"), id) < 0 ||
       !bump_scope_epochs (store, &error)))
    goto failed;
  if (json_object_has_member (body, "position") &&
      kehu_sql_run (store, &error, "UPDATE departments SET position = ?1 WHERE id = ?2", "is",
                    (gint64) json_object_get_int_member (body, "position"), id) < 0)
    goto failed;

  if (kehu_sql_run (store, &error, "UPDATE departments SET updated_at = ?1 WHERE id = ?2", "ss", now, id) < 0 ||
      !kehu_api_bump_rev (store, "departments", id, now, NULL, NULL, &error))
    goto failed;
  updated = load_one (store, DEPARTMENT_SQL "WHERE id = ?1", id, plain_json_columns);
  if (!log_changes (store, "departments", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                    current, updated, &error) ||
      !kehu_store_commit (store, &error))
    goto failed;

  kehu_request_reply_object (request, SOUP_STATUS_OK, updated);
  return;

failed:
  kehu_store_rollback (store);
  kehu_request_reply_gerror (request, error);
}

static void
department_delete_cb (KehuApi     *api,
                      KehuRequest *request)
{
  g_autoptr(JsonObject) current = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");

  if (!kehu_request_require_permission (request, "department.delete"))
    return;
  current = load_one (store, DEPARTMENT_SQL "WHERE id = ?1 AND deleted_at IS NULL", id, plain_json_columns);
  if (current == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no department “%s”"), id);
      return;
    }
  if (json_object_get_null_member (current, "parent_id"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_CONFLICT, "conflict", NULL,
                                _("The top department cannot be deleted"));
      return;
    }
  if (row_exists (store, "SELECT 1 FROM departments WHERE parent_id = ?1 AND deleted_at IS NULL", id) ||
      row_exists (store, "SELECT 1 FROM users WHERE department_id = ?1 AND deleted_at IS NULL", id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_CONFLICT, "conflict", NULL,
                                _("The department still has sub-departments or users; move them first"));
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      kehu_sql_run (store, &error, "UPDATE departments SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2",
                    "ss", now, id) < 0 ||
      !kehu_oplog_add (store, "departments", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                       "delete", NULL, NULL, NULL, &error) ||
      !kehu_api_bump_rev (store, "departments", id, now, NULL, NULL, &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Users ----------------------------------------------------------------------- */

static void
users_list_cb (KehuApi     *api,
               KehuRequest *request)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_api_get_store (api);
  JsonArray *items;
  sqlite3_stmt *stmt;
  const char *after = kehu_request_get_query (request, "after");
  const char *department = kehu_request_get_query (request, "department_id");
  const char *enabled = kehu_request_get_query (request, "enabled");
  const char *limit_text = kehu_request_get_query (request, "limit");
  g_autofree char *last_id = NULL;
  gint64 limit = 100;
  gint64 n = 0;

  if (kehu_request_require_user (request) == NULL)
    return;
  if (limit_text != NULL && !g_ascii_string_to_signed (limit_text, 10, 1, 500, &limit, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                                _("“limit” must be a number from 1 to 500"));
      return;
    }
  if (enabled != NULL && !g_str_equal (enabled, "true") && !g_str_equal (enabled, "false"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "enabled",
                                _("“enabled” must be true or false"));
      return;
    }

  /* Keyset on id: the cursor is the last id of the page. */
  stmt = kehu_sql_prepare (store, &error,
                           "SELECT id FROM users WHERE deleted_at IS NULL "
                           "AND (?1 IS NULL OR id > ?1) AND (?2 IS NULL OR department_id = ?2) "
                           "AND (?3 IS NULL OR is_enabled = (?3 = 'true')) ORDER BY id LIMIT ?4",
                           "sssi", after, department, enabled, limit + 1);
  if (stmt == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  items = json_array_new ();
  while (sqlite3_step (stmt) == SQLITE_ROW && n++ < limit)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      JsonObject *user = _kehu_api_user_json (store, id, FALSE, NULL);

      if (user != NULL)
        json_array_add_object_element (items, user);
      g_free (last_id);
      last_id = g_strdup (id);
    }
  sqlite3_finalize (stmt);

  json_object_set_array_member (reply, "items", items);
  if (n > limit)
    json_object_set_string_member (reply, "next", last_id);
  else
    json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
user_get_cb (KehuApi     *api,
             KehuRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) user = NULL;

  if (kehu_request_require_user (request) == NULL)
    return;
  user = _kehu_api_user_json (kehu_api_get_store (api), kehu_request_get_param (request, "id"),
                              FALSE, &error);
  if (user == NULL)
    kehu_request_reply_gerror (request, error);
  else
    kehu_request_reply_object (request, SOUP_STATUS_OK, user);
}

static gboolean
check_user_refs (KehuStore   *store,
                 JsonObject  *body,
                 const char  *user_id,
                 GError     **error)
{
  const char *gender;

  if (json_object_has_member (body, "department_id"))
    {
      const char *department = json_object_get_string_member (body, "department_id");

      if (department == NULL ||
          !row_exists (store, "SELECT 1 FROM departments WHERE id = ?1 AND deleted_at IS NULL", department))
        {
          kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "department_id",
                              _("There is no department “%s”"), department ? department : "");
          return FALSE;
        }
    }

  if (json_object_has_member (body, "supervisor_id"))
    {
      const char *supervisor = json_object_get_string_member (body, "supervisor_id");

      if (supervisor != NULL &&
          !row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL", supervisor))
        {
          kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "supervisor_id",
                              _("There is no user “%s”"), supervisor);
          return FALSE;
        }
      if (supervisor != NULL && user_id != NULL)
        {
          /* The new supervisor must not report to this user. */
          sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                                 "WITH RECURSIVE up (id) AS (SELECT ?1 UNION "
                                                 "  SELECT u.supervisor_id FROM users u JOIN up ON u.id = up.id "
                                                 "  WHERE u.supervisor_id IS NOT NULL) "
                                                 "SELECT 1 FROM up WHERE id = ?2",
                                                 "ss", supervisor, user_id);
          gboolean loop = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

          sqlite3_finalize (stmt);
          if (loop)
            {
              kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "supervisor_id",
                                  _("A user cannot report to themself, directly or through others"));
              return FALSE;
            }
        }
    }

  gender = json_object_has_member (body, "gender") ? json_object_get_string_member (body, "gender") : NULL;
  if (gender != NULL && !g_str_equal (gender, "male") && !g_str_equal (gender, "female") &&
      !g_str_equal (gender, "unknown"))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "gender",
                          _("“gender” must be male, female or unknown"));
      return FALSE;
    }

  if (json_object_has_member (body, "phone"))
    {
      const char *phone = json_object_get_string_member (body, "phone");
      sqlite3_stmt *stmt;
      gboolean taken;

      if (phone == NULL || strlen (phone) < 3 || strspn (phone, "+0123456789- ") != strlen (phone))
        {
          kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "phone",
                              _("“phone” must be a phone number"));
          return FALSE;
        }
      stmt = kehu_sql_prepare (store, NULL, "SELECT 1 FROM users WHERE phone = ?1 AND id IS NOT ?2",
                               "ss", phone, user_id);
      taken = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_finalize (stmt);
      if (taken)
        {
          kehu_api_set_error (error, KEHU_API_ERROR_CONFLICT, "phone",
                              _("Another user already has the phone number “%s”"), phone);
          return FALSE;
        }
    }

  if (json_object_has_member (body, "role_ids"))
    {
      JsonArray *roles = json_object_get_array_member (body, "role_ids");

      for (guint i = 0; i < json_array_get_length (roles); i++)
        {
          JsonNode *node = json_array_get_element (roles, i);
          const char *role = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                             ? json_node_get_string (node) : NULL;

          if (role == NULL ||
              !row_exists (store, "SELECT 1 FROM roles WHERE id = ?1 AND deleted_at IS NULL", role))
            {
              kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "role_ids",
                                  _("There is no role “%s”"), role ? role : "");
              return FALSE;
            }
        }
    }

  if (json_object_has_member (body, "password") &&
      !kehu_auth_check_password_strength (json_object_get_string_member (body, "password"), NULL))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "password",
                          _("The password must have at least %d characters"),
                          KEHU_AUTH_MIN_PASSWORD_LENGTH);
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_user_roles (KehuStore   *store,
                const char  *user_id,
                JsonArray   *roles,
                GError     **error)
{
  if (kehu_sql_run (store, error, "DELETE FROM user_roles WHERE user_id = ?1", "s", user_id) < 0)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (roles); i++)
    if (kehu_sql_run (store, error, "INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (?1, ?2)",
                      "ss", user_id, json_array_get_string_element (roles, i)) < 0)
      return FALSE;
  return TRUE;
}

static const KehuBodySpec user_fields[] = {
  { "id", KEHU_BODY_STRING, FALSE, FALSE },
  { "phone", KEHU_BODY_STRING, TRUE, FALSE },
  { "name", KEHU_BODY_STRING, TRUE, FALSE },
  { "password", KEHU_BODY_STRING, TRUE, FALSE },
  { "gender", KEHU_BODY_STRING, FALSE, TRUE },
  { "email", KEHU_BODY_STRING, FALSE, TRUE },
  { "department_id", KEHU_BODY_STRING, TRUE, FALSE },
  { "post", KEHU_BODY_STRING, FALSE, TRUE },
  { "supervisor_id", KEHU_BODY_STRING, FALSE, TRUE },
  { "role_ids", KEHU_BODY_ARRAY, FALSE, FALSE },
  { "is_super_admin", KEHU_BODY_BOOL, FALSE, FALSE },
};

static const char *
opt_string (JsonObject *body,
            const char *member)
{
  return json_object_has_member (body, member) ? json_object_get_string_member (body, member) : NULL;
}

static void
user_create_cb (KehuApi     *api,
                KehuRequest *request)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  gboolean super_admin;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "user.create")))
    return;
  if (!(body = kehu_request_read_object (request, user_fields, G_N_ELEMENTS (user_fields))))
    return;

  super_admin = json_object_has_member (body, "is_super_admin") &&
                json_object_get_boolean_member (body, "is_super_admin");
  if (super_admin && !kehu_perm_is_super_admin (perm))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", "is_super_admin",
                                _("Only a super administrator can appoint super administrators"));
      return;
    }

  id = json_object_has_member (body, "id") ? g_strdup (json_object_get_string_member (body, "id"))
                                           : kehu_new_uuid ();
  if (!g_uuid_string_is_valid (id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "id",
                                _("“id” must be a UUID"));
      return;
    }
  if (!(name = clean_name (body, "name", &error)) ||
      !check_user_refs (store, body, NULL, &error) ||
      !(hash = kehu_auth_hash_password (json_object_get_string_member (body, "password"), &error)))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      kehu_sql_run (store, &error,
                    "INSERT INTO users (id, created_at, updated_at, created_by, phone, name, gender, email, "
                    "department_id, post, supervisor_id, is_super_admin, password_hash) "
                    "VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    "ssssssssssbs", id, now, kehu_perm_get_user_id (perm),
                    json_object_get_string_member (body, "phone"), name,
                    opt_string (body, "gender"), opt_string (body, "email"),
                    json_object_get_string_member (body, "department_id"),
                    opt_string (body, "post"), opt_string (body, "supervisor_id"),
                    super_admin, hash) < 0 ||
      (json_object_has_member (body, "role_ids") &&
       !set_user_roles (store, id, json_object_get_array_member (body, "role_ids"), &error)) ||
      !kehu_api_bump_rev (store, "users", id, now, NULL, NULL, &error) ||
      !bump_scope_epochs (store, &error) ||
      !kehu_oplog_add (store, "users", id, kehu_perm_get_user_id (perm), now, "create", NULL, NULL, name, &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  user = _kehu_api_user_json (store, id, FALSE, &error);
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, user);
}

static void
user_patch_cb (KehuApi     *api,
               KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "phone", KEHU_BODY_STRING, FALSE, FALSE },
    { "name", KEHU_BODY_STRING, FALSE, FALSE },
    { "password", KEHU_BODY_STRING, FALSE, FALSE },
    { "gender", KEHU_BODY_STRING, FALSE, TRUE },
    { "email", KEHU_BODY_STRING, FALSE, TRUE },
    { "department_id", KEHU_BODY_STRING, FALSE, FALSE },
    { "post", KEHU_BODY_STRING, FALSE, TRUE },
    { "supervisor_id", KEHU_BODY_STRING, FALSE, TRUE },
    { "role_ids", KEHU_BODY_ARRAY, FALSE, FALSE },
  };
  static const char * const text_columns[] = { "phone", "gender", "email", "department_id", "post", "supervisor_id", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");
  gboolean scope_changed = FALSE;

  if (!kehu_request_require_permission (request, "user.edit"))
    return;
  if (!row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL", id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no user “%s”"), id);
      return;
    }
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  if (!check_user_refs (store, body, id, &error) ||
      !(before = _kehu_api_user_json (store, id, FALSE, &error)))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;

  for (guint i = 0; text_columns[i] != NULL; i++)
    {
      g_autofree char *sql = NULL;

      if (!json_object_has_member (body, text_columns[i]))
        continue;
      /* text_columns are identifiers of this file. */
      sql = g_strdup_printf ("UPDATE users SET %s = ?1 WHERE id = ?2", text_columns[i]);
      if (kehu_sql_run (store, &error, sql, "ss", json_object_get_string_member (body, text_columns[i]), id) < 0)
        goto failed;
      if (g_str_equal (text_columns[i], "department_id") || g_str_equal (text_columns[i], "supervisor_id"))
        scope_changed = TRUE;
    }

  if (json_object_has_member (body, "name"))
    {
      g_autofree char *name = clean_name (body, "name", &error);

      if (name == NULL || kehu_sql_run (store, &error, "UPDATE users SET name = ?1 WHERE id = ?2", "ss", name, id) < 0)
        goto failed;
    }

  if (json_object_has_member (body, "password"))
    {
      g_autofree char *hash = kehu_auth_hash_password (json_object_get_string_member (body, "password"), &error);

      if (hash == NULL ||
          kehu_sql_run (store, &error, "UPDATE users SET password_hash = ?1 WHERE id = ?2", "ss", hash, id) < 0 ||
          !kehu_auth_revoke_user (store, id, kehu_request_get_now (request), &error))
        goto failed;
    }

  if (json_object_has_member (body, "role_ids"))
    {
      if (!set_user_roles (store, id, json_object_get_array_member (body, "role_ids"), &error))
        goto failed;
      scope_changed = TRUE;
    }

  if ((scope_changed && !bump_scope_epochs (store, &error)) ||
      kehu_sql_run (store, &error, "UPDATE users SET updated_at = ?1 WHERE id = ?2", "ss", now, id) < 0 ||
      !kehu_api_bump_rev (store, "users", id, now, NULL, NULL, &error) ||
      !(user = _kehu_api_user_json (store, id, FALSE, &error)) ||
      !log_changes (store, "users", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                    before, user, &error) ||
      (json_object_has_member (body, "password") &&
       !kehu_oplog_add (store, "users", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                        "update", "password", NULL, NULL, &error)) ||
      !kehu_store_commit (store, &error))
    goto failed;

  kehu_request_reply_object (request, SOUP_STATUS_OK, user);
  return;

failed:
  kehu_store_rollback (store);
  kehu_request_reply_gerror (request, error);
}

static void
user_disable_cb (KehuApi     *api,
                 KehuRequest *request)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  static const KehuBodySpec fields[] = {
    { "transfer_to", KEHU_BODY_STRING, TRUE, TRUE },
    { "pool_id", KEHU_BODY_STRING, FALSE, TRUE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");
  const char *transfer_to;
  KehuPerm *perm;
  int moved;

  if (!(perm = kehu_request_require_permission (request, "user.edit")))
    return;
  user = _kehu_api_user_json (store, id, FALSE, &error);
  if (user == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;

  if (json_object_get_boolean_member (user, "is_super_admin"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_CONFLICT, "conflict", NULL,
                                _("A super administrator cannot be disabled"));
      return;
    }

  transfer_to = json_object_get_string_member (body, "transfer_to");
  if (transfer_to != NULL &&
      (g_str_equal (transfer_to, id) ||
       !row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL",
                    transfer_to)))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "transfer_to",
                                _("“transfer_to” must be another enabled user"));
      return;
    }

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;

  ctx = kehu_context_new (kehu_api_get_schema (api), kehu_perm_get_user_id (perm));
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  kehu_context_set_assign_revs (ctx, TRUE);
  moved = kehu_org_hand_over_customers (ctx, id, transfer_to, opt_string (body, "pool_id"), &error);
  if (moved < 0 ||
      !kehu_org_set_enabled (store, id, FALSE, kehu_request_get_now (request), &error) ||
      !kehu_oplog_add (store, "users", id, kehu_perm_get_user_id (perm), now, "disable", "is_enabled", "1", "0", &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = _kehu_api_user_json (store, id, FALSE, &error);
  json_object_set_int_member (reply, "customers_moved", moved);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
user_enable_cb (KehuApi     *api,
                KehuRequest *request)
{
  g_autofree char *now = kehu_request_get_now_iso (request);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");

  if (!kehu_request_require_permission (request, "user.edit"))
    return;
  if (!row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL", id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no user “%s”"), id);
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      !kehu_org_set_enabled (store, id, TRUE, kehu_request_get_now (request), &error) ||
      !kehu_oplog_add (store, "users", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                       "enable", "is_enabled", "0", "1", &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  user = _kehu_api_user_json (store, id, FALSE, &error);
  kehu_request_reply_object (request, SOUP_STATUS_OK, user);
}

/* Roles ------------------------------------------------------------------------- */

#define ROLE_SQL \
  "SELECT id, rev, created_at, updated_at, name, description, permissions, data_scope, " \
  "is_system, extra FROM roles "

static gboolean
check_permissions_array (JsonArray  *array,
                         GError    **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *value = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                          ? json_node_get_string (node) : NULL;

      if (value == NULL || (strchr (value, '.') == NULL && !g_str_equal (value, "*")))
        {
          kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "permissions",
                              _("Each permission must be a “module.action” string"));
          return FALSE;
        }
    }
  return TRUE;
}

static void
roles_list_cb (KehuApi     *api,
               KehuRequest *request)
{
  if (kehu_request_require_user (request) == NULL)
    return;
  reply_list (request, ROLE_SQL "WHERE deleted_at IS NULL ORDER BY name, id", NULL, role_json_columns);
}

static void
role_get_cb (KehuApi     *api,
             KehuRequest *request)
{
  g_autoptr(JsonObject) role = NULL;
  const char *id = kehu_request_get_param (request, "id");

  if (kehu_request_require_user (request) == NULL)
    return;
  role = load_one (kehu_api_get_store (api), ROLE_SQL "WHERE id = ?1 AND deleted_at IS NULL", id,
                   role_json_columns);
  if (role == NULL)
    kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                              _("There is no role “%s”"), id);
  else
    kehu_request_reply_object (request, SOUP_STATUS_OK, role);
}

static gboolean
check_role_body (JsonObject  *body,
                 GError     **error)
{
  KehuDataScope scope;

  if (json_object_has_member (body, "data_scope") &&
      !kehu_data_scope_from_string (json_object_get_string_member (body, "data_scope"), &scope))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "data_scope",
                          _("“data_scope” must be self, self_and_subordinates, department, department_and_children or all"));
      return FALSE;
    }
  if (json_object_has_member (body, "permissions") &&
      !check_permissions_array (json_object_get_array_member (body, "permissions"), error))
    return FALSE;
  return TRUE;
}

static char *
array_to_string (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

static void
role_create_cb (KehuApi     *api,
                KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "id", KEHU_BODY_STRING, FALSE, FALSE },
    { "name", KEHU_BODY_STRING, TRUE, FALSE },
    { "description", KEHU_BODY_STRING, FALSE, TRUE },
    { "permissions", KEHU_BODY_ARRAY, TRUE, FALSE },
    { "data_scope", KEHU_BODY_STRING, TRUE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *permissions = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "role.create")))
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  id = json_object_has_member (body, "id") ? g_strdup (json_object_get_string_member (body, "id"))
                                           : kehu_new_uuid ();
  if (!g_uuid_string_is_valid (id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "id",
                                _("“id” must be a UUID"));
      return;
    }
  if (!(name = clean_name (body, "name", &error)) || !check_role_body (body, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  permissions = array_to_string (json_object_get_array_member (body, "permissions"));

  if (!kehu_store_begin (store, &error) ||
      kehu_sql_run (store, &error,
                    "INSERT INTO roles (id, created_at, updated_at, created_by, name, description, permissions, data_scope) "
                    "VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)",
                    "sssssss", id, now, kehu_perm_get_user_id (perm), name, opt_string (body, "description"),
                    permissions, json_object_get_string_member (body, "data_scope")) < 0 ||
      !kehu_api_bump_rev (store, "roles", id, now, NULL, NULL, &error) ||
      !kehu_oplog_add (store, "roles", id, kehu_perm_get_user_id (perm), now, "create", NULL, NULL, name, &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  role = load_one (store, ROLE_SQL "WHERE id = ?1", id, role_json_columns);
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, role);
}

static void
role_patch_cb (KehuApi     *api,
               KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "name", KEHU_BODY_STRING, FALSE, FALSE },
    { "description", KEHU_BODY_STRING, FALSE, TRUE },
    { "permissions", KEHU_BODY_ARRAY, FALSE, FALSE },
    { "data_scope", KEHU_BODY_STRING, FALSE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");

  if (!kehu_request_require_permission (request, "role.edit"))
    return;
  if (!(before = load_one (store, ROLE_SQL "WHERE id = ?1 AND deleted_at IS NULL", id, role_json_columns)))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no role “%s”"), id);
      return;
    }
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  if (!check_role_body (body, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;

  if (json_object_has_member (body, "name"))
    {
      g_autofree char *name = clean_name (body, "name", &error);

      if (name == NULL || kehu_sql_run (store, &error, "UPDATE roles SET name = ?1 WHERE id = ?2", "ss", name, id) < 0)
        goto failed;
    }
  if (json_object_has_member (body, "description") &&
      kehu_sql_run (store, &error, "UPDATE roles SET description = ?1 WHERE id = ?2", "ss",
                    json_object_get_string_member (body, "description"), id) < 0)
    goto failed;
  if (json_object_has_member (body, "permissions"))
    {
      g_autofree char *permissions = array_to_string (json_object_get_array_member (body, "permissions"));

      if (kehu_sql_run (store, &error, "UPDATE roles SET permissions = ?1 WHERE id = ?2", "ss", permissions, id) < 0)
        goto failed;
    }
  if (json_object_has_member (body, "data_scope") &&
      kehu_sql_run (store, &error, "UPDATE roles SET data_scope = ?1 WHERE id = ?2", "ss",
                    json_object_get_string_member (body, "data_scope"), id) < 0)
    goto failed;

  if (kehu_sql_run (store, &error, "UPDATE roles SET updated_at = ?1 WHERE id = ?2", "ss", now, id) < 0 ||
      !kehu_api_bump_rev (store, "roles", id, now, NULL, NULL, &error) ||
      !bump_scope_epochs (store, &error))
    goto failed;
  role = load_one (store, ROLE_SQL "WHERE id = ?1", id, role_json_columns);
  if (!log_changes (store, "roles", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                    before, role, &error) ||
      !kehu_store_commit (store, &error))
    goto failed;

  kehu_request_reply_object (request, SOUP_STATUS_OK, role);
  return;

failed:
  kehu_store_rollback (store);
  kehu_request_reply_gerror (request, error);
}

static void
role_delete_cb (KehuApi     *api,
                KehuRequest *request)
{
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");

  if (!kehu_request_require_permission (request, "role.delete"))
    return;
  role = load_one (store, ROLE_SQL "WHERE id = ?1 AND deleted_at IS NULL", id, role_json_columns);
  if (role == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no role “%s”"), id);
      return;
    }
  if (json_object_get_int_member (role, "is_system"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_CONFLICT, "conflict", NULL,
                                _("A built-in role cannot be deleted"));
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      kehu_sql_run (store, &error, "UPDATE roles SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2",
                    "ss", now, id) < 0 ||
      kehu_sql_run (store, &error, "DELETE FROM user_roles WHERE role_id = ?1", "s", id) < 0 ||
      !kehu_oplog_add (store, "roles", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                       "delete", NULL, NULL, NULL, &error) ||
      !kehu_api_bump_rev (store, "roles", id, now, NULL, NULL, &error) ||
      !bump_scope_epochs (store, &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Super administrators ------------------------------------------------------------ */

static KehuPerm *
require_super_admin (KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);

  if (perm != NULL && !kehu_perm_is_super_admin (perm))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", NULL,
                                _("Only a super administrator can do this"));
      return NULL;
    }
  return perm;
}

static void
super_admins_list_cb (KehuApi     *api,
                      KehuRequest *request)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  KehuStore *store = kehu_api_get_store (api);
  g_autofree char *founder = kehu_org_get_founder (store);
  JsonArray *items = json_array_new ();
  sqlite3_stmt *stmt;

  if (kehu_request_require_user (request) == NULL)
    {
      json_array_unref (items);
      return;
    }

  stmt = kehu_sql_prepare (store, NULL,
                           "SELECT id FROM users WHERE is_super_admin = 1 AND deleted_at IS NULL ORDER BY created_at, rowid",
                           "");
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      JsonObject *user = _kehu_api_user_json (store, id, FALSE, NULL);

      if (user == NULL)
        continue;
      json_object_set_boolean_member (user, "is_founder", g_strcmp0 (founder, id) == 0);
      json_array_add_object_element (items, user);
    }
  sqlite3_finalize (stmt);

  json_object_set_array_member (reply, "items", items);
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
super_admin_add_cb (KehuApi     *api,
                    KehuRequest *request)
{
  g_autofree char *now = kehu_request_get_now_iso (request);
  static const KehuBodySpec fields[] = {
    { "user_id", KEHU_BODY_STRING, TRUE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_api_get_store (api);
  const char *user_id;

  if (!require_super_admin (request))
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  user_id = json_object_get_string_member (body, "user_id");
  if (!row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL", user_id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "user_id",
                                _("“user_id” must be an enabled user"));
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      !kehu_org_set_super_admin (store, user_id, TRUE, kehu_request_get_now (request), &error) ||
      !kehu_oplog_add (store, "users", user_id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                       "update", "is_super_admin", "0", "1", &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  user = _kehu_api_user_json (store, user_id, FALSE, &error);
  kehu_request_reply_object (request, SOUP_STATUS_OK, user);
}

static void
super_admin_remove_cb (KehuApi     *api,
                       KehuRequest *request)
{
  g_autofree char *now = kehu_request_get_now_iso (request);
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  KehuStore *store = kehu_api_get_store (api);
  g_autofree char *founder = kehu_org_get_founder (store);
  const char *id = kehu_request_get_param (request, "id");

  if (!require_super_admin (request))
    return;
  if (!row_exists (store, "SELECT 1 FROM users WHERE id = ?1 AND is_super_admin = 1 AND deleted_at IS NULL", id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("“%s” is not a super administrator"), id);
      return;
    }
  if (g_strcmp0 (founder, id) == 0)
    {
      kehu_request_reply_error (request, SOUP_STATUS_CONFLICT, "conflict", NULL,
                                _("The first super administrator cannot be removed"));
      return;
    }

  if (!kehu_store_begin (store, &error) ||
      !kehu_org_set_super_admin (store, id, FALSE, kehu_request_get_now (request), &error) ||
      !kehu_oplog_add (store, "users", id, kehu_perm_get_user_id (kehu_request_require_user (request)), now,
                       "update", "is_super_admin", "1", "0", &error) ||
      !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      kehu_request_reply_gerror (request, error);
      return;
    }

  user = _kehu_api_user_json (store, id, FALSE, &error);
  kehu_request_reply_object (request, SOUP_STATUS_OK, user);
}

void
_kehu_api_org_register (KehuApi *self)
{
  kehu_api_add_route (self, "GET", "/departments", departments_list_cb);
  kehu_api_add_route (self, "POST", "/departments", department_create_cb);
  kehu_api_add_route (self, "GET", "/departments/{id}", department_get_cb);
  kehu_api_add_route (self, "PATCH", "/departments/{id}", department_patch_cb);
  kehu_api_add_route (self, "DELETE", "/departments/{id}", department_delete_cb);

  kehu_api_add_route (self, "GET", "/users", users_list_cb);
  kehu_api_add_route (self, "POST", "/users", user_create_cb);
  kehu_api_add_route (self, "GET", "/users/{id}", user_get_cb);
  kehu_api_add_route (self, "PATCH", "/users/{id}", user_patch_cb);
  kehu_api_add_route (self, "POST", "/users/{id}/disable", user_disable_cb);
  kehu_api_add_route (self, "POST", "/users/{id}/enable", user_enable_cb);

  kehu_api_add_route (self, "GET", "/roles", roles_list_cb);
  kehu_api_add_route (self, "POST", "/roles", role_create_cb);
  kehu_api_add_route (self, "GET", "/roles/{id}", role_get_cb);
  kehu_api_add_route (self, "PATCH", "/roles/{id}", role_patch_cb);
  kehu_api_add_route (self, "DELETE", "/roles/{id}", role_delete_cb);

  kehu_api_add_route (self, "GET", "/super-admins", super_admins_list_cb);
  kehu_api_add_route (self, "POST", "/super-admins", super_admin_add_cb);
  kehu_api_add_route (self, "DELETE", "/super-admins/{id}", super_admin_remove_cb);
}
