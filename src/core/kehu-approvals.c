/* kehu-approvals.c: approvals on the store
 *
 * The engine (kehu-approval.c) stays pure; this file reads and writes the
 * approval_* tables, the records under approval and their totals. See the
 * header for the contract.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-approvals"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-approvals.h"
#include "kehu-record.h"

G_DEFINE_QUARK (kehu-approvals-error-quark, kehu_approvals_error)

typedef struct
{
  const char *module;
  const char *business_type;
  /* The title of an instance, from the record (table aliased r). */
  const char *title_sql;
} ModuleInfo;

static const ModuleInfo modules[] = {
  { "contracts", "contract", "COALESCE (r.name, r.number)" },
  { "payments", "payment", "COALESCE (r.number, (SELECT c.name FROM contracts c WHERE c.id = r.contract_id))" },
  { "invoices", "invoice", "COALESCE (r.title, r.number, (SELECT c.name FROM contracts c WHERE c.id = r.contract_id))" },
  { "requests", "generic", NULL },
};

static const char * const box_names[] = { "waiting", "handled", "submitted", "copied" };

/* The amount of an instance's record, for lists. */
#define AMOUNT_SQL \
  "CASE i.module" \
  " WHEN 'contracts' THEN (SELECT amount FROM contracts WHERE id = i.record_id)" \
  " WHEN 'payments' THEN (SELECT amount FROM payments WHERE id = i.record_id)" \
  " WHEN 'invoices' THEN (SELECT amount FROM invoices WHERE id = i.record_id)" \
  " END"

#define INSTANCE_COLUMNS \
  "i.id, i.module, i.record_id, i.business_type, i.title, i.submitter_id," \
  " (SELECT name FROM users WHERE id = i.submitter_id), " AMOUNT_SQL "," \
  " i.status, i.submitted_at, i.decided_at, i.waiting, i.copy_to, i.state"

static const ModuleInfo *
module_lookup (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    if (g_strcmp0 (modules[i].module, module) == 0)
      return &modules[i];
  return NULL;
}

const char *
kehu_approvals_business_type_for_module (const char *module)
{
  const ModuleInfo *info = module_lookup (module);

  return info ? info->business_type : NULL;
}

const char *
kehu_approvals_box_to_string (KehuApprovalsBox box)
{
  g_return_val_if_fail (box < KEHU_APPROVALS_N_BOXES, NULL);
  return box_names[box];
}

gboolean
kehu_approvals_box_from_string (const char       *str,
                                KehuApprovalsBox *box)
{
  for (guint i = 0; i < G_N_ELEMENTS (box_names); i++)
    if (g_strcmp0 (box_names[i], str) == 0)
      {
        *box = i;
        return TRUE;
      }
  return FALSE;
}

/* SQL helpers */

static sqlite3_stmt *
prepare (KehuStore   *store,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Binds n text parameters from ?1 on. */
static void
bind_texts (sqlite3_stmt *stmt,
            int           n,
            ...)
{
  va_list ap;

  va_start (ap, n);
  for (int i = 1; i <= n; i++)
    sqlite3_bind_text (stmt, i, va_arg (ap, const char *), -1, SQLITE_TRANSIENT);
  va_end (ap);
}

/* Runs a statement that returns no rows, with text parameters. */
static gboolean
run (KehuStore   *store,
     GError     **error,
     const char  *sql,
     ...)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql, error);
  va_list ap;
  int rc;

  if (stmt == NULL)
    return FALSE;

  va_start (ap, sql);
  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    sqlite3_bind_text (stmt, i, va_arg (ap, const char *), -1, SQLITE_TRANSIENT);
  va_end (ap);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/* The first column of the first row as text (NULL without a row or for a
 * NULL value: *found tells them apart). */
static char *
query_text (KehuStore   *store,
            gboolean    *found,
            GError     **error,
            const char  *sql,
            ...)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql, error);
  va_list ap;
  int rc;

  if (found)
    *found = FALSE;
  if (stmt == NULL)
    return NULL;

  va_start (ap, sql);
  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    sqlite3_bind_text (stmt, i, va_arg (ap, const char *), -1, SQLITE_TRANSIENT);
  va_end (ap);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (found)
        *found = TRUE;
      return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    kehu_store_set_error_from_db (store, rc, error);
  return NULL;
}

static char *
format_time (GDateTime *now)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static gint64
parse_time (const char *iso)
{
  g_autoptr(GDateTime) dt = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;

  return dt ? g_date_time_to_unix (dt) : -1;
}

static gboolean
oplog_add (KehuStore   *store,
           const char  *module,
           const char  *record_id,
           const char  *user_id,
           const char  *at,
           const char  *action,
           const char  *field,
           const char  *old_value,
           const char  *new_value,
           GError     **error)
{
  return run (store, error,
              "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              module, record_id, user_id, at, action, field, old_value, new_value);
}

static JsonNode *
parse_json (const char  *text,
            const char  *what,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, text ? text : "null", -1, &local_error))
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                   _("The stored %s is not valid JSON: %s"), what, local_error->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static char *
to_json (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static JsonNode *
strv_to_array (char **strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

/* A row as a JSON object, by column name and SQLite type. */
static JsonObject *
row_to_object (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();

  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      switch (sqlite3_column_type (stmt, i))
        {
        case SQLITE_INTEGER:
          json_object_set_int_member (object, name, sqlite3_column_int64 (stmt, i));
          break;
        case SQLITE_FLOAT:
          json_object_set_double_member (object, name, sqlite3_column_double (stmt, i));
          break;
        case SQLITE_NULL:
          json_object_set_null_member (object, name);
          break;
        default:
          json_object_set_string_member (object, name, (const char *) sqlite3_column_text (stmt, i));
          break;
        }
    }
  return object;
}

/* The directory */

static char *
dir_supervisor_of (gpointer    user_data,
                   const char *user_id)
{
  return query_text (user_data, NULL, NULL,
                     "SELECT supervisor_id FROM users WHERE id = ? AND deleted_at IS NULL", user_id);
}

static char **
dir_users_with_role (gpointer    user_data,
                     const char *role_id)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt =
    prepare (user_data,
             "SELECT ur.user_id FROM user_roles ur"
             " JOIN users u ON u.id = ur.user_id"
             " JOIN roles r ON r.id = ur.role_id"
             " WHERE ur.role_id = ? AND u.deleted_at IS NULL AND r.deleted_at IS NULL"
             " ORDER BY u.created_at, u.id", NULL);

  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 1, role_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  return g_strv_builder_end (builder);
}

