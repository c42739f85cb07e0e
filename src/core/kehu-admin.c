/* kehu-admin.c: small store helpers behind the detail page, tasks and settings
 *
 * What the desktop's record detail page, its tasks page and its settings need
 * beyond the generic record API: follow-ups with their schedule entry,
 * reminders that fire once, task grouping, attachments stored by content,
 * role permissions, the recycle bin listing. Every write runs under
 * BEGIN IMMEDIATE and appends its change to the sync outbox in the same
 * transaction, so nothing made offline is lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-admin"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-admin.h"
#include "kehu-perm.h"

G_DEFINE_QUARK (kehu-admin-error-quark, kehu_admin_error)

/* Modules whose rows the recycle bin lists, with the column that names a row. */
static const struct {
  const char *table;
  const char *title;
} tables[] = {
  { "leads", "name" },
  { "customers", "name" },
  { "contacts", "name" },
  { "opportunities", "name" },
  { "contracts", "name" },
  { "payment_plans", "instalment" },
  { "payments", "number" },
  { "invoices", "number" },
  { "products", "name" },
  { "followups", "content" },
  { "tasks", "name" },
  { "schedules", "title" },
  { "attachments", "name" },
};

static const char * const followup_targets[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", NULL
};

const char *
kehu_admin_table_title_column (const char *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_strcmp0 (tables[i].table, table) == 0)
      return tables[i].title;

  return NULL;
}

char *
kehu_admin_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

GDateTime *
kehu_admin_parse_time (const char *text)
{
  if (text == NULL || *text == '\0')
    return NULL;

  return g_date_time_new_from_iso8601 (text, NULL);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           i,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

static JsonObject *
row_to_object (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();
  int n = sqlite3_column_count (stmt);

  for (int i = 0; i < n; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      switch (sqlite3_column_type (stmt, i))
        {
        case SQLITE_INTEGER:
          json_object_set_int_member (object, name, sqlite3_column_int64 (stmt, i));
          break;
        case SQLITE_FLOAT:
          json_object_set_double_member (object, name, sqlite3_column_double (stmt, i));
          break;
        case SQLITE_NULL:
          json_object_set_null_member (object, name);
          break;
        default:
          json_object_set_string_member (object, name, (const char *) sqlite3_column_text (stmt, i));
          break;
        }
    }

  return object;
}

static JsonArray *
query_va (KehuStore   *store,
          GError     **error,
          const char  *sql,
          va_list      args)
{
  sqlite3 *db = kehu_store_get_db (store);
  g_autoptr(JsonArray) rows = json_array_new ();
  sqlite3_stmt *stmt = NULL;
  const char *param;
  int rc;
  int i = 1;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  while ((param = va_arg (args, const char *)) != NULL)
    bind_text (stmt, i++, param);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_array_add_object_element (rows, row_to_object (stmt));

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/**
 * kehu_admin_query:
 * @sql: a constant statement; the NULL-terminated strings after it bind its
 *   parameters in order
 *
 * Returns: (transfer full): the rows as JSON objects keyed by column name
 */
JsonArray *
kehu_admin_query (KehuStore   *store,
                  GError     **error,
                  const char  *sql,
                  ...)
{
  JsonArray *rows;
  va_list args;

  va_start (args, sql);
  rows = query_va (store, error, sql, args);
  va_end (args);

  return rows;
}

/**
 * kehu_admin_query_one:
 *
 * Returns: (transfer full) (nullable): the first row, or %NULL with
 *   KEHU_ADMIN_ERROR_NOT_FOUND when there is none
 */
JsonObject *
kehu_admin_query_one (KehuStore   *store,
                      GError     **error,
                      const char  *sql,
                      ...)
{
  g_autoptr(JsonArray) rows = NULL;
  va_list args;

  va_start (args, sql);
  rows = query_va (store, error, sql, args);
  va_end (args);

  if (rows == NULL)
    return NULL;
  if (json_array_get_length (rows) == 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND,
                   _("The record does not exist"));
      return NULL;
    }

  return json_object_ref (json_array_get_object_element (rows, 0));
}

static gboolean
is_known_table (const char *table)
{
  return kehu_admin_table_title_column (table) != NULL;
}

/**
 * kehu_admin_load_row:
 *
 * Returns: (transfer full): the row of @id in @table, deleted or not
 */
JsonObject *
kehu_admin_load_row (KehuStore   *store,
                     const char  *table,
                     const char  *id,
                     GError     **error)
{
  g_autofree char *sql = NULL;

  if (!is_known_table (table))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Unknown module “%s”"), table);
      return NULL;
    }

  /* The table name comes from the fixed list above, never from user text. */
  sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?", table);
  return kehu_admin_query_one (store, error, sql, id, NULL);
}

static gboolean
exec_bound (KehuStore   *store,
            GError     **error,
            const char  *sql,
            int          n,
            const char * const *params)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);

  for (int i = 0; i < n; i++)
    bind_text (stmt, i + 1, params[i]);

  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);

  return TRUE;
}

#define EXEC(store, error, sql, ...) \
  exec_bound ((store), (error), (sql), \
              G_N_ELEMENTS (((const char *[]) { __VA_ARGS__ })), \
              (const char * const *) ((const char *[]) { __VA_ARGS__ }))

gboolean
kehu_admin_append_outbox (KehuStore   *store,
                          const char  *module,
                          const char  *record_id,
                          const char  *kind,
                          JsonObject  *fields,
                          const char  *now,
                          GError     **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *op_id = g_uuid_string_random ();
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) empty = json_object_new ();
  g_autoptr(JsonObject) rev_row = NULL;
  g_autofree char *base_rev = NULL;

  json_node_set_object (node, fields ? fields : empty);
  json = json_to_string (node, FALSE);

  if (is_known_table (module))
    {
      g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?", module);
      rev_row = kehu_admin_query_one (store, NULL, sql, record_id, NULL);
    }
  base_rev = g_strdup_printf ("%" G_GINT64_FORMAT,
                              rev_row ? json_object_get_int_member (rev_row, "rev") : 0);

  return EXEC (store, error,
               "INSERT INTO sync_outbox (op_id, module, record_id, kind, fields, base_rev, created_at) "
               "VALUES (?, ?, ?, ?, ?, CAST (? AS INTEGER), ?)",
               op_id, module, record_id, kind, json, base_rev, now);
}

