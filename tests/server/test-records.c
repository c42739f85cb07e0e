/* test-records.c: the generic record routes — create, read, list with
 * keyset pages, filters and sort, patch with If-Match, the recycle bin,
 * the operation log, lead conversion, attachments by SHA-256, and eight
 * connections writing at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

static char *
rev_of (KehuTestApi *api,
        const char  *table,
        const char  *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = '%s'", table, id);
  return kehu_test_api_db_string (api, sql);
}

static JsonNode *
patch (KehuTestApi *api,
       const char  *token,
       const char  *path,
       const char  *body,
       const char  *if_match,
       guint       *status)
{
  return kehu_test_api_call_headers (api, token, "PATCH", path, body, if_match ? "If-Match" : NULL, if_match,
                                     NULL, status);
}

static void
test_crud_and_if_match (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *id = kehu_test_api_create (api, admin, "customers",
                                              "{\"name\":\"北京大学\",\"level\":\"vip\",\"tags\":[\"高校\"]}");
  g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s", id);
  g_autofree char *rev = rev_of (api, "customers", id);
  g_autofree char *stale = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) reply2 = NULL;
  g_autoptr(JsonNode) reply3 = NULL;
  g_autoptr(JsonObject) log = NULL;
  JsonArray *entries;
  guint status;

  got = kehu_test_api_expect (api, admin, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (got, "name"), ==, "北京大学");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (got, "tags"), 0), ==, "高校");
  g_assert_cmpint (json_object_get_int_member (got, "rev"), ==, g_ascii_strtoll (rev, NULL, 10));
  g_assert_cmpint (json_object_get_int_member (got, "rev"), >, 0);

  /* Without If-Match: 428; with the right rev: applied, new rev. */
  before = kehu_test_api_db_checksum (api, "customers,oplog,sync_changes");
  reply = patch (api, admin, path, "{\"phone\":\"010-62751234\"}", NULL, &status);
  g_assert_cmpuint (status, ==, 428);
  reply2 = patch (api, admin, path, "{\"phone\":\"010-62751234\"}", "\"999\"", &status);
  g_assert_cmpuint (status, ==, 412);
  after = kehu_test_api_db_checksum (api, "customers,oplog,sync_changes");
  g_assert_cmpstr (after, ==, before);

  reply3 = patch (api, admin, path, "{\"phone\":\"010-62751234\"}", rev, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply3), "rev"), >, g_ascii_strtoll (rev, NULL, 10));

  /* The same rev again is stale now. */
  stale = g_strdup (rev);
  g_clear_pointer (&reply, json_node_unref);
  reply = patch (api, admin, path, "{\"phone\":\"1\"}", stale, &status);
  g_assert_cmpuint (status, ==, 412);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (reply), "error"), "code"),
                   ==, "precondition_failed");

  /* The owner changes only through transfer. */
  g_free (rev);
  rev = rev_of (api, "customers", id);
  g_clear_pointer (&reply, json_node_unref);
  reply = patch (api, admin, path, "{\"owner_id\":null}", rev, &status);
  g_assert_cmpuint (status, ==, 400);

  {
    g_autofree char *log_path = g_strdup_printf ("%s/oplog", path);
    log = kehu_test_api_expect (api, admin, "GET", log_path, NULL, 200);
  }
  entries = json_object_get_array_member (log, "items");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "action"), ==, "create");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 1), "field"), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 1), "new_value"), ==, "010-62751234");

  /* Validation by the schema. */
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/customers", "{\"level\":\"vip\"}", 400, "missing_field", "name");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/customers", "{\"name\":\"x\",\"no_such\":1}", 400, "unknown_field", "no_such");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/customers", "{\"name\":7}", 400, "invalid_type", "name");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/no-such-id", NULL, 404, "not_found", NULL);
}

