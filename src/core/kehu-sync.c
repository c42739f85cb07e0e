/* kehu-sync.c: field-level merge, the client's outbox and its cache updates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-record-private.h"
#include "kehu-rules.h"
#include "kehu-sync.h"

G_DEFINE_QUARK (kehu-sync-error-quark, kehu_sync_error)

/* The merge decision ----------------------------------------------------------------- */

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  if (node_is_null (a) || node_is_null (b))
    return node_is_null (a) && node_is_null (b);
  return json_node_equal (a, b);
}

KehuSyncFieldDecision
kehu_sync_decide_field (gint64    base_rev,
                        gint64    server_rev,
                        JsonNode *pushed_value,
                        JsonNode *server_value)
{
  if (server_rev <= base_rev)
    return KEHU_SYNC_FIELD_APPLY;
  if (nodes_equal (pushed_value, server_value))
    return KEHU_SYNC_FIELD_SAME;
  return KEHU_SYNC_FIELD_CONFLICT;
}

static gint64
field_rev (GHashTable *field_revs,
           const char *name)
{
  gint64 *rev = field_revs ? g_hash_table_lookup (field_revs, name) : NULL;

  return rev ? *rev : 0;
}

static void
merge_one (const char  *name,
           JsonNode    *pushed,
           JsonNode    *server,
           gint64       base_rev,
           GHashTable  *field_revs,
           JsonObject  *apply,
           JsonArray   *conflicts)
{
  gint64 rev = field_rev (field_revs, name);
  JsonObject *conflict;

  switch (kehu_sync_decide_field (base_rev, rev, pushed, server))
    {
    case KEHU_SYNC_FIELD_APPLY:
      json_object_set_member (apply, name, json_node_copy (pushed));
      break;
    case KEHU_SYNC_FIELD_SAME:
      break;
    case KEHU_SYNC_FIELD_CONFLICT:
    default:
      conflict = json_object_new ();
      json_object_set_string_member (conflict, "field", name);
      json_object_set_member (conflict, "server_value", server ? json_node_copy (server) : json_node_new (JSON_NODE_NULL));
      json_object_set_member (conflict, "client_value", json_node_copy (pushed));
      json_object_set_int_member (conflict, "server_rev", rev);
      json_array_add_object_element (conflicts, conflict);
      break;
    }
}

void
kehu_sync_merge (JsonObject  *pushed,
                 gint64       base_rev,
                 GHashTable  *field_revs,
                 JsonObject  *server_record,
                 JsonObject **apply_out,
                 JsonArray  **conflicts_out)
{
  g_autoptr(JsonObject) apply = json_object_new ();
  g_autoptr(JsonArray) conflicts = json_array_new ();
  g_autoptr(GList) members = json_object_get_members (pushed);

  for (GList *m = members; m; m = m->next)
    {
      const char *name = m->data;
      JsonNode *node = json_object_get_member (pushed, name);

      if (g_str_equal (name, "extra") && JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *given = json_node_get_object (node);
          JsonObject *server_extra = NULL;
          g_autoptr(JsonObject) extra_apply = json_object_new ();
          g_autoptr(GList) keys = json_object_get_members (given);

          if (server_record && json_object_has_member (server_record, "extra") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (server_record, "extra")))
            server_extra = json_object_get_object_member (server_record, "extra");
          for (GList *k = keys; k; k = k->next)
            merge_one (k->data, json_object_get_member (given, k->data),
                       server_extra ? json_object_get_member (server_extra, k->data) : NULL,
                       base_rev, field_revs, extra_apply, conflicts);
          if (json_object_get_size (extra_apply) > 0)
            json_object_set_object_member (apply, "extra", g_steal_pointer (&extra_apply));
          continue;
        }
      merge_one (name, node, server_record ? json_object_get_member (server_record, name) : NULL,
                 base_rev, field_revs, apply, conflicts);
    }

  *apply_out = g_steal_pointer (&apply);
  *conflicts_out = g_steal_pointer (&conflicts);
}

/* Small SQL helpers ------------------------------------------------------------------ */

static sqlite3 *
ctx_db (KehuContext *ctx)
{
  return kehu_store_get_db (kehu_context_get_store (ctx));
}

static gboolean
db_error (KehuContext  *ctx,
          int           rc,
          GError      **error)
{
  return kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
}

static char *
json_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_text (node);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return json_object_new ();
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return json_object_new ();
  return json_object_ref (json_node_get_object (root));
}

/* Later values win; custom fields merge by key. */
static void
merge_fields (JsonObject *into,
              JsonObject *from)
{
  g_autoptr(GList) members = json_object_get_members (from);

  for (GList *m = members; m; m = m->next)
    {
      JsonNode *node = json_object_get_member (from, m->data);

      if (g_str_equal (m->data, "extra") && JSON_NODE_HOLDS_OBJECT (node) &&
          json_object_has_member (into, "extra") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (into, "extra")))
        {
          merge_fields (json_object_get_object_member (into, "extra"), json_node_get_object (node));
          continue;
        }
      json_object_set_member (into, m->data, json_node_copy (node));
    }
}

/* The outbox ------------------------------------------------------------------------ */

