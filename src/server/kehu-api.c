/* kehu-api.c: routing, request context, JSON replies and errors for /api/v1
 *
 * Routes are registered by the kehu-api-*.c files as (method, pattern)
 * pairs; a pattern segment in braces, like "{id}", matches one path segment
 * and is available through kehu_request_get_param(). Every reply, errors
 * included, is JSON: {"error":{"code","message","field"}}.
 *
 * A KehuRequest lives for one call of a route: it carries the parsed
 * query, the authenticated user (kehu_request_require_user()), the clock
 * (an X-Kehu-Now header is honoured only with --test-clock) and the body
 * checks every route shares: size limit, JSON syntax, member types,
 * unknown and missing members.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-query.h"
#include "kehu-record.h"

typedef struct
{
  char           *method;
  char           *pattern;
  char          **segments;
  KehuRouteFunc   func;
  gpointer        data;
} KehuRoute;

struct _KehuRequest
{
  KehuApi           *api;
  SoupServerMessage *msg;
  GHashTable        *params;
  GHashTable        *query;
  gpointer           route_data;
  KehuPerm          *perm;
  GDateTime         *now;
  char              *token;
  gboolean           replied;
  gboolean           paused;
};

struct _KehuApi
{
  GObject      parent_instance;

  KehuStore   *store;
  KehuSchema  *schema;
  SoupServer  *server;
  GPtrArray   *routes;
  char        *data_dir;
  gboolean     test_clock;

  /* token hash → CachedAuth: a few seconds of memory saves the token
   * lookup and the scope queries on every request. Any write to the
   * organisation or to sessions clears it at once. */
  GHashTable  *auth_cache;

  /* module → "SELECT * … WHERE id = ?1", prepared once: parsing a wide
   * SELECT * costs more than running it. */
  GHashTable  *read_statements;
};

#define AUTH_CACHE_USEC (2 * G_USEC_PER_SEC)

typedef struct
{
  char     *user_id;
  char     *expires_at;
  KehuPerm *perm;
  gint64    cached_at;
} CachedAuth;

static void
cached_auth_free (gpointer data)
{
  CachedAuth *cached = data;

  g_free (cached->user_id);
  g_free (cached->expires_at);
  g_clear_object (&cached->perm);
  g_free (cached);
}

G_DEFINE_FINAL_TYPE (KehuApi, kehu_api, G_TYPE_OBJECT)

/* API errors carry the name of the field they are about. */
typedef struct
{
  char *field;
} KehuApiErrorPrivate;

static void
kehu_api_error_private_init (KehuApiErrorPrivate *priv)
{
  priv->field = NULL;
}

static void
kehu_api_error_private_copy (const KehuApiErrorPrivate *src,
                             KehuApiErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
}

static void
kehu_api_error_private_clear (KehuApiErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
}

G_DEFINE_EXTENDED_ERROR (KehuApiError, kehu_api_error)

void
kehu_api_set_error (GError       **error,
                    KehuApiError   code,
                    const char    *field,
                    const char    *format,
                    ...)
{
  g_autofree char *message = NULL;
  GError *new_error;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  new_error = g_error_new_literal (KEHU_API_ERROR, code, message);
  kehu_api_error_get_private (new_error)->field = g_strdup (field);
  g_propagate_error (error, new_error);
}

const char *
kehu_api_error_get_field (const GError *error)
{
  KehuApiErrorPrivate *priv = kehu_api_error_get_private (error);

  return priv ? priv->field : NULL;
}

static void
kehu_route_free (gpointer data)
{
  KehuRoute *route = data;

  g_free (route->method);
  g_free (route->pattern);
  g_strfreev (route->segments);
  g_free (route);
}

char *
kehu_iso_from_datetime (GDateTime *datetime)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (datetime);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

char *
kehu_new_uuid (void)
{
  return g_uuid_string_random ();
}

/* A row as a JSON object: integers stay integers, NULL stays null, and
 * the columns named in @json_columns (JSON kept as text) are parsed. */
