/* kehu-bench-export.c: report export speed and memory (DESIGN.md: 100k rows
 * to .xlsx in < 2 s with constant memory)
 *
 *   kehu-bench-export [--rows N] [--keep]
 *   kehu-bench-export --db M.db [--module customers] [--limit N]
 *
 * Writes N synthetic rows (Chinese text, money, percent, date) to .xlsx and
 * .csv, then N approved contracts through a real store to the contract
 * details .xlsx (SQL cursor → libxlsxwriter). Prints the time of each and
 * the peak RSS, measured first at N/10 rows and again at N rows: with
 * constant memory the peak must not grow with N.
 *
 * With --db (a store made by kehu-bench-gen), the list export's core path
 * as kehu-server's export route runs it: the module's list columns of
 * every live record to .xlsx, read once as JSON pages of 500
 * (kehu_query_fetch, the route before) and once streamed as typed values
 * (kehu_query_rows_open, the route now).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>

#include <glib/gstdio.h>

#include "kehu-export.h"
#include "kehu-query.h"
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

typedef struct
{
  KehuQuery       *query;
  const KehuField **fields;
  guint            n_fields;
  JsonArray       *page;
  guint            index;
  char            *next;
  gboolean         started;
  KehuQueryRows   *rows;
  GPtrArray       *texts;
  gint64           limit;
  gint64           n;
} ListExport;

/* A cell as the route fills it, minus the label lookups (equal in both). */
static void
cell_from_node (const KehuField *field,
                JsonNode        *node,
                KehuExportCell  *cell,
                GPtrArray       *texts)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    cell->is_null = TRUE;
  else if (!JSON_NODE_HOLDS_VALUE (node))
    {
      char *text = json_to_string (node, FALSE);
      g_ptr_array_add (texts, text);
      cell->text = text;
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    cell->text = json_node_get_string (node);
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    cell->text = json_node_get_boolean (node) ? "1" : "0";
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    cell->number = (gint64) json_node_get_double (node);
  else
    cell->number = json_node_get_int (node);
}

static void
cell_from_value (const KehuQueryValue *value,
                 KehuExportCell       *cell)
{
  switch (value->type)
    {
    case KEHU_QUERY_VALUE_NULL:
      cell->is_null = TRUE;
      break;
    case KEHU_QUERY_VALUE_TEXT:
      cell->text = value->text;
      break;
    case KEHU_QUERY_VALUE_DOUBLE:
      cell->number = (gint64) value->d;
      break;
    default:
      cell->number = value->i;
      break;
    }
}

static gboolean
pages_row (KehuExportCell  *cells,
           guint            n_columns,
           gpointer         user_data,
           GError         **error)
{
  ListExport *e = user_data;
  JsonObject *row;

  g_ptr_array_set_size (e->texts, 0);
  if (e->n >= e->limit)
    return FALSE;
  if (e->page == NULL || e->index >= json_array_get_length (e->page))
    {
      g_autofree char *after = NULL;

      if (e->started && e->next == NULL)
        return FALSE;
      after = g_steal_pointer (&e->next);
      g_clear_pointer (&e->page, json_array_unref);
      e->page = kehu_query_fetch (e->query, after, 500, &e->next, error);
      e->started = TRUE;
      e->index = 0;
      if (e->page == NULL || json_array_get_length (e->page) == 0)
        return FALSE;
    }
  row = json_array_get_object_element (e->page, e->index++);
  for (guint i = 0; i < n_columns; i++)
    {
      const KehuField *field = e->fields[i];
      JsonObject *holder = (field->flags & KEHU_FIELD_CUSTOM) ? json_object_get_object_member (row, "extra") : row;

      cell_from_node (field, holder ? json_object_get_member (holder, field->name) : NULL, &cells[i], e->texts);
    }
  e->n++;
  return TRUE;
}

