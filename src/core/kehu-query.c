/* kehu-query.c: filtered, sorted, keyset-paged lists of records
 *
 * A KehuQuery is the WHERE and ORDER BY of one module's list: conditions
 * over system and custom fields (ANDed), a quick-search text, a visibility
 * restriction computed by the permission code, and the recycle-bin switch.
 * It never pages with OFFSET: fetch() continues after an opaque cursor that
 * encodes the last row's sort key and id, so page 10 000 costs what page 1
 * costs. Every sort ends with id as the tiebreak, so the order is total.
 *
 * Sort keys of nullable fields are coalesced (text: '', numbers: the
 * smallest int64) so that the keyset is a plain (key, id) row value; NULLs
 * therefore come first ascending and last descending.
 *
 * Filter JSON (scenes.filter, REST ?filter=):
 *
 *   {"conditions": [{"field": "level", "op": "eq", "value": "vip"},
 *                   {"field": "amount", "op": "between", "value": [100, 500]},
 *                   {"field": "created_at", "op": "date", "value": "last_days", "n": 7},
 *                   {"field": "budget", "op": "gte", "value": 100000}],
 *    "search": "bjdx"}
 *
 * or just the array of conditions. "field" is a column or a custom field's
 * name; values have the field's JSON type (money in cents). Operators:
 * eq, ne, gt, gte, lt, lte, between [a, b] (inclusive), in [..], not_in [..],
 * contains / not_contains (case-insensitive substring for text; element of
 * for tags and multi-choice), empty / not_empty (no value), my_team (a user
 * field holds the context's user or someone of that user's department; no
 * value), date (value is a preset: today, yesterday, tomorrow, this_week,
 * last_week, next_week, this_month, last_month, next_month, this_quarter,
 * last_quarter, this_year, last_year, last_days, next_days, before_days —
 * the last three with "n" — or "range" with "from" and/or "to", days
 * "YYYY-MM-DD", both included). before_days n: earlier than the first day
 * of last_days n, or never ("not followed up for n days"). ne and not_in
 * match records without a value. Presets are computed in the context's time
 * zone at the context's "now" (weeks start on Monday) and compared as UTC
 * bounds [start, end) for times, as dates for date fields. last_days n =
 * the n days ending today; next_days n = the n days starting today.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-query"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-query.h"
#include "kehu-record-private.h"
#include "kehu-search.h"

struct _KehuQuery
{
  GObject           parent_instance;

  KehuContext      *ctx;
  const KehuModule *module;

  GPtrArray        *conditions;     /* Condition* */
  GPtrArray        *params;         /* KehuValue* for conditions */
  char             *search;
  GString          *visibility;
  GPtrArray        *vis_params;
  KehuQueryDeleted  deleted;

  const KehuField  *sort_field;
  gboolean          descending;

  KehuQueryExtras   extras;
  sqlite3          *db;             /* NULL: the store's connection */
};

G_DEFINE_FINAL_TYPE (KehuQuery, kehu_query, G_TYPE_OBJECT)

G_DEFINE_QUARK (kehu-query-error-quark, kehu_query_error)

static KehuSearchFunc search_func;
static gpointer search_data;

void
kehu_query_set_search_provider (KehuSearchFunc func,
                                gpointer       user_data)
{
  search_func = func;
  search_data = user_data;
}

/* One filter condition. Range conditions on a field other than the sort
 * field are written with a unary "+" in ordered queries: it keeps SQLite
 * from picking the filter's index and sorting everything, so that the first
 * page walks the sort index and stops after one page. */
typedef struct
{
  const KehuField *field;
  char            *plain;
  char            *plus;   /* NULL unless a range */
} Condition;

static void
condition_free (Condition *c)
{
  g_free (c->plain);
  g_free (c->plus);
  g_free (c);
}

static void
value_free (KehuValue *value)
{
  _kehu_value_clear (value);
  g_free (value);
}

static KehuValue *
value_text (const char *text)
{
  KehuValue *v = g_new0 (KehuValue, 1);
  v->kind = SQLITE_TEXT;
  v->s = g_strdup (text);
  return v;
}

static void
kehu_query_finalize (GObject *object)
{
  KehuQuery *self = (KehuQuery *)object;

  g_clear_object (&self->ctx);
  g_ptr_array_unref (self->conditions);
  g_string_free (self->visibility, TRUE);
  g_ptr_array_unref (self->params);
  g_ptr_array_unref (self->vis_params);
  g_free (self->search);

  G_OBJECT_CLASS (kehu_query_parent_class)->finalize (object);
}

static void
kehu_query_class_init (KehuQueryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_query_finalize;
}

static void
kehu_query_init (KehuQuery *self)
{
  self->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) condition_free);
  self->visibility = g_string_new (NULL);
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
  self->vis_params = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
}

/**
 * kehu_query_new:
 *
 * Returns: (transfer full): a query over the live records of @module in the
 *   module's default order
 */
KehuQuery *
kehu_query_new (KehuContext  *ctx,
                const char   *module_name,
                GError      **error)
{
  const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (ctx), module_name);
  KehuQuery *self;
  gboolean desc;
  const char *sort;

  if (module == NULL)
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD,
                   _("There is no module “%s”"), module_name ? module_name : "");
      return NULL;
    }
  self = g_object_new (KEHU_TYPE_QUERY, NULL);
  self->ctx = g_object_ref (ctx);
  self->module = module;
  sort = kehu_module_get_default_sort (module, &desc);
  self->sort_field = kehu_module_lookup_field (module, sort);
  self->descending = desc;
  return self;
}

const KehuModule *
kehu_query_get_module (KehuQuery *self)
{
  return self->module;
}

KehuContext *
kehu_query_get_context (KehuQuery *self)
{
  return self->ctx;
}

void
kehu_query_set_deleted (KehuQuery        *self,
                        KehuQueryDeleted  deleted)
{
  self->deleted = deleted;
}

/**
 * kehu_query_set_extras:
 *
 * Asks fetches for the columns of @extras (see #KehuQueryExtras): one
 * statement a page, never a lookup a row.
 */
void
kehu_query_set_extras (KehuQuery       *self,
                       KehuQueryExtras  extras)
{
  self->extras = extras;
}

/**
 * kehu_query_set_db:
 * @db: (nullable): a connection to the same database file
 *
 * Runs the query on @db instead of the store's connection: a list counts
 * on its own connection in a thread while the main thread reads pages.
 * A query is not to be shared between threads; make one for each.
 */
void
kehu_query_set_db (KehuQuery *self,
                   sqlite3   *db)
{
  self->db = db;
}

void
kehu_query_set_search (KehuQuery  *self,
                       const char *text)
{
  g_free (self->search);
  self->search = (text && *text) ? g_strstrip (g_strdup (text)) : NULL;
}

/**
 * kehu_query_restrict_to_owners:
 * @owner_ids: (nullable): NULL-terminated user ids whose records are visible
 * @team_user_id: (nullable): records with this user on their team are visible too
 *
 * Keeps records with owner_id IN (@owner_ids) OR on @team_user_id's team.
 * Calling it again replaces the restriction.
 */
