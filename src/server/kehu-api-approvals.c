/* kehu-api-approvals.c: approval flows, submissions, actions, inboxes
 *
 *   GET/POST        /approval-flows            flows (admins: <type>.approve)
 *   GET/PATCH/DELETE /approval-flows/{id}
 *   POST            /{contracts,payments,invoices}/{id}/submit   {comment}
 *   POST            /approvals/requests        a generic request {title, comment}
 *   GET             /{contracts,payments,invoices}/{id}/approvals  history
 *   GET             /approvals?box=waiting|handled|submitted|copied&after&limit
 *   GET             /approvals/counts
 *   GET             /approvals/stats?from&to
 *   GET             /approvals/{id}
 *   POST            /approvals/{id}/actions    {action, comment, target_user}
 *
 * The logic is core's (kehu-approvals.c); this file checks who may do what
 * and maps errors: acting when not waiting is 403 not_waiting, a record
 * outside the user's data scope 404.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-approvals.h"
#include "kehu-record.h"

static const char * const record_modules[] = { "contracts", "payments", "invoices" };

/* Who administers the flows of a business type. */
static const char *
flow_permission (const char *business_type)
{
  if (g_strcmp0 (business_type, "contract") == 0)
    return "contract.approve";
  if (g_strcmp0 (business_type, "payment") == 0)
    return "payment.approve";
  if (g_strcmp0 (business_type, "invoice") == 0)
    return "invoice.approve";
  return "approval.manage";
}

static gboolean
is_approval_admin (KehuPerm *perm)
{
  return kehu_perm_has (perm, "contract.approve") || kehu_perm_has (perm, "payment.approve") ||
         kehu_perm_has (perm, "invoice.approve") || kehu_perm_has (perm, "approval.manage");
}

static KehuContext *
context_new (KehuRequest  *request,
             KehuPerm     *perm,
             GError      **error)
{
  g_autoptr(KehuSchema) schema = kehu_schema_new (kehu_api_get_store (kehu_request_get_api (request)), error);
  KehuContext *ctx;

  if (schema == NULL)
    return NULL;
  ctx = kehu_context_new (schema, kehu_perm_get_user_id (perm));
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  kehu_context_set_assign_revs (ctx, TRUE);
  return ctx;
}

