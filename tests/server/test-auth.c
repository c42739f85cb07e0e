/* test-auth.c: login, tokens, logout, expiry, disabled users, throttling
 * and the login log, against a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

#define ADMIN_LOGIN "{\"phone\":\"" KEHU_TEST_ADMIN_PHONE "\",\"password\":\"" KEHU_TEST_ADMIN_PASSWORD "\"}"
#define WRONG_LOGIN "{\"phone\":\"" KEHU_TEST_ADMIN_PHONE "\",\"password\":\"wrong-password\"}"

static char *
create_user (KehuTestApi *api,
             const char  *admin_token,
             const char  *phone)
{
  g_autoptr(JsonObject) departments = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autofree char *body = NULL;
  const char *top;

  departments = kehu_test_api_expect (api, admin_token, "GET", "/api/v1/departments", NULL, 200);
  top = json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (departments, "items"), 0), "id");
  body = g_strdup_printf ("{\"phone\":\"%s\",\"name\":\"张三\",\"password\":\"user-password\","
                          "\"department_id\":\"%s\"}", phone, top);
  user = kehu_test_api_expect (api, admin_token, "POST", "/api/v1/users", body, 201);
  return g_strdup (json_object_get_string_member (user, "id"));
}

static void
test_login_and_me (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) me = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expected_hash = NULL;
  g_autofree char *stored_password = NULL;
  JsonObject *user;
  const char *token;

  login = kehu_test_api_expect (api, NULL, "POST", "/api/v1/auth/login", ADMIN_LOGIN, 200);
  token = json_object_get_string_member (login, "token");
  /* 32 random bytes in unpadded base64url. */
  g_assert_cmpuint (strlen (token), ==, 43);
  g_assert_cmpuint (strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), ==, 43);
  user = json_object_get_object_member (login, "user");
  g_assert_cmpstr (json_object_get_string_member (user, "phone"), ==, KEHU_TEST_ADMIN_PHONE);
  g_assert_true (json_object_get_boolean_member (user, "is_super_admin"));
  g_assert_false (json_object_has_member (user, "password_hash"));

  me = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (me, "user"), "id"), ==,
                   json_object_get_string_member (user, "id"));

  /* Only the SHA-256 of the token is stored, and an Argon2id hash of the
   * password. */
  hash = kehu_test_api_db_string (api, "SELECT token_hash FROM auth_tokens");
  expected_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_assert_cmpstr (hash, ==, expected_hash);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM auth_tokens WHERE token_hash LIKE '%' || 'x'"), >=, 0);
  stored_password = kehu_test_api_db_string (api, "SELECT password_hash FROM users");
  g_assert_true (g_str_has_prefix (stored_password, "$argon2id$"));

  /* Two logins give two different tokens. */
  {
    g_autofree char *second = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
    g_assert_cmpstr (second, !=, token);
  }
}

static void
test_wrong_credentials (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);

  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", WRONG_LOGIN,
                              401, "invalid_credentials", NULL);
  /* An unknown phone answers exactly like a wrong password. */
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login",
                              "{\"phone\":\"13999999999\",\"password\":\"whatever1\"}",
                              401, "invalid_credentials", NULL);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM auth_tokens"), ==, 0);
}

