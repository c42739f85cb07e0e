/* kehu-api.h: the REST API under /api/v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kehu-perm.h"
#include "kehu-query.h"
#include "kehu-schema.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_API_PREFIX "/api/v1"

/* Bodies larger than this are refused with 413 before they are read
 * (Content-Length) or after (chunked). Attachments have their own limit. */
#define KEHU_API_MAX_JSON_BODY       (1024 * 1024)
#define KEHU_API_MAX_ATTACHMENT_BODY (64 * 1024 * 1024)
#define KEHU_API_MAX_JSON_DEPTH      32

/* Rows an export holds at most (Excel's own limit is 1 048 575). */
#define KEHU_API_EXPORT_MAX_ROWS     1000000

#define KEHU_API_ERROR (kehu_api_error_quark ())

/* Errors that route code returns; each maps to one HTTP status. */
typedef enum
{
  KEHU_API_ERROR_INVALID,        /* 400 invalid_value */
  KEHU_API_ERROR_UNAUTHORIZED,   /* 401 unauthorized */
  KEHU_API_ERROR_FORBIDDEN,      /* 403 forbidden */
  KEHU_API_ERROR_NOT_FOUND,      /* 404 not_found */
  KEHU_API_ERROR_CONFLICT,       /* 409 conflict */
  KEHU_API_ERROR_STALE,          /* 412 precondition_failed */
  KEHU_API_ERROR_LIMIT,          /* 429 limit_reached */
  KEHU_API_ERROR_UNPROCESSABLE,  /* 422 rule_violation */
} KehuApiError;

#define KEHU_TYPE_API (kehu_api_get_type ())

G_DECLARE_FINAL_TYPE (KehuApi, kehu_api, KEHU, API, GObject)

typedef struct _KehuRequest KehuRequest;

typedef void (*KehuRouteFunc) (KehuApi     *api,
                               KehuRequest *request);

/* How kehu_request_read_object() checks one member of a JSON body. */
typedef enum
{
  KEHU_BODY_STRING,
  KEHU_BODY_INT,
  KEHU_BODY_BOOL,
  KEHU_BODY_ARRAY,
  KEHU_BODY_OBJECT,
  KEHU_BODY_ANY,
} KehuBodyType;

typedef struct
{
  const char    *name;
  KehuBodyType  type;
  gboolean       required;
  gboolean       nullable;
} KehuBodySpec;

