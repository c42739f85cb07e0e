/* kehu-sync-engine.c: push the outbox, pull the changes, keep the cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every step commits what it learnt before it asks for more: an op leaves
 * the outbox only in the transaction that records the server's answer, and
 * the pull cursor moves in the transaction that writes the page's records.
 * A crash or a kill at any point loses nothing; the next run repeats the
 * unanswered push (the server answers a known op_id the same way again) or
 * the unfinished page.
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "kehu-report.h"
#include "kehu-search.h"
#include "kehu-sync-engine.h"

struct _KehuSyncEngine
{
  GObject               parent_instance;

  KehuStore            *store;
  KehuSchema           *schema;
  KehuContext          *ctx;
  SoupSession          *session;
  char                 *base_url;
  char                 *user_id;
  char                 *token;
  guint                 push_ops;
  guint                 pull_limit;
  KehuSyncProgressFunc  progress;
  gpointer              progress_data;
  GHashTable           *statements;   /* SQL text → kept sqlite3_stmt */
};

G_DEFINE_FINAL_TYPE (KehuSyncEngine, kehu_sync_engine, G_TYPE_OBJECT)

/* Records the rules make as a side effect carry rev 0 locally; the server
 * makes its own (with its own ids) and sends them. */
static const char * const record_modules[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", "payment_plans", "payments",
  "invoices", "followups", "tasks", "schedules", "attachments", NULL,
};

static void
rejection_free (KehuSyncRejection *rejection)
{
  g_free (rejection->module);
  g_free (rejection->record_id);
  g_free (rejection->action);
  g_free (rejection->message);
  g_free (rejection);
}

void
kehu_sync_stats_clear (KehuSyncStats *stats)
{
  g_clear_pointer (&stats->messages, g_ptr_array_unref);
  g_clear_pointer (&stats->rejections, g_ptr_array_unref);
  g_clear_pointer (&stats->modules, g_ptr_array_unref);
  memset (stats, 0, sizeof *stats);
}

gboolean
kehu_sync_stats_has_module (KehuSyncStats *stats,
                            const char    *module)
{
  return stats->modules != NULL &&
         g_ptr_array_find_with_equal_func (stats->modules, module, g_str_equal, NULL);
}

static void
add_rejection (KehuSyncStats *stats,
               const char    *module,
               const char    *record_id,
               const char    *action,
               const char    *message)
{
  KehuSyncRejection *rejection = g_new0 (KehuSyncRejection, 1);

  if (stats->rejections == NULL)
    stats->rejections = g_ptr_array_new_with_free_func ((GDestroyNotify) rejection_free);
  rejection->module = g_strdup (module);
  rejection->record_id = g_strdup (record_id);
  rejection->action = g_strdup (action);
  rejection->message = g_strdup (message);
  g_ptr_array_add (stats->rejections, rejection);
}

/* Which tables a sync wrote, from SQLite's update hook: cheap enough for
 * every pulled row, and exact (the views reload only what changed). */
typedef struct
{
  GHashTable *tables;
  char       *last;
} Touched;

static void
touched_cb (void          *data,
            int            op,
            const char    *database,
            const char    *table,
            sqlite3_int64  rowid)
{
  Touched *touched = data;

  if (touched->last != NULL && strcmp (touched->last, table) == 0)
    return;
  g_free (touched->last);
  touched->last = g_strdup (table);
  g_hash_table_add (touched->tables, g_strdup (table));
}

static void
watch_begin (KehuSyncEngine *self,
             Touched        *touched)
{
  touched->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  touched->last = NULL;
  sqlite3_update_hook (kehu_store_get_db (self->store), touched_cb, touched);
}

static void
watch_end (KehuSyncEngine *self,
           Touched        *touched,
           KehuSyncStats  *stats)
{
  GHashTableIter iter;
  const char *table;

  sqlite3_update_hook (kehu_store_get_db (self->store), NULL, NULL);
  g_hash_table_iter_init (&iter, touched->tables);
  while (g_hash_table_iter_next (&iter, (gpointer *) &table, NULL))
    {
      const char *module = NULL;

      if (g_str_equal (table, "approval_instances") || g_str_equal (table, "approval_actions"))
        module = "approval_instances";
      else if (kehu_schema_get_module (self->schema, table) != NULL)
        module = table;
      if (module == NULL || kehu_sync_stats_has_module (stats, module))
        continue;
      if (stats->modules == NULL)
        stats->modules = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (stats->modules, g_strdup (module));
    }
  g_clear_pointer (&touched->tables, g_hash_table_unref);
  g_clear_pointer (&touched->last, g_free);
}

static void
add_message (KehuSyncStats *stats,
             const char    *message)
{
  if (stats->messages == NULL)
    stats->messages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (stats->messages, g_strdup (message));
}

static void
kehu_sync_engine_finalize (GObject *object)
{
  KehuSyncEngine *self = (KehuSyncEngine *) object;

  /* Before the store: its connection closes with it. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_object (&self->ctx);
  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (kehu_sync_engine_parent_class)->finalize (object);
}

static void
kehu_sync_engine_class_init (KehuSyncEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_sync_engine_finalize;
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
kehu_sync_engine_init (KehuSyncEngine *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  self->push_ops = 200;
  self->pull_limit = 2000;
}

char *
kehu_sync_cache_path (const char *data_dir,
                      const char *base_url,
                      const char *user_id)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host_port = NULL;
  g_autofree char *file = g_strconcat (user_id, ".db", NULL);

  if (uri != NULL && g_uri_get_host (uri) != NULL)
    host_port = g_strdup_printf ("%s_%d", g_uri_get_host (uri),
                                 g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
                                 : g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80);
  else
    host_port = g_strdup ("unknown");
  g_strdelimit (host_port, "/\\:", '_');
  return g_build_filename (data_dir, "kehu", "caches", host_port, file, NULL);
}

/* HTTP -------------------------------------------------------------------------------- */

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 60, "idle-timeout", 60,
                                        "user-agent", "kehu-sync/" PACKAGE_VERSION, NULL);
}

