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

#include "kehu-admin.h"
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

/* The members of a resource's JSON body, shared by its create (POST) and
 * update (PATCH) routes: a create must give the members marked required;
 * an update may give any of them, except those only a create sets. */
typedef struct
{
  KehuBodySpec spec;          /* spec.required: required when creating */
  gboolean     create_only;
} OrgField;

static JsonObject *
read_org_body (KehuRequest    *request,
               const OrgField *fields,
               guint           n_fields,
               gboolean        creating)
{
  g_autofree KehuBodySpec *specs = g_new0 (KehuBodySpec, n_fields);
  guint n = 0;

  for (guint i = 0; i < n_fields; i++)
    {
      if (fields[i].create_only && !creating)
        continue;
      specs[n] = fields[i].spec;
      specs[n].required = creating && fields[i].spec.required;
      n++;
    }
  return kehu_request_read_object (request, specs, n);
}

/* The id a create gives, or a new one; replies 400 when it is no UUID. */
static char *
take_new_id (KehuRequest *request,
             JsonObject  *body)
{
  g_autofree char *id = json_object_has_member (body, "id")
                        ? g_strdup (json_object_get_string_member (body, "id")) : kehu_new_uuid ();

  if (id == NULL || !g_uuid_string_is_valid (id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "id",
                                _("“id” must be a UUID"));
      return NULL;
    }
  return g_steal_pointer (&id);
}

/* Settings errors of kehu-admin, with the field they name. */
static void
reply_admin_error (KehuRequest  *request,
                   const GError *error)
{
  if (error->domain == KEHU_ADMIN_ERROR && error->code == KEHU_ADMIN_ERROR_INVALID)
    kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value",
                              kehu_admin_error_get_field (error), "%s", error->message);
  else if (error->domain == KEHU_ADMIN_ERROR && error->code == KEHU_ADMIN_ERROR_NOT_FOUND)
    kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found",
                              kehu_admin_error_get_field (error), "%s", error->message);
  else
    kehu_request_reply_gerror (request, error);
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

static const OrgField department_fields[] = {
  { { "id", KEHU_BODY_STRING, FALSE, FALSE }, TRUE },
  { { "name", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "parent_id", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "position", KEHU_BODY_INT, FALSE, FALSE }, FALSE },
};

/* The parent a create or an update gives: one top department, which stays
 * on top; an existing parent; no loop. @id is NULL for a create. */
static gboolean
check_department_parent (KehuStore   *store,
                         JsonObject  *body,
                         const char  *id,
                         gboolean     is_top,
                         GError     **error)
{
  const char *parent_id;

  if (id != NULL && !json_object_has_member (body, "parent_id"))
    return TRUE;
  parent_id = json_object_has_member (body, "parent_id") ? json_object_get_string_member (body, "parent_id") : NULL;

  if (is_top && parent_id != NULL)
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "parent_id", _("The top department cannot be moved"));
      return FALSE;
    }
  if (!is_top && parent_id == NULL &&
      (id != NULL || row_exists (store, "SELECT 1 FROM departments WHERE parent_id IS NULL AND deleted_at IS NULL AND ?1 IS NULL", NULL)))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "parent_id",
                          _("There is already a top department; give “parent_id”"));
      return FALSE;
    }
  if (parent_id != NULL &&
      !row_exists (store, "SELECT 1 FROM departments WHERE id = ?1 AND deleted_at IS NULL", parent_id))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "parent_id", _("There is no department “%s”"), parent_id);
      return FALSE;
    }
  if (parent_id != NULL && id != NULL && department_is_below (store, parent_id, id))
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "parent_id", _("A department cannot be moved under itself"));
      return FALSE;
    }
  return TRUE;
}

