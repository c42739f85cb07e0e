/* kehu-record-detail-view.h: one record, with its timeline, info, related records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-core.h"

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_DETAIL_VIEW (kehu_record_detail_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordDetailView, kehu_record_detail_view, KEHU, RECORD_DETAIL_VIEW, GtkWidget)

KehuRecordDetailView *kehu_record_detail_view_new           (KehuStore            *store);
gboolean              kehu_record_detail_view_load          (KehuRecordDetailView *self,
                                                             const char           *module,
                                                             const char           *record_id,
                                                             GError              **error);
void                  kehu_record_detail_view_reload        (KehuRecordDetailView *self);
const char           *kehu_record_detail_view_get_module    (KehuRecordDetailView *self);
const char           *kehu_record_detail_view_get_record_id (KehuRecordDetailView *self);
const char           *kehu_record_detail_view_get_title     (KehuRecordDetailView *self);
const char           *kehu_record_detail_view_get_sync_note (KehuRecordDetailView *self);
void                  kehu_record_detail_view_set_user_id   (KehuRecordDetailView *self,
                                                             const char           *user_id);
void                  kehu_record_detail_view_show_tab      (KehuRecordDetailView *self,
                                                             const char           *name);

G_END_DECLS
