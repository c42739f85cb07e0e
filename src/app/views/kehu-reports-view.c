/* kehu-reports-view.c: the reports page (数据报表, SPEC §12)
 *
 * A list of reports on the left; on the right the chosen report's options
 * (period, and per report a dimension, a metric or a comparison), its
 * chart where one fits and its table: money in exact yuan right-aligned,
 * a totals row last. Activating a row opens its record (detail reports) or
 * the records behind its figures ("win.show-records").
 *
 * Reports are computed by kehu-report on a GTask thread with a store
 * connection of its own; the rows (KehuReportRow, immutable) and the chart
 * data are built there too, and handed to the main thread whole. Export to
 * .xlsx writes those same rows on another thread, with progress and cancel.
 * The sales targets are edited in KehuTargetsEditor, shown in place of the
 * table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "kehu-application.h"
#include "kehu-bar-chart.h"
#include "kehu-donut-chart.h"
#include "kehu-report-row.h"
#include "kehu-reports-view.h"
#include "kehu-targets-editor.h"
#include "kehu-trend-chart.h"
#include "kehu-view-util.h"

typedef enum
{
  CHART_NONE,
  CHART_COLUMNS,
  CHART_BARS,      /* horizontal */
  CHART_TREND,
  CHART_DONUT,
} ChartKind;

typedef enum
{
  OPTION_NONE,
  OPTION_DIMENSION,
  OPTION_COMPARE,
} OptionKind;

typedef struct
{
  const char *id;
  const char *title;    /* translatable */
  ChartKind   chart;
  OptionKind  option;
} ReportDef;

static const ReportDef report_defs[KEHU_REPORT_N_KINDS] = {
  [KEHU_REPORT_KIND_SUMMARY_PERSON] = { "summary-person", N_("Sales by Person"), CHART_COLUMNS, OPTION_NONE },
  [KEHU_REPORT_KIND_SUMMARY_DEPARTMENT] = { "summary-department", N_("Sales by Department"), CHART_COLUMNS, OPTION_NONE },
  [KEHU_REPORT_KIND_SUMMARY_MONTH] = { "summary-month", N_("Sales by Month"), CHART_TREND, OPTION_NONE },
  [KEHU_REPORT_KIND_CONTRACT_DETAILS] = { "contract-details", N_("Contract Details"), CHART_NONE, OPTION_NONE },
  [KEHU_REPORT_KIND_PAYMENT_DETAILS] = { "payment-details", N_("Payment Details"), CHART_NONE, OPTION_NONE },
  [KEHU_REPORT_KIND_CUSTOMER_ANALYSIS] = { "customer-analysis", N_("Customer Analysis"), CHART_DONUT, OPTION_DIMENSION },
  [KEHU_REPORT_KIND_FOLLOWUPS] = { "followups", N_("Follow-up Statistics"), CHART_DONUT, OPTION_NONE },
  [KEHU_REPORT_KIND_FORECAST] = { "forecast", N_("Sales Forecast"), CHART_COLUMNS, OPTION_NONE },
  [KEHU_REPORT_KIND_COMPARE] = { "compare", N_("Year over Year and Period over Period"), CHART_COLUMNS, OPTION_COMPARE },
  [KEHU_REPORT_KIND_TOP_CONTRACT] = { "top-contract", N_("Top 10 Customers by Contract Amount"), CHART_BARS, OPTION_NONE },
  [KEHU_REPORT_KIND_TOP_PAYMENT] = { "top-payment", N_("Top 10 Customers by Payment Amount"), CHART_BARS, OPTION_NONE },
  [KEHU_REPORT_KIND_TARGETS] = { "targets", N_("Sales Targets"), CHART_NONE, OPTION_NONE },
};

static const KehuPeriodPreset period_presets[] = {
  KEHU_PERIOD_THIS_MONTH, KEHU_PERIOD_THIS_QUARTER, KEHU_PERIOD_THIS_YEAR,
  KEHU_PERIOD_LAST_MONTH, KEHU_PERIOD_LAST_QUARTER, KEHU_PERIOD_LAST_YEAR,
  KEHU_PERIOD_TODAY, KEHU_PERIOD_THIS_WEEK,
};

static const KehuReportMetric compare_metrics[] = {
  KEHU_REPORT_METRIC_CONTRACT_AMOUNT, KEHU_REPORT_METRIC_PAYMENT_AMOUNT,
  KEHU_REPORT_METRIC_CONTRACT_COUNT, KEHU_REPORT_METRIC_NEW_CUSTOMERS,
  KEHU_REPORT_METRIC_NEW_CONTACTS, KEHU_REPORT_METRIC_NEW_OPPORTUNITIES,
  KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT, KEHU_REPORT_METRIC_FOLLOWUPS,
};

/* What a computation produced, handed to the main thread whole. */
typedef struct
{
  KehuReportKind  kind;
  GPtrArray      *titles;     /* char * */
  GArray         *types;      /* KehuExportColumnType */
  GPtrArray      *rows;       /* KehuReportRow */
  KehuChartData  *chart;
  char           *note;
} Table;

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->titles);
  g_array_unref (table->types);
  g_ptr_array_unref (table->rows);
  g_clear_pointer (&table->chart, kehu_chart_data_unref);
  g_free (table->note);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

struct _KehuReportsView
{
  GtkWidget              parent_instance;

  KehuStore             *store;
  GDateTime             *now;
  KehuReportKind         kind;
  KehuPeriodPreset       preset;
  KehuCustomerDimension  dimension;
  KehuReportMetric       compare_metric;
  KehuCompareKind        compare_kind;
  gboolean               computed;

  GCancellable          *cancellable;
  gboolean               busy;
  gboolean               dirty;
  Table                 *table;
  GListStore            *rows;

  GCancellable          *export_cancellable;
  gint                   export_done;     /* rows written, atomic */
  guint                  export_total;
  guint                  export_poll_id;

  GtkWidget             *paned;
  GtkListBox            *report_list;
  AdwWindowTitle        *title;
  GtkDropDown           *period_dropdown;
  GtkDropDown           *dimension_dropdown;
  GtkDropDown           *metric_dropdown;
  GtkDropDown           *compare_dropdown;
  GtkSpinner            *spinner;
  GtkWidget             *export_button;
  GtkWidget             *chart_button;
  GtkStack              *stack;
  GtkWidget             *chart_frame;
  GtkWidget             *chart;
  GtkColumnView         *column_view;
  GtkLabel              *note;
  GtkWidget             *progress_bar_box;
  GtkProgressBar        *progress_bar;
  GtkWidget             *targets_editor;
};

G_DEFINE_FINAL_TYPE (KehuReportsView, kehu_reports_view, GTK_TYPE_WIDGET)

