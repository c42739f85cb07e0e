/* kehu-export.h: report tables to .xlsx and .csv
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KEHU_EXPORT_ERROR (kehu_export_error_quark ())

typedef enum
{
  KEHU_EXPORT_ERROR_WRITE,
  KEHU_EXPORT_ERROR_INVALID,
} KehuExportError;

typedef enum
{
  KEHU_EXPORT_TEXT,     /* cell.text */
  KEHU_EXPORT_INT,      /* cell.number */
  KEHU_EXPORT_MONEY,    /* cell.number in cents, written as yuan "#,##0.00" */
  KEHU_EXPORT_PERCENT,  /* cell.number in basis points, written as "0.00%" */
  KEHU_EXPORT_DATE,     /* cell.text "YYYY-MM-DD" (longer text: its first 10 characters) */
} KehuExportColumnType;

typedef struct
{
  const char *text;     /* TEXT, DATE; NULL = empty cell */
  gint64      number;   /* INT, MONEY, PERCENT */
  gboolean    is_null;  /* an empty cell whatever the type */
} KehuExportCell;

/* Fills @cells (one per column, zeroed before each call) with the next row.
 * Returns FALSE when there is no more row, or on failure with @error set.
 * Texts must stay valid until the next call. */
typedef gboolean (*KehuExportRowFunc) (KehuExportCell  *cells,
                                       guint            n_columns,
                                       gpointer         user_data,
                                       GError         **error);

GQuark    kehu_export_error_quark  (void);

gboolean  kehu_export_table_xlsx   (const char                 *path,
                                    const char                 *sheet_title,
                                    const char * const         *headers,
                                    const KehuExportColumnType *types,
                                    guint                       n_columns,
                                    KehuExportRowFunc           row_func,
                                    gpointer                    user_data,
                                    GError                    **error);
gboolean  kehu_export_table_csv    (const char                 *path,
                                    const char * const         *headers,
                                    const KehuExportColumnType *types,
                                    guint                       n_columns,
                                    KehuExportRowFunc           row_func,
                                    gpointer                    user_data,
                                    GError                    **error);

/* Formatting shared with CSV and tests: "-1234.05", "12.34%". */
char     *kehu_export_format_money (gint64                      cents);
char     *kehu_export_format_percent (gint64                    basis_points);

G_END_DECLS
