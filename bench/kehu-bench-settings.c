/* kehu-bench-settings.c: what the settings snapshot adds to a pull
 *
 *   kehu-bench-settings [--server-bin PATH] [--runs N] [--customers N]
 *
 * A server store with realistic settings (20 dictionaries of 20 items, 50
 * custom fields, 5 stage groups of 7 stages, about 30 users with roles, pool
 * members, rules and claim limits) and a few customers; times the reply of
 * GET /sync/pull at the head of the changes with the client's settings
 * revision current (no snapshot) and stale (snapshot), over loopback, and
 * the client's replacing of its tables with a snapshot (first time, and
 * again when nothing differs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

#include "kehu-core.h"

static GSubprocess *running_server;

static void
die (GError *error)
{
  g_printerr ("kehu-bench-settings: %s\n", error ? error->message : "failed");
  if (running_server != NULL)
    g_subprocess_send_signal (running_server, SIGTERM);
  exit (1);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static gint64
count (KehuStore  *store,
       const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", table);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static const char seed_sql[] =
  "BEGIN IMMEDIATE;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)"
  " INSERT INTO dictionaries (id, created_at, updated_at, name)"
  " SELECT printf ('bench-dict-%02d', i), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', printf ('字典 %d', i) FROM n;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)"
  " INSERT INTO dictionary_items (id, dictionary_id, value, label, position)"
  " SELECT printf ('%s-item-%02d', d.id, n.i), d.id, printf ('v%d', n.i), printf ('选项 %d', n.i), n.i"
  " FROM dictionaries d, n WHERE d.id LIKE 'bench-dict-%';"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
  " INSERT INTO custom_fields (id, created_at, updated_at, module, name, label, type, dictionary_id, position)"
  " SELECT printf ('bench-field-%02d', i), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',"
  "  CASE i % 5 WHEN 0 THEN 'customers' WHEN 1 THEN 'contacts' WHEN 2 THEN 'opportunities'"
  "   WHEN 3 THEN 'contracts' ELSE 'leads' END,"
  "  printf ('bench_%d', i), printf ('自定义字段 %d', i), CASE WHEN i % 3 = 0 THEN 'choice' ELSE 'text' END,"
  "  CASE WHEN i % 3 = 0 THEN printf ('bench-dict-%02d', 1 + i % 20) END, i FROM n;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)"
  " INSERT INTO stage_groups (id, created_at, updated_at, name)"
  " SELECT printf ('bench-group-%d', i), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', printf ('阶段组 %d', i) FROM n;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7)"
  " INSERT INTO stages (id, group_id, name, win_rate, position, kind)"
  " SELECT printf ('%s-stage-%d', g.id, n.i), g.id, printf ('阶段 %d', n.i), n.i * 10, n.i,"
  "  CASE n.i WHEN 5 THEN 'won' WHEN 6 THEN 'lost' WHEN 7 THEN 'invalid' ELSE 'open' END"
  " FROM stage_groups g, n WHERE g.id LIKE 'bench-group-%';"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
  " INSERT INTO users (id, created_at, updated_at, phone, name, department_id)"
  " SELECT printf ('bench-user-%02d', i), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',"
  "  printf ('1370000%04d', i), printf ('用户 %d', i), '" KEHU_ID_TOP_DEPARTMENT "' FROM n;"
  "INSERT INTO user_roles (user_id, role_id)"
  " SELECT id, CASE WHEN rowid % 5 = 0 THEN '" KEHU_ID_ROLE_SALES_MANAGER "' ELSE '" KEHU_ID_ROLE_SALES_REP "' END"
  " FROM users WHERE id LIKE 'bench-user-%';"
  "INSERT INTO pool_members (pool_id, member_type, member_id)"
  " SELECT '" KEHU_ID_DEFAULT_POOL "', 'user', id FROM users WHERE id LIKE 'bench-user-%' LIMIT 10;"
  "INSERT INTO pool_rules (id, pool_id, customer_level, no_followup_days, no_opportunity_days, no_deal_days)"
  " VALUES ('bench-rule-1', '" KEHU_ID_DEFAULT_POOL "', NULL, 30, 60, 90),"
  "        ('bench-rule-2', '" KEHU_ID_DEFAULT_POOL "', 'vip', 60, 90, 180);"
  "INSERT INTO pool_claim_limits (pool_id, role_id, per_day, per_week, per_month)"
  " VALUES ('" KEHU_ID_DEFAULT_POOL "', '" KEHU_ID_ROLE_SALES_REP "', 5, 20, 60),"
  "        ('" KEHU_ID_DEFAULT_POOL "', '" KEHU_ID_ROLE_SALES_MANAGER "', 10, 40, 120);"
  "INSERT INTO sync_changes (module, record_id, at)"
  " SELECT 'users', id, updated_at FROM users UNION ALL"
  " SELECT 'stage_groups', id, updated_at FROM stage_groups;"
  "COMMIT;";

/* Median milliseconds and size of @runs GETs of @url. */
static void
time_pull (SoupSession *session,
           const char  *url,
           const char  *token,
           int          runs,
           double      *median_ms,
           double      *best_ms,
           gsize       *size,
           gboolean    *has_settings)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

  for (int run = 0; run < runs; run++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start;
      double ms;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      start = g_get_monotonic_time ();
      body = soup_session_send_and_read (session, msg, NULL, &error);
      ms = (g_get_monotonic_time () - start) / 1e3;
      if (body == NULL || soup_message_get_status (msg) != 200)
        {
          if (error == NULL)
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s: HTTP %u", url, soup_message_get_status (msg));
          die (error);
        }
      g_array_append_val (times, ms);
      *size = g_bytes_get_size (body);
      *has_settings = g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "\"settings\":{") != NULL;
    }
  g_array_sort (times, compare_doubles);
  *median_ms = g_array_index (times, double, times->len / 2);
  *best_ms = g_array_index (times, double, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *server_bin = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *data_arg = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GString) snapshot = g_string_new (NULL);
  gint runs = 51;
  gint n_customers = 1000;
  GOptionEntry entries[] = {
    { "server-bin", 0, 0, G_OPTION_ARG_FILENAME, &server_bin, "the kehu-server to run", "PATH" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "requests to time per case (default 51)", "N" },
    { "customers", 0, 0, G_OPTION_ARG_INT, &n_customers, "customers on the server (default 1000)", "N" },
    { NULL },
  };
  gint64 rev = 0, max_rev = 0;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— time the pull with and without the settings snapshot");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die (error);
  if (server_bin == NULL)
    {
      g_autofree char *self_dir = g_path_get_dirname (argv[0]);
      server_bin = g_build_filename (self_dir, "..", "src", "server", "kehu-server", NULL);
    }

  dir = g_dir_make_tmp ("kehu-bench-settings-XXXXXX", &error);
  if (dir == NULL)
    die (error);
  db_path = g_build_filename (dir, "kehu.db", NULL);
  {
    g_autoptr(KehuStore) store = kehu_store_open (db_path, &error);
    KehuDemoOptions options;
    KehuDemoStats demo_stats;
    sqlite3_stmt *stmt = NULL;

    if (store == NULL)
      die (error);
    kehu_demo_options_init_demo (&options);
    options.n_customers = n_customers;
    options.n_leads = options.n_contacts = options.n_opportunities = 0;
    options.n_contracts = options.n_followups = 0;
    options.pool_percent = 0;
    if (!kehu_demo_generate (store, &options, &demo_stats, &error) ||
        !kehu_store_exec (store, seed_sql, &error) ||
        !kehu_store_exec (store,
                          "INSERT INTO sync_changes (module, record_id, at)"
                          " SELECT 'customers', id, updated_at FROM customers ORDER BY rowid", &error))
      die (error);
    if (!kehu_sync_settings_append_snapshot (store, snapshot, &rev, &error))
      die (error);
    sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT max (rev) FROM sync_changes", -1, &stmt, NULL);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      max_rev = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    g_print ("settings: dictionaries %d, items %d, custom fields %d, stages %d, users %d; snapshot %zu bytes, rev %"
             G_GINT64_FORMAT "\n",
             (int) count (store, "dictionaries"), (int) count (store, "dictionary_items"),
             (int) count (store, "custom_fields"), (int) count (store, "stages"),
             (int) count (store, "users"), snapshot->len, rev);
  }

  data_arg = g_strdup_printf ("--data-dir=%s", dir);
  {
    g_autoptr(GSubprocess) admin = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                                                     &error, server_bin, data_arg, "--create-admin", "13900009999", NULL);

    if (admin == NULL || !g_subprocess_communicate_utf8 (admin, "bench-password\n", NULL, NULL, NULL, &error))
      die (error);
  }
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, server_bin, "--port=0", data_arg, NULL);
  if (server == NULL)
    die (error);
  running_server = server;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || strrchr (line, ':') == NULL)
    die (error);
  base_url = g_strdup_printf ("http://127.0.0.1:%s", strrchr (line, ':') + 1);
  if (g_str_has_suffix (base_url, "/"))
    base_url[strlen (base_url) - 1] = '\0';
  token = kehu_sync_login (base_url, "13900009999", "bench-password", &user_id, &error);
  if (token == NULL)
    die (error);
  session = soup_session_new ();

  /* The steady state: a pull at the head of the changes (the admin's
   * creation added one), settings current or not. */
  {
    g_autofree char *current = g_strdup_printf ("%s/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT "&settings_rev=%" G_GINT64_FORMAT,
                                                base_url, max_rev, rev);
    g_autofree char *stale = g_strdup_printf ("%s/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT "&settings_rev=0",
                                              base_url, max_rev);
    g_autofree char *first = g_strdup_printf ("%s/api/v1/sync/pull?cursor=0&limit=1000&settings_rev=0", base_url);
    g_autofree char *first_last = g_strdup_printf ("%s/api/v1/sync/pull?cursor=0&limit=5000&settings_rev=0", base_url);
    double median, best;
    gsize size;
    gboolean has;

    time_pull (session, current, token, runs, &median, &best, &size, &has);
    g_print ("pull at the head, settings current:  median %.2f ms, best %.2f ms, %zu bytes, snapshot %s\n",
             median, best, size, has ? "yes" : "no");
    time_pull (session, stale, token, runs, &median, &best, &size, &has);
    g_print ("pull at the head, settings stale:    median %.2f ms, best %.2f ms, %zu bytes, snapshot %s\n",
             median, best, size, has ? "yes" : "no");
    time_pull (session, first, token, MAX (runs / 5, 3), &median, &best, &size, &has);
    g_print ("first page of 1000 (more to come):   median %.2f ms, best %.2f ms, %zu bytes, snapshot %s\n",
             median, best, size, has ? "yes" : "no");
    time_pull (session, first_last, token, MAX (runs / 5, 3), &median, &best, &size, &has);
    g_print ("one page of everything (the last):   median %.2f ms, best %.2f ms, %zu bytes, snapshot %s\n",
             median, best, size, has ? "yes" : "no");
  }

  /* The client's side: replacing the tables of a fresh cache, then the
   * same snapshot again (nothing differs). */
  {
    g_autofree char *cache_path = g_build_filename (dir, "cache.db", NULL);
    g_autoptr(KehuStore) cache = kehu_store_open (cache_path, &error);
    g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
    gint64 held = 0, start;

    if (cache == NULL)
      die (error);
    /* The users and stage groups the snapshot refers to, as a pull brings them. */
    g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS server", db_path);

    if (strchr (db_path, '\'') != NULL ||
        !kehu_store_exec (cache, attach, &error) ||
        !kehu_store_exec (cache, "INSERT OR IGNORE INTO users (id, created_at, updated_at, phone, name)"
                                 " SELECT id, '', '', phone, '' FROM server.users; DETACH server", &error) ||
        !kehu_store_exec (cache,
                          "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)"
                          " INSERT INTO stage_groups (id, created_at, updated_at, name)"
                          " SELECT printf ('bench-group-%d', i), '', '', '' FROM n;", &error))
      die (error);
    for (int pass = 0; pass < 2; pass++)
      {
        start = g_get_monotonic_time ();
        if (!kehu_store_begin (cache, &error) ||
            !kehu_sync_cache_apply_settings (cache, snapshot->str, snapshot->len, &held, changed, &error) ||
            !kehu_store_commit (cache, &error))
          die (error);
        g_print ("client applies the snapshot (%s): %.2f ms, %u tables changed\n",
                 pass == 0 ? "fresh cache" : "nothing differs", (g_get_monotonic_time () - start) / 1e3, changed->len);
        for (guint i = 0; i < changed->len; i++)
          g_print ("  changed: %s\n", (const char *) changed->pdata[i]);
        g_ptr_array_set_size (changed, 0);
      }
  }

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (rm) != 0)
      g_printerr ("kehu-bench-settings: could not remove %s\n", dir);
  }
  return 0;
}