enum {
  UPDATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void start_compute         (KehuReportsView *self);
static void on_chart_activated_cb (KehuReportsView *self,
                                   guint            series,
                                   guint            index);

/* Building tables (worker thread) */

static Table *
table_new (KehuReportKind kind)
{
  Table *table = g_new0 (Table, 1);

  table->kind = kind;
  table->titles = g_ptr_array_new_with_free_func (g_free);
  table->types = g_array_new (FALSE, FALSE, sizeof (KehuExportColumnType));
  table->rows = g_ptr_array_new_with_free_func (g_object_unref);
  return table;
}

static void
table_column (Table                *table,
              const char           *title,
              KehuExportColumnType  type)
{
  g_ptr_array_add (table->titles, g_strdup (title));
  g_array_append_val (table->types, type);
}

static KehuReportRow *
table_row (Table    *table,
           gboolean  is_total)
{
  KehuReportRow *row = kehu_report_row_new (table->titles->len, is_total);

  g_ptr_array_add (table->rows, row);
  return row;
}

/* A figure (or plain integer) of @object into a cell, with its drill. */
static void
cell_figure (KehuReportRow *row,
             guint          column,
             JsonObject    *object,
             const char    *path)
{
  JsonNode *node = kehu_view_lookup (object, path);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  kehu_report_row_set_number (row, column, kehu_view_figure_value (object, path));
  kehu_report_row_set_drill (row, column, kehu_view_figure_drill (object, path));
}

/* A totals row summing the numeric columns from @first on. */
static void
table_sum_row (Table *table,
               guint  first)
{
  guint n_rows = table->rows->len;
  KehuReportRow *total = table_row (table, TRUE);

  kehu_report_row_set_text (total, 0, _("Total"));
  for (guint c = first; c < table->titles->len; c++)
    {
      KehuExportColumnType type = g_array_index (table->types, KehuExportColumnType, c);
      gint64 sum = 0;

      if (type != KEHU_EXPORT_INT && type != KEHU_EXPORT_MONEY)
        continue;
      for (guint r = 0; r < n_rows; r++)
        {
          const KehuExportCell *cell = kehu_report_row_get_cell (g_ptr_array_index (table->rows, r), c);
          if (!cell->is_null)
            sum += cell->number;
        }
      kehu_report_row_set_number (total, c, sum);
    }
}

static JsonArray *
rows_of (JsonNode   *report,
         const char *member)
{
  JsonObject *o = json_node_get_object (report);
  return json_object_has_member (o, member) ? json_object_get_array_member (o, member) : NULL;
}

static const char *summary_members[] = {
  "contract_count", "contract_amount", "payment_amount", "new_customers", "followups",
};

static void
summary_columns (Table      *table,
                 const char *first)
{
  table_column (table, first, KEHU_EXPORT_TEXT);
  table_column (table, _("Contracts"), KEHU_EXPORT_INT);
  table_column (table, _("Contract Amount"), KEHU_EXPORT_MONEY);
  table_column (table, _("Payment Amount"), KEHU_EXPORT_MONEY);
  table_column (table, _("New Customers"), KEHU_EXPORT_INT);
  table_column (table, _("Follow-ups"), KEHU_EXPORT_INT);
}

/* Contract and payment amounts per row as a column or trend chart. */
static KehuChartData *
amounts_chart (Table             *table,
               guint              contract_column,
               guint              payment_column,
               guint              max_categories)
{
  guint n = 0;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) contracts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) payments = g_array_new (FALSE, FALSE, sizeof (gint64));
  KehuChartData *data;

  for (guint r = 0; r < table->rows->len && n < max_categories; r++, n++)
    {
      KehuReportRow *row = g_ptr_array_index (table->rows, r);

      if (kehu_report_row_is_total (row))
        break;
      const char *name = kehu_report_row_get_cell (row, 0)->text;

      /* Without the indentation of sub-departments. */
      while (name != NULL && *name == ' ')
        name++;
      g_ptr_array_add (names, (gpointer) (name ? name : ""));
      g_array_append_val (contracts, kehu_report_row_get_cell (row, contract_column)->number);
      g_array_append_val (payments, kehu_report_row_get_cell (row, payment_column)->number);
    }
  data = kehu_chart_data_new ((const char * const *) names->pdata, names->len);
  kehu_chart_data_add_series (data, _("Contract Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS,
                              (gint64 *) contracts->data);
  kehu_chart_data_add_series (data, _("Payment Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS,
                              (gint64 *) payments->data);
  return data;
}

static Table *
build_summary_person (KehuStore              *store,
                      const KehuReportFilter *filter,
                      GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_summary_by_person (store, filter, error);
  g_autoptr(Table) table = NULL;
  JsonArray *rows;
  KehuReportRow *total;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_SUMMARY_PERSON);
  summary_columns (table, _("Owner"));
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      const char *name = json_object_get_string_member_with_default (o, "name", NULL);

      kehu_report_row_set_text (row, 0, name && *name ? name : _("No owner"));
      for (guint c = 0; c < G_N_ELEMENTS (summary_members); c++)
        cell_figure (row, c + 1, o, summary_members[c]);
    }
  table->chart = amounts_chart (table, 2, 3, 15);
  total = table_row (table, TRUE);
  kehu_report_row_set_text (total, 0, _("Total"));
  for (guint c = 0; c < G_N_ELEMENTS (summary_members); c++)
    {
      g_autofree char *path = g_strconcat ("total.", summary_members[c], NULL);
      cell_figure (total, c + 1, json_node_get_object (report), path);
    }
  return g_steal_pointer (&table);
}

static guint
department_depth (JsonArray  *rows,
                  const char *parent_id)
{
  guint depth = 0;

  while (parent_id != NULL && depth < 16)
    {
      const char *next = NULL;

      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *o = json_array_get_object_element (rows, i);
          if (g_strcmp0 (json_object_get_string_member_with_default (o, "department_id", NULL), parent_id) == 0)
            {
              next = json_object_get_string_member_with_default (o, "parent_id", NULL);
              depth++;
              break;
            }
        }
      if (next == NULL)
        break;
      parent_id = next;
    }
  return depth;
}

static Table *
build_summary_department (KehuStore              *store,
                          const KehuReportFilter *filter,
                          GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_summary_by_department (store, filter, error);
  g_autoptr(Table) table = NULL;
  JsonArray *rows;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_SUMMARY_DEPARTMENT);
  summary_columns (table, _("Department"));
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      const char *parent = json_object_get_string_member_with_default (o, "parent_id", NULL);
      guint depth = parent ? department_depth (rows, parent) + 1 : 0;
      g_autofree char *indent = g_strnfill (depth * 3, ' ');
      const char *name = json_object_get_string_member_with_default (o, "name", NULL);
      g_autofree char *label = g_strconcat (indent, name && *name ? name : _("No department"), NULL);

      kehu_report_row_set_text (row, 0, label);
      for (guint c = 0; c < G_N_ELEMENTS (summary_members); c++)
        {
          g_autofree char *path = g_strconcat ("total.", summary_members[c], NULL);
          cell_figure (row, c + 1, o, path);
        }
    }
  /* Departments include their sub-departments: no totals row, the top
   * departments are the totals. */
  table->chart = amounts_chart (table, 2, 3, 15);
  table->note = g_strdup (_("Each department’s figures include its sub-departments."));
  return g_steal_pointer (&table);
}

static Table *
build_summary_month (KehuStore              *store,
                     const KehuReportFilter *filter,
                     GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_summary_by_month (store, filter, error);
  g_autoptr(Table) table = NULL;
  JsonArray *rows;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_SUMMARY_MONTH);
  summary_columns (table, _("Month"));
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);

      kehu_report_row_set_text (row, 0, json_object_get_string_member (o, "month"));
      for (guint c = 0; c < G_N_ELEMENTS (summary_members); c++)
        cell_figure (row, c + 1, o, summary_members[c]);
    }
  table->chart = amounts_chart (table, 2, 3, 24);
  table_sum_row (table, 1);
  return g_steal_pointer (&table);
}

static gboolean
contract_row_cb (const KehuReportDetailRow *d,
                 gpointer                   user_data)
{
  Table *table = user_data;
  KehuReportRow *row = table_row (table, FALSE);

  kehu_report_row_set_text (row, 0, d->number);
  kehu_report_row_set_text (row, 1, d->name);
  kehu_report_row_set_text (row, 2, d->customer_name);
  kehu_report_row_set_text (row, 3, d->owner_name);
  kehu_report_row_set_text (row, 4, d->date);
  kehu_report_row_set_text (row, 5, d->start_date);
  kehu_report_row_set_text (row, 6, d->end_date);
  kehu_report_row_set_number (row, 7, d->amount);
  kehu_report_row_set_number (row, 8, d->received_total);
  kehu_report_row_set_record (row, "contracts", d->id);
  return TRUE;
}