void
kehu_query_restrict_to_owners (KehuQuery          *self,
                               const char * const *owner_ids,
                               const char         *team_user_id)
{
  guint n = 0;

  g_string_truncate (self->visibility, 0);
  g_ptr_array_set_size (self->vis_params, 0);

  g_string_append (self->visibility, " AND (");
  if (owner_ids && owner_ids[0] && kehu_module_has_column (self->module, "owner_id"))
    {
      g_string_append (self->visibility, "owner_id IN (");
      for (; owner_ids[n]; n++)
        {
          g_string_append (self->visibility, n ? ", ?" : "?");
          g_ptr_array_add (self->vis_params, value_text (owner_ids[n]));
        }
      g_string_append (self->visibility, ")");
    }
  else
    g_string_append (self->visibility, "0");
  if (team_user_id)
    {
      g_string_append (self->visibility,
                       " OR id IN (SELECT record_id FROM team_members WHERE module = ? AND user_id = ?)");
      g_ptr_array_add (self->vis_params, value_text (kehu_module_get_name (self->module)));
      g_ptr_array_add (self->vis_params, value_text (team_user_id));
    }
  g_string_append (self->visibility, ")");
}

gboolean
kehu_query_set_sort (KehuQuery   *self,
                     const char  *field_name,
                     gboolean     descending,
                     GError     **error)
{
  const KehuField *field = kehu_module_lookup_field (self->module, field_name ? field_name : "");

  if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s has no field “%s”"), kehu_module_get_plural (self->module), field_name ? field_name : "");
      return FALSE;
    }
  if (!(field->flags & KEHU_FIELD_SORTABLE) && strcmp (field->name, "id") != 0)
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_NOT_SORTABLE,
                   _("%s cannot be sorted by “%s”"), kehu_module_get_plural (self->module),
                   kehu_field_get_label (field));
      return FALSE;
    }
  self->sort_field = field;
  self->descending = descending;
  return TRUE;
}

/* Conditions ------------------------------------------------------------------------ */

static const KehuField *
filter_field (KehuQuery   *self,
              const char  *name,
              GError     **error)
{
  const KehuField *field = kehu_module_lookup_field (self->module, name ? name : "");

  if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s has no field “%s”"), kehu_module_get_plural (self->module), name ? name : "");
      return NULL;
    }
  return field;
}

static gboolean
is_list_type (KehuFieldType type)
{
  return type == KEHU_FIELD_TAGS || type == KEHU_FIELD_MULTI_CHOICE;
}

static KehuValue *
condition_value (const KehuField  *field,
                 JsonNode         *node,
                 GError          **error)
{
  KehuValue *v = g_new0 (KehuValue, 1);
  GType type = (node && JSON_NODE_HOLDS_VALUE (node)) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (field->type == KEHU_FIELD_BOOLEAN && type == G_TYPE_BOOLEAN)
    {
      v->kind = SQLITE_INTEGER;
      v->i = json_node_get_boolean (node);
    }
  else if (kehu_field_type_is_numeric (field->type) && type == G_TYPE_INT64)
    {
      v->kind = SQLITE_INTEGER;
      v->i = json_node_get_int (node);
    }
  else if (field->type == KEHU_FIELD_NUMBER && type == G_TYPE_DOUBLE)
    {
      v->kind = SQLITE_FLOAT;
      v->d = json_node_get_double (node);
    }
  else if (!kehu_field_type_is_numeric (field->type) && type == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      g_autoptr(GDateTime) dt = NULL;

      v->kind = SQLITE_TEXT;
      if (field->type == KEHU_FIELD_DATETIME && strlen (s) > 10 &&
          (dt = g_date_time_new_from_iso8601 (s, NULL)) != NULL)
        {
          g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);
          v->s = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
        }
      else
        v->s = g_strdup (s);
    }
  else
    {
      g_free (v);
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                   _("The filter value for “%s” has the wrong type"), kehu_field_get_label (field));
      return NULL;
    }
  return v;
}

static char *
empty_sql (const KehuField *field,
           const char      *expr)
{
  if (kehu_field_type_is_numeric (field->type))
    return g_strdup_printf ("%s IS NULL", expr);
  if (is_list_type (field->type))
    return g_strdup_printf ("(%s IS NULL OR %s = '' OR %s = '[]')", expr, expr, expr);
  return g_strdup_printf ("(%s IS NULL OR %s = '')", expr, expr);
}

static void
add_built (KehuQuery       *self,
           const KehuField *field,
           const char      *sql,
           gboolean         range)
{
  g_autofree char *expr = kehu_field_get_sql (field);
  g_autofree char *plus_expr = g_strconcat ("+", expr, NULL);
  g_autoptr(GString) plain = g_string_new (sql);
  Condition *c = g_new0 (Condition, 1);

  c->field = field;
  g_string_replace (plain, "\1", expr, 0);
  c->plain = g_strdup_printf (" AND (%s)", plain->str);
  if (range)
    {
      g_autoptr(GString) plus = g_string_new (sql);
      g_string_replace (plus, "\1", plus_expr, 0);
      c->plus = g_strdup_printf (" AND (%s)", plus->str);
    }
  g_ptr_array_add (self->conditions, c);
}

