/* kehu-report.c: dashboard figures and reports, computed in SQL on the store
 *
 * No GTK here: the server serves the same figures the app draws. Every
 * result is a JsonNode; every figure in it is an object
 *   {"value": <int64>, "drill": <filter>}
 * where <filter> lists the records behind the figure (the form is that of
 * kehu-query.c's list filters, so a list view applies it as it is; see
 * kehu-report.h), and kehu_report_drill_ids() runs it:
 *   {"module": "contracts",
 *    "conditions": [ {"field": "approval_status", "op": "eq", "value": "approved"},
 *                    {"field": "signed_date", "op": "gte", "value": "2026-01-01"},
 *                    {"field": "owner_id", "op": "in", "value": ["u1", "u2"]} … ]}
 * Live records only (deleted_at IS NULL is implied wherever the table has
 * it); conditions are ANDed. Operators: eq ne lt lte gt gte (a scalar
 * value; ne also matches no value), empty not_empty (no value, '' or '[]'),
 * in (a "value" array, or a "filter": a nested {"module", "field",
 * "conditions"} whose "field" column is selected — a subquery), any (a
 * "conditions" array ORed). Fields are columns of the module's table.
 * Values compare as stored: ISO UTC text for instants, "YYYY-MM-DD" for
 * dates.
 *
 * Every figure is itself computed by running its drill filter with an
 * aggregate, so a figure and the list behind it cannot disagree.
 *
 * Rules decided here (SPEC §1 and §12 leave them open):
 * - Contracts count as sales by signed_date, approved only (a draft,
 *   pending or rejected contract is not a sale yet); payments as received by
 *   paid_date, approved only. New customers/contacts/opportunities by
 *   created_at, follow-ups by followed_at.
 * - Date columns count a day when its local midnight lies in [start, end).
 * - Ratios (completion, share, change) are integer basis points (1% = 100),
 *   rounded half away from zero; a ratio over a zero base is null.
 * - Win-rate-weighted amounts: Σ(amount × win_rate) / 100 per group,
 *   rounded half away from zero once per group (funnel stage, forecast
 *   month), never per opportunity.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-report"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-report.h"

G_DEFINE_QUARK (kehu-report-error-quark, kehu_report_error)

/* Helpers ------------------------------------------------------------------ */

gint64
kehu_report_scale_round (gint64 num,
                         gint64 scale,
                         gint64 den)
{
  __int128 n = (__int128) num * scale;
  __int128 d = den;
  __int128 q;

  g_return_val_if_fail (den != 0, 0);

  if (d < 0)
    {
      n = -n;
      d = -d;
    }
  if (n >= 0)
    q = (n + d / 2) / d;
  else
    q = -((-n + d / 2) / d);

  return (gint64) q;
}

static GTimeZone *
filter_zone (const KehuReportFilter *f)
{
  return f != NULL && f->tz != NULL ? g_time_zone_ref (f->tz) : g_time_zone_new_utc ();
}

static char *
iso_utc (GDateTime *t)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (t);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static GDateTime *
local_midnight_of (GDateTime *t,
                   GTimeZone *tz)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, tz);
  return g_date_time_new (tz,
                          g_date_time_get_year (local),
                          g_date_time_get_month (local),
                          g_date_time_get_day_of_month (local),
                          0, 0, 0);
}

/* The first local date whose midnight is at or after @t. */
static char *
ceil_local_date (GDateTime *t,
                 GTimeZone *tz)
{
  g_autoptr(GDateTime) midnight = local_midnight_of (t, tz);

  if (g_date_time_compare (midnight, t) < 0)
    {
      g_autoptr(GDateTime) next = g_date_time_add_days (midnight, 1);
      return g_date_time_format (next, "%Y-%m-%d");
    }
  return g_date_time_format (midnight, "%Y-%m-%d");
}

static gboolean
prepare (KehuStore     *store,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  int rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      g_debug ("Could not prepare: %s", sql);
      return kehu_store_set_error_from_db (store, rc, error);
    }
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static int
compare_str_ptr (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);
  return g_strdup (text != NULL ? text : "");
}

/* Periods ------------------------------------------------------------------ */

/**
 * kehu_report_period_from_preset:
 * @now: the current instant (tests pass a fixed one)
 * @tz: the user's time zone; %NULL for UTC
 * @start: (out): the first instant of the period, in UTC
 * @end: (out): the first instant after it, in UTC
 *
 * Computes a preset's period from local midnights in @tz: weeks start on
 * Monday, quarters in January, April, July and October.
 *
 * Returns: %FALSE for %KEHU_PERIOD_CUSTOM (not a preset)
 */
gboolean
kehu_report_period_from_preset (KehuPeriodPreset   preset,
                                GDateTime         *now,
                                GTimeZone         *tz,
                                GDateTime        **start,
                                GDateTime        **end)
{
  g_autoptr(GTimeZone) zone = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_utc ();
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) e = NULL;
  int y, m;

  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (start != NULL && end != NULL, FALSE);

  today = local_midnight_of (now, zone);
  y = g_date_time_get_year (today);
  m = g_date_time_get_month (today);

  switch (preset)
    {
    case KEHU_PERIOD_TODAY:
      s = g_date_time_ref (today);
      e = g_date_time_add_days (s, 1);
      break;
    case KEHU_PERIOD_YESTERDAY:
      e = g_date_time_ref (today);
      s = g_date_time_add_days (e, -1);
      break;
    case KEHU_PERIOD_THIS_WEEK:
    case KEHU_PERIOD_LAST_WEEK:
      s = g_date_time_add_days (today, 1 - g_date_time_get_day_of_week (today));
      if (preset == KEHU_PERIOD_LAST_WEEK)
        {
          GDateTime *prev = g_date_time_add_days (s, -7);
          g_date_time_unref (s);
          s = prev;
        }
      e = g_date_time_add_days (s, 7);
      break;
    case KEHU_PERIOD_THIS_MONTH:
    case KEHU_PERIOD_LAST_MONTH:
      s = g_date_time_new (zone, y, m, 1, 0, 0, 0);
      if (preset == KEHU_PERIOD_LAST_MONTH)
        {
          e = g_steal_pointer (&s);
          s = g_date_time_add_months (e, -1);
        }
      else
        e = g_date_time_add_months (s, 1);
      break;
    case KEHU_PERIOD_THIS_QUARTER:
    case KEHU_PERIOD_LAST_QUARTER:
      s = g_date_time_new (zone, y, ((m - 1) / 3) * 3 + 1, 1, 0, 0, 0);
      if (preset == KEHU_PERIOD_LAST_QUARTER)
        {
          e = g_steal_pointer (&s);
          s = g_date_time_add_months (e, -3);
        }
      else
        e = g_date_time_add_months (s, 3);
      break;
    case KEHU_PERIOD_THIS_YEAR:
    case KEHU_PERIOD_LAST_YEAR:
      s = g_date_time_new (zone, y, 1, 1, 0, 0, 0);
      if (preset == KEHU_PERIOD_LAST_YEAR)
        {
          e = g_steal_pointer (&s);
          s = g_date_time_add_years (e, -1);
        }
      else
        e = g_date_time_add_years (s, 1);
      break;
    case KEHU_PERIOD_CUSTOM:
    default:
      return FALSE;
    }

  *start = g_date_time_to_utc (s);
  *end = g_date_time_to_utc (e);
  return TRUE;
}

static gboolean
parse_date (const char *text,
            int        *y,
            int        *m,
            int        *d)
{
  guint yy, mm, dd;
  char tail;

  if (text == NULL || sscanf (text, "%4u-%2u-%2u%c", &yy, &mm, &dd, &tail) != 3 ||
      strlen (text) != 10 ||
      !g_date_valid_dmy ((GDateDay) dd, (GDateMonth) mm, (GDateYear) yy))
    return FALSE;
  *y = (int) yy;
  *m = (int) mm;
  *d = (int) dd;
  return TRUE;
}

/**
 * kehu_report_period_from_dates:
 * @first_date: the first day, "YYYY-MM-DD"
 * @last_date: the last day, included
 *
 * A custom range of whole local days, as instants [start, end).
 */
gboolean
kehu_report_period_from_dates (const char  *first_date,
                               const char  *last_date,
                               GTimeZone   *tz,
                               GDateTime  **start,
                               GDateTime  **end,
                               GError     **error)
{
  g_autoptr(GTimeZone) zone = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_utc ();
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GDateTime) e = NULL;
  int y, m, d;

  if (!parse_date (first_date, &y, &m, &d))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("The first day of the period “%s” is not a date (YYYY-MM-DD)"),
                   first_date ? first_date : "");
      return FALSE;
    }
  s = g_date_time_new (zone, y, m, d, 0, 0, 0);

  if (!parse_date (last_date, &y, &m, &d))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("The last day of the period “%s” is not a date (YYYY-MM-DD)"),
                   last_date ? last_date : "");
      return FALSE;
    }
  last = g_date_time_new (zone, y, m, d, 0, 0, 0);
  if (g_date_time_compare (last, s) < 0)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("The period ends (%s) before it starts (%s)"), last_date, first_date);
      return FALSE;
    }
  e = g_date_time_add_days (last, 1);

  *start = g_date_time_to_utc (s);
  *end = g_date_time_to_utc (e);
  return TRUE;
}

/* Local months overlapping [start, end), each clipped to the period. */
typedef struct
{
  char      *key;     /* "YYYY-MM" */
  int        year;
  int        month;
  GDateTime *start;
  GDateTime *end;
} Bucket;

static void
bucket_clear (gpointer data)
{
  Bucket *b = data;

  g_free (b->key);
  g_clear_pointer (&b->start, g_date_time_unref);
  g_clear_pointer (&b->end, g_date_time_unref);
}

static GArray *
month_buckets (const KehuReportFilter *f)
{
  g_autoptr(GTimeZone) tz = filter_zone (f);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) month = NULL;
  GArray *buckets = g_array_new (FALSE, TRUE, sizeof (Bucket));

  g_array_set_clear_func (buckets, bucket_clear);
  if (f->start == NULL || f->end == NULL || g_date_time_compare (f->start, f->end) >= 0)
    return buckets;

  local = g_date_time_to_timezone (f->start, tz);
  month = g_date_time_new (tz, g_date_time_get_year (local), g_date_time_get_month (local), 1, 0, 0, 0);

  /* 1200 months is a century: a guard against a runaway custom range. */
  while (g_date_time_compare (month, f->end) < 0 && buckets->len < 1200)
    {
      g_autoptr(GDateTime) next = g_date_time_add_months (month, 1);
      Bucket b = { 0 };

      b.year = g_date_time_get_year (month);
      b.month = g_date_time_get_month (month);
      b.key = g_strdup_printf ("%04d-%02d", b.year, b.month);
      b.start = g_date_time_ref (g_date_time_compare (month, f->start) < 0 ? f->start : month);
      b.end = g_date_time_ref (g_date_time_compare (next, f->end) > 0 ? f->end : next);
      g_array_append_val (buckets, b);

      g_date_time_unref (month);
      month = g_steal_pointer (&next);
    }

  return buckets;
}

/* Drill filters -------------------------------------------------------------- */

/* Modules a drill filter may name; a server hands these filters in from
 * clients, so nothing else (tokens, password hashes) is reachable. */
static const char * const drill_modules[] = {
  "leads", "customers", "contacts", "opportunities", "contracts", "payment_plans",
  "payments", "invoices", "followups", "tasks", "task_participants", "approval_instances",
  "approval_waiting", "users", "departments", "stages", "sales_targets", NULL,
};

static JsonBuilder *
drill_begin (const char *module)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "module");
  json_builder_add_string_value (b, module);
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  return b;
}

static JsonNode *
drill_end (JsonBuilder *b)
{
  JsonNode *node;

  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  g_object_unref (b);
  return node;
}

static void
cond_begin (JsonBuilder *b,
            const char  *field,
            const char  *op)
{
  json_builder_begin_object (b);
  if (field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
    }
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
}

static void
cond_str (JsonBuilder *b,
          const char  *field,
          const char  *op,
          const char  *value)
{
  cond_begin (b, field, op);
  if (value != NULL)
    {
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, value);
    }
  json_builder_end_object (b);
}

static void
cond_strv (JsonBuilder        *b,
           const char         *field,
           const char * const *values)
{
  cond_begin (b, field, "in");
  json_builder_set_member_name (b, "value");
  json_builder_begin_array (b);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* A value that is '' or NULL: blank dictionary values group together. */
static void
cond_blank_or_eq (JsonBuilder *b,
                  const char  *field,
                  const char  *value)
{
  if (value != NULL && value[0] != '\0')
    cond_str (b, field, "eq", value);
  else
    cond_str (b, field, "empty", NULL);
}

static void
cond_owners (JsonBuilder            *b,
             const KehuReportFilter *f,
             const char             *field)
{
  if (f->owner_ids != NULL)
    cond_strv (b, field, f->owner_ids);
  if (f->scope_owner_ids != NULL)
    cond_strv (b, field, f->scope_owner_ids);
}

/* [start, end) on an instant column or, with @is_date, on a date column. */
static void
cond_period (JsonBuilder            *b,
             const KehuReportFilter *f,
             const char             *column,
             gboolean                is_date)
{
  g_autoptr(GTimeZone) tz = filter_zone (f);

  if (f->start != NULL)
    {
      g_autofree char *s = is_date ? ceil_local_date (f->start, tz) : iso_utc (f->start);
      cond_str (b, column, "gte", s);
    }
  if (f->end != NULL)
    {
      g_autofree char *e = is_date ? ceil_local_date (f->end, tz) : iso_utc (f->end);
      cond_str (b, column, "lt", e);
    }
}

static gboolean
drill_invalid (GError    **error,
               const char *what)
{
  g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
               _("Invalid drill-down filter: %s"), what);
  return FALSE;
}

typedef struct
{
  KehuStore *store;
  GString   *sql;
  GPtrArray *params;   /* JsonNode *, borrowed from the filter */
  int        n_alias;
} Compiler;

/* The schema only changes when a store is opened (migrations), so each
 * store keeps the answers, rather than asking SQLite for every condition
 * of every figure. */
