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
#include "kehu-record.h"
#include "kehu-record-private.h"

/* The field a KEHU_ADMIN_ERROR_INVALID is about, for the server's
 * {"error":{"field":…}} and for editors that mark the widget. */
typedef struct
{
  char *field;
} KehuAdminErrorPrivate;

static void
kehu_admin_error_private_init (KehuAdminErrorPrivate *priv)
{
  priv->field = NULL;
}

static void
kehu_admin_error_private_copy (const KehuAdminErrorPrivate *src,
                               KehuAdminErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
}

static void
kehu_admin_error_private_clear (KehuAdminErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
}

G_DEFINE_EXTENDED_ERROR (KehuAdminError, kehu_admin_error)

/**
 * kehu_admin_error_get_field:
 *
 * Returns: (nullable): the field a KEHU_ADMIN_ERROR is about
 */
const char *
kehu_admin_error_get_field (const GError *error)
{
  KehuAdminErrorPrivate *priv;

  if (error == NULL || error->domain != KEHU_ADMIN_ERROR)
    return NULL;
  priv = kehu_admin_error_get_private (error);
  return priv ? priv->field : NULL;
}

static void G_GNUC_PRINTF (4, 5)
set_field_error (GError         **error,
                 KehuAdminError   code,
                 const char      *field,
                 const char      *format,
                 ...)
{
  g_autofree char *message = NULL;
  GError *new_error;
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  new_error = g_error_new_literal (KEHU_ADMIN_ERROR, code, message);
  if (field)
    kehu_admin_error_get_private (new_error)->field = g_strdup (field);
  g_propagate_error (error, new_error);
}

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



static gboolean
fail (KehuContext *ctx)
{
  kehu_context_rollback (ctx);
  return FALSE;
}

/* Follow-ups ------------------------------------------------------------------ */

/**
 * kehu_admin_add_followup:
 * @ctx: who writes, and when
 * @followed_at: when the contact happened
 * @next_contact_at: (nullable): when to contact again; makes a schedule
 *   entry that reminds %KEHU_ADMIN_REMIND_MINUTES before it
 *
 * Writes the follow-up, its schedule entry and the record's next_contact_at
 * in one transaction, through the record API (whose rules keep the record's
 * last_followup_at and the follow-up's customer).
 */
gboolean
kehu_admin_add_followup (KehuContext  *ctx,
                         const char   *module,
                         const char   *record_id,
                         const char   *method,
                         const char   *content,
                         GDateTime    *followed_at,
                         GDateTime    *next_contact_at,
                         char        **out_id,
                         GError      **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *at_s = kehu_admin_format_time (followed_at);
  g_autofree char *next_s = next_contact_at ? kehu_admin_format_time (next_contact_at) : NULL;
  g_autofree char *content_stripped = g_strstrip (g_strdup (content ? content : ""));
  const char *user_id = kehu_context_get_user_id (ctx);
  gboolean trusted = kehu_context_get_trusted (ctx);

  if (!g_strv_contains (followup_targets, module))
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("Follow-ups cannot be added to “%s”"), module);
      return FALSE;
    }
  if (next_contact_at != NULL && g_date_time_compare (next_contact_at, followed_at) <= 0)
    {
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("The next contact time must be after the follow-up time"));
      return FALSE;
    }

  record = kehu_admin_load_row (store, module, record_id, error);
  if (record == NULL)
    return FALSE;

  json_object_set_string_member (fields, "target_module", module);
  json_object_set_string_member (fields, "target_id", record_id);
  json_object_set_string_member (fields, "method", method ? method : "");
  json_object_set_string_member (fields, "content", content_stripped);
  json_object_set_string_member (fields, "followed_at", at_s);
  if (next_s)
    json_object_set_string_member (fields, "next_contact_at", next_s);
  if (user_id)
    json_object_set_string_member (fields, "owner_id", user_id);

  if (!kehu_context_begin (ctx, error))
    return FALSE;

  id = kehu_record_create (ctx, "followups", fields, error);
  if (id == NULL)
    return fail (ctx);

  if (next_contact_at != NULL)
    {
      g_autoptr(GDateTime) remind = g_date_time_add_minutes (next_contact_at, -KEHU_ADMIN_REMIND_MINUTES);
      g_autofree char *remind_s = kehu_admin_format_time (remind);
      g_autoptr(JsonObject) schedule = json_object_new ();
      const char *title_col = kehu_admin_table_title_column (module);
      const char *name = json_object_get_string_member_with_default (record, title_col, "");
      /* Translators: the title of the schedule entry a follow-up's next
       * contact time makes; %s is the customer, lead… */
      g_autofree char *title = g_strdup_printf (_("Contact %s"), name);
      g_autofree char *schedule_id = NULL;

      json_object_set_string_member (schedule, "title", title);
      json_object_set_string_member (schedule, "description", content_stripped);
      json_object_set_string_member (schedule, "start_at", next_s);
      json_object_set_string_member (schedule, "remind_at", remind_s);
      json_object_set_string_member (schedule, "target_module", module);
      json_object_set_string_member (schedule, "target_id", record_id);
      json_object_set_string_member (schedule, "followup_id", id);
      if (user_id)
        json_object_set_string_member (schedule, "owner_id", user_id);
      /* followup_id is read-only to users; this rule sets it. */
      kehu_context_set_trusted (ctx, TRUE);
      schedule_id = kehu_record_create (ctx, "schedules", schedule, error);
      kehu_context_set_trusted (ctx, trusted);
      if (schedule_id == NULL)
        return fail (ctx);
    }

  /* The record's next contact is the one this follow-up set; one without
   * a next contact time closes the previous plan. */
  if (next_s)
    json_object_set_string_member (changes, "next_contact_at", next_s);
  else
    json_object_set_null_member (changes, "next_contact_at");
  /* A new lead someone followed up is being followed. */
  if (g_str_equal (module, "leads") &&
      g_strcmp0 (json_object_get_string_member_with_default (record, "status", NULL), "new") == 0)
    json_object_set_string_member (changes, "status", "following");

  if (!kehu_record_update (ctx, module, record_id, changes, error) ||
      !kehu_context_commit (ctx, error))
    return fail (ctx);

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

