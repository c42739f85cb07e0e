/* kehu-api-records.c: the generic routes of every record module
 *
 * One set of handlers serves every module of the schema description
 * (kehu-schema.c); the module travels as the route's data. Writes go
 * through libkehu-core's record API and rules, inside one transaction per
 * request, so a refused request writes nothing. Every handler checks the
 * operation permission ("<module key>.<action>") and, for the modules that
 * have owners, the data scope: a record outside it answers 404.
 *
 *   GET    /<module>                    list: filter, sort, q, after, limit, deleted
 *   POST   /<module>                    create
 *   GET    /<module>/{id}               read
 *   PATCH  /<module>/{id}               change (If-Match: <rev>)
 *   DELETE /<module>/{id}               to the recycle bin
 *   POST   /<module>/{id}/restore       out of the recycle bin
 *   POST   /<module>/{id}/purge         gone for good (administrators)
 *   GET    /<module>/{id}/oplog         operation log
 *   GET|POST /<module>/{id}/team, DELETE /<module>/{id}/team/{user_id}
 *   GET    /<module>/{id}/followups, /<module>/{id}/attachments
 *   POST   /<module>/actions/<name>     bulk actions
 *   GET    /<module>/export             the list as .xlsx or .csv (kehu-api-export.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-pool.h"
#include "kehu-query.h"
#include "kehu-record.h"
#include "kehu-rules.h"

/* Modules with dedicated routes (kehu-api-org.c, kehu-api-approvals.c) are
 * not served here. */
static const char * const own_routes[] = { "departments", "users", "roles", "approval_flows", NULL };

/* Modules whose records belong to someone: the data scope applies. */
static const char * const scoped_modules[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", "payment_plans", "payments",
  "invoices", "followups", "tasks", "schedules", "attachments", NULL,
};

static const char * const transferable[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", NULL,
};

static const char * const followup_targets[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", NULL,
};

gboolean
_kehu_api_is_scoped (const char *module)
{
  return g_strv_contains (scoped_modules, module);
}

static const char *
permission_key (KehuApi    *api,
                const char *module)
{
  const KehuModule *m = kehu_schema_get_module (kehu_api_get_schema (api), module);

  return m ? kehu_module_get_permission_key (m) : module;
}

static KehuPerm *
require (KehuRequest *request,
         const char  *module,
         const char  *action)
{
  g_autofree char *permission = g_strconcat (permission_key (kehu_request_get_api (request), module),
                                             ".", action, NULL);

  return kehu_request_require_permission (request, permission);
}

static KehuContext *
new_context (KehuRequest *request,
             KehuPerm    *perm)
{
  KehuContext *ctx = kehu_context_new (kehu_api_get_schema (kehu_request_get_api (request)),
                                       kehu_perm_get_user_id (perm));

  kehu_context_set_now (ctx, kehu_request_get_now (request));
  kehu_context_set_assign_revs (ctx, TRUE);
  return ctx;
}

static void
reply_ok (KehuRequest *request)
{
  g_autoptr(JsonObject) reply = json_object_new ();

  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* What the user may do with one record; NONE for records outside the
 * scope. Pool customers (no owner) can be read by everyone who may read
 * customers, and changed by nobody until claimed. */
KehuAccess
_kehu_api_record_access (KehuApi    *api,
                         KehuPerm   *perm,
                         const char *module,
                         JsonObject *record)
{
  const char *owner_id;

  if (!_kehu_api_is_scoped (module) || kehu_perm_sees_all (perm))
    return KEHU_ACCESS_WRITE;

  owner_id = json_object_has_member (record, "owner_id") ? json_object_get_string_member (record, "owner_id") : NULL;
  if (owner_id == NULL && g_str_equal (module, "customers") &&
      json_object_has_member (record, "pool_id") && !json_object_get_null_member (record, "pool_id"))
    return KEHU_ACCESS_READ;

  return kehu_perm_check_record (perm, kehu_api_get_store (api), module,
                                 json_object_get_string_member (record, "id"), owner_id);
}

/* The record, when the user may see it; otherwise a 404 reply and NULL. */
static JsonObject *
load_visible (KehuRequest *request,
              KehuContext *ctx,
              KehuPerm    *perm,
              const char  *module,
              const char  *id,
              KehuAccess   needed)
{
  KehuApi *api = kehu_request_get_api (request);
  g_autoptr(JsonObject) record = kehu_api_read_record (api, module, id);
  KehuAccess access;

  if (record == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no record “%s” in %s"), id, module);
      return NULL;
    }

  access = _kehu_api_record_access (api, perm, module, record);
  if (access == KEHU_ACCESS_NONE)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no record “%s” in %s"), id, module);
      return NULL;
    }
  if (access < needed)
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", NULL,
                                _("You may read this record but not change it"));
      return NULL;
    }

  return g_steal_pointer (&record);
}

