/* kehu-schema.h: the one description of every module and its fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

/* Well-known ids of seeded rows (migration 3), the same in every database so
 * the server and its clients agree on them. */
#define KEHU_ID_TOP_DEPARTMENT       "00000000-0000-4000-8000-000000000001"
#define KEHU_ID_ROLE_SUPER_ADMIN     "00000000-0000-4000-8000-000000000101"
#define KEHU_ID_ROLE_SALES_MANAGER   "00000000-0000-4000-8000-000000000102"
#define KEHU_ID_ROLE_SALES_REP       "00000000-0000-4000-8000-000000000103"
#define KEHU_ID_DEFAULT_POOL         "00000000-0000-4000-8000-000000000201"
#define KEHU_ID_DEFAULT_STAGE_GROUP  "00000000-0000-4000-8000-000000000301"
#define KEHU_ID_STAGE_QUALIFY        "00000000-0000-4000-8000-000000000311"
#define KEHU_ID_STAGE_NEEDS          "00000000-0000-4000-8000-000000000312"
#define KEHU_ID_STAGE_PROPOSAL       "00000000-0000-4000-8000-000000000313"
#define KEHU_ID_STAGE_NEGOTIATION    "00000000-0000-4000-8000-000000000314"
#define KEHU_ID_STAGE_WON            "00000000-0000-4000-8000-000000000315"
#define KEHU_ID_STAGE_LOST           "00000000-0000-4000-8000-000000000316"
#define KEHU_ID_STAGE_INVALID        "00000000-0000-4000-8000-000000000317"

#define KEHU_SCHEMA_ERROR (kehu_schema_error_quark ())

typedef enum
{
  KEHU_SCHEMA_ERROR_UNKNOWN_MODULE,
  KEHU_SCHEMA_ERROR_INVALID_NAME,
  KEHU_SCHEMA_ERROR_DUPLICATE,
  KEHU_SCHEMA_ERROR_NOT_FOUND,
  KEHU_SCHEMA_ERROR_MISMATCH,
} KehuSchemaError;

typedef enum
{
  KEHU_FIELD_TEXT,
  KEHU_FIELD_LONG_TEXT,
  KEHU_FIELD_INTEGER,       /* int64 */
  KEHU_FIELD_NUMBER,        /* custom fields: int or double */
  KEHU_FIELD_MONEY,         /* int64 cents */
  KEHU_FIELD_PERCENT,       /* int 0…100 */
  KEHU_FIELD_QUANTITY,      /* int64 thousandths */
  KEHU_FIELD_DATE,          /* "YYYY-MM-DD" */
  KEHU_FIELD_DATETIME,      /* "YYYY-MM-DDTHH:MM:SSZ", UTC */
  KEHU_FIELD_BOOLEAN,       /* JSON true/false, stored 0/1 */
  KEHU_FIELD_CHOICE,        /* one value of a data dictionary */
  KEHU_FIELD_MULTI_CHOICE,  /* JSON array of dictionary values */
  KEHU_FIELD_ENUM,          /* one of a fixed list of values (field->choices) */
  KEHU_FIELD_REFERENCE,     /* id of a record of field->reference */
  KEHU_FIELD_USER,          /* id of a user */
  KEHU_FIELD_PHONE,
  KEHU_FIELD_EMAIL,
  KEHU_FIELD_TAGS,          /* JSON array of strings */
  KEHU_FIELD_JSON,          /* any JSON, stored as text (roles.permissions, flows) */
  KEHU_FIELD_ATTACHMENT,    /* id of an attachment */
} KehuFieldType;

typedef enum
{
  KEHU_FIELD_REQUIRED   = 1 << 0,
  KEHU_FIELD_SEARCHABLE = 1 << 1,  /* quick search looks at it */
  KEHU_FIELD_IN_LIST    = 1 << 2,  /* a list column by default */
  KEHU_FIELD_SORTABLE   = 1 << 3,
  KEHU_FIELD_FILTERABLE = 1 << 4,
  KEHU_FIELD_READ_ONLY  = 1 << 5,  /* computed or system: callers cannot write it */
  KEHU_FIELD_UNIQUE     = 1 << 6,  /* among live records */
  KEHU_FIELD_PARENT     = 1 << 7,  /* the reference a restore needs alive */
  KEHU_FIELD_HIDDEN     = 1 << 8,  /* never leaves the store (password_hash…) */
  KEHU_FIELD_CUSTOM     = 1 << 9,  /* a custom field: its value lives in extra */
  KEHU_FIELD_SYSTEM     = 1 << 10, /* a standard record column (id, rev…) */
  KEHU_FIELD_NOT_NULL   = 1 << 11, /* the column is NOT NULL (read from the table) */
} KehuFieldFlags;

