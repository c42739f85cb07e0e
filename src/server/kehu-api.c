/* kehu-api.c: routing, JSON replies and errors for /api/v1
 *
 * Routes are registered by the kehu-api-*.c files as (method, pattern)
 * pairs; a pattern segment in braces, like "{id}", matches one path segment
 * and is available through kehu_request_get_param(). Every reply, errors
 * included, is JSON: {"error":{"code","message","field"}}.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include "kehu-api.h"

typedef struct
{
  char           *method;
  char          **segments;
  KehuRouteFunc   func;
} KehuRoute;

struct _KehuRequest
{
  SoupServerMessage *msg;
  GHashTable        *params;
};

struct _KehuApi
{
  GObject      parent_instance;

  KehuStore   *store;
  SoupServer  *server;
  GPtrArray   *routes;
};

G_DEFINE_FINAL_TYPE (KehuApi, kehu_api, G_TYPE_OBJECT)

static void
kehu_route_free (gpointer data)
{
  KehuRoute *route = data;

  g_free (route->method);
  g_strfreev (route->segments);
  g_free (route);
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
}

void
kehu_request_reply_error (KehuRequest *request,
                          guint        status,
                          const char  *code,
                          const char  *field,
                          const char  *format,
                          ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

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

SoupServerMessage *
kehu_request_get_message (KehuRequest *request)
{
  return request->msg;
}

const char *
kehu_request_get_param (KehuRequest *request,
                        const char  *name)
{
  return g_hash_table_lookup (request->params, name);
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
  KehuRequest request = { msg, NULL };
  gboolean path_known = FALSE;

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
          route->func (self, &request);
          return;
        }
    }

  if (path_known)
    kehu_request_reply_error (&request, SOUP_STATUS_METHOD_NOT_ALLOWED,
                              "method_not_allowed", NULL,
                              "%s is not allowed on %s", method, path);
  else
    kehu_request_reply_error (&request, SOUP_STATUS_NOT_FOUND,
                              "not_found", NULL,
                              "There is no route %s", path);
}

static void
kehu_api_finalize (GObject *object)
{
  KehuApi *self = (KehuApi *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->server);
  g_clear_pointer (&self->routes, g_ptr_array_unref);

  G_OBJECT_CLASS (kehu_api_parent_class)->finalize (object);
}

static void
kehu_api_class_init (KehuApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kehu_api_finalize;
}

static void
kehu_api_init (KehuApi *self)
{
  self->routes = g_ptr_array_new_with_free_func (kehu_route_free);
}

void
kehu_api_add_route (KehuApi       *self,
                    const char    *method,
                    const char    *pattern,
                    KehuRouteFunc  func)
{
  KehuRoute *route = g_new0 (KehuRoute, 1);

  while (*pattern == '/')
    pattern++;

  route->method = g_strdup (method);
  route->segments = g_strsplit (pattern, "/", -1);
  route->func = func;
  g_ptr_array_add (self->routes, route);
}

KehuApi *
kehu_api_new (KehuStore  *store,
              SoupServer *server)
{
  KehuApi *self;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);

  self = g_object_new (KEHU_TYPE_API, NULL);
  self->store = g_object_ref (store);
  self->server = g_object_ref (server);

  _kehu_api_health_register (self);

  soup_server_add_handler (server, KEHU_API_PREFIX, handle_api_cb, self, NULL);

  return self;
}

KehuStore *
kehu_api_get_store (KehuApi *self)
{
  g_return_val_if_fail (KEHU_IS_API (self), NULL);
  return self->store;
}
