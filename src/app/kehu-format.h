/* kehu-format.h: values of records as people read and type them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-schema.h"

G_BEGIN_DECLS

#define KEHU_FORMAT_ERROR (kehu_format_error_quark ())

typedef enum
{
  KEHU_FORMAT_ERROR_INVALID,
} KehuFormatError;

GQuark      kehu_format_error_quark   (void);

/* 123450 → "1,234.50"; negative amounts get a minus sign. */
char       *kehu_format_money         (gint64       cents);
/* "1,234.50", "¥1234.5", "1234" → cents, exactly (no floating point). */
gboolean    kehu_parse_money          (const char  *text,
                                       gint64      *cents,
                                       GError     **error);

/* "2026-11-22T08:30:00Z" → local "2026-11-22 16:30"; a date stays a date. */
char       *kehu_format_datetime      (const char  *iso);
gboolean    kehu_parse_date           (const char  *text,
                                       char       **date,
                                       GError     **error);

/* The translated label of a value of an enum field ("status" = "new"). */
const char *kehu_format_enum          (const char  *field,
                                       const char  *value);

/* Labels of data dictionary items, read once from the store. */
typedef struct _KehuDictionaries KehuDictionaries;

KehuDictionaries *kehu_dictionaries_new     (KehuStore        *store);
void              kehu_dictionaries_free    (KehuDictionaries *self);
const char       *kehu_dictionaries_lookup  (KehuDictionaries *self,
                                             const char       *dictionary,
                                             const char       *value);
/* (value, label) pairs in order, enabled items only: a GPtrArray of char*
 * alternating value and label. */
GPtrArray        *kehu_dictionaries_items   (KehuDictionaries *self,
                                             const char       *dictionary);

/* What a list cell shows for @field of a row. */
char       *kehu_format_field         (const KehuField  *field,
                                       const char       *value,
                                       const char       *reference_label,
                                       KehuDictionaries *dictionaries);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuDictionaries, kehu_dictionaries_free)

G_END_DECLS
