/* test-report.c: dashboard figures and reports against hand-computed fixtures
 *
 * The fixture below is small enough to compute every figure by hand; the
 * expected values in each test are those hand computations (see the
 * comments), never the output of the code under test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "kehu-query.h"
#include "kehu-report.h"
#include "kehu-schema.h"
#include "kehu-store.h"

typedef struct
{
  char      *dir;
  char      *path;
  KehuStore *store;
  GTimeZone *shanghai;
  GTimeZone *utc;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kehu-test-report-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "kehu.db", NULL);
  f->store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);
  f->shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  g_assert_nonnull (f->shanghai);
  f->utc = g_time_zone_new_utc ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_time_zone_unref (f->shanghai);
  g_time_zone_unref (f->utc);
}

static void
exec (Fixture    *f,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (f->store, sql, &error);
  g_assert_no_error (error);
}

#define T "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'"

/* The shared fixture: an organisation, records on both sides of year,
 * quarter and time-zone boundaries, and deleted rows that must never
 * count. */
static void
populate (Fixture *f)
{
  /* The seeds of the core migration (a default stage group, the top
   * department) stay out of the hand-computed figures. */
  exec (f,
    "UPDATE stage_groups SET is_default = 0;"
    "UPDATE departments SET deleted_at = '2025-01-01T00:00:00Z';");
  exec (f,
    "INSERT INTO departments (id, created_at, updated_at, name, parent_id, position, deleted_at) VALUES"
    " ('D1', " T ", '销售部', NULL, 1, NULL),"
    " ('D2', " T ", '华北区', 'D1', 1, NULL),"
    " ('D3', " T ", '华南区', 'D1', 2, NULL),"
    " ('D4', " T ", '市场部', NULL, 2, NULL),"
    " ('DX', " T ", '已撤销', 'D1', 3, '2026-01-02T00:00:00Z');"
    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id, is_enabled) VALUES"
    " ('u1', " T ", '1', '张三', 'D1', 1),"
    " ('u2', " T ", '2', '李四', 'D2', 1),"
    " ('u3', " T ", '3', '王五', 'D3', 1),"
    " ('u4', " T ", '4', '赵六', NULL, 1),"
    " ('u5', " T ", '5', '钱七', 'D2', 0),"
    " ('u6', " T ", '6', '孙八', 'DX', 1);"
    "INSERT INTO customers (id, created_at, updated_at, owner_id, name, source, industry, level,"
    "                       deleted_at, next_contact_at) VALUES"
    " ('k1', '2026-01-10T02:00:00Z', '2026-01-10T02:00:00Z', 'u1', '甲公司', '展会', 'IT', 'vip', NULL, '2026-04-01T02:00:00Z'),"
    " ('k2', '2026-03-31T16:30:00Z', '2026-03-31T16:30:00Z', 'u2', '乙公司', '展会', NULL, NULL, NULL, NULL),"
    " ('k3', '2025-12-31T17:00:00Z', '2025-12-31T17:00:00Z', 'u1', '丙公司', '网络', NULL, NULL, NULL, NULL),"
    " ('k4', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', 'u1', '丁公司', '展会', NULL, NULL, '2026-02-03T00:00:00Z', NULL),"
    " ('k5', '2026-02-02T00:00:00Z', '2026-02-02T00:00:00Z', NULL, '戊公司', NULL, NULL, NULL, NULL, NULL);"
    "INSERT INTO contacts (id, created_at, updated_at, owner_id, customer_id, name, next_contact_at) VALUES"
    " ('ct1', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', 'u1', 'k1', '小王', '2026-03-31T10:00:00Z');"
    "INSERT INTO leads (id, created_at, updated_at, owner_id, name, next_contact_at) VALUES"
    " ('l1', '2025-11-01T00:00:00Z', '2025-11-01T00:00:00Z', 'u1', '某线索', '2026-03-31T20:00:00Z');"
    "INSERT INTO stage_groups (id, created_at, updated_at, name, is_default) VALUES"
    " ('G', " T ", '默认', 1), ('G2', " T ", '其他', 0);"
    "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES"
    " ('s3', 'G', '方案报价', 60, 3, 'open'),"
    " ('s1', 'G', '验证客户', 10, 1, 'open'),"
    " ('s2', 'G', '需求分析', 30, 2, 'open'),"
    " ('sw', 'G', '赢单', 100, 4, 'won'),"
    " ('sl', 'G', '输单', 0, 5, 'lost'),"
    " ('s9', 'G2', '其他阶段', 50, 1, 'open');"
    "INSERT INTO opportunities (id, created_at, updated_at, owner_id, name, stage_group_id, stage_id,"
    "                           status, amount, expected_close_date, next_contact_at, deleted_at) VALUES"
    " ('o1', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', '商机1', 'G', 's1', 'open', 100005, '2026-04-15', '2026-04-01T15:59:59Z', NULL),"
    " ('o2', '2026-02-02T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', '商机2', 'G', 's2', 'open', 33333, '2026-04-30', NULL, NULL),"
    " ('o3', '2026-03-03T00:00:00Z', '2026-01-01T00:00:00Z', 'u2', '商机3', 'G', 's2', 'open', 10001, '2026-05-01', NULL, NULL),"
    " ('o4', '2026-01-05T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', '商机4', 'G', 'sw', 'won', 500000, '2026-03-01', NULL, NULL),"
    " ('o5', '2026-01-06T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', '商机5', 'G', 's3', 'open', 20000, '2026-04-20', NULL, '2026-01-07T00:00:00Z'),"
    " ('o6', '2026-03-31T16:30:00Z', '2026-01-01T00:00:00Z', 'u2', '商机6', 'G', 's3', 'open', 12345, NULL, NULL, NULL),"
    " ('o7', '2025-06-01T00:00:00Z', '2026-01-01T00:00:00Z', 'u3', '商机7', 'G2', 's9', 'open', 777, NULL, NULL, NULL);"
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id, amount,"
    "                       signed_date, end_date, approval_status, received_total, deleted_at) VALUES"
    " ('c1', " T ", 'u1', 'HT-001', '合同1', 'k1', 100000, '2025-12-31', '2026-06-01', 'approved', 0, NULL),"
    " ('c2', " T ", 'u1', 'HT-002', '年度框架, \"A\"', 'k1', 200000, '2026-01-01', '2026-04-10', 'approved', 10000, NULL),"
    " ('c3', " T ", 'u1', 'HT-003', '合同3', 'k1', 50000, '2026-01-15', NULL, 'pending', 0, NULL),"
    " ('c4', " T ", 'u1', 'HT-004', '合同4', 'k1', 70000, '2026-01-20', NULL, 'approved', 0, '2026-01-21T00:00:00Z'),"
    " ('c5', " T ", 'u2', 'HT-005', '合同5', 'k2', 30000, '2026-03-31', '2026-03-31', 'approved', 0, NULL),"
    " ('c6', " T ", 'u2', 'HT-006', '合同6', 'k2', 40000, '2026-04-01', NULL, 'approved', 0, NULL),"
    " ('c7', " T ", 'u3', 'HT-007', '合同7', 'k1', 300000, '2025-01-20', NULL, 'approved', 0, NULL);"
    "INSERT INTO payments (id, created_at, updated_at, owner_id, number, contract_id, customer_id, amount,"
    "                      paid_date, method, approval_status) VALUES"
    " ('p1', " T ", 'u1', 'HK-001', 'c2', 'k1', 10000, '2026-03-31', 'bank', 'approved'),"
    " ('p2', " T ", 'u1', 'HK-002', 'c2', 'k1', 20000, '2026-04-01', 'bank', 'approved'),"
    " ('p3', " T ", 'u1', 'HK-003', 'c2', 'k1', 99999, '2026-02-01', 'bank', 'rejected');"
    "INSERT INTO followups (id, created_at, updated_at, owner_id, target_module, target_id, customer_id,"
    "                       method, content, followed_at, deleted_at) VALUES"
    " ('f1', " T ", 'u1', 'customers', 'k1', 'k1', 'phone', '电话', '2026-03-31T16:30:00Z', NULL),"
    " ('f2', " T ", 'u1', 'customers', 'k1', 'k1', 'visit', '拜访', '2026-01-05T01:00:00Z', NULL),"
    " ('f3', " T ", 'u2', 'customers', 'k2', 'k2', 'phone', '电话', '2026-02-10T01:00:00Z', NULL),"
    " ('f4', " T ", 'u1', 'customers', 'k1', 'k1', 'phone', '电话', '2026-02-11T01:00:00Z', '2026-02-12T00:00:00Z');"
    "INSERT INTO tasks (id, created_at, updated_at, owner_id, name, due_at, status, deleted_at) VALUES"
    " ('t1', " T ", 'u1', '任务1', '2026-03-30T01:00:00Z', 'todo', NULL),"
    " ('t2', " T ", 'u1', '任务2', '2026-03-31T17:00:00Z', 'todo', NULL),"
    " ('t2b', " T ", 'u1', '任务2b', '2026-03-31T15:00:00Z', 'todo', NULL),"
    " ('t3', " T ", 'u1', '任务3', '2026-04-01T16:00:00Z', 'todo', NULL),"
    " ('t4', " T ", 'u1', '任务4', '2026-03-31T01:00:00Z', 'done', NULL),"
    " ('t5', " T ", 'u1', '任务5', '2026-03-30T01:00:00Z', 'todo', '2026-03-30T02:00:00Z'),"
    " ('t6', " T ", 'u3', '任务6', '2026-03-30T01:00:00Z', 'todo', NULL);"
    "INSERT INTO payment_plans (id, created_at, updated_at, owner_id, contract_id, planned_amount,"
    "                           planned_date, status, deleted_at) VALUES"
    " ('pl1', " T ", 'u1', 'c2', 1000, '2026-03-20', 'pending', NULL),"
    " ('pl2', " T ", 'u1', 'c2', 1000, '2026-04-20', 'partial', NULL),"
    " ('pl3', " T ", 'u1', 'c2', 1000, '2026-05-01', 'pending', NULL),"
    " ('pl4', " T ", 'u1', 'c2', 1000, '2026-05-02', 'pending', NULL),"
    " ('pl5', " T ", 'u1', 'c2', 1000, '2026-03-01', 'received', NULL),"
    " ('pl6', " T ", 'u1', 'c2', 1000, '2026-03-21', 'pending', '2026-03-22T00:00:00Z');"
    "INSERT INTO approval_instances (id, created_at, updated_at, flow_id, flow_definition, business_type,"
    "                                module, record_id, submitter_id, status, state, submitted_at) VALUES"
    " ('ai1', " T ", 'fl', '{}', 'contract', 'contracts', 'c3', 'u2', 'pending', '{}', '2026-03-01T00:00:00Z'),"
    " ('ai2', " T ", 'fl', '{}', 'contract', 'contracts', 'c2', 'u2', 'approved', '{}', '2026-01-01T00:00:00Z'),"
    " ('ai3', " T ", 'fl', '{}', 'contract', 'contracts', 'c5', 'u1', 'pending', '{}', '2026-03-01T00:00:00Z');"
    "INSERT INTO approval_waiting (instance_id, user_id) VALUES ('ai1', 'u1'), ('ai2', 'u1'), ('ai3', 'u2');");
}

