/* kehu-bench-list.c: the customer list over a million customers
 *
 *   kehu-bench-list [--customers N] [--db PATH] [--keep]
 *
 * Makes (or reuses) a store with N customers (default 1 000 000) and times
 * what the list does: the first page after a query change (count + the
 * first SQL page), sorting by a column, a filter, a quick search, a jump
 * deep into the list and scrolling page by page. Under a display it also
 * shows the real list widget in a window and reports the process RSS, to
 * compare with a small store: memory must not grow with the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "kehu-application.h"
#include "kehu-core.h"
#include "kehu-record-list-view.h"
#include "kehu-record-model.h"

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
fill (KehuStore *store,
      guint      n)
{
  sqlite3 *db = kehu_store_get_db (store);
  g_autofree char *sql = NULL;
  gint64 start = g_get_monotonic_time ();
  char *errmsg = NULL;

  /* The search index's trigger makes pinyin keys row by row (minutes for a
   * million): this bench store goes without; kehu-bench-search times search. */
  if (sqlite3_exec (db, "DROP TRIGGER IF EXISTS customers_fts_insert", NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s", errmsg);

  /* Plain SQL: the generator's realism is not what is measured here. */
  sql = g_strdup_printf (
    "BEGIN;"
    "INSERT INTO users (id, created_at, updated_at, phone, name, is_super_admin)"
    " SELECT printf ('user-%%02d', i), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',"
    "  printf ('1390000%%04d', i), printf ('销售%%02d', i), i = 0"
    " FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49) SELECT i FROM n);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
    " INSERT INTO customers (id, created_at, updated_at, owner_id, name, level, industry, phone,"
    "  last_followup_at, contract_total)"
    " SELECT printf ('c-%%07d', i),"
    "  strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', 1700000000 + i * 37, 'unixepoch'),"
    "  strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', 1700000000 + i * 41 %% 90000000, 'unixepoch'),"
    "  CASE WHEN i %% 10 = 0 THEN NULL ELSE printf ('user-%%02d', i %% 50) END,"
    "  printf ('%%s%%s科技有限公司 %%d', substr ('北京上海广州深圳杭州成都武汉西安南京重庆', (i %% 10) * 2 + 1, 2),"
    "         substr ('华为腾讯阿里字节美团京东百度小米网易联想', (i / 10 %% 10) * 2 + 1, 2), i),"
    "  CASE i %% 3 WHEN 0 THEN 'vip' WHEN 1 THEN 'normal' ELSE 'potential' END,"
    "  'it', printf ('138%%08d', i),"
    "  CASE WHEN i %% 7 = 0 THEN NULL ELSE strftime ('%%Y-%%m-%%dT%%H:%%M:%%SZ', 1760000000 + i * 13 %% 9000000, 'unixepoch') END,"
    "  (i %% 1000) * 10000"
    " FROM n;"
    "COMMIT;", n);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("Cannot fill the store: %s", errmsg);
  g_print ("filled %u customers in %.1f s\n", n, ms_since (start) / 1000.0);
}

static void
time_query (KehuRecordModel     *model,
            const char          *label,
            const KehuListQuery *query)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(KehuRecordItem) first = NULL;
  double t_count, t_first;
  const char *money[] = { "contract_total", NULL };

  kehu_record_model_set_total_fields (model, money);

  if (!kehu_record_model_set_query (model, query, &error))
    g_error ("%s: %s", label, error->message);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  t_first = ms_since (start);
  /* The count and totals come from a thread on big tables. */
  while (kehu_record_model_get_counting (model))
    g_main_context_iteration (NULL, TRUE);
  t_count = ms_since (start);
  g_print ("%-34s %9.1f ms to first page, %7.1f ms to count and totals (%u rows)\n",
           label, t_first, t_count, g_list_model_get_n_items (G_LIST_MODEL (model)));
}

