/* kehu-api-export.c: a record list as an .xlsx or .csv download
 *
 * GET /<module>/export?format=xlsx|csv takes the list route's filters
 * (kehu-api-records.c builds the query, this file writes it). Rows are
 * streamed from one SQLite statement with only the exported columns
 * (kehu_query_rows_open(): typed values, no JSON record per row) through
 * kehu-export.c, so memory stays constant whatever the length; the file is
 * written to the data folder, mapped, unlinked and sent from the mapping.
 *
 * Values are written as people read them: dictionary labels, user names
 * and referenced records' titles instead of ids, money as yuan numbers
 * ("#,##0.00"), dates as spreadsheet dates, times in the server's time
 * zone. Headers and labels are in the server's language (the locale it
 * was started in), like its error messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "kehu-api.h"
#include "kehu-export.h"
#include "kehu-query.h"

/* Titles of referenced records kept at most; the cache is emptied beyond,
 * so memory stays bounded on a long export. */
#define MAX_CACHED_TITLES 20000

typedef struct
{
  const KehuField      *field;
  KehuExportColumnType  type;
  GHashTable           *labels;    /* value → label (dictionaries, titles) */
  sqlite3_stmt         *lookup;    /* references: the title of one record */
  gboolean              seeded;    /* referenced titles are seeded labels */
} Column;

typedef struct
{
  KehuQuery  *query;
  KehuSchema *schema;
  Column     *columns;
  guint       n_columns;
  KehuQueryRows *rows;     /* the streamed rows, opened on the first */
  gint64      n_rows;
  gint64      max_rows;
  GPtrArray  *texts;       /* the current row's strings */
} Export;

/* Labels of the fixed values of enum fields (kehu-schema.c); NULL module:
 * the field has these values in every module. */
static const struct
{
  const char *module;
  const char *field;
  const char *value;
  const char *context;
  const char *label;      /* NC_() gives the label only: the context is repeated before */
} enum_labels[] = {
  { "leads", "status", "new", "lead status", NC_("lead status", "New") },
  { "leads", "status", "following", "lead status", NC_("lead status", "Following up") },
  { "leads", "status", "converted", "lead status", NC_("lead status", "Converted") },
  { "leads", "status", "invalid", "lead status", NC_("lead status", "Invalid") },
  { "customers", "deal_status", "none", "deal status", NC_("deal status", "Not closed") },
  { "customers", "deal_status", "deal", "deal status", NC_("deal status", "Closed") },
  { "contacts", "gender", "male", "gender", NC_("gender", "Male") },
  { "contacts", "gender", "female", "gender", NC_("gender", "Female") },
  { "contacts", "gender", "unknown", "gender", NC_("gender", "Unknown") },
  { "opportunities", "status", "open", "opportunity status", NC_("opportunity status", "Open") },
  { "opportunities", "status", "won", "opportunity status", NC_("opportunity status", "Won") },
  { "opportunities", "status", "lost", "opportunity status", NC_("opportunity status", "Lost") },
  { "opportunities", "status", "invalid", "opportunity status", NC_("opportunity status", "Invalid") },
  { NULL, "approval_status", "draft", "approval status", NC_("approval status", "Draft") },
  { NULL, "approval_status", "pending", "approval status", NC_("approval status", "Pending") },
  { NULL, "approval_status", "approved", "approval status", NC_("approval status", "Approved") },
  { NULL, "approval_status", "rejected", "approval status", NC_("approval status", "Rejected") },
  { NULL, "approval_status", "withdrawn", "approval status", NC_("approval status", "Withdrawn") },
  { "payment_plans", "status", "pending", "payment plan status", NC_("payment plan status", "Not received") },
  { "payment_plans", "status", "partial", "payment plan status", NC_("payment plan status", "Partly received") },
  { "payment_plans", "status", "received", "payment plan status", NC_("payment plan status", "Received") },
  { "tasks", "priority", "none", "task priority", NC_("task priority", "None") },
  { "tasks", "priority", "low", "task priority", NC_("task priority", "Low") },
  { "tasks", "priority", "medium", "task priority", NC_("task priority", "Medium") },
  { "tasks", "priority", "high", "task priority", NC_("task priority", "High") },
  { "tasks", "status", "todo", "task status", NC_("task status", "To do") },
  { "tasks", "status", "done", "task status", NC_("task status", "Done") },
};