static gboolean
dir_user_enabled (gpointer    user_data,
                  const char *user_id)
{
  g_autofree char *enabled =
    query_text (user_data, NULL, NULL,
                "SELECT is_enabled FROM users WHERE id = ? AND deleted_at IS NULL", user_id);

  return g_strcmp0 (enabled, "1") == 0;
}

static char *
dir_administrator (gpointer user_data)
{
  return query_text (user_data, NULL, NULL,
                     "SELECT id FROM users WHERE is_super_admin = 1 AND is_enabled = 1"
                     " AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1");
}

static gboolean
dir_user_exists (gpointer    user_data,
                 const char *user_id)
{
  gboolean found;
  g_autofree char *id =
    query_text (user_data, &found, NULL,
                "SELECT id FROM users WHERE id = ? AND deleted_at IS NULL", user_id);

  return found;
}

static gboolean
dir_role_exists (gpointer    user_data,
                 const char *role_id)
{
  gboolean found;
  g_autofree char *id =
    query_text (user_data, &found, NULL,
                "SELECT id FROM roles WHERE id = ? AND deleted_at IS NULL", role_id);

  return found;
}

void
kehu_approvals_directory_init (KehuApprovalDirectory *directory,
                               KehuStore             *store)
{
  g_return_if_fail (directory != NULL);
  g_return_if_fail (KEHU_IS_STORE (store));

  *directory = (KehuApprovalDirectory) {
    .supervisor_of = dir_supervisor_of,
    .users_with_role = dir_users_with_role,
    .user_enabled = dir_user_enabled,
    .administrator = dir_administrator,
    .user_exists = dir_user_exists,
    .role_exists = dir_role_exists,
    .user_data = store,
  };
}

/* Me */

char *
kehu_approvals_dup_local_user (KehuStore  *store,
                               GDateTime  *now,
                               GError    **error)
{
  g_autofree char *id = NULL;
  g_autofree char *at = NULL;
  g_autofree char *count = NULL;
  const char *name;
  GError *local_error = NULL;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  id = query_text (store, NULL, &local_error,
                   "SELECT u.id FROM kehu_meta m JOIN users u ON u.id = m.value"
                   " WHERE m.key = 'user_id' AND u.is_enabled = 1 AND u.deleted_at IS NULL");
  if (local_error == NULL && id == NULL)
    id = dir_administrator (store);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (id != NULL)
    return g_steal_pointer (&id);

  count = query_text (store, NULL, error, "SELECT count(*) FROM users");
  if (count == NULL)
    return NULL;
  if (!g_str_equal (count, "0"))
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                   _("This store has users but no enabled super administrator to act as you"));
      return NULL;
    }

  /* Single-user local mode: the one user is its super administrator. */
  id = g_uuid_string_random ();
  at = format_time (now);
  name = g_get_real_name ();
  if (name == NULL || g_str_equal (name, "Unknown"))
    name = g_get_user_name ();

  if (!kehu_store_begin (store, error))
    return NULL;
  if (!run (store, error,
            "INSERT INTO users (id, created_at, updated_at, phone, name, is_super_admin)"
            " VALUES (?1, ?2, ?2, 'local', ?3, 1)", id, at, name) ||
      !run (store, error,
            "INSERT OR REPLACE INTO kehu_meta (key, value) VALUES ('user_id', ?)", id) ||
      !oplog_add (store, "users", id, id, at, "create", NULL, NULL, NULL, error) ||
      !kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&id);
}

/* Flows */

static JsonNode *
query_flows (KehuStore   *store,
             const char  *where,
             const char  *param,
             GError     **error)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT id, name, business_type, definition, is_enabled, position,"
                     " created_at, updated_at FROM approval_flows"
                     " WHERE deleted_at IS NULL %s ORDER BY business_type, position, created_at, id",
                     where);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql, error);
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (param != NULL)
    bind_texts (stmt, 1, param);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *flow = row_to_object (stmt);
      JsonNode *definition = parse_json (json_object_get_string_member (flow, "definition"),
                                         "flow", error);

      if (definition == NULL)
        {
          json_object_unref (flow);
          return NULL;
        }
      json_object_set_member (flow, "definition", definition);
      json_object_set_boolean_member (flow, "is_enabled",
                                      json_object_get_int_member (flow, "is_enabled") != 0);
      json_array_add_object_element (array, flow);
    }
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

JsonNode *
kehu_approvals_list_flows (KehuStore   *store,
                           const char  *business_type,
                           GError     **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (business_type != NULL)
    return query_flows (store, "AND business_type = ?", business_type, error);
  return query_flows (store, "", NULL, error);
}

JsonNode *
kehu_approvals_get_flow (KehuStore   *store,
                         const char  *flow_id,
                         GError     **error)
{
  g_autoptr(JsonNode) flows = query_flows (store, "AND id = ?", flow_id, error);
  JsonArray *array;

  if (flows == NULL)
    return NULL;
  array = json_node_get_array (flows);
  if (json_array_get_length (array) == 0)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                   _("There is no approval flow “%s”"), flow_id);
      return NULL;
    }
  return json_node_copy (json_array_get_element (array, 0));
}

