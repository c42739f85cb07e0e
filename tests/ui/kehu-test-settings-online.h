/* kehu-test-settings-online.h: waiting for a signed-in app in the Settings tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-settings-view.h"
#include "kehu-sync-client.h"

G_BEGIN_DECLS

/* Runs the main loop until @done (@data) holds, at most 30 s; fails after. */
static inline void
kehu_test_wait_until (gboolean (*done) (gpointer),
                      gpointer   data)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done (data));
}

/* The client (@data) has synced once and the server answers. */
static inline gboolean
kehu_test_client_synced (gpointer data)
{
  return kehu_sync_client_get_last_sync (data) != NULL && kehu_sync_client_can_call (data);
}

static inline gboolean
kehu_test_client_offline (gpointer data)
{
  return kehu_sync_client_get_state (data) == KEHU_SYNC_STATE_OFFLINE;
}

/* The Settings view (@data) has no change in flight. */
static inline gboolean
kehu_test_settings_settled (gpointer data)
{
  return !kehu_settings_view_is_busy (data);
}

G_END_DECLS
