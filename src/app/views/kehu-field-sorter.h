/* kehu-field-sorter.h: the sorter of one list column, sorted by SQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KEHU_TYPE_FIELD_SORTER (kehu_field_sorter_get_type ())

G_DECLARE_FINAL_TYPE (KehuFieldSorter, kehu_field_sorter, KEHU, FIELD_SORTER, GtkSorter)

GtkSorter  *kehu_field_sorter_new        (const char *field);
const char *kehu_field_sorter_get_field  (KehuFieldSorter *self);

/* Which column a GtkColumnView's sorter sorts by first, and in which
 * direction; FALSE when it sorts by none. */
gboolean    kehu_field_sorter_get_primary (GtkSorter   *view_sorter,
                                           const char **field,
                                           gboolean    *descending);

G_END_DECLS
