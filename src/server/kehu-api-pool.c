/* kehu-api-pool.c: /api/v1/pools/{id}/… settings and customers, the
 * "due to be recycled" list, and the recycle job on demand
 *
 * Pools themselves (name, caps, cool-down, remind days) are records served
 * by kehu-api-records.c; their members, recycle rules and claim limits are
 * replaced as a whole here (PUT), the way the settings page edits them.
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

static gboolean
pool_exists (KehuApi    *api,
             const char *pool_id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                                         "SELECT 1 FROM pools WHERE id = ?1 AND deleted_at IS NULL", "s", pool_id);
  gboolean found = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return found;
}

static KehuPerm *
require_pool (KehuRequest *request,
              const char  *permission)
{
  KehuPerm *perm = kehu_request_require_permission (request, permission);
  const char *pool_id = kehu_request_get_param (request, "id");

  if (perm != NULL && !pool_exists (kehu_request_get_api (request), pool_id))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no pool “%s”"), pool_id);
      return NULL;
    }
  return perm;
}

typedef struct
{
  const char          *table;
  const char          *select;
  const KehuBodySpec  *fields;
  guint                n_fields;
  const char          *insert;
  const char          *types;   /* per field, after pool_id: s or i (null allowed) */
} Setting;

static const KehuBodySpec member_fields[] = {
  { "member_type", KEHU_BODY_STRING, TRUE, FALSE },
  { "member_id", KEHU_BODY_STRING, TRUE, FALSE },
  { "is_admin", KEHU_BODY_BOOL, FALSE, FALSE },
};
static const KehuBodySpec rule_fields[] = {
  { "customer_level", KEHU_BODY_STRING, FALSE, TRUE },
  { "no_followup_days", KEHU_BODY_INT, FALSE, TRUE },
  { "no_opportunity_days", KEHU_BODY_INT, FALSE, TRUE },
  { "no_deal_days", KEHU_BODY_INT, FALSE, TRUE },
};
static const KehuBodySpec limit_fields[] = {
  { "role_id", KEHU_BODY_STRING, TRUE, FALSE },
  { "per_day", KEHU_BODY_INT, FALSE, TRUE },
  { "per_week", KEHU_BODY_INT, FALSE, TRUE },
  { "per_month", KEHU_BODY_INT, FALSE, TRUE },
};

static const Setting settings[] = {
  { "pool_members", "SELECT member_type, member_id, is_admin FROM pool_members WHERE pool_id = ?1 ORDER BY member_type, member_id",
    member_fields, G_N_ELEMENTS (member_fields),
    "INSERT INTO pool_members (pool_id, member_type, member_id, is_admin) VALUES (?1, ?2, ?3, coalesce (?4, 0))", "ssb" },
  { "pool_rules", "SELECT customer_level, no_followup_days, no_opportunity_days, no_deal_days FROM pool_rules WHERE pool_id = ?1 ORDER BY customer_level",
    rule_fields, G_N_ELEMENTS (rule_fields),
    "INSERT INTO pool_rules (id, pool_id, customer_level, no_followup_days, no_opportunity_days, no_deal_days) "
    "VALUES (lower (hex (randomblob (16))), ?1, ?2, ?3, ?4, ?5)", "siii" },
  { "pool_claim_limits", "SELECT role_id, per_day, per_week, per_month FROM pool_claim_limits WHERE pool_id = ?1 ORDER BY role_id",
    limit_fields, G_N_ELEMENTS (limit_fields),
    "INSERT INTO pool_claim_limits (pool_id, role_id, per_day, per_week, per_month) VALUES (?1, ?2, ?3, ?4, ?5)", "siii" },
};

static void
setting_get (KehuApi       *api,
             KehuRequest   *request,
             const Setting *setting)
{
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *items;
  sqlite3_stmt *stmt;

  if (!require_pool (request, "pool.read"))
    return;

  items = json_array_new ();
  stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL, setting->select, "s",
                           kehu_request_get_param (request, "id"));
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (items, kehu_json_object_from_stmt (stmt, NULL));
  sqlite3_finalize (stmt);

  reply = json_object_new ();
  json_object_set_array_member (reply, "items", items);
  json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Checks one item of a PUT body against its fields: types, unknown and
 * missing members, numbers not negative. */
