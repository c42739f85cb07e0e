/* kehu-sync-indicator.h: the sync status in the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  KEHU_SYNC_STATE_LOCAL_ONLY,
  KEHU_SYNC_STATE_OFFLINE,
  KEHU_SYNC_STATE_ONLINE,
  KEHU_SYNC_STATE_IDLE,
  KEHU_SYNC_STATE_SYNCING,
  KEHU_SYNC_STATE_ERROR,
} KehuSyncState;

#define KEHU_TYPE_SYNC_INDICATOR (kehu_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (KehuSyncIndicator, kehu_sync_indicator, KEHU, SYNC_INDICATOR, GtkWidget)

KehuSyncState  kehu_sync_indicator_get_state    (KehuSyncIndicator *self);
void           kehu_sync_indicator_set_state    (KehuSyncIndicator *self,
                                                 KehuSyncState      state);
guint          kehu_sync_indicator_get_pending  (KehuSyncIndicator *self);
void           kehu_sync_indicator_set_pending  (KehuSyncIndicator *self,
                                                 guint              pending);
void           kehu_sync_indicator_set_last_sync (KehuSyncIndicator *self,
                                                  GDateTime         *last_sync);
void           kehu_sync_indicator_set_error    (KehuSyncIndicator *self,
                                                 const char        *message);
const char    *kehu_sync_indicator_get_summary  (KehuSyncIndicator *self);
void           kehu_sync_indicator_set_progress (KehuSyncIndicator *self,
                                                 guint              received,
                                                 guint              total);

G_END_DECLS
