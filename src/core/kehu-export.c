/* kehu-export.c: report tables to .xlsx and .csv
 *
 * Rows come from a callback one at a time, so a table of any length is
 * written with constant memory: libxlsxwriter's constant_memory mode streams
 * each row to a temporary file (strings go inline, no shared string table),
 * and CSV is streamed through a stdio buffer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-export"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <xlsxwriter.h>

#include "kehu-export.h"

G_DEFINE_QUARK (kehu-export-error-quark, kehu_export_error)

/* Excel's own limits. */
#define XLSX_MAX_ROWS 1048576
#define SHEET_NAME_MAX 31

char *
kehu_export_format_money (gint64 cents)
{
  guint64 abs_cents = cents < 0 ? (guint64) (-(cents + 1)) + 1 : (guint64) cents;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u",
                          cents < 0 ? "-" : "",
                          abs_cents / 100, (guint) (abs_cents % 100));
}

char *
kehu_export_format_percent (gint64 basis_points)
{
  guint64 abs_bp = basis_points < 0 ? (guint64) (-(basis_points + 1)) + 1 : (guint64) basis_points;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u%%",
                          basis_points < 0 ? "-" : "",
                          abs_bp / 100, (guint) (abs_bp % 100));
}

static gboolean
check_columns (const char * const         *headers,
               const KehuExportColumnType *types,
               guint                       n_columns,
               GError                    **error)
{
  if (n_columns == 0 || headers == NULL || types == NULL)
    {
      g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID,
                   _("An exported table needs at least one column"));
      return FALSE;
    }
  for (guint i = 0; i < n_columns; i++)
    if (headers[i] == NULL)
      {
        g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID,
                     _("Column %u of the exported table has no header"), i + 1);
        return FALSE;
      }
  return TRUE;
}

/* Excel refuses sheet names longer than 31 characters or containing
 * []:*?/\ — replace rather than fail, the title is only a label. */
static char *
sanitize_sheet_name (const char *title)
{
  GString *s = g_string_new (NULL);
  const char *p;
  guint n = 0;

  if (title == NULL || !g_utf8_validate (title, -1, NULL))
    title = "Sheet1";

  for (p = title; *p != '\0' && n < SHEET_NAME_MAX; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (strchr ("[]:*?/\\", (int) c) != NULL && c < 0x80)
        g_string_append_c (s, '_');
      else
        g_string_append_unichar (s, c);
    }
  /* A name may not start or end with an apostrophe either. */
  if (s->len > 0 && s->str[0] == '\'')
    s->str[0] = '_';
  if (s->len > 0 && s->str[s->len - 1] == '\'')
    s->str[s->len - 1] = '_';
  if (s->len == 0)
    g_string_append (s, "Sheet1");

  return g_string_free (s, FALSE);
}

static gboolean
parse_date (const char   *text,
            lxw_datetime *dt)
{
  guint y, m, d;

  if (text == NULL || strlen (text) < 10 ||
      sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;

  memset (dt, 0, sizeof *dt);
  dt->year = (int) y;
  dt->month = (int) m;
  dt->day = (int) d;
  return TRUE;
}

static gboolean
xlsx_failed (lxw_error    err,
             const char  *path,
             GError     **error)
{
  g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_WRITE,
               _("Could not write the spreadsheet “%s”: %s"),
               path, lxw_strerror (err));
  return FALSE;
}

/**
 * kehu_export_table_xlsx:
 * @path: the .xlsx file to write (replaced)
 * @sheet_title: the worksheet's name (made valid for Excel)
 * @headers: @n_columns column titles
 * @types: @n_columns column types
 * @row_func: called for each row until it returns %FALSE
 *
 * Writes one worksheet: a bold header row, frozen, then the rows. Money is
 * written as a number of yuan with format "#,##0.00", percentages (basis
 * points) as a fraction with "0.00%", dates as Excel dates "yyyy-mm-dd".
 */