/* Modules whose titles are seeded English labels shown translated. */
static const char * const seeded_modules[] = { "stages", "stage_groups", "pools", "departments", "roles", NULL };

static void
export_clear (Export *export)
{
  for (guint i = 0; i < export->n_columns; i++)
    {
      g_clear_pointer (&export->columns[i].labels, g_hash_table_unref);
      g_clear_pointer (&export->columns[i].lookup, sqlite3_finalize);
    }
  g_clear_pointer (&export->columns, g_free);
  g_clear_pointer (&export->rows, kehu_query_rows_free);
  g_clear_pointer (&export->texts, g_ptr_array_unref);
}

/* The label of an enum value; a module name (follow-ups' "regarding")
 * reads as the module's name; anything else as stored. */
static const char *
enum_label (KehuSchema      *schema,
            const char      *module,
            const KehuField *field,
            const char      *value)
{
  const KehuModule *target;

  for (guint i = 0; i < G_N_ELEMENTS (enum_labels); i++)
    if ((enum_labels[i].module == NULL || g_str_equal (enum_labels[i].module, module)) &&
        g_str_equal (enum_labels[i].field, field->name) && g_str_equal (enum_labels[i].value, value))
      return g_dpgettext2 (GETTEXT_PACKAGE, enum_labels[i].context, enum_labels[i].label);

  if (g_str_equal (field->name, "target_module") && (target = kehu_schema_get_module (schema, value)) != NULL)
    return kehu_module_get_singular (target);
  return value;
}

static KehuExportColumnType
column_type (const KehuField *field)
{
  switch (field->type)
    {
    case KEHU_FIELD_INTEGER:
      return KEHU_EXPORT_INT;
    case KEHU_FIELD_MONEY:
      return KEHU_EXPORT_MONEY;
    case KEHU_FIELD_PERCENT:
      return KEHU_EXPORT_PERCENT;
    case KEHU_FIELD_DATE:
      return KEHU_EXPORT_DATE;
    default:
      return KEHU_EXPORT_TEXT;
    }
}

static gboolean
load_dictionary (KehuStore   *store,
                 Column      *column,
                 GError     **error)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, error,
                                         "SELECT value, label FROM dictionary_items WHERE dictionary_id = ?1",
                                         "s", column->field->dictionary);

  if (stmt == NULL)
    return FALSE;
  column->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (column->labels,
                         g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup (kehu_schema_display_label ((const char *) sqlite3_column_text (stmt, 1))));
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
prepare_lookup (KehuStore   *store,
                KehuSchema  *schema,
                Column      *column,
                GError     **error)
{
  const KehuModule *target = kehu_schema_get_module (schema, column->field->reference);
  const char *title = target ? kehu_module_get_title_field (target) : NULL;
  g_autofree char *sql = NULL;

  /* Without a title the id is the most readable thing there is. */
  if (title == NULL)
    return TRUE;
  sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1", title, kehu_module_get_name (target));
  column->lookup = kehu_sql_prepare (store, error, sql, "");
  if (column->lookup == NULL)
    return FALSE;
  column->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  column->seeded = g_strv_contains (seeded_modules, kehu_module_get_name (target));
  return TRUE;
}

static const char *
lookup_title (Column     *column,
              const char *id)
{
  const char *title;
  char *copy = NULL;

  if (column->lookup == NULL)
    return id;
  if ((title = g_hash_table_lookup (column->labels, id)) != NULL)
    return title;

  sqlite3_reset (column->lookup);
  sqlite3_bind_text (column->lookup, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (column->lookup) == SQLITE_ROW && sqlite3_column_type (column->lookup, 0) != SQLITE_NULL)
    {
      const char *text = (const char *) sqlite3_column_text (column->lookup, 0);
      copy = g_strdup (column->seeded ? kehu_schema_display_label (text) : text);
    }
  sqlite3_reset (column->lookup);
  if (copy == NULL)
    copy = g_strdup (id);

  if (g_hash_table_size (column->labels) >= MAX_CACHED_TITLES)
    g_hash_table_remove_all (column->labels);
  g_hash_table_insert (column->labels, g_strdup (id), copy);
  return copy;
}

