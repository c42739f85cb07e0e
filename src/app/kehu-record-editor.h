/* kehu-record-editor.h: a form for one record, made from the schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-record.h"

G_BEGIN_DECLS

#define KEHU_TYPE_RECORD_EDITOR (kehu_record_editor_get_type ())

G_DECLARE_FINAL_TYPE (KehuRecordEditor, kehu_record_editor, KEHU, RECORD_EDITOR, AdwWindow)

/* @id NULL: a new record. */
KehuRecordEditor *kehu_record_editor_new          (KehuContext      *context,
                                                   const char       *module,
                                                   const char       *id);
const char       *kehu_record_editor_get_module   (KehuRecordEditor *self);
/* The id of the record, once saved (or when editing). */
const char       *kehu_record_editor_get_id       (KehuRecordEditor *self);

/* For tests and keyboard users: the input of a field (an AdwEntryRow,
 * AdwComboRow, GtkSwitch or picker row) and the message shown beside it. */
GtkWidget        *kehu_record_editor_get_input    (KehuRecordEditor *self,
                                                   const char       *field);
const char       *kehu_record_editor_get_error    (KehuRecordEditor *self,
                                                   const char       *field);
/* Sets a user or reference picker to @id. */
void              kehu_record_editor_pick         (KehuRecordEditor *self,
                                                   const char       *field,
                                                   const char       *id);
/* Is the duplicate warning shown, and which customer does it link to. */
const char       *kehu_record_editor_get_duplicate (KehuRecordEditor *self);

/* Validates and writes; FALSE leaves the form open with the messages. */
gboolean          kehu_record_editor_save         (KehuRecordEditor *self);

G_END_DECLS
