/* kehu-list-query.h: what a list shows — filters, quick search and sort
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-query.h"
#include "kehu-schema.h"

G_BEGIN_DECLS

#define KEHU_LIST_QUERY_ERROR (kehu_list_query_error_quark ())

typedef enum
{
  KEHU_LIST_QUERY_ERROR_UNKNOWN_FIELD,
  KEHU_LIST_QUERY_ERROR_INVALID_VALUE,
} KehuListQueryError;

typedef enum
{
  KEHU_FILTER_CONTAINS,      /* text: values[0] is a substring */
  KEHU_FILTER_IN,            /* choice, enum, user, reference: one of values */
  KEHU_FILTER_RANGE,         /* number, money (cents): values[0] min, values[1] max, "" = open */
  KEHU_FILTER_DATE,          /* date, datetime: values[0] a preset, see below */
  KEHU_FILTER_EMPTY,
  KEHU_FILTER_NOT_EMPTY,
  KEHU_FILTER_EQUALS,        /* boolean and exact values */
} KehuFilterOp;

/* Date presets (values[0]): the presets of kehu-query.c ("today",
 * "this_week" from Monday, "this_month", "this_quarter", "this_year", …),
 * "last_days" (values[1] = N: today and the N-1 days before),
 * "before_days" (values[1] = N: before those days, or never — "not followed
 * up for N days") and "range" (values[1] first day, values[2] last day,
 * "YYYY-MM-DD", either may be ""). */

/* Placeholders a value may hold, resolved when the query is built:
 * "$me" the current user, "$team" the users of the current user's department. */
#define KEHU_FILTER_ME   "$me"
#define KEHU_FILTER_TEAM "$team"

typedef struct
{
  char          *field;
  KehuFilterOp   op;
  GStrv          values;
} KehuFilter;

typedef struct _KehuListQuery KehuListQuery;

#define KEHU_TYPE_LIST_QUERY (kehu_list_query_get_type ())

GType            kehu_list_query_get_type      (void) G_GNUC_CONST;
GQuark           kehu_list_query_error_quark   (void);

KehuListQuery   *kehu_list_query_new           (void);
KehuListQuery   *kehu_list_query_copy          (const KehuListQuery *self);
void             kehu_list_query_free          (KehuListQuery       *self);
gboolean         kehu_list_query_equal         (const KehuListQuery *a,
                                                const KehuListQuery *b);

void             kehu_list_query_add_filter    (KehuListQuery       *self,
                                                const char          *field,
                                                KehuFilterOp         op,
                                                const char * const  *values);
void             kehu_list_query_remove_filter (KehuListQuery       *self,
                                                guint                index);
void             kehu_list_query_clear_filters (KehuListQuery       *self);
guint            kehu_list_query_get_n_filters (const KehuListQuery *self);
const KehuFilter *kehu_list_query_get_filter   (const KehuListQuery *self,
                                                guint                index);

void             kehu_list_query_set_search    (KehuListQuery       *self,
                                                const char          *text);
const char      *kehu_list_query_get_search    (const KehuListQuery *self);
void             kehu_list_query_set_sort      (KehuListQuery       *self,
                                                const char          *field,
                                                gboolean             descending);
const char      *kehu_list_query_get_sort      (const KehuListQuery *self,
                                                gboolean            *descending);

/* Filters as JSON (the scenes table's filter column):
 * [{"field":"level","op":"in","values":["vip"]}, …] */
char            *kehu_list_query_filters_to_json   (const KehuListQuery *self);
gboolean         kehu_list_query_filters_from_json (KehuListQuery       *self,
                                                    const char          *json,
                                                    GError             **error);

/* Adds the filters and the quick search to @query (core's KehuQuery, which
 * builds every list's SQL: the app's lists, the server's and exports).
 * "$me" is @query's context's user; "$team" that user's department. The
 * sort is not applied: see kehu_record_model_set_query(). */
gboolean         kehu_list_query_apply         (const KehuListQuery   *self,
                                                KehuQuery             *query,
                                                GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuListQuery, kehu_list_query_free)

G_END_DECLS
