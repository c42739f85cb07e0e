/* kehu-bench-search.c: search latency on a store of N generated customers
 *
 *   kehu-bench-search [--size N] [--db FILE] [--repeat R]
 *
 * Fills FILE (a temporary file by default; an existing FILE that already
 * holds customers is reused as it is) with N customers (default 1 000 000)
 * whose Chinese company names come from city, brand, trade and suffix lists
 * with a fixed seed, then times, for pinyin, initials, one- and
 * two-character Chinese, phone digits and several keywords:
 *  - list: the first page of the customer list restricted by
 *    kehu_search_condition(), newest first, 50 rows;
 *  - global: kehu_search_global() with 10 hits per module.
 * Prints p50/p95 per kind of query and over all of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "kehu-core.h"

static const char *cities[] = {
  "北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州", "南京", "武汉",
  "西安", "长沙", "郑州", "济南", "青岛", "大连", "沈阳", "长春", "哈尔滨", "苏州",
  "无锡", "宁波", "厦门", "福州", "合肥", "南昌", "昆明", "贵阳", "南宁", "海口",
  "石家庄", "太原", "呼和浩特", "兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "东莞", "佛山",
};
/* Two of these make a brand: 40 × 40 = 1 600 brands. */
static const char *brand_chars[] = {
  "华", "瑞", "恒", "泰", "鑫", "达", "通", "宏", "远", "盛", "创", "新", "博", "信", "安",
  "康", "德", "隆", "兴", "金", "天", "海", "明", "光", "利", "源", "正", "和", "嘉", "联",
  "中", "东", "方", "宇", "润", "永", "辉", "腾", "凯", "星",
};
static const char *trades[] = {
  "科技", "贸易", "电子", "机械", "建材", "物流", "医药", "食品", "化工", "软件",
  "信息技术", "网络", "环保", "能源", "纺织", "服饰", "广告", "咨询", "教育", "餐饮",
};
static const char *suffixes[] = {
  "有限公司", "股份有限公司", "集团有限公司", "有限责任公司", "工作室", "商行",
};

typedef struct
{
  const char *kind;
  const char *query;
} Query;

static const Query queries[] = {
  { "pinyin", "beijing" }, { "pinyin", "shenzhenhuarui" }, { "pinyin", "hengtai" },
  { "pinyin", "keji" }, { "pinyin", "xinxijishu" },
  { "initials", "bjhr" }, { "initials", "szkj" }, { "initials", "htkj" }, { "initials", "hr" },
  { "1-char", "京" }, { "1-char", "鑫" }, { "1-char", "拉" },
  { "2-char", "北京" }, { "2-char", "华瑞" }, { "2-char", "物流" }, { "2-char", "乌鲁" },
  { "phone", "5678" }, { "phone", "13812" }, { "phone", "0011" },
  { "keywords", "北京 科技" }, { "keywords", "shanghai keji" }, { "keywords", "恒泰 物流 有限" },
};

static void
fill (KehuStore *store,
      guint      size)
{
  sqlite3 *db = kehu_store_get_db (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert (sqlite3_prepare_v2 (db,
                                "INSERT INTO customers (id, created_at, updated_at, name, number, phone, email)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL) == SQLITE_OK);

  kehu_store_begin (store, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < size; i++)
    {
      char id[40], at[32], name[256], number[32], phone[16], email[64];

      g_snprintf (id, sizeof id, "%08x-0000-4000-8000-%012x", i, g_rand_int (rand));
      g_snprintf (at, sizeof at, "2026-%02d-%02dT%02d:%02d:00Z",
                  1 + i % 12, 1 + i % 28, i % 24, i % 60);
      g_snprintf (name, sizeof name, "%s%s%s%s%s",
                  cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))],
                  brand_chars[g_rand_int_range (rand, 0, G_N_ELEMENTS (brand_chars))],
                  brand_chars[g_rand_int_range (rand, 0, G_N_ELEMENTS (brand_chars))],
                  trades[g_rand_int_range (rand, 0, G_N_ELEMENTS (trades))],
                  suffixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (suffixes))]);
      g_snprintf (number, sizeof number, "KH%08u", i + 1);
      g_snprintf (phone, sizeof phone, "1%d%09d",
                  g_rand_int_range (rand, 3, 10), g_rand_int_range (rand, 0, 1000000000));
      g_snprintf (email, sizeof email, "sales%u@example%u.com", i, i % 97);

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, at, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, at, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, number, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, phone, -1, SQLITE_TRANSIENT);
      if (i % 3 == 0)
        sqlite3_bind_text (stmt, 7, email, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 7);
      g_assert (sqlite3_step (stmt) == SQLITE_DONE);
      sqlite3_reset (stmt);

      if ((i + 1) % 100000 == 0)
        {
          kehu_store_commit (store, &error);
          g_assert_no_error (error);
          g_print ("  %u customers, %.1f s\n", i + 1, (g_get_monotonic_time () - start) / 1e6);
          kehu_store_begin (store, &error);
          g_assert_no_error (error);
        }
    }

  kehu_store_commit (store, &error);
  g_assert_no_error (error);
  sqlite3_finalize (stmt);
  g_print ("Filled %u customers in %.1f s\n", size, (g_get_monotonic_time () - start) / 1e6);
}