/* reminded_at is this device's bookkeeping of which notifications it has
 * shown, not a user's edit: it is written directly, not logged. */
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

char *
kehu_admin_create_task (KehuContext  *ctx,
                        const char   *parent_id,
                        const char   *name,
                        const char   *description,
                        const char   *due_at,
                        const char   *priority,
                        GError      **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));
  const char *user_id = kehu_context_get_user_id (ctx);

  json_object_set_string_member (fields, "name", stripped);
  if (parent_id)
    json_object_set_string_member (fields, "parent_id", parent_id);
  if (description && *description)
    json_object_set_string_member (fields, "description", description);
  if (due_at && *due_at)
    json_object_set_string_member (fields, "due_at", due_at);
  json_object_set_string_member (fields, "priority", priority ? priority : "none");
  if (user_id)
    json_object_set_string_member (fields, "owner_id", user_id);

  return kehu_record_create (ctx, "tasks", fields, error);
}

/**
 * kehu_admin_update_task:
 * @due_at: (nullable): "YYYY-MM-DD", an ISO 8601 time, or %NULL for none
 * @tags: (nullable): the tags; %NULL leaves them
 */
gboolean
kehu_admin_update_task (KehuContext         *ctx,
                        const char          *task_id,
                        const char          *name,
                        const char          *description,
                        const char          *due_at,
                        const char          *priority,
                        const char * const  *tags,
                        GError             **error)
{
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));

  json_object_set_string_member (changes, "name", stripped);
  if (description && *description)
    json_object_set_string_member (changes, "description", description);
  else
    json_object_set_null_member (changes, "description");
  if (due_at && *due_at)
    json_object_set_string_member (changes, "due_at", due_at);
  else
    json_object_set_null_member (changes, "due_at");
  json_object_set_string_member (changes, "priority", priority ? priority : "none");
  if (tags)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; tags[i]; i++)
        json_array_add_string_element (array, tags[i]);
      json_object_set_array_member (changes, "tags", array);
    }

  return kehu_record_update (ctx, "tasks", task_id, changes, error);
}

