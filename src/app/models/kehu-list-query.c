/* kehu-list-query.c: what a list shows — filters, quick search and sort
 *
 * A list's state as plain data, so that scenes can be saved as JSON and
 * the model can turn it into SQL. Only identifiers taken from the schema
 * description go into the SQL text; every value a user typed is a bound
 * parameter. Date presets are computed in the time zone of the context's
 * "now", never from a clock read here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "kehu-list-query.h"
#include "kehu-search.h"

struct _KehuListQuery
{
  GPtrArray *filters;   /* KehuFilter* */
  char      *search;
  char      *sort_field;
  gboolean   sort_desc;
};

G_DEFINE_BOXED_TYPE (KehuListQuery, kehu_list_query, kehu_list_query_copy, kehu_list_query_free)
G_DEFINE_QUARK (kehu-list-query-error-quark, kehu_list_query_error)

static const struct { KehuFilterOp op; const char *name; } op_names[] = {
  { KEHU_FILTER_CONTAINS, "contains" },
  { KEHU_FILTER_IN, "in" },
  { KEHU_FILTER_RANGE, "range" },
  { KEHU_FILTER_DATE, "date" },
  { KEHU_FILTER_EMPTY, "empty" },
  { KEHU_FILTER_NOT_EMPTY, "not_empty" },
  { KEHU_FILTER_EQUALS, "equals" },
};

static void
filter_free (KehuFilter *filter)
{
  g_free (filter->field);
  g_strfreev (filter->values);
  g_free (filter);
}

static KehuFilter *
filter_new (const char         *field,
            KehuFilterOp        op,
            const char * const *values)
{
  KehuFilter *filter = g_new0 (KehuFilter, 1);

  filter->field = g_strdup (field);
  filter->op = op;
  filter->values = values ? g_strdupv ((char **) values) : g_new0 (char *, 1);
  return filter;
}

KehuListQuery *
kehu_list_query_new (void)
{
  KehuListQuery *self = g_new0 (KehuListQuery, 1);

  self->filters = g_ptr_array_new_with_free_func ((GDestroyNotify) filter_free);
  return self;
}

KehuListQuery *
kehu_list_query_copy (const KehuListQuery *self)
{
  KehuListQuery *copy = kehu_list_query_new ();

  for (guint i = 0; i < self->filters->len; i++)
    {
      const KehuFilter *f = g_ptr_array_index (self->filters, i);
      g_ptr_array_add (copy->filters, filter_new (f->field, f->op, (const char * const *) f->values));
    }
  copy->search = g_strdup (self->search);
  copy->sort_field = g_strdup (self->sort_field);
  copy->sort_desc = self->sort_desc;
  return copy;
}

void
kehu_list_query_free (KehuListQuery *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->filters);
  g_free (self->search);
  g_free (self->sort_field);
  g_free (self);
}

gboolean
kehu_list_query_equal (const KehuListQuery *a,
                       const KehuListQuery *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (g_strcmp0 (a->search, b->search) != 0 ||
      g_strcmp0 (a->sort_field, b->sort_field) != 0 ||
      a->sort_desc != b->sort_desc)
    return FALSE;
  fa = kehu_list_query_filters_to_json (a);
  fb = kehu_list_query_filters_to_json (b);
  return g_strcmp0 (fa, fb) == 0;
}

void
kehu_list_query_add_filter (KehuListQuery      *self,
                            const char         *field,
                            KehuFilterOp        op,
                            const char * const *values)
{
  g_return_if_fail (field != NULL);
  g_ptr_array_add (self->filters, filter_new (field, op, values));
}

void
kehu_list_query_remove_filter (KehuListQuery *self,
                               guint          index)
{
  g_return_if_fail (index < self->filters->len);
  g_ptr_array_remove_index (self->filters, index);
}

void
kehu_list_query_clear_filters (KehuListQuery *self)
{
  g_ptr_array_set_size (self->filters, 0);
}

guint
kehu_list_query_get_n_filters (const KehuListQuery *self)
{
  return self->filters->len;
}

const KehuFilter *
kehu_list_query_get_filter (const KehuListQuery *self,
                            guint                index)
{
  g_return_val_if_fail (index < self->filters->len, NULL);
  return g_ptr_array_index (self->filters, index);
}

void
kehu_list_query_set_search (KehuListQuery *self,
                            const char    *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  g_free (self->search);
  self->search = *stripped ? g_steal_pointer (&stripped) : NULL;
}

const char *
kehu_list_query_get_search (const KehuListQuery *self)
{
  return self->search;
}

void
kehu_list_query_set_sort (KehuListQuery *self,
                          const char    *field,
                          gboolean       descending)
{
  g_free (self->sort_field);
  self->sort_field = g_strdup (field);
  self->sort_desc = descending;
}