typedef struct
{
  const char         *name;        /* column, or key in extra for custom fields */
  KehuFieldType       type;
  const char         *label;       /* untranslated (N_()); custom fields: as entered */
  KehuFieldFlags      flags;
  const char         *dictionary;  /* KEHU_FIELD_CHOICE / MULTI_CHOICE */
  const char * const *choices;     /* KEHU_FIELD_ENUM, NULL-terminated */
  const char         *reference;   /* KEHU_FIELD_REFERENCE: the module */
} KehuField;

typedef struct _KehuModule KehuModule;

#define KEHU_TYPE_SCHEMA (kehu_schema_get_type ())

G_DECLARE_FINAL_TYPE (KehuSchema, kehu_schema, KEHU, SCHEMA, GObject)

GQuark              kehu_schema_error_quark          (void);

KehuSchema         *kehu_schema_new                  (KehuStore         *store,
                                                      GError           **error);
gboolean            kehu_schema_reload               (KehuSchema        *self,
                                                      GError           **error);
KehuStore          *kehu_schema_get_store            (KehuSchema        *self);

const char * const *kehu_schema_list_modules         (void);
const KehuModule   *kehu_schema_get_module           (KehuSchema        *self,
                                                      const char        *name);
const KehuModule   *kehu_schema_lookup_module        (KehuSchema        *self,
                                                      const char        *name,
                                                      GError           **error);

const char         *kehu_module_get_name             (const KehuModule  *module);
const char         *kehu_module_get_singular         (const KehuModule  *module);
const char         *kehu_module_get_plural           (const KehuModule  *module);
const char         *kehu_module_get_permission_key   (const KehuModule  *module);
const char         *kehu_module_get_title_field      (const KehuModule  *module);
const char         *kehu_module_get_default_sort     (const KehuModule  *module,
                                                      gboolean          *descending);
gboolean            kehu_module_has_column           (const KehuModule  *module,
                                                      const char        *column);
guint               kehu_module_get_n_fields         (const KehuModule  *module);
const KehuField    *kehu_module_get_field            (const KehuModule  *module,
                                                      guint              i);
const KehuField    *kehu_module_lookup_field         (const KehuModule  *module,
                                                      const char        *name);

const char         *kehu_field_get_label             (const KehuField   *field);
char               *kehu_field_get_sql               (const KehuField   *field);
gboolean            kehu_field_type_is_numeric       (KehuFieldType      type);
gboolean            kehu_field_type_is_text          (KehuFieldType      type);
const char         *kehu_field_type_to_string        (KehuFieldType      type);
gboolean            kehu_field_type_from_string      (const char        *str,
                                                      KehuFieldType     *type);

const char         *kehu_schema_display_label        (const char        *stored);

char               *kehu_schema_add_custom_field     (KehuSchema        *self,
                                                      const char        *module,
                                                      const char        *name,
                                                      const char        *label,
                                                      KehuFieldType      type,
                                                      KehuFieldFlags     flags,
                                                      const char        *dictionary,
                                                      GError           **error);
gboolean            kehu_schema_rename_custom_field  (KehuSchema        *self,
                                                      const char        *module,
                                                      const char        *old_name,
                                                      const char        *new_name,
                                                      GError           **error);
gboolean            kehu_schema_remove_custom_field  (KehuSchema        *self,
                                                      const char        *module,
                                                      const char        *name,
                                                      GError           **error);

/* Migration 3: the seed data (dictionaries, stages, department, roles, pool). */
gboolean            _kehu_schema_apply_seeds         (KehuStore         *store,
                                                      GError           **error);
char               *kehu_schema_normalize_name       (const char        *name);

G_END_DECLS
