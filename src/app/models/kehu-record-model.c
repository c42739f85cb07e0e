/* kehu-record-model.c: a lazy GListModel over one module's records
 *
 * The list's SQL is core's: the model turns its KehuListQuery (filters,
 * quick search, sort), the base conditions and the data scope into a
 * KehuQuery, and reads rows through a KehuRecordPager (keyset pages, an LRU
 * of them, jumps located in the index), so memory does not grow with the
 * table and the server's lists and the app's are one mechanism.
 *
 * Each page comes with the titles of the records its references point at
 * and its rows' sync state (unsent changes, a claim waiting for the server)
 * in the same statement: no query per row.
 *
 * The count and totals: on small tables at once; on big ones the first page
 * shows at once and the count and totals come from a thread, on a
 * connection of its own, cancelled (the statement interrupted) when the
 * query changes. A new query or reload replaces the whole range (see
 * kehu_record_model_reload() for why in two signals).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kehu-record-model.h"
#include "kehu-record-pager.h"
#include "kehu-search.h"

#define MAX_PAGES 24
/* Up to this many rows in the table the count is read at once; above, in a
 * thread, so that the first page shows before the count ends. */
#define SYNC_COUNT_MAX_ROWS 5000
/* Rows an export iterator reads at a time. */
#define ITER_PAGE_SIZE 256

struct _KehuRecordModel
{
  GObject           parent_instance;

  KehuSchema       *schema;
  const KehuModule *module;
  char             *table;

  KehuListQuery    *base;
  KehuListQuery    *query;
  char             *user_id;
  GStrv             scope_owners;  /* NULL: no restriction */
  char             *scope_user;
  GDateTime        *now;

  KehuQuery        *sql_query;     /* built from the above by reload() */
  KehuRecordPager  *pager;
  guint             n_queries;     /* of pagers replaced so far */
  GHashTable       *items;         /* position → KehuRecordItem, as many as the pager's pages */

  guint             n_items;
  gboolean          counting;
  gint64            sync_count_max;
  guint             generation;    /* of the query; stale counts are dropped */
  GCancellable     *count_cancellable;
  GStrv             total_fields;
  GHashTable       *totals;        /* field → gint64* */

  /* The last count and totals, for a query that differs only in its sort
   * while nothing was written: re-sorting a big list does not count again. */
  char             *counted_key;
  gint64            counted_version;
  gint64            counted;
  JsonObject       *counted_sums;
};

static void kehu_record_model_list_model_iface_init (GListModelInterface *iface);
static void remember_count (KehuRecordModel *self, const char *key, gint64 version,
                            gint64 count, JsonObject *sums);
static gboolean reload (KehuRecordModel *self, gboolean reuse_count, GError **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (KehuRecordModel, kehu_record_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      kehu_record_model_list_model_iface_init))

