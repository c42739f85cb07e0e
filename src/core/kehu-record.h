/* kehu-record.h: create, read, change and delete records of any module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-schema.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_RECORD_ERROR (kehu_record_error_quark ())

typedef enum
{
  KEHU_RECORD_ERROR_UNKNOWN_MODULE,
  KEHU_RECORD_ERROR_UNKNOWN_FIELD,
  KEHU_RECORD_ERROR_WRONG_TYPE,
  KEHU_RECORD_ERROR_REQUIRED,
  KEHU_RECORD_ERROR_NOT_IN_DICTIONARY,
  KEHU_RECORD_ERROR_BAD_DATE,
  KEHU_RECORD_ERROR_MISSING_REFERENCE,
  KEHU_RECORD_ERROR_DUPLICATE,
  KEHU_RECORD_ERROR_READ_ONLY,
  KEHU_RECORD_ERROR_NOT_FOUND,
  KEHU_RECORD_ERROR_DELETED,          /* the record is in the recycle bin */
  KEHU_RECORD_ERROR_NOT_DELETED,      /* restore/purge of a live record */
  KEHU_RECORD_ERROR_PARENT_GONE,      /* restore of a record whose parent was purged or deleted */
  KEHU_RECORD_ERROR_ALREADY_CONVERTED,
  KEHU_RECORD_ERROR_INVALID,          /* any other broken business rule */
} KehuRecordError;

GQuark       kehu_record_error_quark        (void);
/* The field a KEHU_RECORD_ERROR is about, or NULL (for the REST "field"). */
const char  *kehu_record_error_get_field    (const GError *error);

/* KehuContext: who acts, when, on which store. */
#define KEHU_TYPE_CONTEXT (kehu_context_get_type ())

G_DECLARE_FINAL_TYPE (KehuContext, kehu_context, KEHU, CONTEXT, GObject)

KehuContext *kehu_context_new               (KehuSchema   *schema,
                                             const char   *user_id);
KehuSchema  *kehu_context_get_schema        (KehuContext  *self);
KehuStore   *kehu_context_get_store         (KehuContext  *self);
const char  *kehu_context_get_user_id       (KehuContext  *self);
void         kehu_context_set_user_id       (KehuContext  *self,
                                             const char   *user_id);
/* A fixed "now" (tests, the server's request time); NULL reads the clock. */
void         kehu_context_set_now           (KehuContext  *self,
                                             GDateTime    *now);
GDateTime   *kehu_context_get_now           (KehuContext  *self);
char        *kehu_context_now_string        (KehuContext  *self);
void         kehu_context_set_time_zone     (KehuContext  *self,
                                             GTimeZone    *tz);
GTimeZone   *kehu_context_get_time_zone     (KehuContext  *self);
/* Server side: every write takes a new rev from sync_changes and records the
 * rev of each changed field in field_revs. */
void         kehu_context_set_assign_revs   (KehuContext  *self,
                                             gboolean      assign_revs);
gboolean     kehu_context_get_assign_revs   (KehuContext  *self);
/* Trusted writers (sync apply, pool jobs) may write read-only fields. */
void         kehu_context_set_trusted       (KehuContext  *self,
                                             gboolean      trusted);
gboolean     kehu_context_get_trusted       (KehuContext  *self);

/* Records are JsonObjects: column → value, money as integer cents, booleans
 * as true/false, JSON columns (tags, permissions…) as JSON arrays/objects,
 * and custom fields inside the member "extra" (an object). */
char        *kehu_record_create             (KehuContext  *ctx,
                                             const char   *module,
                                             JsonObject   *fields,
                                             GError      **error);
JsonObject  *kehu_record_get                (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             GError      **error);
gboolean     kehu_record_update             (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             JsonObject   *changes,
                                             GError      **error);
gboolean     kehu_record_delete             (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             GError      **error);
gboolean     kehu_record_restore            (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             GError      **error);
gboolean     kehu_record_purge              (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             GError      **error);
gboolean     kehu_record_set_revs           (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *id,
                                             gint64        rev,
                                             const char * const *fields,
                                             GError      **error);
gboolean     kehu_record_validate           (KehuContext  *ctx,
                                             const char   *module,
                                             JsonObject   *fields,
                                             gboolean      for_create,
                                             GError      **error);

/* Transactions that nest: the outermost is BEGIN IMMEDIATE, inner ones are
 * savepoints. Rules use them to make several record writes one. */
gboolean     kehu_context_begin             (KehuContext  *ctx,
                                             GError      **error);
gboolean     kehu_context_commit            (KehuContext  *ctx,
                                             GError      **error);
void         kehu_context_rollback          (KehuContext  *ctx);

/* Reads one row of @stmt (all columns) into a record object. */
JsonObject  *kehu_record_from_statement     (const KehuModule *module,
                                             sqlite3_stmt     *stmt);

G_END_DECLS
