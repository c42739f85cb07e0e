/* kehu-bench-sync.c: DESIGN.md's sync targets, on loopback
 *
 *   kehu-bench-sync [--customers N] [--server-bin PATH] [--runs N] [--seed PATH]
 *
 * Seeds a server database with N customers (default 100 000) from the demo
 * generator, starts kehu-server on it, then times (1) the initial pull of
 * everything into an empty cache (records per second; target ≥ 50 000/s),
 * with the search index built afterwards timed on its own, and (2) a
 * 100-change push + pull round trip (target < 150 ms).
 *
 * Seeding 100 000 customers takes longer than the runs: with --seed PATH
 * the seeded database is kept there and copied on later runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>
#include <unistd.h>

#include "kehu-core.h"

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* The server's CPU time from /proc (Linux), to tell its share from the
 * client's on a loaded machine; 0 elsewhere. schedstat counts nanoseconds
 * of its main thread (where requests run); stat only 10 ms ticks. */
static double
server_cpu_seconds (GSubprocess *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/schedstat", g_subprocess_get_identifier (server));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (g_file_get_contents (path, &text, NULL, NULL))
    return g_ascii_strtod (text, NULL) / 1e9;
  g_free (path);
  path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (server));
  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* After "pid (comm)": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static gint64 applied_at;
static double applied_cpu;

static void
progress_cb (guint    received,
             guint    total,
             gpointer user_data)
{
  applied_at = g_get_monotonic_time ();
  applied_cpu = cpu_seconds ();
}