static void
department_create_cb (KehuApi     *api,
                      KehuRequest *request)
{
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
  if (!(body = read_org_body (request, department_fields, G_N_ELEMENTS (department_fields), TRUE)))
    return;
  if (!(name = clean_name (body, "name", &error)) ||
      !check_department_parent (store, body, NULL, FALSE, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  parent_id = json_object_has_member (body, "parent_id")
              ? json_object_get_string_member (body, "parent_id") : NULL;
  if (!(id = take_new_id (request, body)))
    return;

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
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) current = NULL;
  g_autoptr(JsonObject) updated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *id = kehu_request_get_param (request, "id");

  if (!kehu_request_require_permission (request, "department.edit"))
    return;
  current = load_one (store, DEPARTMENT_SQL "WHERE id = ?1 AND deleted_at IS NULL", id, plain_json_columns);
  if (current == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no department “%s”"), id);
      return;
    }
  if (!(body = read_org_body (request, department_fields, G_N_ELEMENTS (department_fields), FALSE)))
    return;
  if (!check_department_parent (store, body, id, json_object_get_null_member (current, "parent_id"), &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
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

static const OrgField user_fields[] = {
  { { "id", KEHU_BODY_STRING, FALSE, FALSE }, TRUE },
  { { "phone", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "name", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "password", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "gender", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "email", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "department_id", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "post", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "supervisor_id", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "role_ids", KEHU_BODY_ARRAY, FALSE, FALSE }, FALSE },
  /* Appointing super administrators after creation: /super-admins. */
  { { "is_super_admin", KEHU_BODY_BOOL, FALSE, FALSE }, TRUE },
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
  if (!(body = read_org_body (request, user_fields, G_N_ELEMENTS (user_fields), TRUE)))
    return;

  super_admin = json_object_has_member (body, "is_super_admin") &&
                json_object_get_boolean_member (body, "is_super_admin");
  if (super_admin && !kehu_perm_is_super_admin (perm))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", "is_super_admin",
                                _("Only a super administrator can appoint super administrators"));
      return;
    }

  if (!(id = take_new_id (request, body)))
    return;
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
  if (!(body = read_org_body (request, user_fields, G_N_ELEMENTS (user_fields), FALSE)))
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

static const OrgField role_fields[] = {
  { { "id", KEHU_BODY_STRING, FALSE, FALSE }, TRUE },
  { { "name", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "description", KEHU_BODY_STRING, FALSE, TRUE }, FALSE },
  { { "permissions", KEHU_BODY_ARRAY, TRUE, FALSE }, FALSE },
  { { "data_scope", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
};

static void
role_create_cb (KehuApi     *api,
                KehuRequest *request)
{
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
  if (!(body = read_org_body (request, role_fields, G_N_ELEMENTS (role_fields), TRUE)))
    return;
  if (!(id = take_new_id (request, body)))
    return;
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
  if (!(body = read_org_body (request, role_fields, G_N_ELEMENTS (role_fields), FALSE)))
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

/* Settings: custom fields, dictionaries, stages --------------------------------- *
 *
 * The rules (labels, closing stages and their win rates, what may be
 * removed) are kehu-admin's, the same the desktop runs offline. A create
 * and an update of one resource share their members and the code that
 * applies them.
 */

#define CUSTOM_FIELD_SQL \
  "SELECT id, rev, created_at, updated_at, module, name, label, type, required, dictionary_id, " \
  "position, in_list, searchable, is_enabled FROM custom_fields "
#define DICTIONARY_SQL "SELECT id, rev, created_at, updated_at, name, is_system FROM dictionaries "
#define DICTIONARY_ITEM_SQL "SELECT id, dictionary_id, value, label, position, is_enabled FROM dictionary_items "
#define STAGE_SQL "SELECT id, group_id, name, win_rate, position, kind FROM stages "

static const char * const no_json_columns[] = { NULL };

/* "move": n steps earlier (negative) or later, as the desktop's arrows. */
static gboolean
apply_move (JsonObject  *body,
            gboolean   (*move) (KehuStore *, const char *, int, GError **),
            KehuStore   *store,
            const char  *id,
            GError     **error)
{
  gint64 steps;

  if (!json_object_has_member (body, "move"))
    return TRUE;
  steps = json_object_get_int_member (body, "move");
  if (steps < -1000 || steps > 1000)
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "move", _("“move” must be a number from -1000 to 1000"));
      return FALSE;
    }
  for (gint64 i = 0; i < ABS (steps); i++)
    if (!move (store, id, steps < 0 ? -1 : 1, error))
      return FALSE;
  return TRUE;
}

/* Replies with @error (kehu-admin's, the API's or the store's) after
 * rolling back. */
static void
reply_failed (KehuRequest *request,
              KehuStore   *store,
              GError      *error)
{
  kehu_store_rollback (store);
  reply_admin_error (request, error);
}

static const OrgField custom_field_fields[] = {
  { { "module", KEHU_BODY_STRING, TRUE, FALSE }, TRUE },
  { { "name", KEHU_BODY_STRING, FALSE, FALSE }, TRUE },
  { { "type", KEHU_BODY_STRING, TRUE, FALSE }, TRUE },
  { { "dictionary_id", KEHU_BODY_STRING, FALSE, TRUE }, TRUE },
  { { "searchable", KEHU_BODY_BOOL, FALSE, FALSE }, TRUE },
  { { "label", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "required", KEHU_BODY_BOOL, FALSE, FALSE }, FALSE },
  { { "in_list", KEHU_BODY_BOOL, FALSE, FALSE }, FALSE },
  { { "is_enabled", KEHU_BODY_BOOL, FALSE, FALSE }, FALSE },
  { { "move", KEHU_BODY_INT, FALSE, FALSE }, FALSE },
};

static int
opt_bool (JsonObject *body,
          const char *member)
{
  return json_object_has_member (body, member) ? json_object_get_boolean_member (body, member) : -1;
}

static gboolean custom_field_save (KehuStore *store, const char *id, JsonObject *before,
                                   JsonObject *body, GError **error);

static void
custom_fields_list_cb (KehuApi     *api,
                       KehuRequest *request)
{
  const char *module = kehu_request_get_query (request, "module");

  if (kehu_request_require_user (request) == NULL)
    return;
  reply_list (request, CUSTOM_FIELD_SQL "WHERE (?1 IS NULL OR module = ?1) ORDER BY module, position, label, id",
              module, no_json_columns);
}

static void
custom_field_create_cb (KehuApi     *api,
                        KehuRequest *request)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = kehu_new_uuid ();
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  KehuSchema *schema = kehu_api_get_schema (api);
  const char *module;
  const char *dictionary;
  KehuFieldType type;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "custom_field.create")))
    return;
  if (!(body = read_org_body (request, custom_field_fields, G_N_ELEMENTS (custom_field_fields), TRUE)))
    return;

  module = json_object_get_string_member (body, "module");
  if (kehu_schema_get_module (schema, module) == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "module",
                                _("There is no module “%s”"), module);
      return;
    }
  if (!kehu_field_type_from_string (json_object_get_string_member (body, "type"), &type))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "type",
                                _("“type” must be text, long_text, number, money, date, datetime, choice, "
                                  "multi_choice, user, boolean, phone or email"));
      return;
    }
  dictionary = opt_string (body, "dictionary_id");
  if ((type == KEHU_FIELD_CHOICE || type == KEHU_FIELD_MULTI_CHOICE) &&
      (dictionary == NULL || !row_exists (store, "SELECT 1 FROM dictionaries WHERE id = ?1", dictionary)))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "dictionary_id",
                                _("A choice field needs “dictionary_id”, an existing dictionary"));
      return;
    }
  /* A stable key for the records' extra JSON, unless the caller picks one. */
  name = json_object_has_member (body, "name") ? g_strdup (json_object_get_string_member (body, "name"))
                                               : g_strdup_printf ("cf_%.8s", uuid);

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;
  id = kehu_schema_add_custom_field (schema, module, name, "-", type,
                                     json_object_has_member (body, "searchable") &&
                                     json_object_get_boolean_member (body, "searchable") ? KEHU_FIELD_SEARCHABLE : 0,
                                     (type == KEHU_FIELD_CHOICE || type == KEHU_FIELD_MULTI_CHOICE) ? dictionary : NULL,
                                     &error);
  if (id == NULL && error->domain == KEHU_SCHEMA_ERROR)
    {
      kehu_store_rollback (store);
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "name", "%s", error->message);
      return;
    }
  if (id == NULL ||
      !custom_field_save (store, id, NULL, body, &error) ||
      !apply_move (body, kehu_admin_move_custom_field, store, id, &error) ||
      !kehu_oplog_add (store, "custom_fields", id, kehu_perm_get_user_id (perm), now, "create", NULL, NULL,
                       json_object_get_string_member (body, "label"), &error) ||
      !kehu_store_commit (store, &error))
    {
      reply_failed (request, store, error);
      kehu_schema_reload (schema, NULL);
      return;
    }

  kehu_schema_reload (schema, NULL);
  created = load_one (store, CUSTOM_FIELD_SQL "WHERE id = ?1", id, no_json_columns);
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, created);
}

