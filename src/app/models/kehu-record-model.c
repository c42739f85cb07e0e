/* kehu-record-model.c: a lazy GListModel over one module's records
 *
 * The count comes from SQL; rows are read a page at a time when the view
 * asks for an item, and only the pages touched lately are kept, so memory
 * does not grow with the table. A page that follows a loaded one is read
 * by keyset (the sort value and id of the last row), others by OFFSET.
 * Filters and sort happen in SQL, never in memory. A new query or reload
 * replaces the whole range (see kehu_record_model_reload() for why in two
 * signals).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kehu-record-model.h"
#include "kehu-search.h"

#define MAX_PAGES 24
/* Up to this many rows in the table the count is read at once; above, in a
 * thread, so that the first page shows before a full scan ends. */
#define SYNC_COUNT_MAX_ROWS 5000

typedef struct
{
  guint      index;
  GPtrArray *items;      /* KehuRecordItem* */
  char      *last_sort;  /* sort value of the last row, NULL for SQL NULL */
  char      *last_id;
} Page;

struct _KehuRecordModel
{
  GObject        parent_instance;

  KehuSchema    *schema;
  const KehuModule *module;
  char          *table;

  KehuListQuery *base;
  KehuListQuery *query;
  char          *user_id;
  char          *scope_owners;  /* JSON array, NULL: no restriction */
  char          *scope_user;
  GDateTime     *now;

  /* Built from the query. */
  char          *select_sql;   /* SELECT … FROM table AS t */
  char          *where_sql;    /* WHERE … */
  GPtrArray     *params;       /* GVariant* */
  char          *sort_sql;
  gboolean       sort_desc;
  gboolean       sort_not_null;
  gboolean       sort_keyset;
  GHashTable    *columns;      /* field → index + 1 */
  guint          n_columns;
  guint          sort_column;  /* index in the SELECT of the sort value */

  guint          n_items;
  gboolean       counting;
  gint64         sync_count_max;
  guint          generation;   /* of the query; stale counts are dropped */
  GCancellable  *count_cancellable;
  GStrv          total_fields;
  GHashTable    *totals;       /* field → gint64* */
  GHashTable    *pages;        /* index → Page* */
  GQueue         lru;          /* Page*, most recent first */
  guint          n_loaded;
};

static void kehu_record_model_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KehuRecordModel, kehu_record_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      kehu_record_model_list_model_iface_init))

enum { PROP_0, PROP_COUNTING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_free (page->last_sort);
  g_free (page->last_id);
  g_free (page);
}

static sqlite3 *
get_db (KehuRecordModel *self)
{
  return kehu_store_get_db (kehu_schema_get_store (self->schema));
}

static void
bind_params (sqlite3_stmt *stmt,
             GPtrArray    *params,
             int           first)
{
  for (guint i = 0; i < params->len; i++)
    {
      GVariant *v = g_ptr_array_index (params, i);

      if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (stmt, first + (int) i, g_variant_get_int64 (v));
      else
        sqlite3_bind_text (stmt, first + (int) i, g_variant_get_string (v, NULL), -1, SQLITE_TRANSIENT);
    }
}

static gboolean
set_db_error (KehuRecordModel  *self,
              GError          **error)
{
  return kehu_store_set_error_from_db (kehu_schema_get_store (self->schema),
                                       sqlite3_errcode (get_db (self)), error);
}

static char *
reference_title_sql (KehuRecordModel *self,
                     const KehuField *field)
{
  const char *target = field->type == KEHU_FIELD_USER ? "users" : field->reference;
  const KehuModule *ref = target ? kehu_schema_get_module (self->schema, target) : NULL;
  const char *title = ref ? kehu_module_get_title_field (ref) : "name";

  if (target == NULL)
    return NULL;
  return g_strdup_printf ("(SELECT r.%s FROM %s AS r WHERE r.id = t.%s)", title, target, field->name);
}