gboolean
kehu_admin_set_task_done (KehuContext  *ctx,
                          const char   *task_id,
                          gboolean      done,
                          GError      **error)
{
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *now_s = kehu_context_now_string (ctx);
  gboolean trusted = kehu_context_get_trusted (ctx);
  gboolean ok;

  json_object_set_string_member (changes, "status", done ? "done" : "todo");
  if (done)
    json_object_set_string_member (changes, "done_at", now_s);
  else
    json_object_set_null_member (changes, "done_at");

  /* done_at is read-only to users: it follows the status, set here. */
  kehu_context_set_trusted (ctx, TRUE);
  ok = kehu_record_update (ctx, "tasks", task_id, changes, error);
  kehu_context_set_trusted (ctx, trusted);
  return ok;
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

/* Attachments -------------------------------------------------------------------- */

char *
kehu_admin_add_attachment (KehuContext  *ctx,
                           const char   *blobs_dir,
                           const char   *module,
                           const char   *record_id,
                           GFile        *file,
                           GError      **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFile) dir = g_file_new_for_path (blobs_dir);
  g_autoptr(GFile) blob = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *sha = NULL;
  g_autofree char *now_s = kehu_context_now_string (ctx);
  g_autofree char *size_s = NULL;
  g_autofree char *blob_path = NULL;
  g_autofree char *id = NULL;
  const char *mime;

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

  mime = g_file_info_get_content_type (info);
  size_s = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (bytes));

  json_object_set_string_member (fields, "target_module", module);
  json_object_set_string_member (fields, "target_id", record_id);
  json_object_set_string_member (fields, "name", g_file_info_get_display_name (info));
  if (mime)
    json_object_set_string_member (fields, "mime_type", mime);
  json_object_set_int_member (fields, "size", (gint64) g_bytes_get_size (bytes));
  json_object_set_string_member (fields, "sha256", sha);
  if (kehu_context_get_user_id (ctx))
    json_object_set_string_member (fields, "owner_id", kehu_context_get_user_id (ctx));

  if (!kehu_context_begin (ctx, error))
    return NULL;

  id = kehu_record_create (ctx, "attachments", fields, error);
  if (id == NULL ||
      !EXEC (store, error,
             "INSERT OR IGNORE INTO blobs (sha256, size, path, stored_at) "
             "VALUES (?, CAST (? AS INTEGER), ?, ?)",
             sha, size_s, blob_path, now_s) ||
      !kehu_context_commit (ctx, error))
    {
      fail (ctx);
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
kehu_admin_set_role (KehuContext         *ctx,
                     const char          *role_id,
                     const char * const  *permissions,
                     const char          *data_scope,
                     GError             **error)
{
  g_autoptr(JsonObject) changes = json_object_new ();
  JsonArray *array = json_array_new ();
  KehuDataScope scope;

  if (!kehu_data_scope_from_string (data_scope, &scope))
    {
      json_array_unref (array);
      g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                   _("“%s” is not a data scope"), data_scope);
      return FALSE;
    }

  for (guint i = 0; permissions && permissions[i]; i++)
    json_array_add_string_element (array, permissions[i]);
  json_object_set_array_member (changes, "permissions", array);
  json_object_set_string_member (changes, "data_scope", data_scope);

  if (!kehu_context_begin (ctx, error))
    return FALSE;

  if (!kehu_record_update (ctx, "roles", role_id, changes, error) ||
      /* The server answers the next pull of these users with a reset. */
      !EXEC (kehu_context_get_store (ctx), error,
             "UPDATE users SET scope_epoch = scope_epoch + 1 "
             "WHERE id IN (SELECT user_id FROM user_roles WHERE role_id = ?)",
             role_id) ||
      !kehu_context_commit (ctx, error))
    return fail (ctx);

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

/* Display helpers ------------------------------------------------------------- */

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


/* Settings ----------------------------------------------------------------------- */

static char *
int_text (int value)
{
  /* Negative means "no value": NULL in the table. */
  return value < 0 ? NULL : g_strdup_printf ("%d", value);
}

static char *
clean_text (const char *text)
{
  return g_strstrip (g_strdup (text ? text : ""));
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return kehu_admin_format_time (now);
}

/* Settings writes work alone or inside a caller's transaction: the server
 * adds its operation log and revision in the same one. */
static gboolean
tx_begin (KehuStore  *store,
          gboolean   *nested,
          GError    **error)
{
  *nested = !sqlite3_get_autocommit (kehu_store_get_db (store));
  return kehu_store_exec (store, *nested ? "SAVEPOINT kehu_admin" : "BEGIN IMMEDIATE", error);
}

static gboolean
tx_commit (KehuStore  *store,
           gboolean    nested,
           GError    **error)
{
  return kehu_store_exec (store, nested ? "RELEASE kehu_admin" : "COMMIT", error);
}

static gboolean
tx_fail (KehuStore *store,
         gboolean   nested)
{
  if (nested)
    sqlite3_exec (kehu_store_get_db (store), "ROLLBACK TO kehu_admin; RELEASE kehu_admin", NULL, NULL, NULL);
  else
    kehu_store_rollback (store);
  return FALSE;
}

static gboolean
exists (KehuStore  *store,
        const char *sql,
        const char *a,
        const char *b)
{
  g_autoptr(JsonArray) rows = kehu_admin_query (store, NULL, sql, a, b, NULL);

  return rows != NULL && json_array_get_length (rows) > 0;
}

/* Users -------------------------------------------------------------------------- */

/**
 * kehu_admin_set_user_roles:
 * @role_ids: (array zero-terminated=1) (nullable): every role the user has
 *   from now on; none leaves them only their own records
 *
 * A user may hold several roles: their permissions add up and the widest
 * data scope wins (kehu-perm takes the union of the scopes). The user's
 * scope epoch moves, so their next pull starts over.
 */
gboolean
kehu_admin_set_user_roles (KehuStore           *store,
                           const char          *user_id,
                           const char * const  *role_ids,
                           GError             **error)
{
  gboolean nested;

  if (!exists (store, "SELECT 1 FROM users WHERE id = ?1 AND deleted_at IS NULL", user_id, NULL))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, "user_id",
                       _("There is no user “%s”"), user_id ? user_id : "");
      return FALSE;
    }
  for (guint i = 0; role_ids && role_ids[i]; i++)
    if (!exists (store, "SELECT 1 FROM roles WHERE id = ?1 AND deleted_at IS NULL", role_ids[i], NULL))
      {
        set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "role_ids",
                         _("There is no role “%s”"), role_ids[i]);
        return FALSE;
      }

  if (!tx_begin (store, &nested, error))
    return FALSE;
  if (!EXEC (store, error, "DELETE FROM user_roles WHERE user_id = ?", user_id))
    return tx_fail (store, nested);
  for (guint i = 0; role_ids && role_ids[i]; i++)
    if (!EXEC (store, error, "INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (?, ?)",
               user_id, role_ids[i]))
      return tx_fail (store, nested);
  if (!EXEC (store, error, "UPDATE users SET scope_epoch = scope_epoch + 1 WHERE id = ?", user_id) ||
      !tx_commit (store, nested, error))
    return tx_fail (store, nested);

  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The ids as the server's operation log writes them: a JSON array. */
static char *
role_ids_text (const char * const *role_ids)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; role_ids && role_ids[i]; i++)
    if (!g_ptr_array_find_with_equal_func (sorted, role_ids[i], g_str_equal, NULL))
      g_ptr_array_add (sorted, (gpointer) role_ids[i]);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (sorted, i));
  node = json_node_init_array (json_node_alloc (), array);
  return json_to_string (node, FALSE);
}

/**
 * kehu_admin_change_user_roles:
 * @ctx: who changes the roles; the change goes to the operation log
 *
 * kehu_admin_set_user_roles() as an administrator's change (SPEC §13): one
 * row of the user's operation log, field "role_ids", from the old set to
 * the new one, both sorted. Nothing is logged when the set stays the same.
 * kehu_admin_set_user_roles() alone is for copying the server's state.
 */