char *
kehu_approvals_save_flow (KehuStore   *store,
                          const char  *flow_id,
                          JsonNode    *definition,
                          gboolean     is_enabled,
                          int          position,
                          const char  *user_id,
                          GDateTime   *now,
                          GError     **error)
{
  KehuApprovalDirectory directory;
  g_autofree char *id = NULL;
  g_autofree char *at = format_time (now);
  g_autofree char *text = NULL;
  g_autofree char *enabled = g_strdup (is_enabled ? "1" : "0");
  g_autofree char *pos = g_strdup_printf ("%d", position);
  JsonObject *object;
  const char *name, *type;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (definition != NULL, NULL);

  kehu_approvals_directory_init (&directory, store);
  if (!kehu_approval_flow_validate (definition, &directory, error))
    return NULL;

  object = json_node_get_object (definition);
  name = json_object_get_string_member (object, "name");
  type = json_object_get_string_member (object, "business_type");
  if (!g_strv_contains ((const char * const[]) { "contract", "payment", "invoice", "generic", NULL }, type))
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                   _("“business_type”: flows can be stored for contract, payment, invoice and generic, not “%s”"),
                   type);
      return NULL;
    }

  text = to_json (definition);
  if (!kehu_store_begin (store, error))
    return NULL;

  if (flow_id == NULL)
    {
      id = g_uuid_string_random ();
      if (!run (store, error,
                "INSERT INTO approval_flows (id, created_at, updated_at, created_by, owner_id,"
                " name, business_type, definition, is_enabled, position)"
                " VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8)",
                id, at, user_id, name, type, text, enabled, pos) ||
          !oplog_add (store, "approval_flows", id, user_id, at, "create", NULL, NULL, text, error))
        goto fail;
    }
  else
    {
      gboolean found;
      g_autofree char *old = query_text (store, &found, error,
                                         "SELECT definition FROM approval_flows"
                                         " WHERE id = ? AND deleted_at IS NULL", flow_id);
      if (!found)
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                         _("There is no approval flow “%s”"), flow_id);
          goto fail;
        }
      id = g_strdup (flow_id);
      if (!run (store, error,
                "UPDATE approval_flows SET updated_at = ?2, name = ?3, business_type = ?4,"
                " definition = ?5, is_enabled = ?6, position = ?7 WHERE id = ?1",
                id, at, name, type, text, enabled, pos) ||
          !oplog_add (store, "approval_flows", id, user_id, at, "update", "definition", old, text, error))
        goto fail;
    }

  if (!kehu_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&id);

fail:
  kehu_store_rollback (store);
  return NULL;
}

gboolean
kehu_approvals_delete_flow (KehuStore   *store,
                            const char  *flow_id,
                            const char  *user_id,
                            GDateTime   *now,
                            GError     **error)
{
  g_autofree char *at = format_time (now);

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  if (!kehu_store_begin (store, error))
    return FALSE;
  if (!run (store, error,
            "UPDATE approval_flows SET deleted_at = ?2, updated_at = ?2"
            " WHERE id = ?1 AND deleted_at IS NULL", flow_id, at))
    goto fail;
  if (sqlite3_changes (kehu_store_get_db (store)) == 0)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                   _("There is no approval flow “%s”"), flow_id);
      goto fail;
    }
  if (!oplog_add (store, "approval_flows", flow_id, user_id, at, "delete", NULL, NULL, NULL, error) ||
      !kehu_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  kehu_store_rollback (store);
  return FALSE;
}

/* Records */

/* The record under approval as the engine's conditions see it. */
static JsonNode *
load_record (KehuStore   *store,
             const char  *module,
             const char  *record_id,
             const char  *title,
             GError     **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonNode *node;
  int rc;

  if (g_str_equal (module, "requests"))
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "id", record_id);
      json_object_set_string_member (object, "title", title);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, object);
      return node;
    }

  /* The module comes from the fixed table above, never from the user. */
  sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ? AND deleted_at IS NULL", module);
  stmt = prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 1, record_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                     _("There is no record “%s” in %s"), record_id, module);
      else
        kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, row_to_object (stmt));
  return node;
}

static char *
record_title (KehuStore   *store,
              const ModuleInfo *info,
              const char  *record_id,
              GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s r WHERE r.id = ?",
                                          info->title_sql, info->module);

  return query_text (store, NULL, error, sql, record_id);
}

gboolean
kehu_approvals_check_payment_contract (KehuStore   *store,
                                       const char  *contract_id,
                                       GError     **error)
{
  gboolean found;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *status = NULL;

  if (contract_id == NULL)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED,
                   _("“contract_id”: a payment must belong to an approved contract"));
      return FALSE;
    }
  status = query_text (store, &found, &local_error,
                       "SELECT approval_status FROM contracts WHERE id = ? AND deleted_at IS NULL",
                       contract_id);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!found)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                   _("“contract_id”: there is no contract “%s”"), contract_id);
      return FALSE;
    }
  if (!g_str_equal (status, "approved"))
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED,
                   _("“contract_id”: only approved contracts take payments; this contract is not approved yet"));
      return FALSE;
    }
  return TRUE;
}

/* Applies an instance's status to its record through the record API, whose
 * rules recompute the contract's and the customer's totals (approved
 * payments and invoices only) and write the operation log. The status is
 * not the user's to write: the change is made as a trusted writer. */
static gboolean
apply_status (KehuContext  *ctx,
              const char   *module,
              const char   *record_id,
              const char   *status,
              GError      **error)
{
  g_autoptr(JsonObject) changes = NULL;
  gboolean trusted, ok;

  if (g_str_equal (module, "requests"))
    return TRUE;

  changes = json_object_new ();
  json_object_set_string_member (changes, "approval_status", status);
  trusted = kehu_context_get_trusted (ctx);
  kehu_context_set_trusted (ctx, TRUE);
  ok = kehu_record_update (ctx, module, record_id, changes, error);
  kehu_context_set_trusted (ctx, trusted);
  return ok;
}

/* Instances */

static gboolean
write_waiting (KehuStore   *store,
               const char  *instance_id,
               JsonNode    *state,
               GError     **error)
{
  g_auto(GStrv) waiting = kehu_approval_get_waiting (state);

  if (!run (store, error, "DELETE FROM approval_waiting WHERE instance_id = ?", instance_id))
    return FALSE;
  for (guint i = 0; waiting && waiting[i]; i++)
    if (!run (store, error,
              "INSERT OR IGNORE INTO approval_waiting (instance_id, user_id) VALUES (?, ?)",
              instance_id, waiting[i]))
      return FALSE;
  return TRUE;
}

