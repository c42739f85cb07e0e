/* kehu-sync-client.h: the app's link to kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-sync-indicator.h"

G_BEGIN_DECLS

#define KEHU_TYPE_SYNC_CLIENT (kehu_sync_client_get_type ())

G_DECLARE_FINAL_TYPE (KehuSyncClient, kehu_sync_client, KEHU, SYNC_CLIENT, GObject)

KehuSyncClient *kehu_sync_client_new            (const char      *server_url);
const char     *kehu_sync_client_get_server_url (KehuSyncClient  *self);
void            kehu_sync_client_set_server_url (KehuSyncClient  *self,
                                                 const char      *server_url);
KehuSyncState   kehu_sync_client_get_state      (KehuSyncClient  *self);
const char     *kehu_sync_client_get_error      (KehuSyncClient  *self);
const char     *kehu_sync_client_get_server_version (KehuSyncClient *self);
void            kehu_sync_client_check          (KehuSyncClient  *self);

G_END_DECLS
