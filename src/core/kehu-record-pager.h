/* kehu-record-pager.h: random access by position over a query, a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-query.h"

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_PAGER (kehu_record_pager_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordPager, kehu_record_pager, KEHU, RECORD_PAGER, GObject)

KehuRecordPager *kehu_record_pager_new               (KehuQuery       *query,
                                                      guint            page_size);
KehuQuery       *kehu_record_pager_get_query         (KehuRecordPager *self);
guint            kehu_record_pager_get_page_size     (KehuRecordPager *self);
guint            kehu_record_pager_get_n_items       (KehuRecordPager *self);
JsonObject      *kehu_record_pager_get_item          (KehuRecordPager *self,
                                                      guint            position);
void             kehu_record_pager_reset             (KehuRecordPager *self);
void             kehu_record_pager_set_count         (KehuRecordPager *self,
                                                      gint64           count);
gint64           kehu_record_pager_get_count         (KehuRecordPager *self);
void             kehu_record_pager_set_max_pages     (KehuRecordPager *self,
                                                      guint            max_pages);
guint            kehu_record_pager_get_n_cached_pages (KehuRecordPager *self);
guint            kehu_record_pager_get_n_queries     (KehuRecordPager *self);

G_END_DECLS