enum { PROP_0, PROP_COUNTING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static sqlite3 *
get_db (KehuRecordModel *self)
{
  return kehu_store_get_db (kehu_schema_get_store (self->schema));
}

/* A new KehuQuery for what the model shows now. Each thread gets its own:
 * a query is not shared between threads. */
static KehuQuery *
make_query (KehuRecordModel  *self,
            GError          **error)
{
  g_autoptr(KehuContext) ctx = kehu_context_new (self->schema, self->user_id);
  g_autoptr(KehuQuery) query = NULL;
  const char *sort_field;
  gboolean desc = FALSE;

  if (self->now != NULL)
    {
      /* The presets are computed in the zone of the "now" given. */
      kehu_context_set_now (ctx, self->now);
      kehu_context_set_time_zone (ctx, g_date_time_get_timezone (self->now));
    }
  if (!(query = kehu_query_new (ctx, self->table, error)))
    return NULL;
  if (self->base != NULL && !kehu_list_query_apply (self->base, query, error))
    return NULL;
  if (!kehu_list_query_apply (self->query, query, error))
    return NULL;
  sort_field = kehu_list_query_get_sort (self->query, &desc);
  if (sort_field != NULL && !kehu_query_set_sort (query, sort_field, desc, error))
    return NULL;
  if (self->scope_owners != NULL)
    kehu_query_restrict_to_owners (query, (const char * const *) self->scope_owners, self->scope_user);
  kehu_query_set_extras (query, KEHU_QUERY_EXTRA_LABELS | KEHU_QUERY_EXTRA_SYNC_STATE);
  return g_steal_pointer (&query);
}

/* Count and totals ------------------------------------------------------------ */

typedef struct
{
  KehuQuery *query;      /* the thread's own */
  char      *path;
  GStrv      fields;
  gint64     count;
  JsonObject *sums;
  char      *key;        /* count_key() when it started */
  gint64     version;    /* data_version() when it started */
} CountJob;

static void
count_job_free (CountJob *job)
{
  g_clear_object (&job->query);
  g_free (job->path);
  g_strfreev (job->fields);
  g_clear_pointer (&job->sums, json_object_unref);
  g_free (job->key);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CountJob, count_job_free)

static gboolean
run_count (CountJob  *job,
           GError   **error)
{
  const char *none[] = { NULL };

  /* The count and the totals row in one pass over the rows (or an index). */
  job->sums = kehu_query_totals (job->query, job->fields ? (const char * const *) job->fields : none,
                                 &job->count, error);
  return job->sums != NULL;
}

/* Stops a statement of a query that changed meanwhile. */
static int
progress_cb (void *user_data)
{
  return g_cancellable_is_cancelled (user_data);
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
  gboolean ok;

  /* A connection of its own: WAL lets it read while the UI's writes go on. */
  if (sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_task_return_new_error (task, KEHU_STORE_ERROR, KEHU_STORE_ERROR_OPEN, "%s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  kehu_search_register_functions (db);
  sqlite3_progress_handler (db, 10000, progress_cb, cancellable);
  kehu_query_set_db (job->query, db);
  ok = run_count (job, &error);
  kehu_query_set_db (job->query, NULL);
  sqlite3_close (db);
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    ok = FALSE;
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
set_totals (KehuRecordModel *self,
            JsonObject      *sums)
{
  g_hash_table_remove_all (self->totals);
  for (guint i = 0; sums && self->total_fields && self->total_fields[i]; i++)
    {
      gint64 value = json_object_get_int_member_with_default (sums, self->total_fields[i], 0);
      g_hash_table_insert (self->totals, g_strdup (self->total_fields[i]), g_memdup2 (&value, sizeof value));
    }
}

static void
set_n_items (KehuRecordModel *self,
             guint            n)
{
  guint old = self->n_items;

  if (n > old)
    {
      self->n_items = n;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
    }
  else if (n < old)
    {
      /* Rows went away between the first page and the count. */
      self->n_items = n;
      g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
    }
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

  kehu_record_pager_set_count (self->pager, job->count);
  set_totals (self, job->sums);
  remember_count (self, job->key, job->version, job->count, job->sums);
  self->counting = FALSE;
  set_n_items (self, (guint) MIN (job->count, G_MAXUINT));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

/* What the count depends on: everything but the sort. */
static char *
count_key (KehuRecordModel *self)
{
  g_autofree char *filters = kehu_list_query_filters_to_json (self->query);
  g_autofree char *base = self->base ? kehu_list_query_filters_to_json (self->base) : NULL;
  g_autofree char *owners = self->scope_owners ? g_strjoinv ("\x1f", self->scope_owners) : NULL;
  g_autofree char *fields = self->total_fields ? g_strjoinv ("\x1f", self->total_fields) : NULL;
  g_autoptr(GDateTime) now = self->now ? g_date_time_ref (self->now) : g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%F");

  /* The day: date presets move at midnight. */
  return g_strjoin ("\x1e", filters, kehu_list_query_get_search (self->query) ? kehu_list_query_get_search (self->query) : "",
                    base ? base : "", owners ? owners : "-", self->scope_user ? self->scope_user : "",
                    self->user_id ? self->user_id : "", fields ? fields : "", day, NULL);
}

/* Changes when this connection or another one wrote to the database. */
static gint64
data_version (KehuRecordModel *self)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;

  if (sqlite3_prepare_v2 (get_db (self), "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0) * 1000000007 + sqlite3_total_changes64 (get_db (self));
  sqlite3_finalize (stmt);
  return version;
}

static void
remember_count (KehuRecordModel *self,
                const char      *key,
                gint64           version,
                gint64           count,
                JsonObject      *sums)
{
  g_free (self->counted_key);
  self->counted_key = g_strdup (key);
  self->counted_version = version;
  self->counted = count;
  g_clear_pointer (&self->counted_sums, json_object_unref);
  self->counted_sums = sums ? json_object_ref (sums) : NULL;
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

/* GListModel ------------------------------------------------------------------- */

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
  g_autoptr(JsonObject) row = NULL;
  KehuRecordItem *item;

  if (position >= self->n_items || self->pager == NULL)
    return NULL;
  /* The same item for a position while it is cached: views may compare. */
  if ((item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position))))
    return g_object_ref (item);
  /* NULL when rows were deleted under us; a reload follows. */
  if (!(row = kehu_record_pager_get_item (self->pager, position)))
    return NULL;
  if (g_hash_table_size (self->items) >= MAX_PAGES * KEHU_RECORD_MODEL_PAGE_SIZE)
    g_hash_table_remove_all (self->items);
  item = kehu_record_item_new (self->table, row);
  g_hash_table_insert (self->items, GUINT_TO_POINTER (position), item);
  return g_object_ref (item);
}

static void
kehu_record_model_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = kehu_record_model_get_item_type;
  iface->get_n_items = kehu_record_model_get_n_items;
  iface->get_item = kehu_record_model_get_item;
}

/* GObject ------------------------------------------------------------------------ */

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
  g_hash_table_unref (self->items);
  g_clear_object (&self->pager);
  g_clear_object (&self->sql_query);
  g_clear_pointer (&self->base, kehu_list_query_free);
  g_clear_pointer (&self->query, kehu_list_query_free);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_strfreev (self->scope_owners);
  g_free (self->counted_key);
  g_clear_pointer (&self->counted_sums, json_object_unref);
  g_free (self->user_id);
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
  self->totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->items = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->sync_count_max = SYNC_COUNT_MAX_ROWS;
  self->query = kehu_list_query_new ();
}

/* Public API ---------------------------------------------------------------------- */

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
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GStrvBuilder) owners = g_strv_builder_new ();

  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));

  g_clear_pointer (&self->scope_owners, g_strfreev);
  g_free (self->scope_user);
  self->scope_user = g_strdup (user_id);
  if (owner_ids_json == NULL)
    return;
  /* A scope that cannot be read shows nothing rather than everything. */
  node = json_from_string (owner_ids_json, NULL);
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *id = json_node_get_string (json_array_get_element (array, i));
          if (id != NULL)
            g_strv_builder_add (owners, id);
        }
    }
  self->scope_owners = g_strv_builder_end (owners);
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
  if (!reload (self, TRUE, error))
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