/* Errors of the engine and of core, as REST errors. */
static void
reply_approval_error (KehuRequest  *request,
                      const GError *error)
{
  if (error->domain == KEHU_APPROVAL_ERROR)
    {
      switch ((KehuApprovalError) error->code)
        {
        case KEHU_APPROVAL_ERROR_INVALID_FLOW:
          kehu_request_reply_error (request, 400, "invalid_value", "definition", "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_INVALID_ACTION:
          kehu_request_reply_error (request, 400, "invalid_value", "action", "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_INVALID_TARGET:
          kehu_request_reply_error (request, 400, "invalid_value", "target_user", "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_NOT_WAITING:
          kehu_request_reply_error (request, 403, "not_waiting", NULL, "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_NOT_SUBMITTER:
          kehu_request_reply_error (request, 403, "not_submitter", NULL, "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_DECIDED:
          kehu_request_reply_error (request, 409, "decided", NULL, "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_STILL_PENDING:
          kehu_request_reply_error (request, 409, "still_pending", NULL, "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_NO_APPROVERS:
          kehu_request_reply_error (request, 422, "no_approvers", NULL, "%s", error->message);
          return;
        case KEHU_APPROVAL_ERROR_INVALID_RECORD:
        case KEHU_APPROVAL_ERROR_INVALID_STATE:
        default:
          break;
        }
    }
  else if (error->domain == KEHU_APPROVALS_ERROR)
    {
      switch ((KehuApprovalsError) error->code)
        {
        case KEHU_APPROVALS_ERROR_NOT_FOUND:
          kehu_request_reply_error (request, 404, "not_found", NULL, "%s", error->message);
          return;
        case KEHU_APPROVALS_ERROR_INVALID:
          kehu_request_reply_error (request, 400, "invalid_value", NULL, "%s", error->message);
          return;
        case KEHU_APPROVALS_ERROR_NO_FLOW:
          kehu_request_reply_error (request, 422, "no_flow", NULL, "%s", error->message);
          return;
        case KEHU_APPROVALS_ERROR_ALREADY_PENDING:
        case KEHU_APPROVALS_ERROR_ALREADY_APPROVED:
          kehu_request_reply_error (request, 409, "conflict", NULL, "%s", error->message);
          return;
        case KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED:
          kehu_request_reply_error (request, 422, "rule_violation", "contract_id", "%s", error->message);
          return;
        default:
          break;
        }
    }
  else if (error->domain == KEHU_RECORD_ERROR)
    {
      kehu_request_reply_error (request, error->code == KEHU_RECORD_ERROR_NOT_FOUND ? 404 : 422,
                                error->code == KEHU_RECORD_ERROR_NOT_FOUND ? "not_found" : "rule_violation",
                                kehu_record_error_get_field (error), "%s", error->message);
      return;
    }
  kehu_request_reply_gerror (request, error);
}

/* The record behind a submission or a history, in the user's scope:
 * FALSE (404 sent) when it does not exist for them. */
static gboolean
check_record (KehuRequest *request,
              KehuPerm    *perm,
              const char  *module,
              const char  *record_id,
              KehuAccess   needed)
{
  KehuStore *store = kehu_api_get_store (kehu_request_get_api (request));
  g_autofree char *sql = g_strdup_printf ("SELECT owner_id, 1 FROM %s WHERE id = ?1 AND deleted_at IS NULL", module);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = kehu_sql_prepare (store, &error, sql, "s", record_id);
  g_autofree char *owner = NULL;
  gboolean found = FALSE;
  KehuAccess access;

  if (stmt == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return FALSE;
    }
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  access = found ? kehu_perm_check_record (perm, store, module, record_id, owner) : KEHU_ACCESS_NONE;
  if (access == KEHU_ACCESS_NONE)
    {
      kehu_request_reply_error (request, 404, "not_found", NULL, _("There is no record “%s” in %s"),
                                record_id, module);
      return FALSE;
    }
  if (access < needed)
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("You may read this record but not submit it for approval"));
      return FALSE;
    }
  return TRUE;
}

/* An instance is visible to who takes part in it and to who sees its
 * record; to others it does not exist. */
static JsonNode *
load_visible_instance (KehuRequest *request,
                       KehuPerm    *perm,
                       const char  *instance_id)
{
  KehuStore *store = kehu_api_get_store (kehu_request_get_api (request));
  const char *me = kehu_perm_get_user_id (perm);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) detail = kehu_approvals_get_detail (store, instance_id, me, &error);
  JsonObject *object;
  const char *module;
  gboolean involved;

  if (detail == NULL)
    {
      reply_approval_error (request, error);
      return NULL;
    }
  object = json_node_get_object (detail);
  module = json_object_get_string_member (object, "module");
  involved = g_strcmp0 (json_object_get_string_member (object, "submitter_id"), me) == 0 ||
             kehu_perm_sees_all (perm);
  for (guint i = 0; !involved && i < json_array_get_length (json_object_get_array_member (object, "waiting")); i++)
    involved = g_strcmp0 (json_array_get_string_element (json_object_get_array_member (object, "waiting"), i), me) == 0;
  for (guint i = 0; !involved && i < json_array_get_length (json_object_get_array_member (object, "copy_to")); i++)
    involved = g_strcmp0 (json_array_get_string_element (json_object_get_array_member (object, "copy_to"), i), me) == 0;
  for (guint i = 0; !involved && i < json_array_get_length (json_object_get_array_member (object, "actions")); i++)
    involved = g_strcmp0 (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (object, "actions"), i),
                                                          "user_id"), me) == 0;
  if (!involved && g_strv_contains (record_modules, module))
    {
      g_autofree char *sql = g_strdup_printf ("SELECT owner_id FROM %s WHERE id = ?1", module);
      sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, sql, "s",
                                             json_object_get_string_member (object, "record_id"));

      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        involved = kehu_perm_check_record (perm, store, module,
                                           json_object_get_string_member (object, "record_id"),
                                           (const char *) sqlite3_column_text (stmt, 0)) != KEHU_ACCESS_NONE;
      if (stmt != NULL)
        sqlite3_finalize (stmt);
    }
  if (!involved)
    {
      kehu_request_reply_error (request, 404, "not_found", NULL, _("There is no approval “%s”"), instance_id);
      return NULL;
    }
  return g_steal_pointer (&detail);
}

/* Flows */

static void
flows_list_cb (KehuApi     *api,
               KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) flows = NULL;
  g_autoptr(JsonObject) reply = NULL;

  if (perm == NULL)
    return;
  if (!is_approval_admin (perm))
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("Only administrators of approvals see the approval flows"));
      return;
    }
  flows = kehu_approvals_list_flows (kehu_api_get_store (api),
                                     kehu_request_get_query (request, "business_type"), &error);
  if (flows == NULL)
    {
      reply_approval_error (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "items", json_array_ref (json_node_get_array (flows)));
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, 200, reply);
}