static void
build_select (KehuRecordModel *self)
{
  GString *sql = g_string_new ("SELECT ");
  guint n = 0;

  g_clear_pointer (&self->columns, g_hash_table_unref);
  self->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);
      g_autofree char *expr = NULL;

      if (field->flags & KEHU_FIELD_HIDDEN)
        continue;
      expr = kehu_field_get_sql (field);
      if (!(field->flags & KEHU_FIELD_CUSTOM))
        {
          g_free (expr);
          expr = g_strdup_printf ("t.%s", field->name);
        }
      g_string_append_printf (sql, "%s%s", n ? ", " : "", expr);
      g_hash_table_insert (self->columns, g_strdup (field->name), GUINT_TO_POINTER (++n));

      if ((field->type == KEHU_FIELD_USER || field->type == KEHU_FIELD_REFERENCE) &&
          !(field->flags & KEHU_FIELD_CUSTOM))
        {
          g_autofree char *title = reference_title_sql (self, field);

          if (title != NULL)
            {
              g_string_append_printf (sql, ", %s", title);
              g_hash_table_insert (self->columns, g_strconcat (field->name, ":label", NULL),
                                   GUINT_TO_POINTER (++n));
            }
        }
    }
  g_string_append_printf (sql, ", %s FROM %s AS t", self->sort_sql, self->table);
  self->sort_column = n;
  self->n_columns = n + 1;

  g_free (self->select_sql);
  self->select_sql = g_string_free (sql, FALSE);
}

static gboolean
build_query (KehuRecordModel  *self,
             GError          **error)
{
  g_autoptr(GString) where = g_string_new ("WHERE t.deleted_at IS NULL");
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GDateTime) now = self->now ? g_date_time_ref (self->now) : g_date_time_new_now_local ();
  KehuListContext context = { self->user_id, now };
  const char *sort_field;
  gboolean desc = FALSE;
  const KehuField *field = NULL;

  if (self->base != NULL &&
      !kehu_list_query_build_where (self->base, self->schema, self->module, &context, where, params, error))
    return FALSE;
  if (!kehu_list_query_build_where (self->query, self->schema, self->module, &context, where, params, error))
    return FALSE;
  if (self->scope_owners != NULL)
    {
      /* The same rule as kehu-perm: an owner in scope, or on the team. */
      g_string_append (where, " AND (t.owner_id IN (SELECT value FROM json_each (?))"
                              " OR t.id IN (SELECT record_id FROM team_members WHERE module = ? AND user_id = ?))");
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (self->scope_owners)));
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (self->table)));
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (self->scope_user ? self->scope_user : "")));
    }

  sort_field = kehu_list_query_get_sort (self->query, &desc);
  if (sort_field != NULL)
    {
      field = kehu_module_lookup_field (self->module, sort_field);
      if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
        {
          g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
                       _("%s cannot be sorted by “%s”"), kehu_module_get_plural (self->module), sort_field);
          return FALSE;
        }
    }
  else
    {
      sort_field = kehu_module_get_default_sort (self->module, &desc);
      field = kehu_module_lookup_field (self->module, sort_field);
    }

  g_free (self->sort_sql);
  if (field->flags & KEHU_FIELD_CUSTOM)
    self->sort_sql = kehu_field_get_sql (field);
  else
    self->sort_sql = g_strdup_printf ("t.%s", field->name);
  self->sort_desc = desc;
  self->sort_not_null = (field->flags & KEHU_FIELD_NOT_NULL) != 0;
  self->sort_keyset = !(field->flags & KEHU_FIELD_CUSTOM);

  g_free (self->where_sql);
  self->where_sql = g_string_free (g_steal_pointer (&where), FALSE);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  self->params = g_steal_pointer (&params);

  build_select (self);
  return TRUE;
}

/* "SELECT count(*), sum(a), sum(b)… FROM table AS t WHERE …": one scan. */
static char *
build_count_sql (KehuRecordModel *self)
{
  GString *sql = g_string_new ("SELECT count(*)");

  for (guint i = 0; self->total_fields && self->total_fields[i]; i++)
    {
      const KehuField *field = kehu_module_lookup_field (self->module, self->total_fields[i]);
      g_autofree char *expr = kehu_field_get_sql (field);

      g_string_append_printf (sql, ", coalesce (sum (%s), 0)", expr);
    }
  g_string_append_printf (sql, " FROM %s AS t %s", self->table, self->where_sql);
  return g_string_free (sql, FALSE);
}

typedef struct
{
  char      *path;
  char      *sql;
  GPtrArray *params;
  guint      n_totals;
  gint64    *results;   /* count, then the totals */
} CountJob;