gboolean
kehu_query_add_condition (KehuQuery   *self,
                          const char  *field_name,
                          const char  *op,
                          JsonNode    *value,
                          GError     **error)
{
  const KehuField *field;
  g_autofree char *expr = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  gboolean range = FALSE;
  const struct { const char *op; const char *sql; } compare[] = {
    { "eq", "=" }, { "gt", ">" }, { "gte", ">=" }, { "lt", "<" }, { "lte", "<=" },
  };

  if (!(field = filter_field (self, field_name, error)))
    return FALSE;
  /* A marker for the field's expression, filled in at the end. */
  expr = g_strdup ("\1");
  if (op == NULL)
    op = "eq";

  for (guint i = 0; i < G_N_ELEMENTS (compare); i++)
    if (strcmp (op, compare[i].op) == 0)
      {
        KehuValue *v = condition_value (field, value, error);
        if (v == NULL)
          return FALSE;
        g_ptr_array_add (params, v);
        g_string_printf (sql, "%s %s ?", expr, compare[i].sql);
        range = i > 0;
        goto done;
      }

  if (strcmp (op, "ne") == 0)
    {
      KehuValue *v = condition_value (field, value, error);
      if (v == NULL)
        return FALSE;
      g_ptr_array_add (params, v);
      g_string_printf (sql, "(%s IS NULL OR %s <> ?)", expr, expr);
    }
  else if (strcmp (op, "between") == 0)
    {
      JsonArray *array = (value && JSON_NODE_HOLDS_ARRAY (value)) ? json_node_get_array (value) : NULL;
      KehuValue *lo, *hi;

      if (array == NULL || json_array_get_length (array) != 2)
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                       _("“between” needs two values for “%s”"), kehu_field_get_label (field));
          return FALSE;
        }
      if (!(lo = condition_value (field, json_array_get_element (array, 0), error)))
        return FALSE;
      g_ptr_array_add (params, lo);
      if (!(hi = condition_value (field, json_array_get_element (array, 1), error)))
        return FALSE;
      g_ptr_array_add (params, hi);
      g_string_printf (sql, "%s BETWEEN ? AND ?", expr);
      range = TRUE;
    }
  else if (strcmp (op, "in") == 0 || strcmp (op, "not_in") == 0)
    {
      JsonArray *array = (value && JSON_NODE_HOLDS_ARRAY (value)) ? json_node_get_array (value) : NULL;
      gboolean negate = strcmp (op, "not_in") == 0;
      guint n;

      if (array == NULL)
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                       _("“%s” needs a list of values for “%s”"), op, kehu_field_get_label (field));
          return FALSE;
        }
      n = json_array_get_length (array);
      if (n == 0)
        g_string_assign (sql, negate ? "1" : "0");
      else
        {
          g_string_printf (sql, negate ? "(%s IS NULL OR %s NOT IN (" : "%s%.0s IN (", expr, expr);
          for (guint i = 0; i < n; i++)
            {
              KehuValue *v = condition_value (field, json_array_get_element (array, i), error);
              if (v == NULL)
                return FALSE;
              g_ptr_array_add (params, v);
              g_string_append (sql, i ? ", ?" : "?");
            }
          g_string_append (sql, negate ? "))" : ")");
        }
    }
  else if (strcmp (op, "contains") == 0 || strcmp (op, "not_contains") == 0)
    {
      gboolean negate = strcmp (op, "not_contains") == 0;
      g_autofree char *test = NULL;
      KehuValue *v;

      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING ||
          kehu_field_type_is_numeric (field->type))
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                       _("The filter value for “%s” has the wrong type"), kehu_field_get_label (field));
          return FALSE;
        }
      v = value_text (json_node_get_string (value));
      g_ptr_array_add (params, v);
      if (is_list_type (field->type))
        test = g_strdup_printf ("EXISTS (SELECT 1 FROM json_each (%s) WHERE value = ?)", expr);
      else
        test = g_strdup_printf ("instr (lower (%s), lower (?)) > 0", expr);
      if (negate)
        g_string_printf (sql, "(%s IS NULL OR NOT %s)", expr, test);
      else
        g_string_printf (sql, "(%s IS NOT NULL AND %s)", expr, test);
    }
  else if (strcmp (op, "empty") == 0)
    {
      g_autofree char *e = empty_sql (field, expr);
      g_string_assign (sql, e);
    }
  else if (strcmp (op, "not_empty") == 0)
    {
      g_autofree char *e = empty_sql (field, expr);

      /* "<> ''" is false for NULL too, and lets a covering index answer. */
      if (kehu_field_type_is_numeric (field->type) || is_list_type (field->type))
        g_string_printf (sql, "NOT %s", e);
      else
        g_string_printf (sql, "%s <> ''", expr);
    }
  else if (strcmp (op, "my_team") == 0)
    {
      const char *user = kehu_context_get_user_id (self->ctx);

      if (field->type != KEHU_FIELD_USER)
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                       _("“%s” is not a user field"), kehu_field_get_label (field));
          return FALSE;
        }
      /* The user's department, the user included (one without a
       * department is a team of one). */
      g_string_printf (sql, "%s IN (SELECT u.id FROM users AS u WHERE u.id = ?"
                            " OR u.department_id = (SELECT d.department_id FROM users AS d WHERE d.id = ?))",
                       expr);
      g_ptr_array_add (params, value_text (user ? user : ""));
      g_ptr_array_add (params, value_text (user ? user : ""));
    }
  else if (strcmp (op, "date") == 0)
    {
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                       _("The filter value for “%s” has the wrong type"), kehu_field_get_label (field));
          return FALSE;
        }
      return kehu_query_add_date_preset (self, field_name, json_node_get_string (value), 0, error);
    }
  else
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_OPERATOR,
                   _("Unknown filter operator “%s”"), op);
      return FALSE;
    }

done:
  add_built (self, field, sql->str, range);
  for (guint i = 0; i < params->len; i++)
    g_ptr_array_add (self->params, g_steal_pointer (&params->pdata[i]));
  g_ptr_array_set_free_func (params, NULL);
  return TRUE;
}

/**
 * kehu_query_date_range:
 * @now: the current time
 * @tz: the user's time zone
 * @preset: today, yesterday, tomorrow, this_week, last_week, next_week,
 *   this_month, last_month, next_month, this_quarter, last_quarter,
 *   this_year, last_year, last_days, next_days
 * @n: the number of days for last_days / next_days
 * @dates: %TRUE for "YYYY-MM-DD" bounds, %FALSE for UTC times
 * @start: (out): the first day / instant included
 * @end: (out): the first day / instant after the range
 */
gboolean
kehu_query_date_range (GDateTime   *now,
                       GTimeZone   *tz,
                       const char  *preset,
                       int          n,
                       gboolean     dates,
                       char       **start,
                       char       **end,
                       GError     **error)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (now, tz);
  GDate today, a, b;
  int y = g_date_time_get_year (local);
  int m = g_date_time_get_month (local);
  int q0 = (m - 1) / 3 * 3 + 1;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (local), m, y);
  a = today;
  b = today;

  if (g_strcmp0 (preset, "today") == 0)
    g_date_add_days (&b, 1);
  else if (g_strcmp0 (preset, "yesterday") == 0)
    g_date_subtract_days (&a, 1);
  else if (g_strcmp0 (preset, "tomorrow") == 0)
    {
      g_date_add_days (&a, 1);
      g_date_add_days (&b, 2);
    }
  else if (g_str_has_suffix (preset ? preset : "", "_week") &&
           (g_str_equal (preset, "this_week") || g_str_equal (preset, "last_week") || g_str_equal (preset, "next_week")))
    {
      int shift = g_str_equal (preset, "this_week") ? 0 : g_str_equal (preset, "last_week") ? -7 : 7;

      /* Weeks start on Monday in China (and by ISO 8601). */
      g_date_subtract_days (&a, g_date_get_weekday (&today) - G_DATE_MONDAY);
      if (shift < 0)
        g_date_subtract_days (&a, 7);
      else
        g_date_add_days (&a, shift);
      b = a;
      g_date_add_days (&b, 7);
    }
  else if (g_strcmp0 (preset, "this_month") == 0 || g_strcmp0 (preset, "last_month") == 0 ||
           g_strcmp0 (preset, "next_month") == 0)
    {
      g_date_set_dmy (&a, 1, m, y);
      if (g_str_equal (preset, "last_month"))
        g_date_subtract_months (&a, 1);
      else if (g_str_equal (preset, "next_month"))
        g_date_add_months (&a, 1);
      b = a;
      g_date_add_months (&b, 1);
    }
  else if (g_strcmp0 (preset, "this_quarter") == 0 || g_strcmp0 (preset, "last_quarter") == 0)
    {
      g_date_set_dmy (&a, 1, q0, y);
      if (g_str_equal (preset, "last_quarter"))
        g_date_subtract_months (&a, 3);
      b = a;
      g_date_add_months (&b, 3);
    }
  else if (g_strcmp0 (preset, "this_year") == 0 || g_strcmp0 (preset, "last_year") == 0)
    {
      g_date_set_dmy (&a, 1, 1, g_str_equal (preset, "this_year") ? y : y - 1);
      b = a;
      g_date_add_years (&b, 1);
    }
  else if ((g_strcmp0 (preset, "last_days") == 0 || g_strcmp0 (preset, "next_days") == 0) && n >= 1 && n <= 36500)
    {
      if (g_str_equal (preset, "last_days"))
        {
          g_date_subtract_days (&a, n - 1);
          g_date_add_days (&b, 1);
        }
      else
        g_date_add_days (&b, n);
    }
  else
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                   _("Unknown date range “%s”"), preset ? preset : "");
      return FALSE;
    }

  if (dates)
    {
      *start = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&a), g_date_get_month (&a), g_date_get_day (&a));
      *end = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&b), g_date_get_month (&b), g_date_get_day (&b));
    }
  else
    {
      g_autoptr(GDateTime) sa = g_date_time_new (tz, g_date_get_year (&a), g_date_get_month (&a), g_date_get_day (&a), 0, 0, 0);
      g_autoptr(GDateTime) sb = g_date_time_new (tz, g_date_get_year (&b), g_date_get_month (&b), g_date_get_day (&b), 0, 0, 0);
      g_autoptr(GDateTime) ua = g_date_time_to_utc (sa);
      g_autoptr(GDateTime) ub = g_date_time_to_utc (sb);

      *start = g_date_time_format (ua, "%Y-%m-%dT%H:%M:%SZ");
      *end = g_date_time_format (ub, "%Y-%m-%dT%H:%M:%SZ");
    }
  return TRUE;
}