static gboolean
add_action (KehuStore   *store,
            const char  *instance_id,
            const char  *step,
            const char  *user_id,
            const char  *action,
            const char  *comment,
            const char  *target_user,
            const char  *at,
            GError     **error)
{
  return run (store, error,
              "INSERT INTO approval_actions (instance_id, step, user_id, action, comment,"
              " target_user, at) VALUES (?, CAST (? AS INTEGER), ?, ?, ?, ?, ?)",
              instance_id, step, user_id, action, comment, target_user, at) &&
         oplog_add (store, "approval_instances", instance_id, user_id, at, action,
                    NULL, NULL, comment, error);
}

/* Stores a state the engine returned. */
static gboolean
store_state (KehuStore   *store,
             const char  *instance_id,
             JsonNode    *state,
             const char  *at,
             gboolean     resubmitted,
             GError     **error)
{
  KehuApprovalStatus status = kehu_approval_get_status (state);
  g_autofree char *text = to_json (state);
  g_auto(GStrv) waiting = kehu_approval_get_waiting (state);
  g_auto(GStrv) copy_to = kehu_approval_get_copy_to (state);
  g_autoptr(JsonNode) waiting_node = strv_to_array (waiting);
  g_autoptr(JsonNode) copy_node = strv_to_array (copy_to);
  g_autofree char *waiting_text = to_json (waiting_node);
  g_autofree char *copy_text = to_json (copy_node);

  if (!run (store, error,
            "UPDATE approval_instances SET updated_at = ?2, status = ?3, state = ?4,"
            " waiting = ?5, copy_to = ?6,"
            " submitted_at = CASE WHEN ?7 = '1' THEN ?2 ELSE submitted_at END,"
            " decided_at = CASE WHEN ?3 = 'pending' THEN NULL ELSE ?2 END"
            " WHERE id = ?1",
            instance_id, at, kehu_approval_status_to_string (status), text,
            waiting_text, copy_text, resubmitted ? "1" : "0"))
    return FALSE;
  return write_waiting (store, instance_id, state, error);
}

typedef struct
{
  char *id;
  char *module;
  char *record_id;
  char *title;
  char *status;
  char *submitter;
  JsonNode *flow;
  JsonNode *state;
} InstanceRow;

static void
instance_row_free (InstanceRow *row)
{
  g_free (row->id);
  g_free (row->module);
  g_free (row->record_id);
  g_free (row->title);
  g_free (row->status);
  g_free (row->submitter);
  g_clear_pointer (&row->flow, json_node_unref);
  g_clear_pointer (&row->state, json_node_unref);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InstanceRow, instance_row_free)

static InstanceRow *
load_instance (KehuStore   *store,
               const char  *instance_id,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (store,
             "SELECT id, module, record_id, title, status, submitter_id, flow_definition, state"
             " FROM approval_instances WHERE id = ?", error);
  g_autoptr(InstanceRow) row = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 1, instance_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                     _("There is no approval “%s”"), instance_id);
      else
        kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  row = g_new0 (InstanceRow, 1);
  row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->module = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  row->title = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  row->status = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  row->submitter = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  row->flow = parse_json ((const char *) sqlite3_column_text (stmt, 6), "flow", error);
  if (row->flow == NULL)
    return NULL;
  row->state = parse_json ((const char *) sqlite3_column_text (stmt, 7), "approval state", error);
  if (row->state == NULL)
    return NULL;
  return g_steal_pointer (&row);
}

static gboolean
act_locked (KehuContext        *ctx,
            InstanceRow        *row,
            KehuApprovalAction  action,
            const char         *comment,
            const char         *target_user,
            GError            **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  const char *actor = kehu_context_get_user_id (ctx);
  g_autoptr(GDateTime) now = kehu_context_get_now (ctx);
  KehuApprovalDirectory directory;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonNode) new_state = NULL;
  g_autofree char *at = format_time (now);
  g_autofree char *step = NULL;
  JsonObject *root;
  KehuApprovalStatus status;

  kehu_approvals_directory_init (&directory, store);

  if (action == KEHU_APPROVAL_ACTION_RESUBMIT)
    {
      record = load_record (store, row->module, row->record_id, row->title, error);
      if (record == NULL)
        return FALSE;
      if (g_str_equal (row->module, "payments"))
        {
          JsonObject *object = json_node_get_object (record);

          if (!kehu_approvals_check_payment_contract (store,
                                                      json_object_get_string_member_with_default (object, "contract_id", NULL),
                                                      error))
            return FALSE;
        }
    }

  root = json_node_get_object (row->state);
  if (action != KEHU_APPROVAL_ACTION_RESUBMIT && json_object_has_member (root, "current"))
    step = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (root, "current"));

  if (!kehu_approval_act (row->flow, record, row->state, actor, action, comment, target_user,
                          now, &directory, &new_state, error))
    return FALSE;

  status = kehu_approval_get_status (new_state);
  return store_state (store, row->id, new_state, at,
                      action == KEHU_APPROVAL_ACTION_RESUBMIT, error) &&
         add_action (store, row->id, step, actor, kehu_approval_action_to_string (action),
                     comment, action == KEHU_APPROVAL_ACTION_TRANSFER ? target_user : NULL,
                     at, error) &&
         apply_status (ctx, row->module, row->record_id,
                       kehu_approval_status_to_string (status), error);
}

