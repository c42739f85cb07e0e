/* kehu-bench-recycle.c: the pool recycle job on a large store
 *
 *   kehu-bench-recycle DB [--now ISO] [--keep]
 *
 * Copies DB (made by kehu-bench-gen, e.g. --size m) next to itself, gives
 * its default pool the rule "30 days without a follow-up, 90 without a new
 * opportunity" when it has none, and times kehu_pool_recycle() three times: a run
 * with nothing due (the common hourly run: the cost of the scan), then a
 * run at --now (default 2030-01-01: most owned customers are due). Prints
 * wall and CPU time, the count and the peak RSS after each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/resource.h>

#include <glib/gstdio.h>

#include "kehu-pool.h"
#include "kehu-store.h"

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static gint64
count (KehuStore  *store,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
run (KehuStore  *store,
     const char *label,
     const char *now_text)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (now_text, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  gint64 t0;
  double c0;
  int n;

  if (now == NULL)
    g_error ("“%s” is not an ISO 8601 time", now_text);
  schema = kehu_schema_new (store, &error);
  if (schema == NULL)
    g_error ("%s", error->message);
  /* As kehu-server's job: no acting user, server revs. */
  ctx = kehu_context_new (schema, NULL);
  kehu_context_set_now (ctx, now);
  kehu_context_set_assign_revs (ctx, TRUE);
  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  n = kehu_pool_recycle (ctx, NULL, &error);
  if (n < 0)
    g_error ("%s", error->message);
  g_print ("%-34s %7d recycled  %7.3f s (CPU %7.3f s)  peak RSS %6.1f MB\n",
           label, n, (g_get_monotonic_time () - t0) / 1e6, cpu_seconds () - c0, peak_rss_mb ());
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *now = NULL;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "now", 0, 0, G_OPTION_ARG_STRING, &now, "The job's time (default 2030-01-01T00:00:00Z)", "ISO" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the copy of the database", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DB — time the pool recycle job");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *copy_path = NULL;
  gint64 t0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error ? error->message : "Usage: kehu-bench-recycle DB [--now ISO] [--keep]");
      return 2;
    }

  copy_path = g_strconcat (argv[1], ".recycle-bench.db", NULL);
  source = g_file_new_for_path (argv[1]);
  copy = g_file_new_for_path (copy_path);
  t0 = g_get_monotonic_time ();
  if (!g_file_copy (source, copy, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
  g_print ("copied %s in %.1f s\n", argv[1], (g_get_monotonic_time () - t0) / 1e6);

  store = kehu_store_open (copy_path, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  if (count (store, "SELECT count(*) FROM pool_rules r JOIN pools p ON p.id = r.pool_id WHERE p.is_default = 1") == 0 &&
      !kehu_store_exec (store,
                        "INSERT INTO pool_rules (id, pool_id, customer_level, no_followup_days, no_opportunity_days) "
                        "SELECT 'bench-rule', id, NULL, 30, 90 FROM pools WHERE is_default = 1",
                        &error))
    g_error ("%s", error->message);
  if (!kehu_store_exec (store, "UPDATE pools SET recycle_enabled = 1, is_enabled = 1 WHERE is_default = 1", &error))
    g_error ("%s", error->message);

  g_print ("customers %" G_GINT64_FORMAT ", owned and unlocked %" G_GINT64_FORMAT ", opportunities %" G_GINT64_FORMAT "\n",
           count (store, "SELECT count(*) FROM customers"),
           count (store, "SELECT count(*) FROM customers WHERE owner_id IS NOT NULL AND is_locked = 0 AND deleted_at IS NULL"),
           count (store, "SELECT count(*) FROM opportunities"));

  run (store, "nothing due (2000-01-01)", "2000-01-01T00:00:00Z");
  run (store, now ? now : "2030-01-01T00:00:00Z", now ? now : "2030-01-01T00:00:00Z");
  run (store, "again, nothing left due", now ? now : "2030-01-01T00:00:00Z");

  g_clear_object (&store);
  if (!keep)
    {
      g_autofree char *wal = g_strconcat (copy_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (copy_path, "-shm", NULL);

      g_unlink (copy_path);
      g_unlink (wal);
      g_unlink (shm);
    }
  return 0;
}
