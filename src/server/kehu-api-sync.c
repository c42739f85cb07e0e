/* kehu-api-sync.c: the server's side of sync (DESIGN.md "Sync protocol")
 *
 * POST /api/v1/sync/push {ops:[…]} applies a client's queued changes, one
 * answer per op (applied, merged, conflict, rejected), each op in its own
 * savepoint together with its remembered answer in sync_ops (the batch in
 * one transaction), so a push repeated after a lost answer gets the same
 * answer and changes nothing.
 * GET /api/v1/sync/pull?cursor=REV&limit=N&epoch=E&settings_rev=S answers
 * the records changed after REV in rev order, each re-checked against the
 * user's data scope (visible: the record; not any more: gone), or reset
 * when the user's scope epoch moved since E; its last page carries the
 * settings snapshot (kehu-sync-settings.c) when S is not the server's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-approval.h"
#include "kehu-approvals.h"
#include "kehu-pool.h"
#include "kehu-record.h"
#include "kehu-rules.h"
#include "kehu-sync.h"

#define MAX_OPS        500
#define DEFAULT_LIMIT  1000
#define MAX_LIMIT      5000

/* Organisation rows go to every client (names of owners, departments);
 * their writes have their own routes. */
static const char * const org_modules[] = { "departments", "users", "roles", NULL };

typedef struct
{
  gint64 prev_rev;
  gint64 rev;
} Applied;

/* Push ------------------------------------------------------------------------------- */

static JsonObject *
result_new (const char *op_id,
            const char *status)
{
  JsonObject *result = json_object_new ();

  json_object_set_string_member (result, "op_id", op_id);
  json_object_set_string_member (result, "status", status);
  return result;
}

static const char *
error_code (const GError *error)
{
  if (error->domain == KEHU_RECORD_ERROR)
    switch (error->code)
      {
      case KEHU_RECORD_ERROR_NOT_FOUND: return "not_found";
      case KEHU_RECORD_ERROR_DUPLICATE: return "duplicate";
      case KEHU_RECORD_ERROR_DELETED: return "deleted";
      case KEHU_RECORD_ERROR_READ_ONLY: return "read_only";
      case KEHU_RECORD_ERROR_REQUIRED: return "missing_field";
      default: return "invalid_value";
      }
  if (error->domain == KEHU_POOL_ERROR)
    return error->code == KEHU_POOL_ERROR_CLAIM_LIMIT ? "claim_limit" : "pool";
  return "invalid_value";
}

/* A refusal; the record as the server has it, when the user may see it,
 * so that the client can take its change back. */
static JsonObject *
rejected (KehuApi    *api,
          KehuPerm   *perm,
          const char *op_id,
          const char *module,
          const char *id,
          const char *code,
          const char *field,
          const char *message)
{
  JsonObject *result = result_new (op_id, "rejected");
  g_autoptr(JsonObject) record = NULL;

  json_object_set_string_member (result, "code", code);
  json_object_set_string_member (result, "message", message);
  if (field != NULL)
    json_object_set_string_member (result, "field", field);
  if (module != NULL && id != NULL && kehu_schema_get_module (kehu_api_get_schema (api), module) != NULL)
    record = kehu_api_read_record (api, module, id);
  if (record != NULL && _kehu_api_record_access (api, perm, module, record) != KEHU_ACCESS_NONE)
    json_object_set_object_member (result, "record", g_steal_pointer (&record));
  else
    json_object_set_boolean_member (result, "gone", TRUE);
  return result;
}

static JsonObject *
rejected_error (KehuApi      *api,
                KehuPerm     *perm,
                const char   *op_id,
                const char   *module,
                const char   *id,
                const GError *error)
{
  const char *field = error->domain == KEHU_RECORD_ERROR ? kehu_record_error_get_field (error) : NULL;

  return rejected (api, perm, op_id, module, id, error_code (error), field, error->message);
}

static const char *
permission_key (KehuApi    *api,
                const char *module)
{
  return kehu_module_get_permission_key (kehu_schema_get_module (kehu_api_get_schema (api), module));
}

static GHashTable *
load_field_revs (KehuStore  *store,
                 const char *module,
                 const char *id)
{
  GHashTable *revs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT field, rev FROM field_revs WHERE module = ?1 AND record_id = ?2",
                                         "ss", module, id);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 *rev = g_new (gint64, 1);
      *rev = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (revs, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), rev);
    }
  sqlite3_finalize (stmt);
  return revs;
}

static gint64
current_rev (KehuApi    *api,
             const char *module,
             const char *id)
{
  g_autoptr(JsonObject) record = kehu_api_read_record (api, module, id);

  return record ? json_object_get_int_member (record, "rev") : 0;
}