JsonObject *
kehu_json_object_from_stmt (sqlite3_stmt        *stmt,
                            const char * const  *json_columns)
{
  JsonObject *object = json_object_new ();
  int n = sqlite3_column_count (stmt);

  for (int i = 0; i < n; i++)
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
          {
            const char *text = (const char *) sqlite3_column_text (stmt, i);

            if (json_columns != NULL && g_strv_contains (json_columns, name))
              {
                g_autoptr(JsonParser) parser = json_parser_new ();

                if (json_parser_load_from_data (parser, text, -1, NULL))
                  {
                    json_object_set_member (object, name,
                                            json_node_copy (json_parser_get_root (parser)));
                    break;
                  }
              }
            json_object_set_string_member (object, name, text);
          }
          break;
        }
    }

  return object;
}

void
kehu_request_reply_json (KehuRequest *request,
                         guint        status,
                         JsonNode    *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *body = NULL;
  gsize length;

  json_generator_set_root (generator, node);
  body = json_generator_to_data (generator, &length);

  soup_server_message_set_status (request->msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (request->msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&body), length);
  request->replied = TRUE;
}

void
kehu_request_reply_object (KehuRequest *request,
                           guint        status,
                           JsonObject  *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  kehu_request_reply_json (request, status, node);
}

static void
reply_error_literal (KehuRequest *request,
                     guint        status,
                     const char  *code,
                     const char  *field,
                     const char  *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "field");
  if (field != NULL)
    json_builder_add_string_value (builder, field);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  kehu_request_reply_json (request, status, root);
}

void
kehu_request_reply_error (KehuRequest *request,
                          guint        status,
                          const char  *code,
                          const char  *field,
                          const char  *format,
                          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  reply_error_literal (request, status, code, field, message);
}