static gboolean
column_exists (KehuStore  *store,
               const char *module,
               const char *field)
{
  GHashTable *cache = g_object_get_data (G_OBJECT (store), "kehu-report-columns");
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt = NULL;
  gpointer answer;
  gboolean found = FALSE;

  if (g_strcmp0 (field, "password_hash") == 0)
    return FALSE;

  if (cache == NULL)
    {
      cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_data_full (G_OBJECT (store), "kehu-report-columns", cache,
                              (GDestroyNotify) g_hash_table_unref);
    }
  key = g_strconcat (module, "\x1f", field, NULL);
  if (g_hash_table_lookup_extended (cache, key, NULL, &answer))
    return GPOINTER_TO_INT (answer);

  if (prepare (store, "SELECT 1 FROM pragma_table_info (?1) WHERE name = ?2", &stmt, NULL))
    {
      bind_text (stmt, 1, module);
      bind_text (stmt, 2, field);
      found = sqlite3_step (stmt) == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  g_hash_table_insert (cache, g_steal_pointer (&key), GINT_TO_POINTER (found));
  return found;
}

static gboolean compile_filter (Compiler    *c,
                                JsonObject  *filter,
                                const char  *alias,
                                const char **module_out,
                                GError     **error);

static gboolean
compile_condition (Compiler    *c,
                   const char  *module,
                   const char  *alias,
                   JsonNode    *node,
                   GError     **error)
{
  static const struct { const char *op; const char *sql; } comparisons[] = {
    { "eq", "=" }, { "lt", "<" }, { "lte", "<=" }, { "gt", ">" }, { "gte", ">=" },
  };
  g_autofree char *col = NULL;
  JsonObject *cond;
  const char *op, *field = NULL;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return drill_invalid (error, _("a condition is not an object"));
  cond = json_node_get_object (node);
  op = json_object_get_string_member_with_default (cond, "op", NULL);
  if (op == NULL)
    return drill_invalid (error, _("a condition has no “op”"));

  if (g_str_equal (op, "any"))
    {
      JsonArray *conds;
      guint n;

      if (!json_object_has_member (cond, "conditions") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (cond, "conditions")))
        return drill_invalid (error, _("“any” needs a “conditions” array"));
      conds = json_object_get_array_member (cond, "conditions");
      n = json_array_get_length (conds);
      if (n == 0)
        {
          g_string_append (c->sql, "0");
          return TRUE;
        }
      g_string_append_c (c->sql, '(');
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (c->sql, " OR ");
          if (!compile_condition (c, module, alias, json_array_get_element (conds, i), error))
            return FALSE;
        }
      g_string_append_c (c->sql, ')');
      return TRUE;
    }

  field = json_object_get_string_member_with_default (cond, "field", NULL);
  if (field == NULL || !column_exists (c->store, module, field))
    {
      g_autofree char *what = g_strdup_printf (_("“%s” is not a field of %s"),
                                               field ? field : "", module);
      return drill_invalid (error, what);
    }
  col = g_strdup_printf ("%s.\"%s\"", alias, field);

  if (g_str_equal (op, "empty") || g_str_equal (op, "not_empty"))
    {
      /* As kehu-query.c: no value, an empty text or an empty JSON list. */
      g_string_append_printf (c->sql, "%s(%s IS NULL OR %s IN ('', '[]'))",
                              g_str_equal (op, "empty") ? "" : "NOT ", col, col);
      return TRUE;
    }

  value = json_object_get_member (cond, "value");

  if (g_str_equal (op, "in"))
    {
      if (json_object_has_member (cond, "filter"))
        {
          JsonNode *sub = json_object_get_member (cond, "filter");
          g_autofree char *sub_alias = g_strdup_printf ("d%d", ++c->n_alias);
          JsonObject *sub_obj;
          const char *sub_module = NULL;
          const char *sub_field;

          if (!JSON_NODE_HOLDS_OBJECT (sub))
            return drill_invalid (error, _("“filter” is not an object"));
          sub_obj = json_node_get_object (sub);
          sub_field = json_object_get_string_member_with_default (sub_obj, "field", "id");
          sub_module = json_object_get_string_member_with_default (sub_obj, "module", NULL);
          if (sub_module == NULL || !g_strv_contains (drill_modules, sub_module) ||
              !column_exists (c->store, sub_module, sub_field))
            return drill_invalid (error, _("a nested filter names an unknown module or field"));

          g_string_append_printf (c->sql, "%s IN (SELECT %s.\"%s\" FROM \"%s\" %s WHERE ",
                                  col, sub_alias, sub_field, sub_module, sub_alias);
          if (!compile_filter (c, sub_obj, sub_alias, NULL, error))
            return FALSE;
          g_string_append_c (c->sql, ')');
          return TRUE;
        }
      if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
        return drill_invalid (error, _("“in” needs a “value” array or a “filter”"));
      g_string_append_printf (c->sql, "%s IN (SELECT value FROM json_each (?))", col);
      g_ptr_array_add (c->params, value);
      return TRUE;
    }

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    {
      g_autofree char *what = g_strdup_printf (_("“%s” on “%s” needs a value"), op, field);
      return drill_invalid (error, what);
    }

  if (g_str_equal (op, "ne"))
    {
      /* As kehu-query.c: "not X" includes records without a value. */
      g_string_append_printf (c->sql, "(%s IS NULL OR %s <> ?)", col, col);
      g_ptr_array_add (c->params, value);
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (comparisons); i++)
    if (g_str_equal (op, comparisons[i].op))
      {
        g_string_append_printf (c->sql, "%s %s ?", col, comparisons[i].sql);
        g_ptr_array_add (c->params, value);
        return TRUE;
      }

  {
    g_autofree char *what = g_strdup_printf (_("unknown operator “%s”"), op);
    return drill_invalid (error, what);
  }
}

