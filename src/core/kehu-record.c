/* kehu-record.c: create, read, change and delete records of any module
 *
 * The one write path for records: it validates against the schema
 * description (kehu-schema.c), runs the business rules (kehu-rules.c) that
 * keep derived values consistent, writes the operation log in the same
 * transaction, and on the server assigns revs for sync.
 *
 * Record representation (JsonObject): one member per column; money is
 * integer cents, booleans true/false, JSON columns (tags, permissions,
 * multi-choice values) real JSON arrays/objects; custom fields live in the
 * member "extra" (an object: name → value), exactly as stored. On update,
 * only the members given change; in "extra" a member set to null removes the
 * custom value and members not given are kept.
 *
 * Operation log: create and delete/restore/purge write one row each (field
 * NULL; create's new_value is the record's title); an update writes one row
 * per changed field with the old and new stored value as text (custom fields
 * by their name). Derived totals kept by the rules are not logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-record"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-record-private.h"
#include "kehu-sync.h"

/* Errors ------------------------------------------------------------------------ */

typedef struct
{
  char *field;
} KehuRecordErrorPrivate;

static void
kehu_record_error_private_init (KehuRecordErrorPrivate *priv)
{
  priv->field = NULL;
}

static void
kehu_record_error_private_copy (const KehuRecordErrorPrivate *src,
                                KehuRecordErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
}

static void
kehu_record_error_private_clear (KehuRecordErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
}

G_DEFINE_EXTENDED_ERROR (KehuRecordError, kehu_record_error)

const char *
kehu_record_error_get_field (const GError *error)
{
  KehuRecordErrorPrivate *priv;

  if (error == NULL || error->domain != KEHU_RECORD_ERROR)
    return NULL;
  priv = kehu_record_error_get_private (error);
  return priv ? priv->field : NULL;
}

void
_kehu_set_error (GError          **error,
                 KehuRecordError   code,
                 const char       *field,
                 const char       *format,
                 ...)
{
  va_list args;
  g_autofree char *message = NULL;
  GError *new_error;

  if (error == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  new_error = g_error_new_literal (KEHU_RECORD_ERROR, code, message);
  if (field)
    kehu_record_error_get_private (new_error)->field = g_strdup (field);
  g_propagate_error (error, new_error);
}

/* Context ------------------------------------------------------------------------- */

struct _KehuContext
{
  GObject     parent_instance;

  KehuSchema *schema;
  char       *user_id;
  GDateTime  *now;
  GTimeZone  *tz;
  gboolean    assign_revs;
  gboolean    trusted;
  gboolean    outbox;          /* a client cache: queue changes for the server */
  int         op_depth;        /* record writes in progress (rules nest them) */
  int         outbox_suppress; /* writes queued by the caller as one action */
  GArray     *tx_stack;   /* gboolean: TRUE = savepoint */
};

G_DEFINE_FINAL_TYPE (KehuContext, kehu_context, G_TYPE_OBJECT)

static void
kehu_context_finalize (GObject *object)
{
  KehuContext *self = (KehuContext *)object;

  g_clear_object (&self->schema);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->tx_stack, g_array_unref);

  G_OBJECT_CLASS (kehu_context_parent_class)->finalize (object);
}

static void
kehu_context_class_init (KehuContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kehu_context_finalize;
}

static void
kehu_context_init (KehuContext *self)
{
  self->tx_stack = g_array_new (FALSE, FALSE, sizeof (gboolean));
}

/**
 * kehu_context_new:
 * @schema: the schema of the store to work on
 * @user_id: (nullable): the acting user (created_by, oplog)
 *
 * Returns: (transfer full): a context reading the clock in the local time zone
 */
KehuContext *
kehu_context_new (KehuSchema *schema,
                  const char *user_id)
{
  KehuContext *self = g_object_new (KEHU_TYPE_CONTEXT, NULL);

  self->schema = g_object_ref (schema);
  self->user_id = g_strdup (user_id);
  self->tz = g_time_zone_new_local ();
  /* Every context on a client cache queues its changes for the server. */
  self->outbox = kehu_sync_store_is_cache (kehu_schema_get_store (schema));
  return self;
}

KehuSchema *
kehu_context_get_schema (KehuContext *self)
{
  return self->schema;
}

KehuStore *
kehu_context_get_store (KehuContext *self)
{
  return kehu_schema_get_store (self->schema);
}

const char *
kehu_context_get_user_id (KehuContext *self)
{
  return self->user_id;
}

void
kehu_context_set_user_id (KehuContext *self,
                          const char  *user_id)
{
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
}

void
kehu_context_set_now (KehuContext *self,
                      GDateTime   *now)
{
  g_clear_pointer (&self->now, g_date_time_unref);
  if (now)
    self->now = g_date_time_to_utc (now);
}

/* Returns: (transfer full) */
GDateTime *
kehu_context_get_now (KehuContext *self)
{
  if (self->now)
    return g_date_time_ref (self->now);
  return g_date_time_new_now_utc ();
}

