/* test-export.c: GET /api/v1/<module>/export against a real kehu-server
 *
 * The server runs in Chinese (LANGUAGE=zh_CN, the build's catalogs), so
 * headers and dictionary labels come out translated. Spreadsheets are read
 * back with `unzip -p`; CSV is compared byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kehu-test-api.h"

/* A GET that returns the raw body, its status and two headers. */
static GBytes *
download (KehuTestApi  *api,
          const char   *token,
          const char   *path,
          guint        *status,
          char        **content_type,
          char        **disposition)
{
  g_autofree char *url = kehu_test_server_url (api->server, path);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body;
  SoupMessageHeaders *headers;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (api->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  if (content_type)
    *content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  if (disposition)
    *disposition = g_strdup (soup_message_headers_get_one (headers, "Content-Disposition"));
  return body;
}

static char *
download_text (KehuTestApi *api,
               const char  *token,
               const char  *path,
               guint        expected_status)
{
  guint status;
  g_autoptr(GBytes) body = download (api, token, path, &status, NULL, NULL);
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  g_assert_cmpuint (status, ==, expected_status);
  return g_strndup (data, size);
}

/* The first sheet's XML, by unzip. */
static char *
sheet_xml (GBytes *xlsx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-export-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "export.xlsx", NULL);
  g_autofree char *out = NULL;
  int wait_status;
  const char *argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };

  g_assert_no_error (error);
  g_file_set_contents (path, g_bytes_get_data (xlsx, NULL), g_bytes_get_size (xlsx), &error);
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  kehu_test_rm_rf (dir);
  return g_steal_pointer (&out);
}

/* Excel's serial day number of a date, counted here with GDate. */
static guint
excel_day (int year, int month, int day)
{
  g_autoptr(GDate) epoch = g_date_new_dmy (30, G_DATE_DECEMBER, 1899);
  g_autoptr(GDate) date = g_date_new_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);

  return (guint) g_date_days_between (epoch, date);
}

static char *
add_role (KehuTestApi *api,
          const char  *admin,
          const char  *name,
          const char  *permissions,
          const char  *scope)
{
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\",\"permissions\":[%s],\"data_scope\":\"%s\"}",
                                           name, permissions, scope);
  g_autoptr(JsonObject) role = kehu_test_api_expect (api, admin, "POST", "/api/v1/roles", body, 201);

  return g_strdup (json_object_get_string_member (role, "id"));
}