static void
flow_get_cb (KehuApi     *api,
             KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) flow = NULL;

  if (perm == NULL)
    return;
  if (!is_approval_admin (perm))
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("Only administrators of approvals see the approval flows"));
      return;
    }
  flow = kehu_approvals_get_flow (kehu_api_get_store (api), kehu_request_get_param (request, "id"), &error);
  if (flow == NULL)
    reply_approval_error (request, error);
  else
    kehu_request_reply_json (request, 200, flow);
}

/* POST (flow_id NULL) and PATCH. */
static void
flow_save (KehuApi     *api,
           KehuRequest *request,
           const char  *flow_id)
{
  static const KehuBodySpec spec[] = {
    { "definition", KEHU_BODY_OBJECT, FALSE, FALSE },
    { "is_enabled", KEHU_BODY_BOOL, FALSE, FALSE },
    { "position", KEHU_BODY_INT, FALSE, FALSE },
  };
  KehuStore *store = kehu_api_get_store (api);
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) old = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autofree char *id = NULL;
  JsonNode *definition = NULL;
  JsonObject *old_object = NULL;
  const char *type;
  gboolean enabled = TRUE;
  int position = 0;

  if (perm == NULL)
    return;
  body = kehu_request_read_object (request, spec, G_N_ELEMENTS (spec));
  if (body == NULL)
    return;

  if (flow_id != NULL)
    {
      old = kehu_approvals_get_flow (store, flow_id, &error);
      if (old == NULL)
        {
          reply_approval_error (request, error);
          return;
        }
      old_object = json_node_get_object (old);
      definition = json_object_get_member (old_object, "definition");
      enabled = json_object_get_boolean_member (old_object, "is_enabled");
      position = json_object_get_int_member (old_object, "position");
      /* Changing a flow needs the right for its old type as well. */
      if (!kehu_perm_has (perm, flow_permission (json_object_get_string_member (old_object, "business_type"))))
        {
          kehu_request_reply_error (request, 403, "forbidden", NULL,
                                    _("You may not change the approval flows of this business type"));
          return;
        }
    }
  else if (!json_object_has_member (body, "definition"))
    {
      kehu_request_reply_error (request, 400, "invalid_value", "definition",
                                _("“definition” is required: the flow JSON"));
      return;
    }

  if (json_object_has_member (body, "definition"))
    definition = json_object_get_member (body, "definition");
  if (json_object_has_member (body, "is_enabled"))
    enabled = json_object_get_boolean_member (body, "is_enabled");
  if (json_object_has_member (body, "position"))
    position = json_object_get_int_member (body, "position");

  type = JSON_NODE_HOLDS_OBJECT (definition)
         ? json_object_get_string_member_with_default (json_node_get_object (definition), "business_type", NULL)
         : NULL;
  if (type != NULL && !kehu_perm_has (perm, flow_permission (type)))
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("You may not change the approval flows of this business type"));
      return;
    }

  id = kehu_approvals_save_flow (store, flow_id, definition, enabled, position,
                                 kehu_perm_get_user_id (perm), kehu_request_get_now (request), &error);
  if (id == NULL)
    {
      if (error->domain == KEHU_APPROVALS_ERROR && error->code == KEHU_APPROVALS_ERROR_INVALID)
        kehu_request_reply_error (request, 400, "invalid_value", "definition", "%s", error->message);
      else
        reply_approval_error (request, error);
      return;
    }
  saved = kehu_approvals_get_flow (store, id, &error);
  if (saved == NULL)
    reply_approval_error (request, error);
  else
    kehu_request_reply_json (request, flow_id ? 200 : 201, saved);
}