char *
kehu_context_now_string (KehuContext *self)
{
  g_autoptr(GDateTime) now = kehu_context_get_now (self);
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

void
kehu_context_set_time_zone (KehuContext *self,
                            GTimeZone   *tz)
{
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = tz ? g_time_zone_ref (tz) : g_time_zone_new_local ();
}

GTimeZone *
kehu_context_get_time_zone (KehuContext *self)
{
  return self->tz;
}

void
kehu_context_set_assign_revs (KehuContext *self,
                              gboolean     assign_revs)
{
  self->assign_revs = assign_revs;
}

gboolean
kehu_context_get_assign_revs (KehuContext *self)
{
  return self->assign_revs;
}

void
kehu_context_set_trusted (KehuContext *self,
                          gboolean     trusted)
{
  self->trusted = trusted;
}

gboolean
kehu_context_get_trusted (KehuContext *self)
{
  return self->trusted;
}

void
kehu_context_set_outbox (KehuContext *self,
                         gboolean     outbox)
{
  self->outbox = outbox;
}

gboolean
kehu_context_get_outbox (KehuContext *self)
{
  return self->outbox;
}

/* Only the change the caller asked for is queued, not what the rules do
 * inside it: the server runs the same rules. */
gboolean
_kehu_context_outbox_active (KehuContext *self)
{
  return self->outbox && self->op_depth == 1 && self->outbox_suppress == 0;
}

/* A caller's own action on a client cache, outside any record write and
 * not already queued by a caller: it goes to the outbox as an action. */
gboolean
_kehu_context_outbox_takes_action (KehuContext *self)
{
  return self->outbox && self->op_depth == 0 && self->outbox_suppress == 0;
}

void
_kehu_context_suppress_outbox (KehuContext *self,
                               gboolean     suppress)
{
  self->outbox_suppress += suppress ? 1 : -1;
}

static sqlite3 *
ctx_db (KehuContext *ctx)
{
  return kehu_store_get_db (kehu_context_get_store (ctx));
}

gboolean
kehu_context_begin (KehuContext  *self,
                    GError      **error)
{
  KehuStore *store = kehu_context_get_store (self);
  gboolean savepoint = !sqlite3_get_autocommit (kehu_store_get_db (store));

  if (!kehu_store_exec (store, savepoint ? "SAVEPOINT kehu_record" : "BEGIN IMMEDIATE", error))
    return FALSE;
  g_array_append_val (self->tx_stack, savepoint);
  return TRUE;
}

gboolean
kehu_context_commit (KehuContext  *self,
                     GError      **error)
{
  gboolean savepoint;

  g_return_val_if_fail (self->tx_stack->len > 0, FALSE);
  savepoint = g_array_index (self->tx_stack, gboolean, self->tx_stack->len - 1);
  if (!kehu_store_exec (kehu_context_get_store (self), savepoint ? "RELEASE kehu_record" : "COMMIT", error))
    return FALSE;
  g_array_set_size (self->tx_stack, self->tx_stack->len - 1);
  return TRUE;
}

void
kehu_context_rollback (KehuContext *self)
{
  gboolean savepoint;
  sqlite3 *db = ctx_db (self);

  if (self->tx_stack->len == 0)
    return;
  savepoint = g_array_index (self->tx_stack, gboolean, self->tx_stack->len - 1);
  g_array_set_size (self->tx_stack, self->tx_stack->len - 1);
  if (savepoint)
    sqlite3_exec (db, "ROLLBACK TO kehu_record; RELEASE kehu_record", NULL, NULL, NULL);
  else if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/* Statement helpers ---------------------------------------------------------------- */

static sqlite3_stmt *
prepare_va (KehuContext *ctx,
            const char  *sql,
            va_list      args)
{
  sqlite3_stmt *stmt = NULL;
  const char *arg;
  int i = 1;

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_critical ("Bad SQL %s: %s", sql, sqlite3_errmsg (ctx_db (ctx)));
      return NULL;
    }
  while ((arg = va_arg (args, const char *)) != NULL)
    {
      /* "\1" binds NULL, since NULL ends the list. */
      if (arg[0] == '\1' && arg[1] == '\0')
        sqlite3_bind_null (stmt, i++);
      else
        sqlite3_bind_text (stmt, i++, arg, -1, SQLITE_TRANSIENT);
    }
  return stmt;
}

gboolean
_kehu_exec (KehuContext  *ctx,
            GError      **error,
            const char   *sql,
            ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  va_start (args, sql);
  stmt = prepare_va (ctx, sql, args);
  va_end (args);
  if (stmt == NULL)
    return kehu_store_set_error_from_db (kehu_context_get_store (ctx), SQLITE_ERROR, error);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
  return TRUE;
}

gint64
_kehu_query_int (KehuContext *ctx,
                 gint64       fallback,
                 const char  *sql,
                 ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  gint64 result = fallback;

  va_start (args, sql);
  stmt = prepare_va (ctx, sql, args);
  va_end (args);
  if (stmt && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    result = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return result;
}

char *
_kehu_query_text (KehuContext *ctx,
                  const char  *sql,
                  ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  char *result = NULL;

  va_start (args, sql);
  stmt = prepare_va (ctx, sql, args);
  va_end (args);
  if (stmt && sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

gboolean
_kehu_oplog (KehuContext  *ctx,
             const char   *module,
             const char   *record_id,
             const char   *action,
             const char   *field,
             const char   *old_value,
             const char   *new_value,
             GError      **error)
{
  g_autofree char *now = kehu_context_now_string (ctx);
  const char *nul = "\1";

  return _kehu_exec (ctx, error,
                     "INSERT INTO oplog (module, record_id, user_id, at, action, field, old_value, new_value)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                     module, record_id, ctx->user_id ? ctx->user_id : nul, now, action,
                     field ? field : nul, old_value ? old_value : nul, new_value ? new_value : nul, NULL);
}

/* Values ------------------------------------------------------------------------------ */

void
_kehu_value_clear (KehuValue *value)
{
  g_clear_pointer (&value->s, g_free);
  value->kind = SQLITE_NULL;
}

void
_kehu_value_bind (const KehuValue *value,
                  sqlite3_stmt    *stmt,
                  int              index)
{
  switch (value->kind)
    {
    case SQLITE_INTEGER:
      sqlite3_bind_int64 (stmt, index, value->i);
      break;
    case SQLITE_FLOAT:
      sqlite3_bind_double (stmt, index, value->d);
      break;
    case SQLITE_TEXT:
      sqlite3_bind_text (stmt, index, value->s, -1, SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_bind_null (stmt, index);
      break;
    }
}

void
_kehu_value_from_column (KehuValue    *value,
                         sqlite3_stmt *stmt,
                         int           column)
{
  _kehu_value_clear (value);
  value->kind = sqlite3_column_type (stmt, column);
  switch (value->kind)
    {
    case SQLITE_INTEGER:
      value->i = sqlite3_column_int64 (stmt, column);
      break;
    case SQLITE_FLOAT:
      value->d = sqlite3_column_double (stmt, column);
      break;
    case SQLITE_NULL:
      break;
    default:
      value->kind = SQLITE_TEXT;
      value->s = g_strdup ((const char *) sqlite3_column_text (stmt, column));
      break;
    }
}

gboolean
_kehu_value_equal (const KehuValue *a,
                   const KehuValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case SQLITE_INTEGER:
      return a->i == b->i;
    case SQLITE_FLOAT:
      return a->d == b->d;
    case SQLITE_TEXT:
      return g_strcmp0 (a->s, b->s) == 0;
    default:
      return TRUE;
    }
}

char *
_kehu_value_to_text (const KehuValue *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (value->kind)
    {
    case SQLITE_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, value->i);
    case SQLITE_FLOAT:
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, value->d));
    case SQLITE_TEXT:
      return g_strdup (value->s);
    default:
      return NULL;
    }
}

static gboolean
is_json_type (KehuFieldType type)
{
  return type == KEHU_FIELD_JSON || type == KEHU_FIELD_TAGS || type == KEHU_FIELD_MULTI_CHOICE;
}

JsonNode *
_kehu_value_to_node (const KehuField *field,
                     const KehuValue *value)
{
  JsonNode *node = json_node_alloc ();

  switch (value->kind)
    {
    case SQLITE_INTEGER:
      if (field && field->type == KEHU_FIELD_BOOLEAN)
        return json_node_init_boolean (node, value->i != 0);
      return json_node_init_int (node, value->i);
    case SQLITE_FLOAT:
      return json_node_init_double (node, value->d);
    case SQLITE_TEXT:
      if (field && is_json_type (field->type))
        {
          JsonNode *parsed = json_from_string (value->s, NULL);
          if (parsed)
            {
              json_node_unref (node);
              return parsed;
            }
        }
      return json_node_init_string (node, value->s);
    default:
      return json_node_init_null (node);
    }
}

static gboolean
row_exists (KehuContext *ctx,
            const char  *table,
            const char  *id,
            gboolean    *deleted)
{
  const KehuModule *module = kehu_schema_get_module (ctx->schema, table);
  gboolean has_deleted = module && kehu_module_has_column (module, "deleted_at");
  g_autofree char *sql = NULL;
  gint64 found;

  /* The table name comes from the schema description, never from input. */
  sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1",
                         has_deleted ? "deleted_at IS NOT NULL" : "0", table);
  found = _kehu_query_int (ctx, -1, sql, id, NULL);
  if (deleted)
    *deleted = found == 1;
  return found >= 0;
}