static void
die (GError *error)
{
  g_printerr ("kehu-bench-sync: %s\n", error->message);
  exit (1);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
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
  g_autofree char *cache_path = NULL;
  g_autofree char *data_arg = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *seed_path = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(KehuSyncEngine) engine = NULL;
  gint n_customers = 100000;
  gint runs = 7;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &n_customers, "customers on the server (default 100000)", "N" },
    { "server-bin", 0, 0, G_OPTION_ARG_FILENAME, &server_bin, "the kehu-server to run", "PATH" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "round trips to time (default 7)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_FILENAME, &seed_path, "keep the seeded database here and reuse it", "PATH" },
    { NULL },
  };
  KehuDemoOptions options;
  KehuDemoStats demo_stats;
  KehuSyncStats stats = { 0 };
  gint64 start, end;
  double cpu, server_cpu, pull_s, index_s;
  g_autoptr(GArray) trips = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) client_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) server_cpus = g_array_new (FALSE, FALSE, sizeof (double));

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— time the initial pull and a sync round trip");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die (error);
  if (server_bin == NULL)
    {
      g_autofree char *self_dir = g_path_get_dirname (argv[0]);
      server_bin = g_build_filename (self_dir, "..", "src", "server", "kehu-server", NULL);
    }

  /* 1. The server's database: customers only, each with its change row. */
  dir = g_dir_make_tmp ("kehu-bench-sync-XXXXXX", &error);
  if (dir == NULL)
    die (error);
  db_path = g_build_filename (dir, "kehu.db", NULL);
  if (seed_path != NULL && g_file_test (seed_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) from = g_file_new_for_path (seed_path);
      g_autoptr(GFile) to = g_file_new_for_path (db_path);

      if (!g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error))
        die (error);
      g_print ("seeded database copied from %s\n", seed_path);
    }
  else
  {
    g_autoptr(KehuStore) store = kehu_store_open (db_path, &error);

    if (store == NULL)
      die (error);
    kehu_demo_options_init_demo (&options);
    options.n_customers = n_customers;
    options.n_leads = options.n_contacts = options.n_opportunities = 0;
    options.n_contracts = options.n_followups = 0;
    options.pool_percent = 0;
    start = g_get_monotonic_time ();
    if (!kehu_demo_generate (store, &options, &demo_stats, &error) ||
        !kehu_store_exec (store,
                          "BEGIN IMMEDIATE;"
                          "INSERT INTO sync_changes (module, record_id, at)"
                          "  SELECT 'customers', id, updated_at FROM customers ORDER BY rowid;"
                          "UPDATE customers SET rev = (SELECT MAX(rev) FROM sync_changes c"
                          "  WHERE c.module = 'customers' AND c.record_id = customers.id);"
                          "COMMIT;", &error))
      die (error);
    g_print ("seeded %u customers in %.1f s\n", demo_stats.n_customers, (g_get_monotonic_time () - start) / 1e6);
    if (seed_path != NULL)
      {
        g_autofree char *vacuum = g_strdup_printf ("VACUUM INTO '%s'", seed_path);

        if (strchr (seed_path, '\'') != NULL || !kehu_store_exec (store, vacuum, &error))
          die (error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "--seed must not hold a quote"));
      }
  }

  /* 2. The server, with an administrator to sign in as. */
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
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || strrchr (line, ':') == NULL)
    die (error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "kehu-server did not start"));
  base_url = g_strdup_printf ("http://127.0.0.1:%s", strrchr (line, ':') + 1);
  token = kehu_sync_login (base_url, "13900009999", "bench-password", &user_id, &error);
  if (token == NULL)
    die (error);

  /* 3. The initial pull into an empty cache. */
  cache_path = g_build_filename (dir, "cache.db", NULL);
  engine = kehu_sync_engine_new (cache_path, base_url, user_id, &error);
  if (engine == NULL)
    die (error);
  kehu_sync_engine_set_token (engine, token);
  kehu_sync_engine_set_batch (engine, 200, 5000);
  kehu_sync_engine_set_progress (engine, progress_cb, NULL);
  cpu = cpu_seconds ();
  server_cpu = server_cpu_seconds (server);
  start = g_get_monotonic_time ();
  if (!kehu_sync_engine_pull (engine, &stats, NULL, &error))
    die (error);
  end = g_get_monotonic_time ();
  pull_s = (applied_at - start) / 1e6;
  index_s = (end - applied_at) / 1e6;
  g_print ("initial pull: %u records in %.2f s = %.0f records/s (target ≥ 50000); CPU: client %.2f s, server %.2f s\n",
           stats.pulled, pull_s, stats.pulled / pull_s, applied_cpu - cpu, server_cpu_seconds (server) - server_cpu);
  g_print ("indexes of the pulled records afterwards: %.2f s (%.0f µs per record); client CPU %.2f s\n",
           index_s, index_s * 1e6 / MAX (stats.pulled, 1), cpu_seconds () - applied_cpu);
  g_print ("pulled and indexed: %.2f s = %.0f records/s\n", pull_s + index_s, stats.pulled / (pull_s + index_s));
  kehu_sync_stats_clear (&stats);

  /* 4. Round trips: 100 local edits, then push + pull. */
  for (int run = 0; run < runs; run++)
    {
      KehuContext *ctx = kehu_sync_engine_get_context (engine);
      sqlite3_stmt *stmt = NULL;
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      double ms;

      sqlite3_prepare_v2 (kehu_store_get_db (kehu_sync_engine_get_store (engine)),
                          "SELECT id FROM customers ORDER BY id LIMIT 100 OFFSET ?1", -1, &stmt, NULL);
      sqlite3_bind_int (stmt, 1, run * 100);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_finalize (stmt);

      kehu_context_begin (ctx, NULL);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(JsonObject) change = json_object_new ();
          g_autofree char *address = g_strdup_printf ("bench %d-%u", run, i);

          json_object_set_string_member (change, "address", address);
          if (!kehu_record_update (ctx, "customers", g_ptr_array_index (ids, i), change, &error))
            die (error);
        }
      kehu_context_commit (ctx, NULL);

      cpu = cpu_seconds ();
      server_cpu = server_cpu_seconds (server);
      start = g_get_monotonic_time ();
      if (!kehu_sync_engine_run (engine, &stats, NULL, &error))
        die (error);
      ms = (g_get_monotonic_time () - start) / 1e3;
      g_array_append_val (trips, ms);
      ms = (cpu_seconds () - cpu) * 1e3;
      g_array_append_val (client_cpu, ms);
      ms = (server_cpu_seconds (server) - server_cpu) * 1e3;
      g_array_append_val (server_cpus, ms);
      if (stats.pushed != 100)
        g_printerr ("kehu-bench-sync: run %d pushed %u ops, not 100\n", run, stats.pushed);
      kehu_sync_stats_clear (&stats);
    }
  g_array_sort (trips, compare_doubles);
  g_print ("100-change push+pull round trip: median %.1f ms, best %.1f ms, worst %.1f ms over %d runs (target < 150 ms)\n",
           g_array_index (trips, double, trips->len / 2), g_array_index (trips, double, 0),
           g_array_index (trips, double, trips->len - 1), runs);
  g_array_sort (client_cpu, compare_doubles);
  g_array_sort (server_cpus, compare_doubles);
  g_print ("  CPU per round trip (median): client %.1f ms, server %.1f ms\n",
           g_array_index (client_cpu, double, client_cpu->len / 2), g_array_index (server_cpus, double, server_cpus->len / 2));

  g_clear_object (&engine);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (rm) != 0)
      g_printerr ("kehu-bench-sync: could not remove %s\n", dir);
  }
  return 0;
}