void
kehu_request_reply_gerror (KehuRequest  *request,
                           const GError *error)
{
  static const struct { guint status; const char *code; } api_codes[] = {
    [KEHU_API_ERROR_INVALID] = { 400, "invalid_value" },
    [KEHU_API_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
    [KEHU_API_ERROR_FORBIDDEN] = { 403, "forbidden" },
    [KEHU_API_ERROR_NOT_FOUND] = { 404, "not_found" },
    [KEHU_API_ERROR_CONFLICT] = { 409, "conflict" },
    [KEHU_API_ERROR_STALE] = { 412, "precondition_failed" },
    [KEHU_API_ERROR_LIMIT] = { 429, "limit_reached" },
    [KEHU_API_ERROR_UNPROCESSABLE] = { 422, "rule_violation" },
  };

  if (error->domain == KEHU_API_ERROR && (guint) error->code < G_N_ELEMENTS (api_codes))
    {
      reply_error_literal (request, api_codes[error->code].status, api_codes[error->code].code,
                           kehu_api_error_get_field (error), error->message);
      return;
    }

  if (error->domain == KEHU_RECORD_ERROR)
    {
      static const struct { guint status; const char *code; } record_codes[] = {
        [KEHU_RECORD_ERROR_UNKNOWN_MODULE] = { 404, "not_found" },
        [KEHU_RECORD_ERROR_UNKNOWN_FIELD] = { 400, "unknown_field" },
        [KEHU_RECORD_ERROR_WRONG_TYPE] = { 400, "invalid_type" },
        [KEHU_RECORD_ERROR_REQUIRED] = { 400, "missing_field" },
        [KEHU_RECORD_ERROR_NOT_IN_DICTIONARY] = { 400, "invalid_value" },
        [KEHU_RECORD_ERROR_BAD_DATE] = { 400, "invalid_value" },
        [KEHU_RECORD_ERROR_MISSING_REFERENCE] = { 400, "invalid_value" },
        [KEHU_RECORD_ERROR_DUPLICATE] = { 409, "duplicate" },
        [KEHU_RECORD_ERROR_READ_ONLY] = { 400, "read_only" },
        [KEHU_RECORD_ERROR_NOT_FOUND] = { 404, "not_found" },
        [KEHU_RECORD_ERROR_DELETED] = { 409, "deleted" },
        [KEHU_RECORD_ERROR_NOT_DELETED] = { 409, "not_deleted" },
        [KEHU_RECORD_ERROR_PARENT_GONE] = { 409, "parent_gone" },
        [KEHU_RECORD_ERROR_ALREADY_CONVERTED] = { 409, "already_converted" },
        [KEHU_RECORD_ERROR_INVALID] = { 400, "invalid_value" },
      };

      if ((guint) error->code < G_N_ELEMENTS (record_codes))
        {
          reply_error_literal (request, record_codes[error->code].status, record_codes[error->code].code,
                               kehu_record_error_get_field (error), error->message);
          return;
        }
    }

  if (error->domain == KEHU_QUERY_ERROR || error->domain == KEHU_SCHEMA_ERROR)
    {
      reply_error_literal (request, 400, "invalid_value", NULL, error->message);
      return;
    }

  if (error->domain == KEHU_STORE_ERROR)
    {
      switch (error->code)
        {
        case KEHU_STORE_ERROR_CONSTRAINT:
          reply_error_literal (request, 409, "conflict", NULL, error->message);
          return;
        case KEHU_STORE_ERROR_BUSY:
          reply_error_literal (request, 503, "busy", NULL, error->message);
          return;
        default:
          break;
        }
    }

  g_warning ("Internal error: %s", error->message);
  reply_error_literal (request, 500, "internal", NULL, error->message);
}

gboolean
kehu_request_has_replied (KehuRequest *request)
{
  return request->replied;
}

/* For routes that answer something other than JSON (blob downloads). */
void
kehu_request_mark_replied (KehuRequest *request)
{
  request->replied = TRUE;
}

SoupServerMessage *
kehu_request_get_message (KehuRequest *request)
{
  return request->msg;
}

KehuApi *
kehu_request_get_api (KehuRequest *request)
{
  return request->api;
}

gpointer
kehu_request_get_route_data (KehuRequest *request)
{
  return request->route_data;
}

const char *
kehu_request_get_param (KehuRequest *request,
                        const char  *name)
{
  return g_hash_table_lookup (request->params, name);
}

const char *
kehu_request_get_query (KehuRequest *request,
                        const char  *name)
{
  return request->query ? g_hash_table_lookup (request->query, name) : NULL;
}

GHashTable *
kehu_request_get_query_table (KehuRequest *request)
{
  return request->query;
}

const char *
kehu_request_get_header (KehuRequest *request,
                         const char  *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg), name);
}

const char *
kehu_request_get_address (KehuRequest *request)
{
  return soup_server_message_get_remote_host (request->msg);
}

/**
 * kehu_request_get_now:
 *
 * The time the request is handled at. With --test-clock an
 * "X-Kehu-Now: 2026-01-31T08:00:00Z" header replaces the real clock, so
 * that tests can move through days of pool rules and token expiry.
 *
 * Returns: (transfer none): the time
 */
GDateTime *
kehu_request_get_now (KehuRequest *request)
{
  if (request->now == NULL)
    {
      const char *fake = request->api->test_clock
                         ? kehu_request_get_header (request, "X-Kehu-Now") : NULL;

      if (fake != NULL)
        request->now = g_date_time_new_from_iso8601 (fake, NULL);
      if (request->now == NULL)
        request->now = g_date_time_new_now_utc ();
    }
  return request->now;
}

char *
kehu_request_get_now_iso (KehuRequest *request)
{
  return kehu_iso_from_datetime (kehu_request_get_now (request));
}

GBytes *
kehu_request_get_body (KehuRequest *request)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);

  return soup_message_body_flatten (body);
}

const char *
kehu_request_get_token (KehuRequest *request)
{
  return request->token;
}

/**
 * kehu_request_require_user:
 *
 * The authenticated user of the request, from "Authorization: Bearer
 * <token>". Without a valid token this replies 401 and returns %NULL: the
 * route then simply returns.
 *
 * Returns: (transfer none) (nullable): the user's permissions
 */