static gboolean
valid_date (const char *s)
{
  guint y, m, d;
  char tail;

  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  if (sscanf (s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  return g_date_valid_dmy (d, m, y);
}

static char *
normalize_datetime (const char *s)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (s == NULL || strlen (s) < 19 || s[4] != '-' || s[10] != 'T')
    return NULL;
  dt = g_date_time_new_from_iso8601 (s, NULL);
  if (dt == NULL)
    return NULL;
  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
in_dictionary (KehuContext *ctx,
               const char  *dictionary,
               const char  *value)
{
  return _kehu_query_int (ctx, 0,
                          "SELECT 1 FROM dictionary_items WHERE dictionary_id = ?1 AND value = ?2 AND is_enabled = 1",
                          dictionary, value, NULL) == 1;
}

static gboolean
wrong_type (const KehuField  *field,
            const char       *expected,
            GError          **error)
{
  _kehu_set_error (error, KEHU_RECORD_ERROR_WRONG_TYPE, field->name,
                   /* Translators: “Amount” must be a whole number */
                   _("“%s” must be %s"), kehu_field_get_label (field), expected);
  return FALSE;
}

/**
 * _kehu_value_from_node:
 *
 * Checks @node against @field's type and rules and converts it to the
 * stored value. NULL (JSON null) passes; required fields are checked apart.
 */
gboolean
_kehu_value_from_node (KehuContext       *ctx,
                       const KehuModule  *module,
                       const KehuField   *field,
                       JsonNode          *node,
                       KehuValue         *out,
                       GError           **error)
{
  const char *label = kehu_field_get_label (field);
  GType vtype;

  _kehu_value_clear (out);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  vtype = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (field->type)
    {
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_MONEY:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_QUANTITY:
      if (vtype != G_TYPE_INT64)
        return wrong_type (field, field->type == KEHU_FIELD_MONEY ? _("an amount in cents (a whole number)")
                                                                  : _("a whole number"), error);
      out->kind = SQLITE_INTEGER;
      out->i = json_node_get_int (node);
      if (field->type == KEHU_FIELD_PERCENT && (out->i < 0 || out->i > 100))
        return wrong_type (field, _("a percentage from 0 to 100"), error);
      return TRUE;

    case KEHU_FIELD_NUMBER:
      if (vtype == G_TYPE_INT64)
        {
          out->kind = SQLITE_INTEGER;
          out->i = json_node_get_int (node);
          return TRUE;
        }
      if (vtype != G_TYPE_DOUBLE)
        return wrong_type (field, _("a number"), error);
      out->kind = SQLITE_FLOAT;
      out->d = json_node_get_double (node);
      return TRUE;

    case KEHU_FIELD_BOOLEAN:
      if (vtype == G_TYPE_BOOLEAN)
        out->i = json_node_get_boolean (node);
      else if (vtype == G_TYPE_INT64 && (json_node_get_int (node) == 0 || json_node_get_int (node) == 1))
        out->i = json_node_get_int (node);
      else
        return wrong_type (field, _("true or false"), error);
      out->kind = SQLITE_INTEGER;
      return TRUE;

    case KEHU_FIELD_JSON:
    case KEHU_FIELD_TAGS:
    case KEHU_FIELD_MULTI_CHOICE:
      if (field->type == KEHU_FIELD_JSON)
        {
          if (JSON_NODE_HOLDS_VALUE (node))
            return wrong_type (field, _("a JSON object or array"), error);
        }
      else
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return wrong_type (field, _("a list of texts"), error);
          array = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);

              if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
                return wrong_type (field, _("a list of texts"), error);
              if (field->type == KEHU_FIELD_MULTI_CHOICE &&
                  !in_dictionary (ctx, field->dictionary, json_node_get_string (item)))
                {
                  _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, field->name,
                                   _("“%s” is not a choice of “%s”"), json_node_get_string (item), label);
                  return FALSE;
                }
            }
        }
      out->kind = SQLITE_TEXT;
      out->s = json_to_string (node, FALSE);
      return TRUE;

    default:
      break;
    }

  /* Every other type is text. */
  if (vtype != G_TYPE_STRING)
    return wrong_type (field, _("a text"), error);
  out->kind = SQLITE_TEXT;
  out->s = g_strdup (json_node_get_string (node));

  switch (field->type)
    {
    case KEHU_FIELD_DATE:
      if (!valid_date (out->s))
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_BAD_DATE, field->name,
                           _("“%s” is not a valid date for “%s” (use YYYY-MM-DD)"), out->s, label);
          return FALSE;
        }
      break;

    case KEHU_FIELD_DATETIME:
      {
        char *normal = normalize_datetime (out->s);
        if (normal == NULL)
          {
            _kehu_set_error (error, KEHU_RECORD_ERROR_BAD_DATE, field->name,
                             _("“%s” is not a valid time for “%s” (use ISO 8601, e.g. 2026-05-01T08:30:00Z)"),
                             out->s, label);
            return FALSE;
          }
        g_free (out->s);
        out->s = normal;
      }
      break;

    case KEHU_FIELD_CHOICE:
      if (!in_dictionary (ctx, field->dictionary, out->s))
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, field->name,
                           _("“%s” is not a choice of “%s”"), out->s, label);
          return FALSE;
        }
      break;

    case KEHU_FIELD_ENUM:
      if (!g_strv_contains (field->choices, out->s))
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, field->name,
                           _("“%s” is not a choice of “%s”"), out->s, label);
          return FALSE;
        }
      break;

    case KEHU_FIELD_REFERENCE:
    case KEHU_FIELD_USER:
    case KEHU_FIELD_ATTACHMENT:
      {
        gboolean deleted = FALSE;
        const char *table = field->reference ? field->reference : "attachments";

        if (!row_exists (ctx, table, out->s, &deleted) || deleted)
          {
            _kehu_set_error (error, KEHU_RECORD_ERROR_MISSING_REFERENCE, field->name,
                             _("“%s” refers to a record that does not exist or is in the recycle bin"), label);
            return FALSE;
          }
      }
      break;

    case KEHU_FIELD_EMAIL:
      if (*out->s && (strchr (out->s, '@') == NULL || strchr (out->s, ' ') != NULL))
        return wrong_type (field, _("an e-mail address"), error);
      break;

    case KEHU_FIELD_PHONE:
      for (const char *p = out->s; *p; p++)
        if (!g_ascii_isdigit (*p) && !strchr ("+-() ", *p))
          return wrong_type (field, _("a phone number (digits, “+”, “-”, spaces)"), error);
      break;

    default:
      break;
    }

  return TRUE;
}

/* Changes -------------------------------------------------------------------------- */

typedef struct
{
  const KehuField *field;
  char            *column;
  KehuValue        value;
} Change;

struct _KehuChanges
{
  const KehuModule *module;
  GPtrArray        *items;   /* Change* */
};

static void
change_free (Change *change)
{
  _kehu_value_clear (&change->value);
  g_free (change->column);
  g_free (change);
}

static Change *
changes_lookup (KehuChanges *changes,
                const char  *column)
{
  for (guint i = 0; i < changes->items->len; i++)
    {
      Change *c = g_ptr_array_index (changes->items, i);
      if (strcmp (c->column, column) == 0)
        return c;
    }
  return NULL;
}

static Change *
changes_take (KehuChanges *changes,
              const char  *column)
{
  Change *c = changes_lookup (changes, column);

  if (c == NULL)
    {
      c = g_new0 (Change, 1);
      c->column = g_strdup (column);
      c->field = kehu_module_lookup_field (changes->module, column);
      g_ptr_array_add (changes->items, c);
    }
  _kehu_value_clear (&c->value);
  return c;
}

gboolean
_kehu_changes_has (KehuChanges *changes,
                   const char  *column)
{
  return changes_lookup (changes, column) != NULL;
}

const KehuValue *
_kehu_changes_get (KehuChanges *changes,
                   const char  *column)
{
  Change *c = changes_lookup (changes, column);
  return c ? &c->value : NULL;
}

void
_kehu_changes_set_text (KehuChanges *changes,
                        const char  *column,
                        const char  *text)
{
  Change *c = changes_take (changes, column);

  if (text)
    {
      c->value.kind = SQLITE_TEXT;
      c->value.s = g_strdup (text);
    }
}

void
_kehu_changes_set_int (KehuChanges *changes,
                       const char  *column,
                       gint64       value)
{
  Change *c = changes_take (changes, column);

  c->value.kind = SQLITE_INTEGER;
  c->value.i = value;
}

void
_kehu_changes_set_null (KehuChanges *changes,
                        const char  *column)
{
  changes_take (changes, column);
}