gboolean
kehu_admin_change_user_roles (KehuContext         *ctx,
                              const char          *user_id,
                              const char * const  *role_ids,
                              GError             **error)
{
  KehuStore *store = kehu_context_get_store (ctx);
  g_auto(GStrv) before = kehu_admin_dup_user_role_ids (store, user_id, NULL);
  g_autofree char *old_text = role_ids_text ((const char * const *) before);
  g_autofree char *new_text = role_ids_text (role_ids);

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (!kehu_admin_set_user_roles (store, user_id, role_ids, error) ||
      (!g_str_equal (old_text, new_text) &&
       !_kehu_oplog (ctx, "users", user_id, "update", "role_ids", old_text, new_text, error)) ||
      !kehu_context_commit (ctx, error))
    return fail (ctx);

  return TRUE;
}

/**
 * kehu_admin_dup_user_role_ids:
 *
 * Returns: (transfer full): the ids of the user's live roles, sorted
 */
char **
kehu_admin_dup_user_role_ids (KehuStore   *store,
                              const char  *user_id,
                              GError     **error)
{
  g_autoptr(JsonArray) rows = kehu_admin_query (store, error,
    "SELECT ur.role_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
    "WHERE ur.user_id = ? AND r.deleted_at IS NULL ORDER BY ur.role_id", user_id, NULL);
  GStrvBuilder *builder;
  char **ids;

  if (rows == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (rows); i++)
    g_strv_builder_add (builder, json_object_get_string_member (json_array_get_object_element (rows, i), "role_id"));
  ids = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return ids;
}

/* Stages ------------------------------------------------------------------------- */

/* SPEC §6: a won opportunity counts 100 %, a lost or invalid one 0 %. */
static int
terminal_win_rate (const char *kind)
{
  if (g_strcmp0 (kind, "won") == 0)
    return 100;
  if (g_strcmp0 (kind, "lost") == 0 || g_strcmp0 (kind, "invalid") == 0)
    return 0;
  return -1;
}

gboolean
kehu_admin_save_stage (KehuStore   *store,
                       const char  *stage_id,
                       const char  *name,
                       int          win_rate,
                       GError     **error)
{
  g_autofree char *stripped = clean_text (name);
  g_autofree char *rate = NULL;
  g_autoptr(JsonArray) rows = NULL;
  int fixed;

  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "name", _("A stage needs a name"));
      return FALSE;
    }
  if (win_rate < 0 || win_rate > 100)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "win_rate",
                       _("The win rate of “%s” must be between 0 and 100"), stripped);
      return FALSE;
    }
  rows = kehu_admin_query (store, error, "SELECT kind FROM stages WHERE id = ?", stage_id, NULL);
  if (rows == NULL)
    return FALSE;
  if (json_array_get_length (rows) == 0)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL,
                       _("There is no stage “%s”"), stage_id ? stage_id : "");
      return FALSE;
    }
  fixed = terminal_win_rate (json_object_get_string_member (json_array_get_object_element (rows, 0), "kind"));
  if (fixed >= 0 && win_rate != fixed)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "win_rate",
                       _("“%s” closes an opportunity: its win rate stays %d %%"), stripped, fixed);
      return FALSE;
    }

  rate = g_strdup_printf ("%d", win_rate);
  return EXEC (store, error,
               "UPDATE stages SET name = ?, win_rate = CAST (? AS INTEGER) WHERE id = ?",
               stripped, rate, stage_id);
}

/* Swaps @id's position with its neighbour among rows of the same parent. */
static gboolean
move_row (KehuStore   *store,
          const char  *select_sql,
          const char  *update_sql,
          const char  *id,
          int          delta,
          GError     **error)
{
  g_autoptr(JsonArray) rows = NULL;
  gboolean nested;
  int index = -1;
  int other;

  if (!tx_begin (store, &nested, error))
    return FALSE;

  rows = kehu_admin_query (store, error, select_sql, id, NULL);
  if (rows == NULL)
    return tx_fail (store, nested);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (rows, i), "id"), id) == 0)
      index = i;

  if (index < 0)
    {
      tx_fail (store, nested);
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL, _("The record does not exist"));
      return FALSE;
    }
  other = index + delta;
  if (other < 0 || other >= (int) json_array_get_length (rows))
    {
      tx_fail (store, nested);
      return TRUE;   /* already first or last */
    }

  /* Renumber all, so equal positions cannot confuse the order. */
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      guint target = i == (guint) index ? (guint) other : i == (guint) other ? (guint) index : i;
      g_autofree char *pos = g_strdup_printf ("%u", target + 1);
      const char *row_id = json_object_get_string_member (json_array_get_object_element (rows, i), "id");

      if (!EXEC (store, error, update_sql, pos, row_id))
        return tx_fail (store, nested);
    }

  if (!tx_commit (store, nested, error))
    return tx_fail (store, nested);
  return TRUE;
}

gboolean
kehu_admin_move_stage (KehuStore   *store,
                       const char  *stage_id,
                       int          delta,
                       GError     **error)
{
  /* Only open stages move; won, lost and invalid stay at the end. */
  return move_row (store,
                   "SELECT id FROM stages WHERE kind = 'open' AND group_id = "
                   "(SELECT group_id FROM stages WHERE id = ?1) ORDER BY position, id",
                   "UPDATE stages SET position = CAST (? AS INTEGER) WHERE id = ?",
                   stage_id, delta, error);
}