/* With @raw, a successful answer's bytes are handed back unparsed (and
 * NULL returned): the pull page is read by SQLite. */
static JsonNode *
http_full (SoupSession   *session,
           const char    *method,
           const char    *url,
           const char    *token,
           const char    *body,
           GBytes       **raw,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  guint status;

  if (message == NULL)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("“%s” is not a server address"), url);
      return NULL;
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  reply = soup_session_send_and_read (session, message, cancellable, &local_error);
  if (reply == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CANCELLED, _("Sync was cancelled"));
      else
        g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK,
                     _("The server cannot be reached: %s"), local_error->message);
      return NULL;
    }

  status = soup_message_get_status (message);
  if (raw != NULL && status >= 200 && status < 300)
    {
      *raw = g_steal_pointer (&reply);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      if (status >= 500 || status == 0)
        g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK, _("The server failed (HTTP %u)"), status);
      else
        g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                     _("The server’s answer is not JSON (HTTP %u)"), status);
      return NULL;
    }
  if (status < 200 || status >= 300)
    {
      JsonObject *root = json_node_get_object (json_parser_get_root (parser));
      JsonObject *err = json_object_has_member (root, "error") &&
                        JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "error"))
                        ? json_object_get_object_member (root, "error") : NULL;
      const char *text = err ? json_object_get_string_member_with_default (err, "message", "") : "";

      g_set_error (error, KEHU_SYNC_ERROR,
                   status == 401 ? KEHU_SYNC_ERROR_AUTH : status >= 500 ? KEHU_SYNC_ERROR_NETWORK : KEHU_SYNC_ERROR_SERVER,
                   status == 401 ? _("Sign in again: %s") : "%s",
                   text[0] ? text : soup_status_get_phrase (status));
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static JsonNode *
http (SoupSession   *session,
      const char    *method,
      const char    *url,
      const char    *token,
      const char    *body,
      GCancellable  *cancellable,
      GError       **error)
{
  return http_full (session, method, url, token, body, NULL, cancellable, error);
}

static char *
api_url (KehuSyncEngine *self,
         const char     *path)
{
  const char *base = self->base_url;
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s/api/v1%s", (int) len, base, path);
}

char *
kehu_sync_login (const char  *base_url,
                 const char  *phone,
                 const char  *password,
                 char       **user_id,
                 GError     **error)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  JsonObject *root;
  gsize len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  url = g_strdup_printf ("%.*s/api/v1/auth/login", (int) len, base_url);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "phone");
  json_builder_add_string_value (builder, phone);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  text = json_to_string (body, FALSE);

  if (!(reply = http (session, "POST", url, NULL, text, NULL, error)))
    return NULL;
  root = json_node_get_object (reply);
  if (!json_object_has_member (root, "token"))
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server sent no token"));
      return NULL;
    }
  if (user_id != NULL)
    {
      JsonObject *user = json_object_has_member (root, "user") ? json_object_get_object_member (root, "user") : NULL;
      *user_id = g_strdup (user ? json_object_get_string_member_with_default (user, "id", NULL) : NULL);
    }
  return g_strdup (json_object_get_string_member (root, "token"));
}

/* The engine ---------------------------------------------------------------------------- */

KehuSyncEngine *
kehu_sync_engine_new (const char  *cache_path,
                      const char  *base_url,
                      const char  *user_id,
                      GError     **error)
{
  g_autoptr(KehuSyncEngine) self = g_object_new (KEHU_TYPE_SYNC_ENGINE, NULL);
  g_autofree char *dir = g_path_get_dirname (cache_path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CACHE, _("The cache folder “%s” cannot be made"), dir);
      return NULL;
    }
  if (!(self->store = kehu_store_open (cache_path, error)) ||
      !(self->schema = kehu_schema_new (self->store, error)))
    return NULL;
  /* The cache mirrors what the server checked; records arrive in rev
   * order, which is not always parent first. */
  /* A first pull writes every index of every table: give it pages to
   * work in (64 MiB) rather than SQLite's default 2 MiB. */
  if (!kehu_store_exec (self->store, "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536", error) ||
      !kehu_sync_mark_cache (self->store, error))
    return NULL;
  self->ctx = kehu_context_new (self->schema, user_id);
  kehu_context_set_outbox (self->ctx, TRUE);
  self->session = new_session ();
  self->base_url = g_strdup (base_url);
  self->user_id = g_strdup (user_id);
  return g_steal_pointer (&self);
}

void
kehu_sync_engine_set_token (KehuSyncEngine *self,
                            const char     *token)
{
  g_free (self->token);
  self->token = g_strdup (token);
}

void
kehu_sync_engine_set_batch (KehuSyncEngine *self,
                            guint           push_ops,
                            guint           pull_limit)
{
  self->push_ops = CLAMP (push_ops, 1, 500);
  self->pull_limit = CLAMP (pull_limit, 1, 5000);
}

void
kehu_sync_engine_set_progress (KehuSyncEngine       *self,
                               KehuSyncProgressFunc  func,
                               gpointer              user_data)
{
  self->progress = func;
  self->progress_data = user_data;
}

KehuContext *
kehu_sync_engine_get_context (KehuSyncEngine *self)
{
  return self->ctx;
}