/* Reading ----------------------------------------------------------------------------- */

JsonObject *
kehu_record_from_statement (const KehuModule *module,
                            sqlite3_stmt     *stmt)
{
  JsonObject *object = json_object_new ();
  int n = sqlite3_column_count (stmt);

  for (int i = 0; i < n; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);
      const KehuField *field = kehu_module_lookup_field (module, name);
      KehuValue value = { 0 };

      if (strcmp (name, "extra") == 0)
        {
          JsonNode *extra = json_from_string ((const char *) sqlite3_column_text (stmt, i), NULL);

          if (extra == NULL || !JSON_NODE_HOLDS_OBJECT (extra))
            {
              g_clear_pointer (&extra, json_node_unref);
              JsonObject *empty = json_object_new ();

              extra = json_node_init_object (json_node_alloc (), empty);
              json_object_unref (empty);
            }
          json_object_set_member (object, "extra", extra);
          continue;
        }
      if (field == NULL || (field->flags & KEHU_FIELD_HIDDEN))
        continue;
      _kehu_value_from_column (&value, stmt, i);
      json_object_set_member (object, name, _kehu_value_to_node (field, &value));
      _kehu_value_clear (&value);
    }
  return object;
}

static JsonObject *
read_row (KehuContext      *ctx,
          const KehuModule *module,
          const char       *id,
          gboolean          with_hidden)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?1", kehu_module_get_name (module));
  sqlite3_stmt *stmt = NULL;
  JsonObject *object = NULL;

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      object = kehu_record_from_statement (module, stmt);
      if (with_hidden)
        for (int i = 0; i < sqlite3_column_count (stmt); i++)
          {
            const KehuField *field = kehu_module_lookup_field (module, sqlite3_column_name (stmt, i));
            if (field && (field->flags & KEHU_FIELD_HIDDEN) && sqlite3_column_type (stmt, i) == SQLITE_TEXT)
              json_object_set_string_member (object, field->name, (const char *) sqlite3_column_text (stmt, i));
          }
    }
  sqlite3_finalize (stmt);
  return object;
}

JsonObject *
_kehu_record_read (KehuContext      *ctx,
                   const KehuModule *module,
                   const char       *id,
                   gboolean          with_hidden)
{
  return read_row (ctx, module, id, with_hidden);
}

static const KehuModule *
lookup_module (KehuContext  *ctx,
               const char   *name,
               GError      **error)
{
  const KehuModule *module = kehu_schema_get_module (ctx->schema, name);

  if (module == NULL)
    _kehu_set_error (error, KEHU_RECORD_ERROR_UNKNOWN_MODULE, NULL,
                     _("There is no module “%s”"), name ? name : "");
  return module;
}

static void
not_found (GError           **error,
           const KehuModule  *module,
           const char        *id)
{
  _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_FOUND, NULL,
                   _("There is no %s with the id “%s”"), kehu_module_get_singular (module), id ? id : "");
}

/**
 * kehu_record_get:
 *
 * Returns: (transfer full): the record, also when it is in the recycle bin
 *   (deleted_at set), or %NULL with KEHU_RECORD_ERROR_NOT_FOUND
 */
JsonObject *
kehu_record_get (KehuContext  *ctx,
                 const char   *module_name,
                 const char   *id,
                 GError      **error)
{
  const KehuModule *module;
  JsonObject *object;

  if (!(module = lookup_module (ctx, module_name, error)))
    return NULL;
  object = read_row (ctx, module, id, FALSE);
  if (object == NULL)
    not_found (error, module, id);
  return object;
}

/* Validation ---------------------------------------------------------------------------- */

static gboolean
is_empty (const KehuValue *value)
{
  return value->kind == SQLITE_NULL ||
         (value->kind == SQLITE_TEXT && (value->s[0] == '\0' || strcmp (value->s, "[]") == 0));
}

static gboolean
required_error (const KehuField  *field,
                GError          **error)
{
  _kehu_set_error (error, KEHU_RECORD_ERROR_REQUIRED, field->name,
                   _("“%s” is required"), kehu_field_get_label (field));
  return FALSE;
}

static gboolean
check_writable (KehuContext      *ctx,
                const KehuField  *field,
                gboolean          for_create,
                GError          **error)
{
  /* A new record may bring its own id: offline clients make their UUIDs. */
  if (for_create && strcmp (field->name, "id") == 0)
    return TRUE;
  if ((field->flags & KEHU_FIELD_READ_ONLY) && !ctx->trusted)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_READ_ONLY, field->name,
                       _("“%s” is computed by Kehu and cannot be set"), kehu_field_get_label (field));
      return FALSE;
    }
  if (strcmp (field->name, "id") == 0)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_READ_ONLY, field->name,
                       _("“%s” is computed by Kehu and cannot be set"), kehu_field_get_label (field));
      return FALSE;
    }
  return TRUE;
}

static void
unknown_field (GError          **error,
               const KehuModule *module,
               const char       *name)
{
  _kehu_set_error (error, KEHU_RECORD_ERROR_UNKNOWN_FIELD, name,
                   _("%s has no field “%s”"), kehu_module_get_plural (module), name);
}

/* Fills @changes from @fields; custom values go to @extra_changes. */
static gboolean
collect_changes (KehuContext      *ctx,
                 const KehuModule *module,
                 JsonObject       *fields,
                 gboolean          for_create,
                 KehuChanges      *changes,
                 JsonObject       *extra_changes,
                 GError          **error)
{
  g_autoptr(GList) members = json_object_get_members (fields);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (fields, name);
      const KehuField *field;

      if (strcmp (name, "extra") == 0 && kehu_module_has_column (module, "extra"))
        {
          JsonObject *extra;
          g_autoptr(GList) keys = NULL;

          if (JSON_NODE_HOLDS_NULL (node))
            continue;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              _kehu_set_error (error, KEHU_RECORD_ERROR_WRONG_TYPE, "extra",
                               _("“%s” must be an object of custom field values"), "extra");
              return FALSE;
            }
          extra = json_node_get_object (node);
          keys = json_object_get_members (extra);
          for (GList *k = keys; k; k = k->next)
            {
              const KehuField *custom = kehu_module_lookup_field (module, k->data);
              KehuValue value = { 0 };

              if (custom == NULL || !(custom->flags & KEHU_FIELD_CUSTOM))
                {
                  unknown_field (error, module, k->data);
                  return FALSE;
                }
              if (!_kehu_value_from_node (ctx, module, custom, json_object_get_member (extra, k->data), &value, error))
                {
                  _kehu_value_clear (&value);
                  return FALSE;
                }
              json_object_set_member (extra_changes, custom->name, _kehu_value_to_node (custom, &value));
              _kehu_value_clear (&value);
            }
          continue;
        }

      field = kehu_module_lookup_field (module, name);
      if (field == NULL || (field->flags & KEHU_FIELD_CUSTOM))
        {
          unknown_field (error, module, name);
          return FALSE;
        }
      if (!check_writable (ctx, field, for_create, error))
        return FALSE;
      if (strcmp (field->name, "id") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
              !g_uuid_string_is_valid (json_node_get_string (node)))
            return wrong_type (field, _("a UUID"), error);
        }

      {
        Change *c = changes_take (changes, name);
        if (!_kehu_value_from_node (ctx, module, field, node, &c->value, error))
          return FALSE;
      }
    }
  return TRUE;
}