/**
 * kehu_admin_ensure_terminal_stages:
 *
 * Gives the group the stages that close an opportunity (won 100 %, lost
 * 0 %, invalid 0 %) where it lacks them, after its open stages: every
 * group can close an opportunity either way (kehu_rules_win/lose).
 */
gboolean
kehu_admin_ensure_terminal_stages (KehuStore   *store,
                                   const char  *group_id,
                                   GError     **error)
{
  static const struct {
    const char *kind;
    const char *name;
    const char *rate;
  } ends[] = {
    /* The seed's names: the lists show them translated. */
    { "won", N_("Deal won"), "100" },
    { "lost", N_("Deal lost"), "0" },
    { "invalid", N_("Invalid opportunity"), "0" },
  };
  gboolean nested;

  if (!exists (store, "SELECT 1 FROM stage_groups WHERE id = ?1 AND deleted_at IS NULL", group_id, NULL))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, "group_id",
                       _("There is no stage group “%s”"), group_id ? group_id : "");
      return FALSE;
    }

  if (!tx_begin (store, &nested, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      g_autofree char *id = NULL;

      if (exists (store, "SELECT 1 FROM stages WHERE group_id = ?1 AND kind = ?2", group_id, ends[i].kind))
        continue;
      id = g_uuid_string_random ();
      if (!EXEC (store, error,
                 "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES (?1, ?2, ?3, "
                 "CAST (?4 AS INTEGER), (SELECT COALESCE (MAX (position), 0) + 1000 FROM stages WHERE group_id = ?2), ?5)",
                 id, group_id, ends[i].name, ends[i].rate, ends[i].kind))
        return tx_fail (store, nested);
    }
  if (!tx_commit (store, nested, error))
    return tx_fail (store, nested);
  return TRUE;
}

char *
kehu_admin_add_stage (KehuStore   *store,
                      const char  *group_id,
                      const char  *name,
                      int          win_rate,
                      GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  gboolean nested;

  if (!kehu_admin_ensure_terminal_stages (store, group_id, error) ||
      !tx_begin (store, &nested, error))
    return NULL;

  /* The new open stage goes after the other open ones, before the ends. */
  if (!EXEC (store, error,
             "UPDATE stages SET position = position + 1000 WHERE group_id = ? AND kind != 'open'",
             group_id) ||
      !EXEC (store, error,
             "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES (?2, ?1, '-', 0, "
             "(SELECT COALESCE (MAX (position), 0) + 1 FROM stages WHERE group_id = ?1 AND kind = 'open'), 'open')",
             group_id, id) ||
      !kehu_admin_save_stage (store, id, name, win_rate, error) ||
      !tx_commit (store, nested, error))
    {
      tx_fail (store, nested);
      return NULL;
    }

  return g_steal_pointer (&id);
}

/**
 * kehu_admin_remove_stage:
 *
 * Removes an open stage no opportunity is in; a group keeps at least one
 * open stage, and its closing stages stay.
 */
gboolean
kehu_admin_remove_stage (KehuStore   *store,
                         const char  *stage_id,
                         GError     **error)
{
  g_autoptr(JsonObject) stage = kehu_admin_query_one (store, NULL,
    "SELECT s.name, s.kind, (SELECT count (*) FROM stages o WHERE o.group_id = s.group_id AND o.kind = 'open') AS n_open, "
    "(SELECT count (*) FROM opportunities p WHERE p.stage_id = s.id) AS n_used FROM stages s WHERE s.id = ?",
    stage_id, NULL);

  if (stage == NULL)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL,
                       _("There is no stage “%s”"), stage_id ? stage_id : "");
      return FALSE;
    }
  if (g_strcmp0 (json_object_get_string_member (stage, "kind"), "open") != 0)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "kind",
                       _("“%s” closes an opportunity and cannot be removed"),
                       json_object_get_string_member (stage, "name"));
      return FALSE;
    }
  if (json_object_get_int_member (stage, "n_used") > 0)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, NULL,
                       _("Opportunities are in “%s”; move them to another stage first"),
                       json_object_get_string_member (stage, "name"));
      return FALSE;
    }
  if (json_object_get_int_member (stage, "n_open") <= 1)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, NULL,
                       _("A stage group needs at least one open stage"));
      return FALSE;
    }

  return EXEC (store, error, "DELETE FROM stages WHERE id = ?", stage_id);
}

/**
 * kehu_admin_add_stage_group:
 * @ctx: who writes: the group is a record (synced, logged)
 *
 * A new stage group with its closing stages (won, lost, invalid); add its
 * open stages with kehu_admin_add_stage().
 *
 * Returns: (transfer full): the new group's id
 */
char *
kehu_admin_add_stage_group (KehuContext  *ctx,
                            const char   *name,
                            GError      **error)
{
  g_autofree char *stripped = clean_text (name);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *id = NULL;

  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "name", _("A stage group needs a name"));
      return NULL;
    }
  json_object_set_string_member (fields, "name", stripped);

  if (!kehu_context_begin (ctx, error))
    return NULL;
  /* The closing stages come with the group (kehu-rules.c). */
  if (!(id = kehu_record_create (ctx, "stage_groups", fields, error)) ||
      !kehu_context_commit (ctx, error))
    {
      fail (ctx);
      return NULL;
    }

  return g_steal_pointer (&id);
}