static const KehuField *
date_field (KehuQuery   *self,
            const char  *name,
            GError     **error)
{
  const KehuField *field = filter_field (self, name, error);

  if (field != NULL && field->type != KEHU_FIELD_DATE && field->type != KEHU_FIELD_DATETIME)
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                   _("“%s” is not a date"), kehu_field_get_label (field));
      return NULL;
    }
  return field;
}

gboolean
kehu_query_add_date_preset (KehuQuery   *self,
                            const char  *field_name,
                            const char  *preset,
                            int          n,
                            GError     **error)
{
  const KehuField *field;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *expr = NULL;

  if (!(field = date_field (self, field_name, error)))
    return FALSE;
  now = kehu_context_get_now (self->ctx);
  if (g_strcmp0 (preset, "before_days") == 0)
    {
      /* Before the n days ending today, or never. */
      if (!kehu_query_date_range (now, kehu_context_get_time_zone (self->ctx), "last_days", n,
                                  field->type == KEHU_FIELD_DATE, &start, &end, error))
        return FALSE;
      add_built (self, field, "(\1 IS NULL OR \1 < ?)", FALSE);
      g_ptr_array_add (self->params, value_text (start));
      return TRUE;
    }
  if (!kehu_query_date_range (now, kehu_context_get_time_zone (self->ctx), preset, n,
                              field->type == KEHU_FIELD_DATE, &start, &end, error))
    return FALSE;
  expr = g_strdup ("\1 >= ? AND \1 < ?");
  add_built (self, field, expr, TRUE);
  g_ptr_array_add (self->params, value_text (start));
  g_ptr_array_add (self->params, value_text (end));
  return TRUE;
}

/* The start of @day ("YYYY-MM-DD") as a bound for @field: the day itself
 * for a date, its first instant in @tz in UTC for a time. */
static char *
day_bound (const KehuField *field,
           const char      *day,
           int              add_days,
           GTimeZone       *tz)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;
  GDate date;
  int y, m, d;

  if (day == NULL || strlen (day) != 10 || sscanf (day, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return NULL;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  g_date_add_days (&date, add_days);
  if (field->type == KEHU_FIELD_DATE)
    return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                            g_date_get_day (&date));
  local = g_date_time_new (tz, g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 0, 0, 0);
  utc = g_date_time_to_utc (local);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * kehu_query_add_date_between:
 * @first_day: (nullable): the first day included, "YYYY-MM-DD"; NULL or
 *   "" for no lower bound
 * @last_day: (nullable): the last day included; NULL or "" for no upper bound
 *
 * Days are the context's time zone's days.
 */
gboolean
kehu_query_add_date_between (KehuQuery   *self,
                             const char  *field_name,
                             const char  *first_day,
                             const char  *last_day,
                             GError     **error)
{
  GTimeZone *tz = kehu_context_get_time_zone (self->ctx);
  const KehuField *field;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  gboolean has_start = first_day && *first_day;
  gboolean has_end = last_day && *last_day;

  if (!(field = date_field (self, field_name, error)))
    return FALSE;
  if ((has_start && !(start = day_bound (field, first_day, 0, tz))) ||
      (has_end && !(end = day_bound (field, last_day, 1, tz))))
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE,
                   _("The days for “%s” must be written YYYY-MM-DD"), kehu_field_get_label (field));
      return FALSE;
    }
  if (start && end)
    add_built (self, field, "\1 >= ? AND \1 < ?", TRUE);
  else if (start)
    add_built (self, field, "\1 >= ?", TRUE);
  else if (end)
    add_built (self, field, "\1 < ?", TRUE);
  else
    return TRUE;
  if (start)
    g_ptr_array_add (self->params, value_text (start));
  if (end)
    g_ptr_array_add (self->params, value_text (end));
  return TRUE;
}

gboolean
kehu_query_add_filter_json (KehuQuery   *self,
                            JsonNode    *filter,
                            GError     **error)
{
  JsonArray *conditions = NULL;

  if (filter == NULL || JSON_NODE_HOLDS_NULL (filter))
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (filter))
    conditions = json_node_get_array (filter);
  else if (JSON_NODE_HOLDS_OBJECT (filter))
    {
      JsonObject *object = json_node_get_object (filter);
      JsonNode *search = json_object_get_member (object, "search");
      JsonNode *list = json_object_get_member (object, "conditions");

      if (search && JSON_NODE_HOLDS_VALUE (search) && json_node_get_value_type (search) == G_TYPE_STRING)
        kehu_query_set_search (self, json_node_get_string (search));
      if (list && JSON_NODE_HOLDS_ARRAY (list))
        conditions = json_node_get_array (list);
      else if (list && !JSON_NODE_HOLDS_NULL (list))
        goto bad;
    }
  else
    goto bad;

  for (guint i = 0; conditions && i < json_array_get_length (conditions); i++)
    {
      JsonNode *node = json_array_get_element (conditions, i);
      JsonObject *c;
      const char *field, *op;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto bad;
      c = json_node_get_object (node);
      field = json_object_has_member (c, "field") ? json_object_get_string_member (c, "field") : NULL;
      op = json_object_has_member (c, "op") ? json_object_get_string_member (c, "op") : "eq";
      if (field == NULL || op == NULL)
        goto bad;
      if (g_str_equal (op, "date"))
        {
          JsonNode *value = json_object_get_member (c, "value");
          int n = json_object_has_member (c, "n") ? (int) json_object_get_int_member (c, "n") : 0;

          if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            goto bad;
          if (g_str_equal (json_node_get_string (value), "range"))
            {
              if (!kehu_query_add_date_between (self, field,
                                                json_object_get_string_member_with_default (c, "from", NULL),
                                                json_object_get_string_member_with_default (c, "to", NULL),
                                                error))
                return FALSE;
            }
          else if (!kehu_query_add_date_preset (self, field, json_node_get_string (value), n, error))
            return FALSE;
        }
      else if (!kehu_query_add_condition (self, field, op, json_object_get_member (c, "value"), error))
        return FALSE;
    }
  return TRUE;