static void
test_token_required (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  kehu_test_api_expect_error (api, NULL, "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
  kehu_test_api_expect_error (api, "not-a-token", "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
  kehu_test_api_expect_error (api, NULL, "GET", "/api/v1/users", NULL, 401, "unauthorized", NULL);

  /* "Basic" is not a bearer token. */
  reply = kehu_test_api_call_headers (api, NULL, "GET", "/api/v1/auth/me", NULL,
                                      "Authorization", "Basic YWRtaW46YWRtaW4=", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
}

static void
test_logout (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *token = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *other = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autoptr(JsonObject) reply = NULL;

  reply = kehu_test_api_expect (api, token, "POST", "/api/v1/auth/logout", NULL, 200);
  kehu_test_api_expect_error (api, token, "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
  /* Only that session ended. */
  g_clear_pointer (&reply, json_object_unref);
  reply = kehu_test_api_expect (api, other, "GET", "/api/v1/auth/me", NULL, 200);
}

static void
test_expiry (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) reply = NULL;

  kehu_test_api_set_now (api, "2026-03-01T08:00:00Z");
  token = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);

  kehu_test_api_set_now (api, "2026-03-30T08:00:00Z");
  reply = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);

  /* 30 days after the login the token is dead. */
  kehu_test_api_set_now (api, "2026-03-31T08:00:00Z");
  kehu_test_api_expect_error (api, token, "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
}

static void
test_disabled_user (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *user_id = create_user (api, admin, "13900000001");
  g_autofree char *token = kehu_test_api_login (api, "13900000001", "user-password");
  g_autofree char *path = g_strdup_printf ("/api/v1/users/%s/disable", user_id);
  g_autofree char *enable = g_strdup_printf ("/api/v1/users/%s/enable", user_id);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) reply2 = NULL;
  g_autoptr(JsonObject) reply3 = NULL;

  reply = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);
  reply2 = kehu_test_api_expect (api, admin, "POST", path, "{\"transfer_to\":null}", 200);
  g_assert_false (json_object_get_boolean_member (reply2, "is_enabled"));

  /* Its live token dies with it, and it cannot log in again. */
  kehu_test_api_expect_error (api, token, "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login",
                              "{\"phone\":\"13900000001\",\"password\":\"user-password\"}",
                              403, "account_disabled", NULL);

  reply3 = kehu_test_api_expect (api, admin, "POST", enable, NULL, 200);
  g_free (kehu_test_api_login (api, "13900000001", "user-password"));
}

static void
test_throttle_account (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *retry_at = NULL;
  guint status;

  kehu_test_api_set_now (api, "2026-05-01T09:00:00Z");
  for (int i = 0; i < 5; i++)
    kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", WRONG_LOGIN,
                                401, "invalid_credentials", NULL);

  /* The sixth attempt is refused even with the right password. */
  kehu_test_api_set_now (api, "2026-05-01T09:05:00Z");
  reply = kehu_test_api_call_headers (api, NULL, "POST", "/api/v1/auth/login", ADMIN_LOGIN,
                                      NULL, NULL, &headers, &status);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (reply), "error"), "code"),
                   ==, "too_many_attempts");
  /* 15 minutes after the first failure (09:00) = 10 minutes from now. */
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Retry-After"), ==, "600");

  /* Another account from the same address is not affected. */
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login",
                              "{\"phone\":\"13999999999\",\"password\":\"whatever1\"}",
                              401, "invalid_credentials", NULL);

  kehu_test_api_set_now (api, "2026-05-01T09:15:01Z");
  g_free (kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD));

  /* A success starts the count again. */
  for (int i = 0; i < 4; i++)
    kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", WRONG_LOGIN,
                                401, "invalid_credentials", NULL);
  g_free (kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD));

  retry_at = kehu_test_api_db_string (api, "SELECT group_concat (result, ',') FROM "
                                           "(SELECT result FROM login_log ORDER BY id)");
  g_assert_cmpstr (retry_at, ==,
                   "wrong_password,wrong_password,wrong_password,wrong_password,wrong_password,"
                   "throttled,unknown_user,ok,"
                   "wrong_password,wrong_password,wrong_password,wrong_password,ok");
}

static void
test_throttle_address (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);

  kehu_test_api_set_now (api, "2026-05-01T09:00:00Z");
  /* 20 failures spread over 20 phones: no account reaches its limit, the
   * address does. */
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"phone\":\"1370000%04d\",\"password\":\"guess-guess\"}", i);
      kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", body,
                                  401, "invalid_credentials", NULL);
    }
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", ADMIN_LOGIN,
                              429, "too_many_attempts", NULL);

  kehu_test_api_set_now (api, "2026-05-01T09:16:00Z");
  g_free (kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD));
}