static double
time_list (KehuStore  *store,
           const char *query,
           guint      *n_rows)
{
  g_autofree char *condition = NULL;
  g_auto(GStrv) params = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();

  kehu_search_condition ("customers", query, NULL, &condition, &params, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("SELECT id, name, phone FROM customers"
                         " WHERE deleted_at IS NULL AND %s"
                         " ORDER BY updated_at DESC, id DESC LIMIT 50", condition);
  g_assert (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK);
  for (guint i = 0; params[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, params[i], -1, SQLITE_STATIC);
  *n_rows = 0;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    (*n_rows)++;
  sqlite3_finalize (stmt);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
time_global (KehuStore  *store,
             const char *query,
             guint      *n_rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 start = g_get_monotonic_time ();

  hits = kehu_search_global (store, query, 10, &error);
  g_assert_no_error (error);
  *n_rows = hits->len;

  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *samples,
            double  p)
{
  guint i;

  g_array_sort (samples, compare_double);
  i = (guint) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, double, i);
}

static void
report (const char *what,
        const char *kind,
        GArray     *samples)
{
  double p50 = percentile (samples, 0.5);
  double p95 = percentile (samples, 0.95);

  g_print ("%-7s %-9s n=%-4u p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms\n", what, kind, samples->len,
           p50, p95, g_array_index (samples, double, samples->len - 1));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  gint size = 1000000;
  gint repeat = 10;
  gboolean own_file = FALSE;
  const char *kinds[] = { "pinyin", "initials", "1-char", "2-char", "phone", "keywords", NULL };
  const GOptionEntry entries[] = {
    { "size", 'n', 0, G_OPTION_ARG_INT, &size, "Customers to generate (default 1000000)", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "Database file to fill or reuse", "FILE" },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Runs of every query (default 10)", "R" },
    { NULL }
  };
  sqlite3_stmt *stmt = NULL;
  gint64 existing = 0;
  gint64 start;

  context = g_option_context_new ("- time Kehu's search");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (db_path == NULL)
    {
      dir = g_dir_make_tmp ("kehu-bench-search-XXXXXX", &error);
      g_assert_no_error (error);
      db_path = g_build_filename (dir, "bench.db", NULL);
      own_file = TRUE;
    }

  start = g_get_monotonic_time ();
  store = kehu_store_open (db_path, &error);
  g_assert_no_error (error);
  g_print ("Opened %s in %.1f s\n", db_path, (g_get_monotonic_time () - start) / 1e6);

  g_assert (sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT count(*) FROM customers", -1, &stmt, NULL) == SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    existing = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (existing == 0)
    fill (store, size);
  else
    g_print ("Reusing %" G_GINT64_FORMAT " customers\n", existing);

  for (guint w = 0; w < 2; w++)
    {
      g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
      const char *what = w == 0 ? "list" : "global";

      for (guint k = 0; kinds[k] != NULL; k++)
        {
          g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

          for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
            {
              guint n_rows = 0;

              if (!g_str_equal (queries[q].kind, kinds[k]))
                continue;
              /* One warm-up run: the first touch reads pages from disk. */
              (w == 0 ? time_list : time_global) (store, queries[q].query, &n_rows);
              for (int r = 0; r < repeat; r++)
                {
                  double ms = (w == 0 ? time_list : time_global) (store, queries[q].query, &n_rows);
                  g_array_append_val (samples, ms);
                  g_array_append_val (all, ms);
                }
              g_print ("  %-7s %-22s %3u rows\n", what, queries[q].query, n_rows);
            }
          report (what, kinds[k], samples);
        }
      report (what, "ALL", all);
    }

  g_clear_object (&store);
  if (own_file)
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }

  return 0;
}