KehuStore *
kehu_sync_engine_get_store (KehuSyncEngine *self)
{
  return self->store;
}

/* Bookkeeping in kehu_meta ------------------------------------------------------------ */

static gint64
meta_get (KehuSyncEngine *self,
          const char     *key,
          gint64          fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2 (kehu_store_get_db (self->store), "SELECT value FROM kehu_meta WHERE key = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return fallback;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
meta_set (KehuSyncEngine  *self,
          const char      *key,
          gint64           value,
          GError         **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                           "INSERT INTO kehu_meta (key, value) VALUES (?1, ?2)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, rc, error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : kehu_store_set_error_from_db (self->store, rc, error);
}

/* The engine's statements, prepared once per connection: a push answers
 * each op with a few of them. Reset, bindings cleared. */
static sqlite3_stmt *
kept_statement (KehuSyncEngine *self,
                const char     *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (kehu_store_get_db (self->store), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        return NULL;
      g_hash_table_insert (self->statements, g_strdup (sql), stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static gboolean
exec_bound (KehuSyncEngine  *self,
            GError         **error,
            const char      *sql,
            const char      *types,
            ...)
{
  sqlite3_stmt *stmt = kept_statement (self, sql);
  va_list args;
  int rc;

  if (stmt == NULL)
    return kehu_store_set_error_from_db (self->store, sqlite3_errcode (kehu_store_get_db (self->store)), error);
  va_start (args, types);
  kehu_store_bind_va (stmt, types, args);
  va_end (args);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE ? TRUE : kehu_store_set_error_from_db (self->store, rc, error);
}

static gint64
local_rev (KehuSyncEngine *self,
           const char     *module,
           const char     *id)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 rev = -1;

  if (kehu_schema_get_module (self->schema, module) == NULL)
    return -1;
  sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?1", module);
  if ((stmt = kept_statement (self, sql)) == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rev;
}

/* Blobs ----------------------------------------------------------------------------------- */

static char *
blob_path (KehuSyncEngine *self,
           const char     *sha)
{
  g_autofree char *dir = g_path_get_dirname (kehu_store_get_path (self->store));
  g_autofree char *prefix = g_strndup (sha, 2);

  return g_build_filename (dir, "blobs", prefix, sha, NULL);
}

static gboolean
valid_sha (const char *sha)
{
  return sha != NULL && strlen (sha) == 64 && strspn (sha, "0123456789abcdef") == 64;
}

static gboolean
keep_blob (KehuSyncEngine  *self,
           const char      *sha,
           GBytes          *data,
           GError         **error)
{
  g_autofree char *path = blob_path (self, sha);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *now = kehu_context_now_string (self->ctx);

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data), error))
    {
      if (error && *error == NULL)
        g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CACHE, _("The cache folder “%s” cannot be made"), dir);
      return FALSE;
    }
  return exec_bound (self, error,
                     "INSERT INTO blobs (sha256, size, path, stored_at) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (sha256) DO NOTHING",
                     "siss", sha, (gint64) g_bytes_get_size (data), path, now);
}

char *
kehu_sync_engine_add_blob (KehuSyncEngine  *self,
                           GBytes          *data,
                           GError         **error)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);

  if (!keep_blob (self, sha, data, error))
    return NULL;
  return g_steal_pointer (&sha);
}

static GBytes *
local_blob (KehuSyncEngine *self,
            const char     *sha)
{
  g_autofree char *path = blob_path (self, sha);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static gboolean
blob_request (KehuSyncEngine  *self,
              const char      *method,
              const char      *sha,
              GBytes          *body,
              GBytes         **reply,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autofree char *path = g_strconcat ("/blobs/", sha, NULL);
  g_autofree char *url = api_url (self, path);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autofree char *auth = g_strconcat ("Bearer ", self->token ? self->token : "", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  guint status;

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", auth);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (message, "application/octet-stream", body);
  bytes = soup_session_send_and_read (self->session, message, cancellable, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK, _("The server cannot be reached: %s"), local_error->message);
      return FALSE;
    }
  status = soup_message_get_status (message);
  if (status < 200 || status >= 300)
    {
      g_set_error (error, KEHU_SYNC_ERROR, status >= 500 ? KEHU_SYNC_ERROR_NETWORK : KEHU_SYNC_ERROR_SERVER,
                   _("The attachment %s could not be transferred (HTTP %u)"), sha, status);
      return FALSE;
    }
  if (reply != NULL)
    *reply = g_steal_pointer (&bytes);
  return TRUE;
}

GBytes *
kehu_sync_engine_fetch_blob (KehuSyncEngine  *self,
                             const char      *sha256,
                             GCancellable    *cancellable,
                             GError         **error)
{
  g_autoptr(GBytes) data = NULL;
  g_autofree char *actual = NULL;

  if (!valid_sha (sha256))
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("“%s” is not a SHA-256"), sha256);
      return NULL;
    }
  if ((data = local_blob (self, sha256)) != NULL)
    return g_steal_pointer (&data);
  if (!blob_request (self, "GET", sha256, NULL, &data, cancellable, error))
    return NULL;
  /* Content-addressed: what arrives must hash to its name. */
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  if (g_strcmp0 (actual, sha256) != 0)
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The attachment %s arrived damaged"), sha256);
      return NULL;
    }
  if (!keep_blob (self, sha256, data, error))
    return NULL;
  return g_steal_pointer (&data);
}

/* Push ------------------------------------------------------------------------------------ */

typedef struct
{
  gint64  seq;
  char   *op_id;
  char   *module;
  char   *record_id;
  char   *kind;
  char   *action;
} QueuedOp;