static void
flow_create_cb (KehuApi     *api,
                KehuRequest *request)
{
  flow_save (api, request, NULL);
}

static void
flow_patch_cb (KehuApi     *api,
               KehuRequest *request)
{
  flow_save (api, request, kehu_request_get_param (request, "id"));
}

static void
flow_delete_cb (KehuApi     *api,
                KehuRequest *request)
{
  KehuStore *store = kehu_api_get_store (api);
  KehuPerm *perm = kehu_request_require_user (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) old = NULL;
  g_autoptr(JsonObject) reply = NULL;

  if (perm == NULL)
    return;
  old = kehu_approvals_get_flow (store, id, &error);
  if (old == NULL)
    {
      reply_approval_error (request, error);
      return;
    }
  if (!kehu_perm_has (perm, flow_permission (json_object_get_string_member (json_node_get_object (old),
                                                                             "business_type"))))
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("You may not change the approval flows of this business type"));
      return;
    }
  if (!kehu_approvals_delete_flow (store, id, kehu_perm_get_user_id (perm), kehu_request_get_now (request), &error))
    {
      reply_approval_error (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_string_member (reply, "id", id);
  json_object_set_boolean_member (reply, "deleted", TRUE);
  kehu_request_reply_object (request, 200, reply);
}

/* Submissions and actions */

static void
reply_instance (KehuRequest *request,
                KehuPerm    *perm,
                const char  *instance_id,
                guint        status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) detail = kehu_approvals_get_detail (kehu_api_get_store (kehu_request_get_api (request)),
                                                          instance_id, kehu_perm_get_user_id (perm), &error);

  if (detail == NULL)
    reply_approval_error (request, error);
  else
    kehu_request_reply_json (request, status, detail);
}

/* Runs a submission or an action in one transaction with the instance's
 * new rev for sync. */
