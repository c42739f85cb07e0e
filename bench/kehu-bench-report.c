/* kehu-bench-report.c: dashboard recompute time (DESIGN.md: < 150 ms on M)
 *
 *   kehu-bench-report [--scale 1.0] [--keep]
 *
 * Generates an M-sized store in a temp dir (DESIGN.md: 100k customers,
 * 300k contacts, 200k opportunities, 100k contracts, 1M follow-ups; plus
 * 100k payments, 50k payment plans, 20k tasks; 50 users in 5 departments),
 * then times a full dashboard (sales brief, KPIs, funnel, 12-month trend,
 * work desk) for the company, one department and one user, this month and
 * this year, and a few reports. Prints the median of 5 runs of each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "kehu-report.h"
#include "kehu-store.h"

static double scale = 1.0;
static double trace_ms = 0;
static char *reuse = NULL;

/* --trace MS: print every statement slower than MS with its plan's cost. */
static int
profile_cb (unsigned int  type,
            void         *context,
            void         *p,
            void         *x)
{
  double ms = *(sqlite3_int64 *) x / 1e6;

  if (ms >= trace_ms)
    {
      char *sql = sqlite3_expanded_sql (p);
      g_print ("  %7.2f ms  %.400s\n", ms, sql);
      sqlite3_free (sql);
    }
  return 0;
}

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    g_error ("%s", error ? error->message : "failed");
}

static void
exec_n (KehuStore  *store,
        const char *sql,
        gint64      n)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (kehu_store_get_db (store)));
  sqlite3_bind_int64 (stmt, 1, n);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (kehu_store_get_db (store)));
  sqlite3_finalize (stmt);
}

#define SEQ "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
/* A random instant in 2025–2026, and a random date. */
#define RAND_TIME "strftime ('%Y-%m-%dT%H:%M:%SZ', 1735689600 + abs (random ()) % 63072000, 'unixepoch')"
#define RAND_DATE "date (1735689600 + abs (random ()) % 63072000, 'unixepoch')"
#define RAND_USER "'u' || (abs (random ()) % 50 + 1)"
#define T0 "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'"

