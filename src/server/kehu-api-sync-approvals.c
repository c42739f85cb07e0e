/* kehu-api-sync-approvals.c: approval instances in sync (DESIGN.md "Sync protocol")
 *
 * A pull page carries, beside its "changes", an "approvals" section: the
 * approval instances changed in the page's rev range (the first page of a
 * pull from zero: every instance) that the user may see — as submitter,
 * approver (waiting now or acted before), copied, or because the user sees
 * the instance's record. Each comes whole, with its actions, so that an
 * offline inbox and timeline work from the cache:
 *
 *   {"id", "rev", "created_at", "updated_at", "flow_id", "flow_definition",
 *    "business_type", "module", "record_id", "title", "submitter_id",
 *    "status", "state", "waiting", "copy_to", "submitted_at", "decided_at",
 *    "actions": [{"step", "user_id", "action", "comment", "target_user", "at"}]}
 *
 * (state, waiting and copy_to are the JSON texts of their columns), or
 * {"id", "gone": true} when the user may not see it any more. The answer
 * to a pushed approval action carries the instance the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include "kehu-api.h"
#include "kehu-perm.h"

static const char * const record_modules[] = { "contracts", "payments", "invoices", NULL };

#define INSTANCE_SQL \
  "SELECT json_object ('id', i.id, 'rev', i.rev, 'created_at', i.created_at, 'updated_at', i.updated_at," \
  "  'flow_id', i.flow_id, 'flow_definition', i.flow_definition, 'business_type', i.business_type," \
  "  'module', i.module, 'record_id', i.record_id, 'title', i.title, 'submitter_id', i.submitter_id," \
  "  'status', i.status, 'state', i.state, 'waiting', i.waiting, 'copy_to', i.copy_to," \
  "  'submitted_at', i.submitted_at, 'decided_at', i.decided_at," \
  "  'actions', (SELECT json_group_array (json_object ('step', a.step, 'user_id', a.user_id, 'action', a.action," \
  "                                                   'comment', a.comment, 'target_user', a.target_user, 'at', a.at))" \
  "              FROM (SELECT * FROM approval_actions WHERE instance_id = i.id ORDER BY id) a))," \
  " i.module, i.record_id," \
  " i.submitter_id = ?2" \
  " OR EXISTS (SELECT 1 FROM json_each (i.waiting) WHERE value = ?2)" \
  " OR EXISTS (SELECT 1 FROM json_each (i.copy_to) WHERE value = ?2)" \
  " OR EXISTS (SELECT 1 FROM approval_actions a WHERE a.instance_id = i.id AND a.user_id = ?2)" \
  " FROM approval_instances i"

/* Whether the user sees the instance's record (contracts, payments and
 * invoices; generic requests have no record of their own). */
static gboolean
sees_record (KehuApi    *api,
             KehuPerm   *perm,
             const char *module,
             const char *record_id)
{
  KehuStore *store = kehu_api_get_store (api);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gboolean sees = FALSE;

  if (module == NULL || record_id == NULL || !g_strv_contains (record_modules, module))
    return FALSE;
  sql = g_strdup_printf ("SELECT owner_id FROM %s WHERE id = ?1", module);
  stmt = kehu_sql_prepare (store, NULL, sql, "s", record_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    sees = kehu_perm_check_record (perm, store, module, record_id,
                                   (const char *) sqlite3_column_text (stmt, 0)) != KEHU_ACCESS_NONE;
  sqlite3_finalize (stmt);
  return sees;
}

/* The row's JSON when the user may see it, else NULL. */
static char *
row_text (KehuApi      *api,
          KehuPerm     *perm,
          sqlite3_stmt *stmt)
{
  if (kehu_perm_sees_all (perm) || sqlite3_column_int (stmt, 3) != 0 ||
      sees_record (api, perm, (const char *) sqlite3_column_text (stmt, 1),
                   (const char *) sqlite3_column_text (stmt, 2)))
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}

/**
 * _kehu_api_sync_approval_text:
 *
 * Returns: (transfer full) (nullable): the instance as the approvals
 *   section sends it, or %NULL when there is none the user may see
 */
char *
_kehu_api_sync_approval_text (KehuApi    *api,
                              KehuPerm   *perm,
                              const char *instance_id)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL, INSTANCE_SQL " WHERE i.id = ?1",
                                         "ss", instance_id, kehu_perm_get_user_id (perm));
  char *text = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    text = row_text (api, perm, stmt);
  sqlite3_finalize (stmt);
  return text;
}

static void
append_gone (GString    *out,
             const char *id)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), id);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append_printf (out, "{\"id\":%s,\"gone\":true}", quoted);
}

/**
 * _kehu_api_sync_append_approvals:
 * @ids: the instances whose latest change lies in the page
 * @initial: the first page of a pull from zero: every visible instance
 *   instead, and nothing to drop
 *
 * Appends `,"approvals":[…]` to a pull page's text, or nothing when the
 * section would be empty.
 */
void
_kehu_api_sync_append_approvals (KehuApi    *api,
                                 KehuPerm   *perm,
                                 GPtrArray  *ids,
                                 gboolean    initial,
                                 GString    *out)
{
  gsize start = out->len;
  guint n = 0;

  g_string_append (out, ",\"approvals\":[");
  if (initial)
    {
      sqlite3_stmt *stmt = kehu_sql_prepare (kehu_api_get_store (api), NULL,
                                             INSTANCE_SQL " WHERE ?1 IS NULL ORDER BY i.submitted_at, i.id",
                                             "ss", NULL, kehu_perm_get_user_id (perm));

      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *text = row_text (api, perm, stmt);

          if (text == NULL)
            continue;
          g_string_append_printf (out, "%s%s", n++ ? "," : "", text);
        }
      sqlite3_finalize (stmt);
    }
  else
    for (guint i = 0; ids != NULL && i < ids->len; i++)
      {
        const char *id = g_ptr_array_index (ids, i);
        g_autofree char *text = _kehu_api_sync_approval_text (api, perm, id);

        g_string_append (out, n++ ? "," : "");
        if (text != NULL)
          g_string_append (out, text);
        else
          append_gone (out, id);
      }

  if (n == 0)
    g_string_truncate (out, start);
  else
    g_string_append_c (out, ']');
}