static gboolean
check_item (KehuRequest   *request,
            const Setting *setting,
            JsonNode      *node)
{
  g_autoptr(GList) members = NULL;
  JsonObject *item;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_type", "items",
                                _("“items” must be an array of objects"));
      return FALSE;
    }
  item = json_node_get_object (node);
  members = json_object_get_members (item);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const KehuBodySpec *spec = NULL;
      JsonNode *value = json_object_get_member (item, l->data);

      for (guint i = 0; i < setting->n_fields; i++)
        if (g_str_equal (setting->fields[i].name, l->data))
          spec = &setting->fields[i];
      if (spec == NULL)
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_field", l->data,
                                    _("“%s” is not a field of this request"), (const char *) l->data);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_NULL (value) ? !spec->nullable :
          !(JSON_NODE_HOLDS_VALUE (value) &&
            json_node_get_value_type (value) == (spec->type == KEHU_BODY_STRING ? G_TYPE_STRING :
                                                 spec->type == KEHU_BODY_INT ? G_TYPE_INT64 : G_TYPE_BOOLEAN)))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_type", l->data,
                                    _("“%s” has the wrong type"), (const char *) l->data);
          return FALSE;
        }
      if (spec->type == KEHU_BODY_INT && !JSON_NODE_HOLDS_NULL (value) && json_node_get_int (value) < 0)
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", l->data,
                                    _("“%s” must not be negative"), (const char *) l->data);
          return FALSE;
        }
    }
  for (guint i = 0; i < setting->n_fields; i++)
    if (setting->fields[i].required && !json_object_has_member (item, setting->fields[i].name))
      {
        kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "missing_field", setting->fields[i].name,
                                  _("“%s” is required"), setting->fields[i].name);
        return FALSE;
      }
  if (json_object_has_member (item, "member_type") &&
      !g_str_equal (json_object_get_string_member (item, "member_type"), "user") &&
      !g_str_equal (json_object_get_string_member (item, "member_type"), "department"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "member_type",
                                _("“member_type” must be user or department"));
      return FALSE;
    }
  return TRUE;
}

static void
setting_put (KehuApi       *api,
             KehuRequest   *request,
             const Setting *setting)
{
  static const KehuBodySpec fields[] = { { "items", KEHU_BODY_ARRAY, TRUE, FALSE } };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *delete_sql = NULL;
  KehuStore *store = kehu_api_get_store (api);
  const char *pool_id = kehu_request_get_param (request, "id");
  JsonArray *items;

  if (!require_pool (request, "pool.edit"))
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;
  items = json_object_get_array_member (body, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (!check_item (request, setting, json_array_get_element (items, i)))
      return;

  if (!kehu_store_begin (store, &error))
    goto failed;
  delete_sql = g_strdup_printf ("DELETE FROM %s WHERE pool_id = ?1", setting->table);
  if (kehu_sql_run (store, &error, delete_sql, "s", pool_id) < 0)
    goto failed;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      sqlite3_stmt *stmt = kehu_sql_prepare (store, &error, setting->insert, "s", pool_id);
      int rc;

      if (stmt == NULL)
        goto failed;
      for (guint f = 0; f < setting->n_fields; f++)
        {
          JsonNode *value = json_object_get_member (item, setting->fields[f].name);

          if (value == NULL || JSON_NODE_HOLDS_NULL (value))
            sqlite3_bind_null (stmt, f + 2);
          else if (setting->types[f] == 's')
            sqlite3_bind_text (stmt, f + 2, json_node_get_string (value), -1, SQLITE_TRANSIENT);
          else if (setting->types[f] == 'b')
            sqlite3_bind_int (stmt, f + 2, json_node_get_boolean (value));
          else
            sqlite3_bind_int64 (stmt, f + 2, json_node_get_int (value));
        }
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          kehu_store_set_error_from_db (store, rc, &error);
          goto failed;
        }
    }

  if (!kehu_store_commit (store, &error))
    goto failed;

  setting_get (api, request, setting);
  return;

failed:
  kehu_store_rollback (store);
  kehu_request_reply_gerror (request, error);
}

static void members_get_cb (KehuApi *api, KehuRequest *request) { setting_get (api, request, &settings[0]); }
static void members_put_cb (KehuApi *api, KehuRequest *request) { setting_put (api, request, &settings[0]); }
static void rules_get_cb (KehuApi *api, KehuRequest *request) { setting_get (api, request, &settings[1]); }
static void rules_put_cb (KehuApi *api, KehuRequest *request) { setting_put (api, request, &settings[1]); }
static void limits_get_cb (KehuApi *api, KehuRequest *request) { setting_get (api, request, &settings[2]); }
static void limits_put_cb (KehuApi *api, KehuRequest *request) { setting_put (api, request, &settings[2]); }