static void
restrict_query (KehuQuery  *query,
                KehuPerm   *perm,
                const char *module)
{
  if (_kehu_api_is_scoped (module) && !kehu_perm_sees_all (perm))
    kehu_query_restrict_to_owners (query, kehu_perm_get_owner_ids (perm), kehu_perm_get_user_id (perm));
}

/* Reads the list parameters every list shares into @query; on a bad one
 * it replies 400 and returns FALSE. */
static gboolean
apply_list_params (KehuRequest *request,
                   KehuQuery   *query,
                   gint64      *limit)
{
  g_autoptr(GError) error = NULL;
  const char *filter = kehu_request_get_query (request, "filter");
  const char *sort = kehu_request_get_query (request, "sort");
  const char *q = kehu_request_get_query (request, "q");
  const char *deleted = kehu_request_get_query (request, "deleted");
  const char *limit_text = kehu_request_get_query (request, "limit");

  *limit = 50;
  if (limit_text != NULL && !g_ascii_string_to_signed (limit_text, 10, 1, 500, limit, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                                _("“limit” must be a number from 1 to 500"));
      return FALSE;
    }

  if (filter != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, filter, -1, NULL) ||
          !kehu_query_add_filter_json (query, json_parser_get_root (parser), &error))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "filter",
                                    "%s", error ? error->message : _("“filter” must be JSON"));
          return FALSE;
        }
    }

  if (sort != NULL && !kehu_query_set_sort (query, sort[0] == '-' ? sort + 1 : sort, sort[0] == '-', &error))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "sort", "%s", error->message);
      return FALSE;
    }

  if (q != NULL && q[0] != '\0')
    kehu_query_set_search (query, q);

  if (g_strcmp0 (deleted, "true") == 0)
    kehu_query_set_deleted (query, KEHU_QUERY_DELETED);
  else if (deleted != NULL && g_strcmp0 (deleted, "false") != 0)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "deleted",
                                _("“deleted” must be true or false"));
      return FALSE;
    }

  return TRUE;
}

static void
reply_page (KehuRequest *request,
            KehuQuery   *query,
            gint64       limit)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;
  JsonArray *items;

  items = kehu_query_fetch (query, kehu_request_get_query (request, "after"), limit, &next, &error);
  if (items == NULL)
    {
      if (g_error_matches (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_CURSOR))
        kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "after", "%s", error->message);
      else
        kehu_request_reply_gerror (request, error);
      return;
    }

  json_object_set_array_member (reply, "items", items);
  if (next != NULL)
    json_object_set_string_member (reply, "next", next);
  else
    json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