gboolean
kehu_approvals_act (KehuContext         *ctx,
                    const char          *instance_id,
                    KehuApprovalAction   action,
                    const char          *comment,
                    const char          *target_user,
                    GError             **error)
{
  g_autoptr(InstanceRow) row = NULL;

  g_return_val_if_fail (KEHU_IS_CONTEXT (ctx), FALSE);
  g_return_val_if_fail (kehu_context_get_user_id (ctx) != NULL, FALSE);

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  row = load_instance (kehu_context_get_store (ctx), instance_id, error);
  if (row == NULL ||
      !act_locked (ctx, row, action, comment, target_user, error) ||
      !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

char *
kehu_approvals_submit (KehuContext  *ctx,
                       const char   *module,
                       const char   *record_id,
                       const char   *title,
                       const char   *comment,
                       GError      **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  const char *user_id = kehu_context_get_user_id (ctx);
  g_autoptr(GDateTime) now = kehu_context_get_now (ctx);
  const ModuleInfo *info;
  KehuApprovalDirectory directory;
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonNode) flows = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(InstanceRow) last = NULL;
  g_autofree char *id = NULL;
  g_autofree char *new_record_id = NULL;
  g_autofree char *real_title = NULL;
  g_autofree char *at = format_time (now);
  g_autofree char *last_id = NULL;
  g_autofree char *flow_text = NULL;
  g_autofree char *state_text = NULL;
  g_autofree char *waiting_text = NULL;
  g_autofree char *copy_text = NULL;
  g_auto(GStrv) waiting = NULL;
  g_auto(GStrv) copy_to = NULL;
  g_autoptr(JsonNode) waiting_node = NULL;
  g_autoptr(JsonNode) copy_node = NULL;
  JsonArray *flow_array;
  JsonObject *flow;
  const char *status;
  GError *local_error = NULL;

  g_return_val_if_fail (user_id != NULL, NULL);

  info = module_lookup (module);
  if (info == NULL)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                   _("“%s” records are not submitted for approval"), module);
      return NULL;
    }
  if (record_id == NULL)
    {
      if (!g_str_equal (module, "requests"))
        {
          g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                       _("Which record is submitted is missing"));
          return NULL;
        }
      record_id = new_record_id = g_uuid_string_random ();
    }
  if (g_str_equal (module, "requests") && (title == NULL || *title == '\0'))
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                   _("“title”: a request needs a title"));
      return NULL;
    }

  if (!kehu_context_begin (ctx, error))
    return NULL;

  /* A record rejected or withdrawn before goes round its instance again. */
  last_id = query_text (store, NULL, &local_error,
                        "SELECT id FROM approval_instances WHERE module = ? AND record_id = ?"
                        " ORDER BY submitted_at DESC, rowid DESC LIMIT 1", module, record_id);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      goto fail;
    }
  if (last_id != NULL)
    {
      last = load_instance (store, last_id, error);
      if (last == NULL)
        goto fail;
      if (g_str_equal (last->status, "pending"))
        {
          g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_ALREADY_PENDING,
                       _("This record is waiting for approval already"));
          goto fail;
        }
      if (g_str_equal (last->status, "rejected") || g_str_equal (last->status, "withdrawn"))
        {
          if (!act_locked (ctx, last, KEHU_APPROVAL_ACTION_RESUBMIT, comment, NULL, error) ||
              !kehu_context_commit (ctx, error))
            goto fail;
          return g_strdup (last_id);
        }
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_ALREADY_APPROVED,
                   _("This record is approved already"));
      goto fail;
    }

  record = load_record (store, module, record_id, title, error);
  if (record == NULL)
    goto fail;

  if (g_str_equal (module, "payments") &&
      !kehu_approvals_check_payment_contract (store,
                                              json_object_get_string_member_with_default (json_node_get_object (record),
                                                                                          "contract_id", NULL),
                                              error))
    goto fail;

  flows = query_flows (store, "AND business_type = ? AND is_enabled = 1", info->business_type, error);
  if (flows == NULL)
    goto fail;
  flow_array = json_node_get_array (flows);
  if (json_array_get_length (flow_array) == 0)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NO_FLOW,
                   _("No approval flow is enabled for this kind of record; an administrator defines one under Settings"));
      goto fail;
    }
  flow = json_array_get_object_element (flow_array, 0);

  kehu_approvals_directory_init (&directory, store);
  if (!kehu_approval_start (json_object_get_member (flow, "definition"), record, user_id,
                            &directory, now, &state, error))
    goto fail;

  if (title != NULL && *title != '\0')
    real_title = g_strdup (title);
  else if (info->title_sql != NULL)
    {
      real_title = record_title (store, info, record_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          goto fail;
        }
    }

  id = g_uuid_string_random ();
  flow_text = to_json (json_object_get_member (flow, "definition"));
  state_text = to_json (state);
  waiting = kehu_approval_get_waiting (state);
  copy_to = kehu_approval_get_copy_to (state);
  waiting_node = strv_to_array (waiting);
  copy_node = strv_to_array (copy_to);
  waiting_text = to_json (waiting_node);
  copy_text = to_json (copy_node);
  status = kehu_approval_status_to_string (kehu_approval_get_status (state));

  if (!run (store, error,
            "INSERT INTO approval_instances (id, created_at, updated_at, flow_id, flow_definition,"
            " business_type, module, record_id, title, submitter_id, status, state, waiting,"
            " copy_to, submitted_at, decided_at)"
            " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?2,"
            " CASE WHEN ?10 = 'pending' THEN NULL ELSE ?2 END)",
            id, at, json_object_get_string_member (flow, "id"), flow_text,
            info->business_type, module, record_id, real_title, user_id, status,
            state_text, waiting_text, copy_text) ||
      !write_waiting (store, id, state, error) ||
      !add_action (store, id, NULL, user_id, "submit", comment, NULL, at, error) ||
      !apply_status (ctx, module, record_id, status, error) ||
      !kehu_context_commit (ctx, error))
    goto fail;

  return g_steal_pointer (&id);

fail:
  kehu_context_rollback (ctx);
  return NULL;
}

/* Reading instances */

static JsonArray *
json_array_from_text (const char *text)
{
  g_autoptr(JsonNode) node = parse_json (text, "list", NULL);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return json_array_ref (json_node_get_array (node));
  return json_array_new ();
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *str)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), str) == 0)
      return TRUE;
  return FALSE;
}