static gboolean
compile_filter (Compiler    *c,
                JsonObject  *filter,
                const char  *alias,
                const char **module_out,
                GError     **error)
{
  const char *module = json_object_get_string_member_with_default (filter, "module", NULL);
  JsonArray *conds = NULL;
  guint n = 0;

  if (module == NULL || !g_strv_contains (drill_modules, module))
    {
      g_autofree char *what = g_strdup_printf (_("unknown module “%s”"), module ? module : "");
      return drill_invalid (error, what);
    }
  if (module_out != NULL)
    *module_out = module;

  if (json_object_has_member (filter, "conditions"))
    {
      if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (filter, "conditions")))
        return drill_invalid (error, _("“conditions” is not an array"));
      conds = json_object_get_array_member (filter, "conditions");
      n = json_array_get_length (conds);
    }

  /* Like a list view, a drill-down lists live records: the recycle bin
   * never counts. */
  if (column_exists (c->store, module, "deleted_at"))
    g_string_append_printf (c->sql, "%s.deleted_at IS NULL", alias);
  else
    g_string_append (c->sql, "1");
  for (guint i = 0; i < n; i++)
    {
      g_string_append (c->sql, " AND ");
      if (!compile_condition (c, module, alias, json_array_get_element (conds, i), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
bind_params (sqlite3_stmt  *stmt,
             GPtrArray     *params,
             int            first,
             GError       **error)
{
  for (guint i = 0; i < params->len; i++)
    {
      JsonNode *v = g_ptr_array_index (params, i);
      int index = first + (int) i;

      if (JSON_NODE_HOLDS_ARRAY (v))
        {
          g_autofree char *json = json_to_string (v, FALSE);
          sqlite3_bind_text (stmt, index, json, -1, SQLITE_TRANSIENT);
        }
      else if (JSON_NODE_HOLDS_NULL (v))
        sqlite3_bind_null (stmt, index);
      else
        switch (json_node_get_value_type (v))
          {
          case G_TYPE_STRING:
            sqlite3_bind_text (stmt, index, json_node_get_string (v), -1, SQLITE_TRANSIENT);
            break;
          case G_TYPE_INT64:
            sqlite3_bind_int64 (stmt, index, json_node_get_int (v));
            break;
          case G_TYPE_BOOLEAN:
            sqlite3_bind_int (stmt, index, json_node_get_boolean (v) ? 1 : 0);
            break;
          case G_TYPE_DOUBLE:
            sqlite3_bind_double (stmt, index, json_node_get_double (v));
            break;
          default:
            return drill_invalid (error, _("a value is neither text nor a number"));
          }
    }
  return TRUE;
}

typedef gboolean (*QueryRowFunc) (sqlite3_stmt *stmt,
                                  gpointer      data);

/* SELECT @select FROM <module> t @join WHERE <drill> [GROUP BY] [ORDER BY];
 * @select, @join, @group and @order are constant SQL of this file. Groups
 * are written "+t.col" where the unary plus must keep SQLite from walking a
 * non-covering owner index for the grouping order instead of the covering
 * time-range index of migration 4. */
static sqlite3_stmt *
prepare_drill_query (KehuStore   *store,
                     JsonNode    *drill,
                     const char  *select,
                     const char  *join,
                     const char  *group,
                     const char  *order,
                     GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  Compiler c = { store, NULL, params, 0 };
  const char *module = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  if (drill == NULL || !JSON_NODE_HOLDS_OBJECT (drill))
    {
      drill_invalid (error, _("the filter is not an object"));
      return NULL;
    }

  c.sql = where;
  if (!compile_filter (&c, json_node_get_object (drill), "t", &module, error))
    return NULL;

  g_string_append_printf (sql, "%s FROM \"%s\" t %s WHERE %s", select, module,
                          join ? join : "", where->str);
  if (group != NULL)
    g_string_append_printf (sql, " GROUP BY %s", group);
  if (order != NULL)
    g_string_append_printf (sql, " ORDER BY %s", order);

  if (!prepare (store, sql->str, &stmt, error))
    return NULL;
  if (!bind_params (stmt, params, 1, error))
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

static gboolean
run_drill_query (KehuStore    *store,
                 JsonNode     *drill,
                 const char   *select,
                 const char   *join,
                 const char   *group,
                 const char   *order,
                 QueryRowFunc  func,
                 gpointer      data,
                 GError      **error)
{
  sqlite3_stmt *stmt = prepare_drill_query (store, drill, select, join, group, order, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!func (stmt, data))
      {
        rc = SQLITE_DONE;
        break;
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

static gboolean
single_int_cb (sqlite3_stmt *stmt,
               gpointer      data)
{
  *(gint64 *) data = sqlite3_column_int64 (stmt, 0);
  return FALSE;
}

static gboolean
collect_id_cb (sqlite3_stmt *stmt,
               gpointer      data)
{
  g_ptr_array_add (data, column_dup (stmt, 0));
  return TRUE;
}

/**
 * kehu_report_drill_ids:
 * @drill: a figure's "drill" filter
 * @limit: at most this many ids; 0 for all
 *
 * Returns: (transfer full) (element-type utf8): the ids of the records
 * behind the figure, sorted, or %NULL with @error set
 */
GPtrArray *
kehu_report_drill_ids (KehuStore  *store,
                       JsonNode   *drill,
                       guint       limit,
                       GError    **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *order = g_strdup_printf ("t.id LIMIT %u", limit ? limit : G_MAXINT);

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (!run_drill_query (store, drill, "t.id", NULL, NULL, order, collect_id_cb, ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

/* Metrics ------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *module;
  const char *aggregate;     /* over alias t */
  const char *time_column;
  gboolean    is_date;
  gboolean    approved_only;
} MetricDef;

static const char count_aggregate[] = "COUNT(*)";
static const char amount_aggregate[] = "COALESCE (SUM (t.amount), 0)";

static const MetricDef metric_defs[KEHU_REPORT_N_METRICS] = {
  [KEHU_REPORT_METRIC_CONTRACT_COUNT] = { "contract_count", "contracts", count_aggregate, "signed_date", TRUE, TRUE },
  [KEHU_REPORT_METRIC_CONTRACT_AMOUNT] = { "contract_amount", "contracts", amount_aggregate, "signed_date", TRUE, TRUE },
  [KEHU_REPORT_METRIC_PAYMENT_AMOUNT] = { "payment_amount", "payments", amount_aggregate, "paid_date", TRUE, TRUE },
  [KEHU_REPORT_METRIC_NEW_CUSTOMERS] = { "new_customers", "customers", count_aggregate, "created_at", FALSE, FALSE },
  [KEHU_REPORT_METRIC_NEW_CONTACTS] = { "new_contacts", "contacts", count_aggregate, "created_at", FALSE, FALSE },
  [KEHU_REPORT_METRIC_NEW_OPPORTUNITIES] = { "new_opportunities", "opportunities", count_aggregate, "created_at", FALSE, FALSE },
  [KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT] = { "opportunity_amount", "opportunities", amount_aggregate, "created_at", FALSE, FALSE },
  [KEHU_REPORT_METRIC_FOLLOWUPS] = { "followups", "followups", count_aggregate, "followed_at", FALSE, FALSE },
};

const char *
kehu_report_metric_to_string (KehuReportMetric metric)
{
  g_return_val_if_fail (metric < KEHU_REPORT_N_METRICS, NULL);
  return metric_defs[metric].name;
}

gboolean
kehu_report_metric_from_string (const char       *name,
                                KehuReportMetric *metric)
{
  for (guint i = 0; i < KEHU_REPORT_N_METRICS; i++)
    if (g_strcmp0 (name, metric_defs[i].name) == 0)
      {
        *metric = (KehuReportMetric) i;
        return TRUE;
      }
  return FALSE;
}

/* Opens a metric's drill filter and leaves its conditions open, so that a
 * caller can add its own (a person, a stage) before drill_end(). */
static JsonBuilder *
metric_drill_begin (const KehuReportFilter *f,
                    KehuReportMetric        metric)
{
  const MetricDef *m = &metric_defs[metric];
  JsonBuilder *b = drill_begin (m->module);

  if (m->approved_only)
    cond_str (b, "approval_status", "eq", "approved");
  cond_period (b, f, m->time_column, m->is_date);
  cond_owners (b, f, "owner_id");
  return b;
}

/**
 * kehu_report_metric_drill:
 *
 * Returns: (transfer full): the filter listing the records behind @metric
 */
JsonNode *
kehu_report_metric_drill (const KehuReportFilter *filter,
                          KehuReportMetric        metric)
{
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (metric < KEHU_REPORT_N_METRICS, NULL);

  return drill_end (metric_drill_begin (filter, metric));
}

/* A dashboard asks for the same figure more than once (the brief and the
 * KPIs both show the contract amount) and for a count and a sum over the
 * same records: each walks up to a year of records. Figures are kept per
 * store for as long as no connection has changed the data: SQLite's
 * data_version moves on every commit by another connection,
 * total_changes on every change by this one. */
typedef struct
{
  GHashTable    *values;   /* "aggregate\x1fdrill JSON" → gint64 * */
  gint64         data_version;
  sqlite3_int64  total_changes;
} FigureMemo;

#define FIGURE_MEMO_MAX 512


static void
figure_memo_free (FigureMemo *memo)
{
  g_hash_table_unref (memo->values);
  g_free (memo);
}

static FigureMemo *
figure_memo (KehuStore *store)
{
  sqlite3 *db = kehu_store_get_db (store);
  FigureMemo *memo = g_object_get_data (G_OBJECT (store), "kehu-report-figures");
  sqlite3_stmt *stmt = NULL;
  gint64 data_version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    data_version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (memo == NULL)
    {
      memo = g_new0 (FigureMemo, 1);
      memo->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_object_set_data_full (G_OBJECT (store), "kehu-report-figures", memo,
                              (GDestroyNotify) figure_memo_free);
    }
  if (memo->data_version != data_version ||
      memo->total_changes != sqlite3_total_changes64 (db) ||
      g_hash_table_size (memo->values) > FIGURE_MEMO_MAX)
    {
      g_hash_table_remove_all (memo->values);
      memo->data_version = data_version;
      memo->total_changes = sqlite3_total_changes64 (db);
    }
  return memo;
}

/**
 * kehu_report_forget_figures:
 * @store: a #KehuStore
 *
 * Drops the figures kept for @store (they are dropped anyway on any change
 * of the data): benchmarks call it to time a cold computation.
 */
void
kehu_report_forget_figures (KehuStore *store)
{
  g_return_if_fail (KEHU_IS_STORE (store));
  g_object_set_data (G_OBJECT (store), "kehu-report-figures", NULL);
}

static void
figure_memo_put (FigureMemo *memo,
                 const char *aggregate,
                 const char *drill_json,
                 gint64      value)
{
  g_hash_table_insert (memo->values, g_strconcat (aggregate, "\x1f", drill_json, NULL),
                       g_memdup2 (&value, sizeof value));
}

static gboolean
count_and_amount_cb (sqlite3_stmt *stmt,
                     gpointer      data)
{
  gint64 *values = data;

  values[0] = sqlite3_column_int64 (stmt, 0);
  values[1] = sqlite3_column_int64 (stmt, 1);
  return FALSE;
}

/* Figures from the per-day totals of report_days (migration 7) ----------------- */

/* What the triggers of migration 7 keep up to date, added up afresh from the
 * rows. Same conditions as those triggers. */
static const char rebuild_day_totals_sql[] =
  "DELETE FROM report_days;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'followups', substr (followed_at, 1, 10), COALESCE (owner_id, ''), COUNT(*), 0"
  "   FROM followups WHERE deleted_at IS NULL AND followed_at IS NOT NULL GROUP BY 2, 3;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'customers', substr (created_at, 1, 10), COALESCE (owner_id, ''), COUNT(*), 0"
  "   FROM customers WHERE deleted_at IS NULL AND created_at IS NOT NULL GROUP BY 2, 3;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'contacts', substr (created_at, 1, 10), COALESCE (owner_id, ''), COUNT(*), 0"
  "   FROM contacts WHERE deleted_at IS NULL AND created_at IS NOT NULL GROUP BY 2, 3;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'opportunities', substr (created_at, 1, 10), COALESCE (owner_id, ''), COUNT(*), COALESCE (SUM (amount), 0)"
  "   FROM opportunities WHERE deleted_at IS NULL AND created_at IS NOT NULL GROUP BY 2, 3;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'contracts', substr (signed_date, 1, 10), COALESCE (owner_id, ''), COUNT(*), COALESCE (SUM (amount), 0)"
  "   FROM contracts WHERE deleted_at IS NULL AND signed_date IS NOT NULL AND approval_status = 'approved' GROUP BY 2, 3;"
  "INSERT INTO report_days (module, day, owner_id, n, amount)"
  " SELECT 'payments', substr (paid_date, 1, 10), COALESCE (owner_id, ''), COUNT(*), COALESCE (SUM (amount), 0)"
  "   FROM payments WHERE deleted_at IS NULL AND paid_date IS NOT NULL AND approval_status = 'approved' GROUP BY 2, 3;";

/**
 * kehu_report_rebuild_day_totals:
 * @store: a #KehuStore
 * @error: a #GError
 *
 * Fills report_days from the records: after migration 7 creates it, and
 * after a first sync, which writes its records without the triggers that
 * keep the totals (they would cost a fifth of the pull). Runs in the
 * caller's transaction when there is one.
 *
 * Returns: %FALSE with @error set on a database error
 */
gboolean
kehu_report_rebuild_day_totals (KehuStore  *store,
                                GError    **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  return kehu_store_exec (store, rebuild_day_totals_sql, error);
}


/* The first UTC midnight at or after @t (@up) or at or before it. */
static GDateTime *
utc_midnight (GDateTime *t,
              gboolean   up)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (t);
  GDateTime *day = g_date_time_new_utc (g_date_time_get_year (utc), g_date_time_get_month (utc),
                                        g_date_time_get_day_of_month (utc), 0, 0, 0);

  if (up && g_date_time_compare (day, utc) < 0)
    {
      GDateTime *next = g_date_time_add_days (day, 1);
      g_date_time_unref (day);
      return next;
    }
  return day;
}

static void
add_condition (JsonArray  *conds,
               const char *field,
               const char *op,
               JsonNode   *value)
{
  JsonObject *cond = json_object_new ();

  json_object_set_string_member (cond, "field", field);
  json_object_set_string_member (cond, "op", op);
  json_object_set_member (cond, "value", value);
  json_array_add_object_element (conds, cond);
}

/* The figure's filter narrowed to [@start, @end). */
static JsonNode *
drill_between (const MetricDef *def,
               const char      *start,
               const char      *end,
               JsonNode       **owner_lists,
               guint            n_owner_lists)
{
  g_autoptr(JsonArray) conds = json_array_new ();
  g_autoptr(JsonObject) drill = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (def->approved_only)
    add_condition (conds, "approval_status", "eq", json_node_init_string (json_node_alloc (), "approved"));
  add_condition (conds, def->time_column, "gte", json_node_init_string (json_node_alloc (), start));
  add_condition (conds, def->time_column, "lt", json_node_init_string (json_node_alloc (), end));
  for (guint i = 0; i < n_owner_lists; i++)
    add_condition (conds, "owner_id", "in", json_node_copy (owner_lists[i]));
  json_object_set_string_member (drill, "module", def->module);
  json_object_set_array_member (drill, "conditions", g_steal_pointer (&conds));
  json_node_take_object (node, g_steal_pointer (&drill));
  return node;
}

static gboolean aggregate_drill (KehuStore   *store,
                                 JsonNode    *drill,
                                 const char  *aggregate,
                                 gint64      *value,
                                 GError     **error);

static gboolean
string_value (JsonNode *v)
{
  return JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING;
}

/* A metric's count or amount over a period that spans whole days, from
 * report_days: the whole days' totals, plus — on an instant column — the
 * rows of the two partial UTC days at the ends. Sets *@handled to FALSE
 * for any other shape of filter: the caller then walks the rows. */
static gboolean
aggregate_by_day (KehuStore   *store,
                  JsonNode    *drill,
                  const char  *aggregate,
                  gboolean    *handled,
                  gint64      *value,
                  GError     **error)
{
  const MetricDef *def = NULL;
  const char *module;
  JsonNode *owner_lists[2];
  guint n_owner_lists = 0;
  const char *start = NULL, *end = NULL;
  gboolean approved = FALSE, is_count = g_str_equal (aggregate, count_aggregate);
  g_autofree char *first = NULL, *last = NULL;
  JsonArray *conds;
  sqlite3_stmt *stmt = NULL;
  gint64 head = 0, tail = 0, middle = 0;
  int rc;

  *handled = FALSE;
  module = json_object_get_string_member_with_default (json_node_get_object (drill), "module", "");
  for (guint i = 0; i < KEHU_REPORT_N_METRICS && def == NULL; i++)
    if (g_str_equal (metric_defs[i].module, module))
      def = &metric_defs[i];
  if (def == NULL || (!is_count && !g_str_equal (aggregate, amount_aggregate)) ||
      (!is_count && !column_exists (store, module, "amount")) ||
      !json_object_has_member (json_node_get_object (drill), "conditions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (drill), "conditions")))
    return TRUE;

  conds = json_object_get_array_member (json_node_get_object (drill), "conditions");
  for (guint i = 0; i < json_array_get_length (conds); i++)
    {
      JsonNode *node = json_array_get_element (conds, i);
      JsonObject *cond = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *field = cond ? json_object_get_string_member_with_default (cond, "field", "") : "";
      const char *op = cond ? json_object_get_string_member_with_default (cond, "op", "") : "";
      JsonNode *v = cond ? json_object_get_member (cond, "value") : NULL;

      if (v == NULL || json_object_has_member (cond, "filter"))
        return TRUE;
      if (g_str_equal (field, def->time_column) && string_value (v) && g_str_equal (op, "gte") && start == NULL)
        start = json_node_get_string (v);
      else if (g_str_equal (field, def->time_column) && string_value (v) && g_str_equal (op, "lt") && end == NULL)
        end = json_node_get_string (v);
      else if (def->approved_only && !approved && g_str_equal (field, "approval_status") &&
               g_str_equal (op, "eq") && string_value (v) && g_str_equal (json_node_get_string (v), "approved"))
        approved = TRUE;
      else if (g_str_equal (field, "owner_id") && g_str_equal (op, "in") &&
               JSON_NODE_HOLDS_ARRAY (v) && n_owner_lists < G_N_ELEMENTS (owner_lists))
        owner_lists[n_owner_lists++] = v;
      else
        return TRUE;
    }
  if (start == NULL || end == NULL || approved != def->approved_only)
    return TRUE;

  if (def->is_date)
    {
      /* Dates are whole days already. */
      first = g_strndup (start, 10);
      last = g_strndup (end, 10);
    }
  else
    {
      g_autoptr(GDateTime) s = g_date_time_new_from_iso8601 (start, NULL);
      g_autoptr(GDateTime) e = g_date_time_new_from_iso8601 (end, NULL);
      g_autoptr(GDateTime) first_day = NULL, last_day = NULL;
      g_autofree char *first_iso = NULL, *last_iso = NULL;

      if (s == NULL || e == NULL)
        return TRUE;
      first_day = utc_midnight (s, TRUE);
      last_day = utc_midnight (e, FALSE);
      if (g_date_time_difference (last_day, first_day) < G_TIME_SPAN_DAY)
        return TRUE;
      first_iso = g_date_time_format (first_day, "%Y-%m-%dT%H:%M:%SZ");
      last_iso = g_date_time_format (last_day, "%Y-%m-%dT%H:%M:%SZ");
      if (!g_str_equal (start, first_iso))
        {
          g_autoptr(JsonNode) part = drill_between (def, start, first_iso, owner_lists, n_owner_lists);
          if (!aggregate_drill (store, part, aggregate, &head, error))
            return FALSE;
        }
      if (!g_str_equal (end, last_iso))
        {
          g_autoptr(JsonNode) part = drill_between (def, last_iso, end, owner_lists, n_owner_lists);
          if (!aggregate_drill (store, part, aggregate, &tail, error))
            return FALSE;
        }
      first = g_date_time_format (first_day, "%Y-%m-%d");
      last = g_date_time_format (last_day, "%Y-%m-%d");
    }

  *handled = TRUE;
  if (!prepare (store,
                is_count
                ? "SELECT COALESCE (SUM (n), 0) FROM report_days"
                  " WHERE module = ?5 AND day >= ?1 AND day < ?2"
                  "   AND (?3 IS NULL OR owner_id IN (SELECT value FROM json_each (?3)))"
                  "   AND (?4 IS NULL OR owner_id IN (SELECT value FROM json_each (?4)))"
                : "SELECT COALESCE (SUM (amount), 0) FROM report_days"
                  " WHERE module = ?5 AND day >= ?1 AND day < ?2"
                  "   AND (?3 IS NULL OR owner_id IN (SELECT value FROM json_each (?3)))"
                  "   AND (?4 IS NULL OR owner_id IN (SELECT value FROM json_each (?4)))",
                &stmt, error))
    return FALSE;
  bind_text (stmt, 1, first);
  bind_text (stmt, 2, last);
  for (guint i = 0; i < n_owner_lists; i++)
    {
      g_autofree char *json = json_to_string (owner_lists[i], FALSE);
      sqlite3_bind_text (stmt, 3 + (int) i, json, -1, SQLITE_TRANSIENT);
    }
  bind_text (stmt, 5, module);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    middle = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (store, rc, error);

  *value = head + middle + tail;
  return TRUE;
}

static gboolean
aggregate_drill (KehuStore   *store,
                 JsonNode    *drill,
                 const char  *aggregate,
                 gint64      *value,
                 GError     **error)
{
  FigureMemo *memo = figure_memo (store);
  g_autofree char *drill_json = json_to_string (drill, FALSE);
  g_autofree char *key = g_strconcat (aggregate, "\x1f", drill_json, NULL);
  const char *module = NULL;
  gint64 *known;

  *value = 0;
  known = g_hash_table_lookup (memo->values, key);
  if (known != NULL)
    {
      *value = *known;
      return TRUE;
    }

  if (JSON_NODE_HOLDS_OBJECT (drill))
    module = json_object_get_string_member_with_default (json_node_get_object (drill), "module", NULL);

  if (module != NULL)
    {
      gboolean handled;

      if (!aggregate_by_day (store, drill, aggregate, &handled, value, error))
        return FALSE;
      if (handled)
        {
          figure_memo_put (memo, aggregate, drill_json, *value);
          return TRUE;
        }
    }

  /* A count or an amount: one walk answers both. */
  if ((g_str_equal (aggregate, count_aggregate) || g_str_equal (aggregate, amount_aggregate)) &&
      module != NULL && g_strv_contains (drill_modules, module) &&
      column_exists (store, module, "amount"))
    {
      gint64 both[2] = { 0, 0 };
      g_autofree char *select = g_strdup_printf ("%s, %s", count_aggregate, amount_aggregate);

      if (!run_drill_query (store, drill, select, NULL, NULL, NULL, count_and_amount_cb, both, error))
        return FALSE;
      figure_memo_put (memo, count_aggregate, drill_json, both[0]);
      figure_memo_put (memo, amount_aggregate, drill_json, both[1]);
      *value = g_str_equal (aggregate, count_aggregate) ? both[0] : both[1];
      return TRUE;
    }

  if (!run_drill_query (store, drill, aggregate, NULL, NULL, NULL, single_int_cb, value, error))
    return FALSE;
  figure_memo_put (memo, aggregate, drill_json, *value);
  return TRUE;
}

gboolean
kehu_report_metric_value (KehuStore              *store,
                          const KehuReportFilter *filter,
                          KehuReportMetric        metric,
                          gint64                 *value,
                          GError                **error)
{
  g_autoptr(JsonNode) drill = NULL;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);
  g_return_val_if_fail (metric < KEHU_REPORT_N_METRICS, FALSE);

  drill = kehu_report_metric_drill (filter, metric);
  return aggregate_drill (store, drill, metric_defs[metric].aggregate, value, error);
}

/* Adds "name": {"value": v, "drill": drill} and takes @drill. */
static void
add_figure (JsonBuilder *b,
            const char  *name,
            gint64       value,
            JsonNode    *drill)
{
  if (name != NULL)
    json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, value);
  json_builder_set_member_name (b, "drill");
  json_builder_add_value (b, drill);
  json_builder_end_object (b);
}

static gboolean
add_metric_figure (JsonBuilder            *b,
                   const char             *name,
                   KehuStore              *store,
                   const KehuReportFilter *f,
                   KehuReportMetric        metric,
                   gint64                 *value_out,
                   GError                **error)
{
  JsonNode *drill = kehu_report_metric_drill (f, metric);
  gint64 value;

  if (!aggregate_drill (store, drill, metric_defs[metric].aggregate, &value, error))
    {
      json_node_unref (drill);
      return FALSE;
    }
  add_figure (b, name ? name : metric_defs[metric].name, value, drill);
  if (value_out != NULL)
    *value_out = value;
  return TRUE;
}

static void
add_period (JsonBuilder            *b,
            const KehuReportFilter *f)
{
  json_builder_set_member_name (b, "start");
  if (f->start != NULL)
    {
      g_autofree char *s = iso_utc (f->start);
      json_builder_add_string_value (b, s);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "end");
  if (f->end != NULL)
    {
      g_autofree char *e = iso_utc (f->end);
      json_builder_add_string_value (b, e);
    }
  else
    json_builder_add_null_value (b);
}

static JsonNode *
builder_finish (JsonBuilder *b)
{
  JsonNode *root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

static void
builder_abort (JsonBuilder *b)
{
  g_object_unref (b);
}

/* Organisation --------------------------------------------------------------- */

/**
 * kehu_report_department_user_ids:
 * @department_id: a department
 *
 * The users of @department_id and of every department below it (disabled
 * users too: their past sales still count), through the departments tree.
 *
 * Returns: (transfer full): a sorted %NULL-terminated array, or %NULL with
 * @error set (%KEHU_REPORT_ERROR_NOT_FOUND for an unknown department)
 */
GStrv
kehu_report_department_user_ids (KehuStore   *store,
                                 const char  *department_id,
                                 GError     **error)
{
  /* UNION, not UNION ALL: a cycle in parent_id ends instead of looping. */
  static const char sql[] =
    "WITH RECURSIVE tree (id) AS ("
    "  SELECT id FROM departments WHERE id = ?1 AND deleted_at IS NULL"
    "  UNION"
    "  SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id"
    "  WHERE d.deleted_at IS NULL)"
    " SELECT (SELECT COUNT(*) FROM tree), u.id FROM (SELECT 1)"
    " LEFT JOIN users u ON u.department_id IN (SELECT id FROM tree) AND u.deleted_at IS NULL"
    " ORDER BY u.id";
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt = NULL;
  gint64 n_departments = 0;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (!prepare (store, sql, &stmt, error))
    return NULL;
  bind_text (stmt, 1, department_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      n_departments = sqlite3_column_int64 (stmt, 0);
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  if (n_departments == 0)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_NOT_FOUND,
                   _("There is no department “%s”"), department_id ? department_id : "");
      return NULL;
    }
  return g_strv_builder_end (builder);
}

typedef struct
{
  char *name;
  char *department_id;
} UserInfo;

static void
user_info_free (gpointer data)
{
  UserInfo *u = data;

  g_free (u->name);
  g_free (u->department_id);
  g_free (u);
}

/* id → UserInfo of every user, deleted ones too (they still own history). */
static GHashTable *
load_users (KehuStore  *store,
            GError    **error)
{
  g_autoptr(GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, user_info_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (store, "SELECT id, name, department_id FROM users", &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      UserInfo *u = g_new0 (UserInfo, 1);

      u->name = column_dup (stmt, 1);
      u->department_id = column_dup (stmt, 2);
      g_hash_table_insert (users, column_dup (stmt, 0), u);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&users);
}

/* Sales targets --------------------------------------------------------------- */

static const char * const target_scope_names[] = { "company", "department", "user" };
static const char * const target_metric_names[] = { "contract_amount", "payment_amount", "new_customers" };
static const KehuReportMetric target_metric_actual[] = {
  KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
  KEHU_REPORT_METRIC_PAYMENT_AMOUNT,
  KEHU_REPORT_METRIC_NEW_CUSTOMERS,
};

static const char *
target_scope_id (KehuTargetScope  scope,
                 const char      *scope_id)
{
  return scope == KEHU_TARGET_COMPANY || scope_id == NULL ? "" : scope_id;
}

/* Σ targets of the months listed (year × 100 + month). */
static gboolean
target_sum (KehuStore        *store,
            KehuTargetScope   scope,
            const char       *scope_id,
            KehuTargetMetric  metric,
            GArray           *buckets,
            gint64           *value,
            GError          **error)
{
  g_autoptr(GString) months = g_string_new ("[");
  sqlite3_stmt *stmt = NULL;
  int rc;

  for (guint i = 0; i < buckets->len; i++)
    {
      Bucket *b = &g_array_index (buckets, Bucket, i);
      g_string_append_printf (months, "%s%d", i ? "," : "", b->year * 100 + b->month);
    }
  g_string_append_c (months, ']');

  *value = 0;
  if (!prepare (store,
                "SELECT COALESCE (SUM (value), 0) FROM sales_targets"
                " WHERE scope = ?1 AND scope_id = ?2 AND metric = ?3"
                " AND year * 100 + month IN (SELECT value FROM json_each (?4))",
                &stmt, error))
    return FALSE;
  bind_text (stmt, 1, target_scope_names[scope]);
  bind_text (stmt, 2, target_scope_id (scope, scope_id));
  bind_text (stmt, 3, target_metric_names[metric]);
  bind_text (stmt, 4, months->str);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

static void
add_completion (JsonBuilder *b,
                gint64       value,
                gint64       target)
{
  json_builder_set_member_name (b, "target");
  json_builder_add_int_value (b, target);
  json_builder_set_member_name (b, "completion_bp");
  if (target > 0)
    json_builder_add_int_value (b, kehu_report_scale_round (value, 10000, target));
  else
    json_builder_add_null_value (b);
}

static gboolean
check_target_args (KehuTargetScope    scope,
                   const char        *scope_id,
                   int                year,
                   int                month,
                   KehuTargetMetric   metric,
                   GError           **error)
{
  if (scope > KEHU_TARGET_USER || metric > KEHU_TARGET_NEW_CUSTOMERS)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("Unknown sales target scope or metric"));
      return FALSE;
    }
  if (scope != KEHU_TARGET_COMPANY && (scope_id == NULL || scope_id[0] == '\0'))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("A department or user sales target needs the department or user"));
      return FALSE;
    }
  if (year < 2000 || year > 2200 || month < 1 || month > 12)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("A sales target’s month must be 1–12 of a year 2000–2200, not %d-%d"),
                   year, month);
      return FALSE;
    }
  return TRUE;
}

gboolean
kehu_report_target_set (KehuStore         *store,
                        KehuTargetScope    scope,
                        const char        *scope_id,
                        int                year,
                        int                month,
                        KehuTargetMetric   metric,
                        gint64             value,
                        GError           **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_iso = iso_utc (now);
  g_autofree char *id = g_uuid_string_random ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  if (!check_target_args (scope, scope_id, year, month, metric, error))
    return FALSE;
  if (value < 0)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("A sales target cannot be negative"));
      return FALSE;
    }

  if (!kehu_store_begin (store, error))
    return FALSE;
  if (!prepare (store,
                "INSERT INTO sales_targets (id, created_at, updated_at, scope, scope_id, year, month, metric, value)"
                " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                " ON CONFLICT (scope, scope_id, year, month, metric)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                &stmt, error))
    {
      kehu_store_rollback (store);
      return FALSE;
    }
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, now_iso);
  bind_text (stmt, 3, target_scope_names[scope]);
  bind_text (stmt, 4, target_scope_id (scope, scope_id));
  sqlite3_bind_int (stmt, 5, year);
  sqlite3_bind_int (stmt, 6, month);
  bind_text (stmt, 7, target_metric_names[metric]);
  sqlite3_bind_int64 (stmt, 8, value);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      kehu_store_rollback (store);
      return FALSE;
    }
  if (!kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
kehu_report_target_get (KehuStore         *store,
                        KehuTargetScope    scope,
                        const char        *scope_id,
                        int                year,
                        int                month,
                        KehuTargetMetric   metric,
                        gint64            *value,
                        gboolean          *is_set,
                        GError           **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  if (!check_target_args (scope, scope_id, year, month, metric, error))
    return FALSE;
  if (!prepare (store,
                "SELECT value FROM sales_targets"
                " WHERE scope = ?1 AND scope_id = ?2 AND year = ?3 AND month = ?4 AND metric = ?5",
                &stmt, error))
    return FALSE;
  bind_text (stmt, 1, target_scope_names[scope]);
  bind_text (stmt, 2, target_scope_id (scope, scope_id));
  sqlite3_bind_int (stmt, 3, year);
  sqlite3_bind_int (stmt, 4, month);
  bind_text (stmt, 5, target_metric_names[metric]);
  rc = sqlite3_step (stmt);
  if (value != NULL)
    *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (is_set != NULL)
    *is_set = rc == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/* Dashboard --------------------------------------------------------------------- */

/**
 * kehu_report_sales_brief:
 *
 * Returns: (transfer full): {"start", "end", "new_customers", "new_contacts",
 *   "new_opportunities", "opportunity_amount", "contract_count",
 *   "contract_amount", "payment_amount", "followups"}, each a figure
 */
JsonNode *
kehu_report_sales_brief (KehuStore              *store,
                         const KehuReportFilter *filter,
                         GError                **error)
{
  static const KehuReportMetric brief[] = {
    KEHU_REPORT_METRIC_NEW_CUSTOMERS, KEHU_REPORT_METRIC_NEW_CONTACTS,
    KEHU_REPORT_METRIC_NEW_OPPORTUNITIES, KEHU_REPORT_METRIC_OPPORTUNITY_AMOUNT,
    KEHU_REPORT_METRIC_CONTRACT_COUNT, KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
    KEHU_REPORT_METRIC_PAYMENT_AMOUNT, KEHU_REPORT_METRIC_FOLLOWUPS,
  };
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  for (guint i = 0; i < G_N_ELEMENTS (brief); i++)
    if (!add_metric_figure (b, NULL, store, filter, brief[i], NULL, error))
      {
        builder_abort (b);
        return NULL;
      }
  json_builder_end_object (b);
  return builder_finish (b);
}

/**
 * kehu_report_kpis:
 * @target_scope: whose sales target the figures are held against
 *
 * Contract amount, payment amount and new customers against the sum of the
 * targets of every local month the period overlaps (a week in March is held
 * against March's whole target).
 *
 * Returns: (transfer full): {"start", "end", "contract_amount",
 *   "payment_amount", "new_customers"}, each a figure with "target" and
 *   "completion_bp" (null without a target)
 */
JsonNode *
kehu_report_kpis (KehuStore              *store,
                  const KehuReportFilter *filter,
                  KehuTargetScope         target_scope,
                  const char             *target_scope_id,
                  GError                **error)
{
  g_autoptr(GArray) buckets = NULL;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  buckets = month_buckets (filter);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  for (guint i = 0; i < G_N_ELEMENTS (target_metric_actual); i++)
    {
      KehuReportMetric metric = target_metric_actual[i];
      JsonNode *drill = kehu_report_metric_drill (filter, metric);
      gint64 value, target;

      if (!aggregate_drill (store, drill, metric_defs[metric].aggregate, &value, error) ||
          !target_sum (store, target_scope, target_scope_id, (KehuTargetMetric) i, buckets, &target, error))
        {
          json_node_unref (drill);
          builder_abort (b);
          return NULL;
        }

      json_builder_set_member_name (b, metric_defs[metric].name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_int_value (b, value);
      add_completion (b, value, target);
      json_builder_set_member_name (b, "drill");
      json_builder_add_value (b, drill);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return builder_finish (b);
}

static char *
default_stage_group (KehuStore  *store,
                     GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;
  int rc;

  if (!prepare (store,
                "SELECT id FROM stage_groups WHERE is_default = 1 AND deleted_at IS NULL"
                " ORDER BY created_at, id LIMIT 1",
                &stmt, error))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    kehu_store_set_error_from_db (store, rc, error);
  else if (id == NULL)
    id = g_strdup ("");
  return id;
}

typedef struct
{
  gint64 count;
  gint64 amount;
} StageSums;

static gboolean
stage_sums_cb (sqlite3_stmt *stmt,
               gpointer      data)
{
  StageSums sums = { sqlite3_column_int64 (stmt, 1), sqlite3_column_int64 (stmt, 2) };

  g_hash_table_insert (data, column_dup (stmt, 0), g_memdup2 (&sums, sizeof sums));
  return TRUE;
}

/* One stage's open opportunities, or with @stage_id NULL those of every
 * stage in @all_stage_ids. */
static JsonNode *
stage_drill (const KehuReportFilter *filter,
             const char             *stage_id,
             GPtrArray              *all_stage_ids)
{
  JsonBuilder *tb = drill_begin ("opportunities");

  cond_str (tb, "status", "eq", "open");
  if (stage_id != NULL)
    cond_str (tb, "stage_id", "eq", stage_id);
  else
    {
      g_ptr_array_add (all_stage_ids, NULL);
      cond_strv (tb, "stage_id", (const char * const *) all_stage_ids->pdata);
      g_ptr_array_remove_index (all_stage_ids, all_stage_ids->len - 1);
    }
  cond_owners (tb, filter, "owner_id");
  return drill_end (tb);
}

/**
 * kehu_report_funnel:
 * @stage_group_id: (nullable): a stage group; %NULL for the default one
 *
 * The open pipeline now: open opportunities of the owners per open stage of
 * the group, in stage order. The filter's period is not applied (an open
 * opportunity is in the funnel whenever it was created).
 *
 * Returns: (transfer full): {"stages": [{"stage_id", "name", "win_rate",
 *   "count", "amount", "weighted_amount"}, …], "count", "amount",
 *   "weighted_amount"} where count and amount are figures
 */
JsonNode *
kehu_report_funnel (KehuStore              *store,
                    const KehuReportFilter *filter,
                    const char             *stage_group_id,
                    GError                **error)
{
  g_autofree char *group = NULL;
  g_autoptr(GPtrArray) stage_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) stage_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonNode) total_drill = NULL;
  gint64 total_count = 0, total_amount = 0, total_weighted = 0;
  sqlite3_stmt *stmt = NULL;
  JsonBuilder *b;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  group = stage_group_id ? g_strdup (stage_group_id) : default_stage_group (store, error);
  if (group == NULL)
    return NULL;

  if (!prepare (store,
                "SELECT id, name, win_rate FROM stages WHERE group_id = ?1 AND kind = 'open'"
                " ORDER BY position, id",
                &stmt, error))
    return NULL;
  bind_text (stmt, 1, group);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rate = sqlite3_column_int64 (stmt, 2);

      g_ptr_array_add (stage_ids, column_dup (stmt, 0));
      g_ptr_array_add (stage_names, column_dup (stmt, 1));
      g_array_append_val (rates, rate);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  /* One pass over the open pipeline for every stage. */
  total_drill = stage_drill (filter, NULL, stage_ids);
  if (!run_drill_query (store, total_drill, "t.stage_id, COUNT(*), COALESCE (SUM (t.amount), 0)",
                        NULL, "t.stage_id", NULL, stage_sums_cb, sums, error))
    return NULL;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stage_group_id");
  json_builder_add_string_value (b, group);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (guint i = 0; i < stage_ids->len; i++)
    {
      const char *stage_id = g_ptr_array_index (stage_ids, i);
      gint64 rate = g_array_index (rates, gint64, i);
      StageSums *s = g_hash_table_lookup (sums, stage_id);
      gint64 count = s ? s->count : 0, amount = s ? s->amount : 0;
      gint64 weighted = kehu_report_scale_round (amount, rate, 100);
      JsonNode *drill = stage_drill (filter, stage_id, NULL);

      total_count += count;
      total_amount += amount;
      total_weighted += weighted;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "stage_id");
      json_builder_add_string_value (b, stage_id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, g_ptr_array_index (stage_names, i));
      json_builder_set_member_name (b, "win_rate");
      json_builder_add_int_value (b, rate);
      add_figure (b, "count", count, json_node_copy (drill));
      add_figure (b, "amount", amount, json_node_copy (drill));
      add_figure (b, "weighted_amount", weighted, drill);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_figure (b, "count", total_count, json_node_copy (total_drill));
  add_figure (b, "amount", total_amount, json_node_copy (total_drill));
  add_figure (b, "weighted_amount", total_weighted, json_node_copy (total_drill));
  json_builder_end_object (b);
  return builder_finish (b);
}

static KehuReportFilter
sub_filter (const KehuReportFilter *f,
            GDateTime              *start,
            GDateTime              *end)
{
  KehuReportFilter sub = *f;

  sub.start = start;
  sub.end = end;
  return sub;
}

static void
add_bucket_head (JsonBuilder *b,
                 Bucket      *bucket)
{
  g_autofree char *s = iso_utc (bucket->start);
  g_autofree char *e = iso_utc (bucket->end);

  json_builder_set_member_name (b, "month");
  json_builder_add_string_value (b, bucket->key);
  json_builder_set_member_name (b, "start");
  json_builder_add_string_value (b, s);
  json_builder_set_member_name (b, "end");
  json_builder_add_string_value (b, e);
}

/**
 * kehu_report_trend:
 *
 * Per local month of the period (the first and last clipped to it):
 * contract amount, payment amount, and the month's targets.
 *
 * Returns: (transfer full): {"rows": [{"month": "YYYY-MM", "start", "end",
 *   "contract_amount", "payment_amount" (figures), "contract_target",
 *   "payment_target"}, …]}
 */
JsonNode *
kehu_report_trend (KehuStore              *store,
                   const KehuReportFilter *filter,
                   KehuTargetScope         target_scope,
                   const char             *target_scope_id,
                   GError                **error)
{
  g_autoptr(GArray) buckets = NULL;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  buckets = month_buckets (filter);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint i = 0; i < buckets->len; i++)
    {
      Bucket *bucket = &g_array_index (buckets, Bucket, i);
      KehuReportFilter sub = sub_filter (filter, bucket->start, bucket->end);
      g_autoptr(GArray) one = g_array_new (FALSE, TRUE, sizeof (Bucket));
      gint64 contract_target, payment_target;

      /* A one-month list for target_sum; borrowed, so no clear func. */
      g_array_append_vals (one, bucket, 1);

      json_builder_begin_object (b);
      add_bucket_head (b, bucket);
      if (!add_metric_figure (b, NULL, store, &sub, KEHU_REPORT_METRIC_CONTRACT_AMOUNT, NULL, error) ||
          !add_metric_figure (b, NULL, store, &sub, KEHU_REPORT_METRIC_PAYMENT_AMOUNT, NULL, error) ||
          !target_sum (store, target_scope, target_scope_id, KEHU_TARGET_CONTRACT_AMOUNT, one, &contract_target, error) ||
          !target_sum (store, target_scope, target_scope_id, KEHU_TARGET_PAYMENT_AMOUNT, one, &payment_target, error))
        {
          builder_abort (b);
          return NULL;
        }
      json_builder_set_member_name (b, "contract_target");
      json_builder_add_int_value (b, contract_target);
      json_builder_set_member_name (b, "payment_target");
      json_builder_add_int_value (b, payment_target);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_finish (b);
}

/**
 * kehu_report_work_desk:
 * @filter: whose records (owner_ids: usually just the user); the period is
 *   not used
 * @user_id: the user whose approvals are waiting
 * @now: the current instant
 *
 * Returns: (transfer full): figures "tasks_overdue" (open tasks due before
 *   today), "tasks_today", "plans_overdue" (payment plans not fully received
 *   planned before today), "plans_due" (today … today + 30 days),
 *   "contracts_ending" (approved, ending today … today + 30 days),
 *   "followups_due_today" (an object with "leads", "customers", "contacts",
 *   "opportunities" figures and "total"), "approvals_waiting"
 */
JsonNode *
kehu_report_work_desk (KehuStore              *store,
                       const KehuReportFilter *filter,
                       const char             *user_id,
                       GDateTime              *now,
                       GError                 **error)
{
  static const char * const contact_modules[] = { "leads", "customers", "contacts", "opportunities" };
  g_autoptr(GTimeZone) tz = filter_zone (filter);
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autoptr(GDateTime) in_31 = NULL;
  g_autofree char *today_iso = NULL, *tomorrow_iso = NULL;
  g_autofree char *today_date = NULL, *in_31_date = NULL;
  JsonBuilder *b, *d;
  JsonNode *drill;
  gint64 value, total = 0;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  today = local_midnight_of (now, tz);
  tomorrow = g_date_time_add_days (today, 1);
  in_31 = g_date_time_add_days (today, 31);
  today_iso = iso_utc (today);
  tomorrow_iso = iso_utc (tomorrow);
  today_date = g_date_time_format (today, "%Y-%m-%d");
  in_31_date = g_date_time_format (in_31, "%Y-%m-%d");

  b = json_builder_new ();
  json_builder_begin_object (b);

#define FIGURE(name) \
  G_STMT_START { \
    drill = drill_end (d); \
    if (!aggregate_drill (store, drill, "COUNT(*)", &value, error)) \
      { \
        json_node_unref (drill); \
        builder_abort (b); \
        return NULL; \
      } \
    add_figure (b, name, value, drill); \
  } G_STMT_END

  d = drill_begin ("tasks");
  cond_str (d, "status", "eq", "todo");
  cond_str (d, "due_at", "lt", today_iso);
  cond_owners (d, filter, "owner_id");
  FIGURE ("tasks_overdue");

  d = drill_begin ("tasks");
  cond_str (d, "status", "eq", "todo");
  cond_str (d, "due_at", "gte", today_iso);
  cond_str (d, "due_at", "lt", tomorrow_iso);
  cond_owners (d, filter, "owner_id");
  FIGURE ("tasks_today");

  d = drill_begin ("payment_plans");
  cond_str (d, "status", "ne", "received");
  cond_str (d, "planned_date", "lt", today_date);
  cond_owners (d, filter, "owner_id");
  FIGURE ("plans_overdue");

  d = drill_begin ("payment_plans");
  cond_str (d, "status", "ne", "received");
  cond_str (d, "planned_date", "gte", today_date);
  cond_str (d, "planned_date", "lt", in_31_date);
  cond_owners (d, filter, "owner_id");
  FIGURE ("plans_due");

  d = drill_begin ("contracts");
  cond_str (d, "approval_status", "eq", "approved");
  cond_str (d, "end_date", "gte", today_date);
  cond_str (d, "end_date", "lt", in_31_date);
  cond_owners (d, filter, "owner_id");
  FIGURE ("contracts_ending");

  json_builder_set_member_name (b, "followups_due_today");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (contact_modules); i++)
    {
      d = drill_begin (contact_modules[i]);
      cond_str (d, "next_contact_at", "gte", today_iso);
      cond_str (d, "next_contact_at", "lt", tomorrow_iso);
      cond_owners (d, filter, "owner_id");
      FIGURE (contact_modules[i]);
      total += value;
    }
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  json_builder_end_object (b);

  d = drill_begin ("approval_instances");
  cond_str (d, "status", "eq", "pending");
  cond_begin (d, "id", "in");
  json_builder_set_member_name (d, "filter");
  json_builder_begin_object (d);
  json_builder_set_member_name (d, "module");
  json_builder_add_string_value (d, "approval_waiting");
  json_builder_set_member_name (d, "field");
  json_builder_add_string_value (d, "instance_id");
  json_builder_set_member_name (d, "conditions");
  json_builder_begin_array (d);
  cond_str (d, "user_id", "eq", user_id ? user_id : "");
  json_builder_end_array (d);
  json_builder_end_object (d);
  json_builder_end_object (d);
  FIGURE ("approvals_waiting");

#undef FIGURE

  json_builder_end_object (b);
  return builder_finish (b);
}

/* Summaries ------------------------------------------------------------------------- */

static const KehuReportMetric summary_metrics[] = {
  KEHU_REPORT_METRIC_CONTRACT_COUNT,
  KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
  KEHU_REPORT_METRIC_PAYMENT_AMOUNT,
  KEHU_REPORT_METRIC_NEW_CUSTOMERS,
  KEHU_REPORT_METRIC_FOLLOWUPS,
};
#define N_SUMMARY G_N_ELEMENTS (summary_metrics)

typedef struct
{
  gint64 v[N_SUMMARY];
} SummaryValues;

typedef struct
{
  GHashTable *table;   /* key ("" for none) → SummaryValues */
  guint       slot;
} GroupCollect;

static gboolean
group_collect_cb (sqlite3_stmt *stmt,
                  gpointer      data)
{
  GroupCollect *gc = data;
  g_autofree char *key = column_dup (stmt, 0);
  SummaryValues *values = g_hash_table_lookup (gc->table, key);

  if (values == NULL)
    {
      values = g_new0 (SummaryValues, 1);
      g_hash_table_insert (gc->table, g_strdup (key), values);
    }
  values->v[gc->slot] = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* Every summary metric grouped by the owner. */
static GHashTable *
summary_by_owner (KehuStore              *store,
                  const KehuReportFilter *f,
                  GError                **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < N_SUMMARY; i++)
    {
      g_autoptr(JsonNode) drill = kehu_report_metric_drill (f, summary_metrics[i]);
      g_autofree char *select = g_strdup_printf ("t.owner_id, %s", metric_defs[summary_metrics[i]].aggregate);
      GroupCollect gc = { table, i };

      /* Follow-ups have an owner-first covering index: let SQLite walk it. */
      const char *group = summary_metrics[i] == KEHU_REPORT_METRIC_FOLLOWUPS ? "t.owner_id" : "+t.owner_id";

      if (!run_drill_query (store, drill, select, NULL, group, NULL, group_collect_cb, &gc, error))
        return NULL;
    }
  return g_steal_pointer (&table);
}

static JsonNode *
owner_drill (const KehuReportFilter *f,
             KehuReportMetric        metric,
             const char             *owner_id)
{
  JsonBuilder *b = metric_drill_begin (f, metric);

  if (owner_id[0] == '\0')
    cond_str (b, "owner_id", "empty", NULL);
  else
    cond_str (b, "owner_id", "eq", owner_id);
  return drill_end (b);
}

typedef struct
{
  const char    *id;
  const char    *name;
  SummaryValues *values;
} PersonRow;

static int
person_row_compare (gconstpointer a,
                    gconstpointer b)
{
  const PersonRow *x = a, *y = b;
  gint64 ax = x->values->v[1], by = y->values->v[1];   /* contract amount */
  int c;

  if (ax != by)
    return ax > by ? -1 : 1;
  if ((c = g_strcmp0 (x->name, y->name)) != 0)
    return c;
  return g_strcmp0 (x->id, y->id);
}

/**
 * kehu_report_summary_by_person:
 *
 * One row per owner (every owner of the filter, and whoever else has
 * figures when the filter names nobody; "" is the public pool), ordered by
 * contract amount, then name.
 *
 * Returns: (transfer full): {"rows": [{"owner_id", "name", "contract_count",
 *   "contract_amount", "payment_amount", "new_customers", "followups"}, …],
 *   "total": {same figures}}
 */
JsonNode *
kehu_report_summary_by_person (KehuStore              *store,
                               const KehuReportFilter *filter,
                               GError                **error)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (PersonRow));
  SummaryValues total = { { 0 } };
  GHashTableIter iter;
  gpointer key, value;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  if ((values = summary_by_owner (store, filter, error)) == NULL ||
      (users = load_users (store, error)) == NULL)
    return NULL;

  if (filter->owner_ids != NULL)
    for (guint i = 0; filter->owner_ids[i] != NULL; i++)
      if (!g_hash_table_contains (values, filter->owner_ids[i]))
        g_hash_table_insert (values, g_strdup (filter->owner_ids[i]), g_new0 (SummaryValues, 1));

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      UserInfo *u = g_hash_table_lookup (users, key);
      PersonRow row = { key, u ? u->name : "", value };

      g_array_append_val (rows, row);
      for (guint i = 0; i < N_SUMMARY; i++)
        total.v[i] += row.values->v[i];
    }
  g_array_sort (rows, person_row_compare);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < rows->len; r++)
    {
      PersonRow *row = &g_array_index (rows, PersonRow, r);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "owner_id");
      json_builder_add_string_value (b, row->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, row->name);
      for (guint i = 0; i < N_SUMMARY; i++)
        add_figure (b, metric_defs[summary_metrics[i]].name, row->values->v[i],
                    owner_drill (filter, summary_metrics[i], row->id));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_begin_object (b);
  for (guint i = 0; i < N_SUMMARY; i++)
    add_figure (b, metric_defs[summary_metrics[i]].name, total.v[i],
                kehu_report_metric_drill (filter, summary_metrics[i]));
  json_builder_end_object (b);
  json_builder_end_object (b);
  return builder_finish (b);
}