/* @reuse_count: keep the last count and totals when only the sort changed
 * and nothing was written (a new query); an explicit reload counts again. */
static gboolean
reload (KehuRecordModel  *self,
        gboolean          reuse_count,
        GError          **error)
{
  g_autoptr(KehuQuery) query = NULL;
  g_autoptr(CountJob) job = NULL;
  guint old_n = self->n_items;
  guint n = 0;

  if (!(query = make_query (self, error)))
    return FALSE;

  self->generation++;
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);

  if (self->pager != NULL)
    self->n_queries += kehu_record_pager_get_n_queries (self->pager);
  g_clear_object (&self->pager);
  g_hash_table_remove_all (self->items);
  g_set_object (&self->sql_query, query);
  self->pager = kehu_record_pager_new (query, KEHU_RECORD_MODEL_PAGE_SIZE);
  kehu_record_pager_set_max_pages (self->pager, MAX_PAGES);

  job = g_new0 (CountJob, 1);
  job->fields = g_strdupv (self->total_fields);
  job->key = count_key (self);
  job->version = data_version (self);

  if (reuse_count && self->counted_key != NULL && g_str_equal (self->counted_key, job->key) &&
      self->counted_version == job->version)
    {
      /* Only the sort changed, and no row: the same count and totals. */
      kehu_record_pager_set_count (self->pager, self->counted);
      n = (guint) MIN (self->counted, G_MAXUINT);
      set_totals (self, self->counted_sums);
      self->counting = FALSE;
    }
  else if (estimate_rows (self) <= self->sync_count_max)
    {
      job->query = g_object_ref (query);
      if (!run_count (job, error))
        return FALSE;
      kehu_record_pager_set_count (self->pager, job->count);
      n = (guint) MIN (job->count, G_MAXUINT);
      set_totals (self, job->sums);
      remember_count (self, job->key, job->version, job->count, job->sums);
      self->counting = FALSE;
    }
  else
    {
      /* The first page now, the count and totals when the thread has them. */
      for (n = 0; n < KEHU_RECORD_MODEL_PAGE_SIZE; n++)
        {
          g_autoptr(JsonObject) row = kehu_record_pager_get_item (self->pager, n);
          if (row == NULL)
            break;
        }
      self->counting = n == KEHU_RECORD_MODEL_PAGE_SIZE;
      if (self->counting)
        {
          g_autoptr(GTask) task = NULL;

          if (!(job->query = make_query (self, error)))
            return FALSE;
          self->count_cancellable = g_cancellable_new ();
          job->path = g_strdup (kehu_store_get_path (kehu_schema_get_store (self->schema)));
          task = g_task_new (self, self->count_cancellable, count_done_cb, GUINT_TO_POINTER (self->generation));
          g_task_set_source_tag (task, kehu_record_model_reload);
          g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) count_job_free);
          g_task_run_in_thread (task, count_thread);
        }
      else
        {
          /* All of it is in the first page: add up those rows' totals. */
          job->query = g_object_ref (query);
          kehu_record_pager_set_count (self->pager, n);
          if (!run_count (job, error))
            return FALSE;
          set_totals (self, job->sums);
          remember_count (self, job->key, job->version, job->count, job->sums);
        }
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