static gboolean
fail (KehuStore *store)
{
  kehu_store_rollback (store);
  return FALSE;
}

/* Follow-ups ------------------------------------------------------------------ */

/**
 * kehu_admin_add_followup:
 * @followed_at: when the contact happened
 * @next_contact_at: (nullable): when to contact again; makes a schedule
 *   entry that reminds %KEHU_ADMIN_REMIND_MINUTES before it
 *
 * Writes the follow-up, the schedule entry, and the record's
 * last_followup_at (when this one is the latest) and next_contact_at.
 */
gboolean
kehu_admin_add_followup (KehuStore   *store,
                         const char  *user_id,
                         const char  *module,
                         const char  *record_id,
                         const char  *method,
                         const char  *content,
                         GDateTime   *followed_at,
                         GDateTime   *next_contact_at,
                         GDateTime   *now,
                         char       **out_id,
                         GError     **error)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *at_s = kehu_admin_format_time (followed_at);
  g_autofree char *next_s = next_contact_at ? kehu_admin_format_time (next_contact_at) : NULL;
  g_autofree char *sql = NULL;
  g_autofree char *content_stripped = g_strstrip (g_strdup (content ? content : ""));
  const char *customer_id = NULL;
  const char *last = NULL;

  if (!g_strv_contains (followup_targets, module))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Follow-ups cannot be added to “%s”"), module);
      return FALSE;
    }
  if (method == NULL || *method == '\0')
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Choose how you followed up"));
      return FALSE;
    }
  if (*content_stripped == '\0')
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Write what was said or done in the follow-up"));
      return FALSE;
    }
  if (next_contact_at != NULL && g_date_time_compare (next_contact_at, followed_at) <= 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The next contact time must be after the follow-up time"));
      return FALSE;
    }

  if (!kehu_store_begin (store, error))
    return FALSE;

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return fail (store);
  if (!json_object_get_null_member (record, "deleted_at"))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND,
                   _("The record is in the recycle bin"));
      return fail (store);
    }

  if (g_str_equal (module, "customers"))
    customer_id = record_id;
  else if (json_object_has_member (record, "customer_id"))
    customer_id = json_object_get_string_member_with_default (record, "customer_id", NULL);

  if (!EXEC (store, error,
             "INSERT INTO followups (id, created_at, updated_at, created_by, owner_id, "
             "target_module, target_id, customer_id, method, content, followed_at, next_contact_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             id, now_s, now_s, user_id, user_id, module, record_id, customer_id, method,
             content_stripped, at_s, next_s))
    return fail (store);

  json_object_set_string_member (fields, "target_module", module);
  json_object_set_string_member (fields, "target_id", record_id);
  json_object_set_string_member (fields, "method", method);
  json_object_set_string_member (fields, "content", content_stripped);
  json_object_set_string_member (fields, "followed_at", at_s);
  if (next_s)
    json_object_set_string_member (fields, "next_contact_at", next_s);
  if (!kehu_admin_append_outbox (store, "followups", id, "create", fields, now_s, error))
    return fail (store);

  if (next_contact_at != NULL)
    {
      g_autoptr(GDateTime) remind = g_date_time_add_minutes (next_contact_at, -KEHU_ADMIN_REMIND_MINUTES);
      g_autofree char *remind_s = kehu_admin_format_time (remind);
      g_autofree char *schedule_id = g_uuid_string_random ();
      const char *title_col = kehu_admin_table_title_column (module);
      const char *name = json_object_get_string_member_with_default (record, title_col, "");
      /* Translators: the title of the schedule entry a follow-up's next
       * contact time makes; %s is the customer, lead… */
      g_autofree char *title = g_strdup_printf (_("Contact %s"), name);
      g_autoptr(JsonObject) sfields = json_object_new ();

      if (!EXEC (store, error,
                 "INSERT INTO schedules (id, created_at, updated_at, created_by, owner_id, title, "
                 "description, start_at, remind_at, target_module, target_id, followup_id) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 schedule_id, now_s, now_s, user_id, user_id, title, content_stripped,
                 next_s, remind_s, module, record_id, id))
        return fail (store);

      json_object_set_string_member (sfields, "title", title);
      json_object_set_string_member (sfields, "start_at", next_s);
      json_object_set_string_member (sfields, "remind_at", remind_s);
      json_object_set_string_member (sfields, "followup_id", id);
      if (!kehu_admin_append_outbox (store, "schedules", schedule_id, "create", sfields, now_s, error))
        return fail (store);
    }

  /* A follow-up entered late for an earlier date does not move the record's
   * last follow-up backwards. */
  last = json_object_get_string_member_with_default (record, "last_followup_at", NULL);
  if (last == NULL || g_strcmp0 (last, at_s) < 0)
    last = at_s;

  sql = g_strdup_printf ("UPDATE %s SET last_followup_at = ?, next_contact_at = ?, updated_at = ? "
                         "WHERE id = ?", module);
  if (!EXEC (store, error, sql, last, next_s, now_s, record_id))
    return fail (store);

  {
    g_autoptr(JsonObject) rfields = json_object_new ();

    json_object_set_string_member (rfields, "last_followup_at", last);
    if (next_s)
      json_object_set_string_member (rfields, "next_contact_at", next_s);
    else
      json_object_set_null_member (rfields, "next_contact_at");
    if (!kehu_admin_append_outbox (store, module, record_id, "update", rfields, now_s, error))
      return fail (store);
  }

  /* A new lead someone followed up is being followed. */
  if (g_str_equal (module, "leads") &&
      g_strcmp0 (json_object_get_string_member_with_default (record, "status", NULL), "new") == 0)
    {
      if (!EXEC (store, error, "UPDATE leads SET status = 'following' WHERE id = ?", record_id))
        return fail (store);
    }

  if (!kehu_store_commit (store, error))
    return fail (store);

  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