static gboolean
payment_row_cb (const KehuReportDetailRow *d,
                gpointer                   user_data)
{
  Table *table = user_data;
  KehuReportRow *row = table_row (table, FALSE);

  kehu_report_row_set_text (row, 0, d->number);
  kehu_report_row_set_text (row, 1, d->contract_number);
  kehu_report_row_set_text (row, 2, d->customer_name);
  kehu_report_row_set_text (row, 3, d->owner_name);
  kehu_report_row_set_text (row, 4, d->date);
  kehu_report_row_set_text (row, 5, d->method);
  kehu_report_row_set_number (row, 6, d->amount);
  kehu_report_row_set_record (row, "payments", d->id);
  return TRUE;
}

static Table *
build_details (KehuStore              *store,
               const KehuReportFilter *filter,
               gboolean                contracts,
               GError                **error)
{
  g_autoptr(Table) table = table_new (contracts ? KEHU_REPORT_KIND_CONTRACT_DETAILS
                                                : KEHU_REPORT_KIND_PAYMENT_DETAILS);
  gboolean ok;

  table_column (table, _("Number"), KEHU_EXPORT_TEXT);
  if (contracts)
    {
      table_column (table, _("Name"), KEHU_EXPORT_TEXT);
      table_column (table, _("Customer"), KEHU_EXPORT_TEXT);
      table_column (table, _("Owner"), KEHU_EXPORT_TEXT);
      table_column (table, _("Signed"), KEHU_EXPORT_DATE);
      table_column (table, _("Starts"), KEHU_EXPORT_DATE);
      table_column (table, _("Ends"), KEHU_EXPORT_DATE);
      table_column (table, _("Amount"), KEHU_EXPORT_MONEY);
      table_column (table, _("Received"), KEHU_EXPORT_MONEY);
      ok = kehu_report_contract_details_foreach (store, filter, contract_row_cb, table, error);
    }
  else
    {
      table_column (table, _("Contract"), KEHU_EXPORT_TEXT);
      table_column (table, _("Customer"), KEHU_EXPORT_TEXT);
      table_column (table, _("Owner"), KEHU_EXPORT_TEXT);
      table_column (table, _("Paid On"), KEHU_EXPORT_DATE);
      table_column (table, _("Method"), KEHU_EXPORT_TEXT);
      table_column (table, _("Amount"), KEHU_EXPORT_MONEY);
      ok = kehu_report_payment_details_foreach (store, filter, payment_row_cb, table, error);
    }
  if (!ok)
    return NULL;
  table_sum_row (table, 1);
  return g_steal_pointer (&table);
}

static Table *
build_customer_analysis (KehuStore              *store,
                         const KehuReportFilter *filter,
                         KehuCustomerDimension   dimension,
                         GError                **error)
{
  static const char * const dimension_titles[] = { N_("Source"), N_("Industry"), N_("Region"), N_("Level") };
  g_autoptr(JsonNode) report = kehu_report_customer_analysis (store, filter, dimension, error);
  g_autoptr(Table) table = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *rows;
  KehuReportRow *total;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_CUSTOMER_ANALYSIS);
  table_column (table, _(dimension_titles[dimension]), KEHU_EXPORT_TEXT);
  table_column (table, _("Customers"), KEHU_EXPORT_INT);
  table_column (table, _("Share"), KEHU_EXPORT_PERCENT);
  table_column (table, _("Contract Amount"), KEHU_EXPORT_MONEY);
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      const char *value = json_object_get_string_member_with_default (o, "value", "");
      gint64 count = kehu_view_figure_value (o, "count");

      kehu_report_row_set_text (row, 0, *value ? value : _("Not set"));
      cell_figure (row, 1, o, "count");
      cell_figure (row, 2, o, "share_bp");
      cell_figure (row, 3, o, "contract_amount");
      g_ptr_array_add (names, (gpointer) kehu_report_row_get_cell (row, 0)->text);
      g_array_append_val (counts, count);
    }
  table->chart = kehu_chart_data_new ((const char * const *) names->pdata, names->len);
  kehu_chart_data_add_series (table->chart, _("Customers"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT,
                              (gint64 *) counts->data);
  total = table_row (table, TRUE);
  kehu_report_row_set_text (total, 0, _("Total"));
  cell_figure (total, 1, json_node_get_object (report), "count");
  cell_figure (total, 3, json_node_get_object (report), "contract_amount");
  return g_steal_pointer (&table);
}

static const char *
method_label (const char *method)
{
  static const struct { const char *id; const char *label; } methods[] = {
    { "phone", N_("Phone") }, { "email", N_("Email") }, { "visit", N_("Visit") },
    { "sms", N_("SMS") }, { "wechat", N_("WeChat") }, { "meeting", N_("Meeting") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_strcmp0 (methods[i].id, method) == 0)
      return _(methods[i].label);
  return method;
}

static Table *
build_followups (KehuStore              *store,
                 const KehuReportFilter *filter,
                 GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_followup_stats (store, filter, error);
  g_autoptr(Table) table = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *rows;
  KehuReportRow *total;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_FOLLOWUPS);
  table_column (table, _("Owner"), KEHU_EXPORT_TEXT);
  table_column (table, _("Follow-ups"), KEHU_EXPORT_INT);
  table_column (table, _("Customers Followed"), KEHU_EXPORT_INT);
  rows = rows_of (report, "by_person");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      const char *name = json_object_get_string_member_with_default (o, "name", NULL);

      kehu_report_row_set_text (row, 0, name && *name ? name : _("No owner"));
      cell_figure (row, 1, o, "count");
      cell_figure (row, 2, o, "customers");
    }
  total = table_row (table, TRUE);
  kehu_report_row_set_text (total, 0, _("Total"));
  cell_figure (total, 1, json_node_get_object (report), "count");

  rows = rows_of (report, "by_method");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      gint64 count = kehu_view_figure_value (o, "count");

      g_ptr_array_add (names, (gpointer) method_label (json_object_get_string_member (o, "method")));
      g_array_append_val (counts, count);
    }
  table->chart = kehu_chart_data_new ((const char * const *) names->pdata, names->len);
  kehu_chart_data_add_series (table->chart, _("Follow-ups"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT,
                              (gint64 *) counts->data);
  return g_steal_pointer (&table);
}

static Table *
build_forecast (KehuStore              *store,
                const KehuReportFilter *filter,
                GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_forecast (store, filter, error);
  g_autoptr(Table) table = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) amounts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) weighted = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *rows;
  KehuReportRow *total;

  if (report == NULL)
    return NULL;
  table = table_new (KEHU_REPORT_KIND_FORECAST);
  table_column (table, _("Expected Close"), KEHU_EXPORT_TEXT);
  table_column (table, _("Opportunities"), KEHU_EXPORT_INT);
  table_column (table, _("Amount"), KEHU_EXPORT_MONEY);
  table_column (table, _("Weighted by Win Rate"), KEHU_EXPORT_MONEY);
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      gint64 a = kehu_view_figure_value (o, "amount"), w = kehu_view_figure_value (o, "weighted_amount");

      kehu_report_row_set_text (row, 0, json_object_get_string_member (o, "month"));
      cell_figure (row, 1, o, "count");
      cell_figure (row, 2, o, "amount");
      cell_figure (row, 3, o, "weighted_amount");
      g_ptr_array_add (names, (gpointer) kehu_report_row_get_cell (row, 0)->text);
      g_array_append_val (amounts, a);
      g_array_append_val (weighted, w);
    }
  table->chart = kehu_chart_data_new ((const char * const *) names->pdata, names->len);
  kehu_chart_data_add_series (table->chart, _("Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS,
                              (gint64 *) amounts->data);
  kehu_chart_data_add_series (table->chart, _("Weighted by Win Rate"), KEHU_CHART_SERIES_BAR,
                              KEHU_CHART_UNIT_CENTS, (gint64 *) weighted->data);
  total = table_row (table, TRUE);
  kehu_report_row_set_text (total, 0, _("Total"));
  cell_figure (total, 1, json_node_get_object (report), "count");
  cell_figure (total, 2, json_node_get_object (report), "amount");
  cell_figure (total, 3, json_node_get_object (report), "weighted_amount");
  return g_steal_pointer (&table);
}