static void
count_job_free (CountJob *job)
{
  g_free (job->path);
  g_free (job->sql);
  g_ptr_array_unref (job->params);
  g_free (job->results);
  g_free (job);
}

static gboolean
run_count (sqlite3     *db,
           CountJob    *job,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, job->sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_SQL, "%s", sqlite3_errmsg (db));
      return FALSE;
    }
  bind_params (stmt, job->params, 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (guint i = 0; i <= job->n_totals; i++)
      job->results[i] = sqlite3_column_int64 (stmt, (int) i);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, KEHU_STORE_ERROR, KEHU_STORE_ERROR_SQL, "%s", sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountJob *job = task_data;
  sqlite3 *db = NULL;
  GError *error = NULL;

  /* A connection of its own: WAL lets it read while the UI's writes go on. */
  if (sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_task_return_new_error (task, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN, "%s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  kehu_search_register_functions (db);
  if (run_count (db, job, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  sqlite3_close (db);
}

static void
set_totals (KehuRecordModel *self,
            const gint64    *results)
{
  g_hash_table_remove_all (self->totals);
  for (guint i = 0; self->total_fields && self->total_fields[i]; i++)
    g_hash_table_insert (self->totals, g_strdup (self->total_fields[i]),
                         g_memdup2 (&results[i + 1], sizeof (gint64)));
}

static void
count_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  KehuRecordModel *self = KEHU_RECORD_MODEL (source);
  CountJob *job = g_task_get_task_data (G_TASK (result));
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  guint n;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot count %s: %s", self->table, error->message);
      if (generation == self->generation)
        {
          self->counting = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
        }
      return;
    }
  if (generation != self->generation)
    return;  /* the query changed meanwhile */

  n = (guint) job->results[0];
  set_totals (self, job->results);
  self->counting = FALSE;
  if (n > self->n_items)
    {
      guint old = self->n_items;
      self->n_items = n;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
    }
  else if (n < self->n_items)
    {
      /* Rows went away between the first page and the count. */
      guint old = self->n_items;
      self->n_items = n;
      g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

static gint64
estimate_rows (KehuRecordModel *self)
{
  g_autofree char *sql = g_strdup_printf ("SELECT max (rowid) FROM %s", self->table);
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (get_db (self), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
clear_pages (KehuRecordModel *self)
{
  g_queue_clear (&self->lru);
  g_hash_table_remove_all (self->pages);
}

/* The keyset condition "after the row (value, id)" for the sort order;
 * NULLs sort first ascending and last descending, as SQLite does. */
static void
append_keyset (KehuRecordModel *self,
               GString         *sql,
               const Page      *prev)
{
  const char *s = self->sort_sql;
  const char *cmp = self->sort_desc ? "<" : ">";

  if (prev->last_sort == NULL && !self->sort_not_null)
    {
      if (self->sort_desc)
        g_string_append_printf (sql, " AND %s IS NULL AND t.id < ?", s);
      else
        g_string_append_printf (sql, " AND ((%s IS NULL AND t.id > ?) OR %s IS NOT NULL)", s, s);
    }
  else if (self->sort_not_null)
    g_string_append_printf (sql, " AND (%s, t.id) %s (?, ?)", s, cmp);
  else if (self->sort_desc)
    g_string_append_printf (sql, " AND (%s < ? OR (%s = ? AND t.id < ?) OR %s IS NULL)", s, s, s);
  else
    g_string_append_printf (sql, " AND (%s > ? OR (%s = ? AND t.id > ?))", s, s);
}

static void
bind_keyset (KehuRecordModel *self,
             sqlite3_stmt    *stmt,
             int              first,
             const Page      *prev)
{
  /* Bound as text: the sort column's affinity converts it back. */
  if (prev->last_sort == NULL && !self->sort_not_null)
    sqlite3_bind_text (stmt, first, prev->last_id, -1, SQLITE_TRANSIENT);
  else if (self->sort_not_null)
    {
      sqlite3_bind_text (stmt, first, prev->last_sort, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, first + 1, prev->last_id, -1, SQLITE_TRANSIENT);
    }
  else
    {
      sqlite3_bind_text (stmt, first, prev->last_sort, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, first + 1, prev->last_sort, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, first + 2, prev->last_id, -1, SQLITE_TRANSIENT);
    }
}

static Page *
load_page (KehuRecordModel *self,
           guint            index)
{
  Page *prev = index > 0 ? g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index - 1)) : NULL;
  g_autoptr(GString) sql = g_string_new (self->select_sql);
  const char *dir = self->sort_desc ? " DESC" : "";
  sqlite3_stmt *stmt = NULL;
  Page *page;
  int rc;

  /* A keyset needs a sort value that compares exactly as stored: custom
   * fields come out of JSON, so they page by OFFSET. */
  if (prev != NULL && (!self->sort_keyset || prev->items->len < KEHU_RECORD_MODEL_PAGE_SIZE))
    prev = NULL;

  g_string_append_c (sql, ' ');
  g_string_append (sql, self->where_sql);
  if (prev != NULL)
    append_keyset (self, sql, prev);
  g_string_append_printf (sql, " ORDER BY %s%s, t.id%s LIMIT %d", self->sort_sql, dir, dir,
                          KEHU_RECORD_MODEL_PAGE_SIZE);
  if (prev == NULL && index > 0)
    g_string_append_printf (sql, " OFFSET %u", index * KEHU_RECORD_MODEL_PAGE_SIZE);

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_with_free_func (g_object_unref);

  if (sqlite3_prepare_v2 (get_db (self), sql->str, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot read %s: %s", self->table, sqlite3_errmsg (get_db (self)));
      return page;
    }
  bind_params (stmt, self->params, 1);
  if (prev != NULL)
    bind_keyset (self, stmt, (int) self->params->len + 1, prev);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char **values = g_new0 (char *, self->n_columns);

      for (guint c = 0; c < self->n_columns; c++)
        values[c] = g_strdup ((const char *) sqlite3_column_text (stmt, (int) c));
      g_free (page->last_sort);
      page->last_sort = g_strdup (values[self->sort_column]);
      g_ptr_array_add (page->items,
                       kehu_record_item_new (kehu_module_get_name (self->module),
                                             self->columns, values, self->n_columns));
    }
  if (rc != SQLITE_DONE)
    g_warning ("Cannot read %s: %s", self->table, sqlite3_errmsg (get_db (self)));
  sqlite3_finalize (stmt);

  if (page->items->len > 0)
    page->last_id = g_strdup (kehu_record_item_get_id (g_ptr_array_index (page->items,
                                                                        page->items->len - 1)));
  self->n_loaded++;
  return page;
}

static Page *
get_page (KehuRecordModel *self,
          guint            index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

  if (page != NULL)
    {
      g_queue_remove (&self->lru, page);
      g_queue_push_head (&self->lru, page);
      return page;
    }

  page = load_page (self, index);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  g_queue_push_head (&self->lru, page);

  while (self->lru.length > MAX_PAGES)
    {
      Page *old = g_queue_pop_tail (&self->lru);
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (old->index));
    }

  return page;
}

static GType
kehu_record_model_get_item_type (GListModel *model)
{
  return KEHU_TYPE_RECORD_ITEM;
}

static guint
kehu_record_model_get_n_items (GListModel *model)
{
  return KEHU_RECORD_MODEL (model)->n_items;
}

static gpointer
kehu_record_model_get_item (GListModel *model,
                            guint       position)
{
  KehuRecordModel *self = KEHU_RECORD_MODEL (model);
  guint offset = position % KEHU_RECORD_MODEL_PAGE_SIZE;
  Page *page;

  if (position >= self->n_items)
    return NULL;
  page = get_page (self, position / KEHU_RECORD_MODEL_PAGE_SIZE);
  if (offset >= page->items->len)
    return NULL;  /* rows deleted under us; a reload follows */
  return g_object_ref (g_ptr_array_index (page->items, offset));
}

static void
kehu_record_model_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = kehu_record_model_get_item_type;
  iface->get_n_items = kehu_record_model_get_n_items;
  iface->get_item = kehu_record_model_get_item;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CountJob, count_job_free)

static void
kehu_record_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KehuRecordModel *self = KEHU_RECORD_MODEL (object);

  switch (prop_id)
    {
    case PROP_COUNTING:
      g_value_set_boolean (value, self->counting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_record_model_dispose (GObject *object)
{
  KehuRecordModel *self = (KehuRecordModel *)object;

  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);

  G_OBJECT_CLASS (kehu_record_model_parent_class)->dispose (object);
}

static void
kehu_record_model_finalize (GObject *object)
{
  KehuRecordModel *self = (KehuRecordModel *)object;

  g_strfreev (self->total_fields);
  g_hash_table_unref (self->totals);

  clear_pages (self);
  g_hash_table_unref (self->pages);
  g_clear_pointer (&self->columns, g_hash_table_unref);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->base, kehu_list_query_free);
  g_clear_pointer (&self->query, kehu_list_query_free);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_free (self->select_sql);
  g_free (self->where_sql);
  g_free (self->sort_sql);
  g_free (self->user_id);
  g_free (self->scope_owners);
  g_free (self->scope_user);
  g_free (self->table);
  g_clear_object (&self->schema);

  G_OBJECT_CLASS (kehu_record_model_parent_class)->finalize (object);
}

static void
kehu_record_model_class_init (KehuRecordModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kehu_record_model_dispose;
  object_class->finalize = kehu_record_model_finalize;
  object_class->get_property = kehu_record_model_get_property;

  properties[PROP_COUNTING] =
    g_param_spec_boolean ("counting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kehu_record_model_init (KehuRecordModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  self->totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sync_count_max = SYNC_COUNT_MAX_ROWS;
  self->query = kehu_list_query_new ();
}

KehuRecordModel *
kehu_record_model_new (KehuSchema *schema,
                       const char *module)
{
  KehuRecordModel *self;

  g_return_val_if_fail (KEHU_IS_SCHEMA (schema), NULL);

  self = g_object_new (KEHU_TYPE_RECORD_MODEL, NULL);
  self->schema = g_object_ref (schema);
  self->module = kehu_schema_get_module (schema, module);
  g_return_val_if_fail (self->module != NULL, self);
  self->table = g_strdup (kehu_module_get_name (self->module));
  return self;
}

const KehuModule *
kehu_record_model_get_module (KehuRecordModel *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);
  return self->module;
}

KehuSchema *
kehu_record_model_get_schema (KehuRecordModel *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);
  return self->schema;
}

void
kehu_record_model_set_base (KehuRecordModel     *self,
                            const KehuListQuery *base)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_clear_pointer (&self->base, kehu_list_query_free);
  self->base = base ? kehu_list_query_copy (base) : NULL;
}

