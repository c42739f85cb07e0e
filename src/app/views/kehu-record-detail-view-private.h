/* kehu-record-detail-view-private.h: what the UI tests reach into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record-detail-view.h"

G_BEGIN_DECLS

GtkWidget *_kehu_record_detail_view_get_field_row    (KehuRecordDetailView *self,
                                                      const char           *field);
GtkWidget *_kehu_record_detail_view_get_field_editor (KehuRecordDetailView *self,
                                                      const char           *field);
GtkLabel  *_kehu_record_detail_view_get_field_error  (KehuRecordDetailView *self,
                                                      const char           *field);
GtkWidget *_kehu_record_detail_view_get_dialog       (KehuRecordDetailView *self);
GtkWidget *_kehu_record_detail_view_get_stage_button (KehuRecordDetailView *self,
                                                      const char           *stage_id);
GtkListBox *_kehu_record_detail_view_get_list        (KehuRecordDetailView *self,
                                                      const char           *name);

G_END_DECLS