static void
queued_op_free (QueuedOp *op)
{
  g_free (op->op_id);
  g_free (op->module);
  g_free (op->record_id);
  g_free (op->kind);
  g_free (op->action);
  g_free (op);
}

/* The next ops in order, marked as sent (from now on frozen: no more
 * coalescing into them), and the request body. */
static GPtrArray *
take_batch (KehuSyncEngine  *self,
            char           **body,
            GPtrArray       *blobs,
            GError         **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) queued_op_free);
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!kehu_store_begin (self->store, error))
    return NULL;
  rc = sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                           "SELECT seq, op_id, module, record_id, kind, action, fields, base_rev"
                           " FROM sync_outbox ORDER BY seq LIMIT ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_rollback (self->store);
      kehu_store_set_error_from_db (self->store, rc, error);
      return NULL;
    }
  sqlite3_bind_int (stmt, 1, self->push_ops);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      QueuedOp *op = g_new0 (QueuedOp, 1);
      JsonObject *object = json_object_new ();
      JsonNode *fields = json_from_string ((const char *) sqlite3_column_text (stmt, 6), NULL);

      op->seq = sqlite3_column_int64 (stmt, 0);
      op->op_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      op->module = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      op->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      op->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      op->action = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_ptr_array_add (ops, op);

      json_object_set_string_member (object, "op_id", op->op_id);
      json_object_set_string_member (object, "module", op->module);
      json_object_set_string_member (object, "id", op->record_id);
      json_object_set_string_member (object, "kind", op->kind);
      if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
        json_object_set_string_member (object, "action", (const char *) sqlite3_column_text (stmt, 5));
      if (fields != NULL && JSON_NODE_HOLDS_OBJECT (fields))
        json_object_set_member (object, "fields", fields);
      else
        {
          g_clear_pointer (&fields, json_node_unref);
          json_object_set_object_member (object, "fields", json_object_new ());
        }
      json_object_set_int_member (object, "base_rev", sqlite3_column_int64 (stmt, 7));
      json_array_add_object_element (array, object);
      if (g_str_equal (op->module, "attachments") && g_str_equal (op->kind, "create") && blobs != NULL)
        {
          JsonObject *f = json_object_get_object_member (object, "fields");
          const char *sha = json_object_get_string_member_with_default (f, "sha256", NULL);

          if (valid_sha (sha))
            g_ptr_array_add (blobs, g_strdup (sha));
        }
    }
  sqlite3_finalize (stmt);

  if (ops->len > 0 &&
      !exec_bound (self, error, "UPDATE sync_outbox SET attempts = attempts + 1 WHERE seq <= ?1", "i",
                   ((QueuedOp *) g_ptr_array_index (ops, ops->len - 1))->seq))
    {
      kehu_store_rollback (self->store);
      return NULL;
    }
  if (!kehu_store_commit (self->store, error))
    {
      kehu_store_rollback (self->store);
      return NULL;
    }

  json_object_set_array_member (root, "ops", g_steal_pointer (&array));
  node = json_node_init_object (json_node_alloc (), root);
  *body = json_to_string (node, FALSE);
  return g_steal_pointer (&ops);
}

static gboolean
record_conflicts (KehuSyncEngine  *self,
                  QueuedOp        *op,
                  JsonArray       *conflicts,
                  GError         **error)
{
  g_autofree char *now = kehu_context_now_string (self->ctx);

  for (guint i = 0; i < json_array_get_length (conflicts); i++)
    {
      JsonObject *c = json_array_get_object_element (conflicts, i);
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *local = json_to_string (json_object_get_member (c, "client_value"), FALSE);
      g_autofree char *server = json_to_string (json_object_get_member (c, "server_value"), FALSE);

      if (!exec_bound (self, error,
                       "INSERT INTO sync_conflicts (id, module, record_id, field, local_value, server_value,"
                       " server_rev, op_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       "ssssssiss", id, op->module, op->record_id,
                       json_object_get_string_member (c, "field"), local, server,
                       json_object_get_int_member_with_default (c, "server_rev", 0), op->op_id, now))
        return FALSE;
    }
  return TRUE;
}

/* The answer to an approval action: the instance as the server has it
 * now replaces the optimistic one; a refusal also brings the record back. */
/* The refusal outlives the sync's stats: the record's pages show it after
 * a restart too, until the user changes the record again. */
