/* kehu-sync-client.h: the app's link to kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kehu-store.h"
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

/* Sync of the signed-in account (kehu-sync-engine on a worker thread). */
void            kehu_sync_client_sign_in_async  (KehuSyncClient      *self,
                                                 const char          *phone,
                                                 const char          *password,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char           *kehu_sync_client_sign_in_finish (KehuSyncClient  *self,
                                                 GAsyncResult    *result,
                                                 char           **keyring_error,
                                                 GError         **error);
void            kehu_sync_client_set_account    (KehuSyncClient  *self,
                                                 const char      *user_id,
                                                 const char      *token);
const char     *kehu_sync_client_get_user_id    (KehuSyncClient  *self);
gboolean        kehu_sync_client_is_signed_in   (KehuSyncClient  *self);
void            kehu_sync_client_set_data_dir   (KehuSyncClient  *self,
                                                 const char      *data_dir);
char           *kehu_sync_client_dup_cache_path (KehuSyncClient  *self);
void            kehu_sync_client_sync_now       (KehuSyncClient  *self);
guint           kehu_sync_client_get_pending    (KehuSyncClient  *self);
void            kehu_sync_client_set_pending    (KehuSyncClient  *self,
                                                 guint            pending);
GDateTime      *kehu_sync_client_get_last_sync  (KehuSyncClient  *self);
void            kehu_sync_client_set_store      (KehuSyncClient  *self,
                                                 KehuStore       *store);
gboolean        kehu_sync_client_can_call       (KehuSyncClient  *self);

/* One authenticated REST call, e.g. ("PATCH", "/custom-fields/ID", body).
 * Errors are KEHU_SYNC_ERROR: NETWORK (no answer), AUTH, SERVER (the
 * server's own message; @field names the member it is about). */
void            kehu_sync_client_call_async     (KehuSyncClient      *self,
                                                 const char          *method,
                                                 const char          *path,
                                                 JsonObject          *body,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void            kehu_sync_client_call_full_async (KehuSyncClient     *self,
                                                  const char         *method,
                                                  const char         *path,
                                                  const char         *if_match,
                                                  JsonObject         *body,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
JsonNode       *kehu_sync_client_call_finish    (KehuSyncClient  *self,
                                                 GAsyncResult    *result,
                                                 char           **field,
                                                 GError         **error);

G_END_DECLS