static void
test_recycle_bin (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *top = kehu_test_api_db_string (api, "SELECT id FROM departments WHERE parent_id IS NULL");
  g_autofree char *role_id = NULL;
  g_autofree char *rep = NULL;
  g_autofree char *rep_token = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *restore = NULL;
  g_autofree char *purge = NULL;
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(JsonObject) ok = NULL;
  g_autoptr(JsonObject) live = NULL;
  g_autoptr(JsonObject) bin = NULL;

  role = kehu_test_api_expect (api, admin, "POST", "/api/v1/roles",
                               "{\"name\":\"rep\",\"data_scope\":\"self\",\"permissions\":[\"contact.read\","
                               "\"contact.create\",\"contact.edit\",\"contact.delete\"]}", 201);
  role_id = g_strdup (json_object_get_string_member (role, "id"));
  rep = kehu_test_api_add_user (api, admin, "13900000001", "张三", top, NULL, role_id);
  rep_token = kehu_test_api_login (api, "13900000001", KEHU_TEST_USER_PASSWORD);

  id = kehu_test_api_create (api, rep_token, "contacts", "{\"name\":\"王经理\",\"mobile\":\"13911112222\"}");
  path = g_strdup_printf ("/api/v1/contacts/%s", id);
  ok = kehu_test_api_expect (api, rep_token, "DELETE", path, NULL, 200);

  live = kehu_test_api_expect (api, rep_token, "GET", "/api/v1/contacts", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (live, "items")), ==, 0);
  bin = kehu_test_api_expect (api, rep_token, "GET", "/api/v1/contacts?deleted=true", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bin, "items")), ==, 1);

  /* Only administrators purge; anyone who could edit restores. */
  purge = g_strdup_printf ("%s/purge", path);
  kehu_test_api_expect_error (api, rep_token, "POST", purge, NULL, 403, "forbidden", NULL);
  restore = g_strdup_printf ("%s/restore", path);
  g_clear_pointer (&ok, json_object_unref);
  ok = kehu_test_api_expect (api, rep_token, "POST", restore, NULL, 200);
  g_clear_pointer (&live, json_object_unref);
  live = kehu_test_api_expect (api, rep_token, "GET", "/api/v1/contacts", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (live, "items")), ==, 1);
  kehu_test_api_expect_error (api, rep_token, "POST", restore, NULL, 409, "not_deleted", NULL);

  g_clear_pointer (&ok, json_object_unref);
  ok = kehu_test_api_expect (api, admin, "DELETE", path, NULL, 200);
  g_clear_pointer (&ok, json_object_unref);
  ok = kehu_test_api_expect (api, admin, "POST", purge, NULL, 200);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE id = '%s'", id);
    g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 0);
  }
}

static void
test_list_pages_filters (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) vip = NULL;
  g_autoptr(JsonObject) sorted = NULL;
  guint pages = 0;

  for (int i = 0; i < 7; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"客户%02d\",\"level\":\"%s\"}", i, i % 3 == 0 ? "vip" : "normal");
      g_free (kehu_test_api_create (api, admin, "customers", body));
    }

  /* Pages of 3: every customer exactly once, then next is null. */
  do
    {
      g_autofree char *path = after ? g_strdup_printf ("/api/v1/customers?limit=3&after=%s", after)
                                    : g_strdup ("/api/v1/customers?limit=3");
      g_autoptr(JsonObject) page = kehu_test_api_expect (api, admin, "GET", path, NULL, 200);
      JsonArray *items = json_object_get_array_member (page, "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (json_array_get_object_element (items, i), "id"))));
      g_free (after);
      after = json_object_get_null_member (page, "next") ? NULL : g_strdup (json_object_get_string_member (page, "next"));
      pages++;
    }
  while (after != NULL && pages < 10);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 7);
  g_assert_cmpuint (pages, ==, 3);

  vip = kehu_test_api_expect (api, admin, "GET",
                              "/api/v1/customers?filter=%7B%22conditions%22%3A%5B%7B%22field%22%3A%22level%22%2C%22op%22%3A%22eq%22%2C%22value%22%3A%22vip%22%7D%5D%7D",
                              NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vip, "items")), ==, 3);

  sorted = kehu_test_api_expect (api, admin, "GET", "/api/v1/customers?sort=-name&limit=2", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (sorted, "items"), 0), "name"),
                   ==, "客户06");

  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers?limit=501", NULL, 400, "invalid_value", "limit");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers?sort=no_such_field", NULL, 400, "invalid_value", "sort");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers?filter=%7Bbad", NULL, 400, "invalid_value", "filter");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers?after=garbage", NULL, 400, "invalid_value", "after");
}

static void
test_convert_leads (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *lead = kehu_test_api_create (api, admin, "leads", "{\"name\":\"上海某科技有限公司\",\"phone\":\"021-5555\"}");
  g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"]}", lead);
  g_autofree char *status = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) customer = NULL;
  const char *customer_id;

  reply = kehu_test_api_expect (api, admin, "POST", "/api/v1/leads/actions/convert", body, 200);
  customer_id = json_array_get_string_element (json_object_get_array_member (reply, "customer_ids"), 0);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/customers/%s", customer_id);
    customer = kehu_test_api_expect (api, admin, "GET", path, NULL, 200);
  }
  g_assert_cmpstr (json_object_get_string_member (customer, "name"), ==, "上海某科技有限公司");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT status FROM leads WHERE id = '%s'", lead);
    status = kehu_test_api_db_string (api, sql);
  }
  g_assert_cmpstr (status, ==, "converted");
  kehu_test_api_expect_error (api, admin, "POST", "/api/v1/leads/actions/convert", body, 409, "already_converted", "status");
}