static char *
submit_or_act (KehuRequest        *request,
               KehuPerm           *perm,
               const char         *module,
               const char         *record_id,
               const char         *title,
               const char         *instance_id,
               KehuApprovalAction  action,
               const char         *comment,
               const char         *target_user)
{
  static const char * const instance_fields[] = {
    "status", "state", "waiting", "copy_to", "submitted_at", "decided_at", NULL
  };
  KehuStore *store = kehu_api_get_store (kehu_request_get_api (request));
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = context_new (request, perm, &error);
  g_autofree char *at = kehu_request_get_now_iso (request);
  g_autofree char *id = NULL;

  if (ctx == NULL || !kehu_context_begin (ctx, &error))
    {
      kehu_request_reply_gerror (request, error);
      return NULL;
    }
  if (instance_id == NULL)
    id = kehu_approvals_submit (ctx, module, record_id, title, comment, &error);
  else if (kehu_approvals_act (ctx, instance_id, action, comment, target_user, &error))
    id = g_strdup (instance_id);

  if (id == NULL ||
      !kehu_api_bump_rev (store, "approval_instances", id, at, instance_fields, NULL, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      reply_approval_error (request, error);
      return NULL;
    }
  return g_steal_pointer (&id);
}

static void
submit_cb (KehuApi     *api,
           KehuRequest *request)
{
  static const KehuBodySpec spec[] = {
    { "comment", KEHU_BODY_STRING, FALSE, TRUE },
  };
  const char *module = kehu_request_get_route_data (request);
  const char *record_id = kehu_request_get_param (request, "id");
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *id = NULL;

  if (perm == NULL)
    return;
  body = kehu_request_read_object (request, spec, G_N_ELEMENTS (spec));
  if (body == NULL || !check_record (request, perm, module, record_id, KEHU_ACCESS_WRITE))
    return;

  id = submit_or_act (request, perm, module, record_id, NULL, NULL, 0,
                      json_object_get_string_member_with_default (body, "comment", NULL), NULL);
  if (id != NULL)
    reply_instance (request, perm, id, 201);
}

static void
request_submit_cb (KehuApi     *api,
                   KehuRequest *request)
{
  static const KehuBodySpec spec[] = {
    { "title", KEHU_BODY_STRING, TRUE, FALSE },
    { "comment", KEHU_BODY_STRING, FALSE, TRUE },
  };
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *id = NULL;

  if (perm == NULL)
    return;
  body = kehu_request_read_object (request, spec, G_N_ELEMENTS (spec));
  if (body == NULL)
    return;
  id = submit_or_act (request, perm, "requests", NULL, json_object_get_string_member (body, "title"), NULL, 0,
                      json_object_get_string_member_with_default (body, "comment", NULL), NULL);
  if (id != NULL)
    reply_instance (request, perm, id, 201);
}

static void
action_cb (KehuApi     *api,
           KehuRequest *request)
{
  static const KehuBodySpec spec[] = {
    { "action", KEHU_BODY_STRING, TRUE, FALSE },
    { "comment", KEHU_BODY_STRING, FALSE, TRUE },
    { "target_user", KEHU_BODY_STRING, FALSE, TRUE },
  };
  const char *instance_id = kehu_request_get_param (request, "id");
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) visible = NULL;
  g_autofree char *id = NULL;
  KehuApprovalAction action;
  const char *target;

  if (perm == NULL)
    return;
  body = kehu_request_read_object (request, spec, G_N_ELEMENTS (spec));
  if (body == NULL)
    return;
  if (!kehu_approval_action_from_string (json_object_get_string_member (body, "action"), &action))
    {
      kehu_request_reply_error (request, 400, "invalid_value", "action",
                                _("“action” must be approve, reject, transfer, withdraw or resubmit"));
      return;
    }
  target = json_object_get_string_member_with_default (body, "target_user", NULL);
  if (action == KEHU_APPROVAL_ACTION_TRANSFER && (target == NULL || *target == '\0'))
    {
      kehu_request_reply_error (request, 400, "invalid_value", "target_user",
                                _("“target_user” is required to transfer: the user who decides instead"));
      return;
    }
  visible = load_visible_instance (request, perm, instance_id);
  if (visible == NULL)
    return;

  id = submit_or_act (request, perm, NULL, NULL, NULL, instance_id, action,
                      json_object_get_string_member_with_default (body, "comment", NULL), target);
  if (id != NULL)
    reply_instance (request, perm, id, 200);
}

/* Reading */

static void
history_cb (KehuApi     *api,
            KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  const char *record_id = kehu_request_get_param (request, "id");
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(JsonObject) reply = NULL;

  if (perm == NULL || !check_record (request, perm, module, record_id, KEHU_ACCESS_READ))
    return;
  history = kehu_approvals_history (kehu_api_get_store (api), module, record_id, &error);
  if (history == NULL)
    {
      reply_approval_error (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "items", json_array_ref (json_node_get_array (history)));
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, 200, reply);
}

