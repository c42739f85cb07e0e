/* kehu-test-api.h: calling kehu-server's REST API from the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-test-server.h"

G_BEGIN_DECLS

#define KEHU_TEST_ADMIN_PHONE    "13800000000"
#define KEHU_TEST_ADMIN_PASSWORD "admin-password"
#define KEHU_TEST_USER_PASSWORD  "user-password"

typedef struct
{
  KehuTestServer *server;
  SoupSession    *session;
  char           *now;          /* sent as X-Kehu-Now when set */
} KehuTestApi;

char        *kehu_test_create_admin      (const char   *data_dir,
                                          const char   *phone,
                                          const char   *password);
KehuTestApi *kehu_test_api_start         (gboolean      with_admin,
                                          ...) G_GNUC_NULL_TERMINATED;
void         kehu_test_api_free          (KehuTestApi  *api);
void         kehu_test_api_set_now       (KehuTestApi  *api,
                                          const char   *now);

JsonNode    *kehu_test_api_call          (KehuTestApi  *api,
                                          const char   *token,
                                          const char   *method,
                                          const char   *path,
                                          const char   *body,
                                          guint        *status);
JsonNode    *kehu_test_api_call_headers  (KehuTestApi  *api,
                                          const char   *token,
                                          const char   *method,
                                          const char   *path,
                                          const char   *body,
                                          const char   *header,
                                          const char   *header_value,
                                          SoupMessageHeaders **response_headers,
                                          guint        *status);
JsonObject  *kehu_test_api_expect        (KehuTestApi  *api,
                                          const char   *token,
                                          const char   *method,
                                          const char   *path,
                                          const char   *body,
                                          guint         expected_status);
void         kehu_test_api_expect_error  (KehuTestApi  *api,
                                          const char   *token,
                                          const char   *method,
                                          const char   *path,
                                          const char   *body,
                                          guint         expected_status,
                                          const char   *expected_code,
                                          const char   *expected_field);
char        *kehu_test_api_add_user      (KehuTestApi  *api,
                                          const char   *admin_token,
                                          const char   *phone,
                                          const char   *name,
                                          const char   *department_id,
                                          const char   *supervisor_id,
                                          const char   *role_id);
char        *kehu_test_api_create        (KehuTestApi  *api,
                                          const char   *token,
                                          const char   *module,
                                          const char   *body);
char        *kehu_test_api_login         (KehuTestApi  *api,
                                          const char   *phone,
                                          const char   *password);
char        *kehu_test_api_db_string     (KehuTestApi  *api,
                                          const char   *sql);
gint64       kehu_test_api_db_int        (KehuTestApi  *api,
                                          const char   *sql);
void         kehu_test_api_db_exec       (KehuTestApi  *api,
                                          const char   *sql);
char        *kehu_test_api_db_checksum   (KehuTestApi  *api,
                                          const char   *tables);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuTestApi, kehu_test_api_free)

G_END_DECLS