static gboolean
check_unique (KehuContext      *ctx,
              const KehuModule *module,
              const char       *id,
              KehuChanges      *changes,
              GError          **error)
{
  for (guint i = 0; i < changes->items->len; i++)
    {
      Change *c = g_ptr_array_index (changes->items, i);
      g_autofree char *sql = NULL;
      g_autofree char *text = NULL;

      if (c->field == NULL || !(c->field->flags & KEHU_FIELD_UNIQUE) || c->value.kind == SQLITE_NULL)
        continue;
      sql = g_strdup_printf ("SELECT 1 FROM %s WHERE %s = ?1 AND id <> ?2%s",
                             kehu_module_get_name (module), c->field->name,
                             kehu_module_has_column (module, "deleted_at") ? " AND deleted_at IS NULL" : "");
      text = _kehu_value_to_text (&c->value);
      if (_kehu_query_int (ctx, 0, sql, text, id, NULL) == 1)
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_DUPLICATE, c->field->name,
                           _("Another record already has the %s “%s”"),
                           kehu_field_get_label (c->field), text);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_required (const KehuModule  *module,
                KehuChanges       *changes,
                JsonObject        *extra,
                GError           **error)
{
  for (guint i = 0; i < kehu_module_get_n_fields (module); i++)
    {
      const KehuField *field = kehu_module_get_field (module, i);
      Change *c;

      if (!(field->flags & KEHU_FIELD_REQUIRED))
        continue;
      if (field->flags & KEHU_FIELD_CUSTOM)
        {
          JsonNode *node = json_object_get_member (extra, field->name);
          if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
              (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
               *json_node_get_string (node) == '\0'))
            return required_error (field, error);
          continue;
        }
      c = changes_lookup (changes, field->name);
      if (c == NULL || is_empty (&c->value))
        return required_error (field, error);
    }
  return TRUE;
}

/**
 * kehu_record_validate:
 * @for_create: also check that required fields are there
 *
 * Checks @fields as kehu_record_create() / kehu_record_update() would,
 * without writing (import previews, forms). Business rules that need the
 * stored record (stage groups, approved contracts) are not checked.
 */
gboolean
kehu_record_validate (KehuContext  *ctx,
                      const char   *module_name,
                      JsonObject   *fields,
                      gboolean      for_create,
                      GError      **error)
{
  const KehuModule *module;
  KehuChanges changes = { 0 };
  g_autoptr(JsonObject) extra = json_object_new ();
  gboolean ok;

  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;
  changes.module = module;
  changes.items = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  ok = collect_changes (ctx, module, fields, for_create, &changes, extra, error) &&
       (!for_create || check_required (module, &changes, extra, error));
  g_ptr_array_unref (changes.items);
  return ok;
}

/* Writing ---------------------------------------------------------------------------- */

static gboolean
assign_rev (KehuContext      *ctx,
            const KehuModule *module,
            const char       *id,
            GPtrArray        *fields,
            GError          **error)
{
  g_autofree char *now = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *rev = NULL;
  sqlite3_int64 value;

  if (!ctx->assign_revs)
    return TRUE;
  now = kehu_context_now_string (ctx);
  if (!_kehu_exec (ctx, error, "INSERT INTO sync_changes (module, record_id, at) VALUES (?1, ?2, ?3)",
                   kehu_module_get_name (module), id, now, NULL))
    return FALSE;
  value = sqlite3_last_insert_rowid (ctx_db (ctx));
  rev = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
  sql = g_strdup_printf ("UPDATE %s SET rev = CAST (?1 AS INTEGER) WHERE id = ?2", kehu_module_get_name (module));
  if (!_kehu_exec (ctx, error, sql, rev, id, NULL))
    return FALSE;
  for (guint i = 0; fields && i < fields->len; i++)
    if (!_kehu_exec (ctx, error,
                     "INSERT INTO field_revs (module, record_id, field, rev) VALUES (?1, ?2, ?3, CAST (?4 AS INTEGER))"
                     " ON CONFLICT (module, record_id, field) DO UPDATE SET rev = excluded.rev",
                     kehu_module_get_name (module), id, (const char *) g_ptr_array_index (fields, i), rev, NULL))
      return FALSE;
  return TRUE;
}

/* A new rev for a change beside the record's own fields (its team), so
 * that the next pull carries the record and what goes with it. */
gboolean
_kehu_record_bump_rev (KehuContext  *ctx,
                       const char   *module_name,
                       const char   *id,
                       GError      **error)
{
  const KehuModule *module;

  if (!ctx->assign_revs)
    return TRUE;
  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;
  return assign_rev (ctx, module, id, NULL, error);
}

gboolean
kehu_record_set_revs (KehuContext         *ctx,
                      const char          *module_name,
                      const char          *id,
                      gint64               rev,
                      const char * const  *fields,
                      GError             **error)
{
  const KehuModule *module;
  g_autofree char *sql = NULL;
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, rev);
  gboolean ok;

  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  sql = g_strdup_printf ("UPDATE %s SET rev = CAST (?1 AS INTEGER) WHERE id = ?2", module_name);
  ok = _kehu_exec (ctx, error, sql, text, id, NULL);
  for (guint i = 0; ok && fields && fields[i]; i++)
    ok = _kehu_exec (ctx, error,
                     "INSERT INTO field_revs (module, record_id, field, rev) VALUES (?1, ?2, ?3, CAST (?4 AS INTEGER))"
                     " ON CONFLICT (module, record_id, field) DO UPDATE SET rev = excluded.rev",
                     module_name, id, fields[i], text, NULL);
  if (!ok || !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

static char *
title_of (const KehuModule *module,
          JsonObject       *row)
{
  JsonNode *node = row ? json_object_get_member (row, kehu_module_get_title_field (module)) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static gboolean
write_create (KehuContext      *ctx,
              const KehuModule *module,
              const char       *id,
              KehuChanges      *changes,
              JsonObject       *extra,
              GError          **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  g_autofree char *extra_json = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc, n = 0;

  g_string_printf (sql, "INSERT INTO %s (", kehu_module_get_name (module));
  for (guint i = 0; i < changes->items->len; i++)
    {
      Change *c = g_ptr_array_index (changes->items, i);

      g_string_append_printf (sql, "%s%s", n ? ", " : "", c->column);
      g_string_append_printf (values, "%s?%d", n ? ", " : "", n + 1);
      n++;
    }
  if (kehu_module_has_column (module, "extra"))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), extra);

      extra_json = json_to_string (node, FALSE);
      g_string_append_printf (sql, "%sextra", n ? ", " : "");
      g_string_append_printf (values, "%s?%d", n ? ", " : "", n + 1);
    }
  g_string_append_printf (sql, ") VALUES (%s)", values->str);

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql->str, -1, &stmt, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (kehu_context_get_store (ctx), sqlite3_errcode (ctx_db (ctx)), error);
  for (guint i = 0; i < changes->items->len; i++)
    _kehu_value_bind (&((Change *) g_ptr_array_index (changes->items, i))->value, stmt, i + 1);
  if (extra_json)
    sqlite3_bind_text (stmt, n + 1, extra_json, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT && (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE))
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_DUPLICATE, "id",
                           _("A %s with the id “%s” already exists"), kehu_module_get_singular (module), id);
          return FALSE;
        }
      return kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
    }
  return TRUE;
}

/**
 * kehu_record_create:
 * @fields: the new record's fields (custom fields under "extra"); "id" may
 *   be given (a UUID), otherwise one is made
 *
 * Returns: (transfer full): the new record's id, or %NULL with @error set
 */