typedef struct
{
  char          *id;
  char          *name;
  char          *parent_id;
  SummaryValues  own;
  SummaryValues  total;
  GPtrArray     *users;   /* owners counted in total */
} DeptRow;

static void
dept_row_clear (gpointer data)
{
  DeptRow *d = data;

  g_free (d->id);
  g_free (d->name);
  g_free (d->parent_id);
  g_clear_pointer (&d->users, g_ptr_array_unref);
}

/**
 * kehu_report_summary_by_department:
 *
 * One row per department, in tree order (position, name): "own" sums the
 * department's direct members, "total" includes its sub-departments. Owners
 * without a department (and the public pool) are the row with
 * "department_id": "".
 *
 * Returns: (transfer full): {"rows": [{"department_id", "name", "parent_id",
 *   "own": {metric: int…}, "total": {metric: figure…}}, …]}
 */
JsonNode *
kehu_report_summary_by_department (KehuStore              *store,
                                   const KehuReportFilter *filter,
                                   GError                **error)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GArray) depts = g_array_new (FALSE, TRUE, sizeof (DeptRow));
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;
  JsonBuilder *b;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  g_array_set_clear_func (depts, dept_row_clear);
  if ((values = summary_by_owner (store, filter, error)) == NULL ||
      (users = load_users (store, error)) == NULL)
    return NULL;

  if (!prepare (store,
                "SELECT id, name, COALESCE (parent_id, '') FROM departments WHERE deleted_at IS NULL"
                " ORDER BY position, name, id",
                &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DeptRow d = { column_dup (stmt, 0), column_dup (stmt, 1), column_dup (stmt, 2),
                    { { 0 } }, { { 0 } }, g_ptr_array_new_with_free_func (g_free) };
      g_array_append_val (depts, d);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  {
    DeptRow none = { g_strdup (""), g_strdup (_("No department")), g_strdup (""),
                     { { 0 } }, { { 0 } }, g_ptr_array_new_with_free_func (g_free) };
    g_array_append_val (depts, none);
  }
  for (guint i = 0; i < depts->len; i++)
    g_hash_table_insert (index, g_array_index (depts, DeptRow, i).id, GUINT_TO_POINTER (i + 1));

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      UserInfo *u = g_hash_table_lookup (users, key);
      const SummaryValues *v = value;
      guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (index, u ? u->department_id : ""));
      DeptRow *d;

      if (pos == 0)   /* a deleted or unknown department */
        pos = GPOINTER_TO_UINT (g_hash_table_lookup (index, ""));
      d = &g_array_index (depts, DeptRow, pos - 1);
      for (guint i = 0; i < N_SUMMARY; i++)
        d->own.v[i] += v->v[i];

      /* Up the tree; 64 levels at most guards against a parent cycle. */
      for (int depth = 0; d != NULL && depth < 64; depth++)
        {
          guint parent;

          for (guint i = 0; i < N_SUMMARY; i++)
            d->total.v[i] += v->v[i];
          g_ptr_array_add (d->users, g_strdup (key));
          if (d->parent_id[0] == '\0')
            break;
          parent = GPOINTER_TO_UINT (g_hash_table_lookup (index, d->parent_id));
          d = parent ? &g_array_index (depts, DeptRow, parent - 1) : NULL;
        }
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < depts->len; r++)
    {
      DeptRow *d = &g_array_index (depts, DeptRow, r);

      if (d->id[0] == '\0' && d->users->len == 0)
        continue;

      g_ptr_array_sort (d->users, compare_str_ptr);
      g_ptr_array_add (d->users, NULL);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "department_id");
      json_builder_add_string_value (b, d->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, d->name);
      json_builder_set_member_name (b, "parent_id");
      json_builder_add_string_value (b, d->parent_id);
      json_builder_set_member_name (b, "own");
      json_builder_begin_object (b);
      for (guint i = 0; i < N_SUMMARY; i++)
        {
          json_builder_set_member_name (b, metric_defs[summary_metrics[i]].name);
          json_builder_add_int_value (b, d->own.v[i]);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "total");
      json_builder_begin_object (b);
      for (guint i = 0; i < N_SUMMARY; i++)
        {
          JsonBuilder *db = metric_drill_begin (filter, summary_metrics[i]);

          cond_strv (db, "owner_id", (const char * const *) d->users->pdata);
          add_figure (b, metric_defs[summary_metrics[i]].name, d->total.v[i], drill_end (db));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      g_ptr_array_remove_index (d->users, d->users->len - 1);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_finish (b);
}