/* A row of INSTANCE_COLUMNS as the summary object. */
static JsonObject *
instance_summary (sqlite3_stmt *stmt,
                  const char   *user_id)
{
  JsonObject *object = json_object_new ();
  JsonArray *waiting = json_array_from_text ((const char *) sqlite3_column_text (stmt, 11));
  JsonArray *copy_to = json_array_from_text ((const char *) sqlite3_column_text (stmt, 12));
  const char *status = (const char *) sqlite3_column_text (stmt, 8);
  const char *submitter = (const char *) sqlite3_column_text (stmt, 5);
  const char *names[] = { "id", "module", "record_id", "business_type", "title",
                          "submitter_id", "submitter_name" };
  gboolean mine = g_strcmp0 (submitter, user_id) == 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    json_object_set_string_member (object, names[i], (const char *) sqlite3_column_text (stmt, i));
  if (sqlite3_column_type (stmt, 7) == SQLITE_INTEGER)
    json_object_set_int_member (object, "amount", sqlite3_column_int64 (stmt, 7));
  else
    json_object_set_null_member (object, "amount");
  json_object_set_string_member (object, "status", status);
  json_object_set_string_member (object, "submitted_at", (const char *) sqlite3_column_text (stmt, 9));
  json_object_set_string_member (object, "decided_at", (const char *) sqlite3_column_text (stmt, 10));
  json_object_set_boolean_member (object, "can_act",
                                  user_id != NULL && array_has_string (waiting, user_id));
  json_object_set_boolean_member (object, "can_withdraw",
                                  mine && g_strcmp0 (status, "pending") == 0);
  json_object_set_boolean_member (object, "can_resubmit",
                                  mine && (g_strcmp0 (status, "rejected") == 0 ||
                                           g_strcmp0 (status, "withdrawn") == 0));
  json_object_set_array_member (object, "waiting", waiting);
  json_object_set_array_member (object, "copy_to", copy_to);
  return object;
}

static const char * const box_conditions[] = {
  [KEHU_APPROVALS_BOX_WAITING] =
    "EXISTS (SELECT 1 FROM approval_waiting w WHERE w.instance_id = i.id AND w.user_id = ?1)",
  [KEHU_APPROVALS_BOX_HANDLED] =
    "EXISTS (SELECT 1 FROM approval_actions a WHERE a.instance_id = i.id AND a.user_id = ?1"
    " AND a.action IN ('approve', 'reject', 'transfer'))",
  [KEHU_APPROVALS_BOX_SUBMITTED] = "i.submitter_id = ?1",
  [KEHU_APPROVALS_BOX_COPIED] =
    "EXISTS (SELECT 1 FROM json_each (i.copy_to) j WHERE j.value = ?1)",
};

JsonNode *
kehu_approvals_list (KehuStore         *store,
                     const char        *user_id,
                     KehuApprovalsBox   box,
                     const char        *after,
                     guint              limit,
                     char             **next,
                     GError           **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_auto(GStrv) cursor = NULL;
  JsonNode *node;
  guint n = 0;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (box < KEHU_APPROVALS_N_BOXES, NULL);

  if (next)
    *next = NULL;
  if (limit == 0 || limit > 500)
    limit = 500;
  if (after != NULL)
    {
      cursor = g_strsplit (after, "|", 2);
      if (g_strv_length (cursor) != 2)
        {
          g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID,
                       _("“after”: “%s” is not a cursor of this list"), after);
          return NULL;
        }
    }

  /* Keyset paging on (submitted_at, id), newest first; one row more than
   * asked tells whether there is a next page. */
  sql = g_strdup_printf ("SELECT " INSTANCE_COLUMNS " FROM approval_instances i WHERE %s"
                         " AND (?2 IS NULL OR (i.submitted_at, i.id) < (?2, ?3))"
                         " ORDER BY i.submitted_at DESC, i.id DESC LIMIT ?4",
                         box_conditions[box]);
  stmt = prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT);
  if (cursor != NULL)
    {
      sqlite3_bind_text (stmt, 2, cursor[0], -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, cursor[1], -1, SQLITE_TRANSIENT);
    }
  sqlite3_bind_int (stmt, 4, limit + 1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n++ == limit)
        {
          JsonObject *last = json_array_get_object_element (array, limit - 1);

          if (next)
            *next = g_strdup_printf ("%s|%s",
                                     json_object_get_string_member (last, "submitted_at"),
                                     json_object_get_string_member (last, "id"));
          break;
        }
      json_array_add_object_element (array, instance_summary (stmt, user_id));
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

gboolean
kehu_approvals_count (KehuStore    *store,
                      const char   *user_id,
                      guint         counts[KEHU_APPROVALS_N_BOXES],
                      GError      **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  for (guint box = 0; box < KEHU_APPROVALS_N_BOXES; box++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM approval_instances i WHERE %s",
                                              box_conditions[box]);
      g_autofree char *count = query_text (store, NULL, error, sql, user_id);

      if (count == NULL)
        return FALSE;
      counts[box] = (guint) g_ascii_strtoull (count, NULL, 10);
    }
  return TRUE;
}

static char *
user_name (KehuStore  *store,
           const char *user_id)
{
  if (user_id == NULL)
    return NULL;
  return query_text (store, NULL, NULL, "SELECT name FROM users WHERE id = ?", user_id);
}

static JsonArray *
user_list (KehuStore *store,
           JsonArray *ids)
{
  JsonArray *users = json_array_new ();

  for (guint i = 0; ids && i < json_array_get_length (ids); i++)
    {
      const char *id = json_array_get_string_element (ids, i);
      g_autofree char *name = user_name (store, id);
      JsonObject *user = json_object_new ();

      json_object_set_string_member (user, "id", id);
      json_object_set_string_member (user, "name", name ? name : id);
      json_array_add_object_element (users, user);
    }
  return users;
}

