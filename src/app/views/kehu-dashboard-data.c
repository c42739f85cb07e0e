/* kehu-dashboard-data.c: every figure of the dashboard, computed at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-dashboard-data.h"

/* Title, owner and amount of a record; identifiers from the schema, the id
 * bound. */
typedef struct
{
  const char *module;
  const char *sql;
} SummaryQuery;

static const SummaryQuery summary_queries[] = {
  { "leads",
    "SELECT t.name, u.name, NULL FROM leads t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "customers",
    "SELECT t.name, u.name, NULL FROM customers t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "contacts",
    "SELECT t.name, u.name, NULL FROM contacts t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "opportunities",
    "SELECT t.name, u.name, t.amount FROM opportunities t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "contracts",
    "SELECT t.name, u.name, t.amount FROM contracts t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "payments",
    "SELECT COALESCE (t.number, c.name, t.id), u.name, t.amount FROM payments t"
    " LEFT JOIN users u ON u.id = t.owner_id LEFT JOIN customers c ON c.id = t.customer_id WHERE t.id = ?1" },
  { "payment_plans",
    "SELECT COALESCE (c.name, t.id) || ' #' || t.instalment || ' · ' || COALESCE (t.planned_date, ''),"
    " u.name, t.planned_amount - t.received_amount FROM payment_plans t"
    " LEFT JOIN users u ON u.id = t.owner_id LEFT JOIN contracts c ON c.id = t.contract_id WHERE t.id = ?1" },
  { "followups",
    "SELECT substr (t.content, 1, 80), u.name, NULL FROM followups t LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "tasks",
    "SELECT t.name || COALESCE (' · ' || substr (t.due_at, 1, 10), ''), u.name, NULL FROM tasks t"
    " LEFT JOIN users u ON u.id = t.owner_id WHERE t.id = ?1" },
  { "approval_instances",
    "SELECT COALESCE (t.title, t.module), u.name, NULL FROM approval_instances t"
    " LEFT JOIN users u ON u.id = t.submitter_id WHERE t.id = ?1" },
};

static const SummaryQuery *
lookup_query (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (summary_queries); i++)
    if (g_strcmp0 (summary_queries[i].module, module) == 0)
      return &summary_queries[i];
  return NULL;
}

gboolean
kehu_record_summary_knows (const char *module)
{
  return lookup_query (module) != NULL;
}

void
kehu_record_summary_free (KehuRecordSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->module);
  g_free (summary->id);
  g_free (summary->title);
  g_free (summary->owner);
  g_free (summary);
}

KehuRecordSummary *
kehu_record_summary_load (KehuStore   *store,
                          const char  *module,
                          const char  *id,
                          GError     **error)
{
  const SummaryQuery *query = lookup_query (module);
  KehuRecordSummary *summary;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (query == NULL)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("Records of “%s” cannot be listed"), module);
      return NULL;
    }
  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), query->sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);

  summary = g_new0 (KehuRecordSummary, 1);
  summary->module = g_strdup (module);
  summary->id = g_strdup (id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      summary->title = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      summary->owner = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      summary->has_amount = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
      summary->amount = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      kehu_record_summary_free (summary);
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  if (summary->title == NULL)
    summary->title = g_strdup (id);
  return summary;
}

void
kehu_dashboard_data_free (KehuDashboardData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->start, g_date_time_unref);
  g_clear_pointer (&data->end, g_date_time_unref);
  g_clear_pointer (&data->brief, json_node_unref);
  g_clear_pointer (&data->kpis, json_node_unref);
  g_clear_pointer (&data->funnel, json_node_unref);
  g_clear_pointer (&data->trend, json_node_unref);
  g_clear_pointer (&data->work_desk, json_node_unref);
  for (guint i = 0; i < KEHU_DESK_N_LISTS; i++)
    g_clear_pointer (&data->desk[i], g_ptr_array_unref);
  g_free (data);
}

/* Appends the first records of a work-desk figure until the list is full. */
static gboolean
collect_desk (KehuStore  *store,
              JsonObject *desk,
              const char *path,
              GPtrArray  *list,
              GError    **error)
{
  JsonNode *node = NULL;
  g_auto(GStrv) parts = g_strsplit (path, ".", 2);
  g_autoptr(GPtrArray) ids = NULL;
  const char *module;

  if (list->len >= KEHU_DESK_LIST_LENGTH)
    return TRUE;
  if (parts[1] != NULL)
    {
      JsonObject *inner = json_object_get_object_member (desk, parts[0]);
      node = json_object_get_member (json_object_get_object_member (inner, parts[1]), "drill");
    }
  else
    node = json_object_get_member (json_object_get_object_member (desk, parts[0]), "drill");

  module = json_object_get_string_member (json_node_get_object (node), "module");
  ids = kehu_report_drill_ids (store, node, KEHU_DESK_LIST_LENGTH - list->len, error);
  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      KehuRecordSummary *summary = kehu_record_summary_load (store, module, g_ptr_array_index (ids, i), error);

      if (summary == NULL)
        return FALSE;
      g_ptr_array_add (list, summary);
    }
  return TRUE;
}