static gboolean
metric_is_money (KehuReportMetric metric)
{
  return metric == KEHU_REPORT_METRIC_CONTRACT_AMOUNT || metric == KEHU_REPORT_METRIC_PAYMENT_AMOUNT ||
         metric == KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT;
}

static const char *
metric_title (KehuReportMetric metric)
{
  switch (metric)
    {
    case KEHU_REPORT_METRIC_CONTRACT_COUNT: return _("Contracts Signed");
    case KEHU_REPORT_METRIC_CONTRACT_AMOUNT: return _("Contract Amount");
    case KEHU_REPORT_METRIC_PAYMENT_AMOUNT: return _("Payment Amount");
    case KEHU_REPORT_METRIC_NEW_CUSTOMERS: return _("New Customers");
    case KEHU_REPORT_METRIC_NEW_CONTACTS: return _("New Contacts");
    case KEHU_REPORT_METRIC_NEW_OPPORTUNITIES: return _("New Opportunities");
    case KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT: return _("Opportunity Amount");
    case KEHU_REPORT_METRIC_FOLLOWUPS: return _("Follow-ups");
    case KEHU_REPORT_N_METRICS:
    default: return "";
    }
}

static void
compare_side (KehuReportRow *row,
              JsonObject    *side,
              const char    *label)
{
  kehu_report_row_set_text (row, 0, label);
  kehu_report_row_set_text (row, 1, json_object_get_string_member_with_default (side, "start", NULL));
  {
    /* The last day, not the exclusive end. */
    const char *end = json_object_get_string_member_with_default (side, "end", NULL);
    g_autoptr(GDateTime) e = end ? g_date_time_new_from_iso8601 (end, NULL) : NULL;

    if (e != NULL)
      {
        g_autoptr(GDateTime) last = g_date_time_add_seconds (e, -1);
        g_autoptr(GDateTime) local = g_date_time_to_local (last);
        g_autofree char *text = g_date_time_format (local, "%Y-%m-%d");
        kehu_report_row_set_text (row, 2, text);
      }
  }
  {
    const char *start = json_object_get_string_member_with_default (side, "start", NULL);
    g_autoptr(GDateTime) s = start ? g_date_time_new_from_iso8601 (start, NULL) : NULL;

    if (s != NULL)
      {
        g_autoptr(GDateTime) local = g_date_time_to_local (s);
        g_autofree char *text = g_date_time_format (local, "%Y-%m-%d");
        kehu_report_row_set_text (row, 1, text);
      }
  }
}

static Table *
build_compare (KehuStore              *store,
               const KehuReportFilter *filter,
               KehuReportMetric        metric,
               KehuCompareKind         kind,
               GError                **error)
{
  g_autoptr(JsonNode) report = kehu_report_compare (store, filter, metric, kind, error);
  g_autoptr(Table) table = NULL;
  KehuExportColumnType type = metric_is_money (metric) ? KEHU_EXPORT_MONEY : KEHU_EXPORT_INT;
  JsonObject *o, *current, *base;
  KehuReportRow *row;
  gint64 values[2];
  const char *categories[2];

  if (report == NULL)
    return NULL;
  o = json_node_get_object (report);
  current = json_object_get_object_member (o, "current");
  base = json_object_get_object_member (o, "base");

  table = table_new (KEHU_REPORT_KIND_COMPARE);
  table_column (table, _("Period"), KEHU_EXPORT_TEXT);
  table_column (table, _("From"), KEHU_EXPORT_DATE);
  table_column (table, _("To"), KEHU_EXPORT_DATE);
  table_column (table, metric_title (metric), type);
  table_column (table, _("Change"), type);
  table_column (table, _("Change Rate"), KEHU_EXPORT_PERCENT);

  row = table_row (table, FALSE);
  compare_side (row, current, _("This period"));
  kehu_report_row_set_number (row, 3, json_object_get_int_member (current, "value"));
  kehu_report_row_set_drill (row, 3, json_object_get_member (current, "drill"));
  kehu_report_row_set_number (row, 4, json_object_get_int_member (o, "change"));
  if (!json_object_get_null_member (o, "change_bp"))
    kehu_report_row_set_number (row, 5, json_object_get_int_member (o, "change_bp"));

  row = table_row (table, FALSE);
  compare_side (row, base, kind == KEHU_COMPARE_YEAR_OVER_YEAR ? _("Same period last year")
                                                              : _("Previous period"));
  kehu_report_row_set_number (row, 3, json_object_get_int_member (base, "value"));
  kehu_report_row_set_drill (row, 3, json_object_get_member (base, "drill"));

  values[0] = json_object_get_int_member (base, "value");
  values[1] = json_object_get_int_member (current, "value");
  categories[0] = kind == KEHU_COMPARE_YEAR_OVER_YEAR ? _("Same period last year") : _("Previous period");
  categories[1] = _("This period");
  table->chart = kehu_chart_data_new (categories, 2);
  kehu_chart_data_add_series (table->chart, metric_title (metric), KEHU_CHART_SERIES_BAR,
                              type == KEHU_EXPORT_MONEY ? KEHU_CHART_UNIT_CENTS : KEHU_CHART_UNIT_COUNT, values);
  if (json_object_get_boolean_member (o, "base_zero"))
    table->note = g_strdup (_("The comparison period has nothing to compare with, so there is no change rate."));
  return g_steal_pointer (&table);
}

static Table *
build_top (KehuStore              *store,
           const KehuReportFilter *filter,
           KehuReportKind          kind,
           GError                **error)
{
  KehuReportMetric metric = kind == KEHU_REPORT_KIND_TOP_CONTRACT ? KEHU_REPORT_METRIC_CONTRACT_AMOUNT
                                                                  : KEHU_REPORT_METRIC_PAYMENT_AMOUNT;
  g_autoptr(JsonNode) report = kehu_report_top_customers (store, filter, metric, 10, error);
  g_autoptr(Table) table = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) amounts = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *rows;

  if (report == NULL)
    return NULL;
  table = table_new (kind);
  table_column (table, _("Rank"), KEHU_EXPORT_INT);
  table_column (table, _("Customer"), KEHU_EXPORT_TEXT);
  table_column (table, metric_title (metric), KEHU_EXPORT_MONEY);
  rows = rows_of (report, "rows");
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      KehuReportRow *row = table_row (table, FALSE);
      gint64 amount = kehu_view_figure_value (o, "amount");

      kehu_report_row_set_number (row, 0, json_object_get_int_member (o, "rank"));
      kehu_report_row_set_text (row, 1, json_object_get_string_member (o, "name"));
      cell_figure (row, 2, o, "amount");
      kehu_report_row_set_record (row, "customers", json_object_get_string_member (o, "customer_id"));
      g_ptr_array_add (names, (gpointer) kehu_report_row_get_cell (row, 1)->text);
      g_array_append_val (amounts, amount);
    }
  table->chart = kehu_chart_data_new ((const char * const *) names->pdata, names->len);
  kehu_chart_data_add_series (table->chart, metric_title (metric), KEHU_CHART_SERIES_BAR,
                              KEHU_CHART_UNIT_CENTS, (gint64 *) amounts->data);
  return g_steal_pointer (&table);
}

/* Computing (worker thread) */