list_cb (KehuApi     *api,
         KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  KehuPerm *perm;
  gint64 limit;

  if (!(perm = require (request, module, "read")))
    return;
  ctx = new_context (request, perm);
  query = kehu_query_new (ctx, module, &error);
  if (query == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  restrict_query (query, perm, module);
  if (!apply_list_params (request, query, &limit))
    return;
  reply_page (request, query, limit);
}

/* The list's own parameters and scope, so an export holds exactly what
 * the list shows; "limit" and "after" do not apply. */
static void
export_cb (KehuApi     *api,
           KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  KehuPerm *perm;
  gint64 limit;

  if (!(perm = require (request, module, "export")))
    return;
  ctx = new_context (request, perm);
  query = kehu_query_new (ctx, module, &error);
  if (query == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  restrict_query (query, perm, module);
  if (!apply_list_params (request, query, &limit))
    return;
  _kehu_api_export_reply (request, query);
}

static void
get_cb (KehuApi     *api,
        KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  KehuPerm *perm;

  if (!(perm = require (request, module, "read")))
    return;
  ctx = new_context (request, perm);
  record = load_visible (request, ctx, perm, module, kehu_request_get_param (request, "id"), KEHU_ACCESS_READ);
  if (record != NULL)
    kehu_request_reply_object (request, SOUP_STATUS_OK, record);
}

/* The body of a create or patch: a JSON object; the record API checks
 * its members against the schema. */
static JsonObject *
read_record_body (KehuRequest *request)
{
  g_autoptr(JsonNode) root = kehu_request_read_json (request);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body must be a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
create_cb (KehuApi     *api,
           KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  KehuPerm *perm;

  if (!(perm = require (request, module, "create")))
    return;
  if (!(body = read_record_body (request)))
    return;

  /* New records belong to their creator unless given to someone the
   * creator's scope reaches. */
  if (_kehu_api_is_scoped (module))
    {
      if (!json_object_has_member (body, "owner_id"))
        json_object_set_string_member (body, "owner_id", kehu_perm_get_user_id (perm));
      else if (!JSON_NODE_HOLDS_VALUE (json_object_get_member (body, "owner_id")) ||
               json_node_get_value_type (json_object_get_member (body, "owner_id")) != G_TYPE_STRING ||
               !kehu_perm_owner_in_scope (perm, json_object_get_string_member (body, "owner_id")))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "owner_id",
                                    _("“owner_id” must be a user within your data scope"));
          return;
        }
    }

  ctx = new_context (request, perm);
  if (!kehu_context_begin (ctx, &error) ||
      !(id = kehu_record_create (ctx, module, body, &error)) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }

  record = kehu_record_get (ctx, module, id, &error);
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, record);
}

static void
patch_cb (KehuApi     *api,
          KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  const char *if_match = kehu_request_get_header (request, "If-Match");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) updated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  KehuPerm *perm;
  gint64 rev;

  if (!(perm = require (request, module, "edit")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_WRITE)))
    return;

  if (if_match == NULL)
    {
      kehu_request_reply_error (request, 428, "precondition_required", NULL,
                                _("Send “If-Match: <rev>” with the revision you changed"));
      return;
    }
  expected = g_strdup (if_match);
  g_strstrip (expected);
  if (expected[0] == '"')
    {
      memmove (expected, expected + 1, strlen (expected));
      if (g_str_has_suffix (expected, "\""))
        expected[strlen (expected) - 1] = '\0';
    }
  rev = json_object_get_int_member (record, "rev");
  if (!g_ascii_string_to_signed (expected, 10, 0, G_MAXINT64, NULL, NULL) ||
      g_ascii_strtoll (expected, NULL, 10) != rev)
    {
      kehu_request_reply_error (request, SOUP_STATUS_PRECONDITION_FAILED, "precondition_failed", NULL,
                                _("The record changed since you read it (it is at revision %lld); reload it"),
                                (long long) rev);
      return;
    }

  if (!(body = read_record_body (request)))
    return;
  if (_kehu_api_is_scoped (module) && json_object_has_member (body, "owner_id"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "read_only", "owner_id",
                                _("Change the owner with the transfer action"));
      return;
    }

  if (!kehu_context_begin (ctx, &error) ||
      !kehu_record_update (ctx, module, id, body, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }

  updated = kehu_record_get (ctx, module, id, &error);
  kehu_request_reply_object (request, SOUP_STATUS_OK, updated);
}

typedef gboolean (*RecordOp) (KehuContext *ctx, const char *module, const char *id, GError **error);