KehuPerm *
kehu_request_require_user (KehuRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *now_iso = NULL;
  CachedAuth *cached;
  const char *header;

  if (request->perm != NULL)
    return request->perm;

  header = kehu_request_get_header (request, "Authorization");
  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0')
    {
      kehu_request_reply_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                                _("Log in first: this request needs an “Authorization: Bearer” token"));
      return NULL;
    }

  request->token = g_strstrip (g_strdup (header + 7));

  token_hash = kehu_auth_hash_token (request->token);
  cached = g_hash_table_lookup (request->api->auth_cache, token_hash);
  if (cached != NULL &&
      g_get_monotonic_time () - cached->cached_at < AUTH_CACHE_USEC &&
      g_strcmp0 (cached->expires_at, now_iso = kehu_request_get_now_iso (request)) > 0)
    {
      request->perm = g_object_ref (cached->perm);
      return request->perm;
    }

  user_id = kehu_auth_check_token (request->api->store, request->token,
                                   kehu_request_get_now (request), &error);
  if (user_id != NULL)
    request->perm = kehu_perm_load (request->api->store, user_id, &error);

  if (request->perm != NULL && kehu_perm_is_enabled (request->perm))
    {
      CachedAuth *entry = g_new0 (CachedAuth, 1);

      entry->user_id = g_strdup (user_id);
      entry->expires_at = kehu_auth_get_token_expiry (request->api->store, token_hash);
      entry->perm = g_object_ref (request->perm);
      entry->cached_at = g_get_monotonic_time ();
      if (g_hash_table_size (request->api->auth_cache) > 10000)
        g_hash_table_remove_all (request->api->auth_cache);
      g_hash_table_replace (request->api->auth_cache, g_steal_pointer (&token_hash), entry);
    }

  if (request->perm == NULL || !kehu_perm_is_enabled (request->perm))
    {
      g_clear_object (&request->perm);
      kehu_request_reply_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                                "%s", error ? error->message : _("This account is disabled"));
      return NULL;
    }

  return request->perm;
}

/* Authenticated and holding @permission, or a 401/403 reply. */
KehuPerm *
kehu_request_require_permission (KehuRequest *request,
                                 const char  *permission)
{
  KehuPerm *perm = kehu_request_require_user (request);

  if (perm == NULL)
    return NULL;

  if (!kehu_perm_has (perm, permission))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", NULL,
                                _("You do not have the permission “%s”"), permission);
      return NULL;
    }

  return perm;
}

/* json-glib parses recursively: refuse absurd nesting before it does. */
static gboolean
nesting_within (const char *data,
                gsize       size,
                guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/**
 * kehu_request_read_json:
 *
 * Parses the body. Replies 413 when it is over the JSON limit and 400 when
 * it is not JSON, then returns %NULL.
 *
 * Returns: (transfer full) (nullable): the body
 */
JsonNode *
kehu_request_read_json (KehuRequest *request)
{
  g_autoptr(GBytes) body = kehu_request_get_body (request);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize size = g_bytes_get_size (body);
  JsonNode *root;

  if (size > KEHU_API_MAX_JSON_BODY)
    {
      kehu_request_reply_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large", NULL,
                                _("The request body is larger than %d bytes"), KEHU_API_MAX_JSON_BODY);
      return NULL;
    }

  if (size == 0)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body is empty; a JSON object was expected"));
      return NULL;
    }

  if (!nesting_within (g_bytes_get_data (body, NULL), size, KEHU_API_MAX_JSON_DEPTH))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body nests deeper than %d levels"), KEHU_API_MAX_JSON_DEPTH);
      return NULL;
    }

  if (!g_utf8_validate (g_bytes_get_data (body, NULL), size, NULL) ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), size, &error))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body is not valid JSON: %s"),
                                error ? error->message : _("it is not UTF-8"));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body is empty; a JSON object was expected"));
      return NULL;
    }

  return json_node_copy (root);
}

static gboolean
node_has_type (JsonNode      *node,
               KehuBodyType  type)
{
  switch (type)
    {
    case KEHU_BODY_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case KEHU_BODY_INT:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    case KEHU_BODY_BOOL:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
    case KEHU_BODY_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    case KEHU_BODY_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case KEHU_BODY_ANY:
    default:
      return TRUE;
    }
}