/**
 * kehu_admin_list_timeline:
 *
 * Returns: (transfer full): the follow-ups of the record (for a customer,
 *   also those of its contacts, opportunities and contracts), its schedule
 *   entries, linked tasks and operation log entries, newest first. Each item
 *   has kind (followup, schedule, task, log), at, and the row's fields.
 */
JsonArray *
kehu_admin_list_timeline (KehuStore   *store,
                          const char  *module,
                          const char  *record_id,
                          GError     **error)
{
  gboolean customer = g_strcmp0 (module, "customers") == 0;

  return kehu_admin_query (store, error,
    "SELECT * FROM ("
    " SELECT 'followup' AS kind, f.followed_at AS at, f.id, f.method, f.content AS text,"
    "   f.next_contact_at, f.owner_id AS user_id, f.target_module, f.target_id, u.name AS user_name"
    " FROM followups f LEFT JOIN users u ON u.id = f.owner_id"
    " WHERE f.deleted_at IS NULL AND ((f.target_module = ?1 AND f.target_id = ?2)"
    "   OR (?3 = '1' AND f.customer_id = ?2))"
    " UNION ALL"
    " SELECT 'schedule', s.start_at, s.id, NULL, s.title, NULL, s.owner_id, s.target_module, s.target_id, NULL"
    " FROM schedules s WHERE s.deleted_at IS NULL AND s.target_module = ?1 AND s.target_id = ?2"
    " UNION ALL"
    " SELECT 'task', COALESCE (t.due_at, t.created_at), t.id, t.status, t.name, NULL, t.owner_id, NULL, NULL, NULL"
    " FROM tasks t JOIN task_links l ON l.task_id = t.id"
    " WHERE t.deleted_at IS NULL AND l.target_module = ?1 AND l.target_id = ?2"
    " UNION ALL"
    " SELECT 'approval', a.submitted_at, a.id, a.status, a.title, NULL, a.submitter_id, a.module, a.record_id, NULL"
    " FROM approval_instances a WHERE a.module = ?1 AND a.record_id = ?2"
    ") ORDER BY at DESC, id DESC",
    module, record_id, customer ? "1" : "0", NULL);
}

/* Reminders -------------------------------------------------------------------- */

JsonArray *
kehu_admin_take_due_reminders (KehuStore   *store,
                               const char  *owner_id,
                               GDateTime   *now,
                               GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autoptr(JsonArray) due = NULL;

  if (!kehu_store_begin (store, error))
    return NULL;

  due = kehu_admin_query (store, error,
                          "SELECT id, title, description, start_at, remind_at, target_module, target_id "
                          "FROM schedules WHERE deleted_at IS NULL AND reminded_at IS NULL "
                          "AND remind_at IS NOT NULL AND remind_at <= ?1 "
                          "AND (?2 IS NULL OR owner_id = ?2 OR owner_id IS NULL) "
                          "ORDER BY remind_at, id",
                          now_s, owner_id, NULL);
  if (due == NULL)
    {
      kehu_store_rollback (store);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (due); i++)
    {
      JsonObject *s = json_array_get_object_element (due, i);
      const char *id = json_object_get_string_member (s, "id");

      if (!EXEC (store, error, "UPDATE schedules SET reminded_at = ? WHERE id = ?", now_s, id))
        {
          kehu_store_rollback (store);
          return NULL;
        }
    }

  if (!kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return NULL;
    }

  return g_steal_pointer (&due);
}

/* Tasks ------------------------------------------------------------------------- */

/**
 * kehu_task_group_for_due:
 * @due_at: (nullable): "YYYY-MM-DD" (a local date) or an ISO 8601 time
 * @tz: the user's time zone: "today" is a local day
 * @overdue: (out) (optional): whether the due time has passed
 */
KehuTaskGroup
kehu_task_group_for_due (const char *due_at,
                         GDateTime  *now,
                         GTimeZone  *tz,
                         gboolean   *overdue)
{
  g_autoptr(GDateTime) local_now = g_date_time_to_timezone (now, tz);
  g_autoptr(GDateTime) due = NULL;
  g_autoptr(GDateTime) today = NULL;
  GDate due_date, today_date;
  int days;

  if (overdue)
    *overdue = FALSE;

  if (due_at == NULL || *due_at == '\0')
    return KEHU_TASK_GROUP_INBOX;

  if (strlen (due_at) == 10)
    {
      /* A date: due at the end of that local day. */
      int y, m, d;

      if (sscanf (due_at, "%d-%d-%d", &y, &m, &d) != 3)
        return KEHU_TASK_GROUP_INBOX;
      due = g_date_time_new (tz, y, m, d, 23, 59, 59);
    }
  else
    {
      g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (due_at, NULL);

      if (parsed == NULL)
        return KEHU_TASK_GROUP_INBOX;
      due = g_date_time_to_timezone (parsed, tz);
    }
  if (due == NULL)
    return KEHU_TASK_GROUP_INBOX;

  if (overdue)
    *overdue = g_date_time_compare (due, now) < 0;

  g_date_clear (&due_date, 1);
  g_date_clear (&today_date, 1);
  g_date_set_dmy (&due_date, g_date_time_get_day_of_month (due),
                  g_date_time_get_month (due), g_date_time_get_year (due));
  g_date_set_dmy (&today_date, g_date_time_get_day_of_month (local_now),
                  g_date_time_get_month (local_now), g_date_time_get_year (local_now));
  days = g_date_days_between (&today_date, &due_date);

  if (days <= 0)
    return KEHU_TASK_GROUP_TODAY;
  if (days <= 7)
    return KEHU_TASK_GROUP_NEXT;
  return KEHU_TASK_GROUP_LATER;
}

static gboolean
check_priority (const char  *priority,
                GError     **error)
{
  static const char * const priorities[] = { "none", "low", "medium", "high", NULL };

  if (priority != NULL && !g_strv_contains (priorities, priority))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("“%s” is not a priority"), priority);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_task_name (const char  *name,
                 GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));

  if (*stripped == '\0')
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("A task needs a name"));
      return FALSE;
    }
  return TRUE;
}