static void
record_op (KehuRequest *request,
           const char  *action,
           const char  *permission,
           RecordOp     op)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  KehuPerm *perm;

  if (permission != NULL)
    perm = kehu_request_require_permission (request, permission);
  else
    perm = require (request, module, action);
  if (perm == NULL)
    return;

  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_WRITE)))
    return;

  if (!kehu_context_begin (ctx, &error) ||
      !op (ctx, module, id, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }
  reply_ok (request);
}

static void
delete_cb (KehuApi     *api,
           KehuRequest *request)
{
  record_op (request, "delete", NULL, kehu_record_delete);
}

static void
restore_cb (KehuApi     *api,
            KehuRequest *request)
{
  /* Ordinary users restore what they could edit; SPEC §13. */
  record_op (request, "edit", NULL, kehu_record_restore);
}

static void
purge_cb (KehuApi     *api,
          KehuRequest *request)
{
  record_op (request, NULL, "recycle.purge", kehu_record_purge);
}

static void
oplog_cb (KehuApi     *api,
          KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *items;
  sqlite3_stmt *stmt;
  KehuPerm *perm;

  if (!(perm = require (request, module, "read")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_READ)))
    return;

  items = json_array_new ();
  stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                           "SELECT id, user_id, at, action, field, old_value, new_value FROM oplog "
                           "WHERE module = ?1 AND record_id = ?2 ORDER BY id",
                           "ss", module, id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (items, kehu_json_object_from_stmt (stmt, NULL));
  sqlite3_finalize (stmt);

  reply = json_object_new ();
  json_object_set_array_member (reply, "items", items);
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Team ------------------------------------------------------------------------- */

static void
team_list_cb (KehuApi     *api,
              KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *items;
  sqlite3_stmt *stmt;
  KehuPerm *perm;

  if (!(perm = require (request, module, "read")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_READ)))
    return;

  items = json_array_new ();
  stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                           "SELECT user_id, access, added_at, added_by FROM team_members "
                           "WHERE module = ?1 AND record_id = ?2 ORDER BY added_at, user_id",
                           "ss", module, id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (items, kehu_json_object_from_stmt (stmt, NULL));
  sqlite3_finalize (stmt);

  reply = json_object_new ();
  json_object_set_array_member (reply, "items", items);
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
team_add_cb (KehuApi     *api,
             KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "user_id", KEHU_BODY_STRING, TRUE, FALSE },
    { "access", KEHU_BODY_STRING, TRUE, FALSE },
  };
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *access;
  KehuPerm *perm;

  if (!(perm = require (request, module, "edit")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_WRITE)))
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;

  access = json_object_get_string_member (body, "access");
  if (!g_str_equal (access, "read") && !g_str_equal (access, "write"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "access",
                                _("“access” must be read or write"));
      return;
    }

  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_add_team_member (ctx, module, id, json_object_get_string_member (body, "user_id"), access, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }
  reply_ok (request);
}

static void
team_remove_cb (KehuApi     *api,
                KehuRequest *request)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  const char *user_id = kehu_request_get_param (request, "user_id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  gboolean removed = FALSE;
  KehuPerm *perm;

  if (!(perm = require (request, module, "edit")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_WRITE)))
    return;

  /* Through the rules: the record gets a new rev, so the team change
   * reaches the caches with the next pull. */
  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_remove_team_member (ctx, module, id, user_id, &removed, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }
  if (!removed)
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("“%s” is not on the team of this record"), user_id);
      return;
    }
  reply_ok (request);
}

/* Follow-ups and attachments of a record: the lists of those modules,
 * narrowed to the record, and restricted like any list of theirs. */