char *
kehu_record_create (KehuContext  *ctx,
                    const char   *module_name,
                    JsonObject   *fields,
                    GError      **error)
{
  const KehuModule *module;
  KehuChanges changes = { 0 };
  g_autoptr(JsonObject) extra = json_object_new ();
  g_autoptr(JsonObject) new_row = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) rev_fields = g_ptr_array_new ();
  gboolean ok = FALSE;

  if (!(module = lookup_module (ctx, module_name, error)))
    return NULL;

  changes.module = module;
  changes.items = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  ctx->op_depth++;
  if (!kehu_context_begin (ctx, error))
    goto out;
  if (!collect_changes (ctx, module, fields, TRUE, &changes, extra, error) ||
      !check_required (module, &changes, extra, error))
    goto fail;

  if (_kehu_changes_has (&changes, "id"))
    id = g_strdup (_kehu_changes_get (&changes, "id")->s);
  else
    {
      id = g_uuid_string_random ();
      _kehu_changes_set_text (&changes, "id", id);
    }
  if (!ctx->trusted || !_kehu_changes_has (&changes, "created_at"))
    _kehu_changes_set_text (&changes, "created_at", now);
  if (!ctx->trusted || !_kehu_changes_has (&changes, "updated_at"))
    _kehu_changes_set_text (&changes, "updated_at", now);
  if (kehu_module_has_column (module, "created_by") && (!ctx->trusted || !_kehu_changes_has (&changes, "created_by")))
    _kehu_changes_set_text (&changes, "created_by", ctx->user_id);
  /* A record belongs to whoever creates it unless told otherwise (null: no
   * owner, e.g. a customer created straight into the public pool). */
  if (kehu_module_has_column (module, "owner_id") && !json_object_has_member (fields, "owner_id") &&
      strcmp (module_name, "scenes") != 0)
    _kehu_changes_set_text (&changes, "owner_id", ctx->user_id);

  if (!check_unique (ctx, module, id, &changes, error) ||
      !_kehu_rules_before_write (ctx, module, id, NULL, &changes, error) ||
      !write_create (ctx, module, id, &changes, extra, error))
    goto fail;

  for (guint i = 0; i < changes.items->len; i++)
    {
      Change *c = g_ptr_array_index (changes.items, i);
      if (c->value.kind != SQLITE_NULL)
        g_ptr_array_add (rev_fields, c->column);
    }
  {
    g_autoptr(GList) keys = json_object_get_members (extra);
    for (GList *k = keys; k; k = k->next)
      g_ptr_array_add (rev_fields, k->data);
  }

  new_row = read_row (ctx, module, id, FALSE);
  title = title_of (module, new_row);
  if (!_kehu_oplog (ctx, module_name, id, "create", NULL, NULL, title, error) ||
      !assign_rev (ctx, module, id, rev_fields, error) ||
      !_kehu_rules_after_write (ctx, module, id, NULL, new_row, error))
    goto fail;
  if (_kehu_context_outbox_active (ctx))
    {
      g_autoptr(JsonObject) queued = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (fields);

      for (GList *m = members; m; m = m->next)
        json_object_set_member (queued, m->data, json_node_copy (json_object_get_member (fields, m->data)));
      json_object_set_string_member (queued, "id", id);
      if (!_kehu_sync_outbox_append (ctx, module_name, id, "create", NULL, queued, 0, error))
        goto fail;
    }
  if (!kehu_context_commit (ctx, error))
    goto fail;

  ok = TRUE;
  goto out;

fail:
  kehu_context_rollback (ctx);
out:
  ctx->op_depth--;
  g_ptr_array_unref (changes.items);
  return ok ? g_steal_pointer (&id) : NULL;
}

/* Reads the stored values of @module's row @id: column → KehuValue. */
static GHashTable *
read_values (KehuContext      *ctx,
             const KehuModule *module,
             const char       *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?1", kehu_module_get_name (module));
  sqlite3_stmt *stmt = NULL;
  GHashTable *values = NULL;

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          KehuValue *v = g_new0 (KehuValue, 1);
          _kehu_value_from_column (v, stmt, i);
          g_hash_table_insert (values, g_strdup (sqlite3_column_name (stmt, i)), v);
        }
    }
  sqlite3_finalize (stmt);
  return values;
}

static void
values_free (GHashTable *values)
{
  GHashTableIter iter;
  gpointer v;

  if (values == NULL)
    return;
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, NULL, &v))
    {
      _kehu_value_clear (v);
      g_free (v);
    }
  g_hash_table_unref (values);
}

typedef GHashTable GHashTableValues;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GHashTableValues, values_free)

static gboolean
load_live (KehuContext       *ctx,
           const KehuModule  *module,
           const char        *id,
           gboolean           want_deleted,
           JsonObject       **row,
           GError           **error)
{
  JsonObject *object = read_row (ctx, module, id, TRUE);
  gboolean deleted;

  if (object == NULL)
    {
      not_found (error, module, id);
      return FALSE;
    }
  deleted = json_object_has_member (object, "deleted_at") && !json_object_get_null_member (object, "deleted_at");
  if (deleted && !want_deleted)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_DELETED, NULL,
                       _("This %s is in the recycle bin: restore it first"), kehu_module_get_singular (module));
      json_object_unref (object);
      return FALSE;
    }
  if (!deleted && want_deleted)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_DELETED, NULL,
                       _("This %s is not in the recycle bin"), kehu_module_get_singular (module));
      json_object_unref (object);
      return FALSE;
    }
  *row = object;
  return TRUE;
}

/**
 * kehu_record_update:
 * @changes: the fields to change; unchanged values are ignored
 *
 * Writes only the fields whose value differs, bumps updated_at when any
 * does, and logs each changed field.
 */
gboolean
kehu_record_update (KehuContext  *ctx,
                    const char   *module_name,
                    const char   *id,
                    JsonObject   *fields,
                    GError      **error)
{
  return _kehu_record_update_full (ctx, module_name, id, fields, "update", error);
}