static gboolean
keep_refusal (KehuSyncEngine  *self,
              QueuedOp        *op,
              const char      *message,
              GError         **error)
{
  return exec_bound (self, error,
                     "INSERT OR REPLACE INTO sync_refusals (module, record_id, action, message, at)"
                     " VALUES (?1, ?2, ?3, ?4, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                     "ssss", op->module, op->record_id, op->action ? op->action : op->kind, message);
}

static gboolean
apply_approval_result (KehuSyncEngine  *self,
                       QueuedOp        *op,
                       JsonObject      *result,
                       KehuSyncStats   *stats,
                       GError         **error)
{
  const char *status = json_object_get_string_member_with_default (result, "status", "");
  JsonNode *instance = json_object_get_member (result, "approval");
  JsonNode *record = json_object_get_member (result, "record");
  const char *module = json_object_get_string_member_with_default (result, "module", NULL);

  if (g_str_equal (status, "rejected"))
    {
      const char *message = json_object_get_string_member_with_default (result, "message", "");

      stats->rejected++;
      add_message (stats, message);
      add_rejection (stats, op->module, op->record_id, op->action ? op->action : op->kind, message);
      if (!keep_refusal (self, op, message, error))
        return FALSE;
    }
  else if (g_str_equal (status, "applied") || g_str_equal (status, "merged"))
    stats->applied++;
  else
    {
      g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server answered an op with “%s”"), status);
      return FALSE;
    }

  if (instance != NULL && JSON_NODE_HOLDS_OBJECT (instance))
    {
      if (!kehu_sync_cache_put_approval (self->ctx, json_node_get_object (instance), error))
        return FALSE;
    }
  else if (g_str_equal (status, "rejected") &&
           !kehu_sync_cache_drop_approval (self->ctx, op->record_id, error))
    return FALSE;
  if (module != NULL && record != NULL && JSON_NODE_HOLDS_OBJECT (record) &&
      kehu_schema_get_module (self->schema, module) != NULL)
    return kehu_sync_cache_put (self->ctx, module, json_node_get_object (record), error);
  return TRUE;
}

/* One answer, in the transaction that removes its op. */
static gboolean
apply_result (KehuSyncEngine  *self,
              QueuedOp        *op,
              JsonObject      *result,
              KehuSyncStats   *stats,
              GError         **error)
{
  const char *status = json_object_get_string_member_with_default (result, "status", "");
  JsonObject *record = json_object_has_member (result, "record") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "record"))
                       ? json_object_get_object_member (result, "record") : NULL;

  if (!exec_bound (self, error, "DELETE FROM sync_outbox WHERE op_id = ?1", "s", op->op_id))
    return FALSE;
  stats->pushed++;

  if (g_str_equal (op->module, "approval_instances"))
    return apply_approval_result (self, op, result, stats, error);

  if (g_str_equal (status, "applied"))
    {
      gint64 rev = json_object_get_int_member_with_default (result, "rev", 0);
      gint64 prev_rev = json_object_get_int_member_with_default (result, "prev_rev", 0);
      gint64 mine = local_rev (self, op->module, op->record_id);

      stats->applied++;
      /* Nobody else changed the record in between: the server's version is
       * the one the user sees, and later ops saw it too. */
      if (mine >= 0 && prev_rev <= mine && rev > mine)
        {
          g_autofree char *sql = g_strdup_printf ("UPDATE %s SET rev = ?1 WHERE id = ?2", op->module);
          if (!exec_bound (self, error, sql, "is", rev, op->record_id))
            return FALSE;
        }
      return exec_bound (self, error,
                         "UPDATE sync_outbox SET base_rev = ?1 WHERE module = ?2 AND record_id = ?3 AND base_rev >= ?4",
                         "issi", rev, op->module, op->record_id, prev_rev);
    }
  if (g_str_equal (status, "merged") || g_str_equal (status, "conflict"))
    {
      stats->applied++;
      if (g_str_equal (status, "conflict") && json_object_has_member (result, "conflicts"))
        {
          JsonArray *conflicts = json_object_get_array_member (result, "conflicts");

          stats->conflicts += json_array_get_length (conflicts);
          if (!record_conflicts (self, op, conflicts, error))
            return FALSE;
        }
      return record == NULL || kehu_sync_cache_put (self->ctx, op->module, record, error);
    }
  if (g_str_equal (status, "rejected"))
    {
      g_autofree char *message = g_strdup_printf ("%s", json_object_get_string_member_with_default (result, "message", ""));

      stats->rejected++;
      add_message (stats, message);
      add_rejection (stats, op->module, op->record_id, op->action ? op->action : op->kind, message);
      if (!keep_refusal (self, op, message, error))
        return FALSE;
      /* Take the local change back: the server's version, or nothing. */
      if (record != NULL)
        return kehu_sync_cache_put (self->ctx, op->module, record, error);
      if (json_object_get_boolean_member_with_default (result, "gone", FALSE))
        return kehu_sync_cache_drop (self->ctx, op->module, op->record_id, error);
      return TRUE;
    }
  g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server answered an op with “%s”"), status);
  return FALSE;
}

gboolean
kehu_sync_engine_push (KehuSyncEngine  *self,
                       KehuSyncStats   *stats,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autofree char *url = api_url (self, "/sync/push");

  for (;;)
    {
      g_autoptr(GPtrArray) ops = NULL;
      g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonNode) reply = NULL;
      g_autofree char *body = NULL;
      JsonArray *results;

      if (!(ops = take_batch (self, &body, blobs, error)))
        return FALSE;
      if (ops->len == 0)
        return TRUE;
      /* The contents first, then the records that point at them. */
      for (guint i = 0; i < blobs->len; i++)
        {
          g_autoptr(GBytes) data = local_blob (self, g_ptr_array_index (blobs, i));

          if (data != NULL && !blob_request (self, "PUT", g_ptr_array_index (blobs, i), data, NULL, cancellable, error))
            return FALSE;
        }
      if (!(reply = http (self->session, "POST", url, self->token, body, cancellable, error)))
        return FALSE;
      results = json_object_has_member (json_node_get_object (reply), "results")
                ? json_object_get_array_member (json_node_get_object (reply), "results") : NULL;
      if (results == NULL || json_array_get_length (results) != ops->len)
        {
          g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server answered a push with the wrong number of results"));
          return FALSE;
        }

      if (!kehu_store_begin (self->store, error))
        return FALSE;
      for (guint i = 0; i < ops->len; i++)
        if (!apply_result (self, g_ptr_array_index (ops, i), json_array_get_object_element (results, i), stats, error))
          {
            kehu_store_rollback (self->store);
            return FALSE;
          }
      if (!kehu_store_commit (self->store, error))
        {
          kehu_store_rollback (self->store);
          return FALSE;
        }
      if (ops->len < self->push_ops)
        return TRUE;
    }
}

/* Pull ----------------------------------------------------------------------------------- */