/* Dictionaries */

static const OrgField dictionary_fields[] = {
  { { "name", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
};

static void
dictionaries_list_cb (KehuApi     *api,
                      KehuRequest *request)
{
  if (kehu_request_require_user (request) == NULL)
    return;
  reply_list (request, DICTIONARY_SQL "ORDER BY name, id", NULL, no_json_columns);
}

/* GET of the rows that belong to the {id} of the path (a dictionary's
 * items, a stage group's stages): 404 naming the parent when it is not
 * there. @missing has one %s, the id. */
static void
reply_children (KehuApi     *api,
                KehuRequest *request,
                const char  *parent_sql,
                const char  *missing,
                const char  *list_sql)
{
  const char *id = kehu_request_get_param (request, "id");
  g_autofree char *message = NULL;

  if (kehu_request_require_user (request) == NULL)
    return;
  if (row_exists (kehu_api_get_store (api), parent_sql, id))
    {
      reply_list (request, list_sql, id, no_json_columns);
      return;
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  message = g_strdup_printf (missing, id);
#pragma GCC diagnostic pop
  kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "%s", message);
}

static void
dictionary_items_list_cb (KehuApi     *api,
                          KehuRequest *request)
{
  reply_children (api, request, "SELECT 1 FROM dictionaries WHERE id = ?1",
                  _("There is no dictionary “%s”"),
                  DICTIONARY_ITEM_SQL "WHERE dictionary_id = ?1 ORDER BY position, id");
}

/* Stages of a stage group */

static void
stages_list_cb (KehuApi     *api,
                KehuRequest *request)
{
  reply_children (api, request, "SELECT 1 FROM stage_groups WHERE id = ?1 AND deleted_at IS NULL",
                  _("There is no stage group “%s”"),
                  STAGE_SQL "WHERE group_id = ?1 ORDER BY position, id");
}

/* Writing settings rows --------------------------------------------------------- */

/*
 * One shape serves the settings rows that kehu-admin keeps (a custom
 * field's label and flags, dictionaries and their items, stages): check
 * the permission, 404 for an unknown row, read the body, create or save,
 * move, log who changed what, commit, answer with the row as it is now.
 */
typedef struct
{
  const char     *table;        /* the oplog's module */
  const char     *select_sql;   /* the row by id: "… WHERE id = ?1" */
  const char     *id_param;     /* the path parameter naming the row (PATCH) */
  const char     *create_permission;
  const char     *edit_permission;
  const char     *missing;      /* "There is no … “%s”", translated when used */
  const OrgField *fields;
  guint           n_fields;
  const char     *title_member; /* logged with a create */
  gboolean        reload_schema;
  /* NULL when a route other than this writer creates the rows */
  char         *(*create)       (KehuStore *store, KehuRequest *request, JsonObject *body, GError **error);
  gboolean      (*save)         (KehuStore *store, const char *id, JsonObject *before, JsonObject *body, GError **error);
  gboolean      (*move)         (KehuStore *store, const char *id, int delta, GError **error);
  /* Replies and answers FALSE when the body cannot be right (before: NULL
   * on a create). */
  gboolean      (*check)        (KehuRequest *request, JsonObject *before, JsonObject *body);
} SettingsWriter;

static void
settings_write_cb (KehuApi     *api,
                   KehuRequest *request)
{
  const SettingsWriter *w = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, w->id_param);
  gboolean creating = id == NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, creating ? w->create_permission : w->edit_permission)))
    return;
  if (!creating && !(before = load_one (store, w->select_sql, id, no_json_columns)))
    {
      g_autofree char *message = NULL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      message = g_strdup_printf (_(w->missing), id);
#pragma GCC diagnostic pop
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "%s", message);
      return;
    }
  if (!(body = read_org_body (request, w->fields, w->n_fields, creating)))
    return;
  if (w->check != NULL && !w->check (request, before, body))
    return;

  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;
  if (creating)
    {
      if (!(new_id = w->create (store, request, body, &error)) ||
          !kehu_oplog_add (store, w->table, new_id, kehu_perm_get_user_id (perm), now, "create", NULL, NULL,
                           opt_string (body, w->title_member), &error))
        {
          reply_failed (request, store, error);
          return;
        }
      id = new_id;
    }
  else if (!w->save (store, id, before, body, &error))
    {
      reply_failed (request, store, error);
      return;
    }
  if ((w->move != NULL && !apply_move (body, w->move, store, id, &error)) ||
      !(after = load_one (store, w->select_sql, id, no_json_columns)) ||
      (before != NULL && !log_changes (store, w->table, id, kehu_perm_get_user_id (perm), now, before, after, &error)) ||
      !kehu_store_commit (store, &error))
    {
      reply_failed (request, store, error);
      if (w->reload_schema)
        kehu_schema_reload (kehu_api_get_schema (api), NULL);
      return;
    }

  /* Records are checked against the new label and state from now on. */
  if (w->reload_schema)
    kehu_schema_reload (kehu_api_get_schema (api), NULL);
  kehu_request_reply_object (request, creating ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, after);
}