static void
generate (KehuStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gint64 m = (gint64) (100000 * scale);

  check (kehu_store_begin (store, &error), error);
  check (kehu_store_exec (store,
    "INSERT INTO departments (id, created_at, updated_at, name, parent_id) VALUES"
    " ('d0', " T0 ", '公司', NULL), ('d1', " T0 ", '一部', 'd0'), ('d2', " T0 ", '二部', 'd0'),"
    " ('d3', " T0 ", '三部', 'd1'), ('d4', " T0 ", '四部', 'd1');"
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
    " INSERT INTO users (id, created_at, updated_at, phone, name, department_id)"
    " SELECT 'u' || i, " T0 ", '138' || i, '员工' || i, 'd' || (i % 5) FROM n;"
    "INSERT INTO stage_groups (id, created_at, updated_at, name, is_default) VALUES ('G', " T0 ", '默认', 1);"
    "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES"
    " ('s1', 'G', '验证客户', 10, 1, 'open'), ('s2', 'G', '需求分析', 30, 2, 'open'),"
    " ('s3', 'G', '方案报价', 60, 3, 'open'), ('s4', 'G', '谈判审核', 80, 4, 'open'),"
    " ('sw', 'G', '赢单', 100, 5, 'won'), ('sl', 'G', '输单', 0, 6, 'lost');",
    &error), error);

  exec_n (store, SEQ
    "INSERT INTO customers (id, created_at, updated_at, owner_id, name, source, level, next_contact_at)"
    " SELECT 'k' || i, " RAND_TIME ", '2025-01-01T00:00:00Z', " RAND_USER ", '客户' || i,"
    " 'src' || (i % 7), 'lv' || (i % 4), CASE WHEN i % 50 = 0 THEN " RAND_TIME " END FROM n", m);
  exec_n (store, SEQ
    "INSERT INTO contacts (id, created_at, updated_at, owner_id, customer_id, name)"
    " SELECT 'ct' || i, " RAND_TIME ", '2025-01-01T00:00:00Z', " RAND_USER ", 'k' || (i % (?1 / 3) + 1), '联系人' || i FROM n", m * 3);
  exec_n (store, SEQ
    "INSERT INTO opportunities (id, created_at, updated_at, owner_id, name, customer_id, stage_group_id,"
    "                           stage_id, status, amount, expected_close_date)"
    " SELECT 'o' || i, " RAND_TIME ", '2025-01-01T00:00:00Z', " RAND_USER ", '商机' || i, 'k' || (i % 1000 + 1), 'G',"
    " 's' || (i % 4 + 1), CASE WHEN i % 5 = 0 THEN 'won' ELSE 'open' END, abs (random ()) % 10000000,"
    " " RAND_DATE " FROM n", m * 2);
  exec_n (store, SEQ
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id, amount,"
    "                       signed_date, end_date, approval_status)"
    " SELECT 'c' || i, " T0 ", " RAND_USER ", 'HT' || i, '合同' || i, 'k' || (i % 1000 + 1),"
    " abs (random ()) % 10000000, " RAND_DATE ", " RAND_DATE ","
    " CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'approved' END FROM n", m);
  exec_n (store, SEQ
    "INSERT INTO payments (id, created_at, updated_at, owner_id, contract_id, customer_id, amount,"
    "                      paid_date, approval_status)"
    " SELECT 'p' || i, " T0 ", " RAND_USER ", 'c' || i, 'k' || (i % 1000 + 1),"
    " abs (random ()) % 5000000, " RAND_DATE ", 'approved' FROM n", m);
  exec_n (store, SEQ
    "INSERT INTO payment_plans (id, created_at, updated_at, owner_id, contract_id, planned_amount,"
    "                           planned_date, status)"
    " SELECT 'pl' || i, " T0 ", " RAND_USER ", 'c' || i, 100000, " RAND_DATE ", 'pending' FROM n", m / 2);
  exec_n (store, SEQ
    "INSERT INTO tasks (id, created_at, updated_at, owner_id, name, due_at)"
    " SELECT 't' || i, " T0 ", " RAND_USER ", '任务' || i, " RAND_TIME " FROM n", m / 5);
  exec_n (store, SEQ
    "INSERT INTO followups (id, created_at, updated_at, owner_id, target_module, target_id, customer_id,"
    "                       method, content, followed_at)"
    " SELECT 'f' || i, " T0 ", " RAND_USER ", 'customers', 'k' || (i % (?1 / 10) + 1), 'k' || (i % (?1 / 10) + 1),"
    " CASE i % 3 WHEN 0 THEN 'phone' WHEN 1 THEN 'visit' ELSE 'wechat' END, '跟进', " RAND_TIME " FROM n",
    m * 10);
  check (kehu_store_commit (store, &error), error);
  check (kehu_store_exec (store, "ANALYZE", &error), error);

  g_print ("generated M x %.2f in %.1f s\n", scale, (g_get_monotonic_time () - t0) / 1e6);
}