gboolean
kehu_record_model_reload (KehuRecordModel  *self,
                          GError          **error)
{
  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);
  return reload (self, FALSE, error);
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
  const char *fields[] = { field_name, NULL };
  g_autoptr(JsonObject) sums = NULL;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), FALSE);

  field = kehu_module_lookup_field (self->module, field_name);
  if (field == NULL || !kehu_field_type_is_numeric (field->type))
    {
      g_set_error (error, KEHU_LIST_QUERY_ERROR, KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
                   _("%s have no number field “%s” to add up"),
                   kehu_module_get_plural (self->module), field_name);
      return FALSE;
    }
  if (self->sql_query == NULL && !kehu_record_model_reload (self, error))
    return FALSE;
  if (!(sums = kehu_query_sums (self->sql_query, fields, error)))
    return FALSE;
  *sum = json_object_get_int_member_with_default (sums, field_name, 0);
  return TRUE;
}

/* Export and "select all" ------------------------------------------------------------ */

struct _KehuRecordModelIter
{
  KehuRecordModel *model;     /* NULL for kehu_record_model_iter_new_on () */
  KehuStore       *store;     /* the other connection of _new_on () */
  const char      *table;
  KehuQuery       *query;
  JsonArray       *rows;
  guint            next_row;
  char            *after;     /* cursor of the page after this one */
  gboolean         done;
};