static gboolean
streamed_row (KehuExportCell  *cells,
              guint            n_columns,
              gpointer         user_data,
              GError         **error)
{
  ListExport *e = user_data;
  const KehuQueryValue *values;

  if (e->n >= e->limit)
    return FALSE;
  if (e->rows == NULL)
    {
      g_autofree const char **names = g_new0 (const char *, n_columns + 1);

      for (guint i = 0; i < n_columns; i++)
        names[i] = e->fields[i]->name;
      if ((e->rows = kehu_query_rows_open (e->query, names, error)) == NULL)
        return FALSE;
    }
  if ((values = kehu_query_rows_next (e->rows, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < n_columns; i++)
    cell_from_value (&values[i], &cells[i]);
  e->n++;
  return TRUE;
}

static void
bench_list (const char *dir,
            const char *db,
            const char *module_name,
            gint64      limit,
            gboolean    streamed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = kehu_store_open (db, &error);
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autofree const char **headers = NULL;
  g_autofree KehuExportColumnType *types = NULL;
  g_autofree char *path = NULL;
  const KehuModule *module;
  ListExport e = { 0 };
  gint64 t0;
  double c0;

  if (store == NULL)
    g_error ("%s", error->message);
  schema = kehu_schema_new (store, &error);
  g_assert_no_error (error);
  ctx = kehu_context_new (schema, NULL);
  module = kehu_schema_get_module (schema, module_name);
  if (module == NULL)
    g_error ("no module %s", module_name);
  for (guint i = 0; i < kehu_module_get_n_fields (module); i++)
    {
      const KehuField *field = kehu_module_get_field (module, i);

      if ((field->flags & KEHU_FIELD_IN_LIST) && !(field->flags & KEHU_FIELD_HIDDEN))
        g_ptr_array_add (fields, (gpointer) field);
    }
  headers = g_new0 (const char *, fields->len + 1);
  types = g_new0 (KehuExportColumnType, fields->len);
  for (guint i = 0; i < fields->len; i++)
    {
      const KehuField *field = g_ptr_array_index (fields, i);

      headers[i] = field->name;
      types[i] = field->type == KEHU_FIELD_MONEY ? KEHU_EXPORT_MONEY
               : field->type == KEHU_FIELD_INTEGER || field->type == KEHU_FIELD_PERCENT ? KEHU_EXPORT_INT
               : field->type == KEHU_FIELD_DATE ? KEHU_EXPORT_DATE : KEHU_EXPORT_TEXT;
    }

  e.query = kehu_query_new (ctx, module_name, &error);
  g_assert_no_error (error);
  e.fields = (const KehuField **) fields->pdata;
  e.n_fields = fields->len;
  e.texts = g_ptr_array_new_with_free_func (g_free);
  e.limit = limit;
  path = g_build_filename (dir, streamed ? "list-streamed.xlsx" : "list-pages.xlsx", NULL);

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  if (!kehu_export_table_xlsx (path, module_name, headers, types, fields->len,
                               streamed ? streamed_row : pages_row, &e, &error))
    g_error ("%s", error->message);
  g_print ("%-44s %8" G_GINT64_FORMAT " rows x %2u columns  %6.2f s (CPU %6.2f s)  peak RSS %6.1f MB\n",
           streamed ? "list export, streamed rows (now)" : "list export, JSON pages of 500 (before)",
           e.n, fields->len, (g_get_monotonic_time () - t0) / 1e6, cpu_seconds () - c0, peak_rss_mb ());

  g_clear_pointer (&e.rows, kehu_query_rows_free);
  g_clear_pointer (&e.page, json_array_unref);
  g_clear_pointer (&e.next, g_free);
  g_clear_pointer (&e.texts, g_ptr_array_unref);
  g_clear_object (&e.query);
}

int
main (int   argc,
      char *argv[])
{
  int rows = 100000;
  gboolean keep = FALSE;
  g_autofree char *db = NULL;
  g_autofree char *module = NULL;
  gint64 limit = 100000;
  GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_INT, &rows, "Rows to export (default 100000)", "N" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the files written", NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Time the list export of this store instead", "PATH" },
    { "module", 0, 0, G_OPTION_ARG_STRING, &module, "The module to export with --db (default customers)", "NAME" },
    { "limit", 0, 0, G_OPTION_ARG_INT64, &limit, "At most this many rows with --db (default 100000)", "N" },
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

  if (db != NULL)
    {
      /* Twice each, alternating, so the page cache is warm for both. */
      for (int i = 0; i < 2; i++)
        {
          bench_list (dir, db, module ? module : "customers", limit, FALSE);
          bench_list (dir, db, module ? module : "customers", limit, TRUE);
        }
    }
  else
    {
      /* A tenth first: the peak RSS after it is the baseline. */
      bench_synthetic (dir, (guint) rows / 10, FALSE);
      bench_synthetic (dir, (guint) rows, FALSE);
      bench_synthetic (dir, (guint) rows, TRUE);
      bench_store (dir, (guint) rows);
    }

  if (keep)
    g_print ("Files kept in %s\n", dir);
  else
    remove_dir (dir);
  return 0;
}