static void
related_list (KehuRequest *request,
              const char  *related)
{
  const char *module = kehu_request_get_route_data (request);
  const char *id = kehu_request_get_param (request, "id");
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) module_value = json_node_init_string (json_node_alloc (), module);
  g_autoptr(JsonNode) id_value = json_node_init_string (json_node_alloc (), id);
  KehuPerm *perm;
  gint64 limit;

  if (!(perm = require (request, module, "read")))
    return;
  ctx = new_context (request, perm);
  if (!(record = load_visible (request, ctx, perm, module, id, KEHU_ACCESS_READ)))
    return;
  if (!kehu_perm_can (perm, permission_key (kehu_request_get_api (request), related), "read"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", NULL,
                                _("You do not have the permission “%s”"), related);
      return;
    }

  query = kehu_query_new (ctx, related, &error);
  if (query == NULL ||
      !kehu_query_add_condition (query, "target_module", "eq", module_value, &error) ||
      !kehu_query_add_condition (query, "target_id", "eq", id_value, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  /* Whoever sees the record sees what is attached to it. */
  if (!apply_list_params (request, query, &limit))
    return;
  reply_page (request, query, limit);
}

static void
followups_cb (KehuApi     *api,
              KehuRequest *request)
{
  related_list (request, "followups");
}

static void
attachments_cb (KehuApi     *api,
                KehuRequest *request)
{
  related_list (request, "attachments");
}

/* Bulk actions ------------------------------------------------------------------ */

/* {"ids": [...]} plus the action's own members; the ids as a strv. */
static char **
read_ids (KehuRequest          *request,
          const KehuBodySpec   *extra,
          guint                 n_extra,
          JsonObject          **body_out)
{
  g_autofree KehuBodySpec *fields = g_new0 (KehuBodySpec, n_extra + 1);
  g_autoptr(JsonObject) body = NULL;
  GStrvBuilder *builder;
  JsonArray *ids;
  char **strv;

  fields[0] = (KehuBodySpec) { "ids", KEHU_BODY_ARRAY, TRUE, FALSE };
  /* memcpy() from NULL is undefined even for no bytes (UBSan). */
  if (n_extra > 0)
    memcpy (fields + 1, extra, n_extra * sizeof (KehuBodySpec));
  if (!(body = kehu_request_read_object (request, fields, n_extra + 1)))
    return NULL;

  ids = json_object_get_array_member (body, "ids");
  if (json_array_get_length (ids) == 0 || json_array_get_length (ids) > 500)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "ids",
                                _("“ids” must list 1 to 500 records"));
      return NULL;
    }

  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      JsonNode *node = json_array_get_element (ids, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_strv_builder_unref (builder);
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_type", "ids",
                                    _("“ids” must be an array of strings"));
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  if (body_out != NULL)
    *body_out = g_steal_pointer (&body);
  return strv;
}