typedef struct
{
  char                  *path;
  KehuReportKind         kind;
  GDateTime             *start;
  GDateTime             *end;
  GTimeZone             *tz;
  KehuCustomerDimension  dimension;
  KehuReportMetric       metric;
  KehuCompareKind        compare;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_clear_pointer (&job->start, g_date_time_unref);
  g_clear_pointer (&job->end, g_date_time_unref);
  g_clear_pointer (&job->tz, g_time_zone_unref);
  g_free (job);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = kehu_store_open (job->path, &error);
  KehuReportFilter filter = { .start = job->start, .end = job->end, .tz = job->tz };
  Table *table = NULL;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (job->kind)
    {
    case KEHU_REPORT_KIND_SUMMARY_PERSON:
      table = build_summary_person (store, &filter, &error);
      break;
    case KEHU_REPORT_KIND_SUMMARY_DEPARTMENT:
      table = build_summary_department (store, &filter, &error);
      break;
    case KEHU_REPORT_KIND_SUMMARY_MONTH:
      table = build_summary_month (store, &filter, &error);
      break;
    case KEHU_REPORT_KIND_CONTRACT_DETAILS:
    case KEHU_REPORT_KIND_PAYMENT_DETAILS:
      table = build_details (store, &filter, job->kind == KEHU_REPORT_KIND_CONTRACT_DETAILS, &error);
      break;
    case KEHU_REPORT_KIND_CUSTOMER_ANALYSIS:
      table = build_customer_analysis (store, &filter, job->dimension, &error);
      break;
    case KEHU_REPORT_KIND_FOLLOWUPS:
      table = build_followups (store, &filter, &error);
      break;
    case KEHU_REPORT_KIND_FORECAST:
      table = build_forecast (store, &filter, &error);
      break;
    case KEHU_REPORT_KIND_COMPARE:
      table = build_compare (store, &filter, job->metric, job->compare, &error);
      break;
    case KEHU_REPORT_KIND_TOP_CONTRACT:
    case KEHU_REPORT_KIND_TOP_PAYMENT:
      table = build_top (store, &filter, job->kind, &error);
      break;
    case KEHU_REPORT_KIND_TARGETS:
    case KEHU_REPORT_N_KINDS:
    default:
      table = table_new (job->kind);
      break;
    }

  if (table == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, table, (GDestroyNotify) table_free);
}

/* Showing a table */

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new ("");

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  KehuReportRow *row = gtk_list_item_get_item (item);
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "kehu-column"));
  KehuExportColumnType type = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "kehu-type"));
  g_autofree char *text = kehu_report_row_format (row, column, type);
  gboolean numeric = type == KEHU_EXPORT_MONEY || type == KEHU_EXPORT_INT || type == KEHU_EXPORT_PERCENT;

  gtk_label_set_label (label, text);
  gtk_label_set_xalign (label, numeric ? 1.0f : 0.0f);
  if (numeric)
    gtk_widget_add_css_class (GTK_WIDGET (label), "numeric");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "numeric");
  if (kehu_report_row_is_total (row))
    gtk_widget_add_css_class (GTK_WIDGET (label), "heading");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "heading");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text[0] ? text : NULL);
}

static void
rebuild_columns (KehuReportsView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (self->column_view, column);
    }

  for (guint i = 0; self->table && i < self->table->titles->len; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      KehuExportColumnType type = g_array_index (self->table->types, KehuExportColumnType, i);
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_object_set_data (G_OBJECT (factory), "kehu-column", GUINT_TO_POINTER (i));
      g_object_set_data (G_OBJECT (factory), "kehu-type", GUINT_TO_POINTER (type));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), NULL);
      column = gtk_column_view_column_new (g_ptr_array_index (self->table->titles, i), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, type == KEHU_EXPORT_TEXT);
      gtk_column_view_append_column (self->column_view, column);
    }
}

static void
replace_chart (KehuReportsView *self)
{
  ChartKind kind = report_defs[self->kind].chart;
  GtkWidget *chart = NULL;

  if (self->chart != NULL)
    {
      gtk_box_remove (GTK_BOX (self->chart_frame), self->chart);
      self->chart = NULL;
    }
  if (self->table != NULL && self->table->chart != NULL)
    switch (kind)
      {
      case CHART_COLUMNS:
        chart = kehu_bar_chart_new (GTK_ORIENTATION_VERTICAL);
        break;
      case CHART_BARS:
        chart = kehu_bar_chart_new (GTK_ORIENTATION_HORIZONTAL);
        break;
      case CHART_TREND:
        chart = kehu_trend_chart_new ();
        break;
      case CHART_DONUT:
        chart = kehu_donut_chart_new ();
        break;
      case CHART_NONE:
      default:
        break;
      }
  if (chart != NULL)
    {
      kehu_chart_set_title (KEHU_CHART (chart), _(report_defs[self->kind].title));
      kehu_chart_set_data (KEHU_CHART (chart), self->table->chart);
      gtk_widget_set_size_request (chart, -1, 240);
      gtk_widget_set_hexpand (chart, TRUE);
      g_signal_connect_object (chart, "activated", G_CALLBACK (on_chart_activated_cb), self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (self->chart_frame), chart);
      self->chart = chart;
    }
  gtk_widget_set_visible (self->chart_frame, chart != NULL);
  gtk_widget_set_sensitive (self->chart_button, chart != NULL);
}

static void
show_table (KehuReportsView *self)
{
  g_list_store_remove_all (self->rows);
  rebuild_columns (self);
  if (self->table != NULL)
    g_list_store_splice (self->rows, 0, 0, self->table->rows->pdata, self->table->rows->len);
  replace_chart (self);
  gtk_label_set_label (self->note, self->table && self->table->note ? self->table->note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note), self->table && self->table->note);
}

static GTimeZone *
view_zone (void)
{
  return g_time_zone_new_local ();
}

static void
compute_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KehuReportsView) self = user_data;
  g_autoptr(GError) error = NULL;
  Table *table = g_task_propagate_pointer (G_TASK (result), &error);

  self->busy = FALSE;
  gtk_spinner_stop (self->spinner);
  if (table == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_label (self->note, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->note), TRUE);
        }
    }
  else if (table->kind == self->kind)
    {
      g_clear_pointer (&self->table, table_free);
      self->table = table;
      show_table (self);
    }
  else
    {
      table_free (table);
      self->dirty = TRUE;
    }

  if (self->dirty)
    start_compute (self);
  else
    g_signal_emit (self, signals[UPDATED], 0);
}

static void
start_compute (KehuReportsView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTimeZone) tz = view_zone ();
  Job *job;

  if (self->store == NULL)
    return;
  if (self->busy)
    {
      self->dirty = TRUE;
      return;
    }
  self->dirty = FALSE;
  self->computed = TRUE;

  now = self->now ? g_date_time_to_timezone (self->now, tz) : g_date_time_new_now (tz);
  job = g_new0 (Job, 1);
  job->path = g_strdup (kehu_store_get_path (self->store));
  job->kind = self->kind;
  job->tz = g_time_zone_ref (tz);
  job->dimension = self->dimension;
  job->metric = self->compare_metric;
  job->compare = self->compare_kind;
  kehu_report_period_from_preset (self->preset, now, tz, &job->start, &job->end);

  self->busy = TRUE;
  gtk_spinner_start (self->spinner);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, compute_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_compute);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, compute_thread);
}

static void
update_options (KehuReportsView *self)
{
  OptionKind option = report_defs[self->kind].option;
  gboolean targets = self->kind == KEHU_REPORT_KIND_TARGETS;

  adw_window_title_set_title (self->title, _(report_defs[self->kind].title));
  gtk_widget_set_visible (GTK_WIDGET (self->dimension_dropdown), option == OPTION_DIMENSION);
  gtk_widget_set_visible (GTK_WIDGET (self->metric_dropdown), option == OPTION_COMPARE);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_dropdown), option == OPTION_COMPARE);
  gtk_widget_set_visible (GTK_WIDGET (self->period_dropdown), !targets);
  gtk_widget_set_visible (self->export_button, !targets);
  gtk_widget_set_visible (self->chart_button, !targets);
  gtk_stack_set_visible_child_name (self->stack, targets ? "targets" : "table");
  if (targets)
    kehu_targets_editor_reload (KEHU_TARGETS_EDITOR (self->targets_editor));
}