const char *
kehu_list_query_get_sort (const KehuListQuery *self,
                          gboolean            *descending)
{
  if (descending)
    *descending = self->sort_desc;
  return self->sort_field;
}

char *
kehu_list_query_filters_to_json (const KehuListQuery *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->filters->len; i++)
    {
      const KehuFilter *f = g_ptr_array_index (self->filters, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, f->field);
      json_builder_set_member_name (builder, "op");
      for (guint j = 0; j < G_N_ELEMENTS (op_names); j++)
        if (op_names[j].op == f->op)
          json_builder_add_string_value (builder, op_names[j].name);
      json_builder_set_member_name (builder, "values");
      json_builder_begin_array (builder);
      for (guint j = 0; f->values[j]; j++)
        json_builder_add_string_value (builder, f->values[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
kehu_list_query_filters_from_json (KehuListQuery  *self,
                                   const char     *json,
                                   GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      /* "{}" is the scenes table's default: no filter. */
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        return TRUE;
      g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                   _("The saved filter is not a list of conditions"));
      return FALSE;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);
      const char *field, *op;
      g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;
      gboolean found = FALSE;
      KehuFilterOp fop = KEHU_FILTER_EQUALS;

      if (obj == NULL)
        continue;
      field = json_object_get_string_member_with_default (obj, "field", NULL);
      op = json_object_get_string_member_with_default (obj, "op", NULL);
      for (guint j = 0; op != NULL && j < G_N_ELEMENTS (op_names); j++)
        if (strcmp (op_names[j].name, op) == 0)
          {
            fop = op_names[j].op;
            found = TRUE;
          }
      if (field == NULL || !found)
        {
          g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                       _("Condition %u of the saved filter has no field or an unknown operator"), i + 1);
          return FALSE;
        }
      if (json_object_has_member (obj, "values"))
        {
          JsonArray *v = json_object_get_array_member (obj, "values");
          for (guint j = 0; v && j < json_array_get_length (v); j++)
            g_strv_builder_add (values, json_array_get_string_element (v, j));
        }
      strv = g_strv_builder_end (values);
      kehu_list_query_add_filter (self, field, fop, (const char * const *) strv);
    }

  return TRUE;
}

/* Dates ------------------------------------------------------------------- */

static GDateTime *
start_of_day (GDateTime *dt)
{
  return g_date_time_new (g_date_time_get_timezone (dt),
                          g_date_time_get_year (dt),
                          g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt),
                          0, 0, 0);
}

static GDateTime *
parse_day (const char *text,
           GTimeZone  *tz)
{
  int y, m, d;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return NULL;
  return g_date_time_new (tz, y, m, d, 0, 0, 0);
}

/**
 * kehu_date_preset_range:
 * @start: (out): first instant, inclusive; NULL for an open start
 * @end: (out): last instant, exclusive; NULL for an open end
 *
 * Returns: FALSE when @preset is unknown or its arguments are invalid
 */
gboolean
kehu_date_preset_range (const char         *preset,
                        const char * const *args,
                        GDateTime          *now,
                        GDateTime         **start,
                        GDateTime         **end)
{
  g_autoptr(GDateTime) today = start_of_day (now);
  GTimeZone *tz = g_date_time_get_timezone (now);

  *start = *end = NULL;
  if (g_strcmp0 (preset, "today") == 0)
    {
      *start = g_date_time_ref (today);
      *end = g_date_time_add_days (today, 1);
    }
  else if (g_strcmp0 (preset, "yesterday") == 0)
    {
      *start = g_date_time_add_days (today, -1);
      *end = g_date_time_ref (today);
    }
  else if (g_strcmp0 (preset, "this_week") == 0)
    {
      *start = g_date_time_add_days (today, 1 - g_date_time_get_day_of_week (today));
      *end = g_date_time_add_days (*start, 7);
    }
  else if (g_strcmp0 (preset, "this_month") == 0)
    {
      *start = g_date_time_new (tz, g_date_time_get_year (today), g_date_time_get_month (today), 1, 0, 0, 0);
      *end = g_date_time_add_months (*start, 1);
    }
  else if (g_strcmp0 (preset, "this_quarter") == 0)
    {
      int first = (g_date_time_get_month (today) - 1) / 3 * 3 + 1;
      *start = g_date_time_new (tz, g_date_time_get_year (today), first, 1, 0, 0, 0);
      *end = g_date_time_add_months (*start, 3);
    }
  else if (g_strcmp0 (preset, "this_year") == 0)
    {
      *start = g_date_time_new (tz, g_date_time_get_year (today), 1, 1, 0, 0, 0);
      *end = g_date_time_add_years (*start, 1);
    }
  else if (g_strcmp0 (preset, "last_days") == 0 || g_strcmp0 (preset, "before_days") == 0)
    {
      gint64 n;
      char *endp = NULL;

      if (args == NULL || args[0] == NULL)
        return FALSE;
      n = g_ascii_strtoll (args[0], &endp, 10);
      if (endp == args[0] || *endp != '\0' || n < 1 || n > 36500)
        return FALSE;
      if (preset[0] == 'l')
        {
          *start = g_date_time_add_days (today, (int) (1 - n));
          *end = g_date_time_add_days (today, 1);
        }
      else
        *end = g_date_time_add_days (today, (int) (1 - n));
    }
  else if (g_strcmp0 (preset, "range") == 0)
    {
      const char *from = args && args[0] ? args[0] : "";
      const char *to = args && args[0] && args[1] ? args[1] : "";
      g_autoptr(GDateTime) last = NULL;

      if (*from && (*start = parse_day (from, tz)) == NULL)
        return FALSE;
      if (*to)
        {
          if ((last = parse_day (to, tz)) == NULL)
            {
              g_clear_pointer (start, g_date_time_unref);
              return FALSE;
            }
          *end = g_date_time_add_days (last, 1);
        }
    }
  else
    return FALSE;

  return TRUE;
}

