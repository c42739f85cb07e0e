/* test-bad-input.c: a table of malformed requests, each answered with the
 * right status and JSON error, none of them writing anything, the server
 * serving on after all of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

/* Tables whose content a refused request must leave as it was. */
#define WATCHED_TABLES "users,departments,roles,user_roles,auth_tokens,sync_changes,oplog,customers," \
                       "contacts,leads,contracts,followups,team_members,pools,pool_members,pool_rules," \
                       "pool_claim_limits,pool_history,attachments,blobs,field_revs"

typedef struct
{
  const char *method;
  const char *path;     /* {top}, {user} are replaced */
  const char *body;     /* {top} is replaced */
  gboolean    auth;
  guint       status;
  const char *code;
  const char *field;
} BadCase;

static const BadCase cases[] = {
  /* Not JSON, or not the JSON expected. */
  { "POST", "/api/v1/auth/login", "{", FALSE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/auth/login", "", FALSE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/auth/login", "[]", FALSE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/auth/login", "\"phone\"", FALSE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/auth/login", "{\"phone\":\"\xff\xfe\",\"password\":\"x\"}", FALSE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/auth/login", "{\"phone\":\"1\",\"password\":\"x\"} trailing", FALSE, 400, "invalid_json", NULL },
  /* Members: missing, wrong type, unknown. */
  { "POST", "/api/v1/auth/login", "{\"phone\":\"1\"}", FALSE, 400, "missing_field", "password" },
  { "POST", "/api/v1/auth/login", "{\"phone\":13800000000,\"password\":\"x\"}", FALSE, 400, "invalid_type", "phone" },
  { "POST", "/api/v1/auth/login", "{\"phone\":null,\"password\":\"x\"}", FALSE, 400, "invalid_type", "phone" },
  { "POST", "/api/v1/auth/login", "{\"phone\":\"1\",\"password\":\"x\",\"remember\":true}", FALSE, 400, "unknown_field", "remember" },
  { "POST", "/api/v1/departments", "{\"name\":123,\"parent_id\":\"{top}\"}", TRUE, 400, "invalid_type", "name" },
  { "POST", "/api/v1/departments", "{\"name\":\"x\",\"parent_id\":\"{top}\",\"position\":\"1\"}", TRUE, 400, "invalid_type", "position" },
  { "POST", "/api/v1/departments", "{\"name\":\"x\",\"parent_id\":\"{top}\",\"position\":1.5}", TRUE, 400, "invalid_type", "position" },
  { "POST", "/api/v1/departments", "{\"name\":\"x\",\"parent_id\":\"no-such-department\"}", TRUE, 400, "invalid_value", "parent_id" },
  { "POST", "/api/v1/departments", "{\"name\":\"x\",\"parent_id\":\"{top}\",\"id\":\"not-a-uuid\"}", TRUE, 400, "invalid_value", "id" },
  { "POST", "/api/v1/departments", "{\"name\":\"\",\"parent_id\":\"{top}\"}", TRUE, 400, "invalid_value", "name" },
  { "POST", "/api/v1/users", "{\"phone\":\"13900000009\",\"name\":\"x\",\"password\":\"password-9\"}", TRUE, 400, "missing_field", "department_id" },
  { "POST", "/api/v1/users", "{\"phone\":\"13900000009\",\"name\":\"x\",\"password\":\"password-9\",\"department_id\":\"{top}\",\"role_ids\":\"r\"}", TRUE, 400, "invalid_type", "role_ids" },
  { "POST", "/api/v1/users", "{\"phone\":\"13900000009\",\"name\":\"x\",\"password\":\"password-9\",\"department_id\":\"{top}\",\"gender\":\"other\"}", TRUE, 400, "invalid_value", "gender" },
  { "POST", "/api/v1/users", "{\"phone\":\"call me\",\"name\":\"x\",\"password\":\"password-9\",\"department_id\":\"{top}\"}", TRUE, 400, "invalid_value", "phone" },
  { "POST", "/api/v1/users", "{\"phone\":\"13900000009\",\"name\":\"x\",\"password\":\"password-9\",\"department_id\":\"{top}\",\"password_hash\":\"x\"}", TRUE, 400, "unknown_field", "password_hash" },
  { "PATCH", "/api/v1/users/{user}", "{\"is_enabled\":false}", TRUE, 400, "unknown_field", "is_enabled" },
  { "PATCH", "/api/v1/users/{user}", "{\"department_id\":null}", TRUE, 400, "invalid_type", "department_id" },
  { "POST", "/api/v1/roles", "{\"name\":\"r\",\"permissions\":[],\"data_scope\":null}", TRUE, 400, "invalid_type", "data_scope" },
  { "POST", "/api/v1/roles", "{\"name\":\"r\",\"permissions\":[1],\"data_scope\":\"all\"}", TRUE, 400, "invalid_value", "permissions" },
  { "POST", "/api/v1/super-admins", "{}", TRUE, 400, "missing_field", "user_id" },
  /* Records of a module: the schema's checks. */
  { "POST", "/api/v1/customers", "{\"name\":", TRUE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/customers", "[{\"name\":\"x\"}]", TRUE, 400, "invalid_json", NULL },
  { "POST", "/api/v1/customers", "{}", TRUE, 400, "missing_field", "name" },
  { "POST", "/api/v1/customers", "{\"name\":1}", TRUE, 400, "invalid_type", "name" },
  { "POST", "/api/v1/customers", "{\"name\":\"x\",\"bogus\":1}", TRUE, 400, "unknown_field", "bogus" },
  { "POST", "/api/v1/customers", "{\"name\":\"x\",\"is_hot\":\"yes\"}", TRUE, 400, "invalid_type", "is_hot" },
  { "POST", "/api/v1/customers", "{\"name\":\"x\",\"level\":\"emperor\"}", TRUE, 400, "invalid_value", "level" },
  { "POST", "/api/v1/customers", "{\"name\":\"x\",\"owner_id\":\"someone-else\"}", TRUE, 400, "invalid_value", "owner_id" },
  { "POST", "/api/v1/contracts", "{\"name\":\"x\",\"amount\":12.5}", TRUE, 400, "invalid_type", "amount" },
  { "PATCH", "/api/v1/customers/{customer}", "{\"phone\":\"1\"}", TRUE, 428, "precondition_required", NULL },
  { "GET", "/api/v1/customers/{customer}/nothing", NULL, TRUE, 404, "not_found", NULL },
  { "POST", "/api/v1/customers/{customer}/team", "{\"user_id\":\"{user}\",\"access\":\"admin\"}", TRUE, 400, "invalid_value", "access" },
  { "POST", "/api/v1/customers/actions/claim", "{\"ids\":[]}", TRUE, 400, "invalid_value", "ids" },
  { "POST", "/api/v1/customers/actions/claim", "{\"ids\":\"{customer}\"}", TRUE, 400, "invalid_type", "ids" },
  { "POST", "/api/v1/customers/actions/claim", "{\"ids\":[1]}", TRUE, 400, "invalid_type", "ids" },
  { "POST", "/api/v1/customers/actions/claim", "{\"ids\":[\"no-such-customer\"]}", TRUE, 404, "not_found", "ids" },
  { "POST", "/api/v1/customers/actions/claim", "{\"ids\":[\"{customer}\"]}", TRUE, 409, "conflict", "ids" },
  { "POST", "/api/v1/customers/actions/transfer", "{\"ids\":[\"{customer}\"]}", TRUE, 400, "missing_field", "owner_id" },
  { "POST", "/api/v1/customers/actions/transfer", "{\"ids\":[\"{customer}\"],\"owner_id\":\"nobody\"}", TRUE, 400, "invalid_value", "owner_id" },
  { "POST", "/api/v1/customers/actions/return", "{\"ids\":[\"{customer}\"],\"reason\":\" \"}", TRUE, 400, "invalid_value", "reason" },
  { "POST", "/api/v1/customers/actions/explode", "{\"ids\":[\"{customer}\"]}", TRUE, 404, "not_found", NULL },
  { "PUT", "/api/v1/pools/{pool}/rules", "{\"items\":[{\"no_followup_days\":-1}]}", TRUE, 400, "invalid_value", "no_followup_days" },
  { "PUT", "/api/v1/pools/{pool}/rules", "{\"items\":[{\"no_followup_days\":\"10\"}]}", TRUE, 400, "invalid_type", "no_followup_days" },
  { "PUT", "/api/v1/pools/{pool}/members", "{\"items\":[{\"member_type\":\"robot\",\"member_id\":\"x\"}]}", TRUE, 400, "invalid_value", "member_type" },
  { "PUT", "/api/v1/blobs/not-a-hash", "x", TRUE, 400, "invalid_value", "sha256" },
  { "GET", "/api/v1/customers?deleted=maybe", NULL, TRUE, 400, "invalid_value", "deleted" },
  { "GET", "/api/v1/customers?limit=-1", NULL, TRUE, 400, "invalid_value", "limit" },
  /* Query parameters. */
  { "GET", "/api/v1/users?limit=0", NULL, TRUE, 400, "invalid_value", "limit" },
  { "GET", "/api/v1/users?limit=501", NULL, TRUE, 400, "invalid_value", "limit" },
  { "GET", "/api/v1/users?limit=ten", NULL, TRUE, 400, "invalid_value", "limit" },
  { "GET", "/api/v1/users?enabled=maybe", NULL, TRUE, 400, "invalid_value", "enabled" },
  /* Routes and methods. */
  { "GET", "/api/v1/no-such-thing", NULL, TRUE, 404, "not_found", NULL },
  { "GET", "/api/v1/users/{user}/nothing", NULL, TRUE, 404, "not_found", NULL },
  { "GET", "/api/v1/users/no-such-user", NULL, TRUE, 404, "not_found", NULL },
  { "PUT", "/api/v1/users", "{}", TRUE, 405, "method_not_allowed", NULL },
  { "DELETE", "/api/v1/auth/login", NULL, TRUE, 405, "method_not_allowed", NULL },
  { "DELETE", "/api/v1/users/{user}", NULL, TRUE, 405, "method_not_allowed", NULL },
  /* No token. */
  { "POST", "/api/v1/departments", "{\"name\":\"x\",\"parent_id\":\"{top}\"}", FALSE, 401, "unauthorized", NULL },
};

static const char *customer_id;
static const char *pool_id;

static char *
substitute (const char *text,
            const char *top,
            const char *user)
{
  g_autoptr(GString) string = NULL;

  if (text == NULL)
    return NULL;
  string = g_string_new (text);
  g_string_replace (string, "{top}", top, 0);
  g_string_replace (string, "{user}", user, 0);
  g_string_replace (string, "{customer}", customer_id, 0);
  g_string_replace (string, "{pool}", pool_id, 0);
  return g_string_free (g_steal_pointer (&string), FALSE);
}

static void
test_table (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = kehu_test_api_db_string (api, "SELECT id FROM departments WHERE parent_id IS NULL");
  g_autofree char *user = kehu_test_api_db_string (api, "SELECT id FROM users");
  g_autofree char *customer = kehu_test_api_create (api, admin, "customers", "{\"name\":\"原样客户\"}");
  g_autofree char *pool = kehu_test_api_db_string (api, "SELECT id FROM pools");
  g_autofree char *before = kehu_test_api_db_checksum (api, WATCHED_TABLES);
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) health = NULL;

  customer_id = customer;
  pool_id = pool;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *c = &cases[i];
      g_autofree char *path = substitute (c->path, top, user);
      g_autofree char *body = substitute (c->body, top, user);

      g_autofree char *shown = g_strescape (body ? body : "", NULL);

      g_test_message ("case %u: %s %s %s", i, c->method, path, shown);
      kehu_test_api_expect_error (api, c->auth ? admin : NULL, c->method, path, body,
                                  c->status, c->code, c->field);
    }

  after = kehu_test_api_db_checksum (api, WATCHED_TABLES);
  g_assert_cmpstr (after, ==, before);

  health = kehu_test_api_expect (api, NULL, "GET", "/api/v1/health", NULL, 200);
}

static void
test_oversized (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *before = kehu_test_api_db_checksum (api, WATCHED_TABLES);
  g_autofree char *after = NULL;
  g_autoptr(GString) big = g_string_new ("{\"name\":\"");
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(JsonObject) health = NULL;

  /* Just over the documented 1 MiB limit. */
  while (big->len < 1024 * 1024)
    g_string_append (big, "很长的名字");
  g_string_append (big, "\",\"parent_id\":null}");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/departments", big->str,
                              413, "body_too_large", NULL);

  /* Deep nesting within the size limit must not take the server down. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/auth/login", deep->str,
                              400, "invalid_json", NULL);

  after = kehu_test_api_db_checksum (api, WATCHED_TABLES);
  g_assert_cmpstr (after, ==, before);
  health = kehu_test_api_expect (api, NULL, "GET", "/api/v1/health", NULL, 200);
}

static guint
send_chunked (KehuTestApi *api,
              gsize        size,
              GError     **error)
{
  g_autofree char *url = kehu_test_server_url (api->server, "/api/v1/auth/login");
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) reply = NULL;
  char *data = g_malloc (size);

  /* No Content-Length: the limit is enforced on what arrives. */
  memset (data, ' ', size);
  stream = g_memory_input_stream_new_from_data (data, size, g_free);
  soup_message_set_request_body (msg, "application/json", stream, -1);
  reply = soup_session_send_and_read (api->session, msg, NULL, error);
  return soup_message_get_status (msg);
}

static void
test_chunked_oversized (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cut = NULL;
  g_autoptr(JsonObject) health = NULL;
  guint status;

  /* A little over the limit: a proper 413. */
  status = send_chunked (api, 1536 * 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 413);

  /* Far over it: the server stops reading (413 or a cut connection),
   * and serves on. */
  status = send_chunked (api, 32 * 1024 * 1024, &cut);
  g_assert_true (cut != NULL || status == 413);

  health = kehu_test_api_expect (api, NULL, "GET", "/api/v1/health", NULL, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bad-input/table", test_table);
  g_test_add_func ("/bad-input/oversized", test_oversized);
  g_test_add_func ("/bad-input/chunked-oversized", test_chunked_oversized);

  return g_test_run ();
}