static void
inbox_cb (KehuApi     *api,
          KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  const char *box_name = kehu_request_get_query (request, "box");
  const char *limit_text = kehu_request_get_query (request, "limit");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *next = NULL;
  KehuApprovalsBox box = KEHU_APPROVALS_BOX_WAITING;
  gint64 limit = 100;

  if (perm == NULL)
    return;
  if (box_name != NULL && !kehu_approvals_box_from_string (box_name, &box))
    {
      kehu_request_reply_error (request, 400, "invalid_value", "box",
                                _("“box” must be waiting, handled, submitted or copied"));
      return;
    }
  if (limit_text != NULL &&
      (!g_ascii_string_to_signed (limit_text, 10, 1, 500, &limit, NULL)))
    {
      kehu_request_reply_error (request, 400, "invalid_value", "limit",
                                _("“limit” must be a whole number from 1 to 500"));
      return;
    }
  list = kehu_approvals_list (kehu_api_get_store (api), kehu_perm_get_user_id (perm), box,
                              kehu_request_get_query (request, "after"), (guint) limit, &next, &error);
  if (list == NULL)
    {
      if (error->domain == KEHU_APPROVALS_ERROR && error->code == KEHU_APPROVALS_ERROR_INVALID)
        kehu_request_reply_error (request, 400, "invalid_value", "after", "%s", error->message);
      else
        reply_approval_error (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "items", json_array_ref (json_node_get_array (list)));
  json_object_set_string_member (reply, "next", next);
  kehu_request_reply_object (request, 200, reply);
}

static void
counts_cb (KehuApi     *api,
           KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  guint counts[KEHU_APPROVALS_N_BOXES];

  if (perm == NULL)
    return;
  if (!kehu_approvals_count (kehu_api_get_store (api), kehu_perm_get_user_id (perm), counts, &error))
    {
      reply_approval_error (request, error);
      return;
    }
  reply = json_object_new ();
  for (guint box = 0; box < KEHU_APPROVALS_N_BOXES; box++)
    json_object_set_int_member (reply, kehu_approvals_box_to_string (box), counts[box]);
  kehu_request_reply_object (request, 200, reply);
}

static gboolean
check_time (KehuRequest *request,
            const char  *name,
            const char  *value)
{
  g_autoptr(GDateTime) dt = NULL;

  if (value == NULL)
    return TRUE;
  dt = g_date_time_new_from_iso8601 (value, NULL);
  if (dt == NULL)
    {
      kehu_request_reply_error (request, 400, "invalid_value", name,
                                _("“%s” must be a UTC time like 2026-11-01T00:00:00Z"), name);
      return FALSE;
    }
  return TRUE;
}

static void
stats_cb (KehuApi     *api,
          KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  const char *from = kehu_request_get_query (request, "from");
  const char *to = kehu_request_get_query (request, "to");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stats = NULL;

  if (perm == NULL)
    return;
  if (!is_approval_admin (perm))
    {
      kehu_request_reply_error (request, 403, "forbidden", NULL,
                                _("Only administrators of approvals see approval statistics"));
      return;
    }
  if (!check_time (request, "from", from) || !check_time (request, "to", to))
    return;
  stats = kehu_approvals_stats (kehu_api_get_store (api), from, to, &error);
  if (stats == NULL)
    reply_approval_error (request, error);
  else
    kehu_request_reply_json (request, 200, stats);
}

static void
instance_get_cb (KehuApi     *api,
                 KehuRequest *request)
{
  KehuPerm *perm = kehu_request_require_user (request);
  g_autoptr(JsonNode) detail = NULL;

  if (perm == NULL)
    return;
  detail = load_visible_instance (request, perm, kehu_request_get_param (request, "id"));
  if (detail != NULL)
    kehu_request_reply_json (request, 200, detail);
}

void
_kehu_api_approvals_register (KehuApi *self)
{
  kehu_api_add_route (self, "GET", "/approval-flows", flows_list_cb);
  kehu_api_add_route (self, "POST", "/approval-flows", flow_create_cb);
  kehu_api_add_route (self, "GET", "/approval-flows/{id}", flow_get_cb);
  kehu_api_add_route (self, "PATCH", "/approval-flows/{id}", flow_patch_cb);
  kehu_api_add_route (self, "DELETE", "/approval-flows/{id}", flow_delete_cb);

  for (guint i = 0; i < G_N_ELEMENTS (record_modules); i++)
    {
      g_autofree char *submit = g_strdup_printf ("/%s/{id}/submit", record_modules[i]);
      g_autofree char *history = g_strdup_printf ("/%s/{id}/approvals", record_modules[i]);

      kehu_api_add_route_full (self, "POST", submit, submit_cb, (gpointer) record_modules[i]);
      kehu_api_add_route_full (self, "GET", history, history_cb, (gpointer) record_modules[i]);
    }

  /* The fixed paths before /approvals/{id}. */
  kehu_api_add_route (self, "GET", "/approvals", inbox_cb);
  kehu_api_add_route (self, "GET", "/approvals/counts", counts_cb);
  kehu_api_add_route (self, "GET", "/approvals/stats", stats_cb);
  kehu_api_add_route (self, "POST", "/approvals/requests", request_submit_cb);
  kehu_api_add_route (self, "GET", "/approvals/{id}", instance_get_cb);
  kehu_api_add_route (self, "POST", "/approvals/{id}/actions", action_cb);
}