bad:
  g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_FILTER,
               _("The filter is not valid: expected {\"conditions\": [{\"field\", \"op\", \"value\"}…]}"));
  return FALSE;
}

/* Building SQL ----------------------------------------------------------------------------- */

static char *
sort_sql (KehuQuery *self)
{
  const KehuField *field = self->sort_field;
  g_autofree char *expr = kehu_field_get_sql (field);

  if (field->flags & KEHU_FIELD_NOT_NULL)
    return g_steal_pointer (&expr);
  if (kehu_field_type_is_numeric (field->type))
    return g_strdup_printf ("IFNULL (%s, -9223372036854775807 - 1)", expr);
  return g_strdup_printf ("IFNULL (%s, '')", expr);
}

static sqlite3 *db_of (KehuQuery *self);

static void
append_where (KehuQuery *self,
              GString   *sql,
              GPtrArray *params,
              gboolean   ordered)
{
  g_string_append (sql, " WHERE 1");
  if (kehu_module_has_column (self->module, "deleted_at"))
    {
      if (self->deleted == KEHU_QUERY_LIVE)
        g_string_append (sql, " AND deleted_at IS NULL");
      else if (self->deleted == KEHU_QUERY_DELETED)
        g_string_append (sql, " AND deleted_at IS NOT NULL");
    }
  for (guint i = 0; i < self->conditions->len; i++)
    {
      Condition *c = self->conditions->pdata[i];
      g_string_append (sql, ordered && c->plus && c->field != self->sort_field ? c->plus : c->plain);
    }
  for (guint i = 0; i < self->params->len; i++)
    g_ptr_array_add (params, self->params->pdata[i]);
  g_string_append (sql, self->visibility->str);
  for (guint i = 0; i < self->vis_params->len; i++)
    g_ptr_array_add (params, self->vis_params->pdata[i]);

  if (self->search)
    {
      g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) expr = g_string_new (NULL);

      g_autofree char *fts = NULL;
      g_auto(GStrv) fts_params = NULL;

      if (search_func != NULL &&
          search_func (kehu_module_get_name (self->module), self->search, expr, extra, search_data))
        ;
      else if (kehu_search_is_module_searchable (kehu_module_get_name (self->module)) &&
               kehu_search_condition (db_of (self), kehu_module_get_name (self->module), self->search,
                                      NULL, &fts, &fts_params, NULL))
        {
          /* The FTS index of migration 4: words, codes, pinyin and initials. */
          g_string_assign (expr, fts);
          for (guint i = 0; fts_params && fts_params[i]; i++)
            g_ptr_array_add (extra, g_strdup (fts_params[i]));
        }
      else
        {
          /* Built-in fallback: every word in some searchable field. */
          g_auto(GStrv) words = g_strsplit_set (self->search, " \t\u3000", -1);

          g_string_truncate (expr, 0);
          g_ptr_array_set_size (extra, 0);
          g_string_append (expr, "1");
          for (guint w = 0; words[w]; w++)
            {
              guint n = 0;

              if (*words[w] == '\0')
                continue;
              g_string_append (expr, " AND (0");
              for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
                {
                  const KehuField *field = kehu_module_get_field (self->module, i);
                  g_autofree char *col = NULL;

                  if (!(field->flags & KEHU_FIELD_SEARCHABLE))
                    continue;
                  col = kehu_field_get_sql (field);
                  g_string_append_printf (expr, " OR instr (lower (%s), lower (?)) > 0", col);
                  g_ptr_array_add (extra, g_strdup (words[w]));
                  n++;
                }
              g_string_append (expr, ")");
            }
        }
      g_string_append_printf (sql, " AND (%s)", expr->str);
      /* The fetch keeps these alive through the query's own array. */
      for (guint i = 0; i < extra->len; i++)
        {
          KehuValue *v = value_text (extra->pdata[i]);
          g_ptr_array_add (params, v);
          g_ptr_array_add (self->params, v);
        }
      /* Drop them from self->params again after binding (see unbind). */
    }
}

static void
bind_params (sqlite3_stmt *stmt,
             GPtrArray    *params,
             int           first)
{
  for (guint i = 0; i < params->len; i++)
    _kehu_value_bind (params->pdata[i], stmt, first + (int) i);
}

/* Search values were parked in self->params for their lifetime; drop them. */
static void
unpark (KehuQuery *self,
        guint      n_params)
{
  if (self->params->len > n_params)
    g_ptr_array_set_size (self->params, n_params);
}

static sqlite3 *
db_of (KehuQuery *self)
{
  if (self->db != NULL)
    return self->db;
  return kehu_store_get_db (kehu_context_get_store (self->ctx));
}

static gboolean
prepare (KehuQuery     *self,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  if (sqlite3_prepare_v2 (db_of (self), sql, -1, stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_FILTER,
                   "SQL error: %s", sqlite3_errmsg (db_of (self)));
      return FALSE;
    }
  return TRUE;
}

/* Cursors ------------------------------------------------------------------------------------ */

static char *
encode_cursor (sqlite3_stmt *stmt,
               int           key_column,
               int           id_column)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  switch (sqlite3_column_type (stmt, key_column))
    {
    case SQLITE_INTEGER:
      json_array_add_int_element (array, sqlite3_column_int64 (stmt, key_column));
      break;
    case SQLITE_FLOAT:
      json_array_add_double_element (array, sqlite3_column_double (stmt, key_column));
      break;
    case SQLITE_NULL:
      json_array_add_null_element (array);
      break;
    default:
      json_array_add_string_element (array, (const char *) sqlite3_column_text (stmt, key_column));
      break;
    }
  json_array_add_string_element (array, (const char *) sqlite3_column_text (stmt, id_column));
  node = json_node_init_array (json_node_alloc (), array);
  json = json_to_string (node, FALSE);
  return g_base64_encode ((const guchar *) json, strlen (json));
}

static gboolean
decode_cursor (const char  *cursor,
               KehuValue   *key,
               char       **id,
               GError     **error)
{
  gsize len = 0;
  g_autofree guchar *raw = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  JsonNode *k, *i;

  raw = g_base64_decode (cursor, &len);
  json = g_strndup ((const char *) raw, len);
  node = json_from_string (json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) != 2 ||
      !JSON_NODE_HOLDS_VALUE (i = json_array_get_element (array, 1)) ||
      json_node_get_value_type (i) != G_TYPE_STRING)
    goto bad;
  k = json_array_get_element (array, 0);
  key->kind = SQLITE_NULL;
  if (JSON_NODE_HOLDS_VALUE (k))
    switch (json_node_get_value_type (k))
      {
      case G_TYPE_INT64:
        key->kind = SQLITE_INTEGER;
        key->i = json_node_get_int (k);
        break;
      case G_TYPE_DOUBLE:
        key->kind = SQLITE_FLOAT;
        key->d = json_node_get_double (k);
        break;
      case G_TYPE_STRING:
        key->kind = SQLITE_TEXT;
        key->s = g_strdup (json_node_get_string (k));
        break;
      default:
        goto bad;
      }
  else if (!JSON_NODE_HOLDS_NULL (k))
    goto bad;
  *id = g_strdup (json_node_get_string (i));
  return TRUE;

bad:
  g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_CURSOR,
               _("The list position is not valid; reload the list"));
  return FALSE;
}