/* SQL --------------------------------------------------------------------- */

static void
add_param_string (GPtrArray  *params,
                  const char *value)
{
  g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (value)));
}

static void
add_param_int (GPtrArray *params,
               gint64     value)
{
  g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_int64 (value)));
}

static gboolean
parse_int (const char *text,
           gint64     *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *out = g_ascii_strtoll (text, &end, 10);
  return end != text && *end == '\0';
}

static char *
format_bound (GDateTime     *dt,
              KehuFieldType  type)
{
  g_autoptr(GDateTime) utc = NULL;

  /* A DATE field holds local calendar days; a DATETIME one UTC instants. */
  if (type == KEHU_FIELD_DATE)
    return g_date_time_format (dt, "%Y-%m-%d");
  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
append_like (GString    *where,
             GPtrArray  *params,
             const char *sql,
             const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  g_string_append_printf (where, "%s LIKE ? ESCAPE '\\'", sql);
  add_param_string (params, pattern->str);
  g_string_free (pattern, TRUE);
}

static gboolean
build_filter (const KehuFilter      *filter,
              const KehuModule      *module,
              const KehuListContext *context,
              GString               *where,
              GPtrArray             *params,
              GError               **error)
{
  const KehuField *field = kehu_module_lookup_field (module, filter->field);
  g_autofree char *sql = NULL;
  guint n_values = filter->values ? g_strv_length (filter->values) : 0;

  if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
    {
      g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s have no field “%s” to filter on"),
                   kehu_module_get_plural (module), filter->field);
      return FALSE;
    }
  sql = kehu_field_get_sql (field);

  switch (filter->op)
    {
    case KEHU_FILTER_CONTAINS:
      if (n_values < 1 || !*filter->values[0])
        return TRUE;
      g_string_append (where, " AND ");
      append_like (where, params, sql, filter->values[0]);
      break;

    case KEHU_FILTER_IN:
    case KEHU_FILTER_EQUALS:
      {
        gboolean first = TRUE;
        guint n_added = 0;

        g_string_append_printf (where, " AND %s IN (", sql);
        for (guint i = 0; i < n_values; i++)
          {
            const char *v = filter->values[i];

            if (g_strcmp0 (v, KEHU_FILTER_ME) == 0)
              {
                if (context->user_id == NULL)
                  continue;
                g_string_append (where, first ? "?" : ", ?");
                add_param_string (params, context->user_id);
              }
            else if (g_strcmp0 (v, KEHU_FILTER_TEAM) == 0)
              {
                /* The current user's department, the user included. */
                if (context->user_id == NULL)
                  continue;
                g_string_append (where, first ? "" : ", ");
                g_string_append (where, "SELECT u.id FROM users u WHERE u.department_id ="
                                        " (SELECT department_id FROM users WHERE id = ?) OR u.id = ?");
                add_param_string (params, context->user_id);
                add_param_string (params, context->user_id);
                if (n_values > 1)
                  {
                    /* A subquery must stand alone in IN (…). */
                    g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                                 _("“%s”: my team cannot be combined with other values"),
                                 kehu_field_get_label (field));
                    return FALSE;
                  }
              }
            else if (field->type == KEHU_FIELD_BOOLEAN || kehu_field_type_is_numeric (field->type))
              {
                gint64 n;

                if (!parse_int (v, &n))
                  {
                    g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                                 _("“%s” must be a whole number"), kehu_field_get_label (field));
                    return FALSE;
                  }
                g_string_append (where, first ? "?" : ", ?");
                add_param_int (params, n);
              }
            else
              {
                g_string_append (where, first ? "?" : ", ?");
                add_param_string (params, v);
              }
            first = FALSE;
            n_added++;
          }
        g_string_append (where, ")");
        (void) n_added;
      }
      break;

    case KEHU_FILTER_RANGE:
      {
        gint64 n;

        if (n_values > 0 && *filter->values[0])
          {
            if (!parse_int (filter->values[0], &n))
              goto not_a_number;
            g_string_append_printf (where, " AND %s >= ?", sql);
            add_param_int (params, n);
          }
        if (n_values > 1 && *filter->values[1])
          {
            if (!parse_int (filter->values[1], &n))
              goto not_a_number;
            g_string_append_printf (where, " AND %s <= ?", sql);
            add_param_int (params, n);
          }
      }
      break;

    case KEHU_FILTER_DATE:
      {
        g_autoptr(GDateTime) start = NULL;
        g_autoptr(GDateTime) end = NULL;

        if (n_values < 1 ||
            !kehu_date_preset_range (filter->values[0], (const char * const *) filter->values + 1,
                                     context->now, &start, &end))
          {
            g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                         _("“%s”: the date range is not valid"), kehu_field_get_label (field));
            return FALSE;
          }
        if (g_strcmp0 (filter->values[0], "before_days") == 0)
          {
            g_autofree char *b = format_bound (end, field->type);
            g_string_append_printf (where, " AND (%s IS NULL OR %s < ?)", sql, sql);
            add_param_string (params, b);
            break;
          }
        if (start != NULL)
          {
            g_autofree char *b = format_bound (start, field->type);
            g_string_append_printf (where, " AND %s >= ?", sql);
            add_param_string (params, b);
          }
        if (end != NULL)
          {
            g_autofree char *b = format_bound (end, field->type);
            g_string_append_printf (where, " AND %s < ?", sql);
            add_param_string (params, b);
          }
      }
      break;

    case KEHU_FILTER_EMPTY:
      if (kehu_field_type_is_text (field->type))
        g_string_append_printf (where, " AND (%s IS NULL OR %s = '')", sql, sql);
      else
        g_string_append_printf (where, " AND %s IS NULL", sql);
      break;

    case KEHU_FILTER_NOT_EMPTY:
      if (kehu_field_type_is_text (field->type))
        g_string_append_printf (where, " AND %s IS NOT NULL AND %s <> ''", sql, sql);
      else
        g_string_append_printf (where, " AND %s IS NOT NULL", sql);
      break;

    default:
      g_assert_not_reached ();
    }

  return TRUE;