void
kehu_record_model_set_user (KehuRecordModel *self,
                            const char      *user_id)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
}

void
kehu_record_model_set_scope (KehuRecordModel *self,
                             const char      *owner_ids_json,
                             const char      *user_id)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_free (self->scope_owners);
  g_free (self->scope_user);
  self->scope_owners = g_strdup (owner_ids_json);
  self->scope_user = g_strdup (user_id);
}

void
kehu_record_model_set_now (KehuRecordModel *self,
                           GDateTime       *now)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
}

gboolean
kehu_record_model_set_query (KehuRecordModel      *self,
                             const KehuListQuery  *query,
                             GError              **error)
{
  KehuListQuery *old;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);

  old = self->query;
  self->query = kehu_list_query_copy (query);
  if (!kehu_record_model_reload (self, error))
    {
      /* Keep showing what was there. */
      kehu_list_query_free (self->query);
      self->query = old;
      kehu_record_model_reload (self, NULL);
      return FALSE;
    }
  kehu_list_query_free (old);
  return TRUE;
}

const KehuListQuery *
kehu_record_model_get_query (KehuRecordModel *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);
  return self->query;
}

gboolean
kehu_record_model_reload (KehuRecordModel  *self,
                          GError          **error)
{
  g_autoptr(CountJob) job = NULL;
  guint old_n = self->n_items;
  guint n;
  Page *first;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);

  if (!build_query (self, error))
    return FALSE;

  self->generation++;
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);

  job = g_new0 (CountJob, 1);
  job->sql = build_count_sql (self);
  job->params = g_ptr_array_ref (self->params);
  job->n_totals = self->total_fields ? g_strv_length (self->total_fields) : 0;
  job->results = g_new0 (gint64, job->n_totals + 1);

  clear_pages (self);

  if (estimate_rows (self) <= self->sync_count_max)
    {
      if (!run_count (get_db (self), job, error))
        return FALSE;
      n = (guint) job->results[0];
      set_totals (self, job->results);
      self->counting = FALSE;
    }
  else
    {
      /* The first page now, the count and totals when the thread has them. */
      g_autoptr(GTask) task = NULL;

      first = get_page (self, 0);
      n = first->items->len;
      self->counting = n == KEHU_RECORD_MODEL_PAGE_SIZE;
      if (self->counting)
        {
          self->count_cancellable = g_cancellable_new ();
          job->path = g_strdup (kehu_store_get_path (kehu_schema_get_store (self->schema)));
          task = g_task_new (self, self->count_cancellable, count_done_cb, GUINT_TO_POINTER (self->generation));
          g_task_set_source_tag (task, kehu_record_model_reload);
          g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) count_job_free);
          g_task_run_in_thread (task, count_thread);
        }
      else if (!run_count (get_db (self), job, error))
        return FALSE;
      else
        set_totals (self, job->results);
    }

  /* Two signals, not one: GTK 4.8's list item manager looks up every
   * added item among the removed ones to reuse their rows, which would read
   * the whole table. Removing everything first leaves nothing to match. */
  self->n_items = 0;
  if (old_n != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);
  self->n_items = n;
  if (n != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
  return TRUE;
}