char *
kehu_admin_create_task (KehuStore   *store,
                        const char  *user_id,
                        const char  *parent_id,
                        const char  *name,
                        const char  *description,
                        const char  *due_at,
                        const char  *priority,
                        GDateTime   *now,
                        GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!check_task_name (name, error) || !check_priority (priority, error))
    return NULL;

  if (!kehu_store_begin (store, error))
    return NULL;

  if (!EXEC (store, error,
             "INSERT INTO tasks (id, created_at, updated_at, created_by, owner_id, parent_id, name, "
             "description, due_at, priority, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "(SELECT COALESCE (MAX (position), 0) + 1 FROM tasks))",
             id, now_s, now_s, user_id, user_id, parent_id, name, description,
             due_at && *due_at ? due_at : NULL, priority ? priority : "none"))
    {
      fail (store);
      return NULL;
    }

  json_object_set_string_member (fields, "name", name);
  if (parent_id)
    json_object_set_string_member (fields, "parent_id", parent_id);
  if (!kehu_admin_append_outbox (store, "tasks", id, "create", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    {
      fail (store);
      return NULL;
    }

  return g_steal_pointer (&id);
}

gboolean
kehu_admin_update_task (KehuStore   *store,
                        const char  *task_id,
                        const char  *name,
                        const char  *description,
                        const char  *due_at,
                        const char  *priority,
                        const char  *tags_json,
                        GDateTime   *now,
                        GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!check_task_name (name, error) || !check_priority (priority, error))
    return FALSE;

  if (!kehu_store_begin (store, error))
    return FALSE;

  if (!EXEC (store, error,
             "UPDATE tasks SET name = ?, description = ?, due_at = ?, priority = ?, "
             "tags = COALESCE (?, tags), updated_at = ? WHERE id = ?",
             name, description, due_at && *due_at ? due_at : NULL,
             priority ? priority : "none", tags_json, now_s, task_id))
    return fail (store);

  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "priority", priority ? priority : "none");
  if (!kehu_admin_append_outbox (store, "tasks", task_id, "update", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

gboolean
kehu_admin_set_task_done (KehuStore   *store,
                          const char  *task_id,
                          gboolean     done,
                          GDateTime   *now,
                          GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!kehu_store_begin (store, error))
    return FALSE;

  if (!EXEC (store, error,
             "UPDATE tasks SET status = ?, done_at = ?, updated_at = ? WHERE id = ?",
             done ? "done" : "todo", done ? now_s : NULL, now_s, task_id))
    return fail (store);

  if (sqlite3_changes (kehu_store_get_db (store)) == 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND,
                   _("The task does not exist"));
      return fail (store);
    }

  json_object_set_string_member (fields, "status", done ? "done" : "todo");
  if (!kehu_admin_append_outbox (store, "tasks", task_id, "update", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

gboolean
kehu_admin_add_task_comment (KehuStore   *store,
                             const char  *task_id,
                             const char  *user_id,
                             const char  *content,
                             GDateTime   *now,
                             GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *stripped = g_strstrip (g_strdup (content ? content : ""));

  if (*stripped == '\0')
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The comment is empty"));
      return FALSE;
    }

  return EXEC (store, error,
               "INSERT INTO task_comments (id, task_id, user_id, content, created_at) "
               "VALUES (?, ?, ?, ?, ?)",
               id, task_id, user_id, stripped, now_s);
}

gboolean
kehu_admin_set_task_link (KehuStore   *store,
                          const char  *task_id,
                          const char  *module,
                          const char  *record_id,
                          gboolean     linked,
                          GError     **error)
{
  if (linked)
    return EXEC (store, error,
                 "INSERT OR IGNORE INTO task_links (task_id, target_module, target_id) VALUES (?, ?, ?)",
                 task_id, module, record_id);

  return EXEC (store, error,
               "DELETE FROM task_links WHERE task_id = ? AND target_module = ? AND target_id = ?",
               task_id, module, record_id);
}

gboolean
kehu_admin_set_task_participant (KehuStore   *store,
                                 const char  *task_id,
                                 const char  *user_id,
                                 gboolean     participates,
                                 GError     **error)
{
  if (participates)
    return EXEC (store, error,
                 "INSERT OR IGNORE INTO task_participants (task_id, user_id) VALUES (?, ?)",
                 task_id, user_id);

  return EXEC (store, error,
               "DELETE FROM task_participants WHERE task_id = ? AND user_id = ?",
               task_id, user_id);
}

/* Teams ------------------------------------------------------------------------- */

/**
 * kehu_admin_set_team_member:
 * @access: (nullable): "read" or "write"; %NULL removes the member
 */
gboolean
kehu_admin_set_team_member (KehuStore   *store,
                            const char  *module,
                            const char  *record_id,
                            const char  *user_id,
                            const char  *access,
                            const char  *added_by,
                            GDateTime   *now,
                            GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);

  if (access == NULL)
    return EXEC (store, error,
                 "DELETE FROM team_members WHERE module = ? AND record_id = ? AND user_id = ?",
                 module, record_id, user_id);

  if (!g_str_equal (access, "read") && !g_str_equal (access, "write"))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("“%s” is not a team access"), access);
      return FALSE;
    }

  return EXEC (store, error,
               "INSERT INTO team_members (module, record_id, user_id, access, added_at, added_by) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (module, record_id, user_id) "
               "DO UPDATE SET access = excluded.access",
               module, record_id, user_id, access, now_s, added_by);
}

/* Attachments -------------------------------------------------------------------- */

