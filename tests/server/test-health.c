/* test-health.c: kehu-server starts, answers /api/v1/health and stops cleanly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "kehu-store.h"
#include "kehu-test-server.h"
#include "kehu-version.h"

static void
test_health (void)
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = kehu_test_server_url (server, "/api/v1/health");
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *db = NULL;
  JsonObject *object;
  guint status;

  reply = kehu_test_http (session, "GET", url, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));

  object = json_node_get_object (reply);
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==, KEHU_VERSION);
  g_assert_cmpstr (json_object_get_string_member (object, "storage"), ==, "sqlite");
  g_assert_cmpint (json_object_get_int_member (object, "schema_version"), ==,
                   kehu_store_get_latest_version ());

  /* The store lives in --data-dir. */
  db = g_build_filename (server->data_dir, "kehu.db", NULL);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (kehu_test_server_stop (server, SIGTERM), ==, 0);
}

static void
test_sigint (void)
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);

  g_assert_cmpint (kehu_test_server_stop (server, SIGINT), ==, 0);
}

static void
test_unknown_route_and_method (void)
{
  g_autoptr(KehuTestServer) server = kehu_test_server_start (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *missing = kehu_test_server_url (server, "/api/v1/no-such-thing");
  g_autofree char *health = kehu_test_server_url (server, "/api/v1/health");
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) reply2 = NULL;
  JsonObject *error;
  guint status;

  reply = kehu_test_http (session, "GET", missing, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "not_found");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "/api/v1/no-such-thing"));

  reply2 = kehu_test_http (session, "DELETE", health, NULL, &status);
  g_assert_cmpuint (status, ==, 405);
  error = json_object_get_object_member (json_node_get_object (reply2), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "method_not_allowed");

  /* Still serving after the errors. */
  {
    g_autoptr(JsonNode) ok = kehu_test_http (session, "GET", health, NULL, &status);
    g_assert_cmpuint (status, ==, 200);
  }

  g_assert_cmpint (kehu_test_server_stop (server, SIGTERM), ==, 0);
}

static void
test_bad_arguments (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                           &error, g_getenv ("KEHU_SERVER_BIN"), "--port=70000", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  g_assert_nonnull (strstr (err, "--port"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/health", test_health);
  g_test_add_func ("/server/shutdown/sigint", test_sigint);
  g_test_add_func ("/server/errors/route-and-method", test_unknown_route_and_method);
  g_test_add_func ("/server/options/bad-port", test_bad_arguments);

  return g_test_run ();
}
