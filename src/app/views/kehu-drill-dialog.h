/* kehu-drill-dialog.h: the records behind a figure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_DRILL_DIALOG (kehu_drill_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KehuDrillDialog, kehu_drill_dialog, KEHU, DRILL_DIALOG, AdwWindow)

/* The most records a dialog lists; it says so when there are more. */
#define KEHU_DRILL_DIALOG_LIMIT 500

KehuDrillDialog *kehu_drill_dialog_new        (GtkWindow       *parent,
                                               KehuStore       *store,
                                               const char      *module,
                                               const char      *filter_json,
                                               GError         **error);
const char      *kehu_drill_dialog_get_module (KehuDrillDialog *self);
/* The ids listed, in order. */
GPtrArray       *kehu_drill_dialog_get_ids    (KehuDrillDialog *self);
/* The row's title (the record's name) at @index, for tests. */
const char      *kehu_drill_dialog_get_title  (KehuDrillDialog *self,
                                               guint            index);

G_END_DECLS