/* The customers in a pool, for its members. */
static void
pool_customers_cb (KehuApi     *api,
                   KehuRequest *request)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonNode) pool_value = NULL;
  g_autofree char *next = NULL;
  const char *pool_id = kehu_request_get_param (request, "id");
  const char *limit_text = kehu_request_get_query (request, "limit");
  JsonArray *items;
  KehuPerm *perm;
  gint64 limit = 50;

  if (!(perm = require_pool (request, "customer.read")))
    return;
  ctx = kehu_context_new (kehu_api_get_schema (api), kehu_perm_get_user_id (perm));
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  if (!kehu_pool_is_member (ctx, perm, pool_id, FALSE))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no pool “%s”"), pool_id);
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_signed (limit_text, 10, 1, 500, &limit, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                                _("“limit” must be a number from 1 to 500"));
      return;
    }

  pool_value = json_node_init_string (json_node_alloc (), pool_id);
  query = kehu_query_new (ctx, "customers", &error);
  if (query == NULL ||
      !kehu_query_add_condition (query, "pool_id", "eq", pool_value, &error) ||
      !kehu_query_add_condition (query, "owner_id", "empty", NULL, &error) ||
      !kehu_query_set_sort (query, "pooled_at", TRUE, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  items = kehu_query_fetch (query, kehu_request_get_query (request, "after"), limit, &next, &error);
  if (items == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "after", "%s", error->message);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "items", items);
  if (next != NULL)
    json_object_set_string_member (reply, "next", next);
  else
    json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

/* Customers in the user's scope that the recycle job will take, soonest
 * first, a page at a time (?limit, ?after); ?remind=true keeps only those
 * inside their reminder window. */
static void
due_cb (KehuApi     *api,
        KehuRequest *request)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;
  const char *remind = kehu_request_get_query (request, "remind");
  const char *limit_text = kehu_request_get_query (request, "limit");
  gint64 limit = 100;
  JsonArray *items;
  KehuPerm *perm;

  if (!(perm = kehu_request_require_permission (request, "customer.read")))
    return;
  if (remind != NULL && !g_str_equal (remind, "true") && !g_str_equal (remind, "false"))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "remind",
                                _("“remind” must be true or false"));
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_signed (limit_text, 10, 1, 500, &limit, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                                _("“limit” must be a number from 1 to 500"));
      return;
    }

  ctx = kehu_context_new (kehu_api_get_schema (api), kehu_perm_get_user_id (perm));
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  items = kehu_pool_due (ctx, perm, g_strcmp0 (remind, "true") == 0, kehu_request_get_query (request, "after"),
                         limit, &next, &error);
  if (items == NULL)
    {
      if (g_error_matches (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_INVALID_CURSOR))
        kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "after", "%s", error->message);
      else
        kehu_request_reply_gerror (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "items", items);
  if (next != NULL)
    json_object_set_string_member (reply, "next", next);
  else
    json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
recycle_cb (KehuApi     *api,
            KehuRequest *request)
{
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *recycled = NULL;
  int n;

  if (!kehu_request_require_permission (request, "pool.edit"))
    return;

  /* The job's own moves: no acting user in the logs, as the timer's. */
  ctx = kehu_context_new (kehu_api_get_schema (api), NULL);
  kehu_context_set_now (ctx, kehu_request_get_now (request));
  kehu_context_set_assign_revs (ctx, TRUE);
  n = kehu_pool_recycle (ctx, &recycled, &error);
  if (n < 0)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  reply = json_object_new ();
  json_object_set_int_member (reply, "count", n);
  json_object_set_array_member (reply, "items", recycled);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

void
_kehu_api_pool_register (KehuApi *self)
{
  kehu_api_add_route (self, "GET", "/pools/{id}/members", members_get_cb);
  kehu_api_add_route (self, "PUT", "/pools/{id}/members", members_put_cb);
  kehu_api_add_route (self, "GET", "/pools/{id}/rules", rules_get_cb);
  kehu_api_add_route (self, "PUT", "/pools/{id}/rules", rules_put_cb);
  kehu_api_add_route (self, "GET", "/pools/{id}/claim-limits", limits_get_cb);
  kehu_api_add_route (self, "PUT", "/pools/{id}/claim-limits", limits_put_cb);
  kehu_api_add_route (self, "GET", "/pools/{id}/customers", pool_customers_cb);
  kehu_api_add_route (self, "GET", "/pool/due", due_cb);
  kehu_api_add_route (self, "POST", "/pool/recycle", recycle_cb);
}