/* The stages of a state, with names. */
static JsonArray *
describe_stages (KehuStore *store,
                 JsonNode  *state)
{
  JsonArray *out = json_array_new ();
  JsonObject *root = json_node_get_object (state);
  JsonArray *stages = json_object_get_array_member (root, "stages");

  for (guint i = 0; stages && i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);
      JsonArray *slots = json_object_get_array_member (stage, "slots");
      JsonObject *o = json_object_new ();
      JsonArray *out_slots = json_array_new ();

      json_object_set_string_member (o, "key", json_object_get_string_member_with_default (stage, "key", NULL));
      json_object_set_string_member (o, "mode", json_object_get_string_member_with_default (stage, "mode", "all"));
      json_object_set_string_member (o, "status", json_object_get_string_member_with_default (stage, "status", NULL));
      json_object_set_string_member (o, "reason", json_object_get_string_member_with_default (stage, "reason", NULL));
      json_object_set_boolean_member (o, "current",
                                      json_object_get_int_member_with_default (root, "current", -1) == (gint64) i &&
                                      g_strcmp0 (json_object_get_string_member_with_default (root, "status", NULL),
                                                 "pending") == 0);

      for (guint j = 0; slots && j < json_array_get_length (slots); j++)
        {
          JsonObject *slot = json_array_get_object_element (slots, j);
          JsonObject *s = json_object_new ();
          const char *by = json_object_get_string_member_with_default (slot, "by", NULL);
          g_autofree char *by_name = user_name (store, by);

          if (json_object_has_member (slot, "approver"))
            {
              JsonNode *approver = json_object_get_member (slot, "approver");

              json_object_set_member (s, "approver", json_node_copy (approver));
              /* A role is shown by its name beside who holds it. */
              if (JSON_NODE_HOLDS_OBJECT (approver) &&
                  json_object_has_member (json_node_get_object (approver), "role"))
                {
                  const char *role = json_object_get_string_member (json_node_get_object (approver), "role");
                  g_autofree char *name = query_text (store, NULL, NULL,
                                                      "SELECT name FROM roles WHERE id = ?", role);

                  json_object_set_string_member (s, "role_name", name ? name : role);
                }
            }
          json_object_set_array_member (s, "users",
                                        user_list (store, json_object_get_array_member (slot, "users")));
          json_object_set_string_member (s, "decision", json_object_get_string_member_with_default (slot, "decision", NULL));
          json_object_set_string_member (s, "by", by);
          json_object_set_string_member (s, "by_name", by_name);
          json_object_set_string_member (s, "at", json_object_get_string_member_with_default (slot, "at", NULL));
          json_object_set_string_member (s, "comment", json_object_get_string_member_with_default (slot, "comment", NULL));
          json_array_add_object_element (out_slots, s);
        }
      json_object_set_array_member (o, "slots", out_slots);
      json_array_add_object_element (out, o);
    }
  return out;
}

static JsonArray *
describe_actions (KehuStore   *store,
                  const char  *instance_id,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (store,
             "SELECT a.action, a.user_id, (SELECT name FROM users WHERE id = a.user_id),"
             " a.comment, a.target_user, (SELECT name FROM users WHERE id = a.target_user), a.at"
             " FROM approval_actions a WHERE a.instance_id = ? ORDER BY a.id", error);
  const char *names[] = { "action", "user_id", "user_name", "comment", "target_user",
                          "target_name", "at" };
  g_autoptr(JsonArray) actions = json_array_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 1, instance_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *a = json_object_new ();

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        json_object_set_string_member (a, names[i], (const char *) sqlite3_column_text (stmt, i));
      json_array_add_object_element (actions, a);
    }
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&actions);
}

static JsonNode *
query_details (KehuStore   *store,
               const char  *where,
               const char  *p1,
               const char  *p2,
               const char  *user_id,
               GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " INSTANCE_COLUMNS " FROM approval_instances i"
                                          " WHERE %s ORDER BY i.created_at, i.rowid", where);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql, error);
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 2, p1, p2);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *object = instance_summary (stmt, user_id);
      g_autoptr(JsonNode) state = parse_json ((const char *) sqlite3_column_text (stmt, 13),
                                              "approval state", error);
      JsonArray *actions;

      if (state == NULL)
        {
          json_object_unref (object);
          return NULL;
        }
      actions = describe_actions (store, json_object_get_string_member (object, "id"), error);
      if (actions == NULL)
        {
          json_object_unref (object);
          return NULL;
        }
      json_object_set_int_member (object, "round",
                                  json_object_get_int_member_with_default (json_node_get_object (state), "round", 1));
      json_object_set_array_member (object, "stages", describe_stages (store, state));
      json_object_set_array_member (object, "actions", actions);
      json_object_set_array_member (object, "waiting_users",
                                    user_list (store, json_object_get_array_member (object, "waiting")));
      json_object_set_array_member (object, "copy_to_users",
                                    user_list (store, json_object_get_array_member (object, "copy_to")));
      json_array_add_object_element (array, object);
    }
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}

JsonNode *
kehu_approvals_history (KehuStore   *store,
                        const char  *module,
                        const char  *record_id,
                        GError     **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  return query_details (store, "i.module = ?1 AND i.record_id = ?2", module, record_id, NULL, error);
}

JsonNode *
kehu_approvals_get_detail (KehuStore   *store,
                           const char  *instance_id,
                           const char  *user_id,
                           GError     **error)
{
  g_autoptr(JsonNode) list = query_details (store, "i.id = ?1", instance_id, NULL, user_id, error);
  JsonArray *array;

  if (list == NULL)
    return NULL;
  array = json_node_get_array (list);
  if (json_array_get_length (array) == 0)
    {
      g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                   _("There is no approval “%s”"), instance_id);
      return NULL;
    }
  return json_node_copy (json_array_get_element (array, 0));
}

JsonNode *
kehu_approvals_get_instance (KehuStore   *store,
                             const char  *instance_id,
                             const char  *user_id,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (store, "SELECT " INSTANCE_COLUMNS " FROM approval_instances i WHERE i.id = ?", error);
  JsonNode *node;
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_texts (stmt, 1, instance_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NOT_FOUND,
                     _("There is no approval “%s”"), instance_id);
      else
        kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, instance_summary (stmt, user_id));
  return node;
}

/* Statistics */

typedef struct
{
  gint64 count, pending, approved, rejected, withdrawn;
  gint64 seconds, timed;
} Group;

typedef struct
{
  gint64 handled, approved, rejected;
  gint64 seconds, timed;
} Approver;

static void
set_rate (JsonObject *object,
          gint64      seconds,
          gint64      timed,
          gint64      approved,
          gint64      rejected)
{
  if (timed > 0)
    json_object_set_int_member (object, "avg_seconds", seconds / timed);
  else
    json_object_set_null_member (object, "avg_seconds");
  if (approved + rejected > 0)
    json_object_set_int_member (object, "pass_rate_bp",
                                (approved * 10000 + (approved + rejected) / 2) / (approved + rejected));
  else
    json_object_set_null_member (object, "pass_rate_bp");
}