static JsonObject *
applied (const char *op_id,
         gint64      prev_rev,
         gint64      rev)
{
  JsonObject *result = result_new (op_id, "applied");

  json_object_set_int_member (result, "rev", rev);
  json_object_set_int_member (result, "prev_rev", prev_rev);
  return result;
}

static gboolean
user_enabled (KehuStore  *store,
              const char *user_id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL,
                                         "SELECT 1 FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL",
                                         "s", user_id);
  gboolean ok = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return ok;
}

/* The answer to an approval action carries the instance as the server
 * has it now (when the user may see it) and, for a refusal, its record:
 * the client puts both back in place of its optimistic change. */
static JsonObject *
with_approval (KehuApi    *api,
               KehuPerm   *perm,
               const char *instance_id,
               JsonObject *result)
{
  g_autofree char *text = _kehu_api_sync_approval_text (api, perm, instance_id);
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;
  JsonObject *instance;
  const char *module, *record_id;
  g_autoptr(JsonObject) record = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return result;
  instance = json_node_get_object (node);
  module = json_object_get_string_member_with_default (instance, "module", NULL);
  record_id = json_object_get_string_member_with_default (instance, "record_id", NULL);
  json_object_set_object_member (result, "approval", json_object_ref (instance));
  if (g_strcmp0 (json_object_get_string_member_with_default (result, "status", ""), "rejected") != 0)
    return result;
  json_object_remove_member (result, "gone");
  if (module != NULL && record_id != NULL && kehu_approvals_business_type_for_module (module) != NULL &&
      kehu_schema_get_module (kehu_api_get_schema (api), module) != NULL)
    record = kehu_api_read_record (api, module, record_id);
  if (record != NULL && _kehu_api_record_access (api, perm, module, record) != KEHU_ACCESS_NONE)
    {
      json_object_set_string_member (result, "module", module);
      json_object_set_object_member (result, "record", g_steal_pointer (&record));
    }
  return result;
}

/* Runs one op inside the caller's transaction. Returns its answer; a
 * refusal is an answer too. NULL with @error only for a failure of the
 * server itself (the push is then answered 500 and retried). */