int
main (int   argc,
      char *argv[])
{
  guint n_customers = 1000000;
  g_autofree char *db_path = NULL;
  gboolean keep = FALSE;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(KehuRecordModel) model = NULL;
  g_autoptr(KehuListQuery) base = NULL;
  gboolean have_display;
  long rss_start;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &n_customers, "Customers to make", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "Use (or make) this store", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the store made", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("— time the record list");

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  kehu_init_i18n ();
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();
  rss_start = rss_kib ();

  if (db_path == NULL)
    {
      dir = g_dir_make_tmp ("kehu-bench-list-XXXXXX", &error);
      g_assert_no_error (error);
      db_path = g_build_filename (dir, "bench.db", NULL);
    }
  {
    gboolean fresh = !g_file_test (db_path, G_FILE_TEST_EXISTS);
    gint64 start = g_get_monotonic_time ();

    store = kehu_store_open (db_path, &error);
    g_assert_no_error (error);
    /* An older store gets the new migrations (indexes) here, once. */
    g_print ("store opened (migrations included) in %.1f s\n", ms_since (start) / 1000.0);
    if (fresh)
      fill (store, n_customers);
  }
  /* Cold caches are the operating system's business; time a warm store. */
  schema = kehu_schema_new (store, &error);
  g_assert_no_error (error);
  ctx = kehu_context_new (schema, "user-01");

  model = kehu_record_model_new (schema, "customers");
  kehu_record_model_set_user (model, "user-01");
  base = kehu_list_query_new ();
  kehu_list_query_add_filter (base, "owner_id", KEHU_FILTER_NOT_EMPTY, NULL);
  kehu_record_model_set_base (model, base);

  g_print ("RSS at start: %ld MiB\n", rss_start / 1024);
  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(KehuListQuery) q = kehu_list_query_new ();
      const char *vip[] = { "vip", NULL };
      const char *mine[] = { KEHU_FILTER_ME, NULL };

      g_print ("-- run %u\n", run + 1);
      time_query (model, "all (updated, newest first)", q);
      kehu_list_query_set_sort (q, "name", FALSE);
      time_query (model, "sorted by name", q);
      kehu_list_query_set_sort (q, "last_followup_at", TRUE);
      time_query (model, "sorted by last follow-up (NULLs)", q);
      kehu_list_query_set_sort (q, NULL, FALSE);
      kehu_list_query_add_filter (q, "owner_id", KEHU_FILTER_IN, mine);
      time_query (model, "scene: mine", q);
      kehu_list_query_clear_filters (q);
      kehu_list_query_add_filter (q, "level", KEHU_FILTER_IN, vip);
      time_query (model, "filter: level is VIP", q);
      kehu_list_query_clear_filters (q);
      kehu_list_query_set_search (q, "bjhw");
      time_query (model, "quick search (no index here)", q);
      kehu_list_query_set_search (q, NULL);
      time_query (model, "all again", q);
    }

  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(KehuRecordItem) deep = g_list_model_get_item (G_LIST_MODEL (model), 500000);
    g_print ("%-34s %9.1f ms\n", "jump to row 500 000 (OFFSET)", ms_since (start));

    start = g_get_monotonic_time ();
    for (guint i = 500000; i < 500000 + 100 * KEHU_RECORD_MODEL_PAGE_SIZE; i++)
      {
        g_clear_object (&deep);
        deep = g_list_model_get_item (G_LIST_MODEL (model), i);
      }
    g_print ("%-34s %9.2f ms per page (keyset, 100 pages)\n", "scroll on from there", ms_since (start) / 100);
  }
  {
    gint64 sum = 0;
    gint64 start = g_get_monotonic_time ();
    kehu_record_model_sum (model, "contract_total", &sum, NULL);
    g_print ("%-34s %9.1f ms\n", "totals row (sum over the query)", ms_since (start));
  }
  g_print ("RSS after the model: %ld MiB\n", rss_kib () / 1024);

  if (have_display)
    {
      GtkWindow *window = GTK_WINDOW (adw_window_new ());
      GtkWidget *overlay = adw_toast_overlay_new ();
      KehuRecordListView *view;
      gint64 start = g_get_monotonic_time ();

      view = kehu_record_list_view_new (ctx, "customers");
      adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (view));
      adw_window_set_content (ADW_WINDOW (window), overlay);
      gtk_window_set_default_size (window, 1200, 760);
      gtk_window_present (window);
      while (!gtk_widget_get_mapped (GTK_WIDGET (view)))
        g_main_context_iteration (NULL, TRUE);
      for (guint i = 0; i < 50; i++)
        g_main_context_iteration (NULL, FALSE);
      g_print ("%-34s %9.1f ms\n", "list widget shown (window mapped)", ms_since (start));

      /* Scroll the real view through 20 000 rows. */
      {
        GtkWidget *cv = GTK_WIDGET (kehu_record_list_view_get_column_view (view));
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (cv)));
        double row;

        row = gtk_adjustment_get_upper (adj) / g_list_model_get_n_items (G_LIST_MODEL (kehu_record_list_view_get_model (view)));

        start = g_get_monotonic_time ();
        for (guint i = 0; i < 200; i++)
          {
            gtk_adjustment_set_value (adj, row * 100 * i);
            while (g_main_context_pending (NULL))
              g_main_context_iteration (NULL, FALSE);
          }
        g_print ("%-34s %9.2f ms per step\n", "scrolled 200 × 100 rows", ms_since (start) / 200);
      }
      g_print ("RSS with the window: %ld MiB\n", rss_kib () / 1024);
      gtk_window_destroy (window);
    }

  if (dir != NULL && !keep)
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
      g_clear_object (&model);
      g_clear_object (&ctx);
      g_clear_object (&schema);
      g_clear_object (&store);
      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  else if (keep)
    g_print ("store kept: %s\n", db_path);
  return 0;
}
