/* kehu-record-private.h: what kehu-record.c shares with the rules and queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-record.h"

G_BEGIN_DECLS

typedef struct
{
  int     kind;   /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
  gint64  i;
  double  d;
  char   *s;
} KehuValue;

typedef struct _KehuChanges KehuChanges;

void         _kehu_value_clear          (KehuValue        *value);
void         _kehu_value_bind           (const KehuValue  *value,
                                         sqlite3_stmt     *stmt,
                                         int               index);
void         _kehu_value_from_column    (KehuValue        *value,
                                         sqlite3_stmt     *stmt,
                                         int               column);
gboolean     _kehu_value_equal          (const KehuValue  *a,
                                         const KehuValue  *b);
char        *_kehu_value_to_text        (const KehuValue  *value);
JsonNode    *_kehu_value_to_node        (const KehuField  *field,
                                         const KehuValue  *value);
gboolean     _kehu_value_from_node      (KehuContext      *ctx,
                                         const KehuModule *module,
                                         const KehuField  *field,
                                         JsonNode         *node,
                                         KehuValue        *out,
                                         GError          **error);

gboolean     _kehu_changes_has          (KehuChanges      *changes,
                                         const char       *column);
const KehuValue *_kehu_changes_get      (KehuChanges      *changes,
                                         const char       *column);
void         _kehu_changes_set_text     (KehuChanges      *changes,
                                         const char       *column,
                                         const char       *text);
void         _kehu_changes_set_int      (KehuChanges      *changes,
                                         const char       *column,
                                         gint64            value);
void         _kehu_changes_set_null     (KehuChanges      *changes,
                                         const char       *column);

void         _kehu_set_error            (GError          **error,
                                         KehuRecordError   code,
                                         const char       *field,
                                         const char       *format,
                                         ...) G_GNUC_PRINTF (4, 5);

/* Small statement helpers: ?1… are bound from the NULL-terminated strings. */
gboolean     _kehu_exec                 (KehuContext      *ctx,
                                         GError          **error,
                                         const char       *sql,
                                         ...) G_GNUC_NULL_TERMINATED;
gint64       _kehu_query_int            (KehuContext      *ctx,
                                         gint64            fallback,
                                         const char       *sql,
                                         ...) G_GNUC_NULL_TERMINATED;
char        *_kehu_query_text           (KehuContext      *ctx,
                                         const char       *sql,
                                         ...) G_GNUC_NULL_TERMINATED;
gboolean     _kehu_oplog                (KehuContext      *ctx,
                                         const char       *module,
                                         const char       *record_id,
                                         const char       *action,
                                         const char       *field,
                                         const char       *old_value,
                                         const char       *new_value,
                                         GError          **error);
JsonObject  *_kehu_record_read          (KehuContext      *ctx,
                                         const KehuModule *module,
                                         const char       *id,
                                         gboolean          with_hidden);

gboolean     _kehu_record_bump_rev      (KehuContext      *ctx,
                                         const char       *module,
                                         const char       *id,
                                         GError          **error);
gboolean     _kehu_record_update_full   (KehuContext      *ctx,
                                         const char       *module,
                                         const char       *id,
                                         JsonObject       *fields,
                                         const char       *action,
                                         GError          **error);

/* The client's outbox (kehu-sync.c). */
gboolean     _kehu_context_outbox_active   (KehuContext      *ctx);
gboolean     _kehu_context_outbox_takes_action (KehuContext  *ctx);
void         _kehu_context_suppress_outbox (KehuContext      *ctx,
                                            gboolean          suppress);
gboolean     _kehu_sync_outbox_append   (KehuContext      *ctx,
                                         const char       *module,
                                         const char       *record_id,
                                         const char       *kind,
                                         const char       *action,
                                         JsonObject       *fields,
                                         gint64            base_rev,
                                         GError          **error);

/* Rules hooks (kehu-rules.c), run inside the write's transaction. */
gboolean     _kehu_rules_before_write   (KehuContext      *ctx,
                                         const KehuModule *module,
                                         const char       *id,
                                         JsonObject       *old_row,
                                         KehuChanges      *changes,
                                         GError          **error);
gboolean     _kehu_rules_after_write    (KehuContext      *ctx,
                                         const KehuModule *module,
                                         const char       *id,
                                         JsonObject       *old_row,
                                         JsonObject       *new_row,
                                         GError          **error);

G_END_DECLS