/* Custom fields: created by custom_field_create_cb (the schema names them). */

static gboolean
custom_field_save (KehuStore   *store,
                   const char  *id,
                   JsonObject  *before,
                   JsonObject  *body,
                   GError     **error)
{
  return kehu_admin_update_custom_field (store, id, opt_string (body, "label"), opt_bool (body, "required"),
                                         opt_bool (body, "in_list"), opt_bool (body, "is_enabled"), error);
}

static const SettingsWriter custom_field_writer = {
  "custom_fields", CUSTOM_FIELD_SQL "WHERE id = ?1", "id", "custom_field.create", "custom_field.edit",
  N_("There is no custom field “%s”"), custom_field_fields, G_N_ELEMENTS (custom_field_fields), "label", TRUE,
  NULL, custom_field_save, kehu_admin_move_custom_field, NULL,
};

/* Dictionaries and their items */

static char *
dictionary_create (KehuStore    *store,
                   KehuRequest  *request,
                   JsonObject   *body,
                   GError      **error)
{
  return kehu_admin_add_dictionary (store, opt_string (body, "name"), error);
}

static gboolean
dictionary_save (KehuStore   *store,
                 const char  *id,
                 JsonObject  *before,
                 JsonObject  *body,
                 GError     **error)
{
  return !json_object_has_member (body, "name") ||
         kehu_admin_rename_dictionary (store, id, opt_string (body, "name"), error);
}