static const char *
field_type_name (KehuBodyType type)
{
  switch (type)
    {
    case KEHU_BODY_STRING: return _("a string");
    case KEHU_BODY_INT: return _("an integer");
    case KEHU_BODY_BOOL: return _("true or false");
    case KEHU_BODY_ARRAY: return _("an array");
    case KEHU_BODY_OBJECT: return _("an object");
    case KEHU_BODY_ANY:
    default: return _("a value");
    }
}

/**
 * kehu_request_read_object:
 * @fields: the members the body may have
 *
 * Reads a JSON object body and checks it against @fields: each member's
 * type, required members present, no member that is not in @fields. On
 * any problem it replies 400 (or 413) naming the field and returns %NULL.
 *
 * Returns: (transfer full) (nullable): the body
 */
JsonObject *
kehu_request_read_object (KehuRequest         *request,
                          const KehuBodySpec *fields,
                          guint                n_fields)
{
  g_autoptr(JsonNode) root = kehu_request_read_json (request);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                _("The request body must be a JSON object"));
      return NULL;
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const KehuBodySpec *spec = NULL;
      JsonNode *node = json_object_get_member (object, name);

      for (guint i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].name, name))
          spec = &fields[i];

      if (spec == NULL)
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_field", name,
                                    _("“%s” is not a field of this request"), name);
          return NULL;
        }

      if (JSON_NODE_HOLDS_NULL (node) ? !spec->nullable : !node_has_type (node, spec->type))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_type", name,
                                    _("“%s” must be %s"), name, field_type_name (spec->type));
          return NULL;
        }
    }

  for (guint i = 0; i < n_fields; i++)
    {
      if (fields[i].required && !json_object_has_member (object, fields[i].name))
        {
          kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "missing_field", fields[i].name,
                                    _("“%s” is required"), fields[i].name);
          return NULL;
        }
    }

  return json_object_ref (object);
}

static gboolean
route_match (KehuRoute   *route,
             char       **segments,
             GHashTable  *params)
{
  guint i;

  for (i = 0; route->segments[i] != NULL && segments[i] != NULL; i++)
    {
      const char *pattern = route->segments[i];
      gsize len = strlen (pattern);

      if (len > 2 && pattern[0] == '{' && pattern[len - 1] == '}')
        {
          if (segments[i][0] == '\0')
            return FALSE;
          g_hash_table_insert (params, g_strndup (pattern + 1, len - 2),
                               g_uri_unescape_string (segments[i], NULL));
        }
      else if (g_strcmp0 (pattern, segments[i]) != 0)
        return FALSE;
    }

  return route->segments[i] == NULL && segments[i] == NULL;
}

static gboolean
is_attachment_upload (const char *path)
{
  return g_str_has_prefix (path, KEHU_API_PREFIX "/blobs");
}

typedef struct
{
  goffset received;
  goffset limit;
} ChunkGuard;

/* A body without Content-Length is read in chunks into memory before the
 * route sees it: far past the limit, cut the connection rather than keep
 * reading. Up to twice the limit the route still answers a proper 413. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  ChunkGuard *guard = user_data;

  guard->received += g_bytes_get_size (chunk);
  if (guard->received > 2 * guard->limit)
    {
      GSocket *socket = soup_server_message_get_socket (msg);

      g_signal_handlers_disconnect_by_func (msg, got_chunk_cb, user_data);
      if (socket != NULL)
        g_socket_close (socket, NULL);
    }
}

/* Refuses an announced body over the limit before libsoup reads it. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  KehuApi *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset limit = is_attachment_upload (path) ? KEHU_API_MAX_ATTACHMENT_BODY : KEHU_API_MAX_JSON_BODY;
  KehuRequest request = { self, msg, NULL, NULL, NULL, NULL, NULL, NULL, FALSE, FALSE };

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > limit)
    {
      kehu_request_reply_error (&request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large", NULL,
                                _("The request body is larger than %d bytes"), (int) limit);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    {
      ChunkGuard *guard = g_new0 (ChunkGuard, 1);

      guard->limit = limit;
      g_signal_connect_data (msg, "got-chunk", G_CALLBACK (got_chunk_cb), guard,
                             (GClosureNotify) (void (*) (void)) g_free, 0);
    }
}

/**
 * kehu_request_pause:
 *
 * For a route that answers later (after work on another thread): pauses
 * the message and returns a copy of the request that outlives the route
 * call. Answer through it, then kehu_request_resume().
 *
 * Returns: (transfer full): the request to answer later
 */