not_a_number:
  g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
               _("“%s” must be a number"), kehu_field_get_label (field));
  return FALSE;
}

gboolean
kehu_list_query_build_where (const KehuListQuery   *self,
                             KehuSchema            *schema,
                             const KehuModule      *module,
                             const KehuListContext *context,
                             GString               *where,
                             GPtrArray             *params,
                             GError               **error)
{
  for (guint i = 0; i < self->filters->len; i++)
    if (!build_filter (g_ptr_array_index (self->filters, i), module, context, where, params, error))
      return FALSE;

  if (self->search != NULL && kehu_search_is_module_searchable (kehu_module_get_name (module)))
    {
      /* The FTS index: words, numbers, phones, pinyin and initials. */
      g_autofree char *sql = NULL;
      g_auto(GStrv) values = NULL;

      if (!kehu_search_condition (kehu_module_get_name (module), self->search, "t.rowid",
                                  &sql, &values, error))
        return FALSE;
      g_string_append_printf (where, " AND %s", sql);
      for (guint i = 0; values && values[i]; i++)
        add_param_string (params, values[i]);
    }
  else if (self->search != NULL)
    {
      /* Not indexed: every word must match one of the searchable fields. */
      g_auto(GStrv) words = g_strsplit_set (self->search, " \t", -1);

      for (guint w = 0; words[w]; w++)
        {
          gboolean first = TRUE;

          if (*words[w] == '\0')
            continue;
          g_string_append (where, " AND (");
          for (guint i = 0; i < kehu_module_get_n_fields (module); i++)
            {
              const KehuField *field = kehu_module_get_field (module, i);
              g_autofree char *sql = NULL;

              if (!(field->flags & KEHU_FIELD_SEARCHABLE))
                continue;
              sql = kehu_field_get_sql (field);
              if (!first)
                g_string_append (where, " OR ");
              append_like (where, params, sql, words[w]);
              first = FALSE;
            }
          if (first)
            g_string_append (where, "0");
          g_string_append (where, ")");
        }
    }

  return TRUE;
}
