/* kehu-sync-approvals.c: approvals and owner moves on a client cache
 *
 * The client's side of the approvals section of a pull page and of the
 * answers to pushed approval actions (kehu-api-sync-approvals.c describes
 * the wire form): approval instances are written into the cache whole —
 * the instance row, its approval_waiting rows and its approval_actions —
 * so that the inbox and the timeline of kehu-approvals.c work offline.
 * An instance with an unanswered action of this client keeps its local,
 * optimistic state until the answer comes.
 *
 * Also the offline approval action itself and the transfer with all its
 * options, both applied at once to the cache and queued as action ops.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-approvals.h"
#include "kehu-record-private.h"
#include "kehu-sync.h"

static gboolean
db_error (KehuContext  *ctx,
          int           rc,
          GError      **error)
{
  return kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
}

/* Binds a member of @object: strings, integers or null. */
static void
bind_member (sqlite3_stmt *stmt,
             int           index,
             JsonObject   *object,
             const char   *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, index);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
  else
    {
      g_autofree char *text = json_to_string (node, FALSE);
      sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    }
}

static gboolean
run (KehuContext   *ctx,
     sqlite3_stmt  *stmt,
     GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? TRUE : db_error (ctx, rc, error);
}

static sqlite3_stmt *
prepare (KehuContext  *ctx,
         const char   *sql,
         GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (ctx)), sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      db_error (ctx, rc, error);
      return NULL;
    }
  return stmt;
}