/* CPU seconds (user + system): wall time on a shared machine also counts
 * everybody else's work. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

typedef void (*BenchFunc) (KehuStore *store, const KehuReportFilter *filter, GDateTime *now);

static void
dashboard (KehuStore              *store,
           const KehuReportFilter *filter,
           GDateTime              *now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) ys = NULL;
  g_autoptr(GDateTime) ye = NULL;
  KehuReportFilter year = *filter;
  JsonNode *r;

  kehu_report_period_from_preset (KEHU_PERIOD_THIS_YEAR, now, filter->tz, &ys, &ye);
  year.start = ys;
  year.end = ye;

  check ((r = kehu_report_sales_brief (store, filter, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_kpis (store, filter, KEHU_TARGET_COMPANY, NULL, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_funnel (store, filter, NULL, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_trend (store, &year, KEHU_TARGET_COMPANY, NULL, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_work_desk (store, filter, "u1", now, &error)) != NULL, error);
  json_node_unref (r);
}

static void
reports (KehuStore              *store,
         const KehuReportFilter *filter,
         GDateTime              *now)
{
  g_autoptr(GError) error = NULL;
  JsonNode *r;

  check ((r = kehu_report_summary_by_person (store, filter, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_customer_analysis (store, filter, KEHU_CUSTOMER_BY_SOURCE, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_followup_stats (store, filter, &error)) != NULL, error);
  json_node_unref (r);
  check ((r = kehu_report_top_customers (store, filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT, 10, &error)) != NULL, error);
  json_node_unref (r);
}

static void
time_it (const char             *label,
         BenchFunc               func,
         KehuStore              *store,
         const KehuReportFilter *filter,
         GDateTime              *now)
{
  double runs[5], cpu[5];

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      gint64 t0;
      double c0;

      kehu_report_forget_figures (store);   /* each run computes afresh */
      t0 = g_get_monotonic_time ();
      c0 = cpu_seconds ();
      func (store, filter, now);
      runs[i] = (g_get_monotonic_time () - t0) / 1000.0;
      cpu[i] = (cpu_seconds () - c0) * 1000.0;
    }
  qsort (runs, G_N_ELEMENTS (runs), sizeof (double), compare_double);
  qsort (cpu, G_N_ELEMENTS (cpu), sizeof (double), compare_double);
  g_print ("%-44s median %7.1f ms  (min %7.1f, max %7.1f)  CPU median %7.1f ms\n",
           label, runs[2], runs[0], runs[4], cpu[2]);
}

int
main (int   argc,
      char *argv[])
{
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &scale, "Dataset size relative to M (default 1.0)", "X" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the generated store", NULL },
    { "trace", 't', 0, G_OPTION_ARG_DOUBLE, &trace_ms, "Print statements slower than MS", "MS" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &reuse, "Reuse a store kept by --keep", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark the dashboard");
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-06-15T04:00:00Z", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) department = NULL;
  const char *one_user[] = { "u7", NULL };
  static const struct { KehuPeriodPreset preset; const char *name; } periods[] = {
    { KEHU_PERIOD_THIS_MONTH, "this month" }, { KEHU_PERIOD_THIS_YEAR, "this year" },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || scale <= 0)
    {
      g_printerr ("%s\n", error ? error->message : "--scale must be positive");
      return 2;
    }

  if (reuse != NULL)
    {
      store = kehu_store_open (reuse, &error);
      check (store != NULL, error);
      keep = TRUE;
    }
  else
    {
      dir = g_dir_make_tmp ("kehu-bench-report-XXXXXX", &error);
      check (dir != NULL, error);
      path = g_build_filename (dir, "m.db", NULL);
      store = kehu_store_open (path, &error);
      check (store != NULL, error);
      generate (store);
    }

  if (trace_ms > 0)
    sqlite3_trace_v2 (kehu_store_get_db (store), SQLITE_TRACE_PROFILE, profile_cb, NULL);

  department = kehu_report_department_user_ids (store, "d1", &error);
  check (department != NULL, error);

  for (guint p = 0; p < G_N_ELEMENTS (periods); p++)
    {
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;
      KehuReportFilter filter = { NULL, NULL, NULL, NULL, tz };
      g_autofree char *l1 = NULL, *l2 = NULL, *l3 = NULL, *l4 = NULL;

      kehu_report_period_from_preset (periods[p].preset, now, tz, &start, &end);
      filter.start = start;
      filter.end = end;

      l1 = g_strdup_printf ("dashboard, company, %s", periods[p].name);
      time_it (l1, dashboard, store, &filter, now);
      filter.owner_ids = (const char * const *) department;
      l2 = g_strdup_printf ("dashboard, department (%u users), %s", g_strv_length (department), periods[p].name);
      time_it (l2, dashboard, store, &filter, now);
      filter.owner_ids = one_user;
      l3 = g_strdup_printf ("dashboard, one user, %s", periods[p].name);
      time_it (l3, dashboard, store, &filter, now);
      filter.owner_ids = NULL;
      l4 = g_strdup_printf ("4 reports, company, %s", periods[p].name);
      time_it (l4, reports, store, &filter, now);
    }

  if (keep)
    g_print ("Store kept in %s\n", reuse ? reuse : path);
  else
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_clear_object (&store);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return 0;
}