static JsonObject *
group_to_object (const Group *g)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "count", g->count);
  json_object_set_int_member (object, "pending", g->pending);
  json_object_set_int_member (object, "approved", g->approved);
  json_object_set_int_member (object, "rejected", g->rejected);
  json_object_set_int_member (object, "withdrawn", g->withdrawn);
  set_rate (object, g->seconds, g->timed, g->approved, g->rejected);
  return object;
}

static void
group_add (Group      *g,
           const char *status,
           gint64      seconds)
{
  g->count++;
  if (g_str_equal (status, "pending"))
    g->pending++;
  else if (g_str_equal (status, "approved"))
    g->approved++;
  else if (g_str_equal (status, "rejected"))
    g->rejected++;
  else
    g->withdrawn++;
  if (seconds >= 0)
    {
      g->seconds += seconds;
      g->timed++;
    }
}

static gboolean
in_period (const char *at,
           const char *from,
           const char *to)
{
  return at != NULL && (from == NULL || g_strcmp0 (at, from) >= 0) &&
         (to == NULL || g_strcmp0 (at, to) < 0);
}

/* Walks one instance's history: each approve or reject in the period
 * counts for its actor, timed from when they started waiting — the latest
 * earlier event of the same round that made their stage wait (submission,
 * resubmission, the decision of another stage) or handed them the slot
 * (a transfer to them). */
static void
add_approver_times (JsonNode   *state,
                    GHashTable *approvers,
                    const char *from,
                    const char *to)
{
  JsonArray *history = json_object_get_array_member (json_node_get_object (state), "history");
  guint n = history ? json_array_get_length (history) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *e = json_array_get_object_element (history, i);
      const char *action = json_object_get_string_member_with_default (e, "action", "");
      const char *actor = json_object_get_string_member_with_default (e, "actor", NULL);
      const char *stage = json_object_get_string_member_with_default (e, "stage", NULL);
      const char *at = json_object_get_string_member_with_default (e, "at", NULL);
      gint64 round = json_object_get_int_member_with_default (e, "round", 1);
      gint64 since = -1;
      Approver *a;

      if ((!g_str_equal (action, "approve") && !g_str_equal (action, "reject")) ||
          actor == NULL || !in_period (at, from, to))
        continue;

      for (guint k = 0; k < i; k++)
        {
          JsonObject *p = json_array_get_object_element (history, k);
          const char *p_action = json_object_get_string_member_with_default (p, "action", "");
          const char *p_stage = json_object_get_string_member_with_default (p, "stage", NULL);
          gboolean starts;

          if (json_object_get_int_member_with_default (p, "round", 1) != round)
            continue;
          starts = g_str_equal (p_action, "submit") || g_str_equal (p_action, "resubmit") ||
                   ((g_str_equal (p_action, "approve") || g_str_equal (p_action, "skip")) &&
                    g_strcmp0 (p_stage, stage) != 0) ||
                   (g_str_equal (p_action, "transfer") && g_strcmp0 (p_stage, stage) == 0 &&
                    g_strcmp0 (json_object_get_string_member_with_default (p, "target", NULL), actor) == 0);
          if (starts)
            since = MAX (since, parse_time (json_object_get_string_member_with_default (p, "at", NULL)));
        }

      a = g_hash_table_lookup (approvers, actor);
      if (a == NULL)
        {
          a = g_new0 (Approver, 1);
          g_hash_table_insert (approvers, g_strdup (actor), a);
        }
      a->handled++;
      if (g_str_equal (action, "approve"))
        a->approved++;
      else
        a->rejected++;
      if (since >= 0)
        {
          a->seconds += parse_time (at) - since;
          a->timed++;
        }
    }
}

JsonNode *
kehu_approvals_stats (KehuStore   *store,
                      const char  *from,
                      const char  *to,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (store,
             "SELECT business_type, status, submitted_at, decided_at, state FROM approval_instances"
             " ORDER BY business_type, submitted_at, id", error);
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) approvers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) keys = NULL;
  Group total = { 0 };
  JsonObject *root;
  JsonArray *by_type, *by_approver;
  JsonNode *node;
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *status = (const char *) sqlite3_column_text (stmt, 1);
      const char *submitted = (const char *) sqlite3_column_text (stmt, 2);
      const char *decided = (const char *) sqlite3_column_text (stmt, 3);
      g_autoptr(JsonNode) state = parse_json ((const char *) sqlite3_column_text (stmt, 4),
                                              "approval state", error);
      gint64 seconds = -1;
      Group *g;

      if (state == NULL)
        return NULL;
      add_approver_times (state, approvers, from, to);

      if (!in_period (submitted, from, to))
        continue;
      if (decided != NULL && (g_str_equal (status, "approved") || g_str_equal (status, "rejected")))
        seconds = parse_time (decided) - parse_time (submitted);

      g = g_hash_table_lookup (types, type);
      if (g == NULL)
        {
          g = g_new0 (Group, 1);
          g_hash_table_insert (types, g_strdup (type), g);
        }
      group_add (g, status, seconds);
      group_add (&total, status, seconds);
    }
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  root = json_object_new ();
  json_object_set_object_member (root, "total", group_to_object (&total));

  by_type = json_array_new ();
  keys = g_list_sort (g_hash_table_get_keys (types), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      JsonObject *object = group_to_object (g_hash_table_lookup (types, l->data));

      json_object_set_string_member (object, "business_type", l->data);
      json_array_add_object_element (by_type, object);
    }
  json_object_set_array_member (root, "by_type", by_type);

  by_approver = json_array_new ();
  g_clear_pointer (&keys, g_list_free);
  keys = g_list_sort (g_hash_table_get_keys (approvers), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      Approver *a = g_hash_table_lookup (approvers, l->data);
      JsonObject *object = json_object_new ();
      g_autofree char *name = user_name (store, l->data);

      json_object_set_string_member (object, "user_id", l->data);
      json_object_set_string_member (object, "name", name ? name : l->data);
      json_object_set_int_member (object, "handled", a->handled);
      json_object_set_int_member (object, "approved", a->approved);
      json_object_set_int_member (object, "rejected", a->rejected);
      set_rate (object, a->seconds, a->timed, a->approved, a->rejected);
      json_array_add_object_element (by_approver, object);
    }
  json_object_set_array_member (root, "by_approver", by_approver);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);
  return node;
}
