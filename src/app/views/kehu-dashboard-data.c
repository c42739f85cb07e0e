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

/* The lists whose records should come most urgent first: the same
 * conditions as kehu_report_work_desk()'s figures (the count and "show all"
 * use those), ordered by date through the date's index. kehu_report_drill_ids()
 * orders by id, which on M made the overdue payment plans alone take 0.7 s.
 * ?1 owners (JSON array or NULL), ?2 scope owners (likewise), ?3 today's
 * local midnight (ISO UTC), ?4 tomorrow's, ?5 today's date, ?6 the date in
 * 31 days. */
typedef struct
{
  const char *module;
  const char *sql;
} UrgentList;

#define OWNERS " AND (?1 IS NULL OR owner_id IN (SELECT value FROM json_each (?1)))" \
               " AND (?2 IS NULL OR owner_id IN (SELECT value FROM json_each (?2)))"

static const UrgentList desk_lists[KEHU_DESK_N_LISTS] = {
  [KEHU_DESK_TASKS] = { "tasks",
    "SELECT id FROM tasks WHERE deleted_at IS NULL AND status = 'todo' AND due_at < ?4" OWNERS
    " ORDER BY due_at, id LIMIT 5" },
  [KEHU_DESK_PLANS] = { "payment_plans",
    "SELECT id FROM payment_plans WHERE deleted_at IS NULL AND status != 'received' AND planned_date < ?6" OWNERS
    " ORDER BY planned_date, id LIMIT 5" },
  [KEHU_DESK_CONTRACTS] = { "contracts",
    "SELECT id FROM contracts WHERE deleted_at IS NULL AND approval_status = 'approved'"
    " AND end_date >= ?5 AND end_date < ?6" OWNERS " ORDER BY end_date, id LIMIT 5" },
};

static char *
owners_json (const char * const *owners)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (owners == NULL)
    return NULL;
  b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; owners[i] != NULL; i++)
    json_builder_add_string_value (b, owners[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
collect_urgent (KehuStore              *store,
                const UrgentList       *list,
                const KehuReportFilter *filter,
                GDateTime              *now,
                GPtrArray              *out,
                GError                **error)
{
  g_autoptr(GTimeZone) tz = filter->tz ? g_time_zone_ref (filter->tz) : g_time_zone_new_utc ();
  g_autoptr(GDateTime) local = g_date_time_to_timezone (now, tz);
  g_autoptr(GDateTime) today = g_date_time_new (tz, g_date_time_get_year (local), g_date_time_get_month (local),
                                                g_date_time_get_day_of_month (local), 0, 0, 0);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (today, 1);
  g_autoptr(GDateTime) in_31 = g_date_time_add_days (today, 31);
  g_autoptr(GDateTime) today_utc = g_date_time_to_utc (today);
  g_autoptr(GDateTime) tomorrow_utc = g_date_time_to_utc (tomorrow);
  g_autofree char *owners = owners_json (filter->owner_ids);
  g_autofree char *scope = owners_json (filter->scope_owner_ids);
  g_autofree char *today_iso = g_date_time_format (today_utc, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *tomorrow_iso = g_date_time_format (tomorrow_utc, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *today_date = g_date_time_format (today, "%Y-%m-%d");
  g_autofree char *in_31_date = g_date_time_format (in_31, "%Y-%m-%d");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), list->sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, owners, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, scope, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, today_iso, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, tomorrow_iso, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, today_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, in_31_date, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);

  for (guint i = 0; i < ids->len; i++)
    {
      KehuRecordSummary *summary = kehu_record_summary_load (store, list->module, g_ptr_array_index (ids, i), error);

      if (summary == NULL)
        return FALSE;
      g_ptr_array_add (out, summary);
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
#define TIMED(part, call) \
  G_STMT_START { \
    gint64 t0 = g_get_monotonic_time (); \
    if ((data->part = (call)) == NULL) \
      return NULL; \
    g_debug ("%s: %" G_GINT64_FORMAT " µs", #part, g_get_monotonic_time () - t0); \
  } G_STMT_END

  TIMED (brief, kehu_report_sales_brief (store, &filter, error));
  TIMED (kpis, kehu_report_kpis (store, &filter, scope, scope_id, error));
  TIMED (funnel, kehu_report_funnel (store, &filter, NULL, error));
  TIMED (trend, kehu_report_trend (store, &trend_filter, scope, scope_id, error));
  TIMED (work_desk, kehu_report_work_desk (store, &filter, query->user_id, query->now, error));
#undef TIMED

  desk = json_node_get_object (data->work_desk);
  for (guint i = 0; i < KEHU_DESK_N_LISTS; i++)
    {
      gint64 t0 = g_get_monotonic_time ();

      data->desk[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_record_summary_free);
      if (desk_lists[i].sql != NULL)
        {
          if (!collect_urgent (store, &desk_lists[i], &filter, query->now, data->desk[i], error))
            return NULL;
        }
      else
        for (guint j = 0; desk_figures[i][j] != NULL; j++)
          if (!collect_desk (store, desk, desk_figures[i][j], data->desk[i], error))
            return NULL;
      g_debug ("work-desk list %u: %" G_GINT64_FORMAT " µs", i, g_get_monotonic_time () - t0);
    }

  data->elapsed_us = g_get_monotonic_time () - started;
  g_debug ("dashboard: %" G_GINT64_FORMAT " µs", data->elapsed_us);
  return g_steal_pointer (&data);
}
