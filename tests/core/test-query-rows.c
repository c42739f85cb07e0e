/* test-query-rows.c: streamed, column-restricted reads (kehu_query_rows_open,
 * kehu_query_foreach_row)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-util.h"

typedef struct
{
  GString *seen;
  guint    stop_after;
  guint    calls;
} Walk;

static gboolean
row_cb (const KehuQueryValue *values,
        guint                 n_values,
        gpointer              user_data,
        GError              **error)
{
  Walk *walk = user_data;

  g_assert_cmpuint (n_values, ==, 3);
  g_assert_cmpint (values[0].type, ==, KEHU_QUERY_VALUE_TEXT);
  g_string_append_printf (walk->seen, "%s|", values[0].text);
  /* is_hot: an integer 0/1, never NULL (NOT NULL column). */
  g_assert_cmpint (values[1].type, ==, KEHU_QUERY_VALUE_INT);
  g_string_append_printf (walk->seen, "%" G_GINT64_FORMAT "|", values[1].i);
  /* tags: its JSON text; the column defaults to "[]". */
  g_assert_cmpint (values[2].type, ==, KEHU_QUERY_VALUE_TEXT);
  g_string_append_printf (walk->seen, "%s;", values[2].text);
  return ++walk->calls != walk->stop_after;
}

static void
test_rows (KehuFixture   *f,
           gconstpointer  data)
{
  const char *fields[] = { "name", "is_hot", "tags", NULL };
  const char *bad[] = { "name", "no_such_field", NULL };
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(KehuQueryRows) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) yes = json_node_init_boolean (json_node_alloc (), TRUE);
  g_autofree char *a = kehu_test_create (f, "customers", "{\"name\": \"丙公司\", \"is_hot\": true, \"tags\": [\"大客户\"]}");
  g_autofree char *b = kehu_test_create (f, "customers", "{\"name\": \"甲公司\", \"is_hot\": false}");
  g_autofree char *c = kehu_test_create (f, "customers", "{\"name\": \"乙公司\", \"is_hot\": true}");
  g_autofree char *d = kehu_test_create (f, "customers", "{\"name\": \"丁公司\", \"is_hot\": true}");
  const KehuQueryValue *values;
  Walk walk = { g_string_new (NULL), 0, 0 };

  g_assert_true (kehu_record_delete (f->ctx, "customers", d, &error));
  query = kehu_query_new (f->ctx, "customers", &error);
  g_assert_no_error (error);
  g_assert_true (kehu_query_set_sort (query, "name", FALSE, &error));

  /* Every live row in name order (UTF-8 byte order: 丙 E4B899 < 乙 E4B999
   * < 甲 E794B2); the deleted one is left out. */
  g_assert_true (kehu_query_foreach_row (query, fields, row_cb, &walk, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (walk.seen->str, ==, "丙公司|1|[\"大客户\"];乙公司|1|[];甲公司|0|[];");

  /* The query's filters hold; the callback may stop early. */
  g_assert_true (kehu_query_add_condition (query, "is_hot", "eq", yes, &error));
  g_string_truncate (walk.seen, 0);
  walk.calls = 0;
  walk.stop_after = 1;
  g_assert_true (kehu_query_foreach_row (query, fields, row_cb, &walk, &error));
  g_assert_cmpstr (walk.seen->str, ==, "丙公司|1|[\"大客户\"];");

  /* The pull form, and its end. */
  rows = kehu_query_rows_open (query, fields, &error);
  g_assert_no_error (error);
  values = kehu_query_rows_next (rows, &error);
  g_assert_cmpstr (values[0].text, ==, "丙公司");
  values = kehu_query_rows_next (rows, &error);
  g_assert_cmpstr (values[0].text, ==, "乙公司");
  g_assert_null (kehu_query_rows_next (rows, &error));
  g_assert_no_error (error);
  g_assert_null (kehu_query_rows_next (rows, &error));

  g_assert_null (kehu_query_rows_open (query, bad, &error));
  g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD);

  g_string_free (walk.seen, TRUE);
  (void) a; (void) b; (void) c;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/query-rows/stream", test_rows);

  return g_test_run ();
}