/* JSON helpers ------------------------------------------------------------------ */

static JsonNode *
jnode (JsonNode   *root,
       const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = json_path_query (path, root, &error);
  JsonArray *array;

  g_assert_no_error (error);
  array = json_node_get_array (result);
  if (json_array_get_length (array) != 1)
    {
      g_autofree char *dump = json_to_string (root, TRUE);
      g_error ("%s matches %u nodes in %s", path, json_array_get_length (array), dump);
    }
  return json_node_copy (json_array_get_element (array, 0));
}

static gint64
jint (JsonNode   *root,
      const char *path)
{
  g_autoptr(JsonNode) node = jnode (root, path);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static char *
jstr (JsonNode   *root,
      const char *path)
{
  g_autoptr(JsonNode) node = jnode (root, path);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return g_strdup (json_node_get_string (node));
}

static gboolean
jnull (JsonNode   *root,
       const char *path)
{
  g_autoptr(JsonNode) node = jnode (root, path);
  return JSON_NODE_HOLDS_NULL (node);
}

static guint
jlen (JsonNode   *root,
      const char *path)
{
  g_autoptr(JsonNode) node = jnode (root, path);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_get_length (json_node_get_array (node));
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The records behind a figure, as "id,id,…" (sorted). */
static char *
drill (Fixture    *f,
       JsonNode   *root,
       const char *path)
{
  g_autoptr(JsonNode) filter = jnode (root, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = kehu_report_drill_ids (f->store, filter, 0, &error);

  g_assert_no_error (error);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

#define assert_int(root, path, expected) \
  g_assert_cmpint (jint ((root), (path)), ==, (expected))

#define assert_str(root, path, expected) \
  G_STMT_START { \
    g_autofree char *_s = jstr ((root), (path)); \
    g_assert_cmpstr (_s, ==, (expected)); \
  } G_STMT_END

#define assert_drill(f, root, path, expected) \
  G_STMT_START { \
    g_autofree char *_ids = drill ((f), (root), (path)); \
    g_assert_cmpstr (_ids, ==, (expected)); \
  } G_STMT_END

static char *
iso (GDateTime *t)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (t);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* A filter over whole local days [first, last]. */
static void
filter_days (KehuReportFilter *filter,
             GTimeZone        *tz,
             const char       *first,
             const char       *last)
{
  g_autoptr(GError) error = NULL;

  memset (filter, 0, sizeof *filter);
  filter->tz = tz;
  g_assert_true (kehu_report_period_from_dates (first, last, tz, &filter->start, &filter->end, &error));
  g_assert_no_error (error);
}

static void
filter_clear (KehuReportFilter *filter)
{
  g_clear_pointer (&filter->start, g_date_time_unref);
  g_clear_pointer (&filter->end, g_date_time_unref);
}

/* Periods --------------------------------------------------------------------------- */

static void
check_preset (KehuPeriodPreset  preset,
              GDateTime        *now,
              GTimeZone        *tz,
              const char       *start,
              const char       *end)
{
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) e = NULL;
  g_autofree char *si = NULL, *ei = NULL;

  g_assert_true (kehu_report_period_from_preset (preset, now, tz, &s, &e));
  si = iso (s);
  ei = iso (e);
  g_assert_cmpstr (si, ==, start);
  g_assert_cmpstr (ei, ==, end);
  /* Instants in UTC, as the header promises. */
  g_assert_cmpint (g_date_time_get_utc_offset (s), ==, 0);
}

static void
test_period_presets (Fixture       *f,
                     gconstpointer  data)
{
  /* 2026-03-31T16:30Z is Wednesday 2026-04-01 00:30 in Shanghai (UTC+8),
   * still Tuesday 31 March in UTC. */
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-31T16:30:00Z", NULL);
  g_autoptr(GDateTime) sunday = g_date_time_new_from_iso8601 ("2026-03-29T12:00:00Z", NULL);
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) e = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *si = NULL, *ei = NULL;

  check_preset (KEHU_PERIOD_TODAY, now, f->shanghai, "2026-03-31T16:00:00Z", "2026-04-01T16:00:00Z");
  check_preset (KEHU_PERIOD_YESTERDAY, now, f->shanghai, "2026-03-30T16:00:00Z", "2026-03-31T16:00:00Z");
  check_preset (KEHU_PERIOD_THIS_WEEK, now, f->shanghai, "2026-03-29T16:00:00Z", "2026-04-05T16:00:00Z");
  check_preset (KEHU_PERIOD_LAST_WEEK, now, f->shanghai, "2026-03-22T16:00:00Z", "2026-03-29T16:00:00Z");
  check_preset (KEHU_PERIOD_THIS_MONTH, now, f->shanghai, "2026-03-31T16:00:00Z", "2026-04-30T16:00:00Z");
  check_preset (KEHU_PERIOD_LAST_MONTH, now, f->shanghai, "2026-02-28T16:00:00Z", "2026-03-31T16:00:00Z");
  check_preset (KEHU_PERIOD_THIS_QUARTER, now, f->shanghai, "2026-03-31T16:00:00Z", "2026-06-30T16:00:00Z");
  check_preset (KEHU_PERIOD_LAST_QUARTER, now, f->shanghai, "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z");
  check_preset (KEHU_PERIOD_THIS_YEAR, now, f->shanghai, "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z");
  check_preset (KEHU_PERIOD_LAST_YEAR, now, f->shanghai, "2024-12-31T16:00:00Z", "2025-12-31T16:00:00Z");

  check_preset (KEHU_PERIOD_TODAY, now, f->utc, "2026-03-31T00:00:00Z", "2026-04-01T00:00:00Z");
  check_preset (KEHU_PERIOD_THIS_WEEK, now, f->utc, "2026-03-30T00:00:00Z", "2026-04-06T00:00:00Z");
  check_preset (KEHU_PERIOD_THIS_MONTH, now, f->utc, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
  check_preset (KEHU_PERIOD_LAST_MONTH, now, f->utc, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
  check_preset (KEHU_PERIOD_THIS_QUARTER, now, f->utc, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z");
  check_preset (KEHU_PERIOD_LAST_QUARTER, now, f->utc, "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z");
  check_preset (KEHU_PERIOD_LAST_YEAR, now, NULL, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
  /* A Sunday belongs to the week that started the Monday before. */
  check_preset (KEHU_PERIOD_THIS_WEEK, sunday, f->utc, "2026-03-23T00:00:00Z", "2026-03-30T00:00:00Z");

  g_assert_false (kehu_report_period_from_preset (KEHU_PERIOD_CUSTOM, now, f->utc, &s, &e));

  g_assert_true (kehu_report_period_from_dates ("2026-01-01", "2026-01-31", f->shanghai, &s, &e, &error));
  g_assert_no_error (error);
  si = iso (s);
  ei = iso (e);
  g_assert_cmpstr (si, ==, "2025-12-31T16:00:00Z");
  g_assert_cmpstr (ei, ==, "2026-01-31T16:00:00Z");
  g_clear_pointer (&s, g_date_time_unref);
  g_clear_pointer (&e, g_date_time_unref);

  g_assert_false (kehu_report_period_from_dates ("2026-02-30", "2026-03-01", f->utc, &s, &e, &error));
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kehu_report_period_from_dates ("2026-03-02", "2026-03-01", f->utc, &s, &e, &error));
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
}

static void
test_scale_round (void)
{
  g_assert_cmpint (kehu_report_scale_round (5, 1, 10), ==, 1);
  g_assert_cmpint (kehu_report_scale_round (4, 1, 10), ==, 0);
  g_assert_cmpint (kehu_report_scale_round (-5, 1, 10), ==, -1);
  g_assert_cmpint (kehu_report_scale_round (-4, 1, 10), ==, 0);
  g_assert_cmpint (kehu_report_scale_round (1, 10000, 3), ==, 3333);
  g_assert_cmpint (kehu_report_scale_round (2, 10000, 3), ==, 6667);
  g_assert_cmpint (kehu_report_scale_round (100005, 10, 100), ==, 10001);
  /* No overflow in the intermediate product. */
  g_assert_cmpint (kehu_report_scale_round (G_MAXINT64 / 2, 10000, G_MAXINT64), ==, 5000);
}

/* Empty data ------------------------------------------------------------------------- */

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-31T16:30:00Z", NULL);
  const char *nobody[] = { "nobody", NULL };
  KehuReportFilter filter;
  JsonNode *r;

  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");

  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.new_customers.value", 0);
  assert_int (r, "$.contract_amount.value", 0);
  assert_int (r, "$.payment_amount.value", 0);
  assert_int (r, "$.followups.value", 0);
  assert_drill (f, r, "$.contract_amount.drill", "");
  json_node_unref (r);

  r = kehu_report_kpis (f->store, &filter, KEHU_TARGET_COMPANY, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.value", 0);
  assert_int (r, "$.contract_amount.target", 0);
  g_assert_true (jnull (r, "$.contract_amount.completion_bp"));
  json_node_unref (r);

  /* A new store has the seeded default stage group: every stage at zero. */
  r = kehu_report_funnel (f->store, &filter, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < jlen (r, "$.stages"); i++)
    {
      g_autofree char *count = g_strdup_printf ("$.stages[%u].count.value", i);
      g_autofree char *weighted = g_strdup_printf ("$.stages[%u].weighted_amount.value", i);

      assert_int (r, count, 0);
      assert_int (r, weighted, 0);
    }
  assert_int (r, "$.count.value", 0);
  assert_int (r, "$.weighted_amount.value", 0);
  json_node_unref (r);

  /* Without any stage group the funnel is empty, not an error. */
  exec (f, "UPDATE stage_groups SET is_default = 0");
  r = kehu_report_funnel (f->store, &filter, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.stages"), ==, 0);
  assert_str (r, "$.stage_group_id", "");
  assert_int (r, "$.weighted_amount.value", 0);
  json_node_unref (r);

  r = kehu_report_trend (f->store, &filter, KEHU_TARGET_COMPANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 3);
  assert_int (r, "$.rows[2].contract_amount.value", 0);
  json_node_unref (r);

  r = kehu_report_work_desk (f->store, &filter, "u1", now, &error);
  g_assert_no_error (error);
  assert_int (r, "$.tasks_overdue.value", 0);
  assert_int (r, "$.followups_due_today.total", 0);
  assert_int (r, "$.approvals_waiting.value", 0);
  json_node_unref (r);

  r = kehu_report_compare (f->store, &filter, KEHU_REPORT_METRIC_PAYMENT_AMOUNT,
                           KEHU_COMPARE_YEAR_OVER_YEAR, &error);
  g_assert_no_error (error);
  assert_int (r, "$.change", 0);
  g_assert_true (jnull (r, "$.change_bp"));
  json_node_unref (r);

  r = kehu_report_customer_analysis (f->store, &filter, KEHU_CUSTOMER_BY_LEVEL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 0);
  assert_int (r, "$.count.value", 0);
  json_node_unref (r);

  r = kehu_report_followup_stats (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.by_method"), ==, 0);
  json_node_unref (r);

  r = kehu_report_forecast (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.weighted_amount.value", 0);
  json_node_unref (r);

  r = kehu_report_top_customers (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 0);
  json_node_unref (r);

  filter.owner_ids = nobody;
  r = kehu_report_summary_by_person (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 1);
  assert_int (r, "$.rows[0].contract_amount.value", 0);
  json_node_unref (r);

  /* The seeded top department, at zero; no "no department" row. */
  r = kehu_report_summary_by_department (f->store, &filter, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < jlen (r, "$.rows"); i++)
    {
      g_autofree char *id = g_strdup_printf ("$.rows[%u].department_id", i);
      g_autofree char *total = g_strdup_printf ("$.rows[%u].total.contract_amount.value", i);
      g_autofree char *dept = jstr (r, id);

      g_assert_cmpstr (dept, !=, "");
      assert_int (r, total, 0);
    }
  json_node_unref (r);

  r = kehu_report_targets_check (f->store, 2026, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.mismatches"), ==, 0);
  json_node_unref (r);

  r = kehu_report_target_completion (f->store, KEHU_TARGET_COMPANY, NULL, 2026, f->shanghai, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 12);
  g_assert_true (jnull (r, "$.total.new_customers.completion_bp"));
  json_node_unref (r);

  filter_clear (&filter);
}

/* Sales brief: boundaries, time zones, owners ----------------------------------------- */

static void
test_brief (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *u1[] = { "u1", NULL };
  const char *scope_u2[] = { "u2", NULL };
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);

  /* Q1 2026 in Shanghai: local dates 2026-01-01…03-31, instants
   * [2025-12-31T16:00Z, 2026-03-31T16:00Z). */
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_str (r, "$.start", "2025-12-31T16:00:00Z");
  /* k3 was created 2025-12-31T17:00Z = 1 January in Shanghai; k2 at
   * 2026-03-31T16:30Z = 1 April; k4 is deleted. */
  assert_int (r, "$.new_customers.value", 3);
  assert_drill (f, r, "$.new_customers.drill", "k1,k3,k5");
  assert_int (r, "$.new_contacts.value", 1);
  assert_int (r, "$.new_opportunities.value", 4);
  assert_drill (f, r, "$.new_opportunities.drill", "o1,o2,o3,o4");
  assert_int (r, "$.opportunity_amount.value", 643339);
  /* c1 was signed 2025-12-31, c6 2026-04-01; c3 is pending, c4 deleted. */
  assert_int (r, "$.contract_count.value", 2);
  assert_int (r, "$.contract_amount.value", 230000);
  assert_drill (f, r, "$.contract_amount.drill", "c2,c5");
  /* p2 is paid 1 April; p3 was rejected. */
  assert_int (r, "$.payment_amount.value", 10000);
  assert_drill (f, r, "$.payment_amount.drill", "p1");
  /* f1 at 2026-03-31T16:30Z is April in Shanghai; f4 is deleted. */
  assert_int (r, "$.followups.value", 2);
  assert_drill (f, r, "$.followups.drill", "f2,f3");
  json_node_unref (r);
  filter_clear (&filter);

  /* The same quarter in UTC: date columns are the same days, instants move. */
  filter_days (&filter, f->utc, "2026-01-01", "2026-03-31");
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.new_customers.value", 3);
  assert_drill (f, r, "$.new_customers.drill", "k1,k2,k5");
  assert_int (r, "$.new_opportunities.value", 5);
  assert_int (r, "$.opportunity_amount.value", 655684);
  assert_int (r, "$.contract_amount.value", 230000);
  assert_int (r, "$.payment_amount.value", 10000);
  assert_int (r, "$.followups.value", 3);
  json_node_unref (r);
  filter_clear (&filter);

  /* Q2 in Shanghai gets what Q1 lost. */
  filter_days (&filter, f->shanghai, "2026-04-01", "2026-06-30");
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.new_customers.value", 1);
  assert_drill (f, r, "$.new_customers.drill", "k2");
  assert_int (r, "$.contract_amount.value", 40000);
  assert_int (r, "$.payment_amount.value", 20000);
  assert_int (r, "$.followups.value", 1);
  assert_drill (f, r, "$.followups.drill", "f1");
  json_node_unref (r);
  filter_clear (&filter);

  /* The year boundary on a date column: 2025-12-31 vs 2026-01-01. */
  filter_days (&filter, f->shanghai, "2025-12-31", "2025-12-31");
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_drill (f, r, "$.contract_amount.drill", "c1");
  json_node_unref (r);
  filter_clear (&filter);

  /* One person, then a data-scope restriction. */
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");
  filter.owner_ids = u1;
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.value", 200000);
  assert_int (r, "$.payment_amount.value", 10000);
  assert_int (r, "$.new_customers.value", 2);
  assert_int (r, "$.followups.value", 1);
  json_node_unref (r);

  filter.owner_ids = NULL;
  filter.scope_owner_ids = scope_u2;
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.value", 30000);
  assert_drill (f, r, "$.contract_amount.drill", "c5");
  json_node_unref (r);

  /* The person filter and the scope intersect. */
  filter.owner_ids = u1;
  r = kehu_report_sales_brief (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.value", 0);
  json_node_unref (r);
  filter_clear (&filter);
}

static void
test_departments (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) d1 = NULL;
  g_auto(GStrv) d2 = NULL;
  g_auto(GStrv) none = NULL;
  g_autofree char *d1_joined = NULL;
  g_autofree char *d2_joined = NULL;
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);

  /* D1 and its sub-departments D2, D3; not the deleted DX (u6), not u4. */
  d1 = kehu_report_department_user_ids (f->store, "D1", &error);
  g_assert_no_error (error);
  d1_joined = g_strjoinv (",", d1);
  g_assert_cmpstr (d1_joined, ==, "u1,u2,u3,u5");
  d2 = kehu_report_department_user_ids (f->store, "D2", &error);
  g_assert_no_error (error);
  d2_joined = g_strjoinv (",", d2);
  g_assert_cmpstr (d2_joined, ==, "u2,u5");
  none = kehu_report_department_user_ids (f->store, "nope", &error);
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_NOT_FOUND);
  g_assert_null (none);
  g_clear_error (&error);

  /* A cycle in the tree must not hang. */
  exec (f, "UPDATE departments SET parent_id = 'D3' WHERE id = 'D1'");
  g_clear_pointer (&d1, g_strfreev);
  d1 = kehu_report_department_user_ids (f->store, "D1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (d1), ==, 4);
  exec (f, "UPDATE departments SET parent_id = NULL WHERE id = 'D1'");

  /* Department summary, Shanghai Q1. */
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");
  r = kehu_report_summary_by_department (f->store, &filter, &error);
  g_assert_no_error (error);
  /* D2 (华北区), D1 (销售部) at position 1, D3, D4 at 2, then the pool. */
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 5);
  assert_str (r, "$.rows[0].department_id", "D2");
  assert_str (r, "$.rows[1].department_id", "D1");
  assert_int (r, "$.rows[1].own.contract_amount", 200000);
  assert_int (r, "$.rows[1].total.contract_amount.value", 230000);
  assert_drill (f, r, "$.rows[1].total.contract_amount.drill", "c2,c5");
  assert_int (r, "$.rows[1].total.followups.value", 2);
  assert_int (r, "$.rows[1].total.new_customers.value", 2);
  assert_int (r, "$.rows[0].own.contract_amount", 30000);
  assert_int (r, "$.rows[0].total.contract_amount.value", 30000);
  assert_str (r, "$.rows[2].department_id", "D3");
  assert_int (r, "$.rows[2].total.contract_amount.value", 0);
  assert_str (r, "$.rows[4].department_id", "");
  assert_int (r, "$.rows[4].total.new_customers.value", 1);
  assert_drill (f, r, "$.rows[4].total.new_customers.drill", "");
  json_node_unref (r);
  filter_clear (&filter);
}

static void
test_summaries (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *u1_u3[] = { "u1", "u3", NULL };
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");

  r = kehu_report_summary_by_person (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 3);
  assert_str (r, "$.rows[0].owner_id", "u1");
  assert_str (r, "$.rows[0].name", "张三");
  assert_int (r, "$.rows[0].contract_count.value", 1);
  assert_int (r, "$.rows[0].contract_amount.value", 200000);
  assert_int (r, "$.rows[0].payment_amount.value", 10000);
  assert_int (r, "$.rows[0].new_customers.value", 2);
  assert_drill (f, r, "$.rows[0].new_customers.drill", "k1,k3");
  assert_int (r, "$.rows[0].followups.value", 1);
  assert_str (r, "$.rows[1].owner_id", "u2");
  assert_int (r, "$.rows[1].contract_amount.value", 30000);
  assert_int (r, "$.rows[1].followups.value", 1);
  /* The public pool's new customer. */
  assert_str (r, "$.rows[2].owner_id", "");
  assert_int (r, "$.rows[2].new_customers.value", 1);
  assert_drill (f, r, "$.rows[2].new_customers.drill", "k5");
  assert_int (r, "$.total.contract_amount.value", 230000);
  assert_int (r, "$.total.new_customers.value", 3);
  json_node_unref (r);

  /* Every person of the filter has a row, with or without figures. */
  filter.owner_ids = u1_u3;
  r = kehu_report_summary_by_person (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 2);
  assert_str (r, "$.rows[1].owner_id", "u3");
  assert_str (r, "$.rows[1].name", "王五");
  assert_int (r, "$.rows[1].contract_amount.value", 0);
  json_node_unref (r);
  filter.owner_ids = NULL;

  r = kehu_report_summary_by_month (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 3);
  assert_str (r, "$.rows[0].month", "2026-01");
  assert_int (r, "$.rows[0].contract_amount.value", 200000);
  assert_int (r, "$.rows[0].new_customers.value", 2);
  assert_int (r, "$.rows[0].followups.value", 1);
  assert_int (r, "$.rows[1].contract_amount.value", 0);
  assert_int (r, "$.rows[1].new_customers.value", 1);
  assert_int (r, "$.rows[1].followups.value", 1);
  assert_str (r, "$.rows[2].month", "2026-03");
  assert_str (r, "$.rows[2].start", "2026-02-28T16:00:00Z");
  assert_int (r, "$.rows[2].contract_amount.value", 30000);
  assert_int (r, "$.rows[2].payment_amount.value", 10000);
  assert_int (r, "$.rows[2].new_customers.value", 0);
  json_node_unref (r);

  r = kehu_report_customer_analysis (f->store, &filter, KEHU_CUSTOMER_BY_SOURCE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 3);
  assert_str (r, "$.rows[0].value", "展会");
  assert_int (r, "$.rows[0].count.value", 1);
  assert_int (r, "$.rows[0].share_bp", 3333);
  assert_int (r, "$.rows[0].contract_amount.value", 230000);
  assert_drill (f, r, "$.rows[0].contract_amount.drill", "c2,c5");
  assert_str (r, "$.rows[1].value", "");
  assert_drill (f, r, "$.rows[1].count.drill", "k5");
  assert_str (r, "$.rows[2].value", "网络");
  assert_int (r, "$.rows[2].contract_amount.value", 0);
  assert_int (r, "$.count.value", 3);
  assert_int (r, "$.contract_amount", 230000);
  json_node_unref (r);
  filter_clear (&filter);

  filter_days (&filter, f->utc, "2026-01-01", "2026-03-31");
  r = kehu_report_followup_stats (f->store, &filter, &error);
  g_assert_no_error (error);
  assert_int (r, "$.count.value", 3);
  assert_str (r, "$.by_person[0].owner_id", "u1");
  assert_int (r, "$.by_person[0].count.value", 2);
  assert_int (r, "$.by_person[0].customers", 1);
  assert_int (r, "$.by_person[0].methods.phone", 1);
  assert_int (r, "$.by_person[0].methods.visit", 1);
  assert_drill (f, r, "$.by_person[0].count.drill", "f1,f2");
  assert_int (r, "$.by_person[1].count.value", 1);
  assert_str (r, "$.by_method[0].method", "phone");
  assert_int (r, "$.by_method[0].count.value", 2);
  assert_int (r, "$.by_method[0].share_bp", 6667);
  assert_drill (f, r, "$.by_method[0].count.drill", "f1,f3");
  assert_int (r, "$.by_method[1].share_bp", 3333);
  json_node_unref (r);
  filter_clear (&filter);
}

/* Funnel and forecast ------------------------------------------------------------------ */

static void
test_funnel_forecast (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *u1[] = { "u1", NULL };
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);
  filter_days (&filter, f->shanghai, "2026-04-01", "2026-06-30");

  r = kehu_report_funnel (f->store, &filter, NULL, &error);
  g_assert_no_error (error);
  assert_str (r, "$.stage_group_id", "G");
  g_assert_cmpuint (jlen (r, "$.stages"), ==, 3);
  assert_str (r, "$.stages[0].stage_id", "s1");
  assert_int (r, "$.stages[0].count.value", 1);
  assert_int (r, "$.stages[0].amount.value", 100005);
  /* 100005 × 10 / 100 = 10000.5 → 10001 (half away from zero). */
  assert_int (r, "$.stages[0].weighted_amount.value", 10001);
  assert_str (r, "$.stages[1].stage_id", "s2");
  assert_int (r, "$.stages[1].count.value", 2);
  assert_int (r, "$.stages[1].amount.value", 43334);
  /* 43334 × 30 / 100 = 13000.2 → 13000. */
  assert_int (r, "$.stages[1].weighted_amount.value", 13000);
  assert_drill (f, r, "$.stages[1].count.drill", "o2,o3");
  /* o5 is deleted. */
  assert_int (r, "$.stages[2].count.value", 1);
  assert_int (r, "$.stages[2].weighted_amount.value", 7407);
  assert_int (r, "$.count.value", 4);
  assert_int (r, "$.amount.value", 155684);
  assert_int (r, "$.weighted_amount.value", 30408);
  assert_drill (f, r, "$.count.drill", "o1,o2,o3,o6");
  json_node_unref (r);

  filter.owner_ids = u1;
  r = kehu_report_funnel (f->store, &filter, NULL, &error);
  g_assert_no_error (error);
  /* 33333 × 30 / 100 = 9999.9 → 10000. */
  assert_int (r, "$.stages[1].weighted_amount.value", 10000);
  assert_int (r, "$.stages[2].count.value", 0);
  assert_int (r, "$.count.value", 2);
  json_node_unref (r);
  filter.owner_ids = NULL;

  /* Another group holds only o7. */
  r = kehu_report_funnel (f->store, &filter, "G2", &error);
  g_assert_no_error (error);
  assert_int (r, "$.count.value", 1);
  assert_int (r, "$.weighted_amount.value", 389);   /* 777 × 50 / 100 = 388.5 */
  json_node_unref (r);

  /* Forecast Q2: April o1 + o2, May o3; o6 has no date, o5 is deleted. */
  r = kehu_report_forecast (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 3);
  assert_str (r, "$.rows[0].month", "2026-04");
  assert_int (r, "$.rows[0].count.value", 2);
  assert_int (r, "$.rows[0].amount.value", 133338);
  /* (100005 × 10 + 33333 × 30) / 100 = 20000.4 → 20000. */
  assert_int (r, "$.rows[0].weighted_amount.value", 20000);
  assert_drill (f, r, "$.rows[0].count.drill", "o1,o2");
  assert_int (r, "$.rows[1].weighted_amount.value", 3000);
  assert_drill (f, r, "$.rows[1].count.drill", "o3");
  assert_int (r, "$.rows[2].count.value", 0);
  assert_int (r, "$.count.value", 3);
  assert_int (r, "$.amount.value", 143339);
  assert_int (r, "$.weighted_amount.value", 23000);
  json_node_unref (r);
  filter_clear (&filter);
}

/* Comparisons ---------------------------------------------------------------------------- */

static void
test_compare (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) e = NULL;
  g_autofree char *si = NULL, *ei = NULL;
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);

  /* January 2026 (c2 200000) against December 2025 (c1 100000): +100%. */
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-01-31");
  r = kehu_report_compare (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
                           KEHU_COMPARE_PERIOD_OVER_PERIOD, &error);
  g_assert_no_error (error);
  assert_int (r, "$.current.value", 200000);
  assert_int (r, "$.base.value", 100000);
  assert_str (r, "$.base.start", "2025-11-30T16:00:00Z");
  assert_str (r, "$.base.end", "2025-12-31T16:00:00Z");
  assert_drill (f, r, "$.base.drill", "c1");
  assert_int (r, "$.change", 100000);
  assert_int (r, "$.change_bp", 10000);
  json_node_unref (r);

  /* Against January 2025 (c7 300000): −100000 / 300000 = −33.33%. */
  r = kehu_report_compare (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
                           KEHU_COMPARE_YEAR_OVER_YEAR, &error);
  g_assert_no_error (error);
  assert_int (r, "$.base.value", 300000);
  assert_str (r, "$.base.start", "2024-12-31T16:00:00Z");
  assert_int (r, "$.change", -100000);
  assert_int (r, "$.change_bp", -3333);
  g_assert_false (jnull (r, "$.change_bp"));
  json_node_unref (r);
  filter_clear (&filter);

  /* March (c5 30000) against an empty February: no rate from zero. */
  filter_days (&filter, f->shanghai, "2026-03-01", "2026-03-31");
  r = kehu_report_compare (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
                           KEHU_COMPARE_PERIOD_OVER_PERIOD, &error);
  g_assert_no_error (error);
  assert_int (r, "$.current.value", 30000);
  assert_int (r, "$.base.value", 0);
  assert_int (r, "$.change", 30000);
  g_assert_true (jnull (r, "$.change_bp"));
  {
    g_autoptr(JsonNode) zero = jnode (r, "$.base_zero");
    g_assert_true (json_node_get_boolean (zero));
  }
  json_node_unref (r);
  filter_clear (&filter);

  /* A quarter compares with the quarter before, a week with the week before. */
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");
  g_assert_true (kehu_report_compare_period (&filter, KEHU_COMPARE_PERIOD_OVER_PERIOD, &s, &e));
  si = iso (s);
  ei = iso (e);
  g_assert_cmpstr (si, ==, "2025-09-30T16:00:00Z");
  g_assert_cmpstr (ei, ==, "2025-12-31T16:00:00Z");
  g_clear_pointer (&s, g_date_time_unref);
  g_clear_pointer (&e, g_date_time_unref);
  g_clear_pointer (&si, g_free);
  g_clear_pointer (&ei, g_free);
  filter_clear (&filter);

  filter_days (&filter, f->shanghai, "2026-03-30", "2026-04-05");
  g_assert_true (kehu_report_compare_period (&filter, KEHU_COMPARE_PERIOD_OVER_PERIOD, &s, &e));
  si = iso (s);
  ei = iso (e);
  g_assert_cmpstr (si, ==, "2026-03-22T16:00:00Z");
  g_assert_cmpstr (ei, ==, "2026-03-29T16:00:00Z");
  filter_clear (&filter);

  /* A comparison needs a bounded period. */
  memset (&filter, 0, sizeof filter);
  r = kehu_report_compare (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
                           KEHU_COMPARE_YEAR_OVER_YEAR, &error);
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_assert_null (r);
}

/* Top customers --------------------------------------------------------------------------- */

static void
test_top (Fixture       *f,
          gconstpointer  data)
{
  /* Amounts per customer 客户01…客户12; 02/03 tie, and so do 10/11 at the
   * cut: the name decides, so 客户11 is left out. 客户02's id sorts after
   * 客户03's, to show that ties go by name, not id. */
  static const gint64 amounts[] = { 12000, 11000, 11000, 9000, 8000, 7000, 6000, 5000, 4000, 3000, 3000, 1000 };
  static const gint64 ranks[] = { 1, 2, 2, 4, 5, 6, 7, 8, 9, 10 };
  g_autoptr(GError) error = NULL;
  KehuReportFilter filter;
  JsonNode *r;

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      guint n = i + 1;
      g_autofree char *id = g_strdup_printf ("%c%02u", n == 2 ? 'x' : 't', n);
      /* 客户01's amount comes in two contracts, summed. */
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO customers (id, created_at, updated_at, owner_id, name) VALUES ('%s', " T ", 'u1', '客户%02u');"
        "INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id, amount, signed_date, approval_status)"
        " VALUES ('c%s', " T ", 'u1', 'x', '%s', %" G_GINT64_FORMAT ", '2026-05-01', 'approved');"
        "INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id, amount, signed_date, approval_status)"
        " VALUES ('d%s', " T ", 'u1', 'x', '%s', %" G_GINT64_FORMAT ", '2026-05-02', 'approved');",
        id, n, id, id, n == 1 ? amounts[i] - 5000 : amounts[i], id, id, (gint64) (n == 1 ? 5000 : 0));
      exec (f, sql);
    }
  exec (f,
    "INSERT INTO customers (id, created_at, updated_at, owner_id, name, deleted_at) VALUES"
    " ('gone', " T ", 'u1', '客户99', '2026-01-02T00:00:00Z');"
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id, amount, signed_date, approval_status) VALUES"
    " ('cg', " T ", 'u1', 'x', 'gone', 999999, '2026-05-01', 'approved'),"
    " ('cp', " T ", 'u1', 'x', 't12', 999999, '2026-05-01', 'pending');"
    "INSERT INTO payments (id, created_at, updated_at, owner_id, customer_id, amount, paid_date, approval_status) VALUES"
    " ('p5', " T ", 'u1', 't05', 5000, '2026-05-03', 'approved'),"
    " ('p6', " T ", 'u1', 't06', 6000, '2026-05-03', 'approved'),"
    " ('p7', " T ", 'u1', 't07', 7000, '2025-05-03', 'approved');");

  filter_days (&filter, f->utc, "2026-01-01", "2026-12-31");
  r = kehu_report_top_customers (f->store, &filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name_path = g_strdup_printf ("$.rows[%u].name", i);
      g_autofree char *amount_path = g_strdup_printf ("$.rows[%u].amount.value", i);
      g_autofree char *rank_path = g_strdup_printf ("$.rows[%u].rank", i);
      g_autofree char *name = g_strdup_printf ("客户%02u", i + 1);

      assert_str (r, name_path, name);
      assert_int (r, amount_path, amounts[i]);
      assert_int (r, rank_path, ranks[i]);
    }
  assert_str (r, "$.rows[1].customer_id", "x02");
  assert_drill (f, r, "$.rows[0].amount.drill", "ct01,dt01");
  json_node_unref (r);

  r = kehu_report_top_customers (f->store, &filter, KEHU_REPORT_METRIC_PAYMENT_AMOUNT, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 2);
  assert_str (r, "$.rows[0].customer_id", "t06");
  assert_str (r, "$.rows[1].customer_id", "t05");
  json_node_unref (r);

  r = kehu_report_top_customers (f->store, &filter, KEHU_REPORT_METRIC_FOLLOWUPS, 10, &error);
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_assert_null (r);
  filter_clear (&filter);
}