static const SettingsWriter dictionary_writer = {
  "dictionaries", DICTIONARY_SQL "WHERE id = ?1", "id", "dictionary.create", "dictionary.edit",
  N_("There is no dictionary “%s”"), dictionary_fields, G_N_ELEMENTS (dictionary_fields), "name", FALSE,
  dictionary_create, dictionary_save, NULL, NULL,
};

static const OrgField dictionary_item_fields[] = {
  { { "label", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "is_enabled", KEHU_BODY_BOOL, FALSE, FALSE }, FALSE },
  { { "move", KEHU_BODY_INT, FALSE, FALSE }, FALSE },
};

static gboolean
dictionary_item_save (KehuStore   *store,
                      const char  *id,
                      JsonObject  *before,
                      JsonObject  *body,
                      GError     **error)
{
  const char *label = json_object_has_member (body, "label") ? opt_string (body, "label")
                                                             : json_object_get_string_member (before, "label");
  gboolean enabled = json_object_has_member (body, "is_enabled") ? json_object_get_boolean_member (body, "is_enabled")
                                                                 : json_object_get_int_member (before, "is_enabled") != 0;

  return kehu_admin_save_dictionary_item (store, id, label, enabled, error);
}

/* POST /dictionaries/{id}/items: a new item may come disabled. */
static char *
dictionary_item_create (KehuStore    *store,
                        KehuRequest  *request,
                        JsonObject   *body,
                        GError      **error)
{
  g_autofree char *id = kehu_admin_add_dictionary_item (store, kehu_request_get_param (request, "id"),
                                                        opt_string (body, "label"), error);
  g_autoptr(JsonObject) created = NULL;

  if (id == NULL || !json_object_has_member (body, "is_enabled"))
    return g_steal_pointer (&id);
  created = load_one (store, DICTIONARY_ITEM_SQL "WHERE id = ?1", id, no_json_columns);
  if (created == NULL || !dictionary_item_save (store, id, created, body, error))
    return NULL;
  return g_steal_pointer (&id);
}

static const SettingsWriter dictionary_item_writer = {
  "dictionary_items", DICTIONARY_ITEM_SQL "WHERE id = ?1", "item_id", "dictionary.create", "dictionary.edit",
  N_("There is no dictionary item “%s”"), dictionary_item_fields, G_N_ELEMENTS (dictionary_item_fields), "label",
  FALSE, dictionary_item_create, dictionary_item_save, kehu_admin_move_dictionary_item, NULL,
};

