/* kehu-report.h: dashboard figures and reports, computed in SQL on the store
 *
 * Results are JsonNode trees (the server serves them as they are, the app
 * draws them). Money is int64 cents, ratios integer basis points (null over
 * a zero base). Every figure is {"value": int, "drill": filter}, where the
 * filter lists the records behind it, in the list filter form of
 * kehu-query.c (kehu_query_add_filter_json() applies it as it is):
 *   {"module": "contracts",
 *    "conditions": [{"field": "approval_status", "op": "eq", "value": "approved"},
 *                   {"field": "signed_date", "op": "gte", "value": "2026-01-01"},
 *                   {"field": "signed_date", "op": "lt", "value": "2026-04-01"},
 *                   {"field": "owner_id", "op": "in", "value": ["u1", "u2"]}]}
 * Live records only (the recycle bin is implied, as in a list view);
 * conditions are ANDed; ops: eq ne lt lte gt gte (scalar "value"; ne also
 * matches no value), empty not_empty (NULL, '' or '[]'), in ("value"
 * array). Two extensions a list view does not know yet, used only where a
 * figure needs them: "in" with "filter" instead of "value" (a nested
 * {"module", "field", "conditions"} selecting "field", default "id": the
 * customer analysis' contract amounts, approvals waiting) and "any"
 * ("conditions" ORed).
 * kehu_report_drill_ids() runs one; the rules behind the figures are at the
 * top of kehu-report.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-export.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_REPORT_ERROR (kehu_report_error_quark ())

typedef enum
{
  KEHU_REPORT_ERROR_INVALID,     /* a bad argument or drill filter */
  KEHU_REPORT_ERROR_NOT_FOUND,
} KehuReportError;

typedef enum
{
  KEHU_PERIOD_TODAY,
  KEHU_PERIOD_THIS_WEEK,      /* weeks start on Monday */
  KEHU_PERIOD_THIS_MONTH,
  KEHU_PERIOD_THIS_QUARTER,
  KEHU_PERIOD_THIS_YEAR,
  KEHU_PERIOD_YESTERDAY,
  KEHU_PERIOD_LAST_WEEK,
  KEHU_PERIOD_LAST_MONTH,
  KEHU_PERIOD_LAST_QUARTER,
  KEHU_PERIOD_LAST_YEAR,
  KEHU_PERIOD_CUSTOM,         /* not a preset: use kehu_report_period_from_dates() */
} KehuPeriodPreset;

typedef enum
{
  KEHU_REPORT_METRIC_CONTRACT_COUNT,
  KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
  KEHU_REPORT_METRIC_PAYMENT_AMOUNT,
  KEHU_REPORT_METRIC_NEW_CUSTOMERS,
  KEHU_REPORT_METRIC_NEW_CONTACTS,
  KEHU_REPORT_METRIC_NEW_OPPORTUNITIES,
  KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT,
  KEHU_REPORT_METRIC_FOLLOWUPS,
  KEHU_REPORT_N_METRICS,
} KehuReportMetric;

typedef enum
{
  KEHU_TARGET_COMPANY,
  KEHU_TARGET_DEPARTMENT,
  KEHU_TARGET_USER,
} KehuTargetScope;

typedef enum
{
  KEHU_TARGET_CONTRACT_AMOUNT,
  KEHU_TARGET_PAYMENT_AMOUNT,
  KEHU_TARGET_NEW_CUSTOMERS,
} KehuTargetMetric;

typedef enum
{
  KEHU_COMPARE_YEAR_OVER_YEAR,     /* 同比 */
  KEHU_COMPARE_PERIOD_OVER_PERIOD, /* 环比 */
} KehuCompareKind;

typedef enum
{
  KEHU_CUSTOMER_BY_SOURCE,
  KEHU_CUSTOMER_BY_INDUSTRY,
  KEHU_CUSTOMER_BY_REGION,
  KEHU_CUSTOMER_BY_LEVEL,
} KehuCustomerDimension;

/* What every figure is computed over. The caller owns every member.
 * owner_ids: the people (a user, or kehu_report_department_user_ids());
 *   NULL = every owner, an empty array = nobody.
 * scope_owner_ids: the viewer's data-scope restriction, NULL = all.
 * start/end: the period [start, end) as instants (see
 *   kehu_report_period_from_preset()); instant columns (created_at,
 *   followed_at) are compared with them as they are; date columns
 *   (signed_date, paid_date, expected_close_date) count a day when its local
 *   midnight in tz lies in [start, end).
 * tz: the user's time zone (local dates, months); NULL = UTC. */
typedef struct
{
  const char * const *owner_ids;
  const char * const *scope_owner_ids;
  GDateTime          *start;
  GDateTime          *end;
  GTimeZone          *tz;
} KehuReportFilter;

GQuark     kehu_report_error_quark          (void);

void       kehu_report_forget_figures       (KehuStore              *store);
gboolean   kehu_report_rebuild_day_totals   (KehuStore              *store,
                                             GError                **error);

gboolean   kehu_report_period_from_preset   (KehuPeriodPreset        preset,
                                             GDateTime              *now,
                                             GTimeZone              *tz,
                                             GDateTime             **start,
                                             GDateTime             **end);
gboolean   kehu_report_period_from_dates    (const char             *first_date,
                                             const char             *last_date,
                                             GTimeZone              *tz,
                                             GDateTime             **start,
                                             GDateTime             **end,
                                             GError                **error);

GStrv      kehu_report_department_user_ids  (KehuStore              *store,
                                             const char             *department_id,
                                             GError                **error);

gboolean   kehu_report_metric_value         (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuReportMetric        metric,
                                             gint64                 *value,
                                             GError                **error);
JsonNode  *kehu_report_metric_drill         (const KehuReportFilter *filter,
                                             KehuReportMetric        metric);