/**
 * kehu_report_summary_by_month:
 *
 * Returns: (transfer full): {"rows": [{"month", "start", "end",
 *   "contract_count", "contract_amount", "payment_amount", "new_customers",
 *   "followups"}, …]} per local month of the period
 */
JsonNode *
kehu_report_summary_by_month (KehuStore              *store,
                              const KehuReportFilter *filter,
                              GError                **error)
{
  g_autoptr(GArray) buckets = NULL;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  buckets = month_buckets (filter);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < buckets->len; r++)
    {
      Bucket *bucket = &g_array_index (buckets, Bucket, r);
      KehuReportFilter sub = sub_filter (filter, bucket->start, bucket->end);

      json_builder_begin_object (b);
      add_bucket_head (b, bucket);
      for (guint i = 0; i < N_SUMMARY; i++)
        if (!add_metric_figure (b, NULL, store, &sub, summary_metrics[i], NULL, error))
          {
            builder_abort (b);
            return NULL;
          }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_finish (b);
}

/* Customer analysis ------------------------------------------------------------------- */

typedef struct
{
  const char *key;
  gint64      count;
  gint64      amount;
} DimRow;

static int
dim_row_compare (gconstpointer a,
                 gconstpointer b)
{
  const DimRow *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if (x->amount != y->amount)
    return x->amount > y->amount ? -1 : 1;
  return g_strcmp0 (x->key, y->key);
}