static KehuTestApi *
start_chinese_server (char **admin)
{
  KehuTestApi *api;

  /* The server inherits our environment: run it in Chinese. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LANG", "zh_CN.UTF-8", TRUE);
  api = kehu_test_api_start (TRUE, NULL);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_setenv ("LANG", "C.UTF-8", TRUE);
  *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  return api;
}

static void
test_xlsx (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = start_chinese_server (&admin);
  g_autofree char *customer = NULL;
  g_autofree char *contract = NULL;
  g_autofree char *contract_body = NULL;
  g_autofree char *admin_name = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *date_cell = NULL;
  g_autofree char *owner_cell = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  customer = kehu_test_api_create (api, admin, "customers",
                                   "{\"name\":\"北京大学\",\"level\":\"vip\",\"phone\":\"010-62751234\"}");
  contract_body = g_strdup_printf ("{\"number\":\"HT-001\",\"name\":\"校园网\",\"customer_id\":\"%s\","
                                   "\"amount\":123456789,\"signed_date\":\"2024-05-06\"}", customer);
  contract = kehu_test_api_create (api, admin, "contracts", contract_body);
  admin_name = kehu_test_api_db_string (api, "SELECT name FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");

  body = download (api, admin, "/api/v1/customers/export?format=xlsx", &status, &content_type, &disposition);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (content_type, ==, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  g_assert_true (g_str_has_prefix (disposition, "attachment; filename=\"customers-"));
  /* 客户 in UTF-8, percent-encoded (RFC 6266 filename*). */
  g_assert_nonnull (strstr (disposition, "filename*=UTF-8''%E5%AE%A2%E6%88%B7-"));
  g_assert_true (g_str_has_suffix (disposition, ".xlsx"));

  xml = sheet_xml (body);
  /* Translated headers of the list columns, readable values. */
  g_assert_nonnull (strstr (xml, "<t>名称</t>"));
  g_assert_nonnull (strstr (xml, "<t>级别</t>"));
  g_assert_nonnull (strstr (xml, "<t>负责人</t>"));
  g_assert_nonnull (strstr (xml, "<t>北京大学</t>"));
  g_assert_nonnull (strstr (xml, "<t>VIP客户</t>"));
  g_assert_null (strstr (xml, ">vip<"));
  owner_cell = g_strdup_printf ("<t>%s</t>", admin_name);
  g_assert_nonnull (strstr (xml, owner_cell));
  g_assert_nonnull (strstr (xml, "<t>010-62751234</t>"));
  g_clear_pointer (&xml, g_free);
  g_clear_pointer (&body, g_bytes_unref);

  /* Money as yuan, dates as Excel day numbers, references as titles. */
  body = download (api, admin, "/api/v1/contracts/export?fields=number,customer_id,amount,signed_date", &status,
                   NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  xml = sheet_xml (body);
  g_assert_nonnull (strstr (xml, "<t>合同编号</t>"));
  g_assert_nonnull (strstr (xml, "<t>HT-001</t>"));
  g_assert_nonnull (strstr (xml, "<t>北京大学</t>"));
  g_assert_null (strstr (xml, customer));
  g_assert_nonnull (strstr (xml, "<v>1234567.89</v>"));
  date_cell = g_strdup_printf ("<v>%u</v>", excel_day (2024, 5, 6));
  g_assert_cmpstr (date_cell, ==, "<v>45418</v>");
  g_assert_nonnull (strstr (xml, date_cell));
}

static void
test_csv (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = start_chinese_server (&admin);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  a = kehu_test_api_create (api, admin, "customers",
                            "{\"name\":\"甲, \\\"乙\\\" 公司\",\"level\":\"normal\",\"phone\":\"010-1\",\"is_hot\":true}");
  b = kehu_test_api_create (api, admin, "customers", "{\"name\":\"Zeta\",\"remark\":\"two\\nlines\"}");

  body = download (api, admin, "/api/v1/customers/export?format=csv&fields=name,level,phone,is_hot,remark,deal_status&sort=name",
                   &status, &content_type, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (content_type, ==, "text/csv; charset=utf-8");
  csv = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_cmpstr (csv, ==,
                   "\xEF\xBB\xBF" "名称,级别,电话,热点,备注,成交状态\r\n"
                   "Zeta,,,否,\"two\nlines\",未成交\r\n"
                   "\"甲, \"\"乙\"\" 公司\",普通客户,010-1,是,,未成交\r\n");
}

static void
test_scope_and_permission (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = start_chinese_server (&admin);
  g_autofree char *exporter = add_role (api, admin, "exporter",
                                        "\"customer.read\",\"customer.create\",\"customer.export\"", "self");
  g_autofree char *reader = add_role (api, admin, "reader", "\"customer.read\",\"customer.create\"", "all");
  g_autofree char *top = kehu_test_api_db_string (api, "SELECT id FROM departments WHERE parent_id IS NULL");
  g_autofree char *rep1 = kehu_test_api_add_user (api, admin, "13900000001", "张三", top, NULL, exporter);
  g_autofree char *rep2 = kehu_test_api_add_user (api, admin, "13900000002", "李四", top, NULL, exporter);
  g_autofree char *viewer = kehu_test_api_add_user (api, admin, "13900000003", "王五", top, NULL, reader);
  g_autofree char *t1 = kehu_test_api_login (api, "13900000001", KEHU_TEST_USER_PASSWORD);
  g_autofree char *t2 = kehu_test_api_login (api, "13900000002", KEHU_TEST_USER_PASSWORD);
  g_autofree char *t3 = kehu_test_api_login (api, "13900000003", KEHU_TEST_USER_PASSWORD);
  g_autofree char *csv1 = NULL;

  g_free (kehu_test_api_create (api, t1, "customers", "{\"name\":\"Rep one A\"}"));
  g_free (kehu_test_api_create (api, t1, "customers", "{\"name\":\"Rep one B\"}"));
  g_free (kehu_test_api_create (api, t2, "customers", "{\"name\":\"Rep two\"}"));

  csv1 = download_text (api, t1, "/api/v1/customers/export?format=csv&fields=name,owner_id&sort=name", 200);
  g_assert_cmpstr (csv1, ==, "\xEF\xBB\xBF" "名称,负责人\r\nRep one A,张三\r\nRep one B,张三\r\n");

  /* Reading is not exporting. */
  kehu_test_api_expect_error (api, t3, "GET", "/api/v1/customers/export?format=csv", NULL, 403, "forbidden", NULL);
  /* Not allowed here either: no contract.export. */
  kehu_test_api_expect_error (api, t1, "GET", "/api/v1/contracts/export", NULL, 403, "forbidden", NULL);
  g_assert_nonnull (rep1);
  g_assert_nonnull (rep2);
  g_assert_nonnull (viewer);
}

static void
test_bad_requests (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = start_chinese_server (&admin);

  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/export?format=pdf", NULL, 400,
                              "invalid_value", "format");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/export?format=csv&fields=name,nope", NULL, 400,
                              "invalid_value", "fields");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/export?format=csv&fields=name_key", NULL, 400,
                              "invalid_value", "fields");
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/export?filter=%7Bbad", NULL, 400,
                              "invalid_value", "filter");
  kehu_test_api_expect_error (api, NULL, "GET", "/api/v1/customers/export", NULL, 401, "unauthorized", NULL);
}