gboolean
kehu_export_table_xlsx (const char                 *path,
                        const char                 *sheet_title,
                        const char * const         *headers,
                        const KehuExportColumnType *types,
                        guint                       n_columns,
                        KehuExportRowFunc           row_func,
                        gpointer                    user_data,
                        GError                    **error)
{
  g_autofree char *tmpdir = g_strdup (g_get_tmp_dir ());
  g_autofree char *sheet_name = NULL;
  g_autofree KehuExportCell *cells = NULL;
  g_autoptr(GError) local_error = NULL;
  lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_TRUE };
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_format *header_format, *money_format, *percent_format, *date_format;
  lxw_row_t row = 1;
  lxw_error err;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (row_func != NULL, FALSE);

  if (!check_columns (headers, types, n_columns, error))
    return FALSE;
  if (n_columns > 16384)
    {
      g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID,
                   _("A spreadsheet holds at most 16384 columns, not %u"), n_columns);
      return FALSE;
    }

  workbook = workbook_new_opt (path, &options);
  if (workbook == NULL)
    {
      g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_WRITE,
                   _("Could not create the spreadsheet “%s”"), path);
      return FALSE;
    }

  sheet_name = sanitize_sheet_name (sheet_title);
  sheet = workbook_add_worksheet (workbook, sheet_name);
  if (sheet == NULL)
    sheet = workbook_add_worksheet (workbook, NULL);

  header_format = workbook_add_format (workbook);
  format_set_bold (header_format);
  money_format = workbook_add_format (workbook);
  format_set_num_format (money_format, "#,##0.00");
  percent_format = workbook_add_format (workbook);
  format_set_num_format (percent_format, "0.00%");
  date_format = workbook_add_format (workbook);
  format_set_num_format (date_format, "yyyy-mm-dd");

  /* In constant-memory mode columns must be set up before any row. */
  for (guint c = 0; c < n_columns; c++)
    {
      double width = types[c] == KEHU_EXPORT_TEXT ? 20 : types[c] == KEHU_EXPORT_MONEY ? 16 : 12;
      worksheet_set_column (sheet, (lxw_col_t) c, (lxw_col_t) c, width, NULL);
    }
  worksheet_freeze_panes (sheet, 1, 0);

  for (guint c = 0; c < n_columns; c++)
    worksheet_write_string (sheet, 0, (lxw_col_t) c, headers[c], header_format);

  cells = g_new0 (KehuExportCell, n_columns);
  for (;;)
    {
      memset (cells, 0, sizeof (KehuExportCell) * n_columns);
      if (!row_func (cells, n_columns, user_data, &local_error))
        break;

      if (row >= XLSX_MAX_ROWS)
        {
          g_set_error (&local_error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID,
                       _("The table has more rows than a spreadsheet holds (%d)"), XLSX_MAX_ROWS - 1);
          break;
        }

      for (guint c = 0; c < n_columns; c++)
        {
          const KehuExportCell *cell = &cells[c];
          lxw_col_t col = (lxw_col_t) c;
          lxw_datetime dt;

          if (cell->is_null)
            continue;

          switch (types[c])
            {
            case KEHU_EXPORT_TEXT:
              if (cell->text != NULL && cell->text[0] != '\0')
                worksheet_write_string (sheet, row, col, cell->text, NULL);
              break;
            case KEHU_EXPORT_INT:
              worksheet_write_number (sheet, row, col, (double) cell->number, NULL);
              break;
            case KEHU_EXPORT_MONEY:
              /* A double only for display: Excel has no other number type. */
              worksheet_write_number (sheet, row, col, (double) cell->number / 100.0, money_format);
              break;
            case KEHU_EXPORT_PERCENT:
              worksheet_write_number (sheet, row, col, (double) cell->number / 10000.0, percent_format);
              break;
            case KEHU_EXPORT_DATE:
              if (parse_date (cell->text, &dt))
                worksheet_write_datetime (sheet, row, col, &dt, date_format);
              else if (cell->text != NULL && cell->text[0] != '\0')
                worksheet_write_string (sheet, row, col, cell->text, NULL);
              break;
            default:
              g_assert_not_reached ();
            }
        }
      row++;
    }

  if (local_error != NULL)
    {
      workbook_close (workbook);
      g_unlink (path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  err = workbook_close (workbook);
  if (err != LXW_NO_ERROR)
    {
      g_unlink (path);
      return xlsx_failed (err, path, error);
    }

  return TRUE;
}

static void
csv_put_field (GString    *line,
               const char *text)
{
  if (text == NULL)
    return;

  /* RFC 4180: quote a field holding a comma, a quote or a line break;
   * quotes inside are doubled. */
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (line, text);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

/**
 * kehu_export_table_csv:
 *
 * Writes UTF-8 with a byte-order mark (so that Excel reads Chinese
 * correctly), CRLF line ends and RFC 4180 quoting. Money is written as
 * "1234.56", percentages as "12.34%", dates as "YYYY-MM-DD".
 */
gboolean
kehu_export_table_csv (const char                 *path,
                       const char * const         *headers,
                       const KehuExportColumnType *types,
                       guint                       n_columns,
                       KehuExportRowFunc           row_func,
                       gpointer                    user_data,
                       GError                    **error)
{
  g_autoptr(GString) line = g_string_sized_new (256);
  g_autofree KehuExportCell *cells = NULL;
  g_autoptr(GError) local_error = NULL;
  FILE *file;
  int saved_errno = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (row_func != NULL, FALSE);

  if (!check_columns (headers, types, n_columns, error))
    return FALSE;

  file = g_fopen (path, "wb");
  if (file == NULL)
    {
      saved_errno = errno;
      g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_WRITE,
                   _("Could not create “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  g_string_append (line, "\xEF\xBB\xBF");
  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (line, ',');
      csv_put_field (line, headers[c]);
    }
  g_string_append (line, "\r\n");
  if (fwrite (line->str, 1, line->len, file) != line->len)
    saved_errno = errno;

  cells = g_new0 (KehuExportCell, n_columns);
  while (saved_errno == 0)
    {
      memset (cells, 0, sizeof (KehuExportCell) * n_columns);
      if (!row_func (cells, n_columns, user_data, &local_error))
        break;

      g_string_truncate (line, 0);
      for (guint c = 0; c < n_columns; c++)
        {
          const KehuExportCell *cell = &cells[c];
          g_autofree char *formatted = NULL;

          if (c > 0)
            g_string_append_c (line, ',');
          if (cell->is_null)
            continue;

          switch (types[c])
            {
            case KEHU_EXPORT_TEXT:
              csv_put_field (line, cell->text);
              break;
            case KEHU_EXPORT_DATE:
              if (cell->text != NULL && strlen (cell->text) >= 10 && cell->text[4] == '-')
                g_string_append_len (line, cell->text, 10);
              else
                csv_put_field (line, cell->text);
              break;
            case KEHU_EXPORT_INT:
              g_string_append_printf (line, "%" G_GINT64_FORMAT, cell->number);
              break;
            case KEHU_EXPORT_MONEY:
              formatted = kehu_export_format_money (cell->number);
              g_string_append (line, formatted);
              break;
            case KEHU_EXPORT_PERCENT:
              formatted = kehu_export_format_percent (cell->number);
              g_string_append (line, formatted);
              break;
            default:
              g_assert_not_reached ();
            }
        }
      g_string_append (line, "\r\n");
      if (fwrite (line->str, 1, line->len, file) != line->len)
        saved_errno = errno ? errno : EIO;
    }

  if (fclose (file) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (local_error != NULL || saved_errno != 0)
    {
      g_unlink (path);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_WRITE,
                     _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