/* Custom fields ------------------------------------------------------------------ */

/**
 * kehu_admin_update_custom_field:
 * @label: (nullable): the new label; the field's key in the records'
 *   extra JSON stays, so the values entered stay with it
 * @required: 0 or 1, or -1 to leave it
 * @in_list: 0 or 1 (a column of the lists by default), or -1
 * @enabled: 0 or 1, or -1; a disabled field leaves forms, lists and
 *   filters, and its values are kept for when it comes back
 *
 * The schema picks the change up at its next kehu_schema_reload().
 */
gboolean
kehu_admin_update_custom_field (KehuStore   *store,
                                const char  *field_id,
                                const char  *label,
                                int          required,
                                int          in_list,
                                int          enabled,
                                GError     **error)
{
  g_autoptr(JsonObject) field = kehu_admin_query_one (store, NULL,
    "SELECT module, label FROM custom_fields WHERE id = ?", field_id, NULL);
  g_autofree char *stripped = label ? clean_text (label) : NULL;
  g_autofree char *now = now_text ();
  g_autofree char *req = int_text (required);
  g_autofree char *list = int_text (in_list);
  g_autofree char *on = int_text (enabled);

  if (field == NULL)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL,
                       _("There is no custom field “%s”"), field_id ? field_id : "");
      return FALSE;
    }
  if (stripped != NULL && *stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "label", _("A custom field needs a label"));
      return FALSE;
    }
  if (stripped != NULL)
    {
      g_autoptr(JsonArray) same = kehu_admin_query (store, error,
        "SELECT 1 FROM custom_fields WHERE module = ?1 AND label = ?2 AND id != ?3",
        json_object_get_string_member (field, "module"), stripped, field_id, NULL);

      if (same == NULL)
        return FALSE;
      if (json_array_get_length (same) > 0)
        {
          set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "label",
                           _("Another field of this module is already labelled “%s”"), stripped);
          return FALSE;
        }
    }
  if ((required > 1) || (in_list > 1) || (enabled > 1))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID,
                       required > 1 ? "required" : in_list > 1 ? "in_list" : "is_enabled",
                       _("A yes-or-no setting must be 0 or 1"));
      return FALSE;
    }

  return EXEC (store, error,
               "UPDATE custom_fields SET label = COALESCE (?1, label), "
               "required = COALESCE (CAST (?2 AS INTEGER), required), "
               "in_list = COALESCE (CAST (?3 AS INTEGER), in_list), "
               "is_enabled = COALESCE (CAST (?4 AS INTEGER), is_enabled), updated_at = ?5 WHERE id = ?6",
               stripped, req, list, on, now, field_id);
}

gboolean
kehu_admin_move_custom_field (KehuStore   *store,
                              const char  *field_id,
                              int          delta,
                              GError     **error)
{
  return move_row (store,
                   "SELECT id FROM custom_fields WHERE module = "
                   "(SELECT module FROM custom_fields WHERE id = ?1) ORDER BY position, label, id",
                   "UPDATE custom_fields SET position = CAST (? AS INTEGER) WHERE id = ?",
                   field_id, delta, error);
}

/* Dictionaries ------------------------------------------------------------------- */

/**
 * kehu_admin_add_dictionary:
 *
 * A new list of choices for choice fields, under a fresh stable key.
 *
 * Returns: (transfer full): the new dictionary's id
 */
char *
kehu_admin_add_dictionary (KehuStore   *store,
                           const char  *name,
                           GError     **error)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *id = g_strdup_printf ("dict_%.8s", uuid);
  g_autofree char *stripped = clean_text (name);
  g_autofree char *now = now_text ();

  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "name", _("A dictionary needs a name"));
      return NULL;
    }
  if (!EXEC (store, error,
             "INSERT INTO dictionaries (id, created_at, updated_at, name) VALUES (?1, ?2, ?2, ?3)",
             id, now, stripped))
    return NULL;

  return g_steal_pointer (&id);
}

gboolean
kehu_admin_rename_dictionary (KehuStore   *store,
                              const char  *dictionary_id,
                              const char  *name,
                              GError     **error)
{
  g_autofree char *stripped = clean_text (name);
  g_autofree char *now = now_text ();

  if (!exists (store, "SELECT 1 FROM dictionaries WHERE id = ?1", dictionary_id, NULL))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL,
                       _("There is no dictionary “%s”"), dictionary_id ? dictionary_id : "");
      return FALSE;
    }
  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "name", _("A dictionary needs a name"));
      return FALSE;
    }

  return EXEC (store, error, "UPDATE dictionaries SET name = ?, updated_at = ? WHERE id = ?",
               stripped, now, dictionary_id);
}

gboolean
kehu_admin_save_dictionary_item (KehuStore   *store,
                                 const char  *item_id,
                                 const char  *label,
                                 gboolean     enabled,
                                 GError     **error)
{
  g_autofree char *stripped = clean_text (label);

  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "label", _("An item needs a label"));
      return FALSE;
    }
  if (!exists (store, "SELECT 1 FROM dictionary_items WHERE id = ?1", item_id, NULL))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, NULL,
                       _("There is no dictionary item “%s”"), item_id ? item_id : "");
      return FALSE;
    }

  /* Disabled, never deleted: records keep the value they hold. */
  return EXEC (store, error,
               "UPDATE dictionary_items SET label = ?, is_enabled = CAST (? AS INTEGER) WHERE id = ?",
               stripped, enabled ? "1" : "0", item_id);
}

