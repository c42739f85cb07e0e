/* kehu-report-row.c: one row of a report table
 *
 * The cells keep their values as the export writes them (text, or an
 * integer: a count, cents, basis points) and are formatted for the table
 * only when shown, so the table and the .xlsx cannot disagree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include "kehu-report-row.h"
#include "kehu-view-util.h"

struct _KehuReportRow
{
  GObject         parent_instance;

  guint           n_cells;
  gboolean        is_total;
  KehuExportCell *cells;    /* texts owned */
  JsonNode      **drills;
  char           *record_module;
  char           *record_id;
};

G_DEFINE_FINAL_TYPE (KehuReportRow, kehu_report_row, G_TYPE_OBJECT)

static void
kehu_report_row_finalize (GObject *object)
{
  KehuReportRow *self = KEHU_REPORT_ROW (object);

  for (guint i = 0; i < self->n_cells; i++)
    {
      g_free ((char *) self->cells[i].text);
      g_clear_pointer (&self->drills[i], json_node_unref);
    }
  g_free (self->cells);
  g_free (self->drills);
  g_free (self->record_module);
  g_free (self->record_id);
  G_OBJECT_CLASS (kehu_report_row_parent_class)->finalize (object);
}

static void
kehu_report_row_class_init (KehuReportRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_report_row_finalize;
}

static void
kehu_report_row_init (KehuReportRow *self)
{
}

KehuReportRow *
kehu_report_row_new (guint    n_cells,
                     gboolean is_total)
{
  KehuReportRow *self = g_object_new (KEHU_TYPE_REPORT_ROW, NULL);

  self->n_cells = n_cells;
  self->is_total = is_total;
  self->cells = g_new0 (KehuExportCell, n_cells);
  self->drills = g_new0 (JsonNode *, n_cells);
  for (guint i = 0; i < n_cells; i++)
    self->cells[i].is_null = TRUE;
  return self;
}

void
kehu_report_row_set_text (KehuReportRow *self,
                          guint          column,
                          const char    *text)
{
  g_return_if_fail (KEHU_IS_REPORT_ROW (self));
  g_return_if_fail (column < self->n_cells);

  g_free ((char *) self->cells[column].text);
  self->cells[column].text = g_strdup (text);
  self->cells[column].is_null = text == NULL;
}

void
kehu_report_row_set_number (KehuReportRow *self,
                            guint          column,
                            gint64         number)
{
  g_return_if_fail (KEHU_IS_REPORT_ROW (self));
  g_return_if_fail (column < self->n_cells);

  self->cells[column].number = number;
  self->cells[column].is_null = FALSE;
}

void
kehu_report_row_set_drill (KehuReportRow *self,
                           guint          column,
                           JsonNode      *drill)
{
  g_return_if_fail (KEHU_IS_REPORT_ROW (self));
  g_return_if_fail (column < self->n_cells);

  g_clear_pointer (&self->drills[column], json_node_unref);
  self->drills[column] = drill ? json_node_ref (drill) : NULL;
}

void
kehu_report_row_set_record (KehuReportRow *self,
                            const char    *module,
                            const char    *id)
{
  g_return_if_fail (KEHU_IS_REPORT_ROW (self));

  g_free (self->record_module);
  g_free (self->record_id);
  self->record_module = g_strdup (module);
  self->record_id = g_strdup (id);
}

const char *
kehu_report_row_get_record_module (KehuReportRow *self)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), NULL);
  return self->record_module;
}

const char *
kehu_report_row_get_record_id (KehuReportRow *self)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), NULL);
  return self->record_id;
}

guint
kehu_report_row_get_n_cells (KehuReportRow *self)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), 0);
  return self->n_cells;
}

gboolean
kehu_report_row_is_total (KehuReportRow *self)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), FALSE);
  return self->is_total;
}

const KehuExportCell *
kehu_report_row_get_cell (KehuReportRow *self,
                          guint          column)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), NULL);
  g_return_val_if_fail (column < self->n_cells, NULL);
  return &self->cells[column];
}

JsonNode *
kehu_report_row_get_drill (KehuReportRow *self,
                           guint          column)
{
  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), NULL);
  g_return_val_if_fail (column < self->n_cells, NULL);
  return self->drills[column];
}

char *
kehu_report_row_format (KehuReportRow        *self,
                        guint                 column,
                        KehuExportColumnType  type)
{
  const KehuExportCell *cell;

  g_return_val_if_fail (KEHU_IS_REPORT_ROW (self), NULL);
  g_return_val_if_fail (column < self->n_cells, NULL);

  cell = &self->cells[column];
  if (cell->is_null)
    return g_strdup ("");
  switch (type)
    {
    case KEHU_EXPORT_MONEY:
      return kehu_view_format_money_exact (cell->number);
    case KEHU_EXPORT_INT:
      return kehu_view_format_count (cell->number);
    case KEHU_EXPORT_PERCENT:
      {
        gint64 mag = cell->number < 0 ? -cell->number : cell->number;
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT "%%",
                                cell->number < 0 ? "-" : "", mag / 100, mag % 100);
      }
    case KEHU_EXPORT_DATE:
      return g_strndup (cell->text ? cell->text : "", 10);
    case KEHU_EXPORT_TEXT:
    default:
      return g_strdup (cell->text ? cell->text : "");
    }
}
