/* kehu-global-search.h: search every module from the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kehu-record.h"

G_BEGIN_DECLS

#define KEHU_TYPE_GLOBAL_SEARCH (kehu_global_search_get_type ())

G_DECLARE_FINAL_TYPE (KehuGlobalSearch, kehu_global_search, KEHU, GLOBAL_SEARCH, GtkWidget)

GtkWidget      *kehu_global_search_new          (void);
void            kehu_global_search_set_context  (KehuGlobalSearch *self,
                                                 KehuContext      *context);
GtkEditable    *kehu_global_search_get_entry    (KehuGlobalSearch *self);
/* Runs the search for @text now (no typing delay); the results are shown. */
void            kehu_global_search_run          (KehuGlobalSearch *self,
                                                 const char       *text);
guint           kehu_global_search_get_n_results (KehuGlobalSearch *self);
/* "module\x1fid" of result @index, in the order shown. */
const char     *kehu_global_search_get_result   (KehuGlobalSearch *self,
                                                 guint             index,
                                                 const char      **module);
/* Opens the selected result (or the first) through win.open-record. */
gboolean        kehu_global_search_activate     (KehuGlobalSearch *self);
/* How long the last search took, in microseconds. */
gint64          kehu_global_search_get_last_duration (KehuGlobalSearch *self);

G_END_DECLS
