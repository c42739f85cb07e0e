/* kehu-bench-gen.c: writes DESIGN.md's M dataset (or the demo) into a store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "kehu-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *size = NULL;
  gint seed = 2026;
  KehuDemoOptions options;
  KehuDemoStats stats;
  gint64 start;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "demo or m (default m)", "SIZE" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "random seed", "N" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("OUT.db — write a benchmark dataset");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error ? error->message : "usage: kehu-bench-gen OUT.db [--size demo|m]");
      return 2;
    }
  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_printerr ("%s exists; remove it first\n", argv[1]);
      return 2;
    }

  if (g_strcmp0 (size, "demo") == 0)
    kehu_demo_options_init_demo (&options);
  else
    kehu_demo_options_init_m (&options);
  options.seed = (guint32) seed;

  store = kehu_store_open (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  start = g_get_monotonic_time ();
  if (!kehu_demo_generate (store, &options, &stats, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("wrote %s in %.1f s: %u customers, %u leads, %u contacts, %u opportunities, %u contracts,"
           " %u payment plans, %u payments, %u invoices, %u follow-ups, %u users\n",
           argv[1], (g_get_monotonic_time () - start) / 1e6, stats.n_customers, stats.n_leads, stats.n_contacts,
           stats.n_opportunities, stats.n_contracts, stats.n_payment_plans, stats.n_payments, stats.n_invoices,
           stats.n_followups, stats.n_users);
  return 0;
}