GQuark           kehu_api_error_quark        (void);
void             kehu_api_set_error          (GError            **error,
                                              KehuApiError        code,
                                              const char         *field,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (4, 5);
const char      *kehu_api_error_get_field    (const GError       *error);

KehuApi         *kehu_api_new                (KehuStore          *store,
                                              SoupServer         *server);
KehuStore       *kehu_api_get_store          (KehuApi            *self);
KehuSchema      *kehu_api_get_schema         (KehuApi            *self);
JsonObject      *kehu_api_read_record        (KehuApi            *self,
                                              const char         *module,
                                              const char         *id);
const char      *kehu_api_get_data_dir       (KehuApi            *self);
void             kehu_api_set_data_dir       (KehuApi            *self,
                                              const char         *data_dir);
void             kehu_api_set_test_clock     (KehuApi            *self,
                                              gboolean            test_clock);
void             kehu_api_add_route          (KehuApi            *self,
                                              const char         *method,
                                              const char         *pattern,
                                              KehuRouteFunc       func);
void             kehu_api_add_route_full     (KehuApi            *self,
                                              const char         *method,
                                              const char         *pattern,
                                              KehuRouteFunc       func,
                                              gpointer            route_data);
char           **kehu_api_list_routes        (KehuApi            *self);

SoupServerMessage *kehu_request_get_message  (KehuRequest        *request);
KehuApi         *kehu_request_get_api        (KehuRequest        *request);
gpointer         kehu_request_get_route_data (KehuRequest        *request);
const char      *kehu_request_get_param      (KehuRequest        *request,
                                              const char         *name);
const char      *kehu_request_get_query      (KehuRequest        *request,
                                              const char         *name);
GHashTable      *kehu_request_get_query_table (KehuRequest       *request);
const char      *kehu_request_get_header     (KehuRequest        *request,
                                              const char         *name);
const char      *kehu_request_get_address    (KehuRequest        *request);
GDateTime       *kehu_request_get_now        (KehuRequest        *request);
char            *kehu_request_get_now_iso    (KehuRequest        *request);
GBytes          *kehu_request_get_body       (KehuRequest        *request);

KehuPerm        *kehu_request_require_user   (KehuRequest        *request);
KehuPerm        *kehu_request_require_permission (KehuRequest    *request,
                                              const char         *permission);
const char      *kehu_request_get_token      (KehuRequest        *request);
JsonObject      *kehu_request_read_object    (KehuRequest        *request,
                                              const KehuBodySpec *fields,
                                              guint               n_fields);
JsonNode        *kehu_request_read_json      (KehuRequest        *request);

void             kehu_request_reply_json     (KehuRequest        *request,
                                              guint               status,
                                              JsonNode           *node);
void             kehu_request_reply_object   (KehuRequest        *request,
                                              guint               status,
                                              JsonObject         *object);
void             kehu_request_reply_error    (KehuRequest        *request,
                                              guint               status,
                                              const char         *code,
                                              const char         *field,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (5, 6);
void             kehu_request_reply_gerror   (KehuRequest        *request,
                                              const GError       *error);
gboolean         kehu_request_has_replied    (KehuRequest        *request);
void             kehu_request_mark_replied   (KehuRequest        *request);
KehuRequest     *kehu_request_pause          (KehuRequest        *request);
void             kehu_request_resume         (KehuRequest        *request);

/* Helpers shared by the route files. */
JsonObject      *kehu_json_object_from_stmt  (sqlite3_stmt       *stmt,
                                              const char * const *json_columns);
char            *kehu_iso_from_datetime      (GDateTime          *datetime);
char            *kehu_new_uuid               (void);
sqlite3_stmt    *kehu_sql_prepare            (KehuStore          *store,
                                              GError            **error,
                                              const char         *sql,
                                              const char         *types,
                                              ...);
int              kehu_sql_run                (KehuStore          *store,
                                              GError            **error,
                                              const char         *sql,
                                              const char         *types,
                                              ...);
gboolean         kehu_oplog_add              (KehuStore          *store,
                                              const char         *module,
                                              const char         *record_id,
                                              const char         *user_id,
                                              const char         *at,
                                              const char         *action,
                                              const char         *field,
                                              const char         *old_value,
                                              const char         *new_value,
                                              GError            **error);
gboolean         kehu_api_bump_rev           (KehuStore          *store,
                                              const char         *module,
                                              const char         *record_id,
                                              const char         *at,
                                              const char * const *fields,
                                              gint64             *rev,
                                              GError            **error);
JsonObject      *_kehu_api_user_json         (KehuStore          *store,
                                              const char         *user_id,
                                              gboolean            with_permissions,
                                              GError            **error);

/* kehu-api-records.c: data scope of one record, shared with sync. */
gboolean         _kehu_api_is_scoped         (const char         *module);
KehuAccess       _kehu_api_record_access     (KehuApi            *api,
                                              KehuPerm           *perm,
                                              const char         *module,
                                              JsonObject         *record);

/* kehu-api-sync-approvals.c: approval instances in pull pages and push answers. */
char            *_kehu_api_sync_approval_text    (KehuApi       *api,
                                                  KehuPerm      *perm,
                                                  const char    *instance_id);
void             _kehu_api_sync_append_approvals (KehuApi       *api,
                                                  KehuPerm      *perm,
                                                  GPtrArray     *ids,
                                                  gboolean       initial,
                                                  GString       *out);

/* kehu-api-sync-teams.c: records' teams in pull pages. */
typedef gboolean (*KehuApiSeesFunc) (KehuApi    *api,
                                     KehuPerm   *perm,
                                     const char *module,
                                     const char *record_id);
void             _kehu_api_sync_append_teams     (KehuApi         *api,
                                                  KehuPerm        *perm,
                                                  gint64           from,
                                                  gint64           to,
                                                  KehuApiSeesFunc  sees,
                                                  GString         *out);

/* Route groups, one file each (kehu-api-*.c). */
void             _kehu_api_health_register   (KehuApi            *self);
void             _kehu_api_auth_register     (KehuApi            *self);
void             _kehu_api_org_register      (KehuApi            *self);
void             _kehu_api_approvals_register (KehuApi           *self);
void             _kehu_api_records_register  (KehuApi            *self);
void             _kehu_api_pool_register     (KehuApi            *self);
void             _kehu_api_blobs_register    (KehuApi            *self);
void             _kehu_api_sync_register     (KehuApi            *self);

/* kehu-api-export.c: the export of a list route's query. */
void             _kehu_api_export_reply      (KehuRequest        *request,
                                              KehuQuery          *query);

G_END_DECLS
