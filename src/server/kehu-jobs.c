/* kehu-jobs.c: scheduled work of the server (pool recycling)
 *
 * The recycle job runs on a timer (--recycle-interval, minutes; 0 turns it
 * off) and on demand (POST /api/v1/pool/recycle). It is idempotent: a run
 * takes only customers whose time has come, so two servers on one
 * database, or a run right after another, do no harm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include "kehu-jobs.h"
#include "kehu-pool.h"

int
kehu_jobs_run_recycle (KehuStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuSchema) schema = kehu_schema_new (store, &error);
  g_autoptr(KehuContext) ctx = NULL;
  int n;

  if (schema == NULL)
    {
      g_warning ("The pool recycle job failed: %s", error->message);
      return -1;
    }
  /* No acting user: the job; revs for the clients' pull. */
  ctx = kehu_context_new (schema, NULL);
  kehu_context_set_assign_revs (ctx, TRUE);
  n = kehu_pool_recycle (ctx, NULL, &error);
  if (n < 0)
    g_warning ("The pool recycle job failed: %s", error->message);
  else if (n > 0)
    g_message ("The pool recycle job returned %d customers to their pools", n);
  return n;
}

static gboolean
recycle_cb (gpointer user_data)
{
  kehu_jobs_run_recycle (KEHU_STORE (user_data));
  return G_SOURCE_CONTINUE;
}

/* Returns the source id, or 0 when the job is off. */
guint
kehu_jobs_start_recycle (KehuStore *store,
                         guint      interval_minutes)
{
  if (interval_minutes == 0)
    return 0;

  return g_timeout_add_seconds_full (G_PRIORITY_LOW, interval_minutes * 60, recycle_cb,
                                     g_object_ref (store), g_object_unref);
}