static const char * const desk_figures[KEHU_DESK_N_LISTS][5] = {
  [KEHU_DESK_TASKS] = { "tasks_overdue", "tasks_today", NULL },
  [KEHU_DESK_PLANS] = { "plans_overdue", "plans_due", NULL },
  [KEHU_DESK_CONTRACTS] = { "contracts_ending", NULL },
  [KEHU_DESK_FOLLOWUPS] = { "followups_due_today.customers", "followups_due_today.opportunities",
                            "followups_due_today.contacts", "followups_due_today.leads", NULL },
  [KEHU_DESK_APPROVALS] = { "approvals_waiting", NULL },
};

/**
 * kehu_dashboard_data_compute:
 *
 * Runs every query of the dashboard on @store (a connection of the calling
 * thread's own).
 *
 * Returns: (transfer full): the figures, or %NULL with @error set
 */
KehuDashboardData *
kehu_dashboard_data_compute (KehuStore                *store,
                             const KehuDashboardQuery *query,
                             GError                  **error)
{
  g_autoptr(KehuDashboardData) data = g_new0 (KehuDashboardData, 1);
  g_auto(GStrv) department_users = NULL;
  const char *one_owner[2] = { query->owner_user_id, NULL };
  KehuReportFilter filter = { 0 };
  KehuReportFilter trend_filter;
  g_autoptr(GDateTime) trend_start = NULL;
  KehuTargetScope scope = KEHU_TARGET_COMPANY;
  const char *scope_id = NULL;
  gint64 started = g_get_monotonic_time ();
  JsonObject *desk;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (query->department_id != NULL)
    {
      department_users = kehu_report_department_user_ids (store, query->department_id, error);
      if (department_users == NULL)
        return NULL;
      filter.owner_ids = (const char * const *) department_users;
      scope = KEHU_TARGET_DEPARTMENT;
      scope_id = query->department_id;
    }
  else if (query->owner_user_id != NULL)
    {
      filter.owner_ids = one_owner;
      scope = KEHU_TARGET_USER;
      scope_id = query->owner_user_id;
    }
  filter.scope_owner_ids = query->scope_owner_ids;
  filter.start = query->start;
  filter.end = query->end;
  filter.tz = query->tz;

  /* The trend shows months: at least the six ending with the period's last
   * month, so that "this week" still shows where the month stands. */
  if (query->start != NULL && query->end != NULL)
    {
      g_autoptr(GTimeZone) tz = query->tz ? g_time_zone_ref (query->tz) : g_time_zone_new_utc ();
      g_autoptr(GDateTime) last = g_date_time_add_seconds (query->end, -1);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (last, tz);
      g_autoptr(GDateTime) month = g_date_time_new (tz, g_date_time_get_year (local),
                                                    g_date_time_get_month (local), 1, 0, 0, 0);
      g_autoptr(GDateTime) six = g_date_time_add_months (month, -5);

      trend_start = g_date_time_compare (six, query->start) < 0 ? g_date_time_ref (six)
                                                                 : g_date_time_ref (query->start);
    }
  trend_filter = filter;
  trend_filter.start = trend_start;

  data->start = query->start ? g_date_time_ref (query->start) : NULL;
  data->end = query->end ? g_date_time_ref (query->end) : NULL;
  if ((data->brief = kehu_report_sales_brief (store, &filter, error)) == NULL ||
      (data->kpis = kehu_report_kpis (store, &filter, scope, scope_id, error)) == NULL ||
      (data->funnel = kehu_report_funnel (store, &filter, NULL, error)) == NULL ||
      (data->trend = kehu_report_trend (store, &trend_filter, scope, scope_id, error)) == NULL ||
      (data->work_desk = kehu_report_work_desk (store, &filter, query->user_id, query->now, error)) == NULL)
    return NULL;

  desk = json_node_get_object (data->work_desk);
  for (guint i = 0; i < KEHU_DESK_N_LISTS; i++)
    {
      data->desk[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_record_summary_free);
      for (guint j = 0; desk_figures[i][j] != NULL; j++)
        if (!collect_desk (store, desk, desk_figures[i][j], data->desk[i], error))
          return NULL;
    }

  data->elapsed_us = g_get_monotonic_time () - started;
  return g_steal_pointer (&data);
}