/* Every id visible and writable, or a 404 naming the first that is not. */
static gboolean
check_all_writable (KehuRequest        *request,
                    KehuContext        *ctx,
                    KehuPerm           *perm,
                    const char         *module,
                    const char * const *ids)
{
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(JsonObject) record = load_visible (request, ctx, perm, module, ids[i], KEHU_ACCESS_WRITE);

      if (record == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
reply_action_done (KehuRequest        *request,
                   const char * const *ids)
{
  g_autoptr(JsonObject) reply = json_object_new ();

  json_object_set_boolean_member (reply, "ok", TRUE);
  json_object_set_int_member (reply, "count", g_strv_length ((char **) ids));
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
action_transfer_cb (KehuApi     *api,
                    KehuRequest *request)
{
  static const KehuBodySpec extra[] = {
    { "owner_id", KEHU_BODY_STRING, TRUE, FALSE },
    { "cascade", KEHU_BODY_BOOL, FALSE, FALSE },
    { "keep_team", KEHU_BODY_STRING, FALSE, TRUE },
  };
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  KehuTransferFlags flags = KEHU_TRANSFER_NONE;
  const char *keep_team;
  const char *owner_id;
  KehuPerm *perm;

  if (!(perm = require (request, module, "transfer")))
    return;
  if (!(ids = read_ids (request, extra, G_N_ELEMENTS (extra), &body)))
    return;

  owner_id = json_object_get_string_member (body, "owner_id");
  keep_team = json_object_has_member (body, "keep_team") ? json_object_get_string_member (body, "keep_team") : NULL;
  if (keep_team != NULL && !g_str_equal (keep_team, "read") && !g_str_equal (keep_team, "write"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "keep_team",
                                _("“keep_team” must be read, write or null"));
      return;
    }
  if (json_object_has_member (body, "cascade") && json_object_get_boolean_member (body, "cascade"))
    flags |= KEHU_TRANSFER_CASCADE;
  if (g_strcmp0 (keep_team, "read") == 0)
    flags |= KEHU_TRANSFER_KEEP_TEAM_READ;
  else if (g_strcmp0 (keep_team, "write") == 0)
    flags |= KEHU_TRANSFER_KEEP_TEAM_WRITE;

  {
    sqlite3_stmt *stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                                           "SELECT 1 FROM users WHERE id = ?1 AND is_enabled = 1 AND deleted_at IS NULL",
                                           "s", owner_id);
    gboolean ok = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

    sqlite3_finalize (stmt);
    if (!ok)
      {
        kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "owner_id",
                                  _("“owner_id” must be an enabled user"));
        return;
      }
  }

  ctx = new_context (request, perm);
  if (!check_all_writable (request, ctx, perm, module, (const char * const *) ids))
    return;

  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_transfer (ctx, module, (const char * const *) ids, owner_id, flags, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }
  reply_action_done (request, (const char * const *) ids);
}

typedef gboolean (*RecordOpFunc) (KehuContext  *ctx,
                                  const char   *module,
                                  const char   *id,
                                  GError      **error);

/* Bulk delete and restore: the same op on every id, all or nothing. */
static void
bulk_record_op (KehuRequest  *request,
                const char   *permission,
                RecordOpFunc  op)
{
  const char *module = kehu_request_get_route_data (request);
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  KehuPerm *perm;
  gboolean ok;

  if (!(perm = require (request, module, permission)))
    return;
  if (!(ids = read_ids (request, NULL, 0, NULL)))
    return;
  ctx = new_context (request, perm);
  if (!check_all_writable (request, ctx, perm, module, (const char * const *) ids))
    return;

  ok = kehu_context_begin (ctx, &error);
  for (guint i = 0; ok && ids[i] != NULL; i++)
    ok = op (ctx, module, ids[i], &error);
  if (!ok || !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }
  reply_action_done (request, (const char * const *) ids);
}

static void
action_delete_cb (KehuApi     *api,
                  KehuRequest *request)
{
  bulk_record_op (request, "delete", kehu_record_delete);
}

static void
action_restore_cb (KehuApi     *api,
                   KehuRequest *request)
{
  bulk_record_op (request, "edit", kehu_record_restore);
}

static void
action_convert_cb (KehuApi     *api,
                   KehuRequest *request)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_auto(GStrv) ids = NULL;
  JsonArray *customers;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "lead.convert")))
    return;
  if (!(ids = read_ids (request, NULL, 0, NULL)))
    return;
  ctx = new_context (request, perm);
  if (!check_all_writable (request, ctx, perm, "leads", (const char * const *) ids))
    return;

  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_convert_leads (ctx, (const char * const *) ids, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      kehu_request_reply_gerror (request, error);
      return;
    }

  customers = json_array_new ();
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(JsonObject) lead = kehu_record_get (ctx, "leads", ids[i], NULL);

      if (lead != NULL && !json_object_get_null_member (lead, "converted_customer_id"))
        json_array_add_string_element (customers, json_object_get_string_member (lead, "converted_customer_id"));
    }
  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  json_object_set_array_member (reply, "customer_ids", customers);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Pool errors carry which limit stopped the action and when it lifts. */