char *
kehu_query_cursor_for_row (KehuQuery  *self,
                           JsonObject *row)
{
  const KehuField *field = self->sort_field;
  JsonObject *holder = (field->flags & KEHU_FIELD_CUSTOM) ? json_object_get_object_member (row, "extra") : row;
  JsonNode *value = holder ? json_object_get_member (holder, field->name) : NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    {
      if (field->flags & KEHU_FIELD_NOT_NULL)
        json_array_add_null_element (array);
      else if (kehu_field_type_is_numeric (field->type))
        json_array_add_int_element (array, G_MININT64);
      else
        json_array_add_string_element (array, "");
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    json_array_add_int_element (array, json_node_get_boolean (value));
  else if (JSON_NODE_HOLDS_VALUE (value))
    json_array_add_element (array, json_node_copy (value));
  else
    {
      /* JSON columns sort by their stored text. */
      g_autofree char *text = json_to_string (value, FALSE);
      json_array_add_string_element (array, text);
    }
  json_array_add_string_element (array, json_object_get_string_member (row, "id"));
  node = json_node_init_array (json_node_alloc (), array);
  json = json_to_string (node, FALSE);
  return g_base64_encode ((const guchar *) json, strlen (json));
}

/* Fetching ------------------------------------------------------------------------------------- */

/* "*" and the columns of self->extras. Only names from the schema go in. */
static char *
select_columns (KehuQuery *self)
{
  const char *table = kehu_module_get_name (self->module);
  GString *columns = g_string_new ("*");

  if (self->extras & KEHU_QUERY_EXTRA_LABELS)
    for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
      {
        const KehuField *field = kehu_module_get_field (self->module, i);
        const char *target = field->type == KEHU_FIELD_USER ? "users" : field->reference;
        const KehuModule *ref;

        if ((field->flags & (KEHU_FIELD_CUSTOM | KEHU_FIELD_HIDDEN)) || target == NULL ||
            (field->type != KEHU_FIELD_USER && field->type != KEHU_FIELD_REFERENCE))
          continue;
        ref = kehu_schema_get_module (kehu_context_get_schema (self->ctx), target);
        g_string_append_printf (columns, ", (SELECT r.%s FROM %s AS r WHERE r.id = %s.%s) AS \"%s:label\"",
                                ref ? kehu_module_get_title_field (ref) : "name", target, table,
                                field->name, field->name);
      }
  if (self->extras & KEHU_QUERY_EXTRA_SYNC_STATE)
    g_string_append_printf (columns,
                            ", (SELECT CASE WHEN count (*) = 0 THEN NULL"
                            " WHEN max (o.kind = 'action' AND o.action = 'claim') THEN 'claim'"
                            " ELSE 'pending' END"
                            " FROM sync_outbox AS o WHERE o.module = '%s' AND o.record_id = %s.id)"
                            " AS \"sync:state\"", table, table);
  return g_string_free (columns, FALSE);
}

/* The extra columns ("x:y") as string members of @row. */
static void
add_extra_members (sqlite3_stmt *stmt,
                   JsonObject   *row)
{
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      if (strchr (name, ':') == NULL)
        continue;
      if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
        json_object_set_null_member (row, name);
      else
        json_object_set_string_member (row, name, (const char *) sqlite3_column_text (stmt, i));
    }
}

/* SELECT … WHERE … [AND keyset] ORDER BY … ; @reverse walks the order backwards. */
static GString *
build_select (KehuQuery  *self,
              const char *columns,
              gboolean    keyset,
              gboolean    reverse,
              GPtrArray  *params)
{
  GString *sql = g_string_new (NULL);
  g_autofree char *key = sort_sql (self);
  gboolean desc = self->descending != reverse;

  g_string_printf (sql, "SELECT %s, %s AS kehu_sort_key FROM %s", columns, key, kehu_module_get_name (self->module));
  append_where (self, sql, params, TRUE);
  if (keyset)
    g_string_append_printf (sql, " AND (%s, id) %s (?, ?)", key, desc ? "<" : ">");
  g_string_append_printf (sql, " ORDER BY %s %s, id %s", key, desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
  return sql;
}

/**
 * kehu_query_fetch:
 * @after: (nullable): a cursor from a previous fetch, NULL for the first page
 * @limit: rows to return
 * @next: (out) (optional): the cursor after the last row, or NULL when fewer
 *   than @limit rows came back (the end)
 *
 * Returns: (transfer full): the rows as records
 */
JsonArray *
kehu_query_fetch (KehuQuery   *self,
                  const char  *after,
                  guint        limit,
                  char       **next,
                  GError     **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GString) sql = NULL;
  g_autofree char *after_id = NULL;
  g_autofree char *columns = NULL;
  KehuValue key = { 0 };
  sqlite3_stmt *stmt = NULL;
  JsonArray *rows;
  guint n_params = self->params->len;
  int rc, n_columns;
  guint count = 0;

  if (next)
    *next = NULL;
  if (after && !decode_cursor (after, &key, &after_id, error))
    return NULL;

  columns = select_columns (self);
  sql = build_select (self, columns, after != NULL, FALSE, params);
  g_string_append (sql, " LIMIT ?");
  if (!prepare (self, sql->str, &stmt, error))
    {
      unpark (self, n_params);
      _kehu_value_clear (&key);
      return NULL;
    }
  bind_params (stmt, params, 1);
  if (after)
    {
      _kehu_value_bind (&key, stmt, params->len + 1);
      sqlite3_bind_text (stmt, params->len + 2, after_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, params->len + 3, limit);
    }
  else
    sqlite3_bind_int64 (stmt, params->len + 1, limit);
  _kehu_value_clear (&key);

  rows = json_array_new ();
  n_columns = sqlite3_column_count (stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *row = kehu_record_from_statement (self->module, stmt);

      if (self->extras != KEHU_QUERY_EXTRA_NONE)
        add_extra_members (stmt, row);
      json_array_add_object_element (rows, row);
      if (++count == limit && next)
        *next = encode_cursor (stmt, n_columns - 1, 0);
    }
  sqlite3_finalize (stmt);
  unpark (self, n_params);
  if (rc != SQLITE_DONE)
    {
      json_array_unref (rows);
      if (next)
        g_clear_pointer (next, g_free);
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_FILTER,
                   "SQL error: %s", sqlite3_errmsg (db_of (self)));
      return NULL;
    }
  return rows;
}

/**
 * kehu_query_cursor_at:
 * @after: (nullable): start after this cursor (ignored when @from_end)
 * @offset: how many rows to skip: 0 is the first row after @after (or the
 *   last row when @from_end)
 *
 * Locates a row by counting in the index (id and sort key only), for the
 * pager's jumps. Cost grows with @offset.
 *
 * Returns: (transfer full) (nullable): the cursor of that row, NULL past the end
 */
