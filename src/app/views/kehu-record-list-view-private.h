/* kehu-record-list-view-private.h: parts of the list view tests drive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record-list-view.h"

G_BEGIN_DECLS

GtkWidget   *_kehu_record_list_view_get_columns_popover (KehuRecordListView *self);
GtkEditable *_kehu_record_list_view_get_search_entry    (KehuRecordListView *self);
GtkDropDown *_kehu_record_list_view_get_scene_dropdown  (KehuRecordListView *self);
/* Sets up the filter popover for @field and its first condition; then the
 * value widgets can be filled and _kehu_record_list_view_add_filter_from_popover
 * called, as the "Add Filter" button does. */
gboolean     _kehu_record_list_view_choose_filter_field (KehuRecordListView *self,
                                                         const char         *field);
GtkWidget   *_kehu_record_list_view_get_filter_choices  (KehuRecordListView *self);
void         _kehu_record_list_view_add_filter_from_popover (KehuRecordListView *self);
AdwToast    *_kehu_record_list_view_get_last_toast      (KehuRecordListView *self);

G_END_DECLS