gboolean
_kehu_sync_outbox_append (KehuContext  *ctx,
                          const char   *module,
                          const char   *record_id,
                          const char   *kind,
                          const char   *action,
                          JsonObject   *fields,
                          gint64        base_rev,
                          GError      **error)
{
  sqlite3 *db = ctx_db (ctx);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);
  g_autofree char *fields_text = NULL;
  g_autofree char *op_id = NULL;
  int rc;

  /* A new change of the record supersedes the server's last refusal. */
  rc = sqlite3_prepare_v2 (db, "DELETE FROM sync_refusals WHERE module = ?1 AND record_id = ?2", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return db_error (ctx, rc, error);
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    return db_error (ctx, rc, error);

  /* Edits of one record made while nothing of it was sent yet become one
   * op: fewer round trips, and one base_rev for what the user saw. Ops
   * already sent once (attempts > 0) are frozen: their answer may come. */
  if (g_str_equal (kind, "update"))
    {
      gint64 seq = -1;
      g_autoptr(JsonObject) merged = NULL;

      rc = sqlite3_prepare_v2 (db,
                               "SELECT seq, kind, fields, attempts FROM sync_outbox"
                               " WHERE module = ?1 AND record_id = ?2 ORDER BY seq DESC LIMIT 1",
                               -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        return db_error (ctx, rc, error);
      sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW &&
          sqlite3_column_int64 (stmt, 3) == 0 &&
          (g_str_equal ((const char *) sqlite3_column_text (stmt, 1), "create") ||
           g_str_equal ((const char *) sqlite3_column_text (stmt, 1), "update")))
        {
          seq = sqlite3_column_int64 (stmt, 0);
          merged = parse_object ((const char *) sqlite3_column_text (stmt, 2));
        }
      sqlite3_finalize (stmt);
      stmt = NULL;

      if (seq >= 0)
        {
          merge_fields (merged, fields);
          fields_text = object_text (merged);
          rc = sqlite3_prepare_v2 (db, "UPDATE sync_outbox SET fields = ?1 WHERE seq = ?2", -1, &stmt, NULL);
          if (rc != SQLITE_OK)
            return db_error (ctx, rc, error);
          sqlite3_bind_text (stmt, 1, fields_text, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, seq);
          rc = sqlite3_step (stmt);
          sqlite3_finalize (stmt);
          return rc == SQLITE_DONE ? TRUE : db_error (ctx, rc, error);
        }
    }

  fields_text = fields ? object_text (fields) : g_strdup ("{}");
  op_id = g_uuid_string_random ();
  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO sync_outbox (op_id, module, record_id, kind, action, fields, base_rev, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return db_error (ctx, rc, error);
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, fields_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, base_rev);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : db_error (ctx, rc, error);
}

static gint64
record_rev (KehuContext *ctx,
            const char  *module,
            const char  *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?1", module);
  sqlite3_stmt *stmt = NULL;
  gint64 rev = 0;

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rev;
}

#define CACHE_KEY "kehu-sync-is-cache"

gboolean
kehu_sync_mark_cache (KehuStore  *store,
                      GError    **error)
{
  if (!kehu_store_exec (store, "INSERT INTO kehu_meta (key, value) VALUES ('sync.cache', '1')"
                               " ON CONFLICT (key) DO UPDATE SET value = '1'", error))
    return FALSE;
  g_object_set_data (G_OBJECT (store), CACHE_KEY, GINT_TO_POINTER (1));
  return TRUE;
}

gboolean
kehu_sync_store_is_cache (KehuStore *store)
{
  gpointer known = g_object_get_data (G_OBJECT (store), CACHE_KEY);

  /* Asked once per connection (the server makes a context per request). */
  if (known == NULL)
    {
      sqlite3_stmt *stmt = NULL;
      gboolean is_cache = FALSE;

      if (sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT 1 FROM kehu_meta WHERE key = 'sync.cache' AND value = '1'",
                              -1, &stmt, NULL) == SQLITE_OK)
        is_cache = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_finalize (stmt);
      known = GINT_TO_POINTER (is_cache ? 1 : 2);
      g_object_set_data (G_OBJECT (store), CACHE_KEY, known);
    }
  return GPOINTER_TO_INT (known) == 1;
}

gboolean
kehu_sync_queue_action (KehuContext  *ctx,
                        const char   *module,
                        const char   *record_id,
                        const char   *action,
                        JsonObject   *args,
                        GError      **error)
{
  /* Approval actions name an approval instance, not a module's record. */
  if (g_str_equal (module, "approval_instances"))
    return _kehu_sync_outbox_append (ctx, module, record_id, "action", action, args, 0, error);
  if (kehu_schema_get_module (kehu_context_get_schema (ctx), module) == NULL)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("There is no module “%s”"), module);
      return FALSE;
    }
  return _kehu_sync_outbox_append (ctx, module, record_id, "action", action, args,
                                   record_rev (ctx, module, record_id), error);
}

gboolean
kehu_sync_transfer (KehuContext        *ctx,
                    const char         *module,
                    const char * const *ids,
                    const char         *new_owner_id,
                    gboolean            cascade,
                    GError            **error)
{
  return kehu_sync_transfer_full (ctx, module, ids, new_owner_id,
                                  cascade ? KEHU_TRANSFER_CASCADE : KEHU_TRANSFER_NONE, error);
}