static JsonObject *
process_op (KehuApi     *api,
            KehuRequest *request,
            KehuPerm    *perm,
            KehuContext *ctx,
            JsonObject  *op,
            GHashTable  *batch,
            GError     **error)
{
  KehuStore *store = kehu_api_get_store (api);
  const char *op_id = json_object_get_string_member (op, "op_id");
  const char *module = json_object_get_string_member_with_default (op, "module", "");
  const char *id = json_object_get_string_member_with_default (op, "id", "");
  const char *kind = json_object_get_string_member_with_default (op, "kind", "");
  const char *action = json_object_get_string_member_with_default (op, "action", "");
  gint64 base_rev = json_object_get_int_member_with_default (op, "base_rev", 0);
  JsonObject *fields = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *batch_key = g_strconcat (module, "/", id, NULL);
  Applied *earlier;
  KehuAccess access;
  gint64 prev_rev;

  if (json_object_has_member (op, "fields") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (op, "fields")))
    fields = json_object_get_object_member (op, "fields");

  /* Approval actions name the instance; the engine decides whether this
   * user may act now. */
  if (g_str_equal (module, "approval_instances") && g_str_equal (kind, "action"))
    {
      static const char * const instance_fields[] = {
        "status", "state", "waiting", "copy_to", "submitted_at", "decided_at", NULL
      };
      const char *comment = fields ? json_object_get_string_member_with_default (fields, "comment", NULL) : NULL;
      const char *target = fields ? json_object_get_string_member_with_default (fields, "target_user", NULL) : NULL;
      g_autofree char *at = kehu_request_get_now_iso (request);
      KehuApprovalAction approval_action;

      if (!kehu_approval_action_from_string (action, &approval_action))
        return rejected (api, perm, op_id, NULL, NULL, "invalid_value", "action", _("The server does not know this action"));
      if (!kehu_context_begin (ctx, error))
        return NULL;
      if (!kehu_approvals_act (ctx, id, approval_action, comment, target, &local_error) ||
          !kehu_api_bump_rev (store, "approval_instances", id, at, instance_fields, NULL, &local_error))
        {
          kehu_context_rollback (ctx);
          return with_approval (api, perm, id, rejected_error (api, perm, op_id, NULL, NULL, local_error));
        }
      if (!kehu_context_commit (ctx, error))
        return NULL;
      return with_approval (api, perm, id, applied (op_id, 0, 0));
    }

  if (kehu_schema_get_module (kehu_api_get_schema (api), module) == NULL || g_strv_contains (org_modules, module))
    return rejected (api, perm, op_id, NULL, NULL, "invalid_value", "module",
                     _("Records of this module cannot be changed through sync"));
  if (id[0] == '\0')
    return rejected (api, perm, op_id, NULL, NULL, "invalid_value", "id", _("The op names no record"));

  /* An earlier op of this batch on the same record that the server applied
   * on top of what this client saw: the client saw its result too. */
  earlier = g_hash_table_lookup (batch, batch_key);
  if (earlier != NULL && earlier->prev_rev <= base_rev)
    base_rev = earlier->rev;

  if (g_str_equal (kind, "create"))
    {
      g_autoptr(JsonObject) body = NULL;
      g_autofree char *new_id = NULL;
      gint64 rev;

      if (!kehu_perm_can (perm, permission_key (api, module), "create"))
        return rejected (api, perm, op_id, module, NULL, "forbidden", NULL, _("You may not create records here"));
      if (fields == NULL)
        return rejected (api, perm, op_id, module, NULL, "invalid_value", "fields", _("A create op needs its fields"));
      body = json_object_new ();
      {
        g_autoptr(GList) members = json_object_get_members (fields);
        for (GList *m = members; m; m = m->next)
          json_object_set_member (body, m->data, json_node_copy (json_object_get_member (fields, m->data)));
      }
      json_object_set_string_member (body, "id", id);
      if (_kehu_api_is_scoped (module))
        {
          JsonNode *owner = json_object_get_member (body, "owner_id");

          if (owner == NULL)
            json_object_set_string_member (body, "owner_id", kehu_perm_get_user_id (perm));
          else if (!JSON_NODE_HOLDS_VALUE (owner) || json_node_get_value_type (owner) != G_TYPE_STRING ||
                   !kehu_perm_owner_in_scope (perm, json_node_get_string (owner)))
            return rejected (api, perm, op_id, module, NULL, "invalid_value", "owner_id",
                             _("“owner_id” must be a user within your data scope"));
        }
      if (!kehu_context_begin (ctx, error))
        return NULL;
      if (!(new_id = kehu_record_create (ctx, module, body, &local_error)))
        {
          kehu_context_rollback (ctx);
          /* Not ours to overwrite: another op made a record with this id. */
          return rejected_error (api, perm, op_id, module,
                                 g_error_matches (local_error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_DUPLICATE) ? NULL : id,
                                 local_error);
        }
      if (!kehu_context_commit (ctx, error))
        return NULL;
      rev = current_rev (api, module, id);
      return applied (op_id, 0, rev);
    }

  record = kehu_api_read_record (api, module, id);
  access = record ? _kehu_api_record_access (api, perm, module, record) : KEHU_ACCESS_NONE;
  if (record != NULL && _kehu_api_is_scoped (module) && !kehu_perm_can (perm, permission_key (api, module), "read"))
    access = KEHU_ACCESS_NONE;
  if (access == KEHU_ACCESS_NONE)
    return rejected (api, perm, op_id, module, id, "not_found", NULL,
                     _("This record is no longer yours to change: it was deleted or moved out of your data scope"));
  prev_rev = json_object_get_int_member (record, "rev");

  if (g_str_equal (kind, "update"))
    {
      g_autoptr(GHashTable) revs = NULL;
      g_autoptr(JsonObject) apply = NULL;
      g_autoptr(JsonArray) conflicts = NULL;
      g_autoptr(JsonObject) after = NULL;
      JsonObject *result;
      gint64 rev;

      if (!kehu_perm_can (perm, permission_key (api, module), "edit"))
        return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not edit records here"));
      if (access < KEHU_ACCESS_WRITE)
        return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
      if (fields == NULL)
        return rejected (api, perm, op_id, module, id, "invalid_value", "fields", _("An update op needs its fields"));
      if (_kehu_api_is_scoped (module) && json_object_has_member (fields, "owner_id"))
        return rejected (api, perm, op_id, module, id, "read_only", "owner_id", _("Change the owner with the transfer action"));

      revs = load_field_revs (store, module, id);
      kehu_sync_merge (fields, base_rev, revs, record, &apply, &conflicts);
      if (json_object_get_size (apply) > 0)
        {
          if (!kehu_context_begin (ctx, error))
            return NULL;
          if (!kehu_record_update (ctx, module, id, apply, &local_error))
            {
              kehu_context_rollback (ctx);
              return rejected_error (api, perm, op_id, module, id, local_error);
            }
          if (!kehu_context_commit (ctx, error))
            return NULL;
        }
      after = kehu_api_read_record (api, module, id);
      rev = json_object_get_int_member (after, "rev");
      if (json_array_get_length (conflicts) > 0)
        {
          result = result_new (op_id, "conflict");
          json_object_set_array_member (result, "conflicts", g_steal_pointer (&conflicts));
        }
      else if (prev_rev > base_rev)
        result = result_new (op_id, "merged");
      else
        {
          Applied *entry = g_new (Applied, 1);

          entry->prev_rev = prev_rev;
          entry->rev = rev;
          g_hash_table_insert (batch, g_steal_pointer (&batch_key), entry);
          return applied (op_id, prev_rev, rev);
        }
      json_object_set_int_member (result, "rev", rev);
      json_object_set_object_member (result, "record", g_steal_pointer (&after));
      return result;
    }

  if (g_str_equal (kind, "delete") || g_str_equal (kind, "restore"))
    {
      gboolean deleting = g_str_equal (kind, "delete");
      gboolean is_deleted = json_object_has_member (record, "deleted_at") &&
                            !json_object_get_null_member (record, "deleted_at");
      gint64 rev;

      if (!kehu_perm_can (perm, permission_key (api, module), deleting ? "delete" : "edit"))
        return rejected (api, perm, op_id, module, id, "forbidden", NULL,
                         deleting ? _("You may not delete records here") : _("You may not edit records here"));
      if (access < KEHU_ACCESS_WRITE)
        return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
      /* Already where the client wants it: nothing to do. */
      if (is_deleted != deleting)
        {
          if (!kehu_context_begin (ctx, error))
            return NULL;
          if (!(deleting ? kehu_record_delete : kehu_record_restore) (ctx, module, id, &local_error))
            {
              kehu_context_rollback (ctx);
              return rejected_error (api, perm, op_id, module, id, local_error);
            }
          if (!kehu_context_commit (ctx, error))
            return NULL;
        }
      rev = current_rev (api, module, id);
      return applied (op_id, prev_rev, rev);
    }

  if (g_str_equal (kind, "action"))
    {
      const char *ids[] = { id, NULL };
      gboolean ok;

      if (g_str_equal (action, "transfer"))
        {
          const char *owner_id = fields ? json_object_get_string_member_with_default (fields, "owner_id", NULL) : NULL;
          KehuTransferFlags flags = KEHU_TRANSFER_NONE;

          if (!kehu_perm_can (perm, permission_key (api, module), "transfer"))
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not transfer records here"));
          if (access < KEHU_ACCESS_WRITE)
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
          if (owner_id == NULL || !user_enabled (store, owner_id))
            return rejected (api, perm, op_id, module, id, "invalid_value", "owner_id", _("“owner_id” must be an enabled user"));
          if (json_object_get_boolean_member_with_default (fields, "cascade", FALSE))
            flags |= KEHU_TRANSFER_CASCADE;
          /* "keep_team": the old owner stays on the team, "read" or "write". */
          {
            const char *keep = json_object_get_string_member_with_default (fields, "keep_team", NULL);

            if (g_strcmp0 (keep, "read") == 0)
              flags |= KEHU_TRANSFER_KEEP_TEAM_READ;
            else if (g_strcmp0 (keep, "write") == 0)
              flags |= KEHU_TRANSFER_KEEP_TEAM_WRITE;
            else if (keep != NULL)
              return rejected (api, perm, op_id, module, id, "invalid_value", "keep_team",
                               _("“keep_team” must be read, write or null"));
          }
          if (!kehu_context_begin (ctx, error))
            return NULL;
          ok = kehu_rules_transfer (ctx, module, ids, owner_id, flags, &local_error);
        }
      else if (g_str_equal (action, "claim") && g_str_equal (module, "customers"))
        {
          KehuPoolLimitInfo info = { NULL, 0, 0, NULL };

          if (!kehu_perm_has (perm, "customer.claim"))
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not claim customers from the pool"));
          if (!kehu_context_begin (ctx, error))
            return NULL;
          ok = kehu_pool_claim (ctx, perm, ids, &info, &local_error);
          kehu_pool_limit_info_clear (&info);
        }
      else if (g_str_equal (module, "customers") &&
               (g_str_equal (action, "assign") || g_str_equal (action, "return") ||
                g_str_equal (action, "lock") || g_str_equal (action, "unlock")))
        {
          /* The other pool moves, queued by the app's kehu_pool_*(). */
          KehuPoolLimitInfo info = { NULL, 0, 0, NULL };
          const char *permission = g_str_equal (action, "assign") ? "customer.assign"
                                 : g_str_equal (action, "return") ? "customer.return" : "customer.lock";
          const char *arg = g_str_equal (action, "assign") ? "owner_id" : "reason";
          const char *value = fields ? json_object_get_string_member_with_default (fields, arg, NULL) : NULL;

          if (!kehu_perm_has (perm, permission))
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not do this with customers"));
          if (!kehu_context_begin (ctx, error))
            return NULL;
          if (g_str_equal (action, "assign"))
            ok = kehu_pool_assign (ctx, perm, ids, value, &info, &local_error);
          else if (g_str_equal (action, "return"))
            ok = kehu_pool_return (ctx, perm, ids, value, &local_error);
          else
            ok = kehu_pool_set_locked (ctx, perm, ids, g_str_equal (action, "lock"), &info, &local_error);
          kehu_pool_limit_info_clear (&info);
        }
      else if (g_str_equal (action, "convert") && g_str_equal (module, "leads"))
        {
          if (!kehu_perm_has (perm, "lead.convert"))
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not convert leads"));
          if (access < KEHU_ACCESS_WRITE)
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
          if (!kehu_context_begin (ctx, error))
            return NULL;
          ok = kehu_rules_convert_leads (ctx, ids, &local_error);
        }
      else if (g_str_equal (action, "submit") && kehu_approvals_business_type_for_module (module) != NULL)
        {
          static const char * const instance_fields[] = {
            "status", "state", "waiting", "copy_to", "submitted_at", "decided_at", NULL
          };
          const char *comment = fields ? json_object_get_string_member_with_default (fields, "comment", NULL) : NULL;
          g_autofree char *at = kehu_request_get_now_iso (request);
          g_autofree char *instance = NULL;

          if (access < KEHU_ACCESS_WRITE)
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
          if (!kehu_context_begin (ctx, error))
            return NULL;
          instance = kehu_approvals_submit (ctx, module, id, NULL, comment, &local_error);
          ok = instance != NULL &&
               kehu_api_bump_rev (store, "approval_instances", instance, at, instance_fields, NULL, &local_error);
        }
      else if (g_str_equal (action, "team_add") || g_str_equal (action, "team_remove"))
        {
          /* The record's team, changed on a page while offline. */
          gboolean adding = g_str_equal (action, "team_add");
          const char *member = fields ? json_object_get_string_member_with_default (fields, "user_id", NULL) : NULL;
          const char *team_access = fields ? json_object_get_string_member_with_default (fields, "access", "read") : "read";

          if (!kehu_perm_can (perm, permission_key (api, module), "edit"))
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may not edit records here"));
          if (access < KEHU_ACCESS_WRITE)
            return rejected (api, perm, op_id, module, id, "forbidden", NULL, _("You may read this record but not change it"));
          if (member == NULL || (adding && !user_enabled (store, member)))
            return rejected (api, perm, op_id, module, id, "invalid_value", "user_id", _("“user_id” must be an enabled user"));
          if (!kehu_context_begin (ctx, error))
            return NULL;
          ok = adding ? kehu_rules_add_team_member (ctx, module, id, member, team_access, &local_error)
                      : kehu_rules_remove_team_member (ctx, module, id, member, NULL, &local_error);
        }
      else
        return rejected (api, perm, op_id, module, id, "invalid_value", "action", _("The server does not know this action"));

      if (!ok)
        {
          kehu_context_rollback (ctx);
          return rejected_error (api, perm, op_id, module, id, local_error);
        }
      if (!kehu_context_commit (ctx, error))
        return NULL;
      return applied (op_id, prev_rev, current_rev (api, module, id));
    }

  return rejected (api, perm, op_id, module, id, "invalid_value", "kind",
                   _("“kind” must be create, update, delete, restore or action"));
}