/* The columns of @fields_param ("a,b,c"), or the module's list columns. */
static gboolean
set_up_columns (Export       *export,
                KehuApi      *api,
                const char   *fields_param,
                GError      **error)
{
  const KehuModule *module = kehu_query_get_module (export->query);
  KehuStore *store = kehu_api_get_store (api);
  KehuSchema *schema = kehu_api_get_schema (api);
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  if (fields_param != NULL)
    {
      g_auto(GStrv) names = g_strsplit (fields_param, ",", -1);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *name = g_strstrip (names[i]);
          const KehuField *field = kehu_module_lookup_field (module, name);

          if (*name == '\0')
            continue;
          if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
            {
              kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "fields", _("%s has no field “%s”"),
                                  kehu_module_get_plural (module), name);
              return FALSE;
            }
          g_ptr_array_add (fields, (gpointer) field);
        }
    }
  else
    {
      for (guint i = 0; i < kehu_module_get_n_fields (module); i++)
        {
          const KehuField *field = kehu_module_get_field (module, i);

          if ((field->flags & KEHU_FIELD_IN_LIST) && !(field->flags & KEHU_FIELD_HIDDEN))
            g_ptr_array_add (fields, (gpointer) field);
        }
    }

  if (fields->len == 0)
    {
      kehu_api_set_error (error, KEHU_API_ERROR_INVALID, "fields", _("Name at least one field to export"));
      return FALSE;
    }

  export->n_columns = fields->len;
  export->columns = g_new0 (Column, fields->len);
  for (guint i = 0; i < fields->len; i++)
    {
      Column *column = &export->columns[i];

      column->field = g_ptr_array_index (fields, i);
      column->type = column_type (column->field);
      if ((column->field->type == KEHU_FIELD_CHOICE || column->field->type == KEHU_FIELD_MULTI_CHOICE) &&
          column->field->dictionary != NULL)
        {
          if (!load_dictionary (store, column, error))
            return FALSE;
        }
      else if ((column->field->type == KEHU_FIELD_REFERENCE || column->field->type == KEHU_FIELD_USER) &&
               column->field->reference != NULL)
        {
          if (!prepare_lookup (store, schema, column, error))
            return FALSE;
        }
    }

  return TRUE;
}

static const char *
keep (Export *export,
      char   *text)
{
  g_ptr_array_add (export->texts, text);
  return text;
}

/* "2024-05-06T07:08:09Z" in the server's time zone: "2024-05-06 15:08". */
static char *
format_datetime (const char *text)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (text, NULL);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup (text);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
format_quantity (gint64 thousandths)
{
  guint64 abs_value = thousandths < 0 ? (guint64) (-(thousandths + 1)) + 1 : (guint64) thousandths;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03u", thousandths < 0 ? "-" : "",
                          abs_value / 1000, (guint) (abs_value % 1000));
}

static char *
join_array (Column    *column,
            JsonArray *array)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      text = json_node_get_string (node);
      if (column->labels != NULL && g_hash_table_contains (column->labels, text))
        text = g_hash_table_lookup (column->labels, text);
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static gboolean
is_json_type (KehuFieldType type)
{
  return type == KEHU_FIELD_JSON || type == KEHU_FIELD_TAGS || type == KEHU_FIELD_MULTI_CHOICE;
}