char *
kehu_query_cursor_at (KehuQuery   *self,
                      const char  *after,
                      gint64       offset,
                      gboolean     from_end,
                      GError     **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GString) sql = NULL;
  g_autofree char *after_id = NULL;
  KehuValue key = { 0 };
  sqlite3_stmt *stmt = NULL;
  guint n_params = self->params->len;
  char *cursor = NULL;
  int next;

  if (from_end)
    after = NULL;
  if (after && !decode_cursor (after, &key, &after_id, error))
    return NULL;
  sql = build_select (self, "id", after != NULL, from_end, params);
  g_string_append (sql, " LIMIT 1 OFFSET ?");
  if (!prepare (self, sql->str, &stmt, error))
    {
      unpark (self, n_params);
      _kehu_value_clear (&key);
      return NULL;
    }
  bind_params (stmt, params, 1);
  next = params->len + 1;
  if (after)
    {
      _kehu_value_bind (&key, stmt, next++);
      sqlite3_bind_text (stmt, next++, after_id, -1, SQLITE_TRANSIENT);
    }
  sqlite3_bind_int64 (stmt, next, offset);
  _kehu_value_clear (&key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    cursor = encode_cursor (stmt, 1, 0);
  sqlite3_finalize (stmt);
  unpark (self, n_params);
  return cursor;
}

/* The narrowest index that holds every column the WHERE clause and
 * @columns read, and only live rows (or deleted_at) for a live list: a
 * count or a sum over it never reads the table (migration 7 adds such
 * indexes for lists). Without statistics SQLite may otherwise walk a
 * partial index that is not covering and read every row through it.
 * NULL when there is none, or when the search may read any column. */
static char *
covering_index (KehuQuery          *self,
                const char * const *columns)
{
  const char *table = kehu_module_get_name (self->module);
  g_autoptr(GPtrArray) needed = g_ptr_array_new ();
  sqlite3 *db = db_of (self);
  sqlite3_stmt *stmt = NULL;
  char *best = NULL;
  guint best_score = G_MAXUINT;
  guint n_filtered;

  if (self->search != NULL)
    return NULL;
  for (guint i = 0; i < self->conditions->len; i++)
    {
      const KehuField *field = ((Condition *) self->conditions->pdata[i])->field;
      g_ptr_array_add (needed, (gpointer) ((field->flags & KEHU_FIELD_CUSTOM) ? "extra" : field->name));
    }
  n_filtered = needed->len;
  if (self->visibility->len > 0)
    {
      g_ptr_array_add (needed, (gpointer) "owner_id");
      g_ptr_array_add (needed, (gpointer) "id");
    }
  if (self->deleted == KEHU_QUERY_DELETED)
    g_ptr_array_add (needed, (gpointer) "deleted_at");
  for (guint i = 0; columns && columns[i]; i++)
    g_ptr_array_add (needed, (gpointer) columns[i]);

  if (sqlite3_prepare_v2 (db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1"
                              " AND sql IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *index_sql = (const char *) sqlite3_column_text (stmt, 1);
      gboolean live_only = g_str_has_suffix (index_sql, "WHERE deleted_at IS NULL");
      g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
      sqlite3_stmt *info = NULL;
      gboolean covers = TRUE;

      /* Other partial indexes hold only some of the rows. */
      if (strstr (index_sql, " WHERE ") != NULL && !live_only)
        continue;
      if (live_only && self->deleted != KEHU_QUERY_LIVE)
        continue;
      if (sqlite3_prepare_v2 (db, "SELECT name FROM pragma_index_info (?1) ORDER BY seqno", -1, &info, NULL) != SQLITE_OK)
        continue;
      sqlite3_bind_text (info, 1, name, -1, SQLITE_STATIC);
      while (sqlite3_step (info) == SQLITE_ROW)
        if (sqlite3_column_type (info, 0) != SQLITE_NULL)
          g_ptr_array_add (held, g_strdup ((const char *) sqlite3_column_text (info, 0)));
      sqlite3_finalize (info);
      /* A live list over a full index needs deleted_at in it. */
      if (!live_only && self->deleted == KEHU_QUERY_LIVE)
        covers = g_ptr_array_find_with_equal_func (held, "deleted_at", g_str_equal, NULL);
      for (guint i = 0; covers && i < needed->len; i++)
        covers = g_ptr_array_find_with_equal_func (held, needed->pdata[i], g_str_equal, NULL);
      if (covers && held->len > 0)
        {
          /* Best: one led by a filtered column (a range, not a full scan),
           * then one of live rows only, then the narrowest. */
          gboolean led = FALSE;
          guint score;

          for (guint i = 0; i < n_filtered; i++)
            led = led || g_strcmp0 (needed->pdata[i], held->pdata[0]) == 0;
          score = (led ? 0 : 1000) + (live_only ? 0 : 100) + held->len;
          if (score < best_score)
            {
              g_free (best);
              best = g_strdup (name);
              best_score = score;
            }
        }
    }
  sqlite3_finalize (stmt);
  return best;
}

/* The partial indexes of migration 3 over live rows. */
static const struct { const char *table; const char *index; } live_indexes[] = {
  { "customers", "customers_live_updated" },
  { "leads", "leads_live_updated" },
  { "contacts", "contacts_live_updated" },
  { "opportunities", "opportunities_live_updated" },
  { "contracts", "contracts_live_updated" },
  { "followups", "followups_live_at" },
};

/**
 * kehu_query_totals:
 * @fields: (nullable): numeric fields to add up; NULL: every money field
 * @count: (out) (optional): the number of rows
 *
 * The count and the sums of a list's totals row in one pass.
 *
 * Returns: (transfer full): field → sum (integer; cents for money)
 */
JsonObject *
kehu_query_totals (KehuQuery          *self,
                   const char * const *fields,
                   gint64             *count,
                   GError            **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  sqlite3_stmt *stmt = NULL;
  guint n_params = self->params->len;
  JsonObject *result;
  int rc;

  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);

      if (fields ? g_strv_contains (fields, field->name)
                 : field->type == KEHU_FIELD_MONEY && !(field->flags & KEHU_FIELD_HIDDEN))
        g_ptr_array_add (chosen, (gpointer) field);
    }
  for (guint i = 0; fields && fields[i]; i++)
    {
      const KehuField *field = kehu_module_lookup_field (self->module, fields[i]);
      if (field == NULL || !kehu_field_type_is_numeric (field->type))
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD,
                       _("“%s” cannot be added up"), fields[i]);
          return NULL;
        }
    }
  /* The count last: the sums keep their column numbers. */
  for (guint i = 0; i < chosen->len; i++)
    {
      g_autofree char *expr = kehu_field_get_sql (chosen->pdata[i]);
      g_string_append_printf (sql, "IFNULL (SUM (%s), 0), ", expr);
    }
  g_string_append (sql, "count(*)");
  g_string_append_printf (sql, " FROM %s", kehu_module_get_name (self->module));
  {
    g_autoptr(GPtrArray) columns = g_ptr_array_new ();
    g_autofree char *index = NULL;

    for (guint i = 0; i < chosen->len; i++)
      {
        const KehuField *field = chosen->pdata[i];
        g_ptr_array_add (columns, (gpointer) ((field->flags & KEHU_FIELD_CUSTOM) ? "extra" : field->name));
      }
    g_ptr_array_add (columns, NULL);
    /* An index that holds the amounts beats reading the rows. */
    if ((index = covering_index (self, (const char * const *) columns->pdata)) != NULL)
      g_string_append_printf (sql, " INDEXED BY %s", index);
    /* Otherwise adding up a whole list reads every row: a table scan beats walking an index. */
    else if (self->conditions->len == 0 && self->search == NULL && self->visibility->len == 0)
      g_string_append (sql, " NOT INDEXED");
  }
  append_where (self, sql, params, FALSE);
  if (!prepare (self, sql->str, &stmt, error))
    {
      unpark (self, n_params);
      return NULL;
    }
  bind_params (stmt, params, 1);
  result = json_object_new ();
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint i = 0; i < chosen->len; i++)
        json_object_set_int_member (result, ((const KehuField *) chosen->pdata[i])->name,
                                    sqlite3_column_int64 (stmt, i));
      if (count)
        *count = sqlite3_column_int64 (stmt, chosen->len);
    }
  sqlite3_finalize (stmt);
  unpark (self, n_params);
  if (rc != SQLITE_ROW)
    {
      g_clear_pointer (&result, json_object_unref);
      g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_FILTER,
                   "SQL error: %s", sqlite3_errstr (rc));
    }
  return result;
}

