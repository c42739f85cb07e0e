/* kehu-targets-editor.h: sales targets by month (销售目标)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kehu-report.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_TARGETS_EDITOR (kehu_targets_editor_get_type ())

G_DECLARE_FINAL_TYPE (KehuTargetsEditor, kehu_targets_editor, KEHU, TARGETS_EDITOR, GtkWidget)

GtkWidget  *kehu_targets_editor_new             (KehuStore         *store);
void        kehu_targets_editor_set_now         (KehuTargetsEditor *self,
                                                 GDateTime         *now);
/* Which targets the grid shows; reloads it. */
void        kehu_targets_editor_show            (KehuTargetsEditor *self,
                                                 KehuTargetScope    scope,
                                                 const char        *scope_id,
                                                 int                year,
                                                 KehuTargetMetric   metric);
void        kehu_targets_editor_reload          (KehuTargetsEditor *self);
/* The month's entry (1–12): yuan for amounts, a count for new customers. */
GtkEditable *kehu_targets_editor_get_entry      (KehuTargetsEditor *self,
                                                 int                month);
/* Writes every month's entry; on a bad entry nothing is written. */
gboolean    kehu_targets_editor_save            (KehuTargetsEditor *self,
                                                 GError           **error);
const char *kehu_targets_editor_get_check_text  (KehuTargetsEditor *self);
const char *kehu_targets_editor_get_completion_text (KehuTargetsEditor *self,
                                                 int                month);

G_END_DECLS