gboolean
_kehu_record_update_full (KehuContext  *ctx,
                          const char   *module_name,
                          const char   *id,
                          JsonObject   *fields,
                          const char   *action,
                          GError      **error)
{
  const KehuModule *module;
  KehuChanges changes = { 0 };
  g_autoptr(JsonObject) extra_changes = json_object_new ();
  g_autoptr(JsonObject) old_row = NULL;
  g_autoptr(JsonObject) new_row = NULL;
  g_autoptr(JsonObject) new_extra = NULL;
  g_autoptr(GHashTableValues) old_values = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *now = kehu_context_now_string (ctx);
  g_autofree char *extra_json = NULL;
  gboolean ok = FALSE;
  sqlite3_stmt *stmt = NULL;
  int n = 0, rc;

  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;

  changes.module = module;
  changes.items = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  ctx->op_depth++;
  if (!kehu_context_begin (ctx, error))
    goto out;
  if (!load_live (ctx, module, id, FALSE, &old_row, error) ||
      !collect_changes (ctx, module, fields, FALSE, &changes, extra_changes, error))
    goto fail;

  old_values = read_values (ctx, module, id);

  /* Drop what does not change. */
  for (guint i = 0; i < changes.items->len;)
    {
      Change *c = g_ptr_array_index (changes.items, i);
      KehuValue *old = g_hash_table_lookup (old_values, c->column);

      if (old && _kehu_value_equal (old, &c->value))
        g_ptr_array_remove_index (changes.items, i);
      else
        i++;
    }

  for (guint i = 0; i < changes.items->len; i++)
    {
      Change *c = g_ptr_array_index (changes.items, i);
      if (c->field && (c->field->flags & KEHU_FIELD_REQUIRED) && is_empty (&c->value))
        {
          required_error (c->field, error);
          goto fail;
        }
    }

  if (!check_unique (ctx, module, id, &changes, error) ||
      !_kehu_rules_before_write (ctx, module, id, old_row, &changes, error))
    goto fail;

  /* Custom fields: merge into the stored extra; null removes. */
  if (kehu_module_has_column (module, "extra"))
    {
      JsonObject *old_extra = json_object_get_object_member (old_row, "extra");
      g_autoptr(GList) keys = json_object_get_members (extra_changes);

      new_extra = json_object_new ();
      {
        g_autoptr(GList) old_keys = json_object_get_members (old_extra);
        for (GList *k = old_keys; k; k = k->next)
          json_object_set_member (new_extra, k->data, json_node_copy (json_object_get_member (old_extra, k->data)));
      }
      for (GList *k = keys; k; k = k->next)
        {
          const KehuField *field = kehu_module_lookup_field (module, k->data);
          JsonNode *new_node = json_object_get_member (extra_changes, k->data);
          JsonNode *old_node = json_object_get_member (old_extra, k->data);
          gboolean new_null = JSON_NODE_HOLDS_NULL (new_node);

          if ((old_node == NULL && new_null) || (old_node && json_node_equal (old_node, new_node)))
            continue;
          if (new_null && (field->flags & KEHU_FIELD_REQUIRED))
            {
              required_error (field, error);
              goto fail;
            }
          if (new_null)
            json_object_remove_member (new_extra, k->data);
          else
            json_object_set_member (new_extra, k->data, json_node_copy (new_node));
          g_ptr_array_add (changed, g_strdup (k->data));
        }
    }

  if (changes.items->len == 0 && changed->len == 0)
    {
      ok = kehu_context_commit (ctx, error);
      if (!ok)
        goto fail;
      goto out;
    }

  g_string_printf (sql, "UPDATE %s SET ", module_name);
  for (guint i = 0; i < changes.items->len; i++)
    {
      Change *c = g_ptr_array_index (changes.items, i);
      g_string_append_printf (sql, "%s%s = ?%d", n ? ", " : "", c->column, n + 1);
      n++;
    }
  if (changed->len > 0)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), new_extra);
      extra_json = json_to_string (node, FALSE);
      g_string_append_printf (sql, "%sextra = ?%d", n ? ", " : "", n + 1);
      n++;
    }
  if (!_kehu_changes_has (&changes, "updated_at"))
    {
      g_string_append_printf (sql, ", updated_at = ?%d", n + 1);
      n++;
    }
  g_string_append_printf (sql, " WHERE id = ?%d", n + 1);

  if (sqlite3_prepare_v2 (ctx_db (ctx), sql->str, -1, &stmt, NULL) != SQLITE_OK)
    {
      kehu_store_set_error_from_db (kehu_context_get_store (ctx), sqlite3_errcode (ctx_db (ctx)), error);
      goto fail;
    }
  n = 0;
  for (guint i = 0; i < changes.items->len; i++)
    _kehu_value_bind (&((Change *) g_ptr_array_index (changes.items, i))->value, stmt, ++n);
  if (extra_json)
    sqlite3_bind_text (stmt, ++n, extra_json, -1, SQLITE_TRANSIENT);
  if (!_kehu_changes_has (&changes, "updated_at"))
    sqlite3_bind_text (stmt, ++n, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, ++n, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (kehu_context_get_store (ctx), rc, error);
      goto fail;
    }

  /* The log: one row per changed field, old → new as stored. */
  for (guint i = 0; i < changes.items->len; i++)
    {
      Change *c = g_ptr_array_index (changes.items, i);
      KehuValue *old = g_hash_table_lookup (old_values, c->column);
      g_autofree char *old_text = old ? _kehu_value_to_text (old) : NULL;
      g_autofree char *new_text = _kehu_value_to_text (&c->value);

      /* Derived hidden values (the name key) are not worth a log row. */
      if (strcmp (c->column, "updated_at") == 0 ||
          (c->field && (c->field->flags & KEHU_FIELD_HIDDEN) && (c->field->flags & KEHU_FIELD_READ_ONLY)))
        continue;
      if (!_kehu_oplog (ctx, module_name, id, action, c->column,
                        (c->field && (c->field->flags & KEHU_FIELD_HIDDEN)) ? NULL : old_text,
                        (c->field && (c->field->flags & KEHU_FIELD_HIDDEN)) ? NULL : new_text, error))
        goto fail;
    }
  {
    JsonObject *old_extra = json_object_get_object_member (old_row, "extra");
    for (guint i = 0; old_extra && i < changed->len; i++)
      {
        const char *name = g_ptr_array_index (changed, i);
        const KehuField *field = kehu_module_lookup_field (module, name);
        KehuValue old = { 0 }, new = { 0 };
        g_autofree char *old_text = NULL;
        g_autofree char *new_text = NULL;

        /* Already validated: this only converts to the stored form. */
        _kehu_value_from_node (ctx, module, field, json_object_get_member (old_extra, name), &old, NULL);
        _kehu_value_from_node (ctx, module, field, json_object_get_member (new_extra, name), &new, NULL);
        old_text = _kehu_value_to_text (&old);
        new_text = _kehu_value_to_text (&new);
        _kehu_value_clear (&old);
        _kehu_value_clear (&new);
        if (!_kehu_oplog (ctx, module_name, id, action, name, old_text, new_text, error))
          goto fail;
      }
  }

  for (guint i = 0; i < changes.items->len; i++)
    g_ptr_array_add (changed, g_strdup (((Change *) g_ptr_array_index (changes.items, i))->column));

  new_row = read_row (ctx, module, id, FALSE);
  if (!assign_rev (ctx, module, id, changed, error) ||
      !_kehu_rules_after_write (ctx, module, id, old_row, new_row, error))
    goto fail;
  /* Rule actions (transfer, convert…) are queued as actions by kehu-sync.c. */
  if (_kehu_context_outbox_active (ctx) && g_str_equal (action, "update"))
    {
      /* The fields the caller changed, as the caller gave them. */
      g_autoptr(JsonObject) queued = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (fields);

      for (GList *m = members; m; m = m->next)
        {
          const char *name = m->data;
          JsonNode *node = json_object_get_member (fields, name);

          if (g_str_equal (name, "extra") && JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObject *given = json_node_get_object (node);
              g_autoptr(GList) keys = json_object_get_members (given);
              JsonObject *sub = json_object_new ();

              for (GList *k = keys; k; k = k->next)
                if (g_ptr_array_find_with_equal_func (changed, k->data, g_str_equal, NULL))
                  json_object_set_member (sub, k->data, json_node_copy (json_object_get_member (given, k->data)));
              if (json_object_get_size (sub) > 0)
                json_object_set_object_member (queued, "extra", sub);
              else
                json_object_unref (sub);
            }
          else if (g_ptr_array_find_with_equal_func (changed, name, g_str_equal, NULL))
            json_object_set_member (queued, name, json_node_copy (node));
        }
      if (json_object_get_size (queued) > 0 &&
          !_kehu_sync_outbox_append (ctx, module_name, id, "update", NULL, queued, json_object_get_int_member (old_row, "rev"), error))
        goto fail;
    }
  if (!kehu_context_commit (ctx, error))
    goto fail;

  ok = TRUE;
  goto out;

fail:
  kehu_context_rollback (ctx);
out:
  ctx->op_depth--;
  g_ptr_array_unref (changes.items);
  return ok;
}