/* Callbacks */

static void
on_report_row_activated_cb (KehuReportsView *self,
                            GtkListBoxRow   *row)
{
  kehu_reports_view_select (self, (KehuReportKind) gtk_list_box_row_get_index (row));
}

static void
on_table_activate_cb (KehuReportsView *self,
                      guint            position)
{
  g_autoptr(KehuReportRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), position);

  if (row == NULL)
    return;
  if (kehu_report_row_get_record_id (row) != NULL)
    {
      kehu_view_open_record (GTK_WIDGET (self), kehu_report_row_get_record_module (row),
                             kehu_report_row_get_record_id (row));
      return;
    }
  for (guint c = 0; c < kehu_report_row_get_n_cells (row); c++)
    if (kehu_report_row_get_drill (row, c) != NULL)
      {
        kehu_view_show_records (GTK_WIDGET (self), kehu_report_row_get_drill (row, c));
        return;
      }
}

static void
on_chart_activated_cb (KehuReportsView *self,
                       guint            series,
                       guint            index)
{
  GListModel *rows = G_LIST_MODEL (self->rows);
  g_autoptr(KehuReportRow) row = NULL;
  guint column;

  if (index >= g_list_model_get_n_items (rows))
    return;
  row = g_list_model_get_item (rows, index);
  switch (self->kind)
    {
    case KEHU_REPORT_KIND_SUMMARY_PERSON:
    case KEHU_REPORT_KIND_SUMMARY_DEPARTMENT:
    case KEHU_REPORT_KIND_SUMMARY_MONTH:
      column = series == 0 ? 2 : 3;
      break;
    case KEHU_REPORT_KIND_FORECAST:
      column = 1;
      break;
    case KEHU_REPORT_KIND_COMPARE:
      /* The chart puts the comparison period first. */
      g_clear_object (&row);
      row = g_list_model_get_item (rows, index == 0 ? 1 : 0);
      column = 3;
      break;
    case KEHU_REPORT_KIND_TOP_CONTRACT:
    case KEHU_REPORT_KIND_TOP_PAYMENT:
      column = 2;
      break;
    case KEHU_REPORT_KIND_CUSTOMER_ANALYSIS:
      column = 1;
      break;
    case KEHU_REPORT_KIND_FOLLOWUPS:      /* the chart is per method, the table per person */
    case KEHU_REPORT_KIND_CONTRACT_DETAILS:
    case KEHU_REPORT_KIND_PAYMENT_DETAILS:
    case KEHU_REPORT_KIND_TARGETS:
    case KEHU_REPORT_N_KINDS:
    default:
      return;
    }
  if (row != NULL && column < kehu_report_row_get_n_cells (row) && kehu_report_row_get_drill (row, column))
    kehu_view_show_records (GTK_WIDGET (self), kehu_report_row_get_drill (row, column));
}

static void
on_period_selected_cb (KehuReportsView *self)
{
  guint i = gtk_drop_down_get_selected (self->period_dropdown);

  if (i < G_N_ELEMENTS (period_presets) && period_presets[i] != self->preset)
    {
      self->preset = period_presets[i];
      start_compute (self);
    }
}

static void
on_dimension_selected_cb (KehuReportsView *self)
{
  kehu_reports_view_set_dimension (self, (KehuCustomerDimension) gtk_drop_down_get_selected (self->dimension_dropdown));
}

static void
on_compare_selected_cb (KehuReportsView *self)
{
  guint m = gtk_drop_down_get_selected (self->metric_dropdown);
  guint k = gtk_drop_down_get_selected (self->compare_dropdown);

  if (m < G_N_ELEMENTS (compare_metrics))
    kehu_reports_view_set_compare (self, compare_metrics[m], (KehuCompareKind) k);
}

/* Export */

typedef struct
{
  GPtrArray            *rows;      /* KehuReportRow */
  GPtrArray            *titles;
  GArray               *types;
  char                 *path;
  char                 *sheet;
  guint                 next;
  gint                 *done;
  GCancellable         *cancellable;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_ptr_array_unref (job->rows);
  g_ptr_array_unref (job->titles);
  g_array_unref (job->types);
  g_free (job->path);
  g_free (job->sheet);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static gboolean
export_row_cb (KehuExportCell  *cells,
               guint            n_columns,
               gpointer         user_data,
               GError         **error)
{
  ExportJob *job = user_data;
  KehuReportRow *row;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;
  if (job->next >= job->rows->len)
    return FALSE;
  row = g_ptr_array_index (job->rows, job->next++);
  for (guint c = 0; c < n_columns && c < kehu_report_row_get_n_cells (row); c++)
    cells[c] = *kehu_report_row_get_cell (row, c);
  g_atomic_int_set (job->done, (gint) job->next);
  return TRUE;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(GError) error = NULL;

  if (!kehu_export_table_xlsx (job->path, job->sheet, (const char * const *) job->titles->pdata,
                               (const KehuExportColumnType *) job->types->data, job->titles->len,
                               export_row_cb, job, &error))
    {
      /* No half-written file is left behind. */
      g_unlink (job->path);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
export_poll_cb (gpointer user_data)
{
  KehuReportsView *self = user_data;

  if (self->export_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   (double) g_atomic_int_get (&self->export_done) / self->export_total);
  return G_SOURCE_CONTINUE;
}

static void
export_finished (KehuReportsView *self)
{
  g_clear_handle_id (&self->export_poll_id, g_source_remove);
  gtk_widget_set_visible (self->progress_bar_box, FALSE);
  gtk_widget_set_sensitive (self->export_button, TRUE);
  g_clear_object (&self->export_cancellable);
}

void
kehu_reports_view_export_async (KehuReportsView     *self,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kehu_reports_view_export_async);
  if (self->table == NULL || self->table->titles->len == 0)
    {
      g_task_return_new_error (task, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID,
                               _("There is no table to export yet"));
      return;
    }

  job = g_new0 (ExportJob, 1);
  job->rows = g_ptr_array_ref (self->table->rows);
  job->titles = g_ptr_array_ref (self->table->titles);
  job->types = g_array_ref (self->table->types);
  job->path = g_strdup (path);
  job->sheet = g_strdup (_(report_defs[self->kind].title));
  job->done = &self->export_done;
  job->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();

  g_clear_object (&self->export_cancellable);
  self->export_cancellable = g_object_ref (job->cancellable);
  g_atomic_int_set (&self->export_done, 0);
  self->export_total = job->rows->len;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->progress_bar_box, TRUE);
  gtk_widget_set_sensitive (self->export_button, FALSE);
  if (self->export_poll_id == 0)
    self->export_poll_id = g_timeout_add (100, export_poll_cb, self);

  /* The view stays alive until the export ends (it owns the counter). */
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
kehu_reports_view_export_finish (KehuReportsView  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  export_finished (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (source);
  g_autoptr(GError) error = NULL;

  if (!kehu_reports_view_export_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkWidget *message = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                   _("Could Not Export the Report"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (message));
    }
}

static GtkFileChooserNative *
save_dialog_new (KehuReportsView *self,
                 const char      *title,
                 const char      *filter_name,
                 const char      *mime_type,
                 const char      *file_name)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, filter_name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), file_name);
  return dialog;
}

static char *
dialog_take_path (GtkNativeDialog *dialog,
                  int              response)
{
  char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = file ? g_file_get_path (file) : NULL;
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  return path;
}

