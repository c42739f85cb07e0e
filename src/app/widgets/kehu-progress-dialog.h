/* kehu-progress-dialog.h: a small window for long work, with a Cancel button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KEHU_TYPE_PROGRESS_DIALOG (kehu_progress_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KehuProgressDialog, kehu_progress_dialog, KEHU, PROGRESS_DIALOG, AdwWindow)

KehuProgressDialog *kehu_progress_dialog_new          (GtkWindow          *parent,
                                                       const char         *title,
                                                       GCancellable       *cancellable);
void                kehu_progress_dialog_set_progress (KehuProgressDialog *self,
                                                       gint64              done,
                                                       gint64              total);
/* What the Cancel button does (closing the window does it too). */
void                kehu_progress_dialog_cancel       (KehuProgressDialog *self);
GtkProgressBar     *kehu_progress_dialog_get_bar      (KehuProgressDialog *self);

G_END_DECLS
