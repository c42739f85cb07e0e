/* kehu-report-row.h: one row of a report table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-export.h"

G_BEGIN_DECLS

#define KEHU_TYPE_REPORT_ROW (kehu_report_row_get_type ())

G_DECLARE_FINAL_TYPE (KehuReportRow, kehu_report_row, KEHU, REPORT_ROW, GObject)

/* Immutable once filled, so export threads may read it. */
KehuReportRow        *kehu_report_row_new        (guint                 n_cells,
                                                  gboolean              is_total);
void                  kehu_report_row_set_text   (KehuReportRow        *self,
                                                  guint                 column,
                                                  const char           *text);
void                  kehu_report_row_set_number (KehuReportRow        *self,
                                                  guint                 column,
                                                  gint64                number);
void                  kehu_report_row_set_drill  (KehuReportRow        *self,
                                                  guint                 column,
                                                  JsonNode             *drill);
/* The record a detail row stands for, opened on activation. */
void                  kehu_report_row_set_record (KehuReportRow        *self,
                                                  const char           *module,
                                                  const char           *id);
const char           *kehu_report_row_get_record_module (KehuReportRow *self);
const char           *kehu_report_row_get_record_id (KehuReportRow     *self);
guint                 kehu_report_row_get_n_cells (KehuReportRow       *self);
gboolean              kehu_report_row_is_total   (KehuReportRow        *self);
const KehuExportCell *kehu_report_row_get_cell   (KehuReportRow        *self,
                                                  guint                 column);
JsonNode             *kehu_report_row_get_drill  (KehuReportRow        *self,
                                                  guint                 column);
/* The cell as the table shows it: money "¥1,234.50", percent "12.34%". */
char                 *kehu_report_row_format     (KehuReportRow        *self,
                                                  guint                 column,
                                                  KehuExportColumnType  type);

G_END_DECLS
