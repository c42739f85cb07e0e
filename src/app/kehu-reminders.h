/* kehu-reminders.h: schedule reminders as desktop notifications
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-core.h"

G_BEGIN_DECLS

#define KEHU_TYPE_REMINDERS (kehu_reminders_get_type ())

G_DECLARE_FINAL_TYPE (KehuReminders, kehu_reminders, KEHU, REMINDERS, GObject)

KehuReminders *kehu_reminders_new         (GApplication  *application,
                                           KehuStore     *store);
void           kehu_reminders_start       (KehuReminders *self);
guint          kehu_reminders_check       (KehuReminders *self,
                                           GDateTime     *now);
void           kehu_reminders_set_user_id (KehuReminders *self,
                                           const char    *user_id);

G_END_DECLS
