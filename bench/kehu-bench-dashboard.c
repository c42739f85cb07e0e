/* kehu-bench-dashboard.c: the dashboard page's recompute (DESIGN.md: < 150 ms
 * on M)
 *
 *   kehu-bench-dashboard DB [--runs N]
 *
 * DB is a store made by kehu-bench-gen (core's demo generator, --size m:
 * 100k customers, 300k contacts, 200k opportunities, 100k contracts, 1M
 * follow-ups). Times exactly what the dashboard's worker thread does for
 * one refresh — open its own connection to the file, then
 * kehu_dashboard_data_compute() (sales brief, KPIs, funnel, six-month
 * trend, work desk with its short lists) — for the company, a department
 * and a person, this month and this year. Prints median and worst of N
 * runs (wall time) and the CPU time, since the machine is shared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include "kehu-dashboard-data.h"
#include "kehu-report.h"
#include "kehu-store.h"

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static char *
single_text (KehuStore  *store,
             const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
run (const char       *path,
     const char       *label,
     const char       *owner_user_id,
     const char       *department_id,
     KehuPeriodPreset  preset,
     const char       *user_id,
     guint             runs)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) start = NULL, end = NULL;
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  double cpu_total = 0, worst = 0;
  guint n_records = 0;

  kehu_report_period_from_preset (preset, now, tz, &start, &end);
  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KehuStore) store = NULL;
      g_autoptr(KehuDashboardData) data = NULL;
      KehuDashboardQuery query = {
        .owner_user_id = owner_user_id, .department_id = department_id,
        .start = start, .end = end, .now = now, .tz = tz, .user_id = user_id,
      };
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms (), ms;

      store = kehu_store_open (path, &error);
      if (store != NULL)
        data = kehu_dashboard_data_compute (store, &query, &error);
      if (data == NULL)
        {
          g_printerr ("%s: %s\n", label, error->message);
          exit (1);
        }
      ms = (g_get_monotonic_time () - t0) / 1e3;
      cpu_total += cpu_ms () - c0;
      g_array_append_val (wall, ms);
      worst = MAX (worst, ms);
      n_records = 0;
      for (guint l = 0; l < KEHU_DESK_N_LISTS; l++)
        n_records += data->desk[l]->len;
    }
  g_array_sort (wall, compare_double);
  g_print ("%-32s median %7.1f ms  worst %7.1f ms  cpu %7.1f ms/run  (%u work-desk rows)\n",
           label, g_array_index (wall, double, wall->len / 2), worst, cpu_total / runs, n_records);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DB");
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *department = NULL, *person = NULL, *admin = NULL;
  int runs = 7;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "runs of each case (default 7)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || runs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "usage: kehu-bench-dashboard DB [--runs N]");
      return 2;
    }

  store = kehu_store_open (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("customers %s, contacts %s, opportunities %s, contracts %s, follow-ups %s\n",
           single_text (store, "SELECT count(*) FROM customers"),
           single_text (store, "SELECT count(*) FROM contacts"),
           single_text (store, "SELECT count(*) FROM opportunities"),
           single_text (store, "SELECT count(*) FROM contracts"),
           single_text (store, "SELECT count(*) FROM followups"));
  /* The biggest top department, the busiest person. */
  department = single_text (store, "SELECT d.id FROM departments d WHERE d.parent_id IS NULL AND d.deleted_at IS NULL"
                                   " ORDER BY (SELECT count(*) FROM users u WHERE u.department_id = d.id) DESC LIMIT 1");
  person = single_text (store, "SELECT owner_id FROM contracts WHERE owner_id IS NOT NULL"
                               " GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1");
  admin = single_text (store, "SELECT id FROM users WHERE is_super_admin = 1 LIMIT 1");
  g_clear_object (&store);

  run (argv[1], "company, this month", NULL, NULL, KEHU_PERIOD_THIS_MONTH, admin, runs);
  run (argv[1], "company, this year", NULL, NULL, KEHU_PERIOD_THIS_YEAR, admin, runs);
  run (argv[1], "department, this month", NULL, department, KEHU_PERIOD_THIS_MONTH, admin, runs);
  run (argv[1], "person, this month", person, NULL, KEHU_PERIOD_THIS_MONTH, person, runs);
  run (argv[1], "person, this year", person, NULL, KEHU_PERIOD_THIS_YEAR, person, runs);
  return 0;
}