/**
 * kehu_report_customer_analysis:
 * @dimension: source, industry, region or level
 *
 * Per value of @dimension ("" for none): the customers created in the
 * period ("count", "share_bp" of all of them) and the approved contract
 * amount signed in the period with customers of that value
 * ("contract_amount"; contracts whose customer is deleted or missing are
 * left out).
 *
 * Returns: (transfer full): {"dimension", "rows": [{"value", "count",
 *   "share_bp", "contract_amount"}, …], "count", "contract_amount"}
 */
JsonNode *
kehu_report_customer_analysis (KehuStore              *store,
                               const KehuReportFilter *filter,
                               KehuCustomerDimension   dimension,
                               GError                **error)
{
  static const char * const columns[] = { "source", "industry", "region", "level" };
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonNode) count_drill = NULL;
  g_autoptr(JsonNode) amount_drill = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (DimRow));
  g_autofree char *select_count = NULL, *select_amount = NULL;
  const char *column;
  GroupCollect gc = { table, 0 };
  gint64 total_count = 0, total_amount = 0;
  GHashTableIter iter;
  gpointer key, value;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (dimension <= KEHU_CUSTOMER_BY_LEVEL, NULL);

  column = columns[dimension];
  select_count = g_strdup_printf ("COALESCE (t.%s, ''), COUNT(*)", column);
  select_amount = g_strdup_printf ("COALESCE (c.%s, ''), COALESCE (SUM (t.amount), 0)", column);

  count_drill = kehu_report_metric_drill (filter, KEHU_REPORT_METRIC_NEW_CUSTOMERS);
  amount_drill = kehu_report_metric_drill (filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT);
  gc.slot = 0;
  if (!run_drill_query (store, count_drill, select_count, NULL, "1", NULL, group_collect_cb, &gc, error))
    return NULL;
  gc.slot = 1;
  if (!run_drill_query (store, amount_drill, select_amount,
                        "JOIN customers c ON c.id = t.customer_id AND c.deleted_at IS NULL",
                        "1", NULL, group_collect_cb, &gc, error))
    return NULL;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SummaryValues *v = value;
      DimRow row = { key, v->v[0], v->v[1] };

      total_count += row.count;
      total_amount += row.amount;
      g_array_append_val (rows, row);
    }
  g_array_sort (rows, dim_row_compare);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "dimension");
  json_builder_add_string_value (b, column);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < rows->len; r++)
    {
      DimRow *row = &g_array_index (rows, DimRow, r);
      JsonBuilder *d;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, row->key);

      d = metric_drill_begin (filter, KEHU_REPORT_METRIC_NEW_CUSTOMERS);
      cond_blank_or_eq (d, column, row->key);
      add_figure (b, "count", row->count, drill_end (d));

      json_builder_set_member_name (b, "share_bp");
      json_builder_add_int_value (b, total_count > 0 ? kehu_report_scale_round (row->count, 10000, total_count) : 0);

      d = metric_drill_begin (filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT);
      cond_begin (d, "customer_id", "in");
      json_builder_set_member_name (d, "filter");
      json_builder_begin_object (d);
      json_builder_set_member_name (d, "module");
      json_builder_add_string_value (d, "customers");
      json_builder_set_member_name (d, "conditions");
      json_builder_begin_array (d);
      cond_blank_or_eq (d, column, row->key);
      json_builder_end_array (d);
      json_builder_end_object (d);
      json_builder_end_object (d);
      add_figure (b, "contract_amount", row->amount, drill_end (d));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_figure (b, "count", total_count, json_node_ref (count_drill));
  json_builder_set_member_name (b, "contract_amount");
  json_builder_add_int_value (b, total_amount);
  json_builder_end_object (b);
  return builder_finish (b);
}

/* Follow-up statistics ------------------------------------------------------------------ */

typedef struct
{
  GHashTable *persons;   /* owner → GHashTable method → gint64* */
  GHashTable *methods;   /* method → gint64* */
  GHashTable *customers; /* owner → gint64* distinct customers */
} FollowupCollect;

static void
add_count (GHashTable *table,
           const char *key,
           gint64      n)
{
  gint64 *v = g_hash_table_lookup (table, key);

  if (v == NULL)
    {
      v = g_new0 (gint64, 1);
      g_hash_table_insert (table, g_strdup (key), v);
    }
  *v += n;
}

static gboolean
followup_method_cb (sqlite3_stmt *stmt,
                    gpointer      data)
{
  FollowupCollect *fc = data;
  g_autofree char *owner = column_dup (stmt, 0);
  g_autofree char *method = column_dup (stmt, 1);
  gint64 n = sqlite3_column_int64 (stmt, 2);
  GHashTable *per = g_hash_table_lookup (fc->persons, owner);

  if (per == NULL)
    {
      per = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (fc->persons, g_strdup (owner), per);
    }
  add_count (per, method, n);
  add_count (fc->methods, method, n);
  return TRUE;
}

static gboolean
followup_customers_cb (sqlite3_stmt *stmt,
                       gpointer      data)
{
  FollowupCollect *fc = data;
  g_autofree char *owner = column_dup (stmt, 0);

  add_count (fc->customers, owner, sqlite3_column_int64 (stmt, 1));
  return TRUE;
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_str_ptr);
  return keys;
}

/**
 * kehu_report_followup_stats:
 *
 * Follow-ups made in the period, per person (with a count per method and
 * the number of distinct customers followed) and per method.
 *
 * Returns: (transfer full): {"by_person": [{"owner_id", "name", "count",
 *   "customers", "methods": {method: int}}, …], "by_method": [{"method",
 *   "count", "share_bp"}, …], "count"}
 */
JsonNode *
kehu_report_followup_stats (KehuStore              *store,
                            const KehuReportFilter *filter,
                            GError                **error)
{
  g_autoptr(JsonNode) drill = NULL;
  g_autoptr(GHashTable) persons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
  g_autoptr(GHashTable) methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GPtrArray) person_keys = NULL;
  g_autoptr(GPtrArray) method_keys = NULL;
  FollowupCollect fc = { persons, methods, customers };
  gint64 total = 0;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  drill = kehu_report_metric_drill (filter, KEHU_REPORT_METRIC_FOLLOWUPS);
  if (!run_drill_query (store, drill, "t.owner_id, t.method, COUNT(*)", NULL, "t.owner_id, t.method", NULL,
                        followup_method_cb, &fc, error) ||
      !run_drill_query (store, drill, "t.owner_id, COUNT (DISTINCT t.customer_id)", NULL, "t.owner_id", NULL,
                        followup_customers_cb, &fc, error) ||
      (users = load_users (store, error)) == NULL)
    return NULL;

  person_keys = sorted_keys (persons);
  method_keys = sorted_keys (methods);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "by_person");
  json_builder_begin_array (b);
  for (guint i = 0; i < person_keys->len; i++)
    {
      const char *owner = g_ptr_array_index (person_keys, i);
      GHashTable *per = g_hash_table_lookup (persons, owner);
      g_autoptr(GPtrArray) keys = sorted_keys (per);
      UserInfo *u = g_hash_table_lookup (users, owner);
      gint64 *n_customers = g_hash_table_lookup (customers, owner);
      gint64 count = 0;

      for (guint k = 0; k < keys->len; k++)
        count += *(gint64 *) g_hash_table_lookup (per, g_ptr_array_index (keys, k));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "owner_id");
      json_builder_add_string_value (b, owner);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, u ? u->name : "");
      add_figure (b, "count", count, owner_drill (filter, KEHU_REPORT_METRIC_FOLLOWUPS, owner));
      json_builder_set_member_name (b, "customers");
      json_builder_add_int_value (b, n_customers ? *n_customers : 0);
      json_builder_set_member_name (b, "methods");
      json_builder_begin_object (b);
      for (guint k = 0; k < keys->len; k++)
        {
          json_builder_set_member_name (b, g_ptr_array_index (keys, k));
          json_builder_add_int_value (b, *(gint64 *) g_hash_table_lookup (per, g_ptr_array_index (keys, k)));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  for (guint k = 0; k < method_keys->len; k++)
    total += *(gint64 *) g_hash_table_lookup (methods, g_ptr_array_index (method_keys, k));

  json_builder_set_member_name (b, "by_method");
  json_builder_begin_array (b);
  for (guint k = 0; k < method_keys->len; k++)
    {
      const char *method = g_ptr_array_index (method_keys, k);
      gint64 count = *(gint64 *) g_hash_table_lookup (methods, method);
      JsonBuilder *d = metric_drill_begin (filter, KEHU_REPORT_METRIC_FOLLOWUPS);

      cond_str (d, "method", "eq", method);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, method);
      add_figure (b, "count", count, drill_end (d));
      json_builder_set_member_name (b, "share_bp");
      json_builder_add_int_value (b, total > 0 ? kehu_report_scale_round (count, 10000, total) : 0);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_figure (b, "count", total, json_node_ref (drill));
  json_builder_end_object (b);
  return builder_finish (b);
}

/* Forecast ------------------------------------------------------------------------------- */

static JsonNode *
forecast_drill (const KehuReportFilter *f)
{
  JsonBuilder *d = drill_begin ("opportunities");

  cond_str (d, "status", "eq", "open");
  cond_period (d, f, "expected_close_date", TRUE);
  cond_owners (d, f, "owner_id");
  return drill_end (d);
}

typedef struct
{
  gint64 count;
  gint64 amount;
  gint64 rate_sum;   /* Σ amount × win rate */
} ForecastSums;

static gboolean
forecast_cb (sqlite3_stmt *stmt,
             gpointer      data)
{
  ForecastSums *s = data;

  s->count = sqlite3_column_int64 (stmt, 0);
  s->amount = sqlite3_column_int64 (stmt, 1);
  s->rate_sum = sqlite3_column_int64 (stmt, 2);
  return FALSE;
}

/**
 * kehu_report_forecast:
 *
 * Open opportunities by expected close month (local months of the period;
 * opportunities without an expected close date are left out): count,
 * amount and Σ amount × win rate of their stage / 100, rounded once per
 * month.
 *
 * Returns: (transfer full): {"rows": [{"month", "start", "end", "count",
 *   "amount", "weighted_amount"}, …], "count", "amount", "weighted_amount"}
 */
JsonNode *
kehu_report_forecast (KehuStore              *store,
                      const KehuReportFilter *filter,
                      GError                **error)
{
  static const char select[] =
    "COUNT(*), COALESCE (SUM (t.amount), 0), COALESCE (SUM (t.amount * COALESCE (s.win_rate, 0)), 0)";
  static const char join[] = "LEFT JOIN stages s ON s.id = t.stage_id";
  g_autoptr(GArray) buckets = NULL;
  ForecastSums total = { 0 };
  gint64 total_weighted = 0;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  buckets = month_buckets (filter);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_period (b, filter);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < buckets->len; r++)
    {
      Bucket *bucket = &g_array_index (buckets, Bucket, r);
      KehuReportFilter sub = sub_filter (filter, bucket->start, bucket->end);
      JsonNode *drill = forecast_drill (&sub);
      ForecastSums s = { 0 };
      gint64 weighted;

      if (!run_drill_query (store, drill, select, join, NULL, NULL, forecast_cb, &s, error))
        {
          json_node_unref (drill);
          builder_abort (b);
          return NULL;
        }
      weighted = kehu_report_scale_round (s.rate_sum, 1, 100);
      total.count += s.count;
      total.amount += s.amount;
      total_weighted += weighted;

      json_builder_begin_object (b);
      add_bucket_head (b, bucket);
      add_figure (b, "count", s.count, json_node_copy (drill));
      add_figure (b, "amount", s.amount, json_node_copy (drill));
      add_figure (b, "weighted_amount", weighted, drill);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  {
    JsonNode *drill = forecast_drill (filter);

    add_figure (b, "count", total.count, json_node_copy (drill));
    add_figure (b, "amount", total.amount, json_node_copy (drill));
    add_figure (b, "weighted_amount", total_weighted, drill);
  }
  json_builder_end_object (b);
  return builder_finish (b);
}