gboolean
kehu_admin_move_dictionary_item (KehuStore   *store,
                                 const char  *item_id,
                                 int          delta,
                                 GError     **error)
{
  return move_row (store,
                   "SELECT id FROM dictionary_items WHERE dictionary_id = "
                   "(SELECT dictionary_id FROM dictionary_items WHERE id = ?1) ORDER BY position, id",
                   "UPDATE dictionary_items SET position = CAST (? AS INTEGER) WHERE id = ?",
                   item_id, delta, error);
}

char *
kehu_admin_add_dictionary_item (KehuStore   *store,
                                const char  *dictionary_id,
                                const char  *label,
                                GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *stripped = clean_text (label);
  /* The stored value must never change once records hold it: a fresh,
   * stable key rather than the label. */
  g_autofree char *value = g_strdup_printf ("item_%.8s", id);

  if (*stripped == '\0')
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "label", _("An item needs a label"));
      return NULL;
    }
  if (!exists (store, "SELECT 1 FROM dictionaries WHERE id = ?1", dictionary_id, NULL))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_NOT_FOUND, "dictionary_id",
                       _("There is no dictionary “%s”"), dictionary_id ? dictionary_id : "");
      return NULL;
    }

  if (!EXEC (store, error,
             "INSERT INTO dictionary_items (id, dictionary_id, value, label, position) VALUES "
             "(?, ?2, ?, ?, (SELECT COALESCE (MAX (position), 0) + 1 FROM dictionary_items WHERE dictionary_id = ?2))",
             id, dictionary_id, value, stripped))
    return NULL;

  return g_steal_pointer (&id);
}

/* Pools -------------------------------------------------------------------------- */

gboolean
kehu_admin_set_pool_rule (KehuStore   *store,
                          const char  *pool_id,
                          const char  *customer_level,
                          int          no_followup_days,
                          int          no_deal_days,
                          GError     **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *followup = int_text (no_followup_days);
  g_autofree char *deal = int_text (no_deal_days);

  if (!kehu_store_begin (store, error))
    return FALSE;

  if (!EXEC (store, error, "DELETE FROM pool_rules WHERE pool_id = ? AND customer_level IS ?",
             pool_id, customer_level) ||
      ((followup != NULL || deal != NULL) &&
       !EXEC (store, error,
              "INSERT INTO pool_rules (id, pool_id, customer_level, no_followup_days, no_deal_days) "
              "VALUES (?, ?, ?, CAST (? AS INTEGER), CAST (? AS INTEGER))",
              id, pool_id, customer_level, followup, deal)) ||
      !kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return FALSE;
    }

  return TRUE;
}

gboolean
kehu_admin_set_claim_limit (KehuStore   *store,
                            const char  *pool_id,
                            const char  *role_id,
                            int          per_day,
                            int          per_week,
                            int          per_month,
                            GError     **error)
{
  g_autofree char *day = int_text (per_day);
  g_autofree char *week = int_text (per_week);
  g_autofree char *month = int_text (per_month);

  if (day == NULL && week == NULL && month == NULL)
    return EXEC (store, error, "DELETE FROM pool_claim_limits WHERE pool_id = ? AND role_id = ?",
                 pool_id, role_id);

  return EXEC (store, error,
               "INSERT INTO pool_claim_limits (pool_id, role_id, per_day, per_week, per_month) "
               "VALUES (?, ?, CAST (? AS INTEGER), CAST (? AS INTEGER), CAST (? AS INTEGER)) "
               "ON CONFLICT (pool_id, role_id) DO UPDATE SET per_day = excluded.per_day, "
               "per_week = excluded.per_week, per_month = excluded.per_month",
               pool_id, role_id, day, week, month);
}

/* A cache takes the server's answer -------------------------------------------------- */

/* Settings tables a server's answer may be written into. */
static const char * const put_tables[] = {
  "departments", "users", "roles", "custom_fields", "dictionaries", "dictionary_items",
  "stage_groups", "stages", "pools", "approval_flows", NULL
};

static void
bind_member (sqlite3_stmt *stmt,
             int           index,
             JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, index);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    sqlite3_bind_int (stmt, index, json_node_get_boolean (node) ? 1 : 0);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
  else
    {
      /* Arrays and objects (permissions, extra) are stored as JSON text. */
      g_autofree char *text = json_to_string (node, FALSE);
      sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    }
}

/**
 * kehu_admin_put_row:
 * @table: a settings table (departments, users, roles, custom_fields,
 *   dictionaries, dictionary_items, stage_groups, stages, pools,
 *   approval_flows)
 * @row: the server's answer: an object with "id"
 *
 * Writes the members of @row that are columns of @table into a cache:
 * updates the row of that id, or inserts it. Members that are not columns
 * (a user's role_ids) are left to the caller; password hashes never come.
 */