/* Targets, KPIs, trend ------------------------------------------------------------------------ */

static void
set_target (Fixture          *f,
            KehuTargetScope   scope,
            const char       *id,
            int               month,
            KehuTargetMetric  metric,
            gint64            value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kehu_report_target_set (f->store, scope, id, 2026, month, metric, value, &error));
  g_assert_no_error (error);
}

static JsonObject *
find_mismatch (JsonNode   *r,
               const char *scope_id,
               int         month,
               const char *metric)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object (r), "mismatches");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);

      if (g_str_equal (json_object_get_string_member (m, "scope_id"), scope_id) &&
          json_object_get_int_member (m, "month") == month &&
          g_str_equal (json_object_get_string_member (m, "metric"), metric))
        return m;
    }
  return NULL;
}

static void
test_targets (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JsonObject *m;
  gboolean is_set = TRUE;
  gint64 value = -1;
  JsonNode *r;

  populate (f);

  /* Set, overwrite, get, validate. */
  set_target (f, KEHU_TARGET_COMPANY, NULL, 3, KEHU_TARGET_CONTRACT_AMOUNT, 999);
  set_target (f, KEHU_TARGET_COMPANY, NULL, 3, KEHU_TARGET_CONTRACT_AMOUNT, 1000);
  g_assert_true (kehu_report_target_get (f->store, KEHU_TARGET_COMPANY, "", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, &value, &is_set, &error));
  g_assert_no_error (error);
  g_assert_true (is_set);
  g_assert_cmpint (value, ==, 1000);
  g_assert_true (kehu_report_target_get (f->store, KEHU_TARGET_USER, "u1", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, &value, &is_set, &error));
  g_assert_false (is_set);
  g_assert_cmpint (value, ==, 0);
  g_assert_false (kehu_report_target_set (f->store, KEHU_TARGET_USER, NULL, 2026, 3,
                                          KEHU_TARGET_CONTRACT_AMOUNT, 1, &error));
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kehu_report_target_set (f->store, KEHU_TARGET_COMPANY, NULL, 2026, 13,
                                          KEHU_TARGET_CONTRACT_AMOUNT, 1, &error));
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kehu_report_target_set (f->store, KEHU_TARGET_COMPANY, NULL, 2026, 1,
                                          KEHU_TARGET_CONTRACT_AMOUNT, -1, &error));
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_clear_error (&error);

  /* March, contract amount: company 1000 = D1 600 + D4 300 + u4 100 ✓;
   * D1 600 ≠ D2 250 + D3 200 + u1 100 = 550; D2 250 = u2 150 + u5 100 ✓;
   * D3 200 ≠ 0 (u3 has none); D4 300 ≠ 0 (nobody); the deleted DX's 999
   * is not part of D1. April, payment: only u1 500, so D1 (unset) ≠ 500. */
  set_target (f, KEHU_TARGET_DEPARTMENT, "D1", 3, KEHU_TARGET_CONTRACT_AMOUNT, 600);
  set_target (f, KEHU_TARGET_DEPARTMENT, "D4", 3, KEHU_TARGET_CONTRACT_AMOUNT, 300);
  set_target (f, KEHU_TARGET_USER, "u4", 3, KEHU_TARGET_CONTRACT_AMOUNT, 100);
  set_target (f, KEHU_TARGET_DEPARTMENT, "D2", 3, KEHU_TARGET_CONTRACT_AMOUNT, 250);
  set_target (f, KEHU_TARGET_DEPARTMENT, "D3", 3, KEHU_TARGET_CONTRACT_AMOUNT, 200);
  set_target (f, KEHU_TARGET_USER, "u1", 3, KEHU_TARGET_CONTRACT_AMOUNT, 100);
  set_target (f, KEHU_TARGET_USER, "u2", 3, KEHU_TARGET_CONTRACT_AMOUNT, 150);
  set_target (f, KEHU_TARGET_USER, "u5", 3, KEHU_TARGET_CONTRACT_AMOUNT, 100);
  set_target (f, KEHU_TARGET_DEPARTMENT, "DX", 3, KEHU_TARGET_CONTRACT_AMOUNT, 999);
  set_target (f, KEHU_TARGET_USER, "u1", 4, KEHU_TARGET_PAYMENT_AMOUNT, 500);

  r = kehu_report_targets_check (f->store, 2026, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.mismatches"), ==, 4);
  m = find_mismatch (r, "D1", 3, "contract_amount");
  g_assert_nonnull (m);
  g_assert_cmpint (json_object_get_int_member (m, "target"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (m, "parts_sum"), ==, 550);
  g_assert_cmpint (json_object_get_int_member (m, "difference"), ==, 50);
  g_assert_cmpstr (json_object_get_string_member (m, "name"), ==, "销售部");
  m = find_mismatch (r, "D3", 3, "contract_amount");
  g_assert_nonnull (m);
  g_assert_cmpint (json_object_get_int_member (m, "difference"), ==, 200);
  m = find_mismatch (r, "D4", 3, "contract_amount");
  g_assert_nonnull (m);
  g_assert_cmpint (json_object_get_int_member (m, "parts_sum"), ==, 0);
  m = find_mismatch (r, "D1", 4, "payment_amount");
  g_assert_nonnull (m);
  g_assert_false (json_object_get_boolean_member (m, "target_set"));
  g_assert_cmpint (json_object_get_int_member (m, "difference"), ==, -500);
  g_assert_null (find_mismatch (r, "", 3, "contract_amount"));
  g_assert_null (find_mismatch (r, "D2", 3, "contract_amount"));
  json_node_unref (r);

  /* Fix D1 and the check no longer names it. */
  set_target (f, KEHU_TARGET_DEPARTMENT, "D1", 3, KEHU_TARGET_CONTRACT_AMOUNT, 550);
  r = kehu_report_targets_check (f->store, 2026, &error);
  g_assert_no_error (error);
  g_assert_null (find_mismatch (r, "D1", 3, "contract_amount"));
  /* …but now the company's parts are 550 + 300 + 100 = 950. */
  m = find_mismatch (r, "", 3, "contract_amount");
  g_assert_nonnull (m);
  g_assert_cmpint (json_object_get_int_member (m, "difference"), ==, 50);
  json_node_unref (r);
}

static void
test_kpis_trend (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  KehuReportFilter filter;
  JsonNode *r;

  populate (f);
  exec (f,
    "INSERT INTO sales_targets (id, created_at, updated_at, scope, scope_id, year, month, metric, value) VALUES"
    " ('a', " T ", 'company', '', 2025, 12, 'contract_amount', 150000),"
    " ('b', " T ", 'company', '', 2026, 1, 'contract_amount', 400000),"
    " ('c', " T ", 'company', '', 2026, 2, 'contract_amount', 100000),"
    " ('d', " T ", 'company', '', 2026, 1, 'new_customers', 4),"
    " ('e', " T ", 'user', 'u1', 2026, 1, 'contract_amount', 250000),"
    " ('f', " T ", 'department', 'D2', 2026, 4, 'contract_amount', 80000);");

  filter_days (&filter, f->shanghai, "2026-01-01", "2026-01-31");
  r = kehu_report_kpis (f->store, &filter, KEHU_TARGET_COMPANY, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.value", 200000);
  assert_int (r, "$.contract_amount.target", 400000);
  assert_int (r, "$.contract_amount.completion_bp", 5000);
  assert_int (r, "$.payment_amount.target", 0);
  g_assert_true (jnull (r, "$.payment_amount.completion_bp"));
  assert_int (r, "$.new_customers.value", 2);
  assert_int (r, "$.new_customers.completion_bp", 5000);
  json_node_unref (r);
  filter_clear (&filter);

  /* A week across January and February is held against both months. */
  filter_days (&filter, f->shanghai, "2026-01-26", "2026-02-01");
  r = kehu_report_kpis (f->store, &filter, KEHU_TARGET_COMPANY, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.contract_amount.target", 500000);
  assert_int (r, "$.contract_amount.completion_bp", 0);
  json_node_unref (r);
  filter_clear (&filter);

  /* Trend across the year boundary. */
  filter_days (&filter, f->shanghai, "2025-12-01", "2026-01-31");
  r = kehu_report_trend (f->store, &filter, KEHU_TARGET_COMPANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jlen (r, "$.rows"), ==, 2);
  assert_str (r, "$.rows[0].month", "2025-12");
  assert_int (r, "$.rows[0].contract_amount.value", 100000);
  assert_drill (f, r, "$.rows[0].contract_amount.drill", "c1");
  assert_int (r, "$.rows[0].contract_target", 150000);
  assert_str (r, "$.rows[1].month", "2026-01");
  assert_int (r, "$.rows[1].contract_amount.value", 200000);
  assert_int (r, "$.rows[1].contract_target", 400000);
  assert_int (r, "$.rows[1].payment_target", 0);
  json_node_unref (r);
  filter_clear (&filter);

  /* Completion from real data: a user, a department, the company. */
  r = kehu_report_target_completion (f->store, KEHU_TARGET_USER, "u1", 2026, f->shanghai, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.rows[0].contract_amount.value", 200000);
  assert_int (r, "$.rows[0].contract_amount.target", 250000);
  assert_int (r, "$.rows[0].contract_amount.completion_bp", 8000);
  g_assert_true (jnull (r, "$.rows[1].contract_amount.completion_bp"));
  assert_int (r, "$.total.contract_amount.value", 200000);
  assert_int (r, "$.total.contract_amount.completion_bp", 8000);
  json_node_unref (r);

  r = kehu_report_target_completion (f->store, KEHU_TARGET_DEPARTMENT, "D2", 2026, f->shanghai, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.rows[2].contract_amount.value", 30000);
  assert_int (r, "$.rows[3].contract_amount.value", 40000);
  assert_int (r, "$.rows[3].contract_amount.completion_bp", 5000);
  assert_drill (f, r, "$.rows[3].contract_amount.drill", "c6");
  assert_int (r, "$.total.contract_amount.value", 70000);
  json_node_unref (r);

  r = kehu_report_target_completion (f->store, KEHU_TARGET_COMPANY, NULL, 2026, f->shanghai, NULL, &error);
  g_assert_no_error (error);
  assert_int (r, "$.rows[0].new_customers.value", 2);
  assert_int (r, "$.rows[0].new_customers.completion_bp", 5000);
  json_node_unref (r);
}

/* Work desk ----------------------------------------------------------------------------------- */

static void
test_work_desk (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-31T16:30:00Z", NULL);
  const char *owners[] = { "u1", "u2", NULL };
  KehuReportFilter filter = { owners, NULL, NULL, NULL, f->shanghai };
  JsonNode *r;

  populate (f);

  /* Shanghai: today is 2026-04-01, [2026-03-31T16:00Z, 2026-04-01T16:00Z). */
  r = kehu_report_work_desk (f->store, &filter, "u1", now, &error);
  g_assert_no_error (error);
  assert_int (r, "$.tasks_overdue.value", 2);
  assert_drill (f, r, "$.tasks_overdue.drill", "t1,t2b");
  assert_int (r, "$.tasks_today.value", 1);
  assert_drill (f, r, "$.tasks_today.drill", "t2");
  assert_drill (f, r, "$.plans_overdue.drill", "pl1");
  assert_drill (f, r, "$.plans_due.drill", "pl2,pl3");
  assert_drill (f, r, "$.contracts_ending.drill", "c2");
  assert_int (r, "$.followups_due_today.leads.value", 1);
  assert_int (r, "$.followups_due_today.customers.value", 1);
  assert_int (r, "$.followups_due_today.contacts.value", 0);
  assert_drill (f, r, "$.followups_due_today.opportunities.drill", "o1");
  assert_int (r, "$.followups_due_today.total", 3);
  assert_int (r, "$.approvals_waiting.value", 1);
  assert_drill (f, r, "$.approvals_waiting.drill", "ai1");
  json_node_unref (r);

  /* UTC: today is 2026-03-31. */
  filter.tz = f->utc;
  r = kehu_report_work_desk (f->store, &filter, "u1", now, &error);
  g_assert_no_error (error);
  assert_drill (f, r, "$.tasks_overdue.drill", "t1");
  assert_drill (f, r, "$.tasks_today.drill", "t2,t2b");
  assert_drill (f, r, "$.plans_due.drill", "pl2");
  assert_drill (f, r, "$.contracts_ending.drill", "c2,c5");
  assert_int (r, "$.followups_due_today.customers.value", 0);
  assert_drill (f, r, "$.followups_due_today.contacts.drill", "ct1");
  assert_int (r, "$.followups_due_today.total", 2);
  json_node_unref (r);

  r = kehu_report_work_desk (f->store, &filter, "u2", now, &error);
  g_assert_no_error (error);
  assert_drill (f, r, "$.approvals_waiting.drill", "ai3");
  json_node_unref (r);
}

/* Details and exports ---------------------------------------------------------------------------- */

typedef struct
{
  GString *log;
  guint    stop_after;
  guint    seen;
} DetailLog;

static gboolean
log_row_cb (const KehuReportDetailRow *row,
            gpointer                   user_data)
{
  DetailLog *log = user_data;

  g_string_append_printf (log->log, "%s|%s|%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%s|%s|%s;",
                          row->id, row->number, row->customer_name, row->owner_name,
                          row->amount, row->received_total, row->date,
                          row->contract_number ? row->contract_number : "-",
                          row->method ? row->method : "-");
  return ++log->seen != log->stop_after;
}

static void
test_details (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = g_build_filename (f->dir, "contracts.csv", NULL);
  g_autofree char *xlsx = g_build_filename (f->dir, "payments.xlsx", NULL);
  g_autofree char *summary_csv = g_build_filename (f->dir, "summary.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sheet = NULL;
  const char *argv[] = { "unzip", "-p", xlsx, "xl/worksheets/sheet1.xml", NULL };
  static const KehuReportColumn columns[] = {
    { "name", "Name", KEHU_EXPORT_TEXT },
    { "contract_amount", "Contract amount", KEHU_EXPORT_MONEY },
    { "followups", "Follow-ups", KEHU_EXPORT_INT },
  };
  static const KehuReportColumn dept_columns[] = {
    { "name", "Department", KEHU_EXPORT_TEXT },
    { "own.contract_amount", "Own", KEHU_EXPORT_MONEY },
    { "total.contract_amount", "Total", KEHU_EXPORT_MONEY },
  };
  DetailLog log = { g_string_new (NULL), 0, 0 };
  KehuReportFilter filter;
  JsonNode *r;
  int status;

  populate (f);
  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");

  g_assert_true (kehu_report_contract_details_foreach (f->store, &filter, log_row_cb, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log.log->str, ==,
                   "c2|HT-002|甲公司|张三|200000|10000|2026-01-01|-|-;"
                   "c5|HT-005|乙公司|李四|30000|0|2026-03-31|-|-;");

  /* The callback stops the walk. */
  g_string_truncate (log.log, 0);
  log.seen = 0;
  log.stop_after = 1;
  g_assert_true (kehu_report_contract_details_foreach (f->store, &filter, log_row_cb, &log, &error));
  g_assert_cmpuint (log.seen, ==, 1);

  g_string_truncate (log.log, 0);
  log.seen = 0;
  log.stop_after = 0;
  g_assert_true (kehu_report_payment_details_foreach (f->store, &filter, log_row_cb, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log.log->str, ==, "p1|HK-001|甲公司|张三|10000|0|2026-03-31|HT-002|bank;");
  g_string_free (log.log, TRUE);

  /* CSV of the contract details: RFC 4180 quoting of the name. */
  g_assert_true (kehu_report_export_contract_details (f->store, &filter, KEHU_REPORT_FORMAT_CSV, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==,
                   "\xEF\xBB\xBF"
                   "Contract number,Contract,Customer,Owner,Amount,Received,Signed on,Starts on,Ends on\r\n"
                   "HT-002,\"年度框架, \"\"A\"\"\",甲公司,张三,2000.00,100.00,2026-01-01,,2026-04-10\r\n"
                   "HT-005,合同5,乙公司,李四,300.00,0.00,2026-03-31,,2026-03-31\r\n");
  g_clear_pointer (&contents, g_free);

  /* xlsx of the payment details. */
  g_assert_true (kehu_report_export_payment_details (f->store, &filter, KEHU_REPORT_FORMAT_XLSX, xlsx, &error));
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &sheet, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (sheet, "<c r=\"A2\" t=\"inlineStr\""));
  g_assert_nonnull (strstr (sheet, "<t>HK-001</t>"));
  g_assert_nonnull (strstr (sheet, "<t>甲公司</t>"));
  g_assert_nonnull (strstr (sheet, "<v>100</v>"));   /* 10000 cents = 100 yuan */
  g_assert_null (strstr (sheet, "<c r=\"A3\""));

  /* Any report table: the summary by person. */
  r = kehu_report_summary_by_person (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_report_export_rows (r, columns, G_N_ELEMENTS (columns), "Summary",
                                          KEHU_REPORT_FORMAT_CSV, summary_csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (summary_csv, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==,
                   "\xEF\xBB\xBF" "Name,Contract amount,Follow-ups\r\n"
                   "张三,2000.00,1\r\n"
                   "李四,300.00,1\r\n"
                   ",0.00,0\r\n");
  json_node_unref (r);
  g_clear_pointer (&contents, g_free);

  /* Nested members: the department summary's totals. */
  r = kehu_report_summary_by_department (f->store, &filter, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_report_export_rows (r, dept_columns, G_N_ELEMENTS (dept_columns), "Departments",
                                          KEHU_REPORT_FORMAT_CSV, summary_csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (summary_csv, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==,
                   "\xEF\xBB\xBF" "Department,Own,Total\r\n"
                   "华北区,300.00,300.00\r\n"
                   "销售部,2000.00,2300.00\r\n"
                   "华南区,0.00,0.00\r\n"
                   "市场部,0.00,0.00\r\n"
                   "No department,0.00,0.00\r\n");
  json_node_unref (r);
  filter_clear (&filter);
}

/* Drill filters ------------------------------------------------------------------------------------- */

static void
assert_drill_rejected (Fixture    *f,
                       const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autoptr(GPtrArray) ids = NULL;

  g_assert_no_error (error);
  ids = kehu_report_drill_ids (f->store, node, 0, &error);
  g_assert_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID);
  g_assert_null (ids);
}

static void
assert_drill_ids (Fixture    *f,
                  const char *json,
                  const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  ids = kehu_report_drill_ids (f->store, node, 0, &error);
  g_assert_no_error (error);
  g_ptr_array_add (ids, NULL);
  joined = g_strjoinv (",", (char **) ids->pdata);
  g_assert_cmpstr (joined, ==, expected);
}

static void
test_drill (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  populate (f);

  /* The documented form, written by hand: nested filters, any, limit;
   * deleted records (c4) never match. */
  node = json_from_string (
    "{\"module\": \"contracts\", \"conditions\": ["
    " {\"op\": \"any\", \"conditions\": ["
    "   {\"field\": \"amount\", \"op\": \"gte\", \"value\": 200000},"
    "   {\"field\": \"approval_status\", \"op\": \"ne\", \"value\": \"approved\"}]},"
    " {\"field\": \"customer_id\", \"op\": \"in\", \"filter\": {\"module\": \"customers\","
    "   \"conditions\": [{\"field\": \"source\", \"op\": \"eq\", \"value\": \"展会\"}]}}]}", &error);
  g_assert_no_error (error);
  ids = kehu_report_drill_ids (f->store, node, 0, &error);
  g_assert_no_error (error);
  /* c2 (200000), c3 (pending), c7 (300000); c4 is deleted. */
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "c2");
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "c3");
  g_assert_cmpstr (g_ptr_array_index (ids, 2), ==, "c7");
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = kehu_report_drill_ids (f->store, node, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* empty, not_empty and ne as in list filters: ne keeps records without a value. */
  assert_drill_ids (f, "{\"module\": \"customers\", \"conditions\": [{\"field\": \"industry\", \"op\": \"empty\"}]}",
                    "k2,k3,k5");
  assert_drill_ids (f, "{\"module\": \"customers\", \"conditions\": [{\"field\": \"industry\", \"op\": \"not_empty\"}]}",
                    "k1");
  assert_drill_ids (f, "{\"module\": \"customers\", \"conditions\": [{\"field\": \"industry\", \"op\": \"ne\", \"value\": \"IT\"}]}",
                    "k2,k3,k5");
  /* A nested filter sees live records only: k4's contracts would not count. */
  assert_drill_ids (f, "{\"module\": \"contracts\", \"conditions\": [{\"field\": \"customer_id\", \"op\": \"in\","
                       " \"filter\": {\"module\": \"customers\", \"conditions\": [{\"field\": \"owner_id\", \"op\": \"eq\", \"value\": \"u2\"}]}}]}",
                    "c5,c6");

  assert_drill_rejected (f, "{\"module\": \"auth_tokens\", \"conditions\": []}");
  assert_drill_rejected (f, "{\"module\": \"users\", \"conditions\": [{\"field\": \"password_hash\", \"op\": \"not_empty\"}]}");
  assert_drill_rejected (f, "{\"module\": \"contracts\", \"conditions\": [{\"field\": \"id\\\" OR 1=1 --\", \"op\": \"empty\"}]}");
  assert_drill_rejected (f, "{\"module\": \"contracts\", \"conditions\": [{\"field\": \"amount\", \"op\": \"like\", \"value\": 1}]}");
  assert_drill_rejected (f, "{\"module\": \"contracts\", \"conditions\": [{\"field\": \"amount\", \"op\": \"eq\"}]}");
  assert_drill_rejected (f, "{\"module\": \"contracts\", \"conditions\": [{\"field\": \"customer_id\", \"op\": \"in\","
                            " \"filter\": {\"module\": \"sync_ops\"}}]}");
  assert_drill_rejected (f, "[1, 2]");
}

/* The ids a list view shows for a drill filter, through kehu-query.c. */
static char *
list_view_ids (KehuContext *ctx,
               JsonNode    *drill)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = NULL;
  const char *module = json_object_get_string_member (json_node_get_object (drill), "module");

  query = kehu_query_new (ctx, module, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_query_add_filter_json (query, drill, &error));
  g_assert_no_error (error);
  do
    {
      g_autofree char *next = NULL;
      g_autoptr(JsonArray) rows = kehu_query_fetch (query, cursor, 100, &next, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < json_array_get_length (rows); i++)
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (rows, i), "id")));
      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  while (cursor != NULL);

  g_ptr_array_sort (ids, (GCompareFunc) compare_ids);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

/* Drill filters of plain conditions are list filters: a list view applying
 * one (kehu_query_add_filter_json) shows the records behind the figure. */
static void
test_drill_list_view (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *report; const char *path; const char *ids; } cases[] = {
    { "brief", "$.contract_amount.drill", "c2,c5" },
    { "brief", "$.payment_amount.drill", "p1" },
    { "brief", "$.new_customers.drill", "k1,k3,k5" },
    { "brief", "$.new_opportunities.drill", "o1,o2,o3,o4" },
    { "brief", "$.followups.drill", "f2,f3" },
    { "person", "$.rows[2].new_customers.drill", "k5" },
    { "source", "$.rows[1].count.drill", "k5" },
    { "funnel", "$.stages[1].count.drill", "o2,o3" },
    { "funnel", "$.count.drill", "o1,o2,o3,o6" },
    { "desk", "$.tasks_overdue.drill", "t1,t2b" },
    { "desk", "$.plans_due.drill", "pl2,pl3" },
    { "desk", "$.contracts_ending.drill", "c2" },
    { "desk", "$.followups_due_today.leads.drill", "l1" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-03-31T16:30:00Z", NULL);
  const char *u1_u2[] = { "u1", "u2", NULL };
  KehuReportFilter filter;
  JsonNode *reports[5];

  populate (f);
  schema = kehu_schema_new (f->store, &error);
  g_assert_no_error (error);
  ctx = kehu_context_new (schema, "u1");

  filter_days (&filter, f->shanghai, "2026-01-01", "2026-03-31");
  reports[0] = kehu_report_sales_brief (f->store, &filter, &error);
  reports[1] = kehu_report_summary_by_person (f->store, &filter, &error);
  reports[2] = kehu_report_customer_analysis (f->store, &filter, KEHU_CUSTOMER_BY_SOURCE, &error);
  reports[3] = kehu_report_funnel (f->store, &filter, NULL, &error);
  filter.owner_ids = u1_u2;
  reports[4] = kehu_report_work_desk (f->store, &filter, "u1", now, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      static const char * const names[] = { "brief", "person", "source", "funnel", "desk" };
      JsonNode *report = NULL;
      g_autoptr(JsonNode) filter_node = NULL;
      g_autofree char *listed = NULL;

      for (guint r = 0; r < G_N_ELEMENTS (names); r++)
        if (g_str_equal (names[r], cases[i].report))
          report = reports[r];
      filter_node = jnode (report, cases[i].path);
      listed = list_view_ids (ctx, filter_node);
      g_assert_cmpstr (listed, ==, cases[i].ids);
      assert_drill (f, report, cases[i].path, cases[i].ids);
    }

  for (guint r = 0; r < G_N_ELEMENTS (reports); r++)
    json_node_unref (reports[r]);
  filter_clear (&filter);
}

/* What a figure should be, from the rows: @where names the figure's
 * records, ?1 and ?2 bound its period, ?3 its owners (NULL for all). */
static gint64
raw_figure (Fixture    *f,
            const char *select_from_where,
            const char *start,
            const char *end,
            const char *owners_json)
{
  g_autofree char *sql = g_strconcat (select_from_where,
                                      " AND (?3 IS NULL OR owner_id IN (SELECT value FROM json_each (?3)))",
                                      NULL);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, start, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, end, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, owners_json, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
randomise (Fixture    *f,
           GRand      *rand,
           const char *table,
           int         n)
{
  static const char *owners[] = { "u1", "u2", "u3", "u4", NULL };
  static const char *statuses[] = { "approved", "pending", "rejected" };

  for (int i = 0; i < n; i++)
    {
      const char *owner = owners[g_rand_int_range (rand, 0, 5)];
      g_autofree char *owner_sql = owner ? g_strdup_printf ("'%s'", owner) : g_strdup ("NULL");
      int minutes = g_rand_int_range (rand, 0, 90 * 24 * 60);
      g_autofree char *when = g_str_equal (table, "contracts")
        ? g_strdup_printf ("date ('2026-01-01', '+%d minutes')", minutes)
        : g_strdup_printf ("strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', '2026-01-01', '+%d minutes')", minutes);
      gint64 amount = g_rand_int_range (rand, 0, 1000000);
      g_autofree char *sql = NULL;

      if (g_str_equal (table, "followups"))
        sql = g_strdup_printf ("INSERT INTO followups (id, created_at, updated_at, owner_id, target_module,"
                               " target_id, customer_id, method, content, followed_at) VALUES"
                               " ('r%d', " T ", %s, 'customers', 'k1', 'k1', 'phone', 'x', %s)",
                               i, owner_sql, when);
      else if (g_str_equal (table, "opportunities"))
        sql = g_strdup_printf ("INSERT INTO opportunities (id, created_at, updated_at, owner_id, name,"
                               " stage_group_id, stage_id, status, amount) VALUES"
                               " ('r%d', %s, %s, %s, 'x', 'G', 's1', 'open', %" G_GINT64_FORMAT ")",
                               i, when, when, owner_sql, amount);
      else
        sql = g_strdup_printf ("INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id,"
                               " amount, signed_date, approval_status) VALUES"
                               " ('r%d', " T ", %s, 'x', 'k1', %" G_GINT64_FORMAT ", %s, '%s')",
                               i, owner_sql, amount, when, statuses[g_rand_int_range (rand, 0, 3)]);
      exec (f, sql);
    }

  /* Then every kind of change the totals must follow. */
  for (int i = 0; i < n; i += 5)
    {
      const char *time_column = g_str_equal (table, "followups") ? "followed_at"
                                : g_str_equal (table, "opportunities") ? "created_at" : "signed_date";
      g_autofree char *sql = NULL;

      switch (g_rand_int_range (rand, 0, 7))
        {
        case 0:
          sql = g_strdup_printf ("UPDATE %s SET owner_id = '%s' WHERE id = 'r%d'",
                                 table, owners[g_rand_int_range (rand, 0, 4)], i);
          break;
        case 1:
          if (g_str_equal (table, "contracts"))
            sql = g_strdup_printf ("UPDATE contracts SET signed_date = date (signed_date, '+9 days')"
                                   " WHERE id = 'r%d'", i);
          else
            sql = g_strdup_printf ("UPDATE %s SET %s = strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', %s, '-37 hours')"
                                   " WHERE id = 'r%d'", table, time_column, time_column, i);
          break;
        case 2:
          sql = g_strdup_printf ("UPDATE %s SET deleted_at = '2026-04-01T00:00:00Z' WHERE id = 'r%d'", table, i);
          break;
        case 3:
          sql = g_strdup_printf ("UPDATE %s SET deleted_at = '2026-04-01T00:00:00Z' WHERE id = 'r%d';"
                                 "UPDATE %s SET deleted_at = NULL, owner_id = NULL WHERE id = 'r%d'",
                                 table, i, table, i);
          break;
        case 4:
          if (g_str_equal (table, "contracts"))
            sql = g_strdup_printf ("UPDATE contracts SET approval_status = 'approved', amount = amount + 7"
                                   " WHERE id = 'r%d'", i);
          else if (g_str_equal (table, "opportunities"))
            sql = g_strdup_printf ("UPDATE opportunities SET amount = amount * 2 WHERE id = 'r%d'", i);
          else
            sql = g_strdup_printf ("UPDATE followups SET content = 'y' WHERE id = 'r%d'", i);
          break;
        case 5:
          if (g_str_equal (table, "contracts"))
            sql = g_strdup_printf ("UPDATE contracts SET approval_status = 'rejected' WHERE id = 'r%d'", i);
          else
            sql = g_strdup_printf ("UPDATE %s SET owner_id = NULL WHERE id = 'r%d'", table, i);
          break;
        default:
          sql = g_strdup_printf ("DELETE FROM %s WHERE id = 'r%d'", table, i);
          break;
        }
      exec (f, sql);
    }
}

static int
fail_on_row_cb (void  *data,
                int    n_columns,
                char **values,
                char **names)
{
  g_assert_not_reached ();
  return 1;
}

/* Long periods are counted from per-day totals kept by triggers (migration
 * 7): after inserts, owner changes, moves in time, approvals, deletes to
 * the recycle bin, restores and purges, every period — with local-time
 * ends that cut UTC days — must show what the rows add up to. */
static void
test_figures_by_day (Fixture       *f,
                     gconstpointer  data)
{
  static const char *one[] = { "u1", NULL };
  static const char *two[] = { "u2", "u3", NULL };
  const char * const *filters[] = { NULL, one, two };
  const char *filters_json[] = { NULL, "[\"u1\"]", "[\"u2\",\"u3\"]" };
  static const struct { KehuReportMetric metric; const char *sql; gboolean is_date; } figures[] = {
    { KEHU_REPORT_METRIC_FOLLOWUPS, "SELECT COUNT(*) FROM followups WHERE deleted_at IS NULL"
      " AND followed_at >= ?1 AND followed_at < ?2", FALSE },
    { KEHU_REPORT_METRIC_NEW_OPPORTUNITIES, "SELECT COUNT(*) FROM opportunities WHERE deleted_at IS NULL"
      " AND created_at >= ?1 AND created_at < ?2", FALSE },
    { KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT, "SELECT COALESCE (SUM (amount), 0) FROM opportunities"
      " WHERE deleted_at IS NULL AND created_at >= ?1 AND created_at < ?2", FALSE },
    { KEHU_REPORT_METRIC_CONTRACT_COUNT, "SELECT COUNT(*) FROM contracts WHERE deleted_at IS NULL"
      " AND approval_status = 'approved' AND signed_date >= ?1 AND signed_date < ?2", TRUE },
    { KEHU_REPORT_METRIC_CONTRACT_AMOUNT, "SELECT COALESCE (SUM (amount), 0) FROM contracts"
      " WHERE deleted_at IS NULL AND approval_status = 'approved' AND signed_date >= ?1 AND signed_date < ?2", TRUE },
  };
  static const char *modules[] = { "followups", "opportunities", "contracts" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  int checked = 0;

  populate (f);
  exec (f, "DELETE FROM followups; DELETE FROM payments; DELETE FROM contracts; DELETE FROM opportunities");
  randomise (f, rand, "followups", 500);
  randomise (f, rand, "opportunities", 400);
  randomise (f, rand, "contracts", 400);

  for (int round = 0; round < 40; round++)
    {
      g_autoptr(GDateTime) base = g_date_time_new (f->shanghai, 2025, 12, 20, 0, 0, 0);
      g_autoptr(GDateTime) start = g_date_time_add_minutes (base, g_rand_int_range (rand, 0, 60 * 24 * 60));
      g_autoptr(GDateTime) end = g_date_time_add_minutes (start, g_rand_int_range (rand, 1, 50 * 24 * 60));
      g_autoptr(GDateTime) start_utc = g_date_time_to_utc (start);
      g_autoptr(GDateTime) end_utc = g_date_time_to_utc (end);
      g_autofree char *start_iso = g_date_time_format (start_utc, "%FT%TZ");
      g_autofree char *end_iso = g_date_time_format (end_utc, "%FT%TZ");
      guint which = round % G_N_ELEMENTS (filters);
      KehuReportFilter filter = { filters[which], NULL, start, end, f->shanghai };

      for (guint k = 0; k < G_N_ELEMENTS (figures); k++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDateTime) start_local = g_date_time_to_timezone (start, f->shanghai);
          g_autoptr(GDateTime) end_local = g_date_time_to_timezone (end, f->shanghai);
          g_autoptr(GDateTime) end_day = NULL;
          g_autofree char *from = NULL, *to = NULL;
          gint64 value = -1;

          /* Date columns: the local days the period touches (a period
           * ending at midnight does not touch the next one). */
          if (figures[k].is_date)
            {
              g_autoptr(GDateTime) last = g_date_time_add_seconds (end_local, -1);
              end_day = g_date_time_add_days (last, 1);
              from = g_date_time_format (start_local, "%F");
              to = g_date_time_format (end_day, "%F");
              if (g_date_time_get_hour (start_local) != 0 || g_date_time_get_minute (start_local) != 0)
                {
                  g_autoptr(GDateTime) next = g_date_time_add_days (start_local, 1);
                  g_free (from);
                  from = g_date_time_format (next, "%F");
                }
            }
          g_assert_true (kehu_report_metric_value (f->store, &filter, figures[k].metric, &value, &error));
          g_assert_no_error (error);
          g_assert_cmpint (value, ==, raw_figure (f, figures[k].sql,
                                                  figures[k].is_date ? from : start_iso,
                                                  figures[k].is_date ? to : end_iso,
                                                  filters_json[which]));
          checked++;
        }

      /* A change shows at once: the figure is not served from before it. */
      if (round == 20)
        {
          g_autoptr(GError) error = NULL;
          gint64 before = -1, again = -1;

          g_assert_true (kehu_report_metric_value (f->store, &filter, KEHU_REPORT_METRIC_FOLLOWUPS, &before, &error));
          exec (f, "UPDATE followups SET deleted_at = '2026-04-02T00:00:00Z' WHERE deleted_at IS NULL");
          g_assert_true (kehu_report_metric_value (f->store, &filter, KEHU_REPORT_METRIC_FOLLOWUPS, &again, &error));
          g_assert_cmpint (again, ==, 0);
          exec (f, "UPDATE followups SET deleted_at = NULL WHERE deleted_at = '2026-04-02T00:00:00Z'");
          g_assert_true (kehu_report_metric_value (f->store, &filter, KEHU_REPORT_METRIC_FOLLOWUPS, &again, &error));
          g_assert_cmpint (again, ==, before);
        }
    }
  g_assert_cmpint (checked, ==, 40 * G_N_ELEMENTS (figures));

  /* Added up afresh (as after a first sync, which writes without the
   * triggers), the totals are the same. */
  {
    g_autoptr(GError) error = NULL;

    exec (f, "CREATE TEMP TABLE kept AS SELECT * FROM report_days WHERE n <> 0");
    g_assert_true (kehu_report_rebuild_day_totals (f->store, &error));
    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_exec (kehu_store_get_db (f->store),
                                   "SELECT 1 FROM (SELECT * FROM kept EXCEPT SELECT * FROM report_days"
                                   "               UNION ALL"
                                   "               SELECT * FROM report_days WHERE n <> 0 EXCEPT SELECT * FROM kept)"
                                   " LIMIT 1", fail_on_row_cb, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (kehu_store_get_db (f->store), "SELECT 1 FROM report_days WHERE n = 0",
                                   fail_on_row_cb, NULL, NULL), ==, SQLITE_OK);
  }

  /* The per-day totals are exactly the rows'. */
  for (guint m = 0; m < G_N_ELEMENTS (modules); m++)
    {
      const char *column = m == 0 ? "followed_at" : m == 1 ? "created_at" : "signed_date";
      g_autofree char *sql =
        g_strdup_printf ("SELECT (SELECT COUNT(*) FROM (SELECT day, owner_id, n, amount FROM report_days"
                         "                      WHERE module = '%s' AND n <> 0"
                         " EXCEPT SELECT substr (%s, 1, 10), COALESCE (owner_id, ''), COUNT(*), %s"
                         " FROM %s WHERE deleted_at IS NULL %s GROUP BY 1, 2))"
                         " + (SELECT COUNT(*) FROM report_days WHERE module = '%s' AND n = 0 AND amount <> 0)",
                         modules[m], column, m == 0 ? "0" : "SUM (amount)", modules[m],
                         m == 2 ? "AND approval_status = 'approved'" : "", modules[m]);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
      sqlite3_finalize (stmt);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/report/period/presets", test_period_presets);
  g_test_add_func ("/report/scale-round", test_scale_round);
  ADD ("/report/empty", test_empty);
  ADD ("/report/brief/boundaries", test_brief);
  ADD ("/report/departments", test_departments);
  ADD ("/report/summaries", test_summaries);
  ADD ("/report/funnel-forecast", test_funnel_forecast);
  ADD ("/report/compare", test_compare);
  ADD ("/report/top-customers", test_top);
  ADD ("/report/targets/check", test_targets);
  ADD ("/report/targets/kpis-trend", test_kpis_trend);
  ADD ("/report/work-desk", test_work_desk);
  ADD ("/report/details-export", test_details);
  ADD ("/report/figures-by-day", test_figures_by_day);
  ADD ("/report/drill", test_drill);
  ADD ("/report/drill/list-view", test_drill_list_view);
#undef ADD

  return g_test_run ();
}