/* Comparisons ------------------------------------------------------------------------------ */

static gboolean
is_local_midnight (GDateTime *t)
{
  return g_date_time_get_hour (t) == 0 && g_date_time_get_minute (t) == 0 &&
         g_date_time_get_second (t) == 0 && g_date_time_get_microsecond (t) == 0;
}

/**
 * kehu_report_compare_period:
 * @kind: year over year (同比) or period over period (环比)
 * @start: (out): the comparison period's start, in UTC
 * @end: (out): its end
 *
 * 同比: the same local dates one year earlier (29 February → 28 February).
 * 环比: the period just before, of the same calendar length: whole local
 * months shift by their number of months (a quarter → the quarter before,
 * March → February), whole local days by their number of days (a week →
 * the week before), anything else by its duration.
 *
 * Returns: %FALSE when the filter has no bounded period
 */
gboolean
kehu_report_compare_period (const KehuReportFilter  *filter,
                            KehuCompareKind          kind,
                            GDateTime              **start,
                            GDateTime              **end)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) ls = NULL;
  g_autoptr(GDateTime) le = NULL;
  g_autoptr(GDateTime) ps = NULL;
  g_autoptr(GDateTime) pe = NULL;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (filter->start == NULL || filter->end == NULL || g_date_time_compare (filter->start, filter->end) >= 0)
    return FALSE;

  tz = filter_zone (filter);
  ls = g_date_time_to_timezone (filter->start, tz);
  le = g_date_time_to_timezone (filter->end, tz);

  if (kind == KEHU_COMPARE_YEAR_OVER_YEAR)
    {
      ps = g_date_time_add_years (ls, -1);
      pe = g_date_time_add_years (le, -1);
    }
  else if (is_local_midnight (ls) && is_local_midnight (le) &&
           g_date_time_get_day_of_month (ls) == 1 && g_date_time_get_day_of_month (le) == 1)
    {
      int months = (g_date_time_get_year (le) * 12 + g_date_time_get_month (le)) -
                   (g_date_time_get_year (ls) * 12 + g_date_time_get_month (ls));
      ps = g_date_time_add_months (ls, -months);
      pe = g_date_time_ref (ls);
    }
  else if (is_local_midnight (ls) && is_local_midnight (le))
    {
      g_autoptr(GDate) ds = g_date_new_dmy ((GDateDay) g_date_time_get_day_of_month (ls),
                                            (GDateMonth) g_date_time_get_month (ls),
                                            (GDateYear) g_date_time_get_year (ls));
      g_autoptr(GDate) de = g_date_new_dmy ((GDateDay) g_date_time_get_day_of_month (le),
                                            (GDateMonth) g_date_time_get_month (le),
                                            (GDateYear) g_date_time_get_year (le));
      int days = g_date_days_between (ds, de);
      ps = g_date_time_add_days (ls, -days);
      pe = g_date_time_ref (ls);
    }
  else
    {
      ps = g_date_time_add (ls, -g_date_time_difference (le, ls));
      pe = g_date_time_ref (ls);
    }

  *start = g_date_time_to_utc (ps);
  *end = g_date_time_to_utc (pe);
  return TRUE;
}

static void
add_compare_side (JsonBuilder            *b,
                  const char             *name,
                  const KehuReportFilter *f,
                  KehuReportMetric        metric,
                  gint64                  value)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  add_period (b, f);
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, value);
  json_builder_set_member_name (b, "drill");
  json_builder_add_value (b, kehu_report_metric_drill (f, metric));
  json_builder_end_object (b);
}

/**
 * kehu_report_compare:
 *
 * @metric over the filter's period against the comparison period of
 * kehu_report_compare_period(). "change" is current − base;
 * "change_bp" is change × 10000 / base in basis points, or null when the
 * base is zero (a growth from nothing has no rate; "base_zero" says so).
 *
 * Returns: (transfer full): {"metric", "kind", "current": {"start", "end",
 *   "value", "drill"}, "base": {…}, "change", "change_bp", "base_zero"}
 */
JsonNode *
kehu_report_compare (KehuStore              *store,
                     const KehuReportFilter *filter,
                     KehuReportMetric        metric,
                     KehuCompareKind         kind,
                     GError                **error)
{
  g_autoptr(GDateTime) ps = NULL;
  g_autoptr(GDateTime) pe = NULL;
  KehuReportFilter base_filter;
  gint64 current, base;
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (metric < KEHU_REPORT_N_METRICS, NULL);

  if (!kehu_report_compare_period (filter, kind, &ps, &pe))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("A comparison needs a period with a start and an end"));
      return NULL;
    }
  base_filter = sub_filter (filter, ps, pe);

  if (!kehu_report_metric_value (store, filter, metric, &current, error) ||
      !kehu_report_metric_value (store, &base_filter, metric, &base, error))
    return NULL;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, metric_defs[metric].name);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind == KEHU_COMPARE_YEAR_OVER_YEAR ? "year_over_year" : "period_over_period");
  add_compare_side (b, "current", filter, metric, current);
  add_compare_side (b, "base", &base_filter, metric, base);
  json_builder_set_member_name (b, "change");
  json_builder_add_int_value (b, current - base);
  json_builder_set_member_name (b, "change_bp");
  if (base != 0)
    json_builder_add_int_value (b, kehu_report_scale_round (current - base, 10000, base));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "base_zero");
  json_builder_add_boolean_value (b, base == 0);
  json_builder_end_object (b);
  return builder_finish (b);
}

/* Top customers ------------------------------------------------------------------------------ */

typedef struct
{
  JsonBuilder            *b;
  const KehuReportFilter *filter;
  KehuReportMetric        metric;
  guint                   position;
  gint64                  rank;
  gint64                  last_amount;
} TopCollect;

static gboolean
top_cb (sqlite3_stmt *stmt,
        gpointer      data)
{
  TopCollect *tc = data;
  const char *id = (const char *) sqlite3_column_text (stmt, 0);
  gint64 amount = sqlite3_column_int64 (stmt, 2);
  JsonBuilder *d = metric_drill_begin (tc->filter, tc->metric);

  /* Competition ranking: ties share a rank (1, 2, 2, 4). */
  tc->position++;
  if (tc->position == 1 || amount != tc->last_amount)
    tc->rank = tc->position;
  tc->last_amount = amount;

  cond_str (d, "customer_id", "eq", id);
  json_builder_begin_object (tc->b);
  json_builder_set_member_name (tc->b, "rank");
  json_builder_add_int_value (tc->b, tc->rank);
  json_builder_set_member_name (tc->b, "customer_id");
  json_builder_add_string_value (tc->b, id);
  json_builder_set_member_name (tc->b, "name");
  json_builder_add_string_value (tc->b, (const char *) sqlite3_column_text (stmt, 1));
  add_figure (tc->b, "amount", amount, drill_end (d));
  json_builder_end_object (tc->b);
  return TRUE;
}

/**
 * kehu_report_top_customers:
 * @metric: %KEHU_REPORT_METRIC_CONTRACT_AMOUNT or %KEHU_REPORT_METRIC_PAYMENT_AMOUNT
 * @limit: how many (10 for the top-10); 0 means 10
 *
 * Customers (not deleted) by approved amount in the period, highest first;
 * ties are ordered by customer name then id, share a rank, and the list
 * stops at @limit rows even inside a tie.
 *
 * Returns: (transfer full): {"metric", "rows": [{"rank", "customer_id",
 *   "name", "amount"}, …]}
 */
JsonNode *
kehu_report_top_customers (KehuStore              *store,
                           const KehuReportFilter *filter,
                           KehuReportMetric        metric,
                           guint                   limit,
                           GError                **error)
{
  g_autoptr(JsonNode) drill = NULL;
  g_autofree char *order = NULL;
  TopCollect tc = { NULL, filter, metric, 0, 0, 0 };

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  if (metric != KEHU_REPORT_METRIC_CONTRACT_AMOUNT && metric != KEHU_REPORT_METRIC_PAYMENT_AMOUNT)
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("Top customers are ranked by contract or payment amount only"));
      return NULL;
    }

  order = g_strdup_printf ("3 DESC, c.name, t.customer_id LIMIT %u", limit ? limit : 10);
  drill = kehu_report_metric_drill (filter, metric);
  tc.b = json_builder_new ();
  json_builder_begin_object (tc.b);
  add_period (tc.b, filter);
  json_builder_set_member_name (tc.b, "metric");
  json_builder_add_string_value (tc.b, metric_defs[metric].name);
  json_builder_set_member_name (tc.b, "rows");
  json_builder_begin_array (tc.b);
  if (!run_drill_query (store, drill, "t.customer_id, c.name, SUM (t.amount)",
                        "JOIN customers c ON c.id = t.customer_id AND c.deleted_at IS NULL",
                        "+t.customer_id", order, top_cb, &tc, error))
    {
      builder_abort (tc.b);
      return NULL;
    }
  json_builder_end_array (tc.b);
  json_builder_end_object (tc.b);
  return builder_finish (tc.b);
}

/* Details --------------------------------------------------------------------------------- */

static sqlite3_stmt *
details_prepare (KehuStore              *store,
                 const KehuReportFilter *filter,
                 gboolean                payments,
                 GError                **error)
{
  g_autoptr(JsonNode) drill = NULL;

  if (payments)
    {
      drill = kehu_report_metric_drill (filter, KEHU_REPORT_METRIC_PAYMENT_AMOUNT);
      return prepare_drill_query (store, drill,
                                  "t.id, t.number, NULL, t.customer_id, c.name, t.owner_id, u.name,"
                                  " t.amount, 0, t.paid_date, NULL, NULL, k.number, t.method",
                                  "LEFT JOIN customers c ON c.id = t.customer_id"
                                  " LEFT JOIN users u ON u.id = t.owner_id"
                                  " LEFT JOIN contracts k ON k.id = t.contract_id",
                                  NULL, "t.paid_date, t.id", error);
    }

  drill = kehu_report_metric_drill (filter, KEHU_REPORT_METRIC_CONTRACT_AMOUNT);
  return prepare_drill_query (store, drill,
                              "t.id, t.number, t.name, t.customer_id, c.name, t.owner_id, u.name,"
                              " t.amount, t.received_total, t.signed_date, t.start_date, t.end_date, NULL, NULL",
                              "LEFT JOIN customers c ON c.id = t.customer_id"
                              " LEFT JOIN users u ON u.id = t.owner_id",
                              NULL, "t.signed_date, t.id", error);
}

/* Returns SQLITE_ROW with @row filled, SQLITE_DONE, or an error code. */
static int
details_step (sqlite3_stmt        *stmt,
              KehuReportDetailRow *row)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    return rc;

#define TEXT(i) ((const char *) sqlite3_column_text (stmt, (i)))
  row->id = TEXT (0);
  row->number = TEXT (1);
  row->name = TEXT (2);
  row->customer_id = TEXT (3);
  row->customer_name = TEXT (4);
  row->owner_id = TEXT (5);
  row->owner_name = TEXT (6);
  row->amount = sqlite3_column_int64 (stmt, 7);
  row->received_total = sqlite3_column_int64 (stmt, 8);
  row->date = TEXT (9);
  row->start_date = TEXT (10);
  row->end_date = TEXT (11);
  row->contract_number = TEXT (12);
  row->method = TEXT (13);
#undef TEXT
  return rc;
}

static gboolean
details_foreach (KehuStore              *store,
                 const KehuReportFilter *filter,
                 gboolean                payments,
                 KehuReportRowFunc       func,
                 gpointer                user_data,
                 GError                **error)
{
  sqlite3_stmt *stmt;
  KehuReportDetailRow row;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if ((stmt = details_prepare (store, filter, payments, error)) == NULL)
    return FALSE;
  while ((rc = details_step (stmt, &row)) == SQLITE_ROW)
    if (!func (&row, user_data))
      {
        rc = SQLITE_DONE;
        break;
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/**
 * kehu_report_contract_details_foreach:
 * @func: called once per row, in signed_date order; return %FALSE to stop
 *
 * The approved contracts signed in the period, one row at a time (a cursor
 * over SQLite: no range is ever held in memory).
 */
gboolean
kehu_report_contract_details_foreach (KehuStore              *store,
                                      const KehuReportFilter *filter,
                                      KehuReportRowFunc       func,
                                      gpointer                user_data,
                                      GError                **error)
{
  return details_foreach (store, filter, FALSE, func, user_data, error);
}

/**
 * kehu_report_payment_details_foreach:
 *
 * The approved payments received in the period, in paid_date order.
 */
gboolean
kehu_report_payment_details_foreach (KehuStore              *store,
                                     const KehuReportFilter *filter,
                                     KehuReportRowFunc       func,
                                     gpointer                user_data,
                                     GError                **error)
{
  return details_foreach (store, filter, TRUE, func, user_data, error);
}

/* Exports ------------------------------------------------------------------------------------ */

typedef struct
{
  KehuStore    *store;
  sqlite3_stmt *stmt;
  gboolean      payments;
} DetailExport;

static gboolean
detail_export_row (KehuExportCell  *cells,
                   guint            n_columns,
                   gpointer         user_data,
                   GError         **error)
{
  DetailExport *de = user_data;
  KehuReportDetailRow row;
  int rc = details_step (de->stmt, &row);

  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        kehu_store_set_error_from_db (de->store, rc, error);
      return FALSE;
    }

  if (de->payments)
    {
      cells[0].text = row.number;
      cells[1].text = row.contract_number;
      cells[2].text = row.customer_name;
      cells[3].text = row.owner_name;
      cells[4].number = row.amount;
      cells[5].text = row.date;
      cells[6].text = row.method;
    }
  else
    {
      cells[0].text = row.number;
      cells[1].text = row.name;
      cells[2].text = row.customer_name;
      cells[3].text = row.owner_name;
      cells[4].number = row.amount;
      cells[5].number = row.received_total;
      cells[6].text = row.date;
      cells[7].text = row.start_date;
      cells[8].text = row.end_date;
    }
  return TRUE;
}

static gboolean
export_details (KehuStore              *store,
                const KehuReportFilter *filter,
                gboolean                payments,
                KehuReportFormat        format,
                const char             *path,
                GError                **error)
{
  static const KehuExportColumnType contract_types[] = {
    KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT,
    KEHU_EXPORT_MONEY, KEHU_EXPORT_MONEY, KEHU_EXPORT_DATE, KEHU_EXPORT_DATE, KEHU_EXPORT_DATE,
  };
  static const KehuExportColumnType payment_types[] = {
    KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT, KEHU_EXPORT_TEXT,
    KEHU_EXPORT_MONEY, KEHU_EXPORT_DATE, KEHU_EXPORT_TEXT,
  };
  const char *contract_headers[] = {
    _("Contract number"), _("Contract"), _("Customer"), _("Owner"),
    _("Amount"), _("Received"), _("Signed on"), _("Starts on"), _("Ends on"), NULL,
  };
  const char *payment_headers[] = {
    _("Payment number"), _("Contract number"), _("Customer"), _("Owner"),
    _("Amount"), _("Paid on"), _("Method"), NULL,
  };
  DetailExport de = { store, NULL, payments };
  const char * const *headers = payments ? payment_headers : contract_headers;
  const KehuExportColumnType *types = payments ? payment_types : contract_types;
  guint n = payments ? G_N_ELEMENTS (payment_types) : G_N_ELEMENTS (contract_types);
  gboolean ok;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);
  g_return_val_if_fail (filter != NULL && path != NULL, FALSE);

  if ((de.stmt = details_prepare (store, filter, payments, error)) == NULL)
    return FALSE;
  if (format == KEHU_REPORT_FORMAT_CSV)
    ok = kehu_export_table_csv (path, headers, types, n, detail_export_row, &de, error);
  else
    ok = kehu_export_table_xlsx (path, payments ? _("Payments") : _("Contracts"),
                                 headers, types, n, detail_export_row, &de, error);
  sqlite3_finalize (de.stmt);
  return ok;
}