char *
kehu_admin_add_attachment (KehuStore   *store,
                           const char  *blobs_dir,
                           const char  *module,
                           const char  *record_id,
                           GFile       *file,
                           const char  *user_id,
                           GDateTime   *now,
                           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) dir = g_file_new_for_path (blobs_dir);
  g_autoptr(GFile) blob = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *size_s = NULL;
  g_autofree char *blob_path = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *mime;
  const char *name;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;

  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return NULL;

  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  blob = g_file_get_child (dir, sha);
  blob_path = g_file_get_path (blob);

  if (g_mkdir_with_parents (blobs_dir, 0700) != 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_IO,
                   _("Could not create the folder “%s”"), blobs_dir);
      return NULL;
    }

  /* Content-addressed: the same file attached twice is stored once. */
  if (!g_file_query_exists (blob, NULL) &&
      !g_file_replace_contents (blob, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, error))
    return NULL;

  name = g_file_info_get_display_name (info);
  mime = g_file_info_get_content_type (info);
  size_s = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (bytes));

  if (!kehu_store_begin (store, error))
    return NULL;

  if (!EXEC (store, error,
             "INSERT INTO attachments (id, created_at, updated_at, created_by, owner_id, "
             "target_module, target_id, name, mime_type, size, sha256) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST (? AS INTEGER), ?)",
             id, now_s, now_s, user_id, user_id, module, record_id, name, mime, size_s, sha) ||
      !EXEC (store, error,
             "INSERT OR IGNORE INTO blobs (sha256, size, path, stored_at) "
             "VALUES (?, CAST (? AS INTEGER), ?, ?)",
             sha, size_s, blob_path, now_s))
    {
      fail (store);
      return NULL;
    }

  json_object_set_string_member (fields, "target_module", module);
  json_object_set_string_member (fields, "target_id", record_id);
  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "sha256", sha);
  if (!kehu_admin_append_outbox (store, "attachments", id, "create", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    {
      fail (store);
      return NULL;
    }

  return g_steal_pointer (&id);
}

/**
 * kehu_admin_export_attachment:
 *
 * Copies the attachment's blob out under its real name into @dest_dir, so
 * that another application can open it.
 *
 * Returns: (transfer full): the copy
 */
GFile *
kehu_admin_export_attachment (KehuStore   *store,
                              const char  *blobs_dir,
                              const char  *attachment_id,
                              const char  *dest_dir,
                              GError     **error)
{
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(GFile) blob = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autofree char *safe = NULL;
  const char *sha;

  row = kehu_admin_query_one (store, error,
                              "SELECT name, sha256 FROM attachments WHERE id = ?",
                              attachment_id, NULL);
  if (row == NULL)
    return NULL;

  sha = json_object_get_string_member (row, "sha256");
  blob = g_file_new_build_filename (blobs_dir, sha, NULL);
  if (!g_file_query_exists (blob, NULL))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND,
                   _("The content of “%s” is not on this computer yet"),
                   json_object_get_string_member (row, "name"));
      return NULL;
    }

  /* A folder per blob keeps two attachments of the same name apart. */
  dir = g_file_new_build_filename (dest_dir, sha, NULL);
  if (g_mkdir_with_parents (g_file_peek_path (dir), 0700) != 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_IO,
                   _("Could not create the folder “%s”"), g_file_peek_path (dir));
      return NULL;
    }

  safe = g_strdelimit (g_strdup (json_object_get_string_member (row, "name")), "/", '_');
  dest = g_file_get_child (dir, safe);
  if (!g_file_copy (blob, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&dest);
}

/* Roles -------------------------------------------------------------------------- */