gboolean
kehu_sync_transfer_full (KehuContext        *ctx,
                         const char         *module,
                         const char * const *ids,
                         const char         *new_owner_id,
                         KehuTransferFlags   flags,
                         GError            **error)
{
  gboolean cascade = (flags & KEHU_TRANSFER_CASCADE) != 0;
  g_autoptr(GPtrArray) revs = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  for (guint i = 0; ids[i]; i++)
    {
      gint64 *rev = g_new (gint64, 1);
      *rev = record_rev (ctx, module, ids[i]);
      g_ptr_array_add (revs, rev);
    }
  _kehu_context_suppress_outbox (ctx, TRUE);
  ok = kehu_rules_transfer (ctx, module, ids, new_owner_id, flags, error);
  _kehu_context_suppress_outbox (ctx, FALSE);
  for (guint i = 0; ok && ids[i]; i++)
    {
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_string_member (args, "owner_id", new_owner_id);
      json_object_set_boolean_member (args, "cascade", cascade);
      /* The old owner stays on the team: the server applies it too. */
      if (flags & KEHU_TRANSFER_KEEP_TEAM_WRITE)
        json_object_set_string_member (args, "keep_team", "write");
      else if (flags & KEHU_TRANSFER_KEEP_TEAM_READ)
        json_object_set_string_member (args, "keep_team", "read");
      ok = _kehu_sync_outbox_append (ctx, module, ids[i], "action", "transfer", args,
                                     *(gint64 *) g_ptr_array_index (revs, i), error);
    }
  if (!ok || !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

gboolean
kehu_sync_claim (KehuContext  *ctx,
                 const char   *customer_id,
                 GError      **error)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonObject) tentative = json_object_new ();
  gboolean trusted = kehu_context_get_trusted (ctx);
  gint64 rev;
  gboolean ok;

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  rev = record_rev (ctx, "customers", customer_id);
  /* Shown as the user's at once, and pending until the server answers. */
  json_object_set_string_member (tentative, "owner_id", kehu_context_get_user_id (ctx));
  json_object_set_null_member (tentative, "pool_id");
  _kehu_context_suppress_outbox (ctx, TRUE);
  kehu_context_set_trusted (ctx, TRUE);
  ok = kehu_record_update (ctx, "customers", customer_id, tentative, error);
  kehu_context_set_trusted (ctx, trusted);
  _kehu_context_suppress_outbox (ctx, FALSE);
  if (!ok ||
      !_kehu_sync_outbox_append (ctx, "customers", customer_id, "action", "claim", args, rev, error) ||
      !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

gint64
kehu_sync_count_pending (KehuStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT COUNT(*) FROM sync_outbox", -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gboolean
kehu_sync_is_pending (KehuStore  *store,
                      const char *module,
                      const char *record_id)
{
  sqlite3_stmt *stmt = NULL;
  gboolean pending;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT 1 FROM sync_outbox WHERE module = ?1 AND record_id = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, module, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  pending = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return pending;
}

/* The cache ----------------------------------------------------------------------- */

static void
bind_node (sqlite3_stmt *stmt,
           int           index,
           JsonNode     *node)
{
  if (node_is_null (node))
    sqlite3_bind_null (stmt, index);
  else if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
      else if (type == G_TYPE_BOOLEAN)
        sqlite3_bind_int (stmt, index, json_node_get_boolean (node) ? 1 : 0);
      else if (type == G_TYPE_DOUBLE)
        sqlite3_bind_double (stmt, index, json_node_get_double (node));
      else
        sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
    }
  else
    {
      g_autofree char *text = json_text (node);
      sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* Upserts are the bulk of an initial pull: keep their statements. */
static sqlite3_stmt *
cached_statement (KehuContext *ctx,
                  const char  *key,
                  const char  *sql)
{
  KehuStore *store = kehu_context_get_store (ctx);
  GHashTable *cache = g_object_get_data (G_OBJECT (store), "kehu-sync-statements");
  sqlite3_stmt *stmt;

  if (cache == NULL)
    {
      cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
      g_object_set_data_full (G_OBJECT (store), "kehu-sync-statements", cache, (GDestroyNotify) g_hash_table_unref);
    }
  stmt = g_hash_table_lookup (cache, key);
  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (kehu_store_get_db (store), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        return NULL;
      g_hash_table_insert (cache, g_strdup (key), stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

/* Does the stored column hold what @node says? */
static gboolean
column_equals (sqlite3_stmt *stmt,
               int           column,
               JsonNode     *node)
{
  int type = sqlite3_column_type (stmt, column);

  if (node_is_null (node))
    return type == SQLITE_NULL;
  if (type == SQLITE_NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType value_type = json_node_get_value_type (node);

      if (value_type == G_TYPE_STRING)
        return type == SQLITE_TEXT && g_strcmp0 ((const char *) sqlite3_column_text (stmt, column), json_node_get_string (node)) == 0;
      if (value_type == G_TYPE_BOOLEAN)
        return type == SQLITE_INTEGER && sqlite3_column_int (stmt, column) == (json_node_get_boolean (node) ? 1 : 0);
      if (value_type == G_TYPE_DOUBLE)
        return type == SQLITE_FLOAT && sqlite3_column_double (stmt, column) == json_node_get_double (node);
      return type == SQLITE_INTEGER && sqlite3_column_int64 (stmt, column) == json_node_get_int (node);
    }
  {
    g_autofree char *text = json_text (node);
    return type == SQLITE_TEXT && g_strcmp0 ((const char *) sqlite3_column_text (stmt, column), text) == 0;
  }
}

/* Writes the members of @record that are columns of @module, and only
 * those that differ from the stored row: search triggers (AFTER UPDATE OF
 * name…) cost far more than the write, and re-pulling one's own change
 * must not pay them. With @patch_extra, "extra" is merged into the stored
 * one (null removes). */
static gboolean
upsert (KehuContext      *ctx,
        const KehuModule *module,
        JsonObject       *record,
        gboolean          patch_extra,
        GError          **error)
{
  const char *name = kehu_module_get_name (module);
  const char *id = json_object_get_string_member (record, "id");
  g_autoptr(GString) key = g_string_new (name);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(GList) members = json_object_get_members (record);
  g_autofree char *select_key = g_strconcat (name, " select", NULL);
  g_autofree char *select_sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?1", name);
  sqlite3_stmt *old;
  sqlite3_stmt *stmt;
  gboolean exists;
  int rc;

  old = cached_statement (ctx, select_key, select_sql);
  if (old == NULL)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  sqlite3_bind_text (old, 1, id, -1, SQLITE_TRANSIENT);
  exists = sqlite3_step (old) == SQLITE_ROW;

  for (GList *m = members; m; m = m->next)
    {
      int column = -1;

      if (!kehu_module_has_column (module, m->data) || g_str_equal (m->data, "password_hash"))
        continue;
      if (exists && !(patch_extra && g_str_equal (m->data, "extra")))
        {
          for (int i = 0; i < sqlite3_column_count (old); i++)
            if (g_str_equal (sqlite3_column_name (old, i), m->data))
              {
                column = i;
                break;
              }
          if (column >= 0 && column_equals (old, column, json_object_get_member (record, m->data)))
            continue;
        }
      if (exists && g_str_equal (m->data, "id"))
        continue;
      g_ptr_array_add (columns, m->data);
    }
  sqlite3_reset (old);
  if (columns->len == 0)
    return TRUE;
  /* A stable statement key whatever the member order. */
  g_ptr_array_sort (columns, compare_names);
  g_string_append (key, exists ? " update" : " insert");
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (key, ",%s", (const char *) g_ptr_array_index (columns, i));
  g_string_append (key, patch_extra ? "+patch" : "");

  if (exists)
    {
      g_string_printf (sql, "UPDATE %s SET ", name);
      for (guint i = 0; i < columns->len; i++)
        {
          const char *column = g_ptr_array_index (columns, i);

          if (patch_extra && g_str_equal (column, "extra"))
            g_string_append_printf (sql, "%sextra = json_patch (extra, ?%u)", i ? ", " : "", i + 1);
          else
            g_string_append_printf (sql, "%s%s = ?%u", i ? ", " : "", column, i + 1);
        }
      g_string_append_printf (sql, " WHERE id = ?%u", columns->len + 1);
    }
  else
    {
      g_string_printf (sql, "INSERT INTO %s (", name);
      for (guint i = 0; i < columns->len; i++)
        {
          g_string_append_printf (sql, "%s%s", i ? ", " : "", (const char *) g_ptr_array_index (columns, i));
          g_string_append_printf (values, "%s?%u", i ? ", " : "", i + 1);
        }
      g_string_append_printf (sql, ") VALUES (%s)", values->str);
    }

  stmt = cached_statement (ctx, key->str, sql->str);
  if (stmt == NULL)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  for (guint i = 0; i < columns->len; i++)
    bind_node (stmt, i + 1, json_object_get_member (record, g_ptr_array_index (columns, i)));
  if (exists)
    sqlite3_bind_text (stmt, columns->len + 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (ctx, rc, error);
  return TRUE;
}

/* Lays the unsent ops of a record over the server's version of it. */
static gboolean
overlay_pending (KehuContext      *ctx,
                 const KehuModule *module,
                 const char       *id,
                 GError          **error)
{
  sqlite3_stmt *stmt = cached_statement (ctx, " pending",
                                         "SELECT kind, action, fields FROM sync_outbox"
                                         " WHERE module = ?1 AND record_id = ?2 ORDER BY seq");
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gboolean ok = TRUE;

  if (stmt == NULL)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  sqlite3_bind_text (stmt, 1, kehu_module_get_name (module), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      char **op = g_new0 (char *, 4);
      op[0] = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      op[1] = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      op[2] = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (ops, op);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; ok && i < ops->len; i++)
    {
      char **op = g_ptr_array_index (ops, i);
      g_autoptr(JsonObject) fields = parse_object (op[2]);
      g_autoptr(JsonObject) patch = json_object_new ();
      g_autofree char *now = kehu_context_now_string (ctx);

      if (g_str_equal (op[0], "create") || g_str_equal (op[0], "update"))
        merge_fields (patch, fields);
      else if (g_str_equal (op[0], "delete"))
        json_object_set_string_member (patch, "deleted_at", now);
      else if (g_str_equal (op[0], "restore"))
        json_object_set_null_member (patch, "deleted_at");
      else if (g_strcmp0 (op[1], "transfer") == 0 && json_object_has_member (fields, "owner_id"))
        json_object_set_member (patch, "owner_id", json_node_copy (json_object_get_member (fields, "owner_id")));
      else if (g_strcmp0 (op[1], "claim") == 0)
        {
          json_object_set_string_member (patch, "owner_id", kehu_context_get_user_id (ctx));
          json_object_set_null_member (patch, "pool_id");
        }
      if (json_object_get_size (patch) == 0)
        continue;
      json_object_set_string_member (patch, "id", id);
      ok = upsert (ctx, module, patch, TRUE, error);
    }
  return ok;
}

gboolean
kehu_sync_cache_put (KehuContext  *ctx,
                     const char   *module_name,
                     JsonObject   *record,
                     GError      **error)
{
  const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (ctx), module_name);
  const char *id;

  if (module == NULL || !json_object_has_member (record, "id"))
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                   _("The server sent a record of an unknown module “%s”"), module_name);
      return FALSE;
    }
  id = json_object_get_string_member (record, "id");
  return upsert (ctx, module, record, FALSE, error) &&
         overlay_pending (ctx, module, id, error);
}

/* A record's team rows (team_members). A pull page's records lose theirs
 * and its "teams" section brings them again (kehu_sync_cache_apply_teams());
 * a record new to the cache has none, so a first pull deletes nothing. */
static gboolean
drop_team (KehuContext  *ctx,
           const char   *module_name,
           const char   *record_id,
           GError      **error)
{
  sqlite3_stmt *stmt = cached_statement (ctx, " team drop",
                                         "DELETE FROM team_members WHERE module = ?1 AND record_id = ?2");
  int rc;

  if (stmt == NULL)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  sqlite3_bind_text (stmt, 1, module_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? TRUE : db_error (ctx, rc, error);
}

gboolean
kehu_sync_cache_drop (KehuContext  *ctx,
                      const char   *module_name,
                      const char   *record_id,
                      GError      **error)
{
  const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (ctx), module_name);
  g_autofree char *key = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (module == NULL)
    return TRUE;
  key = g_strconcat (module_name, " drop", NULL);
  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1", module_name);
  if (!(stmt = cached_statement (ctx, key, sql)))
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (ctx, rc, error);
  /* Its team goes with it. */
  return drop_team (ctx, module_name, record_id, error);
}

/* Bulk pulls ---------------------------------------------------------------------- */

/* The columns a record shows: those with a visible field, and extra. */
static GPtrArray *
record_columns (KehuSchema *schema,
                const char *module_name)
{
  const KehuModule *module = kehu_schema_get_module (schema, module_name);
  g_autofree char *sql = g_strdup_printf ("SELECT name FROM pragma_table_info ('%s')", module_name);
  sqlite3_stmt *stmt = NULL;
  GPtrArray *columns;

  if (module == NULL ||
      sqlite3_prepare_v2 (kehu_store_get_db (kehu_schema_get_store (schema)), sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  columns = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const KehuField *field = kehu_module_lookup_field (module, name);

      if (g_str_equal (name, "extra") || (field != NULL && !(field->flags & KEHU_FIELD_HIDDEN)))
        g_ptr_array_add (columns, g_strdup (name));
    }
  sqlite3_finalize (stmt);
  return columns;
}

char *
kehu_sync_record_json_sql (KehuSchema *schema,
                           const char *module_name)
{
  const KehuModule *module = kehu_schema_get_module (schema, module_name);
  g_autoptr(GPtrArray) columns = record_columns (schema, module_name);
  g_autoptr(GString) sql = g_string_new ("SELECT json_object (");

  /* json_object() takes at most 127 arguments. */
  if (columns == NULL || columns->len > 60)
    return NULL;
  for (guint i = 0; i < columns->len; i++)
    {
      const char *name = g_ptr_array_index (columns, i);
      const KehuField *field = kehu_module_lookup_field (module, name);

      g_string_append_printf (sql, "%s'%s', ", i ? ", " : "", name);
      if (g_str_equal (name, "extra"))
        g_string_append (sql, "CASE WHEN json_valid (extra) THEN json (extra) ELSE json_object () END");
      else if (field->type == KEHU_FIELD_BOOLEAN)
        g_string_append_printf (sql, "CASE WHEN %s IS NULL THEN NULL WHEN %s THEN json ('true') ELSE json ('false') END",
                                name, name);
      else if (field->type == KEHU_FIELD_JSON || field->type == KEHU_FIELD_TAGS || field->type == KEHU_FIELD_MULTI_CHOICE)
        g_string_append_printf (sql, "CASE WHEN json_valid (%s) THEN json (%s) ELSE %s END", name, name, name);
      else
        g_string_append (sql, name);
    }
  g_string_append_printf (sql, "), id, %s, %s FROM %s WHERE id = ?1",
                          kehu_module_has_column (module, "owner_id") ? "owner_id" : "NULL",
                          kehu_module_has_column (module, "pool_id") ? "pool_id" : "NULL",
                          module_name);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

static gboolean
row_known (KehuContext *ctx,
           const char  *module_name,
           const char  *id)
{
  char key[96];
  char sql[128];
  sqlite3_stmt *stmt;
  gboolean known;

  /* Once per pulled record: no allocations. */
  g_snprintf (key, sizeof key, "%s known", module_name);
  g_snprintf (sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?1", module_name);
  stmt = cached_statement (ctx, key, sql);

  if (stmt == NULL)
    return TRUE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  known = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return known;
}

/* Reading a pull page ---------------------------------------------------------------- */

/* A first pull is mostly this loop: the page is read once, front to back,
 * and each record's values are bound straight into a kept INSERT, with no
 * JSON tree and no re-parse per column (SQLite's json_extract() walked
 * every record's text once per column). Known records still go through
 * kehu_sync_cache_put(). */

typedef struct
{
  const char *p;
  const char *end;
} Reader;

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

static gboolean
expect (Reader *r,
        char    c)
{
  skip_space (r);
  if (r->p >= r->end || *r->p != c)
    return FALSE;
  r->p++;
  return TRUE;
}

/* Past the closing quote of a string whose opening quote is at r->p;
 * @escaped tells whether it holds backslashes. */
static gboolean
skip_string (Reader   *r,
             gboolean *escaped)
{
  const char *p = r->p + 1;

  *escaped = FALSE;
  if (r->p >= r->end || *r->p != '"')
    return FALSE;
  /* Most strings are short: a plain loop beats memchr() here. */
  for (; p < r->end; p++)
    {
      if (*p == '"')
        {
          r->p = p + 1;
          return TRUE;
        }
      if (*p == '\\')
        {
          *escaped = TRUE;
          p++;
        }
    }
  return FALSE;
}

static gboolean
skip_value (Reader *r)
{
  int depth = 0;
  gboolean escaped;

  skip_space (r);
  do
    {
      if (r->p >= r->end)
        return FALSE;
      switch (*r->p)
        {
        case '"':
          if (!skip_string (r, &escaped))
            return FALSE;
          break;
        case '{': case '[':
          depth++;
          r->p++;
          break;
        case '}': case ']':
          if (depth == 0)
            return FALSE;
          depth--;
          r->p++;
          break;
        case ',': case ':': case ' ': case '\n': case '\r': case '\t':
          if (depth == 0)
            return FALSE;
          r->p++;
          break;
        default:
          /* A number, true, false or null. */
          if (!g_ascii_isalnum (*r->p) && *r->p != '-' && *r->p != '+' && *r->p != '.')
            return FALSE;
          while (r->p < r->end && (g_ascii_isalnum (*r->p) || *r->p == '-' || *r->p == '+' || *r->p == '.'))
            r->p++;
          break;
        }
    }
  while (depth > 0);
  return TRUE;
}

static int
hex_value (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* The text of the JSON string between @start (its opening quote) and
 * @end (past the closing one), unescaped; NULL if malformed. */
static char *
unescape_string (const char *start,
                 const char *end)
{
  GString *out = g_string_sized_new (end - start);
  const char *p = start + 1;

  end--;
  while (p < end)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (++p >= end)
        break;
      switch (*p)
        {
        case '"': case '\\': case '/': g_string_append_c (out, *p); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int c = end - p > 4 ? hex_value (p + 1) : -1;

            if (c < 0)
              goto fail;
            p += 4;
            /* A surrogate pair is one character. */
            if (c >= 0xD800 && c < 0xDC00 && end - p > 6 && p[1] == '\\' && p[2] == 'u')
              {
                int low = hex_value (p + 3);

                if (low >= 0xDC00 && low < 0xE000)
                  {
                    c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                  }
              }
            if (c >= 0xD800 && c < 0xE000)
              c = 0xFFFD;
            g_string_append_unichar (out, c);
          }
          break;
        default:
          goto fail;
        }
      p++;
    }
  return g_string_free (out, FALSE);

fail:
  g_string_free (out, TRUE);
  return NULL;
}

/* Reads a string value: its text (to free) in @text, or only its span. */
static gboolean
read_string (Reader  *r,
             char   **text)
{
  const char *start;
  gboolean escaped;

  skip_space (r);
  start = r->p;
  if (!skip_string (r, &escaped))
    return FALSE;
  *text = escaped ? unescape_string (start, r->p) : g_strndup (start + 1, r->p - start - 2);
  return *text != NULL;
}

/* Binds the value at r->p as json_extract() would give it: text, integer
 * (true and false as 1 and 0), real, NULL, or arrays and objects as their
 * JSON text. Text without escapes points into the page (alive until the
 * statement ran). */
static gboolean
bind_value (Reader       *r,
            sqlite3_stmt *stmt,
            int           index)
{
  const char *start;
  gboolean escaped;

  skip_space (r);
  if (r->p >= r->end)
    return FALSE;
  start = r->p;
  switch (*r->p)
    {
    case '"':
      if (!skip_string (r, &escaped))
        return FALSE;
      if (!escaped)
        return sqlite3_bind_text (stmt, index, start + 1, r->p - start - 2, SQLITE_STATIC) == SQLITE_OK;
      {
        char *text = unescape_string (start, r->p);

        return text != NULL && sqlite3_bind_text (stmt, index, text, -1, g_free) == SQLITE_OK;
      }
    case '{': case '[':
      if (!skip_value (r))
        return FALSE;
      return sqlite3_bind_text (stmt, index, start, r->p - start, SQLITE_STATIC) == SQLITE_OK;
    case 't': case 'f': case 'n':
      if (!skip_value (r))
        return FALSE;
      if (r->p - start == 4 && memcmp (start, "true", 4) == 0)
        return sqlite3_bind_int (stmt, index, 1) == SQLITE_OK;
      if (r->p - start == 5 && memcmp (start, "false", 5) == 0)
        return sqlite3_bind_int (stmt, index, 0) == SQLITE_OK;
      if (r->p - start == 4 && memcmp (start, "null", 4) == 0)
        return sqlite3_bind_null (stmt, index) == SQLITE_OK;
      return FALSE;
    default:
      {
        char number[64];
        gsize len;
        char *tail = NULL;
        gboolean real;

        if (!skip_value (r) || (len = r->p - start) >= sizeof number)
          return FALSE;
        memcpy (number, start, len);
        number[len] = '\0';
        real = strpbrk (number, ".eE") != NULL;
        if (!real)
          {
            gint64 v;

            errno = 0;
            v = g_ascii_strtoll (number, &tail, 10);
            if (errno == 0 && *tail == '\0')
              return sqlite3_bind_int64 (stmt, index, v) == SQLITE_OK;
            if (errno != ERANGE)
              return FALSE;
          }
        {
          double d = g_ascii_strtod (number, &tail);

          return *tail == '\0' && sqlite3_bind_double (stmt, index, d) == SQLITE_OK;
        }
      }
    }
}

gboolean
kehu_sync_page_read_head (const char   *page,
                          gsize         length,
                          KehuSyncPage *head)
{
  Reader r = { page, page + length };
  gboolean first = TRUE;

  memset (head, 0, sizeof *head);
  if (!expect (&r, '{'))
    return FALSE;
  for (;;)
    {
      g_autofree char *key = NULL;
      const char *start;

      skip_space (&r);
      if (r.p < r.end && *r.p == '}')
        break;
      if ((!first && !expect (&r, ',')) || !read_string (&r, &key) || !expect (&r, ':'))
        return FALSE;
      first = FALSE;
      skip_space (&r);
      start = r.p;
      if (!skip_value (&r))
        return FALSE;
      if (g_str_equal (key, "changes"))
        {
          if (*start != '[')
            return FALSE;
          head->changes = start;
          head->changes_length = r.p - start;
        }
      else if (g_str_equal (key, "settings") && *start == '{')
        {
          head->settings = start;
          head->settings_length = r.p - start;
        }
      else if (g_str_equal (key, "teams") && *start == '[')
        {
          head->teams = start;
          head->teams_length = r.p - start;
        }
      else if (g_str_equal (key, "reset") || g_str_equal (key, "more"))
        {
          gboolean value = r.p - start == 4 && memcmp (start, "true", 4) == 0;

          if (key[0] == 'r')
            head->reset = value;
          else
            head->more = value;
        }
      else if (g_str_equal (key, "cursor") || g_str_equal (key, "epoch") || g_str_equal (key, "total"))
        {
          gint64 value = g_ascii_strtoll (start, NULL, 10);

          if (key[0] == 'c')
            head->cursor = value;
          else if (key[0] == 'e')
            head->epoch = value;
          else
            head->total = value;
        }
    }
  return head->changes != NULL;
}

/* How one module's rows are inserted from a page: the statement and where
 * each column's value goes. */
typedef struct
{
  sqlite3_stmt *stmt;
  GPtrArray    *columns;
  GHashTable   *index;   /* column name → parameter number */
} InsertPlan;

static void
insert_plan_free (InsertPlan *plan)
{
  sqlite3_finalize (plan->stmt);
  g_ptr_array_unref (plan->columns);
  g_hash_table_unref (plan->index);
  g_free (plan);
}

static InsertPlan *
insert_plan (KehuContext *ctx,
             const char  *module_name)
{
  KehuStore *store = kehu_context_get_store (ctx);
  GHashTable *plans = g_object_get_data (G_OBJECT (store), "kehu-sync-insert-plans");
  g_autoptr(GString) sql = NULL;
  g_autoptr(GString) values = NULL;
  InsertPlan *plan;

  if (plans == NULL)
    {
      plans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) insert_plan_free);
      g_object_set_data_full (G_OBJECT (store), "kehu-sync-insert-plans", plans, (GDestroyNotify) g_hash_table_unref);
    }
  if ((plan = g_hash_table_lookup (plans, module_name)) != NULL)
    {
      sqlite3_reset (plan->stmt);
      sqlite3_clear_bindings (plan->stmt);
      return plan;
    }

  plan = g_new0 (InsertPlan, 1);
  plan->columns = record_columns (kehu_context_get_schema (ctx), module_name);
  plan->index = g_hash_table_new (g_str_hash, g_str_equal);
  if (plan->columns == NULL)
    {
      plan->columns = g_ptr_array_new ();
      insert_plan_free (plan);
      return NULL;
    }
  sql = g_string_new (NULL);
  values = g_string_new (NULL);
  g_string_printf (sql, "INSERT INTO %s (", module_name);
  for (guint i = 0; i < plan->columns->len; i++)
    {
      const char *name = g_ptr_array_index (plan->columns, i);

      g_string_append_printf (sql, "%s%s", i ? ", " : "", name);
      g_string_append_printf (values, "%s?%u", i ? ", " : "", i + 1);
      g_hash_table_insert (plan->index, (gpointer) name, GUINT_TO_POINTER (i + 1));
    }
  g_string_append_printf (sql, ") VALUES (%s)", values->str);
  if (sqlite3_prepare_v3 (kehu_store_get_db (store), sql->str, -1, SQLITE_PREPARE_PERSISTENT, &plan->stmt, NULL) != SQLITE_OK)
    {
      insert_plan_free (plan);
      return NULL;
    }
  g_hash_table_insert (plans, g_strdup (module_name), plan);
  return plan;
}

/* Binds the members of the record object at r->p that are columns of
 * @plan; others (a newer server's) are skipped. The server writes them in
 * column order, so the next column is tried before the lookup. */
static gboolean
bind_record (Reader     *r,
             InsertPlan *plan)
{
  guint next = 0;
  gboolean first = TRUE;

  if (!expect (r, '{'))
    return FALSE;
  for (;;)
    {
      const char *start;
      gsize len;
      gboolean escaped;
      guint param = 0;

      skip_space (r);
      if (r->p < r->end && *r->p == '}')
        {
          r->p++;
          return TRUE;
        }
      if (!first && !expect (r, ','))
        return FALSE;
      first = FALSE;
      skip_space (r);
      start = r->p + 1;
      if (!skip_string (r, &escaped) || escaped)
        return FALSE;
      len = r->p - 1 - start;
      if (!expect (r, ':'))
        return FALSE;
      if (next < plan->columns->len)
        {
          const char *guess = g_ptr_array_index (plan->columns, next);

          if (strncmp (guess, start, len) == 0 && guess[len] == '\0')
            param = next + 1;
        }
      if (param == 0)
        {
          char name[128];

          if (len < sizeof name)
            {
              memcpy (name, start, len);
              name[len] = '\0';
              param = GPOINTER_TO_UINT (g_hash_table_lookup (plan->index, name));
            }
        }
      if (param == 0)
        {
          if (!skip_value (r))
            return FALSE;
          continue;
        }
      next = param;
      if (!bind_value (r, plan->stmt, param))
        return FALSE;
    }
}

static gboolean
outbox_empty (KehuContext *ctx)
{
  sqlite3_stmt *stmt = cached_statement (ctx, " outbox-empty", "SELECT 1 FROM sync_outbox LIMIT 1");
  gboolean empty;

  if (stmt == NULL)
    return FALSE;
  empty = sqlite3_step (stmt) != SQLITE_ROW;
  sqlite3_reset (stmt);
  return empty;
}

typedef struct
{
  char       *module;
  char       *id;
  gboolean    gone;
  const char *record;
  const char *record_end;
} Change;

static gboolean
read_change (Reader *r,
             Change *change)
{
  gboolean first = TRUE;

  memset (change, 0, sizeof *change);
  if (!expect (r, '{'))
    return FALSE;
  for (;;)
    {
      g_autofree char *key = NULL;
      const char *start;

      skip_space (r);
      if (r->p < r->end && *r->p == '}')
        {
          r->p++;
          return TRUE;
        }
      if ((!first && !expect (r, ',')) || !read_string (r, &key) || !expect (r, ':'))
        return FALSE;
      first = FALSE;
      skip_space (r);
      start = r->p;
      if (g_str_equal (key, "module") && *start == '"')
        {
          g_clear_pointer (&change->module, g_free);
          if (!read_string (r, &change->module))
            return FALSE;
          continue;
        }
      if (g_str_equal (key, "id") && *start == '"')
        {
          g_clear_pointer (&change->id, g_free);
          if (!read_string (r, &change->id))
            return FALSE;
          continue;
        }
      if (!skip_value (r))
        return FALSE;
      if (g_str_equal (key, "gone"))
        change->gone = r->p - start == 4 && memcmp (start, "true", 4) == 0;
      else if (g_str_equal (key, "record") && *start == '{')
        {
          change->record = start;
          change->record_end = r->p;
        }
    }
}

static void
change_clear (Change *change)
{
  g_clear_pointer (&change->module, g_free);
  g_clear_pointer (&change->id, g_free);
}

static gboolean
apply_change (KehuContext  *ctx,
              Change       *change,
              gboolean      no_outbox,
              guint        *pulled,
              guint        *gone,
              GError      **error)
{
  const KehuModule *module;
  InsertPlan *plan;
  Reader r;
  int rc;

  if (change->module == NULL || change->id == NULL ||
      (module = kehu_schema_get_module (kehu_context_get_schema (ctx), change->module)) == NULL)
    return TRUE;
  if (change->record == NULL)
    {
      if (!change->gone)
        return TRUE;
      (*gone)++;
      return kehu_sync_cache_drop (ctx, change->module, change->id, error);
    }
  (*pulled)++;
  if (row_known (ctx, change->module, change->id))
    {
      g_autofree char *text = g_strndup (change->record, change->record_end - change->record);
      g_autoptr(JsonNode) node = json_from_string (text, NULL);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return TRUE;
      /* The page's "teams" section holds the record's team as it is now. */
      return drop_team (ctx, change->module, change->id, error) &&
             kehu_sync_cache_put (ctx, change->module, json_node_get_object (node), error);
    }

  if ((plan = insert_plan (ctx, change->module)) == NULL)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  r.p = change->record;
  r.end = change->record_end;
  if (!bind_record (&r, plan))
    {
      sqlite3_clear_bindings (plan->stmt);
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                   _("The server’s answer is not JSON (HTTP %u)"), 200);
      return FALSE;
    }
  rc = sqlite3_step (plan->stmt);
  sqlite3_reset (plan->stmt);
  sqlite3_clear_bindings (plan->stmt);
  if (rc != SQLITE_DONE)
    return db_error (ctx, rc, error);
  return no_outbox || overlay_pending (ctx, module, change->id, error);
}

gboolean
kehu_sync_cache_apply_page (KehuContext  *ctx,
                            const char   *page,
                            gsize         length,
                            guint        *pulled,
                            guint        *gone,
                            GError      **error)
{
  Reader r = { page, page + length };
  gboolean first = TRUE;
  gboolean seen = FALSE;
  /* Nothing to lay over the pulled records: the page runs in one
   * transaction, so no op can be queued meanwhile. */
  gboolean no_outbox = outbox_empty (ctx);

  /* The page's other members are skipped: kehu_sync_page_read_head()
   * reads them. */
  if (!expect (&r, '{'))
    goto damaged;
  for (;;)
    {
      g_autofree char *key = NULL;
      gboolean first_change = TRUE;

      skip_space (&r);
      if (r.p < r.end && *r.p == '}')
        {
          if (seen)
            return TRUE;
          goto damaged;
        }
      if ((!first && !expect (&r, ',')) || !read_string (&r, &key) || !expect (&r, ':'))
        goto damaged;
      first = FALSE;
      if (!g_str_equal (key, "changes"))
        {
          if (!skip_value (&r))
            goto damaged;
          continue;
        }
      if (!expect (&r, '['))
        goto damaged;
      seen = TRUE;
      for (;;)
        {
          Change change = { 0 };
          gboolean ok;

          skip_space (&r);
          if (r.p < r.end && *r.p == ']')
            {
              r.p++;
              break;
            }
          if ((!first_change && !expect (&r, ',')) || !read_change (&r, &change))
            {
              change_clear (&change);
              goto damaged;
            }
          first_change = FALSE;
          ok = apply_change (ctx, &change, no_outbox, pulled, gone, error);
          change_clear (&change);
          if (!ok)
            return FALSE;
        }
    }

damaged:
  g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server’s answer is not JSON (HTTP %u)"), 200);
  return FALSE;
}

/* Conflicts ------------------------------------------------------------------------ */

void
kehu_sync_conflict_free (KehuSyncConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->id);
  g_free (conflict->module);
  g_free (conflict->record_id);
  g_free (conflict->field);
  g_free (conflict->local_value);
  g_free (conflict->server_value);
  g_free (conflict);
}

static KehuSyncConflict *
conflict_from_stmt (sqlite3_stmt *stmt)
{
  KehuSyncConflict *c = g_new0 (KehuSyncConflict, 1);

  c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  c->module = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  c->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  c->field = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  c->local_value = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  c->server_value = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  c->server_rev = sqlite3_column_int64 (stmt, 6);
  return c;
}

#define CONFLICT_COLUMNS "id, module, record_id, field, local_value, server_value, server_rev"

/* Returns: (transfer full) (element-type KehuSyncConflict): the open ones, oldest first */
GPtrArray *
kehu_sync_list_conflicts (KehuStore *store)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_sync_conflict_free);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT " CONFLICT_COLUMNS " FROM sync_conflicts WHERE resolved_at IS NULL"
                          " ORDER BY created_at, rowid",
                          -1, &stmt, NULL) != SQLITE_OK)
    return list;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (list, conflict_from_stmt (stmt));
  sqlite3_finalize (stmt);
  return list;
}

