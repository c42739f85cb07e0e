/* kehu-reports-view.h: the reports page (数据报表)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kehu-chart.h"
#include "kehu-pages.h"
#include "kehu-report.h"
#include "kehu-store.h"

G_BEGIN_DECLS

typedef enum
{
  KEHU_REPORT_KIND_SUMMARY_PERSON,
  KEHU_REPORT_KIND_SUMMARY_DEPARTMENT,
  KEHU_REPORT_KIND_SUMMARY_MONTH,
  KEHU_REPORT_KIND_CONTRACT_DETAILS,
  KEHU_REPORT_KIND_PAYMENT_DETAILS,
  KEHU_REPORT_KIND_CUSTOMER_ANALYSIS,
  KEHU_REPORT_KIND_FOLLOWUPS,
  KEHU_REPORT_KIND_FORECAST,
  KEHU_REPORT_KIND_COMPARE,
  KEHU_REPORT_KIND_TOP_CONTRACT,
  KEHU_REPORT_KIND_TOP_PAYMENT,
  KEHU_REPORT_KIND_TARGETS,
  KEHU_REPORT_N_KINDS,
} KehuReportKind;

#define KEHU_TYPE_REPORTS_VIEW (kehu_reports_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuReportsView, kehu_reports_view, KEHU, REPORTS_VIEW, GtkWidget)

GtkWidget      *kehu_reports_view_new            (KehuStore             *store);
GtkWidget      *kehu_reports_view_create         (const KehuPageInfo    *info);

void            kehu_reports_view_set_now        (KehuReportsView       *self,
                                                  GDateTime             *now);
void            kehu_reports_view_set_period     (KehuReportsView       *self,
                                                  KehuPeriodPreset       preset);
void            kehu_reports_view_select         (KehuReportsView       *self,
                                                  KehuReportKind         kind);
KehuReportKind  kehu_reports_view_get_selected   (KehuReportsView       *self);
void            kehu_reports_view_set_dimension  (KehuReportsView       *self,
                                                  KehuCustomerDimension  dimension);
void            kehu_reports_view_set_compare    (KehuReportsView       *self,
                                                  KehuReportMetric       metric,
                                                  KehuCompareKind        kind);
void            kehu_reports_view_refresh        (KehuReportsView       *self);
gboolean        kehu_reports_view_is_busy        (KehuReportsView       *self);
const char     *kehu_reports_view_get_title      (KehuReportKind         kind);

/* The table shown: KehuReportRow items, the totals row last. */
GListModel     *kehu_reports_view_get_rows       (KehuReportsView       *self);
guint           kehu_reports_view_get_n_columns  (KehuReportsView       *self);
const char     *kehu_reports_view_get_column_title (KehuReportsView     *self,
                                                  guint                  column);
char           *kehu_reports_view_dup_cell_text  (KehuReportsView       *self,
                                                  guint                  row,
                                                  guint                  column);
KehuChart      *kehu_reports_view_get_chart      (KehuReportsView       *self);
GtkWidget      *kehu_reports_view_get_targets_editor (KehuReportsView   *self);

/* The table to .xlsx on a worker thread; progress shows in the page. */
void            kehu_reports_view_export_async   (KehuReportsView       *self,
                                                  const char            *path,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean        kehu_reports_view_export_finish  (KehuReportsView       *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

G_END_DECLS
