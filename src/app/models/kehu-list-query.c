/* kehu-list-query.c: what a list shows — filters, quick search and sort
 *
 * A list's state as plain data, so that scenes can be saved as JSON (the
 * format saved scenes have today), and turned into conditions of core's
 * KehuQuery, which alone builds the SQL of every list. Date presets are
 * computed there, in the context's time zone at the context's "now".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "kehu-list-query.h"

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

/* Core's query --------------------------------------------------------------- */

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

/* A value typed in a filter as the JSON value core compares with. */
static JsonNode *
typed_value (const KehuField  *field,
             const char       *text,
             GError          **error)
{
  gint64 n;

  if (field->type == KEHU_FIELD_BOOLEAN)
    return json_node_init_boolean (json_node_alloc (),
                                   g_strcmp0 (text, "1") == 0 || g_ascii_strcasecmp (text, "true") == 0);
  if (kehu_field_type_is_numeric (field->type))
    {
      if (!parse_int (text, &n))
        {
          g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                       _("“%s” must be a whole number"), kehu_field_get_label (field));
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), n);
    }
  return json_node_init_string (json_node_alloc (), text);
}

static gboolean
apply_filter (const KehuFilter  *filter,
              KehuQuery         *query,
              GError           **error)
{
  const KehuModule *module = kehu_query_get_module (query);
  const KehuField *field = kehu_module_lookup_field (module, filter->field);
  const char *user = kehu_context_get_user_id (kehu_query_get_context (query));
  guint n_values = filter->values ? g_strv_length (filter->values) : 0;
  const char *first = n_values > 0 ? filter->values[0] : NULL;

  if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
    {
      g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s have no field “%s” to filter on"),
                   kehu_module_get_plural (module), filter->field);
      return FALSE;
    }

  switch (filter->op)
    {
    case KEHU_FILTER_CONTAINS:
      {
        g_autoptr(JsonNode) value = NULL;

        if (first == NULL || *first == '\0')
          return TRUE;
        value = json_node_init_string (json_node_alloc (), first);
        return kehu_query_add_condition (query, field->name, "contains", value, error);
      }

    case KEHU_FILTER_IN:
    case KEHU_FILTER_EQUALS:
      {
        g_autoptr(JsonArray) array = json_array_new ();
        g_autoptr(JsonNode) value = NULL;

        for (guint i = 0; i < n_values; i++)
          {
            const char *v = filter->values[i];
            JsonNode *node;

            if (g_strcmp0 (v, KEHU_FILTER_TEAM) == 0)
              {
                /* Its own condition: my team cannot be ORed with values. */
                if (n_values > 1)
                  {
                    g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                                 _("“%s”: my team cannot be combined with other values"),
                                 kehu_field_get_label (field));
                    return FALSE;
                  }
                if (user == NULL)
                  break;
                return kehu_query_add_condition (query, field->name, "my_team", NULL, error);
              }
            if (g_strcmp0 (v, KEHU_FILTER_ME) == 0)
              {
                if (user == NULL)
                  continue;  /* nobody is "me": matches nothing */
                v = user;
              }
            if (!(node = typed_value (field, v, error)))
              return FALSE;
            json_array_add_element (array, node);
          }
        value = json_node_init_array (json_node_alloc (), array);
        return kehu_query_add_condition (query, field->name, "in", value, error);
      }

    case KEHU_FILTER_RANGE:
      for (guint i = 0; i < 2 && i < n_values; i++)
        {
          g_autoptr(JsonNode) value = NULL;
          gint64 n;

          if (*filter->values[i] == '\0')
            continue;
          if (!parse_int (filter->values[i], &n))
            {
              g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                           _("“%s” must be a number"), kehu_field_get_label (field));
              return FALSE;
            }
          value = json_node_init_int (json_node_alloc (), n);
          if (!kehu_query_add_condition (query, field->name, i == 0 ? "gte" : "lte", value, error))
            return FALSE;
        }
      return TRUE;

    case KEHU_FILTER_DATE:
      {
        gint64 n = 0;

        if (g_strcmp0 (first, "range") == 0)
          return kehu_query_add_date_between (query, field->name,
                                              n_values > 1 ? filter->values[1] : NULL,
                                              n_values > 2 ? filter->values[2] : NULL, error);
        if ((g_strcmp0 (first, "last_days") == 0 || g_strcmp0 (first, "before_days") == 0) &&
            (n_values < 2 || !parse_int (filter->values[1], &n) || n < 1 || n > 36500))
          {
            g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
                         _("“%s”: the date range is not valid"), kehu_field_get_label (field));
            return FALSE;
          }
        return kehu_query_add_date_preset (query, field->name, first ? first : "", (int) n, error);
      }

    case KEHU_FILTER_EMPTY:
      return kehu_query_add_condition (query, field->name, "empty", NULL, error);

    case KEHU_FILTER_NOT_EMPTY:
      return kehu_query_add_condition (query, field->name, "not_empty", NULL, error);

    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

gboolean
kehu_list_query_apply (const KehuListQuery  *self,
                       KehuQuery            *query,
                       GError              **error)
{
  for (guint i = 0; i < self->filters->len; i++)
    if (!apply_filter (g_ptr_array_index (self->filters, i), query, error))
      return FALSE;
  if (self->search != NULL)
    kehu_query_set_search (query, self->search);
  return TRUE;
}
