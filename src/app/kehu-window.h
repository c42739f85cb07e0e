/* kehu-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-record-detail-view.h"
#include "kehu-sync-indicator.h"

G_BEGIN_DECLS

#define KEHU_TYPE_WINDOW (kehu_window_get_type ())

G_DECLARE_FINAL_TYPE (KehuWindow, kehu_window, KEHU, WINDOW, AdwApplicationWindow)

KehuWindow        *kehu_window_new                (KehuApplication *application);
const char        *kehu_window_get_module         (KehuWindow      *self);
void               kehu_window_set_module         (KehuWindow      *self,
                                                   const char      *module);
GtkWidget         *kehu_window_get_page           (KehuWindow      *self,
                                                   const char      *module);
KehuSyncIndicator *kehu_window_get_sync_indicator (KehuWindow      *self);
KehuRecordDetailView *kehu_window_get_detail_view (KehuWindow      *self);
gboolean           kehu_window_is_showing_record  (KehuWindow      *self);
void               kehu_window_reload_store       (KehuWindow      *self);

G_END_DECLS