static void
reply_pool_error (KehuRequest       *request,
                  GError            *error,
                  KehuPoolLimitInfo *info)
{
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *object;
  const char *code;
  guint status;

  if (error->domain != KEHU_POOL_ERROR)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  switch (error->code)
    {
    case KEHU_POOL_ERROR_NOT_FOUND: status = SOUP_STATUS_NOT_FOUND; code = "not_found"; break;
    case KEHU_POOL_ERROR_INVALID_OWNER: status = SOUP_STATUS_BAD_REQUEST; code = "invalid_value"; break;
    case KEHU_POOL_ERROR_NOT_MEMBER: status = SOUP_STATUS_FORBIDDEN; code = "forbidden"; break;
    case KEHU_POOL_ERROR_CLAIM_LIMIT: status = 429; code = "claim_limit"; break;
    case KEHU_POOL_ERROR_OWNED_CAP: status = SOUP_STATUS_CONFLICT; code = "owned_limit"; break;
    case KEHU_POOL_ERROR_LOCKED_CAP: status = SOUP_STATUS_CONFLICT; code = "locked_limit"; break;
    case KEHU_POOL_ERROR_COOLDOWN: status = SOUP_STATUS_CONFLICT; code = "cooldown"; break;
    case KEHU_POOL_ERROR_NOT_IN_POOL:
    case KEHU_POOL_ERROR_NOT_OWNED:
    default: status = SOUP_STATUS_CONFLICT; code = "conflict"; break;
    }

  reply = json_object_new ();
  object = json_object_new ();
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (object, "message", error->message);
  json_object_set_string_member (object, "field",
                                 error->code == KEHU_POOL_ERROR_INVALID_OWNER ? "owner_id" : "ids");
  if (info != NULL && info->limit != NULL)
    {
      json_object_set_string_member (object, "limit", info->limit);
      json_object_set_int_member (object, "max", info->max);
      json_object_set_int_member (object, "used", info->used);
      if (info->resets_at != NULL)
        json_object_set_string_member (object, "resets_at", info->resets_at);
      else
        json_object_set_null_member (object, "resets_at");
    }
  json_object_set_object_member (reply, "error", object);
  kehu_request_reply_object (request, status, reply);
}

typedef enum { POOL_CLAIM, POOL_ASSIGN, POOL_RETURN, POOL_LOCK, POOL_UNLOCK } PoolAction;