const char *kehu_report_metric_to_string    (KehuReportMetric        metric);
gboolean   kehu_report_metric_from_string   (const char             *name,
                                             KehuReportMetric       *metric);

/* Dashboard (SPEC §1). */
JsonNode  *kehu_report_sales_brief          (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_kpis                 (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuTargetScope         target_scope,
                                             const char             *target_scope_id,
                                             GError                **error);
JsonNode  *kehu_report_funnel               (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             const char             *stage_group_id,
                                             GError                **error);
JsonNode  *kehu_report_trend                (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuTargetScope         target_scope,
                                             const char             *target_scope_id,
                                             GError                **error);
JsonNode  *kehu_report_work_desk            (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             const char             *user_id,
                                             GDateTime              *now,
                                             GError                **error);

/* Drill-down: the ids of the records a figure's "drill" filter selects. */
GPtrArray *kehu_report_drill_ids            (KehuStore              *store,
                                             JsonNode               *drill,
                                             guint                   limit,
                                             GError                **error);

/* Reports (SPEC §12). */
JsonNode  *kehu_report_summary_by_person    (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_summary_by_department (KehuStore             *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_summary_by_month     (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_customer_analysis    (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuCustomerDimension   dimension,
                                             GError                **error);
JsonNode  *kehu_report_followup_stats       (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_forecast             (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             GError                **error);
JsonNode  *kehu_report_compare              (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuReportMetric        metric,
                                             KehuCompareKind         kind,
                                             GError                **error);
gboolean   kehu_report_compare_period       (const KehuReportFilter *filter,
                                             KehuCompareKind         kind,
                                             GDateTime             **start,
                                             GDateTime             **end);
JsonNode  *kehu_report_top_customers        (KehuStore              *store,
                                             const KehuReportFilter *filter,
                                             KehuReportMetric        metric,
                                             guint                   limit,
                                             GError                **error);

/* Detail rows, one callback per row (return FALSE to stop early). The row's
 * strings are valid during the callback only. Approved records whose date
 * lies in the period, ordered by date then id. */
typedef struct
{
  const char *id;
  const char *number;
  const char *name;
  const char *customer_id;
  const char *customer_name;
  const char *owner_id;
  const char *owner_name;
  gint64      amount;           /* cents */
  gint64      received_total;   /* contracts: cents received; payments: 0 */
  const char *date;             /* signed_date / paid_date */
  const char *start_date;       /* contracts only */
  const char *end_date;         /* contracts only */
  const char *contract_number;  /* payments only */
  const char *method;           /* payments only */
} KehuReportDetailRow;

typedef gboolean (*KehuReportRowFunc) (const KehuReportDetailRow *row,
                                       gpointer                   user_data);

gboolean   kehu_report_contract_details_foreach (KehuStore              *store,
                                                 const KehuReportFilter *filter,
                                                 KehuReportRowFunc       func,
                                                 gpointer                user_data,
                                                 GError                **error);
gboolean   kehu_report_payment_details_foreach  (KehuStore              *store,
                                                 const KehuReportFilter *filter,
                                                 KehuReportRowFunc       func,
                                                 gpointer                user_data,
                                                 GError                **error);

/* Exports: a detail report streamed to .xlsx/.csv, or any report JSON
 * whose "rows" array is described by @columns (JSON member names). */
typedef enum
{
  KEHU_REPORT_FORMAT_XLSX,
  KEHU_REPORT_FORMAT_CSV,
} KehuReportFormat;

gboolean   kehu_report_export_contract_details  (KehuStore              *store,
                                                 const KehuReportFilter *filter,
                                                 KehuReportFormat        format,
                                                 const char             *path,
                                                 GError                **error);
gboolean   kehu_report_export_payment_details   (KehuStore              *store,
                                                 const KehuReportFilter *filter,
                                                 KehuReportFormat        format,
                                                 const char             *path,
                                                 GError                **error);

typedef struct
{
  const char           *member;   /* member of each row object, "a.b" nested */
  const char           *header;   /* column title (translated by the caller) */
  KehuExportColumnType  type;
} KehuReportColumn;

gboolean   kehu_report_export_rows              (JsonNode               *report,
                                                 const KehuReportColumn *columns,
                                                 guint                   n_columns,
                                                 const char             *title,
                                                 KehuReportFormat        format,
                                                 const char             *path,
                                                 GError                **error);

/* Sales targets (SPEC §12): company (scope_id NULL or ""), department or
 * user × month × metric, values in cents (amounts) or a count. */
gboolean   kehu_report_target_set           (KehuStore              *store,
                                             KehuTargetScope         scope,
                                             const char             *scope_id,
                                             int                     year,
                                             int                     month,
                                             KehuTargetMetric        metric,
                                             gint64                  value,
                                             GError                **error);
gboolean   kehu_report_target_get           (KehuStore              *store,
                                             KehuTargetScope         scope,
                                             const char             *scope_id,
                                             int                     year,
                                             int                     month,
                                             KehuTargetMetric        metric,
                                             gint64                 *value,
                                             gboolean               *is_set,
                                             GError                **error);
JsonNode  *kehu_report_targets_check        (KehuStore              *store,
                                             int                     year,
                                             GError                **error);
JsonNode  *kehu_report_target_completion    (KehuStore              *store,
                                             KehuTargetScope         scope,
                                             const char             *scope_id,
                                             int                     year,
                                             GTimeZone              *tz,
                                             const char * const     *scope_owner_ids,
                                             GError                **error);

/* Rounding used for every ratio: @num × @scale / @den rounded half away
 * from zero; exposed for tests. */
gint64     kehu_report_scale_round          (gint64                  num,
                                             gint64                  scale,
                                             gint64                  den);

G_END_DECLS
