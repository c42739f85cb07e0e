/* kehu-record-list-view.h: the list of one module, made from its schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-record.h"
#include "kehu-record-model.h"

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_LIST_VIEW (kehu_record_list_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordListView, kehu_record_list_view, KEHU, RECORD_LIST_VIEW, GtkWidget)

/* @page is a sidebar id: a module ("customers", "leads"…) or "pool"
 * (customers without an owner). */
KehuRecordListView *kehu_record_list_view_new            (KehuContext        *context,
                                                          const char         *page);
const char         *kehu_record_list_view_get_page       (KehuRecordListView *self);
const char         *kehu_record_list_view_get_module     (KehuRecordListView *self);
KehuRecordModel    *kehu_record_list_view_get_model      (KehuRecordListView *self);
GtkSelectionModel  *kehu_record_list_view_get_selection  (KehuRecordListView *self);
GtkColumnView      *kehu_record_list_view_get_column_view (KehuRecordListView *self);

/* Visible columns, in order (a NULL-terminated array of field names). */
char              **kehu_record_list_view_dup_columns    (KehuRecordListView *self);
void                kehu_record_list_view_set_columns    (KehuRecordListView *self,
                                                          const char * const *fields);

void                kehu_record_list_view_add_filter     (KehuRecordListView *self,
                                                          const char         *field,
                                                          KehuFilterOp        op,
                                                          const char * const *values);
void                kehu_record_list_view_clear_filters  (KehuRecordListView *self);
guint               kehu_record_list_view_get_n_scenes   (KehuRecordListView *self);
const char         *kehu_record_list_view_get_scene_name (KehuRecordListView *self,
                                                          guint               index);
void                kehu_record_list_view_select_scene   (KehuRecordListView *self,
                                                          guint               index);
gboolean            kehu_record_list_view_save_scene     (KehuRecordListView *self,
                                                          const char         *name,
                                                          GError            **error);

/* Fixes "now" for the date presets (tests). */
void                kehu_record_list_view_set_now        (KehuRecordListView *self,
                                                          GDateTime          *now);
void                kehu_record_list_view_reload         (KehuRecordListView *self);

/* What the bottom bar says: the row count and the totals of the visible
 * amount columns. */
const char         *kehu_record_list_view_get_count_text  (KehuRecordListView *self);
const char         *kehu_record_list_view_get_totals_text (KehuRecordListView *self);
gboolean            kehu_record_list_view_get_total       (KehuRecordListView *self,
                                                           const char         *field,
                                                           gint64             *sum);

/* Writes the visible columns of the selected rows (all rows of the list
 * when @selected_only is FALSE) to an .xlsx file. */
gboolean            kehu_record_list_view_export         (KehuRecordListView *self,
                                                          const char         *path,
                                                          gboolean            selected_only,
                                                          guint              *n_rows,
                                                          GError            **error);
/* The same in a worker thread with its own connection (.csv or .xlsx by
 * the name of @path); a cancelled or failed export leaves no file. */
void                kehu_record_list_view_export_async   (KehuRecordListView *self,
                                                          const char         *path,
                                                          gboolean            selected_only,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean            kehu_record_list_view_export_finish  (KehuRecordListView *self,
                                                          GAsyncResult       *result,
                                                          guint              *n_rows,
                                                          GError            **error);

/* The ids of the selected rows. */
GPtrArray          *kehu_record_list_view_dup_selected_ids (KehuRecordListView *self);

G_END_DECLS