gboolean
kehu_admin_set_role (KehuStore          *store,
                     const char         *role_id,
                     const char * const *permissions,
                     const char         *data_scope,
                     const char         *user_id,
                     GDateTime          *now,
                     GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) old = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *json = NULL;
  g_autofree char *now_s = kehu_admin_format_time (now);
  KehuDataScope scope;

  if (!kehu_data_scope_from_string (data_scope, &scope))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("“%s” is not a data scope"), data_scope);
      return FALSE;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; permissions && permissions[i]; i++)
    json_builder_add_string_value (builder, permissions[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  if (!kehu_store_begin (store, error))
    return FALSE;

  old = kehu_admin_query_one (store, error,
                              "SELECT permissions, data_scope FROM roles WHERE id = ? AND deleted_at IS NULL",
                              role_id, NULL);
  if (old == NULL)
    return fail (store);

  if (!EXEC (store, error,
             "UPDATE roles SET permissions = ?, data_scope = ?, updated_at = ? WHERE id = ?",
             json, data_scope, now_s, role_id) ||
      /* The server answers the next pull of these users with a reset. */
      !EXEC (store, error,
             "UPDATE users SET scope_epoch = scope_epoch + 1 "
             "WHERE id IN (SELECT user_id FROM user_roles WHERE role_id = ?)",
             role_id))
    return fail (store);

  if (g_strcmp0 (json_object_get_string_member (old, "permissions"), json) != 0 &&
      !EXEC (store, error,
             "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
             "VALUES ('roles', ?, ?, ?, 'update', 'permissions', ?, ?)",
             role_id, user_id, now_s, json_object_get_string_member (old, "permissions"), json))
    return fail (store);
  if (g_strcmp0 (json_object_get_string_member (old, "data_scope"), data_scope) != 0 &&
      !EXEC (store, error,
             "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
             "VALUES ('roles', ?, ?, ?, 'update', 'data_scope', ?, ?)",
             role_id, user_id, now_s, json_object_get_string_member (old, "data_scope"), data_scope))
    return fail (store);

  json_object_set_string_member (fields, "permissions", json);
  json_object_set_string_member (fields, "data_scope", data_scope);
  if (!kehu_admin_append_outbox (store, "roles", role_id, "update", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

/* The recycle bin --------------------------------------------------------------- */

JsonArray *
kehu_admin_list_deleted (KehuStore  *store,
                         GError    **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT * FROM (");

  /* Identifiers from the fixed table list; no user text in the SQL. */
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      if (i > 0)
        g_string_append (sql, " UNION ALL ");
      g_string_append_printf (sql,
                              "SELECT '%s' AS module, id, CAST (%s AS TEXT) AS title, deleted_at, owner_id "
                              "FROM %s WHERE deleted_at IS NOT NULL",
                              tables[i].table, tables[i].title, tables[i].table);
    }
  g_string_append (sql, ") ORDER BY deleted_at DESC, id");

  return kehu_admin_query (store, error, sql->str, NULL);
}

/* Record writes ----------------------------------------------------------------- */

static gboolean
log_op (KehuStore   *store,
        const char  *module,
        const char  *record_id,
        const char  *user_id,
        const char  *now,
        const char  *action,
        const char  *field,
        const char  *old_value,
        const char  *new_value,
        GError     **error)
{
  return EXEC (store, error,
               "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               module, record_id, user_id, now, action, field, old_value, new_value);
}

static char *
dup_member_text (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return json_to_string (node, FALSE);
}

static gboolean
valid_date (const char *text)
{
  int y, m, d;
  char tail;

  return strlen (text) == 10 && sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
         g_date_valid_dmy (d, m, y);
}

/* Checks @value (text as a user typed it, already normalised: money in
 * cents, booleans 0/1) against @field. */
static gboolean
check_value (KehuStore       *store,
             const KehuField *field,
             const char      *value,
             GError         **error)
{
  const char *label = kehu_field_get_label (field);

  if (value == NULL || *value == '\0')
    {
      if (field->flags & (KEHU_FIELD_REQUIRED | KEHU_FIELD_NOT_NULL))
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” is required"), label);
          return FALSE;
        }
      return TRUE;
    }

  switch (field->type)
    {
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_MONEY:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_QUANTITY:
      {
        char *end = NULL;
        gint64 v = g_ascii_strtoll (value, &end, 10);

        if (end == NULL || *end != '\0' || end == value)
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” must be a number"), label);
            return FALSE;
          }
        if (field->type == KEHU_FIELD_PERCENT && (v < 0 || v > 100))
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” must be between 0 and 100"), label);
            return FALSE;
          }
        if (field->type == KEHU_FIELD_MONEY && v < 0)
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” cannot be negative"), label);
            return FALSE;
          }
      }
      break;
    case KEHU_FIELD_NUMBER:
      {
        char *end = NULL;
        g_ascii_strtod (value, &end);
        if (end == NULL || *end != '\0' || end == value)
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” must be a number"), label);
            return FALSE;
          }
      }
      break;
    case KEHU_FIELD_DATE:
      if (!valid_date (value))
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” must be a date like 2026-03-31"), label);
          return FALSE;
        }
      break;
    case KEHU_FIELD_DATETIME:
      {
        g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (value, NULL);
        if (t == NULL)
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” must be a date and time"), label);
            return FALSE;
          }
      }
      break;
    case KEHU_FIELD_EMAIL:
      if (strchr (value, '@') == NULL || strchr (value, '@') == value ||
          strchr (strchr (value, '@'), '.') == NULL)
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” must be an e-mail address like name@example.com"), label);
          return FALSE;
        }
      break;
    case KEHU_FIELD_PHONE:
      for (const char *p = value; *p; p++)
        if (!g_ascii_isdigit (*p) && !strchr ("+-() ", *p))
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” may only contain digits, spaces and + - ( )"), label);
            return FALSE;
          }
      break;
    case KEHU_FIELD_BOOLEAN:
      if (!g_str_equal (value, "0") && !g_str_equal (value, "1"))
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” must be yes or no"), label);
          return FALSE;
        }
      break;
    case KEHU_FIELD_ENUM:
      if (field->choices && !g_strv_contains (field->choices, value))
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” is not a value of “%s”"), value, label);
          return FALSE;
        }
      break;
    case KEHU_FIELD_CHOICE:
      {
        g_autoptr(JsonObject) item = kehu_admin_query_one (store, NULL,
          "SELECT 1 FROM dictionary_items WHERE dictionary_id = ? AND value = ?",
          field->dictionary, value, NULL);
        if (item == NULL)
          {
            g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                         _("“%s” is not a value of “%s”"), value, label);
            return FALSE;
          }
      }
      break;
    default:
      break;
    }

  return TRUE;
}