static void
test_login_log (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = NULL;
  g_autofree char *user_token = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(JsonObject) page2 = NULL;
  JsonArray *items;
  JsonObject *newest;

  kehu_test_api_set_now (api, "2026-06-01T10:00:00Z");
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", WRONG_LOGIN,
                              401, "invalid_credentials", NULL);
  kehu_test_api_set_now (api, "2026-06-01T10:01:00Z");
  admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  user_id = create_user (api, admin, "13900000002");
  user_token = kehu_test_api_login (api, "13900000002", "user-password");

  page = kehu_test_api_expect (api, admin, "GET", "/api/v1/auth/login-log?limit=2", NULL, 200);
  items = json_object_get_array_member (page, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  newest = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (newest, "phone"), ==, "13900000002");
  g_assert_cmpstr (json_object_get_string_member (newest, "user_id"), ==, user_id);
  g_assert_cmpstr (json_object_get_string_member (newest, "result"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (newest, "address"), ==, "127.0.0.1");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "at"), ==,
                   "2026-06-01T10:01:00Z");

  {
    g_autofree char *next = g_strdup_printf ("/api/v1/auth/login-log?limit=2&after=%s",
                                             json_object_get_string_member (page, "next"));
    page2 = kehu_test_api_expect (api, admin, "GET", next, NULL, 200);
  }
  items = json_object_get_array_member (page2, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "result"), ==,
                   "wrong_password");
  g_assert_true (json_object_get_null_member (page2, "next"));

  /* A user without the permission may not read it. */
  kehu_test_api_expect_error (api, user_token, "GET", "/api/v1/auth/login-log", NULL,
                              403, "forbidden", NULL);
}

static void
test_change_password (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *token = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *other = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) me = NULL;

  kehu_test_api_expect_error (api, token, "POST", "/api/v1/auth/password",
                              "{\"old_password\":\"nope-nope\",\"new_password\":\"new-password-1\"}",
                              403, "invalid_credentials", "old_password");
  kehu_test_api_expect_error (api, token, "POST", "/api/v1/auth/password",
                              "{\"old_password\":\"" KEHU_TEST_ADMIN_PASSWORD "\",\"new_password\":\"short\"}",
                              400, "invalid_value", "new_password");
  reply = kehu_test_api_expect (api, token, "POST", "/api/v1/auth/password",
                                "{\"old_password\":\"" KEHU_TEST_ADMIN_PASSWORD "\",\"new_password\":\"new-password-1\"}",
                                200);
  /* This session goes on, the others end. */
  me = kehu_test_api_expect (api, token, "GET", "/api/v1/auth/me", NULL, 200);
  kehu_test_api_expect_error (api, other, "GET", "/api/v1/auth/me", NULL, 401, "unauthorized", NULL);
  kehu_test_api_expect_error (api, NULL, "POST", "/api/v1/auth/login", ADMIN_LOGIN,
                              401, "invalid_credentials", NULL);
  g_free (kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, "new-password-1"));
}

static void
test_fake_clock_needs_flag (void)
#define LOGIN_BODY "{\"phone\":\"13800000009\",\"password\":\"admin-password\"}"
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);
  g_autofree char *admin = kehu_test_create_admin (server->data_dir, "13800000009", "admin-password");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = kehu_test_server_url (server, "/api/v1/auth/login");
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new_static (LOGIN_BODY, strlen (LOGIN_BODY));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GError) error = NULL;

  /* Without --test-clock the header is ignored: the token expires 30 days
   * from the real now, not from 2001. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Kehu-Now", "2001-01-01T00:00:00Z");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
  g_assert_no_error (error);
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                                         "expires_at"), NULL);
  g_assert_cmpint (g_date_time_difference (expires, now) / G_TIME_SPAN_DAY, >=, 29);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/login-and-me", test_login_and_me);
  g_test_add_func ("/auth/wrong-credentials", test_wrong_credentials);
  g_test_add_func ("/auth/token-required", test_token_required);
  g_test_add_func ("/auth/logout", test_logout);
  g_test_add_func ("/auth/expiry", test_expiry);
  g_test_add_func ("/auth/disabled-user", test_disabled_user);
  g_test_add_func ("/auth/throttle/account", test_throttle_account);
  g_test_add_func ("/auth/throttle/address", test_throttle_address);
  g_test_add_func ("/auth/login-log", test_login_log);
  g_test_add_func ("/auth/change-password", test_change_password);
  g_test_add_func ("/auth/fake-clock-needs-flag", test_fake_clock_needs_flag);

  return g_test_run ();
}
