/* kehu-query.h: filtered, sorted, keyset-paged lists of records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record.h"

G_BEGIN_DECLS

#define KEHU_QUERY_ERROR (kehu_query_error_quark ())

typedef enum
{
  KEHU_QUERY_ERROR_UNKNOWN_FIELD,
  KEHU_QUERY_ERROR_UNKNOWN_OPERATOR,
  KEHU_QUERY_ERROR_INVALID_VALUE,
  KEHU_QUERY_ERROR_NOT_SORTABLE,
  KEHU_QUERY_ERROR_INVALID_CURSOR,
  KEHU_QUERY_ERROR_INVALID_FILTER,
} KehuQueryError;

typedef enum
{
  KEHU_QUERY_LIVE,       /* the default: not in the recycle bin */
  KEHU_QUERY_DELETED,    /* the recycle bin view */
  KEHU_QUERY_ALL,
} KehuQueryDeleted;

/* Columns a list shows besides the record's own (kehu_query_set_extras()).
 * They come back as string members of each fetched row, null when absent:
 * "FIELD:label" the title of the record a user or reference field points
 * at; "sync:state" "pending" while the record has unsent changes in the
 * sync outbox, "claim" while a claim from the pool waits for the server. */
typedef enum
{
  KEHU_QUERY_EXTRA_NONE       = 0,
  KEHU_QUERY_EXTRA_LABELS     = 1 << 0,
  KEHU_QUERY_EXTRA_SYNC_STATE = 1 << 1,
} KehuQueryExtras;

/* Quick search: by default kehu_search_condition() (the FTS5 index of
 * migration 4: words, codes, pinyin, initials) for the modules it covers,
 * and a substring match over the searchable fields for the others. A
 * provider set with kehu_query_set_search_provider() comes first: it appends
 * to @sql an SQL boolean expression over the module's table and pushes one
 * string per "?" to @params, or returns FALSE to leave the module to the
 * defaults. */
typedef gboolean (*KehuSearchFunc) (const char *module,
                                    const char *text,
                                    GString    *sql,
                                    GPtrArray  *params,
                                    gpointer    user_data);

#define KEHU_TYPE_QUERY (kehu_query_get_type ())

G_DECLARE_FINAL_TYPE (KehuQuery, kehu_query, KEHU, QUERY, GObject)

GQuark          kehu_query_error_quark          (void);

void            kehu_query_set_search_provider  (KehuSearchFunc       func,
                                                 gpointer             user_data);

KehuQuery      *kehu_query_new                  (KehuContext         *ctx,
                                                 const char          *module,
                                                 GError             **error);
const KehuModule *kehu_query_get_module         (KehuQuery           *self);
KehuContext    *kehu_query_get_context          (KehuQuery           *self);
gboolean        kehu_query_add_condition        (KehuQuery           *self,
                                                 const char          *field,
                                                 const char          *op,
                                                 JsonNode            *value,
                                                 GError             **error);
gboolean        kehu_query_add_date_preset      (KehuQuery           *self,
                                                 const char          *field,
                                                 const char          *preset,
                                                 int                  n,
                                                 GError             **error);
gboolean        kehu_query_add_filter_json      (KehuQuery           *self,
                                                 JsonNode            *filter,
                                                 GError             **error);
gboolean        kehu_query_set_sort             (KehuQuery           *self,
                                                 const char          *field,
                                                 gboolean             descending,
                                                 GError             **error);
void            kehu_query_set_search           (KehuQuery           *self,
                                                 const char          *text);
void            kehu_query_restrict_to_owners   (KehuQuery           *self,
                                                 const char * const  *owner_ids,
                                                 const char          *team_user_id);
void            kehu_query_set_deleted          (KehuQuery           *self,
                                                 KehuQueryDeleted     deleted);
gboolean        kehu_query_add_date_between     (KehuQuery           *self,
                                                 const char          *field,
                                                 const char          *first_day,
                                                 const char          *last_day,
                                                 GError             **error);
void            kehu_query_set_extras           (KehuQuery           *self,
                                                 KehuQueryExtras      extras);
void            kehu_query_set_db               (KehuQuery           *self,
                                                 sqlite3             *db);

JsonArray      *kehu_query_fetch                (KehuQuery           *self,
                                                 const char          *after,
                                                 guint                limit,
                                                 char               **next,
                                                 GError             **error);
gint64          kehu_query_count                (KehuQuery           *self,
                                                 GError             **error);
JsonObject     *kehu_query_sums                 (KehuQuery           *self,
                                                 const char * const  *fields,
                                                 GError             **error);
JsonObject     *kehu_query_totals               (KehuQuery           *self,
                                                 const char * const  *fields,
                                                 gint64              *count,
                                                 GError             **error);
char           *kehu_query_cursor_for_row       (KehuQuery           *self,
                                                 JsonObject          *row);
char           *kehu_query_cursor_at            (KehuQuery           *self,
                                                 const char          *after,
                                                 gint64               offset,
                                                 gboolean             from_end,
                                                 GError             **error);

gboolean        kehu_query_date_range           (GDateTime           *now,
                                                 GTimeZone           *tz,
                                                 const char          *preset,
                                                 int                  n,
                                                 gboolean             dates,
                                                 char               **start,
                                                 char               **end,
                                                 GError             **error);

/* Streaming reads: the rows of the query, in its order, with only the
 * named columns, as typed SQLite values (no JSON, no paging): for exports
 * and other whole-list readers. Booleans are integers 0/1, JSON columns
 * (tags, multiple choices) their JSON text, custom fields their value in
 * "extra". Texts are valid until the next row. */
typedef enum
{
  KEHU_QUERY_VALUE_NULL,
  KEHU_QUERY_VALUE_INT,
  KEHU_QUERY_VALUE_DOUBLE,
  KEHU_QUERY_VALUE_TEXT,
} KehuQueryValueType;

typedef struct
{
  KehuQueryValueType  type;
  gint64              i;      /* INT */
  double              d;      /* DOUBLE */
  const char         *text;   /* TEXT */
} KehuQueryValue;

/* Return FALSE (with @error set, or without to stop early) to end the walk. */
typedef gboolean (*KehuQueryRowFunc) (const KehuQueryValue *values,
                                      guint                 n_values,
                                      gpointer              user_data,
                                      GError              **error);

typedef struct _KehuQueryRows KehuQueryRows;

KehuQueryRows  *kehu_query_rows_open            (KehuQuery           *self,
                                                 const char * const  *fields,
                                                 GError             **error);
const KehuQueryValue *kehu_query_rows_next      (KehuQueryRows       *rows,
                                                 GError             **error);
void            kehu_query_rows_free            (KehuQueryRows       *rows);
gboolean        kehu_query_foreach_row          (KehuQuery           *self,
                                                 const char * const  *fields,
                                                 KehuQueryRowFunc     func,
                                                 gpointer             user_data,
                                                 GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuQueryRows, kehu_query_rows_free)

G_END_DECLS