static JsonObject *
remembered_result (KehuStore  *store,
                   const char *op_id,
                   char      **user_id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, "SELECT user_id, result FROM sync_ops WHERE op_id = ?1", "s", op_id);
  JsonObject *result = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);

      *user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        result = json_object_ref (json_node_get_object (node));
    }
  sqlite3_finalize (stmt);
  return result;
}

/* Undoes the whole batch, however many levels a failure left open. */
static void
rollback_batch (KehuContext *ctx)
{
  sqlite3 *db = kehu_store_get_db (kehu_context_get_store (ctx));

  for (int i = 0; i < 16 && !sqlite3_get_autocommit (db); i++)
    kehu_context_rollback (ctx);
}

static void
push_cb (KehuApi     *api,
         KehuRequest *request)
{
  static const KehuBodySpec spec[] = { { "ops", KEHU_BODY_ARRAY, TRUE, FALSE } };
  KehuStore *store = kehu_api_get_store (api);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GHashTable) batch = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonArray) results = json_array_new ();
  g_autofree char *now = NULL;
  JsonArray *ops;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_user (request)))
    return;
  if (!(body = kehu_request_read_object (request, spec, G_N_ELEMENTS (spec))))
    return;
  ops = json_object_get_array_member (body, "ops");
  if (json_array_get_length (ops) > MAX_OPS)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "ops",
                                _("Push at most %d ops at a time"), MAX_OPS);
      return;
    }
  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonNode *node = json_array_get_element (ops, i);
      JsonObject *op = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *op_id = op ? json_object_get_member (op, "op_id") : NULL;

      if (op_id == NULL || !JSON_NODE_HOLDS_VALUE (op_id) || json_node_get_value_type (op_id) != G_TYPE_STRING ||
          json_node_get_string (op_id)[0] == '\0' ||
          !JSON_NODE_HOLDS_VALUE (json_object_get_member (op, "module") ? json_object_get_member (op, "module") : op_id) ||
          (json_object_has_member (op, "base_rev") &&
           (!JSON_NODE_HOLDS_VALUE (json_object_get_member (op, "base_rev")) ||
            json_node_get_value_type (json_object_get_member (op, "base_rev")) != G_TYPE_INT64)))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "ops",
                                    _("Op %u must be an object with a string “op_id” and an integer “base_rev”"), i + 1);
          return;
        }
    }

  ctx = kehu_context_new (kehu_api_get_schema (api), kehu_perm_get_user_id (perm));
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  kehu_context_set_assign_revs (ctx, TRUE);
  now = kehu_request_get_now_iso (request);

  /* One transaction for the batch, a savepoint per op: an op that fails
   * is undone alone, and the batch pays one commit (and one share of WAL
   * checkpoints) instead of one per op, which with a large database cost
   * more than the ops. A failure of the server itself answers 500 and
   * keeps nothing: the client sends the same ops again. */
  {
    g_autoptr(GError) error = NULL;

    if (!kehu_context_begin (ctx, &error))
      {
        kehu_request_reply_gerror (request, error);
        return;
      }
  }

  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonObject *op = json_array_get_object_element (ops, i);
      const char *op_id = json_object_get_string_member (op, "op_id");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) result = NULL;
      g_autofree char *owner = NULL;
      g_autofree char *text = NULL;

      if (!kehu_context_begin (ctx, &error))
        {
          rollback_batch (ctx);
          kehu_request_reply_gerror (request, error);
          return;
        }
      result = remembered_result (store, op_id, &owner);
      if (result != NULL)
        {
          kehu_context_rollback (ctx);
          if (g_strcmp0 (owner, kehu_perm_get_user_id (perm)) != 0)
            {
              json_object_unref (result);
              result = rejected (api, perm, op_id, NULL, NULL, "duplicate", "op_id",
                                 _("Another user already sent an op with this id"));
            }
          else if (g_strcmp0 (json_object_get_string_member_with_default (result, "status", ""), "applied") == 0)
            {
              /* Later ops of this batch saw this one's result too. */
              Applied *entry = g_new (Applied, 1);

              entry->prev_rev = json_object_get_int_member_with_default (result, "prev_rev", 0);
              entry->rev = json_object_get_int_member_with_default (result, "rev", 0);
              g_hash_table_insert (batch, g_strconcat (json_object_get_string_member_with_default (op, "module", ""), "/",
                                                       json_object_get_string_member_with_default (op, "id", ""), NULL),
                                   entry);
            }
          json_array_add_object_element (results, g_steal_pointer (&result));
          continue;
        }

      result = process_op (api, request, perm, ctx, op, batch, &error);
      if (result != NULL)
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), result);
          text = json_to_string (node, FALSE);
        }
      if (result == NULL ||
          kehu_sql_run (store, &error, "INSERT INTO sync_ops (op_id, user_id, result, at) VALUES (?1, ?2, ?3, ?4)",
                        "ssss", op_id, kehu_perm_get_user_id (perm), text, now) < 0 ||
          !kehu_context_commit (ctx, &error))
        {
          rollback_batch (ctx);
          kehu_request_reply_gerror (request, error);
          return;
        }
      json_array_add_object_element (results, g_steal_pointer (&result));
    }
  {
    g_autoptr(GError) error = NULL;

    if (!kehu_context_commit (ctx, &error))
      {
        rollback_batch (ctx);
        kehu_request_reply_gerror (request, error);
        return;
      }
  }

  reply = json_object_new ();
  json_object_set_array_member (reply, "results", g_steal_pointer (&results));
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Pull ------------------------------------------------------------------------------- */

