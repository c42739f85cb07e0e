/* kehu-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-reminders.h"
#include "kehu-record.h"
#include "kehu-schema.h"
#include "kehu-store.h"
#include "kehu-sync-client.h"

G_BEGIN_DECLS

#define KEHU_TYPE_APPLICATION (kehu_application_get_type ())

G_DECLARE_FINAL_TYPE (KehuApplication, kehu_application, KEHU, APPLICATION, AdwApplication)

KehuApplication *kehu_application_new            (void);
GSettings       *kehu_application_get_settings   (KehuApplication *self);
char            *kehu_application_dup_server_url (KehuApplication *self);
KehuSyncClient  *kehu_application_get_sync_client (KehuApplication *self);
KehuStore       *kehu_application_get_store       (KehuApplication *self);
KehuReminders   *kehu_application_get_reminders   (KehuApplication *self);
KehuSchema      *kehu_application_get_schema      (KehuApplication *self);
KehuContext     *kehu_application_get_context     (KehuApplication *self);

void             kehu_init_i18n                  (void);
void             kehu_ensure_resources           (void);

G_END_DECLS