static void
fill_cell (Export               *export,
           Column               *column,
           const KehuQueryValue *value,
           KehuExportCell       *cell)
{
  const KehuField *field = column->field;

  if (value->type == KEHU_QUERY_VALUE_NULL)
    {
      cell->is_null = TRUE;
      return;
    }

  /* JSON columns come as their text: arrays read as lists of labels. */
  if (value->type == KEHU_QUERY_VALUE_TEXT && is_json_type (field->type))
    {
      g_autoptr(JsonNode) node = json_from_string (value->text, NULL);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        cell->text = keep (export, join_array (column, json_node_get_array (node)));
      else
        cell->text = value->text;
      return;
    }

  switch (field->type)
    {
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_MONEY:
      cell->number = value->type == KEHU_QUERY_VALUE_DOUBLE ? (gint64) value->d : value->i;
      break;
    case KEHU_FIELD_PERCENT:
      /* Whole percent; the sheet wants basis points. */
      cell->number = (value->type == KEHU_QUERY_VALUE_DOUBLE ? (gint64) value->d : value->i) * 100;
      break;
    case KEHU_FIELD_QUANTITY:
      cell->text = keep (export, format_quantity (value->i));
      break;
    case KEHU_FIELD_NUMBER:
      if (value->type == KEHU_QUERY_VALUE_DOUBLE)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];
          cell->text = keep (export, g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value->d)));
        }
      else if (value->type == KEHU_QUERY_VALUE_INT)
        cell->text = keep (export, g_strdup_printf ("%" G_GINT64_FORMAT, value->i));
      else
        cell->text = value->text;
      break;
    case KEHU_FIELD_BOOLEAN:
      cell->text = value->i != 0 ? _("Yes") : _("No");
      break;
    case KEHU_FIELD_DATETIME:
      cell->text = keep (export, format_datetime (value->text));
      break;
    case KEHU_FIELD_CHOICE:
      {
        const char *label = column->labels ? g_hash_table_lookup (column->labels, value->text) : NULL;
        cell->text = label ? label : value->text;
      }
      break;
    case KEHU_FIELD_ENUM:
      cell->text = enum_label (export->schema, kehu_module_get_name (kehu_query_get_module (export->query)),
                               field, value->text);
      break;
    case KEHU_FIELD_REFERENCE:
    case KEHU_FIELD_USER:
      cell->text = lookup_title (column, value->text);
      break;
    default:
      if (value->type == KEHU_QUERY_VALUE_TEXT)
        cell->text = value->text;
      else if (value->type == KEHU_QUERY_VALUE_INT)
        cell->text = keep (export, g_strdup_printf ("%" G_GINT64_FORMAT, value->i));
      else
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];
          cell->text = keep (export, g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value->d)));
        }
      break;
    }
}

static gboolean
next_row_cb (KehuExportCell  *cells,
             guint            n_columns,
             gpointer         user_data,
             GError         **error)
{
  Export *export = user_data;
  const KehuQueryValue *values;

  g_ptr_array_set_size (export->texts, 0);

  if (export->rows == NULL)
    {
      g_autofree const char **names = g_new0 (const char *, n_columns + 1);

      for (guint i = 0; i < n_columns; i++)
        names[i] = export->columns[i].field->name;
      export->rows = kehu_query_rows_open (export->query, names, error);
      if (export->rows == NULL)
        return FALSE;
    }
  values = kehu_query_rows_next (export->rows, error);
  if (values == NULL)
    return FALSE;

  /* Rows added after the count: the limit holds all the same. */
  if (export->n_rows >= export->max_rows)
    {
      g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, export->max_rows);

      kehu_api_set_error (error, KEHU_API_ERROR_UNPROCESSABLE, NULL,
                          _("An export holds at most %s rows; narrow the list with a filter"), max);
      return FALSE;
    }

  for (guint i = 0; i < n_columns; i++)
    fill_cell (export, &export->columns[i], &values[i], &cells[i]);
  export->n_rows++;
  return TRUE;
}

static gint64
max_rows (void)
{
  const char *text = g_getenv ("KEHU_EXPORT_MAX_ROWS");
  gint64 value;

  /* The environment may lower the limit (the tests do), never raise it. */
  if (text != NULL && g_ascii_string_to_signed (text, 10, 1, KEHU_API_EXPORT_MAX_ROWS, &value, NULL))
    return value;
  return KEHU_API_EXPORT_MAX_ROWS;
}

/* attachment; filename="customers-20240506.xlsx"; filename*=UTF-8''%E5%AE%A2… (RFC 6266) */
static char *
content_disposition (const KehuModule *module,
                     GDateTime        *now,
                     const char       *extension)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (now);
  g_autofree char *day = g_date_time_format (local, "%Y%m%d");
  g_autofree char *title = g_strdup_printf ("%s-%s.%s", kehu_module_get_plural (module), day, extension);
  g_autofree char *escaped = g_uri_escape_string (title, NULL, FALSE);

  return g_strdup_printf ("attachment; filename=\"%s-%s.%s\"; filename*=UTF-8''%s",
                          kehu_module_get_name (module), day, extension, escaped);
}