gboolean
kehu_admin_put_row (KehuStore   *store,
                    const char  *table,
                    JsonObject  *row,
                    GError     **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) update = NULL;
  g_autoptr(GString) insert = NULL;
  g_autoptr(GString) values = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *id;
  int rc;

  if (table == NULL || !g_strv_contains (put_tables, table))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "table",
                       _("“%s” is not a settings table"), table ? table : "");
      return FALSE;
    }
  if (row == NULL || !json_object_has_member (row, "id") ||
      (id = json_object_get_string_member_with_default (row, "id", NULL)) == NULL)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "id", _("The server's answer names no id"));
      return FALSE;
    }

  /* Column names come from the table itself, never from the answer. */
  rc = sqlite3_prepare_v2 (db, "SELECT name FROM pragma_table_info (?1)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_str_equal (name, "id") && !g_str_equal (name, "password_hash") &&
          json_object_has_member (row, name))
        g_ptr_array_add (columns, g_strdup (name));
    }
  sqlite3_finalize (stmt);

  update = g_string_new (NULL);
  g_string_printf (update, "UPDATE %s SET ", table);
  insert = g_string_new (NULL);
  g_string_printf (insert, "INSERT INTO %s (id", table);
  values = g_string_new ("VALUES (?1");
  for (guint i = 0; i < columns->len; i++)
    {
      g_string_append_printf (update, "%s%s = ?%u", i ? ", " : "", (char *) columns->pdata[i], i + 2);
      g_string_append_printf (insert, ", %s", (char *) columns->pdata[i]);
      g_string_append_printf (values, ", ?%u", i + 2);
    }
  g_string_append (update, " WHERE id = ?1");
  g_string_append_printf (insert, ") %s)", values->str);

  for (int pass = columns->len > 0 ? 0 : 1; pass < 2; pass++)
    {
      rc = sqlite3_prepare_v2 (db, pass == 0 ? update->str : insert->str, -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        return kehu_store_set_error_from_db (store, rc, error);
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      for (guint i = 0; i < columns->len; i++)
        bind_member (stmt, i + 2, json_object_get_member (row, columns->pdata[i]));
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return kehu_store_set_error_from_db (store, rc, error);
      if (pass == 0 && sqlite3_changes (db) > 0)
        return TRUE;
    }
  return TRUE;
}

/**
 * kehu_admin_drop_row:
 * @table: a settings table, as for kehu_admin_put_row()
 *
 * A cache forgets a row the server deleted.
 */
gboolean
kehu_admin_drop_row (KehuStore   *store,
                     const char  *table,
                     const char  *id,
                     GError     **error)
{
  g_autofree char *sql = NULL;

  if (table == NULL || !g_strv_contains (put_tables, table))
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "table",
                       _("“%s” is not a settings table"), table ? table : "");
      return FALSE;
    }
  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", table);
  return EXEC (store, error, sql, id);
}

/* A pool's lists, replaced as a whole as the server's PUT routes do. */
static const struct {
  const char *table;
  const char *columns[5];
} pool_lists[] = {
  { "pool_members", { "member_type", "member_id", "is_admin", NULL } },
  { "pool_rules", { "customer_level", "no_followup_days", "no_opportunity_days", "no_deal_days", NULL } },
  { "pool_claim_limits", { "role_id", "per_day", "per_week", "per_month", NULL } },
};

/**
 * kehu_admin_put_pool_list:
 * @table: pool_members, pool_rules or pool_claim_limits
 * @items: the server's answer to a PUT /pools/{id}/… (its "items")
 *
 * Replaces @pool_id's rows of @table with @items, in one transaction: a
 * rule or limit the answer no longer has (set back to none) goes.
 */
gboolean
kehu_admin_put_pool_list (KehuStore   *store,
                          const char  *table,
                          const char  *pool_id,
                          JsonArray   *items,
                          GError     **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  g_autoptr(GString) insert = NULL;
  g_autofree char *remove = NULL;
  const char * const *columns = NULL;
  gboolean with_id;
  gboolean nested;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (pool_lists); i++)
    if (g_strcmp0 (pool_lists[i].table, table) == 0)
      columns = pool_lists[i].columns;
  if (columns == NULL)
    {
      set_field_error (error, KEHU_ADMIN_ERROR_INVALID, "table",
                       _("“%s” is not a list of a pool"), table ? table : "");
      return FALSE;
    }
  /* Rules have an id of their own; the server's answer does not give it,
   * and nothing refers to it. */
  with_id = g_str_equal (table, "pool_rules");
  insert = g_string_new (NULL);
  g_string_printf (insert, "INSERT INTO %s (pool_id%s", table, with_id ? ", id" : "");
  while (columns[n] != NULL)
    g_string_append_printf (insert, ", %s", columns[n++]);
  g_string_append (insert, with_id ? ") VALUES (?1, ?2" : ") VALUES (?1");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (insert, ", ?%u", i + 3);
  g_string_append_c (insert, ')');
  remove = g_strdup_printf ("DELETE FROM %s WHERE pool_id = ?", table);

  if (!tx_begin (store, &nested, error))
    return FALSE;
  if (!EXEC (store, error, remove, pool_id))
    return tx_fail (store, nested);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      g_autofree char *id = g_uuid_string_random ();
      sqlite3_stmt *stmt = NULL;
      int rc;

      if (item == NULL)
        continue;
      rc = sqlite3_prepare_v2 (db, insert->str, -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          kehu_store_set_error_from_db (store, rc, error);
          return tx_fail (store, nested);
        }
      sqlite3_bind_text (stmt, 1, pool_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      for (guint c = 0; c < n; c++)
        bind_member (stmt, c + 3, json_object_get_member (item, columns[c]));
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          kehu_store_set_error_from_db (store, rc, error);
          return tx_fail (store, nested);
        }
    }
  if (!tx_commit (store, nested, error))
    return tx_fail (store, nested);
  return TRUE;
}
