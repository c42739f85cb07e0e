/* kehu-bench-export.c: report export speed and memory (DESIGN.md: 100k rows
 * to .xlsx in < 2 s with constant memory)
 *
 *   kehu-bench-export [--rows N] [--keep]
 *
 * Writes N synthetic rows (Chinese text, money, percent, date) to .xlsx and
 * .csv, then N approved contracts through a real store to the contract
 * details .xlsx (SQL cursor → libxlsxwriter). Prints the time of each and
 * the peak RSS, measured first at N/10 rows and again at N rows: with
 * constant memory the peak must not grow with N.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>

#include <glib/gstdio.h>

#include "kehu-export.h"
#include "kehu-report.h"
#include "kehu-store.h"

typedef struct
{
  guint next;
  guint n_rows;
  char  text[64];
  char  date[16];
} Synthetic;

static gboolean
synthetic_row (KehuExportCell  *cells,
               guint            n_columns,
               gpointer         user_data,
               GError         **error)
{
  Synthetic *s = user_data;
  guint i = s->next;

  if (i >= s->n_rows)
    return FALSE;
  s->next++;

  g_snprintf (s->text, sizeof s->text, "北京客户有限公司 %u 号", i);
  g_snprintf (s->date, sizeof s->date, "2026-%02u-%02u", i % 12 + 1, i % 28 + 1);
  cells[0].text = s->text;
  cells[1].text = i % 3 ? "张三" : "李四";
  cells[2].number = i;
  cells[3].number = (gint64) i * 1237 + 99;
  cells[4].number = i % 10001;
  cells[5].text = s->date;
  return TRUE;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

/* CPU seconds (user + system) so far: on a shared machine wall time also
 * counts other processes. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
bench_synthetic (const char *dir,
                 guint       n_rows,
                 gboolean    csv)
{
  static const char * const headers[] = { "客户名称", "负责人", "序号", "金额", "占比", "签约日期", NULL };
  static const KehuExportColumnType types[] = {
    KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT, KEHU_EXPORT_INT, KEHU_EXPORT_MONEY, KEHU_EXPORT_PERCENT, KEHU_EXPORT_DATE,
  };
  g_autofree char *path = g_build_filename (dir, csv ? "synthetic.csv" : "synthetic.xlsx", NULL);
  g_autoptr(GError) error = NULL;
  Synthetic s = { 0, n_rows };
  gint64 t0 = g_get_monotonic_time ();
  double c0 = cpu_seconds ();
  gboolean ok;
  GStatBuf st;

  if (csv)
    ok = kehu_export_table_csv (path, headers, types, 6, synthetic_row, &s, &error);
  else
    ok = kehu_export_table_xlsx (path, "合同明细", headers, types, 6, synthetic_row, &s, &error);
  if (!ok)
    g_error ("%s", error->message);
  g_stat (path, &st);
  g_print ("%-28s %7u rows  %6.3f s (CPU %6.3f s)  %5.1f MB file  peak RSS %5.1f MB\n",
           csv ? "synthetic to csv" : "synthetic to xlsx", n_rows,
           (g_get_monotonic_time () - t0) / 1e6, cpu_seconds () - c0,
           st.st_size / 1048576.0, peak_rss_mb ());
}

static void
bench_store (const char *dir,
             guint       n_rows)
{
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *path = g_build_filename (dir, "contracts.xlsx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = kehu_store_open (db, &error);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  sqlite3_stmt *stmt = NULL;
  KehuReportFilter filter = { NULL, NULL, NULL, NULL, tz };
  gint64 t0;
  double c0;

  if (store == NULL)
    g_error ("%s", error->message);

  /* The data: a few users and customers, n_rows approved contracts. */
  t0 = g_get_monotonic_time ();
  if (!kehu_store_begin (store, &error) ||
      !kehu_store_exec (store,
                        "INSERT INTO users (id, created_at, updated_at, phone, name)"
                        " VALUES ('u1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '1', '张三');"
                        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                        " INSERT INTO customers (id, created_at, updated_at, owner_id, name)"
                        " SELECT 'k' || i, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', '客户公司' || i FROM n;",
                        &error))
    g_error ("%s", error->message);
  sqlite3_prepare_v2 (kehu_store_get_db (store),
                      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)"
                      " INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id,"
                      "                        amount, signed_date, end_date, approval_status)"
                      " SELECT 'c' || i, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'u1', 'HT-' || i,"
                      "        '年度合同 ' || i, 'k' || (i % 1000 + 1), i * 1237, "
                      "        printf ('2026-%02d-%02d', i % 12 + 1, i % 28 + 1), '2027-01-01', 'approved' FROM n",
                      -1, &stmt, NULL);
  sqlite3_bind_int (stmt, 1, (int) n_rows);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("insert: %s", sqlite3_errmsg (kehu_store_get_db (store)));
  sqlite3_finalize (stmt);
  if (!kehu_store_commit (store, &error))
    g_error ("%s", error->message);
  g_print ("%-28s %7u rows  %6.3f s\n", "store: insert contracts", n_rows,
           (g_get_monotonic_time () - t0) / 1e6);

  kehu_report_period_from_dates ("2026-01-01", "2026-12-31", tz, &start, &end, &error);
  filter.start = start;
  filter.end = end;

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  if (!kehu_report_export_contract_details (store, &filter, KEHU_REPORT_FORMAT_XLSX, path, &error))
    g_error ("%s", error->message);
  g_print ("%-28s %7u rows  %6.3f s (CPU %6.3f s)  peak RSS %5.1f MB\n", "store: contract details xlsx",
           n_rows, (g_get_monotonic_time () - t0) / 1e6, cpu_seconds () - c0, peak_rss_mb ());
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int rows = 100000;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_INT, &rows, "Rows to export (default 100000)", "N" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the files written", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark report exports");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rows < 10)
    {
      g_printerr ("%s\n", error ? error->message : "--rows must be at least 10");
      return 2;
    }

  dir = g_dir_make_tmp ("kehu-bench-export-XXXXXX", &error);
  g_assert_no_error (error);

  /* A tenth first: the peak RSS after it is the baseline. */
  bench_synthetic (dir, (guint) rows / 10, FALSE);
  bench_synthetic (dir, (guint) rows, FALSE);
  bench_synthetic (dir, (guint) rows, TRUE);
  bench_store (dir, (guint) rows);

  if (keep)
    g_print ("Files kept in %s\n", dir);
  else
    remove_dir (dir);
  return 0;
}
