/* kehu-api-health.c: GET /api/v1/health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include "kehu-api.h"
#include "kehu-version.h"

static void
health_cb (KehuApi     *api,
           KehuRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, KEHU_VERSION);
  json_builder_set_member_name (builder, "storage");
  json_builder_add_string_value (builder, "sqlite");
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, kehu_store_get_schema_version (kehu_api_get_store (api)));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  kehu_request_reply_json (request, SOUP_STATUS_OK, root);
}

void
_kehu_api_health_register (KehuApi *self)
{
  kehu_api_add_route (self, "GET", "/health", health_cb);
}