KehuRequest *
kehu_request_pause (KehuRequest *request)
{
  KehuRequest *copy = g_new0 (KehuRequest, 1);

  copy->api = g_object_ref (request->api);
  copy->msg = g_object_ref (request->msg);
  copy->params = g_hash_table_ref (request->params);
  copy->query = request->query ? g_hash_table_ref (request->query) : NULL;
  copy->route_data = request->route_data;
  copy->perm = request->perm ? g_object_ref (request->perm) : NULL;
  copy->now = g_date_time_ref (kehu_request_get_now (request));
  copy->token = g_strdup (request->token);

  request->paused = TRUE;
  soup_server_pause_message (request->api->server, request->msg);
  return copy;
}

/* Sends what the paused request answered, and frees it. */
void
kehu_request_resume (KehuRequest *request)
{
  if (!request->replied)
    kehu_request_reply_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                              _("The server did not answer this request"));
  kehu_store_rollback (request->api->store);
  soup_server_unpause_message (request->api->server, request->msg);

  g_clear_object (&request->perm);
  g_clear_pointer (&request->now, g_date_time_unref);
  g_clear_pointer (&request->token, g_free);
  g_clear_pointer (&request->params, g_hash_table_unref);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->api);
  g_free (request);
}

static gboolean
invalidates_auth (const char *rest)
{
  static const char * const prefixes[] = {
    "auth/", "users", "roles", "departments", "super-admins", NULL,
  };

  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (rest, prefixes[i]))
      return TRUE;
  return FALSE;
}

static void
handle_api_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  KehuApi *self = user_data;
  g_auto(GStrv) segments = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *method = soup_server_message_get_method (msg);
  const char *rest = path + strlen (KEHU_API_PREFIX);
  KehuRequest request = { self, msg, NULL, query, NULL, NULL, NULL, NULL, FALSE, FALSE };
  gboolean path_known = FALSE;

  if (soup_server_message_get_status (msg) != 0 && soup_server_message_get_status (msg) != SOUP_STATUS_NONE)
    return;

  while (*rest == '/')
    rest++;
  segments = g_strsplit (rest, "/", -1);
  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  request.params = params;

  for (guint i = 0; i < self->routes->len; i++)
    {
      KehuRoute *route = g_ptr_array_index (self->routes, i);

      g_hash_table_remove_all (params);
      if (!route_match (route, segments, params))
        continue;

      path_known = TRUE;
      if (g_strcmp0 (route->method, method) == 0)
        {
          request.route_data = route->data;
          route->func (self, &request);
          if (!request.replied && !request.paused)
            {
              g_warning ("Route %s %s did not reply", method, path);
              kehu_request_reply_error (&request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                                        _("The server did not answer this request"));
            }
          break;
        }
    }

  if (!request.replied && !request.paused)
    {
      if (path_known)
        kehu_request_reply_error (&request, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                  "method_not_allowed", NULL,
                                  _("%s is not allowed on %s"), method, path);
      else
        kehu_request_reply_error (&request, SOUP_STATUS_NOT_FOUND,
                                  "not_found", NULL,
                                  _("There is no route %s"), path);
    }

  /* A write that failed half way must never stay open for the next one. */
  kehu_store_rollback (self->store);

  /* Who may do what may have changed: forget the cached sessions. */
  if (!g_str_equal (method, "GET") && invalidates_auth (rest))
    g_hash_table_remove_all (self->auth_cache);

  g_clear_object (&request.perm);
  g_clear_pointer (&request.now, g_date_time_unref);
  g_clear_pointer (&request.token, g_free);
}