static void
test_attachments (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *customer = kehu_test_api_create (api, admin, "customers", "{\"name\":\"附件客户\"}");
  const char content[] = "名片的内容 — a business card";
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autofree char *blob_url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *list_path = NULL;
  g_autoptr(SoupMessage) upload = NULL;
  g_autoptr(SoupMessage) bad = NULL;
  g_autoptr(SoupMessage) download = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static (content, strlen (content));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autofree char *auth = g_strconcat ("Bearer ", admin, NULL);
  g_autofree char *wrong_url = NULL;

  blob_url = kehu_test_server_url (api->server, "/api/v1/blobs/");
  {
    g_autofree char *url = g_strconcat (blob_url, sha, NULL);

    upload = soup_message_new ("PUT", url);
    soup_message_headers_replace (soup_message_get_request_headers (upload), "Authorization", auth);
    soup_message_set_request_body_from_bytes (upload, "application/octet-stream", bytes);
    g_bytes_unref (soup_session_send_and_read (api->session, upload, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (upload), ==, 201);

    /* Not readable until an attachment record points at it. */
    download = soup_message_new ("GET", url);
    soup_message_headers_replace (soup_message_get_request_headers (download), "Authorization", auth);
    g_bytes_unref (soup_session_send_and_read (api->session, download, NULL, &error));
    g_assert_cmpuint (soup_message_get_status (download), ==, 404);
  }

  /* A body that does not hash to its name is refused. */
  wrong_url = g_strconcat (blob_url, "0000000000000000000000000000000000000000000000000000000000000000", NULL);
  bad = soup_message_new ("PUT", wrong_url);
  soup_message_headers_replace (soup_message_get_request_headers (bad), "Authorization", auth);
  soup_message_set_request_body_from_bytes (bad, "application/octet-stream", bytes);
  g_bytes_unref (soup_session_send_and_read (api->session, bad, NULL, &error));
  g_assert_cmpuint (soup_message_get_status (bad), ==, 400);

  body = g_strdup_printf ("{\"target_module\":\"customers\",\"target_id\":\"%s\",\"name\":\"名片.txt\","
                          "\"mime_type\":\"text/plain\",\"size\":%zu,\"sha256\":\"%s\"}",
                          customer, strlen (content), sha);
  g_free (kehu_test_api_create (api, admin, "attachments", body));

  list_path = g_strdup_printf ("/api/v1/customers/%s/attachments", customer);
  list = kehu_test_api_expect (api, admin, "GET", list_path, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "items")), ==, 1);

  {
    g_autofree char *url = g_strconcat (blob_url, sha, NULL);
    g_autoptr(SoupMessage) get = soup_message_new ("GET", url);

    soup_message_headers_replace (soup_message_get_request_headers (get), "Authorization", auth);
    reply = soup_session_send_and_read (api->session, get, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (get), ==, 200);
    g_assert_cmpmem (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), content, strlen (content));
  }
}

typedef struct
{
  KehuTestApi *api;
  const char  *token;
  int          writer;
  int          created;
} Writer;

#define WRITERS 8
#define PER_WRITER 25

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 1, NULL);
  g_autofree char *url = kehu_test_server_url (w->api->server, "/api/v1/customers");
  g_autofree char *auth = g_strconcat ("Bearer ", w->token, NULL);

  for (int i = 0; i < PER_WRITER; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"并发客户 %d-%d\"}", w->writer, i);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autoptr(GBytes) reply = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (session, msg, NULL, NULL);
      if (soup_message_get_status (msg) == 201)
        w->created++;
    }
  return NULL;
}

static void
test_concurrent_writers (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  Writer writers[WRITERS];
  GThread *threads[WRITERS];

  for (int i = 0; i < WRITERS; i++)
    {
      writers[i] = (Writer) { api, admin, i, 0 };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  for (int i = 0; i < WRITERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpint (writers[i].created, ==, PER_WRITER);
    }

  /* Nothing lost: every row there, names distinct, revs distinct. */
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(*) FROM customers WHERE name LIKE '并发客户 %'"), ==, WRITERS * PER_WRITER);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(DISTINCT name) FROM customers"), ==, WRITERS * PER_WRITER);
  g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count(DISTINCT rev) FROM customers"), ==, WRITERS * PER_WRITER);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/records/crud-and-if-match", test_crud_and_if_match);
  g_test_add_func ("/records/recycle-bin", test_recycle_bin);
  g_test_add_func ("/records/list-pages-filters", test_list_pages_filters);
  g_test_add_func ("/records/convert-leads", test_convert_leads);
  g_test_add_func ("/records/attachments", test_attachments);
  g_test_add_func ("/records/concurrent-writers", test_concurrent_writers);

  return g_test_run ();
}