/* The export holds what the list shows: same filter, sort and search. */
static void
test_filters (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = start_chinese_server (&admin);
  g_autofree char *filter = g_uri_escape_string ("{\"conditions\":[{\"field\":\"level\",\"op\":\"eq\",\"value\":\"vip\"}]}",
                                                 NULL, FALSE);
  g_autofree char *list_path = g_strdup_printf ("/api/v1/customers?filter=%s&sort=-name&limit=500", filter);
  g_autofree char *export_path = g_strdup_printf ("/api/v1/customers/export?format=csv&fields=name&filter=%s&sort=-name",
                                                  filter);
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(GString) expected = g_string_new ("\xEF\xBB\xBF" "名称\r\n");
  g_autofree char *csv = NULL;
  JsonArray *items;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"C%02u\",\"level\":\"%s\"}", i, i % 3 == 0 ? "vip" : "normal");
      g_free (kehu_test_api_create (api, admin, "customers", body));
    }

  list = kehu_test_api_expect (api, admin, "GET", list_path, NULL, 200);
  items = json_object_get_array_member (list, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 4);
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_string_append_printf (expected, "%s\r\n",
                            json_object_get_string_member (json_array_get_object_element (items, i), "name"));
  /* Independently: C09, C06, C03, C00. */
  g_assert_cmpstr (expected->str, ==, "\xEF\xBB\xBF" "名称\r\nC09\r\nC06\r\nC03\r\nC00\r\n");

  csv = download_text (api, admin, export_path, 200);
  g_assert_cmpstr (csv, ==, expected->str);
}

/* Beyond the row limit (lowered through the environment): a clear error. */
static void
test_row_limit (void)
{
  g_autofree char *admin = NULL;
  g_autoptr(KehuTestApi) api = NULL;
  g_autofree char *csv = NULL;

  g_setenv ("KEHU_EXPORT_MAX_ROWS", "3", TRUE);
  api = start_chinese_server (&admin);
  g_unsetenv ("KEHU_EXPORT_MAX_ROWS");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"R%u\"}", i);
      g_free (kehu_test_api_create (api, admin, "customers", body));
    }
  csv = download_text (api, admin, "/api/v1/customers/export?format=csv&fields=name&sort=name", 200);
  g_assert_cmpstr (csv, ==, "\xEF\xBB\xBF" "名称\r\nR0\r\nR1\r\nR2\r\n");

  g_free (kehu_test_api_create (api, admin, "customers", "{\"name\":\"R3\"}"));
  kehu_test_api_expect_error (api, admin, "GET", "/api/v1/customers/export?format=csv", NULL, 422,
                              "too_many_rows", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/xlsx", test_xlsx);
  g_test_add_func ("/export/csv", test_csv);
  g_test_add_func ("/export/scope-and-permission", test_scope_and_permission);
  g_test_add_func ("/export/bad-requests", test_bad_requests);
  g_test_add_func ("/export/filters", test_filters);
  g_test_add_func ("/export/row-limit", test_row_limit);

  return g_test_run ();
}