static gboolean
send_file (KehuRequest *request,
           const char  *path,
           const char  *content_type,
           const char  *disposition,
           GError     **error)
{
  SoupServerMessage *msg = kehu_request_get_message (request);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (mapped == NULL)
    return FALSE;
  bytes = g_mapped_file_get_bytes (mapped);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  kehu_request_mark_replied (request);
  return TRUE;
}

/**
 * _kehu_api_export_reply:
 * @query: the list's query, filters, sort and scope applied
 *
 * Replies with the rows of @query as a file in the format the request's
 * "format" parameter names (xlsx by default, or csv), with the columns its
 * "fields" parameter names (the module's list columns by default).
 */
void
_kehu_api_export_reply (KehuRequest *request,
                        KehuQuery   *query)
{
  KehuApi *api = kehu_request_get_api (request);
  const KehuModule *module = kehu_query_get_module (query);
  const char *format = kehu_request_get_query (request, "format");
  const char *data_dir = kehu_api_get_data_dir (api);
  g_autoptr(GError) error = NULL;
  g_autofree char *template = NULL;
  g_autofree char *path = NULL;
  g_autofree char *disposition = NULL;
  g_autofree const char **headers = NULL;
  g_autofree KehuExportColumnType *types = NULL;
  Export export = { .query = query, .schema = kehu_api_get_schema (api) };
  gboolean xlsx, ok;
  gint64 count;
  int fd;

  if (format == NULL || g_str_equal (format, "xlsx"))
    xlsx = TRUE;
  else if (g_str_equal (format, "csv"))
    xlsx = FALSE;
  else
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "format",
                                _("“format” must be xlsx or csv"));
      return;
    }

  if (!set_up_columns (&export, api, kehu_request_get_query (request, "fields"), &error))
    goto failed;

  /* Refuse a too long export before writing anything. */
  export.max_rows = max_rows ();
  count = kehu_query_count (query, &error);
  if (count < 0)
    goto failed;
  if (count > export.max_rows)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, count);
      g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, export.max_rows);

      kehu_request_reply_error (request, SOUP_STATUS_UNPROCESSABLE_ENTITY, "too_many_rows", NULL,
                                _("The list has %s rows; an export holds at most %s: narrow the list with a filter"),
                                n, max);
      export_clear (&export);
      return;
    }

  headers = g_new0 (const char *, export.n_columns + 1);
  types = g_new0 (KehuExportColumnType, export.n_columns);
  for (guint i = 0; i < export.n_columns; i++)
    {
      headers[i] = kehu_field_get_label (export.columns[i].field);
      types[i] = export.columns[i].type;
    }
  export.texts = g_ptr_array_new_with_free_func (g_free);

  if (data_dir == NULL)
    data_dir = g_get_tmp_dir ();
  template = g_build_filename (data_dir,
                               xlsx ? "export-XXXXXX.xlsx" : "export-XXXXXX.csv", NULL);
  fd = g_mkstemp (template);
  if (fd < 0)
    {
      kehu_request_reply_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                                _("Could not create a temporary file in “%s”"), data_dir);
      export_clear (&export);
      return;
    }
  close (fd);
  path = g_steal_pointer (&template);

  if (xlsx)
    ok = kehu_export_table_xlsx (path, kehu_module_get_plural (module), headers, types, export.n_columns,
                                 next_row_cb, &export, &error);
  else
    ok = kehu_export_table_csv (path, headers, types, export.n_columns, next_row_cb, &export, &error);

  disposition = content_disposition (module, kehu_request_get_now (request), xlsx ? "xlsx" : "csv");
  if (ok)
    ok = send_file (request, path,
                    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                         : "text/csv; charset=utf-8",
                    disposition, &error);
  /* The mapping keeps the bytes alive: the file can go now. */
  g_unlink (path);
  if (!ok)
    goto failed;

  export_clear (&export);
  return;

failed:
  if (g_error_matches (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_CURSOR))
    kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", NULL, "%s", error->message);
  else
    kehu_request_reply_gerror (request, error);
  export_clear (&export);
}
