/* kehu-record-item.h: one row of a record list, made when it is shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_ITEM (kehu_record_item_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordItem, kehu_record_item, KEHU, RECORD_ITEM, GObject)

KehuRecordItem *kehu_record_item_new        (const char  *module,
                                             JsonObject  *row);
const char     *kehu_record_item_get_module (KehuRecordItem *self);
const char     *kehu_record_item_get_id     (KehuRecordItem *self);
const char     *kehu_record_item_get_value  (KehuRecordItem *self,
                                             const char     *field);
/* The title of the record a user or reference field points at. */
const char     *kehu_record_item_get_label  (KehuRecordItem *self,
                                             const char     *field);
const char     *kehu_record_item_get_sync_state (KehuRecordItem *self);

G_END_DECLS