gboolean
kehu_admin_update_field (KehuSchema  *schema,
                         const char  *module,
                         const char  *record_id,
                         const char  *field_name,
                         const char  *value,
                         const char  *user_id,
                         GDateTime   *now,
                         GError     **error)
{
  KehuStore *store = kehu_schema_get_store (schema);
  const KehuModule *m;
  const KehuField *field;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *old = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *now_s = kehu_admin_format_time (now);
  gboolean numeric;

  m = kehu_schema_lookup_module (schema, module, error);
  if (m == NULL)
    return FALSE;
  field = kehu_module_lookup_field (m, field_name);
  if (field == NULL || (field->flags & (KEHU_FIELD_READ_ONLY | KEHU_FIELD_HIDDEN | KEHU_FIELD_SYSTEM)) != 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The field “%s” cannot be edited"), field_name);
      return FALSE;
    }
  if (value != NULL && *value == '\0')
    value = NULL;
  if (!check_value (store, field, value, error))
    return FALSE;

  if (!kehu_store_begin (store, error))
    return FALSE;

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return fail (store);

  numeric = kehu_field_type_is_numeric (field->type) || field->type == KEHU_FIELD_BOOLEAN;

  if (field->flags & KEHU_FIELD_CUSTOM)
    {
      const char *extra = json_object_get_string_member_with_default (record, "extra", "{}");
      g_autoptr(JsonNode) root = json_from_string (extra, NULL);
      g_autoptr(JsonNode) out = NULL;
      JsonObject *obj;
      g_autofree char *json = NULL;

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_clear_pointer (&root, json_node_unref);
          root = json_node_init_object (json_node_alloc (), json_object_new ());
        }
      obj = json_node_get_object (root);
      old = dup_member_text (obj, field->name);
      if (value == NULL)
        json_object_remove_member (obj, field->name);
      else if (field->type == KEHU_FIELD_MONEY || field->type == KEHU_FIELD_INTEGER)
        json_object_set_int_member (obj, field->name, g_ascii_strtoll (value, NULL, 10));
      else if (field->type == KEHU_FIELD_NUMBER)
        json_object_set_double_member (obj, field->name, g_ascii_strtod (value, NULL));
      else if (field->type == KEHU_FIELD_BOOLEAN)
        json_object_set_boolean_member (obj, field->name, g_str_equal (value, "1"));
      else
        json_object_set_string_member (obj, field->name, value);
      json = json_to_string (root, FALSE);

      sql = g_strdup_printf ("UPDATE %s SET extra = ?, updated_at = ? WHERE id = ?", module);
      if (!EXEC (store, error, sql, json, now_s, record_id))
        return fail (store);
    }
  else
    {
      old = dup_member_text (record, field->name);
      /* Column names come from the schema description. */
      sql = numeric
        ? g_strdup_printf ("UPDATE %s SET %s = CAST (? AS INTEGER), updated_at = ? WHERE id = ?",
                           module, field->name)
        : g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ? WHERE id = ?", module, field->name);
      if (!EXEC (store, error, sql, value, now_s, record_id))
        return fail (store);
    }

  if (g_strcmp0 (old, value) != 0 &&
      !log_op (store, module, record_id, user_id, now_s, "update", field->name, old, value, error))
    return fail (store);

  if (value)
    json_object_set_string_member (fields, field->name, value);
  else
    json_object_set_null_member (fields, field->name);
  if (!kehu_admin_append_outbox (store, module, record_id, "update", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

static gboolean
set_deleted (KehuStore   *store,
             const char  *module,
             const char  *record_id,
             const char  *deleted_at,
             const char  *user_id,
             GDateTime   *now,
             GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) record = NULL;

  if (!kehu_store_begin (store, error))
    return FALSE;

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return fail (store);

  if (deleted_at == NULL)
    {
      /* A restored record must not point at a parent that is gone. */
      static const struct { const char *module, *column, *parent; } parents[] = {
        { "contacts", "customer_id", "customers" },
        { "opportunities", "customer_id", "customers" },
        { "contracts", "customer_id", "customers" },
        { "payment_plans", "contract_id", "contracts" },
        { "payments", "contract_id", "contracts" },
        { "invoices", "contract_id", "contracts" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (parents); i++)
        {
          const char *parent_id;
          g_autoptr(JsonObject) parent = NULL;

          if (!g_str_equal (parents[i].module, module))
            continue;
          parent_id = json_object_get_string_member_with_default (record, parents[i].column, NULL);
          if (parent_id == NULL)
            continue;
          parent = kehu_admin_load_row (store, parents[i].parent, parent_id, NULL);
          if (parent == NULL || !json_object_get_null_member (parent, "deleted_at"))
            {
              g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                           _("“%s” cannot be restored: its %s is deleted; restore that first"),
                           json_object_get_string_member_with_default (record, kehu_admin_table_title_column (module), ""),
                           g_str_equal (parents[i].parent, "customers") ? _("customer") : _("contract"));
              return fail (store);
            }
        }
    }

  sql = g_strdup_printf ("UPDATE %s SET deleted_at = ?, updated_at = ? WHERE id = ?", module);
  if (!EXEC (store, error, sql, deleted_at, now_s, record_id) ||
      !log_op (store, module, record_id, user_id, now_s, deleted_at ? "delete" : "restore",
               NULL, NULL, NULL, error) ||
      !kehu_admin_append_outbox (store, module, record_id, deleted_at ? "delete" : "restore",
                                 NULL, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

gboolean
kehu_admin_delete_record (KehuStore   *store,
                          const char  *module,
                          const char  *record_id,
                          const char  *user_id,
                          GDateTime   *now,
                          GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);

  return set_deleted (store, module, record_id, now_s, user_id, now, error);
}

gboolean
kehu_admin_restore_record (KehuStore   *store,
                           const char  *module,
                           const char  *record_id,
                           const char  *user_id,
                           GDateTime   *now,
                           GError     **error)
{
  return set_deleted (store, module, record_id, NULL, user_id, now, error);
}

gboolean
kehu_admin_purge_record (KehuStore   *store,
                         const char  *module,
                         const char  *record_id,
                         const char  *user_id,
                         GDateTime   *now,
                         GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) record = NULL;

  if (!kehu_store_begin (store, error))
    return FALSE;

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return fail (store);
  if (json_object_get_null_member (record, "deleted_at"))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Only records in the recycle bin can be purged"));
      return fail (store);
    }

  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", module);
  if (!EXEC (store, error, sql, record_id) ||
      !log_op (store, module, record_id, user_id, now_s, "purge", NULL, NULL, NULL, error) ||
      !kehu_admin_append_outbox (store, module, record_id, "action", NULL, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

gboolean
kehu_admin_transfer_record (KehuStore   *store,
                            const char  *module,
                            const char  *record_id,
                            const char  *new_owner_id,
                            const char  *user_id,
                            GDateTime   *now,
                            GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) owner = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!kehu_store_begin (store, error))
    return FALSE;

  owner = kehu_admin_query_one (store, NULL,
                                "SELECT id FROM users WHERE id = ? AND is_enabled = 1 AND deleted_at IS NULL",
                                new_owner_id, NULL);
  if (owner == NULL)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The new owner is not an enabled user"));
      return fail (store);
    }

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return fail (store);

  sql = g_str_equal (module, "customers")
    ? g_strdup ("UPDATE customers SET owner_id = ?, owned_since = ?2, updated_at = ?2 WHERE id = ?3")
    : g_strdup_printf ("UPDATE %s SET owner_id = ?, updated_at = ? WHERE id = ?", module);
  if (!EXEC (store, error, sql, new_owner_id, now_s, record_id) ||
      !log_op (store, module, record_id, user_id, now_s, "transfer", "owner_id",
               json_object_get_string_member_with_default (record, "owner_id", NULL),
               new_owner_id, error))
    return fail (store);

  json_object_set_string_member (fields, "owner_id", new_owner_id);
  if (!kehu_admin_append_outbox (store, module, record_id, "action", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

gboolean
kehu_admin_set_locked (KehuStore   *store,
                       const char  *customer_id,
                       gboolean     locked,
                       const char  *user_id,
                       GDateTime   *now,
                       GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!kehu_store_begin (store, error))
    return FALSE;

  if (!EXEC (store, error, "UPDATE customers SET is_locked = CAST (? AS INTEGER), updated_at = ? WHERE id = ?",
             locked ? "1" : "0", now_s, customer_id) ||
      !log_op (store, "customers", customer_id, user_id, now_s, locked ? "lock" : "unlock",
               "is_locked", locked ? "0" : "1", locked ? "1" : "0", error))
    return fail (store);

  json_object_set_boolean_member (fields, "is_locked", locked);
  if (!kehu_admin_append_outbox (store, "customers", customer_id, "action", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}

char *
kehu_admin_convert_lead (KehuStore   *store,
                         const char  *lead_id,
                         const char  *user_id,
                         GDateTime   *now,
                         GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *customer_id = g_uuid_string_random ();
  g_autofree char *contact_id = g_uuid_string_random ();
  g_autofree char *key = NULL;
  g_autoptr(JsonObject) lead = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();

  if (!kehu_store_begin (store, error))
    return NULL;

  lead = kehu_admin_load_row (store, "leads", lead_id, error);
  if (lead == NULL)
    {
      fail (store);
      return NULL;
    }
  if (g_strcmp0 (json_object_get_string_member (lead, "status"), "converted") == 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The lead “%s” is already converted"), json_object_get_string_member (lead, "name"));
      fail (store);
      return NULL;
    }

  key = kehu_schema_normalize_name (json_object_get_string_member (lead, "name"));

  /* The lead's data is carried over (SPEC.md §2). */
  if (!EXEC (store, error,
             "INSERT INTO customers (id, created_at, updated_at, created_by, owner_id, extra, name, "
             "level, source, industry, region, address, phone, email, owned_since, remark, name_key, "
             "last_followup_at, next_contact_at) "
             "SELECT ?, ?2, ?2, ?, owner_id, extra, name, level, source, industry, region, address, "
             "COALESCE (phone, mobile), email, ?2, remark, ?, last_followup_at, next_contact_at "
             "FROM leads WHERE id = ?",
             customer_id, now_s, user_id, key, lead_id) ||
      !EXEC (store, error,
             "INSERT INTO contacts (id, created_at, updated_at, created_by, owner_id, customer_id, "
             "name, phone, mobile, email, is_primary) "
             "SELECT ?, ?, ?2, ?, owner_id, ?, contact_name, phone, mobile, email, 1 "
             "FROM leads WHERE id = ? AND contact_name IS NOT NULL AND contact_name != ''",
             contact_id, now_s, user_id, customer_id, lead_id) ||
      !EXEC (store, error,
             "UPDATE leads SET status = 'converted', converted_customer_id = ?, converted_at = ?, "
             "updated_at = ?2 WHERE id = ?",
             customer_id, now_s, lead_id) ||
      !log_op (store, "leads", lead_id, user_id, now_s, "convert", "status",
               json_object_get_string_member (lead, "status"), "converted", error) ||
      !log_op (store, "customers", customer_id, user_id, now_s, "create", NULL, NULL, NULL, error))
    {
      fail (store);
      return NULL;
    }

  json_object_set_string_member (fields, "customer_id", customer_id);
  if (!kehu_admin_append_outbox (store, "leads", lead_id, "action", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    {
      fail (store);
      return NULL;
    }

  return g_steal_pointer (&customer_id);
}

/* Whole days from @since to @now: 23 hours count as 0. */
int
kehu_admin_dwell_days (const char *since,
                       GDateTime  *now)
{
  g_autoptr(GDateTime) start = kehu_admin_parse_time (since);

  if (start == NULL)
    return 0;

  return (int) MAX (0, g_date_time_difference (now, start) / G_TIME_SPAN_DAY);
}

gboolean
kehu_admin_change_stage (KehuStore   *store,
                         const char  *opportunity_id,
                         const char  *stage_id,
                         const char  *reason,
                         const char  *user_id,
                         GDateTime   *now,
                         GError     **error)
{
  g_autofree char *now_s = kehu_admin_format_time (now);
  g_autofree char *dwell = NULL;
  g_autoptr(JsonObject) opp = NULL;
  g_autoptr(JsonObject) stage = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  const char *since;
  const char *kind;

  if (!kehu_store_begin (store, error))
    return FALSE;

  opp = kehu_admin_load_row (store, "opportunities", opportunity_id, error);
  if (opp == NULL)
    return fail (store);

  stage = kehu_admin_query_one (store, NULL,
                                "SELECT id, kind, group_id FROM stages WHERE id = ?", stage_id, NULL);
  if (stage == NULL ||
      g_strcmp0 (json_object_get_string_member (stage, "group_id"),
                 json_object_get_string_member_with_default (opp, "stage_group_id", NULL)) != 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The stage is not one of the opportunity’s stage group"));
      return fail (store);
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (opp, "stage_id", NULL), stage_id) == 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The opportunity is already in this stage"));
      return fail (store);
    }

  kind = json_object_get_string_member (stage, "kind");
  if (g_str_equal (kind, "lost") && (reason == NULL || *reason == '\0'))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Say why the opportunity was lost"));
      return fail (store);
    }

  since = json_object_get_string_member_with_default (opp, "stage_changed_at", NULL);
  if (since == NULL)
    since = json_object_get_string_member (opp, "created_at");
  dwell = g_strdup_printf ("%d", kehu_admin_dwell_days (since, now));

  if (!EXEC (store, error,
             "INSERT INTO opportunity_stage_history (opportunity_id, from_stage_id, to_stage_id, "
             "changed_at, changed_by, dwell_days, reason) VALUES (?, ?, ?, ?, ?, CAST (? AS INTEGER), ?)",
             opportunity_id, json_object_get_string_member_with_default (opp, "stage_id", NULL),
             stage_id, now_s, user_id, dwell, reason) ||
      !EXEC (store, error,
             "UPDATE opportunities SET stage_id = ?, status = ?, stage_changed_at = ?, "
             "lost_reason = CASE WHEN ?2 = 'lost' THEN ? ELSE lost_reason END, updated_at = ?3 WHERE id = ?",
             stage_id, kind, now_s, reason, opportunity_id) ||
      !log_op (store, "opportunities", opportunity_id, user_id, now_s, "update", "stage_id",
               json_object_get_string_member_with_default (opp, "stage_id", NULL), stage_id, error))
    return fail (store);

  json_object_set_string_member (fields, "stage_id", stage_id);
  if (!kehu_admin_append_outbox (store, "opportunities", opportunity_id, "action", fields, now_s, error) ||
      !kehu_store_commit (store, error))
    return fail (store);

  return TRUE;
}