static void
kehu_api_finalize (GObject *object)
{
  KehuApi *self = (KehuApi *)object;

  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_object (&self->server);
  g_clear_pointer (&self->routes, g_ptr_array_unref);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->auth_cache, g_hash_table_unref);
  g_clear_pointer (&self->read_statements, g_hash_table_unref);

  G_OBJECT_CLASS (kehu_api_parent_class)->finalize (object);
}

static void
kehu_api_class_init (KehuApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kehu_api_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
kehu_api_init (KehuApi *self)
{
  self->routes = g_ptr_array_new_with_free_func (kehu_route_free);
  self->auth_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_auth_free);
  self->read_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 finalize_statement);
}

void
kehu_api_add_route_full (KehuApi       *self,
                         const char    *method,
                         const char    *pattern,
                         KehuRouteFunc  func,
                         gpointer       route_data)
{
  KehuRoute *route = g_new0 (KehuRoute, 1);

  while (*pattern == '/')
    pattern++;

  route->method = g_strdup (method);
  route->pattern = g_strconcat (KEHU_API_PREFIX "/", pattern, NULL);
  route->segments = g_strsplit (pattern, "/", -1);
  route->func = func;
  route->data = route_data;
  g_ptr_array_add (self->routes, route);
}

void
kehu_api_add_route (KehuApi       *self,
                    const char    *method,
                    const char    *pattern,
                    KehuRouteFunc  func)
{
  kehu_api_add_route_full (self, method, pattern, func, NULL);
}

/**
 * kehu_api_list_routes:
 *
 * Returns: (transfer full): "METHOD /api/v1/path" for every route, in
 *   registration order; the OpenAPI test compares them with the YAML
 */
char **
kehu_api_list_routes (KehuApi *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **routes;

  for (guint i = 0; i < self->routes->len; i++)
    {
      KehuRoute *route = g_ptr_array_index (self->routes, i);
      g_autofree char *line = g_strdup_printf ("%s %s", route->method, route->pattern);

      g_strv_builder_add (builder, line);
    }
  routes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return routes;
}

KehuApi *
kehu_api_new (KehuStore  *store,
              SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  KehuApi *self;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);

  self = g_object_new (KEHU_TYPE_API, NULL);
  self->store = g_object_ref (store);
  self->server = g_object_ref (server);
  self->schema = kehu_schema_new (store, &error);
  if (self->schema == NULL)
    g_error ("Could not read the schema of %s: %s", kehu_store_get_path (store), error->message);

  _kehu_api_health_register (self);
  _kehu_api_auth_register (self);
  _kehu_api_org_register (self);
  _kehu_api_approvals_register (self);
  _kehu_api_pool_register (self);
  _kehu_api_blobs_register (self);
  _kehu_api_sync_register (self);
  _kehu_api_records_register (self);

  soup_server_add_early_handler (server, KEHU_API_PREFIX, early_cb, self, NULL);
  soup_server_add_handler (server, KEHU_API_PREFIX, handle_api_cb, self, NULL);

  return self;
}

/**
 * kehu_api_read_record:
 * @module: a module of the schema
 *
 * One record as the record API shows it (kehu_record_from_statement()),
 * read with a statement kept prepared between requests.
 *
 * Returns: (transfer full) (nullable): the record, or %NULL when there is none
 */
JsonObject *
kehu_api_read_record (KehuApi    *self,
                      const char *module,
                      const char *id)
{
  const KehuModule *m = kehu_schema_get_module (self->schema, module);
  sqlite3_stmt *stmt;
  JsonObject *object = NULL;

  if (m == NULL)
    return NULL;

  stmt = g_hash_table_lookup (self->read_statements, module);
  if (stmt == NULL)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?1", kehu_module_get_name (m));

      if (sqlite3_prepare_v3 (kehu_store_get_db (self->store), sql, -1, SQLITE_PREPARE_PERSISTENT,
                              &stmt, NULL) != SQLITE_OK)
        return NULL;
      g_hash_table_insert (self->read_statements, g_strdup (module), stmt);
    }

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    object = kehu_record_from_statement (m, stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return object;
}

