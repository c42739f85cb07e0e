/* kehu-api.h: the REST API under /api/v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_API_PREFIX "/api/v1"

#define KEHU_TYPE_API (kehu_api_get_type ())

G_DECLARE_FINAL_TYPE (KehuApi, kehu_api, KEHU, API, GObject)

typedef struct _KehuRequest KehuRequest;

typedef void (*KehuRouteFunc) (KehuApi     *api,
                               KehuRequest *request);

KehuApi         *kehu_api_new                (KehuStore          *store,
                                              SoupServer         *server);
KehuStore       *kehu_api_get_store          (KehuApi            *self);
void             kehu_api_add_route          (KehuApi            *self,
                                              const char         *method,
                                              const char         *pattern,
                                              KehuRouteFunc       func);

SoupServerMessage *kehu_request_get_message  (KehuRequest        *request);
const char      *kehu_request_get_param      (KehuRequest        *request,
                                              const char         *name);
void             kehu_request_reply_json     (KehuRequest        *request,
                                              guint               status,
                                              JsonNode           *node);
void             kehu_request_reply_error    (KehuRequest        *request,
                                              guint               status,
                                              const char         *code,
                                              const char         *field,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (5, 6);

/* Route groups, one file each (kehu-api-*.c). */
void             _kehu_api_health_register   (KehuApi            *self);

G_END_DECLS