/* Stages of a stage group */

static const OrgField stage_fields[] = {
  { { "name", KEHU_BODY_STRING, TRUE, FALSE }, FALSE },
  { { "win_rate", KEHU_BODY_INT, TRUE, FALSE }, FALSE },
  { { "move", KEHU_BODY_INT, FALSE, FALSE }, FALSE },
};

static gint64
stage_win_rate (JsonObject *before,
                JsonObject *body)
{
  return json_object_has_member (body, "win_rate") ? json_object_get_int_member (body, "win_rate")
                                                   : json_object_get_int_member (before, "win_rate");
}

static gboolean
stage_check (KehuRequest *request,
             JsonObject  *before,
             JsonObject  *body)
{
  gint64 win_rate = stage_win_rate (before, body);

  if (win_rate >= 0 && win_rate <= 100)
    return TRUE;
  kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "win_rate",
                            _("“win_rate” must be a whole percent from 0 to 100"));
  return FALSE;
}

/* POST /stage_groups/{id}/stages: a new open stage; the group gets its
 * closing stages if it lacks them. */
static char *
stage_create (KehuStore    *store,
              KehuRequest  *request,
              JsonObject   *body,
              GError      **error)
{
  return kehu_admin_add_stage (store, kehu_request_get_param (request, "id"), opt_string (body, "name"),
                               (int) stage_win_rate (NULL, body), error);
}

static gboolean
stage_save (KehuStore   *store,
            const char  *id,
            JsonObject  *before,
            JsonObject  *body,
            GError     **error)
{
  return kehu_admin_save_stage (store, id,
                                json_object_has_member (body, "name") ? opt_string (body, "name")
                                                                      : json_object_get_string_member (before, "name"),
                                (int) stage_win_rate (before, body), error);
}

static const SettingsWriter stage_writer = {
  "stages", STAGE_SQL "WHERE id = ?1", "stage_id", "stage_group.edit", "stage_group.edit",
  N_("There is no stage “%s”"), stage_fields, G_N_ELEMENTS (stage_fields), "name", FALSE,
  stage_create, stage_save, kehu_admin_move_stage, stage_check,
};

static void
stage_delete_cb (KehuApi     *api,
                 KehuRequest *request)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);
  const char *stage_id = kehu_request_get_param (request, "stage_id");
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "stage_group.edit")))
    return;
  if (reply_if_failed (request, kehu_store_begin (store, &error), error))
    return;
  if (!kehu_admin_remove_stage (store, stage_id, &error) ||
      !kehu_oplog_add (store, "stages", stage_id, kehu_perm_get_user_id (perm), now, "delete", NULL, NULL, NULL, &error) ||
      !kehu_store_commit (store, &error))
    {
      reply_failed (request, store, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
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

  kehu_api_add_route (self, "GET", "/custom-fields", custom_fields_list_cb);
  kehu_api_add_route (self, "POST", "/custom-fields", custom_field_create_cb);
  kehu_api_add_route_full (self, "PATCH", "/custom-fields/{id}", settings_write_cb, (gpointer) &custom_field_writer);

  kehu_api_add_route (self, "GET", "/dictionaries", dictionaries_list_cb);
  kehu_api_add_route_full (self, "POST", "/dictionaries", settings_write_cb, (gpointer) &dictionary_writer);
  kehu_api_add_route_full (self, "PATCH", "/dictionaries/{id}", settings_write_cb, (gpointer) &dictionary_writer);
  kehu_api_add_route (self, "GET", "/dictionaries/{id}/items", dictionary_items_list_cb);
  kehu_api_add_route_full (self, "POST", "/dictionaries/{id}/items", settings_write_cb, (gpointer) &dictionary_item_writer);
  kehu_api_add_route_full (self, "PATCH", "/dictionary-items/{item_id}", settings_write_cb, (gpointer) &dictionary_item_writer);

  kehu_api_add_route (self, "GET", "/stage_groups/{id}/stages", stages_list_cb);
  kehu_api_add_route_full (self, "POST", "/stage_groups/{id}/stages", settings_write_cb, (gpointer) &stage_writer);
  kehu_api_add_route_full (self, "PATCH", "/stages/{stage_id}", settings_write_cb, (gpointer) &stage_writer);
  kehu_api_add_route (self, "DELETE", "/stages/{stage_id}", stage_delete_cb);
}
