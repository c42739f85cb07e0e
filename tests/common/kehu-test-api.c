/* kehu-test-api.c: calling kehu-server's REST API from the tests
 *
 * A KehuTestApi is a real kehu-server process (started with --test-clock,
 * so X-Kehu-Now moves its clock) plus a SoupSession. The database file of
 * the server is read directly with SQLite to check that bad requests wrote
 * nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "kehu-search.h"
#include "kehu-test-api.h"

char *
kehu_test_create_admin (const char *data_dir,
                        const char *phone,
                        const char *password)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strconcat (password, "\n", NULL);
  g_autofree char *output = NULL;
  g_autofree char *data_arg = g_strdup_printf ("--data-dir=%s", data_dir);
  const char *bin = g_getenv ("KEHU_SERVER_BIN");

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              bin, data_arg, "--create-admin", phone, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  return g_strstrip (g_steal_pointer (&output));
}

KehuTestApi *
kehu_test_api_start (gboolean with_admin,
                     ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-api-XXXXXX", &error);
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  KehuTestApi *api = g_new0 (KehuTestApi, 1);
  const char *arg;
  va_list args;

  g_assert_no_error (error);
  /* "Today" and "this week" of the pool limits: the same everywhere. */
  g_setenv ("TZ", "UTC", TRUE);
  if (with_admin)
    g_free (kehu_test_create_admin (dir, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD));

  va_start (args, with_admin);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (extra, (gpointer) arg);
  va_end (args);
  while (extra->len < 4)
    g_ptr_array_add (extra, NULL);

  api->server = kehu_test_server_start (dir, "--test-clock",
                                        extra->pdata[0], extra->pdata[1], extra->pdata[2],
                                        extra->pdata[3], NULL);
  /* The data folder is ours: remove it with the server. */
  api->server->own_data_dir = TRUE;
  api->session = soup_session_new_with_options ("timeout", 60, NULL);

  return api;
}

void
kehu_test_api_free (KehuTestApi *api)
{
  if (api == NULL)
    return;
  g_clear_object (&api->session);
  g_clear_pointer (&api->server, kehu_test_server_free);
  g_free (api->now);
  g_free (api);
}

void
kehu_test_api_set_now (KehuTestApi *api,
                       const char  *now)
{
  g_free (api->now);
  api->now = g_strdup (now);
}

JsonNode *
kehu_test_api_call_headers (KehuTestApi         *api,
                            const char          *token,
                            const char          *method,
                            const char          *path,
                            const char          *body,
                            const char          *header,
                            const char          *header_value,
                            SoupMessageHeaders **response_headers,
                            guint               *status)
{
  g_autofree char *url = kehu_test_server_url (api->server, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  const char *content_type;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }
  if (api->now != NULL)
    soup_message_headers_replace (headers, "X-Kehu-Now", api->now);
  if (header != NULL)
    soup_message_headers_replace (headers, header, header_value);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  reply = soup_session_send_and_read (api->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (response_headers != NULL)
    *response_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  g_assert_cmpstr (content_type, ==, "application/json");
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

JsonNode *
kehu_test_api_call (KehuTestApi *api,
                    const char  *token,
                    const char  *method,
                    const char  *path,
                    const char  *body,
                    guint       *status)
{
  return kehu_test_api_call_headers (api, token, method, path, body, NULL, NULL, NULL, status);
}

/* The reply object, after checking the status (printing the reply when it
 * differs, to make failures readable). */
JsonObject *
kehu_test_api_expect (KehuTestApi *api,
                      const char  *token,
                      const char  *method,
                      const char  *path,
                      const char  *body,
                      guint        expected_status)
{
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  reply = kehu_test_api_call (api, token, method, path, body, &status);
  if (status != expected_status)
    {
      g_autofree char *text = json_to_string (reply, FALSE);
      g_test_message ("%s %s → %u: %s", method, path, status, text);
    }
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));
  return json_object_ref (json_node_get_object (reply));
}

void
kehu_test_api_expect_error (KehuTestApi *api,
                            const char  *token,
                            const char  *method,
                            const char  *path,
                            const char  *body,
                            guint        expected_status,
                            const char  *expected_code,
                            const char  *expected_field)
{
  g_autoptr(JsonObject) reply = kehu_test_api_expect (api, token, method, path, body, expected_status);
  JsonObject *error = json_object_get_object_member (reply, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, expected_code);
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, expected_field);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
}

/* A new user with @password, in @department_id, with @role_id (nullable)
 * and @supervisor_id (nullable); returns its id. */
char *
kehu_test_api_add_user (KehuTestApi *api,
                        const char  *admin_token,
                        const char  *phone,
                        const char  *name,
                        const char  *department_id,
                        const char  *supervisor_id,
                        const char  *role_id)
{
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_printf (body, "{\"phone\":\"%s\",\"name\":\"%s\",\"password\":\"%s\",\"department_id\":\"%s\"",
                   phone, name, KEHU_TEST_USER_PASSWORD, department_id);
  if (supervisor_id != NULL)
    g_string_append_printf (body, ",\"supervisor_id\":\"%s\"", supervisor_id);
  if (role_id != NULL)
    g_string_append_printf (body, ",\"role_ids\":[\"%s\"]", role_id);
  g_string_append (body, "}");

  user = kehu_test_api_expect (api, admin_token, "POST", "/api/v1/users", body->str, 201);
  return g_strdup (json_object_get_string_member (user, "id"));
}

/* Creates a record of @module and returns its id. */
char *
kehu_test_api_create (KehuTestApi *api,
                      const char  *token,
                      const char  *module,
                      const char  *body)
{
  g_autofree char *path = g_strconcat ("/api/v1/", module, NULL);
  g_autoptr(JsonObject) record = kehu_test_api_expect (api, token, "POST", path, body, 201);

  return g_strdup (json_object_get_string_member (record, "id"));
}

char *
kehu_test_api_login (KehuTestApi *api,
                     const char  *phone,
                     const char  *password)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *body = g_strdup_printf ("{\"phone\":\"%s\",\"password\":\"%s\"}", phone, password);

  reply = kehu_test_api_expect (api, NULL, "POST", "/api/v1/auth/login", body, 200);
  return g_strdup (json_object_get_string_member (reply, "token"));
}

static sqlite3 *
open_db (KehuTestApi *api)
{
  g_autofree char *path = g_build_filename (api->server->data_dir, "kehu.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  /* The FTS triggers of migration 4 call these on every customer write. */
  kehu_search_register_functions (db);
  return db;
}

char *
kehu_test_api_db_string (KehuTestApi *api,
                         const char  *sql)
{
  sqlite3 *db = open_db (api);
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

gint64
kehu_test_api_db_int (KehuTestApi *api,
                      const char  *sql)
{
  g_autofree char *value = kehu_test_api_db_string (api, sql);

  g_assert_nonnull (value);
  return g_ascii_strtoll (value, NULL, 10);
}

void
kehu_test_api_db_exec (KehuTestApi *api,
                       const char  *sql)
{
  sqlite3 *db = open_db (api);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A digest of every row of the named tables (comma-separated), to show
 * that a refused request changed nothing. */
char *
kehu_test_api_db_checksum (KehuTestApi *api,
                           const char  *tables)
{
  g_auto(GStrv) names = g_strsplit (tables, ",", -1);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3 *db = open_db (api);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", names[i]);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const char *text = (const char *) sqlite3_column_text (stmt, c);
            g_checksum_update (checksum, (const guchar *) (text ? text : "\1NULL"), -1);
            g_checksum_update (checksum, (const guchar *) "\0", 1);
          }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);

  return g_strdup (g_checksum_get_string (checksum));
}