/* Search triggers cost far more than the rest of a pulled row: the first
 * pull writes without them and rebuilds the index once at the end. */
static GPtrArray *
search_triggers (KehuSyncEngine *self)
{
  GPtrArray *triggers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_fts\\_%' ESCAPE '\\'",
                          -1, &stmt, NULL) != SQLITE_OK)
    return triggers;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      char **t = g_new0 (char *, 3);
      t[0] = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      t[1] = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (triggers, t);
    }
  sqlite3_finalize (stmt);
  return triggers;
}

static gboolean
set_triggers (KehuSyncEngine  *self,
              GPtrArray       *triggers,
              gboolean         on,
              GError         **error)
{
  for (guint i = 0; i < triggers->len; i++)
    {
      char **t = g_ptr_array_index (triggers, i);
      g_autofree char *drop = g_strdup_printf ("DROP TRIGGER IF EXISTS %s", t[0]);

      if (!kehu_store_exec (self->store, on ? t[1] : drop, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
wipe_synced (KehuSyncEngine  *self,
             GError         **error)
{
  const char * const *modules = kehu_schema_list_modules ();

  for (guint i = 0; modules[i]; i++)
    {
      g_autofree char *sql = NULL;
      const KehuModule *module = kehu_schema_get_module (self->schema, modules[i]);

      if (module == NULL || !kehu_module_has_column (module, "rev"))
        continue;
      sql = g_strdup_printf ("DELETE FROM %s WHERE rev > 0 AND NOT EXISTS"
                             " (SELECT 1 FROM sync_outbox o WHERE o.module = ?1 AND o.record_id = %s.id)",
                             modules[i], modules[i]);
      if (!exec_bound (self, error, sql, "s", modules[i]))
        return FALSE;
    }
  /* Approvals and teams come again too, but for those with an unanswered
   * action (a team row of a pending transfer). */
  return kehu_store_exec (self->store,
                          "DELETE FROM team_members WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o"
                          " WHERE o.module = team_members.module AND o.record_id = team_members.record_id);"
                          "DELETE FROM approval_waiting WHERE instance_id NOT IN"
                          " (SELECT record_id FROM sync_outbox WHERE module = 'approval_instances');"
                          "DELETE FROM approval_actions WHERE instance_id NOT IN"
                          " (SELECT record_id FROM sync_outbox WHERE module = 'approval_instances');"
                          "DELETE FROM approval_instances WHERE id NOT IN"
                          " (SELECT record_id FROM sync_outbox WHERE module = 'approval_instances')",
                          error);
}

/* A first pull into an empty cache maintained every secondary index of
 * every row as it went (about 40 µs a customer, most of the pull): those
 * indexes are dropped for it and made again once at the end, sorted in
 * one go, like the search index. Their SQL waits in kehu_meta, written in
 * the transaction that drops them, so a pull killed half-way makes them
 * at the end of the next one. UNIQUE indexes stay: they are constraints. */
#define DEFERRED_INDEX "sync.deferred_index."

static gboolean
has_deferred_indexes (KehuSyncEngine *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                          "SELECT 1 FROM kehu_meta WHERE key LIKE '" DEFERRED_INDEX "%'", -1, &stmt, NULL) == SQLITE_OK)
    found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

/* In the caller's transaction. */
static gboolean
defer_indexes (KehuSyncEngine  *self,
               GError         **error)
{
  const char * const *modules = kehu_schema_list_modules ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                           "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1"
                           " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, rc, error);
  for (guint i = 0; modules[i]; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, modules[i], -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *key = g_strconcat (DEFERRED_INDEX, (const char *) sqlite3_column_text (stmt, 0), NULL);

          if (!exec_bound (self, error, "INSERT INTO kehu_meta (key, value) VALUES (?1, ?2)"
                                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           "ss", key, (const char *) sqlite3_column_text (stmt, 1)))
            {
              sqlite3_finalize (stmt);
              return FALSE;
            }
          g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
        }
    }
  sqlite3_finalize (stmt);

  /* The per-day report totals' triggers too: kehu_report_rebuild_day_totals()
   * adds the pulled rows up once at the end. */
  rc = sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                           "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND name GLOB 'report_days_*'",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, rc, error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = g_strconcat (DEFERRED_INDEX, (const char *) sqlite3_column_text (stmt, 0), NULL);

      if (!exec_bound (self, error, "INSERT INTO kehu_meta (key, value) VALUES (?1, ?2)"
                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       "ss", key, (const char *) sqlite3_column_text (stmt, 1)))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
      g_ptr_array_add (names, g_strconcat ("TRIGGER\x1f", (const char *) sqlite3_column_text (stmt, 0), NULL));
    }
  sqlite3_finalize (stmt);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      gboolean trigger = g_str_has_prefix (name, "TRIGGER\x1f");
      /* Names from sqlite_master, not from the user. */
      g_autofree char *drop = trigger ? g_strdup_printf ("DROP TRIGGER IF EXISTS \"%s\"", name + strlen ("TRIGGER\x1f"))
                                      : g_strdup_printf ("DROP INDEX IF EXISTS \"%s\"", name);

      if (!kehu_store_exec (self->store, drop, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
restore_indexes (KehuSyncEngine  *self,
                 GError         **error)
{
  g_autoptr(GPtrArray) sqls = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  gboolean rebuild_totals = FALSE;
  int rc;

  if (!kehu_store_begin (self->store, error))
    return FALSE;
  rc = sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                           "SELECT value FROM kehu_meta WHERE key LIKE '" DEFERRED_INDEX "%' ORDER BY key", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_rollback (self->store);
      return kehu_store_set_error_from_db (self->store, rc, error);
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (sqls, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  for (guint i = 0; i < sqls->len; i++)
    {
      /* The index's own SQL as SQLite kept it; IF NOT EXISTS in case a
       * migration made it again meanwhile. */
      const char *sql = g_ptr_array_index (sqls, i);
      g_autofree char *create = g_str_has_prefix (sql, "CREATE INDEX ")
                                ? g_strconcat ("CREATE INDEX IF NOT EXISTS ", sql + strlen ("CREATE INDEX "), NULL)
                                : g_str_has_prefix (sql, "CREATE TRIGGER ")
                                ? g_strconcat ("CREATE TRIGGER IF NOT EXISTS ", sql + strlen ("CREATE TRIGGER "), NULL)
                                : g_strdup (sql);

      if (g_str_has_prefix (sql, "CREATE TRIGGER "))
        rebuild_totals = TRUE;

      if (!kehu_store_exec (self->store, create, error))
        {
          kehu_store_rollback (self->store);
          return FALSE;
        }
    }
  if ((rebuild_totals && !kehu_report_rebuild_day_totals (self->store, error)) ||
      !exec_bound (self, error, "DELETE FROM kehu_meta WHERE key LIKE '" DEFERRED_INDEX "%'", "") ||
      !kehu_store_commit (self->store, error))
    {
      kehu_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

/* The page's own members, read by a scan of its text (no tree). */
static gboolean
read_head (KehuSyncEngine  *self,
           GBytes          *page,
           KehuSyncPage    *head,
           GError         **error)
{
  if (kehu_sync_page_read_head (g_bytes_get_data (page, NULL), g_bytes_get_size (page), head))
    return TRUE;
  g_set_error (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL, _("The server’s pull answer has no changes"));
  return FALSE;
}

static gboolean
apply_page (KehuSyncEngine  *self,
            GBytes          *page,
            KehuSyncPage    *head,
            gboolean         without_search,
            GPtrArray       *triggers,
            KehuSyncStats   *stats,
            GError         **error)
{
  g_autoptr(GPtrArray) settings_changed = NULL;
  gint64 settings_rev = 0;
  g_autoptr(GPtrArray) changed_modules = g_ptr_array_new_with_free_func (g_free);

  if (!kehu_store_begin (self->store, error))
    return FALSE;
  if (without_search &&
      (!set_triggers (self, triggers, FALSE, error) || !meta_set (self, "sync.search_dirty", 1, error)))
    goto fail;
  if (without_search && head->cursor > 0 && !has_deferred_indexes (self) && !defer_indexes (self, error))
    goto fail;
  if (!kehu_sync_cache_apply_page (self->ctx, g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                   &stats->pulled, &stats->gone, error) ||
      !kehu_sync_cache_apply_approvals (self->ctx, g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                        &stats->pulled, error) ||
      !kehu_sync_cache_apply_teams (self->ctx, head, changed_modules, error))
    goto fail;
  /* The settings snapshot comes on the last page, after its records (a
   * stage's group is one of them): replaced in the same transaction. */
  if (head->settings != NULL)
    {
      settings_changed = g_ptr_array_new_with_free_func (g_free);
      if (!kehu_sync_cache_apply_settings (self->store, head->settings, head->settings_length,
                                           &settings_rev, settings_changed, error) ||
          !meta_set (self, "sync.settings_rev", settings_rev, error))
        goto fail;
    }
  if (without_search && !set_triggers (self, triggers, TRUE, error))
    goto fail;
  if (!meta_set (self, "sync.cursor", head->cursor, error) ||
      !meta_set (self, "sync.epoch", head->epoch, error) ||
      !kehu_store_commit (self->store, error))
    goto fail;
  /* Named like the other changed modules: the app reloads what shows them
   * (some of these tables have no rowid, which the update hook misses). */
  for (guint i = 0; settings_changed != NULL && i < settings_changed->len; i++)
    g_ptr_array_add (changed_modules, g_strdup (settings_changed->pdata[i]));
  for (guint i = 0; i < changed_modules->len; i++)
    if (!kehu_sync_stats_has_module (stats, changed_modules->pdata[i]))
      {
        if (stats->modules == NULL)
          stats->modules = g_ptr_array_new_with_free_func (g_free);
        g_ptr_array_add (stats->modules, g_strdup (changed_modules->pdata[i]));
      }
  return TRUE;

fail:
  kehu_store_rollback (self->store);
  return FALSE;
}

/* The next page is asked for while this one is written: the server reads
 * and the client writes at the same time (on a first pull each takes
 * about as long as the other). On its own thread with its own session,
 * which only that thread touches. */
typedef struct
{
  GThread      *thread;
  SoupSession  *session;
  char         *url;
  char         *token;
  GCancellable *cancellable;
  GBytes       *page;
  GError       *error;
} Prefetch;

static gpointer
prefetch_thread (gpointer data)
{
  Prefetch *prefetch = data;

  prefetch->session = new_session ();
  http_full (prefetch->session, "GET", prefetch->url, prefetch->token, NULL, &prefetch->page,
             prefetch->cancellable, &prefetch->error);
  g_clear_object (&prefetch->session);
  return NULL;
}

static char *
pull_url (KehuSyncEngine *self,
          gint64          cursor,
          gint64          epoch)
{
  g_autofree char *path = g_strdup_printf ("/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=%u&epoch=%" G_GINT64_FORMAT,
                                           cursor, self->pull_limit, epoch);
  gint64 settings_rev = meta_get (self, "sync.settings_rev", -1);

  /* The settings revision the cache holds: the server sends the snapshot
   * only when its own differs. */
  if (settings_rev >= 0)
    {
      g_autofree char *with_rev = g_strdup_printf ("%s&settings_rev=%" G_GINT64_FORMAT, path, settings_rev);
      return api_url (self, with_rev);
    }
  return api_url (self, path);
}

static Prefetch *
prefetch_start (KehuSyncEngine *self,
                gint64          cursor,
                gint64          epoch,
                GCancellable   *cancellable)
{
  Prefetch *prefetch = g_new0 (Prefetch, 1);

  prefetch->url = pull_url (self, cursor, epoch);
  prefetch->token = g_strdup (self->token);
  prefetch->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  prefetch->thread = g_thread_new ("kehu-sync-pull", prefetch_thread, prefetch);
  return prefetch;
}

/* Waits for the page; returns it (or NULL with @error) and frees @prefetch. */
static GBytes *
prefetch_finish (Prefetch  *prefetch,
                 GError   **error)
{
  GBytes *page;

  g_thread_join (prefetch->thread);
  page = g_steal_pointer (&prefetch->page);
  if (page == NULL)
    g_propagate_error (error, g_steal_pointer (&prefetch->error));
  g_clear_error (&prefetch->error);
  g_clear_object (&prefetch->cancellable);
  g_free (prefetch->url);
  g_free (prefetch->token);
  g_free (prefetch);
  return page;
}

static void
prefetch_cancel (Prefetch *prefetch)
{
  g_autoptr(GBytes) page = NULL;

  if (prefetch != NULL)
    page = prefetch_finish (prefetch, NULL);
}

gboolean
kehu_sync_engine_pull (KehuSyncEngine  *self,
                       KehuSyncStats   *stats,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(GPtrArray) triggers = search_triggers (self);
  guint total = 0, received = 0;
  gboolean without_search = meta_get (self, "sync.cursor", 0) == 0;
  Prefetch *prefetch = NULL;

  for (;;)
    {
      gint64 cursor = meta_get (self, "sync.cursor", 0);
      gint64 epoch = meta_get (self, "sync.epoch", -1);
      g_autoptr(GBytes) page = NULL;
      KehuSyncPage head = { 0 };

      /* The prefetched page is the one for this cursor and epoch: it was
       * asked for with those the previous page set. */
      if (prefetch != NULL)
        page = prefetch_finish (g_steal_pointer (&prefetch), error);
      else
        {
          g_autofree char *url = pull_url (self, cursor, epoch);

          http_full (self->session, "GET", url, self->token, NULL, &page, cancellable, error);
        }
      if (page == NULL)
        return FALSE;
      if (!read_head (self, page, &head, error))
        return FALSE;

      if (head.reset)
        {
          /* Keep the unsent outbox; everything else comes again. */
          stats->reset = TRUE;
          if (!kehu_store_begin (self->store, error))
            return FALSE;
          /* The settings come again with the last page of the re-pull. */
          if (!wipe_synced (self, error) ||
              !meta_set (self, "sync.settings_rev", -1, error) ||
              !meta_set (self, "sync.cursor", 0, error) ||
              !meta_set (self, "sync.epoch", head.epoch, error) ||
              !kehu_store_commit (self->store, error))
            {
              kehu_store_rollback (self->store);
              return FALSE;
            }
          without_search = TRUE;
          continue;
        }

      if (head.more)
        prefetch = prefetch_start (self, head.cursor, head.epoch, cancellable);
      if (cursor == 0)
        total = head.total;
      {
        guint before = stats->pulled + stats->gone;

        if (!apply_page (self, page, &head, without_search, triggers, stats, error))
          {
            prefetch_cancel (prefetch);
            return FALSE;
          }
        received += stats->pulled + stats->gone - before;
      }
      if (self->progress)
        self->progress (received, MAX (total, received), self->progress_data);
      if (!head.more)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          prefetch_cancel (prefetch);
          return FALSE;
        }
    }

  if (has_deferred_indexes (self) && !restore_indexes (self, error))
    return FALSE;
  if (meta_get (self, "sync.search_dirty", 0) != 0)
    {
      if (!kehu_search_rebuild (self->store, error) ||
          !meta_set (self, "sync.search_dirty", 0, error))
        return FALSE;
    }
  /* After a first pull the planner knows nothing of the new rows: without
   * statistics a department's dashboard walks the wrong indexes. Cheap when
   * nothing grew much. */
  return kehu_store_refresh_stats (self->store, FALSE, NULL, error);
}

static gboolean
prune_local_side_effects (KehuSyncEngine  *self,
                          GError         **error)
{
  if (!kehu_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; record_modules[i]; i++)
    {
      g_autofree char *sql = NULL;

      if (kehu_schema_get_module (self->schema, record_modules[i]) == NULL)
        continue;
      sql = g_strdup_printf ("DELETE FROM %s WHERE rev = 0 AND NOT EXISTS"
                             " (SELECT 1 FROM sync_outbox o WHERE o.module = ?1 AND o.record_id = %s.id)",
                             record_modules[i], record_modules[i]);
      if (!exec_bound (self, error, sql, "s", record_modules[i]))
        {
          kehu_store_rollback (self->store);
          return FALSE;
        }
    }
  return kehu_store_commit (self->store, error);
}

gboolean
kehu_sync_engine_run (KehuSyncEngine  *self,
                      KehuSyncStats   *stats,
                      GCancellable    *cancellable,
                      GError         **error)
{
  Touched touched;
  gboolean ok;

  watch_begin (self, &touched);
  ok = kehu_sync_engine_push (self, stats, cancellable, error) &&
       kehu_sync_engine_pull (self, stats, cancellable, error) &&
       prune_local_side_effects (self, error);
  watch_end (self, &touched, stats);
  return ok;
}