gint64
kehu_query_count (KehuQuery  *self,
                  GError    **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *index = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_params = self->params->len;
  gint64 count = -1;

  g_string_printf (sql, "SELECT count(*) FROM %s", kehu_module_get_name (self->module));
  index = covering_index (self, NULL);
  if (index != NULL)
    g_string_append_printf (sql, " INDEXED BY %s", index);
  /* A whole live list: count the entries of its partial "live" index, a
   * fraction of the table's pages (SQLite would scan the table). */
  else if (self->conditions->len == 0 && self->search == NULL && self->visibility->len == 0 &&
           self->deleted == KEHU_QUERY_LIVE)
    for (guint i = 0; i < G_N_ELEMENTS (live_indexes); i++)
      if (g_str_equal (live_indexes[i].table, kehu_module_get_name (self->module)))
        {
          g_string_append_printf (sql, " INDEXED BY %s", live_indexes[i].index);
          if (sqlite3_prepare_v2 (db_of (self), sql->str, -1, &stmt, NULL) != SQLITE_OK)
            g_string_printf (sql, "SELECT count(*) FROM %s", kehu_module_get_name (self->module));
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
  append_where (self, sql, params, FALSE);
  if (!prepare (self, sql->str, &stmt, error))
    {
      unpark (self, n_params);
      return -1;
    }
  bind_params (stmt, params, 1);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  unpark (self, n_params);
  return count;
}

/**
 * kehu_query_sums:
 * @fields: (nullable): numeric fields to add up; NULL: every money field
 *
 * Returns: (transfer full): field → sum (integer; cents for money)
 */
JsonObject *
kehu_query_sums (KehuQuery          *self,
                 const char * const *fields,
                 GError            **error)
{
  return kehu_query_totals (self, fields, NULL, error);
}

/* Streaming ------------------------------------------------------------------------------------ */

struct _KehuQueryRows
{
  KehuQuery      *query;
  sqlite3_stmt   *stmt;
  guint           n_columns;
  KehuQueryValue *values;
  gboolean        done;
};

/**
 * kehu_query_rows_open:
 * @fields: the fields to read, by name (system or custom)
 *
 * Starts a walk over every row of the query in its sort order, reading
 * only @fields: one SQLite statement stepped row by row, so memory stays
 * constant and no record object is ever built.
 *
 * Returns: (transfer full): the walk, or %NULL with @error set
 */
KehuQueryRows *
kehu_query_rows_open (KehuQuery           *self,
                      const char * const  *fields,
                      GError             **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GString) columns = g_string_new (NULL);
  g_autoptr(GString) sql = NULL;
  KehuQueryRows *rows;
  sqlite3_stmt *stmt = NULL;
  guint n_params = self->params->len;
  guint n = 0;

  g_return_val_if_fail (KEHU_IS_QUERY (self), NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  for (; fields[n] != NULL; n++)
    {
      const KehuField *field = kehu_module_lookup_field (self->module, fields[n]);
      g_autofree char *expr = NULL;

      if (field == NULL)
        {
          g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD,
                       _("%s has no field “%s”"), kehu_module_get_plural (self->module), fields[n]);
          return NULL;
        }
      expr = kehu_field_get_sql (field);
      g_string_append_printf (columns, "%s%s", n > 0 ? ", " : "", expr);
    }
  if (n == 0)
    g_string_append (columns, "id");

  sql = build_select (self, columns->str, FALSE, FALSE, params);
  if (!prepare (self, sql->str, &stmt, error))
    {
      unpark (self, n_params);
      return NULL;
    }
  bind_params (stmt, params, 1);
  unpark (self, n_params);

  rows = g_new0 (KehuQueryRows, 1);
  rows->query = g_object_ref (self);
  rows->stmt = stmt;
  rows->n_columns = n;
  rows->values = g_new0 (KehuQueryValue, MAX (n, 1));
  return rows;
}

/**
 * kehu_query_rows_next:
 *
 * Returns: (nullable): the next row's values (one per field, owned by
 *   @rows, valid until the next call), or %NULL at the end or with @error set
 */
const KehuQueryValue *
kehu_query_rows_next (KehuQueryRows  *rows,
                      GError        **error)
{
  int rc;

  if (rows->done)
    return NULL;
  rc = sqlite3_step (rows->stmt);
  if (rc != SQLITE_ROW)
    {
      rows->done = TRUE;
      if (rc != SQLITE_DONE)
        g_set_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_FILTER,
                     "SQL error: %s", sqlite3_errmsg (db_of (rows->query)));
      return NULL;
    }

  for (guint i = 0; i < rows->n_columns; i++)
    {
      KehuQueryValue *value = &rows->values[i];

      switch (sqlite3_column_type (rows->stmt, (int) i))
        {
        case SQLITE_INTEGER:
          value->type = KEHU_QUERY_VALUE_INT;
          value->i = sqlite3_column_int64 (rows->stmt, (int) i);
          break;
        case SQLITE_FLOAT:
          value->type = KEHU_QUERY_VALUE_DOUBLE;
          value->d = sqlite3_column_double (rows->stmt, (int) i);
          break;
        case SQLITE_NULL:
          value->type = KEHU_QUERY_VALUE_NULL;
          break;
        default:
          value->type = KEHU_QUERY_VALUE_TEXT;
          value->text = (const char *) sqlite3_column_text (rows->stmt, (int) i);
          break;
        }
    }
  return rows->values;
}

void
kehu_query_rows_free (KehuQueryRows *rows)
{
  if (rows == NULL)
    return;
  sqlite3_finalize (rows->stmt);
  g_object_unref (rows->query);
  g_free (rows->values);
  g_free (rows);
}

/**
 * kehu_query_foreach_row:
 * @fields: the fields to read, by name
 * @func: called with each row's values, in the query's order
 *
 * kehu_query_rows_open() with a callback.
 *
 * Returns: %FALSE with @error set when the query or @func failed
 */
gboolean
kehu_query_foreach_row (KehuQuery           *self,
                        const char * const  *fields,
                        KehuQueryRowFunc     func,
                        gpointer             user_data,
                        GError             **error)
{
  g_autoptr(KehuQueryRows) rows = kehu_query_rows_open (self, fields, error);
  g_autoptr(GError) local_error = NULL;
  const KehuQueryValue *values;

  if (rows == NULL)
    return FALSE;
  while ((values = kehu_query_rows_next (rows, &local_error)) != NULL)
    if (!func (values, rows->n_columns, user_data, &local_error))
      break;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
