/* kehu-dashboard-data.h: every figure of the dashboard, computed at once
 *
 * No widgets here: the dashboard computes this on a worker thread with its
 * own store connection, and bench/kehu-bench-dashboard times it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-report.h"
#include "kehu-store.h"

G_BEGIN_DECLS

/* The work-desk lists, in the order the dashboard shows them. */
typedef enum
{
  KEHU_DESK_TASKS,          /* overdue and due today */
  KEHU_DESK_PLANS,          /* payment plans overdue or due within 30 days */
  KEHU_DESK_CONTRACTS,      /* contracts ending within 30 days */
  KEHU_DESK_FOLLOWUPS,      /* follow-ups due today */
  KEHU_DESK_APPROVALS,      /* approvals waiting for the user */
  KEHU_DESK_N_LISTS,
} KehuDeskList;

/* How many records each work-desk list shows. */
#define KEHU_DESK_LIST_LENGTH 5

typedef struct
{
  char    *module;
  char    *id;
  char    *title;
  char    *owner;
  gboolean has_amount;
  gint64   amount;
} KehuRecordSummary;

typedef struct
{
  GDateTime *start;
  GDateTime *end;
  JsonNode  *brief;       /* kehu_report_sales_brief() */
  JsonNode  *kpis;        /* kehu_report_kpis() */
  JsonNode  *funnel;      /* kehu_report_funnel() */
  JsonNode  *trend;       /* kehu_report_trend() */
  JsonNode  *work_desk;   /* kehu_report_work_desk() */
  GPtrArray *desk[KEHU_DESK_N_LISTS];   /* KehuRecordSummary */
  gint64     elapsed_us;
} KehuDashboardData;

/* Whose figures: everyone (both NULL), one person, or a department with
 * its sub-departments; within @scope_owner_ids (NULL = no restriction). */
typedef struct
{
  const char         *owner_user_id;
  const char         *department_id;
  const char * const *scope_owner_ids;
  GDateTime          *start;
  GDateTime          *end;
  GDateTime          *now;
  GTimeZone          *tz;
  const char         *user_id;     /* approvals waiting for this user */
} KehuDashboardQuery;

KehuDashboardData *kehu_dashboard_data_compute (KehuStore                *store,
                                                const KehuDashboardQuery *query,
                                                GError                  **error);
void               kehu_dashboard_data_free    (KehuDashboardData        *data);

void               kehu_record_summary_free    (KehuRecordSummary        *summary);
/* Title, owner and amount of one record of @module (the drill filters'
 * module names); %NULL when the module has no summary. */
KehuRecordSummary *kehu_record_summary_load    (KehuStore                *store,
                                                const char               *module,
                                                const char               *id,
                                                GError                  **error);
gboolean           kehu_record_summary_knows   (const char               *module);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuDashboardData, kehu_dashboard_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuRecordSummary, kehu_record_summary_free)

G_END_DECLS