static gboolean
set_deleted_real (KehuContext  *ctx,
             const char   *module_name,
             const char   *id,
             gboolean      deleted,
             GError      **error)
{
  const KehuModule *module;
  g_autoptr(JsonObject) old_row = NULL;
  g_autoptr(JsonObject) new_row = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;
  if (!kehu_module_has_column (module, "deleted_at"))
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_INVALID, NULL,
                       _("%s cannot go to the recycle bin"), kehu_module_get_plural (module));
      return FALSE;
    }
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (!load_live (ctx, module, id, !deleted, &old_row, error))
    goto fail;

  if (!deleted)
    {
      /* A record comes back only when what it belongs to is still there. */
      for (guint i = 0; i < kehu_module_get_n_fields (module); i++)
        {
          const KehuField *field = kehu_module_get_field (module, i);
          const char *parent_id;
          gboolean parent_deleted = FALSE;

          if (!(field->flags & KEHU_FIELD_PARENT) || json_object_get_null_member (old_row, field->name))
            continue;
          parent_id = json_object_get_string_member (old_row, field->name);
          if (!row_exists (ctx, field->reference, parent_id, &parent_deleted) || parent_deleted)
            {
              const KehuModule *parent = kehu_schema_get_module (ctx->schema, field->reference);
              _kehu_set_error (error, KEHU_RECORD_ERROR_PARENT_GONE, field->name,
                               parent_deleted ? _("Restore the %s this record belongs to first: it is in the recycle bin")
                                              : _("This record cannot be restored: the %s it belongs to was deleted for good"),
                               parent ? kehu_module_get_singular (parent) : field->reference);
              goto fail;
            }
        }
      if (json_object_has_member (old_row, "target_module") && json_object_has_member (old_row, "target_id") &&
          !json_object_get_null_member (old_row, "target_module") &&
          kehu_schema_get_module (ctx->schema, json_object_get_string_member (old_row, "target_module")))
        {
          const char *target = json_object_get_string_member (old_row, "target_module");
          gboolean parent_deleted = FALSE;

          if (!row_exists (ctx, target, json_object_get_string_member (old_row, "target_id"), &parent_deleted) ||
              parent_deleted)
            {
              _kehu_set_error (error, KEHU_RECORD_ERROR_PARENT_GONE, "target_id",
                               parent_deleted ? _("Restore the %s this record belongs to first: it is in the recycle bin")
                                              : _("This record cannot be restored: the %s it belongs to was deleted for good"),
                               kehu_module_get_singular (kehu_schema_get_module (ctx->schema, target)));
              goto fail;
            }
        }
    }

  if (!deleted)
    {
      /* Unique values may have been taken while it was in the bin. */
      KehuChanges changes = { module, g_ptr_array_new_with_free_func ((GDestroyNotify) change_free) };
      g_autoptr(GHashTableValues) values = read_values (ctx, module, id);
      GHashTableIter iter;
      gpointer key, value;
      gboolean unique_ok;

      g_hash_table_iter_init (&iter, values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const KehuField *field = kehu_module_lookup_field (module, key);
          if (field && (field->flags & KEHU_FIELD_UNIQUE) && ((KehuValue *) value)->kind == SQLITE_TEXT)
            _kehu_changes_set_text (&changes, key, ((KehuValue *) value)->s);
        }
      unique_ok = check_unique (ctx, module, id, &changes, error);
      g_ptr_array_unref (changes.items);
      if (!unique_ok)
        goto fail;
    }

  sql = g_strdup_printf ("UPDATE %s SET deleted_at = ?1, updated_at = ?2 WHERE id = ?3", module_name);
  if (!_kehu_exec (ctx, error, sql, deleted ? now : "\1", now, id, NULL))
    goto fail;

  g_ptr_array_add (fields, (gpointer) "deleted_at");
  new_row = read_row (ctx, module, id, FALSE);
  if (!_kehu_oplog (ctx, module_name, id, deleted ? "delete" : "restore", NULL, NULL, NULL, error) ||
      !assign_rev (ctx, module, id, fields, error) ||
      !_kehu_rules_after_write (ctx, module, id, old_row, new_row, error))
    goto fail;
  if (_kehu_context_outbox_active (ctx) &&
      !_kehu_sync_outbox_append (ctx, module_name, id, deleted ? "delete" : "restore", NULL, NULL,
                                 json_object_get_int_member (old_row, "rev"), error))
    goto fail;
  if (!kehu_context_commit (ctx, error))
    goto fail;
  return TRUE;

fail:
  kehu_context_rollback (ctx);
  return FALSE;
}

static gboolean
set_deleted (KehuContext  *ctx,
             const char   *module_name,
             const char   *id,
             gboolean      deleted,
             GError      **error)
{
  gboolean ok;

  ctx->op_depth++;
  ok = set_deleted_real (ctx, module_name, id, deleted, error);
  ctx->op_depth--;
  return ok;
}

static gboolean purge (KehuContext *ctx, const char *module_name, const char *id, gboolean from_bin, GError **error);

/* Moves the record to the recycle bin; records of modules without one
 * (scenes, sales targets) are deleted for good. */
gboolean
kehu_record_delete (KehuContext  *ctx,
                    const char   *module_name,
                    const char   *id,
                    GError      **error)
{
  const KehuModule *module = kehu_schema_get_module (ctx->schema, module_name);

  if (module && !kehu_module_has_column (module, "deleted_at"))
    {
      g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?1", module_name);
      gboolean ok;
      gint64 rev;

      if (!kehu_context_begin (ctx, error))
        return FALSE;
      ctx->op_depth++;
      rev = _kehu_query_int (ctx, 0, sql, id, NULL);
      ok = purge (ctx, module_name, id, FALSE, error) &&
           (!_kehu_context_outbox_active (ctx) ||
            _kehu_sync_outbox_append (ctx, module_name, id, "delete", NULL, NULL, rev, error)) &&
           kehu_context_commit (ctx, error);
      if (!ok)
        kehu_context_rollback (ctx);
      ctx->op_depth--;
      return ok;
    }
  return set_deleted (ctx, module_name, id, TRUE, error);
}

gboolean
kehu_record_restore (KehuContext  *ctx,
                     const char   *module_name,
                     const char   *id,
                     GError      **error)
{
  return set_deleted (ctx, module_name, id, FALSE, error);
}

/* Deletes a record from the recycle bin for good (its parts cascade). */
gboolean
kehu_record_purge (KehuContext  *ctx,
                   const char   *module_name,
                   const char   *id,
                   GError      **error)
{
  return purge (ctx, module_name, id, TRUE, error);
}

static gboolean
purge (KehuContext  *ctx,
       const char   *module_name,
       const char   *id,
       gboolean      from_bin,
       GError      **error)
{
  const KehuModule *module;
  g_autoptr(JsonObject) old_row = NULL;
  g_autofree char *sql = NULL;

  if (!(module = lookup_module (ctx, module_name, error)))
    return FALSE;
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  if (!kehu_module_has_column (module, "deleted_at"))
    {
      old_row = read_row (ctx, module, id, FALSE);
      if (old_row == NULL)
        {
          not_found (error, module, id);
          goto fail;
        }
    }
  else if (!load_live (ctx, module, id, from_bin, &old_row, error))
    goto fail;

  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1", module_name);
  if (!_kehu_exec (ctx, error, sql, id, NULL) ||
      !_kehu_exec (ctx, error, "DELETE FROM team_members WHERE module = ?1 AND record_id = ?2", module_name, id, NULL) ||
      !_kehu_exec (ctx, error, "DELETE FROM field_revs WHERE module = ?1 AND record_id = ?2", module_name, id, NULL) ||
      !_kehu_oplog (ctx, module_name, id, from_bin ? "purge" : "delete", NULL, NULL, NULL, error))
    goto fail;
  if (ctx->assign_revs)
    {
      g_autofree char *now = kehu_context_now_string (ctx);
      if (!_kehu_exec (ctx, error, "INSERT INTO sync_changes (module, record_id, at) VALUES (?1, ?2, ?3)",
                       module_name, id, now, NULL))
        goto fail;
    }
  if (!_kehu_rules_after_write (ctx, module, id, old_row, NULL, error) ||
      !kehu_context_commit (ctx, error))
    goto fail;
  return TRUE;

fail:
  kehu_context_rollback (ctx);
  return FALSE;
}