gboolean
kehu_sync_resolve_conflict (KehuContext  *ctx,
                            const char   *conflict_id,
                            gboolean      keep_mine,
                            GError      **error)
{
  g_autoptr(KehuSyncConflict) conflict = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (ctx_db (ctx), "SELECT " CONFLICT_COLUMNS " FROM sync_conflicts WHERE id = ?1 AND resolved_at IS NULL",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
  sqlite3_bind_text (stmt, 1, conflict_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    conflict = conflict_from_stmt (stmt);
  sqlite3_finalize (stmt);
  if (conflict == NULL)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CACHE, _("This conflict was already resolved"));
      return FALSE;
    }

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (keep_mine)
    {
      const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (ctx), conflict->module);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonObject) fields = json_object_new ();
      JsonNode *value;

      if (module == NULL || !json_parser_load_from_data (parser, conflict->local_value ? conflict->local_value : "null", -1, error))
        goto fail;
      value = json_node_copy (json_parser_get_root (parser));
      if (kehu_module_has_column (module, conflict->field))
        json_object_set_member (fields, conflict->field, value);
      else
        {
          JsonObject *extra = json_object_new ();
          json_object_set_member (extra, conflict->field, value);
          json_object_set_object_member (fields, "extra", extra);
        }
      /* The cache holds the server's value at its rev: the new op's base. */
      if (!kehu_record_update (ctx, conflict->module, conflict->record_id, fields, error))
        goto fail;
    }
  if (sqlite3_prepare_v2 (ctx_db (ctx), "UPDATE sync_conflicts SET resolved_at = ?1, resolution = ?2 WHERE id = ?3",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (ctx, sqlite3_errcode (ctx_db (ctx)), error);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, keep_mine ? "mine" : "theirs", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, conflict_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      db_error (ctx, rc, error);
      goto fail;
    }
  if (!kehu_context_commit (ctx, error))
    goto fail;
  return TRUE;

fail:
  kehu_context_rollback (ctx);
  return FALSE;
}