KehuRecordModelIter *
kehu_record_model_iter_new (KehuRecordModel  *self,
                            GError          **error)
{
  g_autoptr(KehuQuery) query = NULL;
  KehuRecordModelIter *iter;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);

  if (!(query = make_query (self, error)))
    return NULL;
  iter = g_new0 (KehuRecordModelIter, 1);
  iter->model = g_object_ref (self);
  iter->table = g_intern_string (self->table);
  iter->query = g_steal_pointer (&query);
  return iter;
}

static JsonObject *
iter_next_row (KehuRecordModelIter  *iter,
               GError              **error)
{
  if (iter->rows == NULL || iter->next_row >= json_array_get_length (iter->rows))
    {
      g_autofree char *after = g_steal_pointer (&iter->after);

      g_clear_pointer (&iter->rows, json_array_unref);
      iter->next_row = 0;
      if (iter->done)
        return NULL;
      /* Keyset pages: one page held at a time, whatever the list's size. */
      iter->rows = kehu_query_fetch (iter->query, after, ITER_PAGE_SIZE, &iter->after, error);
      if (iter->rows == NULL)
        {
          iter->done = TRUE;
          return NULL;
        }
      iter->done = iter->after == NULL;
      if (json_array_get_length (iter->rows) == 0)
        return NULL;
    }
  return json_array_get_object_element (iter->rows, iter->next_row++);
}

KehuRecordItem *
kehu_record_model_iter_next (KehuRecordModelIter  *iter,
                             GError              **error)
{
  JsonObject *row = iter_next_row (iter, error);

  return row ? kehu_record_item_new (iter->table, row) : NULL;
}

void
kehu_record_model_iter_free (KehuRecordModelIter *iter)
{
  if (iter == NULL)
    return;
  g_clear_pointer (&iter->rows, json_array_unref);
  g_free (iter->after);
  g_object_unref (iter->query);
  g_clear_object (&iter->model);
  g_clear_object (&iter->store);
  g_free (iter);
}

GPtrArray *
kehu_record_model_dup_all_ids (KehuRecordModel  *self,
                               GError          **error)
{
  g_autoptr(KehuRecordModelIter) iter = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GError *local_error = NULL;
  JsonObject *row;

  if (!(iter = kehu_record_model_iter_new (self, error)))
    return NULL;
  kehu_query_set_extras (iter->query, KEHU_QUERY_EXTRA_NONE);
  while ((row = iter_next_row (iter, &local_error)))
    g_ptr_array_add (ids, g_strdup (json_object_get_string_member (row, "id")));
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

void
kehu_record_model_set_sync_count_max (KehuRecordModel *self,
                                      gint64           max_rows)
{
  g_return_if_fail (KEHU_IS_RECORD_MODEL (self));
  self->sync_count_max = max_rows;
}

/* Queries that read rows (pages and jumps), over every query so far. */
guint
kehu_record_model_get_n_loaded_pages (KehuRecordModel *self)
{
  return self->n_queries + (self->pager ? kehu_record_pager_get_n_queries (self->pager) : 0);
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
  g_autoptr(KehuQuery) query = NULL;
  KehuRecordModelIter *iter;

  g_return_val_if_fail (KEHU_IS_RECORD_MODEL (self), NULL);
  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (!(query = make_query (self, error)))
    return NULL;
  kehu_query_set_db (query, kehu_store_get_db (store));
  iter = g_new0 (KehuRecordModelIter, 1);
  iter->store = g_object_ref (store);
  iter->table = g_intern_string (self->table);
  iter->query = g_steal_pointer (&query);
  return iter;
}

/* The number of rows of an iterator made by kehu_record_model_iter_new_on (),
 * or -1 with @error set. */
gint64
kehu_record_model_iter_count (KehuRecordModelIter  *iter,
                              GError              **error)
{
  g_return_val_if_fail (iter != NULL, -1);

  return kehu_query_count (iter->query, error);
}