static gboolean
delete_children (KehuContext  *ctx,
                 const char   *instance_id,
                 GError      **error)
{
  static const char * const sql[] = {
    "DELETE FROM approval_waiting WHERE instance_id = ?1",
    "DELETE FROM approval_actions WHERE instance_id = ?1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      sqlite3_stmt *stmt = prepare (ctx, sql[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, instance_id, -1, SQLITE_TRANSIENT);
      if (!run (ctx, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
kehu_sync_cache_put_approval (KehuContext  *ctx,
                              JsonObject   *instance,
                              GError      **error)
{
  static const char * const columns[] = {
    "id", "rev", "created_at", "updated_at", "flow_id", "flow_definition", "business_type", "module",
    "record_id", "title", "submitter_id", "status", "state", "waiting", "copy_to", "submitted_at",
    "decided_at",
  };
  const char *id = json_object_get_string_member_with_default (instance, "id", NULL);
  const char *waiting_text = json_object_get_string_member_with_default (instance, "waiting", "[]");
  g_autoptr(JsonNode) waiting = json_from_string (waiting_text, NULL);
  JsonArray *actions = json_object_has_member (instance, "actions") &&
                       JSON_NODE_HOLDS_ARRAY (json_object_get_member (instance, "actions"))
                       ? json_object_get_array_member (instance, "actions") : NULL;
  sqlite3_stmt *stmt;

  if (id == NULL || !json_object_has_member (instance, "status"))
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                   _("The server sent an approval without its “id” or “status”"));
      return FALSE;
    }

  stmt = prepare (ctx,
                  "INSERT INTO approval_instances (id, rev, created_at, updated_at, flow_id, flow_definition,"
                  " business_type, module, record_id, title, submitter_id, status, state, waiting, copy_to,"
                  " submitted_at, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                  " ?14, ?15, ?16, ?17)"
                  " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, created_at = excluded.created_at,"
                  " updated_at = excluded.updated_at, flow_id = excluded.flow_id,"
                  " flow_definition = excluded.flow_definition, business_type = excluded.business_type,"
                  " module = excluded.module, record_id = excluded.record_id, title = excluded.title,"
                  " submitter_id = excluded.submitter_id, status = excluded.status, state = excluded.state,"
                  " waiting = excluded.waiting, copy_to = excluded.copy_to,"
                  " submitted_at = excluded.submitted_at, decided_at = excluded.decided_at",
                  error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    bind_member (stmt, i + 1, instance, columns[i]);
  if (!run (ctx, stmt, error) || !delete_children (ctx, id, error))
    return FALSE;

  for (guint i = 0; waiting != NULL && JSON_NODE_HOLDS_ARRAY (waiting) &&
                    i < json_array_get_length (json_node_get_array (waiting)); i++)
    {
      const char *user = json_array_get_string_element (json_node_get_array (waiting), i);

      if (user == NULL)
        continue;
      if (!(stmt = prepare (ctx, "INSERT OR IGNORE INTO approval_waiting (instance_id, user_id) VALUES (?1, ?2)",
                            error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, user, -1, SQLITE_TRANSIENT);
      if (!run (ctx, stmt, error))
        return FALSE;
    }

  /* In the server's order; the local ids are the cache's own. */
  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *action = json_array_get_object_element (actions, i);

      if (action == NULL)
        continue;
      if (!(stmt = prepare (ctx, "INSERT INTO approval_actions (instance_id, step, user_id, action, comment,"
                                 " target_user, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      bind_member (stmt, 2, action, "step");
      bind_member (stmt, 3, action, "user_id");
      bind_member (stmt, 4, action, "action");
      bind_member (stmt, 5, action, "comment");
      bind_member (stmt, 6, action, "target_user");
      bind_member (stmt, 7, action, "at");
      if (!run (ctx, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
kehu_sync_cache_drop_approval (KehuContext  *ctx,
                               const char   *instance_id,
                               GError      **error)
{
  sqlite3_stmt *stmt;

  if (!delete_children (ctx, instance_id, error) ||
      !(stmt = prepare (ctx, "DELETE FROM approval_instances WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, instance_id, -1, SQLITE_TRANSIENT);
  return run (ctx, stmt, error);
}

gboolean
kehu_sync_cache_apply_approvals (KehuContext  *ctx,
                                 const char   *page,
                                 gsize         length,
                                 guint        *pulled,
                                 GError      **error)
{
  static const char marker[] = "\"approvals\":[";
  KehuStore *store = kehu_context_get_store (ctx);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  /* Most pages have no such section: do not parse them a second time. */
  if (length < sizeof marker || g_strstr_len (page, length, marker) == NULL)
    return TRUE;

  if (!(stmt = prepare (ctx, "SELECT value FROM json_each (?1, '$.approvals')", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, page, length, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return db_error (ctx, rc, error);

  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (items, i), NULL);
      JsonObject *instance = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = instance ? json_object_get_string_member_with_default (instance, "id", NULL) : NULL;

      if (id == NULL)
        {
          g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                       _("The server sent an approval without its “id”"));
          return FALSE;
        }
      /* Our own unanswered action decides what the user sees until the
       * push answers it; the answer brings the server's instance. */
      if (kehu_sync_is_pending (store, "approval_instances", id))
        continue;
      if (json_object_get_boolean_member_with_default (instance, "gone", FALSE))
        {
          if (!kehu_sync_cache_drop_approval (ctx, id, error))
            return FALSE;
        }
      else if (!kehu_sync_cache_put_approval (ctx, instance, error))
        return FALSE;
      if (pulled != NULL)
        (*pulled)++;
    }
  return TRUE;
}

gboolean
kehu_sync_approval_act (KehuContext         *ctx,
                        const char          *instance_id,
                        KehuApprovalAction   action,
                        const char          *comment,
                        const char          *target_user,
                        GError             **error)
{
  g_autoptr(JsonObject) args = json_object_new ();
  gboolean ok;

  if (!kehu_context_get_outbox (ctx))
    return kehu_approvals_act (ctx, instance_id, action, comment, target_user, error);

  if (comment != NULL)
    json_object_set_string_member (args, "comment", comment);
  if (target_user != NULL)
    json_object_set_string_member (args, "target_user", target_user);

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  /* Shown at once as the engine would decide it; the server decides. */
  _kehu_context_suppress_outbox (ctx, TRUE);
  ok = kehu_approvals_act (ctx, instance_id, action, comment, target_user, error);
  _kehu_context_suppress_outbox (ctx, FALSE);
  if (!ok ||
      !_kehu_sync_outbox_append (ctx, "approval_instances", instance_id, "action",
                                 kehu_approval_action_to_string (action), args, 0, error) ||
      !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

char *
kehu_sync_dup_pending_action (KehuStore  *store,
                              const char *module,
                              const char *record_id)
{
  sqlite3_stmt *stmt = NULL;
  char *action = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT IFNULL (action, kind) FROM sync_outbox WHERE module = ?1 AND record_id = ?2"
                          " ORDER BY kind = 'action' DESC, seq DESC LIMIT 1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    action = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return action;
}

char *
kehu_sync_dup_refusal (KehuStore  *store,
                       const char *module,
                       const char *record_id)
{
  sqlite3_stmt *stmt = NULL;
  char *message = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT message FROM sync_refusals WHERE module = ?1 AND record_id = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    message = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return message;
}
