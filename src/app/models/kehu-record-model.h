/* kehu-record-model.h: a lazy GListModel over one module's records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-list-query.h"
#include "kehu-record-item.h"
#include "kehu-schema.h"

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_MODEL (kehu_record_model_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordModel, kehu_record_model, KEHU, RECORD_MODEL, GObject)

KehuRecordModel     *kehu_record_model_new          (KehuSchema          *schema,
                                                     const char          *module);
const KehuModule    *kehu_record_model_get_module   (KehuRecordModel     *self);
KehuSchema          *kehu_record_model_get_schema   (KehuRecordModel     *self);

/* Conditions always applied (the pool: no owner), before the user's. */
void                 kehu_record_model_set_base     (KehuRecordModel     *self,
                                                     const KehuListQuery *base);
gboolean             kehu_record_model_set_query    (KehuRecordModel     *self,
                                                     const KehuListQuery *query,
                                                     GError             **error);
const KehuListQuery *kehu_record_model_get_query    (KehuRecordModel     *self);

void                 kehu_record_model_set_user     (KehuRecordModel     *self,
                                                     const char          *user_id);
/* The data scope: only records owned by one of @owner_ids_json (a JSON
 * array, kehu_perm_get_owner_ids_json()) or with @user_id on their team.
 * NULL: every record. */
void                 kehu_record_model_set_scope    (KehuRecordModel     *self,
                                                     const char          *owner_ids_json,
                                                     const char          *user_id);
/* Tests fix "now"; NULL follows the clock. */
void                 kehu_record_model_set_now      (KehuRecordModel     *self,
                                                     GDateTime           *now);

/* Reads the count again and drops every loaded page: one items-changed. */
gboolean             kehu_record_model_reload       (KehuRecordModel     *self,
                                                     GError             **error);

/* The amount fields whose totals the model keeps over the whole query,
 * computed with the count (off the main thread on big tables). */
void                 kehu_record_model_set_total_fields (KehuRecordModel    *self,
                                                         const char * const *fields);
/* FALSE while the count and totals of a big table are still being read:
 * n_items is then the loaded rows only. "notify::counting" says when done. */
gboolean             kehu_record_model_get_counting (KehuRecordModel     *self);
/* The total of @field from the last count, FALSE if not known (yet). */
gboolean             kehu_record_model_get_total    (KehuRecordModel     *self,
                                                     const char          *field,
                                                     gint64              *sum);

/* Over the whole filtered query, not only the loaded rows (synchronous). */
gboolean             kehu_record_model_sum          (KehuRecordModel     *self,
                                                     const char          *field,
                                                     gint64              *sum,
                                                     GError             **error);
/* Every id of the filtered query, in order (for "export all"). */
GPtrArray           *kehu_record_model_dup_all_ids  (KehuRecordModel     *self,
                                                     GError             **error);

/* Every row of the filtered query in order, one at a time, none kept
 * (export): a live SQLite statement; free it before changing the store. */
typedef struct _KehuRecordModelIter KehuRecordModelIter;

KehuRecordModelIter *kehu_record_model_iter_new     (KehuRecordModel      *self,
                                                     GError              **error);
/* Returns: (transfer full) (nullable): the next row, NULL at the end or on
 *   failure (with @error set) */
KehuRecordItem      *kehu_record_model_iter_next    (KehuRecordModelIter  *iter,
                                                     GError              **error);
void                 kehu_record_model_iter_free    (KehuRecordModelIter  *iter);
/* The same rows through another connection (a worker thread's own). */
KehuRecordModelIter *kehu_record_model_iter_new_on  (KehuRecordModel      *self,
                                                     KehuStore            *store,
                                                     GError              **error);
gint64               kehu_record_model_iter_count   (KehuRecordModelIter  *iter,
                                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuRecordModelIter, kehu_record_model_iter_free)

/* Tables of more rows than this (5 000 by default) are counted in a
 * thread; tests lower it to exercise that path. */
void                 kehu_record_model_set_sync_count_max (KehuRecordModel *self,
                                                           gint64           max_rows);

/* For the benchmark and tests: pages read from SQLite so far. */
guint                kehu_record_model_get_n_loaded_pages (KehuRecordModel *self);

#define KEHU_RECORD_MODEL_PAGE_SIZE 64

G_END_DECLS
