/* kehu-jobs.h: scheduled work of the server (pool recycling)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_JOBS_DEFAULT_RECYCLE_MINUTES 60

guint       kehu_jobs_start_recycle   (KehuStore  *store,
                                       guint       interval_minutes);
int         kehu_jobs_run_recycle     (KehuStore  *store);

G_END_DECLS