static void
on_export_response_cb (GtkNativeDialog *dialog,
                       int              response,
                       KehuReportsView *self)
{
  g_autofree char *path = dialog_take_path (dialog, response);

  if (path != NULL)
    kehu_reports_view_export_async (self, path, NULL, export_done_cb, NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (widget);
  g_autofree char *name = g_strconcat (report_defs[self->kind].id, ".xlsx", NULL);
  GtkFileChooserNative *dialog = save_dialog_new (self, _("Export the Report"), _("Excel workbooks"),
                                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                  name);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
cancel_export_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (widget);

  g_cancellable_cancel (self->export_cancellable);
}

static void
on_chart_export_response_cb (GtkNativeDialog *dialog,
                             int              response,
                             KehuReportsView *self)
{
  KehuChartExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "kehu-format"));
  g_autofree char *path = dialog_take_path (dialog, response);
  g_autoptr(GError) error = NULL;

  if (path != NULL && self->chart != NULL &&
      !kehu_chart_export (KEHU_CHART (self->chart), path, format, 1200, 700, &error))
    {
      GtkWidget *message = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                   _("Could Not Export the Chart"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (message));
    }
}

static void
export_chart_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (widget);
  gboolean pdf = g_str_equal (g_variant_get_string (parameter, NULL), "pdf");
  g_autofree char *name = g_strconcat (report_defs[self->kind].id, pdf ? ".pdf" : ".png", NULL);
  GtkFileChooserNative *dialog;

  if (self->chart == NULL)
    return;
  dialog = save_dialog_new (self, _("Export the Chart"),
                            pdf ? _("PDF documents") : _("PNG images"),
                            pdf ? "application/pdf" : "image/png", name);
  g_object_set_data (G_OBJECT (dialog), "kehu-format",
                     GUINT_TO_POINTER (pdf ? KEHU_CHART_EXPORT_PDF : KEHU_CHART_EXPORT_PNG));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_chart_export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  kehu_reports_view_refresh (KEHU_REPORTS_VIEW (widget));
}

static gboolean
f5_cb (GtkWidget *widget,
       GVariant  *args,
       gpointer   user_data)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  kehu_reports_view_refresh (KEHU_REPORTS_VIEW (widget));
  return TRUE;
}

/* Building the page */

static GtkWidget *
dropdown_new (const char * const *labels,
              const char         *tooltip)
{
  GtkWidget *dropdown = gtk_drop_down_new_from_strings (labels);

  gtk_widget_set_tooltip_text (dropdown, tooltip);
  return dropdown;
}

static void
build_page (KehuReportsView *self)
{
  GtkWidget *sidebar_scroll, *right, *toolbar, *title, *menu_button, *table_box, *scroll, *progress, *cancel;
  g_autoptr(GMenu) chart_menu = g_menu_new ();
  const char *periods[G_N_ELEMENTS (period_presets) + 1] = {
    _("This Month"), _("This Quarter"), _("This Year"), _("Last Month"), _("Last Quarter"),
    _("Last Year"), _("Today"), _("This Week"), NULL,
  };
  const char *dimensions[] = { _("By Source"), _("By Industry"), _("By Region"), _("By Level"), NULL };
  const char *kinds[] = { _("Year over Year"), _("Period over Period"), NULL };
  const char *metrics[G_N_ELEMENTS (compare_metrics) + 1] = { NULL };
  GtkSelectionModel *selection;

  for (guint i = 0; i < G_N_ELEMENTS (compare_metrics); i++)
    metrics[i] = metric_title (compare_metrics[i]);

  self->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_position (GTK_PANED (self->paned), 220);
  gtk_widget_set_parent (self->paned, GTK_WIDGET (self));

  /* The reports */
  self->report_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->report_list), "navigation-sidebar");
  for (guint i = 0; i < KEHU_REPORT_N_KINDS; i++)
    {
      GtkWidget *label = gtk_label_new (_(report_defs[i].title));

      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_name (label, report_defs[i].id);
      gtk_list_box_append (self->report_list, label);
    }
  g_signal_connect_object (self->report_list, "row-activated", G_CALLBACK (on_report_row_activated_cb),
                           self, G_CONNECT_SWAPPED);
  sidebar_scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (sidebar_scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (sidebar_scroll), GTK_WIDGET (self->report_list));
  gtk_widget_set_size_request (sidebar_scroll, 170, -1);
  gtk_paned_set_start_child (GTK_PANED (self->paned), sidebar_scroll);

  /* The chosen report */
  right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (toolbar, 12);
  gtk_widget_set_margin_end (toolbar, 12);
  gtk_widget_set_margin_top (toolbar, 6);
  gtk_widget_set_margin_bottom (toolbar, 6);
  title = adw_window_title_new ("", NULL);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_set_halign (title, GTK_ALIGN_START);
  self->title = ADW_WINDOW_TITLE (title);
  gtk_box_append (GTK_BOX (toolbar), title);

  self->dimension_dropdown = GTK_DROP_DOWN (dropdown_new (dimensions, _("Group customers")));
  self->metric_dropdown = GTK_DROP_DOWN (dropdown_new (metrics, _("Figure to compare")));
  self->compare_dropdown = GTK_DROP_DOWN (dropdown_new (kinds, _("Compare with")));
  self->period_dropdown = GTK_DROP_DOWN (dropdown_new (periods, _("Period")));
  gtk_drop_down_set_selected (self->period_dropdown, 2);
  g_signal_connect_object (self->period_dropdown, "notify::selected", G_CALLBACK (on_period_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dimension_dropdown, "notify::selected", G_CALLBACK (on_dimension_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->metric_dropdown, "notify::selected", G_CALLBACK (on_compare_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->compare_dropdown, "notify::selected", G_CALLBACK (on_compare_selected_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->dimension_dropdown));
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->metric_dropdown));
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->compare_dropdown));
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->period_dropdown));

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->spinner));

  self->export_button = gtk_button_new_from_icon_name ("x-office-spreadsheet-symbolic");
  gtk_widget_set_tooltip_text (self->export_button, _("Export the table to Excel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->export_button), "reports.export");
  gtk_box_append (GTK_BOX (toolbar), self->export_button);

  g_menu_append (chart_menu, _("Export Chart as PNG…"), "reports.export-chart::png");
  g_menu_append (chart_menu, _("Export Chart as PDF…"), "reports.export-chart::pdf");
  menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "image-x-generic-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (chart_menu));
  gtk_widget_set_tooltip_text (menu_button, _("Export the chart"));
  self->chart_button = menu_button;
  gtk_box_append (GTK_BOX (toolbar), menu_button);
  gtk_box_append (GTK_BOX (right), toolbar);

  /* Export progress */
  self->progress_bar_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (self->progress_bar_box, 12);
  gtk_widget_set_margin_end (self->progress_bar_box, 12);
  progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (progress), _("Exporting…"));
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (progress), TRUE);
  gtk_widget_set_hexpand (progress, TRUE);
  gtk_widget_set_valign (progress, GTK_ALIGN_CENTER);
  self->progress_bar = GTK_PROGRESS_BAR (progress);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "reports.cancel-export");
  gtk_box_append (GTK_BOX (self->progress_bar_box), progress);
  gtk_box_append (GTK_BOX (self->progress_bar_box), cancel);
  gtk_widget_set_visible (self->progress_bar_box, FALSE);
  gtk_box_append (GTK_BOX (right), self->progress_bar_box);
  gtk_box_append (GTK_BOX (right), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  /* Chart and table, or the targets editor */
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  table_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (table_box, 12);
  gtk_widget_set_margin_end (table_box, 12);
  gtk_widget_set_margin_top (table_box, 6);
  gtk_widget_set_margin_bottom (table_box, 12);
  self->chart_frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (self->chart_frame, "card");
  gtk_box_append (GTK_BOX (table_box), self->chart_frame);
  self->note = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->note, 0.0f);
  gtk_label_set_wrap (self->note, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->note), "dim-label");
  gtk_box_append (GTK_BOX (table_box), GTK_WIDGET (self->note));

  self->rows = g_list_store_new (KEHU_TYPE_REPORT_ROW);
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows))));
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_single_selection_set_can_unselect (GTK_SINGLE_SELECTION (selection), TRUE);
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (selection));
  gtk_column_view_set_show_column_separators (self->column_view, TRUE);
  gtk_column_view_set_reorderable (self->column_view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  g_signal_connect_object (self->column_view, "activate", G_CALLBACK (on_table_activate_cb),
                           self, G_CONNECT_SWAPPED);
  scroll = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_widget_set_size_request (scroll, -1, 160);
  gtk_widget_add_css_class (scroll, "card");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->column_view));
  gtk_box_append (GTK_BOX (table_box), scroll);
  gtk_stack_add_named (self->stack, table_box, "table");

  self->targets_editor = kehu_targets_editor_new (self->store);
  gtk_stack_add_named (self->stack, self->targets_editor, "targets");
  gtk_box_append (GTK_BOX (right), GTK_WIDGET (self->stack));

  gtk_paned_set_end_child (GTK_PANED (self->paned), right);
}