void
kehu_record_model_set_total_fields (KehuRecordModel    *self,
                                    const char * const *fields)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_strfreev (self->total_fields);
  self->total_fields = NULL;
  if (fields != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      for (guint i = 0; fields[i]; i++)
        {
          const KehuField *field = kehu_module_lookup_field (self->module, fields[i]);
          if (field != NULL && kehu_field_type_is_numeric (field->type))
            g_strv_builder_add (builder, fields[i]);
        }
      self->total_fields = g_strv_builder_end (builder);
    }
}

gboolean
kehu_record_model_get_counting (KehuRecordModel *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);
  return self->counting;
}

gboolean
kehu_record_model_get_total (KehuRecordModel *self,
                             const char      *field,
                             gint64          *sum)
{
  gint64 *value;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);

  value = g_hash_table_lookup (self->totals, field);
  if (value == NULL || self->counting)
    return FALSE;
  *sum = *value;
  return TRUE;
}

gboolean
kehu_record_model_sum (KehuRecordModel  *self,
                       const char       *field_name,
                       gint64           *sum,
                       GError          **error)
{
  const KehuField *field;
  g_autofree char *expr = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);

  field = kehu_module_lookup_field (self->module, field_name);
  if (field == NULL || !kehu_field_type_is_numeric (field->type))
    {
      g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s have no number field “%s” to add up"),
                   kehu_module_get_plural (self->module), field_name);
      return FALSE;
    }
  expr = kehu_field_get_sql (field);
  /* sum() of integers is exact (total() would be a float): money needs it. */
  sql = g_strdup_printf ("SELECT coalesce (sum (%s), 0) FROM %s AS t %s", expr, self->table, self->where_sql);

  if (sqlite3_prepare_v2 (get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    return set_db_error (self, error);
  bind_params (stmt, self->params, 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *sum = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (kehu_schema_get_store (self->schema), rc, error);
  return TRUE;
}

GPtrArray *
kehu_record_model_dup_all_ids (KehuRecordModel  *self,
                               GError          **error)
{
  const char *dir = self->sort_desc ? " DESC" : "";
  g_autofree char *sql = g_strdup_printf ("SELECT t.id FROM %s AS t %s ORDER BY %s%s, t.id%s",
                                          self->table, self->where_sql, self->sort_sql, dir, dir);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return NULL;
    }
  bind_params (stmt, self->params, 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (kehu_schema_get_store (self->schema), rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

struct _KehuRecordModelIter
{
  KehuRecordModel *model;
  sqlite3_stmt    *stmt;
  /* A snapshot of what the rows need, so that a worker thread never reads
   * the model (kehu_record_model_iter_new_on ()). */
  KehuStore       *store;
  const char      *module;
  GHashTable      *columns;
  guint            n_columns;
  sqlite3_stmt    *count_stmt;
};

KehuRecordModelIter *
kehu_record_model_iter_new (KehuRecordModel  *self,
                            GError          **error)
{
  const char *dir = self->sort_desc ? " DESC" : "";
  g_autofree char *sql = g_strdup_printf ("%s %s ORDER BY %s%s, t.id%s",
                                          self->select_sql, self->where_sql, self->sort_sql, dir, dir);
  KehuRecordModelIter *iter;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);

  if (sqlite3_prepare_v2 (get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return NULL;
    }
  bind_params (stmt, self->params, 1);
  iter = g_new0 (KehuRecordModelIter, 1);
  iter->model = g_object_ref (self);
  iter->stmt = stmt;
  iter->store = g_object_ref (kehu_schema_get_store (self->schema));
  iter->module = g_intern_string (kehu_module_get_name (self->module));
  iter->columns = g_hash_table_ref (self->columns);
  iter->n_columns = self->n_columns;
  return iter;
}

KehuRecordItem *
kehu_record_model_iter_next (KehuRecordModelIter  *iter,
                             GError              **error)
{
  char **values;
  int rc;

  rc = sqlite3_step (iter->stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        kehu_store_set_error_from_db (iter->store, rc, error);
      return NULL;
    }
  values = g_new0 (char *, iter->n_columns);
  for (guint c = 0; c < iter->n_columns; c++)
    values[c] = g_strdup ((const char *) sqlite3_column_text (iter->stmt, (int) c));
  return kehu_record_item_new (iter->module, iter->columns, values, iter->n_columns);
}

void
kehu_record_model_iter_free (KehuRecordModelIter *iter)
{
  if (iter == NULL)
    return;
  sqlite3_finalize (iter->stmt);
  sqlite3_finalize (iter->count_stmt);
  g_clear_object (&iter->model);
  g_clear_object (&iter->store);
  g_clear_pointer (&iter->columns, g_hash_table_unref);
  g_free (iter);
}

void
kehu_record_model_set_sync_count_max (KehuRecordModel *self,
                                      gint64           max_rows)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));
  self->sync_count_max = max_rows;
}

guint
kehu_record_model_get_n_loaded_pages (KehuRecordModel *self)
{
  return self->n_loaded;
}

/**
 * kehu_record_model_iter_new_on:
 * @store: another connection to the model's database file
 *
 * The rows of kehu_record_model_iter_new () read through @store, for a
 * worker thread: the query is copied now (call it on the main thread),
 * and nothing of the model is touched afterwards. The row count is
 * prepared too, for kehu_record_model_iter_count ().
 */
KehuRecordModelIter *
kehu_record_model_iter_new_on (KehuRecordModel  *self,
                               KehuStore        *store,
                               GError          **error)
{
  const char *dir = self->sort_desc ? " DESC" : "";
  g_autofree char *sql = g_strdup_printf ("%s %s ORDER BY %s%s, t.id%s",
                                          self->select_sql, self->where_sql, self->sort_sql, dir, dir);
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s AS t %s", self->table, self->where_sql);
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *count_stmt = NULL;
  KehuRecordModelIter *iter;
  int rc;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);

  if ((rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, count_sql, -1, &count_stmt, NULL)) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  bind_params (stmt, self->params, 1);
  bind_params (count_stmt, self->params, 1);
  iter = g_new0 (KehuRecordModelIter, 1);
  iter->stmt = stmt;
  iter->count_stmt = count_stmt;
  iter->store = g_object_ref (store);
  iter->module = g_intern_string (kehu_module_get_name (self->module));
  iter->columns = g_hash_table_ref (self->columns);
  iter->n_columns = self->n_columns;
  return iter;
}

/* The number of rows of an iterator made by kehu_record_model_iter_new_on (),
 * or -1 with @error set. */
gint64
kehu_record_model_iter_count (KehuRecordModelIter  *iter,
                              GError              **error)
{
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (iter->count_stmt != NULL, -1);

  sqlite3_reset (iter->count_stmt);
  rc = sqlite3_step (iter->count_stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (iter->count_stmt, 0);
  else
    kehu_store_set_error_from_db (iter->store, rc, error);
  sqlite3_reset (iter->count_stmt);
  return n;
}