KehuSchema *
kehu_api_get_schema (KehuApi *self)
{
  g_return_val_if_fail (KEHU_IS_API (self), NULL);
  return self->schema;
}

KehuStore *
kehu_api_get_store (KehuApi *self)
{
  g_return_val_if_fail (KEHU_IS_API (self), NULL);
  return self->store;
}

const char *
kehu_api_get_data_dir (KehuApi *self)
{
  g_return_val_if_fail (KEHU_IS_API (self), NULL);
  return self->data_dir;
}

void
kehu_api_set_data_dir (KehuApi    *self,
                       const char *data_dir)
{
  g_return_if_fail (KEHU_IS_API (self));
  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
}

void
kehu_api_set_test_clock (KehuApi  *self,
                         gboolean  test_clock)
{
  g_return_if_fail (KEHU_IS_API (self));
  self->test_clock = test_clock;
}

static sqlite3_stmt *
sql_prepare_va (KehuStore   *store,
                GError     **error,
                const char  *sql,
                const char  *types,
                va_list      args)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  kehu_store_bind_va (stmt, types, args);

  return stmt;
}

/**
 * kehu_sql_prepare:
 * @types: one letter per parameter: 's' string (may be %NULL), 'i' gint64,
 *   'b' gboolean
 *
 * Prepares @sql and binds the following arguments to ?1, ?2…
 *
 * Returns: (transfer full) (nullable): the statement
 */
sqlite3_stmt *
kehu_sql_prepare (KehuStore   *store,
                  GError     **error,
                  const char  *sql,
                  const char  *types,
                  ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = sql_prepare_va (store, error, sql, types, args);
  va_end (args);

  return stmt;
}

/* Runs a statement that returns no rows; the number of changed rows, or
 * -1 with @error set. */
int
kehu_sql_run (KehuStore   *store,
              GError     **error,
              const char  *sql,
              const char  *types,
              ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  va_start (args, types);
  stmt = sql_prepare_va (store, error, sql, types, args);
  va_end (args);
  if (stmt == NULL)
    return -1;

  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return -1;
    }

  return sqlite3_changes (kehu_store_get_db (store));
}

gboolean
kehu_oplog_add (KehuStore   *store,
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
  return kehu_sql_run (store, error,
                       "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       "ssssssss", module, record_id, user_id, at, action, field, old_value, new_value) >= 0;
}

/**
 * kehu_api_bump_rev:
 * @module: the table; an identifier from the code, never user input
 *
 * Gives the record a new server revision: one row in sync_changes, whose
 * rowid is the rev, as pull expects.
 */
gboolean
kehu_api_bump_rev (KehuStore   *store,
                   const char  *module,
                   const char  *record_id,
                   const char  *at,
                   const char * const *fields,
                   gint64      *rev,
                   GError     **error)
{
  g_autofree char *sql = NULL;
  gint64 new_rev;

  if (kehu_sql_run (store, error,
                    "INSERT INTO sync_changes (module, record_id, at) VALUES (?1, ?2, ?3)",
                    "sss", module, record_id, at) < 0)
    return FALSE;
  new_rev = sqlite3_last_insert_rowid (kehu_store_get_db (store));

  sql = g_strdup_printf ("UPDATE %s SET rev = ?1 WHERE id = ?2", module);
  if (kehu_sql_run (store, error, sql, "is", new_rev, record_id) < 0)
    return FALSE;

  /* The field-level merge of sync needs the rev of each changed field. */
  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    if (kehu_sql_run (store, error,
                      "INSERT INTO field_revs (module, record_id, field, rev) VALUES (?1, ?2, ?3, ?4) "
                      "ON CONFLICT (module, record_id, field) DO UPDATE SET rev = excluded.rev",
                      "sssi", module, record_id, fields[i], new_rev) < 0)
      return FALSE;

  if (rev != NULL)
    *rev = new_rev;
  return TRUE;
}