/* GtkWidget */

static void
kehu_reports_view_map (GtkWidget *widget)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (widget);

  GTK_WIDGET_CLASS (kehu_reports_view_parent_class)->map (widget);
  if (!self->computed)
    start_compute (self);
}

static void
kehu_reports_view_dispose (GObject *object)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_handle_id (&self->export_poll_id, g_source_remove);
  g_clear_pointer (&self->paned, gtk_widget_unparent);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->table, table_free);

  G_OBJECT_CLASS (kehu_reports_view_parent_class)->dispose (object);
}

static void
kehu_reports_view_finalize (GObject *object)
{
  KehuReportsView *self = KEHU_REPORTS_VIEW (object);

  g_clear_pointer (&self->now, g_date_time_unref);
  G_OBJECT_CLASS (kehu_reports_view_parent_class)->finalize (object);
}

static void
kehu_reports_view_class_init (KehuReportsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_reports_view_dispose;
  object_class->finalize = kehu_reports_view_finalize;
  widget_class->map = kehu_reports_view_map;

  /**
   * KehuReportsView::updated:
   *
   * A report's table is shown (or computing it failed).
   */
  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "reports.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "reports.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "reports.cancel-export", NULL, cancel_export_action);
  gtk_widget_class_install_action (widget_class, "reports.export-chart", "s", export_chart_action);
}

static void
kehu_reports_view_init (KehuReportsView *self)
{
  self->kind = KEHU_REPORT_KIND_SUMMARY_PERSON;
  self->preset = KEHU_PERIOD_THIS_YEAR;
  self->compare_metric = KEHU_REPORT_METRIC_CONTRACT_AMOUNT;
  self->compare_kind = KEHU_COMPARE_YEAR_OVER_YEAR;
}

/* Public API */

GtkWidget *
kehu_reports_view_new (KehuStore *store)
{
  KehuReportsView *self = g_object_new (KEHU_TYPE_REPORTS_VIEW, NULL);
  GtkEventController *shortcuts;

  self->store = store ? g_object_ref (store) : NULL;
  build_page (self);
  gtk_list_box_select_row (self->report_list, gtk_list_box_get_row_at_index (self->report_list, 0));
  update_options (self);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F5, 0),
                                                          gtk_callback_action_new (f5_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  return GTK_WIDGET (self);
}

GtkWidget *
kehu_reports_view_create (const KehuPageInfo *info)
{
  return kehu_reports_view_new (kehu_view_get_default_store ());
}

void
kehu_reports_view_set_now (KehuReportsView *self,
                           GDateTime       *now)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
  kehu_targets_editor_set_now (KEHU_TARGETS_EDITOR (self->targets_editor), now);
  start_compute (self);
}

void
kehu_reports_view_set_period (KehuReportsView  *self,
                              KehuPeriodPreset  preset)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (period_presets); i++)
    if (period_presets[i] == preset && preset != self->preset)
      {
        gtk_drop_down_set_selected (self->period_dropdown, i);
        return;
      }
  /* The same period again, or one the drop-down does not offer: compute. */
  self->preset = preset;
  start_compute (self);
}

void
kehu_reports_view_select (KehuReportsView *self,
                          KehuReportKind   kind)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));
  g_return_if_fail (kind < KEHU_REPORT_N_KINDS);

  gtk_list_box_select_row (self->report_list, gtk_list_box_get_row_at_index (self->report_list, kind));
  if (kind == self->kind && self->table != NULL)
    return;
  self->kind = kind;
  g_clear_pointer (&self->table, table_free);
  show_table (self);
  update_options (self);
  if (kind != KEHU_REPORT_KIND_TARGETS)
    start_compute (self);
  else
    g_signal_emit (self, signals[UPDATED], 0);
}

KehuReportKind
kehu_reports_view_get_selected (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), 0);
  return self->kind;
}

void
kehu_reports_view_set_dimension (KehuReportsView       *self,
                                 KehuCustomerDimension  dimension)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));

  if (gtk_drop_down_get_selected (self->dimension_dropdown) != (guint) dimension)
    gtk_drop_down_set_selected (self->dimension_dropdown, dimension);
  if (self->dimension == dimension)
    return;
  self->dimension = dimension;
  if (self->kind == KEHU_REPORT_KIND_CUSTOMER_ANALYSIS)
    start_compute (self);
}

void
kehu_reports_view_set_compare (KehuReportsView  *self,
                               KehuReportMetric  metric,
                               KehuCompareKind   kind)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (compare_metrics); i++)
    if (compare_metrics[i] == metric && gtk_drop_down_get_selected (self->metric_dropdown) != i)
      gtk_drop_down_set_selected (self->metric_dropdown, i);
  if (gtk_drop_down_get_selected (self->compare_dropdown) != (guint) kind)
    gtk_drop_down_set_selected (self->compare_dropdown, kind);
  if (self->compare_metric == metric && self->compare_kind == kind)
    return;
  self->compare_metric = metric;
  self->compare_kind = kind;
  if (self->kind == KEHU_REPORT_KIND_COMPARE)
    start_compute (self);
}

void
kehu_reports_view_refresh (KehuReportsView *self)
{
  g_return_if_fail (KEHU_IS_REPORTS_VIEW (self));

  if (self->kind == KEHU_REPORT_KIND_TARGETS)
    kehu_targets_editor_reload (KEHU_TARGETS_EDITOR (self->targets_editor));
  else
    start_compute (self);
}

gboolean
kehu_reports_view_is_busy (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), FALSE);
  return self->busy;
}

const char *
kehu_reports_view_get_title (KehuReportKind kind)
{
  g_return_val_if_fail (kind < KEHU_REPORT_N_KINDS, NULL);
  return _(report_defs[kind].title);
}

GListModel *
kehu_reports_view_get_rows (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), NULL);
  return G_LIST_MODEL (self->rows);
}

guint
kehu_reports_view_get_n_columns (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), 0);
  return self->table ? self->table->titles->len : 0;
}

const char *
kehu_reports_view_get_column_title (KehuReportsView *self,
                                    guint            column)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), NULL);
  g_return_val_if_fail (self->table != NULL && column < self->table->titles->len, NULL);
  return g_ptr_array_index (self->table->titles, column);
}

char *
kehu_reports_view_dup_cell_text (KehuReportsView *self,
                                 guint            row,
                                 guint            column)
{
  g_autoptr(KehuReportRow) item = NULL;

  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), NULL);
  g_return_val_if_fail (self->table != NULL && column < self->table->titles->len, NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->rows), row);
  if (item == NULL)
    return NULL;
  return kehu_report_row_format (item, column, g_array_index (self->table->types, KehuExportColumnType, column));
}

KehuChart *
kehu_reports_view_get_chart (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), NULL);
  return self->chart ? KEHU_CHART (self->chart) : NULL;
}

GtkWidget *
kehu_reports_view_get_targets_editor (KehuReportsView *self)
{
  g_return_val_if_fail (KEHU_IS_REPORTS_VIEW (self), NULL);
  return self->targets_editor;
}