static gboolean
read_int_param (KehuRequest *request,
                const char  *name,
                gint64       min,
                gint64       max,
                gint64       fallback,
                gint64      *value)
{
  const char *text = kehu_request_get_query (request, name);

  *value = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, min, max, value, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", name,
                                _("“%s” must be a number from %lld to %lld"), name, (long long) min, (long long) max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
visible (KehuApi    *api,
         KehuPerm   *perm,
         const char *module,
         JsonObject *record)
{
  const KehuModule *m = kehu_schema_get_module (kehu_api_get_schema (api), module);

  if (g_strv_contains (org_modules, module))
    return TRUE;
  if (!kehu_perm_sees_all (perm) && !kehu_perm_can (perm, kehu_module_get_permission_key (m), "read") &&
      _kehu_api_is_scoped (module))
    return FALSE;
  return _kehu_api_record_access (api, perm, module, record) != KEHU_ACCESS_NONE;
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* The record's JSON text made by SQLite, or NULL (none, or not visible). */
static char *
record_text (KehuApi    *api,
             KehuPerm   *perm,
             const char *module,
             const char *id)
{
  KehuStore *store = kehu_api_get_store (api);
  GHashTable *statements = g_object_get_data (G_OBJECT (store), "kehu-sync-pull-statements");
  sqlite3_stmt *stmt;
  char *text = NULL;

  if (statements == NULL)
    {
      statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
      g_object_set_data_full (G_OBJECT (store), "kehu-sync-pull-statements", statements,
                              (GDestroyNotify) g_hash_table_unref);
    }
  stmt = g_hash_table_lookup (statements, module);
  if (stmt == NULL)
    {
      g_autofree char *sql = kehu_sync_record_json_sql (kehu_api_get_schema (api), module);

      if (sql == NULL ||
          sqlite3_prepare_v3 (kehu_store_get_db (store), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          /* The general way: the record API's object. */
          g_autoptr(JsonObject) record = kehu_api_read_record (api, module, id);
          g_autoptr(JsonNode) node = NULL;

          if (record == NULL || !visible (api, perm, module, record))
            return NULL;
          node = json_node_init_object (json_node_alloc (), record);
          return json_to_string (node, FALSE);
        }
      g_hash_table_insert (statements, g_strdup (module), stmt);
    }

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gboolean ok = TRUE;

      if (!kehu_perm_sees_all (perm) || g_strv_contains (org_modules, module))
        {
          /* What the scope check reads: id, owner, pool. */
          g_autoptr(JsonObject) probe = json_object_new ();

          json_object_set_string_member (probe, "id", (const char *) sqlite3_column_text (stmt, 1));
          if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
            json_object_set_string_member (probe, "owner_id", (const char *) sqlite3_column_text (stmt, 2));
          else
            json_object_set_null_member (probe, "owner_id");
          if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
            json_object_set_string_member (probe, "pool_id", (const char *) sqlite3_column_text (stmt, 3));
          else
            json_object_set_null_member (probe, "pool_id");
          ok = visible (api, perm, module, probe);
        }
      if (ok)
        text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return text;
}

/* Whether a page sends the record whole (its teams go with it). */
static gboolean
sends_whole (KehuApi    *api,
             KehuPerm   *perm,
             const char *module,
             const char *record_id)
{
  g_autofree char *text = NULL;

  if (kehu_schema_get_module (kehu_api_get_schema (api), module) == NULL)
    return FALSE;
  text = record_text (api, perm, module, record_id);
  return text != NULL;
}

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else if ((guchar) *s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

/* The page is written as text: records come as SQLite's JSON, and a large
 * first pull would spend most of its time building and printing objects. */
static void
pull_page (KehuApi     *api,
           KehuRequest *request)
{
  KehuStore *store = kehu_api_get_store (api);
  g_autoptr(GString) out = g_string_sized_new (64 * 1024);
  g_autoptr(GPtrArray) approvals = g_ptr_array_new_with_free_func (g_free);
  SoupServerMessage *msg = kehu_request_get_message (request);
  sqlite3_stmt *stmt;
  gint64 cursor, limit, epoch, settings_rev, user_epoch = 0, last = 0, max_rev = 0;
  gboolean more = FALSE;
  KehuPerm *perm;
  guint n = 0, n_changes = 0;
  gsize body_length;

  if (!(perm = kehu_request_require_user (request)))
    return;
  if (!read_int_param (request, "cursor", 0, G_MAXINT64, 0, &cursor) ||
      !read_int_param (request, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT, &limit) ||
      !read_int_param (request, "epoch", -1, G_MAXINT64, -1, &epoch) ||
      !read_int_param (request, "settings_rev", 0, G_MAXINT64, -1, &settings_rev))
    return;

  stmt = kehu_sql_prepare (store, NULL, "SELECT scope_epoch FROM users WHERE id = ?1", "s", kehu_perm_get_user_id (perm));
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    user_epoch = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  /* What the client holds was chosen under another scope: start over. */
  if (epoch >= 0 && epoch != user_epoch)
    {
      g_autoptr(JsonObject) reply = json_object_new ();

      json_object_set_int_member (reply, "epoch", user_epoch);
      json_object_set_boolean_member (reply, "reset", TRUE);
      json_object_set_int_member (reply, "cursor", 0);
      json_object_set_boolean_member (reply, "more", TRUE);
      json_object_set_array_member (reply, "changes", json_array_new ());
      kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
      return;
    }

  stmt = kehu_sql_prepare (store, NULL, "SELECT MAX(rev) FROM sync_changes", "");
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    max_rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  /* Each record once, at its latest change. */
  stmt = kehu_sql_prepare (store, NULL,
                           "SELECT c.rev, c.module, c.record_id FROM sync_changes c WHERE c.rev > ?1"
                           " AND NOT EXISTS (SELECT 1 FROM sync_changes d WHERE d.module = c.module"
                           "                 AND d.record_id = c.record_id AND d.rev > c.rev)"
                           " ORDER BY c.rev LIMIT ?2",
                           "ii", cursor, limit + 1);
  if (stmt == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                                _("The changes could not be read"));
      return;
    }
  g_string_append (out, "{\"changes\":[");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rev = sqlite3_column_int64 (stmt, 0);
      const char *module = (const char *) sqlite3_column_text (stmt, 1);
      const char *id = (const char *) sqlite3_column_text (stmt, 2);
      g_autofree char *record = NULL;

      if (n == limit)
        {
          more = TRUE;
          break;
        }
      n++;
      last = rev;
      /* Approval instances go in their own section, after the changes. */
      if (g_str_equal (module, "approval_instances"))
        {
          g_ptr_array_add (approvals, g_strdup (id));
          continue;
        }
      if (kehu_schema_get_module (kehu_api_get_schema (api), module) == NULL)
        continue;
      record = record_text (api, perm, module, id);
      /* A client starting from nothing has nothing to drop. */
      if (record == NULL && cursor == 0)
        continue;

      g_string_append_printf (out, "%s{\"rev\":%" G_GINT64_FORMAT ",\"module\":", n_changes ? "," : "", rev);
      append_json_string (out, module);
      g_string_append (out, ",\"id\":");
      append_json_string (out, id);
      if (record != NULL)
        {
          g_string_append (out, ",\"record\":");
          g_string_append (out, record);
        }
      else
        g_string_append (out, ",\"gone\":true");
      g_string_append_c (out, '}');
      n_changes++;
    }
  sqlite3_finalize (stmt);
  g_string_append_c (out, ']');
  _kehu_api_sync_append_approvals (api, perm, approvals, cursor == 0, out);
  _kehu_api_sync_append_teams (api, perm, cursor, last, sends_whole, out);

  /* The settings tables, whole, when the client holds another revision:
   * on the last page only, so that it is sent once per pull and comes
   * after every record it may refer to (a stage's group, a role), read in
   * the same transaction as them. Every user gets every row: the same rows
   * the app needs offline (its own roles and claim limits, the pools it
   * may claim from, the recycle rules it warns about) and that the REST
   * lists show any signed-in user (users' role_ids, fields, dictionaries). */
  if (!more && settings_rev != kehu_sync_settings_rev (store))
    {
      g_autoptr(GError) error = NULL;
      gint64 rev;

      g_string_append (out, ",\"settings\":");
      if (!kehu_sync_settings_append_snapshot (store, out, &rev, &error))
        {
          kehu_request_reply_gerror (request, error);
          return;
        }
    }

  /* total: an estimate for progress (changes after the cursor, repeats included). */
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT ",\"more\":%s,\"epoch\":%" G_GINT64_FORMAT
                          ",\"total\":%" G_GINT64_FORMAT "}",
                          n > 0 ? last : MAX (cursor, 0), more ? "true" : "false", user_epoch,
                          MAX (max_rev - cursor, 0));

  body_length = out->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_string_free (g_steal_pointer (&out), FALSE), body_length);
  kehu_request_mark_replied (request);
}

/* One read transaction for the page: its records, its cursor and the
 * settings snapshot are of the same moment, whatever another process or
 * a job writes meanwhile. */
static void
pull_cb (KehuApi     *api,
         KehuRequest *request)
{
  sqlite3 *db = kehu_store_get_db (kehu_api_get_store (api));
  gboolean own = sqlite3_get_autocommit (db) != 0;

  if (own && sqlite3_exec (db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
    own = FALSE;
  pull_page (api, request);
  if (own && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

void
_kehu_api_sync_register (KehuApi *self)
{
  kehu_api_add_route (self, "POST", "/sync/push", push_cb);
  kehu_api_add_route (self, "GET", "/sync/pull", pull_cb);
}