static void
pool_action (KehuApi     *api,
             KehuRequest *request,
             PoolAction   action)
{
  static const KehuBodySpec assign_extra[] = { { "owner_id", KEHU_BODY_STRING, TRUE, FALSE } };
  static const KehuBodySpec return_extra[] = { { "reason", KEHU_BODY_STRING, TRUE, FALSE } };
  static const char * const permissions[] = {
    "customer.claim", "customer.assign", "customer.return", "customer.lock", "customer.lock",
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  KehuPoolLimitInfo info = { NULL, 0, 0, NULL };
  KehuStore *store = kehu_api_get_store (api);
  KehuPerm *perm;
  gboolean ok;

  if (!(perm = kehu_request_require_permission (request, permissions[action])))
    return;
  ctx = new_context (request, perm);
  if (action == POOL_ASSIGN)
    ids = read_ids (request, assign_extra, 1, &body);
  else if (action == POOL_RETURN)
    ids = read_ids (request, return_extra, 1, &body);
  else
    ids = read_ids (request, NULL, 0, &body);
  if (ids == NULL)
    return;

  if (action == POOL_RETURN)
    {
      g_autofree char *reason = g_strstrip (g_strdup (json_object_get_string_member (body, "reason")));

      if (reason[0] == '\0')
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "reason",
                                    _("Say why the customer goes back to the pool"));
          return;
        }
    }

  if (!kehu_store_begin (store, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  switch (action)
    {
    case POOL_CLAIM:
      ok = kehu_pool_claim (ctx, perm, (const char * const *) ids, &info, &error);
      break;
    case POOL_ASSIGN:
      ok = kehu_pool_assign (ctx, perm, (const char * const *) ids,
                             json_object_get_string_member (body, "owner_id"), &info, &error);
      break;
    case POOL_RETURN:
      ok = kehu_pool_return (ctx, perm, (const char * const *) ids,
                             json_object_get_string_member (body, "reason"), &error);
      break;
    case POOL_LOCK:
    case POOL_UNLOCK:
    default:
      ok = kehu_pool_set_locked (ctx, perm, (const char * const *) ids, action == POOL_LOCK, &info, &error);
      break;
    }

  if (!ok || !kehu_store_commit (store, &error))
    {
      kehu_store_rollback (store);
      reply_pool_error (request, error, &info);
      kehu_pool_limit_info_clear (&info);
      return;
    }
  kehu_pool_limit_info_clear (&info);
  reply_action_done (request, (const char * const *) ids);
}

static void action_claim_cb (KehuApi *api, KehuRequest *request) { pool_action (api, request, POOL_CLAIM); }
static void action_assign_cb (KehuApi *api, KehuRequest *request) { pool_action (api, request, POOL_ASSIGN); }
static void action_return_cb (KehuApi *api, KehuRequest *request) { pool_action (api, request, POOL_RETURN); }
static void action_lock_cb (KehuApi *api, KehuRequest *request) { pool_action (api, request, POOL_LOCK); }
static void action_unlock_cb (KehuApi *api, KehuRequest *request) { pool_action (api, request, POOL_UNLOCK); }

void
_kehu_api_records_register (KehuApi *self)
{
  const char * const *modules = kehu_schema_list_modules ();

  for (guint i = 0; modules[i] != NULL; i++)
    {
      /* Static strings of the schema: they outlive the routes. */
      gpointer module = (gpointer) modules[i];
      g_autofree char *base = NULL;
      g_autofree char *one = NULL;
      g_autofree char *path = NULL;

      if (g_strv_contains (own_routes, modules[i]))
        continue;

      base = g_strconcat ("/", modules[i], NULL);
      one = g_strconcat (base, "/{id}", NULL);

      kehu_api_add_route_full (self, "GET", base, list_cb, module);
      kehu_api_add_route_full (self, "POST", base, create_cb, module);

#define ADD(method, suffix, func) \
      G_STMT_START { \
        g_free (path); \
        path = g_strconcat (base, suffix, NULL); \
        kehu_api_add_route_full (self, method, path, func, module); \
      } G_STMT_END

      /* Actions and export first: they must not be taken for an id. */
      ADD ("GET", "/export", export_cb);
      ADD ("POST", "/actions/delete", action_delete_cb);
      ADD ("POST", "/actions/restore", action_restore_cb);
      if (g_strv_contains (transferable, modules[i]))
        ADD ("POST", "/actions/transfer", action_transfer_cb);
      if (g_str_equal (modules[i], "leads"))
        ADD ("POST", "/actions/convert", action_convert_cb);
      if (g_str_equal (modules[i], "customers"))
        {
          ADD ("POST", "/actions/claim", action_claim_cb);
          ADD ("POST", "/actions/assign", action_assign_cb);
          ADD ("POST", "/actions/return", action_return_cb);
          ADD ("POST", "/actions/lock", action_lock_cb);
          ADD ("POST", "/actions/unlock", action_unlock_cb);
        }

      kehu_api_add_route_full (self, "GET", one, get_cb, module);
      kehu_api_add_route_full (self, "PATCH", one, patch_cb, module);
      kehu_api_add_route_full (self, "DELETE", one, delete_cb, module);
      ADD ("POST", "/{id}/restore", restore_cb);
      ADD ("POST", "/{id}/purge", purge_cb);
      ADD ("GET", "/{id}/oplog", oplog_cb);
      if (_kehu_api_is_scoped (modules[i]))
        {
          ADD ("GET", "/{id}/team", team_list_cb);
          ADD ("POST", "/{id}/team", team_add_cb);
          ADD ("DELETE", "/{id}/team/{user_id}", team_remove_cb);
          ADD ("GET", "/{id}/attachments", attachments_cb);
        }
      if (g_strv_contains (followup_targets, modules[i]))
        ADD ("GET", "/{id}/followups", followups_cb);
#undef ADD
    }
}