gboolean
kehu_report_export_contract_details (KehuStore              *store,
                                     const KehuReportFilter *filter,
                                     KehuReportFormat        format,
                                     const char             *path,
                                     GError                **error)
{
  return export_details (store, filter, FALSE, format, path, error);
}

gboolean
kehu_report_export_payment_details (KehuStore              *store,
                                    const KehuReportFilter *filter,
                                    KehuReportFormat        format,
                                    const char             *path,
                                    GError                **error)
{
  return export_details (store, filter, TRUE, format, path, error);
}

typedef struct
{
  JsonArray              *rows;
  guint                   next;
  const KehuReportColumn *columns;
} RowsExport;

/* "total.contract_amount": a member of a member. */
static JsonNode *
member_path (JsonObject *object,
             const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (object == NULL || !json_object_has_member (object, parts[i]))
        return NULL;
      node = json_object_get_member (object, parts[i]);
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  return node;
}

static gboolean
rows_export_row (KehuExportCell  *cells,
                 guint            n_columns,
                 gpointer         user_data,
                 GError         **error)
{
  RowsExport *re = user_data;
  JsonObject *row;

  if (re->rows == NULL || re->next >= json_array_get_length (re->rows))
    return FALSE;
  row = json_array_get_object_element (re->rows, re->next++);

  for (guint c = 0; c < n_columns; c++)
    {
      JsonNode *v = row ? member_path (row, re->columns[c].member) : NULL;

      /* A figure exports its value. */
      if (v != NULL && JSON_NODE_HOLDS_OBJECT (v))
        v = json_object_get_member (json_node_get_object (v), "value");

      if (v == NULL || JSON_NODE_HOLDS_NULL (v) || !JSON_NODE_HOLDS_VALUE (v))
        cells[c].is_null = TRUE;
      else if (json_node_get_value_type (v) == G_TYPE_STRING)
        cells[c].text = json_node_get_string (v);
      else if (json_node_get_value_type (v) == G_TYPE_INT64)
        cells[c].number = json_node_get_int (v);
      else
        cells[c].is_null = TRUE;
    }
  return TRUE;
}

/**
 * kehu_report_export_rows:
 * @report: a report whose "rows" member is an array of objects
 * @columns: which members to export, in order ("a.b" for a member of a
 *   member; a figure exports its value)
 *
 * Exports any report table of this file.
 */
gboolean
kehu_report_export_rows (JsonNode               *report,
                         const KehuReportColumn *columns,
                         guint                   n_columns,
                         const char             *title,
                         KehuReportFormat        format,
                         const char             *path,
                         GError                **error)
{
  g_autofree const char **headers = NULL;
  g_autofree KehuExportColumnType *types = NULL;
  RowsExport re = { NULL, 0, columns };
  JsonObject *obj;

  g_return_val_if_fail (report != NULL && path != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (report) ||
      !json_object_has_member ((obj = json_node_get_object (report)), "rows") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "rows")))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("The report to export has no rows"));
      return FALSE;
    }
  re.rows = json_object_get_array_member (obj, "rows");

  headers = g_new0 (const char *, n_columns + 1);
  types = g_new0 (KehuExportColumnType, n_columns + 1);
  for (guint c = 0; c < n_columns; c++)
    {
      headers[c] = columns[c].header;
      types[c] = columns[c].type;
    }

  if (format == KEHU_REPORT_FORMAT_CSV)
    return kehu_export_table_csv (path, headers, types, n_columns, rows_export_row, &re, error);
  return kehu_export_table_xlsx (path, title, headers, types, n_columns, rows_export_row, &re, error);
}

/* Target breakdown and completion ---------------------------------------------------------- */

typedef struct
{
  char *id;
  char *name;
  char *parent_id;   /* departments: "" at the top; users: their department */
} OrgNode;

static void
org_node_clear (gpointer data)
{
  OrgNode *n = data;

  g_free (n->id);
  g_free (n->name);
  g_free (n->parent_id);
}

static GArray *
load_org (KehuStore   *store,
          const char  *sql,
          GError     **error)
{
  g_autoptr(GArray) nodes = g_array_new (FALSE, TRUE, sizeof (OrgNode));
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_array_set_clear_func (nodes, org_node_clear);
  if (!prepare (store, sql, &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OrgNode n = { column_dup (stmt, 0), column_dup (stmt, 1), column_dup (stmt, 2) };
      g_array_append_val (nodes, n);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&nodes);
}

static char *
target_key (const char *scope,
            const char *id,
            int         month,
            const char *metric)
{
  return g_strdup_printf ("%s|%s|%d|%s", scope, id, month, metric);
}

static void
add_mismatch (JsonBuilder *b,
              const char  *scope,
              const char  *id,
              const char  *name,
              int          year,
              int          month,
              const char  *metric,
              gint64       target,
              gboolean     target_set,
              gint64       parts)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, scope);
  json_builder_set_member_name (b, "scope_id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "year");
  json_builder_add_int_value (b, year);
  json_builder_set_member_name (b, "month");
  json_builder_add_int_value (b, month);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, metric);
  json_builder_set_member_name (b, "target");
  json_builder_add_int_value (b, target);
  json_builder_set_member_name (b, "target_set");
  json_builder_add_boolean_value (b, target_set);
  json_builder_set_member_name (b, "parts_sum");
  json_builder_add_int_value (b, parts);
  json_builder_set_member_name (b, "difference");
  json_builder_add_int_value (b, target - parts);
  json_builder_end_object (b);
}

/**
 * kehu_report_targets_check:
 * @year: the year to check
 *
 * The rule: for every month and metric, the company's target equals the
 * sum of the targets of the top-level departments and of the users without
 * a department, and every department's target equals the sum of the targets
 * of its direct sub-departments and of its direct members. A parent is
 * checked when it or one of its parts has a target (an unset target counts
 * as 0); users are leaves. Deleted departments and users are left out.
 *
 * Returns: (transfer full): {"year", "mismatches": [{"scope", "scope_id",
 *   "name", "year", "month", "metric", "target", "target_set", "parts_sum",
 *   "difference" (target − parts)}, …]} ordered by month, metric, scope
 */
JsonNode *
kehu_report_targets_check (KehuStore  *store,
                           int         year,
                           GError    **error)
{
  g_autoptr(GHashTable) targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) depts = NULL;
  g_autoptr(GArray) users = NULL;
  g_autoptr(GHashTable) live_depts = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = NULL;
  JsonBuilder *b;
  int rc;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (!prepare (store, "SELECT scope, scope_id, month, metric, value FROM sales_targets WHERE year = ?1",
                &stmt, error))
    return NULL;
  sqlite3_bind_int (stmt, 1, year);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 v = sqlite3_column_int64 (stmt, 4);
      g_hash_table_insert (targets,
                           target_key ((const char *) sqlite3_column_text (stmt, 0),
                                       (const char *) sqlite3_column_text (stmt, 1),
                                       sqlite3_column_int (stmt, 2),
                                       (const char *) sqlite3_column_text (stmt, 3)),
                           g_memdup2 (&v, sizeof v));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  depts = load_org (store,
                    "SELECT id, name, COALESCE (parent_id, '') FROM departments WHERE deleted_at IS NULL"
                    " ORDER BY position, name, id", error);
  if (depts == NULL)
    return NULL;
  users = load_org (store,
                    "SELECT id, name, COALESCE (department_id, '') FROM users WHERE deleted_at IS NULL"
                    " ORDER BY id", error);
  if (users == NULL)
    return NULL;
  for (guint i = 0; i < depts->len; i++)
    g_hash_table_add (live_depts, g_array_index (depts, OrgNode, i).id);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "year");
  json_builder_add_int_value (b, year);
  json_builder_set_member_name (b, "mismatches");
  json_builder_begin_array (b);

  for (int month = 1; month <= 12; month++)
    for (guint m = 0; m < G_N_ELEMENTS (target_metric_names); m++)
      {
        const char *metric = target_metric_names[m];

        /* i == depts->len is the company; its parts have parent "". */
        for (guint i = 0; i <= depts->len; i++)
          {
            gboolean company = i == depts->len;
            const char *id = company ? "" : g_array_index (depts, OrgNode, i).id;
            g_autofree char *key = target_key (company ? "company" : "department", id, month, metric);
            gint64 *own = g_hash_table_lookup (targets, key);
            gboolean any_part = FALSE;
            gint64 parts = 0;

            for (guint j = 0; j < depts->len; j++)
              {
                OrgNode *d = &g_array_index (depts, OrgNode, j);
                /* A department whose parent is gone counts at the top. */
                const char *parent = g_hash_table_contains (live_depts, d->parent_id) ? d->parent_id : "";
                g_autofree char *pk = NULL;
                gint64 *v;

                if (!g_str_equal (parent, id))
                  continue;
                pk = target_key ("department", d->id, month, metric);
                if ((v = g_hash_table_lookup (targets, pk)) != NULL)
                  {
                    any_part = TRUE;
                    parts += *v;
                  }
              }
            for (guint j = 0; j < users->len; j++)
              {
                OrgNode *u = &g_array_index (users, OrgNode, j);
                const char *parent = g_hash_table_contains (live_depts, u->parent_id) ? u->parent_id : "";
                g_autofree char *pk = NULL;
                gint64 *v;

                if (!g_str_equal (parent, id))
                  continue;
                pk = target_key ("user", u->id, month, metric);
                if ((v = g_hash_table_lookup (targets, pk)) != NULL)
                  {
                    any_part = TRUE;
                    parts += *v;
                  }
              }

            if ((own != NULL || any_part) && (own ? *own : 0) != parts)
              add_mismatch (b, company ? "company" : "department", id,
                            company ? "" : g_array_index (depts, OrgNode, i).name,
                            year, month, metric, own ? *own : 0, own != NULL, parts);
          }
      }

  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_finish (b);
}

/**
 * kehu_report_target_completion:
 * @scope_owner_ids: (nullable): the viewer's data-scope restriction
 *
 * For each local month of @year and each target metric: the target of the
 * scope, the actual figure from the records of the scope's people (the
 * whole company, the department with its sub-departments, or the user),
 * and the completion in basis points (null without a target).
 *
 * Returns: (transfer full): {"scope", "scope_id", "year", "rows": [{"month",
 *   "contract_amount": {"value", "target", "completion_bp", "drill"},
 *   "payment_amount": …, "new_customers": …}, …], "total": {same}}
 */
JsonNode *
kehu_report_target_completion (KehuStore           *store,
                               KehuTargetScope      scope,
                               const char          *scope_id,
                               int                  year,
                               GTimeZone           *tz,
                               const char * const  *scope_owner_ids,
                               GError             **error)
{
  g_auto(GStrv) owners = NULL;
  const char *one[2] = { scope_id, NULL };
  g_autoptr(GTimeZone) zone = tz ? g_time_zone_ref (tz) : g_time_zone_new_utc ();
  g_autoptr(GDateTime) year_start = NULL;
  g_autoptr(GDateTime) year_end = NULL;
  g_autoptr(GArray) buckets = NULL;
  KehuReportFilter f = { NULL, scope_owner_ids, NULL, NULL, zone };
  gint64 totals[G_N_ELEMENTS (target_metric_actual)][2] = { { 0 } };
  JsonBuilder *b;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (!check_target_args (scope, scope_id, year, 1, KEHU_TARGET_CONTRACT_AMOUNT, error))
    return NULL;

  if (scope == KEHU_TARGET_DEPARTMENT)
    {
      if ((owners = kehu_report_department_user_ids (store, scope_id, error)) == NULL)
        return NULL;
      f.owner_ids = (const char * const *) owners;
    }
  else if (scope == KEHU_TARGET_USER)
    f.owner_ids = one;

  year_start = g_date_time_new (zone, year, 1, 1, 0, 0, 0);
  year_end = g_date_time_add_years (year_start, 1);
  f.start = year_start;
  f.end = year_end;
  buckets = month_buckets (&f);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, target_scope_names[scope]);
  json_builder_set_member_name (b, "scope_id");
  json_builder_add_string_value (b, target_scope_id (scope, scope_id));
  json_builder_set_member_name (b, "year");
  json_builder_add_int_value (b, year);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < buckets->len; r++)
    {
      Bucket *bucket = &g_array_index (buckets, Bucket, r);
      KehuReportFilter sub = sub_filter (&f, bucket->start, bucket->end);
      g_autoptr(GArray) this_month = g_array_new (FALSE, TRUE, sizeof (Bucket));

      g_array_append_vals (this_month, bucket, 1);
      json_builder_begin_object (b);
      add_bucket_head (b, bucket);
      for (guint i = 0; i < G_N_ELEMENTS (target_metric_actual); i++)
        {
          KehuReportMetric metric = target_metric_actual[i];
          JsonNode *drill = kehu_report_metric_drill (&sub, metric);
          gint64 value, target;

          if (!aggregate_drill (store, drill, metric_defs[metric].aggregate, &value, error) ||
              !target_sum (store, scope, scope_id, (KehuTargetMetric) i, this_month, &target, error))
            {
              json_node_unref (drill);
              builder_abort (b);
              return NULL;
            }
          totals[i][0] += value;
          totals[i][1] += target;
          json_builder_set_member_name (b, metric_defs[metric].name);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "value");
          json_builder_add_int_value (b, value);
          add_completion (b, value, target);
          json_builder_set_member_name (b, "drill");
          json_builder_add_value (b, drill);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "total");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (target_metric_actual); i++)
    {
      KehuReportMetric metric = target_metric_actual[i];

      json_builder_set_member_name (b, metric_defs[metric].name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_int_value (b, totals[i][0]);
      add_completion (b, totals[i][0], totals[i][1]);
      json_builder_set_member_name (b, "drill");
      json_builder_add_value (b, kehu_report_metric_drill (&f, metric));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return builder_finish (b);
}
